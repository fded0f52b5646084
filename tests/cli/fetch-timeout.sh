#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# fetch-chain --timeout is a limit on each whole answer, not on each read:
# peers that send a valid-looking reply one byte a second (tests/peers/
# hostile.py trickle, trickle-tls, trickle-http) once held it for 40 s and
# more; now the command ends within about the timeout.  Bounds on
# behaviour (three times the timeout, and slack), not benchmarks.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/servers.sh"
need certutil openssl python3
new_db
# caIssuers URLs on 127.0.0.1 reached straight (curl reads these)
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY
before=$(snapshot)
TO=3

# ends_in_time WHAT WANT-MESSAGE URL [ARGS...]: fails (exit 1) within
# 3 x --timeout, saying WANT-MESSAGE.
ends_in_time() {
	local what=$1 want=$2 url=$3 start took
	shift 3
	start=$(date +%s)
	expect_exit 1 "$what: refused" timeout 60 "$P11CERT" -d "$DB" fetch-chain --timeout "$TO" "$@" "$url"
	took=$(($(date +%s) - start))
	echo "# $what: ended after $took s (--timeout $TO)"
	if [ "$took" -lt $((3 * TO)) ]; then ok "  within 3 x --timeout ($took s)"; else
		not_ok "  took $took s, wanted < $((3 * TO)) s"; fi
	if grep -q -- "$want" "$T/err" "$T/out"; then ok "  it says '$want'"; else
		not_ok "  message: got '$(cat "$T/err" "$T/out")', wanted '$want'"; fi
}

PS=$(free_port)
start_hostile trickle 127.0.0.1 "$PS"
ends_in_time "an SMTP greeting a byte a second" "did not answer in $TO s" \
	"smtp://127.0.0.1:$PS"

PT=$(free_port)
start_hostile trickle-tls 127.0.0.1 "$PT"
ends_in_time "a TLS handshake a byte a second (smtps)" "no TLS answer in $TO s" \
	"smtps://127.0.0.1:$PT"
ends_in_time "a TLS handshake a byte a second (https)" "no TLS answer in $TO s" \
	"https://127.0.0.1:$PT"

# caIssuers: the leaf's AIA URL answers a byte a second.
PH=$(free_port)
start_hostile trickle-http 127.0.0.1 "$PH"
make_chain "$T/pki" localhost "http://127.0.0.1:$PH/ca/int.crt"
PL=$(free_port)
start_tls_server 127.0.0.1 "$PL" "$T/pki/leafonly.pem" "$T/pki/leaf.key"
ends_in_time "a caIssuers answer a byte a second" "did not answer in $TO s" \
	"https://127.0.0.1:$PL" --ca-issuers
check "  the leaf was still shown" grep -q 'Subject: *CN=localhost' "$T/out"

# A good server is still fetched in time.
make_chain "$T/good" localhost
PG=$(free_port)
start_tls_server 127.0.0.1 "$PG" "$T/good/chain.pem" "$T/good/leaf.key"
start=$(date +%s)
p11c -d "$DB" fetch-chain --timeout "$TO" "https://127.0.0.1:$PG" >"$T/out" 2>"$T/err"
check "a good server: its chain is printed" grep -q 'Subject: *CN=localhost' "$T/out"
same_as "$before" "the database is unchanged"
finish
