/* SPDX-License-Identifier: MPL-2.0 */
/* add-selfsign-cert: a new key pair and its self-signed certificate. */
#include <cert.h>
#include <pk11pub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"

/* The SAN list of opts, plus fields.cn when it looks like a host name. */
int p11c_collect_sans(p11c_db *db, const p11c_selfsign_opts *opts, p11c_san **san, size_t *n)
{
	char err[256];
	int rc = p11c_san_parse(opts->san ? opts->san : "", san, n, err, sizeof(err));
	if (rc)
		return p11c_fail_field(db, rc, "san", "invalid subject alternative name: %s", err);
	const char *cn = opts->fields && !opts->subject ? opts->fields->cn : NULL;
	if (!cn || !p11c_looks_like_hostname(cn))
		return P11C_OK;
	for (size_t i = 0; i < *n; i++)
		if ((*san)[i].type == P11C_SAN_DNS && !strcasecmp((*san)[i].text, cn))
			return P11C_OK;
	if (!P11C_VEC_RESERVE(*san, *n, 1))
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	p11c_san *more = *san;
	memmove(more + 1, more, *n * sizeof(*more));
	memset(more, 0, sizeof(*more));
	more->type = P11C_SAN_DNS;
	more->text = strdup(cn);
	(*n)++;
	return more->text ? P11C_OK : p11c_fail(db, P11C_EFAIL, "out of memory");
}

int p11c_subject_name(p11c_db *db, const char *subject, const p11c_dn_fields *fields,
                      CERTName **out)
{
	char *dn = NULL;
	*out = NULL;
	if (!subject) {
		if (fields && fields->size < P11C_DN_FIELDS_V1)
			return p11c_fail_field(
			    db, P11C_EUSAGE, "subject",
			    "opts->fields->size is %zu, less than the %zu bytes of the "
			    "first version (set it with P11C_DN_FIELDS_INIT)",
			    fields->size, (size_t)P11C_DN_FIELDS_V1);
		if (!fields || !fields->cn || !*fields->cn)
			return p11c_fail_field(db, P11C_EUSAGE, "subject", "a subject is needed");
		if (!p11c_country_ok(fields->c))
			return p11c_fail_field(db, P11C_EUSAGE, "country",
			                       "the country must be a two-letter code, not '%s'",
			                       fields->c);
		if (p11c_dn_format(fields, &dn))
			return p11c_fail(db, P11C_EFAIL, "out of memory");
		subject = dn;
	}
	*out = CERT_AsciiToName(subject);
	int rc = *out ? P11C_OK
	              : p11c_fail(db, P11C_EUSAGE,
	                          "invalid subject '%s' (RFC 4514, e.g. "
	                          "'CN=mail.example.com,O=Example')",
	                          subject);
	if (rc == P11C_OK && (rc = p11c_name_check(db, P11C_EUSAGE, "the subject", *out))) {
		CERT_DestroyName(*out);
		*out = NULL;
	}
	free(dn);
	return rc;
}

int p11c_cert_selfsign(p11c_db *db, const char *alias, const p11c_selfsign_opts *opts)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(alias), P11C_PTR(opts),
	          P11C_OPTS_SIZE(opts, P11C_SELFSIGN_OPTS_V1), P11C_FIELD_OPTNAME(opts, token),
	          P11C_FIELD_FLAGS(opts, flags, P11C_SELFSIGN_CA | P11C_SELFSIGN_EXTRACTABLE));
	char err[256];
	p11c_key_spec spec;
	p11c_san *san = NULL;
	size_t n_san = 0;
	CERTName *name = NULL;
	PK11SlotInfo *slot = NULL;
	SECKEYPrivateKey *priv = NULL;
	SECKEYPublicKey *pub = NULL;
	SECItem *der = NULL;
	CERTCertificate *cert = NULL;
	int rc = p11c_require_open(db, 1);
	if (rc)
		return rc;
	if (!opts)
		return p11c_fail_field(db, P11C_EUSAGE, "subject", "a subject is needed");
	if ((rc = p11c_key_type_parse(opts->key_type, &spec, err, sizeof(err))))
		return p11c_fail(db, rc, "%s", err);
	if (opts->days < 1 || opts->days > 36500)
		return p11c_fail_field(db, P11C_EUSAGE, "days",
		                       "a validity of %d days is out of range (1 to 36500)",
		                       opts->days);
	if ((rc = p11c_collect_sans(db, opts, &san, &n_san)) ||
	    (rc = p11c_subject_name(db, opts->subject, opts->fields, &name)) ||
	    (rc = p11c_slot_for_token(db, opts->token, &slot)) || (rc = p11c_login(db, slot)))
		goto out;
	if (!p11c_is_own_slot(db, slot) && (rc = p11c_login(db, db->slot)))
		goto out;
	p11c_log(db, "making a %s key for '%s' on token '%s' (module '%s', slot '%s')",
	         opts->key_type ? opts->key_type : "rsa:2048", alias, PK11_GetTokenName(slot),
	         PK11_GetModule(slot)->commonName, PK11_GetSlotName(slot));
	if ((rc = p11c_alias_check_new(db, slot, alias)) ||
	    (rc = p11c_pending_begin(db, "add-selfsign-cert")) ||
	    (rc = p11c_keygen(db, slot, &spec, (opts->flags & P11C_SELFSIGN_EXTRACTABLE) != 0,
	                      alias, &priv, &pub)))
		goto out;
	p11c_cert_template t = {
	    .subject = name,
	    .issuer = name,
	    .pub = pub,
	    .signer = priv,
	    .signer_pub = pub,
	    .days = opts->days,
	    .san = san,
	    .n_san = n_san,
	    .ca = (opts->flags & P11C_SELFSIGN_CA) != 0,
	    .usage = P11C_EKU_SERVER_AUTH | P11C_EKU_CLIENT_AUTH,
	};
	if ((rc = p11c_cert_build(db, &t, &der)))
		goto out;
	cert = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), der, NULL, PR_FALSE, PR_TRUE);
	if (!cert) {
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot decode the new certificate");
		goto out;
	}
	if (!(rc = p11c_store_cert(db, slot, cert, alias,
	                           (opts->flags & P11C_SELFSIGN_CA) ? "CT,," : NULL)))
		rc = p11c_pending_commit(db, NULL, NULL);
out:
	p11c_keypair_release(rc, &priv, &pub);
	rc = p11c_pending_end(db, rc);
	if (cert)
		CERT_DestroyCertificate(cert);
	if (der)
		SECITEM_FreeItem(der, PR_TRUE);
	if (name)
		CERT_DestroyName(name);
	if (slot)
		PK11_FreeSlot(slot);
	p11c_san_free(san, n_san);
	return rc;
}
