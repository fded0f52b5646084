# SPDX-License-Identifier: MPL-2.0
# Local TLS peers for the fetch-chain tests: a test chain made with openssl,
# and real servers (aiosmtpd, dovecot, slapd, openssl s_server, python's
# http.server) plus two hostile peers, each in the background on 127.0.0.1
# or ::1, with its config, log and pid under $T.  Sourced after lib.sh; call
# the start_* functions directly (not in $(...) or a pipe), so that their
# servers are stopped when the test exits.

PEERS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../peers" && pwd)
SERVER_PIDS=()

# Stop every server started by this test, then wait for each to go.
stop_servers() {
	local pid i
	for pid in "${SERVER_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${SERVER_PIDS[@]}"; do
		for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	SERVER_PIDS=()
}

trap 'stop_servers; rm -rf "$T"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# peer_missing WHAT: lib.sh's need policy for a peer need cannot find:
# skip (77), or fail under CI=true.
peer_missing() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: peer $1 is missing under CI" >&2
		exit 1
	fi
	echo "SKIP: peer $1 is missing" >&2
	exit 77
}

# sbin TOOL: the path of TOOL, also from /usr/sbin when it is not in PATH.
sbin() {
	command -v "$1" 2>/dev/null && return
	[ -x "/usr/sbin/$1" ] && echo "/usr/sbin/$1" && return
	peer_missing "$1"
}

# free_port: a TCP port that is free on 127.0.0.1 and ::1 just now, and
# that no earlier call in this test handed out.  It is drawn at random from
# below the kernel's ephemeral range, so neither an outgoing connection nor
# another test's port-0 bind can take it between this choice and the
# server's bind (two calls that asked the kernel for port 0 were once given
# the same port, and pebble's two listeners collided).  The ports given are
# kept in $T/ports-given.
free_port() {
	GIVEN="$T/ports-given" python3 - <<'PY'
import errno
import os
import random
import socket
given_path = os.environ["GIVEN"]
try:
    with open(given_path) as f:
        given = {int(x) for x in f.read().split()}
except FileNotFoundError:
    given = set()
try:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        low = int(f.read().split()[0])
except (OSError, ValueError, IndexError):
    low = 32768
top = max(low - 1, 11000)
for _ in range(1000):
    port = random.randint(10000, top)
    if port in given:
        continue
    ok = True
    for family, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        s = socket.socket(family)
        try:
            s.bind((addr, port))
        except OSError as e:
            # no ::1 on this host: 127.0.0.1 alone decides
            if family == socket.AF_INET or e.errno == errno.EADDRINUSE:
                ok = False
        finally:
            s.close()
        if not ok:
            break
    if ok:
        with open(given_path, "a") as f:
            f.write("%d\n" % port)
        print(port)
        break
else:
    raise SystemExit("free_port: no free port found")
PY
}

# url_host ADDR: ADDR as it goes in a URL or host:port ([::1] for ::1).
url_host() {
	case $1 in *:*) echo "[$1]" ;; *) echo "$1" ;; esac
}

# wait_port NAME PID ADDR PORT LOG: wait (up to 10 s) until PORT accepts
# connections; otherwise fail the test with the server's log.
wait_port() {
	local name=$1 pid=$2 addr=$3 port=$4 log=$5 i
	for ((i = 0; i < 100; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "$name on $addr port $port exited at start; its log:" >&2
			sed 's/^/  | /' "$log" >&2
			exit 1
		fi
		if (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "$name on $addr port $port does not accept connections after 10 s; its log:" >&2
	sed 's/^/  | /' "$log" >&2
	exit 1
}

# spawn NAME ADDR PORT LOG COMMAND...: COMMAND in the background, its
# output in LOG, stopped on exit; returns once PORT accepts connections.
spawn() {
	local name=$1 addr=$2 port=$3 log=$4
	shift 4
	if (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null; then
		echo "cannot start $name: $addr port $port is already in use" >&2
		exit 1
	fi
	"$@" </dev/null >"$log" 2>&1 &
	SERVER_PIDS+=("$!")
	wait_port "$name" "$!" "$addr" "$port" "$log"
}

# chain_cert DIR NAME CN START END EXTENSIONS [ISSUER]: DIR/NAME.pem and
# DIR/NAME.key from openssl ca with DIR/openssl.cnf (see make_chain),
# self-signed or issued by ISSUER (another NAME in DIR).
chain_cert() {
	local dir=$1 name=$2 signer
	if [ -n "${7:-}" ]; then
		signer=(-cert "$dir/$7.pem" -keyfile "$dir/$7.key")
	else
		signer=(-selfsign -keyfile "$dir/$name.key")
	fi
	{
		openssl req -new -config "$dir/openssl.cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
			-nodes -keyout "$dir/$name.key" -subj "/CN=$3" -out "$dir/$name.csr" &&
			openssl ca -batch -config "$dir/openssl.cnf" "${signer[@]}" -in "$dir/$name.csr" \
				-startdate "$4" -enddate "$5" -extensions "$6" -notext -preserveDN \
				-out "$dir/$name.pem"
	} >>"$dir/openssl.log" 2>&1
}

# make_chain DIR HOST [AIA_URL]: a root CA, an intermediate and a leaf for
# HOST in DIR (root.pem int.pem int.der leaf.pem leafonly.pem leaf.key
# chain.pem), and a leaf that has expired (expired.pem expired.key
# expired-chain.pem); the leaves name AIA_URL as caIssuers when given.
make_chain() {
	local dir=$1 host=$2 aia=${3:-} cnf=$1/openssl.cnf
	local past recent ended year later
	past=$(date -u -d '30 days ago' +%Y%m%d%H%M%SZ)
	recent=$(date -u -d '1 day ago' +%Y%m%d%H%M%SZ)
	ended=$(date -u -d '10 days ago' +%Y%m%d%H%M%SZ)
	year=$(date -u -d '+365 days' +%Y%m%d%H%M%SZ)
	later=$(date -u -d '+3650 days' +%Y%m%d%H%M%SZ)
	mkdir -p "$dir/ca/new" || exit 1
	: >"$dir/ca/index.txt"
	echo "10$(openssl rand -hex 8)" >"$dir/ca/serial"
	cat >"$cnf" <<CNF
[req]
distinguished_name = dn
[dn]
[ca]
default_ca = d
[d]
database = $dir/ca/index.txt
new_certs_dir = $dir/ca/new
serial = $dir/ca/serial
default_md = sha256
policy = p
unique_subject = no
email_in_dn = no
[p]
commonName = supplied
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[int]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:$host,IP:127.0.0.1,IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
	[ -z "$aia" ] || echo "authorityInfoAccess = caIssuers;URI:$aia" >>"$cnf"
	if ! chain_cert "$dir" root "Test Root CA" "$past" "$later" root ||
		! chain_cert "$dir" int "Test Intermediate CA" "$past" "$later" int root ||
		! chain_cert "$dir" leaf "$host" "$recent" "$year" leaf int ||
		! chain_cert "$dir" expired "$host" "$past" "$ended" leaf int ||
		! openssl x509 -in "$dir/int.pem" -outform DER -out "$dir/int.der"; then
		echo "cannot make the test chain in $dir:" >&2
		cat "$dir/openssl.log" >&2
		exit 1
	fi
	rm -f "$dir"/*.csr
	cp "$dir/leaf.pem" "$dir/leafonly.pem"
	cat "$dir/leaf.pem" "$dir/int.pem" "$dir/root.pem" >"$dir/chain.pem"
	cat "$dir/expired.pem" "$dir/int.pem" "$dir/root.pem" >"$dir/expired-chain.pem"
}

# smtp_python: a python3 that has aiosmtpd (python3-aiosmtpd is for
# Debian's /usr/bin/python3, which may not be the first python3 in PATH).
smtp_python() {
	local py
	for py in python3 /usr/bin/python3; do
		"$py" -c 'import aiosmtpd' 2>/dev/null && { command -v "$py"; return; }
	done
	peer_missing "python3-aiosmtpd"
}

# start_smtp ADDR PORT CHAIN KEY [notls]: aiosmtpd's own server (its
# command line), offering STARTTLS with CHAIN unless notls is given.
start_smtp() {
	local addr=$1 port=$2 chain=$3 key=$4 py tls=()
	py=$(smtp_python) || exit
	[ "${5:-}" = notls ] || tls=(--tlscert "$chain" --tlskey "$key" --no-requiretls)
	spawn aiosmtpd "$addr" "$port" "$T/smtp-$port.log" \
		"$py" -m aiosmtpd -n -c aiosmtpd.handlers.Sink -l "$addr:$port" "${tls[@]}"
}

# start_dovecot ADDR IMAP_PORT POP3_PORT CHAIN KEY: dovecot with IMAP and
# POP3 on the plain ports, with STARTTLS and STLS, as the current user.
# Its users' mail processes run as $DOVECOT_UID:$DOVECOT_GID when set (the
# current user's else): Dovecot runs none as root, so a test that uses one
# (doveadm -u) as root names another.
start_dovecot() {
	local addr=$1 imap=$2 pop3=$3 chain=$4 key=$5 bin dir=$T/dovecot-$2 user group
	bin=$(sbin dovecot) || exit
	user=$(id -un) group=$(id -gn)
	# Dovecot's login processes refuse to run as root: as root, they run
	# as the package's unprivileged dovenull (or nobody).
	if [ "$(id -u)" = 0 ]; then
		user=nobody
		! id dovenull >/dev/null 2>&1 || user=dovenull
	fi
	mkdir -p "$dir/run" "$dir/state" "$dir/home"
	cat >"$dir/dovecot.conf" <<CONF
protocols = imap pop3
listen = $addr
base_dir = $dir/run
state_dir = $dir/state
instance_name = p11cert-test-$imap
log_path = $dir/dovecot.log
ssl = yes
ssl_cert = <$chain
ssl_key = <$key
default_login_user = $user
default_internal_user = $(id -un)
default_internal_group = $group
mail_location = maildir:$dir/home/Maildir
auth_mechanisms = plain
passdb {
	driver = static
	args = password=test
}
userdb {
	driver = static
	args = uid=${DOVECOT_UID:-$(id -u)} gid=${DOVECOT_GID:-$(id -g)} home=$dir/home
}
service imap-login {
	chroot =
	inet_listener imap {
		address = $addr
		port = $imap
	}
	inet_listener imaps {
		port = 0
	}
}
service pop3-login {
	chroot =
	inet_listener pop3 {
		address = $addr
		port = $pop3
	}
	inet_listener pop3s {
		port = 0
	}
}
service anvil {
	chroot =
}
${DOVECOT_EXTRA:-}
CONF
	: >"$dir/dovecot.log"
	spawn dovecot "$addr" "$imap" "$dir/dovecot.log" "$bin" -F -c "$dir/dovecot.conf"
	wait_port dovecot "${SERVER_PIDS[-1]}" "$addr" "$pop3" "$dir/dovecot.log"
}

# start_slapd ADDR PORT CHAIN KEY: slapd on ldap://ADDR:PORT, no database,
# StartTLS with CHAIN (GnuTLS in Debian's slapd reads the chain from one file).
start_slapd() {
	local addr=$1 port=$2 chain=$3 key=$4 bin dir=$T/slapd-$2
	bin=$(sbin slapd) || exit
	mkdir -p "$dir"
	cat >"$dir/slapd.conf" <<CONF
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
TLSCertificateFile $chain
TLSCertificateKeyFile $key
CONF
	spawn slapd "$addr" "$port" "$dir/slapd.log" \
		env LDAPNOINIT=1 "$bin" -d none -f "$dir/slapd.conf" -h "ldap://$(url_host "$addr"):$port/"
}

# start_tls_server ADDR PORT CHAIN KEY: implicit TLS with CHAIN (the leaf
# first) from openssl s_server -www, for smtps, imaps, pop3s, ldaps, https.
start_tls_server() {
	local addr=$1 port=$2 chain=$3 key=$4 rest=$T/s_server-$2-chain.pem
	local more=()
	awk 'n > 0 { print } /^-----END CERTIFICATE-----/ { n++ }' "$chain" >"$rest"
	[ ! -s "$rest" ] || more=(-cert_chain "$rest") # a leaf alone: no chain to send
	spawn "openssl s_server" "$addr" "$port" "$T/s_server-$port.log" \
		openssl s_server -www -accept "$(url_host "$addr"):$port" -cert "$chain" -key "$key" \
		"${more[@]}"
}

# start_http ADDR PORT DIR: python's http.server serving DIR.
start_http() {
	spawn http.server "$1" "$2" "$T/http-$2.log" \
		python3 -m http.server --bind "$1" --directory "$3" "$2"
}

# start_silent ADDR PORT: a peer that accepts connections and never sends.
start_silent() {
	spawn "silent peer" "$1" "$2" "$T/silent-$2.log" python3 "$PEERS/hostile.py" silent "$1" "$2"
}

# start_closer ADDR PORT: an SMTP peer that agrees to STARTTLS, reads the
# first TLS record (the ClientHello) and closes the connection (a FIN).
start_closer() {
	spawn "closer peer" "$1" "$2" "$T/closer-$2.log" python3 "$PEERS/hostile.py" closer "$1" "$2"
}

# start_hostile MODE ADDR PORT: another of hostile.py's peers (inject:
# data behind the STARTTLS go-ahead; greedy: an EHLO reply without end).
start_hostile() {
	spawn "$1 peer" "$2" "$3" "$T/$1-$3.log" python3 "$PEERS/hostile.py" "$1" "$2" "$3"
}

# make_tls_client: NSS client databases for selfserv_get: $T/client, with
# an EC certificate 'client' that the database $DB (password file $PW)
# trusts as a peer (P,,), and $T/anon, with no certificate at all.
make_tls_client() {
	local cdb="$T/client"
	mkdir -p "$cdb" "$T/anon"
	certutil -N -d "sql:$cdb" --empty-password &&
		certutil -N -d "sql:$T/anon" --empty-password &&
		head -c 64 /dev/urandom >"$T/noise" &&
		certutil -S -d "sql:$cdb" -n client -s CN=client -x -t "u,u,u" -k ec -q nistp256 \
			-z "$T/noise" -v 12 >/dev/null 2>&1 &&
		certutil -L -d "sql:$cdb" -n client -a >"$T/client.pem" &&
		certutil -A -d "sql:$DB" -f "$PW" -n client -t "P,," -a -i "$T/client.pem" ||
		{ echo "cannot make the TLS client databases" >&2; exit 1; }
}

# selfserv_get NICK [selfserv flags...]: selfserv on $DB's NICK, unlocked by
# $PW, and tstclnt's GET through it from $T/client (make_tls_client), with
# the client certificate when the flags ask for it (-r); says what each
# side printed when no reply came back.
selfserv_get() {
	local nick=$1 port client=()
	shift
	port=$(free_port)
	case " $* " in *" -r "*) client=(-n client) ;; esac
	spawn selfserv 127.0.0.1 "$port" "$T/selfserv.log" \
		selfserv -d "sql:$DB" -n "$nick" -p "$port" -f "$PW" "$@"
	printf 'GET / HTTP/1.0\r\n\r\n' |
		timeout 4 tstclnt -h 127.0.0.1 -p "$port" -d "sql:$T/client" -o "${client[@]}" \
			>"$T/tstclnt.out" 2>&1
	local rc=$?
	stop_servers
	# selfserv's reply came back through TLS; tstclnt then waits for a
	# close selfserv does not send, and timeout ends it (124)
	grep -q "HTTP/1.0 200" "$T/tstclnt.out" && { [ "$rc" = 0 ] || [ "$rc" = 124 ]; } && return 0
	echo "tstclnt on $nick (rc $rc) got: $(head -c 600 "$T/tstclnt.out")" >&2
	echo "selfserv: $(head -c 600 "$T/selfserv.log")" >&2
	return 1
}

# selfserv_get_anon NICK: selfserv on NICK asking for a client certificate
# (-r -r), tstclnt from $T/anon, which has none; succeeds on a reply.
selfserv_get_anon() {
	local port
	port=$(free_port)
	spawn selfserv 127.0.0.1 "$port" "$T/selfserv.log" \
		selfserv -d "sql:$DB" -n "$1" -p "$port" -f "$PW" -r -r
	printf 'GET / HTTP/1.0\r\n\r\n' |
		timeout 4 tstclnt -h 127.0.0.1 -p "$port" -d "sql:$T/anon" -o >"$T/anon.out" 2>&1
	stop_servers
	grep -q "HTTP/1.0 200" "$T/anon.out"
}
