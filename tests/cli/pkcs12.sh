#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# export-cert and import-cert with PKCS#12: read by openssl (no -legacy),
# pk12util and keytool; files from openssl (modern and -legacy), pk12util
# and keytool imported and their keys shown to work.
. "$(dirname "$0")/lib.sh"
need certutil openssl pk12util
new_db
(umask 077 && echo "p12 secret" >"$T/p12.pw")

make_ca root "/CN=P12 Root"
p11c -q -d "$DB" request-cert --name mail.example.com -F ascii -o "$T/mail.req"
openssl x509 -req -in "$T/mail.req" -CA "$T/root.pem" -CAkey "$T/root.key" -CAcreateserial \
	-days 100 -copy_extensions copy -out "$T/mail.pem" 2>/dev/null
p11c -q -d "$DB" add-cert mail <(cat "$T/mail.pem" "$T/root.pem") 2>/dev/null ||
	{ cat "$T/mail.pem" "$T/root.pem" >"$T/chain.pem"; p11c -q -d "$DB" add-cert mail "$T/chain.pem"; }
p11c -q -d "$DB" add-cert -C root "$T/root.pem"

# p11cert -> openssl, pk12util, keytool.
expect_exit 0 "export-cert to PKCS#12" p11c -d "$DB" export-cert --p12-password-file "$T/p12.pw" -o "$T/mail.p12" mail
check "the file is mode 0600" test "$(stat -c %a "$T/mail.p12")" = 600
info=$(openssl pkcs12 -in "$T/mail.p12" -info -noout -passin 'pass:p12 secret' 2>&1)
check "openssl (no -legacy) reads it: SHA-256 MAC" grep -q '^MAC: sha256' <<<"$info"
check "the key is AES-256-CBC under PBKDF2 with HMAC-SHA256" \
	grep -q 'Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration [0-9]*, PRF hmacWithSHA256' <<<"$info"
check "the certificates are AES-256-CBC under PBKDF2 with HMAC-SHA256" \
	grep -q 'PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration [0-9]*, PRF hmacWithSHA256' <<<"$info"
iter=$(sed -n 's/.*Shrouded Keybag.*Iteration \([0-9]*\).*/\1/p' <<<"$info")
check "at least OpenSSL 3's 2048 iterations ($iter)" test "$iter" -ge 2048
openssl pkcs12 -in "$T/mail.p12" -nodes -passin 'pass:p12 secret' -out "$T/all.pem" 2>/dev/null
check "the key matches the certificate" test \
	"$(openssl pkey -in "$T/all.pem" -pubout)" = "$(openssl x509 -in "$T/mail.pem" -noout -pubkey)"
check "the chain is complete (leaf and root)" test "$(grep -c 'BEGIN CERTIFICATE' "$T/all.pem")" = 2
mkdir "$T/other"
certutil -N -d "sql:$T/other" --empty-password
check "pk12util -i imports it into a fresh NSS database" \
	pk12util -i "$T/mail.p12" -d "sql:$T/other" -w "$T/p12.pw"
check "and certutil lists it there with its key" grep -Eq '^mail +u,u,u' <(certutil -d "sql:$T/other" -L)
if command -v keytool >/dev/null; then
	check "keytool lists it as a PrivateKeyEntry" grep -q 'PrivateKeyEntry' \
		<(keytool -list -storetype PKCS12 -keystore "$T/mail.p12" -storepass 'p12 secret' 2>&1)
elif [ "${CI:-}" = true ]; then
	not_ok "keytool is missing under CI"
fi

expect_exit 0 "--p12-profile compat" p11c -d "$DB" export-cert --p12-password-file "$T/p12.pw" --p12-profile compat -o "$T/compat.p12" mail
check "it says the protection is weaker" grep -q 'weaker' "$T/err"
info=$(openssl pkcs12 -in "$T/compat.p12" -info -noout -legacy -passin 'pass:p12 secret' 2>&1)
check "compat: 3DES and a SHA-1 MAC" grep -q '^MAC: sha1' <<<"$info"
check "compat: the key under 3DES" grep -q 'pbeWithSHA1And3-KeyTripleDES-CBC' <<<"$info"

# PEM and DER certificates, the chain, the key for OpenSSL-based daemons.
expect_exit 0 "--format pem" p11c -d "$DB" export-cert --format pem mail
check "PEM: the certificate" cmp <(openssl x509 -in "$T/out" -outform DER) <(openssl x509 -in "$T/mail.pem" -outform DER)
expect_exit 0 "--format pem --chain" p11c -d "$DB" export-cert --format pem --chain -o "$T/chain-out.pem" mail
check "--chain: leaf and root" test "$(grep -c 'BEGIN CERTIFICATE' "$T/chain-out.pem")" = 2
check "--chain verifies with openssl" \
	openssl verify -CAfile <(sed -n '/BEGIN/,$p' "$T/chain-out.pem" | awk 'n>=1 || /END/ {print} /END/ {n++}' | tail -n +2) "$T/mail.pem"
expect_exit 0 "--format der" p11c -d "$DB" export-cert --format der -o "$T/mail.der" mail
check "DER: openssl reads it" openssl x509 -inform DER -in "$T/mail.der" -noout
expect_exit 0 "--key-out" p11c -d "$DB" export-cert --format pem -o "$T/cert.pem" --key-out "$T/key.pem" mail
check "the key file is mode 0600" test "$(stat -c %a "$T/key.pem")" = 600
check "the key file is PKCS#8" grep -q 'BEGIN PRIVATE KEY' "$T/key.pem"
check "the key matches the certificate" \
	test "$(openssl pkey -in "$T/key.pem" -pubout)" = "$(openssl x509 -in "$T/cert.pem" -noout -pubkey)"

# openssl (modern and -legacy), pk12util and keytool -> p11cert.
D2="$T/db2"
new_db "$D2"
DB=$D2
works() { # ALIAS: the imported key signs a request that openssl verifies, for the certificate's key
	local keyid
	keyid=$(certutil -d "sql:$DB" -K -f "$DB/sslpassword.conf" 2>/dev/null |
		sed 's/^< *[0-9]*>//' | awk -v a="$1" '$NF == a {print $2}')
	[ -n "$keyid" ] || return 1
	certutil -d "sql:$DB" -R -k "$keyid" -s "CN=proof" -a -o "$T/proof.req" -f "$DB/sslpassword.conf" \
		-z <(head -c 64 /dev/urandom) >/dev/null 2>&1 &&
		openssl req -in "$T/proof.req" -verify -noout 2>/dev/null &&
		test "$(openssl req -in "$T/proof.req" -noout -pubkey)" = \
			"$(certutil -d "sql:$DB" -L -n "$1" -a | openssl x509 -noout -pubkey)"
}
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/o.key" -subj /CN=ossl.example.com -days 30 -out "$T/o.pem" 2>/dev/null
openssl pkcs12 -export -in "$T/o.pem" -inkey "$T/o.key" -name from-openssl -passout 'pass:p12 secret' -out "$T/o.p12"
openssl pkcs12 -export -legacy -in "$T/o.pem" -inkey "$T/o.key" -name legacy -passout 'pass:p12 secret' -out "$T/legacy.p12"
expect_exit 0 "import-cert of openssl's PKCS#12" p11c -d "$DB" import-cert --p12-password-file "$T/p12.pw" "$T/o.p12"
check "named by its friendly name" test "$(trust_of from-openssl)" = "u,u,u"
check "the imported key works" works from-openssl
p11c -q -d "$DB" remove-cert from-openssl
expect_exit 0 "import-cert of openssl -legacy PKCS#12, --alias" p11c -d "$DB" import-cert --p12-password-file "$T/p12.pw" --alias old-style "$T/legacy.p12"
check "named by --alias" test "$(trust_of old-style)" = "u,u,u"
check "the imported key works" works old-style
pk12util -o "$T/nss.p12" -n mail -d "sql:$T/other" -w "$T/p12.pw" >/dev/null
expect_exit 0 "import-cert of pk12util's PKCS#12" p11c -d "$DB" import-cert --p12-password-file "$T/p12.pw" --alias from-nss "$T/nss.p12"
check "the imported key works" works from-nss
check "the chain's root came along" grep -q 'P12 Root' <(certutil -d "sql:$DB" -L)
if command -v keytool >/dev/null; then
	keytool -genkeypair -alias javakey -keyalg EC -groupname secp256r1 -dname CN=java.example.com \
		-validity 30 -storetype PKCS12 -keystore "$T/java.p12" -storepass 'p12 secret' >/dev/null 2>&1
	expect_exit 0 "import-cert of keytool's PKCS#12" p11c -d "$DB" import-cert --p12-password-file "$T/p12.pw" "$T/java.p12"
	check "named by keytool's alias" test "$(trust_of javakey)" = "u,u,u"
	check "the imported key works" works javakey
fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/s.key" \
	-subj /CN=self.example.com -days 30 -out "$T/s.pem" 2>/dev/null
openssl pkcs12 -export -in "$T/s.pem" -inkey "$T/s.key" -name s -passout 'pass:p12 secret' -out "$T/s.p12"
expect_exit 0 "import-selfsign-cert" p11c -d "$DB" import-selfsign-cert --p12-password-file "$T/p12.pw" --alias selfsigned "$T/s.p12"
check "it is trusted CT,, (and is the user's own)" test "$(trust_of selfsigned)" = "CTu,u,u"
check "the imported key works" works selfsigned

# Bad input: nothing changes.
before=$(snapshot)
(umask 077 && echo wrong >"$T/wrong.pw")
expect_exit 4 "a wrong password" p11c -d "$DB" import-cert --p12-password-file "$T/wrong.pw" --alias w "$T/o.p12"
head -c 700 "$T/o.p12" >"$T/trunc.p12"
expect_exit 1 "a truncated PKCS#12" p11c -d "$DB" import-cert --p12-password-file "$T/p12.pw" --alias w "$T/trunc.p12"
head -c 2000 /dev/urandom >"$T/garbage.p12"
expect_exit 1 "garbage" p11c -d "$DB" import-cert --p12-password-file "$T/p12.pw" --alias w "$T/garbage.p12"
: >"$T/empty.p12"
expect_exit 1 "an empty file" p11c -d "$DB" import-cert --p12-password-file "$T/p12.pw" --alias w "$T/empty.p12"
expect_exit 3 "a missing file" p11c -d "$DB" import-cert --p12-password-file "$T/p12.pw" --alias w "$T/nope.p12"
expect_exit 1 "a certificate already there" p11c -d "$DB" import-cert --p12-password-file "$T/p12.pw" "$T/mail.p12"
expect_exit 4 "no password and no terminal" p11c -d "$DB" import-cert "$T/o.p12" </dev/null
expect_exit 3 "export of an unknown alias" p11c -d "$DB" export-cert --p12-password-file "$T/p12.pw" -o "$T/x.p12" nosuch
expect_exit 2 "export to PKCS#12 without -o" p11c -d "$DB" export-cert --p12-password-file "$T/p12.pw" from-nss
expect_exit 2 "--key-out without --format pem" p11c -d "$DB" export-cert --key-out "$T/k" -o "$T/x.p12" from-nss
same_as "$before" "bad input left the database unchanged"

finish
