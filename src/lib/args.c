/* SPDX-License-Identifier: MPL-2.0 */
/* Preconditions at the public entries (args.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Where a failure without a handle (a NULL db, the functions that take
 * none) leaves its message: per thread, as a handle's is per handle. */
static _Thread_local char no_handle_err[256];

const char *p11c_args_last_error(void)
{
	return no_handle_err;
}

static int usage(p11c_db *db, const char *func, const char *what)
{
	if (!db) {
		snprintf(no_handle_err, sizeof(no_handle_err), "%s: %s", func, what);
		return P11C_EUSAGE;
	}
	return p11c_fail_c(db, P11C_EUSAGE, P11C_ERR_USAGE, "%s: %s", func, what);
}

int p11c_args_fail(p11c_db *db, const char *func, const char *fmt, ...)
{
	char what[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return usage(db, func, what);
}

/* A refused call leaves its out-parameters as any failure does: NULL, 0. */
static void clear_outs(const p11c_arg *args, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((args[i].kind == P11C_ARG_OUT || args[i].kind == P11C_ARG_OPTOUT) &&
		    args[i].ptr)
			memset((void *)args[i].ptr, 0, (size_t)args[i].v);
}

int p11c_args_check(p11c_db *db, const char *func, const p11c_arg *args, size_t n)
{
	char what[256];
	for (size_t i = 0; i < n; i++) {
		const p11c_arg *a = &args[i];
		const char *s = a->ptr;
		*what = '\0';
		switch (a->kind) {
		case P11C_ARG_DB:
			if (!a->ptr)
				snprintf(what, sizeof(what), "%s (the handle) is NULL", a->name);
			break;
		case P11C_ARG_PTR:
			if (!a->ptr)
				snprintf(what, sizeof(what), "%s is NULL", a->name);
			break;
		case P11C_ARG_NAME:
		case P11C_ARG_OPTNAME:
			if (!s && a->kind == P11C_ARG_NAME)
				snprintf(what, sizeof(what), "%s is NULL", a->name);
			else if (s && !*s)
				snprintf(what, sizeof(what), "%s is empty", a->name);
			break;
		case P11C_ARG_RANGE:
			if (a->v < a->lo || a->v > a->hi)
				snprintf(what, sizeof(what), "%s is %lld, not from %lld to %lld",
				         a->name, a->v, a->lo, a->hi);
			break;
		case P11C_ARG_FLAGS:
			if (a->v & ~a->hi)
				snprintf(what, sizeof(what), "%s has unknown bits 0x%llx", a->name,
				         (unsigned long long)(a->v & ~a->hi));
			break;
		case P11C_ARG_SIZE:
			if (a->v < a->lo)
				snprintf(
				    what, sizeof(what),
				    "%s is %lld, less than the %lld bytes of the first version "
				    "(set it with the _INIT macro)",
				    a->name, a->v, a->lo);
			break;
		case P11C_ARG_OUT:
			if (!a->ptr)
				snprintf(what, sizeof(what), "%s is NULL", a->name);
			break;
		case P11C_ARG_OPTOUT:
			break;
		case P11C_ARG_CLOSED:
			if (db && db->ctx)
				snprintf(what, sizeof(what), "%s already has database '%s' open",
				         a->name, db->dir ? db->dir : "");
			break;
		}
		if (*what) {
			clear_outs(args, n);
			return usage(a->kind == P11C_ARG_DB ? NULL : db, func, what);
		}
	}
	return P11C_OK;
}
