/* SPDX-License-Identifier: MPL-2.0 */
/* The 'args' test's part for chain.h: fetch-chain, verify-cert and the chain's accessors: each
 * function with NULL and bad arguments (argstest.h, test_args.c). */
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

void test_args_p11c_chain_fetch(void **state)
{
	p11c_db *db = *state;
	p11c_chain *c = (p11c_chain *)&c; /* not NULL */
	p11c_fetch_opts o = P11C_FETCH_OPTS_INIT;
	NO_DB(p11c_chain_fetch(NULL, "smtp://127.0.0.1", NULL, &c), p11c_chain_fetch);
	assert_null(c); /* out-parameters cleared, as on any failure */
	USAGE(db, p11c_chain_fetch(db, NULL, NULL, &c), p11c_chain_fetch, "url is NULL");
	USAGE(db, p11c_chain_fetch(db, "", NULL, &c), p11c_chain_fetch, "url is empty");
	USAGE(db, p11c_chain_fetch(db, "smtp://127.0.0.1", NULL, NULL), p11c_chain_fetch,
	      "out is NULL");
	o.size = 0;
	USAGE(db, p11c_chain_fetch(db, "smtp://127.0.0.1", &o, &c), p11c_chain_fetch,
	      "opts->size is 0");
	o.size = sizeof(o);
	o.flags = 0x2;
	USAGE(db, p11c_chain_fetch(db, "smtp://127.0.0.1", &o, &c), p11c_chain_fetch,
	      "opts->flags has unknown bits 0x2");
	o.flags = P11C_FETCH_CA_ISSUERS;
	o.timeout = -1;
	USAGE(db, p11c_chain_fetch(db, "smtp://127.0.0.1", &o, &c), p11c_chain_fetch,
	      "opts->timeout is -1, not from 0 to 3600");
	o.timeout = 3601;
	USAGE(db, p11c_chain_fetch(db, "smtp://127.0.0.1", &o, &c), p11c_chain_fetch,
	      "opts->timeout is 3601");
	no_failures();
}

void test_args_p11c_chain_add_trust(void **state)
{
	p11c_db *db = *state;
	size_t added = 0;
	NO_DB(p11c_chain_add_trust(NULL, NULL, &added), p11c_chain_add_trust);
	USAGE(db, p11c_chain_add_trust(db, NULL, &added), p11c_chain_add_trust, "c is NULL");
	no_failures();
}

void test_args_p11c_cert_verify(void **state)
{
	p11c_db *db = *state;
	p11c_chain *c = NULL;
	NO_DB(p11c_cert_verify(NULL, "a", P11C_USAGE_TLS_SERVER, 0, &c), p11c_cert_verify);
	USAGE(db, p11c_cert_verify(db, NULL, P11C_USAGE_TLS_SERVER, 0, &c), p11c_cert_verify,
	      "alias is NULL");
	USAGE(db, p11c_cert_verify(db, "", P11C_USAGE_TLS_SERVER, 0, &c), p11c_cert_verify,
	      "alias is empty");
	USAGE(db, p11c_cert_verify(db, "a", (p11c_usage)-1, 0, &c), p11c_cert_verify,
	      "usage is -1, not from 0 to 5");
	USAGE(db, p11c_cert_verify(db, "a", (p11c_usage)6, 0, &c), p11c_cert_verify,
	      "usage is 6, not from 0 to 5");
	USAGE(db, p11c_cert_verify(db, "a", P11C_USAGE_TLS_SERVER, 0, NULL), p11c_cert_verify,
	      "out is NULL");
	no_failures();
}

void test_args_p11c_chain_save(void **state)
{
	p11c_db *db = *state;
	const p11c_chain *c = (const p11c_chain *)&db; /* not NULL: refused before it is read */
	NO_DB(p11c_chain_save(NULL, c, "d"), p11c_chain_save);
	USAGE(db, p11c_chain_save(db, NULL, "d"), p11c_chain_save, "c is NULL");
	USAGE(db, p11c_chain_save(db, c, NULL), p11c_chain_save, "dir is NULL");
	USAGE(db, p11c_chain_save(db, c, ""), p11c_chain_save, "dir is empty");
	no_failures();
}

void test_args_p11c_chain_free(void **state)
{
	(void)state;
	p11c_chain_free(NULL);
}

/* A chain's and a problem's accessors take NULL: NULL, 0, -1 (a depth),
 * P11C_PROBLEM_NONE. */
void test_args_p11c_chain_url(void **state)
{
	(void)state;
	assert_null(p11c_chain_url(NULL));
}

void test_args_p11c_chain_scheme(void **state)
{
	(void)state;
	assert_null(p11c_chain_scheme(NULL));
}

void test_args_p11c_chain_host(void **state)
{
	(void)state;
	assert_null(p11c_chain_host(NULL));
}

void test_args_p11c_chain_port(void **state)
{
	(void)state;
	assert_int_equal(p11c_chain_port(NULL), 0);
}

void test_args_p11c_chain_tls_version(void **state)
{
	(void)state;
	assert_null(p11c_chain_tls_version(NULL));
}

void test_args_p11c_chain_cipher(void **state)
{
	(void)state;
	assert_null(p11c_chain_cipher(NULL));
}

void test_args_p11c_chain_trusted(void **state)
{
	(void)state;
	assert_int_equal(p11c_chain_trusted(NULL), 0);
}

void test_args_p11c_chain_cert_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_chain_cert_count(NULL), 0);
}

void test_args_p11c_chain_cert_get(void **state)
{
	(void)state;
	assert_null(p11c_chain_cert_get(NULL, 0));
}

void test_args_p11c_chain_link_flags(void **state)
{
	(void)state;
	assert_int_equal(p11c_chain_link_flags(NULL, 0), 0);
}

void test_args_p11c_chain_problem_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_chain_problem_count(NULL), 0);
}

void test_args_p11c_chain_problem_get(void **state)
{
	(void)state;
	assert_null(p11c_chain_problem_get(NULL, 0));
}

void test_args_p11c_chain_note_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_chain_note_count(NULL), 0);
}

void test_args_p11c_chain_note_get(void **state)
{
	(void)state;
	assert_null(p11c_chain_note_get(NULL, 0));
}

void test_args_p11c_problem_code(void **state)
{
	(void)state;
	assert_int_equal(p11c_problem_code(NULL), P11C_PROBLEM_NONE);
}

void test_args_p11c_problem_message(void **state)
{
	(void)state;
	assert_null(p11c_problem_message(NULL));
}

void test_args_p11c_problem_depth(void **state)
{
	(void)state;
	assert_int_equal(p11c_problem_depth(NULL), -1);
}

void test_args_p11c_problem_code_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_problem_code_name(P11C_PROBLEM_NONE), "none");
	assert_string_equal(p11c_problem_code_name(P11C_PROBLEM_UNKNOWN_ISSUER), "unknown-issuer");
	assert_string_equal(p11c_problem_code_name(P11C_PROBLEM_OTHER), "other");
	assert_string_equal(p11c_problem_code_name(P11C_PROBLEM_REVOCATION_UNKNOWN),
	                    "revocation-unknown");
	assert_string_equal(p11c_problem_code_name((enum p11c_problem_code)12), "unknown");
	assert_string_equal(p11c_problem_code_name((enum p11c_problem_code) - 1), "unknown");
}

void test_args_p11c_cert_verify_opts(void **state)
{
	p11c_db *db = *state;
	p11c_chain *c = NULL;
	p11c_verify_opts o = P11C_VERIFY_OPTS_INIT;
	NO_DB(p11c_cert_verify_opts(NULL, "a", P11C_USAGE_TLS_SERVER, &o, &c),
	      p11c_cert_verify_opts);
	USAGE(db, p11c_cert_verify_opts(db, NULL, P11C_USAGE_TLS_SERVER, &o, &c),
	      p11c_cert_verify_opts, "alias is NULL");
	USAGE(db, p11c_cert_verify_opts(db, "a", (p11c_usage)6, &o, &c), p11c_cert_verify_opts,
	      "usage is 6, not from 0 to 5");
	o.revocation = (p11c_revocation)4;
	USAGE(db, p11c_cert_verify_opts(db, "a", P11C_USAGE_TLS_SERVER, &o, &c),
	      p11c_cert_verify_opts, "opts->revocation is 4, not from 0 to 3");
	o.revocation = P11C_REVOCATION_OCSP;
	o.timeout = 3601;
	USAGE(db, p11c_cert_verify_opts(db, "a", P11C_USAGE_TLS_SERVER, &o, &c),
	      p11c_cert_verify_opts, "opts->timeout is 3601, not from 0 to 3600");
	o.timeout = 10;
	o.size = 1;
	USAGE(db, p11c_cert_verify_opts(db, "a", P11C_USAGE_TLS_SERVER, &o, &c),
	      p11c_cert_verify_opts, "opts->size is 1");
	o.size = sizeof(o);
	USAGE(db, p11c_cert_verify_opts(db, "a", P11C_USAGE_TLS_SERVER, &o, NULL),
	      p11c_cert_verify_opts, "out is NULL");
	no_failures();
}

void test_args_p11c_rev_status_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_rev_status_name(P11C_REV_REVOKED), "revoked");
	assert_string_equal(p11c_rev_status_name((p11c_rev_status)9), "invalid");
}

#define REV_NULL(f, none)                                                                          \
	void test_args_p11c_chain_rev_##f(void **state)                                            \
	{                                                                                          \
		(void)state;                                                                       \
		assert_true(p11c_chain_rev_##f(NULL, 0) == (none));                                \
	}
REV_NULL(status, P11C_REV_NOT_CHECKED)
REV_NULL(source, NULL)
REV_NULL(method, NULL)
REV_NULL(cached, 0)
REV_NULL(this_update, 0)
REV_NULL(next_update, 0)
REV_NULL(revoked_at, 0)
REV_NULL(reason, NULL)
REV_NULL(error, NULL)
