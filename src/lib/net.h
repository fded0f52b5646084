/* SPDX-License-Identifier: MPL-2.0 */
/* What fetch-chain needs below TLS: URLs (url.c), TCP with time limits
 * (timedio.c), the plain-text talk before STARTTLS (starttls.c) and the
 * caIssuers GET (http.c, through p11cert-net.so). */
#ifndef P11C_NET_H
#define P11C_NET_H

#include <stddef.h>

#include "internal.h"

/* Not part of the ABI: libp11cert exports only the API in p11cert.h. */
#pragma GCC visibility push(hidden)

/* How the TLS session starts after connecting. */
enum {
	P11C_TLS_IMPLICIT, /* at once: smtps, imaps, pop3s, ldaps, https */
	P11C_TLS_SMTP,     /* EHLO, STARTTLS */
	P11C_TLS_IMAP,     /* CAPABILITY, STARTTLS */
	P11C_TLS_POP3,     /* CAPA, STLS */
	P11C_TLS_LDAP      /* the StartTLS extended operation */
};

/* A parsed URL: scheme, host (no brackets), port, path ("/" at least). */
typedef struct {
	char scheme[16];
	char host[256];
	int port;
	int starttls; /* P11C_TLS_* */
	char path[2048];
} p11c_url;

/* Parse url; the schemes fetch-chain knows, or "http" when http is set.
 * P11C_EUSAGE for an unknown scheme or a malformed URL. */
int p11c_url_parse(p11c_db *db, const char *url, int http, p11c_url *out);

/* Connect to host:port within timeout seconds (each address in turn);
 * *fd is a connected, non-blocking socket. */
int p11c_net_connect(p11c_db *db, const char *host, int port, int timeout, int *fd);

/* A time limit for one whole answer, however the server spaces its bytes
 * (a limit per read let a server sending a byte a second hold on for ever). */
typedef struct {
	long long at; /* CLOCK_MONOTONIC, ms */
	int seconds;  /* for messages */
} p11c_deadline;
p11c_deadline p11c_deadline_in(int seconds);
/* Milliseconds left before d; 0 once it has passed. */
long long p11c_deadline_left(const p11c_deadline *d);

/* CLOCK_MONOTONIC in ms; wait for events on fd until deadline (ms on that
 * clock): 1 ready, 0 timed out, -1 on error. */
long long p11c_now_ms(void);
int p11c_wait_fd(int fd, short events, long long deadline);

/* Send all of data; read what is there (at most size bytes, 0 at the end
 * of the stream); both before d.  Return the count, or -1 with the reason
 * in db. */
long p11c_net_send(p11c_db *db, int fd, const void *data, size_t len, const p11c_deadline *d);
long p11c_net_recv(p11c_db *db, int fd, void *buf, size_t size, const p11c_deadline *d);

/* Talk the protocol up to the point where TLS starts. */
int p11c_net_starttls(p11c_db *db, int fd, const p11c_url *u, int timeout);

/* GET url through the network module's libcurl (http.c): redirects
 * followed a few times (http and https only), at most max bytes of body,
 * within timeout seconds in all; a status other than 200 is a failure;
 * *body malloc'd. */
int p11c_http_get(p11c_db *db, const char *url, int timeout, size_t max, unsigned char **body,
                  size_t *len);

#pragma GCC visibility pop

#endif
