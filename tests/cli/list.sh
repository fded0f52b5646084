#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# list-certs: msgcert's table byte for byte, -C, --all, --expiring, --json.
. "$(dirname "$0")/lib.sh"
need certutil openssl pk12util python3
new_db

fixed_cert server "/CN=mail.example.com" 20261123074700Z 20270221074700Z
fixed_cert exca "/O=Ex/CN=Example CA" 20260101000000Z 20360101000000Z
fixed_cert smtp "/CN=smtp.example.com" 20261101000000Z 20271101000000Z exca
import_with_key server Server-Cert
import_with_key smtp smtp

expect_exit 0 "list-certs" p11c -d "$DB" list-certs
cat >"$T/want" <<'TABLE'
Alias        Valid from        Expires on        Self-  Issued by            Issued to
-----------  ----------------  ----------------  -----  -------------------  -------------------
Server-Cert  2026/11/23 07:47  2027/02/21 07:47  y      CN=mail.example.com  Same as issuer
smtp         2026/11/01 00:00  2027/11/01 00:00  n      CN=Example CA,O=Ex   CN=smtp.example.com
2 certificates found
TABLE
check "the table is msgcert's, byte for byte" cmp "$T/out" "$T/want"
[ "$failures" = 0 ] || diff "$T/want" "$T/out"

# -C and --all.
p11c -q -d "$DB" add-cert -C exca "$T/exca.pem"
fixed_cert loose "/CN=Untrusted Thing" 20260101000000Z 20360101000000Z
p11c -q -d "$DB" add-cert --trust email-ca loose "$T/loose.pem"
certutil -d "sql:$DB" -M -n loose -t ",," -f "$T/.dbpw"
check "-C lists only the trusted CA" \
	test "$(p11c -d "$DB" list-certs -C | awk 'NR>2 {print $1}' | head -n -1)" = "exca"
check "--all lists all four" test "$(p11c -d "$DB" list-certs --all | tail -1)" = "4 certificates found"
check "one certificate is counted in the singular" \
	test "$(p11c -d "$DB" list-certs -C | tail -1)" = "1 certificate found"

# --expiring DAYS: soon, later, and already expired.
D2="$T/db2"
new_db "$D2"
DB=$D2
p11c -q -d "$DB" add-selfsign-cert --name soon.example.com --days 10 soon
p11c -q -d "$DB" add-selfsign-cert --name later.example.com --days 200 later
fixed_cert old "/CN=old.example.com" 20200101000000Z 20210101000000Z
import_with_key old old
check "--expiring 30 lists the one due in 10 days and the expired one" \
	test "$(p11c -d "$DB" list-certs --expiring 30 | awk 'NR>2 {print $1}' | head -n -1 | tr '\n' ' ')" = "old soon "
check "--expiring 365 lists all three" \
	test "$(p11c -d "$DB" list-certs --expiring 365 | tail -1)" = "3 certificates found"
expect_exit 2 "--expiring needs a number" p11c -d "$DB" list-certs --expiring soon

# JSON.
expect_exit 0 "list-certs --json" p11c -d "$DB" list-certs --all --json
check "--json is an array with the SPEC's fields and openssl's values" python3 - "$T/out" \
	"$(openssl x509 -in "$T/old.pem" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f)" <<'PY'
import json, sys
certs = json.load(open(sys.argv[1]))
assert isinstance(certs, list) and len(certs) == 3, certs
need = ["alias", "token", "subject", "issuer", "serial", "not_before", "not_after",
        "self_signed", "has_key", "key_type", "sha256", "trust", "san"]
for c in certs:
    missing = [k for k in need if k not in c]
    assert not missing, (c.get("alias"), missing)
old = [c for c in certs if c["alias"] == "old"][0]
assert old["sha256"] == sys.argv[2], old["sha256"]
assert old["not_before"] == "2020-01-01T00:00:00Z" and old["not_after"] == "2021-01-01T00:00:00Z"
assert old["key_type"] == "ec:p256" and old["has_key"] is True
soon = [c for c in certs if c["alias"] == "soon"][0]
assert soon["san"] == ["dns:soon.example.com"], soon["san"]
PY
expect_exit 0 "an empty list in JSON" p11c -d "$DB" list-certs -C --json
check "is []" test "$(tr -d ' \n' <"$T/out")" = "[]"
expect_exit 0 "an empty table" p11c -d "$DB" list-certs -C
check "says 0 certificates found" test "$(tail -1 "$T/out")" = "0 certificates found"

# Reading certificates and trust needs no password where no key is read, as
# certutil -L: trusted CAs listed and exported with no password file.
CA_DB=$T/cadb
new_db "$CA_DB"
p11c -q -d "$CA_DB" add-cert -C exca "$T/exca.pem"
mv "$CA_DB/sslpassword.conf" "$T/cadb.pw"
expect_exit 0 "list-certs --all of trusted CAs with no password file" \
	p11c -d "$CA_DB" list-certs --all </dev/null
check "it lists the CA" grep -q "^exca " "$T/out"
check "certutil -L (no password) lists it too" grep -q "^exca " <(certutil -d "sql:$CA_DB" -L)
expect_exit 0 "export-trust with no password file" p11c -d "$CA_DB" export-trust -o "$T/ca-bundle.pem"
check "openssl reads the CA from it" cmp -s <(openssl x509 -in "$T/ca-bundle.pem" -outform DER) \
	<(openssl x509 -in "$T/exca.pem" -outform DER)
mv "$T/cadb.pw" "$CA_DB/sslpassword.conf"

# The table shows no key details: the certificates NSS marks as the user's
# (certutil -L's "u") are listed with no login; --json reads the keys and
# logs in, so a wrong password is its failure alone.
p11c -d "$D2" list-certs >"$T/table.want"
mv "$D2/sslpassword.conf" "$T/d2.pw"
(umask 077 && echo "not-the-password" >"$D2/sslpassword.conf")
expect_exit 0 "list-certs (table) with a wrong password in the file" p11c -d "$D2" list-certs </dev/null
check "the same table as with the right one" cmp -s "$T/out" "$T/table.want"
check "the same aliases certutil -L marks u,u,u: $(certutil -d "sql:$D2" -L)" test \
	"$(awk 'NR>2 && NF>1 && $1 != "" {print $1}' "$T/out" | head -n -1 | sort | tr '\n' ' ')" = \
	"$(certutil -d "sql:$D2" -L | awk '$NF == "u,u,u" {print $1}' | sort | tr '\n' ' ')"
expect_exit 4 "list-certs --json with the wrong password" p11c -d "$D2" list-certs --json </dev/null
check "it names the refused password: $(cat "$T/err")" grep -q "SEC_ERROR_BAD_PASSWORD" "$T/err"
mv "$T/d2.pw" "$D2/sslpassword.conf"
# Certificates with their keys: the trust --json gives is certutil -L's
# ("u,u,u"), the user flag on all three as NSS's own listing has it.
certutil -L -d "sql:$D2" | awk 'NR > 4 && NF == 2 {print $1, $2}' | sort >"$T/d2trust.want"
expect_exit 0 "list-certs --all --json with keys" p11c -d "$D2" list-certs --all --json
python3 -c 'import json, sys
for c in json.load(open(sys.argv[1])): print(c["alias"], c["trust"])' "$T/out" | sort >"$T/d2trust.got"
check "each key's certificate has certutil -L's trust: $(diff "$T/d2trust.want" "$T/d2trust.got" | tr '\n' ' ')" \
	cmp -s "$T/d2trust.want" "$T/d2trust.got"

# Every kind of trust, set by certutil: list-certs gives each the trust
# certutil -L shows (the database's own token is read straight from its
# objects when no other token is in sight), and -C the trusted CAs.
TR=$T/trustdb
mkdir -p "$TR" && certutil -N -d "sql:$TR" --empty-password
k=0
for t in "CT,C,C" "P,," ",," "T,," "c,," "p,p,p" ",C," ",,C" "CTg,," "TC,," "Pc,," "Cu,,"; do
	k=$((k + 1))
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
		-subj "/CN=trust $k" -days 30 -out "$T/t$k.pem" 2>/dev/null
	certutil -A -d "sql:$TR" -n "t$k" -t "$t" -i "$T/t$k.pem"
done
certutil -L -d "sql:$TR" | awk 'NR > 4 && NF == 2 {print $1, $2}' | sort >"$T/trust.want"
expect_exit 0 "list-certs --all --json of certutil's trusts" p11c -d "$TR" list-certs --all --json
python3 -c 'import json, sys
for c in json.load(open(sys.argv[1])): print(c["alias"], c["trust"])' "$T/out" | sort >"$T/trust.got"
check "each alias's trust is certutil -L's: $(diff "$T/trust.want" "$T/trust.got" | tr '\n' ' ')" \
	cmp -s "$T/trust.want" "$T/trust.got"
expect_exit 0 "list-certs -C" p11c -d "$TR" list-certs -C
check "-C lists those certutil shows trusted as CAs (C or T)" test \
	"$(awk 'NR > 2 && NF > 1 {print $1}' "$T/out" | head -n -1 | sort | tr '\n' ' ')" = \
	"$(awk '$2 ~ /[CT]/ {print $1}' "$T/trust.want" | tr '\n' ' ')"

finish
