/* SPDX-License-Identifier: MPL-2.0 */
/* What the API tests share: a shell command's output, a file written with
 * an exact mode.  Include after <cmocka.h>. */
#ifndef P11C_APITEST_H
#define P11C_APITEST_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The whole standard output of a shell command (printf format, from the
 * test's own fixed parts), malloc'd and NUL-terminated. */
__attribute__((format(printf, 1, 2), unused)) static char *api_run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t cap = 4096, len = 0, got;
	char *buf = malloc(cap);
	assert_non_null(buf);
	while ((got = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += got;
		if (cap - len < 2) {
			buf = realloc(buf, cap *= 2);
			assert_non_null(buf);
		}
	}
	buf[len] = '\0';
	pclose(p);
	return buf;
}

/* path holding len bytes of data, with exactly mode (whatever the umask). */
__attribute__((unused)) static void api_write_file(const char *path, const void *data, size_t len,
                                                   mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

#endif
