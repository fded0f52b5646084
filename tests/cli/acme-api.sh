#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
# The library's ACME half (p11cert/acme.h) against pebble, through a small
# driver (tests/api/test_acme_driver.c): register, issue with dns-01 (a
# callback solver setting challtestsrv's TXT records) and http-01 (the
# library's own answerer), renew with the same key and with a new one,
# revoke; each result checked with openssl verify against pebble's root,
# certutil -L/-K and pebble's management view; refusals leave the database
# as it was.
TESTDIR=${TESTDIR:-$(dirname "$0")}
. "$TESTDIR/lib.sh"
. "$TESTDIR/acmelib.sh"
: "${ACME_DRIVER:?ACME_DRIVER must name test_acme_driver}"
need certutil

start_pebble
export ACME_SERVER=$PEBBLE_DIR ACME_CA=$PEBBLE_CA
new_db
db_password >"$T/pw"

drv() { "$ACME_DRIVER" "$DB" "$@"; }

# expect_same WHAT GOT WANTED
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', wanted '$3'"; fi
}

# pem_of ALIAS: the stored certificate, PEM.
pem_of() { certutil -d "sql:$DB" -L -n "$1" -a; }
serial_of() { pem_of "$1" | openssl x509 -noout -serial | sed 's/serial=//'; }
pub_of() { pem_of "$1" | openssl x509 -noout -pubkey; }

# verified ALIAS: openssl verify of ALIAS with pebble's intermediate
# against pebble's root.
verified() {
	pem_of "$1" >"$T/leaf.pem" &&
		openssl verify -CAfile "$PEBBLE_ROOT" -untrusted "$T/pebble-intermediate.pem" \
			"$T/leaf.pem" >"$T/verify.out" 2>&1
}

# Before an account: an issue is refused, nothing changes.
before=$(snapshot)
expect_exit 3 "issue without an account is refused" drv issue x mail.test - dns
same_as "$before" "issue without an account leaves the database as it was"

# A bad server certificate: no server_ca given for pebble's private CA.
ACME_CA='' expect_exit 1 "a server whose certificate is not trusted is refused" \
	env -u ACME_CA "$ACME_DRIVER" "$DB" register
same_as "$before" "a refused server costs no key"
check "no ACME record after a refused server" test ! -e "$DB/p11cert-acme.json"

expect_exit 0 "register" drv register
url=$(sed -n 's/.*"url": *"\([^"]*\)".*/\1/p' "$DB/p11cert-acme.json" | head -1)
case $url in https://127.0.0.1:*) ok "the account URL is recorded" ;;
*) not_ok "account URL: got '$url', wanted pebble's" ;; esac
expect_eq "the record is 0644" "$(stat -c %a "$DB/p11cert-acme.json")" 644
expect_exit 1 "a second register is refused" drv register

# dns-01 through the caller's solver.
expect_exit 0 "issue with dns-01" drv issue mail mail.test dns:smtp.mail.test dns
check "certutil -L shows 'mail'" sh -c "certutil -d sql:$DB -L -n mail >/dev/null"
check "openssl verifies 'mail' against pebble's root" verified mail
sans=$(pem_of mail | openssl x509 -noout -ext subjectAltName | tail -1 | tr -d ' ')
expect_eq "the SANs are the names asked for" "$sans" "DNS:mail.test,DNS:smtp.mail.test"
check "the key of 'mail' is in the database" sh -c "certutil -d sql:$DB -K -f '$T/pw' | grep -q mail"

# A wildcard (dns-01, its authorization for the bare name).
expect_exit 0 "issue a wildcard with dns-01" drv issue wild '*.wild.test' dns:wild.test dns
sans=$(pem_of wild | openssl x509 -noout -ext subjectAltName | tail -1 | tr -d ' ')
expect_eq "the wildcard's SANs" "$sans" "DNS:*.wild.test,DNS:wild.test"
check "openssl verifies 'wild'" verified wild

before=$(snapshot)
expect_exit 1 "an alias in use is refused" drv issue mail other.test - dns
same_as "$before" "an alias in use leaves the database as it was"

# http-01 through the library's own answerer.
expect_exit 0 "issue with http-01" drv issue web web.test - http
check "openssl verifies 'web'" verified web

# Renew with the same key: same public key, new serial.
s1=$(serial_of mail) p1=$(pub_of mail)
expect_exit 0 "renew 'mail'" drv renew mail
expect_eq "the renewed 'mail' has the same key" "$(pub_of mail)" "$p1"
if [ "$(serial_of mail)" != "$s1" ]; then ok "the renewed 'mail' has a new serial"
else not_ok "renew: the serial is still $s1"; fi
check "openssl verifies the renewed 'mail'" verified mail
expect_eq "one 'mail' after renewal" "$(certutil -d "sql:$DB" -L | grep -c '^mail ')" 1

# Renew with a new key.
expect_exit 0 "renew 'web' with a new key" drv renew web new-key
if [ "$(pub_of web)" != "$p1" ] && [ -n "$(pub_of web)" ]; then ok "renewed 'web' exists"; fi
check "openssl verifies the re-keyed 'web'" verified web

# Refusals leave the database as it was.
before=$(snapshot)
expect_exit 1 "a name pebble refuses is refused" drv issue bad "$PEBBLE_BLOCKED" - dns
same_as "$before" "a refused name leaves the database as it was"
grep -q rejectedIdentifier "$T/err" && ok "the refusal names rejectedIdentifier" ||
	not_ok "the refusal: got '$(cat "$T/err")', wanted rejectedIdentifier"
expect_exit 1 "a wrong dns-01 answer is refused" drv issue bad2 bad2.test - dns-wrong
same_as "$before" "a wrong answer leaves the database as it was"
expect_exit 1 "a renewal with a wrong answer fails" drv renew mail dns-wrong
same_as "$before" "a failed renewal leaves the database as it was"
drv list >"$T/list"
grep -q '^cert mail .*failure=.*dns-01' "$T/list" && ok "the failed renewal is recorded" ||
	not_ok "list after a failed renewal: $(cat "$T/list")"
expect_exit 0 "renew 'mail' again" drv renew mail
drv list >"$T/list"
grep -q '^cert mail .*failure=-' "$T/list" && ok "a renewal clears the recorded failure" ||
	not_ok "list after renewal: $(cat "$T/list")"

# Revoke: pebble's own view says so.
serial=$(serial_of mail | tr 'A-F' 'a-f' | sed 's/^0*//')
expect_exit 0 "revoke 'mail'" drv revoke mail key-compromise
status=$(curl -sf --cacert "$PEBBLE_CA" "$PEBBLE_MGMT/cert-status-by-serial/$serial" |
	sed -n 's/.*"Status": *"\([A-Za-z]*\)".*/\1/p')
expect_eq "pebble says 'mail' is revoked" "$status" Revoked
drv list >"$T/list"
grep -q '^cert mail .*revoked=1' "$T/list" && ok "the record says 'mail' is revoked" ||
	not_ok "list after revoke: $(cat "$T/list")"
check "the revoked certificate stays in the database" sh -c "certutil -d sql:$DB -L -n mail >/dev/null"

ACME_SERVER=https://127.0.0.1:1/dir expect_exit 2 "another server than the account's is refused" \
	drv issue other other.test - dns
grep -q "the account is with the ACME server" "$T/err" && ok "the refusal names the account's server" ||
	not_ok "another server: got '$(cat "$T/err")'"
expect_exit 0 "the account's server when none is given" env -u ACME_SERVER "$ACME_DRIVER" "$DB" \
	issue other other.test - dns

# A malformed record is refused with a clear error, and not rewritten.
cp "$DB/p11cert-acme.json" "$T/record"
printf '{"certs": [' >"$DB/p11cert-acme.json"
expect_exit 1 "a malformed record is refused" drv issue m2 m2.test - dns
grep -q "ACME record .*p11cert-acme.json.* is malformed" "$T/err" && ok "the refusal names the record" ||
	not_ok "malformed record: got '$(cat "$T/err")'"
expect_eq "the malformed record is left as it was" "$(cat "$DB/p11cert-acme.json")" '{"certs": ['
cp "$T/record" "$DB/p11cert-acme.json"

# The server gone mid-order (stopped once the order and its challenge are
# made), then gone before: nothing changes.
before=$(snapshot)
ACME_STOP_CMD="kill ${SERVER_PIDS[1]}" expect_exit 1 "the server stopped mid-order" \
	drv issue mid mid.test - dns-stop
same_as "$before" "a server gone mid-order leaves the database as it was"
stop_pebble
expect_exit 1 "issue with the server down fails" drv issue late late.test - dns
same_as "$before" "a server down leaves the database as it was"

finish
