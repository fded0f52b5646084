/* SPDX-License-Identifier: MPL-2.0 */
/* renew-cert and renew-selfsign-cert. */
#include "cli.h"

enum { O_DAYS, O_NEW_KEY };

static const cli_opt selfsign_opts[] = {
    {"days", 0, 1, O_DAYS},
    {"new-key", 0, 0, O_NEW_KEY},
    {NULL, 0, 0, 0},
};

typedef struct {
	int days;
	int new_key;
} args;

static int on_opt(int id, const char *arg, void *ctx)
{
	args *a = ctx;
	if (id == O_NEW_KEY) {
		a->new_key = 1;
	} else if (id == O_DAYS) {
		long d = cli_number(arg);
		if (d < 1 || d > 36500)
			return cli_usage_error("--days must be a number from 1 to 36500, not '%s'",
			                       arg);
		a->days = (int)d;
	}
	return 0;
}

static int renew_cert(cli_ctx *c)
{
	int rc;
	if ((rc = p11c_cert_renew(c->db, c->alias, c->pos[1])))
		rc = cli_fail(c->db, rc);
	else
		cli_notice(c->g, "renewed '%s'", c->alias);
	return rc;
}

const cli_cmd cli_cmd_renew_cert = {
    .name = "renew-cert",
    .run = renew_cert,
    .description = "Replace a certificate by a newer one for its key",
    .usage = "ALIAS FILE",
    .help = "Replace ALIAS by the newer certificate in FILE (PEM or DER; a PEM chain's\n"
            "CAs are stored beside it) for the same key.  A certificate for another\n"
            "key is refused.  The alias and its trust are kept; the old certificate\n"
            "is removed only after the new one is stored.\n",
    .min_pos = 2,
    .max_pos = 2,
    .pos_usage = "ALIAS and FILE are needed",
    .open = CLI_OPEN_WRITE | CLI_OPEN_ALIAS,
};

static void selfsign_init(void *p)
{
	((args *)p)->days = 90;
}

static int renew_selfsign_cert(cli_ctx *c)
{
	const args *a = c->args;
	int rc;
	if ((rc = p11c_cert_renew_selfsign(c->db, c->alias, a->days,
	                                   a->new_key ? P11C_RENEW_NEW_KEY : 0)))
		rc = cli_fail(c->db, rc);
	else
		cli_notice(c->g, "renewed '%s' for %d days%s", c->alias, a->days,
		           a->new_key ? ", with a new key" : "");
	return rc;
}

const cli_cmd cli_cmd_renew_selfsign_cert = {
    .name = "renew-selfsign-cert",
    .run = renew_selfsign_cert,
    .description = "Re-issue a self-signed certificate",
    .usage = "[--days N] [--new-key] ALIAS",
    .help = "Re-issue the self-signed certificate ALIAS with a new validity of N days\n"
            "(default 90) from now: same subject, SANs and CA flag, same alias and\n"
            "trust.  --new-key also makes a new key of the same kind on the same\n"
            "token; the old key is removed once the new certificate is stored.\n",
    .opts = selfsign_opts,
    .args_size = sizeof(args),
    .init = selfsign_init,
    .on_opt = on_opt,
    .min_pos = 1,
    .max_pos = 1,
    .pos_usage = "one ALIAS is needed",
    .open = CLI_OPEN_WRITE | CLI_OPEN_ALIAS,
};
