/* SPDX-License-Identifier: MPL-2.0 */
/* import-cert and import-selfsign-cert: PKCS#12 from openssl, pk12util,
 * keytool or Windows, all or nothing. */
#include <cert.h>
#include <certdb.h>
#include <p12.h>
#include <pk11pub.h>
#include <secerr.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"

typedef struct {
	SECItem leaf;      /* DER of the certificate that has the key */
	const char *alias; /* the name it is to take */
} rename_ctx;

static SECItem *nickname_item(const char *name)
{
	size_t n = strlen(name);
	SECItem *it = SECITEM_AllocItem(NULL, NULL, (unsigned)n + 1);
	if (it) {
		it->type = siAsciiString;
		memcpy(it->data, name, n + 1);
		it->len = (unsigned)n; /* as NSS's own tools hand nicknames back */
	}
	return it;
}

/* The leaf takes the alias; a CA without a friendly name takes its CN. */
static SECStatus rename_cb(const CERTCertificate *cert, const SECItem *def, SECItem **out,
                           void *arg)
{
	rename_ctx *r = arg;
	*out = NULL;
	if (SECITEM_ItemsAreEqual(&cert->derCert, &r->leaf)) {
		*out = nickname_item(r->alias);
		return *out ? SECSuccess : SECFailure;
	}
	if (def && def->len)
		return SECSuccess;
	char *cn = CERT_GetCommonName(&cert->subject);
	if (cn) {
		*out = nickname_item(cn);
		PORT_Free(cn);
	}
	return SECSuccess;
}

/* A name already taken: add " #2"...  NSS asks too for a certificate the
 * file names not (old NULL; arg is then the certificate): its CN. */
static SECItem *collision_cb(SECItem *old, PRBool *cancel, void *arg)
{
	CERTCertificate *cert = arg;
	char base[256], buf[512];
	*cancel = PR_FALSE;
	int first = 2;
	if (old && old->data) {
		snprintf(base, sizeof(base), "%.*s", (int)old->len, (const char *)old->data);
	} else if (cert) {
		char *cn = CERT_GetCommonName(&cert->subject);
		snprintf(base, sizeof(base), "%s", cn ? cn : "imported");
		PORT_Free(cn);
		first = 1;
	} else {
		*cancel = PR_TRUE;
		return NULL;
	}
	for (int i = first; i < 1000; i++) {
		if (i == 1)
			snprintf(buf, sizeof(buf), "%s", base);
		else
			snprintf(buf, sizeof(buf), "%s #%d", base, i);
		CERTCertificate *c = CERT_FindCertByNickname(CERT_GetDefaultCertDB(), buf);
		if (!c)
			return nickname_item(buf);
		CERT_DestroyCertificate(c);
	}
	*cancel = PR_TRUE;
	return NULL;
}

static int password_error(p11c_db *db, const char *path)
{
	int err = PORT_GetError();
	if (err == SEC_ERROR_BAD_PASSWORD || err == SEC_ERROR_PKCS12_PRIVACY_PASSWORD_INCORRECT ||
	    err == SEC_ERROR_PKCS12_INVALID_MAC)
		return p11c_fail_nss(db, P11C_EPASSWORD, "wrong password for '%s'", path);
	return p11c_fail_nss_c(db, P11C_EFAIL, P11C_ERR_INPUT,
	                       "'%s' is not a PKCS#12 file that can be read", path);
}

static int too_many_bags(p11c_db *db, const char *path)
{
	return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
	                   "'%s' holds more than %d bags (keys and certificates), the most "
	                   "that are read",
	                   path, P11C_P12_BAGS_MAX);
}

static int is_certificate(const SECItem *der)
{
	CERTCertificate *c = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), (SECItem *)der, NULL,
	                                             PR_FALSE, PR_TRUE);
	if (c)
		CERT_DestroyCertificate(c);
	return c != NULL;
}

/* Walk the bags before NSS acts on them: every certificate bag holds a
 * certificate (NSS's renaming trips on an empty one), at most
 * P11C_P12_BAGS_MAX bags, and one key with its certificate, which becomes the
 * leaf (leaf, friendly). */
static int scan_bags(p11c_db *db, SEC_PKCS12DecoderContext *dcx, const char *path, SECItem *leaf,
                     char **friendly)
{
	const SEC_PKCS12DecoderItem *it = NULL;
	size_t bags = 0, keys = 0, pairs = 0;
	if (SEC_PKCS12DecoderIterateInit(dcx) != SECSuccess)
		return p11c_fail_nss_c(db, P11C_EFAIL, P11C_ERR_INPUT, "cannot read '%s'", path);
	while (SEC_PKCS12DecoderIterateNext(dcx, &it) == SECSuccess && it) {
		if (++bags > P11C_P12_BAGS_MAX)
			return too_many_bags(db, path);
		if (it->type == SEC_OID_PKCS12_V1_KEY_BAG_ID ||
		    it->type == SEC_OID_PKCS12_V1_PKCS8_SHROUDED_KEY_BAG_ID)
			keys++;
		if (it->type != SEC_OID_PKCS12_V1_CERT_BAG_ID)
			continue;
		if (!it->der || !it->der->len || !is_certificate(it->der))
			return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
			                   "certificate bag %zu of '%s' holds no valid certificate",
			                   bags, path);
		if (!it->hasKey || pairs++)
			continue;
		if (SECITEM_CopyItem(NULL, leaf, it->der) != SECSuccess)
			return p11c_fail(db, P11C_EFAIL, "out of memory");
		if (it->friendlyName && it->friendlyName->len)
			*friendly =
			    strndup((const char *)it->friendlyName->data, it->friendlyName->len);
	}
	if (keys > 1 || pairs > 1)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                   "'%s' holds %zu private keys; only a file with one key "
		                   "and its chain is imported",
		                   path, keys > pairs ? keys : pairs);
	if (!pairs)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                   "'%s' holds no private key with its certificate", path);
	return P11C_OK;
}

/* The alias: asked, else the file's friendly name, else the CN. */
static char *choose_alias(const p11c_import_opts *o, const char *friendly, const SECItem *leaf)
{
	if (o->alias)
		return strdup(o->alias);
	if (friendly && *friendly && !strchr(friendly, ':'))
		return strdup(friendly);
	CERTCertificate *c = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), (SECItem *)leaf, NULL,
	                                             PR_FALSE, PR_TRUE);
	char *cn = c ? CERT_GetCommonName(&c->subject) : NULL;
	char *alias = strdup(cn ? cn : "imported");
	PORT_Free(cn);
	if (c)
		CERT_DestroyCertificate(c);
	return alias;
}

int p11c_key_keep_on_token(p11c_db *db, SECKEYPrivateKey *key, const char *alias)
{
	if (p11c_key_extractable(key) == 0)
		return P11C_OK; /* the token made it so already */
	CK_BBOOL no = CK_FALSE;
	SECItem v = {siBuffer, &no, sizeof(no)};
	if (PK11_WriteRawAttribute(PK11_TypePrivKey, key, CKA_EXTRACTABLE, &v) != SECSuccess)
		return p11c_fail_nss(db, P11C_ETOKEN,
		                     "token '%s' cannot mark the key of '%s' non-extractable",
		                     PK11_GetTokenName(key->pkcs11Slot), alias);
	return P11C_OK;
}

int p11c_key_honour_extractable(p11c_db *db, SECKEYPrivateKey *key, const char *alias)
{
	int extractable = p11c_key_extractable(key) == 1;
	/* NSS's imports set no CKA_EXTRACTABLE: the token's default decides,
	 * and it cannot be turned on afterwards.  Say so rather than leave a
	 * key the user asked to be movable locked in. */
	if (!extractable)
		return p11c_fail_field(db, P11C_ETOKEN, "extractable",
		                       "token '%s' made the imported key of '%s' non-extractable; "
		                       "an extractable import cannot be honoured there",
		                       PK11_GetTokenName(key->pkcs11Slot), alias);
	return P11C_OK;
}

/* Whether key is the private half of cert's public key: a signature by
 * the one that the other verifies.  Catches a key stored under another
 * key's certificate and a corrupted key (an EC scalar that is not the
 * point's), which NSS imports as they come. */
static int pair_check(p11c_db *db, SECKEYPrivateKey *key, CERTCertificate *cert, const char *alias)
{
	unsigned char digest[32];
	SECItem hash = {siBuffer, digest, sizeof(digest)}, sig = {siBuffer, NULL, 0};
	SECKEYPublicKey *pub = CERT_ExtractPublicKey(cert);
	int len = PK11_SignatureLen(key), rc = P11C_OK;
	if (!pub || len <= 0 || PK11_GenerateRandom(digest, sizeof(digest)) != SECSuccess ||
	    !(sig.data = PORT_Alloc((size_t)len))) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot check the private key of '%s'", alias);
		goto out;
	}
	sig.len = (unsigned)len;
	if (PK11_Sign(key, &sig, &hash) != SECSuccess) {
		/* A key the certificate allows no signing (CKA_SIGN false) can
		 * only be checked by its use. */
		p11c_log(db, "the key of '%s' cannot sign: its match is not checked", alias);
		goto out;
	}
	if (PK11_Verify(pub, &sig, &hash, db) != SECSuccess)
		rc = p11c_fail_c(
		    db, P11C_EFAIL, P11C_ERR_INPUT,
		    "the private key of '%s' does not match its certificate (a wrong or "
		    "corrupted key)",
		    alias);
out:
	PORT_Free(sig.data);
	if (pub)
		SECKEY_DestroyPublicKey(pub);
	return rc;
}

/* After the import: the key checked against the certificate, a key on an
 * external token made non-extractable, the self-signed certificate
 * trusted when asked. */
static int finish_import(p11c_db *db, const SECItem *leaf, const p11c_import_opts *o,
                         const char *alias)
{
	int rc = P11C_OK;
	CERTCertificate *cert = CERT_FindCertByDERCert(CERT_GetDefaultCertDB(), (SECItem *)leaf);
	if (!cert)
		return p11c_fail(db, P11C_EFAIL, "imported '%s' but cannot find it", alias);
	SECKEYPrivateKey *key = p11c_key_for_cert(db, cert);
	if (!key)
		rc = p11c_fail(db, P11C_EFAIL, "imported '%s' but its private key is not with it",
		               alias);
	else
		rc = pair_check(db, key, cert, alias);
	char *label = key ? PK11_GetPrivateKeyNickname(key) : NULL;
	/* NSS names the key from the file (an unwrap leaves no label) */
	if (!rc && (!label || strcmp(label, alias) != 0))
		PK11_SetPrivateKeyNickname(key, alias);
	PORT_Free(label);
	if (!rc && !PK11_IsInternal(key->pkcs11Slot)) {
		rc = (o->flags & P11C_IMPORT_EXTRACTABLE)
		         ? p11c_key_honour_extractable(db, key, alias)
		         : p11c_key_keep_on_token(db, key, alias);
	}
	if (!rc && (o->flags & P11C_IMPORT_TRUST_SELF_SIGNED) &&
	    SECITEM_ItemsAreEqual(&cert->derSubject, &cert->derIssuer))
		rc = p11c_set_trust(db, cert, alias, "CT,,");
	if (key)
		SECKEY_DestroyPrivateKey(key);
	CERT_DestroyCertificate(cert);
	return rc;
}

/* The certificates of the file the database does not hold yet: what an
 * import that fails half way must take out again. */
static CERTCertList *new_certs(SEC_PKCS12DecoderContext *dcx)
{
	CERTCertList *all = SEC_PKCS12DecoderGetCerts(dcx);
	CERTCertList *fresh = CERT_NewCertList();
	for (CERTCertListNode *n = all ? CERT_LIST_HEAD(all) : NULL;
	     fresh && all && !CERT_LIST_END(n, all); n = CERT_LIST_NEXT(n)) {
		CERTCertificate *there =
		    CERT_FindCertByDERCert(CERT_GetDefaultCertDB(), &n->cert->derCert);
		if (there && there->isperm) {
			CERT_DestroyCertificate(there);
			continue;
		}
		if (there)
			CERT_DestroyCertificate(there);
		CERTCertificate *dup = CERT_DupCertificate(n->cert);
		if (CERT_AddCertToListTail(fresh, dup) != SECSuccess)
			CERT_DestroyCertificate(dup);
	}
	if (all)
		CERT_DestroyCertList(all);
	return fresh;
}

/* The private keys of the slot before the import, by handle, and the
 * CKA_IDs the file's certificates give their keys: an import that fails
 * takes out the keys it added whatever certificate they came with, and
 * no other. */
typedef struct {
	CK_OBJECT_HANDLE *before, *pubs_before; /* private, public keys */
	size_t n_before, n_pubs;
	SECItem **ids;
	size_t n_ids;
} key_sweep;

/* The slot's public-key objects, those NSS cannot read as keys included
 * (an unwrap leaves one made of whatever the certificate held). */
static PK11GenericObject *public_objects(PK11SlotInfo *slot, size_t *n)
{
	PK11GenericObject *all = PK11_FindGenericObjects(slot, CKO_PUBLIC_KEY);
	*n = 0;
	for (PK11GenericObject *o = all; o; o = PK11_GetNextGenericObject(o))
		(*n)++;
	return all;
}

static int handle_in(const CK_OBJECT_HANDLE *set, size_t n, CK_OBJECT_HANDLE h)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == h)
			return 1;
	return 0;
}

static int id_in(const key_sweep *k, const SECItem *id)
{
	for (size_t i = 0; id && i < k->n_ids; i++)
		if (SECITEM_ItemsAreEqual(id, k->ids[i]))
			return 1;
	return 0;
}

static void sweep_free(key_sweep *k)
{
	for (size_t i = 0; i < k->n_ids; i++)
		SECITEM_FreeItem(k->ids[i], PR_TRUE);
	free(k->ids);
	free(k->before);
	free(k->pubs_before);
	memset(k, 0, sizeof(*k));
}

static int sweep_start(p11c_db *db, PK11SlotInfo *slot, SEC_PKCS12DecoderContext *dcx, key_sweep *k)
{
	memset(k, 0, sizeof(*k));
	SECKEYPrivateKeyList *keys = PK11_ListPrivKeysInSlot(slot, NULL, db);
	CERTCertList *certs = SEC_PKCS12DecoderGetCerts(dcx);
	size_t nk = 0, nc = 0;
	for (SECKEYPrivateKeyListNode *n = keys ? PRIVKEY_LIST_HEAD(keys) : NULL;
	     keys && !PRIVKEY_LIST_END(n, keys); n = PRIVKEY_LIST_NEXT(n))
		nk++;
	for (CERTCertListNode *n = certs ? CERT_LIST_HEAD(certs) : NULL;
	     certs && !CERT_LIST_END(n, certs); n = CERT_LIST_NEXT(n))
		nc++;
	size_t np = 0;
	PK11GenericObject *pubs = public_objects(slot, &np);
	k->before = calloc(nk + 1, sizeof(*k->before));
	k->pubs_before = calloc(np + 1, sizeof(*k->pubs_before));
	k->ids = calloc(nc + 1, sizeof(*k->ids));
	int rc = k->before && k->pubs_before && k->ids ? P11C_OK
	                                               : p11c_fail(db, P11C_EFAIL, "out of memory");
	for (PK11GenericObject *o = pubs; !rc && o; o = PK11_GetNextGenericObject(o))
		k->pubs_before[k->n_pubs++] = PK11_GetObjectHandle(PK11_TypeGeneric, o, NULL);
	if (pubs)
		PK11_DestroyGenericObjects(pubs);
	for (SECKEYPrivateKeyListNode *n = keys ? PRIVKEY_LIST_HEAD(keys) : NULL;
	     !rc && keys && !PRIVKEY_LIST_END(n, keys); n = PRIVKEY_LIST_NEXT(n))
		k->before[k->n_before++] = n->key->pkcs11ID;
	for (CERTCertListNode *n = certs ? CERT_LIST_HEAD(certs) : NULL;
	     !rc && certs && !CERT_LIST_END(n, certs); n = CERT_LIST_NEXT(n)) {
		SECKEYPublicKey *pub = CERT_ExtractPublicKey(n->cert);
		SECItem *v = !pub                     ? NULL
		             : pub->keyType == rsaKey ? &pub->u.rsa.modulus
		             : pub->keyType == ecKey  ? &pub->u.ec.publicValue
		                                      : NULL;
		SECItem *id = v ? PK11_MakeIDFromPubKey(v) : NULL;
		if (id)
			k->ids[k->n_ids++] = id;
		if (pub)
			SECKEY_DestroyPublicKey(pub);
	}
	if (keys)
		SECKEY_DestroyPrivateKeyList(keys);
	if (certs)
		CERT_DestroyCertList(certs);
	if (rc)
		sweep_free(k);
	return rc;
}

static int sweep_is_new(const key_sweep *k, SECKEYPrivateKey *key)
{
	if (handle_in(k->before, k->n_before, key->pkcs11ID))
		return 0;
	SECItem *id = PK11_GetLowLevelKeyIDForPrivateKey(key);
	int ours = id_in(k, id);
	if (id)
		SECITEM_FreeItem(id, PR_TRUE);
	return ours;
}

static void sweep_public(PK11SlotInfo *slot, const key_sweep *k)
{
	size_t n = 0;
	PK11GenericObject *pubs = public_objects(slot, &n);
	for (PK11GenericObject *o = pubs; o; o = PK11_GetNextGenericObject(o)) {
		CK_OBJECT_HANDLE h = PK11_GetObjectHandle(PK11_TypeGeneric, o, NULL);
		SECItem id = {siBuffer, NULL, 0};
		if (handle_in(k->pubs_before, k->n_pubs, h) ||
		    PK11_ReadRawAttribute(PK11_TypeGeneric, o, CKA_ID, &id) != SECSuccess)
			continue;
		if (id_in(k, &id))
			PK11_DestroyTokenObject(slot, h);
		SECITEM_FreeItem(&id, PR_FALSE);
	}
	if (pubs)
		PK11_DestroyGenericObjects(pubs);
}

/* Undo an import that failed half way: the keys it added (their
 * public-key objects too), and every certificate of the file that was
 * not there before. */
static void undo_import(p11c_db *db, PK11SlotInfo *slot, const key_sweep *k, CERTCertList *fresh)
{
	SECKEYPrivateKeyList *keys = PK11_ListPrivKeysInSlot(slot, NULL, db);
	for (SECKEYPrivateKeyListNode *n = keys ? PRIVKEY_LIST_HEAD(keys) : NULL;
	     keys && !PRIVKEY_LIST_END(n, keys); n = PRIVKEY_LIST_NEXT(n)) {
		if (sweep_is_new(k, n->key))
			p11c_key_delete(SECKEY_CopyPrivateKey(n->key));
	}
	if (keys)
		SECKEY_DestroyPrivateKeyList(keys);
	sweep_public(slot, k);
	for (CERTCertListNode *n = fresh ? CERT_LIST_HEAD(fresh) : NULL;
	     fresh && !CERT_LIST_END(n, fresh); n = CERT_LIST_NEXT(n)) {
		p11c_remove_copies(db, &n->cert->derCert, "an imported certificate");
		/* and the certificate a token made while NSS heard it fail */
		CERTCertificate *made = PK11_FindCertFromDERCertItem(slot, &n->cert->derCert, db);
		if (made) {
			p11c_delete_cert(db, made);
			CERT_DestroyCertificate(made);
		}
	}
}

/* The warning for a key the token will not serve to NSS servers. */
static void warn_defects(p11c_db *db, PK11SlotInfo *slot, const SECItem *leaf)
{
	CERTCertificate *c = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), (SECItem *)leaf, NULL,
	                                             PR_FALSE, PR_TRUE);
	SECKEYPublicKey *pub = c ? CERT_ExtractPublicKey(c) : NULL;
	if (pub)
		p11c_token_defects_warn(db, slot, pub->keyType);
	SECKEY_DestroyPublicKey(pub);
	if (c)
		CERT_DestroyCertificate(c);
}

int p11c_import_opts_read(p11c_db *db, const char *func, const p11c_import_opts *in,
                          p11c_import_opts *out)
{
	*out = (p11c_import_opts)P11C_IMPORT_OPTS_INIT;
	if (!in)
		return P11C_OK;
	if (in->size < sizeof(p11c_import_opts))
		return p11c_args_fail(db, func,
		                      "opts->size is %zu, not sizeof(p11c_import_opts) (%zu)",
		                      in->size, sizeof(p11c_import_opts));
	out->alias = P11C_OPT(in, alias, NULL);
	out->token = P11C_OPT(in, token, NULL);
	out->flags = P11C_OPT(in, flags, 0u);
	if (out->alias && !*out->alias)
		return p11c_args_fail(db, func, "opts->alias is empty");
	if (out->token && !*out->token)
		return p11c_args_fail(db, func, "opts->token is empty");
	unsigned unknown =
	    out->flags & ~(unsigned)(P11C_IMPORT_EXTRACTABLE | P11C_IMPORT_TRUST_SELF_SIGNED);
	if (unknown)
		return p11c_args_fail(db, func, "opts->flags has unknown bits 0x%x", unknown);
	return P11C_OK;
}

int p11c_p12_import(p11c_db *db, const char *path, const char *password,
                    const p11c_import_opts *opts, char **alias_out)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OPTOUT(alias_out), P11C_NAME(path), P11C_PTR(password));
	p11c_import_opts resolved;
	unsigned char *buf = NULL;
	size_t len = 0;
	SECItem pw = {siBuffer, NULL, 0}, leaf = {siBuffer, NULL, 0};
	PK11SlotInfo *slot = NULL;
	SEC_PKCS12DecoderContext *dcx = NULL;
	char *friendly = NULL, *alias = NULL;
	CERTCertList *fresh = NULL;
	key_sweep sweep = {.n_ids = 0};
	int imported = 0;
	if (alias_out)
		*alias_out = NULL;
	int rc = p11c_import_opts_read(db, __func__, opts, &resolved);
	if (rc)
		return rc;
	opts = &resolved;
	if ((rc = p11c_require_open(db, 1)) ||
	    (rc = p11c_file_read_max(db, path, P11C_P12_FILE_MAX, &buf, &len)))
		return rc;
	if (len == 0) {
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT, "'%s' is empty", path);
		goto out;
	}
	if (p11c_p12_bags_in_der(buf, len) > P11C_P12_BAGS_MAX) {
		rc = too_many_bags(db, path);
		goto out;
	}
	p11c_p12_setup();
	if ((rc = p11c_slot_for_token(db, opts->token, &slot)) || (rc = p11c_login(db, slot)) ||
	    (rc = p11c_login_tokens(db)) || (rc = p11c_p12_password(db, password, &pw)))
		goto out;
	dcx = SEC_PKCS12DecoderStart(&pw, slot, db, NULL, NULL, NULL, NULL, NULL);
	if (!dcx) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot start reading '%s'", path);
		goto out;
	}
	if (SEC_PKCS12DecoderUpdate(dcx, buf, len) != SECSuccess ||
	    SEC_PKCS12DecoderVerify(dcx) != SECSuccess) {
		rc = password_error(db, path);
		goto out;
	}
	/* NSS's own checks first: its bag walk (renaming, iterating) trips
	 * on an empty certificate bag that validation refuses. */
	if (SEC_PKCS12DecoderValidateBags(dcx, collision_cb) != SECSuccess) {
		rc = p11c_fail_nss_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                     "'%s' is not a PKCS#12 file that can be imported", path);
		goto out;
	}
	if ((rc = scan_bags(db, dcx, path, &leaf, &friendly)))
		goto out;
	alias = choose_alias(opts, friendly, &leaf);
	if (!alias) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	CERTCertificate *there = CERT_FindCertByDERCert(CERT_GetDefaultCertDB(), &leaf);
	if (there && !(there->isperm && p11c_cert_visible(db, there))) {
		CERT_DestroyCertificate(there); /* only another database's */
		there = NULL;
	}
	if (there) {
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_EXISTS,
		                 "the certificate in '%s' is already in the database as '%s'", path,
		                 there->nickname ? p11c_alias_of(db, there) : "(no alias)");
		CERT_DestroyCertificate(there);
		goto out;
	}
	rename_ctx r = {leaf, alias};
	if ((rc = p11c_alias_check_new(db, slot, alias)))
		goto out;
	if (SEC_PKCS12DecoderRenameCertNicknames(dcx, rename_cb, &r) != SECSuccess) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot import '%s'", path);
		goto out;
	}
	p11c_log(db, "importing '%s' as '%s' on token '%s'", path, alias, PK11_GetTokenName(slot));
	fresh = new_certs(dcx);
	if ((rc = sweep_start(db, slot, dcx, &sweep)) ||
	    (rc = p11c_pending_begin(db, "import-cert")) || (rc = p11c_pending_keygen(db, slot)))
		goto out;
	for (CERTCertListNode *n = fresh ? CERT_LIST_HEAD(fresh) : NULL;
	     !rc && n && !CERT_LIST_END(n, fresh); n = CERT_LIST_NEXT(n))
		rc = p11c_pending_cert(db, slot, &n->cert->derCert);
	if (rc)
		goto out;
	imported = 1;
	if (SEC_PKCS12DecoderImportBags(dcx) != SECSuccess) {
		rc = p11c_fail_nss(db, P11C_ETOKEN, "cannot import '%s' into token '%s'", path,
		                   PK11_GetTokenName(slot));
		goto out;
	}
	if ((rc = finish_import(db, &leaf, opts, alias)) ||
	    (rc = p11c_pending_commit(db, NULL, NULL)))
		goto out;
	warn_defects(db, slot, &leaf);
	if (alias_out && !(*alias_out = p11c_qualified(db, slot, alias)))
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
out:
	if (rc && imported)
		undo_import(db, slot, &sweep, fresh);
	rc = p11c_pending_end(db, rc);
	sweep_free(&sweep);
	if (fresh)
		CERT_DestroyCertList(fresh);
	if (dcx)
		SEC_PKCS12DecoderFinish(dcx);
	if (slot)
		PK11_FreeSlot(slot);
	p11c_p12_password_free(&pw);
	SECITEM_FreeItem(&leaf, PR_FALSE);
	free(friendly);
	free(alias);
	free(buf);
	return rc;
}
