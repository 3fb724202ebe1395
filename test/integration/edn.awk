# edn.awk — picks fields out of the one-map-per-line EDN that `grove push`
# prints, e.g. {:type :value, :node :alpha, :query :sq, :value [1 2], ...}.
#
#   awk -f edn.awk -v where='type=:value node=:alpha' -v get=value FILE
#
# where: space-separated KEY=PRINTED conditions, all must hold (the field's
#        printed EDN text must equal PRINTED exactly; KEY!=PRINTED negates;
#        KEY=* only requires the key to be there).
# get:   space-separated keys to print for each matching line, joined by a
#        tab (an absent key prints as "-"); empty: print the whole line.
# Only keys of the outer map count (nested maps are skipped), found as
# "{:KEY " or ", :KEY ".  Strings, nested collections and #{} are read
# whole, so a value may hold commas, braces and quotes.

# Returns the printed form starting at position P of S (spaces skipped).
function form_at(s, p,    n, c, depth, instr, q) {
    n = length(s)
    while (p <= n && substr(s, p, 1) == " ") p++
    q = p; depth = 0; instr = 0
    for (; p <= n; p++) {
        c = substr(s, p, 1)
        if (instr) {
            if (c == "\\") p++
            else if (c == "\"") { instr = 0; if (depth == 0) return substr(s, q, p - q + 1) }
            continue
        }
        if (c == "\"") { instr = 1; continue }
        if (c == "{" || c == "[" || c == "(") { depth++; continue }
        if (c == "}" || c == "]" || c == ")") {
            if (depth == 0) return substr(s, q, p - q)
            depth--
            if (depth == 0) return substr(s, q, p - q + 1)
            continue
        }
        if (depth == 0 && (c == "," || c == " ") && p > q) return substr(s, q, p - q)
    }
    return substr(s, q)
}

# The printed value of KEY in the outer map of S, or the SUBSEP marker.
function field(s, key,    n, i, c, depth, instr, pat, pl, prev) {
    n = length(s); depth = 0; instr = 0
    pat = ":" key " "; pl = length(pat)
    for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (instr) { if (c == "\\") i++; else if (c == "\"") instr = 0; continue }
        if (c == "\"") { instr = 1; continue }
        if (c == "{" || c == "[" || c == "(") { depth++; continue }
        if (c == "}" || c == "]" || c == ")") { depth--; continue }
        if (depth == 1 && c == ":" && substr(s, i, pl) == pat) {
            prev = substr(s, i - 1, 1)
            if (prev == "{" || (prev == " " && substr(s, i - 2, 1) == ","))
                return form_at(s, i + pl)
        }
    }
    return SUBSEP
}

BEGIN {
    nw = split(where, W, " ")
    ng = split(get, G, " ")
}

substr($0, 1, 1) == "{" {
    ok = 1
    for (k = 1; k <= nw && ok; k++) {
        neg = index(W[k], "!=") > 0
        if (neg) { key = substr(W[k], 1, index(W[k], "!=") - 1); want = substr(W[k], index(W[k], "!=") + 2) }
        else { key = substr(W[k], 1, index(W[k], "=") - 1); want = substr(W[k], index(W[k], "=") + 1) }
        v = field($0, key)
        if (want == "*") ok = (v != SUBSEP)
        else if (neg) ok = (v != want)
        else ok = (v == want)
    }
    if (!ok) next
    if (ng == 0) { print; next }
    out = ""
    for (k = 1; k <= ng; k++) {
        v = field($0, G[k])
        if (v == SUBSEP) v = "-"
        out = out (k > 1 ? "\t" : "") v
    }
    print out
}
