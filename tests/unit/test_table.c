/* SPDX-License-Identifier: MPL-2.0 */
/* Column tables: widths, separators, the rule and UTF-8 widths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "table.h"

/* What table_print writes, as a malloc'd string.  Not inlined: GCC 12 at
 * -O3 takes the returned buffer for the local pointer open_memstream
 * filled (-Wdangling-pointer, a false alarm). */
__attribute__((noinline)) static char *render(const table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	table_print(t, f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

static table *two_columns(void)
{
	static const char *const headers[] = {"Alias", "Token"};
	table *t = table_new(2, headers);
	assert_non_null(t);
	return t;
}

static void add_row(table *t, const char *a, const char *b)
{
	const char *const cells[] = {a, b};
	assert_int_equal(table_add(t, cells), 0);
}

static void assert_table(const table *t, const char *want)
{
	char *got = render(t);
	assert_string_equal(got, want);
	free(got);
}

static void test_table_empty_prints_header_and_rule(void **state)
{
	(void)state;
	table *t = two_columns();
	assert_table(t, "Alias  Token\n"
	                "-----  -----\n");
	table_free(t);
}

static void test_table_column_as_wide_as_widest_cell(void **state)
{
	(void)state;
	table *t = two_columns();
	add_row(t, "smtp", "internal");
	add_row(t, "a-much-longer-alias", "x");
	assert_table(t, "Alias                Token\n"
	                "-------------------  --------\n"
	                "smtp                 internal\n"
	                "a-much-longer-alias  x\n");
	table_free(t);
}

static void test_table_column_as_wide_as_header(void **state)
{
	(void)state;
	static const char *const headers[] = {"Certificate", "Trust"};
	table *t = table_new(2, headers);
	assert_non_null(t);
	add_row(t, "a", "CT,,");
	assert_table(t, "Certificate  Trust\n"
	                "-----------  -----\n"
	                "a            CT,,\n");
	table_free(t);
}

static void test_table_two_spaces_between_columns(void **state)
{
	(void)state;
	static const char *const headers[] = {"A", "B", "C"};
	table *t = table_new(3, headers);
	assert_non_null(t);
	const char *const row[] = {"x", "y", "z"};
	assert_int_equal(table_add(t, row), 0);
	assert_table(t, "A  B  C\n"
	                "-  -  -\n"
	                "x  y  z\n");
	table_free(t);
}

static void test_table_last_column_not_padded(void **state)
{
	(void)state;
	table *t = two_columns();
	add_row(t, "a", "long token label");
	add_row(t, "b", "t");
	char *got = render(t);
	for (char *line = strtok(got, "\n"); line; line = strtok(NULL, "\n"))
		if (line[strlen(line) - 1] == ' ')
			fail_msg("trailing space in '%s'", line);
	free(got);
	table_free(t);
}

static void test_table_rule_as_wide_as_each_column(void **state)
{
	(void)state;
	static const char *const headers[] = {"N", "Subject", "Expires"};
	table *t = table_new(3, headers);
	assert_non_null(t);
	const char *const row[] = {"12345", "CN=a", "2030-01-01"};
	assert_int_equal(table_add(t, row), 0);
	char *got = render(t);
	const char *rule = strchr(got, '\n');
	assert_non_null(rule);
	rule++;
	const char *want = "-----  -------  ----------\n";
	assert_memory_equal(rule, want, strlen(want));
	free(got);
	table_free(t);
}

static void test_table_width_counts_code_points(void **state)
{
	(void)state;
	assert_int_equal(table_width("Z\xc3\xbcrich"), 6);
	assert_int_equal(table_width("\xe2\x82\xac"), 1);
	assert_int_equal(table_width("\xf0\x9f\x94\x92"), 1);
	assert_int_equal(table_width(""), 0);
	assert_int_equal(table_width("plain"), 5);
}

static void test_table_utf8_cell_aligned_by_code_points(void **state)
{
	(void)state;
	static const char *const headers[] = {"City", "Country"};
	table *t = table_new(2, headers);
	assert_non_null(t);
	add_row(t, "Z\xc3\xbcrich", "CH");
	add_row(t, "Bern", "CH");
	assert_table(t, "City    Country\n"
	                "------  -------\n"
	                "Z\xc3\xbcrich  CH\n"
	                "Bern    CH\n");
	table_free(t);
}

static void test_table_utf8_header_rule_by_code_points(void **state)
{
	(void)state;
	static const char *const headers[] = {"Gr\xc3\xb6\xc3\x9f"
	                                      "e",
	                                      "X"};
	table *t = table_new(2, headers);
	assert_non_null(t);
	add_row(t, "1", "2");
	assert_table(t, "Gr\xc3\xb6\xc3\x9f"
	                "e  X\n"
	                "-----  -\n"
	                "1      2\n");
	table_free(t);
}

static void test_table_null_cell_printed_empty(void **state)
{
	(void)state;
	static const char *const headers[] = {"A", "B", "C"};
	table *t = table_new(3, headers);
	assert_non_null(t);
	const char *const row[] = {"x", NULL, "z"};
	assert_int_equal(table_add(t, row), 0);
	assert_table(t, "A  B  C\n"
	                "-  -  -\n"
	                "x     z\n");
	table_free(t);
}

static void test_table_rows_counts_added_rows(void **state)
{
	(void)state;
	table *t = two_columns();
	assert_int_equal(table_rows(t), 0);
	add_row(t, "a", "b");
	assert_int_equal(table_rows(t), 1);
	add_row(t, "c", "d");
	assert_int_equal(table_rows(t), 2);
	table_free(t);
}

static void test_table_cells_are_copied(void **state)
{
	(void)state;
	table *t = two_columns();
	char a[] = "alias";
	char b[] = "token";
	add_row(t, a, b);
	memset(a, 'X', sizeof(a) - 1);
	memset(b, 'Y', sizeof(b) - 1);
	assert_table(t, "Alias  Token\n"
	                "-----  -----\n"
	                "alias  token\n");
	table_free(t);
}

static void test_table_free_null_is_harmless(void **state)
{
	(void)state;
	table_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_empty_prints_header_and_rule),
	    cmocka_unit_test(test_table_column_as_wide_as_widest_cell),
	    cmocka_unit_test(test_table_column_as_wide_as_header),
	    cmocka_unit_test(test_table_two_spaces_between_columns),
	    cmocka_unit_test(test_table_last_column_not_padded),
	    cmocka_unit_test(test_table_rule_as_wide_as_each_column),
	    cmocka_unit_test(test_table_width_counts_code_points),
	    cmocka_unit_test(test_table_utf8_cell_aligned_by_code_points),
	    cmocka_unit_test(test_table_utf8_header_rule_by_code_points),
	    cmocka_unit_test(test_table_null_cell_printed_empty),
	    cmocka_unit_test(test_table_rows_counts_added_rows),
	    cmocka_unit_test(test_table_cells_are_copied),
	    cmocka_unit_test(test_table_free_null_is_harmless),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
