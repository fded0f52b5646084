/* SPDX-License-Identifier: MPL-2.0 */
/* A small JSON writer: escaping, nesting and commas in one place. */
#ifndef P11C_JSON_H
#define P11C_JSON_H

#include <stdio.h>

#define JSON_MAX_DEPTH 32

typedef struct {
	FILE *f;
	int depth;
	int count[JSON_MAX_DEPTH]; /* values written at each level */
	int after_key;
} json_writer;

void json_init(json_writer *w, FILE *f);
void json_object_begin(json_writer *w);
void json_object_end(json_writer *w);
void json_array_begin(json_writer *w);
void json_array_end(json_writer *w);
void json_key(json_writer *w, const char *key);
/* A string value; NULL writes null.  Invalid UTF-8 becomes U+FFFD. */
void json_string(json_writer *w, const char *s);
void json_int(json_writer *w, long long v);
void json_bool(json_writer *w, int v);
void json_null(json_writer *w);
/* Finish the document with a newline. */
void json_end(json_writer *w);

#endif
