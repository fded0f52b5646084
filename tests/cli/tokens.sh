#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Keys on external tokens (two SoftHSM2 tokens made for this test): made
# there, kept there, certificates beside them, PINs from the password file;
# checked with pkcs11-tool and certutil.
. "$(dirname "$0")/lib.sh"
need certutil openssl softhsm2-util pkcs11-tool python3
make_token hsm-a 1111
make_token hsm-b 2222
new_db
PW="$T/all.pw"
(umask 077 && { cat "$DB/sslpassword.conf"; echo "hsm-a:1111"; echo "hsm-b:2222"; } >"$PW")

# list-tokens.
expect_exit 0 "list-tokens" p11c -d "$DB" list-tokens
check "it lists hsm-a with its URI" grep -q 'hsm-a .*pkcs11:.*token=hsm-a' "$T/out"
check "it lists hsm-b" grep -q ' hsm-b ' "$T/out"
check "it lists the internal token" grep -q 'NSS Certificate DB' "$T/out"
check "it counts them" grep -Eq '^[0-9]+ tokens found$' "$T/out"
expect_exit 0 "list-tokens --json" p11c -d "$DB" list-tokens --json
check "--json: hsm-a with its flags, manufacturer and model" python3 - "$T/out" <<'PY'
import json, sys
toks = {t["label"]: t for t in json.load(open(sys.argv[1]))}
a = toks["hsm-a"]
assert a["login_required"] and a["initialized"] and not a["internal"], a
assert a["manufacturer"] == "SoftHSM project" and a["model"] == "SoftHSM v2", a
assert a["uri"].startswith("pkcs11:") and "token=hsm-a" in a["uri"], a
assert toks["NSS Certificate DB"]["internal"]
PY
check "p11tool agrees on hsm-a's serial" python3 - "$T/out" \
	"$(pkcs11-tool --module "$SOFTHSM_MODULE" -L 2>/dev/null | awk '/token label/ {l=$NF} /serial num/ && l=="hsm-a" {print $NF}')" <<'PY'
import json, sys
toks = {t["label"]: t for t in json.load(open(sys.argv[1]))}
assert toks["hsm-a"]["serial"] == sys.argv[2], (toks["hsm-a"]["serial"], sys.argv[2])
PY

# Registered in the database, as modutil -add does, so that certutil and
# NSS-based servers see the tokens too.
expect_exit 0 "add-module softhsm" p11c -d "$DB" add-module softhsm "$SOFTHSM_MODULE"
check "modutil lists the module" grep -q "$SOFTHSM_MODULE" <(modutil -dbdir "sql:$DB" -list 2>&1)

# A key made on hsm-a never leaves it.
expect_exit 0 "add-selfsign-cert --token hsm-a" \
	p11c -d "$DB" -W "$PW" add-selfsign-cert --token hsm-a --name smtp.example.com smtp
objs=$(token_objects hsm-a 1111)
key=$(token_key hsm-a 1111 smtp)
check "pkcs11-tool lists the private key on hsm-a" grep -q 'label: *smtp' <<<"$key"
check "the key is sensitive and never extractable (CKA_SENSITIVE, !CKA_EXTRACTABLE)" \
	grep -q 'Access: *sensitive, always sensitive, never extractable' <<<"$key"
check "the certificate is on hsm-a too" grep -q 'label: *smtp' <<<"$(grep -A2 '^Certificate Object' <<<"$objs")"
check "key4.db holds no copy (certutil -K on the internal token)" \
	fails grep -q smtp <(certutil -d "sql:$DB" -K -f "$DB/sslpassword.conf" 2>&1)
check "certutil -h hsm-a -L lists the certificate" \
	grep -q '^hsm-a:smtp ' <(certutil -d "sql:$DB" -h hsm-a -L -f "$PW" 2>&1)
expect_exit 0 "list-certs" p11c -d "$DB" -W "$PW" list-certs
check "list-certs shows hsm-a:smtp" grep -q '^hsm-a:smtp ' "$T/out"
expect_exit 0 "show-cert hsm-a:smtp" p11c -d "$DB" -W "$PW" show-cert hsm-a:smtp
check "show-cert: the key is on hsm-a, not extractable" \
	grep -q '^Private key: *on token hsm-a, not extractable' "$T/out"
check "show-cert: the key's pkcs11: URI names hsm-a" \
	grep -q '^Key URI: *pkcs11:.*token=hsm-a.*type=private' "$T/out"
uri=$(sed -n 's/^Key URI: *//p' "$T/out")
id=$(awk '/ID:/ {print $2}' <<<"$key")
check "the URI's id is the key's CKA_ID" \
	test "$(python3 -c 'import sys,urllib.parse; u=sys.argv[1]; print([urllib.parse.unquote_to_bytes(p[3:]).hex() for p in u[7:].split(";") if p.startswith("id=")][0])' "$uri")" = "$id"
# (one run at a time: SoftHSM's file store can hide objects from a second
# process while the first logs in)
p11c -d "$DB" -W "$PW" show-cert --pem hsm-a:smtp >"$T/smtp.pem"
check "openssl verifies the token's certificate against itself" \
	openssl verify -CAfile "$T/smtp.pem" "$T/smtp.pem"

# The second token, chosen by URI; each token its own PIN line.
expect_exit 0 "--token pkcs11:token=hsm-b" \
	p11c -d "$DB" -W "$PW" add-selfsign-cert --token "pkcs11:token=hsm-b" --key-type ec:p256 \
	--name relay.example.com relay
check "the EC key is on hsm-b" grep -q '^Private Key Object; EC' <(token_objects hsm-b 2222)
check "and not on hsm-a" fails grep -q 'relay' <(token_objects hsm-a 1111)
check "list-certs shows both tokens' certificates" \
	test "$(p11c -d "$DB" -W "$PW" list-certs | awk 'NR>2 {print $1}' | head -n -1 | tr '\n' ' ')" = "hsm-a:smtp hsm-b:relay "

expect_exit 0 "list-certs --token hsm-b" p11c -d "$DB" -W "$PW" --token hsm-b list-certs
check "lists that token's certificates alone" \
	test "$(awk 'NR>2 {print $1}' "$T/out" | head -n -1)" = "hsm-b:relay"
expect_exit 0 "list-certs --token internal" p11c -d "$DB" -W "$PW" list-certs --token internal
check "lists none of the tokens' certificates" test "$(tail -1 "$T/out")" = "0 certificates found"
expect_exit 0 "show-cert --token hsm-b relay" p11c -d "$DB" -W "$PW" show-cert --token hsm-b relay
check "shows hsm-b:relay" grep -q '^Alias: *hsm-b:relay' "$T/out"
expect_exit 3 "list-certs --token of an unknown token" p11c -d "$DB" -W "$PW" list-certs --token nosuch

# --extractable, and a CA on a token whose trust stays in the database.
expect_exit 0 "--extractable" p11c -d "$DB" -W "$PW" add-selfsign-cert --token hsm-a --extractable --name x.example.com x
xkey=$(token_key hsm-a 1111 x)
check "pkcs11-tool finds the key x" grep -q '^Private Key Object' <<<"$xkey"
check "the key is extractable" grep -q 'Access: .*extractable' <<<"$xkey"
check "and not marked never-extractable" fails grep -q 'never extractable' <<<"$xkey"
expect_exit 0 "a CA on hsm-a" p11c -d "$DB" -W "$PW" add-selfsign-cert --token hsm-a --ca -S "CN=HSM CA" hsmca
check "certutil sees its trust CT,, (kept in the database)" \
	test "$(certutil -d "sql:$DB" -h hsm-a -L -f "$PW" | awk '/^hsm-a:hsmca / {print $NF}')" = "CTu,u,u"
check "p11cert shows the same trust" \
	grep -q '^Trust: *CTu,u,u' <(p11c -d "$DB" -W "$PW" show-cert hsm-a:hsmca)

# generate-certdb --token: the default certificate on the token, its PIN
# in sslpassword.conf.
(umask 077 && printf 'Internal (Software) Token:dbpass\nhsm-b:2222\n' >"$T/gen.pw")
expect_exit 0 "generate-certdb --token hsm-b" \
	p11c -d "$T/db2" -W "$T/gen.pw" --token hsm-b generate-certdb --hostname mx.example.com
check "sslpassword.conf has the token's PIN line" grep -qx 'hsm-b:2222' "$T/db2/sslpassword.conf"
check "sslpassword.conf is 0600" test "$(stat -c %a "$T/db2/sslpassword.conf")" = 600
check "Server-Cert's key is on hsm-b" grep -q 'Server-Cert' <(token_objects hsm-b 2222)
check "p11cert reads it with DIR's own file alone" \
	grep -q '^hsm-b:Server-Cert ' <(p11c -d "$T/db2" list-certs)

# Renewal on a token: the new key is made there, the old one removed.
old_id=$(awk '/ID:/ {print $2}' <<<"$(token_key hsm-a 1111 smtp)")
expect_exit 0 "renew-selfsign-cert --new-key on hsm-a" \
	p11c -d "$DB" -W "$PW" renew-selfsign-cert --new-key --days 30 hsm-a:smtp
new_key=$(token_key hsm-a 1111 smtp)
check "one private key named smtp on hsm-a" test "$(grep -c '^Private Key Object' <<<"$new_key")" = 1
check "it is a new one" test "$(awk '/ID:/ {print $2}' <<<"$new_key")" != "$old_id"
check "and never extractable, as the old one" grep -q 'never extractable' <<<"$new_key"
check "hsm-a:smtp is still listed once" \
	test "$(p11c -d "$DB" -W "$PW" list-certs | grep -c '^hsm-a:smtp ')" = 1

# Renewing a trusted CA on a token leaves no trusted old copy behind.
expect_exit 0 "renew-selfsign-cert of the CA on hsm-a" p11c -d "$DB" -W "$PW" renew-selfsign-cert hsm-a:hsmca
check "list-certs -C lists it once" \
	test "$(p11c -d "$DB" -W "$PW" list-certs -C | grep -c 'hsmca')" = 1
check "its trust is still CTu,u,u" \
	test "$(certutil -d "sql:$DB" -h hsm-a -L -f "$PW" | awk '/^hsm-a:hsmca / {print $NF}')" = "CTu,u,u"

# A trusted CA on a token: removing it removes its trust too.
expect_exit 0 "remove-cert of a CA trusted on hsm-a" p11c -d "$DB" -W "$PW" remove-cert hsm-a:hsmca
check "list-certs -C no longer lists it" fails grep -q 'HSM CA' <(p11c -d "$DB" -W "$PW" list-certs -C)
check "certutil finds no copy left in cert9.db" fails grep -q 'hsmca' <(certutil -d "sql:$DB" -L; certutil -d "sql:$DB" -h all -L -f "$PW")

# A token's certificate asked for without its PIN: the PIN is what is missing.
expect_exit 4 "show-cert hsm-a:smtp with no PIN line and no terminal" \
	p11c -d "$DB" show-cert hsm-a:smtp </dev/null
check "it names the token" grep -q "hsm-a" "$T/err"

# remove-cert on a token removes the key there.
expect_exit 0 "remove-cert hsm-a:x" p11c -d "$DB" -W "$PW" remove-cert hsm-a:x
check "the key and certificate are gone from hsm-a" fails grep -q 'label: *x$' <(token_objects hsm-a 1111)
check "smtp is still there" grep -q 'label: *smtp' <(token_objects hsm-a 1111)

finish
