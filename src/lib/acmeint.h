/* SPDX-License-Identifier: MPL-2.0 */
/* The ACME client's private parts: JWS and JWK (acmejws.c), the talk with
 * the server (acmeclient.c), the record in the database directory
 * (acmestate.c), ARI's certificate identifier (acmeari.c). */
#ifndef P11C_ACMEINT_H
#define P11C_ACMEINT_H

#include <jansson.h>

#include "netmod.h"
#include "nssint.h"

#pragma GCC visibility push(hidden)

#define P11C_ACME_STATE_NAME "p11cert-acme.json"
#define P11C_ACME_ERR_PREFIX "urn:ietf:params:acme:error:"

/* ---- acmejws.c ---- */
/* base64url without padding of data; malloc'd, NULL when out of memory. */
char *p11c_b64url(const void *data, size_t len);
/* The public JWK of pub (EC P-256/384/521 or RSA), members sorted as RFC
 * 7638 wants them; a new reference. */
int p11c_acme_jwk(p11c_db *db, const SECKEYPublicKey *pub, json_t **out);
/* RFC 7638 thumbprint: base64url(SHA-256(the JWK's canonical JSON)). */
int p11c_acme_thumbprint(p11c_db *db, const SECKEYPublicKey *pub, char **out);
/* The JWS "alg" of a key: ES256, ES384, ES512 or RS256; NULL if none. */
const char *p11c_acme_alg(const SECKEYPublicKey *pub);
/* A flattened JWS of payload (NULL: "", a POST-as-GET) to url, signed
 * with priv: "kid" when kid is not NULL, else "jwk" of pub.  *out the
 * JSON text, malloc'd. */
int p11c_acme_jws(p11c_db *db, SECKEYPrivateKey *priv, const SECKEYPublicKey *pub, const char *kid,
                  const char *nonce, const char *url, const char *payload, char **out);
/* The externalAccountBinding of newAccount: a JWS (HS256, key id kid, the
 * MAC key hmac) over pub's JWK; a new reference. */
int p11c_acme_eab(p11c_db *db, const char *kid, const unsigned char *hmac, size_t hmac_len,
                  const SECKEYPublicKey *pub, const char *url, json_t **out);

/* ---- acmeclient.c ---- */
typedef struct {
	p11c_db *db;
	char *server;          /* the directory URL */
	const char *ca;        /* PEM CAs of the server, or NULL */
	int timeout, wait;     /* seconds */
	json_t *dir;           /* the directory */
	char *nonce;           /* the next nonce, or NULL */
	SECKEYPrivateKey *key; /* the account key (not owned) */
	SECKEYPublicKey *pub;
	const char *kid; /* the account URL, once known (not owned) */
} p11c_acme_client;

/* The server's options checked and read (NULL: defaults). */
typedef struct {
	const char *server, *server_ca;
	int timeout, wait;
} p11c_acme_conn;
/* The checks of a p11c_acme_opts argument, for P11C_ARGS. */
#define P11C_ACME_OPTS_V1 (offsetof(p11c_acme_opts, wait) + sizeof(int))
#define P11C_ACME_OPTS_ARGS(a)                                                                     \
	P11C_OPTS_SIZE(a, P11C_ACME_OPTS_V1), P11C_FIELD_OPTNAME(a, server),                       \
	    P11C_FIELD_OPTNAME(a, server_ca), P11C_FIELD_RANGE(a, timeout, 0, 3600),               \
	    P11C_FIELD_RANGE(a, wait, 0, 86400)
/* Read them (checked by P11C_ACME_OPTS_ARGS); the server must be https. */
int p11c_acme_opts_read(p11c_db *db, const p11c_acme_opts *in, p11c_acme_conn *out);
/* GET the directory at server. */
int p11c_acme_client_open(p11c_db *db, const p11c_acme_conn *conn, const char *server,
                          p11c_acme_client *c);
void p11c_acme_client_close(p11c_acme_client *c);
/* The directory's URL of name ("newOrder" ...), or NULL (a failure named
 * when need). */
const char *p11c_acme_dir_url(p11c_acme_client *c, const char *name, int need);
/* What came back from a signed POST: the response (status, Location ...)
 * and its body as JSON when it was JSON. */
typedef struct {
	p11c_net_resp r;
	json_t *json;
} p11c_acme_reply;
void p11c_acme_reply_free(p11c_acme_reply *rep);
/* A signed POST of payload (NULL: POST-as-GET) to url, with "kid" (the
 * account's) or, when jwk, the account key's JWK; badNonce retried.  A
 * status of 400 or more is a failure naming what the problem document
 * says; accept: the Accept header, or NULL. */
int p11c_acme_post(p11c_acme_client *c, const char *url, const char *payload, int jwk,
                   const char *accept, p11c_acme_reply *rep);
/* An unsigned GET (the directory, renewalInfo). */
int p11c_acme_get(p11c_acme_client *c, const char *url, p11c_acme_reply *rep);
/* POST-as-GET url until its "status" is none of the pending ones
 * (pending, processing), as Retry-After spaces it, within the client's
 * wait; *out the last body (a new reference). */
int p11c_acme_poll(p11c_acme_client *c, const char *url, const char *what, json_t **out);
/* A problem document in one line: "TYPE: DETAIL (subproblems: ...)";
 * malloc'd. */
char *p11c_acme_problem_text(const json_t *problem);
/* Seconds a Retry-After asks for (delta or HTTP date), or def. */
int p11c_acme_retry_after(const char *value, int def);

/* ---- acmestate.c ---- */
/* The record (an object; a missing file gives an empty one); a malformed
 * file is refused.  *out a new reference. */
int p11c_acme_state_load(p11c_db *db, json_t **out);
/* The record's text (read from PATH, named in the message) checked for
 * the shape later readers rely on. */
int p11c_acme_state_parse(p11c_db *db, const char *path, const unsigned char *buf, size_t len,
                          json_t **out);
/* Write it (0644, atomically). */
int p11c_acme_state_save(p11c_db *db, json_t *st);
/* Its "certs" object (made when missing). */
json_t *p11c_acme_state_certs(json_t *st);
/* The server to talk to: conn's, or the account's; a different one from
 * the account's, or none, is refused (NULL, the failure on db). */
const char *p11c_acme_server_of(p11c_db *db, const p11c_acme_conn *conn, const json_t *st);
/* String member of o, or NULL. */
const char *p11c_acme_str(const json_t *o, const char *key);

/* ---- acmeari.c ---- */
/* RFC 9773's certificate identifier: base64url(AKI keyIdentifier) "."
 * base64url(serial DER bytes). */
int p11c_acme_ari_certid(p11c_db *db, CERTCertificate *cert, char **out);
/* A time in RFC 3339 ("2025-01-02T03:04:05Z", fractions allowed) as
 * seconds since the epoch; -1 when malformed. */
long long p11c_acme_time_parse(const char *text);

/* ---- acmeacct.c ---- */
/* The account of the record st: its key found by its CKA_ID on its token,
 * logged in; *url the account URL (of st). */
int p11c_acme_account_key(p11c_db *db, json_t *st, SECKEYPrivateKey **priv, SECKEYPublicKey **pub,
                          const char **url);

/* ---- acmeorder.c ---- */
struct p11c_acme_answerer;
/* An order for names (replacing the certificate of ARI id replaces when
 * not NULL), its authorizations answered through a, finalized with the
 * request csr; *chain the PEM chain downloaded (malloc'd). */
int p11c_acme_order(p11c_acme_client *c, struct p11c_acme_answerer *a, const char *const *names,
                    size_t n, const char *replaces, const unsigned char *csr, size_t csr_len,
                    char **chain, size_t *chain_len);

/* ---- acmelist.c ---- */
/* The method a record names (p11c_acme_method_name's words); def else. */
p11c_acme_method p11c_acme_method_of(const char *text, p11c_acme_method def);

#pragma GCC visibility pop

#endif
