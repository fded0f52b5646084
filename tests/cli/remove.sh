#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# remove-cert: the certificate and its key, or the certificate alone.
. "$(dirname "$0")/lib.sh"
need certutil openssl
new_db
printf '%s\n' "$(db_password)" >"$T/pw"
keys() { certutil -d "sql:$DB" -K -f "$T/pw" 2>&1; }

p11c -q -d "$DB" add-selfsign-cert --name a.example.com a
p11c -q -d "$DB" add-selfsign-cert --name b.example.com b
p11c -q -d "$DB" add-selfsign-cert --name c.example.com c

expect_exit 0 "remove-cert" p11c -d "$DB" remove-cert a
check "certutil no longer lists a" test -z "$(trust_of a)"
check "certutil -K no longer lists a's key" fails grep -q ' a$' <<<"$(keys)"
check "b is still there" test "$(trust_of b)" = "u,u,u"
check "b's key is still there" grep -q ' b$' <<<"$(keys)"

keyid=$(keys | awk '/ b$/ {print $3}')
expect_exit 0 "remove-cert --keep-key" p11c -d "$DB" remove-cert --keep-key b
check "certutil no longer lists b" test -z "$(trust_of b)"
check "b's key stays (certutil -K shows it)" grep -q "$keyid" <<<"$(keys)"

before=$(snapshot)
expect_exit 3 "a missing alias is not found" p11c -d "$DB" remove-cert nosuch
check "the message names the alias" grep -q "'nosuch'" "$T/err"
expect_exit 2 "no alias is a usage error" p11c -d "$DB" remove-cert
same_as "$before" "the database is unchanged"

# A certificate without a key (a trusted CA) is removed too.
make_ca root "/CN=Removable Root"
p11c -q -d "$DB" add-cert -C root "$T/root.pem"
expect_exit 0 "remove-cert of a CA" p11c -d "$DB" remove-cert root
check "the CA is gone" test -z "$(trust_of root)"
check "c is untouched" test "$(trust_of c)" = "u,u,u"

finish
