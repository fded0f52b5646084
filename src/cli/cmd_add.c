/* SPDX-License-Identifier: MPL-2.0 */
/* add-cert: a certificate, a chain, or (--bundle) a file of trusted CAs. */
#include <stdio.h>
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

/* "trusted as server-ca,client-ca (CT,,)", or "untrusted". */
static void trust_text(const p11c_cert *c, char *buf, size_t size)
{
	unsigned roles = p11c_cert_trust_roles(c);
	size_t len = 0;
	if (!roles) {
		snprintf(buf, size, "untrusted");
		return;
	}
	len = (size_t)snprintf(buf, size, "trusted as ");
	for (unsigned bit = 1; bit && len < size; bit <<= 1)
		if (roles & bit)
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
			                        len > strlen("trusted as ") ? "," : "",
			                        p11c_trust_role_name((p11c_trust_role)bit));
	if (len < size)
		snprintf(buf + len, size - len, " (%s)", p11c_cert_trust(c));
}

/* One line a certificate of the file: the alias's, then each CA of the
 * chain, with what became of it and its trust. */
static void tell_added(const cli_globals *g, const char *alias, const p11c_cert *c,
                       p11c_added_state state, int ca)
{
	const char *name = p11c_cert_alias(c);
	char trust[256], hint[600] = "";
	trust_text(c, trust, sizeof(trust));
	if (ca && !p11c_cert_trust_roles(c))
		snprintf(hint, sizeof(hint),
		         " (to trust it: add-cert -C '%s' FILE, FILE holding it alone)", name);
	if (ca && state == P11C_ADDED_STORED)
		cli_notice(g, "added CA '%s', %s%s", name, trust, hint);
	else if (ca)
		cli_notice(g, "CA '%s' was already present, %s%s", name, trust, hint);
	else if (strcmp(name, alias) != 0 && !stored_beside_key(name, alias))
		cli_notice(g,
		           "the certificate was already stored as '%s': it keeps that "
		           "alias, %s",
		           name, trust);
	else if (state == P11C_ADDED_TRUST_SET)
		cli_notice(g, "'%s' was already present; now %s", name, trust);
	else /* its trust said when it has one: a server's own is no anchor */
		cli_notice(g,
		           state == P11C_ADDED_STORED ? "added '%s'%s%s"
		                                      : "'%s' was already present%s%s",
		           name, p11c_cert_trust_roles(c) ? ", " : "",
		           p11c_cert_trust_roles(c) ? trust : "");
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
		p11c_add_report *r = NULL;
		rc = p11c_cert_add_chain(db, pos[0], pos[1], &a.o, &r);
		for (size_t i = 0; !rc && i < p11c_add_report_count(r); i++)
			tell_added(g, pos[0], p11c_add_report_cert(r, i),
			           p11c_add_report_state(r, i), i > 0);
		p11c_add_report_free(r);
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
