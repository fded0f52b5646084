/* SPDX-License-Identifier: MPL-2.0 */
/* A plain http GET, for the caIssuers URLs of certificates (RFC 5280
 * 4.2.2.1: those are http, and their content is signed anyway). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "net.h"

#define HTTP_HEAD_MAX (16 * 1024)
#define HTTP_REDIRECTS 3

/* The whole answer until the server closes: at most max bytes, before d. */
static int read_all(p11c_db *db, int fd, const p11c_deadline *d, size_t max, char **out,
                    size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL;
	for (;;) {
		if (n == cap) {
			if (cap && cap >= max) {
				free(buf);
				return p11c_fail(db, P11C_EFAIL,
				                 "the http answer is over %zu bytes", max);
			}
			/* 8 KiB, then twice as much each time, up to max */
			size_t more = !cap ? 8192 : cap > max - cap ? max - cap : cap;
			if (!P11C_VEC_RESERVE(buf, n, more + 1)) {
				free(buf);
				return p11c_fail(db, P11C_EFAIL, "out of memory");
			}
			cap += more;
		}
		long r = p11c_net_recv(db, fd, buf + n, cap - n, d);
		if (r < 0) {
			free(buf);
			return P11C_EFAIL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return P11C_OK;
}

/* The value of header name in the head (up to the blank line), or NULL;
 * copied into val; a value too long for val, or with a control character,
 * is "" (there, but unusable). */
static const char *header(const char *head, size_t hlen, const char *name, char *val, size_t size)
{
	size_t n = strlen(name);
	for (const char *p = head; p && p < head + hlen;) {
		const char *nl = memchr(p, '\n', (size_t)(head + hlen - p));
		if (!nl)
			break;
		if (!strncasecmp(p, name, n) && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			size_t l = (size_t)(nl - v);
			while (l && (v[l - 1] == '\r' || v[l - 1] == ' '))
				l--;
			int bad = l >= size;
			for (size_t k = 0; k < l && !bad; k++)
				bad = (unsigned char)v[k] < ' ' || v[k] == 0x7f;
			if (bad) {
				val[0] = '\0';
				return val;
			}
			memcpy(val, v, l);
			val[l] = '\0';
			return val;
		}
		p = nl + 1;
	}
	return NULL;
}

static int get_once(p11c_db *db, const p11c_url *u, int timeout, size_t max, char *location,
                    size_t loc_size, unsigned char **body, size_t *len)
{
	int fd = -1;
	int rc = p11c_net_connect(db, u->host, u->port, timeout, &fd);
	if (rc)
		return rc;
	char req[4096];
	int n = snprintf(req, sizeof(req),
	                 "GET %s HTTP/1.0\r\nHost: %s%s%s\r\nUser-Agent: p11cert\r\n"
	                 "Accept: */*\r\nConnection: close\r\n\r\n",
	                 u->path, strchr(u->host, ':') ? "[" : "", u->host,
	                 strchr(u->host, ':') ? "]" : "");
	char *all = NULL;
	size_t total = 0;
	if (n < 0 || (size_t)n >= sizeof(req))
		rc = p11c_fail(db, P11C_EFAIL, "the URL's path is too long");
	p11c_deadline d = p11c_deadline_in(timeout); /* the request and its whole answer */
	if (rc == P11C_OK && p11c_net_send(db, fd, req, (size_t)n, &d) < 0)
		rc = P11C_EFAIL;
	else if (rc == P11C_OK)
		rc = read_all(db, fd, &d, max + HTTP_HEAD_MAX, &all, &total);
	close(fd);
	if (rc)
		return rc;
	return p11c_http_answer(db, all, total, max, location, loc_size, body, len);
}

int p11c_http_answer(p11c_db *db, char *all, size_t total, size_t max, char *location,
                     size_t loc_size, unsigned char **body, size_t *len)
{
	char *end = strstr(all, "\r\n\r\n");
	size_t skip = 4;
	if (!end) {
		end = strstr(all, "\n\n");
		skip = 2;
	}
	int status = 0;
	if (!end || sscanf(all, "HTTP/%*d.%*d %d", &status) != 1) {
		free(all);
		return p11c_fail(db, P11C_EFAIL, "not an http answer");
	}
	size_t hlen = (size_t)(end - all) + 2;
	if (status >= 300 && status < 400 && header(all, hlen, "Location", location, loc_size)) {
		if (!location[0]) {
			free(all);
			return p11c_fail(db, P11C_EFAIL,
			                 "the redirect is too long, empty or garbled");
		}
		free(all);
		return 1; /* follow */
	}
	if (status != 200) {
		free(all);
		return p11c_fail(db, P11C_EFAIL, "the server answered %d", status);
	}
	size_t off = (size_t)(end - all) + skip;
	*len = total - off;
	if (*len > max) {
		free(all);
		return p11c_fail(db, P11C_EFAIL, "the answer is over %zu bytes", max);
	}
	memmove(all, all + off, *len);
	*body = (unsigned char *)all;
	return P11C_OK;
}

int p11c_http_get(p11c_db *db, const char *url, int timeout, size_t max, unsigned char **body,
                  size_t *len)
{
	char next[2048];
	snprintf(next, sizeof(next), "%s", url);
	for (int hop = 0; hop <= HTTP_REDIRECTS; hop++) {
		p11c_url u;
		int rc = p11c_url_parse(db, next, 1, &u);
		if (rc && hop > 0) {
			char why[sizeof(db->err)];
			snprintf(why, sizeof(why), "%s", p11c_last_error(db));
			return p11c_fail_keep(db, P11C_EFAIL, "%.600s (redirected to %.300s)", why,
			                      next);
		}
		if (rc)
			return rc == P11C_EUSAGE ? P11C_EFAIL : rc;
		p11c_log(db, "fetching http://%s:%d%s", u.host, u.port, u.path);
		char location[2048];
		rc = get_once(db, &u, timeout, max, location, sizeof(location), body, len);
		if (rc < 0 && hop > 0) {
			char why[sizeof(db->err)];
			snprintf(why, sizeof(why), "%s", p11c_last_error(db));
			return p11c_fail_keep(db, rc, "%.600s (redirected to %.300s)", why, next);
		}
		if (rc <= 0)
			return rc;
		int n;
		if (location[0] == '/' && strlen(location) > 1800)
			return p11c_fail(db, P11C_EFAIL, "the redirect is too long");
		if (location[0] == '/')
			n = snprintf(next, sizeof(next), "http://%s%s%s:%d%.1800s",
			             strchr(u.host, ':') ? "[" : "", u.host,
			             strchr(u.host, ':') ? "]" : "", u.port, location);
		else
			n = snprintf(next, sizeof(next), "%s", location);
		if (n < 0 || (size_t)n >= sizeof(next))
			return p11c_fail(db, P11C_EFAIL, "the redirect is too long");
	}
	return p11c_fail(db, P11C_EFAIL, "more than %d redirects", HTTP_REDIRECTS);
}
