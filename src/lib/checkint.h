/* SPDX-License-Identifier: MPL-2.0 */
/* check inside the library: check.c (the report, the database-wide
 * checks, p11c_db_check) and checkcert.c (each certificate and key). */
#ifndef P11C_CHECKINT_H
#define P11C_CHECKINT_H

#include "chainint.h"

#pragma GCC visibility push(hidden)

/* One run of check: the report it fills. */
typedef struct {
	p11c_db *db;
	p11c_check_report *rep;
	int failed;                             /* out of memory */
	int rev_mode, rev_require, rev_timeout; /* revocation (P11C_REVOCATION_*) */
	long long rev_deadline;                 /* time(NULL) past which nothing is fetched */
} p11c_checking;

/* A finding for alias: a problem (1) or a warning (0). */
void p11c_check_add(p11c_checking *r, const char *alias, int problem, enum p11c_finding_code code,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A time (seconds since the epoch) as findings give it: "2026/12/08 05:46 UTC". */
void p11c_check_when(long long t, char *buf, size_t size);

/* One certificate as check sees it: NSS's own (its key looked for), or
 * one the scan decoded (certscan.c); given: its key, or that it has none,
 * from the own token's pass over its private keys. */
typedef struct {
	CERTCertificate *cert;
	char *alias;
	CERTCertTrust trust;
	int lookup; /* its key is looked for */
	int given;
	const p11c_scanned_key *key; /* given: its private key, or NULL */
} item;

typedef struct {
	item *v;
	size_t n;
	p11c_scanned_keys *keys; /* the own token's pass, or NULL */
} items;

void p11c_check_items_free(items *it);
/* After the logins: the scanned certificates (those with a key beside
 * them as NSS holds them), else NSS's listing read before the logins;
 * sorted by alias, so that findings come in the order list-certs shows.
 * -1 out of memory. */
int p11c_check_items_make(p11c_db *db, p11c_scanned *sc, size_t nsc, CERTCertList *certs,
                          items *it);
/* Each certificate's dates, key, signature and chain (those the database
 * uses: its own, its anchors). */
void p11c_check_certs(p11c_checking *r, const items *it, int days, PRTime now);
/* Private keys no certificate answers to, on each token logged in to
 * (the own token's from it->keys when there). */
void p11c_check_keys(p11c_checking *r, const items *it);

#pragma GCC visibility pop

#endif
