/* SPDX-License-Identifier: MPL-2.0 */
/* p11cert.h must compile alone under -std=c99 -pedantic. */
#include "p11cert.h"

int main(void)
{
	p11c_selfsign_opts o = P11C_SELFSIGN_OPTS_INIT;
	p11c_add_opts a = P11C_ADD_OPTS_INIT;
	p11c_generate_opts g = P11C_GENERATE_OPTS_INIT;
	p11c_dn_fields f = P11C_DN_FIELDS_INIT;
	p11c_list_opts l = P11C_LIST_OPTS_INIT;
	p11c_sign_opts s = P11C_SIGN_OPTS_INIT;
	(void)f;
	(void)l;
	(void)s;
	(void)o;
	(void)a;
	(void)g;
	return P11C_OK;
}
