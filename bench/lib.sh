# bench/lib.sh — what the benchmark scripts share: printing, reading
# "name value" fields of a harness's output, ratios, and the targets list
# each script ends with.  Sourced by bench/run.sh, bench/net/run.sh and
# bench/emacs/run.sh.

say() { printf '%s\n' "$*"; }

# field LINE NAME — the word after NAME in LINE.
field() { awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' <<< "$1"; }

# num_ratio A B — A/B as "1.23x", or "-" when either is missing.
num_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2fx", a / b; else printf "-" }'; }

declare -a TARGETS   # "PASS|FAIL|n/a<TAB>text"

# target_record VERDICT TEXT — adds one line to the final summary.
target_record() { TARGETS+=("$1"$'\t'"$2"); }

# target_limit TEXT VALUE OP LIMIT SHOWN — PASS when VALUE OP LIMIT holds
# (OP: < <= > >=), n/a without a VALUE; printed now and summarized at the end.
target_limit() {
    local v
    if [ -z "$2" ]; then v="n/a"
    elif awk -v a="$2" -v b="$4" "BEGIN { exit !(a $3 b) }"; then v=PASS
    else v=FAIL; fi
    printf '  target: %-52s %-4s (%s)\n' "$1" "$v" "$5"
    target_record "$v" "$1 ($5)"
}

# targets_summary HEADING — every target with its verdict, and the count.
targets_summary() {
    local t v pass=0 total=0
    say ""
    say "$1"
    for t in "${TARGETS[@]}"; do
        v=${t%%$'\t'*}
        printf '  %-4s %s\n' "$v" "${t#*$'\t'}"
        total=$((total + 1)); [ "$v" = PASS ] && pass=$((pass + 1))
    done
    say "  $pass of $total targets pass"
}
