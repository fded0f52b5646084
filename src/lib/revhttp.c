/* SPDX-License-Identifier: MPL-2.0 */
/* NSS's HTTP client for OCSP (SEC_HttpClientFcn version 1) on the
 * network module's libcurl (netmod.h): registered once, used by NSS's
 * CERT_CheckOCSPStatus when its cache has no fresh answer.  The module is
 * loaded by the first request, so a verdict that asks nothing loads
 * nothing.  The last answer is kept for revoke.c, which caches it in the
 * database directory once NSS and it have found it good. */
#include <ocsp.h>
#include <secerr.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainint.h"
#include "netmod.h"

#define OCSP_MAX (256 * 1024)

typedef struct {
	char *host;
	PRUint16 port;
} session;

typedef struct {
	session *s;
	char *url;
	char *method;
	unsigned char *post;
	size_t post_len;
	char *content_type;
	p11c_net_resp resp;
	int have_resp;
} request;

/* the last answer: one verdict runs at a time (NSS's verifier is called
 * from one thread per handle in the command) */
static pthread_mutex_t last_lock = PTHREAD_MUTEX_INITIALIZER;
static char *last_url;
static unsigned char *last_body;
static size_t last_len;
static long last_status;
static int timeout_s = 10;

static SECStatus create_session(const char *host, PRUint16 port, SEC_HTTP_SERVER_SESSION *out)
{
	session *s = calloc(1, sizeof(*s));
	if (!s || !(s->host = strdup(host))) {
		free(s);
		return SECFailure;
	}
	s->port = port;
	*out = s;
	return SECSuccess;
}

static SECStatus keep_alive(SEC_HTTP_SERVER_SESSION s, PRPollDesc **poll)
{
	(void)s;
	(void)poll;
	return SECSuccess;
}

static SECStatus free_session(SEC_HTTP_SERVER_SESSION p)
{
	session *s = p;
	if (s)
		free(s->host);
	free(s);
	return SECSuccess;
}

static SECStatus create_request(SEC_HTTP_SERVER_SESSION p, const char *scheme, const char *path,
                                const char *method, const PRIntervalTime timeout,
                                SEC_HTTP_REQUEST_SESSION *out)
{
	(void)timeout; /* NSS's: the command's own limit is timeout_s */
	session *s = p;
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		return SECFailure;
	request *r = calloc(1, sizeof(*r));
	size_t n = strlen(s->host) + strlen(path) + 40;
	if (!r || !(r->url = malloc(n)) || !(r->method = strdup(method))) {
		if (r)
			free(r->url);
		free(r);
		return SECFailure;
	}
	int v6 = strchr(s->host, ':') != NULL;
	snprintf(r->url, n, "%s://%s%s%s:%u%s%s", scheme, v6 ? "[" : "", s->host, v6 ? "]" : "",
	         (unsigned)s->port, path[0] == '/' ? "" : "/", path);
	r->s = s;
	*out = r;
	return SECSuccess;
}

static SECStatus set_post(SEC_HTTP_REQUEST_SESSION p, const char *data, const PRUint32 len,
                          const char *content_type)
{
	request *r = p;
	free(r->post);
	free(r->content_type);
	r->post = malloc(len ? len : 1);
	r->content_type = strdup(content_type ? content_type : "application/ocsp-request");
	if (!r->post || !r->content_type)
		return SECFailure;
	memcpy(r->post, data, len);
	r->post_len = len;
	return SECSuccess;
}

static SECStatus add_header(SEC_HTTP_REQUEST_SESSION p, const char *name, const char *value)
{
	(void)p;
	(void)name;
	(void)value;
	return SECSuccess;
}

static void keep_last(const request *r)
{
	pthread_mutex_lock(&last_lock);
	free(last_url);
	free(last_body);
	last_url = strdup(r->url);
	last_body = NULL;
	last_len = 0;
	last_status = r->resp.status;
	if (r->resp.body_len && (last_body = malloc(r->resp.body_len))) {
		memcpy(last_body, r->resp.body, r->resp.body_len);
		last_len = r->resp.body_len;
	}
	pthread_mutex_unlock(&last_lock);
}

static SECStatus send_receive(SEC_HTTP_REQUEST_SESSION p, PRPollDesc **poll, PRUint16 *code,
                              const char **ctype, const char **headers, const char **data,
                              PRUint32 *len)
{
	request *r = p;
	if (poll)
		*poll = NULL;
	if (r->have_resp)
		return SECFailure;
	p11c_net_req req = {
	    .method = r->post ? "POST" : "GET",
	    .url = r->url,
	    .content_type = r->post ? r->content_type : NULL,
	    .body = r->post,
	    .body_len = r->post_len,
	    .accept = "application/ocsp-response",
	    .timeout = timeout_s,
	    .max_body = OCSP_MAX,
	    .max_redirects = 0,
	};
	char err[512];
	pthread_mutex_lock(&last_lock);
	free(last_url);
	last_url = strdup(r->url);
	pthread_mutex_unlock(&last_lock);
	if (p11c_net_http(&req, &r->resp, err, sizeof(err)) != 0) {
		PORT_SetError(SEC_ERROR_OCSP_SERVER_ERROR);
		return SECFailure;
	}
	r->have_resp = 1;
	keep_last(r);
	if (code)
		*code = (PRUint16)r->resp.status;
	if (ctype)
		*ctype = r->resp.content_type ? r->resp.content_type : "";
	if (headers)
		*headers = "";
	if (data)
		*data = (const char *)r->resp.body;
	if (len)
		*len = (PRUint32)r->resp.body_len;
	return SECSuccess;
}

static SECStatus cancel(SEC_HTTP_REQUEST_SESSION p)
{
	(void)p;
	return SECSuccess;
}

static SECStatus free_request(SEC_HTTP_REQUEST_SESSION p)
{
	request *r = p;
	if (!r)
		return SECSuccess;
	if (r->have_resp)
		p11c_net_resp_free(&r->resp);
	free(r->url);
	free(r->method);
	free(r->post);
	free(r->content_type);
	free(r);
	return SECSuccess;
}

static const SEC_HttpClientFcn client = {
    .version = 1,
    .fcnTable.ftable1 =
        {
            .createSessionFcn = create_session,
            .keepAliveSessionFcn = keep_alive,
            .freeSessionFcn = free_session,
            .createFcn = create_request,
            .setPostDataFcn = set_post,
            .addHeaderFcn = add_header,
            .trySendAndReceiveFcn = send_receive,
            .cancelFcn = cancel,
            .freeFcn = free_request,
        },
};

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void do_register(void)
{
	SEC_RegisterDefaultHttpClient(&client);
	/* POST only: one request a check, the answer keyed by the cache */
	CERT_ForcePostMethodForOCSP(PR_TRUE);
}

void p11c_rev_http_register(int timeout)
{
	pthread_once(&once, do_register);
	timeout_s = timeout > 0 ? timeout : 10;
	CERT_SetOCSPTimeout((PRUint32)timeout_s);
}

void p11c_rev_http_reset(void)
{
	pthread_mutex_lock(&last_lock);
	free(last_url);
	free(last_body);
	last_url = NULL;
	last_body = NULL;
	last_len = 0;
	last_status = 0;
	pthread_mutex_unlock(&last_lock);
}

int p11c_rev_http_last(const char **url, const unsigned char **body, size_t *len, long *status)
{
	*url = last_url;
	*body = last_body;
	*len = last_len;
	*status = last_status;
	return last_url != NULL;
}
