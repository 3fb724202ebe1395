/* seq.c — the seq abstraction: lists, conses, lazy seqs, array seqs and
 * ranges, and the generic collection operations built on them (seq,
 * first, next, rest, count, conj, nth, get, meta).
 *
 * Realizing a lazy seq calls its thunk, which is a safe point: callers
 * that walk seqs keep their cursor in a gv_push slot. */
#include "vm.h"

/* ---- constructors ------------------------------------------------------ */

gv_val gv_list_empty(gv_vm *vm) { return vm->empty_list; }

gv_val gv_list_cons(gv_vm *vm, gv_val x, gv_val list) {
    gv_list *l = gv_alloc(vm, GV_LIST, sizeof *l);
    l->meta = GV_NILV;
    l->first = x;
    l->rest = list;
    l->count = GV_AS(gv_list, list)->count + 1;
    return gv_mk(GV_LIST, l);
}

gv_val gv_list_from(gv_vm *vm, int64_t n, const gv_val *v) {
    gv_val l = vm->empty_list;
    for (int64_t i = n - 1; i >= 0; i--) l = gv_list_cons(vm, v[i], l);
    return l;
}

gv_val gv_cons(gv_vm *vm, gv_val x, gv_val seq) {
    /* as Clojure: (cons x nil) is a list, (cons x a-list) a Cons */
    if (seq.t == GV_NIL) return gv_list_cons(vm, x, vm->empty_list);
    if (!gv_is_seq(seq)) seq = gv_seq(vm, seq);
    gv_conscell *c = gv_alloc(vm, GV_CONS, sizeof *c);
    c->meta = GV_NILV;
    c->first = x;
    c->rest = seq;
    return gv_mk(GV_CONS, c);
}

gv_val gv_lazyseq_new(gv_vm *vm, gv_val thunk) {
    gv_lazyseq *l = gv_alloc(vm, GV_LAZYSEQ, sizeof *l);
    l->meta = GV_NILV;
    l->fn = thunk;
    l->seq = GV_NILV;
    return gv_mk(GV_LAZYSEQ, l);
}

static bool range_empty(int64_t start, int64_t end, int64_t step, bool inf) {
    if (inf) return false;
    return step > 0 ? start >= end : step < 0 ? start <= end : start == end;
}

gv_val gv_range_new(gv_vm *vm, int64_t start, int64_t end, int64_t step, bool infinite) {
    if (range_empty(start, end, step, infinite)) return vm->empty_list;
    gv_range *r = gv_alloc(vm, GV_RANGE, sizeof *r);
    r->meta = GV_NILV;
    r->start = start;
    r->end = end;
    r->step = step;
    r->infinite = infinite || step == 0;
    return gv_mk(GV_RANGE, r);
}

gv_val gv_arrayseq_new(gv_vm *vm, gv_val src, int64_t i, int64_t end) {
    if (i >= end) return GV_NILV;
    gv_arrayseq *a = gv_alloc(vm, GV_ARRAYSEQ, sizeof *a);
    a->meta = GV_NILV;
    a->src = src;
    a->i = i;
    a->end = end;
    return gv_mk(GV_ARRAYSEQ, a);
}

/* ---- predicates -------------------------------------------------------- */

bool gv_is_seq(gv_val x) {
    switch (x.t) {
    case GV_LIST: case GV_CONS: case GV_LAZYSEQ: case GV_ARRAYSEQ: case GV_RANGE:
        return true;
    default: return false;
    }
}

bool gv_is_seqable(gv_val x) {
    switch (x.t) {
    case GV_NIL: case GV_LIST: case GV_CONS: case GV_LAZYSEQ: case GV_ARRAYSEQ:
    case GV_RANGE: case GV_VECTOR: case GV_STRING: case GV_ARRAYMAP:
    case GV_HASHMAP: case GV_SET: case GV_VNODE:
        return true;
    default: return false;
    }
}

/* ---- seq / first / next / rest ----------------------------------------- */

static gv_val lazy_realize(gv_vm *vm, gv_val x) {
    gv_lazyseq *l = GV_AS(gv_lazyseq, x);
    if (l->fn.t == GV_NIL) return l->seq;
    gv_val *slot = gv_push(vm, x); /* released on return: callers loop */
    gv_val fn = l->fn;
    gv_val r = gv_call(vm, fn, 0, NULL);
    l = GV_AS(gv_lazyseq, *slot);
    if (l->fn.t == GV_NIL) { vm->cur->sp = slot; return l->seq; } /* realized re-entrantly */
    gv_val *rs = gv_push(vm, r);
    while (rs->t == GV_LAZYSEQ) {
        gv_lazyseq *inner = GV_AS(gv_lazyseq, *rs);
        *rs = inner->fn.t == GV_NIL ? inner->seq : lazy_realize(vm, *rs);
    }
    gv_val s = gv_seq(vm, *rs);
    l = GV_AS(gv_lazyseq, *slot);
    l->seq = s;
    l->fn = GV_NILV;
    vm->cur->sp = slot;
    return s;
}

gv_val gv_seq(gv_vm *vm, gv_val x) {
    switch (x.t) {
    case GV_NIL: return GV_NILV;
    case GV_LIST: return GV_AS(gv_list, x)->count ? x : GV_NILV;
    case GV_CONS: case GV_ARRAYSEQ: case GV_RANGE: return x;
    case GV_LAZYSEQ: return lazy_realize(vm, x);
    case GV_VECTOR: return gv_arrayseq_new(vm, x, 0, gv_vec_count(x));
    case GV_STRING: return gv_arrayseq_new(vm, x, 0, GV_AS(gv_string, x)->len);
    case GV_VNODE: return gv_arrayseq_new(vm, x, 0, GV_AS(gv_vnode, x)->n);
    case GV_ARRAYMAP: case GV_HASHMAP: return gv_map_seq(vm, x);
    case GV_SET: return gv_set_seq(vm, x);
    default:
        gv_throwf(vm, "IllegalArgumentException", "Don't know how to create ISeq from: %s",
                  gv_type_name(x));
    }
}

static gv_val arrayseq_first(gv_arrayseq *a) {
    switch (a->src.t) {
    case GV_VECTOR: return gv_vec_nth(a->src, a->i);
    case GV_VNODE: return GV_AS(gv_vnode, a->src)->a[a->i];
    case GV_STRING: {
        gv_string *s = GV_AS(gv_string, a->src);
        int n;
        return gv_ch(gv_utf8_decode(s->data + a->i, s->len - (size_t)a->i, &n));
    }
    default: return GV_NILV;
    }
}

gv_val gv_first(gv_vm *vm, gv_val x) {
    switch (x.t) {
    case GV_NIL: return GV_NILV;
    case GV_LIST: return GV_AS(gv_list, x)->first;
    case GV_CONS: return GV_AS(gv_conscell, x)->first;
    case GV_ARRAYSEQ: return arrayseq_first(GV_AS(gv_arrayseq, x));
    case GV_RANGE: return gv_l(GV_AS(gv_range, x)->start);
    case GV_VECTOR: return gv_vec_count(x) ? gv_vec_nth(x, 0) : GV_NILV;
    default: {
        gv_val s = gv_seq(vm, x);
        return s.t == GV_NIL ? s : gv_first(vm, s);
    }
    }
}

gv_val gv_next(gv_vm *vm, gv_val x) {
    switch (x.t) {
    case GV_NIL: return GV_NILV;
    case GV_LIST: {
        gv_list *l = GV_AS(gv_list, x);
        return l->count > 1 ? l->rest : GV_NILV;
    }
    case GV_CONS: return gv_seq(vm, GV_AS(gv_conscell, x)->rest);
    case GV_ARRAYSEQ: {
        gv_arrayseq *a = GV_AS(gv_arrayseq, x);
        int64_t step = 1;
        if (a->src.t == GV_STRING) {
            gv_string *s = GV_AS(gv_string, a->src);
            int n;
            gv_utf8_decode(s->data + a->i, s->len - (size_t)a->i, &n);
            step = n;
        }
        return gv_arrayseq_new(vm, a->src, a->i + step, a->end);
    }
    case GV_RANGE: {
        gv_range *r = GV_AS(gv_range, x);
        int64_t n;
        if (__builtin_add_overflow(r->start, r->step, &n)) return GV_NILV;
        if (range_empty(n, r->end, r->step, r->infinite)) return GV_NILV;
        return gv_range_new(vm, n, r->end, r->step, r->infinite);
    }
    default: {
        gv_val s = gv_seq(vm, x);
        return s.t == GV_NIL ? s : gv_next(vm, s);
    }
    }
}

gv_val gv_rest(gv_vm *vm, gv_val x) {
    if (x.t == GV_LIST) {
        gv_list *l = GV_AS(gv_list, x);
        return l->count ? l->rest : x;
    }
    if (x.t == GV_CONS) {
        gv_val r = GV_AS(gv_conscell, x)->rest;
        return r.t == GV_NIL ? vm->empty_list : r;
    }
    gv_val n = gv_next(vm, x);
    return n.t == GV_NIL ? vm->empty_list : n;
}

/* ---- count / conj / nth / get ----------------------------------------- */

/* "PersistentArrayMap" for clojure.lang.PersistentArrayMap, as Clojure's
 * "not supported on this type" messages name classes. */
static const char *simple_type_name(gv_val x) {
    const char *n = gv_type_name(x), *dot = strrchr(n, '.');
    return dot ? dot + 1 : n;
}

static int64_t utf8_count(const char *s, size_t n) {
    int64_t c = 0;
    for (size_t i = 0; i < n; i++) if (((unsigned char)s[i] & 0xC0) != 0x80) c++;
    return c;
}

static int64_t range_count(gv_range *r) {
    if (r->infinite) return INT64_MAX;
    __int128 span = (__int128)r->end - r->start;
    __int128 c = r->step > 0 ? (span + r->step - 1) / r->step : (span + r->step + 1) / r->step;
    return (int64_t)c;
}

int64_t gv_count(gv_vm *vm, gv_val x) {
    switch (x.t) {
    case GV_NIL: return 0;
    case GV_LIST: return GV_AS(gv_list, x)->count;
    case GV_VECTOR: return gv_vec_count(x);
    case GV_ARRAYMAP: case GV_HASHMAP: return gv_map_count(x);
    case GV_SET: return gv_set_count(x);
    case GV_STRING: return utf8_count(GV_AS(gv_string, x)->data, GV_AS(gv_string, x)->len);
    case GV_VNODE: return GV_AS(gv_vnode, x)->n;
    case GV_RANGE: return range_count(GV_AS(gv_range, x));
    case GV_ARRAYSEQ: {
        gv_arrayseq *a = GV_AS(gv_arrayseq, x);
        if (a->src.t == GV_STRING)
            return utf8_count(GV_AS(gv_string, a->src)->data + a->i, (size_t)(a->end - a->i));
        return a->end - a->i;
    }
    case GV_CONS: case GV_LAZYSEQ: {
        gv_val *s = gv_push(vm, gv_seq(vm, x));
        int64_t n = 0;
        while (s->t != GV_NIL) {
            if (s->t == GV_LIST) { n += GV_AS(gv_list, *s)->count; break; }
            if (s->t != GV_CONS && s->t != GV_LAZYSEQ) { n += gv_count(vm, *s); break; }
            n++;
            *s = gv_next(vm, *s);
        }
        vm->cur->sp = s;
        return n;
    }
    case GV_DELAY: default:
        gv_throwf(vm, "UnsupportedOperationException", "count not supported on this type: %s",
                  simple_type_name(x));
    }
}

gv_val gv_conj(gv_vm *vm, gv_val coll, gv_val x) {
    switch (coll.t) {
    case GV_NIL: return gv_list_cons(vm, x, vm->empty_list);
    case GV_LIST: return gv_list_cons(vm, x, coll);
    case GV_VECTOR: return gv_vec_conj(vm, coll, x);
    case GV_SET: return gv_set_conj(vm, coll, x);
    case GV_ARRAYMAP: case GV_HASHMAP:
        if (x.t == GV_VECTOR) {
            if (gv_vec_count(x) != 2)
                gv_throwf(vm, "IllegalArgumentException", "Vector arg to map conj must be a pair");
            return gv_map_assoc(vm, coll, gv_vec_nth(x, 0), gv_vec_nth(x, 1));
        }
        if (gv_is_map(x)) {
            gv_val *acc = gv_push(vm, coll);
            gv_val *s = gv_push(vm, gv_seq(vm, x));
            for (; s->t != GV_NIL; *s = gv_next(vm, *s)) {
                gv_val e = gv_first(vm, *s);
                *acc = gv_map_assoc(vm, *acc, gv_vec_nth(e, 0), gv_vec_nth(e, 1));
            }
            gv_val r = *acc;
            vm->cur->sp = acc;
            return r;
        }
        if (x.t == GV_NIL) return coll;
        gv_throwf(vm, "ClassCastException", "class %s cannot be cast to class java.util.Map$Entry",
                  gv_type_name(x));
    case GV_CONS: case GV_LAZYSEQ: case GV_ARRAYSEQ: case GV_RANGE:
        return gv_cons(vm, x, coll);
    default:
        gv_throwf(vm, "ClassCastException",
                  "class %s cannot be cast to class clojure.lang.IPersistentCollection",
                  gv_type_name(x));
    }
}

static _Noreturn void oob(gv_vm *vm, int64_t i, int64_t n) {
    gv_throwf(vm, "IndexOutOfBoundsException", "Index %lld out of bounds for length %lld",
              (long long)i, (long long)n);
}

gv_val gv_nth(gv_vm *vm, gv_val coll, int64_t i, const gv_val *notfound) {
    switch (coll.t) {
    case GV_NIL: return notfound ? *notfound : GV_NILV;
    case GV_VECTOR: {
        int64_t n = gv_vec_count(coll);
        if (i >= 0 && i < n) return gv_vec_nth(coll, i);
        if (notfound) return *notfound;
        oob(vm, i, n);
    }
    case GV_STRING: {
        gv_string *s = GV_AS(gv_string, coll);
        int64_t k = 0;
        if (i >= 0)
            for (size_t p = 0; p < s->len; k++) {
                int n;
                int32_t c = gv_utf8_decode(s->data + p, s->len - p, &n);
                if (k == i) return gv_ch(c);
                p += (size_t)n;
            }
        if (notfound) return *notfound;
        oob(vm, i, utf8_count(s->data, s->len));
    }
    case GV_RANGE: {
        gv_range *r = GV_AS(gv_range, coll);
        if (i >= 0 && i < range_count(r)) return gv_l(r->start + i * r->step);
        if (notfound) return *notfound;
        oob(vm, i, range_count(r));
    }
    case GV_ARRAYSEQ: {
        gv_arrayseq *a = GV_AS(gv_arrayseq, coll);
        if (a->src.t != GV_STRING) {
            if (i >= 0 && i < a->end - a->i) {
                gv_arrayseq tmp = *a;
                tmp.i += i;
                return arrayseq_first(&tmp);
            }
            if (notfound) return *notfound;
            oob(vm, i, a->end - a->i);
        }
    }
    /* fall through */
    case GV_LIST: case GV_CONS: case GV_LAZYSEQ: {
        gv_val *s = gv_push(vm, gv_seq(vm, coll));
        int64_t k = 0;
        if (i >= 0)
            for (; s->t != GV_NIL; *s = gv_next(vm, *s), k++)
                if (k == i) { gv_val r = gv_first(vm, *s); vm->cur->sp = s; return r; }
        vm->cur->sp = s;
        if (notfound) return *notfound;
        oob(vm, i, k);
    }
    default:
        gv_throwf(vm, "UnsupportedOperationException", "nth not supported on this type: %s",
                  simple_type_name(coll));
    }
}

gv_val gv_get(gv_vm *vm, gv_val coll, gv_val k, gv_val notfound) {
    switch (coll.t) {
    case GV_ARRAYMAP: case GV_HASHMAP: return gv_map_get(vm, coll, k, notfound);
    case GV_SET: return gv_set_contains(vm, coll, k) ? k : notfound;
    case GV_VECTOR:
        if (k.t == GV_LONG && k.as.i >= 0 && k.as.i < gv_vec_count(coll))
            return gv_vec_nth(coll, k.as.i);
        return notfound;
    case GV_STRING:
        if (k.t == GV_LONG) return gv_nth(vm, coll, k.as.i, &notfound);
        return notfound;
    default: return notfound;
    }
}

gv_val gv_vec_of(gv_vm *vm, gv_val x) {
    if (x.t == GV_VECTOR) return x;
    gv_val *mark = vm->cur->sp;
    gv_vecb b;
    gv_vecb_init(vm, &b);
    gv_val *s = gv_push(vm, gv_seq(vm, x));
    for (; s->t != GV_NIL; *s = gv_next(vm, *s)) gv_vecb_add(vm, &b, gv_first(vm, *s));
    gv_val r = gv_vecb_done(vm, &b);
    vm->cur->sp = mark;
    return r;
}

/* ---- metadata ---------------------------------------------------------- */

static gv_val *meta_slot(gv_val x) {
    switch (x.t) {
    case GV_SYMBOL: return &GV_AS(gv_symbol, x)->meta;
    case GV_LIST: return &GV_AS(gv_list, x)->meta;
    case GV_CONS: return &GV_AS(gv_conscell, x)->meta;
    case GV_LAZYSEQ: return &GV_AS(gv_lazyseq, x)->meta;
    case GV_ARRAYSEQ: return &GV_AS(gv_arrayseq, x)->meta;
    case GV_RANGE: return &GV_AS(gv_range, x)->meta;
    case GV_VECTOR: return &GV_AS(gv_vector, x)->meta;
    case GV_ARRAYMAP: return &GV_AS(gv_arraymap, x)->meta;
    case GV_HASHMAP: return &GV_AS(gv_hashmap, x)->meta;
    case GV_SET: return &GV_AS(gv_set, x)->meta;
    case GV_FN: return &GV_AS(gv_fn, x)->meta;
    case GV_NATIVE: return &GV_AS(gv_native, x)->meta;
    case GV_VAR: return &GV_AS(gv_var, x)->meta;
    case GV_ATOM: return &GV_AS(gv_atom, x)->meta;
    default: return NULL;
    }
}

gv_val gv_meta(gv_val x) {
    gv_val *m = meta_slot(x);
    if (m) return *m;
    return GV_NILV;
}

gv_val gv_with_meta(gv_vm *vm, gv_val x, gv_val meta) {
    gv_val *m = meta_slot(x);
    if (!m || x.t == GV_VAR || x.t == GV_ATOM)
        gv_throwf(vm, "ClassCastException", "class %s cannot be cast to class clojure.lang.IObj",
                  gv_type_name(x));
    if (meta.t != GV_NIL && !gv_is_map(meta))
        gv_throwf(vm, "ClassCastException", "class %s cannot be cast to class clojure.lang.IPersistentMap",
                  gv_type_name(meta));
    if (x.t == GV_LAZYSEQ) {
        /* as LazySeq.withMeta: realize first, so the copy and the
         * original never share one thunk */
        gv_val *keep = gv_push(vm, meta);
        gv_val sq = gv_seq(vm, x); /* may collect: allocate after */
        gv_val r = gv_lazyseq_new(vm, GV_NILV);
        GV_AS(gv_lazyseq, r)->seq = sq;
        GV_AS(gv_lazyseq, r)->meta = *keep;
        vm->cur->sp = keep;
        return r;
    }
    gv_obj *o = x.as.o;
    gv_obj *c = gv_alloc(vm, (gv_type)o->type, o->size);
    gv_obj keep = *c;
    memcpy(c, o, o->size);
    c->next = keep.next;
    c->mark = keep.mark;
    c->flags = o->flags & (uint16_t)~GV_F_HASHED;
    gv_val r = gv_mk((gv_type)o->type, c);
    if (x.t == GV_SYMBOL) GV_AS(gv_symbol, r)->base = GV_AS(gv_symbol, x)->base;
    /* a native closure finds its env through data, which must be itself */
    if (x.t == GV_NATIVE && GV_AS(gv_native, x)->data == (void *)o) GV_AS(gv_native, r)->data = c;
    *meta_slot(r) = meta;
    return r;
}
