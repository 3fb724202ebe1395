/* set.c — persistent hash sets.
 *
 * A set (GV_SET) wraps a HAMT map (GV_HASHMAP, see hashmap.c) whose keys
 * are the elements, each mapped to itself.  Sets are always hash-ordered,
 * like Clojure's PersistentHashSet (there is no small "array set"), so
 * their iteration order is the map's: nil first, then by hash chunks.
 * Adding an element equal to one already present keeps the old one.
 */
#include "vm.h"

static gv_val set_make(gv_vm *vm, gv_val meta, gv_val map) {
    gv_set *s = gv_alloc(vm, GV_SET, sizeof *s);
    s->meta = meta;
    s->map = map;
    return gv_mk(GV_SET, s);
}

gv_val gv_set_empty(gv_vm *vm) {
    if (vm->empty_set.t == GV_SET) return vm->empty_set;
    return set_make(vm, GV_NILV, gv_hashmap_empty(vm));
}

gv_val gv_set_conj(gv_vm *vm, gv_val s, gv_val x) {
    gv_set *set = GV_AS(gv_set, s);
    gv_val m = gv_hashmap_put_new(vm, set->map, x, x);
    if (gv_identical(m, set->map)) return s;
    return set_make(vm, set->meta, m);
}

gv_val gv_set_disj(gv_vm *vm, gv_val s, gv_val x) {
    gv_set *set = GV_AS(gv_set, s);
    gv_val m = gv_map_dissoc(vm, set->map, x);
    if (gv_identical(m, set->map)) return s;
    return set_make(vm, set->meta, m);
}

bool gv_set_contains(gv_vm *vm, gv_val s, gv_val x) {
    return gv_map_contains(vm, GV_AS(gv_set, s)->map, x);
}

int64_t gv_set_count(gv_val s) {
    return gv_map_count(GV_AS(gv_set, s)->map);
}

void gv_setb_init(gv_vm *vm, gv_setb *b, gv_val s) {
    b->set = gv_push(vm, s.t == GV_SET ? s : gv_set_empty(vm));
    gv_mapb_init(vm, &b->m, GV_AS(gv_set, *b->set)->map);
}

void gv_setb_add(gv_vm *vm, gv_setb *b, gv_val x) {
    gv_mapb_put_new(vm, &b->m, x, x);
}

gv_val gv_setb_done(gv_vm *vm, gv_setb *b) {
    gv_val m = gv_mapb_done(vm, &b->m);
    gv_set *s = GV_AS(gv_set, *b->set);
    gv_val r = gv_identical(m, s->map) ? *b->set : set_make(vm, s->meta, m);
    *b->set = GV_NILV;
    return r;
}

typedef struct each_ctx {
    gv_set_each_fn fn;
    void *ctx;
} each_ctx;

static bool each_key(gv_vm *vm, gv_val k, gv_val v, void *ctx) {
    (void)v;
    each_ctx *c = ctx;
    return c->fn(vm, k, c->ctx);
}

void gv_set_each(gv_vm *vm, gv_val s, gv_set_each_fn fn, void *ctx) {
    each_ctx c = {fn, ctx};
    gv_map_each(vm, GV_AS(gv_set, s)->map, each_key, &c);
}

static bool fill_key(gv_vm *vm, gv_val x, void *ctx) {
    (void)vm;
    gv_vnode *arr = ctx;
    arr->a[arr->n++] = x;
    return true;
}

gv_val gv_set_seq(gv_vm *vm, gv_val s) {
    int64_t n = gv_set_count(s);
    if (n == 0) return GV_NILV;
    gv_vnode *arr = gv_alloc(vm, GV_VNODE, sizeof(gv_vnode) + (size_t)n * sizeof(gv_val));
    gv_set_each(vm, s, fill_key, arr);
    return gv_arrayseq_new(vm, gv_mk(GV_VNODE, arr), 0, n);
}
