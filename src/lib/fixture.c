/* SPDX-License-Identifier: MPL-2.0 */
/* fixture: a throwaway SoftHSM2 token with a server identity on it, for
 * CI, made of the library's own steps (init-token, generate-certdb,
 * add-module, add-selfsign-cert --ca, request-cert, sign-request,
 * add-cert, export-cert, export-trust). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "p11kit.h"

#define FIXTURE_V1 (offsetof(p11c_fixture_opts, module) + sizeof(const char *))
#define SOFTHSM_DEFAULT "/usr/lib/softhsm/libsofthsm2.so"
#define CA_ALIAS "fixture-ca"

/* dir, made 0700, or one that is there and empty. */
static int make_dir(p11c_db *db, const char *dir)
{
	if (mkdir(dir, 0700) == 0)
		return P11C_OK;
	if (errno != EEXIST)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot make directory '%s': %s",
		                   dir, strerror(errno));
	DIR *d = opendir(dir);
	if (!d)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot read directory '%s': %s",
		                   dir, strerror(errno));
	struct dirent *e;
	int empty = 1;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty ? P11C_OK
	             : p11c_fail_c(db, P11C_EFAIL, P11C_ERR_EXISTS, "directory '%s' is not empty",
	                           dir);
}

/* A file's path in the fixture's directory, into buf (dir's length is
 * checked first: it fits). */
static const char *in(const char *dir, const char *name, char buf[PATH_MAX])
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);
	if (n < 0 || n >= PATH_MAX)
		buf[0] = '\0';
	return buf;
}

static int write_secret(p11c_db *db, const char *path, const char *secret)
{
	size_t n = strlen(secret);
	char *text = malloc(n + 2);
	if (!text)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	memcpy(text, secret, n);
	text[n] = '\n';
	int rc = p11c_file_write(db, path, text, n + 1, 0600);
	explicit_bzero(text, n + 1);
	free(text);
	return rc;
}

/* SoftHSM2's configuration of the fixture's own: its store in dir/tokens,
 * set as SOFTHSM2_CONF for this process (the module reads it when it
 * starts). */
static int softhsm_conf(p11c_db *db, const char *dir)
{
	char tokens[PATH_MAX], conf[PATH_MAX], text[PATH_MAX + 128];
	in(dir, "tokens", tokens);
	if (mkdir(tokens, 0700) != 0)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot make directory '%s': %s",
		                   tokens, strerror(errno));
	int n = snprintf(text, sizeof(text),
	                 "# SoftHSM2 configuration of a p11cert fixture\n"
	                 "directories.tokendir = %s\nobjectstore.backend = file\n"
	                 "log.level = ERROR\nslots.removable = false\n",
	                 tokens);
	int rc = p11c_file_write(db, in(dir, "softhsm2.conf", conf), text, (size_t)n, 0644);
	if (!rc && setenv("SOFTHSM2_CONF", conf, 1) != 0)
		rc = p11c_fail(db, P11C_EFAIL, "cannot set SOFTHSM2_CONF");
	return rc;
}

/* The token's PIN joins the database's password file (0600). */
static int add_pin(p11c_db *db, const char *pwfile, const char *label, const char *pin)
{
	char *text = NULL, *fresh = NULL;
	size_t len = 0;
	int rc = p11c_secret_file_read(db, pwfile, &text, &len);
	if (rc)
		return rc;
	fresh = p11c_pwfile_replace(text, len, label, 0, NULL, pin);
	rc = fresh ? p11c_file_write(db, pwfile, fresh, strlen(fresh), 0600)
	           : p11c_fail(db, P11C_EFAIL, "out of memory");
	if (!rc)
		rc = p11c_db_set_password_file(db, pwfile);
	p11c_secret_free(fresh);
	explicit_bzero(text, len);
	free(text);
	return rc;
}

/* The database dir/db (NSS is up after it, for the random PINs), the
 * token initialised, its PIN in the database's password file, the module
 * registered. */
static int make_db(p11c_db *db, const char *dir, const char *label, const char *module)
{
	char dbdir[PATH_MAX], pwfile[PATH_MAX], buf[PATH_MAX];
	in(dir, "db", dbdir);
	in(dbdir, P11C_PWFILE_NAME, pwfile);
	p11c_generate_opts g = P11C_GENERATE_OPTS_INIT;
	g.flags = P11C_GENERATE_NO_DEFAULT_CERT | P11C_GENERATE_NO_P11KIT;
	int rc = p11c_db_generate(db, dbdir, &g);
	if (rc)
		return rc;
	char *so = p11c_random_password(32), *pin = p11c_random_password(32);
	if (!so || !pin)
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
	else if (!(rc = write_secret(db, in(dir, "so-pin", buf), so)) &&
	         !(rc = write_secret(db, in(dir, "pin", buf), pin)) &&
	         !(rc = p11c_token_init(db, module, label, so, pin, 0)) &&
	         !(rc = add_pin(db, pwfile, label, pin)))
		rc = p11c_module_add(db, "softhsm2", module);
	p11c_secret_free(so);
	p11c_secret_free(pin);
	return rc;
}

/* A certificate for cn issued by the fixture's CA, its key (alias) on
 * token, stored in the database (on that token too: p11c_cert_add puts it
 * beside its key). */
static int issue(p11c_db *db, const char *dir, const char *alias, const char *cn, const char *san,
                 const char *key_type, const char *token, unsigned usage)
{
	char csr[PATH_MAX], crt[PATH_MAX], subject[512];
	char *pem = NULL;
	snprintf(subject, sizeof(subject), "CN=%s,O=p11cert fixture", cn);
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	o.subject = subject;
	o.san = san;
	o.key_type = key_type;
	o.token = token;
	p11c_sign_opts s = P11C_SIGN_OPTS_INIT;
	s.flags = usage;
	char file[64];
	snprintf(file, sizeof(file), "%s.csr", alias);
	in(dir, file, csr);
	snprintf(file, sizeof(file), "%s.pem", alias);
	in(dir, file, crt);
	int rc;
	if ((rc = p11c_request_write(db, alias, &o, P11C_REQUEST_PEM, csr)) ||
	    (rc = p11c_request_sign(db, CA_ALIAS, csr, &s, &pem)) ||
	    (rc = p11c_file_write(db, crt, pem, strlen(pem), 0644)) ||
	    (rc = p11c_cert_add(db, alias, crt, NULL, NULL)))
		goto out;
out:
	free(pem);
	return rc;
}

/* A PEM export of the database (the CA, the server's chain) to a file. */
static int export_pem(p11c_db *db, const char *alias, unsigned flags, const char *path)
{
	unsigned char *pem = NULL;
	size_t len = 0;
	int rc = p11c_cert_export(db, alias, flags | P11C_CERT_EXPORT_PEM, &pem, &len);
	if (!rc)
		rc = p11c_file_write(db, path, pem, len, 0644);
	free(pem);
	return rc;
}

static int export_trust(p11c_db *db, const char *path)
{
	unsigned char *pem = NULL;
	size_t len = 0, count = 0;
	int rc = p11c_trust_export(db, P11C_USAGE_TLS_SERVER, P11C_TRUST_FORMAT_PEM, NULL, &pem,
	                           &len, &count);
	if (!rc)
		rc = p11c_file_write(db, path, pem, len, 0644);
	free(pem);
	return rc;
}

/* The client's PKCS#12, its password in a file beside it. */
static int export_client(p11c_db *db, const char *dir)
{
	char p12[PATH_MAX], pwpath[PATH_MAX];
	char *pw = p11c_random_password(32);
	if (!pw)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	int rc = write_secret(db, in(dir, "client.p12.pw", pwpath), pw);
	if (!rc)
		rc = p11c_cert_export_p12(db, "client", pw, 0, in(dir, "client.p12", p12));
	p11c_secret_free(pw);
	return rc;
}

int p11c_fixture_create(p11c_db *db, const char *dir, const p11c_fixture_opts *opts)
{
	P11C_ARGS(db, P11C_DB(db), P11C_CLOSED(db), P11C_NAME(dir), P11C_PTR(opts),
	          P11C_OPTS_SIZE(opts, FIXTURE_V1), P11C_FIELD_NAME(opts, host),
	          P11C_FIELD_OPTNAME(opts, san), P11C_FIELD_OPTNAME(opts, key_type),
	          P11C_FIELD_OPTNAME(opts, label), P11C_FIELD_OPTNAME(opts, client),
	          P11C_FIELD_OPTNAME(opts, module));
	const char *label = opts->label ? opts->label : "fixture";
	const char *named = opts->module ? opts->module : SOFTHSM_DEFAULT;
	char *module = p11c_module_path_of(named);
	const char *key_type = opts->key_type ? opts->key_type : "ec:p256";
	char abs[PATH_MAX], buf[PATH_MAX], *san = NULL;
	int rc;
	if (!module)
		return p11c_fail_c(db, P11C_ENOTFOUND, P11C_ERR_NOTFOUND, "no module '%s'", named);
	if ((rc = make_dir(db, dir)))
		goto out;
	if (!realpath(dir, abs)) {
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot resolve '%s': %s", dir,
		                 strerror(errno));
		goto out;
	}
	if (strlen(abs) > PATH_MAX - 64) {
		rc = p11c_fail_cf(db, P11C_EUSAGE, P11C_ERR_INPUT, "dir", "path '%s' is too long",
		                  dir);
		goto out;
	}
	if (asprintf(&san, "dns:%s%s%s", opts->host, opts->san ? "," : "",
	             opts->san ? opts->san : "") < 0) {
		san = NULL;
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	if ((rc = softhsm_conf(db, abs)) || (rc = make_db(db, abs, label, module)))
		goto out;
	p11c_selfsign_opts ca = P11C_SELFSIGN_OPTS_INIT;
	ca.subject = "CN=p11cert fixture CA,O=p11cert fixture";
	ca.key_type = "ec:p256";
	ca.days = 3650;
	ca.flags = P11C_SELFSIGN_CA;
	if ((rc = p11c_cert_selfsign(db, CA_ALIAS, &ca)) ||
	    (rc =
	         issue(db, abs, "server", opts->host, san, key_type, label, P11C_SIGN_SERVER_AUTH)))
		goto out;
	if (opts->client && ((rc = issue(db, abs, "client", opts->client, NULL, "ec:p256", NULL,
	                                 P11C_SIGN_CLIENT_AUTH)) ||
	                     (rc = export_client(db, abs))))
		goto out;
	char server[PATH_MAX];
	snprintf(server, sizeof(server), "%s:server", label);
	if ((rc = export_pem(db, CA_ALIAS, 0, in(abs, "ca.pem", buf))) ||
	    (rc = export_pem(db, server, P11C_CERT_EXPORT_CHAIN,
	                     in(abs, "server-chain.pem", buf))) ||
	    (rc = export_trust(db, in(abs, "trust.pem", buf))))
		goto out;
out:
	free(san);
	free(module);
	return rc;
}
