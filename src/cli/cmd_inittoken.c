/* SPDX-License-Identifier: MPL-2.0 */
/* init-token: initialise a token through PKCS#11 (C_InitToken, C_InitPIN). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define SOFTHSM_MODULE "/usr/lib/softhsm/libsofthsm2.so"

enum { O_LABEL, O_SO_PIN_FILE, O_PIN_FILE, O_FORCE };

static const cli_opt opts[] = {
    {"label", 0, 1, O_LABEL},
    {"so-pin-file", 0, 1, O_SO_PIN_FILE},
    {"pin-file", 0, 1, O_PIN_FILE},
    {"force", 0, 0, O_FORCE},
    {NULL, 0, 0, 0},
};

typedef struct {
	const char *label;
	const char *so_pin_file;
	const char *pin_file;
	int force;
} args;

static int on_opt(int id, const char *arg, void *ctx)
{
	args *a = ctx;
	if (id == O_LABEL)
		a->label = arg;
	else if (id == O_SO_PIN_FILE)
		a->so_pin_file = arg;
	else if (id == O_PIN_FILE)
		a->pin_file = arg;
	else
		a->force = 1;
	return 0;
}

static int init_check(cli_ctx *c)
{
	const args *a = c->args;
	if (!a->label || !*a->label)
		return cli_usage_error("init-token needs --label L");
	return EXIT_OK;
}

static int init_token(cli_ctx *c)
{
	const args *a = c->args;
	cli_globals g = *c->g;
	const char *module = g.module ? g.module : SOFTHSM_MODULE;
	g.module = NULL; /* loaded by the library for this call alone */
	p11c_db *db = NULL;
	char *so = NULL, *pin = NULL;
	int rc = cli_db_new(&g, NULL, CLI_PW_EXPLICIT_ONLY, &db);
	if (rc)
		return rc;
	if ((rc = cli_secret(db, a->so_pin_file, "security officer PIN", 1, &so)) ||
	    (rc = cli_secret(db, a->pin_file, "user PIN", 1, &pin)))
		goto out;
	int st =
	    p11c_token_init(db, module, a->label, so, pin, a->force ? P11C_TOKEN_INIT_FORCE : 0);
	if (st) {
		rc = cli_fail(db, st);
		goto out;
	}
	cli_notice(&g, "initialised token '%s' of module '%s'", a->label, module);
out:
	cli_secret_free(so);
	cli_secret_free(pin);
	p11c_db_free(db);
	return rc;
}

const cli_cmd cli_cmd_init_token = {
    .name = "init-token",
    .run = init_token,
    .description = "Initialise a PKCS#11 token (C_InitToken)",
    .usage = "--label L [--module PATH] [--so-pin-file F] [--pin-file F] [--force]",
    .help = "Initialise a token through PKCS#11 itself (C_InitToken, then C_InitPIN as the\n"
            "security officer), for any module that allows it: the token labelled L\n"
            "(refused when it is initialised, unless --force), else the first one not\n"
            "initialised.  PINs come from files (first line, mode 0600) or a no-echo\n"
            "prompt, never from the command line.\n"
            "  --label L          the token's label (at most 32 bytes)\n"
            "  --module PATH      the module (or NAME, p11-kit's), default\n"
            "                     " SOFTHSM_MODULE "\n"
            "  --so-pin-file F    the security officer's PIN: F's first line\n"
            "  --pin-file F       the user PIN: F's first line\n"
            "  --force            initialise again a token that already is (its SO PIN)\n",
    .opts = opts,
    .args_size = sizeof(args),
    .on_opt = on_opt,
    .check = init_check,
    .pos_usage = "init-token takes no arguments",
    .open = CLI_OPEN_NONE,
};
