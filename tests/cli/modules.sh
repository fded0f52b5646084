#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# add-module and remove-module persist in pkcs11.txt as modutil does; a
# module from the database serves without p11-kit.
. "$(dirname "$0")/lib.sh"
need modutil certutil softhsm2-util pkcs11-tool
make_token hsm-a 1111
new_db
(umask 077 && { cat "$DB/sslpassword.conf"; echo "hsm-a:1111"; } >"$T/pw")

export P11CERT_NO_P11KIT=1
expect_exit 0 "without p11-kit's modules, list-tokens" p11c -d "$DB" list-tokens
check "hsm-a is not seen" fails grep -q ' hsm-a ' "$T/out"
expect_exit 0 "add-module softhsm" p11c -d "$DB" add-module softhsm "$SOFTHSM_MODULE"
check "modutil -list shows it" grep -q 'softhsm' <(modutil -dbdir "sql:$DB" -list 2>&1)
check "pkcs11.txt names the library" grep -q "$SOFTHSM_MODULE" "$DB/pkcs11.txt"
expect_exit 0 "list-tokens" p11c -d "$DB" list-tokens
check "hsm-a is seen through the database's module" grep -q '^softhsm .* hsm-a ' "$T/out"
expect_exit 0 "a key on hsm-a through the database's module" \
	p11c -d "$DB" -W "$T/pw" add-selfsign-cert --token hsm-a --name a.example.com a
check "certutil finds it on hsm-a" grep -q '^hsm-a:a ' <(certutil -d "sql:$DB" -h hsm-a -L -f "$T/pw")
expect_exit 1 "the same name twice" p11c -d "$DB" add-module softhsm "$SOFTHSM_MODULE"
expect_exit 3 "remove-module of an unknown name" p11c -d "$DB" remove-module nosuch
expect_exit 2 "remove-module of NSS's own" p11c -d "$DB" remove-module "NSS Internal PKCS #11 Module"
expect_exit 0 "remove-module softhsm" p11c -d "$DB" remove-module softhsm
check "modutil no longer lists it" fails grep -q 'softhsm' <(modutil -dbdir "sql:$DB" -list 2>&1)
check "the key stays on the token" grep -q 'label: *a$' <(token_objects hsm-a 1111)
unset P11CERT_NO_P11KIT
expect_exit 0 "with p11-kit's modules the token is seen again" p11c -d "$DB" -W "$T/pw" list-certs
check "hsm-a:a is listed" grep -q '^hsm-a:a ' "$T/out"

# The name p11-kit gives the module is free for the database to take.
expect_exit 0 "add-module under p11-kit's own name (softhsm2)" p11c -d "$DB" add-module softhsm2 "$SOFTHSM_MODULE"
check "modutil lists softhsm2" grep -q 'softhsm2' <(modutil -dbdir "sql:$DB" -list 2>&1)
expect_exit 0 "the token is seen once" p11c -d "$DB" list-tokens
check "one hsm-a row" test "$(grep -c ' hsm-a ' "$T/out")" = 1

finish
