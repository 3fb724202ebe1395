/* vector.c — persistent vectors (Clojure's PersistentVector design).
 *
 * A vector is a 32-way trie of GV_VNODE nodes plus a tail node holding the
 * last 1..32 values, so conj and pop touch the trie only once every 32
 * operations.  Updates copy the path from the root to the changed leaf
 * and share everything else.  Leaves are always full (32 values); inner
 * nodes fill left to right, so `n` (the slots in use, which the GC
 * traces) is also the index of the first free slot.
 *
 * Trie nodes made by a persistent operation are sized exactly.  Tails
 * may have spare room (h.flags holds a vnode's capacity when vector.c
 * knows it, else 0): conj writes slot i of a shared tail in place when
 * no other vector has claimed it yet (tail->n == i), which is safe
 * because each vector reads only its own count - tailoff slots.  So a
 * tail's `n` may exceed what a given vector holds; code must go by
 * count (and a tail may keep alive a few values no live vector holds).  The builder (gv_vecb_*) owns every node of the vector it is
 * making (it always starts from nothing), gives them room for 32 slots
 * and fills them in place; once frozen, the vector is like any other.
 */
#include "vm.h"

#define VBITS 5
#define VWIDTH 32
#define VMASK 31

/* A node with room for CAP slots, none in use.  Owner: the GC. */
static gv_vnode *vnode_new(gv_vm *vm, uint32_t cap) {
    gv_vnode *n = gv_alloc(vm, GV_VNODE, sizeof(gv_vnode) + cap * sizeof(gv_val));
    n->h.flags = (uint16_t)cap;
    return n;
}

/* A copy of SRC with room for CAP >= the slots copied; N slots in use. */
static gv_vnode *vnode_copy(gv_vm *vm, const gv_vnode *src, uint32_t cap, uint32_t n) {
    gv_vnode *d = vnode_new(vm, cap);
    uint32_t m = src->n < n ? src->n : n;
    memcpy(d->a, src->a, m * sizeof(gv_val)); /* slots >= m stay nil */
    d->n = n;
    return d;
}

static inline gv_vnode *child(gv_val v) { return GV_AS(gv_vnode, v); }
static inline gv_val nodeval(gv_vnode *n) { return gv_mk(GV_VNODE, n); }

static inline uint32_t tailoff(const gv_vector *v) {
    return v->count < VWIDTH ? 0 : ((v->count - 1) >> VBITS) << VBITS;
}

/* The immutable, empty root shared by small vectors: the cached empty
 * vector's, or a fresh one while the VM is being built. */
static gv_vnode *empty_root(gv_vm *vm) {
    if (vm->empty_vec.t == GV_VECTOR) return GV_AS(gv_vector, vm->empty_vec)->root;
    return vnode_new(vm, 0);
}

static gv_vector *vec_alloc(gv_vm *vm) {
    gv_vector *v = gv_alloc(vm, GV_VECTOR, sizeof *v);
    v->meta = GV_NILV;
    v->shift = VBITS;
    return v;
}

/* The empty vector carrying META (the cached one when META is nil). */
static gv_val vec_empty_meta(gv_vm *vm, gv_val meta) {
    if (gv_is_nil(meta) && vm->empty_vec.t == GV_VECTOR) return vm->empty_vec;
    gv_vector *v = vec_alloc(vm);
    v->meta = meta;
    v->root = empty_root(vm);
    v->tail = vnode_new(vm, 0);
    return gv_mk(GV_VECTOR, v);
}

gv_val gv_vec_empty(gv_vm *vm) {
    return vec_empty_meta(vm, GV_NILV);
}

gv_val gv_map_entry(gv_vm *vm, gv_val k, gv_val val) {
    gv_vector *v = vec_alloc(vm);
    v->root = empty_root(vm);
    v->tail = vnode_new(vm, 2);
    v->tail->a[0] = k;
    v->tail->a[1] = val;
    v->tail->n = 2;
    v->count = 2;
    return gv_mk(GV_VECTOR, v);
}

/* The leaf (or tail) holding index I < count. */
static inline const gv_vnode *leaf_for(const gv_vector *v, uint32_t i) {
    if (i >= tailoff(v)) return v->tail;
    const gv_vnode *n = v->root;
    for (uint32_t level = v->shift; level > 0; level -= VBITS)
        n = child(n->a[(i >> level) & VMASK]);
    return n;
}

gv_val gv_vec_nth(gv_val vec, int64_t i) {
    const gv_vector *v = GV_AS(gv_vector, vec);
    return leaf_for(v, (uint32_t)i)->a[i & VMASK];
}

/* ---- conj ---------------------------------------------------------- */

/* A chain of single-child nodes from LEVEL down to the leaf NODE. */
static gv_vnode *new_path(gv_vm *vm, uint32_t level, gv_vnode *node, uint32_t cap) {
    while (level > 0) {
        gv_vnode *p = vnode_new(vm, cap);
        p->a[0] = nodeval(node);
        p->n = 1;
        node = p;
        level -= VBITS;
    }
    return node;
}

/* Copy of PARENT (at LEVEL) with the full leaf TAILNODE appended at the
 * position of index CNT - 1, CNT being the count before the conj. */
static gv_vnode *push_tail(gv_vm *vm, uint32_t cnt, uint32_t level,
                           const gv_vnode *parent, gv_vnode *tailnode) {
    uint32_t sub = ((cnt - 1) >> level) & VMASK;
    uint32_t n = parent->n > sub + 1 ? parent->n : sub + 1;
    gv_vnode *ret = vnode_copy(vm, parent, n, n);
    gv_vnode *ins;
    if (level == VBITS)
        ins = tailnode;
    else if (sub < parent->n)
        ins = push_tail(vm, cnt, level - VBITS, child(parent->a[sub]), tailnode);
    else
        ins = new_path(vm, level - VBITS, tailnode, 1);
    ret->a[sub] = nodeval(ins);
    return ret;
}

gv_val gv_vec_conj(gv_vm *vm, gv_val vec, gv_val x) {
    const gv_vector *v = GV_AS(gv_vector, vec);
    if (v->count == UINT32_MAX)
        gv_throwf(vm, "IllegalStateException", "Vector too large");
    gv_vector *r = vec_alloc(vm);
    r->meta = v->meta;
    r->count = v->count + 1;
    uint32_t tn = v->count - tailoff(v);
    if (tn < VWIDTH) {
        r->root = v->root;
        r->shift = v->shift;
        gv_vnode *t = v->tail;
        if (t->n == tn && t->h.flags > tn) {
            /* Slot tn is unclaimed: append in place, share the tail. */
            t->a[tn] = x;
            t->n = tn + 1;
            r->tail = t;
        } else {
            /* Room to grow: 4, 8, 16, 32 slots; 32 once the trie is used. */
            uint32_t cap = 4;
            while (cap < tn + 1) cap *= 2;
            if (v->count >= VWIDTH || cap > VWIDTH) cap = VWIDTH;
            r->tail = vnode_copy(vm, t, cap, tn + 1);
            r->tail->a[tn] = x;
        }
        return gv_mk(GV_VECTOR, r);
    }
    /* The tail is full: it moves into the trie and a new tail starts. */
    gv_vnode *tailnode = v->tail;
    if ((v->count >> VBITS) > (1u << v->shift)) {
        gv_vnode *root = vnode_new(vm, 2);
        root->a[0] = nodeval(v->root);
        root->a[1] = nodeval(new_path(vm, v->shift, tailnode, 1));
        root->n = 2;
        r->root = root;
        r->shift = v->shift + VBITS;
    } else {
        r->root = push_tail(vm, v->count, v->shift, v->root, tailnode);
        r->shift = v->shift;
    }
    r->tail = vnode_new(vm, VWIDTH);
    r->tail->a[0] = x;
    r->tail->n = 1;
    return gv_mk(GV_VECTOR, r);
}

/* ---- assoc --------------------------------------------------------- */

static gv_vnode *do_assoc(gv_vm *vm, uint32_t level, const gv_vnode *node,
                          uint32_t i, gv_val x) {
    gv_vnode *ret = vnode_copy(vm, node, node->n, node->n);
    if (level == 0) {
        ret->a[i & VMASK] = x;
    } else {
        uint32_t sub = (i >> level) & VMASK;
        ret->a[sub] = nodeval(do_assoc(vm, level - VBITS, child(node->a[sub]), i, x));
    }
    return ret;
}

gv_val gv_vec_assoc(gv_vm *vm, gv_val vec, int64_t i, gv_val x) {
    const gv_vector *v = GV_AS(gv_vector, vec);
    if (i == v->count) return gv_vec_conj(vm, vec, x);
    if (i < 0 || i > v->count)
        gv_throw(vm, gv_exception_new(vm, "IndexOutOfBoundsException", GV_NILV,
                                      GV_NILV, GV_NILV));
    gv_vector *r = vec_alloc(vm);
    *r = (gv_vector){.h = r->h, .meta = v->meta, .count = v->count,
                     .shift = v->shift, .root = v->root, .tail = v->tail};
    uint32_t ui = (uint32_t)i;
    uint32_t off = tailoff(v);
    if (ui >= off) {
        r->tail = vnode_copy(vm, v->tail, v->count - off, v->count - off);
        r->tail->a[ui & VMASK] = x;
    } else {
        r->root = do_assoc(vm, v->shift, v->root, ui, x);
    }
    return gv_mk(GV_VECTOR, r);
}

/* ---- pop ----------------------------------------------------------- */

/* Copy of NODE (at LEVEL) without its rightmost leaf, CNT being the count
 * before the pop; NULL when nothing is left. */
static gv_vnode *pop_tail(gv_vm *vm, uint32_t cnt, uint32_t level, const gv_vnode *node) {
    uint32_t sub = ((cnt - 2) >> level) & VMASK;
    if (level > VBITS) {
        gv_vnode *nc = pop_tail(vm, cnt, level - VBITS, child(node->a[sub]));
        if (!nc && sub == 0) return NULL;
        gv_vnode *ret = vnode_copy(vm, node, sub + 1, nc ? sub + 1 : sub);
        if (nc) ret->a[sub] = nodeval(nc);
        return ret;
    }
    if (sub == 0) return NULL;
    return vnode_copy(vm, node, sub, sub);
}

gv_val gv_vec_pop(gv_vm *vm, gv_val vec) {
    const gv_vector *v = GV_AS(gv_vector, vec);
    if (v->count == 0) gv_throwf(vm, "IllegalStateException", "Can't pop empty vector");
    if (v->count == 1) return vec_empty_meta(vm, v->meta);
    gv_vector *r = vec_alloc(vm);
    r->meta = v->meta;
    r->count = v->count - 1;
    uint32_t tn = v->count - tailoff(v);
    if (tn > 1) {
        r->root = v->root;
        r->shift = v->shift;
        r->tail = vnode_copy(vm, v->tail, tn - 1, tn - 1);
        return gv_mk(GV_VECTOR, r);
    }
    /* The tail empties: the rightmost leaf becomes the tail. */
    r->tail = (gv_vnode *)leaf_for(v, v->count - 2);
    gv_vnode *root = pop_tail(vm, v->count, v->shift, v->root);
    uint32_t shift = v->shift;
    if (!root) root = empty_root(vm);
    if (shift > VBITS && root->n == 1) {
        root = child(root->a[0]);
        shift -= VBITS;
    }
    r->root = root;
    r->shift = shift;
    return gv_mk(GV_VECTOR, r);
}

/* ---- building in place --------------------------------------------- */

/* A vector whose nodes all belong to the builder (room for 32 slots). */
static gv_vector *vec_new_owned(gv_vm *vm) {
    gv_vector *v = vec_alloc(vm);
    v->root = vnode_new(vm, VWIDTH);
    v->tail = vnode_new(vm, VWIDTH);
    return v;
}

static void push_tail_inplace(gv_vm *vm, uint32_t cnt, uint32_t level,
                              gv_vnode *parent, gv_vnode *tailnode) {
    for (;;) {
        uint32_t sub = ((cnt - 1) >> level) & VMASK;
        if (level == VBITS) {
            parent->a[sub] = nodeval(tailnode);
            parent->n = sub + 1;
            return;
        }
        if (sub >= parent->n) {
            parent->a[sub] = nodeval(new_path(vm, level - VBITS, tailnode, VWIDTH));
            parent->n = sub + 1;
            return;
        }
        parent = child(parent->a[sub]);
        level -= VBITS;
    }
}

/* Appends X to V, which the caller owns (see vec_new_owned). */
static void vec_add_owned(gv_vm *vm, gv_vector *v, gv_val x) {
    if (v->count == UINT32_MAX)
        gv_throwf(vm, "IllegalStateException", "Vector too large");
    if (v->tail->n < VWIDTH) {
        v->tail->a[v->tail->n++] = x;
        v->count++;
        return;
    }
    gv_vnode *tailnode = v->tail;
    if ((v->count >> VBITS) > (1u << v->shift)) {
        gv_vnode *root = vnode_new(vm, VWIDTH);
        root->a[0] = nodeval(v->root);
        root->a[1] = nodeval(new_path(vm, v->shift, tailnode, VWIDTH));
        root->n = 2;
        v->root = root;
        v->shift += VBITS;
    } else {
        push_tail_inplace(vm, v->count, v->shift, v->root, tailnode);
    }
    gv_vnode *t = vnode_new(vm, VWIDTH);
    t->a[0] = x;
    t->n = 1;
    v->tail = t;
    v->count++;
}

gv_val gv_vec_from(gv_vm *vm, int64_t n, const gv_val *vals) {
    if (n <= 0) return vec_empty_meta(vm, GV_NILV);
    if (n > UINT32_MAX - 1)
        gv_throwf(vm, "IllegalStateException", "Vector too large");
    if (n <= VWIDTH) {
        gv_vector *v = vec_alloc(vm);
        v->root = empty_root(vm);
        v->tail = vnode_new(vm, (uint32_t)n);
        memcpy(v->tail->a, vals, (size_t)n * sizeof(gv_val));
        v->tail->n = (uint32_t)n;
        v->count = (uint32_t)n;
        return gv_mk(GV_VECTOR, v);
    }
    /* Nothing here reaches a safe point, so the vector needs no root. */
    gv_vector *v = vec_new_owned(vm);
    for (int64_t i = 0; i < n; i++) vec_add_owned(vm, v, vals[i]);
    return gv_mk(GV_VECTOR, v);
}

void gv_vecb_init(gv_vm *vm, gv_vecb *b) {
    b->root = gv_push(vm, gv_mk(GV_VECTOR, vec_new_owned(vm)));
}

void gv_vecb_add(gv_vm *vm, gv_vecb *b, gv_val x) {
    vec_add_owned(vm, GV_AS(gv_vector, *b->root), x);
}

gv_val gv_vecb_done(gv_vm *vm, gv_vecb *b) {
    gv_val v = *b->root;
    if (GV_AS(gv_vector, v)->count == 0) v = vec_empty_meta(vm, GV_NILV);
    /* Drop the builder's hold: further adds would mutate a shared value. */
    *b->root = GV_NILV;
    return v;
}
