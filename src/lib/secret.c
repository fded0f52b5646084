/* SPDX-License-Identifier: MPL-2.0 */
/* The check of a path an output file is to replace (the writer is in
 * files.c). */
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
