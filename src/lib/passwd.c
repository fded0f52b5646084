/* SPDX-License-Identifier: MPL-2.0 */
/* change-password: a token's new password, and the password file that
 * holds it rewritten so that it never disagrees with the token for long. */
#include <pk11pub.h>
#include <secerr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nssint.h"

/* The old password of slot: the password file's, else the prompt's. */
static int old_password(p11c_db *db, PK11SlotInfo *slot, char *buf, size_t size)
{
	const char *label = PK11_GetTokenName(slot);
	char **known = p11c_token_labels();
	const char *pw = p11c_pwfile_lookup(db->pwf, label, p11c_is_own_slot(db, slot),
	                                    (const char *const *)known);
	p11c_token_labels_free(known);
	if (pw && strlen(pw) < size) {
		strcpy(buf, pw);
		return P11C_OK;
	}
	if (!pw && db->prompt && db->prompt(label, buf, size, db->prompt_arg) == 0)
		return P11C_OK;
	p11c_fail_c(db, P11C_EPASSWORD, P11C_ERR_NOPASSWORD,
	            db->pwf_path ? "password file '%s' has no password for token '%s'"
	                         : "%stoken '%s' needs its current password and no password "
	                           "file was given",
	            db->pwf_path ? db->pwf_path : "", label);
	p11c_err_field(db, db->pwf_path ? "password-file" : "password");
	return P11C_EPASSWORD;
}

static int new_password_ok(p11c_db *db, const char *pw)
{
	size_t n = pw ? strlen(pw) : 0;
	if (n == 0)
		return p11c_fail(db, P11C_EPASSWORD, "the new password is empty");
	if (n > P11C_PW_MAX)
		return p11c_fail(db, P11C_EPASSWORD, "the new password is longer than %d bytes",
		                 P11C_PW_MAX);
	if (strpbrk(pw, "\r\n"))
		return p11c_fail(db, P11C_EPASSWORD, "the new password holds a line break");
	return P11C_OK;
}

/* The password file's new text in a temporary file beside it. */
static int stage_file(p11c_db *db, const char *path, PK11SlotInfo *slot, const char *pw,
                      p11c_output *o)
{
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	int rc = P11C_OK;
	if (lstat(path, &st) == 0)
		rc = p11c_secret_file_read(db, path, &text, &len);
	if (rc)
		return rc;
	char **known = p11c_token_labels();
	int internal = p11c_is_own_slot(db, slot);
	char *fresh = p11c_pwfile_replace(text ? text : "", len, PK11_GetTokenName(slot), internal,
	                                  (const char *const *)known, pw);
	p11c_token_labels_free(known);
	if (text) {
		explicit_bzero(text, len);
		free(text);
	}
	if (!fresh)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	rc = p11c_output_open(db, path, o);
	if (rc == P11C_OK)
		p11c_output_write(o, fresh, strlen(fresh));
	explicit_bzero(fresh, strlen(fresh));
	free(fresh);
	return rc;
}

int p11c_token_change_password(p11c_db *db, const char *token, const char *new_pw,
                               const char *pwfile)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OPTNAME(token), P11C_OPTNAME(pwfile));
	char old[P11C_PW_MAX + 1] = "";
	PK11SlotInfo *slot = NULL;
	p11c_output o = {-1, NULL, NULL, 0};
	char *random = NULL;
	int rc = p11c_require_open(db, 1);
	if (rc)
		return rc;
	if (!new_pw && !pwfile)
		return p11c_fail(db, P11C_EUSAGE,
		                 "a random password needs a password file to be kept in");
	if (!new_pw && !(new_pw = random = p11c_random_password(32)))
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	if ((rc = new_password_ok(db, new_pw)) || (rc = p11c_slot_for_token(db, token, &slot))) {
		p11c_secret_free(random);
		return rc;
	}
	const char *label = PK11_GetTokenName(slot);
	if (PK11_NeedUserInit(slot)) {
		rc = p11c_fail(db, P11C_ETOKEN, "token '%s' has no password yet to change", label);
		goto out;
	}
	if ((rc = old_password(db, slot, old, sizeof(old))))
		goto out;
	if (PK11_CheckUserPassword(slot, old) != SECSuccess) {
		rc = p11c_fail_nss(
		    db, PORT_GetError() == SEC_ERROR_BAD_PASSWORD ? P11C_EPASSWORD : P11C_ETOKEN,
		    "the current password of token '%s' is not accepted", label);
		goto out;
	}
	if (!strcmp(old, new_pw)) {
		rc = p11c_fail(db, P11C_EUSAGE, "the new password is the current one");
		goto out;
	}
	if (pwfile && (rc = stage_file(db, pwfile, slot, new_pw, &o)))
		goto out;
	/* Killed between the token's change and the file's rename, the next
	 * writer puts the staged file in place (or removes it). */
	if (pwfile && ((rc = p11c_pending_begin(db, "change-password")) ||
	               (rc = p11c_pending_pwfile(db, slot, o.tmp, pwfile))))
		goto out;
	p11c_log(db, "changing the password of token '%s'", label);
	if (PK11_ChangePW(slot, old, new_pw) != SECSuccess) {
		rc = p11c_fail_nss(db, P11C_ETOKEN, "token '%s' refused the new password", label);
		p11c_output_close(db, &o, 0);
		goto out;
	}
	if (pwfile && (rc = p11c_pending_commit(db, NULL, NULL))) {
		PK11_ChangePW(slot, new_pw, old);
		goto out;
	}
	if (pwfile && (rc = p11c_output_close(db, &o, 1))) {
		/* the file still has the old password: so must the token */
		char why[sizeof(db->err)];
		snprintf(why, sizeof(why), "%s", p11c_last_error(db));
		if (PK11_ChangePW(slot, new_pw, old) == SECSuccess)
			rc = p11c_fail_keep(db, P11C_EFAIL, "%.700s; the password is unchanged",
			                    why);
		else
			rc = p11c_fail_c(db, P11C_ETOKEN, P11C_ERR_TOKEN,
			                 "%.600s, and token '%s' keeps the NEW password, which no "
			                 "file holds",
			                 why, label);
	}
out:
	explicit_bzero(old, sizeof(old));
	p11c_secret_free(random);
	if (o.fd >= 0)
		p11c_output_close(db, &o, 0);
	rc = p11c_pending_end(db, rc);
	PK11_FreeSlot(slot);
	return rc;
}
