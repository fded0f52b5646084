#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Output paths: a device, a FIFO or a symbolic link given to -o or --key-out
# is refused and left as it was (a rename would have put a regular file in
# its place: /dev/null once became a 0600 PKCS#12); --key-out naming the
# same file as -o is refused before anything is written.
. "$(dirname "$0")/lib.sh"
need certutil openssl
# Should a regression replace /dev/null, put the device back at once.
restore_null() {
	if [ "$(id -u)" = 0 ] && ! test -c /dev/null; then
		rm -f /dev/null && mknod -m 666 /dev/null c 1 3
		echo "not ok - /dev/null had been replaced; restored" >&2
	fi
}
trap 'restore_null; rm -rf "$T"' EXIT
new_db
(umask 077 && echo "p12 secret" >"$T/p12.pw")
make_ca ca "/CN=Outputs CA"
p11c -q -d "$DB" add-selfsign-cert --name mail.example.com mail
p11c -q -d "$DB" add-selfsign-cert --ca --name "Site CA" siteca
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/r.key" \
	-subj /CN=relay.example.com -out "$T/relay.csr" 2>/dev/null
mkfifo "$T/fifo"
mknod "$T/chr" c 1 3 2>/dev/null || cp -a /dev/null "$T/chr" 2>/dev/null || true
echo "keep me" >"$T/target"
ln -s "$T/target" "$T/link"
ln -s "$T/gone" "$T/dangling"
before=$(snapshot)

# refused PATH WHAT: every writer refuses PATH, which is left as it was.
refused() {
	local path=$1 what=$2 kind
	kind=$( (stat -c %F "$path"; readlink "$path") 2>/dev/null | tr "\n" " ")
	expect_exit 1 "export-cert (PKCS#12) -o $what is refused" \
		p11c -d "$DB" export-cert --p12-password-file "$T/p12.pw" -o "$path" mail
	check "  the message says what it is ($(cat "$T/err"))" grep -q 'not a regular file' "$T/err"
	expect_exit 1 "export-cert --format pem -o $what is refused" \
		p11c -d "$DB" export-cert --format pem -o "$path" mail
	expect_exit 1 "export-cert --key-out $what is refused" \
		p11c -d "$DB" export-cert --format pem --key-out "$path" -o "$T/cert.pem" mail
	check "  and no certificate file was left either" test ! -e "$T/cert.pem"
	echo "old key" >"$T/key.pem"
	expect_exit 1 "export-cert --key-out KEY -o $what is refused" \
		p11c -d "$DB" export-cert --format pem --key-out "$T/key.pem" -o "$path" mail
	check "  and the existing key file is as it was" test "$(cat "$T/key.pem")" = "old key"
	rm -f "$T/key.pem"
	expect_exit 1 "export-trust -o $what is refused" p11c -d "$DB" export-trust -o "$path"
	expect_exit 1 "sign-request -o $what is refused" \
		p11c -d "$DB" sign-request --ca siteca -o "$path" "$T/relay.csr"
	expect_exit 1 "request-cert -o $what is refused" \
		p11c -d "$DB" request-cert --name refused.example.com -o "$path"
	local now
	now=$( (stat -c %F "$path"; readlink "$path") 2>/dev/null | tr "\n" " ")
	if [ "$now" = "$kind" ]; then ok "  $what is still what it was ($kind)"; else
		not_ok "  $what changed: got '$now', wanted '$kind'"; fi
}

refused "$T/fifo" "a FIFO"
check "  the FIFO is still a FIFO" test -p "$T/fifo"
if [ -c "$T/chr" ]; then
	refused "$T/chr" "a character device (mknod)"
fi
refused "$T/link" "a symbolic link"
check "  its target is untouched" test "$(cat "$T/target")" = "keep me"
refused "$T/dangling" "a dangling symbolic link"
check "  nothing was made at its target" test ! -e "$T/gone"
refused "$T" "a directory"
if [ "$(id -u)" = 0 ]; then
	refused /dev/null "/dev/null (as root)"
	check "  /dev/null is still a character device" test -c /dev/null
	check "  /dev/null is still mode 666" test "$(stat -c %a /dev/null)" = 666
	refused /dev/stdout "/dev/stdout (as root)"
else
	echo "# not root: /dev/null not tried"
fi
same_as "$before" "the database is unchanged after the refusals"
check "no temporary file was left beside the outputs" test -z "$(ls "$T" | grep -E '\.[A-Za-z0-9]{6}$')"
check "no request key was made" test "$(certutil -d "sql:$DB" -K -f <(db_password) 2>/dev/null | grep -c refused)" = 0

# --key-out and -o naming one file.
expect_exit 2 "--key-out equal to -o is refused" \
	p11c -d "$DB" export-cert --format pem --key-out "$T/both.pem" -o "$T/both.pem" mail
check "  nothing was written" test ! -e "$T/both.pem"
mkdir -p "$T/sub"
expect_exit 2 "--key-out and -o through another name (./x and dir/../x)" \
	p11c -d "$DB" export-cert --format pem --key-out "$T/sub/../both.pem" -o "$T/./both.pem" mail
(cd "$T/sub" && expect_exit 2 "--key-out relative, -o absolute, one file" \
	p11c -d "$DB" export-cert --format pem --key-out ../both.pem -o "$T/both.pem" mail)
echo old >"$T/old.pem"
ln "$T/old.pem" "$T/hard.pem"
expect_exit 2 "--key-out and -o two hard links of one file" \
	p11c -d "$DB" export-cert --format pem --key-out "$T/hard.pem" -o "$T/old.pem" mail
check "  the file is as it was" test "$(cat "$T/old.pem")" = old

# Regular files are still replaced, and read by the peers.
expect_exit 0 "an existing regular file is replaced" \
	p11c -d "$DB" export-cert --format pem --key-out "$T/key.pem" -o "$T/old.pem" mail
check "  openssl reads the certificate" openssl x509 -in "$T/old.pem" -noout
check "  openssl reads the key, mode 0600" test "$(stat -c %a "$T/key.pem")" = 600 -a \
	"$(openssl pkey -in "$T/key.pem" -pubout)" = "$(openssl x509 -in "$T/old.pem" -noout -pubkey)"
expect_exit 0 "PKCS#12 to a regular file" \
	p11c -d "$DB" export-cert --p12-password-file "$T/p12.pw" -o "$T/mail.p12" mail
check "  openssl reads it" openssl pkcs12 -in "$T/mail.p12" -noout -passin 'pass:p12 secret'
# request-cert: when writing the request fails after the key was made, the
# key goes too.  A preloaded rename() that fails for names ending in
# ".fail" stands in for a disk that fills (test-only; not under ASan).
if command -v cc >/dev/null && [ -z "${P11CERT_WRAPPER:-}" ] &&
	! ldd "$P11CERT" | grep -q libasan; then
	cat >"$T/failrename.c" <<'C'
#include <errno.h>
#include <string.h>
#include <dlfcn.h>
int rename(const char *from, const char *to)
{
	size_t n = strlen(to);
	if (n > 5 && !strcmp(to + n - 5, ".fail")) {
		errno = ENOSPC;
		return -1;
	}
	int (*real)(const char *, const char *) = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	return real(from, to);
}
C
	cc -shared -fPIC -o "$T/failrename.so" "$T/failrename.c" -ldl
	snap=$(snapshot)
	expect_exit 1 "request-cert whose write fails after the key was made" \
		env LD_PRELOAD="$T/failrename.so" "$P11CERT" -d "$DB" request-cert --name late.example.com -o "$T/r.fail"
	check "  it says why ($(cat "$T/err"))" grep -q "cannot write '$T/r.fail': No space left on device" "$T/err"
	same_as "$snap" "  the new key was removed (certutil -K unchanged)"
	check "  no request or temporary file is left" test -z "$(ls "$T" | grep '^r\.fail')"
	expect_exit 0 "request-cert -o FILE still works" \
		p11c -d "$DB" request-cert --name late.example.com -F ascii -o "$T/r.pem"
	check "  openssl verifies it, and it is mode 0644" test "$(stat -c %a "$T/r.pem")" = 644 -a \
		"$(openssl req -in "$T/r.pem" -noout -verify 2>&1)" = "Certificate request self-signature verify OK"
fi
finish
