# SPDX-License-Identifier: MPL-2.0
# The ACME test server of the ACME tests: Debian's pebble and
# pebble-challtestsrv (its DNS and challenge helper) on free ports of
# 127.0.0.1, with a TLS certificate of their own made here.  Sourced after
# lib.sh; call start_pebble directly (not in $(...) or a pipe) so that both
# are stopped when the test exits.  Pebble's default nonce rejection (5 %)
# stays on, so the client's badNonce retries are exercised.
#
# After start_pebble:
#   PEBBLE_DIR      https://127.0.0.1:PORT/dir, the directory URL
#   PEBBLE_CA       PEM of the CA that issued pebble's TLS certificate
#                   (the client's server_ca / --server-ca)
#   PEBBLE_ROOT     PEM of pebble's issuing root, fetched from its
#                   management port (for openssl verify)
#   PEBBLE_MGMT     https://127.0.0.1:PORT, pebble's management interface
#   PEBBLE_HTTP_PORT  the port pebble validates http-01 on (our answerer's)
#   PEBBLE_BLOCKED  a name pebble refuses (rejectedIdentifier)
#   CHALL_MGMT      http://127.0.0.1:PORT, challtestsrv's management API
#   CHALL_DNS       127.0.0.1:PORT, challtestsrv's DNS server
#   PEBBLE_LOG, CHALL_LOG  their logs

declare -F spawn >/dev/null || . "$(dirname "${BASH_SOURCE[0]}")/servers.sh"

need pebble pebble-challtestsrv openssl curl

# pebble_tls_cert: $T/pebble-ca.pem and pebble's certificate for 127.0.0.1
# and localhost ($T/pebble-tls.pem, .key), issued by it.
pebble_tls_cert() {
	make_ca pebble-ca "/CN=p11cert test ACME server CA"
	printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature' \
		'extendedKeyUsage=serverAuth' 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
		>"$T/pebble-tls.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/pebble-tls.key" -subj "/CN=localhost" -out "$T/pebble-tls.csr" \
		2>/dev/null &&
		openssl x509 -req -in "$T/pebble-tls.csr" -CA "$T/pebble-ca.pem" \
			-CAkey "$T/pebble-ca.key" -CAcreateserial -days 30 \
			-extfile "$T/pebble-tls.ext" -out "$T/pebble-tls.pem" 2>/dev/null ||
		{ echo "cannot make pebble's TLS certificate" >&2; exit 1; }
	PEBBLE_CA=$T/pebble-ca.pem
}

# chall_http_ok: challtestsrv's management API answers.
chall_http_ok() {
	curl -s -o /dev/null --max-time 2 -X POST -d '{}' "$CHALL_MGMT/dns-request-history"
}

# start_pebble [--eab]: challtestsrv then pebble, ready for requests.  With
# --eab pebble requires external account binding, with the key ids of its
# example configuration: kid-1 (HMAC key $EAB_HMAC_1, base64url) and kid-2.
start_pebble() {
	local eab=false listen mgmt tls dns cmgmt i
	[ "${1:-}" = --eab ] && eab=true
	pebble_tls_cert
	listen=$(free_port) mgmt=$(free_port) tls=$(free_port) dns=$(free_port) cmgmt=$(free_port)
	PEBBLE_HTTP_PORT=${PEBBLE_HTTP_PORT:-$(free_port)}
	CHALL_MGMT=http://127.0.0.1:$cmgmt
	CHALL_DNS=127.0.0.1:$dns
	CHALL_LOG=$T/challtestsrv.log
	PEBBLE_LOG=$T/pebble.log
	PEBBLE_BLOCKED=blocked.test
	EAB_HMAC_1=zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W
	EAB_HMAC_2=b10lLJs8l1GPIzsLP0s6pMt8O0XVGnfTaCeROxQM0BIt2XrJMDHJZBM5NuQmQJQH
	{
		printf '{ "pebble": {\n'
		printf '  "listenAddress": "127.0.0.1:%s",\n' "$listen"
		printf '  "managementListenAddress": "127.0.0.1:%s",\n' "$mgmt"
		printf '  "certificate": "%s",\n  "privateKey": "%s",\n' \
			"$T/pebble-tls.pem" "$T/pebble-tls.key"
		printf '  "httpPort": %s,\n  "tlsPort": %s,\n' "$PEBBLE_HTTP_PORT" "$tls"
		printf '  "ocspResponderURL": "",\n'
		printf '  "domainBlocklist": ["%s"],\n' "$PEBBLE_BLOCKED"
		if $eab; then
			printf '  "externalAccountBindingRequired": true,\n'
			printf '  "externalAccountMACKeys": { "kid-1": "%s", "kid-2": "%s" }\n' \
				"$EAB_HMAC_1" "$EAB_HMAC_2"
		else
			printf '  "externalAccountBindingRequired": false\n'
		fi
		printf '} }\n'
	} >"$T/pebble.json"
	# challtestsrv only as the DNS server pebble asks (every name is
	# 127.0.0.1, TXT records set through its management API); its own
	# challenge servers off, so that the tests' answerers are the ones seen.
	spawn pebble-challtestsrv 127.0.0.1 "$cmgmt" "$CHALL_LOG" \
		pebble-challtestsrv -http01 "" -https01 "" -tlsalpn01 "" \
		-dns01 "127.0.0.1:$dns" -management "127.0.0.1:$cmgmt" -defaultIPv4 127.0.0.1 \
		-defaultIPv6 ""
	# pebble: no sleeps before validation, authorizations never reused (a
	# test's failed or refused name is asked again, not taken as valid).
	PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0 \
		spawn pebble 127.0.0.1 "$listen" "$PEBBLE_LOG" \
		pebble -config "$T/pebble.json" -dnsserver "127.0.0.1:$dns"
	PEBBLE_DIR=https://127.0.0.1:$listen/dir
	PEBBLE_MGMT=https://127.0.0.1:$mgmt
	for ((i = 0; i < 100; i++)); do
		curl -sf --cacert "$PEBBLE_CA" -o /dev/null --max-time 2 "$PEBBLE_DIR" && break
		sleep 0.1
	done
	curl -sf --cacert "$PEBBLE_CA" --max-time 5 -o "$T/pebble-root.pem" "$PEBBLE_MGMT/roots/0" ||
		{ echo "cannot fetch pebble's root from $PEBBLE_MGMT/roots/0; its log:" >&2
		  sed 's/^/  | /' "$PEBBLE_LOG" >&2; exit 1; }
	curl -sf --cacert "$PEBBLE_CA" --max-time 5 -o "$T/pebble-intermediate.pem" \
		"$PEBBLE_MGMT/intermediates/0" || true
	PEBBLE_ROOT=$T/pebble-root.pem
	export PEBBLE_BLOCKED PEBBLE_DIR PEBBLE_CA PEBBLE_ROOT PEBBLE_MGMT PEBBLE_HTTP_PORT CHALL_MGMT CHALL_DNS
}

# stop_pebble: stop pebble (and challtestsrv) now, e.g. to test a server
# gone mid-run; also done at exit.
stop_pebble() {
	stop_servers
}

# chall_set_txt NAME VALUE / chall_clear_txt NAME: a TXT record for
# dns-01 (NAME "_acme-challenge.DOMAIN", with or without the final dot).
chall_set_txt() {
	curl -sf --max-time 5 -o /dev/null -X POST \
		-d "{\"host\":\"${1%.}.\",\"value\":\"$2\"}" "$CHALL_MGMT/set-txt"
}
chall_clear_txt() {
	curl -sf --max-time 5 -o /dev/null -X POST -d "{\"host\":\"${1%.}.\"}" "$CHALL_MGMT/clear-txt"
}

# pebble_cert_status SERIAL_HEX: pebble's view of a certificate it issued
# ("Valid" or "Revoked"), from its management interface.
pebble_cert_status() {
	curl -sf --cacert "$PEBBLE_CA" --max-time 5 "$PEBBLE_MGMT/cert-status-by-serial/$1" |
		sed -n 's/.*"Status": *"\([A-Za-z]*\)".*/\1/p'
}

# verify_chain PEM: openssl verify of PEM's first certificate with the
# rest as intermediates, against pebble's root.
verify_chain() {
	local pem=$1
	awk 'BEGIN{n=0} /BEGIN CERT/{n++} n==1' "$pem" >"$T/vc-leaf.pem"
	awk 'BEGIN{n=0} /BEGIN CERT/{n++} n>1' "$pem" >"$T/vc-rest.pem"
	if [ -s "$T/vc-rest.pem" ]; then
		openssl verify -CAfile "$PEBBLE_ROOT" -untrusted "$T/vc-rest.pem" "$T/vc-leaf.pem"
	else
		openssl verify -CAfile "$PEBBLE_ROOT" "$T/vc-leaf.pem"
	fi
}

# A database ($DB) with SoftHSM token acme-hsm (PIN 4321) registered as its
# own module, so that certutil sees the token too, and $T/pw holding both
# passwords.
acme_hsm_db() {
	P11C_AUTO_MODULE=
	make_token acme-hsm 4321
	new_db
	p11c -q -d "$DB" add-module softhsm "$SOFTHSM_MODULE"
	(umask 077 && { cat "$DB/sslpassword.conf"; echo "acme-hsm:4321"; } >"$T/pw")
}
