#!/bin/sh
# Runs grove's Emacs tests: the ERT suites (emacs --batch -Q, the real
# module, broker and nodes) and the tmux demo test (the real `make demo'
# command in a terminal).  Last line: "emacs: N passed, M failed"; the
# exit status is non-zero when something failed.
#   GROVE_TEST_SELECTOR=REGEXP  run only the ERT tests whose name matches
#   GROVE_NO_TMUX=1             skip the tmux test
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
LOG=${TMPDIR:-/tmp}/grove-emacs-tests.$$
mkdir -p "$LOG"
pass=0
fail=0

add() { # logfile exit-status
  line=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  if [ -z "$line" ]; then
    echo "no summary line (exit $2); the end of its log:"
    tail -n 30 "$1"
    fail=$((fail + 1))
    return
  fi
  p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/')
  f=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/')
  [ "$2" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  pass=$((pass + p))
  fail=$((fail + f))
}

if [ ! -f build/grove-module.so ]; then
  echo "build/grove-module.so is missing: run make first"
  echo "emacs: 0 passed, 1 failed"
  exit 1
fi

# The tests run the byte-compiled lisp/*.elc, as users do: `make elisp'
# compiles what is older than its .el (a warning fails it).  Should that
# fail, load-prefer-newer still loads the newer source, never a stale .elc.
if ! make -s --no-print-directory elisp > "$LOG/elisp.log" 2>&1; then
  echo "byte-compiling lisp/*.el failed:"
  tail -n 20 "$LOG/elisp.log"
  fail=$((fail + 1))
fi

timeout 900 emacs --batch -Q -L lisp -L test/emacs \
  --eval '(setq load-prefer-newer t native-comp-deferred-compilation nil)' \
  -l grove-unit-tests -l grove-live-tests -f grove-test-run-batch > "$LOG/ert.log" 2>&1
st=$?
grep -E '^ *(passed|FAILED|SKIPPED)|^Ran |^ert:' "$LOG/ert.log"
[ $st -ne 0 ] && grep -B2 -A25 'Test .* condition:' "$LOG/ert.log" | head -n 150
add "$LOG/ert.log" $st

if [ "${GROVE_NO_TMUX:-0}" != 1 ]; then
  timeout 300 sh test/emacs/demo-tmux.sh > "$LOG/tmux.log" 2>&1
  st=$?
  cat "$LOG/tmux.log"
  add "$LOG/tmux.log" $st
fi

rm -rf "$LOG"
echo "emacs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
