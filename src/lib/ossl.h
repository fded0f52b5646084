/* SPDX-License-Identifier: MPL-2.0 */
/* PEM private keys read with OpenSSL, kept apart from NSS's headers. */
#ifndef P11C_OSSL_H
#define P11C_OSSL_H

#include <stddef.h>

#pragma GCC visibility push(hidden)

enum { P11C_OSSL_OK = 0, P11C_OSSL_BAD = -1, P11C_OSSL_PASSWORD = -2, P11C_OSSL_NOMEM = -3 };

/* Read a PEM private key (PKCS#1, SEC1, PKCS#8, encrypted PKCS#8 or
 * legacy-encrypted PEM) from pem; password may be NULL.  On success the
 * key as unencrypted PKCS#8 DER (*p8, to be wiped and freed with
 * p11c_ossl_free_secret) and its SubjectPublicKeyInfo DER (*spki, the
 * same).  ec_public: an EC key's PKCS#8 keeps its public key. */
int p11c_ossl_read_key(const unsigned char *pem, size_t len, const char *password, int ec_public,
                       unsigned char **p8, size_t *p8_len, unsigned char **spki, size_t *spki_len,
                       char *err, size_t errlen);
void p11c_ossl_free_secret(unsigned char *p, size_t len);
/* An EncryptedPrivateKeyInfo (DER, under password) as PKCS#8 PEM text
 * (*pem: wipe and free with p11c_ossl_free_secret); 0 or -1. */
int p11c_ossl_epki_to_pem(const unsigned char *der, size_t len, const char *password, char **pem,
                          char *err, size_t errlen);
/* PKCS#8 DER encrypted under password (PBES2, AES-256-CBC) as an
 * EncryptedPrivateKeyInfo (*der: free with p11c_ossl_free_secret); 0 or -1. */
int p11c_ossl_p8_to_epki(const unsigned char *p8, size_t len, const char *password,
                         unsigned char **der, size_t *der_len);
/* A PKCS#12 truststore as Java's keytool writes one: each certificate (DER)
 * a trustedCertEntry (friendlyName, and Oracle's trusted key usage
 * attribute 2.16.840.1.113894.746875.1.1 = anyExtendedKeyUsage), the bags
 * under PBES2 AES-256-CBC, a SHA-256 MAC; *out to free with free(). */
int p11c_ossl_truststore(const unsigned char *const *der, const size_t *der_len,
                         const char *const *names, size_t n, const char *password,
                         unsigned char **out, size_t *out_len, char *err, size_t errlen);
/* Whether the PEM text holds an encrypted key. */
int p11c_ossl_key_encrypted(const unsigned char *pem, size_t len);

/* ossl.c is built as a module of its own (p11cert-ossl.so, installed in
 * LIBDIR/p11cert/), loaded by osslload.c on the first call: linking
 * libcrypto into every run cost each command 2 ms of start-up, a third of
 * a one-shot command's time.  The module's one symbol is this table. */
typedef struct {
	unsigned version; /* P11C_OSSL_OPS_VERSION */
	int (*read_key)(const unsigned char *, size_t, const char *, int, unsigned char **,
	                size_t *, unsigned char **, size_t *, char *, size_t);
	void (*free_secret)(unsigned char *, size_t);
	int (*epki_to_pem)(const unsigned char *, size_t, const char *, char **, char *, size_t);
	int (*p8_to_epki)(const unsigned char *, size_t, const char *, unsigned char **, size_t *);
	int (*truststore)(const unsigned char *const *, const size_t *, const char *const *, size_t,
	                  const char *, unsigned char **, size_t *, char *, size_t);
	int (*key_encrypted)(const unsigned char *, size_t);
} p11c_ossl_ops;
#define P11C_OSSL_OPS_VERSION 1
#define P11C_OSSL_OPS_SYMBOL "p11c_ossl_module_ops"

#pragma GCC visibility pop

#endif
