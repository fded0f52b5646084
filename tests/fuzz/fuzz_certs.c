/* SPDX-License-Identifier: MPL-2.0 */
/* PEM and DER certificates and bundles (add-cert, add-cert --bundle,
 * renew-cert, import-cert --cert), then what list-certs and show-cert
 * read of each. */
#include <cert.h>
#include <secitem.h>

#include "fuzz.h"
#include "nssint.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_nss_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_text(data, size);
	PLArenaPool *arena = PORT_NewArena(2048);
	SECItem *der = NULL;
	size_t n = 0;
	FUZZ_ASSERT(arena);
	int rc =
	    p11c_certs_decode(fuzz_db(), "fuzz", (const unsigned char *)buf, size, arena, &der, &n);
	fuzz_note("certificates", rc, p11c_last_error(fuzz_db()));
	if (rc == P11C_OK)
		FUZZ_ASSERT(n > 0);
	for (size_t i = 0; rc == P11C_OK && i < n; i++) {
		CERTCertificate *cert = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), &der[i],
		                                                NULL, PR_FALSE, PR_TRUE);
		if (!cert)
			continue;
		p11c_cert *info = p11c_cert_info_of(fuzz_db(), cert);
		/* every SAN as the accessors give it: a string, never past the end */
		for (size_t k = 0; info && k < p11c_cert_san_count(info); k++)
			FUZZ_ASSERT(p11c_cert_san(info, k));
		FUZZ_ASSERT(!info || !p11c_cert_san(info, p11c_cert_san_count(info)));
		FUZZ_ASSERT(!info || (p11c_cert_trust_roles(info) & ~0x7fu) == 0);
		p11c_cert_free(info);
		char *name = p11c_name_for_cert(fuzz_db(), cert);
		free(name);
		CERT_DestroyCertificate(cert);
	}
	PORT_FreeArena(arena, PR_FALSE);
	free(buf);
	return 0;
}
