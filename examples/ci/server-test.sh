#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
# A server test against a throwaway HSM, the steps the CI examples
# (github-actions.yml, gitlab-ci.yml) and p11cert's own test suite run:
#   examples/ci/server-test.sh [WORKDIR]
# p11cert fixture makes a SoftHSM2 token with a server key on it and a CA;
# NSS's selfserv serves TLS with that key (the database the fixture made
# registers the module; SOFTHSM2_CONF names the fixture's own store), and
# openssl s_client, trusting only the fixture's CA, must verify it.  Your
# own server takes its place: its certificate is $P11CERT_FIXTURE_NICKNAME
# in $P11CERT_DB for NSS, or $P11CERT_FIXTURE_KEY_URI for a pkcs11: URI
# reader, the PIN in the file $P11CERT_FIXTURE_PIN_FILE.
# Needs p11cert (or $P11CERT), softhsm2, selfserv (libnss3-tools), openssl.
set -eu
P11CERT=${P11CERT:-p11cert}
work=${1:-$(mktemp -d)}
mkdir -p "$work"
fixture=$work/hsm

# One command: the token, the database, the CA and the server identity.
"$P11CERT" fixture "$fixture" --host localhost --san ip:127.0.0.1 >"$work/fixture.env"
. "$work/fixture.env"

# A free port on the loopback, and the server on it.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
selfserv -d "sql:$P11CERT_DB" -f "$P11CERT_DB/sslpassword.conf" -n "$P11CERT_FIXTURE_NICKNAME" \
	-p "$port" -i "$work/selfserv.pid" >"$work/selfserv.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || :' EXIT
for _ in $(seq 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	sleep 0.1
done

# The client trusts the fixture's CA alone, and checks the host name.
printf 'GET / HTTP/1.0\r\n\r\n' |
	timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername localhost \
		-CAfile "$P11CERT_FIXTURE_CA" -verify_hostname localhost -verify_return_error \
		-ign_eof >"$work/s_client.log" 2>&1 || :
if grep -q 'Verify return code: 0 (ok)' "$work/s_client.log" &&
	grep -q 'HTTP/1.0 200' "$work/s_client.log"; then
	echo "server-test: ok (the server's key is on token $P11CERT_FIXTURE_TOKEN_URI)"
else
	echo "server-test: FAILED" >&2
	tail -20 "$work/s_client.log" "$work/selfserv.log" >&2
	exit 1
fi
