#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# renew-cert and renew-selfsign-cert: new serial and dates, same alias and
# trust, one certificate per alias; a certificate for another key refused.
. "$(dirname "$0")/lib.sh"
need certutil openssl
new_db
count_alias() { certutil -d "sql:$DB" -L | grep -c "^$1 "; }
field() { sed -n "s/^$1: *//p" "$T/show"; }

make_ca ca "/CN=Renew CA"
p11c -q -d "$DB" request-cert --name mail.example.com --san dns:smtp.example.com -F ascii -o "$T/mail.req"
issue() { # OUT DAYS
	openssl x509 -req -in "$T/mail.req" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
		-days "$2" -copy_extensions copy -out "$1" 2>/dev/null
}
issue "$T/first.pem" 30
issue "$T/second.pem" 400
p11c -q -d "$DB" add-cert mail "$T/first.pem"
p11c -q -d "$DB" add-cert --trust peer,client-ca mail "$T/first.pem"
trust_before=$(trust_of mail)

expect_exit 0 "renew-cert" p11c -d "$DB" renew-cert mail "$T/second.pem"
p11c -d "$DB" show-cert mail >"$T/show"
check "the new serial" test "$(field 'Serial number' | tr a-f A-F)" = \
	"$(openssl x509 -in "$T/second.pem" -noout -serial | cut -d= -f2)"
check "the new expiry" test "$(field 'Not after')" = \
	"$(date -u -d "$(openssl x509 -in "$T/second.pem" -noout -enddate | cut -d= -f2)" '+%Y/%m/%d %H:%M UTC')"
check "trust as before ($trust_before)" test "$(trust_of mail)" = "$trust_before"
check "one certificate answers to mail" test "$(count_alias mail)" = 1
check "certutil holds the second certificate under mail" \
	cmp <(certutil -d "sql:$DB" -L -n mail -r) <(openssl x509 -in "$T/second.pem" -outform DER)
check "the key is still there" grep -q 'mail.example.com' <(certutil -d "sql:$DB" -K -f "$DB/sslpassword.conf" 2>&1)

# A certificate for another key is refused and changes nothing.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/o.key" \
	-subj /CN=mail.example.com -out "$T/other.req" 2>/dev/null
openssl x509 -req -in "$T/other.req" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 90 \
	-out "$T/other.pem" 2>/dev/null
before=$(snapshot)
expect_exit 1 "a certificate for another key is refused" p11c -d "$DB" renew-cert mail "$T/other.pem"
check "it says the key differs" grep -q 'public key differs' "$T/err"
expect_exit 1 "the same certificate again is refused" p11c -d "$DB" renew-cert mail "$T/second.pem"
issue "$T/older.pem" 100
expect_exit 1 "a certificate that expires sooner is refused" p11c -d "$DB" renew-cert mail "$T/older.pem"
check "it says it is not newer" grep -q 'expires no later' "$T/err"
expect_exit 3 "an unknown alias" p11c -d "$DB" renew-cert nosuch "$T/second.pem"
expect_exit 3 "a missing file" p11c -d "$DB" renew-cert mail "$T/nope.pem"
head -c 300 "$T/second.pem" >"$T/trunc.pem"
expect_exit 1 "a truncated file" p11c -d "$DB" renew-cert mail "$T/trunc.pem"
same_as "$before" "refused renewals left the database unchanged"

# renew-selfsign-cert: same key, then a new key.
p11c -q -d "$DB" add-selfsign-cert --name self.example.com --san dns:alt.example.com,ip:192.0.2.9 \
	--key-type ec:p384 --days 5 self
certutil -d "sql:$DB" -L -n self -a >"$T/self.pem"
p11c -q -d "$DB" add-cert --trust peer self "$T/self.pem"
self_trust=$(trust_of self)
old_pub=$(certutil -d "sql:$DB" -L -n self -a | openssl x509 -noout -pubkey)
old_serial=$(certutil -d "sql:$DB" -L -n self -a | openssl x509 -noout -serial)
expect_exit 0 "renew-selfsign-cert --days 120" p11c -d "$DB" renew-selfsign-cert --days 120 self
pem=$(certutil -d "sql:$DB" -L -n self -a)
check "valid 119 days" openssl x509 -noout -checkend $((119 * 86400)) <<<"$pem"
check "a new serial" test "$(openssl x509 -noout -serial <<<"$pem")" != "$old_serial"
check "the same key" test "$(openssl x509 -noout -pubkey <<<"$pem")" = "$old_pub"
check "the same subject" test "$(openssl x509 -noout -subject <<<"$pem")" = "subject=CN = self.example.com"
check "the same SANs" grep -q 'DNS:self.example.com, DNS:alt.example.com, IP Address:192.0.2.9' \
	<(openssl x509 -noout -text <<<"$pem")
check "self-signed, it verifies against itself" openssl verify -CAfile <(echo "$pem") <(echo "$pem")
check "one certificate answers to self" test "$(count_alias self)" = 1
check "its trust is kept ($self_trust)" test "$(trust_of self)" = "$self_trust"
keys_before=$(certutil -d "sql:$DB" -K -f "$DB/sslpassword.conf" 2>&1 | grep -c ' self$')
expect_exit 0 "renew-selfsign-cert --new-key" p11c -d "$DB" renew-selfsign-cert --new-key self
pem=$(certutil -d "sql:$DB" -L -n self -a)
check "a new key" test "$(openssl x509 -noout -pubkey <<<"$pem")" != "$old_pub"
check "of the same kind (P-384)" grep -q 'NIST CURVE: P-384' <(openssl x509 -noout -text <<<"$pem")
check "the old key is gone, one key remains" \
	test "$(certutil -d "sql:$DB" -K -f "$DB/sslpassword.conf" 2>&1 | grep -c ' self$')" = "$keys_before"
ski=$(openssl x509 -noout -ext subjectKeyIdentifier <<<"$pem" | tail -1 | tr -d ' :' | tr A-F a-f)
check "the key certutil lists is the new certificate's (CKA_ID = key id)" \
	grep -q "$ski *self\$" <(certutil -d "sql:$DB" -K -f "$DB/sslpassword.conf" 2>&1)
check "trust still $self_trust after a new key" test "$(trust_of self)" = "$self_trust"
check "one certificate answers to self" test "$(count_alias self)" = 1
expect_exit 1 "renew-selfsign-cert of a CA-issued certificate" p11c -d "$DB" renew-selfsign-cert mail
check "it says to use renew-cert" grep -q 'renew-cert' "$T/err"
expect_exit 3 "renew-selfsign-cert of an unknown alias" p11c -d "$DB" renew-selfsign-cert nosuch
expect_exit 2 "--days 0" p11c -d "$DB" renew-selfsign-cert --days 0 self

finish
