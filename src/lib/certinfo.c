/* SPDX-License-Identifier: MPL-2.0 */
/* list-certs and show-cert: what a certificate is, in plain fields. */
#include <arpa/inet.h>
#include <cert.h>
#include <certdb.h>
#include <pk11pub.h>
#include <secder.h>
#include <secerr.h>
#include <secoid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"
#include "uri.h"

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

/* NSS's PORT_Alloc'd string into a malloc'd one, safe to print. */
static char *from_port(char *s)
{
	char *d = p11c_safe_text(s ? s : "", s ? strlen(s) : 0);
	PORT_Free(s);
	return d;
}

void p11c_cert_free(p11c_cert *i)
{
	if (!i)
		return;
	free(i->alias);
	free(i->token);
	free(i->serial);
	free(i->sig_alg);
	free(i->subject);
	free(i->issuer);
	for (size_t k = 0; k < i->n_san; k++)
		free(i->san[k]);
	free(i->san);
	free(i->key_type);
	free(i->sha1);
	free(i->sha256);
	free(i->trust);
	for (int k = 0; k < 3; k++)
		free(i->trust_words[k]);
	free(i->key_token);
	free(i->key_uri);
	free(i->pem);
	free(i->key_note);
	free(i);
}

static void cert_array_free(p11c_cert **list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		p11c_cert_free(list[i]);
	free(list);
}

static const char *token_of(PK11SlotInfo *slot)
{
	if (!slot || PK11_IsInternal(slot) || PK11_IsInternalKeySlot(slot))
		return "internal";
	return PK11_GetTokenName(slot);
}

static int add_san(p11c_cert *i, const char *prefix, const char *text, size_t len)
{
	if (!P11C_VEC_RESERVE(i->san, i->n_san, 1))
		return -1;
	char *shown = p11c_safe_text(text, len); /* a NUL or a newline is shown, not acted on */
	size_t n = strlen(prefix) + (shown ? strlen(shown) : 0) + 1;
	char *s = shown ? malloc(n) : NULL;
	if (s)
		snprintf(s, n, "%s%s", prefix, shown);
	free(shown);
	if (!s)
		return -1;
	i->san[i->n_san++] = s;
	return 0;
}

static int read_sans(CERTCertificate *cert, p11c_cert *info)
{
	SECItem ext = {siBuffer, NULL, 0};
	if (CERT_FindCertExtension(cert, SEC_OID_X509_SUBJECT_ALT_NAME, &ext) != SECSuccess)
		return 0;
	PLArenaPool *arena = PORT_NewArena(1024);
	CERTGeneralName *head = arena ? CERT_DecodeAltNameExtension(arena, &ext) : NULL;
	int rc = 0;
	CERTGeneralName *gn = head;
	while (gn && rc == 0) {
		const SECItem *v = &gn->name.other;
		char ip[INET6_ADDRSTRLEN];
		switch (gn->type) {
		case certDNSName:
			rc = add_san(info, "dns:", (const char *)v->data, v->len);
			break;
		case certRFC822Name:
			rc = add_san(info, "email:", (const char *)v->data, v->len);
			break;
		case certURI:
			rc = add_san(info, "uri:", (const char *)v->data, v->len);
			break;
		case certIPAddress:
			if ((v->len == 4 && inet_ntop(AF_INET, v->data, ip, sizeof(ip))) ||
			    (v->len == 16 && inet_ntop(AF_INET6, v->data, ip, sizeof(ip))))
				rc = add_san(info, "ip:", ip, strlen(ip));
			break;
		default:
			break;
		}
		gn = CERT_GetNextGeneralName(gn);
		if (gn == head)
			break;
	}
	if (arena)
		PORT_FreeArena(arena, PR_FALSE);
	SECITEM_FreeItem(&ext, PR_FALSE);
	return rc;
}

static char *key_type(CERTCertificate *cert)
{
	SECKEYPublicKey *pub = CERT_ExtractPublicKey(cert);
	char buf[64] = "unknown";
	if (!pub)
		return strdup(buf);
	unsigned bits = SECKEY_PublicKeyStrengthInBits(pub);
	if (pub->keyType == rsaKey || pub->keyType == rsaPssKey) {
		snprintf(buf, sizeof(buf), "rsa:%u", bits);
	} else if (pub->keyType == ecKey) {
		const SECItem *p = &pub->u.ec.DEREncodedParams;
		SECItem oid = {siBuffer, p->len > 2 ? p->data + 2 : NULL,
		               p->len > 2 ? p->len - 2 : 0};
		switch (SECOID_FindOIDTag(&oid)) {
		case SEC_OID_ANSIX962_EC_PRIME256V1:
			snprintf(buf, sizeof(buf), "ec:p256");
			break;
		case SEC_OID_SECG_EC_SECP384R1:
			snprintf(buf, sizeof(buf), "ec:p384");
			break;
		case SEC_OID_SECG_EC_SECP521R1:
			snprintf(buf, sizeof(buf), "ec:p521");
			break;
		default:
			snprintf(buf, sizeof(buf), "ec:%u", bits);
			break;
		}
	} else if (pub->keyType == dsaKey) {
		snprintf(buf, sizeof(buf), "dsa:%u", bits);
	}
	SECKEY_DestroyPublicKey(pub);
	return strdup(buf);
}

/* NSS's letters for one trust field, in certutil's order. */
static void trust_letters(char *out, unsigned f)
{
	if ((f & CERTDB_VALID_CA) && !(f & (CERTDB_TRUSTED_CA | CERTDB_TRUSTED_CLIENT_CA)))
		*out++ = 'c';
	if ((f & CERTDB_TERMINAL_RECORD) && !(f & CERTDB_TRUSTED))
		*out++ = 'p';
	if (f & CERTDB_TRUSTED_CA)
		*out++ = 'C';
	if (f & CERTDB_TRUSTED_CLIENT_CA)
		*out++ = 'T';
	if (f & CERTDB_TRUSTED)
		*out++ = 'P';
	if (f & CERTDB_USER)
		*out++ = 'u';
	if (f & CERTDB_SEND_WARN)
		*out++ = 'w';
	if (f & CERTDB_INVISIBLE_CA)
		*out++ = 'I';
	if (f & CERTDB_GOVT_APPROVED_CA)
		*out++ = 'G';
	*out = '\0';
}

static char *trust_string(const CERTCertTrust *t)
{
	char a[16], b[16], c[16], buf[64];
	trust_letters(a, t->sslFlags);
	trust_letters(b, t->emailFlags);
	trust_letters(c, t->objectSigningFlags);
	snprintf(buf, sizeof(buf), "%s,%s,%s", a, b, c);
	return strdup(buf);
}

/* msgcert's words for one field of NSS trust flags. */
static char *trust_words(unsigned f)
{
	static const struct {
		unsigned flag;
		const char *word;
	} words[] = {
	    {CERTDB_TERMINAL_RECORD, "Terminal Record"},
	    {CERTDB_TRUSTED, "Trusted"},
	    {CERTDB_SEND_WARN, "Warn When Sending"},
	    {CERTDB_VALID_CA, "Valid CA"},
	    {CERTDB_TRUSTED_CA, "Trusted CA"},
	    {CERTDB_TRUSTED_CLIENT_CA, "Trusted Client CA"},
	    {CERTDB_USER, "User"},
	};
	char buf[256] = "";
	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		if (!(f & words[k].flag))
			continue;
		if (*buf)
			strcat(buf, ", ");
		strcat(buf, words[k].word);
	}
	return strdup(buf);
}

/* Whether cert may have a private key in the database: always when the
 * internal token is logged in (its keys are then visible); else only when
 * NSS marks it as a user certificate, which it does from the key objects
 * it can see without a login (certutil -L's "u,u,u"). */
int p11c_may_have_key(p11c_db *db, CERTCertificate *cert)
{
	/* A certificate held by no token (a decoded one) or another token's:
	 * its key is looked for as before. */
	if (!db->slot || cert->slot != db->slot || !PK11_NeedLogin(db->slot) ||
	    PK11_IsLoggedIn(db->slot, db))
		return 1;
	CERTCertTrust t;
	if (CERT_GetCertTrust(cert, &t) != SECSuccess)
		return 0;
	return ((t.sslFlags | t.emailFlags | t.objectSigningFlags) & CERTDB_USER) != 0;
}

static void key_details(p11c_db *db, CERTCertificate *cert, p11c_cert *info, unsigned how)
{
	info->key_extractable = -1;
	/* Not logged in, the token hides its keys: "none" would be a guess, and
	 * NSS's own search would try a login behind our back. */
	PK11SlotInfo *slot = cert->slot;
	if (slot && !PK11_IsInternal(slot) && !PK11_IsInternalKeySlot(slot) &&
	    PK11_NeedLogin(slot) && !PK11_IsLoggedIn(slot, db)) {
		info->key_unknown = 1;
		return;
	}
	/* The database's own token, not logged in (a listing logs in only for
	 * the certificates NSS marks as the user's: certutil -L's "u"). */
	if (!p11c_may_have_key(db, cert))
		return;
	/* NSS's mark alone, as certutil -L reads it: no login for the key. */
	if ((how & P11C_INFO_KEY_BY_MARK) && !PK11_IsLoggedIn(db->slot, db) &&
	    cert->slot == db->slot && PK11_NeedLogin(db->slot)) {
		info->has_key = 1;
		info->key_token = strdup(token_of(cert->slot));
		return;
	}
	SECKEYPrivateKey *key = p11c_key_for_cert(db, cert);
	if (!key)
		return;
	info->has_key = 1;
	info->key_token = strdup(token_of(key->pkcs11Slot));
	info->key_extractable = p11c_key_extractable(key);
	SECItem *id = PK11_GetLowLevelKeyIDForPrivateKey(key);
	CK_TOKEN_INFO ti;
	if (id && PK11_GetTokenInfo(key->pkcs11Slot, &ti) == SECSuccess) {
		char *label = PK11_GetPrivateKeyNickname(key);
		info->key_uri = p11c_uri_for_object(&ti, id->data, id->len, label, "private");
		PORT_Free(label);
	}
	if (id)
		SECITEM_FreeItem(id, PR_TRUE);
	SECKEY_DestroyPrivateKey(key);
}

p11c_cert *p11c_cert_info_of(p11c_db *db, CERTCertificate *cert)
{
	return p11c_cert_info_with(db, cert, 0);
}

/* What a certificate record holds; scanned: read by certscan.c, with the
 * alias and trust given (no key). */
static p11c_cert *build(p11c_db *db, CERTCertificate *cert, unsigned how, const char *alias,
                        const CERTCertTrust *scanned)
{
	p11c_cert *i = calloc(1, sizeof(*i));
	if (!i)
		return NULL;
	unsigned char d1[20], d256[32];
	PRTime nb = 0, na = 0;
	CERTCertTrust trust;
	i->alias = p11c_safe_text(alias, strlen(alias));
	i->token = strdup(scanned                     ? token_of(db->slot)
	                  : cert->isperm || cert->slot ? token_of(cert->slot)
	                                               : "");
	i->version = cert->version.len ? (int)DER_GetInteger(&cert->version) + 1 : 1;
	/* the number, as openssl prints it: without DER's sign byte */
	const SECItem *sn = &cert->serialNumber;
	size_t skip = sn->len > 1 && sn->data[0] == 0 && (sn->data[1] & 0x80) ? 1 : 0;
	i->serial = p11c_hex(sn->data + skip, sn->len - skip, 0);
	i->sig_alg =
	    dup_or_empty(SECOID_FindOIDTagDescription(SECOID_GetAlgorithmTag(&cert->signature)));
	CERT_GetCertTimes(cert, &nb, &na);
	i->not_before = nb / PR_USEC_PER_SEC;
	i->not_after = na / PR_USEC_PER_SEC;
	i->subject = from_port(CERT_NameToAscii(&cert->subject));
	i->issuer = from_port(CERT_NameToAscii(&cert->issuer));
	i->self_signed = SECITEM_ItemsAreEqual(&cert->derSubject, &cert->derIssuer);
	i->key_type = key_type(cert);
	PK11_HashBuf(SEC_OID_SHA1, d1, cert->derCert.data, (PRInt32)cert->derCert.len);
	PK11_HashBuf(SEC_OID_SHA256, d256, cert->derCert.data, (PRInt32)cert->derCert.len);
	i->sha1 = p11c_hex(d1, sizeof(d1), 0);
	i->sha256 = p11c_hex(d256, sizeof(d256), 0);
	memset(&trust, 0, sizeof(trust));
	if (scanned) {
		trust = *scanned;
		if (how & P11C_INFO_MARKED) { /* as NSS marks a user certificate */
			trust.sslFlags |= CERTDB_USER;
			trust.emailFlags |= CERTDB_USER;
			trust.objectSigningFlags |= CERTDB_USER;
		}
	} else if (CERT_GetCertTrust(cert, &trust) != SECSuccess)
		memset(&trust, 0, sizeof(trust));
	i->trust = trust_string(&trust);
	i->trust_words[0] = trust_words(trust.sslFlags);
	i->trust_words[1] = trust_words(trust.emailFlags);
	i->trust_words[2] = trust_words(trust.objectSigningFlags);
	i->trust_roles = p11c_trust_roles_of(&trust);
	i->pem = p11c_pem_encode("CERTIFICATE", cert->derCert.data, cert->derCert.len);
	if (scanned && !(how & P11C_INFO_NSS_CERT)) {
		i->key_extractable = -1;
		i->has_key = (how & P11C_INFO_MARKED) != 0;
		if (i->has_key)
			i->key_token = strdup(token_of(db->slot));
	} else {
		key_details(db, cert, i, how);
	}
	if (read_sans(cert, i) < 0 || !i->alias || !i->token || !i->serial || !i->subject ||
	    !i->issuer || !i->key_type || !i->sha1 || !i->sha256 || !i->trust || !i->pem ||
	    !i->trust_words[0] || !i->trust_words[1] || !i->trust_words[2]) {
		p11c_cert_free(i);
		return NULL;
	}
	return i;
}

p11c_cert *p11c_cert_info_with(p11c_db *db, CERTCertificate *cert, unsigned how)
{
	const char *alias = cert->nickname    ? p11c_alias_of(db, cert)
	                    : cert->emailAddr ? cert->emailAddr
	                                      : "";
	return build(db, cert, how, alias, NULL);
}

p11c_cert *p11c_cert_info_scanned(p11c_db *db, CERTCertificate *cert, unsigned how,
                                  const char *alias, const CERTCertTrust *trust)
{
	return build(db, cert, how, alias, trust);
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
static int collect_scanned(p11c_db *db, p11c_list_kind which, unsigned how,
                           p11c_cert_listing *l)
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
	if (!how && PK11_IsLoggedIn(db->slot, db))
		(void)p11c_scan_rekey(db, sc, n);
	for (size_t k = 0; k < n && !rc; k++) {
		if (!sc[k].keyed || by_mark) {
			if (which == P11C_LIST_CA && !trusted_ca_flags(&sc[k].trust))
				continue;
			rc = keep(db, which,
			          p11c_cert_info_scanned(db, sc[k].cert,
			                                 sc[k].keyed ? P11C_INFO_MARKED : 0u,
			                                 sc[k].label, &sc[k].trust),
			          l);
			continue;
		}
		/* a key beside it: NSS's own view, for the key's details */
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
				          p11c_cert_info_scanned(db, cert,
				                                 how | P11C_INFO_MARKED |
				                                     P11C_INFO_NSS_CERT,
				                                 sc[k].label, &sc[k].trust),
				          l);
		}
		CERT_DestroyCertificate(cert);
	}
	p11c_scanned_free(sc, n);
	return rc;
}

static int collect(p11c_db *db, p11c_list_kind which, const char *want, unsigned flags,
                   p11c_cert_listing *l)
{
	unsigned how = flags & P11C_LIST_KEYS_BY_MARK ? P11C_INFO_KEY_BY_MARK : 0;
	int rc = 1;
	if ((!want || !strcmp(want, token_of(db->slot))) && p11c_scan_usable(db))
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
			const char *slot_token = node->cert->slot ? token_of(node->cert->slot) : "";
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
