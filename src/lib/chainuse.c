/* SPDX-License-Identifier: MPL-2.0 */
/* What is done with a judged chain: fetch-chain's --add-trust and --save;
 * and verify-cert's entry points, which build a chain from the database
 * and have chain.c judge it. */
#include <cert.h>
#include <certdb.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chainint.h"

int p11c_chain_add_trust(p11c_db *db, p11c_chain *c, size_t *added)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OPTOUT(added), P11C_PTR(c));
	int rc = p11c_require_open(db, 1);
	if (rc || (rc = p11c_login_tokens(db)))
		return rc;
	int *done = calloc(c->n ? c->n : 1, sizeof(int)); /* 1 stored, 2 trust set */
	CERTCertTrust *old = calloc(c->n ? c->n : 1, sizeof(*old));
	size_t count = 0;
	if (!done || !old)
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
	else
		rc = p11c_pending_begin(db, "fetch-chain --add-trust");
	for (size_t i = 0; rc == P11C_OK && i < c->n; i++) {
		CERTCertificate *cert = c->nss[i];
		if (!(c->links[i] & P11C_LINK_MISSING) || i == 0)
			continue;
		if (cert->isperm && p11c_cert_visible(db, cert)) {
			if (CERT_GetCertTrust(cert, &old[i]) != SECSuccess)
				memset(&old[i], 0, sizeof(old[i]));
			rc = p11c_set_trust(db, cert, p11c_alias_of(db, cert), "CT,,");
			done[i] = rc ? 0 : 2;
		} else {
			char *name = p11c_name_for_cert(db, cert);
			rc = name ? p11c_store_cert(db, NULL, cert, name, "CT,,")
			          : p11c_fail(db, P11C_EFAIL, "out of memory");
			if (rc == P11C_OK)
				p11c_log(db, "stored '%s' as a trusted CA", name);
			free(name);
			done[i] = rc ? 0 : 1;
		}
		count += rc == P11C_OK;
	}
	if (!rc)
		rc = p11c_pending_commit(db, NULL, NULL);
	for (size_t i = 0; rc && done && i < c->n; i++) {
		if (done[i] == 1)
			p11c_delete_cert(db, c->nss[i]);
		else if (done[i] == 2)
			CERT_ChangeCertTrust(CERT_GetDefaultCertDB(), c->nss[i], &old[i]);
	}
	free(done);
	free(old);
	if ((rc = p11c_pending_end(db, rc)))
		return rc;
	if (added)
		*added = count;
	return p11c_chain_judge_as(db, c, c->usage, c->as_ca, c->when, c->judged_host);
}

/* verify-cert: at, and revocation as c's rev_* say. */
static int cert_verify(p11c_db *db, const char *alias, int usage, long long at, int rev_mode,
                       int rev_require, int rev_timeout, p11c_chain **out)
{
	*out = NULL;
	/* a CA is judged as a CA only when asked: NSS's verdict otherwise */
	int as_ca = usage >= P11C_USAGE_TLS_SERVER_CA;
	if (as_ca)
		usage -= P11C_USAGE_TLS_SERVER_CA;
	CERTCertificate *cert = NULL;
	int rc = p11c_cert_open(db, alias, 0, &cert);
	if (rc)
		return rc;
	PRTime when = at ? (PRTime)at * PR_USEC_PER_SEC : PR_Now();
	static const SECCertUsage usages[] = {certUsageSSLServer, certUsageSSLClient,
	                                      certUsageEmailSigner};
	p11c_chain *c = p11c_chain_new();
	if (c) {
		c->rev_mode = rev_mode;
		c->rev_require = rev_require;
		c->rev_timeout = rev_timeout;
	}
	CERTCertList *list = CERT_GetCertChainFromCert(cert, when, usages[usage]);
	rc = c ? p11c_chain_append(db, c, cert, 0) : p11c_fail(db, P11C_EFAIL, "out of memory");
	for (CERTCertListNode *n = list ? CERT_LIST_HEAD(list) : NULL;
	     rc >= 0 && n && !CERT_LIST_END(n, list); n = CERT_LIST_NEXT(n))
		rc = p11c_chain_append(db, c, n->cert, 0);
	if (list)
		CERT_DestroyCertList(list);
	CERT_DestroyCertificate(cert);
	if (rc >= 0)
		rc = p11c_chain_judge_as(db, c, usage, as_ca, when, NULL);
	if (rc) {
		p11c_chain_free(c);
		return rc;
	}
	*out = c;
	return P11C_OK;
}

int p11c_cert_verify(p11c_db *db, const char *alias, p11c_usage usage_in, long long at,
                     p11c_chain **out)
{
	int usage = (int)usage_in;
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(alias),
	          P11C_RANGE(usage, P11C_USAGE_TLS_SERVER, P11C_USAGE_EMAIL_CA), P11C_OUT(out));
	return cert_verify(db, alias, usage, at, P11C_REVOCATION_NONE, 0, 0, out);
}

/* The first version of p11c_verify_opts. */
#define VERIFY_OPTS_V1 (offsetof(p11c_verify_opts, timeout) + sizeof(int))

int p11c_cert_verify_opts(p11c_db *db, const char *alias, p11c_usage usage_in,
                          const p11c_verify_opts *opts, p11c_chain **out)
{
	int usage = (int)usage_in;
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(alias),
	          P11C_RANGE(usage, P11C_USAGE_TLS_SERVER, P11C_USAGE_EMAIL_CA),
	          P11C_OPTS_SIZE(opts, VERIFY_OPTS_V1),
	          P11C_FIELD_RANGE(opts, at, 0, 253402300799LL),
	          P11C_FIELD_RANGE(opts, revocation, P11C_REVOCATION_NONE, P11C_REVOCATION_ALL),
	          P11C_FIELD_RANGE(opts, require_revocation, 0, 1),
	          P11C_FIELD_RANGE(opts, timeout, 0, 3600), P11C_OUT(out));
	int timeout = P11C_OPT(opts, timeout, 10);
	return cert_verify(db, alias, usage, P11C_OPT(opts, at, 0LL),
	                   (int)P11C_OPT(opts, revocation, P11C_REVOCATION_OCSP),
	                   P11C_OPT(opts, require_revocation, 0), timeout ? timeout : 10, out);
}

int p11c_chain_save(p11c_db *db, const p11c_chain *c, const char *dir)
{
	P11C_ARGS(db, P11C_DB(db), P11C_PTR(c), P11C_NAME(dir));
	struct stat st;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return p11c_fail_c(db, errno == ENOENT ? P11C_ENOTFOUND : P11C_EFAIL,
		                   errno == ENOENT ? P11C_ERR_NOTFOUND : P11C_ERR_IO,
		                   "cannot make directory '%s': %s", dir, strerror(errno));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return p11c_fail(db, P11C_EFAIL, "'%s' is not a directory", dir);
	for (size_t i = 0; i < c->n; i++) {
		char path[4096];
		if ((size_t)snprintf(path, sizeof(path), "%s/cert%zu.pem", dir, i) >= sizeof(path))
			return p11c_fail(db, P11C_EUSAGE, "'%s': the path is too long", dir);
		p11c_output o;
		int rc = p11c_output_open(db, path, &o);
		if (rc)
			return rc;
		const char *pem = c->certs[i]->pem;
		if (fchmod(o.fd, 0644) != 0)
			o.failed = errno;
		p11c_output_write(&o, pem, strlen(pem));
		if ((rc = p11c_output_close(db, &o, 1)))
			return rc;
	}
	return P11C_OK;
}
