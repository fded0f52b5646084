#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# acme-register and acme-issue against a hostile ACME server
# (acme_hostile.py, told by $T/mode how to misbehave): each case is a
# non-zero exit, exactly one "p11cert: " line (sanitised, bounded) and
# certutil -L/-K of the database and the ACME record as before, within
# the time --timeout and --wait allow.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/acmelib.sh"
need python3 openssl certutil
pebble_tls_cert
PORT=$(free_port)
DIR=https://127.0.0.1:$PORT/dir
echo ok >"$T/mode"
spawn acme_hostile.py 127.0.0.1 "$PORT" "$T/hostile.log" \
	python3 "$TESTDIR/acme_hostile.py" "$PORT" "$T/pebble-tls.pem" "$T/pebble-tls.key" "$T/mode"

# state DIR: the database as certutil sees it, and the record.
state() {
	snapshot "$1"
	cat "$1/p11cert-acme.json" 2>/dev/null || echo "no record"
}
# hostile MODE DBDIR MAXSECS WHAT ARGS...: p11cert ARGS with the server in
# MODE fails in one bounded line within MAXSECS, leaving DBDIR as it was.
hostile() {
	local m=$1 dir=$2 max=$3 what=$4 before got start secs lines
	shift 4
	before=$(state "$dir")
	echo "$m" >"$T/mode"
	start=$(date +%s)
	p11c -d "$dir" "$@" --server-ca "$PEBBLE_CA" >"$T/out" 2>"$T/err"
	got=$?
	secs=$(($(date +%s) - start))
	echo ok >"$T/mode"
	lines=$(wc -l <"$T/err")
	if [ "$got" = 0 ]; then not_ok "$what ($m): exit 0, wanted non-zero"
	elif [ "$lines" != 1 ] || ! grep -q '^p11cert: ' "$T/err"; then
		not_ok "$what ($m): stderr is not one 'p11cert: ' line: $(head -c 600 "$T/err")"
	elif [ "$(wc -c <"$T/err")" -gt 1024 ] || LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$T/err"); then
		not_ok "$what ($m): the line is long or has control characters: $(head -c 300 "$T/err" | od -c | head -5)"
	else ok "$what ($m): exit $got in ${secs}s: $(cat "$T/err")"; fi
	check "$what ($m): within ${max}s (got ${secs}s)" test "$secs" -le "$max"
	if [ "$(state "$dir")" = "$before" ]; then ok "$what ($m): database and record unchanged"
	else not_ok "$what ($m): changed: $(diff <(echo "$before") <(state "$dir") | head -10)"; fi
}

# Register-step failures: a database with no account yet.
D1=$T/db1
new_db "$D1"
reg() { hostile "$1" "$D1" "$2" "$3" acme-register --server "$DIR" --agree-tos --timeout 3; }
reg dir-notjson 20 "a directory that is not JSON"
reg dir-array 20 "a directory that is a JSON array"
reg dir-nononce 20 "a directory without newNonce"
reg nononce 20 "no Replay-Nonce ever"
reg badnonce 30 "badNonce forever"
reg acct-nolocation 20 "newAccount 201 without Location"
reg problem-ctrl 20 "a problem with control characters"
check "the problem's text is there, control characters as spaces: $(cat "$T/err")" \
	grep -q 'unauthorized: bad \[31m red  second line' "$T/err"
reg problem-big 20 "a problem with a 100 KB detail"
check "the line is cut: $(wc -c <"$T/err") bytes" test "$(wc -c <"$T/err")" -lt 700
reg problem-nested 20 "a problem with 300 nested subproblems"
reg slow 20 "a body trickled a byte a second (--timeout 3)"

# Issue-step failures: a registered database.
D2=$T/db2
new_db "$D2"
p11c -q -d "$D2" acme-register --server "$DIR" --server-ca "$PEBBLE_CA" --agree-tos ||
	{ echo "cannot register with the fake server: $(tail -3 "$T/hostile.log")" >&2; exit 1; }
check "registered: the record names the account" grep -q "/acct/1" "$D2/p11cert-acme.json"
iss() { hostile "$1" "$D2" "$2" "$3" acme-issue h --name h.example --timeout 3 --wait 4; }
iss dir-noorder 20 "a directory without newOrder"
check "it names newOrder: $(cat "$T/err")" grep -q newOrder "$T/err"
iss order-http 20 "an order whose authorization and finalize URLs are http://"
check "it refuses the http:// URL: $(cat "$T/err")" grep -q 'not https://' "$T/err"
iss order-elsewhere 20 "an order whose URLs are on another host"
iss authz-nochall 20 "an authorization without the challenge type asked"
iss processing-0 20 "an order processing forever, Retry-After: 0 (--wait 4)"
iss processing-long 20 "an order processing forever, Retry-After: 999999 (--wait 4)"
check "it says it gave up on the wait: $(cat "$T/err")" grep -q 'still processing.*the wait is 4 s' "$T/err"
iss cert-notpem 20 "a certificate that is not PEM"
iss cert-big 30 "a 10 MB certificate"
finish
