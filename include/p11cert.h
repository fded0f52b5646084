/* SPDX-License-Identifier: MPL-2.0 */
/*
 * libp11cert: a certificate database whose private keys live in NSS's
 * internal token or on an external PKCS#11 token.
 *
 * Every function returns P11C_OK (0) or a negative P11C_E* code; on failure
 * p11c_last_error() tells why, naming the object and the NSS error, and
 * p11c_last_error_code() what kind of failure it was (p11c_errc).  A
 * NULL handle or pointer, an empty name or an out-of-range value is
 * P11C_EUSAGE naming the argument, never a crash.  The library never
 * prints.  Handles are opaque; what a *_new or *_open call
 * gives is freed by the matching *_free.
 */
#ifndef P11CERT_H
#define P11CERT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes; their negation is the p11cert command's exit status. */
enum {
	P11C_OK = 0,
	P11C_EFAIL = -1,     /* the operation failed */
	P11C_EUSAGE = -2,    /* invalid argument (bad option value, bad DN) */
	P11C_ENOTFOUND = -3, /* alias, token, module or file not found */
	P11C_EPASSWORD = -4, /* wrong or missing password or PIN */
	P11C_ETOKEN = -5     /* the token refused (e.g. a non-extractable key) */
};

typedef struct p11c_db p11c_db;

/* Called when a token needs a password and the password file has none.
 * Writes a NUL-terminated password of at most size-1 bytes into buf and
 * returns 0, or returns -1 when none can be had. */
typedef int (*p11c_password_fn)(const char *token, char *buf, size_t size, void *arg);

/* Allocate a handle; nothing is opened yet. */
int p11c_db_new(p11c_db **out);

/* Close the database if open, wipe any password held, free the handle. */
void p11c_db_free(p11c_db *db);

/* The message of the last failure on db ("" if none); valid until the
 * next call on db.  db may be NULL: then the calling thread's last failure
 * that had no handle (a NULL db, p11c_trust_parse ...), else a generic
 * message. */
const char *p11c_last_error(const p11c_db *db);

/* What kind of failure the last one on a handle was: finer than the
 * P11C_E* status (which stays the command's exit class), for a program
 * that acts on it.  p11c_errc_name gives its name ("exists" ...). */
typedef enum {
	P11C_ERR_NONE = 0,       /* no failure yet */
	P11C_ERR_OTHER = 1,      /* none of the below */
	P11C_ERR_USAGE = 2,      /* the call was wrong: NULL, flags, no database open */
	P11C_ERR_INPUT = 3,      /* bad input: malformed file, DN, name or value */
	P11C_ERR_EXISTS = 4,     /* the object is already there (alias, database) */
	P11C_ERR_NOTFOUND = 5,   /* alias, key, token, module, file or database */
	P11C_ERR_NOPASSWORD = 6, /* a password or PIN is needed and none was given */
	P11C_ERR_PASSWORD = 7,   /* wrong password or PIN, or an unsafe password file */
	P11C_ERR_TOKEN = 8,      /* the token refused (non-extractable key, CKR_*) */
	P11C_ERR_IO = 9,         /* reading or writing a file or the network failed */
	P11C_ERR_LEGACY = 10     /* the directory holds only a cert8.db database */
} p11c_errc;

/* The last failure's kind (P11C_ERR_NONE if none; P11C_ERR_USAGE for a
 * NULL db). */
p11c_errc p11c_last_error_code(const p11c_db *db);

/* "none", "other", "usage", "input", "exists", "notfound", "nopassword",
 * "password", "token", "io", "legacy"; "unknown" for other values. */
const char *p11c_errc_name(p11c_errc code);

/* The NSS/NSPR error behind the last failure by name
 * ("SEC_ERROR_BAD_PASSWORD"), or NULL when NSS reported none.  Static. */
const char *p11c_last_error_nss(const p11c_db *db);

/* The PKCS#11 CKR_* value a token answered in the last failure (e.g.
 * CKR_PIN_INCORRECT = 0xa0), or 0 (CKR_OK) when no token answered or
 * NSS did not keep it. */
unsigned long p11c_last_error_ckr(const p11c_db *db);

/* What input the last failure is about, when it is one the caller gave:
 * "subject", "country", "san", "days", "alias", "token", "trust",
 * "certificate", "format", "ca", "request", "extractable", "password" (none given),
 * "password-file" or "database"; else NULL (see libp11cert(3), ERRORS).
 * An application names its own field or option from it. */
const char *p11c_last_error_field(const p11c_db *db);

/* Use the password file at path (sslpassword.conf format, see
 * p11cert-password-file(5)).  Refused when others can read it or another
 * user owns it. */
int p11c_db_set_password_file(p11c_db *db, const char *path);

/* The first line of the file at path as a password (*out malloc'd; the
 * caller wipes and frees it), after the checks password files get. */
int p11c_read_password_file(p11c_db *db, const char *path, char **out);

/* Whether path may be an output file, which p11cert replaces through a
 * temporary file and a rename: P11C_OK when nothing is there or a regular
 * file is; else P11C_EFAIL and *why says what is there ("a symbolic link",
 * "a character device" ...; a static string).  Special files and links are
 * refused, never replaced. */
int p11c_output_path_check(const char *path, const char **why);

/* Fallback when the password file has no entry for a token. */
void p11c_db_set_password_prompt(p11c_db *db, p11c_password_fn fn, void *arg);

/* Called with one line of detail (which module, slot and token a step
 * uses) when set; for p11cert -v. */
typedef void (*p11c_log_fn)(const char *line, void *arg);
void p11c_db_set_log(p11c_db *db, p11c_log_fn fn, void *arg);

/* Called with one line when something went wrong that the call does not
 * fail on: a PKCS#11 module that could not be loaded (its tokens are left
 * out).  Without it, warnings are dropped. */
void p11c_db_set_warning(p11c_db *db, p11c_log_fn fn, void *arg);

/* Load the PKCS#11 module at path for this run too (--module), when the
 * database is opened or generated. */
int p11c_db_set_module(p11c_db *db, const char *path);

enum {
	P11C_OPEN_READONLY = 1,
	P11C_OPEN_NO_P11KIT = 2, /* leave out the modules registered with p11-kit */
	/* no DIR/sslpassword.conf when no password file was set: passwords
	 * come from the prompt function only */
	P11C_OPEN_NO_DEFAULT_PASSWORD_FILE = 4
};

/* Open the database in dir (cert9.db, key4.db, pkcs11.txt). */
int p11c_db_open(p11c_db *db, const char *dir, unsigned flags);

/* The directory of the open database, or NULL. */
const char *p11c_db_dir(const p11c_db *db);

/* Options of p11c_db_generate(). */
typedef struct {
	int default_cert;     /* also make a self-signed Server-Cert */
	const char *hostname; /* its host name; NULL: this machine's */
	const char *token;    /* where the default key goes; NULL: internal */
	int no_p11kit;        /* leave out the modules registered with p11-kit */
} p11c_generate_opts;
#define P11C_GENERATE_OPTS_INIT                                                                    \
	{                                                                                          \
		1, NULL, NULL, 0                                                                   \
	}

/* Create a database in dir (made 0700 if missing) and dir/sslpassword.conf
 * (0600).  The internal token's password is the one the password file set
 * with p11c_db_set_password_file() gives, else a random 32-character one.
 * Refuses a directory that already holds a database or a password file.
 * On failure nothing is left behind.  On success db is open read-write. */
int p11c_db_generate(p11c_db *db, const char *dir, const p11c_generate_opts *opts);

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

/* export-cert: key, certificate and chain of alias as PKCS#12 at path
 * (0600 from creation): AES-256-CBC with PBKDF2-HMAC-SHA256 and a SHA-256
 * MAC, or with compat 3DES and a SHA-1 MAC for old clients.  A key that
 * may not leave its token is P11C_ETOKEN; nothing is left behind. */
int p11c_export_p12(p11c_db *db, const char *alias, const char *password, int compat,
                    const char *path);

/* The certificate of alias (with chain, its issuers as far as the
 * database knows them), PEM or (without chain) DER; *out malloc'd. */
int p11c_export_certs(p11c_db *db, const char *alias, int chain, int pem, unsigned char **out,
                      size_t *len);

/* The private key of alias as unencrypted PKCS#8 PEM at path (0600). */
int p11c_export_key(p11c_db *db, const char *alias, const char *path);

/* Options of the imports. */
typedef struct {
	const char *alias;     /* NULL: the file's friendly name, else the CN */
	const char *token;     /* where the key goes; NULL: internal */
	int extractable;       /* a key on an external token may leave it */
	int trust_self_signed; /* import-selfsign-cert: trust it CT,, */
} p11c_import_opts;
#define P11C_IMPORT_OPTS_INIT                                                                      \
	{                                                                                          \
		NULL, NULL, 0, 0                                                                   \
	}

/* import-cert: the key, certificate and chain of the PKCS#12 file at path
 * (openssl, pk12util, keytool, Windows).  A wrong password is
 * P11C_EPASSWORD.  All or nothing; *alias_out (malloc'd; may be NULL)
 * names what was imported. */
int p11c_import_p12(p11c_db *db, const char *path, const char *password,
                    const p11c_import_opts *opts, char **alias_out);

/* import-cert --key --cert: a PEM private key (PKCS#1, SEC1, PKCS#8,
 * encrypted PKCS#8; key_password for an encrypted one, else NULL) and the
 * PEM or DER certificate file, which may hold the chain (certbot's
 * fullchain.pem).  A key that matches no certificate there is refused.
 * All or nothing; *alias_out as for p11c_import_p12. */
int p11c_import_pem(p11c_db *db, const char *key_path, const char *cert_path,
                    const char *key_password, const p11c_import_opts *opts, char **alias_out);

/* Whether the PEM key file at path is encrypted (needs a password). */
int p11c_key_file_encrypted(p11c_db *db, const char *path, int *encrypted);

/* Remove alias and, unless keep_key, its private key. */
int p11c_cert_remove(p11c_db *db, const char *alias, int keep_key);

/* What the library knows of a certificate.  Strings are NUL-terminated
 * and owned by the info. */
typedef struct {
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
} p11c_cert_info;

enum {
	P11C_LIST_KEYS = 0, /* certificates with a private key */
	P11C_LIST_CA = 1,   /* trusted CAs */
	P11C_LIST_ALL = 2   /* all */
};

/* Certificates of one kind, sorted by alias.  A token that could not be
 * logged in is not reported (see p11c_cert_listing_get); a wrong PIN in
 * the password file fails the call, as it always did. */
int p11c_cert_list(p11c_db *db, int which, p11c_cert_info ***out, size_t *n);
void p11c_cert_list_free(p11c_cert_info **list, size_t n);

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
	p11c_cert_info **certs; /* sorted by alias */
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
int p11c_cert_show(p11c_db *db, const char *alias, p11c_cert_info **out);
void p11c_cert_info_free(p11c_cert_info *info);

/* A token as list-tokens shows it. */
typedef struct {
	char *module;      /* the module's name */
	char *module_path; /* its library, or "" for NSS's own */
	char *slot;        /* the slot's description */
	char *label, *manufacturer, *model, *serial;
	char *uri;    /* the token's pkcs11: URI */
	int internal; /* NSS's own (softokn) */
	int login_required, initialized, removable, read_only;
	const char *loaded_by; /* why its module is loaded: "nss", "database"
	                          (pkcs11.txt), "run" (p11c_db_set_module),
	                          "p11-kit" (its module file's enable-in) */
} p11c_token_info;

/* The label of the token that token (a label, "internal", a pkcs11: URI)
 * names: "internal" for NSS's own; malloc'd.  P11C_ENOTFOUND if none. */
int p11c_token_label(p11c_db *db, const char *token, char **label);

/* Every token of every loaded module: NSS's, the database's, p11-kit's
 * and --module's. */
int p11c_token_list(p11c_db *db, p11c_token_info ***out, size_t *n);
void p11c_token_list_free(p11c_token_info **list, size_t n);

/* Register the PKCS#11 module at path in the database as name (as modutil
 * -add does), so NSS-based servers load it too; or drop it. */
int p11c_module_add(p11c_db *db, const char *name, const char *path);
int p11c_module_remove(p11c_db *db, const char *name);

/* Parse --trust (words "server-ca,client-ca,email-ca,code-ca", "peer", or
 * NSS's "CT,C,C") into NSS's trust string (malloc'd).  No database needed. */
int p11c_trust_parse(const char *text, char **nss_form);

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
	p11c_cert_info **certs; /* leaf first */
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

enum { P11C_USAGE_TLS_SERVER = 0, P11C_USAGE_TLS_CLIENT = 1, P11C_USAGE_EMAIL = 2 };
/* verify-cert only: the certificate judged as a CA for that usage */
enum { P11C_USAGE_TLS_SERVER_CA = 3, P11C_USAGE_TLS_CLIENT_CA = 4, P11C_USAGE_EMAIL_CA = 5 };

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

/* ---- check: the database's health, for cron and monitoring ---- */

typedef struct {
	char *alias;    /* the certificate's alias, the key's name, or a file */
	char *severity; /* "warning" or "problem" */
	char *code;     /* "expired", "expiring", "weak-key", "weak-signature",
	                   "no-key", "orphan-key", "chain", "login",
	                   "password-file", "interrupted-write", "journal",
	                   "duplicate-alias", "token-defect",
	                   "stale-export" (sync-exports) */
	char *message;  /* one line */
} p11c_finding;

typedef struct {
	int days;                  /* "expiring" within this many days; 0: 30 */
	const char *password_file; /* judged for safety when not NULL */
} p11c_check_opts;
#define P11C_CHECK_OPTS_INIT                                                                       \
	{                                                                                          \
		0, NULL                                                                            \
	}

enum { P11C_CHECK_OK = 0, P11C_CHECK_WARNING = 1, P11C_CHECK_PROBLEM = 2 };

/* Look the database over: certificates with keys, trusted CAs and peers
 * expired or expiring, weak keys (RSA or DSA under 2048 bits, EC under
 * 256) and signatures (MD2, MD5: problems; SHA-1: warnings), certificates
 * without their keys, keys without certificates, chains of the database's
 * own CA-issued certificates that do not verify, an unsafe password
 * file, and RSA keys of the database's own on a token whose known defect
 * keeps NSS servers from using them ("token-defect").  *status is the
 * worst severity (P11C_CHECK_*). */
int p11c_check(p11c_db *db, const p11c_check_opts *opts, p11c_finding **out, size_t *n,
               int *status);
void p11c_findings_free(p11c_finding *f, size_t n);

/* ---- change-password ---- */

/* Change the password (PIN) of token (NULL or "internal": the internal
 * one) to new_pw (NULL: a random one of 32 characters, which only pwfile
 * will hold, so pwfile is needed then); the old one comes from the password file or the prompt.
 * When pwfile is not NULL, that password file is rewritten (through a
 * temporary file, 0600) with token's lines set to new_pw and the rest
 * kept; it is written before the token changes and put in place after, and
 * a file that cannot be put in place turns the token back. */
int p11c_change_password(p11c_db *db, const char *token, const char *new_pw, const char *pwfile);

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

/* ---- export-trust: the trusted CAs for programs that do not read NSS ---- */

/* The certificates trusted for usage (P11C_USAGE_TLS_SERVER, _TLS_CLIENT,
 * _EMAIL): CAs trusted to issue for it, and peers trusted for it ("P"),
 * sorted by alias.  pkcs12 == 0: one PEM bundle (a "# alias" and a
 * "# subject" line before each); pkcs12 != 0: a truststore of
 * trustedCertEntry entries under password (PBES2 AES-256, SHA-256 MAC, as
 * keytool writes).  *out malloc'd; *count: how many certificates. */
int p11c_export_trust(p11c_db *db, int usage, int pkcs12, const char *password, unsigned char **out,
                      size_t *len, size_t *count);

/* ---- upgrade-certdb: msgcert-era databases ---- */

typedef struct {
	size_t certs[2]; /* before, after */
	size_t keys[2];
	size_t trusted[2]; /* certificates with trust flags */
	size_t modules[2]; /* external PKCS#11 modules registered */
	char *backup_dir;  /* where the legacy files are kept (malloc'd) */
	int password_file; /* 1: the password file got the internal password
	                      under the name it lacked ("NSS Certificate DB" for
	                      NSS's tools); -1: that could not be written */
} p11c_upgrade_report;

/* Convert the legacy database in dir (cert8.db, key3.db, secmod.db) to
 * cert9.db, key4.db and pkcs11.txt: NSS migrates it, then every
 * certificate, its trust, every key and every module is compared before
 * and after (keys read back with the legacy files out of the way); the
 * legacy files go to dir/legacy-YYYYMMDD-HHMMSS.  On any difference the
 * new files go, the legacy files come back, and it fails.  The handle
 * must not have a database open; it has none open afterwards.  The
 * internal token's password comes from the password file or the prompt.
 * Free r->backup_dir. */
int p11c_upgrade_certdb(p11c_db *db, const char *dir, p11c_upgrade_report *r);

/* ---- sync-exports: exports kept in step with the database ---- */

enum { P11C_EXPORT_TRUST, P11C_EXPORT_CERT, P11C_EXPORT_KEY };
enum { P11C_EXPORT_PEM, P11C_EXPORT_DER, P11C_EXPORT_PKCS12 };

/* A file export-trust or export-cert wrote (no secret: a PKCS#12 file's
 * password is never recorded, only where it was read from). */
typedef struct {
	size_t size;                   /* sizeof(p11c_export_record) */
	int kind;                      /* P11C_EXPORT_TRUST, _CERT, _KEY (--key-out) */
	int format;                    /* P11C_EXPORT_PEM, _DER, _PKCS12; a key is PEM */
	int usage;                     /* trust: P11C_USAGE_TLS_SERVER, _TLS_CLIENT, _EMAIL */
	int chain;                     /* cert, PEM: with its issuers */
	int compat;                    /* cert, PKCS#12: the compat profile */
	const char *path;              /* the file written */
	const char *alias;             /* cert, key: as the library names it */
	const char *key_out;           /* cert: the key file written with it */
	const char *p12_password_file; /* PKCS#12: the password's file, or NULL */
} p11c_export_record;
#define P11C_EXPORT_RECORD_INIT                                                                    \
	{                                                                                          \
		sizeof(p11c_export_record), 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL                  \
	}

/* Record (or record again) the export just written at e->path in
 * DIR/p11cert-exports (mode 0600, through a temporary file): its options
 * with absolute paths and the SHA-256 of the file (PKCS#12: of the PEM of
 * the certificates it holds, its bytes differing every time). */
int p11c_export_record_add(p11c_db *db, const p11c_export_record *e);

enum {
	P11C_EXPORT_CURRENT,        /* the file holds what the database would write */
	P11C_EXPORT_STALE,          /* it differs */
	P11C_EXPORT_MISSING,        /* it is not there */
	P11C_EXPORT_NEEDS_PASSWORD, /* stale or missing PKCS#12, no password file recorded */
	P11C_EXPORT_FAILED          /* it could not be judged or written (message) */
};
typedef struct {
	char *path;
	char *command; /* the export as p11cert's arguments */
	int state;     /* P11C_EXPORT_* */
	int rewritten; /* written again (stale or missing, not dry_run) */
	char *message; /* why it is not current, or NULL */
} p11c_export_status;

/* Judge every recorded export against what the database would write now;
 * unless dry_run, write the stale and missing ones again (through a
 * temporary beside them, mode and owner kept; PKCS#12 only when the
 * certificates it holds changed, or it is missing, with the password from
 * its recorded password file).  No record: *n is 0.  A record file that
 * is not one p11cert wrote (mode, owner, size, lines) fails whole and
 * nothing is written.  Free *out with p11c_export_status_free. */
int p11c_exports_sync(p11c_db *db, int dry_run, p11c_export_status **out, size_t *n);
void p11c_export_status_free(p11c_export_status *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif
