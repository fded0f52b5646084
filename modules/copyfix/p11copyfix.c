/* SPDX-License-Identifier: MPL-2.0 */
/* p11copyfix: a PKCS#11 module that stands in for SoftHSM 2.6.1 (or another
 * module) and mends its one defect that stops NSS servers.  NSS's server
 * code (SSL_ConfigServerCert) copies an RSA private key with C_CopyObject
 * and an empty template (pTemplate NULL, ulCount 0), which PKCS#11 allows;
 * SoftHSM 2.6.1 checks pTemplate before ulCount and answers
 * CKR_ARGUMENTS_BAD, so selfserv and every NSS server stop at start
 * (-8173).  Here such a call reaches the real module with a pointer to an
 * unused attribute and the count still 0: SoftHSM then copies every
 * attribute and applies none.  Every other call goes to the real module
 * untouched (its own functions, from a copy of its function list).
 *
 * Environment (read once, at the first C_GetFunctionList):
 *   P11COPYFIX_MODULE  the real module (default P11COPYFIX_DEFAULT_MODULE,
 *                      /usr/lib/softhsm/libsofthsm2.so)
 *
 * Installed as LIBDIR/p11cert/p11copyfix.so; register it in place of the
 * real module, not beside it (one module, two entries, would be
 * initialised twice): p11cert add-module softhsm LIBDIR/p11cert/p11copyfix.so.
 * It includes p11-kit's pkcs11.h, no NSS header. */
#include <dlfcn.h>
#define CRYPTOKI_GNU 1 /* p11-kit's own names: ck_rv_t, struct ck_info ... */
#include <p11-kit/pkcs11.h>
#include <pthread.h>
#include <stdlib.h>

#ifndef P11COPYFIX_DEFAULT_MODULE
#define P11COPYFIX_DEFAULT_MODULE "/usr/lib/softhsm/libsofthsm2.so"
#endif

static struct ck_function_list *real; /* the real module's own list */
static struct ck_function_list table; /* ours: real's functions, two replaced */
static void *real_lib;
static ck_rv_t load_rv = CKR_GENERAL_ERROR;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static ck_rv_t fix_C_GetFunctionList(struct ck_function_list **list);

/* An empty template as the real module wants it: a pointer it never reads. */
static ck_rv_t fix_C_CopyObject(ck_session_handle_t session, ck_object_handle_t object,
                                struct ck_attribute *templ, unsigned long count,
                                ck_object_handle_t *new_object)
{
	static struct ck_attribute unused;
	if (count == 0 && !templ)
		templ = &unused;
	return real->C_CopyObject(session, object, templ, count, new_object);
}

static void load_real(void)
{
	const char *path = getenv("P11COPYFIX_MODULE");
	if (!path || !*path)
		path = P11COPYFIX_DEFAULT_MODULE;
	real_lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!real_lib)
		return;
	CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(real_lib, "C_GetFunctionList");
	if (!get || get(&real) != CKR_OK || !real || !real->C_CopyObject) {
		real = NULL;
		dlclose(real_lib);
		real_lib = NULL;
		return;
	}
	/* A 3.0 module's C_GetFunctionList list has the 2.x layout; this
	 * module offers no C_GetInterface, so callers see a 2.40 one. */
	table = *real;
	if (table.version.major > 2) {
		table.version.major = 2;
		table.version.minor = 40;
	}
	table.C_GetFunctionList = fix_C_GetFunctionList;
	table.C_CopyObject = fix_C_CopyObject;
	load_rv = CKR_OK;
}

static ck_rv_t fix_C_GetFunctionList(struct ck_function_list **list)
{
	pthread_once(&once, load_real);
	if (load_rv != CKR_OK)
		return load_rv;
	if (!list)
		return CKR_ARGUMENTS_BAD;
	*list = &table;
	return CKR_OK;
}

__attribute__((visibility("default"))) ck_rv_t C_GetFunctionList(struct ck_function_list **list)
{
	return fix_C_GetFunctionList(list);
}

/* Unloaded (after the caller's C_Finalize): the real module goes too. */
__attribute__((destructor)) static void unload_real(void)
{
	if (real_lib)
		dlclose(real_lib);
}
