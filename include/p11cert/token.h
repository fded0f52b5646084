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

/* ---- init-token, fixture ---- */

/* Flags of p11c_token_init(). */
enum {
	P11C_TOKEN_INIT_FORCE = 1u << 0 /* initialise again a token that already is */
};

/* init-token: initialise a token of the PKCS#11 module at path through
 * the module itself: C_InitToken with so_pin and label, then C_InitPIN
 * with pin (the security officer logged in).  The token is the one
 * labelled label (already initialised: refused unless
 * P11C_TOKEN_INIT_FORCE, and then so_pin must be its SO PIN), else the
 * first one that is not initialised.  The module is tried in a child
 * first, then loaded, used and finalised within the call: call it before
 * a handle loads the same module.  db needs no database open. */
int p11c_token_init(p11c_db *db, const char *path, const char *label, const char *so_pin,
                    const char *pin, unsigned flags);

/* Options of p11c_fixture_create().  Start from P11C_FIXTURE_OPTS_INIT. */
typedef struct {
	size_t size;          /* sizeof(p11c_fixture_opts), set by the INIT macro */
	const char *host;     /* the server certificate's host name (CN and DNS SAN) */
	const char *san;      /* more SANs, as p11c_selfsign_opts.san; or NULL */
	const char *key_type; /* the server key's type, default rsa:2048 */
	const char *label;    /* the token's label, default "fixture" */
	const char *client;   /* a client certificate's CN, or NULL for none */
	const char *module;   /* SoftHSM2's module, default /usr/lib/softhsm/libsofthsm2.so */
} p11c_fixture_opts;
#define P11C_FIXTURE_OPTS_INIT                                                                     \
	{                                                                                          \
		.size = sizeof(p11c_fixture_opts), .key_type = "rsa:2048", .label = "fixture"     \
	}

/* fixture: in dir (made 0700; one that exists must be empty) a
 * throwaway HSM with a server identity: dir/softhsm2.conf and
 * dir/tokens (SoftHSM2's own store; SOFTHSM2_CONF is set to it in this
 * process's environment), a token initialised with random PINs
 * (dir/so-pin, dir/pin, 0600), a database dir/db whose password file
 * holds its password and the token's PIN and which registers the module
 * as "softhsm2", a CA "fixture-ca" (internal key), a certificate
 * "LABEL:server" for opts->host issued by it with its key on the token
 * (sensitive, not extractable), optionally one "client" for
 * opts->client (internal key, client usage), and the files a test needs:
 * dir/ca.pem, dir/server-chain.pem, dir/trust.pem (the trusted CAs),
 * dir/client.p12 with its password in dir/client.p12.pw (0600).  db must
 * be a fresh handle (no database open; p11c_db_set_module() not called);
 * on success the database is open in it.  On failure what was made in dir
 * is left for the caller's rm -rf. */
int p11c_fixture_create(p11c_db *db, const char *dir, const p11c_fixture_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
