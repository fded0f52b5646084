#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# NSS servers on keys p11cert makes: selfserv (unlocked by the database's
# own sslpassword.conf) serves and tstclnt connects, with and without client
# authentication, for EC P-256 and RSA-2048 on the internal token and EC
# P-256 on SoftHSM.  RSA-2048 on SoftHSM 2.6.1, whose C_CopyObject refuses
# the empty template NSS's server code sends, draws p11cert's warning and
# check's token-defect problem; the probe must not fire on the internal token.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"
need certutil openssl softhsm2-util pkcs11-tool python3 selfserv tstclnt
make_token srv-hsm 1234
new_db
(umask 077 && echo "srv-hsm:1234" >>"$DB/sslpassword.conf")
PW="$DB/sslpassword.conf"
p11c -q -d "$DB" -W "$PW" add-module softhsm "$SOFTHSM_MODULE" || exit 1

# make ALIAS ARGS...: a self-signed certificate for localhost, stderr kept.
make() {
	local alias=$1
	shift
	p11c -q -d "$DB" -W "$PW" add-selfsign-cert --name localhost "$@" "$alias" \
		2>"$T/$alias.err" || { echo "cannot make $alias: $(cat "$T/$alias.err")" >&2; exit 1; }
}
make int-ec --key-type ec:p256
make int-rsa --key-type rsa:2048
make hsm-ec --token srv-hsm --key-type ec:p256
for a in int-ec int-rsa hsm-ec; do
	check "no warning for $a (got: $(cat "$T/$a.err"))" test ! -s "$T/$a.err"
done

# A client of its own, with a certificate the server trusts as a peer.
make_tls_client
for nick in int-ec int-rsa srv-hsm:hsm-ec; do
	check "selfserv serves $nick, tstclnt connects" selfserv_get "$nick"
	check "selfserv serves $nick with client authentication" selfserv_get "$nick" -r -r
done
# client authentication is really asked for: a client with no certificate
# (tstclnt without -n picks any of its own) gets no reply
check "selfserv -r -r refuses a client without a certificate" fails selfserv_get_anon int-ec
check "check: nothing to report without RSA on the defective token" \
	p11c -d "$DB" -W "$PW" check

# RSA-2048 on SoftHSM 2.6.1: the warning, and the database as it was made.
p11c -q -d "$DB" -W "$PW" add-selfsign-cert --token srv-hsm --key-type rsa:2048 \
	--name localhost hsm-rsa 2>"$T/hsm-rsa.err"
check "add-selfsign-cert rsa:2048 on srv-hsm: made (pkcs11-tool sees the key)" \
	test -n "$(token_key srv-hsm 1234 hsm-rsa)"
want="p11cert: warning: token 'srv-hsm' cannot serve RSA keys to NSS servers"
check "add-selfsign-cert rsa:2048 on srv-hsm: one warning line (got: $(cat "$T/hsm-rsa.err"))" \
	test "$(grep -c "^$want .*C_CopyObject.*ec:p256.*p11cert/p11copyfix.so" "$T/hsm-rsa.err")" = 1 -a \
	"$(wc -l <"$T/hsm-rsa.err")" = 1
# the defect is real: NSS's own server refuses the key
port=$(free_port)
timeout 5 selfserv -d "sql:$DB" -n srv-hsm:hsm-rsa -p "$port" -f "$PW" >"$T/ss-rsa.log" 2>&1 </dev/null
check "selfserv on srv-hsm:hsm-rsa stops at start as the warning says (got: $(head -c 300 "$T/ss-rsa.log"))" \
	grep -q "SSL_ConfigServerCert" "$T/ss-rsa.log"
p11c -d "$DB" -W "$PW" check >"$T/check.out" 2>&1
rc=$?
check "check: exit 2 for the RSA key on srv-hsm (got $rc)" test "$rc" = 2
check "check: token-defect for hsm-rsa only (got: $(cat "$T/check.out"))" \
	test "$(grep -c "token-defect.*'srv-hsm:hsm-rsa'.*token 'srv-hsm'" "$T/check.out")" = 1 -a \
	"$(grep -c token-defect "$T/check.out")" = 1

# request-cert and PEM/PKCS#12 imports onto the token warn the same way.
p11c -q -d "$DB" -W "$PW" request-cert --token srv-hsm --key-type rsa:2048 \
	--name req.example.com -o "$T/req.csr" --alias req 2>"$T/req.err"
check "request-cert rsa:2048 on srv-hsm warns (got: $(cat "$T/req.err"))" \
	grep -q "^$want" "$T/req.err"
p11c -q -d "$DB" -W "$PW" request-cert --token srv-hsm --key-type ec:p256 \
	--name req2.example.com -o "$T/req2.csr" --alias req2 2>"$T/req2.err"
check "request-cert ec:p256 on srv-hsm: no warning (got: $(cat "$T/req2.err"))" \
	test ! -s "$T/req2.err"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/imp.key" -out "$T/imp.pem" \
	-subj /CN=imp.example.com -days 30 2>/dev/null
p11c -q -d "$DB" -W "$PW" import-cert --token srv-hsm --key "$T/imp.key" --cert "$T/imp.pem" \
	--alias imp 2>"$T/imp.err"
check "import-cert --key rsa onto srv-hsm warns (got: $(cat "$T/imp.err"))" \
	grep -q "^$want" "$T/imp.err"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/imp2.key" -out "$T/imp2.pem" \
	-subj /CN=imp2.example.com -days 30 2>/dev/null
openssl pkcs12 -export -inkey "$T/imp2.key" -in "$T/imp2.pem" -passout pass:p12pw \
	-out "$T/imp.p12" 2>/dev/null
(umask 077 && echo p12pw >"$T/p12.pw")
p11c -q -d "$DB" -W "$PW" import-cert --token srv-hsm --p12-password-file "$T/p12.pw" --alias imp2 "$T/imp.p12" \
	2>"$T/imp2.err"
check "import-cert PKCS#12 rsa onto srv-hsm warns (got: $(cat "$T/imp2.err"))" \
	grep -q "^$want" "$T/imp2.err"
p11c -q -d "$DB" -W "$PW" renew-selfsign-cert --new-key srv-hsm:hsm-rsa 2>"$T/renew.err"
check "renew-selfsign-cert --new-key on srv-hsm warns (got: $(cat "$T/renew.err"))" \
	grep -q "^$want" "$T/renew.err"
(umask 077 && printf 'NSS Certificate DB:db2-pass-0123456789\nsrv-hsm:1234\n' >"$T/db2.pw")
p11c -q -d "$T/db2" -W "$T/db2.pw" --module "$SOFTHSM_MODULE" generate-certdb --token srv-hsm \
	2>"$T/gen.err"
check "generate-certdb --token srv-hsm (RSA Server-Cert) warns (got: $(cat "$T/gen.err"))" \
	grep -q "^$want" "$T/gen.err"
finish
