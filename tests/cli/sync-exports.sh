#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# sync-exports: export-cert and export-trust record what they wrote; a
# private Postfix (smtpd_tls_chain_files, smtp_tls_CAfile) and Dovecot
# (ssl_cert, ssl_key, and ssl_ca for client certificates) serve p11cert's exports on
# loopback, and Dovecot as a client (imapc) verifies a server with
# ssl_client_ca_file = export-trust's file; after a renewal
# check says stale-export, sync-exports rewrites the files (mode and owner
# kept) and its post-hook reloads both, and the next STARTTLS connection
# sees the new certificate.  A trust change rewrites export-trust's files
# (a client CA trusted: Dovecot's next login with its certificate passes), a
# deleted file comes back, a hostile record is refused whole.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"
need certutil openssl python3
PFMASTER=/usr/lib/postfix/sbin/master
[ -x "$PFMASTER" ] && command -v postfix >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
[ -x "$PFMASTER" ] && command -v postfix >/dev/null 2>&1 || peer_missing postfix
# A private Postfix needs root (its master starts as root, then the
# package's postfix user); Debian's package made that user.
if [ "$(id -u)" != 0 ] || ! id postfix >/dev/null 2>&1; then
	peer_missing "postfix (needs root and the postfix user)"
fi
new_db
O=$T/exports
# The atomic writer's temporaries beside the files (FILE.XXXXXX), and
# any FILE.sync.XXXXXX of old.
temporaries() { ls -A "$1" | grep -E '\.(sync\.)?[A-Za-z0-9]{6}$'; }
mkdir -p "$O"
chmod 711 "$T" # Postfix's daemons (user postfix) reach their queue under $T

fp() { openssl x509 -noout -fingerprint -sha256 -in "$1" | sed 's/.*=//'; }
served() { # PROTO PORT: the fingerprint of the certificate served after STARTTLS
	openssl s_client -starttls "$1" -connect "127.0.0.1:$2" </dev/null 2>/dev/null |
		openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//'
}
expect_eq() { # WHAT GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', wanted '$3'"; fi
}
subjects() { # FILE: the subjects of a PEM bundle, one a line
	openssl crl2pkcs7 -nocrl -certfile "$1" | openssl pkcs7 -print_certs -noout |
		sed -n 's/^subject=//p' | sort | tr '\n' '|'
}

expect_exit 2 "an unknown option" p11c -d "$DB" sync-exports --bogus
expect_exit 2 "an argument" p11c -d "$DB" sync-exports extra
expect_exit 2 "--post-hook without its command" p11c -d "$DB" sync-exports --post-hook

# Nothing recorded.
expect_exit 0 "sync-exports with nothing recorded" p11c -d "$DB" sync-exports
expect_eq "it says so" "$(cat "$T/out")" "nothing to do: no export is recorded"
check "no record file is made" test ! -e "$DB/p11cert-exports"

p11c -q -d "$DB" add-selfsign-cert --name mail.example.com mail
make_ca root1 "/CN=Root One"
p11c -q -d "$DB" add-cert -C root1 "$T/root1.pem"
expect_exit 0 "export-cert --format pem --chain --key-out" \
	p11c -d "$DB" export-cert --format pem --chain --key-out "$O/mail.key" -o "$O/mail.pem" mail
expect_exit 0 "export-trust -o" p11c -d "$DB" export-trust -o "$O/ca.pem"
(umask 077 && echo "p12 secret words" >"$T/p12.pw")
expect_exit 0 "export-cert PKCS#12 with --p12-password-file" \
	p11c -d "$DB" export-cert --p12-password-file "$T/p12.pw" -o "$O/mail.p12" mail
expect_exit 0 "export-cert to standard output (not recorded)" \
	p11c -d "$DB" export-cert --format pem mail
R=$DB/p11cert-exports
expect_eq "the record is mode 0600" "$(stat -c %a "$R")" 600
expect_eq "four files recorded (cert, key, trust, PKCS#12)" "$(grep -c '^kind=' "$R")" 4
check "the record holds no password" fails grep -q -e "p12 secret" -e "$(db_password)" "$R"
check "the PKCS#12 record names its password file" grep -q "p12-password-file=$T/p12.pw" "$R"

# The same database, the same bytes: what the digest stands on.
p11c -q -d "$DB" export-cert --format pem --chain --key-out "$T/again.key" -o "$T/again.pem" mail
p11c -q -d "$DB" export-trust -o "$T/again-ca.pem"
check "PEM certificates byte-identical run to run" cmp -s "$O/mail.pem" "$T/again.pem"
check "the PEM key byte-identical run to run" cmp -s "$O/mail.key" "$T/again.key"
check "export-trust byte-identical run to run" cmp -s "$O/ca.pem" "$T/again-ca.pem"
rm -f "$T"/again*
sed -i "\\|$T/again|d" "$R"

expect_exit 0 "sync-exports when all is current" p11c -d "$DB" sync-exports
expect_eq "nothing to do" "$(cat "$T/out")" "nothing to do: 4 recorded exports are current"
expect_exit 0 "check: all current" p11c -d "$DB" check
check "no stale-export" fails grep -q stale-export "$T/out"

# A private Postfix on loopback, serving the exports.
PF=$T/postfix
SMTP=$(free_port)
mkdir -p "$PF/queue" "$PF/data"
chown postfix: "$PF/data"
cat >"$PF/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mail.example.com
mydestination =
alias_maps =
alias_database =
syslog_name = p11cert-test-postfix
maillog_file_prefixes = $PF
maillog_file = $PF/maillog
smtpd_tls_security_level = may
smtpd_tls_chain_files = $O/mail.key, $O/mail.pem
smtp_tls_CAfile = $O/ca.pem
CONF
cat >"$PF/master.cf" <<CONF
127.0.0.1:$SMTP inet n - n - - smtpd
cleanup unix n - n - 0 cleanup
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
proxymap unix - - n - - proxymap
postlog unix-dgram n - n - 1 postlogd
CONF
postfix -c "$PF" check >/dev/null 2>&1 # makes the queue's directories
spawn postfix 127.0.0.1 "$SMTP" "$PF/master.log" "$PFMASTER" -c "$PF" -d
check "postfix -c serves our config" postconf -c "$PF" -h smtpd_tls_chain_files
IMAP=$(free_port) POP3=$(free_port)
start_dovecot 127.0.0.1 "$IMAP" "$POP3" "$O/mail.pem" "$O/mail.key"
DC=$T/dovecot-$IMAP/dovecot.conf

old=$(fp "$O/mail.pem")
expect_eq "Postfix serves the exported certificate" "$(served smtp "$SMTP")" "$old"
expect_eq "Dovecot serves the exported certificate" "$(served imap "$IMAP")" "$old"

# A renewal: the exports go stale.
chgrp postfix "$O/mail.pem" && chmod 640 "$O/mail.pem"
p11c -q -d "$DB" renew-selfsign-cert mail
new=$(certutil -d "sql:$DB" -L -n mail -a | openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//')
check "the renewal made a new certificate" test "$new" != "$old"
p11c -d "$DB" check --json >"$T/out" 2>"$T/err"
expect_eq "check after the renewal: exit 1 (a warning)" "$?" 1
check "check reports stale-export for the certificate file" \
	python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["findings"]
sys.exit(not any(x["code"]=="stale-export" and x["severity"]=="warning" and x["alias"]==sys.argv[2] for x in f))' "$T/out" "$O/mail.pem"
check "and for the PKCS#12 file" grep -q "\"$O/mail.p12\"" "$T/out"
check "not for the trust file" fails grep -q "\"$O/ca.pem\"" "$T/out"
cp "$O/mail.pem" "$T/before.pem"
expect_exit 0 "sync-exports --dry-run" p11c -d "$DB" sync-exports --dry-run
check "it says what it would rewrite" grep -q "^would rewrite '$O/mail.pem'" "$T/out"
check "and writes nothing" cmp -s "$O/mail.pem" "$T/before.pem"
check "not even a temporary (the key is judged in memory)" test -z "$(temporaries "$O")"

hook="postfix -c '$PF' reload >/dev/null 2>&1 && doveadm -c '$DC' reload && echo ran >>'$T/hook.log'"
expect_exit 0 "sync-exports --post-hook" p11c -d "$DB" sync-exports --post-hook "$hook"
check "it names the certificate file it rewrote" grep -q "^rewrote '$O/mail.pem' " "$T/out"
check "and the PKCS#12 file" grep -q "^rewrote '$O/mail.p12' " "$T/out"
check "not the trust file" fails grep -q "'$O/ca.pem'" "$T/out"
check "it reports the hook's exit" grep -q "^ran post-hook .*: exit 0" "$T/out"
expect_eq "the hook ran once" "$(wc -l <"$T/hook.log")" 1
expect_eq "the file holds the new certificate" "$(fp "$O/mail.pem")" "$new"
expect_eq "its mode kept" "$(stat -c %a "$O/mail.pem")" 640
expect_eq "its group kept" "$(stat -c %G "$O/mail.pem")" postfix
check "no temporary left (FILE.XXXXXX)" test -z "$(temporaries "$O")"
openssl pkcs12 -in "$O/mail.p12" -passin "file:$T/p12.pw" -nokeys -clcerts 2>/dev/null |
	openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//' >"$T/p12fp"
expect_eq "the PKCS#12 file holds the new certificate (openssl pkcs12)" "$(cat "$T/p12fp")" "$new"
sleep 1
expect_eq "Postfix's next connection sees the new certificate" "$(served smtp "$SMTP")" "$new"
expect_eq "Dovecot's next connection sees the new certificate" "$(served imap "$IMAP")" "$new"
expect_exit 0 "sync-exports again" p11c -d "$DB" sync-exports --post-hook "$hook"
expect_eq "nothing to do" "$(cat "$T/out")" "nothing to do: 4 recorded exports are current"
expect_eq "and the hook did not run" "$(wc -l <"$T/hook.log")" 1
expect_exit 0 "check after sync-exports" p11c -d "$DB" check
check "no stale-export" fails grep -q stale-export "$T/out"

# A trust change: export-trust's file (Postfix's smtp_tls_CAfile).
make_ca root2 "/CN=Root Two"
p11c -q -d "$DB" add-cert -C root2 "$T/root2.pem"
expect_exit 0 "sync-exports after add-cert -C" p11c -d "$DB" sync-exports --post-hook "$hook"
check "it rewrote the trust file" grep -q "^rewrote '$O/ca.pem' " "$T/out"
expect_eq "the trust file holds both roots" "$(subjects "$O/ca.pem")" "CN = Root One|CN = Root Two|"
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$T/leaf.ext"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/relay.key" \
	-subj /CN=relay.example.com -out "$T/relay.csr" 2>/dev/null
openssl x509 -req -in "$T/relay.csr" -CA "$T/root2.pem" -CAkey "$T/root2.key" -CAcreateserial \
	-days 30 -extfile "$T/leaf.ext" -out "$T/relay.pem" 2>/dev/null
check "openssl verify: a relay under the new root, with the rewritten CA file" \
	openssl verify -CAfile "$O/ca.pem" "$T/relay.pem"
expect_eq "the hook ran again" "$(wc -l <"$T/hook.log")" 2

# Dovecot verifying client certificates with export-trust --usage client
# (ssl_ca): a client CA trusted later is seen by the next login.
expect_exit 0 "export-trust --usage client -o" \
	p11c -d "$DB" export-trust --usage client -o "$O/client-ca.pem"
make_ca clientca "/CN=Client CA"
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >"$T/client.ext"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/client.key" \
	-subj /CN=client.example.com -out "$T/client.csr" 2>/dev/null
openssl x509 -req -in "$T/client.csr" -CA "$T/clientca.pem" -CAkey "$T/clientca.key" \
	-CAcreateserial -days 30 -extfile "$T/client.ext" -out "$T/client.pem" 2>/dev/null
IMAP2=$(free_port) POP32=$(free_port)
DOVECOT_EXTRA="ssl_ca = <$O/client-ca.pem
ssl_verify_client_cert = yes
ssl_require_crl = no
auth_ssl_require_client_cert = yes" start_dovecot 127.0.0.1 "$IMAP2" "$POP32" "$O/mail.pem" "$O/mail.key"
DC2=$T/dovecot-$IMAP2/dovecot.conf
login_with_cert() { # the tagged answer to LOGIN after STARTTLS with the client certificate
	{ sleep 1; printf 'a LOGIN user test\r\n'; sleep 1; printf 'b LOGOUT\r\n'; sleep 0.5; } |
		openssl s_client -quiet -starttls imap -connect "127.0.0.1:$IMAP2" \
			-cert "$T/client.pem" -key "$T/client.key" 2>/dev/null | tr -d '\r' | grep '^a ' | cut -d' ' -f2
}
expect_eq "Dovecot refuses the client certificate its CA file does not hold" "$(login_with_cert)" NO
p11c -q -d "$DB" add-cert --trust client-ca clientca "$T/clientca.pem"
expect_exit 0 "sync-exports after trusting a client CA" \
	p11c -d "$DB" sync-exports --post-hook "doveadm -c '$DC2' reload"
check "it rewrote the client CA file" grep -q "^rewrote '$O/client-ca.pem' " "$T/out"
check "not the server trust file (a client CA only)" fails grep -q "'$O/ca.pem'" "$T/out"
check "the client CA file holds the client CA" grep -q "CN = Client CA" <(subjects "$O/client-ca.pem" | tr '|' '\n')
sleep 1
expect_eq "Dovecot's next login with the client certificate passes" "$(login_with_cert)" OK

# Dovecot as a TLS client (imapc, the outgoing side ssl_client_ca_file is
# for) verifying an IMAP server with export-trust's file: the server's
# certificate, p11cert's key under a CA outside the database, is refused
# while that CA is stored untrusted (add-cert of the chain), and accepted
# once it is trusted and sync-exports has rewritten the file.
make_ca siteca "/CN=Site CA"
p11c -q -d "$DB" request-cert --name localhost --key-type ec:p256 --alias imapsrv -F ascii \
	-o "$T/imapsrv.csr"
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' \
	>"$T/imapsrv.ext"
openssl x509 -req -in "$T/imapsrv.csr" -CA "$T/siteca.pem" -CAkey "$T/siteca.key" -CAcreateserial \
	-days 30 -extfile "$T/imapsrv.ext" -out "$T/imapsrv.pem" 2>/dev/null
cat "$T/imapsrv.pem" "$T/siteca.pem" >"$T/imapsrv-chain.pem"
expect_exit 0 "add-cert of the IMAP server's reply with its CA" \
	p11c -d "$DB" add-cert imapsrv "$T/imapsrv-chain.pem"
check "it says the CA was stored untrusted: $(tr '\n' '|' <"$T/err")" \
	grep -q "^added CA 'Site CA', untrusted" "$T/err"
p11c -q -d "$DB" export-cert --format pem --chain --key-out "$O/imapsrv.key" -o "$O/imapsrv.pem" imapsrv
IMAP3=$(free_port) POP33=$(free_port)
DOVECOT_UID=$(id -u nobody) DOVECOT_GID=$(id -g nobody) \
	start_dovecot 127.0.0.1 "$IMAP3" "$POP33" "$O/imapsrv.pem" "$O/imapsrv.key"
chown nobody "$T/dovecot-$IMAP3/home"
imapc_list() { # doveadm over imapc (STARTTLS, verified with ssl_client_ca_file): its mailboxes
	doveadm -c "$T/dovecot-$IMAP3/dovecot.conf" -o mail_location=imapc: \
		-o imapc_host=127.0.0.1 -o "imapc_port=$IMAP3" -o imapc_ssl=starttls \
		-o imapc_ssl_verify=yes -o "ssl_client_ca_file=$O/ca.pem" -o imapc_user=user \
		-o imapc_password=test -o imapc_connection_retry_count=0 mailbox list -u user \
		>"$T/imapc.out" 2>&1
}
check "the trust file does not hold the Site CA" fails grep -q "Site CA" <(subjects "$O/ca.pem")
check "doveadm (imapc) refuses the server while its CA is not in ssl_client_ca_file" fails imapc_list
check "  for the server's certificate: $(tr '\n' '|' <"$T/imapc.out" | head -c 400)" \
	grep -q "Received invalid SSL certificate" "$T/imapc.out"
p11c -q -d "$DB" show-cert --pem "Site CA" >"$T/siteca-out.pem"
expect_exit 0 "add-cert -C trusts the CA add-cert stored" p11c -d "$DB" add-cert -C "Site CA" "$T/siteca-out.pem"
expect_exit 0 "sync-exports after trusting it" p11c -d "$DB" sync-exports
check "it rewrote the trust file" grep -q "^rewrote '$O/ca.pem' " "$T/out"
imapc_list
expect_eq "doveadm (imapc) now verifies the server with the rewritten file (exit; $(tr '\n' '|' <"$T/imapc.out" | head -c 400))" \
	"$?" 0
check "  and lists its INBOX" grep -qx INBOX "$T/imapc.out"

# A deleted export comes back.
rm "$O/mail.key"
p11c -d "$DB" check >"$T/out" 2>"$T/err"
expect_eq "check with a missing export: exit 1 (a warning)" "$?" 1
check "reported as stale-export, missing" grep -q "stale-export.*mail.key.*missing" "$T/out"
expect_exit 0 "sync-exports recreates it" p11c -d "$DB" sync-exports
check "it says so" grep -q "^recreated '$O/mail.key' " "$T/out"
expect_eq "mode 0600" "$(stat -c %a "$O/mail.key")" 600
expect_eq "the key matches the certificate" "$(openssl pkey -in "$O/mail.key" -pubout | sha256sum)" \
	"$(openssl x509 -in "$O/mail.pem" -noout -pubkey | sha256sum)"

# A failing hook is reported, and the exit says so.
p11c -q -d "$DB" renew-selfsign-cert mail
expect_exit 1 "a failing post-hook" p11c -d "$DB" sync-exports --post-hook "exit 3"
check "its exit status is named" grep -q "post-hook 'exit 3' exited 3" "$T/err"

# A PKCS#12 export whose password was typed: skipped with a warning.
cat >"$T/typepw.py" <<'PY'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
seen = b""
for want in (b"password: ", b"password: "):
    while seen.count(want) < 1:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            chunk = b""
        if not chunk:
            break
        seen += chunk
    seen = b""
    os.write(fd, b"typed words\n")
try:
    while os.read(fd, 1024):
        pass
except OSError:
    pass
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
PY
check "export-cert PKCS#12, the password typed" \
	python3 "$T/typepw.py" "$P11CERT" -d "$DB" export-cert -o "$O/typed.p12" mail
p11c -q -d "$DB" renew-selfsign-cert mail
cp "$O/typed.p12" "$T/typed.before"
expect_exit 0 "sync-exports with a PKCS#12 that needs a password" p11c -d "$DB" sync-exports
check "it warns that it skipped it" grep -q "warning: '$O/typed.p12': .*skipped: no --p12-password-file" "$T/err"
check "and left it as it was" cmp -s "$O/typed.p12" "$T/typed.before"
check "the others were rewritten" grep -q "^rewrote '$O/mail.pem' " "$T/out"
sed -i "\\|path=$O/typed.p12|d" "$R"
expect_eq "the record keeps mode 0600 through sed -i" "$(stat -c %a "$R")" 600

# --json: each file's state, and the hook's exit.
p11c -q -d "$DB" renew-selfsign-cert mail
expect_exit 0 "sync-exports --json --post-hook" p11c -d "$DB" sync-exports --json --post-hook "echo hook-out"
check "JSON: mail.pem stale and rewritten, the hook's exit 0, its output kept off stdout" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
e={x["path"]: x for x in d["exports"]}
m=e[sys.argv[2]]
sys.exit(not (m["state"]=="stale" and m["rewritten"] is True and d["post_hook"]=={"command":"echo hook-out","exit":0}))' "$T/out" "$O/mail.pem"
check "the hook's output went to stderr" grep -qx "hook-out" "$T/err"

# Exports at once: each record kept (a lock of the database directory).
pids=()
for i in 1 2 3 4; do
	p11c -q -d "$DB" export-trust -o "$O/par$i.pem" &
	pids+=("$!")
done
wait "${pids[@]}" # not the servers
expect_eq "four exports at once: four records" "$(grep -c "path=$O/par" "$R")" 4
rm -f "$O"/par*.pem
sed -i "\\|path=$O/par|d" "$R"

# An export that became a symbolic link is not replaced; the others are.
p11c -q -d "$DB" export-cert --format der -o "$O/mail.der" mail
mv "$O/mail.der" "$T/target.der" && ln -s "$T/target.der" "$O/mail.der"
cp "$T/target.der" "$T/target.before"
p11c -q -d "$DB" renew-selfsign-cert mail
expect_exit 1 "sync-exports with an export turned symbolic link" p11c -d "$DB" sync-exports
check "it says why" grep -q "cannot sync '$O/mail.der': it is a symbolic link" "$T/err"
check "the link's target is untouched" cmp -s "$T/target.der" "$T/target.before"
check "the link is still a link" test -L "$O/mail.der"
check "the other files were rewritten" grep -q "^rewrote '$O/mail.pem' " "$T/out"
rm "$O/mail.der"
sed -i "\\|path=$O/mail.der|d" "$R"
expect_exit 0 "its record line deleted: sync-exports is quiet again" p11c -d "$DB" sync-exports

# A hostile record: refused whole, one line, nothing written.
p11c -q -d "$DB" renew-selfsign-cert mail
cp "$O/mail.pem" "$T/before.pem"
cp "$R" "$T/record"
hostile() { # WHAT: sync-exports and check refuse, nothing written
	expect_exit 1 "sync-exports refuses $1" p11c -d "$DB" sync-exports
	check "  it names the record" grep -q "export record '$R'" "$T/err"
	check "  nothing written" cmp -s "$O/mail.pem" "$T/before.pem"
	rm -f "$R"
	cp -p "$T/record" "$R"
}
chmod 644 "$R"
hostile "a record not 0600"
printf 'kind=cert\tformat=pem\tpath=relative\tsha256=00\n' >>"$R"
hostile "a bad line"
printf 'kind=cert\tformat=pem\tpath=/etc/passwd\talias=mail\tbogus=1\tsha256=%064d\n' 0 >>"$R"
hostile "an unknown field"
head -c 2000000 /dev/zero | tr '\0' '#' >>"$R"
hostile "a huge record"
ln -sf "$T/record" "$T/link" && rm "$R" && ln -s "$T/link" "$R"
hostile "a symbolic link"
expect_exit 0 "the record put back: sync-exports works again" p11c -d "$DB" sync-exports
check "  and rewrites" grep -q "^rewrote '$O/mail.pem' " "$T/out"
# A certificate whose key is on a SoftHSM token: the module is the
# database's own (add-module), as an NSS server needs it anyway.
if command -v softhsm2-util >/dev/null 2>&1; then
	P11C_AUTO_MODULE=
	make_token sync-hsm 1234
	(umask 077 && echo "sync-hsm:1234" >>"$DB/sslpassword.conf")
	p11c -q -d "$DB" add-module softhsm "$SOFTHSM_MODULE"
	p11c -q -d "$DB" add-selfsign-cert --token sync-hsm --key-type ec:p256 --name hsm.example.com hsm
	expect_exit 0 "export-cert of a certificate on a token" \
		p11c -d "$DB" --token sync-hsm export-cert --format pem -o "$O/hsm.pem" hsm
	check "recorded under the token's name" grep -q "alias=sync-hsm:hsm" "$R"
	p11c -q -d "$DB" renew-selfsign-cert sync-hsm:hsm
	expect_exit 0 "sync-exports after its renewal" p11c -d "$DB" sync-exports
	check "it rewrote the token certificate's file" grep -q "^rewrote '$O/hsm.pem' " "$T/out"
	(umask 077 && echo 1234 >"$T/pin")
	hsm=$(certutil -d "sql:$DB" -L -h sync-hsm -f "$T/pin" -n sync-hsm:hsm -a | openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//')
	expect_eq "the file holds the renewed certificate (certutil)" "$(fp "$O/hsm.pem")" "$hsm"
elif [ "${CI:-}" = true ]; then
	not_ok "softhsm2-util is missing under CI"
fi
finish
