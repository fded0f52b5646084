/* SPDX-License-Identifier: MPL-2.0 */
/* revoke-cert and gen-crl: the site CA takes certificates back and
 * publishes its CRL. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_CA, O_REASON, O_DAYS, O_OUTPUT, O_FORMAT };

static const cli_opt revoke_opts[] = {
    {"ca", 0, 1, O_CA},
    {"reason", 0, 1, O_REASON},
    {NULL, 0, 0, 0},
};

static const cli_opt crl_opts[] = {
    {"ca", 0, 1, O_CA},           {"days", 0, 1, O_DAYS}, {"output", 'o', 1, O_OUTPUT},
    {"format", 'F', 1, O_FORMAT}, {NULL, 0, 0, 0},
};

typedef struct {
	const char *ca;
	const char *reason;
	const char *output;
	int days;
	int der;
} args;

static int on_opt(int id, const char *arg, void *ctx)
{
	args *a = ctx;
	long v;
	switch (id) {
	case O_CA:
		a->ca = arg;
		break;
	case O_REASON:
		a->reason = arg;
		break;
	case O_DAYS:
		v = cli_number(arg);
		if (v < 1 || v > 3650)
			return cli_usage_error("--days needs 1 to 3650, not '%s'", arg);
		a->days = (int)v;
		break;
	case O_OUTPUT:
		a->output = arg;
		break;
	case O_FORMAT:
		if (!strcmp(arg, "binary") || !strcmp(arg, "der"))
			a->der = 1;
		else if (!strcmp(arg, "ascii") || !strcmp(arg, "pem"))
			a->der = 0;
		else
			return cli_usage_error("-F is ascii (PEM) or binary (DER), not '%s'", arg);
		break;
	}
	return 0;
}

static void init(void *p)
{
	((args *)p)->days = 7;
}

static int revoke_check(cli_ctx *c)
{
	if (!((const args *)c->args)->ca)
		return cli_usage_error("--ca ALIAS names the CA that issued the certificate");
	return EXIT_OK;
}

static int crl_check(cli_ctx *c)
{
	const args *a = c->args;
	if (!a->ca)
		return cli_usage_error("--ca ALIAS names the CA whose CRL it is");
	if (!a->output)
		return cli_usage_error("-o FILE names the CRL's file");
	return EXIT_OK;
}

static int revoke_cert(cli_ctx *c)
{
	const args *a = c->args;
	char *ca = NULL;
	int already = 0;
	int rc = cli_token_alias(c->db, c->g, a->ca, &ca);
	if (rc)
		return rc;
	int st = p11c_ca_revoke(c->db, ca, c->pos[0], a->reason, 0, &already);
	if (st)
		rc = cli_fail(c->db, st);
	else if (already)
		cli_notice(c->g, "'%s' was revoked by '%s' before: the record is unchanged",
		           c->pos[0], a->ca);
	else
		cli_notice(c->g, "revoked '%s' (%s); gen-crl --ca %s publishes it", c->pos[0],
		           a->reason ? a->reason : "unspecified", a->ca);
	free(ca);
	return rc;
}

static int gen_crl(cli_ctx *c)
{
	const args *a = c->args;
	char *ca = NULL;
	int rc = cli_token_alias(c->db, c->g, a->ca, &ca);
	if (rc)
		return rc;
	int st = p11c_ca_crl_write(c->db, ca, a->days, a->output, a->der ? 0 : P11C_CA_CRL_PEM);
	if (st)
		rc = cli_fail(c->db, st);
	else
		cli_notice(c->g, "wrote the CRL of '%s' to '%s'", a->ca, a->output);
	free(ca);
	return rc;
}

const cli_cmd cli_cmd_revoke_cert = {
    .name = "revoke-cert",
    .run = revoke_cert,
    .description = "Record that the site CA revoked a certificate",
    .usage = "--ca ALIAS [--reason R] SERIAL|FILE",
    .help = "Record in the database directory (p11cert-ca.json) that the CA ALIAS revoked\n"
            "the certificate with serial number SERIAL (hex, colons allowed, as list-certs\n"
            "prints it) or the one in FILE (PEM or DER), which ALIAS must have signed.  The\n"
            "certificate need not be in the database.  A serial revoked before is left as\n"
            "it was (exit 0, said in a notice).  gen-crl publishes the revocations.\n"
            "  --ca ALIAS   the CA that issued the certificate\n"
            "  --reason R   unspecified (default), keyCompromise, cACompromise,\n"
            "               affiliationChanged, superseded, cessationOfOperation,\n"
            "               certificateHold, removeFromCRL, privilegeWithdrawn,\n"
            "               aACompromise (any case)\n",
    .opts = revoke_opts,
    .args_size = sizeof(args),
    .init = init,
    .on_opt = on_opt,
    .check = revoke_check,
    .min_pos = 1,
    .max_pos = 1,
    .pos_usage = "give one SERIAL or certificate FILE",
    .open = CLI_OPEN_WRITE,
};

const cli_cmd cli_cmd_gen_crl = {
    .name = "gen-crl",
    .run = gen_crl,
    .description = "Write the site CA's signed CRL",
    .usage = "--ca ALIAS [--days N] [-F binary] -o FILE",
    .help = "Write a v2 CRL of the revocations recorded for the CA ALIAS, signed with its\n"
            "key (in the database or on a token): thisUpdate now, the CRL number one more\n"
            "than the last, each entry with its date and reason.\n"
            "  --ca ALIAS   the CA\n"
            "  --days N     nextUpdate N days from now (default 7, at most 3650)\n"
            "  -F FORMAT    ascii (PEM, default) or binary (DER)\n"
            "  -o FILE      the CRL's file\n",
    .opts = crl_opts,
    .args_size = sizeof(args),
    .init = init,
    .on_opt = on_opt,
    .check = crl_check,
    .min_pos = 0,
    .max_pos = 0,
    .pos_usage = "no argument is taken",
    .open = CLI_OPEN_WRITE,
};
