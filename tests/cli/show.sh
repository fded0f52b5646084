#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# show-cert: every field against openssl's reading; --pem, --json; and a
# certificate added by certutil read back by p11cert.
. "$(dirname "$0")/lib.sh"
need certutil openssl python3
new_db

p11c -q -d "$DB" add-selfsign-cert --name mail.example.com --org Example --country US \
	--san dns:mx.example.com,ip:192.0.2.7 --key-type rsa:3072 --days 100 mail
expect_exit 0 "show-cert --pem" p11c -d "$DB" show-cert --pem mail
cp "$T/out" "$T/mail.pem"
check "--pem output parses with openssl" openssl x509 -in "$T/mail.pem" -noout
check "--pem is what certutil stores" \
	cmp <(openssl x509 -in "$T/mail.pem" -outform DER) <(certutil -d "sql:$DB" -L -n mail -r)

p11c -d "$DB" show-cert mail >"$T/show"
field() { sed -n "s/^$1: *//p" "$T/show"; }
ossl() { openssl x509 -in "$T/mail.pem" -noout "$@"; }
check "serial as openssl reads it" \
	test "$(field 'Serial number' | tr a-f A-F)" = "$(ossl -serial | cut -d= -f2)"
check "SHA-256 fingerprint as openssl computes it" \
	test "$(field 'SHA-256 fingerprint')" = "$(ossl -fingerprint -sha256 | cut -d= -f2)"
check "SHA-1 fingerprint as openssl computes it" \
	test "$(field 'SHA-1 fingerprint')" = "$(ossl -fingerprint -sha1 | cut -d= -f2)"
check "subject" test "$(field Subject)" = "CN=mail.example.com,O=Example,C=US"
check "SANs" test "$(field 'Subject alt names')" = "dns:mail.example.com, dns:mx.example.com, ip:192.0.2.7"
check "key type and size" test "$(field Key)" = "rsa:3072"
check "openssl agrees on the key size" grep -q '(3072 bit)' <(ossl -text)
nb=$(date -u -d "$(ossl -startdate | cut -d= -f2)" '+%Y/%m/%d %H:%M UTC')
na=$(date -u -d "$(ossl -enddate | cut -d= -f2)" '+%Y/%m/%d %H:%M UTC')
check "not before as openssl reads it" test "$(field 'Not before')" = "$nb"
check "not after as openssl reads it" test "$(field 'Not after')" = "$na"
check "version 3" test "$(field Version)" = "3 (0x2)"
check "signature algorithm" test "$(field 'Signature algorithm')" = "PKCS #1 SHA-256 With RSA Encryption"
check "trust as certutil shows it" test "$(field Trust)" = "$(trust_of mail)"
check "the key is on the internal token, extractable" \
	test "$(field 'Private key')" = "on token internal, extractable"
check "the key's pkcs11: URI" grep -q '^pkcs11:.*token=NSS%20Certificate%20DB.*type=private' <(field 'Key URI')

# JSON: one object with every field.
expect_exit 0 "show-cert --json" p11c -d "$DB" show-cert --json mail
check "--json parses" python3 -m json.tool "$T/out" >/dev/null
check "--json has every field, with the values openssl sees" python3 - "$T/out" \
	"$(ossl -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f)" \
	"$(ossl -serial | cut -d= -f2 | tr A-F a-f)" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
need = ["alias", "token", "subject", "issuer", "serial", "not_before", "not_after",
        "self_signed", "has_key", "key_type", "sha256", "trust", "san", "version",
        "signature_algorithm", "sha1", "key_token", "key_extractable", "key_uri", "trust_flags"]
missing = [k for k in need if k not in o]
assert not missing, missing
assert o["sha256"] == sys.argv[2], (o["sha256"], sys.argv[2])
assert o["serial"] == sys.argv[3]
assert o["san"] == ["dns:mail.example.com", "dns:mx.example.com", "ip:192.0.2.7"], o["san"]
assert o["self_signed"] is True and o["has_key"] is True
assert o["key_type"] == "rsa:3072" and o["trust"] == "u,u,u"
assert o["not_after"].endswith("Z") and "T" in o["not_after"]
PY

# The other direction: a certificate certutil added.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/o.key" -subj "/O=Elsewhere/CN=Outside CA" \
	-days 10 -addext subjectAltName=DNS:outside.example.org -out "$T/o.pem" 2>/dev/null
printf '%s\n' "$(db_password)" >"$T/pw"
certutil -d "sql:$DB" -A -n outside -t "CT,C," -i "$T/o.pem" -f "$T/pw"
p11c -d "$DB" show-cert outside >"$T/show"
check "certutil's certificate: subject" test "$(field Subject)" = "CN=Outside CA,O=Elsewhere"
check "certutil's certificate: trust CT,C," test "$(field Trust)" = "CT,C,"
check "certutil's certificate: msgcert's trust words" \
	test "$(field '  SSL flags')" = "Valid CA, Trusted CA, Trusted Client CA"
check "certutil's certificate: no key" test "$(field 'Private key')" = "none in the database"
check "certutil's certificate: fingerprint" \
	test "$(field 'SHA-256 fingerprint')" = "$(openssl x509 -in "$T/o.pem" -noout -fingerprint -sha256 | cut -d= -f2)"
check "certutil's certificate in list-certs -C" grep -q '^outside ' <(p11c -d "$DB" list-certs -C)
check "certutil's certificate not in list-certs (no key)" fails grep -q '^outside ' <(p11c -d "$DB" list-certs)

# A serial with its top bit set: DER pads it with 00; shown as openssl shows it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/hi.key" \
	-subj /CN=hi.example.com -set_serial 0x80a1b2 -days 30 -out "$T/hi.pem" 2>/dev/null
p11c -q -d "$DB" add-cert --trust peer hi "$T/hi.pem"
expect_exit 0 "show-cert of a high-bit serial" p11c -d "$DB" show-cert hi
check "the serial as openssl prints it" test \
	"$(sed -n 's/^Serial number: *//p' "$T/out" | tr a-f A-F)" = \
	"$(openssl x509 -in "$T/hi.pem" -noout -serial | cut -d= -f2)"
expect_exit 3 "a missing alias is not found" p11c -d "$DB" show-cert nosuch
expect_exit 2 "--pem and --json together are refused" p11c -d "$DB" show-cert --pem --json mail
expect_exit 3 "a missing database is not found" p11c -d "$T/nodb" show-cert mail

finish
