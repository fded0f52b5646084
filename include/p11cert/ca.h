/* SPDX-License-Identifier: MPL-2.0 */
/* The site CA's revocations and its CRL (revoke-cert, gen-crl). */
#ifndef P11CERT_CA_H
#define P11CERT_CA_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Record that the CA ca_alias revoked cert: a hex serial number (colons
 * allowed, as list-certs prints it) or the path of a PEM or DER
 * certificate, which must carry ca_alias's signature.  reason is an RFC
 * 5280 name as openssl ca -crl_reason spells it (keyCompromise,
 * superseded ...; any case), NULL: unspecified.  when is the revocation
 * time in seconds since 1970, 0: now.  The record is
 * DIR/p11cert-ca.json (0644, no secret), written whole.  A serial revoked
 * before is left as it was and *already (may be NULL) set to 1. */
int p11c_ca_revoke(p11c_db *db, const char *ca_alias, const char *cert, const char *reason,
                   long long when, int *already);

/* Flags of p11c_ca_crl_write(). */
enum {
	P11C_CA_CRL_PEM = 1u << 0 /* "X509 CRL" PEM, else DER */
};

/* Write to path (0644, through a temporary and a rename) a v2 CRL of
 * ca_alias's revocations signed with its key (which may be on a token):
 * thisUpdate now, nextUpdate in days (1 to 3650), the CRL number one more
 * than the last one written (kept in the record, raised only when the
 * file is in place), authorityKeyIdentifier, and each entry's date and
 * reasonCode (none for unspecified, as RFC 5280 5.3.1 asks). */
int p11c_ca_crl_write(p11c_db *db, const char *ca_alias, int days, const char *path,
                      unsigned flags);

#ifdef __cplusplus
}
#endif
#endif
