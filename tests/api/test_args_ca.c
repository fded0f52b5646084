/* SPDX-License-Identifier: MPL-2.0 */
/* The 'args' test's part for ca.h: revoke-cert's and gen-crl's functions
 * with NULL and bad arguments (argstest.h, test_args.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "argstest.h"

void test_args_p11c_ca_revoke(void **state)
{
	p11c_db *db = *state;
	int already = 7;
	NO_DB(p11c_ca_revoke(NULL, "ca", "01", NULL, 0, &already), p11c_ca_revoke);
	USAGE(db, p11c_ca_revoke(db, NULL, "01", NULL, 0, &already), p11c_ca_revoke,
	      "ca_alias is NULL");
	USAGE(db, p11c_ca_revoke(db, "ca", "", NULL, 0, &already), p11c_ca_revoke, "cert is empty");
	USAGE(db, p11c_ca_revoke(db, "ca", "01", NULL, -1, &already), p11c_ca_revoke, "when is -1");
	CLOSED(p11c_ca_revoke(db, "ca", "01", NULL, 0, NULL));
	no_failures();
}

void test_args_p11c_ca_crl_write(void **state)
{
	p11c_db *db = *state;
	NO_DB(p11c_ca_crl_write(NULL, "ca", 7, "x.crl", 0), p11c_ca_crl_write);
	USAGE(db, p11c_ca_crl_write(db, "", 7, "x.crl", 0), p11c_ca_crl_write, "ca_alias is empty");
	USAGE(db, p11c_ca_crl_write(db, "ca", 0, "x.crl", 0), p11c_ca_crl_write, "days is 0");
	USAGE(db, p11c_ca_crl_write(db, "ca", 7, NULL, 0), p11c_ca_crl_write, "path is NULL");
	USAGE(db, p11c_ca_crl_write(db, "ca", 7, "x.crl", 8), p11c_ca_crl_write, "flags");
	CLOSED(p11c_ca_crl_write(db, "ca", 7, "x.crl", P11C_CA_CRL_PEM));
	no_failures();
}
