#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# fetch-chain --ca-issuers as curl users expect (the GET is libcurl's,
# p11cert-net.so): a redirect to another server is followed, redirects to
# other schemes and loops are not, the certificate of an https redirect
# is checked, an answer over 256 KiB (announced or endless) is refused at
# the limit, and http_proxy (and no_proxy) are honoured: a tiny python
# proxy on loopback logs the absolute-form requests it relays.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/servers.sh"
need certutil openssl python3
new_db
# only the proxies this test names
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
before=$(snapshot)

# notes_say WHAT PATTERN: a Note line of the last run matches PATTERN (ERE).
notes_say() {
	if grep -qE "^Note: $2" "$T/out"; then ok "$1"; else
		not_ok "$1: got notes '$(grep '^Note' "$T/out" | tr '\n' '|')', wanted /^Note: $2/"
	fi
}
# count_is WHAT GOT WANTED
count_is() {
	if [ "$2" = "$3" ]; then ok "$1 ($2)"; else not_ok "$1: got $2, wanted $3"; fi
}
subjects() { sed -n 's/^  Subject: *//p' "$T/out" | tr '\n' '|'; }

# The real caIssuers server (http.server) and a redirector on another port.
PH=$(free_port)
mkdir -p "$T/www/real"
start_http 127.0.0.1 "$PH" "$T/www"
PR=$(free_port)
PS=$(free_port)
spawn redirector 127.0.0.1 "$PR" "$T/redirector.log" python3 -c '
import http.server, sys
routes = dict(a.split("=", 1) for a in sys.argv[2:])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        print("GET", self.path, flush=True)
        self.send_response(302)
        self.send_header("Location", routes.get(self.path, "/loop"))
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
' "$PR" "/int.crt=http://127.0.0.1:$PH/real/int.der" "/file=file:///etc/passwd" \
	"/loop=/loop" "/tls=https://127.0.0.1:$PS/int.der"

# chain_for NAME PATH: a chain whose leaf names the redirector's PATH, its
# intermediate at the real server's /real/int.der, the leaf served alone
# over TLS at port $PL.
chain_for() {
	make_chain "$T/$1" localhost "http://127.0.0.1:$PR$2"
	cp "$T/$1/int.der" "$T/www/real/int.der"
	PL=$(free_port)
	start_tls_server 127.0.0.1 "$PL" "$T/$1/leafonly.pem" "$T/$1/leaf.key"
}

# A redirect to another server: followed, the intermediate comes.
chain_for a /int.crt
expect_exit 1 "a caIssuers URL redirected to another server" \
	p11c -d "$DB" fetch-chain --ca-issuers "https://127.0.0.1:$PL"
count_is "the intermediate came from behind the redirect" "$(subjects)" \
	"CN=localhost|CN=Test Intermediate CA|"
check "openssl: it is the one the real server holds" \
	cmp <(p11c -d "$DB" fetch-chain --ca-issuers --save "$T/saved" "https://127.0.0.1:$PL" \
		>/dev/null 2>&1; openssl x509 -in "$T/saved/cert1.pem" -outform DER) "$T/a/int.der"
notes_say "the note names the leaf's URL" "caIssuers http://127.0.0.1:$PR/int.crt: 1 certificate$"
count_is "the redirector was asked" "$(grep -c '^GET /int.crt$' "$T/redirector.log")" 2
count_is "the real server was asked" "$(grep -c 'GET /real/int.der' "$T/http-$PH.log")" 2

# To another scheme: not followed.
chain_for b /file
expect_exit 1 "a redirect to file:" p11c -d "$DB" fetch-chain --ca-issuers "https://127.0.0.1:$PL"
count_is "the leaf alone" "$(subjects)" "CN=localhost|"
notes_say "the note: file is refused" \
	"caIssuers http://127.0.0.1:$PR/file: 127.0.0.1:$PR: Protocol \"file\" not supported.*redirected to 'file:///etc/passwd'"

# A loop: three redirects followed, then given up.
chain_for c /loop
expect_exit 1 "a redirect loop" p11c -d "$DB" fetch-chain --ca-issuers "https://127.0.0.1:$PL"
notes_say "the note: too many redirects" "caIssuers http://127.0.0.1:$PR/loop: 127.0.0.1:$PR: Maximum \(3\) redirects followed"
count_is "the redirector saw the first request and three more" \
	"$(grep -c '^GET /loop$' "$T/redirector.log")" 4

# To https: the server's certificate is checked (the system's store knows
# no test CA), so the intermediate does not come.
make_chain "$T/tls" localhost
start_tls_server 127.0.0.1 "$PS" "$T/tls/chain.pem" "$T/tls/leaf.key"
chain_for d /tls
expect_exit 1 "a redirect to an https server with an unknown CA" \
	p11c -d "$DB" fetch-chain --ca-issuers "https://127.0.0.1:$PL"
count_is "the leaf alone" "$(subjects)" "CN=localhost|"
notes_say "the note: the certificate is refused" \
	"caIssuers http://127.0.0.1:$PR/tls: 127.0.0.1:$PS: SSL certificate problem.* \(redirected to 'https://127.0.0.1:$PS/int.der'\)$"

# Too long: announced (http.server's Content-Length), or without end and
# unannounced; refused at 256 KiB, not read on until the timeout.
head -c 300000 /dev/urandom >"$T/www/real/big.der"
make_chain "$T/big" localhost "http://127.0.0.1:$PH/real/big.der"
PL=$(free_port)
start_tls_server 127.0.0.1 "$PL" "$T/big/leafonly.pem" "$T/big/leaf.key"
expect_exit 1 "a 300,000-byte caIssuers answer" p11c -d "$DB" fetch-chain --ca-issuers "https://127.0.0.1:$PL"
notes_say "the note: too long" \
	"caIssuers http://127.0.0.1:$PH/real/big.der: response from 127.0.0.1 longer than 262144 bytes$"
PE=$(free_port)
spawn "endless http" 127.0.0.1 "$PE" "$T/endless.log" python3 -c '
import socket, sys, threading
s = socket.create_server(("127.0.0.1", int(sys.argv[1])))
def serve(c):
    with c:
        c.recv(65536)
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/pkix-cert\r\n\r\n")
        try:
            while True:
                c.sendall(b"0" * 65536)
        except OSError:
            pass
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
' "$PE"
make_chain "$T/endless" localhost "http://127.0.0.1:$PE/int.der"
PL=$(free_port)
start_tls_server 127.0.0.1 "$PL" "$T/endless/leafonly.pem" "$T/endless/leaf.key"
start=$(date +%s)
expect_exit 1 "an endless caIssuers answer" \
	p11c -d "$DB" fetch-chain --timeout 20 --ca-issuers "https://127.0.0.1:$PL"
took=$(($(date +%s) - start))
notes_say "the note: too long" \
	"caIssuers http://127.0.0.1:$PE/int.der: response from 127.0.0.1 longer than 262144 bytes$"
check "refused at the limit, not at the 20 s timeout (took $took s)" test "$took" -lt 10

# http_proxy: the request goes to the proxy, in absolute form.
PP=$(free_port)
spawn proxy 127.0.0.1 "$PP" "$T/proxy.log" python3 -c '
import http.server, sys, urllib.error, urllib.request
direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        print("PROXY GET", self.path, flush=True)
        try:
            with direct.open(self.path, timeout=10) as r:
                code, body = r.status, r.read()
        except urllib.error.HTTPError as e:
            code, body = e.code, e.read()
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
' "$PP"
make_chain "$T/p" localhost "http://127.0.0.1:$PH/real/p.der"
cp "$T/p/int.der" "$T/www/real/p.der"
PL=$(free_port)
start_tls_server 127.0.0.1 "$PL" "$T/p/leafonly.pem" "$T/p/leaf.key"
http_proxy=http://127.0.0.1:$PP expect_exit 1 "http_proxy set" \
	p11c -d "$DB" fetch-chain --ca-issuers "https://127.0.0.1:$PL"
count_is "through the proxy: the intermediate" "$(subjects)" "CN=localhost|CN=Test Intermediate CA|"
count_is "the proxy relayed the caIssuers URL" \
	"$(grep -c "^PROXY GET http://127.0.0.1:$PH/real/p.der$" "$T/proxy.log")" 1
count_is "the real server was asked once" "$(grep -c 'GET /real/p.der' "$T/http-$PH.log")" 1

# no_proxy naming the host: straight to the server.
http_proxy=http://127.0.0.1:$PP no_proxy=127.0.0.1 expect_exit 1 "http_proxy and no_proxy set" \
	p11c -d "$DB" fetch-chain --ca-issuers "https://127.0.0.1:$PL"
count_is "without the proxy: the intermediate" "$(subjects)" "CN=localhost|CN=Test Intermediate CA|"
count_is "the proxy was not asked again" "$(grep -c '^PROXY GET' "$T/proxy.log")" 1
count_is "the real server was asked again" "$(grep -c 'GET /real/p.der' "$T/http-$PH.log")" 2

# A proxy that is not there: a note, the chain judged as the server sent it.
http_proxy=http://127.0.0.1:$(free_port) expect_exit 1 "http_proxy naming a closed port" \
	p11c -d "$DB" fetch-chain --ca-issuers "https://127.0.0.1:$PL"
count_is "the leaf alone" "$(subjects)" "CN=localhost|"
notes_say "the note: no connection" "caIssuers http://127.0.0.1:$PH/real/p.der: .*(connect|Connection refused)"

same_as "$before" "nothing added"
finish
