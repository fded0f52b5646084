#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Revocation in verify-cert's, fetch-chain's and check's verdicts: an
# openssl ca with an index, its OCSP responder (openssl ocsp) and its CRL
# (DER on python's http.server), both on loopback ports of the test's:
# good, revoked (reason and date shown), unknown, responder down (soft, and
# hard with --require-revocation), a stale CRL; each verdict held against
# vfychain -pp -g leaf -m ocsp|crl and openssl verify -crl_check.  The
# cache in DIR/p11cert-revocation/ answers with the responder stopped;
# bad answers (garbage, HTTP 500, an unrelated signer) are never cached.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/servers.sh"
need certutil openssl python3 vfychain ss
new_db
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY

PO=$(free_port)
PH=$(free_port)
C=$T/ca
mkdir -p "$C/new" "$T/www"
touch "$C/index.txt"
echo 1000 >"$C/serial"
echo 01 >"$C/crlnumber"
cat >"$C/openssl.cnf" <<EOF
[ca]
default_ca = ca
[ca]
dir = $C
database = $C/index.txt
new_certs_dir = $C/new
serial = $C/serial
crlnumber = $C/crlnumber
certificate = $C/ca.pem
private_key = $C/ca.key
default_md = sha256
default_days = 365
default_crl_days = 7
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
[leaf]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
authorityInfoAccess = OCSP;URI:http://127.0.0.1:$PO/
crlDistributionPoints = URI:http://127.0.0.1:$PH/ca.crl
[crlonly]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
crlDistributionPoints = URI:http://127.0.0.1:$PH/ca.crl
EOF
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$C/ca.key" \
	-subj "/CN=Revocation Test CA" -days 3650 -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign -out "$C/ca.pem" 2>/dev/null
# leaf NAME [EXT]: $C/NAME.pem from the CA (in its index)
leaf() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$C/$1.key" \
		-subj "/CN=$1" -out "$C/$1.csr" 2>/dev/null &&
		openssl ca -batch -config "$C/openssl.cnf" -extensions "${2:-leaf}" -in "$C/$1.csr" \
			-out "$C/$1.pem" -notext 2>/dev/null
}
leaf good
leaf revoked
leaf crlgood crlonly
leaf crlrevoked crlonly
leaf peerrev
# one the index does not know: the responder says unknown
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$C/stray.key" \
	-subj "/CN=stray" -out "$C/stray.csr" 2>/dev/null
openssl x509 -req -in "$C/stray.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" -set_serial 4242 \
	-days 365 -extfile "$C/openssl.cnf" -extensions leaf -out "$C/stray.pem" 2>/dev/null
openssl x509 -req -in "$C/stray.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" -set_serial 4343 \
	-days 365 -extfile "$C/openssl.cnf" -extensions leaf -out "$C/peerstray.pem" 2>/dev/null
openssl ca -batch -config "$C/openssl.cnf" -revoke "$C/peerrev.pem" -crl_reason cessationOfOperation 2>/dev/null
openssl ca -batch -config "$C/openssl.cnf" -revoke "$C/revoked.pem" -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config "$C/openssl.cnf" -revoke "$C/crlrevoked.pem" -crl_reason superseded 2>/dev/null
openssl ca -batch -config "$C/openssl.cnf" -gencrl -out "$C/ca.crl.pem" 2>/dev/null
openssl crl -in "$C/ca.crl.pem" -outform DER -out "$T/www/ca.crl"
for n in good revoked stray crlgood crlrevoked; do
	openssl x509 -in "$C/$n.pem" -outform DER -out "$C/$n.der"
	p11c -q -d "$DB" add-cert --trust ,, "$n" "$C/$n.pem" || echo "cannot add $n" >&2
done
p11c -q -d "$DB" add-cert -C ca "$C/ca.pem"
p11c -q -d "$DB" add-cert --trust peer peerrev "$C/peerrev.pem"
p11c -q -d "$DB" add-cert --trust peer peerstray "$C/peerstray.pem"

# start_ocsp SIGNER KEY: openssl ocsp on $PO.  Not through spawn: a
# connection closed without a request (spawn's probe) hangs openssl 3.0's
# responder, so the port is watched with ss instead.
start_ocsp() {
	openssl ocsp -index "$C/index.txt" -port "$PO" -rsigner "$1" -rkey "$2" \
		-CA "$C/ca.pem" -nmin 60 -ignore_err </dev/null >"$T/ocsp-$PO.log" 2>&1 &
	SERVER_PIDS+=("$!")
	local i
	for ((i = 0; i < 100; i++)); do
		[ -z "$(ss -Hltn "sport = :$PO")" ] || return 0
		sleep 0.1
	done
	echo "openssl ocsp does not listen on $PO" >&2
	exit 1
}
start_ocsp "$C/ca.pem" "$C/ca.key"
start_http 127.0.0.1 "$PH" "$T/www"
CACHE=$DB/p11cert-revocation

# vfy NAME METHOD: vfychain's verdict (0 trusted) with the leaf tested by
# METHOD and an answer required
vfy() {
	vfychain -d "sql:$DB" -pp -u 1 -g leaf -m "$2" -s failIfNoInfo "$C/$1.der" >"$T/vfy" 2>&1
}
# agree NAME MODE WANT: verify-cert exits WANT (0/1) and vfychain agrees
agree() {
	local name=$1 mode=$2 want=$3 got=0 v=0
	p11c -d "$DB" verify-cert --revocation "$mode" --require-revocation "$name" >"$T/out" 2>"$T/err" || got=$?
	vfy "$name" "$mode" || v=1
	if [ "$got" = "$want" ] && [ "$v" = "$want" ]; then
		ok "$name ($mode): verify-cert and vfychain both say $want"
	else
		not_ok "$name ($mode): verify-cert $got, vfychain $v, wanted $want ($(cat "$T/err") / $(tail -2 "$T/vfy"))"
	fi
}

# ---- OCSP ----
expect_exit 0 "good: trusted" p11c -d "$DB" verify-cert good
check "good: the responder named" grep -q "Revocation: good (OCSP http://127.0.0.1:$PO/, thisUpdate" "$T/out"
check "good: the answer cached, 0644" test "$(stat -c %a "$CACHE"/ocsp-* 2>/dev/null)" = 644
agree good ocsp 0
expect_exit 1 "revoked: not trusted" p11c -d "$DB" verify-cert revoked
check "revoked: the reason said" grep -q "Revoked: .* UTC, reason keyCompromise" "$T/out"
check "revoked: the problem says when and who" grep -q "not trusted: revoked: 'CN=revoked' was revoked on .* (keyCompromise), says http://127.0.0.1:$PO/" "$T/err"
agree revoked ocsp 1
p11c -d "$DB" verify-cert --json revoked >"$T/json" 2>/dev/null
check "revoked: --json carries status, reason, date, code" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = d["chain"][0]["revocation"]
assert r["status"] == "revoked" and r["reason"] == "keyCompromise" and r["revoked_at"], r
assert r["method"] == "ocsp" and r["source"].startswith("http://127.0.0.1:"), r
assert d["problems"][0]["code"] == "revoked", d["problems"]
assert d["chain"][1]["revocation"]["status"] == "not-checked"
' "$T/json"
expect_exit 0 "unknown: soft failure, still trusted" p11c -d "$DB" verify-cert stray
check "unknown: said in the verdict" grep -q "Verdict: trusted for TLS servers (revocation unknown)" "$T/out"
check "unknown: the responder does not know it" grep -q "Revocation: unknown: the responder does not know the certificate" "$T/out"
expect_exit 1 "unknown: --require-revocation fails" p11c -d "$DB" verify-cert --require-revocation stray
check "unknown: its own problem" grep -q "not trusted: revocation unknown: no answer for 'CN=stray'" "$T/err"
agree stray ocsp 1
expect_exit 0 "--revocation none: no question asked" p11c -d "$DB" verify-cert --revocation none revoked
check "none: no revocation line" fails grep -q "Revocation:" "$T/out"

# ---- check: trusted peers revoked (problem) or unknown (warning) ----
p11c -d "$DB" check --json >"$T/check.json" 2>"$T/err"
check "check: exit 2 (problems)" test $? = 2
check "check: revoked peer a problem, unknown a warning, each with its code" python3 -c '
import json, sys
f = json.load(open(sys.argv[1]))["findings"]
by = {(x["alias"], x["code"]): x for x in f}
r = by[("peerrev", "revoked")]
assert r["severity"] == "problem" and "cessationOfOperation" in r["message"], r
u = by[("peerstray", "revocation-unknown")]
assert u["severity"] == "warning", u
' "$T/check.json"
p11c -d "$DB" check --revocation none >"$T/out" 2>&1
check "check --revocation none: no revocation finding" fails grep -qE "^(PROBLEM|WARNING) +(revoked|revocation-unknown) " "$T/out"
p11c -d "$DB" check --require-revocation --json >"$T/check.json" 2>&1
check "check --require-revocation: unknown is a problem" python3 -c '
import json, sys
f = json.load(open(sys.argv[1]))["findings"]
assert [x for x in f if x["code"] == "revocation-unknown" and x["severity"] == "problem"], f
' "$T/check.json"

# ---- fetch-chain: a server whose leaf is revoked ----
PT=$(free_port)
cat "$C/revoked.pem" "$C/ca.pem" >"$T/revchain.pem"
start_tls_server 127.0.0.1 "$PT" "$T/revchain.pem" "$C/revoked.key"
expect_exit 1 "fetch-chain: a revoked server leaf is not trusted" p11c -d "$DB" fetch-chain "https://127.0.0.1:$PT"
check "fetch-chain: revoked, with the reason" grep -q "not trusted: revoked: 'CN=revoked' was revoked on .* (keyCompromise)" "$T/err"
expect_exit 0 "fetch-chain --revocation none: trusted" p11c -d "$DB" fetch-chain --revocation none "https://127.0.0.1:$PT"
p11c -d "$DB" fetch-chain --json "https://127.0.0.1:$PT" >"$T/json" 2>/dev/null
check "fetch-chain --json: the leaf's revocation" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = d["chain"][0]["revocation"]
assert r["status"] == "revoked" and r["reason"] == "keyCompromise", r
' "$T/json"

# ---- the cache: the responder stopped ----
stop_servers
start_http 127.0.0.1 "$PH" "$T/www"
expect_exit 0 "cache: good without the responder" p11c -d "$DB" verify-cert --require-revocation good
check "cache: said so" grep -q "Revocation: good (OCSP http://127.0.0.1:$PO/, from the cache" "$T/out"
expect_exit 1 "cache: revoked without the responder" p11c -d "$DB" verify-cert revoked
check "cache: still revoked, from the cache" grep -q "(cached)" "$T/err"
# responder down, nothing cached for stray
start=$(date +%s)
expect_exit 0 "responder down: soft, trusted" p11c -d "$DB" verify-cert --timeout 3 stray
check "responder down: revocation unknown said" grep -q "(revocation unknown)" "$T/out"
check "responder down: within the time limit" test $(($(date +%s) - start)) -le 8
expect_exit 1 "responder down: hard with --require-revocation" p11c -d "$DB" verify-cert --timeout 3 --require-revocation stray
check "responder down: revocation-unknown" grep -q "revocation unknown" "$T/err"

# ---- bad answers are never cached ----
rm -rf "$CACHE"
cat >"$T/bad.py" <<'PY'
import sys, http.server
mode = sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if mode == "500":
            self.send_response(500); self.end_headers(); return
        body = b"\x30\x03\x0a\x01\x00" if mode == "short" else b"garbage, not DER" * 10
        self.send_response(200)
        self.send_header("Content-Type", "application/ocsp-response")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
    do_GET = do_POST
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
for mode in garbage short 500; do
	spawn "bad responder" 127.0.0.1 "$PO" "$T/bad-$mode.log" python3 "$T/bad.py" "$PO" "$mode"
	expect_exit 0 "bad answer ($mode): soft, trusted" p11c -d "$DB" verify-cert good
	check "bad answer ($mode): unknown" grep -q "(revocation unknown)" "$T/out"
	check "bad answer ($mode): nothing cached" test ! -e "$CACHE" -o -z "$(ls -A "$CACHE" 2>/dev/null)"
	kill "${SERVER_PIDS[-1]}"; wait "${SERVER_PIDS[-1]}" 2>/dev/null; unset 'SERVER_PIDS[-1]'
done
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/other.key" \
	-subj "/CN=Other" -days 30 -out "$T/other.pem" 2>/dev/null
start_ocsp "$T/other.pem" "$T/other.key"
expect_exit 1 "unrelated signer: --require-revocation fails" p11c -d "$DB" verify-cert --require-revocation good
check "unrelated signer: nothing cached" test -z "$(ls -A "$CACHE" 2>/dev/null)"
agree good ocsp 1

# ---- CRLs ----
expect_exit 0 "crl: good" p11c -d "$DB" verify-cert --revocation crl crlgood
check "crl: the CRL named" grep -q "Revocation: good (CRL http://127.0.0.1:$PH/ca.crl, thisUpdate" "$T/out"
agree crlgood crl 0
check "crl: openssl verify -crl_check agrees (good)" openssl verify -crl_check -CAfile "$C/ca.pem" -CRLfile "$C/ca.crl.pem" "$C/crlgood.pem"
expect_exit 1 "crl: revoked" p11c -d "$DB" verify-cert --revocation crl crlrevoked
check "crl: reason superseded" grep -q "reason superseded" "$T/out"
agree crlrevoked crl 1
check "crl: openssl verify -crl_check agrees (revoked)" fails openssl verify -crl_check -CAfile "$C/ca.pem" -CRLfile "$C/ca.crl.pem" "$C/crlrevoked.pem"
check "crl: cached" test -n "$(ls "$CACHE"/crl-* 2>/dev/null)"
# a stale cache entry is fetched again: a CRL whose nextUpdate is past
# planted as the entry (named by the SHA-256 of its URL)
openssl ca -batch -config "$C/openssl.cnf" -gencrl -crl_lastupdate 20200101000000Z \
	-crl_nextupdate 20200108000000Z -out "$C/stale.crl.pem" 2>/dev/null
openssl crl -in "$C/stale.crl.pem" -outform DER -out "$T/stale.crl"
entry=$CACHE/crl-$(printf %s "http://127.0.0.1:$PH/ca.crl" | sha256sum | cut -c1-64)
check "the CRL's cache entry is named by its URL" test -f "$entry"
cp "$T/stale.crl" "$entry"
expect_exit 0 "a stale cache entry: fetched again" p11c -d "$DB" verify-cert --revocation crl --require-revocation crlgood
check "a stale cache entry: not used" fails grep -q "from the cache" "$T/out"
check "a stale cache entry: replaced by the fresh CRL" cmp -s "$entry" "$T/www/ca.crl"
expect_exit 0 "then the cache answers" p11c -d "$DB" verify-cert --revocation crl crlgood
check "then the cache answers: said so" grep -q "from the cache" "$T/out"
expect_exit 0 "all: no OCSP responder named, the CRL answers" p11c -d "$DB" verify-cert --revocation all --require-revocation crlgood
# a stale CRL: nextUpdate past
rm -rf "$CACHE"
cp "$T/stale.crl" "$T/www/ca.crl"
expect_exit 0 "stale CRL: soft, trusted" p11c -d "$DB" verify-cert --revocation crl crlgood
check "stale CRL: said" grep -q "Revocation: unknown: the CRL is stale" "$T/out"
expect_exit 1 "stale CRL: hard with --require-revocation" p11c -d "$DB" verify-cert --revocation crl --require-revocation crlgood
check "stale CRL: openssl verify -crl_check refuses it too" fails openssl verify -crl_check -CAfile "$C/ca.pem" -CRLfile "$C/stale.crl.pem" "$C/crlgood.pem"
check "stale CRL: not cached" test -z "$(ls -A "$CACHE" 2>/dev/null)"

finish
