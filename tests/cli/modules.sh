#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# add-module and remove-module persist in pkcs11.txt as modutil does; a
# module from the database serves without p11-kit.  Which modules a
# database uses: its own, --module (a path, or a p11-kit module's name) and
# p11-kit's only where their module file says enable-in: p11cert; a second
# database on the host neither sees nor stores onto the first one's token.
. "$(dirname "$0")/lib.sh"
need modutil certutil softhsm2-util pkcs11-tool openssl
P11C_AUTO_MODULE= # this test names its modules itself
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
# Debian's softhsm2.module does not say enable-in: p11-kit's SoftHSM2 is
# not the database's to use.
expect_exit 0 "without the database's module, list-certs" p11c -d "$DB" -W "$T/pw" list-certs
check "hsm-a:a is not listed: $(cat "$T/out")" fails grep -q '^hsm-a:a ' "$T/out"
expect_exit 3 "--token hsm-a" p11c -d "$DB" -W "$T/pw" --token hsm-a list-certs
check "it names the p11-kit module not loaded, and how: $(cat "$T/err")" \
	grep -q "^p11cert: no token 'hsm-a' (not loaded: module.* 'softhsm2'.* registered with p11-kit, used only when named for the run or when its module file says 'enable-in: p11cert')$" "$T/err"
# Not even dlopen'd (ld.so's own account; the command itself, no wrapper),
# where p11-kit's modules would all be loaded were any enabled for us.
loaded() { grep -Eo "file=[^ ]*(libsofthsm2|p11-kit-trust|/pkcs11/)[^ ]*\.so[^ ]* .*dynamically loaded" "$T/ld"; }
if ! grep -qs enable-in /usr/share/p11-kit/modules/* /etc/pkcs11/modules/*; then
	LD_DEBUG=files "$P11CERT" -d "$DB" -W "$T/pw" list-certs >/dev/null 2>"$T/ld"
	check "no p11-kit module is loaded at all: $(loaded | head -3)" test -z "$(loaded)"
	LD_DEBUG=files "$P11CERT" -d "$DB" -W "$T/pw" --module softhsm2 list-certs >/dev/null 2>"$T/ld"
	check "with --module softhsm2, ld.so shows SoftHSM2 loaded (the check can see it)" \
		grep -q libsofthsm2 <(loaded)
fi
expect_exit 0 "--module softhsm2 (p11-kit's name) for one run" \
	p11c -d "$DB" -W "$T/pw" --module softhsm2 list-certs
check "hsm-a:a is listed" grep -q '^hsm-a:a ' "$T/out"
expect_exit 0 "--module PATH for one run" p11c -d "$DB" --module "$SOFTHSM_MODULE" list-tokens --json
check "list-tokens --json says why the module is loaded: $(cat "$T/out")" \
	grep -q '"label": *"hsm-a"' <(python3 -c 'import json,sys
for t in json.load(sys.stdin):
    if t["loaded_by"] == "run": print("\"label\": \"%s\"" % t["label"])' <"$T/out")
check "nothing written to pkcs11.txt" fails grep -q softhsm "$DB/pkcs11.txt"
expect_exit 3 "--module of an unknown name" p11c -d "$DB" --module nosuch list-tokens
check "it says what was looked for: $(cat "$T/err")" \
	grep -q "^p11cert: no module 'nosuch': neither a file nor a module registered with p11-kit" "$T/err"

# Two databases on one host, one with the HSM module: the other neither
# lists the token nor finds its certificate there.
A=$T/dba B=$T/dbb
new_db "$A"
new_db "$B"
(umask 077 && { cat "$A/sslpassword.conf"; echo "hsm-a:1111"; } >"$T/pwa")
expect_exit 0 "database A adds the module" p11c -d "$A" add-module softhsm "$SOFTHSM_MODULE"
expect_exit 0 "A makes srv on hsm-a" p11c -d "$A" -W "$T/pwa" add-selfsign-cert \
	--token hsm-a --key-type ec:p256 --name srv.example.com srv
check "pkcs11-tool reads A's certificate off hsm-a" \
	pkcs11-tool --module "$SOFTHSM_MODULE" --token-label hsm-a --read-object --type cert \
	--label srv -o "$T/srv.der"
openssl x509 -inform DER -in "$T/srv.der" -out "$T/srv.pem"
expect_exit 0 "B lists its tokens" p11c -d "$B" list-tokens
check "B does not see hsm-a" fails grep -q ' hsm-a ' "$T/out"
expect_exit 0 "B lists its certificates" p11c -d "$B" list-certs
check "B lists no hsm-a:srv: $(cat "$T/out")" fails grep -q 'hsm-a:' "$T/out"
expect_exit 0 "B adds A's certificate as a peer" p11c -d "$B" add-cert --trust peer srv "$T/srv.pem"
check "certutil: B holds srv in its own cert9.db" grep -q '^srv ' <(certutil -d "sql:$B" -L)
check "A's token holds its two certificates still (a, srv)" \
	test "$(token_objects hsm-a 1111 | grep -c '^Certificate Object')" = 2
expect_exit 1 "A's add-cert of it again" p11c -d "$A" -W "$T/pwa" add-cert srvcopy "$T/srv.pem"
check "it says which token it is on and why that token is seen: $(cat "$T/err")" \
	grep -q "^p11cert: the certificate in '$T/srv.pem' is already stored as 'hsm-a:srv', on token 'hsm-a' of module 'softhsm' (registered in the database (pkcs11.txt))$" "$T/err"

# The name p11-kit gives the module is free for the database to take.
expect_exit 0 "add-module under p11-kit's own name (softhsm2)" p11c -d "$DB" add-module softhsm2 "$SOFTHSM_MODULE"
check "modutil lists softhsm2" grep -q 'softhsm2' <(modutil -dbdir "sql:$DB" -list 2>&1)
expect_exit 0 "the token is seen once" p11c -d "$DB" list-tokens
check "one hsm-a row" test "$(grep -c ' hsm-a ' "$T/out")" = 1

finish
