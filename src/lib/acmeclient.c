/* SPDX-License-Identifier: MPL-2.0 */
/* The talk with an ACME server (RFC 8555 section 6): the directory, nonces
 * (newNonce, then each answer's Replay-Nonce), signed POSTs with the
 * account's kid or the key's jwk, POST-as-GET, badNonce retried a few
 * times, problem documents turned into one line, and polling as
 * Retry-After says within the caller's bound.  Every request goes through
 * the network module (netmod.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acmeint.h"

#define NONCE_TRIES 5
#define ACME_BODY_MAX (4u << 20)

int p11c_acme_opts_read(p11c_db *db, const p11c_acme_opts *in, p11c_acme_conn *out)
{
	out->server = in ? in->server : NULL;
	out->server_ca = in ? in->server_ca : NULL;
	out->timeout = in && in->timeout ? in->timeout : 30;
	out->wait = in && in->wait ? in->wait : 300;
	if (out->server && strncmp(out->server, "https://", 8) != 0)
		return p11c_fail_cf(db, P11C_EUSAGE, P11C_ERR_USAGE, "server",
		                    "the ACME server '%s' is not an https:// URL", out->server);
	return P11C_OK;
}

void p11c_acme_reply_free(p11c_acme_reply *rep)
{
	p11c_net_resp_free(&rep->r);
	json_decref(rep->json);
	memset(rep, 0, sizeof(*rep));
}

static char *short_type(const char *t)
{
	size_t n = strlen(P11C_ACME_ERR_PREFIX);
	return (char *)(t && !strncmp(t, P11C_ACME_ERR_PREFIX, n) ? t + n : t ? t : "error");
}

/* The longest problem text a message carries. */
#define PROBLEM_MAX 400u

char *p11c_acme_problem_text(const json_t *problem)
{
	const char *detail = p11c_acme_str(problem, "detail");
	size_t cap = 512, len = 0;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	len = (size_t)snprintf(s, cap, "%s: %s", short_type(p11c_acme_str(problem, "type")),
	                       detail && *detail ? detail : "no detail");
	if (len >= cap) /* cut: the text is bounded below anyway */
		len = cap - 1;
	const json_t *subs = json_object_get(problem, "subproblems");
	size_t i;
	const json_t *sp;
	json_array_foreach(subs, i, sp)
	{
		const char *id = p11c_acme_str(json_object_get(sp, "identifier"), "value");
		const char *d = p11c_acme_str(sp, "detail");
		const char *t = short_type(p11c_acme_str(sp, "type"));
		size_t need = len + strlen(t) + (id ? strlen(id) : 0) + (d ? strlen(d) : 0) + 32;
		if (need > cap) {
			char *n = realloc(s, need * 2);
			if (!n)
				break;
			s = n;
			cap = need * 2;
		}
		len += (size_t)snprintf(s + len, cap - len, "%s%s%s%s: %s",
		                        i ? "; " : " (subproblems: ", id ? id : "", id ? ": " : "",
		                        t, d ? d : "");
		if (len >= cap)
			len = cap - 1;
	}
	if (i && len + 2 <= cap)
		strcat(s, ")");
	/* One short line whatever the server sent: a control character (an
	 * escape sequence would reach the terminal) becomes a space, and a
	 * 100 KB detail is cut. */
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = ' ';
	if (strlen(s) > PROBLEM_MAX)
		memcpy(s + PROBLEM_MAX - 3, "...", 4);
	return s;
}

int p11c_acme_retry_after(const char *value, int def)
{
	if (!value || !*value)
		return def;
	char *end;
	long v = strtol(value, &end, 10);
	if (end != value && *end == '\0')
		return v < 0 ? def : v > 86400 ? 86400 : (int)v;
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (strptime(value, "%a, %d %b %Y %H:%M:%S GMT", &tm)) {
		long long d = (long long)timegm(&tm) - (long long)time(NULL);
		return d < 0 ? 0 : d > 86400 ? 86400 : (int)d;
	}
	return def;
}

/* One request, the answer's nonce kept; a transfer failure named. */
static int request(p11c_acme_client *c, const char *method, const char *url, const char *body,
                   const char *accept, p11c_acme_reply *rep)
{
	char err[512];
	p11c_net_req req = {
	    .method = method,
	    .url = url,
	    .content_type = body ? "application/jose+json" : NULL,
	    .body = (const unsigned char *)body,
	    .body_len = body ? strlen(body) : 0,
	    .accept = accept,
	    .ca_file = c->ca,
	    .timeout = c->timeout,
	    .max_body = ACME_BODY_MAX,
	    .max_redirects = 0,
	};
	memset(rep, 0, sizeof(*rep));
	/* RFC 8555 6.1: ACME is over HTTPS only; a server's http:// URL for an
	 * authorization or finalize would send the account's signed requests
	 * in the clear */
	if (!url || strncmp(url, "https://", 8))
		return p11c_fail(c->db, P11C_EFAIL,
		                 "the ACME server gave a URL that is not https:// (%.200s)",
		                 url ? url : "none");
	err[0] = '\0';
	if (p11c_net_http(&req, &rep->r, err, sizeof(err)) != 0) {
		p11c_net_resp_free(&rep->r);
		memset(rep, 0, sizeof(*rep));
		return p11c_fail_c(c->db, P11C_EFAIL, P11C_ERR_IO, "ACME server: %s",
		                   err[0] ? err : "the request failed");
	}
	if (rep->r.replay_nonce && *rep->r.replay_nonce) {
		free(c->nonce);
		c->nonce = strdup(rep->r.replay_nonce);
	}
	const char *ct = rep->r.content_type;
	if (ct &&
	    (!strncmp(ct, "application/json", 16) ||
	     !strncmp(ct, "application/problem+json", 24)) &&
	    rep->r.body)
		rep->json = json_loadb((const char *)rep->r.body, rep->r.body_len, 0, NULL);
	return P11C_OK;
}

/* A status of 400 or more as the failure the problem document names. */
static int answer_status(p11c_acme_client *c, const char *url, p11c_acme_reply *rep)
{
	if (rep->r.status >= 200 && rep->r.status < 300)
		return P11C_OK;
	char *text = rep->json ? p11c_acme_problem_text(rep->json) : NULL;
	const char *type = short_type(p11c_acme_str(rep->json, "type"));
	int errc = P11C_ERR_OTHER;
	if (!strcmp(type, "rejectedIdentifier") || !strcmp(type, "malformed") ||
	    !strcmp(type, "unsupportedIdentifier") || !strcmp(type, "badCSR"))
		errc = P11C_ERR_INPUT;
	int rc = p11c_fail_c(c->db, P11C_EFAIL, errc, "ACME server refused %s (HTTP %ld): %s", url,
	                     rep->r.status, text ? text : "no problem document");
	free(text);
	return rc;
}

int p11c_acme_get(p11c_acme_client *c, const char *url, p11c_acme_reply *rep)
{
	int rc = request(c, "GET", url, NULL, NULL, rep);
	if (!rc && (rc = answer_status(c, url, rep)))
		p11c_acme_reply_free(rep);
	return rc;
}

int p11c_acme_client_open(p11c_db *db, const p11c_acme_conn *conn, const char *server,
                          p11c_acme_client *c)
{
	memset(c, 0, sizeof(*c));
	c->db = db;
	c->ca = conn->server_ca;
	c->timeout = conn->timeout;
	c->wait = conn->wait;
	if (!(c->server = strdup(server)))
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	p11c_acme_reply rep;
	int rc = p11c_acme_get(c, server, &rep);
	if (rc)
		return rc;
	if (!json_is_object(rep.json) || !json_is_string(json_object_get(rep.json, "newNonce")))
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                 "'%s' is not an ACME directory (no newNonce)", server);
	else
		c->dir = json_incref(rep.json);
	p11c_acme_reply_free(&rep);
	p11c_log(db, "ACME directory %s read", server);
	return rc;
}

void p11c_acme_client_close(p11c_acme_client *c)
{
	json_decref(c->dir);
	free(c->server);
	free(c->nonce);
	memset(c, 0, sizeof(*c));
}

const char *p11c_acme_dir_url(p11c_acme_client *c, const char *name, int need)
{
	const char *u = p11c_acme_str(c->dir, name);
	if (!u && need)
		p11c_fail(c->db, P11C_EFAIL, "the ACME server's directory has no \"%s\"", name);
	return u;
}

static int fresh_nonce(p11c_acme_client *c)
{
	if (c->nonce)
		return P11C_OK;
	p11c_acme_reply rep;
	const char *url = p11c_acme_dir_url(c, "newNonce", 1);
	if (!url)
		return P11C_EFAIL;
	int rc = request(c, "HEAD", url, NULL, NULL, &rep);
	if (rc)
		return rc;
	if (!c->nonce)
		rc =
		    p11c_fail(c->db, P11C_EFAIL, "the ACME server gave no nonce (HTTP %ld from %s)",
		              rep.r.status, url);
	p11c_acme_reply_free(&rep);
	return rc;
}

int p11c_acme_post(p11c_acme_client *c, const char *url, const char *payload, int jwk,
                   const char *accept, p11c_acme_reply *rep)
{
	memset(rep, 0, sizeof(*rep));
	for (int tries = 0;; tries++) {
		char *jws = NULL;
		int rc = fresh_nonce(c);
		if (rc)
			return rc;
		char *nonce = c->nonce;
		c->nonce = NULL; /* a nonce is good once */
		rc = p11c_acme_jws(c->db, c->key, c->pub, jwk ? NULL : c->kid, nonce, url, payload,
		                   &jws);
		free(nonce);
		if (rc)
			return rc;
		rc = request(c, "POST", url, jws, accept, rep);
		free(jws);
		if (rc)
			return rc;
		const char *type = p11c_acme_str(rep->json, "type");
		if (rep->r.status == 400 && type && !strcmp(short_type(type), "badNonce") &&
		    tries + 1 < NONCE_TRIES) {
			p11c_log(c->db, "the ACME server refused a nonce: trying again");
			p11c_acme_reply_free(rep);
			continue;
		}
		if ((rc = answer_status(c, url, rep)))
			p11c_acme_reply_free(rep);
		return rc;
	}
}

int p11c_acme_poll(p11c_acme_client *c, const char *url, const char *what, json_t **out)
{
	time_t until = time(NULL) + c->wait;
	*out = NULL;
	for (;;) {
		p11c_acme_reply rep;
		int rc = p11c_acme_post(c, url, NULL, 0, NULL, &rep);
		if (rc)
			return rc;
		const char *st = p11c_acme_str(rep.json, "status");
		if (!st) {
			p11c_acme_reply_free(&rep);
			return p11c_fail(c->db, P11C_EFAIL,
			                 "the ACME server's %s at %s has no status", what, url);
		}
		if (strcmp(st, "pending") && strcmp(st, "processing")) {
			*out = json_incref(rep.json);
			p11c_acme_reply_free(&rep);
			return P11C_OK;
		}
		/* st is in rep's body: keep a copy that outlives it */
		const char *still = strcmp(st, "pending") ? "processing" : "pending";
		int delay = p11c_acme_retry_after(rep.r.retry_after, 1);
		p11c_acme_reply_free(&rep);
		if (delay < 1)
			delay = 1;
		if (time(NULL) + delay > until)
			return p11c_fail_c(c->db, P11C_EFAIL, P11C_ERR_IO,
			                   "the ACME server's %s at %s is still %s (it asks for %d s "
			                   "more; the wait is %d s)",
			                   what, url, still, delay, c->wait);
		p11c_progress_tick(c->db);
		struct timespec ts = {delay, 0};
		while (nanosleep(&ts, &ts) != 0)
			;
	}
}
