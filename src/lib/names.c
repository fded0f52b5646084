/* SPDX-License-Identifier: MPL-2.0 */
/* Text forms the user gives: subject fields, SAN lists, key types, trust. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DNS_LABEL_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"

static int append(char **buf, size_t *len, const char *s, size_t n)
{
	char *at = P11C_VEC_RESERVE(*buf, *len, n + 1); /* its NUL zeroed */
	if (!at)
		return -1;
	memcpy(at, s, n);
	*len += n;
	return 0;
}

/* RFC 4514 section 2.4 escaping of one attribute value. */
static int append_value(char **buf, size_t *len, const char *v)
{
	size_t n = strlen(v);
	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		int esc = strchr(",+\"\\<>;=", c) != NULL || (i == 0 && (c == '#' || c == ' ')) ||
		          (i == n - 1 && c == ' ');
		if ((esc && append(buf, len, "\\", 1)) || append(buf, len, &c, 1))
			return -1;
	}
	return 0;
}

int p11c_country_ok(const char *c)
{
	return !c || !*c ||
	       (strlen(c) == 2 && isalpha((unsigned char)c[0]) && isalpha((unsigned char)c[1]));
}

int p11c_dn_format(const p11c_dn_fields *f, char **out)
{
	P11C_ARGS(NULL, P11C_PTR(f), P11C_OPTS_SIZE(f, P11C_DN_FIELDS_V1), P11C_OUT(out),
	          P11C_FIELD_NAME(f, cn));
	const struct {
		const char *key;
		const char *val;
	} parts[] = {{"CN", f->cn}, {"OU", f->ou}, {"O", f->o},
	             {"L", f->l},   {"ST", f->st}, {"C", f->c}};
	char *buf = NULL;
	size_t len = 0;
	*out = NULL;
	if (!f->cn || !*f->cn)
		return P11C_EUSAGE;
	if (!p11c_country_ok(f->c))
		return P11C_EUSAGE;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (!parts[i].val || !*parts[i].val)
			continue;
		if ((len && append(&buf, &len, ",", 1)) ||
		    append(&buf, &len, parts[i].key, strlen(parts[i].key)) ||
		    append(&buf, &len, "=", 1) || append_value(&buf, &len, parts[i].val)) {
			free(buf);
			return P11C_EFAIL;
		}
	}
	*out = buf;
	return P11C_OK;
}

int p11c_looks_like_hostname(const char *s)
{
	size_t n = strlen(s), label = 0;
	int dots = 0;
	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			dots++;
			label = 0;
		} else if (isalnum(c) || c == '-' || (c == '*' && i == 0 && s[1] == '.')) {
			if (c == '-' && label == 0)
				return 0;
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return dots > 0 && label > 0;
}

void p11c_san_free(p11c_san *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i].text);
	free(s);
}

static int san_one(const char *item, size_t n, p11c_san *s, char *err, size_t errlen)
{
	static const struct {
		const char *prefix;
		int type;
	} kinds[] = {{"dns:", P11C_SAN_DNS},
	             {"ip:", P11C_SAN_IP},
	             {"email:", P11C_SAN_EMAIL},
	             {"uri:", P11C_SAN_URI}};
	memset(s, 0, sizeof(*s));
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t pl = strlen(kinds[k].prefix);
		if (n < pl || strncasecmp(item, kinds[k].prefix, pl))
			continue;
		s->type = kinds[k].type;
		s->text = strndup(item + pl, n - pl);
		if (!s->text) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (!*s->text) {
			snprintf(err, errlen, "empty SAN '%.*s'", (int)n, item);
			return -1;
		}
		if (s->type == P11C_SAN_IP) {
			if (inet_pton(AF_INET, s->text, s->ip) == 1) {
				s->ip_len = 4;
			} else if (inet_pton(AF_INET6, s->text, s->ip) == 1) {
				s->ip_len = 16;
			} else {
				snprintf(err, errlen, "invalid IP address '%s' in SAN", s->text);
				return -1;
			}
		} else if (s->type == P11C_SAN_DNS && !p11c_looks_like_hostname(s->text) &&
		           strspn(s->text, DNS_LABEL_CHARS) != strlen(s->text)) {
			snprintf(err, errlen, "invalid DNS name '%s' in SAN", s->text);
			return -1;
		} else if (s->type == P11C_SAN_EMAIL && !strchr(s->text, '@')) {
			snprintf(err, errlen, "invalid email address '%s' in SAN", s->text);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "SAN '%.*s' must start with dns:, ip:, email: or uri:", (int)n, item);
	return -1;
}

int p11c_san_parse(const char *text, p11c_san **out, size_t *n, char *err, size_t errlen)
{
	p11c_san *list = NULL;
	size_t count = 0;
	*out = NULL;
	*n = 0;
	if (strlen(text) > P11C_SAN_TEXT_MAX) {
		snprintf(err, errlen, "the SAN list is longer than %d bytes", P11C_SAN_TEXT_MAX);
		return P11C_EUSAGE;
	}
	for (const char *p = text; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		while (len > 0 && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		if (len > 0 && count == P11C_SAN_MAX) {
			snprintf(err, errlen, "more than %d SANs", P11C_SAN_MAX);
			goto fail;
		}
		if (len > 0) {
			if (!P11C_VEC_RESERVE(list, count, 1)) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			if (san_one(p, len, &list[count], err, errlen) < 0) {
				count++;
				goto fail;
			}
			count++;
		}
		p = comma ? comma + 1 : NULL;
	}
	*out = list;
	*n = count;
	return P11C_OK;
fail:
	p11c_san_free(list, count);
	return P11C_EUSAGE;
}

int p11c_key_type_parse(const char *text, p11c_key_spec *out, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		int bits;
	} curves[] = {{"p256", 256}, {"p384", 384}, {"p521", 521}};
	memset(out, 0, sizeof(*out));
	if (!text || !strcmp(text, "rsa")) {
		out->kind = P11C_KEY_RSA;
		out->bits = 2048;
		return P11C_OK;
	}
	if (!strncmp(text, "rsa:", 4)) {
		char *end;
		long bits = strtol(text + 4, &end, 10);
		if (*end || end == text + 4 || bits < 1 || bits > 8192 || bits % 1024) {
			snprintf(err, errlen,
			         "invalid RSA key size in '%s' (2048 to 8192, in steps of 1024)",
			         text);
			return P11C_EUSAGE;
		}
		if (bits < 2048) {
			snprintf(err, errlen, "RSA keys below 2048 bits are refused ('%s')", text);
			return P11C_EUSAGE;
		}
		out->kind = P11C_KEY_RSA;
		out->bits = (int)bits;
		return P11C_OK;
	}
	if (!strncmp(text, "ec:", 3)) {
		for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
			if (!strcmp(text + 3, curves[i].name)) {
				out->kind = P11C_KEY_EC;
				out->bits = curves[i].bits;
				out->curve = curves[i].name;
				return P11C_OK;
			}
		}
	}
	snprintf(err, errlen,
	         "unknown key type '%s' (rsa:2048, rsa:3072, rsa:4096, ec:p256, ec:p384, ec:p521)",
	         text);
	return P11C_EUSAGE;
}
