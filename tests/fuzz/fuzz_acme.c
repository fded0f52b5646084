/* SPDX-License-Identifier: MPL-2.0 */
/* What an ACME server and the ACME record send the client: a problem
 * document (one bounded line whatever it holds), Retry-After, RFC 3339
 * times (ARI windows, expiry) and p11cert-acme.json itself. */
#include <jansson.h>

#include "acmeint.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, 0, NULL);
	if (j) {
		char *t = p11c_acme_problem_text(j);
		/* it goes into a one-line message as it is */
		FUZZ_ASSERT(t);
		FUZZ_ASSERT(strlen(t) <= 400);
		for (const char *c = t; *c; c++)
			FUZZ_ASSERT((unsigned char)*c >= ' ' && *c != 0x7f);
		free(t);
		json_decref(j);
	}
	char *text = fuzz_text(data, size);
	int s = p11c_acme_retry_after(text, -7);
	FUZZ_ASSERT(s == -7 || (s >= 0 && s <= 86400));
	long long at = p11c_acme_time_parse(text);
	fuzz_note("time", at == -1, "");
	free(text);

	json_t *st = NULL;
	int rc = p11c_acme_state_parse(fuzz_db(), "fuzz", data, size, &st);
	fuzz_note("record", rc, p11c_last_error(fuzz_db()));
	FUZZ_ASSERT(rc ? st == NULL : json_is_object(st));
	if (!rc) {
		/* what the readers then take from it */
		(void)p11c_acme_str(st, "server");
		FUZZ_ASSERT(p11c_acme_state_certs(st) != NULL);
		json_decref(st);
	}
	return 0;
}
