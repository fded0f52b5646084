#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
# Several p11cert processes on one database at once: writers take turns
# (p11cert.lock), readers never fail, the end state is exactly what the
# successful operations imply, and a loser's message names what it found,
# not NSS's internals.
. "$(dirname "$0")/lib.sh"
need certutil openssl
new_db
N=24
for i in $(seq "$N"); do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
		-subj "/CN=Concurrent CA $i" -days 30 -addext basicConstraints=critical,CA:TRUE \
		-out "$T/ca$i.pem" 2>/dev/null
done

# run_group PROCS WORK: PROCS processes at once, each running WORK with its
# number; their statuses and stderr in $T/w.*.
run_group() {
	local procs=$1 work=$2 pids=() p
	for p in $(seq "$procs"); do
		"$work" "$p" >"$T/w.$p.out" 2>"$T/w.$p.err" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
}

# Readers alongside: every list-certs must work.
reader() {
	local fails=0
	while [ ! -e "$T/stop" ]; do
		p11c -q -d "$DB" list-certs --all >/dev/null 2>>"$T/reader.err" || fails=$((fails + 1))
	done
	echo "$fails" >"$T/reader.fails"
}

for procs in 2 4; do
	rm -f "$T/stop" "$T/reader.err"
	reader &
	rpid=$!
	# Each process adds every procs-th certificate.
	adder() {
		local i rc=0
		for i in $(seq "$1" "$procs" "$N"); do
			p11c -q -d "$DB" add-cert -C "ca$i" "$T/ca$i.pem" || rc=1
		done
		return $rc
	}
	run_group "$procs" adder
	touch "$T/stop"
	wait "$rpid"
	errs=$(cat "$T"/w.*.err)
	check "$procs adders: every add succeeded ($errs)" test -z "$errs"
	got=$(certutil -d "sql:$DB" -L | grep -c '^ca[0-9]* *CT,,')
	check "$procs adders: certutil lists all $N, trusted (got $got)" test "$got" = "$N"
	check "$procs adders: a reader alongside never failed ($(head -c 200 "$T/reader.err"))" \
		test "$(cat "$T/reader.fails")" = 0

	# Every process removes every certificate: one removal each succeeds.
	remover() {
		local i
		for i in $(seq "$N"); do
			if p11c -q -d "$DB" remove-cert "ca$i" 2>>"$T/rm.$1.err"; then
				echo "ca$i"
			fi
		done
	}
	rm -f "$T"/rm.*.err
	run_group "$procs" remover
	removed=$(cat "$T"/w.*.out | sort | uniq -c | awk '$1 == 1' | wc -l)
	twice=$(cat "$T"/w.*.out | sort | uniq -d)
	check "$procs removers: each of the $N removed exactly once (got $removed; twice: $twice)" \
		test "$removed" = "$N" -a -z "$twice"
	left=$(certutil -d "sql:$DB" -L | grep -c '^ca[0-9]')
	check "$procs removers: none left (got $left)" test "$left" = 0
	bad=$(cat "$T"/rm.*.err | grep -v "^p11cert: no certificate 'ca[0-9]*'$" | head -3)
	check "$procs removers: the losers say the certificate is gone ($bad)" test -z "$bad"
	losers=$(cat "$T"/rm.*.err | wc -l)
	check "$procs removers: $((N * (procs - 1))) losers (got $losers)" \
		test "$losers" = $((N * (procs - 1)))

	# All make the same alias: one wins, the others are told it exists.
	maker() { p11c -q -d "$DB" add-selfsign-cert --name same.example.com --key-type ec:p256 same; }
	run_group "$procs" maker
	wins=$(grep -c . <(for p in $(seq "$procs"); do [ -s "$T/w.$p.err" ] || echo win; done))
	check "$procs makers of one alias: one wins (got $wins)" test "$wins" = 1
	bad=$(cat "$T"/w.*.err | grep -v "^p11cert: .*alias 'same' already exists" | head -3)
	check "$procs makers: the others are told the alias exists ($bad)" test -z "$bad"
	keys=$(certutil -d "sql:$DB" -K -f "$DB/sslpassword.conf" | grep -c ' same$')
	check "$procs makers: one key named same (got $keys)" test "$keys" = 1
	check "$procs makers: one certificate named same" \
		test "$(certutil -d "sql:$DB" -L | grep -c '^same ')" = 1
	p11c -q -d "$DB" remove-cert same
done
finish
