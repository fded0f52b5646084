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

#include "chainint.h"

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

typedef struct {
	p11c_db *db;
	p11c_check_report *rep;
	int failed; /* out of memory */
} report;

static void add(report *r, const char *alias, int problem, enum p11c_finding_code code,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void add(report *r, const char *alias, int problem, enum p11c_finding_code code,
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
	};
	return (unsigned)code < sizeof(names) / sizeof(names[0]) ? names[code] : "unknown";
}

static void when_text(PRTime t, char *buf, size_t size)
{
	time_t s = (time_t)(t / PR_USEC_PER_SEC);
	struct tm tm;
	if (!gmtime_r(&s, &tm) || !strftime(buf, size, "%Y/%m/%d %H:%M UTC", &tm))
		snprintf(buf, size, "?");
}

/* What a certificate is to the database. */
typedef struct {
	const char *alias;
	int own;     /* has its private key */
	int anchor;  /* trusted as a CA or as a peer */
	int ca;      /* basicConstraints CA */
	int root;    /* self-signed */
	int trusted; /* any trust flag at all */
} role;

static void check_dates(report *r, CERTCertificate *cert, const role *w, PRTime now, int days)
{
	PRTime nb = 0, na = 0;
	char t[64];
	if (CERT_GetCertTimes(cert, &nb, &na) != SECSuccess)
		return;
	when_text(na, t, sizeof(t));
	const char *what = w->own ? "" : w->ca ? "trusted CA " : "trusted peer ";
	if (na < now) {
		add(r, w->alias, w->own, P11C_FINDING_EXPIRED, "%scertificate '%s' expired on %s",
		    what, w->alias, t);
	} else if (na < now + (PRTime)days * 86400 * PR_USEC_PER_SEC) {
		long left =
		    (long)((na - now + 86400LL * PR_USEC_PER_SEC - 1) / PR_USEC_PER_SEC / 86400);
		add(r, w->alias, 0, P11C_FINDING_EXPIRING,
		    "%scertificate '%s' expires in %ld day%s, on %s", what, w->alias, left,
		    left == 1 ? "" : "s", t);
	}
}

static void check_key(report *r, CERTCertificate *cert, const role *w)
{
	SECKEYPublicKey *pub = CERT_ExtractPublicKey(cert);
	if (!pub)
		return;
	unsigned bits = SECKEY_PublicKeyStrengthInBits(pub);
	KeyType kt = SECKEY_GetPublicKeyType(pub);
	int weak = ((kt == rsaKey || kt == dsaKey) && bits < 2048) || (kt == ecKey && bits < 256);
	if (weak)
		add(r, w->alias, w->own, P11C_FINDING_WEAK_KEY, "'%s' has a weak %s key of %u bits",
		    w->alias,
		    kt == rsaKey   ? "RSA"
		    : kt == dsaKey ? "DSA"
		                   : "EC",
		    bits);
	SECKEY_DestroyPublicKey(pub);
}

static void check_signature(report *r, CERTCertificate *cert, const role *w)
{
	if (w->root) /* a root's signature on itself protects nothing */
		return;
	SECOidTag alg = SECOID_GetAlgorithmTag(&cert->signature);
	const char *name = SECOID_FindOIDTagDescription(alg);
	switch (alg) {
	case SEC_OID_PKCS1_MD2_WITH_RSA_ENCRYPTION:
	case SEC_OID_PKCS1_MD4_WITH_RSA_ENCRYPTION:
	case SEC_OID_PKCS1_MD5_WITH_RSA_ENCRYPTION:
		add(r, w->alias, w->own || w->anchor, P11C_FINDING_WEAK_SIGNATURE,
		    "'%s' is signed with %s, which is broken", w->alias, name ? name : "MD5");
		break;
	case SEC_OID_PKCS1_SHA1_WITH_RSA_ENCRYPTION:
	case SEC_OID_ANSIX9_DSA_SIGNATURE_WITH_SHA1_DIGEST:
	case SEC_OID_ANSIX962_ECDSA_SHA1_SIGNATURE:
		add(r, w->alias, 0, P11C_FINDING_WEAK_SIGNATURE, "'%s' is signed with %s (SHA-1)",
		    w->alias, name ? name : "SHA-1");
		break;
	default:
		break;
	}
}

/* The usage a certificate of the database's own is for: its EKU's first
 * of server, client, email; server when it says none. */
static int own_usage(CERTCertificate *cert)
{
	SECItem ext = {siBuffer, NULL, 0};
	int usage = P11C_USAGE_TLS_SERVER;
	if (CERT_FindCertExtension(cert, SEC_OID_X509_EXT_KEY_USAGE, &ext) != SECSuccess)
		return usage;
	CERTOidSequence *seq = CERT_DecodeOidSequence(&ext);
	int server = 0, client = 0, email = 0;
	for (SECItem **o = seq ? seq->oids : NULL; o && *o; o++) {
		SECOidTag t = SECOID_FindOIDTag(*o);
		server |= t == SEC_OID_EXT_KEY_USAGE_SERVER_AUTH;
		client |= t == SEC_OID_EXT_KEY_USAGE_CLIENT_AUTH;
		email |= t == SEC_OID_EXT_KEY_USAGE_EMAIL_PROTECT;
	}
	if (seq)
		CERT_DestroyOidSequence(seq);
	SECITEM_FreeItem(&ext, PR_FALSE);
	if (!server && client)
		usage = P11C_USAGE_TLS_CLIENT;
	else if (!server && !client && email)
		usage = P11C_USAGE_EMAIL;
	return usage;
}

/* A CA-issued certificate with its key: does its chain verify?  (NSS
 * servers send the chain the database holds.)  Dates are reported
 * already. */
static void check_chain(report *r, CERTCertificate *cert, const role *w, PRTime now)
{
	if (w->root || !w->own)
		return;
	p11c_chain *c = p11c_chain_new();
	int usage = own_usage(cert);
	if (!c || p11c_chain_append(r->db, c, cert, 0) < 0 ||
	    p11c_chain_judge(r->db, c, usage, now, NULL) != P11C_OK) {
		r->failed = !c;
		p11c_chain_free(c);
		return;
	}
	for (size_t i = 0; i < c->n_problems; i++) {
		const p11c_problem *p = &c->problems[i];
		if (p->depth == 0 &&
		    (p->code == P11C_PROBLEM_EXPIRED || p->code == P11C_PROBLEM_NOT_YET_VALID))
			continue;
		add(r, w->alias, 1, P11C_FINDING_CHAIN,
		    "the chain of '%s' does not verify for %s: %s", w->alias,
		    usage == P11C_USAGE_TLS_CLIENT ? "TLS clients"
		    : usage == P11C_USAGE_EMAIL    ? "email"
		                                   : "TLS servers",
		    p->message);
		break;
	}
	p11c_chain_free(c);
}

/* Whether the keys beside cert can be seen: its token is logged in to. */
static int keys_visible(report *r, CERTCertificate *cert)
{
	PK11SlotInfo *slot = cert->slot ? PK11_ReferenceSlot(cert->slot) : p11c_db_slot(r->db);
	int seen = !PK11_NeedLogin(slot) || PK11_IsLoggedIn(slot, r->db);
	PK11_FreeSlot(slot);
	return seen;
}

/* One certificate as check sees it: NSS's own (its key looked for), or
 * one the scan decoded (certscan.c: no key beside it). */
typedef struct {
	CERTCertificate *cert;
	char *alias;
	CERTCertTrust trust;
	int lookup; /* its key is looked for */
} item;

typedef struct {
	item *v;
	size_t n;
} items;

static void items_free(items *it)
{
	for (size_t i = 0; i < it->n; i++) {
		CERT_DestroyCertificate(it->v[i].cert);
		free(it->v[i].alias);
	}
	free(it->v);
}

/* cert (taken) as an item; -1 out of memory. */
static int item_add(items *it, CERTCertificate *cert, const char *alias,
                    const CERTCertTrust *trust, int lookup)
{
	char *a = strdup(alias);
	item *i = a ? P11C_VEC_PUSH(it->v, it->n) : NULL; /* counted in it->n */
	if (!i) {
		free(a);
		CERT_DestroyCertificate(cert);
		return -1;
	}
	i->cert = cert;
	i->alias = a;
	i->lookup = lookup;
	if (trust)
		i->trust = *trust;
	else if (CERT_GetCertTrust(cert, &i->trust) != SECSuccess)
		memset(&i->trust, 0, sizeof(i->trust));
	return 0;
}

static int item_by_alias(const void *a, const void *b)
{
	return strcmp(((const item *)a)->alias, ((const item *)b)->alias);
}

/* After the logins: the scanned certificates (those with a key beside
 * them as NSS holds them), else NSS's listing read before the logins;
 * sorted by alias, so that findings come in the order list-certs shows. */
static int items_make(p11c_db *db, p11c_scanned *sc, size_t nsc, CERTCertList *certs, items *it)
{
	if (certs) {
		for (CERTCertListNode *node = CERT_LIST_HEAD(certs); !CERT_LIST_END(node, certs);
		     node = CERT_LIST_NEXT(node)) {
			CERTCertificate *c = node->cert;
			const char *alias = c->nickname    ? p11c_alias_of(db, c)
			                    : c->emailAddr ? c->emailAddr
			                                   : "";
			if (item_add(it, CERT_DupCertificate(c), alias, NULL, 1))
				return -1;
		}
		if (it->n > 1)
			qsort(it->v, it->n, sizeof(*it->v), item_by_alias);
		return 0;
	}
	/* the private keys now in sight (a failure leaves the marks as they
	 * were read before the login) */
	(void)p11c_scan_rekey(db, sc, nsc);
	for (size_t k = 0; k < nsc; k++) {
		CERTCertificate *c =
		    sc[k].keyed ? PK11_FindCertFromDERCertItem(db->slot, &sc[k].cert->derCert, db)
		                : NULL;
		if (!c) { /* the decoded one: no key beside it, or NSS's view failed */
			c = sc[k].cert;
			sc[k].cert = NULL; /* the item takes it */
		}
		/* the trust the scan read before the login (NSS's own view would
		 * read it again, one key derivation each) */
		if (item_add(it, c, sc[k].label, &sc[k].trust, sc[k].keyed))
			return -1;
	}
	if (it->n > 1)
		qsort(it->v, it->n, sizeof(*it->v), item_by_alias);
	return 0;
}

static void check_certs(report *r, const items *it, int days, PRTime now)
{
	for (size_t k = 0; k < it->n; k++) {
		p11c_progress(r->db, "checking certificates", k, it->n);
		CERTCertificate *cert = it->v[k].cert;
		CERTCertTrust t = it->v[k].trust;
		unsigned all = t.sslFlags | t.emailFlags | t.objectSigningFlags;
		int keys_known = keys_visible(r, cert);
		SECKEYPrivateKey *key =
		    keys_known && it->v[k].lookup ? p11c_key_for_cert(r->db, cert) : NULL;
		role w = {
		    .alias = it->v[k].alias,
		    .own = key != NULL,
		    .anchor = (all & (CERTDB_TRUSTED_CA | CERTDB_TRUSTED_CLIENT_CA |
		                      CERTDB_TRUSTED)) != 0,
		    /* a certificate trusted as a CA is one, whatever its extensions
		     * (NSS's CERT_IsCACert reads that trust only from its own) */
		    .ca = CERT_IsCACert(cert, NULL) ||
		          (all & (CERTDB_VALID_CA | CERTDB_TRUSTED_CA | CERTDB_TRUSTED_CLIENT_CA)),
		    .root = SECITEM_ItemsAreEqual(&cert->derSubject, &cert->derIssuer),
		    .trusted = (all & (CERTDB_TRUSTED_CA | CERTDB_TRUSTED_CLIENT_CA |
		                       CERTDB_TRUSTED | CERTDB_TERMINAL_RECORD)) != 0,
		};
		if (key) {
			/* an RSA key the token will not serve to NSS servers */
			if (key->keyType == rsaKey &&
			    (p11c_token_defects(r->db, key->pkcs11Slot) & P11C_DEFECT_EMPTY_COPY)) {
				char msg[512];
				p11c_defect_message(key->pkcs11Slot, msg, sizeof(msg));
				add(r, w.alias, 1, P11C_FINDING_TOKEN_DEFECT, "'%s': %s", w.alias,
				    msg);
			}
			SECKEY_DestroyPrivateKey(key);
		}
		/* keys out of sight: an untrusted end-entity certificate is taken
		 * for one of the database's own */
		if (!keys_known && !w.ca && !w.trusted)
			w.own = 1;
		if (!w.own && !w.anchor) {
			/* an end-entity certificate nobody trusts and no key uses */
			if (keys_known && !w.ca && !w.trusted)
				add(r, w.alias, 0, P11C_FINDING_NO_KEY,
				    "certificate '%s' has no private key in the database, and no "
				    "trust",
				    w.alias);
			continue;
		}
		check_dates(r, cert, &w, now, days);
		check_key(r, cert, &w);
		check_signature(r, cert, &w);
		check_chain(r, cert, &w, now);
	}
}

/* Private keys no certificate answers to, on each token logged in to. */
static void check_keys(report *r)
{
	PK11SlotList *list = PK11_GetAllTokens(CKM_INVALID_MECHANISM, PR_FALSE, PR_FALSE, r->db);
	for (PK11SlotListElement *le = list ? list->head : NULL; le; le = le->next) {
		PK11SlotInfo *slot = le->slot;
		if (!PK11_IsPresent(slot) || !p11c_slot_visible(r->db, slot) ||
		    (PK11_IsInternal(slot) && !p11c_is_own_slot(r->db, slot)))
			continue;
		if (PK11_NeedLogin(slot) && !PK11_IsLoggedIn(slot, r->db))
			continue;
		SECKEYPrivateKeyList *keys = PK11_ListPrivKeysInSlot(slot, NULL, r->db);
		for (SECKEYPrivateKeyListNode *k = keys ? PRIVKEY_LIST_HEAD(keys) : NULL;
		     keys && !PRIVKEY_LIST_END(k, keys); k = PRIVKEY_LIST_NEXT(k)) {
			CERTCertificate *cert = PK11_GetCertFromPrivateKey(k->key);
			if (cert) {
				CERT_DestroyCertificate(cert);
				continue;
			}
			char *name = NULL, *hex = NULL;
			if (p11c_key_names(k->key, &name, &hex) < 0) {
				r->failed = 1;
				break;
			}
			const char *shown = *name ? name : *hex ? hex : "?";
			const char *token =
			    p11c_is_own_slot(r->db, slot) ? "internal" : PK11_GetTokenName(slot);
			add(r, shown, 0, P11C_FINDING_ORPHAN_KEY,
			    "private key '%s' on token '%s' has no certificate (a request still "
			    "waiting for its CA's reply?)",
			    shown, token);
			free(hex);
			free(name);
		}
		if (keys)
			SECKEY_DestroyPrivateKeyList(keys);
	}
	if (list)
		PK11_FreeSlotList(list);
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
static void check_files(report *r)
{
	char op[64], mode[16];
	const char *dir = r->db->dir;
	if (r->db->recovered)
		add(r, dir, 0, P11C_FINDING_INTERRUPTED_WRITE,
		    "a write to the database had been interrupted; it was rolled back when "
		    "the database was opened");
	if (p11c_pending_found(dir, op, sizeof(op)) && !writer_running(dir))
		add(r, dir, 1, P11C_FINDING_INTERRUPTED_WRITE,
		    "an interrupted '%s' left steps unfinished: the next open of the "
		    "database for writing finishes or undoes them",
		    op);
	static const char *const files[] = {"cert9.db", "key4.db"};
	for (size_t i = 0; i < 2; i++)
		if (p11c_db_journal_mode(dir, files[i], mode, sizeof(mode)) == 0 &&
		    strcmp(mode, "wal") != 0)
			add(r, files[i], 0, P11C_FINDING_JOURNAL,
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

static void check_aliases(report *r, const items *it)
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
			add(r, names[k], 1, P11C_FINDING_DUPLICATE_ALIAS,
			    "two certificates answer to '%s'", names[k]);
	free(names);
}

/* Recorded exports (sync-exports) that are stale or missing: warnings. */
static void check_exports(report *r)
{
	p11c_export_report *rep = NULL;
	if (p11c_export_sync(r->db, P11C_SYNC_DRY_RUN, &rep) != P11C_OK) {
		add(r, "p11cert-exports", 0, P11C_FINDING_STALE_EXPORT, "%s",
		    p11c_last_error(r->db));
		return;
	}
	for (size_t i = 0; i < p11c_export_report_count(rep); i++) {
		const p11c_export_status *s = p11c_export_report_get(rep, i);
		const char *path = p11c_export_status_path(s),
		           *command = p11c_export_status_command(s),
		           *message = p11c_export_status_message(s);
		if (p11c_export_status_state(s) != P11C_EXPORT_CURRENT)
			add(r, path, 0, P11C_FINDING_STALE_EXPORT, "'%s' (%s): %s", path,
			    command ? command : "", message ? message : "stale");
	}
	p11c_export_report_free(rep);
}

/* The first version of p11c_check_opts: size, days, password_file. */
#define CHECK_OPTS_V1 (offsetof(p11c_check_opts, password_file) + sizeof(const char *))

int p11c_db_check(p11c_db *db, const p11c_check_opts *opts, p11c_check_report **out)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OPTS_SIZE(opts, CHECK_OPTS_V1),
	          P11C_FIELD_RANGE(opts, days, 0, 36500), P11C_FIELD_OPTNAME(opts, password_file),
	          P11C_OUT(out));
	*out = NULL;
	int days = P11C_OPT(opts, days, CHECK_DAYS);
	const char *password_file = P11C_OPT(opts, password_file, NULL);
	if (days == 0)
		days = CHECK_DAYS;
	int rc = p11c_require_open(db, 0);
	if (rc)
		return rc;
	report r = {db, calloc(1, sizeof(p11c_check_report)), 0};
	if (!r.rep)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	if (password_file) {
		char *text = NULL;
		size_t len = 0;
		if (p11c_secret_file_read(db, password_file, &text, &len) != P11C_OK)
			add(&r, password_file, 1, P11C_FINDING_PASSWORD_FILE, "%s",
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
		    !p11c_pwfile_lookup(db->pwf, label, 0, NULL) || p11c_login(db, le->slot) == P11C_OK)
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
		add(&r, "", 1, P11C_FINDING_LOGIN, "cannot see the private keys: %s",
		    p11c_last_error(db));
	for (size_t k = 0; k < n_notes; k++)
		add(&r, notes[k].label, 1, P11C_FINDING_LOGIN, "cannot see the keys on token '%s': %s",
		    notes[k].label, notes[k].msg);
	free(notes);
	items it = {NULL, 0};
	if (items_make(db, sc, nsc, certs, &it))
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
		add(&r, "NSS_SDB_USE_CACHE", 0, P11C_FINDING_SDB_CACHE,
		    "NSS_SDB_USE_CACHE=yes is set: NSS copies the database into a temporary cache "
		    "for every query, which makes large databases far slower to read; unset it "
		    "unless the database is on a network file system");
	check_certs(&r, &it, days, PR_Now());
	p11c_progress(db, "checking certificates", it.n, it.n);
	check_aliases(&r, &it);
	items_free(&it);
	check_keys(&r);
	check_exports(&r);
	p11c_scan_hold_trust(db, 0);
	if (r.failed) {
		p11c_check_report_free(r.rep);
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	}
	*out = r.rep;
	return P11C_OK;
}
