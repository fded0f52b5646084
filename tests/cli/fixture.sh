#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# fixture DIR: at once usable by selfserv (the token's key) with tstclnt
# and openssl s_client trusting the fixture's CA; the key sensitive and
# never extractable (pkcs11-tool); the client PKCS#12 opens (openssl
# pkcs12) and authenticates to selfserv -r -r; --json's paths exist; two
# fixtures made in parallel share nothing and both serve (the CI
# examples' server-test.sh, run from the build and from meson install
# --destdir).
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/servers.sh"
need certutil selfserv tstclnt openssl pkcs11-tool softhsm2-util python3
unset SOFTHSM2_CONF

F=$T/fx
p11c fixture "$F" --host localhost --san ip:127.0.0.1 --client alice >"$T/env" 2>"$T/err"
rc=$?
check "fixture exits 0 (got $rc: $(head -c 300 "$T/err"))" test "$rc" = 0
check "it prints export lines only: $(grep -vc '^export [A-Z0-9_]*=' "$T/env") other lines" \
	fails grep -vq '^export [A-Z0-9_]*=' "$T/env"
. "$T/env"
check "SOFTHSM2_CONF is the fixture's own (got '$SOFTHSM2_CONF')" \
	test "$SOFTHSM2_CONF" = "$F/softhsm2.conf" -a -f "$SOFTHSM2_CONF"
check "the output holds no PIN" fails grep -qF "$(cat "$F/pin")" "$T/env" "$T/err"
check "the PIN files are mode 0600" test "$(stat -c %a "$F/pin" "$F/so-pin" "$F/client.p12.pw" | sort -u)" = 600

# selfserv on the token's key; tstclnt trusts the fixture's CA alone.
DB=$P11CERT_DB PW=$P11CERT_DB/sslpassword.conf
mkdir -p "$T/client"
certutil -N -d "sql:$T/client" --empty-password
certutil -A -d "sql:$T/client" -n fixture-ca -t "C,," -a -i "$P11CERT_FIXTURE_CA"
check "selfserv serves $P11CERT_FIXTURE_NICKNAME and tstclnt (trusting the CA) connects" \
	selfserv_get "$P11CERT_FIXTURE_NICKNAME"

# openssl s_client -CAfile verifies the same server.
port=$(free_port)
spawn selfserv 127.0.0.1 "$port" "$T/selfserv.log" \
	selfserv -d "sql:$DB" -n "$P11CERT_FIXTURE_NICKNAME" -p "$port" -f "$PW"
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 openssl s_client -connect "127.0.0.1:$port" \
	-CAfile "$P11CERT_FIXTURE_CA" -verify_hostname localhost -verify_return_error -ign_eof \
	>"$T/s_client.out" 2>&1
stop_servers
check "openssl s_client -CAfile verifies the server: $(grep -m1 'Verify return code' "$T/s_client.out")" \
	grep -q 'Verify return code: 0 (ok)' "$T/s_client.out"
check "openssl s_client gets selfserv's reply" grep -q 'HTTP/1.0 200' "$T/s_client.out"

# The key on the token: sensitive and never extractable.
token_key fixture "$(cat "$F/pin")" server >"$T/key"
check "pkcs11-tool sees the private key 'server' on the token: $(tr '\n' ' ' <"$T/key" | head -c 200)" \
	grep -q '^Private Key Object' "$T/key"
check "the key is sensitive and never extractable" \
	grep -q 'Access: *sensitive, always sensitive, never extractable' "$T/key"

# The client PKCS#12 opens with openssl and authenticates to selfserv -r -r.
openssl pkcs12 -in "$P11CERT_FIXTURE_CLIENT_P12" -passin "file:$P11CERT_FIXTURE_CLIENT_P12_PASSWORD_FILE" \
	-nodes -out "$T/alice.pem" 2>"$T/p12.err"
check "openssl pkcs12 opens the client PKCS#12: $(head -c 200 "$T/p12.err")" \
	grep -q 'BEGIN PRIVATE KEY' "$T/alice.pem"
check "it holds alice's certificate" grep -q 'subject=.*CN *= *alice' "$T/alice.pem"
pass=(-passin "file:$P11CERT_FIXTURE_CLIENT_P12_PASSWORD_FILE")
openssl pkcs12 -in "$P11CERT_FIXTURE_CLIENT_P12" "${pass[@]}" -clcerts -nokeys -out "$T/alice.crt" 2>/dev/null
openssl pkcs12 -in "$P11CERT_FIXTURE_CLIENT_P12" "${pass[@]}" -nocerts -nodes -out "$T/alice.key" 2>/dev/null
port=$(free_port)
spawn selfserv 127.0.0.1 "$port" "$T/selfserv-r.log" \
	selfserv -d "sql:$DB" -n "$P11CERT_FIXTURE_NICKNAME" -p "$port" -f "$PW" -r -r
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 openssl s_client -connect "127.0.0.1:$port" \
	-CAfile "$P11CERT_FIXTURE_CA" -cert "$T/alice.crt" -key "$T/alice.key" -ign_eof \
	>"$T/s_client-r.out" 2>&1
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 openssl s_client -connect "127.0.0.1:$port" \
	-CAfile "$P11CERT_FIXTURE_CA" -ign_eof >"$T/s_client-anon.out" 2>&1
stop_servers
check "alice's certificate authenticates to selfserv -r -r: $(tail -c 300 "$T/selfserv-r.log")" \
	grep -q 'HTTP/1.0 200' "$T/s_client-r.out"
check "without it selfserv -r -r refuses" fails grep -q 'HTTP/1.0 200' "$T/s_client-anon.out"

# --json: one object, every path there.
(unset SOFTHSM2_CONF && p11c fixture "$T/fj" --host db.example --client bob --json) >"$T/json" 2>"$T/err"
check "fixture --json exits 0: $(head -c 300 "$T/err")" test -s "$T/json"
python3 - "$T/json" <<'PY' >"$T/json.check" 2>&1
import json, os, sys
d = json.load(open(sys.argv[1]))
paths = [k for k in d if k in ("softhsm2_conf", "database", "pin_file", "ca", "server_chain",
                               "trust_bundle", "client_p12", "client_p12_password_file")]
assert len(paths) == 8, "wanted 8 paths, got %r" % sorted(d)
for k in paths:
    assert os.path.exists(d[k]), "%s: %s is missing" % (k, d[k])
assert d["token_uri"].startswith("pkcs11:") and "token=fixture" in d["token_uri"], d["token_uri"]
assert d["key_uri"].startswith("pkcs11:") and "type=private" in d["key_uri"], d["key_uri"]
print("ok")
PY
check "--json parses and every path exists: $(cat "$T/json.check")" grep -qx ok "$T/json.check"
check "the server chain holds the server and the CA" \
	test "$(grep -c 'BEGIN CERTIFICATE' "$T/fj/server-chain.pem")" = 2

# An RSA key on a token with SoftHSM 2.6.1's copy defect: the probe's warning.
p11c fixture "$T/rsa" --host localhost --key-type rsa:2048 >/dev/null 2>"$T/err"
check "an RSA server key on a token that cannot serve it to NSS servers is warned of: $(tail -1 "$T/err")" \
	grep -q "^p11cert: warning: token 'fixture' cannot serve RSA keys to NSS servers" "$T/err"

# A directory that is not empty: refused, one line, left as it was.
mkdir -p "$T/full" && echo x >"$T/full/keep"
expect_exit 1 "fixture refuses a directory that is not empty" p11c fixture "$T/full" --host x.example
check "the directory is as it was" test "$(ls -A "$T/full")" = keep
expect_exit 2 "fixture without --host is a usage error" p11c fixture "$T/nohost"

# Two at once, from the CI examples' script: no shared files, both serve.
# One runs the build's p11cert, the other p11cert as CI installs it (meson
# install --destdir), with the data files it installs.
unset SOFTHSM2_CONF P11CERT_DB
bin=$T/bin && mkdir -p "$bin" && ln -s "$P11CERT" "$bin/p11cert"
INST=$T/inst
: "${BUILDDIR:=$(cd "$(dirname "$P11CERT")/../.." && pwd)}"
if meson install -C "$BUILDDIR" --no-rebuild --destdir "$INST" >"$T/install.log" 2>&1; then
	ok "meson install --destdir"
else
	not_ok "meson install --destdir: $(tail -5 "$T/install.log")"
fi
ibin=$(dirname "$(find "$INST" -path '*/bin/p11cert' | head -1)")
ilib=$(dirname "$(find "$INST" -name 'libp11cert.so.1' | head -1)")
share=$(find "$INST" -type d -path '*/share/p11cert' | head -1)
check "the SoftHSM2 template and module file are installed in share/p11cert (got '$share')" \
	test -f "$share/softhsm2.conf.in" -a -f "$share/softhsm2.module"
check "the installed p11cert runs (got '$ibin/p11cert')" \
	env LD_LIBRARY_PATH="$ilib" "$ibin/p11cert" --version
PATH=$bin:$PATH "$TESTDIR/../../examples/ci/server-test.sh" "$T/ci-a" >"$T/ci-a.out" 2>&1 &
a=$!
PATH=$ibin:$PATH LD_LIBRARY_PATH=$ilib "$TESTDIR/../../examples/ci/server-test.sh" "$T/ci-b" \
	>"$T/ci-b.out" 2>&1 &
b=$!
wait "$a"; ra=$?
wait "$b"; rb=$?
check "server-test.sh in $T/ci-a passes (got $ra: $(tail -c 300 "$T/ci-a.out"))" test "$ra" = 0
check "server-test.sh in $T/ci-b passes (got $rb: $(tail -c 300 "$T/ci-b.out"))" test "$rb" = 0
. "$T/ci-a/fixture.env" && conf_a=$SOFTHSM2_CONF
. "$T/ci-b/fixture.env" && conf_b=$SOFTHSM2_CONF
check "each has its own SoftHSM configuration and store" \
	test "$conf_a" != "$conf_b" -a "$(grep tokendir "$conf_a")" != "$(grep tokendir "$conf_b")"
check "no file of one names the other's directory" \
	fails grep -rqF "$T/ci-b" "$T/ci-a/hsm"
# The CI examples run the steps tested above.
installs_and_runs() { grep -q 'meson install' "$1" && grep -q 'examples/ci/server-test.sh' "$1"; }
for ci in github-actions.yml gitlab-ci.yml; do
	check "examples/ci/$ci installs p11cert and runs server-test.sh" \
		installs_and_runs "$TESTDIR/../../examples/ci/$ci"
done
finish
