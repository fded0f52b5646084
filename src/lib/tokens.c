/* SPDX-License-Identifier: MPL-2.0 */
/* list-tokens: every token of every loaded module. */
#include <pk11pub.h>
#include <secmod.h>
#include <stdlib.h>
#include <string.h>

#include "nssint.h"
#include "uri.h"

struct p11c_token {
	char *module, *module_path, *slot, *label, *manufacturer, *model, *serial, *uri;
	unsigned flags; /* P11C_TOKEN_* */
	p11c_loaded_by loaded_by;
};

struct p11c_token_listing {
	p11c_token **tokens;
	size_t n;
};

const char *p11c_loaded_by_name(p11c_loaded_by by)
{
	static const char *const names[] = {[P11C_LOADED_BY_NONE] = "none",
	                                    [P11C_LOADED_BY_NSS] = "nss",
	                                    [P11C_LOADED_BY_DATABASE] = "database",
	                                    [P11C_LOADED_BY_RUN] = "run",
	                                    [P11C_LOADED_BY_P11KIT] = "p11-kit"};
	return (unsigned)by < sizeof(names) / sizeof(names[0]) ? names[by] : "unknown";
}

/* The accessors of a token: each takes NULL and gives NULL. */
#define GET(name, field)                                                                           \
	const char *p11c_token_##name(const p11c_token *t)                                         \
	{                                                                                          \
		return t ? t->field : NULL;                                                        \
	}

GET(module, module)
GET(module_path, module_path)
GET(slot, slot)
GET(name, label)
GET(manufacturer, manufacturer)
GET(model, model)
GET(serial, serial)
GET(uri, uri)

unsigned p11c_token_flags(const p11c_token *t)
{
	return t ? t->flags : 0;
}

p11c_loaded_by p11c_token_loaded_by(const p11c_token *t)
{
	return t ? t->loaded_by : P11C_LOADED_BY_NONE;
}

size_t p11c_token_listing_count(const p11c_token_listing *l)
{
	return l ? l->n : 0;
}

const p11c_token *p11c_token_listing_get(const p11c_token_listing *l, size_t i)
{
	return l && i < l->n ? l->tokens[i] : NULL;
}

static void token_free(p11c_token *t)
{
	if (!t)
		return;
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

void p11c_token_listing_free(p11c_token_listing *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		token_free(l->tokens[i]);
	free(l->tokens);
	free(l);
}

/* A blank-padded PKCS#11 text field as a string. */
static char *field(const unsigned char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\0'))
		n--;
	return strndup((const char *)s, n);
}

static p11c_token *token_new(p11c_db *db, SECMODModule *mod, PK11SlotInfo *slot)
{
	CK_TOKEN_INFO ti;
	CK_SLOT_INFO si;
	if (PK11_GetTokenInfo(slot, &ti) != SECSuccess || PK11_GetSlotInfo(slot, &si) != SECSuccess)
		return NULL;
	p11c_token *t = calloc(1, sizeof(*t));
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
	static const p11c_loaded_by by[] = {[P11C_FROM_NSS] = P11C_LOADED_BY_NSS,
	                                    [P11C_FROM_DATABASE] = P11C_LOADED_BY_DATABASE,
	                                    [P11C_FROM_RUN] = P11C_LOADED_BY_RUN,
	                                    [P11C_FROM_P11KIT] = P11C_LOADED_BY_P11KIT};
	t->loaded_by = by[p11c_module_from(db, mod)];
	t->flags = (mod->internal ? P11C_TOKEN_INTERNAL : 0) |
	           (ti.flags & CKF_LOGIN_REQUIRED ? P11C_TOKEN_LOGIN_REQUIRED : 0) |
	           (ti.flags & CKF_TOKEN_INITIALIZED ? P11C_TOKEN_INITIALIZED : 0) |
	           (si.flags & CKF_REMOVABLE_DEVICE ? P11C_TOKEN_REMOVABLE : 0) |
	           (ti.flags & CKF_WRITE_PROTECTED ? P11C_TOKEN_READ_ONLY : 0);
	if (!t->module || !t->module_path || !t->slot || !t->label || !t->manufacturer ||
	    !t->model || !t->serial || !t->uri) {
		token_free(t);
		return NULL;
	}
	return t;
}

int p11c_token_list(p11c_db *db, p11c_token_listing **out)
{
	P11C_ARGS(db, P11C_DB(db), P11C_OUT(out));
	p11c_token **list = NULL;
	size_t count = 0;
	int rc = p11c_require_open(db, 0);
	*out = NULL;
	if (rc)
		return rc;
	p11c_token_listing *listing = calloc(1, sizeof(*listing));
	if (!listing)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
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
			p11c_token *t = token_new(db, mod, slot);
			p11c_token **more = t ? P11C_VEC_PUSH(list, count) : NULL;
			if (!more) {
				token_free(t);
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
	listing->tokens = list;
	listing->n = count;
	if (rc) {
		p11c_token_listing_free(listing);
		return rc;
	}
	*out = listing;
	return P11C_OK;
}
