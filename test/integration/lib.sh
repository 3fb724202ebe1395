# lib.sh — helpers for grove's integration tests (sourced by run.sh; bash).
#
# Every test starts its own broker on a free loopback port and its own
# nodes, with their logs in a temporary directory; `stop_all` (and the EXIT
# trap) kill exactly the processes started here, by their ids.  Waiting is
# done with `wait_until`, which polls a condition until a timeout, never
# with a fixed sleep that hopes things are done.
#
# Settings (environment):
#   GROVE=build/grove  BROKER=build/grove-broker  ITEST=build/itest
#   IT_KEEP=1   keep the log directory even when every check passed
#   IT_VERBOSE=1  print every passing check too

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
GROVE=${GROVE:-$ROOT/build/grove}
BROKER=${BROKER:-$ROOT/build/grove-broker}
ITEST=${ITEST:-$ROOT/build/itest}
EDN_AWK=$ROOT/test/integration/edn.awk
HB=${IT_HEARTBEAT:-200}          # ms, when the binaries take --heartbeat

T=$(mktemp -d "${TMPDIR:-/tmp}/grove-it.XXXXXX") || exit 2
PASS=0
FAIL=0
PIDS=()        # every background process started here
CUR=""         # the running test's name (prefix of check names)
declare -A NODE_PID   # node name -> pid

# ---- checks ------------------------------------------------------------------

pass() { PASS=$((PASS + 1)); [ "${IT_VERBOSE:-0}" = 1 ] && echo "ok   $CUR: $1"; return 0; }
fail() { # name [details...]
    FAIL=$((FAIL + 1))
    echo "FAIL $CUR: $1"
    shift
    local l
    for l in "$@"; do printf '     %s\n' "$l"; done
    return 0
}
# check NAME COMMAND... — passes when COMMAND succeeds.
check() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n" "command failed: $*"; fi; }
# check_eq NAME EXPECTED ACTUAL
check_eq() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected: $2" "actual:   $3"; fi
}
# check_match NAME REGEX TEXT (extended regex, like grep -E)
check_match() {
    if printf '%s\n' "$3" | grep -Eq -- "$2"; then pass "$1"
    else fail "$1" "no match for /$2/ in:" "$(printf '%s\n' "$3" | head -n 8)"; fi
}
# check_cmp NAME A OP B — numeric comparison with awk (OP: < <= > >= == !=)
check_cmp() {
    if awk -v a="$2" -v b="$4" "BEGIN { exit !(a $3 b) }" 2>/dev/null && [ -n "$2" ]; then pass "$1"
    else fail "$1" "expected $2 $3 $4"; fi
}

# ---- time and waiting ----------------------------------------------------------

now_ms() { local t=$EPOCHREALTIME; echo $(( ${t%.*} * 1000 + 10#${t#*.} / 1000 )); }

# wait_until SECONDS COMMAND... — polls COMMAND every 20 ms; 0 when it
# succeeded within SECONDS, 1 on timeout.
wait_until() {
    local limit=$1; shift
    local end=$(( $(now_ms) + ${limit%.*} * 1000 ))
    while :; do
        "$@" && return 0
        [ "$(now_ms)" -ge "$end" ] && return 1
        sleep 0.02
    done
}

# pause MS — the few places that must show that something does NOT happen.
pause() { sleep "$(awk -v m="$1" 'BEGIN { printf "%.3f", m / 1000 }')"; }

# ---- EDN lines -------------------------------------------------------------------

# sel FILE 'KEY=VALUE ...' [GET-KEYS] — see edn.awk.
sel() { awk -f "$EDN_AWK" -v where="$2" -v get="${3:-}" "$1" 2>/dev/null; }
# nsel FILE 'KEY=VALUE ...' — how many lines match.
nsel() { sel "$1" "$2" | wc -l | tr -d ' '; }
# has FILE 'KEY=VALUE ...' [N] — at least N (default 1) matching lines.
has() { [ "$(nsel "$1" "$2")" -ge "${3:-1}" ]; }
# distinct FILE 'KEY=VALUE ...' KEY — how many distinct values KEY takes.
distinct() { sel "$1" "$2" "$3" | sort -u | wc -l | tr -d ' '; }

# ---- processes ----------------------------------------------------------------------

track() { PIDS+=("$1"); }

# stop PID — SIGTERM, then SIGKILL after 2 s; waits for it.
stop() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.02; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}
stop_all() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do stop "$p"; done
    PIDS=()
    NODE_PID=()
}

cleanup() {
    stop_all
    if [ "$FAIL" -ne 0 ] || [ "${IT_KEEP:-0}" = 1 ]; then
        echo "logs kept in $T"
    else
        rm -rf "$T"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

alive() { kill -0 "$1" 2>/dev/null; }

# wait_exit PID SECONDS — waits for a process started here to exit and
# returns its status; after SECONDS it is killed (status 124).
# (stderr is closed meanwhile: bash reports "Killed" for a job that died
# of a signal when it reaps it, and that is expected here)
wait_exit() {
    local end=$(( $(now_ms) + $2 * 1000 ))
    {
        while alive "$1"; do
            if [ "$(now_ms)" -ge "$end" ]; then kill -KILL "$1"; wait "$1"; return 124; fi
            sleep 0.02
        done
        wait "$1"
    } 2>/dev/null
}

free_port() { "$ITEST/freeport"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Heartbeat options, when the binaries understand them.
BROKER_HB=()
NODE_HB=()
detect_options() {
    "$BROKER" --help 2>&1 | grep -q -- '--heartbeat' && BROKER_HB=(--heartbeat "$HB")
    "$GROVE" node --help 2>&1 | grep -q -- '--heartbeat' && NODE_HB=(--heartbeat "$HB")
    "$GROVE" push --help 2>&1 | grep -q -- '--heartbeat' && PUSH_HB=(--heartbeat "$HB")
    return 0
}
PUSH_HB=()

# broker_start [ARGS...] — a broker on a new free port (or on $PORT when
# set: restarting on the same endpoint).  Sets PORT, EP, BROKER_PID.
BROKER_N=0
broker_start() {
    [ -n "${PORT:-}" ] || PORT=$(free_port)
    EP=tcp://127.0.0.1:$PORT
    BROKER_N=$((BROKER_N + 1))
    "$BROKER" --bind "$EP" "${BROKER_HB[@]}" "$@" \
        > "$T/$CUR.broker$BROKER_N.log" 2>&1 &
    BROKER_PID=$!
    track "$BROKER_PID"
    if ! wait_until 5 port_open "$PORT"; then
        fail "broker starts on $EP" "$(tail -n 5 "$T/$CUR.broker$BROKER_N.log")"
        return 1
    fi
}

# node_start NAME ID [ARGS...] — `grove node --id ID`; pid in NODE_PID[NAME].
node_start() {
    local name=$1 id=$2; shift 2
    "$GROVE" node --id "$id" --broker "$EP" "${NODE_HB[@]}" "$@" \
        >> "$T/$CUR.node-$name.log" 2>&1 &
    NODE_PID[$name]=$!
    track $!
}

# nodes3 — alpha (region eu), beta (region us), gamma (region eu).
nodes3() {
    node_start alpha alpha --context '{:region :eu}' "$@"
    node_start beta beta --context '{:region :us}' "$@"
    node_start gamma gamma --context '{:region :eu}' "$@"
}

# push_bg NAME FILE [ARGS...] — `grove push FILE --watch` in the background,
# its output in $T/$CUR.NAME.out (the variable OUT_NAME is not set: use
# out NAME).  --for 90 bounds it should the kill be missed.
push_bg() {
    local name=$1 file=$2; shift 2
    "$GROVE" push "$file" --broker "$EP" --watch --for 90 "${PUSH_HB[@]}" "$@" \
        > "$T/$CUR.$name.out" 2> "$T/$CUR.$name.err" &
    track $!
    PUSH_PID=$!
}
out() { echo "$T/$CUR.$1.out"; }

# grove_nodes — `grove nodes` output (bounded by 5 s).
grove_nodes() { timeout 5 "$GROVE" nodes --broker "$EP" 2>&1; }

# Writes stdin to FILE atomically (rename), so a watcher never sees half a
# file, and makes sure the modification time differs from the previous one.
write_file() {
    local f=$1
    cat > "$f.tmp.$$"
    mv -f "$f.tmp.$$" "$f"
}

# dump LOG... — the last lines of some logs, after a failure.
dump() {
    local f
    for f in "$@"; do
        [ -f "$f" ] || continue
        echo "     --- $(basename "$f") (last 15 lines)"
        tail -n 15 "$f" | sed 's/^/     /'
    done
}

# begin NAME — starts a test: a fresh port, no processes.
begin() {
    CUR=$1
    PORT=""
    BROKER_N=0
    [ "${IT_VERBOSE:-0}" = 1 ] && echo "== $CUR"
    TEST_T0=$(now_ms)
}
# end — stops the test's processes.  On failure the logs stay in $T.
end() {
    stop_all
    # Under an ASan/UBSan build (GROVE=build/asan/grove ...), any report in
    # this test's logs is a failure.
    local bad
    bad=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/$CUR".* 2>/dev/null | head -n 3)
    if [ -n "$bad" ]; then
        fail "no sanitizer reports" $bad
        grep -hE -A8 'ERROR: (Address|Leak)Sanitizer|runtime error:' $bad | head -n 30 | sed 's/^/     /'
    fi
    [ "${IT_VERBOSE:-0}" = 1 ] && echo "   ($(( $(now_ms) - TEST_T0 )) ms)"
    return 0
}
