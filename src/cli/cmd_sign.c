/* SPDX-License-Identifier: MPL-2.0 */
/* sign-request: issue a certificate from a PKCS#10 request with a CA of
 * the database (a site's own small CA for relays and mutual TLS). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_CA, O_DAYS, O_USAGE, O_OUTPUT };

static const cli_opt opts[] = {
    {"ca", 0, 1, O_CA},           {"days", 0, 1, O_DAYS}, {"usage", 0, 1, O_USAGE},
    {"output", 'o', 1, O_OUTPUT}, {NULL, 0, 0, 0},
};

typedef struct {
	const char *ca;
	const char *output;
	p11c_sign_opts o;
} args;

static int on_opt(int id, const char *arg, void *ctx)
{
	args *a = ctx;
	long v;
	int both;
	switch (id) {
	case O_CA:
		a->ca = arg;
		break;
	case O_DAYS:
		v = cli_number(arg);
		if (v < 1 || v > 36500)
			return cli_usage_error("sign-request", "--days needs 1 to 36500, not '%s'",
			                       arg);
		a->o.days = (int)v;
		break;
	case O_USAGE:
		both = !strcmp(arg, "server,client") || !strcmp(arg, "client,server");
		a->o.flags = (both || !strcmp(arg, "server") ? P11C_SIGN_SERVER_AUTH : 0) |
		             (both || !strcmp(arg, "client") ? P11C_SIGN_CLIENT_AUTH : 0);
		if (!a->o.flags)
			return cli_usage_error(
			    "sign-request", "--usage is server, client or server,client, not '%s'",
			    arg);
		break;
	case O_OUTPUT:
		a->output = arg;
		break;
	}
	return 0;
}

static void help(void)
{
	printf("Usage: p11cert sign-request --ca ALIAS [--days N] [--usage U] [-o FILE] FILE\n"
	       "Issue a certificate for the PKCS#10 request in FILE (PEM or DER) with the CA\n"
	       "certificate ALIAS, whose key is in the database (add-selfsign-cert --ca makes\n"
	       "one).  The request's signature is checked first; subject and SANs come from\n"
	       "the request; the serial is a random 128-bit number.\n"
	       "  --ca ALIAS   the issuing CA\n"
	       "  --days N     validity (default 365; never past the CA's own expiry)\n"
	       "  --usage U    server (default), client or server,client: extended key usage\n"
	       "  -o FILE      write the certificate (PEM) to FILE, else standard output\n"
	       "The database is not changed; add the certificate where its key is with\n"
	       "add-cert.\n");
}

int cmd_sign_request(cli_globals *g, int argc, char **argv)
{
	args a;
	memset(&a, 0, sizeof(a));
	a.o = (p11c_sign_opts)P11C_SIGN_OPTS_INIT;
	const cli_command cmd = {opts, on_opt, &a, help, 1, 1, "give one request FILE"};
	char *pos[argc];
	int npos;
	int r = cli_args(argc, argv, &cmd, g, pos, &npos);
	if (r >= 0)
		return r;
	if (!a.ca)
		return cli_usage_error(argv[0], "--ca ALIAS names the issuing CA");
	p11c_db *db = NULL;
	char *ca = NULL, *pem = NULL;
	int rc = cli_open_alias(g, 1, a.ca, &db, &ca);
	if (rc)
		return rc;
	int st = p11c_request_sign(db, ca, pos[0], &a.o, &pem);
	if (st) {
		rc = cli_fail(db, st);
		goto out;
	}
	rc = cli_write_public(db, a.output, (const unsigned char *)pem, strlen(pem));
	if (rc == EXIT_OK && a.output)
		cli_notice(g, "wrote the certificate to '%s'", a.output);
out:
	free(pem);
	free(ca);
	p11c_db_free(db);
	return rc;
}
