/* SPDX-License-Identifier: MPL-2.0 */
/* add-cert: a certificate, a chain, or (--bundle) a file of trusted CAs. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_CA, O_TRUST, O_BUNDLE };

static const cli_opt opts[] = {
    {"ca", 'C', 0, O_CA},
    {"trust", 0, 1, O_TRUST},
    {"bundle", 0, 1, O_BUNDLE},
    {NULL, 0, 0, 0},
};

typedef struct {
	p11c_add_opts o;
	const char *bundle;
} args;

static void init(void *p)
{
	args *a = p;
	a->o = (p11c_add_opts)P11C_ADD_OPTS_INIT;
}

static int on_opt(int id, const char *arg, void *ctx)
{
	args *a = ctx;
	if (id == O_CA)
		a->o.flags |= P11C_ADD_TRUSTED_CA;
	else if (id == O_TRUST)
		a->o.trust = arg;
	else if (id == O_BUNDLE)
		a->bundle = arg;
	return 0;
}

/* A certificate whose key is on a token is stored there as 'TOKEN:alias':
 * the alias asked for, not one it already had. */
static int stored_beside_key(const char *name, const char *alias)
{
	const char *colon = strrchr(name, ':');
	return colon && colon != name && strcmp(colon + 1, alias) == 0 && !strchr(alias, ':');
}

static int check(cli_ctx *c)
{
	const args *a = c->args;
	if ((a->o.flags & P11C_ADD_TRUSTED_CA) && a->o.trust)
		return cli_usage_error("-C and --trust both set the trust: give one");
	if (a->bundle && c->npos != 0)
		return cli_usage_error("--bundle takes no ALIAS");
	if (a->bundle && !(a->o.flags & P11C_ADD_TRUSTED_CA) && !a->o.trust)
		return cli_usage_error("--bundle adds trusted CAs: give -C or --trust");
	if (!a->bundle && c->npos != 2)
		return cli_usage_error("ALIAS and FILE are needed");
	return EXIT_OK;
}

static int add_cert(cli_ctx *c)
{
	const args a = *(const args *)c->args;
	cli_globals *g = c->g;
	char **pos = c->pos;
	p11c_db *db = c->db;
	int rc;
	if (a.bundle) {
		size_t added = 0, skipped = 0;
		rc = p11c_cert_add_bundle(db, a.bundle, a.o.trust, &added, &skipped);
		if (!rc)
			cli_notice(g, "added %zu certificate%s, skipped %zu already present", added,
			           added == 1 ? "" : "s", skipped);
	} else {
		char *name = NULL;
		rc = p11c_cert_add(db, pos[0], pos[1], &a.o, &name);
		if (!rc && stored_beside_key(name, pos[0]))
			cli_notice(g, "added '%s'", name);
		else if (!rc && strcmp(name, pos[0]) != 0)
			cli_notice(g,
			           "the certificate was already stored as '%s': it keeps that "
			           "alias, with the trust asked",
			           name);
		else if (!rc)
			cli_notice(g, "added '%s'", pos[0]);
		free(name);
	}
	if (rc)
		rc = cli_fail(db, rc);
	return rc;
}

const cli_cmd cli_cmd_add_cert = {
    .name = "add-cert",
    .run = add_cert,
    .description = "Add a certificate, a chain, or a bundle of trusted CAs",
    .usage = "[-C] [--trust TRUST] ALIAS FILE\n"
             "-C --bundle FILE",
    .help = "Add the certificate in FILE (PEM or DER) as ALIAS.  In a PEM chain the\n"
            "certificate whose key is in the database becomes ALIAS; the rest are stored\n"
            "as CA certificates named by their subject (untrusted unless -C).\n"
            "  -C              ALIAS is a trusted CA for TLS servers and clients (CT,,)\n"
            "  --trust TRUST   server-ca,client-ca,email-ca,code-ca, peer, or NSS's CT,C,C\n"
            "  --bundle FILE   add every certificate in FILE as a trusted CA, each named\n"
            "                  by its subject; those already present are skipped\n",
    .opts = opts,
    .args_size = sizeof(args),
    .init = init,
    .on_opt = on_opt,
    .check = check,
    .max_pos = 2,
    .open = CLI_OPEN_WRITE,
};
