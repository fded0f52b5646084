/* SPDX-License-Identifier: MPL-2.0 */
/* RFC 7512 URIs.  Only p11-kit's PKCS#11 headers are seen here: NSS's and
 * p11-kit's define the same structures and cannot share a file. */
#include <p11-kit/uri.h>
#include <stdlib.h>
#include <string.h>

#include "uri.h"

int p11c_uri_match_token(const char *text, const void *token_info)
{
	P11KitUri *uri = p11_kit_uri_new();
	if (!uri)
		return -1;
	int m = -1;
	if (p11_kit_uri_parse(text, P11_KIT_URI_FOR_TOKEN, uri) == P11_KIT_URI_OK)
		m = p11_kit_uri_match_token_info(uri, (CK_TOKEN_INFO *)token_info) ? 1 : 0;
	p11_kit_uri_free(uri);
	return m;
}

static char *format(P11KitUri *uri, P11KitUriType type)
{
	char *s = NULL;
	if (p11_kit_uri_format(uri, type, &s) != P11_KIT_URI_OK)
		s = NULL;
	p11_kit_uri_free(uri);
	return s;
}

char *p11c_uri_for_token(const void *token_info)
{
	P11KitUri *uri = p11_kit_uri_new();
	if (!uri)
		return NULL;
	memcpy(p11_kit_uri_get_token_info(uri), token_info, sizeof(CK_TOKEN_INFO));
	return format(uri, P11_KIT_URI_FOR_TOKEN);
}

char *p11c_uri_for_object(const void *token_info, const unsigned char *id, size_t id_len,
                          const char *label, const char *type)
{
	P11KitUri *uri = p11_kit_uri_new();
	if (!uri)
		return NULL;
	memcpy(p11_kit_uri_get_token_info(uri), token_info, sizeof(CK_TOKEN_INFO));
	CK_OBJECT_CLASS klass = !strcmp(type, "cert") ? CKO_CERTIFICATE : CKO_PRIVATE_KEY;
	CK_ATTRIBUTE attrs[] = {
	    {CKA_CLASS, &klass, sizeof(klass)},
	    {CKA_ID, (void *)id, id_len},
	    {CKA_LABEL, (void *)label, label ? strlen(label) : 0},
	};
	size_t n = label ? 3 : 2;
	if (p11_kit_uri_set_attributes(uri, attrs, n) != P11_KIT_URI_OK) {
		p11_kit_uri_free(uri);
		return NULL;
	}
	return format(uri, P11_KIT_URI_FOR_OBJECT_ON_TOKEN);
}
