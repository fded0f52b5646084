/* SPDX-License-Identifier: MPL-2.0 */
/* The site CA's record, DIR/p11cert-ca.json (carevoke.c), for crlgen.c:
 * {"cas": {SHA256-OF-CA-HEX: {"alias", "crl_number", "revoked":
 * [{"serial": HEX, "date": SECONDS, "reason": NAME}]}}}. */
#ifndef P11C_CAINT_H
#define P11C_CAINT_H
#include <jansson.h>

#include "nssint.h"

#pragma GCC visibility push(hidden)
#define P11C_CA_RECORD_NAME "p11cert-ca.json"
/* The record (an empty one when there is none), checked for its shape. */
int p11c_ca_record_load(p11c_db *db, json_t **out);
int p11c_ca_record_save(p11c_db *db, json_t *rec);
/* The CA's entry of rec (made when missing), or NULL when out of memory. */
json_t *p11c_ca_record_entry(json_t *rec, CERTCertificate *ca, const char *alias);
/* ca_alias's certificate, checked to be a CA that may sign with ku
 * (KU_KEY_CERT_SIGN, KU_CRL_SIGN); its key too when key is not NULL. */
int p11c_ca_open(p11c_db *db, const char *ca_alias, unsigned ku, CERTCertificate **ca,
                 SECKEYPrivateKey **key);
/* RFC 5280's reasonCode of an openssl -crl_reason name, -1 if none. */
int p11c_ca_reason_code(const char *name);
#pragma GCC visibility pop
#endif
