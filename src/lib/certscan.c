/* SPDX-License-Identifier: MPL-2.0 */
/* The database's own token read straight from its objects, for listings:
 * one search for each kind of object (certificates, trust, public and
 * private keys) and one read of each object's attributes.  NSS's generic
 * listing (PK11_ListCerts) builds its trust domain's view of every
 * certificate: 13 queries of the token a certificate, and a time that
 * grows faster than the database (1k: 0.26 s, 10k: 18 s).  After the
 * login, one more pass reads the private keys (p11c_scan_keys), whose
 * details stand for NSS's lookups a certificate (p11c_key_for_cert and
 * the key's attributes: ~30 queries each); where it cannot (two keys of
 * one CKA_ID, a read failure) the certificate is handed back to NSS.  The
 * scan is used only where it can stand for NSS's listing: no other token
 * is in sight. */
#include <cert.h>
#include <certdb.h>
#include <pk11pub.h>
#include <pkcs11n.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"

/* NSS exports its certificate decoder (no trust domain, no token) under
 * this name only (nss.def, since NSS 3.2); cert.h declares it without
 * the underscores, a name libnss3 does not export. */
CERTCertificate *__CERT_DecodeDERCertificate(SECItem *der, PRBool copy, char *nickname);

/* CKA_CERT_SHA1_HASH and trust flags of one trust object. */
typedef struct {
	unsigned char sha1[20];
	CERTCertTrust trust;
} trust_rec;

/* NSS's trust levels as CERTCertTrust flags, as NSS maps them for
 * CERT_GetCertTrust (a trusted delegator is a trusted CA, a trusted
 * peer a terminal record). */
static unsigned trust_flags(CK_TRUST t)
{
	switch (t) {
	case CKT_NSS_TRUSTED:
		return CERTDB_TERMINAL_RECORD | CERTDB_TRUSTED;
	case CKT_NSS_TRUSTED_DELEGATOR:
		return CERTDB_VALID_CA | CERTDB_TRUSTED_CA;
	case CKT_NSS_NOT_TRUSTED:
		return CERTDB_TERMINAL_RECORD;
	case CKT_NSS_VALID_DELEGATOR:
		return CERTDB_VALID_CA;
	default:
		return 0;
	}
}

static CK_TRUST trust_value(const CK_ATTRIBUTE *a)
{
	CK_TRUST t = CKT_NSS_TRUST_UNKNOWN;
	if (a->pValue && a->ulValueLen == sizeof(t))
		memcpy(&t, a->pValue, sizeof(t));
	return t;
}

struct p11c_trust_cache {
	trust_rec *recs;
	size_t n;
};

void p11c_scan_hold_trust(p11c_db *db, int hold)
{
	db->trust_cache_held = hold;
	if (!hold && db->trust_cache) {
		free(db->trust_cache->recs);
		free(db->trust_cache);
		db->trust_cache = NULL;
	}
}

static int by_sha1(const void *a, const void *b)
{
	return memcmp(((const trust_rec *)a)->sha1, ((const trust_rec *)b)->sha1, 20);
}

/* Every trust object of slot; -1 when one cannot be read or matched. */
static int read_trust(PLArenaPool *arena, PK11SlotInfo *slot, trust_rec **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	PK11GenericObject *objs = PK11_FindGenericObjects(slot, CKO_NSS_TRUST);
	int rc = 0;
	for (PK11GenericObject *o = objs; o && !rc; o = PK11_GetNextGenericObject(o)) {
		/* NSS writes these with every trust object; one without them is
		 * left to NSS's listing.  (CKA_TRUST_STEP_UP_APPROVED is not read:
		 * NSS leaves it out of the flags CERT_GetCertTrust gives.) */
		CK_ATTRIBUTE t[] = {
		    {CKA_CERT_SHA1_HASH, NULL, 0},     {CKA_TRUST_SERVER_AUTH, NULL, 0},
		    {CKA_TRUST_CLIENT_AUTH, NULL, 0},  {CKA_TRUST_EMAIL_PROTECTION, NULL, 0},
		    {CKA_TRUST_CODE_SIGNING, NULL, 0},
		};
		if (PK11_ReadRawAttributes(arena, PK11_TypeGeneric, o, t, 5) != SECSuccess ||
		    t[0].ulValueLen != 20) {
			rc = -1;
			break;
		}
		trust_rec *r = P11C_VEC_RESERVE(*out, *n, 1);
		if (!r) {
			rc = -1;
			break;
		}
		memset(r, 0, sizeof(*r));
		memcpy(r->sha1, t[0].pValue, 20);
		unsigned client = trust_flags(trust_value(&t[2]));
		r->trust.sslFlags = trust_flags(trust_value(&t[1]));
		if (client & CERTDB_TRUSTED_CA)
			client = (client & ~CERTDB_TRUSTED_CA) | CERTDB_TRUSTED_CLIENT_CA;
		r->trust.sslFlags |= client;
		r->trust.emailFlags = trust_flags(trust_value(&t[3]));
		r->trust.objectSigningFlags = trust_flags(trust_value(&t[4]));
		(*n)++;
	}
	if (objs)
		PK11_DestroyGenericObjects(objs);
	if (!rc && *n > 1)
		qsort(*out, *n, sizeof(**out), by_sha1);
	return rc;
}

/* The CKA_IDs of slot's key objects of class cls (those it shows now). */
static int read_key_ids(PLArenaPool *arena, PK11SlotInfo *slot, CK_OBJECT_CLASS cls, SECItem **ids,
                        size_t *n)
{
	PK11GenericObject *objs = PK11_FindGenericObjects(slot, cls);
	int rc = 0;
	for (PK11GenericObject *o = objs; o && !rc; o = PK11_GetNextGenericObject(o)) {
		CK_ATTRIBUTE t[] = {{CKA_ID, NULL, 0}};
		SECItem *id = P11C_VEC_RESERVE(*ids, *n, 1);
		if (!id || PK11_ReadRawAttributes(arena, PK11_TypeGeneric, o, t, 1) != SECSuccess) {
			rc = -1;
			break;
		}
		id->type = siBuffer;
		id->data = t[0].pValue;
		id->len = (unsigned)t[0].ulValueLen;
		(*n)++;
	}
	if (objs)
		PK11_DestroyGenericObjects(objs);
	return rc;
}

/* Key IDs by length, then bytes: sorted once, searched per certificate
 * (a hosting database holds a key a certificate). */
static int by_id(const void *a, const void *b)
{
	const SECItem *x = a, *y = b;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->len ? memcmp(x->data, y->data, x->len) : 0;
}

static void sort_ids(SECItem *ids, size_t n)
{
	if (n > 1)
		qsort(ids, n, sizeof(*ids), by_id);
}

static int has_id(const SECItem *ids, size_t n, const void *id, size_t len)
{
	SECItem key = {siBuffer, (unsigned char *)id, (unsigned)len};
	return len && n && bsearch(&key, ids, n, sizeof(*ids), by_id) != NULL;
}

int p11c_scan_usable(p11c_db *db)
{
	if (!db->slot)
		return 0;
	PK11SlotList *list = PK11_GetAllTokens(CKM_INVALID_MECHANISM, PR_FALSE, PR_FALSE, db);
	PK11SlotInfo *crypto = PK11_GetInternalSlot(); /* NSS's, holds no certificates */
	int alone = 1;
	for (PK11SlotListElement *le = list ? list->head : NULL; le && alone; le = le->next) {
		PK11SlotInfo *s = le->slot;
		if (s == db->slot || s == crypto)
			continue;
		alone = !PK11_IsPresent(s) || !p11c_slot_visible(db, s);
	}
	if (crypto)
		PK11_FreeSlot(crypto);
	if (list)
		PK11_FreeSlotList(list);
	return alone;
}

/* PKCS#11 3.2's trust objects (CKO_TRUST), which NSS 3.114 and later
 * write: the scan reads NSS's own kind only, so their presence leaves the
 * listing to NSS.  (Debian 12's NSS headers do not name the class.) */
#define P11C_CKO_TRUST 0x0000000BUL

static int has_pkcs11_trust(PK11SlotInfo *slot)
{
	PK11GenericObject *objs = PK11_FindGenericObjects(slot, P11C_CKO_TRUST);
	if (objs)
		PK11_DestroyGenericObjects(objs);
	return objs != NULL;
}

void p11c_scanned_free(p11c_scanned *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++) {
		if (s[i].cert)
			CERT_DestroyCertificate(s[i].cert);
		free(s[i].label);
		free(s[i].id);
	}
	free(s);
}

void p11c_scanned_keys_free(p11c_scanned_keys *k)
{
	if (!k)
		return;
	if (k->arena)
		PORT_FreeArena(k->arena, PR_FALSE);
	free(k->v);
	free(k->by_id);
	free(k);
}

static int key_by_id(const void *a, const void *b)
{
	const p11c_scanned_key *x = *(p11c_scanned_key *const *)a,
	                       *y = *(p11c_scanned_key *const *)b;
	SECItem ix = {siBuffer, x->id, (unsigned)x->id_len},
	        iy = {siBuffer, y->id, (unsigned)y->id_len};
	return by_id(&ix, &iy);
}

static const p11c_scanned_key *key_of(const p11c_scanned_keys *k, const void *id, size_t len)
{
	p11c_scanned_key want = {.id = (unsigned char *)id, .id_len = len}, *w = &want;
	p11c_scanned_key *const *found =
	    len && k->n ? bsearch(&w, k->by_id, k->n, sizeof(*k->by_id), key_by_id) : NULL;
	return found ? *found : NULL;
}

static CK_ULONG ulong_value(const CK_ATTRIBUTE *a, CK_ULONG dflt)
{
	CK_ULONG v = dflt;
	if (a->pValue && a->ulValueLen == sizeof(v))
		memcpy(&v, a->pValue, sizeof(v));
	return v;
}

/* Every private key of slot, in the token's order; -1 when one cannot
 * be read. */
static int read_keys(p11c_scanned_keys *k, PK11SlotInfo *slot)
{
	PK11GenericObject *objs = PK11_FindGenericObjects(slot, CKO_PRIVATE_KEY);
	int rc = 0;
	for (PK11GenericObject *o = objs; o && !rc; o = PK11_GetNextGenericObject(o)) {
		CK_ATTRIBUTE t[] = {{CKA_ID, NULL, 0},
		                    {CKA_LABEL, NULL, 0},
		                    {CKA_EXTRACTABLE, NULL, 0},
		                    {CKA_KEY_TYPE, NULL, 0},
		                    {CKA_TOKEN, NULL, 0}};
		p11c_scanned_key *key = P11C_VEC_RESERVE(k->v, k->n, 1);
		if (!key ||
		    PK11_ReadRawAttributes(k->arena, PK11_TypeGeneric, o, t, 5) != SECSuccess) {
			rc = -1;
			break;
		}
		memset(key, 0, sizeof(*key));
		key->id = t[0].pValue;
		key->id_len = t[0].ulValueLen;
		/* as PK11_GetPrivateKeyNickname gives it: "" when empty */
		key->label = PORT_ArenaZAlloc(k->arena, t[1].ulValueLen + 1);
		if (!key->label) {
			rc = -1;
			break;
		}
		if (t[1].ulValueLen)
			memcpy(key->label, t[1].pValue, t[1].ulValueLen);
		/* as p11c_key_extractable reads it */
		key->extractable = t[2].ulValueLen > 0 && *(CK_BBOOL *)t[2].pValue;
		key->key_type = ulong_value(&t[3], CKK_INVALID_KEY_TYPE);
		key->session = t[4].ulValueLen == 1 && !*(CK_BBOOL *)t[4].pValue;
		k->n++;
	}
	if (objs)
		PK11_DestroyGenericObjects(objs);
	return rc;
}

int p11c_scan_keys(p11c_db *db, p11c_scanned *s, size_t n, p11c_scanned_keys **out)
{
	*out = NULL;
	p11c_scanned_keys *k = calloc(1, sizeof(*k));
	SECItem *certs = calloc(n ? n : 1, sizeof(*certs));
	int rc = k && certs && (k->arena = PORT_NewArena(4096)) ? read_keys(k, db->slot) : -1;
	if (!rc && k->n && !(k->by_id = malloc(k->n * sizeof(*k->by_id))))
		rc = -1;
	for (size_t i = 0; !rc && i < k->n; i++)
		k->by_id[i] = &k->v[i];
	if (!rc && k->n > 1)
		qsort(k->by_id, k->n, sizeof(*k->by_id), key_by_id);
	/* twins: NSS's lookup by CKA_ID takes whichever the token finds first */
	for (size_t i = 0; !rc && i + 1 < k->n; i++)
		if (!key_by_id(&k->by_id[i], &k->by_id[i + 1]))
			k->by_id[i]->twin = k->by_id[i + 1]->twin = 1;
	if (!rc)
		k->have_ti = PK11_GetTokenInfo(db->slot, &k->ti) == SECSuccess;
	for (size_t i = 0; !rc && i < n; i++) {
		s[i].key = key_of(k, s[i].id, s[i].id_len);
		s[i].keyed |= s[i].key != NULL;
		certs[i] = (SECItem){siBuffer, s[i].id, (unsigned)s[i].id_len};
	}
	sort_ids(certs, n);
	for (size_t i = 0; !rc && i < k->n; i++)
		k->v[i].has_cert = has_id(certs, n, k->v[i].id, k->v[i].id_len);
	free(certs);
	if (rc) {
		for (size_t i = 0; i < n; i++)
			s[i].key = NULL;
		p11c_scanned_keys_free(k);
		return -1;
	}
	*out = k;
	return 0;
}

int p11c_scan_own_token(p11c_db *db, p11c_scanned **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	PK11SlotInfo *slot = db->slot;
	/* keep: the key IDs, for the whole scan; arena: one certificate's */
	PLArenaPool *keep = PORT_NewArena(4096), *arena = PORT_NewArena(4096);
	trust_rec *trust = NULL;
	size_t n_trust = 0, n_ids = 0;
	SECItem *ids = NULL;
	int rc = !keep || !arena ? -1 : has_pkcs11_trust(slot) ? 1 : 0;
	if (!rc && db->trust_cache) {
		/* held from before a login: read again, each would be verified */
		n_trust = db->trust_cache->n;
		if (n_trust && !(trust = malloc(n_trust * sizeof(*trust))))
			rc = -1;
		else if (n_trust)
			memcpy(trust, db->trust_cache->recs, n_trust * sizeof(*trust));
	} else if (!rc && read_trust(keep, slot, &trust, &n_trust)) {
		rc = 1;
	} else if (!rc && db->trust_cache_held) {
		struct p11c_trust_cache *c = calloc(1, sizeof(*c));
		if (c && n_trust && (c->recs = malloc(n_trust * sizeof(*trust))))
			memcpy(c->recs, trust, n_trust * sizeof(*trust));
		if (c && (!n_trust || c->recs)) {
			c->n = n_trust;
			db->trust_cache = c;
		} else {
			free(c);
		}
	}
	if (!rc && (read_key_ids(keep, slot, CKO_PUBLIC_KEY, &ids, &n_ids) ||
	            read_key_ids(keep, slot, CKO_PRIVATE_KEY, &ids, &n_ids)))
		rc = 1;
	sort_ids(ids, n_ids);
	PK11GenericObject *objs = rc ? NULL : PK11_FindGenericObjects(slot, CKO_CERTIFICATE);
	size_t total = 0, done = 0;
	for (PK11GenericObject *o = objs; o; o = PK11_GetNextGenericObject(o))
		total++;
	for (PK11GenericObject *o = objs; o && !rc; o = PK11_GetNextGenericObject(o)) {
		p11c_progress(db, "reading certificates", done++, total);
		CK_ATTRIBUTE t[] = {{CKA_VALUE, NULL, 0},
		                    {CKA_LABEL, NULL, 0},
		                    {CKA_ID, NULL, 0},
		                    {CKA_TOKEN, NULL, 0}};
		if (PK11_ReadRawAttributes(arena, PK11_TypeGeneric, o, t, 4) != SECSuccess ||
		    !t[0].ulValueLen || !t[1].ulValueLen ||
		    (p11c_db_is_nss_internal(db) && memchr(t[1].pValue, ':', t[1].ulValueLen))) {
			/* no value or no label, or a label NSS would qualify with
			 * its token's name: NSS's listing knows what to do */
			rc = 1;
			break;
		}
		if (t[3].ulValueLen == 1 && !*(CK_BBOOL *)t[3].pValue)
			continue; /* a session object: NSS's listing has token objects */
		p11c_scanned *s = P11C_VEC_RESERVE(*out, *n, 1);
		if (!s) {
			rc = -1;
			break;
		}
		memset(s, 0, sizeof(*s));
		(*n)++;
		SECItem der = {siBuffer, t[0].pValue, (unsigned)t[0].ulValueLen};
		s->label = strndup(t[1].pValue, t[1].ulValueLen);
		s->cert = __CERT_DecodeDERCertificate(&der, PR_TRUE, NULL);
		if (!s->label || !s->cert) {
			rc = s->label ? 1 : -1;
			break;
		}
		s->keyed = has_id(ids, n_ids, t[2].pValue, t[2].ulValueLen);
		if (t[2].ulValueLen && !(s->id = malloc(t[2].ulValueLen))) {
			rc = -1;
			break;
		}
		if (t[2].ulValueLen)
			memcpy(s->id, t[2].pValue, t[2].ulValueLen);
		s->id_len = t[2].ulValueLen;
		trust_rec key;
		if (PK11_HashBuf(SEC_OID_SHA1, key.sha1, der.data, (PRInt32)der.len) !=
		    SECSuccess) {
			rc = 1;
			break;
		}
		const trust_rec *found =
		    n_trust ? bsearch(&key, trust, n_trust, sizeof(*trust), by_sha1) : NULL;
		if (found)
			s->trust = found->trust;
		PORT_FreeArena(arena, PR_FALSE);
		if (!(arena = PORT_NewArena(4096))) {
			rc = -1;
			break;
		}
	}
	p11c_progress(db, "reading certificates", total,
	              total); /* ends the line, even on a fallback */
	if (objs)
		PK11_DestroyGenericObjects(objs);
	if (arena)
		PORT_FreeArena(arena, PR_FALSE);
	if (keep)
		PORT_FreeArena(keep, PR_FALSE);
	free(trust);
	free(ids);
	if (rc) {
		p11c_scanned_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
