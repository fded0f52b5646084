/* SPDX-License-Identifier: MPL-2.0 */
/* libp11cert: Chains: fetch-chain and verify-cert.
 * Include <p11cert.h>, not this file. */
#ifndef P11CERT_CHAIN_H
#define P11CERT_CHAIN_H

#include "cert.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- chains: fetch-chain and verify-cert ---- */

/* One reason a chain is not trusted.  code is one of "unknown-issuer",
 * "expired", "not-yet-valid", "name-mismatch", "wrong-usage", "not-a-ca",
 * "bad-signature", "revoked", "distrusted", "other". */
typedef struct {
	char *code;
	char *message; /* one line: "unknown issuer: ..." */
	int depth;     /* the chain's certificate it is about, or -1 */
} p11c_problem;

/* A certificate chain and the database's verdict on it. */
typedef struct {
	char *url;    /* fetch-chain: the URL; verify-cert: NULL */
	char *scheme; /* "smtp" ... */
	char *host;   /* host name or address, without brackets */
	int port;
	char *tls_version;      /* "TLSv1.3" */
	char *cipher;           /* the cipher suite's name */
	p11c_cert **certs; /* leaf first */
	size_t n;
	int *from_aia;    /* certs[i] came from a caIssuers URL */
	int *in_database; /* certs[i] is stored in the database */
	int *missing;     /* certs[i] is a CA on the leaf's path that the
	                     database does not trust: what add-trust adds */
	int trusted;      /* the database trusts the chain for the usage */
	p11c_problem *problems;
	size_t n_problems;
	char **notes; /* what happened on the way: caIssuers fetched or not */
	size_t n_notes;
	void *priv; /* the library's */
} p11c_chain;


typedef struct {
	int timeout;    /* seconds for connecting and each read; 0: 10 */
	int ca_issuers; /* follow the caIssuers (http) URL of a short chain */
} p11c_fetch_opts;
#define P11C_FETCH_OPTS_INIT                                                                       \
	{                                                                                          \
		0, 0                                                                               \
	}

/* Connect to url (smtp:// submission:// smtps:// imap:// imaps://
 * pop3:// pop3s:// ldap:// ldaps:// https://, [IPv6] literals and an
 * explicit port allowed), do STARTTLS where the scheme has it, and take the
 * chain the server presents; verify it against the database's trust for a
 * TLS server at the URL's host.  A chain that is not trusted is still
 * P11C_OK: see (*out)->trusted.  Free with p11c_chain_free. */
int p11c_fetch_chain(p11c_db *db, const char *url, const p11c_fetch_opts *opts, p11c_chain **out);
/* Store the chain's missing CAs (chain->missing) as trusted CAs (CT,,),
 * named by their subjects; all or nothing.  Then verify again, updating
 * chain.  *added: how many were stored or given trust. */
int p11c_chain_add_trust(p11c_db *db, p11c_chain *chain, size_t *added);
/* Verify alias's certificate for usage (P11C_USAGE_*) at time at (seconds
 * since the epoch; 0: now): its chain as NSS builds it from the database,
 * each link, and the problems.  Not trusted is still P11C_OK.  The
 * verdict is NSS's (certutil -V's) on the certificate itself, peer trust
 * included; a CA is judged as a CA only for the _CA usages. */
int p11c_cert_verify(p11c_db *db, const char *alias, int usage, long long at, p11c_chain **out);
/* Write the chain's certificates as PEM files dir/cert0.pem (the leaf),
 * dir/cert1.pem ... (mode 0644, each through a temporary file); dir is
 * made when missing. */
int p11c_chain_save(p11c_db *db, const p11c_chain *chain, const char *dir);
void p11c_chain_free(p11c_chain *chain);

#ifdef __cplusplus
}
#endif
#endif
