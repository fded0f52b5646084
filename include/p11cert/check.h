/* SPDX-License-Identifier: MPL-2.0 */
/* libp11cert: check: the database's health, for cron and monitoring.
 * Include <p11cert.h>, not this file. */
#ifndef P11CERT_CHECK_H
#define P11CERT_CHECK_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- check: the database's health, for cron and monitoring ---- */

/* How bad a finding is; a report's worst is check's exit status. */
typedef enum {
	P11C_SEVERITY_OK = 0, /* nothing to report (a report without findings) */
	P11C_SEVERITY_WARNING = 1,
	P11C_SEVERITY_PROBLEM = 2
} p11c_severity;
/* "ok", "warning", "problem"; "unknown" for other values. */
const char *p11c_severity_name(p11c_severity severity);

/* What a finding is about.  Used as "enum p11c_finding_code" (as struct
 * stat beside stat()): p11c_finding_code() is its accessor. */
enum p11c_finding_code {
	P11C_FINDING_NONE = 0,
	P11C_FINDING_EXPIRED = 1,        /* a certificate with its key, or a trusted one */
	P11C_FINDING_EXPIRING = 2,       /* within opts->days */
	P11C_FINDING_WEAK_KEY = 3,       /* RSA or DSA under 2048 bits, EC under 256 */
	P11C_FINDING_WEAK_SIGNATURE = 4, /* MD2, MD4, MD5 (problem), SHA-1 (warning) */
	P11C_FINDING_NO_KEY = 5,         /* an end-entity certificate without key or trust */
	P11C_FINDING_ORPHAN_KEY = 6,     /* a private key without its certificate */
	P11C_FINDING_CHAIN = 7,          /* a chain of the database's own that does not verify */
	P11C_FINDING_LOGIN = 8,          /* a token that could not be logged in to */
	P11C_FINDING_PASSWORD_FILE = 9,  /* an unsafe or unreadable password file */
	P11C_FINDING_INTERRUPTED_WRITE = 10, /* a write cut short */
	P11C_FINDING_JOURNAL = 11,           /* a database file not in sqlite's WAL mode */
	P11C_FINDING_DUPLICATE_ALIAS = 12,   /* two certificates under one alias */
	P11C_FINDING_TOKEN_DEFECT = 13,      /* a key NSS servers cannot use on its token */
	P11C_FINDING_STALE_EXPORT = 14,      /* a recorded export (sync-exports) out of date */
	P11C_FINDING_SDB_CACHE = 15,         /* NSS_SDB_USE_CACHE=yes: large listings far slower */
	P11C_FINDING_ACME_DUE = 16,          /* an ACME-managed certificate due and not renewed */
	P11C_FINDING_ACME_FAILED = 17,       /* its last ACME renewal failed, or it is gone */
	P11C_FINDING_REVOKED = 18, /* a certificate of the database's own or a trusted peer's,
	                            * revoked (problem) */
	P11C_FINDING_REVOCATION_UNKNOWN = 19 /* no revocation source answered (warning;
	                                      * a problem with require_revocation) */
};
/* "none", "expired", "expiring", "weak-key", "weak-signature", "no-key",
 * "orphan-key", "chain", "login", "password-file", "interrupted-write",
 * "journal", "duplicate-alias", "token-defect", "stale-export",
 * "sdb-cache", "acme-due", "acme-failed", "revoked",
 * "revocation-unknown"; "unknown" for other values. */
const char *p11c_finding_code_name(enum p11c_finding_code code);

/* One finding; owned by its report. */
typedef struct p11c_finding p11c_finding;
/* The certificate's alias, the key's name, a file, a token's label, or
 * "" (escaped for printing). */
const char *p11c_finding_alias(const p11c_finding *f);
/* P11C_SEVERITY_OK for NULL. */
p11c_severity p11c_finding_severity(const p11c_finding *f);
/* P11C_FINDING_NONE for NULL. */
enum p11c_finding_code p11c_finding_code(const p11c_finding *f);
/* One line (escaped for printing). */
const char *p11c_finding_message(const p11c_finding *f);

/* What p11c_db_check() found: opaque, freed with p11c_check_report_free. */
typedef struct p11c_check_report p11c_check_report;
/* The findings in the order found: how many, and the i-th (NULL past the
 * end), owned by the report. */
size_t p11c_check_report_count(const p11c_check_report *r);
const p11c_finding *p11c_check_report_get(const p11c_check_report *r, size_t i);
/* The worst severity of the findings; P11C_SEVERITY_OK when there are
 * none (and for NULL). */
p11c_severity p11c_check_report_severity(const p11c_check_report *r);
/* Free a report and its findings; NULL is ignored. */
void p11c_check_report_free(p11c_check_report *r);

/* Options of p11c_db_check().  Start from P11C_CHECK_OPTS_INIT. */
typedef struct {
	size_t size;               /* sizeof(p11c_check_opts), set by the INIT macro */
	int days;                  /* "expiring" within this many days, 0 to 36500; 0: 30 */
	const char *password_file; /* judged for safety when not NULL */
	/* later fields (an older, smaller struct gets none and 0): */
	p11c_revocation revocation; /* the own and trusted peer certificates' revocation */
	int require_revocation;     /* revocation unknown is a problem, not a warning */
	int timeout;                /* seconds a revocation request, 1 to 3600; 0: 5 */
	int time_limit;             /* seconds for all of them, 1 to 3600; 0: 20; past it
	                             * the rest are "revocation unknown" */
} p11c_check_opts;
#define P11C_CHECK_OPTS_INIT                                                                       \
	{                                                                                          \
		.size = sizeof(p11c_check_opts), .days = 30, .password_file = NULL,                \
		.revocation = P11C_REVOCATION_OCSP, .require_revocation = 0, .timeout = 5,         \
		.time_limit = 20                                                                   \
	}

/* Look the database over: certificates with keys, trusted CAs and peers
 * expired or expiring, weak keys and signatures, certificates without
 * their keys, keys without certificates, chains of the database's own
 * CA-issued certificates that do not verify, an unsafe password file,
 * interrupted writes, journals, duplicate aliases, RSA keys of the
 * database's own on a token whose known defect keeps NSS servers from
 * using them, stale recorded exports, ACME-managed certificates that are
 * due (within days of notAfter, or past the server's suggested renewal
 * time) or whose last renewal failed.  opts NULL: the defaults.  *out is
 * the caller's, freed with p11c_check_report_free. */
int p11c_db_check(p11c_db *db, const p11c_check_opts *opts, p11c_check_report **out);

#ifdef __cplusplus
}
#endif
#endif
