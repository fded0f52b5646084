/* SPDX-License-Identifier: MPL-2.0 */
/* The OpenSSL half of the library (ossl.c, built as p11cert-ossl.so) loaded
 * on its first use: most commands never read a PEM key or write a Java
 * truststore, and libcrypto's loading was 2 ms of every command's start.
 * The module is looked for beside the library that runs (LIBDIR/p11cert/
 * installed, the same directory in the build tree), never on a search
 * path. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ossl.h"
#include "ownmod.h"

static const p11c_ossl_ops *ops;
static char why[4400] = "it was not tried";
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	ops = p11c_own_module("p11cert-ossl.so", P11C_OSSL_OPS_SYMBOL, P11C_OSSL_OPS_VERSION,
	                      "OpenSSL", why, sizeof(why));
}

static const p11c_ossl_ops *get(char *err, size_t errlen)
{
	pthread_once(&once, load);
	if (!ops && err && errlen)
		snprintf(err, errlen, "cannot load p11cert's OpenSSL module: %s", why);
	return ops;
}

int p11c_ossl_read_key(const unsigned char *pem, size_t len, const char *password, int ec_public,
                       unsigned char **p8, size_t *p8_len, unsigned char **spki, size_t *spki_len,
                       char *err, size_t errlen)
{
	const p11c_ossl_ops *o = get(err, errlen);
	return o ? o->read_key(pem, len, password, ec_public, p8, p8_len, spki, spki_len, err, errlen)
	         : P11C_OSSL_BAD;
}

void p11c_ossl_free_secret(unsigned char *p, size_t len)
{
	const p11c_ossl_ops *o = p ? get(NULL, 0) : NULL;
	if (o)
		o->free_secret(p, len);
}

int p11c_ossl_epki_to_pem(const unsigned char *der, size_t len, const char *password, char **pem,
                          char *err, size_t errlen)
{
	const p11c_ossl_ops *o = get(err, errlen);
	return o ? o->epki_to_pem(der, len, password, pem, err, errlen) : -1;
}

int p11c_ossl_p8_to_epki(const unsigned char *p8, size_t len, const char *password,
                         unsigned char **der, size_t *der_len)
{
	const p11c_ossl_ops *o = get(NULL, 0);
	return o ? o->p8_to_epki(p8, len, password, der, der_len) : -1;
}

int p11c_ossl_truststore(const unsigned char *const *der, const size_t *der_len,
                         const char *const *names, size_t n, const char *password,
                         unsigned char **out, size_t *out_len, char *err, size_t errlen)
{
	const p11c_ossl_ops *o = get(err, errlen);
	return o ? o->truststore(der, der_len, names, n, password, out, out_len, err, errlen) : -1;
}

int p11c_ossl_key_encrypted(const unsigned char *pem, size_t len)
{
	const p11c_ossl_ops *o = get(NULL, 0);
	return o ? o->key_encrypted(pem, len) : 0;
}
