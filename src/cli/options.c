/* SPDX-License-Identifier: MPL-2.0 */
/* Option parsing with getopt_long: the global options and a command's own
 * in one table, and one-line usage errors naming the program as called. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { G_DIR = -100, G_PWFILE, G_TOKEN, G_MODULE, G_QUIET, G_VERBOSE, G_HELP, G_VERSION };

static const cli_opt globals[] = {
    {"dir", 'd', 1, G_DIR},     {"password-file", 'W', 1, G_PWFILE}, {"token", 0, 1, G_TOKEN},
    {"module", 0, 1, G_MODULE}, {"quiet", 'q', 0, G_QUIET},          {"verbose", 'v', 0, G_VERBOSE},
    {"help", 'h', 0, G_HELP},   {"version", 0, 0, G_VERSION},        {NULL, 0, 0, 0},
};

static const char *prog = "p11cert";
static const char *command;

void cli_set_prog(const char *argv0)
{
	const char *s = argv0 ? strrchr(argv0, '/') : NULL;
	if (argv0 && *(s ? s + 1 : argv0))
		prog = s ? s + 1 : argv0;
}

const char *cli_prog(void)
{
	return prog;
}

void cli_set_command(const char *name)
{
	command = name;
}

/* Failure lines start "p11cert: " under either name (SPEC, Exit status:
 * what scripts match); usage lines and hints name the program as called. */
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

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	cli_progress_clear();
	fputs("p11cert: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see '%s%s%s -h')\n", prog, command ? " " : "", command ? command : "");
	return EXIT_USAGE;
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

static size_t count(const cli_opt *t)
{
	size_t n = 0;
	while (t && (t[n].long_name || t[n].short_name))
		n++;
	return n;
}

/* The merged table: the command's options first, then the global ones.
 * getopt_long's val for entry k is VAL0 + k, so that its answers name the
 * entry whichever spelling was used. */
enum { VAL0 = 256 };

typedef struct {
	const cli_opt **o; /* n entries */
	size_t n;
} merged;

static const cli_opt *by_val(const merged *m, int val)
{
	return val >= VAL0 && (size_t)(val - VAL0) < m->n ? m->o[val - VAL0] : NULL;
}

static const cli_opt *by_short(const merged *m, int c)
{
	for (size_t k = 0; k < m->n; k++)
		if (m->o[k]->short_name && m->o[k]->short_name == c)
			return m->o[k];
	return NULL;
}

/* How one names an option in a message: "--dir" or "-d", as it was given. */
static void spelling(const cli_opt *o, int as_short, char *buf, size_t size)
{
	if (as_short || !o->long_name)
		snprintf(buf, size, "-%c", o->short_name);
	else
		snprintf(buf, size, "--%s", o->long_name);
}

/* A long option getopt_long did not take (optopt 0): unknown, or a prefix
 * of more than one. */
static void bad_long(const merged *m, const char *arg)
{
	const char *name = arg + 2, *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name), matches = 0;
	for (size_t k = 0; k < m->n; k++)
		matches += m->o[k]->long_name && !strncmp(m->o[k]->long_name, name, n);
	cli_usage_error("%s option '--%.*s'", matches > 1 ? "ambiguous" : "unknown", (int)n, name);
}

/* getopt_long's error answers ('?', ':') as one usage line; 1 for msgcert's -?. */
static int getopt_error(const merged *m, int ret, char **argv)
{
	char buf[80];
	const cli_opt *o = by_val(m, optopt);
	if (ret == '?' && optopt == '?')
		return 1;
	if (ret == ':') {
		if (!o)
			o = by_short(m, optopt);
		spelling(o, optopt < VAL0, buf, sizeof(buf));
		cli_usage_error("option '%s' needs a value", buf);
	} else if (o) {
		cli_usage_error("option '--%s' takes no value", o->long_name);
	} else if (optopt) {
		cli_usage_error("unknown option '-%c'", optopt);
	} else {
		bad_long(m, argv[optind - 1]);
	}
	return -1;
}

int cli_parse(int argc, char **argv, int in_order, const cli_opt *opts,
              int (*on_opt)(int id, const char *arg, void *args), void *args, cli_globals *g,
              char **pos, int *npos, int *next)
{
	size_t nc = count(opts), ng = count(globals), n = nc + ng;
	const cli_opt *table[n];
	struct option lo[n + 1];
	char shorts[3 + 2 * n + 1], *s = shorts;
	merged m = {table, n};
	/* "-": every argument in order (positionals as 1), whatever
	 * POSIXLY_CORRECT says; "+": stop at the command; ":": errors to us */
	*s++ = in_order ? '-' : '+';
	*s++ = ':';
	for (size_t k = 0; k < n; k++) {
		const cli_opt *o = k < nc ? &opts[k] : &globals[k - nc];
		table[k] = o;
		lo[k] = (struct option){o->long_name, o->has_arg ? required_argument : no_argument,
		                        NULL, VAL0 + (int)k};
		if (o->short_name) {
			*s++ = o->short_name;
			if (o->has_arg)
				*s++ = ':';
		}
	}
	*s = '\0';
	/* getopt_long stops at a NULL name: options without a long one go last */
	size_t nl = 0;
	for (size_t k = 0; k < n; k++)
		if (table[k]->long_name)
			lo[nl++] = lo[k];
	lo[nl] = (struct option){NULL, 0, NULL, 0};
	int help = 0, ret;
	if (npos)
		*npos = 0;
	optind = 0; /* a fresh scan of this argv */
	opterr = 0;
	while ((ret = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		if (ret == 1) {
			pos[(*npos)++] = optarg;
			continue;
		}
		const cli_opt *o = by_val(&m, ret);
		if (!o && ret != '?' && ret != ':')
			o = by_short(&m, ret);
		if (!o) {
			int r = getopt_error(&m, ret, argv);
			if (r < 0)
				return r;
			help = 1;
			continue;
		}
		if (o->has_arg && !*optarg && names_something(o)) {
			char buf[80];
			spelling(o, ret < VAL0, buf, sizeof(buf));
			cli_usage_error("option '%s' needs a value, not an empty one", buf);
			return -1;
		}
		if (o->id >= 0 && on_opt(o->id, optarg, args) != 0)
			return -1; /* it printed the usage error */
		if (o->id < 0)
			help |= apply_global(g, o->id, optarg);
	}
	if (in_order)
		while (optind < argc)
			pos[(*npos)++] = argv[optind++];
	if (next)
		*next = optind;
	return help;
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
