/* SPDX-License-Identifier: MPL-2.0 */
#include <p11-kit/p11-kit.h>
#include <stdlib.h>
#include <string.h>

#include "p11kit.h"

void p11c_p11kit_modules(p11c_p11kit_module **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	/* Only dlopen'd here: NSS initialises the modules it loads. */
	CK_FUNCTION_LIST **mods = p11_kit_modules_load(NULL, P11_KIT_MODULE_UNMANAGED);
	if (!mods)
		return;
	size_t count = 0;
	while (mods[count])
		count++;
	p11c_p11kit_module *list = calloc(count ? count : 1, sizeof(*list));
	for (size_t i = 0; list && i < count; i++) {
		char *trust = p11_kit_config_option(mods[i], "trust-policy");
		/* p11-kit has dropped the modules whose enable-in leaves this
		 * program out: one that still has it names this program. */
		char *enable = p11_kit_config_option(mods[i], "enable-in");
		char *path = p11_kit_module_get_filename(mods[i]);
		char *name = p11_kit_module_get_name(mods[i]);
		if (path && name) {
			list[*n].name = name;
			list[*n].path = path;
			list[*n].trust_policy = trust && !strcmp(trust, "yes");
			list[*n].enabled = enable != NULL;
			(*n)++;
		} else {
			free(path);
			free(name);
		}
		free(trust);
		free(enable);
	}
	p11_kit_modules_release(mods);
	*out = list;
}

void p11c_p11kit_modules_free(p11c_p11kit_module *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].name);
		free(m[i].path);
	}
	free(m);
}
