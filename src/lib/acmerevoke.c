/* SPDX-License-Identifier: MPL-2.0 */
/* acme-revoke: revokeCert signed with the account key (kid), with an RFC
 * 5280 reason; the certificate stays in the database and its record says
 * it is revoked. */
#include <cert.h>
#include <stdlib.h>
#include <string.h>

#include "acmeint.h"

int p11c_acme_revoke(p11c_db *db, const p11c_acme_opts *acme, const char *alias,
                     p11c_revoke_reason reason)
{
	P11C_ARGS(db, P11C_DB(db), P11C_ACME_OPTS_ARGS(acme), P11C_NAME(alias),
	          P11C_RANGE(reason, 0, 5));
	p11c_acme_conn conn;
	p11c_acme_client c;
	json_t *st = NULL, *payload = NULL;
	SECKEYPrivateKey *key = NULL;
	SECKEYPublicKey *pub = NULL;
	CERTCertificate *cert = NULL;
	char *der64 = NULL, *text = NULL;
	const char *url;
	memset(&c, 0, sizeof(c));
	if (reason == 2)
		return p11c_args_fail(db, __func__,
		                      "reason 2 (cACompromise) is not one to ask for");
	int rc = p11c_acme_opts_read(db, acme, &conn);
	if (rc || (rc = p11c_require_open(db, 1)) || (rc = p11c_acme_state_load(db, &st)) ||
	    (rc = p11c_cert_open(db, alias, 1, &cert)) ||
	    (rc = p11c_acme_account_key(db, st, &key, &pub, &url)))
		goto out;
	const char *server = p11c_acme_server_of(db, &conn, st);
	if (!server) {
		rc = P11C_EUSAGE;
		goto out;
	}
	if ((rc = p11c_acme_client_open(db, &conn, server, &c)))
		goto out;
	c.key = key;
	c.pub = pub;
	c.kid = url;
	const char *revoke = p11c_acme_dir_url(&c, "revokeCert", 1);
	if (!revoke) {
		rc = P11C_EFAIL;
		goto out;
	}
	if (!(der64 = p11c_b64url(cert->derCert.data, cert->derCert.len)) ||
	    !(payload = json_pack("{s:s,s:i}", "certificate", der64, "reason", (int)reason)) ||
	    !(text = json_dumps(payload, JSON_COMPACT))) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	p11c_acme_reply rep;
	if ((rc = p11c_acme_post(&c, revoke, text, 0, NULL, &rep)))
		goto out;
	p11c_acme_reply_free(&rep);
	p11c_log(db, "'%s' revoked by the ACME server (%s)", alias,
	         p11c_revoke_reason_name(reason));
	json_t *e = json_object_get(p11c_acme_state_certs(st), alias);
	if (e) {
		json_object_set_new(e, "revoked", json_true());
		if (p11c_acme_state_save(db, st) != P11C_OK)
			p11c_warn(db, "revoked '%s' but cannot record it: %s", alias, db->err);
	}
out:
	p11c_acme_client_close(&c);
	if (key)
		SECKEY_DestroyPrivateKey(key);
	if (pub)
		SECKEY_DestroyPublicKey(pub);
	if (cert)
		CERT_DestroyCertificate(cert);
	json_decref(st);
	json_decref(payload);
	free(der64);
	free(text);
	return rc;
}
