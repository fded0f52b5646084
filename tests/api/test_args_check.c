/* SPDX-License-Identifier: MPL-2.0 */
/* The 'args' test's part for check.h: check's report and findings: each function
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

void test_args_p11c_db_check(void **state)
{
	p11c_db *db = *state;
	p11c_check_opts o = P11C_CHECK_OPTS_INIT;
	p11c_check_report *r = (p11c_check_report *)&r; /* not NULL */
	NO_DB(p11c_db_check(NULL, &o, &r), p11c_db_check);
	assert_null(r);
	USAGE(db, p11c_db_check(db, &o, NULL), p11c_db_check, "out is NULL");
	o.password_file = "";
	USAGE(db, p11c_db_check(db, &o, &r), p11c_db_check, "opts->password_file is empty");
	o.password_file = NULL;
	o.size = 0;
	USAGE(db, p11c_db_check(db, &o, &r), p11c_db_check, "opts->size is 0");
	o.size = sizeof(o);
	o.days = -1;
	USAGE(db, p11c_db_check(db, &o, &r), p11c_db_check,
	      "opts->days is -1, not from 0 to 36500");
	o.days = 36501;
	USAGE(db, p11c_db_check(db, &o, &r), p11c_db_check, "opts->days is 36501");
	no_failures();
}

/* A report's and a finding's accessors take NULL: NULL, 0, _OK, _NONE. */
void test_args_p11c_check_report_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_check_report_count(NULL), 0);
}

void test_args_p11c_check_report_get(void **state)
{
	(void)state;
	assert_null(p11c_check_report_get(NULL, 0));
}

void test_args_p11c_check_report_severity(void **state)
{
	(void)state;
	assert_int_equal(p11c_check_report_severity(NULL), P11C_SEVERITY_OK);
}

void test_args_p11c_check_report_free(void **state)
{
	(void)state;
	p11c_check_report_free(NULL);
}

void test_args_p11c_finding_alias(void **state)
{
	(void)state;
	assert_null(p11c_finding_alias(NULL));
}

void test_args_p11c_finding_severity(void **state)
{
	(void)state;
	assert_int_equal(p11c_finding_severity(NULL), P11C_SEVERITY_OK);
}

void test_args_p11c_finding_code(void **state)
{
	(void)state;
	assert_int_equal(p11c_finding_code(NULL), P11C_FINDING_NONE);
}

void test_args_p11c_finding_message(void **state)
{
	(void)state;
	assert_null(p11c_finding_message(NULL));
}

void test_args_p11c_severity_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_severity_name(P11C_SEVERITY_OK), "ok");
	assert_string_equal(p11c_severity_name(P11C_SEVERITY_WARNING), "warning");
	assert_string_equal(p11c_severity_name(P11C_SEVERITY_PROBLEM), "problem");
	assert_string_equal(p11c_severity_name((p11c_severity)3), "unknown");
	assert_string_equal(p11c_severity_name((p11c_severity)-1), "unknown");
}

void test_args_p11c_finding_code_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_finding_code_name(P11C_FINDING_NONE), "none");
	assert_string_equal(p11c_finding_code_name(P11C_FINDING_EXPIRED), "expired");
	assert_string_equal(p11c_finding_code_name(P11C_FINDING_ORPHAN_KEY), "orphan-key");
	assert_string_equal(p11c_finding_code_name(P11C_FINDING_STALE_EXPORT), "stale-export");
	assert_string_equal(p11c_finding_code_name(P11C_FINDING_SDB_CACHE), "sdb-cache");
	assert_string_equal(p11c_finding_code_name(P11C_FINDING_ACME_DUE), "acme-due");
	assert_string_equal(p11c_finding_code_name(P11C_FINDING_ACME_FAILED), "acme-failed");
	assert_string_equal(p11c_finding_code_name(P11C_FINDING_REVOKED), "revoked");
	assert_string_equal(p11c_finding_code_name(P11C_FINDING_REVOCATION_UNKNOWN),
	                    "revocation-unknown");
	assert_string_equal(p11c_finding_code_name((enum p11c_finding_code)20), "unknown");
	assert_string_equal(p11c_finding_code_name((enum p11c_finding_code) - 1), "unknown");
}
