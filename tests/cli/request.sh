#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# request-cert: requests openssl accepts, with the subject and SANs asked,
# on the internal token and on a SoftHSM token; the CA's reply installed
# with add-cert and verified.
. "$(dirname "$0")/lib.sh"
need certutil openssl softhsm2-util pkcs11-tool
make_token hsm-a 1111
new_db
(umask 077 && { cat "$DB/sslpassword.conf"; echo "hsm-a:1111"; } >"$T/pw")

i=0
for token in internal hsm-a; do
	for kt in rsa:2048 ec:p256 ec:p384; do
		for fmt in ascii binary; do
			i=$((i + 1))
			what="$kt, -F $fmt, on $token"
			expect_exit 0 "request-cert ($what)" p11c -d "$DB" -W "$T/pw" --token "$token" \
				request-cert --name "r$i.example.com" --org Example --country US \
				--san "dns:mx$i.example.com,ip:192.0.2.$i" --key-type "$kt" -F "$fmt" -o "$T/r$i.req"
			form=PEM
			[ "$fmt" = binary ] && form=DER
			check "$what: the file is $form" \
				test "$(head -c 35 "$T/r$i.req" | grep -c 'BEGIN CERTIFICATE REQUEST')" = "$([ $form = PEM ] && echo 1 || echo 0)"
			check "$what: openssl req -verify accepts it" \
				openssl req -inform "$form" -in "$T/r$i.req" -verify -noout
			text=$(openssl req -inform "$form" -in "$T/r$i.req" -noout -text)
			check "$what: subject" grep -q "Subject: C *= *US, O *= *Example, CN *= *r$i.example.com" <<<"$text"
			check "$what: SANs requested" \
				grep -q "DNS:r$i.example.com, DNS:mx$i.example.com, IP Address:192.0.2.$i" <<<"$text"
			case $kt in
			rsa:*) check "$what: signed with SHA-256" grep -q 'sha256WithRSAEncryption' <<<"$text" ;;
			ec:p256) check "$what: signed with ECDSA SHA-256" grep -q 'ecdsa-with-SHA256' <<<"$text" ;;
			ec:p384) check "$what: signed with ECDSA SHA-384" grep -q 'ecdsa-with-SHA384' <<<"$text" ;;
			esac
		done
	done
done
check "keys of internal requests are in key4.db under the CN" \
	grep -q ' r1.example.com$' <(certutil -d "sql:$DB" -K -f "$DB/sslpassword.conf" 2>&1)
check "keys of hsm-a requests are on the token, never extractable" \
	grep -q 'never extractable' <<<"$(token_key hsm-a 1111 r7.example.com)"
check "and not in key4.db" fails grep -q ' r7.example.com$' <(certutil -d "sql:$DB" -K -f "$DB/sslpassword.conf" 2>&1)

# To standard output, DER by default, key named by --alias.
p11c -d "$DB" request-cert -S "CN=Std Out,O=Example" --alias stdout-key >"$T/stdout.der" 2>"$T/err"
check "standard output gets a DER request" openssl req -inform DER -in "$T/stdout.der" -verify -noout
check "the key is named by --alias" grep -q ' stdout-key$' <(certutil -d "sql:$DB" -K -f "$DB/sslpassword.conf" 2>&1)

# The CA's reply, with its chain, finds the key.
make_ca root "/CN=Request Root/O=Example"
make_ca inter "/CN=Request Intermediate/O=Example" root
openssl x509 -req -in "$T/r1.req" -CA "$T/inter.pem" -CAkey "$T/inter.key" -CAcreateserial \
	-days 200 -copy_extensions copy -out "$T/r1.pem" 2>/dev/null
cat "$T/r1.pem" "$T/inter.pem" >"$T/reply.pem"
expect_exit 0 "add-cert installs the reply" p11c -d "$DB" add-cert mail "$T/reply.pem"
check "certutil lists it with its key" test "$(trust_of mail)" = "u,u,u"
check "list-certs lists it, issued by the intermediate" \
	grep -q '^mail .* n  *O=Example,CN=Request Intermediate  *CN=r1.example.com,O=Example,C=US$' <(p11c -d "$DB" list-certs)
p11c -q -d "$DB" add-cert -C root "$T/root.pem"
check "certutil -V verifies the chain" certutil -d "sql:$DB" -V -n mail -u V
check "openssl verifies the stored certificate" \
	openssl verify -CAfile "$T/root.pem" -untrusted "$T/inter.pem" <(certutil -d "sql:$DB" -L -n mail -a)

# The same on the token: the reply is stored beside the key on hsm-a.
openssl x509 -req -inform PEM -in <(openssl req -inform DER -in "$T/r8.req") -CA "$T/inter.pem" \
	-CAkey "$T/inter.key" -CAcreateserial -days 200 -copy_extensions copy -out "$T/r8.pem" 2>/dev/null
expect_exit 0 "add-cert of a reply for a token key" p11c -d "$DB" -W "$T/pw" add-cert relay "$T/r8.pem"
check "it says it added hsm-a:relay (got: $(cat "$T/err"))" grep -qx "added 'hsm-a:relay'" "$T/err"
check "the certificate is on hsm-a as hsm-a:relay" grep -q '^hsm-a:relay ' <(p11c -d "$DB" -W "$T/pw" list-certs)
check "pkcs11-tool sees it on the token" grep -q 'label: *relay' <(token_objects hsm-a 1111)

# Refusals: nothing changes.
before=$(snapshot)
expect_exit 2 "RSA-1024 is refused" p11c -d "$DB" request-cert --name w.example.com --key-type rsa:1024 -o "$T/w.req"
check "no request file is left" test ! -e "$T/w.req"
echo "keep me" >"$T/existing.req"
expect_exit 2 "a refused request over an existing -o file" \
	p11c -d "$DB" request-cert --name w.example.com --key-type rsa:1024 -o "$T/existing.req"
check "the existing file is as it was" test "$(cat "$T/existing.req")" = "keep me"
check "no temporary file is left beside it" test "$(ls "$T" | grep -c '^existing.req')" = 1
expect_exit 2 "-F with another word" p11c -d "$DB" request-cert --name w.example.com -F text
expect_exit 2 "no subject" p11c -d "$DB" request-cert -o "$T/w.req"
expect_exit 1 "an output file in a missing directory" p11c -d "$DB" request-cert --name w.example.com -o "$T/no/dir/w.req"
expect_exit 1 "a key name in use" p11c -d "$DB" request-cert --name r1.example.com -o "$T/w.req"
expect_exit 1 "an alias in use" p11c -d "$DB" request-cert --name x.example.com --alias mail -o "$T/w.req"
expect_exit 2 "an unknown key type" p11c -d "$DB" request-cert --name w.example.com --key-type dsa:2048 -o "$T/w.req"
expect_exit 2 "an over-long SAN list (1001 names)" p11c -d "$DB" request-cert --name w.example.com \
	--san "$(seq -f 'dns:h%g.example.com' 0 1000 | paste -sd,)" -o "$T/w.req"
check "it says how many SANs are allowed" grep -q 'more than 1000 SANs' "$T/err"
expect_exit 1 "a reply that is a request, not a certificate" p11c -d "$DB" add-cert mail2 "$T/r1.req"
check "it says it is a certificate request" grep -q 'is a certificate request' "$T/err"
same_as "$before" "refused requests left the database unchanged"

# A CN and O with characters that need escaping in a DN.
expect_exit 0 "a CN with , \" + and an O with ;" \
	p11c -d "$DB" request-cert --name 'Mail, "Relay" + Co' --org 'A;B' -F ascii -o "$T/esc.req"
check "openssl reads the subject back as given" \
	test "$(openssl req -in "$T/esc.req" -noout -subject -nameopt RFC2253)" = 'subject=CN=Mail\, \"Relay\" \+ Co,O=A\;B'
check "and no DNS SAN for a CN that is no host name" fails grep -q 'DNS:' <(openssl req -in "$T/esc.req" -noout -text)

finish
