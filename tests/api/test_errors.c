/* SPDX-License-Identifier: MPL-2.0 */
/* Each p11c_errc reached by a real failure on a temporary database (and a
 * SoftHSM token of the test's own), through the public API alone: the
 * code, its name, the NSS error's name and the token's CKR_* where one
 * answered; certutil, a peer, sees what the refusals left. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#define CKR_DEVICE_ERROR 0x30UL /* PKCS#11 2.40 */
#define CKR_PIN_INCORRECT 0xa0UL
#define SOFTHSM_MODULE "/usr/lib/softhsm/libsofthsm2.so"
#define PW "api-errors-password"

/* db open read-write on dir, with pwfile */
typedef api_db fixture;

#define write_file(path, text, mode) api_write_file((path), (text), strlen(text), (mode))

/* What a failed call left, printed when a check of it fails. */
static void show(const p11c_db *db)
{
	const char *nss = p11c_last_error_nss(db), *field = p11c_last_error_field(db);
	print_message("got: code %s, nss %s, ckr 0x%lx, field %s, message '%s'\n",
	              p11c_errc_name(p11c_last_error_code(db)), nss ? nss : "(none)",
	              p11c_last_error_ckr(db), field ? field : "(none)", p11c_last_error(db));
}

static void expect_error(const p11c_db *db, int rc, int want_rc, p11c_errc want,
                         const char *want_nss, const char *want_field)
{
	const char *nss = p11c_last_error_nss(db), *field = p11c_last_error_field(db);
	if (rc != want_rc || p11c_last_error_code(db) != want ||
	    (want_nss && (!nss || strcmp(nss, want_nss))) ||
	    (want_field && (!field || strcmp(field, want_field)))) {
		show(db);
		print_message("wanted: status %d (got %d), code %s, nss %s, field %s\n", want_rc,
		              rc, p11c_errc_name(want), want_nss ? want_nss : "(any)",
		              want_field ? want_field : "(any)");
		fail();
	}
	assert_non_null(p11c_last_error(db));
	assert_true(strlen(p11c_last_error(db)) > 0);
}

/* Lines of `certutil -L -h all` (or -K with the password file) naming alias. */
static int certutil_count(const fixture *f, const char *what, const char *alias)
{
	char cmd[2048], line[1024];
	snprintf(cmd, sizeof(cmd), "certutil -d 'sql:%s' %s %s%s 2>/dev/null", f->dir, what,
	         strcmp(what, "-K") ? "-h all" : "-f ", strcmp(what, "-K") ? "" : f->pwfile);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	int n = 0;
	while (fgets(line, sizeof(line), p)) {
		char *end = line + strcspn(line, "\n");
		*end = '\0';
		/* -L: "alias   u,u,u"; -K: "<0> ec  id  alias" */
		char *at = strstr(line, alias);
		if (at && (at[strlen(alias)] == ' ' || at[strlen(alias)] == '\0') &&
		    (at == line || at[-1] == ' '))
			n++;
	}
	pclose(p);
	return n;
}

/* A second handle on f's database; f's own (the writer) is closed first. */
static p11c_db *open_db_flags(fixture *f, const char *pwfile, unsigned flags)
{
	p11c_db *db = NULL;
	p11c_db_free(f->db);
	f->db = NULL;
	assert_int_equal(p11c_db_new(&db), P11C_OK);
	if (pwfile)
		assert_int_equal(p11c_db_set_password_file(db, pwfile), P11C_OK);
	int rc = p11c_db_open(db, f->dir, P11C_OPEN_NO_P11KIT | flags);
	if (rc) {
		show(db);
		fail();
	}
	return db;
}

static p11c_db *open_db(fixture *f, const char *pwfile)
{
	return open_db_flags(f, pwfile, 0);
}

static int setup(void **state)
{
	return api_db_setup(state, "p11c-api-errors", PW, API_DB_GENERATE);
}

static int selfsign(p11c_db *db, const char *alias, const char *token)
{
	p11c_dn_fields dn = P11C_DN_FIELDS_INIT;
	dn.cn = "api.example.com";
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	o.fields = &dn;
	o.key_type = "ec:p256";
	o.token = token;
	return p11c_cert_selfsign(db, alias, &o);
}

static void test_errc_names(void **state)
{
	(void)state;
	assert_string_equal(p11c_errc_name(P11C_ERR_NONE), "none");
	assert_string_equal(p11c_errc_name(P11C_ERR_EXISTS), "exists");
	assert_string_equal(p11c_errc_name(P11C_ERR_NOTFOUND), "notfound");
	assert_string_equal(p11c_errc_name(P11C_ERR_INPUT), "input");
	assert_string_equal(p11c_errc_name(P11C_ERR_PASSWORD), "password");
	assert_string_equal(p11c_errc_name(P11C_ERR_TOKEN), "token");
	assert_string_equal(p11c_errc_name(P11C_ERR_IO), "io");
	assert_string_equal(p11c_errc_name((p11c_errc)99), "unknown");
	assert_int_equal(p11c_last_error_code(NULL), P11C_ERR_USAGE);
	assert_null(p11c_last_error_nss(NULL));
	assert_int_equal(p11c_last_error_ckr(NULL), 0);
}

static void test_fresh_handle_has_no_error(void **state)
{
	fixture *f = *state;
	p11c_db *db = open_db(f, f->pwfile);
	assert_int_equal(p11c_last_error_code(db), P11C_ERR_NONE);
	assert_null(p11c_last_error_nss(db));
	assert_int_equal(p11c_last_error_ckr(db), 0);
	p11c_db_free(db);
}

static void test_exists_alias_selfsigned_twice(void **state)
{
	fixture *f = *state;
	assert_int_equal(selfsign(f->db, "dup", NULL), P11C_OK);
	int rc = selfsign(f->db, "dup", NULL);
	expect_error(f->db, rc, P11C_EFAIL, P11C_ERR_EXISTS, NULL, "alias");
	assert_null(p11c_last_error_nss(f->db));
	assert_int_equal(p11c_last_error_ckr(f->db), 0);
	assert_non_null(strstr(p11c_last_error(f->db), "'dup'"));
	/* no CLI words in the library's message */
	assert_null(strstr(p11c_last_error(f->db), "--"));
	assert_int_equal(certutil_count(f, "-L", "dup"), 1);
}

static void test_exists_database_generated_twice(void **state)
{
	fixture *f = *state;
	p11c_db *db = NULL;
	assert_int_equal(p11c_db_new(&db), P11C_OK);
	assert_int_equal(p11c_db_set_password_file(db, f->pwfile), P11C_OK);
	p11c_generate_opts g = P11C_GENERATE_OPTS_INIT;
	g.flags = P11C_GENERATE_NO_DEFAULT_CERT | P11C_GENERATE_NO_P11KIT;
	int rc = p11c_db_generate(db, f->dir, &g);
	expect_error(db, rc, P11C_EFAIL, P11C_ERR_EXISTS, NULL, "database");
	p11c_db_free(db);
}

static void test_notfound_unknown_alias(void **state)
{
	fixture *f = *state;
	p11c_cert *info = NULL;
	int rc = p11c_cert_show(f->db, "no-such-alias", &info);
	expect_error(f->db, rc, P11C_ENOTFOUND, P11C_ERR_NOTFOUND, NULL, NULL);
	assert_null(info);
	assert_non_null(strstr(p11c_last_error(f->db), "no-such-alias"));
	assert_int_equal(certutil_count(f, "-L", "no-such-alias"), 0);
}

static void test_notfound_database(void **state)
{
	fixture *f = *state;
	char missing[512];
	p11c_db *db = NULL;
	snprintf(missing, sizeof(missing), "%s/missing", f->tmp);
	assert_int_equal(p11c_db_new(&db), P11C_OK);
	int rc = p11c_db_open(db, missing, P11C_OPEN_NO_P11KIT);
	expect_error(db, rc, P11C_ENOTFOUND, P11C_ERR_NOTFOUND, NULL, "database");
	assert_null(strstr(p11c_last_error(db), "generate-certdb"));
	p11c_db_free(db);
}

static void test_input_malformed_pem(void **state)
{
	fixture *f = *state;
	char path[512];
	snprintf(path, sizeof(path), "%s/bad.pem", f->tmp);
	write_file(path, "-----BEGIN CERTIFICATE-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOC\n", 0644);
	p11c_add_opts o = P11C_ADD_OPTS_INIT;
	o.flags = P11C_ADD_TRUSTED_CA;
	int rc = p11c_cert_add(f->db, "bad", path, &o, NULL);
	expect_error(f->db, rc, P11C_EFAIL, P11C_ERR_INPUT, NULL, NULL);
	assert_int_equal(certutil_count(f, "-L", "bad"), 0);
}

static void test_input_bad_days_names_field(void **state)
{
	fixture *f = *state;
	p11c_dn_fields dn = P11C_DN_FIELDS_INIT;
	dn.cn = "api.example.com";
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	o.fields = &dn;
	o.key_type = "ec:p256";
	o.days = 0;
	int rc = p11c_cert_selfsign(f->db, "days", &o);
	expect_error(f->db, rc, P11C_EUSAGE, P11C_ERR_INPUT, NULL, "days");
	assert_null(strstr(p11c_last_error(f->db), "--days"));
	o.days = 30;
	o.fields = NULL;
	rc = p11c_cert_selfsign(f->db, "nosubject", &o);
	expect_error(f->db, rc, P11C_EUSAGE, P11C_ERR_INPUT, NULL, "subject");
	assert_null(strstr(p11c_last_error(f->db), "-S"));
	assert_int_equal(certutil_count(f, "-L", "days"), 0);
}

static void test_password_wrong(void **state)
{
	fixture *f = *state;
	char wrong[512];
	snprintf(wrong, sizeof(wrong), "%s/wrong.pw", f->tmp);
	write_file(wrong, "not-the-password\n", 0600);
	p11c_db *db = open_db(f, wrong);
	int rc = selfsign(db, "never", NULL);
	expect_error(db, rc, P11C_EPASSWORD, P11C_ERR_PASSWORD, "SEC_ERROR_BAD_PASSWORD", NULL);
	if (p11c_last_error_ckr(db) != CKR_PIN_INCORRECT) {
		show(db);
		fail_msg("wanted CKR_PIN_INCORRECT (0xa0) kept from the token's login");
	}
	assert_null(strstr(p11c_last_error(db), "not-the-password"));
	p11c_db_free(db);
	assert_int_equal(certutil_count(f, "-L", "never"), 0);
}

/* No password file given: the database's own sslpassword.conf serves. */
static void test_default_password_file(void **state)
{
	fixture *f = *state;
	p11c_db *db = open_db(f, NULL);
	int rc = selfsign(db, "by-default", NULL);
	if (rc)
		show(db);
	assert_int_equal(rc, P11C_OK);
	p11c_db_free(db);
	assert_int_equal(certutil_count(f, "-L", "by-default"), 1);
}

static void test_nopassword_without_file(void **state)
{
	fixture *f = *state;
	p11c_db *db = open_db_flags(f, NULL, P11C_OPEN_NO_DEFAULT_PASSWORD_FILE);
	int rc = selfsign(db, "never", NULL);
	expect_error(db, rc, P11C_EPASSWORD, P11C_ERR_NOPASSWORD, NULL, "password");
	assert_null(strstr(p11c_last_error(db), "-W"));
	assert_int_equal(p11c_last_error_ckr(db), 0);
	p11c_db_free(db);
}

static void test_io_unwritable_output(void **state)
{
	fixture *f = *state;
	char out[512];
	assert_int_equal(selfsign(f->db, "ikey", NULL), P11C_OK);
	if (geteuid() != 0) {
		/* a directory the caller may not write */
		snprintf(out, sizeof(out), "%s/ro", f->tmp);
		assert_int_equal(mkdir(out, 0500), 0);
		strcat(out, "/key.pem");
	} else {
		/* root writes anywhere: a path through a regular file (ENOTDIR) */
		snprintf(out, sizeof(out), "%s/pw/key.pem", f->tmp);
	}
	int rc = p11c_key_export(f->db, "ikey", out);
	expect_error(f->db, rc, P11C_EFAIL, P11C_ERR_IO, NULL, NULL);
	assert_int_equal(access(out, F_OK), -1);
}

/* A SoftHSM token of the test's own in f->tmp/softhsm, its module
 * registered in the database; 0 when SoftHSM is not there (skip). */
static int make_token(fixture *f, const char *pin_line)
{
	const char *script = getenv("P11C_MAKE_TOKEN");
	char cmd[2048], conf[512], pw[512];
	if (!script || access(SOFTHSM_MODULE, R_OK) != 0) {
		if (getenv("CI") && !strcmp(getenv("CI"), "true"))
			fail_msg("SoftHSM or softhsm/make-token missing under CI");
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "sh '%s' '%s/softhsm' errtok >/dev/null", script, f->tmp);
	assert_int_equal(system(cmd), 0);
	snprintf(conf, sizeof(conf), "%s/softhsm/softhsm2.conf", f->tmp);
	setenv("SOFTHSM2_CONF", conf, 1);
	/* the module is loaded explicitly: p11-kit's are left out */
	assert_int_equal(p11c_module_add(f->db, "softhsm", SOFTHSM_MODULE), P11C_OK);
	snprintf(pw, sizeof(pw), "%s/pw", f->tmp);
	char text[256];
	snprintf(text, sizeof(text), "%s\n%s\n", PW, pin_line);
	write_file(pw, text, 0600);
	f->db = open_db(f, f->pwfile);
	return 1;
}

/* A token that answers CKR_DEVICE_ERROR to C_GenerateKeyPair (the fault
 * module of modules/fault between NSS and SoftHSM): NSS keeps only its
 * SEC_ERROR_PKCS11_DEVICE_ERROR; the token's answer comes back. */
static void test_token_failure_keeps_ckr(void **state)
{
	fixture *f = *state;
	const char *fault = getenv("P11C_FAULT_SO");
	if (!fault || !make_token(f, "errtok:1234"))
		skip();
	setenv("P11FAULT_MODULE", SOFTHSM_MODULE, 1);
	setenv("P11FAULT_FUNC", "C_GenerateKeyPair", 1);
	setenv("P11FAULT_NTH", "1", 1);
	setenv("P11FAULT_RV", "CKR_DEVICE_ERROR", 1);
	assert_int_equal(p11c_module_remove(f->db, "softhsm"), P11C_OK);
	assert_int_equal(p11c_module_add(f->db, "fault", fault), P11C_OK);
	f->db = open_db(f, f->pwfile);
	int rc = selfsign(f->db, "faulty", "errtok");
	unsetenv("P11FAULT_FUNC");
	unsetenv("P11FAULT_NTH");
	expect_error(f->db, rc, rc, P11C_ERR_TOKEN, "SEC_ERROR_PKCS11_DEVICE_ERROR", NULL);
	assert_int_not_equal(rc, P11C_OK);
	if (p11c_last_error_ckr(f->db) != CKR_DEVICE_ERROR) {
		show(f->db);
		fail_msg("wanted the token's CKR_DEVICE_ERROR (0x30)");
	}
	p11c_db_free(f->db);
	f->db = NULL;
	assert_int_equal(certutil_count(f, "-L", "errtok:faulty"), 0);
}

/* A module given for the run whose C_Initialize fails: the CKR it
 * answered in the library's child probe comes back. */
static void test_module_init_failure_keeps_ckr(void **state)
{
	fixture *f = *state;
	const char *fault = getenv("P11C_FAULT_SO");
	if (!fault)
		skip();
	p11c_db *db = NULL;
	p11c_db_free(f->db);
	f->db = NULL;
	setenv("P11FAULT_INIT", "CKR_DEVICE_ERROR", 1);
	assert_int_equal(p11c_db_new(&db), P11C_OK);
	assert_int_equal(p11c_db_set_password_file(db, f->pwfile), P11C_OK);
	assert_int_equal(p11c_db_set_module(db, fault), P11C_OK);
	int rc = p11c_db_open(db, f->dir, P11C_OPEN_NO_P11KIT | P11C_OPEN_READONLY);
	unsetenv("P11FAULT_INIT");
	expect_error(db, rc, P11C_EFAIL, P11C_ERR_TOKEN, NULL, NULL);
	if (p11c_last_error_ckr(db) != CKR_DEVICE_ERROR) {
		show(db);
		fail_msg("wanted C_Initialize's CKR_DEVICE_ERROR (0x30)");
	}
	p11c_db_free(db);
}

static void test_token_refuses_nonextractable_export(void **state)
{
	fixture *f = *state;
	char out[512];
	if (!make_token(f, "errtok:1234"))
		skip();
	int rc = selfsign(f->db, "hkey", "errtok");
	if (rc) {
		show(f->db);
		fail();
	}
	snprintf(out, sizeof(out), "%s/hkey.pem", f->tmp);
	rc = p11c_key_export(f->db, "errtok:hkey", out);
	expect_error(f->db, rc, P11C_ETOKEN, P11C_ERR_TOKEN, NULL, NULL);
	assert_non_null(strstr(p11c_last_error(f->db), "errtok"));
	assert_null(strstr(p11c_last_error(f->db), "p11cert"));
	assert_int_equal(access(out, F_OK), -1);
	assert_int_equal(certutil_count(f, "-L", "errtok:hkey"), 1);
}

static void test_token_wrong_pin_keeps_ckr(void **state)
{
	fixture *f = *state;
	if (!make_token(f, "errtok:9999"))
		skip();
	int rc = selfsign(f->db, "hkey", "errtok");
	expect_error(f->db, rc, P11C_EPASSWORD, P11C_ERR_PASSWORD, "SEC_ERROR_BAD_PASSWORD", NULL);
	if (p11c_last_error_ckr(f->db) != CKR_PIN_INCORRECT) {
		show(f->db);
		fail_msg("wanted the token's CKR_PIN_INCORRECT (0xa0)");
	}
	assert_non_null(strstr(p11c_last_error(f->db), "'errtok'"));
	assert_null(strstr(p11c_last_error(f->db), "9999"));
}

int main(void)
{
#define TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, api_db_teardown)
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_errc_names),
	    TEST(test_fresh_handle_has_no_error),
	    TEST(test_exists_alias_selfsigned_twice),
	    TEST(test_exists_database_generated_twice),
	    TEST(test_notfound_unknown_alias),
	    TEST(test_notfound_database),
	    TEST(test_input_malformed_pem),
	    TEST(test_input_bad_days_names_field),
	    TEST(test_password_wrong),
	    TEST(test_default_password_file),
	    TEST(test_nopassword_without_file),
	    TEST(test_io_unwritable_output),
	    TEST(test_token_refuses_nonextractable_export),
	    TEST(test_token_wrong_pin_keeps_ckr),
	    TEST(test_token_failure_keeps_ckr),
	    TEST(test_module_init_failure_keeps_ckr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
