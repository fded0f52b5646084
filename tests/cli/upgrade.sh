#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# upgrade-certdb: a msgcert-era database made with NSS's own tools (dbm:)
# becomes an sql database with the same certificates, trust, keys and
# modules, as certutil, modutil and openssl see them; the legacy files are
# kept; a failure puts the directory back.
. "$(dirname "$0")/lib.sh"
need certutil pk12util modutil openssl softhsm2-util
LEG=$T/legacy
mkdir -p "$LEG"
(umask 077 && echo "old secret" >"$T/nss.pw" &&
	printf 'Internal (Software) Token:old secret\n' >"$LEG/sslpassword.conf")
certutil -N -d "dbm:$LEG" -f "$T/nss.pw"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/srv.key" -subj /CN=mail.example.com \
	-days 365 -out "$T/srv.pem" 2>/dev/null
openssl pkcs12 -export -in "$T/srv.pem" -inkey "$T/srv.key" -name Server-Cert -passout pass:x \
	-out "$T/srv.p12"
pk12util -i "$T/srv.p12" -d "dbm:$LEG" -k "$T/nss.pw" -W x >/dev/null
make_ca ca "/CN=Legacy Relay CA"
fixed_cert peer "/CN=peer.example.com" 20240101000000Z 20340101000000Z
certutil -A -d "dbm:$LEG" -n "Relay CA" -t "CT,C,C" -i "$T/ca.pem" -f "$T/nss.pw"
certutil -A -d "dbm:$LEG" -n peer -t "P,," -i "$T/peer.pem" -f "$T/nss.pw"
modutil -add softhsm -libfile "$SOFTHSM_MODULE" -dbdir "dbm:$LEG" -force >/dev/null 2>&1
certutil -L -d "dbm:$LEG" >"$T/certs.before"
certutil -K -d "dbm:$LEG" -f "$T/nss.pw" 2>&1 | sed 's/^< *[0-9]*>//' | grep -v Checking >"$T/keys.before"
cp -a "$LEG" "$T/pristine"
check "the legacy database has its 3 certificates" test "$(grep -c -e u,u,u -e CT,C,C -e 'P,,' "$T/certs.before")" = 3
check "and softhsm registered" grep -q softhsm <(modutil -list -dbdir "dbm:$LEG" 2>&1)

# Any other command says to upgrade.
expect_exit 1 "list-certs on a legacy database" p11c -d "$LEG" list-certs
check "it says to run upgrade-certdb" grep -q "run 'p11cert upgrade-certdb' first" "$T/err"

# A wrong password: refused, nothing changed.
(umask 077 && printf 'Internal (Software) Token:wrong\n' >"$T/wrong.pw")
expect_exit 4 "a wrong password" p11c -d "$LEG" -W "$T/wrong.pw" upgrade-certdb
check "the directory is as it was" diff -r "$LEG" "$T/pristine"

# A difference caught: a test-only LD_PRELOAD shim (tests/shim/losekey.c)
# drops a key from the read-back, the third listing of the keys (legacy,
# migrated, read back); the directory is put back.
: "${LOSEKEY_SO:?LOSEKEY_SO must name tests/shim/losekey.c built (meson test sets it)}"
# (under ASan its runtime must come first in the list)
preload="$(ldd "$P11CERT" | awk '/libasan/ { print $3 }') $LOSEKEY_SO"
LD_PRELOAD=$preload P11SHIM_LOSE_KEY_AT=3 expect_exit 1 "a lost key is caught" \
	p11c -d "$LEG" upgrade-certdb
check "it says the keys differ" grep -q "the keys differ after the upgrade (1 before, 0 after" "$T/err"
for f in cert8.db key3.db secmod.db; do
	check "$f is back as it was" cmp "$LEG/$f" "$T/pristine/$f"
done
check "no new files are left" test ! -e "$LEG/cert9.db" -a ! -e "$LEG/key4.db" -a ! -e "$LEG/pkcs11.txt"
check "no backup folder is left" test -z "$(ls -d "$LEG"/legacy-* 2>/dev/null)"
check "the directory is as it was" diff -r "$LEG" "$T/pristine"

# The upgrade.
expect_exit 0 "upgrade-certdb" p11c -d "$LEG" upgrade-certdb
check "the report: 3 certificates before and after" grep -Eq '^certificates +3 +3$' "$T/out"
check "2 trusted" grep -Eq '^trusted +2 +2$' "$T/out"
check "1 key" grep -Eq '^keys +1 +1$' "$T/out"
check "1 module" grep -Eq '^modules +1 +1$' "$T/out"
check "it says the password file was completed" grep -q "password under both names (msgcert's and NSS's)" "$T/out"
check "the new files" test -s "$LEG/cert9.db" -a -s "$LEG/key4.db" -a -s "$LEG/pkcs11.txt"
check "the legacy files are out of the directory" test ! -e "$LEG/cert8.db" -a ! -e "$LEG/key3.db" -a ! -e "$LEG/secmod.db"
backup=$(ls -d "$LEG"/legacy-*)
for f in cert8.db key3.db secmod.db; do
	check "the backup keeps $f as it was" cmp "$backup/$f" "$T/pristine/$f"
done
check "the backup folder is 0700" test "$(stat -c %a "$backup")" = 700
check "certutil -L: the same certificates and trust" diff <(certutil -L -d "sql:$LEG") "$T/certs.before"
check "certutil -K: the same key" diff <(certutil -K -d "sql:$LEG" -f "$T/nss.pw" 2>&1 | sed 's/^< *[0-9]*>//' | grep -v Checking) "$T/keys.before"
check "modutil: softhsm is in pkcs11.txt" grep -q "softhsm" "$LEG/pkcs11.txt"
expect_exit 0 "p11cert lists the key's certificate" p11c -d "$LEG" list-certs
check "Server-Cert" grep -q "^Server-Cert " "$T/out"
(umask 077 && echo p12pass >"$T/p12.pw")
expect_exit 0 "the key exports" p11c -d "$LEG" export-cert --p12-password-file "$T/p12.pw" -o "$T/out.p12" Server-Cert
check "it is the legacy key (openssl)" cmp <(openssl pkcs12 -in "$T/out.p12" -nocerts -nodes -passin pass:p12pass 2>/dev/null | openssl pkey -pubout) \
	<(openssl pkey -in "$T/srv.key" -pubout)
check "the password file got NSS's name for the password" grep -qx "NSS Certificate DB:old secret" "$LEG/sslpassword.conf"
check "and kept msgcert's" grep -qx "Internal (Software) Token:old secret" "$LEG/sslpassword.conf"
check "it is still 0600" test "$(stat -c %a "$LEG/sslpassword.conf")" = 600
check "certutil -f takes the password file now" grep -q Server-Cert <(certutil -K -d "sql:$LEG" -f "$LEG/sslpassword.conf" 2>&1)
check "the old password still opens it" grep -q Server-Cert <(certutil -K -d "sql:$LEG" -f "$T/nss.pw" 2>&1)

# Again: nothing to do.
expect_exit 1 "upgrade-certdb twice" p11c -d "$LEG" upgrade-certdb
check "it says upgraded before" grep -q "already holds cert9.db" "$T/err"
expect_exit 3 "no legacy database" p11c -d "$T/empty" upgrade-certdb
mkdir -p "$T/half"
cp "$T/pristine/cert8.db" "$T/half/"
expect_exit 1 "cert8.db without key3.db" p11c -d "$T/half" upgrade-certdb
check "it says to put key3.db back" grep -q "has cert8.db but no key3.db" "$T/err"
check "nothing was made" test "$(ls "$T/half")" = cert8.db
expect_exit 2 "an argument" p11c -d "$LEG" upgrade-certdb extra

finish
