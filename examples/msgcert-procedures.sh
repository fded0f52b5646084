#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Field note: reference/messaging-server-6.3-msgcert.txt, section 23.5.  The
# guide's msgcert procedures, run as written through the msgcert name (the
# link 'ninja install' makes), on a database whose CA-signed key is on an
# external token (the guide's smartcard; here SoftHSM) with its PIN line in
# sslpassword.conf.  The final checks are NSS's own tools: the token's
# certificate (read by pkcs11-tool) verifies as an SSL server with vfychain,
# and certutil finds the exported certificate and its key on the other host.
. "$(dirname "$0")/lib.sh"
need certutil openssl softhsm2-util pkcs11-tool vfychain
mkdir -p "$T/bin" && ln -s "$P11CERT" "$T/bin/msgcert"
msgcert() { ${P11CERT_WRAPPER:-} "$T/bin/msgcert" "$@"; }
export P11CERT_DB=$T/msg-svr-base/config   # where msgcert keeps the database

step "To Create a Messaging Server Certificate Database with a Default Self-signed Certificate"
msgcert generate-certDB         # random password, written to config/sslpassword.conf
msgcert show-cert Server-Cert

step "To Manage Self-Signed Certificates"
msgcert add-selfsign-cert --name siroe --org comms --org-unit Messaging \
	--city SantaClara --state ca --country us MySelfSigned-Cert
msgcert renew-selfsign-cert MySelfSigned-Cert

step "To Manage Internal and External Modules (modutil in the guide), and the module's line in sslpassword.conf"
make_hsm mail-hsm
msgcert add-module softhsm "$SOFTHSM"
add_pin "$P11CERT_DB" mail-hsm

step "To Request a CA-Signed Server Certificate, its key on the token"
# EC: SoftHSM 2.6.1 cannot serve RSA keys to NSS servers (p11cert warns).
msgcert request-cert --token mail-hsm --key-type ec:p256 --name aqua --org siroe \
	--org-unit Messaging -F ascii -o "$T/my_casigned_request_cert"
# The Certificate Authority, on its own host (which does not see the HSM).
ca() { (unset SOFTHSM2_CONF && p11cert -d "$T/ca" "$@"); }
ca -q generate-certdb --no-default-cert
ca -q add-selfsign-cert --ca --name "Siroe CA" --org siroe --days 3650 siroe-ca
ca sign-request --ca siroe-ca -o "$T/server-cert-file" "$T/my_casigned_request_cert"
ca show-cert --pem siroe-ca >"$T/ca-cert-file"

step "To Add the CA-Signed Server Certificate and Trusted CA Certificate"
msgcert add-cert aqua "$T/server-cert-file"     # goes beside its key: mail-hsm:aqua
msgcert add-cert -C CA-cert "$T/ca-cert-file"
msgcert list-certs
msgcert list-certs -C
msgcert show-cert mail-hsm:aqua
# configutil -o local.imta.sslnicknames -v mail-hsm:aqua  (security-module:nickname)

step "Renewing an Expired CA-Signed Server Certificate (the CA signs the same key again)"
ca sign-request --ca siroe-ca --days 730 -o "$T/renewed-cert-file" "$T/my_casigned_request_cert"
msgcert renew-cert mail-hsm:aqua "$T/renewed-cert-file"

step "To Export and Import a CA-Signed Server Certificate (to another host)"
secret_file "$T/p12.pw"          # the PKCS#12 file password (msgcert asks for it)
msgcert export-cert --p12-password-file "$T/p12.pw" -o "$T/first-server-certificate" Server-Cert
HOST2=$T/host2/config
P11CERT_DB=$HOST2 msgcert generate-certDB --no-default-cert
P11CERT_DB=$HOST2 msgcert import-cert --p12-password-file "$T/p12.pw" "$T/first-server-certificate"

step "NSS's view: the token's certificate as an SSL server, and Server-Cert's key on host2"
# pkcs11-tool reads the certificate off the token; NSS's vfychain verifies it
# as an SSL server (-u 1) against the database's trust (CA-cert); certutil
# finds Server-Cert on host2, the same certificate, with its key.
nss_agrees() {
	local want got
	pkcs11-tool --module "$SOFTHSM" --token-label mail-hsm --read-object --type cert \
		--label aqua -o "$T/aqua.der" >/dev/null &&
		vfychain -d "sql:$P11CERT_DB" -u 1 "$T/aqua.der" || return 1
	certutil -K -d "sql:$HOST2" -f "$HOST2/sslpassword.conf" | grep Server-Cert || return 1
	want=$(certutil -L -d "sql:$P11CERT_DB" -n Server-Cert -a | openssl x509 -noout -fingerprint -sha256)
	got=$(certutil -L -d "sql:$HOST2" -n Server-Cert -a | openssl x509 -noout -fingerprint -sha256)
	[ "$got" = "$want" ] || { echo "host2's Server-Cert: got '$got', wanted '$want'"; return 1; }
}
verdict "msgcert's procedures: the token's certificate is valid, Server-Cert moved to host2" nss_agrees
