/* SPDX-License-Identifier: MPL-2.0 */
/* import-cert --key KEY.pem --cert CERT.pem: a certbot-style pair. */
#include <cert.h>
#include <keyhi.h>
#include <pk11pub.h>
#include <secasn1.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"
#include "ossl.h"

int p11c_key_file_is_encrypted(p11c_db *db, const char *path, int *encrypted)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(path), P11C_OUT(encrypted));
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc = p11c_file_read_max(db, path, P11C_KEY_FILE_MAX, &buf, &len);
	if (rc)
		return rc;
	*encrypted = p11c_ossl_key_encrypted(buf, len);
	explicit_bzero(buf, len);
	free(buf);
	return P11C_OK;
}

/* The certificate of b whose public key is spki, or -1. */
static long matching(p11c_batch *b, const unsigned char *spki, size_t len)
{
	for (size_t i = 0; i < b->n; i++) {
		SECItem der = {siBuffer, NULL, 0};
		if (!SEC_ASN1EncodeItem(NULL, &der, &b->certs[i]->subjectPublicKeyInfo,
		                        SEC_ASN1_GET(CERT_SubjectPublicKeyInfoTemplate)))
			continue;
		int same = der.len == len && !memcmp(der.data, spki, len);
		SECITEM_FreeItem(&der, PR_FALSE);
		if (same)
			return (long)i;
	}
	return -1;
}

/* An external token gets the key unwrapped onto it, as a PKCS#12 key
 * would be: created whole with C_CreateObject, NSS would hand some tokens
 * attributes they refuse (SoftHSM: CKA_EC_POINT on an EC private key). */
static int unwrap_key(p11c_db *db, PK11SlotInfo *slot, SECItem *value, KeyType type, SECItem *nick,
                      unsigned char *p8, size_t p8_len, SECKEYPrivateKey **out)
{
	unsigned char *der = NULL;
	char *pw = p11c_random_password(48);
	size_t der_len = 0;
	int rc = P11C_OK;
	PLArenaPool *arena = PORT_NewArena(2048);
	SECKEYEncryptedPrivateKeyInfo epki;
	memset(&epki, 0, sizeof(epki));
	if (!arena || !pw) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot make a one-time password");
		goto out;
	}
	SECItem enc = {siBuffer, NULL, 0};
	int wrapped = p11c_ossl_p8_to_epki(p8, p8_len, pw, &der, &der_len) == 0;
	enc.data = der;
	enc.len = (unsigned)der_len;
	if (!wrapped || SEC_QuickDERDecodeItem(arena, &epki,
	                                       SEC_ASN1_GET(SECKEY_EncryptedPrivateKeyInfoTemplate),
	                                       &enc) != SECSuccess) {
		rc = p11c_fail(db, P11C_EFAIL, "cannot wrap the key for token '%s'",
		               PK11_GetTokenName(slot));
		goto out;
	}
	SECItem pwitem = {siBuffer, (unsigned char *)pw, (unsigned)strlen(pw)};
	if (PK11_ImportEncryptedPrivateKeyInfoAndReturnKey(slot, &epki, &pwitem, nick, value,
	                                                   PR_TRUE, PR_TRUE, type, KU_ALL, out,
	                                                   db) != SECSuccess)
		rc = p11c_fail_nss(db, P11C_ETOKEN, "token '%s' refused the key",
		                   PK11_GetTokenName(slot));
out:
	p11c_secret_free(pw);
	p11c_ossl_free_secret(der, der_len);
	if (arena)
		PORT_FreeArena(arena, PR_TRUE);
	return rc;
}

/* The key into slot, named alias, its CKA_ID NSS's own for cert. */
static int import_key(p11c_db *db, PK11SlotInfo *slot, CERTCertificate *cert, const char *alias,
                      unsigned char *p8, size_t p8_len, SECKEYPrivateKey **out,
                      CK_OBJECT_HANDLE *pubh)
{
	SECKEYPublicKey *pub = CERT_ExtractPublicKey(cert);
	if (!pub)
		return p11c_fail_nss(db, P11C_EFAIL, "cannot read the certificate's public key");
	SECItem *value = pub->keyType == rsaKey  ? &pub->u.rsa.modulus
	                 : pub->keyType == ecKey ? &pub->u.ec.publicValue
	                                         : NULL;
	SECItem der = {siBuffer, p8, (unsigned)p8_len};
	SECItem nick = {siAsciiString, (unsigned char *)alias, (unsigned)strlen(alias)};
	int rc = P11C_OK;
	if (!value) {
		rc = p11c_fail(db, P11C_EFAIL,
		               "keys of this kind are not imported (RSA and EC are)");
	} else if (!PK11_IsInternal(slot)) {
		rc = unwrap_key(db, slot, value, pub->keyType, &nick, p8, p8_len, out);
		if (!rc)
			PK11_SetPrivateKeyNickname(*out, alias); /* the unwrap sets no label */
	} else if (PK11_ImportDERPrivateKeyInfoAndReturnKey(
	               slot, &der, &nick, value, PR_TRUE, PR_TRUE, KU_ALL, out, db) != SECSuccess) {
		rc = p11c_fail_nss(db, P11C_ETOKEN, "token '%s' refused the key",
		                   PK11_GetTokenName(slot));
	}
	/* A public-key object beside it, as key generation and unwrapping
	 * leave: NSS tells "the user's own" certificates by it without a login. */
	if (!rc && PK11_IsInternal(slot) &&
	    (*pubh = PK11_ImportPublicKey(slot, pub, PR_TRUE)) == CK_INVALID_HANDLE)
		p11c_log(db, "no public-key object stored for '%s'", alias);
	if (!rc)
		p11c_token_defects_warn(db, slot, pub->keyType);
	SECKEY_DestroyPublicKey(pub);
	return rc;
}

int p11c_pem_import(p11c_db *db, const char *key_path, const char *cert_path,
                    const char *key_password, const p11c_import_opts *opts, char **alias_out)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OPTOUT(alias_out), P11C_NAME(key_path),
	          P11C_NAME(cert_path));
	p11c_import_opts resolved;
	unsigned char *pem = NULL, *p8 = NULL, *spki = NULL;
	size_t pem_len = 0, p8_len = 0, spki_len = 0;
	char err[128], *alias = NULL;
	p11c_batch b;
	PK11SlotInfo *slot = NULL;
	SECKEYPrivateKey *key = NULL;
	CK_OBJECT_HANDLE pubh = CK_INVALID_HANDLE; /* deleted with the key on failure */
	memset(&b, 0, sizeof(b));
	if (alias_out)
		*alias_out = NULL;
	int rc = p11c_import_opts_read(db, __func__, opts, &resolved);
	if (rc)
		return rc;
	opts = &resolved;
	if ((rc = p11c_require_open(db, 1)) ||
	    (rc = p11c_file_read_max(db, key_path, P11C_KEY_FILE_MAX, &pem, &pem_len)) ||
	    (rc = p11c_batch_load(db, cert_path, &b)) ||
	    (rc = p11c_slot_for_token(db, opts->token, &slot)))
		goto out;
	int o = p11c_ossl_read_key(pem, pem_len, key_password, PK11_IsInternal(slot), &p8, &p8_len,
	                           &spki, &spki_len, err, sizeof(err));
	if (o != P11C_OSSL_OK) {
		rc = p11c_fail(db, o == P11C_OSSL_PASSWORD ? P11C_EPASSWORD : P11C_EFAIL,
		               "cannot read the key in '%s': %s", key_path, err);
		goto out;
	}
	long k = matching(&b, spki, spki_len);
	if (k < 0) {
		rc = p11c_fail(db, P11C_EFAIL,
		               "the key in '%s' does not match the certificate in '%s'", key_path,
		               cert_path);
		goto out;
	}
	CERTCertificate *leaf = b.certs[k];
	char *cn = CERT_GetCommonName(&leaf->subject);
	alias = strdup(opts->alias ? opts->alias : cn ? cn : "imported");
	PORT_Free(cn);
	if (!alias) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	if (leaf->isperm) {
		rc = p11c_fail(db, P11C_EFAIL,
		               "the certificate in '%s' is already in the database as '%s'",
		               cert_path, leaf->nickname ? leaf->nickname : "(no alias)");
		goto out;
	}
	if ((rc = p11c_login(db, slot)) || (rc = p11c_login_tokens(db)) ||
	    (rc = p11c_alias_check_new(db, slot, alias)) ||
	    (rc = p11c_pending_begin(db, "import-cert --key")) ||
	    (rc = p11c_pending_keygen(db, slot)) ||
	    (rc = import_key(db, slot, leaf, alias, p8, p8_len, &key, &pubh)) ||
	    (!PK11_IsInternal(slot) && (rc = (opts->flags & P11C_IMPORT_EXTRACTABLE)
	                                         ? p11c_key_honour_extractable(db, key, alias)
	                                         : p11c_key_keep_on_token(db, key, alias))))
		goto out;
	const char *trust = (opts->flags & P11C_IMPORT_TRUST_SELF_SIGNED) &&
	                            SECITEM_ItemsAreEqual(&leaf->derSubject, &leaf->derIssuer)
	                        ? "CT,,"
	                        : NULL;
	if ((rc = p11c_store_cert(db, slot, leaf, alias, trust)))
		goto out;
	b.stored[k] = 1;
	if ((rc = p11c_store_rest(db, &b, (size_t)k, NULL)) ||
	    (rc = p11c_pending_commit(db, NULL, NULL)))
		goto out;
	if (alias_out && !(*alias_out = p11c_qualified(db, slot, alias)))
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
out:
	if (key) {
		if (rc)
			p11c_key_delete(key); /* its public-key objects too */
		else
			SECKEY_DestroyPrivateKey(key);
	}
	p11c_batch_free(&b, rc != P11C_OK);
	rc = p11c_pending_end(db, rc);
	if (slot)
		PK11_FreeSlot(slot);
	p11c_ossl_free_secret(p8, p8_len);
	p11c_ossl_free_secret(spki, spki_len);
	if (pem) {
		explicit_bzero(pem, pem_len);
		free(pem);
	}
	free(alias);
	return rc;
}
