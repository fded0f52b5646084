/* SPDX-License-Identifier: MPL-2.0 */
/* The 'args' test's part for token.h: tokens and modules: each function
 * with NULL and bad arguments (argstest.h, test_args.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "argstest.h"

void test_args_p11c_token_label(void **state)
{
	p11c_db *db = *state;
	char *label = NULL;
	NO_DB(p11c_token_label(NULL, "internal", &label), p11c_token_label);
	USAGE(db, p11c_token_label(db, NULL, &label), p11c_token_label, "token is NULL");
	USAGE(db, p11c_token_label(db, "", &label), p11c_token_label, "token is empty");
	USAGE(db, p11c_token_label(db, "internal", NULL), p11c_token_label, "label is NULL");
	no_failures();
}

void test_args_p11c_token_list(void **state)
{
	p11c_db *db = *state;
	p11c_token_listing *list = (p11c_token_listing *)&list; /* not NULL */
	NO_DB(p11c_token_list(NULL, &list), p11c_token_list);
	USAGE(db, p11c_token_list(db, NULL), p11c_token_list, "out is NULL");
	CLOSED(p11c_token_list(db, &list));
	assert_null(list); /* out-parameters cleared, as on any failure */
	no_failures();
}

/* The listing's and the token's accessors take no handle: NULL gives
 * nothing, no crash. */
void test_args_p11c_token_listing_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_token_listing_count(NULL), 0);
}

void test_args_p11c_token_listing_get(void **state)
{
	(void)state;
	assert_null(p11c_token_listing_get(NULL, 0));
}

void test_args_p11c_token_listing_free(void **state)
{
	(void)state;
	p11c_token_listing_free(NULL);
}

void test_args_p11c_token_module(void **state)
{
	(void)state;
	assert_null(p11c_token_module(NULL));
}

void test_args_p11c_token_module_path(void **state)
{
	(void)state;
	assert_null(p11c_token_module_path(NULL));
}

void test_args_p11c_token_slot(void **state)
{
	(void)state;
	assert_null(p11c_token_slot(NULL));
}

void test_args_p11c_token_name(void **state)
{
	(void)state;
	assert_null(p11c_token_name(NULL));
}

void test_args_p11c_token_manufacturer(void **state)
{
	(void)state;
	assert_null(p11c_token_manufacturer(NULL));
}

void test_args_p11c_token_model(void **state)
{
	(void)state;
	assert_null(p11c_token_model(NULL));
}

void test_args_p11c_token_serial(void **state)
{
	(void)state;
	assert_null(p11c_token_serial(NULL));
}

void test_args_p11c_token_uri(void **state)
{
	(void)state;
	assert_null(p11c_token_uri(NULL));
}

void test_args_p11c_token_flags(void **state)
{
	(void)state;
	assert_int_equal(p11c_token_flags(NULL), 0);
}

void test_args_p11c_token_loaded_by(void **state)
{
	(void)state;
	assert_int_equal(p11c_token_loaded_by(NULL), P11C_LOADED_BY_NONE);
}

/* The words list-tokens --json prints. */
void test_args_p11c_loaded_by_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_loaded_by_name(P11C_LOADED_BY_NSS), "nss");
	assert_string_equal(p11c_loaded_by_name(P11C_LOADED_BY_DATABASE), "database");
	assert_string_equal(p11c_loaded_by_name(P11C_LOADED_BY_RUN), "run");
	assert_string_equal(p11c_loaded_by_name(P11C_LOADED_BY_P11KIT), "p11-kit");
	assert_string_equal(p11c_loaded_by_name(P11C_LOADED_BY_NONE), "none");
	assert_string_equal(p11c_loaded_by_name((p11c_loaded_by)5), "unknown");
	assert_string_equal(p11c_loaded_by_name((p11c_loaded_by)-1), "unknown");
}

void test_args_p11c_module_add(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_module_add(NULL, "m", "/lib/m.so"), p11c_module_add);
	USAGE(db, p11c_module_add(db, NULL, "/lib/m.so"), p11c_module_add, "name is NULL");
	USAGE(db, p11c_module_add(db, "", "/lib/m.so"), p11c_module_add, "name is empty");
	USAGE(db, p11c_module_add(db, "m", NULL), p11c_module_add, "path is NULL");
	USAGE(db, p11c_module_add(db, "m", ""), p11c_module_add, "path is empty");
	no_failures();
}

void test_args_p11c_module_remove(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_module_remove(NULL, "m"), p11c_module_remove);
	USAGE(db, p11c_module_remove(db, NULL), p11c_module_remove, "name is NULL");
	USAGE(db, p11c_module_remove(db, ""), p11c_module_remove, "name is empty");
	no_failures();
}

void test_args_p11c_token_change_password(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_token_change_password(NULL, NULL, "new", NULL), p11c_token_change_password);
	USAGE(db, p11c_token_change_password(db, "", "new", NULL), p11c_token_change_password,
	      "token is empty");
	USAGE(db, p11c_token_change_password(db, NULL, "new", ""), p11c_token_change_password,
	      "pwfile is empty");
	no_failures();
}

void test_args_p11c_token_init(void **state)
{
	p11c_db *db = *state;
	const char *m = "/lib/m.so";
	NO_DB(p11c_token_init(NULL, m, "t", "so", "pin", 0), p11c_token_init);
	USAGE(db, p11c_token_init(db, NULL, "t", "so", "pin", 0), p11c_token_init, "path is NULL");
	USAGE(db, p11c_token_init(db, "", "t", "so", "pin", 0), p11c_token_init, "path is empty");
	USAGE(db, p11c_token_init(db, m, NULL, "so", "pin", 0), p11c_token_init, "label is NULL");
	USAGE(db, p11c_token_init(db, m, "t", "", "pin", 0), p11c_token_init, "so_pin is empty");
	USAGE(db, p11c_token_init(db, m, "t", "so", NULL, 0), p11c_token_init, "pin is NULL");
	USAGE(db, p11c_token_init(db, m, "t", "so", "pin", 0x4), p11c_token_init,
	      "flags has unknown bits 0x4");
	no_failures();
}

void test_args_p11c_fixture_create(void **state)
{
	p11c_db *db = *state;
	p11c_fixture_opts o = P11C_FIXTURE_OPTS_INIT;
	o.host = "localhost";
	NO_DB(p11c_fixture_create(NULL, "/tmp/x", &o), p11c_fixture_create);
	USAGE(db, p11c_fixture_create(db, NULL, &o), p11c_fixture_create, "dir is NULL");
	USAGE(db, p11c_fixture_create(db, "/tmp/x", NULL), p11c_fixture_create, "opts is NULL");
	o.size = 1;
	USAGE(db, p11c_fixture_create(db, "/tmp/x", &o), p11c_fixture_create,
	      "opts->size is 1, less than");
	o.size = sizeof(o);
	o.host = "";
	USAGE(db, p11c_fixture_create(db, "/tmp/x", &o), p11c_fixture_create,
	      "opts->host is empty");
	o.host = "localhost";
	o.label = "";
	USAGE(db, p11c_fixture_create(db, "/tmp/x", &o), p11c_fixture_create,
	      "opts->label is empty");
	no_failures();
}
