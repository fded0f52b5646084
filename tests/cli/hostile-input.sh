#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Hostile input (issue 11): crafted PKCS#12 files (an empty certificate
# bag, a key under another key's certificate, a corrupted EC scalar, two
# pairs, thousands of bags), corrupted PEM keys, FIFOs, cut bundles and
# oversized files.  Each is refused with one line, and the database
# (certutil -L/-K) and the SoftHSM token (pkcs11-tool) are as before.
. "$(dirname "$0")/lib.sh"
need certutil openssl pk12util python3 softhsm2-util pkcs11-tool
CRAFT="$TESTDIR/p12craft.py"
LIMIT=10 # seconds a refusal may take; more under valgrind
[ -n "${P11CERT_WRAPPER:-}" ] && LIMIT=120
make_token hsm-a 1111
new_db
(umask 077 && { cat "$DB/sslpassword.conf"; echo "hsm-a:1111"; } >"$T/pw")
(umask 077 && echo "p12 secret" >"$T/p12.pw")
P12PW="p12 secret"
mkdir "$T/peer"
certutil -N -d "sql:$T/peer" --empty-password

# pair NAME ec|rsa: a self-signed certificate and key, and a PKCS#12 of
# them whose safes are plain data (openssl -certpbe NONE), for p12craft.
pair() {
	case $2 in
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/$1.key" ;;
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/$1.key" ;;
	esac 2>/dev/null
	openssl req -x509 -key "$T/$1.key" -subj "/CN=$1.example.com" -days 30 -out "$T/$1.pem" 2>/dev/null &&
		openssl pkcs12 -export -in "$T/$1.pem" -inkey "$T/$1.key" -name "$1" -certpbe NONE \
			-passout "pass:$P12PW" -out "$T/$1.p12" || { echo "cannot make $1" >&2; exit 1; }
}
repeat() { python3 -c 'import sys; sys.stdout.write(open(sys.argv[2]).read() * int(sys.argv[1]))' "$@"; }
craft() { python3 "$CRAFT" "$T/$1" "$P12PW" "${@:2}" || { echo "cannot craft $1" >&2; exit 1; }; }
pair ea ec
pair eb ec
pair ra rsa
pair rb rsa

state() { snapshot; token_objects hsm-a 1111; }
before=$(state)
unchanged() {
	local now
	now=$(state)
	if [ "$now" = "$before" ]; then ok "$1"; else
		not_ok "$1: database or token changed"
		diff <(echo "$before") <(echo "$now") | head -20
	fi
}
# refused NAME TOKEN FILE PATTERN: import-cert exits 1 naming PATTERN,
# leaving database and token as they were.
refused() {
	expect_exit 1 "$1 ($2)" p11c -d "$DB" -W "$T/pw" --token "$2" import-cert \
		--p12-password-file "$T/p12.pw" --alias "$1" "$T/$3"
	check "$1 ($2): the message names the problem" grep -q -- "$4" "$T/err"
	check "$1 ($2): no NSS 'Unknown code'" fails grep -q 'Unknown code' "$T/err"
	unchanged "$1 ($2): database and token unchanged"
}

# 1. An empty certBag: NSS's renaming dereferenced it (rc 139).
craft empty.p12 all:"$T/ea.p12" emptycert
craft empty-inner.p12 all:"$T/ea.p12" emptyinner
check "pk12util rejects the empty certBag too" fails pk12util -i "$T/empty.p12" -d "sql:$T/peer" -w "$T/p12.pw" 2>/dev/null
for token in internal hsm-a; do
	refused empty-bag "$token" empty.p12 'SEC_ERROR_PKCS12_CORRUPT_PFX_STRUCTURE'
	refused empty-inner "$token" empty-inner.p12 'SEC_ERROR_BAD_DER'
done

# 5, 9. A key under another key's certificate (same localKeyID), a
# corrupted EC scalar (public key intact): no key may stay behind.
craft ec-mismatch.p12 key:"$T/eb.p12":01 cert:"$T/ea.p12":01
craft rsa-mismatch.p12 key:"$T/rb.p12":01 cert:"$T/ra.p12":01
craft ec-key-rsa-cert.p12 key:"$T/ea.p12":01 cert:"$T/ra.p12":01
openssl ec -in "$T/ea.key" -outform DER -out "$T/ea.sec1" 2>/dev/null
python3 - "$T/ea.sec1" "$T/bad-ec.key" <<'PY'
import base64, sys
der = bytearray(open(sys.argv[1], "rb").read())
assert der[5:7] == b"\x04\x20", "SEC1: version, then the 32-byte scalar"
der[20] ^= 0x01  # a bit of the scalar; the public point stays
open(sys.argv[2], "w").write("-----BEGIN EC PRIVATE KEY-----\n%s-----END EC PRIVATE KEY-----\n"
                             % base64.encodebytes(bytes(der)).decode())
PY
check "openssl pkey -check: the corrupted EC key is invalid" \
	fails openssl pkey -in "$T/bad-ec.key" -check -noout 2>/dev/null
openssl pkcs12 -export -in "$T/ea.pem" -inkey "$T/bad-ec.key" -name bad -passout "pass:$P12PW" \
	-out "$T/bad-ec.p12" || not_ok "openssl wraps the corrupted key"
for token in internal hsm-a; do
	refused ec-mismatch "$token" ec-mismatch.p12 'does not match its certificate'
	refused rsa-mismatch "$token" rsa-mismatch.p12 'does not match its certificate'
	refused ec-key-rsa-cert "$token" ec-key-rsa-cert.p12 'does not match its certificate'
	refused bad-ec-p12 "$token" bad-ec.p12 'does not match its certificate'
	expect_exit 1 "PEM: the corrupted EC key ($token)" p11c -d "$DB" -W "$T/pw" --token "$token" \
		import-cert --alias bad-pem --key "$T/bad-ec.key" --cert "$T/ea.pem"
	check "PEM ($token): says the key is invalid" grep -q 'private key is invalid' "$T/err"
	unchanged "PEM: the corrupted EC key ($token): database and token unchanged"
done
# A corrupted RSA key (a bit of the private exponent) was refused; still.
python3 - "$T/ra.key" "$T/bad-rsa.key" <<'PY'
import base64, sys
lines = open(sys.argv[1]).read().split("\n")
der = bytearray(base64.b64decode("".join(l for l in lines if l and not l.startswith("-----"))))
der[len(der) // 2] ^= 0x01  # inside the private exponent or a prime
open(sys.argv[2], "w").write("-----BEGIN PRIVATE KEY-----\n%s-----END PRIVATE KEY-----\n"
                             % base64.encodebytes(bytes(der)).decode())
PY
check "openssl pkey -check: the corrupted RSA key is invalid" \
	fails openssl pkey -in "$T/bad-rsa.key" -check -noout 2>/dev/null
expect_exit 1 "PEM: the corrupted RSA key" p11c -d "$DB" -W "$T/pw" import-cert --alias bad-rsa \
	--key "$T/bad-rsa.key" --cert "$T/ra.pem"
unchanged "PEM: the corrupted RSA key: database and token unchanged"

# 11. Two key+cert pairs: refused (one file, one key and its chain).
craft two.p12 all:"$T/ea.p12" all:"$T/eb.p12"
for token in internal hsm-a; do
	refused two-pairs "$token" two.p12 'holds 2 private keys'
done

# 11. Thousands of bags: refused at once, naming the limit; in plain
# safes (counted from the DER) and in an encrypted one (counted by NSS).
craft keys5001.p12 5001*key:"$T/ea.p12" cert:"$T/ea.p12"
craft certs101.p12 key:"$T/ea.p12" 101*cert:"$T/eb.p12" cert:"$T/ea.p12"
repeat 101 "$T/eb.pem" >"$T/many.pem"
openssl pkcs12 -export -in "$T/ea.pem" -inkey "$T/ea.key" -certfile "$T/many.pem" \
	-passout "pass:$P12PW" -out "$T/encrypted101.p12"
check "openssl sees 102 certificate bags in the encrypted safe" test \
	"$(openssl pkcs12 -in "$T/encrypted101.p12" -passin "pass:$P12PW" -info -noout 2>&1 | grep -c 'Certificate bag')" = 102
for f in keys5001 certs101 encrypted101; do
	start=$(date +%s)
	refused "$f" internal "$f.p12" 'more than 100 bags'
	took=$(($(date +%s) - start))
	check "$f: refused within $LIMIT s (took $took s)" test "$took" -le "$LIMIT"
done

# The crafted file untouched imports, the key labelled with the alias.
craft good.p12 all:"$T/ea.p12"
expect_exit 0 "a crafted but sound file imports (hsm-a)" p11c -d "$DB" -W "$T/pw" --token hsm-a \
	import-cert --p12-password-file "$T/p12.pw" --alias good "$T/good.p12"
check "pkcs11-tool: the private key is labelled 'good'" test -n "$(token_key hsm-a 1111 good)"
check "show-cert: its key is on hsm-a" grep -q '^Private key: *on token hsm-a' \
	<(p11c -d "$DB" -W "$T/pw" show-cert hsm-a:good 2>&1)
before=$(state)

# 11. A bundle cut or garbled anywhere is refused whole: nothing stored.
for i in 1 2 3; do make_ca "bca$i" "/CN=Bundle CA $i"; done
cat "$T/bca1.pem" "$T/bca2.pem" "$T/bca3.pem" >"$T/bundle.pem"
{ cat "$T/bundle.pem"; printf -- '-----BEGIN CERT'; } >"$T/cut-in-begin.pem"
{ cat "$T/bundle.pem"; printf -- '-----BEG\n'; } >"$T/cut-begin-newline.pem"
{ cat "$T/bundle.pem"; printf -- '--'; } >"$T/cut-dashes.pem"
{ cat "$T/bca1.pem" "$T/bca2.pem"; head -c 300 "$T/bca3.pem"; } >"$T/cut-in-body.pem"
{ cat "$T/bca1.pem" "$T/bca2.pem"; sed '$d' "$T/bca3.pem"; } >"$T/no-end.pem"
{ cat "$T/bca1.pem"; sed '1s/-----$/----/' "$T/bca2.pem"; cat "$T/bca3.pem"; } >"$T/four-dashes.pem"
{ cat "$T/bca1.pem"; sed '$s/CERTIFICATE/CERTIFICATX/' "$T/bca2.pem"; cat "$T/bca3.pem"; } >"$T/wrong-end.pem"
check "openssl still reads the first certificates of the cut bundle" \
	openssl x509 -in "$T/cut-in-begin.pem" -noout
for f in cut-in-begin cut-begin-newline cut-dashes cut-in-body no-end four-dashes wrong-end; do
	expect_exit 1 "bundle $f" p11c -d "$DB" add-cert -C --bundle "$T/$f.pem"
	check "bundle $f: says truncated or garbled" grep -Eq 'truncated|garbled' "$T/err"
	unchanged "bundle $f: nothing stored"
	expect_exit 1 "chain $f" p11c -d "$DB" add-cert -C "chain-$f" "$T/$f.pem"
	unchanged "chain $f: nothing stored"
done
expect_exit 0 "the whole bundle imports" p11c -d "$DB" add-cert -C --bundle "$T/bundle.pem"
check "certutil: its three CAs trusted CT,," test \
	"$(trust_of 'Bundle CA 1')$(trust_of 'Bundle CA 2')$(trust_of 'Bundle CA 3')" = "CT,,CT,,CT,,"
before=$(state)

# 11. Inputs that are not regular files: refused at once, not waited on.
p11c -q -d "$DB" -W "$T/pw" add-selfsign-cert --ca --name "Site CA" siteca
before=$(state)
mkfifo "$T/fifo"
fifo_refused() { # DESCRIPTION ARGS...: exit 1 within $LIMIT s, naming the FIFO
	local start took
	start=$(date +%s)
	# shellcheck disable=SC2086 # the wrapper is words
	expect_exit 1 "$1" timeout "$LIMIT" ${P11CERT_WRAPPER:-} "$P11CERT" ${P11C_AUTO_MODULE:+--module "$P11C_AUTO_MODULE"} "${@:2}"
	took=$(($(date +%s) - start))
	check "$1: within $LIMIT s (took $took s)" test "$took" -lt "$LIMIT"
	check "$1: says it is a FIFO" grep -q 'FIFO' "$T/err"
}
fifo_refused "add-cert from a FIFO" -d "$DB" add-cert -C x "$T/fifo"
fifo_refused "add-cert --bundle from a FIFO" -d "$DB" add-cert -C --bundle "$T/fifo"
fifo_refused "import-cert from a FIFO" -d "$DB" -W "$T/pw" import-cert --p12-password-file "$T/p12.pw" "$T/fifo"
fifo_refused "import-cert --key from a FIFO" -d "$DB" -W "$T/pw" import-cert --key "$T/fifo" --cert "$T/ea.pem"
fifo_refused "import-cert --cert from a FIFO" -d "$DB" -W "$T/pw" import-cert --key "$T/ea.key" --cert "$T/fifo"
fifo_refused "renew-cert from a FIFO" -d "$DB" -W "$T/pw" renew-cert hsm-a:good "$T/fifo"
fifo_refused "sign-request from a FIFO" -d "$DB" -W "$T/pw" sign-request --ca siteca --days 30 "$T/fifo"
# A writer holding the FIFO open (the case where a plain read blocks).
sleep 30 >"$T/fifo" &
writer=$!
fifo_refused "add-cert from a FIFO with a writer" -d "$DB" add-cert -C x "$T/fifo"
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
expect_exit 1 "add-cert from /dev/zero" timeout "$LIMIT" "$P11CERT" ${P11C_AUTO_MODULE:+--module "$P11C_AUTO_MODULE"} -d "$DB" add-cert -C x /dev/zero
check "/dev/zero: says it is a device" grep -q 'character device' "$T/err"
unchanged "special files: nothing stored"

# Sizes and counts: refused before the work, naming the limit.
{ cat "$T/bca1.pem"; head -c $((33 << 20)) /dev/zero | tr '\0' 'x'; } >"$T/huge.pem"
expect_exit 1 "a 33 MiB certificate file" p11c -d "$DB" add-cert -C --bundle "$T/huge.pem"
check "says the 32 MiB limit" grep -q 'larger than 32 MiB' "$T/err"
repeat 50001 "$T/bca1.pem" >"$T/count.pem"
expect_exit 1 "a bundle of 50,001 certificates" p11c -d "$DB" add-cert -C --bundle "$T/count.pem"
check "says the 50000 limit" grep -q 'more than 50000 certificates' "$T/err"
craft huge.p12 7000*key:"$T/ea.p12" cert:"$T/ea.p12"
check "the crafted PKCS#12 is over 2 MiB" test "$(stat -c %s "$T/huge.p12")" -gt $((2 << 20))
expect_exit 1 "a PKCS#12 file over 2 MiB" p11c -d "$DB" -W "$T/pw" import-cert --p12-password-file "$T/p12.pw" "$T/huge.p12"
check "says the 2 MiB limit" grep -q 'larger than 2 MiB' "$T/err"
{ head -c $((1 << 20)) /dev/zero | tr '\0' '#'; cat "$T/ea.key"; } >"$T/huge.key"
expect_exit 1 "a PEM key file over 1 MiB" p11c -d "$DB" -W "$T/pw" import-cert --key "$T/huge.key" --cert "$T/ea.pem"
check "says the 1 MiB limit" grep -q 'larger than 1 MiB' "$T/err"
unchanged "oversized input: nothing stored"

finish
