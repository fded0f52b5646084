/* SPDX-License-Identifier: MPL-2.0 */
/* p11cert: the command table and the global options. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(cli_globals *g, int argc, char **argv);
	const char *description;
} commands[] = {
    {"generate-certdb", cmd_generate_certdb, "Create the database and its password file"},
    {"upgrade-certdb", cmd_upgrade_certdb, "Convert a msgcert-era database (cert8.db)"},
    {"add-selfsign-cert", cmd_add_selfsign_cert, "New key pair and self-signed certificate"},
    {"sign-request", cmd_sign_request, "Issue a certificate from a request, with a CA here"},
    {"request-cert", cmd_request_cert, "New key pair and a PKCS#10 request for a CA"},
    {"add-cert", cmd_add_cert, "Add a certificate, a chain, or a bundle of trusted CAs"},
    {"import-cert", cmd_import_cert, "Import a PKCS#12 file, or a PEM key and certificate"},
    {"import-selfsign-cert", cmd_import_selfsign_cert, "As import-cert, and trust it (CT,,)"},
    {"export-cert", cmd_export_cert, "Export a key and certificate (PKCS#12, PEM, DER)"},
    {"export-trust", cmd_export_trust, "Write the trusted CAs as PEM or a Java truststore"},
    {"list-certs", cmd_list_certs, "List certificates"},
    {"show-cert", cmd_show_cert, "Show one certificate in full"},
    {"renew-cert", cmd_renew_cert, "Replace a certificate by a newer one for its key"},
    {"renew-selfsign-cert", cmd_renew_selfsign_cert, "Re-issue a self-signed certificate"},
    {"remove-cert", cmd_remove_cert, "Remove a certificate and its key"},
    {"fetch-chain", cmd_fetch_chain, "Fetch a server's chain (STARTTLS too) and judge it"},
    {"verify-cert", cmd_verify_cert, "Verify a certificate's chain against the trust"},
    {"check", cmd_check, "Health of the database, for cron and monitoring"},
    {"sync-exports", cmd_sync_exports, "Rewrite recorded exports the database moved from"},
    {"change-password", cmd_change_password, "Change a token's password, and the file"},
    {"list-tokens", cmd_list_tokens, "List modules and tokens"},
    {"add-module", cmd_add_module, "Register a PKCS#11 module in the database"},
    {"remove-module", cmd_remove_module, "Drop a PKCS#11 module from the database"},
};

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
	        "Usage: %s [GLOBAL OPTIONS] COMMAND [OPTIONS]\n"
	        "Manage a certificate database whose keys live in NSS's internal token or on a\n"
	        "PKCS#11 token.\n\nCommands:\n",
	        prog);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-20s %s\n", commands[i].name, commands[i].description);
	fprintf(f, "\nGlobal options (before or after the command):\n"
	           "  -d, --dir DIR            database directory ($P11CERT_DB,\n"
	           "                           else $XDG_DATA_HOME/p11cert)\n"
	           "  -W, --password-file F    password file ($CERT_PW_FILE, else\n"
	           "                           DIR/sslpassword.conf, else a prompt)\n"
	           "      --token T            internal, a token label or a pkcs11: URI\n"
	           "      --module PATH|NAME   load this PKCS#11 module (or p11-kit's module\n"
	           "                           NAME) too, for this run\n"
	           "  -q, --quiet              no notices\n"
	           "  -v, --verbose            more detail\n"
	           "      --version            print the version\n"
	           "  -h, --help               this text; COMMAND -h for a command's\n"
	           "\nSee p11cert(1).\n");
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int main(int argc, char **argv)
{
	cli_globals g;
	memset(&g, 0, sizeof(g));
	const char *prog = base_name(argv[0]);
	/* A server that hangs up mid-write is an error to report, not a kill. */
	signal(SIGPIPE, SIG_IGN);
	int i = 1;
	int r = cli_globals_parse(argc, argv, &i, &g);
	if (r < 0)
		return EXIT_USAGE;
	if (r > 0) {
		usage(stdout, prog);
		return EXIT_OK;
	}
	if (i >= argc) {
		usage(stderr, prog);
		return EXIT_USAGE;
	}
	const char *name = argv[i];
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		/* msgcert's generate-certDB: command names match in any case */
		if (!strcasecmp(name, commands[c].name))
			return cli_warnings_done(commands[c].fn(&g, argc - i, argv + i));
	}
	cli_error("unknown command '%s' (see 'p11cert -h')", name);
	return EXIT_USAGE;
}
