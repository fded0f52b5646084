#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# import-cert --key --cert: PEM keys in every common form, RSA and EC, to
# the internal token and to SoftHSM; certbot's fullchain; the round trip
# internal -> PKCS#12 -> SoftHSM (not extractable) -> export refused.
. "$(dirname "$0")/lib.sh"
need certutil openssl softhsm2-util pkcs11-tool
make_token hsm-a 1111
new_db
(umask 077 && { cat "$DB/sslpassword.conf"; echo "hsm-a:1111"; } >"$T/pw")
(umask 077 && echo "key secret" >"$T/key.pw")
make_ca ca "/CN=PEM CA"

# KIND FORM: a key in that form and a certificate for it from the CA.
make_pair() {
	local name=$1 kind=$2 form=$3
	case $kind in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/$name.p8" 2>/dev/null ;;
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/$name.p8" 2>/dev/null ;;
	esac
	case $form in
	pkcs8) cp "$T/$name.p8" "$T/$name.key" ;;
	traditional) openssl pkey -in "$T/$name.p8" -traditional -out "$T/$name.key" ;;
	encrypted) openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$T/$name.p8" -passout 'pass:key secret' -out "$T/$name.key" ;;
	esac
	openssl req -new -key "$T/$name.p8" -subj "/CN=$name.example.com" -out "$T/$name.csr" 2>/dev/null
	openssl x509 -req -in "$T/$name.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
		-days 30 -out "$T/$name.crt" 2>/dev/null
	cat "$T/$name.crt" "$T/ca.pem" >"$T/$name.fullchain"
}

for token in internal hsm-a; do
	for kind in rsa ec; do
		for form in traditional pkcs8 encrypted; do
			name="$kind-$form-${token}"
			make_pair "$name" "$kind" "$form"
			grep -q 'BEGIN RSA PRIVATE KEY\|BEGIN EC PRIVATE KEY\|BEGIN PRIVATE KEY\|BEGIN ENCRYPTED PRIVATE KEY' "$T/$name.key"
			set -- --key "$T/$name.key" --cert "$T/$name.fullchain" --alias "$name"
			[ "$form" = encrypted ] && set -- "$@" --key-password-file "$T/key.pw"
			expect_exit 0 "$kind $form key on $token" p11c -d "$DB" -W "$T/pw" --token "$token" import-cert "$@"
			q=$name
			[ "$token" = internal ] || q="$token:$name"
			p11c -d "$DB" -W "$T/pw" show-cert "$q" >"$T/show"
			check "$name: the key is with its certificate" grep -q "^Private key: *on token $token" "$T/show"
			if [ "$token" = internal ]; then
				p11c -q -d "$DB" -W "$T/pw" export-cert --format pem -o "$T/back.pem" --key-out "$T/back.key" "$name"
				check "$name: the key comes back the same" \
					test "$(openssl pkey -in "$T/back.key")" = "$(openssl pkey -in "$T/$name.p8")"
			else
				check "$name: pkcs11-tool sees the key, never extractable" \
					grep -q 'never extractable\|Access: *sensitive' <<<"$(token_key hsm-a 1111 "$name")"
				check "$name: not extractable" fails grep -q 'Access:.*, extractable' <<<"$(token_key hsm-a 1111 "$name")"
			fi
		done
	done
done
check "the chain's CA came along, untrusted" test "$(trust_of 'PEM CA')" = ",,"
check "certutil shows an imported PEM pair as the user's own (u,u,u)" \
	test "$(trust_of rsa-pkcs8-internal)" = "u,u,u"

# --extractable cannot be honoured by an import onto SoftHSM: refused, undone.
objs_before=$(token_objects hsm-a 1111 | wc -l)
make_pair ext rsa pkcs8
expect_exit 5 "import-cert --extractable onto SoftHSM is refused" \
	p11c -d "$DB" -W "$T/pw" --token hsm-a import-cert --extractable --key "$T/ext.key" --cert "$T/ext.crt"
check "it says why" grep -q 'cannot be honoured' "$T/err"
check "the token holds no trace of it" test "$(token_objects hsm-a 1111 | wc -l)" = "$objs_before"

# Round trip: internal -> PKCS#12 -> SoftHSM, not extractable -> refused.
p11c -q -d "$DB" add-selfsign-cert --name move.example.com move
(umask 077 && echo "p12" >"$T/p12.pw")
p11c -q -d "$DB" export-cert --p12-password-file "$T/p12.pw" -o "$T/move.p12" move
D2="$T/db2"
new_db "$D2"
(umask 077 && { cat "$D2/sslpassword.conf"; echo "hsm-a:1111"; } >"$T/pw2")
expect_exit 0 "the PKCS#12 into SoftHSM" p11c -d "$D2" -W "$T/pw2" --token hsm-a import-cert --p12-password-file "$T/p12.pw" "$T/move.p12"
check "the key on hsm-a is not extractable" grep -q 'never extractable\|Access: *sensitive' <<<"$(token_key hsm-a 1111 move)"
check "show-cert says not extractable" grep -q 'not extractable' <(p11c -d "$D2" -W "$T/pw2" show-cert hsm-a:move)
expect_exit 5 "export of that key is refused" p11c -d "$D2" -W "$T/pw2" export-cert --p12-password-file "$T/p12.pw" -o "$T/again.p12" hsm-a:move
check "it names the token" grep -q "token 'hsm-a'" "$T/err"
check "no file is left behind" test -z "$(ls "$T" | grep '^again.p12')"
expect_exit 5 "--key-out of that key is refused" p11c -d "$D2" -W "$T/pw2" export-cert --format pem -o "$T/again.pem" --key-out "$T/again.key" hsm-a:move
check "no key file is left behind" test ! -e "$T/again.key"
check "nor the certificate file" test ! -e "$T/again.pem"

# A PKCS#12 with a chain whose import is refused half way takes nothing
# with it: neither the key nor the chain's CA.
make_pair chained rsa pkcs8
openssl pkcs12 -export -in "$T/chained.crt" -certfile "$T/ca.pem" -inkey "$T/chained.p8" -name chained \
	-passout pass:p12 -out "$T/chained.p12"
before2=$(certutil -d "sql:$D2" -L)
objs_before=$(token_objects hsm-a 1111 | wc -l)
expect_exit 5 "a PKCS#12 import --extractable onto SoftHSM is refused" \
	p11c -d "$D2" -W "$T/pw2" --token hsm-a import-cert --extractable --p12-password-file "$T/p12.pw" "$T/chained.p12"
check "no certificate of it is left (nor its CA)" test "$(certutil -d "sql:$D2" -L)" = "$before2"
check "nor anything on the token" test "$(token_objects hsm-a 1111 | wc -l)" = "$objs_before"

# Bad input: nothing changes.
DB=$D2
before=$(snapshot)
make_pair other rsa pkcs8
expect_exit 1 "a key that does not match the certificate" p11c -d "$DB" import-cert --key "$T/other.key" --cert "$T/rsa-pkcs8-internal.crt"
check "it says they do not match" grep -q 'does not match' "$T/err"
make_pair enc ec encrypted
(umask 077 && echo wrong >"$T/wrong.pw")
expect_exit 4 "an encrypted key with a wrong password" p11c -d "$DB" import-cert --key "$T/enc.key" --cert "$T/enc.crt" --key-password-file "$T/wrong.pw"
expect_exit 4 "an encrypted key with no password and no terminal" p11c -d "$DB" import-cert --key "$T/enc.key" --cert "$T/enc.crt" </dev/null
: >"$T/empty.pem"
expect_exit 1 "an empty key file" p11c -d "$DB" import-cert --key "$T/empty.pem" --cert "$T/enc.crt"
expect_exit 1 "an empty certificate file" p11c -d "$DB" import-cert --key "$T/enc.p8" --cert "$T/empty.pem"
head -c 100 "$T/enc.p8" >"$T/trunc.key"
expect_exit 1 "a truncated key" p11c -d "$DB" import-cert --key "$T/trunc.key" --cert "$T/enc.crt"
expect_exit 2 "--key without --cert" p11c -d "$DB" import-cert --key "$T/enc.p8"
same_as "$before" "bad input left the database unchanged"
check "and the token unchanged (no stray key named enc)" test -z "$(token_key hsm-a 1111 enc.example.com)"

finish
