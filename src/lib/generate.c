/* SPDX-License-Identifier: MPL-2.0 */
/* generate-certdb: a new database, its password file, a default certificate. */
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <pk11pub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nssint.h"

static const char *const db_files[] = {"cert9.db", "key4.db",   "pkcs11.txt",    "cert8.db",
                                       "key3.db",  "secmod.db", P11C_PWFILE_NAME};

#define DEFAULT_ALIAS "Server-Cert"

static void path_in(char *buf, size_t size, const char *dir, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

/* mkdir -p, new directories 0700; *made says whether dir itself was made. */
static int make_dirs(p11c_db *db, const char *dir, int *made)
{
	char path[4096];
	struct stat st;
	*made = 0;
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_EXISTS,
			                   "'%s' exists and is not a directory", dir);
		return P11C_OK;
	}
	if (strlen(dir) >= sizeof(path))
		return p11c_fail(db, P11C_EUSAGE, "directory name too long");
	strcpy(path, dir);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot create '%s': %s",
			                   path, strerror(errno));
		*p = '/';
	}
	if (mkdir(path, 0700) != 0)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot create '%s': %s", path,
		                   strerror(errno));
	*made = 1;
	return P11C_OK;
}

static void remove_db(const char *dir, int made)
{
	char path[4200];
	for (size_t i = 0; i < 3; i++) {
		path_in(path, sizeof(path), dir, db_files[i]);
		unlink(path);
	}
	path_in(path, sizeof(path), dir, P11C_PWFILE_NAME);
	unlink(path);
	if (made)
		rmdir(dir);
}

static char *this_host(void)
{
	char name[256];
	if (gethostname(name, sizeof(name) - 1) != 0)
		return strdup("localhost");
	name[sizeof(name) - 1] = '\0';
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_CANONNAME;
	if (!strchr(name, '.') && getaddrinfo(name, NULL, &hints, &res) == 0 && res &&
	    res->ai_canonname && strchr(res->ai_canonname, '.')) {
		char *fq = strdup(res->ai_canonname);
		freeaddrinfo(res);
		return fq;
	}
	if (res)
		freeaddrinfo(res);
	return strdup(name);
}

/* The slot of opts->token when it is an external token (a reference),
 * else NULL; fails when token names no token. */
static int external_slot(p11c_db *db, const char *token, PK11SlotInfo **out)
{
	*out = NULL;
	if (!token)
		return P11C_OK;
	PK11SlotInfo *slot = NULL;
	int rc = p11c_slot_for_token(db, token, &slot);
	if (rc)
		return rc;
	if (p11c_is_own_slot(db, slot))
		PK11_FreeSlot(slot);
	else
		*out = slot;
	return P11C_OK;
}

/* The new password: the password file's internal entry, else random: when
 * there is no file, or when it gives the PIN of the external token the
 * key goes to (ext) and no password of the database's own. */
static int new_password(p11c_db *db, PK11SlotInfo *ext, char **pw)
{
	char *given = NULL;
	if (db->pwf) {
		/* A token's PIN line ("mail-hsm:1234") is not the database's password. */
		char **known = p11c_token_labels();
		const char *found =
		    p11c_pwfile_lookup(db->pwf, NULL, 1, (const char *const *)known);
		given = found && *found ? strdup(found) : NULL;
		p11c_token_labels_free(known);
		if (!given && found && *found)
			return p11c_fail(db, P11C_EFAIL, "out of memory");
	}
	if (given) {
		*pw = given;
		return P11C_OK;
	}
	if (db->pwf && !(ext && p11c_pwfile_lookup(db->pwf, PK11_GetTokenName(ext), 0, NULL)))
		return p11c_fail(db, P11C_EPASSWORD,
		                 "password file '%s' has no password for the internal token",
		                 db->pwf_path);
	*pw = p11c_random_password(32);
	return *pw ? P11C_OK : p11c_fail_nss(db, P11C_EFAIL, "cannot make a password");
}

static int default_cert(p11c_db *db, const char *hostname, const char *token)
{
	char *host = hostname ? strdup(hostname) : this_host();
	if (!host)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	p11c_dn_fields f = P11C_DN_FIELDS_INIT;
	f.cn = host;
	p11c_selfsign_opts so = P11C_SELFSIGN_OPTS_INIT;
	so.fields = &f;
	so.token = token;
	int rc = p11c_cert_selfsign(db, DEFAULT_ALIAS, &so);
	free(host);
	return rc;
}

/* Remove the default certificate and its key from token slot after a
 * later step failed (best effort: the step's own error is the one told). */
static void remove_cert_on(p11c_db *db, PK11SlotInfo *slot)
{
	char *q = p11c_qualified(db, slot, DEFAULT_ALIAS);
	if (q)
		(void)p11c_cert_remove(db, q, 0);
	free(q);
}

/* The end of the first p11c_generate_opts: a shorter size is a caller's
 * mistake; later fields are read through P11C_OPT. */
#define GENERATE_OPTS_V1 (offsetof(p11c_generate_opts, token) + sizeof(const char *))
#define GENERATE_FLAGS (P11C_GENERATE_NO_DEFAULT_CERT | P11C_GENERATE_NO_P11KIT)

int p11c_db_generate(p11c_db *db, const char *dir, const p11c_generate_opts *opts)
{
	P11C_ARGS(db, P11C_DB(db), P11C_CLOSED(db), P11C_NAME(dir),
	          P11C_OPTS_SIZE(opts, GENERATE_OPTS_V1),
	          P11C_FIELD_FLAGS(opts, flags, GENERATE_FLAGS), P11C_FIELD_OPTNAME(opts, hostname),
	          P11C_FIELD_OPTNAME(opts, token));
	unsigned flags = P11C_OPT(opts, flags, 0u);
	const char *hostname = P11C_OPT(opts, hostname, NULL);
	const char *token = P11C_OPT(opts, token, NULL);
	char path[4200], *pw = NULL;
	PK11SlotInfo *ext = NULL;
	int made = 0, made_cert = 0, rc;
	if (db->ctx)
		return p11c_fail_c(db, P11C_EUSAGE, P11C_ERR_USAGE, "database '%s' is already open",
		                   db->dir);
	for (size_t i = 0; i < sizeof(db_files) / sizeof(db_files[0]); i++) {
		struct stat st;
		path_in(path, sizeof(path), dir, db_files[i]);
		if (lstat(path, &st) == 0)
			return p11c_fail_cf(
			    db, P11C_EFAIL, P11C_ERR_EXISTS, "database",
			    "'%s' already holds a database (%s); not overwriting it", dir,
			    db_files[i]);
	}
	if ((rc = make_dirs(db, dir, &made)))
		return rc;
	if (access(dir, W_OK) != 0) {
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot write to '%s': %s", dir,
		                 strerror(errno));
		goto fail;
	}
	db->no_p11kit = (flags & P11C_GENERATE_NO_P11KIT) != 0;
	if ((rc = p11c_nss_start(db, dir, 0)) || (rc = external_slot(db, token, &ext)) ||
	    (rc = new_password(db, ext, &pw)))
		goto fail;
	/* The token's PIN first (the password file, else the prompt): a wrong
	 * or missing one leaves nothing made, on the token or here. */
	if (ext && !(flags & P11C_GENERATE_NO_DEFAULT_CERT) && (rc = p11c_login(db, ext)))
		goto fail;
	PK11SlotInfo *slot = p11c_db_slot(db);
	SECStatus s = slot && PK11_NeedUserInit(slot) ? PK11_InitPin(slot, "", pw) : SECFailure;
	if (s != SECSuccess) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot set the password of '%s'", dir);
		if (slot)
			PK11_FreeSlot(slot);
		goto fail;
	}
	path_in(path, sizeof(path), dir, P11C_PWFILE_NAME);
	if ((rc = p11c_pwfile_write(db, path, pw, NULL, NULL)) ||
	    (PK11_CheckUserPassword(slot, pw) != SECSuccess &&
	     (rc = p11c_fail_nss(db, P11C_EFAIL, "cannot log in to the new database")))) {
		PK11_FreeSlot(slot);
		goto fail;
	}
	PK11_FreeSlot(slot);
	/* The database is logged in: later steps need no password file, and
	 * one set now would be named by their failures, and then removed. */
	if (!(flags & P11C_GENERATE_NO_DEFAULT_CERT)) {
		if ((rc = default_cert(db, hostname, token)))
			goto fail;
		made_cert = 1;
	}
	/* The token's PIN joins the file, so that it unlocks everything. */
	if (db->used_label && (rc = p11c_pwfile_write(db, path, pw, db->used_label, db->used_pin)))
		goto fail;
	if (!db->pwf && (rc = p11c_db_set_password_file(db, path)))
		goto fail;
	if (ext)
		PK11_FreeSlot(ext);
	p11c_secret_free(pw);
	return P11C_OK;
fail:
	/* A key and certificate made on an external token are not in dir. */
	if (made_cert && ext)
		remove_cert_on(db, ext);
	if (ext)
		PK11_FreeSlot(ext);
	p11c_secret_free(pw);
	p11c_db_shutdown(db);
	remove_db(dir, made);
	return rc;
}
