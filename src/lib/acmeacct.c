/* SPDX-License-Identifier: MPL-2.0 */
/* acme-register: an account key made on a token (non-extractable on an
 * external one) and registered with the server; the account kept in the
 * record (its URL, the key's token, CKA_ID and public key), so later
 * commands find the key again and sign with it there. */
#include <keyhi.h>
#include <nssb64.h>
#include <pk11pub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acmeint.h"

/* The hex CKA_ID of the record as bytes (in arena-less malloc). */
static int hex_decode(const char *hex, SECItem *out)
{
	size_t n = strlen(hex);
	if (n == 0 || n % 2)
		return -1;
	out->type = siBuffer;
	out->len = (unsigned)(n / 2);
	if (!(out->data = malloc(out->len)))
		return -1;
	for (size_t i = 0; i < out->len; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			free(out->data);
			return -1;
		}
		out->data[i] = (unsigned char)v;
	}
	return 0;
}

int p11c_acme_account_key(p11c_db *db, json_t *st, SECKEYPrivateKey **priv, SECKEYPublicKey **pub,
                          const char **url)
{
	json_t *a = json_object_get(st, "account");
	const char *id_hex = p11c_acme_str(a, "key_id"), *token = p11c_acme_str(a, "token");
	const char *spki64 = p11c_acme_str(a, "public_key");
	*priv = NULL;
	*pub = NULL;
	*url = p11c_acme_str(a, "url");
	if (!a || !*url)
		return p11c_fail_c(db, P11C_ENOTFOUND, P11C_ERR_NOTFOUND,
		                   "the database has no ACME account (register one first)");
	PK11SlotInfo *slot = NULL;
	SECItem id = {siBuffer, NULL, 0};
	SECItem *der = NULL;
	CERTSubjectPublicKeyInfo *spki = NULL;
	int rc = p11c_slot_for_token(db, token && strcmp(token, "internal") ? token : NULL, &slot);
	if (rc || (rc = p11c_login(db, slot)))
		goto out;
	if (!id_hex || hex_decode(id_hex, &id) || !spki64 ||
	    !(der = NSSBase64_DecodeBuffer(NULL, NULL, spki64, (unsigned)strlen(spki64))) ||
	    !(spki = SECKEY_DecodeDERSubjectPublicKeyInfo(der)) ||
	    !(*pub = SECKEY_ExtractPublicKey(spki))) {
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                 "the ACME record's account key (key_id, public_key) is malformed");
		goto out;
	}
	if (!(*priv = PK11_FindKeyByKeyID(slot, &id, db)))
		rc = p11c_fail_c(db, P11C_ENOTFOUND, P11C_ERR_NOTFOUND,
		                 "the ACME account key (CKA_ID %s) is not on token '%s'", id_hex,
		                 PK11_GetTokenName(slot));
out:
	if (rc && *pub) {
		SECKEY_DestroyPublicKey(*pub);
		*pub = NULL;
	}
	if (spki)
		SECKEY_DestroySubjectPublicKeyInfo(spki);
	if (der)
		SECITEM_FreeItem(der, PR_TRUE);
	free(id.data);
	if (slot)
		PK11_FreeSlot(slot);
	return rc;
}

/* newAccount's payload. */
static int account_payload(p11c_db *db, p11c_acme_client *c, const p11c_acme_register_opts *o,
                           char **out)
{
	json_t *p = json_object(), *eab = NULL;
	int rc = P11C_OK;
	*out = NULL;
	if (!p)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	if (o && o->agree_tos)
		json_object_set_new(p, "termsOfServiceAgreed", json_true());
	if (o && o->email) {
		char *m = malloc(strlen(o->email) + 8);
		if (m)
			sprintf(m, "mailto:%s", o->email);
		json_object_set_new(p, "contact", json_pack("[s*]", m));
		free(m);
	}
	if (o && o->eab_kid) {
		const char *url = p11c_acme_dir_url(c, "newAccount", 1);
		if (!url || (rc = p11c_acme_eab(db, o->eab_kid, o->eab_hmac, o->eab_hmac_len,
		                                c->pub, url, &eab)))
			rc = rc ? rc : P11C_EFAIL;
		else
			json_object_set_new(p, "externalAccountBinding", eab);
	}
	if (!rc && !(*out = json_dumps(p, JSON_COMPACT)))
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
	json_decref(p);
	return rc;
}

/* The record's account: URL, token, CKA_ID and public key (base64 SPKI). */
static int account_record(p11c_db *db, json_t *st, const char *server, const char *url,
                          PK11SlotInfo *slot, SECKEYPrivateKey *priv, SECKEYPublicKey *pub,
                          const char *key_type)
{
	char *name = NULL, *id = NULL, *spki64 = NULL;
	SECItem *der = SECKEY_EncodeDERSubjectPublicKeyInfo(pub);
	int rc = P11C_OK;
	if (der)
		spki64 = NSSBase64_EncodeItem(NULL, NULL, 0, der);
	if (p11c_key_names(priv, &name, &id) != 0 || !spki64) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	/* NSS's base64 breaks lines: the record keeps one. */
	char *w = spki64;
	for (char *r = spki64; *r; r++)
		if (*r != '\r' && *r != '\n')
			*w++ = *r;
	*w = '\0';
	const char *token = p11c_is_own_slot(db, slot) ? "internal" : PK11_GetTokenName(slot);
	json_t *a = json_pack("{s:s,s:s,s:s,s:s,s:s}", "url", url, "token", token, "key_id", id,
	                      "public_key", spki64, "key_type", key_type);
	if (!a || json_object_set_new(st, "account", a) ||
	    json_object_set_new(st, "server", json_string(server)))
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
out:
	free(name);
	free(id);
	if (spki64)
		PORT_Free(spki64);
	if (der)
		SECITEM_FreeItem(der, PR_TRUE);
	return rc;
}

#define REGISTER_V1 (offsetof(p11c_acme_register_opts, eab_hmac_len) + sizeof(size_t))

int p11c_acme_register(p11c_db *db, const p11c_acme_opts *acme, const p11c_acme_register_opts *opts,
                       char **account_url)
{
	P11C_ARGS(db, P11C_DB(db), P11C_ACME_OPTS_ARGS(acme), P11C_OPTS_SIZE(opts, REGISTER_V1),
	          P11C_FIELD_OPTNAME(opts, email), P11C_FIELD_OPTNAME(opts, key_type),
	          P11C_FIELD_OPTNAME(opts, token), P11C_FIELD_OPTNAME(opts, eab_kid),
	          P11C_FIELD_RANGE(opts, agree_tos, 0, 1), P11C_OPTOUT(account_url));
	p11c_acme_conn conn;
	p11c_acme_client c;
	json_t *st = NULL;
	PK11SlotInfo *slot = NULL;
	SECKEYPrivateKey *priv = NULL;
	SECKEYPublicKey *pub = NULL;
	char *payload = NULL, err[256];
	p11c_key_spec spec;
	const char *key_type = opts && opts->key_type ? opts->key_type : "ec:p256";
	int begun = 0;
	memset(&c, 0, sizeof(c));
	if (account_url)
		*account_url = NULL;
	if (opts && opts->eab_kid && (!opts->eab_hmac || !opts->eab_hmac_len))
		return p11c_args_fail(db, __func__, "opts->eab_hmac is empty with an eab_kid");
	int rc = p11c_acme_opts_read(db, acme, &conn);
	if (rc || (rc = p11c_require_open(db, 1)))
		return rc;
	if ((rc = p11c_key_type_parse(key_type, &spec, err, sizeof(err))))
		return p11c_fail_field(db, rc, "key_type", "%s", err);
	if ((rc = p11c_acme_state_load(db, &st)))
		return rc;
	if (json_object_get(st, "account")) {
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_EXISTS,
		                 "the database already has an ACME account (%s)",
		                 p11c_acme_str(json_object_get(st, "account"), "url"));
		goto out;
	}
	if (!conn.server) {
		rc = p11c_fail_field(db, P11C_EUSAGE, "server", "no ACME server was given");
		goto out;
	}
	/* The server first: one that cannot be reached costs no key. */
	if ((rc = p11c_acme_client_open(db, &conn, conn.server, &c)) ||
	    !p11c_acme_dir_url(&c, "newAccount", 1)) {
		rc = rc ? rc : P11C_EFAIL;
		goto out;
	}
	if ((rc = p11c_slot_for_token(db, opts ? opts->token : NULL, &slot)) ||
	    (rc = p11c_login(db, slot)))
		goto out;
	if ((rc = p11c_pending_begin(db, "acme-register")))
		goto out;
	begun = 1;
	p11c_log(db, "making the ACME account key (%s) on token '%s'", key_type,
	         PK11_GetTokenName(slot));
	if ((rc = p11c_keygen(db, slot, &spec, 0, "acme-account", &priv, &pub)))
		goto out;
	c.key = priv;
	c.pub = pub;
	if ((rc = account_payload(db, &c, opts, &payload)))
		goto out;
	p11c_acme_reply rep;
	if ((rc = p11c_acme_post(&c, p11c_acme_dir_url(&c, "newAccount", 1), payload, 1, NULL,
	                         &rep)))
		goto out;
	const char *url = rep.r.location;
	if (!url || !*url)
		rc = p11c_fail(db, P11C_EFAIL, "the ACME server gave no account URL");
	else if (!(rc = account_record(db, st, conn.server, url, slot, priv, pub, key_type)) &&
	         !(rc = p11c_pending_commit(db, NULL, NULL)) &&
	         !(rc = p11c_acme_state_save(db, st))) {
		p11c_log(db, "ACME account %s registered", url);
		if (account_url && !(*account_url = strdup(url)))
			rc = p11c_fail(db, P11C_EFAIL, "out of memory");
	}
	p11c_acme_reply_free(&rep);
out:
	p11c_keypair_release(rc, &priv, &pub);
	if (begun)
		rc = p11c_pending_end(db, rc);
	if (rc && account_url) {
		free(*account_url);
		*account_url = NULL;
	}
	p11c_acme_client_close(&c);
	free(payload);
	if (slot)
		PK11_FreeSlot(slot);
	json_decref(st);
	return rc;
}
