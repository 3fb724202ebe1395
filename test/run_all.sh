#!/bin/sh
# Runs every test suite and ends with the total "N passed, M failed".
# Each suite prints its own "NAME: N passed, M failed" line; this script
# adds them up.  Unit tests and the fuzz corpus run under ASan+UBSan; the
# conformance suite runs with the optimized build and the ASan build.
cd "$(dirname "$0")/.."
B=build
log=$B/test-logs
mkdir -p "$log"
total_pass=0
total_fail=0

count() { # name logfile exit-status
  line=$(grep -E '^[A-Za-z0-9_ -]+: [0-9]+ passed, [0-9]+ failed' "$2" | tail -n 1)
  if [ -z "$line" ]; then
    echo "$1: no summary line (exit $3) — counted as 1 failure; see $2"
    total_fail=$((total_fail + 1))
    return
  fi
  p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/')
  f=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/')
  if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
  echo "$1: $p passed, $f failed"
  [ "$f" -ne 0 ] && tail -n 30 "$2"
}

run() { # name command...
  name=$1; shift
  f="$log/$(echo "$name" | tr / _).log"
  "$@" > "$f" 2>&1
  count "$name" "$f" $?
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

for t in $B/asan/test_*; do
  [ -x "$t" ] || continue
  run "unit/$(basename "$t")" "$t"
done

run grammar $B/test_grammar
run fuzz-corpus $B/asan/replay_reader test/fuzz/corpus/reader
run fuzz-program $B/asan/replay_program test/fuzz/corpus/program
run fuzz-wire $B/asan/replay_wire test/fuzz/corpus/wire
run cli sh test/cli/test_cli.sh $B/grove
run conformance sh test/conformance/run.sh $B/grove
run conformance-asan sh test/conformance/run.sh $B/asan/grove
run integration bash test/integration/run.sh
run integration-asan env GROVE=$B/asan/grove BROKER=$B/asan/grove-broker bash test/integration/run.sh
run emacs sh test/emacs/run.sh

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
