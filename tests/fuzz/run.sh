#!/bin/sh
# SPDX-License-Identifier: MPL-2.0
# Build the fuzz build (clang, libFuzzer, ASan, UBSan, LeakSanitizer) in
# build-fuzz and run each target for a bounded time from its seed corpus.
# Fails on any crash, leak, sanitizer report or timeout, and keeps the
# input that caused it under build-fuzz/fuzz-artifacts/.
#   tests/fuzz/run.sh [TARGET...]      P11CERT_FUZZ_TIME=15 seconds each
# Without clang's libFuzzer it skips, except under CI=true, where it fails.
set -eu
cd "$(dirname "$0")/../.."
secs=${P11CERT_FUZZ_TIME:-15}
dir=${P11CERT_FUZZ_BUILD:-build-fuzz}
targets=${*:-pwfile names certs pkcs12 pemkey request url starttls caissuers acme}

probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ return d && n; }\n' \
	>"$probe/p.c"
if ! clang -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" 2>"$probe/err"; then
	if [ "${CI:-}" = true ]; then
		echo "not ok - fuzz: clang with libFuzzer is needed under CI=true" \
			"(apt-get install clang libclang-rt-14-dev): $(head -c 300 "$probe/err")"
		exit 1
	fi
	echo "ok - fuzz # SKIP no clang with libFuzzer"
	exit 0
fi

if [ -d "$dir" ]; then
	meson setup --reconfigure "$dir" -Dfuzz=true >/dev/null
else
	CC=clang meson setup "$dir" -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined \
		-Db_lundef=false >/dev/null
fi
if ! ninja -C "$dir" >"$probe/ninja.log" 2>&1; then
	tail -30 "$probe/ninja.log"
	echo "not ok - fuzz: the fuzz build failed"
	exit 1
fi

art=$dir/fuzz-artifacts
mkdir -p "$art"
asan=detect_leaks=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
failed=0
for t in $targets; do
	exe=$dir/tests/fuzz/fuzz_$t
	work=$probe/$t
	mkdir -p "$work" "$work.tmp"
	# tests/lsan.supp names NSS's PKCS#12 decoder, which only the slow
	# unwinder sees (NSS has no frame pointers); it is several times slower
	unwind=
	[ "$t" = pkcs12 ] && unwind=:fast_unwind_on_malloc=0
	dict=
	[ -f "tests/fuzz/$t.dict" ] && dict=-dict=tests/fuzz/$t.dict
	# new inputs go to the scratch directory; the committed seeds are read
	if TMPDIR=$work.tmp ASAN_OPTIONS=$asan$unwind "$exe" $dict -max_total_time="$secs" \
		-rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$art/$t-" \
		"$work" "tests/fuzz/corpus/$t" >"$work.log" 2>&1 &&
		! grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$work.log"; then
		n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work.log")
		echo "ok - fuzz $t: ${n:-?} executions, no crash"
	else
		failed=1
		echo "not ok - fuzz $t: a crash, leak or sanitizer report; the input:"
		ls "$art/$t-"* 2>/dev/null | sed 's/^/#   /'
		grep -E 'ERROR|SUMMARY|runtime error|^    #[0-9]' "$work.log" | head -40 | sed 's/^/# /'
		echo "# reproduce: $exe INPUT (FUZZ_VERBOSE=1 says how far it went)"
	fi
done
exit $failed
