#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# add-cert: a CA's reply with its chain, trusted CAs, peers, trust words,
# DER; checked with certutil -L and certutil -V.
. "$(dirname "$0")/lib.sh"
need certutil openssl
new_db

make_ca root "/CN=Example Root CA/O=Example"
make_ca inter "/CN=Example Intermediate CA/O=Example" root

# A key made by p11cert, its certificate issued by an outside CA.
p11c -q -d "$DB" add-selfsign-cert --name mail.example.com server
issue_for_key server "/CN=mail.example.com" inter "$T/leaf.pem"
p11c -q -d "$DB" remove-cert --keep-key server
cat "$T/leaf.pem" "$T/inter.pem" "$T/root.pem" >"$T/chain.pem"

# report_matches WHAT: each line of add-cert's report ($T/err) names a
# certificate as certutil -L lists it, with the trust certutil shows
# ("untrusted": none; "trusted as ... (NSS)": that NSS trust).
report_matches() {
	local line name said bad=
	while IFS= read -r line; do
		name=$(sed -n "s/^[^']*'\([^']*\)'.*/\1/p" <<<"$line")
		said=$(sed -n 's/.*trusted as [^(]*(\([^)]*\)).*/\1/p' <<<"$line")
		case $line in *", untrusted"*) said=",," ;; esac
		if [ -z "$name" ] || [ -z "$(certutil -d "sql:$DB" -L -n "$name" 2>/dev/null | head -1)" ]; then
			bad="$bad [$line: no certificate '$name' in certutil -L]"
		elif [ -n "$said" ] && [ "$(trust_of "$name")" != "$said" ]; then
			bad="$bad [$line: certutil -L trust is '$(trust_of "$name")']"
		fi
	done <"$T/err"
	if [ -z "$bad" ]; then ok "$1"; else not_ok "$1:$bad"; fi
}

expect_exit 0 "add-cert installs the CA's reply and its chain" p11c -d "$DB" add-cert mail "$T/chain.pem"
cp "$T/err" "$T/report"
check "it reports the alias, then each CA stored, one line each: $(tr '\n' '|' <"$T/report")" \
	test "$(sed 's/,.*//' "$T/report" | tr '\n' '|')" = \
	"added 'mail'|added CA 'Example Intermediate CA'|added CA 'Example Root CA'|"
check "it says the CAs are untrusted and how to trust one" \
	grep -qx "added CA 'Example Root CA', untrusted (to trust it: add-cert -C 'Example Root CA' FILE, FILE holding it alone)" "$T/report"
report_matches "the report's names and trust are certutil -L's"
check "the reply is stored as the alias, with its key (u,u,u)" test "$(trust_of mail)" = "u,u,u"
check "the intermediate is stored under its CN, untrusted" \
	test "$(trust_of 'Example Intermediate CA')" = ",,"
check "the root is stored under its CN, untrusted" test "$(trust_of 'Example Root CA')" = ",,"
check "p11cert lists mail with its key" grep -q '^mail ' <(p11c -d "$DB" list-certs)
check "certutil -V fails while the root is untrusted" \
	fails certutil -d "sql:$DB" -V -n mail -u V
expect_exit 0 "add-cert -C trusts the root already present" p11c -d "$DB" add-cert -C root "$T/root.pem"
check "the root is now CT,," test "$(trust_of 'Example Root CA')" = "CT,,"
check "it says the root keeps its alias" grep -q "already stored as 'Example Root CA'" "$T/err"
check "and its trust now: $(tr '\n' '|' <"$T/err")" grep -q "trusted as server-ca,client-ca (CT,,)$" "$T/err"
report_matches "that report is certutil -L's too"
check "no second entry is made for it" test -z "$(trust_of root)"
check "certutil -V verifies the chain for a TLS server" \
	certutil -d "sql:$DB" -V -n mail -u V
certutil -d "sql:$DB" -L -n mail -a >"$T/mail-out.pem"
check "openssl verifies the stored chain" \
	openssl verify -CAfile "$T/root.pem" -untrusted "$T/inter.pem" "$T/mail-out.pem"
expect_exit 0 "adding the same certificate again is harmless" p11c -d "$DB" add-cert mail "$T/leaf.pem"
check "it says mail was already present: $(cat "$T/err")" grep -qx "'mail' was already present" "$T/err"
cat "$T/leaf.pem" "$T/inter.pem" "$T/inter.pem" "$T/root.pem" >"$T/again.pem"
expect_exit 0 "the chain again, the intermediate twice" p11c -d "$DB" add-cert mail "$T/again.pem"
check "each certificate is told once, as already present: $(tr '\n' '|' <"$T/err")" \
	test "$(sed 's/,.*//' "$T/err" | tr '\n' '|')" = \
	"'mail' was already present|CA 'Example Intermediate CA' was already present|CA 'Example Root CA' was already present|"
report_matches "the already-present lines are certutil -L's"
expect_exit 0 "-q: the chain again" p11c -q -d "$DB" add-cert mail "$T/chain.pem"
check "-q says nothing" test ! -s "$T/err"
check "still one certificate for mail" test "$(certutil -d "sql:$DB" -L | grep -c '^mail ')" = 1

# A CA chain with no key: -C trusts the alias and the rest.
make_ca other "/CN=Other Root/O=Other"
make_ca othersub "/CN=Other Sub CA/O=Other" other
cat "$T/othersub.pem" "$T/other.pem" >"$T/otherchain.pem"
expect_exit 0 "add-cert -C a CA chain" p11c -d "$DB" add-cert -C othersub "$T/otherchain.pem"
check "-C: the alias is CT,," test "$(trust_of othersub)" = "CT,,"
check "-C: the rest of the chain is CT,," test "$(trust_of 'Other Root')" = "CT,,"
check "-C: the report says so: $(tr '\n' '|' <"$T/err")" test "$(cat "$T/err")" = "added 'othersub', trusted as server-ca,client-ca (CT,,)
added CA 'Other Root', trusted as server-ca,client-ca (CT,,)"
report_matches "-C: the report is certutil -L's"

# Peers and explicit trust, PEM and DER.
n=0
for spec in "peer:P,," "server-ca:C,," "client-ca:T,," "server-ca,client-ca:CT,," \
	"email-ca:,C," "code-ca:,,C" "C,C,C:C,C,C"; do
	words=${spec%:*}
	want=${spec##*:}
	[ "$spec" = "C,C,C:C,C,C" ] && words="C,C,C"
	n=$((n + 1))
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/p$n.key" \
		-subj "/CN=peer$n.example.net" -days 30 -outform DER -out "$T/p$n.der" 2>/dev/null
	expect_exit 0 "--trust $words (DER)" p11c -d "$DB" add-cert --trust "$words" "p$n" "$T/p$n.der"
	check "--trust $words is NSS $want" test "$(trust_of "p$n")" = "$want"
done

# Refusals leave the database unchanged.
before=$(snapshot)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/x.key" \
	-subj "/CN=stranger.example.net" -days 30 -out "$T/stranger.pem" 2>/dev/null
expect_exit 1 "a certificate matching no key, without -C or --trust, is refused" \
	p11c -d "$DB" add-cert stranger "$T/stranger.pem"
check "the refusal says to use -C or --trust" grep -q -- '--trust' "$T/err"
expect_exit 1 "an alias in use by another certificate is refused" \
	p11c -d "$DB" add-cert -C mail "$T/stranger.pem"
expect_exit 2 "a bad --trust is a usage error" p11c -d "$DB" add-cert --trust bogus s "$T/stranger.pem"
expect_exit 2 "a missing FILE is a usage error" p11c -d "$DB" add-cert s
expect_exit 2 "an alias with ':' is refused" p11c -d "$DB" add-cert -C a:b "$T/stranger.pem"
expect_exit 2 "-C with --trust peer is a usage error" p11c -d "$DB" add-cert -C --trust peer s "$T/stranger.pem"
check "it says to give one: $(cat "$T/err")" grep -q -- "-C and --trust both set the trust: give one" "$T/err"
expect_exit 2 "the same with --bundle" p11c -d "$DB" add-cert -C --trust server-ca --bundle "$T/stranger.pem"
same_as "$before" "refusals left the database unchanged"

finish
