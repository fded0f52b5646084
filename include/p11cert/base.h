/* SPDX-License-Identifier: MPL-2.0 */
/* libp11cert: Status codes, the handle, the last error: what every part of the API uses.
 * Include <p11cert.h>, not this file. */
#ifndef P11CERT_BASE_H
#define P11CERT_BASE_H

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

/* What a certificate is judged for (verify-cert, fetch-chain) or trusted
 * for (export-trust, recorded exports). */
typedef enum {
	P11C_USAGE_TLS_SERVER = 0,
	P11C_USAGE_TLS_CLIENT = 1,
	P11C_USAGE_EMAIL = 2,
	/* verify-cert only: the certificate judged as a CA for that usage */
	P11C_USAGE_TLS_SERVER_CA = 3,
	P11C_USAGE_TLS_CLIENT_CA = 4,
	P11C_USAGE_EMAIL_CA = 5
} p11c_usage;

/* "server", "client", "email", "server-ca", "client-ca", "email-ca" (the
 * words of verify-cert --usage); "unknown" for other values. */
const char *p11c_usage_name(p11c_usage usage);

/* The usage whose p11c_usage_name is name: P11C_OK, or P11C_EUSAGE when
 * no usage has that name. */
int p11c_usage_from_name(const char *name, p11c_usage *out);

/* Called when a token needs a password and the password file has none.
 * Writes a NUL-terminated password of at most size-1 bytes into buf and
 * returns 0, or returns -1 when none can be had. */
typedef int (*p11c_password_fn)(const char *token, char *buf, size_t size, void *arg);

/* Called with one line of detail (which module, slot and token a step
 * uses) when set; for p11cert -v. */
typedef void (*p11c_log_fn)(const char *line, void *arg);
void p11c_db_set_log(p11c_db *db, p11c_log_fn fn, void *arg);

#ifdef __cplusplus
}
#endif
#endif
