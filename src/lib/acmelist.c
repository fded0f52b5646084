/* SPDX-License-Identifier: MPL-2.0 */
/* What the ACME record holds, as a listing (acme-list, check), and the
 * names of ACME's enums. */
#include <cert.h>
#include <stdlib.h>
#include <string.h>

#include "acmeint.h"

struct p11c_acme_cert {
	char *alias;
	long long not_after, renew_at, failure_time;
	char *failure;
	int revoked;
	p11c_acme_method method;
};

struct p11c_acme_listing {
	char *server, *account;
	p11c_acme_cert *certs;
	size_t n;
};

static const char *const methods[] = {"http01-port", "webroot", "dns-hook", "callback"};

/* (p11c_acme_method_name is acmesolve.c's, with the answerers.) */
/* The method named text in the record; def when unknown. */
p11c_acme_method p11c_acme_method_of(const char *text, p11c_acme_method def)
{
	for (size_t i = 0; text && i < sizeof(methods) / sizeof(methods[0]); i++)
		if (!strcmp(text, methods[i]))
			return (p11c_acme_method)i;
	return def;
}

static const struct {
	p11c_revoke_reason r;
	const char *name;
} reasons[] = {
    {P11C_REVOKE_UNSPECIFIED, "unspecified"},
    {P11C_REVOKE_KEY_COMPROMISE, "key-compromise"},
    {P11C_REVOKE_AFFILIATION_CHANGED, "affiliation-changed"},
    {P11C_REVOKE_SUPERSEDED, "superseded"},
    {P11C_REVOKE_CESSATION_OF_OPERATION, "cessation-of-operation"},
};

int p11c_revoke_reason_parse(p11c_db *db, const char *text, p11c_revoke_reason *out)
{
	P11C_ARGS(db, P11C_NAME(text), P11C_OUT(out));
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (!strcmp(text, reasons[i].name)) {
			*out = reasons[i].r;
			return P11C_OK;
		}
	*out = P11C_REVOKE_UNSPECIFIED;
	return p11c_args_fail(db, __func__,
	                      "no revocation reason is named '%s' (unspecified, key-compromise, "
	                      "affiliation-changed, superseded, cessation-of-operation)",
	                      text);
}

const char *p11c_revoke_reason_name(p11c_revoke_reason r)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].r == r)
			return reasons[i].name;
	return "unknown";
}

static long long int_of(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static long long not_after_of(p11c_db *db, const char *alias)
{
	/* A token's certificate may show only after its login (SoftHSM):
	 * tried with the password file as any command would, and a refusal
	 * left for the command that needs the key to report. */
	p11c_err_saved saved;
	p11c_err_save(db, &saved);
	(void)p11c_login_for_alias(db, alias);
	p11c_err_restore(db, &saved);
	CERTCertificate *cert = p11c_find_cert(db, alias);
	PRTime nb, na;
	long long t = 0;
	if (cert && CERT_GetCertTimes(cert, &nb, &na) == SECSuccess)
		t = (long long)(na / PR_USEC_PER_SEC);
	if (cert)
		CERT_DestroyCertificate(cert);
	return t;
}

int p11c_acme_list(p11c_db *db, p11c_acme_listing **out)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OUT(out));
	json_t *st = NULL;
	int rc = p11c_require_open(db, 0);
	if (rc || (rc = p11c_acme_state_load(db, &st)))
		return rc;
	p11c_acme_listing *l = calloc(1, sizeof(*l));
	json_t *certs = json_object_get(st, "certs");
	const char *server = p11c_acme_str(st, "server");
	const char *account = p11c_acme_str(json_object_get(st, "account"), "url");
	if (!l || (server && !(l->server = strdup(server))) ||
	    (account && !(l->account = strdup(account))) ||
	    (json_object_size(certs) &&
	     !(l->certs = calloc(json_object_size(certs), sizeof(*l->certs))))) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	const char *alias;
	json_t *e;
	json_object_foreach(certs, alias, e)
	{
		p11c_acme_cert *c = &l->certs[l->n++];
		const char *failure = p11c_acme_str(e, "failure");
		if (!(c->alias = strdup(alias)) || (failure && !(c->failure = strdup(failure)))) {
			rc = p11c_fail(db, P11C_EFAIL, "out of memory");
			goto out;
		}
		c->not_after = not_after_of(db, alias);
		c->renew_at = int_of(e, "renew_at");
		c->failure_time = failure ? int_of(e, "failure_time") : 0;
		c->revoked = json_is_true(json_object_get(e, "revoked"));
		c->method = p11c_acme_method_of(p11c_acme_str(e, "method"), P11C_ACME_HTTP01_PORT);
	}
out:
	json_decref(st);
	if (rc)
		p11c_acme_listing_free(l);
	else
		*out = l;
	return rc;
}

const char *p11c_acme_listing_server(const p11c_acme_listing *l)
{
	return l ? l->server : NULL;
}

const char *p11c_acme_listing_account(const p11c_acme_listing *l)
{
	return l ? l->account : NULL;
}

size_t p11c_acme_listing_count(const p11c_acme_listing *l)
{
	return l ? l->n : 0;
}

const p11c_acme_cert *p11c_acme_listing_get(const p11c_acme_listing *l, size_t i)
{
	return l && i < l->n ? &l->certs[i] : NULL;
}

const char *p11c_acme_cert_alias(const p11c_acme_cert *c)
{
	return c ? c->alias : NULL;
}

long long p11c_acme_cert_not_after(const p11c_acme_cert *c)
{
	return c ? c->not_after : 0;
}

long long p11c_acme_cert_renew_at(const p11c_acme_cert *c)
{
	return c ? c->renew_at : 0;
}

const char *p11c_acme_cert_failure(const p11c_acme_cert *c)
{
	return c ? c->failure : NULL;
}

long long p11c_acme_cert_failure_time(const p11c_acme_cert *c)
{
	return c ? c->failure_time : 0;
}

int p11c_acme_cert_revoked(const p11c_acme_cert *c)
{
	return c ? c->revoked : 0;
}

p11c_acme_method p11c_acme_cert_method(const p11c_acme_cert *c)
{
	return c ? c->method : P11C_ACME_HTTP01_PORT;
}

void p11c_acme_listing_free(p11c_acme_listing *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->certs[i].alias);
		free(l->certs[i].failure);
	}
	free(l->certs);
	free(l->server);
	free(l->account);
	free(l);
}
