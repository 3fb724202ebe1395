/* node_lang.c — the natives behind the node language additions.
 *
 * The macros themselves (!, ?, ?>, ?>>, node, context, with-context) are
 * ordinary Clojure in core.clj; they need three things only C can do:
 * read a form's source position (form-pos*), keep it on a list a macro
 * rebuilt (with-pos*, for -> and ->>), and report a value (?report*).
 * gn_lang_init registers them in every VM, before the prelude loads.  The
 * ?report* defined here is the one a plain `grove run` uses: it prints
 * "? LINE:COL => VALUE" on stderr.  A node (node.c) replaces the var's
 * root with its own, which coalesces values and sends them to editors.
 */
#include "node_int.h"

/* (form-pos* form): [line col offset] of a list read from source (OFFSET:
 * bytes from the start of the text that was read), else nil. */
static gv_val n_form_pos(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    if (argv[0].t != GV_LIST) return GV_NILV;
    gv_list *l = GV_AS(gv_list, argv[0]);
    if (l->count == 0 || l->line <= 0) return GV_NILV;
    gv_val lc[3] = {gv_l(l->line), gv_l(l->col), gv_l(l->offset)};
    return gv_vec_from(vm, 3, lc);
}

/* (with-pos* new old): NEW as a list carrying OLD's source position when
 * OLD has one (NEW otherwise).  Realizes NEW (a macro's template seq). */
static gv_val n_with_pos(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_val old = argv[1];
    if (old.t != GV_LIST || GV_AS(gv_list, old)->line <= 0 || !gv_is_seq(argv[0]))
        return argv[0];
    gv_val items = gv_vec_of(vm, argv[0]);
    int64_t n = gv_vec_count(items);
    if (n == 0) return argv[0];
    gv_val *slot = gv_push(vm, items);
    gv_val acc = gv_list_empty(vm);
    for (int64_t i = n - 1; i >= 0; i--) acc = gv_list_cons(vm, gv_vec_nth(*slot, i), acc);
    gv_list *nl = GV_AS(gv_list, acc), *ol = GV_AS(gv_list, old);
    nl->line = ol->line;
    nl->col = ol->col;
    nl->offset = ol->offset;
    return acc;
}

/* True when every selector of the enclosing (context ...) forms matches
 * the current node context, so a ? evaluated now may report.  Runs
 * node-match? (Clojure code) only when some context form is active. */
bool gn_lang_reportable(gv_vm *vm) {
    gv_ns *core = vm->core_ns;
    gv_var *vf = gv_ns_resolve(vm, core, gv_sym(vm, "*node-filters*"));
    gv_var *vc = gv_ns_resolve(vm, core, gv_sym(vm, "*node-context*"));
    gv_var *vm_ = gv_ns_resolve(vm, core, gv_sym(vm, "node-match?"));
    if (!vf || !vc || !vm_) return true;
    gv_val filters = gv_var_get(vm, vf);
    if (gv_is_nil(filters)) return true;
    gv_val *fs = gv_push(vm, gv_seq(vm, filters));
    gv_val *ctx = gv_push(vm, gv_var_get(vm, vc));
    gv_val *sel = gv_push(vm, GV_NILV);
    while (!gv_is_nil(*fs)) {
        *sel = gv_first(vm, *fs);
        if (!gv_truthy(gv_call2(vm, gv_var_get(vm, vm_), *sel, *ctx))) return false;
        *fs = gv_next(vm, *fs);
    }
    return true;
}

/* (?report* site value) without a node: "? LINE:COL => VALUE" (with
 * " :ID" after the position for a keyword query) on stderr.  SITE is
 * what core.clj's query-site built.  Returns VALUE. */
static gv_val n_report_plain(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_val site = argv[0];
    if (site.t != GV_VECTOR || gv_vec_count(site) < 3) return argv[1];
    if (!gn_lang_reportable(vm)) return argv[1];
    gv_print_opts o = {true, 100, 10};
    gv_val err;
    char *s = gv_print_str(vm, argv[1], &o, &err);
    site = argv[0];
    gv_val id = gv_vec_nth(site, 0), line = gv_vec_nth(site, 1), col = gv_vec_nth(site, 2);
    fprintf(stderr, "? %lld:%lld%s%s => %s\n", line.t == GV_LONG ? (long long)line.as.i : 0,
            col.t == GV_LONG ? (long long)col.as.i : 0, id.t == GV_STRING ? " :" : "",
            id.t == GV_STRING ? GV_AS(gv_string, id)->data : "", s ? s : "#<unprintable>");
    free(s);
    return argv[1];
}

void gn_lang_init(gv_vm *vm) {
    gv_defn_native(vm, "clojure.core", "form-pos*", n_form_pos, 1, 1);
    gv_defn_native(vm, "clojure.core", "with-pos*", n_with_pos, 2, 2);
    gv_defn_native(vm, "clojure.core", "?report*", n_report_plain, 2, 2);
}
