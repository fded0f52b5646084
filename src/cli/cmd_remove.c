/* SPDX-License-Identifier: MPL-2.0 */
/* remove-cert. */
#include "cli.h"

enum { O_KEEP_KEY };

static const cli_opt opts[] = {
    {"keep-key", 0, 0, O_KEEP_KEY},
    {NULL, 0, 0, 0},
};

static int on_opt(int id, const char *arg, void *ctx)
{
	(void)arg;
	if (id == O_KEEP_KEY)
		*(int *)ctx = 1;
	return 0;
}

static int remove_cert(cli_ctx *c)
{
	int keep = *(const int *)c->args, rc;
	if ((rc = p11c_cert_remove(c->db, c->alias, keep ? P11C_REMOVE_KEEP_KEY : 0)))
		rc = cli_fail(c->db, rc);
	else
		cli_notice(c->g, "removed '%s'%s", c->alias, keep ? " (key kept)" : "");
	return rc;
}

const cli_cmd cli_cmd_remove_cert = {
    .name = "remove-cert",
    .run = remove_cert,
    .description = "Remove a certificate and its key",
    .usage = "[--keep-key] ALIAS",
    .help = "Remove the certificate ALIAS ('TOKEN:alias' on an external token) and,\n"
            "unless --keep-key, its private key.\n",
    .opts = opts,
    .args_size = sizeof(int),
    .on_opt = on_opt,
    .min_pos = 1,
    .max_pos = 1,
    .pos_usage = "one ALIAS is needed",
    .open = CLI_OPEN_WRITE | CLI_OPEN_ALIAS,
};
