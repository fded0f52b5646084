#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# check's ACME findings: an ACME-managed certificate that is due and not
# renewed (acme-due, a warning, for notAfter within --days or a renewal
# window that opened), one whose last renewal failed or that is gone
# (acme-failed, a problem), none for a revoked one or one not due.  The
# record is written here as acme-issue and acme-renew leave it; the
# certificates' dates are openssl's view of them.
. "$(dirname "$0")/lib.sh"
need certutil openssl python3
new_db
p11c -q -d "$DB" add-selfsign-cert --key-type ec:p256 --days 365 --name far.example.com far
p11c -q -d "$DB" add-selfsign-cert --key-type ec:p256 --days 5 --name soon.example.com soon
p11c -q -d "$DB" add-selfsign-cert --key-type ec:p256 --days 365 --name ari.example.com ari
p11c -q -d "$DB" add-selfsign-cert --key-type ec:p256 --days 365 --name bad.example.com bad
p11c -q -d "$DB" add-selfsign-cert --key-type ec:p256 --days 5 --name rev.example.com rev
p11c -q -d "$DB" check >"$T/out"
check "before any ACME record: no acme finding ($(cat "$T/out"))" fails grep -q acme "$T/out"
now=$(date +%s)
python3 - "$DB/p11cert-acme.json" "$now" <<'PY'
import json, sys
now = int(sys.argv[2])
def entry(name, **kw):
    e = {"names": [name], "key_type": "ec:p256", "token": "internal", "method": "http01-port"}
    e.update(kw)
    return e
json.dump({"server": "https://acme.test/dir",
           "certs": {"far": entry("far.example.com"),
                     "soon": entry("soon.example.com"),
                     "ari": entry("ari.example.com", renew_at=now - 3600),
                     "bad": entry("bad.example.com", failure="ACME server refused it", failure_time=now - 60),
                     "rev": entry("rev.example.com", revoked=True),
                     "gone": entry("gone.example.com")}}, open(sys.argv[1], "w"), indent=2)
PY
chmod 644 "$DB/p11cert-acme.json"
p11c -q -d "$DB" check >"$T/out"
rc=$?
check "a failed renewal is a problem: exit 2 (got $rc)" test "$rc" = 2
soon_end=$(certutil -d "sql:$DB" -L -n soon -a | openssl x509 -noout -enddate | sed 's/notAfter=//')
soon_day=$(date -u -d "$soon_end" +%Y/%m/%d)
check "soon: acme-due, expiring on openssl's notAfter ($soon_day): $(cat "$T/out")" \
	grep -qE "^WARNING +acme-due +ACME-managed certificate 'soon' is due for renewal: it expires on $soon_day" "$T/out"
check "ari: acme-due from the server's window" \
	grep -qE "^WARNING +acme-due +ACME-managed certificate 'ari' is due for renewal since .*renewal window" "$T/out"
check "bad: acme-failed with the failure's line" \
	grep -qE "^PROBLEM +acme-failed +the ACME renewal of 'bad' failed on .*: ACME server refused it" "$T/out"
check "gone: acme-failed, not in the database (certutil agrees)" \
	eval "grep -qE \"^PROBLEM +acme-failed +ACME-managed certificate 'gone' is not in the database\" '$T/out' && ! certutil -d 'sql:$DB' -L -n gone >/dev/null 2>&1"
check "far (not due) has no acme finding" fails grep -q "acme.*'far'" "$T/out"
check "rev (revoked) has no acme finding" fails grep -q "acme.*'rev'" "$T/out"
p11c -q -d "$DB" check --json >"$T/json"
check "--json: the codes acme-due and acme-failed" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c=sorted({f["code"] for f in d["findings"] if f["code"].startswith("acme")}); assert c==["acme-due","acme-failed"], c' "$T/json"
echo '{ not json' >"$DB/p11cert-acme.json"
p11c -q -d "$DB" check >"$T/out"
check "an unreadable record is one acme-failed problem: $(grep acme "$T/out")" \
	test "$(grep -c '^PROBLEM *acme-failed *.*p11cert-acme.json' "$T/out")" = 1
finish
