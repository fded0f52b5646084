/* SPDX-License-Identifier: MPL-2.0 */
/* The 'args' test's part for cert.h: certificates, their accessors and listings, requests, signing:
 * each function with NULL and bad arguments (argstest.h, test_args.c). */
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

/* The accessors of a listing and its problems take NULL and give NULL or
 * 0. */
void test_args_p11c_cert_listing_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_listing_count(NULL), 0);
}

void test_args_p11c_cert_listing_get(void **state)
{
	(void)state;
	assert_null(p11c_cert_listing_get(NULL, 0));
}

void test_args_p11c_cert_listing_problem_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_listing_problem_count(NULL), 0);
}

void test_args_p11c_cert_listing_problem(void **state)
{
	(void)state;
	assert_null(p11c_cert_listing_problem(NULL, 0));
}

void test_args_p11c_token_problem_token(void **state)
{
	(void)state;
	assert_null(p11c_token_problem_token(NULL));
}

void test_args_p11c_token_problem_status(void **state)
{
	(void)state;
	assert_int_equal(p11c_token_problem_status(NULL), 0);
}

void test_args_p11c_token_problem_login_tried(void **state)
{
	(void)state;
	assert_int_equal(p11c_token_problem_login_tried(NULL), 0);
}

void test_args_p11c_token_problem_reason(void **state)
{
	(void)state;
	assert_null(p11c_token_problem_reason(NULL));
}

void test_args_p11c_list_kind_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_list_kind_name(P11C_LIST_KEYS), "keys");
	assert_string_equal(p11c_list_kind_name(P11C_LIST_CA), "ca");
	assert_string_equal(p11c_list_kind_name(P11C_LIST_ALL), "all");
	assert_string_equal(p11c_list_kind_name((p11c_list_kind)9), "unknown");
}

void test_args_p11c_trust_role_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_trust_role_name(P11C_TRUST_SERVER_CA), "server-ca");
	assert_string_equal(p11c_trust_role_name(P11C_TRUST_CLIENT_CA), "client-ca");
	assert_string_equal(p11c_trust_role_name(P11C_TRUST_EMAIL_CA), "email-ca");
	assert_string_equal(p11c_trust_role_name(P11C_TRUST_CODE_CA), "code-ca");
	assert_string_equal(p11c_trust_role_name(P11C_TRUST_PEER), "peer");
	assert_string_equal(p11c_trust_role_name(P11C_TRUST_EMAIL_PEER), "email-peer");
	assert_string_equal(p11c_trust_role_name(P11C_TRUST_CODE_PEER), "code-peer");
	assert_string_equal(p11c_trust_role_name((p11c_trust_role)0), "unknown");
	assert_string_equal(
	    p11c_trust_role_name((p11c_trust_role)(P11C_TRUST_SERVER_CA | P11C_TRUST_PEER)),
	    "unknown");
}

void test_args_p11c_cert_trust_roles(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_trust_roles(NULL), 0);
}

void test_args_p11c_alias_qualify(void **state)
{
	p11c_db *db = *state;
	char *q = (char *)"untouched";
	NO_DB(p11c_alias_qualify(NULL, "hsm", "a", &q), p11c_alias_qualify);
	assert_null(q);
	USAGE(db, p11c_alias_qualify(db, "", "a", &q), p11c_alias_qualify, "token is empty");
	USAGE(db, p11c_alias_qualify(db, "hsm", NULL, &q), p11c_alias_qualify, "alias is NULL");
	USAGE(db, p11c_alias_qualify(db, "hsm", "", &q), p11c_alias_qualify, "alias is empty");
	USAGE(db, p11c_alias_qualify(db, "hsm", "a", NULL), p11c_alias_qualify, "out is NULL");
	no_failures();
	/* No token, or an alias already qualified: as it is, no database needed. */
	assert_int_equal(p11c_alias_qualify(db, NULL, "a", &q), P11C_OK);
	assert_string_equal(q, "a");
	free(q);
	assert_int_equal(p11c_alias_qualify(db, "hsm", "other:a", &q), P11C_OK);
	assert_string_equal(q, "other:a");
	free(q);
}

/* The accessors of p11c_cert take NULL and give NULL or 0. */
void test_args_p11c_cert_alias(void **state)
{
	(void)state;
	assert_null(p11c_cert_alias(NULL));
}

void test_args_p11c_cert_token(void **state)
{
	(void)state;
	assert_null(p11c_cert_token(NULL));
}

void test_args_p11c_cert_serial(void **state)
{
	(void)state;
	assert_null(p11c_cert_serial(NULL));
}

void test_args_p11c_cert_sig_alg(void **state)
{
	(void)state;
	assert_null(p11c_cert_sig_alg(NULL));
}

void test_args_p11c_cert_subject(void **state)
{
	(void)state;
	assert_null(p11c_cert_subject(NULL));
}

void test_args_p11c_cert_issuer(void **state)
{
	(void)state;
	assert_null(p11c_cert_issuer(NULL));
}

void test_args_p11c_cert_key_type(void **state)
{
	(void)state;
	assert_null(p11c_cert_key_type(NULL));
}

void test_args_p11c_cert_sha1(void **state)
{
	(void)state;
	assert_null(p11c_cert_sha1(NULL));
}

void test_args_p11c_cert_sha256(void **state)
{
	(void)state;
	assert_null(p11c_cert_sha256(NULL));
}

void test_args_p11c_cert_trust(void **state)
{
	(void)state;
	assert_null(p11c_cert_trust(NULL));
}

void test_args_p11c_cert_key_token(void **state)
{
	(void)state;
	assert_null(p11c_cert_key_token(NULL));
}

void test_args_p11c_cert_key_uri(void **state)
{
	(void)state;
	assert_null(p11c_cert_key_uri(NULL));
}

void test_args_p11c_cert_key_note(void **state)
{
	(void)state;
	assert_null(p11c_cert_key_note(NULL));
}

void test_args_p11c_cert_pem(void **state)
{
	(void)state;
	assert_null(p11c_cert_pem(NULL));
}

void test_args_p11c_cert_version(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_version(NULL), 0);
}

void test_args_p11c_cert_not_before(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_not_before(NULL), 0);
}

void test_args_p11c_cert_not_after(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_not_after(NULL), 0);
}

void test_args_p11c_cert_is_self_signed(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_is_self_signed(NULL), 0);
}

void test_args_p11c_cert_san_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_san_count(NULL), 0);
}

void test_args_p11c_cert_san(void **state)
{
	(void)state;
	assert_null(p11c_cert_san(NULL, 0));
}

void test_args_p11c_cert_trust_words(void **state)
{
	(void)state;
	assert_null(p11c_cert_trust_words(NULL, P11C_TRUST_FIELD_SSL));
}

void test_args_p11c_cert_key_state(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_key_state(NULL), P11C_KEY_NONE);
}

void test_args_p11c_key_state_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_key_state_name(P11C_KEY_PRESENT), "present");
	assert_string_equal(p11c_key_state_name((p11c_key_state)9), "unknown");
}

void test_args_p11c_cert_key_extractable(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_key_extractable(NULL), P11C_EXTRACTABLE_UNKNOWN);
}

void test_args_p11c_dn_format(void **state)
{
	(void)state;
	p11c_dn_fields f = P11C_DN_FIELDS_INIT;
	char *dn = NULL;
	USAGE(NULL, p11c_dn_format(NULL, &dn), p11c_dn_format, "f is NULL");
	f.cn = "a";
	f.size = 0;
	USAGE(NULL, p11c_dn_format(&f, &dn), p11c_dn_format, "f->size is 0, less than");
	f.size = sizeof(f);
	f.cn = NULL;
	f.cn = "a";
	USAGE(NULL, p11c_dn_format(&f, NULL), p11c_dn_format, "out is NULL");
	f.cn = NULL;
	USAGE(NULL, p11c_dn_format(&f, &dn), p11c_dn_format, "f->cn is NULL");
	f.cn = "";
	USAGE(NULL, p11c_dn_format(&f, &dn), p11c_dn_format, "f->cn is empty");
	assert_null(dn);
	no_failures();
}

void test_args_p11c_cert_selfsign(void **state)
{
	p11c_db *db = *state;
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	NO_DB(p11c_cert_selfsign(NULL, "a", &o), p11c_cert_selfsign);
	USAGE(db, p11c_cert_selfsign(db, NULL, &o), p11c_cert_selfsign, "alias is NULL");
	USAGE(db, p11c_cert_selfsign(db, "", &o), p11c_cert_selfsign, "alias is empty");
	USAGE(db, p11c_cert_selfsign(db, "a", NULL), p11c_cert_selfsign, "opts is NULL");
	o.token = "";
	USAGE(db, p11c_cert_selfsign(db, "a", &o), p11c_cert_selfsign, "opts->token is empty");
	o.token = NULL;
	o.flags = 1u << 9;
	USAGE(db, p11c_cert_selfsign(db, "a", &o), p11c_cert_selfsign,
	      "opts->flags has unknown bits 0x200");
	o.flags = 0;
	o.size = 8;
	USAGE(db, p11c_cert_selfsign(db, "a", &o), p11c_cert_selfsign,
	      "opts->size is 8, less than");
	no_failures();
}

void test_args_p11c_request_create(void **state)
{
	p11c_db *db = *state;
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	unsigned char *req = NULL;
	size_t len = 0;
	const unsigned pem = P11C_REQUEST_PEM;
	NO_DB(p11c_request_create(NULL, "a", &o, pem, &req, &len), p11c_request_create);
	USAGE(db, p11c_request_create(db, "", &o, pem, &req, &len), p11c_request_create,
	      "alias is empty");
	USAGE(db, p11c_request_create(db, "a", NULL, pem, &req, &len), p11c_request_create,
	      "opts is NULL");
	USAGE(db, p11c_request_create(db, "a", &o, pem, NULL, &len), p11c_request_create,
	      "out is NULL");
	USAGE(db, p11c_request_create(db, "a", &o, pem, &req, NULL), p11c_request_create,
	      "out_len is NULL");
	USAGE(db, p11c_request_create(db, "a", &o, 1u << 3, &req, &len), p11c_request_create,
	      "flags has unknown bits 0x8");
	o.token = "";
	USAGE(db, p11c_request_create(db, "a", &o, pem, &req, &len), p11c_request_create,
	      "opts->token is empty");
	o.token = NULL;
	o.size = 0;
	USAGE(db, p11c_request_create(db, "a", &o, pem, &req, &len), p11c_request_create,
	      "opts->size is 0, less than");
	no_failures();
}

void test_args_p11c_request_write(void **state)
{
	p11c_db *db = *state;
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	const unsigned pem = P11C_REQUEST_PEM;
	NO_DB(p11c_request_write(NULL, "a", &o, pem, "r.csr"), p11c_request_write);
	USAGE(db, p11c_request_write(db, "", &o, pem, "r.csr"), p11c_request_write,
	      "alias is empty");
	USAGE(db, p11c_request_write(db, "a", NULL, pem, "r.csr"), p11c_request_write,
	      "opts is NULL");
	USAGE(db, p11c_request_write(db, "a", &o, pem, NULL), p11c_request_write, "path is NULL");
	USAGE(db, p11c_request_write(db, "a", &o, pem, ""), p11c_request_write, "path is empty");
	USAGE(db, p11c_request_write(db, "a", &o, 6, "r.csr"), p11c_request_write,
	      "flags has unknown bits 0x6");
	no_failures();
}

void test_args_p11c_cert_add(void **state)
{
	p11c_db *db = *state;
	p11c_add_opts o = P11C_ADD_OPTS_INIT;
	char *as = (char *)"untouched";
	NO_DB(p11c_cert_add(NULL, "a", "c.pem", &o, &as), p11c_cert_add);
	USAGE(db, p11c_cert_add(db, NULL, "c.pem", &o, &as), p11c_cert_add, "alias is NULL");
	USAGE(db, p11c_cert_add(db, "", "c.pem", &o, &as), p11c_cert_add, "alias is empty");
	USAGE(db, p11c_cert_add(db, "a", NULL, &o, &as), p11c_cert_add, "path is NULL");
	USAGE(db, p11c_cert_add(db, "a", "", NULL, NULL), p11c_cert_add, "path is empty");
	o.trust = "";
	USAGE(db, p11c_cert_add(db, "a", "c.pem", &o, &as), p11c_cert_add, "opts->trust is empty");
	o.trust = NULL;
	o.flags = 2;
	USAGE(db, p11c_cert_add(db, "a", "c.pem", &o, &as), p11c_cert_add,
	      "opts->flags has unknown bits 0x2");
	o.flags = 0;
	o.size = 1;
	USAGE(db, p11c_cert_add(db, "a", "c.pem", &o, &as), p11c_cert_add,
	      "opts->size is 1, less than");
	assert_null(as);
	no_failures();
}

void test_args_p11c_cert_add_chain(void **state)
{
	p11c_db *db = *state;
	p11c_add_opts o = P11C_ADD_OPTS_INIT;
	p11c_add_report *r = (p11c_add_report *)&r; /* not NULL */
	NO_DB(p11c_cert_add_chain(NULL, "a", "c.pem", &o, &r), p11c_cert_add_chain);
	USAGE(db, p11c_cert_add_chain(db, "a", "c.pem", &o, NULL), p11c_cert_add_chain,
	      "out is NULL");
	USAGE(db, p11c_cert_add_chain(db, NULL, "c.pem", &o, &r), p11c_cert_add_chain,
	      "alias is NULL");
	USAGE(db, p11c_cert_add_chain(db, "a", "", NULL, &r), p11c_cert_add_chain, "path is empty");
	o.trust = "";
	USAGE(db, p11c_cert_add_chain(db, "a", "c.pem", &o, &r), p11c_cert_add_chain,
	      "opts->trust is empty");
	o.trust = NULL;
	o.flags = 4;
	USAGE(db, p11c_cert_add_chain(db, "a", "c.pem", &o, &r), p11c_cert_add_chain,
	      "opts->flags has unknown bits 0x4");
	o.flags = 0;
	o.size = 2;
	USAGE(db, p11c_cert_add_chain(db, "a", "c.pem", &o, &r), p11c_cert_add_chain,
	      "opts->size is 2, less than");
	assert_null(r);
	no_failures();
}

void test_args_p11c_add_report_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_add_report_count(NULL), 0);
}

void test_args_p11c_add_report_cert(void **state)
{
	(void)state;
	assert_null(p11c_add_report_cert(NULL, 0));
}

void test_args_p11c_add_report_state(void **state)
{
	(void)state;
	assert_int_equal(p11c_add_report_state(NULL, 0), P11C_ADDED_PRESENT);
}

void test_args_p11c_add_report_free(void **state)
{
	(void)state;
	p11c_add_report_free(NULL);
}

void test_args_p11c_cert_add_bundle(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_cert_add_bundle(NULL, "b.pem", NULL, NULL, NULL), p11c_cert_add_bundle);
	USAGE(db, p11c_cert_add_bundle(db, NULL, NULL, NULL, NULL), p11c_cert_add_bundle,
	      "path is NULL");
	USAGE(db, p11c_cert_add_bundle(db, "", NULL, NULL, NULL), p11c_cert_add_bundle,
	      "path is empty");
	USAGE(db, p11c_cert_add_bundle(db, "b.pem", "", NULL, NULL), p11c_cert_add_bundle,
	      "trust_text is empty");
	no_failures();
}

void test_args_p11c_cert_renew(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_cert_renew(NULL, "a", "c.pem"), p11c_cert_renew);
	USAGE(db, p11c_cert_renew(db, NULL, "c.pem"), p11c_cert_renew, "alias is NULL");
	USAGE(db, p11c_cert_renew(db, "", "c.pem"), p11c_cert_renew, "alias is empty");
	USAGE(db, p11c_cert_renew(db, "a", NULL), p11c_cert_renew, "path is NULL");
	USAGE(db, p11c_cert_renew(db, "a", ""), p11c_cert_renew, "path is empty");
	no_failures();
}

void test_args_p11c_cert_renew_selfsign(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_cert_renew_selfsign(NULL, "a", 90, 0), p11c_cert_renew_selfsign);
	USAGE(db, p11c_cert_renew_selfsign(db, NULL, 90, 0), p11c_cert_renew_selfsign,
	      "alias is NULL");
	USAGE(db, p11c_cert_renew_selfsign(db, "", 90, 0), p11c_cert_renew_selfsign,
	      "alias is empty");
	USAGE(db, p11c_cert_renew_selfsign(db, "a", 90, 2), p11c_cert_renew_selfsign,
	      "flags has unknown bits 0x2");
	no_failures();
}

void test_args_p11c_cert_remove(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_cert_remove(NULL, "a", 0), p11c_cert_remove);
	USAGE(db, p11c_cert_remove(db, NULL, 0), p11c_cert_remove, "alias is NULL");
	USAGE(db, p11c_cert_remove(db, "", 0), p11c_cert_remove, "alias is empty");
	USAGE(db, p11c_cert_remove(db, "a", 4), p11c_cert_remove, "flags has unknown bits 0x4");
	no_failures();
}

void test_args_p11c_cert_list(void **state)
{
	p11c_db *db = *state;
	p11c_list_opts o = P11C_LIST_OPTS_INIT;
	p11c_cert_listing *l = (p11c_cert_listing *)&o;
	NO_DB(p11c_cert_list(NULL, &o, &l), p11c_cert_list);
	assert_null(l); /* cleared even without a handle */
	USAGE(db, p11c_cert_list(db, &o, NULL), p11c_cert_list, "out is NULL");
	o.which = (p11c_list_kind)7;
	USAGE(db, p11c_cert_list(db, &o, &l), p11c_cert_list, "opts->which is 7, not from 0 to 2");
	o.which = (p11c_list_kind)3;
	USAGE(db, p11c_cert_list(db, &o, &l), p11c_cert_list, "opts->which is 3, not from 0 to 2");
	o.which = P11C_LIST_KEYS;
	o.token = "";
	USAGE(db, p11c_cert_list(db, &o, &l), p11c_cert_list, "opts->token is empty");
	o.token = NULL;
	o.size = 0;
	USAGE(db, p11c_cert_list(db, &o, &l), p11c_cert_list, "opts->size is 0, less than");
	no_failures();
}

void test_args_p11c_cert_listing_free(void **state)
{
	(void)state;
	p11c_cert_listing_free(NULL);
}

void test_args_p11c_cert_show(void **state)
{
	p11c_db *db = *state;
	p11c_cert *info = NULL;
	NO_DB(p11c_cert_show(NULL, "a", &info), p11c_cert_show);
	USAGE(db, p11c_cert_show(db, NULL, &info), p11c_cert_show, "alias is NULL");
	USAGE(db, p11c_cert_show(db, "", &info), p11c_cert_show, "alias is empty");
	USAGE(db, p11c_cert_show(db, "a", NULL), p11c_cert_show, "out is NULL");
	no_failures();
}

void test_args_p11c_cert_free(void **state)
{
	(void)state;
	p11c_cert_free(NULL);
}

void test_args_p11c_trust_parse(void **state)
{
	(void)state;
	char *t = NULL;
	USAGE(NULL, p11c_trust_parse(NULL, &t), p11c_trust_parse, "text is NULL");
	USAGE(NULL, p11c_trust_parse("", &t), p11c_trust_parse, "text is empty");
	USAGE(NULL, p11c_trust_parse("CT,,", NULL), p11c_trust_parse, "nss_form is NULL");
	no_failures();
}

void test_args_p11c_request_sign(void **state)
{
	p11c_db *db = *state;
	char *pem = NULL;
	p11c_sign_opts o = P11C_SIGN_OPTS_INIT;
	NO_DB(p11c_request_sign(NULL, "ca", "r.csr", NULL, &pem), p11c_request_sign);
	USAGE(db, p11c_request_sign(db, NULL, "r.csr", NULL, &pem), p11c_request_sign,
	      "ca_alias is NULL");
	USAGE(db, p11c_request_sign(db, "", "r.csr", NULL, &pem), p11c_request_sign,
	      "ca_alias is empty");
	USAGE(db, p11c_request_sign(db, "ca", NULL, NULL, &pem), p11c_request_sign, "path is NULL");
	USAGE(db, p11c_request_sign(db, "ca", "", NULL, &pem), p11c_request_sign, "path is empty");
	USAGE(db, p11c_request_sign(db, "ca", "r.csr", NULL, NULL), p11c_request_sign,
	      "pem is NULL");
	o.flags = 4;
	USAGE(db, p11c_request_sign(db, "ca", "r.csr", &o, &pem), p11c_request_sign,
	      "opts->flags has unknown bits 0x4");
	o.flags = P11C_SIGN_SERVER_AUTH;
	o.size = 4;
	USAGE(db, p11c_request_sign(db, "ca", "r.csr", &o, &pem), p11c_request_sign,
	      "opts->size is 4, less than");
	no_failures();
}
