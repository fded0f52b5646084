#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Names from outside.  sign-request refuses requests (properly self-signed,
# crafted by tests/peers/craftcsr.py) whose SANs hold a NUL, a newline or
# another kind of name, whose subject strings are invalid in their type, or
# that are too large or have too many attributes, SANs or extensions (one
# RDN of 10,000 attributes once took 842 MB); show-cert, list-certs and
# export-trust print such names escaped.  request-cert and
# add-selfsign-cert -S refuse a dotted OID with a plain value (NSS made a
# malformed request of it) and invalid UTF-8 or control characters, before
# any key is made.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/servers.sh"
need certutil openssl python3
python3 -c 'import cryptography' 2>/dev/null || need python3-cryptography
CRAFT="$TESTDIR/../peers/craftcsr.py"
hex() { printf "$1" | od -An -tx1 | tr -d ' \n'; }
new_db
p11c -q -d "$DB" add-selfsign-cert --ca --name "Site CA" --days 3650 siteca
certutil -d "sql:$DB" -L -n siteca -a >"$T/siteca.pem"
snap=$(snapshot)
sign() { p11c -d "$DB" sign-request --ca siteca -o "$T/out.pem" "$@"; }

# refuse NAME WANT CRAFT-ARGS...: sign-request refuses it, saying WANT,
# writes nothing and leaves the database as it was.
refuse() {
	local name=$1 want=$2
	shift 2
	python3 "$CRAFT" "$T/$name.csr" "$@" || { not_ok "cannot craft $name"; return; }
	case $name in
	*utf8*) # OpenSSL will not load invalid UTF-8: what a signed copy would meet
		check "  $name: openssl will not load it either" \
			fails openssl req -in "$T/$name.csr" -noout 2>/dev/null ;;
	*) check "  $name: openssl finds its signature good" \
		openssl req -in "$T/$name.csr" -noout -verify 2>/dev/null ;;
	esac
	expect_exit 1 "sign-request refuses $name" sign "$T/$name.csr"
	if grep -q -- "$want" "$T/err"; then ok "  the message says '$want'"; else
		not_ok "  message: got '$(cat "$T/err")', wanted '$want'"; fi
	check "  no certificate was written" test ! -e "$T/out.pem"
}
cn=(--ava 2.5.4.3 12 "$(hex relay.example.com)")

python3 "$CRAFT" "$T/good.csr" "${cn[@]}" --san dns "$(hex relay.example.com)" \
	--san email "$(hex postmaster@example.com)" --san uri "$(hex https://example.com/)" \
	--san ip c0000207
expect_exit 0 "a crafted request with good names is signed" sign "$T/good.csr"
check "  openssl verify accepts the certificate" \
	openssl verify -CAfile "$T/siteca.pem" "$T/out.pem" >/dev/null
check "  with its SANs" grep -q 'DNS:relay.example.com, email:postmaster@example.com, URI:https://example.com/, IP Address:192.0.2.7' \
	<(openssl x509 -in "$T/out.pem" -noout -ext subjectAltName)
rm -f "$T/out.pem"

refuse nul-dns "invalid dNSName 'good.example.com\\\\x00.evil.com'" "${cn[@]}" \
	--san dns "$(hex good.example.com)00$(hex .evil.com)"
refuse newline-dns "invalid dNSName 'a\\\\x0ab.example.com'" "${cn[@]}" --san dns "$(hex 'a\nb.example.com')"
refuse space-dns "invalid dNSName" "${cn[@]}" --san dns "$(hex 'a b.example.com')"
refuse eightbit-dns "invalid dNSName" "${cn[@]}" --san dns "$(hex 'caf\xc3\xa9.example.com')"
refuse nul-email "invalid rfc822Name" "${cn[@]}" --san email "$(hex 'a@example.com')00"
refuse bad-email "invalid rfc822Name" "${cn[@]}" --san email "$(hex 'no-at-sign.example.com')"
refuse ctl-uri "invalid URI" "${cn[@]}" --san uri "$(hex 'https://example.com/\r\nx')"
refuse bad-ip "invalid iPAddress" "${cn[@]}" --san ip c00002
refuse othername "holds an otherName" "${cn[@]}" --san other "$(hex admin@example.com)"
refuse bad-utf8-cn "is not valid UTF-8" --ava 2.5.4.3 12 ff
refuse overlong-utf8-cn "is not valid UTF-8" --ava 2.5.4.3 12 c0af
refuse newline-cn "holds a control character" --ava 2.5.4.3 12 "$(hex 'evil\nCN=x')"
refuse c1-cn "holds a control character" --ava 2.5.4.3 12 c29b
refuse printable-cn "a PrintableString may not" --ava 2.5.4.3 19 "$(hex 'a@example.com')"
refuse ia5-8bit "an IA5String may not" --ava 1.2.840.113549.1.9.1 22 "$(hex 'a\xffb')"
refuse teletex-cn "is not a UTF8String, PrintableString" --ava 2.5.4.3 20 "$(hex relay)"
refuse many-sans "more than 256 names" "${cn[@]}" \
	$(for i in $(seq 300); do printf -- '--san dns %s ' "$(hex "h$i.example.com")"; done)
refuse many-exts "more than 32 extensions" "${cn[@]}" --exts 40
refuse many-attrs "more than 64 attributes" --rdn-of 3000
python3 "$CRAFT" "$T/huge.csr" --rdn-of 10000
check "the 10,000-attribute request is over 64 KiB ($(stat -c %s "$T/huge.csr") bytes)" \
	test "$(stat -c %s "$T/huge.csr")" -gt 65536
start=$(date +%s)
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%M' -o "$T/rss" "$P11CERT" -d "$DB" sign-request --ca siteca \
		-o "$T/out.pem" "$T/huge.csr" 2>"$T/err"
	echo "# 10,000 attributes in one RDN: refused in $(($(date +%s) - start)) s, max RSS $(tail -1 "$T/rss") KiB"
fi
expect_exit 1 "the 10,000-attribute request is refused" sign "$T/huge.csr"
check "  naming the limit ($(cat "$T/err"))" grep -q 'larger than 64 KiB' "$T/err"
same_as "$snap" "the database is unchanged after the refusals"

# Certificates from elsewhere with such names are shown escaped.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/o.key" \
	-subj /CN=Other -days 30 -out "$T/o.pem" 2>/dev/null
python3 "$CRAFT" "$T/evil.csr" --ava 2.5.4.3 12 "$(hex 'evil\nFAKE\x1b[31m')" \
	--san dns "$(hex good.example.com)00$(hex .evil.com)" --san dns "$(hex 'a\nb')"
openssl x509 -req -in "$T/evil.csr" -CA "$T/o.pem" -CAkey "$T/o.key" -days 10 \
	-copy_extensions copy -out "$T/evil.pem" 2>/dev/null
p11c -q -d "$DB" add-cert --trust server-ca evil "$T/evil.pem"
p11c -d "$DB" show-cert evil >"$T/show"
check "show-cert shows the NUL and the newline of the SANs escaped" \
	grep -qF 'dns:good.example.com\x00.evil.com, dns:a\x0ab' "$T/show"
check "show-cert prints no escape character and no line of the subject's own" \
	test "$(grep -c $'\x1b' "$T/show")" = 0 -a "$(grep -c '^FAKE' "$T/show")" = 0
p11c -d "$DB" list-certs --all >"$T/list"
check "list-certs: no raw control character" test "$(grep -c $'\x1b' "$T/list")" = 0 -a \
	"$(grep -c '^FAKE' "$T/list")" = 0
p11c -d "$DB" list-certs --all --json >"$T/json"
check "list-certs --json is valid JSON with the SAN escaped" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sans = [s for c in d for s in c["san"]]
sys.exit(0 if "dns:good.example.com\\x00.evil.com" in sans else 1)' "$T/json"
p11c -q -d "$DB" export-trust -o "$T/bundle.pem"
check "export-trust: the comment lines add no line of the subject's own" \
	test "$(grep -c '^FAKE' "$T/bundle.pem")" = 0
check "  and openssl still reads every certificate of the bundle" \
	test "$(openssl crl2pkcs7 -nocrl -certfile "$T/bundle.pem" | openssl pkcs7 -print_certs | grep -c '^subject')" = 2
p11c -d "$DB" check >"$T/check" 2>&1
p11c -d "$DB" verify-cert evil >>"$T/check" 2>&1
check "check and verify-cert: no raw escape character, no line of the subject's own" \
	test "$(grep -c $'\x1b' "$T/check")" = 0 -a "$(grep -c '^FAKE' "$T/check")" = 0
p11c -q -d "$DB" remove-cert evil

# ... and so does fetch-chain, for what a server presents.
python3 "$CRAFT" "$T/srv.csr" --ava 2.5.4.3 12 "$(hex 'srv\nFAKE\x1b[31m')" \
	--san dns "$(hex 'x\ny')" --key-out "$T/srv.key"
openssl x509 -req -in "$T/srv.csr" -CA "$T/o.pem" -CAkey "$T/o.key" -days 10 \
	-copy_extensions copy -out "$T/srv.pem" 2>/dev/null
PT=$(free_port)
start_tls_server 127.0.0.1 "$PT" "$T/srv.pem" "$T/srv.key"
p11c -d "$DB" fetch-chain --timeout 5 "https://127.0.0.1:$PT" >"$T/fetch" 2>&1
check "fetch-chain shows the server's names escaped" grep -qF 'x\x0ay' "$T/fetch"
check "  with no raw escape character and no line of the name's own" \
	test "$(grep -c $'\x1b' "$T/fetch")" = 0 -a "$(grep -c '^FAKE' "$T/fetch")" = 0

# -S: dotted OIDs, escapes, control characters; refused before a key is made.
snap=$(snapshot)
for bad in '2.5.4.3=viaoid' 'OID.2.5.4.3=viaoid' 'CN=x,1.2.3.4=foo' 'CN=\ff' 'CN=a\0Ab' 'CN=\c0\af'; do
	expect_exit 2 "request-cert -S '$bad' is refused" \
		p11c -d "$DB" request-cert -S "$bad" --alias k1 -F ascii -o "$T/r.pem"
	expect_exit 2 "add-selfsign-cert -S '$bad' is refused" \
		p11c -d "$DB" add-selfsign-cert -S "$bad" k2
done
check "  no request was written" test ! -e "$T/r.pem"
same_as "$snap" "  no key was made (certutil -K unchanged)"
expect_exit 0 "request-cert -S with a dotted OID and a #hex DER value" \
	p11c -d "$DB" request-cert -S '2.5.4.3=#0c0776696120686578' --alias viahex -F ascii -o "$T/r.pem"
check "  openssl reads it: CN=via hex" grep -q 'CN *= *via hex' \
	<(openssl req -in "$T/r.pem" -noout -verify -subject 2>&1)
expect_exit 0 "request-cert -S with UTF-8 and DC" \
	p11c -d "$DB" request-cert -S 'CN=café.example.com,DC=example,DC=com' --alias utf -F ascii -o "$T/r2.pem"
check "  openssl reads it" openssl req -in "$T/r2.pem" -noout -verify 2>/dev/null
finish
