/* SPDX-License-Identifier: MPL-2.0 */
/* Text forms the user gives: DNs, SAN lists, host names, key types, trust. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

/* ---- p11c_dn_format ---- */

static void assert_dn(const p11c_dn_fields *f, const char *want)
{
	char *dn = NULL;
	assert_int_equal(p11c_dn_format(f, &dn), P11C_OK);
	assert_non_null(dn);
	assert_string_equal(dn, want);
	free(dn);
}

static void assert_dn_refused(const p11c_dn_fields *f)
{
	char *dn = (char *)"untouched";
	int rc = p11c_dn_format(f, &dn);
	if (rc == P11C_OK) {
		char got[256];
		snprintf(got, sizeof(got), "%s", dn);
		free(dn);
		fail_msg("accepted as '%s'", got);
	}
	assert_int_equal(rc, P11C_EUSAGE);
	assert_null(dn);
}

static void test_dn_format_cn_only(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields), .cn = "mail.example.com"};
	assert_dn(&f, "CN=mail.example.com");
}

static void test_dn_format_order_cn_ou_o_l_st_c(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields),
	                    .cn = "a",
	                    .o = "Org",
	                    .ou = "Unit",
	                    .l = "City",
	                    .st = "State",
	                    .c = "FR"};
	assert_dn(&f, "CN=a,OU=Unit,O=Org,L=City,ST=State,C=FR");
}

static void test_dn_format_null_fields_skipped(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields), .cn = "a", .o = "Org", .c = "DE"};
	assert_dn(&f, "CN=a,O=Org,C=DE");
}

static void test_dn_format_empty_fields_skipped(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields),
	                    .cn = "a",
	                    .o = "",
	                    .ou = "",
	                    .l = "",
	                    .st = "",
	                    .c = "DE"};
	assert_dn(&f, "CN=a,C=DE");
}

static void test_dn_format_empty_country_skipped(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields), .cn = "a", .o = "Org", .c = ""};
	assert_dn(&f, "CN=a,O=Org");
}

static void test_dn_format_escapes_comma(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields), .cn = "a", .o = "Acme, Inc."};
	assert_dn(&f, "CN=a,O=Acme\\, Inc.");
}

static void test_dn_format_escapes_specials(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields), .cn = "a+b\"c\\d<e>f;g=h"};
	assert_dn(&f, "CN=a\\+b\\\"c\\\\d\\<e\\>f\\;g\\=h");
}

static void test_dn_format_escapes_leading_hash(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields), .cn = "#1 server"};
	assert_dn(&f, "CN=\\#1 server");
}

static void test_dn_format_keeps_inner_hash(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields), .cn = "server #1"};
	assert_dn(&f, "CN=server #1");
}

static void test_dn_format_escapes_leading_space(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields), .cn = " a"};
	assert_dn(&f, "CN=\\ a");
}

static void test_dn_format_escapes_trailing_space(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields), .cn = "a "};
	assert_dn(&f, "CN=a\\ ");
}

static void test_dn_format_keeps_inner_space(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields), .cn = "Example CA"};
	assert_dn(&f, "CN=Example CA");
}

static void test_dn_format_utf8_passes_through(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields), .cn = "a", .l = "Z\xc3\xbcrich"};
	assert_dn(&f, "CN=a,L=Z\xc3\xbcrich");
}

static void test_dn_format_missing_cn_refused(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields), .o = "Org", .c = "FR"};
	assert_dn_refused(&f);
}

static void test_dn_format_empty_cn_refused(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields), .cn = "", .o = "Org"};
	assert_dn_refused(&f);
}

static void test_dn_format_three_letter_country_refused(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields), .cn = "a", .c = "FRA"};
	assert_dn_refused(&f);
}

static void test_dn_format_one_letter_country_refused(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields), .cn = "a", .c = "F"};
	assert_dn_refused(&f);
}

static void test_dn_format_non_letter_country_refused(void **state)
{
	(void)state;
	p11c_dn_fields f = {.size = sizeof(p11c_dn_fields), .cn = "a", .c = "12"};
	assert_dn_refused(&f);
}

/* ---- p11c_san_parse ---- */

static p11c_san *san_ok(const char *text, size_t want_n)
{
	p11c_san *s = NULL;
	size_t n = 99;
	char err[256] = "";
	int rc = p11c_san_parse(text, &s, &n, err, sizeof(err));
	if (rc != P11C_OK)
		fail_msg("'%s' refused: %s", text, err);
	assert_int_equal(n, want_n);
	return s;
}

/* Refused with P11C_EUSAGE, nothing out, and a message naming needle. */
static void assert_san_refused(const char *text, const char *needle)
{
	static p11c_san sentinel;
	p11c_san *s = &sentinel;
	size_t n = 99;
	char err[256] = "";
	assert_int_equal(p11c_san_parse(text, &s, &n, err, sizeof(err)), P11C_EUSAGE);
	assert_null(s);
	assert_int_equal(n, 0);
	assert_true(err[0] != '\0');
	if (!strstr(err, needle))
		fail_msg("message '%s' does not name '%s'", err, needle);
}

static void test_san_parse_dns(void **state)
{
	(void)state;
	p11c_san *s = san_ok("dns:mail.example.com", 1);
	assert_int_equal(s[0].type, P11C_SAN_DNS);
	assert_string_equal(s[0].text, "mail.example.com");
	p11c_san_free(s, 1);
}

/* A list of n DNS names, "dns:h0.example,dns:h1.example,..." (malloc'd). */
static char *many_sans(int n)
{
	char *buf = malloc((size_t)n * 24 + 1), *p = buf;
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%sdns:h%d.example", i ? "," : "", i);
	*p = '\0';
	return buf;
}

static void test_san_parse_thousand_accepted(void **state)
{
	(void)state;
	char *text = many_sans(1000);
	p11c_san *s = san_ok(text, 1000);
	p11c_san_free(s, 1000);
	free(text);
}

static void test_san_parse_too_many_refused(void **state)
{
	(void)state;
	char *text = many_sans(1001);
	assert_san_refused(text, "more than 1000");
	free(text);
}

static void test_san_parse_ipv4_bytes(void **state)
{
	(void)state;
	static const unsigned char want[4] = {192, 0, 2, 1};
	p11c_san *s = san_ok("ip:192.0.2.1", 1);
	assert_int_equal(s[0].type, P11C_SAN_IP);
	assert_string_equal(s[0].text, "192.0.2.1");
	assert_int_equal(s[0].ip_len, 4);
	assert_memory_equal(s[0].ip, want, 4);
	p11c_san_free(s, 1);
}

static void test_san_parse_ipv6_bytes(void **state)
{
	(void)state;
	static const unsigned char want[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	                                       0,    0,    0,    0,    0, 0, 0, 1};
	p11c_san *s = san_ok("ip:2001:db8::1", 1);
	assert_int_equal(s[0].type, P11C_SAN_IP);
	assert_string_equal(s[0].text, "2001:db8::1");
	assert_int_equal(s[0].ip_len, 16);
	assert_memory_equal(s[0].ip, want, 16);
	p11c_san_free(s, 1);
}

static void test_san_parse_email(void **state)
{
	(void)state;
	p11c_san *s = san_ok("email:postmaster@example.com", 1);
	assert_int_equal(s[0].type, P11C_SAN_EMAIL);
	assert_string_equal(s[0].text, "postmaster@example.com");
	p11c_san_free(s, 1);
}

static void test_san_parse_uri(void **state)
{
	(void)state;
	p11c_san *s = san_ok("uri:https://example.com/a?b=c", 1);
	assert_int_equal(s[0].type, P11C_SAN_URI);
	assert_string_equal(s[0].text, "https://example.com/a?b=c");
	p11c_san_free(s, 1);
}

static void test_san_parse_list_keeps_order(void **state)
{
	(void)state;
	p11c_san *s = san_ok("dns:a.example,ip:192.0.2.1,email:x@a.example,uri:https://a", 4);
	assert_int_equal(s[0].type, P11C_SAN_DNS);
	assert_int_equal(s[1].type, P11C_SAN_IP);
	assert_int_equal(s[2].type, P11C_SAN_EMAIL);
	assert_int_equal(s[3].type, P11C_SAN_URI);
	assert_string_equal(s[3].text, "https://a");
	p11c_san_free(s, 4);
}

static void test_san_parse_prefix_case_insensitive(void **state)
{
	(void)state;
	p11c_san *s = san_ok("DNS:a.example,Ip:192.0.2.1,EMAIL:x@a.example,UrI:https://a", 4);
	assert_int_equal(s[0].type, P11C_SAN_DNS);
	assert_string_equal(s[0].text, "a.example");
	assert_int_equal(s[1].type, P11C_SAN_IP);
	assert_int_equal(s[1].ip_len, 4);
	assert_int_equal(s[2].type, P11C_SAN_EMAIL);
	assert_int_equal(s[3].type, P11C_SAN_URI);
	p11c_san_free(s, 4);
}

static void test_san_parse_trims_spaces_around_items(void **state)
{
	(void)state;
	p11c_san *s = san_ok("  dns:a.example ,\tip:192.0.2.1  ", 2);
	assert_string_equal(s[0].text, "a.example");
	assert_string_equal(s[1].text, "192.0.2.1");
	assert_int_equal(s[1].ip_len, 4);
	p11c_san_free(s, 2);
}

static void test_san_parse_skips_empty_items(void **state)
{
	(void)state;
	p11c_san *s = san_ok(",dns:a.example,, ,ip:192.0.2.1,", 2);
	assert_string_equal(s[0].text, "a.example");
	assert_string_equal(s[1].text, "192.0.2.1");
	p11c_san_free(s, 2);
}

static void test_san_parse_empty_text_gives_none(void **state)
{
	(void)state;
	p11c_san *s = san_ok("", 0);
	p11c_san_free(s, 0);
}

static void test_san_parse_bad_ipv4_refused(void **state)
{
	(void)state;
	assert_san_refused("dns:a.example,ip:192.0.2.256", "192.0.2.256");
}

static void test_san_parse_bad_ip_word_refused(void **state)
{
	(void)state;
	assert_san_refused("ip:localhost", "localhost");
}

static void test_san_parse_missing_prefix_refused(void **state)
{
	(void)state;
	assert_san_refused("dns:a.example,b.example", "b.example");
}

static void test_san_parse_unknown_prefix_refused(void **state)
{
	(void)state;
	assert_san_refused("rid:1.2.3", "rid:1.2.3");
}

static void test_san_parse_email_without_at_refused(void **state)
{
	(void)state;
	assert_san_refused("email:postmaster.example.com", "postmaster.example.com");
}

static void test_san_parse_empty_dns_value_refused(void **state)
{
	(void)state;
	assert_san_refused("dns:", "dns:");
}

static void test_san_parse_empty_ip_value_refused(void **state)
{
	(void)state;
	assert_san_refused("dns:a.example, ip: ", "ip:");
}

/* ---- p11c_looks_like_hostname ---- */

static void test_hostname_fqdn_accepted(void **state)
{
	(void)state;
	assert_true(p11c_looks_like_hostname("mail.example.com"));
}

static void test_hostname_wildcard_accepted(void **state)
{
	(void)state;
	assert_true(p11c_looks_like_hostname("*.example.com"));
}

static void test_hostname_without_dot_refused(void **state)
{
	(void)state;
	assert_false(p11c_looks_like_hostname("localhost"));
}

static void test_hostname_with_space_refused(void **state)
{
	(void)state;
	assert_false(p11c_looks_like_hostname("Example CA"));
}

static void test_hostname_leading_hyphen_refused(void **state)
{
	(void)state;
	assert_false(p11c_looks_like_hostname("-a.com"));
}

static void test_hostname_empty_label_refused(void **state)
{
	(void)state;
	assert_false(p11c_looks_like_hostname("a..b"));
}

static void test_hostname_long_label_refused(void **state)
{
	(void)state;
	char name[64 + 5];
	memset(name, 'a', 64);
	strcpy(name + 64, ".com");
	assert_false(p11c_looks_like_hostname(name));
}

static void test_hostname_63_char_label_accepted(void **state)
{
	(void)state;
	char name[63 + 5];
	memset(name, 'a', 63);
	strcpy(name + 63, ".com");
	assert_true(p11c_looks_like_hostname(name));
}

static void test_hostname_empty_refused(void **state)
{
	(void)state;
	assert_false(p11c_looks_like_hostname(""));
}

/* ---- p11c_key_type_parse ---- */

static void assert_rsa(const char *text, int bits)
{
	p11c_key_spec k;
	char err[256] = "";
	int rc = p11c_key_type_parse(text, &k, err, sizeof(err));
	if (rc != P11C_OK)
		fail_msg("'%s' refused: %s", text, err);
	assert_int_equal(k.kind, P11C_KEY_RSA);
	assert_int_equal(k.bits, bits);
}

static void assert_ec(const char *text, const char *curve, int bits)
{
	p11c_key_spec k;
	char err[256] = "";
	int rc = p11c_key_type_parse(text, &k, err, sizeof(err));
	if (rc != P11C_OK)
		fail_msg("'%s' refused: %s", text, err);
	assert_int_equal(k.kind, P11C_KEY_EC);
	assert_int_equal(k.bits, bits);
	assert_non_null(k.curve);
	assert_string_equal(k.curve, curve);
}

/* Refused with P11C_EUSAGE and a message naming needle. */
static void assert_key_refused(const char *text, const char *needle)
{
	p11c_key_spec k;
	char err[256] = "";
	assert_int_equal(p11c_key_type_parse(text, &k, err, sizeof(err)), P11C_EUSAGE);
	if (!strstr(err, needle))
		fail_msg("message '%s' does not name '%s'", err, needle);
}

static void test_key_type_rsa_2048(void **state)
{
	(void)state;
	assert_rsa("rsa:2048", 2048);
}

static void test_key_type_rsa_3072(void **state)
{
	(void)state;
	assert_rsa("rsa:3072", 3072);
}

static void test_key_type_rsa_4096(void **state)
{
	(void)state;
	assert_rsa("rsa:4096", 4096);
}

static void test_key_type_rsa_alone_is_2048(void **state)
{
	(void)state;
	assert_rsa("rsa", 2048);
}

static void test_key_type_ec_p256(void **state)
{
	(void)state;
	assert_ec("ec:p256", "p256", 256);
}

static void test_key_type_ec_p384(void **state)
{
	(void)state;
	assert_ec("ec:p384", "p384", 384);
}

static void test_key_type_ec_p521(void **state)
{
	(void)state;
	assert_ec("ec:p521", "p521", 521);
}

static void test_key_type_rsa_1024_refused_as_weak(void **state)
{
	(void)state;
	assert_key_refused("rsa:1024", "below 2048");
}

static void test_key_type_rsa_non_number_refused(void **state)
{
	(void)state;
	assert_key_refused("rsa:abc", "rsa:abc");
}

static void test_key_type_ec_p192_refused(void **state)
{
	(void)state;
	assert_key_refused("ec:p192", "ec:p192");
}

static void test_key_type_dsa_refused(void **state)
{
	(void)state;
	assert_key_refused("dsa:2048", "dsa:2048");
}

/* ---- p11c_trust_parse ---- */

static void assert_trust(const char *text, const char *want)
{
	char *t = NULL;
	assert_int_equal(p11c_trust_parse(text, &t), P11C_OK);
	assert_non_null(t);
	assert_string_equal(t, want);
	free(t);
}

static void assert_trust_refused(const char *text)
{
	char *t = (char *)"untouched";
	assert_int_equal(p11c_trust_parse(text, &t), P11C_EUSAGE);
	assert_null(t);
}

static void test_trust_server_ca(void **state)
{
	(void)state;
	assert_trust("server-ca", "C,,");
}

static void test_trust_client_ca(void **state)
{
	(void)state;
	assert_trust("client-ca", "T,,");
}

static void test_trust_server_and_client_ca(void **state)
{
	(void)state;
	assert_trust("server-ca,client-ca", "CT,,");
}

static void test_trust_client_and_server_ca_same_order(void **state)
{
	(void)state;
	assert_trust("client-ca,server-ca", "CT,,");
}

static void test_trust_email_ca(void **state)
{
	(void)state;
	assert_trust("email-ca", ",C,");
}

static void test_trust_code_ca(void **state)
{
	(void)state;
	assert_trust("code-ca", ",,C");
}

static void test_trust_peer(void **state)
{
	(void)state;
	assert_trust("peer", "P,,");
}

static void test_trust_all_words(void **state)
{
	(void)state;
	assert_trust("code-ca,email-ca,client-ca,server-ca", "CT,C,C");
}

static void test_trust_nss_form_passes_through(void **state)
{
	(void)state;
	assert_trust("CT,C,C", "CT,C,C");
}

static void test_trust_bogus_refused(void **state)
{
	(void)state;
	assert_trust_refused("bogus");
}

static void test_trust_empty_refused(void **state)
{
	(void)state;
	assert_trust_refused("");
}

static void test_trust_bogus_word_in_list_refused(void **state)
{
	(void)state;
	assert_trust_refused("server-ca,bogus");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dn_format_cn_only),
	    cmocka_unit_test(test_dn_format_order_cn_ou_o_l_st_c),
	    cmocka_unit_test(test_dn_format_null_fields_skipped),
	    cmocka_unit_test(test_dn_format_empty_fields_skipped),
	    cmocka_unit_test(test_dn_format_empty_country_skipped),
	    cmocka_unit_test(test_dn_format_escapes_comma),
	    cmocka_unit_test(test_dn_format_escapes_specials),
	    cmocka_unit_test(test_dn_format_escapes_leading_hash),
	    cmocka_unit_test(test_dn_format_keeps_inner_hash),
	    cmocka_unit_test(test_dn_format_escapes_leading_space),
	    cmocka_unit_test(test_dn_format_escapes_trailing_space),
	    cmocka_unit_test(test_dn_format_keeps_inner_space),
	    cmocka_unit_test(test_dn_format_utf8_passes_through),
	    cmocka_unit_test(test_dn_format_missing_cn_refused),
	    cmocka_unit_test(test_dn_format_empty_cn_refused),
	    cmocka_unit_test(test_dn_format_three_letter_country_refused),
	    cmocka_unit_test(test_dn_format_one_letter_country_refused),
	    cmocka_unit_test(test_dn_format_non_letter_country_refused),
	    cmocka_unit_test(test_san_parse_dns),
	    cmocka_unit_test(test_san_parse_thousand_accepted),
	    cmocka_unit_test(test_san_parse_too_many_refused),
	    cmocka_unit_test(test_san_parse_ipv4_bytes),
	    cmocka_unit_test(test_san_parse_ipv6_bytes),
	    cmocka_unit_test(test_san_parse_email),
	    cmocka_unit_test(test_san_parse_uri),
	    cmocka_unit_test(test_san_parse_list_keeps_order),
	    cmocka_unit_test(test_san_parse_prefix_case_insensitive),
	    cmocka_unit_test(test_san_parse_trims_spaces_around_items),
	    cmocka_unit_test(test_san_parse_skips_empty_items),
	    cmocka_unit_test(test_san_parse_empty_text_gives_none),
	    cmocka_unit_test(test_san_parse_bad_ipv4_refused),
	    cmocka_unit_test(test_san_parse_bad_ip_word_refused),
	    cmocka_unit_test(test_san_parse_missing_prefix_refused),
	    cmocka_unit_test(test_san_parse_unknown_prefix_refused),
	    cmocka_unit_test(test_san_parse_email_without_at_refused),
	    cmocka_unit_test(test_san_parse_empty_dns_value_refused),
	    cmocka_unit_test(test_san_parse_empty_ip_value_refused),
	    cmocka_unit_test(test_hostname_fqdn_accepted),
	    cmocka_unit_test(test_hostname_wildcard_accepted),
	    cmocka_unit_test(test_hostname_without_dot_refused),
	    cmocka_unit_test(test_hostname_with_space_refused),
	    cmocka_unit_test(test_hostname_leading_hyphen_refused),
	    cmocka_unit_test(test_hostname_empty_label_refused),
	    cmocka_unit_test(test_hostname_long_label_refused),
	    cmocka_unit_test(test_hostname_63_char_label_accepted),
	    cmocka_unit_test(test_hostname_empty_refused),
	    cmocka_unit_test(test_key_type_rsa_2048),
	    cmocka_unit_test(test_key_type_rsa_3072),
	    cmocka_unit_test(test_key_type_rsa_4096),
	    cmocka_unit_test(test_key_type_rsa_alone_is_2048),
	    cmocka_unit_test(test_key_type_ec_p256),
	    cmocka_unit_test(test_key_type_ec_p384),
	    cmocka_unit_test(test_key_type_ec_p521),
	    cmocka_unit_test(test_key_type_rsa_1024_refused_as_weak),
	    cmocka_unit_test(test_key_type_rsa_non_number_refused),
	    cmocka_unit_test(test_key_type_ec_p192_refused),
	    cmocka_unit_test(test_key_type_dsa_refused),
	    cmocka_unit_test(test_trust_server_ca),
	    cmocka_unit_test(test_trust_client_ca),
	    cmocka_unit_test(test_trust_server_and_client_ca),
	    cmocka_unit_test(test_trust_client_and_server_ca_same_order),
	    cmocka_unit_test(test_trust_email_ca),
	    cmocka_unit_test(test_trust_code_ca),
	    cmocka_unit_test(test_trust_peer),
	    cmocka_unit_test(test_trust_all_words),
	    cmocka_unit_test(test_trust_nss_form_passes_through),
	    cmocka_unit_test(test_trust_bogus_refused),
	    cmocka_unit_test(test_trust_empty_refused),
	    cmocka_unit_test(test_trust_bogus_word_in_list_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
