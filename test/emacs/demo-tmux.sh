#!/bin/sh
# The demo in a real terminal: runs `make demo' (Emacs -nw on
# examples/demo.clj, a local broker, nodes :alpha and :beta) inside a
# detached tmux session on a private tmux server, reads the screen with
# `tmux capture-pane' and checks that values from both nodes (and the
# editor node) appeared, that the ticker ticks, that Emacs stays
# responsive during a runaway loop on the editor node and that C-g stops
# it; then quits Emacs with C-x C-c and checks that the broker and the
# nodes it started are gone.  Last line: "demo-tmux: N passed, M failed".
#
#   GROVE_DEMO_CMD   the command to run (default: make -s demo)
#   GROVE_TMUX_KEEP=1  leave the tmux server running (to attach and look)
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
CMD=${GROVE_DEMO_CMD:-make -s demo}
SOCK=grove-demo-test-$$
S=demo
pass=0
fail=0
T=$(mktemp -d "${TMPDIR:-/tmp}/grove-tmux.XXXXXX") || exit 2

ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/     /'; }

tm() { tmux -L "$SOCK" "$@"; }
screen() { tm capture-pane -p -t "$S" 2>/dev/null; }
now() { date +%s; }

# wait_for SECONDS REGEX: until the screen matches REGEX (grep -E).
wait_for() {
  end=$(( $(now) + $1 ))
  while [ "$(now)" -le "$end" ]; do
    screen | grep -Eq -- "$2" && return 0
    sleep 0.1
  done
  return 1
}

check_screen() { # name seconds regex
  if wait_for "$2" "$3"; then ok "$1"; else ko "$1" "no /$3/ on screen:
$(screen)"; fi
}

# descendants PID: every process below PID.
descendants() {
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$c"
    descendants "$c"
  done
}

alive() { kill -0 "$1" 2>/dev/null; }

cleanup() {
  if [ "${GROVE_TMUX_KEEP:-0}" != 1 ]; then
    tm kill-server 2>/dev/null
  fi
  rm -rf "$T"
}
trap cleanup EXIT

if ! command -v tmux >/dev/null 2>&1; then
  ko "tmux is installed"
  echo "demo-tmux: $pass passed, $fail failed"
  exit 1
fi

tm -f /dev/null new-session -d -s "$S" -x 160 -y 110 -c "$ROOT" "env TERM=xterm-256color $CMD" || {
  ko "tmux session starts"; echo "demo-tmux: $pass passed, $fail failed"; exit 1; }
pane=$(tm display -p -t "$S" '#{pane_pid}')

# Values from both nodes, the editor node, the ticker, the context filter.
check_screen "values from both nodes" 60 '\(\? :square \(square 7\) #_\{:alpha 49, :beta 49, :editor 49\}\)'
check_screen "context keeps only :beta" 10 '\(\? :eu-only \(square 3\) #_\{:beta 9\}\)'
# The ticker: its value grows.
tick() { screen | sed -n 's/.*(? :tick i #_{:alpha \([0-9]*\)}).*/\1/p' | head -n 1; }
t1=""; end=$(( $(now) + 10 ))
while [ -z "$t1" ] && [ "$(now)" -le "$end" ]; do t1=$(tick); sleep 0.1; done
t2=$t1; end=$(( $(now) + 5 ))
while [ "$t2" = "$t1" ] && [ -n "$t1" ] && [ "$(now)" -le "$end" ]; do t2=$(tick); sleep 0.1; done
if [ -n "$t1" ] && [ -n "$t2" ] && [ "$t2" -gt "$t1" ]; then ok "the ticker ticks ($t1 -> $t2)"
else ko "the ticker ticks" "tick values: '$t1' '$t2'
$(screen)"; fi
check_screen "output tagged by node" 10 '^\[alpha\] tick 0'
check_screen "mode line shows the nodes" 5 'grove\[[0-9]+\]'
check_screen "the editor node runs its forms" 10 ':in-emacs .*#_\{:editor "hello from :editor"\}'
check_screen "each node's own value" 5 '#_\{:alpha :alpha, :beta :beta, :editor :editor\}'

# Processes Emacs started: the broker and the nodes.
emacs_pid=""
for p in "$pane" $(descendants "$pane"); do
  case "$(ps -o comm= -p "$p" 2>/dev/null)" in emacs*) emacs_pid=$p ;; esac
done
kids=""
if [ -n "$emacs_pid" ]; then kids=$(ps -o pid= --ppid "$emacs_pid" | tr -d ' '); fi
n=$(echo "$kids" | grep -c .)
if [ "$n" -ge 3 ]; then ok "emacs started the broker and nodes ($n processes)"
else ko "emacs started the broker and nodes" "emacs=$emacs_pid children: $kids"; fi

# A runaway loop on the editor node, typed into a buffer of its own (its
# own space, not visiting a file): Emacs keeps responding, C-g stops it.
tm send-keys -t "$S" M-:
tm send-keys -t "$S" -l '(progn (switch-to-buffer "loop.clj") (grove-clojure-mode) (setq grove-space "loop") (grove-mode 1))'
tm send-keys -t "$S" Enter
tm send-keys -t "$S" -l '!(node :editor (? :before-loop 1))'
tm send-keys -t "$S" Enter
check_screen "a second buffer gets values" 10 ':before-loop 1 #_\{:editor 1\}'
tm send-keys -t "$S" -l '!(node :editor (loop [] (recur)))'
tm send-keys -t "$S" Enter
sleep 1
tm send-keys -t "$S" -l '!(node :editor (? :after-loop (+ 40 2)))'
check_screen "Emacs responds while the editor node loops" 10 '!\(node :editor \(\? :after-loop \(\+ 40 2\)\)\)'
sleep 1
if screen | grep -q ':after-loop (+ 40 2) #_'; then ko "the loop holds back later forms" "$(screen)"
else ok "the loop holds back later forms"; fi
tm send-keys -t "$S" C-g
check_screen "C-g stops the loop: later forms run" 10 ':after-loop \(\+ 40 2\) #_\{:editor 42\}'
check_screen "the interruption shows at the loop" 10 'Interrupted'
check_screen "the mode line counts alpha, beta and editor" 5 'grove\[3\]'

# Quit: C-x C-c, answering the questions about the edited buffer.
tm send-keys -t "$S" C-x C-c
end=$(( $(now) + 20 ))
while [ -n "$emacs_pid" ] && alive "$emacs_pid" && [ "$(now)" -le "$end" ]; do
  s=$(screen)
  if printf '%s' "$s" | grep -q 'Save file'; then tm send-keys -t "$S" n
  elif printf '%s' "$s" | grep -q 'exit anyway? (yes or no)'; then
    tm send-keys -t "$S" -l yes; tm send-keys -t "$S" Enter
  fi
  sleep 0.3
done
if [ -n "$emacs_pid" ] && ! alive "$emacs_pid"; then ok "C-x C-c quits Emacs"
else ko "C-x C-c quits Emacs" "$(screen)"; fi
sleep 0.5
left=""
for k in $kids; do alive "$k" && left="$left $k"; done
if [ -z "$left" ] && [ -n "$kids" ]; then ok "the broker and nodes are gone"
else ko "the broker and nodes are gone" "still running:$left"; fi
# never leave them behind
for k in $left; do kill "$k" 2>/dev/null; done
if [ -n "$emacs_pid" ] && alive "$emacs_pid"; then kill "$emacs_pid" 2>/dev/null; fi

echo "demo-tmux: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
