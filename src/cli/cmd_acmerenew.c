/* SPDX-License-Identifier: MPL-2.0 */
/* acme-renew: the ACME-managed certificates that are due (or those named)
 * renewed in turn, then the post-hook once. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "json.h"

enum { O_DUE = 1, O_NEW_KEY, O_HOOK, O_JSON };

static const cli_opt opts[] = {
    {"due", 0, 1, O_DUE},
    {"new-key", 0, 0, O_NEW_KEY},
    {"post-hook", 0, 1, O_HOOK},
    {"json", 0, 0, O_JSON},
    {"server-ca", 0, 1, CLI_ACME_SERVER_CA},
    {"timeout", 0, 1, CLI_ACME_TIMEOUT},
    {"wait", 0, 1, CLI_ACME_WAIT},
    {NULL, 0, 0, 0},
};

typedef struct {
	p11c_acme_opts acme;
	int due;     /* days before notAfter */
	int due_set; /* --due given: it filters named aliases too */
	int new_key, json;
	const char *hook;
} args;

static void init(void *p)
{
	args *a = p;
	a->acme = (p11c_acme_opts)P11C_ACME_OPTS_INIT;
	a->due = 30;
}

static int on_opt(int id, const char *arg, void *p)
{
	args *a = p;
	long n;
	switch (id) {
	case O_DUE:
		if ((n = cli_number(arg)) < 0 || n > 36500)
			return cli_usage_error("--due must be a number of days from 0 to 36500, "
			                       "not '%s'",
			                       arg);
		a->due = (int)n;
		a->due_set = 1;
		return 0;
	case O_NEW_KEY:
		a->new_key = 1;
		return 0;
	case O_HOOK:
		a->hook = arg;
		return 0;
	case O_JSON:
		a->json = 1;
		return 0;
	}
	return cli_acme_opt(id, arg, &a->acme);
}

/* Whether ac is due: its notAfter within days, or ARI's window opened. */
static int is_due(const p11c_acme_cert *ac, int days, long long now)
{
	long long renew_at = p11c_acme_cert_renew_at(ac), not_after = p11c_acme_cert_not_after(ac);
	if (renew_at && renew_at <= now)
		return 1;
	return not_after && not_after - now <= (long long)days * 86400;
}

typedef enum { R_RENEWED, R_FAILED, R_SKIPPED } result_kind;

typedef struct {
	const char *alias;
	result_kind kind;
	char *why; /* failure's message or why skipped; malloc'd */
	long long not_after;
} result;

static void json_time(json_writer *w, long long t)
{
	char when[64];
	if (!t) {
		json_null(w);
		return;
	}
	cli_time_rfc3339(t, when, sizeof(when));
	json_string(w, when);
}

static void print_json(const result *r, size_t n, const char *hook, int hook_rc)
{
	static const char *const kinds[] = {"renewed", "failed", "skipped"};
	json_writer w;
	json_init(&w, stdout);
	json_object_begin(&w);
	for (int k = R_RENEWED; k <= R_SKIPPED; k++) {
		json_key(&w, kinds[k]);
		json_array_begin(&w);
		for (size_t i = 0; i < n; i++) {
			if ((int)r[i].kind != k)
				continue;
			json_object_begin(&w);
			json_key(&w, "alias");
			json_string(&w, r[i].alias);
			json_key(&w, "not_after");
			json_time(&w, r[i].not_after);
			if (k != R_RENEWED) {
				json_key(&w, k == R_FAILED ? "error" : "reason");
				json_string(&w, r[i].why ? r[i].why : "");
			}
			json_object_end(&w);
		}
		json_array_end(&w);
	}
	cli_json_post_hook(&w, hook, hook_rc);
	json_object_end(&w);
	json_end(&w);
}

static int acme_renew(cli_ctx *c)
{
	const args *a = c->args;
	p11c_acme_listing *l = NULL;
	result *r = NULL;
	size_t n = 0, renewed = 0;
	int rc, worst = EXIT_OK;
	long long now = (long long)time(NULL);
	if ((rc = p11c_acme_list(c->db, &l)))
		return cli_fail(c->db, rc);
	size_t count = p11c_acme_listing_count(l);
	size_t cap = (size_t)c->npos > count ? (size_t)c->npos : count;
	if (cap && !(r = calloc(cap, sizeof(*r)))) {
		cli_error("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	/* which: the aliases named (--due filtering them only when given), or
	 * every managed certificate that is due */
	for (size_t i = 0; i < (c->npos ? (size_t)c->npos : count); i++) {
		const p11c_acme_cert *ac =
		    c->npos ? cli_acme_find(l, c->pos[i]) : p11c_acme_listing_get(l, i);
		result *x = &r[n++];
		x->alias = c->npos ? c->pos[i] : p11c_acme_cert_alias(ac);
		if (!ac) {
			cli_error("'%s' is not an ACME-managed certificate (issue it with "
			          "acme-issue)",
			          x->alias);
			x->kind = R_FAILED;
			x->why = strdup("not an ACME-managed certificate");
			if (worst == EXIT_OK)
				worst = EXIT_NOTFOUND;
			continue;
		}
		x->not_after = p11c_acme_cert_not_after(ac);
		if (p11c_acme_cert_revoked(ac)) {
			x->kind = R_SKIPPED;
			x->why = strdup("revoked");
			if (c->npos)
				cli_error("warning: '%s' is revoked: not renewed", x->alias);
			continue;
		}
		if ((!c->npos || a->due_set) && !is_due(ac, a->due, now)) {
			x->kind = R_SKIPPED;
			x->why = strdup("not due");
			if (c->g->verbose)
				cli_error("verbose: '%s' is not due", x->alias);
			continue;
		}
		p11c_acme_issue_opts io = P11C_ACME_ISSUE_OPTS_INIT;
		io.flags = a->new_key ? P11C_ACME_NEW_KEY : 0u;
		if ((rc = p11c_acme_renew(c->db, &a->acme, x->alias, &io))) {
			x->kind = R_FAILED;
			x->why = strdup(p11c_last_error(c->db));
			cli_error("%s%s", p11c_last_error(c->db), cli_hint(c->db));
			if (worst == EXIT_OK)
				worst = cli_exit_code(rc);
			continue;
		}
		x->kind = R_RENEWED;
		renewed++;
	}
	/* the new notAfter of what was renewed */
	if (renewed) {
		p11c_acme_listing *after = NULL;
		if (p11c_acme_list(c->db, &after) == P11C_OK)
			for (size_t i = 0; i < n; i++) {
				const p11c_acme_cert *ac = cli_acme_find(after, r[i].alias);
				if (r[i].kind == R_RENEWED && ac)
					r[i].not_after = p11c_acme_cert_not_after(ac);
			}
		p11c_acme_listing_free(after);
	}
	if (!a->json)
		for (size_t i = 0; i < n; i++)
			if (r[i].kind == R_RENEWED) {
				char when[64] = "";
				if (r[i].not_after)
					cli_time_table(r[i].not_after, when, sizeof(when));
				printf("renewed '%s'%s%s%s\n", r[i].alias,
				       when[0] ? ", valid until " : "", when,
				       a->new_key ? ", with a new key" : "");
			}
	int hook_rc = CLI_HOOK_NOT_RUN;
	if (a->hook && renewed) {
		hook_rc = cli_post_hook(a->hook, a->json);
		if (hook_rc != 0 && worst == EXIT_OK)
			worst = EXIT_FAIL;
	}
	if (a->json)
		print_json(r, n, a->hook, hook_rc);
	else if (!renewed && worst == EXIT_OK)
		printf("nothing to do: %zu ACME-managed certificate%s, none due within %d days\n",
		       count, count == 1 ? "" : "s", a->due);
	rc = worst;
out:
	for (size_t i = 0; i < n; i++)
		free(r[i].why);
	free(r);
	p11c_acme_listing_free(l);
	return rc;
}

const cli_cmd cli_cmd_acme_renew = {
    .name = "acme-renew",
    .run = acme_renew,
    .description = "Renew ACME-issued certificates that are due",
    .usage = "[ALIAS ...] [--due DAYS] [--new-key] [--post-hook CMD] [--json]\n"
             " [--server-ca F] [--timeout S] [--wait S]",
    .help = "Renew each ACME-issued certificate whose notAfter is within DAYS (default\n"
            "30) or whose renewal window from the server (ACME Renewal Information) has\n"
            "opened; the ALIASes named are renewed whether due or not, unless --due is\n"
            "given too.  The names, key, token and challenge method are those it was\n"
            "issued with; the alias and trust are kept, the new certificate stored\n"
            "before the old one is removed.  Revoked certificates are skipped.\n"
            "  --due DAYS       renew what expires within DAYS (0: only ARI's window)\n"
            "  --new-key        a new key on the same token (the old one removed after)\n"
            "  --post-hook CMD  run CMD with /bin/sh -c once after any renewal (e.g.\n"
            "                   'p11cert sync-exports && postfix reload'); a failing\n"
            "                   hook makes the exit status non-zero\n"
            "  --json           {\"renewed\", \"failed\", \"skipped\": [...], \"post_hook\"}\n"
            "  --server-ca F    PEM CAs the server's certificate is checked against\n"
            "  --timeout S      seconds for each request (default 30)\n"
            "  --wait S         seconds an order may stay pending (default 300)\n"
            "A failure is recorded against its alias (check reports it) and the others\n"
            "are still tried; the exit status is then non-zero.\n",
    .opts = opts,
    .args_size = sizeof(args),
    .init = init,
    .on_opt = on_opt,
    .min_pos = 0,
    .max_pos = 1000,
    .open = CLI_OPEN_WRITE,
};
