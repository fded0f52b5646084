/* SPDX-License-Identifier: MPL-2.0 */
/* Failure messages kept on the handle. */
#include <prerror.h>
#include <secerr.h>
#include <sslerr.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char generic[] = "no database handle (out of memory?)";

const char *p11c_last_error(const p11c_db *db)
{
	if (!db)
		return *p11c_args_last_error() ? p11c_args_last_error() : generic;
	return db->err;
}

static void vset(p11c_db *db, const char *fmt, va_list ap)
{
	if (db)
		vsnprintf(db->err, sizeof(db->err), fmt, ap);
}

int p11c_fail(p11c_db *db, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(db, fmt, ap);
	va_end(ap);
	return code;
}

const char *p11c_nss_error_name(int err)
{
	const char *name = PR_ErrorToName(err);
	return name ? name : "unknown NSS error";
}

int p11c_fail_nss(p11c_db *db, int code, const char *fmt, ...)
{
	int err = PR_GetError();
	va_list ap;
	va_start(ap, fmt);
	vset(db, fmt, ap);
	va_end(ap);
	if (!db || err == 0)
		return code;
	size_t len = strlen(db->err);
	const char *text = PR_ErrorToString(err, PR_LANGUAGE_I_DEFAULT);
	if (text && *text)
		snprintf(db->err + len, sizeof(db->err) - len, ": %s (%s)", text,
		         p11c_nss_error_name(err));
	else
		snprintf(db->err + len, sizeof(db->err) - len, " (%s)", p11c_nss_error_name(err));
	return code;
}

void p11c_db_set_log(p11c_db *db, p11c_log_fn fn, void *arg)
{
	if (!db)
		return;
	db->log = fn;
	db->log_arg = arg;
}

void p11c_db_set_warning(p11c_db *db, p11c_log_fn fn, void *arg)
{
	if (!db)
		return;
	db->warn = fn;
	db->warn_arg = arg;
}

void p11c_warn(p11c_db *db, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	if (!db || !db->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	db->warn(buf, db->warn_arg);
}

void p11c_log(p11c_db *db, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	if (!db || !db->log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	db->log(buf, db->log_arg);
}
