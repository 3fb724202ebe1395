/* gv.h — the internal header shared by the files of runtime/.
 *
 * Object layouts, the allocation and rooting contract, the throw path and
 * the prototypes each subsystem exports.  Nothing outside runtime/
 * includes this file; they use grove.h.
 *
 * GC CONTRACT (read before writing a native):
 *   - Every heap object starts with gv_obj and is allocated by gv_alloc().
 *   - Allocation never collects.  Collection happens only at *safe points*:
 *     when the evaluator calls a function or takes a recur, and at
 *     gv_safepoint().  At a safe point every live value must be reachable
 *     from a root: the process value stacks, VM roots, gv_refs.
 *   - So a native that only allocates (assoc, conj, str, +, ...) needs no
 *     rooting.  A native that may run Clojure code — gv_call(), and
 *     anything that may realize a lazy seq: gv_seq/gv_first/gv_next/
 *     gv_rest/gv_count on an unknown collection, gv_equiv/gv_hash on
 *     seqs (these two inhibit collection themselves) — must keep the values
 *     it still needs afterwards on the value stack: gv_push() returns a
 *     stable pointer to a rooted slot.  Slots are released when the native
 *     returns or throws (the caller resets the stack top).
 *   - A stress mode (gv_vm_set_gc_stress) collects at every safe point;
 *     the tests run in it under ASan, so a missed root shows up.
 *
 * THROW CONTRACT: gv_throw() longjmps to the innermost handler of the
 * running process.  Memory obtained with malloc must not be held across a
 * call that can throw unless a GV_TRY handler frees it.
 */
#ifndef GV_H
#define GV_H

#include "grove.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Objects --------------------------------------------------------- */

struct gv_obj {
    gv_obj *next;   /* all objects of a VM form one list (the sweep list) */
    uint8_t type;   /* gv_type, equal to the tag of values pointing here */
    uint8_t mark;
    uint16_t flags; /* per-type use */
    uint32_t size;  /* bytes allocated (for GC accounting) */
};

#define GV_IS_OBJ(v) ((v).t >= GV_OBJ_FIRST)
#define GV_OBJ(v) ((v).as.o)
#define GV_AS(type, v) ((type *)(v).as.o)

static inline gv_val gv_mk(gv_type t, void *o) {
    gv_val v;
    v.t = t;
    v.as.o = (gv_obj *)o;
    return v;
}
static inline gv_val gv_objval(void *o) {
    return gv_mk((gv_type)((gv_obj *)o)->type, o);
}
#define GV_NILV ((gv_val){.t = GV_NIL, .as = {.i = 0}})
#define GV_TRUEV ((gv_val){.t = GV_BOOL, .as = {.b = true}})
#define GV_FALSEV ((gv_val){.t = GV_BOOL, .as = {.b = false}})
static inline gv_val gv_l(int64_t i) { gv_val v; v.t = GV_LONG; v.as.i = i; return v; }
static inline gv_val gv_d(double d) { gv_val v; v.t = GV_DOUBLE; v.as.d = d; return v; }
static inline gv_val gv_b(bool b) { gv_val v; v.t = GV_BOOL; v.as.i = 0; v.as.b = b; return v; }
static inline gv_val gv_ch(int32_t c) { gv_val v; v.t = GV_CHAR; v.as.i = 0; v.as.c = c; return v; }
static inline bool gv_truthy(gv_val v) {
    return !(v.t == GV_NIL || (v.t == GV_BOOL && !v.as.b));
}
static inline bool gv_is_nil(gv_val v) { return v.t == GV_NIL; }
/* Identity (Clojure's identical?). */
static inline bool gv_identical(gv_val a, gv_val b) {
    if (a.t != b.t) return false;
    switch (a.t) {
    case GV_NIL: return true;
    case GV_BOOL: return a.as.b == b.as.b;
    case GV_CHAR: return a.as.c == b.as.c;
    default: return a.as.i == b.as.i;
    }
}

typedef struct gv_string {
    gv_obj h;
    uint32_t hash;   /* valid when h.flags & GV_F_HASHED */
    uint32_t len;    /* bytes, excluding the NUL */
    char data[];     /* UTF-8, NUL-terminated */
} gv_string;

#define GV_F_HASHED 1

/* Symbols and keywords are interned per VM (see vm.c).  A symbol carrying
 * metadata is a separate, non-interned object whose `base` is the interned
 * one; two symbols are equal iff their bases are identical. */
typedef struct gv_symbol {
    gv_obj h;
    struct gv_symbol *base; /* self when interned */
    gv_val meta;            /* nil for interned symbols */
    gv_string *ns;          /* NULL when unqualified */
    gv_string *name;
    uint32_t hash;          /* Clojure's Symbol.hasheq */
} gv_symbol;

typedef struct gv_keyword {
    gv_obj h;
    gv_symbol *sym;   /* interned */
    uint32_t hash;    /* Clojure's Keyword.hasheq */
} gv_keyword;

/* PersistentList.  The empty list is one object per VM (vm->empty_list),
 * with count 0. */
typedef struct gv_list {
    gv_obj h;
    gv_val meta;
    gv_val first;
    gv_val rest;      /* a GV_LIST (possibly empty) */
    int64_t count;
    int32_t line, col; /* source position when read, else 0 */
    int64_t offset;
} gv_list;

typedef struct gv_cons {
    gv_obj h;
    gv_val meta;
    gv_val first;
    gv_val rest;      /* nil or any seq */
} gv_conscell;

/* LazySeq: while fn is not nil it is unrealized; realizing calls fn once,
 * seqs the result and stores it in `seq` (nil when empty). */
typedef struct gv_lazyseq {
    gv_obj h;
    gv_val meta;
    gv_val fn;
    gv_val seq;
} gv_lazyseq;

/* A seq over an indexed source: a vector, a string (as chars) or a
 * private array object.  Never empty. */
typedef struct gv_arrayseq {
    gv_obj h;
    gv_val meta;
    gv_val src;       /* GV_VECTOR, GV_STRING or GV_VNODE used as array */
    int64_t i;        /* index (chars: byte offset for strings) */
    int64_t end;      /* exclusive */
} gv_arrayseq;

/* (range start end step) over longs; end is ignored when infinite.
 * Never empty. */
typedef struct gv_range {
    gv_obj h;
    gv_val meta;
    int64_t start, end, step;
    bool infinite;
} gv_range;

/* Vector trie node: up to 32 values or child nodes. */
typedef struct gv_vnode {
    gv_obj h;
    uint32_t n;       /* slots in use (for tracing) */
    gv_val a[];       /* 32 slots for trie nodes; any count for arrays */
} gv_vnode;

typedef struct gv_vector {
    gv_obj h;
    gv_val meta;
    uint32_t count;
    uint32_t shift;
    gv_vnode *root;   /* never NULL */
    gv_vnode *tail;   /* never NULL; its first count - tailoff slots are
                         this vector's (tail->n may be more: see vector.c) */
} gv_vector;

typedef struct gv_arraymap {
    gv_obj h;
    gv_val meta;
    uint32_t count;   /* entries */
    gv_val kv[];      /* k0 v0 k1 v1 ... */
} gv_arraymap;

/* HAMT node.  `a` holds `n` values: key/value pairs and child nodes, as
 * hashmap.c lays them out. */
typedef struct gv_hnode {
    gv_obj h;
    uint32_t bitmap;
    uint32_t n;
    uint32_t hash;    /* for collision nodes */
    gv_val a[];
} gv_hnode;

typedef struct gv_hashmap {
    gv_obj h;
    gv_val meta;
    uint32_t count;
    bool has_nil;     /* nil key kept outside the trie, as Clojure does */
    gv_val nil_val;
    gv_hnode *root;   /* may be NULL */
} gv_hashmap;

typedef struct gv_set {
    gv_obj h;
    gv_val meta;
    gv_val map;       /* a GV_HASHMAP whose keys are the elements */
} gv_set;

typedef struct gv_atom {
    gv_obj h;
    gv_val meta;
    gv_val val;
    gv_val validator;
    gv_val watches;   /* map key -> fn */
} gv_atom;

typedef struct gv_volatile {
    gv_obj h;
    gv_val val;
} gv_volatile;

typedef struct gv_reduced {
    gv_obj h;
    gv_val val;
} gv_reduced;

typedef struct gv_delay {
    gv_obj h;
    gv_val fn;        /* nil once realized */
    gv_val val;
    gv_val exc;       /* non-nil if the thunk threw */
} gv_delay;

#define GV_VAR_DYNAMIC 1
#define GV_VAR_MACRO 2
#define GV_VAR_BOUND 4
#define GV_VAR_PRIVATE 8

typedef struct gv_ns gv_ns;
typedef struct gv_var {
    gv_obj h;         /* h.flags: GV_VAR_* */
    gv_ns *ns;
    gv_symbol *sym;   /* unqualified name */
    gv_val root;
    gv_val meta;
} gv_var;

struct gv_ns {
    gv_obj h;
    gv_symbol *name;
    gv_val mappings;  /* map symbol -> var (own and referred) */
    gv_val aliases;   /* map symbol -> ns symbol */
};

/* An exception.  `cls` is a symbol naming the class, e.g.
 * clojure.lang.ExceptionInfo or ArithmeticException (see error.c for the
 * hierarchy). */
typedef struct gv_exception {
    gv_obj h;
    gv_symbol *cls;
    gv_val msg;       /* string or nil */
    gv_val data;      /* map or nil (ex-info) */
    gv_val cause;     /* exception or nil */
    gv_val trace;     /* vector of [fn-name file line col] */
    bool uncatchable; /* interrupts: only finally runs */
} gv_exception;

typedef struct gv_regex {
    gv_obj h;
    gv_string *source;
    void *code;       /* pcre2_code *, freed by the finalizer */
} gv_regex;

typedef struct gv_native {
    gv_obj h;
    gv_val meta;
    gv_string *name;  /* e.g. "clojure.core/map" */
    gv_cfn fn;
    void *data;       /* host data; for closures: this gv_native itself */
    gv_val env;       /* closed-over value of a native closure (traced) */
    int16_t min_args, max_args; /* max -1: variadic */
} gv_native;

/* A native closure: when called, FN gets DATA = the gv_native, whose
 * `env` is ENV (any value, e.g. a vector of captured values).  This is how
 * C code builds lazy seq steps and other functions that close over
 * values. */
gv_val gv_native_closure(gv_vm *vm, const char *name, gv_cfn fn, gv_val env,
                         int min_args, int max_args);
static inline gv_val gv_closure_env(void *data) { return ((gv_native *)data)->env; }

/* A closure made by `fn`.  Layout private to eval.c except for these
 * fields, which the printer and `meta` use. */
typedef struct gv_fn {
    gv_obj h;
    gv_val meta;
    gv_val name;      /* symbol (fn's own name or def'd name) or nil */
    gv_ns *ns;        /* namespace it was defined in */
    gv_obj *code;     /* GV_CODE object owning the template */
    const void *tmpl; /* eval.c's fn template */
    uint32_t ncap;
    gv_val cap[];     /* captured locals */
} gv_fn;

/* The process value (a GV_PROCESS object); fields are sched.c's. */
typedef struct gv_proc gv_proc;

typedef struct gv_cap {
    gv_obj h;
    const char *type_name; /* static string of the host */
    void *data;
    void (*free_fn)(void *data);
} gv_cap;

/* ---- Growable byte buffer (util.c) ----------------------------------- */

typedef struct gv_buf {
    char *p;
    size_t len, cap;
} gv_buf;
void gv_buf_init(gv_buf *b);
void gv_buf_put(gv_buf *b, const char *s, size_t n);
void gv_buf_puts(gv_buf *b, const char *s);
void gv_buf_putc(gv_buf *b, char c);
void gv_buf_printf(gv_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void gv_buf_free(gv_buf *b);
/* The whole file PATH, NUL-terminated, its length in *LEN (may be NULL);
 * NULL when it cannot be read.  Owner: the caller (util.c). */
char *gv_slurp(const char *path, size_t *len);
/* Appends LEN bytes of DATA as `pr` prints a string: quoted, with
 * Clojure's seven escapes (printer.c). */
void gv_buf_put_escaped(gv_buf *b, const char *data, size_t len);
/* Hands the bytes (NUL-terminated) to the caller, who frees them. */
char *gv_buf_take(gv_buf *b);
/* Appends the UTF-8 encoding of code point C. */
void gv_buf_put_utf8(gv_buf *b, int32_t c);
/* Decodes one UTF-8 code point at S (N bytes left); sets *len to the
 * bytes used (1 for an invalid byte, returned as U+FFFD). */
int32_t gv_utf8_decode(const char *s, size_t n, int *len);

/* ---- Memory and GC (gc.c) -------------------------------------------- */

/* Returns a zeroed object of SIZE bytes with its header set.  Owner: the
 * GC.  Never collects; aborts the VM's current evaluation with an
 * OutOfMemoryError if malloc fails. */
void *gv_alloc(gv_vm *vm, gv_type type, size_t size);
/* Pushes V on the running process's value stack; returns a stable
 * pointer to the rooted slot (see GC CONTRACT). */
gv_val *gv_push(gv_vm *vm, gv_val v);
/* A safe point outside the evaluator: may collect, may yield to other
 * processes, may throw an interrupt. */
void gv_safepoint(gv_vm *vm);
void gv_gc_collect(gv_vm *vm);
/* Brackets a region in which no collection may happen (and the running
 * process is not switched out), e.g. while C code holds unrooted values
 * and calls something that might reach a safe point.  Nestable. */
void gv_gc_inhibit(gv_vm *vm);
void gv_gc_allow(gv_vm *vm);
/* Marks V (used by tracing code). */
void gv_gc_mark(gv_vm *vm, gv_val v);
void gv_gc_mark_obj(gv_vm *vm, gv_obj *o);

/* ---- Strings, symbols, keywords (vm.c) ------------------------------- */

gv_string *gv_str_new(gv_vm *vm, const char *s, size_t len);
gv_val gv_str(gv_vm *vm, const char *s, size_t len);
gv_val gv_cstr(gv_vm *vm, const char *s);
/* Interned symbol; NS may be NULL. */
gv_symbol *gv_sym_intern(gv_vm *vm, const char *ns, size_t nslen,
                         const char *name, size_t namelen);
/* Parses "ns/name" or "name" (a lone "/" is the symbol named "/"). */
gv_symbol *gv_sym(gv_vm *vm, const char *qualified);
gv_val gv_symv(gv_vm *vm, const char *qualified);
gv_keyword *gv_kw_intern(gv_vm *vm, const char *ns, size_t nslen,
                         const char *name, size_t namelen);
gv_val gv_kw(gv_vm *vm, const char *qualified);
/* True when A and B are the same symbol, metadata aside. */
static inline bool gv_sym_eq(const gv_symbol *a, const gv_symbol *b) {
    return a->base == b->base;
}

/* ---- Namespaces and vars (ns.c) -------------------------------------- */

gv_ns *gv_ns_find(gv_vm *vm, gv_symbol *name);
gv_ns *gv_ns_intern(gv_vm *vm, gv_symbol *name);
/* Interns NAME in NS (creating an unbound var if new). */
gv_var *gv_var_intern(gv_vm *vm, gv_ns *ns, gv_symbol *name);
/* Resolves SYM in NS: own or referred var, or alias/qualified var.
 * Returns NULL when it does not resolve. */
gv_var *gv_ns_resolve(gv_vm *vm, gv_ns *ns, gv_symbol *sym);
/* Current value of a var: the process's dynamic binding if any, else
 * root.  Throws if unbound. */
gv_val gv_var_get(gv_vm *vm, gv_var *v);
/* The namespace symbols resolve in while reading/analyzing (*ns*). */
gv_ns *gv_current_ns(gv_vm *vm);
/* Makes NS current (*ns*): the running process's binding of *ns* when it
 * has one, else the root.  In core_misc.c. */
void gv_ns_set_current(gv_vm *vm, gv_ns *ns);
/* Resolves a symbol for syntax-quote: ns-qualifies it the way Clojure's
 * reader does (alias, referred var, or current ns). */
gv_symbol *gv_ns_qualify(gv_vm *vm, gv_symbol *sym);

/* ---- Collections (vector.c, hashmap.c, set.c) ------------------------ */

gv_val gv_vec_empty(gv_vm *vm);
/* A new vector of the N values at V (copied). */
gv_val gv_vec_from(gv_vm *vm, int64_t n, const gv_val *v);
gv_val gv_vec_conj(gv_vm *vm, gv_val vec, gv_val x);
/* Index must be in range (checked by callers that take user input via
 * gv_vec_nth_checked). */
gv_val gv_vec_nth(gv_val vec, int64_t i);
gv_val gv_vec_assoc(gv_vm *vm, gv_val vec, int64_t i, gv_val x); /* i <= count */
gv_val gv_vec_pop(gv_vm *vm, gv_val vec);
static inline int64_t gv_vec_count(gv_val vec) { return GV_AS(gv_vector, vec)->count; }
/* Builds a vector by appending in place (transient-style) then freezing. */
typedef struct gv_vecb {
    gv_val *root; /* rooted slot holding the vector under construction */
} gv_vecb;
void gv_vecb_init(gv_vm *vm, gv_vecb *b);           /* pushes a root slot */
void gv_vecb_add(gv_vm *vm, gv_vecb *b, gv_val x);
gv_val gv_vecb_done(gv_vm *vm, gv_vecb *b);

gv_val gv_map_empty(gv_vm *vm);                     /* empty array map */
gv_val gv_hashmap_empty(gv_vm *vm);                 /* empty HAMT */
/* Works on array maps and HAMTs; an array map grows into a HAMT past 8. */
gv_val gv_map_assoc(gv_vm *vm, gv_val m, gv_val k, gv_val v);
gv_val gv_map_dissoc(gv_vm *vm, gv_val m, gv_val k);
/* Returns the value for K, or NOTFOUND. */
gv_val gv_map_get(gv_vm *vm, gv_val m, gv_val k, gv_val notfound);
bool gv_map_contains(gv_vm *vm, gv_val m, gv_val k);
int64_t gv_map_count(gv_val m);
/* Calls FN for each entry in Clojure's iteration order; stops early when
 * FN returns false.  FN must not run Clojure code. */
typedef bool (*gv_map_each_fn)(gv_vm *vm, gv_val k, gv_val v, void *ctx);
void gv_map_each(gv_vm *vm, gv_val m, gv_map_each_fn fn, void *ctx);
/* A map from N key/value pairs at KV: an array map when N <= 8 (later
 * duplicates win, as Clojure's reader complains — see reader), else HAMT. */
gv_val gv_map_from(gv_vm *vm, int64_t n, const gv_val *kv);

/* Builds a map by assoc in place (transient-style), starting from map M
 * (from {} when M is not a map), then freezes it.  As with gv_vecb, the
 * map under construction lives in a rooted slot and must not escape
 * before gv_mapb_done.  An array map start stays one up to 8 entries.
 * (hashmap.c) */
typedef struct gv_mapb {
    gv_val *root;
} gv_mapb;
void gv_mapb_init(gv_vm *vm, gv_mapb *b, gv_val m);  /* pushes a root slot */
void gv_mapb_assoc(gv_vm *vm, gv_mapb *b, gv_val k, gv_val v);
void gv_mapb_put_new(gv_vm *vm, gv_mapb *b, gv_val k, gv_val v); /* no-op if K present */
gv_val gv_mapb_done(gv_vm *vm, gv_mapb *b);
/* The same for sets, starting from set S (#{} when S is not a set).
 * (set.c) */
typedef struct gv_setb {
    gv_val *set;      /* rooted: the starting set */
    gv_mapb m;        /* its map under construction */
} gv_setb;
void gv_setb_init(gv_vm *vm, gv_setb *b, gv_val s);  /* pushes two root slots */
void gv_setb_add(gv_vm *vm, gv_setb *b, gv_val x);
gv_val gv_setb_done(gv_vm *vm, gv_setb *b);

/* For set.c: HAMT M with K -> V added, or M itself when K is already
 * present (the existing entry is kept).  M must be a GV_HASHMAP. */
gv_val gv_hashmap_put_new(gv_vm *vm, gv_val m, gv_val k, gv_val v);

gv_val gv_set_empty(gv_vm *vm);
gv_val gv_set_conj(gv_vm *vm, gv_val s, gv_val x);
gv_val gv_set_disj(gv_vm *vm, gv_val s, gv_val x);
bool gv_set_contains(gv_vm *vm, gv_val s, gv_val x);
int64_t gv_set_count(gv_val s);
typedef bool (*gv_set_each_fn)(gv_vm *vm, gv_val x, void *ctx);
void gv_set_each(gv_vm *vm, gv_val s, gv_set_each_fn fn, void *ctx);

/* Seqs of map entries (2-element vectors) / set elements in iteration
 * order, or nil when empty (hashmap.c, set.c). */
gv_val gv_map_seq(gv_vm *vm, gv_val m);
gv_val gv_set_seq(gv_vm *vm, gv_val s);
/* A map entry: the 2-element vector [k v]. */
gv_val gv_map_entry(gv_vm *vm, gv_val k, gv_val v);

static inline bool gv_is_map(gv_val v) { return v.t == GV_ARRAYMAP || v.t == GV_HASHMAP; }

/* ---- Equality, hashing, comparison (hash.c) -------------------------- */

/* Clojure's = (equiv).  May realize lazy seqs; never collects. */
bool gv_equiv(gv_vm *vm, gv_val a, gv_val b);
/* Clojure's hash (hasheq), bit-exact with Clojure 1.11 so that hash-map
 * and set iteration order match. */
uint32_t gv_hash(gv_vm *vm, gv_val v);
/* Clojure's compare: negative, zero or positive; throws ClassCastException
 * for incomparable values. */
int gv_compare(gv_vm *vm, gv_val a, gv_val b);
/* Clojure's Symbol.hasheq of ns/name (NS may be NULL), precomputed by
 * vm.c at interning, and Keyword.hasheq from its symbol's hash. */
uint32_t gv_hash_symbol(const char *ns, size_t nslen, const char *name,
                        size_t namelen);
uint32_t gv_hash_keyword(uint32_t symhash);

/* ---- Seqs (seq.c) ---------------------------------------------------- */

gv_val gv_list_empty(gv_vm *vm);
gv_val gv_list_cons(gv_vm *vm, gv_val x, gv_val list); /* list must be GV_LIST */
gv_val gv_list_from(gv_vm *vm, int64_t n, const gv_val *v);
gv_val gv_cons(gv_vm *vm, gv_val x, gv_val seq);        /* Clojure's cons */
gv_val gv_lazyseq_new(gv_vm *vm, gv_val thunk);
gv_val gv_range_new(gv_vm *vm, int64_t start, int64_t end, int64_t step, bool infinite);
/* A seq over [i, end) of an indexed source, or nil when empty. */
gv_val gv_arrayseq_new(gv_vm *vm, gv_val src, int64_t i, int64_t end);
/* (seq x): nil or a non-empty seq.  Throws IllegalArgumentException
 * "Don't know how to create ISeq from: ..." for non-seqables. */
gv_val gv_seq(gv_vm *vm, gv_val x);
gv_val gv_first(gv_vm *vm, gv_val x);
gv_val gv_next(gv_vm *vm, gv_val x);
gv_val gv_rest(gv_vm *vm, gv_val x);  /* never nil: () when empty */
/* Clojure's count: constant time for counted colls, walks seqs. */
int64_t gv_count(gv_vm *vm, gv_val x);
bool gv_is_seq(gv_val x);    /* seq? */
bool gv_is_seqable(gv_val x);
/* Clojure's conj on any collection (nil conj gives a list). */
gv_val gv_conj(gv_vm *vm, gv_val coll, gv_val x);
/* nth with Clojure's errors; NOTFOUND NULL means throw when out of range. */
gv_val gv_nth(gv_vm *vm, gv_val coll, int64_t i, const gv_val *notfound);
/* Clojure's get on maps, vectors, sets, strings, nil. */
gv_val gv_get(gv_vm *vm, gv_val coll, gv_val k, gv_val notfound);
/* A vector of all elements of seqable X (realizes it). */
gv_val gv_vec_of(gv_vm *vm, gv_val x);

/* ---- Metadata -------------------------------------------------------- */

gv_val gv_meta(gv_val x);                      /* nil if none/unsupported */
gv_val gv_with_meta(gv_vm *vm, gv_val x, gv_val meta); /* throws if unsupported */

/* ---- Functions and evaluation (eval.c) ------------------------------- */

/* Calls F (fn, native, keyword, map, set, vector, var, ...) with ARGC
 * rooted arguments.  May run Clojure code and throw. */
gv_val gv_call(gv_vm *vm, gv_val f, int argc, gv_val *argv);
gv_val gv_call0(gv_vm *vm, gv_val f);
gv_val gv_call1(gv_vm *vm, gv_val f, gv_val a);
gv_val gv_call2(gv_vm *vm, gv_val f, gv_val a, gv_val b);
/* Evaluates one form in the current namespace. */
gv_val gv_eval_form(gv_vm *vm, gv_val form);
/* macroexpand-1 of FORM (returns FORM itself when not a macro call). */
gv_val gv_macroexpand1(gv_vm *vm, gv_val form);
bool gv_is_fn(gv_val f); /* fn? (closures and natives) */
bool gv_is_ifn(gv_val f); /* ifn? */

/* Waits for process P and returns its value, rethrowing its exception
 * (sched.c). */
gv_val gv_process_join(gv_vm *vm, gv_val p);

/* ---- Errors (error.c) ------------------------------------------------ */

/* Builds an exception of class CLS (e.g. "IllegalArgumentException",
 * "clojure.lang.ExceptionInfo") with MSG (string or nil), DATA, CAUSE. */
gv_val gv_exception_new(gv_vm *vm, const char *cls, gv_val msg, gv_val data,
                        gv_val cause);
/* True if exception class CLS is CATCH_CLS or a subclass of it. */
bool gv_exception_isa(gv_vm *vm, gv_symbol *cls, gv_symbol *catch_cls);
_Noreturn void gv_throw(gv_vm *vm, gv_val exc);
_Noreturn void gv_throwf(gv_vm *vm, const char *cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Clojure's class name for a value's type, e.g. "java.lang.Long",
 * "clojure.lang.PersistentVector" (used in error messages and `type`).
 * In printer.c. */
const char *gv_type_name(gv_val v);

/* A handler on the running process's chain.  Usage:
 *   gv_handler h;
 *   if (gv_try(vm, &h) == 0) { ...; gv_try_end(vm, &h); }
 *   else { gv_val exc = h.exc; ... }   // handler already popped
 * Locals modified inside the try and read in the else must be volatile. */
typedef struct gv_handler {
    struct gv_handler *prev;
    jmp_buf jb;
    gv_val *sp;            /* value stack top to restore */
    void *frame;           /* evaluator frame to restore */
    int inhibit;           /* GC inhibit depth to restore */
    int depth;             /* evaluator depth to restore */
    void *out;             /* output sink to restore */
    gv_val exc;            /* the exception, once caught */
} gv_handler;
#define gv_try(vm, h) (gv_try_push((vm), (h)), setjmp((h)->jb))
void gv_try_push(gv_vm *vm, gv_handler *h);
void gv_try_end(gv_vm *vm, gv_handler *h);

/* ---- Printing (printer.c) -------------------------------------------- */

/* Appends the printed form of V to B.  May realize lazy seqs (and so run
 * Clojure code and throw). */
void gv_pr(gv_vm *vm, gv_buf *b, gv_val v, const gv_print_opts *o);
/* Print options from the dynamic vars *print-length* / *print-level*. */
gv_print_opts gv_print_opts_current(gv_vm *vm, bool readably);
/* Clojure's `str` of one value (nil is ""). */
void gv_str_append(gv_vm *vm, gv_buf *b, gv_val v);
/* Writes to the current output (*out*). */
void gv_out_write(gv_vm *vm, const char *s, size_t n);

/* Output sinks: `with-out-str` pushes one on the running process; print
 * functions append to the innermost, else to the VM's gv_out_fn. */
typedef struct gv_outsink {
    struct gv_outsink *prev;
    gv_buf buf;
} gv_outsink;
void gv_out_push(gv_vm *vm, gv_outsink *s); /* s owned by the caller */
void gv_out_pop(gv_vm *vm, gv_outsink *s);

/* A regex value from its source text (PCRE2, Java-like syntax); throws
 * PatternSyntaxException-style IllegalArgumentException when invalid.
 * In core_str.c. */
gv_val gv_regex_new(gv_vm *vm, const char *src, size_t len);

/* ---- Reader (reader.c) ----------------------------------------------- */

/* Position of one form as read: start line/col (1-based), byte offsets
 * [start, end).  */
typedef struct gv_pos {
    int32_t line, col;
    int64_t start, end;
} gv_pos;

typedef struct gv_reader {
    const char *src;
    size_t len;
    size_t i;               /* byte offset of the next char */
    int32_t line, col;      /* of the next char */
    const char *file;       /* for error messages; not owned */
    /* When not NULL, called for every form read, innermost included, with
     * its final value, position and nesting depth (top-level forms at
     * `depth`).  Preorder; delivered once the whole top-level form has
     * been read.  Discarded forms (#_, unselected #? branches) and
     * metadata maps are not reported.  The callback may run Clojure code. */
    void (*on_form)(void *ctx, gv_val form, const gv_pos *pos, int depth);
    void *ctx;
    int depth;              /* depth reported for top-level forms (0) */
} gv_reader;

/* Sets up R over LEN bytes at SRC (not copied; must outlive R), as the
 * text of FILE (may be NULL) starting at LINE:COL.  A leading UTF-8 BOM
 * is skipped. */
void gv_reader_init(gv_reader *r, const char *src, size_t len,
                    const char *file, int line, int col);
/* Reads the next form into *out.  Returns false at end of input.  Must
 * run inside a process (it roots its work with gv_push, restored on
 * return).  Throws a reader error (class
 * clojure.lang.LispReader$ReaderException; duplicate keys:
 * IllegalArgumentException) whose message starts with "FILE:LINE:COL: "
 * and whose ex-data holds :clojure.error/source, /line and /column.  A
 * stray closing delimiter is consumed before the error is thrown, so
 * reading can go on.  *pos (if POS is not NULL) spans the text consumed
 * for the form; every non-empty list read has its position in its first
 * cell (line, col, offset). */
bool gv_reader_read(gv_vm *vm, gv_reader *r, gv_val *out, gv_pos *pos);

/* The reader's character classes (no VM needed; program.c's splitter
 * uses them too): Java's Character.isWhitespace plus the comma; a reader
 * macro character; one that ends a token. */
bool gv_char_is_ws(int32_t c);
bool gv_char_is_macro(int32_t c);
bool gv_char_is_terminating(int32_t c);

/* ---- Core library registration (core*.c) ----------------------------- */

/* Defines a native NS/NAME (vm.c). */
void gv_defn_native(gv_vm *vm, const char *ns, const char *name, gv_cfn fn,
                    int min_args, int max_args);
void gv_core_init_seq(gv_vm *vm);     /* core_seq.c */
void gv_core_init_coll(gv_vm *vm);    /* core_coll.c */
void gv_core_init_num(gv_vm *vm);     /* core_num.c */
void gv_core_init_str(gv_vm *vm);     /* core_str.c: str, clojure.string, regex */
void gv_core_init_misc(gv_vm *vm);    /* core_misc.c: atoms, printing, ex-info... */

/* Calls FN on each element of seqable COLL, in order, until FN returns
 * false (vectors leaf by leaf, ranges as numbers, else as a seq).  FN may
 * run Clojure code: the walker keeps COLL and its cursor rooted, so X
 * stays reachable during the call; slots FN pushes are dropped after it
 * returns.  Ticks the process budget per element.  (core_seq.c) */
typedef bool (*gv_elem_fn)(gv_vm *vm, gv_val x, void *ctx);
void gv_core_each(gv_vm *vm, gv_val coll, gv_elem_fn fn, void *ctx);
/* (reduce f init coll), honouring `reduced`.  (core_seq.c) */
gv_val gv_core_reduce(gv_vm *vm, gv_val f, gv_val init, gv_val coll);

/* Throws ArityException-style IllegalArgumentException
 * "Wrong number of args (N) passed to: NAME". */
_Noreturn void gv_throw_arity(gv_vm *vm, int argc, const char *name);
/* Argument checking helpers for natives (core_num.c): throw
 * ClassCastException with Clojure's wording when V is not of the expected
 * kind. */
int64_t gv_arg_long(gv_vm *vm, gv_val v);
gv_string *gv_arg_string(gv_vm *vm, gv_val v);
/* Throws the JVM's ClassCastException "class X cannot be cast to class TO
 * (...)" for V (NullPointerException when V is nil) (core_num.c). */
_Noreturn void gv_throw_cast(gv_vm *vm, gv_val v, const char *to);
/* Clojure's boxed arithmetic on two values of any kind (core_num.c):
 * long op long stays a long (ArithmeticException "long overflow"), a
 * double on either side gives a double, anything else throws
 * ClassCastException.  The evaluator's slow path for inlined + - * / < ...
 * Division of longs that do not divide evenly gives a double. */
gv_val gv_num_add(gv_vm *vm, gv_val a, gv_val b);
gv_val gv_num_sub(gv_vm *vm, gv_val a, gv_val b);
gv_val gv_num_mul(gv_vm *vm, gv_val a, gv_val b);
gv_val gv_num_div(gv_vm *vm, gv_val a, gv_val b);
bool gv_num_lt(gv_vm *vm, gv_val a, gv_val b);
bool gv_num_lte(gv_vm *vm, gv_val a, gv_val b);
bool gv_num_gt(gv_vm *vm, gv_val a, gv_val b);
bool gv_num_gte(gv_vm *vm, gv_val a, gv_val b);
bool gv_num_equiv(gv_vm *vm, gv_val a, gv_val b); /* == */
/* (str v) of one value as a string value; may realize lazy seqs (runs
 * Clojure code), frees its buffer if that throws (core_str.c). */
gv_val gv_str_of(gv_vm *vm, gv_val v);

#endif
