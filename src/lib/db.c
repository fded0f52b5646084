/* SPDX-License-Identifier: MPL-2.0 */
/* The database handle: opening with NSS_InitContext, tokens, logging in. */
#include <errno.h>
#include <nss.h>
#include <prerror.h>
#include <pk11pub.h>
#include <pthread.h>
#include <secerr.h>
#include <secmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nssint.h"
#include "p11kit.h"
#include "uri.h"

int p11c_db_new(p11c_db **out)
{
	P11C_ARGS(NULL, P11C_OUT(out));
	*out = calloc(1, sizeof(**out));
	if (*out)
		(*out)->lock_fd = -1;
	return *out ? P11C_OK : P11C_EFAIL;
}

/* NSS's start and stop, and the user databases opened beside it, one
 * handle at a time: whether NSS is running decides how a database opens. */
static pthread_mutex_t nss_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned userdb_serial;
/* The slots of SECMOD_OpenUserDB that open handles hold (under nss_lock):
 * what one handle must not see of another. */
#define USERDB_MAX 256
static PK11SlotInfo *userdb_slots[USERDB_MAX];

/* NSS's first database is its internal key slot; a further one (another
 * handle's, or beside the application's own NSS) a slot of its own,
 * opened by SECMOD_OpenUserDB under a label no other token has, and
 * NSS_InitContext only holds NSS up for it. */
static int nss_open(p11c_db *db, const char *dir, int readonly)
{
	char config[4200];
	snprintf(config, sizeof(config), "sql:%s", dir);
	PRUint32 flags = NSS_INIT_NOROOTINIT | (readonly ? NSS_INIT_READONLY : 0);
	pthread_mutex_lock(&nss_lock);
	if (!NSS_IsInitialized()) {
		db->ctx = NSS_InitContext(config, "", "", "", NULL, flags);
		db->slot = db->ctx ? PK11_GetInternalKeySlot() : NULL;
		db->nss_first = db->slot != NULL;
		goto out;
	}
	db->ctx =
	    NSS_InitContext("", "", "", "", NULL, flags | NSS_INIT_NOCERTDB | NSS_INIT_NOMODDB);
	if (!db->ctx)
		goto out;
	/* configDir='sql:DIR', quotes and backslashes escaped. */
	char spec[2 * sizeof(config) + 160], *p = spec;
	p += sprintf(p, "configDir='");
	for (const char *c = config; *c; c++) {
		if (*c == '\\' || *c == '\'')
			*p++ = '\\';
		*p++ = *c;
	}
	sprintf(p, "' certPrefix='' keyPrefix='' tokenDescription='p11cert database %u'%s",
	        ++userdb_serial, readonly ? " flags=readOnly" : "");
	size_t at = 0;
	while (at < USERDB_MAX && userdb_slots[at])
		at++;
	db->slot = at < USERDB_MAX ? SECMOD_OpenUserDB(spec) : NULL;
	if (!db->slot && at == USERDB_MAX)
		PR_SetError(SEC_ERROR_NO_MEMORY, 0); /* that many databases open */
	if (!db->slot) {
		int err = PR_GetError();
		NSS_ShutdownContext(db->ctx);
		db->ctx = NULL;
		PR_SetError(err, 0);
		goto out;
	}
	/* NSS's own database already (its first): shared, not closed. */
	db->userdb = !PK11_IsInternalKeySlot(db->slot);
	if (db->userdb)
		userdb_slots[at] = db->slot;
out:
	pthread_mutex_unlock(&nss_lock);
	return db->ctx ? 0 : -1;
}

static void nss_close(p11c_db *db)
{
	pthread_mutex_lock(&nss_lock);
	if (db->slot) {
		for (size_t i = 0; i < USERDB_MAX && db->userdb; i++)
			if (userdb_slots[i] == db->slot)
				userdb_slots[i] = NULL;
		if (db->userdb)
			SECMOD_CloseUserDB(db->slot);
		else if (db->nss_first)
			PK11_Logout(db->slot); /* NSS may outlive this handle */
		/* else NSS's first database, reopened: the program's too */
		PK11_FreeSlot(db->slot);
		db->slot = NULL;
		db->userdb = 0;
		db->nss_first = 0;
	}
	NSS_ShutdownContext(db->ctx);
	db->ctx = NULL;
	pthread_mutex_unlock(&nss_lock);
}

void p11c_db_shutdown(p11c_db *db)
{
	p11c_pending_close(db);
	p11c_token_defects_free(db);
	p11c_scan_hold_trust(db, 0);
	p11c_modules_unload(db);
	if (db->ctx) {
		nss_close(db);
		/* A database made or migrated by this handle: WAL from now on. */
		if (!db->readonly && db->dir)
			p11c_db_use_wal(db, db->dir);
	}
	p11c_db_unlock(db);
	free(db->dir);
	db->dir = NULL;
}

void p11c_db_free(p11c_db *db)
{
	if (!db)
		return;
	p11c_db_shutdown(db);
	p11c_pwfile_free(db->pwf);
	free(db->pwf_path);
	free(db->module_path);
	free(db->module_name);
	free(db->used_label);
	p11c_secret_free(db->used_pin);
	explicit_bzero(db, sizeof(*db));
	free(db);
}

void p11c_db_set_password_prompt(p11c_db *db, p11c_password_fn fn, void *arg)
{
	if (!db)
		return;
	db->prompt = fn;
	db->prompt_arg = arg;
}

const char *p11c_db_dir(const p11c_db *db)
{
	return db ? db->dir : NULL;
}

static int file_in(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

/* NSS's own init, shared by open and generate. */
int p11c_nss_start(p11c_db *db, const char *dir, int readonly)
{
	if (strlen(dir) > 4096)
		return p11c_fail(db, P11C_EUSAGE, "directory name too long");
	int stuck, rc;
	if (!readonly && (rc = p11c_db_lock(db, dir)))
		return rc;
	rc = p11c_modules_probe(db); /* before NSS has threads of its own */
	if (rc) {
		p11c_modules_unload(db);
		p11c_db_unlock(db);
		return rc;
	}
	p11c_db_recover(db, dir, &db->recovered, &stuck);
	if (!readonly)
		p11c_db_use_wal(db, dir);
	nss_open(db, dir, readonly);
	if (!db->ctx) {
		p11c_modules_unload(db);
		p11c_db_unlock(db);
	}
	if (!db->ctx && stuck)
		return p11c_fail_nss(db, P11C_EFAIL,
		                     "cannot open database '%s': a write to it was interrupted and "
		                     "only its owner can roll it back (any write command does)",
		                     dir);
	if (!db->ctx)
		return p11c_fail_nss(db, P11C_EFAIL, "cannot open database '%s'", dir);
	db->dir = strdup(dir);
	db->readonly = readonly;
	rc = p11c_modules_load(db);
	if (rc)
		p11c_db_shutdown(db);
	/* Before anything is read: a dead writer's unfinished steps.  If they
	 * cannot be undone now (a token absent), the next write says so. */
	else if (!readonly && p11c_pending_recover(db) != P11C_OK)
		p11c_log(db, "%s", p11c_last_error(db));
	else if (readonly)
		p11c_pending_settle_password(db);
	return rc;
}

int p11c_db_open(p11c_db *db, const char *dir, unsigned flags)
{
	P11C_ARGS(db, P11C_DB(db), P11C_CLOSED(db), P11C_NAME(dir),
	          P11C_FLAGS(flags, P11C_OPEN_READONLY | P11C_OPEN_NO_P11KIT |
	                                P11C_OPEN_NO_DEFAULT_PASSWORD_FILE));
	struct stat st;
	if (db->ctx)
		return p11c_fail_c(db, P11C_EUSAGE, P11C_ERR_USAGE, "database '%s' is already open",
		                   db->dir);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return p11c_fail_field(db, P11C_ENOTFOUND, "database", "no database directory '%s'",
		                       dir);
	if (!file_in(dir, "cert9.db") || !file_in(dir, "key4.db")) {
		if (file_in(dir, "cert8.db"))
			return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_LEGACY,
			                   "'%s' holds a legacy database (cert8.db)", dir);
		return p11c_fail_field(db, P11C_ENOTFOUND, "database", "no database in '%s'", dir);
	}
	if (access(dir, R_OK | X_OK) != 0)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot read database '%s': %s",
		                   dir, strerror(errno));
	if (!(flags & P11C_OPEN_READONLY) && access(dir, W_OK) != 0)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot write database '%s': %s",
		                   dir, strerror(errno));
	/* The database's own password file, as every NSS server beside it
	 * reads it, when the caller gave none. */
	char pwpath[4200];
	snprintf(pwpath, sizeof(pwpath), "%s/sslpassword.conf", dir);
	if (!db->pwf_path && !(flags & P11C_OPEN_NO_DEFAULT_PASSWORD_FILE) &&
	    lstat(pwpath, &st) == 0) {
		int rc = p11c_db_set_password_file(db, pwpath);
		if (rc)
			return rc;
		p11c_log(db, "using the database's password file '%s'", pwpath);
	}
	db->no_p11kit = (flags & P11C_OPEN_NO_P11KIT) != 0;
	return p11c_nss_start(db, dir, flags & P11C_OPEN_READONLY);
}

int p11c_require_open(p11c_db *db, int write)
{
	if (!db)
		return P11C_EUSAGE;
	if (!db->ctx)
		return p11c_fail_c(db, P11C_EUSAGE, P11C_ERR_USAGE, "no database is open");
	if (write && db->readonly)
		return p11c_fail_c(db, P11C_EUSAGE, P11C_ERR_USAGE,
		                   "database '%s' is open read-only", db->dir);
	return P11C_OK;
}

/* An unknown token: the modules registered with p11-kit that the database
 * does not use are named, since the token may be theirs. */
static int not_found(p11c_db *db, const char *what, const char *token)
{
	char names[512] = "";
	size_t n = 0, len = 0;
	/* Read only now when the open found no module file naming programs. */
	if (!db->p11kit)
		p11c_p11kit_modules(&db->p11kit, &db->n_p11kit);
	for (size_t i = 0; i < db->n_p11kit && len < sizeof(names); i++) {
		const p11c_p11kit_module *m = &db->p11kit[i];
		if (m->trust_policy || p11c_module_loaded(m->path))
			continue;
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s'%s'", n++ ? ", " : "",
		                        m->name);
	}
	char msg[256];
	snprintf(msg, sizeof(msg), what, token);
	if (!n)
		return p11c_fail(db, P11C_ENOTFOUND, "%s", msg);
	return p11c_fail(db, P11C_ENOTFOUND,
	                 "%s (not loaded: module%s %s registered with p11-kit, used only when "
	                 "named for the run or when its module file says 'enable-in: %s')",
	                 msg, n > 1 ? "s" : "", names, program_invocation_short_name);
}

static int is_internal(const char *token)
{
	return !token || !*token || !strcmp(token, "internal") ||
	       !strcmp(token, P11C_INTERNAL_NAME) || !strcmp(token, P11C_NSS_INTERNAL_NAME);
}

int p11c_slot_for_token(p11c_db *db, const char *token, PK11SlotInfo **out)
{
	*out = NULL;
	if (is_internal(token)) {
		*out = p11c_db_slot(db);
		return *out ? P11C_OK : p11c_fail(db, P11C_EFAIL, "no database is open");
	}
	if (!strncmp(token, "pkcs11:", 7)) {
		PK11SlotList *list =
		    PK11_GetAllTokens(CKM_INVALID_MECHANISM, PR_FALSE, PR_FALSE, db);
		int bad = 0;
		for (PK11SlotListElement *le = list ? list->head : NULL; le && !*out;
		     le = le->next) {
			CK_TOKEN_INFO info;
			if (!p11c_slot_visible(db, le->slot) ||
			    PK11_GetTokenInfo(le->slot, &info) != SECSuccess)
				continue;
			int m = p11c_uri_match_token(token, &info);
			if (m < 0) {
				bad = 1;
				break;
			}
			if (m > 0)
				*out = PK11_ReferenceSlot(le->slot);
		}
		if (list)
			PK11_FreeSlotList(list);
		if (bad)
			return p11c_fail(db, P11C_EUSAGE, "invalid PKCS#11 URI '%s'", token);
		if (!*out && db->left_out)
			return p11c_fail(db, P11C_ENOTFOUND,
			                 "no token matches '%s' (module %s could not be loaded)",
			                 token, db->left_out);
		return *out ? P11C_OK : not_found(db, "no token matches '%s'", token);
	}
	*out = PK11_FindSlotByName(token);
	if (*out && !p11c_slot_visible(db, *out)) {
		/* Another handle's database, or the application's. */
		PK11_FreeSlot(*out);
		*out = NULL;
	} else if (*out && p11c_is_own_slot(db, *out))
		return P11C_OK;
	if (!*out && db->left_out)
		return p11c_fail(db, P11C_ENOTFOUND,
		                 "no token '%s' (module %s could not be loaded)", token,
		                 db->left_out);
	if (!*out)
		return not_found(db, "no token '%s'", token);
	if (!PK11_IsPresent(*out)) {
		PK11_FreeSlot(*out);
		*out = NULL;
		return p11c_fail(db, P11C_ENOTFOUND, "token '%s' is not present", token);
	}
	return P11C_OK;
}

char **p11c_token_labels(void)
{
	PK11SlotList *list = PK11_GetAllTokens(CKM_INVALID_MECHANISM, PR_FALSE, PR_FALSE, NULL);
	size_t n = 0;
	for (PK11SlotListElement *le = list ? list->head : NULL; le; le = le->next)
		n++;
	char **labels = calloc(n + 1, sizeof(*labels));
	size_t i = 0;
	for (PK11SlotListElement *le = list ? list->head : NULL; labels && le; le = le->next)
		labels[i++] = strdup(PK11_GetTokenName(le->slot));
	if (list)
		PK11_FreeSlotList(list);
	return labels;
}

int p11c_login(p11c_db *db, PK11SlotInfo *slot)
{
	char prompted[P11C_PW_MAX + 1];
	const char *label = PK11_GetTokenName(slot);
	const char *pw = NULL;
	int rc = P11C_OK;
	if (!PK11_NeedLogin(slot) || PK11_IsLoggedIn(slot, db))
		return P11C_OK;
	int own = p11c_is_own_slot(db, slot);
	if (own && PK11_NeedUserInit(slot))
		return P11C_OK;
	char **known = p11c_token_labels();
	pw = p11c_pwfile_lookup(db->pwf, label, own, (const char *const *)known);
	p11c_token_labels_free(known);
	if (!pw && db->prompt && db->prompt(label, prompted, sizeof(prompted), db->prompt_arg) == 0)
		pw = prompted;
	if (!pw) {
		if (db->pwf_path)
			rc = p11c_fail_c(db, P11C_EPASSWORD, P11C_ERR_NOPASSWORD,
			                 "password file '%s' has no password for token '%s'",
			                 db->pwf_path, label);
		else
			rc = p11c_fail_c(
			    db, P11C_EPASSWORD, P11C_ERR_NOPASSWORD,
			    "token '%s' needs a password and no password file was given", label);
		p11c_err_field(db, db->pwf_path ? "password-file" : "password");
		goto out;
	}
	/* One attempt only: a retry loop could lock a real card. */
	p11c_log(db, "logging in to token '%s'", label);
	if (PK11_CheckUserPassword(slot, pw) != SECSuccess) {
		int err = PR_GetError();
		if (err == SEC_ERROR_BAD_PASSWORD && !own)
			rc = p11c_fail_nss(db, P11C_EPASSWORD,
			                   "wrong PIN for token '%s' (CKR_PIN_INCORRECT)", label);
		else
			rc = p11c_fail_nss(
			    db, err == SEC_ERROR_BAD_PASSWORD ? P11C_EPASSWORD : P11C_ETOKEN,
			    "cannot log in to token '%s'", label);
		/* NSS maps only the token's CKR_PIN_INCORRECT to this, at login */
		if (err == SEC_ERROR_BAD_PASSWORD)
			db->err_ckr = CKR_PIN_INCORRECT;
	} else if (!own) {
		free(db->used_label);
		p11c_secret_free(db->used_pin);
		db->used_label = strdup(label);
		db->used_pin = strdup(pw);
	}
out:
	explicit_bzero(prompted, sizeof(prompted));
	return rc;
}

int p11c_login_tokens(p11c_db *db)
{
	int rc = p11c_login(db, db->slot);
	return rc ? rc : p11c_login_external(db);
}

int p11c_login_external(p11c_db *db)
{
	int rc = P11C_OK;
	/* External tokens: those the password file has a line for. */
	PK11SlotList *list = PK11_GetAllTokens(CKM_INVALID_MECHANISM, PR_FALSE, PR_FALSE, db);
	for (PK11SlotListElement *le = list ? list->head : NULL; le && !rc; le = le->next) {
		const char *label = PK11_GetTokenName(le->slot);
		if (PK11_IsInternal(le->slot) || !PK11_IsPresent(le->slot) ||
		    !p11c_pwfile_lookup(db->pwf, label, 0, NULL))
			continue;
		rc = p11c_login(db, le->slot);
	}
	if (list)
		PK11_FreeSlotList(list);
	return rc;
}

int p11c_token_label(p11c_db *db, const char *token, char **label)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(token), P11C_OUT(label));
	PK11SlotInfo *slot = NULL;
	*label = NULL;
	int rc = p11c_require_open(db, 0);
	if (rc || (rc = p11c_slot_for_token(db, token, &slot)))
		return rc;
	*label = strdup(p11c_is_own_slot(db, slot) ? "internal" : PK11_GetTokenName(slot));
	PK11_FreeSlot(slot);
	return *label ? P11C_OK : p11c_fail(db, P11C_EFAIL, "out of memory");
}

void p11c_token_labels_free(char **labels)
{
	for (size_t i = 0; labels && labels[i]; i++)
		free(labels[i]);
	free(labels);
}

int p11c_login_for_alias(p11c_db *db, const char *alias)
{
	const char *colon = alias ? strchr(alias, ':') : NULL;
	if (!colon)
		return P11C_OK;
	char *label = strndup(alias, (size_t)(colon - alias));
	if (!label)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	/* A token that hides its objects before login: log in (password file,
	 * else the prompt) so "TOKEN:alias" can be found. */
	PK11SlotInfo *slot = PK11_FindSlotByName(label);
	int rc = P11C_OK;
	if (slot && p11c_slot_visible(db, slot) && !p11c_is_own_slot(db, slot))
		rc = p11c_login(db, slot);
	if (slot)
		PK11_FreeSlot(slot);
	free(label);
	return rc;
}

/* ---- the handle's own database slot ---- */

PK11SlotInfo *p11c_db_slot(p11c_db *db)
{
	return db && db->slot ? PK11_ReferenceSlot(db->slot) : NULL;
}

int p11c_is_own_slot(const p11c_db *db, PK11SlotInfo *slot)
{
	return slot && db->slot && slot == db->slot;
}

int p11c_slot_visible(const p11c_db *db, PK11SlotInfo *slot)
{
	/* Not another handle's database, nor NSS's first one (the program's
	 * or another handle's) when this one is not it; external tokens, NSS's
	 * crypto slot and the softokn tokens of pkcs11.txt are shared. */
	if (!slot || p11c_is_own_slot(db, slot))
		return slot != NULL;
	if (!PK11_IsInternal(slot))
		return 1;
	if (PK11_IsInternalKeySlot(slot))
		return 0;
	int other = 0;
	pthread_mutex_lock(&nss_lock);
	for (size_t i = 0; i < USERDB_MAX && !other; i++)
		other = userdb_slots[i] == slot;
	pthread_mutex_unlock(&nss_lock);
	return !other;
}

int p11c_cert_visible(const p11c_db *db, CERTCertificate *cert)
{
	if (!cert)
		return 0;
	if (!cert->slot && !cert->isperm)
		return 1; /* a temporary certificate: no database's */
	if (cert->slot && p11c_slot_visible(db, cert->slot))
		return 1;
	PK11SlotList *list = PK11_GetAllSlotsForCert(cert, NULL);
	int seen = 0;
	for (PK11SlotListElement *le = list ? list->head : NULL; le && !seen; le = le->next)
		seen = p11c_slot_visible(db, le->slot);
	if (list)
		PK11_FreeSlotList(list);
	return seen;
}

int p11c_db_is_nss_internal(const p11c_db *db)
{
	return !db->slot || PK11_IsInternalKeySlot(db->slot);
}

const char *p11c_alias_of(const p11c_db *db, CERTCertificate *cert)
{
	const char *nick = cert ? cert->nickname : NULL;
	if (!nick || p11c_db_is_nss_internal(db))
		return nick;
	const char *label = PK11_GetTokenName(db->slot);
	size_t n = strlen(label);
	if (!strncmp(nick, label, n) && nick[n] == ':')
		return nick + n + 1;
	return nick;
}

char *p11c_nss_name(const p11c_db *db, const char *alias)
{
	const char *colon = strchr(alias, ':');
	if (colon) {
		char *token = strndup(alias, (size_t)(colon - alias));
		int own = token && is_internal(token);
		free(token);
		if (!own)
			return strdup(alias);
		alias = colon + 1; /* "internal:x" is the handle's own x */
	}
	if (p11c_db_is_nss_internal(db))
		return strdup(alias);
	const char *label = PK11_GetTokenName(db->slot);
	size_t n = strlen(label) + strlen(alias) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s:%s", label, alias);
	return s;
}

CERTCertList *p11c_list_certs(p11c_db *db)
{
	CERTCertList *list = PK11_ListCerts(PK11CertListUnique, db);
	for (CERTCertListNode *n = list ? CERT_LIST_HEAD(list) : NULL;
	     n && !CERT_LIST_END(n, list);) {
		CERTCertListNode *next = CERT_LIST_NEXT(n);
		if (!p11c_cert_visible(db, n->cert))
			CERT_RemoveCertListNode(n);
		n = next;
	}
	return list;
}
