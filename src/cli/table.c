/* SPDX-License-Identifier: MPL-2.0 */
#include <stdlib.h>
#include <string.h>

#include "../lib/vec.h"
#include "table.h"

struct table {
	size_t ncols, nrows;
	char **cells; /* (nrows + 1) * ncols, the header first */
};

size_t table_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

table *table_new(size_t ncols, const char *const *headers)
{
	table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ncols = ncols;
	if (table_add(t, headers) < 0) {
		table_free(t);
		return NULL;
	}
	t->nrows = 0;
	return t;
}

int table_add(table *t, const char *const *cells)
{
	size_t have = (t->cells ? t->nrows + 1 : 0) * t->ncols;
	if (!P11C_VEC_RESERVE(t->cells, have, t->ncols))
		return -1;
	char **c = t->cells;
	for (size_t i = 0; i < t->ncols; i++)
		c[have + i] = strdup(cells[i] ? cells[i] : "");
	for (size_t i = 0; i < t->ncols; i++) {
		if (c[have + i])
			continue;
		for (size_t k = 0; k < t->ncols; k++)
			free(c[have + k]);
		return -1;
	}
	if (have)
		t->nrows++;
	return 0;
}

size_t table_rows(const table *t)
{
	return t->nrows;
}

static void pad(FILE *f, size_t n)
{
	while (n-- > 0)
		fputc(' ', f);
}

void table_print(const table *t, FILE *f)
{
	size_t *w = calloc(t->ncols, sizeof(*w));
	if (!w)
		return;
	for (size_t r = 0; r <= t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t n = table_width(t->cells[r * t->ncols + c]);
			if (n > w[c])
				w[c] = n;
		}
	for (size_t r = 0; r <= t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			fputs(cell, f);
			if (c + 1 < t->ncols)
				pad(f, w[c] - table_width(cell) + 2);
		}
		fputc('\n', f);
		if (r > 0)
			continue;
		for (size_t c = 0; c < t->ncols; c++) {
			for (size_t i = 0; i < w[c]; i++)
				fputc('-', f);
			if (c + 1 < t->ncols)
				pad(f, 2);
		}
		fputc('\n', f);
	}
	free(w);
}

void table_free(table *t)
{
	if (!t)
		return;
	size_t n = (t->nrows + 1) * t->ncols;
	for (size_t i = 0; t->cells && i < n; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
