#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# p11copyfix.so, the shim that mends SoftHSM 2.6.1's C_CopyObject for NSS
# servers: with the token loaded through it, an RSA-2048 key p11cert makes
# on SoftHSM draws no warning and no token-defect, and selfserv serves it
# to tstclnt (with and without client authentication); pkcs11-spy between
# the shim and SoftHSM shows the empty-template copy reaching SoftHSM with
# a template pointer and succeeding.  Loaded without the shim, the same
# token still draws the warning (naming the shim) and selfserv still stops.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"
need certutil openssl softhsm2-util pkcs11-tool python3 selfserv tstclnt
: "${P11COPYFIX_SO:?P11COPYFIX_SO must name the built p11copyfix.so}"
SPY=/usr/lib/x86_64-linux-gnu/pkcs11/pkcs11-spy.so
[ -f "$SPY" ] || peer_missing pkcs11-spy
# The token through the shim only: SoftHSM loaded directly as well
# (--module softhsm2) would start the same library twice.
P11C_AUTO_MODULE=
make_token fx 1234
new_db
(umask 077 && echo "fx:1234" >>"$DB/sslpassword.conf")
PW="$DB/sslpassword.conf"
p11c -q -d "$DB" -W "$PW" add-module softhsm-fixed "$P11COPYFIX_SO" || exit 1
modutil -dbdir "sql:$DB" -list >"$T/modutil.out" 2>&1
check "modutil: the shim is the database's module, with token fx (got: $(cat "$T/modutil.out"))" \
	test "$(grep -c "library name: $P11COPYFIX_SO" "$T/modutil.out")" = 1 -a \
	"$(grep -c "token: fx" "$T/modutil.out")" = 1

for kt in rsa:2048 ec:p256; do
	a=fx-${kt%%:*}
	p11c -q -d "$DB" -W "$PW" add-selfsign-cert --token fx --key-type "$kt" --name localhost "$a" \
		2>"$T/$a.err"
	check "add-selfsign-cert $kt through the shim: no warning (got: $(cat "$T/$a.err"))" \
		test ! -s "$T/$a.err"
	check "pkcs11-tool sees $a's key on the token" test -n "$(token_key fx 1234 "$a")"
done
make_tls_client
for nick in fx:fx-rsa fx:fx-ec; do
	check "selfserv serves $nick through the shim, tstclnt connects" selfserv_get "$nick"
	check "selfserv serves $nick through the shim with client authentication" \
		selfserv_get "$nick" -r -r
done
check "selfserv -r -r through the shim refuses a client without a certificate" \
	fails selfserv_get_anon fx:fx-rsa
p11c -d "$DB" -W "$PW" check >"$T/check.out" 2>&1
rc=$?
check "check through the shim: exit 0, no token-defect (got $rc: $(cat "$T/check.out"))" \
	test "$rc" = 0 -a "$(grep -c token-defect "$T/check.out")" = 0

# spy_copies LOG: pkcs11-spy's C_CopyObject calls in LOG, one
# "TEMPLATE-COUNT RESULT" a line ("0 CKR_OK": an empty template, copied).
spy_copies() {
	awk '/^[0-9]+: / { c = ($2 == "C_CopyObject"); n = "?"; next }
		c && /^\[in\] pTemplate\[/ { n = $2; gsub(/[^0-9]/, "", n) }
		c && /^Returned:/ { print n, $3; c = 0 }' "$1" 2>/dev/null | sort | uniq -c |
		tr -s ' ' | tr '\n' ';'
}
# What SoftHSM is asked: the spy between the shim and it.
P11COPYFIX_MODULE=$SPY PKCS11SPY=$SOFTHSM_MODULE PKCS11SPY_OUTPUT="$T/spy.log" \
	selfserv_get fx:fx-rsa
rc=$?
check "selfserv serves fx:fx-rsa with pkcs11-spy behind the shim" test "$rc" = 0
copies=$(spy_copies "$T/spy.log")
check "spy behind the shim: SoftHSM copies with an empty template, CKR_OK, and nothing fails (got: ${copies:-none})" \
	test -n "$(echo "$copies" | grep -E '(^|;) ?[0-9]+ 0 CKR_OK;')" -a \
	-z "$(echo "$copies" | tr ';' '\n' | grep -v ' CKR_OK$' | grep .)"

# The same token loaded plainly, from a second database: still defective.
D2="$T/db2"
new_db "$D2"
(umask 077 && echo "fx:1234" >>"$D2/sslpassword.conf")
p11c -q -d "$D2" -W "$D2/sslpassword.conf" add-module softhsm "$SOFTHSM_MODULE" || exit 1
p11c -q -d "$D2" -W "$D2/sslpassword.conf" add-selfsign-cert --token fx --key-type rsa:2048 \
	--name localhost plain-rsa 2>"$T/plain.err"
want="p11cert: warning: token 'fx' cannot serve RSA keys to NSS servers"
check "plain SoftHSM: the warning, naming the shim (got: $(cat "$T/plain.err"))" \
	test "$(grep -c "^$want .*ec:p256.*/p11cert/p11copyfix.so" "$T/plain.err")" = 1 -a \
	"$(wc -l <"$T/plain.err")" = 1
p11c -d "$D2" -W "$D2/sslpassword.conf" check >"$T/check2.out" 2>&1
rc=$?
check "plain SoftHSM: check exits 2 with token-defect (got $rc: $(head -c 400 "$T/check2.out"))" \
	test "$rc" = 2 -a "$(grep -c "token-defect.*token 'fx'" "$T/check2.out")" -ge 1
# selfserv on the key made through the shim, without it: the token's defect
port=$(free_port)
timeout 5 selfserv -d "sql:$D2" -n fx:fx-rsa -p "$port" -f "$D2/sslpassword.conf" \
	>"$T/ss-plain.log" 2>&1 </dev/null
check "plain SoftHSM: selfserv on fx:fx-rsa stops at start (got: $(head -c 300 "$T/ss-plain.log"))" \
	grep -q "SSL_ConfigServerCert" "$T/ss-plain.log"

# the spy in place of the plain module: the empty template refused (the
# spy is added without $P11CERT_WRAPPER, and without LeakSanitizer's leak
# check under ASan: memcheck finds the spy's own uninitialised reads and
# leaks in C_OpenSession, LeakSanitizer the same leaks, in a library it
# can no longer name once NSS has unloaded it)
p11c -q -d "$D2" -W "$D2/sslpassword.conf" remove-module softhsm &&
	PKCS11SPY=$SOFTHSM_MODULE PKCS11SPY_OUTPUT="$T/spy-add.log" \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		"$P11CERT" -q -d "$D2" -W "$D2/sslpassword.conf" add-module spy "$SPY" ||
	exit 1
PKCS11SPY=$SOFTHSM_MODULE PKCS11SPY_OUTPUT="$T/spy2.log" timeout 5 selfserv -d "sql:$D2" \
	-n fx:fx-rsa -p "$port" -f "$D2/sslpassword.conf" >"$T/ss-spy.log" 2>&1 </dev/null
copies=$(spy_copies "$T/spy2.log")
check "spy on plain SoftHSM: the empty-template copy is CKR_ARGUMENTS_BAD (got: ${copies:-none})" \
	test -n "$(echo "$copies" | grep -E '(^|;) ?[0-9]+ 0 CKR_ARGUMENTS_BAD;')"

# The real module named by P11COPYFIX_MODULE: a missing one fails to load.
P11COPYFIX_MODULE=$T/none.so p11c -d "$DB" -W "$PW" list-tokens >"$T/lt.out" 2>"$T/lt.err"
check "P11COPYFIX_MODULE naming no file: the shim is left out (got: $(cat "$T/lt.err"))" \
	grep -q "module 'softhsm-fixed'.*could not be loaded" "$T/lt.err"
check "P11COPYFIX_MODULE naming no file: no token fx (got: $(cat "$T/lt.out"))" \
	fails grep -q "fx" "$T/lt.out"
finish
