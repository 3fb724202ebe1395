/* hash.c — Clojure's = (equiv), hash (hasheq) and compare.
 *
 * Hashes are bit-exact with Clojure 1.11 (clojure.lang.Murmur3, Util,
 * Numbers.hasheq), because a hash map's iteration order — and so what
 * `prn` shows — is a function of its keys' hashes.  Strings, symbols and
 * keywords hash over UTF-16 code units as Java does, so UTF-8 text is
 * transcoded on the fly; string hashes are cached in the object.
 *
 * Walking a seq may realize a lazy seq and so run Clojure code: every
 * comparison or hash of a collection runs inside gv_gc_inhibit, which lets
 * the C locals here stay unrooted (see the GC CONTRACT in gv.h).
 */
#include "vm.h"

/* ---- Murmur3, as clojure.lang.Murmur3 (seed 0) ------------------------ */

#define MM_C1 0xcc9e2d51u
#define MM_C2 0x1b873593u

static inline uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

static inline uint32_t mm_mix_k1(uint32_t k1) {
    k1 *= MM_C1;
    k1 = rotl32(k1, 15);
    return k1 * MM_C2;
}

static inline uint32_t mm_mix_h1(uint32_t h1, uint32_t k1) {
    h1 ^= k1;
    h1 = rotl32(h1, 13);
    return h1 * 5 + 0xe6546b64u;
}

static inline uint32_t mm_fmix(uint32_t h1, uint32_t len) {
    h1 ^= len;
    h1 ^= h1 >> 16;
    h1 *= 0x85ebca6bu;
    h1 ^= h1 >> 13;
    h1 *= 0xc2b2ae35u;
    h1 ^= h1 >> 16;
    return h1;
}

static inline uint32_t mm_hash_int(uint32_t x) {
    if (x == 0) return 0;
    return mm_fmix(mm_mix_h1(0, mm_mix_k1(x)), 4);
}

static inline uint32_t mm_hash_long(int64_t x) {
    if (x == 0) return 0;
    uint64_t u = (uint64_t)x;
    uint32_t h1 = mm_mix_h1(0, mm_mix_k1((uint32_t)u));
    h1 = mm_mix_h1(h1, mm_mix_k1((uint32_t)(u >> 32)));
    return mm_fmix(h1, 8);
}

static inline uint32_t mm_mix_coll(uint32_t hash, uint32_t count) {
    return mm_fmix(mm_mix_h1(0, mm_mix_k1(hash)), count);
}

/* ---- UTF-16 code units of UTF-8 text ---------------------------------- */

typedef struct u16it {
    const char *s;
    size_t n, i;
    int32_t pending; /* low surrogate still to deliver, or -1 */
} u16it;

static inline void u16_init(u16it *it, const char *s, size_t n) {
    it->s = s;
    it->n = n;
    it->i = 0;
    it->pending = -1;
}

/* The next code unit, or -1 at the end. */
static inline int32_t u16_next(u16it *it) {
    if (it->pending >= 0) {
        int32_t r = it->pending;
        it->pending = -1;
        return r;
    }
    if (it->i >= it->n) return -1;
    unsigned char c = (unsigned char)it->s[it->i];
    if (c < 0x80) {
        it->i++;
        return c;
    }
    int len;
    int32_t cp = gv_utf8_decode(it->s + it->i, it->n - it->i, &len);
    it->i += (size_t)len;
    if (cp >= 0x10000) {
        cp -= 0x10000;
        it->pending = 0xdc00 + (cp & 0x3ff);
        return 0xd800 + (cp >> 10);
    }
    return cp;
}

/* java.lang.String.hashCode of S. */
static uint32_t java_string_hash(const char *s, size_t n) {
    uint32_t h = 0;
    u16it it;
    u16_init(&it, s, n);
    for (int32_t u; (u = u16_next(&it)) >= 0;) h = 31 * h + (uint32_t)u;
    return h;
}

/* Murmur3.hashUnencodedChars of S. */
static uint32_t mm_hash_chars(const char *s, size_t n) {
    uint32_t h1 = 0, len = 0;
    u16it it;
    u16_init(&it, s, n);
    for (;;) {
        int32_t u0 = u16_next(&it);
        if (u0 < 0) break;
        len++;
        int32_t u1 = u16_next(&it);
        if (u1 < 0) {
            h1 ^= mm_mix_k1((uint32_t)u0);
            break;
        }
        len++;
        h1 = mm_mix_h1(h1, mm_mix_k1((uint32_t)u0 | ((uint32_t)u1 << 16)));
    }
    return mm_fmix(h1, 2 * len);
}

/* Util.hashCombine (Java int arithmetic: >> is arithmetic). */
static inline uint32_t hash_combine(uint32_t seed, uint32_t hash) {
    uint32_t sar2 = (uint32_t)((int32_t)seed >> 2);
    return seed ^ (hash + 0x9e3779b9u + (seed << 6) + sar2);
}

uint32_t gv_hash_symbol(const char *ns, size_t nslen, const char *name, size_t namelen) {
    return hash_combine(mm_hash_chars(name, namelen), ns ? java_string_hash(ns, nslen) : 0);
}

uint32_t gv_hash_keyword(uint32_t symhash) {
    return symhash + 0x9e3779b9u;
}

/* Hashing, = and compare recurse into nested collections: a structure
 * nested deeper than the C stack allows is a StackOverflowError, as on
 * the JVM, instead of a crash. */
static inline void check_stack(gv_vm *vm) {
    if (vm->cur && (char *)__builtin_frame_address(0) < vm->cur->cstack_limit)
        gv_throw(vm, gv_exception_new(vm, "StackOverflowError", GV_NILV, GV_NILV, GV_NILV));
}

/* ---- walking sequential values ---------------------------------------- */

/* An element cursor over anything sequential.  Vectors, ranges and array
 * seqs are walked in place (walking them through seq.c would allocate a
 * seq object per step, none of which can be collected while = or hash
 * inhibits the GC); everything else goes through seq.c. */
typedef struct seqit {
    enum { IT_VEC, IT_ARR, IT_STR, IT_RANGE, IT_SEQ } kind;
    gv_val src;
    const gv_val *arr;
    int64_t i, end, step;
    bool infinite;
    gv_val s;
} seqit;

static void seqit_init(gv_vm *vm, seqit *it, gv_val x) {
    if (x.t == GV_VECTOR) {
        it->kind = IT_VEC;
        it->src = x;
        it->i = 0;
        it->end = gv_vec_count(x);
        return;
    }
    if (x.t == GV_ARRAYSEQ) {
        gv_arrayseq *a = GV_AS(gv_arrayseq, x);
        if (a->src.t == GV_VECTOR || a->src.t == GV_VNODE || a->src.t == GV_STRING) {
            it->kind = a->src.t == GV_VECTOR ? IT_VEC : a->src.t == GV_VNODE ? IT_ARR : IT_STR;
            it->src = a->src;
            it->arr = a->src.t == GV_VNODE ? GV_AS(gv_vnode, a->src)->a : NULL;
            it->i = a->i;
            it->end = a->end;
            return;
        }
    }
    if (x.t == GV_RANGE) {
        gv_range *r = GV_AS(gv_range, x);
        it->kind = IT_RANGE;
        it->i = r->start;
        it->end = r->end;
        it->step = r->step;
        it->infinite = r->infinite;
        return;
    }
    it->kind = IT_SEQ;
    gv_val *sp = vm->cur ? vm->cur->sp : NULL;
    it->s = gv_seq(vm, x);
    if (sp) vm->cur->sp = sp;
}

static inline bool seqit_next(gv_vm *vm, seqit *it, gv_val *out) {
    switch (it->kind) {
    case IT_VEC:
        if (it->i >= it->end) return false;
        *out = gv_vec_nth(it->src, it->i++);
        return true;
    case IT_ARR:
        if (it->i >= it->end) return false;
        *out = it->arr[it->i++];
        return true;
    case IT_STR: {
        if (it->i >= it->end) return false;
        const gv_string *str = GV_AS(gv_string, it->src);
        int len;
        *out = gv_ch(gv_utf8_decode(str->data + it->i, str->len - (size_t)it->i, &len));
        it->i += len;
        return true;
    }
    case IT_RANGE: {
        /* A range is never empty; it ends when the next step passes end
         * or overflows (as seq.c's gv_next). */
        *out = gv_l(it->i);
        int64_t n;
        if (__builtin_add_overflow(it->i, it->step, &n) ||
            (!it->infinite && (it->step > 0 ? n >= it->end : n <= it->end))) {
            it->kind = IT_SEQ;
            it->s = GV_NILV;
        } else {
            it->i = n;
        }
        return true;
    }
    default: {
        if (it->s.t == GV_NIL) return false;
        /* Realizing a lazy seq roots what it needs on the value stack;
         * with collection inhibited nothing needs those slots once it
         * returns, and a long walk must not exhaust the stack. */
        gv_val *sp = vm->cur ? vm->cur->sp : NULL;
        *out = gv_first(vm, it->s);
        it->s = gv_next(vm, it->s);
        if (sp) vm->cur->sp = sp;
        return true;
    }
    }
}

static inline bool is_sequential(gv_type t) {
    switch (t) {
    case GV_VECTOR: case GV_LIST: case GV_CONS: case GV_LAZYSEQ:
    case GV_ARRAYSEQ: case GV_RANGE:
        return true;
    default:
        return false;
    }
}

/* ---- hash ------------------------------------------------------------- */

static uint32_t hash_double(double d) {
    if (d == 0.0) return 0; /* 0.0 and -0.0 (Numbers.hasheq) */
    uint64_t bits;
    if (d != d) {
        bits = 0x7ff8000000000000ull; /* doubleToLongBits canonical NaN */
    } else {
        memcpy(&bits, &d, sizeof bits);
    }
    return (uint32_t)(bits ^ (bits >> 32));
}

static uint32_t hash_ordered(gv_vm *vm, gv_val x) {
    uint32_t h = 1, n = 0;
    seqit it;
    seqit_init(vm, &it, x);
    gv_val e;
    while (seqit_next(vm, &it, &e)) {
        h = 31 * h + gv_hash(vm, e);
        n++;
    }
    return mm_mix_coll(h, n);
}

typedef struct usum {
    uint32_t h, n;
} usum;

static bool sum_entry(gv_vm *vm, gv_val k, gv_val v, void *ctx) {
    usum *u = ctx;
    uint32_t eh = 31 * (31 + gv_hash(vm, k)) + gv_hash(vm, v);
    u->h += mm_mix_coll(eh, 2);
    u->n++;
    return true;
}

static bool sum_elem(gv_vm *vm, gv_val x, void *ctx) {
    usum *u = ctx;
    u->h += gv_hash(vm, x);
    u->n++;
    return true;
}

static uint32_t hash_coll(gv_vm *vm, gv_val v) {
    usum u = {0, 0};
    uint32_t h;
    check_stack(vm);
    gv_gc_inhibit(vm);
    if (is_sequential(v.t)) {
        h = hash_ordered(vm, v);
    } else if (v.t == GV_SET) {
        gv_set_each(vm, v, sum_elem, &u);
        h = mm_mix_coll(u.h, u.n);
    } else {
        gv_map_each(vm, v, sum_entry, &u);
        h = mm_mix_coll(u.h, u.n);
    }
    gv_gc_allow(vm);
    return h;
}

uint32_t gv_hash(gv_vm *vm, gv_val v) {
    switch (v.t) {
    case GV_NIL: return 0;
    case GV_BOOL: return v.as.b ? 1231 : 1237;
    case GV_LONG: return mm_hash_long(v.as.i);
    case GV_DOUBLE: return hash_double(v.as.d);
    case GV_CHAR: return (uint32_t)v.as.c;
    case GV_STRING: {
        gv_string *s = GV_AS(gv_string, v);
        if (!(s->h.flags & GV_F_HASHED)) {
            s->hash = mm_hash_int(java_string_hash(s->data, s->len));
            s->h.flags |= GV_F_HASHED;
        }
        return s->hash;
    }
    case GV_SYMBOL: return GV_AS(gv_symbol, v)->base->hash;
    case GV_KEYWORD: return GV_AS(gv_keyword, v)->hash;
    case GV_VECTOR: case GV_LIST: case GV_CONS: case GV_LAZYSEQ:
    case GV_ARRAYSEQ: case GV_RANGE: case GV_ARRAYMAP: case GV_HASHMAP:
    case GV_SET:
        return hash_coll(vm, v);
    default: {
        /* Identity hash: a mix of the address (Java's is arbitrary). */
        uint64_t p = (uint64_t)(uintptr_t)v.as.o;
        return mm_fmix((uint32_t)(p >> 4) ^ (uint32_t)(p >> 36), 8);
    }
    }
}

/* ---- equiv ------------------------------------------------------------ */

static bool seq_equiv(gv_vm *vm, gv_val a, gv_val b) {
    if (a.t == GV_VECTOR && b.t == GV_VECTOR) {
        int64_t n = gv_vec_count(a);
        if (n != gv_vec_count(b)) return false;
        for (int64_t i = 0; i < n; i++)
            if (!gv_equiv(vm, gv_vec_nth(a, i), gv_vec_nth(b, i))) return false;
        return true;
    }
    /* Counts known in constant time settle unequal lengths at once. */
    int64_t na = a.t == GV_VECTOR ? gv_vec_count(a) : a.t == GV_LIST ? GV_AS(gv_list, a)->count : -1;
    int64_t nb = b.t == GV_VECTOR ? gv_vec_count(b) : b.t == GV_LIST ? GV_AS(gv_list, b)->count : -1;
    if (na >= 0 && nb >= 0 && na != nb) return false;
    seqit ia, ib;
    seqit_init(vm, &ia, a);
    seqit_init(vm, &ib, b);
    for (;;) {
        gv_val x, y;
        bool ha = seqit_next(vm, &ia, &x);
        bool hb = seqit_next(vm, &ib, &y);
        if (ha != hb) return false;
        if (!ha) return true;
        if (!gv_equiv(vm, x, y)) return false;
    }
}

/* Stands for "absent" in lookups: no user value has this tag. */
static const gv_val ABSENT = {.t = GV_VNODE, .as = {.o = NULL}};

typedef struct map_cmp {
    gv_val other;
    bool eq;
} map_cmp;

static bool entry_in_other(gv_vm *vm, gv_val k, gv_val v, void *ctx) {
    map_cmp *c = ctx;
    gv_val w = gv_map_get(vm, c->other, k, ABSENT);
    if (w.t == GV_VNODE || !gv_equiv(vm, v, w)) {
        c->eq = false;
        return false;
    }
    return true;
}

static bool elem_in_other(gv_vm *vm, gv_val x, void *ctx) {
    map_cmp *c = ctx;
    if (!gv_set_contains(vm, c->other, x)) {
        c->eq = false;
        return false;
    }
    return true;
}

static bool coll_equiv(gv_vm *vm, gv_val a, gv_val b) {
    bool r = false;
    check_stack(vm);
    gv_gc_inhibit(vm);
    if (is_sequential(a.t)) {
        if (is_sequential(b.t)) r = seq_equiv(vm, a, b);
    } else if (gv_is_map(a)) {
        if (gv_is_map(b) && gv_map_count(a) == gv_map_count(b)) {
            map_cmp c = {b, true};
            gv_map_each(vm, a, entry_in_other, &c);
            r = c.eq;
        }
    } else if (a.t == GV_SET) {
        if (b.t == GV_SET && gv_set_count(a) == gv_set_count(b)) {
            map_cmp c = {a, true};
            gv_set_each(vm, b, elem_in_other, &c);
            r = c.eq;
        }
    }
    gv_gc_allow(vm);
    return r;
}

bool gv_equiv(gv_vm *vm, gv_val a, gv_val b) {
    if (a.t == b.t) {
        switch (a.t) {
        case GV_NIL: return true;
        case GV_BOOL: return a.as.b == b.as.b;
        case GV_LONG: return a.as.i == b.as.i;
        case GV_DOUBLE: return a.as.d == b.as.d;
        case GV_CHAR: return a.as.c == b.as.c;
        case GV_STRING: {
            gv_string *x = GV_AS(gv_string, a), *y = GV_AS(gv_string, b);
            return x == y || (x->len == y->len && memcmp(x->data, y->data, x->len) == 0);
        }
        case GV_SYMBOL: return gv_sym_eq(GV_AS(gv_symbol, a), GV_AS(gv_symbol, b));
        case GV_KEYWORD: return a.as.o == b.as.o;
        default:
            if (a.as.o == b.as.o) return true;
            break;
        }
    } else if (!GV_IS_OBJ(a) || !GV_IS_OBJ(b)) {
        return false;
    }
    switch (a.t) {
    case GV_VECTOR: case GV_LIST: case GV_CONS: case GV_LAZYSEQ: case GV_ARRAYSEQ:
    case GV_RANGE: case GV_ARRAYMAP: case GV_HASHMAP: case GV_SET:
        return coll_equiv(vm, a, b);
    default:
        return false;
    }
}

/* ---- compare ---------------------------------------------------------- */

static const char *java_module(const char *cls) {
    return strncmp(cls, "java.", 5) == 0 ? "module java.base of loader 'bootstrap'"
                                         : "unnamed module of loader 'app'";
}

/* Throws the JVM's ClassCastException for casting V to class TO. */
static _Noreturn void cast_error(gv_vm *vm, gv_val v, const char *to) {
    const char *from = gv_type_name(v);
    const char *mf = java_module(from), *mt = java_module(to);
    if (strcmp(mf, mt) == 0)
        gv_throwf(vm, "ClassCastException",
                  "class %s cannot be cast to class %s (%s and %s are in %s)",
                  from, to, from, to, mf);
    gv_throwf(vm, "ClassCastException",
              "class %s cannot be cast to class %s (%s is in %s; %s is in %s)",
              from, to, from, mf, to, mt);
}

/* String.compareTo: the first differing UTF-16 unit, else the length
 * difference in units. */
static int string_compare(const gv_string *a, const gv_string *b) {
    u16it ia, ib;
    u16_init(&ia, a->data, a->len);
    u16_init(&ib, b->data, b->len);
    for (;;) {
        int32_t x = u16_next(&ia), y = u16_next(&ib);
        if (x < 0 || y < 0) {
            int r = 0;
            if (x >= 0) {
                for (r = 1; u16_next(&ia) >= 0;) r++;
            } else if (y >= 0) {
                for (r = -1; u16_next(&ib) >= 0;) r--;
            }
            return r;
        }
        if (x != y) return x - y;
    }
}

static int opt_string_compare(const gv_string *a, const gv_string *b) {
    if (a == b) return 0;
    return string_compare(a, b);
}

/* Symbol.compareTo: no namespace first, then namespace, then name. */
static int symbol_compare(const gv_symbol *a, const gv_symbol *b) {
    if (gv_sym_eq(a, b)) return 0;
    if (!a->ns && b->ns) return -1;
    if (a->ns) {
        if (!b->ns) return 1;
        int c = opt_string_compare(a->ns, b->ns);
        if (c) return c;
    }
    return opt_string_compare(a->name, b->name);
}

static inline bool is_number(gv_val v) { return v.t == GV_LONG || v.t == GV_DOUBLE; }

int gv_compare(gv_vm *vm, gv_val a, gv_val b) {
    if (gv_identical(a, b)) return 0;
    if (a.t == GV_NIL) return -1;
    if (b.t == GV_NIL) return 1;
    switch (a.t) {
    case GV_LONG: case GV_DOUBLE: {
        if (!is_number(b)) cast_error(vm, b, "java.lang.Number");
        if (a.t == GV_LONG && b.t == GV_LONG)
            return a.as.i < b.as.i ? -1 : a.as.i > b.as.i;
        double x = a.t == GV_LONG ? (double)a.as.i : a.as.d;
        double y = b.t == GV_LONG ? (double)b.as.i : b.as.d;
        return x < y ? -1 : y < x ? 1 : 0;
    }
    case GV_STRING:
        if (b.t != GV_STRING) cast_error(vm, b, "java.lang.String");
        return opt_string_compare(GV_AS(gv_string, a), GV_AS(gv_string, b));
    case GV_CHAR:
        if (b.t != GV_CHAR) cast_error(vm, b, "java.lang.Character");
        return a.as.c - b.as.c;
    case GV_BOOL:
        if (b.t != GV_BOOL) cast_error(vm, b, "java.lang.Boolean");
        return a.as.b == b.as.b ? 0 : a.as.b ? 1 : -1;
    case GV_KEYWORD:
        if (b.t != GV_KEYWORD) cast_error(vm, b, "clojure.lang.Keyword");
        return symbol_compare(GV_AS(gv_keyword, a)->sym, GV_AS(gv_keyword, b)->sym);
    case GV_SYMBOL:
        if (b.t != GV_SYMBOL) cast_error(vm, b, "clojure.lang.Symbol");
        return symbol_compare(GV_AS(gv_symbol, a), GV_AS(gv_symbol, b));
    case GV_VECTOR: {
        if (b.t != GV_VECTOR) cast_error(vm, b, "clojure.lang.IPersistentVector");
        check_stack(vm);
        int64_t na = gv_vec_count(a), nb = gv_vec_count(b);
        if (na != nb) return na < nb ? -1 : 1;
        for (int64_t i = 0; i < na; i++) {
            int c = gv_compare(vm, gv_vec_nth(a, i), gv_vec_nth(b, i));
            if (c) return c;
        }
        return 0;
    }
    default:
        cast_error(vm, a, "java.lang.Comparable");
    }
}
