/* SPDX-License-Identifier: MPL-2.0 */
/* Key pairs on the internal token or an external one. */
#include <keyhi.h>
#include <pk11pub.h>
#include <prerror.h>
#include <secoid.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "nssint.h"

static SECOidTag curve_oid(int bits)
{
	switch (bits) {
	case 256:
		return SEC_OID_ANSIX962_EC_PRIME256V1;
	case 384:
		return SEC_OID_SECG_EC_SECP384R1;
	default:
		return SEC_OID_SECG_EC_SECP521R1;
	}
}

/* The key objects on a token, by handle. */
typedef struct {
	CK_OBJECT_HANDLE *h;
	size_t n;
} handles;

static void handles_add(handles *hs, CK_OBJECT_HANDLE h)
{
	CK_OBJECT_HANDLE *g = P11C_VEC_PUSH(hs->h, hs->n);
	if (g)
		*g = h;
}

static int handles_have(const handles *hs, CK_OBJECT_HANDLE h)
{
	for (size_t i = 0; i < hs->n; i++)
		if (hs->h[i] == h)
			return 1;
	return 0;
}

/* With before: destroy the unlabelled key objects that are not in it;
 * else fill out with the handles of the token's key objects. */
static void key_objects(p11c_db *db, PK11SlotInfo *slot, handles *out, const handles *before)
{
	SECKEYPrivateKeyList *privs = PK11_ListPrivKeysInSlot(slot, NULL, db);
	for (SECKEYPrivateKeyListNode *n = privs ? PRIVKEY_LIST_HEAD(privs) : NULL;
	     privs && !PRIVKEY_LIST_END(n, privs); n = PRIVKEY_LIST_NEXT(n)) {
		if (!before) {
			handles_add(out, n->key->pkcs11ID);
			continue;
		}
		char *nick = PK11_GetPrivateKeyNickname(n->key);
		if ((!nick || !*nick) && !handles_have(before, n->key->pkcs11ID))
			PK11_DestroyTokenObject(slot, n->key->pkcs11ID);
		PORT_Free(nick);
	}
	if (privs)
		SECKEY_DestroyPrivateKeyList(privs);
	SECKEYPublicKeyList *pubs = PK11_ListPublicKeysInSlot(slot, NULL);
	for (SECKEYPublicKeyListNode *n = pubs ? PUBKEY_LIST_HEAD(pubs) : NULL;
	     pubs && !PUBKEY_LIST_END(n, pubs); n = PUBKEY_LIST_NEXT(n)) {
		if (!before) {
			handles_add(out, n->key->pkcs11ID);
			continue;
		}
		char *nick = PK11_GetPublicKeyNickname(n->key);
		if ((!nick || !*nick) && !handles_have(before, n->key->pkcs11ID))
			PK11_DestroyTokenObject(slot, n->key->pkcs11ID);
		PORT_Free(nick);
	}
	if (pubs)
		SECKEY_DestroyPublicKeyList(pubs);
}

/* Give pub the CKA_ID of priv when it has another or none: 0, or -1. */
static int pub_id_fix(SECKEYPrivateKey *priv, SECKEYPublicKey *pub)
{
	SECItem *id = PK11_GetLowLevelKeyIDForPrivateKey(priv);
	SECItem pid = {siBuffer, NULL, 0};
	if (!id)
		return -1;
	int ok = PK11_ReadRawAttribute(PK11_TypePubKey, pub, CKA_ID, &pid) == SECSuccess &&
	         SECITEM_ItemsAreEqual(&pid, id);
	if (!ok)
		ok = PK11_WriteRawAttribute(PK11_TypePubKey, pub, CKA_ID, id) == SECSuccess;
	SECITEM_FreeItem(&pid, PR_FALSE);
	SECITEM_FreeItem(id, PR_TRUE);
	return ok ? 0 : -1;
}

int p11c_keygen(p11c_db *db, PK11SlotInfo *slot, const p11c_key_spec *spec, int extractable,
                const char *nickname, SECKEYPrivateKey **priv, SECKEYPublicKey **pub)
{
	PK11RSAGenParams rsa = {spec->bits, 65537};
	unsigned char ecbuf[16];
	SECItem ecparams = {siBuffer, ecbuf, 0};
	CK_MECHANISM_TYPE mech = CKM_RSA_PKCS_KEY_PAIR_GEN;
	void *params = &rsa;
	const char *label = PK11_GetTokenName(slot);
	*priv = NULL;
	*pub = NULL;
	if (spec->kind == P11C_KEY_EC) {
		SECOidData *oid = SECOID_FindOIDByTag(curve_oid(spec->bits));
		if (!oid || oid->oid.len + 2 > sizeof(ecbuf))
			return p11c_fail(db, P11C_EFAIL, "curve %s is not known to NSS",
			                 spec->curve);
		ecbuf[0] = SEC_ASN1_OBJECT_ID;
		ecbuf[1] = (unsigned char)oid->oid.len;
		memcpy(ecbuf + 2, oid->oid.data, oid->oid.len);
		ecparams.len = oid->oid.len + 2;
		mech = CKM_EC_KEY_PAIR_GEN;
		params = &ecparams;
	}
	if (!PK11_DoesMechanism(slot, mech))
		return p11c_fail(db, P11C_ETOKEN, "token '%s' cannot make %s keys", label,
		                 spec->kind == P11C_KEY_EC ? "EC" : "RSA");
	int rc = p11c_pending_keygen(db, slot);
	if (rc)
		return rc;
	/* The internal token's keys must stay exportable (PKCS#12 backups);
	 * an external token's keys never leave it unless asked. */
	PK11AttrFlags attrs = PK11_ATTR_TOKEN | PK11_ATTR_SENSITIVE | PK11_ATTR_PRIVATE;
	if (PK11_IsInternal(slot) || extractable)
		attrs |= PK11_ATTR_EXTRACTABLE;
	else
		attrs |= PK11_ATTR_UNEXTRACTABLE;
	/* When a step after C_GenerateKeyPair fails, NSS destroys the new pair
	 * through its read-only session, and on an external token it stays:
	 * the key objects that were not there before go then. */
	handles before = {NULL, 0};
	int external = !PK11_IsInternal(slot);
	if (external)
		key_objects(db, slot, &before, NULL);
	*priv = PK11_GenerateKeyPairWithFlags(slot, mech, params, pub, attrs, db);
	if (!*priv && external) {
		int err = PR_GetError();
		handles none = {NULL, 0};
		key_objects(db, slot, &none, &before);
		PR_SetError(err, 0);
	}
	free(before.h);
	if (!*priv) {
		char kind[32];
		if (spec->kind == P11C_KEY_EC)
			snprintf(kind, sizeof(kind), "ec:%s", spec->curve);
		else
			snprintf(kind, sizeof(kind), "rsa:%d", spec->bits);
		return p11c_fail_nss(db, P11C_ETOKEN, "cannot make a %s key on token '%s'", kind,
		                     label);
	}
	/* A key without its name is one nobody finds again, a public key
	 * without the pair's CKA_ID (NSS skips it when the token fails to say
	 * the object is a token one) one nobody deletes: undone. */
	if ((external && pub_id_fix(*priv, *pub) != 0) ||
	    (nickname && PK11_SetPrivateKeyNickname(*priv, nickname) != SECSuccess)) {
		int rc = p11c_fail_nss(
		    db, P11C_ETOKEN, "cannot name the new key '%s' on token '%s'", nickname, label);
		p11c_key_destroy(*priv, *pub);
		*priv = NULL;
		*pub = NULL;
		return rc;
	}
	if (spec->kind != P11C_KEY_EC)
		p11c_token_defects_warn(db, slot, rsaKey);
	return P11C_OK;
}

void p11c_key_destroy(SECKEYPrivateKey *priv, SECKEYPublicKey *pub)
{
	if (pub) {
		PK11_DeleteTokenPublicKey(pub);
	}
	if (priv)
		PK11_DeleteTokenPrivateKey(priv, PR_TRUE);
}

SECOidTag p11c_hash_for_key(const SECKEYPublicKey *pub)
{
	if (pub->keyType == ecKey) {
		unsigned bits = SECKEY_PublicKeyStrengthInBits(pub);
		if (bits > 384)
			return SEC_OID_SHA512;
		if (bits > 256)
			return SEC_OID_SHA384;
	}
	return SEC_OID_SHA256;
}

int p11c_key_name_check_new(p11c_db *db, PK11SlotInfo *slot, const char *name)
{
	SECKEYPrivateKeyList *keys = PK11_ListPrivKeysInSlot(slot, (char *)name, db);
	int found = keys && !PRIVKEY_LIST_END(PRIVKEY_LIST_HEAD(keys), keys);
	if (keys)
		SECKEY_DestroyPrivateKeyList(keys);
	return found ? p11c_fail(db, P11C_EFAIL, "a key named '%s' is already on token '%s'", name,
	                         PK11_GetTokenName(slot))
	             : P11C_OK;
}

/* Destroy the public-key objects of CKA_ID id. */
static void delete_public(PK11SlotInfo *slot, const SECItem *id)
{
	SECKEYPublicKeyList *pubs = PK11_ListPublicKeysInSlot(slot, NULL);
	for (SECKEYPublicKeyListNode *n = pubs ? PUBKEY_LIST_HEAD(pubs) : NULL;
	     pubs && !PUBKEY_LIST_END(n, pubs); n = PUBKEY_LIST_NEXT(n)) {
		SECItem pid = {siBuffer, NULL, 0};
		if (PK11_ReadRawAttribute(PK11_TypePubKey, n->key, CKA_ID, &pid) != SECSuccess)
			continue;
		if (SECITEM_ItemsAreEqual(&pid, id))
			PK11_DestroyTokenObject(slot, n->key->pkcs11ID);
		SECITEM_FreeItem(&pid, PR_FALSE);
	}
	if (pubs)
		SECKEY_DestroyPublicKeyList(pubs);
}

int p11c_key_delete(SECKEYPrivateKey *key)
{
	PK11SlotInfo *slot = PK11_ReferenceSlot(key->pkcs11Slot);
	/* The CKA_ID first: without it the public key could not be found. */
	SECItem *id = PK11_GetLowLevelKeyIDForPrivateKey(key);
	if (!id)
		id = PK11_GetLowLevelKeyIDForPrivateKey(key);
	if (!id) {
		SECKEY_DestroyPrivateKey(key);
		PK11_FreeSlot(slot);
		return -1;
	}
	/* PK11_DeleteTokenPrivateKey destroys key whatever happens: a second
	 * try, for a token's passing failure, needs a second reference. */
	SECKEYPrivateKey *again = SECKEY_CopyPrivateKey(key);
	SECStatus s = PK11_DeleteTokenPrivateKey(key, PR_TRUE);
	if (s != SECSuccess && again) {
		s = PK11_DeleteTokenPrivateKey(again, PR_TRUE);
		again = NULL;
	}
	if (again)
		SECKEY_DestroyPrivateKey(again);
	/* Its public-key objects (same CKA_ID) go too, or they pile up; a
	 * second look finds those a token's passing failure kept (a search
	 * cut short, a destroy refused), and costs one search otherwise. */
	for (int pass = 0; pass < 2; pass++)
		delete_public(slot, id);
	SECITEM_FreeItem(id, PR_TRUE);
	PK11_FreeSlot(slot);
	return s == SECSuccess ? 0 : -1;
}

int p11c_key_extractable(SECKEYPrivateKey *key)
{
	SECItem attr = {siBuffer, NULL, 0};
	if (PK11_ReadRawAttribute(PK11_TypePrivKey, key, CKA_EXTRACTABLE, &attr) != SECSuccess)
		return -1;
	int extractable = attr.len > 0 && attr.data[0];
	SECITEM_FreeItem(&attr, PR_FALSE);
	return extractable;
}

int p11c_key_names(SECKEYPrivateKey *key, char **name, char **id_hex)
{
	char *nick = PK11_GetPrivateKeyNickname(key);
	SECItem *id = PK11_GetLowLevelKeyIDForPrivateKey(key);
	*name = strdup(nick ? nick : "");
	*id_hex = id ? p11c_hex(id->data, id->len, 0) : strdup("");
	PORT_Free(nick);
	if (id)
		SECITEM_FreeItem(id, PR_TRUE);
	if (*name && *id_hex)
		return 0;
	free(*name);
	free(*id_hex);
	*name = *id_hex = NULL;
	return -1;
}

void p11c_keypair_release(int rc, SECKEYPrivateKey **priv, SECKEYPublicKey **pub)
{
	if (rc && *priv) {
		p11c_key_destroy(*priv, *pub);
	} else {
		if (*priv)
			SECKEY_DestroyPrivateKey(*priv);
		if (*pub)
			SECKEY_DestroyPublicKey(*pub);
	}
	*priv = NULL;
	*pub = NULL;
}
