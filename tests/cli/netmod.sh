#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# The network module (p11cert-net.so: libcurl, libmicrohttpd) is loaded
# only by what needs it: list-certs, a fetch-chain without --ca-issuers and
# verify-cert --revocation none never map it nor libcurl (ld.so's own account, LD_DEBUG=files, and a
# waiting process's /proc maps); fetch-chain --ca-issuers loads it, from beside
# the library that runs.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/servers.sh"
need certutil openssl python3 readelf
new_db
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY

lib=$(ldd "$P11CERT" | awk '$1 ~ /^libp11cert/ { print $3 }')
netmod=$(dirname "$(realpath "$lib")")/p11cert-net.so
check "the network module is built beside $lib" test -f "$netmod"
check "the library does not link libcurl nor libmicrohttpd itself: $(readelf -d "$lib" | grep -E 'curl|microhttpd')" \
	fails grep -qE 'NEEDED.*(libcurl|libmicrohttpd)' <(readelf -d "$lib")
check "the command does not either" fails grep -qE 'NEEDED.*(libcurl|libmicrohttpd)' <(readelf -d "$P11CERT")
check "the module does (readelf -d)" grep -q 'NEEDED.*libcurl' <(readelf -d "$netmod")

# net_loaded LOG: the lines of ld.so's LOG that load the module or libcurl.
net_loaded() { grep -E "file=[^ ]*(p11cert-net\.so|libcurl|libmicrohttpd)[^ ]* .*(needed|loaded) by" "$1"; }

p11c -q -d "$DB" add-selfsign-cert a --name a.example --key-type ec:p256 --days 30 || exit 1
LD_DEBUG=files "$P11CERT" -d "$DB" list-certs >"$T/out" 2>"$T/ld"
check "list-certs ran (it lists a)" grep -q '^a ' "$T/out"
check "list-certs: ld.so loaded neither the module nor libcurl (got: $(net_loaded "$T/ld" | head -2))" \
	test -z "$(net_loaded "$T/ld")"
check "ld.so's account is there to read (libp11cert in it)" grep -q 'file=[^ ]*libp11cert' "$T/ld"

# verify-cert of a certificate that names an OCSP responder (on a port
# nobody listens on): --revocation none loads nothing; the default (ocsp)
# loads the module to ask.
PN=$(free_port)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/rca.key" \
	-subj "/CN=Netmod CA" -days 30 -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign -out "$T/rca.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/aia.key" \
	-subj "/CN=aia" -out "$T/aia.csr" 2>/dev/null
printf 'authorityInfoAccess=OCSP;URI:http://127.0.0.1:%s/\nbasicConstraints=CA:FALSE\n' "$PN" >"$T/aia.ext"
openssl x509 -req -in "$T/aia.csr" -CA "$T/rca.pem" -CAkey "$T/rca.key" -set_serial 7 -days 30 \
	-extfile "$T/aia.ext" -out "$T/aia.pem" 2>/dev/null
p11c -q -d "$DB" add-cert -C rca "$T/rca.pem" && p11c -q -d "$DB" add-cert --trust ,, aia "$T/aia.pem" || exit 1
LD_DEBUG=files "$P11CERT" -d "$DB" verify-cert --revocation none aia >"$T/out" 2>"$T/ld"
check "verify-cert --revocation none ran (trusted)" grep -q '^Verdict: trusted' "$T/out"
check "verify-cert --revocation none: neither loaded (got: $(net_loaded "$T/ld" | head -2))" \
	test -z "$(net_loaded "$T/ld")"
LD_DEBUG=files "$P11CERT" -d "$DB" verify-cert --timeout 2 aia >"$T/out" 2>"$T/ld"
check "verify-cert (ocsp): the responder asked, no answer" grep -q '^  Revocation: unknown' "$T/out"
check "verify-cert (ocsp): the module loaded to ask" grep -q "file=$netmod .*dynamically loaded" "$T/ld"
p11c -q -d "$DB" remove-cert aia >/dev/null 2>&1

# The TLS server sends its leaf; its caIssuers URL is on http.server.
PH=$(free_port)
mkdir -p "$T/www"
make_chain "$T/pki" localhost "http://127.0.0.1:$PH/int.der"
cp "$T/pki/int.der" "$T/www/int.der"
start_http 127.0.0.1 "$PH" "$T/www"
PT=$(free_port)
start_tls_server 127.0.0.1 "$PT" "$T/pki/leafonly.pem" "$T/pki/leaf.key"

LD_DEBUG=files "$P11CERT" -d "$DB" fetch-chain "https://127.0.0.1:$PT" >"$T/out" 2>"$T/ld"
check "fetch-chain ran (the leaf shown)" grep -q 'Subject: *CN=localhost' "$T/out"
check "fetch-chain without --ca-issuers: neither loaded (got: $(net_loaded "$T/ld" | head -2))" \
	test -z "$(net_loaded "$T/ld")"
LD_DEBUG=files "$P11CERT" -d "$DB" fetch-chain --revocation none "https://127.0.0.1:$PT" >"$T/out" 2>"$T/ld"
check "fetch-chain --revocation none: neither loaded" test -z "$(net_loaded "$T/ld")"

LD_DEBUG=files "$P11CERT" -d "$DB" fetch-chain --ca-issuers "https://127.0.0.1:$PT" >"$T/out" 2>"$T/ld"
check "fetch-chain --ca-issuers: the intermediate came" \
	grep -q "^Note: caIssuers http://127.0.0.1:$PH/int.der: 1 certificate" "$T/out"
check "ld.so loaded the module from beside the library: $(grep -o 'file=[^ ]*p11cert-net[^ ]* .*dynamically loaded' "$T/ld" | tail -1)" \
	grep -q "file=$netmod .*dynamically loaded" "$T/ld"
check "and libcurl with it" grep -qE 'file=[^ ]*libcurl[^ ]* .*needed by [^ ]*p11cert-net\.so' "$T/ld"

# The same from the process's maps while it runs: a caIssuers server that
# answers after 2 s keeps the command waiting in the module.
PS=$(free_port)
spawn "slow http" 127.0.0.1 "$PS" "$T/slow.log" python3 -c '
import http.server, sys, time
body = open(sys.argv[2], "rb").read()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(2)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
' "$PS" "$T/pki/int.der"
make_chain "$T/pki2" localhost "http://127.0.0.1:$PS/int.der"
PT2=$(free_port)
start_tls_server 127.0.0.1 "$PT2" "$T/pki2/leafonly.pem" "$T/pki2/leaf.key"
"$P11CERT" -d "$DB" fetch-chain --ca-issuers "https://127.0.0.1:$PT2" >"$T/out" 2>&1 &
pid=$!
sleep 1.2
cat "/proc/$pid/maps" >"$T/maps-fetch" 2>/dev/null
wait "$pid"
check "fetch-chain --ca-issuers' maps, while it waits: libp11cert, the module and libcurl" \
	test "$(grep -cE 'libp11cert' "$T/maps-fetch")" -ge 1 -a \
	"$(grep -cE 'p11cert-net\.so' "$T/maps-fetch")" -ge 1 -a "$(grep -cE 'libcurl' "$T/maps-fetch")" -ge 1
# and of one waiting on a server that never answers, without --ca-issuers
PQ=$(free_port)
start_silent 127.0.0.1 "$PQ"
"$P11CERT" -d "$DB" fetch-chain --timeout 3 "https://127.0.0.1:$PQ" >/dev/null 2>&1 &
pid=$!
sleep 1.2
cat "/proc/$pid/maps" >"$T/maps-plain" 2>/dev/null
wait "$pid"
check "fetch-chain's maps, while it waits: libp11cert, but no module and no libcurl" \
	test "$(grep -cE 'libp11cert' "$T/maps-plain")" -ge 1 -a \
	"$(grep -cE 'p11cert-net\.so|libcurl' "$T/maps-plain")" = 0
check "it waited for that server, and the intermediate came" \
	grep -q "^Note: caIssuers http://127.0.0.1:$PS/int.der: 1 certificate" "$T/out"

finish
