/* SPDX-License-Identifier: MPL-2.0 */
/* ACME Renewal Information (RFC 9773): the certificate identifier its
 * URLs and "replaces" name, and the times of its suggested window. */
#include <cert.h>
#include <certdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acmeint.h"

int p11c_acme_ari_certid(p11c_db *db, CERTCertificate *cert, char **out)
{
	*out = NULL;
	PLArenaPool *arena = PORT_NewArena(1024);
	SECItem ext = {siBuffer, NULL, 0};
	CERTAuthKeyID *aki = NULL;
	if (arena && CERT_FindCertExtension(cert, SEC_OID_X509_AUTH_KEY_ID, &ext) == SECSuccess)
		aki = CERT_DecodeAuthKeyID(arena, &ext);
	SECITEM_FreeItem(&ext, PR_FALSE);
	int rc = P11C_OK;
	if (!aki || !aki->keyID.len) {
		rc =
		    p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                "'%s' has no authority key identifier for ACME renewal information",
		                cert->nickname ? cert->nickname : "the certificate");
		goto out;
	}
	/* The serial's DER content octets, as stored (a leading 00 kept). */
	char *a = p11c_b64url(aki->keyID.data, aki->keyID.len);
	char *s = p11c_b64url(cert->serialNumber.data, cert->serialNumber.len);
	if (a && s && (*out = malloc(strlen(a) + strlen(s) + 2)))
		sprintf(*out, "%s.%s", a, s);
	else
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
	free(a);
	free(s);
out:
	if (arena)
		PORT_FreeArena(arena, PR_FALSE);
	return rc;
}

long long p11c_acme_time_parse(const char *text)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!text)
		return -1;
	const char *p = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	long off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600L +
		      ((p[4] - '0') * 10 + (p[5] - '0')) * 60L;
		if (*p == '-')
			off = -off;
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	return (long long)timegm(&tm) - off;
}
