/* SPDX-License-Identifier: MPL-2.0 */
/* OpenSSL reads the PEM key forms NSS has no reader for. */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ossl.h"

static int pw_cb(char *buf, int size, int rwflag, void *u)
{
	(void)rwflag;
	const char *pw = u;
	if (!pw)
		return -1; /* encrypted, and no password given */
	int n = (int)strlen(pw);
	if (n > size)
		return -1;
	memcpy(buf, pw, (size_t)n);
	return n;
}

int p11c_ossl_key_encrypted(const unsigned char *pem, size_t len)
{
	const char *marks[] = {"-----BEGIN ENCRYPTED PRIVATE KEY-----", "Proc-Type: 4,ENCRYPTED"};
	for (size_t m = 0; m < 2; m++) {
		size_t k = strlen(marks[m]);
		for (size_t i = 0; i + k <= len; i++)
			if (!memcmp(pem + i, marks[m], k))
				return 1;
	}
	return 0;
}

void p11c_ossl_free_secret(unsigned char *p, size_t len)
{
	if (p) {
		OPENSSL_cleanse(p, len);
		OPENSSL_free(p);
	}
}

int p11c_ossl_read_key(const unsigned char *pem, size_t len, const char *password, int ec_public,
                       unsigned char **p8, size_t *p8_len, unsigned char **spki, size_t *spki_len,
                       char *err, size_t errlen)
{
	int rc = P11C_OSSL_BAD;
	EVP_PKEY *key = NULL;
	PKCS8_PRIV_KEY_INFO *info = NULL;
	*p8 = *spki = NULL;
	*p8_len = *spki_len = 0;
	ERR_clear_error();
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return P11C_OSSL_NOMEM;
	key = PEM_read_bio_PrivateKey(bio, NULL, pw_cb, (void *)password);
	if (!key) {
		unsigned long e = ERR_peek_last_error();
		int bad_pw = p11c_ossl_key_encrypted(pem, len) &&
		             (ERR_GET_REASON(e) == EVP_R_BAD_DECRYPT ||
		              ERR_GET_REASON(e) == PEM_R_BAD_DECRYPT ||
		              ERR_GET_REASON(e) == PEM_R_BAD_PASSWORD_READ || !password ||
		              ERR_GET_LIB(e) == ERR_LIB_PKCS12 || ERR_GET_LIB(e) == ERR_LIB_EVP);
		snprintf(err, errlen, "%s",
		         bad_pw ? (password ? "wrong password" : "it is encrypted")
		                : "no private key OpenSSL can read");
		rc = bad_pw ? P11C_OSSL_PASSWORD : P11C_OSSL_BAD;
		goto out;
	}
	/* A corrupted key (an EC scalar that is not the point's, RSA primes
	 * that do not make the modulus) is refused, as openssl pkey -check
	 * does, before it is stored next to a certificate it cannot serve. */
	EVP_PKEY_CTX *check = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	int valid = check && EVP_PKEY_check(check) == 1;
	EVP_PKEY_CTX_free(check);
	if (!valid) {
		snprintf(err, errlen, "the private key is invalid (its parts do not agree)");
		goto out;
	}
	/* Some tokens (SoftHSM) refuse CKA_EC_POINT on a private key, which NSS
	 * sets when the EC private key carries its public key. */
	if (!ec_public && EVP_PKEY_is_a(key, "EC"))
		EVP_PKEY_set_int_param(key, OSSL_PKEY_PARAM_EC_INCLUDE_PUBLIC, 0);
	info = EVP_PKEY2PKCS8(key);
	int n = info ? i2d_PKCS8_PRIV_KEY_INFO(info, p8) : -1;
	int m = i2d_PUBKEY(key, spki);
	if (n <= 0 || m <= 0) {
		snprintf(err, errlen, "cannot re-encode the key");
		goto out;
	}
	*p8_len = (size_t)n;
	*spki_len = (size_t)m;
	rc = P11C_OSSL_OK;
out:
	if (rc != P11C_OSSL_OK) {
		p11c_ossl_free_secret(*p8, *p8_len);
		OPENSSL_free(*spki);
		*p8 = *spki = NULL;
	}
	PKCS8_PRIV_KEY_INFO_free(info);
	EVP_PKEY_free(key);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

int p11c_ossl_epki_to_pem(const unsigned char *der, size_t len, const char *password, char **pem,
                          char *err, size_t errlen)
{
	int rc = -1;
	const unsigned char *p = der;
	X509_SIG *sig = d2i_X509_SIG(NULL, &p, (long)len);
	PKCS8_PRIV_KEY_INFO *info =
	    sig ? PKCS8_decrypt(sig, password, (int)strlen(password)) : NULL;
	BIO *bio = info ? BIO_new(BIO_s_secmem()) : NULL;
	char *data = NULL;
	*pem = NULL;
	if (!bio || !PEM_write_bio_PKCS8_PRIV_KEY_INFO(bio, info)) {
		snprintf(err, errlen, "OpenSSL cannot unwrap NSS's export");
		goto out;
	}
	long n = BIO_get_mem_data(bio, &data);
	*pem = OPENSSL_malloc((size_t)n + 1);
	if (!*pem) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	memcpy(*pem, data, (size_t)n);
	(*pem)[n] = '\0';
	rc = 0;
out:
	BIO_free(bio);
	PKCS8_PRIV_KEY_INFO_free(info);
	X509_SIG_free(sig);
	ERR_clear_error();
	return rc;
}

int p11c_ossl_p8_to_epki(const unsigned char *p8, size_t len, const char *password,
                         unsigned char **der, size_t *der_len)
{
	const unsigned char *p = p8;
	PKCS8_PRIV_KEY_INFO *info = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
	X509_SIG *sig = info ? PKCS8_encrypt(-1, EVP_aes_256_cbc(), password, (int)strlen(password),
	                                     NULL, 0, 1000, info)
	                     : NULL;
	int n = sig ? i2d_X509_SIG(sig, der) : -1;
	*der_len = n > 0 ? (size_t)n : 0;
	X509_SIG_free(sig);
	PKCS8_PRIV_KEY_INFO_free(info);
	ERR_clear_error();
	return n > 0 ? 0 : -1;
}

#define TRUSTSTORE_ITER 10000 /* what keytool uses */
#define ORACLE_TRUSTED_KEY_USAGE "2.16.840.1.113894.746875.1.1"

static void ossl_error(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	snprintf(err, errlen, "%s%s%s", what, e ? ": " : "", e ? ERR_reason_error_string(e) : "");
	ERR_clear_error();
}

int p11c_ossl_truststore(const unsigned char *const *der, const size_t *der_len,
                         const char *const *names, size_t n, const char *password,
                         unsigned char **out, size_t *out_len, char *err, size_t errlen)
{
	STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
	STACK_OF(PKCS7) *safes = NULL;
	PKCS12 *p12 = NULL;
	ASN1_OBJECT *any = OBJ_txt2obj("2.5.29.37.0", 1);
	int rc = P11C_OSSL_BAD;
	*out = NULL;
	if (!any) {
		ossl_error(err, errlen, "cannot make the trust attribute");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = der[i];
		X509 *x = d2i_X509(NULL, &p, (long)der_len[i]);
		PKCS12_SAFEBAG *bag = x ? PKCS12_add_cert(&bags, x) : NULL;
		X509_free(x); /* the bag holds its own copy */
		if (!bag || !PKCS12_add_friendlyname_utf8(bag, names[i], -1) ||
		    !PKCS12_add1_attr_by_txt(bag, ORACLE_TRUSTED_KEY_USAGE, V_ASN1_OBJECT,
		                             (const unsigned char *)any, -1)) {
			ossl_error(err, errlen, "cannot make a certificate bag");
			goto out;
		}
	}
	if (!PKCS12_add_safe(&safes, bags, NID_aes_256_cbc, TRUSTSTORE_ITER, password) ||
	    !(p12 = PKCS12_add_safes(safes, 0)) ||
	    !PKCS12_set_mac(p12, password, -1, NULL, 0, TRUSTSTORE_ITER, EVP_sha256())) {
		ossl_error(err, errlen, "cannot make the PKCS#12 file");
		goto out;
	}
	unsigned char *buf = NULL;
	int len = i2d_PKCS12(p12, &buf);
	if (len <= 0) {
		ossl_error(err, errlen, "cannot encode the PKCS#12 file");
		goto out;
	}
	*out = malloc((size_t)len);
	if (*out) {
		memcpy(*out, buf, (size_t)len);
		*out_len = (size_t)len;
		rc = P11C_OSSL_OK;
	} else {
		rc = P11C_OSSL_NOMEM;
	}
	OPENSSL_free(buf);
out:
	ASN1_OBJECT_free(any);
	PKCS12_free(p12);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	return rc;
}

#ifdef P11C_OSSL_MODULE
/* The module's one export: what osslload.c calls. */
__attribute__((visibility("default"))) extern const p11c_ossl_ops p11c_ossl_module_ops;
const p11c_ossl_ops p11c_ossl_module_ops = {
    P11C_OSSL_OPS_VERSION, p11c_ossl_read_key,  p11c_ossl_free_secret,   p11c_ossl_epki_to_pem,
    p11c_ossl_p8_to_epki,  p11c_ossl_truststore, p11c_ossl_key_encrypted,
};
#endif
