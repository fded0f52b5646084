#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# fetch-chain's other schemes against real servers on 127.0.0.1 and ::1:
# IMAP STARTTLS and POP3 STLS (Debian's dovecot), LDAP StartTLS (Debian's
# slapd), implicit TLS (openssl s_server) for smtps, imaps, pop3s, ldaps and
# https; SNI; and a chain trusted once serves every scheme.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/servers.sh"
need certutil openssl python3 ldapwhoami
new_db

make_chain "$T/pki" localhost
CHAIN=$T/pki/chain.pem KEY=$T/pki/leaf.key
subjects() { sed -n 's/^  Subject: *//p' "$T/out" | tr '\n' '|'; }
want="CN=localhost|CN=Test Intermediate CA|CN=Test Root CA|"

# Before any trust: dovecot's IMAP over STARTTLS, unknown issuer.
PI=$(free_port) PP=$(free_port)
start_dovecot 127.0.0.1 "$PI" "$PP" "$CHAIN" "$KEY"
before=$(snapshot)
expect_exit 1 "imap:// untrusted" p11c -d "$DB" fetch-chain "imap://127.0.0.1:$PI"
check "imap: unknown issuer" grep -q "not trusted: unknown issuer" "$T/err"
check "imap: the chain dovecot serves" test "$(subjects)" = "$want"
same_as "$before" "nothing added without --add-trust"
expect_exit 0 "imap:// --add-trust" p11c -d "$DB" fetch-chain --add-trust "imap://127.0.0.1:$PI"
check "certutil -L: root CT,," test "$(trust_of 'Test Root CA')" = "CT,,"
check "certutil -L: intermediate CT,," test "$(trust_of 'Test Intermediate CA')" = "CT,,"

# Every other scheme, trusted now.
expect_exit 0 "pop3:// (STLS) trusted" p11c -d "$DB" fetch-chain "pop3://127.0.0.1:$PP"
check "pop3: the chain" test "$(subjects)" = "$want"
PI6=$(free_port) PP6=$(free_port)
start_dovecot ::1 "$PI6" "$PP6" "$CHAIN" "$KEY"
expect_exit 0 "imap://[::1] trusted" p11c -d "$DB" fetch-chain "imap://[::1]:$PI6"
expect_exit 0 "pop3://[::1] trusted" p11c -d "$DB" fetch-chain "pop3://[::1]:$PP6"

PL=$(free_port)
start_slapd 127.0.0.1 "$PL" "$CHAIN" "$KEY"
expect_exit 0 "ldap:// (StartTLS) trusted" p11c -d "$DB" fetch-chain "ldap://127.0.0.1:$PL"
check "ldap: the chain slapd serves" test "$(subjects)" = "$want"
PL6=$(free_port)
start_slapd ::1 "$PL6" "$CHAIN" "$KEY"
expect_exit 0 "ldap://[::1] trusted" p11c -d "$DB" fetch-chain "ldap://[::1]:$PL6"
ldap_peer_agrees() {
	LDAPTLS_CACERT="$T/pki/root.pem" ldapwhoami -x -ZZ -H "ldap://127.0.0.1:$PL" -o nettimeout=5 >/dev/null
}
check "ldapwhoami -ZZ agrees the server does StartTLS with this chain" ldap_peer_agrees

PT=$(free_port)
start_tls_server 127.0.0.1 "$PT" "$CHAIN" "$KEY"
for scheme in smtps imaps pop3s ldaps https; do
	expect_exit 0 "$scheme:// (implicit TLS) trusted" p11c -d "$DB" fetch-chain "$scheme://127.0.0.1:$PT"
	check "$scheme: the chain" test "$(subjects)" = "$want"
done
PT6=$(free_port)
start_tls_server ::1 "$PT6" "$CHAIN" "$KEY"
expect_exit 0 "https://[::1] trusted" p11c -d "$DB" fetch-chain "https://[::1]:$PT6"
expect_exit 0 "https://localhost (by name) trusted" p11c -d "$DB" fetch-chain "https://localhost:$PT"

# A server that insists on a client certificate (mutual TLS, TLS 1.2)
# ends the handshake, but has sent its chain: that is the answer.
PM=$(free_port)
awk 'n > 0 { print } /^-----END CERTIFICATE-----/ { n++ }' "$CHAIN" >"$T/rest.pem"
spawn "openssl s_server (client certificates required)" 127.0.0.1 "$PM" "$T/mtls.log" \
	openssl s_server -www -tls1_2 -Verify 1 -accept "127.0.0.1:$PM" -cert "$T/pki/leaf.pem" \
	-key "$KEY" -cert_chain "$T/rest.pem"
expect_exit 0 "a mutual-TLS server: its chain, trusted" p11c -d "$DB" fetch-chain "https://127.0.0.1:$PM"
check "mTLS: the chain" test "$(subjects)" = "$want"
check "mTLS: a note says the handshake did not finish" grep -q "^Note: the handshake did not finish (.*), but the server had sent its chain" "$T/out"

# STARTTLS schemes against a server that speaks TLS at once, and the
# reverse: clear errors, exit 1.
expect_exit 1 "imap:// against implicit TLS" p11c -d "$DB" fetch-chain --timeout 3 "imap://127.0.0.1:$PT"
check "it says the server sent no greeting, and to use imaps://: $(cat "$T/err")" \
	grep -qx "p11cert: 127.0.0.1 port $PT sent no IMAP greeting in 3 s: a server that starts TLS at once wants imaps://127.0.0.1:$PT" "$T/err"
expect_exit 1 "imaps:// against a STARTTLS port" p11c -d "$DB" fetch-chain --timeout 3 "imaps://127.0.0.1:$PI"
check "it says dovecot spoke plain text first" grep -q "port $PI speaks plain text first ('\* OK" "$T/err"
expect_exit 1 "ldap:// against POP3" p11c -d "$DB" fetch-chain --timeout 3 "ldap://127.0.0.1:$PP"
expect_exit 1 "pop3:// against IMAP" p11c -d "$DB" fetch-chain --timeout 3 "pop3://127.0.0.1:$PI"
check "it quotes the greeting" grep -q "pop3: the server greeted with '\* OK" "$T/err"

# A slapd without a certificate refuses StartTLS: its resultCode is shown.
PLN=$(free_port)
mkdir -p "$T/slapd-notls"
printf 'pidfile %s/slapd.pid\nargsfile %s/slapd.args\n' "$T/slapd-notls" "$T/slapd-notls" >"$T/slapd-notls/slapd.conf"
spawn "slapd (no TLS)" 127.0.0.1 "$PLN" "$T/slapd-notls/log" env LDAPNOINIT=1 "$(sbin slapd)" \
	-d none -f "$T/slapd-notls/slapd.conf" -h "ldap://127.0.0.1:$PLN/"
before=$(snapshot)
expect_exit 1 "ldap:// without StartTLS" p11c -d "$DB" fetch-chain --add-trust "ldap://127.0.0.1:$PLN"
check "it says slapd refused StartTLS" grep -q "ldap: the server refused StartTLS (resultCode [0-9]" "$T/err"
same_as "$before" "nothing added"

# SNI: s_server answers with the localhost chain only when asked for
# localhost by name; by address it shows its default certificate.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/other.key" \
	-subj "/CN=default.test" -days 30 -out "$T/other.pem" 2>/dev/null
PN=$(free_port)
spawn "openssl s_server (SNI)" 127.0.0.1 "$PN" "$T/sni.log" openssl s_server -www \
	-accept "127.0.0.1:$PN" -cert "$T/other.pem" -key "$T/other.key" \
	-servername localhost -cert2 "$T/pki/leaf.pem" -key2 "$KEY" -cert_chain "$T/pki/int.pem"
expect_exit 0 "https://localhost sends SNI: the localhost certificate" p11c -d "$DB" fetch-chain "https://localhost:$PN"
check "leaf for localhost" grep -q "^  Subject: *CN=localhost" "$T/out"
expect_exit 1 "https://127.0.0.1 sends no SNI: the default certificate" p11c -d "$DB" fetch-chain "https://127.0.0.1:$PN"
check "leaf default.test" grep -q "^  Subject: *CN=default.test" "$T/out"

finish
