/* SPDX-License-Identifier: MPL-2.0 */
/* The 'args' test's part for db.h: databases, password files, modules of a run, generate, upgrade:
 * each function with NULL and bad arguments (argstest.h, test_args.c). */
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

void test_args_p11c_db_set_password_file(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_db_set_password_file(NULL, "pw"), p11c_db_set_password_file);
	USAGE(db, p11c_db_set_password_file(db, NULL), p11c_db_set_password_file, "path is NULL");
	USAGE(db, p11c_db_set_password_file(db, ""), p11c_db_set_password_file, "path is empty");
	no_failures();
}

void test_args_p11c_password_file_read(void **state)
{
	p11c_db *db = *state;
	char *pw = (char *)"untouched";
	NO_DB(p11c_password_file_read(NULL, "pw", &pw), p11c_password_file_read);
	USAGE(db, p11c_password_file_read(db, NULL, &pw), p11c_password_file_read, "path is NULL");
	USAGE(db, p11c_password_file_read(db, "", &pw), p11c_password_file_read, "path is empty");
	USAGE(db, p11c_password_file_read(db, "pw", NULL), p11c_password_file_read, "out is NULL");
	assert_null(pw); /* out-parameters cleared, as on any failure */
	no_failures();
}

void test_args_p11c_output_path_check(void **state)
{
	(void)state;
	const char *why = NULL;
	USAGE(NULL, p11c_output_path_check(NULL, &why), p11c_output_path_check, "path is NULL");
	USAGE(NULL, p11c_output_path_check("", &why), p11c_output_path_check, "path is empty");
	USAGE(NULL, p11c_output_path_check("out.pem", NULL), p11c_output_path_check, "why is NULL");
	no_failures();
}

void test_args_p11c_file_write(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_file_write(NULL, "f", "x", 1, 0644), p11c_file_write);
	USAGE(db, p11c_file_write(db, NULL, "x", 1, 0644), p11c_file_write, "path is NULL");
	USAGE(db, p11c_file_write(db, "", "x", 1, 0644), p11c_file_write, "path is empty");
	USAGE(db, p11c_file_write(db, "f", NULL, 1, 0644), p11c_file_write, "data is NULL");
	USAGE(db, p11c_file_write(db, "f", "x", 1, 0755), p11c_file_write,
	      "mode 0755 is neither 0600 nor 0644");
	no_failures();
}

void test_args_p11c_db_set_password_prompt(void **state)
{
	(void)state;
	p11c_db_set_password_prompt(NULL, args_prompt, NULL); /* nothing to set: a no-op */
}

void test_args_p11c_db_set_warning(void **state)
{
	(void)state;
	p11c_db_set_warning(NULL, args_log_line, NULL);
}

static void progress_line(const char *what, size_t done, size_t total, void *arg)
{
	(void)what;
	(void)done;
	(void)total;
	(void)arg;
}

void test_args_p11c_db_set_progress(void **state)
{
	(void)state;
	p11c_db_set_progress(NULL, progress_line, NULL); /* nothing to set: a no-op */
}

void test_args_p11c_db_set_module(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_db_set_module(NULL, "/lib/m.so"), p11c_db_set_module);
	USAGE(db, p11c_db_set_module(db, ""), p11c_db_set_module, "path is empty");
	assert_int_equal(p11c_db_set_module(db, NULL), P11C_OK); /* NULL: none */
	no_failures();
}

void test_args_p11c_db_open(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_db_open(NULL, "d", 0), p11c_db_open);
	USAGE(db, p11c_db_open(db, NULL, 0), p11c_db_open, "dir is NULL");
	USAGE(db, p11c_db_open(db, "", 0), p11c_db_open, "dir is empty");
	USAGE(db, p11c_db_open(db, "d", 0x100), p11c_db_open, "flags has unknown bits 0x100");
	assert_null(p11c_db_dir(db));
	no_failures();
}

void test_args_p11c_db_dir(void **state)
{
	(void)state;
	assert_null(p11c_db_dir(NULL));
}

void test_args_p11c_db_generate(void **state)
{
	p11c_db *db = *state;
	p11c_generate_opts o = P11C_GENERATE_OPTS_INIT;
	NO_DB(p11c_db_generate(NULL, "d", NULL), p11c_db_generate);
	USAGE(db, p11c_db_generate(db, NULL, NULL), p11c_db_generate, "dir is NULL");
	USAGE(db, p11c_db_generate(db, "", &o), p11c_db_generate, "dir is empty");
	o.hostname = "";
	USAGE(db, p11c_db_generate(db, "d", &o), p11c_db_generate, "opts->hostname is empty");
	o.hostname = NULL;
	o.token = "";
	USAGE(db, p11c_db_generate(db, "d", &o), p11c_db_generate, "opts->token is empty");
	o.token = NULL;
	o.flags = 0x100 | P11C_GENERATE_NO_P11KIT;
	USAGE(db, p11c_db_generate(db, "d", &o), p11c_db_generate,
	      "opts->flags has unknown bits 0x100");
	o.flags = 0;
	o.size = 0;
	USAGE(db, p11c_db_generate(db, "d", &o), p11c_db_generate, "opts->size is 0");
	o.size = sizeof(o) - 1;
	USAGE(db, p11c_db_generate(db, "d", &o), p11c_db_generate, "_INIT");
	assert_null(p11c_db_dir(db));
	no_failures();
}

void test_args_p11c_db_upgrade(void **state)
{
	p11c_db *db = *state;
	p11c_upgrade_report *r = (p11c_upgrade_report *)&r; /* not NULL */
	NO_DB(p11c_db_upgrade(NULL, "d", &r), p11c_db_upgrade);
	USAGE(db, p11c_db_upgrade(db, NULL, &r), p11c_db_upgrade, "dir is NULL");
	USAGE(db, p11c_db_upgrade(db, "", &r), p11c_db_upgrade, "dir is empty");
	USAGE(db, p11c_db_upgrade(db, "d", NULL), p11c_db_upgrade, "out is NULL");
	assert_null(r); /* out-parameters cleared, as on any failure */
	no_failures();
}

/* The report's accessors take no handle: NULL gives nothing, no crash. */
void test_args_p11c_upgrade_report_before(void **state)
{
	(void)state;
	assert_int_equal(p11c_upgrade_report_before(NULL, P11C_UPGRADE_CERTS), 0);
}

void test_args_p11c_upgrade_report_after(void **state)
{
	(void)state;
	assert_int_equal(p11c_upgrade_report_after(NULL, P11C_UPGRADE_MODULES), 0);
}

void test_args_p11c_upgrade_report_backup_dir(void **state)
{
	(void)state;
	assert_null(p11c_upgrade_report_backup_dir(NULL));
}

void test_args_p11c_upgrade_report_password_file(void **state)
{
	(void)state;
	assert_int_equal(p11c_upgrade_report_password_file(NULL), P11C_UPGRADE_PWFILE_UNCHANGED);
}

void test_args_p11c_upgrade_report_free(void **state)
{
	(void)state;
	p11c_upgrade_report_free(NULL);
}
