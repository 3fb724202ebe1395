#!/bin/sh
# End-to-end tests of the `grove` command line: run, -e, repl, --help,
# --version, error reports and exit codes, Ctrl-C in the REPL.
G=${1:-build/grove}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # name expected actual
  if [ "$2" = "$3" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); printf 'FAIL %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3"; fi
}
contains() { # name needle haystack
  case "$3" in *"$2"*) pass=$((pass + 1)) ;; *)
    fail=$((fail + 1)); printf 'FAIL %s\n  missing: %s\n  in: %s\n' "$1" "$2" "$3" ;; esac
}

check version "grove 0.1.0" "$($G --version)"
contains help "run FILE" "$($G --help)"
check eval-value "3" "$($G -e '(+ 1 2)')"
check eval-each "1
:b" "$($G -e '1 nil :b')"
check eval-nil "" "$($G -e nil)"
check eval-string '"a\nb"' "$($G -e '(str "a" \newline "b")')"

cat > "$tmp/ok.clj" <<'CLJ'
(defn greet [n] (str "hello, " n))
(println (greet "grove"))
(prn *command-line-args*)
CLJ
check run-output 'hello, grove
("x" "y")' "$($G run "$tmp/ok.clj" x y)"
$G run "$tmp/ok.clj" > /dev/null; check run-exit 0 $?

cat > "$tmp/bad.clj" <<'CLJ'
(defn f [x]
  (/ x 0))
(println "before")
(f 1)
CLJ
out=$($G run "$tmp/bad.clj" 2> "$tmp/err"); rc=$?
check run-error-exit 1 $rc
check run-error-stdout "before" "$out"
err=$(cat "$tmp/err")
contains run-error-class "Execution error (ArithmeticException) at user/f" "$err"
contains run-error-position "bad.clj:2:3" "$err"
contains run-error-message "Divide by zero" "$err"
contains run-error-trace "grove stack trace:" "$err"

printf '(println "x")\n(undefined-thing 1)\n' > "$tmp/unbound.clj"
$G run "$tmp/unbound.clj" > /dev/null 2> "$tmp/err"; rc=$?
check unbound-exit 1 $rc
contains unbound-message "Unable to resolve symbol: undefined-thing in this context" "$(cat "$tmp/err")"
contains unbound-position "unbound.clj:2:1" "$(cat "$tmp/err")"

printf '(println "ok"\n' > "$tmp/eof.clj"
$G run "$tmp/eof.clj" > /dev/null 2> "$tmp/err"; rc=$?
check reader-error-exit 1 $rc
contains reader-error "EOF while reading" "$(cat "$tmp/err")"

$G run "$tmp/missing.clj" 2> /dev/null; check missing-file-exit 1 $?

out=$(printf '(+ 1 2)\n(* 2 *1)\n(+ 1\n   2)\n(/ 1 0)\n(ex-message *e)\n' | $G repl 2>/dev/null)
check repl "3
6
3
\"Divide by zero\"" "$out"

# Ctrl-C interrupts a runaway evaluation without leaving the REPL.
mkfifo "$tmp/in"
$G repl < "$tmp/in" > "$tmp/out" 2> "$tmp/err" &
pid=$!
exec 3> "$tmp/in"
printf '(loop [] (recur))\n' >&3
sleep 0.5
kill -INT $pid
sleep 0.3
printf '(+ 40 2)\n' >&3
exec 3>&-
wait $pid; rc=$?
check repl-ctrl-c-exit 0 $rc
check repl-ctrl-c-continues "42" "$(cat "$tmp/out")"
contains repl-ctrl-c-message "Interrupted" "$(cat "$tmp/err")"

# The networked commands, where no broker is needed (the rest is in
# test/integration/): help, argument errors, a file that does not split.
help=$($G --help)
contains help-push "push FILE" "$help"
contains help-node "node --id ID" "$help"
contains help-env "GROVE_BROKER" "$help"
check push-help-exit 0 "$($G push --help > /dev/null; echo $?)"
$G node > /dev/null 2> "$tmp/err"; check node-no-id-exit 2 $?
contains node-no-id-message "--id is required" "$(cat "$tmp/err")"
$G node --id a --cap nosuch > /dev/null 2> "$tmp/err"; check node-bad-cap-exit 2 $?
$G eval --node a > /dev/null 2> "$tmp/err"; check eval-no-expr-exit 2 $?
printf '(def a 1)\n! (f\n' > "$tmp/unbalanced.clj"
out=$(GROVE_BROKER=tcp://127.0.0.1:9 $G push "$tmp/unbalanced.clj"); rc=$?
check push-unbalanced-exit 1 $rc
check push-unbalanced-line '{:type :error, :file "unbalanced.clj", :line 2, :col 3, :message "EOF while reading, starting at line 2"}' "$out"
$G push "$tmp/missing.clj" > /dev/null 2>&1; check push-missing-exit 1 $?

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
