#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
# Make the seed corpora of the fuzz targets under tests/fuzz/corpus/: a few
# small, valid (and a few nearly valid) inputs of each parser, made with
# openssl and python3.  The PKCS#12 and encrypted key password is "fuzz".
# Run from anywhere; replaces the corpus/*/seed-* files (other entries,
# such as crashes found and kept, stay).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
C=$here/corpus
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
for t in pwfile names certs pkcs12 pemkey request url starttls caissuers acme; do
	mkdir -p "$C/$t"
	rm -f "$C/$t"/seed-*
done
seed() { # TARGET NAME: stdin becomes corpus/TARGET/seed-NAME
	cat >"$C/$1/seed-$2"
}
mode() { # BYTE: the first byte some targets read as a mode
	printf "\\x$(printf %02x "$1")"
}

# ---- keys and certificates, small: EC P-256, one RSA 2048
openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -subj '/CN=Fuzz Root/O=p11cert' -days 3650 \
	-addext basicConstraints=critical,CA:true -addext keyUsage=keyCertSign,cRLSign \
	-out ca.pem 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out leaf.key 2>/dev/null
openssl req -new -key leaf.key -subj '/CN=mail.example.com/O=Example' \
	-addext 'subjectAltName=DNS:mail.example.com,DNS:smtp.example.com,IP:192.0.2.1,email:pm@example.com' \
	-out leaf.csr 2>/dev/null
printf 'subjectAltName=DNS:mail.example.com,IP:2001:db8::1\nauthorityInfoAccess=caIssuers;URI:http://127.0.0.1/ca.der\nextendedKeyUsage=serverAuth\n' >ext.cnf
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 \
	-extfile ext.cnf -out leaf.pem 2>/dev/null
openssl genrsa -out rsa.key 2048 2>/dev/null
openssl req -new -key rsa.key -subj '/C=SE/ST=Sk\C3\A5ne/L=Lund/O=Example AB/OU=Mail/CN=imap.example.se' \
	-addext 'subjectAltName=DNS:imap.example.se,URI:https://example.se/' -out rsa.csr 2>/dev/null
openssl x509 -in leaf.pem -outform DER -out leaf.der
openssl x509 -in ca.pem -outform DER -out ca.der

# ---- pwfile: sslpassword.conf as generate-certdb and users write it
printf 'Internal (Software) Token:s3cret\nNSS Certificate DB:s3cret\n' | seed pwfile internal
printf 'Internal (Software) Token:a:b:c\nhsm:1234\n# comment\n\n  \nsofthsm:token:9999\r\n' |
	seed pwfile tokens
printf 'barepassword' | seed pwfile bare
printf 'unknown:prefix:pw\nhsm:\n' | seed pwfile colon

# ---- names: mode 0 -S DN; 1 -S DN and --san; 2 fields and --san
{ mode 0; printf 'CN=mail.example.com,O=Example,C=SE'; } | seed names dn
{ mode 0; printf 'CN=a\\,b+OU=x,O="quoted, name",2.5.4.3=oid,E=a@b.c'; } | seed names dn-escapes
{ mode 1; printf 'CN=mail.example.com\ndns:mail.example.com,ip:192.0.2.1,ip:2001:db8::1,email:pm@example.com,uri:https://example.com/'; } |
	seed names dn-san
{ mode 2; printf 'mail.example.com\nExample\nMail\nLund\nSk\xc3\xa5ne\nSE\ndns:smtp.example.com'; } |
	seed names fields

# ---- certs: PEM, DER, bundles
seed certs pem <leaf.pem
seed certs der <leaf.der
cat leaf.pem ca.pem | seed certs bundle
{ printf 'subject=CN = x\nissuer=CN = y\n'; cat ca.pem; printf '\r\n'; cat leaf.pem; } | seed certs bundle-text
seed certs request <leaf.csr
head -c 300 leaf.pem | seed certs truncated

# ---- pkcs12 (password fuzz), one PBKDF2/MAC iteration so that runs are
# fast.  First byte 0: the file as it is; 1: its MAC made again first.
p12() { # NAME ARGS...: openssl pkcs12 -export ARGS, seeded with both modes
	name=$1
	shift
	openssl pkcs12 -export -passout pass:fuzz -noiter -nomaciter "$@" -out "$name.p12"
	{ mode 0; cat "$name.p12"; } | seed pkcs12 "$name"
}
p12 chain -inkey leaf.key -in leaf.pem -certfile ca.pem -name smtp
p12 plain -inkey leaf.key -in leaf.pem -keypbe NONE -certpbe NONE
p12 certonly -nokeys -in ca.pem -certpbe NONE
{ mode 1; cat plain.p12; } | seed pkcs12 plain-remac
{ mode 1; cat chain.p12; } | seed pkcs12 chain-remac
python3 "$here/p12-edit.py" plain.p12 twice.p12 two-certbags
{ mode 1; cat twice.p12; } | seed pkcs12 two-certbags
openssl pkcs12 -export -inkey leaf.key -in leaf.pem -passout pass:fuzz -nomac \
	-keypbe NONE -certpbe NONE -out nomac.p12
{ mode 0; cat nomac.p12; } | seed pkcs12 nomac
openssl pkcs12 -export -inkey leaf.key -in leaf.pem -passout pass:wrong -noiter -nomaciter \
	-out wrongpw.p12
{ mode 0; cat wrongpw.p12; } | seed pkcs12 wrongpw
# Issue 11 item 1, a crash in NSS's SEC_PKCS12DecoderRenameCertNicknames
# before import.c validated the bags first.
python3 "$here/p12-edit.py" plain.p12 empty.p12 empty-certbag
{ mode 1; cat empty.p12; } >"$here/corpus/pkcs12/crash-empty-certbag"

# ---- pemkey: mode bit 1 ec_public, bit 2 no password
{ mode 0; openssl ec -in leaf.key 2>/dev/null; } | seed pemkey sec1
{ mode 1; openssl pkcs8 -topk8 -nocrypt -in leaf.key; } | seed pemkey pkcs8-ec
{ mode 0; cat rsa.key; } | seed pemkey pkcs8-rsa
{ mode 0; openssl rsa -in rsa.key -traditional 2>/dev/null; } | seed pemkey pkcs1-rsa
{ mode 0; openssl pkcs8 -topk8 -v2 aes-128-cbc -iter 1 -passout pass:fuzz -in leaf.key; } |
	seed pemkey pkcs8-encrypted
{ mode 0; openssl ec -in leaf.key -aes128 -passout pass:fuzz 2>/dev/null; } | seed pemkey legacy-encrypted
{ mode 2; openssl pkcs8 -topk8 -v2 aes-128-cbc -iter 1 -passout pass:fuzz -in leaf.key; } |
	seed pemkey encrypted-no-password

# ---- request: even first byte, the file; odd, a CertificationRequestInfo
{ mode 0; cat leaf.csr; } | seed request pem-ec
{ mode 0; cat rsa.csr; } | seed request pem-rsa
{ mode 0; openssl req -in leaf.csr -outform DER; } | seed request der
{ mode 0; sed 's/CERTIFICATE REQUEST/NEW CERTIFICATE REQUEST/' rsa.csr; } | seed request pem-new
for r in leaf rsa; do # the first element inside the request's SEQUENCE
	openssl req -in $r.csr -outform DER -out $r.csr.der
	{ mode 1; python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
def tlv(b, i):
    n = b[i + 1]
    if n < 0x80:
        return i + 2, i + 2 + n
    k = n & 0x7f
    return i + 2 + k, i + 2 + k + int.from_bytes(b[i + 2:i + 2 + k], "big")
s, _ = tlv(d, 0)
_, e = tlv(d, s)
sys.stdout.buffer.write(d[s:e])' $r.csr.der; } | seed request info-$r
done

# ---- url
printf 'smtp://mail.example.com' | seed url smtp
printf 'imaps://[2001:db8::1]:993/' | seed url ipv6
printf 'ldap://127.0.0.1:389/dc=example,dc=com?cn#x' | seed url ldap
printf 'http://ca.example.com:8080/issuer/ca.der' | seed url http
printf 'submission://user@host:587' | seed url user

# ---- starttls: first byte 0 smtp, 1 imap, 2 pop3, 3 ldap, 4 implicit TLS
{ mode 0; printf '220 mail.example.com ESMTP\r\n250-mail.example.com\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n220 2.0.0 Ready to start TLS\r\n'; } |
	seed starttls smtp
{ mode 0; printf '220-mail.example.com ESMTP\r\n220 hi\r\n250 mail.example.com\r\n'; } | seed starttls smtp-no-starttls
{ mode 1; printf '* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] Dovecot ready.\r\n* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK done\r\na2 OK Begin TLS negotiation now.\r\n'; } |
	seed starttls imap
{ mode 2; printf '+OK Dovecot ready.\r\n+OK\r\nCAPA\r\nTOP\r\nSTLS\r\nUIDL\r\n.\r\n+OK Begin TLS negotiation now.\r\n'; } |
	seed starttls pop3
{ mode 3; printf '\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00'; } | seed starttls ldap
{ mode 3; printf '\x30\x83\x00\x00\x0c\x02\x01\x01\x78\x07\x0a\x01\x02\x04\x00\x04\x00'; } | seed starttls ldap-long
{ mode 4; printf '220 mail.example.com ESMTP\r\n'; } | seed starttls implicit

# ---- caissuers: caIssuers answers' bodies (the http is libcurl's)
seed caissuers der <ca.der
cat ca.pem leaf.pem | seed caissuers pem
openssl crl2pkcs7 -nocrl -certfile ca.pem -certfile leaf.pem -outform DER -out chain.p7c
seed caissuers pkcs7 <chain.p7c

du -sh "$C"

# ---- acme: problem documents, Retry-After, RFC 3339 times, the record
printf '{"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"no \\u001b[31m\\n","subproblems":[{"type":"urn:ietf:params:acme:error:caa","detail":"x","identifier":{"type":"dns","value":"a.example"}},{"detail":"y"}]}' | seed acme problem
printf '{"type":"urn:ietf:params:acme:error:badNonce","detail":"bad nonce"}' | seed acme badnonce
printf '120' | seed acme retry
printf 'Wed, 21 Oct 2015 07:28:00 GMT' | seed acme retrydate
printf '2026-12-03T06:50:00.123+01:00' | seed acme time
printf '2026-12-03T06:50:00Z' | seed acme timez
printf '{"server":"https://127.0.0.1:14000/dir","account":{"url":"https://127.0.0.1/acct/1","key_id":"0a1b","token":"t"},"certs":{"www":{"names":["www.example.com"],"key":"ec:p256"}}}' | seed acme record
printf '{"certs":{"x":{"names":[]}}}' | seed acme badrecord
