/* SPDX-License-Identifier: MPL-2.0 */
/* Certificates in PEM (one or many) or DER, in and out. */
#include <cert.h>
#include <nssb64.h>
#include <secasn1.h>
#include <secitem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *find(const char *hay, const char *end, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; p + n <= end; p++)
		if (*p == *needle && !memcmp(p, needle, n))
			return p;
	return NULL;
}

/* Whether der decodes as an X.509 certificate: NSS's own template, with
 * no certificate object made (that would ask every token for it). */
static int is_certificate(const SECItem *der)
{
	PLArenaPool *arena = PORT_NewArena(2048);
	CERTCertificate cert;
	memset(&cert, 0, sizeof(cert));
	int ok = arena &&
	         SEC_QuickDERDecodeItem(arena, &cert, SEC_ASN1_GET(SEC_SignedCertificateTemplate),
	                                der) == SECSuccess;
	if (arena)
		PORT_FreeArena(arena, PR_FALSE);
	return ok;
}

static int push(PLArenaPool *arena, SECItem **list, size_t *n, size_t *cap, const SECItem *der)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		SECItem *l = *list ? PORT_ArenaGrow(arena, *list, *cap * sizeof(SECItem),
		                                    c * sizeof(SECItem))
		                   : PORT_ArenaAlloc(arena, c * sizeof(SECItem));
		if (!l)
			return -1;
		*list = l;
		*cap = c;
	}
	(*list)[(*n)++] = *der;
	return 0;
}

/* One PEM marker line "-----BEGIN|END LABEL-----" (spaces or CR after
 * it allowed): its label in label (at most cap - 1 characters), or -1 for
 * a line that starts like one and is not one (garbled or cut). */
static int marker(const char *line, const char *eol, const char *kind, char *label, size_t cap)
{
	size_t k = strlen(kind);
	if ((size_t)(eol - line) < k || memcmp(line, kind, k) != 0)
		return -1;
	const char *l = line + k, *e = eol;
	while (e > l && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e - l < 6 || memcmp(e - 5, "-----", 5) != 0)
		return -1;
	size_t n = (size_t)(e - 5 - l);
	if (n == 0 || n >= cap)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!(l[i] == ' ' || (l[i] >= 'A' && l[i] <= 'Z') || (l[i] >= '0' && l[i] <= '9')))
			return -1;
	memcpy(label, l, n);
	label[n] = '\0';
	return 0;
}

/* Every certificate of a PEM text.  Anything garbled or cut (a marker
 * line that is not whole, a block without its END) refuses the whole
 * file: a bundle cut short must not import a part of itself. */
static int pem_certs(p11c_db *db, const char *what, const char *text, const char *end,
                     PLArenaPool *arena, SECItem **out, size_t *n)
{
	char label[64], want[64] = "";
	const char *body = NULL;
	size_t cap = 0, line_no = 0, requests = 0;
	for (const char *line = text; line < end;) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *next = eol ? eol + 1 : end;
		if (!eol)
			eol = end;
		line_no++;
		int dashes = eol - line >= 5 && !memcmp(line, "-----", 5);
		int cut = next == end && eol > line && *line == '-' &&
		          (size_t)(eol - line) < strlen("-----BEGIN ") &&
		          !memcmp(line, "-----BEGIN ", (size_t)(eol - line));
		if (cut || (dashes && !*want && marker(line, eol, "-----BEGIN ", label, 64))) {
			return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
			                   "'%s' is truncated or garbled: line %zu is not a whole "
			                   "BEGIN line",
			                   what, line_no);
		} else if (dashes && !*want) {
			snprintf(want, sizeof(want), "%s", label);
			body = next;
			requests += strstr(label, "CERTIFICATE REQUEST") != NULL;
		} else if (dashes) {
			if (marker(line, eol, "-----END ", label, 64) || strcmp(label, want) != 0)
				return p11c_fail_c(
				    db, P11C_EFAIL, P11C_ERR_INPUT,
				    "'%s' is truncated: the %s block before line %zu "
				    "has no END %s line",
				    what, want, line_no, want);
			if (!strcmp(want, "CERTIFICATE")) {
				SECItem *der = NSSBase64_DecodeBuffer(arena, NULL, body,
				                                      (unsigned)(line - body));
				if (!der || der->len == 0 || !is_certificate(der))
					return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
					                   "certificate %zu in '%s' is not a valid "
					                   "certificate",
					                   *n + 1, what);
				if (push(arena, out, n, &cap, der) < 0)
					return p11c_fail(db, P11C_EFAIL, "out of memory");
			}
			*want = '\0';
		}
		line = next;
	}
	if (*want)
		return p11c_fail_c(
		    db, P11C_EFAIL, P11C_ERR_INPUT, "'%s' is truncated: %s %zu has no END %s line",
		    what, !strcmp(want, "CERTIFICATE") ? "certificate" : "block", *n + 1, want);
	if (*n == 0 && requests)
		return p11c_fail_c(
		    db, P11C_EFAIL, P11C_ERR_INPUT,
		    "'%s' is a certificate request, not a certificate (a CA signs it)", what);
	if (*n == 0)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT, "'%s' holds no PEM certificate",
		                   what);
	return P11C_OK;
}

int p11c_certs_decode(p11c_db *db, const char *what, const unsigned char *buf, size_t len,
                      void *arena_, SECItem **out, size_t *n)
{
	PLArenaPool *arena = arena_;
	const char *text = (const char *)buf, *end = text + len;
	*out = NULL;
	*n = 0;
	if (len == 0)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT, "'%s' is empty", what);
	if (buf[0] == 0x30) {
		SECItem der = {siBuffer, (unsigned char *)buf, (unsigned)len};
		SECItem *copy = SECITEM_ArenaDupItem(arena, &der);
		if (copy && is_certificate(copy)) {
			*out = copy;
			*n = 1;
			return P11C_OK;
		}
	}
	if (!find(text, end, "-----"))
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                   "'%s' is neither a PEM nor a DER certificate", what);
	size_t blocks = 0;
	for (const char *p = find(text, end, "-----BEGIN CERTIFICATE-----"); p;
	     p = find(p + 1, end, "-----BEGIN CERTIFICATE-----"))
		if (++blocks > P11C_CERTS_MAX)
			return p11c_fail(
			    db, P11C_EFAIL,
			    "'%s' holds more than %d certificates, the most that are read", what,
			    P11C_CERTS_MAX);
	return pem_certs(db, what, text, end, arena, out, n);
}

char *p11c_pem_encode(const char *label, const unsigned char *der, size_t len)
{
	SECItem item = {siBuffer, (unsigned char *)der, (unsigned)len};
	char *b64 = NSSBase64_EncodeItem(NULL, NULL, 0, &item);
	if (!b64)
		return NULL;
	/* NSS wraps at 64 columns with CRLF; PEM files here use LF. */
	size_t cap = strlen(b64) + 2 * strlen(label) + 64;
	char *pem = malloc(cap), *p = pem;
	if (pem) {
		p += sprintf(p, "-----BEGIN %s-----\n", label);
		for (const char *s = b64; *s; s++)
			if (*s != '\r')
				*p++ = *s;
		if (p[-1] != '\n')
			*p++ = '\n';
		sprintf(p, "-----END %s-----\n", label);
	}
	PORT_Free(b64);
	return pem;
}
