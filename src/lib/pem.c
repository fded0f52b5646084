/* SPDX-License-Identifier: MPL-2.0 */
/* Certificates in PEM (one or many) or DER, in and out. */
#include <cert.h>
#include <nssb64.h>
#include <secitem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define BEGIN_CERT "-----BEGIN CERTIFICATE-----"
#define END_CERT "-----END CERTIFICATE-----"

static const char *find(const char *hay, const char *end, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; p + n <= end; p++)
		if (*p == *needle && !memcmp(p, needle, n))
			return p;
	return NULL;
}

static int is_certificate(const SECItem *der)
{
	CERTCertificate *c = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), (SECItem *)der, NULL,
	                                             PR_FALSE, PR_TRUE);
	if (!c)
		return 0;
	CERT_DestroyCertificate(c);
	return 1;
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

int p11c_certs_decode(p11c_db *db, const char *what, const unsigned char *buf, size_t len,
                      void *arena_, SECItem **out, size_t *n)
{
	PLArenaPool *arena = arena_;
	const char *text = (const char *)buf, *end = text + len;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	if (len == 0)
		return p11c_fail(db, P11C_EFAIL, "'%s' is empty", what);
	if (!find(text, end, "-----BEGIN ")) {
		SECItem der = {siBuffer, (unsigned char *)buf, (unsigned)len};
		SECItem *copy = SECITEM_ArenaDupItem(arena, &der);
		if (buf[0] != 0x30 || !copy || !is_certificate(copy))
			return p11c_fail(db, P11C_EFAIL,
			                 "'%s' is neither a PEM nor a DER certificate", what);
		*out = copy;
		*n = 1;
		return P11C_OK;
	}
	size_t block = 0;
	for (const char *p = find(text, end, BEGIN_CERT); p; p = find(p, end, BEGIN_CERT)) {
		block++;
		const char *body = p + strlen(BEGIN_CERT);
		const char *stop = find(body, end, END_CERT);
		const char *next = find(body, end, "-----BEGIN ");
		if (!stop || (next && next < stop))
			return p11c_fail(
			    db, P11C_EFAIL,
			    "'%s' is truncated: certificate %zu has no END CERTIFICATE "
			    "line",
			    what, block);
		SECItem *der = NSSBase64_DecodeBuffer(arena, NULL, body, (unsigned)(stop - body));
		if (!der || der->len == 0 || !is_certificate(der))
			return p11c_fail(db, P11C_EFAIL,
			                 "certificate %zu in '%s' is not a valid certificate",
			                 block, what);
		if (push(arena, out, n, &cap, der) < 0)
			return p11c_fail(db, P11C_EFAIL, "out of memory");
		p = stop + strlen(END_CERT);
	}
	if (*n == 0 && find(text, end, "-----BEGIN CERTIFICATE REQUEST-----"))
		return p11c_fail(db, P11C_EFAIL,
		                 "'%s' is a certificate request, not a certificate (a CA signs it)",
		                 what);
	if (*n == 0)
		return p11c_fail(db, P11C_EFAIL, "'%s' holds no PEM certificate", what);
	return P11C_OK;
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
