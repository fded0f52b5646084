/* SPDX-License-Identifier: MPL-2.0 */
/* list-certs and show-cert: which certificates, after which logins (the
 * records themselves are certinfo.c's). */
#include <cert.h>
#include <certdb.h>
#include <pk11pub.h>
#include <secerr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"

static void cert_array_free(p11c_cert **list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		p11c_cert_free(list[i]);
	free(list);
}

static int trusted_ca(CERTCertificate *cert)
{
	CERTCertTrust t;
	unsigned ca = CERTDB_TRUSTED_CA | CERTDB_TRUSTED_CLIENT_CA;
	if (CERT_GetCertTrust(cert, &t) != SECSuccess)
		return 0;
	return ((t.sslFlags | t.emailFlags | t.objectSigningFlags) & ca) != 0;
}

static int by_alias(const void *a, const void *b)
{
	const p11c_cert *x = *(p11c_cert *const *)a, *y = *(p11c_cert *const *)b;
	return strcmp(x->alias, y->alias);
}

static void problem_free(p11c_token_problem *p)
{
	if (!p)
		return;
	free(p->token);
	free(p->reason);
	free(p);
}

void p11c_cert_listing_free(p11c_cert_listing *l)
{
	if (!l)
		return;
	cert_array_free(l->certs, l->n);
	for (size_t k = 0; k < l->n_problems; k++)
		problem_free(l->problems[k]);
	free(l->problems);
	free(l);
}

static int add_problem(p11c_db *db, p11c_cert_listing *l, const char *label, int code, int tried)
{
	p11c_token_problem *p = calloc(1, sizeof(*p));
	p11c_token_problem **grown = p ? P11C_VEC_RESERVE(l->problems, l->n_problems, 1) : NULL;
	if (p) {
		p->token = p11c_safe_text(label, strlen(label));
		p->reason = strdup(p11c_last_error(db));
		p->code = code;
		p->login_tried = tried;
	}
	if (!grown || !p->token || !p->reason) {
		problem_free(p);
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	}
	l->problems[l->n_problems++] = p;
	return P11C_OK;
}

/* The internal token must log in (its keys are the database's own); each
 * external token in scope that needs a login gets one attempt, from the
 * password file (the prompt too for the one token asked for), and one that
 * fails is noted, not fatal: its public certificates can still be read. */
static int login_scope(p11c_db *db, PK11SlotInfo *only, p11c_cert_listing *l)
{
	int rc = P11C_OK;
	PK11SlotList *list = PK11_GetAllTokens(CKM_INVALID_MECHANISM, PR_FALSE, PR_FALSE, db);
	for (PK11SlotListElement *le = list ? list->head : NULL; le && !rc; le = le->next) {
		PK11SlotInfo *s = le->slot;
		if (PK11_IsInternal(s) || PK11_IsInternalKeySlot(s) || !PK11_IsPresent(s) ||
		    (only && s != only) || !PK11_NeedLogin(s) || PK11_IsLoggedIn(s, db))
			continue;
		const char *label = PK11_GetTokenName(s);
		int has_line = p11c_pwfile_lookup(db->pwf, label, 0, NULL) != NULL;
		int code;
		PORT_SetError(0);
		if (has_line || only)
			code = p11c_login(db, s);
		else if (db->pwf_path)
			code = p11c_fail_c(db, P11C_EPASSWORD, P11C_ERR_NOPASSWORD,
			                   "password file '%s' has no password for token '%s'",
			                   db->pwf_path, label);
		else
			code = p11c_fail_c(
			    db, P11C_EPASSWORD, P11C_ERR_NOPASSWORD,
			    "token '%s' needs a password and no password file was given", label);
		if (code)
			rc = add_problem(db, l, label, code,
			                 has_line || PORT_GetError() == SEC_ERROR_BAD_PASSWORD);
	}
	if (list)
		PK11_FreeSlotList(list);
	return rc;
}

/* A certificate's key details need the database's own login: made once,
 * for the first certificate that may have a key (see p11c_may_have_key). */
static int login_for_key(p11c_db *db, CERTCertificate *cert)
{
	if (PK11_IsLoggedIn(db->slot, db) || !p11c_may_have_key(db, cert))
		return P11C_OK;
	return p11c_login(db, db->slot);
}

/* Why a certificate's key could not be looked for: its token's problem. */
static int note_key(p11c_db *db, p11c_cert *i, const p11c_cert_listing *l)
{
	if (!i->key_unknown)
		return P11C_OK;
	const char *why = NULL;
	for (size_t k = 0; k < l->n_problems && !why; k++)
		if (!strcmp(l->problems[k]->token, i->token))
			why = l->problems[k]->reason;
	char buf[512];
	if (!why) {
		snprintf(buf, sizeof(buf), "token '%s' is not logged in", i->token);
		why = buf;
	}
	i->key_note = strdup(why);
	return i->key_note ? P11C_OK : p11c_fail(db, P11C_EFAIL, "out of memory");
}

static int trusted_ca_flags(const CERTCertTrust *t)
{
	unsigned ca = CERTDB_TRUSTED_CA | CERTDB_TRUSTED_CLIENT_CA;
	return ((t->sslFlags | t->emailFlags | t->objectSigningFlags) & ca) != 0;
}

/* Add i to the listing (NULL: out of memory), unless the listing is of
 * keys and i has none; takes i. */
static int keep(p11c_db *db, p11c_list_kind which, p11c_cert *i, p11c_cert_listing *l)
{
	int rc;
	if (!i)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	if (which == P11C_LIST_KEYS && !i->has_key && !i->key_unknown) {
		p11c_cert_free(i);
		return P11C_OK;
	}
	p11c_cert **grown = P11C_VEC_RESERVE(l->certs, l->n, 1);
	if (!grown || (rc = note_key(db, i, l))) {
		p11c_cert_free(i);
		return grown ? rc : p11c_fail(db, P11C_EFAIL, "out of memory");
	}
	l->certs[l->n++] = i;
	return P11C_OK;
}

/* One certificate as NSS holds it. */
static int take(p11c_db *db, CERTCertificate *cert, p11c_list_kind which, unsigned how,
                p11c_cert_listing *l)
{
	int rc;
	if (which == P11C_LIST_CA && !trusted_ca(cert))
		return P11C_OK;
	if (!how && (rc = login_for_key(db, cert)))
		return rc;
	return keep(db, which, p11c_cert_info_with(db, cert, how), l);
}

/* The database's own token read straight (certscan.c): 1 when the scan
 * cannot stand for NSS's listing, else the status. */
static int collect_scanned(p11c_db *db, p11c_list_kind which, unsigned how, p11c_cert_listing *l)
{
	p11c_scanned *sc = NULL;
	size_t n = 0;
	int rc = p11c_scan_own_token(db, &sc, &n);
	if (rc)
		return rc < 0 ? p11c_fail(db, P11C_EFAIL, "out of memory") : 1;
	/* Key details by NSS's mark where a login would be needed for them:
	 * a certificate with a key beside it is taken as the scan saw it. */
	int by_mark = (how & P11C_INFO_KEY_BY_MARK) && PK11_NeedLogin(db->slot) &&
	              !PK11_IsLoggedIn(db->slot, db);
	/* Key details wanted: logged in as NSS's listing would be for the
	 * first certificate marked as the user's, the private keys then in
	 * sight mark theirs too (a key whose public key object is gone). */
	int any_keyed = 0;
	for (size_t k = 0; k < n && !any_keyed; k++)
		any_keyed = sc[k].keyed;
	if (!how && any_keyed && PK11_NeedLogin(db->slot) && !PK11_IsLoggedIn(db->slot, db) &&
	    (rc = p11c_login(db, db->slot))) {
		p11c_scanned_free(sc, n);
		return rc;
	}
	/* The private keys in one pass where their details are wanted
	 * (certscan.c), instead of NSS's lookups a certificate; failing, as
	 * before: NSS's view of each certificate with a key beside it. */
	p11c_scanned_keys *keys = NULL;
	if ((!how && PK11_IsLoggedIn(db->slot, db)) || (any_keyed && !by_mark))
		(void)p11c_scan_keys(db, sc, n, &keys);
	for (size_t k = 0; k < n && !rc; k++) {
		int given = keys && sc[k].keyed && !by_mark && !(sc[k].key && sc[k].key->twin);
		if (!sc[k].keyed || by_mark || given) {
			if (which == P11C_LIST_CA && !trusted_ca_flags(&sc[k].trust))
				continue;
			rc = keep(db, which,
			          p11c_cert_info_scanned(
			              db, sc[k].cert, sc[k].keyed ? P11C_INFO_MARKED : 0u,
			              sc[k].label, &sc[k].trust, given ? keys : NULL, sc[k].key),
			          l);
			continue;
		}
		/* a key beside it, its details not from the pass: NSS's own
		 * view, for the key's details */
		CERTCertificate *cert =
		    PK11_FindCertFromDERCertItem(db->slot, &sc[k].cert->derCert, db);
		if (!cert) {
			rc = p11c_fail_nss(db, P11C_EFAIL, "cannot read certificate '%s'",
			                   sc[k].label);
			break;
		}
		/* its trust as the scan read it, "u" added as NSS's listing
		 * does (NSS's lookup by DER leaves the last one out) */
		if (which != P11C_LIST_CA || trusted_ca_flags(&sc[k].trust)) {
			if (!how)
				rc = login_for_key(db, cert);
			if (!rc)
				rc = keep(db, which,
				          p11c_cert_info_scanned(
				              db, cert, how | P11C_INFO_MARKED | P11C_INFO_NSS_CERT,
				              sc[k].label, &sc[k].trust, NULL, NULL),
				          l);
		}
		CERT_DestroyCertificate(cert);
	}
	p11c_scanned_keys_free(keys);
	p11c_scanned_free(sc, n);
	return rc;
}

static int collect(p11c_db *db, p11c_list_kind which, const char *want, unsigned flags,
                   p11c_cert_listing *l)
{
	unsigned how = flags & P11C_LIST_KEYS_BY_MARK ? P11C_INFO_KEY_BY_MARK : 0;
	int rc = 1;
	if ((!want || !strcmp(want, p11c_token_of(db->slot))) && p11c_scan_usable(db))
		rc = collect_scanned(db, which, how, l);
	if (rc == 1) {
		/* NSS's listing, from the start */
		cert_array_free(l->certs, l->n);
		l->certs = NULL;
		l->n = 0;
		CERTCertList *certs = p11c_list_certs(db);
		if (!certs)
			return p11c_fail_nss(db, P11C_EFAIL, "cannot list certificates");
		rc = P11C_OK;
		for (CERTCertListNode *node = CERT_LIST_HEAD(certs);
		     !rc && !CERT_LIST_END(node, certs); node = CERT_LIST_NEXT(node)) {
			const char *slot_token =
			    node->cert->slot ? p11c_token_of(node->cert->slot) : "";
			if (!want || !strcmp(want, slot_token))
				rc = take(db, node->cert, which, how, l);
		}
		CERT_DestroyCertList(certs);
	}
	if (!rc && l->n > 1)
		qsort(l->certs, l->n, sizeof(*l->certs), by_alias);
	return rc;
}

const char *p11c_list_kind_name(p11c_list_kind kind)
{
	switch (kind) {
	case P11C_LIST_KEYS:
		return "keys";
	case P11C_LIST_CA:
		return "ca";
	case P11C_LIST_ALL:
		return "all";
	}
	return "unknown";
}

/* The first version of p11c_list_opts: size, which, token. */
#define LIST_OPTS_V1 (offsetof(p11c_list_opts, token) + sizeof(const char *))

int p11c_cert_list(p11c_db *db, const p11c_list_opts *opts, p11c_cert_listing **out)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OPTS_SIZE(opts, LIST_OPTS_V1),
	          P11C_FIELD_RANGE(opts, which, P11C_LIST_KEYS, P11C_LIST_ALL),
	          P11C_FIELD_FLAGS(opts, flags, P11C_LIST_KEYS_BY_MARK),
	          P11C_FIELD_OPTNAME(opts, token), P11C_OUT(out));
	*out = NULL;
	p11c_list_kind which = P11C_OPT(opts, which, P11C_LIST_KEYS);
	const char *token = P11C_OPT(opts, token, NULL);
	unsigned flags = P11C_OPT(opts, flags, 0u);
	PK11SlotInfo *only = NULL;
	char *want = NULL;
	int rc = p11c_require_open(db, 0);
	if (rc || (token && (rc = p11c_slot_for_token(db, token, &only))))
		return rc;
	p11c_cert_listing *l = calloc(1, sizeof(*l));
	if (only)
		want = strdup(p11c_is_own_slot(db, only) ? "internal" : PK11_GetTokenName(only));
	if (!l || (only && !want))
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
	if (!rc)
		rc = login_scope(db, only, l);
	if (!rc)
		rc = collect(db, which, want, flags, l);
	free(want);
	if (only)
		PK11_FreeSlot(only);
	if (rc) {
		p11c_cert_listing_free(l);
		return rc;
	}
	*out = l;
	return P11C_OK;
}

/* NSS looks "TOKEN:alias" up only after a login to TOKEN; without one,
 * the token's public certificates are still there to match by name. */
static CERTCertificate *find_public(p11c_db *db, PK11SlotInfo *slot, const char *alias)
{
	CERTCertificate *found = p11c_find_cert(db, alias);
	if (found || !slot || PK11_IsLoggedIn(slot, db))
		return found;
	CERTCertList *certs = PK11_ListCertsInSlot(slot);
	for (CERTCertListNode *node = certs ? CERT_LIST_HEAD(certs) : NULL;
	     node && !found && !CERT_LIST_END(node, certs); node = CERT_LIST_NEXT(node))
		if (node->cert->nickname && !strcmp(node->cert->nickname, alias))
			found = CERT_DupCertificate(node->cert);
	if (certs)
		CERT_DestroyCertList(certs);
	return found;
}

/* The slot "TOKEN:alias" names, or NULL. */
static PK11SlotInfo *slot_of_alias(const char *alias)
{
	const char *colon = strchr(alias, ':');
	char *label = colon ? strndup(alias, (size_t)(colon - alias)) : NULL;
	PK11SlotInfo *slot = label ? PK11_FindSlotByName(label) : NULL;
	free(label);
	return slot;
}

int p11c_cert_show(p11c_db *db, const char *alias, p11c_cert **out)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(alias), P11C_OUT(out));
	*out = NULL;
	int rc = p11c_require_open(db, 0);
	if (rc)
		return rc;
	if (!alias || !*alias)
		return p11c_fail(db, P11C_EUSAGE, "an alias is needed");
	p11c_cert_listing l = {NULL, 0, NULL, 0};
	PK11SlotInfo *slot = slot_of_alias(alias);
	CERTCertificate *cert = NULL;
	rc = login_scope(db, slot, &l);
	if (!rc && !(cert = find_public(db, slot, alias)))
		rc = slot && l.n_problems
		         ? p11c_fail(db, l.problems[0]->code, "no certificate '%s' seen: %s", alias,
		                     l.problems[0]->reason)
		         : p11c_fail(db, P11C_ENOTFOUND, "no certificate '%s'", alias);
	if (!rc)
		rc = login_for_key(db, cert);
	if (!rc && !(*out = p11c_cert_info_of(db, cert)))
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
	if (!rc && (rc = note_key(db, *out, &l))) {
		p11c_cert_free(*out);
		*out = NULL;
	}
	if (cert)
		CERT_DestroyCertificate(cert);
	if (slot)
		PK11_FreeSlot(slot);
	for (size_t k = 0; k < l.n_problems; k++)
		problem_free(l.problems[k]);
	free(l.problems);
	return rc;
}
