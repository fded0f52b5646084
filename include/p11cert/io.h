/* SPDX-License-Identifier: MPL-2.0 */
/* libp11cert: Moving certificates and keys in and out: PKCS#12, PEM, trust bundles, recorded exports.
 * Include <p11cert.h>, not this file. */
#ifndef P11CERT_IO_H
#define P11CERT_IO_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

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

/* ---- export-trust: the trusted CAs for programs that do not read NSS ---- */

/* The certificates trusted for usage (P11C_USAGE_TLS_SERVER, _TLS_CLIENT,
 * _EMAIL): CAs trusted to issue for it, and peers trusted for it ("P"),
 * sorted by alias.  pkcs12 == 0: one PEM bundle (a "# alias" and a
 * "# subject" line before each); pkcs12 != 0: a truststore of
 * trustedCertEntry entries under password (PBES2 AES-256, SHA-256 MAC, as
 * keytool writes).  *out malloc'd; *count: how many certificates. */
int p11c_export_trust(p11c_db *db, int usage, int pkcs12, const char *password, unsigned char **out,
                      size_t *len, size_t *count);

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
