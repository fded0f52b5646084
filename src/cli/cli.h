/* SPDX-License-Identifier: MPL-2.0 */
/* The p11cert command's shared pieces: options, database, output. */
#ifndef P11C_CLI_H
#define P11C_CLI_H

#include <stdio.h>

#include "json.h"
#include "p11cert.h"

/* Exit statuses (SPEC: Exit status). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_NOTFOUND = 3,
	EXIT_PASSWORD = 4,
	EXIT_TOKEN = 5
};

typedef struct {
	const char *dir;
	const char *pwfile;
	const char *token;
	const char *module;
	int quiet;
	int verbose;
} cli_globals;

/* One option a command takes: has_arg 0 or 1; short_name 0 for none; id
 * what the command's on_opt sees. */
typedef struct {
	const char *long_name;
	char short_name;
	int has_arg;
	int id;
} cli_opt;

/* How the dispatcher opens the database before the handler runs. */
enum {
	CLI_OPEN_NONE,  /* the handler opens what it needs itself */
	CLI_OPEN_READ,  /* cli_open_db, read-only */
	CLI_OPEN_WRITE, /* cli_open_db, for writing */
	/* or'ed in: also name pos[0] as cli_token_alias does, into alias */
	CLI_OPEN_ALIAS = 0x10
};

typedef struct cli_cmd cli_cmd;

/* What a handler gets; the dispatcher frees args, db and alias after it. */
typedef struct {
	const cli_cmd *cmd;
	cli_globals *g;
	void *args; /* the command's options: args_size bytes, init'ed, parsed */
	char **pos; /* the positional arguments, in argv's storage */
	int npos;
	p11c_db *db; /* opened as cmd->open says, else NULL */
	char *alias; /* with CLI_OPEN_ALIAS: pos[0] as the library names it */
} cli_ctx;

/* One command: its entry in the dispatch table (main.c), its -h text, its
 * options and positionals, and how it opens the database. */
struct cli_cmd {
	const char *name;
	int (*run)(cli_ctx *c);
	const char *description; /* one line, for PROG -h */
	/* What follows "Usage: PROG NAME ": a line a form of the command; a
	 * line starting with a space continues the one above. */
	const char *usage;
	const char *help;    /* the rest of -h: what it does, one line an option */
	const cli_opt *opts; /* NULL: the global options alone */
	size_t args_size;
	void (*init)(void *args); /* the defaults, before any option */
	/* One of opts given: 0, or an exit code after a usage error. */
	int (*on_opt)(int id, const char *arg, void *args);
	/* After parsing, before opening: the options and positionals taken
	 * together.  0 to go on, else an exit code. */
	int (*check)(cli_ctx *c);
	int min_pos, max_pos;
	const char *pos_usage; /* the usage error when npos is out of range */
	int open;              /* CLI_OPEN_* */
};

/* Run cmd on argv[0..argc) (argv[0] the command's name as given): parse
 * with getopt_long (the command's options and the global ones), -h, the
 * positional count, check, opening, the handler.  Returns the exit code. */
int cli_dispatch(const cli_cmd *cmd, cli_globals *g, int argc, char **argv);

/* Parse argv[1..argc) with getopt_long: opts (through on_opt) and the
 * global ones into g.  in_order: every argument, options anywhere ("--"
 * ends them), positionals into pos; else stop at the first non-option
 * (the command), left at argv[*next].  Returns 0, 1 when help was asked,
 * -1 after printing a usage error (on_opt's included). */
int cli_parse(int argc, char **argv, int in_order, const cli_opt *opts,
              int (*on_opt)(int id, const char *arg, void *args), void *args, cli_globals *g,
              char **pos, int *npos, int *next);

/* The program's name as called (basename of argv[0]): "p11cert",
 * "msgcert".  cli_set_prog at the start of main. */
void cli_set_prog(const char *argv0);
const char *cli_prog(void);
/* The command being run, for usage errors' pointer to its -h (NULL: none). */
void cli_set_command(const char *name);
/* Print cmd's -h text, naming the program as called. */
void cli_help(const cli_cmd *cmd);

/* progress.c: a progress line for db's long work on stderr, when it is a
 * terminal and -q is not given; cleared before any other stderr line. */
void cli_progress_attach(const cli_globals *g, p11c_db *db);
void cli_progress_clear(void);

/* Print "PROG: message" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* How the command's options mend db's last failure (" (--days)"), or "". */
const char *cli_hint(const p11c_db *db);
/* A usage error: "PROG: message (see 'PROG CMD -h')", CMD the command
 * being run; returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Report db's failure and map status to an exit code. */
/* Print the library's warnings of a command that exited rc (0: all of
 * them; else none, its error line said what matters); returns rc. */
int cli_warnings_done(int rc);
int cli_fail(p11c_db *db, int status);
/* Exit code of a library status. */
int cli_exit_code(int status);
/* A notice on stderr unless -q. */
void cli_notice(const cli_globals *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The database directory: -d, $P11CERT_DB, $XDG_DATA_HOME/p11cert,
 * ~/.local/share/p11cert.  Static storage. */
const char *cli_db_dir(const cli_globals *g);
/* Which password file: -W, $CERT_PW_FILE, DIR/sslpassword.conf when it
 * exists; NULL for none.  *explicit says whether the user named it. */
const char *cli_pwfile(const cli_globals *g, const char *dir, int *explicit_);
/* A new handle with the password file and prompt set up, and the database
 * opened (read-only when readonly).  Returns an exit code; prints errors. */
int cli_open_db(const cli_globals *g, int readonly, p11c_db **out);
/* Flags for p11c_db_open: read-only, and $P11CERT_NO_P11KIT=1. */
unsigned cli_open_flags(int readonly);
/* Ask on the terminal without echo; 0, or -1 when none can be had. */
int cli_prompt(const char *prompt, char *buf, size_t size);
/* A secret from file's first line (file checked as a password file), else
 * asked on the terminal (twice when twice); *out malloc'd, to be freed
 * with explicit_bzero.  Returns an exit code; prints errors. */
int cli_secret(p11c_db *db, const char *file, const char *what, int twice, char **out);
/* Wipe and free a secret from cli_secret. */
void cli_secret_free(char *s);
/* Ask for a password on the terminal without echo (p11c_password_fn). */
int cli_prompt_password(const char *token, char *buf, size_t size, void *arg);

/* ALIAS as the library names it with --token (p11c_alias_qualify): with
 * --token T (not internal) and no "TOKEN:" of its own, "LABEL:ALIAS".
 * *out is malloc'd; exit code. */
int cli_token_alias(p11c_db *db, const cli_globals *g, const char *alias, char **out);

/* A self-signed certificate just made: *name as list-certs names it
 * (cli_token_alias) and *cert read back, for cli_selfsigned_notice.
 * Both to be freed by the caller; exit code. */
int cli_selfsigned_read(p11c_db *db, const cli_globals *g, const char *alias, char **name,
                        p11c_cert **cert);
/* "added self-signed certificate 'NAME'", and where its key is when that
 * is a token: ", its key on token 'T' (not extractable)". */
void cli_selfsigned_notice(const cli_globals *g, const char *name, const p11c_cert *cert);

/* Write data that holds no secret to path (through a temporary beside it,
 * mode 0644, renamed into place, so a failure leaves an existing file as
 * it was), or to standard output when path is NULL.  Exit code; prints
 * errors. */
int cli_write_public(p11c_db *db, const char *path, const unsigned char *data, size_t len);
/* Whether two paths name one file: the same name, the same inode, or (for
 * files not there yet) the same name in the same directory. */
int cli_same_file(const char *a, const char *b);
/* For a command that must know it may write path before it changes
 * anything: a link or special file (p11c_output_path_check) refused now,
 * with the error line; EXIT_OK for NULL (standard output). */
int cli_output_ok(const char *path);

/* cli_open_db, then ALIAS as cli_token_alias names it: the commands that
 * act on one certificate.  On failure nothing is left open (exit code). */
int cli_open_alias(const cli_globals *g, int readonly, const char *alias, p11c_db **db, char **out);

/* Parse a non-negative integer option value; -1 if invalid. */
long cli_number(const char *s);

/* Times: "YYYY/MM/DD HH:MM" and RFC 3339, UTC. */
void cli_time_table(long long t, char *buf, size_t size);
void cli_time_rfc3339(long long t, char *buf, size_t size);

/* Commands: one descriptor each, listed in main.c's table. */
extern const cli_cmd cli_cmd_generate_certdb, cli_cmd_upgrade_certdb, cli_cmd_add_selfsign_cert,
    cli_cmd_sign_request, cli_cmd_request_cert, cli_cmd_add_cert, cli_cmd_import_cert,
    cli_cmd_import_selfsign_cert, cli_cmd_export_cert, cli_cmd_export_trust, cli_cmd_list_certs,
    cli_cmd_show_cert, cli_cmd_renew_cert, cli_cmd_renew_selfsign_cert, cli_cmd_remove_cert,
    cli_cmd_fetch_chain, cli_cmd_verify_cert, cli_cmd_check, cli_cmd_sync_exports,
    cli_cmd_change_password, cli_cmd_list_tokens, cli_cmd_add_module, cli_cmd_remove_module,
    cli_cmd_acme_register, cli_cmd_acme_issue, cli_cmd_acme_renew, cli_cmd_acme_revoke,
    cli_cmd_revoke_cert, cli_cmd_gen_crl;
/* After list-tokens in the table: issue 18's throwaway tokens. */
extern const cli_cmd cli_cmd_init_token, cli_cmd_fixture;
/* The options the ACME commands share (cmd_acme.c): ids above any
 * command's own, parsed into o by cli_acme_opt (0, or a usage error's
 * exit code). */
enum { CLI_ACME_SERVER = 100, CLI_ACME_SERVER_CA, CLI_ACME_TIMEOUT, CLI_ACME_WAIT };
int cli_acme_opt(int id, const char *arg, p11c_acme_opts *o);
/* The record's entry for alias, or NULL. */
const p11c_acme_cert *cli_acme_find(const p11c_acme_listing *l, const char *alias);
/* A post-hook: CMD through /bin/sh -c (its output on stderr when json: stdout
 * is the JSON document's); its exit status, 128+N for signal N, -1 if none
 * ran.  sync-exports and acme-renew. */
int cli_run_hook(const char *cmd, int json);
/* cli_run_hook, and its outcome said: a failure on stderr, else (not json)
 * "ran post-hook 'CMD': exit 0".  Returns its exit status as
 * cli_run_hook does. */
int cli_post_hook(const char *cmd, int json);
/* A hook_rc for a hook that was not run (nothing changed). */
#define CLI_HOOK_NOT_RUN (-2)
/* "post_hook": {"command", "exit"}, or null when cmd is NULL or was not run. */
void cli_json_post_hook(json_writer *w, const char *cmd, int hook_rc);
/* Record a file an export command wrote, for sync-exports; a failure is
 * a warning (the file is written). */
void cli_record_export(const cli_globals *g, p11c_db *db, const p11c_export_record *e);
/* Which password file cli_db_new takes. */
enum {
	CLI_PW_ANY,           /* -W, $CERT_PW_FILE or DIR's */
	CLI_PW_EXPLICIT_ONLY, /* -W or $CERT_PW_FILE (generate-certdb) */
	CLI_PW_LENIENT        /* as ANY; one that cannot be used is left out (check) */
};
/* Set up a new handle as the global options ask (password file per
 * pwmode, prompt, module, -v); prints errors.  Returns an exit code. */
int cli_db_new(const cli_globals *g, const char *dir, int pwmode, p11c_db **out);

/* --revocation MODE (verify-cert, fetch-chain, check); 0 or a usage error. */
int cli_revocation_mode(const char *arg, p11c_revocation *out);

#endif
