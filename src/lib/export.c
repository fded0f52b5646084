/* SPDX-License-Identifier: MPL-2.0 */
/* export-cert: PKCS#12 with the key, certificate and chain; PEM or DER
 * certificates; the private key as PKCS#8 for OpenSSL-based daemons. */
#include <cert.h>
#include <keyhi.h>
#include <p12.h>
#include <p12plcy.h>
#include <pk11pub.h>
#include <secasn1.h>
#include <secport.h>
#include <stdlib.h>
#include <string.h>

#include "exportrec.h"
#include "nssint.h"
#include "ossl.h"
#include "uri.h"

/* NSS's PKCS#12 code turns BMPString passwords back into text through a
 * process-wide hook (PBES2 takes UTF-8); it has no default, so set one. */
static PRBool ucs2_to_text(PRBool to_unicode, unsigned char *in, unsigned int in_len,
                           unsigned char *out, unsigned int max, unsigned int *out_len, PRBool swap)
{
	unsigned char *copy = PORT_Alloc(in_len ? in_len : 1);
	if (!copy)
		return PR_FALSE;
	memcpy(copy, in, in_len);
	if (!to_unicode && swap)
		for (unsigned int i = 0; i + 1 < in_len; i += 2) {
			unsigned char t = copy[i];
			copy[i] = copy[i + 1];
			copy[i + 1] = t;
		}
	PRBool ok = PORT_UCS2_UTF8Conversion(to_unicode, copy, in_len, out, max, out_len);
	PORT_ZFree(copy, in_len ? in_len : 1);
	return ok;
}

void p11c_p12_setup(void)
{
	static const long ciphers[] = {PKCS12_RC2_CBC_40,  PKCS12_RC2_CBC_128, PKCS12_RC4_40,
	                               PKCS12_RC4_128,     PKCS12_DES_56,      PKCS12_DES_EDE3_168,
	                               PKCS12_AES_CBC_128, PKCS12_AES_CBC_192, PKCS12_AES_CBC_256};
	PORT_SetUCS2_ASCIIConversionFunction(ucs2_to_text);
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		SEC_PKCS12EnableCipher(ciphers[i], PR_TRUE);
}

/* PKCS#12 passwords are BMPStrings: UCS-2 big-endian, NUL-terminated
 * (NSS writes UCS-2 big-endian whatever the host). */
int p11c_p12_password(p11c_db *db, const char *pw, SECItem *out)
{
	size_t n = strlen(pw);
	unsigned int len = 0;
	out->type = siBuffer;
	out->len = 0;
	out->data = PORT_ZAlloc(2 * n + 2 + 8);
	if (!out->data)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	if (!PORT_UCS2_UTF8Conversion(PR_TRUE, (unsigned char *)pw, (unsigned int)n + 1, out->data,
	                              (unsigned int)(2 * n + 2 + 8), &len)) {
		PORT_ZFree(out->data, 2 * n + 2 + 8);
		out->data = NULL;
		return p11c_fail(db, P11C_EUSAGE, "the PKCS#12 password is not valid UTF-8");
	}
	out->len = len;
	return P11C_OK;
}

void p11c_p12_password_free(SECItem *pw)
{
	if (pw->data)
		PORT_ZFree(pw->data, pw->len);
	pw->data = NULL;
	pw->len = 0;
}

/* The key of cert, logged in; a key that may not leave its token is
 * P11C_ETOKEN naming the token and the key's URI. */
static int exportable_key(p11c_db *db, CERTCertificate *cert, const char *alias,
                          SECKEYPrivateKey **out)
{
	*out = p11c_key_for_cert(db, cert);
	if (!*out)
		return p11c_fail(db, P11C_ENOTFOUND, "no private key for '%s' in the database",
		                 alias);
	if (p11c_key_extractable(*out) != 0)
		return P11C_OK;
	const char *token = PK11_GetTokenName((*out)->pkcs11Slot);
	SECKEY_DestroyPrivateKey(*out);
	*out = NULL;
	return p11c_fail(db, P11C_ETOKEN,
	                 "the key of '%s' cannot leave token '%s' (CKA_EXTRACTABLE is false); "
	                 "servers use it there through its pkcs11: URI",
	                 alias, token);
}

static CERTCertificate *find_logged_in(p11c_db *db, const char *alias, int *rc)
{
	CERTCertificate *cert = NULL;
	*rc = p11c_cert_open(db, alias, 0, &cert);
	return cert;
}

/* The encoder's output, gathered (its key bag is shrouded under the
 * password: no clear secret goes through the growing block). */
typedef struct {
	unsigned char *data;
	size_t len;
	int failed;
} p12_bytes;

static void gather_cb(void *arg, const char *buf, unsigned long len)
{
	p12_bytes *b = arg;
	unsigned char *at = b->failed ? NULL : P11C_VEC_RESERVE(b->data, b->len, len);
	if (!at) {
		b->failed = 1;
		return;
	}
	memcpy(at, buf, len);
	b->len += len;
}

int p11c_cert_p12_encode(p11c_db *db, const char *alias, const char *password, unsigned flags,
                         unsigned char **out, size_t *len)
{
	int rc, compat = (flags & P11C_P12_COMPAT) != 0;
	SECItem pw = {siBuffer, NULL, 0};
	SECKEYPrivateKey *key = NULL;
	SEC_PKCS12ExportContext *ctx = NULL;
	p12_bytes b = {NULL, 0, 0};
	*out = NULL;
	*len = 0;
	CERTCertificate *cert = find_logged_in(db, alias, &rc);
	if (!cert)
		return rc;
	if ((rc = exportable_key(db, cert, alias, &key)))
		goto out;
	/* The encoder takes the password as text, NUL included (the decoder
	 * takes a BMPString). */
	pw.len = (unsigned)strlen(password) + 1;
	pw.data = PORT_Alloc(pw.len);
	if (!pw.data) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	memcpy(pw.data, password, pw.len);
	p11c_p12_setup();
	SECOidTag cipher =
	    compat ? SEC_OID_PKCS12_V2_PBE_WITH_SHA1_AND_3KEY_TRIPLE_DES_CBC : SEC_OID_AES_256_CBC;
	/* Integrity first: the safes take their PBKDF2 digest from it. */
	ctx = SEC_PKCS12CreateExportContext(NULL, NULL, key->pkcs11Slot, db);
	int integrity = ctx && SEC_PKCS12AddPasswordIntegrity(
	                           ctx, &pw, compat ? SEC_OID_SHA1 : SEC_OID_SHA256) == SECSuccess;
	SEC_PKCS12SafeInfo *certs =
	    integrity ? SEC_PKCS12CreatePasswordPrivSafe(ctx, &pw, cipher) : NULL;
	SEC_PKCS12SafeInfo *keys = certs ? SEC_PKCS12CreateUnencryptedSafe(ctx) : NULL;
	if (!keys ||
	    SEC_PKCS12AddCertOrChainAndKey(ctx, certs, NULL, cert, CERT_GetDefaultCertDB(), keys,
	                                   NULL, PR_TRUE, &pw, cipher, PR_TRUE) != SECSuccess) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot put '%s' into a PKCS#12 file", alias);
		goto out;
	}
	if (SEC_PKCS12Encode(ctx, gather_cb, &b) != SECSuccess || b.failed) {
		rc = b.failed ? p11c_fail(db, P11C_EFAIL, "out of memory")
		              : p11c_fail_nss(db, P11C_ETOKEN, "cannot export '%s'", alias);
		goto out;
	}
	*out = b.data;
	*len = b.len;
	b.data = NULL;
	rc = P11C_OK;
out:
	p11c_export_wipe_free(b.data, b.len);
	if (ctx)
		SEC_PKCS12DestroyExportContext(ctx);
	if (key)
		SECKEY_DestroyPrivateKey(key);
	p11c_p12_password_free(&pw);
	CERT_DestroyCertificate(cert);
	return rc;
}

/* data written whole to path, or not at all; the data wiped and freed. */
static int write_out(p11c_db *db, const char *path, unsigned char *data, size_t len)
{
	p11c_output out;
	int rc = p11c_output_open(db, path, &out);
	if (rc == P11C_OK) {
		p11c_output_write(&out, data, len);
		rc = p11c_output_close(db, &out, 1);
	}
	p11c_export_wipe_free(data, len);
	return rc;
}

int p11c_cert_export_p12(p11c_db *db, const char *alias, const char *password, unsigned flags,
                         const char *path)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(alias), P11C_PTR(password),
	          P11C_FLAGS(flags, P11C_P12_COMPAT), P11C_NAME(path));
	unsigned char *data;
	size_t len;
	int rc = p11c_cert_p12_encode(db, alias, password, flags, &data, &len);
	return rc ? rc : write_out(db, path, data, len);
}

/* The chain of cert, itself first, as far as the database knows it. */
static CERTCertList *chain_of(CERTCertificate *cert)
{
	CERTCertList *list = CERT_NewCertList();
	CERTCertificate *c = CERT_DupCertificate(cert);
	for (int depth = 0; list && c && depth < 20; depth++) {
		if (CERT_AddCertToListTail(list, c) != SECSuccess) {
			CERT_DestroyCertificate(c);
			break;
		}
		if (SECITEM_ItemsAreEqual(&c->derSubject, &c->derIssuer))
			break;
		c = CERT_FindCertIssuer(c, PR_Now(), certUsageAnyCA);
	}
	return list;
}

int p11c_cert_export(p11c_db *db, const char *alias, unsigned flags, unsigned char **out,
                     size_t *len)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(alias),
	          P11C_FLAGS(flags, P11C_CERT_EXPORT_CHAIN | P11C_CERT_EXPORT_PEM), P11C_OUT(out),
	          P11C_OUT(len));
	int rc, chain = (flags & P11C_CERT_EXPORT_CHAIN) != 0,
	        pem = (flags & P11C_CERT_EXPORT_PEM) != 0;
	*out = NULL;
	*len = 0;
	CERTCertificate *cert = find_logged_in(db, alias, &rc);
	if (!cert)
		return rc;
	if (!pem && chain) {
		CERT_DestroyCertificate(cert);
		return p11c_fail_field(db, P11C_EUSAGE, "format",
		                       "a chain can only be written as PEM");
	}
	CERTCertList *list = chain ? chain_of(cert) : NULL;
	if (!pem) {
		*out = malloc(cert->derCert.len);
		if (*out) {
			memcpy(*out, cert->derCert.data, cert->derCert.len);
			*len = cert->derCert.len;
		}
	} else {
		char *text = NULL;
		size_t used = 0;
		for (CERTCertListNode *n = list ? CERT_LIST_HEAD(list) : NULL;
		     list && !CERT_LIST_END(n, list); n = CERT_LIST_NEXT(n)) {
			char *one = p11c_pem_encode("CERTIFICATE", n->cert->derCert.data,
			                            n->cert->derCert.len);
			char *more = one ? P11C_VEC_RESERVE(text, used, strlen(one) + 1) : NULL;
			if (!more) {
				free(one);
				free(text);
				text = NULL;
				break;
			}
			memcpy(more, one, strlen(one) + 1);
			used += strlen(one);
			free(one);
		}
		if (!list)
			text =
			    p11c_pem_encode("CERTIFICATE", cert->derCert.data, cert->derCert.len);
		*out = (unsigned char *)text;
		*len = text ? strlen(text) : 0;
	}
	if (list)
		CERT_DestroyCertList(list);
	CERT_DestroyCertificate(cert);
	return *out ? P11C_OK : p11c_fail(db, P11C_EFAIL, "out of memory");
}

int p11c_key_pem(p11c_db *db, const char *alias, unsigned char **out, size_t *len)
{
	int rc;
	SECKEYPrivateKey *key = NULL;
	SECKEYEncryptedPrivateKeyInfo *epki = NULL;
	SECItem der = {siBuffer, NULL, 0};
	char *pw = NULL, *pem = NULL;
	*out = NULL;
	*len = 0;
	CERTCertificate *cert = find_logged_in(db, alias, &rc);
	if (!cert)
		return rc;
	if ((rc = exportable_key(db, cert, alias, &key)))
		goto out;
	/* NSS hands out sensitive keys wrapped only: wrap under a one-time
	 * password, and let OpenSSL unwrap it to PKCS#8 in memory. */
	if (!(pw = p11c_random_password(48))) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot make a one-time password");
		goto out;
	}
	SECItem pwitem = {siBuffer, (unsigned char *)pw, (unsigned)strlen(pw)};
	epki = PK11_ExportEncryptedPrivKeyInfo(key->pkcs11Slot, SEC_OID_AES_256_CBC, &pwitem, key,
	                                       1000, db);
	if (!epki || !SEC_ASN1EncodeItem(NULL, &der, epki,
	                                 SEC_ASN1_GET(SECKEY_EncryptedPrivateKeyInfoTemplate))) {
		rc = p11c_fail_nss(db, P11C_ETOKEN, "cannot export the key of '%s'", alias);
		goto out;
	}
	char err[128];
	if (p11c_ossl_epki_to_pem(der.data, der.len, pw, &pem, err, sizeof(err)) != 0) {
		rc = p11c_fail(db, P11C_EFAIL, "cannot write the key of '%s': %s", alias, err);
		goto out;
	}
	/* OpenSSL's allocation, copied into the caller's */
	if (!(*out = malloc(strlen(pem) + 1))) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	*len = strlen(pem);
	memcpy(*out, pem, *len + 1);
	rc = P11C_OK;
out:
	p11c_secret_free(pw);
	if (pem)
		p11c_ossl_free_secret((unsigned char *)pem, strlen(pem));
	if (der.data)
		SECITEM_FreeItem(&der, PR_FALSE);
	if (epki)
		SECKEY_DestroyEncryptedPrivateKeyInfo(epki, PR_TRUE);
	if (key)
		SECKEY_DestroyPrivateKey(key);
	CERT_DestroyCertificate(cert);
	return rc;
}

int p11c_key_export(p11c_db *db, const char *alias, const char *path)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(alias), P11C_NAME(path));
	unsigned char *data;
	size_t len;
	int rc = p11c_key_pem(db, alias, &data, &len);
	return rc ? rc : write_out(db, path, data, len);
}
