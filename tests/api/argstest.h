/* SPDX-License-Identifier: MPL-2.0 */
/* What the parts of the 'args' test share (test_args.c and one
 * test_args_PART.c a header of p11cert/): the list of every public
 * function, a header's part a macro, and the checks of a refusal.
 * Include after <cmocka.h>. */
#ifndef P11C_ARGSTEST_H
#define P11C_ARGSTEST_H

#include <stddef.h>

#include "p11cert.h"

/* One test_args_NAME a public function, in the part of its header;
 * test_args.c holds these lists against the headers and against what
 * libp11cert.so exports (nm -D), so a new function without a test fails
 * the suite. */
/* base.h: the handle, the last error, usages */
#define ARGS_BASE(X)                                                                               \
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
	X(p11c_db_set_log)

/* db.h: databases, password files, modules of a run, generate, upgrade */
#define ARGS_DB(X)                                                                                 \
	X(p11c_db_set_password_file)                                                               \
	X(p11c_password_file_read)                                                                 \
	X(p11c_output_path_check)                                                                  \
	X(p11c_file_write)                                                                         \
	X(p11c_db_set_password_prompt)                                                             \
	X(p11c_db_set_warning)                                                                     \
	X(p11c_db_set_progress)                                                                    \
	X(p11c_db_set_module)                                                                      \
	X(p11c_db_open)                                                                            \
	X(p11c_db_dir)                                                                             \
	X(p11c_db_generate)                                                                        \
	X(p11c_db_upgrade)                                                                         \
	X(p11c_upgrade_report_before)                                                              \
	X(p11c_upgrade_report_after)                                                               \
	X(p11c_upgrade_report_backup_dir)                                                          \
	X(p11c_upgrade_report_password_file)                                                       \
	X(p11c_upgrade_report_free)

/* cert.h: certificates, their accessors and listings, requests, signing */
#define ARGS_CERT(X)                                                                               \
	X(p11c_dn_format)                                                                          \
	X(p11c_cert_selfsign)                                                                      \
	X(p11c_request_create)                                                                     \
	X(p11c_request_write)                                                                      \
	X(p11c_cert_add)                                                                           \
	X(p11c_cert_add_bundle)                                                                    \
	X(p11c_cert_add_chain)                                                                     \
	X(p11c_add_report_count)                                                                   \
	X(p11c_add_report_cert)                                                                    \
	X(p11c_add_report_state)                                                                   \
	X(p11c_add_report_free)                                                                    \
	X(p11c_cert_renew)                                                                         \
	X(p11c_cert_renew_selfsign)                                                                \
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
	X(p11c_trust_parse)                                                                        \
	X(p11c_request_sign)

/* io.h: exports, imports, export-trust, recorded exports */
#define ARGS_IO(X)                                                                                 \
	X(p11c_cert_export_p12)                                                                    \
	X(p11c_cert_export)                                                                        \
	X(p11c_key_export)                                                                         \
	X(p11c_p12_import)                                                                         \
	X(p11c_pem_import)                                                                         \
	X(p11c_key_file_is_encrypted)                                                              \
	X(p11c_trust_export)                                                                       \
	X(p11c_trust_format_name)                                                                  \
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

/* token.h: tokens and modules */
#define ARGS_TOKEN(X)                                                                              \
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
	X(p11c_token_change_password)                                                              \
	X(p11c_token_init)                                                                         \
	X(p11c_fixture_create)

/* chain.h: fetch-chain, verify-cert and the chain's accessors */
#define ARGS_CHAIN(X)                                                                              \
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
	X(p11c_cert_verify_opts)                                                                   \
	X(p11c_rev_status_name)                                                                    \
	X(p11c_chain_rev_status)                                                                   \
	X(p11c_chain_rev_source)                                                                   \
	X(p11c_chain_rev_method)                                                                   \
	X(p11c_chain_rev_cached)                                                                   \
	X(p11c_chain_rev_this_update)                                                              \
	X(p11c_chain_rev_next_update)                                                              \
	X(p11c_chain_rev_revoked_at)                                                               \
	X(p11c_chain_rev_reason)                                                                   \
	X(p11c_chain_rev_error)

/* check.h: check's report and findings */
#define ARGS_CHECK(X)                                                                              \
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
	X(p11c_finding_code_name)

/* acme.h: the account, certificates issued, renewed and revoked, challenges */
#define ARGS_ACME(X)                                                                               \
	X(p11c_acme_register)                                                                      \
	X(p11c_acme_method_name)                                                                   \
	X(p11c_acme_challenge_type)                                                                \
	X(p11c_acme_challenge_domain)                                                              \
	X(p11c_acme_challenge_token)                                                               \
	X(p11c_acme_challenge_key_auth)                                                            \
	X(p11c_acme_challenge_dns_name)                                                            \
	X(p11c_acme_challenge_dns_value)                                                           \
	X(p11c_acme_issue)                                                                         \
	X(p11c_acme_renew)                                                                         \
	X(p11c_revoke_reason_parse)                                                                \
	X(p11c_revoke_reason_name)                                                                 \
	X(p11c_acme_revoke)                                                                        \
	X(p11c_acme_list)                                                                          \
	X(p11c_acme_listing_server)                                                                \
	X(p11c_acme_listing_account)                                                               \
	X(p11c_acme_listing_count)                                                                 \
	X(p11c_acme_listing_get)                                                                   \
	X(p11c_acme_cert_alias)                                                                    \
	X(p11c_acme_cert_not_after)                                                                \
	X(p11c_acme_cert_renew_at)                                                                 \
	X(p11c_acme_cert_failure)                                                                  \
	X(p11c_acme_cert_failure_time)                                                             \
	X(p11c_acme_cert_revoked)                                                                  \
	X(p11c_acme_cert_method)                                                                   \
	X(p11c_acme_listing_free)

/* ca.h: the site CA's revocations and CRL */
#define ARGS_CA(X)                                                                                 \
	X(p11c_ca_revoke)                                                                          \
	X(p11c_ca_crl_write)

#define PUBLIC_FUNCTIONS(X)                                                                        \
	ARGS_BASE(X) ARGS_DB(X) ARGS_CERT(X) ARGS_IO(X) ARGS_TOKEN(X) ARGS_CHAIN(X) ARGS_CHECK(X)  \
	ARGS_ACME(X) ARGS_CA(X)

#define ARGS_DECLARE(fn) void test_args_##fn(void **state);
PUBLIC_FUNCTIONS(ARGS_DECLARE)

/* test_args.c: how many calls did not give P11C_EUSAGE naming the
 * argument, since the last no_failures(). */
extern int args_failures;

/* rc must be P11C_EUSAGE and h's message (p11c_last_error(NULL) for the
 * calls without a handle) must hold func and what, and no "(null)". */
void usage_is(const p11c_db *h, int rc, const char *call, const char *func, const char *what);
#define USAGE(h, call, func, what) usage_is((h), (call), #call, #func, (what))
/* The handle argument, NULL: the message is the thread's. */
#define NO_DB(call, func) usage_is(NULL, (call), #call, #func, "db (the handle) is NULL")

/* A call that needs an open database, on a handle without one. */
#define CLOSED(call) usage_is(db, (call), #call, "", "no database is open")

/* Fail the test when a USAGE, NO_DB or CLOSED check failed since the last
 * call. */
void no_failures(void);

/* A password callback that has none, and a log callback that drops the
 * line. */
int args_prompt(const char *token, char *buf, size_t size, void *arg);
void args_log_line(const char *line, void *arg);

#endif
