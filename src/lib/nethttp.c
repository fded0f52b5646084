/* SPDX-License-Identifier: MPL-2.0 */
/* HTTP(S) requests through libcurl (netmod.h): one easy handle a request,
 * the server's certificate and name always checked, http and https only
 * (redirects too), the answer's size bounded while it arrives.  Proxies
 * are curl's own business: its http_proxy, HTTPS_PROXY, no_proxy
 * variables work as for curl(1), since CURLOPT_PROXY is left unset. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "netmod.h"
#include "vec.h"

#define NET_MAX_BODY_DEFAULT (1024 * 1024)
/* One response's header lines in all: ACME's are a few hundred bytes. */
#define NET_MAX_HEAD (64 * 1024)
#define NET_MAX_LINKS 64
#define NET_TIMEOUT_DEFAULT 30
#define NET_TIMEOUT_MAX 3600

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

enum { ABORT_NONE, ABORT_BODY, ABORT_HEAD, ABORT_MEMORY, ABORT_LOCATION };

/* What the callbacks collect for one request. */
typedef struct {
	p11c_net_resp *resp;
	size_t max_body;
	size_t head_len; /* of the current response's header lines */
	int status;      /* of the current response, from its status line */
	int timeout;     /* seconds, for messages */
	int follow;      /* redirects are followed */
	int abort;       /* ABORT_*: why a callback stopped the transfer */
} transfer;

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	transfer *t = arg;
	p11c_net_resp *r = t->resp;
	size_t n = size * nmemb;
	if (n > t->max_body - r->body_len) {
		t->abort = ABORT_BODY;
		return 0;
	}
	/* one more for the NUL the header promises */
	unsigned char *at = P11C_VEC_RESERVE(r->body, r->body_len, n + 1);
	if (!at) {
		t->abort = ABORT_MEMORY;
		return 0;
	}
	memcpy(at, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
	return n;
}

/* Forget what an earlier response of the same request (a redirect, a
 * 100 Continue) said: the fields describe the last one. */
static void forget_headers(p11c_net_resp *r)
{
	free(r->content_type);
	free(r->location);
	free(r->replay_nonce);
	free(r->retry_after);
	for (size_t i = 0; i < r->nlinks; i++)
		free(r->links[i]);
	free(r->links);
	r->content_type = r->location = r->replay_nonce = r->retry_after = NULL;
	r->links = NULL;
	r->nlinks = 0;
}

/* The value of a header line "Name: value\r\n" if its name is name, with
 * the blanks around it gone; NULL when it is another header, or "" when
 * the value holds a control character (there, but not usable). */
static char *header_value(const char *line, size_t len, const char *name, int *found)
{
	size_t n = strlen(name);
	*found = 0;
	if (len <= n || strncasecmp(line, name, n) || line[n] != ':')
		return NULL;
	*found = 1;
	const char *v = line + n + 1, *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (const char *p = v; p < end; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return strdup("");
	return strndup(v, (size_t)(end - v));
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	transfer *t = arg;
	p11c_net_resp *r = t->resp;
	size_t n = size * nmemb;
	if (n >= 5 && !strncmp(data, "HTTP/", 5)) {
		forget_headers(r);
		t->head_len = 0;
		/* and its body, should curl have passed one on */
		r->body_len = 0;
		if (r->body)
			r->body[0] = '\0';
		if (sscanf(data, "HTTP/%*s %3d", &t->status) != 1)
			t->status = 0;
	}
	t->head_len += n;
	if (t->head_len > NET_MAX_HEAD) {
		t->abort = ABORT_HEAD;
		return 0;
	}
	static const char *const names[] = {"Content-Type", "Location", "Replay-Nonce",
	                                     "Retry-After", "Link"};
	char **fields[] = {&r->content_type, &r->location, &r->replay_nonce, &r->retry_after,
	                   NULL};
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		int found;
		char *v = header_value(data, n, names[i], &found);
		if (!found)
			continue;
		if (!v) {
			t->abort = ABORT_MEMORY;
			return 0;
		}
		if (fields[i] == &r->location && !*v && t->follow && t->status >= 300 &&
		    t->status < 400) {
			/* not left to curl's reading of it: a redirect to that is refused */
			free(v);
			t->abort = ABORT_LOCATION;
			return 0;
		}
		if (fields[i]) {
			/* a repeated header: the last one counts */
			free(*fields[i]);
			*fields[i] = v;
		} else if (r->nlinks >= NET_MAX_LINKS) {
			free(v);
		} else {
			char **slot = P11C_VEC_PUSH(r->links, r->nlinks);
			if (!slot) {
				free(v);
				t->abort = ABORT_MEMORY;
				return 0;
			}
			*slot = v;
		}
		break;
	}
	return n;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	const p11c_net_req *req = arg;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	req->tick(req->tick_arg);
	return 0;
}

/* "host:port" of url (brackets kept around an IPv6 address), or "host";
 * 0, or -1 when url names no host (file:). */
static int where(const char *url, char *out, size_t size, int with_port)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	int rc = -1;
	if (u && !curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) &&
	    !curl_url_get(u, CURLUPART_HOST, &host, 0) && host[0] &&
	    (!with_port || !curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT))) {
		if (with_port)
			snprintf(out, size, "%s:%s", host, port);
		else
			snprintf(out, size, "%s", host);
		rc = 0;
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

/* The one-line reason of a failed transfer, naming the server that failed
 * (after any redirects). */
static void failure(CURL *h, const p11c_net_req *req, const transfer *t, CURLcode rc,
                    const char *curlerr, char *err, size_t errlen)
{
	char *at = NULL;
	char host[300], redirected[300] = "";
	int with_port = !(t->abort == ABORT_BODY || rc == CURLE_FILESIZE_EXCEEDED);
	if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &at) != CURLE_OK || !at)
		at = (char *)req->url;
	/* after a redirect, where it led */
	if (strcmp(at, req->url))
		snprintf(redirected, sizeof(redirected), " (redirected to '%.200s')", at);
	/* a URL without a host (file:) is named after the server that sent it */
	if (where(at, host, sizeof(host), with_port) &&
	    where(req->url, host, sizeof(host), with_port))
		snprintf(host, sizeof(host), "'%.200s'", req->url);
	if (!with_port)
		snprintf(err, errlen, "response from %s longer than %zu bytes", host, t->max_body);
	else if (t->abort == ABORT_HEAD)
		snprintf(err, errlen, "%s: response headers longer than %d bytes", host,
		         NET_MAX_HEAD);
	else if (t->abort == ABORT_MEMORY)
		snprintf(err, errlen, "%s: out of memory", host);
	else if (t->abort == ABORT_LOCATION)
		snprintf(err, errlen, "%s: the redirect's Location is garbled", host);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(err, errlen, "%s: did not answer in %d s (%s)%s", host, t->timeout,
		         curlerr[0] ? curlerr : curl_easy_strerror(rc), redirected);
	else
		snprintf(err, errlen, "%s: %s%s", host, curlerr[0] ? curlerr : curl_easy_strerror(rc),
		         redirected);
}

/* Set what every request has: checks, limits, callbacks. */
static CURLcode configure(CURL *h, const p11c_net_req *req, transfer *t, char *curlerr)
{
	CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                                          \
	do {                                                                                   \
		if (rc == CURLE_OK)                                                            \
			rc = curl_easy_setopt(h, opt, val);                                    \
	} while (0)
	SET(CURLOPT_ERRORBUFFER, curlerr);
	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TIMEOUT, (long)t->timeout);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (req->ca_file) {
		/* that file alone: a private CA's server is not also trusted through
		 * the system's directory, nor the system's CAs for it */
		SET(CURLOPT_CAINFO, req->ca_file);
		SET(CURLOPT_CAPATH, (char *)NULL);
	}
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	SET(CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if (req->max_redirects > 0) {
		SET(CURLOPT_FOLLOWLOCATION, 1L);
		SET(CURLOPT_MAXREDIRS, (long)req->max_redirects);
	}
	/* refused before the body comes when the server announces its length
	 * (a HEAD's length is of a body that does not come) */
	if (strcmp(req->method, "HEAD"))
		SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->max_body);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, t);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, t);
	SET(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	if (req->tick) {
		SET(CURLOPT_XFERINFOFUNCTION, on_progress);
		SET(CURLOPT_XFERINFODATA, (void *)req);
		SET(CURLOPT_NOPROGRESS, 0L);
	}
	SET(CURLOPT_USERAGENT, req->user_agent ? req->user_agent : "p11cert/" P11C_VERSION);
	if (!strcmp(req->method, "GET")) {
		SET(CURLOPT_HTTPGET, 1L);
	} else if (!strcmp(req->method, "HEAD")) {
		SET(CURLOPT_NOBODY, 1L);
	} else {
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		SET(CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
	}
#undef SET
	return rc;
}

/* "Name: value" at the end of *list ("Name:" alone, for an empty value,
 * removes curl's own header of that name). */
static CURLcode add_header(struct curl_slist **list, const char *name, const char *value)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "%s:%s%s", name, *value ? " " : "", value);
	if (n < 0 || (size_t)n >= sizeof(line) || strpbrk(value, "\r\n"))
		return CURLE_BAD_FUNCTION_ARGUMENT;
	struct curl_slist *more = curl_slist_append(*list, line);
	if (!more)
		return CURLE_OUT_OF_MEMORY;
	*list = more;
	return CURLE_OK;
}

int p11c_net_http(const p11c_net_req *req, p11c_net_resp *resp, char *err, size_t errlen)
{
	char curlerr[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = NULL;
	transfer t = {.resp = resp};
	CURL *h = NULL;
	int ret = -1;
	memset(resp, 0, sizeof(*resp));
	if (!req || !req->url || !req->method ||
	    (strcmp(req->method, "GET") && strcmp(req->method, "POST") &&
	     strcmp(req->method, "HEAD"))) {
		snprintf(err, errlen, "bad HTTP request (method %s)",
		         req && req->method ? req->method : "none");
		return -1;
	}
	t.max_body = req->max_body ? req->max_body : NET_MAX_BODY_DEFAULT;
	t.timeout = req->timeout <= 0 ? NET_TIMEOUT_DEFAULT
	          : req->timeout > NET_TIMEOUT_MAX ? NET_TIMEOUT_MAX : req->timeout;
	t.follow = req->max_redirects > 0;
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		snprintf(err, errlen, "cannot start libcurl: %s", curl_easy_strerror(global_rc));
		return -1;
	}
	h = curl_easy_init();
	if (!h) {
		snprintf(err, errlen, "cannot start libcurl: out of memory");
		return -1;
	}
	CURLcode rc = configure(h, req, &t, curlerr);
	/* no "Expect: 100-continue" wait before a POST's body */
	if (rc == CURLE_OK)
		rc = add_header(&headers, "Expect", "");
	if (rc == CURLE_OK && req->content_type)
		rc = add_header(&headers, "Content-Type", req->content_type);
	if (rc == CURLE_OK && req->accept)
		rc = add_header(&headers, "Accept", req->accept);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "cannot set up the request to %s: %s", req->url,
		         curlerr[0] ? curlerr : curl_easy_strerror(rc));
		goto out;
	}
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		failure(h, req, &t, rc, curlerr, err, errlen);
		goto out;
	}
	char *url = NULL;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &url);
	if (url && !(resp->url = strdup(url))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (!resp->body && !(resp->body = calloc(1, 1))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ret = 0;
out:
	if (ret) {
		p11c_net_resp_free(resp);
		/* curl's text may quote the server (a scheme, a name): one line of
		 * plain characters, whatever it sent */
		for (char *p = err; errlen && *p; p++)
			if ((unsigned char)*p < ' ' || *p == 0x7f)
				*p = '?';
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	return ret;
}

void p11c_net_resp_free(p11c_net_resp *resp)
{
	if (!resp)
		return;
	forget_headers(resp);
	free(resp->body);
	free(resp->url);
	memset(resp, 0, sizeof(*resp));
}
