#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# remove-cert under contention and on read-only tokens.  2 and 4 removers
# of one alias at once: exactly one succeeds, the others say another
# process removed it (or, when they looked after it was gone, that there
# is no such certificate), never an NSS error name; before, two both said
# "removed" and losers got SEC_ERROR_BAD_DATA.  On a read-only token
# (SoftHSM with read-only storage; NSS's softokn opened readOnly) the
# refusal says so, instead of SEC_ERROR_EXTENSION_NOT_FOUND, and the
# certificate stays.
. "$(dirname "$0")/lib.sh"
need certutil openssl softhsm2-util pkcs11-tool
new_db
ROUNDS=${ROUNDS:-3} # aliases per width; bounded
msgs="$T/msgs"
: >"$msgs"

race() {
	local width=$1 i k a wins
	for i in $(seq "$ROUNDS"); do
		p11c -q -d "$DB" add-selfsign-cert --key-type ec:p256 --name "r$width-$i.example.com" "r$width-$i"
	done
	for i in $(seq "$ROUNDS"); do
		a="r$width-$i"
		for k in $(seq "$width"); do
			(timeout 60 "$P11CERT" -d "$DB" remove-cert "$a" >"$T/o.$a.$k" 2>&1
				echo "rc=$?" >>"$T/o.$a.$k") &
		done
		wait
		wins=$(cat "$T"/o."$a".* | grep -c '^rc=0$')
		if [ "$wins" = 1 ]; then ok "$width removers of '$a': exactly one succeeded"; else
			not_ok "$width removers of '$a': $wins succeeded, wanted 1 ($(cat "$T"/o."$a".* | tr '\n' ' '))"; fi
		losers=$(cat "$T"/o."$a".* | grep -v '^rc=\|^removed' || true)
		printf '%s\n' "$losers" | sed "s/'$a'/'ALIAS'/" >>"$msgs"
		if grep -qv -e "^p11cert: 'ALIAS' was removed by another process meanwhile$" \
			-e "^p11cert: no certificate 'ALIAS'$" <(printf '%s\n' "$losers" | sed "s/'$a'/'ALIAS'/" | grep .); then
			not_ok "  a loser said something else: $losers"
		else
			ok "  the others said another process removed it (or that it was gone)"
		fi
		check "  every loser exited 3" test "$(cat "$T"/o."$a".* | grep -c '^rc=3$')" = $((width - 1))
	done
}
race 2
race 4
echo "# losers' messages: $(grep -c 'removed by another process' "$msgs") 'removed by another process', $(grep -c 'no certificate' "$msgs") 'no certificate'"
check "no NSS or PKCS#11 error name in any output" fails grep -qE 'SEC_ERROR|CKR_|SSL_ERROR' "$T"/o.*
check "certutil -L: every raced alias is gone" fails grep -q '^r[24]-' <(certutil -d "sql:$DB" -L)
pwf=$(mktemp "$T/pw.XXXXXX"); db_password >"$pwf"
check "certutil -K: no key left" grep -q 'no keys found' <(certutil -d "sql:$DB" -K -f "$pwf" 2>&1)

# A read-only NSS token: softokn on another database, opened readOnly.
mkdir "$T/other"
certutil -N -d "sql:$T/other" --empty-password
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ro.key" \
	-subj /CN=rocert -days 30 -out "$T/ro.pem" 2>/dev/null
certutil -A -d "sql:$T/other" -n rocert -t ,, -i "$T/ro.pem"
softokn=$(ls /usr/lib/*/libsoftokn3.so /usr/lib/*/nss/libsoftokn3.so 2>/dev/null | head -1)
cat >>"$DB/pkcs11.txt" <<CONF

library=$softokn
name=ro-softokn
parameters=configdir='sql:$T/other' certPrefix='' keyPrefix='' secmod='secmod.db' flags=readOnly dbTokenDescription='RO Token' dbSlotDescription='RO Slot'
CONF
before=$(certutil -d "sql:$T/other" -L)
expect_exit 5 "remove-cert on a read-only NSS token is refused" p11c -d "$DB" remove-cert "RO Token:rocert"
check "  it says the token is read-only ($(cat "$T/err"))" \
	grep -q "cannot remove 'RO Token:rocert': token 'RO Token' is read-only" "$T/err"
check "  the certificate is still there (certutil -L)" test "$(certutil -d "sql:$T/other" -L)" = "$before"

# SoftHSM whose token files may not be written: as another user (root
# writes anyway), with the token's directory and files read-only.
if [ "$(id -u)" = 0 ]; then
	as() { runuser -u nobody -- env SOFTHSM2_CONF="$SOFTHSM2_CONF" HOME="$T" "$@"; }
else
	as() { "$@"; }
fi
make_token hsm-ro 1111
RDB="$T/rodb"
p11c -q -d "$RDB" generate-certdb --no-default-cert
p11c -q -d "$RDB" add-module softhsm "$SOFTHSM_MODULE"
echo "hsm-ro:1111" >>"$RDB/sslpassword.conf"
p11c -q -d "$RDB" add-selfsign-cert --token hsm-ro --key-type ec:p256 --name ro.example.com rocert
if [ "$(id -u)" = 0 ]; then chmod 755 "$T"; chown -R nobody: "$RDB" "$T/softhsm"; fi
chmod a-w "$T"/softhsm/tokens/*/* "$T"/softhsm/tokens/*
objs=$(token_objects hsm-ro 1111)
expect_exit 5 "remove-cert on a SoftHSM token with read-only storage is refused" \
	as "$P11CERT" -d "$RDB" remove-cert hsm-ro:rocert
check "  it names the token and says it is read-only ($(cat "$T/err"))" grep -q \
	"cannot remove 'hsm-ro:rocert': token 'hsm-ro' refused to delete it (the token or its storage is read-only)" "$T/err"
check "  no stale NSS error name" fails grep -q 'SEC_ERROR' "$T/err"
check "  pkcs11-tool: the token's objects are unchanged" test "$(token_objects hsm-ro 1111)" = "$objs"
check "  p11cert still lists it" grep -q '^hsm-ro:rocert' <(as "$P11CERT" -d "$RDB" list-certs)
chmod -R u+w "$T"/softhsm/tokens
finish
