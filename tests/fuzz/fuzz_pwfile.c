/* SPDX-License-Identifier: MPL-2.0 */
/* The password file: parse, look up, replace (change-password). */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const known[] = {"hsm", "softhsm:token", NULL};
	char err[256];
	const char *text = (const char *)data;
	p11c_pwfile *f = p11c_pwfile_parse(text, size, err, sizeof(err));
	if (!f)
		FUZZ_ASSERT(err[0]);
	p11c_pwfile_lookup(f, NULL, 1, known);
	p11c_pwfile_lookup(f, "hsm", 0, known);
	p11c_pwfile_lookup(f, "softhsm:token", 1, NULL);
	for (int internal = 0; internal < 2 && f; internal++) {
		const char *label = internal ? P11C_INTERNAL_NAME : "hsm";
		char *out = p11c_pwfile_replace(text, size, label, internal, known, "n3w:pw");
		FUZZ_ASSERT(out);
		/* what change-password writes reads back as the new password */
		p11c_pwfile *g = p11c_pwfile_parse(out, strlen(out), err, sizeof(err));
		if (g) {
			const char *pw = p11c_pwfile_lookup(g, label, internal, known);
			FUZZ_ASSERT(pw && !strcmp(pw, "n3w:pw"));
		}
		p11c_pwfile_free(g);
		free(out);
	}
	p11c_pwfile_free(f);
	return 0;
}
