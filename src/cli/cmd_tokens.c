/* SPDX-License-Identifier: MPL-2.0 */
/* list-tokens, add-module, remove-module. */
#include <string.h>

#include "cli.h"
#include "json.h"
#include "table.h"

enum { O_JSON };

static const cli_opt list_opts[] = {
    {"json", 0, 0, O_JSON},
    {NULL, 0, 0, 0},
};

static const cli_opt no_opts[] = {
    {NULL, 0, 0, 0},
};

static int on_json(int id, const char *arg, void *ctx)
{
	(void)arg;
	if (id == O_JSON)
		*(int *)ctx = 1;
	return 0;
}

static int on_none(int id, const char *arg, void *ctx)
{
	(void)id;
	(void)arg;
	(void)ctx;
	return 0;
}

static void flags_text(const p11c_token_info *t, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s", t->login_required ? "login-required," : "",
	         t->initialized ? "initialized," : "", t->removable ? "removable," : "",
	         t->read_only ? "read-only," : "");
	size_t n = strlen(buf);
	if (n > 0)
		buf[n - 1] = '\0';
}

static void print_json(p11c_token_info **list, size_t n)
{
	json_writer w;
	json_init(&w, stdout);
	json_array_begin(&w);
	for (size_t i = 0; i < n; i++) {
		const p11c_token_info *t = list[i];
		json_object_begin(&w);
		json_key(&w, "module");
		json_string(&w, t->module);
		json_key(&w, "module_path");
		json_string(&w, t->module_path);
		json_key(&w, "loaded_by");
		json_string(&w, t->loaded_by);
		json_key(&w, "slot");
		json_string(&w, t->slot);
		json_key(&w, "label");
		json_string(&w, t->label);
		json_key(&w, "manufacturer");
		json_string(&w, t->manufacturer);
		json_key(&w, "model");
		json_string(&w, t->model);
		json_key(&w, "serial");
		json_string(&w, t->serial);
		json_key(&w, "internal");
		json_bool(&w, t->internal);
		json_key(&w, "login_required");
		json_bool(&w, t->login_required);
		json_key(&w, "initialized");
		json_bool(&w, t->initialized);
		json_key(&w, "removable");
		json_bool(&w, t->removable);
		json_key(&w, "read_only");
		json_bool(&w, t->read_only);
		json_key(&w, "uri");
		json_string(&w, t->uri);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_end(&w);
}

static void print_table(p11c_token_info **list, size_t n)
{
	static const char *const headers[] = {"Module", "Slot",   "Token", "Manufacturer",
	                                      "Model",  "Serial", "Flags", "URI"};
	table *t = table_new(8, headers);
	if (!t)
		return;
	for (size_t i = 0; i < n; i++) {
		char flags[128];
		flags_text(list[i], flags, sizeof(flags));
		const char *cells[] = {
		    list[i]->module, list[i]->slot,   list[i]->label, list[i]->manufacturer,
		    list[i]->model,  list[i]->serial, flags,          list[i]->uri};
		table_add(t, cells);
	}
	table_print(t, stdout);
	printf("%zu token%s found\n", n, n == 1 ? "" : "s");
	table_free(t);
}

int cmd_list_tokens(cli_globals *g, int argc, char **argv)
{
	int json = 0, npos;
	char *pos[argc];
	int r = cli_parse(argc, argv, list_opts, on_json, &json, g, pos, &npos);
	if (r > 0) {
		printf("Usage: p11cert list-tokens [--json] [--module PATH|NAME]\n"
		       "The tokens of every module p11cert loads: NSS's own, those registered\n"
		       "in the database (add-module), --module PATH or NAME (a p11-kit module),\n"
		       "and p11-kit modules whose file says 'enable-in: p11cert': label,\n"
		       "manufacturer, model, serial, flags, pkcs11: URI.\n");
		return EXIT_OK;
	}
	if (r < 0)
		return EXIT_USAGE;
	if (npos > 0)
		return cli_usage_error(argv[0], "unexpected argument '%s'", pos[0]);
	p11c_db *db;
	int rc = cli_open_db(g, 1, &db);
	if (rc)
		return rc;
	p11c_token_info **list = NULL;
	size_t n = 0;
	if ((rc = p11c_token_list(db, &list, &n)))
		rc = cli_fail(db, rc);
	else if (json)
		print_json(list, n);
	else
		print_table(list, n);
	p11c_token_list_free(list, n);
	p11c_db_free(db);
	return rc;
}

int cmd_add_module(cli_globals *g, int argc, char **argv)
{
	int npos;
	char *pos[argc];
	int r = cli_parse(argc, argv, no_opts, on_none, NULL, g, pos, &npos);
	if (r > 0) {
		printf("Usage: p11cert add-module NAME PATH\n"
		       "Register the PKCS#11 module at PATH in the database as NAME, as\n"
		       "'modutil -add' does, so p11cert and NSS-based servers load it.\n");
		return EXIT_OK;
	}
	if (r < 0)
		return EXIT_USAGE;
	if (npos != 2)
		return cli_usage_error(argv[0], "NAME and PATH are needed");
	p11c_db *db;
	int rc = cli_open_db(g, 0, &db);
	if (rc)
		return rc;
	if ((rc = p11c_module_add(db, pos[0], pos[1])))
		rc = cli_fail(db, rc);
	else
		cli_notice(g, "added module '%s'", pos[0]);
	p11c_db_free(db);
	return rc;
}

int cmd_remove_module(cli_globals *g, int argc, char **argv)
{
	int npos;
	char *pos[argc];
	int r = cli_parse(argc, argv, no_opts, on_none, NULL, g, pos, &npos);
	if (r > 0) {
		printf("Usage: p11cert remove-module NAME\n"
		       "Drop the module NAME from the database, as 'modutil -delete' does.\n"
		       "The keys and certificates on its tokens stay where they are.\n");
		return EXIT_OK;
	}
	if (r < 0)
		return EXIT_USAGE;
	if (npos != 1)
		return cli_usage_error(argv[0], "one NAME is needed");
	p11c_db *db;
	int rc = cli_open_db(g, 0, &db);
	if (rc)
		return rc;
	if ((rc = p11c_module_remove(db, pos[0])))
		rc = cli_fail(db, rc);
	else
		cli_notice(g, "removed module '%s'", pos[0]);
	p11c_db_free(db);
	return rc;
}
