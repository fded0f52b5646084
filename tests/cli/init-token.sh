#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# init-token: a SoftHSM2 slot initialised through C_InitToken/C_InitPIN
# (p11tool lists the label, pkcs11-tool logs in with the PIN); a wrong SO
# PIN file, an initialised token without --force, a module that refuses
# (the fault module): one line each, the tokens as they were; both PINs at
# the no-echo prompt, a confirmation that differs refused.
. "$(dirname "$0")/lib.sh"
need p11tool pkcs11-tool softhsm2-util
: "${P11FAULT_SO:?P11FAULT_SO must name the fault module (meson test sets it)}"
mkdir -p "$T/softhsm/tokens"
sed "s|@TOKENDIR@|$T/softhsm/tokens|" "$TESTDIR/../../softhsm/softhsm2.conf.in" >"$T/softhsm/softhsm2.conf"
export SOFTHSM2_CONF=$T/softhsm/softhsm2.conf
(umask 077 && echo 87654321 >"$T/so" && echo 1234 >"$T/pin" && echo 11112222 >"$T/badso")

tokens() { p11tool --provider "$SOFTHSM_MODULE" --list-tokens 2>/dev/null | grep -E '^\s*(Token|Label|Serial)'; }
# What a token's state is: every token's label and serial, and the objects
# of it-a as its PIN shows them.
state() { tokens; token_objects it-a 1234; }
# unchanged WHAT: state as in $T/before, else the difference shown.
unchanged() {
	if state | diff "$T/before" - >"$T/diff"; then ok "$1"; else not_ok "$1: $(cat "$T/diff")"; fi
}

expect_exit 0 "init-token initialises a free SoftHSM slot" \
	p11c init-token --label it-a --so-pin-file "$T/so" --pin-file "$T/pin"
check "it says so: $(cat "$T/err")" grep -q "^initialised token 'it-a'" "$T/err"
check "p11tool --list-tokens shows the label: $(tokens | tr '\n' ' ')" \
	grep -q 'Label: it-a$' <(tokens)
P11C_TEST_PIN=1234 pkcs11-tool --module "$SOFTHSM_MODULE" --token-label it-a --login \
	--pin env:P11C_TEST_PIN --keypairgen --key-type EC:prime256v1 --label mark >/dev/null 2>&1
check "pkcs11-tool logs in with the user PIN and makes a key" grep -q 'label: *mark' <(token_objects it-a 1234)
# The SO logs in (a read-write session) and sets the user PIN to what it is.
so_login() {
	P11C_TEST_PIN=87654321 P11C_NEW_PIN=1234 pkcs11-tool --module "$SOFTHSM_MODULE" \
		--token-label it-a --login --login-type so --so-pin env:P11C_TEST_PIN --init-pin \
		--new-pin env:P11C_NEW_PIN >/dev/null 2>&1
}
check "the security officer PIN is the one given" so_login
state >"$T/before"

expect_exit 1 "an initialised token without --force is refused" \
	p11c init-token --label it-a --so-pin-file "$T/so" --pin-file "$T/pin"
check "the message says it is initialised: $(cat "$T/err")" \
	grep -qx "p11cert: token 'it-a' is already initialised" "$T/err"
unchanged "nothing changed"

expect_exit 4 "--force with a wrong SO PIN file is refused" \
	p11c init-token --force --label it-a --so-pin-file "$T/badso" --pin-file "$T/pin"
check "the message names the SO PIN and CKR_PIN_INCORRECT: $(cat "$T/err")" \
	grep -q "wrong security officer PIN for token 'it-a'.*CKR_PIN_INCORRECT" "$T/err"
unchanged "nothing changed"

P11FAULT_MODULE=$SOFTHSM_MODULE P11FAULT_FUNC=C_InitToken P11FAULT_NTH=1 \
	P11FAULT_RV=0x54 expect_exit 5 "a module that refuses C_InitToken" \
	p11c --module "$P11FAULT_SO" init-token --label it-b --so-pin-file "$T/so" --pin-file "$T/pin"
check "the message names the module's answer: $(cat "$T/err")" \
	grep -q "refused to initialise token 'it-b'.*CKR_FUNCTION_NOT_SUPPORTED" "$T/err"
unchanged "nothing changed (no it-b)"

expect_exit 3 "a module that is not there" \
	p11c --module "$T/none.so" init-token --label it-c --so-pin-file "$T/so" --pin-file "$T/pin"
(umask 022 && echo 1234 >"$T/open-pin")
expect_exit 4 "a PIN file others can read is refused" \
	p11c init-token --label it-d --so-pin-file "$T/so" --pin-file "$T/open-pin"
unchanged "nothing changed"
expect_exit 2 "init-token without --label is a usage error" p11c init-token --pin-file "$T/pin"

# --force with the SO PIN: initialised again, its objects gone.
expect_exit 0 "--force with the right SO PIN initialises it again" \
	p11c init-token --force --label it-a --so-pin-file "$T/so" --pin-file "$T/pin"
check "the key made before is gone" fails grep -q 'label: *mark' <(token_objects it-a 1234)

# --module NAME: a module registered with p11-kit, by its name.
expect_exit 0 "--module softhsm2 (p11-kit's name) initialises a token" \
	p11c --module softhsm2 init-token --label it-n --so-pin-file "$T/so" --pin-file "$T/pin"
check "p11tool --list-tokens shows it-n" grep -q 'Label: it-n$' <(tokens)

# No PIN files: both PINs at the no-echo prompt, each typed twice.
tty() { python3 "$TESTDIR/ttyprompt.py" "answers:$1" "PIN: " ${P11CERT_WRAPPER:-} "$P11CERT" \
	init-token --label "$2" >"$T/tty" 2>&1; }
state >"$T/before"
tty 87654321/87654322 it-x
check "confirming the SO PIN with another one is refused: $(tr '\n' ' ' <"$T/tty")" \
	grep -q "the two security officer PINs differ" "$T/tty"
check "it exits 4" grep -qx 'status exit 4' "$T/tty"
unchanged "nothing changed (no it-x)"
tty 87654321/87654321/4321/4321 it-p
check "the prompted PINs: echo off at the prompt, on after: $(tr '\n' ' ' <"$T/tty")" \
	sh -c "grep -qx 'at-prompt echo=0' '$T/tty' && grep -qx 'after echo=1' '$T/tty'"
check "it initialised it-p (exit 0)" grep -qx 'status exit 0' "$T/tty"
check "p11tool --list-tokens shows it-p" grep -q 'Label: it-p$' <(tokens)
P11C_TEST_PIN=4321 pkcs11-tool --module "$SOFTHSM_MODULE" --token-label it-p --login \
	--pin env:P11C_TEST_PIN --keypairgen --key-type EC:prime256v1 --label typed >/dev/null 2>&1
check "pkcs11-tool logs in with the user PIN typed" grep -q 'label: *typed' <(token_objects it-p 4321)
check "the PINs typed are not echoed" fails grep -q '4321\|87654321' "$T/tty"
finish
