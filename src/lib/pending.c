/* SPDX-License-Identifier: MPL-2.0 */
/* Writes that take several steps (a key, then its certificate, then the old
 * ones removed) and a process that dies between them.
 *
 * One p11cert writer at a time holds DIR/p11cert.lock (flock).  A write of
 * several steps keeps a record, DIR/p11cert-pending, of what it has stored
 * (each certificate's DER before it is stored; before a key is made, the
 * keys on that token that have no certificate, so that the new one can be
 * told apart) and, once the new state is complete, a "commit" line with
 * what is left to remove.  The next writer finds the record of a writer
 * that died and rolls it back (before the commit: what it stored goes) or
 * forward (after it: what it meant to remove goes).  The record's lines
 * are flushed to disk before each step they describe. */
#include <errno.h>
#include <fcntl.h>
#include <pk11pub.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pending.h"

#define LOCK_WAIT_MS 60000

typedef struct p11c_pending {
	int fd;
	char path[4200];
	int failed;
	int deferred; /* complete once the handle closes or writes again */
} p11c_pending;

static void path_in(char *buf, size_t size, const char *dir, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

/* The lock file exists only while a writer holds it: the holder removes it
 * before letting go, so a process that waited on the old file finds it
 * gone and tries again on a new one. */
int p11c_lock_once(const char *path, int *fd)
{
	struct stat a, b;
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd < 0)
		return -1;
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		close(*fd);
		errno = e;
		return -1;
	}
	if (fstat(*fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
	    a.st_dev == b.st_dev)
		return 0;
	close(*fd);
	errno = EWOULDBLOCK; /* removed by the last holder: again */
	return -1;
}

/* The databases this process holds the lock of, by directory: a second
 * handle would wait on its own process's lock (flock is per open file), so
 * it is refused at once instead. */
typedef struct held_lock {
	dev_t dev;
	ino_t ino;
	const p11c_db *db;
	struct held_lock *next;
} held_lock;
static held_lock *held;
static pthread_mutex_t held_mutex = PTHREAD_MUTEX_INITIALIZER;

/* Note db as the holder of dir's lock: 0, or -1 when another handle of
 * this process holds it. */
static int held_add(const p11c_db *db, const struct stat *st)
{
	int rc = 0;
	pthread_mutex_lock(&held_mutex);
	for (held_lock *h = held; h; h = h->next)
		if (h->dev == st->st_dev && h->ino == st->st_ino)
			rc = -1;
	held_lock *h = rc ? NULL : malloc(sizeof(*h));
	if (h) {
		*h = (held_lock){st->st_dev, st->st_ino, db, held};
		held = h;
	}
	pthread_mutex_unlock(&held_mutex);
	return rc;
}

static void held_remove(const p11c_db *db)
{
	pthread_mutex_lock(&held_mutex);
	for (held_lock **p = &held; *p; p = &(*p)->next)
		if ((*p)->db == db) {
			held_lock *h = *p;
			*p = h->next;
			free(h);
			break;
		}
	pthread_mutex_unlock(&held_mutex);
}

int p11c_db_lock(p11c_db *db, const char *dir)
{
	char path[4200];
	int fd = -1;
	struct stat st;
	if (stat(dir, &st) == 0 && held_add(db, &st) != 0)
		return p11c_fail(db, P11C_EFAIL,
		                 "database '%s' is already open for writing on another handle of "
		                 "this process: close that one first, or open this one read-only",
		                 dir);
	path_in(path, sizeof(path), dir, LOCK_NAME);
	for (int waited = 0; p11c_lock_once(path, &fd) != 0; waited += 20) {
		if ((errno != EWOULDBLOCK && errno != EINTR) || waited >= LOCK_WAIT_MS) {
			int e = errno;
			held_remove(db);
			if (e == EWOULDBLOCK)
				return p11c_fail(db, P11C_EFAIL,
				                 "database '%s' is busy: another process has been "
				                 "writing to it for %d seconds",
				                 dir, LOCK_WAIT_MS / 1000);
			return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO,
			                   "cannot lock database '%s': %s", dir, strerror(e));
		}
		if (waited == 0)
			p11c_log(db, "waiting for another process writing to '%s'", dir);
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	db->lock_fd = fd;
	db->lock_path = strdup(path);
	return P11C_OK;
}

void p11c_db_unlock(p11c_db *db)
{
	if (db->lock_fd >= 0) {
		if (db->lock_path)
			unlink(db->lock_path);
		close(db->lock_fd); /* releases the flock */
	}
	free(db->lock_path);
	db->lock_path = NULL;
	db->lock_fd = -1;
	held_remove(db);
}

static void put_line(p11c_pending *p, const char *kind, const char *a, const char *b)
{
	char *line = NULL;
	if (p->failed)
		return;
	int n = asprintf(&line, "%s%s%s%s%s\n", kind, a ? " " : "", a ? a : "", b ? " " : "",
	                 b ? b : "");
	const char *s = line;
	size_t left = n > 0 ? (size_t)n : 0;
	while (line && left > 0) {
		ssize_t w = write(p->fd, s, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		s += w;
		left -= (size_t)w;
	}
	if (!line || left > 0 || fdatasync(p->fd) != 0)
		p->failed = errno ? errno : EIO;
	free(line);
}

/* The token's name in the record: "internal" or its label, in hex. */
static char *slot_word(p11c_db *db, PK11SlotInfo *slot)
{
	const char *label = p11c_is_own_slot(db, slot) ? "internal" : PK11_GetTokenName(slot);
	return p11c_hex((const unsigned char *)label, strlen(label), 0);
}

int p11c_pending_begin(p11c_db *db, const char *op)
{
	if (db->pending && db->pending->deferred)
		p11c_pending_end(db, P11C_OK);
	int rc = p11c_pending_recover(db);
	if (rc)
		return rc;
	p11c_pending *p = calloc(1, sizeof(*p));
	if (!p)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	path_in(p->path, sizeof(p->path), db->dir, RECORD_NAME);
	p->fd = open(p->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (p->fd < 0) {
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot write '%s': %s", p->path,
		                 strerror(errno));
		free(p);
		return rc;
	}
	put_line(p, "op", op, NULL);
	if (p->failed) {
		rc = p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot write '%s': %s", p->path,
		                 strerror(p->failed));
		close(p->fd);
		unlink(p->path);
		free(p);
		return rc;
	}
	db->pending = p;
	return P11C_OK;
}

static int record_ok(p11c_db *db)
{
	p11c_pending *p = db->pending;
	if (p && p->failed)
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_IO, "cannot write '%s': %s", p->path,
		                   strerror(p->failed));
	return P11C_OK;
}

/* Whether key has a certificate on its token. */
int p11c_key_has_cert(SECKEYPrivateKey *key)
{
	CERTCertificate *c = PK11_GetCertFromPrivateKey(key);
	if (c)
		CERT_DestroyCertificate(c);
	return c != NULL;
}

/* The CKA_ID (hex, "" when it has none) of a public-key object that no
 * private key on slot shares; NULL when one does. */
char *p11c_lone_public_id(PK11SlotInfo *slot, PK11GenericObject *o, void *wincx)
{
	SECItem id = {siBuffer, NULL, 0};
	if (PK11_ReadRawAttribute(PK11_TypeGeneric, o, CKA_ID, &id) != SECSuccess || !id.len) {
		SECITEM_FreeItem(&id, PR_FALSE);
		return strdup("");
	}
	SECKEYPrivateKey *priv = PK11_FindKeyByKeyID(slot, &id, wincx);
	char *hex = priv ? NULL : p11c_hex(id.data, id.len, 0);
	if (priv)
		SECKEY_DestroyPrivateKey(priv);
	SECITEM_FreeItem(&id, PR_FALSE);
	return hex;
}

/* "KIND WORD\n" into the record's text being made (a memory stream). */
static void put_words(FILE *f, const char *kind, const char *word)
{
	fputs(kind, f);
	fputc(' ', f);
	fputs(word, f);
	fputc('\n', f);
}

int p11c_pending_keygen(p11c_db *db, PK11SlotInfo *slot)
{
	p11c_pending *p = db->pending;
	if (!p)
		return P11C_OK;
	/* The keys that have no certificate now, then the keygen line: a
	 * record cut short before that line lists no key to undo. */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	SECKEYPrivateKeyList *keys = f ? PK11_ListPrivKeysInSlot(slot, NULL, db) : NULL;
	for (SECKEYPrivateKeyListNode *n = keys ? PRIVKEY_LIST_HEAD(keys) : NULL;
	     n && !PRIVKEY_LIST_END(n, keys); n = PRIVKEY_LIST_NEXT(n)) {
		char *name = NULL, *id = NULL;
		if (!p11c_key_has_cert(n->key) && p11c_key_names(n->key, &name, &id) == P11C_OK)
			put_words(f, "orphan", id);
		free(name);
		free(id);
	}
	if (keys)
		SECKEY_DestroyPrivateKeyList(keys);
	/* and public-key objects without their private key (by CKA_ID): a
	 * killed key generation can leave one of its pair only */
	PK11GenericObject *pubs = f ? PK11_FindGenericObjects(slot, CKO_PUBLIC_KEY) : NULL;
	for (PK11GenericObject *o = pubs; o; o = PK11_GetNextGenericObject(o)) {
		char *id = p11c_lone_public_id(slot, o, db);
		if (id)
			put_words(f, "orphan-pub", *id ? id : "-");
		free(id);
	}
	if (pubs)
		PK11_DestroyGenericObjects(pubs);
	char *word = slot_word(db, slot);
	if (f && word) {
		fputs("keygen ", f);
		fputs(word, f);
	}
	free(word);
	if (!f || fclose(f) != 0 || !word)
		p->failed = ENOMEM;
	put_line(p, text ? text : "", NULL, NULL);
	free(text);
	return record_ok(db);
}

int p11c_pending_cert(p11c_db *db, PK11SlotInfo *slot, const SECItem *der)
{
	p11c_pending *p = db->pending;
	if (!p)
		return P11C_OK;
	char *word = slot_word(db, slot), *hex = p11c_hex(der->data, der->len, 0);
	if (!word || !hex)
		p->failed = ENOMEM;
	put_line(p, "cert", word, hex);
	free(word);
	free(hex);
	return record_ok(db);
}

int p11c_pending_commit(p11c_db *db, CERTCertificate *old_cert, SECKEYPrivateKey *old_key)
{
	p11c_pending *p = db->pending;
	if (!p)
		return P11C_OK;
	if (old_cert) {
		char *hex = p11c_hex(old_cert->derCert.data, old_cert->derCert.len, 0);
		if (!hex)
			p->failed = ENOMEM;
		put_line(p, "drop-cert", hex, NULL);
		free(hex);
	}
	if (old_key) {
		char *name = NULL, *id = NULL, *word = slot_word(db, old_key->pkcs11Slot);
		if (p11c_key_names(old_key, &name, &id) != P11C_OK || !word)
			p->failed = ENOMEM;
		put_line(p, "drop-key", word, id);
		free(name);
		free(id);
		free(word);
	}
	put_line(p, "commit", NULL, NULL);
	return record_ok(db);
}

int p11c_pending_end(p11c_db *db, int rc)
{
	p11c_pending *p = db->pending;
	if (!p)
		return rc;
	close(p->fd);
	db->pending = NULL;
	if (rc == P11C_OK) {
		unlink(p->path);
	} else {
		/* Whatever the failed step's own clean-up missed. */
		char why[sizeof(db->err)];
		p11c_err_saved saved;
		snprintf(why, sizeof(why), "%s", db->err);
		p11c_err_save(db, &saved);
		p11c_pending_recover(db);
		snprintf(db->err, sizeof(db->err), "%s", why);
		p11c_err_restore(db, &saved);
		db->recovered = 0;
	}
	free(p);
	return rc;
}

int p11c_pending_pwfile(p11c_db *db, PK11SlotInfo *slot, const char *staged, const char *target)
{
	p11c_pending *p = db->pending;
	if (!p)
		return P11C_OK;
	char *word = slot_word(db, slot);
	char *a = p11c_hex((const unsigned char *)staged, strlen(staged), 0);
	char *b = p11c_hex((const unsigned char *)target, strlen(target), 0);
	if (!word || !a || !b)
		p->failed = ENOMEM;
	char *line = NULL;
	if (!p->failed && asprintf(&line, "%s %s", a, b) < 0)
		p->failed = ENOMEM;
	put_line(p, "pwtoken", word, NULL);
	put_line(p, "pwfile", line, NULL);
	free(line);
	free(word);
	free(a);
	free(b);
	return record_ok(db);
}

void p11c_pending_defer(p11c_db *db)
{
	if (db->pending)
		db->pending->deferred = 1;
}

void p11c_pending_close(p11c_db *db)
{
	p11c_pending *p = db->pending;
	if (!p)
		return;
	if (p->deferred) {
		p11c_pending_end(db, P11C_OK);
		return;
	}
	/* An operation that never ended: its record is for the next writer. */
	close(p->fd);
	free(p);
	db->pending = NULL;
}
