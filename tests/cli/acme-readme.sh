#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# README's "A Let's Encrypt certificate whose key is on the HSM", run as
# written against pebble (readme.sh skips those blocks: they need Let's
# Encrypt): its p11cert commands with Let's Encrypt's directory turned into
# pebble's (and --server-ca, for pebble's TLS certificate, on each command), port 80 into
# pebble's httpPort, /etc/mail/certdb and /root into $T, the token of the
# section before made here.  Each must exit 0; then openssl verify of the
# chain, pkcs11-tool's never-extractable key, and pebble's view of the
# revocation.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/acmelib.sh"
need certutil pkcs11-tool softhsm2-util python3
README=$TESTDIR/../../README.md
start_pebble
P11C_AUTO_MODULE=
make_token mail-hsm 1234
mkdir -p "$T/etc/mail" "$T/root"
DB=$T/etc/mail/certdb
new_db
p11c -q -d "$DB" add-module softhsm "$SOFTHSM_MODULE"
(umask 077; cat "$DB/sslpassword.conf" - >"$T/root/certdb.pw" <<<'mail-hsm:1234')
# The section's command lines (continuations joined), but systemctl's.
python3 - "$README" >"$T/cmds" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
sec = text.split("## A Let's Encrypt certificate whose key is on the HSM", 1)[1].split("\n## ", 1)[0]
lines, cur = [], ""
for line in sec.splitlines():
    if not line.startswith("    "):
        continue
    cur += line[4:].strip() + " "
    if not line.rstrip().endswith("\\"):
        lines.append(cur.replace("\\ ", "").strip())
        cur = ""
for l in lines:
    if l.startswith("p11cert "):
        print(re.sub(r"\s+#.*$", "", l))
PY
check "the section has its five p11cert commands: $(cat "$T/cmds")" test "$(wc -l <"$T/cmds")" = 5
sed -i -e "s#https://acme-v02.api.letsencrypt.org/directory#$PEBBLE_DIR --server-ca $PEBBLE_CA#" \
	-e "s#--http01-port 80#--http01-port $PEBBLE_HTTP_PORT#" \
	-e "s#acme-issue #acme-issue --server-ca $PEBBLE_CA #" \
	-e "s#acme-renew #acme-renew --server-ca $PEBBLE_CA #; s#acme-revoke #acme-revoke --server-ca $PEBBLE_CA #" \
	-e "s#/etc/mail/certdb#$DB#g; s#/root/#$T/root/#g" \
	-e "s#^p11cert #p11c #" "$T/cmds"
n=0
while IFS= read -r cmd; do
	n=$((n + 1))
	eval "$cmd" >"$T/out.$n" 2>"$T/err.$n"
	rc=$?
	check "README command $n exits 0 (got $rc): $cmd: $(cat "$T/err.$n")" test "$rc" = 0
	# after the issue, before renewal and revocation
	if [ "$n" = 3 ]; then
		check "list-certs shows mail-hsm:mail-le, as the README says" grep -q '^mail-hsm:mail-le ' "$T/out.3"
		p11c -q -d "$DB" -W "$T/root/certdb.pw" export-cert --format pem --chain -o "$T/le.pem" mail-hsm:mail-le
		check "openssl verify: the chain against pebble's root" verify_chain "$T/le.pem"
		serial=$(openssl x509 -in "$T/le.pem" -noout -serial | sed 's/serial=//')
		objs=$(token_objects mail-hsm 1234)
		check "pkcs11-tool: two private keys on the token (account, certificate), both never extractable" \
			eval "test \"\$(grep -c 'Private Key Object' <<<\"\$objs\")\" = 2 && test \"\$(grep -c 'never extractable' <<<\"\$objs\")\" = 2"
	fi
done <"$T/cmds"
check "the README's acme-renew found nothing due (pebble's certificates last years): $(cat "$T/out.4")" \
	grep -q '^nothing to do: 1 ACME-managed certificate' "$T/out.4"
check "pebble: the issued certificate is Revoked (got '$(pebble_cert_status "$serial")')" \
	test "$(pebble_cert_status "$serial")" = Revoked
finish
