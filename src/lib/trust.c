/* SPDX-License-Identifier: MPL-2.0 */
/* Trust: the words of --trust and the roles they mean; export-trust, the
 * database's trust as a PEM bundle for OpenSSL-based daemons or a PKCS#12
 * truststore for Java. */
#include <cert.h>
#include <certdb.h>
#include <pk11pub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"
#include "ossl.h"

static int nss_trust_form(const char *t)
{
	int commas = 0;
	for (const char *p = t; *p; p++) {
		if (*p == ',')
			commas++;
		else if (!strchr("pPcCTuwkigD", *p))
			return 0;
	}
	return commas == 2;
}

int p11c_trust_parse(const char *text, char **nss_form)
{
	P11C_ARGS(NULL, P11C_NAME(text), P11C_OUT(nss_form));
	/* NSS trust letters for the SSL, email and object-signing fields. */
	char f[3][8] = {"", "", ""};
	*nss_form = NULL;
	if (!text || !*text)
		return P11C_EUSAGE;
	if (nss_trust_form(text)) {
		*nss_form = strdup(text);
		return *nss_form ? P11C_OK : P11C_EFAIL;
	}
	for (const char *p = text; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		int field = -1;
		const char *letter = "C";
		if (n == 9 && !strncmp(p, "server-ca", n)) {
			field = 0;
		} else if (n == 9 && !strncmp(p, "client-ca", n)) {
			field = 0;
			letter = "T";
		} else if (n == 8 && !strncmp(p, "email-ca", n)) {
			field = 1;
		} else if (n == 7 && !strncmp(p, "code-ca", n)) {
			field = 2;
		} else if (n == 4 && !strncmp(p, "peer", n)) {
			field = 0;
			letter = "P";
		}
		if (field < 0)
			return P11C_EUSAGE;
		if (!strstr(f[field], letter)) {
			/* keep NSS's letter order whatever the word order */
			char sorted[8] = "";
			size_t k = 0;
			for (const char *o = "PCT"; *o; o++)
				if (*o == *letter || strchr(f[field], *o))
					sorted[k++] = *o;
			memcpy(f[field], sorted, sizeof(sorted));
		}
		p = comma ? comma + 1 : NULL;
	}
	size_t len = strlen(f[0]) + strlen(f[1]) + strlen(f[2]) + 3;
	*nss_form = malloc(len);
	if (!*nss_form)
		return P11C_EFAIL;
	snprintf(*nss_form, len, "%s,%s,%s", f[0], f[1], f[2]);
	return P11C_OK;
}

static const char *const role_names[] = {"server-ca", "client-ca",  "email-ca", "code-ca",
                                         "peer",      "email-peer", "code-peer"};

const char *p11c_trust_role_name(p11c_trust_role role)
{
	for (size_t k = 0; k < sizeof(role_names) / sizeof(role_names[0]); k++)
		if ((unsigned)role == 1u << k)
			return role_names[k];
	return "unknown";
}

unsigned p11c_trust_roles_of(const CERTCertTrust *t)
{
	unsigned r = 0;
	if (t->sslFlags & CERTDB_TRUSTED_CA)
		r |= P11C_TRUST_SERVER_CA;
	if (t->sslFlags & CERTDB_TRUSTED_CLIENT_CA)
		r |= P11C_TRUST_CLIENT_CA;
	if (t->emailFlags & CERTDB_TRUSTED_CA)
		r |= P11C_TRUST_EMAIL_CA;
	if (t->objectSigningFlags & CERTDB_TRUSTED_CA)
		r |= P11C_TRUST_CODE_CA;
	if (t->sslFlags & CERTDB_TRUSTED)
		r |= P11C_TRUST_PEER;
	if (t->emailFlags & CERTDB_TRUSTED)
		r |= P11C_TRUST_EMAIL_PEER;
	if (t->objectSigningFlags & CERTDB_TRUSTED)
		r |= P11C_TRUST_CODE_PEER;
	return r;
}

typedef struct {
	CERTCertificate *cert;
	const char *alias;
} entry;

static int by_alias(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->alias, ((const entry *)b)->alias);
}

static int trusted_for_usage(const CERTCertTrust *t, p11c_usage usage)
{
	unsigned f = usage == P11C_USAGE_EMAIL ? t->emailFlags : t->sslFlags;
	unsigned ca = usage == P11C_USAGE_TLS_CLIENT ? CERTDB_TRUSTED_CLIENT_CA : CERTDB_TRUSTED_CA;
	return (f & (ca | CERTDB_TRUSTED)) != 0;
}

static int pem_bundle(p11c_db *db, const entry *e, size_t n, unsigned char **out, size_t *len)
{
	size_t used = 0;
	char *buf = NULL;
	for (size_t i = 0; i < n; i++) {
		char *pem =
		    p11c_pem_encode("CERTIFICATE", e[i].cert->derCert.data, e[i].cert->derCert.len);
		/* the comments escaped: a newline in a name must not add lines */
		char *dn = CERT_NameToAscii(&e[i].cert->subject);
		char *subject = p11c_safe_text(dn ? dn : "", dn ? strlen(dn) : 0);
		char *alias = p11c_safe_text(e[i].alias, strlen(e[i].alias));
		PORT_Free(dn);
		size_t need = (pem ? strlen(pem) : 0) + (alias ? strlen(alias) : 0) +
		              (subject ? strlen(subject) : 0) + 32;
		char *g = pem && subject && alias ? P11C_VEC_RESERVE(buf, used, need) : NULL;
		if (!g) {
			free(pem);
			free(subject);
			free(alias);
			free(buf);
			return p11c_fail(db, P11C_EFAIL, "out of memory");
		}
		used += (size_t)sprintf(g, "# %s\n# %s\n%s", alias, subject, pem);
		free(pem);
		free(subject);
		free(alias);
	}
	if (!buf && !(buf = calloc(1, 1)))
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	*out = (unsigned char *)buf;
	*len = used;
	return P11C_OK;
}

static int truststore(p11c_db *db, const entry *e, size_t n, const char *password,
                      unsigned char **out, size_t *len)
{
	const unsigned char **der = calloc(n ? n : 1, sizeof(*der));
	size_t *dlen = calloc(n ? n : 1, sizeof(*dlen));
	const char **names = calloc(n ? n : 1, sizeof(*names));
	char err[256] = "";
	int rc = P11C_OK;
	if (!der || !dlen || !names) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		der[i] = e[i].cert->derCert.data;
		dlen[i] = e[i].cert->derCert.len;
		names[i] = e[i].alias;
	}
	if (p11c_ossl_truststore(der, dlen, names, n, password, out, len, err, sizeof(err)))
		rc = p11c_fail(db, P11C_EFAIL, "%s", err[0] ? err : "out of memory");
out:
	free(der);
	free(dlen);
	free(names);
	return rc;
}

const char *p11c_trust_format_name(p11c_trust_format format)
{
	switch (format) {
	case P11C_TRUST_FORMAT_PEM:
		return "pem";
	case P11C_TRUST_FORMAT_PKCS12:
		return "pkcs12";
	}
	return "unknown";
}

int p11c_trust_export(p11c_db *db, p11c_usage usage, p11c_trust_format format, const char *password,
                      unsigned char **out, size_t *len, size_t *count)
{
	P11C_ARGS(db, P11C_DB(db), P11C_RANGE(usage, P11C_USAGE_TLS_SERVER, P11C_USAGE_EMAIL),
	          P11C_RANGE(format, P11C_TRUST_FORMAT_PEM, P11C_TRUST_FORMAT_PKCS12),
	          P11C_OUT(out), P11C_OUT(len), P11C_OUT(count));
	int pkcs12 = format == P11C_TRUST_FORMAT_PKCS12;
	*out = NULL;
	*len = 0;
	*count = 0;
	if (pkcs12 && (!password || !*password))
		return p11c_fail(db, P11C_EPASSWORD, "a PKCS#12 truststore needs a password");
	int rc = p11c_require_open(db, 0);
	/* Certificates and trust are read as certutil -L reads them, without
	 * the database's own login (each trust attribute read after it costs
	 * a key derivation to check); external tokens may hide theirs until
	 * logged in. */
	if (rc || (rc = p11c_login_external(db)))
		return rc;
	/* The database's own token read straight when it is the only one in
	 * sight (certscan.c), else NSS's listing. */
	p11c_scanned *sc = NULL;
	size_t n_sc = 0, n = 0;
	int scan = p11c_scan_usable(db) ? p11c_scan_own_token(db, &sc, &n_sc) : 1;
	if (scan < 0)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	CERTCertList *certs = scan ? p11c_list_certs(db) : NULL;
	if (scan && !certs)
		return p11c_fail_nss(db, P11C_EFAIL, "cannot list certificates");
	entry *e = NULL;
	CERTCertListNode *node = certs ? CERT_LIST_HEAD(certs) : NULL;
	for (size_t k = 0; scan ? !CERT_LIST_END(node, certs) : k < n_sc;
	     scan ? (void)(node = CERT_LIST_NEXT(node)) : (void)k++) {
		CERTCertTrust t;
		if (scan && CERT_GetCertTrust(node->cert, &t) != SECSuccess)
			continue;
		if (!trusted_for_usage(scan ? &t : &sc[k].trust, usage))
			continue;
		entry *g = P11C_VEC_PUSH(e, n);
		if (!g) {
			rc = p11c_fail(db, P11C_EFAIL, "out of memory");
			break;
		}
		g->cert = scan ? node->cert : sc[k].cert;
		g->alias = !scan                 ? sc[k].label
		           : node->cert->nickname ? p11c_alias_of(db, node->cert)
		                                  : "";
	}
	if (rc == P11C_OK && pkcs12 && n == 0)
		rc = p11c_fail(db, P11C_EFAIL,
		               "no certificate is trusted for %s: a truststore would be empty",
		               p11c_usage_name(usage));
	if (rc == P11C_OK) {
		if (n > 1)
			qsort(e, n, sizeof(*e), by_alias);
		rc = pkcs12 ? truststore(db, e, n, password, out, len)
		            : pem_bundle(db, e, n, out, len);
	}
	if (rc == P11C_OK)
		*count = n;
	free(e);
	if (certs)
		CERT_DestroyCertList(certs);
	p11c_scanned_free(sc, n_sc);
	return rc;
}
