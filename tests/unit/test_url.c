/* SPDX-License-Identifier: MPL-2.0 */
/* fetch-chain's URLs: schemes, default and explicit ports, IPv6 literals,
 * and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net.h"

static p11c_db *db;

static int setup(void **state)
{
	(void)state;
	return p11c_db_new(&db);
}

static int teardown(void **state)
{
	(void)state;
	p11c_db_free(db);
	return 0;
}

static void assert_url(const char *url, const char *scheme, const char *host, int port,
                       int starttls, const char *path)
{
	p11c_url u;
	int rc = p11c_url_parse(db, url, 0, &u);
	if (rc != P11C_OK)
		fail_msg("'%s' refused: %s", url, p11c_last_error(db));
	assert_string_equal(u.scheme, scheme);
	assert_string_equal(u.host, host);
	assert_int_equal(u.port, port);
	assert_int_equal(u.starttls, starttls);
	assert_string_equal(u.path, path);
}

static void assert_refused(const char *url, int http, const char *words)
{
	p11c_url u;
	int rc = p11c_url_parse(db, url, http, &u);
	if (rc == P11C_OK)
		fail_msg("'%s' accepted", url);
	assert_int_equal(rc, P11C_EUSAGE);
	if (!strstr(p11c_last_error(db), words))
		fail_msg("'%s': message '%s' lacks '%s'", url, p11c_last_error(db), words);
}

static void test_default_ports(void **state)
{
	(void)state;
	assert_url("smtp://mail.example.com", "smtp", "mail.example.com", 25, P11C_TLS_SMTP, "/");
	assert_url("submission://m.example", "submission", "m.example", 587, P11C_TLS_SMTP, "/");
	assert_url("smtps://m.example", "smtps", "m.example", 465, P11C_TLS_IMPLICIT, "/");
	assert_url("imap://m.example", "imap", "m.example", 143, P11C_TLS_IMAP, "/");
	assert_url("imaps://m.example", "imaps", "m.example", 993, P11C_TLS_IMPLICIT, "/");
	assert_url("pop3://m.example", "pop3", "m.example", 110, P11C_TLS_POP3, "/");
	assert_url("pop3s://m.example", "pop3s", "m.example", 995, P11C_TLS_IMPLICIT, "/");
	assert_url("ldap://m.example", "ldap", "m.example", 389, P11C_TLS_LDAP, "/");
	assert_url("ldaps://m.example", "ldaps", "m.example", 636, P11C_TLS_IMPLICIT, "/");
	assert_url("https://m.example", "https", "m.example", 443, P11C_TLS_IMPLICIT, "/");
}

static void test_ports_hosts_paths(void **state)
{
	(void)state;
	assert_url("smtp://relay.example:2525", "smtp", "relay.example", 2525, P11C_TLS_SMTP, "/");
	assert_url("SMTP://Relay.Example:25/", "smtp", "Relay.Example", 25, P11C_TLS_SMTP, "/");
	assert_url("imap://[::1]:1143", "imap", "::1", 1143, P11C_TLS_IMAP, "/");
	assert_url("https://[2001:db8::1]", "https", "2001:db8::1", 443, P11C_TLS_IMPLICIT, "/");
	assert_url("https://192.0.2.1:8443/x?y", "https", "192.0.2.1", 8443, P11C_TLS_IMPLICIT,
	           "/x?y");
	assert_url("ldap://ldap.example:65535", "ldap", "ldap.example", 65535, P11C_TLS_LDAP, "/");
}

static void test_http_only_for_ca_issuers(void **state)
{
	(void)state;
	p11c_url u;
	assert_int_equal(p11c_url_parse(db, "http://ca.example/int.der", 1, &u), P11C_OK);
	assert_string_equal(u.host, "ca.example");
	assert_int_equal(u.port, 80);
	assert_string_equal(u.path, "/int.der");
	assert_refused("http://ca.example/", 0, "unknown scheme 'http'");
	assert_refused("https://ca.example/", 1, "unsupported URL scheme 'https'");
	assert_refused("ldap://ca.example/", 1, "unsupported URL scheme");
}

static void test_refused(void **state)
{
	(void)state;
	assert_refused("mail.example.com", 0, "is not a URL");
	assert_refused("mail.example.com:25", 0, "is not a URL");
	assert_refused("://mail.example.com", 0, "is not a URL");
	assert_refused("gopher://mail.example.com", 0, "unknown scheme 'gopher'");
	assert_refused("smtp://", 0, "has no host");
	assert_refused("smtp://:25", 0, "has no host");
	assert_refused("smtp://m.example:0", 0, "1 to 65535");
	assert_refused("smtp://m.example:65536", 0, "1 to 65535");
	assert_refused("smtp://m.example:99999999999999999999", 0, "1 to 65535");
	assert_refused("smtp://m.example:-1", 0, "1 to 65535");
	assert_refused("smtp://m.example:", 0, "1 to 65535");
	assert_refused("smtp://m.example:25x", 0, "1 to 65535");
	assert_refused("smtp://[::1", 0, "unclosed '['");
	assert_refused("smtp://[::1]x", 0, "junk after ']'");
	assert_refused("smtp://[]:25", 0, "has no host");
	assert_refused("smtp://user@m.example", 0, "user name");
	assert_refused("smtp://m.ex ample", 0, "bad character");
	assert_refused("smtp://m.ex\tample", 0, "bad character");
}

/* Found by tests/fuzz (fuzz_url): a path (a caIssuers URL of the server's
 * certificate, a redirect) with CR LF went into the http request as it
 * was, and control characters into the messages. */
static void test_control_characters_refused(void **state)
{
	(void)state;
	assert_refused("http://ca.example/x\r\nX-Injected: 1", 1, "bad character");
	assert_refused("http://ca.example/x HTTP/1.0", 1, "byte 20)");
	assert_refused("http://ca.example/\033]0;title\007", 1, "byte 19)");
	assert_refused("http://ca.example/\177", 1, "bad character");
	assert_refused("smtp://mail.example/\n", 0, "bad character");
	assert_refused("smtp\r://mail.example/", 0, "bad character");
	/* the message quotes none of it */
	assert_refused("http://ca.example/\033[2J", 1, "bad character");
	for (const char *c = p11c_last_error(db); *c; c++)
		if ((unsigned char)*c < ' ')
			fail_msg("control character in '%s'", p11c_last_error(db));
	char longhost[400];
	memset(longhost, 'a', sizeof(longhost));
	memcpy(longhost, "smtp://", 7);
	longhost[sizeof(longhost) - 1] = '\0';
	assert_refused(longhost, 0, "has no host");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_ports),
	    cmocka_unit_test(test_ports_hosts_paths),
	    cmocka_unit_test(test_http_only_for_ca_issuers),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_control_characters_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
