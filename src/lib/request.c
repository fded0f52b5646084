/* SPDX-License-Identifier: MPL-2.0 */
/* request-cert: a key pair and a PKCS#10 request for a CA to sign. */
#include <cert.h>
#include <errno.h>
#include <sys/stat.h>
#include <certdb.h>
#include <cryptohi.h>
#include <pk11pub.h>
#include <secasn1.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"

/* The request's extensionRequest attribute: its subjectAltName. */
static int add_requested_sans(p11c_db *db, CERTCertificateRequest *req, const p11c_san *san,
                              size_t n)
{
	if (n == 0)
		return P11C_OK;
	void *h = CERT_StartCertificateRequestAttributes(req);
	if (!h || p11c_add_san_extension(req->arena, h, san, n) < 0) {
		if (h)
			CERT_FinishExtensions(h);
		return p11c_fail_nss(db, P11C_EFAIL, "cannot encode the requested SANs");
	}
	if (CERT_FinishExtensions(h) != SECSuccess ||
	    CERT_FinishCertificateRequestAttributes(req) != SECSuccess)
		return p11c_fail_nss(db, P11C_EFAIL, "cannot encode the requested SANs");
	return P11C_OK;
}

/* Encode and sign req with priv; *der malloc'd. */
static int sign_request(p11c_db *db, CERTCertificateRequest *req, SECKEYPrivateKey *priv,
                        SECKEYPublicKey *pub, unsigned char **der, size_t *len)
{
	SECItem tbs = {siBuffer, NULL, 0}, signed_der = {siBuffer, NULL, 0};
	SECOidTag alg = SEC_GetSignatureAlgorithmOidTag(priv->keyType, p11c_hash_for_key(pub));
	if (alg == SEC_OID_UNKNOWN ||
	    !SEC_ASN1EncodeItem(req->arena, &tbs, req,
	                        SEC_ASN1_GET(CERT_CertificateRequestTemplate)))
		return p11c_fail_nss(db, P11C_EFAIL, "cannot encode the request");
	if (SEC_DerSignData(req->arena, &signed_der, tbs.data, (int)tbs.len, priv, alg) !=
	    SECSuccess)
		return p11c_fail_nss(db, P11C_ETOKEN, "cannot sign the request");
	*der = malloc(signed_der.len);
	if (!*der)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	memcpy(*der, signed_der.data, signed_der.len);
	*len = signed_der.len;
	return P11C_OK;
}

int p11c_request_der(p11c_db *db, CERTName *name, const p11c_san *san, size_t n_san,
                     SECKEYPrivateKey *priv, SECKEYPublicKey *pub, unsigned char **der, size_t *len)
{
	CERTSubjectPublicKeyInfo *spki = SECKEY_CreateSubjectPublicKeyInfo(pub);
	CERTCertificateRequest *req = spki ? CERT_CreateCertificateRequest(name, spki, NULL) : NULL;
	int rc = req ? P11C_OK : p11c_fail_nss(db, P11C_EFAIL, "cannot make the request");
	*der = NULL;
	*len = 0;
	if (!rc && !(rc = add_requested_sans(db, req, san, n_san)))
		rc = sign_request(db, req, priv, pub, der, len);
	if (req)
		CERT_DestroyCertificateRequest(req);
	if (spki)
		SECKEY_DestroySubjectPublicKeyInfo(spki);
	return rc;
}

/* The request into *out, or written to the open output o (when not NULL)
 * before the key pair is released: a failed write removes the key too. */
static int request_make(p11c_db *db, const char *alias, const p11c_selfsign_opts *opts,
                        unsigned flags, unsigned char **out, size_t *out_len, p11c_output *o)
{
	char err[256];
	p11c_key_spec spec;
	p11c_san *san = NULL;
	size_t n_san = 0;
	CERTName *name = NULL;
	PK11SlotInfo *slot = NULL;
	SECKEYPrivateKey *priv = NULL;
	SECKEYPublicKey *pub = NULL;
	unsigned char *der = NULL;
	size_t der_len = 0;
	*out = NULL;
	*out_len = 0;
	int rc = p11c_require_open(db, 1);
	if (rc)
		return rc;
	if (!opts)
		return p11c_fail_field(db, P11C_EUSAGE, "subject", "a subject is needed");
	if ((rc = p11c_key_type_parse(opts->key_type, &spec, err, sizeof(err))))
		return p11c_fail(db, rc, "%s", err);
	if ((rc = p11c_collect_sans(db, opts, &san, &n_san)) ||
	    (rc = p11c_subject_name(db, opts->subject, opts->fields, &name)))
		goto out;
	/* The key's name: --alias, else the subject's CN. */
	char *cn = alias ? NULL : CERT_GetCommonName(name);
	const char *keyname = alias ? alias : cn;
	if (!keyname || !*keyname) {
		PORT_Free(cn);
		rc = p11c_fail_field(
		    db, P11C_EUSAGE, "alias",
		    "the subject has no CN to name the key by, and no alias was given");
		goto out;
	}
	if ((rc = p11c_slot_for_token(db, opts->token, &slot)) || (rc = p11c_login(db, slot)) ||
	    (rc = p11c_alias_check_new(db, slot, keyname)) ||
	    (rc = p11c_key_name_check_new(db, slot, keyname))) {
		PORT_Free(cn);
		goto out;
	}
	p11c_log(db, "making a %s key for a request, named '%s', on token '%s'",
	         opts->key_type ? opts->key_type : "rsa:2048", keyname, PK11_GetTokenName(slot));
	if (!(rc = p11c_pending_begin(db, "request-cert")))
		rc = p11c_keygen(db, slot, &spec, (opts->flags & P11C_SELFSIGN_EXTRACTABLE) != 0,
		                 keyname, &priv, &pub);
	PORT_Free(cn);
	if (rc)
		goto out;
	if ((rc = p11c_request_der(db, name, san, n_san, priv, pub, &der, &der_len)))
		goto out;
	if (flags & P11C_REQUEST_PEM) {
		*out = (unsigned char *)p11c_pem_encode("CERTIFICATE REQUEST", der, der_len);
		*out_len = *out ? strlen((char *)*out) : 0;
		free(der);
		if (!*out)
			rc = p11c_fail(db, P11C_EFAIL, "out of memory");
	} else {
		*out = der;
		*out_len = der_len;
	}
	if (rc == P11C_OK && o) {
		p11c_output_write(o, *out, *out_len);
		rc = p11c_output_close(db, o, 1);
	}
out:
	p11c_keypair_release(rc, &priv, &pub);
	/* The key is for good once the request is written out: here, or by
	 * the caller, and then the handle's close (or next write) completes
	 * the record. */
	if (rc || o)
		p11c_pending_end(db, rc);
	else
		p11c_pending_defer(db);
	if (name)
		CERT_DestroyName(name);
	if (slot)
		PK11_FreeSlot(slot);
	p11c_san_free(san, n_san);
	return rc;
}

#define SELFSIGN_FLAGS (P11C_SELFSIGN_CA | P11C_SELFSIGN_EXTRACTABLE)

int p11c_request_create(p11c_db *db, const char *alias, const p11c_selfsign_opts *opts,
                        unsigned flags, unsigned char **out, size_t *out_len)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OPTNAME(alias), P11C_PTR(opts),
	          P11C_OPTS_SIZE(opts, P11C_SELFSIGN_OPTS_V1), P11C_FIELD_OPTNAME(opts, token),
	          P11C_FIELD_FLAGS(opts, flags, SELFSIGN_FLAGS),
	          P11C_FLAGS(flags, P11C_REQUEST_PEM), P11C_OUT(out), P11C_OUT(out_len));
	return request_make(db, alias, opts, flags, out, out_len, NULL);
}

int p11c_request_write(p11c_db *db, const char *alias, const p11c_selfsign_opts *opts,
                       unsigned flags, const char *path)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OPTNAME(alias), P11C_PTR(opts),
	          P11C_OPTS_SIZE(opts, P11C_SELFSIGN_OPTS_V1), P11C_FIELD_OPTNAME(opts, token),
	          P11C_FIELD_FLAGS(opts, flags, SELFSIGN_FLAGS),
	          P11C_FLAGS(flags, P11C_REQUEST_PEM), P11C_NAME(path));
	p11c_output o;
	unsigned char *req = NULL;
	size_t len = 0;
	int rc = p11c_output_open(db, path, &o); /* a refused path costs no key */
	if (rc)
		return P11C_EFAIL;   /* a missing directory too: the request's file is output */
	if (fchmod(o.fd, 0644) != 0) /* a request is public */
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot write '%s': %s", path,
		                 strerror(errno));
	else
		rc = request_make(db, alias, opts, flags, &req, &len, &o);
	p11c_output_close(db, &o, 0); /* when request_make did not get to it */
	free(req);
	return rc;
}
