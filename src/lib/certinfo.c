/* SPDX-License-Identifier: MPL-2.0 */
/* What a certificate is, in plain fields: the records list-certs and
 * show-cert give (certlist.c lists them). */
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

/* The name list-certs gives a slot: "internal" for NSS's own. */
const char *p11c_token_of(PK11SlotInfo *slot)
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
		info->key_token = strdup(p11c_token_of(cert->slot));
		return;
	}
	SECKEYPrivateKey *key = p11c_key_for_cert(db, cert);
	if (!key)
		return;
	info->has_key = 1;
	info->key_token = strdup(p11c_token_of(key->pkcs11Slot));
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

/* The key details the own token's pass over its private keys gave
 * (certscan.c): as key_details finds them through NSS, without a lookup. */
static void key_given(p11c_db *db, p11c_cert *info, const p11c_scanned_keys *keys,
                      const p11c_scanned_key *key)
{
	info->key_extractable = -1;
	if (!key)
		return;
	info->has_key = 1;
	info->key_token = strdup(p11c_token_of(db->slot));
	info->key_extractable = key->extractable;
	if (keys->have_ti)
		info->key_uri =
		    p11c_uri_for_object(&keys->ti, key->id, key->id_len, key->label, "private");
}

/* What a certificate record holds; scanned: read by certscan.c, with the
 * alias and trust given, and keys, the key details (else key_details). */
static p11c_cert *build(p11c_db *db, CERTCertificate *cert, unsigned how, const char *alias,
                        const CERTCertTrust *scanned, const p11c_scanned_keys *keys,
                        const p11c_scanned_key *key)
{
	p11c_cert *i = calloc(1, sizeof(*i));
	if (!i)
		return NULL;
	unsigned char d1[20], d256[32];
	PRTime nb = 0, na = 0;
	CERTCertTrust trust;
	i->alias = p11c_safe_text(alias, strlen(alias));
	i->token = strdup(scanned                      ? p11c_token_of(db->slot)
	                  : cert->isperm || cert->slot ? p11c_token_of(cert->slot)
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
	if (scanned && keys) {
		key_given(db, i, keys, key);
	} else if (scanned && !(how & P11C_INFO_NSS_CERT)) {
		i->key_extractable = -1;
		i->has_key = (how & P11C_INFO_MARKED) != 0;
		if (i->has_key)
			i->key_token = strdup(p11c_token_of(db->slot));
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
	return build(db, cert, how, alias, NULL, NULL, NULL);
}

p11c_cert *p11c_cert_info_scanned(p11c_db *db, CERTCertificate *cert, unsigned how,
                                  const char *alias, const CERTCertTrust *trust,
                                  const p11c_scanned_keys *keys, const p11c_scanned_key *key)
{
	return build(db, cert, how, alias, trust, keys, key);
}
