/* core_misc.c — the rest of clojure.core in C: reference types (atoms,
 * volatiles, delays, deref), ex-info, metadata, predicates, printing,
 * gensym/macroexpand/eval, namespaces (in-ns, refer, alias, require),
 * vars and dynamic binding, and the function combinators (comp, partial,
 * juxt, fnil, memoize, some-fn, every-pred, trampoline).
 *
 * Design: the combinators are native closures (gv_native_closure) whose
 * env is a vector of the captured values, so they cost no prelude time and
 * no interpretation.  Natives that call back into Clojure keep what they
 * still need in gv_push slots; argument arrays passed to gv_call are runs
 * of consecutive gv_push slots (the value stack grows contiguously).
 * Anything malloc'd (print buffers, with-out-str sinks) is released under
 * a gv_try handler before the exception is rethrown. */
#include "vm.h"

#define CORE "clojure.core"

/* ---- small helpers ------------------------------------------------------ */

/* N consecutive rooted slots, initialised to nil (N may be 0). */
static gv_val *push_n(gv_vm *vm, int n) {
    gv_val *base = gv_push(vm, GV_NILV);
    for (int i = 1; i < n; i++) gv_push(vm, GV_NILV);
    return base;
}

static _Noreturn void cast_fail(gv_vm *vm, gv_val v, const char *to) {
    gv_throwf(vm, "ClassCastException", "class %s cannot be cast to class %s",
              gv_type_name(v), to);
}

static gv_symbol *arg_sym(gv_vm *vm, gv_val v) {
    if (v.t != GV_SYMBOL) cast_fail(vm, v, "clojure.lang.Symbol");
    return GV_AS(gv_symbol, v);
}

static gv_var *arg_var(gv_vm *vm, gv_val v) {
    if (v.t != GV_VAR) cast_fail(vm, v, "clojure.lang.Var");
    return GV_AS(gv_var, v);
}

static gv_val var_of(gv_var *v) { return gv_mk(GV_VAR, v); }

/* The value of clojure.core/NAME, or nil when it is not defined. */
static gv_val core_fn(gv_vm *vm, const char *name) {
    gv_var *v = gv_ns_resolve(vm, vm->core_ns, gv_sym(vm, name));
    return v && (v->h.flags & GV_VAR_BOUND) ? v->root : GV_NILV;
}

/* Runs WRITE into a fresh buffer under a handler that frees the buffer if
 * it throws; returns the bytes as a string value. */
typedef void (*buf_writer)(gv_vm *vm, gv_buf *b, void *ctx);

static gv_val build_string(gv_vm *vm, buf_writer write, void *ctx) {
    gv_buf b;
    gv_buf_init(&b);
    gv_handler h;
    if (gv_try(vm, &h) == 0) {
        write(vm, &b, ctx);
        gv_try_end(vm, &h);
    } else {
        gv_buf_free(&b);
        gv_throw(vm, h.exc);
    }
    gv_val s = gv_str(vm, b.p ? b.p : "", b.len);
    gv_buf_free(&b);
    return s;
}

/* ---- macros, exceptions --------------------------------------------------- */

static gv_val n_set_macro(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_var *v = arg_var(vm, argv[0]);
    v->h.flags |= GV_VAR_MACRO;
    return argv[0];
}

/* (exception* class-name msg) — the prelude's way to build an exception of
 * a Java class, since grove has no constructors. */
static gv_val n_exception(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    char cls[256];
    gv_val c = argv[0];
    if (c.t == GV_STRING) snprintf(cls, sizeof cls, "%s", GV_AS(gv_string, c)->data);
    else if (c.t == GV_SYMBOL) {
        gv_symbol *s = GV_AS(gv_symbol, c);
        if (s->ns) snprintf(cls, sizeof cls, "%s/%s", s->ns->data, s->name->data);
        else snprintf(cls, sizeof cls, "%s", s->name->data);
    } else cast_fail(vm, c, "java.lang.String");
    gv_val msg = argc > 1 ? argv[1] : GV_NILV;
    if (msg.t != GV_NIL && msg.t != GV_STRING) cast_fail(vm, msg, "java.lang.String");
    gv_val cause = argc > 2 ? argv[2] : GV_NILV;
    return gv_exception_new(vm, cls, msg, GV_NILV, cause);
}

static gv_val n_ex_info(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    gv_val msg = argv[0], d = argv[1], cause = argc > 2 ? argv[2] : GV_NILV;
    if (msg.t != GV_NIL && msg.t != GV_STRING) cast_fail(vm, msg, "java.lang.String");
    if (d.t == GV_NIL)
        gv_throwf(vm, "IllegalArgumentException", "Additional data must be non-nil.");
    if (!gv_is_map(d)) cast_fail(vm, d, "clojure.lang.IPersistentMap");
    if (cause.t != GV_NIL && cause.t != GV_EXCEPTION) cast_fail(vm, cause, "java.lang.Throwable");
    return gv_exception_new(vm, "clojure.lang.ExceptionInfo", msg, d, cause);
}

static gv_val n_ex_data(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm; (void)argc; (void)data;
    if (argv[0].t != GV_EXCEPTION) return GV_NILV;
    gv_exception *e = GV_AS(gv_exception, argv[0]);
    return gv_is_map(e->data) ? e->data : GV_NILV;
}

static gv_val n_ex_message(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm; (void)argc; (void)data;
    return argv[0].t == GV_EXCEPTION ? GV_AS(gv_exception, argv[0])->msg : GV_NILV;
}

static gv_val n_ex_cause(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm; (void)argc; (void)data;
    return argv[0].t == GV_EXCEPTION ? GV_AS(gv_exception, argv[0])->cause : GV_NILV;
}

/* ---- atoms ---------------------------------------------------------------- */

static gv_atom *arg_atom(gv_vm *vm, gv_val v) {
    if (v.t != GV_ATOM) cast_fail(vm, v, "clojure.lang.Atom");
    return GV_AS(gv_atom, v);
}

static void validate(gv_vm *vm, gv_val vf, gv_val v) {
    if (vf.t == GV_NIL) return;
    if (!gv_truthy(gv_call1(vm, vf, v)))
        gv_throwf(vm, "IllegalStateException", "Invalid reference state");
}

/* Calls every watch of the atom (rooted in *REF) as (f key ref old new). */
static void notify_watches(gv_vm *vm, gv_val *ref, gv_val old, gv_val nv) {
    gv_val w = GV_AS(gv_atom, *ref)->watches;
    if (w.t == GV_NIL || gv_map_count(w) == 0) return;
    gv_val *ws = gv_push(vm, gv_vec_of(vm, w));
    gv_val *args = push_n(vm, 4);
    int64_t n = gv_vec_count(*ws);
    for (int64_t i = 0; i < n; i++) {
        gv_val e = gv_vec_nth(*ws, i);
        args[0] = gv_vec_nth(e, 0);
        args[1] = *ref;
        args[2] = old;
        args[3] = nv;
        gv_call(vm, gv_vec_nth(e, 1), 4, args);
    }
}

/* Sets the atom at *REF to NV after validation, then notifies watches.
 * OLD and NV must be rooted by the caller. */
static void atom_set(gv_vm *vm, gv_val *ref, gv_val old, gv_val nv) {
    GV_AS(gv_atom, *ref)->val = nv;
    notify_watches(vm, ref, old, nv);
}

static gv_val n_atom(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if ((argc - 1) % 2) {
        gv_val k = argv[argc - 1];
        gv_throwf(vm, "IllegalArgumentException", "No value supplied for key: %s%s",
                  k.t == GV_KEYWORD ? ":" : "",
                  k.t == GV_KEYWORD ? GV_AS(gv_keyword, k)->sym->name->data : "option");
    }
    gv_atom *a = gv_alloc(vm, GV_ATOM, sizeof *a);
    a->val = argv[0];
    gv_val *ref = gv_push(vm, gv_mk(GV_ATOM, a));
    for (int i = 1; i + 1 < argc; i += 2) {
        gv_val k = argv[i];
        if (k.t != GV_KEYWORD) continue;
        const char *kn = GV_AS(gv_keyword, k)->sym->name->data;
        if (strcmp(kn, "meta") == 0) {
            if (argv[i + 1].t != GV_NIL && !gv_is_map(argv[i + 1]))
                cast_fail(vm, argv[i + 1], "clojure.lang.IPersistentMap");
            GV_AS(gv_atom, *ref)->meta = argv[i + 1];
        } else if (strcmp(kn, "validator") == 0) {
            validate(vm, argv[i + 1], argv[0]);
            GV_AS(gv_atom, *ref)->validator = argv[i + 1];
        }
    }
    return *ref;
}

static gv_val n_reset(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_atom *a = arg_atom(vm, argv[0]);
    validate(vm, a->validator, argv[1]);
    a = GV_AS(gv_atom, argv[0]);
    gv_val *old = gv_push(vm, a->val);
    atom_set(vm, &argv[0], *old, argv[1]);
    return argv[1];
}

static gv_val n_reset_vals(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_atom *a = arg_atom(vm, argv[0]);
    validate(vm, a->validator, argv[1]);
    a = GV_AS(gv_atom, argv[0]);
    gv_val *old = gv_push(vm, a->val);
    atom_set(vm, &argv[0], *old, argv[1]);
    gv_val pair[2] = {*old, argv[1]};
    return gv_vec_from(vm, 2, pair);
}

/* The compare-and-set loop of swap! and swap-vals!: sets *OLD and *NEW. */
static void swap_loop(gv_vm *vm, int argc, gv_val *argv, gv_val *old, gv_val *nv) {
    arg_atom(vm, argv[0]);
    int n = argc - 1; /* the old value plus the extra args */
    gv_val *args = push_n(vm, n);
    for (int i = 2; i < argc; i++) args[i - 1] = argv[i];
    for (;;) {
        *old = GV_AS(gv_atom, argv[0])->val;
        args[0] = *old;
        *nv = gv_call(vm, argv[1], n, args);
        validate(vm, GV_AS(gv_atom, argv[0])->validator, *nv);
        /* No safe point between this test and the store: green threads
         * switch only at safe points, so the compare-and-set is atomic. */
        if (gv_identical(GV_AS(gv_atom, argv[0])->val, *old)) {
            atom_set(vm, &argv[0], *old, *nv);
            return;
        }
    }
}

static gv_val n_swap(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    gv_val *old = push_n(vm, 2), *nv = old + 1;
    swap_loop(vm, argc, argv, old, nv);
    return *nv;
}

static gv_val n_swap_vals(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    gv_val *old = push_n(vm, 2), *nv = old + 1;
    swap_loop(vm, argc, argv, old, nv);
    return gv_vec_from(vm, 2, old);
}

static gv_val n_cas(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_atom *a = arg_atom(vm, argv[0]);
    validate(vm, a->validator, argv[2]);
    a = GV_AS(gv_atom, argv[0]);
    if (!gv_identical(a->val, argv[1])) return GV_FALSEV;
    atom_set(vm, &argv[0], argv[1], argv[2]);
    return GV_TRUEV;
}

static gv_val n_add_watch(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_atom *a = arg_atom(vm, argv[0]);
    gv_val w = a->watches.t == GV_NIL ? vm->empty_hashmap : a->watches;
    a->watches = gv_map_assoc(vm, w, argv[1], argv[2]);
    return argv[0];
}

static gv_val n_remove_watch(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_atom *a = arg_atom(vm, argv[0]);
    if (a->watches.t != GV_NIL) a->watches = gv_map_dissoc(vm, a->watches, argv[1]);
    return argv[0];
}

static gv_val n_set_validator(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_atom *a = arg_atom(vm, argv[0]);
    validate(vm, argv[1], a->val);
    GV_AS(gv_atom, argv[0])->validator = argv[1];
    return GV_NILV;
}

static gv_val n_get_validator(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return arg_atom(vm, argv[0])->validator;
}

/* ---- volatiles, delays, deref --------------------------------------------- */

static gv_val n_volatile(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_volatile *v = gv_alloc(vm, GV_VOLATILE, sizeof *v);
    v->val = argv[0];
    return gv_mk(GV_VOLATILE, v);
}

static gv_val n_vreset(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    if (argv[0].t != GV_VOLATILE) cast_fail(vm, argv[0], "clojure.lang.Volatile");
    GV_AS(gv_volatile, argv[0])->val = argv[1];
    return argv[1];
}

static gv_val n_delay(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_delay *d = gv_alloc(vm, GV_DELAY, sizeof *d);
    d->fn = argv[0];
    return gv_mk(GV_DELAY, d);
}

/* Realizes the delay D once; a thrown exception is cached and rethrown on
 * every deref, as Clojure does.  Interrupts are not cached. */
static gv_val force_delay(gv_vm *vm, gv_val d) {
    gv_val *slot = gv_push(vm, d);
    gv_delay *dl = GV_AS(gv_delay, d);
    if (dl->fn.t != GV_NIL) {
        gv_handler h;
        if (gv_try(vm, &h) == 0) {
            gv_val v = gv_call0(vm, GV_AS(gv_delay, *slot)->fn);
            gv_try_end(vm, &h);
            dl = GV_AS(gv_delay, *slot);
            if (dl->fn.t != GV_NIL) { /* another process may have won */
                dl->val = v;
                dl->fn = GV_NILV;
            }
        } else {
            gv_val exc = h.exc;
            if (exc.t == GV_EXCEPTION && GV_AS(gv_exception, exc)->uncatchable)
                gv_throw(vm, exc);
            dl = GV_AS(gv_delay, *slot);
            if (dl->fn.t != GV_NIL) {
                dl->exc = exc;
                dl->fn = GV_NILV;
            }
        }
    }
    dl = GV_AS(gv_delay, *slot);
    if (dl->exc.t != GV_NIL) gv_throw(vm, dl->exc);
    return dl->val;
}

static gv_val n_force(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return argv[0].t == GV_DELAY ? force_delay(vm, argv[0]) : argv[0];
}

static gv_val n_deref(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_val x = argv[0];
    switch (x.t) {
    case GV_ATOM: return GV_AS(gv_atom, x)->val;
    case GV_VOLATILE: return GV_AS(gv_volatile, x)->val;
    case GV_DELAY: return force_delay(vm, x);
    case GV_VAR: return gv_var_get(vm, GV_AS(gv_var, x));
    case GV_REDUCED: return GV_AS(gv_reduced, x)->val;
    case GV_PROCESS: return gv_process_join(vm, x);
    default: cast_fail(vm, x, "clojure.lang.IDeref");
    }
}

static gv_val n_realized(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_val x = argv[0];
    switch (x.t) {
    case GV_DELAY: return gv_b(GV_AS(gv_delay, x)->fn.t == GV_NIL);
    case GV_LAZYSEQ: return gv_b(GV_AS(gv_lazyseq, x)->fn.t == GV_NIL);
    case GV_RANGE: return GV_TRUEV; /* ranges compute elements, as Clojure's */
    case GV_PROCESS: {
        gv_pstate s = GV_AS(gv_proc, x)->state;
        return gv_b(s == GV_P_DONE || s == GV_P_FAILED);
    }
    default: cast_fail(vm, x, "clojure.lang.IPending");
    }
}

/* ---- metadata ------------------------------------------------------------- */

static gv_val n_meta(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm; (void)argc; (void)data;
    return gv_meta(argv[0]);
}

static gv_val n_with_meta(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return gv_with_meta(vm, argv[0], argv[1]);
}

/* (f (meta x) args...) for vary-meta and alter-meta!: ARGV is [x f args..]. */
static gv_val apply_to_meta(gv_vm *vm, int argc, gv_val *argv) {
    int n = argc - 1;
    gv_val *args = push_n(vm, n);
    args[0] = gv_meta(argv[0]);
    for (int i = 2; i < argc; i++) args[i - 1] = argv[i];
    return gv_call(vm, argv[1], n, args);
}

static gv_val n_vary_meta(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    gv_val m = apply_to_meta(vm, argc, argv);
    return gv_with_meta(vm, argv[0], m);
}

static gv_val *ref_meta_slot(gv_vm *vm, gv_val r) {
    if (r.t == GV_VAR) return &GV_AS(gv_var, r)->meta;
    if (r.t == GV_ATOM) return &GV_AS(gv_atom, r)->meta;
    cast_fail(vm, r, "clojure.lang.IReference");
}

static gv_val n_alter_meta(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    ref_meta_slot(vm, argv[0]);
    gv_val m = apply_to_meta(vm, argc, argv);
    if (m.t != GV_NIL && !gv_is_map(m)) cast_fail(vm, m, "clojure.lang.IPersistentMap");
    *ref_meta_slot(vm, argv[0]) = m;
    return m;
}

static gv_val n_reset_meta(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_val *slot = ref_meta_slot(vm, argv[0]);
    if (argv[1].t != GV_NIL && !gv_is_map(argv[1]))
        cast_fail(vm, argv[1], "clojure.lang.IPersistentMap");
    *slot = argv[1];
    return argv[1];
}

/* ---- predicates and trivial functions ------------------------------------- */

#define PRED(cname, expr)                                                     \
    static gv_val cname(gv_vm *vm, int argc, gv_val *argv, void *data) {      \
        (void)vm; (void)argc; (void)data;                                     \
        gv_val x = argv[0];                                                   \
        return gv_b(expr);                                                    \
    }
PRED(n_nil_p, x.t == GV_NIL)
PRED(n_some_p, x.t != GV_NIL)
PRED(n_true_p, x.t == GV_BOOL && x.as.b)
PRED(n_false_p, x.t == GV_BOOL && !x.as.b)
PRED(n_boolean_p, x.t == GV_BOOL)
PRED(n_fn_p, gv_is_fn(x))
PRED(n_ifn_p, gv_is_ifn(x))
PRED(n_var_p, x.t == GV_VAR)
PRED(n_volatile_p, x.t == GV_VOLATILE)
PRED(n_delay_p, x.t == GV_DELAY)
PRED(n_not, !gv_truthy(x))
PRED(n_boolean, gv_truthy(x))
PRED(n_any_p, ((void)x, true))
#undef PRED

static gv_val n_identity(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm; (void)argc; (void)data;
    return argv[0];
}

static gv_val n_identical(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm; (void)argc; (void)data;
    return gv_b(gv_identical(argv[0], argv[1]));
}

static gv_val n_not_eq(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    for (int i = 1; i < argc; i++)
        if (!gv_equiv(vm, argv[i - 1], argv[i])) return GV_TRUEV;
    return GV_FALSEV;
}

static gv_val n_special_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm; (void)argc; (void)data;
    static const char *const specials[] = {
        "def", "loop*", "recur", "if", "case*", "let*", "letfn*", "do", "fn*",
        "quote", "var", "import*", ".", "set!", "deftype*", "reify*", "try",
        "throw", "monitor-enter", "monitor-exit", "catch", "finally", "new",
        "&", NULL};
    if (argv[0].t != GV_SYMBOL || GV_AS(gv_symbol, argv[0])->ns) return GV_FALSEV;
    const char *n = GV_AS(gv_symbol, argv[0])->name->data;
    for (int i = 0; specials[i]; i++)
        if (strcmp(n, specials[i]) == 0) return GV_TRUEV;
    return GV_FALSEV;
}

/* (type x): the :type metadata if any, else the class name as a symbol
 * (Clojure returns a Class, which prints as its name). */
static gv_val n_class(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    if (argv[0].t == GV_NIL) return GV_NILV;
    return gv_symv(vm, gv_type_name(argv[0]));
}

static gv_val n_type(gv_vm *vm, int argc, gv_val *argv, void *data) {
    gv_val m = gv_meta(argv[0]);
    if (gv_is_map(m)) {
        gv_val t = gv_map_get(vm, m, gv_kw(vm, "type"), GV_NILV);
        if (t.t != GV_NIL) return t;
    }
    return n_class(vm, argc, argv, data);
}

/* ---- printing --------------------------------------------------------------- */

typedef struct {
    int argc;
    gv_val *argv;
    bool readably, newline;
} pr_ctx;

static void write_pr(gv_vm *vm, gv_buf *b, void *c) {
    pr_ctx *p = c;
    gv_print_opts o = gv_print_opts_current(vm, p->readably);
    for (int i = 0; i < p->argc; i++) {
        if (i) gv_buf_putc(b, ' ');
        gv_pr(vm, b, p->argv[i], &o);
    }
    if (p->newline) gv_buf_putc(b, '\n');
}

static gv_val pr_string(gv_vm *vm, int argc, gv_val *argv, bool readably, bool nl) {
    pr_ctx c = {argc, argv, readably, nl};
    return build_string(vm, write_pr, &c);
}

static void out_string(gv_vm *vm, gv_val s) {
    gv_string *str = GV_AS(gv_string, s);
    if (str->len) gv_out_write(vm, str->data, str->len);
}

static gv_val n_pr(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    out_string(vm, pr_string(vm, argc, argv, true, false));
    return GV_NILV;
}
static gv_val n_prn(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    out_string(vm, pr_string(vm, argc, argv, true, true));
    return GV_NILV;
}
static gv_val n_print(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    out_string(vm, pr_string(vm, argc, argv, false, false));
    return GV_NILV;
}
static gv_val n_println(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    out_string(vm, pr_string(vm, argc, argv, false, true));
    return GV_NILV;
}
static gv_val n_pr_str(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return pr_string(vm, argc, argv, true, false);
}
static gv_val n_prn_str(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return pr_string(vm, argc, argv, true, true);
}
static gv_val n_print_str(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return pr_string(vm, argc, argv, false, false);
}
static gv_val n_println_str(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return pr_string(vm, argc, argv, false, true);
}

static gv_val n_newline(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)argv; (void)data;
    gv_out_write(vm, "\n", 1);
    return GV_NILV;
}

static gv_val n_flush(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm; (void)argc; (void)argv; (void)data;
    return GV_NILV;
}

static gv_val n_printf(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    gv_val fmt = core_fn(vm, "format");
    if (fmt.t == GV_NIL) gv_throwf(vm, "IllegalStateException", "format is not defined");
    gv_val s = gv_call(vm, fmt, argc, argv);
    if (s.t == GV_STRING) out_string(vm, s);
    return GV_NILV;
}

/* (with-out-str* thunk): collects what THUNK prints into a string. */
static gv_val n_with_out_str(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_outsink s;
    gv_out_push(vm, &s);
    gv_handler h;
    if (gv_try(vm, &h) == 0) {
        gv_call0(vm, argv[0]);
        gv_try_end(vm, &h);
    } else {
        gv_out_pop(vm, &s);
        gv_buf_free(&s.buf);
        gv_throw(vm, h.exc);
    }
    gv_out_pop(vm, &s);
    gv_val r = gv_str(vm, s.buf.p ? s.buf.p : "", s.buf.len);
    gv_buf_free(&s.buf);
    return r;
}

/* ---- gensym, macroexpand, eval ----------------------------------------------- */

static void write_gensym(gv_vm *vm, gv_buf *b, void *c) {
    gv_val *prefix = c;
    gv_str_append(vm, b, *prefix);
    gv_buf_printf(b, "%llu", (unsigned long long)++vm->gensym_counter);
}

static gv_val n_gensym(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    gv_val prefix = argc ? argv[0] : gv_cstr(vm, "G__");
    gv_val s = build_string(vm, write_gensym, &prefix);
    return gv_mk(GV_SYMBOL, gv_sym_intern(vm, NULL, 0, GV_AS(gv_string, s)->data,
                                          GV_AS(gv_string, s)->len));
}

/* macroexpand-1 on any seq (macros often return conses or lazy seqs,
 * which gv_macroexpand1 leaves alone): returns FORM itself when it is not
 * a macro call. */
static gv_val expand1(gv_vm *vm, gv_val form) {
    if (form.t == GV_LIST || !gv_is_seq(form)) return gv_macroexpand1(vm, form);
    gv_val *orig = gv_push(vm, form);
    gv_val items = gv_vec_of(vm, form);
    int64_t n = gv_vec_count(items);
    gv_val *l = gv_push(vm, vm->empty_list);
    for (int64_t i = n - 1; i >= 0; i--) *l = gv_list_cons(vm, gv_vec_nth(items, i), *l);
    gv_val r = gv_macroexpand1(vm, *l);
    return gv_identical(r, *l) ? *orig : r;
}

static gv_val n_macroexpand1(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return expand1(vm, argv[0]);
}

static gv_val n_macroexpand(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_val *form = gv_push(vm, argv[0]);
    for (;;) {
        gv_val ex = expand1(vm, *form);
        if (gv_identical(ex, *form)) return ex;
        *form = ex;
    }
}

/* (read-string s): the first form of S; EOF while reading when none. */
static gv_val n_read_string(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_string *s = gv_arg_string(vm, argv[0]);
    gv_reader r;
    gv_reader_init(&r, s->data, s->len, "NO_SOURCE_PATH", 1, 1);
    gv_val form;
    if (!gv_reader_read(vm, &r, &form, NULL))
        gv_throwf(vm, "RuntimeException", "EOF while reading");
    return form;
}

/* (load-string s): evaluates every form of S, returns the last value. */
static gv_val n_load_string(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_string *s = gv_arg_string(vm, argv[0]);
    gv_push(vm, argv[0]); /* keeps the text alive while it is read */
    return gv_eval_source(vm, s->data, s->len, "NO_SOURCE_PATH", 1, 1, NULL, NULL);
}

static gv_val n_eval(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return gv_eval_form(vm, argv[0]);
}

/* ---- namespaces ----------------------------------------------------------------- */

void gv_ns_set_current(gv_vm *vm, gv_ns *ns) {
    gv_val nv = gv_objval(ns);
    gv_val key = var_of(vm->v_ns);
    if (vm->cur && gv_is_map(vm->cur->bindings) &&
        gv_map_contains(vm, vm->cur->bindings, key)) {
        vm->cur->bindings = gv_map_assoc(vm, vm->cur->bindings, key, nv);
    } else {
        vm->v_ns->root = nv;
        vm->v_ns->h.flags |= GV_VAR_BOUND;
    }
}

/* A namespace from a namespace or a symbol naming one; throws Clojure's
 * "No namespace: x found" otherwise. */
static gv_ns *the_ns(gv_vm *vm, gv_val x) {
    if (x.t == GV_NS) return GV_AS(gv_ns, x);
    gv_ns *ns = gv_ns_find(vm, arg_sym(vm, x));
    if (!ns)
        gv_throwf(vm, "Exception", "No namespace: %s found", GV_AS(gv_symbol, x)->name->data);
    return ns;
}

static gv_val n_in_ns(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_ns *ns = gv_ns_intern(vm, arg_sym(vm, argv[0]));
    gv_ns_set_current(vm, ns);
    return gv_objval(ns);
}

static gv_val n_create_ns(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return gv_objval(gv_ns_intern(vm, arg_sym(vm, argv[0])));
}

static gv_val n_find_ns(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_ns *ns = gv_ns_find(vm, arg_sym(vm, argv[0]));
    return ns ? gv_objval(ns) : GV_NILV;
}

static gv_val n_remove_ns(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_symbol *s = arg_sym(vm, argv[0]);
    gv_ns *ns = gv_ns_find(vm, s);
    if (!ns || ns == vm->core_ns) return GV_NILV;
    vm->namespaces = gv_map_dissoc(vm, vm->namespaces, gv_mk(GV_SYMBOL, s->base));
    return gv_objval(ns);
}

static gv_val n_the_ns(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return gv_objval(the_ns(vm, argv[0]));
}

static gv_val n_ns_name(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return gv_mk(GV_SYMBOL, the_ns(vm, argv[0])->name);
}

static gv_val n_all_ns(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)argv; (void)data;
    gv_val *entries = gv_push(vm, gv_vec_of(vm, vm->namespaces));
    gv_vecb b;
    gv_vecb_init(vm, &b);
    for (int64_t i = 0; i < gv_vec_count(*entries); i++)
        gv_vecb_add(vm, &b, gv_vec_nth(gv_vec_nth(*entries, i), 1));
    return gv_seq(vm, gv_vecb_done(vm, &b));
}

/* Collects the [sym var] entries of a namespace's mappings that pass a
 * filter, as a vector.  Mappings maps hold only symbols and vars, so the
 * walk runs no Clojure code. */
typedef enum { MAP_ALL, MAP_INTERNS, MAP_PUBLICS, MAP_REFERS } map_kind;
typedef struct {
    gv_ns *ns;
    map_kind kind;
    gv_val acc; /* a map being built */
} map_ctx;

static bool collect_mapping(gv_vm *vm, gv_val k, gv_val v, void *c) {
    map_ctx *m = c;
    bool own = v.t == GV_VAR && GV_AS(gv_var, v)->ns == m->ns;
    bool ok = m->kind == MAP_ALL ||
              (m->kind == MAP_INTERNS && own) ||
              (m->kind == MAP_PUBLICS && own && !(GV_AS(gv_var, v)->h.flags & GV_VAR_PRIVATE)) ||
              (m->kind == MAP_REFERS && v.t == GV_VAR && !own);
    if (ok) m->acc = gv_map_assoc(vm, m->acc, k, v);
    return true;
}

static gv_val ns_mappings(gv_vm *vm, gv_ns *ns, map_kind kind) {
    map_ctx c = {ns, kind, vm->empty_map};
    gv_map_each(vm, ns->mappings, collect_mapping, &c);
    return c.acc;
}

static gv_val n_ns_publics(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return ns_mappings(vm, the_ns(vm, argv[0]), MAP_PUBLICS);
}
static gv_val n_ns_interns(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return ns_mappings(vm, the_ns(vm, argv[0]), MAP_INTERNS);
}
static gv_val n_ns_refers(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return ns_mappings(vm, the_ns(vm, argv[0]), MAP_REFERS);
}
static gv_val n_ns_map(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return ns_mappings(vm, the_ns(vm, argv[0]), MAP_ALL);
}

typedef struct { gv_val acc; } alias_ctx;

static bool collect_alias(gv_vm *vm, gv_val k, gv_val v, void *c) {
    alias_ctx *a = c;
    gv_ns *target = v.t == GV_SYMBOL ? gv_ns_find(vm, GV_AS(gv_symbol, v)) : NULL;
    if (target) a->acc = gv_map_assoc(vm, a->acc, k, gv_objval(target));
    return true;
}

static gv_val n_ns_aliases(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    alias_ctx c = {vm->empty_map};
    gv_map_each(vm, the_ns(vm, argv[0])->aliases, collect_alias, &c);
    return c.acc;
}

static gv_val n_ns_unmap(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_ns *ns = the_ns(vm, argv[0]);
    gv_symbol *s = arg_sym(vm, argv[1]);
    ns->mappings = gv_map_dissoc(vm, ns->mappings, gv_mk(GV_SYMBOL, s->base));
    return GV_NILV;
}

static gv_val n_ns_unalias(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_ns *ns = the_ns(vm, argv[0]);
    gv_symbol *s = arg_sym(vm, argv[1]);
    ns->aliases = gv_map_dissoc(vm, ns->aliases, gv_mk(GV_SYMBOL, s->base));
    return GV_NILV;
}

static void do_alias(gv_vm *vm, gv_ns *in, gv_symbol *alias, gv_ns *target) {
    in->aliases = gv_map_assoc(vm, in->aliases, gv_mk(GV_SYMBOL, alias->base),
                               gv_mk(GV_SYMBOL, target->name));
}

static gv_val n_alias(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_symbol *a = arg_sym(vm, argv[0]);
    gv_ns *target = the_ns(vm, argv[1]);
    do_alias(vm, gv_current_ns(vm), a, target);
    return GV_NILV;
}

/* Maps S to VAR in NS unless NS has its own var of that name (Clojure
 * refuses to replace an interned mapping by a referred one). */
static void refer_var(gv_vm *vm, gv_ns *ns, gv_symbol *s, gv_val var) {
    gv_val key = gv_mk(GV_SYMBOL, s->base);
    gv_val cur = gv_map_get(vm, ns->mappings, key, GV_NILV);
    if (cur.t == GV_VAR && GV_AS(gv_var, cur)->ns == ns) return;
    ns->mappings = gv_map_assoc(vm, ns->mappings, key, var);
}

static bool seq_has_sym(gv_vm *vm, gv_val coll, gv_symbol *s) {
    if (coll.t == GV_NIL) return false;
    gv_val v = gv_vec_of(vm, coll);
    for (int64_t i = 0; i < gv_vec_count(v); i++) {
        gv_val x = gv_vec_nth(v, i);
        if (x.t == GV_SYMBOL && gv_sym_eq(GV_AS(gv_symbol, x), s)) return true;
    }
    return false;
}

/* The name FROM's var S is referred under: (:rename {s new}) or S. */
static gv_symbol *renamed(gv_vm *vm, gv_val rename, gv_symbol *s) {
    if (!gv_is_map(rename)) return s;
    gv_val r = gv_map_get(vm, rename, gv_mk(GV_SYMBOL, s->base), GV_NILV);
    return r.t == GV_SYMBOL ? GV_AS(gv_symbol, r) : s;
}

/* refer with Clojure's filters: ONLY (nil for all, or a collection of
 * symbols; :all counts as nil), EXCLUDE (collection), RENAME (map).  All
 * three are plain data (symbols), so this runs no Clojure code. */
static void do_refer(gv_vm *vm, gv_ns *to, gv_ns *from, gv_val only, gv_val exclude,
                     gv_val rename) {
    if (only.t == GV_KEYWORD) only = GV_NILV;
    if (only.t != GV_NIL) {
        gv_val *v = gv_push(vm, gv_vec_of(vm, only));
        for (int64_t i = 0; i < gv_vec_count(*v); i++) {
            gv_symbol *s = arg_sym(vm, gv_vec_nth(*v, i));
            gv_val var = gv_map_get(vm, from->mappings, gv_mk(GV_SYMBOL, s->base), GV_NILV);
            if (var.t != GV_VAR || GV_AS(gv_var, var)->ns != from)
                gv_throwf(vm, "IllegalAccessError", "%s does not exist", s->name->data);
            if (GV_AS(gv_var, var)->h.flags & GV_VAR_PRIVATE)
                gv_throwf(vm, "IllegalAccessError", "%s is not public", s->name->data);
            refer_var(vm, to, renamed(vm, rename, s), var);
        }
        return;
    }
    gv_val *pubs = gv_push(vm, gv_vec_of(vm, ns_mappings(vm, from, MAP_PUBLICS)));
    gv_val *excl = gv_push(vm, exclude.t == GV_NIL ? GV_NILV : gv_vec_of(vm, exclude));
    for (int64_t i = 0; i < gv_vec_count(*pubs); i++) {
        gv_val e = gv_vec_nth(*pubs, i);
        gv_symbol *s = GV_AS(gv_symbol, gv_vec_nth(e, 0));
        if (seq_has_sym(vm, *excl, s)) continue;
        refer_var(vm, to, renamed(vm, rename, s), gv_vec_nth(e, 1));
    }
}

typedef struct {
    gv_val only, exclude, rename;
    gv_val as, as_alias;
    bool has_only;
} ref_opts;

/* Parses keyword options KV[0..n) (:only :exclude :rename :refer :as
 * :as-alias; others, e.g. :reload, are ignored). */
static void parse_opts(gv_vm *vm, int n, const gv_val *kv, ref_opts *o) {
    o->only = o->exclude = o->rename = o->as = o->as_alias = GV_NILV;
    o->has_only = false;
    for (int i = 0; i < n; i++) {
        if (kv[i].t != GV_KEYWORD) continue;
        const char *k = GV_AS(gv_keyword, kv[i])->sym->name->data;
        gv_val v = i + 1 < n ? kv[i + 1] : GV_NILV;
        if (strcmp(k, "only") == 0 || strcmp(k, "refer") == 0) {
            o->only = v;
            o->has_only = true;
            i++;
        } else if (strcmp(k, "exclude") == 0) { o->exclude = v; i++; }
        else if (strcmp(k, "rename") == 0) { o->rename = v; i++; }
        else if (strcmp(k, "as") == 0) { o->as = v; i++; }
        else if (strcmp(k, "as-alias") == 0) { o->as_alias = v; i++; }
    }
    (void)vm;
}

static gv_val n_refer(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    gv_ns *from = the_ns(vm, argv[0]);
    ref_opts o;
    parse_opts(vm, argc - 1, argv + 1, &o);
    if (o.has_only && o.only.t == GV_NIL) return GV_NILV; /* :only [] or nil */
    do_refer(vm, gv_current_ns(vm), from, o.only, o.exclude, o.rename);
    return GV_NILV;
}

/* The namespace NAME, which must already exist (grove has no classpath
 * yet); otherwise Clojure's FileNotFoundException. */
static gv_ns *load_ns(gv_vm *vm, gv_symbol *name) {
    gv_ns *ns = gv_ns_find(vm, name);
    if (ns) return ns;
    gv_buf p;
    gv_buf_init(&p);
    bool dash = false;
    for (const char *c = name->name->data; *c; c++) {
        if (*c == '.') gv_buf_putc(&p, '/');
        else if (*c == '-') { gv_buf_putc(&p, '_'); dash = true; }
        else gv_buf_putc(&p, *c);
    }
    char path[512];
    snprintf(path, sizeof path, "%s", p.p ? p.p : "");
    gv_buf_free(&p);
    gv_throwf(vm, "java.io.FileNotFoundException",
              "Could not locate %s__init.class, %s.clj or %s.cljc on classpath.%s", path, path,
              path,
              dash ? " Please check that namespaces with dashes use underscores in the "
                     "Clojure file name." : "");
}

/* One libspec of require/use: a symbol, or a vector [name & options]. */
static void require_one(gv_vm *vm, gv_val spec, bool use) {
    gv_symbol *name;
    int n = 0;
    gv_val *kv = NULL;
    if (spec.t == GV_SYMBOL) {
        name = GV_AS(gv_symbol, spec);
    } else if (spec.t == GV_VECTOR && gv_vec_count(spec) > 0) {
        name = arg_sym(vm, gv_vec_nth(spec, 0));
        n = (int)gv_vec_count(spec) - 1;
        kv = push_n(vm, n);
        for (int i = 0; i < n; i++) kv[i] = gv_vec_nth(spec, i + 1);
    } else {
        gv_throwf(vm, "IllegalArgumentException",
                  "Unsupported libspec: must be a symbol or a vector");
    }
    ref_opts o;
    parse_opts(vm, n, kv, &o);
    gv_ns *cur = gv_current_ns(vm);
    if (o.as_alias.t != GV_NIL) {
        gv_ns *t = gv_ns_intern(vm, name);
        do_alias(vm, cur, arg_sym(vm, o.as_alias), t);
        if (o.as.t == GV_NIL && !o.has_only) return;
    }
    gv_ns *ns = load_ns(vm, name);
    if (o.as.t != GV_NIL) do_alias(vm, cur, arg_sym(vm, o.as), ns);
    if (use) {
        if (!(o.has_only && o.only.t == GV_NIL))
            do_refer(vm, cur, ns, o.only, o.exclude, o.rename);
    } else if (o.has_only && o.only.t != GV_NIL) {
        do_refer(vm, cur, ns, o.only, GV_NILV, o.rename);
    }
}

/* require/use over all arguments, including prefix lists
 * (prefix spec...) which expand to prefix.spec. */
static void require_all(gv_vm *vm, int argc, gv_val *argv, bool use) {
    for (int i = 0; i < argc; i++) {
        gv_val a = argv[i];
        if (a.t == GV_KEYWORD) continue; /* :reload, :verbose, ... */
        if (a.t == GV_LIST || a.t == GV_CONS) {
            gv_val *items = gv_push(vm, gv_vec_of(vm, a));
            int64_t n = gv_vec_count(*items);
            if (n == 0) continue;
            gv_symbol *prefix = arg_sym(vm, gv_vec_nth(*items, 0));
            for (int64_t j = 1; j < n; j++) {
                gv_val e = gv_vec_nth(*items, j);
                gv_val base = e.t == GV_VECTOR && gv_vec_count(e) ? gv_vec_nth(e, 0) : e;
                gv_symbol *bs = arg_sym(vm, base);
                char full[512];
                snprintf(full, sizeof full, "%s.%s", prefix->name->data, bs->name->data);
                gv_val fs = gv_mk(GV_SYMBOL, gv_sym_intern(vm, NULL, 0, full, strlen(full)));
                gv_val spec = e.t == GV_VECTOR ? gv_vec_assoc(vm, e, 0, fs) : fs;
                gv_val *sp = gv_push(vm, spec);
                require_one(vm, *sp, use);
            }
            continue;
        }
        require_one(vm, a, use);
    }
}

static gv_val n_require(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    require_all(vm, argc, argv, false);
    return GV_NILV;
}

static gv_val n_use(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    require_all(vm, argc, argv, true);
    return GV_NILV;
}

/* ---- vars --------------------------------------------------------------------- */

static gv_val resolve_in(gv_vm *vm, gv_ns *ns, gv_val env, gv_val sym) {
    gv_symbol *s = arg_sym(vm, sym);
    if (gv_is_map(env) && gv_map_contains(vm, env, gv_mk(GV_SYMBOL, s->base)))
        return GV_NILV;
    gv_var *v = gv_ns_resolve(vm, ns, s);
    return v ? var_of(v) : GV_NILV;
}

static gv_val n_resolve(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return argc == 1 ? resolve_in(vm, gv_current_ns(vm), GV_NILV, argv[0])
                     : resolve_in(vm, gv_current_ns(vm), argv[0], argv[1]);
}

static gv_val n_ns_resolve(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    gv_ns *ns = the_ns(vm, argv[0]);
    return argc == 2 ? resolve_in(vm, ns, GV_NILV, argv[1])
                     : resolve_in(vm, ns, argv[1], argv[2]);
}

/* (requiring-resolve 'ns/name): requires ns, then resolves. */
static gv_val n_requiring_resolve(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_symbol *s = arg_sym(vm, argv[0]);
    if (!s->ns)
        gv_throwf(vm, "IllegalArgumentException", "Not a qualified symbol: %s", s->name->data);
    gv_val nsv = gv_mk(GV_SYMBOL, gv_sym_intern(vm, NULL, 0, s->ns->data, s->ns->len));
    gv_val *nsym = gv_push(vm, nsv);
    require_one(vm, *nsym, false);
    return resolve_in(vm, gv_current_ns(vm), GV_NILV, argv[0]);
}

static gv_val n_find_var(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_symbol *s = arg_sym(vm, argv[0]);
    if (!s->ns)
        gv_throwf(vm, "IllegalArgumentException", "Symbol must be namespace-qualified");
    gv_symbol *nsname = gv_sym_intern(vm, NULL, 0, s->ns->data, s->ns->len);
    gv_ns *ns = gv_ns_find(vm, nsname);
    if (!ns) gv_throwf(vm, "IllegalArgumentException", "No such namespace: %s", s->ns->data);
    gv_symbol *bare = gv_sym_intern(vm, NULL, 0, s->name->data, s->name->len);
    gv_val v = gv_map_get(vm, ns->mappings, gv_mk(GV_SYMBOL, bare), GV_NILV);
    return v.t == GV_VAR && GV_AS(gv_var, v)->ns == ns ? v : GV_NILV;
}

static bool meta_flag(gv_vm *vm, gv_val m, const char *k) {
    return gv_is_map(m) && gv_truthy(gv_map_get(vm, m, gv_kw(vm, k), GV_NILV));
}

static gv_val n_intern(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    gv_ns *ns = the_ns(vm, argv[0]);
    gv_symbol *s = arg_sym(vm, argv[1]);
    gv_var *v = gv_var_intern(vm, ns, s);
    if (argc > 2) {
        v->root = argv[2];
        v->h.flags |= GV_VAR_BOUND;
    }
    if (s->meta.t != GV_NIL) {
        v->meta = s->meta;
        if (meta_flag(vm, s->meta, "dynamic")) v->h.flags |= GV_VAR_DYNAMIC;
        if (meta_flag(vm, s->meta, "private")) v->h.flags |= GV_VAR_PRIVATE;
        if (meta_flag(vm, s->meta, "macro")) v->h.flags |= GV_VAR_MACRO;
    }
    return var_of(v);
}

/* The running process's binding of V, or false. */
static bool thread_binding(gv_vm *vm, gv_var *v, gv_val *out) {
    if (!vm->cur || !gv_is_map(vm->cur->bindings)) return false;
    gv_val notfound = var_of(v); /* a var never binds itself */
    gv_val r = gv_map_get(vm, vm->cur->bindings, var_of(v), notfound);
    if (gv_identical(r, notfound)) return false;
    if (out) *out = r;
    return true;
}

static gv_val n_var_get(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return gv_var_get(vm, arg_var(vm, argv[0]));
}

static gv_val n_var_set(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_var *v = arg_var(vm, argv[0]);
    if (!thread_binding(vm, v, NULL))
        gv_throwf(vm, "IllegalStateException", "Can't change/establish root binding of: %s with set",
                  v->sym->name->data);
    vm->cur->bindings = gv_map_assoc(vm, vm->cur->bindings, argv[0], argv[1]);
    return argv[1];
}

static gv_val n_alter_var_root(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    arg_var(vm, argv[0]);
    int n = argc - 1;
    gv_val *args = push_n(vm, n);
    gv_var *v = GV_AS(gv_var, argv[0]);
    args[0] = (v->h.flags & GV_VAR_BOUND) ? v->root : GV_NILV;
    for (int i = 2; i < argc; i++) args[i - 1] = argv[i];
    gv_val r = gv_call(vm, argv[1], n, args);
    v = GV_AS(gv_var, argv[0]);
    v->root = r;
    v->h.flags |= GV_VAR_BOUND;
    return r;
}

static gv_val n_bound_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    for (int i = 0; i < argc; i++) {
        gv_var *v = arg_var(vm, argv[i]);
        if (!(v->h.flags & GV_VAR_BOUND) && !thread_binding(vm, v, NULL)) return GV_FALSEV;
    }
    return GV_TRUEV;
}

static gv_val n_thread_bound_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    for (int i = 0; i < argc; i++)
        if (!thread_binding(vm, arg_var(vm, argv[i]), NULL)) return GV_FALSEV;
    return GV_TRUEV;
}

typedef struct {
    gv_val acc;      /* the new bindings map */
    bool bad;        /* a key that is not a dynamic var was seen */
    gv_val bad_key;
} bind_ctx;

static bool add_binding(gv_vm *vm, gv_val k, gv_val v, void *c) {
    bind_ctx *b = c;
    if (k.t != GV_VAR || !(GV_AS(gv_var, k)->h.flags & GV_VAR_DYNAMIC)) {
        b->bad = true;
        b->bad_key = k;
        return false;
    }
    b->acc = gv_map_assoc(vm, b->acc, k, v);
    return true;
}

typedef struct {
    gv_val old;   /* bindings before */
    gv_val acc;
} unbind_ctx;

/* Undoes one binding frame: each var it bound gets back its outer
 * binding (or none); set! done meanwhile on other vars is kept. */
static bool undo_binding(gv_vm *vm, gv_val k, gv_val v, void *c) {
    (void)v;
    unbind_ctx *u = c;
    gv_val notfound = k;
    gv_val prev = gv_is_map(u->old) ? gv_map_get(vm, u->old, k, notfound) : notfound;
    u->acc = gv_identical(prev, notfound) ? gv_map_dissoc(vm, u->acc, k)
                                          : gv_map_assoc(vm, u->acc, k, prev);
    return true;
}

/* Calls F with ARGS under the bindings of map M (var -> value) pushed on
 * the running process's bindings, which are restored however F exits.
 * M, F and ARGS must be rooted. */
static gv_val call_with_bindings(gv_vm *vm, gv_val m, gv_val f, int argc, gv_val *args) {
    if (m.t != GV_NIL && !gv_is_map(m)) cast_fail(vm, m, "clojure.lang.IPersistentMap");
    gv_proc *p = vm->cur;
    gv_val *old = gv_push(vm, p->bindings);
    gv_val base = gv_is_map(p->bindings) ? p->bindings : vm->empty_hashmap;
    bind_ctx b = {base, false, GV_NILV};
    if (m.t != GV_NIL) gv_map_each(vm, m, add_binding, &b);
    if (b.bad && b.bad_key.t == GV_VAR) {
        gv_var *v = GV_AS(gv_var, b.bad_key);
        gv_throwf(vm, "IllegalStateException", "Can't dynamically bind non-dynamic var: %s/%s",
                  v->ns->name->name->data, v->sym->name->data);
    }
    if (b.bad) cast_fail(vm, b.bad_key, "clojure.lang.Var");
    p->bindings = b.acc;
    gv_handler h;
    gv_val r = GV_NILV;
    if (gv_try(vm, &h) == 0) {
        r = gv_call(vm, f, argc, args);
        gv_try_end(vm, &h);
    } else {
        unbind_ctx u = {*old, vm->cur->bindings};
        if (m.t != GV_NIL) gv_map_each(vm, m, undo_binding, &u);
        vm->cur->bindings = u.acc;
        gv_throw(vm, h.exc);
    }
    unbind_ctx u = {*old, vm->cur->bindings};
    if (m.t != GV_NIL) gv_map_each(vm, m, undo_binding, &u);
    vm->cur->bindings = u.acc;
    return r;
}

/* (with-bindings* {var val ...} f & args) */
static gv_val n_with_bindings(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return call_with_bindings(vm, argv[0], argv[1], argc - 2, argv + 2);
}

static gv_val n_get_thread_bindings(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)argv; (void)data;
    gv_val b = vm->cur ? vm->cur->bindings : GV_NILV;
    return gv_is_map(b) ? b : vm->empty_map;
}

/* env: [bindings f] */
static gv_val bound_fn_call(gv_vm *vm, int argc, gv_val *argv, void *data) {
    gv_val *env = gv_push(vm, gv_closure_env(data));
    return call_with_bindings(vm, gv_vec_nth(*env, 0), gv_vec_nth(*env, 1), argc, argv);
}

/* (bound-fn* f): F run later (in any process) sees the bindings current
 * now. */
static gv_val n_bound_fn(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_val env[2] = {n_get_thread_bindings(vm, 0, NULL, NULL), argv[0]};
    return gv_native_closure(vm, "clojure.core/bound-fn*$fn", bound_fn_call,
                             gv_vec_from(vm, 2, env), 0, -1);
}

/* Sets the roots of the vars in the vector of [var value] entries *ES and
 * returns a vector of the previous roots (nil for unbound vars). */
static gv_val swap_roots(gv_vm *vm, gv_val *es) {
    gv_vecb old;
    gv_vecb_init(vm, &old);
    for (int64_t i = 0; i < gv_vec_count(*es); i++) {
        gv_val e = gv_vec_nth(*es, i);
        gv_var *v = arg_var(vm, gv_vec_nth(e, 0));
        gv_vecb_add(vm, &old, (v->h.flags & GV_VAR_BOUND) ? v->root : GV_NILV);
        v->root = gv_vec_nth(e, 1);
        v->h.flags |= GV_VAR_BOUND;
    }
    return gv_vecb_done(vm, &old);
}

static void restore_roots(gv_vm *vm, gv_val es, gv_val old) {
    (void)vm;
    for (int64_t i = 0; i < gv_vec_count(old); i++)
        GV_AS(gv_var, gv_vec_nth(gv_vec_nth(es, i), 0))->root = gv_vec_nth(old, i);
}

/* (with-redefs-fn {var val ...} f): temporarily changes the vars' roots
 * (visible to every process) for the duration of (f). */
static gv_val n_with_redefs_fn(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    if (argv[0].t != GV_NIL && !gv_is_map(argv[0]))
        cast_fail(vm, argv[0], "clojure.lang.IPersistentMap");
    gv_val *es = gv_push(vm, argv[0].t == GV_NIL ? vm->empty_vec : gv_vec_of(vm, argv[0]));
    gv_val *old = gv_push(vm, GV_NILV);
    *old = swap_roots(vm, es);
    gv_handler h;
    gv_val r = GV_NILV;
    if (gv_try(vm, &h) == 0) {
        r = gv_call0(vm, argv[1]);
        gv_try_end(vm, &h);
    } else {
        restore_roots(vm, *es, *old);
        gv_throw(vm, h.exc);
    }
    restore_roots(vm, *es, *old);
    return r;
}

/* ---- function combinators ------------------------------------------------------- */

/* The closure's env vector, rooted. */
static gv_val *env_of(gv_vm *vm, void *data) { return gv_push(vm, gv_closure_env(data)); }

static gv_val comp_call(gv_vm *vm, int argc, gv_val *argv, void *data) {
    gv_val *env = env_of(vm, data);
    int64_t n = gv_vec_count(*env);
    gv_val *r = gv_push(vm, gv_call(vm, gv_vec_nth(*env, n - 1), argc, argv));
    for (int64_t i = n - 2; i >= 0; i--) *r = gv_call1(vm, gv_vec_nth(*env, i), *r);
    return *r;
}

static gv_val n_comp(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if (argc == 0) return core_fn(vm, "identity");
    if (argc == 1) return argv[0];
    return gv_native_closure(vm, "clojure.core/comp$fn", comp_call,
                             gv_vec_from(vm, argc, argv), 0, -1);
}

static gv_val partial_call(gv_vm *vm, int argc, gv_val *argv, void *data) {
    gv_val *env = env_of(vm, data);
    int n = (int)gv_vec_count(*env) - 1;
    gv_val *args = push_n(vm, n + argc);
    for (int i = 0; i < n; i++) args[i] = gv_vec_nth(*env, i + 1);
    for (int i = 0; i < argc; i++) args[n + i] = argv[i];
    return gv_call(vm, gv_vec_nth(*env, 0), n + argc, args);
}

static gv_val n_partial(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if (argc == 1) return argv[0];
    return gv_native_closure(vm, "clojure.core/partial$fn", partial_call,
                             gv_vec_from(vm, argc, argv), 0, -1);
}

static gv_val juxt_call(gv_vm *vm, int argc, gv_val *argv, void *data) {
    gv_val *env = env_of(vm, data);
    gv_vecb b;
    gv_vecb_init(vm, &b);
    for (int64_t i = 0; i < gv_vec_count(*env); i++)
        gv_vecb_add(vm, &b, gv_call(vm, gv_vec_nth(*env, i), argc, argv));
    return gv_vecb_done(vm, &b);
}

static gv_val n_juxt(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return gv_native_closure(vm, "clojure.core/juxt$fn", juxt_call,
                             gv_vec_from(vm, argc, argv), 0, -1);
}

static gv_val complement_call(gv_vm *vm, int argc, gv_val *argv, void *data) {
    gv_val *env = env_of(vm, data);
    return gv_b(!gv_truthy(gv_call(vm, *env, argc, argv)));
}

static gv_val n_complement(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return gv_native_closure(vm, "clojure.core/complement$fn", complement_call, argv[0], 0, -1);
}

static gv_val constantly_call(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm; (void)argc; (void)argv;
    return gv_closure_env(data);
}

static gv_val n_constantly(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return gv_native_closure(vm, "clojure.core/constantly$fn", constantly_call, argv[0], 0, -1);
}

static gv_val fnil_call(gv_vm *vm, int argc, gv_val *argv, void *data) {
    gv_val *env = env_of(vm, data);
    int nd = (int)gv_vec_count(*env) - 1;
    gv_val *args = push_n(vm, argc);
    for (int i = 0; i < argc; i++)
        args[i] = (i < nd && argv[i].t == GV_NIL) ? gv_vec_nth(*env, i + 1) : argv[i];
    return gv_call(vm, gv_vec_nth(*env, 0), argc, args);
}

static gv_val n_fnil(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return gv_native_closure(vm, "clojure.core/fnil$fn", fnil_call,
                             gv_vec_from(vm, argc, argv), argc - 1, -1);
}

/* env: [f cache] where cache is a volatile holding a map args -> value. */
static gv_val memo_call(gv_vm *vm, int argc, gv_val *argv, void *data) {
    gv_val *env = env_of(vm, data);
    gv_val cache = gv_vec_nth(*env, 1);
    gv_val *key = gv_push(vm, argc ? gv_vec_from(vm, argc, argv) : GV_NILV);
    /* the volatile itself is never a cached value: a safe "not found" */
    gv_val hit = gv_map_get(vm, GV_AS(gv_volatile, cache)->val, *key, cache);
    if (!gv_identical(hit, cache)) return hit;
    gv_val *r = gv_push(vm, gv_call(vm, gv_vec_nth(*env, 0), argc, argv));
    gv_volatile *c = GV_AS(gv_volatile, gv_vec_nth(*env, 1));
    c->val = gv_map_assoc(vm, c->val, *key, *r);
    return *r;
}

static gv_val n_memoize(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_volatile *c = gv_alloc(vm, GV_VOLATILE, sizeof *c);
    c->val = vm->empty_hashmap;
    gv_val env[2] = {argv[0], gv_mk(GV_VOLATILE, c)};
    return gv_native_closure(vm, "clojure.core/memoize$fn", memo_call,
                             gv_vec_from(vm, 2, env), 0, -1);
}

/* some-fn and every-pred apply preds to the first three args pred by
 * pred, then to each further arg with every pred (Clojure's order). */
static gv_val preds_call(gv_vm *vm, int argc, gv_val *argv, void *data, bool every) {
    gv_val *env = env_of(vm, data);
    int64_t np = gv_vec_count(*env);
    gv_val last = GV_NILV;
    int head = argc < 3 ? argc : 3;
    for (int64_t p = 0; p < np; p++)
        for (int i = 0; i < head; i++) {
            last = gv_call1(vm, gv_vec_nth(*env, p), argv[i]);
            if (gv_truthy(last) != every) return every ? GV_FALSEV : last;
        }
    for (int i = 3; i < argc; i++)
        for (int64_t p = 0; p < np; p++) {
            last = gv_call1(vm, gv_vec_nth(*env, p), argv[i]);
            if (gv_truthy(last) != every) return every ? GV_FALSEV : last;
        }
    if (every) return GV_TRUEV;
    /* Clojure's some-fn yields the last falsy value from its `or` chains
     * (at most three preds and three args), nil from its `some` paths. */
    return (np <= 3 && argc <= 3) ? last : GV_NILV;
}

static gv_val somefn_call(gv_vm *vm, int argc, gv_val *argv, void *data) {
    return preds_call(vm, argc, argv, data, false);
}
static gv_val everypred_call(gv_vm *vm, int argc, gv_val *argv, void *data) {
    return preds_call(vm, argc, argv, data, true);
}

static gv_val n_some_fn(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return gv_native_closure(vm, "clojure.core/some-fn$fn", somefn_call,
                             gv_vec_from(vm, argc, argv), 0, -1);
}

static gv_val n_every_pred(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return gv_native_closure(vm, "clojure.core/every-pred$fn", everypred_call,
                             gv_vec_from(vm, argc, argv), 0, -1);
}

static gv_val n_trampoline(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    gv_val *r = gv_push(vm, gv_call(vm, argv[0], argc - 1, argv + 1));
    while (gv_is_fn(*r)) *r = gv_call0(vm, *r);
    return *r;
}

/* Fallback for lazy-seq*, used only when no other file defines it. */
static gv_val n_lazy_seq(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return gv_lazyseq_new(vm, argv[0]);
}

/* ---- registration ------------------------------------------------------------------ */

void gv_core_init_misc(gv_vm *vm) {
    static const struct {
        const char *name;
        gv_cfn fn;
        int min, max;
    } fns[] = {
        {"set-macro!", n_set_macro, 1, 1},
        {"exception*", n_exception, 1, 3},
        {"ex-info", n_ex_info, 2, 3},
        {"ex-data", n_ex_data, 1, 1},
        {"ex-message", n_ex_message, 1, 1},
        {"ex-cause", n_ex_cause, 1, 1},
        {"atom", n_atom, 1, -1},
        {"reset!", n_reset, 2, 2},
        {"reset-vals!", n_reset_vals, 2, 2},
        {"swap!", n_swap, 2, -1},
        {"swap-vals!", n_swap_vals, 2, -1},
        {"compare-and-set!", n_cas, 3, 3},
        {"add-watch", n_add_watch, 3, 3},
        {"remove-watch", n_remove_watch, 2, 2},
        {"set-validator!", n_set_validator, 2, 2},
        {"get-validator", n_get_validator, 1, 1},
        {"volatile!", n_volatile, 1, 1},
        {"vreset!", n_vreset, 2, 2},
        {"volatile?", n_volatile_p, 1, 1},
        {"delay*", n_delay, 1, 1},
        {"delay?", n_delay_p, 1, 1},
        {"force", n_force, 1, 1},
        {"deref", n_deref, 1, 1},
        {"realized?", n_realized, 1, 1},
        {"meta", n_meta, 1, 1},
        {"with-meta", n_with_meta, 2, 2},
        {"vary-meta", n_vary_meta, 2, -1},
        {"alter-meta!", n_alter_meta, 2, -1},
        {"reset-meta!", n_reset_meta, 2, 2},
        {"nil?", n_nil_p, 1, 1},
        {"some?", n_some_p, 1, 1},
        {"true?", n_true_p, 1, 1},
        {"false?", n_false_p, 1, 1},
        {"boolean?", n_boolean_p, 1, 1},
        {"fn?", n_fn_p, 1, 1},
        {"ifn?", n_ifn_p, 1, 1},
        {"var?", n_var_p, 1, 1},
        {"any?", n_any_p, 1, 1},
        {"not", n_not, 1, 1},
        {"boolean", n_boolean, 1, 1},
        {"identity", n_identity, 1, 1},
        {"identical?", n_identical, 2, 2},
        {"special-symbol?", n_special_p, 1, 1},
        {"type", n_type, 1, 1},
        {"class", n_class, 1, 1},
        {"pr", n_pr, 0, -1},
        {"prn", n_prn, 0, -1},
        {"print", n_print, 0, -1},
        {"println", n_println, 0, -1},
        {"pr-str", n_pr_str, 0, -1},
        {"prn-str", n_prn_str, 0, -1},
        {"print-str", n_print_str, 0, -1},
        {"println-str", n_println_str, 0, -1},
        {"newline", n_newline, 0, 0},
        {"flush", n_flush, 0, 0},
        {"printf", n_printf, 1, -1},
        {"with-out-str*", n_with_out_str, 1, 1},
        {"gensym", n_gensym, 0, 1},
        {"macroexpand-1", n_macroexpand1, 1, 1},
        {"macroexpand", n_macroexpand, 1, 1},
        {"eval", n_eval, 1, 1},
        {"read-string", n_read_string, 1, 1},
        {"load-string", n_load_string, 1, 1},
        {"in-ns", n_in_ns, 1, 1},
        {"create-ns", n_create_ns, 1, 1},
        {"find-ns", n_find_ns, 1, 1},
        {"remove-ns", n_remove_ns, 1, 1},
        {"the-ns", n_the_ns, 1, 1},
        {"ns-name", n_ns_name, 1, 1},
        {"all-ns", n_all_ns, 0, 0},
        {"ns-publics", n_ns_publics, 1, 1},
        {"ns-interns", n_ns_interns, 1, 1},
        {"ns-refers", n_ns_refers, 1, 1},
        {"ns-map", n_ns_map, 1, 1},
        {"ns-aliases", n_ns_aliases, 1, 1},
        {"ns-unmap", n_ns_unmap, 2, 2},
        {"ns-unalias", n_ns_unalias, 2, 2},
        {"alias", n_alias, 2, 2},
        {"refer", n_refer, 1, -1},
        {"require", n_require, 0, -1},
        {"use", n_use, 0, -1},
        {"resolve", n_resolve, 1, 2},
        {"ns-resolve", n_ns_resolve, 2, 3},
        {"find-var", n_find_var, 1, 1},
        {"intern", n_intern, 2, 3},
        {"var-get", n_var_get, 1, 1},
        {"var-set", n_var_set, 2, 2},
        {"alter-var-root", n_alter_var_root, 2, -1},
        {"bound?", n_bound_p, 0, -1},
        {"thread-bound?", n_thread_bound_p, 0, -1},
        {"with-bindings*", n_with_bindings, 2, -1},
        {"get-thread-bindings", n_get_thread_bindings, 0, 0},
        {"bound-fn*", n_bound_fn, 1, 1},
        {"with-redefs-fn", n_with_redefs_fn, 2, 2},
        {"requiring-resolve", n_requiring_resolve, 1, 1},
        {"comp", n_comp, 0, -1},
        {"partial", n_partial, 1, -1},
        {"juxt", n_juxt, 1, -1},
        {"complement", n_complement, 1, 1},
        {"constantly", n_constantly, 1, 1},
        {"fnil", n_fnil, 2, 4},
        {"memoize", n_memoize, 1, 1},
        {"some-fn", n_some_fn, 1, -1},
        {"every-pred", n_every_pred, 1, -1},
        {"trampoline", n_trampoline, 1, -1},
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        gv_defn_native(vm, CORE, fns[i].name, fns[i].fn, fns[i].min, fns[i].max);
    /* defined by core_seq.c / core_num.c; these are fallbacks so the
     * prelude never depends on the registration order */
    if (core_fn(vm, "lazy-seq*").t == GV_NIL)
        gv_defn_native(vm, CORE, "lazy-seq*", n_lazy_seq, 1, 1);
    if (core_fn(vm, "not=").t == GV_NIL)
        gv_defn_native(vm, CORE, "not=", n_not_eq, 1, -1);
}
