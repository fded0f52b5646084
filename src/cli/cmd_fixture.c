/* SPDX-License-Identifier: MPL-2.0 */
/* fixture: a throwaway SoftHSM2 token with a server identity, for CI. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_HOST, O_SAN, O_KEY_TYPE, O_LABEL, O_CLIENT, O_JSON };

static const cli_opt opts[] = {
    {"host", 0, 1, O_HOST},   {"san", 0, 1, O_SAN},       {"key-type", 0, 1, O_KEY_TYPE},
    {"label", 0, 1, O_LABEL}, {"client", 0, 1, O_CLIENT}, {"json", 0, 0, O_JSON},
    {NULL, 0, 0, 0},
};

typedef struct {
	p11c_fixture_opts o;
	int json;
} args;

static void init(void *p)
{
	args *a = p;
	a->o = (p11c_fixture_opts)P11C_FIXTURE_OPTS_INIT;
	a->o.key_type = "ec:p256";
	a->json = 0;
}

static int on_opt(int id, const char *arg, void *ctx)
{
	args *a = ctx;
	switch (id) {
	case O_HOST:
		a->o.host = arg;
		break;
	case O_SAN:
		a->o.san = arg;
		break;
	case O_KEY_TYPE:
		a->o.key_type = arg;
		break;
	case O_LABEL:
		a->o.label = arg;
		break;
	case O_CLIENT:
		a->o.client = arg;
		break;
	default:
		a->json = 1;
	}
	return 0;
}

static int fixture_check(cli_ctx *c)
{
	const args *a = c->args;
	if (!a->o.host || !*a->o.host)
		return cli_usage_error("fixture needs --host NAME");
	return EXIT_OK;
}

/* One name=value the fixture gives, as a shell line or a JSON member. */
typedef struct {
	const char *var, *key;
	char value[PATH_MAX + 256];
} item;

static void shell_line(const item *it)
{
	printf("export %s='", it->var);
	for (const char *s = it->value; *s; s++)
		fputs(*s == '\'' ? "'\\''" : (char[]){*s, 0}, stdout);
	printf("'\n");
}

/* The token's and the server key's pkcs11: URIs, read back. */
static int uris(p11c_db *db, const char *label, item *token, item *key)
{
	char name[256];
	p11c_cert *c = NULL;
	p11c_token_listing *l = NULL;
	snprintf(name, sizeof(name), "%s:server", label);
	int rc = p11c_cert_show(db, name, &c);
	if (!rc)
		rc = p11c_token_list(db, &l);
	if (rc)
		goto out;
	snprintf(key->value, sizeof(key->value), "%s",
	         p11c_cert_key_uri(c) ? p11c_cert_key_uri(c) : "");
	for (size_t i = 0; i < p11c_token_listing_count(l); i++) {
		const p11c_token *t = p11c_token_listing_get(l, i);
		if (!strcmp(p11c_token_name(t), label))
			snprintf(token->value, sizeof(token->value), "%s", p11c_token_uri(t));
	}
out:
	p11c_token_listing_free(l);
	p11c_cert_free(c);
	return rc;
}

static int fixture(cli_ctx *c)
{
	const args *a = c->args;
	cli_globals g = *c->g;
	p11c_fixture_opts o = a->o;
	o.module = g.module;
	g.module = NULL; /* the fixture loads and registers it itself */
	const char *dir = c->pos[0];
	const char *label = o.label ? o.label : "fixture";
	p11c_db *db = NULL;
	int rc = cli_db_new(&g, NULL, CLI_PW_EXPLICIT_ONLY, &db);
	if (rc)
		return rc;
	int st = p11c_fixture_create(db, dir, &o);
	if (st) {
		rc = cli_fail(db, st);
		goto out;
	}
	const char *base = p11c_db_dir(db); /* DIR/db, absolute */
	char root[PATH_MAX];
	snprintf(root, sizeof(root), "%.*s", (int)(strlen(base) - 3), base);
	item items[] = {
	    {"SOFTHSM2_CONF", "softhsm2_conf", ""},
	    {"P11CERT_DB", "database", ""},
	    {"P11CERT_FIXTURE_TOKEN_URI", "token_uri", ""},
	    {"P11CERT_FIXTURE_KEY_URI", "key_uri", ""},
	    {"P11CERT_FIXTURE_NICKNAME", "nickname", ""},
	    {"P11CERT_FIXTURE_PIN_FILE", "pin_file", ""},
	    {"P11CERT_FIXTURE_CA", "ca", ""},
	    {"P11CERT_FIXTURE_CHAIN", "server_chain", ""},
	    {"P11CERT_FIXTURE_TRUST", "trust_bundle", ""},
	    {"P11CERT_FIXTURE_CLIENT_P12", "client_p12", ""},
	    {"P11CERT_FIXTURE_CLIENT_P12_PASSWORD_FILE", "client_p12_password_file", ""},
	};
	size_t n = sizeof(items) / sizeof(items[0]);
	if (!o.client)
		n -= 2;
	const char *files[] = {
	    "softhsm2.conf",    "db",        NULL,         NULL,           NULL, "pin", "ca.pem",
	    "server-chain.pem", "trust.pem", "client.p12", "client.p12.pw"};
	for (size_t i = 0; i < n; i++)
		if (files[i])
			snprintf(items[i].value, sizeof(items[i].value), "%s/%s", root, files[i]);
	snprintf(items[4].value, sizeof(items[4].value), "%s:server", label);
	if ((st = uris(db, label, &items[2], &items[3]))) {
		rc = cli_fail(db, st);
		goto out;
	}
	if (a->json) {
		json_writer w;
		json_init(&w, stdout);
		json_object_begin(&w);
		for (size_t i = 0; i < n; i++) {
			json_key(&w, items[i].key);
			json_string(&w, items[i].value);
		}
		json_object_end(&w);
		json_end(&w);
	} else {
		for (size_t i = 0; i < n; i++)
			shell_line(&items[i]);
	}
	cli_notice(&g,
	           "made fixture '%s': token '%s', server certificate '%s:server'; rm -rf it "
	           "to undo",
	           root, label, label);
	rc = EXIT_OK;
out:
	p11c_db_free(db);
	return rc;
}

const cli_cmd cli_cmd_fixture = {
    .name = "fixture",
    .run = fixture,
    .description = "Make a throwaway SoftHSM2 token with a server identity",
    .usage = "DIR --host NAME [--san LIST] [--key-type T] [--label L] [--client NAME]\n"
             " [--module PATH] [--json]",
    .help = "For tests and CI: in DIR (made; one that exists must be empty) a SoftHSM2\n"
            "configuration of its own (DIR/softhsm2.conf), a token initialised with random\n"
            "PINs (DIR/so-pin, DIR/pin), a database DIR/db with the module registered and\n"
            "the PIN in its password file, a CA 'fixture-ca', a certificate 'LABEL:server'\n"
            "for NAME issued by it whose key is on the token (not extractable), and\n"
            "DIR/ca.pem, DIR/server-chain.pem, DIR/trust.pem.  Prints the shell lines to\n"
            "export (file paths and pkcs11: URIs, never a PIN).  rm -rf DIR undoes it all.\n"
            "  --host NAME      the server's host name (CN and DNS SAN)\n"
            "  --san LIST       more SANs: dns:a.example,ip:127.0.0.1\n"
            "  --key-type T     the server key: ec:p256 (default), rsa:2048 ...\n"
            "  --label L        the token's label, default fixture\n"
            "  --client NAME    also a client certificate for NAME (internal key), as\n"
            "                   DIR/client.p12, its password in DIR/client.p12.pw\n"
            "  --module PATH    SoftHSM2's module (or its p11-kit NAME), default\n"
            "                   /usr/lib/softhsm/libsofthsm2.so\n"
            "  --json           one JSON object instead of the shell lines\n",
    .opts = opts,
    .args_size = sizeof(args),
    .init = init,
    .on_opt = on_opt,
    .check = fixture_check,
    .min_pos = 1,
    .max_pos = 1,
    .pos_usage = "fixture takes one directory",
    .open = CLI_OPEN_NONE,
};
