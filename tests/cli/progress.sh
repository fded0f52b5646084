#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# A progress line for work longer than about a second, on a terminal's
# stderr only: add-cert -C --bundle of 150 certificates into a password
# database draws "adding certificates: DONE/400 (RATE/s, T left)" in place
# (carriage returns, erased at the end) under a pty; nothing of it when
# stderr is a file, or with -q on the terminal.  certutil -L counts what
# was added each time.
. "$(dirname "$0")/lib.sh"
need certutil python3
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
finish
