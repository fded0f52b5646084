#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Field note: reference/tcps-mutual-tls-wallets.txt.  Mutual TLS between a
# database server and its management client: a server wallet and a client
# wallet, each with its certificate, each trusting the other's.  Here the
# server's database keeps its keys on an HSM and runs a small CA (p11cert
# sign-request), so each side trusts one CA rather than every peer's own
# self-signed certificate; sslpassword.conf is the "auto-login" that lets
# the server start unattended.  The check is NSS's own selfserv (requiring
# a client certificate) and tstclnt; then the CA revokes the client's
# certificate (revoke-cert, gen-crl, crlutil -I) and selfserv refuses it.
. "$(dirname "$0")/lib.sh"
need certutil selfserv tstclnt softhsm2-util

step "Client wallet: its own key, and a request for the server's CA (client.csr)"
CLI=$T/clientwallet
p11cert -q -d "$CLI" generate-certdb --no-default-cert
p11cert -q -d "$CLI" request-cert --key-type ec:p256 -S "CN=DEV-CLIENT,O=MYORG" \
	--alias client -F ascii -o "$T/client.csr"

step "Server wallet: a database whose keys live on the HSM"
make_hsm db-hsm
SRV=$T/serverwallet
p11cert -q -d "$SRV" generate-certdb --no-default-cert
p11cert -q -d "$SRV" add-module softhsm "$SOFTHSM"   # what NSS servers load the token with
add_pin "$SRV" db-hsm

step "The CA (CN=DB-CA) and the server's certificate, both keys on the HSM"
# EC keys: SoftHSM 2.6.1 cannot serve RSA keys to NSS servers (p11cert warns).
p11cert -q -d "$SRV" add-selfsign-cert --ca --token db-hsm --key-type ec:p256 \
	-S "CN=DB-CA,O=MYORG" --days 3650 db-ca
p11cert -q -d "$SRV" request-cert --token db-hsm --key-type ec:p256 --name localhost \
	--san ip:127.0.0.1 --alias server -F ascii -o "$T/server.csr"
p11cert -d "$SRV" sign-request --ca db-hsm:db-ca --usage server -o "$T/server.pem" "$T/server.csr"
p11cert -q -d "$SRV" add-cert server "$T/server.pem"
p11cert -d "$SRV" sign-request --ca db-hsm:db-ca --usage client -o "$T/client.pem" "$T/client.csr"
p11cert -d "$SRV" show-cert --pem db-hsm:db-ca >"$T/db-ca.pem"   # the certificate to hand out
SERVER_HSM=$SOFTHSM2_CONF

step "Back on the client's host (the HSM is not there): its certificate, and the CA trusted"
unset SOFTHSM2_CONF
p11cert -q -d "$CLI" add-cert client "$T/client.pem"
p11cert -q -d "$CLI" add-cert -C DB-CA "$T/db-ca.pem"   # the client trusts the server's CA

step "Each side's view: the server's certificate for servers, the client's for clients"
SOFTHSM2_CONF=$SERVER_HSM p11cert -d "$SRV" verify-cert --usage server db-hsm:server
p11cert -d "$CLI" verify-cert --usage client client

step "The TCPS listener's stand-in: selfserv on the HSM key, a client certificate required"
PORT=$(free_port)
spawn selfserv 127.0.0.1 "$PORT" "$T/selfserv.log" \
	env SOFTHSM2_CONF="$SERVER_HSM" selfserv -d "sql:$SRV" -f "$SRV/sslpassword.conf" \
	-n db-hsm:server -p "$PORT" -r -r
# connect CLIENT_DB [tstclnt options]: tstclnt checks the server's certificate
# against CLIENT_DB; selfserv answers an HTTP GET once the handshake is done.
connect() {
	local db=$1
	shift
	printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 tstclnt -h 127.0.0.1 -p "$PORT" -d "sql:$db" "$@" \
		>"$T/tstclnt.out" 2>&1
	grep -q '^HTTP/1.0 200' "$T/tstclnt.out" && echo "tstclnt: selfserv answered over TLS" && return
	echo "tstclnt got no answer, wanted 'HTTP/1.0 200': $(head -c 300 "$T/tstclnt.out")"
	return 1
}
mkdir "$T/stranger" && certutil -N -d "sql:$T/stranger" --empty-password
certutil -A -d "sql:$T/stranger" -n DB-CA -t CT,, -i "$T/db-ca.pem"
must_fail "a client without a certificate is refused" connect "$T/stranger"

connect "$CLI" -n client -W "$CLI/sslpassword.conf" || exit 1
stop_servers || true

step "The client's key is lost: the CA revokes its certificate, the server takes the CRL"
SOFTHSM2_CONF=$SERVER_HSM p11cert -d "$SRV" revoke-cert --ca db-hsm:db-ca --reason keyCompromise "$T/client.pem"
SOFTHSM2_CONF=$SERVER_HSM p11cert -d "$SRV" gen-crl --ca db-hsm:db-ca -F binary -o "$T/db-ca.crl"
SOFTHSM2_CONF=$SERVER_HSM crlutil -I -d "sql:$SRV" -t 1 -i "$T/db-ca.crl" -f "$SRV/sslpassword.conf" </dev/null
spawn selfserv 127.0.0.1 "$PORT" "$T/selfserv.log" \
	env SOFTHSM2_CONF="$SERVER_HSM" selfserv -d "sql:$SRV" -f "$SRV/sslpassword.conf" \
	-n db-hsm:server -p "$PORT" -r -r
verdict "tstclnt with the client wallet and selfserv on the HSM key: mutual TLS, until the CRL" \
	must_fail "the revoked client certificate is refused" \
	connect "$CLI" -n client -W "$CLI/sslpassword.conf"
