#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Kill sweep: every write command killed (SIGKILL) at each fdatasync it makes
# (strace's syscall injection) and at seeded random times.  After each kill
# the database must open read-only for certutil -L, p11cert list-certs and
# selfserv, and a re-run of the command must leave the state a clean run
# leaves (trust included; no duplicate alias, no stray key).
# P11CERT_SOAK=1: every kill point and 30 random kills per command; else a
# bounded sample (every point the first time round, 4 random kills).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"
need certutil openssl strace selfserv pkcs11-tool softhsm2-util
SOAK=${P11CERT_SOAK:-0}
RANDOM_KILLS=4
[ "$SOAK" = 1 ] && RANDOM_KILLS=30
RANDOM_KILLS=${P11CERT_RANDOM_KILLS:-$RANDOM_KILLS}
# Under a sanitizer every run is slower: every second kill point.
STRIDE=1
[ -n "${P11CERT_SANITIZED:-}" ] && STRIDE=2 && RANDOM_KILLS=2
RANDOM=${P11CERT_SEED:-1234}
echo "# seed ${P11CERT_SEED:-1234}"

# What must come out the same: certificates with trust, keys by type and name.
state() {
	certutil -d "sql:$DB" -L 2>&1 | tail -n +5 | sed 's/  */ /g' | sort
	echo --
	certutil -d "sql:$DB" -K -f "$DB/sslpassword.conf" 2>&1 |
		sed -n 's/^< *[0-9]*> *\([a-z]*\) *[0-9a-f]* *\(.*\)$/\1 \2/p' | sort
	echo "-- token"
	P11C_TEST_PIN=1234 pkcs11-tool --module "$SOFTHSM_MODULE" --token-label crash-hsm --login \
		--pin env:P11C_TEST_PIN -O 2>&1 |
		awk '/Object;/ { t = $1 " " $2 } $1 == "label:" { print t, $2 } /error|rror:/ { print }' |
		sort
}

# The starting point of every run: a database with a server certificate, a
# site CA, a CA-issued certificate (mail) and a key waiting for its
# certificate (pending), and the files the commands take.
make_token crash-hsm 1234
new_db
# The token's PIN in a password file of its own: the internal token's
# commands do not log in to it (a kill inside SoftHSM's C_Login can leave
# its file store unreadable: a defect of SoftHSM's, see below).
(umask 077 && cat "$DB/sslpassword.conf" >"$T/hsm.pw" && echo "crash-hsm:1234" >>"$T/hsm.pw")
p11c -q -d "$DB" add-selfsign-cert --name srv.example.com --key-type ec:p256 srv
p11c -q -d "$DB" -W "$T/hsm.pw" add-selfsign-cert --token crash-hsm --name hsrv.example.com \
	--key-type ec:p256 hsrv
p11c -q -d "$DB" add-selfsign-cert --ca --name "Site CA" --key-type ec:p256 siteca
make_ca ca "/CN=Crash CA"
p11c -q -d "$DB" request-cert --name mail.example.com --key-type ec:p256 -F ascii -o "$T/mail.req"
for d in 30 400; do
	openssl x509 -req -in "$T/mail.req" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
		-days $d -copy_extensions copy -out "$T/mail-$d.pem" 2>/dev/null
done
p11c -q -d "$DB" add-cert mail "$T/mail-30.pem"
p11c -q -d "$DB" request-cert --name pending.example.com --key-type ec:p256 -F ascii \
	-o "$T/pending.req"
openssl x509 -req -in "$T/pending.req" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
	-days 90 -copy_extensions copy -out "$T/pending.pem" 2>/dev/null
for i in 1 2 3 4 5; do make_ca "b$i" "/CN=Bundle CA $i"; cat "$T/b$i.pem"; done >"$T/bundle.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/p12.key" \
	-subj /CN=p12.example.com -days 90 -out "$T/p12.pem" 2>/dev/null
(umask 077 && echo p12pass >"$T/p12.pw")
openssl pkcs12 -export -in "$T/p12.pem" -inkey "$T/p12.key" -name p12 -passout file:"$T/p12.pw" \
	-out "$T/p12.p12"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/pem.key" \
	-subj /CN=pem.example.com -days 90 -out "$T/pem.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/client.key" \
	-subj /CN=client.example.com -out "$T/client.csr" 2>/dev/null
make_chain "$T/pki" localhost
TLS_PORT=$(free_port)
start_tls_server 127.0.0.1 "$TLS_PORT" "$T/pki/chain.pem" "$T/pki/leaf.key"
rm -rf "$T/base" "$T/base-tokens"
cp -a "$DB" "$T/base"
cp -a "$T/softhsm/tokens" "$T/base-tokens"

# The commands, each as the words after 'p11cert -d DB'.
commands=(
	"add-selfsign-cert --name new.example.com --key-type ec:p256 new"
	"request-cert --name req.example.com --key-type ec:p256 --alias req -F ascii -o $T/out.req"
	"add-cert pending $T/pending.pem"
	"add-cert -C --bundle $T/bundle.pem"
	"import-cert --p12-password-file $T/p12.pw $T/p12.p12"
	"import-cert --key $T/pem.key --cert $T/pem.pem"
	"renew-cert mail $T/mail-400.pem"
	"renew-selfsign-cert --days 200 srv"
	"renew-selfsign-cert --new-key srv"
	"change-password --random"
	"remove-cert mail"
	"sign-request --ca siteca --usage client --days 30 -o $T/client.pem $T/client.csr"
	"fetch-chain --add-trust smtps://127.0.0.1:$TLS_PORT"
	"-W $T/hsm.pw add-selfsign-cert --token crash-hsm --name hnew.example.com --key-type ec:p256 hnew"
	"-W $T/hsm.pw renew-selfsign-cert --new-key crash-hsm:hsrv"
	"-W $T/hsm.pw remove-cert crash-hsm:hsrv"
)

# Whether selfserv can start on the database and serve with srv's key (it
# opens the database read-only, as mail servers do).
serves() {
	local port log=$T/selfserv.log pid i
	port=$(free_port)
	selfserv -d "sql:$DB" -n srv -p "$port" -f "$DB/sslpassword.conf" -V tls1.2: \
		>"$log" 2>&1 &
	pid=$!
	for i in $(seq 50); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null
			return 1
		fi
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ "$i" -lt 50 ]
}

# after_kill WHAT: the database opens read-only, and a re-run completes.
after_kill() {
	local what=$1 cmd=$2 want=$3 got
	# A change-password killed between the token's change and the password
	# file's rename: the next p11cert command, read-only too, puts the
	# staged file in place; until then NSS's own tools read the old one.
	if [[ $cmd == change-password* ]] && ! p11c -q -d "$DB" list-certs >"$T/ro.out" 2>&1; then
		not_ok "$what: list-certs fails: $(head -c 200 "$T/ro.out")"
		return 1
	fi
	if ! certutil -d "sql:$DB" -L >"$T/ro.out" 2>&1; then
		not_ok "$what: certutil -L cannot open the database: $(head -c 200 "$T/ro.out")"
		return 1
	fi
	if ! serves; then
		not_ok "$what: selfserv cannot start: $(head -c 200 "$T/selfserv.log")"
		return 1
	fi
	if ! p11c -q -d "$DB" list-certs --all >"$T/ro.out" 2>&1; then
		not_ok "$what: list-certs fails: $(head -c 200 "$T/ro.out")"
		return 1
	fi
	# shellcheck disable=SC2086
	p11c -q -d "$DB" $cmd >"$T/rerun.out" 2>&1
	got=$(state)
	if [ "$got" != "$want" ]; then
		not_ok "$what: after a re-run ($(head -c 200 "$T/rerun.out")): got
$got
wanted
$want"
		return 1
	fi
	return 0
}

# The command under strace: killed at its Nth fdatasync.  Exit 137 when
# killed, else the command's own status.
killed_at() {
	local n=$1 cmd=$2
	# shellcheck disable=SC2086
	strace -f -qq -o /dev/null -e trace=fdatasync,fsync \
		-e inject=fdatasync,fsync:signal=KILL:when=$n "$P11CERT" ${P11C_AUTO_MODULE:+--module "$P11C_AUTO_MODULE"} -q -d "$DB" $cmd \
		>/dev/null 2>&1
}

# A database of NSS's own making uses the rollback journal: check says so,
# and a hot journal left by a killed certutil keeps certutil -L out until
# p11cert, opening it, rolls the journal back.
OLD=$T/old
mkdir -p "$OLD"
certutil -N -d "sql:$OLD" --empty-password
check "check reports the rollback journal" \
	grep -q '"code": *"journal"' <(p11c -d "$OLD" check --json 2>&1)
hot=0
for n in 1 2 3 4 5 6; do
	{ strace -f -qq -o /dev/null -e trace=fdatasync -e inject=fdatasync:signal=KILL:when=$n \
		certutil -A -d "sql:$OLD" -n "hot$n" -t CT,, -i "$T/ca.pem" >/dev/null 2>&1; } 2>/dev/null
	[ -s "$OLD/cert9.db-journal" ] && ! certutil -d "sql:$OLD" -L >/dev/null 2>&1 && hot=1 && break
done
if [ "$hot" = 1 ]; then
	check "a hot journal: check reports the write it rolled back" \
		grep -q '"code": *"interrupted-write"' <(p11c -d "$OLD" check --json 2>&1)
	check "certutil -L opens it again" certutil -d "sql:$OLD" -L
else
	not_ok "no kill of certutil left a hot journal to test with"
fi
p11c -q -d "$OLD" add-cert -C oldca "$T/ca.pem"
check "a p11cert write turns the files to write-ahead logging" \
	fails grep -q '"code": *"journal"' <(p11c -d "$OLD" check --json 2>&1)

# Two certificates under one alias (another tool's renewal cut short).
for i in 1 2; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
		-subj /CN=twice -days 30 -out "$T/twice$i.pem" 2>/dev/null
	certutil -A -d "sql:$OLD" -n twice -t P,, -i "$T/twice$i.pem"
done
check "check reports two certificates under one alias" \
	grep -q '"code": *"duplicate-alias"' <(p11c -d "$OLD" check --json 2>&1)

# An interrupted write: check reports it until the next writer finishes it.
fresh() {
	rm -rf "$DB" "$T/out.req" "$T/client.pem" "$T/softhsm/tokens"
	cp -a "$T/base" "$DB"
	cp -a "$T/base-tokens" "$T/softhsm/tokens"
}
fresh
{ strace -f -qq -o /dev/null -e trace=fdatasync,fsync -e inject=fdatasync,fsync:signal=KILL:when=4 \
	"$P11CERT" ${P11C_AUTO_MODULE:+--module "$P11C_AUTO_MODULE"} -q -d "$DB" add-selfsign-cert --name x.example.com x >/dev/null 2>&1; } 2>/dev/null
p11c -q -d "$DB" check >"$T/check.out" 2>&1
rc=$?
check "check after a killed add-selfsign-cert: exit 2, a problem (got $rc: $(head -c 300 "$T/check.out"))" \
	test "$rc" = 2
check "the finding is an interrupted write" \
	grep -q '"code": *"interrupted-write"' <(p11c -d "$DB" check --json 2>&1)
p11c -q -d "$DB" add-selfsign-cert --name x.example.com x
check "after a re-run, nothing is left to report" \
	fails grep -q '"code": *"interrupted-write"' <(p11c -d "$DB" check --json 2>&1)

total_points=0
total_random=0
for cmd in "${commands[@]}"; do
	# P11CERT_CRASH_ONLY=WORDS: only the commands that hold WORDS (debugging)
	[[ -z ${P11CERT_CRASH_ONLY:-} || $cmd == *"$P11CERT_CRASH_ONLY"* ]] || continue
	name=${cmd#-W "$T/hsm.pw" }
	name=${name%% *}
	[[ $cmd == *--bundle* ]] && name="add-cert --bundle"
	[[ $cmd == *--new-key* ]] && name="renew-selfsign-cert --new-key"
	[[ $cmd == *--key* && $name == import-cert ]] && name="import-cert --key"
	[[ $cmd == *crash-hsm* ]] && name="$name (SoftHSM)"
	fresh
	# shellcheck disable=SC2086
	if ! p11c -q -d "$DB" $cmd >"$T/clean.out" 2>&1; then
		not_ok "$name: a clean run fails: $(head -c 300 "$T/clean.out")"
		continue
	fi
	want=$(state)
	bad=0 points=0 n=1
	while :; do
		fresh
		{ killed_at "$n" "$cmd"; } 2>/dev/null
		rc=$?
		[ "$rc" = 137 ] || break # the command ran past its last fdatasync
		points=$((points + 1))
		after_kill "$name killed at fdatasync $n" "$cmd" "$want" || bad=$((bad + 1))
		n=$((n + STRIDE))
	done
	total_points=$((total_points + points))
	if [ "$bad" = 0 ]; then
		ok "$name: killed at $points of its fdatasyncs: opens read-only, re-run completes"
	fi
	# Kills at random times: a delay within the command's own run time.
	start=$(date +%s%N)
	fresh
	# shellcheck disable=SC2086
	p11c -q -d "$DB" $cmd >/dev/null 2>&1
	span=$((($(date +%s%N) - start) / 1000000))
	[ "$span" -gt 0 ] || span=1
	bad=0
	kills=$RANDOM_KILLS
	# SoftHSM's file store makes an object before it writes its attributes:
	# a kill inside C_CreateObject or C_GenerateKeyPair can leave one with
	# none (a certificate without CKA_VALUE, a public key without its point)
	# that no record can match.  Its random kills only in the soak.
	[[ $cmd == *crash-hsm* && $SOAK != 1 ]] && kills=0
	for i in $(seq "$kills"); do
		fresh
		delay=$((RANDOM % span))
		# shellcheck disable=SC2086
		"$P11CERT" ${P11C_AUTO_MODULE:+--module "$P11C_AUTO_MODULE"} -q -d "$DB" $cmd >/dev/null 2>&1 &
		pid=$!
		sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
		{
			kill -KILL "$pid"
			wait "$pid"
		} 2>/dev/null
		total_random=$((total_random + 1))
		after_kill "$name killed after ${delay} ms" "$cmd" "$want" || bad=$((bad + 1))
	done
	[ "$bad" = 0 ] && [ "$kills" -gt 0 ] && ok "$name: $kills kills at random times (run takes ${span} ms)"
done
ok "kill sweep: ${#commands[@]} commands, $total_points fdatasync kill points, $total_random random kills"
finish
