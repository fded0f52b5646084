/* SPDX-License-Identifier: MPL-2.0 */
/* io.h through the public API alone, on a temporary database: exports by
 * flags, the trust export's formats, and sync-exports' opaque report
 * read through its accessors. */
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

#define PW "api-io-password"

/* db open read-write on dir, with pwfile, one certificate "web" */
typedef api_db fixture;

#define write_file api_write_file

/* rc must be P11C_OK, else the message is shown. */
static void ok(const p11c_db *db, int rc, const char *call)
{
	if (rc != P11C_OK)
		fail_msg("%s: got %d '%s', wanted P11C_OK", call, rc, p11c_last_error(db));
}
#define OK(db, call) ok((db), (call), #call)

static int setup(void **state)
{
	if (api_db_setup(state, "p11c-api-io", PW, API_DB_GENERATE))
		return -1;
	fixture *f = *state;
	p11c_dn_fields dn = P11C_DN_FIELDS_INIT;
	dn.cn = "io.example.com";
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	o.fields = &dn;
	o.key_type = "ec:p256";
	OK(f->db, p11c_cert_selfsign(f->db, "web", &o));
	return 0;
}

static void test_io_cert_export_pem_and_der(void **state)
{
	fixture *f = *state;
	unsigned char *pem = NULL, *der = NULL;
	size_t pem_len = 0, der_len = 0;
	OK(f->db, p11c_cert_export(f->db, "web", P11C_CERT_EXPORT_PEM, &pem, &pem_len));
	assert_non_null(strstr((char *)pem, "-----BEGIN CERTIFICATE-----"));
	assert_int_equal(strlen((char *)pem), pem_len);
	OK(f->db, p11c_cert_export(f->db, "web", 0, &der, &der_len));
	assert_true(der_len > 0 && der[0] == 0x30); /* a DER SEQUENCE */
	free(pem);
	free(der);
}

static void test_io_cert_export_chain_needs_pem(void **state)
{
	fixture *f = *state;
	unsigned char *out = (unsigned char *)1;
	size_t len = 1;
	int rc = p11c_cert_export(f->db, "web", P11C_CERT_EXPORT_CHAIN, &out, &len);
	assert_int_equal(rc, P11C_EUSAGE);
	assert_string_equal(p11c_last_error_field(f->db), "format");
	assert_null(out);
	assert_int_equal(len, 0);
}

static void test_io_trust_export_formats(void **state)
{
	fixture *f = *state;
	unsigned char *out = NULL;
	size_t len = 7, count = 7;
	OK(f->db, p11c_trust_export(f->db, P11C_USAGE_TLS_SERVER, P11C_TRUST_FORMAT_PEM, NULL, &out,
	                            &len, &count));
	assert_int_equal(len, 0); /* nothing trusted: "" */
	assert_int_equal(count, 0);
	free(out);
	out = NULL;
	int rc = p11c_trust_export(f->db, P11C_USAGE_TLS_SERVER, P11C_TRUST_FORMAT_PKCS12, "pw",
	                           &out, &len, &count);
	assert_int_equal(rc, P11C_EFAIL);
	assert_non_null(strstr(p11c_last_error(f->db), "trusted for server"));
	assert_null(out);
	assert_string_equal(p11c_trust_format_name(P11C_TRUST_FORMAT_PKCS12), "pkcs12");
}

static void test_io_sync_without_record_is_empty(void **state)
{
	fixture *f = *state;
	p11c_export_report *rep = NULL;
	OK(f->db, p11c_export_sync(f->db, P11C_SYNC_DRY_RUN, &rep));
	assert_non_null(rep);
	assert_int_equal(p11c_export_report_count(rep), 0);
	assert_null(p11c_export_report_get(rep, 0));
	p11c_export_report_free(rep);
}

/* One status: its state, its words and whether it was written again. */
static void expect_one(p11c_db *db, unsigned flags, p11c_export_state want, int rewritten)
{
	p11c_export_report *rep = NULL;
	OK(db, p11c_export_sync(db, flags, &rep));
	assert_int_equal(p11c_export_report_count(rep), 1);
	const p11c_export_status *s = p11c_export_report_get(rep, 0);
	assert_non_null(s);
	assert_null(p11c_export_report_get(rep, 1));
	if (p11c_export_status_state(s) != want)
		fail_msg("state %s ('%s'), wanted %s",
		         p11c_export_state_name(p11c_export_status_state(s)),
		         p11c_export_status_message(s) ? p11c_export_status_message(s) : "",
		         p11c_export_state_name(want));
	assert_int_equal(p11c_export_status_rewritten(s), rewritten);
	assert_non_null(strstr(p11c_export_status_path(s), "/web.pem"));
	assert_non_null(strstr(p11c_export_status_command(s), "export-cert --format pem"));
	if (want == P11C_EXPORT_CURRENT)
		assert_null(p11c_export_status_message(s));
	else
		assert_non_null(p11c_export_status_message(s));
	p11c_export_report_free(rep);
}

static void test_io_sync_judges_and_rewrites(void **state)
{
	fixture *f = *state;
	char path[400];
	unsigned char *pem = NULL;
	size_t len = 0;
	snprintf(path, sizeof(path), "%s/web.pem", f->tmp);
	OK(f->db, p11c_cert_export(f->db, "web", P11C_CERT_EXPORT_PEM, &pem, &len));
	write_file(path, pem, len, 0644);
	p11c_export_record e = P11C_EXPORT_RECORD_INIT;
	e.kind = P11C_EXPORT_CERT;
	e.format = P11C_EXPORT_PEM;
	e.path = path;
	e.alias = "web";
	OK(f->db, p11c_export_record_add(f->db, &e));
	expect_one(f->db, P11C_SYNC_DRY_RUN, P11C_EXPORT_CURRENT, 0);

	write_file(path, "changed\n", 8, 0644);
	expect_one(f->db, P11C_SYNC_DRY_RUN, P11C_EXPORT_STALE, 0);
	expect_one(f->db, 0, P11C_EXPORT_STALE, 1);
	expect_one(f->db, P11C_SYNC_DRY_RUN, P11C_EXPORT_CURRENT, 0);

	assert_int_equal(unlink(path), 0);
	expect_one(f->db, 0, P11C_EXPORT_MISSING, 1);
	FILE *in = fopen(path, "r");
	assert_non_null(in);
	char back[4096];
	size_t n = fread(back, 1, sizeof(back), in);
	fclose(in);
	assert_int_equal(n, len);
	assert_memory_equal(back, pem, len);
	free(pem);
}

static void test_io_record_refuses_unknown_flags(void **state)
{
	fixture *f = *state;
	p11c_export_record e = P11C_EXPORT_RECORD_INIT;
	e.kind = P11C_EXPORT_CERT;
	e.path = "x.pem";
	e.alias = "web";
	e.flags = P11C_EXPORT_RECORD_CHAIN << 4;
	assert_int_equal(p11c_export_record_add(f->db, &e), P11C_EUSAGE);
	assert_non_null(strstr(p11c_last_error(f->db), "e->flags"));
}

int main(void)
{
#define TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, api_db_teardown)
	const struct CMUnitTest tests[] = {
	    TEST(test_io_cert_export_pem_and_der),  TEST(test_io_cert_export_chain_needs_pem),
	    TEST(test_io_trust_export_formats),     TEST(test_io_sync_without_record_is_empty),
	    TEST(test_io_sync_judges_and_rewrites), TEST(test_io_record_refuses_unknown_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
