/* SPDX-License-Identifier: MPL-2.0 */
/* upgrade-certdb: a msgcert-era database (cert8.db, key3.db, secmod.db)
 * into NSS's sql database, proven the same before the old files go. */
#include <cert.h>
#include <certdb.h>
#include <errno.h>
#include <fcntl.h>
#include <nss.h>
#include <pk11pub.h>
#include <secmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nssint.h"

static const char *const legacy_files[] = {"cert8.db", "key3.db", "secmod.db"};
static const char *const new_files[] = {"cert9.db", "key4.db", "pkcs11.txt"};
#define N_FILES 3

#define N_ITEMS (P11C_UPGRADE_MODULES + 1)

/* The progress step: reading the old database, keeping a copy of it,
 * converting it, reading the new one back (4 when done). */
#define UPGRADING "upgrading the database (steps)"

struct p11c_upgrade_report {
	size_t before[N_ITEMS], after[N_ITEMS]; /* by p11c_upgrade_item */
	char *backup_dir;                       /* where the legacy files are kept */
	p11c_upgrade_password_file password_file;
};

size_t p11c_upgrade_report_before(const p11c_upgrade_report *r, p11c_upgrade_item item)
{
	return r && (unsigned)item < N_ITEMS ? r->before[item] : 0;
}

size_t p11c_upgrade_report_after(const p11c_upgrade_report *r, p11c_upgrade_item item)
{
	return r && (unsigned)item < N_ITEMS ? r->after[item] : 0;
}

const char *p11c_upgrade_report_backup_dir(const p11c_upgrade_report *r)
{
	return r ? r->backup_dir : NULL;
}

p11c_upgrade_password_file p11c_upgrade_report_password_file(const p11c_upgrade_report *r)
{
	return r ? r->password_file : P11C_UPGRADE_PWFILE_UNCHANGED;
}

void p11c_upgrade_report_free(p11c_upgrade_report *r)
{
	if (!r)
		return;
	free(r->backup_dir);
	free(r);
}

/* What a database holds, as sorted lines that can be compared. */
typedef struct {
	char **certs; /* "alias|sha256|trust" */
	size_t n_certs;
	char **keys; /* "name|CKA_ID" */
	size_t n_keys;
	char **modules; /* "name|library" */
	size_t n_modules;
	size_t trusted;
} inventory;

static void lines_free(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static void inventory_free(inventory *v)
{
	lines_free(v->certs, v->n_certs);
	lines_free(v->keys, v->n_keys);
	lines_free(v->modules, v->n_modules);
	memset(v, 0, sizeof(*v));
}

static int push(char ***l, size_t *n, const char *a, const char *b, const char *c)
{
	size_t len = strlen(a) + strlen(b) + (c ? strlen(c) : 0) + 3;
	char *line = malloc(len), **g = P11C_VEC_RESERVE(*l, *n, 1);
	if (!line || !g) {
		free(line);
		return -1;
	}
	snprintf(line, len, "%s|%s%s%s", a, b, c ? "|" : "", c ? c : "");
	(*l)[(*n)++] = line;
	return 0;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void trust_text(CERTCertificate *cert, char *buf, size_t size, size_t *trusted)
{
	CERTCertTrust t;
	if (CERT_GetCertTrust(cert, &t) != SECSuccess) {
		snprintf(buf, size, "-");
		return;
	}
	snprintf(buf, size, "%x,%x,%x", t.sslFlags, t.emailFlags, t.objectSigningFlags);
	unsigned trust =
	    CERTDB_TRUSTED | CERTDB_TRUSTED_CA | CERTDB_TRUSTED_CLIENT_CA | CERTDB_TERMINAL_RECORD;
	if ((t.sslFlags | t.emailFlags | t.objectSigningFlags) & trust)
		(*trusted)++;
}

static int take_inventory(p11c_db *db, inventory *v)
{
	memset(v, 0, sizeof(*v));
	PK11SlotInfo *slot = p11c_db_slot(db);
	int rc = p11c_login(db, slot), bad = 0;
	CERTCertList *certs = rc ? NULL : PK11_ListCertsInSlot(slot);
	for (CERTCertListNode *n = certs ? CERT_LIST_HEAD(certs) : NULL;
	     certs && !CERT_LIST_END(n, certs); n = CERT_LIST_NEXT(n)) {
		unsigned char d[32];
		char trust[64];
		PK11_HashBuf(SEC_OID_SHA256, d, n->cert->derCert.data,
		             (PRInt32)n->cert->derCert.len);
		char *hex = p11c_hex(d, sizeof(d), 0);
		trust_text(n->cert, trust, sizeof(trust), &v->trusted);
		bad |= !hex || push(&v->certs, &v->n_certs,
		                    n->cert->nickname ? n->cert->nickname : "", hex, trust);
		free(hex);
	}
	if (certs)
		CERT_DestroyCertList(certs);
	SECKEYPrivateKeyList *keys = rc ? NULL : PK11_ListPrivKeysInSlot(slot, NULL, db);
	for (SECKEYPrivateKeyListNode *k = keys ? PRIVKEY_LIST_HEAD(keys) : NULL;
	     keys && !PRIVKEY_LIST_END(k, keys); k = PRIVKEY_LIST_NEXT(k)) {
		char *name = NULL, *hex = NULL;
		bad |= p11c_key_names(k->key, &name, &hex) < 0 ||
		       push(&v->keys, &v->n_keys, name, hex, NULL) < 0;
		free(hex);
		free(name);
	}
	if (keys)
		SECKEY_DestroyPrivateKeyList(keys);
	PK11_FreeSlot(slot);
	SECMODModuleList *ml = rc ? NULL : SECMOD_GetDefaultModuleList();
	SECMODListLock *lock = SECMOD_GetDefaultModuleListLock();
	SECMOD_GetReadLock(lock);
	for (; ml; ml = ml->next)
		if (!ml->module->internal)
			bad |= push(&v->modules, &v->n_modules,
			            ml->module->commonName ? ml->module->commonName : "",
			            ml->module->dllName ? ml->module->dllName : "", NULL);
	SECMOD_ReleaseReadLock(lock);
	if (rc == P11C_OK && bad)
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
	if (rc) {
		inventory_free(v);
		return rc;
	}
	/* (qsort takes no NULL, even for nothing) */
	if (v->n_certs)
		qsort(v->certs, v->n_certs, sizeof(char *), by_text);
	if (v->n_keys)
		qsort(v->keys, v->n_keys, sizeof(char *), by_text);
	if (v->n_modules)
		qsort(v->modules, v->n_modules, sizeof(char *), by_text);
	return P11C_OK;
}

/* Ask for the internal token's password once, when the password file has
 * none: the three opens of an upgrade use the answer.  *swapped: db->pwf
 * is ours now (the caller's is in *saved). */
static int password_once(p11c_db *db, p11c_pwfile **saved, int *swapped)
{
	PK11SlotInfo *slot = p11c_db_slot(db);
	int need = PK11_NeedLogin(slot) && !PK11_IsLoggedIn(slot, db);
	PK11_FreeSlot(slot);
	if (*swapped || !need || p11c_pwfile_lookup(db->pwf, P11C_NSS_INTERNAL_NAME, 1, NULL) ||
	    !db->prompt)
		return P11C_OK;
	char pw[P11C_PW_MAX + 1], line[P11C_PW_MAX + 64], err[128];
	if (db->prompt(P11C_NSS_INTERNAL_NAME, pw, sizeof(pw), db->prompt_arg) != 0)
		return P11C_OK; /* p11c_login says what is missing */
	int n = snprintf(line, sizeof(line), "%s:%s\n", P11C_NSS_INTERNAL_NAME, pw);
	p11c_pwfile *f = p11c_pwfile_parse(line, (size_t)n, err, sizeof(err));
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(line, sizeof(line));
	if (!f)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	*saved = db->pwf;
	db->pwf = f;
	*swapped = 1;
	return P11C_OK;
}

/* Open dir with prefix ("dbm:" or "sql:"), take its inventory, close. */
typedef struct {
	p11c_pwfile *saved; /* the caller's password file, while ours is in */
	int swapped;
} upgrade_ctx;

static int inventory_of(p11c_db *db, upgrade_ctx *u, const char *prefix, const char *dir,
                        int readonly, inventory *v, const inventory *add_modules)
{
	char config[4200];
	snprintf(config, sizeof(config), "%s%s", prefix, dir);
	PRUint32 flags = NSS_INIT_NOROOTINIT | (readonly ? NSS_INIT_READONLY : 0);
	/* NSS migrates a legacy database (and its secmod.db) only as its
	 * first database: not beside another handle or the program's NSS. */
	if (NSS_IsInitialized())
		return p11c_fail(db, P11C_EUSAGE,
		                 "cannot upgrade '%s' while NSS is in use in this process (another "
		                 "database handle, or the program's own NSS, is open)",
		                 dir);
	db->ctx = NSS_InitContext(config, "", "", "", NULL, flags);
	if (!db->ctx)
		return p11c_fail_nss(db, P11C_EFAIL, "cannot open '%s'", config);
	db->slot = PK11_GetInternalKeySlot();
	db->nss_first = 1;
	db->readonly = readonly;
	if (!(db->dir = strdup(dir))) {
		p11c_db_shutdown(db);
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	}
	int rc = password_once(db, &u->saved, &u->swapped);
	if (rc == P11C_OK)
		rc = take_inventory(db, v);
	else
		memset(v, 0, sizeof(*v));
	/* secmod.db's modules into pkcs11.txt, when NSS did not carry them */
	for (size_t i = 0; rc == P11C_OK && add_modules && i < add_modules->n_modules; i++) {
		int have = 0;
		for (size_t j = 0; j < v->n_modules; j++)
			have |= !strcmp(v->modules[j], add_modules->modules[i]);
		if (have)
			continue;
		char *line = strdup(add_modules->modules[i]);
		char *bar = line ? strchr(line, '|') : NULL;
		if (!bar) {
			free(line);
			rc = p11c_fail(db, P11C_EFAIL, "out of memory");
			break;
		}
		*bar = '\0';
		p11c_log(db, "registering module '%s' (%s) in pkcs11.txt", line, bar + 1);
		if (SECMOD_AddNewModule(line, bar + 1, 0, 0) != SECSuccess)
			rc = p11c_fail_nss(db, P11C_EFAIL, "cannot carry module '%s' over", line);
		free(line);
	}
	p11c_db_shutdown(db);
	if (rc)
		inventory_free(v);
	return rc;
}

/* The first line in which a and b differ, for the message. */
static const char *first_difference(char **a, size_t na, char **b, size_t nb)
{
	for (size_t i = 0; i < na || i < nb; i++) {
		if (i >= na)
			return b[i];
		if (i >= nb || strcmp(a[i], b[i]))
			return a[i];
	}
	return NULL;
}

static int compare(p11c_db *db, const inventory *a, const inventory *b)
{
	const char *d;
	if ((d = first_difference(a->certs, a->n_certs, b->certs, b->n_certs)))
		return p11c_fail(
		    db, P11C_EFAIL,
		    "the certificates differ after the upgrade (%zu before, %zu after; "
		    "first: %.200s)",
		    a->n_certs, b->n_certs, d);
	if ((d = first_difference(a->keys, a->n_keys, b->keys, b->n_keys)))
		return p11c_fail(db, P11C_EFAIL,
		                 "the keys differ after the upgrade (%zu before, %zu after; first: "
		                 "%.200s)",
		                 a->n_keys, b->n_keys, d);
	if ((d = first_difference(a->modules, a->n_modules, b->modules, b->n_modules)))
		return p11c_fail(db, P11C_EFAIL,
		                 "the modules differ after the upgrade (first: %.200s)", d);
	return P11C_OK;
}

static int exists_in(const char *dir, const char *name)
{
	char path[4200];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

/* Copy from/name to to/name (where it is not), with its mode, through
 * the atomic writer: a copy is there whole or not at all. */
static int copy_file(p11c_db *db, const char *from, const char *to, const char *name)
{
	char src[4200], dst[4200];
	snprintf(src, sizeof(src), "%s/%s", from, name);
	snprintf(dst, sizeof(dst), "%s/%s", to, name);
	struct stat st;
	p11c_output o;
	int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0 || fstat(in, &st) != 0) {
		if (in >= 0)
			close(in);
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot read '%s': %s", src,
		                   strerror(errno));
	}
	/* as the original: its mode whatever the umask, its owner when root */
	int rc = p11c_output_open_mode(db, dst, st.st_mode & 0666, 0, &o);
	if (rc) {
		close(in);
		return rc;
	}
	if (geteuid() == 0 && fchown(o.fd, st.st_uid, st.st_gid) != 0)
		o.failed = errno;
	char buf[65536];
	for (ssize_t r; !o.failed && (r = read(in, buf, sizeof(buf))) != 0;) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;
			p11c_output_close(db, &o, 0);
			close(in);
			return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot read '%s': %s", src,
			                   strerror(err));
		}
		p11c_output_write(&o, buf, (size_t)r);
	}
	close(in);
	return p11c_output_close(db, &o, 1);
}

/* A new file, and what sqlite keeps beside it (its write-ahead log). */
static void remove_new(const char *dir, const char *name)
{
	static const char *const tails[] = {"", "-wal", "-shm", "-journal"};
	char path[4300];
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s%s", dir, name, tails[i]);
		unlink(path);
	}
}

/* Put the directory back as it was: new files out, legacy files in; the
 * backup goes once nothing needs it.  0, or -1 when a file could not come
 * back (the backup then stays). */
static int restore(const char *dir, const char *backup)
{
	char path[4200];
	int bad = 0;
	for (int i = 0; i < N_FILES; i++) {
		remove_new(dir, new_files[i]);
		if (exists_in(backup, legacy_files[i]) && !exists_in(dir, legacy_files[i]))
			bad |= copy_file(NULL, backup, dir, legacy_files[i]) != P11C_OK;
	}
	if (bad)
		return -1;
	for (int i = 0; i < N_FILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", backup, legacy_files[i]);
		unlink(path);
	}
	rmdir(backup);
	return 0;
}

static int make_backup(p11c_db *db, const char *dir, char **out)
{
	char stamp[32], path[4200];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(path, sizeof(path), "%s/legacy-%s", dir, stamp);
	if (mkdir(path, 0700) != 0)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot make '%s': %s", path,
		                   strerror(errno));
	for (int i = 0; i < N_FILES; i++) {
		if (!exists_in(dir, legacy_files[i]))
			continue;
		int rc = copy_file(db, dir, path, legacy_files[i]);
		if (rc)
			return rc;
	}
	*out = strdup(path);
	return *out ? P11C_OK : p11c_fail(db, P11C_EFAIL, "out of memory");
}

/* msgcert's file names the internal token one way; NSS's tools read the
 * other: the same password under both names.  1 written, 0 nothing to
 * do, -1 failed (the p11c_upgrade_password_file values). */
static int complete_password_file(p11c_db *db, const char *path)
{
	const char *pw = p11c_pwfile_lookup(db->pwf, P11C_NSS_INTERNAL_NAME, 1, NULL);
	char *text = NULL, *fresh = NULL;
	size_t len = 0;
	if (!pw || p11c_secret_file_read(db, path, &text, &len) != P11C_OK)
		return pw ? -1 : 0;
	fresh = p11c_pwfile_replace(text, len, P11C_NSS_INTERNAL_NAME, 1, NULL, pw);
	int rc = 0;
	if (!fresh) {
		rc = -1;
	} else if (strcmp(fresh, text) != 0) {
		p11c_output o;
		rc = p11c_output_open(db, path, &o) == P11C_OK &&
		             p11c_output_write(&o, fresh, strlen(fresh)) == 0 &&
		             p11c_output_close(db, &o, 1) == P11C_OK
		         ? 1
		         : -1;
		if (o.fd >= 0)
			p11c_output_close(db, &o, 0);
	}
	if (fresh) {
		explicit_bzero(fresh, strlen(fresh));
		free(fresh);
	}
	explicit_bzero(text, len);
	free(text);
	return rc;
}

int p11c_db_upgrade(p11c_db *db, const char *dir, p11c_upgrade_report **out)
{
	P11C_ARGS(db, P11C_DB(db), P11C_CLOSED(db), P11C_NAME(dir), P11C_OUT(out));
	inventory before, during, after;
	upgrade_ctx u = {NULL, 0};
	p11c_upgrade_report *r = NULL;
	*out = NULL;
	memset(&before, 0, sizeof(before));
	memset(&during, 0, sizeof(during));
	memset(&after, 0, sizeof(after));
	if (db->ctx)
		return p11c_fail(db, P11C_EUSAGE, "a database is open already");
	if (strlen(dir) > 4000)
		return p11c_fail(db, P11C_EUSAGE, "directory name too long");
	int legacy = exists_in(dir, "cert8.db");
	for (int i = 0; i < N_FILES; i++)
		if (exists_in(dir, new_files[i]))
			return p11c_fail(db, P11C_EFAIL,
			                 legacy ? "'%s' already holds %s beside the legacy files: "
			                          "upgraded before? (move the legacy files away)"
			                        : "'%s' already holds %s: nothing to upgrade",
			                 dir, new_files[i]);
	if (!legacy)
		return p11c_fail(db, P11C_ENOTFOUND, "no legacy database (cert8.db) in '%s'", dir);
	if (!exists_in(dir, "key3.db"))
		return p11c_fail(db, P11C_EFAIL,
		                 "'%s' has cert8.db but no key3.db, and NSS opens neither without "
		                 "the other: put the old key3.db back beside it",
		                 dir);
	if (access(dir, W_OK) != 0)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot write '%s': %s", dir,
		                   strerror(errno));
	if (!(r = calloc(1, sizeof(*r))))
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	/* Four steps, each as long as the database is big; NSS's conversion
	 * is one call, so the steps are what a display can count. */
	p11c_progress(db, UPGRADING, 0, 4);
	int rc = inventory_of(db, &u, "dbm:", dir, 1, &before, NULL);
	if (rc)
		goto out;
	p11c_progress(db, UPGRADING, 1, 4);
	if ((rc = make_backup(db, dir, &r->backup_dir)))
		goto out;
	p11c_progress(db, UPGRADING, 2, 4);
	/* NSS migrates the legacy files when the sql database is opened for
	 * writing; the keys, when the token is logged in to. */
	if ((rc = inventory_of(db, &u, "sql:", dir, 0, &during, &before)))
		goto undo;
	for (int i = 0; i < N_FILES; i++) {
		char path[4200];
		snprintf(path, sizeof(path), "%s/%s", dir, legacy_files[i]);
		if (unlink(path) != 0 && errno != ENOENT) {
			rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot move '%s' away: %s",
			                 path, strerror(errno));
			goto undo;
		}
	}
	/* Read back with the legacy files gone: what the new files hold. */
	p11c_progress(db, UPGRADING, 3, 4);
	if ((rc = inventory_of(db, &u, "sql:", dir, 1, &after, NULL)))
		goto undo;
	if ((rc = compare(db, &before, &after)))
		goto undo;
	r->before[P11C_UPGRADE_CERTS] = before.n_certs;
	r->after[P11C_UPGRADE_CERTS] = after.n_certs;
	r->before[P11C_UPGRADE_KEYS] = before.n_keys;
	r->after[P11C_UPGRADE_KEYS] = after.n_keys;
	r->before[P11C_UPGRADE_TRUSTED] = before.trusted;
	r->after[P11C_UPGRADE_TRUSTED] = after.trusted;
	r->before[P11C_UPGRADE_MODULES] = before.n_modules;
	r->after[P11C_UPGRADE_MODULES] = after.n_modules;
	if (db->pwf_path && !u.swapped)
		r->password_file = complete_password_file(db, db->pwf_path);
	goto out;
undo:
	if (r->backup_dir && restore(dir, r->backup_dir) != 0) {
		char why[sizeof(db->err)];
		snprintf(why, sizeof(why), "%s", p11c_last_error(db));
		rc = p11c_fail_keep(db, rc,
		                    "%.600s; and the legacy files could not all come back: "
		                    "copy them from %.300s",
		                    why, r->backup_dir);
	} else if (!r->backup_dir)
		for (int i = 0; i < N_FILES; i++)
			remove_new(dir, new_files[i]);
out:
	p11c_progress(db, UPGRADING, 4, 4);
	if (u.swapped) {
		p11c_pwfile_free(db->pwf);
		db->pwf = u.saved;
	}
	inventory_free(&before);
	inventory_free(&during);
	inventory_free(&after);
	if (rc) {
		p11c_upgrade_report_free(r);
		return rc;
	}
	*out = r;
	return P11C_OK;
}
