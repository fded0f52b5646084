/* SPDX-License-Identifier: MPL-2.0 */
/* The names of the usages a certificate is judged or trusted for. */
#include <string.h>

#include "args.h"
#include "p11cert.h"

static const char *const names[] = {"server",    "client",    "email",
                                    "server-ca", "client-ca", "email-ca"};

const char *p11c_usage_name(p11c_usage usage)
{
	if ((unsigned)usage >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[usage];
}

int p11c_usage_from_name(const char *name, p11c_usage *out)
{
	P11C_ARGS(NULL, P11C_NAME(name), P11C_OUT(out));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i])) {
			*out = (p11c_usage)i;
			return P11C_OK;
		}
	return p11c_args_fail(NULL, __func__, "no usage is named '%s'", name);
}
