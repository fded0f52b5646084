/* SPDX-License-Identifier: MPL-2.0 */
/* acme-issue and acme-renew: a key (new, or the stored certificate's), a
 * request from it, an order (acmeorder.c), the chain stored as the alias
 * (its CAs untrusted) through the record of multi-step writes, and the
 * alias recorded with what it was issued with.  Any failure leaves the
 * database as it was: the certificates stored by this call removed, the
 * new key removed. */
#include <cert.h>
#include <certdb.h>
#include <pk11pub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acmeint.h"
#include "acmesolve.h"

#define ISSUE_V1 (offsetof(p11c_acme_issue_opts, flags) + sizeof(unsigned))
#define ISSUE_FLAGS (P11C_ACME_NEW_KEY | P11C_ACME_EXTRACTABLE)

/* What an issue or renewal works with. */
typedef struct {
	p11c_db *db;
	p11c_acme_conn conn;
	p11c_acme_client c;
	json_t *st;
	SECKEYPrivateKey *acct_key;
	SECKEYPublicKey *acct_pub;
	const char **names; /* into names_json */
	size_t n;
	json_t *names_json;
} job;

static void job_free(job *j)
{
	p11c_acme_client_close(&j->c);
	if (j->acct_key)
		SECKEY_DestroyPrivateKey(j->acct_key);
	if (j->acct_pub)
		SECKEY_DestroyPublicKey(j->acct_pub);
	free(j->names);
	json_decref(j->names_json);
	json_decref(j->st);
}

/* The record, the account key and the server's directory. */
static int job_start(job *j, p11c_db *db, const p11c_acme_opts *acme)
{
	const char *url;
	memset(j, 0, sizeof(*j));
	j->db = db;
	int rc = p11c_acme_opts_read(db, acme, &j->conn);
	if (rc || (rc = p11c_require_open(db, 1)) || (rc = p11c_acme_state_load(db, &j->st)) ||
	    (rc = p11c_acme_account_key(db, j->st, &j->acct_key, &j->acct_pub, &url)))
		return rc;
	const char *server = p11c_acme_server_of(db, &j->conn, j->st);
	if (!server)
		return P11C_EUSAGE;
	if ((rc = p11c_acme_client_open(db, &j->conn, server, &j->c)))
		return rc;
	j->c.key = j->acct_key;
	j->c.pub = j->acct_pub;
	j->c.kid = p11c_acme_str(json_object_get(j->st, "account"), "url");
	return P11C_OK;
}

/* The order's names: name first, then san's dns: entries, once each. */
static int names_from(p11c_db *db, const char *name, const char *san, json_t **out)
{
	p11c_san *s = NULL;
	size_t n = 0;
	char err[256];
	json_t *a = json_array();
	int rc = P11C_OK;
	*out = NULL;
	if (!a || json_array_append_new(a, json_string(name)))
		return json_decref(a), p11c_fail(db, P11C_EFAIL, "out of memory");
	if (san && *san && (rc = p11c_san_parse(san, &s, &n, err, sizeof(err)))) {
		json_decref(a);
		return p11c_fail_field(db, rc, "san", "%s", err);
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i].type != P11C_SAN_DNS) {
			rc = p11c_fail_field(db, P11C_EUSAGE, "san",
			                     "ACME certificates name DNS names only, not '%s'",
			                     s[i].text);
			break;
		}
		size_t k;
		json_t *v;
		int dup = 0;
		json_array_foreach(a, k, v) dup |= !strcmp(json_string_value(v), s[i].text);
		if (!dup)
			json_array_append_new(a, json_string(s[i].text));
	}
	p11c_san_free(s, n);
	if (rc)
		json_decref(a);
	else
		*out = a;
	return rc;
}

static int job_names(job *j, json_t *names)
{
	j->names_json = names;
	j->n = json_array_size(names);
	j->names = calloc(j->n ? j->n : 1, sizeof(*j->names));
	if (!j->names)
		return p11c_fail(j->db, P11C_EFAIL, "out of memory");
	for (size_t i = 0; i < j->n; i++)
		j->names[i] = json_string_value(json_array_get(names, i));
	return P11C_OK;
}

/* The request for the job's names from the key pair. */
static int job_csr(job *j, SECKEYPrivateKey *priv, SECKEYPublicKey *pub, unsigned char **der,
                   size_t *len)
{
	p11c_san *san = calloc(j->n, sizeof(*san));
	char *cn = malloc(strlen(j->names[0]) + 4);
	CERTName *name = NULL;
	int rc = P11C_OK;
	if (!san || !cn) {
		rc = p11c_fail(j->db, P11C_EFAIL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < j->n; i++) {
		san[i].type = P11C_SAN_DNS;
		san[i].text = (char *)j->names[i];
	}
	sprintf(cn, "CN=%s", j->names[0]);
	if (!(name = CERT_AsciiToName(cn))) {
		rc = p11c_fail_nss(j->db, P11C_EUSAGE, "'%s' cannot be a certificate's CN",
		                   j->names[0]);
		goto out;
	}
	rc = p11c_request_der(j->db, name, san, j->n, priv, pub, der, len);
out:
	if (name)
		CERT_DestroyName(name);
	free(san);
	free(cn);
	return rc;
}

/* The renewal window ARI suggests for cert (0 when the server has no ARI
 * or does not answer: a warning, never a failure). */
static long long ari_renew_at(job *j, CERTCertificate *cert)
{
	const char *base = p11c_acme_dir_url(&j->c, "renewalInfo", 0);
	char *id = NULL, *url = NULL;
	long long at = 0;
	if (!base)
		return 0;
	if (p11c_acme_ari_certid(j->db, cert, &id) == P11C_OK &&
	    (url = malloc(strlen(base) + strlen(id) + 2))) {
		sprintf(url, "%s%s%s", base, base[strlen(base) - 1] == '/' ? "" : "/", id);
		p11c_acme_reply rep;
		if (p11c_acme_get(&j->c, url, &rep) == P11C_OK) {
			at = p11c_acme_time_parse(
			    p11c_acme_str(json_object_get(rep.json, "suggestedWindow"), "start"));
			p11c_acme_reply_free(&rep);
		}
	}
	if (at <= 0) {
		p11c_warn(j->db, "no ACME renewal information for the new certificate");
		at = 0;
	}
	free(id);
	free(url);
	return at;
}

/* The alias's entry of the record, as issued with o. */
static json_t *cert_entry(job *j, const p11c_acme_issue_opts *o, const char *key_type,
                          const char *token, long long renew_at)
{
	json_t *e =
	    json_pack("{s:O,s:s,s:s,s:s,s:I,s:b}", "names", j->names_json, "key_type", key_type,
	              "token", token, "method", p11c_acme_method_name(o->method), "renew_at",
	              (json_int_t)renew_at, "extractable", (o->flags & P11C_ACME_EXTRACTABLE) != 0);
	if (!e)
		return NULL;
	if (o->http01_port)
		json_object_set_new(e, "http01_port", json_integer(o->http01_port));
	if (o->http01_address)
		json_object_set_new(e, "http01_address", json_string(o->http01_address));
	if (o->webroot)
		json_object_set_new(e, "webroot", json_string(o->webroot));
	if (o->dns_hook)
		json_object_set_new(e, "dns_hook", json_string(o->dns_hook));
	if (o->dns_server)
		json_object_set_new(e, "dns_server", json_string(o->dns_server));
	return e;
}

/* The chain of PEM text, its first certificate for pub. */
static int chain_load(job *j, const char *pem, size_t len, SECKEYPublicKey *pub, p11c_batch *b)
{
	int rc = p11c_batch_from_buf(j->db, "the ACME server's certificate",
	                             (const unsigned char *)pem, len, b);
	if (rc)
		return rc;
	SECKEYPublicKey *got = CERT_ExtractPublicKey(b->certs[0]);
	SECItem *a = got ? PK11_MakeIDFromPubKey(got->keyType == ecKey ? &got->u.ec.publicValue
	                                                               : &got->u.rsa.modulus)
	                 : NULL;
	SECItem *w = PK11_MakeIDFromPubKey(pub->keyType == ecKey ? &pub->u.ec.publicValue
	                                                         : &pub->u.rsa.modulus);
	if (!a || !w || !SECITEM_ItemsAreEqual(a, w))
		rc = p11c_fail(j->db, P11C_EFAIL,
		               "the ACME server's certificate is not for the key of the request");
	if (a)
		SECITEM_FreeItem(a, PR_TRUE);
	if (w)
		SECITEM_FreeItem(w, PR_TRUE);
	if (got)
		SECKEY_DestroyPublicKey(got);
	if (rc)
		p11c_batch_free(b, 0);
	return rc;
}

int p11c_acme_issue(p11c_db *db, const p11c_acme_opts *acme, const char *alias,
                    const p11c_acme_issue_opts *opts)
{
	P11C_ARGS(db, P11C_DB(db), P11C_ACME_OPTS_ARGS(acme), P11C_NAME(alias), P11C_PTR(opts),
	          P11C_OPTS_SIZE(opts, ISSUE_V1), P11C_FIELD_NAME(opts, name),
	          P11C_FIELD_OPTNAME(opts, san), P11C_FIELD_OPTNAME(opts, key_type),
	          P11C_FIELD_OPTNAME(opts, token), P11C_FIELD_RANGE(opts, method, 0, 3),
	          P11C_FIELD_RANGE(opts, http01_port, 0, 65535),
	          P11C_FIELD_FLAGS(opts, flags, ISSUE_FLAGS));
	job j;
	p11c_acme_answerer *ans = NULL;
	PK11SlotInfo *slot = NULL;
	SECKEYPrivateKey *priv = NULL;
	SECKEYPublicKey *pub = NULL;
	unsigned char *csr = NULL;
	char *chain = NULL, *qualified = NULL, err[256];
	size_t csr_len = 0, chain_len = 0;
	p11c_batch b = {0};
	json_t *names = NULL;
	int begun = 0, rc;
	p11c_key_spec spec;
	const char *key_type = opts->key_type ? opts->key_type : "ec:p256";
	if ((rc = job_start(&j, db, acme)))
		goto out;
	if ((rc = p11c_key_type_parse(key_type, &spec, err, sizeof(err)))) {
		rc = p11c_fail_field(db, rc, "key_type", "%s", err);
		goto out;
	}
	if ((rc = names_from(db, opts->name, opts->san, &names)) || (rc = job_names(&j, names)))
		goto out;
	if ((rc = p11c_slot_for_token(db, opts->token, &slot)) || (rc = p11c_login(db, slot)))
		goto out;
	/* Recorded as the alias is named afterwards: "TOKEN:alias" on a token. */
	if (!(qualified = p11c_qualified(db, slot, alias))) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	if (json_object_get(p11c_acme_state_certs(j.st), qualified)) {
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_EXISTS, "'%s' is already ACME-managed",
		                 qualified);
		goto out;
	}
	if ((rc = p11c_alias_check_new(db, slot, alias)) ||
	    (rc = p11c_key_name_check_new(db, slot, alias)))
		goto out;
	/* The answerer before the key: a port in use costs nothing. */
	if ((rc = p11c_acme_answerer_open(db, opts, &ans)))
		goto out;
	if ((rc = p11c_pending_begin(db, "acme-issue")))
		goto out;
	begun = 1;
	p11c_log(db, "making a %s key for '%s' on token '%s'", key_type, alias,
	         PK11_GetTokenName(slot));
	if ((rc = p11c_keygen(db, slot, &spec, (opts->flags & P11C_ACME_EXTRACTABLE) != 0, alias,
	                      &priv, &pub)) ||
	    (rc = job_csr(&j, priv, pub, &csr, &csr_len)) ||
	    (rc = p11c_acme_order(&j.c, ans, j.names, j.n, NULL, csr, csr_len, &chain, &chain_len)))
		goto out;
	p11c_acme_answerer_close(ans);
	ans = NULL;
	if ((rc = chain_load(&j, chain, chain_len, pub, &b)) ||
	    (rc = p11c_store_rest(db, &b, 0, NULL)) ||
	    (rc = p11c_store_cert(db, slot, b.certs[0], alias, NULL)))
		goto out;
	b.stored[0] = 1;
	const char *token = p11c_is_own_slot(db, slot) ? "internal" : PK11_GetTokenName(slot);
	json_t *e = cert_entry(&j, opts, key_type, token, ari_renew_at(&j, b.certs[0]));
	if (!e || json_object_set_new(p11c_acme_state_certs(j.st), qualified, e)) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	if ((rc = p11c_pending_commit(db, NULL, NULL)) || (rc = p11c_acme_state_save(db, j.st)))
		goto out;
	p11c_log(db, "'%s' issued by the ACME server and stored", qualified);
out:
	free(qualified);
	p11c_acme_answerer_close(ans);
	p11c_batch_free(&b, rc != P11C_OK);
	p11c_keypair_release(rc, &priv, &pub);
	if (begun)
		rc = p11c_pending_end(db, rc);
	if (slot)
		PK11_FreeSlot(slot);
	free(csr);
	free(chain);
	job_free(&j);
	return rc;
}

/* A recorded string, or def. */
static const char *rec(const json_t *e, const char *key, const char *def)
{
	const char *v = p11c_acme_str(e, key);
	return v ? v : def;
}

/* The options a renewal answers with: opts's method when it sets its
 * parameter, else the recorded one. */
static int renew_opts(p11c_db *db, const json_t *e, const p11c_acme_issue_opts *in,
                      p11c_acme_issue_opts *o)
{
	p11c_acme_issue_opts def = P11C_ACME_ISSUE_OPTS_INIT;
	*o = def;
	o->method = p11c_acme_method_of(p11c_acme_str(e, "method"), P11C_ACME_HTTP01_PORT);
	o->http01_port = (int)json_integer_value(json_object_get(e, "http01_port"));
	o->http01_address = rec(e, "http01_address", NULL);
	o->webroot = rec(e, "webroot", NULL);
	o->dns_hook = rec(e, "dns_hook", NULL);
	o->dns_server = rec(e, "dns_server", NULL);
	if (json_is_true(json_object_get(e, "extractable")))
		o->flags |= P11C_ACME_EXTRACTABLE;
	if (in) {
		int given = 0;
		switch (P11C_OPT(in, method, P11C_ACME_HTTP01_PORT)) {
		case P11C_ACME_HTTP01_PORT:
			given = P11C_OPT(in, http01_port, 0) != 0 ||
			        P11C_OPT(in, http01_address, NULL) != NULL;
			break;
		case P11C_ACME_WEBROOT:
			given = P11C_OPT(in, webroot, NULL) != NULL;
			break;
		case P11C_ACME_DNS_HOOK:
			given = P11C_OPT(in, dns_hook, NULL) != NULL;
			break;
		case P11C_ACME_CALLBACK:
			given = P11C_OPT(in, solver, NULL) != NULL;
			break;
		}
		if (given) {
			o->method = in->method;
			o->http01_port = P11C_OPT(in, http01_port, 0);
			o->http01_address = P11C_OPT(in, http01_address, NULL);
			o->webroot = P11C_OPT(in, webroot, NULL);
			o->dns_hook = P11C_OPT(in, dns_hook, NULL);
			o->solver = P11C_OPT(in, solver, NULL);
		}
		/* A solver cannot be recorded: the caller's serves a callback one. */
		if (!given && o->method == P11C_ACME_CALLBACK)
			o->solver = P11C_OPT(in, solver, NULL);
		if (P11C_OPT(in, dns_server, NULL))
			o->dns_server = in->dns_server;
		o->flags |= P11C_OPT(in, flags, 0u) & P11C_ACME_NEW_KEY;
		o->key_type = P11C_OPT(in, key_type, NULL);
	}
	if (o->method == P11C_ACME_CALLBACK && !o->solver)
		return p11c_fail_field(db, P11C_EUSAGE, "solver",
		                       "the certificate was issued through a caller's solver: "
		                       "a renewal needs one too");
	return P11C_OK;
}

/* The failure of a renewal into the record (best effort: the failure
 * itself is what the caller hears of). */
static void record_failure(p11c_db *db, json_t *st, const char *alias)
{
	json_t *e = json_object_get(p11c_acme_state_certs(st), alias);
	if (!e)
		return;
	p11c_err_saved saved;
	char msg[sizeof(db->err)];
	snprintf(msg, sizeof(msg), "%s", db->err);
	p11c_err_save(db, &saved);
	json_object_set_new(e, "failure", json_string(msg));
	json_object_set_new(e, "failure_time", json_integer((json_int_t)time(NULL)));
	if (p11c_acme_state_save(db, st) != P11C_OK)
		p11c_warn(db, "cannot record the failed renewal of '%s': %s", alias, db->err);
	snprintf(db->err, sizeof(db->err), "%s", msg);
	p11c_err_restore(db, &saved);
}

/* The renewal proper, on the started job j. */
static int renew(job *j, const char *alias, const json_t *e, const p11c_acme_issue_opts *o)
{
	p11c_db *db = j->db;
	p11c_acme_answerer *ans = NULL;
	CERTCertificate *old = NULL;
	SECKEYPrivateKey *key = NULL, *priv = NULL;
	SECKEYPublicKey *pub = NULL, *newpub = NULL;
	unsigned char *csr = NULL;
	char *chain = NULL, *replaces = NULL, err[256];
	size_t csr_len = 0, chain_len = 0;
	p11c_batch b = {0};
	int new_key = (o->flags & P11C_ACME_NEW_KEY) != 0, begun = 0;
	const char *key_type = o->key_type ? o->key_type : rec(e, "key_type", "ec:p256");
	p11c_key_spec spec;
	int rc = p11c_cert_open(db, alias, 1, &old);
	if (rc)
		return rc;
	if ((rc = job_names(j, json_incref(json_object_get(e, "names")))))
		goto out;
	if (!(key = p11c_key_for_cert(db, old))) {
		rc = p11c_fail(db, P11C_ENOTFOUND, "no private key for '%s'", alias);
		goto out;
	}
	if ((rc = p11c_login(db, key->pkcs11Slot)) || (rc = p11c_acme_answerer_open(db, o, &ans)))
		goto out;
	/* The certificate replaced, when the server keeps renewal information. */
	if (p11c_acme_dir_url(&j->c, "renewalInfo", 0) &&
	    p11c_acme_ari_certid(db, old, &replaces) != P11C_OK)
		replaces = NULL;
	if ((rc = p11c_pending_begin(db, "acme-renew")))
		goto out;
	begun = 1;
	if (new_key) {
		if ((rc = p11c_key_type_parse(key_type, &spec, err, sizeof(err)))) {
			rc = p11c_fail_field(db, rc, "key_type", "%s", err);
			goto out;
		}
		/* The key's name on its token: the alias without "TOKEN:". */
		const char *label = PK11_GetTokenName(key->pkcs11Slot);
		size_t ln = strlen(label);
		const char *bare =
		    !strncmp(alias, label, ln) && alias[ln] == ':' ? alias + ln + 1 : alias;
		if ((rc = p11c_keygen(db, key->pkcs11Slot, &spec,
		                      p11c_key_extractable(key) == 1 &&
		                          !PK11_IsInternal(key->pkcs11Slot),
		                      bare, &priv, &newpub)))
			goto out;
	} else if (!(pub = CERT_ExtractPublicKey(old))) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot read the key of '%s'", alias);
		goto out;
	}
	if ((rc = job_csr(j, new_key ? priv : key, new_key ? newpub : pub, &csr, &csr_len)) ||
	    (rc = p11c_acme_order(&j->c, ans, j->names, j->n, replaces, csr, csr_len, &chain,
	                          &chain_len)))
		goto out;
	p11c_acme_answerer_close(ans);
	ans = NULL;
	if ((rc = chain_load(j, chain, chain_len, new_key ? newpub : pub, &b)) ||
	    (rc = p11c_store_rest(db, &b, 0, NULL)) ||
	    (rc = p11c_cert_replace(db, old, b.certs[0], new_key ? key : NULL)))
		goto out;
	/* The new certificate holds the alias: what follows cannot undo it. */
	if (new_key) {
		SECKEY_DestroyPrivateKey(priv);
		priv = NULL;
		if (p11c_key_delete(key) != 0)
			p11c_warn(db, "renewed '%s' but cannot remove the old key", alias);
		key = NULL;
	}
	json_t *ent = json_object_get(p11c_acme_state_certs(j->st), alias);
	json_object_del(ent, "failure");
	json_object_del(ent, "failure_time");
	json_object_set_new(ent, "renew_at", json_integer(ari_renew_at(j, b.certs[0])));
	if (o->key_type)
		json_object_set_new(ent, "key_type", json_string(o->key_type));
	if ((rc = p11c_acme_state_save(db, j->st)))
		p11c_warn(db, "renewed '%s' but cannot update the ACME record: %s", alias, db->err);
	rc = P11C_OK;
	p11c_log(db, "'%s' renewed by the ACME server", alias);
out:
	p11c_acme_answerer_close(ans);
	p11c_batch_free(&b, rc != P11C_OK);
	p11c_keypair_release(rc, &priv, &newpub);
	if (begun)
		rc = p11c_pending_end(db, rc);
	if (key)
		SECKEY_DestroyPrivateKey(key);
	if (pub)
		SECKEY_DestroyPublicKey(pub);
	CERT_DestroyCertificate(old);
	free(csr);
	free(chain);
	free(replaces);
	return rc;
}

int p11c_acme_renew(p11c_db *db, const p11c_acme_opts *acme, const char *alias,
                    const p11c_acme_issue_opts *opts)
{
	P11C_ARGS(db, P11C_DB(db), P11C_ACME_OPTS_ARGS(acme), P11C_NAME(alias),
	          P11C_OPTS_SIZE(opts, ISSUE_V1), P11C_FIELD_OPTNAME(opts, key_type),
	          P11C_FIELD_RANGE(opts, method, 0, 3),
	          P11C_FIELD_RANGE(opts, http01_port, 0, 65535),
	          P11C_FIELD_FLAGS(opts, flags, ISSUE_FLAGS));
	job j;
	p11c_acme_issue_opts o;
	int rc = p11c_require_open(db, 1);
	memset(&j, 0, sizeof(j));
	if (rc || (rc = p11c_acme_state_load(db, &j.st)))
		goto out;
	const json_t *e = json_object_get(p11c_acme_state_certs(j.st), alias);
	if (!e) {
		rc = p11c_fail_c(db, P11C_ENOTFOUND, P11C_ERR_NOTFOUND,
		                 "'%s' is not an ACME-managed certificate", alias);
		goto out;
	}
	if ((rc = renew_opts(db, e, opts, &o)))
		goto out;
	json_decref(j.st);
	j.st = NULL;
	if (!(rc = job_start(&j, db, acme))) {
		e = json_object_get(p11c_acme_state_certs(j.st), alias);
		if ((rc = renew_opts(db, e, opts, &o)) == P11C_OK)
			rc = renew(&j, alias, e, &o);
	}
	if (rc && j.st)
		record_failure(db, j.st, alias);
out:
	job_free(&j);
	return rc;
}
