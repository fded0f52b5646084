#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# add-selfsign-cert: subjects, SANs, key types, validity, CA certificates;
# each checked with openssl and certutil.
. "$(dirname "$0")/lib.sh"
need certutil openssl
new_db

pem() { certutil -d "sql:$DB" -L -n "$1" -a; }
text() { pem "$1" | openssl x509 -noout -text; }

for kt in rsa:2048 rsa:3072 rsa:4096 ec:p256 ec:p384 ec:p521; do
	alias="k-${kt/:/-}"
	expect_exit 0 "--key-type $kt" \
		p11c -d "$DB" add-selfsign-cert --name "$alias.example.com" --key-type "$kt" "$alias"
	pem "$alias" >"$T/$alias.pem"
	t=$(openssl x509 -in "$T/$alias.pem" -noout -text)
	case $kt in
	rsa:*)
		check "$kt: openssl sees an RSA key of ${kt#rsa:} bits" \
			grep -q "Public-Key: (${kt#rsa:} bit)" <<<"$t"
		check "$kt: signed with SHA-256" grep -q 'Signature Algorithm: sha256WithRSAEncryption' <<<"$t"
		;;
	ec:*)
		bits=${kt#ec:p}
		check "$kt: openssl sees a P-$bits key" grep -q "NIST CURVE: P-$bits" <<<"$t"
		want=ecdsa-with-SHA256
		[ "$bits" = 384 ] && want=ecdsa-with-SHA384
		[ "$bits" = 521 ] && want=ecdsa-with-SHA512
		check "$kt: signed with $want" grep -q "Signature Algorithm: $want" <<<"$t"
		;;
	esac
	check "$kt: verifies against itself" openssl verify -CAfile "$T/$alias.pem" "$T/$alias.pem"
	check "$kt: shown by p11cert as $kt" \
		grep -q "^Key: *$kt\$" <(p11c -d "$DB" show-cert "$alias")
done

# Subject from the msgcert fields, SANs, validity.
expect_exit 0 "subject from msgcert fields with SANs" \
	p11c -d "$DB" add-selfsign-cert --name smtp.example.com --org "Example, Inc." \
	--org-unit Messaging --city "Santa Clara" --state CA --country US \
	--san "dns:mx.example.com,ip:192.0.2.1,ip:2001:db8::1,email:postmaster@example.com" \
	--days 30 smtp
t=$(text smtp)
subj=$(pem smtp | openssl x509 -noout -subject -nameopt RFC2253)
check "subject as asked" test "$subj" = 'subject=CN=smtp.example.com,OU=Messaging,O=Example\, Inc.,L=Santa Clara,ST=CA,C=US'
check "the host-name CN is also a DNS SAN" grep -q 'DNS:smtp.example.com' <<<"$t"
check "dns SAN" grep -q 'DNS:mx.example.com' <<<"$t"
check "IPv4 SAN" grep -q 'IP Address:192.0.2.1' <<<"$t"
check "IPv6 SAN" grep -q 'IP Address:2001:DB8:0:0:0:0:0:1' <<<"$t"
check "email SAN" grep -q 'email:postmaster@example.com' <<<"$t"
check "--days 30: valid 29 days from now" openssl x509 -in <(pem smtp) -noout -checkend $((29 * 86400))
check "--days 30: expired in 31 days" fails openssl x509 -in <(pem smtp) -noout -checkend $((31 * 86400))
check "an end-entity certificate says CA:FALSE" grep -q 'CA:FALSE' <<<"$t"
check "with serverAuth and clientAuth" \
	grep -q 'TLS Web Server Authentication, TLS Web Client Authentication' <<<"$t"
serial=$(pem smtp | openssl x509 -noout -serial | cut -d= -f2)
check "the serial is 128 random bits" test "${#serial}" = 32

# -S with an RFC 4514 DN; a CN that is no host name gets no SAN.
expect_exit 0 "-S DN" p11c -d "$DB" add-selfsign-cert -S "CN=Relay Client,O=Example,C=DE" relay
check "-S subject as asked" test "$(pem relay | openssl x509 -noout -subject -nameopt RFC2253)" = \
	'subject=CN=Relay Client,O=Example,C=DE'
check "no SAN for a CN that is no host name" fails grep -q 'Subject Alternative Name' <(text relay)

# A CA for a site's own small PKI.
expect_exit 0 "--ca" p11c -d "$DB" add-selfsign-cert -S "CN=Example Mail CA,O=Example" --ca --days 3650 ca
t=$(text ca)
check "--ca sets CA:TRUE" grep -q 'CA:TRUE' <<<"$t"
check "--ca allows certificate signing" grep -q 'Certificate Sign' <<<"$t"
check "--ca trusts the CA for TLS (certutil CTu,u,u)" grep -Eq '^ca +CTu,u,u' <(certutil -d "sql:$DB" -L)
pem ca >"$T/ca.pem"
check "openssl accepts it as a CA" openssl verify -CAfile "$T/ca.pem" "$T/ca.pem"

# Every key is in key4.db under its alias.
printf '%s\n' "$(db_password)" >"$T/pw"
keys=$(certutil -d "sql:$DB" -K -f "$T/pw" 2>&1)
for a in smtp relay ca k-ec-p256; do
	check "certutil -K lists the key of $a" grep -q " $a\$" <<<"$keys"
done

# Refusals leave the database unchanged.
before=$(snapshot)
expect_exit 2 "RSA below 2048 bits is refused" \
	p11c -d "$DB" add-selfsign-cert --name weak.example.com --key-type rsa:1024 weak
check "the refusal says why" grep -q '2048' "$T/err"
expect_exit 2 "an unknown key type is refused" \
	p11c -d "$DB" add-selfsign-cert --name x.example.com --key-type ec:p192 x
expect_exit 1 "an alias in use is refused" \
	p11c -d "$DB" add-selfsign-cert --name smtp.example.com smtp
expect_exit 2 "-S and --name together are refused" \
	p11c -d "$DB" add-selfsign-cert -S CN=a --name b x
expect_exit 2 "no subject is refused" p11c -d "$DB" add-selfsign-cert x
expect_exit 2 "an invalid DN is refused" p11c -d "$DB" add-selfsign-cert -S "not a dn" x
expect_exit 2 "a bad SAN is refused" p11c -d "$DB" add-selfsign-cert --name a.example --san ip:300.1.1.1 x
expect_exit 2 "a SAN without a type is refused" p11c -d "$DB" add-selfsign-cert --name a.example --san a.example x
expect_exit 2 "--days 0 is refused" p11c -d "$DB" add-selfsign-cert --name a.example --days 0 x
expect_exit 2 "--days abc is refused" p11c -d "$DB" add-selfsign-cert --name a.example --days abc x
expect_exit 2 "a three-letter country is refused" \
	p11c -d "$DB" add-selfsign-cert --name a.example --country USA x
expect_exit 2 "no alias is a usage error" p11c -d "$DB" add-selfsign-cert --name a.example
expect_exit 3 "an unknown token is not found" \
	p11c -d "$DB" add-selfsign-cert --token no-such-token --name a.example x
same_as "$before" "refusals left the database unchanged"

finish
