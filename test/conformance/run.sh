#!/bin/sh
# Conformance runner: runs each case with `GROVE run case.clj` and compares its
# stdout byte-for-byte with the recorded output of real Clojure (case.out).
#
#   test/conformance/run.sh GROVE_BINARY [CASE...]
#
# CASE may be a path to a .clj file, a case name (042-topic or 042-topic.clj)
# or just its number (042). With no CASE, every case in cases/ is run.
# Prints one line per failure (with the first differing line) and ends with
#   conformance: N passed, M failed
# Exit status is 0 only if every case passed. Needs no JVM.
# Environment: CONFORMANCE_TIMEOUT (seconds per case, default 10).

if [ $# -lt 1 ]; then
    echo "usage: $0 GROVE_BINARY [CASE...]" >&2
    exit 2
fi

grove=$1
shift
case $grove in
    */*) ;;
    *) grove=$(command -v "$grove" || echo "$grove") ;;
esac
if [ ! -x "$grove" ]; then
    echo "run.sh: $grove is not an executable" >&2
    exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
cases_dir=$here/cases
limit=${CONFORMANCE_TIMEOUT:-10}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/grove-conf.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# resolve one argument to the path of a .clj case (prints nothing if unknown)
resolve() {
    arg=$1
    if [ -f "$arg" ]; then echo "$arg"; return; fi
    base=${arg##*/}
    base=${base%.clj}
    base=${base%.out}
    if [ -f "$cases_dir/$base.clj" ]; then echo "$cases_dir/$base.clj"; return; fi
    for f in "$cases_dir/$base"-*.clj; do
        if [ -f "$f" ]; then echo "$f"; return; fi
    done
}

# one-line description of how two files first differ
first_diff() {
    awk -v exp_file="$1" -v got_file="$2" '
        function show(s) { if (length(s) > 70) s = substr(s, 1, 70) "..."; return "\"" s "\"" }
        BEGIN {
            n = 0
            while (1) {
                re = (getline e < exp_file); rg = (getline g < got_file); n++
                if (re <= 0 && rg <= 0) { print "outputs differ only in trailing newline"; exit }
                if (re <= 0) { printf "line %d: expected end of output, got %s\n", n, show(g); exit }
                if (rg <= 0) { printf "line %d: expected %s, got end of output\n", n, show(e); exit }
                if (e != g) { printf "line %d: expected %s, got %s\n", n, show(e), show(g); exit }
            }
        }'
}

list=$tmp/list
if [ $# -eq 0 ]; then
    ls "$cases_dir"/*.clj > "$list" 2>/dev/null
else
    : > "$list"
    for a in "$@"; do
        p=$(resolve "$a")
        if [ -z "$p" ]; then
            echo "run.sh: no such case: $a" >&2
            exit 2
        fi
        echo "$p" >> "$list"
    done
fi

passed=0
failed=0
while IFS= read -r clj; do
    name=$(basename "$clj" .clj)
    expected=${clj%.clj}.out
    got=$tmp/out
    err=$tmp/err
    timeout "$limit" "$grove" run "$clj" > "$got" 2> "$err" < /dev/null
    rc=$?
    if [ ! -f "$expected" ]; then
        echo "FAIL $name: no expected output file"
        failed=$((failed + 1))
    elif cmp -s "$expected" "$got"; then
        passed=$((passed + 1))
    else
        msg=$(first_diff "$expected" "$got")
        if [ $rc -eq 124 ]; then
            msg="$msg [timeout ${limit}s]"
        elif [ $rc -ne 0 ]; then
            e=$(grep -v '^[[:space:]]*$' "$err" | head -n 1 | cut -c 1-100)
            msg="$msg [exit $rc${e:+: $e}]"
        fi
        echo "FAIL $name: $msg"
        failed=$((failed + 1))
    fi
done < "$list"

echo "conformance: $passed passed, $failed failed"
[ $failed -eq 0 ]
