/* SPDX-License-Identifier: MPL-2.0 */
/* Password files: the sslpassword.conf format ("TOKEN:password" lines,
 * msgcert's), and a file whose first line is one password. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define PWFILE_MAX (64 * 1024)

void p11c_secret_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

void p11c_pwfile_free(p11c_pwfile *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		p11c_secret_free(f->e[i].token);
		p11c_secret_free(f->e[i].pw);
		p11c_secret_free(f->e[i].line);
	}
	free(f->e);
	free(f);
}

static char *dup_range(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static int add_entry(p11c_pwfile *f, const char *line, size_t len)
{
	p11c_pw_entry *e = P11C_VEC_RESERVE(f->e, f->n, 1);
	if (!e)
		return -1;
	e->line = dup_range(line, len);
	if (!e->line)
		return -1;
	const char *colon = memchr(line, ':', len);
	if (colon) {
		e->token = dup_range(line, (size_t)(colon - line));
		e->pw = dup_range(colon + 1, len - (size_t)(colon - line) - 1);
		if (!e->token || !e->pw) {
			f->n++;
			return -1;
		}
	}
	f->n++;
	return 0;
}

p11c_pwfile *p11c_pwfile_parse(const char *text, size_t len, char *err, size_t errlen)
{
	p11c_pwfile *f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "it holds a NUL byte (not a text file)");
		goto fail;
	}
	size_t lineno = 0;
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		lineno++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > P11C_PW_MAX) {
			snprintf(err, errlen, "line %zu is longer than %d bytes", lineno,
			         P11C_PW_MAX);
			goto fail;
		}
		int blank = 1;
		for (size_t k = 0; k < n && blank; k++)
			blank = p[k] == ' ' || p[k] == '\t';
		if (!blank && p[0] != '#' && add_entry(f, p, n) < 0) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		p = nl ? nl + 1 : end;
	}
	return f;
fail:
	p11c_pwfile_free(f);
	return NULL;
}

static int is_internal_name(const char *s)
{
	return !strcmp(s, P11C_INTERNAL_NAME) || !strcmp(s, P11C_NSS_INTERNAL_NAME);
}

static int is_known(const char *s, const char *const *known)
{
	if (is_internal_name(s))
		return 1;
	for (; known && *known; known++)
		if (!strcmp(s, *known))
			return 1;
	return 0;
}

const char *p11c_pwfile_lookup(const p11c_pwfile *f, const char *token, int internal,
                               const char *const *known)
{
	if (!f)
		return NULL;
	for (size_t i = 0; i < f->n; i++) {
		const p11c_pw_entry *e = &f->e[i];
		if (!e->token)
			continue;
		if ((token && !strcmp(e->token, token)) || (internal && is_internal_name(e->token)))
			return e->pw;
	}
	if (!internal)
		return NULL;
	/* A bare line is the internal token's password; failing that, a line
	 * whose prefix names no token there (the password holds a ':'). */
	for (size_t i = 0; i < f->n; i++)
		if (!f->e[i].token)
			return f->e[i].line;
	for (size_t i = 0; i < f->n; i++)
		if (!is_known(f->e[i].token, known))
			return f->e[i].line;
	return NULL;
}

int p11c_secret_file_read(p11c_db *db, const char *path, char **out, size_t *len)
{
	p11c_read_opts ro = {.max = PWFILE_MAX,
	                     .flags = P11C_READ_NOFOLLOW | P11C_READ_PRIVATE | P11C_READ_SECRET,
	                     .what = "password file",
	                     .refused = P11C_EPASSWORD};
	unsigned char *text = NULL;
	int rc = p11c_file_read_with(db, path, &ro, &text, len);
	*out = (char *)text;
	return rc;
}

int p11c_db_set_password_file(p11c_db *db, const char *path)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(path));
	char *text = NULL;
	size_t len = 0;
	char err[256];
	int rc = p11c_secret_file_read(db, path, &text, &len);
	if (rc)
		return rc;
	p11c_pwfile *f = p11c_pwfile_parse(text, len, err, sizeof(err));
	explicit_bzero(text, len);
	free(text);
	if (!f)
		return p11c_fail(db, P11C_EPASSWORD, "cannot use password file '%s': %s", path,
		                 err);
	p11c_pwfile_free(db->pwf);
	free(db->pwf_path);
	db->pwf = f;
	db->pwf_path = strdup(path);
	return P11C_OK;
}

int p11c_password_file_read(p11c_db *db, const char *path, char **out)
{
	P11C_ARGS(db, P11C_DB(db), P11C_NAME(path), P11C_OUT(out));
	char *text = NULL;
	size_t len = 0;
	*out = NULL;
	int rc = p11c_secret_file_read(db, path, &text, &len);
	if (rc)
		return rc;
	if (memchr(text, '\0', len)) {
		p11c_secret_free(text);
		return p11c_fail(db, P11C_EPASSWORD, "password file '%s' holds a NUL byte", path);
	}
	size_t n = strcspn(text, "\r\n");
	if (n == 0 || n > P11C_PW_MAX) {
		explicit_bzero(text, len);
		free(text);
		return p11c_fail(db, P11C_EPASSWORD,
		                 "password file '%s' has no password on its first line", path);
	}
	*out = strndup(text, n);
	explicit_bzero(text, len);
	free(text);
	return *out ? P11C_OK : p11c_fail(db, P11C_EFAIL, "out of memory");
}

static void put(p11c_output *o, const char *s)
{
	p11c_output_write(o, s, strlen(s));
}

int p11c_pwfile_write(p11c_db *db, const char *path, const char *pw, const char *label,
                      const char *pin)
{
	p11c_output o;
	/* the database's own file: replaced whatever is there, as always */
	int rc = p11c_output_open_mode(db, path, 0600, P11C_OUTPUT_ANY_PATH, &o);
	if (rc)
		return rc;
	put(&o, P11C_INTERNAL_NAME ":");
	put(&o, pw);
	put(&o, "\n" P11C_NSS_INTERNAL_NAME ":");
	put(&o, pw);
	put(&o, "\n");
	if (label) {
		put(&o, label);
		put(&o, ":");
		put(&o, pin);
		put(&o, "\n");
	}
	return p11c_output_close(db, &o, 1);
}

/* Whether line (a whole entry) is a password line of token. */
static int line_kind(const char *line, size_t n, const char *label, int internal,
                     const char *const *known)
{
	const char *colon = memchr(line, ':', n);
	if (!colon)
		return internal ? 1 : 0; /* bare: the internal token's */
	char prefix[P11C_PW_MAX + 1];
	size_t pl = (size_t)(colon - line);
	memcpy(prefix, line, pl);
	prefix[pl] = '\0';
	if (internal && is_internal_name(prefix))
		return 1;
	if (!internal && label && !strcmp(prefix, label))
		return 1;
	if (internal && !is_known(prefix, known))
		return 2; /* read as a bare password holding ':' */
	return 0;
}

char *p11c_pwfile_replace(const char *text, size_t len, const char *label, int internal,
                          const char *const *known, const char *pw)
{
	/* First pass: do named or bare lines exist?  Then "x:y" lines of an
	 * unknown x are some absent token's, and stay. */
	int have_plain = 0;
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (n && p[0] != '#' && line_kind(p, n, label, internal, known) == 1)
			have_plain = 1;
		p = nl ? nl + 1 : end;
	}
	size_t cap = len + 2 * (strlen(pw) + 64) + (label ? strlen(label) : 0) + 1;
	size_t extra = 0;
	for (const char *p = text; p < text + len; p++)
		extra += *p == '\n';
	/* each line may grow by the password and a name given to a bare line */
	cap += (extra + 1) * (strlen(pw) + sizeof(P11C_INTERNAL_NAME) + 2);
	char *out = malloc(cap), *o = out;
	if (!out)
		return NULL;
	int replaced = 0, named[2] = {0, 0}; /* the internal token's two names seen */
	int took_unknown = 0;                /* the one "x:y" line read as the password */
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t whole = nl ? (size_t)(nl - p) : (size_t)(end - p), n = whole;
		if (n && p[n - 1] == '\r')
			n--;
		int blank = 1;
		for (size_t k = 0; k < n && blank; k++)
			blank = p[k] == ' ' || p[k] == '\t';
		int kind = blank || p[0] == '#' ? 0 : line_kind(p, n, label, internal, known);
		if (kind == 2 && (have_plain || took_unknown))
			kind = 0; /* some absent token's line: it stays */
		if (kind == 2)
			took_unknown = 1;
		if (kind == 1 || kind == 2) {
			/* a bare line becomes a named one: a new password that starts
			 * with '#' or holds a token's name and ':' stays a password */
			const char *colon = kind == 1 ? memchr(p, ':', n) : NULL;
			if (colon) {
				memcpy(o, p, (size_t)(colon - p) + 1);
				o += colon - p + 1;
			} else {
				o += sprintf(o, "%s:", P11C_INTERNAL_NAME);
			}
			size_t pl = colon ? (size_t)(colon - p) : strlen(P11C_INTERNAL_NAME);
			const char *pre = colon ? p : P11C_INTERNAL_NAME;
			named[0] |= pl == strlen(P11C_INTERNAL_NAME) &&
			            !memcmp(pre, P11C_INTERNAL_NAME, pl);
			named[1] |= pl == strlen(P11C_NSS_INTERNAL_NAME) &&
			            !memcmp(pre, P11C_NSS_INTERNAL_NAME, pl);
			o += sprintf(o, "%s\n", pw);
			replaced = 1;
		} else {
			memcpy(o, p, whole);
			o += whole;
			*o++ = '\n';
		}
		p = nl ? nl + 1 : end;
	}
	/* the internal password under both names: msgcert-era servers read
	 * one, NSS's own tools the other */
	if (internal && !named[0])
		o += sprintf(o, "%s:%s\n", P11C_INTERNAL_NAME, pw);
	if (internal && !named[1])
		o += sprintf(o, "%s:%s\n", P11C_NSS_INTERNAL_NAME, pw);
	if (!replaced && !internal)
		o += sprintf(o, "%s:%s\n", label, pw);
	*o = '\0';
	return out;
}
