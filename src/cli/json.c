/* SPDX-License-Identifier: MPL-2.0 */
#include <string.h>

#include "json.h"

void json_init(json_writer *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

static void indent(json_writer *w)
{
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

/* Before any value: a comma and a new line inside containers. */
static void value_prefix(json_writer *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->depth > 0) {
		if (w->count[w->depth]++)
			fputc(',', w->f);
		indent(w);
	}
}

static void open_(json_writer *w, char c)
{
	value_prefix(w);
	fputc(c, w->f);
	if (w->depth + 1 < JSON_MAX_DEPTH)
		w->depth++;
	w->count[w->depth] = 0;
}

static void close_(json_writer *w, char c)
{
	int had = w->count[w->depth];
	if (w->depth > 0)
		w->depth--;
	if (had)
		indent(w);
	fputc(c, w->f);
}

void json_object_begin(json_writer *w)
{
	open_(w, '{');
}

void json_object_end(json_writer *w)
{
	close_(w, '}');
}

void json_array_begin(json_writer *w)
{
	open_(w, '[');
}

void json_array_end(json_writer *w)
{
	close_(w, ']');
}

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned min;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	unsigned cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void write_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	fputc('"', f);
	while (*s) {
		size_t n = utf8_len(s);
		if (n == 0) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\r')
			fputs("\\r", f);
		else if (*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\u%04x", *s);
		else
			fwrite(s, 1, n, f);
		s += n;
	}
	fputc('"', f);
}

void json_key(json_writer *w, const char *key)
{
	value_prefix(w);
	write_string(w->f, key);
	fputs(": ", w->f);
	w->after_key = 1;
}

void json_string(json_writer *w, const char *s)
{
	if (!s) {
		json_null(w);
		return;
	}
	value_prefix(w);
	write_string(w->f, s);
}

void json_int(json_writer *w, long long v)
{
	value_prefix(w);
	fprintf(w->f, "%lld", v);
}

void json_bool(json_writer *w, int v)
{
	value_prefix(w);
	fputs(v ? "true" : "false", w->f);
}

void json_null(json_writer *w)
{
	value_prefix(w);
	fputs("null", w->f);
}

void json_end(json_writer *w)
{
	fputc('\n', w->f);
}
