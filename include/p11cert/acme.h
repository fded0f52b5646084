/* SPDX-License-Identifier: MPL-2.0 */
/* libp11cert: ACME (RFC 8555): an account, certificates issued and renewed
 * with keys made on (and never leaving) a token, revocation.
 * Include <p11cert.h>, not this file.
 *
 * What the library keeps, in the database directory's "p11cert-acme.json"
 * (mode 0644, written atomically; no secret: the account key is on a
 * token): the server's directory URL, the account URL and where its key
 * is, and for each ACME-issued alias the names, key type, token and
 * challenge method it was issued with, so a renewal repeats them, and the
 * last renewal's failure. */
#ifndef P11CERT_ACME_H
#define P11CERT_ACME_H

#include "cert.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the server ---- */

/* How the ACME server is reached.  Start from P11C_ACME_OPTS_INIT. */
typedef struct {
	size_t size;           /* sizeof(p11c_acme_opts), set by the INIT macro */
	const char *server;    /* directory URL (https://); NULL: the account's */
	const char *server_ca; /* PEM file of the CAs the server's certificate is checked
	                        * against; NULL: the system's store.  Never unchecked. */
	int timeout;           /* seconds for each HTTP request, 1 to 3600; 0: 30 */
	int wait;              /* seconds an order or authorization may stay pending
	                        * (polled as Retry-After says), 1 to 86400; 0: 300 */
} p11c_acme_opts;
#define P11C_ACME_OPTS_INIT                                                                        \
	{                                                                                          \
		.size = sizeof(p11c_acme_opts), .timeout = 30, .wait = 300                         \
	}

/* ---- the account ---- */

/* Options of p11c_acme_register().  Start from P11C_ACME_REGISTER_OPTS_INIT. */
typedef struct {
	size_t size;              /* sizeof(p11c_acme_register_opts), set by the INIT macro */
	const char *email;        /* contact "mailto:" address, or NULL */
	int agree_tos;            /* 1: termsOfServiceAgreed (refused by servers that
	                           * have terms when 0) */
	const char *key_type;     /* the account key: ec:p256 (default) ec:p384 rsa:2048 ... */
	const char *token;        /* where the account key is made; NULL internal */
	const char *eab_kid;      /* external account binding: the key id, or NULL */
	const unsigned char *eab_hmac; /* and its HMAC key (decoded bytes) */
	size_t eab_hmac_len;
} p11c_acme_register_opts;
#define P11C_ACME_REGISTER_OPTS_INIT                                                               \
	{                                                                                          \
		.size = sizeof(p11c_acme_register_opts), .key_type = "ec:p256"                     \
	}

/* Make an account key (non-extractable on an external token) and register
 * it with acme->server; keep the account in the database directory.  A
 * database that already has an account is P11C_ERR_EXISTS.  *account_url
 * (malloc'd; may be NULL) is the account's URL.  On failure the key made is
 * removed and nothing is kept. */
int p11c_acme_register(p11c_db *db, const p11c_acme_opts *acme,
                       const p11c_acme_register_opts *opts, char **account_url);

/* ---- challenges ---- */

/* How a challenge is answered. */
typedef enum {
	P11C_ACME_HTTP01_PORT = 0, /* http-01: the library answers on a port itself */
	P11C_ACME_WEBROOT = 1,     /* http-01: a file under DIR/.well-known/acme-challenge/ */
	P11C_ACME_DNS_HOOK = 2,    /* dns-01: "CMD set|clear NAME VALUE" */
	P11C_ACME_CALLBACK = 3     /* the caller's p11c_acme_solver */
} p11c_acme_method;
/* "http01-port", "webroot", "dns-hook", "callback"; "unknown" else. */
const char *p11c_acme_method_name(p11c_acme_method m);

/* One challenge to answer, for a p11c_acme_solver: owned by the library,
 * valid during the call. */
typedef struct p11c_acme_challenge p11c_acme_challenge;
/* "http-01" or "dns-01". */
const char *p11c_acme_challenge_type(const p11c_acme_challenge *ch);
/* The identifier (a DNS name, without "*."). */
const char *p11c_acme_challenge_domain(const p11c_acme_challenge *ch);
/* http-01: the token (the file name) and the key authorization (its
 * content); dns-01: the record name "_acme-challenge.DOMAIN" and the TXT
 * value (base64url of the key authorization's SHA-256). */
const char *p11c_acme_challenge_token(const p11c_acme_challenge *ch);
const char *p11c_acme_challenge_key_auth(const p11c_acme_challenge *ch);
const char *p11c_acme_challenge_dns_name(const p11c_acme_challenge *ch);
const char *p11c_acme_challenge_dns_value(const p11c_acme_challenge *ch);

/* The caller's answerer (P11C_ACME_CALLBACK): set makes the answer visible
 * to the server before it is asked to validate, clear takes it back
 * (always called after a set that returned P11C_OK, whatever the outcome).
 * Each returns P11C_OK or a P11C_E* code (the failure is then reported
 * as the solver's, naming the domain). */
typedef struct {
	size_t size; /* sizeof(p11c_acme_solver) */
	const char *type; /* the challenge type it answers: "http-01" or "dns-01" */
	int (*set)(const p11c_acme_challenge *ch, void *arg);
	int (*clear)(const p11c_acme_challenge *ch, void *arg);
	void *arg;
} p11c_acme_solver;

/* Options of p11c_acme_issue() and p11c_acme_renew().  Start from
 * P11C_ACME_ISSUE_OPTS_INIT. */
typedef struct {
	size_t size;               /* sizeof(p11c_acme_issue_opts), set by the INIT macro */
	const char *name;          /* the certificate's CN and first DNS name */
	const char *san;           /* more names: "dns:a.example,dns:b.example" */
	const char *key_type;      /* the certificate's key; NULL: ec:p256 */
	const char *token;         /* where the key is made; NULL internal */
	p11c_acme_method method;   /* how challenges are answered */
	int http01_port;           /* P11C_ACME_HTTP01_PORT: 1..65535; 0: 80 */
	const char *http01_address;/* and the address it listens on; NULL: all */
	const char *webroot;       /* P11C_ACME_WEBROOT: the directory */
	const char *dns_hook;      /* P11C_ACME_DNS_HOOK: the command, run by /bin/sh -c
	                            * with set|clear NAME VALUE as $1 $2 $3 (a command
	                            * name alone gets them as its arguments) */
	const char *dns_server;    /* dns-01: the resolver ("ADDR" or "ADDR:PORT") asked
	                            * until the TXT record is seen; NULL: the system's */
	const p11c_acme_solver *solver; /* P11C_ACME_CALLBACK */
	unsigned flags;            /* P11C_ACME_* */
} p11c_acme_issue_opts;
#define P11C_ACME_ISSUE_OPTS_INIT                                                                  \
	{                                                                                          \
		.size = sizeof(p11c_acme_issue_opts), .method = P11C_ACME_HTTP01_PORT              \
	}

/* Flags of p11c_acme_issue_opts. */
enum {
	P11C_ACME_NEW_KEY = 1u << 0, /* renewal: a new key (the old one removed after) */
	P11C_ACME_EXTRACTABLE = 1u << 1 /* the key on an external token may leave it */
};

/* ---- certificates ---- */

/* Issue: a new key on opts->token, a PKCS#10 request from it, an order for
 * opts->name and opts->san, each authorization answered as opts->method
 * says, finalize, download the chain; stored as alias (the chain's CAs
 * untrusted, named by their subjects), and alias recorded as ACME-managed
 * with the options it was issued with ("TOKEN:alias" when opts->token is
 * an external token: the name renew, revoke and the listing know it by).  Nothing stored when any step fails,
 * and the new key removed.  An alias in use is P11C_ERR_EXISTS. */
int p11c_acme_issue(p11c_db *db, const p11c_acme_opts *acme, const char *alias,
                    const p11c_acme_issue_opts *opts);

/* Renew the ACME-managed alias: the same names and key (a new one with
 * P11C_ACME_NEW_KEY), answered as it was issued unless opts says otherwise
 * (opts NULL, or a method with no parameter set: as recorded); the new
 * certificate stored before the old is removed (as p11c_cert_renew).  The
 * order names the certificate it replaces when the server offers ACME
 * Renewal Information.  A failure is recorded against alias
 * (p11c_acme_cert_failure) and nothing changes; success clears it. */
int p11c_acme_renew(p11c_db *db, const p11c_acme_opts *acme, const char *alias,
                    const p11c_acme_issue_opts *opts);

/* Revocation reasons (RFC 5280), of p11c_acme_revoke(). */
typedef enum {
	P11C_REVOKE_UNSPECIFIED = 0,
	P11C_REVOKE_KEY_COMPROMISE = 1,
	P11C_REVOKE_AFFILIATION_CHANGED = 3,
	P11C_REVOKE_SUPERSEDED = 4,
	P11C_REVOKE_CESSATION_OF_OPERATION = 5
} p11c_revoke_reason;
/* The reason whose name is text ("unspecified", "key-compromise",
 * "affiliation-changed", "superseded", "cessation-of-operation"):
 * P11C_OK, or P11C_EUSAGE naming it. */
int p11c_revoke_reason_parse(p11c_db *db, const char *text, p11c_revoke_reason *out);
const char *p11c_revoke_reason_name(p11c_revoke_reason r);

/* Ask the server to revoke alias's certificate (signed by the account key);
 * the certificate stays in the database, its record says it is revoked. */
int p11c_acme_revoke(p11c_db *db, const p11c_acme_opts *acme, const char *alias,
                     p11c_revoke_reason reason);

/* ---- what is managed ---- */

/* The ACME-managed certificates of a database: opaque, freed with
 * p11c_acme_listing_free. */
typedef struct p11c_acme_listing p11c_acme_listing;
typedef struct p11c_acme_cert p11c_acme_cert;
/* Read the record (no network): *out the caller's.  A database with no
 * account and no managed certificate gives an empty listing. */
int p11c_acme_list(p11c_db *db, p11c_acme_listing **out);
/* The server's directory URL and the account URL (NULL: no account). */
const char *p11c_acme_listing_server(const p11c_acme_listing *l);
const char *p11c_acme_listing_account(const p11c_acme_listing *l);
size_t p11c_acme_listing_count(const p11c_acme_listing *l);
const p11c_acme_cert *p11c_acme_listing_get(const p11c_acme_listing *l, size_t i);
const char *p11c_acme_cert_alias(const p11c_acme_cert *c);
/* notAfter of the stored certificate, seconds since the epoch (0: alias
 * not in the database). */
long long p11c_acme_cert_not_after(const p11c_acme_cert *c);
/* When renewal is due, seconds since the epoch: the start of the server's
 * suggested window when ARI gave one at the last renewal or issue, else
 * 0 (the caller applies its own days before notAfter). */
long long p11c_acme_cert_renew_at(const p11c_acme_cert *c);
/* The last renewal's failure (one line) and when (seconds since the
 * epoch), or NULL and 0. */
const char *p11c_acme_cert_failure(const p11c_acme_cert *c);
long long p11c_acme_cert_failure_time(const p11c_acme_cert *c);
/* 1 when revoked through p11c_acme_revoke. */
int p11c_acme_cert_revoked(const p11c_acme_cert *c);
/* The recorded method of answering. */
p11c_acme_method p11c_acme_cert_method(const p11c_acme_cert *c);
void p11c_acme_listing_free(p11c_acme_listing *l);

#ifdef __cplusplus
}
#endif
#endif
