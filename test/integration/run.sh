#!/usr/bin/env bash
# run.sh — grove's integration tests: a real broker and real nodes on
# loopback, driven by `grove push`, `grove eval` and `grove nodes` and by a
# raw-frame probe.  Ends with "integration: N passed, M failed".
#
# Usage: test/integration/run.sh [TEST...]    (default: every test)
# Tests: deploy redeploy placement context remove process restart node-kill
#        broker-restart freeze late-join same-id coalesce garbage caps http
#        spaces push-errors eval nodes signals
# See lib.sh for the settings (GROVE, BROKER, IT_KEEP, IT_VERBOSE).

if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
. "$(dirname "$0")/lib.sh"

# How long a wait for something that should come may take (s).
W=${IT_WAIT:-10}

# vals FILE QUERY [NODE] — the printed values of QUERY, in arrival order.
vals() { sel "$1" "type=:value query=:$2${3:+ node=:$3}" value; }
# got FILE QUERY VALUE NODE... — every NODE reported VALUE for QUERY.
got() {
    local f=$1 q=$2 v=$3 n; shift 3
    for n in "$@"; do has "$f" "type=:value query=:$q value=$v node=:$n" || return 1; done
}
# out_count FILE NODE TEXT — how many times TEXT occurs in NODE's output.
out_count() {
    sel "$1" "type=:out node=:$2" text | grep -o -- "$3" | wc -l | tr -d ' '
}
# nodes_sessions — how many distinct session ids `grove nodes` lists.
nodes_sessions() { grove_nodes | grep -Eo '[0-9a-f]{16}' | sort -u | wc -l | tr -d ' '; }
nodes_count_is() { [ "$(nodes_sessions)" = "$1" ]; }

# expect_wait NAME SECONDS COMMAND... — a check that COMMAND becomes true.
expect_wait() {
    local n=$1 s=$2; shift 2
    if wait_until "$s" "$@"; then pass "$n"; else fail "$n" "timed out after ${s}s: $*"; return 1; fi
}

# ---- deploy: live forms run everywhere, others do not ------------------------------

t_deploy() {
    begin deploy
    broker_start || { end; return; }
    nodes3
    local f=$T/deploy.clj
    cat > "$f" <<'CLJ'
(defn square [x] (* x x))
!(? :sq (square 7))
(? :dead (square 3))
!(println "hello from" (str "node-" 1))
!(node :alpha (? :inf (range)))
!(node :alpha (? :deep (reduce (fn [acc _] [acc]) [] (range 50))))
CLJ
    push_bg push "$f"
    local o; o=$(out push)
    expect_wait "values from alpha, beta, gamma" $W got "$o" sq 49 alpha beta gamma ||
        { dump "$o" "$T/deploy.push.err" "$T"/deploy.node-alpha.log "$T"/deploy.broker1.log; end; return; }
    check_eq "value line/col locate the ? form" "2 2" \
        "$(sel "$o" 'type=:value query=:sq node=:alpha' 'line col' | head -n 1 | tr '\t' ' ')"
    check_match "session is 16 hex digits" '^"[0-9a-f]{16}"$' \
        "$(sel "$o" 'type=:value query=:sq node=:beta' session | head -n 1)"
    check_match "context has the node's --context" ':region :us' \
        "$(sel "$o" 'type=:value query=:sq node=:beta' context | head -n 1)"
    check_match "value has :count and :time" '^[0-9]+	[0-9.e+]+$' \
        "$(sel "$o" 'type=:value query=:sq node=:gamma' 'count time' | head -n 1)"
    expect_wait "println reaches the editor tagged with each node" $W \
        eval '[ "$(out_count "$o" alpha "hello from node-1")$(out_count "$o" beta "hello from node-1")$(out_count "$o" gamma "hello from node-1")" = 111 ]'
    expect_wait "an infinite seq is reported" $W has "$o" 'type=:value query=:inf'
    local inf; inf=$(vals "$o" inf alpha | head -n 1)
    check_match "an infinite seq is printed with *print-length*" '^\(0 1 2 .* 99 \.\.\.\)$' "$inf"
    expect_wait "a deep value is reported" $W has "$o" 'type=:value query=:deep'
    local deep; deep=$(vals "$o" deep alpha | head -n 1)
    check_cmp "a deep value is cut by *print-level*" "$(printf '%s' "$deep" | tr -cd '[' | wc -c)" "<=" 12
    pause 300
    check_eq "a form without ! is not deployed" 0 "$(nsel "$o" 'query=:dead')"
    check_eq "no errors" 0 "$(nsel "$o" 'type=:error')"
    end
}

# ---- redeploy: --watch resends changes; only changed forms and dependents rerun ----

t_redeploy() {
    begin redeploy
    broker_start || { end; return; }
    nodes3
    local f=$T/redeploy.clj o
    write_file "$f" <<'CLJ'
(def a 1)
(def b 10)
(def c (* b 2))
!(do (println "run-A" a) (? :a a))
!(do (println "run-B" b) (? :b b))
!(do (println "run-C" c) (? :c c))
CLJ
    push_bg push "$f"
    o=$(out push)
    expect_wait "first deploy" $W got "$o" c 20 alpha beta gamma ||
        { dump "$o" "$T/redeploy.push.err" "$T/redeploy.node-alpha.log"; end; return; }
    # b changes: B and C (through c) rerun, A does not.
    write_file "$f" <<'CLJ'
(def a 1)
(def b 11)
(def c (* b 2))
!(do (println "run-A" a) (? :a a))
!(do (println "run-B" b) (? :b b))
!(do (println "run-C" c) (? :c c))
CLJ
    expect_wait "--watch sends a changed def; its user reruns" $W got "$o" b 11 alpha beta gamma ||
        dump "$o" "$T/redeploy.push.err"
    expect_wait "a transitive dependent reruns" $W got "$o" c 22 alpha beta gamma
    pause 300
    local n
    for n in alpha beta gamma; do
        check_eq "$n: the unrelated form did not rerun" 1 "$(out_count "$o" $n run-A)"
        check_eq "$n: the dependent form ran twice" 2 "$(out_count "$o" $n run-B)"
    done
    # The text of form A changes: only A reruns.
    write_file "$f" <<'CLJ'
(def a 1)
(def b 11)
(def c (* b 2))
!(do (println "run-A" a) (? :a (+ a 100)))
!(do (println "run-B" b) (? :b b))
!(do (println "run-C" c) (? :c c))
CLJ
    expect_wait "a changed live form reruns" $W got "$o" a 101 alpha beta gamma
    pause 300
    check_eq "only the changed form reran (B)" "2 2 2" \
        "$(out_count "$o" alpha run-B) $(out_count "$o" beta run-B) $(out_count "$o" gamma run-B)"
    check_eq "only the changed form reran (C)" "2 2 2" \
        "$(out_count "$o" alpha run-C) $(out_count "$o" beta run-C) $(out_count "$o" gamma run-C)"
    # A whitespace/comment-only edit changes nothing.
    write_file "$f" <<'CLJ'
(def a 1)
(def b   11) ; a comment
(def c (* b 2))
!(do (println "run-A" a)   (? :a (+ a 100)))
!(do (println "run-B" b) (? :b b #_{:alpha 11}))
!(do (println "run-C" c) (? :c c))
CLJ
    pause 600
    check_eq "a whitespace/comment/#_ edit reruns nothing" "2 2 2" \
        "$(out_count "$o" alpha run-A) $(out_count "$o" alpha run-B) $(out_count "$o" alpha run-C)"
    # A definition that fails: an error at its line, the last good one is kept.
    write_file "$f" <<'CLJ'
(def a 1)
(def b (/ 1 0))
(def c (* b 2))
!(do (println "run-A" a)   (? :a (+ a 100)))
!(do (println "run-B" b) (? :b b #_{:alpha 11}))
!(do (println "run-C" c) (? :c c))
CLJ
    expect_wait "a failing form reports an error from every node" $W \
        eval 'has "$o" "type=:error node=:alpha" && has "$o" "type=:error node=:beta" && has "$o" "type=:error node=:gamma"' ||
        dump "$o"
    check_match "the error has the line and the message" '^2	.*Divide by zero' \
        "$(sel "$o" 'type=:error node=:alpha' 'line message' | head -n 1)"
    check_eq "the node keeps the last good definition" 11 \
        "$(timeout 5 "$GROVE" eval --node alpha --broker "$EP" b 2>&1)"
    end
}

# ---- placement: by id, set of ids, context map ----------------------------------------

t_placement() {
    begin placement
    broker_start || { end; return; }
    nodes3
    local f=$T/placement.clj o
    cat > "$f" <<'CLJ'
!(node :alpha (? :only-alpha 1))
!(node #{:beta :gamma} (? :bg 2))
!(node {:region :eu} (? :eu 3))
!(node {:region :eu, :node :gamma} (? :eu-gamma 4))
!(? :all 5)
CLJ
    push_bg push "$f"
    o=$(out push)
    expect_wait "a form outside node runs everywhere" $W got "$o" all 5 alpha beta gamma ||
        { dump "$o" "$T/placement.push.err" "$T/placement.node-alpha.log"; end; return; }
    wait_until 3 got "$o" eu-gamma 4 gamma
    pause 300
    local q
    q() { sel "$o" "type=:value query=:$1" node | sort -u | tr '\n' ' '; }
    check_eq "by id" ":alpha " "$(q only-alpha)"
    check_eq "by set of ids" ":beta :gamma " "$(q bg)"
    check_eq "by context map" ":alpha :gamma " "$(q eu)"
    check_eq "by context map with :node" ":gamma " "$(q eu-gamma)"
    end
}

# ---- removing a form stops its process -------------------------------------------------

t_remove() {
    begin remove
    broker_start || { end; return; }
    nodes3
    local f=$T/remove.clj o n1 n2
    write_file "$f" <<'CLJ'
!(node :alpha {:tick (fn [caps] (loop [i 0] (? :tick i) (sleep 50) (recur (inc i))))})
!(? :marker 1)
CLJ
    push_bg push "$f"
    o=$(out push)
    expect_wait "a process reports values" $W has "$o" 'type=:value query=:tick node=:alpha' 4 ||
        { dump "$o" "$T/remove.push.err" "$T/remove.node-alpha.log"; end; return; }
    check_eq "the process runs on alpha only" ":alpha" \
        "$(sel "$o" 'type=:value query=:tick' node | sort -u | tr -d '\n')"
    check_match "its values count up" '^[3-9]|[1-9][0-9]' "$(vals "$o" tick alpha | tail -n 1)"
    write_file "$f" <<'CLJ'
!(? :marker 2)
CLJ
    expect_wait "the edit arrives" $W got "$o" marker 2 alpha beta gamma
    pause 200
    n1=$(nsel "$o" 'type=:value query=:tick')
    pause 700
    n2=$(nsel "$o" 'type=:value query=:tick')
    check_eq "removing the form stops the process (no values for 700 ms)" "$n1" "$n2"
    # Commented out, then back: it starts again from 0.
    write_file "$f" <<'CLJ'
!(node :alpha {:tick (fn [caps] (loop [i 0] (? :tick i) (sleep 50) (recur (inc i))))})
!(? :marker 3)
CLJ
    expect_wait "the form back: the process runs again" $W \
        has "$o" 'type=:value query=:tick node=:alpha' $((n2 + 3))
    write_file "$f" <<'CLJ'
;!(node :alpha {:tick (fn [caps] (loop [i 0] (? :tick i) (sleep 50) (recur (inc i))))})
!(? :marker 4)
CLJ
    expect_wait "the edit arrives" $W got "$o" marker 4 alpha
    pause 200
    n1=$(nsel "$o" 'type=:value query=:tick')
    pause 700
    n2=$(nsel "$o" 'type=:value query=:tick')
    check_eq "commenting the form out stops the process" "$n1" "$n2"
    # Changing the process's code restarts it with the new code.
    write_file "$f" <<'CLJ'
!(node :alpha {:tick (fn [caps] (loop [i 1000] (? :tick i) (sleep 50) (recur (inc i))))})
!(? :marker 5)
CLJ
    expect_wait "new code" $W has "$o" 'type=:value query=:tick value=1002'
    write_file "$f" <<'CLJ'
!(node :alpha {:tick (fn [caps] (loop [i 2000] (? :tick i) (sleep 50) (recur (inc i))))})
!(? :marker 6)
CLJ
    expect_wait "changed code restarts the process with the new code" $W \
        has "$o" 'type=:value query=:tick value=2002'
    pause 200
    local late; late=$(vals "$o" tick alpha | tail -n 3 | awk '$1 < 2000' | wc -l)
    check_eq "the old version stopped" 0 "$late"
    end
}

# ---- a process that throws is restarted with backoff --------------------------------------

t_restart() {
    begin restart
    broker_start || { end; return; }
    nodes3
    local f=$T/restart.clj o
    cat > "$f" <<'CLJ'
(defonce starts (atom 0))
!(node :alpha {:crashy (fn [caps]
                         (? :starts (swap! starts inc))
                         (sleep 30)
                         (throw (ex-info "boom" {:n @starts})))})
CLJ
    push_bg push "$f"
    o=$(out push)
    expect_wait "the process is restarted after it throws (3 starts)" $W \
        has "$o" 'type=:value query=:starts node=:alpha value=3' ||
        { dump "$o" "$T/restart.push.err" "$T/restart.node-alpha.log"; end; return; }
    expect_wait "each throw is reported as an error" $W has "$o" 'type=:error node=:alpha' 2
    check_match "the error carries the message" 'boom' \
        "$(sel "$o" 'type=:error node=:alpha' message | head -n 1)"
    wait_until $W has "$o" 'type=:value query=:starts node=:alpha value=4'
    local t1 t2 t3 t4
    t1=$(sel "$o" 'type=:value query=:starts value=1' time | head -n 1)
    t2=$(sel "$o" 'type=:value query=:starts value=2' time | head -n 1)
    t3=$(sel "$o" 'type=:value query=:starts value=3' time | head -n 1)
    t4=$(sel "$o" 'type=:value query=:starts value=4' time | head -n 1)
    check_cmp "restarts back off (gap 3->4 > gap 1->2)" \
        "$(awk -v a="$t4" -v b="$t3" 'BEGIN { print a - b }')" ">" \
        "$(awk -v a="$t2" -v b="$t1" 'BEGIN { print a - b }')"
    check_eq "only alpha runs it" ":alpha" "$(sel "$o" 'type=:value query=:starts' node | sort -u | tr -d '\n')"
    end
}

# ---- a node killed with SIGKILL and restarted converges -------------------------------------

t_node_kill() {
    begin node-kill
    broker_start || { end; return; }
    nodes3
    local f=$T/nodekill.clj o s1 s2
    write_file "$f" <<'CLJ'
!(? :v 1)
CLJ
    push_bg push "$f"
    o=$(out push)
    expect_wait "deploy" $W got "$o" v 1 alpha beta gamma ||
        { dump "$o" "$T/node-kill.push.err"; end; return; }
    s1=$(sel "$o" 'type=:value query=:v node=:beta' session | head -n 1)
    kill -KILL "${NODE_PID[beta]}"
    wait_exit "${NODE_PID[beta]}" 5
    write_file "$f" <<'CLJ'
!(? :v 2)
CLJ
    expect_wait "the others get the change" $W got "$o" v 2 alpha gamma
    node_start beta beta --context '{:region :us}'
    expect_wait "the restarted node gets the current program" $W got "$o" v 2 beta ||
        dump "$T/node-kill.node-beta.log"
    s2=$(sel "$o" 'type=:value query=:v value=2 node=:beta' session | head -n 1)
    check "with a new session" test -n "$s2" -a "$s2" != "$s1"
    check_eq "the restarted node never ran the old program" 0 \
        "$(sel "$o" "type=:value query=:v value=1 session=$s2" | wc -l)"
    expect_wait "the broker drops the dead session (grove nodes lists 3)" $W nodes_count_is 3 ||
        grove_nodes | sed 's/^/     /'
    end
}

# ---- the broker killed and restarted: everyone converges, no node restarted ------------------

t_broker_restart() {
    begin broker-restart
    broker_start || { end; return; }
    nodes3
    local f=$T/brestart.clj o pids
    write_file "$f" <<'CLJ'
!(do (println "run-v") (? :v 1))
CLJ
    push_bg push "$f"
    o=$(out push)
    expect_wait "deploy" $W got "$o" v 1 alpha beta gamma ||
        { dump "$o" "$T/broker-restart.push.err"; end; return; }
    pids="${NODE_PID[alpha]} ${NODE_PID[beta]} ${NODE_PID[gamma]}"
    kill -KILL "$BROKER_PID"
    wait_exit "$BROKER_PID" 5
    pause 300
    broker_start || { end; return; }     # same $PORT
    expect_wait "the nodes reconnect by themselves (grove nodes lists 3)" 15 nodes_count_is 3 ||
        { grove_nodes | sed 's/^/     /'; dump "$T/broker-restart.node-alpha.log" "$T/broker-restart.broker2.log"; }
    local p ok=1
    for p in $pids; do alive "$p" || ok=0; done
    check "no node was restarted (same processes alive)" [ "$ok" = 1 ]
    # A node that joins now gets the program: push re-pushed it by itself.
    node_start delta delta
    expect_wait "push --watch re-pushes after the reconnect (a late node gets it)" $W \
        got "$o" v 1 delta || dump "$o" "$T/broker-restart.push.err" "$T/broker-restart.broker2.log"
    check_eq "unchanged forms did not rerun on the old nodes" "1 1 1" \
        "$(out_count "$o" alpha run-v) $(out_count "$o" beta run-v) $(out_count "$o" gamma run-v)"
    write_file "$f" <<'CLJ'
!(do (println "run-v") (? :v 2))
CLJ
    expect_wait "a change after the restart reaches every node" $W got "$o" v 2 alpha beta gamma delta ||
        dump "$o" "$T/broker-restart.node-alpha.log"
    end
}

# ---- a node joining late gets the snapshot -------------------------------------------------------

t_late_join() {
    begin late-join
    broker_start || { end; return; }
    node_start alpha alpha
    node_start beta beta
    local f=$T/late.clj o
    write_file "$f" <<'CLJ'
(def x 1)
!(? :v x)
!(node :gamma (? :g :only-gamma))
CLJ
    push_bg push "$f"
    o=$(out push)
    expect_wait "deploy" $W got "$o" v 1 alpha beta ||
        { dump "$o" "$T/late-join.push.err"; end; return; }
    write_file "$f" <<'CLJ'
(def x 2)
!(? :v x)
!(node :gamma (? :g :only-gamma))
CLJ
    expect_wait "change" $W got "$o" v 2 alpha beta
    node_start gamma gamma --context '{:region :eu}'
    expect_wait "a late node gets the latest snapshot" $W got "$o" v 2 gamma ||
        dump "$T/late-join.node-gamma.log"
    expect_wait "and runs what is placed on it" $W got "$o" g :only-gamma gamma
    check_eq "and never the old program" 0 "$(nsel "$o" 'type=:value query=:v value=1 node=:gamma')"
    end
}

# ---- two nodes with the same id --------------------------------------------------------------------

t_same_id() {
    begin same-id
    broker_start || { end; return; }
    node_start twin1 twin
    node_start twin2 twin
    node_start alpha alpha
    local f=$T/same.clj o
    cat > "$f" <<'CLJ'
!(node :twin (? :who (+ 40 2)))
CLJ
    push_bg push "$f"
    o=$(out push)
    expect_wait "both nodes with the same id report" $W \
        eval '[ "$(distinct "$o" "type=:value query=:who node=:twin" session)" = 2 ]' ||
        { dump "$o" "$T/same-id.push.err"; end; return; }
    check_eq "each with its own session" 2 "$(distinct "$o" 'type=:value query=:who' session)"
    check_eq "the value is the same" 42 "$(vals "$o" who twin | sort -u | tr -d '\n')"
    expect_wait "grove nodes lists both" 5 eval '[ "$(grove_nodes | grep -c twin)" -ge 2 ]'
    check_eq "grove eval --node twin answers" 3 "$(timeout 5 "$GROVE" eval --node twin --broker "$EP" '(+ 1 2)' 2>&1)"
    end
}

# ---- a query in a tight loop is coalesced --------------------------------------------------------------

t_coalesce() {
    begin coalesce
    broker_start || { end; return; }
    nodes3
    local f=$T/spin.clj o t0 t1 n0 n1 rate
    cat > "$f" <<'CLJ'
!(node :alpha {:spin (fn [caps] (loop [i 0] (? :spin i) (recur (inc i))))})
CLJ
    push_bg push "$f"
    o=$(out push)
    expect_wait "a hot loop reports" $W has "$o" 'type=:value query=:spin' 5 ||
        { dump "$o" "$T/coalesce.push.err" "$T/coalesce.node-alpha.log"; end; return; }
    t0=$(now_ms); n0=$(nsel "$o" 'type=:value query=:spin')
    pause 1500
    t1=$(now_ms); n1=$(nsel "$o" 'type=:value query=:spin')
    rate=$(awk -v a="$n0" -v b="$n1" -v t="$((t1 - t0))" 'BEGIN { printf "%.1f", (b - a) * 1000 / t }')
    check_cmp "at most ~60 value lines per second (got $rate/s)" "$rate" "<=" 75
    check_cmp "but values keep coming (got $rate/s)" "$rate" ">=" 10
    check_cmp "coalesced reports carry a count > 1" \
        "$(sel "$o" 'type=:value query=:spin' count | sort -n | tail -n 1)" ">" 1
    check_cmp "the reported value is the latest (it grows)" \
        "$(vals "$o" spin alpha | tail -n 1)" ">" "$(vals "$o" spin alpha | head -n 1)"
    local t; t=$(now_ms)
    check_eq "the node still answers eval" 3 \
        "$(timeout 5 "$GROVE" eval --node alpha --broker "$EP" '(+ 1 2)' 2>&1)"
    check_cmp "within 2 s" "$(( $(now_ms) - t ))" "<" 2000
    check_eq "grove nodes still answers" 3 "$(nodes_sessions)"
    end
}

# ---- garbage never stops the broker ------------------------------------------------------------------

# reply_to FILE SPEC-PREFIX — the reply lines after "> SPEC-PREFIX...".
reply_to() {
    awk -v s="> $2" 'index($0, s) == 1 { on = 1; next } /^> / { on = 0 } on && /^< / { print }' "$1"
}

t_garbage() {
    begin garbage
    local max=()
    "$BROKER" --help 2>&1 | grep -q -- '--max-msg' && max=(--max-msg 65536)
    broker_start "${max[@]}" || { end; return; }
    nodes3
    local f=$T/garbage.clj o big=70000
    [ ${#max[@]} -eq 0 ] && big=1100000
    write_file "$f" <<'CLJ'
!(? :v 1)
CLJ
    push_bg push "$f"
    o=$(out push)
    expect_wait "deploy" $W got "$o" v 1 alpha beta gamma ||
        { dump "$o" "$T/garbage.push.err"; end; return; }
    local specs=(hex:00ff00fe80 'text:not json {' 'text:[1,2,3]' 'text:{"v":1,"type":"nope"}'
                 'text:{"v":99,"type":"ping"}' 'text:{"type":"ping"}' 'text:{"v":1,"type":"hello"}'
                 'text:{"v":1,"type":"push","space":7,"forms":"x"}' empty 'frames:a|b|{"v":1}'
                 "big:$big" 'text:{"v":1,"type":"eval","req":"r1","node":"nobody","code":"1"}'
                 'text:{"v":1,"type":"error","code":"x","message":"y"}')
    # From a stranger (no hello) and from a known peer.
    timeout 20 "$ITEST/probe" "$EP" --wait 150 "${specs[@]}" > "$T/garbage.probe1" 2>&1
    check "the probe (stranger) ran" [ -s "$T/garbage.probe1" ]
    check "the broker survives garbage from a stranger" alive "$BROKER_PID"
    check_eq "an error from a stranger is not answered" "" \
        "$(reply_to "$T/garbage.probe1" 'text:{"v":1,"type":"error"')"
    timeout 20 "$ITEST/probe" "$EP" --hello --wait 200 "${specs[@]}" > "$T/garbage.probe2" 2>&1
    check_eq "hello is welcomed" welcome "$(head -n 1 "$T/garbage.probe2")"
    local p2=$T/garbage.probe2
    check_match "binary garbage: bad-json error" '"code":"bad-json"' "$(reply_to "$p2" hex:)"
    check_match "invalid JSON: bad-json error" '"code":"bad-json"' "$(reply_to "$p2" 'text:not json')"
    check_match "not an object: error" '"type":"error"' "$(reply_to "$p2" 'text:[1,2,3]')"
    check_match "unknown type: bad-type error" '"code":"bad-type"' "$(reply_to "$p2" 'text:{"v":1,"type":"nope"}')"
    check_match "wrong version: bad-version error" '"code":"bad-version"' "$(reply_to "$p2" 'text:{"v":99')"
    check_match "no version: error" '"type":"error"' "$(reply_to "$p2" 'text:{"type":"ping"}')"
    check_match "missing fields: bad-field error" '"code":"bad-field"' "$(reply_to "$p2" 'text:{"v":1,"type":"hello"}')"
    check_match "fields of the wrong kind: bad-field error" '"code":"bad-field"' "$(reply_to "$p2" 'text:{"v":1,"type":"push"')"
    check_match "oversized message: too-big error" '"code":"too-big"' "$(reply_to "$p2" big:)"
    check_match "eval to nobody: result with status error" '"status":"error"' "$(reply_to "$p2" 'text:{"v":1,"type":"eval"')"
    check_eq "an error from a peer is not answered" "" "$(reply_to "$p2" 'text:{"v":1,"type":"error"')"
    check "the broker survives garbage from a peer" alive "$BROKER_PID"
    check_cmp "the broker logs warnings" "$(wc -l < "$T/garbage.broker1.log")" ">=" 8
    check_eq "grove nodes still lists the nodes" 3 "$(nodes_sessions)"
    check_eq "grove eval still works" 3 "$(timeout 5 "$GROVE" eval --node beta --broker "$EP" '(+ 1 2)' 2>&1)"
    write_file "$f" <<'CLJ'
!(? :v 2)
CLJ
    expect_wait "a push still reaches every node" $W got "$o" v 2 alpha beta gamma
    end
}

# ---- capabilities: no fs, no files; fs=DIR only inside DIR ---------------------------------------------

t_caps() {
    begin caps
    broker_start || { end; return; }
    mkdir -p "$T/caps-dir" "$T/caps-out"
    node_start alpha alpha
    node_start beta beta --cap "fs=$T/caps-dir"
    node_start gamma gamma --cap log --cap clock
    local f=$T/caps.clj o
    # How code reaches the fs capability (FS is the capability value).
    local wr=${IT_FS_WRITE:-'((:write FS) PATH "hello")'} rd=${IT_FS_READ:-'((:read FS) PATH)'}
    fsw() { local x=${wr//FS/fs}; echo "${x//PATH/\"$1\"}"; }
    fsr() { local x=${rd//FS/fs}; echo "${x//PATH/\"$1\"}"; }
    ln -s "$T/caps-out" "$T/caps-dir/link"
    cat > "$f" <<CLJ
!(node :alpha [caps] (? :alpha-caps (vec (sort (keys caps)))))
!(node :beta [caps] (? :beta-caps (vec (sort (keys caps)))))
!(node :gamma [caps] (? :gamma-caps (vec (sort (keys caps)))))
!(node :alpha [{:keys [fs]}]
   (? :alpha-write (try $(fsw "$T/caps-out/alpha.txt") :wrote (catch Exception e :refused))))
!(node :alpha (? :ambient (mapv #(some? (resolve %)) '[spit slurp load-file])))
!(node :beta [{:keys [fs]}]
   (? :write (try $(fsw inside.txt) :wrote (catch Exception e :refused))))
!(node :beta [{:keys [fs]}]
   (? :escape (try $(fsw ../escape.txt) :wrote (catch Exception e :refused))))
!(node :beta [{:keys [fs]}]
   (? :abs (try $(fsw "$T/caps-out/abs.txt") :wrote (catch Exception e :refused))))
!(node :beta [{:keys [fs]}]
   (? :link (try $(fsw link/linked.txt) :wrote (catch Exception e :refused))))
!(node :beta [{:keys [fs]}] (? :read (try $(fsr inside.txt) (catch Exception e :refused))))
CLJ
    push_bg push "$f"
    o=$(out push)
    expect_wait "nodes report their capabilities" $W \
        eval 'has "$o" "query=:alpha-caps" && has "$o" "query=:beta-caps" && has "$o" "query=:gamma-caps"' ||
        { dump "$o" "$T/caps.push.err" "$T/caps.node-beta.log"; end; return; }
    check_eq "no --cap: no capabilities" "[]" "$(vals "$o" alpha-caps alpha | head -n 1)"
    check_eq "--cap fs=DIR: fs" "[:fs]" "$(vals "$o" beta-caps beta | head -n 1)"
    check_eq "--cap log --cap clock: those two" "[:clock :log]" "$(vals "$o" gamma-caps gamma | head -n 1)"
    expect_wait "the attempts report" $W eval 'has "$o" "query=:alpha-write" && has "$o" "query=:read"' ||
        dump "$o"
    check_eq "a node without fs cannot write a file" ":refused" "$(vals "$o" alpha-write alpha | head -n 1)"
    check "... and no file appeared" test ! -e "$T/caps-out/alpha.txt"
    check_eq "no ambient file functions (spit, slurp, load-file)" "[false false false]" \
        "$(vals "$o" ambient alpha | head -n 1)"
    check_eq "a node with fs=DIR writes inside DIR" hello "$(cat "$T/caps-dir/inside.txt" 2>/dev/null)"
    check_eq "... and says so" ":wrote" "$(vals "$o" write beta | head -n 1)"
    check_eq "fs=DIR refuses ../ outside DIR" ":refused" "$(vals "$o" escape beta | head -n 1)"
    check "... and wrote nothing there" test ! -e "$T/escape.txt"
    check_eq "fs=DIR refuses an absolute path outside DIR" ":refused" "$(vals "$o" abs beta | head -n 1)"
    check "... and wrote nothing there" test ! -e "$T/caps-out/abs.txt"
    check_eq "fs=DIR refuses a symbolic link out of DIR" ":refused" "$(vals "$o" link beta | head -n 1)"
    check "... and wrote nothing there" test ! -e "$T/caps-out/linked.txt"
    check_eq "fs=DIR reads inside DIR" '"hello"' "$(vals "$o" read beta | tail -n 1)"
    end
}

# ---- grove eval ----------------------------------------------------------------------------------------------

t_eval() {
    begin eval
    broker_start || { end; return; }
    nodes3
    expect_wait "nodes up" $W nodes_count_is 3 || { end; return; }
    local r rc
    r=$(timeout 5 "$GROVE" eval --node alpha --broker "$EP" '(+ 1 2)' 2>&1); rc=$?
    check_eq "prints the value" 3 "$r"
    check_eq "exits 0" 0 "$rc"
    r=$(timeout 5 "$GROVE" eval --node beta --broker "$EP" '(str "a" "b")' 2>&1)
    check_eq "prints EDN" '"ab"' "$r"
    r=$(timeout 5 "$GROVE" eval --node gamma --broker "$EP" '{:a [1 2] :b #{3}}' 2>&1)
    check_eq "prints collections" '{:a [1 2], :b #{3}}' "$r"
    r=$(timeout 5 "$GROVE" eval --node alpha --broker "$EP" '(defn f [x] (/ x 0)) (f 1)' 2>&1); rc=$?
    check_eq "an exception exits 1" 1 "$rc"
    check_match "and prints the error" 'Divide by zero' "$r"
    check_match "with its stack trace" '(at |trace|user/f)' "$r"
    r=$(timeout 5 "$GROVE" eval --node alpha --broker "$EP" '(+ 1' 2>&1); rc=$?
    check_eq "a reader error exits 1" 1 "$rc"
    check_match "and says why" 'EOF' "$r"
    r=$(timeout 5 "$GROVE" eval --node nobody --broker "$EP" '1' 2>&1); rc=$?
    check_eq "an unknown node exits 1" 1 "$rc"
    check_match "and says so" 'nobody' "$r"
    r=$(timeout 5 "$GROVE" eval --node alpha --broker "$EP" '(def kept 41) (inc kept)' 2>&1)
    check_eq "defs stay on the node between evals" 42 \
        "$(timeout 5 "$GROVE" eval --node alpha --broker "$EP" '(inc kept)' 2>&1)"
    r=$(timeout 5 "$GROVE" eval --node alpha --broker "$EP" '(println "side") :done' 2>&1)
    check_match "the value comes back with println around" ':done' "$r"
    end
}

# An eval in flight while the broker pauses (SIGSTOP, longer than the
# editor's 3 heartbeats): `grove eval` says hello again to the same broker
# run and must not send its request a second time.
t_eval_once() {
    begin eval-once
    broker_start || { end; return; }
    # the node's heartbeat is long enough for the broker to keep it
    # through the pause; the editor's (1 s) is not
    node_start alpha alpha --heartbeat 3000
    expect_wait "node up" $W nodes_count_is 1 || { end; return; }
    timeout 5 "$GROVE" eval --node alpha --broker "$EP" '(def runs (atom 0))' > /dev/null 2>&1
    local out="$T/$CUR.eval.out"
    timeout 20 "$GROVE" eval --node alpha --broker "$EP" --timeout 15 \
        '(do (swap! runs inc) (sleep 4000) :slow)' > "$out" 2>&1 &
    local pid=$!
    sleep 0.5
    kill -STOP "$BROKER_PID"; sleep 3.5; kill -CONT "$BROKER_PID"
    wait "$pid"
    check_eq "its value arrives" ":slow" "$(cat "$out")"
    check_eq "the eval runs once across the editor's re-hello" 1 \
        "$(timeout 5 "$GROVE" eval --node alpha --broker "$EP" '@runs' 2>&1)"
    end
}

# ---- grove nodes --------------------------------------------------------------------------------------------

t_nodes() {
    begin nodes
    broker_start || { end; return; }
    nodes3 --cap log --cap clock
    expect_wait "lists the three nodes" $W nodes_count_is 3 ||
        { grove_nodes | sed 's/^/     /'; end; return; }
    local r; r=$(grove_nodes)
    check_match "with their ids" 'alpha' "$r"
    check_eq "one line each" 3 "$(printf '%s\n' "$r" | grep -Ec 'alpha|beta|gamma')"
    check_match "with their context" ':region :us' "$(printf '%s\n' "$r" | grep beta)"
    check_match "with their capabilities" 'clock' "$(printf '%s\n' "$r" | grep gamma)"
    stop "${NODE_PID[gamma]}"
    expect_wait "a node that stops leaves the list" $W nodes_count_is 2
    # an editor that also runs code (role both, as the Emacs module's) is
    # listed: `grove eval --node` reaches it (it once was left out)
    "$ITEST/probe" "$EP" --wait 5000 \
        'text:{"v":1,"type":"hello","role":"both","id":"emacs","session":"00000000000000e1","heartbeat":60000}' \
        > /dev/null 2>&1 &
    track $!
    expect_wait "a peer of role both is listed" $W nodes_count_is 3
    check_match "... under its id" 'emacs +00000000000000e1' "$(grove_nodes)"
    r=$(timeout 5 "$GROVE" nodes --broker "tcp://127.0.0.1:$(free_port)" 2>&1); local rc=$?
    check "no broker: exits non-zero, no hang" test "$rc" -ne 0 -a "$rc" -ne 124
    # an id that would not print as a keyword would break every EDN line
    timeout 5 "$GROVE" node --id 'a b' --broker "$EP" > /dev/null 2>&1; rc=$?
    check_eq "a node id that is not a keyword name is refused (exit 2)" 2 "$rc"
    end
}

# ---- with-context, context, unnamed queries, eval sees the program ---------------------------

t_context() {
    begin context
    broker_start || { end; return; }
    nodes3
    local f=$T/context.clj o
    cat > "$f" <<'CLJ'
(def n 1)
!(with-context {:phase :warm} (? :wc n))
!(context {:region :eu} (println "ctx-ran") (? :ctx 1))
!(? (+ n 1))
(defn helper [x] (? :in-fn (* x 10)))
!(helper 4)
CLJ
    push_bg push "$f"
    o=$(out push)
    expect_wait "deploy" $W got "$o" wc 1 alpha beta gamma ||
        { dump "$o" "$T/context.push.err"; end; return; }
    check_match "with-context attaches to the reported context" ':phase :warm' \
        "$(sel "$o" 'type=:value query=:wc node=:alpha' context | head -n 1)"
    check_match "... beside the node's own context" ':region :us' \
        "$(sel "$o" 'type=:value query=:wc node=:beta' context | head -n 1)"
    expect_wait "an unnamed ? is known by LINE:COL" $W has "$o" 'type=:value query="4:2" value=2 node=:gamma'
    expect_wait "a ? inside a function reports" $W got "$o" in-fn 40 alpha beta gamma
    check_eq "... at its own position" "5	18" "$(sel "$o" 'type=:value query=:in-fn node=:alpha' 'line col' | head -n 1)"
    expect_wait "context: the body runs everywhere" $W \
        eval '[ "$(out_count "$o" beta ctx-ran)" = 1 ] && [ "$(out_count "$o" alpha ctx-ran)" = 1 ]'
    wait_until 3 got "$o" ctx 1 alpha gamma
    pause 200
    check_eq "context: only matching nodes report" ":alpha :gamma " \
        "$(sel "$o" 'type=:value query=:ctx' node | sort -u | tr '\n' ' ')"
    check_eq "grove eval sees the program's definitions" 1 \
        "$(timeout 5 "$GROVE" eval --node alpha --broker "$EP" 'n' 2>&1)"
    check_match "eval runs with the node's context" ':region :eu' \
        "$(timeout 5 "$GROVE" eval --node gamma --broker "$EP" '*node-context*' 2>&1)"
    end
}

# ---- process life: finally on stop, a failing redeploy keeps the old one, no restart on return -----

t_process() {
    begin process
    broker_start || { end; return; }
    nodes3
    local f=$T/process.clj o n1 n2
    write_file "$f" <<'CLJ'
!(node :alpha {:worker (fn [caps]
                         (try
                           (loop [i 0] (? :w i) (sleep 50) (recur (inc i)))
                           (finally (println "cleanup-worker"))))
               :once (fn [caps] (? :once :done))})
CLJ
    push_bg push "$f"
    o=$(out push)
    expect_wait "processes run" $W has "$o" 'type=:value query=:w node=:alpha' 3 ||
        { dump "$o" "$T/process.push.err" "$T/process.node-alpha.log"; end; return; }
    pause 700
    check_eq "a process that returns is not restarted" 1 "$(nsel "$o" 'type=:value query=:once')"
    write_file "$f" <<'CLJ'
!(? :gone true)
CLJ
    expect_wait "removing the form runs the process's finally" $W \
        eval '[ "$(out_count "$o" alpha cleanup-worker)" = 1 ]' || dump "$o"
    pause 200
    n1=$(nsel "$o" 'type=:value query=:w')
    pause 500
    check_eq "... and it stops" "$n1" "$(nsel "$o" 'type=:value query=:w')"
    write_file "$f" <<'CLJ'
!(node :alpha {:worker (fn [caps]
                         (try
                           (loop [i 100] (? :w i) (sleep 50) (recur (inc i)))
                           (finally (println "cleanup-worker"))))})
CLJ
    expect_wait "back again" $W has "$o" 'type=:value query=:w value=102'
    # A new version that fails to evaluate: the old processes keep running
    # (the issue: "the node keeps the last good version of it").
    write_file "$f" <<'CLJ'
!(node :alpha (do (/ 1 0)
                  {:worker (fn [caps]
                             (try
                               (loop [i 100] (? :w i) (sleep 50) (recur (inc i)))
                               (finally (println "cleanup-worker"))))}))
CLJ
    expect_wait "the failing version reports an error" $W has "$o" 'type=:error node=:alpha'
    n1=$(nsel "$o" 'type=:value query=:w')
    pause 500
    n2=$(nsel "$o" 'type=:value query=:w')
    check_cmp "the old process keeps running after a failed redeploy" "$n2" ">=" $((n1 + 4))
    check_eq "... and was not stopped (no second finally)" 1 "$(out_count "$o" alpha cleanup-worker)"
    end
}

# ---- the http and timer capabilities, live -----------------------------------------------------------

# http_get PORT PATH — "STATUS<TAB>BODY" of a GET on loopback (bash's
# /dev/tcp: no curl needed); empty when nothing answered within 2 s.
http_get() {
    local resp
    resp=$( { exec 3<>"/dev/tcp/127.0.0.1/$1" &&
              printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3 &&
              timeout 2 cat <&3; } 2>/dev/null )
    [ -n "$resp" ] || return 0
    printf '%s\t%s' "$(head -n 1 <<< "$resp" | awk '{ print $2 }')" "${resp#*$'\r\n\r\n'}"
}

t_http() {
    begin http
    broker_start || { end; return; }
    local hp; hp=$(free_port)
    node_start alpha alpha --cap "http=$hp" --cap timer --cap log
    node_start beta beta
    local f=$T/http.clj o
    write_file "$f" <<'CLJ'
!(node :alpha [{:keys [http]}]
   ((:handle http) (fn [req] {:status 200 :body (str "v1 " (:uri req))})))
!(node :beta [caps] (? :beta-http (try ((:handle (:http caps)) identity) :installed
                                      (catch Exception e :refused))))
!(node :alpha [{:keys [timer log]}]
   (let [n (atom 0)] ((:every timer) 50 #(? :ticks (swap! n inc)))))
!(node :alpha [{:keys [log]}] (log "logged" :here))
CLJ
    push_bg push "$f"
    o=$(out push)
    expect_wait "the handler answers" $W eval '[ "$(http_get $hp /x)" = "200	v1 /x" ]' ||
        { { dump "$o" "$T/http.node-alpha.log"; echo "     got: $(http_get $hp /x)"; }; end; return; }
    write_file "$f" <<'CLJ'
!(node :alpha [{:keys [http]}]
   ((:handle http) (fn [req] {:status 201 :body (str "v2 " (:uri req))})))
!(node :beta [caps] (? :beta-http (try ((:handle (:http caps)) identity) :installed
                                      (catch Exception e :refused))))
!(node :alpha [{:keys [timer log]}]
   (let [n (atom 0)] ((:every timer) 50 #(? :ticks (swap! n inc)))))
!(node :alpha [{:keys [log]}] (log "logged" :here))
CLJ
    expect_wait "a changed handler replaces the old one (with its status)" $W \
        eval '[ "$(http_get $hp /y)" = "201	v2 /y" ]' || echo "     got: $(http_get $hp /y)"
    check_eq "a node without http cannot serve" ":refused" "$(vals "$o" beta-http beta | head -n 1)"
    expect_wait "timer :every keeps firing" $W has "$o" 'type=:value query=:ticks node=:alpha' 5
    check_eq "the timer was not restarted by an unrelated edit" 0 \
        "$(vals "$o" ticks alpha | awk 'NR > 1 && $1 < prev { bad++ } { prev = $1 } END { print bad + 0 }')"
    expect_wait "log writes to the editors" $W eval '[ "$(out_count "$o" alpha "logged :here")" -ge 1 ]'
    write_file "$f" <<'CLJ'
!(node :beta [caps] (? :beta-http (try ((:handle (:http caps)) identity) :installed
                                      (catch Exception e :refused))))
CLJ
    expect_wait "removing the form removes the handler (503)" $W \
        eval '[ "$(http_get $hp /z | cut -f 1)" = 503 ]'
    local n1; pause 200; n1=$(nsel "$o" 'type=:value query=:ticks')
    pause 400
    check_eq "... and stops its timer" "$n1" "$(nsel "$o" 'type=:value query=:ticks')"
    end
}

# ---- a frozen node is dropped, and comes back by itself --------------------------------------------

t_freeze() {
    begin freeze
    broker_start || { end; return; }
    nodes3
    local f=$T/freeze.clj o
    write_file "$f" <<'CLJ'
!(? :v 1)
CLJ
    push_bg push "$f"
    o=$(out push)
    expect_wait "deploy" $W got "$o" v 1 alpha beta gamma ||
        { dump "$o"; end; return; }
    kill -STOP "${NODE_PID[beta]}"
    expect_wait "a silent node is dropped and the editor told (node-left)" $W \
        has "$o" 'type=:node-left node=:beta' || dump "$o" "$T/freeze.broker1.log"
    check_eq "grove nodes lists the other two" 2 "$(nodes_sessions)"
    write_file "$f" <<'CLJ'
!(? :v 2)
CLJ
    expect_wait "the others get a change" $W got "$o" v 2 alpha gamma
    kill -CONT "${NODE_PID[beta]}"
    expect_wait "the node comes back by itself and converges" $W got "$o" v 2 beta ||
        dump "$T/freeze.node-beta.log" "$T/freeze.broker1.log"
    expect_wait "and is listed again" $W nodes_count_is 3
    end
}

# ---- spaces: two programs side by side ------------------------------------------------------------------

t_spaces() {
    begin spaces
    broker_start || { end; return; }
    nodes3
    local fa=$T/space-a.clj fb=$T/space-b.clj oa ob
    write_file "$fa" <<'CLJ'
!(do (println "run-user") (? :sa (str *ns*)))
CLJ
    write_file "$fb" <<'CLJ'
!(? :sb (str *ns*))
CLJ
    push_bg pa "$fa"
    oa=$(out pa)
    expect_wait "the default space runs" $W got "$oa" sa '"user"' alpha beta gamma ||
        { dump "$oa"; end; return; }
    push_bg pb "$fb" --space other
    ob=$(out pb)
    expect_wait "a second space runs beside it, in its own namespace" $W got "$ob" sb '"other"' alpha beta gamma ||
        dump "$ob" "$T/spaces.pb.err"
    pause 300
    check_eq "pushing another space leaves the first alone" "1 1 1" \
        "$(out_count "$oa" alpha run-user) $(out_count "$oa" beta run-user) $(out_count "$oa" gamma run-user)"
    write_file "$fb" <<'CLJ'
!(? :sb2 (str *ns* 2))
CLJ
    expect_wait "a change in the second space" $W got "$ob" sb2 '"other2"' alpha beta gamma
    pause 200
    check_eq "... does not touch the first" 1 "$(out_count "$oa" alpha run-user)"
    end
}

# ---- push: files that do not split, forms that do not read ------------------------------------------

t_push_errors() {
    begin push-errors
    broker_start || { end; return; }
    nodes3
    local f=$T/perr.clj o r rc
    write_file "$f" <<'CLJ'
!(? :v 1)
CLJ
    push_bg push "$f"
    o=$(out push)
    expect_wait "deploy" $W got "$o" v 1 alpha beta gamma ||
        { dump "$o"; end; return; }
    write_file "$f" <<'CLJ'
!(? :v 2
CLJ
    expect_wait "an unbalanced file is reported as an :error line" $W has "$o" 'type=:error file=*' ||
        dump "$o" "$T/push-errors.push.err"
    check_match "... with its position" '^1	' "$(sel "$o" 'type=:error file=*' 'line message' | head -n 1)"
    write_file "$f" <<'CLJ'
!(? :v 3)
!(? :bad #{1 1})
CLJ
    expect_wait "the next good text deploys" $W got "$o" v 3 alpha beta gamma
    check_eq "the unbalanced text was never sent" 0 "$(nsel "$o" 'type=:value query=:v value=2')"
    expect_wait "a form that does not read: an error from the nodes" $W \
        has "$o" 'type=:error node=:alpha line=2'
    check_match "... saying why" 'Duplicate|duplicate' "$(sel "$o" 'type=:error node=:alpha line=2' message | head -n 1)"
    r=$(timeout 5 "$GROVE" push "$T/no-such-file.clj" --broker "$EP" --for 1 2>&1); rc=$?
    check "a missing file: exit status not 0 (and no hang)" test "$rc" -ne 0 -a "$rc" -ne 124
    check_match "... with a message" 'no-such-file' "$r"
    local t0; t0=$(now_ms)
    timeout 10 "$GROVE" push "$f" --broker "$EP" --for 1 > "$T/push-errors.once.out" 2>&1; rc=$?
    check_eq "push --for 1 exits 0 by itself" 0 "$rc"
    check_cmp "... after about a second" "$(( $(now_ms) - t0 ))" "<" 3000
    end
}

# ---- signals: clean shutdowns ----------------------------------------------------------------------------

t_signals() {
    begin signals
    local rc
    # a size whose K multiple wraps around 2^64 (to 1024) was once accepted
    timeout 3 "$BROKER" --bind 'tcp://127.0.0.1:*' --max-msg 18014398509481985K > /dev/null 2>&1; rc=$?
    check_eq "an overflowing --max-msg is a bad option (exit 2)" 2 "$rc"
    broker_start || { end; return; }
    nodes3
    expect_wait "nodes up" $W nodes_count_is 3 || { end; return; }
    local t0
    kill -TERM "${NODE_PID[alpha]}"; t0=$(now_ms)
    wait_exit "${NODE_PID[alpha]}" 5; rc=$?
    check_eq "a node exits 0 on SIGTERM" 0 "$rc"
    check_cmp "... at once" "$(( $(now_ms) - t0 ))" "<" 2000
    expect_wait "and leaves the list" $W nodes_count_is 2
    kill -INT "${NODE_PID[beta]}"
    wait_exit "${NODE_PID[beta]}" 5; rc=$?
    check_eq "a node exits 0 on SIGINT" 0 "$rc"
    kill -TERM "$BROKER_PID"; t0=$(now_ms)
    wait_exit "$BROKER_PID" 5; rc=$?
    check_eq "the broker exits 0 on SIGTERM" 0 "$rc"
    check_cmp "... at once" "$(( $(now_ms) - t0 ))" "<" 2000
    check "gamma is still running without a broker" alive "${NODE_PID[gamma]}"
    broker_start || { end; return; }
    expect_wait "and finds the new broker" $W nodes_count_is 1
    kill -INT "$BROKER_PID"
    wait_exit "$BROKER_PID" 5; rc=$?
    check_eq "the broker exits 0 on SIGINT" 0 "$rc"
    end
}

# ---- main -------------------------------------------------------------------------------------------------

ALL="deploy redeploy placement context remove process restart node-kill broker-restart freeze late-join same-id coalesce garbage caps http spaces push-errors eval eval-once nodes signals"
missing=""
for b in "$GROVE" "$BROKER" "$ITEST/probe" "$ITEST/freeport"; do [ -x "$b" ] || missing="$missing $b"; done
if [ -n "$missing" ]; then
    echo "not built:$missing"
    echo "integration: 0 passed, 1 failed"
    exit 1
fi
detect_options
T0=$(now_ms)
for t in ${*:-$ALL}; do
    "t_${t//-/_}"
done
echo "($(( ($(now_ms) - T0) / 1000 )) s; heartbeat options: broker ${BROKER_HB[*]:-none}, node ${NODE_HB[*]:-none})"
echo "integration: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
