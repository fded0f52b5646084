/* SPDX-License-Identifier: MPL-2.0 */
/* The prologue every command shares, once: its options parsed, -h, the
 * positional count, the checks of options taken together, the database
 * opened as its descriptor says; then its handler, and the clean-up. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_help(const cli_cmd *cmd)
{
	const char *prog = cli_prog(), *line = cmd->usage;
	/* continuation lines line up after "Usage: PROG NAME " */
	int indent = (int)(strlen("Usage: ") + strlen(prog) + 1 + strlen(cmd->name) + 1);
	for (int first = 1; line && *line; first = 0) {
		size_t n = strcspn(line, "\n");
		if (*line == ' ')
			printf("%*s%.*s\n", indent, "", (int)n - 1, line + 1);
		else
			printf("%s%s %s %.*s\n", first ? "Usage: " : "       ", prog, cmd->name,
			       (int)n, line);
		line += n + (line[n] == '\n');
	}
	if (!cmd->usage || !*cmd->usage)
		printf("Usage: %s %s\n", prog, cmd->name);
	fputs(cmd->help, stdout);
}

static int run(const cli_cmd *cmd, cli_ctx *c, int argc, char **argv)
{
	int r =
	    cli_parse(argc, argv, 1, cmd->opts, cmd->on_opt, c->args, c->g, c->pos, &c->npos, NULL);
	if (r < 0)
		return EXIT_USAGE;
	if (r > 0) {
		cli_help(cmd);
		return EXIT_OK;
	}
	if (c->npos < cmd->min_pos || c->npos > cmd->max_pos) {
		if (cmd->pos_usage)
			return cli_usage_error("%s", cmd->pos_usage);
		if (c->npos > cmd->max_pos)
			return cli_usage_error("unexpected argument '%s'", c->pos[cmd->max_pos]);
		return cli_usage_error("arguments are missing");
	}
	if (cmd->check && (r = cmd->check(c)) != EXIT_OK)
		return r;
	int readonly = (cmd->open & ~CLI_OPEN_ALIAS) == CLI_OPEN_READ;
	if ((cmd->open & ~CLI_OPEN_ALIAS) != CLI_OPEN_NONE) {
		if (cmd->open & CLI_OPEN_ALIAS)
			r = cli_open_alias(c->g, readonly, c->pos[0], &c->db, &c->alias);
		else
			r = cli_open_db(c->g, readonly, &c->db);
		if (r != EXIT_OK)
			return r;
	}
	return cmd->run(c);
}

int cli_dispatch(const cli_cmd *cmd, cli_globals *g, int argc, char **argv)
{
	char *pos[argc > 0 ? argc : 1];
	cli_ctx c = {cmd, g, NULL, pos, 0, NULL, NULL};
	cli_set_command(cmd->name);
	if (cmd->args_size && !(c.args = calloc(1, cmd->args_size))) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	if (cmd->init)
		cmd->init(c.args);
	int rc = run(cmd, &c, argc, argv);
	free(c.alias);
	p11c_db_free(c.db);
	free(c.args);
	return rc;
}
