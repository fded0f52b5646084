/* SPDX-License-Identifier: MPL-2.0 */
/* Every public function of p11cert.h called with NULL and bad arguments:
 * P11C_EUSAGE and a message naming the function and the argument, never a
 * crash, never "(null)".  PUBLIC_FUNCTIONS lists them; a test holds that
 * list against the header and against what libp11cert.so exports (nm -D),
 * so a new function without a test here fails the suite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "p11cert.h"

#define PUBLIC_FUNCTIONS(X)                                                                        \
	X(p11c_db_new)                                                                             \
	X(p11c_db_free)                                                                            \
	X(p11c_last_error)                                                                         \
	X(p11c_last_error_code)                                                                    \
	X(p11c_errc_name)                                                                          \
	X(p11c_usage_name)                                                                         \
	X(p11c_usage_from_name)                                                                    \
	X(p11c_last_error_nss)                                                                     \
	X(p11c_last_error_ckr)                                                                     \
	X(p11c_last_error_field)                                                                   \
	X(p11c_db_set_password_file)                                                               \
	X(p11c_password_file_read)                                                                 \
	X(p11c_output_path_check)                                                                  \
	X(p11c_db_set_password_prompt)                                                             \
	X(p11c_db_set_log)                                                                         \
	X(p11c_db_set_warning)                                                                     \
	X(p11c_db_set_module)                                                                      \
	X(p11c_db_open)                                                                            \
	X(p11c_db_dir)                                                                             \
	X(p11c_db_generate)                                                                        \
	X(p11c_dn_format)                                                                          \
	X(p11c_cert_selfsign)                                                                      \
	X(p11c_request_create)                                                                     \
	X(p11c_request_write)                                                                      \
	X(p11c_cert_add)                                                                           \
	X(p11c_cert_add_bundle)                                                                    \
	X(p11c_cert_renew)                                                                         \
	X(p11c_cert_renew_selfsign)                                                                \
	X(p11c_cert_export_p12)                                                                    \
	X(p11c_cert_export)                                                                        \
	X(p11c_key_export)                                                                         \
	X(p11c_p12_import)                                                                         \
	X(p11c_pem_import)                                                                         \
	X(p11c_key_file_is_encrypted)                                                              \
	X(p11c_cert_remove)                                                                        \
	X(p11c_cert_list)                                                                          \
	X(p11c_cert_listing_free)                                                                  \
	X(p11c_cert_listing_count)                                                                 \
	X(p11c_cert_listing_get)                                                                   \
	X(p11c_cert_listing_problem_count)                                                         \
	X(p11c_cert_listing_problem)                                                               \
	X(p11c_token_problem_token)                                                                \
	X(p11c_token_problem_status)                                                               \
	X(p11c_token_problem_login_tried)                                                          \
	X(p11c_token_problem_reason)                                                               \
	X(p11c_list_kind_name)                                                                     \
	X(p11c_alias_qualify)                                                                      \
	X(p11c_trust_role_name)                                                                    \
	X(p11c_cert_trust_roles)                                                                   \
	X(p11c_cert_show)                                                                          \
	X(p11c_cert_alias)                                                                         \
	X(p11c_cert_token)                                                                         \
	X(p11c_cert_serial)                                                                        \
	X(p11c_cert_sig_alg)                                                                       \
	X(p11c_cert_subject)                                                                       \
	X(p11c_cert_issuer)                                                                        \
	X(p11c_cert_key_type)                                                                      \
	X(p11c_cert_sha1)                                                                          \
	X(p11c_cert_sha256)                                                                        \
	X(p11c_cert_trust)                                                                         \
	X(p11c_cert_key_token)                                                                     \
	X(p11c_cert_key_uri)                                                                       \
	X(p11c_cert_key_note)                                                                      \
	X(p11c_cert_pem)                                                                           \
	X(p11c_cert_version)                                                                       \
	X(p11c_cert_not_before)                                                                    \
	X(p11c_cert_not_after)                                                                     \
	X(p11c_cert_is_self_signed)                                                                \
	X(p11c_cert_san_count)                                                                     \
	X(p11c_cert_san)                                                                           \
	X(p11c_cert_trust_words)                                                                   \
	X(p11c_cert_key_state)                                                                     \
	X(p11c_key_state_name)                                                                     \
	X(p11c_cert_key_extractable)                                                               \
	X(p11c_cert_free)                                                                          \
	X(p11c_token_label)                                                                        \
	X(p11c_token_list)                                                                         \
	X(p11c_token_listing_count)                                                                \
	X(p11c_token_listing_get)                                                                  \
	X(p11c_token_listing_free)                                                                 \
	X(p11c_token_module)                                                                       \
	X(p11c_token_module_path)                                                                  \
	X(p11c_token_slot)                                                                         \
	X(p11c_token_name)                                                                         \
	X(p11c_token_manufacturer)                                                                 \
	X(p11c_token_model)                                                                        \
	X(p11c_token_serial)                                                                       \
	X(p11c_token_uri)                                                                          \
	X(p11c_token_flags)                                                                        \
	X(p11c_token_loaded_by)                                                                    \
	X(p11c_loaded_by_name)                                                                     \
	X(p11c_module_add)                                                                         \
	X(p11c_module_remove)                                                                      \
	X(p11c_trust_parse)                                                                        \
	X(p11c_chain_fetch)                                                                        \
	X(p11c_chain_add_trust)                                                                    \
	X(p11c_cert_verify)                                                                        \
	X(p11c_chain_save)                                                                         \
	X(p11c_chain_free)                                                                         \
	X(p11c_chain_url)                                                                          \
	X(p11c_chain_scheme)                                                                       \
	X(p11c_chain_host)                                                                         \
	X(p11c_chain_port)                                                                         \
	X(p11c_chain_tls_version)                                                                  \
	X(p11c_chain_cipher)                                                                       \
	X(p11c_chain_trusted)                                                                      \
	X(p11c_chain_cert_count)                                                                   \
	X(p11c_chain_cert_get)                                                                     \
	X(p11c_chain_link_flags)                                                                   \
	X(p11c_chain_problem_count)                                                                \
	X(p11c_chain_problem_get)                                                                  \
	X(p11c_chain_note_count)                                                                   \
	X(p11c_chain_note_get)                                                                     \
	X(p11c_problem_code)                                                                       \
	X(p11c_problem_message)                                                                    \
	X(p11c_problem_depth)                                                                      \
	X(p11c_problem_code_name)                                                                  \
	X(p11c_db_check)                                                                           \
	X(p11c_check_report_count)                                                                 \
	X(p11c_check_report_get)                                                                   \
	X(p11c_check_report_severity)                                                              \
	X(p11c_check_report_free)                                                                  \
	X(p11c_finding_alias)                                                                      \
	X(p11c_finding_severity)                                                                   \
	X(p11c_finding_code)                                                                       \
	X(p11c_finding_message)                                                                    \
	X(p11c_severity_name)                                                                      \
	X(p11c_finding_code_name)                                                                  \
	X(p11c_token_change_password)                                                              \
	X(p11c_request_sign)                                                                       \
	X(p11c_trust_export)                                                                       \
	X(p11c_trust_format_name)                                                                  \
	X(p11c_db_upgrade)                                                                         \
	X(p11c_upgrade_report_before)                                                              \
	X(p11c_upgrade_report_after)                                                               \
	X(p11c_upgrade_report_backup_dir)                                                          \
	X(p11c_upgrade_report_password_file)                                                       \
	X(p11c_upgrade_report_free)                                                                \
	X(p11c_export_kind_name)                                                                   \
	X(p11c_export_format_name)                                                                 \
	X(p11c_export_record_add)                                                                  \
	X(p11c_export_sync)                                                                        \
	X(p11c_export_state_name)                                                                  \
	X(p11c_export_report_count)                                                                \
	X(p11c_export_report_get)                                                                  \
	X(p11c_export_report_free)                                                                 \
	X(p11c_export_status_path)                                                                 \
	X(p11c_export_status_command)                                                              \
	X(p11c_export_status_state)                                                                \
	X(p11c_export_status_rewritten)                                                            \
	X(p11c_export_status_message)

/* ---- helpers ---- */

static int failures;

/* rc must be P11C_EUSAGE and h's message (p11c_last_error(NULL) for the
 * calls without a handle) must hold func and what, and no "(null)". */
static void usage_is(const p11c_db *h, int rc, const char *call, const char *func, const char *what)
{
	const char *msg = p11c_last_error(h);
	if (rc == P11C_EUSAGE && msg && strstr(msg, func) && strstr(msg, what) &&
	    !strstr(msg, "(null)"))
		return;
	print_error("%s\n  got:    %d '%s'\n  wanted: %d and a message with '%s' and '%s'\n", call,
	            rc, msg ? msg : "NULL", P11C_EUSAGE, func, what);
	failures++;
}
#define USAGE(h, call, func, what) usage_is((h), (call), #call, #func, (what))
/* The handle argument, NULL: the message is the thread's. */
#define NO_DB(call, func) usage_is(NULL, (call), #call, #func, "db (the handle) is NULL")

/* A call that needs an open database, on a handle without one. */
#define CLOSED(call) usage_is(db, (call), #call, "", "no database is open")

static void no_failures(void)
{
	int n = failures;
	failures = 0;
	if (n)
		fail_msg("%d call(s) did not give P11C_EUSAGE naming the argument", n);
}

static int setup(void **state)
{
	p11c_db *db = NULL;
	if (p11c_db_new(&db) != P11C_OK)
		return -1;
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	p11c_db_free(*state);
	return 0;
}

static int prompt(const char *token, char *buf, size_t size, void *arg)
{
	(void)token, (void)buf, (void)size, (void)arg;
	return -1;
}

static void log_line(const char *line, void *arg)
{
	(void)line, (void)arg;
}

/* ---- one test a public function ---- */

static void test_args_p11c_db_new(void **state)
{
	(void)state;
	USAGE(NULL, p11c_db_new(NULL), p11c_db_new, "out is NULL");
	no_failures();
}

static void test_args_p11c_db_free(void **state)
{
	(void)state;
	p11c_db_free(NULL); /* a no-op, as free(NULL) */
}

static void test_args_p11c_last_error(void **state)
{
	p11c_db *db = *state;
	assert_string_equal(p11c_last_error(db), "");
	NO_DB(p11c_db_set_password_file(NULL, "x"), p11c_db_set_password_file);
	assert_true(*p11c_last_error(NULL));
	no_failures();
}

static void test_args_p11c_export_record_add(void **state)
{
	p11c_db *db = *state;
	p11c_export_record e = P11C_EXPORT_RECORD_INIT;
	NO_DB(p11c_export_record_add(NULL, &e), p11c_export_record_add);
	USAGE(db, p11c_export_record_add(db, NULL), p11c_export_record_add, "e is NULL");
	USAGE(db, p11c_export_record_add(db, &e), p11c_export_record_add, "e->path is NULL");
	e.path = "";
	USAGE(db, p11c_export_record_add(db, &e), p11c_export_record_add, "e->path is empty");
	e.path = "f.pem";
	e.size = 0;
	USAGE(db, p11c_export_record_add(db, &e), p11c_export_record_add, "e->size is 0");
	e.size = sizeof(e);
	e.flags = 0x10;
	USAGE(db, p11c_export_record_add(db, &e), p11c_export_record_add,
	      "e->flags has unknown bits 0x10");
	no_failures();
}

static void test_args_p11c_export_kind_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_export_kind_name(P11C_EXPORT_TRUST), "trust");
	assert_string_equal(p11c_export_kind_name(P11C_EXPORT_KEY), "key");
	assert_string_equal(p11c_export_kind_name((p11c_export_kind)3), "unknown");
	assert_string_equal(p11c_export_kind_name((p11c_export_kind)-1), "unknown");
}

static void test_args_p11c_export_format_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_export_format_name(P11C_EXPORT_DER), "der");
	assert_string_equal(p11c_export_format_name(P11C_EXPORT_PKCS12), "pkcs12");
	assert_string_equal(p11c_export_format_name((p11c_export_format)3), "unknown");
	assert_string_equal(p11c_export_format_name((p11c_export_format)-1), "unknown");
}

static void test_args_p11c_export_sync(void **state)
{
	p11c_db *db = *state;
	p11c_export_report *rep = (p11c_export_report *)1;
	NO_DB(p11c_export_sync(NULL, 0, &rep), p11c_export_sync);
	assert_null(rep);
	USAGE(db, p11c_export_sync(db, 2, &rep), p11c_export_sync, "flags has unknown bits 0x2");
	USAGE(db, p11c_export_sync(db, P11C_SYNC_DRY_RUN, NULL), p11c_export_sync, "out is NULL");
	no_failures();
}

static void test_args_p11c_export_state_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_export_state_name(P11C_EXPORT_STATE_NONE), "none");
	assert_string_equal(p11c_export_state_name(P11C_EXPORT_CURRENT), "current");
	assert_string_equal(p11c_export_state_name(P11C_EXPORT_NEEDS_PASSWORD), "needs-password");
	assert_string_equal(p11c_export_state_name(P11C_EXPORT_FAILED), "failed");
	assert_string_equal(p11c_export_state_name((p11c_export_state)6), "unknown");
	assert_string_equal(p11c_export_state_name((p11c_export_state)-1), "unknown");
}

/* The report's accessors take NULL: 0, NULL, the "none" state. */
static void test_args_p11c_export_report_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_export_report_count(NULL), 0);
}

static void test_args_p11c_export_report_get(void **state)
{
	(void)state;
	assert_null(p11c_export_report_get(NULL, 0));
}

static void test_args_p11c_export_report_free(void **state)
{
	(void)state;
	p11c_export_report_free(NULL); /* a no-op */
}

static void test_args_p11c_export_status_path(void **state)
{
	(void)state;
	assert_null(p11c_export_status_path(NULL));
}

static void test_args_p11c_export_status_command(void **state)
{
	(void)state;
	assert_null(p11c_export_status_command(NULL));
}

static void test_args_p11c_export_status_state(void **state)
{
	(void)state;
	assert_int_equal(p11c_export_status_state(NULL), P11C_EXPORT_STATE_NONE);
}

static void test_args_p11c_export_status_rewritten(void **state)
{
	(void)state;
	assert_int_equal(p11c_export_status_rewritten(NULL), 0);
}

static void test_args_p11c_export_status_message(void **state)
{
	(void)state;
	assert_null(p11c_export_status_message(NULL));
}


/* The accessors of the last error take NULL (no handle) and say so. */
static void test_args_p11c_last_error_code(void **state)
{
	p11c_db *db = *state;
	assert_int_equal(p11c_last_error_code(NULL), P11C_ERR_USAGE);
	USAGE(db, p11c_db_set_password_file(db, NULL), p11c_db_set_password_file, "path is NULL");
	assert_int_equal(p11c_last_error_code(db), P11C_ERR_USAGE);
	no_failures();
}

static void test_args_p11c_errc_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_errc_name(P11C_ERR_EXISTS), "exists");
	assert_string_equal(p11c_errc_name((p11c_errc)-1), "unknown");
	assert_string_equal(p11c_errc_name((p11c_errc)1000), "unknown");
}

/* The accessors of a listing and its problems take NULL and give NULL or
 * 0. */
static void test_args_p11c_cert_listing_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_listing_count(NULL), 0);
}

static void test_args_p11c_cert_listing_get(void **state)
{
	(void)state;
	assert_null(p11c_cert_listing_get(NULL, 0));
}

static void test_args_p11c_cert_listing_problem_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_listing_problem_count(NULL), 0);
}

static void test_args_p11c_cert_listing_problem(void **state)
{
	(void)state;
	assert_null(p11c_cert_listing_problem(NULL, 0));
}

static void test_args_p11c_token_problem_token(void **state)
{
	(void)state;
	assert_null(p11c_token_problem_token(NULL));
}

static void test_args_p11c_token_problem_status(void **state)
{
	(void)state;
	assert_int_equal(p11c_token_problem_status(NULL), 0);
}

static void test_args_p11c_token_problem_login_tried(void **state)
{
	(void)state;
	assert_int_equal(p11c_token_problem_login_tried(NULL), 0);
}

static void test_args_p11c_token_problem_reason(void **state)
{
	(void)state;
	assert_null(p11c_token_problem_reason(NULL));
}

static void test_args_p11c_list_kind_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_list_kind_name(P11C_LIST_KEYS), "keys");
	assert_string_equal(p11c_list_kind_name(P11C_LIST_CA), "ca");
	assert_string_equal(p11c_list_kind_name(P11C_LIST_ALL), "all");
	assert_string_equal(p11c_list_kind_name((p11c_list_kind)9), "unknown");
}

static void test_args_p11c_trust_role_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_trust_role_name(P11C_TRUST_SERVER_CA), "server-ca");
	assert_string_equal(p11c_trust_role_name(P11C_TRUST_CLIENT_CA), "client-ca");
	assert_string_equal(p11c_trust_role_name(P11C_TRUST_EMAIL_CA), "email-ca");
	assert_string_equal(p11c_trust_role_name(P11C_TRUST_CODE_CA), "code-ca");
	assert_string_equal(p11c_trust_role_name(P11C_TRUST_PEER), "peer");
	assert_string_equal(p11c_trust_role_name(P11C_TRUST_EMAIL_PEER), "email-peer");
	assert_string_equal(p11c_trust_role_name(P11C_TRUST_CODE_PEER), "code-peer");
	assert_string_equal(p11c_trust_role_name((p11c_trust_role)0), "unknown");
	assert_string_equal(
	    p11c_trust_role_name((p11c_trust_role)(P11C_TRUST_SERVER_CA | P11C_TRUST_PEER)),
	    "unknown");
}

static void test_args_p11c_cert_trust_roles(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_trust_roles(NULL), 0);
}

static void test_args_p11c_alias_qualify(void **state)
{
	p11c_db *db = *state;
	char *q = (char *)"untouched";
	NO_DB(p11c_alias_qualify(NULL, "hsm", "a", &q), p11c_alias_qualify);
	assert_null(q);
	USAGE(db, p11c_alias_qualify(db, "", "a", &q), p11c_alias_qualify, "token is empty");
	USAGE(db, p11c_alias_qualify(db, "hsm", NULL, &q), p11c_alias_qualify, "alias is NULL");
	USAGE(db, p11c_alias_qualify(db, "hsm", "", &q), p11c_alias_qualify, "alias is empty");
	USAGE(db, p11c_alias_qualify(db, "hsm", "a", NULL), p11c_alias_qualify, "out is NULL");
	no_failures();
	/* No token, or an alias already qualified: as it is, no database needed. */
	assert_int_equal(p11c_alias_qualify(db, NULL, "a", &q), P11C_OK);
	assert_string_equal(q, "a");
	free(q);
	assert_int_equal(p11c_alias_qualify(db, "hsm", "other:a", &q), P11C_OK);
	assert_string_equal(q, "other:a");
	free(q);
}

/* The accessors of p11c_cert take NULL and give NULL or 0. */
static void test_args_p11c_cert_alias(void **state)
{
	(void)state;
	assert_null(p11c_cert_alias(NULL));
}

static void test_args_p11c_cert_token(void **state)
{
	(void)state;
	assert_null(p11c_cert_token(NULL));
}

static void test_args_p11c_cert_serial(void **state)
{
	(void)state;
	assert_null(p11c_cert_serial(NULL));
}

static void test_args_p11c_cert_sig_alg(void **state)
{
	(void)state;
	assert_null(p11c_cert_sig_alg(NULL));
}

static void test_args_p11c_cert_subject(void **state)
{
	(void)state;
	assert_null(p11c_cert_subject(NULL));
}

static void test_args_p11c_cert_issuer(void **state)
{
	(void)state;
	assert_null(p11c_cert_issuer(NULL));
}

static void test_args_p11c_cert_key_type(void **state)
{
	(void)state;
	assert_null(p11c_cert_key_type(NULL));
}

static void test_args_p11c_cert_sha1(void **state)
{
	(void)state;
	assert_null(p11c_cert_sha1(NULL));
}

static void test_args_p11c_cert_sha256(void **state)
{
	(void)state;
	assert_null(p11c_cert_sha256(NULL));
}

static void test_args_p11c_cert_trust(void **state)
{
	(void)state;
	assert_null(p11c_cert_trust(NULL));
}

static void test_args_p11c_cert_key_token(void **state)
{
	(void)state;
	assert_null(p11c_cert_key_token(NULL));
}

static void test_args_p11c_cert_key_uri(void **state)
{
	(void)state;
	assert_null(p11c_cert_key_uri(NULL));
}

static void test_args_p11c_cert_key_note(void **state)
{
	(void)state;
	assert_null(p11c_cert_key_note(NULL));
}

static void test_args_p11c_cert_pem(void **state)
{
	(void)state;
	assert_null(p11c_cert_pem(NULL));
}

static void test_args_p11c_cert_version(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_version(NULL), 0);
}

static void test_args_p11c_cert_not_before(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_not_before(NULL), 0);
}

static void test_args_p11c_cert_not_after(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_not_after(NULL), 0);
}

static void test_args_p11c_cert_is_self_signed(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_is_self_signed(NULL), 0);
}

static void test_args_p11c_cert_san_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_san_count(NULL), 0);
}

static void test_args_p11c_cert_san(void **state)
{
	(void)state;
	assert_null(p11c_cert_san(NULL, 0));
}

static void test_args_p11c_cert_trust_words(void **state)
{
	(void)state;
	assert_null(p11c_cert_trust_words(NULL, P11C_TRUST_FIELD_SSL));
}

static void test_args_p11c_cert_key_state(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_key_state(NULL), P11C_KEY_NONE);
}

static void test_args_p11c_key_state_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_key_state_name(P11C_KEY_PRESENT), "present");
	assert_string_equal(p11c_key_state_name((p11c_key_state)9), "unknown");
}

static void test_args_p11c_cert_key_extractable(void **state)
{
	(void)state;
	assert_int_equal(p11c_cert_key_extractable(NULL), P11C_EXTRACTABLE_UNKNOWN);
}

static void test_args_p11c_usage_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_usage_name(P11C_USAGE_TLS_SERVER), "server");
	assert_string_equal(p11c_usage_name(P11C_USAGE_EMAIL_CA), "email-ca");
	assert_string_equal(p11c_usage_name((p11c_usage)-1), "unknown");
	assert_string_equal(p11c_usage_name((p11c_usage)6), "unknown");
}

static void test_args_p11c_usage_from_name(void **state)
{
	(void)state;
	p11c_usage u = P11C_USAGE_EMAIL;
	assert_int_equal(p11c_usage_from_name("client-ca", &u), P11C_OK);
	assert_int_equal(u, P11C_USAGE_TLS_CLIENT_CA);
	USAGE(NULL, p11c_usage_from_name(NULL, &u), p11c_usage_from_name, "name is NULL");
	USAGE(NULL, p11c_usage_from_name("", &u), p11c_usage_from_name, "name is empty");
	USAGE(NULL, p11c_usage_from_name("server", NULL), p11c_usage_from_name, "out is NULL");
	USAGE(NULL, p11c_usage_from_name("tls", &u), p11c_usage_from_name,
	      "no usage is named 'tls'");
	no_failures();
}

static void test_args_p11c_last_error_nss(void **state)
{
	(void)state;
	assert_null(p11c_last_error_nss(NULL));
}

static void test_args_p11c_last_error_ckr(void **state)
{
	(void)state;
	assert_int_equal(p11c_last_error_ckr(NULL), 0);
}

static void test_args_p11c_last_error_field(void **state)
{
	(void)state;
	assert_null(p11c_last_error_field(NULL));
}

static void test_args_p11c_db_set_password_file(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_db_set_password_file(NULL, "pw"), p11c_db_set_password_file);
	USAGE(db, p11c_db_set_password_file(db, NULL), p11c_db_set_password_file, "path is NULL");
	USAGE(db, p11c_db_set_password_file(db, ""), p11c_db_set_password_file, "path is empty");
	no_failures();
}

static void test_args_p11c_password_file_read(void **state)
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

static void test_args_p11c_output_path_check(void **state)
{
	(void)state;
	const char *why = NULL;
	USAGE(NULL, p11c_output_path_check(NULL, &why), p11c_output_path_check, "path is NULL");
	USAGE(NULL, p11c_output_path_check("", &why), p11c_output_path_check, "path is empty");
	USAGE(NULL, p11c_output_path_check("out.pem", NULL), p11c_output_path_check, "why is NULL");
	no_failures();
}

static void test_args_p11c_db_set_password_prompt(void **state)
{
	(void)state;
	p11c_db_set_password_prompt(NULL, prompt, NULL); /* nothing to set: a no-op */
}

static void test_args_p11c_db_set_log(void **state)
{
	(void)state;
	p11c_db_set_log(NULL, log_line, NULL);
}

static void test_args_p11c_db_set_warning(void **state)
{
	(void)state;
	p11c_db_set_warning(NULL, log_line, NULL);
}

static void test_args_p11c_db_set_module(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_db_set_module(NULL, "/lib/m.so"), p11c_db_set_module);
	USAGE(db, p11c_db_set_module(db, ""), p11c_db_set_module, "path is empty");
	assert_int_equal(p11c_db_set_module(db, NULL), P11C_OK); /* NULL: none */
	no_failures();
}

static void test_args_p11c_db_open(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_db_open(NULL, "d", 0), p11c_db_open);
	USAGE(db, p11c_db_open(db, NULL, 0), p11c_db_open, "dir is NULL");
	USAGE(db, p11c_db_open(db, "", 0), p11c_db_open, "dir is empty");
	USAGE(db, p11c_db_open(db, "d", 0x100), p11c_db_open, "flags has unknown bits 0x100");
	assert_null(p11c_db_dir(db));
	no_failures();
}

static void test_args_p11c_db_dir(void **state)
{
	(void)state;
	assert_null(p11c_db_dir(NULL));
}

static void test_args_p11c_db_generate(void **state)
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

static void test_args_p11c_dn_format(void **state)
{
	(void)state;
	p11c_dn_fields f = P11C_DN_FIELDS_INIT;
	char *dn = NULL;
	USAGE(NULL, p11c_dn_format(NULL, &dn), p11c_dn_format, "f is NULL");
	f.cn = "a";
	f.size = 0;
	USAGE(NULL, p11c_dn_format(&f, &dn), p11c_dn_format, "f->size is 0, less than");
	f.size = sizeof(f);
	f.cn = NULL;
	f.cn = "a";
	USAGE(NULL, p11c_dn_format(&f, NULL), p11c_dn_format, "out is NULL");
	f.cn = NULL;
	USAGE(NULL, p11c_dn_format(&f, &dn), p11c_dn_format, "f->cn is NULL");
	f.cn = "";
	USAGE(NULL, p11c_dn_format(&f, &dn), p11c_dn_format, "f->cn is empty");
	assert_null(dn);
	no_failures();
}

static void test_args_p11c_cert_selfsign(void **state)
{
	p11c_db *db = *state;
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	NO_DB(p11c_cert_selfsign(NULL, "a", &o), p11c_cert_selfsign);
	USAGE(db, p11c_cert_selfsign(db, NULL, &o), p11c_cert_selfsign, "alias is NULL");
	USAGE(db, p11c_cert_selfsign(db, "", &o), p11c_cert_selfsign, "alias is empty");
	USAGE(db, p11c_cert_selfsign(db, "a", NULL), p11c_cert_selfsign, "opts is NULL");
	o.token = "";
	USAGE(db, p11c_cert_selfsign(db, "a", &o), p11c_cert_selfsign, "opts->token is empty");
	o.token = NULL;
	o.flags = 1u << 9;
	USAGE(db, p11c_cert_selfsign(db, "a", &o), p11c_cert_selfsign,
	      "opts->flags has unknown bits 0x200");
	o.flags = 0;
	o.size = 8;
	USAGE(db, p11c_cert_selfsign(db, "a", &o), p11c_cert_selfsign,
	      "opts->size is 8, less than");
	no_failures();
}

static void test_args_p11c_request_create(void **state)
{
	p11c_db *db = *state;
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	unsigned char *req = NULL;
	size_t len = 0;
	const unsigned pem = P11C_REQUEST_PEM;
	NO_DB(p11c_request_create(NULL, "a", &o, pem, &req, &len), p11c_request_create);
	USAGE(db, p11c_request_create(db, "", &o, pem, &req, &len), p11c_request_create,
	      "alias is empty");
	USAGE(db, p11c_request_create(db, "a", NULL, pem, &req, &len), p11c_request_create,
	      "opts is NULL");
	USAGE(db, p11c_request_create(db, "a", &o, pem, NULL, &len), p11c_request_create,
	      "out is NULL");
	USAGE(db, p11c_request_create(db, "a", &o, pem, &req, NULL), p11c_request_create,
	      "out_len is NULL");
	USAGE(db, p11c_request_create(db, "a", &o, 1u << 3, &req, &len), p11c_request_create,
	      "flags has unknown bits 0x8");
	o.token = "";
	USAGE(db, p11c_request_create(db, "a", &o, pem, &req, &len), p11c_request_create,
	      "opts->token is empty");
	o.token = NULL;
	o.size = 0;
	USAGE(db, p11c_request_create(db, "a", &o, pem, &req, &len), p11c_request_create,
	      "opts->size is 0, less than");
	no_failures();
}

static void test_args_p11c_request_write(void **state)
{
	p11c_db *db = *state;
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	const unsigned pem = P11C_REQUEST_PEM;
	NO_DB(p11c_request_write(NULL, "a", &o, pem, "r.csr"), p11c_request_write);
	USAGE(db, p11c_request_write(db, "", &o, pem, "r.csr"), p11c_request_write,
	      "alias is empty");
	USAGE(db, p11c_request_write(db, "a", NULL, pem, "r.csr"), p11c_request_write,
	      "opts is NULL");
	USAGE(db, p11c_request_write(db, "a", &o, pem, NULL), p11c_request_write, "path is NULL");
	USAGE(db, p11c_request_write(db, "a", &o, pem, ""), p11c_request_write, "path is empty");
	USAGE(db, p11c_request_write(db, "a", &o, 6, "r.csr"), p11c_request_write,
	      "flags has unknown bits 0x6");
	no_failures();
}

static void test_args_p11c_cert_add(void **state)
{
	p11c_db *db = *state;
	p11c_add_opts o = P11C_ADD_OPTS_INIT;
	char *as = (char *)"untouched";
	NO_DB(p11c_cert_add(NULL, "a", "c.pem", &o, &as), p11c_cert_add);
	USAGE(db, p11c_cert_add(db, NULL, "c.pem", &o, &as), p11c_cert_add, "alias is NULL");
	USAGE(db, p11c_cert_add(db, "", "c.pem", &o, &as), p11c_cert_add, "alias is empty");
	USAGE(db, p11c_cert_add(db, "a", NULL, &o, &as), p11c_cert_add, "path is NULL");
	USAGE(db, p11c_cert_add(db, "a", "", NULL, NULL), p11c_cert_add, "path is empty");
	o.trust = "";
	USAGE(db, p11c_cert_add(db, "a", "c.pem", &o, &as), p11c_cert_add, "opts->trust is empty");
	o.trust = NULL;
	o.flags = 2;
	USAGE(db, p11c_cert_add(db, "a", "c.pem", &o, &as), p11c_cert_add,
	      "opts->flags has unknown bits 0x2");
	o.flags = 0;
	o.size = 1;
	USAGE(db, p11c_cert_add(db, "a", "c.pem", &o, &as), p11c_cert_add,
	      "opts->size is 1, less than");
	assert_null(as);
	no_failures();
}

static void test_args_p11c_cert_add_bundle(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_cert_add_bundle(NULL, "b.pem", NULL, NULL, NULL), p11c_cert_add_bundle);
	USAGE(db, p11c_cert_add_bundle(db, NULL, NULL, NULL, NULL), p11c_cert_add_bundle,
	      "path is NULL");
	USAGE(db, p11c_cert_add_bundle(db, "", NULL, NULL, NULL), p11c_cert_add_bundle,
	      "path is empty");
	USAGE(db, p11c_cert_add_bundle(db, "b.pem", "", NULL, NULL), p11c_cert_add_bundle,
	      "trust_text is empty");
	no_failures();
}

static void test_args_p11c_cert_renew(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_cert_renew(NULL, "a", "c.pem"), p11c_cert_renew);
	USAGE(db, p11c_cert_renew(db, NULL, "c.pem"), p11c_cert_renew, "alias is NULL");
	USAGE(db, p11c_cert_renew(db, "", "c.pem"), p11c_cert_renew, "alias is empty");
	USAGE(db, p11c_cert_renew(db, "a", NULL), p11c_cert_renew, "path is NULL");
	USAGE(db, p11c_cert_renew(db, "a", ""), p11c_cert_renew, "path is empty");
	no_failures();
}

static void test_args_p11c_cert_renew_selfsign(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_cert_renew_selfsign(NULL, "a", 90, 0), p11c_cert_renew_selfsign);
	USAGE(db, p11c_cert_renew_selfsign(db, NULL, 90, 0), p11c_cert_renew_selfsign,
	      "alias is NULL");
	USAGE(db, p11c_cert_renew_selfsign(db, "", 90, 0), p11c_cert_renew_selfsign,
	      "alias is empty");
	USAGE(db, p11c_cert_renew_selfsign(db, "a", 90, 2), p11c_cert_renew_selfsign,
	      "flags has unknown bits 0x2");
	no_failures();
}

static void test_args_p11c_cert_export_p12(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_cert_export_p12(NULL, "a", "pw", 0, "o.p12"), p11c_cert_export_p12);
	USAGE(db, p11c_cert_export_p12(db, NULL, "pw", 0, "o.p12"), p11c_cert_export_p12,
	      "alias is NULL");
	USAGE(db, p11c_cert_export_p12(db, "", "pw", 0, "o.p12"), p11c_cert_export_p12,
	      "alias is empty");
	USAGE(db, p11c_cert_export_p12(db, "a", NULL, 0, "o.p12"), p11c_cert_export_p12,
	      "password is NULL");
	USAGE(db, p11c_cert_export_p12(db, "a", "pw", 0x4, "o.p12"), p11c_cert_export_p12,
	      "flags has unknown bits 0x4");
	USAGE(db, p11c_cert_export_p12(db, "a", "pw", 0, NULL), p11c_cert_export_p12,
	      "path is NULL");
	USAGE(db, p11c_cert_export_p12(db, "a", "pw", P11C_P12_COMPAT, ""), p11c_cert_export_p12,
	      "path is empty");
	no_failures();
}

static void test_args_p11c_cert_export(void **state)
{
	p11c_db *db = *state;
	unsigned char *out = NULL;
	size_t len = 0;
	unsigned pem = P11C_CERT_EXPORT_PEM;
	NO_DB(p11c_cert_export(NULL, "a", pem, &out, &len), p11c_cert_export);
	USAGE(db, p11c_cert_export(db, NULL, pem, &out, &len), p11c_cert_export, "alias is NULL");
	USAGE(db, p11c_cert_export(db, "", pem, &out, &len), p11c_cert_export, "alias is empty");
	USAGE(db, p11c_cert_export(db, "a", 0x8, &out, &len), p11c_cert_export,
	      "flags has unknown bits 0x8");
	USAGE(db, p11c_cert_export(db, "a", pem, NULL, &len), p11c_cert_export, "out is NULL");
	USAGE(db, p11c_cert_export(db, "a", pem, &out, NULL), p11c_cert_export, "len is NULL");
	no_failures();
}

static void test_args_p11c_key_export(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_key_export(NULL, "a", "k.pem"), p11c_key_export);
	USAGE(db, p11c_key_export(db, NULL, "k.pem"), p11c_key_export, "alias is NULL");
	USAGE(db, p11c_key_export(db, "", "k.pem"), p11c_key_export, "alias is empty");
	USAGE(db, p11c_key_export(db, "a", NULL), p11c_key_export, "path is NULL");
	USAGE(db, p11c_key_export(db, "a", ""), p11c_key_export, "path is empty");
	no_failures();
}

static void test_args_p11c_p12_import(void **state)
{
	p11c_db *db = *state;
	p11c_import_opts o = P11C_IMPORT_OPTS_INIT;
	char *alias = NULL;
	NO_DB(p11c_p12_import(NULL, "i.p12", "pw", &o, &alias), p11c_p12_import);
	USAGE(db, p11c_p12_import(db, NULL, "pw", &o, &alias), p11c_p12_import, "path is NULL");
	USAGE(db, p11c_p12_import(db, "", "pw", &o, &alias), p11c_p12_import, "path is empty");
	USAGE(db, p11c_p12_import(db, "i.p12", NULL, &o, &alias), p11c_p12_import,
	      "password is NULL");
	o.alias = "";
	USAGE(db, p11c_p12_import(db, "i.p12", "pw", &o, &alias), p11c_p12_import,
	      "opts->alias is empty");
	o.alias = NULL;
	o.token = "";
	USAGE(db, p11c_p12_import(db, "i.p12", "pw", &o, &alias), p11c_p12_import,
	      "opts->token is empty");
	o.token = NULL;
	o.flags = 0x100;
	USAGE(db, p11c_p12_import(db, "i.p12", "pw", &o, &alias), p11c_p12_import,
	      "opts->flags has unknown bits 0x100");
	o.flags = 0;
	o.size = 0;
	USAGE(db, p11c_p12_import(db, "i.p12", "pw", &o, &alias), p11c_p12_import,
	      "opts->size is 0");
	o.size = sizeof(o) - 1;
	USAGE(db, p11c_p12_import(db, "i.p12", "pw", &o, &alias), p11c_p12_import, "opts->size");
	assert_null(alias);
	no_failures();
}

static void test_args_p11c_pem_import(void **state)
{
	p11c_db *db = *state;
	p11c_import_opts o = P11C_IMPORT_OPTS_INIT;
	NO_DB(p11c_pem_import(NULL, "k.pem", "c.pem", NULL, &o, NULL), p11c_pem_import);
	USAGE(db, p11c_pem_import(db, NULL, "c.pem", NULL, &o, NULL), p11c_pem_import,
	      "key_path is NULL");
	USAGE(db, p11c_pem_import(db, "", "c.pem", NULL, &o, NULL), p11c_pem_import,
	      "key_path is empty");
	USAGE(db, p11c_pem_import(db, "k.pem", NULL, NULL, &o, NULL), p11c_pem_import,
	      "cert_path is NULL");
	USAGE(db, p11c_pem_import(db, "k.pem", "", NULL, &o, NULL), p11c_pem_import,
	      "cert_path is empty");
	o.token = "";
	USAGE(db, p11c_pem_import(db, "k.pem", "c.pem", NULL, &o, NULL), p11c_pem_import,
	      "opts->token is empty");
	o.token = NULL;
	o.flags = P11C_IMPORT_EXTRACTABLE | 0x4;
	USAGE(db, p11c_pem_import(db, "k.pem", "c.pem", NULL, &o, NULL), p11c_pem_import,
	      "opts->flags has unknown bits 0x4");
	o.flags = 0;
	o.size = 0;
	USAGE(db, p11c_pem_import(db, "k.pem", "c.pem", NULL, &o, NULL), p11c_pem_import,
	      "opts->size is 0");
	no_failures();
}

static void test_args_p11c_key_file_is_encrypted(void **state)
{
	p11c_db *db = *state;
	int enc = 0;
	NO_DB(p11c_key_file_is_encrypted(NULL, "k.pem", &enc), p11c_key_file_is_encrypted);
	USAGE(db, p11c_key_file_is_encrypted(db, NULL, &enc), p11c_key_file_is_encrypted,
	      "path is NULL");
	USAGE(db, p11c_key_file_is_encrypted(db, "", &enc), p11c_key_file_is_encrypted,
	      "path is empty");
	USAGE(db, p11c_key_file_is_encrypted(db, "k.pem", NULL), p11c_key_file_is_encrypted,
	      "encrypted is NULL");
	no_failures();
}

static void test_args_p11c_cert_remove(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_cert_remove(NULL, "a", 0), p11c_cert_remove);
	USAGE(db, p11c_cert_remove(db, NULL, 0), p11c_cert_remove, "alias is NULL");
	USAGE(db, p11c_cert_remove(db, "", 0), p11c_cert_remove, "alias is empty");
	USAGE(db, p11c_cert_remove(db, "a", 4), p11c_cert_remove, "flags has unknown bits 0x4");
	no_failures();
}

static void test_args_p11c_cert_list(void **state)
{
	p11c_db *db = *state;
	p11c_list_opts o = P11C_LIST_OPTS_INIT;
	p11c_cert_listing *l = (p11c_cert_listing *)&o;
	NO_DB(p11c_cert_list(NULL, &o, &l), p11c_cert_list);
	assert_null(l); /* cleared even without a handle */
	USAGE(db, p11c_cert_list(db, &o, NULL), p11c_cert_list, "out is NULL");
	o.which = (p11c_list_kind)7;
	USAGE(db, p11c_cert_list(db, &o, &l), p11c_cert_list, "opts->which is 7, not from 0 to 2");
	o.which = (p11c_list_kind)3;
	USAGE(db, p11c_cert_list(db, &o, &l), p11c_cert_list, "opts->which is 3, not from 0 to 2");
	o.which = P11C_LIST_KEYS;
	o.token = "";
	USAGE(db, p11c_cert_list(db, &o, &l), p11c_cert_list, "opts->token is empty");
	o.token = NULL;
	o.size = 0;
	USAGE(db, p11c_cert_list(db, &o, &l), p11c_cert_list, "opts->size is 0, less than");
	no_failures();
}

static void test_args_p11c_cert_listing_free(void **state)
{
	(void)state;
	p11c_cert_listing_free(NULL);
}

static void test_args_p11c_cert_show(void **state)
{
	p11c_db *db = *state;
	p11c_cert *info = NULL;
	NO_DB(p11c_cert_show(NULL, "a", &info), p11c_cert_show);
	USAGE(db, p11c_cert_show(db, NULL, &info), p11c_cert_show, "alias is NULL");
	USAGE(db, p11c_cert_show(db, "", &info), p11c_cert_show, "alias is empty");
	USAGE(db, p11c_cert_show(db, "a", NULL), p11c_cert_show, "out is NULL");
	no_failures();
}

static void test_args_p11c_cert_free(void **state)
{
	(void)state;
	p11c_cert_free(NULL);
}

static void test_args_p11c_token_label(void **state)
{
	p11c_db *db = *state;
	char *label = NULL;
	NO_DB(p11c_token_label(NULL, "internal", &label), p11c_token_label);
	USAGE(db, p11c_token_label(db, NULL, &label), p11c_token_label, "token is NULL");
	USAGE(db, p11c_token_label(db, "", &label), p11c_token_label, "token is empty");
	USAGE(db, p11c_token_label(db, "internal", NULL), p11c_token_label, "label is NULL");
	no_failures();
}

static void test_args_p11c_token_list(void **state)
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
static void test_args_p11c_token_listing_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_token_listing_count(NULL), 0);
}

static void test_args_p11c_token_listing_get(void **state)
{
	(void)state;
	assert_null(p11c_token_listing_get(NULL, 0));
}

static void test_args_p11c_token_listing_free(void **state)
{
	(void)state;
	p11c_token_listing_free(NULL);
}

static void test_args_p11c_token_module(void **state)
{
	(void)state;
	assert_null(p11c_token_module(NULL));
}

static void test_args_p11c_token_module_path(void **state)
{
	(void)state;
	assert_null(p11c_token_module_path(NULL));
}

static void test_args_p11c_token_slot(void **state)
{
	(void)state;
	assert_null(p11c_token_slot(NULL));
}

static void test_args_p11c_token_name(void **state)
{
	(void)state;
	assert_null(p11c_token_name(NULL));
}

static void test_args_p11c_token_manufacturer(void **state)
{
	(void)state;
	assert_null(p11c_token_manufacturer(NULL));
}

static void test_args_p11c_token_model(void **state)
{
	(void)state;
	assert_null(p11c_token_model(NULL));
}

static void test_args_p11c_token_serial(void **state)
{
	(void)state;
	assert_null(p11c_token_serial(NULL));
}

static void test_args_p11c_token_uri(void **state)
{
	(void)state;
	assert_null(p11c_token_uri(NULL));
}

static void test_args_p11c_token_flags(void **state)
{
	(void)state;
	assert_int_equal(p11c_token_flags(NULL), 0);
}

static void test_args_p11c_token_loaded_by(void **state)
{
	(void)state;
	assert_int_equal(p11c_token_loaded_by(NULL), P11C_LOADED_BY_NONE);
}

/* The words list-tokens --json prints. */
static void test_args_p11c_loaded_by_name(void **state)
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

static void test_args_p11c_module_add(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_module_add(NULL, "m", "/lib/m.so"), p11c_module_add);
	USAGE(db, p11c_module_add(db, NULL, "/lib/m.so"), p11c_module_add, "name is NULL");
	USAGE(db, p11c_module_add(db, "", "/lib/m.so"), p11c_module_add, "name is empty");
	USAGE(db, p11c_module_add(db, "m", NULL), p11c_module_add, "path is NULL");
	USAGE(db, p11c_module_add(db, "m", ""), p11c_module_add, "path is empty");
	no_failures();
}

static void test_args_p11c_module_remove(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_module_remove(NULL, "m"), p11c_module_remove);
	USAGE(db, p11c_module_remove(db, NULL), p11c_module_remove, "name is NULL");
	USAGE(db, p11c_module_remove(db, ""), p11c_module_remove, "name is empty");
	no_failures();
}

static void test_args_p11c_trust_parse(void **state)
{
	(void)state;
	char *t = NULL;
	USAGE(NULL, p11c_trust_parse(NULL, &t), p11c_trust_parse, "text is NULL");
	USAGE(NULL, p11c_trust_parse("", &t), p11c_trust_parse, "text is empty");
	USAGE(NULL, p11c_trust_parse("CT,,", NULL), p11c_trust_parse, "nss_form is NULL");
	no_failures();
}

static void test_args_p11c_chain_fetch(void **state)
{
	p11c_db *db = *state;
	p11c_chain *c = (p11c_chain *)&c; /* not NULL */
	p11c_fetch_opts o = P11C_FETCH_OPTS_INIT;
	NO_DB(p11c_chain_fetch(NULL, "smtp://127.0.0.1", NULL, &c), p11c_chain_fetch);
	assert_null(c); /* out-parameters cleared, as on any failure */
	USAGE(db, p11c_chain_fetch(db, NULL, NULL, &c), p11c_chain_fetch, "url is NULL");
	USAGE(db, p11c_chain_fetch(db, "", NULL, &c), p11c_chain_fetch, "url is empty");
	USAGE(db, p11c_chain_fetch(db, "smtp://127.0.0.1", NULL, NULL), p11c_chain_fetch,
	      "out is NULL");
	o.size = 0;
	USAGE(db, p11c_chain_fetch(db, "smtp://127.0.0.1", &o, &c), p11c_chain_fetch,
	      "opts->size is 0");
	o.size = sizeof(o);
	o.flags = 0x2;
	USAGE(db, p11c_chain_fetch(db, "smtp://127.0.0.1", &o, &c), p11c_chain_fetch,
	      "opts->flags has unknown bits 0x2");
	o.flags = P11C_FETCH_CA_ISSUERS;
	o.timeout = -1;
	USAGE(db, p11c_chain_fetch(db, "smtp://127.0.0.1", &o, &c), p11c_chain_fetch,
	      "opts->timeout is -1, not from 0 to 3600");
	o.timeout = 3601;
	USAGE(db, p11c_chain_fetch(db, "smtp://127.0.0.1", &o, &c), p11c_chain_fetch,
	      "opts->timeout is 3601");
	no_failures();
}

static void test_args_p11c_chain_add_trust(void **state)
{
	p11c_db *db = *state;
	size_t added = 0;
	NO_DB(p11c_chain_add_trust(NULL, NULL, &added), p11c_chain_add_trust);
	USAGE(db, p11c_chain_add_trust(db, NULL, &added), p11c_chain_add_trust, "c is NULL");
	no_failures();
}

static void test_args_p11c_cert_verify(void **state)
{
	p11c_db *db = *state;
	p11c_chain *c = NULL;
	NO_DB(p11c_cert_verify(NULL, "a", P11C_USAGE_TLS_SERVER, 0, &c), p11c_cert_verify);
	USAGE(db, p11c_cert_verify(db, NULL, P11C_USAGE_TLS_SERVER, 0, &c), p11c_cert_verify,
	      "alias is NULL");
	USAGE(db, p11c_cert_verify(db, "", P11C_USAGE_TLS_SERVER, 0, &c), p11c_cert_verify,
	      "alias is empty");
	USAGE(db, p11c_cert_verify(db, "a", (p11c_usage)-1, 0, &c), p11c_cert_verify,
	      "usage is -1, not from 0 to 5");
	USAGE(db, p11c_cert_verify(db, "a", (p11c_usage)6, 0, &c), p11c_cert_verify,
	      "usage is 6, not from 0 to 5");
	USAGE(db, p11c_cert_verify(db, "a", P11C_USAGE_TLS_SERVER, 0, NULL), p11c_cert_verify,
	      "out is NULL");
	no_failures();
}

static void test_args_p11c_chain_save(void **state)
{
	p11c_db *db = *state;
	const p11c_chain *c = (const p11c_chain *)&db; /* not NULL: refused before it is read */
	NO_DB(p11c_chain_save(NULL, c, "d"), p11c_chain_save);
	USAGE(db, p11c_chain_save(db, NULL, "d"), p11c_chain_save, "c is NULL");
	USAGE(db, p11c_chain_save(db, c, NULL), p11c_chain_save, "dir is NULL");
	USAGE(db, p11c_chain_save(db, c, ""), p11c_chain_save, "dir is empty");
	no_failures();
}

static void test_args_p11c_chain_free(void **state)
{
	(void)state;
	p11c_chain_free(NULL);
}

/* A chain's and a problem's accessors take NULL: NULL, 0, -1 (a depth),
 * P11C_PROBLEM_NONE. */
static void test_args_p11c_chain_url(void **state)
{
	(void)state;
	assert_null(p11c_chain_url(NULL));
}

static void test_args_p11c_chain_scheme(void **state)
{
	(void)state;
	assert_null(p11c_chain_scheme(NULL));
}

static void test_args_p11c_chain_host(void **state)
{
	(void)state;
	assert_null(p11c_chain_host(NULL));
}

static void test_args_p11c_chain_port(void **state)
{
	(void)state;
	assert_int_equal(p11c_chain_port(NULL), 0);
}

static void test_args_p11c_chain_tls_version(void **state)
{
	(void)state;
	assert_null(p11c_chain_tls_version(NULL));
}

static void test_args_p11c_chain_cipher(void **state)
{
	(void)state;
	assert_null(p11c_chain_cipher(NULL));
}

static void test_args_p11c_chain_trusted(void **state)
{
	(void)state;
	assert_int_equal(p11c_chain_trusted(NULL), 0);
}

static void test_args_p11c_chain_cert_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_chain_cert_count(NULL), 0);
}

static void test_args_p11c_chain_cert_get(void **state)
{
	(void)state;
	assert_null(p11c_chain_cert_get(NULL, 0));
}

static void test_args_p11c_chain_link_flags(void **state)
{
	(void)state;
	assert_int_equal(p11c_chain_link_flags(NULL, 0), 0);
}

static void test_args_p11c_chain_problem_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_chain_problem_count(NULL), 0);
}

static void test_args_p11c_chain_problem_get(void **state)
{
	(void)state;
	assert_null(p11c_chain_problem_get(NULL, 0));
}

static void test_args_p11c_chain_note_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_chain_note_count(NULL), 0);
}

static void test_args_p11c_chain_note_get(void **state)
{
	(void)state;
	assert_null(p11c_chain_note_get(NULL, 0));
}

static void test_args_p11c_problem_code(void **state)
{
	(void)state;
	assert_int_equal(p11c_problem_code(NULL), P11C_PROBLEM_NONE);
}

static void test_args_p11c_problem_message(void **state)
{
	(void)state;
	assert_null(p11c_problem_message(NULL));
}

static void test_args_p11c_problem_depth(void **state)
{
	(void)state;
	assert_int_equal(p11c_problem_depth(NULL), -1);
}

static void test_args_p11c_problem_code_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_problem_code_name(P11C_PROBLEM_NONE), "none");
	assert_string_equal(p11c_problem_code_name(P11C_PROBLEM_UNKNOWN_ISSUER), "unknown-issuer");
	assert_string_equal(p11c_problem_code_name(P11C_PROBLEM_OTHER), "other");
	assert_string_equal(p11c_problem_code_name((enum p11c_problem_code)11), "unknown");
	assert_string_equal(p11c_problem_code_name((enum p11c_problem_code) - 1), "unknown");
}

static void test_args_p11c_db_check(void **state)
{
	p11c_db *db = *state;
	p11c_check_opts o = P11C_CHECK_OPTS_INIT;
	p11c_check_report *r = (p11c_check_report *)&r; /* not NULL */
	NO_DB(p11c_db_check(NULL, &o, &r), p11c_db_check);
	assert_null(r);
	USAGE(db, p11c_db_check(db, &o, NULL), p11c_db_check, "out is NULL");
	o.password_file = "";
	USAGE(db, p11c_db_check(db, &o, &r), p11c_db_check, "opts->password_file is empty");
	o.password_file = NULL;
	o.size = 0;
	USAGE(db, p11c_db_check(db, &o, &r), p11c_db_check, "opts->size is 0");
	o.size = sizeof(o);
	o.days = -1;
	USAGE(db, p11c_db_check(db, &o, &r), p11c_db_check,
	      "opts->days is -1, not from 0 to 36500");
	o.days = 36501;
	USAGE(db, p11c_db_check(db, &o, &r), p11c_db_check, "opts->days is 36501");
	no_failures();
}

/* A report's and a finding's accessors take NULL: NULL, 0, _OK, _NONE. */
static void test_args_p11c_check_report_count(void **state)
{
	(void)state;
	assert_int_equal(p11c_check_report_count(NULL), 0);
}

static void test_args_p11c_check_report_get(void **state)
{
	(void)state;
	assert_null(p11c_check_report_get(NULL, 0));
}

static void test_args_p11c_check_report_severity(void **state)
{
	(void)state;
	assert_int_equal(p11c_check_report_severity(NULL), P11C_SEVERITY_OK);
}

static void test_args_p11c_check_report_free(void **state)
{
	(void)state;
	p11c_check_report_free(NULL);
}

static void test_args_p11c_finding_alias(void **state)
{
	(void)state;
	assert_null(p11c_finding_alias(NULL));
}

static void test_args_p11c_finding_severity(void **state)
{
	(void)state;
	assert_int_equal(p11c_finding_severity(NULL), P11C_SEVERITY_OK);
}

static void test_args_p11c_finding_code(void **state)
{
	(void)state;
	assert_int_equal(p11c_finding_code(NULL), P11C_FINDING_NONE);
}

static void test_args_p11c_finding_message(void **state)
{
	(void)state;
	assert_null(p11c_finding_message(NULL));
}

static void test_args_p11c_severity_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_severity_name(P11C_SEVERITY_OK), "ok");
	assert_string_equal(p11c_severity_name(P11C_SEVERITY_WARNING), "warning");
	assert_string_equal(p11c_severity_name(P11C_SEVERITY_PROBLEM), "problem");
	assert_string_equal(p11c_severity_name((p11c_severity)3), "unknown");
	assert_string_equal(p11c_severity_name((p11c_severity)-1), "unknown");
}

static void test_args_p11c_finding_code_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_finding_code_name(P11C_FINDING_NONE), "none");
	assert_string_equal(p11c_finding_code_name(P11C_FINDING_EXPIRED), "expired");
	assert_string_equal(p11c_finding_code_name(P11C_FINDING_ORPHAN_KEY), "orphan-key");
	assert_string_equal(p11c_finding_code_name(P11C_FINDING_STALE_EXPORT), "stale-export");
	assert_string_equal(p11c_finding_code_name((enum p11c_finding_code)15), "unknown");
	assert_string_equal(p11c_finding_code_name((enum p11c_finding_code) - 1), "unknown");
}

static void test_args_p11c_token_change_password(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_token_change_password(NULL, NULL, "new", NULL), p11c_token_change_password);
	USAGE(db, p11c_token_change_password(db, "", "new", NULL), p11c_token_change_password,
	      "token is empty");
	USAGE(db, p11c_token_change_password(db, NULL, "new", ""), p11c_token_change_password,
	      "pwfile is empty");
	no_failures();
}

static void test_args_p11c_request_sign(void **state)
{
	p11c_db *db = *state;
	char *pem = NULL;
	p11c_sign_opts o = P11C_SIGN_OPTS_INIT;
	NO_DB(p11c_request_sign(NULL, "ca", "r.csr", NULL, &pem), p11c_request_sign);
	USAGE(db, p11c_request_sign(db, NULL, "r.csr", NULL, &pem), p11c_request_sign,
	      "ca_alias is NULL");
	USAGE(db, p11c_request_sign(db, "", "r.csr", NULL, &pem), p11c_request_sign,
	      "ca_alias is empty");
	USAGE(db, p11c_request_sign(db, "ca", NULL, NULL, &pem), p11c_request_sign, "path is NULL");
	USAGE(db, p11c_request_sign(db, "ca", "", NULL, &pem), p11c_request_sign, "path is empty");
	USAGE(db, p11c_request_sign(db, "ca", "r.csr", NULL, NULL), p11c_request_sign,
	      "pem is NULL");
	o.flags = 4;
	USAGE(db, p11c_request_sign(db, "ca", "r.csr", &o, &pem), p11c_request_sign,
	      "opts->flags has unknown bits 0x4");
	o.flags = P11C_SIGN_SERVER_AUTH;
	o.size = 4;
	USAGE(db, p11c_request_sign(db, "ca", "r.csr", &o, &pem), p11c_request_sign,
	      "opts->size is 4, less than");
	no_failures();
}

static void test_args_p11c_trust_export(void **state)
{
	p11c_db *db = *state;
	unsigned char *out = NULL;
	size_t len = 0, count = 0;
	const p11c_trust_format pem = P11C_TRUST_FORMAT_PEM;
	NO_DB(p11c_trust_export(NULL, P11C_USAGE_TLS_SERVER, pem, NULL, &out, &len, &count),
	      p11c_trust_export);
	USAGE(db, p11c_trust_export(db, (p11c_usage)9, pem, NULL, &out, &len, &count),
	      p11c_trust_export, "usage is 9, not from 0 to 2");
	USAGE(db, p11c_trust_export(db, P11C_USAGE_TLS_SERVER_CA, pem, NULL, &out, &len, &count),
	      p11c_trust_export, "usage is 3, not from 0 to 2");
	USAGE(db,
	      p11c_trust_export(db, P11C_USAGE_EMAIL, (p11c_trust_format)2, NULL, &out, &len,
	                        &count),
	      p11c_trust_export, "format is 2, not from 0 to 1");
	USAGE(db, p11c_trust_export(db, P11C_USAGE_EMAIL, pem, NULL, NULL, &len, &count),
	      p11c_trust_export, "out is NULL");
	USAGE(db, p11c_trust_export(db, P11C_USAGE_EMAIL, pem, NULL, &out, NULL, &count),
	      p11c_trust_export, "len is NULL");
	USAGE(db, p11c_trust_export(db, P11C_USAGE_EMAIL, pem, NULL, &out, &len, NULL),
	      p11c_trust_export, "count is NULL");
	no_failures();
}

static void test_args_p11c_trust_format_name(void **state)
{
	(void)state;
	assert_string_equal(p11c_trust_format_name(P11C_TRUST_FORMAT_PEM), "pem");
	assert_string_equal(p11c_trust_format_name(P11C_TRUST_FORMAT_PKCS12), "pkcs12");
	assert_string_equal(p11c_trust_format_name((p11c_trust_format)2), "unknown");
}

static void test_args_p11c_db_upgrade(void **state)
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
static void test_args_p11c_upgrade_report_before(void **state)
{
	(void)state;
	assert_int_equal(p11c_upgrade_report_before(NULL, P11C_UPGRADE_CERTS), 0);
}

static void test_args_p11c_upgrade_report_after(void **state)
{
	(void)state;
	assert_int_equal(p11c_upgrade_report_after(NULL, P11C_UPGRADE_MODULES), 0);
}

static void test_args_p11c_upgrade_report_backup_dir(void **state)
{
	(void)state;
	assert_null(p11c_upgrade_report_backup_dir(NULL));
}

static void test_args_p11c_upgrade_report_password_file(void **state)
{
	(void)state;
	assert_int_equal(p11c_upgrade_report_password_file(NULL), P11C_UPGRADE_PWFILE_UNCHANGED);
}

static void test_args_p11c_upgrade_report_free(void **state)
{
	(void)state;
	p11c_upgrade_report_free(NULL);
}

/* ---- the list above is the whole API ---- */

#define NAME_OF(fn) #fn,
static const char *const tested[] = {PUBLIC_FUNCTIONS(NAME_OF) NULL};

static int is_tested(const char *name)
{
	for (size_t i = 0; tested[i]; i++)
		if (!strcmp(tested[i], name))
			return 1;
	return 0;
}

/* Each name on the lines of cmd's output (or of a file, when cmd starts
 * with '<'), taken by scanf's fmt, must be in PUBLIC_FUNCTIONS; returns
 * how many names there were. */
static size_t names_tested(const char *what, FILE *in, size_t *untested)
{
	char line[1024], name[256];
	size_t n = 0;
	while (fgets(line, sizeof(line), in)) {
		/* the first p11c_ name that is called (a return type such as
		 * p11c_errc comes before it) */
		const char *p = strstr(line, "p11c_");
		int header = !strcmp(what, "header");
		while (p && (sscanf(p, "%255[a-z0-9_]", name) != 1 ||
		             (header && p[strlen(name)] != '(')))
			p = strstr(p + 1, "p11c_");
		if (!p)
			continue;
		/* the header: declarations only ("p11c_x(" at a line's first call) */
		if (!strcmp(what, "header") &&
		    (strncmp(p + strlen(name), "(", 1) || strstr(line, "typedef") ||
		     line[0] == ' ' || line[0] == '\t' || line[0] == '/' || line[0] == '#'))
			continue;
		n++;
		if (!is_tested(name)) {
			print_error("%s has %s, which test_args.c does not test\n", what, name);
			(*untested)++;
		}
	}
	return n;
}

/* p11cert.h and each header it includes ("p11cert/cert.h" ...). */
static void test_api_list_is_the_header(void **state)
{
	(void)state;
	const char *header = getenv("P11C_HEADER");
	if (!header)
		skip();
	FILE *f = fopen(header, "r");
	assert_non_null(f);
	size_t untested = 0, n = 0, parts = 0;
	char line[1024], part[256], path[1400];
	const char *slash = strrchr(header, '/');
	int dirlen = slash ? (int)(slash - header) : 1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "#include \"%255[^\"]\"", part) != 1)
			continue;
		snprintf(path, sizeof(path), "%.*s/%s", dirlen, slash ? header : ".", part);
		FILE *h = fopen(path, "r");
		if (!h)
			print_error("cannot open %s, which %s includes\n", path, header);
		assert_non_null(h);
		n += names_tested("header", h, &untested);
		fclose(h);
		parts++;
	}
	fclose(f);
	assert_true(parts > 0);
	size_t want = sizeof(tested) / sizeof(tested[0]) - 1;
	if (n != want)
		print_error("the headers declare %zu functions; test_args.c lists %zu\n", n, want);
	assert_int_equal(untested, 0);
	assert_int_equal(n, want);
}

static void test_api_list_is_the_exports(void **state)
{
	(void)state;
	const char *so = getenv("P11C_LIBRARY");
	if (!so)
		skip();
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "nm -D --defined-only '%s'", so);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t untested = 0, n = names_tested("libp11cert.so", p, &untested);
	int status = pclose(p);
	size_t want = sizeof(tested) / sizeof(tested[0]) - 1;
	if (status != 0)
		print_error("%s: exit status %d\n", cmd, status);
	if (n != want)
		print_error("libp11cert.so exports %zu p11c_ functions; test_args.c lists %zu\n", n,
		            want);
	assert_int_equal(status, 0);
	assert_int_equal(untested, 0);
	assert_int_equal(n, want);
}

/* ---- an open handle: the same refusals, and the database unchanged ---- */

static char tmpdir[] = "/tmp/p11c-args-XXXXXX";

static char *certutil(const char *dir, const char *args)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "certutil -d 'sql:%s' %s -f '%s/sslpassword.conf' 2>&1", dir,
	         args, dir);
	FILE *p = popen(cmd, "r");
	if (!p)
		return NULL;
	char *out = calloc(1, 65536);
	size_t n = out ? fread(out, 1, 65535, p) : 0;
	(void)n;
	pclose(p);
	return out;
}

static void test_args_open_handle_refused_unchanged(void **state)
{
	p11c_db *db = *state;
	char dir[sizeof(tmpdir) + 8];
	p11c_generate_opts g = P11C_GENERATE_OPTS_INIT;
	p11c_selfsign_opts s = P11C_SELFSIGN_OPTS_INIT;
	p11c_dn_fields cn = P11C_DN_FIELDS_INIT;
	p11c_list_opts lo = P11C_LIST_OPTS_INIT;
	p11c_cert_listing *list = NULL;
	cn.cn = "args.example";
	assert_non_null(mkdtemp(tmpdir));
	snprintf(dir, sizeof(dir), "%s/db", tmpdir);
	g.flags = P11C_GENERATE_NO_DEFAULT_CERT | P11C_GENERATE_NO_P11KIT;
	if (p11c_db_generate(db, dir, &g) != P11C_OK)
		fail_msg("p11c_db_generate: %s", p11c_last_error(db));
	s.fields = &cn;
	s.key_type = "ec:p256";
	if (p11c_cert_selfsign(db, "kept", &s) != P11C_OK)
		fail_msg("p11c_cert_selfsign: %s", p11c_last_error(db));
	char *before_l = certutil(dir, "-L"), *before_k = certutil(dir, "-K");
	assert_non_null(before_l);
	assert_non_null(strstr(before_l, "kept"));

	USAGE(db, p11c_db_open(db, dir, 0), p11c_db_open,
	      "db already has database '/tmp/p11c-args-");
	USAGE(db, p11c_db_generate(db, dir, NULL), p11c_db_generate, "db already has database");
	p11c_upgrade_report *r = NULL;
	USAGE(db, p11c_db_upgrade(db, dir, &r), p11c_db_upgrade, "db already has database");
	assert_null(r);
	USAGE(db, p11c_cert_selfsign(db, "", &s), p11c_cert_selfsign, "alias is empty");
	USAGE(db, p11c_cert_remove(db, NULL, 0), p11c_cert_remove, "alias is NULL");
	USAGE(db, p11c_cert_add(db, "kept", NULL, NULL, NULL), p11c_cert_add, "path is NULL");
	lo.which = (p11c_list_kind)9;
	USAGE(db, p11c_cert_list(db, &lo, &list), p11c_cert_list, "which is 9");
	lo.which = P11C_LIST_KEYS;
	USAGE(db, p11c_cert_renew_selfsign(db, NULL, 30, P11C_RENEW_NEW_KEY),
	      p11c_cert_renew_selfsign, "alias is NULL");
	USAGE(db, p11c_module_remove(db, ""), p11c_module_remove, "name is empty");
	USAGE(db, p11c_token_change_password(db, "", NULL, NULL), p11c_token_change_password,
	      "token is empty");
	assert_string_equal(p11c_db_dir(db), dir);
	assert_int_equal(p11c_cert_list(db, &lo, &list), P11C_OK);
	assert_int_equal(p11c_cert_listing_count(list), 1);
	assert_string_equal(p11c_cert_alias(p11c_cert_listing_get(list, 0)), "kept");
	assert_null(p11c_cert_listing_get(list, 1));
	p11c_cert_listing_free(list);

	char *after_l = certutil(dir, "-L"), *after_k = certutil(dir, "-K");
	if (strcmp(before_l, after_l) || strcmp(before_k, after_k))
		print_error("certutil -L/-K changed:\n  before: %s%s  after:  %s%s", before_l,
		            before_k, after_l, after_k);
	assert_string_equal(before_l, after_l);
	assert_string_equal(before_k, after_k);
	free(before_l), free(before_k), free(after_l), free(after_k);
	no_failures();
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
}

/* A handle with no database: every call that needs one refuses it. */
static void test_args_closed_handle_refused(void **state)
{
	p11c_db *db = *state;
	p11c_selfsign_opts s = P11C_SELFSIGN_OPTS_INIT;
	p11c_cert_listing *list = NULL;
	p11c_cert *info = NULL;
	p11c_token_listing *tokens = NULL;
	p11c_chain *c = NULL;
	p11c_check_report *rep_c = NULL;
	char *str = NULL;
	unsigned char *buf = NULL;
	size_t n = 0, len = 0;
	CLOSED(p11c_cert_selfsign(db, "a", &s));
	CLOSED(p11c_cert_list(db, NULL, &list));
	CLOSED(p11c_alias_qualify(db, "hsm", "a", &str));
	CLOSED(p11c_cert_show(db, "a", &info));
	CLOSED(p11c_cert_remove(db, "a", 0));
	CLOSED(p11c_cert_verify(db, "a", P11C_USAGE_EMAIL, 0, &c));
	CLOSED(p11c_cert_export(db, "a", P11C_CERT_EXPORT_PEM, &buf, &len));
	CLOSED(p11c_token_list(db, &tokens));
	CLOSED(p11c_token_label(db, "internal", &str));
	CLOSED(p11c_db_check(db, NULL, &rep_c));
	CLOSED(p11c_module_remove(db, "m"));
	CLOSED(p11c_trust_export(db, P11C_USAGE_EMAIL, P11C_TRUST_FORMAT_PEM, NULL, &buf, &len, &n));
	p11c_export_report *rep = NULL;
	CLOSED(p11c_export_sync(db, 0, &rep));
	CLOSED(p11c_chain_fetch(db, "smtp://127.0.0.1:1", NULL, &c));
	no_failures();
}

#define UNIT_TEST(fn) cmocka_unit_test_setup_teardown(test_args_##fn, setup, teardown),

int main(void)
{
	const struct CMUnitTest tests[] = {
	    PUBLIC_FUNCTIONS(UNIT_TEST) cmocka_unit_test(test_api_list_is_the_header),
	    cmocka_unit_test(test_api_list_is_the_exports),
	    cmocka_unit_test_setup_teardown(test_args_closed_handle_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_args_open_handle_refused_unchanged, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
