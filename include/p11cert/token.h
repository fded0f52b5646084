/* SPDX-License-Identifier: MPL-2.0 */
/* libp11cert: Tokens and modules; trust words; token passwords.
 * Include <p11cert.h>, not this file. */
#ifndef P11CERT_TOKEN_H
#define P11CERT_TOKEN_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

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
