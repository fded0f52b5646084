/* SPDX-License-Identifier: MPL-2.0 */
/* The 'args' test's part for acme.h: the account, issuing, renewing,
 * revoking, the listing and the challenge accessors, each with NULL and
 * bad arguments (argstest.h, test_args.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "argstest.h"

void test_args_p11c_acme_register(void **state)
{
	p11c_db *db = *state;
	p11c_acme_opts a = P11C_ACME_OPTS_INIT;
	p11c_acme_register_opts o = P11C_ACME_REGISTER_OPTS_INIT;
	char *url = (char *)&url; /* not NULL */
	NO_DB(p11c_acme_register(NULL, &a, &o, &url), p11c_acme_register);
	a.size = 0;
	USAGE(db, p11c_acme_register(db, &a, &o, &url), p11c_acme_register, "acme->size is 0");
	assert_null(url);
	a.size = sizeof(a);
	a.timeout = 3601;
	USAGE(db, p11c_acme_register(db, &a, &o, &url), p11c_acme_register,
	      "acme->timeout is 3601");
	a.timeout = 0;
	a.wait = -1;
	USAGE(db, p11c_acme_register(db, &a, &o, &url), p11c_acme_register, "acme->wait is -1");
	a.wait = 0;
	a.server = "";
	USAGE(db, p11c_acme_register(db, &a, &o, &url), p11c_acme_register,
	      "acme->server is empty");
	a.server = NULL;
	o.size = 0;
	USAGE(db, p11c_acme_register(db, &a, &o, &url), p11c_acme_register, "opts->size is 0");
	o.size = sizeof(o);
	o.email = "";
	USAGE(db, p11c_acme_register(db, &a, &o, &url), p11c_acme_register, "opts->email is empty");
	o.email = NULL;
	o.agree_tos = 2;
	USAGE(db, p11c_acme_register(db, &a, &o, &url), p11c_acme_register, "opts->agree_tos is 2");
	o.agree_tos = 0;
	o.eab_kid = "kid-1";
	USAGE(db, p11c_acme_register(db, &a, &o, &url), p11c_acme_register, "eab_hmac");
	no_failures();
}

void test_args_p11c_acme_method_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_acme_method_name((p11c_acme_method)42), "unknown");
	assert_string_equal(p11c_acme_method_name(P11C_ACME_DNS_HOOK), "dns-hook");
}

void test_args_p11c_acme_challenge_type(void **state)
{
	(void)state;
	assert_null(p11c_acme_challenge_type(NULL));
}

void test_args_p11c_acme_challenge_domain(void **state)
{
	(void)state;
	assert_null(p11c_acme_challenge_domain(NULL));
}

void test_args_p11c_acme_challenge_token(void **state)
{
	(void)state;
	assert_null(p11c_acme_challenge_token(NULL));
}

void test_args_p11c_acme_challenge_key_auth(void **state)
{
	(void)state;
	assert_null(p11c_acme_challenge_key_auth(NULL));
}

void test_args_p11c_acme_challenge_dns_name(void **state)
{
	(void)state;
	assert_null(p11c_acme_challenge_dns_name(NULL));
}

void test_args_p11c_acme_challenge_dns_value(void **state)
{
	(void)state;
	assert_null(p11c_acme_challenge_dns_value(NULL));
}

/* The checks issue and renew share on their options. */
static void issue_opts_checks(p11c_db *db, int renew)
{
	p11c_acme_issue_opts o = P11C_ACME_ISSUE_OPTS_INIT;
	o.name = "mail.test";
#define CALL(opts)                                                                                 \
	(renew ? p11c_acme_renew(db, NULL, "mail", (opts))                                         \
	       : p11c_acme_issue(db, NULL, "mail", (opts)))
	o.size = 1;
	USAGE(db, CALL(&o), p11c_acme_, "opts->size is 1");
	o.size = sizeof(o);
	o.method = (p11c_acme_method)4;
	USAGE(db, CALL(&o), p11c_acme_, "opts->method is 4");
	o.method = P11C_ACME_HTTP01_PORT;
	o.http01_port = 65536;
	USAGE(db, CALL(&o), p11c_acme_, "opts->http01_port is 65536");
	o.http01_port = 0;
	o.flags = 1u << 7;
	USAGE(db, CALL(&o), p11c_acme_, "opts->flags");
	o.flags = 0;
	o.key_type = "";
	USAGE(db, CALL(&o), p11c_acme_, "opts->key_type is empty");
#undef CALL
}

void test_args_p11c_acme_issue(void **state)
{
	p11c_db *db = *state;
	p11c_acme_issue_opts o = P11C_ACME_ISSUE_OPTS_INIT;
	o.name = "mail.test";
	NO_DB(p11c_acme_issue(NULL, NULL, "mail", &o), p11c_acme_issue);
	USAGE(db, p11c_acme_issue(db, NULL, NULL, &o), p11c_acme_issue, "alias is NULL");
	USAGE(db, p11c_acme_issue(db, NULL, "", &o), p11c_acme_issue, "alias is empty");
	USAGE(db, p11c_acme_issue(db, NULL, "mail", NULL), p11c_acme_issue, "opts is NULL");
	o.name = NULL;
	USAGE(db, p11c_acme_issue(db, NULL, "mail", &o), p11c_acme_issue, "opts->name is NULL");
	o.name = "";
	USAGE(db, p11c_acme_issue(db, NULL, "mail", &o), p11c_acme_issue, "opts->name is empty");
	issue_opts_checks(db, 0);
	no_failures();
}

void test_args_p11c_acme_renew(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_acme_renew(NULL, NULL, "mail", NULL), p11c_acme_renew);
	USAGE(db, p11c_acme_renew(db, NULL, NULL, NULL), p11c_acme_renew, "alias is NULL");
	issue_opts_checks(db, 1);
	/* NULL options: as recorded (the closed handle is what is refused). */
	CLOSED(p11c_acme_renew(db, NULL, "mail", NULL));
	no_failures();
}

void test_args_p11c_revoke_reason_parse(void **state)
{
	p11c_db *db = *state;
	p11c_revoke_reason r = P11C_REVOKE_SUPERSEDED;
	USAGE(db, p11c_revoke_reason_parse(db, NULL, &r), p11c_revoke_reason_parse, "text is NULL");
	USAGE(db, p11c_revoke_reason_parse(db, "key-compromise", NULL), p11c_revoke_reason_parse,
	      "out is NULL");
	USAGE(db, p11c_revoke_reason_parse(db, "stolen", &r), p11c_revoke_reason_parse, "'stolen'");
	USAGE(NULL, p11c_revoke_reason_parse(NULL, "", &r), p11c_revoke_reason_parse,
	      "text is empty");
	no_failures();
	assert_int_equal(p11c_revoke_reason_parse(db, "superseded", &r), P11C_OK);
	assert_int_equal(r, P11C_REVOKE_SUPERSEDED);
}

void test_args_p11c_revoke_reason_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_revoke_reason_name((p11c_revoke_reason)2), "unknown");
	assert_string_equal(p11c_revoke_reason_name(P11C_REVOKE_CESSATION_OF_OPERATION),
	                    "cessation-of-operation");
}

void test_args_p11c_acme_revoke(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_acme_revoke(NULL, NULL, "mail", P11C_REVOKE_UNSPECIFIED), p11c_acme_revoke);
	USAGE(db, p11c_acme_revoke(db, NULL, "", P11C_REVOKE_UNSPECIFIED), p11c_acme_revoke,
	      "alias is empty");
	USAGE(db, p11c_acme_revoke(db, NULL, "mail", (p11c_revoke_reason)6), p11c_acme_revoke,
	      "reason is 6");
	USAGE(db, p11c_acme_revoke(db, NULL, "mail", (p11c_revoke_reason)2), p11c_acme_revoke,
	      "cACompromise");
	CLOSED(p11c_acme_revoke(db, NULL, "mail", P11C_REVOKE_KEY_COMPROMISE));
	no_failures();
}

void test_args_p11c_acme_list(void **state)
{
	p11c_db *db = *state;
	p11c_acme_listing *l = (p11c_acme_listing *)&l;
	NO_DB(p11c_acme_list(NULL, &l), p11c_acme_list);
	USAGE(db, p11c_acme_list(db, NULL), p11c_acme_list, "out is NULL");
	CLOSED(p11c_acme_list(db, &l));
	assert_null(l);
	no_failures();
}

/* The listing's and a certificate's accessors take NULL: NULL, 0. */
void test_args_p11c_acme_listing_server(void **state)
{
	(void)state;
	assert_null(p11c_acme_listing_server(NULL));
}

void test_args_p11c_acme_listing_account(void **state)
{
	(void)state;
	assert_null(p11c_acme_listing_account(NULL));
}

void test_args_p11c_acme_listing_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_acme_listing_count(NULL), 0);
}

void test_args_p11c_acme_listing_get(void **state)
{
	(void)state;
	assert_null(p11c_acme_listing_get(NULL, 0));
}

void test_args_p11c_acme_cert_alias(void **state)
{
	(void)state;
	assert_null(p11c_acme_cert_alias(NULL));
}

void test_args_p11c_acme_cert_not_after(void **state)
{
	(void)state;
	assert_int_equal(p11c_acme_cert_not_after(NULL), 0);
}

void test_args_p11c_acme_cert_renew_at(void **state)
{
	(void)state;
	assert_int_equal(p11c_acme_cert_renew_at(NULL), 0);
}

void test_args_p11c_acme_cert_failure(void **state)
{
	(void)state;
	assert_null(p11c_acme_cert_failure(NULL));
}

void test_args_p11c_acme_cert_failure_time(void **state)
{
	(void)state;
	assert_int_equal(p11c_acme_cert_failure_time(NULL), 0);
}

void test_args_p11c_acme_cert_revoked(void **state)
{
	(void)state;
	assert_int_equal(p11c_acme_cert_revoked(NULL), 0);
}

void test_args_p11c_acme_cert_method(void **state)
{
	(void)state;
	assert_int_equal(p11c_acme_cert_method(NULL), P11C_ACME_HTTP01_PORT);
}

void test_args_p11c_acme_listing_free(void **state)
{
	(void)state;
	p11c_acme_listing_free(NULL);
}
