# SPDX-License-Identifier: MPL-2.0
# What every example needs around its p11cert commands, so that each script
# shows the job and little else: a scratch directory removed on exit, a
# throwaway SoftHSM2 token, PIN and password files (never secrets in argv),
# and the loopback servers of the tests (tests/cli/servers.sh: free_port,
# start_smtp, start_dovecot, start_http, spawn, stopped on exit).
# Sourced by each example; P11CERT names the binary (default: p11cert on PATH).
set -u
EXAMPLES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
P11CERT=$(command -v "${P11CERT:-p11cert}") || { echo "p11cert not found: set P11CERT" >&2; exit 1; }
P11CERT=$(realpath "$P11CERT")
SOFTHSM=/usr/lib/softhsm/libsofthsm2.so
T=$(mktemp -d "${TMPDIR:-/tmp}/p11cert-example.XXXXXX")
unset P11CERT_DB CERT_PW_FILE
. "$EXAMPLES/../tests/cli/servers.sh"
# Any step that fails ends the example, saying which; on exit the servers
# stop and $T goes.
set -eE
failed_at() { # the script's own line, even when a function failed inside it
	local line=${BASH_LINENO[${#BASH_LINENO[@]} - 2]}
	echo "FAILED (exit $1) at ${0##*/} line $line: $(sed -n "${line}p" "$0")" >&2
}
trap 'failed_at $?' ERR
trap 'trap - ERR; set +e; stop_servers; rm -rf "$T"' EXIT

p11cert() { ${P11CERT_WRAPPER:-} "$P11CERT" "$@"; }

# need TOOL...: a tool the example cannot do without; a missing one skips
# (77) the example, except under CI=true, where it fails.
need() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || peer_missing "'$tool'"
	done
}

# step TEXT: say what comes next, as the field note would.
step() { printf '\n== %s\n' "$*"; }

# secret_file FILE [TEXT]: FILE (mode 0600) holding TEXT, else a random password.
secret_file() {
	(umask 077 && printf '%s\n' "${2:-$(openssl rand -hex 16)}" >"$1")
}

# make_hsm LABEL: a SoftHSM2 token of this run's own (SOFTHSM2_CONF under
# $T, nothing of the system's touched); its user PIN in $T/LABEL.pin.
make_hsm() {
	secret_file "$T/$1.pin" && secret_file "$T/$1.sopin" &&
		eval "$("$EXAMPLES/../softhsm/make-token" "$T/softhsm" "$1" "$T/$1.sopin" "$T/$1.pin")" ||
		{ echo "cannot make the SoftHSM token '$1'" >&2; exit 1; }
	export SOFTHSM2_CONF
}

# add_pin DB LABEL: the token's PIN line in DB's sslpassword.conf, so that
# p11cert, certutil and NSS servers all unlock it unattended.
add_pin() {
	printf '%s:%s\n' "$2" "$(head -n 1 "$T/$2.pin")" >>"$1/sslpassword.conf"
}

# must_fail TEXT COMMAND...: COMMAND has to fail here (the problem the job
# fixes, or a peer that must be refused); if it succeeds the example fails.
must_fail() {
	local what=$1
	shift
	if "$@"; then
		printf '\nFAILED: %s: it succeeded\n' "$what" >&2
		exit 1
	fi
	printf '(as expected: %s)\n' "$what"
}

# verdict TEXT COMMAND...: the job's final check, by an independent peer;
# the example's exit status is its result.
verdict() {
	local what=$1
	shift
	if "$@"; then
		printf '\nOK: %s\n' "$what"
		exit 0
	fi
	printf '\nFAILED: %s\n' "$what" >&2
	exit 1
}
