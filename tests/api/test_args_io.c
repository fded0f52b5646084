/* SPDX-License-Identifier: MPL-2.0 */
/* The 'args' test's part for io.h: exports, imports, export-trust, recorded exports: each function
 * with NULL and bad arguments (argstest.h, test_args.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "argstest.h"

void test_args_p11c_export_record_add(void **state)
{
	p11c_db *db = *state;
	p11c_export_record e = P11C_EXPORT_RECORD_INIT;
	NO_DB(p11c_export_record_add(NULL, &e), p11c_export_record_add);
	USAGE(db, p11c_export_record_add(db, NULL), p11c_export_record_add, "e is NULL");
	USAGE(db, p11c_export_record_add(db, &e), p11c_export_record_add, "e->path is NULL");
	e.path = "";
	USAGE(db, p11c_export_record_add(db, &e), p11c_export_record_add, "e->path is empty");
	e.path = "f.pem";
	e.size = 0;
	USAGE(db, p11c_export_record_add(db, &e), p11c_export_record_add, "e->size is 0");
	e.size = sizeof(e);
	e.flags = 0x10;
	USAGE(db, p11c_export_record_add(db, &e), p11c_export_record_add,
	      "e->flags has unknown bits 0x10");
	no_failures();
}

void test_args_p11c_export_kind_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_export_kind_name(P11C_EXPORT_TRUST), "trust");
	assert_string_equal(p11c_export_kind_name(P11C_EXPORT_KEY), "key");
	assert_string_equal(p11c_export_kind_name((p11c_export_kind)3), "unknown");
	assert_string_equal(p11c_export_kind_name((p11c_export_kind)-1), "unknown");
}

void test_args_p11c_export_format_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_export_format_name(P11C_EXPORT_DER), "der");
	assert_string_equal(p11c_export_format_name(P11C_EXPORT_PKCS12), "pkcs12");
	assert_string_equal(p11c_export_format_name((p11c_export_format)3), "unknown");
	assert_string_equal(p11c_export_format_name((p11c_export_format)-1), "unknown");
}

void test_args_p11c_export_sync(void **state)
{
	p11c_db *db = *state;
	p11c_export_report *rep = (p11c_export_report *)1;
	NO_DB(p11c_export_sync(NULL, 0, &rep), p11c_export_sync);
	assert_null(rep);
	USAGE(db, p11c_export_sync(db, 2, &rep), p11c_export_sync, "flags has unknown bits 0x2");
	USAGE(db, p11c_export_sync(db, P11C_SYNC_DRY_RUN, NULL), p11c_export_sync, "out is NULL");
	no_failures();
}

void test_args_p11c_export_state_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_export_state_name(P11C_EXPORT_STATE_NONE), "none");
	assert_string_equal(p11c_export_state_name(P11C_EXPORT_CURRENT), "current");
	assert_string_equal(p11c_export_state_name(P11C_EXPORT_NEEDS_PASSWORD), "needs-password");
	assert_string_equal(p11c_export_state_name(P11C_EXPORT_FAILED), "failed");
	assert_string_equal(p11c_export_state_name((p11c_export_state)6), "unknown");
	assert_string_equal(p11c_export_state_name((p11c_export_state)-1), "unknown");
}

/* The report's accessors take NULL: 0, NULL, the "none" state. */
void test_args_p11c_export_report_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_export_report_count(NULL), 0);
}

void test_args_p11c_export_report_get(void **state)
{
	(void)state;
	assert_null(p11c_export_report_get(NULL, 0));
}

void test_args_p11c_export_report_free(void **state)
{
	(void)state;
	p11c_export_report_free(NULL); /* a no-op */
}

void test_args_p11c_export_status_path(void **state)
{
	(void)state;
	assert_null(p11c_export_status_path(NULL));
}

void test_args_p11c_export_status_command(void **state)
{
	(void)state;
	assert_null(p11c_export_status_command(NULL));
}

void test_args_p11c_export_status_state(void **state)
{
	(void)state;
	assert_int_equal(p11c_export_status_state(NULL), P11C_EXPORT_STATE_NONE);
}

void test_args_p11c_export_status_rewritten(void **state)
{
	(void)state;
	assert_int_equal(p11c_export_status_rewritten(NULL), 0);
}

void test_args_p11c_export_status_message(void **state)
{
	(void)state;
	assert_null(p11c_export_status_message(NULL));
}

void test_args_p11c_cert_export_p12(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_cert_export_p12(NULL, "a", "pw", 0, "o.p12"), p11c_cert_export_p12);
	USAGE(db, p11c_cert_export_p12(db, NULL, "pw", 0, "o.p12"), p11c_cert_export_p12,
	      "alias is NULL");
	USAGE(db, p11c_cert_export_p12(db, "", "pw", 0, "o.p12"), p11c_cert_export_p12,
	      "alias is empty");
	USAGE(db, p11c_cert_export_p12(db, "a", NULL, 0, "o.p12"), p11c_cert_export_p12,
	      "password is NULL");
	USAGE(db, p11c_cert_export_p12(db, "a", "pw", 0x4, "o.p12"), p11c_cert_export_p12,
	      "flags has unknown bits 0x4");
	USAGE(db, p11c_cert_export_p12(db, "a", "pw", 0, NULL), p11c_cert_export_p12,
	      "path is NULL");
	USAGE(db, p11c_cert_export_p12(db, "a", "pw", P11C_P12_COMPAT, ""), p11c_cert_export_p12,
	      "path is empty");
	no_failures();
}

void test_args_p11c_cert_export(void **state)
{
	p11c_db *db = *state;
	unsigned char *out = NULL;
	size_t len = 0;
	unsigned pem = P11C_CERT_EXPORT_PEM;
	NO_DB(p11c_cert_export(NULL, "a", pem, &out, &len), p11c_cert_export);
	USAGE(db, p11c_cert_export(db, NULL, pem, &out, &len), p11c_cert_export, "alias is NULL");
	USAGE(db, p11c_cert_export(db, "", pem, &out, &len), p11c_cert_export, "alias is empty");
	USAGE(db, p11c_cert_export(db, "a", 0x8, &out, &len), p11c_cert_export,
	      "flags has unknown bits 0x8");
	USAGE(db, p11c_cert_export(db, "a", pem, NULL, &len), p11c_cert_export, "out is NULL");
	USAGE(db, p11c_cert_export(db, "a", pem, &out, NULL), p11c_cert_export, "len is NULL");
	no_failures();
}

void test_args_p11c_key_export(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_key_export(NULL, "a", "k.pem"), p11c_key_export);
	USAGE(db, p11c_key_export(db, NULL, "k.pem"), p11c_key_export, "alias is NULL");
	USAGE(db, p11c_key_export(db, "", "k.pem"), p11c_key_export, "alias is empty");
	USAGE(db, p11c_key_export(db, "a", NULL), p11c_key_export, "path is NULL");
	USAGE(db, p11c_key_export(db, "a", ""), p11c_key_export, "path is empty");
	no_failures();
}

void test_args_p11c_p12_import(void **state)
{
	p11c_db *db = *state;
	p11c_import_opts o = P11C_IMPORT_OPTS_INIT;
	char *alias = NULL;
	NO_DB(p11c_p12_import(NULL, "i.p12", "pw", &o, &alias), p11c_p12_import);
	USAGE(db, p11c_p12_import(db, NULL, "pw", &o, &alias), p11c_p12_import, "path is NULL");
	USAGE(db, p11c_p12_import(db, "", "pw", &o, &alias), p11c_p12_import, "path is empty");
	USAGE(db, p11c_p12_import(db, "i.p12", NULL, &o, &alias), p11c_p12_import,
	      "password is NULL");
	o.alias = "";
	USAGE(db, p11c_p12_import(db, "i.p12", "pw", &o, &alias), p11c_p12_import,
	      "opts->alias is empty");
	o.alias = NULL;
	o.token = "";
	USAGE(db, p11c_p12_import(db, "i.p12", "pw", &o, &alias), p11c_p12_import,
	      "opts->token is empty");
	o.token = NULL;
	o.flags = 0x100;
	USAGE(db, p11c_p12_import(db, "i.p12", "pw", &o, &alias), p11c_p12_import,
	      "opts->flags has unknown bits 0x100");
	o.flags = 0;
	o.size = 0;
	USAGE(db, p11c_p12_import(db, "i.p12", "pw", &o, &alias), p11c_p12_import,
	      "opts->size is 0");
	o.size = sizeof(o) - 1;
	USAGE(db, p11c_p12_import(db, "i.p12", "pw", &o, &alias), p11c_p12_import, "opts->size");
	assert_null(alias);
	no_failures();
}

void test_args_p11c_pem_import(void **state)
{
	p11c_db *db = *state;
	p11c_import_opts o = P11C_IMPORT_OPTS_INIT;
	NO_DB(p11c_pem_import(NULL, "k.pem", "c.pem", NULL, &o, NULL), p11c_pem_import);
	USAGE(db, p11c_pem_import(db, NULL, "c.pem", NULL, &o, NULL), p11c_pem_import,
	      "key_path is NULL");
	USAGE(db, p11c_pem_import(db, "", "c.pem", NULL, &o, NULL), p11c_pem_import,
	      "key_path is empty");
	USAGE(db, p11c_pem_import(db, "k.pem", NULL, NULL, &o, NULL), p11c_pem_import,
	      "cert_path is NULL");
	USAGE(db, p11c_pem_import(db, "k.pem", "", NULL, &o, NULL), p11c_pem_import,
	      "cert_path is empty");
	o.token = "";
	USAGE(db, p11c_pem_import(db, "k.pem", "c.pem", NULL, &o, NULL), p11c_pem_import,
	      "opts->token is empty");
	o.token = NULL;
	o.flags = P11C_IMPORT_EXTRACTABLE | 0x4;
	USAGE(db, p11c_pem_import(db, "k.pem", "c.pem", NULL, &o, NULL), p11c_pem_import,
	      "opts->flags has unknown bits 0x4");
	o.flags = 0;
	o.size = 0;
	USAGE(db, p11c_pem_import(db, "k.pem", "c.pem", NULL, &o, NULL), p11c_pem_import,
	      "opts->size is 0");
	no_failures();
}

void test_args_p11c_key_file_is_encrypted(void **state)
{
	p11c_db *db = *state;
	int enc = 0;
	NO_DB(p11c_key_file_is_encrypted(NULL, "k.pem", &enc), p11c_key_file_is_encrypted);
	USAGE(db, p11c_key_file_is_encrypted(db, NULL, &enc), p11c_key_file_is_encrypted,
	      "path is NULL");
	USAGE(db, p11c_key_file_is_encrypted(db, "", &enc), p11c_key_file_is_encrypted,
	      "path is empty");
	USAGE(db, p11c_key_file_is_encrypted(db, "k.pem", NULL), p11c_key_file_is_encrypted,
	      "encrypted is NULL");
	no_failures();
}

void test_args_p11c_trust_export(void **state)
{
	p11c_db *db = *state;
	unsigned char *out = NULL;
	size_t len = 0, count = 0;
	const p11c_trust_format pem = P11C_TRUST_FORMAT_PEM;
	NO_DB(p11c_trust_export(NULL, P11C_USAGE_TLS_SERVER, pem, NULL, &out, &len, &count),
	      p11c_trust_export);
	USAGE(db, p11c_trust_export(db, (p11c_usage)9, pem, NULL, &out, &len, &count),
	      p11c_trust_export, "usage is 9, not from 0 to 2");
	USAGE(db, p11c_trust_export(db, P11C_USAGE_TLS_SERVER_CA, pem, NULL, &out, &len, &count),
	      p11c_trust_export, "usage is 3, not from 0 to 2");
	USAGE(
	    db,
	    p11c_trust_export(db, P11C_USAGE_EMAIL, (p11c_trust_format)2, NULL, &out, &len, &count),
	    p11c_trust_export, "format is 2, not from 0 to 1");
	USAGE(db, p11c_trust_export(db, P11C_USAGE_EMAIL, pem, NULL, NULL, &len, &count),
	      p11c_trust_export, "out is NULL");
	USAGE(db, p11c_trust_export(db, P11C_USAGE_EMAIL, pem, NULL, &out, NULL, &count),
	      p11c_trust_export, "len is NULL");
	USAGE(db, p11c_trust_export(db, P11C_USAGE_EMAIL, pem, NULL, &out, &len, NULL),
	      p11c_trust_export, "count is NULL");
	no_failures();
}

void test_args_p11c_trust_format_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_trust_format_name(P11C_TRUST_FORMAT_PEM), "pem");
	assert_string_equal(p11c_trust_format_name(P11C_TRUST_FORMAT_PKCS12), "pkcs12");
	assert_string_equal(p11c_trust_format_name((p11c_trust_format)2), "unknown");
}
