/* SPDX-License-Identifier: MPL-2.0 */
/* remove-cert. */
#include <stdlib.h>

#include "cli.h"

enum { O_KEEP_KEY };

static const cli_opt opts[] = {
    {"keep-key", 0, 0, O_KEEP_KEY},
    {NULL, 0, 0, 0},
};

static void help(void)
{
	printf("Usage: p11cert remove-cert [--keep-key] ALIAS\n"
	       "Remove the certificate ALIAS ('TOKEN:alias' on an external token) and,\n"
	       "unless --keep-key, its private key.\n");
}

static int on_opt(int id, const char *arg, void *ctx)
{
	(void)arg;
	if (id == O_KEEP_KEY)
		*(int *)ctx = 1;
	return 0;
}

int cmd_remove_cert(cli_globals *g, int argc, char **argv)
{
	int keep = 0, npos;
	const cli_command cmd = {opts, on_opt, &keep, help, 1, 1, "one ALIAS is needed"};
	char *pos[argc];
	int r = cli_args(argc, argv, &cmd, g, pos, &npos);
	if (r >= 0)
		return r;
	p11c_db *db;
	char *alias = NULL;
	int rc = cli_open_alias(g, 0, pos[0], &db, &alias);
	if (rc)
		return rc;
	if ((rc = p11c_cert_remove(db, alias, keep ? P11C_REMOVE_KEEP_KEY : 0)))
		rc = cli_fail(db, rc);
	else
		cli_notice(g, "removed '%s'%s", alias, keep ? " (key kept)" : "");
	free(alias);
	p11c_db_free(db);
	return rc;
}
