#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# What goes wrong with tokens: a wrong PIN (tried once, as the PKCS#11 spy
# shows), an unknown token, a file that is no module, a module whose token
# is absent, RSA-1024; each one line, database and token unchanged.
. "$(dirname "$0")/lib.sh"
need certutil softhsm2-util pkcs11-tool
make_token hsm-a 1111
new_db
(umask 077 && { cat "$DB/sslpassword.conf"; echo "hsm-a:1111"; } >"$T/good.pw")
(umask 077 && { cat "$DB/sslpassword.conf"; echo "hsm-a:9999"; } >"$T/wrong.pw")
p11c -q -d "$DB" -W "$T/good.pw" add-selfsign-cert --token hsm-a --name a.example.com a
before=$(snapshot)
objs_before=$(token_objects hsm-a 1111)
unchanged() {
	same_as "$before" "$1: the database is unchanged"
	if [ "$(token_objects hsm-a 1111)" = "$objs_before" ]; then ok "$1: the token is unchanged"
	else not_ok "$1: the token changed"; fi
}

expect_exit 4 "a wrong PIN" p11c -d "$DB" -W "$T/wrong.pw" add-selfsign-cert --token hsm-a --name b.example.com b
check "it names the token and CKR_PIN_INCORRECT" grep -q "token 'hsm-a'.*CKR_PIN_INCORRECT" "$T/err"
check "it does not print the PIN" fails grep -q 9999 "$T/err"
unchanged "wrong PIN"
expect_exit 4 "a wrong PIN when listing" p11c -d "$DB" -W "$T/wrong.pw" list-certs

# The PIN is tried once: count C_Login through OpenSC's PKCS#11 spy.
SPY=/usr/lib/x86_64-linux-gnu/pkcs11/pkcs11-spy.so
if [ -e "$SPY" ]; then
	PKCS11SPY="$SOFTHSM_MODULE" PKCS11SPY_OUTPUT="$T/spy.log" P11CERT_NO_P11KIT=1 \
		"$P11CERT" -d "$DB" -W "$T/wrong.pw" --module "$SPY" \
		add-selfsign-cert --token hsm-a --name b.example.com b 2>"$T/err"
	check "the spy saw the wrong PIN refused with CKR_PIN_INCORRECT" grep -q 'CKR_PIN_INCORRECT' "$T/spy.log"
	check "C_Login was called exactly once" test "$(grep -c 'C_Login' "$T/spy.log")" = 1
elif [ "${CI:-}" = true ]; then
	not_ok "pkcs11-spy.so is missing under CI"
fi
unchanged "wrong PIN through the spy"

expect_exit 3 "an unknown token label" p11c -d "$DB" -W "$T/good.pw" add-selfsign-cert --token no-such --name b.example.com b
check "it names the token" grep -q "'no-such'" "$T/err"
expect_exit 3 "an unknown token URI" p11c -d "$DB" -W "$T/good.pw" add-selfsign-cert --token "pkcs11:token=no-such" --name b.example.com b
expect_exit 2 "an invalid URI" p11c -d "$DB" -W "$T/good.pw" add-selfsign-cert --token "pkcs11:token=%zz" --name b.example.com b
expect_exit 2 "RSA-1024 asked of the token" p11c -d "$DB" -W "$T/good.pw" add-selfsign-cert --token hsm-a --key-type rsa:1024 --name b.example.com b
head -c 2000 /dev/urandom >"$T/notamodule.so"
expect_exit 1 "a file that is not a PKCS#11 module" p11c -d "$DB" -W "$T/good.pw" --module "$T/notamodule.so" list-tokens
check "it says so" grep -q 'cannot load .* as a PKCS#11 module' "$T/err"
expect_exit 3 "a module path that does not exist" p11c -d "$DB" --module "$T/nope.so" list-tokens
expect_exit 2 "a PIN line alone is not a NAME PATH" p11c -d "$DB" add-module onlyname
expect_exit 3 "add-module of a missing library" p11c -d "$DB" add-module x "$T/nope.so"
unchanged "bad tokens and modules"

# generate-certdb: a -W file with a PIN line alone has no database
# password, unless that token is the --token one (generate-token.sh).
(umask 077 && echo "hsm-a:1111" >"$T/pin-only.pw")
expect_exit 4 "generate-certdb -W with a PIN line alone, no --token" \
	p11c -d "$T/db-pin" -W "$T/pin-only.pw" generate-certdb
check "it says the internal token's password is missing" grep -q 'no password for the internal token' "$T/err"
check "nothing is left behind" test ! -e "$T/db-pin/cert9.db"
(umask 077 && printf 'Internal (Software) Token:x\nhsm-a:1111\n' >"$T/gen.pw")
expect_exit 3 "generate-certdb --token with P11CERT_NO_P11KIT=1 (the token's module is not loaded)" \
	env P11CERT_NO_P11KIT=1 "$P11CERT" -d "$T/db-nokit" -W "$T/gen.pw" --token hsm-a generate-certdb
check "nothing is left behind either" test ! -e "$T/db-nokit/cert9.db"

# The module is there but its token is not: an empty SoftHSM directory.
mkdir -p "$T/empty-tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$T/empty-tokens" >"$T/empty.conf"
expect_exit 3 "a module whose token is absent" env SOFTHSM2_CONF="$T/empty.conf" \
	"$P11CERT" -d "$DB" -W "$T/good.pw" add-selfsign-cert --token hsm-a --name b.example.com b
unchanged "absent token"

finish
