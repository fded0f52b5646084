#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# contrib/systemd: the units pass systemd-analyze verify (as built, with
# this build's binary in ExecStart), and their ExecStart, run as systemd
# would run it for an instance, exits 0 on a healthy database and non-zero
# (a failed unit) when a certificate is about to expire, naming it; the
# ACME renewal's units verify too.
. "$(dirname "$0")/lib.sh"
need systemd-analyze systemd-escape certutil
: "${P11CERT_UNITDIR:?P11CERT_UNITDIR must name the built units (meson test sets it)}"
U=$T/units
mkdir -p "$U"
for f in "$P11CERT_UNITDIR"/*.service "$TESTDIR"/../../contrib/systemd/*.timer; do
	sed "s#^ExecStart=[^ ]*/p11cert #ExecStart=$P11CERT #" "$f" >"$U/${f##*/}"
done
check "the units name p11cert in ExecStart" \
	test "$(grep -l "^ExecStart=$P11CERT " "$U"/*.service | wc -l)" = 3
inst=$(systemd-escape --path "$DB")
check "systemd-analyze verify p11cert-check.service and .timer" \
	systemd-analyze verify --man=no "$U/p11cert-check.service" "$U/p11cert-check.timer"
check "systemd-analyze verify the template's instance for $DB" \
	systemd-analyze verify --man=no "$U/p11cert-check@$inst.service" "$U/p11cert-check@$inst.timer"
check "systemd-analyze verify p11cert-acme-renew.service and .timer" \
	systemd-analyze verify --man=no "$U/p11cert-acme-renew.service" "$U/p11cert-acme-renew.timer"
check "the renewal waits for the network" grep -qx 'After=network-online.target' "$U/p11cert-acme-renew.service"
check "the renewal runs twice a day, spread" grep -qx 'RandomizedDelaySec=12h' "$U/p11cert-acme-renew.timer"
check "the timer is daily" grep -qx 'OnCalendar=daily' "$U/p11cert-check@.timer"
# What systemd runs for the instance: %f is the unescaped path.
run_unit() {
	local line
	line=$(sed -n 's/^ExecStart=//p' "$U/p11cert-check@.service")
	line=${line//%f/$(systemd-escape --unescape --path "$inst")}
	# shellcheck disable=SC2086 # a unit's command line is words
	${P11CERT_WRAPPER:-} $line >"$T/out" 2>"$T/err"
}
new_db
p11c -q -d "$DB" add-selfsign-cert --key-type ec:p256 --days 365 --name long.example.com long
run_unit
check "a healthy database: exit 0 (the unit succeeds): $(cat "$T/out" "$T/err")" test $? = 0
p11c -q -d "$DB" add-selfsign-cert --key-type ec:p256 --days 5 --name soon.example.com soon
run_unit
rc=$?
check "a certificate expiring in 5 days: exit 1, the unit fails (got $rc)" test "$rc" = 1
check "the finding names it, for the journal: $(cat "$T/out")" grep -q 'soon' "$T/out"
check "certutil agrees it is there" grep -q '^soon ' <(certutil -d "sql:$DB" -L)
finish
