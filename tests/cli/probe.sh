#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Modules that fail to start: each p11-kit module is tried in a child
# process first, so a corrupted SoftHSM2 token store, or a module that
# exits or fails in C_Initialize (the fault module), costs only the commands
# that need its tokens, with one warning naming it; --module that fails is
# the command's error.  The database is unchanged by the refusals.
. "$(dirname "$0")/lib.sh"
need certutil modutil softhsm2-util pkcs11-tool setpriv
: "${P11FAULT_SO:?P11FAULT_SO must name the fault module (meson test sets it)}"
P11KIT_SOFTHSM=/usr/share/p11-kit/modules/softhsm2.module
if [ ! -e "$P11KIT_SOFTHSM" ]; then
	[ "${CI:-}" = true ] && { echo "FAIL: $P11KIT_SOFTHSM is missing under CI" >&2; exit 1; }
	echo "SKIP: SoftHSM2 is not registered with p11-kit" >&2
	exit 77
fi
P11C_AUTO_MODULE= # each part names the modules it loads
make_token hsm 1111
new_db
(umask 077 && echo "hsm:1111" >>"$DB/sslpassword.conf")
expect_exit 0 "add-selfsign-cert on the internal token" \
	p11c -d "$DB" add-selfsign-cert --key-type ec:p256 --name mail.example.com mail

# Healthy: the database's SoftHSM2 module serves the token, no warning.
expect_exit 0 "add-module softhsm2" p11c -d "$DB" add-module softhsm2 "$SOFTHSM_MODULE"
expect_exit 0 "list-tokens with a healthy token" p11c -d "$DB" list-tokens
check "hsm is listed" grep -q ' hsm ' "$T/out"
check "no warning" test ! -s "$T/err"

# A corrupted token store (its directory replaced by a file): SoftHSM2's
# C_Initialize fails; NSS drops the module, p11cert says which and why.
mv "$T/softhsm/tokens" "$T/tokens.saved"
echo garbage >"$T/softhsm/tokens"
snap=$(snapshot)
# SoftHSM's failed C_Initialize leaves the mutexes it made through NSS's
# callbacks (PR_NewLock), and NSS unloads it: LeakSanitizer's check is off
# for these runs under ASan (the leak is SoftHSM's, in a library it can no
# longer name).
asan_saved=${ASAN_OPTIONS-}
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
expect_exit 0 "list-certs beside a corrupted SoftHSM2 store" p11c -d "$DB" list-certs
check "the internal token's certificate is listed" grep -q '^mail ' "$T/out"
check "one warning line naming the module and why: $(cat "$T/err")" test "$(wc -l <"$T/err")" = 1 -a \
	"$(grep -c "^p11cert: warning: module 'softhsm2' (.*libsofthsm2.so) could not be loaded: C_Initialize returned CKR_GENERAL_ERROR; its tokens are left out$" "$T/err")" = 1
expect_exit 3 "a command that needs the token" \
	p11c -d "$DB" add-selfsign-cert --token hsm --key-type ec:p256 --name x.example.com x
check "it says the module could not be loaded: $(cat "$T/err")" \
	grep -q "^p11cert: no token 'hsm' (module 'softhsm2' (.*) could not be loaded)$" "$T/err"
expect_exit 3 "the same by URI" p11c -d "$DB" list-certs --token pkcs11:token=hsm
expect_exit 1 "the same module named for the run is the command's error" \
	p11c -d "$DB" --module softhsm2 list-certs
check "it says why: $(cat "$T/err")" grep -q "^p11cert: cannot load '.*libsofthsm2.so' as a PKCS#11 module: C_Initialize returned CKR_GENERAL_ERROR$" "$T/err"
same_as "$snap" "the database is unchanged"
ASAN_OPTIONS=$asan_saved
rm -f "$T/softhsm/tokens"
mv "$T/tokens.saved" "$T/softhsm/tokens"

# --module: the fault module dying in C_Initialize, as SoftHSM2 does on
# some corrupted stores (exit 5), or failing there.
P11FAULT_INIT=exit:5 expect_exit 1 "--module that exits in C_Initialize" \
	p11c -d "$DB" --module "$P11FAULT_SO" list-certs
check "it says so: $(cat "$T/err")" \
	grep -q "^p11cert: cannot load '$P11FAULT_SO' as a PKCS#11 module: it exited with status 5 in C_Initialize$" "$T/err"
P11FAULT_INIT=CKR_DEVICE_ERROR expect_exit 1 "--module that fails C_Initialize" \
	p11c -d "$DB" --module "$P11FAULT_SO" list-certs
check "it names the CKR: $(cat "$T/err")" grep -q "C_Initialize returned CKR_DEVICE_ERROR$" "$T/err"
start=$(date +%s)
P11FAULT_INIT=sleep:60 expect_exit 1 "--module that hangs in C_Initialize" \
	p11c -d "$DB" --module "$P11FAULT_SO" list-certs
took=$(($(date +%s) - start))
check "it gives up after 10 s ($took s): $(cat "$T/err")" test "$took" -lt 30 -a \
	"$(grep -c "it did not answer within 10 s (C_Initialize)$" "$T/err")" = 1
P11FAULT_INIT=abort expect_exit 1 "--module that crashes in C_Initialize" \
	p11c -d "$DB" --module "$P11FAULT_SO" list-certs
check "it names the signal: $(cat "$T/err")" grep -q "it died of signal 6 (Aborted) in C_Initialize$" "$T/err"
P11CERT_NO_P11KIT=1 expect_exit 0 "remove-module softhsm2" p11c -d "$DB" remove-module softhsm2
expect_exit 0 "--module through the fault module, healthy" \
	p11c -d "$DB" --module "$P11FAULT_SO" list-certs --token hsm
same_as "$snap" "the database is unchanged"

# A module of the database (pkcs11.txt) that fails C_Initialize: NSS leaves
# it out without a word; p11cert says which and why.
D2=$T/db2
new_db "$D2"
export P11CERT_NO_P11KIT=1
expect_exit 0 "add-module flaky (the fault module)" p11c -d "$D2" add-module flaky "$P11FAULT_SO"
snap2=$(snapshot "$D2")
P11FAULT_INIT=CKR_DEVICE_ERROR expect_exit 0 "list-certs with a database module that fails" \
	p11c -d "$D2" list-certs
check "one warning naming it: $(cat "$T/err")" test "$(wc -l <"$T/err")" = 1 -a \
	"$(grep -c "^p11cert: warning: module 'flaky' ($P11FAULT_SO) could not be loaded: C_Initialize returned CKR_DEVICE_ERROR; its tokens are left out$" "$T/err")" = 1
P11FAULT_INIT=CKR_DEVICE_ERROR expect_exit 3 "a command that needs its token" \
	p11c -d "$D2" add-selfsign-cert --token hsm --key-type ec:p256 --name y.example.com y
check "it names the module left out: $(cat "$T/err")" grep -q "^p11cert: no token 'hsm' (module 'flaky' (.*) could not be loaded)$" "$T/err"
check "the database is unchanged" test "$(snapshot "$D2")" = "$snap2"
P11FAULT_INIT=CKR_DEVICE_ERROR expect_exit 0 "remove-module flaky" p11c -d "$D2" remove-module flaky
check "modutil no longer lists it" fails grep -q flaky <(modutil -dbdir "sql:$D2" -list 2>&1)
unset P11CERT_NO_P11KIT

# A module registered with p11-kit whose module file enables it for
# p11cert, that exits in C_Initialize (p11-kit reads a user's modules only
# for other users than root: run as nobody).
run_as() { "$@"; }
if [ "$(id -u)" = 0 ]; then
	run_as() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
fi
NB=$T/nobody
mkdir -p "$NB/home/.config/pkcs11/modules"
printf 'module: %s\nenable-in: p11cert\n' "$P11FAULT_SO" >"$NB/home/.config/pkcs11/modules/dying.module"
chown -R 65534:65534 "$NB" 2>/dev/null
chmod 755 "$T"
nb() {
	run_as env HOME="$NB/home" SOFTHSM2_CONF="$NB/softhsm/softhsm2.conf" "$@"
}
nb "$TESTDIR/../../softhsm/make-token" "$NB/softhsm" nb >/dev/null
nb "$P11CERT" -q -d "$NB/db" generate-certdb --no-default-cert
expect_exit 0 "as a user, p11-kit's modules healthy" nb "$P11CERT" -d "$NB/db" list-tokens
check "the fault module (over SoftHSM2) serves token nb" test "$(grep -c ' nb ' "$T/out")" -ge 1
check "no warning: $(cat "$T/err")" test ! -s "$T/err"
expect_exit 0 "a p11-kit module that exits in C_Initialize" \
	nb env P11FAULT_INIT=exit:5 "$P11CERT" -d "$NB/db" list-certs
check "one warning naming it: $(cat "$T/err")" test "$(wc -l <"$T/err")" = 1 -a \
	"$(grep -c "^p11cert: warning: module 'dying' ($P11FAULT_SO) could not be loaded: it exited with status 5 in C_Initialize; its tokens are left out$" "$T/err")" = 1
expect_exit 0 "list-tokens too" nb env P11FAULT_INIT=exit:5 "$P11CERT" -d "$NB/db" list-tokens
check "it lists the internal token" grep -q 'NSS Certificate DB' "$T/out"
check "and not the dying module's" fails grep -q '^dying ' "$T/out"
finish
