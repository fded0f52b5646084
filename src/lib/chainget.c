/* SPDX-License-Identifier: MPL-2.0 */
/* The accessors of a chain and its problems: each takes NULL and gives
 * NULL or 0. */
#include <stddef.h>

#include "chainint.h"

#define GET(type, field, none)                                                                     \
	type p11c_chain_##field(const p11c_chain *c)                                               \
	{                                                                                          \
		return c ? c->field : (none);                                                      \
	}

GET(const char *, url, NULL)
GET(const char *, scheme, NULL)
GET(const char *, host, NULL)
GET(int, port, 0)
GET(const char *, tls_version, NULL)
GET(const char *, cipher, NULL)

int p11c_chain_trusted(const p11c_chain *c)
{
	return c ? c->trusted != 0 : 0;
}

size_t p11c_chain_cert_count(const p11c_chain *c)
{
	return c ? c->n : 0;
}

const p11c_cert *p11c_chain_cert_get(const p11c_chain *c, size_t i)
{
	return c && i < c->n ? c->certs[i] : NULL;
}

unsigned p11c_chain_link_flags(const p11c_chain *c, size_t i)
{
	return c && i < c->n ? c->links[i] : 0u;
}

size_t p11c_chain_problem_count(const p11c_chain *c)
{
	return c ? c->n_problems : 0;
}

const p11c_problem *p11c_chain_problem_get(const p11c_chain *c, size_t i)
{
	return c && i < c->n_problems ? &c->problems[i] : NULL;
}

size_t p11c_chain_note_count(const p11c_chain *c)
{
	return c ? c->n_notes : 0;
}

const char *p11c_chain_note_get(const p11c_chain *c, size_t i)
{
	return c && i < c->n_notes ? c->notes[i] : NULL;
}

enum p11c_problem_code p11c_problem_code(const p11c_problem *p)
{
	return p ? p->code : P11C_PROBLEM_NONE;
}

const char *p11c_problem_message(const p11c_problem *p)
{
	return p ? p->message : NULL;
}

int p11c_problem_depth(const p11c_problem *p)
{
	return p ? p->depth : -1;
}

const char *p11c_problem_code_name(enum p11c_problem_code code)
{
	static const char *const names[] = {
	    [P11C_PROBLEM_NONE] = "none",
	    [P11C_PROBLEM_UNKNOWN_ISSUER] = "unknown-issuer",
	    [P11C_PROBLEM_EXPIRED] = "expired",
	    [P11C_PROBLEM_NOT_YET_VALID] = "not-yet-valid",
	    [P11C_PROBLEM_NAME_MISMATCH] = "name-mismatch",
	    [P11C_PROBLEM_WRONG_USAGE] = "wrong-usage",
	    [P11C_PROBLEM_NOT_A_CA] = "not-a-ca",
	    [P11C_PROBLEM_BAD_SIGNATURE] = "bad-signature",
	    [P11C_PROBLEM_REVOKED] = "revoked",
	    [P11C_PROBLEM_DISTRUSTED] = "distrusted",
	    [P11C_PROBLEM_OTHER] = "other",
	    [P11C_PROBLEM_REVOCATION_UNKNOWN] = "revocation-unknown",
	};
	return (unsigned)code < sizeof(names) / sizeof(names[0]) ? names[code] : "unknown";
}

#define REV(type, name, expr, none)                                                                \
	type p11c_chain_rev_##name(const p11c_chain *c, size_t i)                                  \
	{                                                                                          \
		return c && c->rev && i < c->n ? (expr) : (none);                                  \
	}

REV(p11c_rev_status, status, c->rev[i].status, P11C_REV_NOT_CHECKED)
REV(const char *, source, c->rev[i].source, NULL)
REV(const char *, method, c->rev[i].status ? c->rev[i].method : NULL, NULL)
REV(int, cached, c->rev[i].cached, 0)
REV(long long, this_update, c->rev[i].this_update, 0)
REV(long long, next_update, c->rev[i].next_update, 0)
REV(long long, revoked_at, c->rev[i].revoked_at, 0)
REV(const char *, reason, c->rev[i].status == P11C_REV_REVOKED ? c->rev[i].reason : NULL, NULL)
REV(const char *, error, c->rev[i].error, NULL)

const char *p11c_rev_status_name(p11c_rev_status status)
{
	static const char *const names[] = {"not-checked", "good", "revoked", "unknown"};
	return (unsigned)status < 4 ? names[status] : "invalid";
}
