/* SPDX-License-Identifier: MPL-2.0 */
/* Test helper: unextract DIR PWFILE LABEL makes the private key LABEL of
 * the NSS database DIR non-extractable (CKA_EXTRACTABLE false, which
 * PKCS#11 lets an application set, never unset), as a key a token made
 * under that policy: p11cert makes no such key in the internal token.
 * The password is the first line of PWFILE. */
#include <nss.h>
#include <keyhi.h>
#include <pk11pub.h>
#include <prerror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char pw[256];

static char *password(PK11SlotInfo *slot, PRBool retry, void *arg)
{
	(void)slot;
	(void)arg;
	return retry ? NULL : PORT_Strdup(pw);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: unextract DIR PWFILE LABEL\n");
		return 2;
	}
	FILE *f = fopen(argv[2], "r");
	if (!f || !fgets(pw, sizeof(pw), f)) {
		fprintf(stderr, "unextract: cannot read %s\n", argv[2]);
		return 1;
	}
	fclose(f);
	pw[strcspn(pw, "\r\n")] = '\0';
	char dir[4200];
	snprintf(dir, sizeof(dir), "sql:%s", argv[1]);
	if (NSS_InitReadWrite(dir) != SECSuccess) {
		fprintf(stderr, "unextract: cannot open %s\n", argv[1]);
		return 1;
	}
	PK11_SetPasswordFunc(password);
	PK11SlotInfo *slot = PK11_GetInternalKeySlot();
	int rc = 1;
	SECKEYPrivateKeyList *keys =
	    PK11_Authenticate(slot, PR_TRUE, NULL) == SECSuccess
	        ? PK11_ListPrivKeysInSlot(slot, argv[3], NULL)
	        : NULL;
	for (SECKEYPrivateKeyListNode *k = keys ? PRIVKEY_LIST_HEAD(keys) : NULL;
	     keys && !PRIVKEY_LIST_END(k, keys); k = PRIVKEY_LIST_NEXT(k)) {
		CK_BBOOL no = CK_FALSE;
		SECItem v = {siBuffer, &no, sizeof(no)};
		if (PK11_WriteRawAttribute(PK11_TypePrivKey, k->key, CKA_EXTRACTABLE, &v) == SECSuccess)
			rc = 0;
	}
	if (rc)
		fprintf(stderr, "unextract: no key '%s' made non-extractable: %s\n", argv[3],
		        PORT_ErrorToName(PORT_GetError()));
	if (keys)
		SECKEY_DestroyPrivateKeyList(keys);
	PK11_FreeSlot(slot);
	memset(pw, 0, sizeof(pw));
	NSS_Shutdown();
	return rc;
}
