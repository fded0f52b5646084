/* SPDX-License-Identifier: MPL-2.0 */
/* What pending.c (the writer lock and the record of a write's steps) and
 * replay.c (the next writer's undoing or finishing of them) share. */
#ifndef P11C_PENDING_H
#define P11C_PENDING_H
#include "nssint.h"

#pragma GCC visibility push(hidden)

#define LOCK_NAME "p11cert.lock"
#define RECORD_NAME "p11cert-pending"

/* Take the lock file at path (not waiting): 0 and *fd, or -1 with errno
 * (EWOULDBLOCK: held, or removed by its last holder meanwhile). */
int p11c_lock_once(const char *path, int *fd);
/* Whether key has a certificate on its token. */
int p11c_key_has_cert(SECKEYPrivateKey *key);
/* The CKA_ID (hex, "" when it has none) of a public-key object that no
 * private key on slot shares; NULL when one does. */
char *p11c_lone_public_id(PK11SlotInfo *slot, PK11GenericObject *o, void *wincx);

#pragma GCC visibility pop
#endif
