/* SPDX-License-Identifier: MPL-2.0 */
/* One ACME order (RFC 8555 section 7.4): newOrder for the names, each
 * authorization answered by the answerer with the challenge of its type
 * (set, respond, poll, clear), finalize with the request, poll the order,
 * download the chain.  Nothing here touches the database. */
#include <pk11pub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acmeint.h"
#include "acmesolve.h"

/* The identifiers of names, as newOrder wants them. */
static json_t *identifiers(const char *const *names, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(
		        a, json_pack("{s:s,s:s}", "type", "dns", "value", names[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* Why an authorization or order failed: its challenge's or its own error. */
static char *failure_of(const json_t *obj, const char *type)
{
	size_t i;
	const json_t *ch;
	json_array_foreach(json_object_get(obj, "challenges"), i, ch)
	{
		const json_t *e = json_object_get(ch, "error");
		if (e &&
		    (!type ||
		     !strcmp(p11c_acme_str(ch, "type") ? p11c_acme_str(ch, "type") : "", type)))
			return p11c_acme_problem_text(e);
	}
	const json_t *e = json_object_get(obj, "error");
	return e ? p11c_acme_problem_text(e) : strdup("no reason given");
}

/* The challenge of ch filled from the server's: its strings in bufs. */
typedef struct {
	p11c_acme_challenge ch;
	char *key_auth, *dns_name, *dns_value;
} challenge_buf;

static void challenge_free(challenge_buf *b)
{
	free(b->key_auth);
	free(b->dns_name);
	free(b->dns_value);
}

static int challenge_make(p11c_db *db, const char *type, const char *domain, const char *token,
                          const char *thumb, challenge_buf *b)
{
	unsigned char digest[32];
	memset(b, 0, sizeof(*b));
	b->key_auth = malloc(strlen(token) + strlen(thumb) + 2);
	b->dns_name = malloc(strlen(domain) + sizeof("_acme-challenge."));
	if (!b->key_auth || !b->dns_name)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	sprintf(b->key_auth, "%s.%s", token, thumb);
	sprintf(b->dns_name, "_acme-challenge.%s", domain);
	if (PK11_HashBuf(SEC_OID_SHA256, digest, (unsigned char *)b->key_auth,
	                 (PRInt32)strlen(b->key_auth)) != SECSuccess)
		return p11c_fail_nss(db, P11C_EFAIL, "cannot hash a key authorization");
	if (!(b->dns_value = p11c_b64url(digest, sizeof(digest))))
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	b->ch = (p11c_acme_challenge){type, domain, token, b->key_auth, b->dns_name, b->dns_value};
	return P11C_OK;
}

/* Answer the authorization at url (nothing to do when it is valid). */
static int authorize(p11c_acme_client *c, p11c_acme_answerer *a, const char *thumb, const char *url)
{
	p11c_acme_reply rep;
	json_t *authz = NULL, *done = NULL;
	challenge_buf b;
	int rc = p11c_acme_post(c, url, NULL, 0, NULL, &rep);
	if (rc)
		return rc;
	authz = json_incref(rep.json);
	p11c_acme_reply_free(&rep);
	const char *status = p11c_acme_str(authz, "status");
	const char *domain = p11c_acme_str(json_object_get(authz, "identifier"), "value");
	const char *type = p11c_acme_answerer_type(a);
	memset(&b, 0, sizeof(b));
	if (!status || !domain) {
		rc = p11c_fail(c->db, P11C_EFAIL, "the ACME server's authorization %s is malformed",
		               url);
		goto out;
	}
	if (!strcmp(status, "valid"))
		goto out;
	if (strcmp(status, "pending")) {
		char *why = failure_of(authz, NULL);
		rc = p11c_fail(c->db, P11C_EFAIL, "the authorization of '%s' is %s: %s", domain,
		               status, why ? why : "");
		free(why);
		goto out;
	}
	const json_t *ch = NULL, *it;
	size_t i;
	json_array_foreach(json_object_get(authz, "challenges"), i, it)
	{
		const char *t = p11c_acme_str(it, "type");
		if (t && !strcmp(t, type))
			ch = it;
	}
	const char *token = p11c_acme_str(ch, "token"), *chall_url = p11c_acme_str(ch, "url");
	if (!ch || !token || !chall_url) {
		rc = p11c_fail_c(c->db, P11C_EFAIL, P11C_ERR_INPUT,
		                 "the ACME server offers no %s challenge for '%s'", type, domain);
		goto out;
	}
	if ((rc = challenge_make(c->db, type, domain, token, thumb, &b)))
		goto out;
	p11c_log(c->db, "answering the %s challenge of '%s'", type, domain);
	if ((rc = p11c_acme_answerer_set(a, &b.ch, c->wait)))
		goto out;
	if (!(rc = p11c_acme_post(c, chall_url, "{}", 0, NULL, &rep))) {
		p11c_acme_reply_free(&rep);
		rc = p11c_acme_poll(c, url, "authorization", &done);
	}
	p11c_acme_answerer_clear(a, &b.ch);
	if (rc)
		goto out;
	status = p11c_acme_str(done, "status");
	if (!status || strcmp(status, "valid")) {
		char *why = failure_of(done, type);
		rc = p11c_fail(c->db, P11C_EFAIL, "the %s challenge of '%s' failed: %s", type,
		               domain, why ? why : "");
		free(why);
	}
out:
	challenge_free(&b);
	json_decref(authz);
	json_decref(done);
	return rc;
}

/* The order's own failure, or its status when no error is given. */
static int order_failed(p11c_acme_client *c, const json_t *order, const char *what)
{
	char *why = failure_of(order, NULL);
	int rc = p11c_fail(c->db, P11C_EFAIL, "the ACME order %s: %s (status %s)", what,
	                   why ? why : "", p11c_acme_str(order, "status"));
	free(why);
	return rc;
}

int p11c_acme_order(p11c_acme_client *c, p11c_acme_answerer *a, const char *const *names, size_t n,
                    const char *replaces, const unsigned char *csr, size_t csr_len, char **chain,
                    size_t *chain_len)
{
	json_t *order = NULL, *done = NULL, *payload = NULL;
	char *text = NULL, *thumb = NULL, *csr64 = NULL, *order_url = NULL;
	p11c_acme_reply rep;
	const char *new_order = p11c_acme_dir_url(c, "newOrder", 1);
	*chain = NULL;
	*chain_len = 0;
	if (!new_order)
		return P11C_EFAIL;
	int rc = p11c_acme_thumbprint(c->db, c->pub, &thumb);
	if (rc)
		return rc;
	payload = json_pack("{s:o*}", "identifiers", identifiers(names, n));
	if (payload && replaces)
		json_object_set_new(payload, "replaces", json_string(replaces));
	if (!payload || !(text = json_dumps(payload, JSON_COMPACT))) {
		rc = p11c_fail(c->db, P11C_EFAIL, "out of memory");
		goto out;
	}
	if ((rc = p11c_acme_post(c, new_order, text, 0, NULL, &rep)))
		goto out;
	order = json_incref(rep.json);
	if (rep.r.location)
		order_url = strdup(rep.r.location);
	p11c_acme_reply_free(&rep);
	const json_t *authzs = json_object_get(order, "authorizations");
	const char *finalize = p11c_acme_str(order, "finalize");
	if (!order_url || !json_is_array(authzs) || !finalize) {
		rc = p11c_fail(c->db, P11C_EFAIL, "the ACME server's order is malformed");
		goto out;
	}
	p11c_log(c->db, "ACME order %s made", order_url);
	size_t i;
	const json_t *u;
	json_array_foreach(authzs, i, u)
	{
		if (!json_is_string(u)) {
			rc = p11c_fail(c->db, P11C_EFAIL, "the ACME server's order is malformed");
			goto out;
		}
		if ((rc = authorize(c, a, thumb, json_string_value(u))))
			goto out;
	}
	/* Finalize with the request, then wait for the certificate. */
	free(text);
	text = NULL;
	json_decref(payload);
	if (!(csr64 = p11c_b64url(csr, csr_len)) || !(payload = json_pack("{s:s}", "csr", csr64)) ||
	    !(text = json_dumps(payload, JSON_COMPACT))) {
		rc = p11c_fail(c->db, P11C_EFAIL, "out of memory");
		goto out;
	}
	if ((rc = p11c_acme_post(c, finalize, text, 0, NULL, &rep)))
		goto out;
	p11c_acme_reply_free(&rep);
	if ((rc = p11c_acme_poll(c, order_url, "order", &done)))
		goto out;
	const char *cert_url = p11c_acme_str(done, "certificate");
	if (strcmp(p11c_acme_str(done, "status") ? p11c_acme_str(done, "status") : "", "valid") ||
	    !cert_url) {
		rc = order_failed(c, done, "was not fulfilled");
		goto out;
	}
	if ((rc = p11c_acme_post(c, cert_url, NULL, 0, "application/pem-certificate-chain", &rep)))
		goto out;
	if (!rep.r.body || !rep.r.body_len) {
		rc = p11c_fail(c->db, P11C_EFAIL, "the ACME server sent an empty certificate");
	} else {
		*chain = (char *)rep.r.body;
		*chain_len = rep.r.body_len;
		rep.r.body = NULL;
		p11c_log(c->db, "certificate downloaded from %s", cert_url);
	}
	p11c_acme_reply_free(&rep);
out:
	json_decref(order);
	json_decref(done);
	json_decref(payload);
	free(text);
	free(thumb);
	free(csr64);
	free(order_url);
	return rc;
}
