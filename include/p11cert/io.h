/* SPDX-License-Identifier: MPL-2.0 */
/* libp11cert: Moving certificates and keys in and out: PKCS#12, PEM, trust bundles, recorded exports.
 * Include <p11cert.h>, not this file. */
#ifndef P11CERT_IO_H
#define P11CERT_IO_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of p11c_cert_export_p12(). */
enum {
	P11C_P12_COMPAT = 1u << 0 /* 3DES and a SHA-1 MAC, for old clients */
};

/* export-cert: key, certificate and chain of alias as PKCS#12 at path
 * (0600 from creation): AES-256-CBC with PBKDF2-HMAC-SHA256 and a SHA-256
 * MAC, or with P11C_P12_COMPAT 3DES and a SHA-1 MAC for old clients.  A
 * key that may not leave its token is P11C_ETOKEN; nothing is left
 * behind. */
int p11c_cert_export_p12(p11c_db *db, const char *alias, const char *password, unsigned flags,
                         const char *path);

/* Flags of p11c_cert_export(). */
enum {
	P11C_CERT_EXPORT_CHAIN = 1u << 0, /* its issuers too (PEM only) */
	P11C_CERT_EXPORT_PEM = 1u << 1    /* PEM, else DER */
};

/* The certificate of alias (with P11C_CERT_EXPORT_CHAIN, its issuers as
 * far as the database knows them), PEM or (without the chain) DER; *out
 * malloc'd.  A chain without PEM is P11C_EUSAGE. */
int p11c_cert_export(p11c_db *db, const char *alias, unsigned flags, unsigned char **out,
                     size_t *len);

/* The private key of alias as unencrypted PKCS#8 PEM at path (0600). */
int p11c_key_export(p11c_db *db, const char *alias, const char *path);

/* Flags of p11c_import_opts. */
enum {
	P11C_IMPORT_EXTRACTABLE = 1u << 0,      /* a key on an external token may leave it */
	P11C_IMPORT_TRUST_SELF_SIGNED = 1u << 1 /* import-selfsign-cert: trust it CT,, */
};

/* Options of the imports. */
typedef struct {
	size_t size;       /* sizeof(p11c_import_opts), set by P11C_IMPORT_OPTS_INIT */
	const char *alias; /* NULL: the file's friendly name, else the CN */
	const char *token; /* where the key goes; NULL: internal */
	unsigned flags;    /* P11C_IMPORT_EXTRACTABLE, P11C_IMPORT_TRUST_SELF_SIGNED */
} p11c_import_opts;
#define P11C_IMPORT_OPTS_INIT                                                                      \
	{                                                                                          \
		.size = sizeof(p11c_import_opts), .alias = NULL, .token = NULL, .flags = 0         \
	}

/* import-cert: the key, certificate and chain of the PKCS#12 file at path
 * (openssl, pk12util, keytool, Windows).  A wrong password is
 * P11C_EPASSWORD.  All or nothing; *alias_out (malloc'd; may be NULL)
 * names what was imported. */
int p11c_p12_import(p11c_db *db, const char *path, const char *password,
                    const p11c_import_opts *opts, char **alias_out);

/* import-cert --key --cert: a PEM private key (PKCS#1, SEC1, PKCS#8,
 * encrypted PKCS#8; key_password for an encrypted one, else NULL) and the
 * PEM or DER certificate file, which may hold the chain (certbot's
 * fullchain.pem).  A key that matches no certificate there is refused.
 * All or nothing; *alias_out as for p11c_p12_import. */
int p11c_pem_import(p11c_db *db, const char *key_path, const char *cert_path,
                    const char *key_password, const p11c_import_opts *opts, char **alias_out);

/* Whether the PEM key file at path is encrypted (needs a password). */
int p11c_key_file_is_encrypted(p11c_db *db, const char *path, int *encrypted);

/* ---- export-trust: the trusted CAs for programs that do not read NSS ---- */

typedef enum {
	P11C_TRUST_FORMAT_PEM = 0,   /* one PEM bundle */
	P11C_TRUST_FORMAT_PKCS12 = 1 /* a Java truststore */
} p11c_trust_format;

/* "pem", "pkcs12" (export-trust --format); "unknown" for other values. */
const char *p11c_trust_format_name(p11c_trust_format format);

/* The certificates trusted for usage (P11C_USAGE_TLS_SERVER, _TLS_CLIENT,
 * _EMAIL): CAs trusted to issue for it, and peers trusted for it ("P"),
 * sorted by alias.  P11C_TRUST_FORMAT_PEM: one PEM bundle (a "# alias"
 * and a "# subject" line before each); P11C_TRUST_FORMAT_PKCS12: a
 * truststore of trustedCertEntry entries under password (PBES2 AES-256,
 * SHA-256 MAC, as keytool writes).  *out malloc'd; *count: how many
 * certificates. */
int p11c_trust_export(p11c_db *db, p11c_usage usage, p11c_trust_format format, const char *password,
                      unsigned char **out, size_t *len, size_t *count);

/* ---- sync-exports: exports kept in step with the database ---- */

/* What a recorded export wrote. */
typedef enum {
	P11C_EXPORT_TRUST = 0, /* export-trust's file */
	P11C_EXPORT_CERT = 1,  /* export-cert's -o file */
	P11C_EXPORT_KEY = 2    /* export-cert's --key-out file */
} p11c_export_kind;

/* "trust", "cert", "key"; "unknown" for other values. */
const char *p11c_export_kind_name(p11c_export_kind kind);

typedef enum {
	P11C_EXPORT_PEM = 0,
	P11C_EXPORT_DER = 1,
	P11C_EXPORT_PKCS12 = 2
} p11c_export_format;

/* "pem", "der", "pkcs12"; "unknown" for other values. */
const char *p11c_export_format_name(p11c_export_format format);

/* Flags of p11c_export_record. */
enum {
	P11C_EXPORT_RECORD_CHAIN = 1u << 0, /* cert, PEM: with its issuers */
	P11C_EXPORT_RECORD_COMPAT = 1u << 1 /* cert, PKCS#12: the compat profile */
};

/* A file export-trust or export-cert wrote (no secret: a PKCS#12 file's
 * password is never recorded, only where it was read from). */
typedef struct {
	size_t size;                   /* sizeof(p11c_export_record), set by the macro */
	p11c_export_kind kind;         /* P11C_EXPORT_TRUST, _CERT, _KEY (--key-out) */
	p11c_export_format format;     /* P11C_EXPORT_PEM, _DER, _PKCS12; a key is PEM */
	p11c_usage usage;              /* trust: P11C_USAGE_TLS_SERVER, _TLS_CLIENT, _EMAIL */
	unsigned flags;                /* P11C_EXPORT_RECORD_CHAIN, _COMPAT */
	const char *path;              /* the file written */
	const char *alias;             /* cert, key: as the library names it */
	const char *key_out;           /* cert: the key file written with it */
	const char *p12_password_file; /* PKCS#12: the password's file, or NULL */
} p11c_export_record;
#define P11C_EXPORT_RECORD_INIT                                                                    \
	{                                                                                          \
		.size = sizeof(p11c_export_record), .kind = P11C_EXPORT_TRUST,                     \
		.format = P11C_EXPORT_PEM, .usage = P11C_USAGE_TLS_SERVER, .flags = 0,             \
		.path = NULL, .alias = NULL, .key_out = NULL, .p12_password_file = NULL            \
	}

/* Record (or record again) the export just written at e->path in
 * DIR/p11cert-exports (mode 0600, through a temporary file): its options
 * with absolute paths and the SHA-256 of the file (PKCS#12: of the PEM of
 * the certificates it holds, its bytes differing every time). */
int p11c_export_record_add(p11c_db *db, const p11c_export_record *e);

/* How a recorded export stands against the database. */
typedef enum {
	P11C_EXPORT_STATE_NONE = 0,     /* no status (a NULL one) */
	P11C_EXPORT_CURRENT = 1,        /* the file holds what the database would write */
	P11C_EXPORT_STALE = 2,          /* it differs */
	P11C_EXPORT_MISSING = 3,        /* it is not there */
	P11C_EXPORT_NEEDS_PASSWORD = 4, /* stale or missing PKCS#12, no password file recorded */
	P11C_EXPORT_FAILED = 5          /* it could not be judged or written (message) */
} p11c_export_state;

/* "none", "current", "stale", "missing", "needs-password", "failed" (the
 * words of sync-exports --json); "unknown" for other values. */
const char *p11c_export_state_name(p11c_export_state state);

/* What p11c_export_sync() found: one status a recorded export. */
typedef struct p11c_export_report p11c_export_report;
typedef struct p11c_export_status p11c_export_status;

/* Flags of p11c_export_sync(). */
enum {
	P11C_SYNC_DRY_RUN = 1u << 0 /* judge only, write nothing */
};

/* Judge every recorded export against what the database would write now;
 * unless P11C_SYNC_DRY_RUN, write the stale and missing ones again
 * (through a temporary beside them, mode and owner kept; PKCS#12 only
 * when the certificates it holds changed, or it is missing, with the
 * password from its recorded password file).  No record: a report of no
 * status.  A record file that is not one p11cert wrote (mode, owner,
 * size, lines) fails whole and nothing is written.  Free *out with
 * p11c_export_report_free. */
int p11c_export_sync(p11c_db *db, unsigned flags, p11c_export_report **out);

/* How many statuses the report holds (0 for NULL). */
size_t p11c_export_report_count(const p11c_export_report *report);

/* The i-th status, in the record's order; NULL when i is out of range. */
const p11c_export_status *p11c_export_report_get(const p11c_export_report *report, size_t i);

/* Free a report and its statuses; accepts NULL. */
void p11c_export_report_free(p11c_export_report *report);

/* The file recorded (absolute). */
const char *p11c_export_status_path(const p11c_export_status *s);

/* The export as p11cert's arguments ("export-trust --usage server ..."). */
const char *p11c_export_status_command(const p11c_export_status *s);

/* How it stands (P11C_EXPORT_STATE_NONE for NULL). */
p11c_export_state p11c_export_status_state(const p11c_export_status *s);

/* 1 when it was written again (stale or missing, not a dry run), else 0. */
int p11c_export_status_rewritten(const p11c_export_status *s);

/* Why it is not current, or NULL. */
const char *p11c_export_status_message(const p11c_export_status *s);

#ifdef __cplusplus
}
#endif
#endif
