/* SPDX-License-Identifier: MPL-2.0 */
/* libp11cert: Certificates: make, add, renew, remove, show and list them; requests and signing.
 * Include <p11cert.h>, not this file. */
#ifndef P11CERT_CERT_H
#define P11CERT_CERT_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Subject fields, msgcert's --name --org --org-unit --city --state
 * --country. */
typedef struct {
	const char *cn, *o, *ou, *l, *st, *c;
} p11c_dn_fields;

/* Format fields as an RFC 4514 DN ("CN=a,OU=b,O=c,L=d,ST=e,C=f"), with
 * special characters escaped.  *out is malloc'd. */
int p11c_dn_format(const p11c_dn_fields *f, char **out);

/* Options of p11c_cert_selfsign(). */
typedef struct {
	const char *subject;          /* RFC 4514 DN; or NULL and fields */
	const p11c_dn_fields *fields; /* used when subject is NULL */
	const char *san;              /* "dns:a.example,ip:192.0.2.1,email:x@a" */
	const char *key_type;         /* rsa:2048 rsa:3072 rsa:4096 ec:p256 ec:p384 ec:p521 */
	int days;                     /* validity from now */
	const char *token;            /* "internal", a label, a pkcs11: URI; NULL internal */
	int ca;                       /* basicConstraints CA:true and keyCertSign */
	int extractable;              /* key on an external token may leave it */
} p11c_selfsign_opts;
#define P11C_SELFSIGN_OPTS_INIT                                                                    \
	{                                                                                          \
		NULL, NULL, NULL, "rsa:2048", 90, NULL, 0, 0                                       \
	}

/* New key pair and self-signed certificate stored as alias.  A fields.cn
 * that looks like a host name is added as a DNS SAN.  Refuses an alias
 * already in use; on failure the key made is removed. */
int p11c_cert_selfsign(p11c_db *db, const char *alias, const p11c_selfsign_opts *opts);

/* request-cert: a new key pair on opts->token, named alias (NULL: the
 * subject's CN), and a PKCS#10 request for it with opts' subject and SANs
 * (extensionRequest), signed with SHA-256 or better.  *out (malloc'd) is
 * PEM when pem, else DER.  opts->days and opts->ca are not used. */
int p11c_request_create(p11c_db *db, const char *alias, const p11c_selfsign_opts *opts, int pem,
                        unsigned char **out, size_t *out_len);
/* As p11c_request_create, the request written to path (mode 0644, through
 * a temporary file and a rename; a path that is not a regular file is
 * refused before a key is made).  When the write fails, the new key is
 * removed. */
int p11c_request_create_file(p11c_db *db, const char *alias, const p11c_selfsign_opts *opts,
                             int pem, const char *path);

/* Options of p11c_cert_add(). */
typedef struct {
	int trusted_ca;    /* -C: alias (and the rest of a chain) trusted CT,, */
	const char *trust; /* explicit trust: words or NSS "CT,C,C"; NULL none */
} p11c_add_opts;
#define P11C_ADD_OPTS_INIT                                                                         \
	{                                                                                          \
		0, NULL                                                                            \
	}

/* Add the certificate(s) in the PEM or DER file at path.  The first whose
 * key is in the database becomes alias, else (with trust) the first one;
 * the rest are stored as CA certificates named by their subject.  A
 * certificate matching no key and given no trust is refused.  All or
 * nothing.  A certificate already stored under another name keeps that
 * name (its trust is set); *stored_as (malloc'd; stored_as may be NULL)
 * tells the name it answers to. */
int p11c_cert_add(p11c_db *db, const char *alias, const char *path, const p11c_add_opts *opts,
                  char **stored_as);

/* Add every certificate in the PEM or DER file at path with trust (NULL:
 * "CT,,"), each named by its subject (CN, else O, else SHA-256 prefix) made
 * unique with " #2" ...; those already present are skipped.  Counts go to
 * added and skipped (either may be NULL). */
int p11c_cert_add_bundle(p11c_db *db, const char *path, const char *trust, size_t *added,
                         size_t *skipped);

/* Replace alias by the newer certificate in the PEM or DER file at path
 * for the same key (the rest of a PEM chain is stored as CA certificates):
 * a certificate whose public key differs is refused and nothing changes.
 * Alias and trust are kept; the old certificate is removed only after the
 * new one is stored. */
int p11c_cert_renew(p11c_db *db, const char *alias, const char *path);

/* Re-issue the self-signed alias for days from now, same subject, SANs
 * and basic constraints; with new_key a new key of the same kind on the
 * same token, the old key removed once the new certificate is stored. */
int p11c_cert_renew_selfsign(p11c_db *db, const char *alias, int days, int new_key);

/* Remove alias and, unless keep_key, its private key. */
int p11c_cert_remove(p11c_db *db, const char *alias, int keep_key);

/* A certificate as the library read it (show-cert, list-certs, a chain's
 * link): opaque, read with the accessors below; strings are owned by it
 * and NULL when absent.  Free a certificate of your own (p11c_cert_show)
 * with p11c_cert_free; one that a listing or chain holds goes with it. */
typedef struct p11c_cert p11c_cert;

/* "alias", or "TOKEN:alias" for a certificate on an external token. */
const char *p11c_cert_alias(const p11c_cert *c);
/* The token holding the certificate ("internal" for NSS's own). */
const char *p11c_cert_token(const p11c_cert *c);
/* X.509 version: 1, 2 or 3. */
int p11c_cert_version(const p11c_cert *c);
/* The serial number in lower-case hex. */
const char *p11c_cert_serial(const p11c_cert *c);
/* The signature algorithm as NSS names it ("PKCS #1 SHA-256 With RSA
 * Encryption"). */
const char *p11c_cert_sig_alg(const p11c_cert *c);
/* Validity, in seconds since the epoch (UTC). */
int64_t p11c_cert_not_before(const p11c_cert *c);
int64_t p11c_cert_not_after(const p11c_cert *c);
/* Subject and issuer as RFC 4514 DNs. */
const char *p11c_cert_subject(const p11c_cert *c);
const char *p11c_cert_issuer(const p11c_cert *c);
/* 1 when the certificate is self-signed, else 0. */
int p11c_cert_is_self_signed(const p11c_cert *c);
/* The subjectAltNames, "dns:a.example", "ip:192.0.2.1", "email:x@a" ...:
 * how many, and the i-th (NULL past the end). */
size_t p11c_cert_san_count(const p11c_cert *c);
const char *p11c_cert_san(const p11c_cert *c, size_t i);
/* The public key's kind and size: "rsa:2048", "ec:p256" ... */
const char *p11c_cert_key_type(const p11c_cert *c);
/* Fingerprints in lower-case hex without colons. */
const char *p11c_cert_sha1(const p11c_cert *c);
const char *p11c_cert_sha256(const p11c_cert *c);
/* The trust flags in NSS's form ("CT,,"). */
const char *p11c_cert_trust(const p11c_cert *c);

/* The three fields of NSS's trust. */
typedef enum {
	P11C_TRUST_FIELD_SSL = 0,
	P11C_TRUST_FIELD_EMAIL = 1,
	P11C_TRUST_FIELD_OBJECT_SIGNING = 2
} p11c_trust_field;
/* msgcert's words for one trust field ("Valid CA, Trusted CA"), "" for
 * none; NULL for a field out of range. */
const char *p11c_cert_trust_words(const p11c_cert *c, p11c_trust_field field);

/* Whether the database holds the certificate's private key. */
typedef enum {
	P11C_KEY_NONE = 0,    /* no private key */
	P11C_KEY_PRESENT = 1, /* a private key, on p11c_cert_key_token */
	P11C_KEY_UNKNOWN = 2  /* its token was not logged in: see p11c_cert_key_note */
} p11c_key_state;
p11c_key_state p11c_cert_key_state(const p11c_cert *c);
/* "none", "present", "unknown"; "unknown" also for other values. */
const char *p11c_key_state_name(p11c_key_state state);
/* The token holding the private key, or NULL. */
const char *p11c_cert_key_token(const p11c_cert *c);

/* Whether the private key may leave its token. */
typedef enum {
	P11C_EXTRACTABLE_UNKNOWN = -1, /* no key, or its token does not say */
	P11C_EXTRACTABLE_NO = 0,
	P11C_EXTRACTABLE_YES = 1
} p11c_extractable;
p11c_extractable p11c_cert_key_extractable(const p11c_cert *c);
/* The private key's pkcs11: URI, or NULL. */
const char *p11c_cert_key_uri(const p11c_cert *c);
/* Why the key state is unknown ("wrong PIN for token 'hsm'
 * (CKR_PIN_INCORRECT)"), else NULL. */
const char *p11c_cert_key_note(const p11c_cert *c);
/* The certificate in PEM. */
const char *p11c_cert_pem(const p11c_cert *c);

/* Free a certificate; NULL is ignored. */
void p11c_cert_free(p11c_cert *c);

/* The structure behind p11c_cert: to be read only through the accessors
 * above (it leaves the public header before the ABI is frozen). */
/* What the library knows of a certificate.  Strings are NUL-terminated
 * and owned by the info. */
struct p11c_cert {
	char *alias;                   /* "alias" or "TOKEN:alias" */
	char *token;                   /* token holding the certificate */
	int version;                   /* 1, 2, 3 */
	char *serial;                  /* hex, lower case */
	char *sig_alg;                 /* e.g. "PKCS #1 SHA-256 With RSA Encryption" */
	int64_t not_before, not_after; /* seconds since the epoch, UTC */
	char *subject, *issuer;        /* RFC 4514 */
	int self_signed;
	char **san; /* "dns:a.example", "ip:192.0.2.1", "email:x@a" */
	size_t n_san;
	char *key_type;       /* "rsa:2048", "ec:p256" */
	char *sha1, *sha256;  /* hex, lower case, no colons */
	char *trust;          /* NSS form, "CT,," */
	char *trust_words[3]; /* msgcert's words for the SSL, email and object
	                       * signing fields: "Valid CA, Trusted CA" */
	int has_key;
	char *key_token;     /* token holding the private key, or NULL */
	int key_extractable; /* 1, 0, or -1 when unknown or no key */
	char *key_uri;       /* the private key's pkcs11: URI, or NULL */
	char *pem;           /* the certificate, PEM */
	int key_unknown;     /* 1: its token was not logged in, so whether it
	                      * has a key is unknown (has_key 0, key_* unset) */
	char *key_note;      /* why, when key_unknown ("wrong PIN for token
	                      * 'hsm' (CKR_PIN_INCORRECT)"), else NULL */
};

enum {
	P11C_LIST_KEYS = 0, /* certificates with a private key */
	P11C_LIST_CA = 1,   /* trusted CAs */
	P11C_LIST_ALL = 2   /* all */
};

/* Certificates of one kind, sorted by alias.  A token that could not be
 * logged in is not reported (see p11c_cert_listing_get); a wrong PIN in
 * the password file fails the call, as it always did. */
int p11c_cert_list(p11c_db *db, int which, p11c_cert ***out, size_t *n);
void p11c_cert_list_free(p11c_cert **list, size_t n);

/* Options of p11c_cert_listing_get(). */
typedef struct {
	int which;         /* P11C_LIST_* */
	const char *token; /* only this token's certificates (a label,
	                    * "internal", a pkcs11: URI); NULL: every token's */
} p11c_list_opts;
#define P11C_LIST_OPTS_INIT                                                                        \
	{                                                                                          \
		.which = P11C_LIST_KEYS, .token = NULL                                             \
	}

/* A token that needs a login and was not logged in: its public
 * certificates are listed (key_unknown), its keys and any private
 * certificates are not. */
typedef struct {
	char *token;     /* its label */
	int code;        /* P11C_EPASSWORD (no PIN, wrong PIN), P11C_ETOKEN */
	int login_tried; /* 1: a PIN was tried once and refused; 0: none given */
	char *reason;    /* "wrong PIN for token 'hsm' (CKR_PIN_INCORRECT)" */
} p11c_token_problem;

/* What p11c_cert_listing_get() found; owned by the caller. */
typedef struct {
	p11c_cert **certs; /* sorted by alias */
	size_t n;
	p11c_token_problem **problems; /* one a token, in NSS's slot order */
	size_t n_problems;
} p11c_cert_listing;

/* Certificates of one kind, and the tokens that could not be logged in
 * (never tried twice).  A token without a PIN in the password file is
 * not prompted for unless it is opts->token.  Fails only when nothing can
 * be listed: the internal token's password, an unknown opts->token. */
int p11c_cert_listing_get(p11c_db *db, const p11c_list_opts *opts, p11c_cert_listing **out);
void p11c_cert_listing_free(p11c_cert_listing *listing);

/* One certificate by alias ("TOKEN:alias" for an external token).  When
 * its token cannot be logged in, the certificate still comes back, with
 * key_unknown and key_note set. */
int p11c_cert_show(p11c_db *db, const char *alias, p11c_cert **out);

/* ---- sign-request: a small CA of the site's own ---- */

typedef struct {
	int days;   /* validity from now; 0: 365 */
	int server; /* extended key usage serverAuth */
	int client; /* extended key usage clientAuth */
} p11c_sign_opts;
#define P11C_SIGN_OPTS_INIT                                                                        \
	{                                                                                          \
		365, 1, 0                                                                          \
	}

/* Issue a certificate for the PKCS#10 request in path (PEM or DER) with the
 * CA certificate ca_alias, whose key is in the database: the request's
 * signature is checked first; subject and subjectAltName come from the
 * request (its other requested extensions are not copied); a random
 * 128-bit serial.  *pem (malloc'd) is the certificate.  The database is
 * not changed. */
int p11c_sign_request(p11c_db *db, const char *ca_alias, const char *path,
                      const p11c_sign_opts *opts, char **pem);

#ifdef __cplusplus
}
#endif
#endif
