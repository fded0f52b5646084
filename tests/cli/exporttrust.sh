#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# export-trust: the certificates trusted for each usage, as a PEM bundle
# that openssl verify takes as its CA file, and as a PKCS#12 truststore
# that Java's keytool lists as trustedCertEntry; nothing else goes out.
. "$(dirname "$0")/lib.sh"
need certutil openssl keytool
new_db
subjects() { # FILE: the subjects of a PEM bundle, sorted, one a line
	openssl crl2pkcs7 -nocrl -certfile "$1" | openssl pkcs7 -print_certs -noout |
		sed -n 's/^subject=//p' | sort
}

(umask 077 && echo "store pass" >"$T/p12.pw")
expect_exit 1 "an empty truststore is refused" p11c -d "$DB" export-trust --format pkcs12 --p12-password-file "$T/p12.pw" -o "$T/empty.p12"
check "it says why" grep -q "no certificate is trusted for server: a truststore would be empty" "$T/err"
check "no file" test ! -e "$T/empty.p12"
expect_exit 0 "an empty database: an empty bundle" p11c -d "$DB" export-trust
check "nothing on standard output" test ! -s "$T/out"
check "it says so" grep -q "no certificate is trusted for server" "$T/err"

make_ca srv "/CN=Server Root"
make_ca cli "/CN=Client Root"
make_ca mail "/CN=Mail Root"
make_ca plain "/CN=Untrusted CA"
fixed_cert peer "/CN=peer.example.com" 20240101000000Z 20340101000000Z
p11c -q -d "$DB" add-cert -C srv "$T/srv.pem"
p11c -q -d "$DB" add-cert --trust client-ca cli "$T/cli.pem"
p11c -q -d "$DB" add-cert --trust email-ca mail "$T/mail.pem"
p11c -q -d "$DB" add-cert --trust peer peer "$T/peer.pem"
certutil -d "sql:$DB" -A -n plain -t ",," -i "$T/plain.pem"
p11c -q -d "$DB" add-selfsign-cert --name own.example.com own
snap=$(snapshot)

# Server: CAs trusted for TLS servers (CT,,: -C trusts for clients too) and the peer.
expect_exit 0 "export-trust (server) to a file" p11c -d "$DB" export-trust -o "$T/server.pem"
check "the bundle: srv and the peer" test "$(subjects "$T/server.pem" | tr '\n' '|')" = \
	"CN = Server Root|CN = peer.example.com|"
check "mode 0644" test "$(stat -c %a "$T/server.pem")" = 644
check "each with its alias above" grep -qx "# srv" "$T/server.pem"
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:relay.example.com\n' >"$T/leaf.ext"
issue() { # NAME CA
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" \
		-subj "/CN=$1" -out "$T/$1.csr" 2>/dev/null &&
		openssl x509 -req -in "$T/$1.csr" -CA "$T/$2.pem" -CAkey "$T/$2.key" -CAcreateserial \
			-days 30 -extfile "$T/leaf.ext" -out "$T/$1.pem" 2>/dev/null
}
issue relay srv
issue other plain
ossl_verify() { openssl verify -CAfile "$1" "$2" >/dev/null 2>&1; }
check "openssl verify takes the bundle as its CA file" ossl_verify "$T/server.pem" "$T/relay.pem"
check "an untrusted CA's certificate does not verify" fails ossl_verify "$T/server.pem" "$T/other.pem"
expect_exit 0 "to standard output" p11c -d "$DB" export-trust
check "the same bundle" cmp "$T/out" "$T/server.pem"

# Client and email.
expect_exit 0 "--usage client" p11c -d "$DB" export-trust --usage client -o "$T/client.pem"
check "client: cli, srv (CT,, is C and T) and the peer" test "$(subjects "$T/client.pem" | tr '\n' '|')" = \
	"CN = Client Root|CN = Server Root|CN = peer.example.com|"
expect_exit 0 "--usage email" p11c -d "$DB" export-trust --usage email -o "$T/email.pem"
check "email: mail alone" test "$(subjects "$T/email.pem")" = "CN = Mail Root"

# A Java truststore.
(umask 077 && echo "store pass" >"$T/p12.pw")
expect_exit 0 "--format pkcs12" p11c -d "$DB" export-trust --format pkcs12 --p12-password-file "$T/p12.pw" -o "$T/trust.p12"
keytool -list -v -keystore "$T/trust.p12" -storetype PKCS12 -storepass "store pass" >"$T/kt" 2>&1
check "keytool: 2 entries" grep -q "Your keystore contains 2 entries" "$T/kt"
check "keytool: both trustedCertEntry" test "$(grep -c 'Entry type: trustedCertEntry' "$T/kt")" = 2
check "keytool: the server root, by alias" grep -q "Alias name: srv" "$T/kt"
fp=$(openssl x509 -in "$T/srv.pem" -noout -fingerprint -sha256 | cut -d= -f2)
check "keytool: its SHA-256" grep -q "SHA256: $fp" "$T/kt"
kt_opens() { keytool -list -keystore "$T/trust.p12" -storetype PKCS12 -storepass "$1" >/dev/null 2>&1; }
check "keytool refuses a wrong password" fails kt_opens wrong
check "openssl pkcs12 reads it: 2 certificates" test \
	"$(openssl pkcs12 -in "$T/trust.p12" -nokeys -passin file:"$T/p12.pw" 2>/dev/null | grep -c 'BEGIN CERTIFICATE')" = 2
check "openssl: SHA-256 MAC" grep -q "MAC: sha256" <(openssl pkcs12 -in "$T/trust.p12" -info -noout -passin file:"$T/p12.pw" 2>&1)
check "openssl: AES-256-CBC" grep -q "PBES2, PBKDF2, AES-256-CBC" <(openssl pkcs12 -in "$T/trust.p12" -info -noout -passin file:"$T/p12.pw" 2>&1)

# Refusals.
expect_exit 2 "pkcs12 without -o" p11c -d "$DB" export-trust --format pkcs12 --p12-password-file "$T/p12.pw"
chmod 644 "$T/p12.pw"
expect_exit 4 "a world-readable password file" p11c -d "$DB" export-trust --format pkcs12 --p12-password-file "$T/p12.pw" -o "$T/bad.p12"
check "nothing written" test ! -e "$T/bad.p12"
expect_exit 2 "a bad usage" p11c -d "$DB" export-trust --usage code
expect_exit 2 "a bad format" p11c -d "$DB" export-trust --format jks
expect_exit 2 "a password file with PEM" p11c -d "$DB" export-trust --p12-password-file "$T/p12.pw"
expect_exit 1 "an unwritable -o" p11c -d "$DB" export-trust -o "$T/no/such/dir/x.pem"
same_as "$snap" "the database is unchanged"

finish
