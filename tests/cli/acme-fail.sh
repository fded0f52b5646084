#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# acme-issue's failures leave nothing behind: an identifier pebble
# rejects, a challenge answered wrongly, an unknown server certificate, a
# token that refuses (a wrong PIN; the fault module failing
# C_GenerateKeyPair), a port already in use, the server gone in the middle
# of the order.  Each is one "p11cert: " line and a non-zero exit, with
# certutil -L/-K, pkcs11-tool's objects and the ACME record as before.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/acmelib.sh"
need certutil pkcs11-tool softhsm2-util python3
: "${P11FAULT_SO:?P11FAULT_SO must name the fault module (meson test sets it)}"
start_pebble
P11C_AUTO_MODULE=
make_token acme-hsm 4321
new_db
p11c -q -d "$DB" add-module softhsm "$SOFTHSM_MODULE"
(umask 077 && { cat "$DB/sslpassword.conf"; echo "acme-hsm:4321"; } >"$T/pw")
acme() { p11c -d "$DB" -W "$T/pw" "$@"; }
acme -q acme-register --server "$PEBBLE_DIR" --server-ca "$PEBBLE_CA" --agree-tos ||
	{ echo "cannot register" >&2; exit 1; }

# state: the database, the token and the record, as peers see them.
state() {
	snapshot
	token_objects acme-hsm 4321
	cat "$DB/p11cert-acme.json"
}
# unchanged WHAT: the state is as it was before the failure.
unchanged() {
	if [ "$(state)" = "$before" ]; then ok "$1: database, token and record unchanged"
	else not_ok "$1: something changed: $(diff <(echo "$before") <(state) | head -20)"; fi
}
before=$(state)

expect_exit 1 "a name pebble rejects: one line" \
	acme --token acme-hsm acme-issue bad --name bad_name.example.com \
	--http01-port "$PEBBLE_HTTP_PORT" --server-ca "$PEBBLE_CA"
check "it gives the server's problem: $(cat "$T/err")" grep -q 'malformed: .*illegal character' "$T/err"
unchanged "rejected identifier"

# A wrong answer: the webroot written is not the one served.
mkdir -p "$T/served" "$T/written"
PY=$(command -v python3)
spawn http.server 127.0.0.1 "$PEBBLE_HTTP_PORT" "$T/www.log" \
	"$PY" -m http.server "$PEBBLE_HTTP_PORT" --bind 127.0.0.1 --directory "$T/served"
expect_exit 1 "a challenge answered wrongly (404 from the served directory): one line" \
	acme --token acme-hsm acme-issue wrong --name wrong.example.com --webroot "$T/written" \
	--server-ca "$PEBBLE_CA" --wait 30
check "it says the authorization failed, with pebble's reason: $(cat "$T/err")" \
	grep -qiE 'unauthorized|invalid|404' "$T/err"
check "the written webroot is empty again" test -z "$(ls -A "$T/written")"
unchanged "wrong answer"

expect_exit 1 "the http-01 port in use (python's server has it): one line" \
	acme acme-issue busy --name busy.example.com --http01-port "$PEBBLE_HTTP_PORT" \
	--http01-address 127.0.0.1 --server-ca "$PEBBLE_CA"
check "it names the port: $(cat "$T/err")" grep -q "port $PEBBLE_HTTP_PORT" "$T/err"
unchanged "port in use"

make_ca other "/CN=Some other CA"
expect_exit 1 "a server certificate the given CA did not issue: one line" \
	acme --token acme-hsm acme-issue tls --name tls.example.com \
	--http01-port "$PEBBLE_HTTP_PORT" --server-ca "$T/other.pem"
check "it says why: $(cat "$T/err")" grep -qiE 'certificate|SSL' "$T/err"
unchanged "bad server certificate"

(umask 077 && { cat "$DB/sslpassword.conf"; echo "acme-hsm:9999"; } >"$T/badpin")
expect_exit 4 "a token that refuses the PIN: exit 4, one line" \
	p11c -d "$DB" -W "$T/badpin" --token acme-hsm acme-issue pin --name pin.example.com \
	--http01-port "$PEBBLE_HTTP_PORT" --server-ca "$PEBBLE_CA"
check "it names the token: $(cat "$T/err")" grep -q "acme-hsm" "$T/err"
unchanged "wrong PIN"

# The token behind the fault module, failing the key pair's generation.
DB2=$T/db2
new_db "$DB2"
(umask 077 && { cat "$DB2/sslpassword.conf"; echo "acme-hsm:4321"; } >"$T/pw2")
P11CERT_NO_P11KIT=1 p11c -q -d "$DB2" add-module fault "$P11FAULT_SO"
P11CERT_NO_P11KIT=1 p11c -q -d "$DB2" -W "$T/pw2" acme-register --server "$PEBBLE_DIR" \
	--server-ca "$PEBBLE_CA" --agree-tos
snap2=$(snapshot "$DB2"; token_objects acme-hsm 4321; cat "$DB2/p11cert-acme.json")
P11CERT_NO_P11KIT=1 P11FAULT_FUNC=C_GenerateKeyPair P11FAULT_NTH=1 P11FAULT_RV=CKR_DEVICE_ERROR \
	expect_exit 5 "the token failing C_GenerateKeyPair (CKR_DEVICE_ERROR): exit 5, one line" \
	p11c -d "$DB2" -W "$T/pw2" --token acme-hsm acme-issue fault --name fault.example.com \
	--webroot "$T/served" --server-ca "$PEBBLE_CA"
check "it names the token's answer: $(cat "$T/err")" grep -q 'CKR_DEVICE_ERROR' "$T/err"
check "the database, token and record are unchanged" \
	test "$(snapshot "$DB2"; token_objects acme-hsm 4321; cat "$DB2/p11cert-acme.json")" = "$snap2"

# The server gone in the middle of the order: the dns-01 hook stops
# pebble once the TXT record is set, before the challenge is answered.
pebble_pid=${SERVER_PIDS[1]}
cat >"$T/hook" <<EOF
#!/bin/sh
case \$1 in
set) curl -sf -X POST -d "{\"host\":\"\$2.\",\"value\":\"\$3\"}" "$CHALL_MGMT/set-txt" &&
	kill $pebble_pid ;;
clear) curl -sf -X POST -d "{\"host\":\"\$2.\"}" "$CHALL_MGMT/clear-txt" ;;
esac
EOF
chmod 755 "$T/hook"
expect_exit 1 "the server gone mid-order: one line" \
	acme --token acme-hsm acme-issue gone --name gone.example.com --dns-hook "$T/hook" \
	--dns-server "$CHALL_DNS" --server-ca "$PEBBLE_CA" --timeout 5 --wait 20
check "it says the server could not be reached: $(cat "$T/err")" \
	grep -qiE 'connect|refused|reach' "$T/err"
check "pebble was stopped by the hook (the order had begun)" fails kill -0 "$pebble_pid"
unchanged "server gone mid-order"
finish
