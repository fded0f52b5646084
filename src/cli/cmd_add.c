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

static void help(void)
{
	printf("Usage: p11cert add-cert [-C] [--trust TRUST] ALIAS FILE\n"
	       "       p11cert add-cert -C --bundle FILE\n"
	       "Add the certificate in FILE (PEM or DER) as ALIAS.  In a PEM chain the\n"
	       "certificate whose key is in the database becomes ALIAS; the rest are stored\n"
	       "as CA certificates named by their subject (untrusted unless -C).\n"
	       "  -C              ALIAS is a trusted CA for TLS servers and clients (CT,,)\n"
	       "  --trust TRUST   server-ca,client-ca,email-ca,code-ca, peer, or NSS's CT,C,C\n"
	       "  --bundle FILE   add every certificate in FILE as a trusted CA, each named\n"
	       "                  by its subject; those already present are skipped\n");
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

int cmd_add_cert(cli_globals *g, int argc, char **argv)
{
	args a;
	memset(&a, 0, sizeof(a));
	a.o = (p11c_add_opts)P11C_ADD_OPTS_INIT;
	char *pos[argc];
	int npos;
	int r = cli_parse(argc, argv, opts, on_opt, &a, g, pos, &npos);
	if (r)
		return r > 0 ? (help(), EXIT_OK) : EXIT_USAGE;
	if ((a.o.flags & P11C_ADD_TRUSTED_CA) && a.o.trust)
		return cli_usage_error(argv[0], "-C and --trust both set the trust: give one");
	if (a.bundle && npos != 0)
		return cli_usage_error(argv[0], "--bundle takes no ALIAS");
	if (a.bundle && !(a.o.flags & P11C_ADD_TRUSTED_CA) && !a.o.trust)
		return cli_usage_error(argv[0], "--bundle adds trusted CAs: give -C or --trust");
	if (!a.bundle && npos != 2)
		return cli_usage_error(argv[0], "ALIAS and FILE are needed");
	p11c_db *db;
	int rc = cli_open_db(g, 0, &db);
	if (rc)
		return rc;
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
	p11c_db_free(db);
	return rc;
}
