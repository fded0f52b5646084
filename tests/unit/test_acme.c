/* SPDX-License-Identifier: MPL-2.0 */
/* The ACME parts that need no server: the JWK thumbprint (RFC 7638's own
 * example), JWS and EAB signatures checked by python's cryptography, ARI's
 * certID against openssl's view of the certificate, the record's reading
 * and writing, problem documents, Retry-After and RFC 3339 times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "acmeint.h"
#include "../api/apitest.h"

static const char *check_py;

static int setup(void **state)
{
	/* generated and left open for writing */
	return api_db_setup(state, "p11cert-acme", "pw-acme", API_DB_GENERATE);
}

static int teardown(void **state)
{
	return api_db_teardown(state);
}

static unsigned char *b64url_decode(const char *s, size_t *n)
{
	size_t len = strlen(s);
	unsigned char *out = malloc(len);
	unsigned acc = 0, bits = 0;
	*n = 0;
	for (size_t i = 0; i < len; i++) {
		const char *tab =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		const char *p = strchr(tab, s[i]);
		assert_non_null(p);
		acc = acc << 6 | (unsigned)(p - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[(*n)++] = (unsigned char)(acc >> bits);
		}
	}
	return out;
}

static void expect_str(const char *what, const char *got, const char *want)
{
	if (!got || strcmp(got, want)) {
		print_message("%s: got '%s', wanted '%s'\n", what, got ? got : "(null)", want);
		fail();
	}
}

/* RFC 7638 section 3.1: the example RSA key and its thumbprint. */
static void test_acme_thumbprint_rfc7638(void **state)
{
	api_db *a = *state;
	const char *n64 =
	    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc"
	    "_B"
	    "JECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-"
	    "65YGjQR0_"
	    "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-"
	    "bFTWhAI"
	    "4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
	size_t nlen, elen;
	unsigned char *n = b64url_decode(n64, &nlen), *e = b64url_decode("AQAB", &elen);
	SECKEYPublicKey pub;
	memset(&pub, 0, sizeof(pub));
	pub.keyType = rsaKey;
	pub.u.rsa.modulus = (SECItem){siBuffer, n, (unsigned)nlen};
	pub.u.rsa.publicExponent = (SECItem){siBuffer, e, (unsigned)elen};
	char *tp = NULL;
	assert_int_equal(p11c_acme_thumbprint(a->db, &pub, &tp), P11C_OK);
	expect_str("thumbprint", tp, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	free(tp);
	free(n);
	free(e);
}

/* A key of type on the database's token. */
static void make_key(api_db *a, const char *type, SECKEYPrivateKey **priv, SECKEYPublicKey **pub)
{
	p11c_key_spec spec;
	char err[128];
	PK11SlotInfo *slot = p11c_db_slot(a->db);
	assert_int_equal(p11c_key_type_parse(type, &spec, err, sizeof(err)), P11C_OK);
	assert_int_equal(p11c_login(a->db, slot), P11C_OK);
	assert_int_equal(p11c_keygen(a->db, slot, &spec, 0, "acme-test", priv, pub), P11C_OK);
	PK11_FreeSlot(slot);
}

/* python's verdict on doc (written to the fixture's directory). */
static char *python_check(api_db *a, const char *mode, json_t *doc, const char *extra)
{
	char path[400];
	snprintf(path, sizeof(path), "%s/jws.json", a->tmp);
	assert_int_equal(json_dump_file(doc, path, 0), 0);
	char *out =
	    api_run("python3 '%s' %s '%s' %s 2>&1", check_py, mode, path, extra ? extra : "");
	out[strcspn(out, "\n")] = '\0';
	return out;
}

static void jws_roundtrip(void **state, const char *type, const char *alg)
{
	api_db *a = *state;
	SECKEYPrivateKey *priv = NULL;
	SECKEYPublicKey *pub = NULL;
	make_key(a, type, &priv, &pub);
	char *tp = NULL, *text = NULL, want[400];
	assert_int_equal(p11c_acme_thumbprint(a->db, pub, &tp), P11C_OK);
	/* With jwk: the key in the header. */
	assert_int_equal(p11c_acme_jws(a->db, priv, pub, NULL, "nonce-1", "https://x.test/new-acct",
	                               "{\"a\":1}", &text),
	                 P11C_OK);
	json_t *doc = json_pack("{s:o}", "jws", json_loads(text, 0, NULL));
	char *got = python_check(a, "jws", doc, NULL);
	snprintf(want, sizeof(want), "ok %s jwk nonce-1 https://x.test/new-acct %s", alg, tp);
	expect_str("jws with jwk", got, want);
	free(got);
	free(text);
	json_decref(doc);
	/* With kid, a POST-as-GET (empty payload). */
	json_t *jwk = NULL;
	assert_int_equal(p11c_acme_jwk(a->db, pub, &jwk), P11C_OK);
	assert_int_equal(p11c_acme_jws(a->db, priv, pub, "https://x.test/acct/1", "n2",
	                               "https://x.test/order/1", NULL, &text),
	                 P11C_OK);
	json_t *jws = json_loads(text, 0, NULL);
	expect_str("POST-as-GET payload", json_string_value(json_object_get(jws, "payload")), "");
	doc = json_pack("{s:o,s:o}", "jws", jws, "jwk", jwk);
	got = python_check(a, "jws", doc, NULL);
	snprintf(want, sizeof(want), "ok %s https://x.test/acct/1 n2 https://x.test/order/1 %s",
	         alg, tp);
	expect_str("jws with kid", got, want);
	free(got);
	free(text);
	json_decref(doc);
	free(tp);
	p11c_key_destroy(priv, pub);
}

static void test_acme_jws_es256(void **state)
{
	jws_roundtrip(state, "ec:p256", "ES256");
}

static void test_acme_jws_es384(void **state)
{
	jws_roundtrip(state, "ec:p384", "ES384");
}

static void test_acme_jws_rs256(void **state)
{
	jws_roundtrip(state, "rsa:2048", "RS256");
}

static void test_acme_eab_hs256(void **state)
{
	api_db *a = *state;
	SECKEYPrivateKey *priv = NULL;
	SECKEYPublicKey *pub = NULL;
	make_key(a, "ec:p256", &priv, &pub);
	const char *key64 = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
	size_t klen;
	unsigned char *key = b64url_decode(key64, &klen);
	json_t *eab = NULL;
	char *tp = NULL, want[300];
	assert_int_equal(p11c_acme_eab(a->db, "kid-1", key, klen, pub, "https://x.test/acct", &eab),
	                 P11C_OK);
	assert_int_equal(p11c_acme_thumbprint(a->db, pub, &tp), P11C_OK);
	json_t *doc = json_pack("{s:o}", "jws", eab);
	char *got = python_check(a, "eab", doc, key64);
	snprintf(want, sizeof(want), "ok kid-1 https://x.test/acct %s", tp);
	expect_str("eab", got, want);
	free(got);
	free(tp);
	free(key);
	json_decref(doc);
	p11c_key_destroy(priv, pub);
}

/* ARI's certID of a certificate openssl made with serial, against the
 * one computed from openssl's own printing of its AKI and serial. */
static void certid_case(api_db *a, const char *serial)
{
	char *want = api_run(
	    "cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	    "-keyout ca.key -subj /CN=ari-ca -days 3 -out ca.pem 2>/dev/null && "
	    "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout l.key "
	    "-subj /CN=ari.test -out l.csr 2>/dev/null && "
	    "printf 'authorityKeyIdentifier=keyid\\n' >l.ext && "
	    "openssl x509 -req -in l.csr -CA ca.pem -CAkey ca.key -set_serial %s -days 2 "
	    "-extfile l.ext -out l.pem 2>/dev/null && "
	    "aki=$(openssl x509 -in l.pem -noout -ext authorityKeyIdentifier | sed -n "
	    "'s/^ *\\(keyid:\\)\\{0,1\\}\\([0-9A-F:]*\\)$/\\2/p' | tr -d ':') && "
	    "ser=$(openssl x509 -in l.pem -noout -serial | sed 's/serial=//') && "
	    "case $ser in [89A-F]*) ser=00$ser;; esac && "
	    "b() { printf %%s \"$1\" | xxd -r -p | basenc --base64url | tr -d '=\\n'; } && "
	    "printf '%%s.%%s' \"$(b $aki)\" \"$(b $ser)\"",
	    a->tmp, serial);
	char path[400];
	unsigned char *pem = NULL;
	size_t len = 0;
	SECItem *ders = NULL;
	size_t n = 0;
	snprintf(path, sizeof(path), "%s/l.pem", a->tmp);
	PLArenaPool *arena = PORT_NewArena(2048);
	assert_int_equal(p11c_file_read(a->db, path, &pem, &len), P11C_OK);
	assert_int_equal(p11c_certs_decode(a->db, path, pem, len, arena, &ders, &n), P11C_OK);
	CERTCertificate *cert =
	    CERT_NewTempCertificate(CERT_GetDefaultCertDB(), &ders[0], NULL, PR_FALSE, PR_TRUE);
	assert_non_null(cert);
	char *got = NULL;
	assert_int_equal(p11c_acme_ari_certid(a->db, cert, &got), P11C_OK);
	assert_true(strchr(want, '.') && want[0] != '.');
	expect_str("certID", got, want);
	free(got);
	free(want);
	free(pem);
	CERT_DestroyCertificate(cert);
	PORT_FreeArena(arena, PR_FALSE);
}

static void test_acme_ari_certid(void **state)
{
	certid_case(*state, "0x1234abcd");
	/* A serial with its high bit set: DER's leading zero byte is part of it. */
	certid_case(*state, "0x8a0b0c0d0e0f10111213");
}

static char *state_file(api_db *a)
{
	static char path[400];
	snprintf(path, sizeof(path), "%s/%s", a->dir, P11C_ACME_STATE_NAME);
	return path;
}

static void test_acme_state_missing_is_empty(void **state)
{
	api_db *a = *state;
	json_t *st = NULL;
	assert_int_equal(p11c_acme_state_load(a->db, &st), P11C_OK);
	assert_true(json_is_object(st) && json_object_size(st) == 0);
	json_decref(st);
	p11c_acme_listing *l = NULL;
	assert_int_equal(p11c_acme_list(a->db, &l), P11C_OK);
	assert_int_equal(p11c_acme_listing_count(l), 0);
	assert_null(p11c_acme_listing_account(l));
	p11c_acme_listing_free(l);
}

static void test_acme_state_malformed_refused(void **state)
{
	api_db *a = *state;
	const char *bad[] = {"{", "[]", "{\"certs\":[]}", "{\"account\":{\"url\":\"u\"}}",
	                     "{\"certs\":{\"x\":{}}}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api_write_file(state_file(a), bad[i], strlen(bad[i]), 0644);
		json_t *st = NULL;
		assert_int_equal(p11c_acme_state_load(a->db, &st), P11C_EFAIL);
		assert_null(st);
		if (!strstr(p11c_last_error(a->db), "malformed")) {
			print_message("'%s': got '%s', wanted it named malformed\n", bad[i],
			              p11c_last_error(a->db));
			fail();
		}
		p11c_acme_listing *l = NULL;
		assert_int_equal(p11c_acme_list(a->db, &l), P11C_EFAIL);
	}
}

static void test_acme_state_roundtrip(void **state)
{
	api_db *a = *state;
	json_t *st =
	    json_pack("{s:s,s:{s:s,s:s,s:s},s:{s:{s:[s],s:s,s:I,s:s,s:I}}}", "server",
	              "https://acme.test/dir", "account", "url", "https://acme.test/a/1", "key_id",
	              "0a0b", "public_key", "AAAA", "certs", "mail", "names", "mail.test", "method",
	              "dns-hook", "renew_at", (json_int_t)1700000000, "failure",
	              "serverInternal: down", "failure_time", (json_int_t)1690000000);
	assert_int_equal(p11c_acme_state_save(a->db, st), P11C_OK);
	struct stat sb;
	assert_int_equal(stat(state_file(a), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	json_t *back = NULL;
	assert_int_equal(p11c_acme_state_load(a->db, &back), P11C_OK);
	assert_true(json_equal(st, back));
	p11c_acme_listing *l = NULL;
	assert_int_equal(p11c_acme_list(a->db, &l), P11C_OK);
	expect_str("server", p11c_acme_listing_server(l), "https://acme.test/dir");
	expect_str("account", p11c_acme_listing_account(l), "https://acme.test/a/1");
	assert_int_equal(p11c_acme_listing_count(l), 1);
	const p11c_acme_cert *c = p11c_acme_listing_get(l, 0);
	expect_str("alias", p11c_acme_cert_alias(c), "mail");
	assert_int_equal(p11c_acme_cert_method(c), P11C_ACME_DNS_HOOK);
	assert_int_equal(p11c_acme_cert_renew_at(c), 1700000000);
	assert_int_equal(p11c_acme_cert_not_after(c), 0); /* not in the database */
	expect_str("failure", p11c_acme_cert_failure(c), "serverInternal: down");
	assert_int_equal(p11c_acme_cert_failure_time(c), 1690000000);
	assert_int_equal(p11c_acme_cert_revoked(c), 0);
	assert_null(p11c_acme_listing_get(l, 1));
	p11c_acme_listing_free(l);
	json_decref(st);
	json_decref(back);
}

static void test_acme_problem_one_line(void **state)
{
	(void)state;
	json_t *p = json_loads(
	    "{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\",\"detail\":\"no\\nway\","
	    "\"subproblems\":[{\"type\":\"urn:ietf:params:acme:error:caa\",\"detail\":\"CAA "
	    "forbids\",\"identifier\":{\"type\":\"dns\",\"value\":\"a.test\"}},{\"type\":\"x:y\","
	    "\"detail\":\"d\"}]}",
	    0, NULL);
	char *t = p11c_acme_problem_text(p);
	expect_str("problem", t,
	           "rejectedIdentifier: no way (subproblems: a.test: caa: CAA forbids; x:y: d)");
	free(t);
	json_decref(p);
	p = json_loads("{\"type\":\"urn:ietf:params:acme:error:badNonce\"}", 0, NULL);
	t = p11c_acme_problem_text(p);
	expect_str("problem without detail", t, "badNonce: no detail");
	free(t);
	json_decref(p);
}

static void test_acme_retry_after(void **state)
{
	(void)state;
	assert_int_equal(p11c_acme_retry_after("3", 1), 3);
	assert_int_equal(p11c_acme_retry_after(NULL, 7), 7);
	assert_int_equal(p11c_acme_retry_after("soon", 2), 2);
	assert_int_equal(p11c_acme_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 5), 0);
	assert_int_equal(p11c_acme_retry_after("999999", 1), 86400);
}

static void test_acme_time_parse(void **state)
{
	(void)state;
	char *out = api_run("date -u -d 2025-01-02T03:04:05Z +%%s");
	long long want = atoll(out);
	free(out);
	assert_int_equal(p11c_acme_time_parse("2025-01-02T03:04:05Z"), want);
	assert_int_equal(p11c_acme_time_parse("2025-01-02T03:04:05.123456Z"), want);
	assert_int_equal(p11c_acme_time_parse("2025-01-02T05:04:05+02:00"), want);
	assert_int_equal(p11c_acme_time_parse("2025-01-02"), -1);
	assert_int_equal(p11c_acme_time_parse("2025-01-02T03:04:05Zjunk"), -1);
}

static void test_acme_reason_names(void **state)
{
	(void)state;
	p11c_revoke_reason r;
	assert_int_equal(p11c_revoke_reason_parse(NULL, "key-compromise", &r), P11C_OK);
	assert_int_equal(r, P11C_REVOKE_KEY_COMPROMISE);
	expect_str("name", p11c_revoke_reason_name(P11C_REVOKE_SUPERSEDED), "superseded");
	assert_int_equal(p11c_revoke_reason_parse(NULL, "stolen", &r), P11C_EUSAGE);
	expect_str("method", p11c_acme_method_name(P11C_ACME_WEBROOT), "webroot");
	expect_str("method", p11c_acme_method_name((p11c_acme_method)9), "unknown");
}

int main(void)
{
	check_py = getenv("P11C_ACME_CHECK");
	if (!check_py) {
		fprintf(stderr, "P11C_ACME_CHECK must name acme_check.py\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_acme_thumbprint_rfc7638, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acme_jws_es256, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acme_jws_es384, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acme_jws_rs256, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acme_eab_hs256, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acme_ari_certid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acme_state_missing_is_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acme_state_malformed_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acme_state_roundtrip, setup, teardown),
	    cmocka_unit_test(test_acme_problem_one_line),
	    cmocka_unit_test(test_acme_retry_after),
	    cmocka_unit_test(test_acme_time_parse),
	    cmocka_unit_test(test_acme_reason_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
