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

#ifdef __cplusplus
}
#endif
#endif
