/* SPDX-License-Identifier: MPL-2.0 */
/* HTTP(S) requests through libcurl (netmod.h).  PLACEHOLDER: written by the acme-core work. */
#include <stdio.h>
#include <string.h>

#include "netmod.h"

int p11c_net_http(const p11c_net_req *req, p11c_net_resp *resp, char *err, size_t errlen)
{
	(void)req;
	memset(resp, 0, sizeof(*resp));
	snprintf(err, errlen, "HTTP is not built yet");
	return -1;
}

void p11c_net_resp_free(p11c_net_resp *resp)
{
	(void)resp;
}
