/* SPDX-License-Identifier: MPL-2.0 */
/* The next writer's side of pending.c's record: a dead writer's steps
 * undone (before its commit) or finished (after it). */
#include <errno.h>
#include <fcntl.h>
#include <pk11pub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pending.h"

static void path_in(char *buf, size_t size, const char *dir, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static SECItem *unhex(const char *hex)
{
	size_t n = strlen(hex);
	if (n % 2)
		return NULL;
	SECItem *it = SECITEM_AllocItem(NULL, NULL, (unsigned)(n / 2));
	for (size_t i = 0; it && i < n / 2; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			SECITEM_FreeItem(it, PR_TRUE);
			return NULL;
		}
		it->data[i] = (unsigned char)v;
	}
	return it;
}

static PK11SlotInfo *slot_of_word(p11c_db *db, const char *word)
{
	SECItem *label = unhex(word);
	PK11SlotInfo *slot = NULL;
	if (label) {
		char *text = strndup((const char *)label->data, label->len);
		if (text && p11c_slot_for_token(db, text, &slot) == P11C_OK &&
		    p11c_login(db, slot) != P11C_OK) {
			PK11_FreeSlot(slot);
			slot = NULL;
		}
		free(text);
		SECITEM_FreeItem(label, PR_TRUE);
	}
	return slot;
}

static int drop_cert(p11c_db *db, const char *hex)
{
	SECItem *der = unhex(hex);
	int rc =
	    der ? p11c_remove_copies(db, der, "an interrupted write's certificate") : P11C_EFAIL;
	SECITEM_FreeItem(der, PR_TRUE);
	return rc;
}

static int drop_key(p11c_db *db, const char *word, const char *hex)
{
	PK11SlotInfo *slot = slot_of_word(db, word);
	SECItem *id = unhex(hex);
	int rc = slot && id ? P11C_OK : P11C_EFAIL;
	SECKEYPrivateKey *key = rc ? NULL : PK11_FindKeyByKeyID(slot, id, db);
	if (key && p11c_key_delete(key) != 0)
		rc = P11C_EFAIL;
	SECITEM_FreeItem(id, PR_TRUE);
	if (slot)
		PK11_FreeSlot(slot);
	return rc;
}

/* Keys without a certificate on the token of word that were not there
 * (as such) before the key was made: the interrupted write's. */
static int drop_new_orphans(p11c_db *db, const char *word, char **orphans, size_t n, char **pubs,
                            size_t n_pubs)
{
	PK11SlotInfo *slot = slot_of_word(db, word);
	if (!slot)
		return P11C_EFAIL;
	int rc = P11C_OK;
	SECKEYPrivateKeyList *keys = PK11_ListPrivKeysInSlot(slot, NULL, db);
	for (SECKEYPrivateKeyListNode *k = keys ? PRIVKEY_LIST_HEAD(keys) : NULL;
	     k && !PRIVKEY_LIST_END(k, keys); k = PRIVKEY_LIST_NEXT(k)) {
		char *name = NULL, *id = NULL;
		if (p11c_key_has_cert(k->key) || p11c_key_names(k->key, &name, &id) != P11C_OK) {
			free(name);
			continue;
		}
		int known = 0;
		for (size_t i = 0; i < n && !known; i++)
			known = !strcmp(orphans[i], id);
		if (!known) {
			SECKEYPrivateKey *copy = SECKEY_CopyPrivateKey(k->key);
			if (!copy || p11c_key_delete(copy) != 0)
				rc = P11C_EFAIL;
		}
		free(name);
		free(id);
	}
	if (keys)
		SECKEY_DestroyPrivateKeyList(keys);
	PK11GenericObject *objs = PK11_FindGenericObjects(slot, CKO_PUBLIC_KEY);
	for (PK11GenericObject *o = objs; o; o = PK11_GetNextGenericObject(o)) {
		char *id = p11c_lone_public_id(slot, o, db);
		int known = !id;
		for (size_t i = 0; id && i < n_pubs && !known; i++)
			known = !strcmp(pubs[i], *id ? id : "-");
		/* Best effort: SoftHSM's file store makes an object before its
		 * attributes, and one a kill cut short may refuse to go; it
		 * must not keep every later write from starting. */
		if (!known &&
		    PK11_DestroyTokenObject(
		        slot, PK11_GetObjectHandle(PK11_TypeGeneric, o, NULL)) != SECSuccess)
			p11c_log(db,
			         "cannot remove a public-key object a killed key generation left "
			         "on token '%s'",
			         PK11_GetTokenName(slot));
		free(id);
	}
	if (objs)
		PK11_DestroyGenericObjects(objs);
	PK11_FreeSlot(slot);
	return rc;
}

/* The password of the token of word in the password file at path. */
static char *password_in(p11c_db *db, const char *path, PK11SlotInfo *slot)
{
	char *text = NULL, *pw = NULL, err[256];
	size_t len = 0;
	if (p11c_secret_file_read(db, path, &text, &len) != P11C_OK)
		return NULL;
	p11c_pwfile *f = p11c_pwfile_parse(text, len, err, sizeof(err));
	char **known = p11c_token_labels();
	const char *found =
	    f ? p11c_pwfile_lookup(f, PK11_GetTokenName(slot), p11c_is_own_slot(db, slot),
	                           (const char *const *)known)
	      : NULL;
	if (found)
		pw = strdup(found);
	p11c_token_labels_free(known);
	p11c_pwfile_free(f);
	p11c_secret_free(text);
	return pw;
}

/* An interrupted change-password: the staged password file goes into
 * place when the token took its password (committed, or the token says
 * so), else it goes. */
static int settle_pwfile(p11c_db *db, const char *word, const char *hexes, int committed)
{
	char *first = strdup(hexes), *sp = first ? strchr(first, ' ') : NULL;
	if (sp)
		*sp++ = '\0';
	SECItem *staged = sp ? unhex(first) : NULL, *target = sp ? unhex(sp) : NULL;
	free(first);
	PK11SlotInfo *slot = NULL;
	int rc = staged && target ? P11C_OK : P11C_EFAIL;
	char *from = NULL, *to = NULL;
	if (!rc) {
		from = strndup((const char *)staged->data, staged->len);
		to = strndup((const char *)target->data, target->len);
	}
	if (!from || !to || access(from, F_OK) != 0)
		goto out; /* nothing staged is left */
	SECItem *label = unhex(word);
	char *text = label ? strndup((const char *)label->data, label->len) : NULL;
	SECITEM_FreeItem(label, PR_TRUE);
	if (!committed && text && p11c_slot_for_token(db, text, &slot) == P11C_OK) {
		/* One try of the password that should still be the token's. */
		char *old = password_in(db, to, slot);
		committed = !old || PK11_CheckUserPassword(slot, old) != SECSuccess;
		p11c_secret_free(old);
	}
	free(text);
	if (committed ? p11c_file_rename(from, to) != 0 : unlink(from) != 0)
		rc = P11C_EFAIL;
	if (committed && !rc && db->pwf_path && !strcmp(db->pwf_path, to))
		rc = p11c_db_set_password_file(db, to);
out:
	if (slot)
		PK11_FreeSlot(slot);
	free(from);
	free(to);
	SECITEM_FreeItem(staged, PR_TRUE);
	SECITEM_FreeItem(target, PR_TRUE);
	return rc;
}

typedef struct {
	char **v;
	size_t n;
} words;

static int words_add(words *w, const char *s)
{
	char **v = P11C_VEC_RESERVE(w->v, w->n, 1);
	if (!v || !(*v = strdup(s)))
		return -1;
	w->n++;
	return 0;
}

static void words_free(words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
}

/* Undo (or, committed, finish) what the record text describes. */
static int replay(p11c_db *db, char *text, char *op, size_t oplen)
{
	words certs = {0}, drops = {0}, orphans = {0}, keygen = {0}, pw = {0}, pubs = {0};
	int committed = 0, rc = P11C_OK;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *a = strchr(line, ' '), *b = NULL;
		if (a) {
			*a++ = '\0';
			if ((b = strchr(a, ' ')))
				*b++ = '\0';
		}
		if (!strcmp(line, "op") && a)
			snprintf(op, oplen, "%s", a);
		else if (!strcmp(line, "commit"))
			committed = 1;
		else if (!strcmp(line, "cert") && b)
			rc |= words_add(&certs, b);
		else if (!strcmp(line, "keygen") && a)
			rc |= words_add(&keygen, a);
		else if (!strcmp(line, "orphan") && a)
			rc |= words_add(&orphans, a);
		else if (!strcmp(line, "orphan-pub") && a)
			rc |= words_add(&pubs, a);
		else if (!strcmp(line, "drop-cert") && a)
			rc |= words_add(&drops, a) | words_add(&drops, "");
		else if (!strcmp(line, "drop-key") && b)
			rc |= words_add(&drops, b) | words_add(&drops, a);
		else if (!strcmp(line, "pwtoken") && a)
			rc |= words_add(&pw, a);
		else if (!strcmp(line, "pwfile") && b) {
			b[-1] = ' ';
			rc |= words_add(&pw, a);
		}
	}
	if (rc)
		rc = P11C_EFAIL;
	for (size_t i = 0; !rc && committed && i + 1 < drops.n; i += 2)
		rc = *drops.v[i + 1] ? drop_key(db, drops.v[i + 1], drops.v[i])
		                     : drop_cert(db, drops.v[i]);
	for (size_t i = 0; !rc && !committed && i < certs.n; i++)
		rc = drop_cert(db, certs.v[i]);
	for (size_t i = 0; !rc && !committed && i < keygen.n; i++)
		rc = drop_new_orphans(db, keygen.v[i], orphans.v, orphans.n, pubs.v, pubs.n);
	for (size_t i = 0; !rc && i + 1 < pw.n; i += 2)
		rc = settle_pwfile(db, pw.v[i], pw.v[i + 1], committed);
	words_free(&pw);
	words_free(&certs);
	words_free(&drops);
	words_free(&orphans);
	words_free(&keygen);
	words_free(&pubs);
	return rc;
}

int p11c_pending_recover(p11c_db *db)
{
	char path[4200], op[64] = "a write";
	unsigned char *text = NULL;
	size_t len = 0;
	if (!db->dir || db->lock_fd < 0)
		return P11C_OK;
	path_in(path, sizeof(path), db->dir, RECORD_NAME);
	if (access(path, F_OK) != 0)
		return P11C_OK;
	int rc = p11c_file_read(db, path, &text, &len);
	if (rc)
		return rc;
	rc = replay(db, (char *)text, op, sizeof(op));
	free(text);
	if (rc)
		return p11c_fail(db, P11C_EFAIL,
		                 "cannot finish undoing an interrupted '%s' in '%s' (see '%s')", op,
		                 db->dir, path);
	unlink(path);
	p11c_log(db, "undid what an interrupted '%s' had left", op);
	db->recovered = 1;
	return P11C_OK;
}

void p11c_pending_settle_password(p11c_db *db)
{
	char op[64], path[4200];
	int fd;
	if (!p11c_pending_found(db->dir, op, sizeof(op)) || strcmp(op, "change-password") != 0 ||
	    access(db->dir, W_OK) != 0)
		return;
	path_in(path, sizeof(path), db->dir, LOCK_NAME);
	if (p11c_lock_once(path, &fd) != 0)
		return; /* a writer is at work: it will */
	db->lock_fd = fd;
	db->lock_path = strdup(path);
	if (p11c_pending_recover(db) != P11C_OK)
		p11c_log(db, "%s", p11c_last_error(db));
	p11c_db_unlock(db);
}

int p11c_pending_found(const char *dir, char *op, size_t oplen)
{
	char path[4200];
	path_in(path, sizeof(path), dir, RECORD_NAME);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[128] = "";
	snprintf(op, oplen, "a write");
	if (fgets(line, sizeof(line), f) && !strncmp(line, "op ", 3)) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(op, oplen, "%s", line + 3);
	}
	fclose(f);
	return 1;
}
