/* SPDX-License-Identifier: MPL-2.0 */
/* Secrets in and out: a password from a file's first line, and the check
 * of a path an output file is to replace (the writer is in files.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int p11c_read_password_file(p11c_db *db, const char *path, char **out)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(path), P11C_OUT(out));
	char *text = NULL;
	size_t len = 0;
	*out = NULL;
	int rc = p11c_secret_file_read(db, path, &text, &len);
	if (rc)
		return rc;
	if (memchr(text, '\0', len)) {
		p11c_secret_free(text);
		return p11c_fail(db, P11C_EPASSWORD, "password file '%s' holds a NUL byte", path);
	}
	size_t n = strcspn(text, "\r\n");
	if (n == 0 || n > P11C_PW_MAX) {
		explicit_bzero(text, len);
		free(text);
		return p11c_fail(db, P11C_EPASSWORD,
		                 "password file '%s' has no password on its first line", path);
	}
	*out = strndup(text, n);
	explicit_bzero(text, len);
	free(text);
	return *out ? P11C_OK : p11c_fail(db, P11C_EFAIL, "out of memory");
}

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
