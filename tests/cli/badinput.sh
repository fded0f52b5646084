#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Malformed input: each a one-line error, its exit status, and the
# database as certutil saw it before.
. "$(dirname "$0")/lib.sh"
need certutil openssl
new_db
p11c -q -d "$DB" add-selfsign-cert --name a.example.com a

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.pem" \
	-subj "/CN=Some CA" -days 30 -out "$T/good.pem" 2>/dev/null
openssl x509 -in "$T/good.pem" -outform DER -out "$T/good.der"
before=$(snapshot)

head -c 200 "$T/good.pem" >"$T/truncated.pem"
expect_exit 1 "truncated PEM" p11c -d "$DB" add-cert -C x "$T/truncated.pem"
check "says truncated" grep -q truncated "$T/err"
head -c 100 "$T/good.der" >"$T/truncated.der"
expect_exit 1 "truncated DER" p11c -d "$DB" add-cert -C x "$T/truncated.der"
head -c 4096 /dev/urandom >"$T/garbage"
expect_exit 1 "random bytes" p11c -d "$DB" add-cert -C x "$T/garbage"
printf -- '-----BEGIN CERTIFICATE-----\nnot base64 at all!!\n-----END CERTIFICATE-----\n' >"$T/bad64.pem"
expect_exit 1 "garbage inside PEM markers" p11c -d "$DB" add-cert -C x "$T/bad64.pem"
check "says not a valid certificate" grep -q 'not a valid certificate' "$T/err"
sed 's/CERTIFICATE/X509 CRL/' "$T/good.pem" >"$T/crl.pem"
expect_exit 1 "PEM with no certificate block" p11c -d "$DB" add-cert -C x "$T/crl.pem"
expect_exit 1 "a private key instead of a certificate" p11c -d "$DB" add-cert -C x "$T/k.pem"
: >"$T/empty"
expect_exit 1 "an empty file" p11c -d "$DB" add-cert -C x "$T/empty"
check "says empty" grep -q empty "$T/err"
expect_exit 1 "a directory" p11c -d "$DB" add-cert -C x "$T"
check "says directory" grep -q directory "$T/err"
expect_exit 3 "a missing file" p11c -d "$DB" add-cert -C x "$T/nope.pem"
{ cat "$T/good.pem"; cat "$T/truncated.pem"; } >"$T/half.pem"
expect_exit 1 "a good certificate followed by a truncated one" p11c -d "$DB" add-cert -C x "$T/half.pem"
if [ "$(id -u)" != 0 ]; then
	cp "$T/good.pem" "$T/locked.pem"
	chmod 000 "$T/locked.pem"
	expect_exit 1 "an unreadable file" p11c -d "$DB" add-cert -C x "$T/locked.pem"
fi
expect_exit 3 "a missing alias (show-cert)" p11c -d "$DB" show-cert nosuch
expect_exit 3 "a missing alias (remove-cert)" p11c -d "$DB" remove-cert nosuch
same_as "$before" "bad input left the database unchanged"

# Databases that are not there or not ours.
expect_exit 3 "no database directory" p11c -d "$T/nodir" list-certs
check "it says how to create one" grep -q 'generate-certdb' "$T/err"
mkdir "$T/emptydir"
expect_exit 3 "a directory with no database" p11c -d "$T/emptydir" list-certs
mkdir "$T/legacy"
: >"$T/legacy/cert8.db"
: >"$T/legacy/key3.db"
expect_exit 1 "a msgcert-era database" p11c -d "$T/legacy" list-certs
check "it says to run upgrade-certdb" grep -q 'upgrade-certdb' "$T/err"

# Usage errors.
expect_exit 2 "an unknown command" p11c -d "$DB" frobnicate
expect_exit 2 "an unknown option" p11c -d "$DB" list-certs --frob
expect_exit 2 "an option without its value" p11c -d "$DB" add-selfsign-cert --name
expect_exit 2 "a stray argument" p11c -d "$DB" list-certs extra
expect_exit 2 "a flag given a value" p11c -d "$DB" list-certs --all=yes
for cmd in generate-certdb add-selfsign-cert add-cert list-certs show-cert remove-cert; do
	expect_exit 0 "$cmd -h" p11c "$cmd" -h
	check "$cmd -h prints its usage" grep -q "^Usage: p11cert $cmd" "$T/out"
done
expect_exit 0 "p11cert -h" p11c -h
check "-h lists the commands" grep -q 'add-selfsign-cert' "$T/out"
expect_exit 0 "--version" p11c --version
check "--version prints the version" grep -Eq '^p11cert [0-9]+\.[0-9]+' "$T/out"
expect_exit 0 "--version after the command" p11c list-certs --version
check "prints the version too" grep -Eq '^p11cert [0-9]+\.[0-9]+' "$T/out"
expect_exit 0 "--dir=DIR before the command" p11c --dir="$DB" -q list-certs
check "uses that database" grep -q '^a ' "$T/out"
expect_exit 2 "an unknown global option before the command" p11c --frob list-certs
same_as "$before" "usage errors left the database unchanged"

finish
