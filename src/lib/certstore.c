/* SPDX-License-Identifier: MPL-2.0 */
/* Certificates stored: found by alias, named, stored with their trust, and
 * the batches of a file that add-cert and renew-cert store. */
#include <cert.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <certdb.h>
#include <pk11pub.h>
#include <pkcs11n.h>
#include <secerr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"

CERTCertificate *p11c_find_cert(p11c_db *db, const char *alias)
{
	char *name = p11c_nss_name(db, alias);
	CERTCertificate *c = name ? PK11_FindCertFromNickname(name, db) : NULL;
	free(name);
	/* "TOKEN:alias" of another handle's database is not this one's. */
	if (c && !p11c_cert_visible(db, c)) {
		CERT_DestroyCertificate(c);
		c = NULL;
	}
	return c;
}

int p11c_cert_stored(p11c_db *db, CERTCertificate *cert)
{
	return cert->isperm && p11c_cert_visible(db, cert);
}

/* "TOKEN:alias" for an external slot, the bare alias for the handle's
 * own database. */
char *p11c_qualified(p11c_db *db, PK11SlotInfo *slot, const char *alias)
{
	if (!slot || p11c_is_own_slot(db, slot) || PK11_IsInternal(slot))
		return strdup(alias);
	const char *label = PK11_GetTokenName(slot);
	size_t n = strlen(label) + strlen(alias) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s:%s", label, alias);
	return s;
}

int p11c_alias_qualify(p11c_db *db, const char *token, const char *alias, char **out)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OPTNAME(token), P11C_NAME(alias), P11C_OUT(out));
	*out = NULL;
	if (!token || strchr(alias, ':')) {
		*out = strdup(alias);
		return *out ? P11C_OK : p11c_fail(db, P11C_EFAIL, "out of memory");
	}
	PK11SlotInfo *slot = NULL;
	int rc = p11c_require_open(db, 0);
	if (rc || (rc = p11c_slot_for_token(db, token, &slot)))
		return rc;
	*out = p11c_is_own_slot(db, slot) ? strdup(alias) : p11c_qualified(db, slot, alias);
	PK11_FreeSlot(slot);
	return *out ? P11C_OK : p11c_fail(db, P11C_EFAIL, "out of memory");
}

int p11c_alias_check_new(p11c_db *db, PK11SlotInfo *slot, const char *alias)
{
	if (!alias || !*alias)
		return p11c_fail_c(db, P11C_EUSAGE, P11C_ERR_USAGE, "an alias is needed");
	if (strchr(alias, ':'))
		return p11c_fail_field(db, P11C_EUSAGE, "token",
		                       "alias '%s' may not contain ':', which is kept for "
		                       "naming a token",
		                       alias);
	char *q = p11c_qualified(db, slot, alias);
	if (!q)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	CERTCertificate *c = p11c_find_cert(db, q);
	int rc = c ? p11c_fail_c(db, P11C_EFAIL, P11C_ERR_EXISTS, "alias '%s' already exists", q)
	           : P11C_OK;
	if (c)
		p11c_err_field(db, "alias");
	if (c)
		CERT_DestroyCertificate(c);
	free(q);
	return rc;
}

/* Whether cert has an instance on a slot other than the handle's own. */
static int elsewhere(p11c_db *db, CERTCertificate *cert, int *here)
{
	PK11SlotList *list = PK11_GetAllSlotsForCert(cert, NULL);
	int other = 0;
	*here = 0;
	for (PK11SlotListElement *le = list ? list->head : NULL; le; le = le->next) {
		if (p11c_is_own_slot(db, le->slot))
			*here = 1;
		else
			other = 1;
	}
	if (list)
		PK11_FreeSlotList(list);
	return other;
}

/* NSS sets trust on the first writable token holding the certificate
 * that has no trust object yet, and when that token cannot hold one (an
 * HSM), in its internal key slot: another database when this handle's is
 * not NSS's first.  So a handle on a further database puts a copy of the
 * certificate (as cert9.db keeps for a certificate on a token) and an
 * empty trust object into its own slot first; NSS then updates that. */
static int trust_home(p11c_db *db, CERTCertificate *cert, const char *nickname)
{
	int here = 0;
	if (p11c_db_is_nss_internal(db) || !cert->isperm || !elsewhere(db, cert, &here))
		return P11C_OK;
	if (!here &&
	    ((p11c_pending_cert(db, db->slot, &cert->derCert)) ||
	     PK11_ImportCert(db->slot, cert, CK_INVALID_HANDLE, nickname, PR_FALSE) != SECSuccess))
		return p11c_fail_nss(db, P11C_EFAIL,
		                     "cannot keep the trust of '%s' in database '%s'", nickname,
		                     db->dir);
	unsigned char sha1[20], md5[16], serial[4 + 64];
	/* CKA_SERIAL_NUMBER is the DER INTEGER (RFC 5280: at most 20 octets). */
	const SECItem *sn = &cert->serialNumber;
	if (sn->len > 64)
		return p11c_fail(db, P11C_EFAIL, "the serial number of '%s' is too long", nickname);
	size_t sl = 0;
	serial[sl++] = 0x02;
	serial[sl++] = (unsigned char)sn->len;
	memcpy(serial + sl, sn->data, sn->len);
	sl += sn->len;
	if (PK11_HashBuf(SEC_OID_SHA1, sha1, cert->derCert.data, (PRInt32)cert->derCert.len) !=
	        SECSuccess ||
	    PK11_HashBuf(SEC_OID_MD5, md5, cert->derCert.data, (PRInt32)cert->derCert.len) !=
	        SECSuccess)
		return p11c_fail_nss(db, P11C_EFAIL, "cannot read '%s'", nickname);
	CK_OBJECT_CLASS cls = CKO_NSS_TRUST;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_TRUST unknown = CKT_NSS_TRUST_UNKNOWN;
	CK_ATTRIBUTE tmpl[] = {
	    {CKA_CLASS, &cls, sizeof(cls)},
	    {CKA_TOKEN, &yes, sizeof(yes)},
	    {CKA_ISSUER, cert->derIssuer.data, cert->derIssuer.len},
	    {CKA_SERIAL_NUMBER, serial, (CK_ULONG)sl},
	    {CKA_CERT_SHA1_HASH, sha1, sizeof(sha1)},
	    {CKA_CERT_MD5_HASH, md5, sizeof(md5)},
	    {CKA_TRUST_SERVER_AUTH, &unknown, sizeof(unknown)},
	    {CKA_TRUST_CLIENT_AUTH, &unknown, sizeof(unknown)},
	    {CKA_TRUST_EMAIL_PROTECTION, &unknown, sizeof(unknown)},
	    {CKA_TRUST_CODE_SIGNING, &unknown, sizeof(unknown)},
	    {CKA_TRUST_STEP_UP_APPROVED, &no, sizeof(no)},
	};
	PK11GenericObject *o =
	    PK11_CreateGenericObject(db->slot, tmpl, sizeof(tmpl) / sizeof(tmpl[0]), PR_TRUE);
	if (!o)
		return p11c_fail_nss(db, P11C_EFAIL,
		                     "cannot keep the trust of '%s' in database '%s'", nickname,
		                     db->dir);
	PK11_DestroyGenericObject(o); /* the structure; the object stays */
	return P11C_OK;
}

int p11c_set_trust(p11c_db *db, CERTCertificate *cert, const char *nickname, const char *trust)
{
	CERTCertTrust t;
	int rc;
	if (CERT_DecodeTrustString(&t, trust) != SECSuccess)
		return p11c_fail(db, P11C_EUSAGE, "invalid trust '%s'", trust);
	if ((rc = trust_home(db, cert, nickname)))
		return rc;
	if (CERT_ChangeCertTrust(CERT_GetDefaultCertDB(), cert, &t) != SECSuccess)
		return p11c_fail_nss(db, P11C_EFAIL, "cannot set trust '%s' on '%s'", trust,
		                     nickname);
	return P11C_OK;
}

int p11c_store_cert(p11c_db *db, PK11SlotInfo *slot, CERTCertificate *cert, const char *nickname,
                    const char *trust)
{
	PK11SlotInfo *target = slot ? PK11_ReferenceSlot(slot) : p11c_db_slot(db);
	/* An external token can make the object and still fail a later call
	 * of the import: what was not there before goes again. */
	CERTCertificate *was = NULL;
	int external = !PK11_IsInternal(target);
	int rc = p11c_pending_cert(db, target, &cert->derCert);
	if (!rc && external)
		was = PK11_FindCertFromDERCertItem(target, &cert->derCert, db);
	SECStatus s =
	    rc ? SECFailure : PK11_ImportCert(target, cert, CK_INVALID_HANDLE, nickname, PR_FALSE);
	if (rc == P11C_OK && s != SECSuccess) {
		rc = p11c_fail_nss(db, P11C_ETOKEN, "cannot store '%s' on token '%s'", nickname,
		                   PK11_GetTokenName(target));
		CERTCertificate *made =
		    external && !was ? PK11_FindCertFromDERCertItem(target, &cert->derCert, db)
		                     : NULL;
		if (made) {
			p11c_delete_cert(db, made);
			CERT_DestroyCertificate(made);
		}
	}
	if (was)
		CERT_DestroyCertificate(was);
	PK11_FreeSlot(target);
	if (rc == P11C_OK && trust) {
		rc = p11c_set_trust(db, cert, nickname, trust);
		if (rc)
			p11c_delete_cert(db, cert);
	}
	return rc;
}

/* A name from the subject (CN, else O, else SHA-256 prefix), not yet in
 * use, made unique with " #2", " #3" ... */
char *p11c_name_for_cert(p11c_db *db, CERTCertificate *cert)
{
	char *base = CERT_GetCommonName(&cert->subject);
	if (!base || !*base) {
		PORT_Free(base);
		base = CERT_GetOrgName(&cert->subject);
	}
	char *fallback = NULL;
	if (!base || !*base) {
		unsigned char d[32];
		PK11_HashBuf(SEC_OID_SHA256, d, cert->derCert.data, (PRInt32)cert->derCert.len);
		fallback = p11c_hex(d, 8, 0);
	}
	const char *b = fallback ? fallback : base;
	char *name = NULL;
	for (int i = 1; b && i < 10000; i++) {
		size_t n = strlen(b) + 16;
		name = malloc(n);
		if (!name)
			break;
		if (i == 1)
			snprintf(name, n, "%s", b);
		else
			snprintf(name, n, "%s #%d", b, i);
		for (char *p = name; *p; p++)
			if (*p == ':')
				*p = '_'; /* ':' would read as TOKEN:alias */
		CERTCertificate *c = p11c_find_cert(db, name);
		if (!c)
			break;
		CERT_DestroyCertificate(c);
		free(name);
		name = NULL;
	}
	PORT_Free(base);
	free(fallback);
	return name;
}

void p11c_batch_free(p11c_batch *b, int rollback)
{
	for (size_t i = 0; i < b->n; i++) {
		if (!b->certs[i])
			continue;
		if (rollback && b->stored[i])
			p11c_delete_cert(b->db, b->certs[i]);
		CERT_DestroyCertificate(b->certs[i]);
	}
	free(b->certs);
	free(b->stored);
}

int p11c_batch_from_buf(p11c_db *db, const char *what, const unsigned char *buf, size_t len,
                        p11c_batch *b)
{
	SECItem *ders = NULL;
	size_t n = 0;
	memset(b, 0, sizeof(*b));
	b->db = db;
	PLArenaPool *arena = PORT_NewArena(4096);
	if (!arena)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	int rc = p11c_certs_decode(db, what, buf, len, arena, &ders, &n);
	if (rc)
		goto out;
	b->certs = calloc(n, sizeof(*b->certs));
	b->stored = calloc(n, sizeof(*b->stored));
	if (!b->certs || !b->stored) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	b->n = n;
	for (size_t i = 0; i < n; i++) {
		b->certs[i] = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), &ders[i], NULL,
		                                      PR_FALSE, PR_TRUE);
		if (!b->certs[i]) {
			rc = p11c_fail_nss(db, P11C_EFAIL, "certificate %zu in '%s' is not usable",
			                   i + 1, what);
			goto out;
		}
	}
out:
	if (rc)
		p11c_batch_free(b, 0);
	PORT_FreeArena(arena, PR_FALSE);
	return rc;
}

int p11c_batch_load(p11c_db *db, const char *path, p11c_batch *b)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	memset(b, 0, sizeof(*b));
	b->db = db;
	int rc = p11c_file_read_max(db, path, P11C_CERTS_FILE_MAX, &buf, &len);
	if (!rc)
		rc = p11c_batch_from_buf(db, path, buf, len, b);
	free(buf);
	return rc;
}

/* Store the chain members other than the alias's certificate. */
int p11c_store_rest(p11c_db *db, p11c_batch *b, size_t skip, const char *trust)
{
	for (size_t i = 0; i < b->n; i++) {
		if (i == skip || p11c_cert_stored(db, b->certs[i]))
			continue;
		char *name = p11c_name_for_cert(db, b->certs[i]);
		if (!name)
			return p11c_fail(db, P11C_EFAIL, "out of memory");
		int rc = p11c_store_cert(db, NULL, b->certs[i], name, trust);
		free(name);
		if (rc)
			return rc;
		b->stored[i] = 1;
	}
	return P11C_OK;
}

/* Whether cert is stored under a name other than q. */
int p11c_already_stored(p11c_db *db, const char *path, CERTCertificate *cert)
{
	char where[512];
	p11c_slot_where(db, cert->slot, where, sizeof(where));
	return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_EXISTS,
	                   "the certificate in '%s' is already stored as '%s', %s", path,
	                   p11c_alias_of(db, cert), where);
}

int p11c_cert_open(p11c_db *db, const char *alias, int write, CERTCertificate **out)
{
	*out = NULL;
	int rc = p11c_require_open(db, write);
	if (rc || (rc = p11c_login_tokens(db)))
		return rc;
	if (!alias || !*alias)
		return p11c_fail(db, P11C_EUSAGE, "an alias is needed");
	if ((rc = p11c_login_for_alias(db, alias)))
		return rc;
	*out = p11c_find_cert(db, alias);
	return *out ? P11C_OK : p11c_fail(db, P11C_ENOTFOUND, "no certificate '%s'", alias);
}

/* NSS leaves no error of its own when a token will not destroy an object
 * (SoftHSM on read-only storage: CKR_FUNCTION_FAILED), and an old one
 * showed instead (SEC_ERROR_EXTENSION_NOT_FOUND). */
