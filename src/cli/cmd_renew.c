/* SPDX-License-Identifier: MPL-2.0 */
/* renew-cert and renew-selfsign-cert. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_DAYS, O_NEW_KEY };

static const cli_opt selfsign_opts[] = {
    {"days", 0, 1, O_DAYS},
    {"new-key", 0, 0, O_NEW_KEY},
    {NULL, 0, 0, 0},
};

static const cli_opt no_opts[] = {
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
			return cli_usage_error("renew-selfsign-cert",
			                       "--days must be a number from 1 to 36500, not '%s'",
			                       arg);
		a->days = (int)d;
	}
	return 0;
}

int cmd_renew_cert(cli_globals *g, int argc, char **argv)
{
	args a = {90, 0};
	char *pos[argc];
	int npos;
	int r = cli_parse(argc, argv, no_opts, on_opt, &a, g, pos, &npos);
	if (r > 0) {
		printf("Usage: p11cert renew-cert ALIAS FILE\n"
		       "Replace ALIAS by the newer certificate in FILE (PEM or DER; a PEM chain's\n"
		       "CAs are stored beside it) for the same key.  A certificate for another\n"
		       "key is refused.  The alias and its trust are kept; the old certificate\n"
		       "is removed only after the new one is stored.\n");
		return EXIT_OK;
	}
	if (r < 0)
		return EXIT_USAGE;
	if (npos != 2)
		return cli_usage_error(argv[0], "ALIAS and FILE are needed");
	p11c_db *db;
	int rc = cli_open_db(g, 0, &db);
	if (rc)
		return rc;
	char *alias = NULL;
	if ((rc = cli_token_alias(db, g, pos[0], &alias)) == EXIT_OK) {
		if ((rc = p11c_cert_renew(db, alias, pos[1])))
			rc = cli_fail(db, rc);
		else
			cli_notice(g, "renewed '%s'", alias);
	}
	free(alias);
	p11c_db_free(db);
	return rc;
}

int cmd_renew_selfsign_cert(cli_globals *g, int argc, char **argv)
{
	args a = {90, 0};
	char *pos[argc];
	int npos;
	int r = cli_parse(argc, argv, selfsign_opts, on_opt, &a, g, pos, &npos);
	if (r > 0) {
		printf("Usage: p11cert renew-selfsign-cert [--days N] [--new-key] ALIAS\n"
		       "Re-issue the self-signed certificate ALIAS with a new validity of N days\n"
		       "(default 90) from now: same subject, SANs and CA flag, same alias and\n"
		       "trust.  --new-key also makes a new key of the same kind on the same\n"
		       "token; the old key is removed once the new certificate is stored.\n");
		return EXIT_OK;
	}
	if (r < 0)
		return EXIT_USAGE;
	if (npos != 1)
		return cli_usage_error(argv[0], "one ALIAS is needed");
	p11c_db *db;
	int rc = cli_open_db(g, 0, &db);
	if (rc)
		return rc;
	char *alias = NULL;
	if ((rc = cli_token_alias(db, g, pos[0], &alias)) == EXIT_OK) {
		if ((rc = p11c_cert_renew_selfsign(db, alias, a.days, a.new_key)))
			rc = cli_fail(db, rc);
		else
			cli_notice(g, "renewed '%s' for %d days%s", alias, a.days,
			           a.new_key ? ", with a new key" : "");
	}
	free(alias);
	p11c_db_free(db);
	return rc;
}
