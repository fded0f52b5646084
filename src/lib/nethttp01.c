/* SPDX-License-Identifier: MPL-2.0 */
/* The http-01 answerer through libmicrohttpd (netmod.h).  PLACEHOLDER: written by the acme-cli work. */
#include <stdio.h>

#include "netmod.h"

int p11c_net_http01_start(const char *address, int port, p11c_net_http01 **out, char *err,
                          size_t errlen)
{
	(void)address;
	(void)port;
	*out = NULL;
	snprintf(err, errlen, "the http-01 answerer is not built yet");
	return -1;
}

int p11c_net_http01_add(p11c_net_http01 *s, const char *token, const char *content)
{
	(void)s;
	(void)token;
	(void)content;
	return -1;
}

void p11c_net_http01_remove(p11c_net_http01 *s, const char *token)
{
	(void)s;
	(void)token;
}

void p11c_net_http01_stop(p11c_net_http01 *s)
{
	(void)s;
}
