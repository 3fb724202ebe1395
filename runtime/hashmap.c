/* hashmap.c — persistent maps: array maps and hash array mapped tries.
 *
 * An array map (GV_ARRAYMAP) keeps up to 8 entries in insertion order and
 * is copied on every change; adding a 9th key turns it into a HAMT.  A
 * HAMT (GV_HASHMAP) never turns back into an array map, as in Clojure.
 *
 * HAMT layout.  Every node is a gv_hnode whose `a` holds pairs:
 *   - a bitmap node has one pair per set bit of `bitmap`, in bit order:
 *     (key, value) for an entry stored here, or (child, nil) where the
 *     child is a gv_val tagged GV_HNODE (no key can carry that internal
 *     tag, which is what tells the two apart);
 *   - a collision node (h.flags & HN_COLL) holds the (key, value) pairs
 *     whose full 32-bit hash is `hash`, in insertion order.
 * Level L uses hash bits 5L..5L+4 (low bits first).  Iterating pairs in
 * array order therefore visits entries in exactly the order of Clojure's
 * PersistentHashMap (whose ArrayNode is only a faster representation of
 * the same order), with the nil key, kept outside the trie, first.
 * Nodes are sized exactly; updates copy the path from the root.
 *
 * Builders (gv_mapb_*, gv_map_from) assoc in place instead: a node they
 * copy or create is marked HN_OWNED and gets spare room, and later adds
 * change owned nodes directly.  Owned nodes are always a connected top
 * part of the trie, so freezing (clearing the marks) visits only them.
 */
#include "vm.h"

/* gv_hnode h.flags: HN_COLL for collision nodes; HN_OWNED while a node
 * belongs to a builder, which may then change it in place, with its
 * capacity in slots in bits 8..15 (0: exactly n). */
#define HN_COLL 1
#define HN_OWNED 2
#define HM_OWNED 1 /* gv_hashmap h.flags: header owned by a builder */
#define HBITS 5
#define AM_MAX 8

static inline bool is_child(gv_val v) { return v.t == GV_HNODE; }
static inline gv_hnode *hn_child(gv_val v) { return GV_AS(gv_hnode, v); }
static inline gv_val hn_val(gv_hnode *n) { return gv_mk(GV_HNODE, n); }
static inline uint32_t hn_bit(uint32_t h, uint32_t shift) { return 1u << ((h >> shift) & 31); }
static inline uint32_t hn_index(uint32_t bitmap, uint32_t bit) {
    return (uint32_t)__builtin_popcount(bitmap & (bit - 1));
}

/* Key equality: keywords are interned, so only identity can match them. */
static inline bool keq(gv_vm *vm, gv_val a, gv_val b) {
    if (gv_identical(a, b)) return true;
    if (a.t == GV_KEYWORD || b.t == GV_KEYWORD) return false;
    return gv_equiv(vm, a, b);
}

/* A node with N slots (all nil).  Owner: the GC. */
static gv_hnode *hn_new(gv_vm *vm, uint32_t n) {
    gv_hnode *h = gv_alloc(vm, GV_HNODE, sizeof(gv_hnode) + n * sizeof(gv_val));
    h->n = n;
    return h;
}

static gv_hnode *hn_copy(gv_vm *vm, const gv_hnode *src) {
    gv_hnode *d = hn_new(vm, src->n);
    d->h.flags = src->h.flags & HN_COLL;
    d->bitmap = src->bitmap;
    d->hash = src->hash;
    memcpy(d->a, src->a, src->n * sizeof(gv_val));
    return d;
}

/* SRC with the pair at pair index I removed (BITMAP is the new bitmap). */
static gv_hnode *hn_remove_pair(gv_vm *vm, const gv_hnode *src, uint32_t i, uint32_t bitmap) {
    gv_hnode *d = hn_new(vm, src->n - 2);
    d->h.flags = src->h.flags & HN_COLL;
    d->bitmap = bitmap;
    d->hash = src->hash;
    memcpy(d->a, src->a, 2 * i * sizeof(gv_val));
    memcpy(d->a + 2 * i, src->a + 2 * i + 2, (src->n - 2 * i - 2) * sizeof(gv_val));
    return d;
}

/* SRC with (K, V) inserted at pair index I (BITMAP is the new bitmap). */
static gv_hnode *hn_insert_pair(gv_vm *vm, const gv_hnode *src, uint32_t i,
                                uint32_t bitmap, gv_val k, gv_val v) {
    gv_hnode *d = hn_new(vm, src->n + 2);
    d->h.flags = src->h.flags & HN_COLL;
    d->bitmap = bitmap;
    d->hash = src->hash;
    memcpy(d->a, src->a, 2 * i * sizeof(gv_val));
    d->a[2 * i] = k;
    d->a[2 * i + 1] = v;
    memcpy(d->a + 2 * i + 2, src->a + 2 * i, (src->n - 2 * i) * sizeof(gv_val));
    return d;
}

static inline uint16_t own_flags(bool own, uint32_t cap) {
    return own ? (uint16_t)(HN_OWNED | (cap <= 255 ? cap << 8 : 0)) : 0;
}

/* A subtrie at SHIFT holding two distinct keys; its nodes belong to a
 * builder when OWN. */
static gv_hnode *hn_pair(gv_vm *vm, bool own, uint32_t shift, gv_val k1, gv_val v1,
                         uint32_t h1, gv_val k2, gv_val v2, uint32_t h2) {
    if (h1 == h2) {
        gv_hnode *c = hn_new(vm, 4);
        c->h.flags = HN_COLL | own_flags(own, 4);
        c->hash = h1;
        c->a[0] = k1; c->a[1] = v1; c->a[2] = k2; c->a[3] = v2;
        return c;
    }
    uint32_t b1 = hn_bit(h1, shift), b2 = hn_bit(h2, shift);
    if (b1 == b2) {
        gv_hnode *n = hn_new(vm, 2);
        n->h.flags = own_flags(own, 2);
        n->bitmap = b1;
        n->a[0] = hn_val(hn_pair(vm, own, shift + HBITS, k1, v1, h1, k2, v2, h2));
        return n;
    }
    gv_hnode *n = hn_new(vm, 4);
    n->h.flags = own_flags(own, 4);
    n->bitmap = b1 | b2;
    if (b1 > b2) {
        gv_val tk = k1, tv = v1;
        k1 = k2; v1 = v2; k2 = tk; v2 = tv;
    }
    n->a[0] = k1; n->a[1] = v1; n->a[2] = k2; n->a[3] = v2;
    return n;
}

/* NODE (at SHIFT) with K -> V, or NODE itself when nothing changes.  With
 * KEEP an existing entry for K is left alone.  Sets *ADDED for a new key. */
static gv_hnode *hn_assoc(gv_vm *vm, gv_hnode *node, uint32_t shift, uint32_t h,
                          gv_val k, gv_val v, bool keep, bool *added) {
    if (node->h.flags & HN_COLL) {
        if (node->hash == h) {
            for (uint32_t i = 0; i < node->n; i += 2) {
                if (keq(vm, k, node->a[i])) {
                    if (keep || gv_identical(node->a[i + 1], v)) return node;
                    gv_hnode *d = hn_copy(vm, node);
                    d->a[i + 1] = v;
                    return d;
                }
            }
            *added = true;
            return hn_insert_pair(vm, node, node->n / 2, 0, k, v);
        }
        /* A different hash: nest the collision node one level down. */
        gv_hnode *w = hn_new(vm, 2);
        w->bitmap = hn_bit(node->hash, shift);
        w->a[0] = hn_val(node);
        node = w;
    }
    uint32_t bit = hn_bit(h, shift);
    uint32_t i = hn_index(node->bitmap, bit);
    if (!(node->bitmap & bit)) {
        *added = true;
        return hn_insert_pair(vm, node, i, node->bitmap | bit, k, v);
    }
    gv_val ka = node->a[2 * i];
    gv_hnode *d;
    if (is_child(ka)) {
        gv_hnode *sub = hn_assoc(vm, hn_child(ka), shift + HBITS, h, k, v, keep, added);
        if (sub == hn_child(ka)) return node;
        d = hn_copy(vm, node);
        d->a[2 * i] = hn_val(sub);
        return d;
    }
    if (keq(vm, k, ka)) {
        if (keep || gv_identical(node->a[2 * i + 1], v)) return node;
        d = hn_copy(vm, node);
        d->a[2 * i + 1] = v;
        return d;
    }
    *added = true;
    gv_hnode *sub = hn_pair(vm, false, shift + HBITS, ka, node->a[2 * i + 1], gv_hash(vm, ka), k, v, h);
    d = hn_copy(vm, node);
    d->a[2 * i] = hn_val(sub);
    d->a[2 * i + 1] = GV_NILV;
    return d;
}

/* True when N holds exactly one entry and no child: its parent can store
 * the entry itself. */
static inline bool hn_single(const gv_hnode *n) {
    return n->n == 2 && !is_child(n->a[0]);
}

/* NODE (at SHIFT) without K: NODE itself when K is absent, NULL when
 * nothing is left. */
static gv_hnode *hn_without(gv_vm *vm, gv_hnode *node, uint32_t shift, uint32_t h, gv_val k) {
    if (node->h.flags & HN_COLL) {
        if (node->hash != h) return node;
        for (uint32_t i = 0; i < node->n; i += 2) {
            if (keq(vm, k, node->a[i])) {
                if (node->n == 2) return NULL;
                return hn_remove_pair(vm, node, i / 2, 0);
            }
        }
        return node;
    }
    uint32_t bit = hn_bit(h, shift);
    if (!(node->bitmap & bit)) return node;
    uint32_t i = hn_index(node->bitmap, bit);
    gv_val ka = node->a[2 * i];
    if (is_child(ka)) {
        gv_hnode *sub = hn_without(vm, hn_child(ka), shift + HBITS, h, k);
        if (sub == hn_child(ka)) return node;
        if (!sub) {
            if (node->bitmap == bit) return NULL;
            return hn_remove_pair(vm, node, i, node->bitmap & ~bit);
        }
        gv_hnode *d = hn_copy(vm, node);
        if (hn_single(sub)) {
            d->a[2 * i] = sub->a[0];
            d->a[2 * i + 1] = sub->a[1];
        } else {
            d->a[2 * i] = hn_val(sub);
        }
        return d;
    }
    if (!keq(vm, k, ka)) return node;
    if (node->bitmap == bit) return NULL;
    return hn_remove_pair(vm, node, i, node->bitmap & ~bit);
}

/* The value slot for K, or NULL. */
static gv_val *hn_find(gv_vm *vm, gv_hnode *node, uint32_t h, gv_val k) {
    uint32_t shift = 0;
    while (node) {
        if (node->h.flags & HN_COLL) {
            if (node->hash != h) return NULL;
            for (uint32_t i = 0; i < node->n; i += 2)
                if (keq(vm, k, node->a[i])) return &node->a[i + 1];
            return NULL;
        }
        uint32_t bit = hn_bit(h, shift);
        if (!(node->bitmap & bit)) return NULL;
        uint32_t i = hn_index(node->bitmap, bit);
        gv_val ka = node->a[2 * i];
        if (is_child(ka)) {
            node = hn_child(ka);
            shift += HBITS;
            continue;
        }
        return keq(vm, k, ka) ? &node->a[2 * i + 1] : NULL;
    }
    return NULL;
}

/* Visits the entries under NODE in order; false when FN stopped it.
 * Recursion is bounded by the trie depth (at most 8). */
static bool hn_each(gv_vm *vm, gv_hnode *node, gv_map_each_fn fn, void *ctx) {
    for (uint32_t i = 0; i < node->n; i += 2) {
        if (is_child(node->a[i])) {
            if (!hn_each(vm, hn_child(node->a[i]), fn, ctx)) return false;
        } else if (!fn(vm, node->a[i], node->a[i + 1], ctx)) {
            return false;
        }
    }
    return true;
}

/* ---- building in place ---------------------------------------------- */

static inline uint32_t hn_cap(const gv_hnode *n) {
    uint32_t c = (uint32_t)n->h.flags >> 8;
    return c > n->n ? c : n->n;
}

/* NODE itself if the builder owns it and it has room for NEED slots,
 * else an owned copy with room to grow. */
static gv_hnode *hn_own(gv_vm *vm, gv_hnode *node, uint32_t need) {
    bool owned = node->h.flags & HN_OWNED;
    if (owned && hn_cap(node) >= need) return node;
    uint32_t cap = owned ? 2 * hn_cap(node) : need + 2;
    if (cap < 4) cap = 4;
    if (cap < need) cap = need;
    if (!(node->h.flags & HN_COLL) && cap > 64) cap = 64;
    gv_hnode *d = gv_alloc(vm, GV_HNODE, sizeof(gv_hnode) + cap * sizeof(gv_val));
    d->h.flags = (uint16_t)((node->h.flags & HN_COLL) | own_flags(true, cap));
    d->n = node->n;
    d->bitmap = node->bitmap;
    d->hash = node->hash;
    memcpy(d->a, node->a, node->n * sizeof(gv_val));
    return d;
}

/* hn_assoc for a builder: changes owned nodes in place, copies the others
 * (which become owned).  Returns the node to store in the parent. */
static gv_hnode *hn_assoc_mut(gv_vm *vm, gv_hnode *node, uint32_t shift, uint32_t h,
                              gv_val k, gv_val v, bool keep, bool *added) {
    if (node->h.flags & HN_COLL) {
        if (node->hash == h) {
            for (uint32_t i = 0; i < node->n; i += 2) {
                if (keq(vm, k, node->a[i])) {
                    if (keep || gv_identical(node->a[i + 1], v)) return node;
                    node = hn_own(vm, node, node->n);
                    node->a[i + 1] = v;
                    return node;
                }
            }
            node = hn_own(vm, node, node->n + 2);
            node->a[node->n] = k;
            node->a[node->n + 1] = v;
            node->n += 2;
            *added = true;
            return node;
        }
        gv_hnode *w = hn_new(vm, 2);
        w->h.flags = own_flags(true, 2);
        w->bitmap = hn_bit(node->hash, shift);
        w->a[0] = hn_val(node);
        node = w;
    }
    uint32_t bit = hn_bit(h, shift);
    uint32_t i = hn_index(node->bitmap, bit);
    if (!(node->bitmap & bit)) {
        node = hn_own(vm, node, node->n + 2);
        memmove(node->a + 2 * i + 2, node->a + 2 * i, (node->n - 2 * i) * sizeof(gv_val));
        node->a[2 * i] = k;
        node->a[2 * i + 1] = v;
        node->n += 2;
        node->bitmap |= bit;
        *added = true;
        return node;
    }
    gv_val ka = node->a[2 * i];
    if (is_child(ka)) {
        gv_hnode *sub = hn_assoc_mut(vm, hn_child(ka), shift + HBITS, h, k, v, keep, added);
        if (sub == hn_child(ka)) return node;
        node = hn_own(vm, node, node->n);
        node->a[2 * i] = hn_val(sub);
        return node;
    }
    if (keq(vm, k, ka)) {
        if (keep || gv_identical(node->a[2 * i + 1], v)) return node;
        node = hn_own(vm, node, node->n);
        node->a[2 * i + 1] = v;
        return node;
    }
    gv_hnode *sub = hn_pair(vm, true, shift + HBITS, ka, node->a[2 * i + 1], gv_hash(vm, ka),
                            k, v, h);
    node = hn_own(vm, node, node->n);
    node->a[2 * i] = hn_val(sub);
    node->a[2 * i + 1] = GV_NILV;
    *added = true;
    return node;
}

/* Hands the owned nodes under NODE back to persistence.  Owned nodes form
 * the top of the trie (a node is copied only with its path), so this
 * visits only what the builder touched. */
static void hn_freeze(gv_hnode *node) {
    if (!(node->h.flags & HN_OWNED)) return;
    node->h.flags &= HN_COLL;
    for (uint32_t i = 0; i < node->n; i += 2)
        if (is_child(node->a[i])) hn_freeze(hn_child(node->a[i]));
}

/* ---- HAMT maps ------------------------------------------------------ */

static gv_val hm_make(gv_vm *vm, gv_val meta, uint32_t count, bool has_nil,
                     gv_val nil_val, gv_hnode *root) {
    gv_hashmap *m = gv_alloc(vm, GV_HASHMAP, sizeof *m);
    m->meta = meta;
    m->count = count;
    m->has_nil = has_nil;
    m->nil_val = has_nil ? nil_val : GV_NILV;
    m->root = root;
    return gv_mk(GV_HASHMAP, m);
}

gv_val gv_hashmap_empty(gv_vm *vm) {
    if (vm->empty_hashmap.t == GV_HASHMAP) return vm->empty_hashmap;
    return hm_make(vm, GV_NILV, 0, false, GV_NILV, NULL);
}

static gv_val hm_assoc(gv_vm *vm, gv_val mv, gv_val k, gv_val v, bool keep) {
    gv_hashmap *m = GV_AS(gv_hashmap, mv);
    if (gv_is_nil(k)) {
        if (m->has_nil && (keep || gv_identical(m->nil_val, v))) return mv;
        return hm_make(vm, m->meta, m->count + !m->has_nil, true, v, m->root);
    }
    uint32_t h = gv_hash(vm, k);
    bool added = false;
    gv_hnode *root;
    if (m->root) {
        root = hn_assoc(vm, m->root, 0, h, k, v, keep, &added);
        if (root == m->root) return mv;
    } else {
        root = hn_new(vm, 2);
        root->bitmap = hn_bit(h, 0);
        root->a[0] = k;
        root->a[1] = v;
        added = true;
    }
    return hm_make(vm, m->meta, m->count + added, m->has_nil, m->nil_val, root);
}

gv_val gv_hashmap_put_new(gv_vm *vm, gv_val m, gv_val k, gv_val v) {
    return hm_assoc(vm, m, k, v, true);
}

static gv_val hm_dissoc(gv_vm *vm, gv_val mv, gv_val k) {
    gv_hashmap *m = GV_AS(gv_hashmap, mv);
    if (gv_is_nil(k)) {
        if (!m->has_nil) return mv;
        return hm_make(vm, m->meta, m->count - 1, false, GV_NILV, m->root);
    }
    if (!m->root) return mv;
    gv_hnode *root = hn_without(vm, m->root, 0, gv_hash(vm, k), k);
    if (root == m->root) return mv;
    return hm_make(vm, m->meta, m->count - 1, m->has_nil, m->nil_val, root);
}

static gv_val *hm_find(gv_vm *vm, gv_hashmap *m, gv_val k) {
    if (gv_is_nil(k)) return m->has_nil ? &m->nil_val : NULL;
    if (!m->root) return NULL;
    return hn_find(vm, m->root, gv_hash(vm, k), k);
}

/* The builder's own copy of the HAMT header in *SLOT (made on first use,
 * so the map a builder starts from is never changed). */
static gv_hashmap *hm_own(gv_vm *vm, gv_val *slot) {
    gv_hashmap *m = GV_AS(gv_hashmap, *slot);
    if (m->h.flags & HM_OWNED) return m;
    gv_hashmap *d = gv_alloc(vm, GV_HASHMAP, sizeof *d);
    d->h.flags |= HM_OWNED;
    d->meta = m->meta;
    d->count = m->count;
    d->has_nil = m->has_nil;
    d->nil_val = m->nil_val;
    d->root = m->root;
    *slot = gv_mk(GV_HASHMAP, d);
    return d;
}

static void hm_put_mut(gv_vm *vm, gv_hashmap *m, gv_val k, gv_val v, bool keep) {
    if (gv_is_nil(k)) {
        if (!m->has_nil) {
            m->has_nil = true;
            m->count++;
        } else if (keep) {
            return;
        }
        m->nil_val = v;
        return;
    }
    uint32_t h = gv_hash(vm, k);
    bool added = false;
    if (m->root) {
        m->root = hn_assoc_mut(vm, m->root, 0, h, k, v, keep, &added);
    } else {
        gv_hnode *r = hn_new(vm, 2);
        r->h.flags = own_flags(true, 2);
        r->bitmap = hn_bit(h, 0);
        r->a[0] = k;
        r->a[1] = v;
        m->root = r;
        added = true;
    }
    m->count += added;
}

/* Ends in-place building of the map M. */
static gv_val hm_freeze(gv_val m) {
    if (m.t == GV_HASHMAP) {
        gv_hashmap *hm = GV_AS(gv_hashmap, m);
        if (hm->h.flags & HM_OWNED) {
            hm->h.flags &= (uint16_t)~HM_OWNED;
            if (hm->root) hn_freeze(hm->root);
        }
    }
    return m;
}

/* ---- array maps ----------------------------------------------------- */

static gv_arraymap *am_alloc(gv_vm *vm, uint32_t cap) {
    gv_arraymap *m = gv_alloc(vm, GV_ARRAYMAP, sizeof *m + 2 * cap * sizeof(gv_val));
    m->meta = GV_NILV;
    return m;
}

gv_val gv_map_empty(gv_vm *vm) {
    if (vm->empty_map.t == GV_ARRAYMAP) return vm->empty_map;
    return gv_mk(GV_ARRAYMAP, am_alloc(vm, 0));
}

static gv_val am_empty_meta(gv_vm *vm, gv_val meta) {
    if (gv_is_nil(meta)) return gv_map_empty(vm);
    gv_arraymap *m = am_alloc(vm, 0);
    m->meta = meta;
    return gv_mk(GV_ARRAYMAP, m);
}

/* Pair index of K in M, or -1. */
static int am_index(gv_vm *vm, const gv_arraymap *m, gv_val k) {
    uint32_t n = m->count;
    if (k.t == GV_KEYWORD || k.t == GV_NIL) {
        for (uint32_t i = 0; i < n; i++)
            if (gv_identical(m->kv[2 * i], k)) return (int)i;
        return -1;
    }
    for (uint32_t i = 0; i < n; i++)
        if (keq(vm, k, m->kv[2 * i])) return (int)i;
    return -1;
}

/* The HAMT holding M's entries (and meta). */
static gv_val am_to_hamt(gv_vm *vm, const gv_arraymap *m) {
    gv_val h = hm_make(vm, m->meta, 0, false, GV_NILV, NULL);
    gv_hashmap *hm = hm_own(vm, &h);
    for (uint32_t i = 0; i < m->count; i++) hm_put_mut(vm, hm, m->kv[2 * i], m->kv[2 * i + 1], false);
    return hm_freeze(h);
}

static gv_val am_assoc(gv_vm *vm, gv_val mv, gv_val k, gv_val v) {
    gv_arraymap *m = GV_AS(gv_arraymap, mv);
    int i = am_index(vm, m, k);
    gv_arraymap *d;
    if (i >= 0) {
        if (gv_identical(m->kv[2 * i + 1], v)) return mv;
        d = am_alloc(vm, m->count);
        memcpy(d->kv, m->kv, 2 * m->count * sizeof(gv_val));
        d->kv[2 * i + 1] = v;
        d->count = m->count;
    } else {
        if (m->count >= AM_MAX) return hm_assoc(vm, am_to_hamt(vm, m), k, v, false);
        d = am_alloc(vm, m->count + 1);
        memcpy(d->kv, m->kv, 2 * m->count * sizeof(gv_val));
        d->kv[2 * m->count] = k;
        d->kv[2 * m->count + 1] = v;
        d->count = m->count + 1;
    }
    d->meta = m->meta;
    return gv_mk(GV_ARRAYMAP, d);
}

static gv_val am_dissoc(gv_vm *vm, gv_val mv, gv_val k) {
    gv_arraymap *m = GV_AS(gv_arraymap, mv);
    int i = am_index(vm, m, k);
    if (i < 0) return mv;
    if (m->count == 1) return am_empty_meta(vm, m->meta);
    gv_arraymap *d = am_alloc(vm, m->count - 1);
    memcpy(d->kv, m->kv, 2 * (size_t)i * sizeof(gv_val));
    memcpy(d->kv + 2 * i, m->kv + 2 * i + 2, 2 * (m->count - (size_t)i - 1) * sizeof(gv_val));
    d->count = m->count - 1;
    d->meta = m->meta;
    return gv_mk(GV_ARRAYMAP, d);
}

/* ---- the map API ---------------------------------------------------- */

gv_val gv_map_assoc(gv_vm *vm, gv_val m, gv_val k, gv_val v) {
    return m.t == GV_ARRAYMAP ? am_assoc(vm, m, k, v) : hm_assoc(vm, m, k, v, false);
}

gv_val gv_map_dissoc(gv_vm *vm, gv_val m, gv_val k) {
    return m.t == GV_ARRAYMAP ? am_dissoc(vm, m, k) : hm_dissoc(vm, m, k);
}

static gv_val *map_find(gv_vm *vm, gv_val m, gv_val k) {
    if (m.t == GV_ARRAYMAP) {
        gv_arraymap *am = GV_AS(gv_arraymap, m);
        int i = am_index(vm, am, k);
        return i >= 0 ? &am->kv[2 * i + 1] : NULL;
    }
    return hm_find(vm, GV_AS(gv_hashmap, m), k);
}

gv_val gv_map_get(gv_vm *vm, gv_val m, gv_val k, gv_val notfound) {
    gv_val *p = map_find(vm, m, k);
    return p ? *p : notfound;
}

bool gv_map_contains(gv_vm *vm, gv_val m, gv_val k) {
    return map_find(vm, m, k) != NULL;
}

int64_t gv_map_count(gv_val m) {
    return m.t == GV_ARRAYMAP ? GV_AS(gv_arraymap, m)->count : GV_AS(gv_hashmap, m)->count;
}

void gv_map_each(gv_vm *vm, gv_val mv, gv_map_each_fn fn, void *ctx) {
    if (mv.t == GV_ARRAYMAP) {
        gv_arraymap *m = GV_AS(gv_arraymap, mv);
        for (uint32_t i = 0; i < m->count; i++)
            if (!fn(vm, m->kv[2 * i], m->kv[2 * i + 1], ctx)) return;
        return;
    }
    gv_hashmap *m = GV_AS(gv_hashmap, mv);
    if (m->has_nil && !fn(vm, GV_NILV, m->nil_val, ctx)) return;
    if (m->root) hn_each(vm, m->root, fn, ctx);
}

gv_val gv_map_from(gv_vm *vm, int64_t n, const gv_val *kv) {
    if (n <= AM_MAX) {
        if (n <= 0) return gv_map_empty(vm);
        gv_arraymap *m = am_alloc(vm, (uint32_t)n);
        for (int64_t j = 0; j < n; j++) {
            int i = am_index(vm, m, kv[2 * j]);
            if (i >= 0) {
                m->kv[2 * i + 1] = kv[2 * j + 1];
            } else {
                m->kv[2 * m->count] = kv[2 * j];
                m->kv[2 * m->count + 1] = kv[2 * j + 1];
                m->count++;
            }
        }
        return gv_mk(GV_ARRAYMAP, m);
    }
    /* Built in place; nothing here reaches a safe point. */
    gv_val h = gv_hashmap_empty(vm);
    gv_hashmap *hm = hm_own(vm, &h);
    for (int64_t j = 0; j < n; j++) hm_put_mut(vm, hm, kv[2 * j], kv[2 * j + 1], false);
    return hm_freeze(h);
}

/* ---- builder -------------------------------------------------------- */

void gv_mapb_init(gv_vm *vm, gv_mapb *b, gv_val m) {
    b->root = gv_push(vm, gv_is_map(m) ? m : gv_map_empty(vm));
}

static void mapb_put(gv_vm *vm, gv_mapb *b, gv_val k, gv_val v, bool keep) {
    gv_val *slot = b->root;
    if (slot->t == GV_ARRAYMAP) {
        if (keep && am_index(vm, GV_AS(gv_arraymap, *slot), k) >= 0) return;
        *slot = am_assoc(vm, *slot, k, v);
        return;
    }
    gv_hashmap *m = GV_AS(gv_hashmap, *slot);
    if (!(m->h.flags & HM_OWNED)) {
        /* Copy the header only for a real change, so that a build that
         * changes nothing returns the starting map itself. */
        gv_val *p = hm_find(vm, m, k);
        if (p && (keep || gv_identical(*p, v))) return;
    }
    hm_put_mut(vm, hm_own(vm, slot), k, v, keep);
}

void gv_mapb_assoc(gv_vm *vm, gv_mapb *b, gv_val k, gv_val v) {
    mapb_put(vm, b, k, v, false);
}

void gv_mapb_put_new(gv_vm *vm, gv_mapb *b, gv_val k, gv_val v) {
    mapb_put(vm, b, k, v, true);
}

gv_val gv_mapb_done(gv_vm *vm, gv_mapb *b) {
    (void)vm;
    gv_val m = hm_freeze(*b->root);
    *b->root = GV_NILV;
    return m;
}

/* ---- seqs ----------------------------------------------------------- */

typedef struct entry_fill {
    gv_vnode *arr;
} entry_fill;

static bool fill_entry(gv_vm *vm, gv_val k, gv_val v, void *ctx) {
    gv_vnode *arr = ((entry_fill *)ctx)->arr;
    arr->a[arr->n] = gv_map_entry(vm, k, v);
    arr->n++;
    return true;
}

gv_val gv_map_seq(gv_vm *vm, gv_val m) {
    int64_t n = gv_map_count(m);
    if (n == 0) return GV_NILV;
    entry_fill f;
    f.arr = gv_alloc(vm, GV_VNODE, sizeof(gv_vnode) + (size_t)n * sizeof(gv_val));
    gv_map_each(vm, m, fill_entry, &f);
    return gv_arrayseq_new(vm, gv_mk(GV_VNODE, f.arr), 0, n);
}
