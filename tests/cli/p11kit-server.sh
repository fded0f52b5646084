#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# A shared HSM: p11-kit server exposes a SoftHSM token on a unix socket, and
# p11cert works through p11-kit-client.so unchanged, from two processes.
. "$(dirname "$0")/lib.sh"
need p11-kit softhsm2-util pkcs11-tool certutil
# Debian 12's p11-kit 0.24.1 client reads past an array in its RPC code,
# which AddressSanitizer stops at inside C_Initialize (fixed upstream in
# p11-kit 0.25, p11-glue/p11-kit#456); valgrind reports the same read.  The
# plain pass runs this test.
if [ "${P11CERT_SANITIZED:-}" = 1 ] || [ -n "${P11CERT_WRAPPER:-}" ]; then
	echo "SKIP: p11-kit-client.so 0.24 reads out of bounds (p11-kit#456)"
	exit 77
fi
CLIENT=/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so
[ -e "$CLIENT" ] || { [ "${CI:-}" = true ] && { echo "FAIL: no $CLIENT"; exit 1; }; exit 77; }
make_token shared-hsm 4321
new_db
(umask 077 && { cat "$DB/sslpassword.conf"; echo "shared-hsm:4321"; } >"$T/pw")

p11-kit server -f --provider "$SOFTHSM_MODULE" -n "$T/p11.sock" "pkcs11:token=shared-hsm" \
	>"$T/server.out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do [ -S "$T/p11.sock" ] && break; sleep 0.1; done
check "the server listens" test -S "$T/p11.sock"

# The client side sees only the socket: no SoftHSM configuration, no p11-kit
# modules of the system.
client() {
	env -u SOFTHSM2_CONF P11CERT_NO_P11KIT=1 P11_KIT_SERVER_ADDRESS="unix:path=$T/p11.sock" \
		${P11CERT_WRAPPER:-} "$P11CERT" -d "$DB" -W "$T/pw" --module "$CLIENT" "$@"
}
expect_exit 0 "list-tokens through the server" client list-tokens
check "the shared token is seen" grep -q ' shared-hsm ' "$T/out"
expect_exit 0 "add-selfsign-cert --token through the server" \
	client add-selfsign-cert --token shared-hsm --name mail.example.com mail
check "pkcs11-tool on the token itself sees the key" grep -q 'label: *mail' <(token_objects shared-hsm 4321)
check "and it is never extractable" \
	grep -q 'never extractable' <<<"$(token_key shared-hsm 4321 mail)"

# Two processes at once through the one server.  p11-kit server gives each
# client its own SoftHSM instance, and SoftHSM's file store can hide a
# token's objects from one instance while another logs in (it rewrites the
# token file, and C_Login can fail meanwhile): "not found" (3) and "the
# token refused" (5) are tried again, twice at most, and so is a
# p11-kit-client.so that cannot start (1, "cannot load": its
# C_GetFunctionList starts the server's SoftHSM instance, which the same
# race fails) and a login the race fails with CKR_GENERAL_ERROR (4, the key
# unknown), each seen once in CI; anything else fails at once.  What each run
# printed is kept for the log.
again() { # OUT COMMAND...
	local out=$1 r
	shift
	for try in 1 2 3; do
		"$@" >"$out" 2>&1 && return 0
		r=$?
		echo "try $try: exit $r: $(tail -1 "$out")" >>"$out.log"
		case $r in
		3 | 5) sleep 0.3 ;;
		1 | 4) grep -q -e "^p11cert: cannot load '.*p11-kit-client.so' as a PKCS#11 module" \
			-e "cannot log in to token 'shared-hsm': .*CKR_GENERAL_ERROR" "$out" &&
			sleep 0.3 || return "$r" ;;
		*) return "$r" ;;
		esac
	done
	return "$r"
}
again "$T/one" client list-certs &
p1=$!
again "$T/two" client show-cert shared-hsm:mail &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
check "two processes at once: both succeed" test "$r1$r2" = 00
cat "$T/one.log" "$T/two.log" 2>/dev/null
[ "$r1$r2" = 00 ] || cat "$T/one" "$T/two"
check "one lists the certificate" grep -q '^shared-hsm:mail ' "$T/one"
check "the other shows its key on the token" grep -q '^Private key: *on token shared-hsm, not extractable' "$T/two"
(umask 077 && { cat "$DB/sslpassword.conf"; echo "shared-hsm:0000"; } >"$T/wrong.pw")
expect_exit 4 "a wrong PIN through the server" env -u SOFTHSM2_CONF P11CERT_NO_P11KIT=1 \
	P11_KIT_SERVER_ADDRESS="unix:path=$T/p11.sock" "$P11CERT" -d "$DB" \
	-W "$T/wrong.pw" --module "$CLIENT" list-certs
check "it is the PIN that is wrong" grep -q 'CKR_PIN_INCORRECT' "$T/err"

finish
