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

/* Why a chain is not trusted.  Used as "enum p11c_problem_code" (as
 * struct stat beside stat()): p11c_problem_code() is its accessor. */
enum p11c_problem_code {
	P11C_PROBLEM_NONE = 0,
	P11C_PROBLEM_UNKNOWN_ISSUER = 1, /* no trusted CA issued the chain */
	P11C_PROBLEM_EXPIRED = 2,
	P11C_PROBLEM_NOT_YET_VALID = 3,
	P11C_PROBLEM_NAME_MISMATCH = 4, /* the leaf is not for the host */
	P11C_PROBLEM_WRONG_USAGE = 5,   /* key usage or extended key usage */
	P11C_PROBLEM_NOT_A_CA = 6,      /* an issuer that is not a CA */
	P11C_PROBLEM_BAD_SIGNATURE = 7,
	P11C_PROBLEM_REVOKED = 8,
	P11C_PROBLEM_DISTRUSTED = 9,         /* marked as not trusted in the database */
	P11C_PROBLEM_OTHER = 10,             /* any other error of NSS's: see the message */
	P11C_PROBLEM_REVOCATION_UNKNOWN = 11 /* no revocation source answered, and
	                                      * revocation was required */
};
/* "none", "unknown-issuer", "expired", "not-yet-valid", "name-mismatch",
 * "wrong-usage", "not-a-ca", "bad-signature", "revoked", "distrusted",
 * "other", "revocation-unknown"; "unknown" for other values. */
const char *p11c_problem_code_name(enum p11c_problem_code code);

/* One reason a chain is not trusted; owned by its chain. */
typedef struct p11c_problem p11c_problem;
/* P11C_PROBLEM_NONE for NULL. */
enum p11c_problem_code p11c_problem_code(const p11c_problem *p);
/* One line: "unknown issuer: ...". */
const char *p11c_problem_message(const p11c_problem *p);
/* The chain's certificate it is about (0 the leaf), or -1 (the chain as a
 * whole, and NULL). */
int p11c_problem_depth(const p11c_problem *p);

/* A certificate chain and the database's verdict on it, from
 * p11c_chain_fetch() or p11c_cert_verify(): opaque, read with the
 * accessors below, freed with p11c_chain_free().  What the accessors give
 * lives as long as the chain, until p11c_chain_add_trust() judges it
 * again. */
typedef struct p11c_chain p11c_chain;
/* fetch-chain: the URL, its scheme ("smtp" ...), host (a name or an
 * address, without brackets), port, and the TLS version ("TLSv1.3") and
 * cipher suite of the handshake; verify-cert: NULL and 0. */
const char *p11c_chain_url(const p11c_chain *c);
const char *p11c_chain_scheme(const p11c_chain *c);
const char *p11c_chain_host(const p11c_chain *c);
int p11c_chain_port(const p11c_chain *c);
const char *p11c_chain_tls_version(const p11c_chain *c);
const char *p11c_chain_cipher(const p11c_chain *c);
/* 1 when the database trusts the chain for the usage (and host), else 0. */
int p11c_chain_trusted(const p11c_chain *c);
/* The certificates, leaf first: how many, and the i-th (NULL past the
 * end), owned by the chain. */
size_t p11c_chain_cert_count(const p11c_chain *c);
const p11c_cert *p11c_chain_cert_get(const p11c_chain *c, size_t i);

/* What the i-th link of a chain is (p11c_chain_link_flags). */
enum {
	P11C_LINK_CA_ISSUERS = 1u << 0,  /* came from a caIssuers URL */
	P11C_LINK_IN_DATABASE = 1u << 1, /* is stored in the database */
	P11C_LINK_MISSING = 1u << 2      /* a CA on the leaf's path that the database
	                                  * does not trust: what add-trust adds */
};
/* The P11C_LINK_* of the i-th certificate; 0 past the end. */
unsigned p11c_chain_link_flags(const p11c_chain *c, size_t i);
/* Why the chain is not trusted: how many, and the i-th (NULL past the
 * end); none when it is trusted. */
size_t p11c_chain_problem_count(const p11c_chain *c);
const p11c_problem *p11c_chain_problem_get(const p11c_chain *c, size_t i);
/* What happened on the way (caIssuers fetched or not, a handshake cut
 * short after the chain came): how many, and the i-th line. */
size_t p11c_chain_note_count(const p11c_chain *c);
const char *p11c_chain_note_get(const p11c_chain *c, size_t i);

/* Which revocation sources are asked (p11c_fetch_opts, p11c_verify_opts):
 * OCSP responders named by the authorityInfoAccess extension, CRLs from
 * the CRL distribution points. */
typedef enum {
	P11C_REVOCATION_NONE = 0,
	P11C_REVOCATION_OCSP = 1,
	P11C_REVOCATION_CRL = 2,
	P11C_REVOCATION_ALL = 3 /* OCSP first, then the CRL when OCSP gave no answer */
} p11c_revocation;

/* A link's revocation status (p11c_chain_rev_status). */
typedef enum {
	P11C_REV_NOT_CHECKED = 0, /* not asked (mode none, a root, no issuer, no URL) */
	P11C_REV_GOOD = 1,
	P11C_REV_REVOKED = 2,
	P11C_REV_UNKNOWN = 3 /* asked, and no source gave a usable answer */
} p11c_rev_status;
/* "not-checked", "good", "revoked", "unknown"; "invalid" for others. */
const char *p11c_rev_status_name(p11c_rev_status status);
/* The i-th link's revocation status; P11C_REV_NOT_CHECKED past the end. */
p11c_rev_status p11c_chain_rev_status(const p11c_chain *c, size_t i);
/* Where the answer came from: the OCSP responder's or CRL's URL (for
 * unknown: the last one tried), or NULL. */
const char *p11c_chain_rev_source(const p11c_chain *c, size_t i);
/* "ocsp" or "crl" (NULL when not checked). */
const char *p11c_chain_rev_method(const p11c_chain *c, size_t i);
/* 1 when the answer was read from the database directory's cache
 * (DIR/p11cert-revocation/) instead of the network. */
int p11c_chain_rev_cached(const p11c_chain *c, size_t i);
/* The answer's thisUpdate and nextUpdate (seconds since the epoch; 0 none). */
long long p11c_chain_rev_this_update(const p11c_chain *c, size_t i);
long long p11c_chain_rev_next_update(const p11c_chain *c, size_t i);
/* A revoked link's revocation time (0 otherwise) and reason
 * ("keyCompromise" ... RFC 5280's names; "unspecified" when none is given;
 * NULL when not revoked). */
long long p11c_chain_rev_revoked_at(const p11c_chain *c, size_t i);
const char *p11c_chain_rev_reason(const p11c_chain *c, size_t i);
/* Why the status is unknown (one line), or NULL. */
const char *p11c_chain_rev_error(const p11c_chain *c, size_t i);

/* Flags of p11c_fetch_opts. */
enum {
	P11C_FETCH_CA_ISSUERS = 1u << 0 /* follow the caIssuers (http) URL of a short chain */
};

/* Options of p11c_chain_fetch().  Start from P11C_FETCH_OPTS_INIT. */
typedef struct {
	size_t size;    /* sizeof(p11c_fetch_opts), set by the INIT macro */
	int timeout;    /* seconds for connecting and each read, 1 to 3600; 0: 10 */
	unsigned flags; /* P11C_FETCH_* */
	/* later fields (an older, smaller struct gets none and 0): */
	p11c_revocation revocation; /* sources asked; a struct without it: none */
	int require_revocation;     /* 1: revocation unknown makes the chain untrusted */
} p11c_fetch_opts;
#define P11C_FETCH_OPTS_INIT                                                                       \
	{                                                                                          \
		.size = sizeof(p11c_fetch_opts), .timeout = 10, .flags = 0,                        \
		.revocation = P11C_REVOCATION_OCSP, .require_revocation = 0                        \
	}

/* Connect to url (smtp:// submission:// smtps:// imap:// imaps://
 * pop3:// pop3s:// ldap:// ldaps:// https://, [IPv6] literals and an
 * explicit port allowed), do STARTTLS where the scheme has it, and take the
 * chain the server presents; verify it against the database's trust for a
 * TLS server at the URL's host.  A chain that is not trusted is still
 * P11C_OK: see p11c_chain_trusted().  opts NULL: the defaults, but with
 * no revocation asked (as for a struct from before the revocation fields);
 * P11C_FETCH_OPTS_INIT asks OCSP (see p11c_cert_verify_opts).  *out is
 * the caller's, freed with p11c_chain_free. */
int p11c_chain_fetch(p11c_db *db, const char *url, const p11c_fetch_opts *opts, p11c_chain **out);
/* Store the chain's missing CAs (P11C_LINK_MISSING) as trusted CAs (CT,,),
 * named by their subjects; all or nothing.  Then verify again, updating
 * chain (what its accessors gave before is gone).  *added: how many were
 * stored or given trust (added may be NULL). */
int p11c_chain_add_trust(p11c_db *db, p11c_chain *chain, size_t *added);
/* Verify alias's certificate for usage at time at (seconds since the
 * epoch; 0: now): its chain as NSS builds it from the database, each link,
 * and the problems.  Not trusted is still P11C_OK.  The verdict is NSS's
 * (certutil -V's) on the certificate itself, peer trust included; a CA is
 * judged as a CA only for the _CA usages.  A usage out of range is
 * P11C_EUSAGE. */
int p11c_cert_verify(p11c_db *db, const char *alias, p11c_usage usage, long long at,
                     p11c_chain **out);
/* Options of p11c_cert_verify_opts().  Start from P11C_VERIFY_OPTS_INIT. */
typedef struct {
	size_t size;                /* sizeof(p11c_verify_opts), set by the INIT macro */
	long long at;               /* seconds since the epoch; 0: now */
	p11c_revocation revocation; /* sources asked (default OCSP) */
	int require_revocation;     /* 1: revocation unknown makes the chain untrusted */
	int timeout;                /* seconds for each revocation request, 1 to 3600; 0: 10 */
} p11c_verify_opts;
#define P11C_VERIFY_OPTS_INIT                                                                      \
	{                                                                                          \
		.size = sizeof(p11c_verify_opts), .at = 0, .revocation = P11C_REVOCATION_OCSP,     \
		.require_revocation = 0, .timeout = 10                                             \
	}
/* p11c_cert_verify with revocation: each link but the root is looked up
 * at its OCSP responder and/or CRL (answers cached in
 * DIR/p11cert-revocation/ until their nextUpdate), NSS deciding on the
 * answers.  A revoked link is a P11C_PROBLEM_REVOKED; no answer leaves the
 * chain trusted ("soft failure", p11c_chain_rev_status says unknown)
 * unless require_revocation.  opts NULL: the defaults.  p11c_cert_verify
 * asks no revocation source. */
int p11c_cert_verify_opts(p11c_db *db, const char *alias, p11c_usage usage,
                          const p11c_verify_opts *opts, p11c_chain **out);
/* Write the chain's certificates as PEM files dir/cert0.pem (the leaf),
 * dir/cert1.pem ... (mode 0644, each through a temporary file); dir is
 * made when missing. */
int p11c_chain_save(p11c_db *db, const p11c_chain *chain, const char *dir);
/* Free a chain and what it holds; NULL is ignored. */
void p11c_chain_free(p11c_chain *chain);

#ifdef __cplusplus
}
#endif
#endif
