/* SPDX-License-Identifier: MPL-2.0 */
/* ACME's JOSE: the account key's JWK and its RFC 7638 thumbprint, and the
 * flattened JWS of every request, signed through the token (the key never
 * leaves it): ES256/384/512 as raw r||s, RS256 as PKCS#1 v1.5; the
 * external account binding's HS256 with NSS's HMAC. */
#include <cryptohi.h>
#include <pk11pub.h>
#include <secoid.h>
#include <stdlib.h>
#include <string.h>

#include "acmeint.h"

char *p11c_b64url(const void *data, size_t len)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *d = data;
	char *out = malloc(len / 3 * 4 + 5), *p = out;
	if (!out)
		return NULL;
	size_t i = 0;
	for (; i + 2 < len; i += 3) {
		unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | d[i + 2];
		*p++ = tab[v >> 18 & 63];
		*p++ = tab[v >> 12 & 63];
		*p++ = tab[v >> 6 & 63];
		*p++ = tab[v & 63];
	}
	if (len - i == 1) {
		unsigned v = (unsigned)d[i] << 16;
		*p++ = tab[v >> 18 & 63];
		*p++ = tab[v >> 12 & 63];
	} else if (len - i == 2) {
		unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8;
		*p++ = tab[v >> 18 & 63];
		*p++ = tab[v >> 12 & 63];
		*p++ = tab[v >> 6 & 63];
	}
	*p = '\0';
	return out;
}

/* An unsigned big-endian integer without its leading zero bytes. */
static json_t *b64_uint(const SECItem *it)
{
	size_t off = 0;
	while (off + 1 < it->len && it->data[off] == 0)
		off++;
	char *s = p11c_b64url(it->data + off, it->len - off);
	json_t *j = s ? json_string(s) : NULL;
	free(s);
	return j;
}

static json_t *b64_json(const void *data, size_t len)
{
	char *s = p11c_b64url(data, len);
	json_t *j = s ? json_string(s) : NULL;
	free(s);
	return j;
}

/* The coordinate size of an EC public key (04 || X || Y), or 0. */
static size_t ec_coord(const SECKEYPublicKey *pub)
{
	const SECItem *p = &pub->u.ec.publicValue;
	if (p->len < 3 || p->data[0] != 4 || (p->len - 1) % 2)
		return 0;
	return (p->len - 1) / 2;
}

const char *p11c_acme_alg(const SECKEYPublicKey *pub)
{
	if (pub->keyType == rsaKey)
		return "RS256";
	if (pub->keyType != ecKey)
		return NULL;
	switch (ec_coord(pub)) {
	case 32:
		return "ES256";
	case 48:
		return "ES384";
	case 66:
		return "ES512";
	default:
		return NULL;
	}
}

int p11c_acme_jwk(p11c_db *db, const SECKEYPublicKey *pub, json_t **out)
{
	json_t *j = NULL;
	*out = NULL;
	if (pub->keyType == rsaKey) {
		j = json_pack("{s:o*,s:s,s:o*}", "e", b64_uint(&pub->u.rsa.publicExponent), "kty",
		              "RSA", "n", b64_uint(&pub->u.rsa.modulus));
	} else if (pub->keyType == ecKey && p11c_acme_alg(pub)) {
		size_t n = ec_coord(pub);
		const unsigned char *p = pub->u.ec.publicValue.data + 1;
		const char *crv = n == 32 ? "P-256" : n == 48 ? "P-384" : "P-521";
		j = json_pack("{s:s,s:s,s:o*,s:o*}", "crv", crv, "kty", "EC", "x", b64_json(p, n),
		              "y", b64_json(p + n, n));
	} else {
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                   "the account key is of a kind ACME cannot sign with (EC "
		                   "P-256, P-384, P-521 or RSA are)");
	}
	if (!j || json_object_size(j) < 3)
		return json_decref(j), p11c_fail(db, P11C_EFAIL, "out of memory");
	*out = j;
	return P11C_OK;
}

int p11c_acme_thumbprint(p11c_db *db, const SECKEYPublicKey *pub, char **out)
{
	json_t *jwk = NULL;
	*out = NULL;
	int rc = p11c_acme_jwk(db, pub, &jwk);
	if (rc)
		return rc;
	/* RFC 7638: the required members only, sorted, no white space. */
	char *text = json_dumps(jwk, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(jwk);
	unsigned char digest[32];
	if (!text)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	if (PK11_HashBuf(SEC_OID_SHA256, digest, (unsigned char *)text, (PRInt32)strlen(text)) !=
	    SECSuccess) {
		free(text);
		return p11c_fail_nss(db, P11C_EFAIL, "cannot hash the account key's JWK");
	}
	free(text);
	if (!(*out = p11c_b64url(digest, sizeof(digest))))
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	return P11C_OK;
}

/* The signature of input with priv as JWS wants it (malloc'd). */
static int jws_sign(p11c_db *db, SECKEYPrivateKey *priv, const SECKEYPublicKey *pub,
                    const char *input, unsigned char **sig, size_t *sig_len)
{
	SECItem out = {siBuffer, NULL, 0};
	*sig = NULL;
	if (pub->keyType == rsaKey) {
		if (SEC_SignData(&out, (const unsigned char *)input, (int)strlen(input), priv,
		                 SEC_OID_PKCS1_SHA256_WITH_RSA_ENCRYPTION) != SECSuccess)
			return p11c_fail_nss(db, P11C_ETOKEN, "cannot sign with the account key");
	} else {
		size_t n = ec_coord(pub);
		SECOidTag h = n == 32 ? SEC_OID_SHA256 : n == 48 ? SEC_OID_SHA384 : SEC_OID_SHA512;
		unsigned char digest[64];
		SECItem d = {siBuffer, digest, n == 32 ? 32 : n == 48 ? 48 : 64};
		if (PK11_HashBuf(h, digest, (const unsigned char *)input, (PRInt32)strlen(input)) !=
		    SECSuccess)
			return p11c_fail_nss(db, P11C_EFAIL, "cannot hash a request");
		/* CKM_ECDSA's output is r || s, each of the curve's size: JWS's form. */
		if (SECITEM_AllocItem(NULL, &out, 2 * (unsigned)n) == NULL)
			return p11c_fail(db, P11C_EFAIL, "out of memory");
		if (PK11_Sign(priv, &out, &d) != SECSuccess || out.len != 2 * n) {
			SECITEM_FreeItem(&out, PR_FALSE);
			return p11c_fail_nss(db, P11C_ETOKEN, "cannot sign with the account key");
		}
	}
	*sig = malloc(out.len ? out.len : 1);
	if (*sig) {
		memcpy(*sig, out.data, out.len);
		*sig_len = out.len;
	}
	SECITEM_FreeItem(&out, PR_FALSE);
	return *sig ? P11C_OK : p11c_fail(db, P11C_EFAIL, "out of memory");
}

/* protected "." payload, each base64url'd; malloc'd, and the two parts. */
static char *signing_input(const json_t *prot, const char *payload, char **p64, char **b64)
{
	char *ptext = json_dumps(prot, JSON_COMPACT);
	*p64 = ptext ? p11c_b64url(ptext, strlen(ptext)) : NULL;
	*b64 = p11c_b64url(payload, strlen(payload));
	free(ptext);
	if (!*p64 || !*b64)
		return NULL;
	char *in = malloc(strlen(*p64) + strlen(*b64) + 2);
	if (in)
		sprintf(in, "%s.%s", *p64, *b64);
	return in;
}

static json_t *flattened(const char *p64, const char *b64, const unsigned char *sig, size_t n)
{
	return json_pack("{s:s,s:s,s:o*}", "protected", p64, "payload", b64, "signature",
	                 b64_json(sig, n));
}

int p11c_acme_jws(p11c_db *db, SECKEYPrivateKey *priv, const SECKEYPublicKey *pub, const char *kid,
                  const char *nonce, const char *url, const char *payload, char **out)
{
	json_t *prot = NULL, *jwk = NULL, *jws = NULL;
	char *p64 = NULL, *b64 = NULL, *in = NULL;
	unsigned char *sig = NULL;
	size_t sig_len = 0;
	int rc = P11C_OK;
	*out = NULL;
	const char *alg = p11c_acme_alg(pub);
	if (!alg)
		return p11c_acme_jwk(db, pub, &jwk); /* its message */
	if (!kid && (rc = p11c_acme_jwk(db, pub, &jwk)))
		return rc;
	prot = json_pack("{s:s,s:s,s:s}", "alg", alg, "nonce", nonce, "url", url);
	if (!prot || json_object_set_new(prot, kid ? "kid" : "jwk", kid ? json_string(kid) : jwk)) {
		jwk = NULL;
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	jwk = NULL;
	if (!(in = signing_input(prot, payload ? payload : "", &p64, &b64))) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	if ((rc = jws_sign(db, priv, pub, in, &sig, &sig_len)))
		goto out;
	if (!(jws = flattened(p64, b64, sig, sig_len)) || !(*out = json_dumps(jws, JSON_COMPACT)))
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
out:
	json_decref(jwk);
	json_decref(prot);
	json_decref(jws);
	free(p64);
	free(b64);
	free(in);
	free(sig);
	return rc;
}

/* HMAC-SHA256 of data under key, through the database's own slot. */
static int hmac_sha256(p11c_db *db, const unsigned char *key, size_t key_len, const char *data,
                       unsigned char mac[32])
{
	PK11SlotInfo *slot = p11c_db_slot(db);
	SECItem k = {siBuffer, (unsigned char *)key, (unsigned)key_len}, none = {siBuffer, NULL, 0};
	PK11SymKey *sym =
	    slot ? PK11_ImportSymKey(slot, CKM_SHA256_HMAC, PK11_OriginUnwrap, CKA_SIGN, &k, NULL)
	         : NULL;
	PK11Context *ctx =
	    sym ? PK11_CreateContextBySymKey(CKM_SHA256_HMAC, CKA_SIGN, sym, &none) : NULL;
	unsigned len = 0;
	int ok =
	    ctx && PK11_DigestBegin(ctx) == SECSuccess &&
	    PK11_DigestOp(ctx, (const unsigned char *)data, (unsigned)strlen(data)) == SECSuccess &&
	    PK11_DigestFinal(ctx, mac, &len, 32) == SECSuccess && len == 32;
	int rc = ok ? P11C_OK
	            : p11c_fail_nss(db, P11C_EFAIL, "cannot compute the external account binding");
	if (ctx)
		PK11_DestroyContext(ctx, PR_TRUE);
	if (sym)
		PK11_FreeSymKey(sym);
	if (slot)
		PK11_FreeSlot(slot);
	return rc;
}

int p11c_acme_eab(p11c_db *db, const char *kid, const unsigned char *hmac, size_t hmac_len,
                  const SECKEYPublicKey *pub, const char *url, json_t **out)
{
	json_t *jwk = NULL, *prot = NULL;
	char *payload = NULL, *p64 = NULL, *b64 = NULL, *in = NULL;
	unsigned char mac[32];
	*out = NULL;
	int rc = p11c_acme_jwk(db, pub, &jwk);
	if (rc)
		return rc;
	prot = json_pack("{s:s,s:s,s:s}", "alg", "HS256", "kid", kid, "url", url);
	payload = json_dumps(jwk, JSON_COMPACT);
	if (!prot || !payload || !(in = signing_input(prot, payload, &p64, &b64))) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	if ((rc = hmac_sha256(db, hmac, hmac_len, in, mac)))
		goto out;
	if (!(*out = flattened(p64, b64, mac, sizeof(mac))))
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
out:
	memset(mac, 0, sizeof(mac));
	json_decref(jwk);
	json_decref(prot);
	free(payload);
	free(p64);
	free(b64);
	free(in);
	return rc;
}
