/* SPDX-License-Identifier: MPL-2.0 */
/* list-tokens: every token of every loaded module. */
#include <pk11pub.h>
#include <secmod.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"
#include "uri.h"

void p11c_token_list_free(p11c_token_info **list, size_t n)
{
	for (size_t i = 0; list && i < n; i++) {
		p11c_token_info *t = list[i];
		free(t->module);
		free(t->module_path);
		free(t->slot);
		free(t->label);
		free(t->manufacturer);
		free(t->model);
		free(t->serial);
		free(t->uri);
		free(t);
	}
	free(list);
}

/* A blank-padded PKCS#11 text field as a string. */
static char *field(const unsigned char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\0'))
		n--;
	return strndup((const char *)s, n);
}

static p11c_token_info *token_new(p11c_db *db, SECMODModule *mod, PK11SlotInfo *slot)
{
	CK_TOKEN_INFO ti;
	CK_SLOT_INFO si;
	if (PK11_GetTokenInfo(slot, &ti) != SECSuccess || PK11_GetSlotInfo(slot, &si) != SECSuccess)
		return NULL;
	p11c_token_info *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->module = strdup(mod->commonName ? mod->commonName : "");
	t->module_path = strdup(mod->dllName ? mod->dllName : "");
	t->slot = field(si.slotDescription, sizeof(si.slotDescription));
	t->label = field(ti.label, sizeof(ti.label));
	t->manufacturer = field(ti.manufacturerID, sizeof(ti.manufacturerID));
	t->model = field(ti.model, sizeof(ti.model));
	t->serial = field(ti.serialNumber, sizeof(ti.serialNumber));
	t->uri = p11c_uri_for_token(&ti);
	t->internal = mod->internal;
	static const char *const by[] = {"nss", "database", "run", "p11-kit"};
	t->loaded_by = by[p11c_module_from(db, mod)];
	t->login_required = (ti.flags & CKF_LOGIN_REQUIRED) != 0;
	t->initialized = (ti.flags & CKF_TOKEN_INITIALIZED) != 0;
	t->read_only = (ti.flags & CKF_WRITE_PROTECTED) != 0;
	t->removable = (si.flags & CKF_REMOVABLE_DEVICE) != 0;
	if (!t->module || !t->module_path || !t->slot || !t->label || !t->manufacturer ||
	    !t->model || !t->serial || !t->uri) {
		p11c_token_list_free(&t, 1);
		return NULL;
	}
	return t;
}

int p11c_token_list(p11c_db *db, p11c_token_info ***out, size_t *n)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OUT(out), P11C_OUT(n));
	p11c_token_info **list = NULL;
	size_t count = 0;
	int rc = p11c_require_open(db, 0);
	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	/* NSS's crypto slot, and of its databases only the handle's own. */
	PK11SlotInfo *crypto = PK11_GetInternalSlot();
	SECMODListLock *lock = SECMOD_GetDefaultModuleListLock();
	SECMOD_GetReadLock(lock);
	for (SECMODModuleList *l = SECMOD_GetDefaultModuleList(); l && !rc; l = l->next) {
		SECMODModule *mod = l->module;
		for (int i = 0; i < mod->slotCount && !rc; i++) {
			PK11SlotInfo *slot = mod->slots[i];
			if (!PK11_IsPresent(slot) ||
			    (slot != crypto && !p11c_slot_visible(db, slot)))
				continue;
			p11c_token_info *t = token_new(db, mod, slot);
			p11c_token_info **more = t ? P11C_VEC_PUSH(list, count) : NULL;
			if (!more) {
				p11c_token_list_free(&t, t ? 1 : 0);
				rc = p11c_fail(db, P11C_EFAIL,
				               "cannot read the tokens of module '%s'",
				               mod->commonName);
				break;
			}
			*more = t;
		}
	}
	SECMOD_ReleaseReadLock(lock);
	if (crypto)
		PK11_FreeSlot(crypto);
	if (rc) {
		p11c_token_list_free(list, count);
		return rc;
	}
	*out = list;
	*n = count;
	return P11C_OK;
}
