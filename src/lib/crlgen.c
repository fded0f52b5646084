/* SPDX-License-Identifier: MPL-2.0 */
/* gen-crl: the site CA's v2 CRL, encoded with NSS's CRL template and
 * signed with the CA's key where it is (a token's too). */
#include <cert.h>
#include <certdb.h>
#include <cryptohi.h>
#include <secasn1.h>
#include <secder.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "caint.h"

#define MAX_CRL_DAYS 3650

/* A DER INTEGER's content of a record's hex serial (a sign octet added). */
static int serial_item(PLArenaPool *a, const char *hexs, SECItem *out)
{
	size_t n = strlen(hexs) / 2, lead = 0;
	unsigned char *b = PORT_ArenaAlloc(a, n + 1);
	if (!b)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char t[3] = {hexs[2 * i], hexs[2 * i + 1], 0};
		b[i + 1] = (unsigned char)strtoul(t, NULL, 16);
	}
	if (b[1] & 0x80) {
		b[0] = 0;
		lead = 1;
	}
	out->type = siBuffer;
	out->data = b + 1 - lead;
	out->len = (unsigned)(n + lead);
	return 0;
}

static int add_entry(CERTCrl *crl, PLArenaPool *a, json_t *x, CERTCrlEntry **out)
{
	CERTCrlEntry *e = PORT_ArenaZNew(a, CERTCrlEntry);
	if (!e ||
	    serial_item(a, json_string_value(json_object_get(x, "serial")), &e->serialNumber) < 0)
		return -1;
	PRTime when = (PRTime)json_integer_value(json_object_get(x, "date")) * PR_USEC_PER_SEC;
	if (DER_EncodeTimeChoice(a, &e->revocationDate, when) != SECSuccess)
		return -1;
	int code = p11c_ca_reason_code(json_string_value(json_object_get(x, "reason")));
	if (code > 0) { /* RFC 5280 5.3.1: no reasonCode for unspecified */
		unsigned char *v = PORT_ArenaAlloc(a, 3);
		if (!v)
			return -1;
		v[0] = 0x0a; /* ENUMERATED */
		v[1] = 1;
		v[2] = (unsigned char)code;
		SECItem item = {siBuffer, v, 3};
		void *h = CERT_StartCRLEntryExtensions(crl, e);
		if (!h)
			return -1;
		if (CERT_AddExtension(h, SEC_OID_X509_REASON_CODE, &item, PR_FALSE, PR_TRUE) !=
		    SECSuccess) {
			CERT_FinishExtensions(h);
			return -1;
		}
		if (CERT_FinishExtensions(h) != SECSuccess)
			return -1;
	}
	*out = e;
	return 0;
}

/* authorityKeyIdentifier (the CA's subjectKeyIdentifier) and cRLNumber. */
static int add_crl_extensions(CERTCrl *crl, PLArenaPool *a, CERTCertificate *ca,
                              unsigned long long number)
{
	void *h = CERT_StartCRLExtensions(crl);
	if (!h)
		return -1;
	int rc = 0;
	SECItem ski = {siBuffer, NULL, 0}, enc = {siBuffer, NULL, 0};
	if (CERT_FindSubjectKeyIDExtension(ca, &ski) == SECSuccess) {
		CERTAuthKeyID akid;
		memset(&akid, 0, sizeof(akid));
		akid.keyID = ski;
		if (CERT_EncodeAuthKeyID(a, &akid, &enc) != SECSuccess ||
		    CERT_AddExtension(h, SEC_OID_X509_AUTH_KEY_ID, &enc, PR_FALSE, PR_TRUE) !=
		        SECSuccess)
			rc = -1;
		SECITEM_FreeItem(&ski, PR_FALSE);
	}
	SECItem num = {siBuffer, NULL, 0}, numenc = {siBuffer, NULL, 0};
	if (rc == 0 && (!SEC_ASN1EncodeUnsignedInteger(a, &num, (unsigned long)number) ||
	                !SEC_ASN1EncodeItem(a, &numenc, &num, SEC_ASN1_GET(SEC_IntegerTemplate)) ||
	                CERT_AddExtension(h, SEC_OID_X509_CRL_NUMBER, &numenc, PR_FALSE, PR_TRUE) !=
	                    SECSuccess))
		rc = -1;
	if (CERT_FinishExtensions(h) != SECSuccess)
		rc = -1;
	return rc;
}

static int crl_build(p11c_db *db, PLArenaPool *a, CERTCertificate *ca, SECKEYPrivateKey *key,
                     json_t *list, int days, unsigned long long number, SECItem *der)
{
	CERTCrl *crl = PORT_ArenaZNew(a, CERTCrl);
	size_t n = json_array_size(list);
	if (!crl || !(crl->entries = PORT_ArenaZNewArray(a, CERTCrlEntry *, n + 1)))
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	crl->arena = a;
	PRTime now = PR_Now();
	if (!SEC_ASN1EncodeInteger(a, &crl->version, SEC_CRL_VERSION_2) ||
	    CERT_CopyName(a, &crl->name, &ca->subject) != SECSuccess ||
	    DER_EncodeTimeChoice(a, &crl->lastUpdate, now) != SECSuccess ||
	    DER_EncodeTimeChoice(a, &crl->nextUpdate,
	                         now + (PRTime)days * 86400 * PR_USEC_PER_SEC) != SECSuccess)
		return p11c_fail_nss(db, P11C_EFAIL, "cannot encode the CRL's header");
	for (size_t i = 0; i < n; i++)
		if (add_entry(crl, a, json_array_get(list, i), &crl->entries[i]) < 0)
			return p11c_fail_nss(db, P11C_EFAIL, "cannot encode the CRL's entries");
	if (n == 0)
		crl->entries = NULL;
	if (add_crl_extensions(crl, a, ca, number) < 0)
		return p11c_fail_nss(db, P11C_EFAIL, "cannot encode the CRL's extensions");
	SECKEYPublicKey *pub = CERT_ExtractPublicKey(ca);
	SECOidTag alg = pub ? SEC_GetSignatureAlgorithmOidTag(key->keyType, p11c_hash_for_key(pub))
	                    : SEC_OID_UNKNOWN;
	if (pub)
		SECKEY_DestroyPublicKey(pub);
	SECItem tbs = {siBuffer, NULL, 0};
	if (alg == SEC_OID_UNKNOWN ||
	    SECOID_SetAlgorithmID(a, &crl->signatureAlg, alg, NULL) != SECSuccess ||
	    !SEC_ASN1EncodeItem(a, &tbs, crl, SEC_ASN1_GET(CERT_CrlTemplate)))
		return p11c_fail_nss(db, P11C_EFAIL, "cannot encode the CRL");
	if (SEC_DerSignData(a, der, tbs.data, (int)tbs.len, key, alg) != SECSuccess)
		return p11c_fail_nss(db, P11C_ETOKEN, "cannot sign the CRL");
	return P11C_OK;
}

int p11c_ca_crl_write(p11c_db *db, const char *ca_alias, int days, const char *path, unsigned flags)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(ca_alias), P11C_RANGE(days, 1, MAX_CRL_DAYS),
	          P11C_NAME(path), P11C_FLAGS(flags, P11C_CA_CRL_PEM));
	CERTCertificate *ca = NULL;
	SECKEYPrivateKey *key = NULL;
	json_t *rec = NULL;
	char *pem = NULL;
	PLArenaPool *a = PORT_NewArena(4096);
	if (!a)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	int rc = p11c_require_open(db, 1);
	if (rc || (rc = p11c_ca_open(db, ca_alias, KU_CRL_SIGN, &ca, &key)) ||
	    (rc = p11c_ca_record_load(db, &rec)))
		goto out;
	json_t *e = p11c_ca_record_entry(rec, ca, ca_alias);
	if (!e) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	json_int_t last = json_integer_value(json_object_get(e, "crl_number"));
	unsigned long long number = last > 0 ? (unsigned long long)last + 1 : 1;
	SECItem der = {siBuffer, NULL, 0};
	p11c_log(db, "signing CRL %llu with CA '%s' on token '%s'", number, ca_alias,
	         PK11_GetTokenName(key->pkcs11Slot));
	if ((rc = crl_build(db, a, ca, key, json_object_get(e, "revoked"), days, number, &der)))
		goto out;
	if (flags & P11C_CA_CRL_PEM) {
		if (!(pem = p11c_pem_encode("X509 CRL", der.data, der.len))) {
			rc = p11c_fail(db, P11C_EFAIL, "out of memory");
			goto out;
		}
		rc = p11c_file_write(db, path, pem, strlen(pem), 0644);
	} else {
		rc = p11c_file_write(db, path, der.data, der.len, 0644);
	}
	if (rc)
		goto out;
	json_object_set_new(e, "crl_number", json_integer((json_int_t)number));
	if ((rc = p11c_ca_record_save(db, rec)))
		rc = p11c_fail_keep(db, rc, "wrote '%s' but cannot record its CRL number %llu: %s",
		                    path, number, db->err);
out:
	if (key)
		SECKEY_DestroyPrivateKey(key);
	if (ca)
		CERT_DestroyCertificate(ca);
	json_decref(rec);
	free(pem);
	PORT_FreeArena(a, PR_FALSE);
	return rc;
}
