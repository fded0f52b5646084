/* SPDX-License-Identifier: MPL-2.0 */
/* sign-request: the PKCS#10 request read and checked, then the certificate
 * a throwaway CA would issue for it, read back as show-cert does.  First
 * byte even: the rest is the request file as given.  Odd: the rest is a
 * CertificationRequestInfo, which gets this target's key and signature,
 * so that what follows the signature check is reached too. */
#include <cert.h>
#include <certdb.h>
#include <cryptohi.h>

#include "fuzz.h"
#include "nssint.h"

static SECKEYPrivateKey *ca_priv, *req_priv;
static SECKEYPublicKey *ca_pub, *req_pub;
static CERTCertificate *ca;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_nss_init();
	fuzz_ec_key(&ca_priv, &ca_pub);
	fuzz_ec_key(&req_priv, &req_pub);
	CERTName *name = CERT_AsciiToName("CN=Fuzz CA,O=p11cert");
	p11c_cert_template t = {.subject = name,
	                        .issuer = name,
	                        .pub = ca_pub,
	                        .signer = ca_priv,
	                        .signer_pub = ca_pub,
	                        .days = 3650,
	                        .ca = 1};
	SECItem *der = NULL;
	if (!name || p11c_cert_build(fuzz_db(), &t, &der) != P11C_OK ||
	    !(ca =
	          CERT_NewTempCertificate(CERT_GetDefaultCertDB(), der, NULL, PR_FALSE, PR_TRUE))) {
		fprintf(stderr, "fuzz: cannot make the CA: %s\n", p11c_last_error(fuzz_db()));
		exit(1);
	}
	SECITEM_FreeItem(der, PR_TRUE);
	CERT_DestroyName(name);
	return 0;
}

/* info (DER) with this target's key, signed: a request whose signature
 * verifies; NULL when info does not decode. */
static SECItem *signed_request(PLArenaPool *arena, const uint8_t *info, size_t len)
{
	CERTCertificateRequest *req = PORT_ArenaZNew(arena, CERTCertificateRequest);
	SECItem in = {siBuffer, (unsigned char *)info, (unsigned)len};
	SECItem *copy = SECITEM_ArenaDupItem(arena, &in);
	if (!req || !copy ||
	    SEC_QuickDERDecodeItem(arena, req, SEC_ASN1_GET(CERT_CertificateRequestTemplate),
	                           copy) != SECSuccess)
		return NULL;
	req->arena = arena;
	CERTSubjectPublicKeyInfo *spki = SECKEY_CreateSubjectPublicKeyInfo(req_pub);
	SECItem tbs = {siBuffer, NULL, 0};
	SECItem *out = PORT_ArenaZNew(arena, SECItem);
	int ok =
	    spki && out &&
	    SECKEY_CopySubjectPublicKeyInfo(arena, &req->subjectPublicKeyInfo, spki) ==
	        SECSuccess &&
	    SEC_ASN1EncodeItem(arena, &tbs, req, SEC_ASN1_GET(CERT_CertificateRequestTemplate)) &&
	    SEC_DerSignData(arena, out, tbs.data, (int)tbs.len, req_priv,
	                    SEC_OID_ANSIX962_ECDSA_SHA256_SIGNATURE) == SECSuccess;
	if (spki)
		SECKEY_DestroySubjectPublicKeyInfo(spki);
	return ok ? out : NULL;
}

/* p11c_request_sign's steps after the request is read. */
static void issue(CERTCertificateRequest *req, SECItem *san)
{
	int empty_subject = !req->subject.rdns || !req->subject.rdns[0];
	if ((empty_subject && !san) || CERT_CompareName(&req->subject, &ca->subject) == SECEqual)
		return;
	SECKEYPublicKey *pub = SECKEY_ExtractPublicKey(&req->subjectPublicKeyInfo);
	FUZZ_ASSERT(pub); /* the request's signature verified with it */
	p11c_cert_template t = {
	    .subject = &req->subject,
	    .issuer = &ca->subject,
	    .pub = pub,
	    .signer = ca_priv,
	    .signer_pub = ca_pub,
	    .issuer_cert = ca,
	    .days = 365,
	    .san_der = san,
	    .san_critical = empty_subject,
	    .usage = P11C_EKU_SERVER_AUTH | P11C_EKU_CLIENT_AUTH,
	};
	SECItem *der = NULL;
	int rc = p11c_cert_build(fuzz_db(), &t, &der);
	fuzz_note("certificate", rc, p11c_last_error(fuzz_db()));
	if (rc == P11C_OK) {
		char *pem = p11c_pem_encode("CERTIFICATE", der->data, der->len);
		FUZZ_ASSERT(pem);
		free(pem);
		CERTCertificate *cert =
		    CERT_NewTempCertificate(CERT_GetDefaultCertDB(), der, NULL, PR_FALSE, PR_TRUE);
		FUZZ_ASSERT(cert); /* NSS reads what it issued */
		p11c_cert_free(p11c_cert_info_of(fuzz_db(), cert));
		CERT_DestroyCertificate(cert);
		SECITEM_FreeItem(der, PR_TRUE);
	}
	SECKEY_DestroyPublicKey(pub);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return -1;
	PLArenaPool *arena = PORT_NewArena(2048);
	FUZZ_ASSERT(arena);
	unsigned char *buf = NULL;
	size_t len = 0;
	if (data[0] & 1) {
		SECItem *der = signed_request(arena, data + 1, size - 1);
		if (der) {
			buf = (unsigned char *)fuzz_text(der->data, der->len);
			len = der->len;
		}
	} else {
		buf = (unsigned char *)fuzz_text(data + 1, size - 1);
		len = size - 1;
	}
	CERTCertificateRequest *req = NULL;
	SECItem *san = NULL;
	int rc = buf ? p11c_request_read(fuzz_db(), "fuzz.csr", arena, buf, len, &req, &san)
	             : P11C_EFAIL;
	fuzz_note("request", rc, buf ? p11c_last_error(fuzz_db()) : "info does not decode");
	if (rc == P11C_OK)
		issue(req, san);
	free(buf);
	PORT_FreeArena(arena, PR_FALSE);
	return 0;
}
