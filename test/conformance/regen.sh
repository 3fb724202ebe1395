#!/bin/sh
# Regenerates the expected outputs (cases/*.out) with real Clojure, the oracle.
# For maintainers: needs a JVM and Clojure 1.11 (Debian package `clojure`).
#
#   test/conformance/regen.sh [CASE...]
#
# CASE may be a path, a case name (042-topic[.clj]) or a number (042); with no
# CASE every case is regenerated. Each case runs in its own JVM (`clojure
# FILE`), several at a time (JOBS, default 2), so each .out is exactly that
# program's own stdout. A case that exits non-zero, writes to stderr or prints
# nothing is reported and its .out is left untouched; the exit status is then 1.
# Environment: CLOJURE (command, default `clojure`), JOBS (default 2).

here=$(cd "$(dirname "$0")" && pwd)
cases_dir=$here/cases
clojure=${CLOJURE:-clojure}
jobs=${JOBS:-2}

if ! command -v "$clojure" > /dev/null 2>&1; then
    echo "regen.sh: '$clojure' not found (install Debian's clojure package or set CLOJURE)" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/grove-regen.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

list=$tmp/list
if [ $# -eq 0 ]; then
    ls "$cases_dir"/*.clj > "$list" 2>/dev/null
else
    : > "$list"
    for a in "$@"; do
        p=
        base=${a##*/}; base=${base%.clj}; base=${base%.out}
        if [ -f "$a" ]; then p=$a
        elif [ -f "$cases_dir/$base.clj" ]; then p=$cases_dir/$base.clj
        else
            for f in "$cases_dir/$base"-*.clj; do [ -f "$f" ] && { p=$f; break; }; done
        fi
        if [ -z "$p" ]; then echo "regen.sh: no such case: $a" >&2; exit 2; fi
        echo "$p" >> "$list"
    done
fi

total=$(wc -l < "$list")
echo "regenerating $total case(s) with $clojure, $jobs at a time" >&2
tr '\n' '\0' < "$list" |
    xargs -0 -P "$jobs" -I{} sh -c '
        clj=$1; dir=$2; clj_cmd=$3
        name=$(basename "$clj" .clj)
        out=$dir/$name.out; err=$dir/$name.err
        "$clj_cmd" "$clj" > "$out" 2> "$err" < /dev/null
        rc=$?
        if [ $rc -ne 0 ] || [ -s "$err" ] || [ ! -s "$out" ]; then
            echo "ERROR $name: exit $rc; stdout $(wc -c < "$out") bytes; stderr: $(head -c 300 "$err" | tr "\n" " ")"
        else
            mv "$out" "${clj%.clj}.out"
        fi' sh {} "$tmp" "$clojure" > "$tmp/report"

cat "$tmp/report"
bad=$(grep -c '^ERROR' "$tmp/report")
echo "regen: $((total - bad)) written, $bad failed" >&2
[ "$bad" -eq 0 ]
