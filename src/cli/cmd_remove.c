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
	char *pos[argc];
	int r = cli_parse(argc, argv, opts, on_opt, &keep, g, pos, &npos);
	if (r)
		return r > 0 ? (help(), EXIT_OK) : EXIT_USAGE;
	if (npos != 1)
		return cli_usage_error(argv[0], "one ALIAS is needed");
	p11c_db *db;
	int rc = cli_open_db(g, 0, &db);
	if (rc)
		return rc;
	char *alias = NULL;
	if ((rc = cli_token_alias(db, g, pos[0], &alias)) == EXIT_OK) {
		if ((rc = p11c_cert_remove(db, alias, keep)))
			rc = cli_fail(db, rc);
		else
			cli_notice(g, "removed '%s'%s", alias, keep ? " (key kept)" : "");
	}
	free(alias);
	p11c_db_free(db);
	return rc;
}
