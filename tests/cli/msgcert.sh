#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Called as msgcert: the procedures of Messaging Server's guide run as
# written there.
. "$(dirname "$0")/lib.sh"
need certutil openssl
ln -s "$P11CERT" "$T/msgcert"
msgcert() { ${P11CERT_WRAPPER:-} "$T/msgcert" "$@"; }
export P11CERT_DB="$DB"

expect_exit 0 "msgcert generate-certDB" msgcert generate-certDB --hostname perseids.example.com
check "Server-Cert is there" test "$(trust_of Server-Cert)" = "u,u,u"
expect_exit 0 "msgcert show-cert Server-Cert" msgcert show-cert Server-Cert
expect_exit 0 "msgcert add-selfsign-cert with the guide's fields" \
	msgcert add-selfsign-cert --name siroe --org comms --org-unit Messaging \
	--city SantaClara --state ca --country us MySelfSigned-Cert
check "subject as the guide asks" test "$(certutil -d "sql:$DB" -L -n MySelfSigned-Cert -a |
	openssl x509 -noout -subject -nameopt RFC2253)" = \
	"subject=CN=siroe,OU=Messaging,O=comms,L=SantaClara,ST=ca,C=us"
check "valid for three months" \
	openssl x509 -in <(certutil -d "sql:$DB" -L -n MySelfSigned-Cert -a) -noout -checkend $((89 * 86400))

cp -p "$DB/sslpassword.conf" "$T/certdbpwd"
expect_exit 0 "msgcert list-certs -W /tmp/certdbpwd" msgcert list-certs -W "$T/certdbpwd"
check "lists both" test "$(tail -1 "$T/out")" = "2 certificates found"
check "Same as issuer for self-signed" grep -q 'Same as issuer' "$T/out"

make_ca ca "/CN=Guide CA"
expect_exit 0 "msgcert add-cert -C CA-cert ca-cert-file" msgcert add-cert -C CA-cert "$T/ca.pem"
check "CA-cert is a trusted CA" test "$(trust_of CA-cert)" = "CT,,"
expect_exit 0 "msgcert list-certs -C" msgcert list-certs -C
check "it lists CA-cert" grep -q '^CA-cert ' "$T/out"

expect_exit 0 "msgcert --help" msgcert --help
check "--help lists the commands" grep -q 'list-certs' "$T/out"
expect_exit 0 "msgcert SUBCMD --help" msgcert add-cert --help
check "SUBCMD --help prints its usage, under msgcert's name" grep -q '^Usage: msgcert add-cert' "$T/out"
expect_exit 0 "msgcert add-cert -?" msgcert add-cert -?
check "-? prints the usage" grep -q 'Usage:' "$T/out"
expect_exit 0 "msgcert -?" msgcert -?

finish
