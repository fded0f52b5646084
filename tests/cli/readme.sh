#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# README.md read top to bottom as a script (issue 15): its command blocks
# run in order in a temporary directory, each command must exit as the
# README says, and each printed sample must match what the command printed.
#
# Blocks.  A block is a run of lines indented by four spaces after a blank
# line.  A block whose first line starts with a command word (p11cert,
# msgcert, certutil, openssl, pk12util, keytool, curl, postconf, postfix,
# cc, ./, (umask, mkdir, eval, p11-kit, P11_KIT_SERVER_ADDRESS=, #, ...: see
# CMD_WORDS below) is commands; any other block is a sample of the output of
# the command run last, and must appear in that output as consecutive lines.
# A block right after `<!-- readme-test: skip: REASON -->` (and a blank
# line) is not run; `<!-- readme-test: skip-sanitized: REASON -->` skips it
# only under the sanitizers or a wrapper (valgrind).  The test counts and
# prints the blocks run and skipped.
#
# Commands.  Each command (lines joined at a trailing backslash) runs in the
# test's shell, so `eval "$(...)"` exports carry over, with stdout and stderr
# kept; it must exit 0, or N when its trailing comment starts `# exit N`.  A
# comment line `# on the new host`, `# on the CA's host` or `# on the relay`
# points /etc/mail/certdb at that host's database (the relay is the mail
# server the README's database belongs to) until the block ends.
#
# Substitutions.  /etc/mail/certdb is a database under $T; other absolute
# paths under /etc, /root, /tmp, /var/lib and /run go under $T/fs (the
# directories a host has there are made first); p11cert and msgcert are the
# built p11cert (PATH), `softhsm/make-token` and `examples/c/` the source
# tree's, p11copyfix.so the built one, and the library's pkg-config file the
# build's uninstalled one.  smtp://relay.example.com is an aiosmtpd on
# 127.0.0.1 (leaf and issuing CA of "Relay Root CA"), smtp://relay.partner.example
# one on ::1 with a self-signed certificate, https://relay1.example.com/ an
# openssl s_server on 127.0.0.1 that curl reaches with --resolve.  postconf and
# postfix are stubs that log their arguments (no Postfix runs).  $PW is the
# database's password.  Inputs a command names are made just before it: the
# CA's replies (any NAME-with-chain.pem: ./mail.csr, each a month longer,
# signed by "Example Issuing CA"), root.pem, partner.pem, a CA bundle, a
# certbot pair, relay-ca.pem.  Before a sample is compared, $T's paths and
# the servers' addresses in the output are turned back into the README's,
# and SHA-256 fingerprints, dates, "in N days" and legacy-STAMP are masked.
#
# P11CERT_README=FILE runs another copy of the README (to see the test fail);
# P11CERT_README_LOG=FILE appends each command, as run, and its output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"
need certutil openssl pk12util python3 softhsm2-util keytool curl jq
SRC=$(cd "$(dirname "$0")/../.." && pwd)
README=${P11CERT_README:-$SRC/README.md}
# Run by hand (P11CERT=build/src/cli/p11cert bash tests/cli/readme.sh), the
# build is the one P11CERT is in.
BUILDDIR=${BUILDDIR:-$(cd "$(dirname "$P11CERT")/../.." && pwd)}
P11COPYFIX_SO=${P11COPYFIX_SO:-$BUILDDIR/modules/copyfix/p11copyfix.so}
CMD_WORDS='p11cert|msgcert|certutil|openssl|pk12util|keytool|java|curl|postconf|postfix|cc|\./|\(umask|mkdir|eval|ln|p11-kit|P11_KIT_SERVER_ADDRESS=|#|scripts/|bench/|systemctl|journalctl|MAILTO='

FS=$T/fs
W=$T/work
mkdir -p "$T/bin" "$W" "$T/hosts" "$T/inputs" "$FS"/{root,tmp,var/lib,run/p11cert} \
	"$FS"/etc/{mail,postfix,dovecot,ssl/certs}
chmod 700 "$FS/root"
ln -s "$P11CERT" "$T/bin/p11cert"
ln -s "$P11CERT" "$T/bin/msgcert"
for stub in postconf postfix; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/postfix.log"\n' "$stub" "$T" >"$T/bin/$stub"
	chmod +x "$T/bin/$stub"
done
export PATH="$T/bin:$PATH"
export PKG_CONFIG_PATH=$BUILDDIR/meson-uninstalled LD_LIBRARY_PATH=$BUILDDIR/src/lib
# `cc` is the build's compiler, with its sanitizers (as installed.sh builds).
CC_BUILD=${P11C_CC:-cc}
[ "${P11C_SANITIZE:-none}" = none ] || CC_BUILD+=" -fsanitize=$P11C_SANITIZE"
unset XDG_DATA_HOME # the README's default database is ~/.local/share/p11cert
P11_KIT_PIDS=()
trap 'for p in "${P11_KIT_PIDS[@]}"; do kill "$p" 2>/dev/null; done; stop_servers; rm -rf "$T"' EXIT

# The README's blocks: $T/blocks/N (the text, unindented) and a line of
# $T/blocks/index for each: N KIND README-LINE [REASON].
mkdir "$T/blocks"
python3 - "$README" "$T/blocks" "$CMD_WORDS" <<'PY' || exit 1
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
out, words = sys.argv[2], re.compile("(" + sys.argv[3] + ")")
index, n, i, skip, blank = [], 0, 0, None, True
while i < len(lines):
    line = lines[i]
    m = re.fullmatch(r"<!-- readme-test: (skip|skip-sanitized): (.+) -->", line.strip())
    if m:
        skip, blank, i = (m.group(1), m.group(2)), False, i + 1
        continue
    if line.startswith("    ") and blank:
        start, block = i, []
        while i < len(lines) and (lines[i].startswith("    ") or (
                lines[i] == "" and i + 1 < len(lines) and lines[i + 1].startswith("    "))):
            block.append(lines[i][4:])
            i += 1
        n += 1
        kind = "cmd" if words.match(block[0]) else "sample"
        if skip:
            kind = skip[0] + "-" + kind
        open(f"{out}/{n}", "w").write("\n".join(block) + "\n")
        index.append(f"{n} {kind} {start + 1} {skip[1] if skip else ''}".rstrip())
        skip, blank = None, False
        continue
    if line.strip():
        skip = skip if line.startswith("<!--") else None
    blank = not line.strip() or (skip is not None and blank)
    i += 1
open(f"{out}/index", "w").write("\n".join(index) + "\n")
PY

# Inputs, made once, the first time a command names them.
have() { [ -e "$T/inputs/$1" ] || { touch "$T/inputs/$1"; return 1; }; }
mkcert() { # NAME SUBJECT EXTENSIONS [ISSUER]: $T/inputs/NAME.pem and .key
	local n=$1 subj=$2 ext=$3 issuer=${4:-} in=$T/inputs
	printf '%b\n' "$ext" >"$in/$n.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$in/$n.key" \
		-subj "$subj" -out "$in/$n.csr" 2>/dev/null || exit 1
	if [ -z "$issuer" ]; then
		set -- -signkey "$in/$n.key"
	else
		set -- -CA "$in/$issuer.pem" -CAkey "$in/$issuer.key" -CAcreateserial
	fi
	openssl x509 -req -in "$in/$n.csr" "$@" -days 3650 -extfile "$in/$n.ext" \
		-out "$in/$n.pem" 2>/dev/null || { echo "cannot make $n" >&2; exit 1; }
}
CA_EXT='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash'
LEAF_EXT='basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName='
example_ca() {
	have example-ca && return
	mkcert root "/O=Example CA Ltd/CN=Example Root CA" "$CA_EXT"
	mkcert issuing "/O=Example CA Ltd/CN=Example Issuing CA" "$CA_EXT" root
}
replies=0
reply() { # OUT: ./mail.csr signed by the example CA, with the issuing CA;
	# each reply runs a month longer than the one before (a renewal)
	example_ca
	replies=$((replies + 1))
	printf '%b\n' "${LEAF_EXT%subjectAltName=}" >"$T/inputs/reply.ext"
	openssl x509 -req -in "$W/mail.csr" -copy_extensions copy -CA "$T/inputs/issuing.pem" -CAkey "$T/inputs/issuing.key" \
		-CAcreateserial -days $((335 + 30 * replies)) -extfile "$T/inputs/reply.ext" -out "$T/inputs/reply.pem" \
		2>/dev/null || { echo "cannot sign mail.csr" >&2; exit 1; }
	cat "$T/inputs/reply.pem" "$T/inputs/issuing.pem" >"$W/$1"
}
relay_servers() {
	have relay && return
	mkcert relay-root "/O=Relay CA Ltd/CN=Relay Root CA" "$CA_EXT"
	mkcert relay-issuing "/O=Relay CA Ltd/CN=Relay Issuing CA" "$CA_EXT" relay-root
	mkcert relay "/CN=relay.example.com" \
		"${LEAF_EXT}DNS:relay.example.com,DNS:relay1.example.com,IP:127.0.0.1" relay-issuing
	cat "$T/inputs/relay.pem" "$T/inputs/relay-issuing.pem" >"$T/inputs/relay-chain.pem"
	RELAY_PORT=$(free_port)
	start_smtp 127.0.0.1 "$RELAY_PORT" "$T/inputs/relay-chain.pem" "$T/inputs/relay.key"
	mkcert partner-relay "/CN=relay.partner.example" "${LEAF_EXT}DNS:relay.partner.example,IP:::1"
	PARTNER_PORT=$(free_port)
	start_smtp ::1 "$PARTNER_PORT" "$T/inputs/partner-relay.pem" "$T/inputs/partner-relay.key"
	HTTPS_PORT=$(free_port)
	start_tls_server 127.0.0.1 "$HTTPS_PORT" "$T/inputs/relay-chain.pem" "$T/inputs/relay.key"
}
inputs_for() { # COMMAND (as the README writes it)
	local f
	for f in $(grep -o '[A-Za-z0-9_-]*-with-chain\.pem' <<<"$1"); do
		[ -e "$W/$f" ] || reply "$f"
	done
	case $1 in *root.pem*) [ -e "$W/root.pem" ] || { example_ca && cp "$T/inputs/root.pem" "$W/root.pem"; } ;; esac
	case $1 in *partner.pem*)
		have partner || {
			mkcert partner "/O=Partner/CN=mail.partner.example" "${LEAF_EXT}DNS:mail.partner.example"
			cp "$T/inputs/partner.pem" "$W/partner.pem"
		} ;;
	esac
	case $1 in *relay-ca.pem*)
		have relay-ca || { mkcert relay-ca "/CN=Old Relay CA" "$CA_EXT" && cp "$T/inputs/relay-ca.pem" "$W/"; } ;;
	esac
	case $1 in */etc/ssl/certs/ca-certificates.crt*)
		have bundle || {
			mkcert bundle1 "/O=Bundle/CN=Bundle Root One" "$CA_EXT"
			mkcert bundle2 "/O=Bundle/CN=Bundle Root Two" "$CA_EXT"
			cat "$T/inputs/bundle1.pem" "$T/inputs/bundle2.pem" >"$FS/etc/ssl/certs/ca-certificates.crt"
		} ;;
	esac
	case $1 in */etc/letsencrypt/*)
		have certbot || {
			mkcert le-root "/O=Example LE/CN=Example LE Root" "$CA_EXT"
			mkcert le-int "/O=Example LE/CN=Example LE R3" "$CA_EXT" le-root
			mkcert le "/CN=mail.example.com" "${LEAF_EXT}DNS:mail.example.com" le-int
			local live=$FS/etc/letsencrypt/live/mail.example.com
			mkdir -p "$live"
			cat "$T/inputs/le.pem" "$T/inputs/le-int.pem" >"$live/fullchain.pem"
			(umask 077 && cp "$T/inputs/le.key" "$live/privkey.pem")
		} ;;
	esac
	case $1 in *relay.example.com* | *relay.partner.example*) relay_servers ;; esac
	case $1 in *'$PW'*) PW=$(db_password "$(host_db main)") ;; esac
}

host_db() { echo "$T/hosts/$1/certdb"; }
mkdir -p "$T/hosts/main"
HOST=main

# The README's command as it runs here.
subst() {
	local c=$1 p
	c=${c//\/etc\/mail\/certdb/@DB@}
	c=${c//\/usr\/lib\/x86_64-linux-gnu\/p11cert\/p11copyfix.so/@COPYFIX@}
	for p in etc root tmp var run; do
		c=$(sed -E "s#(^|[ '\"=,(:])/$p/#\\1@FS@/$p/#g" <<<"$c")
	done
	c=${c//smtp:\/\/relay.example.com/smtp://127.0.0.1:${RELAY_PORT:-0}}
	c=${c//smtp:\/\/relay.partner.example/smtp://[::1]:${PARTNER_PORT:-0}}
	c=${c//https:\/\/relay1.example.com\//https://relay1.example.com:${HTTPS_PORT:-0}/}
	c=$(sed -E "s#(^|[ ;(])curl #\\1curl --resolve relay1.example.com:${HTTPS_PORT:-0}:127.0.0.1 #" <<<"$c")
	c=${c//softhsm\/make-token/$SRC/softhsm/make-token}
	c=${c//examples\/c\//$SRC/examples/c/}
	[[ $c != cc\ * ]] || c="$CC_BUILD ${c#cc }"
	c=${c//@DB@/$(host_db "$HOST")}
	c=${c//@COPYFIX@/$P11COPYFIX_SO}
	c=${c//@FS@/$FS}
	printf '%s' "$c"
}

# The output as the README would show it: paths and addresses back, and
# what changes from run to run masked.
unsubst() {
	sed -E -e "s#$(host_db main)#/etc/mail/certdb#g" -e "s#$FS##g" -e "s#$W/##g" \
		-e "s#127\\.0\\.0\\.1:${RELAY_PORT:-0}#relay.example.com#g" \
		-e "s#'127\\.0\\.0\\.1'#'relay.example.com'#g" | mask
}
mask() {
	sed -E -e 's/([0-9A-F]{2}:){31}[0-9A-F]{2}/<SHA-256>/g' \
		-e 's#[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}#<DATE>#g' \
		-e 's/in [0-9]+ days/in <N> days/g' -e 's/legacy-[0-9]{8}-[0-9]{6}/legacy-<STAMP>/g' \
		-e 's/[ \t]+$//'
}

# sample_matches SAMPLE OUTPUT: SAMPLE's lines are consecutive lines of OUTPUT.
sample_matches() {
	python3 - "$1" "$2" <<'PY'
import sys
want = open(sys.argv[1]).read().rstrip("\n").split("\n")
got = open(sys.argv[2]).read().rstrip("\n").split("\n")
sys.exit(0 if any(got[i:i + len(want)] == want for i in range(len(got) - len(want) + 1)) else 1)
PY
}

blocks_run=0 blocks_skipped=0 commands=0 samples=0 last_out= last_what=
stopped=0
run_command() { # README-LINE COMMAND
	local line=$1 cmd=$2 want=0 got real
	[[ $cmd =~ \#[[:space:]]*exit[[:space:]]+([0-9]+) ]] && want=${BASH_REMATCH[1]}
	inputs_for "$cmd"
	real=$(subst "$cmd")
	commands=$((commands + 1))
	# Nothing of the host outside $T is written: a path the substitutions
	# do not cover stops the test before the command runs.
	if grep -Eq "(^|[ '\"=,(:])/(etc|root|var|run|srv|opt|home|usr/local)/" <<<"$real"; then
		not_ok "README.md:$line: a path outside the test's directories: $real"
		stopped=1
		return
	fi
	last_out=$T/out.$commands
	# In this shell, in $W: the README's exports (SOFTHSM2_CONF from
	# make-token) hold for the commands after.
	eval "$real" >"$last_out" 2>&1 </dev/null
	got=$?
	[ -z "${P11CERT_README_LOG:-}" ] ||
		printf '$ %s\n%s\n[exit %s]\n\n' "$real" "$(cat "$last_out")" "$got" >>"$P11CERT_README_LOG"
	cd "$W" || exit 1
	local pid
	pid=$(sed -n 's/^P11_KIT_SERVER_PID=\([0-9]*\);.*/\1/p' "$last_out")
	[ -z "$pid" ] || P11_KIT_PIDS+=("$pid")
	last_what="README.md:$line: ${cmd%%$'\n'*}"
	if [ "$got" = "$want" ]; then
		ok "$last_what (exit $got)"
	else
		not_ok "$last_what: exit $got, wanted $want; it ran: $real"
		sed 's/^/  | /' "$last_out"
		stopped=1
	fi
}

cd "$W" || exit 1
sanitized=0
[ "${P11CERT_SANITIZED:-}" != 1 ] && [ -z "${P11CERT_WRAPPER:-}" ] || sanitized=1
while read -r n kind line reason; do
	[ "$stopped" = 0 ] || break
	case $kind in skip-sanitized-*) [ "$sanitized" = 1 ] && kind=skip || kind=${kind#skip-sanitized-} ;; esac
	case $kind in
	skip*)
		blocks_skipped=$((blocks_skipped + 1))
		echo "# README.md:$line: skipped ($reason)"
		;;
	sample)
		samples=$((samples + 1))
		if [ -z "$last_out" ]; then
			not_ok "README.md:$line: a sample before any command"
			continue
		fi
		mask <"$T/blocks/$n" >"$T/want"
		unsubst <"$last_out" >"$T/got"
		if sample_matches "$T/want" "$T/got"; then
			ok "README.md:$line: the sample matches the output of $last_what"
		else
			not_ok "README.md:$line: the sample is not in the output of $last_what"
			echo "  wanted (masked):"
			sed 's/^/  | /' "$T/want"
			echo "  got (masked):"
			sed 's/^/  | /' "$T/got"
		fi
		;;
	cmd)
		blocks_run=$((blocks_run + 1))
		HOST=main
		cmd= cmdline=
		lineno=$line
		while IFS= read -r text; do
			if [ -z "$cmd" ]; then
				case $text in
				'# on the new host'*) HOST=new; mkdir -p "$T/hosts/new"; lineno=$((lineno + 1)); continue ;;
				"# on the CA's host"*) HOST=ca; mkdir -p "$T/hosts/ca"; lineno=$((lineno + 1)); continue ;;
				'# on the relay'*) HOST=main; lineno=$((lineno + 1)); continue ;;
				'#'* | '')
					[[ $text == '# on '* ]] && { not_ok "README.md:$lineno: unknown host: $text"; stopped=1; }
					lineno=$((lineno + 1))
					continue
					;;
				esac
				cmdline=$lineno
			fi
			cmd+=$text
			lineno=$((lineno + 1))
			if [[ $text == *\\ ]]; then
				cmd+=$'\n'
				continue
			fi
			run_command "$cmdline" "$cmd"
			cmd=
			[ "$stopped" = 0 ] || break
		done <"$T/blocks/$n"
		;;
	esac
done <"$T/blocks/index"

echo "# README: $blocks_run command blocks run ($commands commands), $samples samples compared, $blocks_skipped blocks skipped"
[ "$stopped" = 0 ] || echo "# stopped at the first command that failed: the rest of the README builds on it"
check "every block was looked at" test "$stopped" = 0
finish
