/* SPDX-License-Identifier: MPL-2.0 */
/* add-cert and add-cert --bundle: certificates from a file into the
 * database. */
#include <cert.h>
#include <certdb.h>
#include <pk11pub.h>
#include <pkcs11n.h>
#include <secerr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"
#include "vec.h"

static int existing_name(p11c_db *db, CERTCertificate *cert, const char *q)
{
	const char *name = p11c_alias_of(db, cert);
	return p11c_cert_stored(db, cert) && name && q && strcmp(name, q) != 0;
}

/* What p11c_cert_add_chain() tells: one entry a distinct certificate of
 * the file, the alias's first. */
struct p11c_add_report {
	struct {
		p11c_cert *cert;
		p11c_added_state state;
	} * items;
	size_t n;
};

void p11c_add_report_free(p11c_add_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		p11c_cert_free(r->items[i].cert);
	free(r->items);
	free(r);
}

size_t p11c_add_report_count(const p11c_add_report *r)
{
	return r ? r->n : 0;
}

const p11c_cert *p11c_add_report_cert(const p11c_add_report *r, size_t i)
{
	return r && i < r->n ? r->items[i].cert : NULL;
}

p11c_added_state p11c_add_report_state(const p11c_add_report *r, size_t i)
{
	return r && i < r->n ? r->items[i].state : P11C_ADDED_PRESENT;
}

static int report_one(p11c_db *db, p11c_add_report *r, CERTCertificate *cert,
                      p11c_added_state state)
{
	p11c_cert *c = p11c_cert_info_of(db, cert);
	if (!c || !P11C_VEC_PUSH(r->items, r->n)) {
		p11c_cert_free(c);
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	}
	r->items[r->n - 1].cert = c;
	r->items[r->n - 1].state = state;
	return P11C_OK;
}

/* The batch as stored, k the alias's certificate; the same certificate
 * twice in the file is told once. */
static int report_of(p11c_db *db, const p11c_batch *b, size_t k, int trust_set,
                     p11c_add_report **out)
{
	p11c_add_report *r = calloc(1, sizeof(*r));
	int rc = r ? P11C_OK : p11c_fail(db, P11C_EFAIL, "out of memory");
	for (size_t n = 0; !rc && n < b->n; n++) {
		size_t i = n == 0 ? k : n <= k ? n - 1 : n; /* k first, then file order */
		int dup = 0;
		for (size_t m = 0; m < n && !dup; m++) {
			size_t j = m == 0 ? k : m <= k ? m - 1 : m;
			dup = SECITEM_ItemsAreEqual(&b->certs[j]->derCert, &b->certs[i]->derCert);
		}
		if (dup)
			continue;
		p11c_added_state st = b->stored[i]          ? P11C_ADDED_STORED
		                      : i == k && trust_set ? P11C_ADDED_TRUST_SET
		                                            : P11C_ADDED_PRESENT;
		rc = report_one(db, r, b->certs[i], st);
	}
	if (rc)
		p11c_add_report_free(r);
	else
		*out = r;
	return rc;
}

/* The first version of p11c_add_opts: size, flags, trust. */
#define ADD_OPTS_V1 (offsetof(p11c_add_opts, trust) + sizeof(const char *))
#define ADD_ARGS(opts)                                                                             \
	P11C_NAME(alias), P11C_NAME(path), P11C_OPTS_SIZE(opts, ADD_OPTS_V1),                      \
	    P11C_FIELD_FLAGS(opts, flags, P11C_ADD_TRUSTED_CA), P11C_FIELD_OPTNAME(opts, trust)

static int add(p11c_db *db, const char *alias, const char *path, const p11c_add_opts *opts,
               char **stored_as, p11c_add_report **report)
{
	const char *trust_text = P11C_OPT(opts, trust, NULL);
	int trusted_ca = (P11C_OPT(opts, flags, 0u) & P11C_ADD_TRUSTED_CA) != 0;
	char *trust = NULL;
	p11c_batch b;
	size_t k = 0;
	PK11SlotInfo *keyslot = NULL;
	char *q = NULL;
	int rc = p11c_require_open(db, 1);
	if (rc)
		return rc;
	if (stored_as)
		*stored_as = NULL;
	if (!alias || !*alias || strchr(alias, ':'))
		return p11c_fail(db, P11C_EUSAGE, "invalid alias '%s'", alias ? alias : "");
	if (trust_text && p11c_trust_parse(trust_text, &trust))
		return p11c_fail(
		    db, P11C_EUSAGE,
		    "invalid trust '%s' (server-ca, client-ca, email-ca, code-ca, peer, "
		    "or NSS's 'CT,C,C')",
		    trust_text);
	if (!trust && trusted_ca && !(trust = strdup("CT,,")))
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	if ((rc = p11c_login_tokens(db)) || (rc = p11c_batch_load(db, path, &b)))
		goto out_trust;
	for (k = 0; k < b.n; k++) {
		CK_OBJECT_HANDLE h;
		keyslot = PK11_KeyForCertExists(b.certs[k], &h, db);
		if (keyslot && !p11c_slot_visible(db, keyslot)) {
			PK11_FreeSlot(keyslot); /* a key of another database */
			keyslot = NULL;
		}
		if (keyslot)
			break;
	}
	if (!keyslot) {
		k = 0;
		if (!trust) {
			rc = p11c_fail_c(
			    db, P11C_EFAIL, P11C_ERR_NOTFOUND,
			    "cannot add '%s': no certificate in '%s' matches a key in "
			    "the database, and no trust was given to store it without one",
			    alias, path);
			p11c_err_field(db, "trust");
			goto out;
		}
	}
	CERTCertificate *mine = b.certs[k];
	q = p11c_qualified(db, keyslot, alias);
	CERTCertificate *existing = q ? p11c_find_cert(db, q) : NULL;
	if (existing && !SECITEM_ItemsAreEqual(&existing->derCert, &mine->derCert))
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_EXISTS,
		                 "alias '%s' already exists with another certificate", q);
	if (rc)
		p11c_err_field(db, "certificate");
	else if (!existing && !trust && existing_name(db, mine, q))
		rc = p11c_already_stored(db, path, mine);
	if (existing)
		CERT_DestroyCertificate(existing);
	if (rc || (rc = p11c_pending_begin(db, "add-cert")))
		goto out;
	if (!p11c_cert_stored(db, mine)) {
		if ((rc = p11c_store_cert(db, keyslot, mine, alias, trust)))
			goto out;
		b.stored[k] = 1;
	} else if (trust && (rc = p11c_set_trust(db, mine, alias, trust))) {
		goto out;
	}
	/* Already stored under another name: it keeps that name. */
	const char *name = !existing_name(db, mine, q) ? q : p11c_alias_of(db, mine);
	if (stored_as && !(*stored_as = strdup(name ? name : alias)))
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
	if (!rc)
		rc = p11c_store_rest(db, &b, k, trusted_ca ? "CT,," : NULL);
	if (!rc)
		rc = p11c_pending_commit(db, NULL, NULL);
	if (!rc && report)
		rc = report_of(db, &b, k, trust != NULL, report);
	if (rc && stored_as) {
		free(*stored_as);
		*stored_as = NULL;
	}
out:
	free(q);
	p11c_batch_free(&b, rc != P11C_OK);
	rc = p11c_pending_end(db, rc);
out_trust:
	if (keyslot)
		PK11_FreeSlot(keyslot);
	free(trust);
	return rc;
}

int p11c_cert_add(p11c_db *db, const char *alias, const char *path, const p11c_add_opts *opts,
                  char **stored_as)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OPTOUT(stored_as), ADD_ARGS(opts));
	return add(db, alias, path, opts, stored_as, NULL);
}

int p11c_cert_add_chain(p11c_db *db, const char *alias, const char *path, const p11c_add_opts *opts,
                        p11c_add_report **out)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OUT(out), ADD_ARGS(opts));
	*out = NULL;
	return add(db, alias, path, opts, NULL, out);
}

/* Which entries of a bundle repeat an earlier one (1 each): sorted once by
 * their DER rather than each compared with all before it, which a
 * 100,000-certificate bundle would pay for with 5e9 compares. */
typedef struct {
	const SECItem *der;
	size_t i;
} der_at;

static int by_der(const void *a, const void *b)
{
	const der_at *x = a, *y = b;
	if (x->der->len != y->der->len)
		return x->der->len < y->der->len ? -1 : 1;
	int c = memcmp(x->der->data, y->der->data, x->der->len);
	if (c)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

static unsigned char *repeats(const SECItem *ders, size_t n)
{
	unsigned char *rep = calloc(n ? n : 1, 1);
	der_at *v = malloc((n ? n : 1) * sizeof(*v));
	if (!rep || !v) {
		free(rep);
		free(v);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = (der_at){&ders[i], i};
	qsort(v, n, sizeof(*v), by_der);
	for (size_t k = 1; k < n; k++)
		if (SECITEM_ItemsAreEqual(v[k - 1].der, v[k].der))
			rep[v[k].i] = 1;
	free(v);
	return rep;
}

/* A bundle's certificates as DER in arena, each seen to decode as a
 * certificate (pem.c): all or nothing, before anything is stored.  They
 * are made NSS certificates one at a time as they are stored, so that a
 * bundle of 10,000 does not hold 10,000 at once (a certificate NSS then
 * cannot use takes out again what was stored before it). */
static int bundle_load(p11c_db *db, const char *path, PLArenaPool *arena, SECItem **ders,
                       size_t *n)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc = p11c_file_read_max(db, path, P11C_CERTS_FILE_MAX, &buf, &len);
	if (!rc)
		rc = p11c_certs_decode(db, path, buf, len, arena, ders, n);
	free(buf);
	return rc;
}

/* Store the i-th certificate of a bundle, unless the database has it:
 * 1 stored, 0 there already, or an error. */
static int bundle_store(p11c_db *db, const char *path, const SECItem *der, size_t i,
                        const char *trust)
{
	CERTCertificate *cert = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), (SECItem *)der,
	                                                NULL, PR_FALSE, PR_TRUE);
	if (!cert)
		return p11c_fail_nss(db, P11C_EFAIL, "certificate %zu in '%s' is not usable", i + 1,
		                     path);
	int rc = 0;
	if (!p11c_cert_stored(db, cert)) {
		char *name = p11c_name_for_cert(db, cert);
		rc = name ? p11c_store_cert(db, NULL, cert, name, trust)
		          : p11c_fail(db, P11C_EFAIL, "out of memory");
		free(name);
		rc = rc ? rc : 1;
	}
	CERT_DestroyCertificate(cert);
	return rc;
}

/* Take out again what this call stored (stored[i] set), found by DER. */
static void bundle_rollback(p11c_db *db, const SECItem *ders, const unsigned char *stored,
                            size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!stored[i])
			continue;
		CERTCertificate *c = CERT_FindCertByDERCert(CERT_GetDefaultCertDB(), (SECItem *)&ders[i]);
		if (c) {
			p11c_delete_cert(db, c);
			CERT_DestroyCertificate(c);
		}
	}
}

int p11c_cert_add_bundle(p11c_db *db, const char *path, const char *trust_text, size_t *added,
                         size_t *skipped)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OPTOUT(added), P11C_OPTOUT(skipped), P11C_NAME(path),
	          P11C_OPTNAME(trust_text));
	char *trust = NULL;
	SECItem *ders = NULL;
	size_t n = 0, a = 0, s = 0;
	unsigned char *rep = NULL, *stored = NULL;
	int rc = p11c_require_open(db, 1);
	if (rc)
		return rc;
	if (p11c_trust_parse(trust_text ? trust_text : "CT,,", &trust))
		return p11c_fail(db, P11C_EUSAGE, "invalid trust '%s'", trust_text);
	PLArenaPool *arena = PORT_NewArena(DER_DEFAULT_CHUNKSIZE);
	if (!arena)
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
	if (rc || (rc = p11c_login_tokens(db)) || (rc = bundle_load(db, path, arena, &ders, &n)))
		goto out;
	rep = repeats(ders, n);
	stored = calloc(n ? n : 1, 1);
	if (!rep || !stored) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	if ((rc = p11c_pending_begin(db, "add-cert --bundle")))
		goto out;
	for (size_t i = 0; i < n; i++) {
		p11c_progress(db, "adding certificates", i, n);
		/* The same certificate twice in one file counts once. */
		int r = rep[i] ? 0 : bundle_store(db, path, &ders[i], i, trust);
		if (r < 0 || r > 1) {
			rc = r;
			break;
		}
		stored[i] = (unsigned char)r;
		a += (size_t)r;
		s += (size_t)!r;
	}
	if (!rc) {
		p11c_progress(db, "adding certificates", n, n);
		rc = p11c_pending_commit(db, NULL, NULL);
	}
	if (rc)
		bundle_rollback(db, ders, stored, n);
	rc = p11c_pending_end(db, rc);
	if (rc == P11C_OK) {
		if (added)
			*added = a;
		if (skipped)
			*skipped = s;
	}
out:
	free(rep);
	free(stored);
	free(trust);
	if (arena)
		PORT_FreeArena(arena, PR_FALSE);
	return rc;
}

/* Whether a database slot this handle does not see holds cert too. */
