/* SPDX-License-Identifier: MPL-2.0 */
/* import-cert and import-selfsign-cert: PKCS#12, or a PEM key and certificate. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_ALIAS, O_P12_PWFILE, O_KEY, O_CERT, O_KEY_PWFILE, O_EXTRACTABLE };

static const cli_opt opts[] = {
    {"alias", 0, 1, O_ALIAS},
    {"p12-password-file", 0, 1, O_P12_PWFILE},
    {"key", 0, 1, O_KEY},
    {"cert", 0, 1, O_CERT},
    {"key-password-file", 0, 1, O_KEY_PWFILE},
    {"extractable", 0, 0, O_EXTRACTABLE},
    {NULL, 0, 0, 0},
};

typedef struct {
	p11c_import_opts o;
	const char *p12_pwfile, *key, *cert, *key_pwfile;
} args;

static int on_opt(int id, const char *arg, void *ctx)
{
	args *a = ctx;
	switch (id) {
	case O_ALIAS:
		a->o.alias = arg;
		break;
	case O_P12_PWFILE:
		a->p12_pwfile = arg;
		break;
	case O_KEY:
		a->key = arg;
		break;
	case O_CERT:
		a->cert = arg;
		break;
	case O_KEY_PWFILE:
		a->key_pwfile = arg;
		break;
	case O_EXTRACTABLE:
		a->o.flags |= P11C_IMPORT_EXTRACTABLE;
		break;
	}
	return 0;
}

static void init(void *p)
{
	((args *)p)->o = (p11c_import_opts)P11C_IMPORT_OPTS_INIT;
}

static int import_check(cli_ctx *c)
{
	const args *a = c->args;
	int pem = a->key || a->cert;
	if (pem && (!a->key || !a->cert))
		return cli_usage_error("--key and --cert go together");
	if (pem && c->npos != 0)
		return cli_usage_error("--key and --cert take no FILE");
	if (!pem && c->npos != 1)
		return cli_usage_error("one PKCS#12 FILE is needed (or --key and --cert)");
	if (pem && a->p12_pwfile)
		return cli_usage_error("--p12-password-file goes with a PKCS#12 file");
	if (!pem && a->key_pwfile)
		return cli_usage_error("--key-password-file goes with --key");
	return EXIT_OK;
}

static int import(cli_ctx *c, int trust_self)
{
	args a = *(const args *)c->args;
	cli_globals *g = c->g;
	char **pos = c->pos;
	p11c_db *db = c->db;
	int pem = a.key || a.cert;
	a.o.token = g->token;
	if (trust_self)
		a.o.flags |= P11C_IMPORT_TRUST_SELF_SIGNED;
	int rc, encrypted = 0;
	char *pw = NULL, *alias = NULL;
	if (!pem) {
		if ((rc = cli_secret(db, a.p12_pwfile, "PKCS#12 file password", 0, &pw)) ==
		        EXIT_OK &&
		    (rc = p11c_p12_import(db, pos[0], pw, &a.o, &alias)))
			rc = cli_fail(db, rc);
	} else {
		if ((rc = p11c_key_file_is_encrypted(db, a.key, &encrypted))) {
			rc = cli_fail(db, rc);
			goto out;
		}
		if (encrypted && (rc = cli_secret(db, a.key_pwfile, "password of the key", 0, &pw)))
			goto out;
		if ((rc = p11c_pem_import(db, a.key, a.cert, pw, &a.o, &alias)))
			rc = cli_fail(db, rc);
	}
	if (!rc)
		cli_notice(g, "imported '%s'%s", alias,
		           trust_self ? " (trusted as a CA if self-signed)" : "");
out:
	cli_secret_free(pw);
	free(alias);
	return rc;
}

static int import_cert(cli_ctx *c)
{
	return import(c, 0);
}

static int import_selfsign_cert(cli_ctx *c)
{
	return import(c, 1);
}

#define IMPORT_USAGE                                                                               \
	"[--alias A] [--p12-password-file F]\n"                                                    \
	" [--token T] FILE\n"                                                                      \
	"--key KEY.pem --cert CERT.pem [--alias A]\n"                                              \
	" [--key-password-file F] [--token T]"
#define IMPORT_HELP                                                                                \
	"Import a PKCS#12 file (key, certificate, chain) from openssl, pk12util,\n"                \
	"keytool or Windows; the password from --p12-password-file (first line) or\n"              \
	"asked.  Or a PEM key (PKCS#1, SEC1, PKCS#8, encrypted PKCS#8) and its\n"                  \
	"certificate (CERT.pem may hold the chain, as certbot's fullchain.pem).\n"                 \
	"The alias: --alias, else the file's friendly name, else the CN.  --token\n"               \
	"puts the key on a token, non-extractable unless --extractable.\n"

const cli_cmd cli_cmd_import_cert = {
    .name = "import-cert",
    .run = import_cert,
    .description = "Import a PKCS#12 file, or a PEM key and certificate",
    .usage = IMPORT_USAGE,
    .help = IMPORT_HELP,
    .opts = opts,
    .args_size = sizeof(args),
    .init = init,
    .on_opt = on_opt,
    .check = import_check,
    .max_pos = 1,
    .open = CLI_OPEN_WRITE,
};

const cli_cmd cli_cmd_import_selfsign_cert = {
    .name = "import-selfsign-cert",
    .run = import_selfsign_cert,
    .description = "As import-cert, and trust it (CT,,)",
    .usage = IMPORT_USAGE,
    .help = IMPORT_HELP "The self-signed certificate is also trusted (CT,,), as msgcert did.\n",
    .opts = opts,
    .args_size = sizeof(args),
    .init = init,
    .on_opt = on_opt,
    .check = import_check,
    .max_pos = 1,
    .open = CLI_OPEN_WRITE,
};
