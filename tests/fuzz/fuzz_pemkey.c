/* SPDX-License-Identifier: MPL-2.0 */
/* import-cert --key: a PEM private key (PKCS#1, SEC1, PKCS#8, encrypted
 * under the password "fuzz") read through OpenSSL, then its PKCS#8 and
 * public key taken by NSS as pemimport.c does, into a session object. */
#include "fuzz.h"
#include "nssint.h"
#include "ossl.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_nss_init();
	return 0;
}

static void nss_import(unsigned char *p8, size_t p8_len, unsigned char *spki, size_t spki_len)
{
	SECItem s = {siBuffer, spki, (unsigned)spki_len};
	CERTSubjectPublicKeyInfo *info = SECKEY_DecodeDERSubjectPublicKeyInfo(&s);
	SECKEYPublicKey *pub = info ? SECKEY_ExtractPublicKey(info) : NULL;
	SECItem *value = !pub                     ? NULL
	                 : pub->keyType == rsaKey ? &pub->u.rsa.modulus
	                 : pub->keyType == ecKey  ? &pub->u.ec.publicValue
	                                          : NULL;
	PK11SlotInfo *slot = PK11_GetInternalSlot();
	SECItem der = {siBuffer, p8, (unsigned)p8_len};
	SECKEYPrivateKey *key = NULL;
	if (value && slot &&
	    PK11_ImportDERPrivateKeyInfoAndReturnKey(slot, &der, NULL, value, PR_FALSE, PR_TRUE,
	                                             KU_ALL, &key, NULL) == SECSuccess)
		SECKEY_DestroyPrivateKey(key);
	if (slot)
		PK11_FreeSlot(slot);
	if (pub)
		SECKEY_DestroyPublicKey(pub);
	if (info)
		SECKEY_DestroySubjectPublicKeyInfo(info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return -1;
	unsigned char *pem = (unsigned char *)fuzz_text(data + 1, size - 1);
	unsigned char *p8 = NULL, *spki = NULL;
	size_t p8_len = 0, spki_len = 0;
	char err[128];
	p11c_ossl_key_encrypted(pem, size - 1);
	int rc = p11c_ossl_read_key(pem, size - 1, data[0] & 2 ? NULL : "fuzz", data[0] & 1, &p8,
	                            &p8_len, &spki, &spki_len, err, sizeof(err));
	fuzz_note("key", rc, err);
	if (rc == P11C_OSSL_OK) {
		FUZZ_ASSERT(p8 && p8_len && spki && spki_len);
		nss_import(p8, p8_len, spki, spki_len);
	} else {
		FUZZ_ASSERT(!p8 && !spki && err[0]);
	}
	p11c_ossl_free_secret(p8, p8_len);
	p11c_ossl_free_secret(spki, spki_len);
	free(pem);
	return 0;
}
