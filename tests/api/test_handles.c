/* SPDX-License-Identifier: MPL-2.0 */
/* Several p11c_db handles open at once, each on its own database, and one
 * beside the program's own NSS: each writes to its database only, checked
 * with certutil -L / -K on every directory. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "apitest.h"
#include <nss.h>
#include <pk11pub.h>
#include <cert.h>

#include "p11cert.h"

static char root[256];

/* A fresh directory under the test's temporary root. */
static void dir_for(const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", root, name);
}

#define run api_run
#define write_file(path, text) api_write_file((path), (text), strlen(text), 0600)

/* A database made by certutil (the independent peer), with its password
 * file DIR/sslpassword.conf. */
static void make_db(const char *dir, const char *pw)
{
	char path[512], line[256];
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/sslpassword.conf", dir);
	snprintf(line, sizeof(line), "NSS Certificate DB:%s\n", pw);
	write_file(path, line);
	/* certutil -f reads the first line as the password */
	char plain[512];
	snprintf(plain, sizeof(plain), "%s/.pw", dir);
	snprintf(line, sizeof(line), "%s\n", pw);
	write_file(plain, line);
	char *out = run("certutil -N -d 'sql:%s' -f '%s' 2>&1", dir, plain);
	free(out);
}

static p11c_db *open_db(const char *dir)
{
	p11c_db *db = NULL;
	char path[512];
	assert_int_equal(p11c_db_new(&db), P11C_OK);
	snprintf(path, sizeof(path), "%s/sslpassword.conf", dir);
	assert_int_equal(p11c_db_set_password_file(db, path), P11C_OK);
	int rc = p11c_db_open(db, dir, P11C_OPEN_NO_P11KIT);
	if (rc)
		print_error("open '%s': got %d (%s), wanted 0\n", dir, rc, p11c_last_error(db));
	assert_int_equal(rc, P11C_OK);
	return db;
}

static void selfsign(p11c_db *db, const char *alias)
{
	char dn[128];
	snprintf(dn, sizeof(dn), "CN=%s", alias);
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	o.subject = dn;
	o.key_type = "ec:p256";
	int rc = p11c_cert_selfsign(db, alias, &o);
	if (rc)
		print_error("selfsign '%s' on '%s': got %d (%s), wanted 0\n", alias,
		            p11c_db_dir(db), rc, p11c_last_error(db));
	assert_int_equal(rc, P11C_OK);
}

/* certutil -L and -K on dir show alias exactly when want. */
static void expect_in(const char *dir, const char *alias, int want)
{
	char *l = run("certutil -d 'sql:%s' -L 2>&1", dir);
	char *k = run("certutil -d 'sql:%s' -K -f '%s/.pw' 2>&1", dir, dir);
	int in_l = strstr(l, alias) != NULL, in_k = strstr(k, alias) != NULL;
	if (in_l != want || in_k != want)
		print_error("'%s' in '%s': got -L %d, -K %d, wanted %d\n-L:\n%s-K:\n%s\n", alias,
		            dir, in_l, in_k, want, l, k);
	free(l);
	free(k);
	assert_int_equal(in_l, want);
	assert_int_equal(in_k, want);
}

/* The handle's listing holds alias exactly when want. */
static void expect_listed(p11c_db *db, const char *alias, int want)
{
	p11c_list_opts o = P11C_LIST_OPTS_INIT;
	o.which = P11C_LIST_ALL;
	p11c_cert_listing *list = NULL;
	int rc = p11c_cert_list(db, &o, &list);
	size_t n = p11c_cert_listing_count(list);
	if (rc)
		print_error("list on '%s': %d (%s)\n", p11c_db_dir(db), rc, p11c_last_error(db));
	assert_int_equal(rc, P11C_OK);
	int seen = 0;
	for (size_t i = 0; i < n; i++)
		seen |= !strcmp(p11c_cert_alias(p11c_cert_listing_get(list, i)), alias);
	if (seen != want) {
		print_error("'%s' listed by the handle on '%s': got %d, wanted %d; it lists:\n",
		            alias, p11c_db_dir(db), seen, want);
		for (size_t i = 0; i < n; i++)
			print_error("  '%s' (token '%s')\n",
			            p11c_cert_alias(p11c_cert_listing_get(list, i)),
			            p11c_cert_token(p11c_cert_listing_get(list, i)));
	}
	p11c_cert_listing_free(list);
	assert_int_equal(seen, want);
}

static void two_handles(const char *pa, const char *pb, const char *tag)
{
	char a[512], b[512], na[64], nb[64];
	snprintf(na, sizeof(na), "%s-a", tag);
	snprintf(nb, sizeof(nb), "%s-b", tag);
	dir_for(na, a, sizeof(a));
	dir_for(nb, b, sizeof(b));
	make_db(a, pa);
	make_db(b, pb);
	p11c_db *da = open_db(a), *db = open_db(b);
	selfsign(db, "meant-for-b");
	selfsign(da, "meant-for-a");
	expect_listed(da, "meant-for-a", 1);
	expect_listed(da, "meant-for-b", 0);
	expect_listed(db, "meant-for-b", 1);
	expect_listed(db, "meant-for-a", 0);
	/* An alias taken in the other database is free in this one. */
	selfsign(db, "meant-for-a");
	p11c_db_free(da);
	p11c_db_free(db);
	expect_in(a, "meant-for-a", 1);
	expect_in(a, "meant-for-b", 0);
	expect_in(b, "meant-for-b", 1);
	expect_in(b, "meant-for-a", 1);
}

static void test_two_same_password(void **state)
{
	(void)state;
	two_handles("same-secret", "same-secret", "same");
}

static void test_two_different_passwords(void **state)
{
	(void)state;
	two_handles("secret-of-a", "secret-of-b", "diff");
}

/* Two open, a third generating its database, all three writing. */
static void test_three_one_generating(void **state)
{
	(void)state;
	char a[512], b[512], c[512], path[600];
	dir_for("three-a", a, sizeof(a));
	dir_for("three-b", b, sizeof(b));
	dir_for("three-c", c, sizeof(c));
	make_db(a, "pw-a");
	make_db(b, "pw-b");
	p11c_db *da = open_db(a), *db = open_db(b), *dc = NULL;
	assert_int_equal(p11c_db_new(&dc), P11C_OK);
	p11c_generate_opts g = P11C_GENERATE_OPTS_INIT;
	g.flags = P11C_GENERATE_NO_DEFAULT_CERT | P11C_GENERATE_NO_P11KIT;
	int rc = p11c_db_generate(dc, c, &g);
	if (rc)
		print_error("generate '%s': got %d (%s), wanted 0\n", c, rc, p11c_last_error(dc));
	assert_int_equal(rc, P11C_OK);
	selfsign(dc, "third");
	selfsign(da, "first");
	selfsign(db, "second");
	expect_listed(dc, "third", 1);
	expect_listed(dc, "first", 0);
	p11c_db_free(dc);
	/* The generated database's password file unlocks it for certutil. */
	snprintf(path, sizeof(path), "%s/.pw", c);
	char *pw = run("sed -n 's/^NSS Certificate DB://p' '%s/sslpassword.conf'", c);
	write_file(path, pw);
	free(pw);
	expect_in(c, "third", 1);
	expect_in(c, "first", 0);
	expect_in(c, "second", 0);
	/* The others still work after the third has gone. */
	selfsign(da, "first-again");
	selfsign(db, "second-again");
	p11c_db_free(db);
	selfsign(da, "first-last");
	p11c_db_free(da);
	expect_in(a, "first", 1);
	expect_in(a, "first-again", 1);
	expect_in(a, "first-last", 1);
	expect_in(a, "second", 0);
	expect_in(a, "third", 0);
	expect_in(b, "second", 1);
	expect_in(b, "second-again", 1);
	expect_in(b, "first", 0);
}

/* The first handle closes; the second goes on, and a third reopens the
 * first's database beside it. */
static void test_close_first(void **state)
{
	(void)state;
	char a[512], b[512];
	dir_for("close-a", a, sizeof(a));
	dir_for("close-b", b, sizeof(b));
	make_db(a, "pw-close-a");
	make_db(b, "pw-close-b");
	p11c_db *da = open_db(a), *db = open_db(b);
	selfsign(da, "before-close");
	p11c_db_free(da);
	selfsign(db, "after-close");
	p11c_db *again = open_db(a);
	selfsign(again, "reopened");
	expect_listed(again, "before-close", 1);
	expect_listed(again, "after-close", 0);
	expect_listed(db, "reopened", 0);
	p11c_db_free(again);
	p11c_db_free(db);
	expect_in(a, "before-close", 1);
	expect_in(a, "reopened", 1);
	expect_in(a, "after-close", 0);
	expect_in(b, "after-close", 1);
	expect_in(b, "reopened", 0);
}

/* A second read-write handle on a database this process already writes
 * is refused at once (it would wait on its own lock), a read-only one is
 * not, and once the first is closed the second opens. */
static void test_same_database_twice(void **state)
{
	(void)state;
	char a[512], path[600];
	dir_for("twice", a, sizeof(a));
	make_db(a, "pw-twice");
	p11c_db *first = open_db(a), *second = NULL, *reader = NULL;
	assert_int_equal(p11c_db_new(&second), P11C_OK);
	snprintf(path, sizeof(path), "%s/sslpassword.conf", a);
	assert_int_equal(p11c_db_set_password_file(second, path), P11C_OK);
	int rc = p11c_db_open(second, a, P11C_OPEN_NO_P11KIT);
	if (rc != P11C_EFAIL || !strstr(p11c_last_error(second), "another handle of this process"))
		print_error("second open: got %d (%s), wanted %d (another handle)\n", rc,
		            p11c_last_error(second), P11C_EFAIL);
	assert_int_equal(rc, P11C_EFAIL);
	assert_non_null(strstr(p11c_last_error(second), "another handle of this process"));
	assert_int_equal(p11c_db_new(&reader), P11C_OK);
	assert_int_equal(p11c_db_set_password_file(reader, path), P11C_OK);
	assert_int_equal(p11c_db_open(reader, a, P11C_OPEN_READONLY | P11C_OPEN_NO_P11KIT), P11C_OK);
	p11c_db_free(reader);
	selfsign(first, "by-first");
	p11c_db_free(first);
	p11c_db_free(second);
	second = open_db(a);
	selfsign(second, "by-second");
	p11c_db_free(second);
	expect_in(a, "by-first", 1);
	expect_in(a, "by-second", 1);
}

/* The program's own NSS_InitContext on one database, a handle on another. */
static void test_beside_own_nss(void **state)
{
	(void)state;
	char mine[512], theirs[512], config[600];
	dir_for("app", mine, sizeof(mine));
	dir_for("lib", theirs, sizeof(theirs));
	make_db(mine, "app-pw");
	make_db(theirs, "lib-pw");
	char *out = run("certutil -d 'sql:%s' -S -n app-cert -s CN=app-cert -x -t CT,, -k ec "
	                "-q nistp256 -z /etc/hostname -f '%s/.pw' 2>&1",
	                mine, mine);
	free(out);
	snprintf(config, sizeof(config), "sql:%s", mine);
	NSSInitContext *ctx = NSS_InitContext(config, "", "", "", NULL, NSS_INIT_NOROOTINIT);
	assert_non_null(ctx);
	p11c_db *db = open_db(theirs);
	selfsign(db, "lib-cert");
	expect_listed(db, "lib-cert", 1);
	expect_listed(db, "app-cert", 0);
	/* The program's NSS still sees its own certificate, by its bare name. */
	CERTCertList *list = PK11_ListCerts(PK11CertListUnique, NULL);
	int app = 0;
	for (CERTCertListNode *n = list ? CERT_LIST_HEAD(list) : NULL; n && !CERT_LIST_END(n, list);
	     n = CERT_LIST_NEXT(n))
		app |= n->cert->nickname && !strcmp(n->cert->nickname, "app-cert");
	if (list)
		CERT_DestroyCertList(list);
	if (!app)
		print_error("the program's PK11_ListCerts: got no 'app-cert', wanted it\n");
	assert_true(app);
	CERTCertificate *c = PK11_FindCertFromNickname("app-cert", NULL);
	assert_non_null(c);
	CERT_DestroyCertificate(c);
	p11c_db_free(db);
	/* ... and after the handle has gone. */
	c = PK11_FindCertFromNickname("app-cert", NULL);
	if (!c)
		print_error("after the handle closed: 'app-cert' not found, wanted it\n");
	assert_non_null(c);
	CERT_DestroyCertificate(c);
	assert_int_equal(NSS_ShutdownContext(ctx), SECSuccess);
	expect_in(theirs, "lib-cert", 1);
	expect_in(theirs, "app-cert", 0);
	expect_in(mine, "app-cert", 1);
	expect_in(mine, "lib-cert", 0);
}

/* A handle on a further database shows, exports, removes and imports
 * back: each in its own database, checked with certutil and pk12util. */
static void test_second_handle_ops(void **state)
{
	(void)state;
	char a[512], b[512], p12[600], pwf[600];
	dir_for("ops-a", a, sizeof(a));
	dir_for("ops-b", b, sizeof(b));
	make_db(a, "pw-ops-a");
	make_db(b, "pw-ops-b");
	snprintf(p12, sizeof(p12), "%s/moving.p12", root);
	snprintf(pwf, sizeof(pwf), "%s/p12.pw", root);
	write_file(pwf, "p12-secret\n");
	p11c_db *da = open_db(a), *dbb = open_db(b);
	selfsign(dbb, "moving");
	p11c_cert *info = NULL;
	int rc = p11c_cert_show(dbb, "moving", &info);
	if (rc)
		print_error("show on b: got %d (%s)\n", rc, p11c_last_error(dbb));
	assert_int_equal(rc, P11C_OK);
	const char *alias = p11c_cert_alias(info), *token = p11c_cert_token(info);
	p11c_key_state key = p11c_cert_key_state(info);
	if (strcmp(alias, "moving") || strcmp(token, "internal") || key != P11C_KEY_PRESENT)
		print_error("show on b: got alias '%s', token '%s', key %s; wanted 'moving', "
		            "'internal', present\n",
		            alias, token, p11c_key_state_name(key));
	assert_string_equal(alias, "moving");
	assert_string_equal(token, "internal");
	assert_int_equal(key, P11C_KEY_PRESENT);
	p11c_cert_free(info);
	assert_int_equal(p11c_cert_show(da, "moving", &info), P11C_ENOTFOUND);
	rc = p11c_cert_export_p12(dbb, "moving", "p12-secret", 0, p12);
	if (rc)
		print_error("export from b: got %d (%s)\n", rc, p11c_last_error(dbb));
	assert_int_equal(rc, P11C_OK);
	char *l = run("pk12util -l '%s' -w '%s' 2>&1", p12, pwf);
	int has = strstr(l, "CN=moving") != NULL;
	if (!has)
		print_error("pk12util -l: got\n%s\nwanted CN=moving\n", l);
	free(l);
	assert_true(has);
	p11c_import_opts io = P11C_IMPORT_OPTS_INIT;
	io.alias = "moved";
	char *as = NULL;
	rc = p11c_p12_import(da, p12, "p12-secret", &io, &as);
	if (rc)
		print_error("import into a: got %d (%s)\n", rc, p11c_last_error(da));
	assert_int_equal(rc, P11C_OK);
	assert_string_equal(as, "moved");
	free(as);
	rc = p11c_cert_remove(dbb, "moving", 0);
	if (rc)
		print_error("remove from b: got %d (%s)\n", rc, p11c_last_error(dbb));
	assert_int_equal(rc, P11C_OK);
	expect_listed(dbb, "moving", 0);
	expect_listed(da, "moved", 1);
	/* Back into b, while a holds the same certificate. */
	io.alias = "back";
	rc = p11c_p12_import(dbb, p12, "p12-secret", &io, NULL);
	if (rc)
		print_error("import into b: got %d (%s)\n", rc, p11c_last_error(dbb));
	assert_int_equal(rc, P11C_OK);
	expect_listed(dbb, "back", 1);
	p11c_db_free(da);
	p11c_db_free(dbb);
	expect_in(a, "moved", 1);
	expect_in(a, "moving", 0);
	expect_in(b, "back", 1);
	expect_in(b, "moving", 0);
	expect_in(b, "moved", 0);
}

/* One CA certificate added to two databases open at once: each handle
 * stores its own copy, and removing it from one leaves the other's. */
static void test_shared_ca(void **state)
{
	(void)state;
	char a[512], b[512], pem[600];
	dir_for("shared-a", a, sizeof(a));
	dir_for("shared-b", b, sizeof(b));
	make_db(a, "pw-shared-a");
	make_db(b, "pw-shared-b");
	snprintf(pem, sizeof(pem), "%s/shared-ca.pem", root);
	char *out = run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	                "-keyout '%s.key' -subj /CN=shared-ca -days 30 -out '%s' 2>&1",
	                pem, pem);
	free(out);
	p11c_db *da = open_db(a), *dbb = open_db(b);
	p11c_add_opts o = P11C_ADD_OPTS_INIT;
	o.flags = P11C_ADD_TRUSTED_CA;
	int rc = p11c_cert_add(da, "shared-ca", pem, &o, NULL);
	if (rc)
		print_error("add to a: got %d (%s)\n", rc, p11c_last_error(da));
	assert_int_equal(rc, P11C_OK);
	rc = p11c_cert_add(dbb, "shared-ca", pem, &o, NULL);
	if (rc)
		print_error("add to b: got %d (%s)\n", rc, p11c_last_error(dbb));
	assert_int_equal(rc, P11C_OK);
	rc = p11c_cert_remove(dbb, "shared-ca", 0);
	if (rc)
		print_error("remove from b: got %d (%s)\n", rc, p11c_last_error(dbb));
	assert_int_equal(rc, P11C_OK);
	expect_listed(da, "shared-ca", 1);
	expect_listed(dbb, "shared-ca", 0);
	p11c_db_free(dbb);
	p11c_db_free(da);
	char *la = run("certutil -d 'sql:%s' -L 2>&1", a);
	char *lb = run("certutil -d 'sql:%s' -L 2>&1", b);
	int in_a = strstr(la, "shared-ca") != NULL, in_b = strstr(lb, "shared-ca") != NULL;
	if (!in_a || in_b)
		print_error("got: in a %d, in b %d; wanted 1, 0\na:\n%s\nb:\n%s\n", in_a, in_b, la,
		            lb);
	free(la);
	free(lb);
	assert_true(in_a);
	assert_false(in_b);
}

/* A handle on a further database makes a CA on a SoftHSM token: its trust
 * lands in that handle's database (NSS would put it in its first one). */
static void test_token_trust(void **state)
{
	(void)state;
	const char *src = getenv("P11C_SOURCE_ROOT");
	const char *module = "/usr/lib/softhsm/libsofthsm2.so";
	if (!src || access(module, R_OK) != 0 || system("command -v pkcs11-tool >/dev/null") != 0)
		skip();
	char a[512], b[512], tok[512], conf[600], path[600];
	dir_for("trust-a", a, sizeof(a));
	dir_for("trust-b", b, sizeof(b));
	dir_for("trust-token", tok, sizeof(tok));
	char *out = run("'%s/softhsm/make-token' '%s' hsm-token 2>&1", src, tok);
	free(out);
	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", tok);
	setenv("SOFTHSM2_CONF", conf, 1);
	make_db(a, "pw-trust-a");
	make_db(b, "pw-trust-b");
	snprintf(path, sizeof(path), "%s/sslpassword.conf", b);
	write_file(path, "NSS Certificate DB:pw-trust-b\nhsm-token:1234\n");
	p11c_db *da = open_db(a), *dbb = NULL;
	assert_int_equal(p11c_db_new(&dbb), P11C_OK);
	assert_int_equal(p11c_db_set_password_file(dbb, path), P11C_OK);
	assert_int_equal(p11c_db_set_module(dbb, module), P11C_OK);
	int rc = p11c_db_open(dbb, b, P11C_OPEN_NO_P11KIT);
	if (rc)
		print_error("open '%s' with SoftHSM: got %d (%s)\n", b, rc, p11c_last_error(dbb));
	assert_int_equal(rc, P11C_OK);
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	o.subject = "CN=hsm-ca";
	o.key_type = "ec:p256";
	o.token = "hsm-token";
	o.flags = P11C_SELFSIGN_CA;
	rc = p11c_cert_selfsign(dbb, "hsm-ca", &o);
	if (rc)
		print_error("selfsign on the token: got %d (%s), wanted 0\n", rc,
		            p11c_last_error(dbb));
	assert_int_equal(rc, P11C_OK);
	expect_listed(dbb, "hsm-token:hsm-ca", 1);
	expect_listed(da, "hsm-token:hsm-ca", 1); /* a token is everyone's */
	p11c_db_free(dbb);
	p11c_db_free(da);
	char *on_token = run("pkcs11-tool --module %s --list-objects --type cert 2>&1", module);
	char *lb = run("certutil -d 'sql:%s' -L 2>&1 | grep hsm-ca", b);
	char *la = run("certutil -d 'sql:%s' -L 2>&1", a);
	int ok_token = strstr(on_token, "hsm-ca") != NULL;
	int ok_b = strstr(lb, "CT,") != NULL, in_a = strstr(la, "hsm-ca") != NULL;
	if (!ok_token || !ok_b || in_a)
		print_error(
		    "got: on the token %d, trusted CT in b %d ('%s'), in a %d; wanted 1, 1, "
		    "0\ntoken:\n%s\na:\n%s\n",
		    ok_token, ok_b, lb, in_a, on_token, la);
	free(on_token);
	free(lb);
	free(la);
	unsetenv("SOFTHSM2_CONF");
	assert_true(ok_token);
	assert_true(ok_b);
	assert_false(in_a);
}

/* Different handles in different threads, at once: each its own opening,
 * key generation, storing and closing. */
typedef struct {
	char dir[512];
	int rc[4];
	char err[4][256];
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	p11c_db *db = NULL;
	char path[600];
	snprintf(path, sizeof(path), "%s/sslpassword.conf", w->dir);
	for (int i = 0; i < 4; i++)
		w->rc[i] = -99;
	if (p11c_db_new(&db) || p11c_db_set_password_file(db, path) ||
	    p11c_db_open(db, w->dir, P11C_OPEN_NO_P11KIT)) {
		snprintf(w->err[0], sizeof(w->err[0]), "open: %s", p11c_last_error(db));
		p11c_db_free(db);
		return NULL;
	}
	for (int i = 0; i < 4; i++) {
		char alias[64], dn[80];
		snprintf(alias, sizeof(alias), "thread-cert-%d", i);
		snprintf(dn, sizeof(dn), "CN=%s", alias);
		p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
		o.subject = dn;
		o.key_type = "ec:p256";
		w->rc[i] = p11c_cert_selfsign(db, alias, &o);
		snprintf(w->err[i], sizeof(w->err[i]), "%s", p11c_last_error(db));
	}
	p11c_db_free(db);
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	worker w[3];
	pthread_t t[3];
	for (int k = 0; k < 3; k++) {
		char name[32], pw[32];
		snprintf(name, sizeof(name), "thread-%d", k);
		snprintf(pw, sizeof(pw), "thread-pw-%d", k);
		dir_for(name, w[k].dir, sizeof(w[k].dir));
		make_db(w[k].dir, pw);
	}
	for (int k = 0; k < 3; k++)
		assert_int_equal(pthread_create(&t[k], NULL, work, &w[k]), 0);
	for (int k = 0; k < 3; k++)
		pthread_join(t[k], NULL);
	for (int k = 0; k < 3; k++) {
		for (int i = 0; i < 4; i++) {
			if (w[k].rc[i])
				print_error("thread %d, certificate %d: got %d (%s), wanted 0\n", k,
				            i, w[k].rc[i], w[k].err[i]);
			assert_int_equal(w[k].rc[i], 0);
		}
		char *l = run("certutil -d 'sql:%s' -L 2>&1 | grep -c thread-cert-", w[k].dir);
		char *keys = run("certutil -d 'sql:%s' -K -f '%s/.pw' 2>&1 | grep -c thread-cert-",
		                 w[k].dir, w[k].dir);
		if (atoi(l) != 4 || atoi(keys) != 4)
			print_error("'%s': got %d certificates and %d keys, wanted 4 and 4\n",
			            w[k].dir, atoi(l), atoi(keys));
		assert_int_equal(atoi(l), 4);
		assert_int_equal(atoi(keys), 4);
		free(l);
		free(keys);
	}
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(root, sizeof(root), "%s/p11c-handles-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_same_password),
	    cmocka_unit_test(test_two_different_passwords),
	    cmocka_unit_test(test_three_one_generating),
	    cmocka_unit_test(test_close_first),
	    cmocka_unit_test(test_same_database_twice),
	    cmocka_unit_test(test_beside_own_nss),
	    cmocka_unit_test(test_second_handle_ops),
	    cmocka_unit_test(test_shared_ca),
	    cmocka_unit_test(test_token_trust),
	    cmocka_unit_test(test_threads),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	if (!failed) {
		char *out = run("rm -rf '%s'", root);
		free(out);
	}
	return failed;
}
