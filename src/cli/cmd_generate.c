/* SPDX-License-Identifier: MPL-2.0 */
/* generate-certdb (msgcert's generate-certDB). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_NO_DEFAULT, O_HOSTNAME };

static const cli_opt opts[] = {
    {"no-default-cert", 0, 0, O_NO_DEFAULT},
    {"hostname", 0, 1, O_HOSTNAME},
    {NULL, 0, 0, 0},
};

static void init(void *p)
{
	*(p11c_generate_opts *)p = (p11c_generate_opts)P11C_GENERATE_OPTS_INIT;
}

static int on_opt(int id, const char *arg, void *ctx)
{
	p11c_generate_opts *o = ctx;
	if (id == O_NO_DEFAULT)
		o->flags |= P11C_GENERATE_NO_DEFAULT_CERT;
	else if (id == O_HOSTNAME)
		o->hostname = arg;
	return 0;
}

/* What was made, read back: the default certificate's name and where
 * its key is; a key on a token means its PIN joined the password file. */
static int tell_default_cert(const cli_globals *g, p11c_db *db, const char *dir)
{
	char *name = NULL;
	p11c_cert *c = NULL;
	int rc = cli_selfsigned_read(db, g, "Server-Cert", &name, &c);
	if (rc)
		return rc;
	const char *key_token = p11c_cert_key_token(c);
	if (!key_token || !strcmp(key_token, "internal"))
		cli_notice(g, "created database '%s'; its password is in '%s/sslpassword.conf'",
		           dir, dir);
	else
		cli_notice(g,
		           "created database '%s'; its password and token '%s''s PIN are in "
		           "'%s/sslpassword.conf'",
		           dir, key_token, dir);
	cli_selfsigned_notice(g, name, c);
	p11c_cert_free(c);
	free(name);
	return EXIT_OK;
}

static int generate_certdb(cli_ctx *c)
{
	p11c_generate_opts o = *(const p11c_generate_opts *)c->args;
	cli_globals *g = c->g;
	int rc;
	o.token = g->token;
	if (cli_open_flags(0) & P11C_OPEN_NO_P11KIT)
		o.flags |= P11C_GENERATE_NO_P11KIT;
	p11c_db *db = NULL;
	const char *dir = cli_db_dir(g);
	/* -W or $CERT_PW_FILE sets the password; DIR's own file cannot exist yet. */
	if ((rc = cli_db_new(g, dir, CLI_PW_EXPLICIT_ONLY, &db)))
		return rc;
	if ((rc = p11c_db_generate(db, dir, &o))) {
		rc = cli_fail(db, rc);
		goto out;
	}
	rc = EXIT_OK;
	if (!(o.flags & P11C_GENERATE_NO_DEFAULT_CERT))
		rc = tell_default_cert(g, db, dir);
	else
		cli_notice(g, "created database '%s'; its password is in '%s/sslpassword.conf'",
		           dir, dir);
out:
	p11c_db_free(db);
	return rc;
}

const cli_cmd cli_cmd_generate_certdb = {
    .name = "generate-certdb",
    .run = generate_certdb,
    .description = "Create the database and its password file",
    .usage = "[-d DIR] [-W FILE] [--no-default-cert]\n"
             " [--hostname NAME] [--token T]",
    .help = "Create the database in DIR and DIR/sslpassword.conf (mode 0600) holding its\n"
            "password: the one in the -W file, else a random 32-character one.  Also\n"
            "make a self-signed 'Server-Cert' for this host (or --hostname NAME) unless\n"
            "--no-default-cert.  An existing database is never overwritten.\n"
            "With --token T the certificate's key is made on token T: its PIN comes from\n"
            "the -W file or $CERT_PW_FILE (a line 'T:PIN'; without a line of the\n"
            "database's own, its password is a random one), else a prompt on a terminal,\n"
            "and joins DIR/sslpassword.conf.  A wrong PIN leaves nothing made.\n",
    .opts = opts,
    .args_size = sizeof(p11c_generate_opts),
    .init = init,
    .on_opt = on_opt,
    .open = CLI_OPEN_NONE, /* made, not opened: cli_db_new, p11c_db_generate */
};
