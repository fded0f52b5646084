/* SPDX-License-Identifier: MPL-2.0 */
/* The 'args' test's part for base.h: the handle, the last error, usages: each function
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

void test_args_p11c_db_new(void **state)
{
	(void)state;
	USAGE(NULL, p11c_db_new(NULL), p11c_db_new, "out is NULL");
	no_failures();
}

void test_args_p11c_db_free(void **state)
{
	(void)state;
	p11c_db_free(NULL); /* a no-op, as free(NULL) */
}

void test_args_p11c_last_error(void **state)
{
	p11c_db *db = *state;
	assert_string_equal(p11c_last_error(db), "");
	NO_DB(p11c_db_set_password_file(NULL, "x"), p11c_db_set_password_file);
	assert_true(*p11c_last_error(NULL));
	no_failures();
}

/* The accessors of the last error take NULL (no handle) and say so. */
void test_args_p11c_last_error_code(void **state)
{
	p11c_db *db = *state;
	assert_int_equal(p11c_last_error_code(NULL), P11C_ERR_USAGE);
	USAGE(db, p11c_db_set_password_file(db, NULL), p11c_db_set_password_file, "path is NULL");
	assert_int_equal(p11c_last_error_code(db), P11C_ERR_USAGE);
	no_failures();
}

void test_args_p11c_errc_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_errc_name(P11C_ERR_EXISTS), "exists");
	assert_string_equal(p11c_errc_name((p11c_errc)-1), "unknown");
	assert_string_equal(p11c_errc_name((p11c_errc)1000), "unknown");
}

void test_args_p11c_usage_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_usage_name(P11C_USAGE_TLS_SERVER), "server");
	assert_string_equal(p11c_usage_name(P11C_USAGE_EMAIL_CA), "email-ca");
	assert_string_equal(p11c_usage_name((p11c_usage)-1), "unknown");
	assert_string_equal(p11c_usage_name((p11c_usage)6), "unknown");
}

void test_args_p11c_usage_from_name(void **state)
{
	(void)state;
	p11c_usage u = P11C_USAGE_EMAIL;
	assert_int_equal(p11c_usage_from_name("client-ca", &u), P11C_OK);
	assert_int_equal(u, P11C_USAGE_TLS_CLIENT_CA);
	USAGE(NULL, p11c_usage_from_name(NULL, &u), p11c_usage_from_name, "name is NULL");
	USAGE(NULL, p11c_usage_from_name("", &u), p11c_usage_from_name, "name is empty");
	USAGE(NULL, p11c_usage_from_name("server", NULL), p11c_usage_from_name, "out is NULL");
	USAGE(NULL, p11c_usage_from_name("tls", &u), p11c_usage_from_name,
	      "no usage is named 'tls'");
	no_failures();
}

void test_args_p11c_last_error_nss(void **state)
{
	(void)state;
	assert_null(p11c_last_error_nss(NULL));
}

void test_args_p11c_last_error_ckr(void **state)
{
	(void)state;
	assert_int_equal(p11c_last_error_ckr(NULL), 0);
}

void test_args_p11c_last_error_field(void **state)
{
	(void)state;
	assert_null(p11c_last_error_field(NULL));
}

void test_args_p11c_db_set_log(void **state)
{
	(void)state;
	p11c_db_set_log(NULL, args_log_line, NULL);
}
