/* SPDX-License-Identifier: MPL-2.0 */
/* The talk before STARTTLS, the server's side played through a
 * socketpair: what a hostile or odd server's answer gives. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "net.h"

static p11c_db *db;

static int setup(void **state)
{
	(void)state;
	return p11c_db_new(&db);
}

static int teardown(void **state)
{
	(void)state;
	p11c_db_free(db);
	return 0;
}

/* p11c_net_starttls with the server saying answer (len bytes), then
 * closing its side. */
static int talk(int starttls, const char *scheme, const void *answer, size_t len)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(write(sv[1], answer, len), (ssize_t)len);
	shutdown(sv[1], SHUT_WR);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	p11c_url u;
	memset(&u, 0, sizeof(u));
	snprintf(u.scheme, sizeof(u.scheme), "%s", scheme);
	snprintf(u.host, sizeof(u.host), "ldap.example");
	u.port = 389;
	u.starttls = starttls;
	int rc = p11c_net_starttls(db, sv[0], &u, 2);
	close(sv[0]);
	close(sv[1]);
	return rc;
}

static void assert_error(const char *want)
{
	if (!strstr(p11c_last_error(db), want))
		fail_msg("got message '%s', wanted one with '%s'", p11c_last_error(db), want);
}

static void test_ldap_starttls_accepted(void **state)
{
	(void)state;
	static const unsigned char ok[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07,
	                                   0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00};
	int rc = talk(P11C_TLS_LDAP, "ldap", ok, sizeof(ok));
	if (rc != P11C_OK)
		fail_msg("refused: %s", p11c_last_error(db));
}

static void test_ldap_protocol_error_named(void **state)
{
	(void)state;
	static const unsigned char no[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07,
	                                   0x0a, 0x01, 0x02, 0x04, 0x00, 0x04, 0x00};
	assert_int_equal(talk(P11C_TLS_LDAP, "ldap", no, sizeof(no)), P11C_EFAIL);
	assert_error("refused StartTLS (resultCode 2, protocolError");
}

/* Found by tests/fuzz (fuzz_starttls): a four-byte resultCode with the
 * top bit set overflowed an int (UBSan: left shift of 16711679 by 8
 * places) and came out as "not an extended response". */
static void test_ldap_four_byte_result_code(void **state)
{
	(void)state;
	static const unsigned char big[] = {0x30, 0x0f, 0x02, 0x01, 0x01, 0x78, 0x0a, 0x0a, 0x04,
	                                    0xfe, 0xff, 0xff, 0xbb, 0x04, 0x00, 0x04, 0x00};
	assert_int_equal(talk(P11C_TLS_LDAP, "ldap", big, sizeof(big)), P11C_EFAIL);
	assert_error("ldap: the server refused StartTLS (resultCode 4278190011)");
}

static void test_ldap_five_byte_result_code_refused(void **state)
{
	(void)state;
	static const unsigned char bad[] = {0x30, 0x10, 0x02, 0x01, 0x01, 0x78, 0x0b, 0x0a, 0x05,
	                                    0x01, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x04, 0x00};
	assert_int_equal(talk(P11C_TLS_LDAP, "ldap", bad, sizeof(bad)), P11C_EFAIL);
	assert_error("not an extended response");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ldap_starttls_accepted),
	    cmocka_unit_test(test_ldap_protocol_error_named),
	    cmocka_unit_test(test_ldap_four_byte_result_code),
	    cmocka_unit_test(test_ldap_five_byte_result_code_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
