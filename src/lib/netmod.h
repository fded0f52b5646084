/* SPDX-License-Identifier: MPL-2.0 */
/* The network half of the library: HTTP(S) requests through libcurl and
 * the http-01 answerer through libmicrohttpd, built as a module of its own
 * (p11cert-net.so, installed in LIBDIR/p11cert/) and loaded by netload.c
 * on the first call: linking libcurl into every run cost each command
 * 5 ms of start-up (its 35 libraries), more than a one-shot command's
 * whole time.  The module calls nothing of libp11cert's: what it reports
 * goes through err (one line, naming the host and the reason). */
#ifndef P11C_NETMOD_H
#define P11C_NETMOD_H

#include <stddef.h>

#pragma GCC visibility push(hidden)

/* One HTTP request. */
typedef struct {
	const char *method;       /* "GET", "POST" or "HEAD" */
	const char *url;          /* http:// or https:// */
	const char *content_type; /* of body ("application/jose+json"), or NULL */
	const unsigned char *body;
	size_t body_len;
	const char *accept;       /* Accept header, or NULL */
	const char *ca_file;      /* PEM CAs for an https server; NULL: the system's store.
	                           * The server's certificate and name are always checked. */
	int timeout;              /* seconds for the whole request, 1..3600 */
	size_t max_body;          /* a longer response is a failure; 0: 1 MiB */
	int max_redirects;        /* redirects followed (0: none; a redirect is then the
	                           * response) */
	const char *user_agent;   /* NULL: "p11cert/VERSION" */
	void (*tick)(void *);     /* called with tick_arg now and then (every second at
	                           * least) while the request waits: a progress line
	                           * kept up; NULL: none */
	void *tick_arg;
} p11c_net_req;

/* Its answer: every field malloc'd or NULL; free with p11c_net_resp_free. */
typedef struct {
	long status;               /* the HTTP status of the last response */
	unsigned char *body;       /* NUL-terminated beyond body_len */
	size_t body_len;
	char *content_type;
	char *location;            /* Location */
	char *replay_nonce;        /* Replay-Nonce */
	char *retry_after;         /* Retry-After, as sent */
	char **links;              /* each Link header value, as sent */
	size_t nlinks;
	char *url;                 /* where the answer came from (after redirects) */
} p11c_net_resp;

/* Do req: 0 with *resp filled whatever the status, or -1 with err (the
 * transfer failed: no answer, TLS refused, too long, time out). */
int p11c_net_http(const p11c_net_req *req, p11c_net_resp *resp, char *err, size_t errlen);
void p11c_net_resp_free(p11c_net_resp *resp);

/* The http-01 answerer: an HTTP server on address (NULL: every address,
 * IPv4 and IPv6) and port that answers GET
 * /.well-known/acme-challenge/TOKEN with the content added for TOKEN
 * (text/plain), 404 for anything else; in a thread of its own until
 * stopped.  0 or -1 with err (port in use, no permission). */
typedef struct p11c_net_http01 p11c_net_http01;
int p11c_net_http01_start(const char *address, int port, p11c_net_http01 **out, char *err,
                          size_t errlen);
/* Answer token with content (copied) from now on; 0 or -1 (memory). */
int p11c_net_http01_add(p11c_net_http01 *s, const char *token, const char *content);
/* Stop answering token. */
void p11c_net_http01_remove(p11c_net_http01 *s, const char *token);
/* Stop the server and free it; NULL is ignored. */
void p11c_net_http01_stop(p11c_net_http01 *s);

/* An ACME challenge token is base64url (RFC 8555 8.3), at most 512
 * characters: never a path of its own, and nothing else is looked up.
 * Inline: both the module and libp11cert's answerers check it. */
static inline int p11c_acme_token_ok(const char *t)
{
	if (!t || !*t)
		return 0;
	size_t n = 0;
	for (; *t; t++, n++)
		if (n >= 512 || !((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') ||
		                  (*t >= '0' && *t <= '9') || *t == '-' || *t == '_'))
			return 0;
	return 1;
}

/* The module's one symbol is this table. */
typedef struct {
	unsigned version; /* P11C_NET_OPS_VERSION */
	int (*http)(const p11c_net_req *, p11c_net_resp *, char *, size_t);
	void (*resp_free)(p11c_net_resp *);
	int (*http01_start)(const char *, int, p11c_net_http01 **, char *, size_t);
	int (*http01_add)(p11c_net_http01 *, const char *, const char *);
	void (*http01_remove)(p11c_net_http01 *, const char *);
	void (*http01_stop)(p11c_net_http01 *);
} p11c_net_ops;
#define P11C_NET_OPS_VERSION 1
#define P11C_NET_OPS_SYMBOL "p11c_net_module_ops"

#pragma GCC visibility pop

#endif
