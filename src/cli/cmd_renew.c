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

static void renew_help(void)
{
	printf("Usage: p11cert renew-cert ALIAS FILE\n"
	       "Replace ALIAS by the newer certificate in FILE (PEM or DER; a PEM chain's\n"
	       "CAs are stored beside it) for the same key.  A certificate for another\n"
	       "key is refused.  The alias and its trust are kept; the old certificate\n"
	       "is removed only after the new one is stored.\n");
}

static void selfsign_help(void)
{
	printf("Usage: p11cert renew-selfsign-cert [--days N] [--new-key] ALIAS\n"
	       "Re-issue the self-signed certificate ALIAS with a new validity of N days\n"
	       "(default 90) from now: same subject, SANs and CA flag, same alias and\n"
	       "trust.  --new-key also makes a new key of the same kind on the same\n"
	       "token; the old key is removed once the new certificate is stored.\n");
}

int cmd_renew_cert(cli_globals *g, int argc, char **argv)
{
	args a = {90, 0};
	const cli_command cmd = {
	    no_opts, on_opt, &a, renew_help, 2, 2, "ALIAS and FILE are needed"};
	char *pos[argc];
	int npos;
	int r = cli_args(argc, argv, &cmd, g, pos, &npos);
	if (r >= 0)
		return r;
	p11c_db *db;
	char *alias = NULL;
	int rc = cli_open_alias(g, 0, pos[0], &db, &alias);
	if (rc)
		return rc;
	if ((rc = p11c_cert_renew(db, alias, pos[1])))
		rc = cli_fail(db, rc);
	else
		cli_notice(g, "renewed '%s'", alias);
	free(alias);
	p11c_db_free(db);
	return rc;
}

int cmd_renew_selfsign_cert(cli_globals *g, int argc, char **argv)
{
	args a = {90, 0};
	const cli_command cmd = {selfsign_opts,        on_opt, &a, selfsign_help, 1, 1,
	                         "one ALIAS is needed"};
	char *pos[argc];
	int npos;
	int r = cli_args(argc, argv, &cmd, g, pos, &npos);
	if (r >= 0)
		return r;
	p11c_db *db;
	char *alias = NULL;
	int rc = cli_open_alias(g, 0, pos[0], &db, &alias);
	if (rc)
		return rc;
	if ((rc = p11c_cert_renew_selfsign(db, alias, a.days, a.new_key ? P11C_RENEW_NEW_KEY : 0)))
		rc = cli_fail(db, rc);
	else
		cli_notice(g, "renewed '%s' for %d days%s", alias, a.days,
		           a.new_key ? ", with a new key" : "");
	free(alias);
	p11c_db_free(db);
	return rc;
}
