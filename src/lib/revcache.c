/* SPDX-License-Identifier: MPL-2.0 */
/* The revocation cache: DIR/p11cert-revocation/ocsp-HEX and crl-HEX, one
 * file an answer (DER as it came), named by the SHA-256 of what it
 * answers (the issuer and serial, the CRL's URL); written atomically,
 * 0644 (nothing secret), only after the answer was found good.  Whether an
 * entry is still fresh (nextUpdate) is the reader's to judge. */
#include <errno.h>
#include <pk11pub.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chainint.h"

#define CACHE_DIR "p11cert-revocation"
#define CACHE_MAX (4 * 1024 * 1024)

static int path_of(p11c_db *db, const char *kind, const void *key, size_t keylen, char *path,
                   size_t size)
{
	unsigned char h[32];
	if (!db->dir || PK11_HashBuf(SEC_OID_SHA256, h, (const unsigned char *)key,
	                             (PRInt32)keylen) != SECSuccess)
		return -1;
	int n = snprintf(path, size, "%s/" CACHE_DIR "/%s-", db->dir, kind);
	for (size_t i = 0; n > 0 && (size_t)n + 3 < size && i < sizeof(h); i++)
		n += snprintf(path + n, size - (size_t)n, "%02x", h[i]);
	return n > 0 && (size_t)n + 1 < size ? 0 : -1;
}

int p11c_rev_cache_read(p11c_db *db, const char *kind, const void *key, size_t keylen,
                        unsigned char **out, size_t *len)
{
	char path[4096];
	*out = NULL;
	*len = 0;
	if (path_of(db, kind, key, keylen, path, sizeof(path)) || access(path, R_OK) != 0)
		return -1;
	/* a read error here is no verdict's: the answer is fetched again */
	if (p11c_file_read_max(db, path, CACHE_MAX, out, len) != P11C_OK)
		return -1;
	return 0;
}

void p11c_rev_cache_write(p11c_db *db, const char *kind, const void *key, size_t keylen,
                          const unsigned char *data, size_t len)
{
	char path[4096], dir[4096];
	if (path_of(db, kind, key, keylen, path, sizeof(path)) ||
	    (size_t)snprintf(dir, sizeof(dir), "%s/" CACHE_DIR, db->dir) >= sizeof(dir))
		return;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return;
	/* a cache that cannot be written is no failure of the verdict */
	if (p11c_file_write(db, path, data, len, 0644) != P11C_OK)
		p11c_log(db, "cannot cache the revocation answer in %s", dir);
}
