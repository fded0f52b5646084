/* SPDX-License-Identifier: MPL-2.0 */
/* Counting the bags of a PKCS#12 file from its DER, before NSS decodes it. */
#include <string.h>

#include "internal.h"

/* One DER element at *p (definite lengths only): its tag and body. */
static int der_next(const unsigned char **p, const unsigned char *end, unsigned char *tag,
                    const unsigned char **body, size_t *len)
{
	const unsigned char *q = *p;
	if (end - q < 2)
		return -1;
	*tag = *q++;
	size_t n = *q++;
	if (n & 0x80) {
		size_t k = n & 0x7f;
		if (k == 0 || k > 4 || (size_t)(end - q) < k)
			return -1; /* indefinite (BER) or absurd */
		for (n = 0; k--;)
			n = n << 8 | *q++;
	}
	if ((size_t)(end - q) < n)
		return -1;
	*body = q;
	*len = n;
	*p = q + n;
	return 0;
}

/* Descend into the element at p with the tag wanted: its body. */
static int der_into(const unsigned char **p, const unsigned char **end, unsigned char want)
{
	unsigned char tag;
	const unsigned char *body;
	size_t len;
	if (der_next(p, *end, &tag, &body, &len) || tag != want)
		return -1;
	*p = body;
	*end = body + len;
	return 0;
}

size_t p11c_p12_bags_in_der(const unsigned char *buf, size_t len)
{
	static const unsigned char data_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	                                         0xf7, 0x0d, 0x01, 0x07, 0x01};
	const unsigned char *p = buf, *end = buf + len, *body;
	unsigned char tag;
	size_t n = 0, blen;
	if (der_into(&p, &end, 0x30) || der_next(&p, end, &tag, &body, &blen) ||
	    der_into(&p, &end, 0x30) || der_next(&p, end, &tag, &body, &blen) ||
	    der_into(&p, &end, 0xa0) || der_into(&p, &end, 0x04) || der_into(&p, &end, 0x30))
		return 0;
	while (p < end) {
		const unsigned char *ci = p, *ci_end = end;
		if (der_into(&ci, &ci_end, 0x30) || ci_end - ci < (long)sizeof(data_oid))
			return 0;
		p = ci_end;
		if (memcmp(ci, data_oid, sizeof(data_oid)) != 0) {
			n++; /* encrypted: NSS counts what it holds */
			continue;
		}
		ci += sizeof(data_oid);
		if (der_into(&ci, &ci_end, 0xa0) || der_into(&ci, &ci_end, 0x04) ||
		    der_into(&ci, &ci_end, 0x30))
			return 0;
		while (ci < ci_end && n <= P11C_P12_BAGS_MAX) {
			if (der_next(&ci, ci_end, &tag, &body, &blen))
				return 0;
			n++;
		}
	}
	return n;
}
