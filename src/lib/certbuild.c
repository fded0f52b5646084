/* SPDX-License-Identifier: MPL-2.0 */
/* Building and signing X.509 v3 certificates with NSS's encoders. */
#include <cert.h>
#include <certdb.h>
#include <cryptohi.h>
#include <pk11pub.h>
#include <secasn1.h>
#include <secder.h>
#include <secoid.h>
#include <string.h>

#include "nssint.h"

#define SERIAL_BYTES 16

static int add_basic_constraints(PLArenaPool *a, void *h, int ca)
{
	CERTBasicConstraints bc = {ca ? PR_TRUE : PR_FALSE, CERT_UNLIMITED_PATH_CONSTRAINT};
	SECItem item = {siBuffer, NULL, 0};
	if (CERT_EncodeBasicConstraintValue(a, &bc, &item) != SECSuccess)
		return -1;
	return CERT_AddExtension(h, SEC_OID_X509_BASIC_CONSTRAINTS, &item, PR_TRUE, PR_TRUE) ==
	               SECSuccess
	           ? 0
	           : -1;
}

static int add_key_usage(void *h, const p11c_cert_template *t)
{
	unsigned char bits = KU_DIGITAL_SIGNATURE;
	if (t->ca)
		bits |= KU_KEY_CERT_SIGN | KU_CRL_SIGN;
	else if (t->pub->keyType == rsaKey)
		bits |= KU_KEY_ENCIPHERMENT;
	else
		bits |= KU_KEY_AGREEMENT;
	SECItem item = {siBuffer, &bits, 1};
	return CERT_EncodeAndAddBitStrExtension(h, SEC_OID_X509_KEY_USAGE, &item, PR_TRUE) ==
	               SECSuccess
	           ? 0
	           : -1;
}

static int add_ext_key_usage(PLArenaPool *a, void *h, int usage)
{
	SECItem *oids[3] = {NULL, NULL, NULL};
	int n = 0;
	if (usage & P11C_EKU_SERVER_AUTH)
		oids[n++] = &SECOID_FindOIDByTag(SEC_OID_EXT_KEY_USAGE_SERVER_AUTH)->oid;
	if (usage & P11C_EKU_CLIENT_AUTH)
		oids[n++] = &SECOID_FindOIDByTag(SEC_OID_EXT_KEY_USAGE_CLIENT_AUTH)->oid;
	if (n == 0)
		return 0;
	SECItem item = {siBuffer, NULL, 0};
	SECItem **seq = oids; /* SEQUENCE OF at offset 0: the template takes &seq */
	if (!SEC_ASN1EncodeItem(a, &item, &seq, SEC_ASN1_GET(SEC_SequenceOfObjectIDTemplate)))
		return -1;
	return CERT_AddExtension(h, SEC_OID_X509_EXT_KEY_USAGE, &item, PR_FALSE, PR_TRUE) ==
	               SECSuccess
	           ? 0
	           : -1;
}

int p11c_add_san_extension(PLArenaPool *a, void *h, const p11c_san *san, size_t n)
{
	CERTGeneralName *head = NULL;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		CERTGeneralName *gn = PORT_ArenaZNew(a, CERTGeneralName);
		if (!gn)
			return -1;
		switch (san[i].type) {
		case P11C_SAN_DNS:
			gn->type = certDNSName;
			break;
		case P11C_SAN_IP:
			gn->type = certIPAddress;
			break;
		case P11C_SAN_EMAIL:
			gn->type = certRFC822Name;
			break;
		default:
			gn->type = certURI;
			break;
		}
		const unsigned char *data =
		    san[i].type == P11C_SAN_IP ? san[i].ip : (const unsigned char *)san[i].text;
		size_t len = san[i].type == P11C_SAN_IP ? san[i].ip_len : strlen(san[i].text);
		gn->name.other.data = PORT_ArenaAlloc(a, len);
		if (!gn->name.other.data)
			return -1;
		memcpy(gn->name.other.data, data, len);
		gn->name.other.len = (unsigned)len;
		if (!head) {
			head = gn;
			gn->l.next = gn->l.prev = &gn->l;
		} else {
			gn->l.next = &head->l;
			gn->l.prev = head->l.prev;
			head->l.prev->next = &gn->l;
			head->l.prev = &gn->l;
		}
	}
	SECItem item = {siBuffer, NULL, 0};
	if (CERT_EncodeAltNameExtension(a, head, &item) != SECSuccess)
		return -1;
	return CERT_AddExtension(h, SEC_OID_X509_SUBJECT_ALT_NAME, &item, PR_FALSE, PR_TRUE) ==
	               SECSuccess
	           ? 0
	           : -1;
}

/* The SANs of t: a list, or an encoded extension kept from another
 * certificate. */
static int add_san(PLArenaPool *a, void *h, const p11c_cert_template *t)
{
	if (t->san_der)
		return CERT_AddExtension(h, SEC_OID_X509_SUBJECT_ALT_NAME, (SECItem *)t->san_der,
		                         t->san_critical ? PR_TRUE : PR_FALSE,
		                         PR_TRUE) == SECSuccess
		           ? 0
		           : -1;
	return p11c_add_san_extension(a, h, t->san, t->n_san);
}

static CERTGeneralName *uri_name(PLArenaPool *a, const char *url)
{
	CERTGeneralName *gn = PORT_ArenaZNew(a, CERTGeneralName);
	if (!gn)
		return NULL;
	gn->type = certURI;
	gn->name.other.data = (unsigned char *)PORT_ArenaStrdup(a, url);
	gn->name.other.len = (unsigned)strlen(url);
	gn->l.next = gn->l.prev = &gn->l;
	return gn->name.other.data ? gn : NULL;
}

/* crlDistributionPoints and authorityInfoAccess (OCSP) of t's URLs. */
static int add_revocation_urls(PLArenaPool *a, void *h, const p11c_cert_template *t)
{
	SECItem item = {siBuffer, NULL, 0};
	if (t->crl_url) {
		CRLDistributionPoint *dp = PORT_ArenaZNew(a, CRLDistributionPoint);
		CRLDistributionPoint **list = PORT_ArenaZNewArray(a, CRLDistributionPoint *, 2);
		CERTCrlDistributionPoints dps = {list};
		if (!dp || !list || !(dp->distPoint.fullName = uri_name(a, t->crl_url)))
			return -1;
		dp->distPointType = generalName;
		list[0] = dp;
		if (CERT_EncodeCRLDistributionPoints(a, &dps, &item) != SECSuccess ||
		    CERT_AddExtension(h, SEC_OID_X509_CRL_DIST_POINTS, &item, PR_FALSE, PR_TRUE) !=
		        SECSuccess)
			return -1;
	}
	if (t->ocsp_url) {
		CERTAuthInfoAccess *ad = PORT_ArenaZNew(a, CERTAuthInfoAccess);
		CERTAuthInfoAccess **list = PORT_ArenaZNewArray(a, CERTAuthInfoAccess *, 2);
		SECOidData *oid = SECOID_FindOIDByTag(SEC_OID_PKIX_OCSP);
		if (!ad || !list || !oid || !(ad->location = uri_name(a, t->ocsp_url)) ||
		    SECITEM_CopyItem(a, &ad->method, &oid->oid) != SECSuccess)
			return -1;
		list[0] = ad;
		item.data = NULL;
		item.len = 0;
		if (CERT_EncodeInfoAccessExtension(a, list, &item) != SECSuccess ||
		    CERT_AddExtension(h, SEC_OID_X509_AUTH_INFO_ACCESS, &item, PR_FALSE, PR_TRUE) !=
		        SECSuccess)
			return -1;
	}
	return 0;
}

/* RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
static int key_id(CERTSubjectPublicKeyInfo *spki, unsigned char out[20])
{
	SECItem bits = spki->subjectPublicKey;
	DER_ConvertBitString(&bits);
	return PK11_HashBuf(SEC_OID_SHA1, out, bits.data, (PRInt32)bits.len) == SECSuccess ? 0 : -1;
}

static int add_key_ids(PLArenaPool *a, void *h, CERTSubjectPublicKeyInfo *spki,
                       const p11c_cert_template *t)
{
	unsigned char id[20];
	SECItem ski = {siBuffer, id, sizeof(id)}, enc = {siBuffer, NULL, 0};
	if (key_id(spki, id) < 0 || CERT_EncodeSubjectKeyID(a, &ski, &enc) != SECSuccess ||
	    CERT_AddExtension(h, SEC_OID_X509_SUBJECT_KEY_ID, &enc, PR_FALSE, PR_TRUE) !=
	        SECSuccess)
		return -1;
	CERTAuthKeyID akid;
	memset(&akid, 0, sizeof(akid));
	SECItem issuer_id = {siBuffer, NULL, 0};
	if (!t->issuer_cert) {
		akid.keyID = ski;
	} else if (CERT_FindSubjectKeyIDExtension(t->issuer_cert, &issuer_id) == SECSuccess) {
		akid.keyID = issuer_id;
	} else {
		return 0;
	}
	SECItem aenc = {siBuffer, NULL, 0};
	int rc = CERT_EncodeAuthKeyID(a, &akid, &aenc) == SECSuccess &&
	                 CERT_AddExtension(h, SEC_OID_X509_AUTH_KEY_ID, &aenc, PR_FALSE, PR_TRUE) ==
	                     SECSuccess
	             ? 0
	             : -1;
	SECITEM_FreeItem(&issuer_id, PR_FALSE);
	return rc;
}

static int set_serial(CERTCertificate *cert)
{
	unsigned char *s = PORT_ArenaAlloc(cert->arena, SERIAL_BYTES);
	if (!s || PK11_GenerateRandom(s, SERIAL_BYTES) != SECSuccess)
		return -1;
	s[0] = (s[0] & 0x7f) | 0x40; /* positive, and all 16 bytes used */
	cert->serialNumber.data = s;
	cert->serialNumber.len = SERIAL_BYTES;
	return 0;
}

int p11c_cert_build(p11c_db *db, const p11c_cert_template *t, SECItem **der)
{
	int rc = P11C_EFAIL;
	CERTSubjectPublicKeyInfo *spki = NULL;
	CERTCertificateRequest *req = NULL;
	CERTValidity *validity = NULL;
	CERTCertificate *cert = NULL;
	*der = NULL;
	spki = SECKEY_CreateSubjectPublicKeyInfo(t->pub);
	if (!spki || !(req = CERT_CreateCertificateRequest(t->subject, spki, NULL))) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot encode the public key");
		goto out;
	}
	PRTime now = PR_Now();
	validity = CERT_CreateValidity(now, now + (PRTime)t->days * 24 * 3600 * PR_USEC_PER_SEC);
	if (!validity || !(cert = CERT_CreateCertificate(1, t->issuer, validity, req))) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot create the certificate");
		goto out;
	}
	PLArenaPool *a = cert->arena;
	if (!SEC_ASN1EncodeInteger(a, &cert->version, SEC_CERTIFICATE_VERSION_3) ||
	    set_serial(cert) < 0) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot set version and serial");
		goto out;
	}
	void *h = CERT_StartCertExtensions(cert);
	if (!h || add_basic_constraints(a, h, t->ca) < 0 || add_key_usage(h, t) < 0 ||
	    (!t->ca && add_ext_key_usage(a, h, t->usage) < 0) || add_san(a, h, t) < 0 ||
	    add_key_ids(a, h, spki, t) < 0 || add_revocation_urls(a, h, t) < 0) {
		if (h)
			CERT_FinishExtensions(h);
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot encode the certificate's extensions");
		goto out;
	}
	if (CERT_FinishExtensions(h) != SECSuccess) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot encode the certificate's extensions");
		goto out;
	}
	SECOidTag alg =
	    SEC_GetSignatureAlgorithmOidTag(t->signer->keyType, p11c_hash_for_key(t->signer_pub));
	SECItem tbs = {siBuffer, NULL, 0};
	if (alg == SEC_OID_UNKNOWN ||
	    SECOID_SetAlgorithmID(a, &cert->signature, alg, NULL) != SECSuccess ||
	    !SEC_ASN1EncodeItem(a, &tbs, cert, SEC_ASN1_GET(CERT_CertificateTemplate))) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot encode the certificate");
		goto out;
	}
	SECItem signed_der = {siBuffer, NULL, 0};
	if (SEC_DerSignData(a, &signed_der, tbs.data, (int)tbs.len, t->signer, alg) != SECSuccess) {
		rc = p11c_fail_nss(db, P11C_ETOKEN, "cannot sign the certificate");
		goto out;
	}
	*der = SECITEM_DupItem(&signed_der);
	rc = *der ? P11C_OK : p11c_fail(db, P11C_EFAIL, "out of memory");
out:
	if (cert)
		CERT_DestroyCertificate(cert);
	if (validity)
		CERT_DestroyValidity(validity);
	if (req)
		CERT_DestroyCertificateRequest(req);
	if (spki)
		SECKEY_DestroySubjectPublicKeyInfo(spki);
	return rc;
}
