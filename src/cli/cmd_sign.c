/* SPDX-License-Identifier: MPL-2.0 */
/* sign-request: issue a certificate from a PKCS#10 request with a CA of
 * the database (a site's own small CA for relays and mutual TLS). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_CA, O_DAYS, O_USAGE, O_OUTPUT, O_CRL_URL, O_OCSP_URL };

static const cli_opt opts[] = {
    {"ca", 0, 1, O_CA},           {"days", 0, 1, O_DAYS}, {"usage", 0, 1, O_USAGE},
    {"output", 'o', 1, O_OUTPUT}, {"crl-url", 0, 1, O_CRL_URL}, {"ocsp-url", 0, 1, O_OCSP_URL},
    {NULL, 0, 0, 0},
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
			return cli_usage_error("--days needs 1 to 36500, not '%s'", arg);
		a->o.days = (int)v;
		break;
	case O_USAGE:
		both = !strcmp(arg, "server,client") || !strcmp(arg, "client,server");
		a->o.flags = (both || !strcmp(arg, "server") ? P11C_SIGN_SERVER_AUTH : 0) |
		             (both || !strcmp(arg, "client") ? P11C_SIGN_CLIENT_AUTH : 0);
		if (!a->o.flags)
			return cli_usage_error(
			    "--usage is server, client or server,client, not '%s'", arg);
		break;
	case O_OUTPUT:
		a->output = arg;
		break;
	case O_CRL_URL:
		a->o.crl_url = arg;
		break;
	case O_OCSP_URL:
		a->o.ocsp_url = arg;
		break;
	}
	return 0;
}

static void init(void *p)
{
	((args *)p)->o = (p11c_sign_opts)P11C_SIGN_OPTS_INIT;
}

static int sign_check(cli_ctx *c)
{
	if (!((const args *)c->args)->ca)
		return cli_usage_error("--ca ALIAS names the issuing CA");
	return EXIT_OK;
}

static int sign_request(cli_ctx *c)
{
	const args *a = c->args;
	p11c_db *db = c->db;
	char *ca = NULL, *pem = NULL;
	int rc = cli_token_alias(db, c->g, a->ca, &ca);
	if (rc)
		return rc;
	int st = p11c_request_sign(db, ca, c->pos[0], &a->o, &pem);
	if (st) {
		rc = cli_fail(db, st);
		goto out;
	}
	rc = cli_write_public(db, a->output, (const unsigned char *)pem, strlen(pem));
	if (rc == EXIT_OK && a->output)
		cli_notice(c->g, "wrote the certificate to '%s'", a->output);
out:
	free(pem);
	free(ca);
	return rc;
}

const cli_cmd cli_cmd_sign_request = {
    .name = "sign-request",
    .run = sign_request,
    .description = "Issue a certificate from a request, with a CA here",
    .usage = "--ca ALIAS [--days N] [--usage U] [--crl-url URL] [--ocsp-url URL]\n"
             " [-o FILE] FILE",
    .help = "Issue a certificate for the PKCS#10 request in FILE (PEM or DER) with the CA\n"
            "certificate ALIAS, whose key is in the database (add-selfsign-cert --ca makes\n"
            "one).  The request's signature is checked first; subject and SANs come from\n"
            "the request; the serial is a random 128-bit number.\n"
            "  --ca ALIAS   the issuing CA\n"
            "  --days N     validity (default 365; never past the CA's own expiry)\n"
            "  --usage U    server (default), client or server,client: extended key usage\n"
            "  --crl-url URL   put URL (http, https) in as the CRL distribution point\n"
            "  --ocsp-url URL  put URL (http, https) in as the OCSP responder (AIA)\n"
            "  -o FILE      write the certificate (PEM) to FILE, else standard output\n"
            "The database is not changed; add the certificate where its key is with\n"
            "add-cert.\n",
    .opts = opts,
    .args_size = sizeof(args),
    .init = init,
    .on_opt = on_opt,
    .check = sign_check,
    .min_pos = 1,
    .max_pos = 1,
    .pos_usage = "give one request FILE",
    .open = CLI_OPEN_READ, /* the CA is --ca's ALIAS, named in the handler */
};
