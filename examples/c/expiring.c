/* SPDX-License-Identifier: MPL-2.0 */
/*
 * expiring: list a certificate database's certificates and report those
 * that expire within DAYS days, through libp11cert's public API.
 *
 *     cc -o expiring expiring.c $(pkg-config --cflags --libs libp11cert)
 *     ./expiring /etc/mail/certdb 30
 *
 * One line a certificate, tab-separated: alias, expiry (RFC 3339, UTC),
 * whole days left, and "ok", "expiring" or "expired"; then a count.  The
 * database is opened read-only; DIR/sslpassword.conf, when there, unlocks
 * the internal token (and the tokens it has lines for) so that their
 * private certificates are listed too; the modules registered in the
 * database (p11cert add-module) are loaded.  Exit status: 0 none expiring,
 * 1 some expiring or expired, 2 an error (its message on stderr).
 */
#define _POSIX_C_SOURCE 200809L /* gmtime_r, access */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <p11cert.h>

static void rfc3339(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int fail(p11c_db *db, const char *what)
{
	fprintf(stderr, "expiring: %s: %s\n", what, p11c_last_error(db));
	p11c_db_free(db);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: expiring DIR DAYS\n");
		return 2;
	}
	const char *dir = argv[1];
	char *end;
	long days = strtol(argv[2], &end, 10);
	if (*end || end == argv[2] || days < 0 || days > 36500) {
		fprintf(stderr, "expiring: DAYS must be a number from 0 to 36500, not '%s'\n",
		        argv[2]);
		return 2;
	}

	p11c_db *db = NULL;
	if (p11c_db_new(&db) != P11C_OK)
		return fail(NULL, "cannot make a handle");
	char pwfile[4096];
	snprintf(pwfile, sizeof(pwfile), "%s/sslpassword.conf", dir);
	if (access(pwfile, F_OK) == 0 && p11c_db_set_password_file(db, pwfile) != P11C_OK)
		return fail(db, pwfile);
	if (p11c_db_open(db, dir, P11C_OPEN_READONLY) != P11C_OK)
		return fail(db, dir);

	p11c_list_opts opts = P11C_LIST_OPTS_INIT;
	opts.which = P11C_LIST_ALL;
	p11c_cert_listing *l = NULL;
	if (p11c_cert_list(db, &opts, &l) != P11C_OK)
		return fail(db, "cannot list certificates");
	for (size_t k = 0; k < p11c_cert_listing_problem_count(l); k++) {
		const p11c_token_problem *p = p11c_cert_listing_problem(l, k);
		fprintf(stderr,
		        "expiring: token '%s' not logged in, its private objects unseen: %s\n",
		        p11c_token_problem_token(p), p11c_token_problem_reason(p));
	}

	int64_t now = (int64_t)time(NULL), horizon = now + (int64_t)days * 86400;
	size_t soon = 0, n = p11c_cert_listing_count(l);
	for (size_t i = 0; i < n; i++) {
		const p11c_cert *c = p11c_cert_listing_get(l, i);
		int64_t not_after = p11c_cert_not_after(c);
		char when[32];
		rfc3339(not_after, when, sizeof(when));
		const char *status = not_after <= now       ? "expired"
		                     : not_after <= horizon ? "expiring"
		                                            : "ok";
		if (strcmp(status, "ok"))
			soon++;
		/* whole days left, rounded down (negative once expired) */
		long long left = (not_after - now) / 86400 - ((not_after - now) % 86400 < 0);
		printf("%s\t%s\t%lld\t%s\n", p11c_cert_alias(c), when, left, status);
	}
	printf("%zu certificate%s, %zu expiring within %ld days\n", n, n == 1 ? "" : "s", soon,
	       days);
	p11c_cert_listing_free(l);
	p11c_db_free(db);
	return soon ? 1 : 0;
}
