/* SPDX-License-Identifier: MPL-2.0 */
/* libp11cert's private declarations, shared by its files and its tests. */
#ifndef P11C_INTERNAL_H
#define P11C_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include "args.h"
#include "p11cert.h"
#include "vec.h"

/* Not part of the ABI: libp11cert exports only the API in p11cert.h. */
#pragma GCC visibility push(hidden)

#define P11C_INTERNAL_NAME "Internal (Software) Token"
#define P11C_NSS_INTERNAL_NAME "NSS Certificate DB"
#define P11C_PWFILE_NAME "sslpassword.conf"
#define P11C_PW_MAX 1024

/* A field of an options struct whose first member is its size: the
 * caller's value when its struct is big enough to hold the field, else
 * def (a caller built against an older, smaller struct).  opts may be
 * NULL: def. */
#define P11C_OPT(opts, field, def)                                                                 \
	((opts) && (opts)->size >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field)    \
	     ? (opts)->field                                                                       \
	     : (def))

/* ---- password file (pwfile.c) ---- */
typedef struct {
	char *token; /* text before the first ':', or NULL */
	char *pw;    /* text after the first ':', or NULL */
	char *line;  /* the whole line */
} p11c_pw_entry;

typedef struct {
	p11c_pw_entry *e;
	size_t n;
} p11c_pwfile;

/* Parse a password file's text; NULL and a message in err on failure. */
p11c_pwfile *p11c_pwfile_parse(const char *text, size_t len, char *err, size_t errlen);
/* The password for token, or NULL.  internal: token is the internal one.
 * known: NULL-terminated labels of the tokens there are, so that a line
 * "x:y" whose x names none of them is read as a bare internal password. */
const char *p11c_pwfile_lookup(const p11c_pwfile *f, const char *token, int internal,
                               const char *const *known);
void p11c_pwfile_free(p11c_pwfile *f);
/* The text of a password file with token's lines (internal: both names'
 * lines and a bare one; else "label:") set to pw, the rest as it was;
 * lines added when none was there.  malloc'd, NULL when out of memory. */
char *p11c_pwfile_replace(const char *text, size_t len, const char *label, int internal,
                          const char *const *known, const char *pw);
/* Read path after checking it is a regular file, ours, not group/other
 * accessible and not too big; NUL-terminated, wiped by the caller. */
int p11c_secret_file_read(p11c_db *db, const char *path, char **out, size_t *len);
/* Write the internal token's password as both names' lines, and a token's
 * "LABEL:PIN" line when label is not NULL; 0600 from creation, through a
 * temporary file and rename. */
int p11c_pwfile_write(p11c_db *db, const char *path, const char *pw, const char *label,
                      const char *pin);

/* ---- names, SANs, trust, key types (names.c) ---- */
/* The first versions of the options structs of cert.h: the bytes a
 * caller's size must cover. */
#define P11C_DN_FIELDS_V1 (offsetof(p11c_dn_fields, c) + sizeof(const char *))
#define P11C_SELFSIGN_OPTS_V1 (offsetof(p11c_selfsign_opts, flags) + sizeof(unsigned))
enum { P11C_SAN_DNS, P11C_SAN_IP, P11C_SAN_EMAIL, P11C_SAN_URI };
typedef struct {
	int type;
	char *text;           /* as given, without the prefix */
	unsigned char ip[16]; /* P11C_SAN_IP: address bytes */
	size_t ip_len;        /* 4 or 16 */
} p11c_san;

#define P11C_SAN_MAX 1000
#define P11C_SAN_TEXT_MAX (64 * 1024)
/* Parse "dns:a,ip:1.2.3.4,email:x@y,uri:https://a"; message in err. */
int p11c_san_parse(const char *text, p11c_san **out, size_t *n, char *err, size_t errlen);
void p11c_san_free(p11c_san *s, size_t n);
/* Empty, or two letters (ISO 3166). */
int p11c_country_ok(const char *c);
/* Whether s has the shape of a DNS host name with at least one dot. */
int p11c_looks_like_hostname(const char *s);

enum { P11C_KEY_RSA, P11C_KEY_EC };
typedef struct {
	int kind;
	int bits;          /* RSA modulus size, EC curve size */
	const char *curve; /* "p256" ... */
} p11c_key_spec;
int p11c_key_type_parse(const char *text, p11c_key_spec *out, char *err, size_t errlen);

/* ---- the handle and errors (db.c, error.c) ---- */
struct NSSInitContextStr;
struct PK11SlotInfoStr;
struct SECMODModuleStr;
struct p11c_p11kit_module;
struct p11c_db {
	struct NSSInitContextStr *ctx;
	struct PK11SlotInfoStr *slot; /* this handle's database: NSS's internal key
	                                 slot, or a slot of SECMOD_OpenUserDB */
	int userdb;                   /* slot was opened by SECMOD_OpenUserDB */
	int nss_first;                /* this handle's NSS_InitContext opened it */
	char *dir;
	int readonly;
	p11c_pwfile *pwf;
	char *pwf_path;
	p11c_password_fn prompt;
	void *prompt_arg;
	p11c_log_fn log;
	void *log_arg;
	char *module_path;                /* --module: loaded for this run */
	char *module_name;                /* its p11-kit name, when given by name */
	int no_p11kit;                    /* leave p11-kit's modules out */
	struct SECMODModuleStr **modules; /* loaded by this handle */
	int *module_from;                 /* each one's P11C_FROM_* */
	size_t n_modules;
	struct p11c_p11kit_module *p11kit; /* p11-kit's, probed before NSS starts */
	size_t n_p11kit;
	char *left_out; /* "'name' (path)" of the modules left out, for messages */
	p11c_log_fn warn;
	void *warn_arg;
	struct p11c_trust_cache *trust_cache; /* certscan.c, while held */
	int trust_cache_held;
	p11c_progress_fn progress; /* progress.c */
	void *progress_arg;
	long long progress_at;                /* when it was last called, ms (monotonic) */
	const char *progress_what;            /* the step it was last called for, */
	size_t progress_done, progress_total; /* and how far; what: NULL when ended */
	char *used_label, *used_pin;          /* the last external token logged in */
	int recovered;                        /* an interrupted write was undone at open */
	int lock_fd;                          /* p11cert.lock, held while open for writing */
	char *lock_path;
	struct p11c_pending *pending;      /* the record of a write of several steps */
	struct p11c_defect_entry *defects; /* defects.c: probed slots */
	size_t n_defects;
	char err[1024];
	int err_code;          /* p11c_errc of the last failure */
	int err_nss;           /* its NSS/NSPR error, 0 if none */
	unsigned long err_ckr; /* its CKR_* value, 0 if none known */
	const char *err_field; /* the input it is about (static), or NULL */
};

/* The structured part of a handle's last error, saved across a step that
 * may fail on its own (clean-up after a failure). */
typedef struct {
	int code, nss;
	unsigned long ckr;
	const char *field;
} p11c_err_saved;

/* defects.c: the probed slots let go of, before NSS stops. */
void p11c_token_defects_free(p11c_db *db);

/* A line for -v through the handle's log function, if any. */
void p11c_log(p11c_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A warning through the handle's warning function, if any. */
void p11c_warn(p11c_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* modules.c: try --module and p11-kit's modules in a child process before
 * NSS starts (a failing --module fails the open); load those that work
 * after it starts, warning of the others; unload them before it stops. */
int p11c_modules_probe(p11c_db *db);
int p11c_modules_load(p11c_db *db);
void p11c_modules_unload(p11c_db *db);
enum { P11C_FROM_NSS, P11C_FROM_DATABASE, P11C_FROM_RUN, P11C_FROM_P11KIT };
int p11c_module_from(const p11c_db *db, const struct SECMODModuleStr *mod);
/* Whether a module of that library is loaded (by anyone). */
int p11c_module_loaded(const char *path);
/* Why a module is loaded, for messages: "registered in the database
 * (pkcs11.txt)", "given for this run", ... */
const char *p11c_module_origin(const p11c_db *db, const struct SECMODModuleStr *mod);

/* journal.c: roll back a hot sqlite journal in dir before NSS opens it
 * (*recovered), or say that only a writer could (*stuck); turn cert9.db
 * and key4.db to write-ahead-log mode (no connection may be open). */
void p11c_db_recover(p11c_db *db, const char *dir, int *recovered, int *stuck);
void p11c_db_use_wal(p11c_db *db, const char *dir);
/* sqlite's journal mode of dir/file ("wal", "delete" ...); -1 if unreadable. */
int p11c_db_journal_mode(const char *dir, const char *file, char *mode, size_t len);

/* pending.c: one writer at a time (DIR/p11cert.lock, held until the
 * handle closes), and the record of a write of several steps that the
 * next writer undoes or finishes when its writer died. */
int p11c_db_lock(p11c_db *db, const char *dir);
void p11c_db_unlock(p11c_db *db);
/* Start the record of op (first undoing a dead writer's, if any). */
int p11c_pending_begin(p11c_db *db, const char *op);
/* End it: on success (rc 0) it goes; on failure what it lists is undone
 * (or finished, once committed) now, and it stays only if that fails.
 * Returns rc. */
int p11c_pending_end(p11c_db *db, int rc);
/* A password file staged for slot's new password (change-password). */
struct PK11SlotInfoStr;
int p11c_pending_pwfile(p11c_db *db, struct PK11SlotInfoStr *slot, const char *staged,
                        const char *target);
/* Keep the record open until the handle closes or writes again (a key
 * whose request the caller has yet to write out); then it completes. */
void p11c_pending_defer(p11c_db *db);
/* At close: complete a deferred record; leave any other for recovery. */
void p11c_pending_close(p11c_db *db);
/* Undo or finish a dead writer's record, if there is one. */
int p11c_pending_recover(p11c_db *db);
/* A read-only handle: a dead change-password's staged password file put
 * in place (or removed), when no writer runs and the directory is
 * writable, so that the token and the file agree again. */
void p11c_pending_settle_password(p11c_db *db);
/* Whether dir holds a dead (or running) writer's record; its op. */
int p11c_pending_found(const char *dir, char *op, size_t oplen);

/* Set db's message from a printf format; returns code. */
int p11c_fail(p11c_db *db, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* As p11c_fail, with " (NAME: text)" of NSS's current error appended. */
int p11c_fail_nss(p11c_db *db, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* As p11c_fail, with the p11c_errc given rather than the status's own. */
int p11c_fail_c(p11c_db *db, int code, int errc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* As p11c_fail_nss, with the p11c_errc given. */
int p11c_fail_nss_c(p11c_db *db, int code, int errc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* As p11c_fail, for an input the caller gave (see p11c_last_error_field). */
int p11c_fail_field(p11c_db *db, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* As p11c_fail_c, for an input the caller gave. */
int p11c_fail_cf(p11c_db *db, int code, int errc, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A new message for the last failure, its code, NSS error and CKR kept
 * (for wrapping: "%s; and ...").  The message may be built from db->err. */
int p11c_fail_keep(p11c_db *db, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* As p11c_fail_c, with the token's CKR_* answer kept and named. */
int p11c_fail_ckr(p11c_db *db, int code, int errc, unsigned long ckr, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Set the last failure's field (after the p11c_fail* that set it). */
void p11c_err_field(p11c_db *db, const char *field);
void p11c_err_save(const p11c_db *db, p11c_err_saved *s);
void p11c_err_restore(p11c_db *db, const p11c_err_saved *s);
/* Name of a CKR_* value ("CKR_PIN_INCORRECT"), NULL if not known. */
const char *p11c_ckr_name(unsigned long ckr);
/* The CKR_* a probe's "... returned CKR_X" (or "CKR 0x..") names; 0 if none. */
unsigned long p11c_ckr_in_text(const char *text);
/* Name of an NSS/NSPR error code, e.g. "SEC_ERROR_BAD_PASSWORD". */
const char *p11c_nss_error_name(int err);

/* The slot of --token (NULL or "internal" is the internal key slot); a
 * reference the caller frees. */
int p11c_slot_for_token(p11c_db *db, const char *token, struct PK11SlotInfoStr **out);
/* Log in to slot if it needs it: password file, then the prompt; once. */
int p11c_login(p11c_db *db, struct PK11SlotInfoStr *slot);
/* Log in to the token "TOKEN:alias" names, if any (prompting if need be). */
int p11c_login_for_alias(p11c_db *db, const char *alias);
/* Labels of every token there is (NULL-terminated, malloc'd). */
char **p11c_token_labels(void);
void p11c_token_labels_free(char **labels);
/* Log in to the internal token, and to each external token that the
 * password file has a line for (so their keys can be seen). */
int p11c_login_tokens(p11c_db *db);
/* The external tokens the password file has a line for, not the internal
 * one: for reading certificates and trust, which need no login there. */
int p11c_login_external(p11c_db *db);
/* NSS_InitContext on dir, read-only or read-write. */
int p11c_nss_start(p11c_db *db, const char *dir, int readonly);
/* Unload modules, NSS_ShutdownContext; the handle can open again. */
void p11c_db_shutdown(p11c_db *db);
/* Fail unless the database is open (and writable when write). */
int p11c_require_open(p11c_db *db, int write);

/* ---- output files, written whole or not at all (files.c) ---- */
/* The one atomic writer: a temporary beside path (path.XXXXXX, O_EXCL,
 * created with the mode, then given exactly that mode whatever the umask),
 * written, and on a kept close fsync'd, renamed over path and the
 * directory fsync'd; on any failure, or unkept, the temporary is removed
 * and the old file is untouched.  A path that is a link or a special file
 * is refused (p11c_output_path_check) unless P11C_OUTPUT_ANY_PATH. */
typedef struct {
	int fd;
	const char *path;
	char *tmp;
	int failed; /* errno of the first failed write */
} p11c_output;
enum {
	P11C_OUTPUT_ANY_PATH = 1u << 0, /* no output-path check: what is there is replaced */
};
/* mode: 0600 for secrets, keys and PKCS#12 files, 0644 for certificates. */
int p11c_output_open_mode(p11c_db *db, const char *path, unsigned mode, unsigned flags,
                          p11c_output *o);
/* p11c_output_open_mode(db, path, 0600, 0, o). */
int p11c_output_open(p11c_db *db, const char *path, p11c_output *o);
/* All of data, or o->failed set (and -1): the close then fails. */
int p11c_output_write(p11c_output *o, const void *data, size_t len);
/* keep: put the file in place (P11C_OK, or the failure, temporary gone);
 * else remove the temporary.  Nothing to do after a failed open. */
int p11c_output_close(p11c_db *db, p11c_output *o, int keep);
/* rename(from, to), then to's directory fsync'd so that the name lasts
 * (a failure of that fsync cannot undo the rename and is not reported):
 * 0, or -1 with errno when the rename failed.  Also for a temporary that
 * was staged earlier (a password file put in place by a replay). */
int p11c_file_rename(const char *from, const char *to);

/* ---- files (files.c) ---- */
/* The one whole-file reader.  A regular file of at most max bytes (FIFOs,
 * devices and directories are refused: they can hang or never end), read
 * whole; a file that grows while it is read is refused too.  *out is
 * NUL-terminated, malloc'd (wiped by the caller when SECRET).  Messages
 * name the file "WHAT 'PATH'" (what: "password file"), or "'PATH'". */
typedef struct {
	size_t max;       /* larger files are refused */
	unsigned flags;   /* P11C_READ_* */
	const char *what; /* the file's kind in messages, or NULL */
	int refused;      /* the status of a file refused for what it is; 0: P11C_EFAIL */
} p11c_read_opts;
enum {
	P11C_READ_NOFOLLOW = 1u << 0, /* a symbolic link is refused */
	P11C_READ_PRIVATE = 1u << 1,  /* refused unless the caller's and no group/other bits */
	P11C_READ_SECRET = 1u << 2,   /* what was read is wiped when the read fails */
};
int p11c_file_read_with(p11c_db *db, const char *path, const p11c_read_opts *ro,
                        unsigned char **out, size_t *len);
/* progress.c: report done of total items of what to the handle's
 * progress function, at most every 100 ms but always for a new step and
 * when done == total. */
void p11c_progress(p11c_db *db, const char *what, size_t done, size_t total);
/* The step under way reported again, as time passes in a long wait. */
void p11c_progress_tick(p11c_db *db);

/* p11c_file_read_with, at most max bytes; p11c_file_read: at most
 * P11C_FILE_MAX. */
int p11c_file_read_max(p11c_db *db, const char *path, size_t max, unsigned char **out, size_t *len);
int p11c_file_read(p11c_db *db, const char *path, unsigned char **out, size_t *len);
/* Input caps by kind: far above any real file, low enough to bound the
 * memory and time a hostile one costs. */
#define P11C_FILE_MAX (16u << 20)       /* any other input */
#define P11C_CERTS_FILE_MAX (32u << 20) /* a certificate, chain or bundle */
#define P11C_CERTS_MAX 50000            /* certificates in one file: a hosting bundle */
#define P11C_P12_FILE_MAX (2u << 20)    /* a PKCS#12 file */
#define P11C_KEY_FILE_MAX (1u << 20)    /* a PEM private key */
/* More bags than any real PKCS#12 file holds (a key, its certificate and
 * a chain) only cost time: NSS pairs keys and certificates one against
 * another. */
#define P11C_P12_BAGS_MAX 100
/* The bags of a PKCS#12 file's plain safes, an encrypted safe counted as
 * one, read from the DER (stops counting past P11C_P12_BAGS_MAX); 0 when
 * the layout is not plain DER (NSS then judges the file). */
size_t p11c_p12_bags_in_der(const unsigned char *buf, size_t len);

/* ---- certificates (pem.c, certstore.c) ---- */
struct SECItemStr;
/* Split a PEM or DER buffer into DER certificates (SECItems allocated in
 * arena).  Refuses an empty, truncated or garbled file. */
int p11c_certs_decode(p11c_db *db, const char *what, const unsigned char *buf, size_t len,
                      void *arena, struct SECItemStr **out, size_t *n);
/* PEM text of DER data with the given label; malloc'd. */
char *p11c_pem_encode(const char *label, const unsigned char *der, size_t len);

/* text as it may be shown: control characters (C0, DEL, C1) and bytes
 * that are not UTF-8 become \xHH; malloc'd (strcheck.c). */
char *p11c_safe_text(const char *text, size_t len);
/* Lower-case hex of data, with sep between bytes when sep != 0. */
char *p11c_hex(const unsigned char *data, size_t len, char sep);

/* A fresh random password of n characters from [A-Za-z0-9]; malloc'd. */
char *p11c_random_password(size_t n);

/* Securely wipe and free a string. */
void p11c_secret_free(char *s);

#pragma GCC visibility pop

#endif
