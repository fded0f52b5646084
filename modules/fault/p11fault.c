/* SPDX-License-Identifier: MPL-2.0 */
/* p11fault: a PKCS#11 module for tests that forwards every call to a real
 * module and fails the one asked for.  Never installed; built for the tests
 * (tests/cli/faults.sh, modules.sh, upgrade.sh), whose meson environment
 * names it in P11FAULT_SO.  It includes p11-kit's pkcs11.h, no NSS header.
 *
 * Environment (read at C_GetFunctionList and C_Initialize):
 *   P11FAULT_MODULE  the real module (default /usr/lib/softhsm/libsofthsm2.so)
 *   P11FAULT_FUNC    the function whose call fails (C_Sign ...), or "any"
 *                    (the default): then N counts every call of every function
 *   P11FAULT_NTH     N: the Nth such call (from 1) fails; unset or 0: none
 *   P11FAULT_RV      what it returns: CKR_DEVICE_ERROR (default),
 *                    CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT,
 *                    CKR_SESSION_HANDLE_INVALID, CKR_FUNCTION_FAILED, other
 *                    CKR_* names of the table below, or a number (0x30)
 *   P11FAULT_WHEN    "before" (default: the call is not made) or "after" (the
 *                    real module does the work, the caller hears it failed);
 *                    a final or single-part call (C_FindObjectsFinal,
 *                    C_Sign, C_DigestFinal ...) is always made, as a failed
 *                    one ends its operation in PKCS#11
 *   P11FAULT_STICKY  1: every call from the Nth on fails (a token pulled out)
 *   P11FAULT_INIT    what C_Initialize does instead of its work: "exit:CODE"
 *                    (the process exits, as SoftHSM2 does on a corrupted
 *                    token), "abort", "sleep:SECONDS" (then CKR_DEVICE_ERROR),
 *                    or a CKR_* name returned
 *   P11FAULT_COUNTS  a file that gets the calls made, one "C_Name COUNT" a
 *                    line and "total COUNT", at C_Finalize and at exit
 *   P11FAULT_LOG     a file that gets one line a fault: "C_Name call N -> RV"
 *   P11FAULT_TRACE   1: P11FAULT_LOG also gets every call, "N C_Name"
 *   P11FAULT_KEEP_SEARCH  1: a failed C_FindObjects leaves its search active
 *                    (by default the search is ended: see f_C_FindObjects)
 * Counts are per process, and kept across C_Finalize and reloads (linked
 * with -z nodelete), so N counts from the first call of the process. */
#include <dlfcn.h>
#define CRYPTOKI_GNU 1 /* p11-kit's own names: ck_rv_t, struct ck_info ... */
#include <p11-kit/pkcs11.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_MODULE "/usr/lib/softhsm/libsofthsm2.so"

/* Every function of the version 2.40 list but the four written by hand:
 * name, parameters, arguments. */
#define FORWARDED(X)                                                                               \
	X(C_GetInfo, (struct ck_info * info), (info))                                              \
	X(C_GetSlotList,                                                                           \
	  (unsigned char token_present, ck_slot_id_t *slot_list, unsigned long *count),            \
	  (token_present, slot_list, count))                                                       \
	X(C_GetSlotInfo, (ck_slot_id_t slot_id, struct ck_slot_info * info), (slot_id, info))      \
	X(C_GetTokenInfo, (ck_slot_id_t slot_id, struct ck_token_info * info), (slot_id, info))    \
	X(C_GetMechanismList,                                                                      \
	  (ck_slot_id_t slot_id, ck_mechanism_type_t * mechanism_list, unsigned long *count),      \
	  (slot_id, mechanism_list, count))                                                        \
	X(C_GetMechanismInfo,                                                                      \
	  (ck_slot_id_t slot_id, ck_mechanism_type_t type, struct ck_mechanism_info * info),       \
	  (slot_id, type, info))                                                                   \
	X(C_InitToken,                                                                             \
	  (ck_slot_id_t slot_id, unsigned char *pin, unsigned long pin_len, unsigned char *label), \
	  (slot_id, pin, pin_len, label))                                                          \
	X(C_InitPIN, (ck_session_handle_t session, unsigned char *pin, unsigned long pin_len),     \
	  (session, pin, pin_len))                                                                 \
	X(C_SetPIN,                                                                                \
	  (ck_session_handle_t session, unsigned char *old_pin, unsigned long old_len,             \
	   unsigned char *new_pin, unsigned long new_len),                                         \
	  (session, old_pin, old_len, new_pin, new_len))                                           \
	X(C_OpenSession,                                                                           \
	  (ck_slot_id_t slot_id, ck_flags_t flags, void *application, ck_notify_t notify,          \
	   ck_session_handle_t *session),                                                          \
	  (slot_id, flags, application, notify, session))                                          \
	X(C_CloseSession, (ck_session_handle_t session), (session))                                \
	X(C_CloseAllSessions, (ck_slot_id_t slot_id), (slot_id))                                   \
	X(C_GetSessionInfo, (ck_session_handle_t session, struct ck_session_info * info),          \
	  (session, info))                                                                         \
	X(C_GetOperationState,                                                                     \
	  (ck_session_handle_t session, unsigned char *operation_state,                            \
	   unsigned long *operation_state_len),                                                    \
	  (session, operation_state, operation_state_len))                                         \
	X(C_SetOperationState,                                                                     \
	  (ck_session_handle_t session, unsigned char *operation_state,                            \
	   unsigned long operation_state_len, ck_object_handle_t encryption_key,                   \
	   ck_object_handle_t authentiation_key),                                                  \
	  (session, operation_state, operation_state_len, encryption_key, authentiation_key))      \
	X(C_Login,                                                                                 \
	  (ck_session_handle_t session, ck_user_type_t user_type, unsigned char *pin,              \
	   unsigned long pin_len),                                                                 \
	  (session, user_type, pin, pin_len))                                                      \
	X(C_Logout, (ck_session_handle_t session), (session))                                      \
	X(C_CreateObject,                                                                          \
	  (ck_session_handle_t session, struct ck_attribute * templ, unsigned long count,          \
	   ck_object_handle_t *object),                                                            \
	  (session, templ, count, object))                                                         \
	X(C_CopyObject,                                                                            \
	  (ck_session_handle_t session, ck_object_handle_t object, struct ck_attribute * templ,    \
	   unsigned long count, ck_object_handle_t *new_object),                                   \
	  (session, object, templ, count, new_object))                                             \
	X(C_DestroyObject, (ck_session_handle_t session, ck_object_handle_t object),               \
	  (session, object))                                                                       \
	X(C_GetObjectSize,                                                                         \
	  (ck_session_handle_t session, ck_object_handle_t object, unsigned long *size),           \
	  (session, object, size))                                                                 \
	X(C_GetAttributeValue,                                                                     \
	  (ck_session_handle_t session, ck_object_handle_t object, struct ck_attribute * templ,    \
	   unsigned long count),                                                                   \
	  (session, object, templ, count))                                                         \
	X(C_SetAttributeValue,                                                                     \
	  (ck_session_handle_t session, ck_object_handle_t object, struct ck_attribute * templ,    \
	   unsigned long count),                                                                   \
	  (session, object, templ, count))                                                         \
	X(C_FindObjectsInit,                                                                       \
	  (ck_session_handle_t session, struct ck_attribute * templ, unsigned long count),         \
	  (session, templ, count))                                                                 \
	X(C_FindObjectsFinal, (ck_session_handle_t session), (session))                            \
	X(C_EncryptInit,                                                                           \
	  (ck_session_handle_t session, struct ck_mechanism * mechanism, ck_object_handle_t key),  \
	  (session, mechanism, key))                                                               \
	X(C_Encrypt,                                                                               \
	  (ck_session_handle_t session, unsigned char *data, unsigned long data_len,               \
	   unsigned char *encrypted_data, unsigned long *encrypted_data_len),                      \
	  (session, data, data_len, encrypted_data, encrypted_data_len))                           \
	X(C_EncryptUpdate,                                                                         \
	  (ck_session_handle_t session, unsigned char *part, unsigned long part_len,               \
	   unsigned char *encrypted_part, unsigned long *encrypted_part_len),                      \
	  (session, part, part_len, encrypted_part, encrypted_part_len))                           \
	X(C_EncryptFinal,                                                                          \
	  (ck_session_handle_t session, unsigned char *last_encrypted_part,                        \
	   unsigned long *last_encrypted_part_len),                                                \
	  (session, last_encrypted_part, last_encrypted_part_len))                                 \
	X(C_DecryptInit,                                                                           \
	  (ck_session_handle_t session, struct ck_mechanism * mechanism, ck_object_handle_t key),  \
	  (session, mechanism, key))                                                               \
	X(C_Decrypt,                                                                               \
	  (ck_session_handle_t session, unsigned char *encrypted_data,                             \
	   unsigned long encrypted_data_len, unsigned char *data, unsigned long *data_len),        \
	  (session, encrypted_data, encrypted_data_len, data, data_len))                           \
	X(C_DecryptUpdate,                                                                         \
	  (ck_session_handle_t session, unsigned char *encrypted_part,                             \
	   unsigned long encrypted_part_len, unsigned char *part, unsigned long *part_len),        \
	  (session, encrypted_part, encrypted_part_len, part, part_len))                           \
	X(C_DecryptFinal,                                                                          \
	  (ck_session_handle_t session, unsigned char *last_part, unsigned long *last_part_len),   \
	  (session, last_part, last_part_len))                                                     \
	X(C_DigestInit, (ck_session_handle_t session, struct ck_mechanism * mechanism),            \
	  (session, mechanism))                                                                    \
	X(C_Digest,                                                                                \
	  (ck_session_handle_t session, unsigned char *data, unsigned long data_len,               \
	   unsigned char *digest, unsigned long *digest_len),                                      \
	  (session, data, data_len, digest, digest_len))                                           \
	X(C_DigestUpdate,                                                                          \
	  (ck_session_handle_t session, unsigned char *part, unsigned long part_len),              \
	  (session, part, part_len))                                                               \
	X(C_DigestKey, (ck_session_handle_t session, ck_object_handle_t key), (session, key))      \
	X(C_DigestFinal,                                                                           \
	  (ck_session_handle_t session, unsigned char *digest, unsigned long *digest_len),         \
	  (session, digest, digest_len))                                                           \
	X(C_SignInit,                                                                              \
	  (ck_session_handle_t session, struct ck_mechanism * mechanism, ck_object_handle_t key),  \
	  (session, mechanism, key))                                                               \
	X(C_Sign,                                                                                  \
	  (ck_session_handle_t session, unsigned char *data, unsigned long data_len,               \
	   unsigned char *signature, unsigned long *signature_len),                                \
	  (session, data, data_len, signature, signature_len))                                     \
	X(C_SignUpdate,                                                                            \
	  (ck_session_handle_t session, unsigned char *part, unsigned long part_len),              \
	  (session, part, part_len))                                                               \
	X(C_SignFinal,                                                                             \
	  (ck_session_handle_t session, unsigned char *signature, unsigned long *signature_len),   \
	  (session, signature, signature_len))                                                     \
	X(C_SignRecoverInit,                                                                       \
	  (ck_session_handle_t session, struct ck_mechanism * mechanism, ck_object_handle_t key),  \
	  (session, mechanism, key))                                                               \
	X(C_SignRecover,                                                                           \
	  (ck_session_handle_t session, unsigned char *data, unsigned long data_len,               \
	   unsigned char *signature, unsigned long *signature_len),                                \
	  (session, data, data_len, signature, signature_len))                                     \
	X(C_VerifyInit,                                                                            \
	  (ck_session_handle_t session, struct ck_mechanism * mechanism, ck_object_handle_t key),  \
	  (session, mechanism, key))                                                               \
	X(C_Verify,                                                                                \
	  (ck_session_handle_t session, unsigned char *data, unsigned long data_len,               \
	   unsigned char *signature, unsigned long signature_len),                                 \
	  (session, data, data_len, signature, signature_len))                                     \
	X(C_VerifyUpdate,                                                                          \
	  (ck_session_handle_t session, unsigned char *part, unsigned long part_len),              \
	  (session, part, part_len))                                                               \
	X(C_VerifyFinal,                                                                           \
	  (ck_session_handle_t session, unsigned char *signature, unsigned long signature_len),    \
	  (session, signature, signature_len))                                                     \
	X(C_VerifyRecoverInit,                                                                     \
	  (ck_session_handle_t session, struct ck_mechanism * mechanism, ck_object_handle_t key),  \
	  (session, mechanism, key))                                                               \
	X(C_VerifyRecover,                                                                         \
	  (ck_session_handle_t session, unsigned char *signature, unsigned long signature_len,     \
	   unsigned char *data, unsigned long *data_len),                                          \
	  (session, signature, signature_len, data, data_len))                                     \
	X(C_DigestEncryptUpdate,                                                                   \
	  (ck_session_handle_t session, unsigned char *part, unsigned long part_len,               \
	   unsigned char *encrypted_part, unsigned long *encrypted_part_len),                      \
	  (session, part, part_len, encrypted_part, encrypted_part_len))                           \
	X(C_DecryptDigestUpdate,                                                                   \
	  (ck_session_handle_t session, unsigned char *encrypted_part,                             \
	   unsigned long encrypted_part_len, unsigned char *part, unsigned long *part_len),        \
	  (session, encrypted_part, encrypted_part_len, part, part_len))                           \
	X(C_SignEncryptUpdate,                                                                     \
	  (ck_session_handle_t session, unsigned char *part, unsigned long part_len,               \
	   unsigned char *encrypted_part, unsigned long *encrypted_part_len),                      \
	  (session, part, part_len, encrypted_part, encrypted_part_len))                           \
	X(C_DecryptVerifyUpdate,                                                                   \
	  (ck_session_handle_t session, unsigned char *encrypted_part,                             \
	   unsigned long encrypted_part_len, unsigned char *part, unsigned long *part_len),        \
	  (session, encrypted_part, encrypted_part_len, part, part_len))                           \
	X(C_GenerateKey,                                                                           \
	  (ck_session_handle_t session, struct ck_mechanism * mechanism,                           \
	   struct ck_attribute * templ, unsigned long count, ck_object_handle_t *key),             \
	  (session, mechanism, templ, count, key))                                                 \
	X(C_GenerateKeyPair,                                                                       \
	  (ck_session_handle_t session, struct ck_mechanism * mechanism,                           \
	   struct ck_attribute * public_key_template, unsigned long public_key_attribute_count,    \
	   struct ck_attribute *private_key_template, unsigned long private_key_attribute_count,   \
	   ck_object_handle_t *public_key, ck_object_handle_t *private_key),                       \
	  (session, mechanism, public_key_template, public_key_attribute_count,                    \
	   private_key_template, private_key_attribute_count, public_key, private_key))            \
	X(C_WrapKey,                                                                               \
	  (ck_session_handle_t session, struct ck_mechanism * mechanism,                           \
	   ck_object_handle_t wrapping_key, ck_object_handle_t key, unsigned char *wrapped_key,    \
	   unsigned long *wrapped_key_len),                                                        \
	  (session, mechanism, wrapping_key, key, wrapped_key, wrapped_key_len))                   \
	X(C_UnwrapKey,                                                                             \
	  (ck_session_handle_t session, struct ck_mechanism * mechanism,                           \
	   ck_object_handle_t unwrapping_key, unsigned char *wrapped_key,                          \
	   unsigned long wrapped_key_len, struct ck_attribute *templ,                              \
	   unsigned long attribute_count, ck_object_handle_t *key),                                \
	  (session, mechanism, unwrapping_key, wrapped_key, wrapped_key_len, templ,                \
	   attribute_count, key))                                                                  \
	X(C_DeriveKey,                                                                             \
	  (ck_session_handle_t session, struct ck_mechanism * mechanism,                           \
	   ck_object_handle_t base_key, struct ck_attribute * templ,                               \
	   unsigned long attribute_count, ck_object_handle_t *key),                                \
	  (session, mechanism, base_key, templ, attribute_count, key))                             \
	X(C_SeedRandom,                                                                            \
	  (ck_session_handle_t session, unsigned char *seed, unsigned long seed_len),              \
	  (session, seed, seed_len))                                                               \
	X(C_GenerateRandom,                                                                        \
	  (ck_session_handle_t session, unsigned char *random_data, unsigned long random_len),     \
	  (session, random_data, random_len))                                                      \
	X(C_GetFunctionStatus, (ck_session_handle_t session), (session))                           \
	X(C_CancelFunction, (ck_session_handle_t session), (session))                              \
	X(C_WaitForSlotEvent, (ck_flags_t flags, ck_slot_id_t * slot, void *reserved),             \
	  (flags, slot, reserved))

enum {
	I_C_Initialize,
	I_C_Finalize,
	I_C_GetFunctionList,
	I_C_FindObjects,
#define X(name, params, args) I_##name,
	FORWARDED(X)
#undef X
	    N_FUNCS
};

static const char *const names[] = {"C_Initialize", "C_Finalize", "C_GetFunctionList",
                                    "C_FindObjects",
#define X(name, params, args) #name,
                                    FORWARDED(X)
#undef X
};

_Static_assert(sizeof(names) / sizeof(names[0]) == N_FUNCS, "a name a function");

static const struct {
	const char *name;
	ck_rv_t rv;
} rvs[] = {
    {"CKR_DEVICE_ERROR", CKR_DEVICE_ERROR},
    {"CKR_DEVICE_REMOVED", CKR_DEVICE_REMOVED},
    {"CKR_TOKEN_NOT_PRESENT", CKR_TOKEN_NOT_PRESENT},
    {"CKR_SESSION_HANDLE_INVALID", CKR_SESSION_HANDLE_INVALID},
    {"CKR_FUNCTION_FAILED", CKR_FUNCTION_FAILED},
    {"CKR_GENERAL_ERROR", CKR_GENERAL_ERROR},
    {"CKR_HOST_MEMORY", CKR_HOST_MEMORY},
    {"CKR_DEVICE_MEMORY", CKR_DEVICE_MEMORY},
    {"CKR_SESSION_CLOSED", CKR_SESSION_CLOSED},
    {"CKR_USER_NOT_LOGGED_IN", CKR_USER_NOT_LOGGED_IN},
    {"CKR_PIN_INCORRECT", CKR_PIN_INCORRECT},
    {"CKR_TOKEN_WRITE_PROTECTED", CKR_TOKEN_WRITE_PROTECTED},
    {"CKR_CRYPTOKI_NOT_INITIALIZED", CKR_CRYPTOKI_NOT_INITIALIZED},
};

static struct ck_function_list *real;
static void *real_lib;
static atomic_ulong counts[N_FUNCS];
static atomic_ulong total;
static atomic_int dirty;

static struct {
	int func; /* -1: any */
	unsigned long nth;
	ck_rv_t rv;
	int after, sticky, trace;
	const char *counts, *log;
} cfg;

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static ck_rv_t rv_named(const char *s)
{
	for (size_t i = 0; i < sizeof(rvs) / sizeof(rvs[0]); i++)
		if (!strcmp(s, rvs[i].name))
			return rvs[i].rv;
	char *end;
	unsigned long v = strtoul(s, &end, 0);
	return *end || !v ? CKR_DEVICE_ERROR : v;
}

static const char *rv_name(ck_rv_t rv)
{
	for (size_t i = 0; i < sizeof(rvs) / sizeof(rvs[0]); i++)
		if (rvs[i].rv == rv)
			return rvs[i].name;
	return "CKR_?";
}

static void configure(void)
{
	const char *f = env("P11FAULT_FUNC"), *n = env("P11FAULT_NTH"), *r = env("P11FAULT_RV");
	const char *w = env("P11FAULT_WHEN"), *s = env("P11FAULT_STICKY");
	cfg.func = -1;
	for (int i = 0; f && strcmp(f, "any") && i < N_FUNCS; i++)
		if (!strcmp(f, names[i]))
			cfg.func = i;
	cfg.nth = n ? strtoul(n, NULL, 10) : 0;
	/* a misspelt name must not quietly fail any call */
	if (f && strcmp(f, "any") && cfg.func < 0)
		cfg.nth = 0;
	cfg.rv = r ? rv_named(r) : CKR_DEVICE_ERROR;
	cfg.after = w && !strcmp(w, "after");
	cfg.sticky = s && !strcmp(s, "1");
	cfg.counts = env("P11FAULT_COUNTS");
	cfg.log = env("P11FAULT_LOG");
	cfg.trace = cfg.log && env("P11FAULT_TRACE") && !strcmp(env("P11FAULT_TRACE"), "1");
}

static void write_counts(void)
{
	if (!cfg.counts || !atomic_exchange(&dirty, 0))
		return;
	FILE *f = fopen(cfg.counts, "w");
	if (!f)
		return;
	for (int i = 0; i < N_FUNCS; i++)
		if (counts[i])
			fprintf(f, "%s %lu\n", names[i], (unsigned long)counts[i]);
	fprintf(f, "total %lu\n", (unsigned long)total);
	fclose(f);
}

__attribute__((destructor)) static void at_exit(void)
{
	write_counts();
}

/* Count call i; nonzero (and *rv) when it is the one to fail. */
static int hit(int i, ck_rv_t *rv)
{
	unsigned long mine = atomic_fetch_add(&counts[i], 1) + 1;
	unsigned long all = atomic_fetch_add(&total, 1) + 1;
	atomic_store(&dirty, 1);
	unsigned long n = cfg.func < 0 ? all : cfg.func == i ? mine : 0;
	if (cfg.trace) {
		FILE *f = fopen(cfg.log, "a");
		if (f) {
			fprintf(f, "%lu %s\n", all, names[i]);
			fclose(f);
		}
	}
	if (!cfg.nth || !n || (cfg.sticky ? n < cfg.nth : n != cfg.nth))
		return 0;
	*rv = cfg.rv;
	if (cfg.log) {
		FILE *f = fopen(cfg.log, "a");
		if (f) {
			fprintf(f, "%s call %lu -> %s\n", names[i], n, rv_name(cfg.rv));
			fclose(f);
		}
	}
	return 1;
}

/* PKCS#11 ends an operation whose final or single-part call fails: the
 * real module must end it too, or its session stays busy (a failed
 * C_FindObjectsFinal would leave every later search CKR_OPERATION_ACTIVE). */
static int ends_operation(int i)
{
	static const int ends[] = {
	    I_C_FindObjectsFinal, I_C_Encrypt,     I_C_EncryptFinal, I_C_Decrypt,
	    I_C_DecryptFinal,     I_C_Digest,      I_C_DigestFinal,  I_C_Sign,
	    I_C_SignFinal,        I_C_SignRecover, I_C_Verify,       I_C_VerifyFinal,
	    I_C_VerifyRecover,
	};
	for (size_t k = 0; k < sizeof(ends) / sizeof(ends[0]); k++)
		if (ends[k] == i)
			return 1;
	return 0;
}

static ck_rv_t load_real(void)
{
	if (real)
		return CKR_OK;
	configure();
	const char *path = env("P11FAULT_MODULE");
	real_lib = dlopen(path ? path : DEFAULT_MODULE, RTLD_NOW | RTLD_LOCAL);
	CK_C_GetFunctionList get =
	    real_lib ? (CK_C_GetFunctionList)dlsym(real_lib, "C_GetFunctionList") : NULL;
	if (!get || get(&real) != CKR_OK || !real) {
		real = NULL;
		return CKR_GENERAL_ERROR;
	}
	return CKR_OK;
}

#define X(name, params, args)                                                                      \
	static ck_rv_t f_##name params                                                             \
	{                                                                                          \
		ck_rv_t rv;                                                                        \
		if (!hit(I_##name, &rv))                                                           \
			return real->name args;                                                    \
		if (cfg.after || ends_operation(I_##name))                                         \
			real->name args;                                                           \
		return rv;                                                                         \
	}
FORWARDED(X)
#undef X

static ck_rv_t f_C_Initialize(void *init_args)
{
	ck_rv_t rv = load_real();
	if (rv != CKR_OK)
		return rv;
	configure();
	const char *init = env("P11FAULT_INIT");
	if (init && !strncmp(init, "exit:", 5)) {
		write_counts();
		exit(atoi(init + 5));
	}
	if (init && !strcmp(init, "abort"))
		abort();
	if (init && !strncmp(init, "sleep:", 6)) { /* a module that hangs */
		sleep((unsigned)atoi(init + 6));
		return CKR_DEVICE_ERROR;
	}
	if (init)
		return rv_named(init);
	if (!hit(I_C_Initialize, &rv))
		return real->C_Initialize(init_args);
	if (cfg.after && real->C_Initialize(init_args) == CKR_OK)
		real->C_Finalize(NULL);
	return rv;
}

static ck_rv_t f_C_Finalize(void *reserved)
{
	ck_rv_t rv;
	if (hit(I_C_Finalize, &rv)) {
		if (cfg.after)
			real->C_Finalize(reserved);
	} else {
		rv = real->C_Finalize(reserved);
	}
	write_counts();
	return rv;
}

/* NSS does not call C_FindObjectsFinal after a failed C_FindObjects, and
 * a module that kept the search going would refuse every later search of
 * that session (CKR_OPERATION_ACTIVE) for the rest of the process: the
 * search ends with the failure, as modules that drop an operation on an
 * error do, unless P11FAULT_KEEP_SEARCH=1. */
static ck_rv_t f_C_FindObjects(ck_session_handle_t session, ck_object_handle_t *object,
                               unsigned long max_object_count, unsigned long *object_count)
{
	ck_rv_t rv;
	const char *keep = env("P11FAULT_KEEP_SEARCH");
	if (!hit(I_C_FindObjects, &rv))
		return real->C_FindObjects(session, object, max_object_count, object_count);
	if (cfg.after)
		real->C_FindObjects(session, object, max_object_count, object_count);
	if (!keep || strcmp(keep, "1"))
		real->C_FindObjectsFinal(session);
	return rv;
}

static ck_rv_t f_C_GetFunctionList(struct ck_function_list **list);

static struct ck_function_list table = {.version = {2, 40},
                                        .C_Initialize = f_C_Initialize,
                                        .C_Finalize = f_C_Finalize,
                                        .C_GetFunctionList = f_C_GetFunctionList,
                                        .C_FindObjects = f_C_FindObjects,
#define X(name, params, args) .name = f_##name,
                                        FORWARDED(X)
#undef X
};

static ck_rv_t f_C_GetFunctionList(struct ck_function_list **list)
{
	ck_rv_t rv = load_real();
	if (rv != CKR_OK)
		return rv;
	if (!list)
		return CKR_ARGUMENTS_BAD;
	if (hit(I_C_GetFunctionList, &rv))
		return rv;
	*list = &table;
	return CKR_OK;
}

__attribute__((visibility("default"))) ck_rv_t C_GetFunctionList(struct ck_function_list **list)
{
	return f_C_GetFunctionList(list);
}
