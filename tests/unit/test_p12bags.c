/* SPDX-License-Identifier: MPL-2.0 */
/* The bag count import-cert reads from a PKCS#12 file's DER before NSS
 * decodes it: plain safes counted, an encrypted safe as one, and any
 * damaged, cut or BER input 0 (left to NSS), never read past its end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

typedef struct {
	unsigned char *p;
	size_t n;
} der;

static der tlv(unsigned char tag, der body)
{
	der out = {malloc(body.n + 6), 0};
	assert_non_null(out.p);
	out.p[out.n++] = tag;
	if (body.n < 0x80) {
		out.p[out.n++] = (unsigned char)body.n;
	} else if (body.n < 0x10000) {
		out.p[out.n++] = 0x82;
		out.p[out.n++] = (unsigned char)(body.n >> 8);
		out.p[out.n++] = (unsigned char)body.n;
	} else {
		out.p[out.n++] = 0x83;
		out.p[out.n++] = (unsigned char)(body.n >> 16);
		out.p[out.n++] = (unsigned char)(body.n >> 8);
		out.p[out.n++] = (unsigned char)body.n;
	}
	if (body.n)
		memcpy(out.p + out.n, body.p, body.n);
	out.n += body.n;
	free(body.p);
	return out;
}

static der raw(const unsigned char *p, size_t n)
{
	der out = {malloc(n ? n : 1), n};
	assert_non_null(out.p);
	if (n)
		memcpy(out.p, p, n);
	return out;
}

static der cat(der a, der b)
{
	a.p = realloc(a.p, a.n + b.n + 1);
	assert_non_null(a.p);
	if (b.n)
		memcpy(a.p + a.n, b.p, b.n);
	a.n += b.n;
	free(b.p);
	return a;
}

static const unsigned char data_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                         0xf7, 0x0d, 0x01, 0x07, 0x01};
static const unsigned char enc_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                        0xf7, 0x0d, 0x01, 0x07, 0x06};

/* ContentInfo(data) around a SafeContents of n empty bags. */
static der plain_safe(size_t n)
{
	der bags = raw(NULL, 0);
	for (size_t i = 0; i < n; i++)
		bags = cat(bags, tlv(0x30, raw((const unsigned char *)"\x06\x01\x2a", 3)));
	return tlv(0x30,
	           cat(raw(data_oid, sizeof(data_oid)), tlv(0xa0, tlv(0x04, tlv(0x30, bags)))));
}

static der encrypted_safe(void)
{
	return tlv(0x30, cat(raw(enc_oid, sizeof(enc_oid)), tlv(0xa0, tlv(0x30, raw(NULL, 0)))));
}

static der pfx(der safes)
{
	der auth = tlv(0x30, safes);
	der ci = tlv(0x30, cat(raw(data_oid, sizeof(data_oid)), tlv(0xa0, tlv(0x04, auth))));
	return tlv(0x30, cat(raw((const unsigned char *)"\x02\x01\x03", 3), ci));
}

static void test_p12bags_counts_plain_and_encrypted(void **state)
{
	(void)state;
	der f = pfx(cat(plain_safe(3), cat(encrypted_safe(), plain_safe(2))));
	assert_int_equal(p11c_p12_bags_in_der(f.p, f.n), 6);
	free(f.p);
}

static void test_p12bags_stops_past_the_limit(void **state)
{
	(void)state;
	der f = pfx(plain_safe(5001));
	size_t n = p11c_p12_bags_in_der(f.p, f.n);
	assert_true(n > P11C_P12_BAGS_MAX);
	assert_true(n <= P11C_P12_BAGS_MAX + 1);
	free(f.p);
}

/* Every cut of a sound file, and every byte of it changed: 0 or a count,
 * and (under ASan) no read outside the buffer. */
static void test_p12bags_cut_or_damaged(void **state)
{
	(void)state;
	der f = pfx(cat(plain_safe(4), encrypted_safe()));
	for (size_t len = 0; len < f.n; len++) {
		unsigned char *cut = malloc(len ? len : 1);
		memcpy(cut, f.p, len);
		assert_true(p11c_p12_bags_in_der(cut, len) <= 5);
		free(cut);
	}
	for (size_t i = 0; i < f.n; i++)
		for (unsigned v = 0; v < 256; v += 17) {
			unsigned char *bad = malloc(f.n);
			memcpy(bad, f.p, f.n);
			bad[i] = (unsigned char)v;
			(void)p11c_p12_bags_in_der(bad, f.n);
			free(bad);
		}
	free(f.p);
}

static void test_p12bags_ber_and_garbage_are_zero(void **state)
{
	(void)state;
	static const unsigned char indefinite[] = {0x30, 0x80, 0x02, 0x01, 0x03, 0x00, 0x00};
	static const unsigned char huge_len[] = {0x30, 0x85, 0xff, 0xff, 0xff, 0xff, 0xff};
	assert_int_equal(p11c_p12_bags_in_der(indefinite, sizeof(indefinite)), 0);
	assert_int_equal(p11c_p12_bags_in_der(huge_len, sizeof(huge_len)), 0);
	assert_int_equal(p11c_p12_bags_in_der((const unsigned char *)"hello", 5), 0);
	assert_int_equal(p11c_p12_bags_in_der(indefinite, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_p12bags_counts_plain_and_encrypted),
	    cmocka_unit_test(test_p12bags_stops_past_the_limit),
	    cmocka_unit_test(test_p12bags_cut_or_damaged),
	    cmocka_unit_test(test_p12bags_ber_and_garbage_are_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
