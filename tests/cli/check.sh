#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# check: each kind of finding in a database of its own, its severity and
# the exit status (0 good, 1 warnings, 2 problems), each confirmed with
# openssl or certutil; --json; an unsafe password file.
. "$(dirname "$0")/lib.sh"
need certutil openssl python3 softhsm2-util

# findings DIR: "severity code alias" a line, sorted, from check --json.
findings() {
	p11c -d "$1" check --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["status"] in ("ok", "warning", "problem")
for f in sorted(d["findings"], key=lambda f: (f["severity"], f["code"], f["alias"])):
    assert f["message"] and "\n" not in f["message"]
    print(f["severity"], f["code"], f["alias"])'
}
pem_of() { certutil -d "sql:$DB" -L -n "$1" -a; }
# verdict CODE DESCRIPTION DIR [OPTIONS]: check's exit status is CODE, with
# nothing on stderr (findings are not errors).
verdict() {
	local want=$1 what=$2 dir=$3
	shift 3
	p11c -d "$dir" check "$@" >"$T/out" 2>"$T/err"
	local got=$?
	if [ "$got" = "$want" ] && [ ! -s "$T/err" ]; then
		ok "$what"
	else
		not_ok "$what: exit $got, wanted $want; stderr: $(head -c 300 "$T/err")"
	fi
}

# A fresh database: nothing to report.
new_db
verdict 0 "a fresh database is healthy" "$DB"
check "it says so" grep -q "^OK: nothing to report" "$T/out"
p11c -q -d "$DB" add-selfsign-cert --name fresh.example.com --days 365 fresh
verdict 0 "a self-signed certificate for a year is healthy" "$DB"
check "JSON: ok, no findings" test "$(p11c -d "$DB" check --json | tr -d ' \n')" = '{"status":"ok","findings":[]}'

# Expiring within 30 days: a warning (exit 1), as openssl -checkend sees it.
new_db "$T/expiring"
p11c -q -d "$T/expiring" add-selfsign-cert --name soon.example.com --days 10 soon
verdict 1 "expiring in 10 days: a warning" "$T/expiring"
check "the finding" test "$(findings "$T/expiring")" = "warning expiring soon"
check "it says how many days" grep -q "WARNING  expiring .*'soon' expires in 9 days\|'soon' expires in 10 days" "$T/out"
ends_within() { openssl x509 -checkend "$2" -noout -in <(pem_of "$1") >/dev/null; }
DB=$T/expiring
check "openssl -checkend agrees: expires within 30 days" fails ends_within soon $((30 * 86400))
verdict 0 "--days 5: not within" "$T/expiring" --days 5
expect_exit 2 "--days 0 is a usage error" p11c -d "$T/expiring" check --days 0

# Expired: a problem (exit 2).
DB=$T/expired
new_db
fixed_cert old "/CN=old.example.com" 20200101000000Z 20210101000000Z
import_with_key old old
verdict 2 "an expired certificate: a problem" "$DB"
check "the findings" test "$(findings "$DB")" = "problem expired old"
check "the message has the date" grep -q "PROBLEM  expired .*certificate 'old' expired on 2021/01/01 00:00 UTC" "$T/out"
check "openssl -checkend agrees: expired" fails ends_within old 0
check "the summary counts it" grep -q "^1 problem, 0 warnings" "$T/out"

# A weak key: RSA 1024.
new_db "$T/weak"
openssl req -x509 -newkey rsa:1024 -nodes -keyout "$T/weak.key" -subj /CN=weak.example.com \
	-days 365 -out "$T/weak.pem" 2>/dev/null
DB=$T/weak import_with_key weak weak
verdict 2 "RSA 1024: a problem" "$T/weak"
check "the finding" test "$(findings "$T/weak")" = "problem weak-key weak"
check "openssl agrees: 1024 bits" grep -q "Public-Key: (1024 bit)" <(openssl x509 -in "$T/weak.pem" -noout -text)

# A SHA-1 signature from a trusted CA: a warning.
new_db "$T/sha1"
make_ca ca "/CN=Check CA"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/sha1.key" \
	-subj /CN=sha1.example.com -out "$T/sha1.csr" 2>/dev/null
openssl x509 -req -sha1 -in "$T/sha1.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
	-days 365 -out "$T/sha1.pem" 2>/dev/null
DB=$T/sha1 import_with_key sha1 sha1
p11c -q -d "$T/sha1" add-cert -C ca "$T/ca.pem"
verdict 1 "a SHA-1 signature: a warning" "$T/sha1"
check "the finding" test "$(findings "$T/sha1")" = "warning weak-signature sha1"
check "openssl agrees: SHA-1" grep -q "Signature Algorithm: ecdsa-with-SHA1" <(openssl x509 -in "$T/sha1.pem" -noout -text)

# An MD5 signature: a problem.
new_db "$T/md5"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/md5ca.key" -subj "/CN=MD5 CA" -days 365 \
	-out "$T/md5ca.pem" 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/md5.key" -subj /CN=md5.example.com \
	-out "$T/md5.csr" 2>/dev/null
openssl x509 -req -md5 -in "$T/md5.csr" -CA "$T/md5ca.pem" -CAkey "$T/md5ca.key" -CAcreateserial \
	-days 300 -out "$T/md5.pem" 2>/dev/null
DB=$T/md5 import_with_key md5 md5
p11c -q -d "$T/md5" add-cert -C md5ca "$T/md5ca.pem"
verdict 2 "an MD5 signature: a problem" "$T/md5"
# NSS refuses the MD5 signature, so the chain does not verify either (as
# vfychain and certutil -V -e say); before issue 12 a verify log hid it
check "the findings" test "$(findings "$T/md5")" = "$(printf 'problem chain md5\nproblem weak-signature md5')"
md5_chain() { certutil -d "sql:$T/md5" -V -e -u V -n md5 -f "$T/md5/sslpassword.conf" >/dev/null 2>&1; }
check "certutil -V -e agrees: the chain does not verify" fails md5_chain
check "openssl agrees: MD5" grep -q "Signature Algorithm: md5WithRSAEncryption" <(openssl x509 -in "$T/md5.pem" -noout -text)

# A chain that does not verify: the CA is not in the database.
new_db "$T/chain"
make_ca lost "/CN=Lost CA"
openssl x509 -req -in "$T/sha1.csr" -CA "$T/lost.pem" -CAkey "$T/lost.key" -CAcreateserial \
	-days 365 -out "$T/orphaned.pem" 2>/dev/null
cp "$T/sha1.key" "$T/orphaned.key"
DB=$T/chain import_with_key orphaned mail
verdict 2 "an unverifiable chain: a problem" "$T/chain"
check "the finding" test "$(findings "$T/chain")" = "problem chain mail"
check "the reason" grep -q "the chain of 'mail' does not verify for TLS servers: unknown issuer" "$T/out"
valid_for_server() { certutil -d "sql:$T/chain" -V -u V -n "$1" >/dev/null 2>&1; }
check "certutil -V agrees" fails valid_for_server mail
p11c -q -d "$T/chain" add-cert -C lost "$T/lost.pem"
verdict 0 "with its CA trusted: healthy" "$T/chain"

# A key without a certificate (a request waiting), and a certificate
# without a key or trust: warnings.
new_db "$T/orphans"
p11c -q -d "$T/orphans" request-cert --name pending.example.com -o "$T/pending.req"
certutil -d "sql:$T/orphans" -A -n stray -t ",," -i "$T/sha1.pem"
verdict 1 "a pending key and a stray certificate: warnings" "$T/orphans"
check "the findings" test "$(findings "$T/orphans" | tr '\n' '|')" = \
	"warning no-key stray|warning orphan-key pending.example.com|"
check "certutil -K shows the key" grep -q "pending.example.com" \
	<(certutil -d "sql:$T/orphans" -K -f "$T/orphans/sslpassword.conf" 2>&1)
check "certutil -L shows no certificate for it" fails grep -q "pending" <(certutil -d "sql:$T/orphans" -L)

# An unsafe password file: a problem, and the keys cannot be seen (the
# stray certificate is then judged as one of the database's own).
chmod 644 "$T/orphans/sslpassword.conf"
verdict 2 "a world-readable password file: a problem" "$T/orphans"
check "the findings" test "$(findings "$T/orphans" | cut -d' ' -f1-2 | tr '\n' '|')" = \
	"problem chain|problem login|problem password-file|warning weak-signature|"
check "it names the file" grep -q "password-file .*sslpassword.conf" "$T/out"
chmod 600 "$T/orphans/sslpassword.conf"

# A token whose PIN is wrong: a problem for that token, and the internal
# token's certificates are still judged.
make_token hsm 1234
new_db "$T/hsm"
p11c -q -d "$T/hsm" add-selfsign-cert --name soon.example.com --days 10 soon
echo "hsm:9999" >>"$T/hsm/sslpassword.conf"
verdict 2 "a wrong PIN for one token" "$T/hsm"
check "the findings: that token's login, and the expiring certificate" test \
	"$(findings "$T/hsm" | tr '\n' '|')" = "problem login hsm|warning expiring soon|"
check "it names the token" grep -q "cannot see the keys on token 'hsm'" "$T/out"

# NSS_SDB_USE_CACHE=yes in the environment: a warning of its own, and a
# database certutil still reads the same; none without it (the fresh one).
new_db "$T/sdbcache"
NSS_SDB_USE_CACHE=yes verdict 1 "NSS_SDB_USE_CACHE=yes: a warning" "$T/sdbcache"
check "the finding: $(cat "$T/out")" test "$(NSS_SDB_USE_CACHE=yes findings "$T/sdbcache")" = \
	"warning sdb-cache NSS_SDB_USE_CACHE"
NSS_SDB_USE_CACHE=no verdict 0 "NSS_SDB_USE_CACHE=no: nothing to report" "$T/sdbcache"

# It cannot look: problem status, one line.
expect_exit 2 "no database" p11c -d "$T/nosuch" check
expect_exit 2 "an argument" p11c -d "$DB" check extra

finish
