/* core_coll.c — the collection functions of clojure.core as natives:
 * constructors (vector, hash-map, set, ...), conj/into, the associative
 * operations (assoc, dissoc, get-in, update-in, merge, ...), stacks (peek,
 * pop) and the collection predicates.
 *
 * Everything here is built on the persistent collections' own C API;
 * bulk builds (vec, set, into, hash-map) use the in-place builders
 * (gv_vecb, gv_mapb, gv_setb) and walk their sources with gv_core_each.
 * Errors follow Clojure 1.11: a value of the wrong kind gets the JVM's
 * ClassCastException naming the interface Clojure casts to.
 */
#include "vm.h"

#define CORE "clojure.core"

#define NATIVE(name) static gv_val name(gv_vm *vm, int argc, gv_val *argv, void *data)
#define UNUSED (void)argc; (void)data

/* Throws CLS with a nil message (the JVM's bare `new XException()`). */
static _Noreturn void throw_bare(gv_vm *vm, const char *cls) {
    gv_throw(vm, gv_exception_new(vm, cls, GV_NILV, GV_NILV, GV_NILV));
}

static gv_val with_meta_of(gv_vm *vm, gv_val x, gv_val from) {
    gv_val m = gv_meta(from);
    return m.t == GV_NIL ? x : gv_with_meta(vm, x, m);
}

static bool is_coll(gv_val x) {
    switch (x.t) {
    case GV_LIST: case GV_CONS: case GV_LAZYSEQ: case GV_ARRAYSEQ: case GV_RANGE:
    case GV_VECTOR: case GV_ARRAYMAP: case GV_HASHMAP: case GV_SET:
        return true;
    default: return false;
    }
}

/* Element count of a string in chars. */
static int64_t str_chars(gv_val s) {
    gv_string *str = GV_AS(gv_string, s);
    int64_t c = 0;
    for (uint32_t i = 0; i < str->len; i++)
        if (((unsigned char)str->data[i] & 0xC0) != 0x80) c++;
    return c;
}

/* ---- map conj ------------------------------------------------------------ */

static gv_val entry_part(gv_vm *vm, gv_val e, int which) {
    if (e.t != GV_VECTOR || gv_vec_count(e) != 2) gv_throw_cast(vm, e, "java.util.Map$Entry");
    return gv_vec_nth(e, which);
}

typedef struct mctx {
    gv_mapb b;
} mctx;

static bool mapb_entry_step(gv_vm *vm, gv_val e, void *p) {
    mctx *c = p;
    gv_mapb_assoc(vm, &c->b, entry_part(vm, e, 0), entry_part(vm, e, 1));
    return true;
}

static bool mapb_kv_step(gv_vm *vm, gv_val k, gv_val v, void *p) {
    gv_mapb_assoc(vm, &((mctx *)p)->b, k, v);
    return true;
}

/* Adds X to the map under construction as (conj m x) would: a pair
 * vector, a map (its entries), nil (nothing) or a seqable of entries. */
static void mapb_conj(gv_vm *vm, mctx *c, gv_val x) {
    switch (x.t) {
    case GV_NIL: return;
    case GV_VECTOR:
        if (gv_vec_count(x) != 2)
            gv_throwf(vm, "IllegalArgumentException", "Vector arg to map conj must be a pair");
        gv_mapb_assoc(vm, &c->b, gv_vec_nth(x, 0), gv_vec_nth(x, 1));
        return;
    case GV_ARRAYMAP: case GV_HASHMAP:
        gv_map_each(vm, x, mapb_kv_step, c);
        return;
    default:
        gv_core_each(vm, x, mapb_entry_step, c);
        return;
    }
}

static gv_val map_conj(gv_vm *vm, gv_val m, gv_val x) {
    if (x.t == GV_VECTOR) {
        if (gv_vec_count(x) != 2)
            gv_throwf(vm, "IllegalArgumentException", "Vector arg to map conj must be a pair");
        return gv_map_assoc(vm, m, gv_vec_nth(x, 0), gv_vec_nth(x, 1));
    }
    if (x.t == GV_NIL) return m;
    mctx c;
    gv_mapb_init(vm, &c.b, m);
    mapb_conj(vm, &c, x);
    return gv_mapb_done(vm, &c.b);
}

/* Clojure's conj of one value, with its errors. */
static gv_val conj1(gv_vm *vm, gv_val coll, gv_val x) {
    switch (coll.t) {
    case GV_ARRAYMAP: case GV_HASHMAP: return map_conj(vm, coll, x);
    case GV_NIL: case GV_LIST: case GV_CONS: case GV_LAZYSEQ: case GV_ARRAYSEQ:
    case GV_RANGE: case GV_VECTOR: case GV_SET:
        return gv_conj(vm, coll, x);
    default: gv_throw_cast(vm, coll, "clojure.lang.IPersistentCollection");
    }
}

NATIVE(n_conj) {
    (void)data;
    if (argc == 0) return gv_vec_empty(vm);
    gv_val acc = argv[0];
    if (argc == 1) return acc;
    gv_val *accs = gv_push(vm, acc);
    gv_val *mark = vm->cur->sp;
    for (int i = 1; i < argc; i++) {
        vm->cur->sp = mark;
        *accs = conj1(vm, *accs, argv[i]);
    }
    return *accs;
}

/* ---- constructors -------------------------------------------------------- */

NATIVE(n_vector) { UNUSED; return gv_vec_from(vm, argc, argv); }

static bool vecb_step(gv_vm *vm, gv_val x, void *p) {
    gv_vecb_add(vm, p, x);
    return true;
}

static gv_val vec_of(gv_vm *vm, gv_val coll) {
    gv_vecb b;
    gv_vecb_init(vm, &b);
    gv_core_each(vm, coll, vecb_step, &b);
    return gv_vecb_done(vm, &b);
}

NATIVE(n_vec) {
    UNUSED;
    gv_val x = argv[0];
    if (x.t == GV_VECTOR) return gv_meta(x).t == GV_NIL ? x : gv_with_meta(vm, x, GV_NILV);
    if (!gv_is_seqable(x))
        gv_throwf(vm, "RuntimeException", "Unable to convert: class %s to Object[]", gv_type_name(x));
    argv[0] = GV_NILV; /* do not hold the head of a lazy source */
    return vec_of(vm, x);
}

static _Noreturn void no_value(gv_vm *vm, gv_val k) {
    gv_val s = gv_str_of(vm, k);
    gv_throwf(vm, "IllegalArgumentException", "No value supplied for key: %s",
              GV_AS(gv_string, s)->data);
}

NATIVE(n_hash_map) {
    (void)data;
    if (argc % 2) no_value(vm, argv[argc - 1]);
    gv_mapb b;
    gv_mapb_init(vm, &b, gv_hashmap_empty(vm));
    for (int i = 0; i < argc; i += 2) gv_mapb_assoc(vm, &b, argv[i], argv[i + 1]);
    return gv_mapb_done(vm, &b);
}

NATIVE(n_array_map) {
    (void)data;
    if (argc % 2) no_value(vm, argv[argc - 1]);
    return gv_map_from(vm, argc / 2, argv);
}

NATIVE(n_hash_set) {
    (void)data;
    gv_setb b;
    gv_setb_init(vm, &b, gv_set_empty(vm));
    for (int i = 0; i < argc; i++) gv_setb_add(vm, &b, argv[i]);
    return gv_setb_done(vm, &b);
}

static bool setb_step(gv_vm *vm, gv_val x, void *p) {
    gv_setb_add(vm, p, x);
    return true;
}

NATIVE(n_set) {
    UNUSED;
    gv_val x = argv[0];
    if (x.t == GV_SET) return gv_meta(x).t == GV_NIL ? x : gv_with_meta(vm, x, GV_NILV);
    gv_setb b;
    argv[0] = GV_NILV; /* do not hold the head of a lazy source */
    gv_setb_init(vm, &b, gv_set_empty(vm));
    gv_core_each(vm, x, setb_step, &b);
    return gv_setb_done(vm, &b);
}

static gv_val core_fn(gv_vm *vm, const char *name) {
    gv_var *v = gv_ns_resolve(vm, vm->core_ns, gv_sym(vm, name));
    if (!v) gv_throwf(vm, "IllegalStateException", "clojure.core/%s is not defined", name);
    return gv_var_get(vm, v);
}

/* ---- into ---------------------------------------------------------------- */

static bool vconj_step(gv_vm *vm, gv_val x, void *p) {
    gv_val *acc = p;
    *acc = gv_vec_conj(vm, *acc, x);
    return true;
}

static bool mapconj_step(gv_vm *vm, gv_val x, void *p) {
    mapb_conj(vm, p, x);
    return true;
}

static bool conj_step(gv_vm *vm, gv_val x, void *p) {
    gv_val *acc = p;
    *acc = conj1(vm, *acc, x);
    return true;
}

static gv_val into(gv_vm *vm, gv_val to, gv_val from) {
    switch (to.t) {
    case GV_VECTOR:
        if (gv_vec_count(to) == 0) return with_meta_of(vm, vec_of(vm, from), to);
        {
            gv_val *acc = gv_push(vm, to);
            gv_core_each(vm, from, vconj_step, acc);
            return *acc;
        }
    case GV_ARRAYMAP: case GV_HASHMAP: {
        mctx c;
        gv_mapb_init(vm, &c.b, to);
        gv_core_each(vm, from, mapconj_step, &c);
        return gv_mapb_done(vm, &c.b);
    }
    case GV_SET: {
        gv_setb b;
        gv_setb_init(vm, &b, to);
        gv_core_each(vm, from, setb_step, &b);
        return gv_setb_done(vm, &b);
    }
    default: {
        gv_val *acc = gv_push(vm, to);
        gv_core_each(vm, from, conj_step, acc);
        return *acc;
    }
    }
}

NATIVE(n_into) {
    (void)data;
    if (argc == 0) return gv_vec_empty(vm);
    if (argc == 1) return argv[0];
    if (argc == 3) {
        /* (transduce xform conj to from), keeping to's metadata */
        gv_val args[4] = {argv[1], core_fn(vm, "conj"), argv[0], argv[2]};
        gv_val r = gv_call(vm, core_fn(vm, "transduce"), 4, args);
        return with_meta_of(vm, r, argv[0]);
    }
    gv_val from = argv[1];
    argv[1] = GV_NILV; /* do not hold the head of a lazy source */
    return into(vm, argv[0], from);
}

/* ---- assoc / dissoc / disj ----------------------------------------------- */

static gv_val assoc1(gv_vm *vm, gv_val coll, gv_val k, gv_val v) {
    switch (coll.t) {
    case GV_NIL: return gv_map_assoc(vm, gv_map_empty(vm), k, v);
    case GV_ARRAYMAP: case GV_HASHMAP: return gv_map_assoc(vm, coll, k, v);
    case GV_VECTOR: {
        if (k.t != GV_LONG) gv_throwf(vm, "IllegalArgumentException", "Key must be integer");
        int64_t n = gv_vec_count(coll);
        if (k.as.i < 0 || k.as.i > n) throw_bare(vm, "IndexOutOfBoundsException");
        return gv_vec_assoc(vm, coll, k.as.i, v);
    }
    default: gv_throw_cast(vm, coll, "clojure.lang.Associative");
    }
}

NATIVE(n_assoc) {
    (void)data;
    if ((argc - 1) % 2)
        gv_throwf(vm, "IllegalArgumentException",
                  "assoc expects even number of arguments after map/vector, found odd number");
    gv_val acc = argv[0];
    for (int i = 1; i < argc; i += 2) acc = assoc1(vm, acc, argv[i], argv[i + 1]);
    return acc;
}

NATIVE(n_dissoc) {
    (void)data;
    gv_val acc = argv[0];
    if (argc == 1 || acc.t == GV_NIL) return acc;
    if (!gv_is_map(acc)) gv_throw_cast(vm, acc, "clojure.lang.IPersistentMap");
    for (int i = 1; i < argc; i++) acc = gv_map_dissoc(vm, acc, argv[i]);
    return acc;
}

NATIVE(n_disj) {
    (void)data;
    gv_val acc = argv[0];
    if (argc == 1 || acc.t == GV_NIL) return acc;
    if (acc.t != GV_SET) gv_throw_cast(vm, acc, "clojure.lang.IPersistentSet");
    for (int i = 1; i < argc; i++) acc = gv_set_disj(vm, acc, argv[i]);
    return acc;
}

/* ---- lookup -------------------------------------------------------------- */

NATIVE(n_get) {
    (void)data;
    return gv_get(vm, argv[0], argv[1], argc == 3 ? argv[2] : GV_NILV);
}

/* A fresh object no user value is identical to. */
static gv_val sentinel_new(gv_vm *vm) {
    gv_reduced *r = gv_alloc(vm, GV_REDUCED, sizeof *r);
    return gv_mk(GV_REDUCED, r);
}

NATIVE(n_get_in) {
    (void)data;
    gv_val *sent = gv_push(vm, argc == 3 ? sentinel_new(vm) : GV_NILV);
    gv_val *m = gv_push(vm, argv[0]);
    gv_val *s = gv_push(vm, gv_seq(vm, argv[1]));
    gv_val *mark = vm->cur->sp;
    while (s->t != GV_NIL) {
        vm->cur->sp = mark;
        *m = gv_get(vm, *m, gv_first(vm, *s), *sent);
        if (argc == 3 && gv_identical(*m, *sent)) return argv[2];
        *s = gv_next(vm, *s);
    }
    return *m;
}

static bool collect_step(gv_vm *vm, gv_val x, void *p) {
    gv_vecb_add(vm, p, x);
    return true;
}

/* The keys of path KS as a vector; [nil] when KS is empty (Clojure's
 * [k & ks] destructuring of an empty path). */
static gv_val path_keys(gv_vm *vm, gv_val ks) {
    gv_vecb b;
    gv_vecb_init(vm, &b);
    gv_core_each(vm, ks, collect_step, &b);
    gv_val v = gv_vecb_done(vm, &b);
    if (gv_vec_count(v) == 0) v = gv_vec_conj(vm, v, GV_NILV);
    return v;
}

/* The maps along path K from M: slot i holds the value at K[0..i). */
static gv_vnode *path_maps(gv_vm *vm, gv_val m, gv_val keys) {
    int64_t n = gv_vec_count(keys);
    gv_vnode *a = gv_alloc(vm, GV_VNODE, sizeof(gv_vnode) + (size_t)n * sizeof(gv_val));
    a->n = (uint32_t)n;
    a->a[0] = m;
    for (int64_t i = 1; i < n; i++) a->a[i] = gv_get(vm, a->a[i - 1], gv_vec_nth(keys, i - 1), GV_NILV);
    return a;
}

/* Rebuilds the path bottom-up with V at its end. */
static gv_val path_assoc(gv_vm *vm, gv_vnode *maps, gv_val keys, gv_val v) {
    for (int64_t i = gv_vec_count(keys) - 1; i >= 0; i--)
        v = assoc1(vm, maps->a[i], gv_vec_nth(keys, i), v);
    return v;
}

NATIVE(n_assoc_in) {
    UNUSED;
    gv_val keys = path_keys(vm, argv[1]);
    return path_assoc(vm, path_maps(vm, argv[0], keys), keys, argv[2]);
}

/* (apply f x args) where ARGS are the ARGC values at ARGV. */
static gv_val call_with(gv_vm *vm, gv_val f, gv_val x, int argc, gv_val *argv) {
    gv_vnode *a = gv_alloc(vm, GV_VNODE, sizeof(gv_vnode) + (size_t)(argc + 1) * sizeof(gv_val));
    a->n = (uint32_t)argc + 1;
    a->a[0] = x;
    memcpy(a->a + 1, argv, (size_t)argc * sizeof(gv_val));
    return gv_call(vm, f, argc + 1, a->a);
}

NATIVE(n_update) {
    (void)data;
    gv_val v = gv_get(vm, argv[0], argv[1], GV_NILV);
    gv_val r = call_with(vm, argv[2], v, argc - 3, argv + 3);
    return assoc1(vm, argv[0], argv[1], r);
}

NATIVE(n_update_in) {
    (void)data;
    gv_val *keys = gv_push(vm, path_keys(vm, argv[1]));
    gv_vnode *maps = path_maps(vm, argv[0], *keys);
    gv_val *ms = gv_push(vm, gv_mk(GV_VNODE, maps));
    int64_t n = gv_vec_count(*keys);
    gv_val old = gv_get(vm, maps->a[n - 1], gv_vec_nth(*keys, n - 1), GV_NILV);
    gv_val r = call_with(vm, argv[2], old, argc - 3, argv + 3);
    return path_assoc(vm, GV_AS(gv_vnode, *ms), *keys, r);
}

/* ---- merge --------------------------------------------------------------- */

static bool any_truthy(int argc, gv_val *argv) {
    for (int i = 0; i < argc; i++) if (gv_truthy(argv[i])) return true;
    return false;
}

NATIVE(n_merge) {
    (void)data;
    if (!any_truthy(argc, argv)) return GV_NILV;
    gv_val *acc = gv_push(vm, argv[0]);
    gv_val *mark = vm->cur->sp;
    for (int i = 1; i < argc; i++) {
        vm->cur->sp = mark;
        if (!gv_truthy(*acc)) *acc = gv_map_empty(vm);
        *acc = conj1(vm, *acc, argv[i]);
    }
    return *acc;
}

typedef struct mwctx {
    gv_val *f, *acc;
} mwctx;

static bool merge_with_step(gv_vm *vm, gv_val e, void *p) {
    mwctx *c = p;
    gv_val k = entry_part(vm, e, 0), v = entry_part(vm, e, 1);
    gv_val acc = *c->acc;
    if (gv_is_map(acc) ? gv_map_contains(vm, acc, k) : false) {
        gv_val r = gv_call2(vm, *c->f, gv_get(vm, acc, k, GV_NILV), v);
        *c->acc = assoc1(vm, *c->acc, entry_part(vm, e, 0), r);
    } else {
        *c->acc = assoc1(vm, acc, k, v);
    }
    return true;
}

NATIVE(n_merge_with) {
    (void)data;
    if (!any_truthy(argc - 1, argv + 1)) return GV_NILV;
    mwctx c = {&argv[0], gv_push(vm, argv[1])};
    for (int i = 2; i < argc; i++) {
        if (!gv_truthy(*c.acc)) *c.acc = gv_map_empty(vm);
        gv_core_each(vm, argv[i], merge_with_step, &c);
    }
    return *c.acc;
}

/* ---- find, contains?, select-keys ---------------------------------------- */

typedef struct fkctx {
    gv_val k, found;
} fkctx;

static bool find_key_step(gv_vm *vm, gv_val k, gv_val v, void *p) {
    (void)v;
    fkctx *c = p;
    if (gv_equiv(vm, k, c->k)) {
        c->found = k;
        return false;
    }
    return true;
}

/* RT.find: the entry [k v] of COLL for K, or nil. */
static gv_val find_entry(gv_vm *vm, gv_val coll, gv_val k) {
    switch (coll.t) {
    case GV_NIL: return GV_NILV;
    case GV_ARRAYMAP: case GV_HASHMAP: {
        if (!gv_map_contains(vm, coll, k)) return GV_NILV;
        gv_val v = gv_map_get(vm, coll, k, GV_NILV);
        gv_val key = k;
        if (GV_IS_OBJ(k) && k.t != GV_KEYWORD && k.t != GV_SYMBOL && k.t != GV_STRING) {
            /* return the key as stored, e.g. [1 2] for a lookup by '(1 2) */
            fkctx c = {k, k};
            gv_map_each(vm, coll, find_key_step, &c);
            key = c.found;
        }
        return gv_map_entry(vm, key, v);
    }
    case GV_VECTOR:
        if (k.t == GV_LONG && k.as.i >= 0 && k.as.i < gv_vec_count(coll))
            return gv_map_entry(vm, k, gv_vec_nth(coll, k.as.i));
        return GV_NILV;
    default:
        gv_throwf(vm, "IllegalArgumentException", "find not supported on type: %s", gv_type_name(coll));
    }
}

NATIVE(n_find) { UNUSED; return find_entry(vm, argv[0], argv[1]); }

NATIVE(n_contains_p) {
    UNUSED;
    gv_val c = argv[0], k = argv[1];
    switch (c.t) {
    case GV_NIL: return GV_FALSEV;
    case GV_ARRAYMAP: case GV_HASHMAP: return gv_b(gv_map_contains(vm, c, k));
    case GV_SET: return gv_b(gv_set_contains(vm, c, k));
    case GV_VECTOR: return gv_b(k.t == GV_LONG && k.as.i >= 0 && k.as.i < gv_vec_count(c));
    case GV_STRING: return gv_b(k.t == GV_LONG && k.as.i >= 0 && k.as.i < str_chars(c));
    default:
        gv_throwf(vm, "IllegalArgumentException", "contains? not supported on type: %s",
                  gv_type_name(c));
    }
}

typedef struct skctx {
    gv_val *map, *ret;
} skctx;

static bool select_keys_step(gv_vm *vm, gv_val k, void *p) {
    skctx *c = p;
    gv_val e = find_entry(vm, *c->map, k);
    if (e.t != GV_NIL) *c->ret = gv_map_assoc(vm, *c->ret, gv_vec_nth(e, 0), gv_vec_nth(e, 1));
    return true;
}

NATIVE(n_select_keys) {
    UNUSED;
    skctx c = {&argv[0], gv_push(vm, gv_map_empty(vm))};
    gv_core_each(vm, argv[1], select_keys_step, &c);
    return with_meta_of(vm, *c.ret, argv[0]);
}

NATIVE(n_key) { UNUSED; return entry_part(vm, argv[0], 0); }
NATIVE(n_val) { UNUSED; return entry_part(vm, argv[0], 1); }

/* ---- stacks, subvec, empty ------------------------------------------------ */

NATIVE(n_peek) {
    UNUSED;
    gv_val c = argv[0];
    switch (c.t) {
    case GV_NIL: return GV_NILV;
    case GV_VECTOR: {
        int64_t n = gv_vec_count(c);
        return n ? gv_vec_nth(c, n - 1) : GV_NILV;
    }
    case GV_LIST: return GV_AS(gv_list, c)->count ? GV_AS(gv_list, c)->first : GV_NILV;
    default: gv_throw_cast(vm, c, "clojure.lang.IPersistentStack");
    }
}

NATIVE(n_pop) {
    UNUSED;
    gv_val c = argv[0];
    switch (c.t) {
    case GV_NIL: return GV_NILV;
    case GV_VECTOR:
        if (gv_vec_count(c) == 0) gv_throwf(vm, "IllegalStateException", "Can't pop empty vector");
        return gv_vec_pop(vm, c);
    case GV_LIST: {
        gv_list *l = GV_AS(gv_list, c);
        if (l->count == 0) gv_throwf(vm, "IllegalStateException", "Can't pop empty list");
        if (l->count == 1 && l->meta.t != GV_NIL) return gv_with_meta(vm, vm->empty_list, l->meta);
        return l->rest;
    }
    default: gv_throw_cast(vm, c, "clojure.lang.IPersistentStack");
    }
}

static int64_t int_arg(gv_vm *vm, gv_val v) {
    if (v.t == GV_LONG) return v.as.i;
    if (v.t == GV_DOUBLE) {
        double d = v.as.d;
        if (!(d > -9.2e18 && d < 9.2e18)) return d > 0 ? INT64_MAX : INT64_MIN;
        return (int64_t)d;
    }
    gv_throw_cast(vm, v, "java.lang.Number");
}

NATIVE(n_subvec) {
    (void)data;
    gv_val v = argv[0];
    if (v.t != GV_VECTOR) gv_throw_cast(vm, v, "clojure.lang.IPersistentVector");
    int64_t n = gv_vec_count(v);
    int64_t start = int_arg(vm, argv[1]);
    int64_t end = argc == 3 ? int_arg(vm, argv[2]) : n;
    if (end < start || start < 0 || end > n) throw_bare(vm, "IndexOutOfBoundsException");
    if (start == 0 && end == n && gv_meta(v).t == GV_NIL) return v;
    gv_vecb b;
    gv_vecb_init(vm, &b);
    for (int64_t i = start; i < end; i++) gv_vecb_add(vm, &b, gv_vec_nth(v, i));
    return with_meta_of(vm, gv_vecb_done(vm, &b), v);
}

NATIVE(n_empty) {
    UNUSED;
    gv_val c = argv[0];
    switch (c.t) {
    case GV_VECTOR: return with_meta_of(vm, gv_vec_empty(vm), c);
    case GV_ARRAYMAP: return with_meta_of(vm, gv_map_empty(vm), c);
    case GV_HASHMAP: return with_meta_of(vm, gv_hashmap_empty(vm), c);
    case GV_SET: return with_meta_of(vm, gv_set_empty(vm), c);
    case GV_LIST: return with_meta_of(vm, vm->empty_list, c);
    case GV_CONS: case GV_LAZYSEQ: case GV_ARRAYSEQ: case GV_RANGE: return vm->empty_list;
    default: return GV_NILV;
    }
}

/* ---- predicates ----------------------------------------------------------- */

NATIVE(n_list_p) { (void)vm; UNUSED; return gv_b(argv[0].t == GV_LIST); }
NATIVE(n_vector_p) { (void)vm; UNUSED; return gv_b(argv[0].t == GV_VECTOR); }
NATIVE(n_map_p) { (void)vm; UNUSED; return gv_b(gv_is_map(argv[0])); }
NATIVE(n_set_p) { (void)vm; UNUSED; return gv_b(argv[0].t == GV_SET); }
NATIVE(n_coll_p) { (void)vm; UNUSED; return gv_b(is_coll(argv[0])); }
NATIVE(n_sorted_p) { (void)vm; (void)argv; UNUSED; return GV_FALSEV; }

NATIVE(n_associative_p) {
    (void)vm; UNUSED;
    return gv_b(argv[0].t == GV_VECTOR || gv_is_map(argv[0]));
}

NATIVE(n_counted_p) {
    (void)vm; UNUSED;
    switch (argv[0].t) {
    case GV_LIST: case GV_VECTOR: case GV_ARRAYMAP: case GV_HASHMAP: case GV_SET:
    case GV_ARRAYSEQ:
        return GV_TRUEV;
    case GV_RANGE: return gv_b(!GV_AS(gv_range, argv[0])->infinite);
    default: return GV_FALSEV;
    }
}

/* grove's map entries are 2-element vectors (see gv_map_entry), so every
 * such vector counts as one. */
NATIVE(n_map_entry_p) {
    (void)vm; UNUSED;
    return gv_b(argv[0].t == GV_VECTOR && gv_vec_count(argv[0]) == 2);
}

/* ---- registration --------------------------------------------------------- */

void gv_core_init_coll(gv_vm *vm) {
    static const struct {
        const char *name;
        gv_cfn fn;
        int min, max;
    } defs[] = {
        {"vector", n_vector, 0, -1},
        {"vec", n_vec, 1, 1},
        {"hash-map", n_hash_map, 0, -1},
        {"array-map", n_array_map, 0, -1},
        {"hash-set", n_hash_set, 0, -1},
        {"set", n_set, 1, 1},
        {"conj", n_conj, 0, -1},
        {"into", n_into, 0, 3},
        {"assoc", n_assoc, 3, -1},
        {"dissoc", n_dissoc, 1, -1},
        {"disj", n_disj, 1, -1},
        {"get", n_get, 2, 3},
        {"get-in", n_get_in, 2, 3},
        {"assoc-in", n_assoc_in, 3, 3},
        {"update", n_update, 3, -1},
        {"update-in", n_update_in, 3, -1},
        {"merge", n_merge, 0, -1},
        {"merge-with", n_merge_with, 1, -1},
        {"select-keys", n_select_keys, 2, 2},
        {"contains?", n_contains_p, 2, 2},
        {"find", n_find, 2, 2},
        {"key", n_key, 1, 1},
        {"val", n_val, 1, 1},
        {"peek", n_peek, 1, 1},
        {"pop", n_pop, 1, 1},
        {"subvec", n_subvec, 2, 3},
        {"empty", n_empty, 1, 1},
        {"list?", n_list_p, 1, 1},
        {"vector?", n_vector_p, 1, 1},
        {"map?", n_map_p, 1, 1},
        {"set?", n_set_p, 1, 1},
        {"coll?", n_coll_p, 1, 1},
        {"sorted?", n_sorted_p, 1, 1},
        {"associative?", n_associative_p, 1, 1},
        {"counted?", n_counted_p, 1, 1},
        {"map-entry?", n_map_entry_p, 1, 1},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        gv_defn_native(vm, CORE, defs[i].name, defs[i].fn, defs[i].min, defs[i].max);
}
