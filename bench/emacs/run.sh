#!/usr/bin/env bash
# bench/emacs/run.sh — grove-mode's speed in a real Emacs (`make bench` runs
# it after the network benchmarks): keystroke-to-inline-value latency with
# the editor node, one and ten local nodes, the parts of that path, and the
# cost of typing into a 5,000-line buffer, in `emacs --batch -Q` with the
# real build/grove-module.so, a real build/grove-broker and real
# `build/grove node` processes on loopback.
#
# Usage: bench/emacs/run.sh [BUILD]      BUILD defaults to build
# Environment:
#   EMACS_BENCH_EDITS=200        timed edits per latency set-up (20 warm-up before)
#   EMACS_BENCH_NODES=10         nodes in the last set-up
#   EMACS_BENCH_KEYS=300         timed keystrokes per typing variant
#   EMACS_BENCH_KEY_GAP_MS=10    pause between two keystrokes
#   EMACS_BENCH_LISP=compiled    `source': run lisp/*.el interpreted instead
#                                of byte-compiled (as `make' builds them)
# Always exits 0 when it could run: a FAIL is a result.  bench/emacs/README.md
# explains the figures.

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${1:-$ROOT/build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
LISP_MODE=${EMACS_BENCH_LISP:-compiled}

W=$(mktemp -d "${TMPDIR:-/tmp}/grove-emacsbench.XXXXXX") || exit 1
PIDFILE=$W/pids
# The broker and nodes are Emacs's children and stop with it; should Emacs
# be killed (timeout), the ones it started and that still run are stopped
# here, by the process ids it wrote down.
cleanup() {
    local p
    if [ -s "$PIDFILE" ]; then
        while read -r p; do
            [ -n "$p" ] && grep -q grove "/proc/$p/cmdline" 2>/dev/null && kill -TERM "$p" 2>/dev/null
        done < "$PIDFILE"
    fi
    rm -rf "$W"
}
trap cleanup EXIT

. "$ROOT/bench/lib.sh"

say ""
say "grove in Emacs — $(date '+%Y-%m-%d %H:%M'), $(nproc) cores, loopback TCP"
EMACS=$(command -v emacs || true)
if [ -z "$EMACS" ]; then say "  emacs is not installed — skipped"; exit 0; fi
for f in "$B/grove-module.so" "$B/grove" "$B/grove-broker"; do
    if [ ! -e "$f" ]; then say "  not built: $f — skipped (make builds it)"; exit 0; fi
done

# grove.el and the benchmark, byte-compiled in a scratch copy (lisp/ stays
# untouched); grove.el finds the module through grove-build-directory.
mkdir -p "$W/lisp"
cp "$ROOT"/lisp/*.el "$ROOT/bench/emacs/latency.el" "$W/lisp/"
SETUP="(setq grove-build-directory \"$B/\" native-comp-deferred-compilation nil native-comp-jit-compilation nil)"
COMPILE=(latency.el)
[ "$LISP_MODE" = source ] || COMPILE=(grove-edn.el grove-clojure.el grove.el latency.el)
if ! (cd "$W/lisp" && "$EMACS" --batch -Q --eval "$SETUP" -L . -f batch-byte-compile "${COMPILE[@]}") \
        > "$W/compile.log" 2>&1; then
    say "  byte-compiling failed — skipped:"; tail -n 5 "$W/compile.log" | sed 's/^/    /'
    exit 0
fi

say "  (emacs --batch -Q, $("$EMACS" --version | head -n 1), grove.el $LISP_MODE; the broker"
say "   and nodes are started by grove.el on a port the broker picks; takes about 20 s)"
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)
if [ -n "$load" ] && awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
    say "  note: load average $load on $(nproc) cores: the machine is busy, expect noisy figures"
fi
EMACS_BENCH_PIDS=$PIDFILE timeout 120 "$EMACS" --batch -Q --eval "$SETUP" -L "$W/lisp" \
    -l latency -f gbench-main > "$W/out" 2> "$W/err"
RC=$?
FLOOR=""
[ -x "$B/bench/net_latency" ] && FLOOR=$(timeout 60 "$B/bench/net_latency" floor --n 2000 2>/dev/null)
OUT=$(cat "$W/out")
if [ -z "$OUT" ] || [ "$RC" != 0 ]; then
    say "  the Emacs benchmark failed (exit $RC$([ "$RC" = 124 ] && echo ': timed out')):"
    grep -v '^emacs-bench:\|^$' "$W/err" | tail -n 12 | sed 's/^/    /'
    [ -z "$OUT" ] && exit 0
fi

# line PREFIX — the output line starting with PREFIX.
line() { grep -m 1 "^$1" <<< "$OUT"; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "") printf "%.3f", a - b }'; }


# ---- keystroke to inline value -------------------------------------------------------

EDITS=${EMACS_BENCH_EDITS:-200}
NN=${EMACS_BENCH_NODES:-10}
say ""
say "== keystroke to inline value: insert the closing paren of !(node SEL (? :k (+ 1 N))),"
say "   N new each time, until the buffer shows the new value from every node"
say "   ($EDITS edits after 20 warm-up ones; rewrite: the #_{...} text is in the buffer;"
say "   overlay: an overlay shows it; parts of the time at p50: insert = the keystroke's"
say "   own insert, wire = to the start of the filter call that showed the value, show = that"
say "   call; 1st in = when the first message reached Emacs (the editor node's copy of the"
say "   program change), ed run = time Emacs spent running the editor node meanwhile)"
printf '  %-34s %7s %7s %7s %7s %4s | %6s %6s %6s | %6s %6s | %s\n' "" "p50 ms" "p99 ms" "mean" "max" "lost" \
    "insert" "wire" "show" "1st in" "ed run" "GCs (ms)"
lat_row() { # LABEL LINE
    local l=$2
    if [ -z "$l" ]; then printf '  %-34s %s\n' "$1" "no figure (see the errors below)"; return; fi
    if [ -z "$(field "$l" p50)" ]; then printf '  %-34s %s\n' "$1" "failed: ${l#*failed}"; return; fi
    printf '  %-34s %7s %7s %7s %7s %4s | %6s %6s %6s | %6s %6s | %s (%s)\n' "$1" "$(field "$l" p50)" \
        "$(field "$l" p99)" "$(field "$l" mean)" "$(field "$l" max)" "$(field "$l" lost)" \
        "$(field "$l" insert_p50)" "$(field "$l" wire_p50)" "$(field "$l" show_p50)" \
        "$(field "$l" first_filter_p50)" "$(field "$l" editor_step_p50)" \
        "$(field "$l" gcs)" "$(field "$l" gc_ms)"
}
LE=$(line "lat editor display rewrite"); L1=$(line "lat n1 display rewrite")
L1O=$(line "lat n1 display overlay"); L10=$(line "lat n$NN display rewrite")
lat_row "editor node only (:editor)" "$LE"
lat_row "1 local node" "$L1"
lat_row "1 local node, overlay display" "$L1O"
lat_row "$NN local nodes (all values in)" "$L10"
ED=$(line "editor editor")
[ -n "$ED" ] && say "  editor node only: after the program change reached Emacs, its slice waited" \
    "$(field "$ED" step_wait_p50) ms (p50; p99 $(field "$ED" step_wait_p99)) for grove--step's timer"
target_limit "p50 under 5 ms with 1 local node" "$(field "$L1" p50)" "<" 5 "$(field "$L1" p50) ms"
target_limit "p99 under 16 ms with 1 local node" "$(field "$L1" p99)" "<" 16 "$(field "$L1" p99) ms"

# ---- the parts --------------------------------------------------------------------------

say ""
say "== the parts, measured in the same Emacs (with 1 node connected)"
C=$(line "part calls"); RT=$(line "part rt")
printf '  %-60s %9s %9s  %s\n' "" "p50 ms" "p99 ms" "notes"
say "  module call: grove-module--version $(field "$C" version_ns) ns (makes a string)," \
    "grove-module--drain with nothing queued $(field "$C" drain_ns) ns; an elisp (ignore) $(field "$C" ignore_ns) ns (loops of $(field "$C" n))"
fp50=$(field "$FLOOR" p50); fp99=$(field "$FLOOR" p99)
part_row() { # LABEL LINE NOTE
    if [ -z "$2" ] || [ -z "$(field "$2" p50)" ]; then printf '  %-60s %9s\n' "$1" "-"; return; fi
    printf '  %-60s %9s %9s  %s\n' "$1" "$(field "$2" p50)" "$(field "$2" p99)" "$3"
}
part_row "broker round trip: nodes -> node-list via the module" "$RT" \
    "$( [ -n "$fp50" ] && echo "raw czmq floor $fp50 / $fp99 ms: $(num_ratio "$(field "$RT" p50)" "$fp50")")"
part_row "reparse, 1 char (doc-edit), 20 lines, in a comment" "$(line "part parse_small_comment")" "nothing to send"
part_row "reparse, 1 char (doc-edit), 20 lines, in a docstring" "$(line "part parse_small_form")" "the changed form is pushed"
part_row "reparse, 1 char (doc-edit), 5,000 lines, in a comment" "$(line "part parse_big_comment")" "nothing to send"
part_row "reparse, 1 char (doc-edit), 5,000 lines, in a docstring" "$(line "part parse_big_form")" "the changed form is pushed"
part_row "display one value (grove--on-value), 20 lines" "$(line "part show_small")" "locate, store, rewrite"
part_row "display one value (grove--dispatch of its JSON), 20 lines" "$(line "part dispatch_small")" "+ json parse, hooks"
part_row "display one value (grove--on-value), 5,000 lines" "$(line "part show_big")" "the ? form at line ~2,760"
part_row "display one value (grove--dispatch of its JSON), 5,000 lines" "$(line "part dispatch_big")" ""
OB=$(line "part open_big")
[ -n "$OB" ] && say "  inserting the 5,000 lines into a buffer in grove-mode (full parse, push of 510 forms): $(field "$OB" ms) ms"

# ---- typing into a big buffer -------------------------------------------------------------

KEYS=${EMACS_BENCH_KEYS:-300}
say ""
say "== typing into a 5,000-line buffer: insert of one char, $KEYS keystrokes per row,"
say "   ${EMACS_BENCH_KEY_GAP_MS:-10} ms apart, rows alternating in blocks of 50 (grove-clojure-mode in both buffers)"
printf '  %-38s %7s %7s %7s %9s | %9s %9s\n' "" "p50 ms" "p99 ms" "mean" "added" "CPU/key" "added"
TOFF=$(line "type off"); TON=$(line "type on "); TCOM=$(line "type on_comment")
type_row() { # LABEL LINE
    if [ -z "$2" ]; then printf '  %-38s %s\n' "$1" "-"; return; fi
    printf '  %-38s %7s %7s %7s %9s | %9s %9s\n' "$1" "$(field "$2" p50)" "$(field "$2" p99)" \
        "$(field "$2" mean)" "$(minus "$(field "$2" mean)" "$(field "$TOFF" mean)")" \
        "$(field "$2" cpu_per_key)" "$(minus "$(field "$2" cpu_per_key)" "$(field "$TOFF" cpu_per_key)")"
}
type_row "grove-mode off" "$TOFF"
type_row "grove-mode on, in a docstring" "$TON"
type_row "grove-mode on, in a comment" "$TCOM"
say "  (CPU/key: Emacs's CPU time, all threads, per keystroke, including what it set off between"
say "   keystrokes: the editor node re-evaluating the changed form, messages in and out)"
ADDED=$(minus "$(field "$TON" mean)" "$(field "$TOFF" mean)")
target_limit "typing in 5,000 lines adds under 1 ms per keystroke" "$ADDED" "<" 1 \
    "${ADDED:--} ms, in a docstring, mean insert on - off"

# ---- summary -------------------------------------------------------------------------------

I=$(line "info caught")
say ""
say "  $(field "$(line "info emacs")" lisp) grove.el; errors grove caught and logged: $(field "$I" caught);" \
    "the Emacs run took $(field "$I" seconds) s"
if [ "$(field "$I" caught)" != "0" ] || grep -q -v '^emacs-bench:\|^$' "$W/err"; then
    grep -v '^emacs-bench:\|^$' "$W/err" | head -n 15 | sed 's/^/  stderr: /'
fi
targets_summary "== Emacs targets"
exit 0
