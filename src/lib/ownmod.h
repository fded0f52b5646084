/* SPDX-License-Identifier: MPL-2.0 */
/* Finding the library's own modules (p11cert-ossl.so, p11cert-net.so):
 * beside the libp11cert that runs (LIBDIR/p11cert/NAME installed, the
 * same directory in the build tree), never on a search path. */
#ifndef P11C_OWNMOD_H
#define P11C_OWNMOD_H

#include <stddef.h>

#pragma GCC visibility push(hidden)

/* dlopen the module file (e.g. "p11cert-net.so") and return its table
 * symbol, whose first member, an unsigned, must equal version; kept
 * loaded.  NULL with why (one line) when it cannot be. */
const void *p11c_own_module(const char *file, const char *symbol, unsigned version,
                            const char *what, char *why, size_t whylen);

#pragma GCC visibility pop

#endif
