/* SPDX-License-Identifier: MPL-2.0 */
/* Chains inside the library: what p11c_chain and p11c_problem hold, and
 * how chain.c, chainfetch.c and check.c build and judge them. */
#ifndef P11C_CHAININT_H
#define P11C_CHAININT_H

#include "nssint.h"

#pragma GCC visibility push(hidden)

struct p11c_problem {
	enum p11c_problem_code code;
	char *message; /* one line: "unknown issuer: ..." */
	int depth;     /* the chain's certificate it is about, or -1 */
};

/* One link's revocation answer. */
typedef struct {
	int done; /* looked up already (p11c_chain_add_trust judges again) */
	p11c_rev_status status;
	const char *method; /* "ocsp", "crl" */
	char *source;       /* URL */
	int cached;
	long long this_update, next_update, revoked_at;
	const char *reason;
	char *error;
} p11c_rev_link;

struct p11c_chain {
	char *url;    /* fetch-chain: the URL; verify-cert: NULL */
	char *scheme; /* "smtp" ... */
	char *host;   /* host name or address, without brackets */
	int port;
	char *tls_version;     /* "TLSv1.3" */
	char *cipher;          /* the cipher suite's name */
	p11c_cert **certs;     /* leaf first */
	CERTCertificate **nss; /* parallel to certs */
	unsigned *links;       /* parallel to certs: P11C_LINK_* */
	size_t n;
	int trusted; /* the database trusts the chain for the usage */
	p11c_problem *problems;
	size_t n_problems;
	char **notes; /* what happened on the way: caIssuers fetched or not */
	size_t n_notes;
	/* the last verdict, for the next (p11c_chain_add_trust) */
	int usage;
	int as_ca; /* the leaf judged as a CA */
	PRTime when;
	char *judged_host; /* the name the leaf was judged for, or NULL */
	/* revocation: what is asked, and each link's answer (parallel to certs) */
	int rev_mode;           /* P11C_REVOCATION_* */
	int rev_require;        /* unknown is a problem */
	int rev_timeout;        /* seconds a request */
	long long rev_deadline; /* check's per-run limit (time(NULL) seconds), or 0 */
	p11c_rev_link *rev;
};

/* chain.c: chains being built (fetch-chain, verify-cert, check). */
p11c_chain *p11c_chain_new(void);
/* Append cert (a new reference is taken); duplicates are left out.
 * 1 appended, 0 already there, or P11C_EFAIL. */
int p11c_chain_append(p11c_db *db, p11c_chain *c, CERTCertificate *cert, int from_aia);
/* A note for the caller (printf format); -1 when out of memory. */
int p11c_chain_add_note(p11c_chain *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* chainfetch.c: the certificates of a caIssuers answer (DER, PEM or
 * PKCS#7 certs-only) appended to c; *added says how many were new. */
int p11c_chain_add_package(p11c_db *db, p11c_chain *c, const unsigned char *body, size_t len,
                           int *added);
/* The i-th certificate as NSS holds it, or NULL. */
CERTCertificate *p11c_chain_nss_cert(const p11c_chain *c, size_t i);
/* Verify the chain's leaf against the database's trust for usage
 * (P11C_USAGE_*) at when, and its name against host when not NULL; fill
 * certs, trusted, problems and the links' P11C_LINK_MISSING. */
int p11c_chain_judge(p11c_db *db, p11c_chain *c, int usage, PRTime when, const char *host);
/* The verdict for usage (P11C_USAGE_TLS_SERVER, _CLIENT or _EMAIL), on
 * the leaf itself or, as_ca, on the leaf as a CA for that usage; the
 * verdict's terms are kept in c for p11c_chain_add_trust's second one. */
int p11c_chain_judge_as(p11c_db *db, p11c_chain *c, int usage, int as_ca, PRTime when,
                        const char *host);

/* revoke.c: look each link up as c->rev_mode says (once a link), and
 * add the problems (revoked; unknown when required). */
int p11c_chain_revocation(p11c_db *db, p11c_chain *c, PRTime when);
void p11c_rev_links_free(p11c_chain *c);
/* RFC 5280's name of a CRLReason ("keyCompromise"). */
const char *p11c_rev_reason_name(int code);
/* revhttp.c: NSS's HTTP client (SEC_RegisterDefaultHttpClient) on the
 * network module, registered once; timeout for what follows; the last
 * answer it received (body owned by the client until the next request),
 * cleared by p11c_rev_http_reset. */
void p11c_rev_http_register(int timeout);
void p11c_rev_http_reset(void);
int p11c_rev_http_last(const char **url, const unsigned char **body, size_t *len, long *status);
/* revcrl.c: the CRL half. */
int p11c_rev_crl(p11c_db *db, p11c_chain *c, size_t i, CERTCertificate *issuer, PRTime when);
/* revcache.c: DIR/p11cert-revocation/KIND-HEX (hex of sha256 of key). */
int p11c_rev_cache_read(p11c_db *db, const char *kind, const void *key, size_t keylen,
                        unsigned char **out, size_t *len);
void p11c_rev_cache_write(p11c_db *db, const char *kind, const void *key, size_t keylen,
                          const unsigned char *data, size_t len);

#pragma GCC visibility pop

#endif
