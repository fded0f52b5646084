/* SPDX-License-Identifier: MPL-2.0 */
/* The growable array (vec.h); stdlib alone, so the command links it too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

/* The power of two of elements that holds need, or need itself when
 * doubling would overflow. */
static size_t capacity_for(size_t need)
{
	size_t cap = P11C_VEC_MIN;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			return need;
		cap *= 2;
	}
	return cap;
}

void *p11c_vec_reserve(void *items, size_t n, size_t more, size_t size)
{
	void *a;
	if (size == 0 || more > SIZE_MAX - n)
		return NULL;
	size_t cap = capacity_for(n + more);
	if (cap > SIZE_MAX / size)
		return NULL;
	/* items is a T **: its pointer read and written as bytes */
	memcpy(&a, items, sizeof(a));
	void *grown = realloc(a, cap * size);
	if (!grown)
		return NULL;
	memcpy(items, &grown, sizeof(grown));
	unsigned char *at = (unsigned char *)grown + n * size;
	memset(at, 0, more * size);
	return at;
}

void *p11c_vec_push(void *items, size_t *n, size_t size)
{
	void *at = p11c_vec_reserve(items, *n, 1, size);
	if (at)
		(*n)++;
	return at;
}
