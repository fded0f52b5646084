/* SPDX-License-Identifier: MPL-2.0 */
/* A small program on the public ACME API (p11cert/acme.h) for
 * tests/cli/acme-api.sh, which starts pebble and checks each step with
 * openssl, certutil and pebble's own view:
 *   test_acme_driver DB register [KID|- HMAC_BASE64URL|- [KEY_TYPE [TOKEN]]]
 *   test_acme_driver DB issue ALIAS NAME SAN|- METHOD [TOKEN|- [KEY_TYPE]]
 *   test_acme_driver DB renew ALIAS [new-key|dns|http]
 *   test_acme_driver DB revoke ALIAS REASON
 *   test_acme_driver DB list
 * METHOD: http (the library's http-01 answerer on $PEBBLE_HTTP_PORT),
 * dns (a callback solver that sets TXT records through challtestsrv's
 * management API at $CHALL_MGMT), dns-wrong (the same, with a wrong
 * value), dns-stop (the same, running $ACME_STOP_CMD first: the server
 * gone mid-order).  $ACME_SERVER (may be unset: the account's), $ACME_CA,
 * $P11C_MODULE (a module for the run), $ACME_LOG (a file for the
 * library's log lines).  Prints the library's message and
 * exits with the negated status on failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p11cert.h"

static int wrong, stop;

static int run_curl(const char *path, const char *body)
{
	char cmd[2048];
	const char *mgmt = getenv("CHALL_MGMT");
	if (!mgmt)
		return P11C_EFAIL;
	snprintf(cmd, sizeof(cmd), "curl -sf --max-time 5 -o /dev/null -X POST -d '%s' '%s%s'",
	         body, mgmt, path);
	return system(cmd) == 0 ? P11C_OK : P11C_EFAIL;
}

static int dns_set(const p11c_acme_challenge *ch, void *arg)
{
	char body[1024];
	(void)arg;
	/* dns-stop: the server goes away mid-order, once the challenge is set. */
	if (stop && getenv("ACME_STOP_CMD") && system(getenv("ACME_STOP_CMD")) != 0)
		return P11C_EFAIL;
	snprintf(body, sizeof(body), "{\"host\":\"%s.\",\"value\":\"%s\"}",
	         p11c_acme_challenge_dns_name(ch),
	         wrong ? "not-the-key-authorization" : p11c_acme_challenge_dns_value(ch));
	return run_curl("/set-txt", body);
}

static int dns_clear(const p11c_acme_challenge *ch, void *arg)
{
	char body[1024];
	(void)arg;
	snprintf(body, sizeof(body), "{\"host\":\"%s.\"}", p11c_acme_challenge_dns_name(ch));
	return run_curl("/clear-txt", body);
}

static const p11c_acme_solver dns_solver = {
    .size = sizeof(p11c_acme_solver), .type = "dns-01", .set = dns_set, .clear = dns_clear};

/* The library's -v lines, appended to $ACME_LOG when set. */
static void log_line(const char *line, void *arg)
{
	(void)arg;
	FILE *f = getenv("ACME_LOG") ? fopen(getenv("ACME_LOG"), "a") : NULL;
	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
}

static void set_method(p11c_acme_issue_opts *o, const char *m)
{
	if (!strcmp(m, "http")) {
		o->method = P11C_ACME_HTTP01_PORT;
		o->http01_port =
		    atoi(getenv("PEBBLE_HTTP_PORT") ? getenv("PEBBLE_HTTP_PORT") : "0");
		o->http01_address = "127.0.0.1";
	} else {
		wrong = !strcmp(m, "dns-wrong");
		stop = !strcmp(m, "dns-stop");
		o->method = P11C_ACME_CALLBACK;
		o->solver = &dns_solver;
	}
}

static size_t unb64url(const char *s, unsigned char *out, size_t cap)
{
	const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned acc = 0, bits = 0;
	size_t n = 0;
	for (; *s && n < cap; s++) {
		const char *p = strchr(tab, *s);
		if (!p)
			break;
		acc = acc << 6 | (unsigned)(p - tab);
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	p11c_db *db = NULL;
	int rc;
	if (argc < 3) {
		fprintf(stderr, "usage: %s DB register|issue|renew|revoke|list ...\n", argv[0]);
		return 2;
	}
	const char *cmd = argv[2];
	p11c_acme_opts acme = P11C_ACME_OPTS_INIT;
	acme.server = getenv("ACME_SERVER");
	acme.server_ca = getenv("ACME_CA");
	acme.wait = 60;
	if ((rc = p11c_db_new(&db)))
		return 1;
	p11c_db_set_log(db, log_line, NULL);
	p11c_db_set_warning(db, log_line, NULL);
	if (getenv("P11C_MODULE") && (rc = p11c_db_set_module(db, getenv("P11C_MODULE"))))
		goto out;
	if ((rc = p11c_db_open(db, argv[1], P11C_OPEN_NO_P11KIT)))
		goto out;
	if (!strcmp(cmd, "register")) {
		p11c_acme_register_opts r = P11C_ACME_REGISTER_OPTS_INIT;
		unsigned char hmac[256];
		char *url = NULL;
		r.agree_tos = 1;
		r.email = "hostmaster@example.test";
		if (argc >= 5 && strcmp(argv[3], "-")) {
			r.eab_kid = argv[3];
			r.eab_hmac = hmac;
			r.eab_hmac_len = unb64url(argv[4], hmac, sizeof(hmac));
		}
		if (argc >= 6)
			r.key_type = argv[5];
		if (argc >= 7)
			r.token = argv[6];
		if (!(rc = p11c_acme_register(db, &acme, &r, &url)))
			printf("account %s\n", url);
		free(url);
	} else if (!strcmp(cmd, "issue") && argc >= 7) {
		p11c_acme_issue_opts o = P11C_ACME_ISSUE_OPTS_INIT;
		o.name = argv[4];
		o.san = strcmp(argv[5], "-") ? argv[5] : NULL;
		set_method(&o, argv[6]);
		if (argc >= 8 && strcmp(argv[7], "-"))
			o.token = argv[7];
		if (argc >= 9)
			o.key_type = argv[8];
		rc = p11c_acme_issue(db, &acme, argv[3], &o);
	} else if (!strcmp(cmd, "renew") && argc >= 4) {
		p11c_acme_issue_opts o = P11C_ACME_ISSUE_OPTS_INIT;
		int given = argc >= 5;
		if (given && !strcmp(argv[4], "new-key"))
			o.flags |= P11C_ACME_NEW_KEY, given = 0;
		if (given)
			set_method(&o, argv[4]);
		else
			o.solver = &dns_solver; /* a callback-issued alias needs it again */
		rc = p11c_acme_renew(db, &acme, argv[3], &o);
	} else if (!strcmp(cmd, "revoke") && argc >= 5) {
		p11c_revoke_reason r;
		if (!(rc = p11c_revoke_reason_parse(db, argv[4], &r)))
			rc = p11c_acme_revoke(db, &acme, argv[3], r);
	} else if (!strcmp(cmd, "list")) {
		p11c_acme_listing *l = NULL;
		if (!(rc = p11c_acme_list(db, &l))) {
			printf("server %s\naccount %s\n",
			       p11c_acme_listing_server(l) ? p11c_acme_listing_server(l) : "-",
			       p11c_acme_listing_account(l) ? p11c_acme_listing_account(l) : "-");
			for (size_t i = 0; i < p11c_acme_listing_count(l); i++) {
				const p11c_acme_cert *c = p11c_acme_listing_get(l, i);
				printf("cert %s method=%s not_after=%lld renew_at=%lld revoked=%d "
				       "failure=%s\n",
				       p11c_acme_cert_alias(c),
				       p11c_acme_method_name(p11c_acme_cert_method(c)),
				       p11c_acme_cert_not_after(c), p11c_acme_cert_renew_at(c),
				       p11c_acme_cert_revoked(c),
				       p11c_acme_cert_failure(c) ? p11c_acme_cert_failure(c) : "-");
			}
			p11c_acme_listing_free(l);
		}
	} else {
		fprintf(stderr, "unknown command or too few arguments\n");
		rc = P11C_EUSAGE;
	}
out:
	if (rc)
		fprintf(stderr, "p11cert: %s\n", p11c_last_error(db));
	p11c_db_free(db);
	return -rc;
}
