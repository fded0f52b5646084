#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Keyed certificates read from one pass over the internal token's private
# keys (certscan.c): list-certs --json's key fields and check's findings
# for a database of 20 certificates with their keys, a key whose label is
# not its certificate's alias, a non-extractable key and two keys whose
# requests wait for their replies, each held against certutil -K.
. "$(dirname "$0")/lib.sh"
need certutil openssl python3
: "${UNEXTRACT:?UNEXTRACT must name tests/shim/unextract}"

new_db
for i in $(seq -w 1 20); do
	p11c -q -d "$DB" add-selfsign-cert --key-type ec:p256 -S "CN=h$i.example.com" "h$i" ||
		{ echo "cannot make h$i" >&2; exit 1; }
done
p11c -q -d "$DB" request-cert --key-type ec:p256 -S CN=waiting.example.com --alias waiting \
	-o "$T/w.csr" &&
	p11c -q -d "$DB" request-cert --key-type ec:p256 -S CN=later.example.com --alias later \
		-o "$T/l.csr" || exit 1
make_ca outca "/CN=Outside CA"
p11c -q -d "$DB" add-cert -C outca "$T/outca.pem" || exit 1
# the certificate renamed by certutil: its key keeps the label h05
certutil -d "sql:$DB" --rename -n h05 --new-n renamed05 || exit 1
(umask 077 && db_password >"$T/pw")
"$UNEXTRACT" "$DB" "$T/pw" h07 || exit 1

# certutil -K's "ID NAME" lines, and each key's certificate by its ID
certutil -d "sql:$DB" -K -f "$T/pw" 2>/dev/null | sed -n 's/^<[ 0-9]*> [a-z]* *\([0-9a-f]*\) *\(.*\)$/\1 \2/p' |
	sort >"$T/certutil-keys"
check "certutil -K lists 22 keys" test "$(wc -l <"$T/certutil-keys")" = 22

p11c -d "$DB" list-certs --all --json >"$T/list.json" 2>"$T/err"
check "list-certs --all --json succeeds" test ! -s "$T/err"
# "ID LABEL extractable" of each keyed certificate, from its key_uri
python3 - "$T/list.json" >"$T/p11cert-keys" <<'PY'
import json, sys, urllib.parse
for c in json.load(open(sys.argv[1])):
    if not c["has_key"]:
        assert c["key_token"] is None and c["key_uri"] is None, c
        continue
    assert c["key_token"] == "internal", c
    attrs = dict(kv.split("=", 1) for kv in c["key_uri"][len("pkcs11:"):].split(";"))
    assert attrs["type"] == "private" and attrs["token"] == "NSS%20Certificate%20DB", attrs
    key_id = urllib.parse.unquote_to_bytes(attrs["id"]).hex()
    print(c["alias"], key_id, urllib.parse.unquote(attrs["object"]), c["key_extractable"])
PY
check "20 certificates have keys" test "$(wc -l <"$T/p11cert-keys")" = 20
# every key's ID and label as certutil -K gives them
bad=$(while read -r alias id label ext; do
	grep -qx "$id $label" "$T/certutil-keys" || echo "$alias: $id $label"
done <"$T/p11cert-keys")
check "each key's ID and label are certutil -K's${bad:+ (got: $bad)}" test -z "$bad"
check "renamed05's key is still labelled h05" grep -q '^renamed05 [0-9a-f]* h05 True$' "$T/p11cert-keys"
check "h07's key is not extractable, got '$(grep '^h07 ' "$T/p11cert-keys")'" \
	grep -q '^h07 [0-9a-f]* h07 False$' "$T/p11cert-keys"
check "the other keys are extractable" \
	test "$(grep -c ' True$' "$T/p11cert-keys")" = 19
check "outca has no key" python3 -c '
import json, sys
c = [c for c in json.load(open(sys.argv[1])) if c["alias"] == "outca"][0]
assert not c["has_key"] and c["key_extractable"] is None' "$T/list.json"
# the non-extractable key, as NSS's export sees it: refused
expect_exit 5 "export-cert of h07 with its key is refused" \
	p11c -d "$DB" export-cert --p12-password-file "$T/pw" -o "$T/h07.p12" h07
check "export-cert h07 named CKA_EXTRACTABLE" grep -q 'CKA_EXTRACTABLE' "$T/err"

# show-cert (NSS's own lookup) agrees with the listing
p11c -d "$DB" show-cert renamed05 --json >"$T/show.json"
check "show-cert's key_uri is the listing's" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
c = [c for c in json.load(open(sys.argv[2])) if c["alias"] == "renamed05"][0]
assert s["key_uri"] == c["key_uri"] and s["key_extractable"] == c["key_extractable"], (s, c)
' "$T/show.json" "$T/list.json"

# check: the two waiting keys, by their labels, in certutil -K's order
p11c -d "$DB" check --json >"$T/check.json"
python3 -c '
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    print(f["severity"], f["code"], f["alias"])' "$T/check.json" >"$T/findings"
want=$(awk '$2 == "waiting" || $2 == "later" { print "warning orphan-key " $2 }' "$T/certutil-keys" | sort)
check "check's findings are the two orphan keys, got: $(tr '\n' ';' <"$T/findings")" \
	test "$(sort "$T/findings")" = "$want"
check "no orphan for the renamed certificate's key" fails grep -q 'h05' "$T/findings"
finish
