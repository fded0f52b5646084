/* SPDX-License-Identifier: MPL-2.0 */
/* A caIssuers answer's body (fetch-chain --ca-issuers): its certificates
 * (DER, PEM or PKCS#7) into a chain, as fetch-chain shows them.  The http
 * around it is libcurl's (nethttp.c). */
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
	p11c_db *db = fuzz_db();
	p11c_chain *c = p11c_chain_new();
	int added = 0;
	FUZZ_ASSERT(c);
	int rc = p11c_chain_add_package(db, c, data, size, &added);
	fuzz_note("certificates", rc, p11c_last_error(db));
	FUZZ_ASSERT(added >= 0 && p11c_chain_cert_count(c) == (size_t)added);
	FUZZ_ASSERT(size <= BODY_MAX || added == 0);
	p11c_chain_free(c);
	return 0;
}
