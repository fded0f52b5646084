/* SPDX-License-Identifier: MPL-2.0 */
/* export-trust: the trusted CAs for a usage, as a PEM bundle or a Java
 * truststore, for the programs that do not read NSS. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_USAGE, O_FORMAT, O_PWFILE, O_OUTPUT };

static const cli_opt opts[] = {
    {"usage", 0, 1, O_USAGE},
    {"format", 0, 1, O_FORMAT},
    {"p12-password-file", 0, 1, O_PWFILE},
    {"output", 'o', 1, O_OUTPUT},
    {NULL, 0, 0, 0},
};

typedef struct {
	p11c_usage usage;
	p11c_trust_format format;
	const char *pwfile;
	const char *output;
} args;

static int on_opt(int id, const char *arg, void *ctx)
{
	args *a = ctx;
	switch (id) {
	case O_USAGE:
		/* verify-cert's words, less its CA usages */
		if (p11c_usage_from_name(arg, &a->usage) != P11C_OK || a->usage > P11C_USAGE_EMAIL)
			return cli_usage_error("--usage is server, client or email, not '%s'", arg);
		break;
	case O_FORMAT:
		if (strcmp(arg, "pem") && strcmp(arg, "pkcs12"))
			return cli_usage_error("--format is pem or pkcs12, not '%s'", arg);
		a->format =
		    strcmp(arg, "pkcs12") ? P11C_TRUST_FORMAT_PEM : P11C_TRUST_FORMAT_PKCS12;
		break;
	case O_PWFILE:
		a->pwfile = arg;
		break;
	case O_OUTPUT:
		a->output = arg;
		break;
	}
	return 0;
}

static int trust_check(cli_ctx *c)
{
	const args *a = c->args;
	int pkcs12 = a->format == P11C_TRUST_FORMAT_PKCS12;
	if (pkcs12 && !a->output)
		return cli_usage_error("--format pkcs12 needs -o FILE");
	if (a->pwfile && !pkcs12)
		return cli_usage_error("--p12-password-file goes with --format pkcs12");
	return EXIT_OK;
}

static int export_trust(cli_ctx *c)
{
	const args a = *(const args *)c->args;
	cli_globals *g = c->g;
	p11c_db *db = c->db;
	int pkcs12 = a.format == P11C_TRUST_FORMAT_PKCS12, rc = EXIT_OK;
	char *pw = NULL;
	unsigned char *data = NULL;
	size_t len = 0, count = 0;
	if (pkcs12 && (rc = cli_secret(db, a.pwfile, "truststore password", 1, &pw)))
		goto out;
	int st = p11c_trust_export(db, a.usage, a.format, pw, &data, &len, &count);
	if (st) {
		rc = cli_fail(db, st);
		goto out;
	}
	if ((rc = cli_write_public(db, a.output, data, len)))
		goto out;
	if (a.output) { /* for sync-exports */
		p11c_export_record e = P11C_EXPORT_RECORD_INIT;
		e.kind = P11C_EXPORT_TRUST;
		e.format = pkcs12 ? P11C_EXPORT_PKCS12 : P11C_EXPORT_PEM;
		e.usage = a.usage;
		e.path = a.output;
		e.p12_password_file = a.pwfile;
		cli_record_export(g, db, &e);
	}
	if (count == 0)
		cli_notice(g, "no certificate is trusted for %s: %s%s%s is empty",
		           p11c_usage_name(a.usage), a.output ? "'" : "",
		           a.output ? a.output : "the output", a.output ? "'" : "");
	else if (a.output)
		cli_notice(g, "wrote %zu trusted certificate%s for %s to '%s'", count,
		           count == 1 ? "" : "s", p11c_usage_name(a.usage), a.output);
out:
	free(data);
	cli_secret_free(pw);
	return rc;
}

const cli_cmd cli_cmd_export_trust = {
    .name = "export-trust",
    .run = export_trust,
    .description = "Write the trusted CAs as PEM or a Java truststore",
    .usage = "[--usage server|client|email] [--format pem|pkcs12]\n"
             " [--p12-password-file F] [-o FILE]",
    .help = "Write the certificates the database trusts for a usage (CAs trusted to issue\n"
            "for it, and peers trusted for it) for programs that do not read NSS.\n"
            "  --usage U               server (default: CAs of TLS servers, what a client\n"
            "                          such as Postfix's smtp or curl checks), client, email\n"
            "  --format pem            one PEM bundle, a CA file for OpenSSL-based daemons\n"
            "                          (default; standard output unless -o)\n"
            "  --format pkcs12         a Java truststore (trustedCertEntry), needs -o\n"
            "  --p12-password-file F   its integrity password (first line), else asked\n"
            "  -o FILE                 where to write (mode 0644)\n",
    .opts = opts,
    .args_size = sizeof(args),
    .on_opt = on_opt,
    .check = trust_check,
    .pos_usage = "export-trust takes no arguments (-o FILE names the output)",
    .open = CLI_OPEN_READ,
};
