/* SPDX-License-Identifier: MPL-2.0 */
/* A caIssuers answer (fetch-chain): the http status, headers and redirect,
 * then the body's certificates (DER, PEM or PKCS#7) into a chain, as
 * fetch-chain shows them. */
#include "fuzz.h"
#include "net.h"
#include "chainint.h"

#define BODY_MAX (256 * 1024)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_nss_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char location[2048];
	unsigned char *body = NULL;
	size_t len = 0;
	p11c_db *db = fuzz_db();
	location[0] = '\0';
	int rc = p11c_http_answer(db, fuzz_text(data, size), size, BODY_MAX, location,
	                          sizeof(location), &body, &len);
	fuzz_note("answer", rc, p11c_last_error(db));
	if (rc == 1) {
		FUZZ_ASSERT(location[0] && memchr(location, '\0', sizeof(location)));
		p11c_url u;
		p11c_url_parse(db, location, 1, &u);
	} else if (rc == P11C_OK) {
		FUZZ_ASSERT(len <= BODY_MAX && len <= size);
		p11c_chain *c = p11c_chain_new();
		int added = 0;
		FUZZ_ASSERT(c);
		rc = p11c_chain_add_package(db, c, body, len, &added);
		fuzz_note("certificates", added, "");
		FUZZ_ASSERT(p11c_chain_cert_count(c) == (size_t)added);
		p11c_chain_free(c);
		free(body);
	}
	return 0;
}
