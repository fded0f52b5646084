/* SPDX-License-Identifier: MPL-2.0 */
/* Whole files in and out: the one reader and the one atomic writer; hex,
 * random passwords. */
#include <errno.h>
#include <fcntl.h>
#include <pk11pub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
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

/* How the messages name the file: "'path'", or "password file 'path'". */
static void name_of(const p11c_read_opts *ro, const char *path, char *buf, size_t len)
{
	if (ro->what)
		snprintf(buf, len, "%s '%s'", ro->what, path);
	else
		snprintf(buf, len, "'%s'", path);
}

static void buffer_free(unsigned char *buf, size_t len, unsigned flags)
{
	if (buf && (flags & P11C_READ_SECRET))
		explicit_bzero(buf, len);
	free(buf);
}

int p11c_file_read_with(p11c_db *db, const char *path, const p11c_read_opts *ro,
                        unsigned char **out, size_t *len)
{
	int rc = P11C_EFAIL, refused = ro->refused ? ro->refused : P11C_EFAIL;
	unsigned char *buf = NULL;
	size_t size = 0, cap = 0;
	char limit[32], name[4200];
	*out = NULL;
	*len = 0;
	size_text(ro->max, limit, sizeof(limit));
	name_of(ro, path, name, sizeof(name));
	/* O_NONBLOCK: opening a FIFO waits for a writer; fstat then tells
	 * what it is before anything is read. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
	                        (ro->flags & P11C_READ_NOFOLLOW ? O_NOFOLLOW : 0));
	if (fd < 0 && errno == ELOOP && (ro->flags & P11C_READ_NOFOLLOW))
		return p11c_fail(db, refused, "%s is a symbolic link", name);
	if (fd < 0)
		return p11c_fail_c(db, errno == ENOENT ? P11C_ENOTFOUND : P11C_EFAIL,
		                   errno == ENOENT ? P11C_ERR_NOTFOUND : P11C_ERR_IO,
		                   "cannot read %s: %s", name, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot read %s: %s", name,
		                 strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = p11c_fail(db, refused, "cannot read %s: it is %s, not a regular file", name,
		               file_kind(st.st_mode));
		goto out;
	}
	if ((ro->flags & P11C_READ_PRIVATE) && st.st_uid != geteuid()) {
		rc = p11c_fail(db, refused, "%s is owned by another user (uid %u)", name,
		               (unsigned)st.st_uid);
		goto out;
	}
	if ((ro->flags & P11C_READ_PRIVATE) && (st.st_mode & 077)) {
		rc = p11c_fail(db, refused, "%s is readable by others (mode %04o; chmod 600 it)",
		               name, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if ((unsigned long long)st.st_size > ro->max) {
		rc = p11c_fail(db, refused, "%s is larger than %s, the most that is read here",
		               name, limit);
		goto out;
	}
	/* The size seen, and one byte more to notice a file that grew. */
	cap = (size_t)st.st_size + 2;
	if (!(buf = malloc(cap))) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory reading %s", name);
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + size, cap - 1 - size);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot read %s: %s", name,
			                 strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		size += (size_t)r;
		if (size == cap - 1) {
			rc = p11c_fail(db, P11C_EFAIL, "%s changed while it was read", name);
			goto out;
		}
	}
	buf[size] = '\0';
	*out = buf;
	*len = size;
	buf = NULL;
	rc = P11C_OK;
out:
	buffer_free(buf, cap, ro->flags);
	close(fd);
	return rc;
}

int p11c_file_read_max(p11c_db *db, const char *path, size_t max, unsigned char **out, size_t *len)
{
	p11c_read_opts ro = {.max = max};
	return p11c_file_read_with(db, path, &ro, out, len);
}

int p11c_file_read(p11c_db *db, const char *path, unsigned char **out, size_t *len)
{
	return p11c_file_read_max(db, path, P11C_FILE_MAX, out, len);
}

/* A name for the temporary beside path: path.XXXXXX, six random letters
 * and digits. */
static void temp_name(const char *path, char *tmp, size_t len)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[6];
	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		/* no entropy yet: O_EXCL still makes the name ours */
		static unsigned long long calls;
		unsigned long long x =
		    (unsigned long long)time(NULL) ^ (unsigned long long)clock() ^
		    ((unsigned long long)getpid() << 16) ^ (++calls * 0x9e3779b97f4a7c15ull);
		for (size_t i = 0; i < sizeof(r); i++, x >>= 7)
			r[i] = (unsigned char)(x + i * 37);
	}
	snprintf(tmp, len, "%s.", path);
	size_t at = strlen(tmp);
	for (size_t i = 0; i < sizeof(r) && at + i + 1 < len; i++) {
		tmp[at + i] = set[r[i] % (sizeof(set) - 1)];
		tmp[at + i + 1] = '\0';
	}
}

int p11c_output_open_mode(p11c_db *db, const char *path, unsigned mode, unsigned flags,
                          p11c_output *o)
{
	size_t n = strlen(path) + 16;
	const char *why;
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->path = path;
	/* A rename would put a regular file in place of a device, a FIFO or
	 * a link (/dev/null, /dev/stdout): refuse rather than replace it. */
	if (!(flags & P11C_OUTPUT_ANY_PATH) && p11c_output_path_check(path, &why))
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO,
		                   "cannot write '%s': it is %s, not a regular file", path, why);
	o->tmp = malloc(n);
	if (!o->tmp)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	/* The mode from creation, so the file is never more open than that;
	 * then exactly that mode, whatever the umask took away. */
	for (int tries = 0; o->fd < 0 && tries < 100; tries++) {
		temp_name(path, o->tmp, n);
		o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		             (mode_t)(mode & 0777));
		if (o->fd < 0 && errno != EEXIST)
			break;
	}
	if (o->fd >= 0 && fchmod(o->fd, (mode_t)(mode & 0777)) != 0) {
		int saved = errno;
		close(o->fd);
		unlink(o->tmp);
		o->fd = -1;
		errno = saved;
	}
	if (o->fd < 0) {
		int rc = errno == ENOENT
		             ? p11c_fail(db, P11C_ENOTFOUND, "cannot write '%s': %s", path,
		                         strerror(errno))
		             : p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot write '%s': %s",
		                           path, strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		return rc;
	}
	return P11C_OK;
}

int p11c_file_write(p11c_db *db, const char *path, const void *data, size_t len, unsigned mode)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(path));
	if (len && !data)
		return p11c_args_fail(db, __func__, "data is NULL");
	if (mode != 0600 && mode != 0644)
		return p11c_args_fail(db, __func__, "mode %04o is neither 0600 nor 0644", mode);
	p11c_output o;
	int rc = p11c_output_open_mode(db, path, mode, 0, &o);
	if (rc)
		return rc;
	p11c_output_write(&o, data, len);
	return p11c_output_close(db, &o, 1);
}

int p11c_output_open(p11c_db *db, const char *path, p11c_output *o)
{
	return p11c_output_open_mode(db, path, 0600, 0, o);
}

int p11c_output_write(p11c_output *o, const void *data, size_t len)
{
	const unsigned char *p = data;
	while (len > 0 && !o->failed) {
		ssize_t w = write(o->fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			o->failed = w < 0 && errno ? errno : EIO;
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	return o->failed ? -1 : 0;
}

int p11c_file_rename(const char *from, const char *to)
{
	if (rename(from, to) != 0)
		return -1;
	/* The new name is on disk once its directory is: flushed as well as
	 * may be (the rename is done, and a failure here cannot undo it). */
	const char *slash = strrchr(to, '/');
	char dir[4200];
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == to ? 1 : (int)(slash - to), to);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

int p11c_output_close(p11c_db *db, p11c_output *o, int keep)
{
	int rc = P11C_OK;
	if (o->fd < 0)
		return P11C_OK;
	if (keep && !o->failed && fsync(o->fd) != 0)
		o->failed = errno;
	if (close(o->fd) != 0 && !o->failed)
		o->failed = errno;
	o->fd = -1;
	if (keep && !o->failed && p11c_file_rename(o->tmp, o->path) != 0)
		o->failed = errno;
	if (!keep || o->failed) {
		unlink(o->tmp);
		if (keep)
			rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot write '%s': %s",
			                 o->path, strerror(o->failed));
	}
	free(o->tmp);
	o->tmp = NULL;
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
