/* SPDX-License-Identifier: MPL-2.0 */
/* Every public function of p11cert.h called with NULL and bad arguments:
 * P11C_EUSAGE and a message naming the function and the argument, never a
 * crash, never "(null)".  Each function's test is in the part of its
 * header (test_args_cert.c ...); PUBLIC_FUNCTIONS (argstest.h) lists them
 * all, and this file holds that list against the header and against what
 * libp11cert.so exports (nm -D), so a new function without a test fails
 * the suite; and the refusals on a closed and an open handle. */
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

/* ---- helpers ---- */

int args_failures;

void usage_is(const p11c_db *h, int rc, const char *call, const char *func, const char *what)
{
	const char *msg = p11c_last_error(h);
	if (rc == P11C_EUSAGE && msg && strstr(msg, func) && strstr(msg, what) &&
	    !strstr(msg, "(null)"))
		return;
	print_error("%s\n  got:    %d '%s'\n  wanted: %d and a message with '%s' and '%s'\n", call,
	            rc, msg ? msg : "NULL", P11C_EUSAGE, func, what);
	args_failures++;
}

void no_failures(void)
{
	int n = args_failures;
	args_failures = 0;
	if (n)
		fail_msg("%d call(s) did not give P11C_EUSAGE naming the argument", n);
}

static int setup(void **state)
{
	p11c_db *db = NULL;
	if (p11c_db_new(&db) != P11C_OK)
		return -1;
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	p11c_db_free(*state);
	return 0;
}

int args_prompt(const char *token, char *buf, size_t size, void *arg)
{
	(void)token, (void)buf, (void)size, (void)arg;
	return -1;
}

void args_log_line(const char *line, void *arg)
{
	(void)line, (void)arg;
}

/* ---- the list above is the whole API ---- */

#define NAME_OF(fn) #fn,
static const char *const tested[] = {PUBLIC_FUNCTIONS(NAME_OF) NULL};

static int is_tested(const char *name)
{
	for (size_t i = 0; tested[i]; i++)
		if (!strcmp(tested[i], name))
			return 1;
	return 0;
}

/* Each name on the lines of cmd's output (or of a file, when cmd starts
 * with '<'), taken by scanf's fmt, must be in PUBLIC_FUNCTIONS; returns
 * how many names there were. */
static size_t names_tested(const char *what, FILE *in, size_t *untested)
{
	char line[1024], name[256];
	size_t n = 0;
	while (fgets(line, sizeof(line), in)) {
		/* the first p11c_ name that is called (a return type such as
		 * p11c_errc comes before it) */
		const char *p = strstr(line, "p11c_");
		int header = !strcmp(what, "header");
		while (p && (sscanf(p, "%255[a-z0-9_]", name) != 1 ||
		             (header && p[strlen(name)] != '(')))
			p = strstr(p + 1, "p11c_");
		if (!p)
			continue;
		/* the header: declarations only ("p11c_x(" at a line's first call) */
		if (!strcmp(what, "header") &&
		    (strncmp(p + strlen(name), "(", 1) || strstr(line, "typedef") ||
		     line[0] == ' ' || line[0] == '\t' || line[0] == '/' || line[0] == '#'))
			continue;
		n++;
		if (!is_tested(name)) {
			print_error("%s has %s, which test_args.c does not test\n", what, name);
			(*untested)++;
		}
	}
	return n;
}

/* p11cert.h and each header it includes ("p11cert/cert.h" ...). */
static void test_api_list_is_the_header(void **state)
{
	(void)state;
	const char *header = getenv("P11C_HEADER");
	if (!header)
		skip();
	FILE *f = fopen(header, "r");
	assert_non_null(f);
	size_t untested = 0, n = 0, parts = 0;
	char line[1024], part[256], path[1400];
	const char *slash = strrchr(header, '/');
	int dirlen = slash ? (int)(slash - header) : 1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "#include \"%255[^\"]\"", part) != 1)
			continue;
		snprintf(path, sizeof(path), "%.*s/%s", dirlen, slash ? header : ".", part);
		FILE *h = fopen(path, "r");
		if (!h)
			print_error("cannot open %s, which %s includes\n", path, header);
		assert_non_null(h);
		n += names_tested("header", h, &untested);
		fclose(h);
		parts++;
	}
	fclose(f);
	assert_true(parts > 0);
	size_t want = sizeof(tested) / sizeof(tested[0]) - 1;
	if (n != want)
		print_error("the headers declare %zu functions; test_args.c lists %zu\n", n, want);
	assert_int_equal(untested, 0);
	assert_int_equal(n, want);
}

static void test_api_list_is_the_exports(void **state)
{
	(void)state;
	const char *so = getenv("P11C_LIBRARY");
	if (!so)
		skip();
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "nm -D --defined-only '%s'", so);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t untested = 0, n = names_tested("libp11cert.so", p, &untested);
	int status = pclose(p);
	size_t want = sizeof(tested) / sizeof(tested[0]) - 1;
	if (status != 0)
		print_error("%s: exit status %d\n", cmd, status);
	if (n != want)
		print_error("libp11cert.so exports %zu p11c_ functions; test_args.c lists %zu\n", n,
		            want);
	assert_int_equal(status, 0);
	assert_int_equal(untested, 0);
	assert_int_equal(n, want);
}

/* ---- an open handle: the same refusals, and the database unchanged ---- */

static char tmpdir[] = "/tmp/p11c-args-XXXXXX";

static char *certutil(const char *dir, const char *args)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "certutil -d 'sql:%s' %s -f '%s/sslpassword.conf' 2>&1", dir,
	         args, dir);
	FILE *p = popen(cmd, "r");
	if (!p)
		return NULL;
	char *out = calloc(1, 65536);
	size_t n = out ? fread(out, 1, 65535, p) : 0;
	(void)n;
	pclose(p);
	return out;
}

static void test_args_open_handle_refused_unchanged(void **state)
{
	p11c_db *db = *state;
	char dir[sizeof(tmpdir) + 8];
	p11c_generate_opts g = P11C_GENERATE_OPTS_INIT;
	p11c_selfsign_opts s = P11C_SELFSIGN_OPTS_INIT;
	p11c_dn_fields cn = P11C_DN_FIELDS_INIT;
	p11c_list_opts lo = P11C_LIST_OPTS_INIT;
	p11c_cert_listing *list = NULL;
	cn.cn = "args.example";
	assert_non_null(mkdtemp(tmpdir));
	snprintf(dir, sizeof(dir), "%s/db", tmpdir);
	g.flags = P11C_GENERATE_NO_DEFAULT_CERT | P11C_GENERATE_NO_P11KIT;
	if (p11c_db_generate(db, dir, &g) != P11C_OK)
		fail_msg("p11c_db_generate: %s", p11c_last_error(db));
	s.fields = &cn;
	s.key_type = "ec:p256";
	if (p11c_cert_selfsign(db, "kept", &s) != P11C_OK)
		fail_msg("p11c_cert_selfsign: %s", p11c_last_error(db));
	char *before_l = certutil(dir, "-L"), *before_k = certutil(dir, "-K");
	assert_non_null(before_l);
	assert_non_null(strstr(before_l, "kept"));

	USAGE(db, p11c_db_open(db, dir, 0), p11c_db_open,
	      "db already has database '/tmp/p11c-args-");
	USAGE(db, p11c_db_generate(db, dir, NULL), p11c_db_generate, "db already has database");
	p11c_upgrade_report *r = NULL;
	USAGE(db, p11c_db_upgrade(db, dir, &r), p11c_db_upgrade, "db already has database");
	assert_null(r);
	USAGE(db, p11c_cert_selfsign(db, "", &s), p11c_cert_selfsign, "alias is empty");
	USAGE(db, p11c_cert_remove(db, NULL, 0), p11c_cert_remove, "alias is NULL");
	USAGE(db, p11c_cert_add(db, "kept", NULL, NULL, NULL), p11c_cert_add, "path is NULL");
	lo.which = (p11c_list_kind)9;
	USAGE(db, p11c_cert_list(db, &lo, &list), p11c_cert_list, "which is 9");
	lo.which = P11C_LIST_KEYS;
	USAGE(db, p11c_cert_renew_selfsign(db, NULL, 30, P11C_RENEW_NEW_KEY),
	      p11c_cert_renew_selfsign, "alias is NULL");
	USAGE(db, p11c_module_remove(db, ""), p11c_module_remove, "name is empty");
	USAGE(db, p11c_token_change_password(db, "", NULL, NULL), p11c_token_change_password,
	      "token is empty");
	p11c_fixture_opts fo = P11C_FIXTURE_OPTS_INIT;
	fo.host = "localhost";
	USAGE(db, p11c_fixture_create(db, dir, &fo), p11c_fixture_create,
	      "db already has database");
	assert_string_equal(p11c_db_dir(db), dir);
	assert_int_equal(p11c_cert_list(db, &lo, &list), P11C_OK);
	assert_int_equal(p11c_cert_listing_count(list), 1);
	assert_string_equal(p11c_cert_alias(p11c_cert_listing_get(list, 0)), "kept");
	assert_null(p11c_cert_listing_get(list, 1));
	p11c_cert_listing_free(list);

	char *after_l = certutil(dir, "-L"), *after_k = certutil(dir, "-K");
	if (strcmp(before_l, after_l) || strcmp(before_k, after_k))
		print_error("certutil -L/-K changed:\n  before: %s%s  after:  %s%s", before_l,
		            before_k, after_l, after_k);
	assert_string_equal(before_l, after_l);
	assert_string_equal(before_k, after_k);
	free(before_l), free(before_k), free(after_l), free(after_k);
	no_failures();
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
}

/* A handle with no database: every call that needs one refuses it. */
static void test_args_closed_handle_refused(void **state)
{
	p11c_db *db = *state;
	p11c_selfsign_opts s = P11C_SELFSIGN_OPTS_INIT;
	p11c_cert_listing *list = NULL;
	p11c_cert *info = NULL;
	p11c_token_listing *tokens = NULL;
	p11c_chain *c = NULL;
	p11c_check_report *rep_c = NULL;
	char *str = NULL;
	unsigned char *buf = NULL;
	size_t n = 0, len = 0;
	CLOSED(p11c_cert_selfsign(db, "a", &s));
	CLOSED(p11c_cert_list(db, NULL, &list));
	CLOSED(p11c_alias_qualify(db, "hsm", "a", &str));
	CLOSED(p11c_cert_show(db, "a", &info));
	CLOSED(p11c_cert_remove(db, "a", 0));
	CLOSED(p11c_cert_verify(db, "a", P11C_USAGE_EMAIL, 0, &c));
	CLOSED(p11c_cert_export(db, "a", P11C_CERT_EXPORT_PEM, &buf, &len));
	CLOSED(p11c_token_list(db, &tokens));
	CLOSED(p11c_token_label(db, "internal", &str));
	CLOSED(p11c_db_check(db, NULL, &rep_c));
	CLOSED(p11c_module_remove(db, "m"));
	CLOSED(p11c_trust_export(db, P11C_USAGE_EMAIL, P11C_TRUST_FORMAT_PEM, NULL, &buf, &len, &n));
	p11c_export_report *rep = NULL;
	CLOSED(p11c_export_sync(db, 0, &rep));
	CLOSED(p11c_chain_fetch(db, "smtp://127.0.0.1:1", NULL, &c));
	no_failures();
}

#define UNIT_TEST(fn) cmocka_unit_test_setup_teardown(test_args_##fn, setup, teardown),

int main(void)
{
	const struct CMUnitTest tests[] = {
	    PUBLIC_FUNCTIONS(UNIT_TEST) cmocka_unit_test(test_api_list_is_the_header),
	    cmocka_unit_test(test_api_list_is_the_exports),
	    cmocka_unit_test_setup_teardown(test_args_closed_handle_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_args_open_handle_refused_unchanged, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
