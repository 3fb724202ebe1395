/* reconcile.c — what each form of a program defines and uses, and which
 * forms a node must evaluate, in which order.
 *
 * A form is read with grove's own reader and walked: a list whose head is
 * a def-like symbol (def, defn, defmacro, defonce, defmulti, defmethod,
 * defrecord, ... anything named def*) defines its second element; `ns` and
 * `in-ns` make a namespace current; every symbol met is a use.  This
 * over-approximates (a local named like a definition counts as a use),
 * which only costs an extra re-evaluation, never a missed one.
 *
 * The plan is pure C over those analyses: the dependency graph, the
 * effective hash of each form (its own hash plus those of everything it
 * transitively depends on, so a change anywhere below a form changes it)
 * and the evaluation order.  A form's transitive dependencies are a set,
 * so cycles (mutually recursive definitions) need no special case.
 */
#include "node_int.h"

uint64_t gn_fnv(uint64_t h, const void *p, size_t len) {
    const unsigned char *s = p;
    for (size_t i = 0; i < len; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* A well-mixed 64-bit value (splitmix64's finalizer): the members of a
 * dependency set are combined by addition, which is order-free. */
static uint64_t mix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* ---- string lists ------------------------------------------------------- */

typedef struct strv {
    char **v;
    size_t n, cap;
} strv;

static void strv_add(strv *s, const char *p, size_t len) {
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        char **nv = realloc(s->v, cap * sizeof *nv);
        if (!nv) return; /* out of memory: the analysis is only less precise */
        s->v = nv;
        s->cap = cap;
    }
    char *c = malloc(len + 1);
    if (!c) return;
    memcpy(c, p, len);
    c[len] = 0;
    s->v[s->n++] = c;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and drops duplicates. */
static void strv_unique(strv *s) {
    if (s->n < 2) return;
    qsort(s->v, s->n, sizeof *s->v, cmp_str);
    size_t w = 1;
    for (size_t i = 1; i < s->n; i++) {
        if (strcmp(s->v[i], s->v[w - 1]) == 0) free(s->v[i]);
        else s->v[w++] = s->v[i];
    }
    s->n = w;
}

/* ---- analysis ----------------------------------------------------------- */

typedef struct walk {
    strv defs, refs;
    char *ns;
} walk;

static void walk_val(gv_vm *vm, walk *w, gv_val v, int depth);

static bool walk_map_entry(gv_vm *vm, gv_val k, gv_val v, void *c) {
    walk *w = c;
    walk_val(vm, w, k, 1);
    walk_val(vm, w, v, 1);
    return true;
}

static bool walk_set_elem(gv_vm *vm, gv_val x, void *c) {
    walk_val(vm, (walk *)c, x, 1);
    return true;
}

static const char *sym_name(gv_val v) {
    return GV_AS(gv_symbol, v)->name->data;
}

/* A list form: notes what a def-like or ns head defines, then walks every
 * element.  Lists read from source are PersistentLists. */
static void walk_list(gv_vm *vm, walk *w, gv_val l, int depth) {
    gv_list *c = GV_AS(gv_list, l);
    if (c->count >= 2 && c->first.t == GV_SYMBOL) {
        const char *head = sym_name(c->first);
        gv_val second = GV_AS(gv_list, c->rest)->first;
        if (strncmp(head, "def", 3) == 0 && second.t == GV_SYMBOL) {
            const char *nm = sym_name(second);
            strv_add(&w->defs, nm, strlen(nm));
        } else if (strcmp(head, "declare") == 0) {
            for (gv_val r = c->rest; GV_AS(gv_list, r)->count; r = GV_AS(gv_list, r)->rest) {
                gv_val x = GV_AS(gv_list, r)->first;
                if (x.t == GV_SYMBOL) strv_add(&w->defs, sym_name(x), strlen(sym_name(x)));
            }
        } else if (!w->ns && strcmp(head, "ns") == 0 && second.t == GV_SYMBOL) {
            gv_symbol *s = GV_AS(gv_symbol, second);
            w->ns = strdup(s->name->data);
        } else if (!w->ns && strcmp(head, "in-ns") == 0 && second.t == GV_LIST &&
                   GV_AS(gv_list, second)->count == 2 &&
                   GV_AS(gv_list, GV_AS(gv_list, second)->rest)->first.t == GV_SYMBOL) {
            w->ns = strdup(sym_name(GV_AS(gv_list, GV_AS(gv_list, second)->rest)->first));
        }
    }
    for (gv_val r = l; GV_AS(gv_list, r)->count; r = GV_AS(gv_list, r)->rest)
        walk_val(vm, w, GV_AS(gv_list, r)->first, depth + 1);
}

/* Collects from V.  Never runs Clojure code or throws: forms read from
 * source are lists, vectors, maps, sets and atoms (no lazy seqs). */
static void walk_val(gv_vm *vm, walk *w, gv_val v, int depth) {
    if (depth > 1000) return;
    switch (v.t) {
    case GV_SYMBOL: {
        const char *nm = sym_name(v);
        strv_add(&w->refs, nm, strlen(nm));
        break;
    }
    case GV_LIST:
        if (GV_AS(gv_list, v)->count) walk_list(vm, w, v, depth);
        break;
    case GV_CONS: /* syntax-quote can build these */
        walk_val(vm, w, GV_AS(gv_conscell, v)->first, depth + 1);
        walk_val(vm, w, GV_AS(gv_conscell, v)->rest, depth + 1);
        break;
    case GV_VECTOR:
        for (int64_t i = 0; i < gv_vec_count(v); i++) walk_val(vm, w, gv_vec_nth(v, i), depth + 1);
        break;
    case GV_ARRAYMAP: case GV_HASHMAP:
        gv_map_each(vm, v, walk_map_entry, w);
        break;
    case GV_SET:
        gv_set_each(vm, v, walk_set_elem, w);
        break;
    default:
        break;
    }
}

void gn_ana_clear(gn_ana *a) {
    for (size_t i = 0; i < a->ndefs; i++) free(a->defs[i]);
    for (size_t i = 0; i < a->nrefs; i++) free(a->refs[i]);
    free(a->defs);
    free(a->refs);
    free(a->ns);
    memset(a, 0, sizeof *a);
}

void gn_ana_read(gv_vm *vm, gn_ana *a, const char *text, const char *file, int line, int col) {
    gn_ana_clear(a);
    /* read every form first (that can throw), then walk (that cannot) */
    gv_vecb b;
    gv_vecb_init(vm, &b);
    gv_val *top = vm->cur->sp;
    gv_handler h;
    if (gv_try(vm, &h) == 0) {
        gv_reader r;
        gv_reader_init(&r, text, strlen(text), file, line, col);
        gv_val f;
        while (gv_reader_read(vm, &r, &f, NULL)) gv_vecb_add(vm, &b, f);
        gv_try_end(vm, &h);
    } else {
        gv_val e = h.exc;
        if (e.t == GV_EXCEPTION && GV_AS(gv_exception, e)->uncatchable)
            gv_throw(vm, e); /* the process is being killed: let it */
        vm->cur->sp = top;
        a->unreadable = true;
        return;
    }
    gv_val forms = gv_vecb_done(vm, &b);
    walk w = {{0}, {0}, NULL};
    gv_gc_inhibit(vm); /* nothing here collects; say so */
    walk_val(vm, &w, forms, 0);
    gv_gc_allow(vm);
    vm->cur->sp = top; /* the builder's slot: a deployment reads every form */
    strv_unique(&w.defs);
    strv_unique(&w.refs);
    a->defs = w.defs.v;
    a->ndefs = w.defs.n;
    a->refs = w.refs.v;
    a->nrefs = w.refs.n;
    a->ns = w.ns;
}

/* ---- the plan ------------------------------------------------------------- */

/* name -> first defining form; DNEXT chains the other definitions. */
typedef struct deftab {
    const char **key;
    size_t *first;     /* def occurrence index */
    size_t cap;
} deftab;

typedef struct defocc {
    size_t form;
    size_t next;       /* next occurrence of the same name, or SIZE_MAX */
} defocc;

static size_t str_slot(const deftab *t, const char *k) {
    size_t i = (size_t)gn_fnv(GN_FNV_INIT, k, strlen(k)) & (t->cap - 1);
    while (t->key[i] && strcmp(t->key[i], k) != 0) i = (i + 1) & (t->cap - 1);
    return i;
}

typedef struct ivec {
    size_t *v;
    size_t n, cap;
} ivec;

static bool ivec_push(ivec *a, size_t x) {
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 8;
        size_t *nv = realloc(a->v, cap * sizeof *nv);
        if (!nv) return false;
        a->v = nv;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return true;
}

static int cmp_size(const void *a, const void *b) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

bool gn_graph_plan(const gn_graph_in *in, size_t n, uint64_t *eff, bool *needed,
                   size_t *order, size_t *norder) {
    *norder = 0;
    if (n == 0) return true;
    bool ok = false;
    ivec nsf = {0};      /* the ns forms met so far */
    size_t ndefs = 0;
    for (size_t i = 0; i < n; i++) ndefs += in[i].ana ? in[i].ana->ndefs : 0;
    deftab t = {0};
    t.cap = 16;
    while (t.cap < ndefs * 2 + 2) t.cap *= 2;
    t.key = calloc(t.cap, sizeof *t.key);
    t.first = calloc(t.cap, sizeof *t.first);
    defocc *occ = calloc(ndefs + 1, sizeof *occ);
    ivec *deps = calloc(n, sizeof *deps);
    size_t *stamp = calloc(n, sizeof *stamp);
    size_t *stack = calloc(2 * n + 2, sizeof *stack);
    uint64_t *own = calloc(n, sizeof *own);
    size_t *low = calloc(n, sizeof *low), *scc = calloc(n, sizeof *scc);
    bool *onst = calloc(n, sizeof *onst);
    if (!t.key || !t.first || !occ || !deps || !stamp || !stack || !own || !low || !scc || !onst)
        goto done;

    /* the definitions table */
    size_t no = 0;
    for (size_t i = 0; i < n; i++) {
        const gn_ana *a = in[i].ana;
        for (size_t d = 0; a && d < a->ndefs; d++) {
            size_t s = str_slot(&t, a->defs[d]);
            occ[no].form = i;
            occ[no].next = t.key[s] ? t.first[s] : SIZE_MAX;
            t.key[s] = a->defs[d];
            t.first[s] = no++;
        }
    }
    /* edges: i -> j when j defines what i uses, or j is an earlier ns form */
    for (size_t i = 0; i < n; i++) {
        const gn_ana *a = in[i].ana;
        for (size_t k = 0; k < nsf.n; k++)
            if (!ivec_push(&deps[i], nsf.v[k])) goto done;
        if (a && a->ns && !ivec_push(&nsf, i)) goto done;
        for (size_t r = 0; a && r < a->nrefs; r++) {
            size_t s = str_slot(&t, a->refs[r]);
            if (!t.key[s]) continue;
            for (size_t o = t.first[s]; o != SIZE_MAX; o = occ[o].next) {
                size_t j = occ[o].form;
                if (j == i || stamp[j] == i + 1) continue;
                stamp[j] = i + 1;
                if (in[j].ana && in[j].ana->ns && j < i) continue; /* already there */
                if (!ivec_push(&deps[i], j)) goto done;
            }
        }
        if (deps[i].n) qsort(deps[i].v, deps[i].n, sizeof(size_t), cmp_size);
    }

    /* own hashes */
    for (size_t i = 0; i < n; i++) {
        uint64_t h = gn_fnv(GN_FNV_INIT, in[i].id, strlen(in[i].id) + 1);
        h = gn_fnv(h, in[i].hash, strlen(in[i].hash) + 1);
        own[i] = mix(h);
    }
    /* effective hashes: own + the sum over the transitive closure */
    memset(stamp, 0, n * sizeof *stamp);
    for (size_t i = 0; i < n; i++) {
        uint64_t sum = 0;
        size_t sp = 0;
        stamp[i] = i + 1;
        stack[sp++] = i;
        while (sp) {
            size_t x = stack[--sp];
            for (size_t k = 0; k < deps[x].n; k++) {
                size_t j = deps[x].v[k];
                if (stamp[j] == i + 1) continue;
                stamp[j] = i + 1;
                sum += own[j];
                stack[sp++] = j;
            }
        }
        eff[i] = mix(own[i] ^ (in[i].live ? 0x9e3779b97f4a7c15ULL : 0)) + sum;
        if (eff[i] == 0) eff[i] = 1; /* 0 means "never evaluated" to callers */
    }
    /* needed: live forms and, transitively, what they use */
    size_t sp = 0;
    for (size_t i = 0; i < n; i++) {
        needed[i] = in[i].live;
        if (needed[i]) stack[sp++] = i;
    }
    while (sp) {
        size_t x = stack[--sp];
        for (size_t k = 0; k < deps[x].n; k++) {
            size_t j = deps[x].v[k];
            if (!needed[j]) { needed[j] = true; stack[sp++] = j; }
        }
    }
    /* order: the strongly connected components (Tarjan, iterative) come
     * out dependencies first; a component's forms (mutually recursive
     * definitions) go in program order, as a file would have them, and
     * roots and dependencies are visited in program order.  STACK holds
     * (form, next dependency) pairs; STAMP is the visit index + 1; SCC is
     * Tarjan's stack of visited forms not yet in a component. */
    memset(stamp, 0, n * sizeof *stamp);
    size_t counter = 0, nscc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!needed[i] || stamp[i]) continue;
        sp = 0;
        stack[sp++] = i;
        stack[sp++] = 0;
        stamp[i] = low[i] = ++counter;
        scc[nscc++] = i;
        onst[i] = true;
        while (sp) {
            size_t x = stack[sp - 2], k = stack[sp - 1];
            if (k < deps[x].n) {
                stack[sp - 1] = k + 1;
                size_t j = deps[x].v[k];
                if (!stamp[j]) {
                    stamp[j] = low[j] = ++counter;
                    scc[nscc++] = j;
                    onst[j] = true;
                    stack[sp++] = j;
                    stack[sp++] = 0;
                } else if (onst[j] && stamp[j] < low[x]) {
                    low[x] = stamp[j];
                }
                continue;
            }
            sp -= 2;
            if (sp && low[x] < low[stack[sp - 2]]) low[stack[sp - 2]] = low[x];
            if (low[x] != stamp[x]) continue;
            size_t first = nscc;
            do {
                first--;
                onst[scc[first]] = false;
            } while (scc[first] != x);
            size_t m = nscc - first;
            if (m > 1) qsort(scc + first, m, sizeof(size_t), cmp_size);
            memcpy(order + *norder, scc + first, m * sizeof(size_t));
            *norder += m;
            nscc = first;
        }
    }
    ok = true;
done:
    free(nsf.v);
    free(t.key);
    free(t.first);
    free(occ);
    if (deps)
        for (size_t i = 0; i < n; i++) free(deps[i].v);
    free(deps);
    free(stamp);
    free(stack);
    free(own);
    free(low);
    free(scc);
    free(onst);
    return ok;
}
