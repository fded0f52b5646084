/* SPDX-License-Identifier: MPL-2.0 */
/* fetch-chain's URLs, and the http:// ones of caIssuers. */
#include "fuzz.h"
#include "net.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = fuzz_text(data, size);
	for (int http = 0; http < 2; http++) {
		p11c_url u;
		memset(&u, 0xa5, sizeof(u));
		int rc = p11c_url_parse(fuzz_db(), url, http, &u);
		fuzz_note(http ? "http url" : "url", rc, p11c_last_error(fuzz_db()));
		if (rc)
			continue;
		FUZZ_ASSERT(memchr(u.scheme, '\0', sizeof(u.scheme)));
		FUZZ_ASSERT(memchr(u.host, '\0', sizeof(u.host)) && u.host[0]);
		FUZZ_ASSERT(memchr(u.path, '\0', sizeof(u.path)) && u.path[0] == '/');
		FUZZ_ASSERT(u.port > 0 && u.port < 65536);
		/* both go into an http request and into messages as they are */
		for (const char *c = u.host; *c; c++)
			FUZZ_ASSERT((unsigned char)*c > ' ' && *c != 0x7f);
		for (const char *c = u.path; *c; c++)
			FUZZ_ASSERT((unsigned char)*c > ' ' && *c != 0x7f);
	}
	free(url);
	return 0;
}
