/* SPDX-License-Identifier: MPL-2.0 */
/* The http-01 answerer through libmicrohttpd (netmod.h): a server in a
 * thread of its own that answers GET /.well-known/acme-challenge/TOKEN
 * from a table of tokens, 404 for anything else. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "netmod.h"

#define PREFIX "/.well-known/acme-challenge/"

typedef struct {
	char *token;
	char *content;
} entry;

struct p11c_net_http01 {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	entry *tab;
	size_t n, cap;
	char log[256]; /* libmicrohttpd's first message, for a failed start */
};

static void logger(void *cls, const char *fmt, va_list ap)
{
	struct p11c_net_http01 *s = cls;
	if (s->log[0])
		return;
	vsnprintf(s->log, sizeof(s->log), fmt, ap);
	s->log[strcspn(s->log, "\n")] = '\0';
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *text)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
	struct p11c_net_http01 *s = cls;
	(void)version;
	(void)upload;
	/* The first call for a request only announces it: answer on the second,
	 * so a body sent with it (none is expected) has been read. */
	if (!*con_cls) {
		*con_cls = s;
		return MHD_YES;
	}
	*upload_size = 0;
	if ((strcmp(method, "GET") && strcmp(method, "HEAD")) ||
	    strncmp(url, PREFIX, strlen(PREFIX)) || !p11c_acme_token_ok(url + strlen(PREFIX)))
		return reply(c, MHD_HTTP_NOT_FOUND, "not found\n");
	const char *token = url + strlen(PREFIX);
	char *copy = NULL;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->tab[i].token, token)) {
			copy = strdup(s->tab[i].content);
			break;
		}
	pthread_mutex_unlock(&s->lock);
	if (!copy)
		return reply(c, MHD_HTTP_NOT_FOUND, "not found\n");
	enum MHD_Result ret = reply(c, MHD_HTTP_OK, copy);
	free(copy);
	return ret;
}

/* address as a socket address (a numeric IPv4 or IPv6 address). */
static int parse_address(const char *address, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, address, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		return AF_INET;
	}
	const char *a = address;
	char buf[INET6_ADDRSTRLEN + 2];
	size_t len = strlen(a);
	if (len >= 2 && a[0] == '[' && a[len - 1] == ']' && len - 2 < sizeof(buf)) {
		memcpy(buf, a + 1, len - 2);
		buf[len - 2] = '\0';
		a = buf;
	}
	if (inet_pton(AF_INET6, a, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		return AF_INET6;
	}
	return -1;
}

int p11c_net_http01_start(const char *address, int port, p11c_net_http01 **out, char *err,
                          size_t errlen)
{
	*out = NULL;
	if (port < 1 || port > 65535) {
		snprintf(err, errlen, "port %d is not between 1 and 65535", port);
		return -1;
	}
	struct sockaddr_storage ss;
	int family = 0;
	if (address && (family = parse_address(address, port, &ss)) < 0) {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", address);
		return -1;
	}
	struct p11c_net_http01 *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&s->lock, NULL);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	if (family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (address)
		s->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, answer, s,
		                             MHD_OPTION_EXTERNAL_LOGGER, logger, s,
		                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		                             MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
	else {
		s->daemon = MHD_start_daemon(flags | MHD_USE_DUAL_STACK, (uint16_t)port, NULL, NULL,
		                             answer, s, MHD_OPTION_EXTERNAL_LOGGER, logger, s,
		                             MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
		/* A host without IPv6 still answers on IPv4. */
		if (!s->daemon) {
			int e = errno;
			char first[sizeof(s->log)];
			memcpy(first, s->log, sizeof(first));
			s->log[0] = '\0';
			s->daemon =
			    MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, answer, s,
			                     MHD_OPTION_EXTERNAL_LOGGER, logger, s,
			                     MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
			if (!s->daemon && !s->log[0]) {
				memcpy(s->log, first, sizeof(first));
				errno = e;
			}
		}
	}
	if (!s->daemon) {
		int e = errno;
		if (s->log[0])
			snprintf(err, errlen, "cannot answer on %s port %d: %s",
			         address ? address : "every address", port, s->log);
		else
			snprintf(err, errlen, "cannot answer on %s port %d: %s",
			         address ? address : "every address", port,
			         e ? strerror(e) : "the server did not start");
		pthread_mutex_destroy(&s->lock);
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int p11c_net_http01_add(p11c_net_http01 *s, const char *token, const char *content)
{
	if (!s || !p11c_acme_token_ok(token) || !content)
		return -1;
	char *t = strdup(token), *c = strdup(content);
	if (!t || !c)
		goto fail;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->tab[i].token, token)) {
			free(s->tab[i].content);
			s->tab[i].content = c;
			pthread_mutex_unlock(&s->lock);
			free(t);
			return 0;
		}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4;
		entry *tab = realloc(s->tab, cap * sizeof(*tab));
		if (!tab) {
			pthread_mutex_unlock(&s->lock);
			goto fail;
		}
		s->tab = tab;
		s->cap = cap;
	}
	s->tab[s->n].token = t;
	s->tab[s->n].content = c;
	s->n++;
	pthread_mutex_unlock(&s->lock);
	return 0;
fail:
	free(t);
	free(c);
	return -1;
}

void p11c_net_http01_remove(p11c_net_http01 *s, const char *token)
{
	if (!s || !token)
		return;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->tab[i].token, token)) {
			free(s->tab[i].token);
			free(s->tab[i].content);
			s->tab[i] = s->tab[--s->n];
			break;
		}
	pthread_mutex_unlock(&s->lock);
}

void p11c_net_http01_stop(p11c_net_http01 *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->daemon);
	for (size_t i = 0; i < s->n; i++) {
		free(s->tab[i].token);
		free(s->tab[i].content);
	}
	free(s->tab);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
