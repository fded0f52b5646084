/* SPDX-License-Identifier: MPL-2.0 */
/* check: what a monitoring job should hear of a certificate database. */
#include <cert.h>
#include <certdb.h>
#include <keyhi.h>
#include <pk11pub.h>
#include <secoid.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "checkint.h"

#define CHECK_DAYS 30

struct p11c_finding {
	char *alias; /* escaped */
	p11c_severity severity;
	enum p11c_finding_code code;
	char *message; /* escaped */
};

struct p11c_check_report {
	p11c_finding *f;
	size_t n;
	p11c_severity worst;
};

void p11c_check_add(p11c_checking *r, const char *alias, int problem, enum p11c_finding_code code,
                    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p11c_check_report *rep = r->rep;
	p11c_finding *f = P11C_VEC_RESERVE(rep->f, rep->n, 1);
	if (!f) {
		r->failed = 1;
		return;
	}
	/* aliases and names come from certificates: shown escaped */
	f->alias = p11c_safe_text(alias ? alias : "", alias ? strlen(alias) : 0);
	f->severity = problem ? P11C_SEVERITY_PROBLEM : P11C_SEVERITY_WARNING;
	f->code = code;
	f->message = p11c_safe_text(msg, strlen(msg));
	if (!f->alias || !f->message) {
		free(f->alias);
		free(f->message);
		r->failed = 1;
		return;
	}
	rep->n++;
	if (f->severity > rep->worst)
		rep->worst = f->severity;
}

void p11c_check_when(long long t, char *buf, size_t size)
{
	time_t s = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&s, &tm) || !strftime(buf, size, "%Y/%m/%d %H:%M UTC", &tm))
		snprintf(buf, size, "?");
}

void p11c_check_report_free(p11c_check_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->f[i].alias);
		free(r->f[i].message);
	}
	free(r->f);
	free(r);
}

size_t p11c_check_report_count(const p11c_check_report *r)
{
	return r ? r->n : 0;
}

const p11c_finding *p11c_check_report_get(const p11c_check_report *r, size_t i)
{
	return r && i < r->n ? &r->f[i] : NULL;
}

p11c_severity p11c_check_report_severity(const p11c_check_report *r)
{
	return r ? r->worst : P11C_SEVERITY_OK;
}

const char *p11c_finding_alias(const p11c_finding *f)
{
	return f ? f->alias : NULL;
}

p11c_severity p11c_finding_severity(const p11c_finding *f)
{
	return f ? f->severity : P11C_SEVERITY_OK;
}

enum p11c_finding_code p11c_finding_code(const p11c_finding *f)
{
	return f ? f->code : P11C_FINDING_NONE;
}

const char *p11c_finding_message(const p11c_finding *f)
{
	return f ? f->message : NULL;
}

const char *p11c_severity_name(p11c_severity severity)
{
	switch (severity) {
	case P11C_SEVERITY_OK:
		return "ok";
	case P11C_SEVERITY_WARNING:
		return "warning";
	case P11C_SEVERITY_PROBLEM:
		return "problem";
	}
	return "unknown";
}

const char *p11c_finding_code_name(enum p11c_finding_code code)
{
	static const char *const names[] = {
	    [P11C_FINDING_NONE] = "none",
	    [P11C_FINDING_EXPIRED] = "expired",
	    [P11C_FINDING_EXPIRING] = "expiring",
	    [P11C_FINDING_WEAK_KEY] = "weak-key",
	    [P11C_FINDING_WEAK_SIGNATURE] = "weak-signature",
	    [P11C_FINDING_NO_KEY] = "no-key",
	    [P11C_FINDING_ORPHAN_KEY] = "orphan-key",
	    [P11C_FINDING_CHAIN] = "chain",
	    [P11C_FINDING_LOGIN] = "login",
	    [P11C_FINDING_PASSWORD_FILE] = "password-file",
	    [P11C_FINDING_INTERRUPTED_WRITE] = "interrupted-write",
	    [P11C_FINDING_JOURNAL] = "journal",
	    [P11C_FINDING_DUPLICATE_ALIAS] = "duplicate-alias",
	    [P11C_FINDING_TOKEN_DEFECT] = "token-defect",
	    [P11C_FINDING_STALE_EXPORT] = "stale-export",
	    [P11C_FINDING_SDB_CACHE] = "sdb-cache",
	    [P11C_FINDING_ACME_DUE] = "acme-due",
	    [P11C_FINDING_ACME_FAILED] = "acme-failed",
	    [P11C_FINDING_REVOKED] = "revoked",
	    [P11C_FINDING_REVOCATION_UNKNOWN] = "revocation-unknown",
	};
	return (unsigned)code < sizeof(names) / sizeof(names[0]) ? names[code] : "unknown";
}

/* Whether a p11cert writer holds the database's lock just now. */
static int writer_running(const char *dir)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/p11cert.lock", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	int busy = flock(fd, LOCK_SH | LOCK_NB) != 0;
	close(fd);
	return busy;
}

/* What a write that was cut short left, and how the files are kept. */
static void check_files(p11c_checking *r)
{
	char op[64], mode[16];
	const char *dir = r->db->dir;
	if (r->db->recovered)
		p11c_check_add(
		    r, dir, 0, P11C_FINDING_INTERRUPTED_WRITE,
		    "a write to the database had been interrupted; it was rolled back when "
		    "the database was opened");
	if (p11c_pending_found(dir, op, sizeof(op)) && !writer_running(dir))
		p11c_check_add(r, dir, 1, P11C_FINDING_INTERRUPTED_WRITE,
		               "an interrupted '%s' left steps unfinished: the next open of the "
		               "database for writing finishes or undoes them",
		               op);
	static const char *const files[] = {"cert9.db", "key4.db"};
	for (size_t i = 0; i < 2; i++)
		if (p11c_db_journal_mode(dir, files[i], mode, sizeof(mode)) == 0 &&
		    strcmp(mode, "wal") != 0)
			p11c_check_add(
			    r, files[i], 0, P11C_FINDING_JOURNAL,
			    "%s uses sqlite's %s journal: a write killed half way keeps read-only "
			    "servers from opening it; the next open of the database for writing "
			    "turns "
			    "it to write-ahead logging",
			    files[i], mode);
}

/* Two certificates under one alias: a renewal cut short by another tool. */
static int by_alias(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_aliases(p11c_checking *r, const items *it)
{
	char **names = calloc(it->n ? it->n : 1, sizeof(*names));
	size_t n = 0;
	if (!names) {
		r->failed = 1;
		return;
	}
	for (size_t k = 0; k < it->n; k++)
		if (*it->v[k].alias)
			names[n++] = it->v[k].alias;
	qsort(names, n, sizeof(*names), by_alias);
	for (size_t k = 0; k + 1 < n; k++)
		if (!strcmp(names[k], names[k + 1]))
			p11c_check_add(r, names[k], 1, P11C_FINDING_DUPLICATE_ALIAS,
			               "two certificates answer to '%s'", names[k]);
	free(names);
}

/* Recorded exports (sync-exports) that are stale or missing: warnings. */
static void check_exports(p11c_checking *r)
{
	p11c_export_report *rep = NULL;
	if (p11c_export_sync(r->db, P11C_SYNC_DRY_RUN, &rep) != P11C_OK) {
		p11c_check_add(r, "p11cert-exports", 0, P11C_FINDING_STALE_EXPORT, "%s",
		               p11c_last_error(r->db));
		return;
	}
	for (size_t i = 0; i < p11c_export_report_count(rep); i++) {
		const p11c_export_status *s = p11c_export_report_get(rep, i);
		const char *path = p11c_export_status_path(s),
		           *command = p11c_export_status_command(s),
		           *message = p11c_export_status_message(s);
		if (p11c_export_status_state(s) != P11C_EXPORT_CURRENT)
			p11c_check_add(r, path, 0, P11C_FINDING_STALE_EXPORT, "'%s' (%s): %s", path,
			               command ? command : "", message ? message : "stale");
	}
	p11c_export_report_free(rep);
}

/* The ACME-managed certificates (p11c_acme_list): a failed last renewal
 * or a certificate gone is a problem; one due and not renewed (the
 * renewal job is not running, or not yet) a warning. */
static void check_acme(p11c_checking *r, int days)
{
	p11c_acme_listing *l = NULL;
	if (p11c_acme_list(r->db, &l) != P11C_OK) {
		p11c_check_add(r, "p11cert-acme.json", 1, P11C_FINDING_ACME_FAILED, "%s",
		               p11c_last_error(r->db));
		return;
	}
	long long now = (long long)time(NULL);
	for (size_t i = 0; i < p11c_acme_listing_count(l); i++) {
		const p11c_acme_cert *c = p11c_acme_listing_get(l, i);
		const char *alias = p11c_acme_cert_alias(c), *failure = p11c_acme_cert_failure(c);
		long long not_after = p11c_acme_cert_not_after(c),
		          renew_at = p11c_acme_cert_renew_at(c);
		char when[64];
		if (p11c_acme_cert_revoked(c))
			continue;
		if (failure) {
			p11c_check_when(p11c_acme_cert_failure_time(c), when, sizeof(when));
			p11c_check_add(r, alias, 1, P11C_FINDING_ACME_FAILED,
			               "the ACME renewal of '%s' failed on %s: %s", alias, when,
			               failure);
		} else if (!not_after) {
			p11c_check_add(r, alias, 1, P11C_FINDING_ACME_FAILED,
			               "ACME-managed certificate '%s' is not in the database",
			               alias);
		} else if (renew_at && renew_at <= now) {
			p11c_check_when(renew_at, when, sizeof(when));
			p11c_check_add(r, alias, 0, P11C_FINDING_ACME_DUE,
			               "ACME-managed certificate '%s' is due for renewal since %s "
			               "(the server's renewal window)",
			               alias, when);
		} else if (not_after - now <= (long long)days * 86400) {
			p11c_check_when(not_after, when, sizeof(when));
			p11c_check_add(
			    r, alias, 0, P11C_FINDING_ACME_DUE,
			    "ACME-managed certificate '%s' is due for renewal: it expires "
			    "on %s and has not been renewed",
			    alias, when);
		}
	}
	p11c_acme_listing_free(l);
}

/* The first version of p11c_check_opts: size, days, password_file. */
#define CHECK_OPTS_V1 (offsetof(p11c_check_opts, password_file) + sizeof(const char *))

int p11c_db_check(p11c_db *db, const p11c_check_opts *opts, p11c_check_report **out)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OPTS_SIZE(opts, CHECK_OPTS_V1),
	          P11C_FIELD_RANGE(opts, days, 0, 36500), P11C_FIELD_OPTNAME(opts, password_file),
	          P11C_FIELD_RANGE(opts, revocation, P11C_REVOCATION_NONE, P11C_REVOCATION_ALL),
	          P11C_FIELD_RANGE(opts, require_revocation, 0, 1),
	          P11C_FIELD_RANGE(opts, timeout, 0, 3600),
	          P11C_FIELD_RANGE(opts, time_limit, 0, 3600), P11C_OUT(out));
	*out = NULL;
	int days = P11C_OPT(opts, days, CHECK_DAYS);
	const char *password_file = P11C_OPT(opts, password_file, NULL);
	if (days == 0)
		days = CHECK_DAYS;
	int rc = p11c_require_open(db, 0);
	if (rc)
		return rc;
	p11c_checking r = {.db = db, .rep = calloc(1, sizeof(p11c_check_report))};
	if (!r.rep)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	r.rev_mode = (int)P11C_OPT(opts, revocation, P11C_REVOCATION_NONE);
	r.rev_require = P11C_OPT(opts, require_revocation, 0);
	r.rev_timeout = P11C_OPT(opts, timeout, 0);
	if (r.rev_timeout == 0)
		r.rev_timeout = 5;
	int limit = P11C_OPT(opts, time_limit, 0);
	r.rev_deadline = (long long)time(NULL) + (limit ? limit : 20);
	if (password_file) {
		char *text = NULL;
		size_t len = 0;
		if (p11c_secret_file_read(db, password_file, &text, &len) != P11C_OK)
			p11c_check_add(&r, password_file, 1, P11C_FINDING_PASSWORD_FILE, "%s",
			               p11c_last_error(db));
		if (text) {
			explicit_bzero(text, len);
			free(text);
		}
	}
	/* The certificates and their trust first, as certutil -L reads them:
	 * once the internal token is logged in, NSS checks each trust
	 * attribute's integrity MAC as it reads it, a key derivation (PBKDF2)
	 * per certificate that made check 150 times slower than a listing.
	 * The database's own token is read straight when it is the only one
	 * in sight (certscan.c), else NSS's list keeps them and the trust read
	 * for the checks below. */
	/* External tokens first: some (SoftHSM) hide their certificates until
	 * logged in, and their attributes carry no MAC to verify.  Their
	 * findings follow the internal token's. */
	typedef struct {
		char label[128];
		char msg[600];
	} login_note;
	login_note *notes = NULL;
	size_t n_notes = 0;
	PK11SlotList *list = PK11_GetAllTokens(CKM_INVALID_MECHANISM, PR_FALSE, PR_FALSE, db);
	for (PK11SlotListElement *le = list ? list->head : NULL; le; le = le->next) {
		const char *label = PK11_GetTokenName(le->slot);
		if (PK11_IsInternal(le->slot) || !PK11_IsPresent(le->slot) ||
		    !p11c_pwfile_lookup(db->pwf, label, 0, NULL) ||
		    p11c_login(db, le->slot) == P11C_OK)
			continue;
		login_note *n = P11C_VEC_PUSH(notes, n_notes);
		if (!n) {
			r.failed = 1;
			break;
		}
		snprintf(n->label, sizeof(n->label), "%s", label);
		snprintf(n->msg, sizeof(n->msg), "%s", p11c_last_error(db));
	}
	if (list)
		PK11_FreeSlotList(list);
	p11c_scanned *sc = NULL;
	size_t nsc = 0;
	p11c_scan_hold_trust(db, 1); /* for check_exports' export-trust too */
	int scan = p11c_scan_usable(db) ? p11c_scan_own_token(db, &sc, &nsc) : 1;
	CERTCertList *certs = scan > 0 ? p11c_list_certs(db) : NULL;
	if (scan < 0 || (scan > 0 && !certs)) {
		free(notes);
		p11c_scan_hold_trust(db, 0);
		p11c_check_report_free(r.rep);
		return scan < 0 ? p11c_fail(db, P11C_EFAIL, "out of memory")
		                : p11c_fail_nss(db, P11C_EFAIL, "cannot list certificates");
	}
	for (CERTCertListNode *node = certs ? CERT_LIST_HEAD(certs) : NULL;
	     certs && !CERT_LIST_END(node, certs); node = CERT_LIST_NEXT(node)) {
		CERTCertTrust t;
		(void)CERT_GetCertTrust(node->cert, &t);
	}
	/* A token that cannot be logged in to hides its keys: say so, and judge
	 * the rest (each token on its own). */
	if (p11c_login(db, db->slot) != P11C_OK)
		p11c_check_add(&r, "", 1, P11C_FINDING_LOGIN, "cannot see the private keys: %s",
		               p11c_last_error(db));
	for (size_t k = 0; k < n_notes; k++)
		p11c_check_add(&r, notes[k].label, 1, P11C_FINDING_LOGIN,
		               "cannot see the keys on token '%s': %s", notes[k].label,
		               notes[k].msg);
	free(notes);
	items it = {NULL, 0, NULL};
	if (p11c_check_items_make(db, sc, nsc, certs, &it))
		r.failed = 1;
	p11c_scanned_free(sc, nsc);
	if (certs)
		CERT_DestroyCertList(certs);
	check_files(&r);
	/* NSS's sqlite cache of the database, made for network file systems:
	 * every query then goes through a temporary copy, and a listing of
	 * 10,000 certificates is ten times slower */
	const char *cache = getenv("NSS_SDB_USE_CACHE");
	if (cache && !strcasecmp(cache, "yes"))
		p11c_check_add(
		    &r, "NSS_SDB_USE_CACHE", 0, P11C_FINDING_SDB_CACHE,
		    "NSS_SDB_USE_CACHE=yes is set: NSS copies the database into a temporary cache "
		    "for every query, which makes large databases far slower to read; unset it "
		    "unless the database is on a network file system");
	p11c_check_certs(&r, &it, days, PR_Now());
	p11c_progress(db, "checking certificates", it.n, it.n);
	check_aliases(&r, &it);
	p11c_check_keys(&r, &it);
	p11c_check_items_free(&it);
	check_exports(&r);
	check_acme(&r, days);
	p11c_scan_hold_trust(db, 0);
	if (r.failed) {
		p11c_check_report_free(r.rep);
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	}
	*out = r.rep;
	return P11C_OK;
}
