/* SPDX-License-Identifier: MPL-2.0 */
/* Revocation in a verdict: each link but a root looked up at its OCSP
 * responder (authorityInfoAccess) and/or CRL (revcrl.c), NSS deciding on
 * the answer: CERT_CheckOCSPStatus, which fetches through revhttp.c's
 * client when its cache has nothing fresh (the database directory's cache
 * is handed to it first, as a side channel).  An answer is cached only
 * when NSS found it good or revoked, its signature verifies against the
 * issuer, and it has a nextUpdate still ahead. */
#include <ocsp.h>
#include <prerror.h>
#include <secder.h>
#include <secerr.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chainint.h"

const char *p11c_rev_reason_name(int code)
{
	static const char *const names[] = {
	    "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
	    "superseded",    "cessationOfOperation", "certificateHold", "unused",
	    "removeFromCRL", "privilegeWithdrawn",   "aACompromise"};
	return code >= 0 && (size_t)code < sizeof(names) / sizeof(names[0]) ? names[code]
	                                                                    : "unspecified";
}

/* ---- the few fields of an OCSP answer NSS's public API does not give ---- */

typedef struct {
	const unsigned char *p;
	size_t len;
} der;

static int next(der *in, unsigned char *tag, der *val)
{
	if (in->len < 2)
		return -1;
	size_t l = in->p[1], h = 2;
	if (l & 0x80) {
		size_t k = l & 0x7f;
		if (k == 0 || k > 4 || in->len < 2 + k)
			return -1;
		l = 0;
		for (size_t i = 0; i < k; i++)
			l = l << 8 | in->p[2 + i];
		h = 2 + k;
	}
	if (in->len - h < l)
		return -1;
	*tag = in->p[0];
	val->p = in->p + h;
	val->len = l;
	in->p += h + l;
	in->len -= h + l;
	return 0;
}

/* The content of the next element, which must have tag t. */
static int take(der *in, unsigned char t, der *val)
{
	unsigned char tag;
	return next(in, &tag, val) || tag != t ? -1 : 0;
}

static long long gtime(const der *d)
{
	SECItem it = {siGeneralizedTime, (unsigned char *)d->p, (unsigned)d->len};
	PRTime t;
	return DER_GeneralizedTimeToTime(&t, &it) == SECSuccess ? (long long)(t / PR_USEC_PER_SEC)
	                                                        : 0;
}

/* The SingleResponse for serial: status, times, reason.  -1 when the answer
 * is not a successful basic response or does not name the serial. */
static int ocsp_fields(const unsigned char *body, size_t len, const SECItem *serial,
                       p11c_rev_link *out)
{
	der in = {body, len}, resp, x, bytes, basic, tbs, list;
	unsigned char tag;
	if (take(&in, 0x30, &resp) || take(&resp, 0x0a, &x) || x.len != 1 || x.p[0] != 0 ||
	    take(&resp, 0xa0, &x) || take(&x, 0x30, &bytes) || take(&bytes, 0x06, &x) ||
	    take(&bytes, 0x04, &x) || take(&x, 0x30, &basic) || take(&basic, 0x30, &tbs))
		return -1;
	if (tbs.len && tbs.p[0] == 0xa0 && next(&tbs, &tag, &x))
		return -1;
	if (next(&tbs, &tag, &x) || take(&tbs, 0x18, &x) || take(&tbs, 0x30, &list))
		return -1;
	der single;
	while (take(&list, 0x30, &single) == 0) {
		der id, s, status;
		if (take(&single, 0x30, &id) || take(&id, 0x30, &x) || take(&id, 0x04, &x) ||
		    take(&id, 0x04, &x) || take(&id, 0x02, &s))
			return -1;
		if (s.len != serial->len || memcmp(s.p, serial->data, s.len))
			continue;
		if (next(&single, &tag, &status))
			return -1;
		out->status = tag == 0x80   ? P11C_REV_GOOD
		              : tag == 0xa1 ? P11C_REV_REVOKED
		                            : P11C_REV_UNKNOWN;
		if (tag == 0xa1) {
			if (take(&status, 0x18, &x))
				return -1;
			out->revoked_at = gtime(&x);
			out->reason = p11c_rev_reason_name(0);
			der r;
			if (take(&status, 0xa0, &r) == 0 && take(&r, 0x0a, &x) == 0 && x.len == 1)
				out->reason = p11c_rev_reason_name(x.p[0]);
		}
		if (take(&single, 0x18, &x))
			return -1;
		out->this_update = gtime(&x);
		der nu;
		if (take(&single, 0xa0, &nu) == 0 && take(&nu, 0x18, &x) == 0)
			out->next_update = gtime(&x);
		return 0;
	}
	return -1;
}

/* Whether body is a successful answer signed for issuer that names cert;
 * its fields into out. */
static int ocsp_good(p11c_db *db, const unsigned char *body, size_t len, CERTCertificate *cert,
                     CERTCertificate *issuer, p11c_rev_link *out)
{
	SECItem it = {siBuffer, (unsigned char *)body, (unsigned)len};
	CERTOCSPResponse *r = len ? CERT_DecodeOCSPResponse(&it) : NULL;
	if (!r)
		return 0;
	CERTCertificate *signer = NULL;
	int ok = CERT_GetOCSPResponseStatus(r) == SECSuccess &&
	         CERT_VerifyOCSPResponseSignature(r, CERT_GetDefaultCertDB(), db, &signer,
	                                          issuer) == SECSuccess;
	if (signer)
		CERT_DestroyCertificate(signer);
	CERT_DestroyOCSPResponse(r);
	return ok && ocsp_fields(body, len, &cert->serialNumber, out) == 0;
}

static void set_error(p11c_rev_link *l, const char *fmt, const char *a)
{
	char buf[600];
	snprintf(buf, sizeof(buf), fmt, a);
	free(l->error);
	l->error = strdup(buf);
}

/* 1 when the deadline of the run has passed: nothing more is fetched. */
static int out_of_time(const p11c_chain *c)
{
	return c->rev_deadline && (long long)time(NULL) >= c->rev_deadline;
}

/* OCSP for link i; 0 when it names no responder. */
static int ocsp_check(p11c_db *db, p11c_chain *c, size_t i, CERTCertificate *issuer, PRTime when)
{
	CERTCertificate *cert = c->nss[i];
	p11c_rev_link *l = &c->rev[i];
	char *url = CERT_GetOCSPAuthorityInfoAccessLocation(cert);
	if (!url)
		return 0;
	l->method = "ocsp";
	free(l->source);
	l->source = strdup(url);
	PORT_Free(url);
	size_t klen = issuer->derCert.len + cert->serialNumber.len;
	unsigned char *key = malloc(klen);
	if (!key)
		return 1;
	memcpy(key, issuer->derCert.data, issuer->derCert.len);
	memcpy(key + issuer->derCert.len, cert->serialNumber.data, cert->serialNumber.len);
	long long now = (long long)time(NULL);
	unsigned char *cached = NULL;
	size_t clen = 0;
	p11c_rev_link got = {0};
	if (p11c_rev_cache_read(db, "ocsp", key, klen, &cached, &clen) == 0 &&
	    ocsp_good(db, cached, clen, cert, issuer, &got) && got.next_update > now) {
		SECItem it = {siBuffer, cached, (unsigned)clen};
		CERT_CacheOCSPResponseFromSideChannel(CERT_GetDefaultCertDB(), cert, PR_Now(), &it,
		                                      db);
		l->cached = 1;
	}
	if (!l->cached && out_of_time(c)) {
		l->status = P11C_REV_UNKNOWN;
		set_error(l, "%s", "the run's time limit for revocation was reached");
		free(cached);
		free(key);
		return 1;
	}
	p11c_rev_http_register(c->rev_timeout);
	p11c_rev_http_reset();
	if (!l->cached)
		p11c_log(db, "asking the OCSP responder %s", l->source);
	SECStatus s = CERT_CheckOCSPStatus(CERT_GetDefaultCertDB(), cert, when, db);
	int err = s == SECSuccess ? 0 : PORT_GetError();
	const char *lurl = NULL;
	const unsigned char *body = cached;
	size_t len = clen;
	long http = 200;
	int fetched = !l->cached && p11c_rev_http_last(&lurl, &body, &len, &http) && body;
	int valid =
	    l->cached || (fetched && http == 200 && ocsp_good(db, body, len, cert, issuer, &got));
	if (s == SECSuccess || err == SEC_ERROR_REVOKED_CERTIFICATE) {
		l->status = s == SECSuccess ? P11C_REV_GOOD : P11C_REV_REVOKED;
		if (valid) {
			l->this_update = got.this_update;
			l->next_update = got.next_update;
			l->revoked_at = got.revoked_at;
		}
		l->reason = l->status == P11C_REV_REVOKED
		                ? (valid && got.reason ? got.reason : "unspecified")
		                : NULL;
		if (fetched && valid && got.status == l->status && got.next_update > now)
			p11c_rev_cache_write(db, "ocsp", key, klen, body, len);
	} else {
		l->status = P11C_REV_UNKNOWN;
		l->cached = 0;
		if (err == SEC_ERROR_OCSP_UNKNOWN_CERT)
			set_error(l, "%s", "the responder does not know the certificate");
		else if (fetched && http != 200) {
			char h[32];
			snprintf(h, sizeof(h), "%ld", http);
			set_error(l, "the responder answered HTTP %s", h);
		} else if (!lurl)
			set_error(l, "%s", PR_ErrorToString(err, PR_LANGUAGE_I_DEFAULT));
		else if (!fetched)
			set_error(l, "%s", "no answer from the responder");
		else
			set_error(l, "a bad answer: %s",
			          PR_ErrorToString(err, PR_LANGUAGE_I_DEFAULT));
	}
	p11c_rev_http_reset();
	free(cached);
	free(key);
	return 1;
}

static CERTCertificate *issuer_of(p11c_chain *c, size_t i, PRTime when)
{
	CERTCertificate *cert = c->nss[i];
	for (size_t j = 0; j < c->n; j++)
		if (j != i && SECITEM_ItemsAreEqual(&c->nss[j]->derSubject, &cert->derIssuer) &&
		    CERT_VerifySignedData(&cert->signatureWrap, c->nss[j], when, NULL) ==
		        SECSuccess)
			return CERT_DupCertificate(c->nss[j]);
	return CERT_FindCertIssuer(cert, when, certUsageAnyCA);
}

int p11c_chain_revocation(p11c_db *db, p11c_chain *c, PRTime when)
{
	if (!c->rev_mode || !c->n)
		return P11C_OK;
	if (!c->rev && !(c->rev = calloc(c->n, sizeof(*c->rev))))
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	for (size_t i = 0; i < c->n; i++) {
		p11c_rev_link *l = &c->rev[i];
		CERTCertificate *cert = c->nss[i];
		if (l->done)
			continue;
		l->done = 1;
		if (SECITEM_ItemsAreEqual(&cert->derSubject, &cert->derIssuer))
			continue; /* a root: nothing above it to ask */
		CERTCertificate *issuer = issuer_of(c, i, when);
		if (!issuer) {
			set_error(l, "%s", "its issuer is not at hand");
			l->status = c->rev_require ? P11C_REV_UNKNOWN : P11C_REV_NOT_CHECKED;
			continue;
		}
		int asked = 0;
		if (c->rev_mode & P11C_REVOCATION_OCSP)
			asked |= ocsp_check(db, c, i, issuer, when);
		if ((c->rev_mode & P11C_REVOCATION_CRL) &&
		    (l->status == P11C_REV_NOT_CHECKED || l->status == P11C_REV_UNKNOWN))
			asked |= p11c_rev_crl(db, c, i, issuer, when);
		CERT_DestroyCertificate(issuer);
		if (!asked) {
			set_error(l, "%s",
			          c->rev_mode == P11C_REVOCATION_CRL
			              ? "it names no CRL distribution point"
			          : c->rev_mode == P11C_REVOCATION_OCSP
			              ? "it names no OCSP responder"
			              : "it names no OCSP responder and no CRL distribution point");
			l->status = c->rev_require ? P11C_REV_UNKNOWN : P11C_REV_NOT_CHECKED;
		}
	}
	return P11C_OK;
}

void p11c_rev_links_free(p11c_chain *c)
{
	for (size_t i = 0; c->rev && i < c->n; i++) {
		free(c->rev[i].source);
		free(c->rev[i].error);
	}
	free(c->rev);
	c->rev = NULL;
}
