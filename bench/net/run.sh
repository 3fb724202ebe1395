#!/usr/bin/env bash
# bench/net/run.sh — grove's network benchmarks (`make bench` runs them
# after the language benchmarks): edit-to-value latency, broker throughput
# and 1,000 simulated nodes, each beside its raw czmq floor, on loopback.
#
# Usage: bench/net/run.sh [BUILD]      BUILD defaults to build
# Environment:
#   NET_EDITS=200       edits timed per latency run
#   NET_NODES=10        nodes in the second latency run
#   NET_MSGS=200000     value messages per sender (2 senders)
#   NET_SIM=1000        simulated nodes
#   NET_SIM_SECONDS=10  seconds of heartbeats measured
#   NET_ROUNDS=3        alternating raw/broker throughput rounds (medians)
# Always exits 0 when it could run: a FAIL is a result.  bench/net/README.md
# explains the figures.

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${1:-$ROOT/build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
GROVE=$B/grove
BROKER=$B/grove-broker
NB=$B/bench
EDITS=${NET_EDITS:-200}
NNODES=${NET_NODES:-10}
MSGS=${NET_MSGS:-200000}
SIM=${NET_SIM:-1000}
SIM_SECONDS=${NET_SIM_SECONDS:-10}
ROUNDS=${NET_ROUNDS:-3}

W=$(mktemp -d "${TMPDIR:-/tmp}/grove-netbench.XXXXXX") || exit 1
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$W"
}
trap cleanup EXIT

. "$ROOT/bench/lib.sh"

say ""
say "grove network benchmarks — $(date '+%Y-%m-%d %H:%M'), $(nproc) cores, loopback TCP"
for f in "$GROVE" "$BROKER" "$NB/net_latency" "$NB/net_throughput" "$NB/net_scale"; do
    if [ ! -x "$f" ]; then say "  not built: $f — skipped (make bench builds it)"; exit 0; fi
done
if ! "$GROVE" node --help 2>&1 | grep -q -- '--id'; then
    say "  $GROVE has no 'node' command yet — skipped"; exit 0
fi

free_port() {
    local p
    while :; do
        p=$(( 20000 + RANDOM % 40000 ))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

BROKER_PID=""
start_broker() { # [ARGS...] — sets EP, BROKER_PID
    local port i
    port=$(free_port)
    EP=tcp://127.0.0.1:$port
    "$BROKER" --bind "$EP" "$@" > "$W/broker.log" 2>&1 &
    BROKER_PID=$!
    PIDS+=("$BROKER_PID")
    for i in $(seq 250); do port_open "$port" && return 0; sleep 0.02; done
    say "  the broker did not start: $(tail -n 2 "$W/broker.log")"
    return 1
}
stop_pid() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
NODE_PIDS=()
start_nodes() { # FROM TO
    local i
    for ((i = $1; i <= $2; i++)); do
        "$GROVE" node --id "n$i" --broker "$EP" > "$W/node$i.log" 2>&1 &
        NODE_PIDS+=($!)
        PIDS+=($!)
    done
}
stop_nodes() { local p; for p in "${NODE_PIDS[@]}"; do stop_pid "$p"; done; NODE_PIDS=(); }



# ---- edit-to-value latency ------------------------------------------------------------

say ""
say "== edit-to-value latency: push a changed live (? ...) form, wait for its value"
say "   ($EDITS edits after 20 warm-up ones; the floor: 2000 raw round trips, 100 bytes)"
FLOOR=$(timeout 120 "$NB/net_latency" floor --n 2000 2>"$W/floor.err")
L1=""; L10=""
if start_broker; then
    start_nodes 1 1
    L1=$(timeout 120 "$NB/net_latency" grove "$EP" --nodes 1 --edits "$EDITS" 2>"$W/lat1.err")
    start_nodes 2 "$NNODES"
    L10=$(timeout 120 "$NB/net_latency" grove "$EP" --nodes "$NNODES" --edits "$EDITS" 2>"$W/lat10.err")
    stop_nodes
    stop_pid "$BROKER_PID"
fi
fp50=$(field "$FLOOR" p50); fp99=$(field "$FLOOR" p99)
printf '  %-40s %9s %9s %9s %s\n' "" "p50 ms" "p99 ms" "p50/floor" "notes"
printf '  %-40s %9s %9s %9s %s\n' "raw czmq DEALER->ROUTER->DEALER (floor)" "${fp50:--}" "${fp99:--}" "1.00x" \
    "$( [ -z "$FLOOR" ] && head -c 80 "$W/floor.err")"
lat_row() { # LABEL LINE ERRFILE
    local p50 p99
    p50=$(field "$2" p50); p99=$(field "$2" p99)
    printf '  %-40s %9s %9s %9s %s\n' "$1" "${p50:--}" "${p99:--}" "$(num_ratio "$p50" "$fp50")" \
        "$( if [ -n "$2" ]; then echo "max $(field "$2" max) ms, lost $(field "$2" lost)"; else tail -n 1 "$3" | head -c 70; fi)"
}
lat_row "grove, 1 node" "$L1" "$W/lat1.err"
lat_row "grove, $NNODES nodes (all values in)" "$L10" "$W/lat10.err"
target_limit "p50 under 1 ms with 1 node" "$(field "$L1" p50)" "<" 1 "$(field "$L1" p50) ms"
target_limit "p50 under 3 ms with $NNODES nodes" "$(field "$L10" p50)" "<" 3 "$(field "$L10" p50) ms"
target_limit "p99 under 5 ms with 1 node" "$(field "$L1" p99)" "<" 5 "$(field "$L1" p99) ms"
target_limit "p99 under 5 ms with $NNODES nodes" "$(field "$L10" p99)" "<" 5 "$(field "$L10" p99) ms"

# ---- broker throughput --------------------------------------------------------------------

say ""
say "== broker throughput: value messages from 2 senders to 1 editor ($MSGS each)"
say "   (raw and broker runs alternate, $ROUNDS rounds; medians)"
median() { tr ' ' '\n' | grep -E '^[0-9.]+$' | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
RR=""; GRS=""; RAW=""; GT=""
for ((r = 1; r <= ROUNDS; r++)); do
    RAW=$(timeout 120 "$NB/net_throughput" raw --msgs "$MSGS" 2>"$W/raw.err")
    RR+=" $(field "$RAW" rate)"
    if start_broker --quiet; then
        GT=$(timeout 120 "$NB/net_throughput" grove "$EP" --msgs "$MSGS" 2>"$W/gt.err")
        GRS+=" $(field "$GT" rate)"
        stop_pid "$BROKER_PID"
    fi
done
rr=$(median <<< "$RR"); gr=$(median <<< "$GRS")
printf '  %-40s %12s %12s %9s  %s\n' "" "values/s" "delivered" "vs raw" "all rounds"
printf '  %-40s %12s %12s %9s  %s\n' "raw czmq ROUTER forwarding" "${rr:--}" \
    "$(field "$RAW" got)/$(field "$RAW" msgs)" "1.00x" "${RR# }"
printf '  %-40s %12s %12s %9s  %s\n' "grove-broker" "${gr:--}" "$(field "$GT" got)/$(field "$GT" msgs)" \
    "$(num_ratio "$gr" "$rr")" "${GRS# }$( [ -z "$GT" ] && tail -n 1 "$W/gt.err" | head -c 70)"
target_limit "at least 0.5x the raw ROUTER" "$(awk -v a="$gr" -v b="$rr" 'BEGIN { if (a != "" && b > 0) print a / b }')" \
    ">=" 0.5 "$(num_ratio "$gr" "$rr")"

# ---- many nodes ------------------------------------------------------------------------------

say ""
say "== $SIM simulated nodes on one broker (one process, raw DEALERs: hello + 1 s heartbeats)"
say "   (beside a raw czmq ROUTER answering hello with welcome and each ping with a ping)"
SC=""
SR=$(timeout 120 "$NB/net_scale" --raw --nodes "$SIM" --seconds "$SIM_SECONDS" 2>"$W/scale-raw.err")
if start_broker --quiet; then
    SC=$(timeout 120 "$NB/net_scale" "$EP" --pid "$BROKER_PID" --nodes "$SIM" --seconds "$SIM_SECONDS" 2>"$W/scale.err")
    stop_pid "$BROKER_PID"
fi
scale_row() { # LABEL OUTPUT ERRFILE
    local l1 l2 l3
    l1=$(grep '^scale' <<< "$2"); l2=$(grep '^rss' <<< "$2"); l3=$(grep '^cpu' <<< "$2")
    if [ -z "$l2" ]; then printf '  %-28s failed: %s\n' "$1" "$(tail -n 1 "$3" | head -c 70)"; return; fi
    printf '  %-28s %9s %9s %9s %10s %10s %9s\n' "$1" "$(field "$l1" welcomed)" "$(field "$l2" before)" \
        "$(field "$l2" after)" "$(field "$l2" per_node_kib)" "$(field "$l3" idle_pct)" "$(field "$l3" loaded_pct)"
}
printf '  %-28s %9s %9s %9s %10s %10s %9s\n' "" "welcomed" "RSS KiB" "with N" "KiB/node" "idle CPU%" "hb CPU%"
scale_row "raw czmq ROUTER" "$SR" "$W/scale-raw.err"
scale_row "grove-broker" "$SC" "$W/scale.err"
l1=$(grep '^scale' <<< "$SC")
say "  (CPU over ${SIM_SECONDS} s of heartbeats; the broker's node list: $(field "$l1" listed) after connecting, $(field "$l1" listed_after) after the heartbeats)"
target_limit "every simulated node stays registered" "$(field "$l1" listed_after)" ">=" "$SIM" \
    "$(field "$l1" listed_after) listed"
pr=$(field "$(grep '^rss' <<< "$SR")" per_node_kib); pg=$(field "$(grep '^rss' <<< "$SC")" per_node_kib)
say "  memory per node: broker/raw $(num_ratio "$pg" "$pr")"

targets_summary "== network targets"
exit 0
