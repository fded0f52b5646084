/* SPDX-License-Identifier: MPL-2.0 */
/* Exports that stay true: export-cert and export-trust record what they
 * wrote in DIR/p11cert-exports (this file: the record, its reading and
 * writing); sync-exports and check judge each recorded file against what
 * the database would now write (exportsync.c). */
#include <errno.h>
#include <fcntl.h>
#include <hasht.h>
#include <limits.h>
#include <pk11pub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "exportrec.h"

#define RECORD_NAME "p11cert-exports"
#define RECORD_HEADER "# p11cert-exports 1: written by p11cert, see p11cert(1) sync-exports"
#define RECORD_FILE_MAX (1u << 20)
#define RECORDS_MAX 1000
#define LINE_MAX_LEN 16384

static const char *const kinds[] = {"trust", "cert", "key"};
static const char *const formats[] = {"pem", "der", "pkcs12"};
static const char *const usages[] = {"server", "client", "email"};

const char *p11c_export_kind_name(p11c_export_kind kind)
{
	return (int)kind >= 0 && (int)kind < 3 ? kinds[kind] : "unknown";
}

const char *p11c_export_format_name(p11c_export_format format)
{
	return (int)format >= 0 && (int)format < 3 ? formats[format] : "unknown";
}

void p11c_recs_free(p11c_recs *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->r[i].path);
		free(v->r[i].alias);
		free(v->r[i].key_out);
		free(v->r[i].pwfile);
	}
	free(v->r);
	v->r = NULL;
	v->n = 0;
}
static int word(const char *s, const char *const *list, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return i;
	return -1;
}
void p11c_export_digest(const unsigned char *data, size_t len, char out[65])
{
	unsigned char d[32];
	memset(d, 0, sizeof(d));
	PK11_HashBuf(SEC_OID_SHA256, d, data, (PRInt32)len);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}
void p11c_export_wipe_free(unsigned char *p, size_t n)
{
	if (p) {
		explicit_bzero(p, n);
		free(p);
	}
}
/* ---- the record file ---- */

/* Values are %-escaped: '%', and every byte below 0x21 or 0x7f. */
static void put_value(FILE *f, const char *key, const char *v)
{
	if (!v)
		return;
	fprintf(f, "\t%s=", key);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '%' || *p <= 0x20 || *p == 0x7f)
			fprintf(f, "%%%02X", *p);
		else
			fputc(*p, f);
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static char *unescape(const char *s)
{
	size_t n = strlen(s);
	char *o = malloc(n + 1), *q = o;
	if (!o)
		return NULL;
	for (const char *p = s; *p; p++) {
		if (*p != '%') {
			*q++ = *p;
			continue;
		}
		int a = hexval(p[1]), b = a < 0 ? -1 : hexval(p[2]);
		if (b < 0 || (a == 0 && b == 0)) {
			free(o);
			return NULL;
		}
		*q++ = (char)(a * 16 + b);
		p += 2;
	}
	*q = 0;
	return o;
}

static int parse_field(p11c_rec *r, char *field)
{
	char *eq = strchr(field, '=');
	if (!eq)
		return -1;
	*eq = 0;
	const char *k = field;
	char *v = unescape(eq + 1);
	if (!v)
		return -1;
	int ok = 0;
	if (!strcmp(k, "kind"))
		ok = (r->kind = word(v, kinds, 3)) >= 0;
	else if (!strcmp(k, "format"))
		ok = (r->format = word(v, formats, 3)) >= 0;
	else if (!strcmp(k, "usage"))
		ok = (r->usage = word(v, usages, 3)) >= 0;
	else if (!strcmp(k, "chain"))
		ok = (r->chain = !strcmp(v, "yes")) || !strcmp(v, "no");
	else if (!strcmp(k, "p12-profile"))
		ok = (r->compat = !strcmp(v, "compat")) || !strcmp(v, "modern");
	else if (!strcmp(k, "sha256"))
		ok = strlen(v) == 64 && strspn(v, "0123456789abcdef") == 64 &&
		     (memcpy(r->digest, v, 65), 1);
	else if (!strcmp(k, "path") && !r->path && v[0] == '/')
		return (r->path = v) ? 0 : -1;
	else if (!strcmp(k, "alias") && !r->alias && v[0])
		return (r->alias = v) ? 0 : -1;
	else if (!strcmp(k, "key-out") && !r->key_out && v[0] == '/')
		return (r->key_out = v) ? 0 : -1;
	else if (!strcmp(k, "p12-password-file") && !r->pwfile && v[0] == '/')
		return (r->pwfile = v) ? 0 : -1;
	free(v);
	return ok ? 0 : -1;
}

static int parse_line(p11c_rec *r, char *line)
{
	memset(r, 0, sizeof(*r));
	r->kind = r->format = r->usage = -1;
	char *save = NULL;
	for (char *f = strtok_r(line, "\t", &save); f; f = strtok_r(NULL, "\t", &save))
		if (parse_field(r, f))
			return -1;
	if (r->kind < 0 || r->format < 0 || !r->path || !r->digest[0])
		return -1;
	if (r->kind == P11C_EXPORT_TRUST &&
	    (r->usage < 0 || r->format == P11C_EXPORT_DER || r->alias))
		return -1;
	if (r->kind != P11C_EXPORT_TRUST && (!r->alias || r->usage >= 0))
		return -1;
	if (r->kind == P11C_EXPORT_KEY && r->format != P11C_EXPORT_PEM)
		return -1;
	return 0;
}

static void rec_clear(p11c_rec *r)
{
	free(r->path);
	free(r->alias);
	free(r->key_out);
	free(r->pwfile);
	memset(r, 0, sizeof(*r));
}

/* The record of dir: none is an empty list; a file that is not a regular
 * file of ours, mode 0600, of sane size and lines, is refused whole. */
int p11c_recs_read(p11c_db *db, const char *file, p11c_recs *v)
{
	p11c_read_opts ro = {
	    .max = RECORD_FILE_MAX,
	    .flags = P11C_READ_NOFOLLOW | P11C_READ_PRIVATE,
	    .what = "the export record",
	};
	unsigned char *data = NULL;
	size_t got = 0;
	v->r = NULL;
	v->n = 0;
	/* no record is an empty one (and one removed since the lstat too) */
	struct stat st;
	if (lstat(file, &st) != 0 && errno == ENOENT)
		return P11C_OK;
	int rc = p11c_file_read_with(db, file, &ro, &data, &got);
	if (rc == P11C_ENOTFOUND)
		return P11C_OK;
	if (rc)
		return rc;
	char *text = (char *)data;
	if (memchr(text, 0, got)) {
		rc = p11c_fail(db, P11C_EFAIL, "refusing the export record '%s': a NUL byte", file);
		goto out;
	}
	size_t lineno = 0;
	for (char *line = text, *next; line && *line; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (strlen(line) > LINE_MAX_LEN || v->n >= RECORDS_MAX) {
			rc = p11c_fail(
			    db, P11C_EFAIL,
			    "refusing the export record '%s': line %zu is too long or one "
			    "record too many (%d at most)",
			    file, lineno, RECORDS_MAX);
			goto out;
		}
		if (line[0] == '#' || line[0] == 0)
			continue;
		p11c_rec *r = P11C_VEC_PUSH(v->r, v->n);
		if (!r) {
			rc = p11c_fail(db, P11C_EFAIL, "out of memory");
			goto out;
		}
		/* a line parsed in part is freed with the list */
		if (parse_line(r, line)) {
			rc = p11c_fail(db, P11C_EFAIL,
			               "refusing the export record '%s': line %zu is "
			               "not a record p11cert writes",
			               file, lineno);
			goto out;
		}
	}
out:
	if (rc)
		p11c_recs_free(v);
	free(text);
	return rc;
}

int p11c_recs_write(p11c_db *db, const char *file, const p11c_recs *v)
{
	/* The text in memory, then the one atomic writer (mode 0600). */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	fprintf(f, "%s\n", RECORD_HEADER);
	for (size_t i = 0; i < v->n; i++) {
		const p11c_rec *r = &v->r[i];
		fprintf(f, "kind=%s", kinds[r->kind]);
		put_value(f, "format", formats[r->format]);
		put_value(f, "path", r->path);
		put_value(f, "alias", r->alias);
		if (r->kind == 0)
			put_value(f, "usage", usages[r->usage]);
		if (r->kind == 1 && r->format == 0)
			put_value(f, "chain", r->chain ? "yes" : "no");
		put_value(f, "key-out", r->key_out);
		if (r->format == 2 && r->kind == 1)
			put_value(f, "p12-profile", r->compat ? "compat" : "modern");
		put_value(f, "p12-password-file", r->pwfile);
		put_value(f, "sha256", r->digest);
		fputc('\n', f);
	}
	int failed = ferror(f);
	if (fclose(f) != 0 || failed || !text) {
		free(text);
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	}
	int rc = p11c_file_write(db, file, text, len, 0600);
	free(text);
	return rc;
}

/* One writer of the record at a time: a lock on the database directory. */
int p11c_recs_lock(p11c_db *db, const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return p11c_fail(db, P11C_EFAIL, "cannot lock '%s': %s", dir, strerror(e));
	}
	return fd;
}

char *p11c_recs_path(const p11c_db *db)
{
	size_t n = strlen(db->dir) + sizeof(RECORD_NAME) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", db->dir, RECORD_NAME);
	return p;
}

/* ---- the API ---- */

static char *absolute(const char *path)
{
	char *copy = strdup(path), *slash = copy ? strrchr(copy, '/') : NULL, *out = NULL;
	if (!copy)
		return NULL;
	const char *base = slash ? slash + 1 : copy;
	if (slash)
		*slash = 0;
	char *dir = realpath(slash ? (copy[0] ? copy : "/") : ".", NULL);
	if (dir && base[0]) {
		size_t n = strlen(dir) + strlen(base) + 2;
		if ((out = malloc(n)))
			snprintf(out, n, "%s/%s", strcmp(dir, "/") ? dir : "", base);
	}
	free(dir);
	free(copy);
	return out;
}

int p11c_export_record_add(p11c_db *db, const p11c_export_record *e)
{
	P11C_ARGS(db, P11C_DB(db), P11C_PTR(e), P11C_FIELD_NAME(e, path));
	if (e->size < sizeof(*e))
		return p11c_args_fail(db, __func__,
		                      "e->size is %zu, not sizeof(p11c_export_record) (%zu)",
		                      e->size, sizeof(*e));
	unsigned known = P11C_EXPORT_RECORD_CHAIN | P11C_EXPORT_RECORD_COMPAT;
	if (e->flags & ~known)
		return p11c_args_fail(db, __func__, "e->flags has unknown bits 0x%x",
		                      e->flags & ~known);
	int kind = (int)e->kind, format = (int)e->format, usage = (int)e->usage;
	if (kind < 0 || kind > 2 || format < 0 || format > 2 || !e->path || (kind && !e->alias) ||
	    (kind == P11C_EXPORT_TRUST && (usage < 0 || usage > P11C_USAGE_EMAIL)))
		return p11c_fail(db, P11C_EUSAGE, "not an export to record");
	int rc = p11c_require_open(db, 0);
	if (rc)
		return rc;
	p11c_rec r;
	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.format = format;
	r.usage = kind == P11C_EXPORT_TRUST ? usage : -1;
	r.chain = (e->flags & P11C_EXPORT_RECORD_CHAIN) != 0;
	r.compat = (e->flags & P11C_EXPORT_RECORD_COMPAT) != 0;
	r.path = absolute(e->path);
	r.alias = e->alias ? strdup(e->alias) : NULL;
	r.key_out = e->key_out ? absolute(e->key_out) : NULL;
	r.pwfile = e->p12_password_file ? absolute(e->p12_password_file) : NULL;
	char *file = p11c_recs_path(db);
	p11c_recs v = {NULL, 0};
	int lock = -1;
	if (!r.path || !file || (e->alias && !r.alias) || (e->key_out && !r.key_out) ||
	    (e->p12_password_file && !r.pwfile)) {
		rc = p11c_fail(db, P11C_EFAIL, "cannot record the export of '%s': %s", e->path,
		               strerror(errno ? errno : ENOMEM));
		goto out;
	}
	/* What it holds: the bytes of the file just written, or (PKCS#12) the
	 * certificates in it, as sync-exports will compare them. */
	if (r.format == P11C_EXPORT_PKCS12) {
		unsigned char *data = NULL;
		size_t len = 0;
		if ((rc = p11c_export_holdings(db, &r, &data, &len)))
			goto out;
		p11c_export_digest(data, len, r.digest);
		free(data);
	} else {
		unsigned char *data = NULL;
		size_t len = 0;
		if ((rc = p11c_file_read(db, r.path, &data, &len)))
			goto out;
		p11c_export_digest(data, len, r.digest);
		p11c_export_wipe_free(data, len);
	}
	if ((rc = lock = p11c_recs_lock(db, db->dir)) < 0)
		goto out;
	if ((rc = p11c_recs_read(db, file, &v)))
		goto out;
	size_t i;
	for (i = 0; i < v.n && strcmp(v.r[i].path, r.path); i++)
		;
	if (i == v.n) {
		if (v.n >= RECORDS_MAX || !P11C_VEC_PUSH(v.r, v.n)) {
			rc = p11c_fail(
			    db, P11C_EFAIL, "cannot record the export of '%s': %s", r.path,
			    v.n < RECORDS_MAX ? "out of memory" : "too many exports recorded");
			goto out;
		}
	} else {
		rec_clear(&v.r[i]);
	}
	v.r[i] = r;
	memset(&r, 0, sizeof(r));
	rc = p11c_recs_write(db, file, &v);
out:
	if (lock >= 0)
		close(lock);
	p11c_recs_free(&v);
	rec_clear(&r);
	free(file);
	return rc;
}
