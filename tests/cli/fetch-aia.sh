#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# fetch-chain --ca-issuers: a server that sends only its leaf; the
# intermediate comes from the leaf's caIssuers URL on a local http server
# (python's http.server), as DER, PEM or PKCS#7; then --add-trust.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/servers.sh"
need certutil openssl python3
new_db
# caIssuers URLs on 127.0.0.1 reached straight (curl reads these)
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY

PH=$(free_port)
mkdir -p "$T/www"
make_chain "$T/pki" localhost "http://127.0.0.1:$PH/ca/int.crt"
mkdir -p "$T/www/ca"
cp "$T/pki/int.der" "$T/www/ca/int.crt"
start_http 127.0.0.1 "$PH" "$T/www"
PT=$(free_port)
start_tls_server 127.0.0.1 "$PT" "$T/pki/leafonly.pem" "$T/pki/leaf.key"
URL="https://127.0.0.1:$PT"
subjects() { sed -n 's/^  Subject: *//p' "$T/out" | tr '\n' '|'; }

# Without --ca-issuers: the leaf alone, and nothing --add-trust could add.
before=$(snapshot)
expect_exit 1 "a leaf alone: not trusted" p11c -d "$DB" fetch-chain "$URL"
check "unknown issuer" grep -q "not trusted: unknown issuer: 'CN=Test Intermediate CA', which issued 'CN=localhost'" "$T/err"
check "one certificate" test "$(subjects)" = "CN=localhost|"
expect_exit 1 "--add-trust with no CA sent" p11c -d "$DB" fetch-chain --add-trust "$URL"
check "it suggests --ca-issuers" grep -q "the server sent no CA certificate to add (try --ca-issuers" "$T/err"
same_as "$before" "nothing added"
check "the http server was not asked" fails grep -q "GET /ca/int.crt" "$T/http-$PH.log"

# --ca-issuers: the intermediate from the URL (DER).
expect_exit 1 "--ca-issuers: still not trusted" p11c -d "$DB" fetch-chain --ca-issuers "$URL"
check "the intermediate came from the URL" test "$(subjects)" = "CN=localhost|CN=Test Intermediate CA|"
check "marked as fetched" grep -q "^  Source: *fetched from a caIssuers URL" "$T/out"
check "a note names the URL" grep -q "^Note: caIssuers http://127.0.0.1:$PH/ca/int.crt: 1 certificate" "$T/out"
check "the http server was asked" grep -q "GET /ca/int.crt" "$T/http-$PH.log"
check "the intermediate's issuer is unknown" grep -q "unknown issuer: 'CN=Test Root CA', which issued 'CN=Test Intermediate CA'" "$T/err"
same_as "$before" "nothing added"

# --save with --ca-issuers: both, the fetched one as openssl has it.
expect_exit 1 "--save --ca-issuers" p11c -d "$DB" fetch-chain --ca-issuers --save "$T/saved" "$URL"
check "cert1.pem is the intermediate" cmp <(openssl x509 -in "$T/saved/cert1.pem" -outform DER) "$T/pki/int.der"

# PEM and PKCS#7 (certs-only) answers work the same.
openssl x509 -in "$T/pki/int.der" -inform DER -out "$T/www/ca/int.crt"
expect_exit 1 "a PEM answer" p11c -d "$DB" fetch-chain --ca-issuers "$URL"
check "PEM: the intermediate" test "$(subjects)" = "CN=localhost|CN=Test Intermediate CA|"
openssl crl2pkcs7 -nocrl -certfile "$T/pki/int.pem" -outform DER -out "$T/www/ca/int.crt"
expect_exit 1 "a PKCS#7 answer" p11c -d "$DB" fetch-chain --ca-issuers "$URL"
check "PKCS#7: the intermediate" test "$(subjects)" = "CN=localhost|CN=Test Intermediate CA|"
# A PEM answer of two certificates (the issuer, then its own issuer): NSS
# reads the first block of a PEM text alone; both are taken.
cat "$T/pki/int.pem" "$T/pki/root.pem" >"$T/www/ca/int.crt"
expect_exit 1 "a PEM answer of two certificates" p11c -d "$DB" fetch-chain --ca-issuers "$URL"
check "PEM pair: the intermediate and the root (got $(subjects))" \
	test "$(subjects)" = "CN=localhost|CN=Test Intermediate CA|CN=Test Root CA|"
check "PEM pair: the note counts 2 certificates" \
	grep -q "^Note: caIssuers http://127.0.0.1:$PH/ca/int.crt: 2 certificates" "$T/out"
check "PEM pair: the root is there but not trusted: $(cat "$T/err")" \
	grep -q "not trusted: .*'CN=Test Root CA'" "$T/err"
same_as "$before" "the fetched pair is not added"
cp "$T/pki/int.der" "$T/www/ca/int.crt"

# JSON shows where each came from.
p11c -d "$DB" fetch-chain --json --ca-issuers "$URL" >"$T/a.json" 2>/dev/null
check "JSON: sources and the note" python3 - "$T/a.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert [c["source"] for c in d["chain"]] == ["server", "ca-issuers"], d["chain"]
assert [c["missing"] for c in d["chain"]] == [False, True]
assert d["notes"] and "1 certificate" in d["notes"][0], d["notes"]
PY

# A URL that fails: a note, and the chain judged as the server sent it.
mv "$T/www/ca/int.crt" "$T/www/ca/gone"
expect_exit 1 "caIssuers answering 404" p11c -d "$DB" fetch-chain --ca-issuers "$URL"
check "the note says 404" grep -q "^Note: caIssuers http://127.0.0.1:$PH/ca/int.crt: .*answered 404" "$T/out"
check "the leaf alone" test "$(subjects)" = "CN=localhost|"
printf 'not a certificate\n' >"$T/www/ca/int.crt"
expect_exit 1 "caIssuers answering junk" p11c -d "$DB" fetch-chain --ca-issuers "$URL"
check "the note says it is not a certificate" grep -q "not a certificate (DER, PEM or PKCS#7)" "$T/out"
same_as "$before" "failed fetches add nothing"

# A caIssuers URL that redirects (http.server: /redir to /redir/, then its
# index.html) is followed.
make_chain "$T/pki2" localhost "http://127.0.0.1:$PH/redir"
mkdir -p "$T/www/redir"
cp "$T/pki2/int.der" "$T/www/redir/index.html"
PR=$(free_port)
start_tls_server 127.0.0.1 "$PR" "$T/pki2/leafonly.pem" "$T/pki2/leaf.key"
expect_exit 1 "a redirected caIssuers URL" p11c -d "$DB" fetch-chain --ca-issuers "https://127.0.0.1:$PR"
check "the intermediate came after the redirect" test "$(subjects)" = "CN=localhost|CN=Test Intermediate CA|"
check "the server saw both requests" test "$(grep -c 'GET /redir' "$T/http-$PH.log")" = 2

# --add-trust --ca-issuers: the intermediate is trusted; the chain is good.
cp "$T/pki/int.der" "$T/www/ca/int.crt"
expect_exit 0 "--add-trust --ca-issuers: trusted" p11c -d "$DB" fetch-chain --add-trust --ca-issuers "$URL"
check "certutil -L: the intermediate CT,," test "$(trust_of 'Test Intermediate CA')" = "CT,,"
check "the root is not in the database" fails grep -q "Test Root CA" <(certutil -d "sql:$DB" -L)
check "vfychain agrees" grep -q 'Chain is good' <(vfychain -d "sql:$DB" -u 1 -a "$T/pki/leaf.pem" 2>&1)
expect_exit 0 "afterwards the server's leaf alone is trusted" p11c -d "$DB" fetch-chain "$URL"

finish
