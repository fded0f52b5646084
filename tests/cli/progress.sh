#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# A progress line for work longer than about a second, on a terminal's
# stderr only: add-cert -C --bundle of 150 certificates into a password
# database draws "adding certificates: DONE/400 (RATE/s, T left)" in place
# (carriage returns, erased at the end) under a pty; nothing of it when
# stderr is a file, or with -q on the terminal.  certutil -L counts what
# was added each time.  The readers of a large database ("reading
# certificates": list-certs, export-trust), upgrade-certdb's steps and
# fetch-chain --ca-issuers waiting on a slow caIssuers server draw theirs,
# erased before what follows.  P11CERT_PROGRESS_AFTER_MS=0 shows the line
# of work shorter than the second a user waits for it.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/servers.sh"
need certutil python3 openssl
N=150
python3 "$TESTDIR/../../bench/mkcerts.py" "$N" "$T/bundle.pem" >/dev/null ||
	{ echo "cannot make the bundle" >&2; exit 1; }
# argv run with stdin and stderr on a pty, stdout to OUT; the pty's bytes to TTY.
cat >"$T/ptyrun.py" <<'PY'
import os, pty, sys
out, tty, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    o = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(o, 1)
    os.execvp(argv[0], argv)
seen = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
_, status = os.waitpid(pid, 0)
open(tty, "wb").write(seen)
sys.exit(os.waitstatus_to_exitcode(status))
PY
on_tty() { python3 "$T/ptyrun.py" "$T/out" "$T/tty" ${P11CERT_WRAPPER:-} "$P11CERT" "$@"; }
count() { certutil -d "sql:$1" -L | grep -c 'Bench CA'; }

new_db "$T/a"
expect_exit 0 "add-cert -C --bundle of $N under a pty" on_tty -d "$T/a" add-cert -C --bundle "$T/bundle.pem"
check "the progress line names the step, the count and the time left: $(tr '\r' '|' <"$T/tty" | head -c 300)" \
	grep -aqE "adding certificates: [0-9]+/$N \([0-9]+/s, [0-9]+ (s|min [0-9]+ s) left\)" "$T/tty"
check "it is redrawn in place (carriage returns, no newline between)" \
	test "$(tr -cd '\r' <"$T/tty" | wc -c)" -ge 2
check "it is erased before the closing notice (erase, then 'added $N')" python3 -c '
import sys
t = open(sys.argv[1], "rb").read()
last, erase, notice = t.rfind(b"adding certificates"), t.rfind(b"\r\x1b[K"), t.find(b"added " + sys.argv[2].encode())
sys.exit(0 if -1 < last < erase < notice else 1)' "$T/tty" "$N"
check "certutil -L lists all $N" test "$(count "$T/a")" = "$N"

new_db "$T/b"
expect_exit 0 "the same with stderr to a file" p11c -d "$T/b" add-cert -C --bundle "$T/bundle.pem"
check "no progress in the file: $(head -c 200 "$T/err")" fails grep -aq "adding certificates" "$T/err"
check "certutil -L lists all $N" test "$(count "$T/b")" = "$N"

new_db "$T/c"
expect_exit 0 "-q under a pty" on_tty -q -d "$T/c" add-cert -C --bundle "$T/bundle.pem"
check "no progress with -q: $(tr '\r' '|' <"$T/tty" | head -c 200)" fails grep -aq "adding certificates" "$T/tty"
check "certutil -L lists all $N" test "$(count "$T/c")" = "$N"
# erased LINE: the last drawing of LINE is followed by the erase.
erased() {
	python3 -c '
import sys
t = open(sys.argv[1], "rb").read()
last = t.rfind(sys.argv[2].encode())
sys.exit(0 if last > -1 and t.find(b"\r\x1b[K", last) > last else 1)' "$T/tty" "$1"
}
export P11CERT_PROGRESS_AFTER_MS=0
expect_exit 0 "list-certs --all under a pty" on_tty -d "$T/a" list-certs --all
check "the line counts the certificates read: $(tr '\r' '|' <"$T/tty" | head -c 200)" \
	grep -aqE "reading certificates: [0-9]+/$N" "$T/tty"
check "and is erased at the end" erased "reading certificates"
check "the table is whole (stdout): $(tail -1 "$T/out")" grep -q "^$N certificates found" "$T/out"
expect_exit 0 "export-trust under a pty" on_tty -d "$T/a" export-trust -o "$T/trust.pem"
check "export-trust draws it too" grep -aqE "reading certificates: [0-9]+/$N" "$T/tty"
check "the export holds the $N (openssl)" test "$(openssl crl2pkcs7 -nocrl -certfile "$T/trust.pem" |
	openssl pkcs7 -print_certs -noout | grep -c 'subject=.*Bench CA')" = "$N"

# upgrade-certdb: its four steps.
mkdir -p "$T/legacy"
certutil -N -d "dbm:$T/legacy" --empty-password
sed -n '1,/END CERT/p' "$T/bundle.pem" >"$T/old.pem"
certutil -A -d "dbm:$T/legacy" -n "Old CA" -t "CT,," -a -i "$T/old.pem"
expect_exit 0 "upgrade-certdb under a pty" on_tty -d "$T/legacy" upgrade-certdb
check "the steps are counted: $(tr '\r' '|' <"$T/tty" | head -c 300)" \
	grep -aqE "upgrading the database \(steps\): [0-3]/4" "$T/tty"
check "and erased" erased "upgrading the database"
check "certutil -L reads the upgraded database" grep -q "Old CA" <(certutil -L -d "sql:$T/legacy")
unset P11CERT_PROGRESS_AFTER_MS

# fetch-chain --ca-issuers on a caIssuers server that takes 2 s: the line
# appears after the second, with the seconds waited.
PH=$(free_port)
make_chain "$T/pki" localhost "http://127.0.0.1:$PH/ca/int.crt"
cat >"$T/slow.py" <<'PY'
import http.server, sys, time
body = open(sys.argv[3], "rb").read()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(2)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()
PY
spawn "slow http" 127.0.0.1 "$PH" "$T/slow-$PH.log" python3 "$T/slow.py" 127.0.0.1 "$PH" "$T/pki/int.der"
PT=$(free_port)
start_tls_server 127.0.0.1 "$PT" "$T/pki/leafonly.pem" "$T/pki/leaf.key"
on_tty -d "$T/a" fetch-chain --ca-issuers "https://127.0.0.1:$PT"
check "the wait is shown: $(tr '\r' '|' <"$T/tty" | head -c 300)" \
	grep -aqE "fetching issuers from caIssuers URLs: 0/1 \([12] s\)" "$T/tty"
check "and erased before the chain is printed" erased "fetching issuers"
check "the intermediate came (stdout)" grep -q "fetched from a caIssuers URL" "$T/out"
finish
