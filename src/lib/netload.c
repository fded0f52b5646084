/* SPDX-License-Identifier: MPL-2.0 */
/* The network module (p11cert-net.so: libcurl, libmicrohttpd) loaded on
 * its first use, as osslload.c loads OpenSSL's: only ACME, caIssuers and
 * revocation fetching need it. */
#include <pthread.h>
#include <stdio.h>

#include "netmod.h"
#include "ownmod.h"

static const p11c_net_ops *ops;
static char why[4400] = "it was not tried";
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	ops = p11c_own_module("p11cert-net.so", P11C_NET_OPS_SYMBOL, P11C_NET_OPS_VERSION,
	                      "network", why, sizeof(why));
}

static const p11c_net_ops *get(char *err, size_t errlen)
{
	pthread_once(&once, load);
	if (!ops && err && errlen)
		snprintf(err, errlen, "cannot load p11cert's network module: %s", why);
	return ops;
}

int p11c_net_http(const p11c_net_req *req, p11c_net_resp *resp, char *err, size_t errlen)
{
	const p11c_net_ops *o = get(err, errlen);
	return o ? o->http(req, resp, err, errlen) : -1;
}

void p11c_net_resp_free(p11c_net_resp *resp)
{
	const p11c_net_ops *o = resp ? get(NULL, 0) : NULL;
	if (o)
		o->resp_free(resp);
}

int p11c_net_http01_start(const char *address, int port, p11c_net_http01 **out, char *err,
                          size_t errlen)
{
	const p11c_net_ops *o = get(err, errlen);
	return o ? o->http01_start(address, port, out, err, errlen) : -1;
}

int p11c_net_http01_add(p11c_net_http01 *s, const char *token, const char *content)
{
	const p11c_net_ops *o = get(NULL, 0);
	return o ? o->http01_add(s, token, content) : -1;
}

void p11c_net_http01_remove(p11c_net_http01 *s, const char *token)
{
	const p11c_net_ops *o = s ? get(NULL, 0) : NULL;
	if (o)
		o->http01_remove(s, token);
}

void p11c_net_http01_stop(p11c_net_http01 *s)
{
	const p11c_net_ops *o = s ? get(NULL, 0) : NULL;
	if (o)
		o->http01_stop(s);
}
