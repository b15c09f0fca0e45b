#!/bin/sh
# Run every test: cmocka unit tests, then the command-line tests, then the
# screen tests.  Usage: tests/run.sh BUILD_DIR.  Ends with the plain line
# "N passed, N failed" and exits non-zero if anything failed.
B=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

# Deterministic environment for every tier.
export TZ=Asia/Shanghai LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm COLUMNS=80 LINES=24
export CRF_NOW=2026-11-25T08:00:00Z
unset CRF_CONFIG NO_COLOR
export CRF_BIN="$top/$B/crf"

passed=0 failed=0 failures=""

for t in "$B"/t/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1   # crashed or died before cmocka's summary
	fi
	passed=$((passed + p)); failed=$((failed + f))
	[ "$f" -gt 0 ] && failures="$failures $(basename "$t")"
done

for dir in tests/cli tests/tui tests/e2e; do
	for t in "$dir"/*.sh; do
		[ -f "$t" ] || continue
		[ "$(basename "$t")" = lib.sh ] && continue   # helpers, sourced by the tests
		out=$(sh "$t" 2>&1); rc=$?
		printf '%s\n' "$out"
		p=$(printf '%s\n' "$out" | grep -c '^ok ')
		f=$(printf '%s\n' "$out" | grep -c '^not ok ')
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
			echo "not ok $t exited $rc"
		fi
		passed=$((passed + p)); failed=$((failed + f))
		[ "$f" -gt 0 ] && failures="$failures $t"
	done
done

[ -n "$failures" ] && echo "failing:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
