#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# The no-echo prompt gives the terminal its echo back on every way out:
# Ctrl-C, Ctrl-\, a hangup, kill, end of input; after Ctrl-Z and fg it goes
# on prompting, echo off.  The database is unchanged by the interrupted runs.
. "$(dirname "$0")/lib.sh"
need certutil openssl python3
new_db
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.pem" \
	-out "$T/c.pem" -subj /CN=prompted -days 2 2>/dev/null &&
	openssl pkcs12 -export -in "$T/c.pem" -inkey "$T/k.pem" -passout pass:p12 -out "$T/x.p12" ||
	{ echo "cannot make the PKCS#12 file" >&2; exit 1; }
snap=$(snapshot)
tty() { python3 "$TESTDIR/ttyprompt.py" "$1" "PKCS#12" ${P11CERT_WRAPPER:-} "$P11CERT" \
	-d "$DB" import-cert "$T/x.p12" >"$T/tty" 2>&1; }
for how in SIGINT:2 SIGQUIT:3 SIGHUP:1 SIGTERM:15 eof:; do
	sig=${how%%:*} num=${how#*:}
	tty "$sig"
	check "$sig at the PKCS#12 password prompt: echo was off: $(tr '\n' ' ' <"$T/tty")" \
		grep -qx 'at-prompt echo=0' "$T/tty"
	check "$sig: echo is back afterwards" grep -qx 'after echo=1' "$T/tty"
	if [ "$sig" = eof ]; then
		check "end of input: exit 4 (no password)" grep -qx 'status exit 4' "$T/tty"
	else
		check "$sig: the command ends by the signal, as it would" grep -qx "status signal $num" "$T/tty"
	fi
	same_as "$snap" "$sig: the database is unchanged"
done
tty tstp:p12
check "Ctrl-Z, then fg: echo off again at the prompt: $(tr '\n' ' ' <"$T/tty")" \
	grep -qx 'continued echo=0' "$T/tty"
check "the answer typed then is taken (exit 0), echo back after" \
	test "$(grep -c -x -e 'status exit 0' -e 'after echo=1' "$T/tty")" = 2
check "certutil lists the imported certificate" grep -q '^prompted ' <(certutil -d "sql:$DB" -L)
finish
