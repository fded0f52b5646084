#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# sign-request: a site CA made with add-selfsign-cert --ca issues
# certificates from openssl's and p11cert's requests, checked with openssl
# verify and x509; bad requests and unfit CAs are refused and the database
# stays as it was.
. "$(dirname "$0")/lib.sh"
need certutil openssl python3
new_db
p11c -q -d "$DB" add-selfsign-cert --ca --name "Site CA" --org Example --days 3650 siteca
certutil -d "sql:$DB" -L -n siteca -a >"$T/siteca.pem"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/relay.key" \
	-subj "/CN=relay.example.com/O=Example" \
	-addext "subjectAltName=DNS:relay.example.com,DNS:mx.example.com,IP:192.0.2.7" \
	-out "$T/relay.csr" 2>/dev/null
openssl req -in "$T/relay.csr" -outform DER -out "$T/relay.der"
snap=$(snapshot)
text() { openssl x509 -in "$1" -noout -text; }
verifies() { openssl verify -CAfile "$T/siteca.pem" -purpose "$2" "$1" >/dev/null 2>&1; }

# A server certificate, the default.
expect_exit 0 "sign-request" p11c -d "$DB" sign-request --ca siteca -o "$T/relay.pem" "$T/relay.csr"
check "openssl verify: good for an SSL server" verifies "$T/relay.pem" sslserver
check "the subject is the request's" test "$(openssl x509 -in "$T/relay.pem" -noout -subject -nameopt RFC2253)" = \
	"subject=O=Example,CN=relay.example.com"
check "the issuer is the CA" test "$(openssl x509 -in "$T/relay.pem" -noout -issuer -nameopt RFC2253)" = \
	"issuer=CN=Site CA,O=Example"
check "the SANs are the request's" grep -q "DNS:relay.example.com, DNS:mx.example.com, IP Address:192.0.2.7" <(text "$T/relay.pem")
check "serverAuth alone" test "$(text "$T/relay.pem" | grep -A1 'Extended Key Usage' | tail -1 | tr -d ' ')" = "TLSWebServerAuthentication"
check "not a CA" grep -q "CA:FALSE" <(text "$T/relay.pem")
check "the same public key" cmp <(openssl x509 -in "$T/relay.pem" -noout -pubkey) <(openssl pkey -in "$T/relay.key" -pubout)
serial=$(openssl x509 -in "$T/relay.pem" -noout -serial | cut -d= -f2)
check "a 128-bit serial" test "${#serial}" = 32
end=$(date -u -d "$(openssl x509 -in "$T/relay.pem" -noout -enddate | cut -d= -f2)" +%s)
check "valid for 365 days" test $(((end - $(date -u +%s)) / 86400)) = 364 -o $(((end - $(date -u +%s)) / 86400)) = 365
check "the certificate goes with its key (openssl)" test \
	"$(openssl x509 -in "$T/relay.pem" -noout -pubkey | openssl sha256)" = "$(openssl pkey -in "$T/relay.key" -pubout | openssl sha256)"
same_as "$snap" "the database is unchanged"

# Usages, days, DER in, standard output out.
expect_exit 0 "--usage client --days 30, DER request" p11c -d "$DB" sign-request --ca siteca --usage client --days 30 "$T/relay.der"
cp "$T/out" "$T/client.pem"
check "PEM on standard output" grep -q "^-----BEGIN CERTIFICATE-----" "$T/client.pem"
check "good for an SSL client" verifies "$T/client.pem" sslclient
check "not for an SSL server" fails verifies "$T/client.pem" sslserver
end=$(date -u -d "$(openssl x509 -in "$T/client.pem" -noout -enddate | cut -d= -f2)" +%s)
check "valid for 30 days" test $(((end - $(date -u +%s) + 3600) / 86400)) = 30
expect_exit 0 "--usage server,client" p11c -d "$DB" sign-request --ca siteca --usage server,client -o "$T/both.pem" "$T/relay.csr"
check "good for both" verifies "$T/both.pem" sslserver
check "and for clients" verifies "$T/both.pem" sslclient
check "a new serial each time" test "$(openssl x509 -in "$T/both.pem" -noout -serial)" != "serial=$serial"

# The whole job: p11cert's request in another database, signed here, added there.
OTHER=$T/other
new_db "$OTHER"
p11c -q -d "$OTHER" request-cert --name smtp.example.com --san dns:smtp.example.com -F ascii -o "$T/smtp.csr"
expect_exit 0 "sign p11cert's request" p11c -d "$DB" sign-request --ca siteca -o "$T/smtp.pem" "$T/smtp.csr"
expect_exit 0 "add the CA there" p11c -d "$OTHER" add-cert -C siteca "$T/siteca.pem"
expect_exit 0 "add the reply there" p11c -d "$OTHER" add-cert smtp "$T/smtp.pem"
expect_exit 0 "verify-cert there: trusted" p11c -d "$OTHER" verify-cert smtp
check "certutil -V agrees" grep -q "certificate is valid" <(certutil -d "sql:$OTHER" -V -u V -n smtp 2>&1)

# Refused, each with one line, nothing written, the database unchanged.
p11c -q -d "$DB" add-selfsign-cert --name leaf.example.com notaca
snap=$(snapshot)
python3 - "$T/relay.der" "$T/badsig.der" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[-3] ^= 0xff  # inside the signature
open(sys.argv[2], "wb").write(d)
PY
expect_exit 1 "a request whose signature does not verify" p11c -d "$DB" sign-request --ca siteca -o "$T/bad.pem" "$T/badsig.der"
check "it says so" grep -q "signature of the request in .* does not verify" "$T/err"
check "no file written" test ! -e "$T/bad.pem"
head -c 300 "$T/relay.csr" >"$T/trunc.csr"
expect_exit 1 "a truncated request" p11c -d "$DB" sign-request --ca siteca "$T/trunc.csr"
check "it says truncated" grep -q "truncated" "$T/err"
expect_exit 1 "a certificate instead of a request" p11c -d "$DB" sign-request --ca siteca "$T/relay.pem"
check "it says it is a certificate" grep -q "is a certificate, not a request" "$T/err"
head -c 100 /dev/urandom >"$T/junk.der"
printf '\x30' | cat - "$T/junk.der" >"$T/junk2.der"
expect_exit 1 "junk DER" p11c -d "$DB" sign-request --ca siteca "$T/junk2.der"
: >"$T/empty.csr"
expect_exit 1 "an empty file" p11c -d "$DB" sign-request --ca siteca "$T/empty.csr"
expect_exit 3 "no such file" p11c -d "$DB" sign-request --ca siteca "$T/nosuch.csr"
openssl req -new -newkey rsa:1024 -nodes -keyout "$T/weak.key" -subj /CN=weak -out "$T/weak.csr" 2>/dev/null
expect_exit 1 "an RSA 1024 request" p11c -d "$DB" sign-request --ca siteca "$T/weak.csr"
check "it says too weak" grep -q "RSA key of 1024 bits is too weak" "$T/err"
expect_exit 1 "a CA that is not a CA" p11c -d "$DB" sign-request --ca notaca "$T/relay.csr"
check "it says so" grep -q "'notaca' is not a CA certificate" "$T/err"
expect_exit 1 "--days past the CA's expiry" p11c -d "$DB" sign-request --ca siteca --days 4000 "$T/relay.csr"
check "it says how many days at most" grep -q "runs past the expiry of CA 'siteca': 36[45][0-9] days at most" "$T/err"
expect_exit 3 "an unknown CA" p11c -d "$DB" sign-request --ca nosuch "$T/relay.csr"
expect_exit 2 "no --ca" p11c -d "$DB" sign-request "$T/relay.csr"
expect_exit 2 "a bad --usage" p11c -d "$DB" sign-request --ca siteca --usage email "$T/relay.csr"
expect_exit 2 "--days 0" p11c -d "$DB" sign-request --ca siteca --days 0 "$T/relay.csr"
expect_exit 2 "no FILE" p11c -d "$DB" sign-request --ca siteca
expect_exit 1 "an unwritable -o" p11c -d "$DB" sign-request --ca siteca -o "$T/no/such/dir/x.pem" "$T/relay.csr"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-224 -nodes -keyout "$T/p224.key" -subj /CN=p224 -out "$T/p224.csr" 2>/dev/null
expect_exit 1 "a P-224 request" p11c -d "$DB" sign-request --ca siteca "$T/p224.csr"
check "it says too weak, not a bad signature" grep -q "EC key of 224 bits is too weak" "$T/err"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/dup.key" \
	-subj "/O=Example/CN=Site CA" -out "$T/dup.csr" 2>/dev/null
expect_exit 1 "a request named as the CA" p11c -d "$DB" sign-request --ca siteca "$T/dup.csr"
check "it says so" grep -q "the request's subject is the CA's own" "$T/err"
same_as "$snap" "the database is unchanged after all that"

# An empty subject: the SANs name the holder, and are critical (RFC 5280).
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/nosubj.key" \
	-subj "/" -addext "subjectAltName=DNS:only-san.example.com" -out "$T/nosubj.csr" 2>/dev/null
expect_exit 0 "a request with an empty subject" p11c -d "$DB" sign-request --ca siteca -o "$T/nosubj.pem" "$T/nosubj.csr"
check "its subjectAltName is critical" grep -q "X509v3 Subject Alternative Name: critical" <(text "$T/nosubj.pem")
check "openssl verify takes it" verifies "$T/nosubj.pem" sslserver

finish
