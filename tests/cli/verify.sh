#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# verify-cert: each link of the chain and the database's verdict for a
# usage and a time, checked against certutil -V and vfychain.
. "$(dirname "$0")/lib.sh"
need certutil vfychain openssl python3
new_db

make_ca root "/CN=Verify Root CA"
make_ca int "/CN=Verify Intermediate CA" root
p11c -q -d "$DB" request-cert --name mail.example.com -F ascii -o "$T/mail.req"
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:mail.example.com\n' >"$T/srv.ext"
openssl x509 -req -in "$T/mail.req" -CA "$T/int.pem" -CAkey "$T/int.key" -CAcreateserial \
	-days 90 -extfile "$T/srv.ext" -out "$T/mail.pem" 2>/dev/null
cat "$T/mail.pem" "$T/int.pem" >"$T/mail-chain.pem"
p11c -q -d "$DB" add-cert mail "$T/mail-chain.pem"
certutil_says() { # USAGE: certutil -V's verdict on mail (0 valid)
	certutil -d "sql:$DB" -V -u "$1" -n mail >/dev/null 2>&1
}

# No trusted root yet: unknown issuer, as certutil says.
before=$(snapshot)
expect_exit 1 "no trusted root: not trusted" p11c -d "$DB" verify-cert mail
check "the reason is unknown issuer" grep -q "mail: not trusted: unknown issuer" "$T/err"
check "it names the untrusted root" grep -q "CN=Verify Root CA" "$T/out"
check "certutil -V agrees: not valid" fails certutil_says V
same_as "$before" "verify-cert changes nothing"

# Trust the root: the chain is good, three links, as certutil and vfychain say.
p11c -q -d "$DB" add-cert -C root "$T/root.pem"
expect_exit 0 "trusted root: trusted" p11c -d "$DB" verify-cert mail
check "verdict trusted" grep -q "^Verdict: trusted for TLS servers" "$T/out"
check "three links" test "$(grep -c '^Certificate ' "$T/out")" = 3
check "leaf, intermediate, root in order" test \
	"$(sed -n 's/^  Subject: *//p' "$T/out" | tr '\n' '|')" = \
	"CN=mail.example.com|CN=Verify Intermediate CA|CN=Verify Root CA|"
check "the root's SHA-256 as openssl has it" grep -q \
	"$(openssl x509 -in "$T/root.pem" -noout -fingerprint -sha256 | cut -d= -f2)" "$T/out"
check "the root's trust is shown" grep -q "'root', trust CT,," "$T/out"
check "certutil -V agrees: valid for a server" certutil_says V
vfychain_good() { vfychain -d "sql:$DB" -u 1 -a "$T/mail.pem" -a "$T/int.pem" 2>&1 | grep -q 'Chain is good'; }
check "vfychain agrees" vfychain_good

# Usages: a serverAuth-only certificate is not for clients or email.
expect_exit 1 "--usage client: not trusted" p11c -d "$DB" verify-cert --usage client mail
check "the reason is the usage" grep -q "not trusted: wrong usage: 'CN=mail.example.com' is not meant for TLS clients" "$T/err"
check "certutil -V -u C agrees" fails certutil_says C
expect_exit 1 "--usage email: not trusted" p11c -d "$DB" verify-cert --usage email mail
check "certutil -V -u S agrees" fails certutil_says S
expect_exit 0 "--usage server: trusted" p11c -d "$DB" verify-cert --usage server mail

# Times: after the leaf's end, before its start.
expect_exit 1 "--at after the end: not trusted" p11c -d "$DB" verify-cert --at 2099-01-01 mail
check "the reason is expired, with the date" grep -q \
	"not trusted: expired: 'CN=mail.example.com' expired on $(date -u -d "$(openssl x509 -in "$T/mail.pem" -noout -enddate | cut -d= -f2)" '+%Y/%m/%d %H:%M UTC')" "$T/err"
expect_exit 1 "--at before the start: not trusted" p11c -d "$DB" verify-cert --at "2001/01/01 00:00" mail
check "the reason is not yet valid" grep -q "not trusted: not yet valid:" "$T/err"
expect_exit 0 "--at tomorrow: trusted" p11c -d "$DB" verify-cert --at "$(date -u -d tomorrow +%Y-%m-%dT%H:%M:%SZ)" mail
expect_exit 0 "--at @SECONDS" p11c -d "$DB" verify-cert --at "@$(date -u -d '+2 days' +%s)" mail

# A CA alias is judged as a CA only when asked (SPEC): the root as a CA for
# TLS, not for email (CT,,); by default, its own verdict as certutil's.
expect_exit 0 "the root as a CA for TLS servers" p11c -d "$DB" verify-cert --usage server-ca root
expect_exit 1 "the root as a CA for email" p11c -d "$DB" verify-cert --usage email-ca root
check "no CA trusted for email" grep -q "no CA of the chain is trusted for email" "$T/err"
expect_exit 1 "the root itself for TLS servers (keyCertSign only)" p11c -d "$DB" verify-cert root
root_valid() { certutil -d "sql:$DB" -V -u V -n root >/dev/null 2>&1; }
check "certutil -V -n root -u V agrees: not valid" fails root_valid

# JSON: one document with the chain and the problems.
p11c -d "$DB" verify-cert --json --at 2099-01-01 mail >"$T/v.json" 2>/dev/null
check "JSON: not trusted, expired at depth 0, three links" python3 - "$T/v.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["alias"] == "mail" and d["usage"] == "server" and d["trusted"] is False, d
assert d["at"] == "2099-01-01T00:00:00Z", d["at"]
codes = {(p["code"], p["depth"]) for p in d["problems"]}
assert ("expired", 0) in codes, codes
assert [c["subject"] for c in d["chain"]] == ["CN=mail.example.com", "CN=Verify Intermediate CA", "CN=Verify Root CA"]
assert d["chain"][2]["trust"] == "CT,," and d["chain"][2]["source"] == "database"
PY
p11c -d "$DB" verify-cert --json mail >"$T/v2.json"
check "JSON: trusted, no problems" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["trusted"] is True and d["problems"] == [], d' "$T/v2.json"

# Distrust the root: certutil and p11cert agree it fails.
certutil -d "sql:$DB" -M -n root -t "p,," -f "$DB/sslpassword.conf"
expect_exit 1 "a distrusted root" p11c -d "$DB" verify-cert mail
check "certutil -V agrees" fails certutil_says V

# Bad input.
expect_exit 3 "an unknown alias" p11c -d "$DB" verify-cert nosuch
expect_exit 2 "a bad --usage" p11c -d "$DB" verify-cert --usage code mail
expect_exit 2 "a bad --at" p11c -d "$DB" verify-cert --at yesterday mail
expect_exit 2 "no alias" p11c -d "$DB" verify-cert
expect_exit 2 "two aliases" p11c -d "$DB" verify-cert mail root

finish
