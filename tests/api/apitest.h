/* SPDX-License-Identifier: MPL-2.0 */
/* What the API tests share: a shell command's output, a file written with
 * an exact mode, the fixture of a temporary database.  Include after
 * <cmocka.h> and "p11cert.h". */
#ifndef P11C_APITEST_H
#define P11C_APITEST_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "p11cert.h"

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

/* The fixture of a test on a database of its own: a temporary directory
 * (tmp), the database's path in it (dir, TMP/db) and a handle (db); with a
 * password, a password file (pwfile, TMP/pw: the password and a newline)
 * set on the handle. */
typedef struct {
	char tmp[256];
	char dir[320];
	char pwfile[320]; /* "" without a password */
	p11c_db *db;
} api_db;
enum {
	API_DB_GENERATE = 1u << 0, /* dir generated (no default certificate, no p11-kit) */
};

/* a made in $TMPDIR (or /tmp) as name.XXXXXX; 0, or -1 (the library's
 * message shown). */
__attribute__((unused)) static int api_db_make(api_db *a, const char *name, const char *password,
                                               unsigned flags)
{
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	memset(a, 0, sizeof(*a));
	snprintf(a->tmp, sizeof(a->tmp), "%s/%s.XXXXXX", base, name);
	assert_non_null(mkdtemp(a->tmp));
	snprintf(a->dir, sizeof(a->dir), "%s/db", a->tmp);
	assert_int_equal(p11c_db_new(&a->db), P11C_OK);
	if (password) {
		snprintf(a->pwfile, sizeof(a->pwfile), "%s/pw", a->tmp);
		char line[256];
		snprintf(line, sizeof(line), "%s\n", password);
		api_write_file(a->pwfile, line, strlen(line), 0600);
		assert_int_equal(p11c_db_set_password_file(a->db, a->pwfile), P11C_OK);
	}
	if (flags & API_DB_GENERATE) {
		p11c_generate_opts g = P11C_GENERATE_OPTS_INIT;
		g.flags = P11C_GENERATE_NO_DEFAULT_CERT | P11C_GENERATE_NO_P11KIT;
		if (p11c_db_generate(a->db, a->dir, &g) != P11C_OK) {
			print_message("setup: %s\n", p11c_last_error(a->db));
			return -1;
		}
	}
	return 0;
}

/* The handle freed, tmp removed (made writable first: a test may have
 * taken the permissions away), a test's SoftHSM configuration forgotten. */
__attribute__((unused)) static int api_db_remove(api_db *a)
{
	char cmd[600];
	p11c_db_free(a->db);
	a->db = NULL;
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s'; rm -rf '%s'", a->tmp, a->tmp);
	unsetenv("SOFTHSM2_CONF");
	return system(cmd) == 0 ? 0 : -1;
}

/* cmocka's setup and teardown for a fixture that is an api_db alone. */
__attribute__((unused)) static int api_db_setup(void **state, const char *name,
                                                const char *password, unsigned flags)
{
	api_db *a = calloc(1, sizeof(*a));
	assert_non_null(a);
	*state = a;
	return api_db_make(a, name, password, flags);
}

__attribute__((unused)) static int api_db_teardown(void **state)
{
	api_db *a = *state;
	int rc = a ? api_db_remove(a) : 0;
	free(a);
	return rc;
}

#endif
