#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# verify-cert gives NSS's verdict: a table of certificates and usages, each
# judged by p11cert, certutil -V and vfychain (libpkix, -pp), which must
# agree.  Issue 12: a peer-trusted self-signed certificate with CA:TRUE was
# judged as a CA (unknown issuer) where certutil said valid.
. "$(dirname "$0")/lib.sh"
need certutil vfychain openssl python3
new_db

make_ca root "/CN=Table Root CA"
make_ca int "/CN=Table Intermediate CA" root
make_ca bad "/CN=Table Distrusted CA" root
make_ca uroot "/CN=Table Untrusted Root"
# leaf NAME CN ISSUER EKU: an end-entity certificate from a make_ca CA.
leaf() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" \
		-subj "/CN=$2" -out "$T/$1.csr" 2>/dev/null &&
		printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=DNS:%s\n' \
			"$4" "$2" >"$T/$1.ext" &&
		openssl x509 -req -in "$T/$1.csr" -CA "$T/$3.pem" -CAkey "$T/$3.key" -CAcreateserial \
			-days 90 -extfile "$T/$1.ext" -out "$T/$1.pem" 2>/dev/null ||
		{ echo "cannot make $1" >&2; exit 1; }
}
leaf srv srv.example.com int serverAuth
leaf cli cli.example.com int clientAuth
leaf dis dis.example.com bad serverAuth
leaf orphan orphan.example.com uroot serverAuth
fixed_cert old /CN=old.example.com 20200101000000Z 20210101000000Z root
# an MD5 signature, which NSS's policy refuses: with a verify log NSS
# answered SECSuccess for it (and for a distrusted intermediate)
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/md5.key" \
	-subj /CN=md5.example.com -out "$T/md5.csr" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/rsaca.key" -subj "/CN=Table RSA CA" \
	-days 30 -out "$T/rsaca.pem" 2>/dev/null
openssl x509 -req -md5 -in "$T/md5.csr" -CA "$T/rsaca.pem" -CAkey "$T/rsaca.key" \
	-CAcreateserial -days 30 -extfile "$T/srv.ext" -out "$T/md5.pem" 2>/dev/null
# what openssl req -x509 makes by default (CA:TRUE), and one with CA:FALSE
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/pca.key" \
	-subj /CN=peer-ca.example -days 30 -out "$T/pca.pem" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/pnc.key" \
	-subj /CN=peer-noca.example -days 30 -addext basicConstraints=CA:FALSE \
	-out "$T/pnc.pem" 2>/dev/null
# a root as openssl req -x509 makes it (no keyUsage), trusted as a CA
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/plain.key" \
	-subj "/CN=Table Plain Root" -days 30 -out "$T/plain.pem" 2>/dev/null
check "openssl signed with MD5" \
	sh -c "openssl x509 -in '$T/md5.pem' -noout -text | grep -q md5WithRSAEncryption"
check "openssl made the peer certificate a CA" \
	sh -c "openssl x509 -in '$T/pca.pem' -noout -ext basicConstraints | grep -q CA:TRUE"

# Trust as a user gives it: p11cert where it stores the certificate
# (add-cert wants the key of an end-entity one), certutil for the rest.
p11c -q -d "$DB" add-cert -C root "$T/root.pem"
p11c -q -d "$DB" add-cert -C plain "$T/plain.pem"
p11c -q -d "$DB" add-cert -C rsaca "$T/rsaca.pem"
p11c -q -d "$DB" add-cert --trust peer pca "$T/pca.pem"
p11c -q -d "$DB" add-cert --trust peer pnc "$T/pnc.pem"
add() { certutil -d "sql:$DB" -A -n "$1" -t "$2" -i "$T/$1.pem" -f "$DB/sslpassword.conf"; }
add int ,, && add bad p,, && add uroot ,, &&
	for n in srv cli dis orphan old md5; do add "$n" ,, || exit 1; done || exit 1
check "the trust is as meant" test "$(for a in root pca bad uroot; do trust_of "$a"; done | tr '\n' '|')" = \
	"CT,,|P,,|p,,|,,|"

# certutil -V's letter and vfychain's number for each p11cert usage.
# certutil checks signatures only with -e; p11cert and vfychain always do.
certutil_u() { case $1 in server) echo V ;; client) echo C ;; email) echo S ;; server-ca) echo L ;; esac; }
vfychain_u() { case $1 in server) echo 1 ;; client) echo 0 ;; email) echo 4 ;; server-ca) echo 3 ;; esac; }
verdict() { if [ "$1" = 0 ]; then echo valid; else echo invalid; fi; }

# judge CASE ALIAS USAGE WANT: p11cert, certutil and vfychain, each
# against the others and against the verdict the case expects.
judge() {
	local what=$1 alias=$2 usage=$3 want=$4 p c v
	p11c -d "$DB" verify-cert --usage "$usage" "$alias" >"$T/out" 2>"$T/err"
	p=$?
	if [ "$p" -gt 1 ]; then
		not_ok "$what: verify-cert --usage $usage $alias: exit $p ($(cat "$T/err"))"
		return
	fi
	p=$(verdict $p)
	certutil -d "sql:$DB" -V -e -n "$alias" -u "$(certutil_u "$usage")" \
		-f "$DB/sslpassword.conf" >/dev/null 2>&1
	c=$(verdict $?)
	certutil -d "sql:$DB" -L -n "$alias" -a >"$T/$alias.db.pem"
	vfychain -d "sql:$DB" -pp -u "$(vfychain_u "$usage")" -a "$T/$alias.db.pem" >"$T/vfy" 2>&1
	v=$(verdict $?)
	local line="$what ($alias, $usage): p11cert $p, certutil $c, vfychain $v, wanted $want"
	if [ "$p" = "$c" ] && [ "$p" = "$v" ] && [ "$p" = "$want" ]; then
		ok "$line"
	else
		not_ok "$line; p11cert said: $(head -c 300 "$T/err")"
	fi
	# the verdict line and the exit status say the same
	if [ "$p" = valid ]; then
		grep -q '^Verdict: trusted ' "$T/out" || not_ok "$what: no 'trusted' verdict line"
	else
		grep -q '^Verdict: NOT trusted ' "$T/out" || not_ok "$what: no 'NOT trusted' verdict line"
	fi
}

before=$(snapshot)
judge "CA-signed leaf, trusted root" srv server valid
judge "CA-signed leaf for a client" srv client invalid
judge "CA-signed leaf for email" srv email invalid
judge "peer-trusted self-signed with CA:TRUE" pca server valid
judge "peer-trusted self-signed with CA:TRUE, client" pca client valid
judge "peer trust is TLS trust, not email" pca email invalid
judge "peer-trusted CA:TRUE is no trusted CA" pca server-ca invalid
judge "peer-trusted self-signed with CA:FALSE" pnc server valid
judge "peer-trusted self-signed with CA:FALSE, client" pnc client valid
judge "trusted root, default usage: its own verdict" root server invalid
judge "trusted root, client usage" root client invalid
judge "trusted root as a CA" root server-ca valid
judge "trusted root without keyUsage, default usage" plain server valid
judge "trusted root without keyUsage as a CA" plain server-ca valid
judge "intermediate as a CA" int server-ca valid
judge "intermediate, default usage" int server invalid
judge "untrusted root" uroot server invalid
judge "untrusted root as a CA" uroot server-ca invalid
judge "leaf of an untrusted root" orphan server invalid
judge "leaf of a distrusted intermediate" dis server invalid
judge "distrusted intermediate as a CA" bad server-ca invalid
judge "expired leaf" old server invalid
judge "MD5-signed leaf" md5 server invalid
judge "client-only EKU judged for a server" cli server invalid
judge "client-only EKU judged for a client" cli client valid
same_as "$before" "verify-cert changes nothing"

# The reasons named for the cases that fail.
expect_exit 1 "leaf of a distrusted intermediate: not trusted" p11c -d "$DB" verify-cert dis
check "it names the distrusted CA" \
	grep -q "dis: not trusted: distrusted: 'CN=Table Distrusted CA' is marked as not trusted" "$T/err"
expect_exit 1 "the root, default usage" p11c -d "$DB" verify-cert root
check "the reason is the root's usage" \
	grep -q "root: not trusted: wrong usage: 'CN=Table Root CA' is not meant for TLS servers" "$T/err"
expect_exit 0 "the root as a CA for TLS servers" p11c -d "$DB" verify-cert --usage server-ca root
check "verdict: trusted as a CA" grep -q "^Verdict: trusted as a CA for TLS servers" "$T/out"
expect_exit 0 "the root as a CA for TLS clients (CT,,)" p11c -d "$DB" verify-cert --usage client-ca root
expect_exit 1 "the root as a CA for email (CT,,)" p11c -d "$DB" verify-cert --usage email-ca root
check "no CA trusted for email" grep -q "no CA of the chain is trusted for email" "$T/err"
expect_exit 0 "the peer with CA:TRUE, default usage" p11c -d "$DB" verify-cert pca
check "verdict: trusted for TLS servers" grep -q "^Verdict: trusted for TLS servers" "$T/out"

# JSON keeps its shape; the usage is named as given.
p11c -d "$DB" verify-cert --json --usage server-ca root >"$T/r.json"
check "JSON: server-ca, trusted, one link" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["usage"] == "server-ca" and d["trusted"] is True and d["problems"] == [], d
assert [c["trust"] for c in d["chain"]] == ["CT,,"], d["chain"]' "$T/r.json"
p11c -d "$DB" verify-cert --json pca >"$T/p.json"
check "JSON: the peer, server, trusted" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["alias"] == "pca" and d["usage"] == "server" and d["trusted"] is True, d' "$T/p.json"
expect_exit 2 "an unknown -ca usage" p11c -d "$DB" verify-cert --usage code-ca root
check "the usage error lists the CA usages" grep -q "server-ca, client-ca or email-ca" "$T/err"
same_as "$before" "nothing changed by any verdict"

finish
