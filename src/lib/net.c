/* SPDX-License-Identifier: MPL-2.0 */
/* fetch-chain below TLS: URLs, connecting with a time limit, and the
 * plain-text commands that ask a server to start TLS. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net.h"

static const struct {
	const char *name;
	int port;
	int starttls;
} schemes[] = {
    {"smtp", 25, P11C_TLS_SMTP},
    {"submission", 587, P11C_TLS_SMTP},
    {"smtps", 465, P11C_TLS_IMPLICIT},
    {"imap", 143, P11C_TLS_IMAP},
    {"imaps", 993, P11C_TLS_IMPLICIT},
    {"pop3", 110, P11C_TLS_POP3},
    {"pop3s", 995, P11C_TLS_IMPLICIT},
    {"ldap", 389, P11C_TLS_LDAP},
    {"ldaps", 636, P11C_TLS_IMPLICIT},
    {"https", 443, P11C_TLS_IMPLICIT},
    {"http", 80, -1},
};

static int scheme_of(const char *name, int http)
{
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (!strcasecmp(name, schemes[i].name) && (schemes[i].starttls >= 0) != http)
			return (int)i;
	return -1;
}

int p11c_url_parse(p11c_db *db, const char *url, int http, p11c_url *out)
{
	memset(out, 0, sizeof(*out));
	/* A caIssuers URL is the server's text: raw into the http request and
	 * the messages, a CR LF or an escape sequence would go with it. */
	for (const char *c = url; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return p11c_fail(
			    db, P11C_EUSAGE,
			    "a URL with a bad character (a space or control character, "
			    "byte %zu)",
			    (size_t)(c - url) + 1);
	const char *sep = strstr(url, "://");
	size_t slen = sep ? (size_t)(sep - url) : 0;
	if (!sep || slen == 0 || slen >= sizeof(out->scheme))
		return p11c_fail(db, P11C_EUSAGE,
		                 "'%s' is not a URL (use smtp://HOST, imap://HOST:PORT ...)", url);
	memcpy(out->scheme, url, slen);
	int s = scheme_of(out->scheme, http);
	if (s < 0)
		return p11c_fail(db, P11C_EUSAGE,
		                 http
		                     ? "unsupported URL scheme '%s' (http only)"
		                     : "unknown scheme '%s' (smtp, submission, smtps, imap, imaps, "
		                       "pop3, pop3s, ldap, ldaps, https)",
		                 out->scheme);
	for (char *p = out->scheme; *p; p++)
		*p = (char)(*p | 0x20);
	out->port = schemes[s].port;
	out->starttls = schemes[s].starttls;
	const char *h = sep + 3, *end = h + strcspn(h, "/?#");
	const char *hend, *portp = NULL;
	if (memchr(h, '@', (size_t)(end - h)))
		return p11c_fail(db, P11C_EUSAGE, "'%s': a user name has no place here", url);
	if (*h == '[') {
		hend = memchr(h, ']', (size_t)(end - h));
		if (!hend)
			return p11c_fail(db, P11C_EUSAGE, "'%s': unclosed '[' in the host", url);
		if (hend + 1 < end && hend[1] != ':')
			return p11c_fail(db, P11C_EUSAGE, "'%s': junk after ']'", url);
		portp = hend + 1 < end ? hend + 2 : NULL;
		h++;
	} else {
		hend = memchr(h, ':', (size_t)(end - h));
		if (hend)
			portp = hend + 1;
		else
			hend = end;
	}
	size_t hlen = (size_t)(hend - h);
	if (hlen == 0 || hlen >= sizeof(out->host))
		return p11c_fail(db, P11C_EUSAGE, "'%s' has no host name", url);
	memcpy(out->host, h, hlen);
	for (size_t i = 0; i < hlen; i++)
		if ((unsigned char)out->host[i] <= ' ' || out->host[i] == 0x7f)
			return p11c_fail(db, P11C_EUSAGE, "'%s': bad character in the host", url);
	if (portp) {
		long port = 0;
		const char *p = portp;
		for (; p < end && *p >= '0' && *p <= '9' && port <= 65535; p++)
			port = port * 10 + (*p - '0');
		if (p == portp || p != end || port < 1 || port > 65535)
			return p11c_fail(db, P11C_EUSAGE, "'%s': the port must be 1 to 65535", url);
		out->port = (int)port;
	}
	size_t plen = strlen(end);
	if (plen + 2 > sizeof(out->path))
		return p11c_fail(db, P11C_EUSAGE, "'%s': the URL is too long", url);
	snprintf(out->path, sizeof(out->path), "%s%s", *end == '/' ? "" : "/", end);
	return P11C_OK;
}

/* Milliseconds left until deadline (CLOCK_MONOTONIC ms); 0 when passed. */
static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

p11c_deadline p11c_deadline_in(int seconds)
{
	p11c_deadline d = {now_ms() + (long long)seconds * 1000, seconds};
	return d;
}

long long p11c_deadline_left(const p11c_deadline *d)
{
	long long left = d->at - now_ms();
	return left > 0 ? left : 0;
}

/* Wait for events on fd until the deadline: 1 ready, 0 timed out, -1. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = {fd, events, 0};
		int r = poll(&p, 1, left > 3600000 ? 3600000 : (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static int connect_one(const struct addrinfo *ai, long long deadline, int *err)
{
	int fd =
	    socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno == EINPROGRESS) {
		int r = wait_fd(fd, POLLOUT, deadline);
		socklen_t len = sizeof(*err);
		if (r > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) == 0 && *err == 0)
			return fd;
		if (r == 0)
			*err = ETIMEDOUT;
		else if (r < 0)
			*err = errno;
	} else {
		*err = errno;
	}
	close(fd);
	return -1;
}

int p11c_net_connect(p11c_db *db, const char *host, int port, int timeout, int *fd)
{
	struct addrinfo hints, *res = NULL;
	char service[16];
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%d", port);
	int g = getaddrinfo(host, service, &hints, &res);
	if (g != 0)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot resolve '%s': %s", host,
		                   g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
	long long deadline = now_ms() + (long long)timeout * 1000;
	int err = 0;
	*fd = -1;
	for (struct addrinfo *ai = res; ai && *fd < 0; ai = ai->ai_next)
		*fd = connect_one(ai, deadline, &err);
	freeaddrinfo(res);
	if (*fd >= 0) {
		p11c_log(db, "connected to %s port %d", host, port);
		return P11C_OK;
	}
	if (err == ETIMEDOUT)
		return p11c_fail(db, P11C_EFAIL, "cannot connect to %s port %d: no answer in %d s",
		                 host, port, timeout);
	return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot connect to %s port %d: %s", host,
	                   port, strerror(err));
}

long p11c_net_send(p11c_db *db, int fd, const void *data, size_t len, const p11c_deadline *d)
{
	size_t done = 0;
	while (done < len) {
		ssize_t w = send(fd, (const char *)data + done, len - done, MSG_NOSIGNAL);
		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    wait_fd(fd, POLLOUT, d->at) > 0)
			continue;
		p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot send to the server: %s",
		            w < 0 && errno != EAGAIN ? strerror(errno) : "timed out");
		return -1;
	}
	return (long)done;
}

long p11c_net_recv(p11c_db *db, int fd, void *buf, size_t size, const p11c_deadline *d)
{
	for (;;) {
		ssize_t r = recv(fd, buf, size, 0);
		if (r >= 0)
			return (long)r;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot read from the server: %s",
			            strerror(errno));
			return -1;
		}
		int w = wait_fd(fd, POLLIN, d->at);
		if (w <= 0) {
			p11c_fail(db, P11C_EFAIL, "the server did not answer in %d s", d->seconds);
			return -1;
		}
	}
}

/* The dialogue before STARTTLS: lines in, commands out.  Bytes are read one
 * reply at a time and none past the server's go-ahead: anything the server
 * sends after it is refused (it would be read as if it came over TLS). */
typedef struct {
	p11c_db *db;
	int fd;
	int timeout;
	p11c_deadline answer; /* of the reply being read */
	const char *proto;
	char buf[8192];
	size_t len;
} talk;

/* The next line (without CRLF) into line; 0, or an error status. */
static int read_line(talk *t, char *line, size_t size)
{
	for (;;) {
		char *nl = memchr(t->buf, '\n', t->len);
		if (nl) {
			size_t n = (size_t)(nl - t->buf);
			size_t keep = n > 0 && t->buf[n - 1] == '\r' ? n - 1 : n;
			if (keep >= size)
				keep = size - 1;
			memcpy(line, t->buf, keep);
			line[keep] = '\0';
			t->len -= n + 1;
			memmove(t->buf, nl + 1, t->len);
			return P11C_OK;
		}
		if (t->len == sizeof(t->buf))
			return p11c_fail(t->db, P11C_EFAIL, "%s: the server sent an over-long line",
			                 t->proto);
		long r = p11c_net_recv(t->db, t->fd, t->buf + t->len, sizeof(t->buf) - t->len,
		                       &t->answer);
		if (r < 0)
			return P11C_EFAIL;
		if (r == 0)
			return p11c_fail(t->db, P11C_EFAIL,
			                 "%s: the server closed the connection%s", t->proto,
			                 t->len ? " mid-line" : "");
		t->len += (size_t)r;
	}
}

static int say(talk *t, const char *cmd)
{
	p11c_log(t->db, "%s: sending %s", t->proto, cmd);
	char line[256];
	int n = snprintf(line, sizeof(line), "%s\r\n", cmd);
	t->answer = p11c_deadline_in(t->timeout); /* the command's, then its reply's */
	return p11c_net_send(t->db, t->fd, line, (size_t)n, &t->answer) < 0 ? P11C_EFAIL : P11C_OK;
}

/* One line of a reply for the error message: printable and short. */
static const char *shown(char *line)
{
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < ' ' || (unsigned char)*p == 0x7f)
			*p = '?';
	if (strlen(line) > 120)
		strcpy(line + 117, "...");
	return line;
}

/* An SMTP reply: its code, and whether a line offers STARTTLS. */
static int smtp_reply(talk *t, int *code, int *starttls)
{
	char line[1024];
	for (int lines = 0; lines < 200; lines++) {
		int rc = read_line(t, line, sizeof(line));
		if (rc)
			return rc;
		if (strlen(line) < 3 || line[0] < '1' || line[0] > '5' ||
		    (line[3] != '\0' && line[3] != ' ' && line[3] != '-'))
			return p11c_fail(t->db, P11C_EFAIL, "smtp: not an SMTP reply: '%s'",
			                 shown(line));
		*code = atoi(line);
		if (starttls && !strncasecmp(line + 4, "STARTTLS", 8) &&
		    (line[12] == '\0' || line[12] == ' '))
			*starttls = 1;
		if (line[3] != '-')
			return P11C_OK;
	}
	return p11c_fail(t->db, P11C_EFAIL, "smtp: the server's reply does not end");
}

static int smtp(talk *t)
{
	int code = 0, offered = 0, rc;
	char ehlo[300], me[256] = "localhost";
	if ((rc = smtp_reply(t, &code, NULL)))
		return rc;
	if (code != 220)
		return p11c_fail(t->db, P11C_EFAIL, "smtp: the server refused the connection (%d)",
		                 code);
	if (gethostname(me, sizeof(me)) != 0 || !strchr(me, '.'))
		snprintf(me, sizeof(me), "localhost");
	me[sizeof(me) - 1] = '\0';
	snprintf(ehlo, sizeof(ehlo), "EHLO %s", me);
	if ((rc = say(t, ehlo)) || (rc = smtp_reply(t, &code, &offered)))
		return rc;
	if (code != 250)
		return p11c_fail(t->db, P11C_EFAIL, "smtp: the server refused EHLO (%d)", code);
	if (!offered)
		return p11c_fail(t->db, P11C_EFAIL, "smtp: the server does not offer STARTTLS");
	if ((rc = say(t, "STARTTLS")) || (rc = smtp_reply(t, &code, NULL)))
		return rc;
	if (code != 220)
		return p11c_fail(t->db, P11C_EFAIL, "smtp: the server refused STARTTLS (%d)", code);
	return P11C_OK;
}

/* Whether the words of text hold word (case-insensitive). */
static int has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = text; (p = strcasestr(p, word)); p += n)
		if ((p == text || p[-1] == ' ' || p[-1] == '[') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == ']'))
			return 1;
	return 0;
}

/* An IMAP command's tagged reply; *offered when an untagged line offers
 * STARTTLS.  *ok: the tagged status is OK. */
static int imap_command(talk *t, const char *tag, const char *cmd, int *offered, int *ok)
{
	char out[64], line[2048];
	snprintf(out, sizeof(out), "%s %s", tag, cmd);
	int rc = say(t, out);
	size_t tl = strlen(tag);
	for (int lines = 0; rc == P11C_OK && lines < 1000; lines++) {
		if ((rc = read_line(t, line, sizeof(line))))
			return rc;
		if (!strncmp(line, "* ", 2)) {
			if (offered && has_word(line, "STARTTLS"))
				*offered = 1;
			continue;
		}
		if (!strncmp(line, tag, tl) && line[tl] == ' ') {
			*ok = !strncasecmp(line + tl + 1, "OK", 2);
			return P11C_OK;
		}
		return p11c_fail(t->db, P11C_EFAIL, "imap: unexpected reply '%s'", shown(line));
	}
	return rc ? rc : p11c_fail(t->db, P11C_EFAIL, "imap: the reply does not end");
}

static int imap(talk *t)
{
	char line[2048];
	int offered = 0, ok = 0;
	int rc = read_line(t, line, sizeof(line));
	if (rc)
		return rc;
	if (strncasecmp(line, "* OK", 4))
		return p11c_fail(t->db, P11C_EFAIL, "imap: the server greeted with '%s'",
		                 shown(line));
	if ((rc = imap_command(t, "a1", "CAPABILITY", &offered, &ok)))
		return rc;
	if (!offered)
		return p11c_fail(t->db, P11C_EFAIL, "imap: the server does not offer STARTTLS");
	if ((rc = imap_command(t, "a2", "STARTTLS", NULL, &ok)))
		return rc;
	if (!ok)
		return p11c_fail(t->db, P11C_EFAIL, "imap: the server refused STARTTLS");
	return P11C_OK;
}

static int pop3(talk *t)
{
	char line[2048];
	int rc = read_line(t, line, sizeof(line));
	if (rc)
		return rc;
	if (strncmp(line, "+OK", 3))
		return p11c_fail(t->db, P11C_EFAIL, "pop3: the server greeted with '%s'",
		                 shown(line));
	int offered = -1; /* not known: a server without CAPA may still have STLS */
	if ((rc = say(t, "CAPA")) || (rc = read_line(t, line, sizeof(line))))
		return rc;
	if (!strncmp(line, "+OK", 3)) {
		offered = 0;
		for (int lines = 0;; lines++) {
			if (lines > 1000)
				return p11c_fail(t->db, P11C_EFAIL, "pop3: CAPA does not end");
			if ((rc = read_line(t, line, sizeof(line))))
				return rc;
			if (!strcmp(line, "."))
				break;
			if (!strncasecmp(line, "STLS", 4) && (line[4] == '\0' || line[4] == ' '))
				offered = 1;
		}
	}
	if (offered == 0)
		return p11c_fail(t->db, P11C_EFAIL, "pop3: the server does not offer STLS");
	if ((rc = say(t, "STLS")) || (rc = read_line(t, line, sizeof(line))))
		return rc;
	if (strncmp(line, "+OK", 3))
		return p11c_fail(t->db, P11C_EFAIL, "pop3: the server refused STLS: '%s'",
		                 shown(line));
	return P11C_OK;
}

/* Read exactly n bytes into the talk buffer's end. */
static int read_exact(talk *t, size_t n)
{
	if (t->len + n > sizeof(t->buf))
		return p11c_fail(t->db, P11C_EFAIL, "ldap: the server's answer is too long");
	while (n) {
		long r = p11c_net_recv(t->db, t->fd, t->buf + t->len, n, &t->answer);
		if (r < 0)
			return P11C_EFAIL;
		if (r == 0)
			return p11c_fail(t->db, P11C_EFAIL,
			                 "ldap: the server closed the connection");
		t->len += (size_t)r;
		n -= (size_t)r;
	}
	return P11C_OK;
}

/* A BER element's tag and length at *p (within end); *p moves to its
 * contents.  0, or -1 when it does not fit. */
static int ber_next(const unsigned char **p, const unsigned char *end, unsigned *tag, size_t *len)
{
	if (end - *p < 2)
		return -1;
	*tag = *(*p)++;
	size_t l = *(*p)++;
	if (l & 0x80) {
		unsigned n = l & 0x7f;
		if (n == 0 || n > 3 || (size_t)(end - *p) < n)
			return -1;
		for (l = 0; n; n--)
			l = (l << 8) | *(*p)++;
	}
	if ((size_t)(end - *p) < l)
		return -1;
	*len = l;
	return 0;
}

/* RFC 4511 4.14: ExtendedRequest with requestName 1.3.6.1.4.1.1466.20037,
 * and the ExtendedResponse's resultCode. */
static int ldap(talk *t)
{
	static const unsigned char req[] = {
	    0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16, '1', '.', '3', '.', '6', '.', '1',
	    '.',  '4',  '.',  '1',  '.',  '1',  '4',  '6',  '6',  '.', '2', '0', '0', '3', '7'};
	p11c_log(t->db, "ldap: sending the StartTLS extended request");
	t->answer = p11c_deadline_in(t->timeout);
	if (p11c_net_send(t->db, t->fd, req, sizeof(req), &t->answer) < 0)
		return P11C_EFAIL;
	int rc = read_exact(t, 2);
	if (rc)
		return rc;
	unsigned char b1 = (unsigned char)t->buf[1];
	if ((unsigned char)t->buf[0] != 0x30 || b1 == 0x80 || b1 > 0x83)
		return p11c_fail(t->db, P11C_EFAIL, "ldap: the server's answer is not LDAP");
	if (b1 & 0x80 && (rc = read_exact(t, b1 & 0x7f)))
		return rc;
	size_t body = b1 & 0x80 ? 0 : b1;
	for (unsigned i = 0; b1 & 0x80 && i < (b1 & 0x7fu); i++)
		body = (body << 8) | (unsigned char)t->buf[2 + i];
	if ((rc = read_exact(t, body)))
		return rc;
	const unsigned char *p = (const unsigned char *)t->buf, *end = p + t->len;
	unsigned tag;
	size_t len;
	long result = -1; /* up to four bytes of an ENUMERATED: 0 to 2^32 - 1 here */
	if (ber_next(&p, end, &tag, &len) == 0 && tag == 0x30 &&
	    ber_next(&p, end, &tag, &len) == 0 && tag == 0x02 && (p += len) <= end &&
	    ber_next(&p, end, &tag, &len) == 0 && tag == 0x78 &&
	    ber_next(&p, end, &tag, &len) == 0 && tag == 0x0a && len >= 1 && len <= 4) {
		result = 0;
		for (size_t i = 0; i < len; i++)
			result = (result << 8) | p[i];
	}
	t->len = 0;
	if (result < 0)
		return p11c_fail(t->db, P11C_EFAIL,
		                 "ldap: the server's answer to StartTLS is not "
		                 "an extended response");
	if (result != 0)
		return p11c_fail(t->db, P11C_EFAIL,
		                 "ldap: the server refused StartTLS "
		                 "(resultCode %ld%s)",
		                 result,
		                 result == 2 ? ", protocolError: "
		                               "no StartTLS here"
		                             : "");
	return P11C_OK;
}

/* A TLS server waits for the ClientHello; a mail server greets at once.
 * What comes before the handshake is shown, with the schemes to use. */
static int quiet_before_tls(p11c_db *db, int fd, const p11c_url *u)
{
	if (wait_fd(fd, POLLIN, now_ms() + 250) <= 0)
		return P11C_OK;
	char peek[64];
	ssize_t n = recv(fd, peek, sizeof(peek) - 1, MSG_PEEK);
	if (n <= 0)
		return P11C_OK; /* closed: the handshake says so */
	peek[n] = '\0';
	peek[strcspn(peek, "\r\n")] = '\0';
	return p11c_fail(db, P11C_EFAIL,
	                 "%s port %d speaks plain text first ('%s'), not TLS: for STARTTLS use "
	                 "smtp://, submission://, imap://, pop3:// or ldap://",
	                 u->host, u->port, shown(peek));
}

int p11c_net_starttls(p11c_db *db, int fd, const p11c_url *u, int timeout)
{
	if (u->starttls == P11C_TLS_IMPLICIT)
		return quiet_before_tls(db, fd, u);
	talk *t = calloc(1, sizeof(*t));
	if (!t)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	t->db = db;
	t->fd = fd;
	t->timeout = timeout;
	t->answer = p11c_deadline_in(timeout); /* the greeting's */
	t->proto = u->scheme;
	int rc = u->starttls == P11C_TLS_SMTP   ? smtp(t)
	         : u->starttls == P11C_TLS_IMAP ? imap(t)
	         : u->starttls == P11C_TLS_POP3 ? pop3(t)
	                                        : ldap(t);
	if (rc == P11C_OK && t->len)
		rc = p11c_fail(db, P11C_EFAIL,
		               "%s: the server sent data after agreeing to start TLS; refusing it",
		               u->scheme);
	free(t);
	return rc;
}
