#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# generate-certdb: files, password file, default certificate, refusals.
. "$(dirname "$0")/lib.sh"
need certutil openssl

expect_exit 0 "generate-certdb creates a database" \
	p11c -d "$DB" generate-certdb --hostname mail.example.com
for f in cert9.db key4.db pkcs11.txt sslpassword.conf; do
	check "$f exists" test -f "$DB/$f"
done
check "sslpassword.conf is mode 0600" test "$(stat -c %a "$DB/sslpassword.conf")" = 600
pw=$(db_password)
check "password is 32 random characters" test "${#pw}" = 32
check "password file has the msgcert-era line" \
	grep -qx "Internal (Software) Token:$pw" "$DB/sslpassword.conf"
check "password file has NSS's token-name line" grep -qx "NSS Certificate DB:$pw" "$DB/sslpassword.conf"
check "certutil -f takes the password file as it is" \
	certutil -d "sql:$DB" -K -f "$DB/sslpassword.conf"

certutil -d "sql:$DB" -L >"$T/list"
check "certutil lists Server-Cert as the user's own (u,u,u)" grep -Eq '^Server-Cert +u,u,u' "$T/list"
certutil -d "sql:$DB" -L -n Server-Cert -a >"$T/server.pem"
check "Server-Cert subject is the host name" \
	grep -q 'CN *= *mail.example.com' <(openssl x509 -in "$T/server.pem" -noout -subject)
check "Server-Cert has the host name as DNS SAN" \
	grep -q 'DNS:mail.example.com' <(openssl x509 -in "$T/server.pem" -noout -text)
check "Server-Cert is RSA 2048" \
	grep -q 'Public-Key: (2048 bit)' <(openssl x509 -in "$T/server.pem" -noout -text)
check "Server-Cert verifies as self-signed" openssl verify -CAfile "$T/server.pem" "$T/server.pem"
check "Server-Cert is valid for 90 days" \
	openssl x509 -in "$T/server.pem" -noout -checkend $((89 * 86400))
check "Server-Cert expires within 91 days" \
	fails openssl x509 -in "$T/server.pem" -noout -checkend $((91 * 86400))
printf '%s\n' "$pw" >"$T/pw"
certutil -d "sql:$DB" -K -f "$T/pw" >"$T/keys" 2>&1
check "certutil -K lists Server-Cert's key" grep -q 'rsa .*Server-Cert' "$T/keys"

# An existing database is never overwritten.
before=$(snapshot)
expect_exit 1 "generate-certdb refuses an existing database" p11c -d "$DB" generate-certdb
check "it names the file it will not overwrite" grep -q "already holds a database" "$T/err"
same_as "$before" "the refused database is unchanged"
check "its password is unchanged" test "$(db_password)" = "$pw"

# A password chosen with -W; no default certificate.
D2="$T/db2"
printf 'secret:with:colons\n' >"$T/given"
chmod 600 "$T/given"
expect_exit 0 "generate-certdb -W takes the password from a file" \
	p11c -d "$D2" -W "$T/given" generate-certdb --no-default-cert
printf 'secret:with:colons\n' >"$T/pw2"
check "the database opens with that password" \
	grep -q 'no keys found' <(certutil -d "sql:$D2" -K -f "$T/pw2" 2>&1)
printf 'other\n' >"$T/wrong"
check "and not with another" \
	fails grep -q 'no keys found' <(certutil -d "sql:$D2" -K -f "$T/wrong" 2>&1)
check "sslpassword.conf holds that password" \
	grep -qx "NSS Certificate DB:secret:with:colons" "$D2/sslpassword.conf"
check "--no-default-cert makes no certificate" \
	test -z "$(certutil -d "sql:$D2" -L | sed '1,4d')"

# msgcert's spelling, and $P11CERT_DB.
expect_exit 0 "generate-certDB is accepted" env P11CERT_DB="$T/db3" "$P11CERT" -q generate-certDB --no-default-cert
check "\$P11CERT_DB chooses the directory" test -f "$T/db3/cert9.db"
expect_exit 0 "the default directory is \$XDG_DATA_HOME/p11cert" p11c -q generate-certdb --no-default-cert
check "database made in \$XDG_DATA_HOME/p11cert" test -f "$XDG_DATA_HOME/p11cert/cert9.db"

# Bad input leaves nothing behind.
expect_exit 3 "a missing -W file is not found" p11c -d "$T/db4" -W "$T/nope" generate-certdb
check "nothing is created after a failure" test ! -e "$T/db4"
printf '# only a comment\n' >"$T/empty-pw"
chmod 600 "$T/empty-pw"
expect_exit 4 "a password file without a password is refused" \
	p11c -d "$T/db5" -W "$T/empty-pw" generate-certdb
check "nothing is left after the refusal" test ! -e "$T/db5/cert9.db"
touch "$T/afile"
expect_exit 1 "a file in place of the directory is refused" p11c -d "$T/afile" generate-certdb
expect_exit 2 "an unknown option is a usage error" p11c -d "$T/db6" generate-certdb --bogus

finish
