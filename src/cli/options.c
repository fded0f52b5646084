/* SPDX-License-Identifier: MPL-2.0 */
/* Option parsing: the global options anywhere, a command's own through a
 * callback, and one-line usage errors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { G_DIR = -100, G_PWFILE, G_TOKEN, G_MODULE, G_QUIET, G_VERBOSE, G_HELP, G_VERSION };

static const cli_opt globals[] = {
    {"dir", 'd', 1, G_DIR},       {"password-file", 'W', 1, G_PWFILE},
    {"token", 0, 1, G_TOKEN},     {"module", 0, 1, G_MODULE},
    {"quiet", 'q', 0, G_QUIET},   {"verbose", 'v', 0, G_VERBOSE},
    {"help", 'h', 0, G_HELP},     {NULL, '?', 0, G_HELP},
    {"version", 0, 0, G_VERSION}, {NULL, 0, 0, 0},
};

void cli_error(const char *fmt, ...)
{
	va_list ap;
	cli_progress_clear();
	fputs("p11cert: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fputs("p11cert: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, " (see 'p11cert %s -h')\n", cmd);
	else
		fprintf(stderr, " (see 'p11cert -h')\n");
	return EXIT_USAGE;
}

static const cli_opt *find_long(const cli_opt *t, const char *name, size_t n)
{
	for (; t && (t->long_name || t->short_name); t++)
		if (t->long_name && strlen(t->long_name) == n && !strncmp(t->long_name, name, n))
			return t;
	return NULL;
}

static const cli_opt *find_short(const cli_opt *t, char c)
{
	for (; t && (t->long_name || t->short_name); t++)
		if (t->short_name == c)
			return t;
	return NULL;
}

static int apply_global(cli_globals *g, int id, const char *arg)
{
	switch (id) {
	case G_DIR:
		g->dir = arg;
		break;
	case G_PWFILE:
		g->pwfile = arg;
		break;
	case G_TOKEN:
		g->token = arg;
		break;
	case G_MODULE:
		g->module = arg;
		break;
	case G_QUIET:
		g->quiet = 1;
		break;
	case G_VERBOSE:
		g->verbose = 1;
		break;
	case G_HELP:
		return 1;
	case G_VERSION:
		printf("p11cert %s\n", P11C_VERSION);
		exit(EXIT_OK);
	}
	return 0;
}

/* Options whose value names a directory, file, token, module or alias:
 * the library refuses an empty one as a programming error, so it is
 * refused here first, in the command's words.  (An empty DN field stays
 * what msgcert scripts may pass.) */
static int names_something(const cli_opt *o)
{
	static const char *const names[] = {"dir",   "password-file", "token", "module",
	                                    "alias", "hostname",      "trust", NULL};
	for (size_t k = 0; o->long_name && names[k]; k++)
		if (!strcmp(o->long_name, names[k]))
			return 1;
	return 0;
}

/* Parse the option at argv[*i] (advancing *i past its value): a global one
 * is applied to g, a command one (opts) passed to fn.  Returns 0, 1 for
 * help, -1 after printing a usage error. */
static int one_option(int argc, char **argv, int *i, const cli_opt *opts, cli_opt_fn fn, void *ctx,
                      cli_globals *g, const char *cmd)
{
	char *a = argv[*i];
	const cli_opt *o = NULL;
	const char *val = NULL;
	if (a[1] == '-') {
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t n = eq ? (size_t)(eq - name) : strlen(name);
		o = find_long(opts, name, n);
		if (!o)
			o = find_long(globals, name, n);
		if (!o) {
			cli_usage_error(cmd, "unknown option '--%.*s'", (int)n, name);
			return -1;
		}
		if (eq && !o->has_arg) {
			cli_usage_error(cmd, "option '--%s' takes no value", o->long_name);
			return -1;
		}
		val = eq ? eq + 1 : NULL;
	} else {
		if (a[2] != '\0' ||
		    !((o = find_short(opts, a[1])) || (o = find_short(globals, a[1])))) {
			cli_usage_error(cmd, "unknown option '%s'", a);
			return -1;
		}
	}
	if (o->has_arg && !val) {
		if (*i + 1 >= argc) {
			cli_usage_error(cmd, "option '%s' needs a value", a);
			return -1;
		}
		val = argv[++*i];
	}
	if (val && !*val && names_something(o)) {
		cli_usage_error(cmd, "option '%s' needs a value, not an empty one", a);
		return -1;
	}
	if (o->id < 0) /* command options have ids >= 0 */
		return apply_global(g, o->id, val);
	return fn(o->id, val, ctx) != 0 ? -1 : 0;
}

int cli_globals_parse(int argc, char **argv, int *i, cli_globals *g)
{
	for (; *i < argc && argv[*i][0] == '-' && argv[*i][1] != '\0'; ++*i) {
		int r = one_option(argc, argv, i, NULL, NULL, NULL, g, NULL);
		if (r)
			return r;
	}
	return 0;
}

int cli_parse(int argc, char **argv, const cli_opt *opts, cli_opt_fn fn, void *ctx, cli_globals *g,
              char **pos, int *npos)
{
	int only_pos = 0, help = 0;
	*npos = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == '\0') {
			pos[(*npos)++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = 1;
			continue;
		}
		int r = one_option(argc, argv, &i, opts, fn, ctx, g, argv[0]);
		if (r < 0)
			return -1;
		help |= r;
	}
	return help ? 1 : 0;
}

int cli_args(int argc, char **argv, const cli_command *c, cli_globals *g, char **pos, int *npos)
{
	int r = cli_parse(argc, argv, c->opts, c->fn, c->ctx, g, pos, npos);
	if (r < 0)
		return EXIT_USAGE;
	if (r > 0) {
		c->help();
		return EXIT_OK;
	}
	if (*npos < c->min_pos || *npos > c->max_pos)
		return cli_usage_error(argv[0], "%s", c->pos_usage);
	return -1;
}

long cli_number(const char *s)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	long v = strtol(s, &end, 10);
	if (*end || v < 0 || v > 1000000000L)
		return -1;
	return v;
}
