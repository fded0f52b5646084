#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# fetch-chain against a real SMTP server (Debian's aiosmtpd) with
# STARTTLS, on 127.0.0.1 and ::1: the chain, the verdict before and after
# --add-trust (checked with certutil and vfychain), --save, --json, name
# and time failures, and servers that misbehave.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/servers.sh"
need certutil vfychain openssl python3
new_db

make_chain "$T/pki" mail.test
P=$(free_port)
start_smtp 127.0.0.1 "$P" "$T/pki/chain.pem" "$T/pki/leaf.key"
URL="smtp://127.0.0.1:$P"
sha256() { openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2; }
vfychain_good() {
	vfychain -d "sql:$DB" -u 1 -a "$T/pki/leaf.pem" -a "$T/pki/int.pem" 2>&1 | grep -q 'Chain is good'
}

# Before: nothing trusted, the reason is an unknown issuer.
before=$(snapshot)
expect_exit 1 "an untrusted relay: not trusted" p11c -d "$DB" fetch-chain "$URL"
check "the reason is unknown issuer" grep -q "^p11cert: 127.0.0.1: not trusted: unknown issuer" "$T/err"
check "the verdict line says NOT trusted" grep -q "^Verdict: NOT trusted for a TLS server named '127.0.0.1'" "$T/out"
check "three certificates, from the leaf" test \
	"$(sed -n 's/^  Subject: *//p' "$T/out" | tr '\n' '|')" = \
	"CN=mail.test|CN=Test Intermediate CA|CN=Test Root CA|"
check "the leaf's SHA-256 is openssl's" grep -q "SHA-256: *$(sha256 "$T/pki/leaf.pem")" "$T/out"
check "the root's SHA-256 is openssl's" grep -q "SHA-256: *$(sha256 "$T/pki/root.pem")" "$T/out"
check "it says the protocol" grep -q "^Server: $URL (127.0.0.1 port $P), TLSv1" "$T/out"
check "vfychain agrees: not good" fails vfychain_good
same_as "$before" "fetch-chain alone changes nothing"

# --save: one PEM file a certificate, numbered from the leaf.
expect_exit 1 "--save (still not trusted)" p11c -d "$DB" fetch-chain --save "$T/saved" "$URL"
for i in 0 1 2; do
	f=$(echo leaf int root | cut -d' ' -f$((i + 1)))
	check "cert$i.pem is the $f for openssl x509" cmp <(openssl x509 -in "$T/saved/cert$i.pem" -outform DER) \
		<(openssl x509 -in "$T/pki/$f.pem" -outform DER)
done
check "no fourth file" test ! -e "$T/saved/cert3.pem"
same_as "$before" "--save changes no database"

# --json: the same verdict as one document.
p11c -d "$DB" fetch-chain --json "$URL" >"$T/f.json" 2>/dev/null
check "JSON: untrusted, unknown issuer, the CAs missing" python3 - "$T/f.json" "$P" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["scheme"] == "smtp" and d["host"] == "127.0.0.1" and d["port"] == int(sys.argv[2]), d
assert d["trusted"] is False and d["tls_version"].startswith("TLSv1"), d
assert d["problems"][0]["code"] == "unknown-issuer", d["problems"]
assert [c["missing"] for c in d["chain"]] == [False, True, True], d["chain"]
assert [c["source"] for c in d["chain"]] == ["server"] * 3
assert d["chain"][0]["san"] == ["dns:mail.test", "ip:127.0.0.1", "ip:::1"], d["chain"][0]["san"]
PY

# --add-trust: the root and the intermediate, printed first, then trusted.
expect_exit 0 "--add-trust: trusted" p11c -d "$DB" fetch-chain --add-trust "$URL"
check "it printed what it adds before adding" test \
	"$(grep -n -e '^Adding 2 CA' -e '^Added 2' "$T/out" | cut -d: -f2- | tr '\n' '|')" = \
	"Adding 2 CA certificates as trusted (CT,,):|Added 2 trusted CA certificates.  Now:|"
check "with the intermediate's fingerprint" grep -q "^    SHA-256: $(sha256 "$T/pki/int.pem")" "$T/out"
check "with the root's fingerprint" grep -q "^    SHA-256: $(sha256 "$T/pki/root.pem")" "$T/out"
check "the last verdict is trusted" test "$(grep '^Verdict' "$T/out" | tail -1)" = \
	"Verdict: trusted for a TLS server named '127.0.0.1'"
check "certutil -L: the root is CT,," test "$(trust_of 'Test Root CA')" = "CT,,"
check "certutil -L: the intermediate is CT,," test "$(trust_of 'Test Intermediate CA')" = "CT,,"
stored() { certutil -d "sql:$DB" -L -n "$1" >/dev/null 2>&1; }
check "the leaf is not stored" fails stored mail.test
check "vfychain agrees: good" vfychain_good
expect_exit 0 "afterwards fetch-chain says trusted" p11c -d "$DB" fetch-chain "$URL"
check "verdict trusted" grep -q "^Verdict: trusted" "$T/out"
check "the CAs show as in the database" test "$(grep -c "Database: *'Test .* CA', trust CT,," "$T/out")" = 2
after=$(snapshot)
expect_exit 0 "--add-trust again adds nothing" p11c -d "$DB" fetch-chain --add-trust "$URL"
check "nothing said of adding" fails grep -q '^Adding' "$T/out"
same_as "$after" "the database is as it was"

# IPv6: the same server on ::1, by its address literal.
P6=$(free_port)
start_smtp ::1 "$P6" "$T/pki/chain.pem" "$T/pki/leaf.key"
expect_exit 0 "smtp://[::1]:PORT is trusted" p11c -d "$DB" fetch-chain "smtp://[::1]:$P6"
check "named ::1" grep -q "^Verdict: trusted for a TLS server named '::1'" "$T/out"

# A host name the certificate does not carry: name mismatch.
expect_exit 1 "localhost: name mismatch" p11c -d "$DB" fetch-chain "smtp://localhost:$P"
check "the reason is name mismatch" grep -q "not trusted: name mismatch: the certificate is for dns:mail.test, ip:127.0.0.1, ip:::1, not 'localhost'" "$T/err"

# An expired leaf under the trusted CAs: expired, and nothing to add.
PX=$(free_port)
start_smtp 127.0.0.1 "$PX" "$T/pki/expired-chain.pem" "$T/pki/expired.key"
expect_exit 1 "an expired leaf" p11c -d "$DB" fetch-chain --add-trust "smtp://127.0.0.1:$PX"
check "the reason is expired" grep -q "not trusted: expired: 'CN=mail.test' expired on" "$T/err"
same_as "$after" "nothing added for an expired leaf"

# A CA the database distrusts stays distrusted: --add-trust adds nothing.
D2=$T/distrust
new_db "$D2"
certutil -d "sql:$D2" -A -n "Test Intermediate CA" -t "p,p,p" -i "$T/pki/int.pem" -f "$D2/sslpassword.conf"
before2=$(snapshot "$D2")
expect_exit 1 "--add-trust with a distrusted intermediate" p11c -d "$D2" fetch-chain --add-trust "$URL"
check "it says distrusted" grep -q "distrusted: 'CN=Test Intermediate CA' is marked as not trusted in the database" "$T/out"
check "nothing is added" fails grep -q '^Adding' "$T/out"
check "certutil: still p,p,p" test "$(trust_of 'Test Intermediate CA' "$D2")" = "p,p,p"
check "the database is as it was" test "$(snapshot "$D2")" = "$before2"

# Servers that misbehave: one line, exit 1, nothing added.
before=$(snapshot)
PN=$(free_port)
start_smtp 127.0.0.1 "$PN" "$T/pki/chain.pem" "$T/pki/leaf.key" notls
expect_exit 1 "no STARTTLS offered" p11c -d "$DB" fetch-chain --add-trust "smtp://127.0.0.1:$PN"
check "it says so" grep -q "smtp: the server does not offer STARTTLS" "$T/err"
PC=$(free_port)
start_closer 127.0.0.1 "$PC"
expect_exit 1 "closed mid-handshake" p11c -d "$DB" fetch-chain --add-trust "smtp://127.0.0.1:$PC"
check "it says the server closed the connection" grep -q "closed the connection during the TLS handshake" "$T/err"
PS=$(free_port)
start_silent 127.0.0.1 "$PS"
expect_exit 1 "a server that never answers" timeout 20 "$P11CERT" -d "$DB" fetch-chain --timeout 2 --add-trust "smtp://127.0.0.1:$PS"
check "it names host and port, how long it waited, and the implicit-TLS URL: $(cat "$T/err")" \
	grep -qx "p11cert: 127.0.0.1 port $PS sent no SMTP greeting in 2 s: a server that starts TLS at once wants smtps://127.0.0.1:$PS" "$T/err"
PJ=$(free_port)
start_hostile inject 127.0.0.1 "$PJ"
expect_exit 1 "data behind the STARTTLS go-ahead" p11c -d "$DB" fetch-chain --add-trust "smtp://127.0.0.1:$PJ"
check "it is refused" grep -q "smtp: the server sent data after agreeing to start TLS; refusing it" "$T/err"
PG=$(free_port)
start_hostile greedy 127.0.0.1 "$PG"
expect_exit 1 "an EHLO reply without end" p11c -d "$DB" fetch-chain "smtp://127.0.0.1:$PG"
check "it gives up" grep -q "smtp: the server's reply does not end" "$T/err"
PF=$(free_port)
expect_exit 1 "nothing listening" p11c -d "$DB" fetch-chain "smtp://127.0.0.1:$PF"
check "connection refused" grep -q "cannot connect to 127.0.0.1 port $PF: Connection refused" "$T/err"
expect_exit 1 "a host that does not resolve" p11c -d "$DB" fetch-chain --add-trust "smtp://no-such-host.invalid:$P"
check "it says it cannot resolve" grep -q "cannot resolve 'no-such-host.invalid'" "$T/err"
expect_exit 2 "an unknown scheme" p11c -d "$DB" fetch-chain --add-trust "gopher://127.0.0.1:$P"
check "it names the scheme" grep -q "unknown scheme 'gopher'" "$T/err"
expect_exit 2 "no scheme" p11c -d "$DB" fetch-chain "127.0.0.1:$P"
expect_exit 2 "port 0" p11c -d "$DB" fetch-chain "smtp://127.0.0.1:0"
expect_exit 2 "port 65536" p11c -d "$DB" fetch-chain "smtp://127.0.0.1:65536"
expect_exit 2 "an unclosed [" p11c -d "$DB" fetch-chain "smtp://[::1:$P"
expect_exit 2 "a user name" p11c -d "$DB" fetch-chain "smtp://user@127.0.0.1:$P"
expect_exit 2 "--timeout 0" p11c -d "$DB" fetch-chain --timeout 0 "$URL"
expect_exit 2 "no URL" p11c -d "$DB" fetch-chain
same_as "$before" "failures left the database as it was"

finish
