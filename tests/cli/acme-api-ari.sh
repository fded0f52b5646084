#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
# ACME Renewal Information (RFC 9773) through the library's API: pebble 2.4
# has none, so ari_proxy.py serves pebble's directory with a renewalInfo of
# its own.  After an issue and a renewal, the record's renew_at is the
# start of the window served, and the certID asked for is the one openssl's
# view of the stored certificate gives (base64url of the AKI's keyIdentifier
# "." base64url of the serial's DER bytes); the renewal goes through (its
# newOrder's "replaces" goes to pebble, which ignores it: no peer here
# sees that field).
TESTDIR=${TESTDIR:-$(dirname "$0")}
. "$TESTDIR/lib.sh"
. "$TESTDIR/acmelib.sh"
: "${ACME_DRIVER:?ACME_DRIVER must name test_acme_driver}"
need certutil python3 basenc xxd

start_pebble
port=$(free_port)
spawn ari-proxy 127.0.0.1 "$port" "$T/ari.out" python3 "$TESTDIR/ari_proxy.py" "$port" \
	"$T/pebble-tls.pem" "$T/pebble-tls.key" "$PEBBLE_DIR" "$PEBBLE_CA" "$T/ari.log" \
	2030-01-02T03:04:05Z 2030-01-03T03:04:05Z
export ACME_SERVER=https://127.0.0.1:$port/dir ACME_CA=$PEBBLE_CA
new_db

drv() { "$ACME_DRIVER" "$DB" "$@"; }
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', wanted '$3'"; fi
}
# certid_of ALIAS: RFC 9773's certID from openssl's printing of the
# stored certificate.
certid_of() {
	local pem aki ser
	pem=$(certutil -d "sql:$DB" -L -n "$1" -a)
	aki=$(openssl x509 -noout -ext authorityKeyIdentifier <<<"$pem" |
		sed -n 's/^ *\(keyid:\)\{0,1\}\([0-9A-F:]*\)$/\2/p' | tr -d ':')
	ser=$(openssl x509 -noout -serial <<<"$pem" | sed 's/serial=//')
	case $ser in [89A-F]*) ser=00$ser ;; esac
	b() { printf %s "$1" | xxd -r -p | basenc --base64url | tr -d '=\n'; }
	printf '%s.%s' "$(b "$aki")" "$(b "$ser")"
}
want_at=$(date -u -d 2030-01-02T03:04:05Z +%s)

expect_exit 0 "register through a directory with renewalInfo" drv register
expect_exit 0 "issue" drv issue mail mail.test - dns
expect_eq "ARI was asked about the issued certificate" "$(tail -1 "$T/ari.log")" \
	"$(certid_of mail)"
drv list >"$T/list"
grep -q "^cert mail .*renew_at=$want_at " "$T/list" && ok "renew_at is the window's start" ||
	not_ok "list: got '$(cat "$T/list")', wanted renew_at=$want_at"

old_id=$(certid_of mail)
expect_exit 0 "renew, replacing the old certificate" drv renew mail
if [ "$(certid_of mail)" != "$old_id" ]; then ok "a new certificate after renewal"
else not_ok "renewal kept certID $old_id"; fi
expect_eq "ARI was asked about the renewed certificate" "$(tail -1 "$T/ari.log")" \
	"$(certid_of mail)"
check "openssl verifies the renewed certificate" sh -c \
	"certutil -d sql:$DB -L -n mail -a | openssl verify -CAfile '$PEBBLE_ROOT' \
	-untrusted '$T/pebble-intermediate.pem' >/dev/null"

finish
