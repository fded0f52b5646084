/* SPDX-License-Identifier: MPL-2.0 */
/* sync-exports and check: each export recorded in DIR/p11cert-exports
 * (exports.c) judged against what the database would write now, and
 * written again when it differs or is missing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "exportrec.h"

struct p11c_export_status {
	char *path;
	char *command; /* the export as p11cert's arguments */
	p11c_export_state state;
	int rewritten; /* written again (stale or missing, not a dry run) */
	char *message; /* why it is not current, or NULL */
};

struct p11c_export_report {
	p11c_export_status *s;
	size_t n;
};

/* ---- what the database would write now ---- */

/* The certificates a PKCS#12 export holds, as the database has them now:
 * what its digest is taken of (its bytes differ every time: random salt). */
int p11c_export_holdings(p11c_db *db, const p11c_rec *r, unsigned char **out, size_t *len)
{
	size_t count;
	if (r->kind == P11C_EXPORT_TRUST)
		return p11c_trust_export(db, (p11c_usage)r->usage, P11C_TRUST_FORMAT_PEM, NULL, out,
		                         len, &count);
	return p11c_cert_export(db, r->alias, P11C_CERT_EXPORT_CHAIN | P11C_CERT_EXPORT_PEM, out,
	                        len);
}

/* What the file of r would hold now, in *out (PKCS#12: only given pw;
 * NULL otherwise), and *digest of it (PKCS#12: of its holdings). */
static int render(p11c_db *db, const p11c_rec *r, const char *pw, unsigned char **out, size_t *len,
                  char digest[65])
{
	unsigned char *data = NULL;
	size_t count;
	int rc;
	*out = NULL;
	*len = 0;
	if (r->format == P11C_EXPORT_PKCS12) {
		if ((rc = p11c_export_holdings(db, r, &data, len)))
			return rc;
		p11c_export_digest(data, *len, digest);
		free(data);
		*len = 0;
		if (!pw)
			return P11C_OK;
		if (r->kind == P11C_EXPORT_CERT)
			return p11c_cert_p12_encode(db, r->alias, pw,
			                            r->compat ? P11C_P12_COMPAT : 0u, out, len);
		return p11c_trust_export(db, (p11c_usage)r->usage, P11C_TRUST_FORMAT_PKCS12, pw,
		                         out, len, &count);
	}
	if (r->kind == P11C_EXPORT_KEY)
		rc = p11c_key_pem(db, r->alias, out, len);
	else if (r->kind == P11C_EXPORT_TRUST)
		rc = p11c_trust_export(db, (p11c_usage)r->usage, P11C_TRUST_FORMAT_PEM, NULL, out,
		                       len, &count);
	else
		rc =
		    p11c_cert_export(db, r->alias,
		                     (r->chain ? P11C_CERT_EXPORT_CHAIN : 0u) |
		                         (r->format == P11C_EXPORT_PEM ? P11C_CERT_EXPORT_PEM : 0u),
		                     out, len);
	if (rc == P11C_OK)
		p11c_export_digest(*out, *len, digest);
	return rc;
}

/* data in r's file, through the atomic writer, with the old file's mode
 * and owner (a new file: 0600 for keys and PKCS#12, else 0644, as the
 * export commands make them). */
static int put(p11c_db *db, const p11c_rec *r, const unsigned char *data, size_t len)
{
	struct stat st;
	int old = stat(r->path, &st) == 0;
	unsigned mode = old ? st.st_mode & 07777
	                : (r->kind == P11C_EXPORT_KEY || r->format == P11C_EXPORT_PKCS12) ? 0600
	                                                                                  : 0644;
	p11c_output o;
	int rc = p11c_output_open_mode(db, r->path, mode, 0, &o);
	if (rc)
		return rc;
	/* the owner, then the mode again: a new owner clears set-id bits */
	if (old && (fchown(o.fd, st.st_uid, st.st_gid) != 0 || fchmod(o.fd, mode) != 0))
		o.failed = errno;
	p11c_output_write(&o, data, len);
	return p11c_output_close(db, &o, 1);
}

static char *command_text(const p11c_rec *r)
{
	char buf[8192];
	if (r->kind == P11C_EXPORT_TRUST)
		snprintf(buf, sizeof(buf), "export-trust --usage %s --format %s%s%s -o %s",
		         p11c_usage_name((p11c_usage)r->usage),
		         p11c_export_format_name((p11c_export_format)r->format),
		         r->pwfile ? " --p12-password-file " : "", r->pwfile ? r->pwfile : "",
		         r->path);
	else if (r->kind == P11C_EXPORT_KEY)
		snprintf(buf, sizeof(buf), "export-cert --format pem --key-out %s %s", r->path,
		         r->alias);
	else
		snprintf(buf, sizeof(buf), "export-cert --format %s%s%s%s%s%s%s -o %s %s",
		         p11c_export_format_name((p11c_export_format)r->format),
		         r->chain ? " --chain" : "", r->key_out ? " --key-out " : "",
		         r->key_out ? r->key_out : "", r->compat ? " --p12-profile compat" : "",
		         r->pwfile ? " --p12-password-file " : "", r->pwfile ? r->pwfile : "",
		         r->path, r->alias);
	return strdup(buf);
}

/* ---- the API ---- */

/* Judge (and unless dry_run, write again) one record; its digest is
 * updated when it was written. */
static void sync_one(p11c_db *db, p11c_rec *r, int dry_run, p11c_export_status *s, int *changed)
{
	char digest[65] = "", *pw = NULL, msg[1200];
	unsigned char *now = NULL, *data = NULL;
	size_t len = 0, data_len = 0;
	struct stat st;
	int missing = stat(r->path, &st) != 0 && errno == ENOENT;
	const char *why;
	int rc = P11C_OK;
	msg[0] = 0;
	/* As the export commands do: a link or a device is not replaced. */
	if (p11c_output_path_check(r->path, &why) != P11C_OK) {
		s->state = P11C_EXPORT_FAILED;
		snprintf(msg, sizeof(msg), "it is %s, not a regular file", why);
		goto out;
	}
	if ((rc = render(db, r, NULL, &data, &data_len, digest))) {
		s->state = P11C_EXPORT_FAILED;
		snprintf(msg, sizeof(msg), "%s", p11c_last_error(db));
		goto out;
	}
	if (missing) {
		s->state = P11C_EXPORT_MISSING;
		snprintf(msg, sizeof(msg), "the file is missing");
	} else if (r->format == P11C_EXPORT_PKCS12) {
		if (strcmp(digest, r->digest)) {
			s->state = P11C_EXPORT_STALE;
			snprintf(msg, sizeof(msg),
			         "the certificates it holds changed in the database");
		}
	} else if (p11c_file_read(db, r->path, &now, &len) != P11C_OK) {
		s->state = P11C_EXPORT_STALE;
		snprintf(msg, sizeof(msg), "%s", p11c_last_error(db));
	} else {
		char have[65];
		p11c_export_digest(now, len, have);
		p11c_export_wipe_free(now, len);
		if (strcmp(have, digest)) {
			s->state = P11C_EXPORT_STALE;
			snprintf(msg, sizeof(msg), "%s",
			         strcmp(have, r->digest)
			             ? "the file was changed since it was written"
			             : "the database holds something else now");
		}
	}
	if (s->state == P11C_EXPORT_CURRENT || dry_run)
		goto out;
	if (r->format == P11C_EXPORT_PKCS12) {
		if (!r->pwfile) {
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
			         "; skipped: no --p12-password-file was recorded for its password");
			s->state = P11C_EXPORT_NEEDS_PASSWORD;
			goto out;
		}
		if ((rc = p11c_password_file_read(db, r->pwfile, &pw)) ||
		    (rc = render(db, r, pw, &data, &data_len, digest))) {
			snprintf(msg, sizeof(msg), "%s", p11c_last_error(db));
			s->state = P11C_EXPORT_FAILED;
			goto out;
		}
	}
	if (put(db, r, data, data_len)) {
		snprintf(msg, sizeof(msg), "%s", p11c_last_error(db));
		s->state = P11C_EXPORT_FAILED;
		goto out;
	}
	memcpy(r->digest, digest, sizeof(digest));
	s->rewritten = 1;
	*changed = 1;
out:
	p11c_export_wipe_free(data, data_len);
	if (pw) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	s->message = msg[0] ? strdup(msg) : NULL;
}

int p11c_export_sync(p11c_db *db, unsigned flags, p11c_export_report **out)
{
	P11C_ARGS(db, P11C_DB(db), P11C_FLAGS(flags, P11C_SYNC_DRY_RUN), P11C_OUT(out));
	int dry_run = (flags & P11C_SYNC_DRY_RUN) != 0;
	*out = NULL;
	int rc = p11c_require_open(db, 0);
	if (rc)
		return rc;
	char *file = p11c_recs_path(db);
	p11c_export_report *rep = calloc(1, sizeof(*rep));
	p11c_recs v = {NULL, 0};
	int lock = -1, changed = 0;
	if (!file || !rep) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	if (!dry_run && (rc = lock = p11c_recs_lock(db, db->dir)) < 0)
		goto out;
	if ((rc = p11c_recs_read(db, file, &v)))
		goto out;
	if (v.n && !(rep->s = calloc(v.n, sizeof(*rep->s)))) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < v.n; i++) {
		p11c_export_status *s = &rep->s[i];
		s->path = strdup(v.r[i].path);
		s->command = command_text(&v.r[i]);
		s->state = P11C_EXPORT_CURRENT;
		sync_one(db, &v.r[i], dry_run, s, &changed);
		rep->n++;
	}
	if (changed && (rc = p11c_recs_write(db, file, &v)))
		p11c_warn(db, "the files were written, but not their new digests: %s",
		          p11c_last_error(db));
	rc = P11C_OK;
	*out = rep;
	rep = NULL;
out:
	if (lock >= 0)
		close(lock);
	p11c_recs_free(&v);
	free(file);
	p11c_export_report_free(rep);
	return rc;
}

size_t p11c_export_report_count(const p11c_export_report *report)
{
	return report ? report->n : 0;
}

const p11c_export_status *p11c_export_report_get(const p11c_export_report *report, size_t i)
{
	return report && i < report->n ? &report->s[i] : NULL;
}

void p11c_export_report_free(p11c_export_report *report)
{
	if (!report)
		return;
	for (size_t i = 0; i < report->n; i++) {
		free(report->s[i].path);
		free(report->s[i].command);
		free(report->s[i].message);
	}
	free(report->s);
	free(report);
}

const char *p11c_export_status_path(const p11c_export_status *s)
{
	return s ? s->path : NULL;
}

const char *p11c_export_status_command(const p11c_export_status *s)
{
	return s ? s->command : NULL;
}

p11c_export_state p11c_export_status_state(const p11c_export_status *s)
{
	return s ? s->state : P11C_EXPORT_STATE_NONE;
}

int p11c_export_status_rewritten(const p11c_export_status *s)
{
	return s ? s->rewritten : 0;
}

const char *p11c_export_status_message(const p11c_export_status *s)
{
	return s ? s->message : NULL;
}

const char *p11c_export_state_name(p11c_export_state state)
{
	static const char *const names[] = {"none",    "current",        "stale",
	                                    "missing", "needs-password", "failed"};
	return (int)state >= 0 && (size_t)state < sizeof(names) / sizeof(names[0]) ? names[state]
	                                                                           : "unknown";
}
