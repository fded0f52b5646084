/* SPDX-License-Identifier: MPL-2.0 */
/* libp11cert: Tokens and modules; trust words; token passwords.
 * Include <p11cert.h>, not this file. */
#ifndef P11CERT_TOKEN_H
#define P11CERT_TOKEN_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The label of the token that token (a label, "internal", a pkcs11: URI)
 * names: "internal" for NSS's own; malloc'd.  P11C_ENOTFOUND if none. */
int p11c_token_label(p11c_db *db, const char *token, char **label);

/* ---- list-tokens ---- */

/* A token as list-tokens shows it, read with the p11c_token_* accessors
 * below; owned by the listing it came from. */
typedef struct p11c_token p11c_token;

/* Every token p11c_token_list() found; freed with
 * p11c_token_listing_free(). */
typedef struct p11c_token_listing p11c_token_listing;

/* Why a token's module is loaded. */
typedef enum {
	P11C_LOADED_BY_NONE = 0,     /* no token (a NULL one) */
	P11C_LOADED_BY_NSS = 1,      /* NSS's own (softokn) */
	P11C_LOADED_BY_DATABASE = 2, /* registered in the database (pkcs11.txt) */
	P11C_LOADED_BY_RUN = 3,      /* p11c_db_set_module(), for this run */
	P11C_LOADED_BY_P11KIT = 4    /* its p11-kit module file's enable-in */
} p11c_loaded_by;

/* "nss", "database", "run", "p11-kit" (list-tokens --json's loaded_by);
 * "none" for P11C_LOADED_BY_NONE, "unknown" for other values. */
const char *p11c_loaded_by_name(p11c_loaded_by by);

/* Bits of p11c_token_flags(). */
enum {
	P11C_TOKEN_INTERNAL = 1u << 0,       /* NSS's own (softokn) */
	P11C_TOKEN_LOGIN_REQUIRED = 1u << 1, /* CKF_LOGIN_REQUIRED */
	P11C_TOKEN_INITIALIZED = 1u << 2,    /* CKF_TOKEN_INITIALIZED */
	P11C_TOKEN_REMOVABLE = 1u << 3,      /* its slot's CKF_REMOVABLE_DEVICE */
	P11C_TOKEN_READ_ONLY = 1u << 4       /* CKF_WRITE_PROTECTED */
};

/* Every token of every loaded module: NSS's, the database's, p11-kit's
 * and p11c_db_set_module()'s, in the order NSS holds them.  On failure
 * *out is NULL. */
int p11c_token_list(p11c_db *db, p11c_token_listing **out);

/* How many tokens; 0 for NULL. */
size_t p11c_token_listing_count(const p11c_token_listing *l);

/* The i-th token, or NULL when i is out of range or l is NULL. */
const p11c_token *p11c_token_listing_get(const p11c_token_listing *l, size_t i);

void p11c_token_listing_free(p11c_token_listing *l);

/* A token's fields, owned by its listing; NULL for a NULL token: the
 * module's name and library ("" for NSS's own), the slot's description,
 * the token's label (p11c_token_name, as p11c_token_label() above looks a
 * token up), manufacturer, model and serial number (blank padding cut),
 * and its pkcs11: URI. */
const char *p11c_token_module(const p11c_token *t);
const char *p11c_token_module_path(const p11c_token *t);
const char *p11c_token_slot(const p11c_token *t);
const char *p11c_token_name(const p11c_token *t);
const char *p11c_token_manufacturer(const p11c_token *t);
const char *p11c_token_model(const p11c_token *t);
const char *p11c_token_serial(const p11c_token *t);
const char *p11c_token_uri(const p11c_token *t);

/* P11C_TOKEN_* bits; 0 for NULL. */
unsigned p11c_token_flags(const p11c_token *t);

/* Why its module is loaded; P11C_LOADED_BY_NONE for NULL. */
p11c_loaded_by p11c_token_loaded_by(const p11c_token *t);

/* ---- modules ---- */

/* Register the PKCS#11 module at path in the database as name (as modutil
 * -add does), so NSS-based servers load it too; or drop it. */
int p11c_module_add(p11c_db *db, const char *name, const char *path);
int p11c_module_remove(p11c_db *db, const char *name);

/* Parse --trust (words "server-ca,client-ca,email-ca,code-ca", "peer", or
 * NSS's "CT,C,C") into NSS's trust string (malloc'd).  No database needed. */
int p11c_trust_parse(const char *text, char **nss_form);

/* ---- change-password ---- */

/* Change the password (PIN) of token (NULL or "internal": the internal
 * one) to new_pw (NULL: a random one of 32 characters, which only pwfile
 * will hold, so pwfile is needed then); the old one comes from the password file or the prompt.
 * When pwfile is not NULL, that password file is rewritten (through a
 * temporary file, 0600) with token's lines set to new_pw and the rest
 * kept; it is written before the token changes and put in place after, and
 * a file that cannot be put in place turns the token back. */
int p11c_token_change_password(p11c_db *db, const char *token, const char *new_pw,
                               const char *pwfile);

#ifdef __cplusplus
}
#endif
#endif
