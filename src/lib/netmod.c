/* SPDX-License-Identifier: MPL-2.0 */
/* p11cert-net.so's table (netmod.h): the HTTP client (nethttp.c) and the
 * http-01 answerer (nethttp01.c). */
#include "netmod.h"

__attribute__((visibility("default"))) extern const p11c_net_ops p11c_net_module_ops;
const p11c_net_ops p11c_net_module_ops = {
    P11C_NET_OPS_VERSION,  p11c_net_http,       p11c_net_resp_free,  p11c_net_http01_start,
    p11c_net_http01_add,   p11c_net_http01_remove, p11c_net_http01_stop,
};
