/* SPDX-License-Identifier: MPL-2.0 */
/* Generating and upgrading a database, reading a password file, listing
 * tokens, through the public API alone, on a temporary directory of the
 * test's own (and a SoftHSM token); certutil, a peer, sees the results. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "apitest.h"

#include "p11cert.h"

#define SOFTHSM_MODULE "/usr/lib/softhsm/libsofthsm2.so"
#define PW "api-db-password"

/* dir not made yet; db a new handle with pwfile set */
typedef api_db fixture;

#define write_file(path, text, mode) api_write_file((path), (text), strlen(text), (mode))

#define run api_run

static void expect_ok(const p11c_db *db, int rc, const char *call)
{
	if (rc != P11C_OK)
		fail_msg("%s: got %d (%s), wanted 0", call, rc, p11c_last_error(db));
}

static int setup(void **state)
{
	return api_db_setup(state, "p11c-api-db", PW, 0);
}

static void generate(fixture *f, unsigned flags)
{
	p11c_generate_opts g = P11C_GENERATE_OPTS_INIT;
	g.flags = flags | P11C_GENERATE_NO_P11KIT;
	g.hostname = "gen.example";
	expect_ok(f->db, p11c_db_generate(f->db, f->dir, &g), "p11c_db_generate");
}

/* certutil -L of f's database. */
static char *certs_of(const fixture *f)
{
	return run("certutil -d 'sql:%s' -L 2>&1", f->dir);
}

/* ---- p11c_db_generate ---- */

static void test_generate_default_makes_server_cert(void **state)
{
	fixture *f = *state;
	generate(f, 0);
	p11c_db_free(f->db);
	f->db = NULL;
	char *l = certs_of(f);
	if (!strstr(l, "Server-Cert"))
		fail_msg("certutil -L: got '%s', wanted a Server-Cert", l);
	free(l);
	char *subject = run("certutil -d 'sql:%s' -L -n Server-Cert 2>&1", f->dir);
	if (!strstr(subject, "CN=gen.example"))
		fail_msg("certutil -L -n Server-Cert: got '%s', wanted CN=gen.example", subject);
	free(subject);
}

static void test_generate_no_default_cert(void **state)
{
	fixture *f = *state;
	generate(f, P11C_GENERATE_NO_DEFAULT_CERT);
	p11c_db_free(f->db);
	f->db = NULL;
	char *l = certs_of(f);
	if (strstr(l, "Server-Cert"))
		fail_msg("certutil -L: got '%s', wanted no Server-Cert", l);
	free(l);
}

/* An options struct not set from P11C_GENERATE_OPTS_INIT (size 0): refused
 * before anything is made. */
static void test_generate_zero_size_refused(void **state)
{
	fixture *f = *state;
	p11c_generate_opts g;
	memset(&g, 0, sizeof(g));
	g.flags = P11C_GENERATE_NO_DEFAULT_CERT;
	assert_int_equal(p11c_db_generate(f->db, f->dir, &g), P11C_EUSAGE);
	assert_non_null(strstr(p11c_last_error(f->db), "opts->size is 0"));
	assert_int_equal(access(f->dir, F_OK), -1);
}

/* ---- p11c_password_file_read ---- */

static void test_password_file_read_first_line(void **state)
{
	fixture *f = *state;
	char path[400], *pw = NULL;
	snprintf(path, sizeof(path), "%s/p12.pw", f->tmp);
	write_file(path, "first-line\r\nsecond line\n", 0600);
	expect_ok(f->db, p11c_password_file_read(f->db, path, &pw), "p11c_password_file_read");
	assert_string_equal(pw, "first-line");
	free(pw);
}

static void test_password_file_read_refuses_readable_by_others(void **state)
{
	fixture *f = *state;
	char path[400], *pw = (char *)"untouched";
	snprintf(path, sizeof(path), "%s/open.pw", f->tmp);
	write_file(path, "secret\n", 0644);
	assert_int_equal(p11c_password_file_read(f->db, path, &pw), P11C_EPASSWORD);
	assert_null(pw);
	assert_non_null(strstr(p11c_last_error(f->db), "open.pw"));
}

/* ---- p11c_file_write ---- */

/* The whole file, malloc'd; NULL when it cannot be read. */
static char *slurp(const char *path)
{
	char *text = api_run("cat '%s' 2>/dev/null", path);
	return text;
}

/* Exactly the mode asked for, whatever the umask; a file replaced whole;
 * a symbolic link refused and left, its target untouched. */
static void test_file_write_modes_and_refusals(void **state)
{
	fixture *f = *state;
	char path[400], link[400], target[400];
	struct stat st;
	snprintf(path, sizeof(path), "%s/out.pem", f->tmp);
	mode_t old = umask(0);
	expect_ok(f->db, p11c_file_write(f->db, path, "one\n", 4, 0600), "p11c_file_write");
	umask(077);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	expect_ok(f->db, p11c_file_write(f->db, path, "two\n", 4, 0644), "p11c_file_write");
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	char *text = slurp(path);
	assert_string_equal(text, "two\n");
	free(text);
	snprintf(target, sizeof(target), "%s/target", f->tmp);
	snprintf(link, sizeof(link), "%s/link.pem", f->tmp);
	write_file(target, "kept\n", 0644);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(p11c_file_write(f->db, link, "x", 1, 0644), P11C_EFAIL);
	assert_non_null(strstr(p11c_last_error(f->db), "symbolic link"));
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	text = slurp(target);
	assert_string_equal(text, "kept\n");
	free(text);
	snprintf(path, sizeof(path), "%s/nodir/out.pem", f->tmp);
	assert_int_equal(p11c_file_write(f->db, path, "x", 1, 0644), P11C_ENOTFOUND);
	text = api_run("ls -A '%s' | grep -c 'out.pem.' || true", f->tmp);
	assert_string_equal(text, "0\n"); /* no temporary left */
	free(text);
}

static void test_password_file_read_refuses_empty_first_line(void **state)
{
	fixture *f = *state;
	char path[400], *pw = NULL;
	snprintf(path, sizeof(path), "%s/empty.pw", f->tmp);
	write_file(path, "\nsecret\n", 0600);
	assert_int_equal(p11c_password_file_read(f->db, path, &pw), P11C_EPASSWORD);
	assert_null(pw);
	assert_non_null(strstr(p11c_last_error(f->db), "no password on its first line"));
}

/* ---- p11c_token_list ---- */

static const p11c_token *find_token(const p11c_token_listing *l, const char *label)
{
	for (size_t i = 0; i < p11c_token_listing_count(l); i++) {
		const p11c_token *t = p11c_token_listing_get(l, i);
		if (!strcmp(p11c_token_name(t), label))
			return t;
	}
	return NULL;
}

static void test_token_list_internal(void **state)
{
	fixture *f = *state;
	p11c_token_listing *l = NULL;
	generate(f, P11C_GENERATE_NO_DEFAULT_CERT);
	expect_ok(f->db, p11c_token_list(f->db, &l), "p11c_token_list");
	size_t n = p11c_token_listing_count(l), internal = 0;
	assert_true(n >= 1);
	assert_null(p11c_token_listing_get(l, n));
	for (size_t i = 0; i < n; i++) {
		const p11c_token *t = p11c_token_listing_get(l, i);
		assert_non_null(t);
		assert_non_null(p11c_token_module(t));
		assert_non_null(p11c_token_slot(t));
		assert_non_null(p11c_token_manufacturer(t));
		assert_non_null(p11c_token_model(t));
		assert_non_null(p11c_token_serial(t));
		assert_int_equal(strncmp(p11c_token_uri(t), "pkcs11:", 7), 0);
		if (!(p11c_token_flags(t) & P11C_TOKEN_INTERNAL))
			continue;
		internal++;
		assert_int_equal(p11c_token_loaded_by(t), P11C_LOADED_BY_NSS);
		assert_string_equal(p11c_token_module_path(t), "");
	}
	/* NSS's crypto slot and the database's key slot */
	assert_true(internal >= 1);
	p11c_token_listing_free(l);
}

/* A SoftHSM token in f->tmp; 0 when SoftHSM is missing (a failure under
 * CI=true, where every peer is installed). */
static int make_token(fixture *f, const char *label)
{
	const char *make = getenv("P11C_MAKE_TOKEN");
	if (!make || access(SOFTHSM_MODULE, R_OK) != 0) {
		if (getenv("CI") && !strcmp(getenv("CI"), "true"))
			fail_msg("SoftHSM (%s) or make-token missing under CI=true",
			         SOFTHSM_MODULE);
		return 0;
	}
	char cmd[1024], conf[400];
	snprintf(cmd, sizeof(cmd), "'%s' '%s/hsm' '%s' >/dev/null", make, f->tmp, label);
	assert_int_equal(system(cmd), 0);
	snprintf(conf, sizeof(conf), "%s/hsm/softhsm2.conf", f->tmp);
	setenv("SOFTHSM2_CONF", conf, 1);
	return 1;
}

static p11c_db *reopen(fixture *f, const char *module)
{
	p11c_db *db = NULL;
	p11c_db_free(f->db);
	f->db = NULL;
	assert_int_equal(p11c_db_new(&db), P11C_OK);
	if (module)
		assert_int_equal(p11c_db_set_module(db, module), P11C_OK);
	expect_ok(db, p11c_db_open(db, f->dir, P11C_OPEN_NO_P11KIT | P11C_OPEN_READONLY),
	          "p11c_db_open");
	return db;
}

static void expect_hsm(p11c_db *db, p11c_loaded_by by)
{
	p11c_token_listing *l = NULL;
	expect_ok(db, p11c_token_list(db, &l), "p11c_token_list");
	const p11c_token *t = find_token(l, "api-db-hsm");
	if (!t)
		fail_msg("no token 'api-db-hsm' among %zu", p11c_token_listing_count(l));
	unsigned flags = p11c_token_flags(t);
	assert_int_equal(p11c_token_loaded_by(t), by);
	assert_string_equal(p11c_token_module_path(t), SOFTHSM_MODULE);
	assert_false(flags & P11C_TOKEN_INTERNAL);
	assert_true(flags & P11C_TOKEN_LOGIN_REQUIRED);
	assert_true(flags & P11C_TOKEN_INITIALIZED);
	assert_false(flags & P11C_TOKEN_READ_ONLY);
	assert_non_null(strstr(p11c_token_uri(t), "token=api-db-hsm"));
	p11c_token_listing_free(l);
}

static void test_token_list_run_module(void **state)
{
	fixture *f = *state;
	if (!make_token(f, "api-db-hsm"))
		skip();
	generate(f, P11C_GENERATE_NO_DEFAULT_CERT);
	f->db = reopen(f, SOFTHSM_MODULE);
	expect_hsm(f->db, P11C_LOADED_BY_RUN);
}

static void test_token_list_database_module(void **state)
{
	fixture *f = *state;
	if (!make_token(f, "api-db-hsm"))
		skip();
	generate(f, P11C_GENERATE_NO_DEFAULT_CERT);
	expect_ok(f->db, p11c_module_add(f->db, "softhsm", SOFTHSM_MODULE), "p11c_module_add");
	f->db = reopen(f, NULL);
	expect_hsm(f->db, P11C_LOADED_BY_DATABASE);
}

/* ---- p11c_db_upgrade ---- */

static void test_upgrade_without_legacy_database(void **state)
{
	fixture *f = *state;
	p11c_upgrade_report *r = (p11c_upgrade_report *)&r; /* not NULL */
	assert_int_equal(mkdir(f->dir, 0700), 0);
	assert_int_equal(p11c_db_upgrade(f->db, f->dir, &r), P11C_ENOTFOUND);
	assert_null(r);
	assert_non_null(strstr(p11c_last_error(f->db), "cert8.db"));
}

/* A dbm: database made by certutil, with one self-signed CA; the password
 * file names the internal token only NSS's way, so the upgrade adds the
 * other name. */
static void test_upgrade_report(void **state)
{
	fixture *f = *state;
	char nsspw[400], noise[400];
	snprintf(nsspw, sizeof(nsspw), "%s/nss.pw", f->tmp);
	snprintf(noise, sizeof(noise), "%s/noise", f->tmp);
	write_file(nsspw, PW "\n", 0600);
	write_file(noise, "some noise for certutil's key generation, long enough\n", 0600);
	assert_int_equal(mkdir(f->dir, 0700), 0);
	char *out = run("certutil -N -d 'dbm:%s' -f '%s' 2>&1 && "
	                "certutil -S -x -n 'Legacy CA' -s CN=legacy.example -t CT,C,C -k ec "
	                "-q nistp256 -d 'dbm:%s' -f '%s' -z '%s' 2>&1 && echo made",
	                f->dir, nsspw, f->dir, nsspw, noise);
	if (!strstr(out, "made"))
		fail_msg("certutil on dbm:%s: %s", f->dir, out);
	free(out);
	write_file(f->pwfile, "NSS Certificate DB:" PW "\n", 0600);
	p11c_db_free(f->db);
	assert_int_equal(p11c_db_new(&f->db), P11C_OK);
	assert_int_equal(p11c_db_set_password_file(f->db, f->pwfile), P11C_OK);

	p11c_upgrade_report *r = NULL;
	expect_ok(f->db, p11c_db_upgrade(f->db, f->dir, &r), "p11c_db_upgrade");
	assert_non_null(r);
	static const p11c_upgrade_item items[] = {P11C_UPGRADE_CERTS, P11C_UPGRADE_KEYS,
	                                          P11C_UPGRADE_TRUSTED};
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		assert_int_equal(p11c_upgrade_report_before(r, items[i]), 1);
		assert_int_equal(p11c_upgrade_report_after(r, items[i]), 1);
	}
	assert_int_equal(p11c_upgrade_report_before(r, P11C_UPGRADE_MODULES), 0);
	assert_int_equal(p11c_upgrade_report_after(r, P11C_UPGRADE_MODULES), 0);
	assert_int_equal(p11c_upgrade_report_after(r, (p11c_upgrade_item)4), 0);
	const char *backup = p11c_upgrade_report_backup_dir(r);
	assert_non_null(backup);
	assert_int_equal(strncmp(backup, f->dir, strlen(f->dir)), 0);
	assert_int_equal(strncmp(backup + strlen(f->dir), "/legacy-", 8), 0);
	char path[600];
	snprintf(path, sizeof(path), "%s/cert8.db", backup);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(p11c_upgrade_report_password_file(r), P11C_UPGRADE_PWFILE_WRITTEN);
	p11c_upgrade_report_free(r);
	assert_null(p11c_db_dir(f->db)); /* nothing open afterwards */

	char *l = run("certutil -d 'sql:%s' -L 2>&1", f->dir);
	if (!strstr(l, "Legacy CA"))
		fail_msg("certutil -L on the upgraded database: got '%s', wanted 'Legacy CA'", l);
	free(l);
	char *pw = run("cat '%s'", f->pwfile);
	if (!strstr(pw, "Internal (Software) Token:" PW))
		fail_msg("password file: got '%s', wanted msgcert's name too", pw);
	free(pw);
}

#define TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, api_db_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_generate_default_makes_server_cert),
	    TEST(test_generate_no_default_cert),
	    TEST(test_generate_zero_size_refused),
	    TEST(test_password_file_read_first_line),
	    TEST(test_password_file_read_refuses_readable_by_others),
	    TEST(test_password_file_read_refuses_empty_first_line),
	    TEST(test_file_write_modes_and_refusals),
	    TEST(test_token_list_internal),
	    TEST(test_token_list_run_module),
	    TEST(test_token_list_database_module),
	    TEST(test_upgrade_without_legacy_database),
	    TEST(test_upgrade_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
