/* SPDX-License-Identifier: MPL-2.0 */
/* The challenge answerers (acmesolve.c): webroot files (stat), the
 * http-01 port (curl), the dns-01 hook and its wait (pebble-challtestsrv's
 * DNS, set through its management API), the caller's solver. */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "freeport.h"
#include "acmesolve.h"
#include "internal.h"

typedef struct {
	p11c_db *db;
	char dir[64];
	pid_t challtestsrv;
	int dns_port, mgmt_port;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	if (!f || p11c_db_new(&f->db) != P11C_OK)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s", "/tmp/p11cert-solve.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char cmd[128];
	if (f->challtestsrv > 0) {
		kill(f->challtestsrv, SIGTERM);
		waitpid(f->challtestsrv, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	p11c_db_free(f->db);
	free(f);
	return 0;
}

static void run(const char *cmd)
{
	int st = system(cmd);
	if (st != 0)
		fail_msg("'%s': status %d, wanted 0", cmd, st);
}

static void expect_str(const char *what, const char *got, const char *want)
{
	if (!got || strcmp(got, want))
		fail_msg("%s: got '%s', wanted '%s'", what, got ? got : "(null)", want);
}

static void expect_in(const char *what, const char *got, const char *want)
{
	if (!got || !strstr(got, want))
		fail_msg("%s: got '%s', wanted it to contain '%s'", what, got ? got : "(null)",
		         want);
}

static void read_text(const char *path, char *out, size_t len)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		fail_msg("cannot read '%s': %s", path, strerror(errno));
	size_t n = fread(out, 1, len - 1, fp);
	out[n] = '\0';
	fclose(fp);
}

static p11c_acme_challenge http_ch = {.type = "http-01",
                                      .domain = "x.test",
                                      .token = "Tok-en_1",
                                      .key_auth = "Tok-en_1.thumbprint",
                                      .dns_name = "_acme-challenge.x.test",
                                      .dns_value = "dnsvalue"};

static void test_webroot_file_appears_and_vanishes(void **state)
{
	fixture *f = *state;
	char file[256], dir[256], got[256];
	struct stat st;
	p11c_acme_issue_opts o = P11C_ACME_ISSUE_OPTS_INIT;
	o.method = P11C_ACME_WEBROOT;
	o.webroot = f->dir;
	p11c_acme_answerer *a = NULL;
	assert_int_equal(p11c_acme_answerer_open(f->db, &o, &a), P11C_OK);
	expect_str("type", p11c_acme_answerer_type(a), "http-01");
	if (p11c_acme_answerer_set(a, &http_ch, 10) != P11C_OK)
		fail_msg("set: %s", p11c_last_error(f->db));
	snprintf(file, sizeof(file), "%s/.well-known/acme-challenge/Tok-en_1", f->dir);
	assert_int_equal(stat(file, &st), 0);
	if ((st.st_mode & 07777) != 0644)
		fail_msg("mode of %s: got %04o, wanted 0644", file, st.st_mode & 07777);
	read_text(file, got, sizeof(got));
	expect_str(file, got, "Tok-en_1.thumbprint");
	p11c_acme_answerer_clear(a, &http_ch);
	snprintf(dir, sizeof(dir), "%s/.well-known", f->dir);
	if (stat(dir, &st) == 0)
		fail_msg("%s: still there after clear, wanted gone", dir);
	p11c_acme_answerer_close(a);
}

static void test_webroot_keeps_dirs_it_did_not_make(void **state)
{
	fixture *f = *state;
	char dir[256];
	struct stat st;
	snprintf(dir, sizeof(dir), "%s/.well-known", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	p11c_acme_issue_opts o = P11C_ACME_ISSUE_OPTS_INIT;
	o.method = P11C_ACME_WEBROOT;
	o.webroot = f->dir;
	p11c_acme_answerer *a = NULL;
	assert_int_equal(p11c_acme_answerer_open(f->db, &o, &a), P11C_OK);
	assert_int_equal(p11c_acme_answerer_set(a, &http_ch, 10), P11C_OK);
	p11c_acme_answerer_clear(a, &http_ch);
	p11c_acme_answerer_close(a);
	if (stat(dir, &st) != 0)
		fail_msg("%s: removed, wanted kept (it was there before)", dir);
	snprintf(dir, sizeof(dir), "%s/.well-known/acme-challenge", f->dir);
	if (stat(dir, &st) == 0)
		fail_msg("%s: kept, wanted removed (made by the answerer)", dir);
}

static void test_webroot_refuses_path_tokens(void **state)
{
	fixture *f = *state;
	const char *bad[] = {"../../etc/x", "a/b", "..", ""};
	p11c_acme_issue_opts o = P11C_ACME_ISSUE_OPTS_INIT;
	o.method = P11C_ACME_WEBROOT;
	o.webroot = f->dir;
	p11c_acme_answerer *a = NULL;
	assert_int_equal(p11c_acme_answerer_open(f->db, &o, &a), P11C_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		p11c_acme_challenge ch = http_ch;
		ch.token = bad[i];
		assert_int_equal(p11c_acme_answerer_set(a, &ch, 10), P11C_EFAIL);
		expect_in("message", p11c_last_error(f->db), "is not base64url");
	}
	p11c_acme_answerer_close(a);
	DIR *d = opendir(f->dir);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	if (n)
		fail_msg("%s: %d entries after refused tokens, wanted 0", f->dir, n);
}

static void test_webroot_missing_dir(void **state)
{
	fixture *f = *state;
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/nope", f->dir);
	p11c_acme_issue_opts o = P11C_ACME_ISSUE_OPTS_INIT;
	o.method = P11C_ACME_WEBROOT;
	o.webroot = dir;
	p11c_acme_answerer *a = NULL;
	assert_int_equal(p11c_acme_answerer_open(f->db, &o, &a), P11C_ENOTFOUND);
	assert_null(a);
	expect_in("message", p11c_last_error(f->db), "cannot use webroot '");
}

static void test_http01_port_answers(void **state)
{
	fixture *f = *state;
	char cmd[512], got[256], out[256];
	int port = free_port();
	p11c_acme_issue_opts o = P11C_ACME_ISSUE_OPTS_INIT;
	o.method = P11C_ACME_HTTP01_PORT;
	o.http01_port = port;
	o.http01_address = "127.0.0.1";
	p11c_acme_answerer *a = NULL;
	if (p11c_acme_answerer_open(f->db, &o, &a) != P11C_OK)
		fail_msg("open: %s", p11c_last_error(f->db));
	assert_int_equal(p11c_acme_answerer_set(a, &http_ch, 10), P11C_OK);
	snprintf(out, sizeof(out), "%s/curl", f->dir);
	snprintf(cmd, sizeof(cmd),
	         "curl -s --max-time 10 -o %s http://127.0.0.1:%d/.well-known/acme-challenge/%s",
	         out, port, http_ch.token);
	run(cmd);
	read_text(out, got, sizeof(got));
	expect_str("curl", got, http_ch.key_auth);
	p11c_acme_answerer_clear(a, &http_ch);
	snprintf(cmd, sizeof(cmd),
	         "test \"$(curl -s --max-time 10 -o /dev/null -w '%%{http_code}' "
	         "http://127.0.0.1:%d/.well-known/acme-challenge/%s)\" = 404",
	         port, http_ch.token);
	run(cmd);
	/* the port is taken while it answers */
	p11c_acme_answerer *b = NULL;
	assert_int_equal(p11c_acme_answerer_open(f->db, &o, &b), P11C_EFAIL);
	expect_in("message", p11c_last_error(f->db), "http-01: cannot answer on 127.0.0.1 port");
	p11c_acme_answerer_close(a);
}

/* pebble-challtestsrv with only its DNS server and management API. */
static int start_challtestsrv(fixture *f)
{
	char dns[32], mgmt[32], cmd[160];
	if (system("command -v pebble-challtestsrv >/dev/null 2>&1") != 0) {
		if (getenv("CI") && !strcmp(getenv("CI"), "true"))
			fail_msg("pebble-challtestsrv is missing (CI=true)");
		return 0;
	}
	f->dns_port = free_port();
	f->mgmt_port = free_port();
	snprintf(dns, sizeof(dns), "127.0.0.1:%d", f->dns_port);
	snprintf(mgmt, sizeof(mgmt), "127.0.0.1:%d", f->mgmt_port);
	f->challtestsrv = fork();
	assert_true(f->challtestsrv >= 0);
	if (f->challtestsrv == 0) {
		freopen("/dev/null", "w", stdout);
		execlp("pebble-challtestsrv", "pebble-challtestsrv", "-dns01", dns, "-management",
		       mgmt, "-http01", "", "-https01", "", "-tlsalpn01", "", (char *)NULL);
		_exit(127);
	}
	snprintf(cmd, sizeof(cmd),
	         "for i in $(seq 100); do curl -s -o /dev/null -d '{}' "
	         "http://127.0.0.1:%d/clear-txt && exit 0; sleep 0.1; done; exit 1",
	         f->mgmt_port);
	run(cmd);
	return 1;
}

/* A hook that records its arguments and sets (or clears) the TXT record
 * through challtestsrv's management API. */
static void write_hook(fixture *f, char *hook, size_t len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/hook", f->dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp,
	        "#!/bin/sh\n"
	        "printf '%%s|' \"$@\" >> %s/args; echo >> %s/args\n"
	        "case $1 in\n"
	        "set) curl -sf -d \"{\\\"host\\\":\\\"$2.\\\",\\\"value\\\":\\\"$3\\\"}\" "
	        "http://127.0.0.1:%d/set-txt ;;\n"
	        "clear) curl -sf -d \"{\\\"host\\\":\\\"$2.\\\"}\" "
	        "http://127.0.0.1:%d/clear-txt ;;\n"
	        "esac\n",
	        f->dir, f->dir, f->mgmt_port, f->mgmt_port);
	fclose(fp);
	assert_int_equal(chmod(path, 0755), 0);
	snprintf(hook, len, "%s", path);
}

static void test_dns_hook_sets_and_waits(void **state)
{
	fixture *f = *state;
	char hook[300], server[32], args[512], want[512], path[256];
	if (!start_challtestsrv(f))
		skip();
	write_hook(f, hook, sizeof(hook));
	snprintf(server, sizeof(server), "127.0.0.1:%d", f->dns_port);
	p11c_acme_issue_opts o = P11C_ACME_ISSUE_OPTS_INIT;
	o.method = P11C_ACME_DNS_HOOK;
	o.dns_hook = hook;
	o.dns_server = server;
	p11c_acme_answerer *a = NULL;
	assert_int_equal(p11c_acme_answerer_open(f->db, &o, &a), P11C_OK);
	expect_str("type", p11c_acme_answerer_type(a), "dns-01");
	if (p11c_acme_answerer_set(a, &http_ch, 10) != P11C_OK)
		fail_msg("set: %s", p11c_last_error(f->db));
	p11c_acme_answerer_clear(a, &http_ch);
	p11c_acme_answerer_close(a);
	snprintf(path, sizeof(path), "%s/args", f->dir);
	read_text(path, args, sizeof(args));
	snprintf(want, sizeof(want),
	         "set|_acme-challenge.x.test|dnsvalue|\nclear|_acme-challenge.x.test|dnsvalue|\n");
	/* a bare command gets set|clear NAME VALUE as its arguments */
	expect_str("hook's arguments", args, want);
}

static void test_dns_wait_times_out(void **state)
{
	fixture *f = *state;
	char server[32];
	if (!start_challtestsrv(f))
		skip();
	snprintf(server, sizeof(server), "127.0.0.1:%d", f->dns_port);
	p11c_acme_issue_opts o = P11C_ACME_ISSUE_OPTS_INIT;
	o.method = P11C_ACME_DNS_HOOK;
	o.dns_hook = "true";
	o.dns_server = server;
	p11c_acme_answerer *a = NULL;
	assert_int_equal(p11c_acme_answerer_open(f->db, &o, &a), P11C_OK);
	time_t t0 = time(NULL);
	assert_int_equal(p11c_acme_answerer_set(a, &http_ch, 2), P11C_EFAIL);
	if (time(NULL) - t0 > 6)
		fail_msg("wait of 2 s took %lld s", (long long)(time(NULL) - t0));
	expect_in("message", p11c_last_error(f->db),
	          "the TXT record of '_acme-challenge.x.test' did not show 'dnsvalue' within 2 s");
	p11c_acme_answerer_close(a);
}

static void test_dns_hook_failure_named(void **state)
{
	fixture *f = *state;
	p11c_acme_issue_opts o = P11C_ACME_ISSUE_OPTS_INIT;
	o.method = P11C_ACME_DNS_HOOK;
	o.dns_hook = "exit 3";
	p11c_acme_answerer *a = NULL;
	assert_int_equal(p11c_acme_answerer_open(f->db, &o, &a), P11C_OK);
	assert_int_equal(p11c_acme_answerer_set(a, &http_ch, 10), P11C_EFAIL);
	expect_str("message", p11c_last_error(f->db),
	           "dns-01 hook 'exit 3' set '_acme-challenge.x.test' failed: exit status 3");
	p11c_acme_answerer_close(a);
	/* a command line sees them as $1 $2 $3 */
	char hook[256], path[200], got[256];
	snprintf(path, sizeof(path), "%s/seen", f->dir);
	snprintf(hook, sizeof(hook), "echo \"$1 $2 $3\" > %s; exit 4", path);
	o.dns_hook = hook;
	assert_int_equal(p11c_acme_answerer_open(f->db, &o, &a), P11C_OK);
	assert_int_equal(p11c_acme_answerer_set(a, &http_ch, 10), P11C_EFAIL);
	expect_in("message", p11c_last_error(f->db), "failed: exit status 4");
	read_text(path, got, sizeof(got));
	expect_str("$1 $2 $3", got, "set _acme-challenge.x.test dnsvalue\n");
	p11c_acme_answerer_close(a);
	/* a hook that hangs is killed after the wait */
	o.dns_hook = "sleep 30";
	assert_int_equal(p11c_acme_answerer_open(f->db, &o, &a), P11C_OK);
	time_t t0 = time(NULL);
	assert_int_equal(p11c_acme_answerer_set(a, &http_ch, 1), P11C_EFAIL);
	if (time(NULL) - t0 > 5)
		fail_msg("a wait of 1 s took %lld s", (long long)(time(NULL) - t0));
	expect_in("message", p11c_last_error(f->db), "failed: still running after 1 s, killed");
	p11c_acme_answerer_close(a);
	o.dns_server = "not-an-address:53";
	o.dns_hook = "true";
	assert_int_equal(p11c_acme_answerer_open(f->db, &o, &a), P11C_OK);
	assert_int_equal(p11c_acme_answerer_set(a, &http_ch, 10), P11C_EUSAGE);
	expect_in("message", p11c_last_error(f->db), "DNS server 'not-an-address:53'");
	p11c_acme_answerer_close(a);
}

typedef struct {
	int sets, clears, rc;
	char domain[64], key_auth[64];
} calls;

static int cb_set(const p11c_acme_challenge *ch, void *arg)
{
	calls *c = arg;
	c->sets++;
	snprintf(c->domain, sizeof(c->domain), "%s", p11c_acme_challenge_domain(ch));
	snprintf(c->key_auth, sizeof(c->key_auth), "%s", p11c_acme_challenge_key_auth(ch));
	return c->rc;
}

static int cb_clear(const p11c_acme_challenge *ch, void *arg)
{
	(void)ch;
	((calls *)arg)->clears++;
	return P11C_OK;
}

static void test_callback_called(void **state)
{
	fixture *f = *state;
	calls c = {0};
	p11c_acme_solver s = {sizeof(s), "dns-01", cb_set, cb_clear, &c};
	p11c_acme_issue_opts o = P11C_ACME_ISSUE_OPTS_INIT;
	o.method = P11C_ACME_CALLBACK;
	o.solver = &s;
	p11c_acme_answerer *a = NULL;
	assert_int_equal(p11c_acme_answerer_open(f->db, &o, &a), P11C_OK);
	expect_str("type", p11c_acme_answerer_type(a), "dns-01");
	assert_int_equal(p11c_acme_answerer_set(a, &http_ch, 10), P11C_OK);
	p11c_acme_answerer_clear(a, &http_ch);
	assert_int_equal(c.sets, 1);
	assert_int_equal(c.clears, 1);
	expect_str("domain", c.domain, "x.test");
	expect_str("key_auth", c.key_auth, "Tok-en_1.thumbprint");
	c.rc = P11C_ETOKEN;
	assert_int_equal(p11c_acme_answerer_set(a, &http_ch, 10), P11C_ETOKEN);
	expect_in("message", p11c_last_error(f->db),
	          "the solver cannot answer dns-01 for 'x.test'");
	p11c_acme_answerer_close(a);
	s.type = "tls-alpn-01";
	assert_int_equal(p11c_acme_answerer_open(f->db, &o, &a), P11C_EUSAGE);
}

static void test_accessors_and_names(void **state)
{
	(void)state;
	expect_str("type", p11c_acme_challenge_type(&http_ch), "http-01");
	expect_str("token", p11c_acme_challenge_token(&http_ch), "Tok-en_1");
	expect_str("dns name", p11c_acme_challenge_dns_name(&http_ch), "_acme-challenge.x.test");
	expect_str("dns value", p11c_acme_challenge_dns_value(&http_ch), "dnsvalue");
	assert_null(p11c_acme_challenge_domain(NULL));
	expect_str("name", p11c_acme_method_name(P11C_ACME_WEBROOT), "webroot");
	expect_str("name", p11c_acme_method_name(P11C_ACME_DNS_HOOK), "dns-hook");
	expect_str("name", p11c_acme_method_name(P11C_ACME_HTTP01_PORT), "http01-port");
	expect_str("name", p11c_acme_method_name(P11C_ACME_CALLBACK), "callback");
	expect_str("name", p11c_acme_method_name((p11c_acme_method)9), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_webroot_file_appears_and_vanishes, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_webroot_keeps_dirs_it_did_not_make, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_webroot_refuses_path_tokens, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_webroot_missing_dir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_http01_port_answers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dns_hook_sets_and_waits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dns_wait_times_out, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dns_hook_failure_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_callback_called, setup, teardown),
	    cmocka_unit_test(test_accessors_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
