/* SPDX-License-Identifier: MPL-2.0 */
/* fetch-chain and verify-cert: a chain, each link, and the database's
 * verdict on it. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "output.h"

enum { O_SAVE, O_ADD_TRUST, O_CA_ISSUERS, O_TIMEOUT, O_JSON, O_USAGE, O_AT, O_REV, O_REQUIRE };

static const cli_opt fetch_opts[] = {
    {"save", 0, 1, O_SAVE},
    {"add-trust", 0, 0, O_ADD_TRUST},
    {"ca-issuers", 0, 0, O_CA_ISSUERS},
    {"timeout", 0, 1, O_TIMEOUT},
    {"json", 0, 0, O_JSON},
    {"revocation", 0, 1, O_REV},
    {"require-revocation", 0, 0, O_REQUIRE},
    {NULL, 0, 0, 0},
};

static const cli_opt verify_opts[] = {
    {"usage", 0, 1, O_USAGE},
    {"at", 0, 1, O_AT},
    {"revocation", 0, 1, O_REV},
    {"require-revocation", 0, 0, O_REQUIRE},
    {"timeout", 0, 1, O_TIMEOUT},
    {"json", 0, 0, O_JSON},
    {NULL, 0, 0, 0},
};

/* P11C_USAGE_*'s order */
static const char *const usage_names[] = {"server",    "client",    "email",
                                          "server-ca", "client-ca", "email-ca"};
static const char *const usage_words[] = {
    "TLS servers",          "TLS clients",          "email",
    "a CA for TLS servers", "a CA for TLS clients", "a CA for email"};

typedef struct {
	const char *save;
	int add_trust;
	p11c_fetch_opts o;
	p11c_verify_opts v;
	int json;
	int usage;
	long long at;
} args;

/* TIME for --at: 2027-01-31, 2027-01-31T12:00[:00][Z], "2027/01/31 12:00"
 * (list-certs' form) or @SECONDS; UTC.  -1 when it is none of them. */
static long long parse_time(const char *s)
{
	static const char *const forms[] = {
	    "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M",
	    "%Y-%m-%d %H:%M:%S",  "%Y-%m-%d %H:%M",    "%Y/%m/%d %H:%M",  "%Y-%m-%d"};
	if (s[0] == '@') {
		char *end;
		long long v = s[1] >= '0' && s[1] <= '9' ? strtoll(s + 1, &end, 10) : -1;
		return v > 0 && v < 253402300800LL && !*end ? v : -1; /* before year 10000 */
	}
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct tm tm;
		memset(&tm, 0, sizeof(tm));
		const char *end = strptime(s, forms[i], &tm);
		if (end && !*end && tm.tm_year >= 70 - 20)
			return (long long)timegm(&tm);
	}
	return -1;
}

static int on_opt(int id, const char *arg, void *ctx)
{
	args *a = ctx;
	long v;
	switch (id) {
	case O_SAVE:
		a->save = arg;
		break;
	case O_ADD_TRUST:
		a->add_trust = 1;
		break;
	case O_CA_ISSUERS:
		a->o.flags |= P11C_FETCH_CA_ISSUERS;
		break;
	case O_TIMEOUT:
		v = cli_number(arg);
		if (v < 1 || v > 3600)
			return cli_usage_error("--timeout needs 1 to 3600 seconds, not '%s'", arg);
		a->o.timeout = (int)v;
		a->v.timeout = (int)v;
		break;
	case O_REV:
		if ((v = cli_revocation_mode(arg, &a->o.revocation)))
			return (int)v;
		a->v.revocation = a->o.revocation;
		break;
	case O_REQUIRE:
		a->o.require_revocation = a->v.require_revocation = 1;
		break;
	case O_JSON:
		a->json = 1;
		break;
	case O_USAGE:
		for (a->usage = 0; a->usage < 6; a->usage++)
			if (!strcmp(arg, usage_names[a->usage]))
				break;
		if (a->usage == 6)
			return cli_usage_error("--usage is server, client, email, server-ca, "
			                       "client-ca or email-ca, not '%s'",
			                       arg);
		break;
	case O_AT:
		a->at = parse_time(arg);
		if (a->at <= 0)
			return cli_usage_error("--at needs a UTC time such as 2027-01-31 or "
			                       "2027-01-31T12:00:00Z, not '%s'",
			                       arg);
		break;
	}
	return 0;
}

static void fetch_init(void *p)
{
	((args *)p)->o = (p11c_fetch_opts)P11C_FETCH_OPTS_INIT;
	((args *)p)->v = (p11c_verify_opts)P11C_VERIFY_OPTS_INIT;
}

/* "Revocation: good (OCSP http://..., thisUpdate ...)" for a link asked. */
static void print_revocation(const p11c_chain *c, size_t i)
{
	p11c_rev_status st = p11c_chain_rev_status(c, i);
	const char *src = p11c_chain_rev_source(c, i), *m = p11c_chain_rev_method(c, i);
	char t[32], r[32];
	if (st == P11C_REV_NOT_CHECKED) {
		if (p11c_chain_rev_error(c, i))
			printf("  %-12snot checked: %s\n",
			       "Revocation:", p11c_chain_rev_error(c, i));
		return;
	}
	if (st == P11C_REV_UNKNOWN) {
		printf("  %-12sunknown: %s%s%s\n", "Revocation:", p11c_chain_rev_error(c, i),
		       src ? ", " : "", src ? src : "");
		return;
	}
	cli_time_table(p11c_chain_rev_this_update(c, i), t, sizeof(t));
	printf("  %-12s%s (%s %s%s, thisUpdate %s UTC)\n",
	       "Revocation:", st == P11C_REV_GOOD ? "good" : "REVOKED",
	       m && !strcmp(m, "crl") ? "CRL" : "OCSP", src ? src : "?",
	       p11c_chain_rev_cached(c, i) ? ", from the cache" : "", t);
	if (st == P11C_REV_REVOKED) {
		cli_time_table(p11c_chain_rev_revoked_at(c, i), r, sizeof(r));
		printf("  %-12s%s UTC, reason %s\n", "Revoked:", r, p11c_chain_rev_reason(c, i));
	}
}

/* Whether a link's revocation could not be learnt (soft failure). */
static int revocation_unknown(const p11c_chain *c)
{
	for (size_t i = 0; i < p11c_chain_cert_count(c); i++)
		if (p11c_chain_rev_status(c, i) == P11C_REV_UNKNOWN)
			return 1;
	return 0;
}

/* "key": an RFC 3339 time, or null for 0 (not known). */
static void json_time(json_writer *w, const char *key, long long at)
{
	char t[32];
	json_key(w, key);
	if (!at) {
		json_null(w);
		return;
	}
	cli_time_rfc3339(at, t, sizeof(t));
	json_string(w, t);
}

static void json_revocation(json_writer *w, const p11c_chain *c, size_t i)
{
	json_key(w, "revocation");
	json_object_begin(w);
	json_key(w, "status");
	json_string(w, p11c_rev_status_name(p11c_chain_rev_status(c, i)));
	json_key(w, "method");
	json_string(w, p11c_chain_rev_method(c, i));
	json_key(w, "source");
	json_string(w, p11c_chain_rev_source(c, i));
	json_key(w, "cached");
	json_bool(w, p11c_chain_rev_cached(c, i));
	json_time(w, "this_update", p11c_chain_rev_this_update(c, i));
	json_time(w, "next_update", p11c_chain_rev_next_update(c, i));
	json_time(w, "revoked_at", p11c_chain_rev_revoked_at(c, i));
	json_key(w, "reason");
	json_string(w, p11c_chain_rev_reason(c, i));
	json_key(w, "error");
	json_string(w, p11c_chain_rev_error(c, i));
	json_object_end(w);
}

static void print_link(const p11c_chain *c, size_t i)
{
	const p11c_cert *ci = p11c_chain_cert_get(c, i);
	unsigned link = p11c_chain_link_flags(c, i);
	int self_signed = p11c_cert_is_self_signed(ci);
	char from[32], to[32];
	cli_time_table(p11c_cert_not_before(ci), from, sizeof(from));
	cli_time_table(p11c_cert_not_after(ci), to, sizeof(to));
	printf("Certificate %zu%s\n", i,
	       self_signed ? (p11c_chain_cert_count(c) == 1 ? " (self-signed)" : " (root)")
	       : i == 0    ? " (leaf)"
	                   : "");
	printf("  %-12s%s\n", "Subject:", p11c_cert_subject(ci));
	printf("  %-12s%s\n", "Issuer:", self_signed ? "Same as subject" : p11c_cert_issuer(ci));
	printf("  %-12s%s to %s UTC\n", "Valid:", from, to);
	printf("  %-12s", "SHA-256:");
	output_fingerprint(stdout, p11c_cert_sha256(ci));
	if (link & P11C_LINK_IN_DATABASE)
		printf("  %-12s'%s', trust %s\n", "Database:", p11c_cert_alias(ci),
		       p11c_cert_trust(ci));
	else
		printf("  %-12snot present\n", "Database:");
	if (link & P11C_LINK_CA_ISSUERS)
		printf("  %-12sfetched from a caIssuers URL\n", "Source:");
	print_revocation(c, i);
}

static void print_verdict(const p11c_chain *c, const char *what)
{
	printf("Verdict: %s %s%s\n", p11c_chain_trusted(c) ? "trusted" : "NOT trusted", what,
	       p11c_chain_trusted(c) && revocation_unknown(c) ? " (revocation unknown)" : "");
	for (size_t i = 0; i < p11c_chain_problem_count(c); i++)
		printf("  %s\n", p11c_problem_message(p11c_chain_problem_get(c, i)));
}

static void json_chain(const p11c_chain *c, const args *a, size_t added, const char *alias)
{
	json_writer w;
	json_init(&w, stdout);
	const char *url = p11c_chain_url(c);
	json_object_begin(&w);
	if (url) {
		json_key(&w, "url");
		json_string(&w, url);
		json_key(&w, "scheme");
		json_string(&w, p11c_chain_scheme(c));
		json_key(&w, "host");
		json_string(&w, p11c_chain_host(c));
		json_key(&w, "port");
		json_int(&w, p11c_chain_port(c));
		json_key(&w, "tls_version");
		json_string(&w, p11c_chain_tls_version(c));
		json_key(&w, "cipher");
		json_string(&w, p11c_chain_cipher(c));
	} else {
		char t[32];
		json_key(&w, "alias");
		json_string(&w, alias);
		json_key(&w, "at");
		cli_time_rfc3339(a->at ? a->at : (long long)time(NULL), t, sizeof(t));
		json_string(&w, t);
	}
	json_key(&w, "usage");
	json_string(&w, usage_names[a->usage]);
	json_key(&w, "trusted");
	json_bool(&w, p11c_chain_trusted(c));
	json_key(&w, "revocation_unknown");
	json_bool(&w, revocation_unknown(c));
	json_key(&w, "chain");
	json_array_begin(&w);
	for (size_t i = 0; i < p11c_chain_cert_count(c); i++) {
		unsigned link = p11c_chain_link_flags(c, i);
		json_object_begin(&w);
		json_key(&w, "depth");
		json_int(&w, (long long)i);
		json_key(&w, "source");
		json_string(&w, link & P11C_LINK_CA_ISSUERS ? "ca-issuers"
		                : url                       ? "server"
		                                            : "database");
		json_key(&w, "in_database");
		json_bool(&w, (link & P11C_LINK_IN_DATABASE) != 0);
		json_key(&w, "missing");
		json_bool(&w, (link & P11C_LINK_MISSING) != 0);
		output_cert_json_fields(&w, p11c_chain_cert_get(c, i));
		json_revocation(&w, c, i);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_key(&w, "problems");
	json_array_begin(&w);
	for (size_t i = 0; i < p11c_chain_problem_count(c); i++) {
		const p11c_problem *p = p11c_chain_problem_get(c, i);
		json_object_begin(&w);
		json_key(&w, "code");
		json_string(&w, p11c_problem_code_name(p11c_problem_code(p)));
		json_key(&w, "message");
		json_string(&w, p11c_problem_message(p));
		json_key(&w, "depth");
		json_int(&w, p11c_problem_depth(p));
		json_object_end(&w);
	}
	json_array_end(&w);
	if (url) {
		json_key(&w, "added");
		json_int(&w, (long long)added);
		json_key(&w, "notes");
		json_array_begin(&w);
		for (size_t i = 0; i < p11c_chain_note_count(c); i++)
			json_string(&w, p11c_chain_note_get(c, i));
		json_array_end(&w);
	}
	json_object_end(&w);
	json_end(&w);
}

/* How many CAs --add-trust would add (never the leaf). */
static size_t count_missing(const p11c_chain *c)
{
	size_t n = 0;
	for (size_t i = 1; i < p11c_chain_cert_count(c); i++)
		n += (p11c_chain_link_flags(c, i) & P11C_LINK_MISSING) != 0;
	return n;
}

/* What --add-trust adds, printed before it is added. */
static void print_missing(const p11c_chain *c)
{
	size_t n = count_missing(c);
	printf("Adding %zu CA certificate%s as trusted (CT,,):\n", n, n == 1 ? "" : "s");
	for (size_t i = 1; i < p11c_chain_cert_count(c); i++) {
		if (!(p11c_chain_link_flags(c, i) & P11C_LINK_MISSING))
			continue;
		const p11c_cert *ci = p11c_chain_cert_get(c, i);
		printf("  %s\n    SHA-256: ", p11c_cert_subject(ci));
		output_fingerprint(stdout, p11c_cert_sha256(ci));
	}
}

/* The one-line reason on stderr for a chain that is not trusted. */
static int not_trusted(const p11c_chain *c, const char *who)
{
	char more[64] = "";
	size_t n = p11c_chain_problem_count(c);
	if (n > 1)
		snprintf(more, sizeof(more), " (and %zu more)", n - 1);
	cli_error("%s: not trusted: %s%s", who,
	          n ? p11c_problem_message(p11c_chain_problem_get(c, 0)) : "no reason given", more);
	return EXIT_FAIL;
}

static int fetch_chain(cli_ctx *ctx)
{
	args a = *(const args *)ctx->args;
	const cli_globals *g = ctx->g;
	char **pos = ctx->pos;
	/* read-only unless --add-trust: the handler opens it */
	p11c_db *db = NULL;
	int rc = cli_open_db(g, !a.add_trust, &db);
	if (rc)
		return rc;
	p11c_chain *c = NULL;
	size_t added = 0;
	int st = p11c_chain_fetch(db, pos[0], &a.o, &c);
	if (st == P11C_OK && a.save)
		st = p11c_chain_save(db, c, a.save);
	if (st) {
		rc = cli_fail(db, st);
		goto out;
	}
	const char *host = p11c_chain_host(c);
	const char *version = p11c_chain_tls_version(c), *cipher = p11c_chain_cipher(c);
	if (!a.json) {
		printf("Server: %s (%s port %d), %s, %s\n", p11c_chain_url(c), host,
		       p11c_chain_port(c), version ? version : "?", cipher ? cipher : "?");
		for (size_t i = 0; i < p11c_chain_cert_count(c); i++)
			print_link(c, i);
		for (size_t i = 0; i < p11c_chain_note_count(c); i++)
			printf("Note: %s\n", p11c_chain_note_get(c, i));
	}
	char what[300];
	snprintf(what, sizeof(what), "for a TLS server named '%s'", host);
	if (a.add_trust && count_missing(c)) {
		if (!a.json) {
			print_verdict(c, what);
			print_missing(c);
		}
		st = p11c_chain_add_trust(db, c, &added);
		if (st) {
			rc = cli_fail(db, st);
			goto out;
		}
		if (!a.json)
			printf("Added %zu trusted CA certificate%s.  Now:\n", added,
			       added == 1 ? "" : "s");
	}
	if (a.json)
		json_chain(c, &a, added, NULL);
	else
		print_verdict(c, what);
	size_t n = p11c_chain_cert_count(c);
	if (a.save && !a.json)
		printf("Saved %zu certificate%s in %s\n", n, n == 1 ? "" : "s", a.save);
	if (p11c_chain_trusted(c))
		goto out;
	rc = EXIT_FAIL;
	if (a.add_trust && added == 0 && p11c_cert_is_self_signed(p11c_chain_cert_get(c, 0)))
		cli_error("%s: not trusted: the server's certificate is self-signed, and "
		          "--add-trust never trusts a server's own certificate (add-cert --trust "
		          "peer does)",
		          host);
	else if (a.add_trust && added == 0 && n < 2)
		cli_error("%s: not trusted, and the server sent no CA certificate to add (try "
		          "--ca-issuers, or add-cert -C with the CA)",
		          host);
	else
		not_trusted(c, host);
out:
	p11c_chain_free(c);
	p11c_db_free(db);
	return rc;
}

/* The revocation options' -h lines, the same for fetch-chain and verify-cert. */
#define REVOCATION_HELP                                                                            \
	"  --revocation M    none, ocsp (default), crl or all (OCSP, then the CRL):\n"             \
	"                    ask each certificate's OCSP responder or CRL (answers kept\n"         \
	"                    in DIR/p11cert-revocation/ until their nextUpdate); with\n"           \
	"                    no answer the verdict says \"revocation unknown\" and\n"              \
	"                    stays as it was\n"                                                    \
	"  --require-revocation  no answer is a failure (revocation-unknown)\n"

const cli_cmd cli_cmd_fetch_chain = {
    .name = "fetch-chain",
    .run = fetch_chain,
    .description = "Fetch a server's chain (STARTTLS too) and judge it",
    .usage = "[--save DIR] [--add-trust] [--ca-issuers]\n"
             " [--timeout SECONDS] [--revocation MODE] [--require-revocation] [--json] URL",
    .help = "Connect to a server, print the chain it presents and whether the database\n"
            "trusts it for a TLS server of that name.  URL: smtp://HOST (STARTTLS, 25),\n"
            "submission:// (587), smtps:// (465), imap:// (STARTTLS, 143), imaps:// (993),\n"
            "pop3:// (STLS, 110), pop3s:// (995), ldap:// (StartTLS, 389), ldaps:// (636),\n"
            "https:// (443); HOST:PORT and [IPv6]:PORT as usual.\n"
            "  --save DIR        write the chain as DIR/cert0.pem (the leaf), cert1.pem ...\n"
            "  --add-trust       add the CA certificates the database is missing as\n"
            "                    trusted CAs (CT,,) after printing their subjects and\n"
            "                    SHA-256 fingerprints; never the server's own certificate\n"
            "  --ca-issuers      when the chain stops short of a root, fetch the issuers\n"
            "                    from the caIssuers (http) URLs of the certificates\n"
            "  --timeout SECONDS for connecting and each answer (default 10)\n"
            REVOCATION_HELP
            "  --json            print one JSON document\n"
            "Exit status: 0 trusted, 1 not trusted or no chain, 2 usage.\n",
    .opts = fetch_opts,
    .args_size = sizeof(args),
    .init = fetch_init,
    .on_opt = on_opt,
    .min_pos = 1,
    .max_pos = 1,
    .pos_usage = "give one URL, such as smtp://mail.example.com",
    .open = CLI_OPEN_NONE,
};

static int verify_cert(cli_ctx *ctx)
{
	const args a = *(const args *)ctx->args;
	p11c_db *db = ctx->db;
	const char *alias = ctx->alias;
	p11c_chain *c = NULL;
	int rc = EXIT_OK;
	p11c_verify_opts vo = a.v;
	vo.at = a.at;
	int st = p11c_cert_verify_opts(db, alias, (p11c_usage)a.usage, &vo, &c);
	if (st) {
		rc = cli_fail(db, st);
		goto out;
	}
	char when[32], what[300];
	if (a.at)
		cli_time_table(a.at, when, sizeof(when));
	snprintf(what, sizeof(what), "%s %s%s%s%s", a.usage >= 3 ? "as" : "for",
	         usage_words[a.usage], a.at ? " at " : "", a.at ? when : "", a.at ? " UTC" : "");
	if (a.json) {
		json_chain(c, &a, 0, alias);
	} else {
		printf("Chain of '%s':\n", alias);
		for (size_t i = 0; i < p11c_chain_cert_count(c); i++)
			print_link(c, i);
		print_verdict(c, what);
	}
	if (!p11c_chain_trusted(c))
		rc = not_trusted(c, alias);
out:
	p11c_chain_free(c);
	return rc;
}

const cli_cmd cli_cmd_verify_cert = {
    .name = "verify-cert",
    .run = verify_cert,
    .description = "Verify a certificate's chain against the trust",
    .usage = "[--usage USAGE] [--at TIME] [--revocation MODE] [--require-revocation]\n"
             " [--timeout SECONDS] [--json] ALIAS",
    .help = "Verify ALIAS's chain against the database's trust: each link, and the reason\n"
            "when it fails.  The verdict is NSS's, as certutil -V gives it (peer trust\n"
            "included); a CA certificate is judged as a CA only with a -ca usage.\n"
            "  --usage U   server (default), client or email: ALIAS itself for that use;\n"
            "              server-ca, client-ca or email-ca: ALIAS as a CA for it\n"
            "  --at TIME   verify at another time (UTC): 2027-01-31, 2027-01-31T12:00:00Z,\n"
            "              \"2027/01/31 12:00\" or @SECONDS since 1970\n"
            REVOCATION_HELP
            "  --timeout SECONDS for each revocation request (default 10)\n"
            "  --json      print one JSON document\n"
            "Exit status: 0 trusted, 1 not trusted, 3 no such alias.\n",
    .opts = verify_opts,
    .args_size = sizeof(args),
    .init = fetch_init,
    .on_opt = on_opt,
    .min_pos = 1,
    .max_pos = 1,
    .pos_usage = "give one ALIAS",
    .open = CLI_OPEN_READ | CLI_OPEN_ALIAS,
};
