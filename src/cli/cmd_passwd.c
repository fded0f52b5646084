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

static int passwd_check(cli_ctx *c)
{
	const args *a = c->args;
	int explicit_ = 0;
	if (a->random && a->new_file)
		return cli_usage_error("give --new-password-file or --random, not both");
	if (a->random && !cli_pwfile(c->g, cli_db_dir(c->g), &explicit_)) {
		cli_error("--random needs a password file to keep the new password in (-W FILE)");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int change_password(cli_ctx *c)
{
	const args a = *(const args *)c->args;
	const cli_globals *g = c->g;
	p11c_db *db = c->db;
	int explicit_ = 0, rc = EXIT_OK;
	const char *pwfile = cli_pwfile(g, cli_db_dir(g), &explicit_);
	char *fresh = NULL;
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
	return rc;
}

const cli_cmd cli_cmd_change_password = {
    .name = "change-password",
    .run = change_password,
    .description = "Change a token's password, and the file",
    .usage = "[--token T] [--new-password-file F | --random]",
    .help = "Change a token's password (the internal token's unless --token), then put the\n"
            "password file (-W, $CERT_PW_FILE or DIR/sslpassword.conf) in step: its lines\n"
            "for that token get the new password, every other line stays.  The current\n"
            "password comes from that file, else a prompt.\n"
            "  --new-password-file F  the new password: F's first line (F mode 0600)\n"
            "  --random               a new random 32-character password, kept only in\n"
            "                         the password file\n"
            "Without either, the new password is asked twice on the terminal.\n",
    .opts = opts,
    .args_size = sizeof(args),
    .on_opt = on_opt,
    .check = passwd_check,
    .pos_usage = "change-password takes no arguments",
    .open = CLI_OPEN_WRITE,
};
