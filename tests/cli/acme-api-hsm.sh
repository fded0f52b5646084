#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
# The library's ACME half with keys on a SoftHSM token, against a pebble
# that requires external account binding and refuses one nonce in ten:
# EAB refused without a binding and with a wrong MAC key (nothing left on
# the token), an RSA-2048 account key on the token (RS256 JWS), EC P-256
# and RSA-2048 certificate keys made there non-extractable (pkcs11-tool's
# view), renewal with the token's key, badNonce retries seen in the log.
TESTDIR=${TESTDIR:-$(dirname "$0")}
. "$TESTDIR/lib.sh"
. "$TESTDIR/acmelib.sh"
: "${ACME_DRIVER:?ACME_DRIVER must name test_acme_driver}"
need certutil pkcs11-tool softhsm2-util

PEBBLE_WFE_NONCEREJECT=10 start_pebble --eab
export ACME_SERVER=$PEBBLE_DIR ACME_CA=$PEBBLE_CA ACME_LOG=$T/acme.log
make_token acmehsm 1234
export P11C_MODULE=$SOFTHSM_MODULE
new_db
echo "acmehsm:1234" >>"$DB/sslpassword.conf"

drv() { "$ACME_DRIVER" "$DB" "$@"; }
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', wanted '$3'"; fi
}
# pem_of ALIAS: the certificate ALIAS on the token, as pkcs11-tool reads it.
pem_of() {
	pkcs11-tool --module "$SOFTHSM_MODULE" --token-label acmehsm --read-object --type cert \
		--label "$1" -o "$T/obj.der" >/dev/null 2>&1 && openssl x509 -inform DER -in "$T/obj.der"
}
verified() {
	pem_of "$1" >"$T/leaf.pem" &&
		openssl verify -CAfile "$PEBBLE_ROOT" -untrusted "$T/pebble-intermediate.pem" \
			"$T/leaf.pem" >"$T/verify.out" 2>&1
}
objects() { token_objects acmehsm 1234 | grep -v '^Using'; }
# never_extractable NAME: pkcs11-tool says the private key NAME never left.
never_extractable() { token_key acmehsm 1234 "$1" | grep -q 'never extractable'; }

before=$(snapshot) tok=$(objects)
expect_exit 1 "register without a binding is refused" drv register - - ec:p256 acmehsm
grep -q externalAccountRequired "$T/err" && ok "the refusal says a binding is required" ||
	not_ok "refusal: got '$(cat "$T/err")', wanted externalAccountRequired"
expect_exit 1 "register with a wrong MAC key is refused" \
	drv register kid-1 "$EAB_HMAC_2" ec:p256 acmehsm
same_as "$before" "refused registrations leave the database as it was"
expect_eq "refused registrations leave the token as it was" "$(objects)" "$tok"
check "no ACME record after refusals" test ! -e "$DB/p11cert-acme.json"

expect_exit 0 "register with EAB, an RSA-2048 account key on the token" \
	drv register kid-1 "$EAB_HMAC_1" rsa:2048 acmehsm
token_objects acmehsm 1234 | grep -q 'label: *acme-account' && ok "pkcs11-tool sees the account key" ||
	not_ok "pkcs11-tool: no acme-account key: $(objects)"

expect_exit 0 "issue an EC P-256 key on the token (http-01)" \
	drv issue ec web.test - http acmehsm ec:p256
check "openssl verifies 'ec'" verified ec
check "the key of 'ec' is never extractable" never_extractable ec
expect_exit 0 "issue an RSA-2048 key on the token (dns-01)" \
	drv issue rsa rsa.test dns:www.rsa.test dns acmehsm rsa:2048
check "openssl verifies 'rsa'" verified rsa
check "the key of 'rsa' is never extractable" never_extractable rsa
expect_eq "the key of 'rsa' is RSA 2048" \
	"$(pem_of rsa | openssl x509 -noout -text | grep -o 'Public-Key: ([0-9]* bit)')" \
	"Public-Key: (2048 bit)"

p1=$(pem_of ec | openssl x509 -noout -pubkey) s1=$(pem_of ec | openssl x509 -noout -serial)
expect_exit 0 "renew 'ec' with the token's key" drv renew acmehsm:ec
[ "$(pem_of ec | openssl x509 -noout -pubkey)" = "$p1" ] && ok "same public key after renewal" ||
	not_ok "renewal changed the key"
[ "$(pem_of ec | openssl x509 -noout -serial)" != "$s1" ] && ok "a new serial after renewal" ||
	not_ok "renewal kept serial $s1"

expect_exit 0 "renew 'rsa' with a new key on the token" drv renew acmehsm:rsa new-key
check "openssl verifies the re-keyed 'rsa'" verified rsa
check "the new key of 'rsa' is never extractable" never_extractable rsa
expect_eq "one private key named 'rsa' on the token" \
	"$(token_objects acmehsm 1234 | grep -A3 '^Private Key' | grep -c 'label: *rsa$')" 1

tok=$(objects) before=$(snapshot)
expect_exit 1 "a refused name on the token" drv issue bad "$PEBBLE_BLOCKED" - dns acmehsm
expect_eq "a refused name leaves the token as it was" "$(objects)" "$tok"
same_as "$before" "a refused name leaves the database as it was"

n=$(grep -c 'refused a nonce' "$T/acme.log")
[ "$n" -ge 1 ] && ok "badNonce answers were retried ($n)" ||
	not_ok "no badNonce retry seen in $(wc -l <"$T/acme.log") log lines"

finish
