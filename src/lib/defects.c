/* SPDX-License-Identifier: MPL-2.0 */
/* Known token defects that break NSS servers, found by harmless probes and
 * remembered per slot for the life of the handle. */
#include <keyhi.h>
#include <pk11pub.h>
#include <pkcs11.h>
#include <secmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"

struct p11c_defect_entry {
	PK11SlotInfo *slot; /* referenced */
	unsigned flags;
};

/* NSS's server code (SSL_ConfigServerCert) copies the private key to a
 * session object and calls C_CopyObject on it with an empty template;
 * SoftHSM 2.6.1 (and its development line, as of late 2023) answers
 * CKR_ARGUMENTS_BAD for the NULL template pointer.  The same call on a
 * session data object of our own shows it, and leaves nothing behind;
 * through p11copyfix.so (modules/copyfix), which mends the call, it
 * passes. */
static unsigned probe_empty_copy(PK11SlotInfo *slot)
{
	SECMODModule *mod = PK11_GetModule(slot);
	CK_FUNCTION_LIST_PTR f = mod ? (CK_FUNCTION_LIST_PTR)mod->functionList : NULL;
	if (!f || !f->C_OpenSession || !f->C_CopyObject || !f->C_DestroyObject)
		return 0;
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL no = CK_FALSE;
	char label[] = "p11cert defect probe";
	CK_ATTRIBUTE tmpl[] = {
	    {CKA_CLASS, &cls, sizeof(cls)},
	    {CKA_TOKEN, &no, sizeof(no)},
	    {CKA_PRIVATE, &no, sizeof(no)},
	    {CKA_LABEL, label, sizeof(label) - 1},
	};
	PK11GenericObject *obj =
	    PK11_CreateGenericObject(slot, tmpl, sizeof(tmpl) / sizeof(tmpl[0]), PR_FALSE);
	if (!obj)
		return 0; /* the probe cannot run: nothing said */
	CK_OBJECT_HANDLE h = PK11_GetObjectHandle(PK11_TypeGeneric, obj, NULL);
	unsigned flags = 0;
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	/* a session of our own: session objects are seen by all of the
	 * application's sessions, and NSS's own stay untouched */
	if (h != CK_INVALID_HANDLE &&
	    f->C_OpenSession(PK11_GetSlotID(slot), CKF_SERIAL_SESSION, NULL, NULL, &s) == CKR_OK) {
		CK_OBJECT_HANDLE copy = CK_INVALID_HANDLE;
		CK_RV rv = f->C_CopyObject(s, h, NULL, 0, &copy);
		if (rv != CKR_OK)
			flags |= P11C_DEFECT_EMPTY_COPY;
		else if (copy != CK_INVALID_HANDLE)
			f->C_DestroyObject(s, copy);
		f->C_CloseSession(s);
	}
	PK11_DestroyGenericObject(obj);
	return flags;
}

unsigned p11c_token_defects(p11c_db *db, PK11SlotInfo *slot)
{
	if (!slot)
		return 0;
	for (size_t i = 0; i < db->n_defects; i++)
		if (db->defects[i].slot == slot)
			return db->defects[i].flags;
	unsigned flags = probe_empty_copy(slot);
	struct p11c_defect_entry *d = P11C_VEC_PUSH(db->defects, db->n_defects);
	if (d) {
		d->slot = PK11_ReferenceSlot(slot);
		d->flags = flags;
	}
	return flags;
}

void p11c_token_defects_warn(p11c_db *db, PK11SlotInfo *slot, KeyType type)
{
	if (type != rsaKey || !slot)
		return;
	if (p11c_token_defects(db, slot) & P11C_DEFECT_EMPTY_COPY) {
		char msg[512];
		p11c_defect_message(slot, msg, sizeof(msg));
		p11c_warn(db, "%s", msg);
	}
}

void p11c_defect_message(PK11SlotInfo *slot, char *buf, size_t n)
{
	snprintf(buf, n,
	         "token '%s' cannot serve RSA keys to NSS servers (its C_CopyObject refuses an "
	         "empty template, as SoftHSM 2.6.1's does): use an EC key (ec:p256) or "
	         "load SoftHSM through %s",
	         PK11_GetTokenName(slot), P11C_COPYFIX_PATH);
}

void p11c_token_defects_free(p11c_db *db)
{
	for (size_t i = 0; i < db->n_defects; i++)
		PK11_FreeSlot(db->defects[i].slot);
	free(db->defects);
	db->defects = NULL;
	db->n_defects = 0;
}
