/* SPDX-License-Identifier: MPL-2.0 */
/* The HTTP client of p11cert-net.so (nethttp.c) against python's servers
 * on 127.0.0.1 (nethttp_server.py): GET and POST as the server saw them,
 * the headers kept, redirects, the size and time limits, and https with
 * the server's certificate checked (its CA, its name). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "netmod.h"

static char dir[] = "/tmp/p11c-nethttp-XXXXXX";
static pid_t server = -1;
static int http_port, https_port, badname_port;
static char ca[64], other_ca[64], logfile[64];
static char url[256];

static const char *at(const char *scheme, int port, const char *path)
{
	snprintf(url, sizeof(url), "%s://127.0.0.1:%d%s", scheme, port, path);
	return url;
}

static int setup(void **state)
{
	(void)state;
	const char *script = getenv("NETHTTP_SERVER");
	int fds[2];
	/* 127.0.0.1 straight, whatever proxy the caller's shell names */
	unsetenv("http_proxy");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	if (!script || !mkdtemp(dir) || pipe(fds))
		return -1;
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	snprintf(other_ca, sizeof(other_ca), "%s/other-ca.pem", dir);
	snprintf(logfile, sizeof(logfile), "%s/log", dir);
	server = fork();
	if (server == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execlp("python3", "python3", script, dir, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	FILE *f = fdopen(fds[0], "r");
	int n = f ? fscanf(f, "PORTS %d %d %d", &http_port, &https_port, &badname_port) : 0;
	if (f)
		fclose(f);
	if (n != 3) {
		fprintf(stderr, "nethttp_server.py did not start (got %d ports, wanted 3)\n", n);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The server's log line for the last request. */
static const char *last_logged(void)
{
	static char line[8192];
	FILE *f = fopen(logfile, "r");
	line[0] = '\0';
	if (f) {
		char buf[sizeof(line)];
		while (fgets(buf, sizeof(buf), f))
			memcpy(line, buf, sizeof(line));
		fclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static void expect_str(const char *what, const char *got, const char *wanted)
{
	if (!got || strcmp(got, wanted))
		fail_msg("%s: got '%s', wanted '%s'", what, got ? got : "(null)", wanted);
}

static void expect_in(const char *what, const char *got, const char *part)
{
	if (!got || !strstr(got, part))
		fail_msg("%s: got '%s', wanted it to contain '%s'", what, got ? got : "(null)", part);
}

static int run(p11c_net_req *req, p11c_net_resp *resp, char *err, size_t errlen)
{
	if (!req->timeout)
		req->timeout = 10;
	err[0] = '\0';
	return p11c_net_http(req, resp, err, errlen);
}

static void expect_ok(p11c_net_req *req, p11c_net_resp *resp)
{
	char err[512];
	if (run(req, resp, err, sizeof(err)))
		fail_msg("%s %s failed: %s", req->method, req->url, err);
}

/* The message of expect_fail's last failure. */
static char last_err[512];

static void expect_fail(p11c_net_req *req, const char *part)
{
	p11c_net_resp resp;
	char *err = last_err;
	int rc = run(req, &resp, err, sizeof(last_err));
	if (rc == 0) {
		long status = resp.status;
		p11c_net_resp_free(&resp);
		fail_msg("%s %s: got status %ld, wanted the failure '%s'", req->method, req->url,
		         status, part);
	}
	print_message("%s %s: %s\n", req->method, req->url, err);
	expect_in(req->url, err, part);
	if (strchr(err, '\n'))
		fail_msg("%s: message '%s' is more than one line", req->url, err);
	/* nothing left to free after a failure */
	if (resp.body || resp.url || resp.links || resp.location)
		fail_msg("%s: a failure left fields set", req->url);
}

static void test_get_headers(void **state)
{
	(void)state;
	p11c_net_req req = {.method = "GET", .url = at("http", http_port, "/hello"),
	                    .accept = "text/plain"};
	p11c_net_resp r;
	expect_ok(&req, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 13);
	expect_str("body", (char *)r.body, "hello, world\n");
	expect_str("content type", r.content_type, "text/plain; charset=utf-8");
	expect_str("nonce", r.replay_nonce, "nonce-1");
	expect_str("retry-after", r.retry_after, "7");
	expect_str("location", r.location, "http://example.test/order/1");
	assert_int_equal(r.nlinks, 2);
	expect_str("link 0", r.links[0], "<http://example.test/dir>;rel=\"index\"");
	expect_str("link 1", r.links[1], "<http://example.test/alt>;rel=\"alternate\"");
	expect_str("url", r.url, req.url);
	p11c_net_resp_free(&r);
	char want[128];
	snprintf(want, sizeof(want),
	         "GET /hello content-type=- accept=text/plain user-agent=p11cert/%s body=-",
	         P11C_VERSION);
	expect_str("server saw", last_logged(), want);
}

static void test_post_body(void **state)
{
	(void)state;
	static const unsigned char body[] = "{\"protected\":\"x\",\"payload\":\"\"}";
	p11c_net_req req = {.method = "POST", .url = at("http", http_port, "/echo"),
	                    .content_type = "application/jose+json", .body = body,
	                    .body_len = sizeof(body) - 1, .user_agent = "nethttp-test/1"};
	p11c_net_resp r;
	expect_ok(&req, &r);
	assert_int_equal(r.status, 201);
	assert_int_equal(r.body_len, sizeof(body) - 1);
	assert_memory_equal(r.body, body, sizeof(body) - 1);
	expect_str("nonce", r.replay_nonce, "nonce-2");
	assert_null(r.location);
	assert_int_equal(r.nlinks, 0);
	p11c_net_resp_free(&r);
	expect_str("server saw", last_logged(),
	           "POST /echo content-type=application/jose+json accept=*/* "
	           "user-agent=nethttp-test/1 body={\"protected\":\"x\",\"payload\":\"\"}");

	/* an empty POST (POST-as-GET) */
	req.body = NULL;
	req.body_len = 0;
	expect_ok(&req, &r);
	assert_int_equal(r.body_len, 0);
	assert_non_null(r.body);
	p11c_net_resp_free(&r);
	expect_in("server saw", last_logged(), "POST /echo content-type=application/jose+json");
	expect_in("server saw", last_logged(), "body=-");
}

static void test_head(void **state)
{
	(void)state;
	p11c_net_req req = {.method = "HEAD", .url = at("http", http_port, "/hello")};
	p11c_net_resp r;
	expect_ok(&req, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 0);
	expect_str("nonce", r.replay_nonce, "nonce-1");
	p11c_net_resp_free(&r);
	expect_in("server saw", last_logged(), "HEAD /hello ");
	/* the length a HEAD announces is not a body over the limit */
	req.url = at("http", http_port, "/big");
	req.max_body = 4096;
	expect_ok(&req, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 0);
	p11c_net_resp_free(&r);
	expect_in("server saw", last_logged(), "HEAD /big ");
}

static void test_error_status_is_answer(void **state)
{
	(void)state;
	p11c_net_req req = {.method = "GET", .url = at("http", http_port, "/status-404")};
	p11c_net_resp r;
	expect_ok(&req, &r);
	assert_int_equal(r.status, 404);
	expect_str("body", (char *)r.body, "not here\n");
	p11c_net_resp_free(&r);
}

static void test_redirects(void **state)
{
	(void)state;
	p11c_net_resp r;
	/* not followed: the redirect is the answer */
	p11c_net_req req = {.method = "GET", .url = at("http", http_port, "/redirect")};
	expect_ok(&req, &r);
	assert_int_equal(r.status, 302);
	expect_str("location", r.location, "/hello");
	expect_str("nonce", r.replay_nonce, "nonce-r");
	p11c_net_resp_free(&r);
	/* followed: the last answer's headers only */
	req.max_redirects = 3;
	expect_ok(&req, &r);
	assert_int_equal(r.status, 200);
	expect_str("body", (char *)r.body, "hello, world\n");
	expect_str("nonce", r.replay_nonce, "nonce-1");
	expect_str("url", r.url, at("http", http_port, "/hello"));
	assert_int_equal(r.nlinks, 2);
	p11c_net_resp_free(&r);
	/* a redirect's own body is not the answer's */
	req.url = at("http", http_port, "/redirect-body");
	expect_ok(&req, &r);
	assert_int_equal(r.status, 200);
	expect_str("body after a redirect with a body", (char *)r.body, "hello, world\n");
	assert_int_equal(r.body_len, 13);
	expect_str("its content type", r.content_type, "text/plain; charset=utf-8");
	p11c_net_resp_free(&r);
	/* a loop ends */
	req.url = at("http", http_port, "/loop");
	expect_fail(&req, "redirect");
	/* after a redirect, the message says where it led */
	req.url = at("http", http_port, "/to-ftp");
	expect_fail(&req, "127.0.0.1:21: Protocol \"ftp\" not supported");
	expect_fail(&req, "(redirected to 'ftp://127.0.0.1/x')");
	/* to a scheme other than http and https: refused */
	req.url = at("http", http_port, "/to-file");
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "127.0.0.1:%d: ", http_port);
	expect_fail(&req, prefix);
	expect_fail(&req, "redirected to 'file:///etc/passwd'");
}

static void test_max_body(void **state)
{
	(void)state;
	p11c_net_req req = {.method = "GET", .url = at("http", http_port, "/big"),
	                    .max_body = 4096};
	expect_fail(&req, "response from 127.0.0.1 longer than 4096 bytes");
	req.url = at("http", http_port, "/big-unannounced");
	expect_fail(&req, "response from 127.0.0.1 longer than 4096 bytes");
	/* 100 KB of header lines */
	req.url = at("http", http_port, "/huge-headers");
	char want[64];
	snprintf(want, sizeof(want), "127.0.0.1:%d: response headers longer than 65536 bytes",
	         http_port);
	expect_fail(&req, want);
	/* the same within the limit */
	req.url = at("http", http_port, "/big-unannounced");
	p11c_net_resp r;
	req.max_body = 5000;
	expect_ok(&req, &r);
	assert_int_equal(r.body_len, 5000);
	p11c_net_resp_free(&r);
}

static void count_tick(void *arg)
{
	++*(int *)arg;
}

static void test_timeout(void **state)
{
	(void)state;
	int ticks = 0;
	p11c_net_req req = {.method = "GET", .url = at("http", http_port, "/slow"), .timeout = 2,
	                    .tick = count_tick, .tick_arg = &ticks};
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	expect_fail(&req, "did not answer in 2 s");
	expect_in("curl's words", last_err, "timed out");
	clock_gettime(CLOCK_MONOTONIC, &b);
	double took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	if (took > 5)
		fail_msg("a 2 s timeout took %.1f s", took);
	/* the progress line kept up while it waited: once a second at least */
	if (ticks < 2)
		fail_msg("ticks while waiting 2 s: got %d, wanted 2 or more", ticks);
	print_message("%d ticks in %.1f s\n", ticks, took);
}

static void test_unreachable(void **state)
{
	(void)state;
	/* a port nobody listens on: the one the test server took and gave back
	 * is not known, so port 1 on loopback */
	p11c_net_req req = {.method = "GET", .url = "http://127.0.0.1:1/"};
	expect_fail(&req, "127.0.0.1:1: ");
	/* an IPv6 address named as in a URL */
	p11c_net_req v6 = {.method = "GET", .url = "http://[::1]:1/"};
	expect_fail(&v6, "[::1]:1: ");
	p11c_net_req bad = {.method = "GET", .url = "ftp://127.0.0.1/x"};
	expect_fail(&bad, "127.0.0.1:21: ");
	p11c_net_req put = {.method = "PUT", .url = at("http", http_port, "/hello")};
	expect_fail(&put, "method PUT");
}

static void test_https_ca_file(void **state)
{
	(void)state;
	p11c_net_req req = {.method = "GET", .url = at("https", https_port, "/hello"),
	                    .ca_file = ca};
	p11c_net_resp r;
	expect_ok(&req, &r);
	assert_int_equal(r.status, 200);
	expect_str("body", (char *)r.body, "hello, world\n");
	p11c_net_resp_free(&r);
	expect_in("server saw", last_logged(), "GET /hello ");
}

static void test_https_refused(void **state)
{
	(void)state;
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "127.0.0.1:%d: ", https_port);
	/* the system's store does not know the test CA */
	p11c_net_req req = {.method = "GET", .url = at("https", https_port, "/hello")};
	expect_fail(&req, prefix);
	expect_fail(&req, "certificate problem");
	/* nor does another CA */
	req.ca_file = other_ca;
	expect_fail(&req, prefix);
	expect_fail(&req, "certificate problem");
	/* the right CA, the wrong name */
	req.ca_file = ca;
	req.url = at("https", badname_port, "/hello");
	snprintf(prefix, sizeof(prefix), "127.0.0.1:%d: ", badname_port);
	expect_fail(&req, prefix);
	expect_fail(&req, "subject name matches target host name '127.0.0.1'");
	/* a CA file that is not there */
	req.ca_file = "/nonexistent/ca.pem";
	req.url = at("https", https_port, "/hello");
	expect_fail(&req, "/nonexistent/ca.pem");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_get_headers),     cmocka_unit_test(test_post_body),
	    cmocka_unit_test(test_head),            cmocka_unit_test(test_error_status_is_answer),
	    cmocka_unit_test(test_redirects),       cmocka_unit_test(test_max_body),
	    cmocka_unit_test(test_timeout),         cmocka_unit_test(test_unreachable),
	    cmocka_unit_test(test_https_ca_file),   cmocka_unit_test(test_https_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
