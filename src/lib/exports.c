/* SPDX-License-Identifier: MPL-2.0 */
/* Exports that stay true: export-cert and export-trust record what they
 * wrote in DIR/p11cert-exports; sync-exports writes again each recorded
 * file whose content the database would now make differently, and check
 * reports the stale and missing ones. */
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
#include "internal.h"

#define RECORD_NAME "p11cert-exports"
#define RECORD_HEADER "# p11cert-exports 1: written by p11cert, see p11cert(1) sync-exports"
#define RECORD_FILE_MAX (1u << 20)
#define RECORDS_MAX 1000
#define LINE_MAX_LEN 16384

typedef struct {
	int kind, format, usage, chain, compat;
	char *path, *alias, *key_out, *pwfile;
	char digest[65]; /* SHA-256 of what was written (PKCS#12: of what it holds) */
} rec;

typedef struct {
	rec *r;
	size_t n;
} recs;

static const char *const kinds[] = {"trust", "cert", "key"};
static const char *const formats[] = {"pem", "der", "pkcs12"};
static const char *const usages[] = {"server", "client", "email"};

static void recs_free(recs *v)
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

static void sha256_hex(const unsigned char *data, size_t len, char out[65])
{
	unsigned char d[32];
	memset(d, 0, sizeof(d));
	PK11_HashBuf(SEC_OID_SHA256, d, data, (PRInt32)len);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
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

static int parse_field(rec *r, char *field)
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

static int parse_line(rec *r, char *line)
{
	memset(r, 0, sizeof(*r));
	r->kind = r->format = r->usage = -1;
	char *save = NULL;
	for (char *f = strtok_r(line, "\t", &save); f; f = strtok_r(NULL, "\t", &save))
		if (parse_field(r, f))
			return -1;
	if (r->kind < 0 || r->format < 0 || !r->path || !r->digest[0])
		return -1;
	if (r->kind == 0 && (r->usage < 0 || r->format == 1 || r->alias))
		return -1;
	if (r->kind != 0 && (!r->alias || r->usage >= 0))
		return -1;
	if (r->kind == 2 && r->format != 0)
		return -1;
	return 0;
}

static void rec_clear(rec *r)
{
	free(r->path);
	free(r->alias);
	free(r->key_out);
	free(r->pwfile);
	memset(r, 0, sizeof(*r));
}

/* The record of dir: none is an empty list; a file that is not a regular
 * file of ours, mode 0600, of sane size and lines, is refused whole. */
static int recs_read(p11c_db *db, const char *file, recs *v)
{
	v->r = NULL;
	v->n = 0;
	int fd = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return P11C_OK;
	if (fd < 0)
		return p11c_fail(db, P11C_EFAIL, "cannot read the export record '%s': %s", file,
		                 errno == ELOOP ? "it is a symbolic link" : strerror(errno));
	struct stat st;
	int rc = P11C_OK;
	char *text = NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		rc = p11c_fail(db, P11C_EFAIL,
		               "cannot read the export record '%s': not a regular file", file);
		goto out;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		rc = p11c_fail(
		    db, P11C_EFAIL,
		    "refusing the export record '%s': mode %04o owner %u, wanted 0600 and "
		    "owner %u",
		    file, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)geteuid());
		goto out;
	}
	if (st.st_size > (off_t)RECORD_FILE_MAX) {
		rc = p11c_fail(db, P11C_EFAIL,
		               "refusing the export record '%s': %lld bytes, over %u", file,
		               (long long)st.st_size, RECORD_FILE_MAX);
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	ssize_t got = read(fd, text, (size_t)st.st_size);
	if (got != st.st_size) {
		rc = p11c_fail(db, P11C_EFAIL, "cannot read the export record '%s'", file);
		goto out;
	}
	text[got] = 0;
	if (memchr(text, 0, (size_t)got)) {
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
		rec *grown = realloc(v->r, (v->n + 1) * sizeof(*grown));
		if (!grown) {
			rc = p11c_fail(db, P11C_EFAIL, "out of memory");
			goto out;
		}
		v->r = grown;
		if (parse_line(&v->r[v->n], line)) {
			rec_clear(&v->r[v->n]);
			rc = p11c_fail(db, P11C_EFAIL,
			               "refusing the export record '%s': line %zu is "
			               "not a record p11cert writes",
			               file, lineno);
			goto out;
		}
		v->n++;
	}
out:
	if (rc)
		recs_free(v);
	free(text);
	close(fd);
	return rc;
}

static int recs_write(p11c_db *db, const char *file, const recs *v)
{
	p11c_output o;
	int rc = p11c_output_open(db, file, &o);
	if (rc)
		return rc;
	FILE *f = fdopen(dup(o.fd), "w");
	if (!f) {
		p11c_output_close(db, &o, 0);
		return p11c_fail(db, P11C_EFAIL, "cannot write '%s': %s", file, strerror(errno));
	}
	fprintf(f, "%s\n", RECORD_HEADER);
	for (size_t i = 0; i < v->n; i++) {
		const rec *r = &v->r[i];
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
	if (fclose(f) != 0)
		o.failed = errno ? errno : EIO;
	return p11c_output_close(db, &o, 1);
}

/* One writer of the record at a time: a lock on the database directory. */
static int lock_dir(p11c_db *db, const char *dir)
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

static char *record_path(const p11c_db *db)
{
	size_t n = strlen(db->dir) + sizeof(RECORD_NAME) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", db->dir, RECORD_NAME);
	return p;
}

/* ---- what the database would write now ---- */

/* A temporary file in path's directory, for output that must not be seen
 * half-written (or, for a key, anywhere else). */
static int temp_beside(p11c_db *db, const char *path, char **out)
{
	size_t n = strlen(path) + 16;
	char *t = malloc(n);
	if (!t)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	snprintf(t, n, "%s.sync.XXXXXX", path);
	int fd = mkostemp(t, O_CLOEXEC);
	if (fd < 0) {
		int rc = p11c_fail(db, P11C_EFAIL, "cannot write beside '%s': %s", path,
		                   strerror(errno));
		free(t);
		return rc;
	}
	close(fd);
	*out = t;
	return P11C_OK;
}

static void wipe_free(unsigned char *p, size_t n)
{
	if (p) {
		explicit_bzero(p, n);
		free(p);
	}
}

/* The certificates a PKCS#12 export holds, as the database has them now:
 * what its digest is taken of (its bytes differ every time: random salt). */
static int holdings(p11c_db *db, const rec *r, unsigned char **out, size_t *len)
{
	size_t count;
	if (r->kind == 0)
		return p11c_export_trust(db, r->usage, 0, NULL, out, len, &count);
	return p11c_export_certs(db, r->alias, 1, 1, out, len);
}

/* The file the record would be now, in *tmp beside its path (written
 * only when write, or always for a key: NSS gives it out only as a
 * file); *digest of it (PKCS#12: of its holdings). */
static int render(p11c_db *db, const rec *r, const char *pw, int write, char **tmp, char digest[65])
{
	unsigned char *data = NULL;
	size_t len = 0, count;
	int rc;
	*tmp = NULL;
	if (r->format == 2) {
		if ((rc = holdings(db, r, &data, &len)))
			return rc;
		sha256_hex(data, len, digest);
		free(data);
		data = NULL;
		if (!write)
			return P11C_OK;
		if ((rc = temp_beside(db, r->path, tmp)))
			return rc;
		if (r->kind == 1)
			return p11c_export_p12(db, r->alias, pw, r->compat, *tmp);
		if ((rc = p11c_export_trust(db, r->usage, 1, pw, &data, &len, &count)))
			return rc;
	} else if (r->kind == 2) {
		if ((rc = temp_beside(db, r->path, tmp)))
			return rc;
		if ((rc = p11c_export_key(db, r->alias, *tmp)))
			return rc;
		if ((rc = p11c_file_read(db, *tmp, &data, &len)))
			return rc;
		sha256_hex(data, len, digest);
		wipe_free(data, len);
		return P11C_OK;
	} else {
		rc = r->kind == 0
		         ? p11c_export_trust(db, r->usage, 0, NULL, &data, &len, &count)
		         : p11c_export_certs(db, r->alias, r->chain, r->format == 0, &data, &len);
		if (rc)
			return rc;
		sha256_hex(data, len, digest);
		if (!write) {
			free(data);
			return P11C_OK;
		}
		if ((rc = temp_beside(db, r->path, tmp))) {
			free(data);
			return rc;
		}
	}
	p11c_output o;
	if ((rc = p11c_output_open(db, *tmp, &o)) == P11C_OK) {
		p11c_output_write(&o, data, len);
		rc = p11c_output_close(db, &o, 1);
	}
	wipe_free(data, len);
	return rc;
}

/* Put tmp in path's place with path's mode and owner (a new file: 0600
 * for keys and PKCS#12, else 0644, as the export commands make them). */
static int replace(p11c_db *db, const rec *r, const char *tmp)
{
	struct stat st;
	mode_t mode = (r->kind == 2 || r->format == 2) ? 0600 : 0644;
	int fd = open(tmp, O_RDONLY | O_CLOEXEC), rc = P11C_OK;
	if (fd < 0)
		return p11c_fail(db, P11C_EFAIL, "cannot open '%s': %s", tmp, strerror(errno));
	if (stat(r->path, &st) == 0) {
		if (fchown(fd, st.st_uid, st.st_gid) != 0) {
			rc = p11c_fail(db, P11C_EFAIL, "cannot give '%s' the owner of '%s': %s",
			               tmp, r->path, strerror(errno));
			goto out;
		}
		mode = st.st_mode & 07777;
	}
	if (fchmod(fd, mode) != 0 || fsync(fd) != 0 || rename(tmp, r->path) != 0)
		rc = p11c_fail(db, P11C_EFAIL, "cannot replace '%s': %s", r->path, strerror(errno));
out:
	close(fd);
	return rc;
}

static char *command_text(const rec *r)
{
	char buf[8192];
	if (r->kind == 0)
		snprintf(buf, sizeof(buf), "export-trust --usage %s --format %s%s%s -o %s",
		         usages[r->usage], r->format == 2 ? "pkcs12" : "pem",
		         r->pwfile ? " --p12-password-file " : "", r->pwfile ? r->pwfile : "",
		         r->path);
	else if (r->kind == 2)
		snprintf(buf, sizeof(buf), "export-cert --format pem --key-out %s %s", r->path,
		         r->alias);
	else
		snprintf(buf, sizeof(buf), "export-cert --format %s%s%s%s%s%s%s -o %s %s",
		         formats[r->format], r->chain ? " --chain" : "",
		         r->key_out ? " --key-out " : "", r->key_out ? r->key_out : "",
		         r->compat ? " --p12-profile compat" : "",
		         r->pwfile ? " --p12-password-file " : "", r->pwfile ? r->pwfile : "",
		         r->path, r->alias);
	return strdup(buf);
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
	int rc = p11c_require_open(db, 0);
	if (rc)
		return rc;
	if (!e || e->size < sizeof(*e) || e->kind < 0 || e->kind > 2 || e->format < 0 ||
	    e->format > 2 || !e->path || (e->kind && !e->alias) ||
	    (e->kind == 0 && (e->usage < 0 || e->usage > 2)))
		return p11c_fail(db, P11C_EUSAGE, "not an export to record");
	rec r;
	memset(&r, 0, sizeof(r));
	r.kind = e->kind;
	r.format = e->format;
	r.usage = e->kind == 0 ? e->usage : -1;
	r.chain = e->chain;
	r.compat = e->compat;
	r.path = absolute(e->path);
	r.alias = e->alias ? strdup(e->alias) : NULL;
	r.key_out = e->key_out ? absolute(e->key_out) : NULL;
	r.pwfile = e->p12_password_file ? absolute(e->p12_password_file) : NULL;
	char *file = record_path(db);
	recs v = {NULL, 0};
	int lock = -1;
	if (!r.path || !file || (e->alias && !r.alias) || (e->key_out && !r.key_out) ||
	    (e->p12_password_file && !r.pwfile)) {
		rc = p11c_fail(db, P11C_EFAIL, "cannot record the export of '%s': %s", e->path,
		               strerror(errno ? errno : ENOMEM));
		goto out;
	}
	/* What it holds: the bytes of the file just written, or (PKCS#12) the
	 * certificates in it, as sync-exports will compare them. */
	if (r.format == 2) {
		unsigned char *data = NULL;
		size_t len = 0;
		if ((rc = holdings(db, &r, &data, &len)))
			goto out;
		sha256_hex(data, len, r.digest);
		free(data);
	} else {
		unsigned char *data = NULL;
		size_t len = 0;
		if ((rc = p11c_file_read(db, r.path, &data, &len)))
			goto out;
		sha256_hex(data, len, r.digest);
		wipe_free(data, len);
	}
	if ((rc = lock = lock_dir(db, db->dir)) < 0)
		goto out;
	if ((rc = recs_read(db, file, &v)))
		goto out;
	size_t i;
	for (i = 0; i < v.n && strcmp(v.r[i].path, r.path); i++)
		;
	if (i == v.n) {
		rec *grown = v.n < RECORDS_MAX ? realloc(v.r, (v.n + 1) * sizeof(*grown)) : NULL;
		if (!grown) {
			rc = p11c_fail(
			    db, P11C_EFAIL, "cannot record the export of '%s': %s", r.path,
			    v.n < RECORDS_MAX ? "out of memory" : "too many exports recorded");
			goto out;
		}
		v.r = grown;
		v.n++;
	} else {
		rec_clear(&v.r[i]);
	}
	v.r[i] = r;
	memset(&r, 0, sizeof(r));
	rc = recs_write(db, file, &v);
out:
	if (lock >= 0)
		close(lock);
	recs_free(&v);
	rec_clear(&r);
	free(file);
	return rc;
}

void p11c_export_status_free(p11c_export_status *s, size_t n)
{
	if (!s)
		return;
	for (size_t i = 0; i < n; i++) {
		free(s[i].path);
		free(s[i].command);
		free(s[i].message);
	}
	free(s);
}

/* Judge (and unless dry_run, write again) one record; its digest is
 * updated when it was written. */
static void sync_one(p11c_db *db, rec *r, int dry_run, p11c_export_status *s, int *changed)
{
	char digest[65] = "", *tmp = NULL, *pw = NULL, msg[1200];
	unsigned char *now = NULL;
	size_t len = 0;
	struct stat st;
	int missing = stat(r->path, &st) != 0 && errno == ENOENT;
	int write = !dry_run && r->format != 2; /* PKCS#12: written only when needed */
	const char *why;
	int rc = P11C_OK;
	msg[0] = 0;
	/* As the export commands do: a link or a device is not replaced. */
	if (p11c_output_path_check(r->path, &why) != P11C_OK) {
		s->state = P11C_EXPORT_FAILED;
		snprintf(msg, sizeof(msg), "it is %s, not a regular file", why);
		goto out;
	}
	if ((rc = render(db, r, NULL, write, &tmp, digest))) {
		s->state = P11C_EXPORT_FAILED;
		snprintf(msg, sizeof(msg), "%s", p11c_last_error(db));
		goto out;
	}
	if (missing) {
		s->state = P11C_EXPORT_MISSING;
		snprintf(msg, sizeof(msg), "the file is missing");
	} else if (r->format == 2) {
		if (strcmp(digest, r->digest)) {
			s->state = P11C_EXPORT_STALE;
			snprintf(msg, sizeof(msg),
			         "the certificates it holds changed in the database");
		}
	} else if (p11c_file_read(db, r->path, &now, &len) != P11C_OK) {
		s->state = P11C_EXPORT_STALE;
		snprintf(msg, sizeof(msg), "%s", p11c_last_error(db));
	} else {
		char have[65];
		sha256_hex(now, len, have);
		wipe_free(now, len);
		if (strcmp(have, digest)) {
			s->state = P11C_EXPORT_STALE;
			snprintf(msg, sizeof(msg), "%s",
			         strcmp(have, r->digest)
			             ? "the file was changed since it was written"
			             : "the database holds something else now");
		}
	}
	if (s->state == P11C_EXPORT_CURRENT || dry_run)
		goto out;
	if (r->format == 2) {
		if (!r->pwfile) {
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
			         "; skipped: no --p12-password-file was recorded for its password");
			s->state = P11C_EXPORT_NEEDS_PASSWORD;
			goto out;
		}
		if ((rc = p11c_password_file_read(db, r->pwfile, &pw)) ||
		    (rc = render(db, r, pw, 1, &tmp, digest))) {
			snprintf(msg, sizeof(msg), "%s", p11c_last_error(db));
			s->state = P11C_EXPORT_FAILED;
			goto out;
		}
	}
	if (replace(db, r, tmp)) {
		snprintf(msg, sizeof(msg), "%s", p11c_last_error(db));
		s->state = P11C_EXPORT_FAILED;
		goto out;
	}
	free(tmp);
	tmp = NULL;
	memcpy(r->digest, digest, sizeof(digest));
	s->rewritten = 1;
	*changed = 1;
out:
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	if (pw) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	s->message = msg[0] ? strdup(msg) : NULL;
}

int p11c_exports_sync(p11c_db *db, int dry_run, p11c_export_status **out, size_t *n)
{
	P11C_ARGS(db, P11C_DB(db), P11C_RANGE(dry_run, 0, 1), P11C_OUT(out), P11C_OUT(n));
	*out = NULL;
	*n = 0;
	int rc = p11c_require_open(db, 0);
	if (rc)
		return rc;
	char *file = record_path(db);
	if (!file)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	recs v = {NULL, 0};
	int lock = -1, changed = 0;
	p11c_export_status *s = NULL;
	if (!dry_run && (rc = lock = lock_dir(db, db->dir)) < 0)
		goto out;
	if ((rc = recs_read(db, file, &v)) || v.n == 0)
		goto out;
	if (!(s = calloc(v.n, sizeof(*s)))) {
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < v.n; i++) {
		s[i].path = strdup(v.r[i].path);
		s[i].command = command_text(&v.r[i]);
		sync_one(db, &v.r[i], dry_run, &s[i], &changed);
	}
	*out = s;
	*n = v.n;
	s = NULL;
	if (changed && (rc = recs_write(db, file, &v)))
		p11c_warn(db, "the files were written, but not their new digests: %s",
		          p11c_last_error(db));
	rc = P11C_OK;
out:
	if (lock >= 0)
		close(lock);
	recs_free(&v);
	free(file);
	free(s);
	return rc;
}
