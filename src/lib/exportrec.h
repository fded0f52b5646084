/* SPDX-License-Identifier: MPL-2.0 */
/* The record of exports, DIR/p11cert-exports: read and written by
 * exports.c, its entries judged and written again by exportsync.c. */
#ifndef P11C_EXPORTREC_H
#define P11C_EXPORTREC_H

#include <stddef.h>

#include "internal.h"

#pragma GCC visibility push(hidden)

/* One recorded export; kind, format and usage index the words of the
 * record file (usage -1: none). */
typedef struct {
	int kind, format, usage, chain, compat;
	char *path, *alias, *key_out, *pwfile;
	char digest[65]; /* SHA-256 of what was written (PKCS#12: of what it holds) */
} p11c_rec;

typedef struct {
	p11c_rec *r;
	size_t n;
} p11c_recs;

void p11c_recs_free(p11c_recs *v);

/* The record file: none is an empty list; a file that is not a regular
 * file of ours, mode 0600, of sane size and lines, is refused whole. */
int p11c_recs_read(p11c_db *db, const char *file, p11c_recs *v);
int p11c_recs_write(p11c_db *db, const char *file, const p11c_recs *v);

/* One writer of the record at a time: a lock on the database directory;
 * the descriptor to close, or a negative status. */
int p11c_recs_lock(p11c_db *db, const char *dir);

/* DIR/p11cert-exports, malloc'd (NULL: out of memory). */
char *p11c_recs_path(const p11c_db *db);

/* The hex SHA-256 of data. */
void p11c_export_digest(const unsigned char *data, size_t len, char out[65]);

/* Wipe and free a buffer that may hold a key. */
void p11c_export_wipe_free(unsigned char *p, size_t n);

/* export.c: the PKCS#12 file p11c_cert_export_p12 writes, and the key
 * p11c_key_export writes (PKCS#8 PEM), in memory for the caller to write
 * (sync-exports, beside the file it replaces); *out: wipe and free with
 * p11c_export_wipe_free. */
int p11c_cert_p12_encode(p11c_db *db, const char *alias, const char *password, unsigned flags,
                         unsigned char **out, size_t *len);
int p11c_key_pem(p11c_db *db, const char *alias, unsigned char **out, size_t *len);

/* exportsync.c: the certificates a PKCS#12 export of r holds, as the
 * database has them now, as PEM: what its digest is taken of. */
int p11c_export_holdings(p11c_db *db, const p11c_rec *r, unsigned char **out, size_t *len);

#pragma GCC visibility pop

#endif
