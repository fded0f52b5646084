/* SPDX-License-Identifier: MPL-2.0 */
/* Reading input files, hex, random passwords. */
#include <errno.h>
#include <fcntl.h>
#include <pk11pub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static const char *file_kind(mode_t mode)
{
	return S_ISDIR(mode)    ? "a directory"
	       : S_ISFIFO(mode) ? "a FIFO or pipe"
	       : S_ISCHR(mode)  ? "a character device"
	       : S_ISBLK(mode)  ? "a block device"
	       : S_ISSOCK(mode) ? "a socket"
	                        : "not a regular file";
}

static void size_text(size_t n, char *buf, size_t len)
{
	if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
		snprintf(buf, len, "%zu MiB", n / (1024 * 1024));
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(buf, len, "%zu KiB", n / 1024);
	else
		snprintf(buf, len, "%zu bytes", n);
}

int p11c_file_read_max(p11c_db *db, const char *path, size_t max, unsigned char **out, size_t *len)
{
	int rc = P11C_EFAIL;
	unsigned char *buf = NULL;
	size_t size = 0;
	char limit[32];
	*out = NULL;
	*len = 0;
	size_text(max, limit, sizeof(limit));
	/* O_NONBLOCK: opening a FIFO waits for a writer; fstat then tells
	 * what it is before anything is read. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return p11c_fail_c(db, errno == ENOENT ? P11C_ENOTFOUND : P11C_EFAIL,
		                   errno == ENOENT ? P11C_ERR_NOTFOUND : P11C_ERR_IO,
		                   "cannot read '%s': %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot read '%s': %s", path,
		                 strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = p11c_fail(db, P11C_EFAIL, "cannot read '%s': it is %s, not a regular file",
		               path, file_kind(st.st_mode));
		goto out;
	}
	if ((unsigned long long)st.st_size > max) {
		rc = p11c_fail(db, P11C_EFAIL, "'%s' is larger than %s, the most that is read here",
		               path, limit);
		goto out;
	}
	/* The size seen, and one byte more to notice a file that grew. */
	size_t cap = (size_t)st.st_size + 2;
	if (!(buf = malloc(cap))) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory reading '%s'", path);
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + size, cap - 1 - size);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot read '%s': %s", path,
			                 strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		size += (size_t)r;
		if (size == cap - 1) {
			rc = p11c_fail(db, P11C_EFAIL, "'%s' changed while it was read", path);
			goto out;
		}
	}
	buf[size] = '\0';
	*out = buf;
	*len = size;
	buf = NULL;
	rc = P11C_OK;
out:
	free(buf);
	close(fd);
	return rc;
}

int p11c_file_read(p11c_db *db, const char *path, unsigned char **out, size_t *len)
{
	return p11c_file_read_max(db, path, P11C_FILE_MAX, out, len);
}

char *p11c_hex(const unsigned char *data, size_t len, char sep)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(len * 3 + 1), *p = s;
	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (sep && i)
			*p++ = sep;
		*p++ = digits[data[i] >> 4];
		*p++ = digits[data[i] & 15];
	}
	*p = '\0';
	return s;
}

char *p11c_random_password(size_t n)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	char *pw = malloc(n + 1);
	size_t i = 0;
	if (!pw)
		return NULL;
	while (i < n) {
		unsigned char r[64];
		if (PK11_GenerateRandom(r, sizeof(r)) != SECSuccess) {
			free(pw);
			return NULL;
		}
		/* 62 * 4 = 248: reject above it so every character is as likely */
		for (size_t j = 0; j < sizeof(r) && i < n; j++)
			if (r[j] < 248)
				pw[i++] = set[r[j] % 62];
		explicit_bzero(r, sizeof(r));
	}
	pw[n] = '\0';
	return pw;
}
