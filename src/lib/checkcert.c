/* SPDX-License-Identifier: MPL-2.0 */
/* check, one certificate and one key at a time: dates, key sizes,
 * signatures, chains, keys without certificates (check.c runs them). */
#include <cert.h>
#include <certdb.h>
#include <keyhi.h>
#include <pk11pub.h>
#include <secoid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkint.h"

static void when_text(PRTime t, char *buf, size_t size)
{
	p11c_check_when((long long)(t / PR_USEC_PER_SEC), buf, size);
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

static void check_dates(p11c_checking *r, CERTCertificate *cert, const role *w, PRTime now,
                        int days)
{
	PRTime nb = 0, na = 0;
	char t[64];
	if (CERT_GetCertTimes(cert, &nb, &na) != SECSuccess)
		return;
	when_text(na, t, sizeof(t));
	const char *what = w->own ? "" : w->ca ? "trusted CA " : "trusted peer ";
	if (na < now) {
		p11c_check_add(r, w->alias, w->own, P11C_FINDING_EXPIRED,
		               "%scertificate '%s' expired on %s", what, w->alias, t);
	} else if (na < now + (PRTime)days * 86400 * PR_USEC_PER_SEC) {
		long left =
		    (long)((na - now + 86400LL * PR_USEC_PER_SEC - 1) / PR_USEC_PER_SEC / 86400);
		p11c_check_add(r, w->alias, 0, P11C_FINDING_EXPIRING,
		               "%scertificate '%s' expires in %ld day%s, on %s", what, w->alias,
		               left, left == 1 ? "" : "s", t);
	}
}

static void check_key(p11c_checking *r, CERTCertificate *cert, const role *w)
{
	SECKEYPublicKey *pub = CERT_ExtractPublicKey(cert);
	if (!pub)
		return;
	unsigned bits = SECKEY_PublicKeyStrengthInBits(pub);
	KeyType kt = SECKEY_GetPublicKeyType(pub);
	int weak = ((kt == rsaKey || kt == dsaKey) && bits < 2048) || (kt == ecKey && bits < 256);
	if (weak)
		p11c_check_add(r, w->alias, w->own, P11C_FINDING_WEAK_KEY,
		               "'%s' has a weak %s key of %u bits", w->alias,
		               kt == rsaKey   ? "RSA"
		               : kt == dsaKey ? "DSA"
		                              : "EC",
		               bits);
	SECKEY_DestroyPublicKey(pub);
}

static void check_signature(p11c_checking *r, CERTCertificate *cert, const role *w)
{
	if (w->root) /* a root's signature on itself protects nothing */
		return;
	SECOidTag alg = SECOID_GetAlgorithmTag(&cert->signature);
	const char *name = SECOID_FindOIDTagDescription(alg);
	switch (alg) {
	case SEC_OID_PKCS1_MD2_WITH_RSA_ENCRYPTION:
	case SEC_OID_PKCS1_MD4_WITH_RSA_ENCRYPTION:
	case SEC_OID_PKCS1_MD5_WITH_RSA_ENCRYPTION:
		p11c_check_add(r, w->alias, w->own || w->anchor, P11C_FINDING_WEAK_SIGNATURE,
		               "'%s' is signed with %s, which is broken", w->alias,
		               name ? name : "MD5");
		break;
	case SEC_OID_PKCS1_SHA1_WITH_RSA_ENCRYPTION:
	case SEC_OID_ANSIX9_DSA_SIGNATURE_WITH_SHA1_DIGEST:
	case SEC_OID_ANSIX962_ECDSA_SHA1_SIGNATURE:
		p11c_check_add(r, w->alias, 0, P11C_FINDING_WEAK_SIGNATURE,
		               "'%s' is signed with %s (SHA-1)", w->alias, name ? name : "SHA-1");
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
static void check_chain(p11c_checking *r, CERTCertificate *cert, const role *w, PRTime now)
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
		p11c_check_add(r, w->alias, 1, P11C_FINDING_CHAIN,
		               "the chain of '%s' does not verify for %s: %s", w->alias,
		               usage == P11C_USAGE_TLS_CLIENT ? "TLS clients"
		               : usage == P11C_USAGE_EMAIL    ? "email"
		                                              : "TLS servers",
		               p->message);
		break;
	}
	p11c_chain_free(c);
}

/* A certificate of the database's own (not self-signed) or a trusted
 * peer's: is it revoked?  Asked as verify-cert asks, within the run's
 * time limit. */
static void check_revocation(p11c_checking *r, CERTCertificate *cert, const role *w, PRTime now)
{
	if (!r->rev_mode || w->root || !(w->own || (w->anchor && !w->ca)))
		return;
	p11c_chain *c = p11c_chain_new();
	if (!c || p11c_chain_append(r->db, c, cert, 0) < 0) {
		r->failed = 1;
		p11c_chain_free(c);
		return;
	}
	c->rev_mode = r->rev_mode;
	c->rev_require = r->rev_require;
	c->rev_timeout = r->rev_timeout;
	c->rev_deadline = r->rev_deadline;
	if (p11c_chain_revocation(r->db, c, now) != P11C_OK || !c->rev) {
		p11c_chain_free(c);
		return;
	}
	const p11c_rev_link *l = &c->rev[0];
	const char *who = w->own ? "" : "trusted peer ";
	if (l->status == P11C_REV_REVOKED) {
		char t[64];
		p11c_check_when(l->revoked_at, t, sizeof(t));
		p11c_check_add(r, w->alias, 1, P11C_FINDING_REVOKED,
		               "%scertificate '%s' was revoked on %s (%s), says %s%s", who,
		               w->alias, l->revoked_at ? t : "an unknown date", l->reason,
		               l->source ? l->source : "?", l->cached ? " (cached)" : "");
	} else if (l->status == P11C_REV_UNKNOWN) {
		p11c_check_add(r, w->alias, r->rev_require, P11C_FINDING_REVOCATION_UNKNOWN,
		               "revocation of %scertificate '%s' unknown%s%s: %s", who, w->alias,
		               l->source ? ", no answer from " : "", l->source ? l->source : "",
		               l->error ? l->error : "?");
	}
	p11c_chain_free(c);
}

/* Whether the keys beside cert can be seen: its token is logged in to. */
static int keys_visible(p11c_checking *r, CERTCertificate *cert)
{
	PK11SlotInfo *slot = cert->slot ? PK11_ReferenceSlot(cert->slot) : p11c_db_slot(r->db);
	int seen = !PK11_NeedLogin(slot) || PK11_IsLoggedIn(slot, r->db);
	PK11_FreeSlot(slot);
	return seen;
}

void p11c_check_items_free(items *it)
{
	for (size_t i = 0; i < it->n; i++) {
		CERT_DestroyCertificate(it->v[i].cert);
		free(it->v[i].alias);
	}
	free(it->v);
	p11c_scanned_keys_free(it->keys);
}

/* cert (taken) as an item; -1 out of memory. */
static int item_add(items *it, CERTCertificate *cert, const char *alias, const CERTCertTrust *trust,
                    int lookup, int given, const p11c_scanned_key *key)
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
	i->given = given;
	i->key = key;
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
int p11c_check_items_make(p11c_db *db, p11c_scanned *sc, size_t nsc, CERTCertList *certs, items *it)
{
	if (certs) {
		for (CERTCertListNode *node = CERT_LIST_HEAD(certs); !CERT_LIST_END(node, certs);
		     node = CERT_LIST_NEXT(node)) {
			CERTCertificate *c = node->cert;
			const char *alias = c->nickname    ? p11c_alias_of(db, c)
			                    : c->emailAddr ? c->emailAddr
			                                   : "";
			if (item_add(it, CERT_DupCertificate(c), alias, NULL, 1, 0, NULL))
				return -1;
		}
		if (it->n > 1)
			qsort(it->v, it->n, sizeof(*it->v), item_by_alias);
		return 0;
	}
	/* the private keys now in sight, in one pass (a failure leaves the
	 * marks as they were read before the login, and the keys to NSS's
	 * lookups) */
	(void)p11c_scan_keys(db, sc, nsc, &it->keys);
	int in_sight = !PK11_NeedLogin(db->slot) || PK11_IsLoggedIn(db->slot, db);
	for (size_t k = 0; k < nsc; k++) {
		const p11c_scanned_key *key = sc[k].key;
		int given = it->keys && in_sight && !(key && key->twin);
		/* NSS's own view where NSS must judge it: a chain to verify (one
		 * of the database's own, not self-signed; see check_chain) */
		int chain =
		    key && !SECITEM_ItemsAreEqual(&sc[k].cert->derSubject, &sc[k].cert->derIssuer);
		CERTCertificate *c =
		    sc[k].keyed && (!given || chain)
		        ? PK11_FindCertFromDERCertItem(db->slot, &sc[k].cert->derCert, db)
		        : NULL;
		if (!c) { /* the decoded one: no key beside it, or NSS's view failed */
			c = sc[k].cert;
			sc[k].cert = NULL; /* the item takes it */
		}
		/* the trust the scan read before the login (NSS's own view would
		 * read it again, one key derivation each) */
		if (item_add(it, c, sc[k].label, &sc[k].trust, sc[k].keyed && !given, given,
		             given ? key : NULL))
			return -1;
	}
	if (it->n > 1)
		qsort(it->v, it->n, sizeof(*it->v), item_by_alias);
	return 0;
}

/* A token that will not serve an RSA key of alias to NSS servers. */
static void defect_check(p11c_checking *r, const char *alias, PK11SlotInfo *slot)
{
	if (!(p11c_token_defects(r->db, slot) & P11C_DEFECT_EMPTY_COPY))
		return;
	char msg[512];
	p11c_defect_message(slot, msg, sizeof(msg));
	p11c_check_add(r, alias, 1, P11C_FINDING_TOKEN_DEFECT, "'%s': %s", alias, msg);
}

void p11c_check_certs(p11c_checking *r, const items *it, int days, PRTime now)
{
	for (size_t k = 0; k < it->n; k++) {
		p11c_progress(r->db, "checking certificates", k, it->n);
		CERTCertificate *cert = it->v[k].cert;
		CERTCertTrust t = it->v[k].trust;
		unsigned all = t.sslFlags | t.emailFlags | t.objectSigningFlags;
		int keys_known = keys_visible(r, cert);
		SECKEYPrivateKey *key =
		    keys_known && it->v[k].lookup ? p11c_key_for_cert(r->db, cert) : NULL;
		const p11c_scanned_key *given = keys_known ? it->v[k].key : NULL;
		role w = {
		    .alias = it->v[k].alias,
		    .own = key != NULL || given != NULL,
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
		/* an RSA key the token will not serve to NSS servers: the key
		 * NSS found, or the one the own token's pass did */
		if (key ? key->keyType == rsaKey : given && given->key_type == CKK_RSA)
			defect_check(r, w.alias, key ? key->pkcs11Slot : r->db->slot);
		if (key)
			SECKEY_DestroyPrivateKey(key);
		/* keys out of sight: an untrusted end-entity certificate is taken
		 * for one of the database's own */
		if (!keys_known && !w.ca && !w.trusted)
			w.own = 1;
		if (!w.own && !w.anchor) {
			/* an end-entity certificate nobody trusts and no key uses */
			if (keys_known && !w.ca && !w.trusted)
				p11c_check_add(
				    r, w.alias, 0, P11C_FINDING_NO_KEY,
				    "certificate '%s' has no private key in the database, and no "
				    "trust",
				    w.alias);
			continue;
		}
		check_dates(r, cert, &w, now, days);
		check_key(r, cert, &w);
		check_signature(r, cert, &w);
		check_chain(r, cert, &w, now);
		check_revocation(r, cert, &w, now);
	}
}

/* Private keys no certificate answers to, on each token logged in to. */
/* One private key without a certificate: by its label, else its CKA_ID. */
static void orphan(p11c_checking *r, PK11SlotInfo *slot, const char *name, const char *hex)
{
	const char *shown = *name ? name : *hex ? hex : "?";
	const char *token = p11c_is_own_slot(r->db, slot) ? "internal" : PK11_GetTokenName(slot);
	p11c_check_add(r, shown, 0, P11C_FINDING_ORPHAN_KEY,
	               "private key '%s' on token '%s' has no certificate (a request still "
	               "waiting for its CA's reply?)",
	               shown, token);
}

/* The own token's orphans from its pass over the private keys: the token
 * keys (those NSS's listing gives) that no certificate of the scan has
 * the CKA_ID of, in the token's order. */
static void orphans_given(p11c_checking *r, const p11c_scanned_keys *keys)
{
	for (size_t i = 0; i < keys->n && !r->failed; i++) {
		const p11c_scanned_key *k = &keys->v[i];
		if (k->session || k->has_cert)
			continue;
		char *hex = p11c_hex(k->id, k->id_len, 0);
		if (!hex)
			r->failed = 1;
		else
			orphan(r, r->db->slot, k->label, hex);
		free(hex);
	}
}

void p11c_check_keys(p11c_checking *r, const items *it)
{
	PK11SlotList *list = PK11_GetAllTokens(CKM_INVALID_MECHANISM, PR_FALSE, PR_FALSE, r->db);
	for (PK11SlotListElement *le = list ? list->head : NULL; le; le = le->next) {
		PK11SlotInfo *slot = le->slot;
		if (!PK11_IsPresent(slot) || !p11c_slot_visible(r->db, slot) ||
		    (PK11_IsInternal(slot) && !p11c_is_own_slot(r->db, slot)))
			continue;
		if (PK11_NeedLogin(slot) && !PK11_IsLoggedIn(slot, r->db))
			continue;
		if (it->keys && slot == r->db->slot) {
			orphans_given(r, it->keys);
			continue;
		}
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
			orphan(r, slot, name, hex);
			free(hex);
			free(name);
		}
		if (keys)
			SECKEY_DestroyPrivateKeyList(keys);
	}
	if (list)
		PK11_FreeSlotList(list);
}
