/* test_coll.c — unit tests of the persistent collections (vector.c,
 * hashmap.c, set.c) and of equality, hashing and comparison (hash.c).
 *
 * Randomized model tests (seeded, reproducible) run thousands of
 * operations against plain arrays searched linearly, check that old
 * versions never change, and cross the vector trie's 32 / 1024 / 32768
 * boundaries and the array map -> HAMT transition.  Expected hashes and
 * iteration orders were taken from real Clojure 1.11, e.g.
 *   clojure -e '(prn (map hash [0 1 -1 42 1.5 "abc" :a ...]))'
 * A second pass runs smaller model tests with the GC in stress mode,
 * passing a safe point after every operation, with the values under test
 * held in gv_ref handles.
 *
 * Everything runs inside gv_pcall so that gv_push, gv_try and safe points
 * have a process.  Prints "test_coll: N passed, M failed"; exit status 1
 * on any failure.
 */
#include "vm.h"

#include <inttypes.h>

static int npass, nfail;

static void check(bool ok, const char *what, int line) {
    if (ok) {
        npass++;
        return;
    }
    nfail++;
    if (nfail <= 40) fprintf(stderr, "test_coll.c:%d: FAIL: %s\n", line, what);
}
#define CHECK(c) check((c), #c, __LINE__)

/* ---- deterministic random numbers -------------------------------------- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rnd(rng *r) {
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}
static int64_t rndn(rng *r, int64_t n) { return (int64_t)(rnd(r) % (uint64_t)n); }

/* ---- a tiny printer (prn of the simple values used here) -------------- */

typedef struct pctx {
    gv_buf *b;
    bool first;
} pctx;

static void pr(gv_vm *vm, gv_buf *b, gv_val v);

static bool pr_entry(gv_vm *vm, gv_val k, gv_val v, void *ctx) {
    pctx *p = ctx;
    if (!p->first) gv_buf_puts(p->b, ", ");
    p->first = false;
    pr(vm, p->b, k);
    gv_buf_putc(p->b, ' ');
    pr(vm, p->b, v);
    return true;
}

static bool pr_elem(gv_vm *vm, gv_val x, void *ctx) {
    pctx *p = ctx;
    if (!p->first) gv_buf_putc(p->b, ' ');
    p->first = false;
    pr(vm, p->b, x);
    return true;
}

static void pr(gv_vm *vm, gv_buf *b, gv_val v) {
    switch (v.t) {
    case GV_NIL: gv_buf_puts(b, "nil"); break;
    case GV_BOOL: gv_buf_puts(b, v.as.b ? "true" : "false"); break;
    case GV_LONG: gv_buf_printf(b, "%" PRId64, v.as.i); break;
    case GV_DOUBLE:
        if (v.as.d == (double)(int64_t)v.as.d) gv_buf_printf(b, "%.1f", v.as.d);
        else gv_buf_printf(b, "%g", v.as.d);
        break;
    case GV_CHAR: gv_buf_putc(b, '\\'); gv_buf_put_utf8(b, v.as.c); break;
    case GV_STRING: gv_buf_printf(b, "\"%s\"", GV_AS(gv_string, v)->data); break;
    case GV_KEYWORD: gv_buf_putc(b, ':'); /* fall through */
    case GV_SYMBOL: {
        gv_symbol *s = v.t == GV_KEYWORD ? GV_AS(gv_keyword, v)->sym : GV_AS(gv_symbol, v);
        if (s->ns) gv_buf_printf(b, "%s/", s->ns->data);
        gv_buf_puts(b, s->name->data);
        break;
    }
    case GV_VECTOR: {
        gv_buf_putc(b, '[');
        for (int64_t i = 0; i < gv_vec_count(v); i++) {
            if (i) gv_buf_putc(b, ' ');
            pr(vm, b, gv_vec_nth(v, i));
        }
        gv_buf_putc(b, ']');
        break;
    }
    case GV_ARRAYMAP: case GV_HASHMAP: {
        pctx p = {b, true};
        gv_buf_putc(b, '{');
        gv_map_each(vm, v, pr_entry, &p);
        gv_buf_putc(b, '}');
        break;
    }
    case GV_SET: {
        pctx p = {b, true};
        gv_buf_puts(b, "#{");
        gv_set_each(vm, v, pr_elem, &p);
        gv_buf_putc(b, '}');
        break;
    }
    default: gv_buf_puts(b, "#<?>"); break;
    }
}

static bool printed_as(gv_vm *vm, gv_val v, const char *expect) {
    gv_buf b;
    gv_buf_init(&b);
    pr(vm, &b, v);
    gv_buf_putc(&b, '\0');
    bool ok = strcmp(b.p, expect) == 0;
    if (!ok) fprintf(stderr, "  printed: %s\n  expected: %s\n", b.p, expect);
    gv_buf_free(&b);
    return ok;
}

/* ---- value helpers ---------------------------------------------------- */

static gv_val L(int64_t i) { return gv_l(i); }

static gv_val vec_of_longs(gv_vm *vm, int n, const int64_t *xs) {
    gv_val v = gv_vec_empty(vm);
    for (int i = 0; i < n; i++) v = gv_vec_conj(vm, v, L(xs[i]));
    return v;
}

static gv_val set_from(gv_vm *vm, int n, const gv_val *xs) {
    gv_val s = gv_set_empty(vm);
    for (int i = 0; i < n; i++) s = gv_set_conj(vm, s, xs[i]);
    return s;
}

static void ref_set(gv_vm *vm, gv_ref **r, gv_val v) {
    gv_ref_free(vm, r);
    *r = gv_ref_new(vm, v);
}

/* Values of the vector model: id i stands for the long i, or for the
 * string "s<i>" when i % 3 == 0 (heap objects, so the GC pass can tell a
 * lost node). */
static gv_val vval(gv_vm *vm, int64_t id) {
    if (id % 3 == 0) {
        char s[32];
        snprintf(s, sizeof s, "s%" PRId64, id);
        return gv_cstr(vm, s);
    }
    return L(id);
}

static bool vval_is(gv_val v, int64_t id) {
    if (id % 3 == 0) {
        char s[32];
        snprintf(s, sizeof s, "s%" PRId64, id);
        return v.t == GV_STRING && strcmp(GV_AS(gv_string, v)->data, s) == 0;
    }
    return v.t == GV_LONG && v.as.i == id;
}

/* ---- vector model test ------------------------------------------------- */

typedef struct lmodel {
    int64_t *a;
    size_t n, cap;
} lmodel;

static void lm_push(lmodel *m, int64_t x) {
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->a = realloc(m->a, m->cap * sizeof *m->a);
    }
    m->a[m->n++] = x;
}

static lmodel lm_copy(const lmodel *m) {
    lmodel c = {malloc((m->n ? m->n : 1) * sizeof *m->a), m->n, m->n};
    memcpy(c.a, m->a, m->n * sizeof *m->a);
    return c;
}

static bool vec_matches(gv_val v, const lmodel *m) {
    if (v.t != GV_VECTOR || (size_t)gv_vec_count(v) != m->n) return false;
    for (size_t i = 0; i < m->n; i++)
        if (!vval_is(gv_vec_nth(v, (int64_t)i), m->a[i])) return false;
    return true;
}

#define NSNAP 8

typedef struct snap {
    gv_ref *ref;
    lmodel m;
} snap;

static bool near_boundary(size_t n) {
    static const size_t b[] = {32, 1024, 1056, 32768, 32800};
    for (size_t i = 0; i < sizeof b / sizeof *b; i++)
        if (n + 2 >= b[i] && n <= b[i] + 2) return true;
    return false;
}

/* Grows a vector to TOP elements and shrinks it back to empty, with
 * assocs mixed in; STRESS passes a safe point after every operation. */
static void test_vector_model(gv_vm *vm, uint64_t seed, size_t top, bool stress) {
    rng r = {seed};
    lmodel m = {0};
    snap snaps[NSNAP] = {{0}};
    int nsnap = 0;
    gv_ref *cur = gv_ref_new(vm, gv_vec_empty(vm));
    int64_t next_id = 1;
    size_t ops = 0, full_every = stress ? 97 : 4093;
    bool ok = true;
    for (int phase = 0; phase < 2; phase++) {
        while (phase == 0 ? m.n < top : m.n > 0) {
            gv_val v = gv_ref_get(cur);
            int64_t op = rndn(&r, 10);
            if (op < 2 && m.n > 0) {
                size_t i = (size_t)rndn(&r, (int64_t)m.n);
                int64_t id = next_id++;
                v = gv_vec_assoc(vm, v, (int64_t)i, vval(vm, id));
                m.a[i] = id;
                ok &= vval_is(gv_vec_nth(v, (int64_t)i), id);
            } else if ((op < 8) == (phase == 0)) {
                int64_t id = next_id++;
                v = gv_vec_conj(vm, v, vval(vm, id));
                lm_push(&m, id);
                ok &= vval_is(gv_vec_nth(v, (int64_t)m.n - 1), id);
            } else if (m.n > 0) {
                v = gv_vec_pop(vm, v);
                m.n--;
            }
            ok &= (size_t)gv_vec_count(v) == m.n;
            if (m.n) {
                size_t i = (size_t)rndn(&r, (int64_t)m.n);
                ok &= vval_is(gv_vec_nth(v, (int64_t)i), m.a[i]);
            }
            ref_set(vm, &cur, v);
            if (stress) gv_safepoint(vm);
            v = gv_ref_get(cur);
            if (++ops % full_every == 0 || near_boundary(m.n)) ok &= vec_matches(v, &m);
            if (ops % (top / 4 + 1) == 0) {
                snap *s = &snaps[nsnap % NSNAP];
                gv_ref_free(vm, &s->ref);
                free(s->m.a);
                s->ref = gv_ref_new(vm, v);
                s->m = lm_copy(&m);
                nsnap++;
            }
        }
    }
    CHECK(ok);
    CHECK(vec_matches(gv_ref_get(cur), &m) && m.n == 0);
    CHECK(gv_equiv(vm, gv_ref_get(cur), gv_vec_empty(vm)));
    for (int i = 0; i < NSNAP && i < nsnap; i++) {
        CHECK(vec_matches(gv_ref_get(snaps[i].ref), &snaps[i].m));
        gv_ref_free(vm, &snaps[i].ref);
        free(snaps[i].m.a);
    }
    gv_ref_free(vm, &cur);
    free(m.a);
}

/* gv_vec_from and the builder agree with conj, across the boundaries, and
 * a frozen built vector is never touched by later updates. */
static void test_vector_build(gv_vm *vm) {
    static const int64_t sizes[] = {0, 1, 31, 32, 33, 64, 1024, 1025, 1056, 1057, 32800, 32801, 40000};
    gv_val *tmp = malloc(40000 * sizeof(gv_val));
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        int64_t n = sizes[si];
        for (int64_t i = 0; i < n; i++) tmp[i] = L(i * 7);
        gv_val a = gv_vec_from(vm, n, tmp);
        gv_vecb b;
        gv_vecb_init(vm, &b);
        for (int64_t i = 0; i < n; i++) gv_vecb_add(vm, &b, L(i * 7));
        gv_val c = gv_vecb_done(vm, &b);
        bool ok = gv_vec_count(a) == n && gv_vec_count(c) == n;
        for (int64_t i = 0; ok && i < n; i++)
            ok = gv_vec_nth(a, i).as.i == i * 7 && gv_vec_nth(c, i).as.i == i * 7;
        CHECK(ok);
        CHECK(gv_equiv(vm, a, c) && gv_hash(vm, a) == gv_hash(vm, c));
        /* Persistent updates of the built vectors leave them unchanged. */
        gv_val c2 = gv_vec_conj(vm, c, L(-1));
        gv_val a2 = n ? gv_vec_assoc(vm, a, n - 1, L(-2)) : a;
        gv_val c3 = n ? gv_vec_pop(vm, c) : c;
        CHECK(gv_vec_count(c2) == n + 1 && gv_vec_nth(c2, n).as.i == -1);
        CHECK(gv_vec_count(c3) == (n ? n - 1 : 0));
        CHECK(gv_vec_count(c) == n && (n == 0 || gv_vec_nth(c, n - 1).as.i == (n - 1) * 7));
        CHECK(n == 0 || (gv_vec_nth(a, n - 1).as.i == (n - 1) * 7 && gv_vec_nth(a2, n - 1).as.i == -2));
    }
    free(tmp);
    /* Empty vectors. */
    CHECK(gv_vec_count(gv_vec_empty(vm)) == 0);
    CHECK(gv_vec_count(gv_vec_pop(vm, gv_vec_from(vm, 1, (gv_val[]){L(1)}))) == 0);
    gv_val e = gv_map_entry(vm, gv_kw(vm, "a"), L(1));
    CHECK(gv_vec_count(e) == 2 && gv_identical(gv_vec_nth(e, 0), gv_kw(vm, "a")));
    CHECK(gv_equiv(vm, e, gv_vec_from(vm, 2, (gv_val[]){gv_kw(vm, "a"), L(1)})));
}

/* Conj shares a tail with spare room and appends in place only while no
 * other vector has claimed the slot: branches from one vector must not
 * see each other's elements. */
static void test_vector_branching(gv_vm *vm) {
    static const int64_t sizes[] = {0, 1, 3, 4, 5, 8, 16, 17, 31, 32, 33, 40, 1056, 1100};
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        int64_t n = sizes[si];
        gv_val v = gv_vec_empty(vm);
        for (int64_t i = 0; i < n; i++) v = gv_vec_conj(vm, v, L(i));
        gv_val a = gv_vec_conj(vm, v, L(100));
        gv_val b = gv_vec_conj(vm, v, L(200));
        gv_val c = gv_vec_conj(vm, a, L(300));
        gv_val d = gv_vec_conj(vm, b, L(400));
        gv_val p = gv_vec_pop(vm, c);
        gv_val e = gv_vec_conj(vm, p, L(500));
        gv_val f = n ? gv_vec_conj(vm, gv_vec_assoc(vm, v, n - 1, L(-1)), L(600)) : a;
        gv_val g = n ? gv_vec_conj(vm, gv_vec_pop(vm, v), L(700)) : a;
        bool ok = gv_vec_count(v) == n && gv_vec_count(a) == n + 1 && gv_vec_count(c) == n + 2;
        for (int64_t i = 0; ok && i < n; i++) {
            ok = gv_vec_nth(v, i).as.i == i && gv_vec_nth(a, i).as.i == i &&
                 gv_vec_nth(d, i).as.i == i && gv_vec_nth(e, i).as.i == i;
            if (i < n - 1) ok = ok && gv_vec_nth(f, i).as.i == i && gv_vec_nth(g, i).as.i == i;
        }
        ok = ok && gv_vec_nth(a, n).as.i == 100 && gv_vec_nth(b, n).as.i == 200;
        ok = ok && gv_vec_nth(c, n).as.i == 100 && gv_vec_nth(c, n + 1).as.i == 300;
        ok = ok && gv_vec_nth(d, n).as.i == 200 && gv_vec_nth(d, n + 1).as.i == 400;
        ok = ok && gv_vec_nth(e, n).as.i == 100 && gv_vec_nth(e, n + 1).as.i == 500;
        ok = ok && gv_vec_count(p) == n + 1;
        if (n) {
            ok = ok && gv_vec_nth(f, n - 1).as.i == -1 && gv_vec_nth(f, n).as.i == 600;
            ok = ok && gv_vec_count(g) == n && gv_vec_nth(g, n - 1).as.i == 700;
            ok = ok && gv_vec_nth(v, n - 1).as.i == n - 1;
        }
        CHECK(ok);
    }
}

/* Under GC stress: built vectors (whose nodes the builder filled in
 * place) survive collections whole, and so does a builder's vector while
 * it is still being filled. */
static void test_vector_build_gc(gv_vm *vm) {
    static const int64_t sizes[] = {33, 1057, 2100};
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        int64_t n = sizes[si];
        gv_val *tmp = malloc((size_t)n * sizeof(gv_val));
        for (int64_t i = 0; i < n; i++) tmp[i] = vval(vm, i);
        gv_ref *a = gv_ref_new(vm, gv_vec_from(vm, n, tmp));
        free(tmp);
        gv_vecb b;
        gv_vecb_init(vm, &b);
        for (int64_t i = 0; i < n; i++) {
            gv_vecb_add(vm, &b, vval(vm, i));
            if (i % 64 == 0) gv_safepoint(vm);
        }
        gv_ref *c = gv_ref_new(vm, gv_vecb_done(vm, &b));
        gv_safepoint(vm);
        bool ok = true;
        for (int64_t i = 0; i < n; i++) {
            ok &= vval_is(gv_vec_nth(gv_ref_get(a), i), i);
            ok &= vval_is(gv_vec_nth(gv_ref_get(c), i), i);
        }
        CHECK(ok);
        gv_ref_free(vm, &a);
        gv_ref_free(vm, &c);
    }
}

/* ---- map and set model tests ------------------------------------------ */

/* Key ids: 0 is nil; 1..16 are strings of "Aa"/"BB" blocks, which all
 * share one Java hashCode and so one Clojure hash; beyond that ids cycle
 * through longs, strings, keywords and vectors. */
static gv_val key_of(gv_vm *vm, int64_t id) {
    char s[40];
    if (id == 0) return GV_NILV;
    if (id <= 16) {
        int64_t bits = id - 1;
        s[0] = 0;
        for (int i = 0; i < 4; i++) strcat(s, (bits >> i) & 1 ? "BB" : "Aa");
        return gv_cstr(vm, s);
    }
    switch (id % 4) {
    case 0: return L(id);
    case 1: snprintf(s, sizeof s, "k%" PRId64, id); return gv_cstr(vm, s);
    case 2: snprintf(s, sizeof s, "k%" PRId64, id); return gv_kw(vm, s);
    default: {
        gv_val xs[2] = {L(id), gv_cstr(vm, "v")};
        return gv_vec_from(vm, 2, xs);
    }
    }
}

/* The id of key K (inverse of key_of), or -1. */
static int64_t id_of(gv_val k) {
    switch (k.t) {
    case GV_NIL: return 0;
    case GV_LONG: return k.as.i;
    case GV_STRING: {
        const char *s = GV_AS(gv_string, k)->data;
        if (s[0] == 'k') return strtoll(s + 1, NULL, 10);
        int64_t bits = 0;
        for (int i = 0; i < 4; i++) if (s[2 * i] == 'B') bits |= 1 << i;
        return bits + 1;
    }
    case GV_KEYWORD: return strtoll(GV_AS(gv_keyword, k)->sym->name->data + 1, NULL, 10);
    case GV_VECTOR: return gv_vec_nth(k, 0).as.i;
    default: return -1;
    }
}

/* Insertion-ordered entries (id, value). */
typedef struct mmodel {
    int64_t *k, *v;
    size_t n, cap;
} mmodel;

static ptrdiff_t mm_find(const mmodel *m, int64_t id) {
    for (size_t i = 0; i < m->n; i++) if (m->k[i] == id) return (ptrdiff_t)i;
    return -1;
}

static void mm_assoc(mmodel *m, int64_t id, int64_t v) {
    ptrdiff_t i = mm_find(m, id);
    if (i >= 0) { m->v[i] = v; return; }
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->k = realloc(m->k, m->cap * sizeof *m->k);
        m->v = realloc(m->v, m->cap * sizeof *m->v);
    }
    m->k[m->n] = id;
    m->v[m->n++] = v;
}

static void mm_dissoc(mmodel *m, int64_t id) {
    ptrdiff_t i = mm_find(m, id);
    if (i < 0) return;
    memmove(m->k + i, m->k + i + 1, (m->n - (size_t)i - 1) * sizeof *m->k);
    memmove(m->v + i, m->v + i + 1, (m->n - (size_t)i - 1) * sizeof *m->v);
    m->n--;
}

static mmodel mm_copy(const mmodel *m) {
    size_t c = m->n ? m->n : 1;
    mmodel r = {malloc(c * sizeof(int64_t)), malloc(c * sizeof(int64_t)), m->n, m->n};
    memcpy(r.k, m->k, m->n * sizeof(int64_t));
    memcpy(r.v, m->v, m->n * sizeof(int64_t));
    return r;
}

static void mm_free(mmodel *m) { free(m->k); free(m->v); }

typedef struct walk {
    const mmodel *m;
    size_t seen;
    bool ok;
    bool ordered; /* array maps: entries in model order */
    bool is_set;
} walk;

static bool walk_entry(gv_vm *vm, gv_val k, gv_val v, void *ctx) {
    (void)vm;
    walk *w = ctx;
    int64_t id = id_of(k);
    ptrdiff_t i = mm_find(w->m, id);
    if (i < 0 || (w->ordered && (size_t)i != w->seen)) w->ok = false;
    else if (!w->is_set && !(v.t == GV_LONG && v.as.i == w->m->v[i])) w->ok = false;
    w->seen++;
    return true;
}

static bool walk_elem(gv_vm *vm, gv_val x, void *ctx) {
    return walk_entry(vm, x, GV_NILV, ctx);
}

static bool map_matches(gv_vm *vm, gv_val map, const mmodel *m) {
    if (!gv_is_map(map) || (size_t)gv_map_count(map) != m->n) return false;
    walk w = {m, 0, true, map.t == GV_ARRAYMAP, false};
    gv_map_each(vm, map, walk_entry, &w);
    if (!w.ok || w.seen != m->n) return false;
    /* The seq agrees with the walk. */
    size_t n = 0;
    for (gv_val s = gv_map_seq(vm, map); s.t != GV_NIL; s = gv_next(vm, s)) {
        gv_val e = gv_first(vm, s);
        if (e.t != GV_VECTOR || gv_vec_count(e) != 2) return false;
        ptrdiff_t i = mm_find(m, id_of(gv_vec_nth(e, 0)));
        if (i < 0 || gv_vec_nth(e, 1).as.i != m->v[i]) return false;
        n++;
    }
    return n == m->n;
}

static bool set_matches(gv_vm *vm, gv_val set, const mmodel *m) {
    if (set.t != GV_SET || (size_t)gv_set_count(set) != m->n) return false;
    walk w = {m, 0, true, false, true};
    gv_set_each(vm, set, walk_elem, &w);
    if (!w.ok || w.seen != m->n) return false;
    size_t n = 0;
    for (gv_val s = gv_set_seq(vm, set); s.t != GV_NIL; s = gv_next(vm, s)) {
        if (mm_find(m, id_of(gv_first(vm, s))) < 0) return false;
        n++;
    }
    return n == m->n;
}

typedef struct msnap {
    gv_ref *ref;
    mmodel m;
} msnap;

/* Random assoc/dissoc/get over key ids [0, POOL); IS_SET runs the same
 * against sets (conj/disj/contains).  Restarts from empty now and then so
 * that small pools exercise the array map <-> HAMT boundary repeatedly. */
static void test_map_model(gv_vm *vm, uint64_t seed, int64_t pool, int nops,
                           bool is_set, bool stress) {
    rng r = {seed};
    mmodel m = {0};
    msnap snaps[NSNAP] = {{0}};
    int nsnap = 0;
    gv_ref *cur = gv_ref_new(vm, is_set ? gv_set_empty(vm) : gv_map_empty(vm));
    bool ok = true, was_hamt = false, kind_ok = true;
    int full_every = stress ? 37 : 211;
    for (int op = 1; op <= nops; op++) {
        gv_val c = gv_ref_get(cur);
        int64_t id = rndn(&r, pool);
        int64_t what = rndn(&r, 10);
        gv_val k = key_of(vm, id);
        if (what < 5) {
            int64_t val = rndn(&r, 1000);
            if (is_set) {
                c = gv_set_conj(vm, c, k);
                mm_assoc(&m, id, 0);
            } else {
                c = gv_map_assoc(vm, c, k, L(val));
                mm_assoc(&m, id, val);
            }
        } else if (what < 8) {
            gv_val before = c;
            bool had = mm_find(&m, id) >= 0;
            c = is_set ? gv_set_disj(vm, c, k) : gv_map_dissoc(vm, c, k);
            mm_dissoc(&m, id);
            if (!had) ok &= gv_identical(before, c);
        } else if (what < 9) {
            /* a lookup only */
        } else if (op % 500 == 0) {
            c = is_set ? gv_set_empty(vm) : gv_map_empty(vm);
            m.n = 0;
            was_hamt = false;
        }
        if (!is_set) {
            if (c.t == GV_HASHMAP) was_hamt = true;
            /* Array maps up to 8 entries, HAMT past that and ever after. */
            kind_ok &= c.t == ((m.n > 8 || was_hamt) ? GV_HASHMAP : GV_ARRAYMAP);
        }
        /* Lookups of a random key, present or not, with a fresh copy. */
        int64_t q = rndn(&r, pool);
        gv_val qk = key_of(vm, q);
        ptrdiff_t qi = mm_find(&m, q);
        if (is_set) {
            ok &= gv_set_contains(vm, c, qk) == (qi >= 0);
            ok &= (size_t)gv_set_count(c) == m.n;
        } else {
            gv_val got = gv_map_get(vm, c, qk, gv_kw(vm, "none"));
            ok &= qi >= 0 ? (got.t == GV_LONG && got.as.i == m.v[qi])
                          : gv_identical(got, gv_kw(vm, "none"));
            ok &= gv_map_contains(vm, c, qk) == (qi >= 0);
            ok &= (size_t)gv_map_count(c) == m.n;
        }
        ref_set(vm, &cur, c);
        if (stress) gv_safepoint(vm);
        c = gv_ref_get(cur);
        if (op % full_every == 0)
            ok &= is_set ? set_matches(vm, c, &m) : map_matches(vm, c, &m);
        if (op % (nops / 6 + 1) == 0) {
            msnap *s = &snaps[nsnap % NSNAP];
            gv_ref_free(vm, &s->ref);
            mm_free(&s->m);
            s->ref = gv_ref_new(vm, c);
            s->m = mm_copy(&m);
            nsnap++;
        }
    }
    CHECK(ok);
    CHECK(kind_ok);
    CHECK(is_set ? set_matches(vm, gv_ref_get(cur), &m) : map_matches(vm, gv_ref_get(cur), &m));
    for (int i = 0; i < NSNAP && i < nsnap; i++) {
        gv_val sv = gv_ref_get(snaps[i].ref);
        CHECK(is_set ? set_matches(vm, sv, &snaps[i].m) : map_matches(vm, sv, &snaps[i].m));
        gv_ref_free(vm, &snaps[i].ref);
        mm_free(&snaps[i].m);
    }
    gv_ref_free(vm, &cur);
    mm_free(&m);
}

/* The in-place map and set builders agree with persistent assoc/conj,
 * never change the map they start from, and hand back maps that later
 * updates do not touch.  With STRESS a safe point follows every add. */
static void test_builders(gv_vm *vm, uint64_t seed, int64_t pool, int nadd, bool stress) {
    rng r = {seed};
    for (int round = 0; round < 3; round++) {
        /* Round 0 starts from {}, 1 from a HAMT, 2 from a small array map. */
        gv_val start = gv_map_empty(vm);
        int nstart = round == 1 ? 50 : round == 2 ? 3 : 0;
        for (int i = 0; i < nstart; i++) start = gv_map_assoc(vm, start, key_of(vm, rndn(&r, pool)), L(-i));
        gv_ref *sref = gv_ref_new(vm, start);
        gv_ref *pref = gv_ref_new(vm, start);
        int64_t start_count = gv_map_count(start);
        gv_buf before;
        gv_buf_init(&before);
        pr(vm, &before, start);
        gv_mapb b;
        gv_mapb_init(vm, &b, start);
        bool ok = true;
        for (int i = 0; i < nadd; i++) {
            int64_t id = rndn(&r, pool), val = rndn(&r, 100);
            gv_mapb_assoc(vm, &b, key_of(vm, id), L(val));
            ref_set(vm, &pref, gv_map_assoc(vm, gv_ref_get(pref), key_of(vm, id), L(val)));
            if (stress) gv_safepoint(vm);
            if (round == 2 && i == 2) ok &= b.root->t == GV_ARRAYMAP;
        }
        gv_ref *bref = gv_ref_new(vm, gv_mapb_done(vm, &b));
        if (stress) gv_safepoint(vm);
        gv_val built = gv_ref_get(bref), pers = gv_ref_get(pref);
        ok &= gv_equiv(vm, built, pers) && gv_hash(vm, built) == gv_hash(vm, pers);
        ok &= gv_map_count(built) == gv_map_count(pers);
        ok &= built.t == pers.t;
        /* Same iteration order as the persistently built map. */
        gv_buf x, y, after;
        gv_buf_init(&x);
        gv_buf_init(&y);
        gv_buf_init(&after);
        pr(vm, &x, built);
        pr(vm, &y, pers);
        pr(vm, &after, gv_ref_get(sref));
        ok &= x.len == y.len && memcmp(x.p, y.p, x.len) == 0;
        ok &= gv_map_count(gv_ref_get(sref)) == start_count;
        ok &= before.len == after.len && memcmp(before.p, after.p, before.len) == 0;
        /* Persistent updates of the result leave it alone. */
        int64_t n = gv_map_count(built);
        gv_val k = key_of(vm, pool + 3);
        gv_val u = gv_map_assoc(vm, built, k, L(1));
        for (int64_t id = 0; id < 40; id++) u = gv_map_assoc(vm, u, key_of(vm, id), L(id + 1000));
        ok &= gv_map_count(built) == n && !gv_map_contains(vm, built, k) && gv_map_contains(vm, u, k);
        /* Nor does a later builder starting from it. */
        gv_mapb b2;
        gv_mapb_init(vm, &b2, built);
        for (int64_t id = 0; id < 300; id++) gv_mapb_assoc(vm, &b2, key_of(vm, id), L(id + 2000));
        u = gv_mapb_done(vm, &b2);
        ok &= gv_map_count(built) == n && gv_map_count(u) >= 300;
        gv_buf_free(&x);
        gv_buf_init(&x);
        pr(vm, &x, built);
        ok &= x.len == y.len && memcmp(x.p, y.p, x.len) == 0;
        CHECK(ok);
        gv_buf_free(&x);
        gv_buf_free(&y);
        gv_buf_free(&before);
        gv_buf_free(&after);
        gv_ref_free(vm, &sref);
        gv_ref_free(vm, &pref);
        gv_ref_free(vm, &bref);
    }
    /* Sets. */
    gv_val s0 = set_from(vm, 3, (gv_val[]){L(1), L(2), L(3)});
    gv_ref *s0ref = gv_ref_new(vm, s0);
    gv_ref *pset = gv_ref_new(vm, s0);
    gv_setb sb;
    gv_setb_init(vm, &sb, s0);
    for (int i = 0; i < nadd; i++) {
        int64_t id = rndn(&r, pool);
        gv_setb_add(vm, &sb, key_of(vm, id));
        ref_set(vm, &pset, gv_set_conj(vm, gv_ref_get(pset), key_of(vm, id)));
        if (stress) gv_safepoint(vm);
    }
    gv_ref *bset = gv_ref_new(vm, gv_setb_done(vm, &sb));
    if (stress) gv_safepoint(vm);
    CHECK(gv_equiv(vm, gv_ref_get(bset), gv_ref_get(pset)));
    CHECK(gv_set_count(gv_ref_get(s0ref)) == 3);
    gv_setb_init(vm, &sb, gv_ref_get(s0ref));
    gv_setb_add(vm, &sb, L(2));
    CHECK(gv_identical(gv_setb_done(vm, &sb), gv_ref_get(s0ref)));
    gv_ref_free(vm, &s0ref);
    gv_ref_free(vm, &pset);
    gv_ref_free(vm, &bset);
    /* A big gv_map_from equals the same map built by assoc. */
    gv_val *kv = malloc(2 * 3000 * sizeof(gv_val));
    gv_val pm = gv_map_empty(vm);
    for (int i = 0; i < 3000; i++) {
        kv[2 * i] = key_of(vm, rndn(&r, 2000));
        kv[2 * i + 1] = L(i);
        pm = gv_map_assoc(vm, pm, kv[2 * i], kv[2 * i + 1]);
    }
    gv_val fm = gv_map_from(vm, 3000, kv);
    CHECK(gv_equiv(vm, fm, pm) && gv_map_count(fm) == gv_map_count(pm));
    free(kv);
}

/* A HAMT's order depends only on its keys' hashes: building the same key
 * set in another order, with dissocs in between, iterates identically. */
static void test_hamt_order(gv_vm *vm) {
    rng r = {99};
    enum { N = 2000 };
    gv_val a = gv_hashmap_empty(vm), b = gv_hashmap_empty(vm);
    for (int64_t i = 17; i < 17 + N; i++) a = gv_map_assoc(vm, a, key_of(vm, i), L(i));
    int64_t perm[N];
    for (int i = 0; i < N; i++) perm[i] = 17 + i;
    for (int i = N - 1; i > 0; i--) {
        int64_t j = rndn(&r, i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (int i = 0; i < N; i++) {
        b = gv_map_assoc(vm, b, key_of(vm, perm[i]), L(perm[i]));
        if (i % 3 == 0) b = gv_map_dissoc(vm, b, key_of(vm, perm[i / 2]));
    }
    for (int i = 0; i < N; i++) b = gv_map_assoc(vm, b, key_of(vm, perm[i]), L(perm[i]));
    gv_buf ba, bb;
    gv_buf_init(&ba);
    gv_buf_init(&bb);
    pr(vm, &ba, a);
    pr(vm, &bb, b);
    CHECK(ba.len == bb.len && memcmp(ba.p, bb.p, ba.len) == 0);
    gv_buf_free(&ba);
    gv_buf_free(&bb);
    CHECK(gv_equiv(vm, a, b) && gv_hash(vm, a) == gv_hash(vm, b));
    /* Dissoc everything: empty, still a HAMT. */
    for (int i = 0; i < N; i++) b = gv_map_dissoc(vm, b, key_of(vm, perm[i]));
    CHECK(b.t == GV_HASHMAP && gv_map_count(b) == 0 && gv_map_seq(vm, b).t == GV_NIL);
    CHECK(gv_equiv(vm, b, gv_map_empty(vm)));
}

/* Collisions: sixteen keys with one hash keep insertion order. */
static void test_collisions(gv_vm *vm) {
    CHECK(gv_hash(vm, key_of(vm, 1)) == gv_hash(vm, key_of(vm, 16)));
    gv_val m = gv_hashmap_empty(vm);
    for (int64_t i = 16; i >= 1; i--) m = gv_map_assoc(vm, m, key_of(vm, i), L(i));
    CHECK(gv_map_count(m) == 16);
    CHECK(printed_as(vm, m,
        "{\"BBBBBBBB\" 16, \"AaBBBBBB\" 15, \"BBAaBBBB\" 14, \"AaAaBBBB\" 13, "
        "\"BBBBAaBB\" 12, \"AaBBAaBB\" 11, \"BBAaAaBB\" 10, \"AaAaAaBB\" 9, "
        "\"BBBBBBAa\" 8, \"AaBBBBAa\" 7, \"BBAaBBAa\" 6, \"AaAaBBAa\" 5, "
        "\"BBBBAaAa\" 4, \"AaBBAaAa\" 3, \"BBAaAaAa\" 2, \"AaAaAaAa\" 1}"));
    /* Mixed with non-colliding keys, then removed one by one. */
    for (int64_t i = 17; i < 200; i++) m = gv_map_assoc(vm, m, key_of(vm, i), L(i));
    for (int64_t i = 1; i <= 16; i += 2) m = gv_map_dissoc(vm, m, key_of(vm, i));
    bool ok = gv_map_count(m) == 8 + 183;
    for (int64_t i = 1; i < 200; i++) {
        gv_val g = gv_map_get(vm, m, key_of(vm, i), GV_NILV);
        ok &= (i <= 16 && i % 2 == 1) ? g.t == GV_NIL : (g.t == GV_LONG && g.as.i == i);
    }
    CHECK(ok);
}

/* ---- equality, hashing, comparison ------------------------------------ */

static gv_val sym(gv_vm *vm, const char *q) { return gv_symv(vm, q); }

static void test_hash_values(gv_vm *vm) {
    /* (map hash [0 1 -1 42 1.5 "abc" :a :a/b 'x [1 2] {:a 1} #{1 2} nil true \a ""]) */
    gv_val v12 = vec_of_longs(vm, 2, (int64_t[]){1, 2});
    gv_val ma1 = gv_map_assoc(vm, gv_map_empty(vm), gv_kw(vm, "a"), L(1));
    gv_val s12 = gv_set_conj(vm, gv_set_conj(vm, gv_set_empty(vm), L(1)), L(2));
    gv_val a[] = {L(0), L(1), L(-1), L(42), gv_d(1.5), gv_cstr(vm, "abc"), gv_kw(vm, "a"),
                  gv_kw(vm, "a/b"), sym(vm, "x"), v12, ma1, s12, GV_NILV, GV_TRUEV,
                  gv_ch('a'), gv_cstr(vm, "")};
    int32_t ea[] = {0, 1392991556, 1651860712, 1871679806, 1073217536, 74834163,
                    -2123407586, 1482224565, -555367584, 156247261, 1772842048,
                    460223544, 0, 1231, 97, 0};
    for (size_t i = 0; i < sizeof a / sizeof *a; i++) {
        if ((int32_t)gv_hash(vm, a[i]) != ea[i])
            fprintf(stderr, "  hash #%zu: %d, expected %d\n", i, (int32_t)gv_hash(vm, a[i]), ea[i]);
        CHECK((int32_t)gv_hash(vm, a[i]) == ea[i]);
    }
    /* (map hash [1.0 -0.0 0.0 2.0 -1.5 ##NaN ##Inf ##-Inf 1e300
     *            Long/MAX_VALUE Long/MIN_VALUE 0.1]) */
    gv_val b[] = {gv_d(1.0), gv_d(-0.0), gv_d(0.0), gv_d(2.0), gv_d(-1.5), gv_d(0.0 / 0.0),
                  gv_d(1.0 / 0.0), gv_d(-1.0 / 0.0), gv_d(1e300), L(INT64_MAX), L(INT64_MIN),
                  gv_d(0.1)};
    int32_t eb[] = {1072693248, 0, 0, 1073741824, -1074266112, 2146959360, 2146435072,
                    -1048576, -164130400, -2106506049, 1366273829, -1507852285};
    for (size_t i = 0; i < sizeof b / sizeof *b; i++) {
        if ((int32_t)gv_hash(vm, b[i]) != eb[i])
            fprintf(stderr, "  hash b#%zu: %d, expected %d\n", i, (int32_t)gv_hash(vm, b[i]), eb[i]);
        CHECK((int32_t)gv_hash(vm, b[i]) == eb[i]);
    }
    /* (map hash ["héllo" "日本語" "😀" 'a/b 'ns.x/y :ns.x/y 'héllo :😀 [] () {} #{}
     *            (range 5) (list 1 2) [[1] {:a [2]}] false \é]) */
    gv_val inner = gv_map_assoc(vm, gv_map_empty(vm), gv_kw(vm, "a"), vec_of_longs(vm, 1, (int64_t[]){2}));
    gv_val nested = gv_vec_from(vm, 2, (gv_val[]){vec_of_longs(vm, 1, (int64_t[]){1}), inner});
    gv_val c[] = {gv_cstr(vm, "h\xc3\xa9llo"), gv_cstr(vm, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"),
                  gv_cstr(vm, "\xf0\x9f\x98\x80"), sym(vm, "a/b"), sym(vm, "ns.x/y"),
                  gv_kw(vm, "ns.x/y"), sym(vm, "h\xc3\xa9llo"), gv_kw(vm, "\xf0\x9f\x98\x80"),
                  gv_vec_empty(vm), gv_list_empty(vm), gv_map_empty(vm), gv_set_empty(vm),
                  gv_range_new(vm, 0, 5, 1, false), gv_list_from(vm, 2, (gv_val[]){L(1), L(2)}),
                  nested, GV_FALSEV, gv_ch(0xe9)};
    int32_t ec[] = {162369042, 1333041691, -1934073014, -1172211204, -113378250, -1753909777,
                    -498587547, 26098551, -2017569654, -2017569654, -15128758, -15128758,
                    -160844199, 156247261, 55495347, 1237, 233};
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        if ((int32_t)gv_hash(vm, c[i]) != ec[i])
            fprintf(stderr, "  hash c#%zu: %d, expected %d\n", i, (int32_t)gv_hash(vm, c[i]), ec[i]);
        CHECK((int32_t)gv_hash(vm, c[i]) == ec[i]);
    }
    CHECK(gv_hash(vm, gv_hashmap_empty(vm)) == gv_hash(vm, gv_map_empty(vm)));
    /* The string hash is cached and stays the same. */
    gv_val s = gv_cstr(vm, "abc");
    CHECK(gv_hash(vm, s) == gv_hash(vm, s) && (GV_OBJ(s)->flags & GV_F_HASHED));
}

static gv_val map_by_assoc(gv_vm *vm, gv_val m, int n, const gv_val *kv) {
    for (int i = 0; i < n; i++) m = gv_map_assoc(vm, m, kv[2 * i], kv[2 * i + 1]);
    return m;
}

static void test_orders(gv_vm *vm) {
    gv_val xs[64];
    /* (set (range 20)) */
    for (int i = 0; i < 20; i++) xs[i] = L(i);
    CHECK(printed_as(vm, set_from(vm, 20, xs),
                     "#{0 7 1 4 15 13 6 17 3 12 2 19 11 9 5 14 16 10 18 8}"));
    /* (into {} (map vector (range 12) (range 12))) */
    gv_val kv[80];
    for (int i = 0; i < 12; i++) kv[2 * i] = kv[2 * i + 1] = L(i);
    gv_val m12 = map_by_assoc(vm, gv_map_empty(vm), 12, kv);
    CHECK(m12.t == GV_HASHMAP);
    CHECK(printed_as(vm, m12, "{0 0, 7 7, 1 1, 4 4, 6 6, 3 3, 2 2, 11 11, 9 9, 5 5, 10 10, 8 8}"));
    CHECK(printed_as(vm, gv_map_from(vm, 12, kv),
                     "{0 0, 7 7, 1 1, 4 4, 6 6, 3 3, 2 2, 11 11, 9 9, 5 5, 10 10, 8 8}"));
    /* (set ["apple" "banana" "cherry" :x :y 3.5 nil]) */
    gv_val f[] = {gv_cstr(vm, "apple"), gv_cstr(vm, "banana"), gv_cstr(vm, "cherry"),
                  gv_kw(vm, "x"), gv_kw(vm, "y"), gv_d(3.5), GV_NILV};
    CHECK(printed_as(vm, set_from(vm, 7, f), "#{nil 3.5 :y \"apple\" \"banana\" :x \"cherry\"}"));
    /* (set (map str (range 40))) */
    for (int i = 0; i < 40; i++) {
        char b[16];
        snprintf(b, sizeof b, "%d", i % 100);
        xs[i] = gv_cstr(vm, b);
    }
    CHECK(printed_as(vm, set_from(vm, 40, xs),
        "#{\"9\" \"3\" \"34\" \"22\" \"26\" \"4\" \"8\" \"28\" \"14\" \"30\" \"21\" \"33\" "
        "\"20\" \"19\" \"17\" \"25\" \"15\" \"7\" \"5\" \"18\" \"36\" \"12\" \"13\" \"27\" "
        "\"24\" \"35\" \"6\" \"38\" \"39\" \"1\" \"0\" \"37\" \"11\" \"32\" \"2\" \"16\" "
        "\"10\" \"31\" \"23\" \"29\"}"));
    /* (into #{} (map keyword (map str "abcdefghijklmnopqrstuvwxyz"))) */
    for (int i = 0; i < 26; i++) {
        char b[2] = {(char)('a' + i), 0};
        xs[i] = gv_kw(vm, b);
    }
    CHECK(printed_as(vm, set_from(vm, 26, xs),
        "#{:y :q :r :v :o :n :w :m :e :s :l :k :z :g :c :j :h :b :d :f :t :x :p :i :a :u}"));
    /* (apply hash-map (range 40)) */
    for (int i = 0; i < 40; i++) kv[i] = L(i);
    CHECK(printed_as(vm, map_by_assoc(vm, gv_hashmap_empty(vm), 20, kv),
        "{0 1, 20 21, 24 25, 4 5, 32 33, 22 23, 36 37, 6 7, 28 29, 34 35, 12 13, "
        "2 3, 14 15, 26 27, 16 17, 38 39, 30 31, 10 11, 18 19, 8 9}"));
    /* (hash-map nil 1 :a 2 "b" 3 4 5 6.0 7 [1] 8 'c 9 \d 10 true 11) */
    gv_val h[] = {GV_NILV, L(1), gv_kw(vm, "a"), L(2), gv_cstr(vm, "b"), L(3), L(4), L(5),
                  gv_d(6.0), L(7), vec_of_longs(vm, 1, (int64_t[]){1}), L(8), sym(vm, "c"), L(9),
                  gv_ch('d'), L(10), GV_TRUEV, L(11)};
    CHECK(printed_as(vm, map_by_assoc(vm, gv_hashmap_empty(vm), 9, h),
                     "{nil 1, 6.0 7, \\d 10, 4 5, true 11, \"b\" 3, c 9, [1] 8, :a 2}"));
    /* Array maps keep insertion order; assoc of a present key keeps its
     * place; dissoc closes the gap. */
    gv_val am = map_by_assoc(vm, gv_map_empty(vm), 3,
                             (gv_val[]){gv_kw(vm, "z"), L(1), gv_kw(vm, "a"), L(2), L(5), L(3)});
    am = gv_map_assoc(vm, am, gv_kw(vm, "z"), L(9));
    CHECK(printed_as(vm, am, "{:z 9, :a 2, 5 3}"));
    CHECK(printed_as(vm, gv_map_dissoc(vm, am, gv_kw(vm, "a")), "{:z 9, 5 3}"));
    /* gv_map_from: later duplicates win, in the first one's place. */
    CHECK(printed_as(vm, gv_map_from(vm, 3, (gv_val[]){L(1), L(1), L(2), L(2), L(1), L(3)}),
                     "{1 3, 2 2}"));
}

static void test_equiv(gv_vm *vm) {
    gv_val l12 = gv_list_from(vm, 2, (gv_val[]){L(1), L(2)});
    gv_val v12 = vec_of_longs(vm, 2, (int64_t[]){1, 2});
    CHECK(!gv_equiv(vm, L(1), gv_d(1.0)));
    CHECK(gv_equiv(vm, gv_d(1.0), gv_d(1.0)));
    CHECK(!gv_equiv(vm, gv_d(0.0 / 0.0), gv_d(0.0 / 0.0)));
    CHECK(gv_equiv(vm, gv_d(0.0), gv_d(-0.0)));
    CHECK(gv_equiv(vm, v12, l12) && gv_equiv(vm, l12, v12));
    CHECK(gv_hash(vm, v12) == gv_hash(vm, l12));
    CHECK(gv_equiv(vm, gv_vec_empty(vm), gv_list_empty(vm)));
    CHECK(!gv_equiv(vm, gv_vec_empty(vm), GV_NILV) && !gv_equiv(vm, GV_NILV, gv_list_empty(vm)));
    CHECK(!gv_equiv(vm, gv_map_empty(vm), gv_vec_empty(vm)));
    CHECK(!gv_equiv(vm, gv_set_empty(vm), gv_map_empty(vm)));
    gv_val ab = gv_cstr(vm, "ab");
    CHECK(!gv_equiv(vm, ab, gv_vec_from(vm, 2, (gv_val[]){gv_ch('a'), gv_ch('b')})));
    CHECK(gv_equiv(vm, gv_seq(vm, ab), gv_vec_from(vm, 2, (gv_val[]){gv_ch('a'), gv_ch('b')})));
    CHECK(gv_equiv(vm, ab, gv_cstr(vm, "ab")) && !gv_equiv(vm, ab, gv_cstr(vm, "abc")));
    CHECK(gv_equiv(vm, sym(vm, "a/b"), sym(vm, "a/b")) && !gv_equiv(vm, sym(vm, "a"), gv_kw(vm, "a")));
    CHECK(!gv_equiv(vm, gv_ch('a'), ab) && gv_equiv(vm, gv_ch('a'), gv_ch('a')));
    CHECK(!gv_equiv(vm, GV_FALSEV, GV_NILV) && gv_equiv(vm, GV_TRUEV, GV_TRUEV));
    /* Ranges, array seqs, cons: elementwise. */
    gv_val r5 = gv_range_new(vm, 0, 5, 1, false);
    gv_val v5 = vec_of_longs(vm, 5, (int64_t[]){0, 1, 2, 3, 4});
    CHECK(gv_equiv(vm, r5, v5) && gv_equiv(vm, v5, r5) && gv_hash(vm, r5) == gv_hash(vm, v5));
    CHECK(gv_equiv(vm, gv_seq(vm, v5), r5));
    gv_val rd = gv_range_new(vm, 10, 0, -3, false);
    gv_val vd = vec_of_longs(vm, 4, (int64_t[]){10, 7, 4, 1});
    CHECK(gv_equiv(vm, rd, vd) && gv_equiv(vm, vd, rd) && gv_hash(vm, rd) == gv_hash(vm, vd));
    gv_val rmax = gv_range_new(vm, INT64_MAX - 2, 0, 1, true);
    gv_val vmax = vec_of_longs(vm, 3, (int64_t[]){INT64_MAX - 2, INT64_MAX - 1, INT64_MAX});
    CHECK(gv_equiv(vm, rmax, vmax) == gv_equiv(vm, gv_vec_of(vm, rmax), vmax));
    CHECK(!gv_equiv(vm, gv_range_new(vm, 0, 6, 1, false), v5) && !gv_equiv(vm, v5, gv_range_new(vm, 0, 4, 1, false)));
    gv_val s3 = gv_cstr(vm, "a\xc3\xa9\xf0\x9f\x98\x80");
    gv_val c3 = gv_vec_from(vm, 3, (gv_val[]){gv_ch('a'), gv_ch(0xe9), gv_ch(0x1f600)});
    CHECK(gv_equiv(vm, gv_seq(vm, s3), c3) && gv_hash(vm, gv_seq(vm, s3)) == gv_hash(vm, c3));
    CHECK(!gv_equiv(vm, gv_next(vm, gv_seq(vm, s3)), c3));
    CHECK(gv_equiv(vm, gv_cons(vm, L(0), gv_arrayseq_new(vm, v5, 1, 5)), v5));
    CHECK(!gv_equiv(vm, gv_arrayseq_new(vm, v5, 1, 5), v5));
    CHECK(!gv_equiv(vm, v12, vec_of_longs(vm, 3, (int64_t[]){1, 2, 3})));
    CHECK(!gv_equiv(vm, l12, gv_range_new(vm, 1, 4, 1, false)));
    /* Nested, and numbers inside collections follow = too. */
    CHECK(!gv_equiv(vm, gv_vec_from(vm, 1, (gv_val[]){L(1)}), gv_vec_from(vm, 1, (gv_val[]){gv_d(1.0)})));
    /* Array map vs HAMT with the same entries, any insertion order. */
    gv_val kv[16];
    for (int i = 0; i < 8; i++) {
        kv[2 * i] = i % 2 ? gv_kw(vm, i == 1 ? "one" : i == 3 ? "three" : i == 5 ? "five" : "seven")
                          : L(i * 100);
        kv[2 * i + 1] = gv_list_from(vm, 1, (gv_val[]){L(i)});
    }
    gv_val am = gv_map_from(vm, 8, kv);
    gv_val hm = gv_hashmap_empty(vm);
    for (int i = 7; i >= 0; i--) hm = gv_map_assoc(vm, hm, kv[2 * i], gv_vec_from(vm, 1, (gv_val[]){L(i)}));
    CHECK(am.t == GV_ARRAYMAP && hm.t == GV_HASHMAP);
    CHECK(gv_equiv(vm, am, hm) && gv_equiv(vm, hm, am));
    CHECK(gv_hash(vm, am) == gv_hash(vm, hm));
    gv_val hm2 = gv_map_assoc(vm, hm, L(0), L(0));
    CHECK(!gv_equiv(vm, am, hm2) && !gv_equiv(vm, hm2, am));
    CHECK(!gv_equiv(vm, am, gv_map_dissoc(vm, hm, L(0))));
    /* A nil value is not an absent key. */
    gv_val mn = gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "a"), GV_NILV});
    gv_val mb = gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "b"), GV_NILV});
    CHECK(!gv_equiv(vm, mn, mb));
    /* Sets by elements. */
    gv_val s1 = set_from(vm, 3, (gv_val[]){L(1), gv_cstr(vm, "x"), v12});
    gv_val s2 = set_from(vm, 3, (gv_val[]){l12, L(1), gv_cstr(vm, "x")});
    CHECK(gv_equiv(vm, s1, s2) && gv_hash(vm, s1) == gv_hash(vm, s2));
    CHECK(!gv_equiv(vm, s1, gv_set_conj(vm, s2, L(2))));
    CHECK(gv_identical(gv_set_conj(vm, s1, gv_list_from(vm, 2, (gv_val[]){L(1), L(2)})), s1));
    /* Maps as keys, vectors as keys found by an equal list. */
    gv_val big = gv_hashmap_empty(vm);
    big = gv_map_assoc(vm, big, am, L(1));
    big = gv_map_assoc(vm, big, v12, L(2));
    CHECK(gv_map_get(vm, big, hm, GV_NILV).as.i == 1);
    CHECK(gv_map_get(vm, big, l12, GV_NILV).as.i == 2);
    CHECK(gv_map_count(gv_map_assoc(vm, big, l12, L(3))) == 2);
}

static int cmp(gv_vm *vm, gv_val a, gv_val b) { return gv_compare(vm, a, b); }

/* The message of the exception gv_compare throws, or NULL. */
static char *compare_error(gv_vm *vm, gv_val a, gv_val b) {
    gv_handler h;
    if (gv_try(vm, &h) == 0) {
        gv_compare(vm, a, b);
        gv_try_end(vm, &h);
        return NULL;
    }
    gv_exception *e = GV_AS(gv_exception, h.exc);
    gv_buf buf;
    gv_buf_init(&buf);
    gv_buf_printf(&buf, "%s: %s", e->cls->name->data,
                  e->msg.t == GV_STRING ? GV_AS(gv_string, e->msg)->data : "");
    return gv_buf_take(&buf);
}

static bool compare_fails(gv_vm *vm, gv_val a, gv_val b, const char *expect) {
    char *m = compare_error(vm, a, b);
    bool ok = m && strcmp(m, expect) == 0;
    if (!ok) fprintf(stderr, "  compare error: %s\n  expected: %s\n", m ? m : "(none)", expect);
    free(m);
    return ok;
}

static void test_compare(gv_vm *vm) {
    /* (compare "a" "c") ... (compare 1.0 ##NaN) as printed by Clojure. */
    CHECK(cmp(vm, gv_cstr(vm, "a"), gv_cstr(vm, "c")) == -2);
    CHECK(cmp(vm, gv_cstr(vm, "abc"), gv_cstr(vm, "ab")) == 1);
    CHECK(cmp(vm, gv_cstr(vm, "\xc3\xa9"), gv_cstr(vm, "e")) == 132);
    CHECK(cmp(vm, gv_kw(vm, "a"), gv_kw(vm, "b")) == -1);
    CHECK(cmp(vm, gv_kw(vm, "a/b"), gv_kw(vm, "b")) == 1);
    CHECK(cmp(vm, sym(vm, "b/a"), sym(vm, "a/b")) == 1);
    CHECK(cmp(vm, vec_of_longs(vm, 2, (int64_t[]){1, 2}), vec_of_longs(vm, 2, (int64_t[]){1, 3})) == -1);
    CHECK(cmp(vm, vec_of_longs(vm, 3, (int64_t[]){1, 2, 3}), vec_of_longs(vm, 1, (int64_t[]){9})) == 1);
    CHECK(cmp(vm, GV_NILV, L(1)) == -1 && cmp(vm, L(1), GV_NILV) == 1 && cmp(vm, GV_NILV, GV_NILV) == 0);
    CHECK(cmp(vm, L(1), gv_d(2.5)) == -1 && cmp(vm, gv_d(2.5), L(1)) == 1 && cmp(vm, L(2), gv_d(2.0)) == 0);
    CHECK(cmp(vm, GV_TRUEV, GV_FALSEV) == 1 && cmp(vm, GV_FALSEV, GV_TRUEV) == -1);
    CHECK(cmp(vm, gv_ch('a'), gv_ch('c')) == -2);
    CHECK(cmp(vm, gv_d(1.0), gv_d(0.0 / 0.0)) == 0);
    CHECK(cmp(vm, L(INT64_MIN), L(INT64_MAX)) == -1);
    CHECK(cmp(vm, gv_map_empty(vm), GV_NILV) == 1);
    CHECK(compare_fails(vm, gv_map_empty(vm), gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "a"), L(1)}),
        "ClassCastException: class clojure.lang.PersistentArrayMap cannot be cast to class "
        "java.lang.Comparable (clojure.lang.PersistentArrayMap is in unnamed module of loader "
        "'app'; java.lang.Comparable is in module java.base of loader 'bootstrap')"));
    CHECK(compare_fails(vm, L(1), gv_cstr(vm, "a"),
        "ClassCastException: class java.lang.String cannot be cast to class java.lang.Number "
        "(java.lang.String and java.lang.Number are in module java.base of loader 'bootstrap')"));
    CHECK(compare_fails(vm, gv_kw(vm, "a"), gv_cstr(vm, "b"),
        "ClassCastException: class java.lang.String cannot be cast to class clojure.lang.Keyword "
        "(java.lang.String is in module java.base of loader 'bootstrap'; clojure.lang.Keyword "
        "is in unnamed module of loader 'app')"));
    CHECK(compare_fails(vm, vec_of_longs(vm, 1, (int64_t[]){1}), gv_list_from(vm, 1, (gv_val[]){L(1)}),
        "ClassCastException: class clojure.lang.PersistentList cannot be cast to class "
        "clojure.lang.IPersistentVector (clojure.lang.PersistentList and "
        "clojure.lang.IPersistentVector are in unnamed module of loader 'app')"));
    CHECK(compare_fails(vm, GV_TRUEV, L(1),
        "ClassCastException: class java.lang.Long cannot be cast to class java.lang.Boolean "
        "(java.lang.Long and java.lang.Boolean are in module java.base of loader 'bootstrap')"));
    char *none = compare_error(vm, gv_set_empty(vm), gv_set_empty(vm)); /* identical: 0 */
    CHECK(none == NULL);
    free(none);
}

/* (lazy-seq (when (pos? n) (cons n (down (dec n))))) built from natives. */
static gv_val lazy_step(gv_vm *vm, int argc, gv_val *argv, void *data);

static gv_val lazy_down(gv_vm *vm, int64_t n) {
    return gv_lazyseq_new(vm, gv_native_closure(vm, "down", lazy_step, L(n), 0, 0));
}

static gv_val lazy_step(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc;
    (void)argv;
    int64_t n = gv_closure_env(data).as.i;
    if (n <= 0) return GV_NILV;
    return gv_cons(vm, L(n), lazy_down(vm, n - 1));
}

/* = and hash realize lazy seqs (with collection inhibited), also as map
 * keys and set elements, and long ones do not exhaust the value stack. */
static void test_lazy(gv_vm *vm) {
    gv_val v5 = vec_of_longs(vm, 5, (int64_t[]){5, 4, 3, 2, 1});
    gv_val *l5 = gv_push(vm, lazy_down(vm, 5));
    CHECK(gv_equiv(vm, *l5, v5) && gv_equiv(vm, v5, *l5));
    CHECK(gv_hash(vm, *l5) == gv_hash(vm, v5));
    CHECK(gv_hash(vm, lazy_down(vm, 5)) == gv_hash(vm, v5));
    CHECK(!gv_equiv(vm, lazy_down(vm, 4), v5) && !gv_equiv(vm, v5, lazy_down(vm, 6)));
    CHECK(gv_equiv(vm, lazy_down(vm, 0), gv_vec_empty(vm)) && gv_equiv(vm, gv_list_empty(vm), lazy_down(vm, 0)));
    CHECK((int32_t)gv_hash(vm, lazy_down(vm, 0)) == -2017569654);
    CHECK(!gv_equiv(vm, lazy_down(vm, 0), GV_NILV));
    gv_val *m = gv_push(vm, gv_map_assoc(vm, gv_hashmap_empty(vm), lazy_down(vm, 3), L(1)));
    *m = gv_map_assoc(vm, *m, gv_kw(vm, "x"), L(2));
    CHECK(gv_map_get(vm, *m, vec_of_longs(vm, 3, (int64_t[]){3, 2, 1}), GV_NILV).as.i == 1);
    CHECK(gv_set_contains(vm, gv_set_conj(vm, gv_set_empty(vm), v5), lazy_down(vm, 5)));
    /* 700,000 realizations in one walk: more than the value stack has
     * slots if each left its roots behind. */
    gv_val *big = gv_push(vm, lazy_down(vm, 700000));
    gv_val *other = gv_push(vm, lazy_down(vm, 700000));
    gv_val *sp = vm->cur->sp;
    CHECK(gv_equiv(vm, *big, *other));
    CHECK(gv_hash(vm, *big) == gv_hash(vm, gv_range_new(vm, 700000, 0, -1, false)));
    CHECK(vm->cur->sp == sp);
}

/* The class name of what THUNK-like step K throws, or NULL. */
static const char *deep_error(gv_vm *vm, gv_val a, gv_val b, int what) {
    gv_handler h;
    if (gv_try(vm, &h) == 0) {
        if (what == 0) gv_hash(vm, a);
        else if (what == 1) gv_equiv(vm, a, b);
        else gv_compare(vm, a, b);
        gv_try_end(vm, &h);
        return NULL;
    }
    return GV_AS(gv_exception, h.exc)->cls->name->data;
}

/* Nesting deeper than the C stack is a StackOverflowError, not a crash. */
static void test_deep(gv_vm *vm) {
    gv_val a = gv_vec_empty(vm), b = gv_vec_empty(vm);
    for (int i = 0; i < 300000; i++) {
        a = gv_vec_from(vm, 1, &a);
        b = gv_vec_from(vm, 1, &b);
    }
    const char *e0 = deep_error(vm, a, b, 0), *e1 = deep_error(vm, a, b, 1),
               *e2 = deep_error(vm, a, b, 2);
    CHECK(e0 && strcmp(e0, "StackOverflowError") == 0);
    CHECK(e1 && strcmp(e1, "StackOverflowError") == 0);
    CHECK(e2 && strcmp(e2, "StackOverflowError") == 0);
    /* Still usable afterwards. */
    CHECK(gv_equiv(vm, gv_vec_from(vm, 1, &a), gv_vec_from(vm, 1, &a)));
}

/* ---- driver ------------------------------------------------------------ */

static gv_val run_all(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc;
    (void)argv;
    bool stress = data != NULL;
    if (!stress) {
        test_hash_values(vm);
        test_orders(vm);
        test_equiv(vm);
        test_compare(vm);
        test_vector_build(vm);
        test_vector_branching(vm);
        test_vector_model(vm, 12345, 33500, false);
        test_vector_model(vm, 777, 2000, false);
        test_map_model(vm, 1, 12, 20000, false, false);
        test_map_model(vm, 2, 40, 20000, false, false);
        test_map_model(vm, 3, 5000, 30000, false, false);
        test_map_model(vm, 4, 12, 10000, true, false);
        test_map_model(vm, 5, 3000, 20000, true, false);
        test_hamt_order(vm);
        test_collisions(vm);
        test_builders(vm, 11, 5000, 20000, false);
        test_builders(vm, 12, 20, 500, false);
        test_deep(vm);
        test_lazy(vm);
    } else {
        test_vector_build_gc(vm);
        test_vector_model(vm, 4242, 1200, true);
        test_map_model(vm, 6, 14, 1500, false, true);
        test_map_model(vm, 7, 400, 1500, false, true);
        test_map_model(vm, 8, 200, 1000, true, true);
        test_builders(vm, 13, 300, 600, true);
        test_lazy(vm);
    }
    return GV_NILV;
}

static void run_in_process(gv_vm *vm, bool stress) {
    gv_val f = gv_native_new(vm, "test-coll", run_all, stress ? (void *)vm : NULL, 0, 0);
    gv_val out;
    if (gv_pcall(vm, f, 0, NULL, &out) != GV_OK) {
        nfail++;
        char *r = gv_exception_report(vm, out);
        fprintf(stderr, "test_coll: uncaught exception%s:\n%s\n", stress ? " (gc stress)" : "",
                r ? r : "?");
        free(r);
    }
}

int main(void) {
    gv_vm *vm = gv_vm_new();
    if (!vm) {
        fprintf(stderr, "test_coll: cannot create a VM\n");
        return 1;
    }
    run_in_process(vm, false);
    gv_vm_set_gc_stress(vm, true);
    uint64_t before = vm->gc_count;
    run_in_process(vm, true);
    gv_vm_set_gc_stress(vm, false);
    CHECK(vm->gc_count > before + 1000);
    gv_vm_destroy(&vm);
    printf("test_coll: %d passed, %d failed\n", npass, nfail);
    return nfail ? 1 : 0;
}
