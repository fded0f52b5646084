#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Field note: reference/starttls-ca-import.txt.  To talk STARTTLS to a mail
# server, the system must trust the CAs of the chain the server presents:
# the note reads the chain with 'openssl s_client -starttls', finds a missing
# issuer through the certificate's Authority Information Access URL, and
# imports each CA by hand, root first.  Here one p11cert command does it,
# against an IMAP server (dovecot) that sends its certificate alone, its
# issuer on the CA's web server (caIssuers).  The final check is NSS's
# vfychain: the server's certificate verifies with the database's trust.
. "$(dirname "$0")/lib.sh"
need certutil openssl vfychain softhsm2-util python3 dovecot

step "The mail server (a stand-in for mail.office365.com) and its CA's web server"
WEB=$(free_port)
make_chain "$T/pki" localhost "http://127.0.0.1:$WEB/CloudServicesCA-1.crt"
mkdir "$T/www" && cp "$T/pki/int.der" "$T/www/CloudServicesCA-1.crt"
start_http 127.0.0.1 "$WEB" "$T/www"
IMAP=$(free_port) POP3=$(free_port)
start_dovecot 127.0.0.1 "$IMAP" "$POP3" "$T/pki/leafonly.pem" "$T/pki/leaf.key"

step "Our mail system's database (the note's *SYSTEM store): its own key on the HSM"
make_hsm mail-hsm
DB=$T/certdb
p11cert -q -d "$DB" generate-certdb --no-default-cert
p11cert -q -d "$DB" add-module softhsm "$SOFTHSM"
add_pin "$DB" mail-hsm
p11cert -q -d "$DB" add-selfsign-cert --token mail-hsm --key-type ec:p256 \
	--name mail.example.com mail

step "Which CAs does the server need? (openssl s_client -starttls imap, then page up)"
must_fail "the server's issuer is unknown" p11cert -d "$DB" fetch-chain "imap://127.0.0.1:$IMAP"

step "Fetch the missing issuer from its caIssuers URL and trust it: no certmgr, no search"
# --add-trust prints each CA's subject and SHA-256 fingerprint as it adds
# it: compare them with those the CA publishes.  When the issuer's own
# certificate names its issuer too, --ca-issuers follows on to the root.
p11cert -d "$DB" fetch-chain --ca-issuers --add-trust --save "$T/chain" "imap://127.0.0.1:$IMAP"
p11cert -d "$DB" list-certs -C
certutil -L -d "sql:$DB"

step "NSS's own check: the server's certificate verifies for an SSL server"
verdict "the IMAP server's STARTTLS certificate is trusted through the imported CA" \
	vfychain -d "sql:$DB" -u 1 -a "$T/chain/cert0.pem"
