/* SPDX-License-Identifier: MPL-2.0 */
/* init-token: C_InitToken and C_InitPIN through the module's own
 * function list.  NSS has no C_InitToken call, and a token that is not
 * initialised yet is no slot NSS will log in to, so the module is loaded
 * here with dlopen (after a try in a child, probe.c), used for this call
 * alone and finalised, before any handle loads it. */
#include <dlfcn.h>
#include <p11-kit/pkcs11.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "internal.h"
#include "p11kit.h"

#define PROBE_MS 10000

/* p11c_fail_ckr, the answer's name at the end: "... (CKR_PIN_INCORRECT)". */
static int fail_rv(p11c_db *db, int code, int errc, CK_RV rv, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fail_rv(p11c_db *db, int code, int errc, CK_RV rv, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return p11c_fail_ckr(db, code, errc, rv, "%s (%s)", msg, p11c_ckr_name(rv));
}

/* A label as PKCS#11 holds it: 32 bytes, blank-padded. */
static void pad_label(const char *label, CK_UTF8CHAR out[32])
{
	size_t n = strlen(label);
	memset(out, ' ', 32);
	memcpy(out, label, n > 32 ? 32 : n);
}

/* Which slot: the token labelled label, else the first one not
 * initialised.  0, or a failure (P11C_ENOTFOUND, P11C_ETOKEN). */
static int pick_slot(p11c_db *db, CK_FUNCTION_LIST_PTR f, const char *path, const char *label,
                     unsigned flags, CK_SLOT_ID *slot)
{
	CK_SLOT_ID ids[64];
	CK_ULONG n = sizeof(ids) / sizeof(ids[0]);
	CK_RV rv = f->C_GetSlotList(CK_TRUE, ids, &n);
	if (rv != CKR_OK)
		return fail_rv(db, P11C_ETOKEN, P11C_ERR_TOKEN, rv,
		               "cannot list the slots of module '%s'", path);
	CK_UTF8CHAR want[32];
	pad_label(label, want);
	int free_slot = -1;
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;
		if (f->C_GetTokenInfo(ids[i], &ti) != CKR_OK)
			continue;
		if (!(ti.flags & CKF_TOKEN_INITIALIZED)) {
			if (free_slot < 0)
				free_slot = (int)i;
			continue;
		}
		if (memcmp(ti.label, want, 32) != 0)
			continue;
		if (!(flags & P11C_TOKEN_INIT_FORCE))
			return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_EXISTS,
			                   "token '%s' is already initialised", label);
		*slot = ids[i];
		return P11C_OK;
	}
	if (free_slot < 0)
		return p11c_fail_c(db, P11C_ENOTFOUND, P11C_ERR_NOTFOUND,
		                   "module '%s' has no token labelled '%s' and none that is not "
		                   "initialised",
		                   path, label);
	*slot = ids[free_slot];
	return P11C_OK;
}

/* The user PIN, set by the security officer on a fresh token. */
static int init_pin(p11c_db *db, CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot, const char *label,
                    const char *so_pin, const char *pin)
{
	CK_SESSION_HANDLE s;
	CK_RV rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
	if (rv != CKR_OK)
		return fail_rv(db, P11C_ETOKEN, P11C_ERR_TOKEN, rv,
		               "token '%s' is initialised, but a session to set its PIN failed",
		               label);
	int rc = P11C_OK;
	rv = f->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin));
	if (rv == CKR_OK) {
		rv = f->C_InitPIN(s, (CK_UTF8CHAR_PTR)pin, strlen(pin));
		f->C_Logout(s);
	}
	if (rv != CKR_OK)
		rc = fail_rv(db, P11C_ETOKEN, P11C_ERR_TOKEN, rv,
		             "token '%s' is initialised, but its user PIN could not be set", label);
	f->C_CloseSession(s);
	return rc;
}

char *p11c_module_path_of(const char *name)
{
	if (strchr(name, '/'))
		return strdup(name);
	p11c_p11kit_module *m = NULL;
	size_t n = 0;
	char *path = NULL;
	p11c_p11kit_modules(&m, &n);
	for (size_t i = 0; i < n && !path; i++)
		if (m[i].name && m[i].path && !strcmp(m[i].name, name))
			path = strdup(m[i].path);
	p11c_p11kit_modules_free(m, n);
	return path;
}

static int init_module(p11c_db *db, const char *path, const char *label, const char *so_pin,
                       const char *pin, unsigned flags)
{
	char why[256];
	if (access(path, R_OK) != 0)
		return p11c_fail_c(db, P11C_ENOTFOUND, P11C_ERR_NOTFOUND, "no module '%s'", path);
	if (p11c_module_probe(path, PROBE_MS, why, sizeof(why)) != 0)
		return p11c_fail_c(db, P11C_ETOKEN, P11C_ERR_TOKEN, "cannot use module '%s': %s",
		                   path, why);
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return p11c_fail_c(db, P11C_ENOTFOUND, P11C_ERR_NOTFOUND,
		                   "cannot load module '%s': %s", path, dlerror());
	int rc;
	CK_FUNCTION_LIST_PTR f = NULL;
	CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList");
	CK_RV rv = get ? get(&f) : CKR_FUNCTION_NOT_SUPPORTED;
	if (rv != CKR_OK || !f) {
		rc = fail_rv(db, P11C_ETOKEN, P11C_ERR_TOKEN, rv,
		             "module '%s' gives no function list", path);
		goto out_close;
	}
	CK_C_INITIALIZE_ARGS ia = {.flags = CKF_OS_LOCKING_OK};
	if ((rv = f->C_Initialize(&ia)) != CKR_OK) {
		rc = fail_rv(db, P11C_ETOKEN, P11C_ERR_TOKEN, rv,
		             "module '%s' cannot be initialised", path);
		goto out_close;
	}
	CK_SLOT_ID slot = 0;
	if ((rc = pick_slot(db, f, path, label, flags, &slot)))
		goto out;
	CK_UTF8CHAR padded[32];
	pad_label(label, padded);
	rv = f->C_InitToken(slot, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin), padded);
	if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED)
		rc = fail_rv(db, P11C_EPASSWORD, P11C_ERR_PASSWORD, rv,
		             "wrong security officer PIN for token '%s'", label);
	else if (rv != CKR_OK)
		rc = fail_rv(db, P11C_ETOKEN, P11C_ERR_TOKEN, rv,
		             "module '%s' refused to initialise token '%s'", path, label);
	else
		rc = init_pin(db, f, slot, label, so_pin, pin);
out:
	f->C_Finalize(NULL);
out_close:
	dlclose(lib);
	return rc;
}

int p11c_token_init(p11c_db *db, const char *path, const char *label, const char *so_pin,
                    const char *pin, unsigned flags)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(path), P11C_NAME(label), P11C_NAME(so_pin),
	          P11C_NAME(pin), P11C_FLAGS(flags, P11C_TOKEN_INIT_FORCE));
	if (strlen(label) > 32)
		return p11c_fail_cf(db, P11C_EUSAGE, P11C_ERR_INPUT, "label",
		                    "token label '%s' is longer than 32 bytes", label);
	char *file = p11c_module_path_of(path);
	if (!file)
		return p11c_fail_c(db, P11C_ENOTFOUND, P11C_ERR_NOTFOUND,
		                   "no module '%s' (neither a path nor a p11-kit module's name)",
		                   path);
	int rc = init_module(db, file, label, so_pin, pin, flags);
	free(file);
	return rc;
}
