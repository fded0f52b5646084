/* SPDX-License-Identifier: MPL-2.0 */
/* export-cert: PKCS#12, or certificates as PEM or DER, and the key. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

enum { O_OUTPUT, O_FORMAT, O_CHAIN, O_KEY_OUT, O_PROFILE, O_P12_PWFILE };

static const cli_opt opts[] = {
    {"output", 'o', 1, O_OUTPUT},
    {"format", 0, 1, O_FORMAT},
    {"chain", 0, 0, O_CHAIN},
    {"key-out", 0, 1, O_KEY_OUT},
    {"p12-profile", 0, 1, O_PROFILE},
    {"p12-password-file", 0, 1, O_P12_PWFILE},
    {NULL, 0, 0, 0},
};

enum { F_P12, F_PEM, F_DER };

typedef struct {
	const char *output, *key_out, *pwfile;
	int format, chain, compat;
} args;

static int on_opt(int id, const char *arg, void *ctx)
{
	args *a = ctx;
	switch (id) {
	case O_OUTPUT:
		a->output = arg;
		break;
	case O_FORMAT:
		if (!strcmp(arg, "pkcs12") || !strcmp(arg, "p12"))
			a->format = F_P12;
		else if (!strcmp(arg, "pem"))
			a->format = F_PEM;
		else if (!strcmp(arg, "der"))
			a->format = F_DER;
		else
			return cli_usage_error("--format takes pkcs12, pem or der, not '%s'", arg);
		break;
	case O_CHAIN:
		a->chain = 1;
		break;
	case O_KEY_OUT:
		a->key_out = arg;
		break;
	case O_PROFILE:
		if (strcmp(arg, "compat") && strcmp(arg, "modern"))
			return cli_usage_error("--p12-profile takes modern or compat, not '%s'",
			                       arg);
		a->compat = !strcmp(arg, "compat");
		break;
	case O_P12_PWFILE:
		a->pwfile = arg;
		break;
	}
	return 0;
}

/* For sync-exports: the files written, with what it takes to write them again. */
static void record(cli_globals *g, p11c_db *db, const char *alias, const args *a)
{
	p11c_export_record e = P11C_EXPORT_RECORD_INIT;
	e.kind = P11C_EXPORT_CERT;
	e.format = a->format == F_P12   ? P11C_EXPORT_PKCS12
	           : a->format == F_PEM ? P11C_EXPORT_PEM
	                                : P11C_EXPORT_DER;
	e.flags = (a->chain ? P11C_EXPORT_RECORD_CHAIN : 0u) |
	          (a->compat ? P11C_EXPORT_RECORD_COMPAT : 0u);
	e.alias = alias;
	e.key_out = a->key_out;
	e.p12_password_file = a->pwfile;
	if ((e.path = a->output))
		cli_record_export(g, db, &e);
	if (a->key_out) {
		p11c_export_record k = P11C_EXPORT_RECORD_INIT;
		k.kind = P11C_EXPORT_KEY;
		k.path = a->key_out;
		k.alias = alias;
		cli_record_export(g, db, &k);
	}
}

/* The key first: when it may not leave its token, no certificate file is
 * written either; when the certificate cannot be written, the key file
 * goes again. */
static int export_certs(cli_globals *g, p11c_db *db, const char *alias, args *a)
{
	unsigned char *data = NULL;
	size_t len = 0;
	unsigned flags = (a->chain ? P11C_CERT_EXPORT_CHAIN : 0u) |
	                 (a->format == F_PEM ? P11C_CERT_EXPORT_PEM : 0u);
	int rc = p11c_cert_export(db, alias, flags, &data, &len);
	if (rc)
		return cli_fail(db, rc);
	/* checked first: a refused -o costs no key file */
	if ((rc = cli_output_ok(a->output))) {
		free(data);
		return rc;
	}
	if (a->key_out && (rc = p11c_key_export(db, alias, a->key_out))) {
		free(data);
		return cli_fail(db, rc);
	}
	rc = cli_write_public(db, a->output, data, len);
	free(data);
	if (rc && a->key_out)
		unlink(a->key_out);
	else if (a->key_out)
		cli_notice(g, "wrote the private key of '%s' to '%s' (PKCS#8, mode 0600)", alias,
		           a->key_out);
	if (!rc)
		record(g, db, alias, a);
	return rc;
}

static int export_check(cli_ctx *c)
{
	const args *a = c->args;
	if (a->format == F_P12 && !a->output)
		return cli_usage_error("a PKCS#12 file needs -o FILE");
	if (a->format == F_P12 && (a->chain || a->key_out))
		return cli_usage_error("--chain and --key-out go with --format pem");
	if (a->format != F_P12 && (a->compat || a->pwfile))
		return cli_usage_error("--p12-profile and --p12-password-file go with PKCS#12");
	if (a->key_out && a->format != F_PEM)
		return cli_usage_error("--key-out goes with --format pem");
	if (a->chain && a->format == F_DER)
		return cli_usage_error("a chain is written as PEM: --format pem");
	if (a->key_out && a->output && cli_same_file(a->key_out, a->output))
		return cli_usage_error("--key-out and -o name the same file: one would "
		                       "replace the other");
	return EXIT_OK;
}

static int export_cert(cli_ctx *c)
{
	args a = *(const args *)c->args;
	cli_globals *g = c->g;
	p11c_db *db = c->db;
	const char *alias = c->alias;
	char *pw = NULL;
	int rc;
	if (a.format != F_P12) {
		rc = export_certs(g, db, alias, &a);
		goto out;
	}
	if ((rc = cli_secret(db, a.pwfile, "PKCS#12 file password", 1, &pw)))
		goto out;
	if ((rc = p11c_cert_export_p12(db, alias, pw, a.compat ? P11C_P12_COMPAT : 0u, a.output))) {
		rc = cli_fail(db, rc);
		goto out;
	}
	cli_notice(g, "wrote '%s' to '%s' (PKCS#12, mode 0600)", alias, a.output);
	record(g, db, alias, &a);
	if (a.compat)
		cli_notice(g, "the compat profile protects the file with 3DES and a SHA-1 MAC: "
		              "weaker, for old clients only");
out:
	cli_secret_free(pw);
	return rc;
}

const cli_cmd cli_cmd_export_cert = {
    .name = "export-cert",
    .run = export_cert,
    .description = "Export a key and certificate (PKCS#12, PEM, DER)",
    .usage = "[--p12-password-file F] [--p12-profile compat]\n"
             " -o FILE ALIAS\n"
             "--format pem|der [--chain] [--key-out KEY]\n"
             " [-o FILE] ALIAS",
    .help = "Write ALIAS's key, certificate and chain as PKCS#12 (AES-256-CBC, PBKDF2 with\n"
            "HMAC-SHA256, SHA-256 MAC: what OpenSSL 3 writes), mode 0600; the password\n"
            "from --p12-password-file (first line) or asked twice.  --p12-profile compat\n"
            "writes 3DES and a SHA-1 MAC for old Windows, Android and macOS clients.\n"
            "--format pem or der writes the certificate alone (--chain: with its issuers,\n"
            "PEM); --key-out KEY also writes the private key as PKCS#8 PEM (0600).\n"
            "A key that may not leave its token is refused (exit 5).\n",
    .opts = opts,
    .args_size = sizeof(args),
    .on_opt = on_opt,
    .check = export_check,
    .min_pos = 1,
    .max_pos = 1,
    .pos_usage = "one ALIAS is needed",
    .open = CLI_OPEN_READ | CLI_OPEN_ALIAS,
};
