/* SPDX-License-Identifier: MPL-2.0 */
/* Which database and password file, opening, prompting, errors, times. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

int cli_exit_code(int status)
{
	if (status >= 0)
		return EXIT_OK;
	if (status < P11C_ETOKEN)
		return EXIT_FAIL;
	return -status;
}

/* The library names what is wrong; the command adds how its options put
 * it right, from the error's kind and the input it is about. */
static const struct {
	p11c_errc code;
	const char *field; /* NULL: any */
	const char *hint;
} hints[] = {
    {P11C_ERR_NOPASSWORD, "password", ": give a password file with -W"},
    {P11C_ERR_NOTFOUND, "database", " (create one with 'p11cert generate-certdb')"},
    {P11C_ERR_LEGACY, NULL, "; run 'p11cert upgrade-certdb' first"},
    {P11C_ERR_INPUT, "token", " (choose the token with --token)"},
    {P11C_ERR_INPUT, "subject", ": use -S DN or --name CN"},
    {P11C_ERR_INPUT, "alias", ": give --alias"},
    {P11C_ERR_INPUT, "days", " (--days)"},
    {P11C_ERR_INPUT, "san", " (--san)"},
    {P11C_ERR_INPUT, "country", " (--country)"},
    {P11C_ERR_INPUT, "format", ": use --format pem"},
    {P11C_ERR_INPUT, "request", " (add it with add-cert)"},
    {P11C_ERR_INPUT, "ca", " (make one with add-selfsign-cert --ca)"},
    {P11C_ERR_INPUT, "certificate", ": install its CA's new certificate with renew-cert"},
    {P11C_ERR_EXISTS, "certificate", " (use renew-cert to replace it)"},
    {P11C_ERR_NOTFOUND, "trust", " (to add a CA or peer certificate, give -C or --trust)"},
    {P11C_ERR_TOKEN, "extractable", " (--extractable)"},
};

const char *cli_hint(const p11c_db *db)
{
	p11c_errc code = p11c_last_error_code(db);
	const char *field = p11c_last_error_field(db);
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (hints[i].code == code &&
		    (!hints[i].field || (field && !strcmp(field, hints[i].field))))
			return hints[i].hint;
	return "";
}

int cli_fail(p11c_db *db, int status)
{
	cli_error("%s%s", p11c_last_error(db), cli_hint(db));
	return cli_exit_code(status);
}

void cli_notice(const cli_globals *g, const char *fmt, ...)
{
	va_list ap;
	if (g->quiet)
		return;
	cli_progress_clear();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *cli_db_dir(const cli_globals *g)
{
	static char buf[4096];
	const char *env;
	if (g->dir)
		return g->dir;
	if ((env = getenv("P11CERT_DB")) && *env)
		return env;
	if ((env = getenv("XDG_DATA_HOME")) && *env) {
		snprintf(buf, sizeof(buf), "%s/p11cert", env);
		return buf;
	}
	env = getenv("HOME");
	snprintf(buf, sizeof(buf), "%s/.local/share/p11cert", env && *env ? env : ".");
	return buf;
}

const char *cli_pwfile(const cli_globals *g, const char *dir, int *explicit_)
{
	static char buf[4200];
	const char *env;
	struct stat st;
	*explicit_ = 1;
	if (g->pwfile)
		return g->pwfile;
	if ((env = getenv("CERT_PW_FILE")) && *env)
		return env;
	*explicit_ = 0;
	snprintf(buf, sizeof(buf), "%s/sslpassword.conf", dir);
	if (lstat(buf, &st) == 0)
		return buf;
	return NULL;
}

int cli_prompt_password(const char *token, char *buf, size_t size, void *arg)
{
	(void)arg;
	cli_progress_clear();
	char prompt[512];
	snprintf(prompt, sizeof(prompt), "Enter the password for token '%s': ", token);
	return cli_prompt(prompt, buf, size);
}

int cli_secret(p11c_db *db, const char *file, const char *what, int twice, char **out)
{
	char a[1025], b[1025];
	int rc;
	*out = NULL;
	if (file) {
		if ((rc = p11c_password_file_read(db, file, out)))
			return cli_fail(db, rc);
		return EXIT_OK;
	}
	char prompt[256];
	snprintf(prompt, sizeof(prompt), "Enter the %s: ", what);
	if (!isatty(STDIN_FILENO) || cli_prompt(prompt, a, sizeof(a)) != 0) {
		cli_error("no %s: give it in a file (see -h)", what);
		return EXIT_PASSWORD;
	}
	if (twice) {
		snprintf(prompt, sizeof(prompt), "Confirm the %s: ", what);
		if (cli_prompt(prompt, b, sizeof(b)) != 0 || strcmp(a, b) != 0) {
			explicit_bzero(a, sizeof(a));
			explicit_bzero(b, sizeof(b));
			cli_error("the two %ss differ", what);
			return EXIT_PASSWORD;
		}
	}
	*out = strdup(a);
	explicit_bzero(a, sizeof(a));
	explicit_bzero(b, sizeof(b));
	return *out ? EXIT_OK : EXIT_FAIL;
}

static void log_line(const char *line, void *arg)
{
	(void)arg;
	cli_progress_clear();
	fprintf(stderr, "p11cert: verbose: %s\n", line);
}

/* The library's warnings wait for the command's end: after a failure its
 * one error line says what matters (a left-out module included). */
static char warnings[4096];

static void warn_line(const char *line, void *arg)
{
	(void)arg;
	size_t len = strlen(warnings);
	if (!strstr(warnings, line))
		snprintf(warnings + len, sizeof(warnings) - len, "p11cert: warning: %s\n", line);
}

int cli_warnings_done(int rc)
{
	cli_progress_clear();
	if (rc == EXIT_OK)
		fputs(warnings, stderr);
	warnings[0] = '\0';
	return rc;
}

int cli_db_new(const cli_globals *g, const char *dir, int pwmode, p11c_db **out)
{
	p11c_db *db = NULL;
	int explicit_ = 0, rc;
	*out = NULL;
	if (p11c_db_new(&db) != P11C_OK) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	if (g->verbose)
		p11c_db_set_log(db, log_line, NULL);
	p11c_db_set_warning(db, warn_line, NULL);
	cli_progress_attach(g, db);
	const char *pwfile = cli_pwfile(g, dir, &explicit_);
	if (pwfile && (explicit_ || pwmode != CLI_PW_EXPLICIT_ONLY) &&
	    (rc = p11c_db_set_password_file(db, pwfile)) && pwmode != CLI_PW_LENIENT)
		goto fail;
	if (isatty(STDIN_FILENO))
		p11c_db_set_password_prompt(db, cli_prompt_password, NULL);
	if ((rc = p11c_db_set_module(db, g->module)))
		goto fail;
	*out = db;
	return EXIT_OK;
fail:
	rc = cli_fail(db, rc);
	p11c_db_free(db);
	return rc;
}

unsigned cli_open_flags(int readonly)
{
	const char *no = getenv("P11CERT_NO_P11KIT");
	/* The command finds the password file itself (-W, $CERT_PW_FILE,
	 * DIR/sslpassword.conf; check takes an unsafe one as a finding). */
	return (readonly ? P11C_OPEN_READONLY : 0u) | P11C_OPEN_NO_DEFAULT_PASSWORD_FILE |
	       (no && !strcmp(no, "1") ? P11C_OPEN_NO_P11KIT : 0u);
}

int cli_open_db(const cli_globals *g, int readonly, p11c_db **out)
{
	const char *dir = cli_db_dir(g);
	int rc = cli_db_new(g, dir, CLI_PW_ANY, out);
	if (rc)
		return rc;
	if ((rc = p11c_db_open(*out, dir, cli_open_flags(readonly)))) {
		rc = cli_fail(*out, rc);
		p11c_db_free(*out);
		*out = NULL;
	}
	return rc;
}

void cli_time_table(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y/%m/%d %H:%M", &tm);
}

void cli_time_rfc3339(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int cli_token_alias(p11c_db *db, const cli_globals *g, const char *alias, char **out)
{
	int rc = p11c_alias_qualify(db, g->token, alias, out);
	return rc ? cli_fail(db, rc) : EXIT_OK;
}

int cli_selfsigned_read(p11c_db *db, const cli_globals *g, const char *alias, char **name,
                        p11c_cert **cert)
{
	*name = NULL;
	*cert = NULL;
	int rc = p11c_alias_qualify(db, g->token, alias, name);
	if (rc || (rc = p11c_cert_show(db, *name, cert))) {
		free(*name);
		*name = NULL;
		return cli_fail(db, rc);
	}
	return EXIT_OK;
}

void cli_selfsigned_notice(const cli_globals *g, const char *name, const p11c_cert *cert)
{
	const char *key_token = p11c_cert_key_token(cert);
	if (!key_token || !strcmp(key_token, "internal"))
		cli_notice(g, "added self-signed certificate '%s'", name);
	else
		cli_notice(g, "added self-signed certificate '%s', its key on token '%s'%s", name,
		           key_token,
		           p11c_cert_key_extractable(cert) == P11C_EXTRACTABLE_NO
		               ? " (not extractable)"
		               : "");
}

void cli_secret_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

int cli_output_ok(const char *path)
{
	const char *why;
	if (path && p11c_output_path_check(path, &why)) {
		cli_error("cannot write '%s': it is %s, not a regular file", path, why);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cli_write_public(p11c_db *db, const char *path, const unsigned char *data, size_t len)
{
	if (path) {
		/* the library's one atomic writer; any failure is exit status 1 */
		if (p11c_file_write(db, path, data, len, 0644) == P11C_OK)
			return EXIT_OK;
		cli_error("%s", p11c_last_error(db));
		return EXIT_FAIL;
	}
	while (len > 0) {
		ssize_t w = write(STDOUT_FILENO, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			cli_error("cannot write standard output: %s",
			          strerror(w < 0 ? errno : EIO));
			return EXIT_FAIL;
		}
		data += w;
		len -= (size_t)w;
	}
	return EXIT_OK;
}

/* The directory part made absolute by realpath, then the last name. */
static int canonical_path(const char *path, char *out, size_t size)
{
	char d[PATH_MAX], b[PATH_MAX], dir[PATH_MAX];
	if (snprintf(d, sizeof(d), "%s", path) >= (int)sizeof(d) ||
	    snprintf(b, sizeof(b), "%s", path) >= (int)sizeof(b) || !realpath(dirname(d), dir))
		return -1;
	return snprintf(out, size, "%s/%s", dir, basename(b)) < (int)size ? 0 : -1;
}

int cli_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	char ca[2 * PATH_MAX], cb[2 * PATH_MAX];
	if (!strcmp(a, b))
		return 1;
	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	return canonical_path(a, ca, sizeof(ca)) == 0 && canonical_path(b, cb, sizeof(cb)) == 0 &&
	       !strcmp(ca, cb);
}

int cli_open_alias(const cli_globals *g, int readonly, const char *alias, p11c_db **db, char **out)
{
	*out = NULL;
	int rc = cli_open_db(g, readonly, db);
	if (rc == EXIT_OK && (rc = cli_token_alias(*db, g, alias, out)) != EXIT_OK) {
		p11c_db_free(*db);
		*db = NULL;
	}
	return rc;
}

int cli_run_hook(const char *cmd, int json)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (json) /* standard output is the JSON document's */
			dup2(STDERR_FILENO, STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int cli_post_hook(const char *cmd, int json)
{
	int hook_rc = cli_run_hook(cmd, json);
	if (hook_rc != 0)
		cli_error("post-hook '%s' %s %d", cmd, hook_rc < 0 ? "could not run:" : "exited",
		          hook_rc);
	else if (!json)
		printf("ran post-hook '%s': exit 0\n", cmd);
	return hook_rc;
}

void cli_json_post_hook(json_writer *w, const char *cmd, int hook_rc)
{
	json_key(w, "post_hook");
	if (cmd && hook_rc != CLI_HOOK_NOT_RUN) {
		json_object_begin(w);
		json_key(w, "command");
		json_string(w, cmd);
		json_key(w, "exit");
		json_int(w, hook_rc);
		json_object_end(w);
	} else {
		json_null(w);
	}
}

int cli_revocation_mode(const char *arg, p11c_revocation *out)
{
	static const char *const names[] = {"none", "ocsp", "crl", "all"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(arg, names[i])) {
			*out = (p11c_revocation)i;
			return 0;
		}
	return cli_usage_error("--revocation is none, ocsp, crl or all, not '%s'", arg);
}
