/* SPDX-License-Identifier: MPL-2.0 */
/* change-password: a token's new password, and the password file
 * rewritten to match. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

enum { O_NEW_FILE, O_RANDOM };

static const cli_opt opts[] = {
    {"new-password-file", 0, 1, O_NEW_FILE},
    {"random", 0, 0, O_RANDOM},
    {NULL, 0, 0, 0},
};

typedef struct {
	const char *new_file;
	int random;
} args;

static int on_opt(int id, const char *arg, void *ctx)
{
	args *a = ctx;
	if (id == O_NEW_FILE)
		a->new_file = arg;
	else
		a->random = 1;
	return 0;
}

static void help(void)
{
	printf("Usage: p11cert change-password [--token T] [--new-password-file F | --random]\n"
	       "Change a token's password (the internal token's unless --token), then put the\n"
	       "password file (-W, $CERT_PW_FILE or DIR/sslpassword.conf) in step: its lines\n"
	       "for that token get the new password, every other line stays.  The current\n"
	       "password comes from that file, else a prompt.\n"
	       "  --new-password-file F  the new password: F's first line (F mode 0600)\n"
	       "  --random               a new random 32-character password, kept only in\n"
	       "                         the password file\n"
	       "Without either, the new password is asked twice on the terminal.\n");
}

int cmd_change_password(cli_globals *g, int argc, char **argv)
{
	args a;
	memset(&a, 0, sizeof(a));
	const cli_command cmd = {
	    opts, on_opt, &a, help, 0, 0, "change-password takes no arguments"};
	char *pos[argc];
	int npos;
	int r = cli_args(argc, argv, &cmd, g, pos, &npos);
	if (r >= 0)
		return r;
	if (a.random && a.new_file)
		return cli_usage_error(argv[0], "give --new-password-file or --random, not both");
	const char *dir = cli_db_dir(g);
	int explicit_ = 0;
	const char *pwfile = cli_pwfile(g, dir, &explicit_);
	if (a.random && !pwfile) {
		cli_error("--random needs a password file to keep the new password in (-W FILE)");
		return EXIT_USAGE;
	}
	p11c_db *db = NULL;
	char *fresh = NULL;
	int rc = cli_open_db(g, 0, &db);
	if (rc)
		return rc;
	if (!a.random && (rc = cli_secret(db, a.new_file, "new password", 1, &fresh)))
		goto out;
	int st = p11c_token_change_password(db, g->token, fresh, pwfile);
	if (st) {
		rc = cli_fail(db, st);
		goto out;
	}
	if (pwfile)
		cli_notice(g, "password changed; '%s' holds the new one", pwfile);
	else
		cli_notice(g, "password changed (no password file to update)");
out:
	cli_secret_free(fresh);
	p11c_db_free(db);
	return rc;
}
