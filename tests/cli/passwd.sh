#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# change-password: the internal token's password and a SoftHSM token's PIN
# changed, the password file rewritten in step (its other lines kept), as
# certutil and pkcs11-tool see it; refusals change nothing.
. "$(dirname "$0")/lib.sh"
need certutil softhsm2-util pkcs11-tool
make_token mail-hsm 1234
new_db
PWF=$DB/sslpassword.conf
old=$(db_password)
{ echo "# kept: a comment"; echo "mail-hsm:1234"; } >>"$PWF"
p11c -q -d "$DB" add-selfsign-cert --name mail.example.com mail
certutil_opens() { # FILE: certutil -K logs in to the database with FILE
	certutil -d "sql:$DB" -K -f "$1" 2>/dev/null | grep -q mail
}
pw_file() { (umask 077 && printf '%s\n' "$1" >"$T/$2"); }
pw_file "$old" old.pw

# --random: a new password, only in the password file.
expect_exit 0 "change-password --random" p11c -d "$DB" change-password --random
new=$(db_password)
check "the password changed" test -n "$new" -a "$new" != "$old"
check "32 characters" test "${#new}" = 32
check "both internal lines carry it" test \
	"$(grep -c -e "^Internal (Software) Token:$new\$" -e "^NSS Certificate DB:$new\$" "$PWF")" = 2
check "the comment is kept" grep -qx "# kept: a comment" "$PWF"
check "the token's line is kept" grep -qx "mail-hsm:1234" "$PWF"
check "mode 0600" test "$(stat -c %a "$PWF")" = 600
check "no temporary file is left" test "$(ls "$DB" | grep -c sslpassword)" = 1
check "certutil opens the database with the new file" certutil_opens "$PWF"
check "certutil refuses the old password" fails certutil_opens "$T/old.pw"
check "the password is not printed" fails grep -q "$new" "$T/out" "$T/err"
expect_exit 0 "p11cert still reads the key" p11c -d "$DB" list-certs

# --new-password-file: a password with a ':' and spaces.
pw_file "correct horse:battery staple" new.pw
expect_exit 0 "--new-password-file" p11c -d "$DB" change-password --new-password-file "$T/new.pw"
check "the file holds it" grep -qx "NSS Certificate DB:correct horse:battery staple" "$PWF"
pw_file "correct horse:battery staple" check.pw
check "certutil takes it" certutil_opens "$T/check.pw"

# Refusals: nothing changes.
snap=$(snapshot)
cp "$PWF" "$T/pwf.before"
same_file() { cmp -s "$PWF" "$T/pwf.before"; }
pw_file "$old" wrong.pw
(umask 077 && { echo "NSS Certificate DB:not-it"; } >"$T/wrongcur.pw")
expect_exit 4 "a wrong current password" p11c -d "$DB" -W "$T/wrongcur.pw" change-password --new-password-file "$T/wrong.pw"
check "it says so" grep -q "current password of token 'NSS Certificate DB' is not accepted" "$T/err"
check "the password file is as it was" same_file
chmod 644 "$T/wrong.pw"
expect_exit 4 "a world-readable new password file" p11c -d "$DB" change-password --new-password-file "$T/wrong.pw"
check "the password file is as it was" same_file
: >"$T/empty.pw"
chmod 600 "$T/empty.pw"
expect_exit 4 "an empty new password" p11c -d "$DB" change-password --new-password-file "$T/empty.pw"
expect_exit 2 "the same password again" p11c -d "$DB" change-password --new-password-file "$T/check.pw"
expect_exit 2 "--random and --new-password-file" p11c -d "$DB" change-password --random --new-password-file "$T/check.pw"
expect_exit 3 "an unknown token" p11c -d "$DB" --token no-such change-password --random
check "the password file is as it was" same_file
check "certutil still takes the password" certutil_opens "$T/check.pw"
same_as "$snap" "the database is as it was"

# A read-only directory: the file cannot be written, so the password stays.
if [ "$(id -u)" != 0 ]; then
	chmod 500 "$DB"
	expect_exit 1 "a password file that cannot be written" p11c -d "$DB" change-password --random
	chmod 700 "$DB"
	check "the password is unchanged" certutil_opens "$T/check.pw"
fi

# The token's PIN: pkcs11-tool logs in with the new one only.
pin_ok() {
	P11C_TEST_PIN=$1 pkcs11-tool --module "$SOFTHSM_MODULE" --token-label mail-hsm --login \
		--pin env:P11C_TEST_PIN -O >/dev/null 2>&1
}
internal_before=$(grep "^NSS Certificate DB:" "$PWF")
expect_exit 0 "change-password --token mail-hsm --random" p11c -d "$DB" --token mail-hsm change-password --random
pin=$(sed -n 's/^mail-hsm://p' "$PWF")
check "a new PIN in the file" test -n "$pin" -a "$pin" != 1234
check "pkcs11-tool logs in with it" pin_ok "$pin"
check "pkcs11-tool refuses the old PIN" fails pin_ok 1234
check "the internal lines are untouched" test "$(grep "^NSS Certificate DB:" "$PWF")" = "$internal_before"
check "certutil still takes the database password" certutil_opens "$T/check.pw"

finish
