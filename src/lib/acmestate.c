/* SPDX-License-Identifier: MPL-2.0 */
/* The ACME record of a database, DIR/p11cert-acme.json: the server, the
 * account (its URL, where its key is: token and CKA_ID) and each
 * ACME-managed alias with what it was issued with.  No secret is in it;
 * 0644, written whole through the atomic writer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acmeint.h"

#define STATE_MAX (8u << 20)

static char *state_path(p11c_db *db)
{
	char *p = malloc(strlen(db->dir) + sizeof(P11C_ACME_STATE_NAME) + 2);
	if (p)
		sprintf(p, "%s/%s", db->dir, P11C_ACME_STATE_NAME);
	return p;
}

const char *p11c_acme_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

json_t *p11c_acme_state_certs(json_t *st)
{
	json_t *c = json_object_get(st, "certs");
	if (!json_is_object(c)) {
		c = json_object();
		if (!c || json_object_set_new(st, "certs", c))
			return NULL;
	}
	return c;
}

/* The shape later readers rely on: an object, strings where strings go,
 * an object of objects under "certs". */
static const char *malformed(const json_t *st)
{
	if (!json_is_object(st))
		return "it is not a JSON object";
	const json_t *v = json_object_get(st, "server");
	if (v && !json_is_string(v))
		return "\"server\" is not a string";
	const json_t *a = json_object_get(st, "account");
	if (a && (!json_is_object(a) || !json_is_string(json_object_get(a, "url")) ||
	          !json_is_string(json_object_get(a, "key_id"))))
		return "\"account\" lacks its \"url\" or \"key_id\"";
	const json_t *c = json_object_get(st, "certs");
	if (c && !json_is_object(c))
		return "\"certs\" is not an object";
	const char *k;
	const json_t *e;
	json_object_foreach((json_t *)c, k, e)
	{
		if (!json_is_object(e) || !json_is_array(json_object_get(e, "names")) ||
		    json_array_size(json_object_get(e, "names")) == 0)
			return "a certificate's entry lacks its \"names\"";
	}
	return NULL;
}

int p11c_acme_state_load(p11c_db *db, json_t **out)
{
	*out = NULL;
	char *path = state_path(db);
	if (!path)
		return p11c_fail(db, P11C_EFAIL, "out of memory");
	struct stat sb;
	if (lstat(path, &sb) != 0 && errno == ENOENT) {
		free(path);
		if (!(*out = json_object()))
			return p11c_fail(db, P11C_EFAIL, "out of memory");
		return P11C_OK;
	}
	unsigned char *buf = NULL;
	size_t len = 0;
	p11c_read_opts ro = {.max = STATE_MAX, .flags = P11C_READ_NOFOLLOW, .what = "ACME record"};
	int rc = p11c_file_read_with(db, path, &ro, &buf, &len);
	if (rc) {
		free(path);
		return rc;
	}
	rc = p11c_acme_state_parse(db, path, buf, len, out);
	free(buf);
	free(path);
	return rc;
}

int p11c_acme_state_parse(p11c_db *db, const char *path, const unsigned char *buf, size_t len,
                          json_t **out)
{
	*out = NULL;
	json_error_t je;
	json_t *st = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je);
	const char *why = st ? malformed(st) : je.text;
	if (why) {
		json_decref(st);
		return p11c_fail_c(db, P11C_EFAIL, P11C_ERR_INPUT,
		                   "the ACME record '%s' is malformed (%s): mend or remove it", path,
		                   why);
	}
	*out = st;
	return P11C_OK;
}

int p11c_acme_state_save(p11c_db *db, json_t *st)
{
	char *path = state_path(db);
	char *text = json_dumps(st, JSON_INDENT(2) | JSON_SORT_KEYS);
	int rc;
	if (!path || !text)
		rc = p11c_fail(db, P11C_EFAIL, "out of memory");
	else
		rc = p11c_file_write(db, path, text, strlen(text), 0644);
	free(path);
	free(text);
	return rc;
}

const char *p11c_acme_server_of(p11c_db *db, const p11c_acme_conn *conn, const json_t *st)
{
	const char *rec = p11c_acme_str(st, "server");
	if (conn->server && rec && strcmp(conn->server, rec)) {
		p11c_fail_field(db, P11C_EUSAGE, "server",
		                "the account is with the ACME server '%s', not '%s'", rec,
		                conn->server);
		return NULL;
	}
	if (!conn->server && !rec)
		p11c_fail_field(db, P11C_EUSAGE, "server", "no ACME server was given");
	return conn->server ? conn->server : rec;
}
