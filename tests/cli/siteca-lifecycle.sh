#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# The site CA's whole lifecycle, p11cert on both sides (issue 17): a CA
# (add-selfsign-cert --ca) issues with sign-request --crl-url --ocsp-url,
# revokes one certificate (revoke-cert), publishes its CRL (gen-crl) on
# python's http.server; verify-cert --revocation crl and check then see
# the revocation in that CRL, as vfychain -m crl does, and the OCSP URL that
# nothing answers is "revocation unknown": trusted by default (soft), not
# with --require-revocation.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"
need certutil openssl python3 vfychain
new_db
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY

PH=$(free_port)
PO=$(free_port) # nothing listens there
mkdir -p "$T/www"
p11c -q -d "$DB" add-selfsign-cert --ca -S "CN=Lifecycle CA" --key-type ec:p256 --days 365 ca ||
	exit 1

# issue NAME TRUST [URL OPTIONS]: $T/NAME.pem signed by ca, stored with TRUST
issue() {
	local n=$1 trust=$2
	shift 2
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$n.key" \
		-subj "/CN=$n" -out "$T/$n.csr" 2>/dev/null &&
		p11c -q -d "$DB" sign-request --ca ca --usage server --days 30 "$@" -o "$T/$n.pem" \
			"$T/$n.csr" &&
		openssl x509 -in "$T/$n.pem" -outform DER -out "$T/$n.der" &&
		p11c -q -d "$DB" add-cert --trust "$trust" "$n" "$T/$n.pem" ||
		{ echo "cannot issue $n" >&2; exit 1; }
}
issue good ,, --crl-url "http://127.0.0.1:$PH/ca.crl"
issue bad ,, --crl-url "http://127.0.0.1:$PH/ca.crl"
issue goodpeer peer --crl-url "http://127.0.0.1:$PH/ca.crl"
issue badpeer peer --crl-url "http://127.0.0.1:$PH/ca.crl"
issue silent ,, --ocsp-url "http://127.0.0.1:$PO/"
check "sign-request put the distribution point in" \
	grep -q "URI:http://127.0.0.1:$PH/ca.crl" <(openssl x509 -in "$T/good.pem" -noout -text)

expect_exit 0 "revoke-cert FILE --reason keyCompromise" \
	p11c -d "$DB" revoke-cert --ca ca --reason keyCompromise "$T/bad.pem"
serial=$(openssl x509 -in "$T/badpeer.pem" -noout -serial | sed 's/^serial=//')
expect_exit 0 "revoke-cert SERIAL --reason superseded" \
	p11c -d "$DB" revoke-cert --ca ca --reason superseded "$serial"
expect_exit 0 "gen-crl -F binary" p11c -d "$DB" gen-crl --ca ca -F binary -o "$T/www/ca.crl"
start_http 127.0.0.1 "$PH" "$T/www"

# vfy NAME: vfychain's verdict with the leaf's CRL required (0 trusted)
vfy() {
	vfychain -d "sql:$DB" -pp -u 1 -g leaf -m crl -s failIfNoInfo "$T/$1.der" >"$T/vfy" 2>&1
}
expect_exit 0 "good: trusted by CRL" \
	p11c -d "$DB" verify-cert --revocation crl --require-revocation good
check "good: the CRL named as the source" grep -q "Revocation: good (CRL http://127.0.0.1:$PH/ca.crl" "$T/out"
check "good: vfychain -m crl agrees" vfy good
expect_exit 1 "bad: refused, revoked by the site CA's CRL" \
	p11c -d "$DB" verify-cert --revocation crl bad
check "bad: the reason said" grep -q "reason keyCompromise" "$T/out"
check "bad: vfychain -m crl agrees" fails vfy bad
check "bad: ... as revoked" grep -qi 'revoked' "$T/vfy"

# A certificate trusted as itself: NSS's verifier (and so vfychain) asks
# no CRL about it; p11cert still finds it in its issuer's CRL.
expect_exit 1 "a trusted peer the CA revoked: refused" \
	p11c -d "$DB" verify-cert --revocation crl badpeer
check "... superseded" grep -q "reason superseded" "$T/out"
expect_exit 0 "a trusted peer not revoked: trusted" \
	p11c -d "$DB" verify-cert --revocation crl --require-revocation goodpeer

expect_exit 0 "silent responder: trusted, soft failure by default" \
	p11c -d "$DB" verify-cert --timeout 3 silent
check "... and said" grep -q 'revocation unknown' "$T/out"
expect_exit 1 "silent responder: --require-revocation refuses" \
	p11c -d "$DB" verify-cert --timeout 3 --require-revocation silent

st=0
p11c -d "$DB" check --json --revocation crl >"$T/out" 2>"$T/err" || st=$?
check "check --revocation crl: exit 2, a problem (got $st)" test "$st" = 2
check "check names the revoked peer with its code" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
hits = [f for f in d["findings"] if f["alias"] == "badpeer" and f["code"] == "revoked"
        and f["severity"] == "problem"]
ok = [f for f in d["findings"] if f["alias"] == "goodpeer" and f["code"] == "revoked"]
sys.exit(0 if hits and not ok else "findings: %r" % d["findings"])' "$T/out"
finish
