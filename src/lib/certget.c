/* SPDX-License-Identifier: MPL-2.0 */
/* The accessors of p11c_cert and of a listing: each takes NULL and gives
 * NULL or 0. */
#include <stddef.h>

#include "nssint.h"

#define GET(type, field, none)                                                                     \
	type p11c_cert_##field(const p11c_cert *c)                                                 \
	{                                                                                          \
		return c ? c->field : (none);                                                      \
	}

GET(const char *, alias, NULL)
GET(const char *, token, NULL)
GET(int, version, 0)
GET(const char *, serial, NULL)
GET(const char *, sig_alg, NULL)
GET(int64_t, not_before, 0)
GET(int64_t, not_after, 0)
GET(const char *, subject, NULL)
GET(const char *, issuer, NULL)
GET(const char *, key_type, NULL)
GET(const char *, sha1, NULL)
GET(const char *, sha256, NULL)
GET(const char *, trust, NULL)
GET(const char *, key_token, NULL)
GET(const char *, key_uri, NULL)
GET(const char *, key_note, NULL)
GET(const char *, pem, NULL)

int p11c_cert_is_self_signed(const p11c_cert *c)
{
	return c ? c->self_signed != 0 : 0;
}

size_t p11c_cert_san_count(const p11c_cert *c)
{
	return c ? c->n_san : 0;
}

const char *p11c_cert_san(const p11c_cert *c, size_t i)
{
	return c && i < c->n_san ? c->san[i] : NULL;
}

const char *p11c_cert_trust_words(const p11c_cert *c, p11c_trust_field field)
{
	if (!c || (unsigned)field > P11C_TRUST_FIELD_OBJECT_SIGNING)
		return NULL;
	return c->trust_words[field] ? c->trust_words[field] : "";
}

p11c_key_state p11c_cert_key_state(const p11c_cert *c)
{
	if (!c)
		return P11C_KEY_NONE;
	if (c->key_unknown)
		return P11C_KEY_UNKNOWN;
	return c->has_key ? P11C_KEY_PRESENT : P11C_KEY_NONE;
}

const char *p11c_key_state_name(p11c_key_state state)
{
	switch (state) {
	case P11C_KEY_NONE:
		return "none";
	case P11C_KEY_PRESENT:
		return "present";
	default:
		return "unknown";
	}
}

p11c_extractable p11c_cert_key_extractable(const p11c_cert *c)
{
	if (!c || c->key_extractable < 0)
		return P11C_EXTRACTABLE_UNKNOWN;
	return c->key_extractable ? P11C_EXTRACTABLE_YES : P11C_EXTRACTABLE_NO;
}

unsigned p11c_cert_trust_roles(const p11c_cert *c)
{
	return c ? c->trust_roles : 0;
}

size_t p11c_cert_listing_count(const p11c_cert_listing *l)
{
	return l ? l->n : 0;
}

const p11c_cert *p11c_cert_listing_get(const p11c_cert_listing *l, size_t i)
{
	return l && i < l->n ? l->certs[i] : NULL;
}

size_t p11c_cert_listing_problem_count(const p11c_cert_listing *l)
{
	return l ? l->n_problems : 0;
}

const p11c_token_problem *p11c_cert_listing_problem(const p11c_cert_listing *l, size_t i)
{
	return l && i < l->n_problems ? l->problems[i] : NULL;
}

const char *p11c_token_problem_token(const p11c_token_problem *p)
{
	return p ? p->token : NULL;
}

int p11c_token_problem_status(const p11c_token_problem *p)
{
	return p ? p->code : 0;
}

int p11c_token_problem_login_tried(const p11c_token_problem *p)
{
	return p ? p->login_tried : 0;
}

const char *p11c_token_problem_reason(const p11c_token_problem *p)
{
	return p ? p->reason : NULL;
}
