#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# acme-issue against pebble, each way of answering: http-01 on pebble's
# httpPort ourselves, a webroot served by python3's http.server, dns-01
# through a hook that drives challtestsrv's management API; the key in
# the database (EC) and on SoftHSM (EC P-256, RSA-2048).  Checked with
# openssl verify against pebble's root, openssl x509 for the names and key,
# pkcs11-tool for the key's CKA_EXTRACTABLE, certutil -V once pebble's root
# is trusted, and certutil -L/-K for what was stored.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/acmelib.sh"
need certutil pkcs11-tool softhsm2-util python3
start_pebble
acme_hsm_db
p11c -q -d "$DB" acme-register --server "$PEBBLE_DIR" --server-ca "$PEBBLE_CA" --agree-tos ||
	{ echo "cannot register" >&2; exit 1; }
acme() { p11c -d "$DB" -W "$T/pw" "$@" --server-ca "$PEBBLE_CA"; }

# pem ALIAS: the certificate and chain as export-cert writes them.
pem() { p11c -q -d "$DB" -W "$T/pw" export-cert --format pem --chain -o "$T/$1.pem" "$1"; }
# names ALIAS: openssl's DNS names of ALIAS's certificate, sorted.
names() {
	openssl x509 -in "$T/$1.pem" -noout -ext subjectAltName | tr ',' '\n' |
		sed -n 's/^ *DNS://p' | sort | tr '\n' ' '
}
# verified ALIAS: the chain verifies against pebble's root.
verified() { pem "$1" && verify_chain "$T/$1.pem" >/dev/null; }

# Usage errors: exit 2, one line, before anything is asked of the server.
expect_exit 2 "--name is needed" acme acme-issue u1 --http01-port "$PEBBLE_HTTP_PORT"
expect_exit 2 "two ways of answering" acme acme-issue u1 --name u.example.com --webroot "$T" --http01-port 1
expect_exit 2 "--http01-address without --http01-port" acme acme-issue u1 --name u.example.com --webroot "$T" --http01-address ::1
expect_exit 2 "--dns-server without --dns-hook" acme acme-issue u1 --name u.example.com --dns-server 127.0.0.1
expect_exit 2 "a port out of range" acme acme-issue u1 --name u.example.com --http01-port 70000
expect_exit 2 "--wait out of range" acme acme-issue u1 --name u.example.com --wait 0
expect_exit 2 "no ALIAS" acme acme-issue --name u.example.com
for c in acme-register acme-issue acme-renew acme-revoke; do
	check "$c -h says how it is used" eval "p11c $c -h | grep -q '^Usage: p11cert $c '"
done

expect_exit 0 "http-01 on our own port, key in the database (--json)" \
	acme acme-issue web --name web.example.com --san dns:www.example.com \
	--http01-port "$PEBBLE_HTTP_PORT" --http01-address 127.0.0.1 --json
check "--json names the alias and method: $(cat "$T/out")" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["alias"]=="web" and d["method"]=="http01-port" and d["not_after"].endswith("Z"), d' "$T/out"
check "openssl verify: web's chain against pebble's root" verified web
check "openssl: web's names are web and www.example.com (got '$(names web)')" \
	test "$(names web)" = "web.example.com www.example.com "
check "certutil -L: web is there, with the intermediate" \
	eval "certutil -d 'sql:$DB' -L | grep -q '^web ' && certutil -d 'sql:$DB' -L | grep -q 'Pebble Intermediate'"
check "certutil -K: web's key is in the database" \
	eval "certutil -d 'sql:$DB' -K -f <(db_password) | grep -q ' web\$'"
check "the port is closed again after the order" fails curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$PEBBLE_HTTP_PORT/"
expect_exit 1 "the alias in use is refused: one line" \
	acme acme-issue web --name web.example.com --http01-port "$PEBBLE_HTTP_PORT"

keys_before=$(token_objects acme-hsm 4321 | grep -c 'Private Key Object')
expect_exit 0 "http-01, key EC P-256 on SoftHSM" \
	acme --token acme-hsm acme-issue hsm-ec --name hsm-ec.example.com --key-type ec:p256 \
	--http01-port "$PEBBLE_HTTP_PORT" --http01-address 127.0.0.1
expect_exit 0 "http-01, key RSA-2048 on SoftHSM" \
	acme --token acme-hsm acme-issue hsm-rsa --name hsm-rsa.example.com --key-type rsa:2048 \
	--http01-port "$PEBBLE_HTTP_PORT"
objs=$(token_objects acme-hsm 4321)
check "pkcs11-tool: two private keys more on the token" \
	test "$(grep -c 'Private Key Object' <<<"$objs")" = $((keys_before + 2))
never() { grep -A12 "Private Key Object; $1" <<<"$objs" | grep -q 'never extractable'; }
check "pkcs11-tool: the EC key is never extractable" never EC
check "pkcs11-tool: the RSA key is never extractable" never RSA
check "openssl verify: hsm-ec's chain" verified acme-hsm:hsm-ec
check "openssl verify: hsm-rsa's chain" verified acme-hsm:hsm-rsa
check "openssl: hsm-ec's key is P-256" \
	eval "openssl x509 -in '$T/acme-hsm:hsm-ec.pem' -noout -text | grep -q 'NIST CURVE: P-256'"
check "openssl: hsm-rsa's key is RSA 2048" \
	eval "openssl x509 -in '$T/acme-hsm:hsm-rsa.pem' -noout -text | grep -q 'Public-Key: (2048 bit)'"
expect_exit 5 "export-cert refuses the token's key (non-extractable)" \
	p11c -d "$DB" -W "$T/pw" export-cert --format pem --key-out "$T/k.pem" -o "$T/c.pem" acme-hsm:hsm-ec

# certutil -V once pebble's root is trusted.
p11c -q -d "$DB" add-cert -C "Pebble Root" "$PEBBLE_ROOT"
check "certutil -V -u V: web is valid" \
	eval "certutil -d 'sql:$DB' -V -u V -n web 2>&1 | grep -q 'certificate is valid'"
# SoftHSM shows its certificates only after a login, which certutil -V
# does not do: the token's certificates judged in a database of certutil's
# own that trusts pebble's root.
mkdir "$T/nss" && certutil -N -d "sql:$T/nss" --empty-password
certutil -A -d "sql:$T/nss" -n root -t C,, -a -i "$PEBBLE_ROOT"
awk 'BEGIN{n=0} /BEGIN CERT/{n++} n==2' "$T/acme-hsm:hsm-ec.pem" >"$T/inter.pem"
certutil -A -d "sql:$T/nss" -n inter -t ,, -a -i "$T/inter.pem"
for a in hsm-ec hsm-rsa; do
	awk 'BEGIN{n=0} /BEGIN CERT/{n++} n==1' "$T/acme-hsm:$a.pem" >"$T/$a-leaf.pem"
	certutil -A -d "sql:$T/nss" -n "$a" -t ,, -a -i "$T/$a-leaf.pem"
	check "certutil -V -u V: acme-hsm:$a is valid" \
		eval "certutil -d 'sql:$T/nss' -V -u V -n '$a' 2>&1 | grep -q 'certificate is valid'"
done

# webroot: python's http.server serves the directory on pebble's httpPort.
mkdir -p "$T/www"
PY=$(command -v python3)
spawn http.server 127.0.0.1 "$PEBBLE_HTTP_PORT" "$T/www.log" \
	"$PY" -m http.server "$PEBBLE_HTTP_PORT" --bind 127.0.0.1 --directory "$T/www"
expect_exit 0 "http-01 through --webroot" \
	acme acme-issue site --name site.example.com --webroot "$T/www"
check "openssl verify: site's chain" verified site
check "the server fetched the challenge from the webroot (http.server's log)" \
	grep -q 'GET /.well-known/acme-challenge/' "$T/www.log"
check "the webroot is empty again (.well-known made and removed): $(ls -A "$T/www")" \
	test -z "$(ls -A "$T/www")"
mkdir -p "$T/www/.well-known"
expect_exit 0 "webroot with a .well-known of its own" \
	acme acme-issue site2 --name site2.example.com --webroot "$T/www"
check "its .well-known is kept, acme-challenge removed" \
	eval "test -d '$T/www/.well-known' && test ! -e '$T/www/.well-known/acme-challenge'"

# dns-01: a hook that drives challtestsrv's management API.
cat >"$T/hook" <<EOF
#!/bin/sh
echo "\$*" >>"$T/hook.args"
case \$1 in
set) curl -sf -X POST -d "{\"host\":\"\$2.\",\"value\":\"\$3\"}" "$CHALL_MGMT/set-txt" ;;
clear) curl -sf -X POST -d "{\"host\":\"\$2.\"}" "$CHALL_MGMT/clear-txt" ;;
esac
EOF
chmod 755 "$T/hook"
expect_exit 0 "dns-01 through --dns-hook, waited for on challtestsrv's DNS" \
	acme acme-issue dns --name dns.example.com --san dns:alt.example.com --dns-hook "$T/hook" \
	--dns-server "$CHALL_DNS"
check "openssl verify: dns's chain" verified dns
check "openssl: dns's names (got '$(names dns)')" test "$(names dns)" = "alt.example.com dns.example.com "
check "the hook set and cleared each name: $(tr '\n' '|' <"$T/hook.args")" \
	test "$(cut -d' ' -f1,2 "$T/hook.args" | sort | tr '\n' '|')" = \
	"clear _acme-challenge.alt.example.com|clear _acme-challenge.dns.example.com|set _acme-challenge.alt.example.com|set _acme-challenge.dns.example.com|"
check "the values it got are base64url SHA-256 (43 characters)" \
	test "$(awk '{print length($3)}' "$T/hook.args" | sort -u)" = 43
check "the record keeps each alias's method" \
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["certs"]; m={a:c[a]["method"] for a in c}; assert m=={"web":"http01-port","acme-hsm:hsm-ec":"http01-port","acme-hsm:hsm-rsa":"http01-port","site":"webroot","site2":"webroot","dns":"dns-hook"}, m' \
	"$DB/p11cert-acme.json"
finish
