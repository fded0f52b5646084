/* SPDX-License-Identifier: MPL-2.0 */
#include <dirent.h>
#include <p11-kit/p11-kit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "p11kit.h"

/* Whether a module file in dir says enable-in at all. */
static int dir_names_programs(const char *dir)
{
	DIR *d = opendir(dir);
	int found = 0;
	for (struct dirent *e; d && !found && (e = readdir(d));) {
		char path[4200];
		unsigned char *text = NULL;
		size_t len = 0;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		/* no handle: an unreadable file is p11-kit's to judge */
		if (p11c_file_read_max(NULL, path, 1u << 20, &text, &len) != P11C_OK) {
			found = 1; /* cannot tell: load them and let p11-kit judge */
			continue;
		}
		found = strstr((char *)text, "enable-in") != NULL;
		free(text);
	}
	if (d)
		closedir(d);
	return found;
}

int p11c_p11kit_may_enable(void)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	char user[4200];
	if (dir_names_programs(P11C_P11KIT_PACKAGE_MODULES) ||
	    dir_names_programs(P11C_P11KIT_SYSTEM_MODULES))
		return 1;
	if (xdg && *xdg) {
		snprintf(user, sizeof(user), "%s/pkcs11/modules", xdg);
		if (dir_names_programs(user))
			return 1;
	}
	if (home && *home) {
		snprintf(user, sizeof(user), "%s/.config/pkcs11/modules", home);
		if (dir_names_programs(user))
			return 1;
	}
	return 0;
}

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
