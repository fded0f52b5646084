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
 * --country.  Start from P11C_DN_FIELDS_INIT. */
typedef struct {
	size_t size; /* sizeof(p11c_dn_fields), set by the INIT macro */
	const char *cn, *o, *ou, *l, *st, *c;
} p11c_dn_fields;
#define P11C_DN_FIELDS_INIT                                                                        \
	{                                                                                          \
		.size = sizeof(p11c_dn_fields)                                                     \
	}

/* Format fields as an RFC 4514 DN ("CN=a,OU=b,O=c,L=d,ST=e,C=f"), with
 * special characters escaped.  *out is malloc'd. */
int p11c_dn_format(const p11c_dn_fields *f, char **out);

/* Flags of p11c_selfsign_opts. */
enum {
	P11C_SELFSIGN_CA = 1u << 0,         /* basicConstraints CA:true and keyCertSign */
	P11C_SELFSIGN_EXTRACTABLE = 1u << 1 /* key on an external token may leave it */
};

/* Options of p11c_cert_selfsign() and p11c_request_create().  Start from
 * P11C_SELFSIGN_OPTS_INIT. */
typedef struct {
	size_t size;                  /* sizeof(p11c_selfsign_opts), set by the INIT macro */
	const char *subject;          /* RFC 4514 DN; or NULL and fields */
	const p11c_dn_fields *fields; /* used when subject is NULL */
	const char *san;              /* "dns:a.example,ip:192.0.2.1,email:x@a" */
	const char *key_type;         /* rsa:2048 rsa:3072 rsa:4096 ec:p256 ec:p384 ec:p521 */
	int days;                     /* validity from now */
	const char *token;            /* "internal", a label, a pkcs11: URI; NULL internal */
	unsigned flags;               /* P11C_SELFSIGN_* */
} p11c_selfsign_opts;
#define P11C_SELFSIGN_OPTS_INIT                                                                    \
	{                                                                                          \
		.size = sizeof(p11c_selfsign_opts), .key_type = "rsa:2048", .days = 90             \
	}

/* New key pair and self-signed certificate stored as alias.  A fields.cn
 * that looks like a host name is added as a DNS SAN.  Refuses an alias
 * already in use; on failure the key made is removed. */
int p11c_cert_selfsign(p11c_db *db, const char *alias, const p11c_selfsign_opts *opts);

/* Flags of p11c_request_create() and p11c_request_write(). */
enum {
	P11C_REQUEST_PEM = 1u << 0 /* the request in PEM, else DER */
};

/* request-cert: a new key pair on opts->token, named alias (NULL: the
 * subject's CN), and a PKCS#10 request for it with opts' subject and SANs
 * (extensionRequest), signed with SHA-256 or better.  *out (malloc'd) is
 * PEM with P11C_REQUEST_PEM, else DER.  opts->days and P11C_SELFSIGN_CA
 * are not used. */
int p11c_request_create(p11c_db *db, const char *alias, const p11c_selfsign_opts *opts,
                        unsigned flags, unsigned char **out, size_t *out_len);
/* As p11c_request_create, the request written to path (mode 0644, through
 * a temporary file and a rename; a path that is not a regular file is
 * refused before a key is made).  When the write fails, the new key is
 * removed. */
int p11c_request_write(p11c_db *db, const char *alias, const p11c_selfsign_opts *opts,
                       unsigned flags, const char *path);

/* Flags of p11c_add_opts. */
enum {
	P11C_ADD_TRUSTED_CA = 1u << 0 /* alias (and the rest of a chain) trusted CT,, */
};

/* Options of p11c_cert_add().  Start from P11C_ADD_OPTS_INIT. */
typedef struct {
	size_t size;       /* sizeof(p11c_add_opts), set by the INIT macro */
	unsigned flags;    /* P11C_ADD_* */
	const char *trust; /* explicit trust: words or NSS "CT,C,C"; NULL none */
} p11c_add_opts;
#define P11C_ADD_OPTS_INIT                                                                         \
	{                                                                                          \
		.size = sizeof(p11c_add_opts)                                                      \
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

/* Flags of p11c_cert_renew_selfsign(). */
enum {
	P11C_RENEW_NEW_KEY = 1u << 0 /* a new key of the same kind on the same token */
};

/* Re-issue the self-signed alias for days from now, same subject, SANs
 * and basic constraints; with P11C_RENEW_NEW_KEY a new key of the same
 * kind on the same token, the old key removed once the new certificate is
 * stored. */
int p11c_cert_renew_selfsign(p11c_db *db, const char *alias, int days, unsigned flags);

/* Flags of p11c_cert_remove(). */
enum {
	P11C_REMOVE_KEEP_KEY = 1u << 0 /* leave the private key on its token */
};

/* Remove alias and, without P11C_REMOVE_KEEP_KEY, its private key. */
int p11c_cert_remove(p11c_db *db, const char *alias, unsigned flags);

/* The alias that names alias on token: alias itself when token is NULL,
 * alias is already "TOKEN:alias" or token is the internal one, else
 * "LABEL:alias" with the token's label (token: "internal", a label, a
 * pkcs11: URI).  *out is malloc'd.  Fails when token names no token. */
int p11c_alias_qualify(p11c_db *db, const char *token, const char *alias, char **out);

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

/* What a certificate is trusted for, as the words of p11c_trust_parse()
 * mean them; NSS's "P" in the email and object-signing fields, which those
 * words do not set, are the two peer roles of their own. */
typedef enum {
	P11C_TRUST_SERVER_CA = 1u << 0,  /* "server-ca": SSL field C */
	P11C_TRUST_CLIENT_CA = 1u << 1,  /* "client-ca": SSL field T */
	P11C_TRUST_EMAIL_CA = 1u << 2,   /* "email-ca": email field C */
	P11C_TRUST_CODE_CA = 1u << 3,    /* "code-ca": object-signing field C */
	P11C_TRUST_PEER = 1u << 4,       /* "peer": SSL field P */
	P11C_TRUST_EMAIL_PEER = 1u << 5, /* "email-peer": email field P */
	P11C_TRUST_CODE_PEER = 1u << 6   /* "code-peer": object-signing field P */
} p11c_trust_role;
/* "server-ca", "client-ca", "email-ca", "code-ca", "peer", "email-peer",
 * "code-peer"; "unknown" for anything else (a value of one role only). */
const char *p11c_trust_role_name(p11c_trust_role role);
/* The P11C_TRUST_* roles NSS's trust flags give the certificate; 0 none.
 * NSS's database keeps one trust a usage, so a CA role of a field hides
 * that field's peer ("server-ca,peer" reads back as server-ca). */
unsigned p11c_cert_trust_roles(const p11c_cert *c);

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

/* Which certificates p11c_cert_list() gives. */
typedef enum {
	P11C_LIST_KEYS = 0, /* those with a private key ("keys") */
	P11C_LIST_CA = 1,   /* trusted CAs ("ca") */
	P11C_LIST_ALL = 2   /* all ("all") */
} p11c_list_kind;
/* "keys", "ca", "all"; "unknown" for other values. */
const char *p11c_list_kind_name(p11c_list_kind kind);

/* Options of p11c_cert_list().  Start from P11C_LIST_OPTS_INIT. */
typedef struct {
	size_t size;          /* sizeof(p11c_list_opts), set by the INIT macro */
	p11c_list_kind which; /* default P11C_LIST_KEYS */
	const char *token;    /* only this token's certificates (a label,
	                       * "internal", a pkcs11: URI); NULL: every token's */
	unsigned flags;       /* P11C_LIST_* flags */
} p11c_list_opts;
/* Flags of p11c_list_opts. */
enum {
	/* The database's own token is not logged in for key details: a
	 * certificate has a key when NSS marks it as the user's (certutil
	 * -L's "u", from the key objects it sees without a login), its key
	 * token is the certificate's, extractable and URI unknown.  For
	 * listings that show no key details (list-certs' table). */
	P11C_LIST_KEYS_BY_MARK = 1u << 0
};
#define P11C_LIST_OPTS_INIT                                                                        \
	{                                                                                          \
		.size = sizeof(p11c_list_opts), .which = P11C_LIST_KEYS, .token = NULL             \
	}

/* A token that needs a login and was not logged in: its public
 * certificates are listed (key state unknown), its keys and any private
 * certificates are not.  Owned by its listing. */
typedef struct p11c_token_problem p11c_token_problem;
/* The token's label. */
const char *p11c_token_problem_token(const p11c_token_problem *p);
/* P11C_EPASSWORD (no PIN, wrong PIN) or P11C_ETOKEN; 0 for NULL. */
int p11c_token_problem_status(const p11c_token_problem *p);
/* 1 when a PIN was tried once and refused, 0 when none was given. */
int p11c_token_problem_login_tried(const p11c_token_problem *p);
/* Why ("wrong PIN for token 'hsm' (CKR_PIN_INCORRECT)"). */
const char *p11c_token_problem_reason(const p11c_token_problem *p);

/* What p11c_cert_list() found: certificates sorted by alias, and the
 * tokens that could not be logged in, one a token in NSS's slot order. */
typedef struct p11c_cert_listing p11c_cert_listing;
size_t p11c_cert_listing_count(const p11c_cert_listing *l);
/* The i-th certificate (NULL past the end); owned by the listing. */
const p11c_cert *p11c_cert_listing_get(const p11c_cert_listing *l, size_t i);
size_t p11c_cert_listing_problem_count(const p11c_cert_listing *l);
/* The i-th token problem (NULL past the end); owned by the listing. */
const p11c_token_problem *p11c_cert_listing_problem(const p11c_cert_listing *l, size_t i);

/* Certificates of one kind (opts NULL: those with a key, every token's),
 * and the tokens that could not be logged in (never tried twice).  A token
 * without a PIN in the password file is not prompted for unless it is
 * opts->token.  Fails only when nothing can be listed: the internal
 * token's password, an unknown opts->token.  *out is the caller's, freed
 * with p11c_cert_listing_free. */
int p11c_cert_list(p11c_db *db, const p11c_list_opts *opts, p11c_cert_listing **out);
/* Free a listing and what it holds; NULL is ignored. */
void p11c_cert_listing_free(p11c_cert_listing *l);

/* One certificate by alias ("TOKEN:alias" for an external token).  When
 * its token cannot be logged in, the certificate still comes back, its key
 * state P11C_KEY_UNKNOWN and p11c_cert_key_note set. */
int p11c_cert_show(p11c_db *db, const char *alias, p11c_cert **out);

/* ---- add-cert's account of a chain ---- */

/* What p11c_cert_add_chain() did with the certificates of the file: one
 * entry a distinct certificate, the alias's first, then the others in the
 * file's order.  The caller frees it with p11c_add_report_free(). */
typedef struct p11c_add_report p11c_add_report;

/* What became of one certificate of the file. */
typedef enum {
	P11C_ADDED_STORED = 0,   /* stored by this call */
	P11C_ADDED_PRESENT = 1,  /* already in the database, left as it was */
	P11C_ADDED_TRUST_SET = 2 /* already in the database; the trust asked was set */
} p11c_added_state;

/* As p11c_cert_add(); on success *out tells each certificate's alias and
 * trust as the database now holds them (the alias's certificate: the
 * alias it answers to), on failure NULL. */
int p11c_cert_add_chain(p11c_db *db, const char *alias, const char *path,
                        const p11c_add_opts *opts, p11c_add_report **out);
/* How many certificates r tells of; 0 for NULL. */
size_t p11c_add_report_count(const p11c_add_report *r);
/* The i-th certificate as stored (read it with p11c_cert_alias(),
 * p11c_cert_trust(), p11c_cert_trust_roles() ...), owned by r; NULL past
 * the end. */
const p11c_cert *p11c_add_report_cert(const p11c_add_report *r, size_t i);
/* What became of the i-th; P11C_ADDED_PRESENT past the end. */
p11c_added_state p11c_add_report_state(const p11c_add_report *r, size_t i);
/* Free a report and the certificates it holds; NULL is ignored. */
void p11c_add_report_free(p11c_add_report *r);

/* ---- sign-request: a small CA of the site's own ---- */

/* Flags of p11c_sign_opts: the extended key usages; at least one. */
enum {
	P11C_SIGN_SERVER_AUTH = 1u << 0, /* serverAuth */
	P11C_SIGN_CLIENT_AUTH = 1u << 1  /* clientAuth */
};

/* Options of p11c_request_sign().  Start from P11C_SIGN_OPTS_INIT. */
typedef struct {
	size_t size;    /* sizeof(p11c_sign_opts), set by the INIT macro */
	int days;       /* validity from now; 0: 365 */
	unsigned flags; /* P11C_SIGN_*; default P11C_SIGN_SERVER_AUTH */
	/* Since 0.4: http or https URLs put into the certificate, NULL none. */
	const char *crl_url;  /* crlDistributionPoints' fullName */
	const char *ocsp_url; /* authorityInfoAccess' OCSP responder */
} p11c_sign_opts;
#define P11C_SIGN_OPTS_INIT                                                                        \
	{                                                                                          \
		.size = sizeof(p11c_sign_opts), .days = 365, .flags = P11C_SIGN_SERVER_AUTH        \
	}

/* Issue a certificate for the PKCS#10 request in path (PEM or DER) with the
 * CA certificate ca_alias, whose key is in the database: the request's
 * signature is checked first; subject and subjectAltName come from the
 * request (its other requested extensions are not copied); a random
 * 128-bit serial.  *pem (malloc'd) is the certificate.  The database is
 * not changed. */
int p11c_request_sign(p11c_db *db, const char *ca_alias, const char *path,
                      const p11c_sign_opts *opts, char **pem);

#ifdef __cplusplus
}
#endif
#endif
