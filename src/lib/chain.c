/* SPDX-License-Identifier: MPL-2.0 */
/* Chains and the database's verdict on them: what fetch-chain and
 * verify-cert print, and the CAs --add-trust would add (chainuse.c adds
 * them, saves chains, and is verify-cert's entry point). */
#include <cert.h>
#include <certdb.h>
#include <prerror.h>
#include <secerr.h>
#include <sslerr.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chainint.h"

p11c_chain *p11c_chain_new(void)
{
	return calloc(1, sizeof(p11c_chain));
}

static void problems_clear(p11c_chain *c)
{
	for (size_t i = 0; i < c->n_problems; i++)
		free(c->problems[i].message);
	free(c->problems);
	c->problems = NULL;
	c->n_problems = 0;
}

void p11c_chain_free(p11c_chain *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		p11c_cert_free(c->certs[i]);
		if (c->nss[i])
			CERT_DestroyCertificate(c->nss[i]);
	}
	problems_clear(c);
	p11c_rev_links_free(c);
	free(c->certs);
	free(c->nss);
	free(c->links);
	free(c->url);
	free(c->scheme);
	free(c->host);
	free(c->judged_host);
	free(c->tls_version);
	free(c->cipher);
	for (size_t i = 0; i < c->n_notes; i++)
		free(c->notes[i]);
	free(c->notes);
	free(c);
}

CERTCertificate *p11c_chain_nss_cert(const p11c_chain *c, size_t i)
{
	return i < c->n ? c->nss[i] : NULL;
}

/* Grow one of the chain's arrays to n elements. */
static int grow(void *arrayp, size_t elem, size_t n)
{
	return p11c_vec_reserve(arrayp, n - 1, 1, elem) ? 0 : -1;
}

int p11c_chain_append(p11c_db *db, p11c_chain *c, CERTCertificate *cert, int from_aia)
{
	for (size_t i = 0; i < c->n; i++)
		if (SECITEM_ItemsAreEqual(&c->nss[i]->derCert, &cert->derCert))
			return 0;
	size_t n = c->n + 1;
	if (grow(&c->nss, sizeof(*c->nss), n) || grow(&c->certs, sizeof(*c->certs), n) ||
	    grow(&c->links, sizeof(*c->links), n))
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	c->certs[c->n] = p11c_cert_info_of(db, cert);
	if (!c->certs[c->n])
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	c->nss[c->n] = CERT_DupCertificate(cert);
	c->links[c->n] = (from_aia ? P11C_LINK_CA_ISSUERS : 0u) |
	                 (cert->isperm && p11c_cert_visible(db, cert) ? P11C_LINK_IN_DATABASE : 0u);
	c->n = n;
	return 1;
}

int p11c_chain_add_note(p11c_chain *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	char *d = strdup(line);
	if (!d || grow(&c->notes, sizeof(*c->notes), c->n_notes + 1)) {
		free(d);
		return -1;
	}
	c->notes[c->n_notes++] = d;
	return 0;
}

/* "YYYY/MM/DD HH:MM UTC" of an NSS time. */
static void when_text(PRTime t, char *buf, size_t size)
{
	time_t s = (time_t)(t / PR_USEC_PER_SEC);
	struct tm tm;
	if (!gmtime_r(&s, &tm) || !strftime(buf, size, "%Y/%m/%d %H:%M UTC", &tm))
		snprintf(buf, size, "?");
}

static int add_problem(p11c_db *db, p11c_chain *c, enum p11c_problem_code code, int depth,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int add_problem(p11c_db *db, p11c_chain *c, enum p11c_problem_code code, int depth,
                       const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < c->n_problems; i++)
		if (!strcmp(c->problems[i].message, msg))
			return P11C_OK;
	if (grow(&c->problems, sizeof(*c->problems), c->n_problems + 1))
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	p11c_problem *pr = &c->problems[c->n_problems];
	pr->code = code;
	pr->message = strdup(msg);
	pr->depth = depth;
	if (!pr->message)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	c->n_problems++;
	return P11C_OK;
}

static const char *usage_words(int usage)
{
	return usage == P11C_USAGE_TLS_CLIENT ? "TLS clients"
	       : usage == P11C_USAGE_EMAIL    ? "email"
	                                      : "TLS servers";
}

static int depth_of(const p11c_chain *c, const CERTCertificate *cert)
{
	for (size_t i = 0; i < c->n; i++)
		if (SECITEM_ItemsAreEqual(&c->nss[i]->derCert, &cert->derCert))
			return (int)i;
	return -1;
}

/* Whether the database marks cert as not trusted (certutil's "p"). */
static int distrusted(CERTCertificate *cert)
{
	CERTCertTrust t;
	if (!cert->isperm || CERT_GetCertTrust(cert, &t) != SECSuccess)
		return 0;
	unsigned f = t.sslFlags;
	return (f & CERTDB_TERMINAL_RECORD) && !(f & (CERTDB_TRUSTED | CERTDB_TRUSTED_CA));
}

/* One entry of NSS's verify log as a problem. */
static int log_problem(p11c_db *db, p11c_chain *c, const CERTVerifyLogNode *node, int usage,
                       PRTime when)
{
	CERTCertificate *cert = node->cert;
	int depth = depth_of(c, cert);
	char *dn_s = CERT_NameToAscii(&cert->subject), *dn_i = CERT_NameToAscii(&cert->issuer);
	/* the server's names, shown escaped */
	char *subject = dn_s ? p11c_safe_text(dn_s, strlen(dn_s)) : NULL;
	char *issuer = dn_i ? p11c_safe_text(dn_i, strlen(dn_i)) : NULL;
	PORT_Free(dn_s);
	PORT_Free(dn_i);
	const char *s = subject ? subject : "?", *is = issuer ? issuer : "?";
	char t[64];
	int rc;
	switch (node->error) {
	case SEC_ERROR_UNKNOWN_ISSUER:
	case SEC_ERROR_UNTRUSTED_ISSUER:
		if (distrusted(cert))
			rc = add_problem(
			    db, c, P11C_PROBLEM_DISTRUSTED, depth,
			    "distrusted: '%s' is marked as not trusted in the database", s);
		else if (SECITEM_ItemsAreEqual(&cert->derSubject, &cert->derIssuer))
			rc = add_problem(db, c, P11C_PROBLEM_UNKNOWN_ISSUER, depth,
			                 "unknown issuer: the root '%s' is not a trusted CA in the "
			                 "database",
			                 s);
		else
			rc =
			    add_problem(db, c, P11C_PROBLEM_UNKNOWN_ISSUER, depth,
			                "unknown issuer: '%s', which issued '%s', is not a trusted "
			                "CA in the database",
			                is, s);
		break;
	case SEC_ERROR_EXPIRED_CERTIFICATE:
	case SEC_ERROR_EXPIRED_ISSUER_CERTIFICATE: {
		PRTime nb = 0, na = 0;
		CERT_GetCertTimes(cert, &nb, &na);
		if (when < nb) {
			when_text(nb, t, sizeof(t));
			rc = add_problem(db, c, P11C_PROBLEM_NOT_YET_VALID, depth,
			                 "not yet valid: '%s' is valid from %s", s, t);
		} else {
			when_text(na, t, sizeof(t));
			rc = add_problem(db, c, P11C_PROBLEM_EXPIRED, depth,
			                 "expired: '%s' expired on %s", s, t);
		}
		break;
	}
	case SEC_ERROR_INADEQUATE_KEY_USAGE:
	case SEC_ERROR_INADEQUATE_CERT_TYPE:
		rc = add_problem(db, c, P11C_PROBLEM_WRONG_USAGE, depth,
		                 "wrong usage: '%s' is not meant for %s", s, usage_words(usage));
		break;
	case SEC_ERROR_CA_CERT_INVALID:
		rc = add_problem(db, c, P11C_PROBLEM_NOT_A_CA, depth,
		                 "not a CA: '%s' issues certificates but is not a CA", s);
		break;
	case SEC_ERROR_BAD_SIGNATURE:
		rc = add_problem(db, c, P11C_PROBLEM_BAD_SIGNATURE, depth,
		                 "bad signature: the signature on '%s' does not verify", s);
		break;
	case SEC_ERROR_REVOKED_CERTIFICATE:
		rc = add_problem(db, c, P11C_PROBLEM_REVOKED, depth, "revoked: '%s' is revoked", s);
		break;
	case SEC_ERROR_UNTRUSTED_CERT:
		rc = add_problem(db, c, P11C_PROBLEM_DISTRUSTED, depth,
		                 "distrusted: '%s' is marked as not trusted in the database", s);
		break;
	default:
		rc = add_problem(db, c, P11C_PROBLEM_OTHER, depth, "'%s': %s (%s)", s,
		                 PR_ErrorToString(node->error, PR_LANGUAGE_I_DEFAULT),
		                 p11c_nss_error_name((int)node->error));
	}
	free(subject);
	free(issuer);
	return rc;
}

static SECCertificateUsage nss_usage(int usage)
{
	return usage == P11C_USAGE_TLS_CLIENT ? certificateUsageSSLClient
	       : usage == P11C_USAGE_EMAIL    ? certificateUsageEmailSigner
	                                      : certificateUsageSSLServer;
}

/* Whether cert is trusted as a CA for usage. */
static int trusted_for(CERTCertificate *cert, int usage)
{
	CERTCertTrust t;
	if (!cert->isperm || CERT_GetCertTrust(cert, &t) != SECSuccess)
		return 0;
	if (usage == P11C_USAGE_EMAIL)
		return (t.emailFlags & CERTDB_TRUSTED_CA) != 0;
	if (usage == P11C_USAGE_TLS_CLIENT)
		return (t.sslFlags & CERTDB_TRUSTED_CLIENT_CA) != 0;
	return (t.sslFlags & CERTDB_TRUSTED_CA) != 0;
}

/* The CAs on the leaf's path (each signed the one before) that the
 * database does not trust.  A CA the database distrusts stops it: nothing
 * is missing then, and the index of that CA is returned (else -1). */
static int mark_missing(p11c_chain *c, int usage, PRTime when)
{
	size_t cur = 0;
	for (size_t steps = 0; steps < c->n; steps++) {
		CERTCertificate *x = c->nss[cur];
		if (SECITEM_ItemsAreEqual(&x->derSubject, &x->derIssuer))
			return -1;
		size_t next = c->n;
		for (size_t j = 0; j < c->n && next == c->n; j++)
			if (j != cur &&
			    SECITEM_ItemsAreEqual(&c->nss[j]->derSubject, &x->derIssuer) &&
			    CERT_VerifySignedData(&x->signatureWrap, c->nss[j], when, NULL) ==
			        SECSuccess)
				next = j;
		if (next == c->n || next == 0 || !CERT_IsCACert(c->nss[next], NULL))
			return -1;
		if (distrusted(c->nss[next])) {
			for (size_t i = 0; i < c->n; i++)
				c->links[i] &= ~(unsigned)P11C_LINK_MISSING;
			return (int)next;
		}
		if (!trusted_for(c->nss[next], usage))
			c->links[next] |= P11C_LINK_MISSING;
		cur = next;
	}
	return -1;
}

/* "dns:a.example, ip:192.0.2.1" or the subject, for a name mismatch. */
static void names_of(const p11c_cert *i, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t k = 0; k < i->n_san; k++) {
		size_t l = strlen(buf);
		snprintf(buf + l, size - l, "%s%s", k ? ", " : "", i->san[k]);
	}
	if (!buf[0])
		snprintf(buf, size, "%s (no subjectAltName)", i->subject);
}

/* NSS's verdict on the leaf for u, as certutil -V and vfychain give it:
 * from a call without a log, since with one NSS notes an error (a
 * distrusted intermediate) and may still answer SECSuccess.  Email is
 * good for signing or for encryption. */
static SECStatus nss_verdict(p11c_db *db, CERTCertificate *leaf, SECCertificateUsage u, PRTime when,
                             int *err)
{
	CERTCertDBHandle *h = CERT_GetDefaultCertDB();
	SECStatus s = CERT_VerifyCertificate(h, leaf, PR_TRUE, u, when, db, NULL, NULL);
	*err = PORT_GetError();
	if (s != SECSuccess && u == certificateUsageEmailSigner &&
	    CERT_VerifyCertificate(h, leaf, PR_TRUE, certificateUsageEmailRecipient, when, db, NULL,
	                           NULL) == SECSuccess)
		s = SECSuccess;
	return s;
}

/* The problems NSS's log gives for a verdict that failed. */
static int log_problems(p11c_db *db, p11c_chain *c, SECCertificateUsage u, int usage, PRTime when,
                        int err)
{
	CERTVerifyLog log;
	memset(&log, 0, sizeof(log));
	log.arena = PORT_NewArena(1024);
	if (!log.arena)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	CERT_VerifyCertificate(CERT_GetDefaultCertDB(), c->nss[0], PR_TRUE, u, when, db, &log,
	                       NULL);
	int rc = P11C_OK;
	for (CERTVerifyLogNode *node = log.head; node; node = node->next) {
		if (rc == P11C_OK)
			rc = log_problem(db, c, node, usage, when);
		CERT_DestroyCertificate(node->cert);
	}
	PORT_FreeArena(log.arena, PR_FALSE);
	if (rc == P11C_OK && c->n_problems == 0)
		rc = add_problem(db, c, P11C_PROBLEM_OTHER, 0, "%s (%s)",
		                 PR_ErrorToString(err, PR_LANGUAGE_I_DEFAULT),
		                 p11c_nss_error_name(err));
	return rc;
}

/* The distrusted CA at depth d as the chain's problem, once; fetch-chain
 * (a host) is told that --add-trust will not change it. */
static int distrust_problem(p11c_db *db, p11c_chain *c, int d)
{
	char msg[1024];
	snprintf(msg, sizeof(msg), "distrusted: '%s' is marked as not trusted in the database%s",
	         c->certs[d]->subject,
	         c->judged_host ? "; adding the chain's trust leaves it so" : "");
	for (size_t i = 0; i < c->n_problems; i++) {
		p11c_problem *pr = &c->problems[i];
		if (pr->code != P11C_PROBLEM_DISTRUSTED || pr->depth != d)
			continue;
		char *m = strdup(msg);
		if (!m)
			return p11c_fail(db, P11C_EFAIL, "out of memory");
		free(pr->message);
		pr->message = m;
		return P11C_OK;
	}
	return add_problem(db, c, P11C_PROBLEM_DISTRUSTED, d, "%s", msg);
}

/* The links' revocation answers (looked up once) as problems: revoked,
 * and unknown when revocation is required. */
static int revocation_problems(p11c_db *db, p11c_chain *c, PRTime when)
{
	int rc = p11c_chain_revocation(db, c, when);
	for (size_t i = 0; rc == P11C_OK && c->rev && i < c->n; i++) {
		const p11c_rev_link *l = &c->rev[i];
		const char *s = c->certs[i]->subject;
		if (l->status == P11C_REV_REVOKED) {
			for (size_t k = 0; k < c->n_problems; k++)
				if (c->problems[k].code == P11C_PROBLEM_REVOKED &&
				    c->problems[k].depth == (int)i)
					c->problems[k].code = P11C_PROBLEM_NONE; /* said below */
			size_t kept = 0;
			for (size_t k = 0; k < c->n_problems; k++) {
				if (c->problems[k].code == P11C_PROBLEM_NONE)
					free(c->problems[k].message);
				else
					c->problems[kept++] = c->problems[k];
			}
			c->n_problems = kept;
			char t[64];
			when_text((PRTime)l->revoked_at * PR_USEC_PER_SEC, t, sizeof(t));
			rc = add_problem(db, c, P11C_PROBLEM_REVOKED, (int)i,
			                 "revoked: '%s' was revoked on %s (%s), says %s%s", s,
			                 l->revoked_at ? t : "an unknown date", l->reason,
			                 l->source ? l->source : "?", l->cached ? " (cached)" : "");
		} else if (l->status == P11C_REV_UNKNOWN && c->rev_require) {
			rc = add_problem(db, c, P11C_PROBLEM_REVOCATION_UNKNOWN, (int)i,
			                 "revocation unknown: no answer for '%s'%s%s: %s", s,
			                 l->source ? " from " : "", l->source ? l->source : "",
			                 l->error ? l->error : "?");
		}
	}
	return rc;
}

int p11c_chain_judge_as(p11c_db *db, p11c_chain *c, int usage, int as_ca, PRTime when,
                        const char *host)
{
	if (c->n == 0)
		return p11c_fail(db, P11C_EFAIL, "no certificate to verify");
	if (host && (!c->judged_host || strcmp(c->judged_host, host))) {
		free(c->judged_host);
		if (!(c->judged_host = strdup(host)))
			return p11c_fail(db, P11C_EFAIL, "out of memory");
	}
	c->usage = usage;
	c->as_ca = as_ca;
	c->when = when;
	problems_clear(c);
	for (size_t i = 0; i < c->n; i++) {
		p11c_cert *fresh = p11c_cert_info_of(db, c->nss[i]);
		if (!fresh)
			return p11c_fail(db, P11C_EFAIL, "out of memory");
		p11c_cert_free(c->certs[i]);
		c->certs[i] = fresh;
		c->links[i] &= P11C_LINK_CA_ISSUERS;
		if (c->nss[i]->isperm && p11c_cert_visible(db, c->nss[i]))
			c->links[i] |= P11C_LINK_IN_DATABASE;
	}
	CERTCertificate *leaf = c->nss[0];
	SECCertificateUsage u = nss_usage(usage);
	if (as_ca)
		u = usage == P11C_USAGE_EMAIL ? certificateUsageAnyCA : certificateUsageSSLCA;
	int err = 0;
	SECStatus s = nss_verdict(db, leaf, u, when, &err);
	int rc = s == SECSuccess ? P11C_OK : log_problems(db, c, u, usage, when, err);
	/* NSS's CA usages look at TLS server trust alone: a CA must also have
	 * an anchor trusted for the usage asked for */
	int anchored = 0;
	for (size_t i = 0; i < c->n; i++)
		anchored |= trusted_for(c->nss[i], usage);
	if (rc == P11C_OK && s == SECSuccess && as_ca && !anchored)
		rc = add_problem(db, c, P11C_PROBLEM_UNKNOWN_ISSUER, -1,
		                 "unknown issuer: no CA of the chain is trusted for %s",
		                 usage_words(usage));
	if (rc == P11C_OK && c->judged_host &&
	    CERT_VerifyCertName(leaf, c->judged_host) != SECSuccess) {
		char names[512];
		names_of(c->certs[0], names, sizeof(names));
		rc = add_problem(db, c, P11C_PROBLEM_NAME_MISMATCH, 0,
		                 "name mismatch: the certificate is for %s, not '%s'", names,
		                 c->judged_host);
	}
	if (rc == P11C_OK)
		rc = revocation_problems(db, c, when);
	if (rc)
		return rc;
	c->trusted = c->n_problems == 0;
	for (size_t i = 0; i < c->n_problems; i++) {
		if (c->problems[i].code != P11C_PROBLEM_UNKNOWN_ISSUER &&
		    c->problems[i].code != P11C_PROBLEM_DISTRUSTED)
			continue;
		int d = mark_missing(c, usage, when);
		if (d >= 0)
			return distrust_problem(db, c, d);
		break;
	}
	return P11C_OK;
}

/* usage P11C_USAGE_*, the CA ones included.  Without a host, a CA
 * certificate (check's own intermediates) is judged as a CA. */
int p11c_chain_judge(p11c_db *db, p11c_chain *c, int usage, PRTime when, const char *host)
{
	if (usage >= P11C_USAGE_TLS_SERVER_CA)
		return p11c_chain_judge_as(db, c, usage - P11C_USAGE_TLS_SERVER_CA, 1, when, host);
	int as_ca = !host && c->n && CERT_IsCACert(c->nss[0], NULL);
	return p11c_chain_judge_as(db, c, usage, as_ca, when, host);
}
