/* SPDX-License-Identifier: MPL-2.0 */
/* fetch-chain's URLs: the schemes it knows, their ports and how TLS starts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
