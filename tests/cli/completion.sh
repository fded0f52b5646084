#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# contrib/bash-completion/p11cert: commands, options from each command's
# -h, the database's aliases (TOKEN:alias too) and token labels, without a
# prompt; checked against what certutil and list-tokens say is there.
. "$(dirname "$0")/lib.sh"
need certutil
. "$TESTDIR/../../contrib/bash-completion/p11cert"
check "complete knows p11cert and msgcert" \
	test "$(complete -p p11cert msgcert 2>/dev/null | grep -c -- '-F _p11cert')" = 2
P11C_AUTO_MODULE= # the database's own module, so that certutil sees the token too
make_token hsm-c 1111
new_db
p11c -q -d "$DB" add-module softhsm "$SOFTHSM_MODULE"
(umask 077 && { cat "$DB/sslpassword.conf"; echo "hsm-c:1111"; } >"$T/pw")
p11c -q -d "$DB" add-selfsign-cert --key-type ec:p256 --name smtp.example.com smtp
p11c -q -d "$DB" -W "$T/pw" add-selfsign-cert --token hsm-c --key-type ec:p256 --name imap.example.com imap
p11c -q -d "$DB" add-selfsign-cert --key-type ec:p256 -S "CN=Example Root,O=Ex" --ca "Example Root"
# comp WORD...: complete the last word of "p11cert WORD..." as readline
# would split it (at blanks, and at COMP_WORDBREAKS' colon); COMPREPLY one a line.
comp() {
	COMP_LINE="$P11CERT $*"
	COMP_POINT=${#COMP_LINE}
	read -r -a COMP_WORDS <<<"${COMP_LINE//:/ : }"
	[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
	[[ $COMP_LINE == *: ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_p11cert </dev/null
	printf '%s\n' "${COMPREPLY[@]}"
}
check "commands: add-<TAB> gives the add- commands" \
	test "$(comp add- | sort | tr '\n' ' ')" = "add-cert add-module add-selfsign-cert "
check "global options: --vers<TAB>" test "$(comp --vers)" = "--version"
check "a command's options from its -h: list-certs --ex<TAB>" test "$(comp list-certs --ex)" = "--expiring"
check "and its -C" grep -qx -- '-C' <(comp list-certs -)
check "--key-type values" grep -qx 'ec:p256' <(comp add-selfsign-cert --key-type e)
got=$(comp -d "$DB" -W "$T/pw" show-cert "" | sort | tr '\n' '|')
want=$(certutil -d "sql:$DB" -L -h all -f "$T/pw" 2>/dev/null | sed -n 's/^\(.*[^ ]\) \{2,\}[a-zA-Z]*,[a-zA-Z]*,[a-zA-Z]*$/\1/p' | sort -u | tr '\n' '|')
check "show-cert <TAB>: the aliases certutil lists (got '$got', wanted '$want')" test "$got" = "$want"
check "an alias with a space comes whole" grep -qx 'Example Root' <(comp -d "$DB" show-cert Ex)
check "-dDIR (attached) names the database too" grep -qx 'Example Root' <(comp -d"$DB" show-cert Ex)
check "--dir=DIR names the database too" grep -qx 'Example Root' <(comp --dir="$DB" show-cert Ex)
# readline splits --dir=DIR at '=' (COMP_WORDBREAKS): the words as it gives them
comp_split() {
	COMP_LINE="$P11CERT --dir=$DB show-cert Ex"
	COMP_POINT=${#COMP_LINE}
	COMP_WORDS=("$P11CERT" --dir = "$DB" show-cert Ex)
	COMP_CWORD=5
	COMPREPLY=()
	_p11cert </dev/null
	printf '%s\n' "${COMPREPLY[@]}"
}
check "--dir=DIR split by readline at '=' names the database too" grep -qx 'Example Root' <(comp_split)
check "TOKEN:alias after the colon: hsm-c:<TAB> gives imap" test "$(comp -d "$DB" -W "$T/pw" show-cert hsm-c:)" = "imap"
check "--token: the labels list-tokens gives" grep -qx 'hsm-c' <(comp -d "$DB" --token h)
check "--ca: aliases" grep -qx 'Example Root' <(comp -d "$DB" sign-request --ca Ex)
check "-d: directories" test "$(comp -d "$T/d")" = "$T/db"
# The ACME commands: their names, options and values; acme-renew and
# acme-revoke complete the aliases the ACME record manages (written here as
# the library writes it: jansson's two-space indent).
check "acme-<TAB> gives the four ACME commands" \
	test "$(comp acme- | sort | tr '\n' ' ')" = "acme-issue acme-register acme-renew acme-revoke "
check "acme-issue --http<TAB>: its -h's options" \
	test "$(comp acme-issue --http | sort | tr '\n' ' ')" = "--http01-address --http01-port "
check "acme-issue --webroot: directories" test "$(comp acme-issue --webroot "$T/d")" = "$T/db"
check "acme-register --eab-hmac-file: files" grep -qx "$T/db/sslpassword.conf" <(comp acme-register --eab-hmac-file "$T/db/ss")
check "acme-revoke --reason values" test "$(comp acme-revoke --reason key)" = "key-compromise"
check "acme-renew --due takes a number: nothing offered" test -z "$(comp acme-renew --due "")"
python3 -c 'import json,sys; json.dump({"server":"https://acme.test/dir","certs":{"mail":{"names":["mail.example.com"]},"hsm web":{"names":["w.example.com"]}}}, open(sys.argv[1],"w"), indent=2)' "$DB/p11cert-acme.json"
check "acme-renew <TAB>: the record's aliases" \
	test "$(comp -d "$DB" acme-renew "" | sort | tr '\n' '|')" = "hsm web|mail|"
check "acme-revoke m<TAB>: mail" test "$(comp --dir="$DB" acme-revoke m)" = "mail"
rm "$DB/p11cert-acme.json"
check "no prompt, no stray output, on a database with no password file" \
	test -z "$(mv "$DB/sslpassword.conf" "$T/saved.conf"; comp -d "$DB" show-cert zz; mv "$T/saved.conf" "$DB/sslpassword.conf")"
finish
