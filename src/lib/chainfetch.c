/* SPDX-License-Identifier: MPL-2.0 */
/* fetch-chain: NSS's TLS client takes the chain a server presents; the
 * verdict is the database's (chain.c), never the handshake's. */
#include <cert.h>
#include <certdb.h>
#include <nss.h>
#include <prio.h>
#include <private/pprio.h>
#include <secerr.h>
#include <secoid.h>
#include <ssl.h>
#include <sslerr.h>
#include <sslproto.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "chainint.h"

#define FETCH_TIMEOUT 10
#define AIA_DEPTH 4
#define AIA_MAX (256 * 1024)

/* The handshake takes whatever the server presents: the database judges
 * the chain afterwards. */
static SECStatus take_any(void *arg, PRFileDesc *fd, PRBool sig, PRBool server)
{
	(void)arg;
	(void)fd;
	(void)sig;
	(void)server;
	return SECSuccess;
}

static const char *version_name(PRUint16 v)
{
	switch (v) {
	case SSL_LIBRARY_VERSION_TLS_1_0:
		return "TLSv1.0";
	case SSL_LIBRARY_VERSION_TLS_1_1:
		return "TLSv1.1";
	case SSL_LIBRARY_VERSION_TLS_1_2:
		return "TLSv1.2";
	case SSL_LIBRARY_VERSION_TLS_1_3:
		return "TLSv1.3";
	default:
		return "unknown";
	}
}

static int handshake_failed(p11c_db *db, const p11c_url *u, int timeout)
{
	int err = PR_GetError();
	if (err == PR_IO_TIMEOUT_ERROR)
		return p11c_fail(db, P11C_EFAIL, "%s port %d: no TLS answer in %d s", u->host,
		                 u->port, timeout);
	if (err == PR_END_OF_FILE_ERROR || err == PR_CONNECT_RESET_ERROR ||
	    err == SSL_ERROR_RX_RECORD_TOO_LONG)
		return p11c_fail_nss(db, P11C_EFAIL,
		                     "%s port %d: the server %s during the TLS handshake", u->host,
		                     u->port,
		                     err == SSL_ERROR_RX_RECORD_TOO_LONG ? "did not speak TLS"
		                                                         : "closed the connection");
	return p11c_fail_nss(db, P11C_EFAIL, "%s port %d: the TLS handshake failed", u->host,
	                     u->port);
}

/* The whole handshake within timeout seconds: NSS's own timeout is per
 * read, which a server sending a byte a second stretches without end. */
static SECStatus handshake(PRFileDesc *ssl, int timeout)
{
	PRSocketOptionData nb = {.option = PR_SockOpt_Nonblocking, .value.non_blocking = PR_TRUE};
	p11c_deadline d = p11c_deadline_in(timeout);
	if (PR_SetSocketOption(ssl, &nb) != PR_SUCCESS)
		return SECFailure;
	for (;;) {
		if (SSL_ForceHandshake(ssl) == SECSuccess)
			return SECSuccess;
		if (PR_GetError() != PR_WOULD_BLOCK_ERROR)
			return SECFailure;
		long long left = p11c_deadline_left(&d);
		/* NSS's poll method turns these into what the handshake waits for */
		PRPollDesc pd = {ssl, PR_POLL_READ | PR_POLL_WRITE, 0};
		PRInt32 r =
		    left > 0 ? PR_Poll(&pd, 1, PR_MillisecondsToInterval((PRUint32)left)) : 0;
		if (r == 0)
			PR_SetError(PR_IO_TIMEOUT_ERROR, 0);
		if (r <= 0)
			return SECFailure;
	}
}

/* TLS over the connected fd (taken over, closed here); the chain into c. */
static int tls_chain(p11c_db *db, int fd, const p11c_url *u, int timeout, p11c_chain *c)
{
	PRFileDesc *tcp = PR_ImportTCPSocket(fd);
	if (!tcp) {
		close(fd);
		return p11c_fail_nss(db, P11C_EFAIL, "cannot use the connection");
	}
	PRFileDesc *ssl = SSL_ImportFD(NULL, tcp);
	if (!ssl) {
		PR_Close(tcp);
		return p11c_fail_nss(db, P11C_EFAIL, "cannot start TLS");
	}
	SSLVersionRange range;
	int rc = P11C_OK;
	if (SSL_OptionSet(ssl, SSL_SECURITY, PR_TRUE) != SECSuccess ||
	    SSL_OptionSet(ssl, SSL_HANDSHAKE_AS_CLIENT, PR_TRUE) != SECSuccess ||
	    SSL_OptionSet(ssl, SSL_NO_CACHE, PR_TRUE) != SECSuccess ||
	    SSL_VersionRangeGetSupported(ssl_variant_stream, &range) != SECSuccess ||
	    SSL_VersionRangeSet(ssl, &range) != SECSuccess ||
	    SSL_AuthCertificateHook(ssl, take_any, NULL) != SECSuccess ||
	    SSL_SetURL(ssl, u->host) != SECSuccess || SSL_ResetHandshake(ssl, PR_FALSE))
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot set up TLS");
	if (rc == P11C_OK && handshake(ssl, timeout) != SECSuccess) {
		int err = PR_GetError();
		rc = handshake_failed(db, u, timeout);
		/* A server that wants a client certificate (mutual TLS) ends the
		 * handshake after it sent its own chain: that chain is still the
		 * answer. */
		CERTCertList *got = SSL_PeerCertificateChain(ssl);
		if (got && !CERT_LIST_EMPTY(got) &&
		    p11c_chain_add_note(c,
		                        "the handshake did not finish (%s), but the server had "
		                        "sent its chain",
		                        p11c_nss_error_name(err)) == 0)
			rc = P11C_OK;
		if (got)
			CERT_DestroyCertList(got);
	}
	SSLChannelInfo ch;
	SSLCipherSuiteInfo suite;
	if (rc == P11C_OK && SSL_GetChannelInfo(ssl, &ch, sizeof(ch)) == SECSuccess) {
		c->tls_version = strdup(version_name(ch.protocolVersion));
		if (SSL_GetCipherSuiteInfo(ch.cipherSuite, &suite, sizeof(suite)) == SECSuccess)
			c->cipher = strdup(suite.cipherSuiteName);
	}
	CERTCertList *list = rc == P11C_OK ? SSL_PeerCertificateChain(ssl) : NULL;
	if (rc == P11C_OK && (!list || CERT_LIST_EMPTY(list)))
		rc = p11c_fail(db, P11C_EFAIL, "%s port %d: the server presented no certificate",
		               u->host, u->port);
	for (CERTCertListNode *n = list ? CERT_LIST_HEAD(list) : NULL;
	     rc == P11C_OK && n && !CERT_LIST_END(n, list); n = CERT_LIST_NEXT(n))
		if (p11c_chain_append(db, c, n->cert, 0) < 0)
			rc = P11C_EFAIL;
	if (list)
		CERT_DestroyCertList(list);
	PR_Close(ssl);
	return rc;
}

/* The first http caIssuers URL of cert, malloc'd, or NULL. */
static char *ca_issuers_url(CERTCertificate *cert)
{
	SECItem ext = {siBuffer, NULL, 0};
	if (CERT_FindCertExtension(cert, SEC_OID_X509_AUTH_INFO_ACCESS, &ext) != SECSuccess)
		return NULL;
	PLArenaPool *arena = PORT_NewArena(1024);
	char *url = NULL;
	CERTAuthInfoAccess **aia = arena ? CERT_DecodeAuthInfoAccessExtension(arena, &ext) : NULL;
	for (size_t i = 0; aia && aia[i] && !url; i++) {
		CERTGeneralName *loc = aia[i]->location;
		if (SECOID_FindOIDTag(&aia[i]->method) != SEC_OID_PKIX_CA_ISSUERS || !loc ||
		    loc->type != certURI || loc->name.other.len < 8 ||
		    strncasecmp((char *)loc->name.other.data, "http://", 7))
			continue;
		url = strndup((char *)loc->name.other.data, loc->name.other.len);
		size_t n = url ? strlen(url) : 0;
		int bad = url && n != loc->name.other.len; /* a NUL inside */
		for (size_t k = 0; k < n && !bad; k++)     /* it goes into notes */
			bad = (unsigned char)url[k] <= ' ' || url[k] == 0x7f;
		if (bad) {
			free(url);
			url = NULL;
		}
	}
	if (arena)
		PORT_FreeArena(arena, PR_FALSE);
	SECITEM_FreeItem(&ext, PR_FALSE);
	return url;
}

typedef struct {
	p11c_db *db;
	p11c_chain *c;
	int added;
	int bad;
} aia_load;

/* CERT_DecodeCertPackage's callback: each certificate of a DER, PEM or
 * PKCS#7 (certs-only) answer. */
static SECStatus take_certs(void *arg, SECItem **certs, int n)
{
	aia_load *l = arg;
	for (int i = 0; i < n; i++) {
		CERTCertificate *cert = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), certs[i],
		                                                NULL, PR_FALSE, PR_TRUE);
		if (!cert) {
			l->bad++;
			continue;
		}
		int r = p11c_chain_append(l->db, l->c, cert, 1);
		CERT_DestroyCertificate(cert);
		if (r < 0)
			return SECFailure;
		l->added += r;
	}
	return SECSuccess;
}

int p11c_chain_add_package(p11c_db *db, p11c_chain *c, const unsigned char *body, size_t len,
                           int *added)
{
	aia_load l = {db, c, 0, 0};
	SECStatus s = SECFailure;
	/* NSS reads the first block of a PEM text alone: a PEM answer with
	 * the issuer and its own issuer is split here, each block taken;
	 * what pem.c refuses (garbled, cut) is left to NSS as before */
	PLArenaPool *arena = len > 0 && len <= AIA_MAX && body[0] != 0x30
	                         ? PORT_NewArena(DER_DEFAULT_CHUNKSIZE)
	                         : NULL;
	SECItem *ders = NULL;
	size_t n = 0;
	if (arena && memmem(body, len, "-----BEGIN CERTIFICATE-----", 27) &&
	    p11c_certs_decode(db, "the caIssuers answer", body, len, arena, &ders, &n) == P11C_OK &&
	    n <= INT_MAX) {
		SECItem **list = PORT_ArenaZNewArray(arena, SECItem *, n);
		for (size_t i = 0; list && i < n; i++)
			list[i] = &ders[i];
		s = list ? take_certs(&l, list, (int)n) : SECFailure;
	} else if (len > 0 && len <= AIA_MAX) {
		s = CERT_DecodeCertPackage((char *)body, (int)len, take_certs, &l);
	}
	if (arena)
		PORT_FreeArena(arena, PR_FALSE);
	*added = l.added;
	return s == SECSuccess ? P11C_OK : P11C_EFAIL;
}

/* While the chain's last certificate is not self-signed, fetch its
 * issuer from its caIssuers URL.  Failures become notes, not errors: the
 * chain is judged as it stands. */
#define FETCHING "fetching issuers from caIssuers URLs"

static int follow_ca_issuers_from(p11c_db *db, p11c_chain *c, int timeout, int *depth_out)
{
	for (int depth = 0; depth < AIA_DEPTH; depth++) {
		*depth_out = depth;
		size_t last = c->n - 1;
		CERTCertificate *cert = p11c_chain_nss_cert(c, last);
		if (SECITEM_ItemsAreEqual(&cert->derSubject, &cert->derIssuer))
			return P11C_OK;
		char *url = ca_issuers_url(cert);
		if (!url) {
			if (depth == 0)
				p11c_chain_add_note(
				    c,
				    "the chain stops short of a root and '%s' names "
				    "no http caIssuers URL",
				    c->certs[last]->subject);
			return P11C_OK;
		}
		unsigned char *body = NULL;
		size_t len = 0;
		/* how many are known to be needed: this one more */
		p11c_progress(db, FETCHING, (size_t)depth, (size_t)depth + 1);
		int rc = p11c_http_get(db, url, timeout, AIA_MAX, &body, &len);
		*depth_out = depth + 1;
		if (rc) {
			p11c_chain_add_note(c, "caIssuers %s: %s", url, p11c_last_error(db));
			free(url);
			return P11C_OK;
		}
		int added = 0;
		int s = p11c_chain_add_package(db, c, body, len, &added);
		free(body);
		if (s != P11C_OK && c->n == last + 1 + (size_t)added && !added) {
			p11c_chain_add_note(
			    c, "caIssuers %s: not a certificate (DER, PEM or PKCS#7)", url);
			free(url);
			return P11C_OK;
		}
		p11c_chain_add_note(c, "caIssuers %s: %d certificate%s", url, added,
		                    added == 1 ? "" : "s");
		free(url);
		/* go on from the issuer of the last one, when it came */
		CERTCertificate *issuer = NULL;
		for (size_t i = last + 1; i < c->n && !issuer; i++)
			if (SECITEM_ItemsAreEqual(&p11c_chain_nss_cert(c, i)->derSubject,
			                          &cert->derIssuer))
				issuer = p11c_chain_nss_cert(c, i);
		if (!issuer || issuer != p11c_chain_nss_cert(c, c->n - 1))
			return P11C_OK;
	}
	return P11C_OK;
}

/* The same, its progress step ended however it ends. */
static int follow_ca_issuers(p11c_db *db, p11c_chain *c, int timeout)
{
	int depth = 0;
	int rc = follow_ca_issuers_from(db, c, timeout, &depth);
	p11c_progress(db, FETCHING, (size_t)depth, (size_t)depth);
	return rc;
}

/* The first version of p11c_fetch_opts: size, timeout, flags. */
#define FETCH_OPTS_V1 (offsetof(p11c_fetch_opts, flags) + sizeof(unsigned))

int p11c_chain_fetch(p11c_db *db, const char *url, const p11c_fetch_opts *opts, p11c_chain **out)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(url), P11C_OPTS_SIZE(opts, FETCH_OPTS_V1),
	          P11C_FIELD_RANGE(opts, timeout, 0, 3600),
	          P11C_FIELD_FLAGS(opts, flags, P11C_FETCH_CA_ISSUERS),
	          P11C_FIELD_RANGE(opts, revocation, P11C_REVOCATION_NONE, P11C_REVOCATION_ALL),
	          P11C_FIELD_RANGE(opts, require_revocation, 0, 1), P11C_OUT(out));
	*out = NULL;
	int timeout = P11C_OPT(opts, timeout, FETCH_TIMEOUT);
	unsigned flags = P11C_OPT(opts, flags, 0u);
	if (timeout == 0)
		timeout = FETCH_TIMEOUT;
	p11c_url u;
	int rc = p11c_require_open(db, 0);
	if (rc || (rc = p11c_url_parse(db, url, 0, &u)))
		return rc;
	if (NSS_SetDomesticPolicy() != SECSuccess)
		return p11c_fail_nss(db, P11C_EFAIL, "cannot enable NSS's cipher suites");
	p11c_chain *c = p11c_chain_new();
	if (!c || !(c->url = strdup(url)) || !(c->scheme = strdup(u.scheme)) ||
	    !(c->host = strdup(u.host))) {
		p11c_chain_free(c);
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	}
	c->port = u.port;
	c->rev_mode = (int)P11C_OPT(opts, revocation, P11C_REVOCATION_NONE);
	c->rev_require = P11C_OPT(opts, require_revocation, 0);
	c->rev_timeout = timeout;
	int fd = -1;
	rc = p11c_net_connect(db, u.host, u.port, timeout, &fd);
	if (rc == P11C_OK && (rc = p11c_net_starttls(db, fd, &u, timeout)))
		close(fd);
	if (rc == P11C_OK)
		rc = tls_chain(db, fd, &u, timeout, c);
	if (rc == P11C_OK && (flags & P11C_FETCH_CA_ISSUERS))
		rc = follow_ca_issuers(db, c, timeout);
	if (rc == P11C_OK)
		rc = p11c_chain_judge(db, c, P11C_USAGE_TLS_SERVER, PR_Now(), u.host);
	if (rc) {
		p11c_chain_free(c);
		return rc;
	}
	*out = c;
	return P11C_OK;
}
