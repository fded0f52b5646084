/* SPDX-License-Identifier: MPL-2.0 */
/* The library's own modules, found beside the library that runs. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ownmod.h"

static const void *try_path(const char *path, const char *symbol, unsigned version,
                            const char *what, char *why, size_t whylen)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(why, whylen, "%.4300s", e ? e : path);
		return NULL;
	}
	const unsigned *t = dlsym(h, symbol);
	if (!t || *t != version) {
		snprintf(why, whylen, "'%.4000s' is not this version's %s module", path, what);
		dlclose(h);
		return NULL;
	}
	return t; /* kept loaded: OpenSSL and libcurl do not come apart cleanly */
}

const void *p11c_own_module(const char *file, const char *symbol, unsigned version,
                            const char *what, char *why, size_t whylen)
{
	Dl_info info;
	char dir[4096], path[4400], first[4400] = "";
	if (!dladdr((void *)p11c_own_module, &info) || !info.dli_fname ||
	    !realpath(info.dli_fname, dir)) {
		snprintf(why, whylen, "cannot tell where libp11cert is");
		return NULL;
	}
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	/* installed: LIBDIR/p11cert/FILE; the build tree: beside the library */
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s%s", dir, i == 0 ? "p11cert/" : "", file);
		const void *t = try_path(path, symbol, version, what, why, whylen);
		if (t)
			return t;
		if (!first[0])
			snprintf(first, sizeof(first), "%s", why);
	}
	snprintf(why, whylen, "%s", first); /* the installed name's reason */
	return NULL;
}
