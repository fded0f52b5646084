/* SPDX-License-Identifier: MPL-2.0 */
/* list-certs and show-cert. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "output.h"
#include "table.h"

enum { O_CA, O_ALL, O_EXPIRING, O_JSON, O_PEM };

static const cli_opt list_opts[] = {
    {"ca", 'C', 0, O_CA},   {"all", 0, 0, O_ALL}, {"expiring", 0, 1, O_EXPIRING},
    {"json", 0, 0, O_JSON}, {NULL, 0, 0, 0},
};

static const cli_opt show_opts[] = {
    {"json", 0, 0, O_JSON},
    {"pem", 0, 0, O_PEM},
    {NULL, 0, 0, 0},
};

typedef struct {
	p11c_list_kind which;
	long expiring; /* days, or -1 */
	int json;
	int pem;
} args;

static int on_opt(int id, const char *arg, void *ctx)
{
	args *a = ctx;
	switch (id) {
	case O_CA:
		a->which = P11C_LIST_CA;
		break;
	case O_ALL:
		a->which = P11C_LIST_ALL;
		break;
	case O_EXPIRING:
		a->expiring = cli_number(arg);
		if (a->expiring < 0)
			return cli_usage_error("--expiring needs a number of days, not '%s'", arg);
		break;
	case O_JSON:
		a->json = 1;
		break;
	case O_PEM:
		a->pem = 1;
		break;
	}
	return 0;
}

static void init(void *p)
{
	*(args *)p = (args){P11C_LIST_KEYS, -1, 0, 0};
}

static void print_table(const p11c_cert *const *list, size_t n)
{
	static const char *const headers[] = {"Alias", "Valid from", "Expires on",
	                                      "Self-", "Issued by",  "Issued to"};
	table *t = table_new(6, headers);
	if (!t)
		return;
	for (size_t k = 0; k < n; k++) {
		char from[32], to[32];
		const p11c_cert *c = list[k];
		int self = p11c_cert_is_self_signed(c);
		cli_time_table(p11c_cert_not_before(c), from, sizeof(from));
		cli_time_table(p11c_cert_not_after(c), to, sizeof(to));
		const char *cells[] = {p11c_cert_alias(c),
		                       from,
		                       to,
		                       self ? "y" : "n",
		                       p11c_cert_issuer(c),
		                       self ? "Same as issuer" : p11c_cert_subject(c)};
		table_add(t, cells);
	}
	table_print(t, stdout);
	printf("%zu certificate%s found\n", n, n == 1 ? "" : "s");
	table_free(t);
}

/* Whether the listing holds a certificate of token whose key was not seen. */
static int has_certs_on(const p11c_cert_listing *l, const char *token)
{
	for (size_t k = 0; k < p11c_cert_listing_count(l); k++) {
		const p11c_cert *c = p11c_cert_listing_get(l, k);
		if (p11c_cert_key_state(c) == P11C_KEY_UNKNOWN &&
		    !strcmp(p11c_cert_token(c), token))
			return 1;
	}
	return 0;
}

static int list_certs(cli_ctx *c)
{
	const args a = *(const args *)c->args;
	const cli_globals *g = c->g;
	p11c_db *db = c->db;
	int rc = EXIT_OK;
	p11c_list_opts o = P11C_LIST_OPTS_INIT;
	o.which = a.which;
	o.token = g->token; /* that token's certificates alone */
	if (!a.json)        /* the table shows no key details: no login for them */
		o.flags |= P11C_LIST_KEYS_BY_MARK;
	p11c_cert_listing *l = NULL;
	const p11c_cert **list = NULL;
	if ((rc = p11c_cert_list(db, &o, &l))) {
		rc = cli_fail(db, rc);
		goto out;
	}
	for (size_t k = 0; k < p11c_cert_listing_problem_count(l); k++) {
		const p11c_token_problem *p = p11c_cert_listing_problem(l, k);
		const char *token = p11c_token_problem_token(p);
		int code = p11c_token_problem_status(p);
		/* A refused PIN, a failing token or the token asked for: exit
		 * non-zero.  A token merely without a PIN line (p11-kit shows
		 * every token on the host) is named only when it has
		 * certificates listed with their keys unknown. */
		int serious =
		    p11c_token_problem_login_tried(p) || code != P11C_EPASSWORD || g->token;
		if (!serious && !has_certs_on(l, token))
			continue;
		cli_error("warning: %s: certificates on token '%s' are listed without their keys",
		          p11c_token_problem_reason(p), token);
		if (serious && !rc)
			rc = -code;
	}
	size_t n = p11c_cert_listing_count(l), kept = 0;
	if (n && !(list = calloc(n, sizeof(*list)))) {
		cli_error("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	long long horizon = (long long)time(NULL) + (long long)a.expiring * 86400;
	for (size_t k = 0; k < n; k++) {
		const p11c_cert *c = p11c_cert_listing_get(l, k);
		if (a.expiring < 0 || p11c_cert_not_after(c) <= horizon)
			list[kept++] = c;
	}
	if (a.json) {
		json_writer w;
		json_init(&w, stdout);
		json_array_begin(&w);
		for (size_t k = 0; k < kept; k++)
			output_cert_json(&w, list[k]);
		json_array_end(&w);
		json_end(&w);
	} else {
		print_table(list, kept);
	}
out:
	free(list);
	p11c_cert_listing_free(l);
	return rc;
}

const cli_cmd cli_cmd_list_certs = {
    .name = "list-certs",
    .run = list_certs,
    .description = "List certificates",
    .usage = "[-C | --all] [--expiring DAYS] [--json]",
    .help = "List the certificates that have a private key; -C the trusted CAs; --all\n"
            "every certificate.  --expiring DAYS keeps those that expire within DAYS\n"
            "(expired ones too).  Times are UTC.  A token not logged in (no PIN in the\n"
            "password file, a wrong PIN) is named on stderr and its public certificates\n"
            "are listed with their keys unknown; exit 4 when its PIN was refused or it\n"
            "is the --token asked for.\n",
    .opts = list_opts,
    .args_size = sizeof(args),
    .init = init,
    .on_opt = on_opt,
    .open = CLI_OPEN_READ,
};

static int show_check(cli_ctx *c)
{
	const args *a = c->args;
	if (a->pem && a->json)
		return cli_usage_error("give --pem or --json, not both");
	return EXIT_OK;
}

static int show_cert(cli_ctx *c)
{
	const args a = *(const args *)c->args;
	p11c_db *db = c->db;
	p11c_cert *info = NULL;
	int rc;
	if ((rc = p11c_cert_show(db, c->alias, &info))) {
		rc = cli_fail(db, rc);
		goto out;
	}
	if (p11c_cert_key_state(info) == P11C_KEY_UNKNOWN) {
		cli_error("warning: %s: whether '%s' has a private key is not known",
		          p11c_cert_key_note(info), p11c_cert_alias(info));
		rc = EXIT_PASSWORD;
	}
	if (a.pem) {
		fputs(p11c_cert_pem(info), stdout);
	} else if (a.json) {
		json_writer w;
		json_init(&w, stdout);
		output_cert_json(&w, info);
		json_end(&w);
	} else {
		output_cert_text(stdout, info);
	}
out:
	p11c_cert_free(info);
	return rc;
}

const cli_cmd cli_cmd_show_cert = {
    .name = "show-cert",
    .run = show_cert,
    .description = "Show one certificate in full",
    .usage = "[--pem | --json] ALIAS",
    .help = "Show the certificate ALIAS ('TOKEN:alias' on an external token): version,\n"
            "serial, signature algorithm, validity, subject, issuer, SANs, key, SHA-1 and\n"
            "SHA-256 fingerprints, trust, and where its private key is.  --pem prints the\n"
            "certificate; --json one JSON object.\n",
    .opts = show_opts,
    .args_size = sizeof(args),
    .init = init,
    .on_opt = on_opt,
    .check = show_check,
    .min_pos = 1,
    .max_pos = 1,
    .pos_usage = "one ALIAS is needed",
    .open = CLI_OPEN_READ | CLI_OPEN_ALIAS,
};
