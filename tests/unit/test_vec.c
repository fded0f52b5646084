/* SPDX-License-Identifier: MPL-2.0 */
/* The growable array (vec.h). */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vec.h"

typedef struct {
	int a;
	char *b;
} pair;

static void test_vec_push_appends_zeroed_elements(void **state)
{
	(void)state;
	pair *v = NULL;
	size_t n = 0;
	for (int i = 0; i < 1000; i++) {
		pair *p = P11C_VEC_PUSH(v, n);
		assert_non_null(p);
		assert_int_equal(n, (size_t)i + 1);
		assert_ptr_equal(p, &v[i]);
		assert_int_equal(p->a, 0);
		assert_null(p->b);
		p->a = i;
	}
	for (int i = 0; i < 1000; i++)
		assert_int_equal(v[i].a, i);
	free(v);
}

static void test_vec_push_allocates_powers_of_two(void **state)
{
	(void)state;
	int *v = NULL;
	size_t n = 0;
	for (size_t i = 0; i < 4096; i++) {
		assert_non_null(P11C_VEC_PUSH(v, n));
		/* the block asked for holds the next power of two of elements
		 * (P11C_VEC_MIN at least): growth by doubling, not by one */
		size_t cap = P11C_VEC_MIN;
		while (cap < n)
			cap *= 2;
		assert_true(malloc_usable_size(v) >= cap * sizeof(*v));
	}
	free(v);
}

static void test_vec_reserve_leaves_the_count(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	char *at = P11C_VEC_RESERVE(buf, len, 6);
	assert_non_null(at);
	assert_ptr_equal(at, buf);
	memcpy(at, "hello", 5);
	len += 5;
	at = P11C_VEC_RESERVE(buf, len, 7);
	assert_ptr_equal(at, buf + 5);
	memcpy(at, " world", 6);
	len += 6;
	assert_string_equal(buf, "hello world"); /* the reserved bytes were zeroed */
	assert_int_equal(len, 11);
	free(buf);
}

static void test_vec_reserve_grows_an_exact_block(void **state)
{
	(void)state;
	/* an array malloc'd to its size elsewhere grows as safely */
	size_t n = 5;
	long *v = malloc(n * sizeof(*v));
	assert_non_null(v);
	for (size_t i = 0; i < n; i++)
		v[i] = (long)i;
	long *p = P11C_VEC_PUSH(v, n);
	assert_non_null(p);
	*p = 5;
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i], (long)i);
	free(v);
}

static void test_vec_reserve_refuses_an_overflowing_size(void **state)
{
	(void)state;
	int *v = NULL;
	size_t n = 0;
	assert_non_null(P11C_VEC_PUSH(v, n));
	int *kept = v;
	assert_null(p11c_vec_reserve(&v, n, SIZE_MAX, sizeof(*v)));
	assert_null(p11c_vec_reserve(&v, n, SIZE_MAX / 2, sizeof(*v)));
	assert_null(p11c_vec_reserve(&v, SIZE_MAX / 8, SIZE_MAX / 8, 16));
	assert_ptr_equal(v, kept); /* the array as it was */
	assert_int_equal(n, 1);
	free(v);
}

static void test_vec_push_failure_keeps_the_count(void **state)
{
	(void)state;
	char *v = NULL;
	size_t n = SIZE_MAX;
	assert_null(p11c_vec_push(&v, &n, 1));
	assert_int_equal(n, SIZE_MAX);
	assert_null(v);
}

static void test_vec_reserve_refuses_size_zero(void **state)
{
	(void)state;
	void *v = NULL;
	assert_null(p11c_vec_reserve(&v, 0, 1, 0));
	assert_null(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vec_push_appends_zeroed_elements),
	    cmocka_unit_test(test_vec_push_allocates_powers_of_two),
	    cmocka_unit_test(test_vec_reserve_leaves_the_count),
	    cmocka_unit_test(test_vec_reserve_grows_an_exact_block),
	    cmocka_unit_test(test_vec_reserve_refuses_an_overflowing_size),
	    cmocka_unit_test(test_vec_push_failure_keeps_the_count),
	    cmocka_unit_test(test_vec_reserve_refuses_size_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
