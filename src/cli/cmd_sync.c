/* SPDX-License-Identifier: MPL-2.0 */
/* sync-exports: write again the recorded exports the database has moved
 * away from, then run the hook that makes daemons read them; and the
 * recording that export-cert and export-trust do. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"

void cli_record_export(const cli_globals *g, p11c_db *db, const p11c_export_record *e)
{
	(void)g;
	if (p11c_export_record_add(db, e) != P11C_OK)
		cli_error("warning: '%s' was written but not recorded for sync-exports: %s",
		          e->path, p11c_last_error(db));
}

enum { O_HOOK, O_DRY_RUN, O_JSON };

static const cli_opt opts[] = {
    {"post-hook", 0, 1, O_HOOK},
    {"dry-run", 'n', 0, O_DRY_RUN},
    {"json", 0, 0, O_JSON},
    {NULL, 0, 0, 0},
};

typedef struct {
	const char *hook;
	int dry_run, json;
} args;

static int on_opt(int id, const char *arg, void *ctx)
{
	args *a = ctx;
	if (id == O_HOOK)
		a->hook = arg;
	else if (id == O_DRY_RUN)
		a->dry_run = 1;
	else
		a->json = 1;
	return 0;
}

static void print_json(const p11c_export_report *rep, const char *hook, int hook_rc)
{
	json_writer w;
	json_init(&w, stdout);
	json_object_begin(&w);
	json_key(&w, "exports");
	json_array_begin(&w);
	for (size_t i = 0; i < p11c_export_report_count(rep); i++) {
		const p11c_export_status *s = p11c_export_report_get(rep, i);
		json_object_begin(&w);
		json_key(&w, "path");
		json_string(&w, p11c_export_status_path(s));
		json_key(&w, "command");
		json_string(&w, p11c_export_status_command(s));
		json_key(&w, "state");
		json_string(&w, p11c_export_state_name(p11c_export_status_state(s)));
		json_key(&w, "rewritten");
		json_bool(&w, p11c_export_status_rewritten(s));
		json_key(&w, "message");
		json_string(&w, p11c_export_status_message(s));
		json_object_end(&w);
	}
	json_array_end(&w);
	cli_json_post_hook(&w, hook, hook_rc);
	json_object_end(&w);
	json_end(&w);
}

static int sync_exports(cli_ctx *c)
{
	const args a = *(const args *)c->args;
	const cli_globals *g = c->g;
	p11c_db *db = c->db;
	p11c_export_report *rep = NULL;
	size_t n = 0, rewritten = 0, bad = 0, current = 0;
	int rc;
	if ((rc = p11c_export_sync(db, a.dry_run ? P11C_SYNC_DRY_RUN : 0u, &rep))) {
		rc = cli_fail(db, rc);
		goto out;
	}
	n = p11c_export_report_count(rep);
	for (size_t i = 0; i < n; i++) {
		const p11c_export_status *s = p11c_export_report_get(rep, i);
		p11c_export_state state = p11c_export_status_state(s);
		const char *path = p11c_export_status_path(s),
		           *command = p11c_export_status_command(s),
		           *message = p11c_export_status_message(s);
		int again = p11c_export_status_rewritten(s);
		rewritten += (size_t)again;
		current += state == P11C_EXPORT_CURRENT;
		if (state == P11C_EXPORT_FAILED)
			bad++;
		if (a.json)
			continue;
		if (again)
			printf("%s '%s' (%s): %s\n",
			       state == P11C_EXPORT_MISSING ? "recreated" : "rewrote", path,
			       command, message);
		else if (a.dry_run && state != P11C_EXPORT_CURRENT)
			printf("would %s '%s' (%s): %s\n",
			       state == P11C_EXPORT_MISSING ? "recreate" : "rewrite", path, command,
			       message);
		else if (state == P11C_EXPORT_NEEDS_PASSWORD)
			cli_error("warning: '%s': %s", path, message);
		else if (state == P11C_EXPORT_FAILED)
			cli_error("cannot sync '%s': %s", path, message);
		else if (g->verbose)
			printf("current '%s' (%s)\n", path, command);
	}
	int hook_rc = CLI_HOOK_NOT_RUN;
	if (a.hook && rewritten > 0) {
		hook_rc = cli_post_hook(a.hook, a.json);
		if (hook_rc != 0)
			rc = EXIT_FAIL;
	}
	if (a.json)
		print_json(rep, a.hook, hook_rc);
	else if (n == 0)
		printf("nothing to do: no export is recorded\n");
	else if (current == n)
		printf("nothing to do: %zu recorded export%s\n", n,
		       n == 1 ? " is current" : "s are current");
	if (bad)
		rc = EXIT_FAIL;
out:
	p11c_export_report_free(rep);
	return rc;
}

const cli_cmd cli_cmd_sync_exports = {
    .name = "sync-exports",
    .run = sync_exports,
    .description = "Rewrite recorded exports the database moved from",
    .usage = "[--post-hook CMD] [--dry-run] [--json]",
    .help = "Write again every file export-cert and export-trust recorded (in\n"
            "DIR/p11cert-exports) whose content the database would now make differently,\n"
            "or that is missing: through a temporary beside it, mode and owner kept.\n"
            "  --post-hook CMD   run CMD with /bin/sh -c once after any file changed\n"
            "                    (e.g. 'postfix reload'); its exit status is reported\n"
            "  -n, --dry-run     say what would be written, write nothing\n"
            "  --json            {\"exports\": [...], \"post_hook\": ...} on standard output\n"
            "A PKCS#12 file is written again when the certificates it holds changed, with\n"
            "the password from its recorded --p12-password-file; without one it is\n"
            "skipped with a warning.\n",
    .opts = opts,
    .args_size = sizeof(args),
    .on_opt = on_opt,
    .pos_usage = "sync-exports takes no arguments",
    .open = CLI_OPEN_READ,
};
