/* SPDX-License-Identifier: MPL-2.0 */
/* Preconditions at the public entries: one P11C_ARGS line at the top of
 * each function of p11cert.h turns a NULL handle, a NULL pointer, an empty
 * name, an out-of-range enum or an unknown flag into P11C_EUSAGE with a
 * message naming the function and the argument, before anything is
 * touched but the out-parameters, which are cleared (NULL, 0) as on any
 * other failure. */
#ifndef P11C_ARGS_H
#define P11C_ARGS_H

#include <stddef.h>

#include "p11cert.h"

#pragma GCC visibility push(hidden)

typedef enum {
	P11C_ARG_DB,      /* the handle: not NULL */
	P11C_ARG_PTR,     /* not NULL */
	P11C_ARG_NAME,    /* a string, not NULL, not empty */
	P11C_ARG_OPTNAME, /* NULL, or a string that is not empty */
	P11C_ARG_RANGE,   /* lo <= v <= hi */
	P11C_ARG_FLAGS,   /* no bit outside hi */
	P11C_ARG_SIZE,    /* an options struct's size: at least lo */
	P11C_ARG_CLOSED,  /* the handle has no database open */
	P11C_ARG_OUT,     /* an out-parameter: not NULL; cleared on failure */
	P11C_ARG_OPTOUT   /* an out-parameter that may be NULL */
} p11c_arg_kind;

typedef struct {
	p11c_arg_kind kind;
	const char *name; /* the argument as written in the call */
	const void *ptr;
	long long v, lo, hi;
} p11c_arg;

/* P11C_OK, or P11C_EUSAGE with "FUNC: ARG is NULL" ... on db (or, when
 * there is no handle, on the calling thread: p11c_last_error(NULL)). */
int p11c_args_check(p11c_db *db, const char *func, const p11c_arg *args, size_t n);

/* P11C_EUSAGE with "FUNC: " and the message, on db or (db NULL) on the
 * calling thread, for a value no P11C_ARGS check can judge (a name that
 * names nothing). */
int p11c_args_fail(p11c_db *db, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The message of the calling thread's last failure without a handle. */
const char *p11c_args_last_error(void);

/* clang-format off */
#define P11C_DB(db) {P11C_ARG_DB, #db, (const void *)(db), 0, 0, 0}
#define P11C_PTR(x) {P11C_ARG_PTR, #x, (const void *)(x), 0, 0, 0}
#define P11C_NAME(x) {P11C_ARG_NAME, #x, (const void *)(x), 0, 0, 0}
#define P11C_OPTNAME(x) {P11C_ARG_OPTNAME, #x, (const void *)(x), 0, 0, 0}
#define P11C_RANGE(x, lo, hi) {P11C_ARG_RANGE, #x, NULL, (long long)(x), (lo), (hi)}
#define P11C_FLAGS(x, known) {P11C_ARG_FLAGS, #x, NULL, (long long)(x), 0, (known)}
/* Out-parameters, zeroed (sizeof *x bytes) when a check fails. */
#define P11C_OUT(x) {P11C_ARG_OUT, #x, (const void *)(x), (long long)sizeof(*(x)), 0, 0}
#define P11C_OPTOUT(x) {P11C_ARG_OPTOUT, #x, (const void *)(x), (long long)sizeof(*(x)), 0, 0}
/* A member of an options struct that may itself be NULL (then unchecked). */
#define P11C_FIELD_NAME(s, m) \
	{(s) ? P11C_ARG_NAME : P11C_ARG_OPTNAME, #s "->" #m, (s) ? (const void *)(s)->m : NULL, 0, 0, 0}
#define P11C_FIELD_OPTNAME(s, m) \
	{P11C_ARG_OPTNAME, #s "->" #m, (s) ? (const void *)(s)->m : NULL, 0, 0, 0}
#define P11C_FIELD_RANGE(s, m, lo, hi) \
	{P11C_ARG_RANGE, #s "->" #m, NULL, (s) ? (long long)(s)->m : (lo), (lo), (hi)}
#define P11C_FIELD_FLAGS(s, m, known) \
	{P11C_ARG_FLAGS, #s "->" #m, NULL, (s) ? (long long)(s)->m : 0, 0, (known)}
/* An options struct that may be NULL: its size member covers at least min
 * bytes (the first version of the struct); first among s's checks. */
#define P11C_OPTS_SIZE(s, min) \
	{P11C_ARG_SIZE, #s "->size", NULL, (s) ? (long long)(s)->size : (long long)(min), \
	 (long long)(min), 0}
/* Only after P11C_DB: the handle has no database open. */
#define P11C_CLOSED(db) {P11C_ARG_CLOSED, #db, (const void *)(db), 0, 0, 0}
/* clang-format on */

/* Return P11C_EUSAGE from the calling function unless every check holds;
 * checks are made in order, and a check of db comes first where there is
 * one. */
#define P11C_ARGS(db, ...)                                                                         \
	do {                                                                                       \
		const p11c_arg p11c_args_[] = {__VA_ARGS__};                                       \
		int p11c_args_rc_ = p11c_args_check((db), __func__, p11c_args_,                    \
		                                    sizeof(p11c_args_) / sizeof(p11c_args_[0]));   \
		if (p11c_args_rc_)                                                                 \
			return p11c_args_rc_;                                                      \
	} while (0)

#pragma GCC visibility pop

#endif
