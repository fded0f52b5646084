/* SPDX-License-Identifier: MPL-2.0 */
/* Revocation from CRLs: the first http(s) URL of the certificate's CRL
 * distribution points, fetched (http.c) or read from the cache, checked
 * (the issuer's name and signature, nextUpdate still ahead: a stale CRL
 * is no answer), handed to NSS (CERT_CacheCRL) and NSS asked
 * (CERT_CheckCRL). */
#include <cert.h>
#include <certdb.h>
#include <prerror.h>
#include <secder.h>
#include <secerr.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chainint.h"
#include "net.h"

#define CRL_MAX (8 * 1024 * 1024)

/* The first http or https URI of cert's CRL distribution points (malloc'd). */
static char *crl_url(CERTCertificate *cert)
{
	SECItem ext = {siBuffer, NULL, 0};
	if (CERT_FindCertExtension(cert, SEC_OID_X509_CRL_DIST_POINTS, &ext) != SECSuccess)
		return NULL;
	PLArenaPool *arena = PORT_NewArena(1024);
	CERTCrlDistributionPoints *dps =
	    arena ? CERT_DecodeCRLDistributionPoints(arena, &ext) : NULL;
	char *found = NULL;
	for (CRLDistributionPoint **dp = dps ? dps->distPoints : NULL; !found && dp && *dp; dp++) {
		if ((*dp)->distPointType != generalName)
			continue;
		CERTGeneralName *first = (*dp)->distPoint.fullName, *n = first;
		do {
			if (!n)
				break;
			const SECItem *u = &n->name.other;
			if (n->type == certURI && u->len > 7 && u->len < 2048 &&
			    (!strncmp((const char *)u->data, "http://", 7) ||
			     !strncmp((const char *)u->data, "https://", 8))) {
				if ((found = malloc(u->len + 1))) {
					memcpy(found, u->data, u->len);
					found[u->len] = '\0';
				}
				break;
			}
			n = CERT_GetNextGeneralName(n);
		} while (n != first);
	}
	if (arena)
		PORT_FreeArena(arena, PR_FALSE);
	SECITEM_FreeItem(&ext, PR_FALSE);
	return found;
}

/* NSS's word on cert with the CRLs it holds: its classic verifier checks
 * each link against its issuer's CRLs; only this certificate's entry in
 * the log counts (the rest of the verdict is judge()'s). */
static SECStatus nss_crl_verdict(p11c_db *db, CERTCertificate *cert, PRTime when, int *err)
{
	CERTVerifyLog log;
	memset(&log, 0, sizeof(log));
	if (!(log.arena = PORT_NewArena(1024))) {
		*err = SEC_ERROR_NO_MEMORY;
		return SECFailure;
	}
	SECCertificateUsage u =
	    CERT_IsCACert(cert, NULL) ? certificateUsageSSLCA : certificateUsageSSLServer;
	CERT_VerifyCertificate(CERT_GetDefaultCertDB(), cert, PR_TRUE, u, when, db, &log, NULL);
	SECStatus s = SECSuccess;
	for (CERTVerifyLogNode *node = log.head; node; node = node->next) {
		if (node->error == SEC_ERROR_REVOKED_CERTIFICATE &&
		    SECITEM_ItemsAreEqual(&node->cert->derCert, &cert->derCert)) {
			s = SECFailure;
			*err = SEC_ERROR_REVOKED_CERTIFICATE;
		}
		CERT_DestroyCertificate(node->cert);
	}
	PORT_FreeArena(log.arena, PR_FALSE);
	return s;
}

static long long seconds(const SECItem *t)
{
	PRTime v;
	return t->len && DER_DecodeTimeChoice(&v, t) == SECSuccess
	           ? (long long)(v / PR_USEC_PER_SEC)
	           : 0;
}

/* body as a CRL of issuer's, signed by it; NULL otherwise. */
static CERTSignedCrl *crl_good(p11c_db *db, unsigned char *body, size_t len,
                               CERTCertificate *issuer, PRTime when)
{
	SECItem it = {siBuffer, body, (unsigned)len};
	CERTSignedCrl *crl =
	    len ? CERT_DecodeDERCrlWithFlags(NULL, &it, SEC_CRL_TYPE, CRL_DECODE_DEFAULT_OPTIONS)
	        : NULL;
	if (crl && (!SECITEM_ItemsAreEqual(&crl->crl.derName, &issuer->derSubject) ||
	            CERT_VerifySignedData(&crl->signatureWrap, issuer, when, db) != SECSuccess)) {
		SEC_DestroyCrl(crl);
		crl = NULL;
	}
	return crl;
}

/* Whether crl has an entry revoking cert (removeFromCRL undoes one). */
static int listed(const CERTSignedCrl *crl, const CERTCertificate *cert)
{
	for (CERTCrlEntry **e = crl->crl.entries; e && *e; e++) {
		if (!SECITEM_ItemsAreEqual(&(*e)->serialNumber, &cert->serialNumber))
			continue;
		CERTCRLEntryReasonCode r = crlEntryReasonUnspecified;
		CERT_FindCRLEntryReasonExten(*e, &r);
		return r != crlEntryReasonRemoveFromCRL;
	}
	return 0;
}

static void fail(p11c_rev_link *l, const char *what, const char *more)
{
	char buf[600];
	snprintf(buf, sizeof(buf), "%s%s", what, more ? more : "");
	free(l->error);
	l->error = strdup(buf);
	l->status = P11C_REV_UNKNOWN;
	l->cached = 0;
}

int p11c_rev_crl(p11c_db *db, p11c_chain *c, size_t i, CERTCertificate *issuer, PRTime when)
{
	CERTCertificate *cert = c->nss[i];
	p11c_rev_link *l = &c->rev[i];
	char *url = crl_url(cert);
	if (!url)
		return 0;
	l->method = "crl";
	free(l->source);
	l->source = url;
	l->cached = 0;
	long long now = (long long)time(NULL);
	unsigned char *body = NULL;
	size_t len = 0;
	CERTSignedCrl *crl = NULL;
	if (p11c_rev_cache_read(db, "crl", url, strlen(url), &body, &len) == 0) {
		crl = crl_good(db, body, len, issuer, when);
		if (crl && seconds(&crl->crl.nextUpdate) > now) {
			l->cached = 1;
		} else {
			if (crl)
				SEC_DestroyCrl(crl);
			crl = NULL;
			free(body);
			body = NULL;
		}
	}
	if (!l->cached) {
		if (c->rev_deadline && now >= c->rev_deadline) {
			fail(l, "the run's time limit for revocation was reached", NULL);
			return 1;
		}
		if (p11c_http_get(db, url, c->rev_timeout, CRL_MAX, &body, &len) != P11C_OK) {
			fail(l, "cannot fetch the CRL: ", p11c_last_error(db));
			return 1;
		}
		if (!(crl = crl_good(db, body, len, issuer, when))) {
			fail(l, "a bad CRL: not one signed by the issuer", NULL);
			free(body);
			return 1;
		}
	}
	l->this_update = seconds(&crl->crl.lastUpdate);
	l->next_update = seconds(&crl->crl.nextUpdate);
	if (l->next_update && l->next_update <= now) {
		char t[64];
		time_t s = (time_t)l->next_update;
		struct tm tm;
		gmtime_r(&s, &tm);
		strftime(t, sizeof(t), "%Y/%m/%d %H:%M UTC", &tm);
		fail(l, "the CRL is stale: its nextUpdate was ", t);
		SEC_DestroyCrl(crl);
		free(body);
		return 1;
	}
	SECItem der = {siBuffer, body, (unsigned)len};
	CERTCertDBHandle *h = CERT_GetDefaultCertDB();
	SECStatus cached = CERT_CacheCRL(h, &der);
	int err = 0;
	SECStatus s = cached == SECSuccess ? nss_crl_verdict(db, cert, when, &err) : SECFailure;
	if (cached != SECSuccess)
		err = PORT_GetError();
	if (cached == SECSuccess)
		CERT_UncacheCRL(h, &der);
	/* NSS's verifier asks no CRL about a certificate trusted as itself (a
	 * peer, P,,): its entry in the CRL, checked above as the issuer's,
	 * revokes it all the same. */
	if (s == SECSuccess && listed(crl, cert)) {
		s = SECFailure;
		err = SEC_ERROR_REVOKED_CERTIFICATE;
	}
	if (s == SECSuccess || err == SEC_ERROR_REVOKED_CERTIFICATE) {
		l->status = s == SECSuccess ? P11C_REV_GOOD : P11C_REV_REVOKED;
		free(l->error);
		l->error = NULL;
		for (CERTCrlEntry **e = crl->crl.entries; l->status == P11C_REV_REVOKED && e && *e;
		     e++) {
			if (!SECITEM_ItemsAreEqual(&(*e)->serialNumber, &cert->serialNumber))
				continue;
			l->revoked_at = seconds(&(*e)->revocationDate);
			CERTCRLEntryReasonCode r = crlEntryReasonUnspecified;
			CERT_FindCRLEntryReasonExten(*e, &r);
			l->reason = p11c_rev_reason_name((int)r);
		}
		if (l->status == P11C_REV_REVOKED && !l->reason)
			l->reason = p11c_rev_reason_name(0);
		if (!l->cached && l->next_update > now)
			p11c_rev_cache_write(db, "crl", url, strlen(url), body, len);
	} else {
		fail(l,
		     "NSS could not use the CRL: ", PR_ErrorToString(err, PR_LANGUAGE_I_DEFAULT));
	}
	SEC_DestroyCrl(crl);
	free(body);
	return 1;
}
