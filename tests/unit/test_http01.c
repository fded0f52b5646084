/* SPDX-License-Identifier: MPL-2.0 */
/* The http-01 answerer (nethttp01.c), with curl as the client. */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "freeport.h"
#include "netmod.h"

/* curl's view of url: "STATUS CONTENT-TYPE\nBODY". */
static void fetch(const char *url, char *out, size_t outlen)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
	         "curl -s -g --max-time 10 -w '\\n%%{http_code} %%{content_type}' '%s'", url);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, outlen - 1, p);
	out[n] = '\0';
	pclose(p);
}

static void expect(const char *url, const char *want)
{
	char got[1024];
	fetch(url, got, sizeof(got));
	if (strcmp(got, want))
		fail_msg("curl %s: got '%s', wanted '%s'", url, got, want);
}

static void test_http01_answers_token(void **state)
{
	(void)state;
	char err[256] = "", url[256];
	int port = free_port();
	p11c_net_http01 *s = NULL;
	if (p11c_net_http01_start("127.0.0.1", port, &s, err, sizeof(err)))
		fail_msg("start: %s", err);
	assert_int_equal(p11c_net_http01_add(s, "tok_EN-1", "tok_EN-1.thumb"), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/.well-known/acme-challenge/tok_EN-1", port);
	expect(url, "tok_EN-1.thumb\n200 text/plain");
	/* a second add replaces the content */
	assert_int_equal(p11c_net_http01_add(s, "tok_EN-1", "other"), 0);
	expect(url, "other\n200 text/plain");
	p11c_net_http01_remove(s, "tok_EN-1");
	expect(url, "not found\n\n404 text/plain");
	p11c_net_http01_stop(s);
}

static void test_http01_unknown_is_404(void **state)
{
	(void)state;
	char err[256] = "", url[256];
	int port = free_port();
	p11c_net_http01 *s = NULL;
	if (p11c_net_http01_start("127.0.0.1", port, &s, err, sizeof(err)))
		fail_msg("start: %s", err);
	assert_int_equal(p11c_net_http01_add(s, "abc", "abc.x"), 0);
	const char *paths[] = {
	    "/.well-known/acme-challenge/abd",    "/.well-known/acme-challenge/",
	    "/.well-known/acme-challenge/abc/",   "/abc",
	    "/.well-known/acme-challenge/ab%2Fc", "/.well-known/acme-challenge/a.b"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, paths[i]);
		expect(url, "not found\n\n404 text/plain");
	}
	p11c_net_http01_stop(s);
}

static void test_http01_refuses_bad_token(void **state)
{
	(void)state;
	char err[256] = "";
	p11c_net_http01 *s = NULL;
	if (p11c_net_http01_start("127.0.0.1", free_port(), &s, err, sizeof(err)))
		fail_msg("start: %s", err);
	const char *bad[] = {"", "../x", "a/b", "a.b", "a b", "a%2f"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (p11c_net_http01_add(s, bad[i], "x") != -1)
			fail_msg("add '%s': got 0, wanted -1", bad[i]);
	p11c_net_http01_stop(s);
}

static void test_http01_every_address(void **state)
{
	(void)state;
	char err[256] = "", url[256];
	int port = free_port();
	p11c_net_http01 *s = NULL;
	if (p11c_net_http01_start(NULL, port, &s, err, sizeof(err)))
		fail_msg("start: %s", err);
	assert_int_equal(p11c_net_http01_add(s, "t", "t.k"), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/.well-known/acme-challenge/t", port);
	expect(url, "t.k\n200 text/plain");
	/* IPv6 loopback too, where the host has it */
	if (system("ip -6 addr show lo 2>/dev/null | grep -q '::1'") == 0) {
		snprintf(url, sizeof(url), "http://[::1]:%d/.well-known/acme-challenge/t", port);
		expect(url, "t.k\n200 text/plain");
	}
	p11c_net_http01_stop(s);
}

static void test_http01_port_in_use(void **state)
{
	(void)state;
	char err[256] = "";
	int port = free_port();
	p11c_net_http01 *a = NULL, *b = NULL;
	if (p11c_net_http01_start("127.0.0.1", port, &a, err, sizeof(err)))
		fail_msg("start: %s", err);
	assert_int_equal(p11c_net_http01_start("127.0.0.1", port, &b, err, sizeof(err)), -1);
	assert_null(b);
	if (!strstr(err, "cannot answer on 127.0.0.1 port") || !strchr(err, ':'))
		fail_msg("got '%s', wanted 'cannot answer on 127.0.0.1 port N: why'", err);
	assert_int_equal(p11c_net_http01_start("not-an-address", port, &b, err, sizeof(err)), -1);
	if (!strstr(err, "'not-an-address' is not an IPv4 or IPv6 address"))
		fail_msg("got '%s'", err);
	assert_int_equal(p11c_net_http01_start("127.0.0.1", 0, &b, err, sizeof(err)), -1);
	p11c_net_http01_stop(a);
}

int main(void)
{
	if (system("curl --version >/dev/null 2>&1") != 0) {
		if (getenv("CI") && !strcmp(getenv("CI"), "true"))
			return 1;
		return 77;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_http01_answers_token),
	    cmocka_unit_test(test_http01_unknown_is_404),
	    cmocka_unit_test(test_http01_refuses_bad_token),
	    cmocka_unit_test(test_http01_every_address),
	    cmocka_unit_test(test_http01_port_in_use),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
