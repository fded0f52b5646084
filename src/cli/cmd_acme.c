/* SPDX-License-Identifier: MPL-2.0 */
/* acme-issue and acme-revoke (acme-register and the shared options are
 * in cmd_acmereg.c, acme-renew in cmd_acmerenew.c). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "json.h"

/* ---- acme-issue ---- */

enum {
	O_NAME = 1,
	O_SAN,
	O_ISSUE_KEYTYPE,
	O_HTTP01_PORT,
	O_HTTP01_ADDR,
	O_WEBROOT,
	O_DNS_HOOK,
	O_DNS_SERVER,
	O_JSON
};

static const cli_opt issue_opts[] = {
    {"name", 0, 1, O_NAME},
    {"san", 0, 1, O_SAN},
    {"key-type", 0, 1, O_ISSUE_KEYTYPE},
    {"http01-port", 0, 1, O_HTTP01_PORT},
    {"http01-address", 0, 1, O_HTTP01_ADDR},
    {"webroot", 0, 1, O_WEBROOT},
    {"dns-hook", 0, 1, O_DNS_HOOK},
    {"dns-server", 0, 1, O_DNS_SERVER},
    {"server-ca", 0, 1, CLI_ACME_SERVER_CA},
    {"timeout", 0, 1, CLI_ACME_TIMEOUT},
    {"wait", 0, 1, CLI_ACME_WAIT},
    {"json", 0, 0, O_JSON},
    {NULL, 0, 0, 0},
};

typedef struct {
	p11c_acme_opts acme;
	p11c_acme_issue_opts io;
	int methods; /* how many of --http01-port, --webroot, --dns-hook */
	int json;
} issue_args;

static void issue_init(void *p)
{
	issue_args *a = p;
	a->acme = (p11c_acme_opts)P11C_ACME_OPTS_INIT;
	a->io = (p11c_acme_issue_opts)P11C_ACME_ISSUE_OPTS_INIT;
}

static int issue_opt(int id, const char *arg, void *p)
{
	issue_args *a = p;
	long n;
	switch (id) {
	case O_NAME:
		a->io.name = arg;
		return 0;
	case O_SAN:
		a->io.san = arg;
		return 0;
	case O_ISSUE_KEYTYPE:
		a->io.key_type = arg;
		return 0;
	case O_HTTP01_PORT:
		if ((n = cli_number(arg)) < 1 || n > 65535)
			return cli_usage_error("--http01-port must be a port from 1 to 65535, not "
			                       "'%s'",
			                       arg);
		a->io.method = P11C_ACME_HTTP01_PORT;
		a->io.http01_port = (int)n;
		a->methods++;
		return 0;
	case O_HTTP01_ADDR:
		a->io.http01_address = arg;
		return 0;
	case O_WEBROOT:
		a->io.method = P11C_ACME_WEBROOT;
		a->io.webroot = arg;
		a->methods++;
		return 0;
	case O_DNS_HOOK:
		a->io.method = P11C_ACME_DNS_HOOK;
		a->io.dns_hook = arg;
		a->methods++;
		return 0;
	case O_DNS_SERVER:
		a->io.dns_server = arg;
		return 0;
	case O_JSON:
		a->json = 1;
		return 0;
	}
	return cli_acme_opt(id, arg, &a->acme);
}

static int issue_check(cli_ctx *c)
{
	const issue_args *a = c->args;
	if (!a->io.name)
		return cli_usage_error("--name CN is needed (the certificate's DNS name)");
	if (a->methods > 1)
		return cli_usage_error("give one of --http01-port, --webroot and --dns-hook");
	if (a->io.http01_address && a->io.method != P11C_ACME_HTTP01_PORT)
		return cli_usage_error("--http01-address goes with --http01-port");
	if (a->io.dns_server && a->io.method != P11C_ACME_DNS_HOOK)
		return cli_usage_error("--dns-server goes with --dns-hook");
	return EXIT_OK;
}

/* The managed certificate alias, from the record (NULL when not there). */
const p11c_acme_cert *cli_acme_find(const p11c_acme_listing *l, const char *alias)
{
	for (size_t i = 0; l && i < p11c_acme_listing_count(l); i++) {
		const p11c_acme_cert *ac = p11c_acme_listing_get(l, i);
		if (!strcmp(p11c_acme_cert_alias(ac), alias))
			return ac;
	}
	return NULL;
}

static int acme_issue(cli_ctx *c)
{
	issue_args *a = c->args;
	p11c_acme_listing *l = NULL;
	char when[64] = "", *alias = NULL; /* as the record and list-certs name it */
	int rc;
	a->io.token = c->g->token;
	if ((rc = p11c_acme_issue(c->db, &a->acme, c->pos[0], &a->io)))
		return cli_fail(c->db, rc);
	if ((rc = cli_token_alias(c->db, c->g, c->pos[0], &alias)))
		return rc;
	long long not_after = 0;
	if (p11c_acme_list(c->db, &l) == P11C_OK) {
		const p11c_acme_cert *ac = cli_acme_find(l, alias);
		not_after = ac ? p11c_acme_cert_not_after(ac) : 0;
	}
	if (a->json) {
		json_writer w;
		json_init(&w, stdout);
		json_object_begin(&w);
		json_key(&w, "alias");
		json_string(&w, alias);
		json_key(&w, "name");
		json_string(&w, a->io.name);
		json_key(&w, "san");
		if (a->io.san)
			json_string(&w, a->io.san);
		else
			json_null(&w);
		json_key(&w, "method");
		json_string(&w, p11c_acme_method_name(a->io.method));
		json_key(&w, "not_after");
		if (not_after) {
			cli_time_rfc3339(not_after, when, sizeof(when));
			json_string(&w, when);
		} else {
			json_null(&w);
		}
		json_object_end(&w);
		json_end(&w);
	} else {
		if (not_after)
			cli_time_table(not_after, when, sizeof(when));
		cli_notice(c->g, "issued '%s' for %s%s%s", alias, a->io.name,
		           not_after ? ", valid until " : "", when);
	}
	p11c_acme_listing_free(l);
	free(alias);
	return EXIT_OK;
}

const cli_cmd cli_cmd_acme_issue = {
    .name = "acme-issue",
    .run = acme_issue,
    .description = "Get a certificate from the ACME server, its key on a token",
    .usage = "ALIAS --name CN [--san LIST] [--key-type T]\n"
             " [--http01-port N [--http01-address A] | --webroot DIR |\n"
             "  --dns-hook CMD [--dns-server A[:PORT]]]\n"
             " [--server-ca F] [--timeout S] [--wait S] [--json]",
    .help = "Make a new key on --token (non-extractable) or in the database, order a\n"
            "certificate for CN and the --san names from the account's server, answer\n"
            "its challenges, and store the certificate as ALIAS with its chain.  When\n"
            "any step fails nothing is stored and the new key is removed.\n"
            "  --name CN             the certificate's CN and first DNS name\n"
            "  --san LIST            more names: dns:a.example,dns:b.example\n"
            "  --key-type T          ec:p256 (default), ec:p384, rsa:2048 ...\n"
            "  --http01-port N       answer http-01 on port N ourselves (default: 80)\n"
            "  --http01-address A    and only on address A (default: every address)\n"
            "  --webroot DIR         answer http-01 with files under\n"
            "                        DIR/.well-known/acme-challenge/, removed after\n"
            "  --dns-hook CMD        answer dns-01: run CMD set|clear NAME VALUE (a\n"
            "                        command line sees them as $1 $2 $3), then wait\n"
            "                        until the TXT record NAME shows VALUE\n"
            "  --dns-server A[:PORT] ask this DNS server (IPv4) for the record\n"
            "                        (default: the system's resolver)\n"
            "  --server-ca F         PEM CAs the server's certificate is checked against\n"
            "  --timeout S           seconds for each request (default 30)\n"
            "  --wait S              seconds the order may stay pending (default 300)\n"
            "  --json                {\"alias\", \"name\", \"san\", \"method\", \"not_after\"}\n"
            "The names, key type, token and method are recorded, so acme-renew repeats\n"
            "them; with --token T the alias is T:ALIAS, as list-certs names it.  An\n"
            "account is needed first (acme-register).\n",
    .opts = issue_opts,
    .args_size = sizeof(issue_args),
    .init = issue_init,
    .on_opt = issue_opt,
    .check = issue_check,
    .min_pos = 1,
    .max_pos = 1,
    .pos_usage = "one ALIAS is needed",
    .open = CLI_OPEN_WRITE,
};

/* ---- acme-revoke ---- */

enum { O_REASON = 1 };

static const cli_opt revoke_opts[] = {
    {"reason", 0, 1, O_REASON},
    {"server-ca", 0, 1, CLI_ACME_SERVER_CA},
    {"timeout", 0, 1, CLI_ACME_TIMEOUT},
    {NULL, 0, 0, 0},
};

typedef struct {
	p11c_acme_opts acme;
	const char *reason;
} revoke_args;

static void revoke_init(void *p)
{
	((revoke_args *)p)->acme = (p11c_acme_opts)P11C_ACME_OPTS_INIT;
}

static int revoke_opt(int id, const char *arg, void *p)
{
	revoke_args *a = p;
	if (id == O_REASON) {
		a->reason = arg;
		return 0;
	}
	return cli_acme_opt(id, arg, &a->acme);
}

static int acme_revoke(cli_ctx *c)
{
	const revoke_args *a = c->args;
	p11c_revoke_reason r = P11C_REVOKE_UNSPECIFIED;
	int rc;
	if (a->reason && (rc = p11c_revoke_reason_parse(c->db, a->reason, &r)))
		return cli_usage_error("%s", p11c_last_error(c->db));
	if ((rc = p11c_acme_revoke(c->db, &a->acme, c->pos[0], r)))
		return cli_fail(c->db, rc);
	cli_notice(c->g, "revoked '%s' (%s)", c->pos[0], p11c_revoke_reason_name(r));
	return EXIT_OK;
}

const cli_cmd cli_cmd_acme_revoke = {
    .name = "acme-revoke",
    .run = acme_revoke,
    .description = "Ask the ACME server to revoke a certificate",
    .usage = "ALIAS [--reason R] [--server-ca F] [--timeout S]",
    .help = "Ask the account's ACME server to revoke ALIAS's certificate (signed by the\n"
            "account key).  The certificate stays in the database; acme-renew skips it.\n"
            "  --reason R       unspecified (default), key-compromise,\n"
            "                   affiliation-changed, superseded, cessation-of-operation\n"
            "  --server-ca F    PEM CAs the server's certificate is checked against\n"
            "  --timeout S      seconds for each request (default 30)\n",
    .opts = revoke_opts,
    .args_size = sizeof(revoke_args),
    .init = revoke_init,
    .on_opt = revoke_opt,
    .min_pos = 1,
    .max_pos = 1,
    .pos_usage = "one ALIAS is needed",
    .open = CLI_OPEN_WRITE,
};
