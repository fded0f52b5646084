/* SPDX-License-Identifier: MPL-2.0 */
/* Files that hold a secret or a key, written 0600 from creation and
 * renamed in place. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int p11c_output_path_check(const char *path, const char **why)
{
	P11C_ARGS(NULL, P11C_NAME(path), P11C_OUT(why));
	struct stat st;
	*why = NULL;
	if (lstat(path, &st) != 0)
		return P11C_OK; /* nothing there, or the open will say why */
	if (S_ISREG(st.st_mode))
		return P11C_OK;
	*why = S_ISLNK(st.st_mode)    ? "a symbolic link"
	       : S_ISCHR(st.st_mode)  ? "a character device"
	       : S_ISBLK(st.st_mode)  ? "a block device"
	       : S_ISFIFO(st.st_mode) ? "a FIFO"
	       : S_ISDIR(st.st_mode)  ? "a directory"
	       : S_ISSOCK(st.st_mode) ? "a socket"
	                              : "not a regular file";
	return P11C_EFAIL;
}

int p11c_output_open(p11c_db *db, const char *path, p11c_output *o)
{
	size_t n = strlen(path) + 16;
	const char *why;
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->path = path;
	/* A rename would put a regular file in place of a device, a FIFO or
	 * a link (/dev/null, /dev/stdout): refuse rather than replace it. */
	if (p11c_output_path_check(path, &why))
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO,
		                   "cannot write '%s': it is %s, not a regular file", path, why);
	o->tmp = malloc(n);
	if (!o->tmp)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	snprintf(o->tmp, n, "%s.XXXXXX", path);
	o->fd = mkostemp(o->tmp, O_CLOEXEC); /* 0600 from creation */
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

int p11c_output_write(p11c_output *o, const void *data, size_t len)
{
	const unsigned char *p = data;
	while (len > 0 && !o->failed) {
		ssize_t w = write(o->fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			o->failed = errno ? errno : EIO;
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	return o->failed ? -1 : 0;
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
	if (keep && !o->failed && rename(o->tmp, o->path) != 0)
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
