/* SPDX-License-Identifier: MPL-2.0 */
/* libp11cert: Opening, generating and upgrading a database; its password file and modules.
 * Include <p11cert.h>, not this file. */
#ifndef P11CERT_DB_H
#define P11CERT_DB_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Use the password file at path (sslpassword.conf format, see
 * p11cert-password-file(5)).  Refused when others can read it or another
 * user owns it. */
int p11c_db_set_password_file(p11c_db *db, const char *path);

/* The first line of the file at path as a password (*out malloc'd; the
 * caller wipes and frees it), after the checks password files get. */
int p11c_password_file_read(p11c_db *db, const char *path, char **out);

/* Whether path may be an output file, which p11cert replaces through a
 * temporary file and a rename: P11C_OK when nothing is there or a regular
 * file is; else P11C_EFAIL and *why says what is there ("a symbolic link",
 * "a character device" ...; a static string).  Special files and links are
 * refused, never replaced. */
int p11c_output_path_check(const char *path, const char **why);

/* Write len bytes of data to path whole or not at all, as the library
 * writes its own output files: a temporary file beside it made with mode
 * (0644 or 0600) and given exactly that mode, fsync'd, renamed over path,
 * its directory fsync'd; a path p11c_output_path_check refuses is left as
 * it is.  On failure the old file is untouched and no temporary is left.
 * For a program's own outputs (p11cert's -o). */
int p11c_file_write(p11c_db *db, const char *path, const void *data, size_t len, unsigned mode);

/* Fallback when the password file has no entry for a token. */
void p11c_db_set_password_prompt(p11c_db *db, p11c_password_fn fn, void *arg);

/* Called with one line when something went wrong that the call does not
 * fail on: a PKCS#11 module that could not be loaded (its tokens are left
 * out).  Without it, warnings are dropped. */
void p11c_db_set_warning(p11c_db *db, p11c_log_fn fn, void *arg);

/* Called as long work goes on (adding a bundle, check): what is being done ("adding certificates"), how
 * many items of total are done (total 0: not known), about ten times a
 * second at most, and always once with done == total at the end of the
 * step.  For a progress display; without it, nothing is reported. */
typedef void (*p11c_progress_fn)(const char *what, size_t done, size_t total, void *arg);
void p11c_db_set_progress(p11c_db *db, p11c_progress_fn fn, void *arg);

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

/* Options of p11c_db_generate(): set them from P11C_GENERATE_OPTS_INIT,
 * then change what differs.  size is the struct's, so that fields added
 * later are left at their defaults for a program built before them. */
typedef struct {
	size_t size;
	unsigned flags;       /* P11C_GENERATE_*; 0: a Server-Cert too, with p11-kit */
	const char *hostname; /* the Server-Cert's host name; NULL: this machine's */
	const char *token;    /* where its key goes; NULL: the internal token */
} p11c_generate_opts;

enum {
	P11C_GENERATE_NO_DEFAULT_CERT = 1u << 0, /* no self-signed Server-Cert */
	P11C_GENERATE_NO_P11KIT = 1u << 1        /* leave out the modules registered with p11-kit */
};

#define P11C_GENERATE_OPTS_INIT                                                                    \
	{                                                                                          \
		.size = sizeof(p11c_generate_opts), .flags = 0, .hostname = NULL, .token = NULL    \
	}

/* Create a database in dir (made 0700 if missing) and dir/sslpassword.conf
 * (0600).  The internal token's password is the one the password file set
 * with p11c_db_set_password_file() gives, else a random 32-character one
 * (also when that file gives only opts->token's PIN).  Refuses a directory
 * that already holds a database or a password file.  Unless
 * P11C_GENERATE_NO_DEFAULT_CERT, also a self-signed certificate
 * "Server-Cert" for opts->hostname, its key on opts->token: that token's
 * PIN (the password file, else the prompt function) is tried before
 * anything is made, and joins dir/sslpassword.conf.  opts NULL: the
 * defaults.  On failure nothing is left behind, in dir or on the token.
 * On success db is open read-write. */
int p11c_db_generate(p11c_db *db, const char *dir, const p11c_generate_opts *opts);

/* ---- upgrade-certdb: msgcert-era databases ---- */

/* What p11c_db_upgrade() found and did; freed with
 * p11c_upgrade_report_free(). */
typedef struct p11c_upgrade_report p11c_upgrade_report;

/* What the upgrade counted, before and after. */
typedef enum {
	P11C_UPGRADE_CERTS = 0,
	P11C_UPGRADE_KEYS = 1,
	P11C_UPGRADE_TRUSTED = 2, /* certificates with trust flags */
	P11C_UPGRADE_MODULES = 3  /* external PKCS#11 modules registered */
} p11c_upgrade_item;

/* What became of the password file: msgcert's names the internal token
 * one way, NSS's tools read the other, so the upgrade adds the name it
 * lacks ("NSS Certificate DB" for certutil -f). */
typedef enum {
	P11C_UPGRADE_PWFILE_UNCHANGED = 0, /* it had both names, or the password was prompted for */
	P11C_UPGRADE_PWFILE_WRITTEN = 1,   /* it got the internal password under the other */
	P11C_UPGRADE_PWFILE_FAILED = -1    /* that could not be written (p11c_last_error) */
} p11c_upgrade_password_file;

/* Convert the legacy database in dir (cert8.db, key3.db, secmod.db) to
 * cert9.db, key4.db and pkcs11.txt: NSS migrates it, then every
 * certificate, its trust, every key and every module is compared before
 * and after (keys read back with the legacy files out of the way); the
 * legacy files go to dir/legacy-YYYYMMDD-HHMMSS.  On any difference the
 * new files go, the legacy files come back, and it fails.  The handle
 * must not have a database open; it has none open afterwards.  The
 * internal token's password comes from the password file or the prompt.
 * On success *out is the report (the caller frees it); on failure NULL. */
int p11c_db_upgrade(p11c_db *db, const char *dir, p11c_upgrade_report **out);

/* The count of item before the upgrade (the legacy files) and after it
 * (the new files, read back); 0 for a NULL report or an unknown item. */
size_t p11c_upgrade_report_before(const p11c_upgrade_report *r, p11c_upgrade_item item);
size_t p11c_upgrade_report_after(const p11c_upgrade_report *r, p11c_upgrade_item item);

/* The directory that keeps the legacy files, owned by r; NULL for NULL. */
const char *p11c_upgrade_report_backup_dir(const p11c_upgrade_report *r);

/* What became of the password file; P11C_UPGRADE_PWFILE_UNCHANGED for
 * NULL. */
p11c_upgrade_password_file p11c_upgrade_report_password_file(const p11c_upgrade_report *r);

void p11c_upgrade_report_free(p11c_upgrade_report *r);

#ifdef __cplusplus
}
#endif
#endif
