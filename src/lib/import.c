/* SPDX-License-Identifier: MPL-2.0 */
/* import-cert and import-selfsign-cert: PKCS#12 from openssl, pk12util,
 * keytool or Windows, all or nothing. */
#include <cert.h>
#include <certdb.h>
#include <p12.h>
#include <pk11pub.h>
#include <secerr.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"

typedef struct {
	SECItem leaf;      /* DER of the certificate that has the key */
	const char *alias; /* the name it is to take */
} rename_ctx;

static SECItem *nickname_item(const char *name)
{
	size_t n = strlen(name);
	SECItem *it = SECITEM_AllocItem(NULL, NULL, (unsigned)n + 1);
	if (it) {
		it->type = siAsciiString;
		memcpy(it->data, name, n + 1);
		it->len = (unsigned)n; /* as NSS's own tools hand nicknames back */
	}
	return it;
}

/* The leaf takes the alias; a CA without a friendly name takes its CN. */
static SECStatus rename_cb(const CERTCertificate *cert, const SECItem *def, SECItem **out,
                           void *arg)
{
	rename_ctx *r = arg;
	*out = NULL;
	if (SECITEM_ItemsAreEqual(&cert->derCert, &r->leaf)) {
		*out = nickname_item(r->alias);
		return *out ? SECSuccess : SECFailure;
	}
	if (def && def->len)
		return SECSuccess;
	char *cn = CERT_GetCommonName(&cert->subject);
	if (cn) {
		*out = nickname_item(cn);
		PORT_Free(cn);
	}
	return SECSuccess;
}

/* A name already taken: add " #2"... (NSS asks only when it collides). */
static SECItem *collision_cb(SECItem *old, PRBool *cancel, void *arg)
{
	(void)arg;
	char buf[512];
	*cancel = PR_FALSE;
	if (!old || !old->data) {
		*cancel = PR_TRUE;
		return NULL;
	}
	for (int i = 2; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "%.*s #%d", (int)old->len, (const char *)old->data, i);
		CERTCertificate *c = CERT_FindCertByNickname(CERT_GetDefaultCertDB(), buf);
		if (!c)
			return nickname_item(buf);
		CERT_DestroyCertificate(c);
	}
	*cancel = PR_TRUE;
	return NULL;
}

static int password_error(p11c_db *db, const char *path)
{
	int err = PORT_GetError();
	if (err == SEC_ERROR_BAD_PASSWORD || err == SEC_ERROR_PKCS12_PRIVACY_PASSWORD_INCORRECT ||
	    err == SEC_ERROR_PKCS12_INVALID_MAC)
		return p11c_fail_nss(db, P11C_EPASSWORD, "wrong password for '%s'", path);
	return p11c_fail_nss(db, P11C_EFAIL, "'%s' is not a PKCS#12 file p11cert can read", path);
}

/* The certificate that comes with a key, and its friendly name. */
static int find_leaf(p11c_db *db, SEC_PKCS12DecoderContext *dcx, const char *path, SECItem *leaf,
                     char **friendly)
{
	const SEC_PKCS12DecoderItem *it = NULL;
	if (SEC_PKCS12DecoderIterateInit(dcx) != SECSuccess)
		return p11c_fail_nss(db, P11C_EFAIL, "cannot read '%s'", path);
	while (SEC_PKCS12DecoderIterateNext(dcx, &it) == SECSuccess && it) {
		if (it->type != SEC_OID_PKCS12_V1_CERT_BAG_ID || !it->hasKey || !it->der)
			continue;
		if (SECITEM_CopyItem(NULL, leaf, it->der) != SECSuccess)
			return p11c_fail(db, P11C_EFAIL, "out of memory");
		if (it->friendlyName && it->friendlyName->len)
			*friendly =
			    strndup((const char *)it->friendlyName->data, it->friendlyName->len);
		return P11C_OK;
	}
	return p11c_fail(db, P11C_EFAIL, "'%s' holds no private key with its certificate", path);
}

/* The alias: asked, else the file's friendly name, else the CN. */
static char *choose_alias(const p11c_import_opts *o, const char *friendly, const SECItem *leaf)
{
	if (o->alias)
		return strdup(o->alias);
	if (friendly && *friendly && !strchr(friendly, ':'))
		return strdup(friendly);
	CERTCertificate *c = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), (SECItem *)leaf, NULL,
	                                             PR_FALSE, PR_TRUE);
	char *cn = c ? CERT_GetCommonName(&c->subject) : NULL;
	char *alias = strdup(cn ? cn : "imported");
	PORT_Free(cn);
	if (c)
		CERT_DestroyCertificate(c);
	return alias;
}

int p11c_key_keep_on_token(p11c_db *db, SECKEYPrivateKey *key, const char *alias)
{
	if (p11c_key_extractable(key) == 0)
		return P11C_OK; /* the token made it so already */
	CK_BBOOL no = CK_FALSE;
	SECItem v = {siBuffer, &no, sizeof(no)};
	if (PK11_WriteRawAttribute(PK11_TypePrivKey, key, CKA_EXTRACTABLE, &v) != SECSuccess)
		return p11c_fail_nss(db, P11C_ETOKEN,
		                     "token '%s' cannot mark the key of '%s' non-extractable",
		                     PK11_GetTokenName(key->pkcs11Slot), alias);
	return P11C_OK;
}

int p11c_key_honour_extractable(p11c_db *db, SECKEYPrivateKey *key, const char *alias)
{
	int extractable = p11c_key_extractable(key) == 1;
	/* NSS's imports set no CKA_EXTRACTABLE: the token's default decides,
	 * and it cannot be turned on afterwards.  Say so rather than leave a
	 * key the user asked to be movable locked in. */
	if (!extractable)
		return p11c_fail(db, P11C_ETOKEN,
		                 "token '%s' made the imported key of '%s' non-extractable; "
		                 "--extractable cannot be honoured for an import there",
		                 PK11_GetTokenName(key->pkcs11Slot), alias);
	return P11C_OK;
}

/* After the import: a key on an external token made non-extractable, the
 * self-signed certificate trusted when asked. */
static int finish_import(p11c_db *db, const SECItem *leaf, const p11c_import_opts *o,
                         const char *alias)
{
	int rc = P11C_OK;
	CERTCertificate *cert = CERT_FindCertByDERCert(CERT_GetDefaultCertDB(), (SECItem *)leaf);
	if (!cert)
		return p11c_fail(db, P11C_EFAIL, "imported '%s' but cannot find it", alias);
	SECKEYPrivateKey *key = PK11_FindKeyByAnyCert(cert, db);
	if (key && !PK11_IsInternal(key->pkcs11Slot)) {
		char *label = PK11_GetPrivateKeyNickname(key);
		if (!label || !*label) /* what an unwrap leaves without a label */
			PK11_SetPrivateKeyNickname(key, alias);
		PORT_Free(label);
		rc = o->extractable ? p11c_key_honour_extractable(db, key, alias)
		                    : p11c_key_keep_on_token(db, key, alias);
	}
	if (!rc && o->trust_self_signed &&
	    SECITEM_ItemsAreEqual(&cert->derSubject, &cert->derIssuer))
		rc = p11c_set_trust(db, cert, alias, "CT,,");
	if (key)
		SECKEY_DestroyPrivateKey(key);
	CERT_DestroyCertificate(cert);
	return rc;
}

/* The certificates of the file the database does not hold yet: what an
 * import that fails half way must take out again. */
static CERTCertList *new_certs(SEC_PKCS12DecoderContext *dcx)
{
	CERTCertList *all = SEC_PKCS12DecoderGetCerts(dcx);
	CERTCertList *fresh = CERT_NewCertList();
	for (CERTCertListNode *n = all ? CERT_LIST_HEAD(all) : NULL;
	     fresh && all && !CERT_LIST_END(n, all); n = CERT_LIST_NEXT(n)) {
		CERTCertificate *there =
		    CERT_FindCertByDERCert(CERT_GetDefaultCertDB(), &n->cert->derCert);
		if (there && there->isperm) {
			CERT_DestroyCertificate(there);
			continue;
		}
		if (there)
			CERT_DestroyCertificate(there);
		CERTCertificate *dup = CERT_DupCertificate(n->cert);
		if (CERT_AddCertToListTail(fresh, dup) != SECSuccess)
			CERT_DestroyCertificate(dup);
	}
	if (all)
		CERT_DestroyCertList(all);
	return fresh;
}

/* Undo an import that failed half way: the leaf's key, and every
 * certificate of the file that was not there before. */
static void undo_import(p11c_db *db, PK11SlotInfo *slot, const SECItem *leaf, CERTCertList *fresh)
{
	CERTCertificate *cert = CERT_FindCertByDERCert(CERT_GetDefaultCertDB(), (SECItem *)leaf);
	SECKEYPrivateKey *key = cert ? PK11_FindKeyByAnyCert(cert, db) : NULL;
	if (cert)
		CERT_DestroyCertificate(cert);
	/* A key stored before its certificate failed: found by the leaf's
	 * public key (its CKA_ID) on the token it went to. */
	cert = key ? NULL
	           : CERT_NewTempCertificate(CERT_GetDefaultCertDB(), (SECItem *)leaf, NULL,
	                                     PR_FALSE, PR_TRUE);
	SECItem *id = cert ? PK11_GetLowLevelKeyIDForCert(NULL, cert, db) : NULL;
	if (id) {
		key = PK11_FindKeyByKeyID(slot, id, db);
		SECITEM_FreeItem(id, PR_TRUE);
	}
	if (cert)
		CERT_DestroyCertificate(cert);
	if (key)
		p11c_key_delete(key);
	/* and the certificate a token made while NSS heard it fail */
	CERTCertificate *made = PK11_FindCertFromDERCertItem(slot, leaf, db);
	if (made) {
		SEC_DeletePermCertificate(made);
		CERT_DestroyCertificate(made);
	}
	for (CERTCertListNode *n = fresh ? CERT_LIST_HEAD(fresh) : NULL;
	     fresh && !CERT_LIST_END(n, fresh); n = CERT_LIST_NEXT(n))
		p11c_remove_copies(db, &n->cert->derCert, "an imported certificate");
}

int p11c_import_p12(p11c_db *db, const char *path, const char *password,
                    const p11c_import_opts *opts, char **alias_out)
{
	p11c_import_opts defaults = P11C_IMPORT_OPTS_INIT;
	unsigned char *buf = NULL;
	size_t len = 0;
	SECItem pw = {siBuffer, NULL, 0}, leaf = {siBuffer, NULL, 0};
	PK11SlotInfo *slot = NULL;
	SEC_PKCS12DecoderContext *dcx = NULL;
	char *friendly = NULL, *alias = NULL;
	CERTCertList *fresh = NULL;
	int imported = 0;
	if (alias_out)
		*alias_out = NULL;
	if (!opts)
		opts = &defaults;
	int rc = p11c_require_open(db, 1);
	if (rc || (rc = p11c_file_read(db, path, &buf, &len)))
		return rc;
	if (len == 0) {
		rc = p11c_fail(db, P11C_EFAIL, "'%s' is empty", path);
		goto out;
	}
	p11c_p12_setup();
	if ((rc = p11c_slot_for_token(db, opts->token, &slot)) || (rc = p11c_login(db, slot)) ||
	    (rc = p11c_login_tokens(db)) || (rc = p11c_p12_password(db, password, &pw)))
		goto out;
	dcx = SEC_PKCS12DecoderStart(&pw, slot, db, NULL, NULL, NULL, NULL, NULL);
	if (!dcx) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot start reading '%s'", path);
		goto out;
	}
	if (SEC_PKCS12DecoderUpdate(dcx, buf, len) != SECSuccess ||
	    SEC_PKCS12DecoderVerify(dcx) != SECSuccess) {
		rc = password_error(db, path);
		goto out;
	}
	if ((rc = find_leaf(db, dcx, path, &leaf, &friendly)))
		goto out;
	alias = choose_alias(opts, friendly, &leaf);
	if (!alias) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	CERTCertificate *there = CERT_FindCertByDERCert(CERT_GetDefaultCertDB(), &leaf);
	if (there) {
		rc = p11c_fail(db, P11C_EFAIL,
		               "the certificate in '%s' is already in the database as '%s'", path,
		               there->nickname ? there->nickname : "(no alias)");
		CERT_DestroyCertificate(there);
		goto out;
	}
	rename_ctx r = {leaf, alias};
	if ((rc = p11c_alias_check_new(db, slot, alias)))
		goto out;
	if (SEC_PKCS12DecoderRenameCertNicknames(dcx, rename_cb, &r) != SECSuccess ||
	    SEC_PKCS12DecoderValidateBags(dcx, collision_cb) != SECSuccess) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot import '%s'", path);
		goto out;
	}
	p11c_log(db, "importing '%s' as '%s' on token '%s'", path, alias, PK11_GetTokenName(slot));
	fresh = new_certs(dcx);
	imported = 1;
	if (SEC_PKCS12DecoderImportBags(dcx) != SECSuccess) {
		rc = p11c_fail_nss(db, P11C_ETOKEN, "cannot import '%s' into token '%s'", path,
		                   PK11_GetTokenName(slot));
		goto out;
	}
	if ((rc = finish_import(db, &leaf, opts, alias)))
		goto out;
	if (alias_out && !(*alias_out = p11c_qualified(slot, alias)))
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
out:
	if (rc && imported)
		undo_import(db, slot, &leaf, fresh);
	if (fresh)
		CERT_DestroyCertList(fresh);
	if (dcx)
		SEC_PKCS12DecoderFinish(dcx);
	if (slot)
		PK11_FreeSlot(slot);
	p11c_p12_password_free(&pw);
	SECITEM_FreeItem(&leaf, PR_FALSE);
	free(friendly);
	free(alias);
	free(buf);
	return rc;
}
