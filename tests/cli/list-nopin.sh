#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# list-certs and show-cert on a token whose PIN the password file lacks (or
# gets wrong): its public certificates are listed with their keys unknown,
# the token is named on stderr (exit 0 for a missing PIN line, 4 for a
# refused PIN or the --token asked for), the PIN is tried once; checked
# against pkcs11-tool (no login) and certutil -L -h all.
. "$(dirname "$0")/lib.sh"
need certutil openssl softhsm2-util pkcs11-tool python3
make_token mail-hsm 1111
make_token empty-hsm 3333
new_db
(umask 077 && { cat "$DB/sslpassword.conf"; echo "mail-hsm:1111"; } >"$T/good.pw")
(umask 077 && cat "$DB/sslpassword.conf" >"$T/nopin.pw")
(umask 077 && { cat "$DB/sslpassword.conf"; echo "mail-hsm:9999"; } >"$T/wrong.pw")
p11c -q -d "$DB" -W "$T/good.pw" add-selfsign-cert --token mail-hsm --name smtp.example.com smtp
p11c -q -d "$DB" -W "$T/good.pw" add-selfsign-cert --name int.example.com intcert
before=$(snapshot)
objs_before=$(token_objects mail-hsm 1111)
unchanged() {
	same_as "$before" "$1: the database is unchanged"
	if [ "$(token_objects mail-hsm 1111)" = "$objs_before" ]; then ok "$1: the token is unchanged"
	else not_ok "$1: the token changed"; fi
}
# expect_in FILE DESCRIPTION PATTERN: FILE has a line matching PATTERN.
expect_in() {
	if grep -q -- "$3" "$1"; then ok "$2"
	else not_ok "$2: no line matching '$3' in: $(head -c 400 "$1")"; fi
}
# expect_eq DESCRIPTION GOT WANTED
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', wanted '$3'"; fi
}

# What a reader without the PIN sees: pkcs11-tool without --login.
pubobjs=$(pkcs11-tool --module "$SOFTHSM_MODULE" --token-label mail-hsm -O 2>/dev/null)
expect_eq "pkcs11-tool without login sees the certificate smtp" \
	"$(awk '/^Certificate Object/ {c=1} c && $1=="label:" {print $2; c=0}' <<<"$pubobjs")" smtp
check "pkcs11-tool without login sees no private key" fails grep -q '^Private Key Object' <<<"$pubobjs"

# The token's PIN missing from the password file.
expect_exit 0 "list-certs without the token's PIN: exit 0" \
	p11c -d "$DB" -W "$T/nopin.pw" list-certs </dev/null
expect_in "$T/err" "the warning names the token and the password file" \
	"^p11cert: warning: password file '$T/nopin.pw' has no password for token 'mail-hsm': certificates on token 'mail-hsm' are listed without their keys$"
expect_eq "one warning line: none for empty-hsm, which has no certificate" "$(wc -l <"$T/err")" 1
expect_in "$T/out" "the token's certificate is listed" '^mail-hsm:smtp '
expect_in "$T/out" "the internal one too" '^intcert '
expect_eq "the count says two" "$(tail -1 "$T/out")" "2 certificates found"
expect_eq "the token's certificates, as pkcs11-tool lists them without login" \
	"$(awk -F' ' '/^mail-hsm:/ {sub(/^mail-hsm:/, "", $1); print $1}' "$T/out")" \
	"$(awk '/^Certificate Object/ {c=1} c && $1=="label:" {print $2; c=0}' <<<"$pubobjs")"
unchanged "list-certs without the PIN"

expect_exit 4 "--token mail-hsm list-certs without the PIN: exit 4" \
	p11c -d "$DB" -W "$T/nopin.pw" --token mail-hsm list-certs </dev/null
expect_in "$T/err" "it names the token" "token 'mail-hsm'"
expect_eq "it lists the token's certificate alone" \
	"$(awk 'NR>2 {print $1}' "$T/out" | head -n -1 | tr '\n' ' ')" "mail-hsm:smtp "
expect_exit 4 "--token empty-hsm list-certs without its PIN: exit 4" \
	p11c -d "$DB" -W "$T/nopin.pw" --token empty-hsm list-certs </dev/null
expect_in "$T/err" "it names that token" "^p11cert: warning: .* no password for token 'empty-hsm'"
expect_eq "and lists nothing" "$(tail -1 "$T/out")" "0 certificates found"
expect_exit 0 "--token internal list-certs: the token's PIN is not needed" \
	p11c -d "$DB" -W "$T/nopin.pw" --token internal list-certs
check "and nothing on stderr" test ! -s "$T/err"

expect_exit 0 "list-certs --json without the PIN" p11c -d "$DB" -W "$T/nopin.pw" list-certs --json
pkcs11-tool --module "$SOFTHSM_MODULE" --token-label mail-hsm --read-object --type cert \
	--label smtp -o "$T/smtp.der" >/dev/null 2>&1
want256=$(openssl x509 -inform DER -in "$T/smtp.der" -noout -fingerprint -sha256 |
	sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
check "--json: an array; the token's certificate with has_key null and why, its SHA-256 as pkcs11-tool reads it" \
	python3 - "$T/out" "$want256" <<'PY'
import json, sys
certs = json.load(open(sys.argv[1]))
assert isinstance(certs, list), certs
by = {c["alias"]: c for c in certs}
assert sorted(by) == ["intcert", "mail-hsm:smtp"], sorted(by)
s = by["mail-hsm:smtp"]
assert s["has_key"] is None and s["token"] == "mail-hsm", s
assert "mail-hsm" in s["key_note"], s["key_note"]
assert s["sha256"] == sys.argv[2], (s["sha256"], sys.argv[2])
assert by["intcert"]["has_key"] is True and by["intcert"]["key_note"] is None, by["intcert"]
PY

# certutil sees the same certificates without a PIN once the module is in
# the database (as servers see it).
p11c -q -d "$DB" -W "$T/good.pw" add-module softhsm "$SOFTHSM_MODULE"
before=$(snapshot)
expect_exit 0 "list-certs --all without the PIN" p11c -d "$DB" -W "$T/nopin.pw" list-certs --all
got=$(awk 'NR>2 {print $1}' "$T/out" | head -n -1 | sort | tr '\n' ' ')
want=$(certutil -d "sql:$DB" -L -h all 2>/dev/null | awk 'NR>4 && NF {print $1}' | sort | tr '\n' ' ')
expect_eq "the aliases certutil -L -h all lists without a PIN" "$got" "$want"

# show-cert: the certificate, its key unknown.
expect_exit 4 "show-cert mail-hsm:smtp without the PIN: exit 4" \
	p11c -d "$DB" -W "$T/nopin.pw" show-cert mail-hsm:smtp </dev/null
expect_in "$T/err" "the warning names the token" "^p11cert: warning: .*token 'mail-hsm'"
expect_in "$T/out" "the key is shown as unknown" '^Private key: *unknown: '
expect_in "$T/out" "its SHA-256 fingerprint is shown" "$(tr 'a-f' 'A-F' <<<"${want256:0:2}"):"
expect_exit 4 "show-cert --json without the PIN" \
	p11c -d "$DB" -W "$T/nopin.pw" show-cert --json mail-hsm:smtp </dev/null
check "--json: has_key null" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
assert c["has_key"] is None and "mail-hsm" in c["key_note"], c' "$T/out"
expect_exit 3 "show-cert of an alias the token does not have" \
	p11c -d "$DB" -W "$T/good.pw" show-cert mail-hsm:nosuch
unchanged "show-cert without the PIN"

# With the PIN, as before: the key is seen, nothing on stderr.
expect_exit 0 "list-certs with the PIN" p11c -d "$DB" -W "$T/good.pw" list-certs --json
check "--json: has_key true, no note" python3 -c '
import json, sys
by = {c["alias"]: c for c in json.load(open(sys.argv[1]))}
s = by["mail-hsm:smtp"]
assert s["has_key"] is True and s["key_note"] is None and s["key_token"] == "mail-hsm", s' "$T/out"
check "and nothing on stderr" test ! -s "$T/err"

# A wrong PIN: named, listed anyway, exit 4.
expect_exit 4 "list-certs with a wrong PIN: exit 4" p11c -d "$DB" -W "$T/wrong.pw" list-certs
expect_in "$T/err" "the warning names the token and CKR_PIN_INCORRECT" \
	"^p11cert: warning: wrong PIN for token 'mail-hsm' (CKR_PIN_INCORRECT)"
check "it does not print the PIN" fails grep -q 9999 "$T/err"
expect_in "$T/out" "the token's certificate is listed" '^mail-hsm:smtp '
unchanged "list-certs with a wrong PIN"

# The wrong PIN is tried once: count C_Login through OpenSC's PKCS#11 spy,
# on a copy of the database without the module (the spy alone loads it).
SPY=/usr/lib/x86_64-linux-gnu/pkcs11/pkcs11-spy.so
if [ -e "$SPY" ]; then
	cp -a "$DB" "$T/spydb"
	p11c -q -d "$T/spydb" -W "$T/good.pw" remove-module softhsm
	for cmd in list-certs "show-cert mail-hsm:smtp"; do
		rm -f "$T/spy.log"
		# OpenSC's spy leaks what it allocates at load (even for
		# list-tokens): LeakSanitizer is left out of these runs alone.
		# shellcheck disable=SC2086
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" PKCS11SPY="$SOFTHSM_MODULE" PKCS11SPY_OUTPUT="$T/spy.log" P11CERT_NO_P11KIT=1 \
			"$P11CERT" -d "$T/spydb" -W "$T/wrong.pw" --module "$SPY" $cmd >"$T/out" 2>"$T/err"
		expect_eq "$cmd through the spy: exit 4" "$?" 4
		expect_in "$T/err" "$cmd: the warning names the token" "token 'mail-hsm'.*CKR_PIN_INCORRECT"
		expect_in "$T/spy.log" "$cmd: the spy saw CKR_PIN_INCORRECT" CKR_PIN_INCORRECT
		expect_eq "$cmd: C_Login was called exactly once" "$(grep -c 'C_Login' "$T/spy.log")" 1
		expect_in "$T/out" "$cmd: the certificate is still shown" 'mail-hsm:smtp'
	done
elif [ "${CI:-}" = true ]; then
	not_ok "pkcs11-spy.so is missing under CI"
fi
unchanged "the spy runs"

finish
