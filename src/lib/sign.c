/* SPDX-License-Identifier: MPL-2.0 */
/* sign-request: a certificate from a PKCS#10 request and a CA whose key is
 * in the database. */
#include <cert.h>
#include <certdb.h>
#include <cryptohi.h>
#include <keyhi.h>
#include <nssb64.h>
#include <pk11pub.h>
#include <secasn1.h>
#include <secder.h>
#include <secerr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"

#define MAX_DAYS 36500
/* Bounds checked before any work that grows with a request's content (NSS
 * copies a name in time and memory quadratic in one RDN's size). */
#define MAX_REQUEST (64 * 1024)
#define MAX_REQUEST_ATTRS 16
#define MAX_EXTENSIONS 32

/* The DER of the request in buf: PEM ("CERTIFICATE REQUEST" or "NEW
 * CERTIFICATE REQUEST") or DER. */
static int request_der(p11c_db *db, const char *path, PLArenaPool *arena, const unsigned char *buf,
                       size_t len, SECItem **der)
{
	static const char *const labels[] = {"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"};
	const char *text = (const char *)buf;
	*der = NULL;
	if (len == 0)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT, "'%s' is empty", path);
	if (buf[0] == 0x30) {
		SECItem d = {siBuffer, (unsigned char *)buf, (unsigned)len};
		*der = SECITEM_ArenaDupItem(arena, &d);
		return *der ? P11C_OK : p11c_fail(db, P11C_EFAIL, "out of memory");
	}
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		char begin[64], end[64];
		snprintf(begin, sizeof(begin), "-----BEGIN %s-----", labels[i]);
		snprintf(end, sizeof(end), "-----END %s-----", labels[i]);
		const char *b = strstr(text, begin);
		if (!b)
			continue;
		b += strlen(begin);
		const char *e = strstr(b, end);
		if (!e)
			return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
			                   "'%s' is truncated: no END %s line", path, labels[i]);
		*der = NSSBase64_DecodeBuffer(arena, NULL, b, (unsigned)(e - b));
		if (!*der || (*der)->len == 0)
			return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
			                   "'%s' holds a garbled request", path);
		return P11C_OK;
	}
	if (strstr(text, "-----BEGIN CERTIFICATE-----"))
		return p11c_fail_cf(db, P11C_EFAIL, P11C_ERR_INPUT, "request",
		                    "'%s' is a certificate, not a request", path);
	return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
	                   "'%s' is neither a PEM nor a DER certificate request", path);
}

static int key_strong(p11c_db *db, SECKEYPublicKey *pub)
{
	unsigned bits = SECKEY_PublicKeyStrengthInBits(pub);
	KeyType kt = SECKEY_GetPublicKeyType(pub);
	if (kt != rsaKey && kt != ecKey)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                   "the request's key is neither RSA nor EC");
	if ((kt == rsaKey && bits < 2048) || (kt == ecKey && bits < 256))
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                   "the request's %s key of %u bits is too weak",
		                   kt == rsaKey ? "RSA" : "EC", bits);
	return P11C_OK;
}

/* Decode, and check the request's own signature. */
static int request_decode(p11c_db *db, const char *path, PLArenaPool *arena, SECItem *der,
                          CERTCertificateRequest **out)
{
	CERTSignedData *sd = PORT_ArenaZNew(arena, CERTSignedData);
	CERTCertificateRequest *req = PORT_ArenaZNew(arena, CERTCertificateRequest);
	if (!sd || !req)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	req->arena = arena;
	if (SEC_QuickDERDecodeItem(arena, sd, SEC_ASN1_GET(CERT_SignedDataTemplate), der) !=
	        SECSuccess ||
	    SEC_QuickDERDecodeItem(arena, req, SEC_ASN1_GET(CERT_CertificateRequestTemplate),
	                           &sd->data) != SECSuccess)
		return p11c_fail_nss_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                       "'%s' is not a PKCS#10 request", path);
	size_t n_attrs = 0;
	while (req->attributes && req->attributes[n_attrs])
		n_attrs++;
	if (n_attrs > MAX_REQUEST_ATTRS)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                   "the request in '%s' has more than %d attributes "
		                   "(the limit)",
		                   path, MAX_REQUEST_ATTRS);
	int rc = p11c_name_check(db, P11C_EFAIL, "the request's subject", &req->subject);
	if (rc)
		return rc;
	/* the key first: a key NSS cannot use would read as a bad signature */
	SECKEYPublicKey *pub = SECKEY_ExtractPublicKey(&req->subjectPublicKeyInfo);
	rc = pub ? key_strong(db, pub)
	         : p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
	                       "the request's key is neither RSA nor EC");
	if (pub)
		SECKEY_DestroyPublicKey(pub);
	if (rc)
		return rc;
	if (CERT_VerifySignedDataWithPublicKeyInfo(sd, &req->subjectPublicKeyInfo, NULL) !=
	    SECSuccess)
		return p11c_fail_nss_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                       "the signature of the request in '%s' does not verify",
		                       path);
	*out = req;
	return P11C_OK;
}

/* The request's subjectAltName extension (checked to decode), or NULL. */
static int requested_san(p11c_db *db, CERTCertificateRequest *req, SECItem **san)
{
	CERTCertExtension **exts = NULL;
	*san = NULL;
	if (!req->attributes || !req->attributes[0])
		return P11C_OK;
	if (CERT_GetCertificateRequestExtensions(req, &exts) != SECSuccess)
		return p11c_fail_nss_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                       "the request's extensions do not decode");
	for (size_t i = 0; exts && exts[i]; i++)
		if (i >= MAX_EXTENSIONS)
			return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
			                   "the request has more than %d extensions (the limit)",
			                   MAX_EXTENSIONS);
	for (size_t i = 0; exts && exts[i]; i++) {
		if (SECOID_FindOIDTag(&exts[i]->id) != SEC_OID_X509_SUBJECT_ALT_NAME)
			continue;
		if (*san)
			return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
			                   "the request has two subjectAltNames");
		CERTGeneralName *gn = CERT_DecodeAltNameExtension(req->arena, &exts[i]->value);
		if (!gn)
			return p11c_fail_nss_c(db, P11C_EFAIL, P11C_ERR_INPUT,
			                       "the request's subjectAltName does not decode");
		int rc = p11c_general_names_check(db, "the request's subjectAltName", gn);
		if (rc)
			return rc;
		*san = &exts[i]->value;
	}
	return P11C_OK;
}

int p11c_request_read(p11c_db *db, const char *path, PLArenaPool *arena, const unsigned char *buf,
                      size_t len, CERTCertificateRequest **req, SECItem **san)
{
	SECItem *der = NULL;
	if (len > MAX_REQUEST)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                   "'%s' is larger than %d KiB (the limit for a request)", path,
		                   MAX_REQUEST / 1024);
	int rc = request_der(db, path, arena, buf, len, &der);
	if (!rc)
		rc = request_decode(db, path, arena, der, req);
	if (!rc)
		rc = requested_san(db, *req, san);
	return rc;
}

/* A CA that can issue: a CA, keyCertSign, its key here, valid through the
 * new certificate's life. */
static int ca_ready(p11c_db *db, const char *alias, CERTCertificate *ca, int days,
                    SECKEYPrivateKey **key)
{
	PRTime nb = 0, na = 0, now = PR_Now();
	CERTBasicConstraints bc = {PR_FALSE, 0};
	SECItem ext = {siBuffer, NULL, 0};
	if (CERT_FindCertExtension(ca, SEC_OID_X509_BASIC_CONSTRAINTS, &ext) == SECSuccess) {
		if (CERT_DecodeBasicConstraintValue(&bc, &ext) != SECSuccess)
			bc.isCA = PR_FALSE;
		SECITEM_FreeItem(&ext, PR_FALSE);
	}
	if (!bc.isCA)
		return p11c_fail_cf(db, P11C_EFAIL, P11C_ERR_INPUT, "ca",
		                    "'%s' is not a CA certificate (no basicConstraints CA:true)",
		                    alias);
	if (CERT_CheckCertUsage(ca, KU_KEY_CERT_SIGN) != SECSuccess)
		return p11c_fail(db, P11C_EFAIL, "'%s' may not sign certificates (no keyCertSign)",
		                 alias);
	CERT_GetCertTimes(ca, &nb, &na);
	if (na < now)
		return p11c_fail(db, P11C_EFAIL, "CA '%s' has expired", alias);
	PRTime end = now + (PRTime)days * 86400 * PR_USEC_PER_SEC;
	if (end > na)
		return p11c_fail_cf(
		    db, P11C_EFAIL, P11C_ERR_INPUT, "days",
		    "a validity of %d days runs past the expiry of CA '%s': %ld days "
		    "at most",
		    days, alias, (long)((na - now) / PR_USEC_PER_SEC / 86400));
	*key = p11c_key_for_cert(db, ca);
	if (!*key)
		return p11c_fail(db, P11C_ENOTFOUND, "the private key of CA '%s' is not here",
		                 alias);
	return P11C_OK;
}

#define MAX_URL 1024

/* An http or https URL with a host, printable ASCII only, of bounded length. */
static int url_check(p11c_db *db, const char *field, const char *url)
{
	size_t n = strlen(url);
	const char *host = !strncmp(url, "http://", 7)    ? url + 7
	                   : !strncmp(url, "https://", 8) ? url + 8
	                                                  : NULL;
	if (n > MAX_URL)
		return p11c_fail_field(db, P11C_EUSAGE, field, "a URL longer than %d bytes is refused",
		                       MAX_URL);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f)
			return p11c_fail_field(db, P11C_EUSAGE, field,
			                       "the URL holds a space, a control or a non-ASCII byte");
	if (!host || !*host || *host == '/')
		return p11c_fail_field(db, P11C_EUSAGE, field,
		                       "'%s' is not an http or https URL with a host", url);
	return P11C_OK;
}

/* The first version of p11c_sign_opts: size, days, flags. */
#define SIGN_OPTS_V1 (offsetof(p11c_sign_opts, flags) + sizeof(unsigned))
#define SIGN_FLAGS (P11C_SIGN_SERVER_AUTH | P11C_SIGN_CLIENT_AUTH)

int p11c_request_sign(p11c_db *db, const char *ca_alias, const char *path,
                      const p11c_sign_opts *opts, char **pem)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(ca_alias), P11C_NAME(path),
	          P11C_OPTS_SIZE(opts, SIGN_OPTS_V1), P11C_FIELD_FLAGS(opts, flags, SIGN_FLAGS),
	          P11C_OUT(pem));
	CERTCertificate *ca = NULL;
	SECKEYPrivateKey *key = NULL;
	SECKEYPublicKey *pub = NULL, *ca_pub = NULL;
	CERTCertificateRequest *req = NULL;
	SECItem *san = NULL, *cert = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;
	*pem = NULL;
	int days = P11C_OPT(opts, days, 365);
	unsigned flags = P11C_OPT(opts, flags, P11C_SIGN_SERVER_AUTH);
	if (!days)
		days = 365;
	if (days < 1 || days > MAX_DAYS)
		return p11c_fail_field(db, P11C_EUSAGE, "days",
		                       "a validity of %d days is out of range (1 to %d)", days,
		                       MAX_DAYS);
	if (!(flags & SIGN_FLAGS))
		return p11c_fail(db, P11C_EUSAGE, "a usage is needed: server, client or both");
	const char *crl_url = P11C_OPT(opts, crl_url, NULL);
	const char *ocsp_url = P11C_OPT(opts, ocsp_url, NULL);
	int urc;
	if ((crl_url && (urc = url_check(db, "crl_url", crl_url))) ||
	    (ocsp_url && (urc = url_check(db, "ocsp_url", ocsp_url))))
		return urc;
	PLArenaPool *arena = PORT_NewArena(2048);
	if (!arena)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	int rc = p11c_cert_open(db, ca_alias, 0, &ca);
	if (rc || (rc = ca_ready(db, ca_alias, ca, days, &key)) ||
	    (rc = p11c_file_read(db, path, &buf, &len)) ||
	    (rc = p11c_request_read(db, path, arena, buf, len, &req, &san)))
		goto out;
	int empty_subject = !req->subject.rdns || !req->subject.rdns[0];
	if (empty_subject && !san) {
		rc = p11c_fail(db, P11C_EFAIL, "the request names no subject and no SANs");
		goto out;
	}
	if (CERT_CompareName(&req->subject, &ca->subject) == SECEqual) {
		rc = p11c_fail(db, P11C_EFAIL,
		               "the request's subject is the CA's own: its certificate would read "
		               "as self-signed");
		goto out;
	}
	pub = SECKEY_ExtractPublicKey(&req->subjectPublicKeyInfo);
	ca_pub = CERT_ExtractPublicKey(ca);
	if (!pub || !ca_pub) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot read the public keys");
		goto out;
	}
	p11c_cert_template t = {
	    .subject = &req->subject,
	    .issuer = &ca->subject,
	    .pub = pub,
	    .signer = key,
	    .signer_pub = ca_pub,
	    .issuer_cert = ca,
	    .days = days,
	    .san_der = san,
	    .san_critical = empty_subject, /* RFC 5280 4.2.1.6 */
	    .usage = ((flags & P11C_SIGN_SERVER_AUTH) ? P11C_EKU_SERVER_AUTH : 0) |
	             ((flags & P11C_SIGN_CLIENT_AUTH) ? P11C_EKU_CLIENT_AUTH : 0),
	    .crl_url = crl_url,
	    .ocsp_url = ocsp_url,
	};
	p11c_log(db, "signing with CA '%s' on token '%s'", ca_alias,
	         PK11_GetTokenName(key->pkcs11Slot));
	if ((rc = p11c_cert_build(db, &t, &cert)))
		goto out;
	*pem = p11c_pem_encode("CERTIFICATE", cert->data, cert->len);
	if (!*pem)
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
out:
	if (cert)
		SECITEM_FreeItem(cert, PR_TRUE);
	if (pub)
		SECKEY_DestroyPublicKey(pub);
	if (ca_pub)
		SECKEY_DestroyPublicKey(ca_pub);
	if (key)
		SECKEY_DestroyPrivateKey(key);
	if (ca)
		CERT_DestroyCertificate(ca);
	free(buf);
	PORT_FreeArena(arena, PR_FALSE);
	return rc;
}
