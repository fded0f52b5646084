/* SPDX-License-Identifier: MPL-2.0 */
/* PKCS#11 modules: those of the database (NSS loads them), those registered
 * with p11-kit, --module for one run; add-module and remove-module. */
#include <errno.h>
#include <pk11pub.h>
#include <prerror.h>
#include <secmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nssint.h"
#include "p11kit.h"

/* NSS module spec "name=... library=...", values quoted and escaped. */
static char *module_spec(const char *name, const char *path)
{
	size_t n = 32 + 2 * (strlen(name) + strlen(path));
	char *spec = malloc(n), *p = spec;
	if (!spec)
		return NULL;
	const char *parts[2][2] = {{"name=\"", name}, {"\" library=\"", path}};
	for (int i = 0; i < 2; i++) {
		p += sprintf(p, "%s", parts[i][0]);
		for (const char *s = parts[i][1]; *s; s++) {
			if (*s == '"' || *s == '\\')
				*p++ = '\\';
			*p++ = *s;
		}
	}
	strcpy(p, "\"");
	return spec;
}

/* Whether two library paths name one file (one is often a symlink). */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (!strcmp(a, b))
		return 1;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

int p11c_module_loaded(const char *path)
{
	int found = 0;
	SECMODListLock *lock = SECMOD_GetDefaultModuleListLock();
	SECMOD_GetReadLock(lock);
	for (SECMODModuleList *l = SECMOD_GetDefaultModuleList(); l && !found; l = l->next)
		found = l->module->dllName && same_file(l->module->dllName, path);
	SECMOD_ReleaseReadLock(lock);
	return found;
}

static int name_taken(const char *name)
{
	SECMODModule *m = SECMOD_FindModule(name);
	if (m)
		SECMOD_DestroyModule(m);
	return m != NULL;
}

static int remember(p11c_db *db, SECMODModule *mod, int from)
{
	if (!P11C_VEC_RESERVE(db->modules, db->n_modules, 1) ||
	    !P11C_VEC_RESERVE(db->module_from, db->n_modules, 1))
		return -1;
	db->module_from[db->n_modules] = from;
	db->modules[db->n_modules++] = mod;
	return 0;
}

int p11c_module_from(const p11c_db *db, const SECMODModule *mod)
{
	if (!mod || mod->internal)
		return P11C_FROM_NSS;
	for (size_t i = 0; i < db->n_modules; i++)
		if (db->modules[i] == mod)
			return db->module_from[i];
	return P11C_FROM_DATABASE;
}

const char *p11c_module_origin(const p11c_db *db, const SECMODModule *mod)
{
	switch (p11c_module_from(db, mod)) {
	case P11C_FROM_NSS:
		return "NSS's internal module";
	case P11C_FROM_RUN:
		return "given for this run";
	case P11C_FROM_P11KIT:
		return "registered with p11-kit, whose module file enables it for this program";
	default:
		return "registered in the database (pkcs11.txt)";
	}
}

void p11c_slot_where(const p11c_db *db, PK11SlotInfo *slot, char *buf, size_t n)
{
	SECMODModule *mod = slot ? PK11_GetModule(slot) : NULL;
	if (!slot || PK11_IsInternal(slot) || !mod)
		snprintf(buf, n, "in the database");
	else
		snprintf(buf, n, "on token '%s' of module '%s' (%s)", PK11_GetTokenName(slot),
		         mod->commonName ? mod->commonName : "?", p11c_module_origin(db, mod));
}

/* Load one module into NSS for this run. */
static int load_module(p11c_db *db, const char *name, const char *path, int from)
{
	char *spec = module_spec(name, path);
	if (!spec)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	SECMODModule *mod = SECMOD_LoadUserModule(spec, NULL, PR_FALSE);
	free(spec);
	if (!mod || !mod->loaded) {
		if (mod)
			SECMOD_DestroyModule(mod);
		return p11c_fail_nss(db, P11C_EFAIL, "cannot load '%s' as a PKCS#11 module", path);
	}
	if (remember(db, mod, from) < 0) {
		SECMOD_UnloadUserModule(mod);
		SECMOD_DestroyModule(mod);
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	}
	p11c_log(db, "loaded module '%s' (%s)", name, path);
	return P11C_OK;
}

/* How long a module may take to start in the probe. */
#define PROBE_MS 10000

/* Remember a module left out, for the "no token" messages. */
static void left_out(p11c_db *db, const char *name, const char *path, const char *why)
{
	p11c_warn(db, "module '%s' (%s) could not be loaded: %s; its tokens are left out", name,
	          path, why);
	size_t n = (db->left_out ? strlen(db->left_out) + 2 : 0) + strlen(name) + strlen(path) + 6;
	char *s = malloc(n);
	if (!s)
		return;
	snprintf(s, n, "%s%s'%s' (%s)", db->left_out ? db->left_out : "", db->left_out ? ", " : "",
	         name, path);
	free(db->left_out);
	db->left_out = s;
}

/* Whether a p11-kit module is one this database uses by default: its
 * module file's enable-in names this program (p11-kit's own scoping). */
static int p11kit_wanted(const p11c_db *db, const p11c_p11kit_module *m)
{
	return !db->no_p11kit && m->enabled && !m->trust_policy;
}

/* The module given for this run by a p11-kit name ("softhsm2"), not a
 * path: the registered module's library, loaded under that name. */
static int module_by_name(p11c_db *db)
{
	for (size_t i = 0; i < db->n_p11kit; i++) {
		p11c_p11kit_module *m = &db->p11kit[i];
		if (strcmp(m->name, db->module_path))
			continue;
		char *path = strdup(m->path);
		if (!path || !(db->module_name = strdup(m->name))) {
			free(path);
			return p11c_fail(db, P11C_EFAIL, "out of memory");
		}
		free(db->module_path);
		db->module_path = path;
		return P11C_OK;
	}
	return p11c_fail(db, P11C_ENOTFOUND,
	                 "no module '%s': neither a file nor a module registered with p11-kit "
	                 "(see 'p11-kit list-modules')",
	                 db->module_path);
}

int p11c_modules_probe(p11c_db *db)
{
	char why[256];
	int rc;
	int by_name = db->module_path && !strchr(db->module_path, '/') && !db->module_name;
	if (!db->p11kit && ((!db->no_p11kit && p11c_p11kit_may_enable()) || by_name))
		p11c_p11kit_modules(&db->p11kit, &db->n_p11kit);
	if (by_name && (rc = module_by_name(db)))
		return rc;
	if (db->module_path) {
		struct stat st;
		if (stat(db->module_path, &st) != 0)
			return p11c_fail(db, P11C_ENOTFOUND, "no module '%s': %s", db->module_path,
			                 strerror(errno));
		if (p11c_module_probe(db->module_path, PROBE_MS, why, sizeof(why)) != 0) {
			unsigned long ckr = p11c_ckr_in_text(why);
			return p11c_fail_ckr(db, P11C_EFAIL, ckr ? P11C_ERR_TOKEN : P11C_ERR_OTHER, ckr,
			                     "cannot load '%s' as a PKCS#11 module: %s",
			                     db->module_path, why);
		}
	}
	/* A module registered with p11-kit that exits, crashes or hangs when
	 * it starts would take every command down: each is tried first. */
	for (size_t i = 0; i < db->n_p11kit; i++) {
		p11c_p11kit_module *m = &db->p11kit[i];
		if (!p11kit_wanted(db, m) ||
		    (db->module_path && same_file(m->path, db->module_path)))
			continue;
		m->bad = p11c_module_probe(m->path, PROBE_MS, m->why, sizeof(m->why)) != 0;
	}
	return P11C_OK;
}

/* The database's modules (pkcs11.txt) that NSS could not start: NSS
 * drops them without a word; tried again in a child for the reason. */
static void db_modules_check(p11c_db *db)
{
	char path[4200], *text, *lib = NULL;
	unsigned char *buf = NULL;
	size_t size = 0;
	snprintf(path, sizeof(path), "%s/pkcs11.txt", db->dir);
	/* no handle: a file that cannot be read is no failure of the open */
	if (p11c_file_read(NULL, path, &buf, &size) != P11C_OK)
		return;
	text = (char *)buf;
	for (char *line = text, *next; line < text + size; line = next) {
		next = memchr(line, '\n', (size_t)(text + size - line));
		if (next)
			*next++ = '\0';
		else
			next = text + size;
		size_t len = strlen(line);
		while (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (!strncmp(line, "library=", 8)) {
			free(lib);
			lib = line[8] ? strdup(line + 8) : NULL;
		} else if (!strncmp(line, "name=", 5) && lib) {
			char why[256];
			/* A further database's pkcs11.txt is not NSS's to read:
			 * its modules load for this handle. */
			if (!p11c_db_is_nss_internal(db) && !p11c_module_loaded(lib) &&
			    p11c_module_probe(lib, PROBE_MS, why, sizeof(why)) == 0 &&
			    load_module(db, line + 5, lib, P11C_FROM_DATABASE) != P11C_OK) {
				p11c_log(db, "skipped module '%s': %s", line + 5, db->err);
				db->err[0] = '\0';
			}
			if (!p11c_module_loaded(lib) &&
			    p11c_module_probe(lib, PROBE_MS, why, sizeof(why)) != 0)
				left_out(db, line + 5, lib, why);
			else if (!p11c_module_loaded(lib))
				left_out(db, line + 5, lib, "NSS could not start it");
			free(lib);
			lib = NULL;
		}
	}
	free(lib);
	free(text);
}

int p11c_modules_load(p11c_db *db)
{
	int rc = P11C_OK;
	db_modules_check(db);
	if (db->module_path) {
		/* Named after its file: "p11-kit-client" for p11-kit-client.so. */
		const char *base = strrchr(db->module_path, '/');
		char name[256];
		snprintf(name, sizeof(name), "%s", base ? base + 1 : db->module_path);
		char *dot = strstr(name, ".so");
		if (dot && dot != name)
			*dot = '\0';
		if (!p11c_module_loaded(db->module_path) &&
		    (rc = load_module(db, db->module_name ? db->module_name : name, db->module_path,
		                      P11C_FROM_RUN)))
			return rc;
	}
	for (size_t i = 0; i < db->n_p11kit; i++) {
		p11c_p11kit_module *m = &db->p11kit[i];
		if (!p11kit_wanted(db, m)) {
			p11c_log(db, "not loading p11-kit module '%s': %s", m->name,
			         db->no_p11kit ? "p11-kit's modules are left out"
			         : m->trust_policy
			             ? "a trust-policy module"
			             : "its module file's enable-in does not name this "
			               "program");
			continue;
		}
		if (p11c_module_loaded(m->path))
			continue;
		if (m->bad) {
			left_out(db, m->name, m->path, m->why);
			continue;
		}
		char name[256];
		snprintf(name, sizeof(name), "%s%s", name_taken(m->name) ? "p11-kit-" : "",
		         m->name);
		/* A registered module that does not load is not ours to fail on. */
		if (load_module(db, name, m->path, P11C_FROM_P11KIT) != P11C_OK)
			p11c_log(db, "skipped p11-kit module '%s': %s", m->name, db->err);
		db->err[0] = '\0';
		db->err_code = P11C_ERR_NONE;
	}
	return P11C_OK;
}

void p11c_modules_unload(p11c_db *db)
{
	for (size_t i = db->n_modules; i > 0; i--) {
		SECMOD_UnloadUserModule(db->modules[i - 1]);
		SECMOD_DestroyModule(db->modules[i - 1]);
	}
	free(db->modules);
	free(db->module_from);
	db->modules = NULL;
	db->module_from = NULL;
	db->n_modules = 0;
	p11c_p11kit_modules_free(db->p11kit, db->n_p11kit);
	db->p11kit = NULL;
	db->n_p11kit = 0;
	free(db->left_out);
	db->left_out = NULL;
}

int p11c_db_set_module(p11c_db *db, const char *path)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OPTNAME(path));
	free(db->module_path);
	free(db->module_name);
	db->module_name = NULL;
	db->module_path = path ? strdup(path) : NULL;
	return !path || db->module_path ? P11C_OK : p11c_fail(db, P11C_EFAIL, "out of memory");
}

/* pkcs11.txt is NSS's module database: that of its first database only. */
static int own_module_db(p11c_db *db)
{
	if (p11c_db_is_nss_internal(db))
		return P11C_OK;
	return p11c_fail(db, P11C_EUSAGE,
	                 "cannot change the modules of database '%s' while another NSS "
	                 "database is open in this process (NSS keeps one module database)",
	                 db->dir);
}

int p11c_module_add(p11c_db *db, const char *name, const char *path)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(name), P11C_NAME(path));
	int rc = p11c_require_open(db, 1);
	if (rc || (rc = own_module_db(db)))
		return rc;
	if (!name || !*name || !path || !*path)
		return p11c_fail(db, P11C_EUSAGE, "a module NAME and PATH are needed");
	if (access(path, R_OK) != 0)
		return p11c_fail(db, P11C_ENOTFOUND, "no module '%s': %s", path, strerror(errno));
	/* Loaded for this run already (p11-kit, --module), by this library or
	 * under this name: that copy goes first (a second C_Initialize of one
	 * library fails, and the name is the database's to give). */
	for (size_t i = db->n_modules; i > 0; i--) {
		SECMODModule *m = db->modules[i - 1];
		if (!(m->dllName && same_file(m->dllName, path)) &&
		    !(m->commonName && !strcmp(m->commonName, name)))
			continue;
		p11c_log(db, "unloading '%s', loaded for this run, to add it", m->commonName);
		SECMOD_UnloadUserModule(m);
		SECMOD_DestroyModule(m);
		db->module_from[i - 1] = db->module_from[db->n_modules - 1];
		db->modules[i - 1] = db->modules[--db->n_modules];
	}
	SECMODModule *old = SECMOD_FindModule(name);
	if (old) {
		SECMOD_DestroyModule(old);
		return p11c_fail(db, P11C_EFAIL, "a module named '%s' is already in the database",
		                 name);
	}
	/* As modutil -add: NSS loads it, and writes it to pkcs11.txt. */
	if (SECMOD_AddNewModule(name, path, 0, 0) != SECSuccess)
		return p11c_fail_nss(db, P11C_EFAIL, "cannot add module '%s' (%s)", name, path);
	p11c_log(db, "added module '%s' (%s) to the database", name, path);
	return P11C_OK;
}

int p11c_module_remove(p11c_db *db, const char *name)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(name));
	int rc = p11c_require_open(db, 1), type = 0;
	if (rc || (rc = own_module_db(db)))
		return rc;
	if (!name || !*name)
		return p11c_fail(db, P11C_EUSAGE, "a module NAME is needed");
	SECMODModule *mod = SECMOD_FindModule(name);
	if (!mod)
		return p11c_fail(db, P11C_ENOTFOUND, "no module '%s'", name);
	int internal = mod->internal;
	int ours = 0;
	for (size_t i = 0; i < db->n_modules; i++)
		ours |= db->modules[i] == mod;
	SECMOD_DestroyModule(mod);
	if (internal)
		return p11c_fail(db, P11C_EUSAGE, "'%s' is NSS's internal module", name);
	if (ours)
		return p11c_fail(db, P11C_ENOTFOUND,
		                 "module '%s' is not registered in the database (p11-kit's "
		                 "configuration or this run loaded it)",
		                 name);
	if (SECMOD_DeleteModule(name, &type) != SECSuccess)
		return p11c_fail_nss(db, P11C_EFAIL, "cannot remove module '%s'", name);
	return P11C_OK;
}
