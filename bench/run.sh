#!/usr/bin/env bash
# bench/run.sh — grove's micro-benchmarks against Lua 5.4, Python 3,
# Guile 3.0, byte-compiled Emacs Lisp and Clojure on the JVM (`make bench`).
#
# Usage: bench/run.sh [GROVE]        GROVE defaults to build/grove
# Environment:
#   BENCH_RUNS=5           timed runs per benchmark and language (median)
#   BENCH_JVM_RUNS=3       timed runs on the JVM, and JVM startup runs
#   BENCH_SKIP_JVM=1       leave out Clojure/JVM
#   BENCH_STARTUP_RUNS=20  runs of each empty-startup command (non-JVM)
#   BENCH_ONLY="fib mfr"   run only these benchmarks (startup always runs)
#   BENCH_TIMEOUT=120      seconds before one process is killed
#   BENCH_NO_INSTALL=1     never apt-get a missing peer
#
# How the time is taken (details in bench/README.md): every peer program times
# its own workload with its language's clock, after one untimed warm-up run,
# and prints "result R" and "ms T1 T2 ...".  grove has no clock API yet, so a
# grove program runs its workload once and prints the result; the runner
# takes the median wall time of the whole process (hyperfine) and subtracts
# the median wall time of `grove -e nil`.  Peak RSS comes from GNU time (%M)
# around one run of each program.
#
# This script always exits 0 when it could run: a FAIL is a result, not an
# error.

# `sh bench/run.sh` works too: plain sh hands over to bash at once.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi

set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GROVE=${1:-build/grove}
RUNS=${BENCH_RUNS:-5}
JVM_RUNS=${BENCH_JVM_RUNS:-3}
STARTUP_RUNS=${BENCH_STARTUP_RUNS:-20}
TIMEOUT=${BENCH_TIMEOUT:-120}
BENCHES=${BENCH_ONLY:-fib loop map-build mfr strbuild}
SKIP_JVM=${BENCH_SKIP_JVM:-0}
LANGS="grove lua python guile elisp jvm"

W=$(mktemp -d "${TMPDIR:-/tmp}/grove-bench.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT

. "$BENCH_DIR/lib.sh"
note() { printf '  note: %s\n' "$*"; }

# --- per-benchmark facts -----------------------------------------------------

declare -A DESC EXPECT
DESC[fib]="naive doubly recursive (fib 27)"
DESC[loop]="sum of 0..10,000,000 (exclusive): loop/recur, for, named let, while"
DESC[map-build]="100,000 entries i -> 2i, then the sum of the values"
DESC[mfr]="(reduce + (filter even? (map inc v))), v = 1,000,000 elements (building v included)"
DESC[strbuild]="the strings of 0..99,999 joined into one string; result = its length"
EXPECT[fib]=196418
EXPECT[loop]=49999995000000
EXPECT[map-build]=9999900000
EXPECT[mfr]=250000500000
EXPECT[strbuild]=488890

declare -A LABEL
LABEL[grove]="grove"
LABEL[lua]="Lua 5.4"
LABEL[python]="Python 3"
LABEL[guile]="Guile 3.0"
LABEL[elisp]="Emacs Lisp (.elc)"
LABEL[jvm]="Clojure/JVM"

# What each peer uses for map-build and mfr (grove uses persistent ones).
declare -A KIND
KIND[map-build,lua]="mutable table"
KIND[map-build,python]="mutable dict"
KIND[map-build,guile]="mutable hash table"
KIND[map-build,elisp]="mutable hash table"
KIND[map-build,jvm]="persistent map"
KIND[map-build,grove]="persistent map"
KIND[mfr,lua]="eager helpers, array"
KIND[mfr,python]="lazy map/filter, list"
KIND[mfr,guile]="SRFI-1, list"
KIND[mfr,elisp]="seq.el, vector"
KIND[mfr,jvm]="lazy seqs, vector"
KIND[mfr,grove]="lazy seqs, vector"
KIND[strbuild,lua]="table.concat"
KIND[strbuild,python]="str.join"
KIND[strbuild,guile]="string-concatenate"
KIND[strbuild,elisp]="mapconcat"
KIND[strbuild,jvm]="apply str"
KIND[strbuild,grove]="apply str"

# --- small helpers -------------------------------------------------------------

# Quotes each argument for hyperfine's POSIX-style word splitting.
shquote() {
    local a out=""
    for a in "$@"; do out+="'${a//\'/\'\\\'\'}' "; done
    printf '%s' "${out% }"
}

# Median of the numbers on stdin (whitespace separated); empty if none.
median() {
    tr -s ' \t' '\n' | grep -E '^[0-9.eE+-]+$' | sort -g |
        awk '{ v[NR] = $1 }
             END { if (NR == 0) exit;
                   if (NR % 2) printf "%.3f", v[(NR + 1) / 2];
                   else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

calc() { awk "BEGIN { printf \"%.3f\", $* }"; }

# Human size of a KiB count.
mib() {
    [ -n "${1:-}" ] || { printf -- '-'; return; }
    awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'
}

now_ns() { date +%s%N; }

# wall_median_ms RUNS WARMUP CMD... — median wall time of CMD in ms, from
# hyperfine (-N: no shell in between) or, without it, from a date loop.
# Prints nothing when the command fails.
wall_median_ms() {
    local runs=$1 warm=$2; shift 2
    if [ -n "$HYPERFINE" ]; then
        rm -f "$W/hf.csv"
        "$HYPERFINE" -N --style none --runs "$runs" --warmup "$warm" \
            --export-csv "$W/hf.csv" "$(shquote "$@")" >/dev/null 2>"$W/hf.err" ||
            return 0
        awk -F, 'NR == 2 { printf "%.3f", $(NF - 4) * 1000 }' "$W/hf.csv"
    else
        local i t0 ts=""
        for ((i = 0; i < warm; i++)); do "$@" >/dev/null 2>&1 || return 0; done
        for ((i = 0; i < runs; i++)); do
            t0=$(now_ns)
            "$@" >/dev/null 2>&1 || return 0
            ts+=" $(calc "($(now_ns) - $t0) / 1e6")"
        done
        printf '%s' "$ts" | median
    fi
}

# measure CMD... — runs CMD once under timeout and GNU time.  Sets OUT (its
# stdout), ERR (first lines of its stderr), RC, RSS_K (peak RSS in KiB,
# empty without GNU time) and WALL_MS (wall time of this one run).
measure() {
    local t0
    rm -f "$W/rss"
    t0=$(now_ns)
    if [ -n "$GNUTIME" ]; then
        timeout "$TIMEOUT" "$GNUTIME" -f '%M' -o "$W/rss" "$@" >"$W/out" 2>"$W/err"
    else
        timeout "$TIMEOUT" "$@" >"$W/out" 2>"$W/err"
    fi
    RC=$?
    WALL_MS=$(calc "($(now_ns) - $t0) / 1e6")
    OUT=$(cat "$W/out")
    ERR=$(grep -v '^Command exited with non-zero status' "$W/err" | head -n 3)
    RSS_K=""
    [ -s "$W/rss" ] && RSS_K=$(tail -n 1 "$W/rss" | grep -E '^[0-9]+$')
    [ "$RC" = 124 ] && ERR="timed out after ${TIMEOUT} s"
    return 0
}

# --- peers: find them, install what is missing ----------------------------------

have() { command -v "$1" >/dev/null 2>&1; }

find_tools() {
    LUA=""; PYTHON=""; GUILE=""; EMACS=""; CLOJURE=""; GNUTIME=""; HYPERFINE=""
    have lua5.4 && LUA=$(command -v lua5.4)
    # Debian's python3 first: a pyenv shim costs ~80 ms of bash per start.
    if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3
    elif have python3; then
        PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
    fi
    if have guile; then GUILE=$(command -v guile)
    elif have guile-3.0; then GUILE=$(command -v guile-3.0); fi
    have emacs && EMACS=$(command -v emacs)
    have clojure && CLOJURE=$(command -v clojure)
    [ -x /usr/bin/time ] && GNUTIME=/usr/bin/time
    have hyperfine && HYPERFINE=$(command -v hyperfine)
}

install_missing() {
    local pkgs=()
    [ -n "$LUA" ] || pkgs+=(lua5.4)
    [ -n "$PYTHON" ] || pkgs+=(python3)
    [ -n "$GUILE" ] || pkgs+=(guile-3.0)
    [ -n "$EMACS" ] || pkgs+=(emacs-nox)
    [ -n "$CLOJURE" ] || [ "$SKIP_JVM" = 1 ] || pkgs+=(clojure)
    [ -n "$GNUTIME" ] || pkgs+=(time)
    [ -n "$HYPERFINE" ] || pkgs+=(hyperfine)
    [ ${#pkgs[@]} -gt 0 ] || return 0
    if [ "${BENCH_NO_INSTALL:-0}" = 1 ]; then
        note "missing, not installed (BENCH_NO_INSTALL=1): ${pkgs[*]}"
        return 0
    fi
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        if have sudo && sudo -n true 2>/dev/null; then sudo="sudo -n"
        else note "missing and cannot apt-get without root: ${pkgs[*]}"; return 0; fi
    fi
    say "installing missing peers with apt-get: ${pkgs[*]}"
    $sudo apt-get update >"$W/apt.log" 2>&1 || note "apt-get update failed (see below)"
    local p
    for p in "${pkgs[@]}"; do   # one by one: a missing package spoils no other
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
            --no-install-recommends "$p" >>"$W/apt.log" 2>&1 ||
            note "apt-get install $p failed: $(tail -n 1 "$W/apt.log")"
    done
}

# --- preparing the peers -----------------------------------------------------------

declare -A AVAIL WHYNOT
prepare() {
    AVAIL[grove]=0; AVAIL[lua]=0; AVAIL[python]=0; AVAIL[guile]=0
    AVAIL[elisp]=0; AVAIL[jvm]=0
    if [ -x "$GROVE" ]; then AVAIL[grove]=1; else WHYNOT[grove]="grove: not built ($GROVE)"; fi
    if [ -n "$LUA" ]; then AVAIL[lua]=1; else WHYNOT[lua]="skipped: lua5.4 not installed"; fi
    if [ -n "$PYTHON" ]; then AVAIL[python]=1; else WHYNOT[python]="skipped: python3 not installed"; fi
    if [ -n "$GUILE" ]; then
        mkdir -p "$W/guile"
        if "$GUILE" --no-auto-compile -L "$BENCH_DIR/guile" "$BENCH_DIR/guile/compile.scm" \
               "$BENCH_DIR/guile" "$W/guile" >"$W/guile.log" 2>&1; then
            AVAIL[guile]=1
        else
            WHYNOT[guile]="guile: compiling the benchmarks failed: $(tail -n 1 "$W/guile.log")"
        fi
    else WHYNOT[guile]="skipped: guile 3.0 not installed"; fi
    if [ -n "$EMACS" ]; then
        mkdir -p "$W/elisp"
        cp "$BENCH_DIR"/elisp/*.el "$W/elisp/"
        if "$EMACS" --batch -Q -L "$W/elisp" -f batch-byte-compile "$W"/elisp/*.el \
               >"$W/elisp.log" 2>&1; then
            AVAIL[elisp]=1
        else
            WHYNOT[elisp]="emacs: byte-compiling the benchmarks failed: $(tail -n 1 "$W/elisp.log")"
        fi
    else WHYNOT[elisp]="skipped: emacs not installed"; fi
    CLJ_FLAG=()
    if [ "$SKIP_JVM" = 1 ]; then WHYNOT[jvm]="Clojure/JVM skipped (BENCH_SKIP_JVM=1)"
    elif [ -z "$CLOJURE" ]; then WHYNOT[jvm]="skipped: clojure not installed"
    else
        # The Clojure CLI (tools.deps) wants -M for clojure.main options;
        # Debian's `clojure` script is clojure.main itself and refuses -M.
        if timeout "$TIMEOUT" "$CLOJURE" -M -e nil >/dev/null 2>&1; then CLJ_FLAG=(-M)
        elif ! timeout "$TIMEOUT" "$CLOJURE" -e nil >/dev/null 2>&1; then
            WHYNOT[jvm]="clojure -e nil fails"
        fi
        [ -n "${WHYNOT[jvm]:-}" ] || AVAIL[jvm]=1
    fi
}

# The command that runs benchmark $2 in language $1 (peers get the run count).
bench_cmd() {
    local lang=$1 b=$2
    case $lang in
        grove)  CMD=("$GROVE" run "$BENCH_DIR/grove/$b.clj") ;;
        lua)    CMD=("$LUA" "$BENCH_DIR/lua/$b.lua" "$RUNS") ;;
        python) CMD=("$PYTHON" -B "$BENCH_DIR/python/$b.py" "$RUNS") ;;
        guile)  CMD=("$GUILE" --no-auto-compile -C "$W/guile" -L "$BENCH_DIR/guile"
                     -c "(load-compiled \"$W/guile/$b.go\")" "$RUNS") ;;
        elisp)  CMD=("$EMACS" --batch -Q
                     --eval "(setq native-comp-deferred-compilation nil native-comp-jit-compilation nil)"
                     -L "$W/elisp" -l "$W/elisp/$b.elc" "$RUNS") ;;
        jvm)    CMD=("$CLOJURE" "${CLJ_FLAG[@]}" "$BENCH_DIR/jvm/harness.clj"
                     "$BENCH_DIR/grove/$b.clj" "$JVM_RUNS") ;;
    esac
}

startup_cmd() {
    case $1 in
        grove)  CMD=("$GROVE" -e nil) ;;
        lua)    CMD=("$LUA" -e '') ;;
        python) CMD=("$PYTHON" -c '') ;;
        guile)  CMD=("$GUILE" -c '') ;;
        elisp)  CMD=("$EMACS" --batch -Q --eval nil) ;;
        jvm)    CMD=("$CLOJURE" "${CLJ_FLAG[@]}" -e nil) ;;
    esac
}

# The command as shown in the tables (program names, not full paths).
show_cmd() {
    local s="" a
    for a in "${CMD[@]}"; do
        case $a in
            "$GROVE") a=grove ;;
            /*) a=${a##*/} ;;
            '') a="''" ;;
        esac
        s+="$a "
    done
    printf '%s' "${s% }"
}

# --- measuring ----------------------------------------------------------------------

declare -A MS RSS NOTE
GROVE_STARTUP=""

run_startup() {
    local lang runs warm
    for lang in $LANGS; do
        [ "${AVAIL[$lang]}" = 1 ] || continue
        startup_cmd "$lang"
        runs=$STARTUP_RUNS; warm=3
        [ "$lang" = jvm ] && { runs=$JVM_RUNS; warm=0; }
        measure "${CMD[@]}"
        if [ "$RC" != 0 ]; then
            NOTE[startup,$lang]="failed (exit $RC): ${ERR%%$'\n'*}"
            continue
        fi
        RSS[startup,$lang]=$RSS_K
        MS[startup,$lang]=$(wall_median_ms "$runs" "$warm" "${CMD[@]}")
    done
    GROVE_STARTUP=${MS[startup,grove]:-}
}

run_bench() {
    local b=$1 lang got times runs med
    for lang in $LANGS; do
        [ "${AVAIL[$lang]}" = 1 ] || continue
        bench_cmd "$lang" "$b"
        measure "${CMD[@]}"
        RSS[$b,$lang]=$RSS_K
        if [ "$RC" != 0 ]; then
            NOTE[$b,$lang]="failed (exit $RC): ${ERR%%$'\n'*}"
            continue
        fi
        if [ "$lang" = grove ]; then
            got=$(printf '%s\n' "$OUT" | awk 'NF { l = $0 } END { print l }')
            # The run above was the warm-up; a slow grove gets fewer runs so
            # that `make bench` stays within minutes.
            runs=$RUNS
            if awk "BEGIN { exit !($WALL_MS > 10000) }"; then runs=0
            elif awk "BEGIN { exit !($WALL_MS > 2000) }"; then
                [ "$runs" -gt 3 ] && runs=3
            fi
            if [ "$runs" = 0 ]; then
                med=$WALL_MS; NOTE[$b,$lang]="slow: 1 run"
            else
                med=$(wall_median_ms "$runs" 0 "${CMD[@]}")
                [ "$runs" != "$RUNS" ] && NOTE[$b,$lang]="slow: $runs runs"
            fi
            if [ -z "$med" ]; then
                NOTE[$b,$lang]="failed on a repeated run"
                continue
            fi
            if [ -n "$GROVE_STARTUP" ]; then
                MS[$b,$lang]=$(calc "$med - $GROVE_STARTUP")
                if awk "BEGIN { exit !(${MS[$b,$lang]} < 0.01) }"; then
                    MS[$b,$lang]=0.010
                    NOTE[$b,$lang]="${NOTE[$b,$lang]:+${NOTE[$b,$lang]}; }within startup noise"
                fi
            else
                MS[$b,$lang]=$med
                NOTE[$b,$lang]="${NOTE[$b,$lang]:+${NOTE[$b,$lang]}; }startup not subtracted"
            fi
        else
            got=$(printf '%s\n' "$OUT" | awk '$1 == "result" { print $2 }')
            times=$(printf '%s\n' "$OUT" | awk '$1 == "ms" { $1 = ""; print }')
            MS[$b,$lang]=$(printf '%s' "$times" | median)
            [ -n "${MS[$b,$lang]}" ] || NOTE[$b,$lang]="printed no times"
        fi
        if [ "$got" != "${EXPECT[$b]}" ]; then
            NOTE[$b,$lang]="WRONG RESULT: '$got' (expected ${EXPECT[$b]})"
            MS[$b,$lang]=""   # a wrong answer's time means nothing
        fi
    done
}

# --- printing -----------------------------------------------------------------------

# ratio LANG BENCH — grove's time over LANG's, e.g. "0.80x"; empty if unknown.
ratio() {
    local g=${MS[$2,grove]:-} p=${MS[$2,$1]:-}
    [ -n "$g" ] && [ -n "$p" ] || { printf -- '-'; return 0; }
    awk -v g="$g" -v p="$p" 'BEGIN { if (p > 0) printf "%.2fx", g / p; else printf "-" }'
}

target() {  # target BENCH TEXT KIND ARG  — KIND: within PEER LIMIT | faster PEER
    local b=$1 text=$2 kind=$3 peer=$4 limit=${5:-1} r verdict
    if [ "${AVAIL[grove]}" != 1 ]; then
        verdict="n/a"; r="grove not built"
    elif [ -z "${MS[$b,grove]:-}" ]; then
        verdict="n/a"; r="grove has no time"
    elif [ -z "${MS[$b,$peer]:-}" ]; then
        verdict="n/a"; r="${LABEL[$peer]} has no time"
    else
        r=$(ratio "$peer" "$b")
        if [ "$kind" = faster ]; then
            awk -v g="${MS[$b,grove]}" -v p="${MS[$b,$peer]}" 'BEGIN { exit !(g < p) }' &&
                verdict=PASS || verdict=FAIL
        else
            awk -v g="${MS[$b,grove]}" -v p="${MS[$b,$peer]}" -v l="$limit" \
                'BEGIN { exit !(g <= l * p) }' && verdict=PASS || verdict=FAIL
        fi
    fi
    printf '  target: %-38s %-4s (%s)\n' "$text" "$verdict" "$r"
    target_record "$verdict" "$b: $text ($r)"
}

target_abs() {  # target_abs NAME TEXT VALUE LIMIT UNIT
    local verdict shown
    if [ -z "$3" ]; then
        verdict="n/a"
        if [ "${AVAIL[grove]}" != 1 ]; then shown="grove not built"
        else shown="no value"; fi
    else
        awk -v v="$3" -v l="$4" 'BEGIN { exit !(v < l) }' && verdict=PASS || verdict=FAIL
        shown="$(awk -v v="$3" 'BEGIN { printf "%.2f", v }') $5"
    fi
    printf '  target: %-38s %-4s (%s)\n' "$2" "$verdict" "$shown"
    target_record "$verdict" "$1: $2 ($shown)"
}

row() {  # row LABEL MS RSS RATIO KIND NOTE
    printf '  %-18s %10s %10s %10s   %s\n' "$1" "$2" "$3" "$4" "$5"
}

print_bench() {
    local b=$1 lang extra
    say ""
    say "== $b: ${DESC[$b]}  [expected result ${EXPECT[$b]}]"
    row "language" "median ms" "peak RSS" "grove/peer" "notes"
    for lang in $LANGS; do
        if [ "${AVAIL[$lang]}" != 1 ]; then
            row "${LABEL[$lang]}" "-" "-" "-" "${WHYNOT[$lang]}"
            continue
        fi
        extra=${KIND[$b,$lang]:-}
        [ -n "${NOTE[$b,$lang]:-}" ] && extra="${extra:+$extra; }${NOTE[$b,$lang]}"
        [ "$lang" = jvm ] && extra="${extra:+$extra; }$JVM_RUNS runs in one JVM after warm-up"
        row "${LABEL[$lang]}" "${MS[$b,$lang]:--}" "$(mib "${RSS[$b,$lang]:-}")" \
            "$([ "$lang" = grove ] && echo - || ratio "$lang" "$b")" "$extra"
    done
    case $b in
        fib|loop)
            target "$b" "within 1.5x of Lua" within lua 1.5
            target "$b" "faster than Python" faster python
            target "$b" "faster than Emacs Lisp" faster elisp ;;
        map-build|strbuild)
            target "$b" "within 2x of Python" within python 2 ;;
        mfr)
            target "$b" "faster than Python" faster python ;;
    esac
}

print_startup() {
    local lang
    say ""
    say "== startup: an empty program, median wall time of the whole process"
    say "   ($STARTUP_RUNS runs, the JVM $JVM_RUNS; peak RSS of one run)"
    row "language" "median ms" "peak RSS" "grove/peer" "command"
    for lang in $LANGS; do
        if [ "${AVAIL[$lang]}" != 1 ]; then
            row "${LABEL[$lang]}" "-" "-" "-" "${WHYNOT[$lang]}"
            continue
        fi
        startup_cmd "$lang"
        row "${LABEL[$lang]}" "${MS[startup,$lang]:--}" "$(mib "${RSS[startup,$lang]:-}")" \
            "$([ "$lang" = grove ] && echo - || ratio "$lang" startup)" \
            "$(show_cmd)${NOTE[startup,$lang]:+  ${NOTE[startup,$lang]}}"
    done
    target_abs startup "grove -e nil under 5 ms" "${MS[startup,grove]:-}" 5 ms
    local rss_mib=""
    [ -n "${RSS[startup,grove]:-}" ] && rss_mib=$(calc "${RSS[startup,grove]} / 1024")
    target_abs memory "VM with core loaded under 8 MiB RSS" "$rss_mib" 8 MiB
}

# --- main -------------------------------------------------------------------------

find_tools
install_missing
find_tools
[ -n "$GNUTIME" ] || note "GNU time (/usr/bin/time) missing: no RSS figures"
[ -n "$HYPERFINE" ] || note "hyperfine missing: wall times from a date loop (less precise)"
prepare

say "grove micro-benchmarks — $(date '+%Y-%m-%d %H:%M'), $(nproc) cores, $(uname -m)"
say "grove: $GROVE$([ "${AVAIL[grove]}" = 1 ] || echo '  — not built: peers only')"
say "timing: peers time their workload in-process (Lua os.clock, Python"
say "  time.perf_counter, Guile get-internal-real-time, Emacs float-time, JVM"
say "  System/nanoTime): median of $RUNS runs after one warm-up run (JVM: $JVM_RUNS)."
say "  grove has no clock yet: median wall time of $RUNS runs of the whole"
say "  \`grove run FILE\` process minus the median of \`grove -e nil\` (below)."
say "  ratio grove/peer: 0.80x means grove takes 0.8 of the peer's time."
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)
if [ -n "$load" ] && awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
    note "load average $load on $(nproc) cores: the machine is busy, expect noisy"
    note "figures (and Lua's os.clock counts CPU time, the other clocks wall time)"
fi

run_startup
print_startup
for b in $BENCHES; do
    if [ -z "${EXPECT[$b]:-}" ]; then note "unknown benchmark $b"; continue; fi
    run_bench "$b"
    print_bench "$b"
done

targets_summary "== targets"
exit 0
