/* SPDX-License-Identifier: MPL-2.0 */
/* Untrusted strings: escaping for display, and the name checks made
 * before a subject is signed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <nss.h>

#include "nssint.h"

static void assert_shown(const char *in, size_t len, const char *want)
{
	char *got = p11c_safe_text(in, len);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_safe_text_plain_and_utf8_unchanged(void **state)
{
	(void)state;
	assert_shown("mail.example.com", 16, "mail.example.com");
	assert_shown("caf\xc3\xa9", 5, "caf\xc3\xa9");
	assert_shown("\xf0\x9f\x94\x92", 4, "\xf0\x9f\x94\x92");
}

static void test_safe_text_controls_escaped(void **state)
{
	(void)state;
	assert_shown("good.example.com\0.evil.com", 26, "good.example.com\\x00.evil.com");
	assert_shown("a\nb\r\x1b[31m\x7f", 10, "a\\x0ab\\x0d\\x1b[31m\\x7f");
	assert_shown("\xc2\x9b", 2, "\\xc2\\x9b"); /* C1 CSI */
}

static void test_safe_text_invalid_utf8_escaped(void **state)
{
	(void)state;
	assert_shown("\xff", 1, "\\xff");
	assert_shown("\xc0\xaf", 2, "\\xc0\\xaf");          /* overlong '/' */
	assert_shown("\xed\xa0\x80", 3, "\\xed\\xa0\\x80"); /* a surrogate */
	assert_shown("ab\xe2\x82", 4, "ab\\xe2\\x82");      /* cut short */
}

static int name_rc(const char *dn)
{
	p11c_db *db = NULL;
	assert_int_equal(p11c_db_new(&db), P11C_OK);
	CERTName *name = CERT_AsciiToName(dn);
	int rc = name ? p11c_name_check(db, P11C_EUSAGE, "the subject", name) : 99;
	if (name)
		CERT_DestroyName(name);
	p11c_db_free(db);
	return rc;
}

static void test_name_check_accepts_ordinary_names(void **state)
{
	(void)state;
	assert_int_equal(name_rc("CN=mail.example.com,O=Example,C=GB"), P11C_OK);
	assert_int_equal(name_rc("CN=caf\xc3\xa9.example.com,DC=example,DC=com"), P11C_OK);
	assert_int_equal(name_rc("2.5.4.3=#0c0461626364"), P11C_OK);
}

static void test_name_check_refuses_bad_strings(void **state)
{
	(void)state;
	assert_int_equal(name_rc("2.5.4.3=viaoid"), P11C_EUSAGE);
	assert_int_equal(name_rc("CN=\\ff"), P11C_EUSAGE);
	assert_int_equal(name_rc("CN=a\\0Ab"), P11C_EUSAGE);
	assert_int_equal(name_rc("2.5.4.3=#1303612a62"), P11C_EUSAGE); /* '*' in PrintableString */
}

static void test_name_check_counts_attributes(void **state)
{
	(void)state;
	char dn[64 * 8 + 64] = "CN=a";
	for (int i = 1; i < P11C_MAX_NAME_ATTRS; i++)
		strcat(dn, "+O=b");
	assert_int_equal(name_rc(dn), P11C_OK);
	strcat(dn, "+O=c");
	assert_int_equal(name_rc(dn), P11C_EUSAGE);
}

static int setup(void **state)
{
	(void)state;
	return NSS_NoDB_Init(NULL) == SECSuccess ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return NSS_Shutdown() == SECSuccess ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_safe_text_plain_and_utf8_unchanged),
	    cmocka_unit_test(test_safe_text_controls_escaped),
	    cmocka_unit_test(test_safe_text_invalid_utf8_escaped),
	    cmocka_unit_test(test_name_check_accepts_ordinary_names),
	    cmocka_unit_test(test_name_check_refuses_bad_strings),
	    cmocka_unit_test(test_name_check_counts_attributes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
