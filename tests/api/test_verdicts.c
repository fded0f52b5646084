/* SPDX-License-Identifier: MPL-2.0 */
/* chain.h's and check.h's verdicts through the public API alone, on a
 * temporary database: p11c_cert_verify on a CA-signed leaf, an untrusted
 * self-signed certificate and an expired one (held against certutil -V),
 * p11c_db_check's findings and worst severity (held against openssl
 * x509 -checkend), the options' size checks, and the _name() functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "apitest.h"

#include "p11cert.h"

#define PW "api-verdicts-password"

typedef struct {
	char tmp[256];
	char dir[320];    /* the database */
	char pwfile[320]; /* its password */
	char pki[320];    /* openssl's test chain (make_chain), made on demand */
	p11c_db *db;      /* open read-write on dir, with pwfile */
} fixture;

static void ok(const p11c_db *db, int rc, const char *call)
{
	if (rc != P11C_OK)
		fail_msg("%s: got %d '%s', wanted P11C_OK", call, rc, p11c_last_error(db));
}
#define OK(db, call) ok((db), (call), #call)

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(f->tmp, sizeof(f->tmp), "%s/p11c-api-verdicts.XXXXXX", base);
	assert_non_null(mkdtemp(f->tmp));
	snprintf(f->dir, sizeof(f->dir), "%s/db", f->tmp);
	snprintf(f->pwfile, sizeof(f->pwfile), "%s/pw", f->tmp);
	snprintf(f->pki, sizeof(f->pki), "%s/pki", f->tmp);
	api_write_file(f->pwfile, PW "\n", strlen(PW) + 1, 0600);
	assert_int_equal(p11c_db_new(&f->db), P11C_OK);
	OK(f->db, p11c_db_set_password_file(f->db, f->pwfile));
	p11c_generate_opts g = P11C_GENERATE_OPTS_INIT;
	g.flags = P11C_GENERATE_NO_DEFAULT_CERT | P11C_GENERATE_NO_P11KIT;
	OK(f->db, p11c_db_generate(f->db, f->dir, &g));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char cmd[400];
	p11c_db_free(f->db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->tmp);
	int rc = system(cmd);
	free(f);
	return rc ? -1 : 0;
}

/* certutil -V's answer on alias for a TLS server, and its exit status
 * (0: valid) in *status. */
static char *certutil_verify(const fixture *f, const char *alias, int *status)
{
	char *out = api_run("certutil -V -n '%s' -u V -d 'sql:%s' -f '%s' 2>&1; echo \"rc=$?\"",
	                    alias, f->dir, f->pwfile);
	const char *rc = strstr(out, "rc=");
	assert_non_null(rc);
	*status = atoi(rc + 3);
	return out;
}

/* A self-signed EC certificate with its key; a CA (trusted CT,,) when ca. */
static void selfsign(fixture *f, const char *alias, const char *cn, int days, int ca)
{
	p11c_dn_fields dn = P11C_DN_FIELDS_INIT;
	dn.cn = cn;
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	o.fields = &dn;
	o.key_type = "ec:p256";
	o.days = days;
	o.flags = ca ? P11C_SELFSIGN_CA : 0u;
	OK(f->db, p11c_cert_selfsign(f->db, alias, &o));
	if (!ca)
		return;
	p11c_cert *c = NULL;
	char path[400];
	OK(f->db, p11c_cert_show(f->db, alias, &c));
	snprintf(path, sizeof(path), "%s/%s.pem", f->tmp, alias);
	api_write_file(path, p11c_cert_pem(c), strlen(p11c_cert_pem(c)), 0644);
	p11c_cert_free(c);
	p11c_add_opts a = P11C_ADD_OPTS_INIT;
	a.flags = P11C_ADD_TRUSTED_CA;
	OK(f->db, p11c_cert_add(f->db, alias, path, &a, NULL));
}

/* The trusted CA "ca" and "leaf" (leaf.example), which it issued from a
 * request whose key the database holds. */
static void ca_and_leaf(fixture *f)
{
	char req[400], crt[400];
	selfsign(f, "ca", "Verdicts CA", 3650, 1);
	p11c_dn_fields dn = P11C_DN_FIELDS_INIT;
	dn.cn = "leaf.example";
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	o.fields = &dn;
	o.key_type = "ec:p256";
	snprintf(req, sizeof(req), "%s/leaf.csr", f->tmp);
	snprintf(crt, sizeof(crt), "%s/leaf.pem", f->tmp);
	OK(f->db, p11c_request_write(f->db, "leaf", &o, P11C_REQUEST_PEM, req));
	char *pem = NULL;
	OK(f->db, p11c_request_sign(f->db, "ca", req, NULL, &pem));
	api_write_file(crt, pem, strlen(pem), 0644);
	free(pem);
	OK(f->db, p11c_cert_add(f->db, "leaf", crt, NULL, NULL));
}

/* openssl's chain of tests/cli/servers.sh (make_chain): a root, an
 * intermediate, a leaf, and a leaf that expired 10 days ago; the root is
 * added as a trusted CA and the expired leaf with its key as "old". */
static void expired_leaf(fixture *f)
{
	const char *src = getenv("P11C_SOURCE_ROOT");
	if (!src)
		skip();
	char *out = api_run("T='%s/unused' bash -c '. \"%s/tests/cli/servers.sh\" && "
	                    "make_chain \"%s\" old.example' 2>&1 && echo made",
	                    f->tmp, src, f->pki);
	if (!strstr(out, "made"))
		fail_msg("make_chain: %s", out);
	free(out);
	char root[400], key[400], chain[400];
	snprintf(root, sizeof(root), "%s/root.pem", f->pki);
	snprintf(key, sizeof(key), "%s/expired.key", f->pki);
	snprintf(chain, sizeof(chain), "%s/expired-chain.pem", f->pki);
	OK(f->db, p11c_cert_add_bundle(f->db, root, "CT,,", NULL, NULL));
	p11c_import_opts io = P11C_IMPORT_OPTS_INIT;
	io.alias = "old";
	OK(f->db, p11c_pem_import(f->db, key, chain, NULL, &io, NULL));
}

/* The first problem of c with code, or NULL. */
static const p11c_problem *problem_of(const p11c_chain *c, enum p11c_problem_code code)
{
	for (size_t i = 0; i < p11c_chain_problem_count(c); i++)
		if (p11c_problem_code(p11c_chain_problem_get(c, i)) == code)
			return p11c_chain_problem_get(c, i);
	return NULL;
}

static void test_verify_ca_signed_leaf_trusted(void **state)
{
	fixture *f = *state;
	ca_and_leaf(f);
	p11c_chain *c = NULL;
	OK(f->db, p11c_cert_verify(f->db, "leaf", P11C_USAGE_TLS_SERVER, 0, &c));
	assert_int_equal(p11c_chain_trusted(c), 1);
	assert_int_equal(p11c_chain_problem_count(c), 0);
	assert_null(p11c_chain_problem_get(c, 0));
	assert_int_equal(p11c_chain_cert_count(c), 2);
	assert_string_equal(p11c_cert_alias(p11c_chain_cert_get(c, 0)), "leaf");
	assert_string_equal(p11c_cert_alias(p11c_chain_cert_get(c, 1)), "ca");
	assert_string_equal(p11c_cert_issuer(p11c_chain_cert_get(c, 0)),
	                    p11c_cert_subject(p11c_chain_cert_get(c, 1)));
	assert_null(p11c_chain_cert_get(c, 2));
	/* both links are the database's own; nothing is missing or fetched */
	assert_int_equal(p11c_chain_link_flags(c, 0), P11C_LINK_IN_DATABASE);
	assert_int_equal(p11c_chain_link_flags(c, 1), P11C_LINK_IN_DATABASE);
	assert_int_equal(p11c_chain_link_flags(c, 2), 0);
	/* verify-cert has no server */
	assert_null(p11c_chain_url(c));
	assert_null(p11c_chain_host(c));
	assert_int_equal(p11c_chain_port(c), 0);
	assert_int_equal(p11c_chain_note_count(c), 0);
	p11c_chain_free(c);
	int status = -1;
	char *v = certutil_verify(f, "leaf", &status);
	if (status != 0 || !strstr(v, "certificate is valid"))
		fail_msg("certutil -V disagrees: %s", v);
	free(v);
}

/* p11c_cert_verify_opts: a leaf that names no OCSP responder is not
 * checked (soft), or unknown and not trusted when revocation is required;
 * the root is never asked; nothing is fetched, so nothing is cached. */
static void test_verify_opts_revocation(void **state)
{
	fixture *f = *state;
	ca_and_leaf(f);
	p11c_chain *c = NULL;
	p11c_verify_opts o = P11C_VERIFY_OPTS_INIT;
	assert_int_equal(o.revocation, P11C_REVOCATION_OCSP);
	OK(f->db, p11c_cert_verify_opts(f->db, "leaf", P11C_USAGE_TLS_SERVER, &o, &c));
	assert_int_equal(p11c_chain_trusted(c), 1);
	assert_int_equal(p11c_chain_rev_status(c, 0), P11C_REV_NOT_CHECKED);
	assert_string_equal(p11c_chain_rev_error(c, 0), "it names no OCSP responder");
	assert_null(p11c_chain_rev_method(c, 0));
	assert_null(p11c_chain_rev_reason(c, 0));
	assert_int_equal(p11c_chain_rev_this_update(c, 0), 0);
	assert_int_equal(p11c_chain_rev_status(c, 1), P11C_REV_NOT_CHECKED);
	assert_null(p11c_chain_rev_error(c, 1));
	assert_int_equal(p11c_chain_rev_status(c, 2), P11C_REV_NOT_CHECKED);
	p11c_chain_free(c);
	o.require_revocation = 1;
	o.revocation = P11C_REVOCATION_ALL;
	OK(f->db, p11c_cert_verify_opts(f->db, "leaf", P11C_USAGE_TLS_SERVER, &o, &c));
	assert_int_equal(p11c_chain_trusted(c), 0);
	assert_int_equal(p11c_chain_rev_status(c, 0), P11C_REV_UNKNOWN);
	assert_int_equal(p11c_chain_problem_count(c), 1);
	assert_int_equal(p11c_problem_code(p11c_chain_problem_get(c, 0)),
	                 P11C_PROBLEM_REVOCATION_UNKNOWN);
	assert_int_equal(p11c_problem_depth(p11c_chain_problem_get(c, 0)), 0);
	p11c_chain_free(c);
	o.revocation = P11C_REVOCATION_NONE;
	OK(f->db, p11c_cert_verify_opts(f->db, "leaf", P11C_USAGE_TLS_SERVER, &o, &c));
	assert_int_equal(p11c_chain_trusted(c), 1);
	assert_null(p11c_chain_rev_error(c, 0));
	p11c_chain_free(c);
	/* p11c_cert_verify asks nothing */
	OK(f->db, p11c_cert_verify(f->db, "leaf", P11C_USAGE_TLS_SERVER, 0, &c));
	assert_null(p11c_chain_rev_error(c, 0));
	p11c_chain_free(c);
}

static void test_verify_self_signed_unknown_issuer(void **state)
{
	fixture *f = *state;
	selfsign(f, "self", "self.example", 30, 0);
	p11c_chain *c = NULL;
	OK(f->db, p11c_cert_verify(f->db, "self", P11C_USAGE_TLS_SERVER, 0, &c));
	assert_int_equal(p11c_chain_trusted(c), 0);
	assert_int_equal(p11c_chain_cert_count(c), 1);
	/* NSS also finds it no CA and not for servers (no basicConstraints,
	 * no extended key usage): the unknown issuer is among the problems */
	const p11c_problem *p = problem_of(c, P11C_PROBLEM_UNKNOWN_ISSUER);
	assert_non_null(p);
	assert_string_equal(p11c_problem_code_name(p11c_problem_code(p)), "unknown-issuer");
	assert_int_equal(p11c_problem_depth(p), 0);
	assert_non_null(strstr(p11c_problem_message(p), "unknown issuer: the root"));
	p11c_chain_free(c);
	int status = 0;
	char *v = certutil_verify(f, "self", &status);
	if (status == 0 || !strstr(v, "certificate is invalid"))
		fail_msg("certutil -V should refuse it: %s", v);
	free(v);
}

static void test_verify_expired(void **state)
{
	fixture *f = *state;
	expired_leaf(f);
	p11c_chain *c = NULL;
	OK(f->db, p11c_cert_verify(f->db, "old", P11C_USAGE_TLS_SERVER, 0, &c));
	assert_int_equal(p11c_chain_trusted(c), 0);
	assert_int_equal(p11c_chain_cert_count(c), 3);
	const p11c_problem *p = problem_of(c, P11C_PROBLEM_EXPIRED);
	assert_non_null(p);
	assert_int_equal(p11c_problem_depth(p), 0);
	assert_non_null(strstr(p11c_problem_message(p), "expired: "));
	assert_null(problem_of(c, P11C_PROBLEM_UNKNOWN_ISSUER)); /* the root is trusted */
	p11c_chain_free(c);
	int status = 0;
	char *v = certutil_verify(f, "old", &status);
	if (status == 0 || !strstr(v, "xpired"))
		fail_msg("certutil -V should fail on an expired certificate: %s", v);
	free(v);
	/* 20 days ago it was valid, and trusted */
	OK(f->db, p11c_cert_verify(f->db, "old", P11C_USAGE_TLS_SERVER,
	                           (long long)time(NULL) - 20 * 86400, &c));
	assert_int_equal(p11c_chain_trusted(c), 1);
	assert_int_equal(p11c_chain_problem_count(c), 0);
	p11c_chain_free(c);
}

static void test_verify_usage_out_of_range(void **state)
{
	fixture *f = *state;
	selfsign(f, "self", "self.example", 30, 0);
	p11c_chain *c = (p11c_chain *)&c; /* not NULL */
	assert_int_equal(p11c_cert_verify(f->db, "self", (p11c_usage)6, 0, &c), P11C_EUSAGE);
	assert_null(c);
	assert_non_null(strstr(p11c_last_error(f->db), "p11c_cert_verify: usage is 6"));
	assert_int_equal(p11c_cert_verify(f->db, "self", (p11c_usage)-1, 0, &c), P11C_EUSAGE);
	assert_null(c);
	/* the CA usages are in range */
	OK(f->db, p11c_cert_verify(f->db, "self", P11C_USAGE_EMAIL_CA, 0, &c));
	p11c_chain_free(c);
}

/* The first finding of r with code, or NULL. */
static const p11c_finding *finding_of(const p11c_check_report *r, enum p11c_finding_code code)
{
	for (size_t i = 0; i < p11c_check_report_count(r); i++)
		if (p11c_finding_code(p11c_check_report_get(r, i)) == code)
			return p11c_check_report_get(r, i);
	return NULL;
}

static void test_check_expired_and_orphan_key(void **state)
{
	fixture *f = *state;
	expired_leaf(f);
	char req[400];
	p11c_dn_fields dn = P11C_DN_FIELDS_INIT;
	dn.cn = "waiting.example";
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	o.fields = &dn;
	o.key_type = "ec:p256";
	snprintf(req, sizeof(req), "%s/waiting.csr", f->tmp);
	OK(f->db, p11c_request_write(f->db, "waiting", &o, P11C_REQUEST_PEM, req));

	p11c_check_report *r = NULL;
	OK(f->db, p11c_db_check(f->db, NULL, &r));
	const p11c_finding *e = finding_of(r, P11C_FINDING_EXPIRED);
	assert_non_null(e);
	assert_string_equal(p11c_finding_alias(e), "old");
	assert_int_equal(p11c_finding_severity(e), P11C_SEVERITY_PROBLEM);
	assert_string_equal(p11c_finding_code_name(p11c_finding_code(e)), "expired");
	assert_non_null(strstr(p11c_finding_message(e), "certificate 'old' expired on "));
	const p11c_finding *k = finding_of(r, P11C_FINDING_ORPHAN_KEY);
	assert_non_null(k);
	assert_string_equal(p11c_finding_alias(k), "waiting");
	assert_int_equal(p11c_finding_severity(k), P11C_SEVERITY_WARNING);
	assert_string_equal(p11c_severity_name(p11c_finding_severity(k)), "warning");
	assert_int_equal(p11c_check_report_severity(r), P11C_SEVERITY_PROBLEM);
	/* every finding is a warning or a problem, with a code and a message */
	for (size_t i = 0; i < p11c_check_report_count(r); i++) {
		const p11c_finding *x = p11c_check_report_get(r, i);
		assert_true(p11c_finding_severity(x) == P11C_SEVERITY_WARNING ||
		            p11c_finding_severity(x) == P11C_SEVERITY_PROBLEM);
		assert_int_not_equal(p11c_finding_code(x), P11C_FINDING_NONE);
		assert_true(*p11c_finding_message(x));
	}
	assert_null(p11c_check_report_get(r, p11c_check_report_count(r)));
	p11c_check_report_free(r);
	/* openssl agrees it has expired */
	char *out =
	    api_run("openssl x509 -in '%s/expired.pem' -noout -checkend 0; echo rc=$?", f->pki);
	assert_non_null(strstr(out, "will expire"));
	assert_non_null(strstr(out, "rc=1"));
	free(out);
	/* certutil too has the key, and no certificate for it */
	out = api_run("certutil -K -d 'sql:%s' -f '%s' 2>&1", f->dir, f->pwfile);
	if (!strstr(out, "waiting"))
		fail_msg("certutil -K has no key 'waiting': %s", out);
	free(out);
	out = api_run("certutil -L -d 'sql:%s' 2>&1", f->dir);
	if (strstr(out, "waiting") || !strstr(out, "old"))
		fail_msg("certutil -L should list 'old' and not 'waiting': %s", out);
	free(out);
}

/* Options: NULL is the defaults (30 days), a size of 0 is refused. */
static void test_check_opts_defaults_and_size(void **state)
{
	fixture *f = *state;
	selfsign(f, "soon", "soon.example", 20, 0);
	p11c_check_report *r = NULL;
	OK(f->db, p11c_db_check(f->db, NULL, &r));
	const p11c_finding *e = finding_of(r, P11C_FINDING_EXPIRING);
	assert_non_null(e);
	assert_string_equal(p11c_finding_alias(e), "soon");
	assert_int_equal(p11c_check_report_severity(r), P11C_SEVERITY_WARNING);
	p11c_check_report_free(r);

	p11c_check_opts o = P11C_CHECK_OPTS_INIT;
	o.days = 10;
	OK(f->db, p11c_db_check(f->db, &o, &r));
	assert_null(finding_of(r, P11C_FINDING_EXPIRING));
	p11c_check_report_free(r);

	o.size = 0;
	r = (p11c_check_report *)&r;
	assert_int_equal(p11c_db_check(f->db, &o, &r), P11C_EUSAGE);
	assert_null(r);
	assert_non_null(strstr(p11c_last_error(f->db), "opts->size is 0"));

	p11c_fetch_opts fo = P11C_FETCH_OPTS_INIT;
	p11c_chain *c = (p11c_chain *)&c;
	fo.size = 0;
	assert_int_equal(p11c_chain_fetch(f->db, "smtp://127.0.0.1:1", &fo, &c), P11C_EUSAGE);
	assert_null(c);
	assert_non_null(strstr(p11c_last_error(f->db), "p11c_chain_fetch: opts->size is 0"));
}

/* The _name() functions: today's words, "unknown" out of range. */
static void test_names(void **state)
{
	(void)state;
	static const char *const problems[] = {"none",
	                                       "unknown-issuer",
	                                       "expired",
	                                       "not-yet-valid",
	                                       "name-mismatch",
	                                       "wrong-usage",
	                                       "not-a-ca",
	                                       "bad-signature",
	                                       "revoked",
	                                       "distrusted",
	                                       "other",
	                                       "revocation-unknown",
	                                       NULL};
	for (int i = 0; problems[i]; i++)
		assert_string_equal(p11c_problem_code_name((enum p11c_problem_code)i), problems[i]);
	assert_int_equal(P11C_PROBLEM_OTHER, 10);
	assert_string_equal(p11c_problem_code_name((enum p11c_problem_code)12), "unknown");
	assert_string_equal(p11c_problem_code_name((enum p11c_problem_code) - 1), "unknown");

	static const char *const findings[] = {"none",
	                                       "expired",
	                                       "expiring",
	                                       "weak-key",
	                                       "weak-signature",
	                                       "no-key",
	                                       "orphan-key",
	                                       "chain",
	                                       "login",
	                                       "password-file",
	                                       "interrupted-write",
	                                       "journal",
	                                       "duplicate-alias",
	                                       "token-defect",
	                                       "stale-export",
	                                       "sdb-cache",
	                                       "acme-due",
	                                       "acme-failed",
	                                       "revoked",
	                                       "revocation-unknown",
	                                       NULL};
	for (int i = 0; findings[i]; i++)
		assert_string_equal(p11c_finding_code_name((enum p11c_finding_code)i), findings[i]);
	assert_int_equal(P11C_FINDING_SDB_CACHE, 15);
	assert_int_equal(P11C_FINDING_ACME_FAILED, 17);
	assert_int_equal(P11C_FINDING_REVOCATION_UNKNOWN, 19);
	assert_string_equal(p11c_finding_code_name((enum p11c_finding_code)20), "unknown");
	assert_string_equal(p11c_finding_code_name((enum p11c_finding_code) - 1), "unknown");

	assert_string_equal(p11c_severity_name(P11C_SEVERITY_OK), "ok");
	assert_string_equal(p11c_severity_name(P11C_SEVERITY_WARNING), "warning");
	assert_string_equal(p11c_severity_name(P11C_SEVERITY_PROBLEM), "problem");
	assert_string_equal(p11c_severity_name((p11c_severity)3), "unknown");
	assert_string_equal(p11c_severity_name((p11c_severity)-1), "unknown");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_verify_ca_signed_leaf_trusted),     T(test_verify_opts_revocation),
	    T(test_verify_self_signed_unknown_issuer), T(test_verify_expired),
	    T(test_verify_usage_out_of_range),         T(test_check_expired_and_orphan_key),
	    T(test_check_opts_defaults_and_size),      cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
