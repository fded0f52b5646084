# SPDX-License-Identifier: MPL-2.0
# Shared helpers of the CLI tests: a temporary database per test, assertions,
# and snapshots that show a database unchanged.  Sourced by each test.
set -u

: "${P11CERT:?P11CERT must name the p11cert binary}"
P11CERT=$(realpath "$P11CERT")
T=$(mktemp -d "${TMPDIR:-/tmp}/p11cert-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
DB="$T/db"
export HOME="$T/home" XDG_DATA_HOME="$T/xdg"
unset P11CERT_DB CERT_PW_FILE
mkdir -p "$HOME"
failures=0
checks=0

# Run p11cert (under $P11CERT_WRAPPER, e.g. valgrind, when set).  Once a
# test has made a SoftHSM token, the module is named for each run
# (--module softhsm2, p11-kit's name for Debian's module file), as a user
# does who has not added it to the database (man p11cert, Modules).
p11c() {
	${P11CERT_WRAPPER:-} "$P11CERT" ${P11C_AUTO_MODULE:+--module "$P11C_AUTO_MODULE"} "$@"
}

# A peer this test cannot do without: skip (77) on a developer's machine,
# fail under CI=true, where every peer is installed.
need() {
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 && continue
		if [ "${CI:-}" = true ]; then
			echo "FAIL: peer '$tool' is missing under CI" >&2
			exit 1
		fi
		echo "SKIP: peer '$tool' is missing" >&2
		exit 77
	done
}

ok() { checks=$((checks + 1)); echo "ok - $*"; }
not_ok() { checks=$((checks + 1)); failures=$((failures + 1)); echo "not ok - $*"; }

# check DESCRIPTION COMMAND...: the command must succeed.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# fails COMMAND...: succeeds when COMMAND fails (for check).
fails() { ! "$@"; }

# expect_exit CODE DESCRIPTION COMMAND...: exit status CODE, and on failure
# exactly one line on stderr starting "p11cert: ".
expect_exit() {
	local want=$1 what=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	local got=$?
	if [ "$got" != "$want" ]; then
		not_ok "$what: exit $got, wanted $want ($(head -c 300 "$T/err"))"
		return
	fi
	if [ "$want" != 0 ]; then
		local lines
		lines=$(wc -l <"$T/err")
		if [ "$lines" != 1 ] || ! grep -q '^p11cert: ' "$T/err"; then
			not_ok "$what: stderr is not one 'p11cert: ' line: $(cat "$T/err")"
			return
		fi
	fi
	ok "$what"
}

# The password the database was made with (its sslpassword.conf).
db_password() {
	sed -n 's/^NSS Certificate DB://p' "${1:-$DB}/sslpassword.conf"
}

# certutil's view of the database: certificates with trust, and keys.
snapshot() {
	local dir=${1:-$DB}
	certutil -d "sql:$dir" -L 2>&1
	printf '%s\n' "$(db_password "$dir")" >"$T/.pw"
	certutil -d "sql:$dir" -K -f "$T/.pw" 2>&1 | sed 's/^< *[0-9]*>//'
	rm -f "$T/.pw"
}

# same_as SNAPSHOT DESCRIPTION: the database still looks as in SNAPSHOT.
same_as() {
	if [ "$(snapshot)" = "$1" ]; then ok "$2"; else not_ok "$2: database changed"; fi
}

# A fresh database with no default certificate.
new_db() {
	p11c -q -d "${1:-$DB}" generate-certdb --no-default-cert || {
		echo "cannot create a database" >&2
		exit 1
	}
}

finish() {
	echo "# $checks checks, $failures failed"
	[ "$failures" = 0 ]
}

# make_ca NAME SUBJECT [ISSUER]: an openssl CA ($T/NAME.pem, $T/NAME.key),
# self-signed or issued by ISSUER (another make_ca NAME).
make_ca() {
	local name=$1 subj=$2 issuer=${3:-}
	printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n' >"$T/ca.ext"
	if [ -z "$issuer" ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$T/$name.key" -subj "$subj" -days 3650 \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign -out "$T/$name.pem" 2>/dev/null
	else
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$T/$name.key" -subj "$subj" -out "$T/$name.csr" 2>/dev/null &&
			openssl x509 -req -in "$T/$name.csr" -CA "$T/$issuer.pem" -CAkey "$T/$issuer.key" \
				-CAcreateserial -days 3650 -extfile "$T/ca.ext" -out "$T/$name.pem" 2>/dev/null
	fi || { echo "cannot make CA $name" >&2; exit 1; }
}

# issue_for_key ALIAS SUBJECT ISSUER OUT: a certificate from openssl CA
# ISSUER for the public key of p11cert's certificate ALIAS.
issue_for_key() {
	local alias=$1 subj=$2 issuer=$3 out=$4
	certutil -d "sql:$DB" -L -n "$alias" -a | openssl x509 -noout -pubkey >"$T/$alias.pub" &&
		printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s\n' \
			"${subj#*=}" >"$T/leaf.ext" &&
		openssl x509 -new -force_pubkey "$T/$alias.pub" -subj "$subj" -CA "$T/$issuer.pem" \
			-CAkey "$T/$issuer.key" -CAcreateserial -days 365 -extfile "$T/leaf.ext" \
			-out "$out" 2>/dev/null || { echo "cannot issue for $alias" >&2; exit 1; }
}

# trust_of ALIAS: the trust certutil -L shows for ALIAS.
trust_of() {
	certutil -d "sql:${2:-$DB}" -L | awk -v a="$1" '
		{ t = $NF; n = $0; sub(/[ \t]+[^ \t]+[ \t]*$/, "", n); if (n == a) print t }'
}

# fixed_cert NAME SUBJECT START END [ISSUER]: a certificate with fixed
# dates (YYYYMMDDHHMMSSZ) from openssl ca, self-signed or issued by
# ISSUER (a make_ca or fixed_cert NAME); $T/NAME.pem and $T/NAME.key.
fixed_cert() {
	local name=$1 subj=$2 start=$3 end=$4 issuer=${5:-}
	mkdir -p "$T/ossl-ca/new"
	[ -f "$T/ossl-ca/index.txt" ] || { : >"$T/ossl-ca/index.txt"; echo 1000 >"$T/ossl-ca/serial"; }
	cat >"$T/ossl-ca.cnf" <<CNF
[ca]
default_ca = d
[d]
database = $T/ossl-ca/index.txt
new_certs_dir = $T/ossl-ca/new
serial = $T/ossl-ca/serial
default_md = sha256
policy = p
unique_subject = no
[p]
commonName = optional
organizationName = optional
CNF
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$name.key" \
		-subj "$subj" -out "$T/$name.csr" 2>/dev/null || exit 1
	if [ -z "$issuer" ]; then
		set -- -selfsign -keyfile "$T/$name.key"
	else
		set -- -cert "$T/$issuer.pem" -keyfile "$T/$issuer.key"
	fi
	openssl ca -batch -config "$T/ossl-ca.cnf" "$@" -in "$T/$name.csr" -startdate "$start" \
		-enddate "$end" -notext -preserveDN -out "$T/$name.pem" 2>/dev/null ||
		{ echo "cannot make $name" >&2; exit 1; }
}

# import_with_key NAME ALIAS: $T/NAME.pem and its key into the database
# with pk12util, as a user would move a key in.
import_with_key() {
	openssl pkcs12 -export -in "$T/$1.pem" -inkey "$T/$1.key" -name "$2" \
		-passout pass:p12 -out "$T/$1.p12" &&
		printf '%s\n' "$(db_password)" >"$T/.dbpw" &&
		pk12util -i "$T/$1.p12" -d "sql:$DB" -k "$T/.dbpw" -W p12 >/dev/null ||
		{ echo "cannot import $1" >&2; exit 1; }
}

# make_token LABEL PIN: a SoftHSM2 token of this test's own (SOFTHSM2_CONF
# in $T), made with softhsm/make-token.
make_token() {
	(umask 077 && echo "$2" >"$T/.pin" && echo 87654321 >"$T/.sopin")
	eval "$("$TESTDIR/../../softhsm/make-token" "$T/softhsm" "$1" "$T/.sopin" "$T/.pin")" ||
		{ echo "cannot make token $1" >&2; exit 1; }
	export SOFTHSM2_CONF
	rm -f "$T/.pin" "$T/.sopin"
	P11C_AUTO_MODULE=${P11C_AUTO_MODULE-softhsm2}
}

SOFTHSM_MODULE=/usr/lib/softhsm/libsofthsm2.so

# token_objects LABEL PIN: what pkcs11-tool sees on the token.
token_objects() {
	P11C_TEST_PIN=$2 pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$1" --login \
		--pin env:P11C_TEST_PIN -O 2>/dev/null
}

# token_key LABEL PIN NAME: pkcs11-tool's lines for the private key NAME.
token_key() {
	token_objects "$1" "$2" | awk -v n="$3" '
		/^[A-Z]/ { if (key && found) print block; block = ""; key = /^Private Key Object/; found = 0 }
		{ block = block $0 "\n"; if ($1 == "label:" && $2 == n) found = 1 }
		END { if (key && found) printf "%s", block }'
}
