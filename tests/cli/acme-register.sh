#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# acme-register against pebble: the account key made in the database or on
# a SoftHSM token (non-extractable, pkcs11-tool), the record kept without
# a secret, external account binding (pebble --eab), and the refusals (no
# terms agreed, a second account, an unknown server certificate, a server
# gone, an EAB key file others can read) as one line with nothing kept.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/acmelib.sh"
need certutil pkcs11-tool softhsm2-util
start_pebble

# key_count: certutil's count of the database's keys.
key_count() {
	certutil -d "sql:$DB" -K -f <(db_password) 2>/dev/null | grep -c '^<'
}

new_db
before=$(snapshot)
expect_exit 1 "without --agree-tos pebble refuses: one line" \
	p11c -d "$DB" acme-register --server "$PEBBLE_DIR" --server-ca "$PEBBLE_CA"
check "it names the server's problem: $(cat "$T/err")" grep -q 'agreementRequired' "$T/err"
check "no record kept" test ! -e "$DB/p11cert-acme.json"
same_as "$before" "the key made for it is gone (certutil -L/-K as before)"

expect_exit 1 "an unknown server certificate (no --server-ca): one line" \
	p11c -d "$DB" acme-register --server "$PEBBLE_DIR" --agree-tos
check "it says the certificate was refused: $(cat "$T/err")" \
	grep -qiE 'certificate|SSL|TLS' "$T/err"
same_as "$before" "nothing kept after the refused certificate"
check "no record kept" test ! -e "$DB/p11cert-acme.json"

dead=$(free_port)
expect_exit 1 "a server that is not there: one line" \
	p11c -d "$DB" acme-register --server "https://127.0.0.1:$dead/dir" --server-ca "$PEBBLE_CA" \
	--agree-tos --timeout 5
same_as "$before" "nothing kept after the unreachable server"

expect_exit 2 "--server is needed" p11c -d "$DB" acme-register --agree-tos
expect_exit 2 "--eab-kid without --eab-hmac-file" \
	p11c -d "$DB" acme-register --server "$PEBBLE_DIR" --eab-kid kid-1

expect_exit 0 "register with --agree-tos --email" \
	p11c -d "$DB" acme-register --server "$PEBBLE_DIR" --server-ca "$PEBBLE_CA" --agree-tos \
	--email admin@example.com
check "it says the account's URL: $(cat "$T/err")" grep -q "registered account https://127.0.0.1" "$T/err"
url=$(sed -n 's/.*registered account \([^ ]*\) at.*/\1/p' "$T/err")
check "the record names the server and account" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["server"]==sys.argv[2] and d["account"]["url"]==sys.argv[3], d' \
	"$DB/p11cert-acme.json" "$PEBBLE_DIR" "$url"
check "the record is 0644, no secret in it" test "$(stat -c %a "$DB/p11cert-acme.json")" = 644
check "certutil -K: one key more (the account's)" test "$(key_count)" = 1
check "pebble serves the account's URL (not 404)" \
	test "$(curl -s --cacert "$PEBBLE_CA" -o /dev/null -w '%{http_code}' "$url")" != 404
after=$(snapshot)
expect_exit 1 "a second account is refused: one line" \
	p11c -d "$DB" acme-register --server "$PEBBLE_DIR" --server-ca "$PEBBLE_CA" --agree-tos
check "it names the existing account: $(cat "$T/err")" grep -q "already has an ACME account" "$T/err"
same_as "$after" "and the database is unchanged"

# The account key on a SoftHSM token: non-extractable.
make_token acme-hsm 4321
DB=$T/db2
new_db
(umask 077 && { cat "$DB/sslpassword.conf"; echo "acme-hsm:4321"; } >"$T/pw")
expect_exit 0 "register with the key on --token acme-hsm" \
	p11c -d "$DB" -W "$T/pw" --token acme-hsm acme-register --server "$PEBBLE_DIR" \
	--server-ca "$PEBBLE_CA" --agree-tos --key-type ec:p256
objs=$(token_objects acme-hsm 4321)
check "pkcs11-tool: a private EC key on the token" grep -q 'Private Key Object; EC' <<<"$objs"
key_never_extractable() { grep -A12 'Private Key Object' <<<"$objs" | grep -q 'never extractable'; }
check "pkcs11-tool: it is never extractable: $objs" key_never_extractable
check "the record says it is on acme-hsm" grep -q '"token": "acme-hsm"' "$DB/p11cert-acme.json"

# RSA account keys sign RS256.
DB=$T/db3
new_db
expect_exit 0 "register with an RSA-2048 account key" \
	p11c -d "$DB" acme-register --server "$PEBBLE_DIR" --server-ca "$PEBBLE_CA" --agree-tos \
	--key-type rsa:2048
check "the record says rsa:2048" grep -q '"key_type": "rsa:2048"' "$DB/p11cert-acme.json"

# External account binding: a pebble that requires it.
stop_pebble
SERVER_PIDS=()
start_pebble --eab
DB=$T/db4
new_db
before=$(snapshot)
expect_exit 1 "EAB required and none given: one line" \
	p11c -d "$DB" acme-register --server "$PEBBLE_DIR" --server-ca "$PEBBLE_CA" --agree-tos
check "it names the server's problem: $(cat "$T/err")" grep -qi 'external' "$T/err"
same_as "$before" "nothing kept without EAB"
printf '%s\n' "$EAB_HMAC_1" >"$T/eab"
chmod 644 "$T/eab"
expect_exit 4 "an EAB key file others can read is refused, as a password file" \
	p11c -d "$DB" acme-register --server "$PEBBLE_DIR" --server-ca "$PEBBLE_CA" --agree-tos \
	--eab-kid kid-1 --eab-hmac-file "$T/eab"
chmod 600 "$T/eab"
printf '%s\n' "$EAB_HMAC_2" >"$T/eab-wrong"
chmod 600 "$T/eab-wrong"
expect_exit 1 "kid-1 with kid-2's key: pebble refuses, one line" \
	p11c -d "$DB" acme-register --server "$PEBBLE_DIR" --server-ca "$PEBBLE_CA" --agree-tos \
	--eab-kid kid-1 --eab-hmac-file "$T/eab-wrong"
same_as "$before" "nothing kept after the wrong EAB key"
printf '%s\n' 'not base64url!' >"$T/eab-bad"
chmod 600 "$T/eab-bad"
expect_exit 2 "an EAB key that is not base64url" \
	p11c -d "$DB" acme-register --server "$PEBBLE_DIR" --server-ca "$PEBBLE_CA" --agree-tos \
	--eab-kid kid-1 --eab-hmac-file "$T/eab-bad"
expect_exit 0 "kid-1 with its key: registered" \
	p11c -d "$DB" acme-register --server "$PEBBLE_DIR" --server-ca "$PEBBLE_CA" --agree-tos \
	--eab-kid kid-1 --eab-hmac-file "$T/eab"
check "the EAB key is not in the record" fails grep -q "$EAB_HMAC_1" "$DB/p11cert-acme.json"
finish
