/* SPDX-License-Identifier: MPL-2.0 */
/* check: the database's health for cron and monitoring; exit 0 all good,
 * 1 warnings, 2 problems. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"

enum { O_DAYS, O_JSON, O_REV, O_REQUIRE, O_TIMEOUT };

static const cli_opt opts[] = {
    {"days", 0, 1, O_DAYS},       {"json", 0, 0, O_JSON},
    {"revocation", 0, 1, O_REV},  {"require-revocation", 0, 0, O_REQUIRE},
    {"timeout", 0, 1, O_TIMEOUT}, {NULL, 0, 0, 0},
};

typedef struct {
	p11c_check_opts o;
	int json;
} args;

static int on_opt(int id, const char *arg, void *ctx)
{
	args *a = ctx;
	if (id == O_JSON) {
		a->json = 1;
		return 0;
	}
	if (id == O_REV)
		return cli_revocation_mode(arg, &a->o.revocation);
	if (id == O_REQUIRE) {
		a->o.require_revocation = 1;
		return 0;
	}
	long v = cli_number(arg);
	if (id == O_TIMEOUT) {
		if (v < 1 || v > 3600)
			return cli_usage_error("--timeout needs 1 to 3600 seconds, not '%s'", arg);
		a->o.timeout = (int)v;
		a->o.time_limit = v * 4 > 3600 ? 3600 : (int)v * 4;
		return 0;
	}
	if (v < 1 || v > 36500)
		return cli_usage_error("--days needs 1 to 36500, not '%s'", arg);
	a->o.days = (int)v;
	return 0;
}

static void init(void *p)
{
	((args *)p)->o = (p11c_check_opts)P11C_CHECK_OPTS_INIT;
}

static void print_json(const p11c_check_report *rep)
{
	json_writer w;
	json_init(&w, stdout);
	json_object_begin(&w);
	json_key(&w, "status");
	json_string(&w, p11c_severity_name(p11c_check_report_severity(rep)));
	json_key(&w, "findings");
	json_array_begin(&w);
	for (size_t i = 0; i < p11c_check_report_count(rep); i++) {
		const p11c_finding *f = p11c_check_report_get(rep, i);
		json_object_begin(&w);
		json_key(&w, "alias");
		json_string(&w, p11c_finding_alias(f));
		json_key(&w, "severity");
		json_string(&w, p11c_severity_name(p11c_finding_severity(f)));
		json_key(&w, "code");
		json_string(&w, p11c_finding_code_name(p11c_finding_code(f)));
		json_key(&w, "message");
		json_string(&w, p11c_finding_message(f));
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	json_end(&w);
}

static void print_text(const p11c_check_report *rep)
{
	size_t problems = 0, warnings = 0, n = p11c_check_report_count(rep);
	for (int pass = 0; pass < 2; pass++) /* problems first */
		for (size_t i = 0; i < n; i++) {
			const p11c_finding *f = p11c_check_report_get(rep, i);
			int problem = p11c_finding_severity(f) == P11C_SEVERITY_PROBLEM;
			if (problem != (pass == 0))
				continue;
			printf("%-8s %-15s %s\n", problem ? "PROBLEM" : "WARNING",
			       p11c_finding_code_name(p11c_finding_code(f)),
			       p11c_finding_message(f));
			problem ? problems++ : warnings++;
		}
	if (n == 0)
		printf("OK: nothing to report\n");
	else
		printf("%zu problem%s, %zu warning%s\n", problems, problems == 1 ? "" : "s",
		       warnings, warnings == 1 ? "" : "s");
}

static int check(cli_ctx *c)
{
	args a = *(const args *)c->args;
	const cli_globals *g = c->g;
	const char *dir = cli_db_dir(g);
	int explicit_ = 0;
	a.o.password_file = cli_pwfile(g, dir, &explicit_);
	p11c_db *db = NULL;
	p11c_check_report *rep = NULL;
	int status = P11C_SEVERITY_PROBLEM;
	/* An unsafe password file is a finding, not a reason not to look. */
	if (cli_db_new(g, dir, CLI_PW_LENIENT, &db))
		return P11C_SEVERITY_PROBLEM;
	int st = p11c_db_open(db, dir, cli_open_flags(1));
	if (st == P11C_OK)
		st = p11c_db_check(db, &a.o, &rep);
	if (st) {
		cli_error("%s%s", p11c_last_error(db), cli_hint(db));
	} else {
		status = (int)p11c_check_report_severity(rep);
		if (a.json)
			print_json(rep);
		else
			print_text(rep);
	}
	p11c_check_report_free(rep);
	p11c_db_free(db);
	return status;
}

const cli_cmd cli_cmd_check = {
    .name = "check",
    .run = check,
    .description = "Health of the database, for cron and monitoring",
    .usage = "[--days N] [--revocation MODE] [--require-revocation] [--timeout SECONDS]\n"
             " [--json]",
    .help = "Look the database over, for cron and monitoring: certificates expired or\n"
            "expiring within N days (default 30), weak keys (RSA under 2048 bits) and\n"
            "signatures (MD5: problem, SHA-1: warning), a certificate without its key, a\n"
            "key without its certificate, chains of the database's own certificates that\n"
            "do not verify, an unsafe password file, certificates of the database's own\n"
            "and trusted peers that are revoked (problem) or whose revocation is unknown\n"
            "(warning).\n"
            "  --days N   what expires within N days is a warning\n"
            "  --revocation M  none, ocsp (default), crl or all: how revocation is asked\n"
            "  --require-revocation  revocation unknown is a problem, not a warning\n"
            "  --timeout SECONDS  for each revocation request (default 5); all of them\n"
            "             stop after 4 times that (default 20 s): the rest are unknown\n"
            "  --json     {\"status\": ..., \"findings\": [...]}\n"
            "Exit status: 0 all good, 1 warnings, 2 problems (or the check could not run).\n",
    .opts = opts,
    .args_size = sizeof(args),
    .init = init,
    .on_opt = on_opt,
    .pos_usage = "check takes no arguments",
    .open = CLI_OPEN_NONE, /* an unsafe password file is a finding: CLI_PW_LENIENT */
};
