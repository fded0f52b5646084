/* SPDX-License-Identifier: MPL-2.0 */
/* What the libFuzzer targets share: NSS started once, a handle for the
 * messages, the input as a NUL-terminated copy (files are read so). */
#ifndef P11C_FUZZ_H
#define P11C_FUZZ_H

#include <keyhi.h>
#include <nss.h>
#include <pk11pub.h>
#include <secasn1.h>
#include <secoid.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A crash libFuzzer records: a property of the parser does not hold. */
#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__,        \
			        #cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* One handle for the whole run: only its message buffer is used. */
static inline p11c_db *fuzz_db(void)
{
	static p11c_db *db;
	if (!db && p11c_db_new(&db) != P11C_OK)
		abort();
	return db;
}

/* FUZZ_VERBOSE=1 in the environment: say how far each input went (to
 * check what a new corpus entry reaches). */
static inline void fuzz_note(const char *what, int rc, const char *why)
{
	static int verbose = -1;
	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "fuzz: %s: %d %s\n", what, rc, rc ? why : "");
}

static inline void fuzz_nss_init(void)
{
	if (!NSS_IsInitialized() && NSS_NoDB_Init(NULL) != SECSuccess) {
		fprintf(stderr, "fuzz: NSS_NoDB_Init failed\n");
		exit(1);
	}
}

static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A P-256 session key pair on NSS's internal slot (no database). */
static inline void fuzz_ec_key(SECKEYPrivateKey **priv, SECKEYPublicKey **pub)
{
	SECOidData *oid = SECOID_FindOIDByTag(SEC_OID_ANSIX962_EC_PRIME256V1);
	unsigned char params[16];
	if (!oid || oid->oid.len + 2 > sizeof(params))
		abort();
	params[0] = SEC_ASN1_OBJECT_ID;
	params[1] = (unsigned char)oid->oid.len;
	memcpy(params + 2, oid->oid.data, oid->oid.len);
	SECItem p = {siBuffer, params, oid->oid.len + 2};
	PK11SlotInfo *slot = PK11_GetInternalSlot();
	*priv = slot ? PK11_GenerateKeyPair(slot, CKM_EC_KEY_PAIR_GEN, &p, pub, PR_FALSE, PR_FALSE,
	                                    NULL)
	             : NULL;
	if (slot)
		PK11_FreeSlot(slot);
	if (!*priv) {
		fprintf(stderr, "fuzz: cannot make an EC key\n");
		exit(1);
	}
}

#endif
