#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fuzz.sh - build the agent's libFuzzer targets (agent/fuzz/fuzz_*.c, clang,
# ASan+UBSan) into build/fuzz/ and run each on a scratch copy of its corpus
# (agent/fuzz/corpus/<target>/, which is never written to).
#
#   scripts/fuzz.sh [TARGET...]		each for FUZZ_SECONDS (default 60)
#   scripts/fuzz.sh --smoke [TARGET...]	each for FUZZ_RUNS inputs (default
#					5000), for make check
#
# Prints the executions per target; fails when a target crashes, leaks or
# aborts (the reproducer is left in build/fuzz/artifacts/).

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/fuzz
smoke=0
if [ "${1:-}" = --smoke ]; then
	smoke=1
	shift
fi
secs=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:-5000}

mkdir -p "$out"
make -s -C "$top/agent/fuzz" -j"$(nproc 2>/dev/null || echo 2)" \
	O="$out" >"$out/build.log" 2>&1 || {
	cat "$out/build.log" >&2
	echo "fuzz: build failed" >&2
	exit 1
}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in "$top"/agent/fuzz/fuzz_*.c; do
		t=${f##*/}
		targets+=("${t%.c}")
	done
fi

mkdir -p "$out/artifacts"
fail=0 total=0
for t in "${targets[@]}"; do
	work=$out/work/$t
	rm -rf "$work" && mkdir -p "$work"
	cp -r "$top/agent/fuzz/corpus/$t" "$work/corpus"
	if [ $smoke = 1 ]; then
		limit=(-runs="$runs")
	else
		limit=(-max_total_time="$secs")
	fi
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	ASAN_OPTIONS=detect_leaks=1 \
	"$out/$t" "${limit[@]}" -print_final_stats=1 -max_len=8192 \
		-artifact_prefix="$out/artifacts/$t-" "$work/corpus" \
		>"$work/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	execs=${execs:-0}
	total=$((total + execs))
	if [ $rc -ne 0 ]; then
		fail=1
		echo "not ok $t: exit $rc after $execs executions" \
		     "(see $work/log)"
		grep -E '^(==|SUMMARY|#0|#1|#2|#3|artifact_prefix|Test unit)' \
			"$work/log" | head -20 | sed 's/^/#   /'
	else
		echo "ok $t: $execs executions," \
		     "corpus $(ls "$top/agent/fuzz/corpus/$t" | wc -l)" \
		     "-> $(ls "$work/corpus" | wc -l)"
	fi
done
echo "# $total executions in all"
exit $fail
