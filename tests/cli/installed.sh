#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
# The installed library as a program outside the tree uses it: meson
# install into a staging directory, examples/c/*.c compiled against the
# installed header with pkg-config's flags alone (which name no NSS, NSPR
# or p11-kit directory), run on a database p11cert made, and its report
# compared with list-certs (--json, --expiring) and with certutil -L.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/servers.sh"
need certutil pk12util openssl pkg-config python3 nm readelf softhsm2-util
: "${BUILDDIR:?BUILDDIR must name the meson build directory}"
read -ra CC <<<"${P11C_CC:-cc}" # the build's compiler, maybe "ccache gcc"
EXAMPLES="$TESTDIR/../../examples/c"

# same_text WHAT GOT WANTED: equal, or both shown.
same_text() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf '  got:\n%s\n  wanted:\n%s\n' "$2" "$3" | sed 's/^/    /'
	fi
}

# ---- install, and what pkg-config says of it ----
INST="$T/inst"
if meson install -C "$BUILDDIR" --no-rebuild --destdir "$INST" >"$T/install.log" 2>&1; then
	ok "meson install --destdir"
else
	not_ok "meson install --destdir: $(tail -5 "$T/install.log")"
	finish
	exit
fi
pc=$(find "$INST" -name libp11cert.pc | head -1)
header=$(find "$INST" -path '*/include/p11cert.h' | head -1)
check "libp11cert.pc and p11cert.h are installed (got '$pc', '$header')" test -f "$pc" -a -f "$header"
export PKG_CONFIG_PATH=${pc%/*} PKG_CONFIG_SYSROOT_DIR=$INST PKG_CONFIG_LIBDIR=${pc%/*}
cflags=$(pkg-config --cflags libp11cert | xargs)
libs=$(pkg-config --libs libp11cert)
static=$(pkg-config --libs --static libp11cert)
same_text "pkg-config --cflags names only the installed include directory" \
	"$cflags" "-I${header%/p11cert.h}"
check "pkg-config --libs names the installed library (got '$libs')" \
	test -e "$(sed -n 's/.*-L\([^ ]*\).*/\1/p' <<<"$libs")/libp11cert.so"
for lib in -lp11cert -lnss3 -lnspr4 -lsmime3 -lssl3 -lp11-kit -lcrypto -lsqlite3; do
	case " $static " in
	*" $lib "*) ok "pkg-config --libs --static has $lib" ;;
	*) not_ok "pkg-config --libs --static has $lib: got '$static'" ;;
	esac
done
so=$(find "$INST" -name 'libp11cert.so.*' -type f | head -1)
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
same_text "the installed library's soname" "$soname" "libp11cert.so.1"
same_text "the installed library reads no test-only variable" \
	"$(grep -ao 'P11CERT_TEST[A-Z_]*\|P11SHIM[A-Z_]*\|P11FAULT[A-Z_]*' "$so")" ""
exports=$(nm -D --defined-only "$so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort)
parts=("${header%/p11cert.h}"/p11cert/*.h)
check "the headers p11cert.h includes are installed beside it (got ${#parts[@]})" \
	test "${#parts[@]}" -ge 7 -a -f "${parts[0]}"
declared=$(cat "$header" "${parts[@]}" | grep -o '^[a-z][^(]*[ *]p11c_[a-z0-9_]*(' | grep -v typedef |
	sed 's/.*\(p11c_[a-z0-9_]*\)(/\1/' | sort)
same_text "the installed library exports what the installed header declares" "$exports" "$declared"
# OpenSSL's half: a module beside it, loaded when a PEM key or a Java
# truststore needs it (osslload.c), so that a command's start pays no
# libcrypto.
mod=$(find "$INST" -name 'p11cert-ossl.so' -type f | head -1)
same_text "the OpenSSL module is installed as LIBDIR/p11cert/p11cert-ossl.so" "$mod" \
	"${so%/*}/p11cert/p11cert-ossl.so"
same_text "the library does not link libcrypto itself" "$(readelf -d "$so" | grep -c libcrypto)" 0
bin=$(find "$INST" -path '*/bin/p11cert' -type f | head -1)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/inst.key" \
	-subj /CN=inst.example -days 30 -out "$T/inst.pem" 2>/dev/null
new_db "$T/instdb"
check "the installed command imports a PEM key through the installed module" \
	env LD_LIBRARY_PATH="${so%/*}" LD_DEBUG=files "$bin" -q -d "$T/instdb" import-cert \
	--key "$T/inst.key" --cert "$T/inst.pem" --alias inst 2>"$T/ld.log"
check "ld.so loaded that module: $(grep -o 'file=[^ ]*ossl[^ ]*' "$T/ld.log" | head -2)" \
	grep -q "file=$mod " "$T/ld.log"
same_text "certutil -K shows the key" "$(certutil -K -d "sql:$T/instdb" -f "$T/instdb/sslpassword.conf" |
	grep -c inst)" 1
mv "$mod" "$mod.away"
LD_LIBRARY_PATH="${so%/*}" "$bin" -d "$T/instdb" import-cert --key "$T/inst.key" --cert "$T/inst.pem" \
	--alias inst2 >/dev/null 2>"$T/err"
same_text "without the module: exit 1" "$?" 1
check "one line naming the module: $(cat "$T/err")" test "$(wc -l <"$T/err")" = 1 -a \
	"$(grep -c "cannot load p11cert's OpenSSL module: .*p11cert-ossl.so" "$T/err")" = 1
same_text "and nothing stored (certutil -L)" "$(certutil -L -d "sql:$T/instdb" | grep -c inst)" 1
mv "$mod.away" "$mod"

# The network half (libcurl, libmicrohttpd): p11cert-net.so beside it,
# loaded when fetch-chain --ca-issuers (or ACME) needs it (netload.c).
netmod=$(find "$INST" -name 'p11cert-net.so' -type f | head -1)
same_text "the network module is installed as LIBDIR/p11cert/p11cert-net.so" "$netmod" \
	"${so%/*}/p11cert/p11cert-net.so"
same_text "the library does not link libcurl or libmicrohttpd itself" \
	"$(readelf -d "$so" | grep -cE 'NEEDED.*(libcurl|libmicrohttpd)')" 0
same_text "the module links libcurl" "$(readelf -d "$netmod" | grep -c 'NEEDED.*libcurl')" 1
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY
PH=$(free_port)
mkdir -p "$T/www"
make_chain "$T/pki" localhost "http://127.0.0.1:$PH/int.der"
cp "$T/pki/int.der" "$T/www/int.der"
start_http 127.0.0.1 "$PH" "$T/www"
PT=$(free_port)
start_tls_server 127.0.0.1 "$PT" "$T/pki/leafonly.pem" "$T/pki/leaf.key"
LD_LIBRARY_PATH="${so%/*}" LD_DEBUG=files "$bin" -d "$T/instdb" fetch-chain --ca-issuers \
	"https://127.0.0.1:$PT" >"$T/out" 2>"$T/ld.log"
check "the installed command fetches the caIssuers URL: $(grep '^Note' "$T/out" | head -2)" \
	grep -q "^Note: caIssuers http://127.0.0.1:$PH/int.der: 1 certificate$" "$T/out"
check "the http server was asked" grep -q 'GET /int.der' "$T/http-$PH.log"
check "ld.so loaded that module: $(grep -o 'file=[^ ]*p11cert-net[^ ]* .*dynamically loaded' "$T/ld.log" | tail -1)" \
	grep -q "file=$netmod .*dynamically loaded" "$T/ld.log"
mv "$netmod" "$netmod.away"
LD_LIBRARY_PATH="${so%/*}" "$bin" -d "$T/instdb" fetch-chain --ca-issuers "https://127.0.0.1:$PT" \
	>"$T/out" 2>"$T/err"
same_text "without the module: exit 1 (not trusted)" "$?" 1
check "the caIssuers note names the module: $(grep '^Note' "$T/out")" \
	grep -q "^Note: caIssuers http://127.0.0.1:$PH/int.der: cannot load p11cert's network module: .*p11cert-net.so" "$T/out"
check "the http server was not asked again" test "$(grep -c 'GET /int.der' "$T/http-$PH.log")" = 1
mv "$netmod.away" "$netmod"

# ---- each example, built as a user builds it ----
sanitize=()
[ "${P11C_SANITIZE:-none}" != none ] && sanitize=("-fsanitize=$P11C_SANITIZE")
for src in "$EXAMPLES"/*.c; do
	name=$(basename "$src" .c)
	# shellcheck disable=SC2086 # pkg-config's flags are words
	if "${CC[@]}" -std=c11 -Wall -Wextra -Werror "${sanitize[@]}" -o "$T/$name" "$src" \
		$cflags $libs >"$T/cc.log" 2>&1; then
		ok "examples/c/$name.c compiles against the installed library"
	else
		not_ok "examples/c/$name.c compiles against the installed library: $(head -20 "$T/cc.log")"
	fi
	# shellcheck disable=SC2086
	check "examples/c/$name.c links with pkg-config --libs --static too" \
		"${CC[@]}" -std=c11 "${sanitize[@]}" -o "$T/$name-s" "$src" $cflags $static
done
export LD_LIBRARY_PATH=${so%/*}
lib_used=$(ldd "$T/expiring" | awk '$1 ~ /^libp11cert/ { print $3 }')
same_text "expiring loads the installed library" "$(realpath "$lib_used")" "$(realpath "$so")"
run() { ${P11CERT_WRAPPER:-} "$T/expiring" "$@"; }

# ---- a database: keys expiring soon and late, an expired one, a CA ----
new_db
p11c -q -d "$DB" add-selfsign-cert soon --name soon.example --key-type ec:p256 --days 10 &&
	p11c -q -d "$DB" add-selfsign-cert later --name later.example --key-type ec:p256 --days 400 ||
	{ echo "cannot make certificates" >&2; exit 1; }
fixed_cert old "/CN=old.example" 20200101000000Z 20210101000000Z
import_with_key old "old one"
make_ca root "/CN=Installed Test Root"
p11c -q -d "$DB" add-cert -C root "$T/root.pem" || { echo "cannot add root" >&2; exit 1; }

t0=$(date +%s)
run "$DB" 30 >"$T/report" 2>"$T/report.err"
rc=$?
t1=$(date +%s)
same_text "expiring DB 30: exit 1 (some expiring), nothing on stderr" "$rc:$(cat "$T/report.err")" "1:"
p11c -d "$DB" list-certs --all --json >"$T/all.json"
p11c -d "$DB" list-certs --all --expiring 30 --json >"$T/soon.json"
# What the report should say, from list-certs: alias, not_after, whole
# days left (from some second the run took: t0 to t1), status (expired
# before then, else expiring when list-certs --expiring 30 keeps it), and
# the count.
wanted=$(python3 - "$T/all.json" "$T/soon.json" 30 "$t0" "$t1" "$T/report" <<'PY'
import json, sys, datetime
every = json.load(open(sys.argv[1]))
soon = {c["alias"] for c in json.load(open(sys.argv[2]))}
t0, t1 = int(sys.argv[4]), int(sys.argv[5])
got = {l.split("\t")[0]: l.split("\t") for l in open(sys.argv[6]) if l.count("\t") == 3}
n = 0
for c in every:
    t = datetime.datetime.strptime(c["not_after"], "%Y-%m-%dT%H:%M:%SZ")
    t = int(t.replace(tzinfo=datetime.timezone.utc).timestamp())
    lo, hi = (t - t1) // 86400, (t - t0) // 86400
    left = got.get(c["alias"], ["", "", ""])[2]
    left = left if left.lstrip("-").isdigit() and lo <= int(left) <= hi else "%d..%d" % (lo, hi)
    status = "expired" if t <= t0 else "expiring" if c["alias"] in soon else "ok"
    n += status != "ok"
    print("%s\t%s\t%s\t%s" % (c["alias"], c["not_after"], left, status))
print("%d certificates, %d expiring within %s days" % (len(every), n, sys.argv[3]))
PY
)
same_text "expiring's report is list-certs --all/--expiring's" "$(cat "$T/report")" "$wanted"
same_text "expiring reports what certutil -L holds" \
	"$(cut -f1 "$T/report" | sed '$d' | sort)" \
	"$(certutil -d "sql:$DB" -L | sed '1,4d' | awk '{ sub(/[ \t]+[^ \t]+[ \t]*$/, ""); print }' | sort)"
same_text "expiring names the one expiring within 30 days and the expired one" \
	"$(awk -F'\t' '$4 != "ok" && NF == 4 { print $1 ": " $4 }' "$T/report")" \
	"$(printf 'old one: expired\nsoon: expiring')"

run "$DB" 400 >"$T/report" 2>&1
same_text "expiring DB 400: later is expiring too" \
	"$(awk -F'\t' '$1 == "later" { print $4 }' "$T/report")" "expiring"

# ---- a certificate on a SoftHSM token whose PIN the password file lacks:
# the database's module (add-module, as NSS servers need it) is loaded by
# the library for any program; the certificate is public, so it is listed,
# and the token is named as not logged in ----
make_token mail-hsm 1111
P11C_AUTO_MODULE= # the module comes from the database, not --module
p11c -q -d "$DB" add-module softhsm "$SOFTHSM_MODULE" || exit 1
(umask 077 && { cat "$DB/sslpassword.conf"; echo "mail-hsm:1111"; } >"$T/hsm.pw")
p11c -q -d "$DB" -W "$T/hsm.pw" add-selfsign-cert --token mail-hsm --name relay.example \
	--key-type ec:p256 --days 20 relay || exit 1
run "$DB" 30 >"$T/report" 2>"$T/report.err"
same_text "expiring with a token: exit 1" "$?" 1
same_text "expiring reports the token's certificate as list-certs does" \
	"$(awk -F'\t' '$1 == "mail-hsm:relay" { print $1 ": " $4 }' "$T/report")" \
	"$(p11c -d "$DB" list-certs --all --expiring 30 --json 2>/dev/null |
		python3 -c 'import json,sys; [print(c["alias"] + ": expiring") for c in json.load(sys.stdin) if c["token"] == "mail-hsm"]')"
same_text "expiring reports every certificate certutil -L holds, the token's too" \
	"$(cut -f1 "$T/report" | sed '$d' | sort)" \
	"$(certutil -d "sql:$DB" -L -h all </dev/null 2>/dev/null | sed '1,4d' |
		awk 'NF { sub(/[ \t]+[^ \t]+[ \t]*$/, ""); print }' | sort)"
check "expiring says the token was not logged in (got: $(cat "$T/report.err"))" \
	grep -q "token 'mail-hsm' not logged in" "$T/report.err"

# ---- nothing due, and errors ----
mkdir -p "$T/fresh"
new_db "$T/fresh"
p11c -q -d "$T/fresh" add-selfsign-cert fine --name fine.example --key-type ec:p256 --days 90 ||
	exit 1
run "$T/fresh" 30 >"$T/report" 2>&1
same_text "expiring on a database with nothing due: exit 0" \
	"$?:$(tail -1 "$T/report")" "0:1 certificate, 0 expiring within 30 days"

before=$(snapshot)
run "$T/nowhere" 30 >"$T/out" 2>"$T/err"
rc=$?
check "a missing database: exit 2, one line naming it (got $rc: $(cat "$T/err"))" \
	test "$rc" = 2 -a "$(wc -l <"$T/err")" = 1
check "the message names the directory, not (null)" \
	grep -q "$T/nowhere" "$T/err" && check "no (null) in the message" fails grep -q '(null)' "$T/err"
run "$DB" -3 >"$T/out" 2>"$T/err"
same_text "a bad DAYS: exit 2" "$?" "2"
same_as "$before" "expiring changed nothing in the database"

finish
