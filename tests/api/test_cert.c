/* SPDX-License-Identifier: MPL-2.0 */
/* p11c_cert's accessors and a listing, on a certificate that
 * p11c_cert_selfsign made in a temporary database, held against what
 * openssl x509 reads from its PEM. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "apitest.h"

#include "p11cert.h"

typedef struct {
	api_db a; /* generated, no password */
	char pem[340];
	p11c_cert *cert; /* "api", self-signed in it */
} fixture;

/* The standard output of a shell line; malloc'd, the final newline cut. */
/* A shell command's output without its trailing newlines. */
#define run(...) trimmed(api_run(__VA_ARGS__))
static char *trimmed(char *s)
{
	size_t len = strlen(s);
	while (len && s[len - 1] == '\n')
		s[--len] = '\0';
	return s;
}

/* openssl x509's answer for the fixture's PEM, after "key=". */
static char *openssl_field(const fixture *f, const char *args, const char *key)
{
	char *out = run("openssl x509 -in '%s' -noout %s 2>&1", f->pem, args);
	char *at = strstr(out, key);
	if (!at)
		fail_msg("openssl x509 %s: no '%s' in '%s'", args, key, out);
	char *v = strdup(at + strlen(key));
	free(out);
	return v;
}

/* Lower case, colons dropped: NSS's hex as the library gives it. */
static void plain_hex(char *s)
{
	char *d = s;
	for (; *s; s++)
		if (*s != ':')
			*d++ = (char)tolower((unsigned char)*s);
	*d = '\0';
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	*state = f;
	if (api_db_make(&f->a, "p11c-cert", NULL, API_DB_GENERATE))
		return -1;
	snprintf(f->pem, sizeof(f->pem), "%s/cert.pem", f->a.tmp);
	p11c_dn_fields dn = P11C_DN_FIELDS_INIT;
	dn.cn = "api.example.com";
	dn.o = "Example Ltd";
	dn.c = "DE";
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	o.fields = &dn;
	o.san = "dns:b.example,ip:192.0.2.1,email:x@a.example,uri:https://u.example/";
	o.key_type = "ec:p256";
	o.days = 30;
	o.flags = P11C_SELFSIGN_CA;
	if (p11c_cert_selfsign(f->a.db, "api", &o) || p11c_cert_show(f->a.db, "api", &f->cert)) {
		fprintf(stderr, "setup: %s\n", p11c_last_error(f->a.db));
		return -1;
	}
	FILE *out = fopen(f->pem, "w");
	if (!out || fputs(p11c_cert_pem(f->cert), out) < 0 || fclose(out))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	p11c_cert_free(f->cert);
	int rc = api_db_remove(&f->a);
	free(f);
	return rc;
}

static void test_cert_pem_is_openssl_pem(void **state)
{
	fixture *f = *state;
	char *again = run("openssl x509 -in '%s'", f->pem);
	char *mine = strdup(p11c_cert_pem(f->cert));
	assert_non_null(mine);
	size_t n = strlen(mine);
	while (n && mine[n - 1] == '\n')
		mine[--n] = '\0';
	assert_string_equal(mine, again);
	free(mine);
	free(again);
}

static void test_cert_subject_issuer_match_openssl(void **state)
{
	fixture *f = *state;
	char *subject = openssl_field(f, "-subject -nameopt RFC2253", "subject=");
	char *issuer = openssl_field(f, "-issuer -nameopt RFC2253", "issuer=");
	assert_string_equal(p11c_cert_subject(f->cert), subject);
	assert_string_equal(p11c_cert_subject(f->cert), "CN=api.example.com,O=Example Ltd,C=DE");
	assert_string_equal(p11c_cert_issuer(f->cert), issuer);
	assert_int_equal(p11c_cert_is_self_signed(f->cert), 1);
	free(subject);
	free(issuer);
}

static void test_cert_serial_matches_openssl(void **state)
{
	fixture *f = *state;
	char *serial = openssl_field(f, "-serial", "serial=");
	plain_hex(serial);
	assert_string_equal(p11c_cert_serial(f->cert), serial);
	free(serial);
}

static void test_cert_fingerprints_match_openssl(void **state)
{
	fixture *f = *state;
	char *sha1 = openssl_field(f, "-fingerprint -sha1", "Fingerprint=");
	char *sha256 = openssl_field(f, "-fingerprint -sha256", "Fingerprint=");
	plain_hex(sha1);
	plain_hex(sha256);
	assert_string_equal(p11c_cert_sha1(f->cert), sha1);
	assert_string_equal(p11c_cert_sha256(f->cert), sha256);
	free(sha1);
	free(sha256);
}

/* openssl's "DNS:a, IP Address:b, email:c, URI:d" in the library's words. */
static void test_cert_sans_match_openssl(void **state)
{
	fixture *f = *state;
	char *ext = openssl_field(f, "-ext subjectAltName", "Name: \n");
	char want[1024] = "";
	for (char *tok = strtok(ext, ","); tok; tok = strtok(NULL, ",")) {
		while (isspace((unsigned char)*tok))
			tok++;
		static const char *const map[][2] = {{"DNS:", "dns:"},
		                                     {"IP Address:", "ip:"},
		                                     {"email:", "email:"},
		                                     {"URI:", "uri:"}};
		const char *prefix = NULL;
		for (size_t k = 0; k < 4 && !prefix; k++)
			if (!strncmp(tok, map[k][0], strlen(map[k][0]))) {
				prefix = map[k][1];
				tok += strlen(map[k][0]);
			}
		assert_non_null(prefix);
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s%s",
		         *want ? "|" : "", prefix, tok);
	}
	char got[1024] = "";
	for (size_t k = 0; k < p11c_cert_san_count(f->cert); k++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", k ? "|" : "",
		         p11c_cert_san(f->cert, k));
	assert_string_equal(got, want);
	/* the host-name CN came first, as a DNS SAN of its own */
	assert_string_equal(got, "dns:api.example.com|dns:b.example|ip:192.0.2.1|"
	                         "email:x@a.example|uri:https://u.example/");
	assert_null(p11c_cert_san(f->cert, p11c_cert_san_count(f->cert)));
	free(ext);
}

static int64_t openssl_time(const fixture *f, const char *key)
{
	char *v = openssl_field(f, "-dates -dateopt iso_8601", key);
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	char *end = strptime(v, "%Y-%m-%d %H:%M:%SZ", &tm);
	if (!end)
		fail_msg("cannot read the time '%s'", v);
	free(v);
	return (int64_t)timegm(&tm);
}

static void test_cert_validity_matches_openssl(void **state)
{
	fixture *f = *state;
	int64_t nb = openssl_time(f, "notBefore="), na = openssl_time(f, "notAfter=");
	assert_int_equal(p11c_cert_not_before(f->cert), nb);
	assert_int_equal(p11c_cert_not_after(f->cert), na);
	assert_int_equal(na - nb, 30 * 86400);
}

static void test_cert_kind_key_and_trust(void **state)
{
	fixture *f = *state;
	const p11c_cert *c = f->cert;
	assert_string_equal(p11c_cert_alias(c), "api");
	assert_string_equal(p11c_cert_token(c), "internal");
	assert_int_equal(p11c_cert_version(c), 3);
	assert_string_equal(p11c_cert_sig_alg(c), "X9.62 ECDSA signature with SHA256");
	assert_string_equal(p11c_cert_key_type(c), "ec:p256");
	assert_int_equal(p11c_cert_key_state(c), P11C_KEY_PRESENT);
	assert_string_equal(p11c_key_state_name(p11c_cert_key_state(c)), "present");
	assert_string_equal(p11c_cert_key_token(c), "internal");
	assert_int_equal(p11c_cert_key_extractable(c), P11C_EXTRACTABLE_YES);
	assert_non_null(strstr(p11c_cert_key_uri(c), "pkcs11:"));
	assert_non_null(strstr(p11c_cert_key_uri(c), "type=private"));
	assert_null(p11c_cert_key_note(c));
	/* a CA made here is trusted CT,, (NSS adds u for its key) */
	assert_string_equal(p11c_cert_trust(c), "CTu,u,u");
	assert_string_equal(p11c_cert_trust_words(c, P11C_TRUST_FIELD_EMAIL), "User");
	assert_null(p11c_cert_trust_words(c, (p11c_trust_field)3));
	assert_int_equal(p11c_cert_trust_roles(c), P11C_TRUST_SERVER_CA | P11C_TRUST_CLIENT_CA);
}

static void test_cert_listing_holds_it(void **state)
{
	fixture *f = *state;
	static const p11c_list_kind kinds[] = {P11C_LIST_KEYS, P11C_LIST_CA, P11C_LIST_ALL};
	for (size_t k = 0; k < 3; k++) {
		p11c_list_opts o = P11C_LIST_OPTS_INIT;
		o.which = kinds[k];
		p11c_cert_listing *l = NULL;
		if (p11c_cert_list(f->a.db, &o, &l))
			fail_msg("list %s: %s", p11c_list_kind_name(kinds[k]),
			         p11c_last_error(f->a.db));
		assert_int_equal(p11c_cert_listing_count(l), 1);
		assert_int_equal(p11c_cert_listing_problem_count(l), 0);
		assert_null(p11c_cert_listing_problem(l, 0));
		const p11c_cert *c = p11c_cert_listing_get(l, 0);
		assert_string_equal(p11c_cert_alias(c), "api");
		assert_string_equal(p11c_cert_sha256(c), p11c_cert_sha256(f->cert));
		assert_null(p11c_cert_listing_get(l, 1));
		p11c_cert_listing_free(l);
	}
}

/* The listing of a handle not logged in: with P11C_LIST_KEYS_BY_MARK the
 * key comes from NSS's mark (no login: details unknown), without it the
 * key is looked up (a login: its URI).  Reopened, so the database's own
 * token is not logged in; an unknown flag is refused. */
static void test_cert_listing_keys_by_mark(void **state)
{
	fixture *f = *state;
	p11c_db_free(f->a.db);
	if (p11c_db_new(&f->a.db) || p11c_db_open(f->a.db, f->a.dir, P11C_OPEN_NO_P11KIT))
		fail_msg("reopen: %s", p11c_last_error(f->a.db));
	for (int by_mark = 1; by_mark >= 0; by_mark--) {
		p11c_list_opts o = P11C_LIST_OPTS_INIT;
		o.flags = by_mark ? P11C_LIST_KEYS_BY_MARK : 0;
		p11c_cert_listing *l = NULL;
		if (p11c_cert_list(f->a.db, &o, &l))
			fail_msg("list (by mark %d): %s", by_mark, p11c_last_error(f->a.db));
		assert_int_equal(p11c_cert_listing_count(l), 1);
		const p11c_cert *c = p11c_cert_listing_get(l, 0);
		assert_int_equal(p11c_cert_key_state(c), P11C_KEY_PRESENT);
		assert_string_equal(p11c_cert_key_token(c), "internal");
		if (by_mark) {
			assert_int_equal(p11c_cert_key_extractable(c), P11C_EXTRACTABLE_UNKNOWN);
			assert_null(p11c_cert_key_uri(c));
		} else {
			assert_non_null(p11c_cert_key_uri(c));
		}
		p11c_cert_listing_free(l);
	}
	p11c_list_opts bad = P11C_LIST_OPTS_INIT;
	bad.flags = 1u << 9;
	p11c_cert_listing *l = NULL;
	assert_int_equal(p11c_cert_list(f->a.db, &bad, &l), P11C_EUSAGE);
	assert_null(l);
}

/* A certificate openssl made, added with trust: the roles read back. */
static unsigned roles_added(fixture *f, const char *alias, const char *trust)
{
	char pem[400];
	snprintf(pem, sizeof(pem), "%s/%s.pem", f->a.tmp, alias);
	char *out = run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	                "-keyout '%s.key' -subj '/CN=%s' -days 30 -out '%s' 2>&1",
	                pem, alias, pem);
	free(out);
	p11c_add_opts o = P11C_ADD_OPTS_INIT;
	o.trust = trust;
	p11c_cert *c = NULL;
	if (p11c_cert_add(f->a.db, alias, pem, &o, NULL) || p11c_cert_show(f->a.db, alias, &c))
		fail_msg("add '%s' with trust '%s': %s", alias, trust, p11c_last_error(f->a.db));
	unsigned roles = p11c_cert_trust_roles(c);
	p11c_cert_free(c);
	return roles;
}

static void test_cert_trust_roles_are_the_words(void **state)
{
	fixture *f = *state;
	assert_int_equal(roles_added(f, "cas", "server-ca,client-ca,email-ca,code-ca"),
	                 P11C_TRUST_SERVER_CA | P11C_TRUST_CLIENT_CA | P11C_TRUST_EMAIL_CA |
	                     P11C_TRUST_CODE_CA);
	assert_int_equal(roles_added(f, "peer", "peer"), P11C_TRUST_PEER);
	assert_int_equal(roles_added(f, "peers", "P,P,P"),
	                 P11C_TRUST_PEER | P11C_TRUST_EMAIL_PEER | P11C_TRUST_CODE_PEER);
	assert_int_equal(roles_added(f, "valid", "c,c,c"), 0);
}

/* p11c_cert_add_chain's report: the alias's certificate first, each
 * distinct one once, with what the database holds (held against
 * p11c_cert_show) and what the call did. */
static void test_cert_add_chain_reports_each(void **state)
{
	fixture *f = *state;
	char *out = run("cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	                "-nodes -keyout r.key -subj '/CN=Chain Root' -days 30 "
	                "-addext basicConstraints=critical,CA:TRUE -out r.pem && "
	                "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	                "-keyout s.key -subj '/CN=Chain Sub' -out s.csr && "
	                "printf 'basicConstraints=critical,CA:TRUE\\n' > ca.ext && "
	                "openssl x509 -req -in s.csr -CA r.pem -CAkey r.key -CAcreateserial "
	                "-days 30 -extfile ca.ext -out s.pem && cat s.pem r.pem s.pem > chain.pem "
	                "2>&1",
	                f->a.tmp);
	free(out);
	char path[300];
	snprintf(path, sizeof(path), "%s/chain.pem", f->a.tmp);
	p11c_add_opts o = P11C_ADD_OPTS_INIT;
	o.flags = P11C_ADD_TRUSTED_CA;
	p11c_add_report *r = NULL;
	if (p11c_cert_add_chain(f->a.db, "chainsub", path, &o, &r))
		fail_msg("add-chain: %s", p11c_last_error(f->a.db));
	assert_int_equal(p11c_add_report_count(r), 2);
	const char *want[] = {"chainsub", "Chain Root"};
	for (size_t i = 0; i < 2; i++) {
		const p11c_cert *c = p11c_add_report_cert(r, i);
		p11c_cert *shown = NULL;
		assert_int_equal(p11c_add_report_state(r, i), P11C_ADDED_STORED);
		assert_string_equal(p11c_cert_alias(c), want[i]);
		assert_int_equal(p11c_cert_show(f->a.db, want[i], &shown), P11C_OK);
		assert_string_equal(p11c_cert_trust(c), p11c_cert_trust(shown));
		assert_string_equal(p11c_cert_trust(c), "CT,,");
		assert_string_equal(p11c_cert_sha256(c), p11c_cert_sha256(shown));
		p11c_cert_free(shown);
	}
	assert_null(p11c_add_report_cert(r, 2));
	assert_int_equal(p11c_add_report_state(r, 2), P11C_ADDED_PRESENT);
	p11c_add_report_free(r);
	/* Again: the alias's trust set, the root left as it was. */
	assert_int_equal(p11c_cert_add_chain(f->a.db, "chainsub", path, &o, &r), P11C_OK);
	assert_int_equal(p11c_add_report_count(r), 2);
	assert_int_equal(p11c_add_report_state(r, 0), P11C_ADDED_TRUST_SET);
	assert_int_equal(p11c_add_report_state(r, 1), P11C_ADDED_PRESENT);
	p11c_add_report_free(r);
	/* A failure gives no report. */
	snprintf(path, sizeof(path), "%s/r.key", f->a.tmp);
	r = (p11c_add_report *)&r;
	assert_int_not_equal(p11c_cert_add_chain(f->a.db, "nokey", path, &o, &r), P11C_OK);
	assert_null(r);
}

/* Fields of a size the library does not know are refused, naming them. */
static void test_cert_dn_fields_without_size_refused(void **state)
{
	fixture *f = *state;
	p11c_dn_fields dn = {.cn = "nosize.example"};
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	o.fields = &dn;
	o.key_type = "ec:p256";
	assert_int_equal(p11c_cert_selfsign(f->a.db, "nosize", &o), P11C_EUSAGE);
	assert_non_null(strstr(p11c_last_error(f->a.db), "opts->fields->size is 0"));
}

static void test_cert_alias_qualify_internal_is_bare(void **state)
{
	fixture *f = *state;
	char *q = NULL;
	assert_int_equal(p11c_alias_qualify(f->a.db, "internal", "api", &q), P11C_OK);
	assert_string_equal(q, "api");
	free(q);
	assert_int_equal(p11c_alias_qualify(f->a.db, "no-such-token", "api", &q), P11C_ENOTFOUND);
	assert_null(q);
}

int main(void)
{
#define T(name) cmocka_unit_test(name)
	const struct CMUnitTest tests[] = {
	    T(test_cert_pem_is_openssl_pem),
	    T(test_cert_subject_issuer_match_openssl),
	    T(test_cert_serial_matches_openssl),
	    T(test_cert_fingerprints_match_openssl),
	    T(test_cert_sans_match_openssl),
	    T(test_cert_validity_matches_openssl),
	    T(test_cert_kind_key_and_trust),
	    T(test_cert_listing_holds_it),
	    T(test_cert_listing_keys_by_mark),
	    T(test_cert_alias_qualify_internal_is_bare),
	    T(test_cert_trust_roles_are_the_words),
	    T(test_cert_add_chain_reports_each),
	    T(test_cert_dn_fields_without_size_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
