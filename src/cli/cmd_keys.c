/* SPDX-License-Identifier: MPL-2.0 */
/* The commands that make a key: add-selfsign-cert and request-cert. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

enum {
	O_SUBJECT,
	O_NAME,
	O_ORG,
	O_OU,
	O_CITY,
	O_STATE,
	O_COUNTRY,
	O_SAN,
	O_KEYTYPE,
	O_DAYS,
	O_CA,
	O_EXTRACTABLE,
	O_ALIAS,
	O_FORMAT,
	O_OUTPUT
};

static const cli_opt opts[] = {
    {"subject", 'S', 1, O_SUBJECT},
    {"name", 0, 1, O_NAME},
    {"org", 0, 1, O_ORG},
    {"org-unit", 0, 1, O_OU},
    {"city", 0, 1, O_CITY},
    {"state", 0, 1, O_STATE},
    {"country", 0, 1, O_COUNTRY},
    {"san", 0, 1, O_SAN},
    {"key-type", 0, 1, O_KEYTYPE},
    {"days", 0, 1, O_DAYS},
    {"ca", 0, 0, O_CA},
    {"extractable", 0, 0, O_EXTRACTABLE},
    {NULL, 0, 0, 0},
};

/* request-cert's: the subject and key options, and where the request goes. */
static const cli_opt request_opts[] = {
    {"subject", 'S', 1, O_SUBJECT}, {"name", 0, 1, O_NAME},
    {"org", 0, 1, O_ORG},           {"org-unit", 0, 1, O_OU},
    {"city", 0, 1, O_CITY},         {"state", 0, 1, O_STATE},
    {"country", 0, 1, O_COUNTRY},   {"san", 0, 1, O_SAN},
    {"key-type", 0, 1, O_KEYTYPE},  {"extractable", 0, 0, O_EXTRACTABLE},
    {"alias", 0, 1, O_ALIAS},       {"format", 'F', 1, O_FORMAT},
    {"output", 'o', 1, O_OUTPUT},   {NULL, 0, 0, 0},
};

typedef struct {
	p11c_selfsign_opts so;
	p11c_dn_fields f;
	const char *alias;
	int pem;
	const char *output;
} args;

static void init(void *p)
{
	args *a = p;
	a->so = (p11c_selfsign_opts)P11C_SELFSIGN_OPTS_INIT;
	a->f = (p11c_dn_fields)P11C_DN_FIELDS_INIT;
}

static int on_opt(int id, const char *arg, void *ctx)
{
	args *a = ctx;
	switch (id) {
	case O_SUBJECT:
		a->so.subject = arg;
		break;
	case O_NAME:
		a->f.cn = arg;
		break;
	case O_ORG:
		a->f.o = arg;
		break;
	case O_OU:
		a->f.ou = arg;
		break;
	case O_CITY:
		a->f.l = arg;
		break;
	case O_STATE:
		a->f.st = arg;
		break;
	case O_COUNTRY:
		a->f.c = arg;
		break;
	case O_SAN:
		a->so.san = arg;
		break;
	case O_KEYTYPE:
		a->so.key_type = arg;
		break;
	case O_DAYS: {
		long d = cli_number(arg);
		if (d < 1 || d > 36500)
			return cli_usage_error("--days must be a number from 1 to 36500, not '%s'",
			                       arg);
		a->so.days = (int)d;
		break;
	}
	case O_CA:
		a->so.flags |= P11C_SELFSIGN_CA;
		break;
	case O_EXTRACTABLE:
		a->so.flags |= P11C_SELFSIGN_EXTRACTABLE;
		break;
	case O_ALIAS:
		a->alias = arg;
		break;
	case O_FORMAT:
		if (strcmp(arg, "ascii") && strcmp(arg, "binary") && strcmp(arg, "pem") &&
		    strcmp(arg, "der"))
			return cli_usage_error("-F takes 'binary' (DER) or 'ascii' (PEM), not '%s'",
			                       arg);
		a->pem = !strcmp(arg, "ascii") || !strcmp(arg, "pem");
		break;
	case O_OUTPUT:
		a->output = arg;
		break;
	}
	return 0;
}

/* -S or the fields, not both; one of them. */
static int check_subject(cli_ctx *c)
{
	args *a = c->args;
	int fields = a->f.cn || a->f.o || a->f.ou || a->f.l || a->f.st || a->f.c;
	if (a->so.subject && fields)
		return cli_usage_error("give -S or --name and its fields, not both");
	if (!a->so.subject && !a->f.cn)
		return cli_usage_error("a subject is needed: -S DN or --name CN");
	a->so.fields = &a->f;
	a->so.token = c->g->token;
	return EXIT_OK;
}

static int add_selfsign_cert(cli_ctx *c)
{
	args *a = c->args;
	char *name = NULL; /* as list-certs names it: 'TOKEN:alias' with --token */
	p11c_cert *cert = NULL;
	int rc;
	if ((rc = p11c_cert_selfsign(c->db, c->pos[0], &a->so)))
		return cli_fail(c->db, rc);
	if ((rc = cli_selfsigned_read(c->db, c->g, c->pos[0], &name, &cert)))
		return rc;
	cli_selfsigned_notice(c->g, name, cert);
	p11c_cert_free(cert);
	free(name);
	return EXIT_OK;
}

const cli_cmd cli_cmd_add_selfsign_cert = {
    .name = "add-selfsign-cert",
    .run = add_selfsign_cert,
    .description = "New key pair and self-signed certificate",
    .usage = "[-S DN | --name CN [--org O] [--org-unit OU]\n"
             " [--city L] [--state ST] [--country C]]\n"
             " [--san LIST] [--key-type TYPE] [--days N]\n"
             " [--ca] [--token T] [--extractable] ALIAS",
    .help = "Make a key pair and a self-signed certificate named ALIAS.\n"
            "  -S DN           subject, e.g. 'CN=mail.example.com,O=Example,C=US'\n"
            "  --name CN ...   subject from fields; a host-name CN is also a DNS SAN\n"
            "  --san LIST      dns:a.example,ip:192.0.2.1,email:x@a.example,uri:...\n"
            "  --key-type T    rsa:2048 (default) rsa:3072 rsa:4096 ec:p256 ec:p384 ec:p521\n"
            "  --days N        validity in days (default 90)\n"
            "  --ca            a CA certificate (CA:true, keyCertSign), trusted CT,,\n"
            "  --token T       where the key goes: internal, a label, a pkcs11: URI\n"
            "  --extractable   let a key on an external token leave it\n",
    .opts = opts,
    .args_size = sizeof(args),
    .init = init,
    .on_opt = on_opt,
    .check = check_subject,
    .min_pos = 1,
    .max_pos = 1,
    .pos_usage = "one ALIAS is needed",
    .open = CLI_OPEN_WRITE,
};

static int request_cert(cli_ctx *c)
{
	args *a = c->args;
	p11c_db *db = c->db;
	int rc;
	unsigned char *req = NULL;
	size_t len = 0;
	unsigned flags = a->pem ? P11C_REQUEST_PEM : 0;
	if (a->output) { /* the library writes it: a failed write removes the key */
		if ((rc = p11c_request_write(db, a->alias, &a->so, flags, a->output)))
			rc = cli_fail(db, rc);
		else
			cli_notice(c->g, "wrote the request to '%s'", a->output);
	} else if ((rc = p11c_request_create(db, a->alias, &a->so, flags, &req, &len))) {
		rc = cli_fail(db, rc);
	} else {
		rc = cli_write_public(db, NULL, req, len);
	}
	free(req);
	return rc;
}

const cli_cmd cli_cmd_request_cert = {
    .name = "request-cert",
    .run = request_cert,
    .description = "New key pair and a PKCS#10 request for a CA",
    .usage = "[-S DN | --name CN [--org O] [--org-unit OU]\n"
             " [--city L] [--state ST] [--country C]] [--san LIST]\n"
             " [--key-type TYPE] [--alias ALIAS] [-F binary|ascii]\n"
             " [-o FILE] [--token T] [--extractable]",
    .help = "Make a key pair and a PKCS#10 request for a CA to sign.  The key is kept\n"
            "under ALIAS (default: the CN); 'add-cert ALIAS REPLY' installs the CA's\n"
            "certificate beside it.\n"
            "  -F binary       DER (default, msgcert's); -F ascii: PEM\n"
            "  -o FILE         write the request to FILE, else standard output\n"
            "  (subject, SAN, key type and token options as add-selfsign-cert's)\n",
    .opts = request_opts,
    .args_size = sizeof(args),
    .init = init,
    .on_opt = on_opt,
    .check = check_subject,
    .open = CLI_OPEN_WRITE,
};
