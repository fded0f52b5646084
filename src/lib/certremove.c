/* SPDX-License-Identifier: MPL-2.0 */
/* remove-cert: a certificate, its copies, its trust and its key out of
 * the database. */
#include <cert.h>
#include <certdb.h>
#include <pk11pub.h>
#include <pkcs11n.h>
#include <secerr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"

static int in_other_db(p11c_db *db, CERTCertificate *cert)
{
	PK11SlotList *list = PK11_GetAllSlotsForCert(cert, NULL);
	int other = 0;
	for (PK11SlotListElement *le = list ? list->head : NULL; le && !other; le = le->next)
		other = !p11c_slot_visible(db, le->slot);
	if (list)
		PK11_FreeSlotList(list);
	return other;
}

SECKEYPrivateKey *p11c_key_for_cert(p11c_db *db, CERTCertificate *cert)
{
	/* NSS's search takes the first token holding the certificate, which
	 * may be another handle's database. */
	if (!in_other_db(db, cert))
		return PK11_FindKeyByAnyCert(cert, db);
	PK11SlotList *list = PK11_GetAllSlotsForCert(cert, NULL);
	SECKEYPrivateKey *key = NULL;
	for (PK11SlotListElement *le = list ? list->head : NULL; le && !key; le = le->next)
		if (p11c_slot_visible(db, le->slot))
			key = PK11_FindKeyByDERCert(le->slot, cert, db);
	if (list)
		PK11_FreeSlotList(list);
	/* NSS's object may not list a copy just stored here yet. */
	if (!key)
		key = PK11_FindKeyByDERCert(db->slot, cert, db);
	return key;
}

/* The trust objects for cert on slot go. */
static void drop_trust(PK11SlotInfo *slot, CERTCertificate *cert)
{
	unsigned char sha1[20];
	if (PK11_HashBuf(SEC_OID_SHA1, sha1, cert->derCert.data, (PRInt32)cert->derCert.len) !=
	    SECSuccess)
		return;
	PK11GenericObject *all = PK11_FindGenericObjects(slot, CKO_NSS_TRUST);
	for (PK11GenericObject *o = all; o; o = PK11_GetNextGenericObject(o)) {
		SECItem v = {siBuffer, NULL, 0};
		if (PK11_ReadRawAttribute(PK11_TypeGeneric, o, CKA_CERT_SHA1_HASH, &v) !=
		    SECSuccess)
			continue;
		if (v.len == sizeof(sha1) && !memcmp(v.data, sha1, sizeof(sha1)))
			PK11_DestroyTokenObject(slot,
			                        PK11_GetObjectHandle(PK11_TypeGeneric, o, NULL));
		SECITEM_FreeItem(&v, PR_FALSE);
	}
	if (all)
		PK11_DestroyGenericObjects(all);
}

SECStatus p11c_delete_cert(p11c_db *db, CERTCertificate *cert)
{
	/* NSS's removal reaches every token holding the certificate, other
	 * handles' databases too: there, only this handle's slots. */
	if (!in_other_db(db, cert))
		return SEC_DeletePermCertificate(cert);
	PK11SlotList *list = PK11_GetAllSlotsForCert(cert, NULL);
	SECStatus s = SECSuccess;
	for (PK11SlotListElement *le = list ? list->head : NULL; le; le = le->next) {
		if (!p11c_slot_visible(db, le->slot))
			continue;
		CK_OBJECT_HANDLE h = PK11_FindCertInSlot(le->slot, cert, db);
		if (h != CK_INVALID_HANDLE && PK11_DestroyTokenObject(le->slot, h) != SECSuccess)
			s = SECFailure;
		drop_trust(le->slot, cert);
	}
	if (list)
		PK11_FreeSlotList(list);
	return s;
}

/* A certificate on a token that was given trust has a copy in cert9.db
 * holding that trust: it goes too, or the CA would stay trusted. */
int p11c_remove_copies(p11c_db *db, SECItem *der, const char *alias)
{
	for (int i = 0; i < 8; i++) {
		CERTCertificate *copy = CERT_FindCertByDERCert(CERT_GetDefaultCertDB(), der);
		if (copy && in_other_db(db, copy)) {
			/* p11c_delete_cert took this handle's copies; the rest are
			 * other databases'. */
			CERT_DestroyCertificate(copy);
			return P11C_OK;
		}
		if (!copy)
			return P11C_OK;
		SECStatus s = copy->isperm ? SEC_DeletePermCertificate(copy) : SECFailure;
		CERT_DestroyCertificate(copy);
		if (s != SECSuccess)
			return P11C_OK; /* a temporary certificate: nothing stored */
	}
	return p11c_fail(db, P11C_EFAIL, "cannot remove every copy of '%s'", alias);
}

static int refused(p11c_db *db, const char *alias, PK11SlotInfo *slot)
{
	int err = PORT_GetError();
	const char *token = slot ? PK11_GetTokenName(slot) : "internal";
	if (slot && PK11_IsReadOnly(slot))
		return p11c_fail(db, P11C_ETOKEN, "cannot remove '%s': token '%s' is read-only",
		                 alias, token);
	if (err == 0 || err == SEC_ERROR_EXTENSION_NOT_FOUND)
		return p11c_fail(db, P11C_ETOKEN,
		                 "cannot remove '%s': token '%s' refused to delete it (the token "
		                 "or its storage is read-only)",
		                 alias, token);
	return p11c_fail_nss(db, P11C_ETOKEN, "cannot remove '%s'", alias);
}

/* The NSS errors of a token's failure (PK11_MapError of CKR_DEVICE_*,
 * CKR_TOKEN_NOT_PRESENT, CKR_SESSION_*, CKR_FUNCTION_FAILED ...). */
static int token_trouble(int err)
{
	return err == SEC_ERROR_NO_TOKEN || err == SEC_ERROR_IO || err == SEC_ERROR_BAD_DATA ||
	       err == SEC_ERROR_LIBRARY_FAILURE || err == SEC_ERROR_PKCS11_DEVICE_ERROR ||
	       err == SEC_ERROR_PKCS11_FUNCTION_FAILED || err == SEC_ERROR_PKCS11_GENERAL_ERROR;
}

int p11c_cert_remove(p11c_db *db, const char *alias, unsigned flags)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(alias), P11C_FLAGS(flags, P11C_REMOVE_KEEP_KEY));
	int keep_key = (flags & P11C_REMOVE_KEEP_KEY) != 0;
	CERTCertificate *probe = NULL;
	/* Writers take turns (p11cert.lock, from the open on): a remover that
	 * waited for another finds the alias gone, and says so. */
	int rc = p11c_cert_open(db, alias, 1, &probe);
	if (rc)
		return rc;
	PK11SlotInfo *slot = probe->slot ? PK11_ReferenceSlot(probe->slot) : NULL;
	CERT_DestroyCertificate(probe);
	if (slot && (rc = p11c_login(db, slot)))
		goto out;
	if (slot && PK11_IsReadOnly(slot)) {
		rc = refused(db, alias, slot);
		goto out;
	}
	/* Found once, the token may still fail the second look (NULL). */
	char *nss_name = p11c_nss_name(db, alias);
	CERTCertList *list = nss_name ? PK11_FindCertsFromNickname(nss_name, db) : NULL;
	free(nss_name);
	if (!list || CERT_LIST_EMPTY(list))
		rc = p11c_fail_nss(db, P11C_ETOKEN, "cannot read '%s' back", alias);
	/* Decided: an interrupted removal is finished by the next writer. */
	if (!rc)
		rc = p11c_pending_begin(db, "remove-cert");
	for (CERTCertListNode *node = rc ? NULL : CERT_LIST_HEAD(list);
	     node && !rc && !CERT_LIST_END(node, list); node = CERT_LIST_NEXT(node)) {
		PORT_SetError(0);
		SECKEYPrivateKey *key = keep_key ? NULL : p11c_key_for_cert(db, node->cert);
		/* A search the token failed is not "no key": the key would stay
		 * behind.  (What NSS leaves after finding none varies.) */
		if (!keep_key && !key && token_trouble(PORT_GetError()))
			rc = p11c_fail_nss(db, P11C_ETOKEN, "cannot look for the key of '%s'",
			                   alias);
		else
			rc = p11c_pending_commit(db, node->cert, key);
		if (key)
			SECKEY_DestroyPrivateKey(key);
	}
	for (CERTCertListNode *node = rc ? NULL : CERT_LIST_HEAD(list);
	     node && !rc && !CERT_LIST_END(node, list); node = CERT_LIST_NEXT(node)) {
		PORT_SetError(0);
		SECKEYPrivateKey *key = keep_key ? NULL : p11c_key_for_cert(db, node->cert);
		if (!keep_key && !key && token_trouble(PORT_GetError())) {
			rc = p11c_fail_nss(db, P11C_ETOKEN, "cannot look for the key of '%s'",
			                   alias);
			break;
		}
		if (p11c_delete_cert(db, node->cert) != SECSuccess) {
			rc = refused(db, alias, node->cert->slot);
			if (key)
				SECKEY_DestroyPrivateKey(key);
			break;
		}
		if (key && p11c_key_delete(key) != 0) {
			rc = p11c_fail_nss(db, P11C_ETOKEN, "removed '%s' but not its key", alias);
			break;
		}
		rc = p11c_remove_copies(db, &node->cert->derCert, alias);
	}
	if (list)
		CERT_DestroyCertList(list);
	rc = p11c_pending_end(db, rc);
out:
	if (slot)
		PK11_FreeSlot(slot);
	return rc;
}
