/* SPDX-License-Identifier: MPL-2.0 */
/* RFC 7512 URIs through p11-kit, kept apart from NSS's PKCS#11 headers. */
#ifndef P11C_URI_H
#define P11C_URI_H

#include <stddef.h>

/* Not part of the ABI: libp11cert exports only the API in p11cert.h. */
#pragma GCC visibility push(hidden)

/* 1 if token_info (a CK_TOKEN_INFO) matches the URI, 0 if not, -1 if the
 * URI is invalid. */
int p11c_uri_match_token(const char *uri, const void *token_info);

/* The pkcs11: URI of an object on a token: token_info (CK_TOKEN_INFO),
 * its CKA_ID, and type ("private", "cert"); malloc'd, or NULL. */
char *p11c_uri_for_object(const void *token_info, const unsigned char *id, size_t id_len,
                          const char *label, const char *type);

/* The pkcs11: URI of a token; malloc'd, or NULL. */
char *p11c_uri_for_token(const void *token_info);

#pragma GCC visibility pop

#endif
