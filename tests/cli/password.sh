#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Password files: which one, its format, hostile ones refused, the prompt.
. "$(dirname "$0")/lib.sh"
need certutil openssl python3
new_db
p11c -q -d "$DB" add-selfsign-cert --name a.example.com a
pw=$(db_password)
mv "$DB/sslpassword.conf" "$T/saved.conf"

pwfile() { # NAME CONTENT...: a 0600 password file
	local f="$T/$1"
	shift
	(umask 077 && printf '%s' "$@" >"$f")
	echo "$f"
}

# Which file (list-certs --json reads the key's details: it logs in).
expect_exit 4 "no password file and no terminal: exit 4" p11c -d "$DB" list-certs --json </dev/null
check "it says to use -W" grep -q -- '-W' "$T/err"
# The library names what is missing; the command adds its option (one line).
want="p11cert: token 'NSS Certificate DB' needs a password and no password file was given: give a password file with -W"
expect_exit 4 "add-selfsign-cert without a password file: exit 4" \
	p11c -d "$DB" add-selfsign-cert --name nopw.example.com nopw </dev/null
if [ "$(cat "$T/err")" = "$want" ]; then ok "one line: the library's reason, then the command's hint"
else not_ok "one line: got '$(cat "$T/err")', wanted '$want'"; fi
check "certutil: no 'nopw' was made" fails grep -q nopw <(certutil -d "sql:$DB" -L 2>&1)
expect_exit 0 "-W FILE" p11c -d "$DB" -W "$T/saved.conf" list-certs --json
check "-W unlocks the keys (a is listed with its key)" python3 -c 'import json, sys
assert [c["alias"] for c in json.load(open(sys.argv[1])) if c["has_key"]] == ["a"]' "$T/out"
expect_exit 0 "\$CERT_PW_FILE" env CERT_PW_FILE="$T/saved.conf" "$P11CERT" -d "$DB" list-certs --json
wrong=$(pwfile wrong "NSS Certificate DB:not-it
")
expect_exit 0 "-W wins over \$CERT_PW_FILE" \
	env CERT_PW_FILE="$wrong" "$P11CERT" -d "$DB" -W "$T/saved.conf" list-certs --json
cp -p "$T/saved.conf" "$DB/sslpassword.conf"
expect_exit 0 "\$CERT_PW_FILE wins over DIR/sslpassword.conf" \
	env CERT_PW_FILE="$T/saved.conf" "$P11CERT" -d "$DB" list-certs --json
expect_exit 4 "(a wrong \$CERT_PW_FILE is used, not DIR's)" \
	env CERT_PW_FILE="$wrong" "$P11CERT" -d "$DB" list-certs --json
rm "$DB/sslpassword.conf"

# Format.
expect_exit 0 "a bare line is the internal password" p11c -d "$DB" -W "$(pwfile bare "$pw
")" list-certs --json
expect_exit 0 "'Internal (Software) Token:' names the internal token" \
	p11c -d "$DB" -W "$(pwfile old "Internal (Software) Token:$pw
")" list-certs --json
expect_exit 0 "'NSS Certificate DB:' names the internal token" \
	p11c -d "$DB" -W "$(pwfile nss "NSS Certificate DB:$pw
")" list-certs --json
expect_exit 0 "comments, blank lines, CRLF and other tokens' lines are skipped" \
	p11c -d "$DB" -W "$(pwfile mixed "# the database
" "
" "mail-hsm:1234
" "$pw
")" list-certs --json
expect_exit 0 "no final newline is fine" p11c -d "$DB" -W "$(pwfile nonl "$pw")" list-certs --json
expect_exit 0 "CRLF line ends" p11c -d "$DB" -W "$(pwfile crlf "NSS Certificate DB:$pw"$'\r\n')" list-certs --json

# A password with ':' works for a database made with it, and NSS's tools
# read the same file.
D2="$T/db2"
given=$(pwfile given "Internal (Software) Token:p:a:ss#word
")
expect_exit 0 "a password with ':' and '#'" p11c -d "$D2" -W "$given" generate-certdb --no-default-cert
check "certutil -f reads p11cert's file" \
	grep -q 'no keys found' <(certutil -d "sql:$D2" -K -f "$D2/sslpassword.conf" 2>&1)
expect_exit 0 "p11cert reads it back" p11c -d "$D2" add-selfsign-cert --name b.example.com b
check "certutil -K with the password sees the key" \
	grep -q ' b$' <(certutil -d "sql:$D2" -K -f <(echo 'p:a:ss#word') 2>&1)

# Wrong passwords and hostile files: exit 4, nothing changed.
cp -p "$T/saved.conf" "$DB/sslpassword.conf"
before=$(snapshot)
rm "$DB/sslpassword.conf"
expect_exit 4 "a wrong password" p11c -d "$DB" -W "$wrong" add-selfsign-cert --name c.example.com c
check "it names the token and NSS's error" \
	grep -q "NSS Certificate DB.*SEC_ERROR_BAD_PASSWORD" "$T/err"
check "and does not print the password" fails grep -q 'not-it' "$T/err"
loose=$(pwfile loose "$pw
")
chmod 644 "$loose"
expect_exit 4 "a password file others can read (0644)" p11c -d "$DB" -W "$loose" add-selfsign-cert --name c.example.com c
check "it says the file is readable by others" grep -q 'readable by others' "$T/err"
chmod 640 "$loose"
expect_exit 4 "a password file the group can read (0640)" p11c -d "$DB" -W "$loose" list-certs --json
ln -s "$T/saved.conf" "$T/link.conf"
expect_exit 4 "a symbolic link" p11c -d "$DB" -W "$T/link.conf" add-selfsign-cert --name c.example.com c
check "it says symbolic link" grep -q 'symbolic link' "$T/err"
expect_exit 4 "a directory" p11c -d "$DB" -W "$T" list-certs --json
check "it says not a regular file" grep -q 'not a regular file' "$T/err"
printf 'NSS Certificate DB:%s\n\0junk\n' "$pw" >"$T/nul.conf"
chmod 600 "$T/nul.conf"
expect_exit 4 "a NUL byte" p11c -d "$DB" -W "$T/nul.conf" add-selfsign-cert --name c.example.com c
check "it says NUL byte" grep -q 'NUL byte' "$T/err"
head -c 100000 /dev/zero | tr '\0' 'a' >"$T/huge.conf"
chmod 600 "$T/huge.conf"
expect_exit 4 "a file of 100 kB" p11c -d "$DB" -W "$T/huge.conf" list-certs --json
check "it says the file is too large" grep -q 'larger than' "$T/err"
{ printf 'x%.0s' $(seq 1 2000); echo; } >"$T/long.conf"
chmod 600 "$T/long.conf"
expect_exit 4 "a line of 2000 bytes" p11c -d "$DB" -W "$T/long.conf" list-certs --json
check "it says the line is too long" grep -q 'longer than' "$T/err"
expect_exit 3 "a missing file" p11c -d "$DB" -W "$T/nope.conf" list-certs --json
if [ "$(id -u)" = 0 ]; then
	other=$(pwfile other "$pw
")
	chown nobody "$other"
	expect_exit 4 "a file another user owns" p11c -d "$DB" -W "$other" add-selfsign-cert --name c.example.com c
	check "it says another user owns it" grep -q 'another user' "$T/err"
fi
cp -p "$T/saved.conf" "$DB/sslpassword.conf"
same_as "$before" "wrong passwords and hostile files changed nothing"
rm "$DB/sslpassword.conf"

# The prompt: on a terminal, without echo.
check "on a terminal p11cert asks, without echo, and goes on" python3 - "$P11CERT" "$DB" "$pw" <<'PY'
import os, pty, sys, select, time
exe, db, pw = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.execv(exe, [exe, "-d", db, "list-certs", "--json"])
out = b""
deadline = time.time() + 60
sent = False
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 1)
    if not r:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    if not sent and b"Enter the password for token 'NSS Certificate DB':" in out:
        os.write(fd, pw.encode() + b"\n")
        sent = True
if time.time() >= deadline:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
text = out.decode(errors="replace")
assert sent, text
assert pw not in text, "the password was echoed"
assert '"alias": "a"' in text, text
assert os.waitstatus_to_exitcode(status) == 0, status
PY

finish
