/* SPDX-License-Identifier: MPL-2.0 */
/* The sslpassword.conf parser and its lookup rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

static const char *const known_tokens[] = {"mail-hsm", "backup-hsm", NULL};

static p11c_pwfile *parse_ok(const char *text)
{
	char err[256] = "";
	p11c_pwfile *f = p11c_pwfile_parse(text, strlen(text), err, sizeof(err));
	if (!f)
		fail_msg("unexpected parse failure: %s", err);
	return f;
}

/* The internal token's password, as db.c asks for it. */
static const char *internal_pw(const p11c_pwfile *f)
{
	return p11c_pwfile_lookup(f, P11C_NSS_INTERNAL_NAME, 1, known_tokens);
}

static void test_pwfile_token_line_gives_token_pin(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("mail-hsm:1234\n");
	const char *pw = p11c_pwfile_lookup(f, "mail-hsm", 0, known_tokens);
	assert_non_null(pw);
	assert_string_equal(pw, "1234");
	p11c_pwfile_free(f);
}

static void test_pwfile_token_line_without_final_newline(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("mail-hsm:1234");
	const char *pw = p11c_pwfile_lookup(f, "mail-hsm", 0, known_tokens);
	assert_non_null(pw);
	assert_string_equal(pw, "1234");
	p11c_pwfile_free(f);
}

static void test_pwfile_internal_software_token_name_is_internal(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok(P11C_INTERNAL_NAME ":secret\n");
	const char *pw = internal_pw(f);
	assert_non_null(pw);
	assert_string_equal(pw, "secret");
	pw = p11c_pwfile_lookup(f, NULL, 1, known_tokens);
	assert_non_null(pw);
	assert_string_equal(pw, "secret");
	p11c_pwfile_free(f);
}

static void test_pwfile_nss_certificate_db_name_is_internal(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok(P11C_NSS_INTERNAL_NAME ":secret\n");
	const char *pw = p11c_pwfile_lookup(f, NULL, 1, known_tokens);
	assert_non_null(pw);
	assert_string_equal(pw, "secret");
	pw = p11c_pwfile_lookup(f, P11C_INTERNAL_NAME, 1, known_tokens);
	assert_non_null(pw);
	assert_string_equal(pw, "secret");
	p11c_pwfile_free(f);
}

static void test_pwfile_internal_name_is_not_an_external_pin(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok(P11C_INTERNAL_NAME ":secret\n");
	assert_null(p11c_pwfile_lookup(f, "mail-hsm", 0, known_tokens));
	p11c_pwfile_free(f);
}

static void test_pwfile_bare_line_is_internal_password(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("justapassword\n");
	const char *pw = internal_pw(f);
	assert_non_null(pw);
	assert_string_equal(pw, "justapassword");
	p11c_pwfile_free(f);
}

static void test_pwfile_bare_line_is_not_an_external_pin(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("justapassword\n");
	assert_null(p11c_pwfile_lookup(f, "mail-hsm", 0, known_tokens));
	p11c_pwfile_free(f);
}

static void test_pwfile_unknown_prefix_is_whole_internal_password(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("x:y\n");
	const char *pw = internal_pw(f);
	assert_non_null(pw);
	assert_string_equal(pw, "x:y");
	p11c_pwfile_free(f);
}

static void test_pwfile_unknown_prefix_with_no_known_list(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("x:y\n");
	const char *pw = p11c_pwfile_lookup(f, NULL, 1, NULL);
	assert_non_null(pw);
	assert_string_equal(pw, "x:y");
	p11c_pwfile_free(f);
}

static void test_pwfile_known_prefix_is_token_pin(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("backup-hsm:y\n");
	const char *pw = p11c_pwfile_lookup(f, "backup-hsm", 0, known_tokens);
	assert_non_null(pw);
	assert_string_equal(pw, "y");
	p11c_pwfile_free(f);
}

static void test_pwfile_known_prefix_is_not_internal_password(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("backup-hsm:y\n");
	assert_null(internal_pw(f));
	p11c_pwfile_free(f);
}

static void test_pwfile_pin_keeps_colons_after_prefix(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("mail-hsm:a:b\n");
	const char *pw = p11c_pwfile_lookup(f, "mail-hsm", 0, known_tokens);
	assert_non_null(pw);
	assert_string_equal(pw, "a:b");
	p11c_pwfile_free(f);
}

static void test_pwfile_internal_password_keeps_colons(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok(P11C_INTERNAL_NAME ":a:b:c\n");
	const char *pw = internal_pw(f);
	assert_non_null(pw);
	assert_string_equal(pw, "a:b:c");
	p11c_pwfile_free(f);
}

static void test_pwfile_comment_lines_ignored(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("# a comment\n#mail-hsm:wrong\nmail-hsm:right\n");
	const char *pw = p11c_pwfile_lookup(f, "mail-hsm", 0, known_tokens);
	assert_non_null(pw);
	assert_string_equal(pw, "right");
	p11c_pwfile_free(f);
}

static void test_pwfile_comment_is_not_internal_password(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("# not a password\n");
	assert_null(internal_pw(f));
	p11c_pwfile_free(f);
}

static void test_pwfile_blank_lines_ignored(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("\n\n\r\nsecret\n\n");
	const char *pw = internal_pw(f);
	assert_non_null(pw);
	assert_string_equal(pw, "secret");
	p11c_pwfile_free(f);
}

static void test_pwfile_crlf_stripped_from_pin(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("mail-hsm:1234\r\nbackup-hsm:5678\r\n");
	const char *pw = p11c_pwfile_lookup(f, "mail-hsm", 0, known_tokens);
	assert_non_null(pw);
	assert_string_equal(pw, "1234");
	pw = p11c_pwfile_lookup(f, "backup-hsm", 0, known_tokens);
	assert_non_null(pw);
	assert_string_equal(pw, "5678");
	p11c_pwfile_free(f);
}

static void test_pwfile_crlf_stripped_from_bare_line(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("secret\r\n");
	const char *pw = internal_pw(f);
	assert_non_null(pw);
	assert_string_equal(pw, "secret");
	p11c_pwfile_free(f);
}

static void test_pwfile_first_token_line_wins(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("mail-hsm:first\nmail-hsm:second\n");
	const char *pw = p11c_pwfile_lookup(f, "mail-hsm", 0, known_tokens);
	assert_non_null(pw);
	assert_string_equal(pw, "first");
	p11c_pwfile_free(f);
}

static void test_pwfile_first_internal_line_wins(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok(P11C_NSS_INTERNAL_NAME ":first\n" P11C_INTERNAL_NAME ":second\n");
	const char *pw = internal_pw(f);
	assert_non_null(pw);
	assert_string_equal(pw, "first");
	p11c_pwfile_free(f);
}

static void test_pwfile_first_bare_line_wins(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("first\nsecond\n");
	const char *pw = internal_pw(f);
	assert_non_null(pw);
	assert_string_equal(pw, "first");
	p11c_pwfile_free(f);
}

static void test_pwfile_nul_byte_refused(void **state)
{
	(void)state;
	static const char text[] = "mail-hsm:12\0"
	                           "34\n";
	char err[256] = "";
	p11c_pwfile *f = p11c_pwfile_parse(text, sizeof(text) - 1, err, sizeof(err));
	assert_null(f);
	assert_non_null(strstr(err, "NUL"));
}

static void test_pwfile_long_line_refused(void **state)
{
	(void)state;
	char text[P11C_PW_MAX + 3];
	char err[256] = "";
	memset(text, 'a', P11C_PW_MAX + 1);
	text[P11C_PW_MAX + 1] = '\n';
	text[P11C_PW_MAX + 2] = '\0';
	p11c_pwfile *f = p11c_pwfile_parse(text, strlen(text), err, sizeof(err));
	assert_null(f);
	assert_non_null(strstr(err, "1024"));
}

static void test_pwfile_long_line_message_names_line(void **state)
{
	(void)state;
	char text[P11C_PW_MAX + 16];
	char err[256] = "";
	strcpy(text, "# c\nok\n");
	size_t n = strlen(text);
	memset(text + n, 'a', P11C_PW_MAX + 1);
	text[n + P11C_PW_MAX + 1] = '\0';
	p11c_pwfile *f = p11c_pwfile_parse(text, strlen(text), err, sizeof(err));
	assert_null(f);
	assert_non_null(strstr(err, "line 3"));
}

static void test_pwfile_line_of_max_length_accepted(void **state)
{
	(void)state;
	char text[P11C_PW_MAX + 3];
	memset(text, 'a', P11C_PW_MAX);
	text[P11C_PW_MAX] = '\r';
	text[P11C_PW_MAX + 1] = '\n';
	text[P11C_PW_MAX + 2] = '\0';
	p11c_pwfile *f = parse_ok(text);
	const char *pw = internal_pw(f);
	assert_non_null(pw);
	assert_int_equal(strlen(pw), P11C_PW_MAX);
	p11c_pwfile_free(f);
}

static void test_pwfile_empty_text_gives_no_password(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("");
	assert_null(internal_pw(f));
	assert_null(p11c_pwfile_lookup(f, "mail-hsm", 0, known_tokens));
	p11c_pwfile_free(f);
}

static void test_pwfile_unknown_external_token_gives_null(void **state)
{
	(void)state;
	p11c_pwfile *f = parse_ok("secret\nmail-hsm:1234\nx:y\n");
	assert_null(p11c_pwfile_lookup(f, "other-hsm", 0, known_tokens));
	p11c_pwfile_free(f);
}

static void test_pwfile_lookup_null_file_gives_null(void **state)
{
	(void)state;
	assert_null(p11c_pwfile_lookup(NULL, "mail-hsm", 0, known_tokens));
	assert_null(p11c_pwfile_lookup(NULL, P11C_NSS_INTERNAL_NAME, 1, known_tokens));
}

static void test_pwfile_free_null_is_harmless(void **state)
{
	(void)state;
	p11c_pwfile_free(NULL);
}

/* ---- p11c_pwfile_replace (change-password) ---- */

static void assert_replaced(const char *text, const char *label, int internal, const char *pw,
                            const char *want)
{
	static const char *const known[] = {"NSS Certificate DB", "mail-hsm", NULL};
	char *got = p11c_pwfile_replace(text, strlen(text), label, internal, known, pw);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_replace_internal_named_lines(void **state)
{
	(void)state;
	assert_replaced(
	    "# c\nInternal (Software) Token:old\nNSS Certificate DB:old\nmail-hsm:1234\n",
	    "NSS Certificate DB", 1, "new",
	    "# c\nInternal (Software) Token:new\nNSS Certificate DB:new\nmail-hsm:1234\n");
}

static void test_replace_internal_bare_line(void **state)
{
	(void)state;
	/* named, and the NSS name added for NSS's own tools */
	assert_replaced("old\nmail-hsm:1234", "NSS Certificate DB", 1, "n:w",
	                "Internal (Software) Token:n:w\nmail-hsm:1234\nNSS Certificate DB:n:w\n");
	/* a new password that would read as a comment or a token's line */
	assert_replaced(
	    "old\n", "NSS Certificate DB", 1, "#not-a-comment",
	    "Internal (Software) Token:#not-a-comment\nNSS Certificate DB:#not-a-comment\n");
	assert_replaced("old\n", "NSS Certificate DB", 1, "mail-hsm:x",
	                "Internal (Software) Token:mail-hsm:x\nNSS Certificate DB:mail-hsm:x\n");
	/* msgcert's one line gets its NSS twin */
	assert_replaced("Internal (Software) Token:old\n", "NSS Certificate DB", 1, "new",
	                "Internal (Software) Token:new\nNSS Certificate DB:new\n");
	assert_replaced("NSS Certificate DB:old\n", "NSS Certificate DB", 1, "new",
	                "NSS Certificate DB:new\nInternal (Software) Token:new\n");
}

static void test_replace_keeps_absent_token_lines(void **state)
{
	(void)state;
	/* "away:9" names no token there: with a named internal line, it is an
	 * absent token's PIN and stays */
	assert_replaced("NSS Certificate DB:old\naway:9\n", "NSS Certificate DB", 1, "new",
	                "NSS Certificate DB:new\naway:9\nInternal (Software) Token:new\n");
	/* alone, the first is the internal password that holds a ':'; the
	 * next is an absent token's PIN */
	assert_replaced("pa:ss\nmail-hsm:1234\n", "NSS Certificate DB", 1, "new",
	                "Internal (Software) Token:new\nmail-hsm:1234\nNSS Certificate DB:new\n");
	assert_replaced("pass:word\n", "NSS Certificate DB", 1, "new",
	                "Internal (Software) Token:new\nNSS Certificate DB:new\n");
}

static void test_replace_token_line(void **state)
{
	(void)state;
	assert_replaced("NSS Certificate DB:pw\r\nmail-hsm:1234\r\n", "mail-hsm", 0, "5678",
	                "NSS Certificate DB:pw\r\nmail-hsm:5678\n");
}

static void test_replace_appends_when_absent(void **state)
{
	(void)state;
	assert_replaced("NSS Certificate DB:pw\n", "mail-hsm", 0, "5678",
	                "NSS Certificate DB:pw\nmail-hsm:5678\n");
	assert_replaced("", "NSS Certificate DB", 1, "pw",
	                "Internal (Software) Token:pw\nNSS Certificate DB:pw\n");
	assert_replaced(
	    "# only a comment\n\n", "NSS Certificate DB", 1, "pw",
	    "# only a comment\n\nInternal (Software) Token:pw\nNSS Certificate DB:pw\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pwfile_token_line_gives_token_pin),
	    cmocka_unit_test(test_pwfile_token_line_without_final_newline),
	    cmocka_unit_test(test_pwfile_internal_software_token_name_is_internal),
	    cmocka_unit_test(test_pwfile_nss_certificate_db_name_is_internal),
	    cmocka_unit_test(test_pwfile_internal_name_is_not_an_external_pin),
	    cmocka_unit_test(test_pwfile_bare_line_is_internal_password),
	    cmocka_unit_test(test_pwfile_bare_line_is_not_an_external_pin),
	    cmocka_unit_test(test_pwfile_unknown_prefix_is_whole_internal_password),
	    cmocka_unit_test(test_pwfile_unknown_prefix_with_no_known_list),
	    cmocka_unit_test(test_pwfile_known_prefix_is_token_pin),
	    cmocka_unit_test(test_pwfile_known_prefix_is_not_internal_password),
	    cmocka_unit_test(test_pwfile_pin_keeps_colons_after_prefix),
	    cmocka_unit_test(test_pwfile_internal_password_keeps_colons),
	    cmocka_unit_test(test_pwfile_comment_lines_ignored),
	    cmocka_unit_test(test_pwfile_comment_is_not_internal_password),
	    cmocka_unit_test(test_pwfile_blank_lines_ignored),
	    cmocka_unit_test(test_pwfile_crlf_stripped_from_pin),
	    cmocka_unit_test(test_pwfile_crlf_stripped_from_bare_line),
	    cmocka_unit_test(test_pwfile_first_token_line_wins),
	    cmocka_unit_test(test_pwfile_first_internal_line_wins),
	    cmocka_unit_test(test_pwfile_first_bare_line_wins),
	    cmocka_unit_test(test_pwfile_nul_byte_refused),
	    cmocka_unit_test(test_pwfile_long_line_refused),
	    cmocka_unit_test(test_pwfile_long_line_message_names_line),
	    cmocka_unit_test(test_pwfile_line_of_max_length_accepted),
	    cmocka_unit_test(test_pwfile_empty_text_gives_no_password),
	    cmocka_unit_test(test_pwfile_unknown_external_token_gives_null),
	    cmocka_unit_test(test_pwfile_lookup_null_file_gives_null),
	    cmocka_unit_test(test_pwfile_free_null_is_harmless),
	    cmocka_unit_test(test_replace_internal_named_lines),
	    cmocka_unit_test(test_replace_internal_bare_line),
	    cmocka_unit_test(test_replace_keeps_absent_token_lines),
	    cmocka_unit_test(test_replace_token_line),
	    cmocka_unit_test(test_replace_appends_when_absent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
