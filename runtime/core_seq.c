/* core_seq.c — the sequence functions of clojure.core as natives.
 *
 * Lazy functions (map, filter, take, concat, iterate, ...) return lazy
 * seqs whose thunk is a native closure: a step returns (cons x <next lazy
 * seq>), a seq to splice in, or nil.  The closure keeps the chain's
 * constants and the step's state, and is handed on from one lazy seq to
 * the next (see "step closures" below), so one element of map or filter
 * costs a cons and a lazy seq.  There is no chunking.
 *
 * Eager walks (reduce, mapv, into, some, ...) go through gv_core_each,
 * which walks vectors leaf by leaf, ranges as numbers and anything else
 * as a seq with its cursor in a gv_push slot.
 *
 * The evaluator passes a safe point only when it calls a closure, not a
 * native, so every step and every walk iteration here ticks the process
 * budget (tick()): a long walk over natives stays interruptible and lets
 * the collector run.  Everything a step still needs after a call that may
 * run Clojure code (gv_call*, gv_seq/gv_next on a lazy seq, tick) lives in
 * the step closure (rooted: the caller holds it on the value stack) or in
 * gv_push slots.
 */
#include "vm.h"

#include <math.h>

/* ---- helpers ------------------------------------------------------------ */

#define CORE "clojure.core"

static inline void tick(gv_vm *vm) {
    if (--vm->cur->budget_left <= 0) gv_safepoint(vm);
}

/* The top of one loop iteration: drops whatever the previous iteration
 * left on the value stack above MARK (some seq.c calls leave their slots
 * there until the native returns, which a long loop cannot afford), then
 * ticks.  What a loop keeps across iterations is pushed before MARK. */
static inline void iter(gv_vm *vm, gv_val *mark) {
    vm->cur->sp = mark;
    tick(vm);
}
#define MARK gv_val *const mark = vm->cur->sp

/* Takes argument I of a native out of its slot, so that the head of a
 * lazy seq the native walks is not kept alive by the argument (Clojure's
 * locals clearing): a long walk would otherwise hold every realized
 * element. */
static inline gv_val take_arg(gv_val *argv, int i) {
    gv_val x = argv[i];
    argv[i] = GV_NILV;
    return x;
}

/* A private array of N nil slots.  Owner: the GC. */
static gv_vnode *arr_new(gv_vm *vm, uint32_t n) {
    gv_vnode *a = gv_alloc(vm, GV_VNODE, sizeof(gv_vnode) + (size_t)n * sizeof(gv_val));
    a->n = n;
    return a;
}
#define AVAL(a) gv_mk(GV_VNODE, (a))
#define ARR(v) (GV_AS(gv_vnode, (v))->a)

static gv_val arr2(gv_vm *vm, gv_val a, gv_val b) {
    gv_vnode *e = arr_new(vm, 2);
    e->a[0] = a;
    e->a[1] = b;
    return AVAL(e);
}

static gv_val arr3(gv_vm *vm, gv_val a, gv_val b, gv_val c) {
    gv_vnode *e = arr_new(vm, 3);
    e->a[0] = a;
    e->a[1] = b;
    e->a[2] = c;
    return AVAL(e);
}

/* ---- step closures ---------------------------------------------------------
 *
 * The thunk of a lazy seq made here is a native closure private to that
 * lazy seq (user code never sees it).  Its `meta` slot holds what stays the
 * same along the whole chain (the fn, the source vector, ...: KONST) and
 * its `env` the state of the next step (STATE: a seq, a number, or a fresh
 * array when the state has several parts).  Both are traced by the GC.
 *
 * When a step has produced its element, it hands its own closure, with the
 * state advanced, to the next lazy seq (lazy_again) instead of making a new
 * closure: once its lazy seq is realized (seq.c clears the thunk), nothing
 * else refers to the closure.  That saves an allocation per element.  The
 * rules that keep this safe: a step reads its state once, at the start,
 * into a rooted slot; it calls lazy_again only after everything that may
 * run Clojure code, so that a re-entrant realization of the same lazy seq
 * (the step's fn forcing the seq being built) still sees the old state;
 * and it writes only a value computed from that start state.  It also
 * relies on no two unrealized lazy seqs sharing one thunk: with-meta on an
 * unrealized lazy seq must realize it first, as Clojure's LazySeq.withMeta
 * does (seq.c's gv_with_meta).  Making a fresh closure per element
 * instead costs about 30% on (reduce + (filter even? (map inc v))). */

#define KONST(data) (((gv_native *)(data))->meta)
#define STATE(data) (((gv_native *)(data))->env)

/* A lazy seq whose thunk runs STEP with constant part K and state S.
 * NAME names the step in stack traces. */
static gv_val lazy_new(gv_vm *vm, const char *name, gv_cfn step, gv_val k, gv_val s) {
    gv_val c = gv_native_closure(vm, name, step, s, 0, 0);
    GV_AS(gv_native, c)->meta = k;
    return gv_lazyseq_new(vm, c);
}

/* The next lazy seq of the running step's chain: the step's closure DATA
 * with its state set to S.  Only allocation may follow it in the step. */
static gv_val lazy_again(gv_vm *vm, void *data, gv_val s) {
    STATE(data) = s;
    return gv_lazyseq_new(vm, gv_mk(GV_NATIVE, data));
}

/* Roots the running step's state and ticks (a step's first act). */
static gv_val *step_begin(gv_vm *vm, void *data) {
    gv_val *s = gv_push(vm, STATE(data));
    tick(vm);
    return s;
}

#define STEP(name) static gv_val name(gv_vm *vm, int argc, gv_val *argv, void *data)
#define STEP_UNUSED (void)argc; (void)argv

/* The rest of realized seq S without realizing anything: nil when it is
 * known to be empty. */
static gv_val rest_nr(gv_vm *vm, gv_val s) {
    gv_val r = gv_rest(vm, s);
    if (r.t == GV_LIST && GV_AS(gv_list, r)->count == 0) return GV_NILV;
    return r;
}

/* A vector as a seq, () when empty (partitions print as lists). */
static gv_val vec_as_seq(gv_vm *vm, gv_val v) {
    if (gv_vec_count(v) == 0) return vm->empty_list;
    return gv_seq(vm, v);
}

/* How many times Clojure's (pos? n) / (dec n) loops run for count argument
 * N: N itself for a long, the ceiling for a double. */
static int64_t count_arg(gv_vm *vm, gv_val n) {
    if (n.t == GV_LONG) return n.as.i;
    if (n.t == GV_DOUBLE) {
        double d = n.as.d;
        if (!(d > 0)) return 0;
        if (d >= 9.2e18) return INT64_MAX;
        return (int64_t)ceil(d);
    }
    gv_throw_cast(vm, n, "java.lang.Number");
}

/* Index argument (nth): Clojure truncates a double. */
static int64_t index_arg(gv_vm *vm, gv_val n) {
    if (n.t == GV_LONG) return n.as.i;
    if (n.t == GV_DOUBLE) {
        if (isnan(n.as.d)) return 0;
        if (n.as.d >= 9.2e18 || n.as.d <= -9.2e18) return n.as.d > 0 ? INT64_MAX : INT64_MIN;
        return (int64_t)n.as.d;
    }
    gv_throw_cast(vm, n, "java.lang.Number");
}

static bool is_sequential(gv_val x) {
    switch (x.t) {
    case GV_LIST: case GV_CONS: case GV_LAZYSEQ: case GV_ARRAYSEQ: case GV_RANGE:
    case GV_VECTOR:
        return true;
    default: return false;
    }
}

/* A growable array in a rooted slot (the GV_VNODE's n is its capacity). */
typedef struct garr {
    gv_val *slot;
    uint32_t len;
} garr;

static void garr_init(gv_vm *vm, garr *g, uint32_t cap) {
    g->slot = gv_push(vm, AVAL(arr_new(vm, cap ? cap : 8)));
    g->len = 0;
}

static void garr_add(gv_vm *vm, garr *g, gv_val x) {
    gv_vnode *a = GV_AS(gv_vnode, *g->slot);
    if (g->len == a->n) {
        if (a->n >= UINT32_MAX / 2)
            gv_throwf(vm, "OutOfMemoryError", "Requested array size exceeds VM limit");
        gv_vnode *b = arr_new(vm, a->n * 2);
        memcpy(b->a, a->a, (size_t)g->len * sizeof(gv_val));
        *g->slot = AVAL(b);
        a = b;
    }
    a->a[g->len++] = x;
}

static inline gv_val *garr_items(garr *g) { return ARR(*g->slot); }

/* ---- the walker --------------------------------------------------------- */

static const gv_vnode *vec_leaf(const gv_vector *v, uint32_t i) {
    uint32_t toff = v->count < 32 ? 0 : ((v->count - 1) >> 5) << 5;
    if (i >= toff) return v->tail;
    const gv_vnode *n = v->root;
    for (uint32_t level = v->shift; level > 0; level -= 5)
        n = GV_AS(gv_vnode, n->a[(i >> level) & 31]);
    return n;
}

/* Elements [from, to) of the vector in rooted slot VS. */
static bool vec_each(gv_vm *vm, gv_val *vs, int64_t from, int64_t to, gv_elem_fn fn, void *ctx) {
    const gv_vector *v = GV_AS(gv_vector, *vs);
    int64_t i = from;
    MARK;
    while (i < to) {
        const gv_vnode *leaf = vec_leaf(v, (uint32_t)i);
        int64_t lim = (i | 31) + 1;
        if (lim > to) lim = to;
        for (; i < lim; i++) {
            iter(vm, mark);
            if (!fn(vm, leaf->a[i & 31], ctx)) return false;
        }
    }
    return true;
}

void gv_core_each(gv_vm *vm, gv_val coll, gv_elem_fn fn, void *ctx) {
    switch (coll.t) {
    case GV_NIL: return;
    case GV_VECTOR: {
        gv_val *vs = gv_push(vm, coll);
        vec_each(vm, vs, 0, gv_vec_count(coll), fn, ctx);
        return;
    }
    case GV_RANGE: {
        gv_range *r = GV_AS(gv_range, coll);
        int64_t i = r->start, end = r->end, step = r->step;
        bool inf = r->infinite;
        MARK;
        for (;;) {
            if (!inf && (step > 0 ? i >= end : i <= end)) return;
            iter(vm, mark);
            if (!fn(vm, gv_l(i), ctx)) return;
            if (__builtin_add_overflow(i, step, &i)) return;
        }
    }
    case GV_ARRAYSEQ: {
        gv_arrayseq *a = GV_AS(gv_arrayseq, coll);
        if (a->src.t == GV_VECTOR) {
            gv_val *vs = gv_push(vm, a->src);
            vec_each(vm, vs, a->i, a->end, fn, ctx);
            return;
        }
        if (a->src.t == GV_VNODE) {
            gv_val *vs = gv_push(vm, a->src);
            MARK;
            for (int64_t i = a->i, end = a->end; i < end; i++) {
                iter(vm, mark);
                if (!fn(vm, ARR(*vs)[i], ctx)) return;
            }
            return;
        }
        break;
    }
    case GV_STRING: {
        gv_val *ss = gv_push(vm, coll);
        MARK;
        for (size_t p = 0; p < GV_AS(gv_string, *ss)->len;) {
            gv_string *s = GV_AS(gv_string, *ss);
            int n;
            int32_t c = gv_utf8_decode(s->data + p, s->len - p, &n);
            p += (size_t)n;
            iter(vm, mark);
            if (!fn(vm, gv_ch(c), ctx)) return;
        }
        return;
    }
    default: break;
    }
    gv_val *s = gv_push(vm, coll);
    MARK;
    *s = gv_seq(vm, *s); /* the slots realizing it leaves are dropped below */
    if (s->t == GV_ARRAYSEQ && GV_AS(gv_arrayseq, *s)->src.t != GV_STRING) {
        gv_core_each(vm, *s, fn, ctx);
        return;
    }
    while (s->t != GV_NIL) {
        iter(vm, mark);
        if (s->t == GV_LIST) {
            gv_list *l = GV_AS(gv_list, *s);
            if (!fn(vm, l->first, ctx)) return;
            l = GV_AS(gv_list, *s);
            *s = l->count > 1 ? l->rest : GV_NILV;
            continue;
        }
        if (!fn(vm, gv_first(vm, *s), ctx)) return;
        *s = gv_next(vm, *s);
    }
}

/* ---- reduced ------------------------------------------------------------ */

static gv_val reduced_new(gv_vm *vm, gv_val x) {
    gv_reduced *r = gv_alloc(vm, GV_REDUCED, sizeof *r);
    r->val = x;
    return gv_mk(GV_REDUCED, r);
}

static gv_val n_reduced(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return reduced_new(vm, argv[0]);
}

static gv_val n_reduced_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm; (void)argc; (void)data;
    return gv_b(argv[0].t == GV_REDUCED);
}

static gv_val n_unreduced(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm; (void)argc; (void)data;
    return argv[0].t == GV_REDUCED ? GV_AS(gv_reduced, argv[0])->val : argv[0];
}

static gv_val n_ensure_reduced(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    return argv[0].t == GV_REDUCED ? argv[0] : reduced_new(vm, argv[0]);
}

/* ---- reduce ------------------------------------------------------------- */

typedef struct rctx {
    gv_val *f, *acc;
    bool have;
} rctx;

static bool reduce_step(gv_vm *vm, gv_val x, void *p) {
    rctx *c = p;
    if (!c->have) {
        *c->acc = x;
        c->have = true;
        return true;
    }
    gv_val r = gv_call2(vm, *c->f, *c->acc, x);
    if (r.t == GV_REDUCED) {
        *c->acc = GV_AS(gv_reduced, r)->val;
        return false;
    }
    *c->acc = r;
    return true;
}

gv_val gv_core_reduce(gv_vm *vm, gv_val f, gv_val init, gv_val coll) {
    rctx c = {gv_push(vm, f), gv_push(vm, init), true};
    gv_core_each(vm, coll, reduce_step, &c);
    return *c.acc;
}

static gv_val n_reduce(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if (argc == 3) return gv_core_reduce(vm, argv[0], argv[1], take_arg(argv, 2));
    rctx c = {&argv[0], gv_push(vm, GV_NILV), false};
    gv_core_each(vm, take_arg(argv, 1), reduce_step, &c);
    if (!c.have) return gv_call0(vm, argv[0]);
    return *c.acc;
}

static gv_val entry_key(gv_vm *vm, gv_val e, int which) {
    if (e.t != GV_VECTOR || gv_vec_count(e) != 2) gv_throw_cast(vm, e, "java.util.Map$Entry");
    return gv_vec_nth(e, which);
}

typedef struct kvctx {
    gv_val *f, *acc;
    int64_t i;
    bool indexed;
} kvctx;

static bool reduce_kv_step(gv_vm *vm, gv_val x, void *p) {
    kvctx *c = p;
    gv_val argv[3];
    argv[0] = *c->acc;
    if (c->indexed) {
        argv[1] = gv_l(c->i++);
        argv[2] = x;
    } else {
        argv[1] = entry_key(vm, x, 0);
        argv[2] = entry_key(vm, x, 1);
    }
    gv_val r = gv_call(vm, *c->f, 3, argv);
    if (r.t == GV_REDUCED) {
        *c->acc = GV_AS(gv_reduced, r)->val;
        return false;
    }
    *c->acc = r;
    return true;
}

static gv_val n_reduce_kv(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    kvctx c = {&argv[0], gv_push(vm, argv[1]), 0, argv[2].t == GV_VECTOR};
    gv_core_each(vm, take_arg(argv, 2), reduce_kv_step, &c);
    return *c.acc;
}

/* (reductions f init coll) after init: KONST f, STATE [acc coll]. */
STEP(reductions_step) {
    STEP_UNUSED;
    gv_val f = KONST(data);
    gv_val *st = step_begin(vm, data);
    gv_val *s = gv_push(vm, gv_seq(vm, ARR(*st)[1]));
    if (s->t == GV_NIL) return GV_NILV;
    gv_val r = gv_call2(vm, f, ARR(*st)[0], gv_first(vm, *s));
    if (r.t == GV_REDUCED) return gv_list_cons(vm, GV_AS(gv_reduced, r)->val, vm->empty_list);
    return gv_cons(vm, r, lazy_again(vm, data, arr2(vm, r, gv_rest(vm, *s))));
}

/* (reductions f coll), before the first element: KONST f, STATE coll. */
STEP(reductions1_step) {
    STEP_UNUSED;
    gv_val f = KONST(data);
    gv_val *st = step_begin(vm, data);
    gv_val *s = gv_push(vm, gv_seq(vm, *st));
    if (s->t == GV_NIL) return gv_list_cons(vm, gv_call0(vm, f), vm->empty_list);
    gv_val init = gv_first(vm, *s);
    if (init.t == GV_REDUCED) return gv_list_cons(vm, GV_AS(gv_reduced, init)->val, vm->empty_list);
    return gv_cons(vm, init, lazy_new(vm, CORE "/reductions", reductions_step, f,
                                      arr2(vm, init, gv_rest(vm, *s))));
}

static gv_val n_reductions(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if (argc == 2) return lazy_new(vm, CORE "/reductions", reductions1_step, argv[0], argv[1]);
    if (argv[1].t == GV_REDUCED)
        return gv_list_cons(vm, GV_AS(gv_reduced, argv[1])->val, vm->empty_list);
    return gv_cons(vm, argv[1], lazy_new(vm, CORE "/reductions", reductions_step, argv[0],
                                         arr2(vm, argv[1], argv[2])));
}

/* ---- seq basics --------------------------------------------------------- */

#define NATIVE(name) static gv_val name(gv_vm *vm, int argc, gv_val *argv, void *data)
#define UNUSED (void)argc; (void)data

NATIVE(n_seq) { UNUSED; return gv_seq(vm, argv[0]); }
NATIVE(n_first) { UNUSED; return gv_first(vm, argv[0]); }
NATIVE(n_next) { UNUSED; return gv_next(vm, argv[0]); }
NATIVE(n_rest) { UNUSED; return gv_rest(vm, argv[0]); }
NATIVE(n_second) { UNUSED; return gv_first(vm, gv_next(vm, argv[0])); }
NATIVE(n_ffirst) { UNUSED; return gv_first(vm, gv_first(vm, argv[0])); }
NATIVE(n_nfirst) { UNUSED; return gv_next(vm, gv_first(vm, argv[0])); }
NATIVE(n_fnext) { UNUSED; return gv_first(vm, gv_next(vm, argv[0])); }
NATIVE(n_nnext) { UNUSED; return gv_next(vm, gv_next(vm, argv[0])); }

NATIVE(n_last) {
    UNUSED;
    gv_val x = argv[0];
    if (x.t == GV_VECTOR) {
        int64_t n = gv_vec_count(x);
        return n ? gv_vec_nth(x, n - 1) : GV_NILV;
    }
    gv_val *s = gv_push(vm, take_arg(argv, 0));
    MARK;
    *s = gv_seq(vm, *s);
    if (s->t == GV_NIL) return GV_NILV;
    for (;;) {
        iter(vm, mark);
        if (s->t == GV_LIST) {
            gv_list *l = GV_AS(gv_list, *s);
            while (l->count > 1) l = GV_AS(gv_list, l->rest);
            return l->first;
        }
        gv_val n = gv_next(vm, *s);
        if (n.t == GV_NIL) return gv_first(vm, *s);
        *s = n;
    }
}

NATIVE(n_butlast) {
    UNUSED;
    gv_vecb b;
    gv_vecb_init(vm, &b);
    gv_val *s = gv_push(vm, take_arg(argv, 0));
    MARK;
    *s = gv_seq(vm, *s);
    while (s->t != GV_NIL) {
        iter(vm, mark);
        gv_val n = gv_next(vm, *s);
        if (n.t == GV_NIL) break;
        gv_vecb_add(vm, &b, gv_first(vm, *s));
        *s = n;
    }
    gv_val v = gv_vecb_done(vm, &b);
    return gv_seq(vm, v);
}

NATIVE(n_cons) { UNUSED; return gv_cons(vm, argv[0], argv[1]); }

NATIVE(n_list) { UNUSED; return gv_list_from(vm, argc, argv); }

NATIVE(n_list_star) {
    (void)data;
    /* (list* args) is (seq args); otherwise conses onto the last argument
     * as is, so (list* 1 []) is a Cons, as in Clojure */
    if (argc == 1) return gv_seq(vm, argv[0]);
    gv_val r = argv[argc - 1];
    for (int i = argc - 2; i >= 0; i--) r = gv_cons(vm, argv[i], r);
    return r;
}

NATIVE(n_lazy_seq) { UNUSED; return gv_lazyseq_new(vm, argv[0]); }

/* count and nth walk lazy seqs themselves so as not to hold their head. */
NATIVE(n_count) {
    UNUSED;
    gv_val x = argv[0];
    if (x.t != GV_CONS && x.t != GV_LAZYSEQ) return gv_l(gv_count(vm, x));
    gv_val *s = gv_push(vm, take_arg(argv, 0));
    MARK;
    *s = gv_seq(vm, *s);
    int64_t n = 0;
    while (s->t == GV_CONS || s->t == GV_LAZYSEQ) {
        iter(vm, mark);
        n++;
        *s = gv_next(vm, *s);
    }
    return gv_l(n + gv_count(vm, *s));
}

NATIVE(n_nth) {
    (void)data;
    int64_t i = index_arg(vm, argv[1]);
    if (argv[0].t == GV_CONS || argv[0].t == GV_LAZYSEQ) {
        gv_val *s = gv_push(vm, take_arg(argv, 0));
        MARK;
        *s = gv_seq(vm, *s);
        for (int64_t k = 0; i >= 0 && s->t != GV_NIL; k++) {
            iter(vm, mark);
            if (k == i) return gv_first(vm, *s);
            *s = gv_next(vm, *s);
        }
        if (argc == 3) return argv[2];
        gv_throw(vm, gv_exception_new(vm, "IndexOutOfBoundsException", GV_NILV, GV_NILV, GV_NILV));
    }
    if (argc == 3) return gv_nth(vm, argv[0], i, &argv[2]);
    return gv_nth(vm, argv[0], i, NULL);
}

NATIVE(n_nthnext) {
    UNUSED;
    int64_t n = count_arg(vm, argv[1]);
    gv_val *s = gv_push(vm, take_arg(argv, 0));
    MARK;
    *s = gv_seq(vm, *s);
    for (; n > 0 && s->t != GV_NIL; n--) {
        iter(vm, mark);
        *s = gv_next(vm, *s);
    }
    return *s;
}

NATIVE(n_nthrest) {
    UNUSED;
    int64_t n = count_arg(vm, argv[1]);
    gv_val *s = gv_push(vm, take_arg(argv, 0));
    MARK;
    for (; n > 0; n--) {
        iter(vm, mark);
        gv_val q = gv_seq(vm, *s);
        if (q.t == GV_NIL) return *s;
        *s = gv_rest(vm, q);
    }
    return *s;
}

static bool counted_empty(gv_val x, bool *empty) {
    switch (x.t) {
    case GV_NIL: *empty = true; return true;
    case GV_VECTOR: *empty = gv_vec_count(x) == 0; return true;
    case GV_ARRAYMAP: case GV_HASHMAP: *empty = gv_map_count(x) == 0; return true;
    case GV_SET: *empty = gv_set_count(x) == 0; return true;
    case GV_LIST: *empty = GV_AS(gv_list, x)->count == 0; return true;
    case GV_STRING: *empty = GV_AS(gv_string, x)->len == 0; return true;
    default: return false;
    }
}

NATIVE(n_empty_p) {
    UNUSED;
    bool e;
    if (counted_empty(argv[0], &e)) return gv_b(e);
    return gv_b(gv_seq(vm, argv[0]).t == GV_NIL);
}

NATIVE(n_not_empty) {
    UNUSED;
    bool e;
    if (!counted_empty(argv[0], &e)) e = gv_seq(vm, argv[0]).t == GV_NIL;
    return e ? GV_NILV : argv[0];
}

NATIVE(n_seq_p) { (void)vm; UNUSED; return gv_b(gv_is_seq(argv[0])); }
NATIVE(n_seqable_p) { (void)vm; UNUSED; return gv_b(gv_is_seqable(argv[0])); }
NATIVE(n_sequential_p) { (void)vm; UNUSED; return gv_b(is_sequential(argv[0])); }

/* ---- transducers ----------------------------------------------------------
 *
 * (map f), (filter p), (take n), ... return a transducer: a native closure
 * over [kind arg].  Applied to a reducing fn rf it returns the transformed
 * reducing fn: a closure over a private array [kind arg rf s0 s1 s2] whose
 * s slots are its mutable state (Clojure's volatiles), fresh for every
 * application, as in Clojure. */

enum {
    X_MAP, X_FILTER, X_REMOVE, X_KEEP, X_KEEP_INDEXED, X_MAP_INDEXED, X_TAKE,
    X_DROP, X_TAKE_WHILE, X_DROP_WHILE, X_TAKE_NTH, X_CAT, X_MAPCAT,
    X_DISTINCT, X_DEDUPE, X_INTERPOSE, X_PARTITION_ALL, X_PARTITION_BY
};
static const char *const xf_names[] = {
    CORE "/map", CORE "/filter", CORE "/remove", CORE "/keep", CORE "/keep-indexed",
    CORE "/map-indexed", CORE "/take", CORE "/drop", CORE "/take-while", CORE "/drop-while",
    CORE "/take-nth", CORE "/cat", CORE "/mapcat", CORE "/distinct", CORE "/dedupe",
    CORE "/interpose", CORE "/partition-all", CORE "/partition-by",
};
enum { XK, XARG, XRF, XS0, XS1, XS2, XN };

/* (reduce rf acc coll) where a reduced result of RF stays wrapped, so the
 * reduce that called the cat step stops too (Clojure's preserving-reduced). */
typedef struct catctx {
    gv_val *rf, *acc;
} catctx;

static bool cat_rf_step(gv_vm *vm, gv_val x, void *p) {
    catctx *c = p;
    *c->acc = gv_call2(vm, *c->rf, *c->acc, x);
    return c->acc->t != GV_REDUCED;
}

static gv_val cat_into(gv_vm *vm, gv_val rf, gv_val acc, gv_val coll) {
    catctx c = {gv_push(vm, rf), gv_push(vm, acc)};
    gv_core_each(vm, coll, cat_rf_step, &c);
    return *c.acc;
}

/* The partition buffered by a partition-all / partition-by rf; empties it. */
static gv_val xf_flush(gv_vm *vm, gv_val *e) {
    gv_val v = e[XS0];
    e[XS0] = gv_vec_empty(vm);
    return v;
}

/* The transformed reducing fn.  E (the closure's array) stays reachable
 * through the closure while it runs. */
static gv_val xf_rf(gv_vm *vm, int argc, gv_val *argv, void *data) {
    gv_val *e = ARR(((gv_native *)data)->env);
    int kind = (int)e[XK].as.i;
    if (argc == 0) return gv_call0(vm, e[XRF]);
    if (argc == 1) {
        if ((kind == X_PARTITION_ALL || kind == X_PARTITION_BY) && gv_vec_count(e[XS0]) > 0) {
            gv_val r = gv_call2(vm, e[XRF], argv[0], xf_flush(vm, e));
            argv[0] = r.t == GV_REDUCED ? GV_AS(gv_reduced, r)->val : r;
        }
        return gv_call1(vm, e[XRF], argv[0]);
    }
    if (argc > 2 && kind != X_MAP && kind != X_MAPCAT)
        gv_throw_arity(vm, argc, xf_names[kind]);
    gv_val r = argv[0], x = argv[1];
    switch (kind) {
    case X_MAP: case X_MAPCAT: {
        gv_val y = argc == 2 ? gv_call1(vm, e[XARG], x) : gv_call(vm, e[XARG], argc - 1, argv + 1);
        if (kind == X_MAP) return gv_call2(vm, e[XRF], argv[0], y);
        return cat_into(vm, e[XRF], argv[0], y);
    }
    case X_CAT: return cat_into(vm, e[XRF], r, x);
    case X_FILTER: case X_REMOVE: {
        bool t = gv_truthy(gv_call1(vm, e[XARG], x));
        return t == (kind == X_FILTER) ? gv_call2(vm, e[XRF], argv[0], argv[1]) : argv[0];
    }
    case X_KEEP: case X_KEEP_INDEXED: {
        gv_val y;
        if (kind == X_KEEP) {
            y = gv_call1(vm, e[XARG], x);
        } else {
            int64_t i = e[XS0].as.i;
            e[XS0] = gv_l(i + 1);
            y = gv_call2(vm, e[XARG], gv_l(i), x);
        }
        return y.t == GV_NIL ? argv[0] : gv_call2(vm, e[XRF], argv[0], y);
    }
    case X_MAP_INDEXED: {
        int64_t i = e[XS0].as.i;
        e[XS0] = gv_l(i + 1);
        gv_val y = gv_call2(vm, e[XARG], gv_l(i), x);
        return gv_call2(vm, e[XRF], argv[0], y);
    }
    case X_TAKE: {
        int64_t n = e[XS0].as.i;
        e[XS0] = gv_l(n - 1);
        if (n > 0) r = gv_call2(vm, e[XRF], r, x);
        if (n - 1 <= 0 && r.t != GV_REDUCED) r = reduced_new(vm, r);
        return r;
    }
    case X_DROP: {
        int64_t n = e[XS0].as.i;
        e[XS0] = gv_l(n - 1);
        return n > 0 ? r : gv_call2(vm, e[XRF], r, x);
    }
    case X_TAKE_WHILE:
        if (gv_truthy(gv_call1(vm, e[XARG], x))) return gv_call2(vm, e[XRF], argv[0], argv[1]);
        return reduced_new(vm, argv[0]);
    case X_DROP_WHILE:
        if (gv_truthy(e[XS0]) && gv_truthy(gv_call1(vm, e[XARG], x))) return argv[0];
        e[XS0] = GV_FALSEV;
        return gv_call2(vm, e[XRF], argv[0], argv[1]);
    case X_TAKE_NTH: {
        int64_t i = e[XS0].as.i + 1, n = e[XARG].as.i;
        e[XS0] = gv_l(i);
        if (n == 0) gv_throwf(vm, "ArithmeticException", "Divide by zero");
        return i % n == 0 ? gv_call2(vm, e[XRF], r, x) : r;
    }
    case X_DISTINCT:
        if (gv_set_contains(vm, e[XS0], x)) return r;
        e[XS0] = gv_set_conj(vm, e[XS0], x);
        return gv_call2(vm, e[XRF], r, x);
    case X_DEDUPE: {
        bool same = gv_truthy(e[XS1]) && gv_equiv(vm, e[XS0], x);
        e[XS0] = x;
        e[XS1] = GV_TRUEV;
        return same ? r : gv_call2(vm, e[XRF], r, x);
    }
    case X_INTERPOSE:
        if (gv_truthy(e[XS0])) {
            gv_val sr = gv_call2(vm, e[XRF], r, e[XARG]);
            if (sr.t == GV_REDUCED) return sr;
            return gv_call2(vm, e[XRF], sr, argv[1]);
        }
        e[XS0] = GV_TRUEV;
        return gv_call2(vm, e[XRF], r, x);
    case X_PARTITION_ALL:
        e[XS0] = gv_vec_conj(vm, e[XS0], x);
        if (gv_vec_count(e[XS0]) < e[XARG].as.i) return r;
        return gv_call2(vm, e[XRF], r, xf_flush(vm, e));
    case X_PARTITION_BY: {
        /* s0 the partition so far, s1 the previous (f x), s2 whether any */
        gv_val v = gv_call1(vm, e[XARG], x);
        bool same = !gv_truthy(e[XS2]) || gv_equiv(vm, v, e[XS1]);
        e[XS1] = v;
        e[XS2] = GV_TRUEV;
        if (same) {
            e[XS0] = gv_vec_conj(vm, e[XS0], argv[1]);
            return argv[0];
        }
        gv_val ret = gv_call2(vm, e[XRF], argv[0], xf_flush(vm, e));
        if (ret.t != GV_REDUCED) e[XS0] = gv_vec_conj(vm, e[XS0], argv[1]);
        return ret;
    }
    default: return r;
    }
}

/* A transducer applied to RF (argv[0]). */
static gv_val xf_apply(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc;
    gv_val *k = ARR(((gv_native *)data)->env);
    int kind = (int)k[0].as.i;
    gv_vnode *e = arr_new(vm, XN);
    e->a[XK] = k[0];
    e->a[XARG] = k[1];
    e->a[XRF] = argv[0];
    switch (kind) {
    case X_KEEP_INDEXED: case X_MAP_INDEXED: e->a[XS0] = gv_l(0); break;
    case X_TAKE: case X_DROP: e->a[XS0] = k[1]; break;
    case X_DROP_WHILE: e->a[XS0] = GV_TRUEV; break;
    case X_TAKE_NTH: e->a[XS0] = gv_l(-1); break;
    case X_DISTINCT: e->a[XS0] = gv_set_empty(vm); break;
    case X_DEDUPE: case X_INTERPOSE: e->a[XS0] = GV_FALSEV; e->a[XS1] = GV_FALSEV; break;
    case X_PARTITION_ALL: case X_PARTITION_BY: e->a[XS0] = gv_vec_empty(vm); e->a[XS2] = GV_FALSEV; break;
    default: break;
    }
    return gv_native_closure(vm, xf_names[kind], xf_rf, AVAL(e), 0, -1);
}

static gv_val xf_new(gv_vm *vm, int kind, gv_val arg) {
    return gv_native_closure(vm, xf_names[kind], xf_apply, arr2(vm, gv_l(kind), arg), 1, 1);
}

/* cat is itself a transducer: (cat rf). */
NATIVE(n_cat) {
    UNUSED;
    gv_val *xf = gv_push(vm, xf_new(vm, X_CAT, GV_NILV));
    return xf_apply(vm, 1, argv, GV_AS(gv_native, *xf));
}

/* (transduce xform f coll), (transduce xform f init coll) */
NATIVE(n_transduce) {
    (void)data;
    gv_val *init = gv_push(vm, argc == 4 ? argv[2] : gv_call0(vm, argv[1]));
    gv_val *xf = gv_push(vm, gv_call1(vm, argv[0], argv[1]));
    gv_val ret = gv_core_reduce(vm, *xf, *init, take_arg(argv, argc - 1));
    return gv_call1(vm, *xf, ret);
}

/* env [f cf]: ([] (f)) ([x] (cf x)) ([x y] (f x y)); cf nil is identity */
static gv_val completing_fn(gv_vm *vm, int argc, gv_val *argv, void *data) {
    gv_val *e = ARR(((gv_native *)data)->env);
    switch (argc) {
    case 0: return gv_call0(vm, e[0]);
    case 1: return e[1].t == GV_NIL ? argv[0] : gv_call1(vm, e[1], argv[0]);
    default: return gv_call2(vm, e[0], argv[0], argv[1]);
    }
}

NATIVE(n_completing) {
    (void)data;
    return gv_native_closure(vm, CORE "/completing", completing_fn,
                             arr2(vm, argv[0], argc == 2 ? argv[1] : GV_NILV), 0, 2);
}

/* The reducing fn a transformed seq feeds: appends to the vector in its
 * holder array. */
static gv_val buffer_rf(gv_vm *vm, int argc, gv_val *argv, void *data) {
    gv_val *holder = ARR(((gv_native *)data)->env);
    if (argc == 2) holder[0] = gv_vec_conj(vm, holder[0], argv[1]);
    return argc ? argv[0] : GV_NILV;
}

/* (sequence xform coll) / eduction: KONST [xrf holder], STATE [coll done].
 * Each step feeds source elements to the transformed rf until it has
 * buffered some output (or the source or the rf is done), and emits them. */
STEP(xf_seq_step) {
    STEP_UNUSED;
    gv_val *k = ARR(KONST(data));
    gv_val *st = step_begin(vm, data);
    gv_val *s = gv_push(vm, ARR(*st)[0]);
    bool done = gv_truthy(ARR(*st)[1]);
    MARK;
    for (;;) {
        iter(vm, mark);
        if (done) return GV_NILV;
        ARR(k[1])[0] = gv_vec_empty(vm);
        *s = gv_seq(vm, *s);
        if (s->t == GV_NIL) {
            gv_call1(vm, k[0], GV_NILV);
            done = true;
        } else {
            gv_val r = gv_call2(vm, k[0], GV_NILV, gv_first(vm, *s));
            *s = gv_rest(vm, *s);
            if (r.t == GV_REDUCED) {
                gv_call1(vm, k[0], GV_NILV);
                done = true;
            }
        }
        gv_val buf = ARR(k[1])[0];
        int64_t n = gv_vec_count(buf);
        if (n == 0) continue;
        gv_val out = done ? GV_NILV : lazy_again(vm, data, arr2(vm, *s, GV_FALSEV));
        for (int64_t i = n; i-- > 0;) out = gv_cons(vm, gv_vec_nth(buf, i), out);
        return out;
    }
}

/* A lazy seq of COLL through the N transducers at XFS (composed as comp
 * does: the first is outermost). */
static gv_val xf_seq_new(gv_vm *vm, int n, gv_val *xfs, gv_val coll) {
    gv_vnode *holder = arr_new(vm, 1);
    holder->a[0] = gv_vec_empty(vm);
    gv_val *hs = gv_push(vm, AVAL(holder));
    gv_val *rf = gv_push(vm, gv_native_closure(vm, CORE "/sequence", buffer_rf, *hs, 0, 2));
    for (int i = n; i-- > 0;) *rf = gv_call1(vm, xfs[i], *rf);
    return lazy_new(vm, CORE "/sequence", xf_seq_step, arr2(vm, *rf, *hs), arr2(vm, coll, GV_FALSEV));
}

NATIVE(n_sequence) {
    (void)data;
    if (argc == 1) {
        if (gv_is_seq(argv[0])) return argv[0];
        gv_val s = gv_seq(vm, argv[0]);
        return s.t == GV_NIL ? vm->empty_list : s;
    }
    if (argc > 2)
        gv_throwf(vm, "UnsupportedOperationException", "sequence of several colls is not supported");
    return xf_seq_new(vm, 1, argv, argv[1]);
}

NATIVE(n_eduction) {
    (void)data;
    return xf_seq_new(vm, argc - 1, argv, argv[argc - 1]);
}

/* ---- concat / mapcat ---------------------------------------------------- */

/* STATE [cur more]: the elements of CUR, then of each coll of seq MORE. */
STEP(cat_step) {
    STEP_UNUSED;
    gv_val *st = step_begin(vm, data);
    gv_val *cur = gv_push(vm, ARR(*st)[0]);
    gv_val *more = gv_push(vm, ARR(*st)[1]);
    MARK;
    for (;;) {
        iter(vm, mark);
        *cur = gv_seq(vm, *cur);
        if (cur->t != GV_NIL) {
            if (more->t == GV_NIL) return *cur; /* the last coll: share it */
            gv_val x = gv_first(vm, *cur);
            return gv_cons(vm, x, lazy_again(vm, data, arr2(vm, gv_rest(vm, *cur), *more)));
        }
        *more = gv_seq(vm, *more);
        if (more->t == GV_NIL) return GV_NILV;
        *cur = gv_first(vm, *more);
        *more = rest_nr(vm, *more);
    }
}

static gv_val cat_new(gv_vm *vm, gv_val cur, gv_val more) {
    return lazy_new(vm, CORE "/concat", cat_step, GV_NILV, arr2(vm, cur, more));
}

NATIVE(n_concat) {
    (void)data;
    if (argc == 0) return cat_new(vm, GV_NILV, GV_NILV);
    gv_val more = argc > 1 ? gv_list_from(vm, argc - 1, argv + 1) : GV_NILV;
    return cat_new(vm, argv[0], more);
}

/* ---- map family --------------------------------------------------------- */

/* KONST f, STATE coll */
STEP(map1_step) {
    STEP_UNUSED;
    gv_val f = KONST(data);
    gv_val *st = step_begin(vm, data);
    *st = gv_seq(vm, *st);
    if (st->t == GV_NIL) return GV_NILV;
    gv_val y = gv_call1(vm, f, gv_first(vm, *st));
    return gv_cons(vm, y, lazy_again(vm, data, gv_rest(vm, *st)));
}

/* Over a vector without seqs: KONST [f vec end], STATE index. */
STEP(map1v_step) {
    STEP_UNUSED;
    gv_val *k = ARR(KONST(data));
    int64_t i = STATE(data).as.i;
    tick(vm);
    if (i >= k[2].as.i) return GV_NILV;
    gv_val y = gv_call1(vm, k[0], gv_vec_nth(k[1], i));
    return gv_cons(vm, y, lazy_again(vm, data, gv_l(i + 1)));
}

/* KONST f, STATE [c1 ... cn] */
STEP(mapn_step) {
    STEP_UNUSED;
    gv_val f = KONST(data);
    gv_val *st = step_begin(vm, data);
    uint32_t n = GV_AS(gv_vnode, *st)->n;
    gv_vnode *seqs = arr_new(vm, n);
    gv_push(vm, AVAL(seqs));
    for (uint32_t i = 0; i < n; i++) {
        seqs->a[i] = gv_seq(vm, ARR(*st)[i]);
        if (seqs->a[i].t == GV_NIL) return GV_NILV;
    }
    gv_vnode *args = arr_new(vm, n);
    for (uint32_t i = 0; i < n; i++) args->a[i] = gv_first(vm, seqs->a[i]);
    gv_val y = gv_call(vm, f, (int)n, args->a);
    gv_vnode *next = arr_new(vm, n);
    for (uint32_t i = 0; i < n; i++) next->a[i] = gv_rest(vm, seqs->a[i]);
    return gv_cons(vm, y, lazy_again(vm, data, AVAL(next)));
}

static gv_val map_new(gv_vm *vm, int argc, gv_val *argv) {
    if (argc == 2) {
        gv_val c = argv[1];
        if (c.t == GV_VECTOR)
            return lazy_new(vm, CORE "/map", map1v_step, arr3(vm, argv[0], c, gv_l(gv_vec_count(c))),
                            gv_l(0));
        if (c.t == GV_ARRAYSEQ && GV_AS(gv_arrayseq, c)->src.t == GV_VECTOR) {
            gv_arrayseq *a = GV_AS(gv_arrayseq, c);
            return lazy_new(vm, CORE "/map", map1v_step, arr3(vm, argv[0], a->src, gv_l(a->end)),
                            gv_l(a->i));
        }
        return lazy_new(vm, CORE "/map", map1_step, argv[0], c);
    }
    gv_vnode *colls = arr_new(vm, (uint32_t)argc - 1);
    memcpy(colls->a, argv + 1, (size_t)(argc - 1) * sizeof(gv_val));
    return lazy_new(vm, CORE "/map", mapn_step, argv[0], AVAL(colls));
}

NATIVE(n_map) {
    (void)data;
    if (argc == 1) return xf_new(vm, X_MAP, argv[0]);
    return map_new(vm, argc, argv);
}

NATIVE(n_mapcat) {
    (void)data;
    if (argc == 1) return xf_new(vm, X_MAPCAT, argv[0]);
    return cat_new(vm, GV_NILV, map_new(vm, argc, argv));
}

typedef struct vctx {
    gv_val *f;
    gv_vecb b;
    bool filter; /* filterv: keep x when (f x) is truthy; else mapv */
} vctx;

static bool mapv_step(gv_vm *vm, gv_val x, void *p) {
    vctx *c = p;
    gv_val y = gv_call1(vm, *c->f, x);
    if (!c->filter) gv_vecb_add(vm, &c->b, y);
    else if (gv_truthy(y)) gv_vecb_add(vm, &c->b, x);
    return true;
}

NATIVE(n_mapv) {
    (void)data;
    if (argc > 2) {
        gv_val *m = gv_push(vm, map_new(vm, argc, argv));
        return gv_vec_of(vm, *m);
    }
    vctx c;
    c.f = &argv[0];
    c.filter = false;
    gv_vecb_init(vm, &c.b);
    gv_core_each(vm, take_arg(argv, 1), mapv_step, &c);
    return gv_vecb_done(vm, &c.b);
}

NATIVE(n_filterv) {
    UNUSED;
    vctx c;
    c.f = &argv[0];
    c.filter = true;
    gv_vecb_init(vm, &c.b);
    gv_core_each(vm, take_arg(argv, 1), mapv_step, &c);
    return gv_vecb_done(vm, &c.b);
}

/* KONST f, STATE [coll i]: (f i x) */
STEP(map_indexed_step) {
    STEP_UNUSED;
    gv_val f = KONST(data);
    gv_val *st = step_begin(vm, data);
    gv_val *s = gv_push(vm, gv_seq(vm, ARR(*st)[0]));
    if (s->t == GV_NIL) return GV_NILV;
    int64_t i = ARR(*st)[1].as.i;
    gv_val y = gv_call2(vm, f, gv_l(i), gv_first(vm, *s));
    return gv_cons(vm, y, lazy_again(vm, data, arr2(vm, gv_rest(vm, *s), gv_l(i + 1))));
}

NATIVE(n_map_indexed) {
    (void)data;
    if (argc == 1) return xf_new(vm, X_MAP_INDEXED, argv[0]);
    return lazy_new(vm, CORE "/map-indexed", map_indexed_step, argv[0], arr2(vm, argv[1], gv_l(0)));
}

/* filter (emit x when (f x) is truthy), remove (when it is not) and keep
 * (emit (f x) when it is not nil): KONST f, STATE coll.  keep-indexed
 * calls (f i x): STATE [coll i]. */
enum { K_FILTER, K_REMOVE, K_KEEP, K_KEEP_INDEXED };

static gv_val select_step(gv_vm *vm, void *data, int kind) {
    gv_val f = KONST(data);
    gv_val *st = step_begin(vm, data);
    bool indexed = kind == K_KEEP_INDEXED;
    int64_t i = indexed ? ARR(*st)[1].as.i : 0;
    gv_val *s = gv_push(vm, indexed ? ARR(*st)[0] : *st);
    MARK;
    for (;;) {
        iter(vm, mark);
        *s = gv_seq(vm, *s);
        if (s->t == GV_NIL) return GV_NILV;
        gv_val x = gv_first(vm, *s);
        gv_val y = indexed ? gv_call2(vm, f, gv_l(i), x) : gv_call1(vm, f, x);
        i++;
        bool emit;
        switch (kind) {
        case K_FILTER: emit = gv_truthy(y); break;
        case K_REMOVE: emit = !gv_truthy(y); break;
        default: emit = y.t != GV_NIL; x = y; break;
        }
        if (emit) {
            gv_val rest = gv_rest(vm, *s);
            return gv_cons(vm, x, lazy_again(vm, data, indexed ? arr2(vm, rest, gv_l(i)) : rest));
        }
        *s = gv_rest(vm, *s);
    }
}

STEP(filter_step) { STEP_UNUSED; return select_step(vm, data, K_FILTER); }
STEP(remove_step) { STEP_UNUSED; return select_step(vm, data, K_REMOVE); }
STEP(keep_step) { STEP_UNUSED; return select_step(vm, data, K_KEEP); }
STEP(keep_indexed_step) { STEP_UNUSED; return select_step(vm, data, K_KEEP_INDEXED); }

NATIVE(n_filter) {
    (void)data;
    if (argc == 1) return xf_new(vm, X_FILTER, argv[0]);
    return lazy_new(vm, CORE "/filter", filter_step, argv[0], argv[1]);
}
NATIVE(n_remove) {
    (void)data;
    if (argc == 1) return xf_new(vm, X_REMOVE, argv[0]);
    return lazy_new(vm, CORE "/remove", remove_step, argv[0], argv[1]);
}
NATIVE(n_keep) {
    (void)data;
    if (argc == 1) return xf_new(vm, X_KEEP, argv[0]);
    return lazy_new(vm, CORE "/keep", keep_step, argv[0], argv[1]);
}
NATIVE(n_keep_indexed) {
    (void)data;
    if (argc == 1) return xf_new(vm, X_KEEP_INDEXED, argv[0]);
    return lazy_new(vm, CORE "/keep-indexed", keep_indexed_step, argv[0], arr2(vm, argv[1], gv_l(0)));
}

/* ---- take / drop -------------------------------------------------------- */

/* STATE [n coll] */
STEP(take_step) {
    STEP_UNUSED;
    gv_val *st = step_begin(vm, data);
    int64_t n = ARR(*st)[0].as.i;
    if (n <= 0) return GV_NILV;
    gv_val *s = gv_push(vm, gv_seq(vm, ARR(*st)[1]));
    if (s->t == GV_NIL) return GV_NILV;
    gv_val x = gv_first(vm, *s);
    return gv_cons(vm, x, lazy_again(vm, data, arr2(vm, gv_l(n - 1), gv_rest(vm, *s))));
}

static gv_val take_new(gv_vm *vm, int64_t n, gv_val coll) {
    return lazy_new(vm, CORE "/take", take_step, GV_NILV, arr2(vm, gv_l(n), coll));
}

NATIVE(n_take) {
    (void)data;
    if (argc == 1) return xf_new(vm, X_TAKE, gv_l(count_arg(vm, argv[0])));
    return take_new(vm, count_arg(vm, argv[0]), argv[1]);
}

/* The seq of COLL without its first N elements (realizes them). */
static gv_val drop_now(gv_vm *vm, int64_t n, gv_val coll) {
    if (n > 0 && coll.t == GV_VECTOR) {
        int64_t c = gv_vec_count(coll);
        return gv_arrayseq_new(vm, coll, n < c ? n : c, c);
    }
    gv_val *s = gv_push(vm, coll);
    MARK;
    *s = gv_seq(vm, *s);
    for (; n > 0 && s->t != GV_NIL; n--) {
        iter(vm, mark);
        if (s->t == GV_ARRAYSEQ && GV_AS(gv_arrayseq, *s)->src.t != GV_STRING) {
            gv_arrayseq *a = GV_AS(gv_arrayseq, *s);
            int64_t i = a->end - a->i < n ? a->end : a->i + n;
            return gv_arrayseq_new(vm, a->src, i, a->end);
        }
        *s = gv_next(vm, *s);
    }
    return *s;
}

/* KONST n, STATE coll: one step that returns the rest. */
STEP(drop_step) {
    STEP_UNUSED;
    gv_val *st = step_begin(vm, data);
    return drop_now(vm, KONST(data).as.i, *st);
}

static gv_val drop_new(gv_vm *vm, int64_t n, gv_val coll) {
    return lazy_new(vm, CORE "/drop", drop_step, gv_l(n), coll);
}

NATIVE(n_drop) {
    (void)data;
    if (argc == 1) return xf_new(vm, X_DROP, gv_l(count_arg(vm, argv[0])));
    return drop_new(vm, count_arg(vm, argv[0]), argv[1]);
}

/* KONST pred, STATE coll */
STEP(take_while_step) {
    STEP_UNUSED;
    gv_val pred = KONST(data);
    gv_val *st = step_begin(vm, data);
    *st = gv_seq(vm, *st);
    if (st->t == GV_NIL) return GV_NILV;
    gv_val x = gv_first(vm, *st);
    if (!gv_truthy(gv_call1(vm, pred, x))) return GV_NILV;
    return gv_cons(vm, x, lazy_again(vm, data, gv_rest(vm, *st)));
}

/* KONST pred, STATE coll: one step that returns the rest. */
STEP(drop_while_step) {
    STEP_UNUSED;
    gv_val pred = KONST(data);
    gv_val *s = step_begin(vm, data);
    MARK;
    for (;;) {
        iter(vm, mark);
        *s = gv_seq(vm, *s);
        if (s->t == GV_NIL) return GV_NILV;
        if (!gv_truthy(gv_call1(vm, pred, gv_first(vm, *s)))) return *s;
        *s = gv_rest(vm, *s);
    }
}

NATIVE(n_take_while) {
    (void)data;
    if (argc == 1) return xf_new(vm, X_TAKE_WHILE, argv[0]);
    return lazy_new(vm, CORE "/take-while", take_while_step, argv[0], argv[1]);
}

NATIVE(n_drop_while) {
    (void)data;
    if (argc == 1) return xf_new(vm, X_DROP_WHILE, argv[0]);
    return lazy_new(vm, CORE "/drop-while", drop_while_step, argv[0], argv[1]);
}

NATIVE(n_take_last) {
    UNUSED;
    int64_t n = count_arg(vm, argv[0]);
    gv_val *s = gv_push(vm, take_arg(argv, 1));
    gv_val *lead = gv_push(vm, *s);
    MARK;
    *s = gv_seq(vm, *s);
    *lead = drop_now(vm, n, *lead);
    while (lead->t != GV_NIL) {
        iter(vm, mark);
        *s = gv_next(vm, *s);
        *lead = gv_next(vm, *lead);
    }
    return *s;
}

/* STATE [coll lead] */
STEP(drop_last_step) {
    STEP_UNUSED;
    gv_val *st = step_begin(vm, data);
    gv_val *s = gv_push(vm, gv_seq(vm, ARR(*st)[0]));
    if (s->t == GV_NIL) return GV_NILV;
    gv_val *l = gv_push(vm, gv_seq(vm, ARR(*st)[1]));
    if (l->t == GV_NIL) return GV_NILV;
    gv_val x = gv_first(vm, *s);
    return gv_cons(vm, x, lazy_again(vm, data, arr2(vm, gv_rest(vm, *s), gv_rest(vm, *l))));
}

NATIVE(n_drop_last) {
    (void)data;
    gv_val coll = argv[argc - 1];
    int64_t n = argc == 2 ? count_arg(vm, argv[0]) : 1;
    return lazy_new(vm, CORE "/drop-last", drop_last_step, GV_NILV,
                    arr2(vm, coll, drop_new(vm, n, coll)));
}

/* KONST n, STATE coll */
STEP(take_nth_step) {
    STEP_UNUSED;
    int64_t n = KONST(data).as.i;
    gv_val *st = step_begin(vm, data);
    *st = gv_seq(vm, *st);
    if (st->t == GV_NIL) return GV_NILV;
    gv_val x = gv_first(vm, *st);
    return gv_cons(vm, x, lazy_again(vm, data, drop_new(vm, n, *st)));
}

NATIVE(n_take_nth) {
    (void)data;
    if (argc == 1) return xf_new(vm, X_TAKE_NTH, gv_l(count_arg(vm, argv[0])));
    return lazy_new(vm, CORE "/take-nth", take_nth_step, gv_l(count_arg(vm, argv[0])), argv[1]);
}

NATIVE(n_split_at) {
    UNUSED;
    int64_t n = count_arg(vm, argv[0]);
    gv_val v[2] = {take_new(vm, n, argv[1]), drop_new(vm, n, argv[1])};
    return gv_vec_from(vm, 2, v);
}

NATIVE(n_split_with) {
    UNUSED;
    gv_val v[2] = {lazy_new(vm, CORE "/take-while", take_while_step, argv[0], argv[1]),
                   lazy_new(vm, CORE "/drop-while", drop_while_step, argv[0], argv[1])};
    return gv_vec_from(vm, 2, v);
}

/* ---- partition ---------------------------------------------------------- */

/* Up to N first elements of seq S, as a vector (realizes them). */
static gv_val take_vec(gv_vm *vm, int64_t n, gv_val s) {
    gv_vecb b;
    gv_vecb_init(vm, &b);
    gv_val *c = gv_push(vm, s);
    MARK;
    for (int64_t i = 0; i < n; i++) {
        iter(vm, mark);
        *c = gv_seq(vm, *c);
        if (c->t == GV_NIL) break;
        gv_vecb_add(vm, &b, gv_first(vm, *c));
        *c = gv_rest(vm, *c);
    }
    return gv_vecb_done(vm, &b);
}

/* Clojure's nthrest of a seq (realizes up to N elements). */
static gv_val nthrest_now(gv_vm *vm, int64_t n, gv_val coll) {
    gv_val *s = gv_push(vm, coll);
    MARK;
    for (; n > 0; n--) {
        iter(vm, mark);
        gv_val q = gv_seq(vm, *s);
        if (q.t == GV_NIL) return *s;
        *s = gv_rest(vm, q);
    }
    return *s;
}

/* KONST [n step pad mode], STATE coll; mode 0 partition, 1 partition with
 * pad, 2 partition-all. */
STEP(partition_step) {
    STEP_UNUSED;
    gv_val *k = ARR(KONST(data));
    int64_t n = k[0].as.i, step = k[1].as.i, mode = k[3].as.i;
    gv_val *st = step_begin(vm, data);
    gv_val *s = gv_push(vm, gv_seq(vm, *st));
    if (s->t == GV_NIL) return GV_NILV;
    gv_val *p = gv_push(vm, take_vec(vm, n, *s));
    if (mode == 2 || gv_vec_count(*p) == n) {
        gv_val *rest = gv_push(vm, nthrest_now(vm, step, *s));
        return gv_cons(vm, vec_as_seq(vm, *p), lazy_again(vm, data, *rest));
    }
    if (mode == 0) return GV_NILV;
    /* the last, padded partition: (take n (concat p pad)) */
    gv_val *pad = gv_push(vm, gv_seq(vm, k[2]));
    gv_vecb b;
    gv_vecb_init(vm, &b);
    int64_t c = gv_vec_count(*p);
    for (int64_t i = 0; i < c; i++) gv_vecb_add(vm, &b, gv_vec_nth(*p, i));
    MARK;
    for (; c < n && pad->t != GV_NIL; c++) {
        iter(vm, mark);
        gv_vecb_add(vm, &b, gv_first(vm, *pad));
        *pad = gv_next(vm, *pad);
    }
    gv_val last = gv_vecb_done(vm, &b);
    return gv_list_cons(vm, vec_as_seq(vm, last), vm->empty_list);
}

static gv_val partition_new(gv_vm *vm, int64_t n, int64_t step, gv_val pad, gv_val coll, int mode) {
    gv_vnode *k = arr_new(vm, 4);
    k->a[0] = gv_l(n);
    k->a[1] = gv_l(step);
    k->a[2] = pad;
    k->a[3] = gv_l(mode);
    return lazy_new(vm, mode == 2 ? CORE "/partition-all" : CORE "/partition", partition_step,
                    AVAL(k), coll);
}

NATIVE(n_partition) {
    (void)data;
    int64_t n = gv_arg_long(vm, argv[0]);
    switch (argc) {
    case 2: return partition_new(vm, n, n, GV_NILV, argv[1], 0);
    case 3: return partition_new(vm, n, gv_arg_long(vm, argv[1]), GV_NILV, argv[2], 0);
    default: return partition_new(vm, n, gv_arg_long(vm, argv[1]), argv[2], argv[3], 1);
    }
}

NATIVE(n_partition_all) {
    (void)data;
    if (argc == 1) return xf_new(vm, X_PARTITION_ALL, gv_l(gv_arg_long(vm, argv[0])));
    int64_t n = gv_arg_long(vm, argv[0]);
    if (argc == 2) return partition_new(vm, n, n, GV_NILV, argv[1], 2);
    return partition_new(vm, n, gv_arg_long(vm, argv[1]), GV_NILV, argv[2], 2);
}

/* KONST f, STATE coll */
STEP(partition_by_step) {
    STEP_UNUSED;
    gv_val f = KONST(data);
    gv_val *st = step_begin(vm, data);
    gv_val *s = gv_push(vm, gv_seq(vm, *st));
    if (s->t == GV_NIL) return GV_NILV;
    gv_vecb b;
    gv_vecb_init(vm, &b);
    gv_val *fv = gv_push(vm, gv_call1(vm, f, gv_first(vm, *s)));
    gv_vecb_add(vm, &b, gv_first(vm, *s));
    *s = gv_next(vm, *s);
    MARK;
    while (s->t != GV_NIL) {
        iter(vm, mark);
        gv_val v = gv_call1(vm, f, gv_first(vm, *s));
        if (!gv_equiv(vm, *fv, v)) break;
        gv_vecb_add(vm, &b, gv_first(vm, *s));
        *s = gv_next(vm, *s);
    }
    gv_val *run = gv_push(vm, gv_vecb_done(vm, &b));
    return gv_cons(vm, gv_seq(vm, *run), lazy_again(vm, data, *s));
}

NATIVE(n_partition_by) {
    (void)data;
    if (argc == 1) return xf_new(vm, X_PARTITION_BY, argv[0]);
    return lazy_new(vm, CORE "/partition-by", partition_by_step, argv[0], argv[1]);
}

/* ---- grouping ----------------------------------------------------------- */

typedef struct gctx {
    gv_val *f, *acc;
} gctx;

static bool group_by_step(gv_vm *vm, gv_val x, void *p) {
    gctx *c = p;
    gv_val k = gv_call1(vm, *c->f, x);
    gv_val *ks = gv_push(vm, k); /* gv_core_each drops it next iteration */
    gv_val v = gv_map_get(vm, *c->acc, *ks, GV_NILV);
    v = v.t == GV_NIL ? gv_vec_from(vm, 1, &x) : gv_vec_conj(vm, v, x);
    *c->acc = gv_map_assoc(vm, *c->acc, *ks, v);
    return true;
}

NATIVE(n_group_by) {
    UNUSED;
    gctx c = {&argv[0], gv_push(vm, gv_map_empty(vm))};
    gv_core_each(vm, take_arg(argv, 1), group_by_step, &c);
    return *c.acc;
}

static bool frequencies_step(gv_vm *vm, gv_val x, void *p) {
    gctx *c = p;
    gv_val v = gv_map_get(vm, *c->acc, x, gv_l(0));
    *c->acc = gv_map_assoc(vm, *c->acc, x, gv_l(v.as.i + 1));
    return true;
}

NATIVE(n_frequencies) {
    UNUSED;
    gctx c = {NULL, gv_push(vm, gv_map_empty(vm))};
    gv_core_each(vm, take_arg(argv, 0), frequencies_step, &c);
    return *c.acc;
}

/* ---- sort --------------------------------------------------------------- */

/* Clojure's comparator semantics (AFunction.compare): a boolean result
 * means "a before b"; a number is truncated to an int. */
static int cmp_call(gv_vm *vm, gv_val comp, gv_val a, gv_val b) {
    if (comp.t == GV_NIL) return gv_compare(vm, a, b);
    gv_val r = gv_call2(vm, comp, a, b);
    switch (r.t) {
    case GV_BOOL:
        if (r.as.b) return -1;
        return gv_truthy(gv_call2(vm, comp, b, a)) ? 1 : 0;
    case GV_LONG: return (int)(int32_t)r.as.i;
    case GV_DOUBLE:
        if (isnan(r.as.d)) return 0;
        return r.as.d >= 2147483647.0 ? INT32_MAX : r.as.d <= -2147483648.0 ? INT32_MIN : (int)r.as.d;
    case GV_NIL:
        gv_throwf(vm, "NullPointerException",
                  "Cannot invoke \"java.lang.Number.intValue()\" because \"n\" is null");
    default: gv_throw_cast(vm, r, "java.lang.Number");
    }
}

/* Stable bottom-up merge sort of the N indices in array *PERM by the keys
 * in array *KEYS.  PERM, TMP and KEYS are rooted slots holding arrays
 * (comparisons may run Clojure code and collect). */
static void merge_sort(gv_vm *vm, gv_val comp, gv_val *keys, gv_val *perm, gv_val *tmp, int64_t n) {
    gv_val *cs = gv_push(vm, comp);
    MARK;
    for (int64_t width = 1; width < n; width *= 2) {
        gv_val *src = ARR(*perm), *dst = ARR(*tmp), *k = ARR(*keys);
        for (int64_t lo = 0; lo < n; lo += 2 * width) {
            int64_t mid = lo + width < n ? lo + width : n;
            int64_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            int64_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi) {
                iter(vm, mark);
                if (cmp_call(vm, *cs, k[src[j].as.i], k[src[i].as.i]) < 0) dst[o++] = src[j++];
                else dst[o++] = src[i++];
            }
            while (i < mid) dst[o++] = src[i++];
            while (j < hi) dst[o++] = src[j++];
        }
        gv_val t = *perm;
        *perm = *tmp;
        *tmp = t;
    }
}

static bool collect_step(gv_vm *vm, gv_val x, void *p) {
    garr_add(vm, p, x);
    return true;
}

/* Sorts COLL by COMP (nil: compare) on the keys KEYFN (nil: identity)
 * gives; returns a seq, () when empty. */
static gv_val sort_impl(gv_vm *vm, gv_val keyfn, gv_val comp, gv_val coll) {
    gv_val *cs = gv_push(vm, comp);
    gv_val *kf = gv_push(vm, keyfn);
    gv_val *meta = gv_push(vm, gv_meta(coll));
    garr vals;
    garr_init(vm, &vals, 16);
    gv_core_each(vm, coll, collect_step, &vals);
    int64_t n = vals.len;
    if (n == 0) return vm->empty_list;
    gv_val *keys = vals.slot;
    if (kf->t != GV_NIL) {
        keys = gv_push(vm, AVAL(arr_new(vm, (uint32_t)n)));
        MARK;
        for (int64_t i = 0; i < n; i++) {
            iter(vm, mark);
            gv_val k = gv_call1(vm, *kf, garr_items(&vals)[i]);
            ARR(*keys)[i] = k;
        }
    }
    gv_vnode *p = arr_new(vm, (uint32_t)n);
    for (int64_t i = 0; i < n; i++) p->a[i] = gv_l(i);
    gv_val *perm = gv_push(vm, AVAL(p));
    gv_val *tmp = gv_push(vm, AVAL(arr_new(vm, (uint32_t)n)));
    merge_sort(vm, *cs, keys, perm, tmp, n);
    gv_vnode *out = arr_new(vm, (uint32_t)n);
    for (int64_t i = 0; i < n; i++) out->a[i] = garr_items(&vals)[ARR(*perm)[i].as.i];
    gv_val r = gv_arrayseq_new(vm, AVAL(out), 0, n);
    if (meta->t != GV_NIL) r = gv_with_meta(vm, r, *meta);
    return r;
}

NATIVE(n_sort) {
    (void)data;
    if (argc == 1) return sort_impl(vm, GV_NILV, GV_NILV, take_arg(argv, 0));
    return sort_impl(vm, GV_NILV, argv[0], take_arg(argv, 1));
}

NATIVE(n_sort_by) {
    (void)data;
    if (argc == 2) return sort_impl(vm, argv[0], GV_NILV, take_arg(argv, 1));
    return sort_impl(vm, argv[0], argv[1], take_arg(argv, 2));
}

/* ---- distinct, dedupe, reverse ------------------------------------------ */

/* STATE [coll seen] */
STEP(distinct_step) {
    STEP_UNUSED;
    gv_val *st = step_begin(vm, data);
    gv_val *s = gv_push(vm, ARR(*st)[0]);
    MARK;
    for (;;) {
        iter(vm, mark);
        *s = gv_seq(vm, *s);
        if (s->t == GV_NIL) return GV_NILV;
        gv_val x = gv_first(vm, *s);
        gv_val seen = ARR(*st)[1];
        if (!gv_set_contains(vm, seen, x))
            return gv_cons(vm, x, lazy_again(vm, data, arr2(vm, gv_rest(vm, *s), gv_set_conj(vm, seen, x))));
        *s = gv_rest(vm, *s);
    }
}

NATIVE(n_distinct) {
    (void)data;
    if (argc == 0) return xf_new(vm, X_DISTINCT, GV_NILV);
    return lazy_new(vm, CORE "/distinct", distinct_step, GV_NILV, arr2(vm, argv[0], gv_set_empty(vm)));
}

/* STATE [coll prev has-prev] */
STEP(dedupe_step) {
    STEP_UNUSED;
    gv_val *st = step_begin(vm, data);
    gv_val *s = gv_push(vm, ARR(*st)[0]);
    MARK;
    for (;;) {
        iter(vm, mark);
        *s = gv_seq(vm, *s);
        if (s->t == GV_NIL) return GV_NILV;
        gv_val x = gv_first(vm, *s);
        if (!gv_truthy(ARR(*st)[2]) || !gv_equiv(vm, ARR(*st)[1], x))
            return gv_cons(vm, x, lazy_again(vm, data, arr3(vm, gv_rest(vm, *s), x, GV_TRUEV)));
        *s = gv_rest(vm, *s);
    }
}

NATIVE(n_dedupe) {
    (void)data;
    if (argc == 0) return xf_new(vm, X_DEDUPE, GV_NILV);
    return lazy_new(vm, CORE "/dedupe", dedupe_step, GV_NILV, arr3(vm, argv[0], GV_NILV, GV_FALSEV));
}

static bool reverse_step(gv_vm *vm, gv_val x, void *p) {
    gv_val *acc = p;
    *acc = gv_list_cons(vm, x, *acc);
    return true;
}

NATIVE(n_reverse) {
    UNUSED;
    gv_val *acc = gv_push(vm, vm->empty_list);
    gv_core_each(vm, take_arg(argv, 0), reverse_step, acc);
    return *acc;
}

/* ---- interleave, interpose, flatten, tree-seq --------------------------- */

/* STATE [c1 ... cn] */
STEP(interleave_step) {
    STEP_UNUSED;
    gv_val *st = step_begin(vm, data);
    uint32_t n = GV_AS(gv_vnode, *st)->n;
    gv_vnode *seqs = arr_new(vm, n);
    gv_push(vm, AVAL(seqs));
    for (uint32_t i = 0; i < n; i++) {
        seqs->a[i] = gv_seq(vm, ARR(*st)[i]);
        if (seqs->a[i].t == GV_NIL) return GV_NILV;
    }
    gv_vnode *next = arr_new(vm, n);
    for (uint32_t i = 0; i < n; i++) next->a[i] = gv_rest(vm, seqs->a[i]);
    gv_val r = lazy_again(vm, data, AVAL(next));
    for (uint32_t i = n; i-- > 0;) r = gv_cons(vm, gv_first(vm, seqs->a[i]), r);
    return r;
}

NATIVE(n_interleave) {
    (void)data;
    if (argc == 0) return cat_new(vm, GV_NILV, GV_NILV);
    if (argc == 1) return cat_new(vm, argv[0], GV_NILV);
    gv_vnode *colls = arr_new(vm, (uint32_t)argc);
    memcpy(colls->a, argv, (size_t)argc * sizeof(gv_val));
    return lazy_new(vm, CORE "/interleave", interleave_step, GV_NILV, AVAL(colls));
}

/* KONST sep, STATE [coll started] */
STEP(interpose_step) {
    STEP_UNUSED;
    gv_val sep = KONST(data);
    gv_val *st = step_begin(vm, data);
    bool started = gv_truthy(ARR(*st)[1]);
    gv_val *s = gv_push(vm, gv_seq(vm, ARR(*st)[0]));
    if (s->t == GV_NIL) return GV_NILV;
    gv_val r = gv_cons(vm, gv_first(vm, *s), lazy_again(vm, data, arr2(vm, gv_rest(vm, *s), GV_TRUEV)));
    return started ? gv_cons(vm, sep, r) : r;
}

NATIVE(n_interpose) {
    (void)data;
    if (argc == 1) return xf_new(vm, X_INTERPOSE, argv[0]);
    return lazy_new(vm, CORE "/interpose", interpose_step, argv[0], arr2(vm, argv[1], GV_FALSEV));
}

/* Depth-first walk with an explicit stack, STATE: a list of pending seqs.
 * flatten emits the non-sequential leaves; tree-seq (KONST [branch?
 * children]) emits every node. */
static gv_val walk_step(gv_vm *vm, void *data, bool tree) {
    gv_val *stack = step_begin(vm, data);
    gv_val *top = gv_push(vm, GV_NILV);
    MARK;
    for (;;) {
        iter(vm, mark);
        if (GV_AS(gv_list, *stack)->count == 0) return GV_NILV;
        *top = gv_seq(vm, GV_AS(gv_list, *stack)->first);
        gv_val below = GV_AS(gv_list, *stack)->rest;
        if (top->t == GV_NIL) {
            *stack = below;
            continue;
        }
        gv_val x = gv_first(vm, *top);
        *stack = gv_list_cons(vm, gv_rest(vm, *top), below);
        if (tree) {
            gv_val *k = ARR(KONST(data));
            *top = x;
            if (gv_truthy(gv_call1(vm, k[0], x))) {
                gv_val ch = gv_call1(vm, k[1], *top);
                *stack = gv_list_cons(vm, ch, *stack);
            }
            return gv_cons(vm, *top, lazy_again(vm, data, *stack));
        }
        if (is_sequential(x)) {
            *stack = gv_list_cons(vm, x, *stack);
            continue;
        }
        return gv_cons(vm, x, lazy_again(vm, data, *stack));
    }
}

STEP(flatten_step) { STEP_UNUSED; return walk_step(vm, data, false); }
STEP(tree_seq_step) { STEP_UNUSED; return walk_step(vm, data, true); }

NATIVE(n_flatten) {
    UNUSED;
    gv_val stack = is_sequential(argv[0]) ? gv_list_cons(vm, argv[0], vm->empty_list) : vm->empty_list;
    return lazy_new(vm, CORE "/flatten", flatten_step, GV_NILV, stack);
}

NATIVE(n_tree_seq) {
    UNUSED;
    gv_val root = gv_list_cons(vm, argv[2], vm->empty_list);
    gv_val stack = gv_list_cons(vm, root, vm->empty_list);
    return lazy_new(vm, CORE "/tree-seq", tree_seq_step, arr2(vm, argv[0], argv[1]), stack);
}

/* ---- generators --------------------------------------------------------- */

/* KONST x, STATE n (n < 0: forever) */
STEP(repeat_step) {
    STEP_UNUSED;
    int64_t n = STATE(data).as.i;
    tick(vm);
    if (n == 0) return GV_NILV;
    return gv_cons(vm, KONST(data), lazy_again(vm, data, gv_l(n < 0 ? n : n - 1)));
}

NATIVE(n_repeat) {
    (void)data;
    if (argc == 1) return lazy_new(vm, CORE "/repeat", repeat_step, argv[0], gv_l(-1));
    int64_t n = count_arg(vm, argv[0]);
    if (n <= 0) return vm->empty_list;
    return lazy_new(vm, CORE "/repeat", repeat_step, argv[1], gv_l(n));
}

/* KONST f, STATE n (n < 0: forever) */
STEP(repeatedly_step) {
    STEP_UNUSED;
    int64_t n = STATE(data).as.i;
    tick(vm);
    if (n == 0) return GV_NILV;
    gv_val x = gv_call0(vm, KONST(data));
    return gv_cons(vm, x, lazy_again(vm, data, gv_l(n < 0 ? n : n - 1)));
}

NATIVE(n_repeatedly) {
    (void)data;
    if (argc == 1) return lazy_new(vm, CORE "/repeatedly", repeatedly_step, argv[0], gv_l(-1));
    int64_t n = count_arg(vm, argv[0]);
    if (n < 0) n = 0;
    return lazy_new(vm, CORE "/repeatedly", repeatedly_step, argv[1], gv_l(n));
}

/* KONST coll, STATE what is left of this round */
STEP(cycle_step) {
    STEP_UNUSED;
    gv_val *st = step_begin(vm, data);
    *st = gv_seq(vm, *st);
    if (st->t == GV_NIL) {
        *st = gv_seq(vm, KONST(data));
        if (st->t == GV_NIL) return GV_NILV;
    }
    gv_val x = gv_first(vm, *st);
    return gv_cons(vm, x, lazy_again(vm, data, gv_rest(vm, *st)));
}

NATIVE(n_cycle) {
    UNUSED;
    return lazy_new(vm, CORE "/cycle", cycle_step, argv[0], GV_NILV);
}

/* KONST f, STATE x (emitted already): emits (f x). */
STEP(iterate_step) {
    STEP_UNUSED;
    gv_val *st = step_begin(vm, data);
    gv_val y = gv_call1(vm, KONST(data), *st);
    return gv_cons(vm, y, lazy_again(vm, data, y));
}

NATIVE(n_iterate) {
    UNUSED;
    return gv_cons(vm, argv[1], lazy_new(vm, CORE "/iterate", iterate_step, argv[0], argv[1]));
}

/* KONST [end step], STATE the next number; numbers of any kind (all longs
 * make a GV_RANGE instead). */
STEP(num_range_step) {
    STEP_UNUSED;
    gv_val *k = ARR(KONST(data));
    gv_val cur = STATE(data);
    tick(vm);
    gv_val zero = gv_l(0);
    bool more;
    if (gv_num_gt(vm, k[1], zero)) more = gv_num_lt(vm, cur, k[0]);
    else if (gv_num_lt(vm, k[1], zero)) more = gv_num_gt(vm, cur, k[0]);
    else more = true;
    if (!more) return GV_NILV;
    gv_val nx = gv_num_add(vm, cur, k[1]);
    return gv_cons(vm, cur, lazy_again(vm, data, nx));
}

NATIVE(n_range) {
    (void)data;
    if (argc == 0) return gv_range_new(vm, 0, 0, 1, true);
    gv_val start = gv_l(0), end, step = gv_l(1);
    if (argc == 1) {
        end = argv[0];
    } else {
        start = argv[0];
        end = argv[1];
        if (argc == 3) step = argv[2];
    }
    if (start.t == GV_LONG && end.t == GV_LONG && step.t == GV_LONG)
        return gv_range_new(vm, start.as.i, end.as.i, step.as.i, false);
    gv_val zero = gv_l(0);
    bool pos = gv_num_gt(vm, step, zero), neg = gv_num_lt(vm, step, zero);
    if ((pos && gv_num_lte(vm, end, start)) || (neg && gv_num_lte(vm, start, end)) ||
        (!pos && !neg && gv_num_equiv(vm, start, end)))
        return vm->empty_list;
    return lazy_new(vm, CORE "/range", num_range_step, arr2(vm, end, step), start);
}

/* ---- predicates over colls ---------------------------------------------- */

typedef struct pctx {
    gv_val *f;
    gv_val result;
    bool want; /* stop when (pred x) has this truthiness */
    bool found;
} pctx;

static bool pred_step(gv_vm *vm, gv_val x, void *p) {
    pctx *c = p;
    gv_val r = gv_call1(vm, *c->f, x);
    if (gv_truthy(r) == c->want) {
        c->found = true;
        c->result = r;
        return false;
    }
    return true;
}

/* Walks COLL until (pred x) has truthiness WANT; true when found. */
static bool pred_walk(gv_vm *vm, gv_val *f, gv_val coll, bool want, gv_val *result) {
    pctx c = {f, GV_NILV, want, false};
    gv_core_each(vm, coll, pred_step, &c);
    if (result) *result = c.result;
    return c.found;
}

NATIVE(n_some) {
    UNUSED;
    gv_val r;
    return pred_walk(vm, &argv[0], take_arg(argv, 1), true, &r) ? r : GV_NILV;
}
NATIVE(n_every_p) { UNUSED; return gv_b(!pred_walk(vm, &argv[0], take_arg(argv, 1), false, NULL)); }
NATIVE(n_not_every_p) { UNUSED; return gv_b(pred_walk(vm, &argv[0], take_arg(argv, 1), false, NULL)); }
NATIVE(n_not_any_p) { UNUSED; return gv_b(!pred_walk(vm, &argv[0], take_arg(argv, 1), true, NULL)); }

/* ---- apply, doall, run! ------------------------------------------------- */

NATIVE(n_apply) {
    (void)data;
    garr args;
    garr_init(vm, &args, 16);
    for (int i = 1; i < argc - 1; i++) garr_add(vm, &args, argv[i]);
    gv_core_each(vm, take_arg(argv, argc - 1), collect_step, &args);
    if (args.len > INT32_MAX) gv_throwf(vm, "IllegalArgumentException", "Too many arguments");
    return gv_call(vm, argv[0], (int)args.len, garr_items(&args));
}

NATIVE(n_dorun) {
    (void)data;
    int64_t n = argc == 2 ? count_arg(vm, argv[0]) : INT64_MAX;
    gv_val *s = gv_push(vm, take_arg(argv, argc - 1));
    MARK;
    *s = gv_seq(vm, *s);
    while (s->t != GV_NIL && n-- > 0) {
        iter(vm, mark);
        *s = gv_next(vm, *s);
    }
    return GV_NILV;
}

NATIVE(n_doall) {
    gv_val *coll = gv_push(vm, argv[argc - 1]);
    n_dorun(vm, argc, argv, data);
    return *coll;
}

static bool run_step(gv_vm *vm, gv_val x, void *p) {
    gv_val r = gv_call1(vm, *(gv_val *)p, x);
    return r.t != GV_REDUCED;
}

NATIVE(n_run) {
    UNUSED;
    gv_core_each(vm, take_arg(argv, 1), run_step, &argv[0]);
    return GV_NILV;
}

/* ---- maps from seqs ------------------------------------------------------ */

NATIVE(n_zipmap) {
    UNUSED;
    gv_val *m = gv_push(vm, gv_map_empty(vm));
    gv_val *ks = gv_push(vm, take_arg(argv, 0));
    gv_val *vs = gv_push(vm, take_arg(argv, 1));
    MARK;
    *ks = gv_seq(vm, *ks);
    *vs = gv_seq(vm, *vs);
    while (ks->t != GV_NIL && vs->t != GV_NIL) {
        iter(vm, mark);
        *m = gv_map_assoc(vm, *m, gv_first(vm, *ks), gv_first(vm, *vs));
        *ks = gv_next(vm, *ks);
        *vs = gv_next(vm, *vs);
    }
    return *m;
}

typedef struct kctx {
    garr out;
    int which;
} kctx;

static bool keys_map_step(gv_vm *vm, gv_val k, gv_val v, void *p) {
    kctx *c = p;
    garr_add(vm, &c->out, c->which ? v : k);
    return true;
}

static bool keys_seq_step(gv_vm *vm, gv_val e, void *p) {
    kctx *c = p;
    garr_add(vm, &c->out, entry_key(vm, e, c->which));
    return true;
}

static gv_val keys_vals(gv_vm *vm, gv_val m, int which) {
    kctx c;
    c.which = which;
    if (gv_is_map(m)) {
        int64_t n = gv_map_count(m);
        if (n == 0) return GV_NILV;
        garr_init(vm, &c.out, (uint32_t)n);
        gv_map_each(vm, m, keys_map_step, &c);
    } else {
        garr_init(vm, &c.out, 8);
        gv_core_each(vm, m, keys_seq_step, &c);
    }
    return gv_arrayseq_new(vm, *c.out.slot, 0, c.out.len);
}

NATIVE(n_keys) { UNUSED; return keys_vals(vm, take_arg(argv, 0), 0); }
NATIVE(n_vals) { UNUSED; return keys_vals(vm, take_arg(argv, 0), 1); }

/* ---- max-key / min-key --------------------------------------------------- */

static gv_val best_key(gv_vm *vm, int argc, gv_val *argv, bool max) {
    if (argc == 2) return argv[1];
    gv_val *best = gv_push(vm, argv[1]);
    gv_val *kb = gv_push(vm, gv_call1(vm, argv[0], argv[1]));
    MARK;
    for (int i = 2; i < argc; i++) {
        iter(vm, mark);
        gv_val k = gv_call1(vm, argv[0], argv[i]);
        /* the second: (if (> kx ky) x y); later ones win ties (>=) */
        bool take;
        if (i == 2) take = max ? !gv_num_gt(vm, *kb, k) : !gv_num_lt(vm, *kb, k);
        else take = max ? gv_num_gte(vm, k, *kb) : gv_num_lte(vm, k, *kb);
        if (take) {
            *best = argv[i];
            *kb = k;
        }
    }
    return *best;
}

NATIVE(n_max_key) { (void)data; return best_key(vm, argc, argv, true); }
NATIVE(n_min_key) { (void)data; return best_key(vm, argc, argv, false); }

/* ---- randomness (through clojure.core/rand-int) ------------------------- */

static gv_val core_fn(gv_vm *vm, const char *name) {
    gv_var *v = gv_ns_resolve(vm, vm->core_ns, gv_sym(vm, name));
    if (!v) gv_throwf(vm, "IllegalStateException", "clojure.core/%s is not defined", name);
    return gv_var_get(vm, v);
}

static int64_t rand_below(gv_vm *vm, gv_val *rand_int, int64_t n) {
    gv_val r = gv_call1(vm, *rand_int, gv_l(n));
    return r.t == GV_LONG ? r.as.i : 0;
}

NATIVE(n_shuffle) {
    UNUSED;
    gv_val *ri = gv_push(vm, core_fn(vm, "rand-int"));
    garr a;
    garr_init(vm, &a, 16);
    gv_core_each(vm, take_arg(argv, 0), collect_step, &a);
    for (int64_t i = (int64_t)a.len - 1; i > 0; i--) {
        int64_t j = rand_below(vm, ri, i + 1);
        if (j < 0 || j > i) j = i;
        gv_val *it = garr_items(&a);
        gv_val t = it[i];
        it[i] = it[j];
        it[j] = t;
    }
    return gv_vec_from(vm, a.len, garr_items(&a));
}

NATIVE(n_rand_nth) {
    UNUSED;
    gv_val *ri = gv_push(vm, core_fn(vm, "rand-int"));
    int64_t n = gv_count(vm, argv[0]);
    return gv_nth(vm, argv[0], rand_below(vm, ri, n), NULL);
}

/* ---- registration ------------------------------------------------------- */

void gv_core_init_seq(gv_vm *vm) {
    static const struct {
        const char *name;
        gv_cfn fn;
        int min, max;
    } defs[] = {
        {"seq", n_seq, 1, 1},
        {"first", n_first, 1, 1},
        {"second", n_second, 1, 1},
        {"ffirst", n_ffirst, 1, 1},
        {"nfirst", n_nfirst, 1, 1},
        {"fnext", n_fnext, 1, 1},
        {"nnext", n_nnext, 1, 1},
        {"rest", n_rest, 1, 1},
        {"next", n_next, 1, 1},
        {"last", n_last, 1, 1},
        {"butlast", n_butlast, 1, 1},
        {"cons", n_cons, 2, 2},
        {"concat", n_concat, 0, -1},
        {"list", n_list, 0, -1},
        {"list*", n_list_star, 1, -1},
        {"lazy-seq*", n_lazy_seq, 1, 1},
        {"map", n_map, 1, -1},
        {"mapv", n_mapv, 2, -1},
        {"map-indexed", n_map_indexed, 1, 2},
        {"filter", n_filter, 1, 2},
        {"filterv", n_filterv, 2, 2},
        {"remove", n_remove, 1, 2},
        {"keep", n_keep, 1, 2},
        {"keep-indexed", n_keep_indexed, 1, 2},
        {"mapcat", n_mapcat, 1, -1},
        {"reduce", n_reduce, 2, 3},
        {"reduce-kv", n_reduce_kv, 3, 3},
        {"reductions", n_reductions, 2, 3},
        {"reduced", n_reduced, 1, 1},
        {"reduced?", n_reduced_p, 1, 1},
        {"unreduced", n_unreduced, 1, 1},
        {"ensure-reduced", n_ensure_reduced, 1, 1},
        {"take", n_take, 1, 2},
        {"drop", n_drop, 1, 2},
        {"take-while", n_take_while, 1, 2},
        {"drop-while", n_drop_while, 1, 2},
        {"take-last", n_take_last, 2, 2},
        {"drop-last", n_drop_last, 1, 2},
        {"take-nth", n_take_nth, 1, 2},
        {"split-at", n_split_at, 2, 2},
        {"split-with", n_split_with, 2, 2},
        {"partition", n_partition, 2, 4},
        {"partition-all", n_partition_all, 1, 3},
        {"partition-by", n_partition_by, 1, 2},
        {"group-by", n_group_by, 2, 2},
        {"frequencies", n_frequencies, 1, 1},
        {"sort", n_sort, 1, 2},
        {"sort-by", n_sort_by, 2, 3},
        {"distinct", n_distinct, 0, 1},
        {"dedupe", n_dedupe, 0, 1},
        {"reverse", n_reverse, 1, 1},
        {"interleave", n_interleave, 0, -1},
        {"interpose", n_interpose, 1, 2},
        {"flatten", n_flatten, 1, 1},
        {"tree-seq", n_tree_seq, 3, 3},
        {"repeat", n_repeat, 1, 2},
        {"repeatedly", n_repeatedly, 1, 2},
        {"cycle", n_cycle, 1, 1},
        {"iterate", n_iterate, 2, 2},
        {"range", n_range, 0, 3},
        {"some", n_some, 2, 2},
        {"every?", n_every_p, 2, 2},
        {"not-every?", n_not_every_p, 2, 2},
        {"not-any?", n_not_any_p, 2, 2},
        {"apply", n_apply, 2, -1},
        {"zipmap", n_zipmap, 2, 2},
        {"keys", n_keys, 1, 1},
        {"vals", n_vals, 1, 1},
        {"nth", n_nth, 2, 3},
        {"nthnext", n_nthnext, 2, 2},
        {"nthrest", n_nthrest, 2, 2},
        {"count", n_count, 1, 1},
        {"empty?", n_empty_p, 1, 1},
        {"not-empty", n_not_empty, 1, 1},
        {"seq?", n_seq_p, 1, 1},
        {"seqable?", n_seqable_p, 1, 1},
        {"sequential?", n_sequential_p, 1, 1},
        {"doall", n_doall, 1, 2},
        {"dorun", n_dorun, 1, 2},
        {"run!", n_run, 2, 2},
        {"shuffle", n_shuffle, 1, 1},
        {"rand-nth", n_rand_nth, 1, 1},
        {"max-key", n_max_key, 2, -1},
        {"cat", n_cat, 1, 1},
        {"transduce", n_transduce, 3, 4},
        {"completing", n_completing, 1, 2},
        {"sequence", n_sequence, 1, -1},
        {"eduction", n_eduction, 1, -1},
        {"min-key", n_min_key, 2, -1},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        gv_defn_native(vm, CORE, defs[i].name, defs[i].fn, defs[i].min, defs[i].max);
}
