/* SPDX-License-Identifier: MPL-2.0 */
/* renew-cert and renew-selfsign-cert: a newer certificate under the same
 * alias and trust; the old one goes only once the new one is stored. */
#include <cert.h>
#include <certdb.h>
#include <pk11pub.h>
#include <secoid.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"

/* The alias's name on its own token (without "TOKEN:"). */
static const char *bare_alias(const CERTCertificate *cert)
{
	const char *colon = cert->slot && !PK11_IsInternal(cert->slot) && cert->nickname
	                        ? strchr(cert->nickname, ':')
	                        : NULL;
	if (colon)
		return colon + 1;
	/* A certificate NSS found through its key carries its token's name
	 * even on the internal token ("NSS Certificate DB:srv"). */
	const char *token = cert->slot ? PK11_GetTokenName(cert->slot) : NULL;
	size_t n = token ? strlen(token) : 0;
	if (cert->nickname && n && !strncmp(cert->nickname, token, n) && cert->nickname[n] == ':')
		return cert->nickname + n + 1;
	return cert->nickname;
}

/* Trust as set by a user, without the 'u' NSS derives from the key. */
static int stored_trust(CERTCertificate *cert, CERTCertTrust *t)
{
	if (CERT_GetCertTrust(cert, t) != SECSuccess)
		return 0;
	t->sslFlags &= ~CERTDB_USER;
	t->emailFlags &= ~CERTDB_USER;
	t->objectSigningFlags &= ~CERTDB_USER;
	return (t->sslFlags | t->emailFlags | t->objectSigningFlags) != 0;
}

/* Remove what a failed step stored of fresh on slot: 0 when nothing is
 * left. */
static int take_back(p11c_db *db, PK11SlotInfo *slot, CERTCertificate *fresh)
{
	int err = PORT_GetError(), left = 0;
	CERTCertificate *stored = PK11_FindCertFromDERCertItem(slot, &fresh->derCert, db);
	if (stored) {
		left = p11c_delete_cert(db, stored) != SECSuccess;
		CERT_DestroyCertificate(stored);
	}
	PORT_SetError(err);
	return left ? -1 : 0;
}

/* Store fresh as the new holder of old's alias and trust, then drop old
 * (and old_key, when not NULL: a rotated key). */
int p11c_cert_replace(p11c_db *db, CERTCertificate *old, CERTCertificate *fresh,
                      SECKEYPrivateKey *old_key)
{
	CERTCertTrust trust;
	int has_trust = stored_trust(old, &trust);
	PK11SlotInfo *slot = old->slot ? PK11_ReferenceSlot(old->slot) : p11c_db_slot(db);
	char *alias = strdup(p11c_alias_of(db, old));
	int rc = P11C_OK;
	if (!alias) {
		PK11_FreeSlot(slot);
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	}
	if ((rc = p11c_pending_cert(db, slot, &fresh->derCert)))
		goto out;
	if (PK11_ImportCert(slot, fresh, CK_INVALID_HANDLE, bare_alias(old), PR_FALSE) !=
	    SECSuccess) {
		rc = p11c_fail_nss(db, P11C_ETOKEN, "cannot store the new certificate for '%s'",
		                   alias);
		take_back(db, slot, fresh); /* a token may have made it all the same */
		goto out;
	}
	if (has_trust &&
	    CERT_ChangeCertTrust(CERT_GetDefaultCertDB(), fresh, &trust) != SECSuccess) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot carry the trust of '%s' over", alias);
		p11c_delete_cert(db, fresh);
		goto out;
	}
	/* From here on an interrupted renewal is finished, not undone. */
	if ((rc = p11c_pending_commit(db, old, old_key))) {
		p11c_delete_cert(db, fresh);
		goto out;
	}
	SECItem old_der = {siBuffer, NULL, 0};
	if (SECITEM_CopyItem(NULL, &old_der, &old->derCert) != SECSuccess ||
	    p11c_delete_cert(db, old) != SECSuccess) {
		/* Committed: the record's replay tries the old one's removal
		 * again; taking the new one back could lose both. */
		rc = p11c_fail_nss(db, P11C_ETOKEN, "stored the new '%s' but cannot remove the old",
		                   alias);
		SECITEM_FreeItem(&old_der, PR_FALSE);
		goto out;
	}
	/* The old one's trust copy in cert9.db (a certificate on a token) too. */
	rc = p11c_remove_copies(db, &old_der, alias);
	SECITEM_FreeItem(&old_der, PR_FALSE);
	if (rc)
		goto out;
	p11c_log(db, "'%s' now holds the new certificate", alias);
out:
	free(alias);
	PK11_FreeSlot(slot);
	return rc;
}

/* Whether fresh expires later than old. */
static int newer(CERTCertificate *fresh, CERTCertificate *old)
{
	PRTime nb, fresh_end, old_end;
	return CERT_GetCertTimes(fresh, &nb, &fresh_end) == SECSuccess &&
	       CERT_GetCertTimes(old, &nb, &old_end) == SECSuccess && fresh_end > old_end;
}

int p11c_cert_renew(p11c_db *db, const char *alias, const char *path)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(alias), P11C_NAME(path));
	p11c_batch b;
	CERTCertificate *old = NULL;
	int rc = p11c_cert_open(db, alias, 1, &old);
	if (rc)
		return rc;
	if ((rc = p11c_batch_load(db, path, &b))) {
		CERT_DestroyCertificate(old);
		return rc;
	}
	size_t k = 0;
	while (k < b.n && !SECITEM_ItemsAreEqual(&b.certs[k]->derPublicKey, &old->derPublicKey))
		k++;
	if (k == b.n) {
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                 "no certificate in '%s' is for the key of '%s' (its public key "
		                 "differs); nothing changed",
		                 path, alias);
	} else if (SECITEM_ItemsAreEqual(&b.certs[k]->derCert, &old->derCert)) {
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_EXISTS,
		                 "'%s' already holds the certificate in '%s'", alias, path);
	} else if (!newer(b.certs[k], old)) {
		rc =
		    p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                "the certificate in '%s' expires no later than the one '%s' holds; "
		                "nothing changed",
		                path, alias);
	} else if (b.certs[k]->isperm) {
		rc = p11c_already_stored(db, path, b.certs[k]);
	} else if ((rc = p11c_pending_begin(db, "renew-cert")) == P11C_OK) {
		if ((rc = p11c_store_rest(db, &b, k, NULL)) == P11C_OK)
			rc = p11c_cert_replace(db, old, b.certs[k], NULL);
		p11c_batch_free(&b, rc != P11C_OK);
		rc = p11c_pending_end(db, rc);
		CERT_DestroyCertificate(old);
		return rc;
	}
	p11c_batch_free(&b, rc != P11C_OK);
	CERT_DestroyCertificate(old);
	return rc;
}

/* The key type of a certificate's key, to make another of its kind. */
static int spec_of(p11c_db *db, CERTCertificate *cert, p11c_key_spec *spec)
{
	SECKEYPublicKey *pub = CERT_ExtractPublicKey(cert);
	int rc = P11C_OK;
	memset(spec, 0, sizeof(*spec));
	if (pub && pub->keyType == rsaKey) {
		spec->kind = P11C_KEY_RSA;
		spec->bits = (int)SECKEY_PublicKeyStrengthInBits(pub);
	} else if (pub && pub->keyType == ecKey) {
		unsigned bits = SECKEY_PublicKeyStrengthInBits(pub);
		spec->kind = P11C_KEY_EC;
		spec->bits = bits > 384 ? 521 : bits > 256 ? 384 : 256;
		spec->curve = bits > 384 ? "p521" : bits > 256 ? "p384" : "p256";
	} else {
		rc = p11c_fail(db, P11C_EFAIL, "cannot make a new key of the kind '%s' has",
		               cert->nickname);
	}
	if (pub)
		SECKEY_DestroyPublicKey(pub);
	return rc;
}

int p11c_cert_renew_selfsign(p11c_db *db, const char *alias, int days, unsigned flags)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(alias), P11C_FLAGS(flags, P11C_RENEW_NEW_KEY));
	int new_key = (flags & P11C_RENEW_NEW_KEY) != 0;
	SECKEYPrivateKey *key = NULL, *priv = NULL;
	SECKEYPublicKey *pub = NULL, *newpub = NULL;
	CERTCertificate *fresh = NULL;
	SECItem *der = NULL, san = {siBuffer, NULL, 0};
	if (days < 1 || days > 36500)
		return p11c_fail_field(db, P11C_EUSAGE, "days",
		                       "a validity of %d days is out of range (1 to 36500)", days);
	CERTCertificate *old = NULL;
	int rc = p11c_cert_open(db, alias, 1, &old);
	if (rc)
		return rc;
	if (!SECITEM_ItemsAreEqual(&old->derSubject, &old->derIssuer)) {
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                 "'%s' is not self-signed: its CA issues its new certificate",
		                 alias);
		p11c_err_field(db, "certificate");
		goto out;
	}
	key = p11c_key_for_cert(db, old);
	if (!key) {
		rc = p11c_fail(db, P11C_ENOTFOUND, "no private key for '%s'", alias);
		goto out;
	}
	if ((rc = p11c_login(db, key->pkcs11Slot)) ||
	    (rc = p11c_pending_begin(db, "renew-selfsign-cert")))
		goto out;
	pub = CERT_ExtractPublicKey(old);
	if (new_key) {
		p11c_key_spec spec;
		int extractable = p11c_key_extractable(key) != 0;
		if ((rc = spec_of(db, old, &spec)) ||
		    (rc = p11c_keygen(db, key->pkcs11Slot, &spec, extractable, bare_alias(old),
		                      &priv, &newpub)))
			goto out;
	}
	CERTBasicConstraints bc = {PR_FALSE, 0};
	SECItem bcext = {siBuffer, NULL, 0};
	int ca =
	    CERT_FindCertExtension(old, SEC_OID_X509_BASIC_CONSTRAINTS, &bcext) == SECSuccess &&
	    CERT_DecodeBasicConstraintValue(&bc, &bcext) == SECSuccess && bc.isCA;
	SECITEM_FreeItem(&bcext, PR_FALSE);
	int has_san =
	    CERT_FindCertExtension(old, SEC_OID_X509_SUBJECT_ALT_NAME, &san) == SECSuccess;
	p11c_cert_template t = {
	    .subject = &old->subject,
	    .issuer = &old->subject,
	    .pub = new_key ? newpub : pub,
	    .signer = new_key ? priv : key,
	    .signer_pub = new_key ? newpub : pub,
	    .days = days,
	    .san_der = has_san ? &san : NULL,
	    .ca = ca,
	    .usage = P11C_EKU_SERVER_AUTH | P11C_EKU_CLIENT_AUTH,
	};
	if (!t.pub) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot read the key of '%s'", alias);
		goto out;
	}
	if ((rc = p11c_cert_build(db, &t, &der)))
		goto out;
	fresh = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), der, NULL, PR_FALSE, PR_TRUE);
	if (!fresh) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot decode the new certificate");
		goto out;
	}
	if ((rc = p11c_cert_replace(db, old, fresh, new_key ? key : NULL)))
		goto out;
	/* The new key now serves the stored certificate: it stays, whatever
	 * follows.  The old key goes only now. */
	if (priv) {
		SECKEY_DestroyPrivateKey(priv);
		priv = NULL;
	}
	if (new_key && p11c_key_delete(key) != 0)
		rc = p11c_fail_nss(db, P11C_ETOKEN, "renewed '%s' but cannot remove the old key",
		                   alias);
	if (new_key)
		key = NULL;
out:
	p11c_keypair_release(rc, &priv, &newpub);
	rc = p11c_pending_end(db, rc);
	if (key)
		SECKEY_DestroyPrivateKey(key);
	if (pub)
		SECKEY_DestroyPublicKey(pub);
	if (fresh)
		CERT_DestroyCertificate(fresh);
	if (der)
		SECITEM_FreeItem(der, PR_TRUE);
	SECITEM_FreeItem(&san, PR_FALSE);
	CERT_DestroyCertificate(old);
	return rc;
}
