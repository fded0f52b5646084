#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# fetch-chain --ca-issuers with hostile text from the server: a caIssuers
# URL holding an escape sequence (or CR LF) in its certificate, and a
# redirect whose Location holds one.  Neither is fetched nor printed.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/servers.sh"
need certutil openssl python3
new_db
# caIssuers URLs on 127.0.0.1 reached straight (curl reads these)
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY
esc=$'\e'
has_esc() { LC_ALL=C grep -q "$esc" "$@"; }

PH=$(free_port)
mkdir -p "$T/www/ca"
start_http 127.0.0.1 "$PH" "$T/www"
make_chain "$T/pki" localhost "http://127.0.0.1:$PH/ca/int.crt${esc}]0;pwned${esc}[2J"
cp "$T/pki/int.der" "$T/www/ca/int.crt"
check "openssl: the leaf's caIssuers URL holds the escape" has_esc \
	<(openssl x509 -in "$T/pki/leafonly.pem" -noout -ext authorityInfoAccess)
PT=$(free_port)
start_tls_server 127.0.0.1 "$PT" "$T/pki/leafonly.pem" "$T/pki/leaf.key"
before=$(snapshot)
expect_exit 1 "a caIssuers URL with an escape sequence" \
	p11c -d "$DB" fetch-chain --ca-issuers --add-trust "https://127.0.0.1:$PT"
check "nothing of it printed" fails has_esc "$T/out" "$T/err"
check "the note: no caIssuers URL to use" grep -q "names no http caIssuers URL" "$T/out"
check "the http server was not asked" fails grep -q "GET" "$T/http-$PH.log"
same_as "$before" "nothing added"

# A redirect to a Location with an escape sequence (a raw http answer).
PR=$(free_port)
printf 'HTTP/1.0 302 Found\r\nLocation: http://127.0.0.1:%s/ca/int.crt\033[2J\r\n\r\n' "$PH" \
	>"$T/redirect.http"
spawn "raw http" 127.0.0.1 "$PR" "$T/raw-$PR.log" python3 -c '
import socket, sys
s = socket.create_server(("127.0.0.1", int(sys.argv[1])))
answer = open(sys.argv[2], "rb").read()
while True:
    c, _ = s.accept()
    with c:
        c.recv(65536)
        c.sendall(answer)
' "$PR" "$T/redirect.http"
make_chain "$T/pki2" localhost "http://127.0.0.1:$PR/ca/int.crt"
PT2=$(free_port)
start_tls_server 127.0.0.1 "$PT2" "$T/pki2/leafonly.pem" "$T/pki2/leaf.key"
expect_exit 1 "a redirect with an escape sequence" \
	p11c -d "$DB" fetch-chain --ca-issuers "https://127.0.0.1:$PT2"
check "nothing of it printed" fails has_esc "$T/out" "$T/err"
check "the note says the redirect is unusable" \
	grep -q "^Note: caIssuers http://127.0.0.1:$PR/ca/int.crt: 127.0.0.1:$PR: the redirect's Location is garbled$" "$T/out"
check "the redirect was not followed" fails grep -q "GET" "$T/http-$PH.log"
same_as "$before" "nothing added"

finish
