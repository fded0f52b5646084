/* SPDX-License-Identifier: MPL-2.0 */
/* The modules registered with p11-kit, read with p11-kit's own API in a
 * file of their own (p11-kit's PKCS#11 headers clash with NSS's). */
#ifndef P11C_P11KIT_H
#define P11C_P11KIT_H

#include <stddef.h>

#pragma GCC visibility push(hidden)

typedef struct p11c_p11kit_module {
	char *name;
	char *path;
	int trust_policy; /* a trust store (p11-kit-trust), not a key token */
	int enabled;      /* its file's enable-in names this program */
	int bad;          /* failed p11c_module_probe(), for why */
	char why[256];
} p11c_p11kit_module;

/* Whether any of p11-kit's module files (package, system and user
 * directories) says enable-in: only then can a registered module be one
 * the database uses by default (p11c_p11kit_modules would dlopen every
 * registered module, some of which start threads, only to find none).  A
 * cheap filter before p11-kit's own reading, erring towards loading. */
int p11c_p11kit_may_enable(void);

/* The registered modules, loaded by p11-kit but not initialised. */
void p11c_p11kit_modules(p11c_p11kit_module **out, size_t *n);
void p11c_p11kit_modules_free(p11c_p11kit_module *m, size_t n);

/* probe.c: load the module at path in a child process and call
 * C_GetFunctionList, C_Initialize, C_GetSlotList and C_Finalize, waiting
 * at most timeout_ms.  0 when all went well, else -1 and why ("it exited
 * with status 5 in C_Initialize", "C_Initialize returned ..."). */
int p11c_module_probe(const char *path, int timeout_ms, char *why, size_t n);

/* tokeninit.c: a module named as --module names one: a path, or (no '/')
 * the name of a module registered with p11-kit ("softhsm2").  malloc'd,
 * NULL if none. */
char *p11c_module_path_of(const char *name);

/* error.c: the name of a CKR_* value, NULL if not known. */
const char *p11c_ckr_name(unsigned long ckr);

#pragma GCC visibility pop

#endif
