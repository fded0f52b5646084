/* SPDX-License-Identifier: MPL-2.0 */
/* Failure messages kept on the handle. */
#include <pkcs11t.h>
#include <prerror.h>
#include <secerr.h>
#include <sslerr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char generic[] = "no database handle (out of memory?)";

const char *p11c_last_error(const p11c_db *db)
{
	if (!db)
		return *p11c_args_last_error() ? p11c_args_last_error() : generic;
	return db->err;
}

p11c_errc p11c_last_error_code(const p11c_db *db)
{
	return db ? (p11c_errc)db->err_code : P11C_ERR_USAGE;
}

const char *p11c_errc_name(p11c_errc code)
{
	static const char *const names[] = {"none",   "other",    "usage",      "input",
	                                    "exists", "notfound", "nopassword", "password",
	                                    "token",  "io",       "legacy"};
	if ((unsigned)code < sizeof(names) / sizeof(names[0]))
		return names[code];
	return "unknown";
}

const char *p11c_last_error_nss(const p11c_db *db)
{
	return db && db->err_nss ? PR_ErrorToName(db->err_nss) : NULL;
}

unsigned long p11c_last_error_ckr(const p11c_db *db)
{
	return db ? db->err_ckr : CKR_OK;
}

const char *p11c_last_error_field(const p11c_db *db)
{
	return db ? db->err_field : NULL;
}

void p11c_err_field(p11c_db *db, const char *field)
{
	if (db)
		db->err_field = field;
}

void p11c_err_save(const p11c_db *db, p11c_err_saved *s)
{
	*s = (p11c_err_saved){db->err_code, db->err_nss, db->err_ckr, db->err_field};
}

void p11c_err_restore(p11c_db *db, const p11c_err_saved *s)
{
	db->err_code = s->code;
	db->err_nss = s->nss;
	db->err_ckr = s->ckr;
	db->err_field = s->field;
}

const char *p11c_ckr_name(unsigned long ckr)
{
	static const struct {
		unsigned long rv;
		const char *name;
	} names[] = {
	    {CKR_OK, "CKR_OK"},
	    {CKR_CANCEL, "CKR_CANCEL"},
	    {CKR_HOST_MEMORY, "CKR_HOST_MEMORY"},
	    {CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID"},
	    {CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR"},
	    {CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED"},
	    {CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD"},
	    {CKR_CANT_LOCK, "CKR_CANT_LOCK"},
	    {CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE"},
	    {CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID"},
	    {CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR"},
	    {CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY"},
	    {CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED"},
	    {CKR_FUNCTION_NOT_SUPPORTED, "CKR_FUNCTION_NOT_SUPPORTED"},
	    {CKR_KEY_UNEXTRACTABLE, "CKR_KEY_UNEXTRACTABLE"},
	    {CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT"},
	    {CKR_PIN_INVALID, "CKR_PIN_INVALID"},
	    {CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE"},
	    {CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED"},
	    {CKR_PIN_LOCKED, "CKR_PIN_LOCKED"},
	    {CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT"},
	    {CKR_TOKEN_WRITE_PROTECTED, "CKR_TOKEN_WRITE_PROTECTED"},
	    {CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN"},
	    {CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED"},
	    {CKR_CRYPTOKI_ALREADY_INITIALIZED, "CKR_CRYPTOKI_ALREADY_INITIALIZED"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].rv == ckr)
			return names[i].name;
	return NULL;
}

unsigned long p11c_ckr_in_text(const char *text)
{
	const char *at = text ? strstr(text, " returned CKR") : NULL;
	if (!at)
		return CKR_OK;
	at += strlen(" returned ");
	if (!strncmp(at, "CKR 0x", 6))
		return strtoul(at + 6, NULL, 16);
	size_t len = strspn(at, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
	for (unsigned long rv = 0; rv < 0x200; rv++) {
		const char *name = p11c_ckr_name(rv);
		if (name && strlen(name) == len && !strncmp(name, at, len))
			return rv;
	}
	return CKR_OK;
}

/* The p11c_errc a status means when the failure site says no more. */
static int errc_of(int code)
{
	switch (code) {
	case P11C_OK:
		return P11C_ERR_NONE;
	case P11C_EUSAGE:
		return P11C_ERR_INPUT;
	case P11C_ENOTFOUND:
		return P11C_ERR_NOTFOUND;
	case P11C_EPASSWORD:
		return P11C_ERR_PASSWORD;
	case P11C_ETOKEN:
		return P11C_ERR_TOKEN;
	default:
		return P11C_ERR_OTHER;
	}
}

/* What an NSS error says of a failure reported only as "failed".  Left
 * out: the errors NSS's PK11_MapError also gives for many token answers
 * (SEC_ERROR_BAD_DATA, SEC_ERROR_IO, SEC_ERROR_INVALID_ARGS), which would
 * call a token's failure bad input or I/O. */
static int errc_of_nss(int err)
{
	switch (err) {
	case SEC_ERROR_BAD_PASSWORD:
	case SEC_ERROR_INVALID_PASSWORD:
	case SEC_ERROR_LOCKED_PASSWORD:
	case SEC_ERROR_EXPIRED_PASSWORD:
	case SEC_ERROR_RETRY_PASSWORD:
		return P11C_ERR_PASSWORD;
	case SEC_ERROR_BAD_DER:
	case SEC_ERROR_INPUT_LEN:
	case SEC_ERROR_EXTRA_INPUT:
	case SEC_ERROR_BAD_SIGNATURE:
	case SEC_ERROR_PKCS12_DECODING_PFX:
	case SEC_ERROR_PKCS12_CORRUPT_PFX_STRUCTURE:
	case SEC_ERROR_PKCS12_INVALID_MAC:
	case SEC_ERROR_PKCS12_UNSUPPORTED_VERSION:
	case SEC_ERROR_PKCS12_UNSUPPORTED_MAC_ALGORITHM:
	case SEC_ERROR_PKCS12_UNSUPPORTED_TRANSPORT_MODE:
	case SEC_ERROR_PKCS12_UNSUPPORTED_PBE_ALGORITHM:
		return P11C_ERR_INPUT;
	case SEC_ERROR_PKCS11_GENERAL_ERROR:
	case SEC_ERROR_PKCS11_FUNCTION_FAILED:
	case SEC_ERROR_PKCS11_DEVICE_ERROR:
	case SEC_ERROR_TOKEN_NOT_LOGGED_IN:
	case SEC_ERROR_NO_TOKEN:
	case SEC_ERROR_READ_ONLY:
	case SEC_ERROR_UNSUPPORTED_KEYALG:
		return P11C_ERR_TOKEN;
	case PR_FILE_NOT_FOUND_ERROR:
		return P11C_ERR_NOTFOUND;
	case PR_IO_ERROR:
	case PR_NO_ACCESS_RIGHTS_ERROR:
	case PR_READ_ONLY_FILESYSTEM_ERROR:
	case PR_NO_DEVICE_SPACE_ERROR:
	case PR_IO_TIMEOUT_ERROR:
	case PR_CONNECT_REFUSED_ERROR:
	case PR_CONNECT_RESET_ERROR:
	case PR_CONNECT_TIMEOUT_ERROR:
	case PR_NETWORK_UNREACHABLE_ERROR:
	case PR_HOST_UNREACHABLE_ERROR:
	case PR_END_OF_FILE_ERROR:
		return P11C_ERR_IO;
	default:
		return P11C_ERR_OTHER;
	}
}

/* The CKR_* behind an NSS error where NSS's PK11_MapError leaves only one
 * answer possible (SEC_ERROR_BAD_PASSWORD is CKR_PIN_INCORRECT only from
 * a login: p11c_login says so itself). */
static unsigned long ckr_of_nss(int err)
{
	switch (err) {
	case SEC_ERROR_PKCS11_GENERAL_ERROR:
		return CKR_GENERAL_ERROR;
	case SEC_ERROR_PKCS11_FUNCTION_FAILED:
		return CKR_FUNCTION_FAILED;
	case SEC_ERROR_PKCS11_DEVICE_ERROR:
		return CKR_DEVICE_ERROR;
	case SEC_ERROR_TOKEN_NOT_LOGGED_IN:
		return CKR_USER_NOT_LOGGED_IN;
	case SEC_ERROR_LOCKED_PASSWORD:
		return CKR_PIN_LOCKED;
	case SEC_ERROR_EXPIRED_PASSWORD:
		return CKR_PIN_EXPIRED;
	default:
		return CKR_OK;
	}
}

static void vset(p11c_db *db, int errc, const char *fmt, va_list ap)
{
	if (!db)
		return;
	vsnprintf(db->err, sizeof(db->err), fmt, ap);
	db->err_code = errc;
	db->err_nss = 0;
	db->err_ckr = CKR_OK;
	db->err_field = NULL;
}

int p11c_fail(p11c_db *db, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(db, errc_of(code), fmt, ap);
	va_end(ap);
	return code;
}

int p11c_fail_c(p11c_db *db, int code, int errc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(db, errc, fmt, ap);
	va_end(ap);
	return code;
}

int p11c_fail_field(p11c_db *db, int code, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(db, errc_of(code), fmt, ap);
	va_end(ap);
	p11c_err_field(db, field);
	return code;
}

int p11c_fail_cf(p11c_db *db, int code, int errc, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(db, errc, fmt, ap);
	va_end(ap);
	p11c_err_field(db, field);
	return code;
}

int p11c_fail_keep(p11c_db *db, int code, const char *fmt, ...)
{
	char buf[sizeof(db->err)];
	va_list ap;
	if (!db)
		return code;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(db->err, buf, sizeof(buf));
	if (db->err_code == P11C_ERR_NONE)
		db->err_code = errc_of(code);
	return code;
}

int p11c_fail_ckr(p11c_db *db, int code, int errc, unsigned long ckr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(db, errc, fmt, ap);
	va_end(ap);
	if (db)
		db->err_ckr = ckr;
	return code;
}

const char *p11c_nss_error_name(int err)
{
	const char *name = PR_ErrorToName(err);
	return name ? name : "unknown NSS error";
}

static void append_nss(p11c_db *db, int err)
{
	size_t len = strlen(db->err);
	const char *text = PR_ErrorToString(err, PR_LANGUAGE_I_DEFAULT);
	if (text && *text)
		snprintf(db->err + len, sizeof(db->err) - len, ": %s (%s)", text,
		         p11c_nss_error_name(err));
	else
		snprintf(db->err + len, sizeof(db->err) - len, " (%s)", p11c_nss_error_name(err));
	db->err_nss = err;
	db->err_ckr = ckr_of_nss(err);
}

int p11c_fail_nss(p11c_db *db, int code, const char *fmt, ...)
{
	int err = PR_GetError();
	int errc = errc_of(code);
	va_list ap;
	va_start(ap, fmt);
	vset(db, errc, fmt, ap);
	va_end(ap);
	if (!db || err == 0)
		return code;
	append_nss(db, err);
	if (errc == P11C_ERR_OTHER)
		db->err_code = errc_of_nss(err);
	return code;
}

int p11c_fail_nss_c(p11c_db *db, int code, int errc, const char *fmt, ...)
{
	int err = PR_GetError();
	va_list ap;
	va_start(ap, fmt);
	vset(db, errc, fmt, ap);
	va_end(ap);
	if (db && err != 0)
		append_nss(db, err);
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
