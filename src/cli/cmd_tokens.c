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

static int on_json(int id, const char *arg, void *ctx)
{
	(void)arg;
	if (id == O_JSON)
		*(int *)ctx = 1;
	return 0;
}

static void flags_text(const p11c_token *t, char *buf, size_t size)
{
	unsigned f = p11c_token_flags(t);
	snprintf(buf, size, "%s%s%s%s", f & P11C_TOKEN_LOGIN_REQUIRED ? "login-required," : "",
	         f & P11C_TOKEN_INITIALIZED ? "initialized," : "",
	         f & P11C_TOKEN_REMOVABLE ? "removable," : "",
	         f & P11C_TOKEN_READ_ONLY ? "read-only," : "");
	size_t n = strlen(buf);
	if (n > 0)
		buf[n - 1] = '\0';
}

static void json_field(json_writer *w, const char *key, const char *value)
{
	json_key(w, key);
	json_string(w, value);
}

static void json_flag(json_writer *w, const char *key, unsigned flags, unsigned bit)
{
	json_key(w, key);
	json_bool(w, (flags & bit) != 0);
}

static void print_json(const p11c_token_listing *list)
{
	json_writer w;
	json_init(&w, stdout);
	json_array_begin(&w);
	for (size_t i = 0; i < p11c_token_listing_count(list); i++) {
		const p11c_token *t = p11c_token_listing_get(list, i);
		unsigned f = p11c_token_flags(t);
		json_object_begin(&w);
		json_field(&w, "module", p11c_token_module(t));
		json_field(&w, "module_path", p11c_token_module_path(t));
		json_field(&w, "loaded_by", p11c_loaded_by_name(p11c_token_loaded_by(t)));
		json_field(&w, "slot", p11c_token_slot(t));
		json_field(&w, "label", p11c_token_name(t));
		json_field(&w, "manufacturer", p11c_token_manufacturer(t));
		json_field(&w, "model", p11c_token_model(t));
		json_field(&w, "serial", p11c_token_serial(t));
		json_flag(&w, "internal", f, P11C_TOKEN_INTERNAL);
		json_flag(&w, "login_required", f, P11C_TOKEN_LOGIN_REQUIRED);
		json_flag(&w, "initialized", f, P11C_TOKEN_INITIALIZED);
		json_flag(&w, "removable", f, P11C_TOKEN_REMOVABLE);
		json_flag(&w, "read_only", f, P11C_TOKEN_READ_ONLY);
		json_field(&w, "uri", p11c_token_uri(t));
		json_object_end(&w);
	}
	json_array_end(&w);
	json_end(&w);
}

static void print_table(const p11c_token_listing *list)
{
	static const char *const headers[] = {"Module", "Slot",   "Token", "Manufacturer",
	                                      "Model",  "Serial", "Flags", "URI"};
	size_t n = p11c_token_listing_count(list);
	table *tab = table_new(8, headers);
	if (!tab)
		return;
	for (size_t i = 0; i < n; i++) {
		const p11c_token *t = p11c_token_listing_get(list, i);
		char flags[128];
		flags_text(t, flags, sizeof(flags));
		const char *cells[] = {p11c_token_module(t),
		                       p11c_token_slot(t),
		                       p11c_token_name(t),
		                       p11c_token_manufacturer(t),
		                       p11c_token_model(t),
		                       p11c_token_serial(t),
		                       flags,
		                       p11c_token_uri(t)};
		table_add(tab, cells);
	}
	table_print(tab, stdout);
	printf("%zu token%s found\n", n, n == 1 ? "" : "s");
	table_free(tab);
}

static int list_tokens(cli_ctx *c)
{
	p11c_token_listing *list = NULL;
	int rc;
	if ((rc = p11c_token_list(c->db, &list)))
		rc = cli_fail(c->db, rc);
	else if (*(const int *)c->args)
		print_json(list);
	else
		print_table(list);
	p11c_token_listing_free(list);
	return rc;
}

const cli_cmd cli_cmd_list_tokens = {
    .name = "list-tokens",
    .run = list_tokens,
    .description = "List modules and tokens",
    .usage = "[--json] [--module PATH|NAME]",
    .help = "The tokens of every module p11cert loads: NSS's own, those registered\n"
            "in the database (add-module), --module PATH or NAME (a p11-kit module),\n"
            "and p11-kit modules whose file says 'enable-in: p11cert': label,\n"
            "manufacturer, model, serial, flags, pkcs11: URI.\n",
    .opts = list_opts,
    .args_size = sizeof(int),
    .on_opt = on_json,
    .open = CLI_OPEN_READ,
};

static int add_module(cli_ctx *c)
{
	int rc;
	if ((rc = p11c_module_add(c->db, c->pos[0], c->pos[1])))
		rc = cli_fail(c->db, rc);
	else
		cli_notice(c->g, "added module '%s'", c->pos[0]);
	return rc;
}

const cli_cmd cli_cmd_add_module = {
    .name = "add-module",
    .run = add_module,
    .description = "Register a PKCS#11 module in the database",
    .usage = "NAME PATH",
    .help = "Register the PKCS#11 module at PATH in the database as NAME, as\n"
            "'modutil -add' does, so p11cert and NSS-based servers load it.\n",
    .min_pos = 2,
    .max_pos = 2,
    .pos_usage = "NAME and PATH are needed",
    .open = CLI_OPEN_WRITE,
};

static int remove_module(cli_ctx *c)
{
	int rc;
	if ((rc = p11c_module_remove(c->db, c->pos[0])))
		rc = cli_fail(c->db, rc);
	else
		cli_notice(c->g, "removed module '%s'", c->pos[0]);
	return rc;
}

const cli_cmd cli_cmd_remove_module = {
    .name = "remove-module",
    .run = remove_module,
    .description = "Drop a PKCS#11 module from the database",
    .usage = "NAME",
    .help = "Drop the module NAME from the database, as 'modutil -delete' does.\n"
            "The keys and certificates on its tokens stay where they are.\n",
    .min_pos = 1,
    .max_pos = 1,
    .pos_usage = "one NAME is needed",
    .open = CLI_OPEN_WRITE,
};
