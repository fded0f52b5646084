#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# acme-renew and acme-revoke against pebble: a renewal keeps the alias and
# the public key with a new serial (openssl x509), --new-key changes the
# key and leaves no old key behind (pkcs11-tool), --due picks only the
# certificates that are due, the post-hook runs once after any renewal and
# its failure is the exit status; a failed renewal is recorded (check's
# acme-failed) and changes nothing; revocation is pebble's view
# (cert-status-by-serial) and the revoked certificate is not renewed.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/acmelib.sh"
need certutil pkcs11-tool softhsm2-util python3
start_pebble
acme_hsm_db
acme() { p11c -d "$DB" -W "$T/pw" "$@" --server-ca "$PEBBLE_CA"; }
acme acme-register --server "$PEBBLE_DIR" --agree-tos -q || { echo "cannot register" >&2; exit 1; }
acme acme-issue web --name web.example.com --http01-port "$PEBBLE_HTTP_PORT" -q &&
	acme --token acme-hsm acme-issue hsm --name hsm.example.com --http01-port "$PEBBLE_HTTP_PORT" -q ||
	{ echo "cannot issue" >&2; exit 1; }

# pem ALIAS: ALIAS's certificate, as export-cert writes it.
pem() { p11c -q -d "$DB" -W "$T/pw" export-cert --format pem -o "$T/cur.pem" "$1" && cat "$T/cur.pem"; }
serial() { pem "$1" | openssl x509 -noout -serial | sed 's/serial=//'; }
pubkey() { pem "$1" | openssl x509 -noout -pubkey; }
count() { certutil -d "sql:$DB" -L | grep -c "^$1 "; }

expect_exit 0 "nothing is due within 30 days (pebble's certificates last years)" \
	acme acme-renew
check "it says so: $(cat "$T/out")" grep -q '^nothing to do: 2 ACME-managed certificates, none due within 30 days' "$T/out"

s0=$(serial web) k0=$(pubkey web)
expect_exit 0 "acme-renew web (named: renewed whether due or not)" acme acme-renew web
check "it says so: $(cat "$T/out")" grep -q "^renewed 'web', valid until " "$T/out"
check "openssl: a new serial ($s0 -> $(serial web))" test "$(serial web)" != "$s0"
check "openssl: the same public key" test "$(pubkey web)" = "$k0"
check "certutil -L: still one web" test "$(count web)" = 1
pem web >"$T/web.pem" && p11c -q -d "$DB" export-cert --format pem --chain -o "$T/web-chain.pem" web
check "openssl verify: the renewed chain" verify_chain "$T/web-chain.pem"

keys0=$(token_objects acme-hsm 4321 | grep -c 'Private Key Object')
s0=$(serial acme-hsm:hsm) k0=$(pubkey acme-hsm:hsm)
expect_exit 0 "acme-renew --new-key acme-hsm:hsm (on SoftHSM)" acme acme-renew --new-key acme-hsm:hsm
check "openssl: a new serial" test "$(serial acme-hsm:hsm)" != "$s0"
check "openssl: a new public key" test "$(pubkey acme-hsm:hsm)" != "$k0"
check "pkcs11-tool: as many private keys as before (the old one removed)" \
	test "$(token_objects acme-hsm 4321 | grep -c 'Private Key Object')" = "$keys0"
check "pkcs11-tool: the new key is never extractable" \
	eval "token_objects acme-hsm 4321 | grep -A12 'Private Key Object' | grep -q 'never extractable'"

# --due: a certificate of 5 days, recorded as ACME-managed (as acme-issue
# records one), is due; the others (years) are not.
p11c -q -d "$DB" add-selfsign-cert --key-type ec:p256 --days 5 --name soon.example.com soon
python3 - "$DB/p11cert-acme.json" "$PEBBLE_HTTP_PORT" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
e = dict(d["certs"]["web"])
e.update(names=["soon.example.com"], http01_port=int(sys.argv[2]))
d["certs"]["soon"] = e
json.dump(d, open(p, "w"), indent=2)
PY
sw=$(serial web) sh=$(serial acme-hsm:hsm) ss=$(serial soon) ks=$(pubkey soon)
expect_exit 0 "acme-renew --due 30 --json" acme acme-renew --due 30 --json
check "--json: soon renewed, web and hsm skipped as not due: $(tr -d ' \n' <"$T/out")" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [r["alias"] for r in d["renewed"]]==["soon"] and sorted(r["alias"] for r in d["skipped"])==["acme-hsm:hsm","web"] and all(r["reason"]=="not due" for r in d["skipped"]) and d["failed"]==[], d' "$T/out"
check "openssl: soon has a new serial and its old key" \
	eval 'test "$(serial soon)" != "$ss" && test "$(pubkey soon)" = "$ks"'
check "openssl: soon now lasts years (pebble's), not 5 days" \
	eval "pem soon | openssl x509 -noout -checkend $((60 * 86400)) >/dev/null"
check "openssl: web and hsm untouched" \
	eval 'test "$(serial web)" = "$sw" && test "$(serial acme-hsm:hsm)" = "$sh"'

# The server's renewal window (ARI's renew_at in the record, as the library
# keeps it when the server offers ARI; pebble 2.4 does not): web's opened
# an hour ago, so --due 0 renews web alone.
python3 - "$DB/p11cert-acme.json" <<'PY'
import json, sys, time
p = sys.argv[1]
d = json.load(open(p))
d["certs"]["web"]["renew_at"] = int(time.time()) - 3600
json.dump(d, open(p, "w"), indent=2)
PY
sw=$(serial web)
expect_exit 0 "acme-renew --due 0 (only the renewal windows)" acme acme-renew --due 0 --json
check "--json: web renewed, its window open; the others not due, their notAfter known (the token's after its login): $(tr -d ' \n' <"$T/out")" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [r["alias"] for r in d["renewed"]]==["web"] and len(d["skipped"])==2 and all(r["not_after"] for r in d["skipped"]), d' "$T/out"
check "openssl: web has a new serial" test "$(serial web)" != "$sw"

sh=$(serial acme-hsm:hsm)
expect_exit 0 "acme-renew --due 3000: pebble's 5-year certificates are all due" acme acme-renew --due 3000 --json
check "--json: the token's certificate is among them: $(tr -d ' \n' <"$T/out")" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert sorted(r["alias"] for r in d["renewed"])==["acme-hsm:hsm","soon","web"], d' "$T/out"
check "openssl: acme-hsm:hsm has a new serial" test "$(serial acme-hsm:hsm)" != "$sh"

# The post-hook: once after any renewal; its failure is the exit status.
expect_exit 0 "--post-hook after two renewals" \
	acme acme-renew web soon --post-hook "echo ran >>'$T/hook.log'"
check "the hook ran once: $(cat "$T/hook.log")" test "$(wc -l <"$T/hook.log")" = 1
expect_exit 0 "--post-hook when nothing is due" acme acme-renew --post-hook "echo ran >>'$T/hook.log'"
check "the hook did not run" test "$(wc -l <"$T/hook.log")" = 1
expect_exit 1 "a failing post-hook: exit 1, one line" acme acme-renew web --post-hook 'exit 3'
check "it names the hook and its status: $(cat "$T/err")" grep -q "post-hook 'exit 3' exited 3" "$T/err"

# A failed renewal: the server gone.  Recorded, nothing changed.
expect_exit 3 "a name not ACME-managed: exit 3, one line" acme acme-renew nosuch
before=$(snapshot)
sw=$(serial web)
stop_pebble
SERVER_PIDS=()
expect_exit 1 "the server gone: one line, non-zero" acme acme-renew web --timeout 5
same_as "$before" "certutil -L/-K unchanged after the failed renewal"
check "web's serial unchanged" test "$(serial web)" = "$sw"
p11c -q -d "$DB" -W "$T/pw" check >"$T/check"
check "check names the failed renewal: $(grep acme-failed "$T/check")" \
	grep -qE "^PROBLEM +acme-failed +the ACME renewal of 'web' failed" "$T/check"

# Revocation, on a new pebble (the old one's account is gone with it).
start_pebble
rm "$DB/p11cert-acme.json"
acme acme-register --server "$PEBBLE_DIR" --agree-tos -q
acme acme-issue rev --name rev.example.com --http01-port "$PEBBLE_HTTP_PORT" -q
sr=$(serial rev)
check "pebble: rev is Valid before" test "$(pebble_cert_status "$sr")" = Valid
expect_exit 2 "an unknown reason is a usage error" acme acme-revoke rev --reason because
expect_exit 0 "acme-revoke rev --reason key-compromise" acme acme-revoke rev --reason key-compromise
check "pebble: rev is Revoked (got '$(pebble_cert_status "$sr")')" test "$(pebble_cert_status "$sr")" = Revoked
check "certutil -L: rev stays in the database" test "$(count rev)" = 1
expect_exit 0 "acme-renew skips the revoked certificate" acme acme-renew --due 36500 --json
check "--json: rev skipped as revoked" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [(r["alias"],r["reason"]) for r in d["skipped"]]==[("rev","revoked")], d' "$T/out"
p11c -q -d "$DB" -W "$T/pw" check >"$T/check"
check "check: no acme finding with the new record" \
	fails grep -q "acme-failed" "$T/check"
finish
