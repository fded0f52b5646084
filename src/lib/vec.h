/* SPDX-License-Identifier: MPL-2.0 */
/* The one growable array, kept as the library's structs already hold
 * their arrays: a pointer and a count (T *items; size_t n).  The block is
 * always a power of two of elements (P11C_VEC_MIN at least), so n pushes
 * copy O(n) elements in all; the capacity follows from the count and
 * realloc is asked for it at every call, which keeps a block that is
 * already that large in place and grows one allocated to its exact size
 * elsewhere as safely.  A grown block is not wiped: no secret goes in one. */
#ifndef P11C_VEC_H
#define P11C_VEC_H

#include <stddef.h>

#pragma GCC visibility push(hidden)

#define P11C_VEC_MIN 4

/* Room for more elements of size bytes after the first n of the array
 * whose pointer is at items (a T **); the new elements zeroed.  The
 * address of element n, or NULL when out of memory or when the size does
 * not fit in a size_t (the array is then as it was).  n is the caller's
 * to update. */
void *p11c_vec_reserve(void *items, size_t n, size_t more, size_t size);
/* One more element at the end, zeroed and counted in *n; NULL (nothing
 * changed) when out of memory. */
void *p11c_vec_push(void *items, size_t *n, size_t size);

/* The same with the element size taken from the array's type. */
#define P11C_VEC_PUSH(array, n) p11c_vec_push(&(array), &(n), sizeof(*(array)))
#define P11C_VEC_RESERVE(array, n, more) p11c_vec_reserve(&(array), (n), (more), sizeof(*(array)))

#pragma GCC visibility pop

#endif
