/* SPDX-License-Identifier: MPL-2.0 */
/* revoke-cert: the site CA's record of the certificates it took back,
 * DIR/p11cert-ca.json (0644, no secret), one entry a CA keyed by the
 * SHA-256 of its certificate. */
#include <cert.h>
#include <cryptohi.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "args.h"
#include "caint.h"

#define RECORD_MAX (16u << 20)
#define SERIAL_MAX 20 /* octets, RFC 5280 4.1.2.2 */

static const struct {
	const char *name;
	int code;
} reasons[] = {
    {"unspecified", 0},        {"keyCompromise", 1}, {"cACompromise", 2},
    {"affiliationChanged", 3}, {"superseded", 4},    {"cessationOfOperation", 5},
    {"certificateHold", 6},    {"removeFromCRL", 8}, {"privilegeWithdrawn", 9},
    {"aACompromise", 10},
};

int p11c_ca_reason_code(const char *name)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (!strcasecmp(name, reasons[i].name))
			return reasons[i].code;
	return -1;
}

static char *record_path(p11c_db *db)
{
	char *p = malloc(strlen(db->dir) + sizeof(P11C_CA_RECORD_NAME) + 2);
	if (p)
		sprintf(p, "%s/%s", db->dir, P11C_CA_RECORD_NAME);
	return p;
}

static const char *malformed(json_t *rec)
{
	json_t *cas = json_object_get(rec, "cas");
	if (!json_is_object(rec) || (cas && !json_is_object(cas)))
		return "\"cas\" is not an object";
	const char *k;
	json_t *e;
	json_object_foreach(cas, k, e)
	{
		json_t *r = json_object_get(e, "revoked");
		if (!json_is_object(e) || !json_is_array(r))
			return "a CA's entry lacks its \"revoked\" list";
		size_t i;
		json_t *x;
		json_array_foreach(r, i, x)
		{
			const char *s = json_string_value(json_object_get(x, "serial"));
			const char *rs = json_string_value(json_object_get(x, "reason"));
			if (!s || !*s || strlen(s) > 2 * SERIAL_MAX ||
			    strspn(s, "0123456789abcdef") != strlen(s) ||
			    !json_is_integer(json_object_get(x, "date")) || !rs ||
			    p11c_ca_reason_code(rs) < 0)
				return "a revocation lacks its serial, date or reason";
		}
	}
	return NULL;
}

int p11c_ca_record_load(p11c_db *db, json_t **out)
{
	*out = NULL;
	char *path = record_path(db);
	if (!path)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	struct stat sb;
	int rc = P11C_OK;
	if (lstat(path, &sb) != 0 && errno == ENOENT) {
		if (!(*out = json_pack("{s:{}}", "cas")))
			rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		free(path);
		return rc;
	}
	unsigned char *buf = NULL;
	size_t len = 0;
	p11c_read_opts ro = {.max = RECORD_MAX, .flags = P11C_READ_NOFOLLOW, .what = "CA record"};
	if ((rc = p11c_file_read_with(db, path, &ro, &buf, &len)) == P11C_OK) {
		json_error_t je;
		json_t *rec = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je);
		const char *why = rec ? malformed(rec) : je.text;
		if (why) {
			json_decref(rec);
			rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
			                 "the CA record '%s' is malformed (%s): mend or remove it",
			                 path, why);
		} else {
			*out = rec;
		}
	}
	free(buf);
	free(path);
	return rc;
}

int p11c_ca_record_save(p11c_db *db, json_t *rec)
{
	char *path = record_path(db);
	char *text = json_dumps(rec, JSON_INDENT(2) | JSON_SORT_KEYS);
	int rc = !path || !text ? p11c_fail(db, P11C_EFAIL, "out of memory")
	                        : p11c_file_write(db, path, text, strlen(text), 0644);
	free(path);
	free(text);
	return rc;
}

json_t *p11c_ca_record_entry(json_t *rec, CERTCertificate *ca, const char *alias)
{
	unsigned char d[32];
	if (PK11_HashBuf(SEC_OID_SHA256, d, ca->derCert.data, (PRInt32)ca->derCert.len) !=
	    SECSuccess)
		return NULL;
	char *key = p11c_hex(d, sizeof(d), 0);
	json_t *cas = json_object_get(rec, "cas");
	if (!cas && (cas = json_object()) && json_object_set_new(rec, "cas", cas))
		cas = NULL;
	json_t *e = key && cas ? json_object_get(cas, key) : NULL;
	if (key && cas && !e) {
		e = json_pack("{s:s,s:I,s:[]}", "alias", alias, "crl_number", (json_int_t)0,
		              "revoked");
		if (e && json_object_set_new(cas, key, e))
			e = NULL;
	}
	free(key);
	return e;
}

int p11c_ca_open(p11c_db *db, const char *ca_alias, unsigned ku, CERTCertificate **ca,
                 SECKEYPrivateKey **key)
{
	CERTBasicConstraints bc = {PR_FALSE, 0};
	SECItem ext = {siBuffer, NULL, 0};
	*ca = NULL;
	int rc = p11c_cert_open(db, ca_alias, 1, ca);
	if (rc)
		return rc;
	if (CERT_FindCertExtension(*ca, SEC_OID_X509_BASIC_CONSTRAINTS, &ext) == SECSuccess) {
		if (CERT_DecodeBasicConstraintValue(&bc, &ext) != SECSuccess)
			bc.isCA = PR_FALSE;
		SECITEM_FreeItem(&ext, PR_FALSE);
	}
	if (!bc.isCA)
		rc = p11c_fail_cf(db, P11C_EFAIL, P11C_ERR_INPUT, "ca",
		                  "'%s' is not a CA certificate (no basicConstraints CA:true)",
		                  ca_alias);
	else if (CERT_CheckCertUsage(*ca, ku) != SECSuccess)
		rc = p11c_fail(db, P11C_EFAIL, "the key usage of CA '%s' does not allow %s",
		               ca_alias,
		               ku == KU_CRL_SIGN ? "signing CRLs" : "signing certificates");
	else if (key && !(*key = p11c_key_for_cert(db, *ca)))
		rc = p11c_fail(db, P11C_ENOTFOUND, "the private key of CA '%s' is not here",
		               ca_alias);
	if (rc) {
		CERT_DestroyCertificate(*ca);
		*ca = NULL;
	}
	return rc;
}

/* A serial as lower-case hex without colons or leading zero octets, the
 * form the record keeps; NULL when text is no hex serial. */
static char *serial_of_text(const char *text)
{
	unsigned char b[SERIAL_MAX + 1];
	char hexs[2 * (SERIAL_MAX + 1) + 2];
	size_t n = 0, digits = 0;
	for (const char *p = text; *p; p++) {
		if (*p == ':' && p != text && p[1] && p[1] != ':')
			continue;
		if (!isxdigit((unsigned char)*p) || digits >= 2 * (SERIAL_MAX + 1))
			return NULL;
		hexs[1 + digits++] = (char)tolower((unsigned char)*p);
	}
	if (digits == 0)
		return NULL;
	hexs[0] = '0'; /* an odd count: a leading nibble */
	for (size_t i = digits % 2 ? 0 : 1; i < digits + 1; i += 2) {
		char t[3] = {hexs[i], hexs[i + 1], 0};
		b[n++] = (unsigned char)strtoul(t, NULL, 16);
	}
	size_t skip = 0;
	while (skip + 1 < n && b[skip] == 0)
		skip++;
	if (n - skip > SERIAL_MAX)
		return NULL;
	return p11c_hex(b + skip, n - skip, 0);
}

/* The serial of the certificate file at path, which ca must have signed. */
static int serial_of_file(p11c_db *db, const char *path, CERTCertificate *ca, const char *ca_alias,
                          char **serial)
{
	p11c_batch b;
	memset(&b, 0, sizeof(b));
	int rc = p11c_batch_load(db, path, &b);
	if (rc)
		return rc;
	CERTCertificate *c = b.certs[0];
	SECKEYPublicKey *pub = CERT_ExtractPublicKey(ca);
	if (!pub)
		rc = p11c_fail_nss(db, P11C_EFAIL, "cannot read the public key of CA '%s'",
		                   ca_alias);
	else if (CERT_CompareName(&c->issuer, &ca->subject) != SECEqual ||
	         CERT_VerifySignedDataWithPublicKey(&c->signatureWrap, pub, NULL) != SECSuccess)
		rc = p11c_fail_cf(db, P11C_EFAIL, P11C_ERR_INPUT, "cert",
		                  "the certificate in '%s' was not issued by CA '%s'", path,
		                  ca_alias);
	if (pub)
		SECKEY_DestroyPublicKey(pub);
	if (!rc) {
		const SECItem *sn = &c->serialNumber;
		size_t skip = 0;
		while (skip + 1 < sn->len && sn->data[skip] == 0)
			skip++;
		if (!(*serial = p11c_hex(sn->data + skip, sn->len - skip, 0)))
			rc = p11c_fail(db, P11C_EFAIL, "out of memory");
	}
	p11c_batch_free(&b, 0);
	return rc;
}

int p11c_ca_revoke(p11c_db *db, const char *ca_alias, const char *cert, const char *reason,
                   long long when, int *already)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(ca_alias), P11C_NAME(cert), P11C_OPTNAME(reason),
	          P11C_RANGE(when, 0, 253402300799LL), P11C_OPTOUT(already));
	CERTCertificate *ca = NULL;
	json_t *rec = NULL;
	char *serial = NULL;
	struct stat sb;
	if (already)
		*already = 0;
	int code = reason ? p11c_ca_reason_code(reason) : 0;
	if (code < 0)
		return p11c_fail_field(
		    db, P11C_EUSAGE, "reason",
		    "no revocation reason is named '%s' (unspecified, "
		    "keyCompromise, cACompromise, affiliationChanged, superseded, "
		    "cessationOfOperation, certificateHold, removeFromCRL, "
		    "privilegeWithdrawn, aACompromise)",
		    reason);
	int rc = p11c_require_open(db, 1);
	if (rc || (rc = p11c_ca_open(db, ca_alias, KU_KEY_CERT_SIGN, &ca, NULL)))
		goto out;
	if (stat(cert, &sb) == 0) {
		rc = serial_of_file(db, cert, ca, ca_alias, &serial);
	} else if (!(serial = serial_of_text(cert))) {
		rc = p11c_fail_cf(db, P11C_EFAIL, P11C_ERR_INPUT, "cert",
		                  "'%s' is neither a certificate file nor a hex serial number "
		                  "(at most %d octets)",
		                  cert, SERIAL_MAX);
	}
	if (rc || (rc = p11c_ca_record_load(db, &rec)))
		goto out;
	json_t *e = p11c_ca_record_entry(rec, ca, ca_alias);
	json_t *list = json_object_get(e, "revoked");
	if (!list) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x)
	{
		if (strcmp(json_string_value(json_object_get(x, "serial")), serial))
			continue;
		p11c_log(db, "serial %s was revoked by CA '%s' before (%s): left as it was", serial,
		         ca_alias, json_string_value(json_object_get(x, "reason")));
		if (already)
			*already = 1;
		goto out;
	}
	json_t *n =
	    json_pack("{s:s,s:I,s:s}", "serial", serial, "date",
	              (json_int_t)(when ? when : (long long)time(NULL)), "reason", reasons[0].name);
	for (size_t k = 0; n && k < sizeof(reasons) / sizeof(reasons[0]); k++)
		if (reasons[k].code == code)
			json_object_set_new(n, "reason", json_string(reasons[k].name));
	if (!n || json_array_append_new(list, n)) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	json_object_set_new(e, "alias", json_string(ca_alias));
	rc = p11c_ca_record_save(db, rec);
out:
	if (ca)
		CERT_DestroyCertificate(ca);
	json_decref(rec);
	free(serial);
	return rc;
}
