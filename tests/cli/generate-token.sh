#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# generate-certdb --token LABEL: the token's PIN from -W, $CERT_PW_FILE or
# the prompt; the default certificate's key on the token (pkcs11-tool);
# a wrong or missing PIN leaves nothing, here or on the token.
. "$(dirname "$0")/lib.sh"
need certutil pkcs11-tool softhsm2-util python3
# Labels that are no prefix of one another: pkcs11-tool --token-label
# takes the first token whose label starts with the one given.
make_token gen-a 1234
make_token gen-b 5678
make_token gen-c 9012

# The PIN from -W: a file of the token's line alone; the database's own
# password is then a random one.
(umask 077 && printf 'gen-a:1234\n' >"$T/pin")
expect_exit 0 "generate-certdb --token takes the PIN from -W" \
	p11c -d "$DB" -W "$T/pin" --token gen-a generate-certdb --hostname mail.example.com
check "it says the password file holds the database's password and the PIN: $(head -1 "$T/err")" \
	grep -qx "created database '$DB'; its password and token 'gen-a''s PIN are in '$DB/sslpassword.conf'" "$T/err"
check "it names the certificate on the token and its key there: $(sed -n 2p "$T/err")" \
	grep -qx "added self-signed certificate 'gen-a:Server-Cert', its key on token 'gen-a' (not extractable)" "$T/err"
pw=$(db_password)
check "the database's password is a random one of 32 characters (got ${#pw})" test "${#pw}" = 32
check "sslpassword.conf holds the token's PIN line" grep -qx 'gen-a:1234' "$DB/sslpassword.conf"
check "sslpassword.conf is mode 0600" test "$(stat -c %a "$DB/sslpassword.conf")" = 600
token_key gen-a 1234 Server-Cert >"$T/key"
check "pkcs11-tool sees the private key Server-Cert on the token: $(tr '\n' ' ' <"$T/key")" \
	grep -q '^Private Key Object; RSA' "$T/key"
check "the key is sensitive and never extractable" \
	grep -q 'Access: *sensitive, always sensitive, never extractable' "$T/key"
check "pkcs11-tool sees the certificate Server-Cert on the token" \
	grep -A1 '^Certificate Object' <(token_objects gen-a 1234) -- | grep -q 'label: *Server-Cert'
p11c -q -d "$DB" add-module softhsm "$SOFTHSM_MODULE" || exit 1
certutil -d "sql:$DB" -L -h all -f "$DB/sslpassword.conf" >"$T/list" 2>&1
check "certutil (the module added, the written password file) lists gen-a:Server-Cert as the user's: $(grep Server "$T/list")" \
	grep -Eq '^gen-a:Server-Cert +u,u,u' "$T/list"
check "no internal copy of the certificate" fails grep -Eq '^Server-Cert ' "$T/list"

# add-selfsign-cert --token names what it made as list-certs and certutil
# do: 'TOKEN:alias', its key on the token; without --token, the alias.
expect_exit 0 "add-selfsign-cert --token gen-a makes imap" \
	p11c -d "$DB" -W "$DB/sslpassword.conf" --token gen-a add-selfsign-cert --key-type ec:p256 \
	--name imap.example.com imap
check "it names the certificate 'gen-a:imap' and its key's token (got: $(cat "$T/err"))" \
	grep -qx "added self-signed certificate 'gen-a:imap', its key on token 'gen-a' (not extractable)" "$T/err"
expect_exit 0 "add-selfsign-cert without --token makes local" \
	p11c -d "$DB" -W "$DB/sslpassword.conf" add-selfsign-cert --name local.example.com local
check "it names the certificate 'local' alone (got: $(cat "$T/err"))" \
	grep -qx "added self-signed certificate 'local'" "$T/err"
certutil -d "sql:$DB" -L -h all -f "$DB/sslpassword.conf" >"$T/list" 2>&1
check "certutil lists gen-a:imap and local: $(grep -E 'imap|local' "$T/list" | tr '\n' ' ')" \
	sh -c "grep -Eq '^gen-a:imap +u,u,u' '$T/list' && grep -Eq '^local +u,u,u' '$T/list'"

# A wrong PIN: one line, exit 4, no database, the token as it was.
tok_before=$(token_objects gen-b 5678)
(umask 077 && printf 'gen-b:0000\n' >"$T/wrong")
mkdir "$T/made"
expect_exit 4 "a wrong PIN is refused" \
	p11c -d "$T/made" -W "$T/wrong" --token gen-b generate-certdb
check "it says the PIN is wrong: $(cat "$T/err")" grep -q "wrong PIN for token 'gen-b'" "$T/err"
check "nothing is left in the directory: $(ls -A "$T/made")" test -z "$(ls -A "$T/made")"
check "the token is unchanged (pkcs11-tool --list-objects)" \
	test "$(token_objects gen-b 5678)" = "$tok_before"
expect_exit 4 "a wrong PIN from \$CERT_PW_FILE is refused" \
	env CERT_PW_FILE="$T/wrong" "$P11CERT" --module softhsm2 -d "$T/db-env" --token gen-b generate-certdb
check "no directory is made" test ! -e "$T/db-env"

# No PIN at all (no -W, no terminal): the error names no password file,
# least of all one in the directory it was to make.
expect_exit 4 "no PIN and no terminal is refused" \
	p11c -d "$T/db-nopin" --token gen-b generate-certdb </dev/null
check "the error says the token needs a PIN and names no file: $(cat "$T/err")" \
	grep -q "token 'gen-b' needs a password and no password file was given: give a password file with -W" "$T/err"
check "no directory is made" test ! -e "$T/db-nopin"
printf 'dbpass\n' >"$T/dbonly" && chmod 600 "$T/dbonly"
expect_exit 4 "a -W file without the token's line is refused" \
	p11c -d "$T/db-noline" -W "$T/dbonly" --token gen-b generate-certdb </dev/null
check "the error names that file and the token: $(cat "$T/err")" \
	grep -q "password file '$T/dbonly' has no password for token 'gen-b'" "$T/err"
check "no directory is made" test ! -e "$T/db-noline"
check "the token is still unchanged" test "$(token_objects gen-b 5678)" = "$tok_before"

# $CERT_PW_FILE with the database's password and the PIN.
(umask 077 && printf 'chosen\ngen-b:5678\n' >"$T/both")
expect_exit 0 "generate-certdb --token takes the PIN from \$CERT_PW_FILE" \
	env CERT_PW_FILE="$T/both" "$P11CERT" --module softhsm2 -d "$T/db-env" --token gen-b \
	generate-certdb --hostname env.example.com
check "the database's password is the file's" test "$(db_password "$T/db-env")" = chosen
check "pkcs11-tool sees the key on gen-b" \
	grep -q '^Private Key Object' <(token_key gen-b 5678 Server-Cert)

# The prompt on a terminal: the PIN typed there is taken, and joins the
# password file.
python3 "$TESTDIR/ttyprompt.py" answer:9012 "token 'gen-c'" "$P11CERT" --module softhsm2 \
	-d "$T/db-tty" --token gen-c generate-certdb --hostname tty.example.com >"$T/tty" 2>&1
check "with no -W, the PIN is asked on the terminal and taken: $(tr '\n' ' ' <"$T/tty")" \
	grep -qx 'status exit 0' "$T/tty"
check "the typed PIN is in the new password file" grep -qx 'gen-c:9012' "$T/db-tty/sslpassword.conf"
check "pkcs11-tool sees the key on gen-c" \
	grep -q '^Private Key Object' <(token_key gen-c 9012 Server-Cert)
finish
