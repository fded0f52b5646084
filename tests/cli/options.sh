#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Option parsing (getopt_long's conventions) for every command: an unknown
# option is one line naming it (exit 2), -h names the program as called
# (p11cert, msgcert); then on a real database: -qv, -dDIR, --dir=DIR, -d
# after the command, '--' before an alias starting with '-', a missing
# value; certutil -L shows what was done, and that usage errors did nothing.
. "$(dirname "$0")/lib.sh"
need certutil openssl
ln -s "$P11CERT" "$T/msgcert"
new_db
make_ca ca "/CN=Options CA"
before=$(snapshot)

# one_line_naming WHAT PREFIX NAME: $T/err is one line starting PREFIX
# that quotes NAME.
one_line_naming() {
	local what=$1 prefix=$2 name=$3 lines
	lines=$(wc -l <"$T/err")
	if [ "$lines" = 1 ] && grep -q "^$prefix: " "$T/err" && grep -qF -- "'$name'" "$T/err"; then
		ok "$what"
	else
		not_ok "$what: got $lines line(s) '$(cat "$T/err")', wanted one '$prefix: ...' line naming '$name'"
	fi
}

commands=$(p11c -h | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-zA-Z-]*\) .*/\1/p')
check "p11cert -h lists the commands (got $(echo $commands | wc -w))" \
	test "$(echo $commands | wc -w)" -ge 20
for cmd in $commands; do
	expect_exit 2 "$cmd --no-such-option: exit 2" p11c -d "$DB" "$cmd" --no-such-option
	one_line_naming "$cmd --no-such-option: one line naming it" p11cert --no-such-option
	check "$cmd: the line points to '$cmd -h'" grep -qF "(see 'p11cert $cmd -h')" "$T/err"
	expect_exit 2 "$cmd -Z: exit 2" p11c -d "$DB" "$cmd" -Z
	one_line_naming "$cmd -Z: one line naming it" p11cert -Z
	expect_exit 0 "$cmd -h" p11c "$cmd" -h
	check "$cmd -h: 'Usage: p11cert $cmd' (got '$(head -1 "$T/out")')" \
		grep -Eq "^Usage: p11cert $cmd( |$)" "$T/out"
	"$T/msgcert" "$cmd" --help >"$T/out" 2>"$T/err"
	rc=$?
	check "msgcert $cmd --help: exit $rc, 'Usage: msgcert $cmd' (got '$(head -1 "$T/out")')" \
		eval '[ "$rc" = 0 ] && grep -Eq "^Usage: msgcert $cmd( |$)" "$T/out"'
	"$T/msgcert" -d "$DB" "$cmd" --no-such-option >"$T/out" 2>"$T/err"
	rc=$?
	check "msgcert $cmd --no-such-option: exit $rc, wanted 2" test "$rc" = 2
	one_line_naming "msgcert $cmd --no-such-option: one 'p11cert:' line (SPEC: failures start so)" p11cert --no-such-option
	check "msgcert $cmd: the line points to 'msgcert $cmd -h'" \
		grep -qF "(see 'msgcert $cmd -h')" "$T/err"
done
same_as "$before" "unknown options left the database unchanged"

# Combined short options: -q (global) and -v, -C (add-cert's) in one word.
expect_exit 0 "-qv before the command" p11c -d "$DB" -qv add-selfsign-cert --key-type ec:p256 \
	--name qv.example qv
check "-v: verbose lines" grep -q '^p11cert: verbose: making a ec:p256 key' "$T/err"
check "-q: no notice ('added ...')" fails grep -q 'added' "$T/err"
check "certutil -L shows qv with its key (u,u,u)" test "$(trust_of qv)" = "u,u,u"
expect_exit 0 "-qC: a global and a command's flag in one word" p11c -d "$DB" add-cert -qC ca "$T/ca.pem"
check "no notice (-q)" test ! -s "$T/err"
check "certutil -L shows ca trusted (CT,,)" test "$(trust_of ca)" = "CT,,"

# Attached values; -d after the command.  $P11CERT_DB is unset and the
# default directory has no database: the command used the one named.
expect_exit 0 "-dDIR (attached)" p11c -d"$DB" -q add-selfsign-cert --key-type=ec:p256 \
	--name=attached.example attached
check "certutil -L shows attached" test "$(trust_of attached)" = "u,u,u"
check "--name=VALUE: the subject" grep -q 'CN=attached.example' <(certutil -d "sql:$DB" -L -n attached)
expect_exit 0 "--dir=DIR" p11c --dir="$DB" list-certs
check "it lists the database's certificates" grep -q '^attached ' "$T/out"
expect_exit 0 "-d DIR after the command" p11c list-certs --all -d "$DB"
check "it lists ca" grep -q '^ca ' "$T/out"
expect_exit 0 "-d DIR after the positionals" p11c show-cert attached -d "$DB"
check "it shows attached" grep -q 'attached.example' "$T/out"

# '--' ends the options: an alias that starts with '-'.
before=$(snapshot)
expect_exit 2 "show-cert -odd without '--' is options" p11c -d "$DB" show-cert -odd
expect_exit 2 "add-cert -odd without '--' is options" p11c -d "$DB" add-cert -C -odd "$T/ca.pem"
same_as "$before" "they left the database unchanged"
make_ca odd "/CN=Odd CA"
expect_exit 0 "add-cert -C -- -odd FILE" p11c -d "$DB" -q add-cert -C -- -odd "$T/odd.pem"
check "certutil -L shows '-odd' trusted (CT,,)" test "$(trust_of -odd)" = "CT,,"
expect_exit 0 "show-cert -- -odd" p11c -d "$DB" show-cert -- -odd
want=$(openssl x509 -in "$T/odd.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
got=$(certutil -d "sql:$DB" -L -n -odd -a | openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//')
check "certutil -L -n -odd is the certificate added (got $got, wanted $want)" test "$got" = "$want"
check "show-cert -- -odd shows it" grep -q 'CN=Odd CA' "$T/out"
expect_exit 0 "remove-cert -- -odd" p11c -d "$DB" -q remove-cert -- -odd
check "certutil -L no longer shows '-odd'" test -z "$(trust_of -odd)"

# A missing value, an ambiguous prefix, a value for a flag: exit 2, one
# line naming the option, the database unchanged.
before=$(snapshot)
expect_exit 2 "add-cert --trust (no value)" p11c -d "$DB" add-cert ca2 "$T/ca.pem" --trust
one_line_naming "it names --trust" p11cert --trust
expect_exit 2 "export-cert -o (no value)" p11c -d "$DB" export-cert ca -o
one_line_naming "it names -o" p11cert -o
expect_exit 2 "-d at the end (no value)" p11c list-certs -d
one_line_naming "it names -d" p11cert -d
expect_exit 2 "-d before the command (no value)" p11c -d
check "it points to 'p11cert -h'" grep -qF "(see 'p11cert -h')" "$T/err"
expect_exit 2 "--dir= (empty)" p11c --dir= list-certs
expect_exit 2 "an ambiguous prefix: export-cert --p12" p11c -d "$DB" export-cert --p12 x ca
check "it says ambiguous" grep -q "ambiguous option '--p12'" "$T/err"
expect_exit 2 "a value for a flag: add-cert --ca=yes" p11c -d "$DB" add-cert --ca=yes ca2 "$T/ca.pem"
one_line_naming "it names --ca" p11cert --ca
expect_exit 2 "an unknown option in a cluster: -qZ" p11c -d "$DB" list-certs -qZ
one_line_naming "it names -Z" p11cert -Z
same_as "$before" "the usage errors left the database unchanged"

# A unique prefix is the option (getopt_long); POSIXLY_CORRECT changes
# nothing: options still follow the positionals.
expect_exit 0 "--verb (a prefix of --verbose)" p11c -d "$DB" --verb list-certs
expect_exit 0 "POSIXLY_CORRECT: -d after the alias" env POSIXLY_CORRECT=1 "$P11CERT" show-cert qv -d "$DB"
check "it shows qv" grep -q 'qv.example' "$T/out"

finish
