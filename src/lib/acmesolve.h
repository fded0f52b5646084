/* SPDX-License-Identifier: MPL-2.0 */
/* Answering ACME challenges (acmesolve.c): the built-in ways (http-01 on a
 * port of our own, a webroot file, a dns-01 hook) and the caller's
 * p11c_acme_solver, behind one interface for the order code (acmeorder.c). */
#ifndef P11C_ACMESOLVE_H
#define P11C_ACMESOLVE_H

#include "p11cert.h"

#pragma GCC visibility push(hidden)

/* One challenge, as p11c_acme_challenge_*() read it: filled by the order
 * code, every string owned by it. */
struct p11c_acme_challenge {
	const char *type;      /* "http-01" or "dns-01" */
	const char *domain;    /* the identifier, without "*." */
	const char *token;     /* the challenge's token */
	const char *key_auth;  /* token "." base64url(JWK thumbprint) */
	const char *dns_name;  /* "_acme-challenge.DOMAIN" */
	const char *dns_value; /* base64url(SHA-256(key_auth)) */
};

typedef struct p11c_acme_answerer p11c_acme_answerer;

/* Get ready to answer as opts says (opts->method and its parameters; the
 * http-01 port's server started here, so a port in use fails before any
 * order is made).  Failures go to db's error. */
int p11c_acme_answerer_open(p11c_db *db, const p11c_acme_issue_opts *opts,
                            p11c_acme_answerer **out);
/* The challenge type it answers: "http-01" or "dns-01". */
const char *p11c_acme_answerer_type(const p11c_acme_answerer *a);
/* Make ch's answer visible (dns-01: the hook run, then the record waited
 * for, within wait seconds); db's error on failure. */
int p11c_acme_answerer_set(p11c_acme_answerer *a, const p11c_acme_challenge *ch, int wait);
/* Take ch's answer back; failures are warnings (p11c_warn), never errors. */
void p11c_acme_answerer_clear(p11c_acme_answerer *a, const p11c_acme_challenge *ch);
/* Stop (the http-01 server) and free; NULL is ignored. */
void p11c_acme_answerer_close(p11c_acme_answerer *a);

#pragma GCC visibility pop

#endif
