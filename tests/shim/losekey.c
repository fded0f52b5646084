/* SPDX-License-Identifier: MPL-2.0 */
/* A test-only LD_PRELOAD shim, never installed: the Nth call of NSS's
 * PK11_ListPrivKeysInSlot (P11SHIM_LOSE_KEY_AT=N) returns its list without
 * the first key, as a migration that lost a key would look.  upgrade.sh
 * uses it to see upgrade-certdb's read-back comparison fail and the
 * directory put back, so that the shipped library needs no test hook. */
#include <dlfcn.h>
#include <keyhi.h>
#include <pk11pub.h>
#include <stdlib.h>

typedef SECKEYPrivateKeyList *(*list_fn)(PK11SlotInfo *, char *, void *);

SECKEYPrivateKeyList *PK11_ListPrivKeysInSlot(PK11SlotInfo *slot, char *nickname, void *wincx)
{
	static int calls;
	static list_fn real;
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "PK11_ListPrivKeysInSlot");
	if (!real)
		return NULL;
	SECKEYPrivateKeyList *l = real(slot, nickname, wincx);
	const char *at = getenv("P11SHIM_LOSE_KEY_AT");
	if (l && at && ++calls == atoi(at) && !PRIVKEY_LIST_END(PRIVKEY_LIST_HEAD(l), l)) {
		SECKEYPrivateKeyListNode *n = PRIVKEY_LIST_HEAD(l);
		PR_REMOVE_LINK(&n->links);
		SECKEY_DestroyPrivateKey(n->key); /* the node is in the list's arena */
	}
	return l;
}
