/* eval.c — the analyzer and the interpreter.
 *
 * Each top-level form is analyzed into a tree of nodes (AST) and run by a
 * recursive interpreter.  Design choices:
 *   - The analyzer resolves every symbol once: a local becomes a frame
 *     slot, a closed-over local a capture index, a global a var pointer.
 *     Locals are immutable, so closures copy captured values.
 *   - All live values of the interpreter sit on the process's value stack:
 *     a call pushes the callee and its arguments, which become the callee
 *     frame's first slots.  fp[-1] is always the running closure.  This is
 *     what makes the GC precise (see gv.h).
 *   - Interpreter recursion uses the C stack of the running process (each
 *     green thread has its own, see sched.c); depth is bounded and an
 *     overflow raises a catchable StackOverflowError.
 *   - loop/recur runs in constant C stack: recur stores the new values in
 *     the loop's slots, raises vm->recur_pending and returns; the loop
 *     node sees the flag and iterates.  Tail position is checked.
 *   - Calls count steps; every GV_SLICE_STEPS the process reaches a safe
 *     point (collection, preemption, interrupts).
 *   - A few core functions of two fixed arguments (+ - * < > <= >= = ==
 *     inc dec) are inlined when they resolve to clojure.core, as Clojure
 *     inlines them; other arities and non-number arguments fall back to the
 *     real function.
 *   - Analyzed code lives in an arena owned by a GV_CODE object, which the
 *     closures made from it keep alive.
 */
#include "vm.h"

#include <stdint.h>

/* ---- code objects and their arena ---------------------------------- */

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    _Alignas(16) char mem[];
} chunk;

typedef struct gv_code {
    gv_obj h;
    chunk *chunks;
    gv_val *consts;      /* values the nodes refer to: GC roots */
    size_t nconsts, capconsts;
    char *file;          /* malloc'd */
} gv_code;

/* Owner: the code object; freed with it. */
static void *arena(gv_vm *vm, gv_code *c, size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (!c->chunks || c->chunks->used + n > c->chunks->cap) {
        size_t cap = n > 4000 ? n : 4000;
        chunk *k = malloc(sizeof(chunk) + cap);
        if (!k) gv_throwf(vm, "OutOfMemoryError", "out of memory while compiling");
        k->next = c->chunks;
        k->used = 0;
        k->cap = cap;
        c->chunks = k;
        vm->bytes_since_gc += cap;
    }
    void *p = c->chunks->mem + c->chunks->used;
    c->chunks->used += n;
    memset(p, 0, n);
    return p;
}

static gv_val keep(gv_vm *vm, gv_code *c, gv_val v) {
    if (!GV_IS_OBJ(v)) return v;
    if (c->nconsts == c->capconsts) {
        size_t cap = c->capconsts ? c->capconsts * 2 : 16;
        gv_val *p = realloc(c->consts, cap * sizeof *p);
        if (!p) gv_throwf(vm, "OutOfMemoryError", "out of memory while compiling");
        c->consts = p;
        c->capconsts = cap;
    }
    c->consts[c->nconsts++] = v;
    return v;
}

void gv_code_trace(gv_vm *vm, gv_obj *o) {
    gv_code *c = (gv_code *)o;
    for (size_t i = 0; i < c->nconsts; i++) gv_gc_mark(vm, c->consts[i]);
}

void gv_code_free(gv_vm *vm, gv_obj *o) {
    (void)vm;
    gv_code *c = (gv_code *)o;
    for (chunk *k = c->chunks, *n; k; k = n) { n = k->next; free(k); }
    free(c->consts);
    free(c->file);
}

/* ---- nodes ------------------------------------------------------------ */

typedef enum {
    N_CONST, N_LOCAL, N_CAP, N_SELF, N_VAR, N_IF, N_DO, N_LET,
    N_LOOP, N_RECUR, N_FN, N_DEF, N_CALL, N_TRY, N_THROW, N_LETFN, N_VEC,
    N_MAP, N_SET, N_SETBANG,
    /* inlined core functions */
    N_ADD, N_SUB, N_MUL, N_LT, N_GT, N_LE, N_GE, N_NUMEQ, N_EQ, N_INC, N_DEC
} opcode;

typedef struct node node;
typedef struct fntmpl fntmpl;

typedef struct catchc {
    gv_symbol *cls;
    int slot;
    node *body;
} catchc;

struct node {
    uint8_t op;
    int32_t line, col;
    union {
        gv_val k;
        int slot;
        gv_var *var;
        struct { node *c, *t, *e; } iff;
        struct { int n; node **body; } d;
        struct { int n; int first_slot; node **inits; node *body; } let; /* slots first_slot.. */
        struct { int n; int first_slot; node **args; } recur;
        fntmpl *fn;
        struct { gv_var *var; node *init; gv_val meta; } def;
        struct { node *f; int n; node **args; gv_var *var; } call;
        struct { node *body; int ncatch; catchc *catches; node *fin; } try_;
        struct { int n; node **items; gv_val meta; } coll;
        struct { node *a, *b; gv_var *var; } bin;
        struct { int n; int first_slot; node **fns; node *body; } letfn;
        struct { gv_var *var; node *val; } setb;
    } u;
};

typedef struct arity {
    int nreq;
    bool variadic;
    int nslots;
    node *body;
} arity;

typedef struct capsrc {
    uint8_t kind;        /* N_LOCAL, N_CAP or N_SELF in the parent */
    int index;
} capsrc;

struct fntmpl {
    gv_val name;         /* symbol or nil */
    gv_ns *ns;           /* where it was written (namespaces are rooted) */
    int narities;
    arity *ar;
    int ncap;
    capsrc *caps;
    gv_code *code;
};

void gv_node_pos(const void *n, int32_t *line, int32_t *col) {
    const node *nd = n;
    *line = nd->line;
    *col = nd->col;
}

/* ---- analyzer scopes ------------------------------------------------- */

typedef struct local {
    gv_symbol *sym;      /* interned */
    int slot;
} local;

typedef struct fscope {
    struct fscope *parent;
    local *locals;       /* stack of visible locals */
    int nlocals, caplocals;
    int nslots, maxslots;
    gv_symbol *self;     /* the fn's own name, or NULL */
    gv_symbol **capsyms; /* captured symbols, parallel to caps */
    capsrc *caps;
    int ncap, capcap;
} fscope;

typedef struct loopt {
    int first_slot, n;   /* n < 0: no recur target */
} loopt;

typedef struct actx {
    gv_vm *vm;
    gv_code *code;
    fscope *fs;
    int32_t line, col;   /* position of the innermost enclosing list */
} actx;

static _Noreturn void compile_error(actx *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static _Noreturn void compile_error(actx *a, const char *fmt, ...) {
    gv_vm *vm = a->vm;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gv_val kv[6] = {gv_kw(vm, "clojure.error/source"), gv_cstr(vm, a->code->file),
                    gv_kw(vm, "clojure.error/line"), gv_l(a->line),
                    gv_kw(vm, "clojure.error/column"), gv_l(a->col)};
    gv_val data = gv_map_from(vm, 3, kv);
    gv_throw(vm, gv_exception_new(vm, "clojure.lang.Compiler$CompilerException",
                                  gv_cstr(vm, msg), data, GV_NILV));
}

static node *mk(actx *a, opcode op) {
    node *n = arena(a->vm, a->code, sizeof(node));
    n->op = (uint8_t)op;
    n->line = a->line;
    n->col = a->col;
    return n;
}

static int add_local(actx *a, gv_symbol *sym) {
    fscope *fs = a->fs;
    if (fs->nlocals == fs->caplocals) {
        int cap = fs->caplocals ? fs->caplocals * 2 : 16;
        local *l = arena(a->vm, a->code, (size_t)cap * sizeof *l);
        if (fs->nlocals) memcpy(l, fs->locals, (size_t)fs->nlocals * sizeof *l);
        fs->locals = l;
        fs->caplocals = cap;
    }
    int slot = fs->nslots++;
    if (fs->nslots > fs->maxslots) fs->maxslots = fs->nslots;
    fs->locals[fs->nlocals].sym = sym->base;
    fs->locals[fs->nlocals].slot = slot;
    fs->nlocals++;
    return slot;
}

/* Finds SYM as a local of FS or an enclosing fn; returns the node kind
 * (N_LOCAL, N_CAP, N_SELF) and index, or -1 when it is not a local. */
static int resolve_local(actx *a, fscope *fs, gv_symbol *sym, int *index) {
    for (int i = fs->nlocals - 1; i >= 0; i--)
        if (fs->locals[i].sym == sym->base) { *index = fs->locals[i].slot; return N_LOCAL; }
    for (int i = 0; i < fs->ncap; i++)
        if (fs->capsyms[i] == sym->base) { *index = i; return N_CAP; }
    if (fs->self && fs->self == sym->base) { *index = 0; return N_SELF; }
    if (!fs->parent) return -1;
    int pidx;
    int kind = resolve_local(a, fs->parent, sym, &pidx);
    if (kind < 0) return -1;
    if (fs->ncap == fs->capcap) {
        int cap = fs->capcap ? fs->capcap * 2 : 8;
        gv_symbol **s = arena(a->vm, a->code, (size_t)cap * sizeof *s);
        capsrc *c = arena(a->vm, a->code, (size_t)cap * sizeof *c);
        if (fs->ncap) {
            memcpy(s, fs->capsyms, (size_t)fs->ncap * sizeof *s);
            memcpy(c, fs->caps, (size_t)fs->ncap * sizeof *c);
        }
        fs->capsyms = s;
        fs->caps = c;
        fs->capcap = cap;
    }
    fs->capsyms[fs->ncap] = sym->base;
    fs->caps[fs->ncap].kind = (uint8_t)kind;
    fs->caps[fs->ncap].index = pidx;
    *index = fs->ncap++;
    return N_CAP;
}

/* ---- helpers on forms -------------------------------------------------- */

static bool is_sym(gv_val v, gv_symbol *s) {
    return v.t == GV_SYMBOL && GV_AS(gv_symbol, v)->base == s;
}

static int64_t list_len(gv_val l) { return l.t == GV_LIST ? GV_AS(gv_list, l)->count : 0; }

/* The items of a list form, as an arena array (the form stays rooted by
 * whoever holds it). */
static gv_val *list_items(actx *a, gv_val form, int *n) {
    gv_vm *vm = a->vm;
    int64_t cnt;
    if (form.t == GV_LIST) cnt = GV_AS(gv_list, form)->count;
    else {
        /* realizing a macro-built lazy seq may reach a safe point; the
         * analyzer's unrooted values must survive it */
        gv_gc_inhibit(vm);
        cnt = gv_count(vm, form);
        gv_gc_allow(vm);
    }
    gv_val *items = arena(vm, a->code, (size_t)(cnt ? cnt : 1) * sizeof(gv_val));
    int i = 0;
    if (form.t == GV_LIST) {
        for (gv_val l = form; GV_AS(gv_list, l)->count; l = GV_AS(gv_list, l)->rest)
            items[i++] = GV_AS(gv_list, l)->first;
    } else if (form.t == GV_VECTOR) {
        for (; i < cnt; i++) items[i] = gv_vec_nth(form, i);
    } else {
        gv_gc_inhibit(vm);
        for (gv_val s = gv_seq(vm, form); s.t != GV_NIL && i < cnt; s = gv_next(vm, s))
            items[i++] = gv_first(vm, s);
        gv_gc_allow(vm);
    }
    *n = i;
    return items;
}

static gv_val mklist(actx *a, int n, const gv_val *v) {
    return keep(a->vm, a->code, gv_list_from(a->vm, n, v));
}

/* Macros build code with concat and friends: a seq in code position is
 * read as the list it holds. */
static gv_val norm(actx *a, gv_val v) {
    if (v.t != GV_CONS && v.t != GV_LAZYSEQ && v.t != GV_ARRAYSEQ && v.t != GV_RANGE) return v;
    int n;
    gv_val *items = list_items(a, v, &n);
    return mklist(a, n, items);
}

static gv_symbol *gensym(actx *a, const char *prefix) {
    char buf[64];
    snprintf(buf, sizeof buf, "%s__%llu", prefix, (unsigned long long)++a->vm->gensym_counter);
    return gv_sym(a->vm, buf);
}

static gv_val core_sym(actx *a, const char *name) {
    return gv_mk(GV_SYMBOL, gv_sym_intern(a->vm, "clojure.core", 12, name, strlen(name)));
}

/* ---- destructuring ----------------------------------------------------- */

/* Appends simple (symbol, init-form) pairs for PAT bound to INIT to the
 * growable arrays in *OUT.  All generated forms are kept in the code's
 * constants so they stay rooted. */
typedef struct pairs {
    gv_val *v;
    int n, cap;
} pairs;

static void pairs_add(actx *a, pairs *p, gv_val sym, gv_val init) {
    if (p->n + 2 > p->cap) {
        int cap = p->cap ? p->cap * 2 : 16;
        gv_val *v = arena(a->vm, a->code, (size_t)cap * sizeof *v);
        if (p->n) memcpy(v, p->v, (size_t)p->n * sizeof *v);
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = sym;
    p->v[p->n++] = init;
}

static void destructure(actx *a, pairs *out, gv_val pat, gv_val init);

static void destructure_vec(actx *a, pairs *out, gv_val pat, gv_val init) {
    gv_vm *vm = a->vm;
    gv_val g = gv_mk(GV_SYMBOL, gensym(a, "vec"));
    pairs_add(a, out, g, init);
    int64_t n = gv_vec_count(pat);
    int64_t pos = 0;
    for (int64_t i = 0; i < n; i++) {
        gv_val p = gv_vec_nth(pat, i);
        if (is_sym(p, vm->sy.s_amp)) {
            if (i + 1 >= n) compile_error(a, "Invalid destructuring: & without a binding");
            gv_val rest[3] = {core_sym(a, "nthnext"), g, gv_l(pos)};
            destructure(a, out, gv_vec_nth(pat, i + 1), mklist(a, 3, rest));
            i++;
        } else if (p.t == GV_KEYWORD && GV_AS(gv_keyword, p)->sym->base == gv_sym(vm, "as")) {
            if (i + 1 >= n) compile_error(a, "Invalid destructuring: :as without a binding");
            pairs_add(a, out, gv_vec_nth(pat, i + 1), g);
            i++;
        } else {
            gv_val nth[4] = {core_sym(a, "nth"), g, gv_l(pos), GV_NILV};
            destructure(a, out, p, mklist(a, 4, nth));
            pos++;
        }
    }
}

static void destructure_map(actx *a, pairs *out, gv_val pat, gv_val init) {
    gv_vm *vm = a->vm;
    gv_val g = gv_mk(GV_SYMBOL, gensym(a, "map"));
    gv_val call[2] = {core_sym(a, "seq-to-map-for-destructuring"), init};
    pairs_add(a, out, g, mklist(a, 2, call));
    gv_val ors = gv_map_get(vm, pat, gv_mk(GV_KEYWORD, vm->sy.k_or), GV_NILV);
    if (!gv_is_map(ors)) ors = vm->empty_map;
    gv_val as = gv_map_get(vm, pat, gv_mk(GV_KEYWORD, vm->sy.k_as), GV_NILV);
    if (as.t != GV_NIL) pairs_add(a, out, as, g);
    gv_val entries = keep(vm, a->code, gv_map_seq(vm, pat));
    int n;
    gv_val *items = list_items(a, entries.t == GV_NIL ? vm->empty_list : entries, &n);
    for (int i = 0; i < n; i++) {
        gv_val k = gv_vec_nth(items[i], 0), v = gv_vec_nth(items[i], 1);
        if (k.t == GV_KEYWORD) {
            gv_keyword *kw = GV_AS(gv_keyword, k);
            const char *nm = kw->sym->name->data;
            int kind = strcmp(nm, "keys") == 0 ? 1 : strcmp(nm, "strs") == 0 ? 2
                     : strcmp(nm, "syms") == 0 ? 3 : 0;
            gv_string *kns = kind != 2 ? kw->sym->ns : NULL; /* :user/keys */
            if (kind) {
                if (v.t != GV_VECTOR) compile_error(a, ":%s must be followed by a vector", nm);
                for (int64_t j = 0; j < gv_vec_count(v); j++) {
                    gv_val s = gv_vec_nth(v, j);
                    gv_symbol *sym;
                    if (s.t == GV_SYMBOL) sym = GV_AS(gv_symbol, s);
                    else if (s.t == GV_KEYWORD) sym = GV_AS(gv_keyword, s)->sym;
                    else compile_error(a, "Unsupported binding key: %s", gv_type_name(s));
                    gv_symbol *local = gv_sym_intern(vm, NULL, 0, sym->name->data, sym->name->len);
                    gv_string *ns = sym->ns ? sym->ns : kns;
                    gv_val key;
                    if (kind == 1)
                        key = gv_mk(GV_KEYWORD, gv_kw_intern(vm, ns ? ns->data : NULL, ns ? ns->len : 0,
                                                             sym->name->data, sym->name->len));
                    else if (kind == 2) key = keep(vm, a->code, gv_objval(sym->name));
                    else {
                        gv_symbol *qs = gv_sym_intern(vm, ns ? ns->data : NULL, ns ? ns->len : 0,
                                                      sym->name->data, sym->name->len);
                        gv_val q[2] = {gv_mk(GV_SYMBOL, vm->sy.s_quote), gv_mk(GV_SYMBOL, qs)};
                        key = mklist(a, 2, q);
                    }
                    gv_val dflt = gv_map_get(vm, ors, gv_mk(GV_SYMBOL, local), GV_NILV);
                    gv_val get[4] = {core_sym(a, "get"), g, key, dflt};
                    pairs_add(a, out, gv_mk(GV_SYMBOL, local), mklist(a, 4, get));
                }
                continue;
            }
            if (strcmp(nm, "as") == 0 || strcmp(nm, "or") == 0) continue;
        }
        /* binding-form key */
        gv_val dflt = GV_NILV;
        if (k.t == GV_SYMBOL) dflt = gv_map_get(vm, ors, k, GV_NILV);
        gv_val get[4] = {core_sym(a, "get"), g, v, dflt};
        destructure(a, out, k, mklist(a, 4, get));
    }
}

static void destructure(actx *a, pairs *out, gv_val pat, gv_val init) {
    switch (pat.t) {
    case GV_SYMBOL:
        if (GV_AS(gv_symbol, pat)->ns)
            compile_error(a, "Can't let qualified name: %s/%s", GV_AS(gv_symbol, pat)->ns->data,
                          GV_AS(gv_symbol, pat)->name->data);
        pairs_add(a, out, pat, init);
        return;
    case GV_VECTOR: destructure_vec(a, out, pat, init); return;
    case GV_ARRAYMAP: case GV_HASHMAP: destructure_map(a, out, pat, init); return;
    default: compile_error(a, "Unsupported binding form: %s", gv_type_name(pat));
    }
}

/* ---- the analyzer ------------------------------------------------------ */

static node *analyze(actx *a, gv_val form, bool tail, loopt *lt);
static gv_symbol *special_name(gv_vm *vm, gv_symbol *h);

static node *analyze_body(actx *a, gv_val *items, int n, bool tail, loopt *lt) {
    if (n == 0) { node *c = mk(a, N_CONST); c->u.k = GV_NILV; return c; }
    if (n == 1) return analyze(a, items[0], tail, lt);
    node *d = mk(a, N_DO);
    d->u.d.n = n;
    d->u.d.body = arena(a->vm, a->code, (size_t)n * sizeof(node *));
    loopt none = {0, -1};
    for (int i = 0; i < n; i++)
        d->u.d.body[i] = analyze(a, items[i], tail && i == n - 1, i == n - 1 ? lt : &none);
    return d;
}

static gv_val macroexpand1(actx *a, gv_val form, bool *expanded);

static node *analyze_symbol(actx *a, gv_symbol *s) {
    gv_vm *vm = a->vm;
    if (!s->ns) {
        int idx;
        int kind = resolve_local(a, a->fs, s, &idx);
        if (kind >= 0) {
            node *n = mk(a, (opcode)kind);
            n->u.slot = idx;
            return n;
        }
    }
    gv_var *v = gv_ns_resolve(vm, gv_current_ns(vm), s);
    if (!v) {
        if (s->ns) {
            gv_symbol *nsname = gv_sym_intern(vm, NULL, 0, s->ns->data, s->ns->len);
            gv_ns *cur = gv_current_ns(vm);
            gv_val al = gv_map_get(vm, cur->aliases, gv_mk(GV_SYMBOL, nsname), GV_NILV);
            if (al.t == GV_NIL && !gv_ns_find(vm, nsname))
                compile_error(a, "No such namespace: %s", s->ns->data);
            compile_error(a, "No such var: %s/%s", s->ns->data, s->name->data);
        }
        compile_error(a, "Unable to resolve symbol: %s in this context", s->name->data);
    }
    if (v->h.flags & GV_VAR_MACRO)
        compile_error(a, "Can't take value of a macro: #'%s/%s", v->ns->name->name->data,
                      v->sym->name->data);
    node *n = mk(a, N_VAR);
    n->u.var = v;
    return n;
}

static node *analyze_fn(actx *a, gv_val form, gv_val defname);

static node *analyze_let(actx *a, gv_val *items, int n, bool tail, loopt *lt, bool is_loop) {
    gv_vm *vm = a->vm;
    const char *what = is_loop ? "loop" : "let";
    if (n < 2 || items[1].t != GV_VECTOR)
        compile_error(a, "%s requires a vector for its binding", what);
    gv_val bv = items[1];
    int64_t nb = gv_vec_count(bv);
    if (nb % 2) compile_error(a, "%s requires an even number of forms in binding vector", what);
    pairs p = {0};
    gv_val *body = items + 2;
    int nbody = n - 2;
    if (is_loop) {
        /* loop: destructuring patterns get a plain symbol in the loop and
         * are destructured again at the top of the body */
        pairs inner = {0};
        for (int64_t i = 0; i < nb; i += 2) {
            gv_val pat = gv_vec_nth(bv, i), init = gv_vec_nth(bv, i + 1);
            if (pat.t == GV_SYMBOL) { pairs_add(a, &p, pat, init); continue; }
            gv_val g = gv_mk(GV_SYMBOL, gensym(a, "loop"));
            pairs_add(a, &p, g, init);
            pairs_add(a, &inner, pat, g);
        }
        if (inner.n) {
            gv_val vec = keep(vm, a->code, gv_vec_from(vm, inner.n, inner.v));
            gv_val *lf = arena(vm, a->code, (size_t)(nbody + 2) * sizeof(gv_val));
            lf[0] = gv_mk(GV_SYMBOL, vm->sy.s_let);
            lf[1] = vec;
            memcpy(lf + 2, body, (size_t)nbody * sizeof(gv_val));
            gv_val letform = mklist(a, nbody + 2, lf);
            body = arena(vm, a->code, sizeof(gv_val));
            body[0] = letform;
            nbody = 1;
        }
    } else {
        for (int64_t i = 0; i < nb; i += 2)
            destructure(a, &p, gv_vec_nth(bv, i), gv_vec_nth(bv, i + 1));
    }
    int npairs = p.n / 2;
    node *ln = mk(a, is_loop ? N_LOOP : N_LET);
    ln->u.let.n = npairs;
    ln->u.let.inits = arena(vm, a->code, (size_t)(npairs ? npairs : 1) * sizeof(node *));
    int saved_locals = a->fs->nlocals, saved_slots = a->fs->nslots;
    loopt none = {0, -1};
    /* slots are allocated consecutively so a loop's recur can fill them */
    int first = -1;
    for (int i = 0; i < npairs; i++) {
        ln->u.let.inits[i] = analyze(a, p.v[2 * i + 1], false, &none);
        gv_val s = p.v[2 * i];
        if (s.t != GV_SYMBOL) compile_error(a, "Bad binding form, expected symbol, got: %s", gv_type_name(s));
        int slot = add_local(a, GV_AS(gv_symbol, s));
        if (first < 0) first = slot;
        else if (slot != first + i) compile_error(a, "internal: non-consecutive slots");
    }
    ln->u.let.first_slot = first < 0 ? a->fs->nslots : first;
    loopt mine = {ln->u.let.first_slot, npairs};
    ln->u.let.body = analyze_body(a, body, nbody, is_loop ? true : tail, is_loop ? &mine : lt);
    a->fs->nlocals = saved_locals;
    a->fs->nslots = saved_slots;
    return ln;
}

static node *analyze_try(actx *a, gv_val *items, int n) {
    gv_vm *vm = a->vm;
    loopt none = {0, -1};
    int nbody = 0, ncatch = 0;
    gv_val fin = GV_NILV;
    bool has_fin = false;
    for (int i = 1; i < n; i++) {
        gv_val f = items[i] = norm(a, items[i]);
        bool is_catch = f.t == GV_LIST && list_len(f) && is_sym(GV_AS(gv_list, f)->first, vm->sy.s_catch);
        bool is_fin = f.t == GV_LIST && list_len(f) && is_sym(GV_AS(gv_list, f)->first, vm->sy.s_finally);
        if (is_catch) ncatch++;
        else if (is_fin) {
            if (i != n - 1) compile_error(a, "finally clause must be last in try expression");
            fin = f;
            has_fin = true;
        } else {
            if (ncatch || has_fin) compile_error(a, "Only catch or finally clause can follow catch in try expression");
            nbody++;
        }
    }
    node *t = mk(a, N_TRY);
    t->u.try_.body = analyze_body(a, items + 1, nbody, false, &none);
    t->u.try_.ncatch = ncatch;
    t->u.try_.catches = arena(vm, a->code, (size_t)(ncatch ? ncatch : 1) * sizeof(catchc));
    for (int i = 0; i < ncatch; i++) {
        gv_val f = items[1 + nbody + i];
        int cn;
        gv_val *c = list_items(a, f, &cn);
        if (cn < 3 || c[1].t != GV_SYMBOL || c[2].t != GV_SYMBOL)
            compile_error(a, "Invalid catch clause: expected (catch Class name body...)");
        t->u.try_.catches[i].cls = GV_AS(gv_symbol, c[1])->base;
        int saved_locals = a->fs->nlocals, saved_slots = a->fs->nslots;
        t->u.try_.catches[i].slot = add_local(a, GV_AS(gv_symbol, c[2]));
        t->u.try_.catches[i].body = analyze_body(a, c + 3, cn - 3, false, &none);
        a->fs->nlocals = saved_locals;
        a->fs->nslots = saved_slots;
    }
    if (has_fin) {
        int fn_;
        gv_val *fi = list_items(a, fin, &fn_);
        t->u.try_.fin = analyze_body(a, fi + 1, fn_ - 1, false, &none);
    }
    return t;
}

static node *analyze_letfn(actx *a, gv_val *items, int n, bool tail, loopt *lt) {
    gv_vm *vm = a->vm;
    if (n < 2 || items[1].t != GV_VECTOR) compile_error(a, "letfn requires a vector for its binding");
    int64_t nf = gv_vec_count(items[1]);
    node *ln = mk(a, N_LETFN);
    ln->u.letfn.n = (int)nf;
    ln->u.letfn.fns = arena(vm, a->code, (size_t)(nf ? nf : 1) * sizeof(node *));
    int saved_locals = a->fs->nlocals, saved_slots = a->fs->nslots;
    int first = a->fs->nslots;
    for (int64_t i = 0; i < nf; i++) {
        gv_val f = norm(a, gv_vec_nth(items[1], i));
        if (f.t != GV_LIST || list_len(f) < 2 || GV_AS(gv_list, f)->first.t != GV_SYMBOL)
            compile_error(a, "letfn binding must be (name [params] body...)");
        add_local(a, GV_AS(gv_symbol, GV_AS(gv_list, f)->first));
    }
    for (int64_t i = 0; i < nf; i++) {
        gv_val f = norm(a, gv_vec_nth(items[1], i));
        /* (name ...) → (fn name ...) */
        gv_val fnform = keep(vm, a->code, gv_list_cons(vm, gv_mk(GV_SYMBOL, vm->sy.s_fn), f));
        ln->u.letfn.fns[i] = analyze_fn(a, fnform, GV_NILV);
    }
    ln->u.letfn.first_slot = first;
    ln->u.letfn.body = analyze_body(a, items + 2, n - 2, tail, lt);
    a->fs->nlocals = saved_locals;
    a->fs->nslots = saved_slots;
    return ln;
}

/* Parses one arity: ([params] body...) into AR, in a fresh scope FS. */
static void analyze_arity(actx *a, arity *ar, gv_val *items, int n) {
    gv_vm *vm = a->vm;
    if (n < 1 || items[0].t != GV_VECTOR)
        compile_error(a, "Parameter declaration missing or not a vector");
    gv_val params = items[0];
    int64_t np = gv_vec_count(params);
    pairs dp = {0};
    ar->nreq = 0;
    ar->variadic = false;
    a->fs->nlocals = 0;
    a->fs->nslots = 0;
    for (int64_t i = 0; i < np; i++) {
        gv_val p = gv_vec_nth(params, i);
        if (is_sym(p, vm->sy.s_amp)) {
            if (i + 2 != np) compile_error(a, "Invalid parameter list: & must be followed by exactly one binding");
            ar->variadic = true;
            continue;
        }
        gv_val local = p;
        if (p.t != GV_SYMBOL) {
            local = gv_mk(GV_SYMBOL, gensym(a, "p"));
            pairs_add(a, &dp, p, local);
        } else if (GV_AS(gv_symbol, p)->ns) {
            compile_error(a, "Can't use qualified name as parameter: %s/%s",
                          GV_AS(gv_symbol, p)->ns->data, GV_AS(gv_symbol, p)->name->data);
        }
        add_local(a, GV_AS(gv_symbol, local));
        if (!ar->variadic) ar->nreq++;
    }
    gv_val *body = items + 1;
    int nbody = n - 1;
    /* a leading condition map is only one when there is a body after it */
    if (nbody > 1 && gv_is_map(body[0])) { body++; nbody--; }
    if (dp.n) {
        gv_val vec = keep(vm, a->code, gv_vec_from(vm, dp.n, dp.v));
        gv_val *lf = arena(vm, a->code, (size_t)(nbody + 2) * sizeof(gv_val));
        lf[0] = gv_mk(GV_SYMBOL, vm->sy.s_let);
        lf[1] = vec;
        memcpy(lf + 2, body, (size_t)nbody * sizeof(gv_val));
        body = arena(vm, a->code, sizeof(gv_val));
        body[0] = mklist(a, nbody + 2, lf);
        nbody = 1;
    }
    loopt mine = {0, ar->nreq + (ar->variadic ? 1 : 0)};
    ar->body = analyze_body(a, body, nbody, true, &mine);
    ar->nslots = a->fs->maxslots;
}

static node *analyze_fn(actx *a, gv_val form, gv_val defname) {
    gv_vm *vm = a->vm;
    int n;
    gv_val *items = list_items(a, form, &n);
    int i = 1;
    fntmpl *t = arena(vm, a->code, sizeof *t);
    t->code = a->code;
    t->name = defname;
    t->ns = gv_current_ns(vm);
    fscope *fs = arena(vm, a->code, sizeof *fs);
    fs->parent = a->fs;
    if (i < n && items[i].t == GV_SYMBOL) {
        fs->self = GV_AS(gv_symbol, items[i])->base;
        t->name = gv_mk(GV_SYMBOL, fs->self);
        i++;
    }
    fscope *saved = a->fs;
    a->fs = fs;
    if (i < n && items[i].t == GV_VECTOR) {
        t->narities = 1;
        t->ar = arena(vm, a->code, sizeof(arity));
        analyze_arity(a, &t->ar[0], items + i, n - i);
    } else {
        t->narities = n - i;
        if (t->narities == 0) compile_error(a, "Parameter declaration missing");
        t->ar = arena(vm, a->code, (size_t)t->narities * sizeof(arity));
        int variadics = 0;
        for (int k = 0; k < t->narities; k++) {
            gv_val clause = norm(a, items[i + k]);
            if (clause.t != GV_LIST) compile_error(a, "Parameter declaration missing or not a vector");
            int cn;
            gv_val *c = list_items(a, clause, &cn);
            int32_t sl = a->line, sc = a->col;
            if (GV_AS(gv_list, clause)->line) { a->line = GV_AS(gv_list, clause)->line; a->col = GV_AS(gv_list, clause)->col; }
            analyze_arity(a, &t->ar[k], c, cn);
            a->line = sl; a->col = sc;
            if (t->ar[k].variadic) variadics++;
        }
        if (variadics > 1) compile_error(a, "Can't have more than 1 variadic overload");
        for (int k = 0; k < t->narities; k++)
            for (int m = k + 1; m < t->narities; m++)
                if (!t->ar[k].variadic && !t->ar[m].variadic && t->ar[k].nreq == t->ar[m].nreq)
                    compile_error(a, "Can't have 2 overloads with same arity");
    }
    t->ncap = fs->ncap;
    t->caps = fs->caps;
    a->fs = saved;
    node *fnode = mk(a, N_FN);
    fnode->u.fn = t;
    return fnode;
}

static node *analyze_def(actx *a, gv_val *items, int n) {
    gv_vm *vm = a->vm;
    if (n < 2 || items[1].t != GV_SYMBOL) compile_error(a, "First argument to def must be a Symbol");
    if (n > 4) compile_error(a, "Too many arguments to def");
    gv_symbol *s = GV_AS(gv_symbol, items[1]);
    gv_ns *cur = gv_current_ns(vm);
    if (s->ns && strcmp(s->ns->data, cur->name->name->data) != 0)
        compile_error(a, "Can't create defs outside of current ns");
    gv_symbol *bare = gv_sym_intern(vm, NULL, 0, s->name->data, s->name->len);
    gv_val existing = gv_map_get(vm, cur->mappings, gv_mk(GV_SYMBOL, bare), GV_NILV);
    gv_var *v = NULL;
    if (existing.t == GV_VAR && GV_AS(gv_var, existing)->ns == cur) v = GV_AS(gv_var, existing);
    else {
        /* a def shadows a referred var, as Clojure does (with a warning) */
        gv_var *nv = gv_alloc(vm, GV_VAR, sizeof *nv);
        nv->ns = cur;
        nv->sym = bare;
        nv->root = GV_NILV;
        nv->meta = GV_NILV;
        cur->mappings = gv_map_assoc(vm, cur->mappings, gv_mk(GV_SYMBOL, bare), gv_objval(nv));
        v = nv;
    }
    gv_val meta = s->meta;
    if (gv_is_map(meta)) {
        if (gv_truthy(gv_map_get(vm, meta, gv_mk(GV_KEYWORD, vm->sy.k_dynamic), GV_NILV)))
            v->h.flags |= GV_VAR_DYNAMIC;
        if (gv_truthy(gv_map_get(vm, meta, gv_mk(GV_KEYWORD, vm->sy.k_private), GV_NILV)))
            v->h.flags |= GV_VAR_PRIVATE;
    }
    node *d = mk(a, N_DEF);
    d->u.def.var = v;
    gv_val init = GV_NILV;
    bool has_init = n >= 3;
    if (n == 4) {
        if (items[2].t != GV_STRING) compile_error(a, "Too many arguments to def");
        meta = keep(vm, a->code, gv_map_assoc(vm, gv_is_map(meta) ? meta : vm->empty_map,
                                              gv_mk(GV_KEYWORD, vm->sy.k_doc), items[2]));
        init = items[3];
    } else if (n == 3) init = items[2];
    init = norm(a, init);
    d->u.def.meta = keep(vm, a->code, meta);
    if (has_init) {
        loopt none = {0, -1};
        gv_val head = init.t == GV_LIST && list_len(init) ? GV_AS(gv_list, init)->first : GV_NILV;
        gv_symbol *hs = head.t == GV_SYMBOL ? special_name(vm, GV_AS(gv_symbol, head)->base) : NULL;
        bool is_fn = hs && (hs == vm->sy.s_fn || hs == vm->sy.s_fnx);
        d->u.def.init = is_fn ? analyze_fn(a, init, gv_mk(GV_SYMBOL, bare)) : analyze(a, init, false, &none);
    }
    return d;
}

static const struct { const char *name; opcode op; int argc; } inlinable[] = {
    {"+", N_ADD, 2}, {"-", N_SUB, 2}, {"*", N_MUL, 2}, {"<", N_LT, 2},
    {">", N_GT, 2}, {"<=", N_LE, 2}, {">=", N_GE, 2}, {"==", N_NUMEQ, 2},
    {"=", N_EQ, 2}, {"inc", N_INC, 1}, {"dec", N_DEC, 1},
};

static node *analyze_call(actx *a, gv_val *items, int n) {
    gv_vm *vm = a->vm;
    loopt none = {0, -1};
    node *f = analyze(a, items[0], false, &none);
    if (f->op == N_VAR && f->u.var->ns == vm->core_ns) {
        const char *nm = f->u.var->sym->name->data;
        for (size_t i = 0; i < sizeof inlinable / sizeof inlinable[0]; i++) {
            if (inlinable[i].argc == n - 1 && strcmp(inlinable[i].name, nm) == 0) {
                node *b = mk(a, inlinable[i].op);
                b->u.bin.var = f->u.var;
                b->u.bin.a = analyze(a, items[1], false, &none);
                if (n > 2) b->u.bin.b = analyze(a, items[2], false, &none);
                return b;
            }
        }
    }
    /* Clojure compiles (/ 1.0 0) with literal operands to its primitive
     * double division (##Inf) while the boxed path throws "Divide by
     * zero"; grove's only typed operands are literals, so fold those. */
    if (f->op == N_VAR && f->u.var->ns == vm->core_ns && n == 3 &&
        strcmp(f->u.var->sym->name->data, "/") == 0) {
        node *x = analyze(a, items[1], false, &none), *y = analyze(a, items[2], false, &none);
        if (x->op == N_CONST && y->op == N_CONST &&
            (x->u.k.t == GV_DOUBLE || y->u.k.t == GV_DOUBLE) &&
            (x->u.k.t == GV_DOUBLE || x->u.k.t == GV_LONG) &&
            (y->u.k.t == GV_DOUBLE || y->u.k.t == GV_LONG)) {
            double xd = x->u.k.t == GV_DOUBLE ? x->u.k.as.d : (double)x->u.k.as.i;
            double yd = y->u.k.t == GV_DOUBLE ? y->u.k.as.d : (double)y->u.k.as.i;
            node *k = mk(a, N_CONST);
            k->u.k = gv_d(xd / yd);
            return k;
        }
    }
    node *c = mk(a, N_CALL);
    c->u.call.f = f;
    c->u.call.n = n - 1;
    c->u.call.var = f->op == N_VAR ? f->u.var : NULL;
    c->u.call.args = arena(vm, a->code, (size_t)(n > 1 ? n - 1 : 1) * sizeof(node *));
    for (int i = 1; i < n; i++) c->u.call.args[i - 1] = analyze(a, items[i], false, &none);
    return c;
}

/* A constant node whose value is the form itself (not a quote form). */
static bool self_evaluating(const node *n, gv_val form) {
    return n->op == N_CONST && gv_identical(n->u.k, form);
}

static node *analyze_coll(actx *a, gv_val form) {
    gv_vm *vm = a->vm;
    loopt none = {0, -1};
    opcode op = form.t == GV_VECTOR ? N_VEC : form.t == GV_SET ? N_SET : N_MAP;
    gv_val s = form.t == GV_SET ? gv_set_seq(vm, form)
             : gv_is_map(form) ? gv_map_seq(vm, form) : form;
    keep(vm, a->code, s);
    int n = 0;
    gv_val *items = s.t == GV_NIL ? NULL : list_items(a, s, &n);
    node *c = mk(a, op);
    int total = op == N_MAP ? 2 * n : n;
    c->u.coll.n = total;
    c->u.coll.items = arena(vm, a->code, (size_t)(total ? total : 1) * sizeof(node *));
    bool all_const = true;
    for (int i = 0; i < n; i++) {
        if (op == N_MAP) {
            c->u.coll.items[2 * i] = analyze(a, gv_vec_nth(items[i], 0), false, &none);
            c->u.coll.items[2 * i + 1] = analyze(a, gv_vec_nth(items[i], 1), false, &none);
            all_const = all_const && self_evaluating(c->u.coll.items[2 * i], gv_vec_nth(items[i], 0)) &&
                        self_evaluating(c->u.coll.items[2 * i + 1], gv_vec_nth(items[i], 1));
        } else {
            c->u.coll.items[i] = analyze(a, items[i], false, &none);
            all_const = all_const && self_evaluating(c->u.coll.items[i], items[i]);
        }
    }
    if (all_const) {
        node *k = mk(a, N_CONST);
        k->u.k = form;
        return k;
    }
    c->u.coll.meta = gv_meta(form);
    return c;
}

/* let, loop, fn and letfn are macros in Clojure, so syntax-quote
 * qualifies them as clojure.core/fn etc.; here they are special forms. */
static gv_symbol *special_name(gv_vm *vm, gv_symbol *h) {
    if (h->ns && strcmp(h->ns->data, "clojure.core") == 0 &&
        (strcmp(h->name->data, "let") == 0 || strcmp(h->name->data, "loop") == 0 ||
         strcmp(h->name->data, "fn") == 0 || strcmp(h->name->data, "letfn") == 0))
        return gv_sym_intern(vm, NULL, 0, h->name->data, h->name->len);
    return h;
}

static node *analyze_list(actx *a, gv_val form, bool tail, loopt *lt) {
    gv_vm *vm = a->vm;
    gv_syms *y = &vm->sy;
    if (list_len(form) == 0) { node *c = mk(a, N_CONST); c->u.k = form; return c; }
    gv_val head = GV_AS(gv_list, form)->first;
    int n;
    gv_val *items;
    loopt none = {0, -1};
    if (head.t == GV_SYMBOL) {
        gv_symbol *h = GV_AS(gv_symbol, head)->base;
        h = special_name(vm, h);
        bool local = false;
        if (!h->ns) { int idx; local = resolve_local(a, a->fs, h, &idx) >= 0; }
        if (!local) {
            items = list_items(a, form, &n);
            if (h == y->s_if) {
                if (n < 3) compile_error(a, "Too few arguments to if");
                if (n > 4) compile_error(a, "Too many arguments to if");
                node *i = mk(a, N_IF);
                i->u.iff.c = analyze(a, items[1], false, &none);
                i->u.iff.t = analyze(a, items[2], tail, lt);
                if (n == 4) i->u.iff.e = analyze(a, items[3], tail, lt);
                else { i->u.iff.e = mk(a, N_CONST); i->u.iff.e->u.k = GV_NILV; }
                return i;
            }
            if (h == y->s_do) return analyze_body(a, items + 1, n - 1, tail, lt);
            if (h == y->s_let || h == y->s_letx) return analyze_let(a, items, n, tail, lt, false);
            if (h == y->s_loop || h == y->s_loopx) return analyze_let(a, items, n, tail, lt, true);
            if (h == y->s_fn || h == y->s_fnx) return analyze_fn(a, form, GV_NILV);
            if (h == y->s_def) return analyze_def(a, items, n);
            if (h == y->s_quote) {
                if (n != 2) compile_error(a, "Wrong number of args (%d) passed to quote", n - 1);
                node *c = mk(a, N_CONST);
                c->u.k = items[1];
                return c;
            }
            if (h == y->s_var) {
                if (n != 2 || items[1].t != GV_SYMBOL) compile_error(a, "var requires a symbol");
                gv_var *v = gv_ns_resolve(vm, gv_current_ns(vm), GV_AS(gv_symbol, items[1]));
                if (!v) compile_error(a, "Unable to resolve var: %s in this context",
                                      GV_AS(gv_symbol, items[1])->name->data);
                node *c = mk(a, N_CONST);
                c->u.k = gv_objval(v);
                return c;
            }
            if (h == y->s_recur) {
                if (!lt || lt->n < 0 || !tail) compile_error(a, "Can only recur from tail position");
                if (n - 1 != lt->n)
                    compile_error(a, "Mismatched argument count to recur, expected: %d args, got: %d",
                                  lt->n, n - 1);
                node *r = mk(a, N_RECUR);
                r->u.recur.n = n - 1;
                r->u.recur.first_slot = lt->first_slot;
                r->u.recur.args = arena(vm, a->code, (size_t)(n > 1 ? n - 1 : 1) * sizeof(node *));
                for (int i = 1; i < n; i++) r->u.recur.args[i - 1] = analyze(a, items[i], false, &none);
                return r;
            }
            if (h == y->s_throw) {
                if (n != 2) compile_error(a, "Too many arguments to throw, throw expects a single Throwable instance");
                node *t = mk(a, N_THROW);
                t->u.bin.a = analyze(a, items[1], false, &none);
                return t;
            }
            if (h == y->s_try) return analyze_try(a, items, n);
            if (h == y->s_letfn || h == y->s_letfnx) return analyze_letfn(a, items, n, tail, lt);
            if (h == y->s_set) {
                if (n != 3 || items[1].t != GV_SYMBOL) compile_error(a, "Invalid assignment target");
                gv_var *v = gv_ns_resolve(vm, gv_current_ns(vm), GV_AS(gv_symbol, items[1]));
                if (!v) compile_error(a, "Unable to resolve symbol: %s in this context",
                                      GV_AS(gv_symbol, items[1])->name->data);
                node *s = mk(a, N_SETBANG);
                s->u.setb.var = v;
                s->u.setb.val = analyze(a, items[2], false, &none);
                return s;
            }
            if (h == y->s_dot || h == y->s_new ||
                (!h->ns && h->name->len > 1 && h->name->data[0] == '.' && h->name->data[1] != '.'))
                compile_error(a, "Java interop is not supported in grove: %s", h->name->data);
            bool expanded;
            gv_val ex = macroexpand1(a, form, &expanded);
            if (expanded) return analyze(a, ex, tail, lt);
            return analyze_call(a, items, n);
        }
    }
    items = list_items(a, form, &n);
    return analyze_call(a, items, n);
}

static node *analyze(actx *a, gv_val form, bool tail, loopt *lt) {
    int32_t sl = a->line, sc = a->col;
    node *r;
    switch (form.t) {
    case GV_SYMBOL: r = analyze_symbol(a, GV_AS(gv_symbol, form)); break;
    case GV_LIST:
        if (GV_AS(gv_list, form)->line) {
            a->line = GV_AS(gv_list, form)->line;
            a->col = GV_AS(gv_list, form)->col;
        }
        if (a->vm->cur->depth++ > 2000 ||
            (char *)__builtin_frame_address(0) < a->vm->cur->cstack_limit)
            compile_error(a, "Form nested too deeply to compile");
        r = analyze_list(a, form, tail, lt);
        a->vm->cur->depth--;
        break;
    case GV_CONS: case GV_LAZYSEQ: case GV_ARRAYSEQ: case GV_RANGE:
        r = analyze(a, norm(a, form), tail, lt); /* a seq built by a macro */
        break;
    case GV_VECTOR: case GV_ARRAYMAP: case GV_HASHMAP: case GV_SET:
        r = analyze_coll(a, form);
        break;
    default:
        r = mk(a, N_CONST);
        r->u.k = form;
        break;
    }
    a->line = sl;
    a->col = sc;
    return r;
}

/* The map of locals in scope, for a macro's &env. */
static gv_val env_map(actx *a) {
    gv_vm *vm = a->vm;
    gv_val m = vm->empty_map;
    for (fscope *fs = a->fs; fs; fs = fs->parent)
        for (int i = 0; i < fs->nlocals; i++)
            m = gv_map_assoc(vm, m, gv_mk(GV_SYMBOL, fs->locals[i].sym), GV_NILV);
    return m;
}

/* The macro var FORM calls, or NULL when it is not a macro call. */
static gv_var *macro_of(gv_vm *vm, gv_val form) {
    if (form.t != GV_LIST || GV_AS(gv_list, form)->count == 0) return NULL;
    gv_val head = GV_AS(gv_list, form)->first;
    if (head.t != GV_SYMBOL) return NULL;
    gv_var *v = gv_ns_resolve(vm, gv_current_ns(vm), GV_AS(gv_symbol, head));
    return v && (v->h.flags & GV_VAR_MACRO) ? v : NULL;
}

/* Calls macro V on FORM with &env ENV, as Clojure: (f &form &env & args). */
static gv_val expand_with(gv_vm *vm, gv_var *v, gv_val form, gv_val env) {
    gv_val *args = gv_push(vm, form);
    gv_push(vm, env);
    for (gv_val l = GV_AS(gv_list, form)->rest; GV_AS(gv_list, l)->count; l = GV_AS(gv_list, l)->rest)
        gv_push(vm, GV_AS(gv_list, l)->first);
    int argc = (int)(vm->cur->sp - args);
    gv_val r = gv_call(vm, v->root, argc, args);
    vm->cur->sp = args;
    return r;
}

static gv_val macroexpand1(actx *a, gv_val form, bool *expanded) {
    gv_var *v = macro_of(a->vm, form);
    *expanded = v != NULL;
    if (!v) return form;
    return keep(a->vm, a->code, expand_with(a->vm, v, form, env_map(a)));
}

/* ---- the interpreter --------------------------------------------------- */

static gv_val eval(gv_vm *vm, const node *n, gv_val *fp);
static gv_val invoke(gv_vm *vm, gv_val *base, int argc, const node *site);

static inline void tick(gv_vm *vm) {
    if (--vm->cur->budget_left <= 0) gv_safepoint(vm);
}

/* Slow path of an inlined arithmetic/comparison: call the real function. */
static gv_val slow_bin(gv_vm *vm, const node *n, gv_val x, gv_val y, int argc) {
    gv_val *base = vm->cur->sp;
    *vm->cur->sp++ = n->u.bin.var->root;
    *vm->cur->sp++ = x;
    if (argc == 2) *vm->cur->sp++ = y;
    gv_val r = invoke(vm, base + 1, argc, n);
    vm->cur->sp = base;
    return r;
}

/* Operands that are locals or constants are read without a call. */
static inline bool simple(const node *n) { return n->op == N_LOCAL || n->op == N_CONST; }
static inline gv_val fetch(gv_vm *vm, const node *n, gv_val *fp) {
    if (n->op == N_LOCAL) return fp[n->u.slot];
    if (n->op == N_CONST) return n->u.k;
    return eval(vm, n, fp);
}

static gv_val arith(gv_vm *vm, const node *n, gv_val *fp) {
    gv_val x = fetch(vm, n->u.bin.a, fp), y;
    if (simple(n->u.bin.b)) {
        y = fetch(vm, n->u.bin.b, fp);
    } else {
        gv_val *xs = vm->cur->sp++;
        *xs = x;
        y = eval(vm, n->u.bin.b, fp);
        x = *xs;
        vm->cur->sp--;
    }
    if (x.t == GV_LONG && y.t == GV_LONG) {
        int64_t r;
        switch ((opcode)n->op) {
        case N_ADD: if (__builtin_add_overflow(x.as.i, y.as.i, &r)) break; return gv_l(r);
        case N_SUB: if (__builtin_sub_overflow(x.as.i, y.as.i, &r)) break; return gv_l(r);
        case N_MUL: if (__builtin_mul_overflow(x.as.i, y.as.i, &r)) break; return gv_l(r);
        case N_LT: return gv_b(x.as.i < y.as.i);
        case N_GT: return gv_b(x.as.i > y.as.i);
        case N_LE: return gv_b(x.as.i <= y.as.i);
        case N_GE: return gv_b(x.as.i >= y.as.i);
        case N_NUMEQ: case N_EQ: return gv_b(x.as.i == y.as.i);
        default: break;
        }
        if (n->op == N_ADD || n->op == N_SUB || n->op == N_MUL)
            gv_throwf(vm, "ArithmeticException", "long overflow");
    }
    if (n->op == N_EQ) return gv_b(gv_equiv(vm, x, y));
    if ((x.t == GV_DOUBLE || x.t == GV_LONG) && (y.t == GV_DOUBLE || y.t == GV_LONG)) {
        double a = x.t == GV_DOUBLE ? x.as.d : (double)x.as.i;
        double b = y.t == GV_DOUBLE ? y.as.d : (double)y.as.i;
        switch ((opcode)n->op) {
        case N_ADD: return gv_d(a + b);
        case N_SUB: return gv_d(a - b);
        case N_MUL: return gv_d(a * b);
        case N_LT: return gv_b(a < b);
        case N_GT: return gv_b(a > b);
        case N_LE: return gv_b(a <= b);
        case N_GE: return gv_b(a >= b);
        case N_NUMEQ: return gv_b(a == b);
        default: break;
        }
    }
    return slow_bin(vm, n, x, y, 2);
}

static gv_val make_closure(gv_vm *vm, const fntmpl *t, gv_val *fp) {
    gv_fn *f = gv_alloc(vm, GV_FN, sizeof(gv_fn) + (size_t)t->ncap * sizeof(gv_val));
    f->meta = GV_NILV;
    f->name = t->name;
    f->ns = t->ns;
    f->code = (gv_obj *)t->code;
    f->tmpl = t;
    f->ncap = (uint32_t)t->ncap;
    gv_fn *self = fp[-1].t == GV_FN ? GV_AS(gv_fn, fp[-1]) : NULL;
    for (int i = 0; i < t->ncap; i++) {
        switch (t->caps[i].kind) {
        case N_LOCAL: f->cap[i] = fp[t->caps[i].index]; break;
        case N_CAP: f->cap[i] = self ? self->cap[t->caps[i].index] : GV_NILV; break;
        default: f->cap[i] = fp[-1]; break;
        }
    }
    return gv_mk(GV_FN, f);
}

/* Evaluates BODY under a handler: true with *result, or false with the
 * exception in *exc (the stack, frames and sinks already restored). */
static bool run_protected(gv_vm *vm, const node *body, gv_val *fp, gv_val *result, gv_val *exc) {
    gv_handler h;
    if (gv_try(vm, &h) == 0) {
        *result = eval(vm, body, fp);
        gv_try_end(vm, &h);
        return true;
    }
    *exc = h.exc;
    return false;
}

/* Like every node, a try leaves the value stack top as it found it. */
static gv_val eval_try(gv_vm *vm, const node *n, gv_val *fp) {
    gv_val *mark = vm->cur->sp;
    gv_val *result = gv_push(vm, GV_NILV);
    gv_val *exc = gv_push(vm, GV_NILV);
    if (!run_protected(vm, n->u.try_.body, fp, result, exc)) {
        gv_exception *e = GV_AS(gv_exception, *exc);
        const catchc *hit = NULL;
        if (!e->uncatchable)
            for (int i = 0; i < n->u.try_.ncatch && !hit; i++)
                if (gv_exception_isa(vm, e->cls, n->u.try_.catches[i].cls)) hit = &n->u.try_.catches[i];
        if (!hit) {
            if (n->u.try_.fin) eval(vm, n->u.try_.fin, fp);
            gv_throw(vm, *exc);
        }
        fp[hit->slot] = *exc;
        if (!n->u.try_.fin) { vm->cur->sp = mark; return eval(vm, hit->body, fp); }
        if (!run_protected(vm, hit->body, fp, result, exc)) {
            eval(vm, n->u.try_.fin, fp);
            gv_throw(vm, *exc);
        }
    }
    if (n->u.try_.fin) eval(vm, n->u.try_.fin, fp);
    gv_val r = *result;
    vm->cur->sp = mark;
    return r;
}

static __attribute__((noinline)) gv_val eval_def(gv_vm *vm, const node *n, gv_val *fp) {
    gv_var *v = n->u.def.var;
    if (n->u.def.meta.t != GV_NIL) v->meta = n->u.def.meta;
    if (n->u.def.init) {
        gv_val val = eval(vm, n->u.def.init, fp);
        v->root = val;
        v->h.flags |= GV_VAR_BOUND;
        if (gv_is_map(n->u.def.meta) &&
            gv_truthy(gv_map_get(vm, n->u.def.meta, gv_mk(GV_KEYWORD, vm->sy.k_macro), GV_NILV)))
            v->h.flags |= GV_VAR_MACRO;
    }
    return gv_mk(GV_VAR, v);
}

static __attribute__((noinline)) void eval_letfn(gv_vm *vm, const node *n, gv_val *fp) {
    int first = n->u.letfn.first_slot, cnt = n->u.letfn.n;
    for (int i = 0; i < cnt; i++) fp[first + i] = GV_NILV;
    for (int i = 0; i < cnt; i++) fp[first + i] = eval(vm, n->u.letfn.fns[i], fp);
    /* patch the captures that referred to not-yet-made siblings */
    for (int i = 0; i < cnt; i++) {
        gv_fn *f = GV_AS(gv_fn, fp[first + i]);
        const fntmpl *t = f->tmpl;
        for (int c = 0; c < t->ncap; c++)
            if (t->caps[c].kind == N_LOCAL && t->caps[c].index >= first &&
                t->caps[c].index < first + cnt)
                f->cap[c] = fp[t->caps[c].index];
    }
}

static __attribute__((noinline)) gv_val eval_coll(gv_vm *vm, const node *n, gv_val *fp) {
    gv_val *base = vm->cur->sp;
    int cnt = n->u.coll.n;
    for (int i = 0; i < cnt; i++) {
        gv_val v = eval(vm, n->u.coll.items[i], fp);
        *vm->cur->sp++ = v;
    }
    gv_val r;
    if (n->op == N_VEC) r = gv_vec_from(vm, cnt, base);
    else if (n->op == N_MAP) {
        for (int i = 0; i < cnt; i += 2)
            for (int j = i + 2; j < cnt; j += 2)
                if (gv_equiv(vm, base[i], base[j])) {
                    gv_buf b;
                    gv_buf_init(&b);
                    gv_print_opts o = {true, 10, 3};
                    gv_pr(vm, &b, base[i], &o);
                    gv_val msg = gv_str(vm, b.p, b.len);
                    gv_buf_free(&b);
                    gv_throwf(vm, "IllegalArgumentException", "Duplicate key: %s",
                              GV_AS(gv_string, msg)->data);
                }
        r = gv_map_from(vm, cnt / 2, base);
    } else {
        /* as Clojure: a set literal's evaluated duplicates collapse */
        r = vm->empty_set;
        for (int i = 0; i < cnt; i++) {
            r = gv_set_conj(vm, r, base[i]);
        }
    }
    if (n->u.coll.meta.t != GV_NIL) r = gv_with_meta(vm, r, n->u.coll.meta);
    vm->cur->sp = base;
    return r;
}

static __attribute__((noinline)) gv_val eval_setbang(gv_vm *vm, const node *n, gv_val *fp) {
    gv_var *v = n->u.setb.var;
    gv_val val = eval(vm, n->u.setb.val, fp);
    gv_val b = vm->cur->bindings;
    gv_val none = gv_mk(GV_VAR, v);
    if (!(v->h.flags & GV_VAR_DYNAMIC) || b.t == GV_NIL ||
        gv_identical(gv_map_get(vm, b, gv_mk(GV_VAR, v), none), none))
        gv_throwf(vm, "IllegalStateException", "Can't change/establish root binding of: %s with set",
                  v->sym->name->data);
    vm->cur->bindings = gv_map_assoc(vm, b, gv_mk(GV_VAR, v), val);
    return val;
}

static gv_val eval(gv_vm *vm, const node *n, gv_val *fp) {
again:
    switch ((opcode)n->op) {
    case N_CONST: return n->u.k;
    case N_LOCAL: return fp[n->u.slot];
    case N_CAP: return GV_AS(gv_fn, fp[-1])->cap[n->u.slot];
    case N_SELF: return fp[-1];
    case N_VAR: {
        gv_var *v = n->u.var;
        if (!(v->h.flags & GV_VAR_DYNAMIC) && (v->h.flags & GV_VAR_BOUND)) return v->root;
        return gv_var_get(vm, v);
    }
    case N_IF:
        n = gv_truthy(eval(vm, n->u.iff.c, fp)) ? n->u.iff.t : n->u.iff.e;
        goto again;
    case N_DO: {
        int last = n->u.d.n - 1;
        for (int i = 0; i < last; i++) eval(vm, n->u.d.body[i], fp);
        n = n->u.d.body[last];
        goto again;
    }
    case N_LET: {
        int first = n->u.let.first_slot;
        for (int i = 0; i < n->u.let.n; i++) fp[first + i] = eval(vm, n->u.let.inits[i], fp);
        n = n->u.let.body;
        goto again;
    }
    case N_LOOP: {
        int first = n->u.let.first_slot;
        for (int i = 0; i < n->u.let.n; i++) fp[first + i] = eval(vm, n->u.let.inits[i], fp);
        for (;;) {
            gv_val r = eval(vm, n->u.let.body, fp);
            if (!vm->recur_pending) return r;
            vm->recur_pending = false;
            tick(vm);
        }
    }
    case N_RECUR: {
        int cnt = n->u.recur.n;
        gv_val *tmp = vm->cur->sp;
        for (int i = 0; i < cnt; i++) {
            gv_val v = fetch(vm, n->u.recur.args[i], fp);
            *vm->cur->sp++ = v;
        }
        for (int i = 0; i < cnt; i++) fp[n->u.recur.first_slot + i] = tmp[i];
        vm->cur->sp = tmp;
        vm->recur_pending = true;
        return GV_NILV;
    }
    case N_FN: return make_closure(vm, n->u.fn, fp);
    case N_DEF: return eval_def(vm, n, fp);
    case N_CALL: {
        gv_proc *p = vm->cur;
        gv_val *base = p->sp;
        int argc = n->u.call.n;
        if (base + argc + 1 >= p->stack_end)
            gv_throwf(vm, "StackOverflowError", "value stack exhausted");
        const node *fnode = n->u.call.f;
        gv_val fv = eval(vm, fnode, fp);
        *p->sp++ = fv;
        for (int i = 0; i < argc; i++) {
            gv_val v = fetch(vm, n->u.call.args[i], fp);
            *p->sp++ = v;
        }
        gv_val r = invoke(vm, base + 1, argc, n);
        p->sp = base;
        return r;
    }
    case N_TRY: return eval_try(vm, n, fp);
    case N_THROW: {
        gv_val e = eval(vm, n->u.bin.a, fp);
        if (e.t != GV_EXCEPTION)
            gv_throwf(vm, "ClassCastException", "class %s cannot be cast to class java.lang.Throwable",
                      gv_type_name(e));
        gv_throw(vm, e);
    }
    case N_LETFN:
        eval_letfn(vm, n, fp);
        n = n->u.letfn.body;
        goto again;
    case N_VEC: case N_SET: case N_MAP: return eval_coll(vm, n, fp);
    case N_SETBANG: return eval_setbang(vm, n, fp);
    case N_ADD: case N_SUB: case N_MUL: case N_LT: case N_GT: case N_LE:
    case N_GE: case N_NUMEQ: case N_EQ:
        return arith(vm, n, fp);
    case N_INC: case N_DEC: {
        gv_val x = fetch(vm, n->u.bin.a, fp);
        if (x.t == GV_LONG) {
            int64_t r;
            if (!__builtin_add_overflow(x.as.i, n->op == N_INC ? 1 : -1, &r)) return gv_l(r);
            gv_throwf(vm, "ArithmeticException", "long overflow");
        }
        if (x.t == GV_DOUBLE) return gv_d(x.as.d + (n->op == N_INC ? 1 : -1));
        return slow_bin(vm, n, x, GV_NILV, 1);
    }
    }
    return GV_NILV;
}

/* Name of a function for error messages: "user/f", "clojure.core/map". */
static void fn_name(gv_val f, char *buf, size_t n) {
    if (f.t == GV_FN) {
        gv_fn *fn = GV_AS(gv_fn, f);
        const char *ns = fn->ns ? fn->ns->name->name->data : "user";
        if (fn->name.t == GV_SYMBOL) snprintf(buf, n, "%s/%s", ns, GV_AS(gv_symbol, fn->name)->name->data);
        else snprintf(buf, n, "%s/fn", ns);
    } else if (f.t == GV_NATIVE) {
        snprintf(buf, n, "%s", GV_AS(gv_native, f)->name->data);
    } else {
        snprintf(buf, n, "%s", gv_type_name(f));
    }
}

static _Noreturn void arity_error(gv_vm *vm, gv_val f, int argc) {
    char name[300];
    fn_name(f, name, sizeof name);
    gv_throw_arity(vm, argc, name);
}

/* Calls base[-1] with the ARGC arguments at base[0..argc).  The caller
 * resets the stack top afterwards.  SITE is the call node (or NULL). */
static gv_val invoke(gv_vm *vm, gv_val *base, int argc, const node *site) {
    gv_proc *p = vm->cur;
    gv_val f = base[-1];
    gv_frame *caller = p->frame;
    if (caller && site) caller->node = site;
    switch (f.t) {
    case GV_FN: {
        gv_fn *fn = GV_AS(gv_fn, f);
        const fntmpl *t = fn->tmpl;
        const arity *ar = NULL;
        for (int i = 0; i < t->narities; i++) {
            const arity *c = &t->ar[i];
            if (c->nreq == argc && !c->variadic) { ar = c; break; }
            if (c->variadic && argc >= c->nreq) ar = c;
        }
        if (!ar) arity_error(vm, f, argc);
        if ((char *)__builtin_frame_address(0) < p->cstack_limit || p->depth >= vm->max_depth)
            gv_throwf(vm, "StackOverflowError", "stack overflow (call depth %d)", p->depth);
        if (base + ar->nslots + 8 >= p->stack_end)
            gv_throwf(vm, "StackOverflowError", "value stack exhausted");
        tick(vm);
        if (ar->variadic) {
            gv_val rest = GV_NILV;
            if (argc > ar->nreq) rest = gv_list_from(vm, argc - ar->nreq, base + ar->nreq);
            base[ar->nreq] = rest;
            p->sp = base + ar->nreq + 1;
        } else {
            p->sp = base + argc;
        }
        while (p->sp < base + ar->nslots) *p->sp++ = GV_NILV;
        p->sp = base + ar->nslots;
        gv_frame fr = {caller, f, NULL, ((gv_code *)fn->code)->file};
        p->frame = &fr;
        p->depth++;
        gv_val r;
        for (;;) {
            r = eval(vm, ar->body, base);
            if (!vm->recur_pending) break;
            vm->recur_pending = false;
            tick(vm);
        }
        p->depth--;
        p->frame = caller;
        return r;
    }
    case GV_NATIVE: {
        gv_native *nf = GV_AS(gv_native, f);
        if (argc < nf->min_args || (nf->max_args >= 0 && argc > nf->max_args)) arity_error(vm, f, argc);
        if ((char *)__builtin_frame_address(0) < p->cstack_limit || p->depth >= vm->max_depth)
            gv_throwf(vm, "StackOverflowError", "stack overflow (call depth %d)", p->depth);
        p->sp = base + argc;
        gv_frame fr = {caller, f, site, caller ? caller->file : NULL};
        p->frame = &fr;
        p->depth++;
        gv_val r = nf->fn(vm, argc, base, nf->data);
        p->depth--;
        p->frame = caller;
        return r;
    }
    case GV_KEYWORD: case GV_SYMBOL:
        if (argc < 1 || argc > 2) {
            char nm[300];
            gv_symbol *s = f.t == GV_KEYWORD ? GV_AS(gv_keyword, f)->sym : GV_AS(gv_symbol, f);
            snprintf(nm, sizeof nm, "%s%s%s%s", f.t == GV_KEYWORD ? ":" : "", s->ns ? s->ns->data : "",
                     s->ns ? "/" : "", s->name->data);
            gv_throw_arity(vm, argc, nm);
        }
        return gv_get(vm, base[0], f, argc == 2 ? base[1] : GV_NILV);
    case GV_ARRAYMAP: case GV_HASHMAP:
        if (argc < 1 || argc > 2) arity_error(vm, f, argc);
        return gv_map_get(vm, f, base[0], argc == 2 ? base[1] : GV_NILV);
    case GV_SET:
        if (argc != 1) arity_error(vm, f, argc);
        return gv_set_contains(vm, f, base[0]) ? base[0] : GV_NILV;
    case GV_VECTOR:
        if (argc != 1) arity_error(vm, f, argc);
        if (base[0].t != GV_LONG)
            gv_throwf(vm, "IllegalArgumentException", "Key must be integer");
        return gv_nth(vm, f, base[0].as.i, NULL);
    case GV_VAR:
        base[-1] = gv_var_get(vm, GV_AS(gv_var, f));
        return invoke(vm, base, argc, site);
    default:
        gv_throwf(vm, "ClassCastException", "class %s cannot be cast to class clojure.lang.IFn",
                  gv_type_name(f));
    }
}

gv_val gv_call(gv_vm *vm, gv_val f, int argc, gv_val *argv) {
    gv_proc *p = vm->cur;
    gv_val *base = p->sp;
    if (base + argc + 1 >= p->stack_end) gv_throwf(vm, "StackOverflowError", "value stack exhausted");
    *p->sp++ = f;
    /* argv may itself be on the stack below: copy before it can move */
    for (int i = 0; i < argc; i++) *p->sp++ = argv[i];
    gv_val r = invoke(vm, base + 1, argc, NULL);
    p->sp = base;
    return r;
}

gv_val gv_call0(gv_vm *vm, gv_val f) { return gv_call(vm, f, 0, NULL); }
gv_val gv_call1(gv_vm *vm, gv_val f, gv_val a) { return gv_call(vm, f, 1, &a); }
gv_val gv_call2(gv_vm *vm, gv_val f, gv_val a, gv_val b) {
    gv_val v[2] = {a, b};
    return gv_call(vm, f, 2, v);
}

bool gv_is_fn(gv_val f) { return f.t == GV_FN || f.t == GV_NATIVE; }
bool gv_is_ifn(gv_val f) {
    switch (f.t) {
    case GV_FN: case GV_NATIVE: case GV_KEYWORD: case GV_SYMBOL: case GV_ARRAYMAP:
    case GV_HASHMAP: case GV_SET: case GV_VECTOR: case GV_VAR:
        return true;
    default: return false;
    }
}

/* ---- entry points ------------------------------------------------------ */

static gv_code *code_new(gv_vm *vm, const char *file) {
    gv_code *c = gv_alloc(vm, GV_CODE, sizeof *c);
    c->file = strdup(file ? file : "NO_SOURCE_PATH");
    if (!c->file) gv_throwf(vm, "OutOfMemoryError", "out of memory");
    return c;
}

/* Analyzes FORM as the body of a nullary fn and calls it. */
static gv_val eval_form_in(gv_vm *vm, gv_val form, const char *file) {
    gv_val *formslot = gv_push(vm, form);
    gv_code *code = code_new(vm, file);
    gv_push(vm, gv_objval(code));
    keep(vm, code, *formslot);
    actx a = {vm, code, NULL, 0, 0};
    if (form.t == GV_LIST) { a.line = GV_AS(gv_list, form)->line; a.col = GV_AS(gv_list, form)->col; }
    /* top-level do: each form is analyzed after the previous ran, so a
     * macro defined in a do can be used later in it, as in Clojure */
    if (form.t == GV_LIST && list_len(form) > 1 && is_sym(GV_AS(gv_list, form)->first, vm->sy.s_do)) {
        gv_val *cur = gv_push(vm, GV_AS(gv_list, form)->rest);
        gv_val r = GV_NILV;
        while (GV_AS(gv_list, *cur)->count) {
            r = eval_form_in(vm, GV_AS(gv_list, *cur)->first, file);
            *cur = GV_AS(gv_list, *cur)->rest;
        }
        return r;
    }
    fscope *fs = arena(vm, code, sizeof *fs);
    a.fs = fs;
    fntmpl *t = arena(vm, code, sizeof *t);
    t->code = code;
    t->name = gv_symv(vm, "eval");
    t->ns = gv_current_ns(vm);
    t->narities = 1;
    t->ar = arena(vm, code, sizeof(arity));
    loopt none = {0, -1};
    t->ar[0].body = analyze(&a, *formslot, false, &none);
    t->ar[0].nslots = fs->maxslots;
    gv_fn *f = gv_alloc(vm, GV_FN, sizeof(gv_fn));
    f->meta = GV_NILV;
    f->name = t->name;
    f->ns = t->ns;
    f->code = (gv_obj *)code;
    f->tmpl = t;
    return gv_call(vm, gv_mk(GV_FN, f), 0, NULL);
}

gv_val gv_eval_form(gv_vm *vm, gv_val form) {
    const char *file = "NO_SOURCE_PATH";
    for (gv_frame *f = vm->cur->frame; f; f = f->prev)
        if (f->file) { file = f->file; break; }
    return eval_form_in(vm, form, file);
}

gv_val gv_macroexpand1(gv_vm *vm, gv_val form) {
    gv_var *v = macro_of(vm, form);
    return v ? expand_with(vm, v, form, GV_NILV) : form;
}

/* Reads and evaluates every form of SRC in the running process. */
gv_val gv_eval_source(gv_vm *vm, const char *src, size_t len, const char *file, int line, int col,
                      gv_each_fn each, void *udata) {
    gv_reader r;
    gv_reader_init(&r, src, len, file, line, col);
    gv_val *last = gv_push(vm, GV_NILV);
    gv_val *form = gv_push(vm, GV_NILV);
    for (;;) {
        gv_val f;
        if (!gv_reader_read(vm, &r, &f, NULL)) break;
        *form = f;
        *last = eval_form_in(vm, *form, file);
        if (each) each(vm, *last, udata);
    }
    return *last;
}

/* (seq-to-map-for-destructuring s): Clojure 1.11's keyword-args rule. */
static gv_val seq_to_map(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)data;
    gv_val x = argv[0];
    if (!gv_is_seq(x)) return x;
    gv_val s = gv_seq(vm, x);
    if (s.t == GV_NIL) return vm->empty_map;
    gv_val nx = gv_next(vm, s);
    if (nx.t == GV_NIL) return gv_first(vm, s);
    gv_val v = gv_vec_of(vm, s);
    gv_val *vs = gv_push(vm, v);
    gv_val m = vm->empty_map;
    int64_t n = gv_vec_count(*vs);
    if (n % 2) gv_throwf(vm, "IllegalArgumentException", "No value supplied for key: %s", "…");
    for (int64_t i = 0; i < n; i += 2)
        m = gv_map_assoc(vm, m, gv_vec_nth(*vs, i), gv_vec_nth(*vs, i + 1));
    return m;
}

void gv_eval_init(gv_vm *vm) {
    gv_defn_native(vm, "clojure.core", "seq-to-map-for-destructuring", seq_to_map, 1, 1);
}
