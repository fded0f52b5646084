#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# add-cert -C --bundle: every certificate trusted, named by its subject,
# made unique, duplicates skipped and counted.
. "$(dirname "$0")/lib.sh"
need certutil openssl
new_db

selfsigned() { # OUT SUBJECT
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.key" \
		-subj "$2" -days 365 -addext basicConstraints=critical,CA:TRUE -out "$1" 2>/dev/null
}
selfsigned "$T/a.pem" "/CN=Dup CA/O=One"
selfsigned "$T/b.pem" "/CN=Dup CA/O=Two"
selfsigned "$T/c.pem" "/O=Org Without CN"
selfsigned "$T/d.pem" "/C=US"
cat "$T/a.pem" "$T/b.pem" "$T/c.pem" "$T/d.pem" >"$T/bundle.pem"
dprefix=$(openssl x509 -in "$T/d.pem" -outform DER | sha256sum | cut -c1-16)

expect_exit 0 "add-cert -C --bundle" p11c -d "$DB" add-cert -C --bundle "$T/bundle.pem"
check "it counts what it added" grep -q 'added 4 certificates, skipped 0' "$T/err"
check "named by CN, trusted CT,," test "$(trust_of 'Dup CA')" = "CT,,"
check "a second CN gets ' #2'" test "$(trust_of 'Dup CA #2')" = "CT,,"
check "no CN: named by O" test "$(trust_of 'Org Without CN')" = "CT,,"
check "no CN, no O: named by the SHA-256 prefix" test "$(trust_of "$dprefix")" = "CT,,"
check "which certificate is 'Dup CA #2' (O=Two)" \
	grep -q 'O *= *Two' <(certutil -d "sql:$DB" -L -n 'Dup CA #2' -a | openssl x509 -noout -subject)
check "list-certs -C lists all four" test "$(p11c -d "$DB" list-certs -C | tail -1)" = "4 certificates found"

before=$(snapshot)
selfsigned "$T/e.pem" "/CN=New CA"
cat "$T/bundle.pem" "$T/e.pem" "$T/e.pem" >"$T/bundle2.pem"
expect_exit 0 "a bundle with certificates already present" p11c -d "$DB" add-cert -C --bundle "$T/bundle2.pem"
check "they are skipped and counted" grep -q 'added 1 certificate, skipped 5' "$T/err"
check "the new one is added" test "$(trust_of 'New CA')" = "CT,,"

# A bad bundle adds nothing at all.
before=$(snapshot)
selfsigned "$T/f.pem" "/CN=Fresh CA"
{ cat "$T/f.pem"; head -c 300 "$T/a.pem"; } >"$T/truncated.pem"
expect_exit 1 "a truncated bundle is refused" p11c -d "$DB" add-cert -C --bundle "$T/truncated.pem"
check "it says truncated" grep -q 'truncated' "$T/err"
same_as "$before" "nothing from the bad bundle was added"
expect_exit 2 "--bundle without -C is a usage error" p11c -d "$DB" add-cert --bundle "$T/f.pem"
expect_exit 2 "--bundle with an ALIAS is a usage error" p11c -d "$DB" add-cert -C --bundle "$T/f.pem" x
expect_exit 0 "--bundle with --trust client-ca" p11c -d "$DB" add-cert --trust client-ca --bundle "$T/f.pem"
check "--trust applies to the bundle" test "$(trust_of 'Fresh CA')" = "T,,"

finish
