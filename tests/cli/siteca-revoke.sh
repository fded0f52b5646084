#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# revoke-cert and gen-crl: the site CA's CRL read by openssl (signature,
# nextUpdate, entries, reasons, CRL number) and used by openssl verify
# -crl_check and by selfserv (crlutil -I); RSA, EC and a SoftHSM CA; bad
# input leaves the database and the record as they were.
. "$(dirname "$0")/lib.sh"
need certutil openssl crlutil selfserv tstclnt softhsm2-util
. "$(dirname "$0")/servers.sh"
new_db
PW="$DB/sslpassword.conf"

expect_eq() { # WHAT GOT WANTED
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', wanted '$3'"; fi
}

# issue CA NAME: a client certificate for a new openssl key, $T/NAME.pem
issue() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$2.key" \
		-subj "/CN=$2" -out "$T/$2.csr" 2>/dev/null &&
		p11c -q -d "$DB" sign-request --ca "$1" --usage server,client --days 30 -o "$T/$2.pem" "$T/$2.csr" ||
		{ echo "cannot issue $2" >&2; exit 1; }
}
# entry_has SERIAL TEXT: the CRL's $text has TEXT in SERIAL's entry
entry_has() { grep -A4 "Serial Number: $1" <<<"$text" | grep -q "$2"; }
serial_of() { openssl x509 -in "$T/$1.pem" -noout -serial | sed 's/^serial=//'; }

for kt in rsa:2048 ec:p256; do
	ca=ca-${kt%%:*}
	p11c -q -d "$DB" add-selfsign-cert --ca -S "CN=Site CA $kt" --key-type "$kt" --days 365 "$ca" ||
		exit 1
	certutil -d "sql:$DB" -L -n "$ca" -a >"$T/$ca.pem"
	issue "$ca" "$ca-bad"
	issue "$ca" "$ca-good"
	issue "$ca" "$ca-other"
	expect_exit 0 "$kt: revoke-cert FILE --reason keyCompromise" \
		p11c -d "$DB" revoke-cert --ca "$ca" --reason keycompromise "$T/$ca-bad.pem"
	s=$(serial_of "$ca-other")
	colons=$(sed 's/../&:/g; s/:$//' <<<"$s")
	expect_exit 0 "$kt: revoke-cert SERIAL with colons" \
		p11c -d "$DB" revoke-cert --ca "$ca" --reason superseded "$colons"
	expect_exit 0 "$kt: revoking again is a notice, exit 0" \
		p11c -d "$DB" revoke-cert --ca "$ca" "$s"
	check "$kt: ... that says so" grep -q 'before' "$T/err"
	expect_exit 0 "$kt: gen-crl --days 3" p11c -d "$DB" gen-crl --ca "$ca" --days 3 -o "$T/$ca.crl"
	check "$kt: the CRL is PEM" grep -q -- '-----BEGIN X509 CRL-----' "$T/$ca.crl"
	check "$kt: openssl crl -verify accepts its signature" \
		openssl crl -in "$T/$ca.crl" -noout -verify -CAfile "$T/$ca.pem"
	text=$(openssl crl -in "$T/$ca.crl" -noout -text)
	check "$kt: v2" grep -q 'Version 2' <<<"$text"
	check "$kt: authorityKeyIdentifier" grep -q 'Authority Key Identifier' <<<"$text"
	expect_eq "$kt: CRL number 1" "$(openssl crl -in "$T/$ca.crl" -noout -crlnumber)" "crlNumber=0x01"
	lu=$(date -d "$(openssl crl -in "$T/$ca.crl" -noout -lastupdate | sed 's/^lastUpdate=//')" +%s)
	nu=$(date -d "$(openssl crl -in "$T/$ca.crl" -noout -nextupdate | sed 's/^nextUpdate=//')" +%s)
	expect_eq "$kt: nextUpdate is 3 days after thisUpdate" "$((nu - lu))" "$((3 * 86400))"
	now=$(date +%s)
	check "$kt: thisUpdate is now" test $((now - lu)) -lt 120
	bad=$(serial_of "$ca-bad")
	check "$kt: the revoked certificate is listed with keyCompromise" \
		entry_has "$bad" 'Key Compromise'
	check "$kt: ... and its date" entry_has "$bad" 'Revocation Date'
	check "$kt: the one revoked by serial is listed as superseded" entry_has "$s" 'Superseded'
	good=$(serial_of "$ca-good")
	check "$kt: the good one is not listed" fails grep -q "$good" <<<"$text"
	expect_exit 0 "$kt: gen-crl again, DER" \
		p11c -d "$DB" gen-crl --ca "$ca" -F binary -o "$T/$ca.der"
	expect_eq "$kt: CRL number 2" \
		"$(openssl crl -inform DER -in "$T/$ca.der" -noout -crlnumber)" "crlNumber=0x02"
	nu=$(date -d "$(openssl crl -inform DER -in "$T/$ca.der" -noout -nextupdate | sed 's/^nextUpdate=//')" +%s)
	lu=$(date -d "$(openssl crl -inform DER -in "$T/$ca.der" -noout -lastupdate | sed 's/^lastUpdate=//')" +%s)
	expect_eq "$kt: default nextUpdate 7 days" "$((nu - lu))" "$((7 * 86400))"
	openssl crl -inform DER -in "$T/$ca.der" -out "$T/$ca-2.crl"
	check "$kt: openssl verify -crl_check refuses the revoked certificate" \
		fails openssl verify -crl_check -CAfile "$T/$ca.pem" -CRLfile "$T/$ca-2.crl" "$T/$ca-bad.pem"
	out=$(openssl verify -crl_check -CAfile "$T/$ca.pem" -CRLfile "$T/$ca-2.crl" "$T/$ca-bad.pem" 2>&1)
	check "$kt: ... as revoked" grep -q 'certificate revoked' <<<"$out"
	check "$kt: openssl verify -crl_check accepts the good one" \
		openssl verify -crl_check -CAfile "$T/$ca.pem" -CRLfile "$T/$ca-2.crl" "$T/$ca-good.pem"
done

# The CA's key on a SoftHSM token.
make_token site-hsm 1234
(umask 077 && echo "site-hsm:1234" >>"$PW")
p11c -q -d "$DB" add-module softhsm "$SOFTHSM_MODULE" || exit 1
for kt in ec:p256 rsa:2048; do
	h=hsm-${kt%%:*}
	p11c -q -d "$DB" add-selfsign-cert --token site-hsm --ca -S "CN=Site CA on a token $kt" \
		--key-type "$kt" --days 365 "$h" 2>/dev/null || exit 1
	p11c -q -d "$DB" export-cert --format pem -o "$T/$h.pem" "site-hsm:$h" || exit 1
	issue "site-hsm:$h" "$h-bad"
	issue "site-hsm:$h" "$h-good"
	expect_exit 0 "token CA $kt: revoke-cert --token" \
		p11c -d "$DB" --token site-hsm revoke-cert --ca "$h" --reason cessationofoperation "$T/$h-bad.pem"
	expect_exit 0 "token CA $kt: gen-crl, signed on the token" \
		p11c -d "$DB" gen-crl --ca "site-hsm:$h" -o "$T/$h.crl"
	check "token CA $kt: openssl crl -verify" openssl crl -in "$T/$h.crl" -noout -verify -CAfile "$T/$h.pem"
	text=$(openssl crl -in "$T/$h.crl" -noout -text)
	check "token CA $kt: the entry says cessationOfOperation" \
		entry_has "$(serial_of "$h-bad")" 'Cessation Of Operation'
	check "token CA $kt: openssl verify -crl_check refuses the revoked one" \
		fails openssl verify -crl_check -CAfile "$T/$h.pem" -CRLfile "$T/$h.crl" "$T/$h-bad.pem"
	check "token CA $kt: ... and accepts the good one" \
		openssl verify -crl_check -CAfile "$T/$h.pem" -CRLfile "$T/$h.crl" "$T/$h-good.pem"
done

# selfserv -r -r with the CRL imported (crlutil -I): the revoked client
# certificate is refused, the good one accepted.
p11c -q -d "$DB" add-selfsign-cert --name localhost --key-type ec:p256 srv || exit 1
client_db() { # NAME: an NSS database $T/NAME-db holding $T/NAME.pem and its key as 'client'
	mkdir -p "$T/$1-db" && certutil -N -d "sql:$T/$1-db" --empty-password &&
		openssl pkcs12 -export -in "$T/$1.pem" -inkey "$T/$1.key" -name client \
			-passout pass:p12 -out "$T/$1.p12" &&
		pk12util -i "$T/$1.p12" -d "sql:$T/$1-db" -W p12 -K '' >/dev/null ||
		{ echo "cannot make the client database $1" >&2; exit 1; }
}
# tls_get NAME: tstclnt from $T/NAME-db with its certificate through selfserv -r -r
tls_get() {
	local port
	port=$(free_port)
	spawn selfserv 127.0.0.1 "$port" "$T/selfserv.log" \
		selfserv -d "sql:$DB" -n srv -p "$port" -f "$PW" -r -r
	printf 'GET / HTTP/1.0\r\n\r\n' |
		timeout 4 tstclnt -h 127.0.0.1 -p "$port" -d "sql:$T/$1-db" -o -n client >"$T/tstclnt.out" 2>&1
	stop_servers
	grep -q "HTTP/1.0 200" "$T/tstclnt.out"
}
client_db ca-ec-bad
client_db ca-ec-good
check "selfserv accepts the client certificate before the CRL" tls_get ca-ec-bad
crlutil -I -d "sql:$DB" -t 1 -i "$T/ca-ec.der" -f "$PW" </dev/null
crlutil -L -d "sql:$DB" >"$T/crls" 2>&1
check "crlutil -L lists the imported CRL ($(head -c 200 "$T/crls"))" grep -q "^ca-ec  *CRL" "$T/crls"
check "selfserv refuses the revoked client certificate" fails tls_get ca-ec-bad
check "selfserv accepts the good one" tls_get ca-ec-good

# sign-request --crl-url --ocsp-url: seen by openssl x509
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/u.key" \
	-subj /CN=urls -out "$T/u.csr" 2>/dev/null
expect_exit 0 "sign-request --crl-url --ocsp-url" \
	p11c -d "$DB" sign-request --ca ca-ec --days 30 --crl-url http://ca.example/site.crl \
	--ocsp-url https://ocsp.example/ -o "$T/u.pem" "$T/u.csr"
text=$(openssl x509 -in "$T/u.pem" -noout -text)
check "crlDistributionPoints holds the URL" \
	grep -A3 'CRL Distribution Points' <<<"$text" | grep -q 'URI:http://ca.example/site.crl'
expect_eq "openssl x509 -ocsp_uri" "$(openssl x509 -in "$T/u.pem" -noout -ocsp_uri)" \
	"https://ocsp.example/"
check "openssl verify still accepts it" \
	openssl verify -CAfile "$T/ca-ec.pem" -purpose sslserver "$T/u.pem"
for bad in ftp://x.example/c.crl 'http://a b/' http:// "http://x/$(head -c 1100 /dev/zero | tr '\0' a)"; do
	expect_exit 2 "sign-request refuses the URL '${bad:0:30}'" \
		p11c -d "$DB" sign-request --ca ca-ec --days 30 --crl-url "$bad" -o "$T/v.pem" "$T/u.csr"
	check "... and writes nothing" test ! -e "$T/v.pem"
done

# Bad input: one line, non-zero, database and record unchanged.
before=$(snapshot)
rec=$(cat "$DB/p11cert-ca.json")
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/stray.key" \
	-subj /CN=stray -days 30 -out "$T/stray.pem" 2>/dev/null
expect_exit 3 "unknown CA alias" p11c -d "$DB" revoke-cert --ca nosuch 01
expect_exit 1 "serial garbage" p11c -d "$DB" revoke-cert --ca ca-rsa 'zz:12'
expect_exit 1 "a FILE the CA did not issue" p11c -d "$DB" revoke-cert --ca ca-rsa "$T/stray.pem"
expect_exit 1 "a FILE another CA issued" p11c -d "$DB" revoke-cert --ca ca-rsa "$T/ca-ec-good.pem"
expect_exit 2 "unknown reason" p11c -d "$DB" revoke-cert --ca ca-rsa --reason sloppy 01
expect_exit 2 "gen-crl without -o" p11c -d "$DB" gen-crl --ca ca-rsa
expect_exit 3 "gen-crl -o in a missing directory" \
	p11c -d "$DB" gen-crl --ca ca-rsa -o "$T/nodir/x.crl"
same_as "$before" "the refusals left the database as it was"
expect_eq "... and the record" "$(cat "$DB/p11cert-ca.json")" "$rec"

finish
