/* SPDX-License-Identifier: MPL-2.0 */
/* p11cert: the command table and the global options. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* The dispatch table: one descriptor a command (cli.h), in -h's order. */
static const cli_cmd *const commands[] = {
    &cli_cmd_generate_certdb, &cli_cmd_upgrade_certdb,       &cli_cmd_add_selfsign_cert,
    &cli_cmd_sign_request,    &cli_cmd_request_cert,         &cli_cmd_add_cert,
    &cli_cmd_import_cert,     &cli_cmd_import_selfsign_cert, &cli_cmd_export_cert,
    &cli_cmd_export_trust,    &cli_cmd_list_certs,           &cli_cmd_show_cert,
    &cli_cmd_renew_cert,      &cli_cmd_renew_selfsign_cert,  &cli_cmd_remove_cert,
    &cli_cmd_fetch_chain,     &cli_cmd_verify_cert,          &cli_cmd_check,
    &cli_cmd_sync_exports,    &cli_cmd_change_password,      &cli_cmd_list_tokens,
    &cli_cmd_init_token,      &cli_cmd_fixture,
    &cli_cmd_add_module,      &cli_cmd_remove_module,        &cli_cmd_acme_register,
    &cli_cmd_acme_issue,      &cli_cmd_acme_renew,           &cli_cmd_acme_revoke,
    &cli_cmd_revoke_cert,     &cli_cmd_gen_crl,
};

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
	        "Usage: %s [GLOBAL OPTIONS] COMMAND [OPTIONS]\n"
	        "Manage a certificate database whose keys live in NSS's internal token or on a\n"
	        "PKCS#11 token.\n\nCommands:\n",
	        prog);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-20s %s\n", commands[i]->name, commands[i]->description);
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
	           "Options follow getopt_long's conventions: -qv, -dDIR, --dir=DIR; '--'\n"
	           "ends them (an ALIAS that starts with '-').\n"
	           "\nSee p11cert(1).\n");
}

int main(int argc, char **argv)
{
	cli_globals g;
	memset(&g, 0, sizeof(g));
	cli_set_prog(argv[0]);
	/* A server that hangs up mid-write is an error to report, not a kill. */
	signal(SIGPIPE, SIG_IGN);
	int i = 1;
	/* the global options before the command; the rest is the command's */
	int r = cli_parse(argc, argv, 0, NULL, NULL, NULL, &g, NULL, NULL, &i);
	if (r < 0)
		return EXIT_USAGE;
	if (r > 0) {
		usage(stdout, cli_prog());
		return EXIT_OK;
	}
	if (i >= argc) {
		usage(stderr, cli_prog());
		return EXIT_USAGE;
	}
	const char *name = argv[i];
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		/* msgcert's generate-certDB: command names match in any case */
		if (!strcasecmp(name, commands[c]->name))
			return cli_warnings_done(cli_dispatch(commands[c], &g, argc - i, argv + i));
	}
	return cli_usage_error("unknown command '%s'", name);
}
