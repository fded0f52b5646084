#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Field note: reference/smtp-tls-wallet-setup.txt.  A Java mail sender fails
# with "Certificate validation failure" on an SMTP relay's STARTTLS until it
# has a trust wallet holding the relay's chain; the note builds it by hand
# with orapki, one .cer at a time.  Here: p11cert fetches the chain from the
# relay itself, trusts its CA, and writes the PKCS#12 truststore Java reads.
# The final check is a real Java client speaking SMTP STARTTLS.
. "$(dirname "$0")/lib.sh"
need certutil openssl java keytool softhsm2-util

step "The relay's side (a stand-in for smtp.office365.com): its operator's CA, key on their HSM"
make_hsm relay-hsm
CA=$T/relay-ca
p11cert -q -d "$CA" generate-certdb --no-default-cert
p11cert -q -d "$CA" add-module softhsm "$SOFTHSM"
add_pin "$CA" relay-hsm
p11cert -q -d "$CA" add-selfsign-cert --ca --token relay-hsm --key-type ec:p256 \
	--name "Relay Root CA" --org "Example Relay" --days 3650 relay-root
# The relay's software keeps its key in a PEM file; its request goes to the CA.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/relay.key" \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -out "$T/relay.csr" 2>/dev/null
p11cert -d "$CA" sign-request --ca relay-hsm:relay-root --usage server -o "$T/relay.pem" "$T/relay.csr"
p11cert -d "$CA" show-cert --pem relay-hsm:relay-root >"$T/relay-root.pem"
cat "$T/relay.pem" "$T/relay-root.pem" >"$T/relay-chain.pem"
PORT=$(free_port)
start_smtp 127.0.0.1 "$PORT" "$T/relay-chain.pem" "$T/relay.key"

# The sender is another host: the relay's HSM is not there.
unset SOFTHSM2_CONF

step "The symptom: Java with only its own CAs does not trust the relay"
must_fail "Java does not trust the relay yet" java "$EXAMPLES/SmtpStartTls.java" 127.0.0.1 "$PORT"

step "The sender's database: what the relay presents, then its CA trusted (no .cer files by hand)"
DB=$T/sender
p11cert -q -d "$DB" generate-certdb --no-default-cert
must_fail "the relay's CA is unknown" p11cert -d "$DB" fetch-chain "smtp://127.0.0.1:$PORT"
# Every CA the relay sends goes in (the note's second and third level
# certificates, when there is an issuing CA under the root), never the
# relay's own certificate; check the fingerprints printed against the CA's.
p11cert -d "$DB" fetch-chain --add-trust "smtp://127.0.0.1:$PORT"
p11cert -d "$DB" list-certs -C

step "The wallet: a PKCS#12 truststore of trustedCertEntry (orapki wallet create/add/display)"
secret_file "$T/wallet.pw"                        # the wallet password, kept in a 0600 file
p11cert -d "$DB" export-trust --format pkcs12 --p12-password-file "$T/wallet.pw" \
	-o "$T/smtp_tls_wallet.p12"
keytool -list -keystore "$T/smtp_tls_wallet.p12" -storetype PKCS12 -storepass:file "$T/wallet.pw"

step "The fix: the same Java client with -Djavax.net.ssl.trustStore"
# Java takes the truststore's password as a property: an @argfile (0600)
# keeps it off the command line.
(umask 077 && printf '%s\n' "-Djavax.net.ssl.trustStore=$T/smtp_tls_wallet.p12" \
	"-Djavax.net.ssl.trustStoreType=PKCS12" \
	"-Djavax.net.ssl.trustStorePassword=$(head -n 1 "$T/wallet.pw")" >"$T/java.args")
# Maintenance (the note's last section): when the relay's CA changes, run
# the fetch-chain --add-trust and export-trust lines again; 'p11cert check'
# and 'list-certs -C --expiring 30' say when a trusted CA is about to expire.
verdict "Java's SMTP STARTTLS client trusts the relay through p11cert's truststore" \
	java "@$T/java.args" "$EXAMPLES/SmtpStartTls.java" 127.0.0.1 "$PORT"
