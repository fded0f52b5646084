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

#define INPUT_MAX (64 * 1024 * 1024)

int p11c_file_read(p11c_db *db, const char *path, unsigned char **out, size_t *len)
{
	int rc = P11C_EFAIL;
	unsigned char *buf = NULL;
	size_t size = 0, cap = 0;
	*out = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return p11c_fail(db, errno == ENOENT ? P11C_ENOTFOUND : P11C_EFAIL,
		                 "cannot read '%s': %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = p11c_fail(db, P11C_EFAIL, "cannot read '%s': it is a directory", path);
		goto out;
	}
	for (;;) {
		if (size + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > INPUT_MAX) {
				rc = p11c_fail(db, P11C_EFAIL, "'%s' is too large", path);
				goto out;
			}
			unsigned char *b = realloc(buf, cap);
			if (!b) {
				rc = p11c_fail(db, P11C_EFAIL, "out of memory reading '%s'", path);
				goto out;
			}
			buf = b;
		}
		ssize_t r = read(fd, buf + size, cap - size - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = p11c_fail(db, P11C_EFAIL, "cannot read '%s': %s", path,
			               strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		size += (size_t)r;
	}
	if (!buf && !(buf = malloc(1))) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
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
