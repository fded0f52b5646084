/* SPDX-License-Identifier: MPL-2.0 */
/* acme-register, and the options every ACME command shares. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_acme_opt(int id, const char *arg, p11c_acme_opts *o)
{
	long n;
	switch (id) {
	case CLI_ACME_SERVER:
		o->server = arg;
		return 0;
	case CLI_ACME_SERVER_CA:
		o->server_ca = arg;
		return 0;
	case CLI_ACME_TIMEOUT:
		if ((n = cli_number(arg)) < 1 || n > 3600)
			return cli_usage_error("--timeout must be a number of seconds from 1 to "
			                       "3600, not '%s'",
			                       arg);
		o->timeout = (int)n;
		return 0;
	case CLI_ACME_WAIT:
		if ((n = cli_number(arg)) < 1 || n > 86400)
			return cli_usage_error("--wait must be a number of seconds from 1 to "
			                       "86400, not '%s'",
			                       arg);
		o->wait = (int)n;
		return 0;
	}
	return cli_usage_error("unknown option");
}

/* ---- acme-register ---- */

enum { O_EMAIL = 1, O_AGREE, O_EAB_KID, O_EAB_HMAC, O_KEYTYPE };

static const cli_opt register_opts[] = {
    {"server", 0, 1, CLI_ACME_SERVER},
    {"server-ca", 0, 1, CLI_ACME_SERVER_CA},
    {"timeout", 0, 1, CLI_ACME_TIMEOUT},
    {"email", 0, 1, O_EMAIL},
    {"agree-tos", 0, 0, O_AGREE},
    {"eab-kid", 0, 1, O_EAB_KID},
    {"eab-hmac-file", 0, 1, O_EAB_HMAC},
    {"key-type", 0, 1, O_KEYTYPE},
    {NULL, 0, 0, 0},
};

typedef struct {
	p11c_acme_opts acme;
	p11c_acme_register_opts reg;
	const char *eab_hmac_file;
} register_args;

static void register_init(void *p)
{
	register_args *a = p;
	a->acme = (p11c_acme_opts)P11C_ACME_OPTS_INIT;
	a->reg = (p11c_acme_register_opts)P11C_ACME_REGISTER_OPTS_INIT;
}

static int register_opt(int id, const char *arg, void *p)
{
	register_args *a = p;
	switch (id) {
	case O_EMAIL:
		a->reg.email = arg;
		return 0;
	case O_AGREE:
		a->reg.agree_tos = 1;
		return 0;
	case O_EAB_KID:
		a->reg.eab_kid = arg;
		return 0;
	case O_EAB_HMAC:
		a->eab_hmac_file = arg;
		return 0;
	case O_KEYTYPE:
		a->reg.key_type = arg;
		return 0;
	}
	return cli_acme_opt(id, arg, &a->acme);
}

static int register_check(cli_ctx *c)
{
	const register_args *a = c->args;
	if (!a->acme.server)
		return cli_usage_error("--server URL is needed (the ACME server's directory)");
	if (!a->reg.eab_kid != !a->eab_hmac_file)
		return cli_usage_error("--eab-kid and --eab-hmac-file go together");
	return EXIT_OK;
}

/* base64url (padding and surrounding blanks allowed) decoded in place:
 * its length, or -1 when text is not base64url. */
static long base64url_decode(char *text)
{
	size_t len = strlen(text), n = 0;
	unsigned acc = 0;
	int bits = 0;
	while (len && (text[len - 1] == '=' || text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		int v = ch >= 'A' && ch <= 'Z'   ? ch - 'A'
		        : ch >= 'a' && ch <= 'z' ? ch - 'a' + 26
		        : ch >= '0' && ch <= '9' ? ch - '0' + 52
		        : ch == '-' || ch == '+' ? 62
		        : ch == '_' || ch == '/' ? 63
		                                 : -1;
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			text[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	return n ? (long)n : -1;
}

static int acme_register(cli_ctx *c)
{
	register_args *a = c->args;
	char *hmac = NULL, *url = NULL;
	int rc;
	if (a->eab_hmac_file) {
		/* a secret: read with the checks of a password file, wiped after */
		if ((rc = cli_secret(c->db, a->eab_hmac_file, "EAB HMAC key", 0, &hmac)))
			return rc;
		long n = base64url_decode(hmac);
		if (n < 0) {
			cli_error("the EAB HMAC key in '%s' is not base64url", a->eab_hmac_file);
			rc = EXIT_USAGE;
			goto out;
		}
		a->reg.eab_hmac = (const unsigned char *)hmac;
		a->reg.eab_hmac_len = (size_t)n;
	}
	a->reg.token = c->g->token;
	if ((rc = p11c_acme_register(c->db, &a->acme, &a->reg, &url))) {
		rc = cli_fail(c->db, rc);
		goto out;
	}
	cli_notice(c->g, "registered account %s at %s", url ? url : "(no URL given)",
	           a->acme.server);
out:
	cli_secret_free(hmac);
	free(url);
	return rc;
}

const cli_cmd cli_cmd_acme_register = {
    .name = "acme-register",
    .run = acme_register,
    .description = "Register an ACME account whose key is on a token",
    .usage = "--server URL [--email ADDR] [--agree-tos] [--key-type T]\n"
             " [--eab-kid ID --eab-hmac-file F] [--server-ca F] [--timeout S]",
    .help = "Make an account key (EC P-256 unless --key-type) in the database or on\n"
            "--token, non-extractable, and register it with the ACME server whose\n"
            "directory is URL.  The account is kept in DIR/p11cert-acme.json (no secret).\n"
            "  --server URL        the directory, e.g.\n"
            "                      https://acme-v02.api.letsencrypt.org/directory\n"
            "  --email ADDR        the account's contact (mailto:ADDR)\n"
            "  --agree-tos         agree to the server's terms of service\n"
            "  --key-type T        ec:p256 (default), ec:p384, rsa:2048, rsa:3072 ...\n"
            "  --eab-kid ID        external account binding: the CA's key id, with\n"
            "  --eab-hmac-file F   F's first line the CA's HMAC key (base64url); F is\n"
            "                      checked as a password file (not readable by others)\n"
            "  --server-ca F       PEM CAs the server's certificate is checked against\n"
            "                      (default: the system's store)\n"
            "  --timeout S         seconds for each request (default 30)\n",
    .opts = register_opts,
    .args_size = sizeof(register_args),
    .init = register_init,
    .on_opt = register_opt,
    .check = register_check,
    .pos_usage = "acme-register takes no arguments",
    .open = CLI_OPEN_WRITE,
};
