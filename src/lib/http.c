/* SPDX-License-Identifier: MPL-2.0 */
/* A GET for the caIssuers URLs of certificates (RFC 5280 4.2.2.1: those
 * are http, and their content is signed anyway), through the network
 * module's libcurl (netmod.h): redirects followed a few times, http and
 * https only, proxies as curl's environment variables name them. */
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "netmod.h"

#define HTTP_REDIRECTS 3

/* The progress line kept up while curl waits. */
static void tick(void *db)
{
	p11c_progress_tick(db);
}

int p11c_http_get(p11c_db *db, const char *url, int timeout, size_t max, unsigned char **body,
                  size_t *len)
{
	p11c_net_req req = {
	    .method = "GET",
	    .url = url,
	    .accept = "*/*",
	    .timeout = timeout,
	    .max_body = max,
	    .max_redirects = HTTP_REDIRECTS,
	    .tick = tick,
	    .tick_arg = db,
	};
	p11c_net_resp resp;
	char err[1024];
	*body = NULL;
	*len = 0;
	/* an http URL without a byte that has no place there (url.c), before
	 * curl reads it: it comes from a certificate */
	p11c_url u;
	int rc = p11c_url_parse(db, url, 1, &u);
	if (rc)
		return rc == P11C_EUSAGE ? P11C_EFAIL : rc;
	p11c_log(db, "fetching %s", url);
	if (p11c_net_http(&req, &resp, err, sizeof(err))) {
		/* curl's words may quote what the server sent */
		char *safe = p11c_safe_text(err, strlen(err));
		rc = p11c_fail(db, P11C_EFAIL, "%s", safe ? safe : "the request failed");
		free(safe);
		return rc;
	}
	if (resp.status != 200) {
		/* after HTTP_REDIRECTS, or a 3xx with nowhere to go */
		rc = p11c_fail(db, P11C_EFAIL, "the server answered %ld", resp.status);
	} else {
		*body = resp.body;
		*len = resp.body_len;
		resp.body = NULL;
	}
	p11c_net_resp_free(&resp);
	return rc;
}
