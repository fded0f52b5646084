/* SPDX-License-Identifier: MPL-2.0 */
/* Untrusted strings: what a name in a certificate or request may hold
 * before p11cert signs it, and how names are shown whatever they hold. */
#include <cert.h>
#include <prprf.h>
#include <secoid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"

/* The next code point of a UTF-8 string, or -1 (malformed, overlong, a
 * surrogate or past U+10FFFF); *n is its length in bytes. */
static long utf8_next(const unsigned char *s, size_t len, size_t *n)
{
	static const long min[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t k = s[0] < 0x80             ? 1
	           : (s[0] & 0xe0) == 0xc0 ? 2
	           : (s[0] & 0xf0) == 0xe0 ? 3
	           : (s[0] & 0xf8) == 0xf0 ? 4
	                                   : 0;
	if (!k || k > len)
		return -1;
	long cp = k == 1 ? s[0] : s[0] & (0x7f >> k);
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*n = k;
	return cp;
}

/* C0, DEL and C1: what a terminal would act on. */
static int is_control(long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

char *p11c_safe_text(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	char *out = malloc(len * 4 + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t n = 1;
		long cp = utf8_next(s + i, len - i, &n);
		if (cp < 0 || is_control(cp)) {
			for (size_t k = 0; k < (cp < 0 ? 1 : n); k++)
				o += sprintf(o, "\\x%02x", s[i + k]);
			i += cp < 0 ? 1 : n;
			continue;
		}
		memcpy(o, s + i, n);
		o += n;
		i += n;
	}
	*o = '\0';
	return out;
}

/* Why the content of an ASN.1 string of this tag is invalid, or NULL. */
static const char *string_problem(unsigned tag, const unsigned char *s, size_t len)
{
	static const char printable[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                                "0123456789 '()+,-./:=?";
	size_t n = 1;
	switch (tag) {
	case SEC_ASN1_UTF8_STRING:
		for (size_t i = 0; i < len; i += n) {
			long cp = utf8_next(s + i, len - i, &n);
			if (cp < 0)
				return "is not valid UTF-8";
			if (is_control(cp))
				return "holds a control character";
		}
		return NULL;
	case SEC_ASN1_PRINTABLE_STRING:
		for (size_t i = 0; i < len; i++)
			if (!s[i] || !strchr(printable, s[i]))
				return "holds a character a PrintableString may not";
		return NULL;
	case SEC_ASN1_IA5_STRING:
		for (size_t i = 0; i < len; i++)
			if (s[i] >= 0x80 || is_control(s[i]))
				return s[i] >= 0x80 ? "holds a byte an IA5String may not"
				                    : "holds a control character";
		return NULL;
	case SEC_ASN1_BMP_STRING:
		if (len % 2)
			return "is not a valid BMPString";
		for (size_t i = 0; i < len; i += 2) {
			long cp = (long)s[i] << 8 | s[i + 1];
			if (cp >= 0xd800 && cp <= 0xdfff)
				return "is not a valid BMPString";
			if (is_control(cp))
				return "holds a control character";
		}
		return NULL;
	default:
		return "is not a UTF8String, PrintableString, IA5String or BMPString";
	}
}

/* The tag, and the content of one whole DER primitive; -1 if item is not
 * exactly that. */
static int der_primitive(const SECItem *item, unsigned *tag, const unsigned char **content,
                         size_t *len)
{
	const unsigned char *d = item->data;
	size_t n = item->len, hl = 2, l;
	if (n < 2 || (d[0] & 0x1f) == 0x1f || (d[0] & SEC_ASN1_CONSTRUCTED))
		return -1;
	if (d[1] < 0x80) {
		l = d[1];
	} else {
		size_t k = d[1] & 0x7f;
		if (k == 0 || k > 3 || n < 2 + k)
			return -1;
		l = 0;
		for (size_t i = 0; i < k; i++)
			l = (l << 8) | d[2 + i];
		hl += k;
	}
	if (hl + l != n)
		return -1;
	*tag = d[0];
	*content = d + hl;
	*len = l;
	return 0;
}

/* "commonName (2.5.4.3)", or the dotted OID alone; malloc'd. */
static char *attr_name(const SECItem *oid)
{
	SECOidData *od = SECOID_FindOID(oid);
	char *dotted = CERT_GetOidString(oid);
	char buf[160];
	const char *d = dotted ? dotted : "?";
	if (!strncmp(d, "OID.", 4))
		d += 4;
	snprintf(buf, sizeof(buf), "%s%s%s%s", od ? od->desc : "", od ? " (" : "", d,
	         od ? ")" : "");
	if (dotted)
		PR_smprintf_free(dotted);
	return strdup(buf);
}

int p11c_name_check(p11c_db *db, int code, const char *what, const CERTName *name)
{
	size_t count = 0;
	for (CERTRDN **r = name->rdns; r && *r; r++) {
		for (CERTAVA **a = (*r)->avas; a && *a; a++) {
			if (++count > P11C_MAX_NAME_ATTRS)
				return p11c_fail(db, code,
				                 "%s has more than %d attributes (the limit)", what,
				                 P11C_MAX_NAME_ATTRS);
			unsigned tag;
			const unsigned char *s;
			size_t len;
			const char *why = der_primitive(&(*a)->value, &tag, &s, &len)
			                      ? "is not one DER string (a dotted OID's value is "
			                        "given as #hex DER; for a known attribute use its "
			                        "name, such as CN=)"
			                      : string_problem(tag, s, len);
			if (!why)
				continue;
			char *attr = attr_name(&(*a)->type);
			int rc = p11c_fail(db, code, "%s: the value of %s %s", what,
			                   attr ? attr : "an attribute", why);
			free(attr);
			return rc;
		}
	}
	return P11C_OK;
}

static int dns_ok(const unsigned char *s, size_t len)
{
	size_t label = 0;
	if (len == 0 || len > 253)
		return 0;
	if (len > 2 && s[0] == '*' && s[1] == '.') /* a wildcard, leftmost only */
		s += 2, len -= 2;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_') ||
		    ++label > 63)
			return 0;
	}
	return label > 0;
}

static int email_ok(const unsigned char *s, size_t len)
{
	const unsigned char *at = memchr(s, '@', len);
	if (!at || at == s)
		return 0;
	for (const unsigned char *p = s; p < at; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return 0;
	return dns_ok(at + 1, len - (size_t)(at + 1 - s));
}

static int uri_ok(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	                   (i > 0 && ((s[i] >= '0' && s[i] <= '9') || strchr("+-.", s[i])))))
		i++;
	if (i == 0 || i >= len || s[i] != ':')
		return 0;
	for (i++; i < len; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	return 1;
}

int p11c_general_names_check(p11c_db *db, const char *what, CERTGeneralName *head)
{
	static const char *const kinds[] = {[certOtherName] = "an otherName",
	                                    [certX400Address] = "an x400Address",
	                                    [certDirectoryName] = "a directoryName",
	                                    [certEDIPartyName] = "an ediPartyName",
	                                    [certRegisterID] = "a registeredID"};
	size_t count = 0;
	CERTGeneralName *gn = head;
	while (gn) {
		const SECItem *v = &gn->name.other;
		const char *kind = NULL;
		int good = 1;
		if (++count > P11C_MAX_SANS)
			return p11c_fail(db, P11C_EFAIL, "%s has more than %d names (the limit)",
			                 what, P11C_MAX_SANS);
		switch (gn->type) {
		case certDNSName:
			kind = "dNSName", good = dns_ok(v->data, v->len);
			break;
		case certRFC822Name:
			kind = "rfc822Name", good = email_ok(v->data, v->len);
			break;
		case certURI:
			kind = "URI", good = uri_ok(v->data, v->len);
			break;
		case certIPAddress:
			kind = "iPAddress", good = v->len == 4 || v->len == 16;
			break;
		default:
			return p11c_fail(
			    db, P11C_EFAIL,
			    "%s holds %s: only DNS names, IP addresses, e-mail addresses "
			    "and URIs are signed",
			    what,
			    gn->type < sizeof(kinds) / sizeof(kinds[0]) && kinds[gn->type]
			        ? kinds[gn->type]
			        : "an unknown kind of name");
		}
		if (!good) {
			char *shown = p11c_safe_text((const char *)v->data, v->len);
			int rc =
			    p11c_fail(db, P11C_EFAIL, "%s holds an invalid %s '%s'", what, kind,
			              gn->type == certIPAddress ? "(length)"
			              : shown                   ? shown
			                                        : "?");
			free(shown);
			return rc;
		}
		gn = CERT_GetNextGeneralName(gn);
		if (gn == head)
			break;
	}
	return P11C_OK;
}
