/* SPDX-License-Identifier: MPL-2.0 */
/* Column tables as msgcert prints them: each column as wide as its widest
 * cell, two spaces between columns, a dashed rule under the header. */
#ifndef P11C_TABLE_H
#define P11C_TABLE_H

#include <stdio.h>

typedef struct table table;

table *table_new(size_t ncols, const char *const *headers);
/* Add a row of ncols cells (copied). */
int table_add(table *t, const char *const *cells);
size_t table_rows(const table *t);
void table_print(const table *t, FILE *f);
void table_free(table *t);
/* Display width of a UTF-8 string (code points). */
size_t table_width(const char *s);

#endif
