/* vm.c — VM creation, strings, interning, natives, host API glue.
 *
 * The VM owns every object.  Symbols and keywords are interned in two
 * open-addressing tables keyed by (namespace, name); interned objects are
 * GC roots, so identity comparison of interned symbols is valid for the
 * VM's lifetime.  gv_vm_new registers the natives of every core_*.c file
 * and then evaluates the embedded Clojure prelude (runtime/core.clj). */
#include "vm.h"

#include <stdint.h>

extern const char gv_core_clj[];
extern const size_t gv_core_clj_len;

/* ---- strings ----------------------------------------------------------- */

gv_string *gv_str_new(gv_vm *vm, const char *s, size_t len) {
    if (len > UINT32_MAX - 1) gv_throwf(vm, "OutOfMemoryError", "String too long");
    gv_string *str = gv_alloc(vm, GV_STRING, sizeof(gv_string) + len + 1);
    str->len = (uint32_t)len;
    if (len) memcpy(str->data, s, len);
    str->data[len] = 0;
    return str;
}

gv_val gv_str(gv_vm *vm, const char *s, size_t len) {
    return gv_mk(GV_STRING, gv_str_new(vm, s, len));
}

gv_val gv_cstr(gv_vm *vm, const char *s) { return gv_str(vm, s, strlen(s)); }

/* ---- intern tables ------------------------------------------------------ */

static uint64_t fnv(const char *s, size_t n, uint64_t h) {
    for (size_t i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 1099511628211ull; }
    return h;
}

static uint64_t key_hash(const char *ns, size_t nslen, const char *name, size_t namelen) {
    uint64_t h = 1469598103934665603ull;
    if (ns) h = fnv(ns, nslen, h) ^ 0x2f;
    return fnv(name, namelen, h);
}

static bool str_is(const gv_string *s, const char *p, size_t n) {
    return s->len == n && memcmp(s->data, p, n) == 0;
}

static bool sym_matches(const gv_symbol *s, const char *ns, size_t nslen,
                        const char *name, size_t namelen) {
    if (!str_is(s->name, name, namelen)) return false;
    if (!ns) return s->ns == NULL;
    return s->ns && str_is(s->ns, ns, nslen);
}

static void itab_grow(gv_itab *t, uint64_t (*hashof)(gv_obj *)) {
    size_t cap = t->cap ? t->cap * 2 : 1024;
    gv_obj **slots = calloc(cap, sizeof *slots);
    if (!slots) { fputs("grove: out of memory\n", stderr); abort(); }
    for (size_t i = 0; i < t->cap; i++) {
        gv_obj *o = t->slots[i];
        if (!o) continue;
        size_t j = hashof(o) & (cap - 1);
        while (slots[j]) j = (j + 1) & (cap - 1);
        slots[j] = o;
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
}

static uint64_t sym_key(gv_obj *o) {
    gv_symbol *s = (gv_symbol *)o;
    return key_hash(s->ns ? s->ns->data : NULL, s->ns ? s->ns->len : 0,
                    s->name->data, s->name->len);
}

static uint64_t kw_key(gv_obj *o) { return sym_key((gv_obj *)((gv_keyword *)o)->sym); }

gv_symbol *gv_sym_intern(gv_vm *vm, const char *ns, size_t nslen,
                         const char *name, size_t namelen) {
    gv_itab *t = &vm->symtab;
    if ((t->n + 1) * 2 > t->cap) itab_grow(t, sym_key);
    size_t j = key_hash(ns, nslen, name, namelen) & (t->cap - 1);
    for (; t->slots[j]; j = (j + 1) & (t->cap - 1)) {
        gv_symbol *s = (gv_symbol *)t->slots[j];
        if (sym_matches(s, ns, nslen, name, namelen)) return s;
    }
    gv_string *nm = gv_str_new(vm, name, namelen);
    gv_string *nsstr = ns ? gv_str_new(vm, ns, nslen) : NULL;
    gv_symbol *s = gv_alloc(vm, GV_SYMBOL, sizeof *s);
    s->base = s;
    s->meta = GV_NILV;
    s->ns = nsstr;
    s->name = nm;
    s->hash = gv_hash_symbol(ns, nslen, name, namelen);
    t->slots[j] = (gv_obj *)s;
    t->n++;
    return s;
}

static void split_qualified(const char *q, const char **ns, size_t *nslen,
                            const char **name, size_t *namelen) {
    size_t n = strlen(q);
    const char *slash = (n > 1) ? memchr(q, '/', n) : NULL;
    if (slash && slash != q && slash[1]) {
        *ns = q;
        *nslen = (size_t)(slash - q);
        *name = slash + 1;
        *namelen = n - *nslen - 1;
    } else {
        *ns = NULL;
        *nslen = 0;
        *name = q;
        *namelen = n;
    }
}

gv_symbol *gv_sym(gv_vm *vm, const char *q) {
    const char *ns, *name;
    size_t nslen, namelen;
    split_qualified(q, &ns, &nslen, &name, &namelen);
    return gv_sym_intern(vm, ns, nslen, name, namelen);
}

gv_val gv_symv(gv_vm *vm, const char *q) { return gv_mk(GV_SYMBOL, gv_sym(vm, q)); }

gv_keyword *gv_kw_intern(gv_vm *vm, const char *ns, size_t nslen,
                         const char *name, size_t namelen) {
    gv_itab *t = &vm->kwtab;
    if ((t->n + 1) * 2 > t->cap) itab_grow(t, kw_key);
    size_t j = key_hash(ns, nslen, name, namelen) & (t->cap - 1);
    for (; t->slots[j]; j = (j + 1) & (t->cap - 1)) {
        gv_keyword *k = (gv_keyword *)t->slots[j];
        if (sym_matches(k->sym, ns, nslen, name, namelen)) return k;
    }
    gv_symbol *s = gv_sym_intern(vm, ns, nslen, name, namelen);
    /* interning the symbol may have grown nothing here (separate table) */
    gv_keyword *k = gv_alloc(vm, GV_KEYWORD, sizeof *k);
    k->sym = s;
    k->hash = gv_hash_keyword(s->hash);
    t->slots[j] = (gv_obj *)k;
    t->n++;
    return k;
}

gv_val gv_kw(gv_vm *vm, const char *q) {
    const char *ns, *name;
    size_t nslen, namelen;
    split_qualified(q, &ns, &nslen, &name, &namelen);
    return gv_mk(GV_KEYWORD, gv_kw_intern(vm, ns, nslen, name, namelen));
}

/* ---- natives ------------------------------------------------------------ */

gv_val gv_native_new(gv_vm *vm, const char *name, gv_cfn fn, void *data,
                     int min_args, int max_args) {
    gv_string *nm = gv_str_new(vm, name, strlen(name));
    gv_native *n = gv_alloc(vm, GV_NATIVE, sizeof *n);
    n->meta = GV_NILV;
    n->env = GV_NILV;
    n->name = nm;
    n->fn = fn;
    n->data = data;
    n->min_args = (int16_t)min_args;
    n->max_args = (int16_t)max_args;
    return gv_mk(GV_NATIVE, n);
}

gv_val gv_native_closure(gv_vm *vm, const char *name, gv_cfn fn, gv_val env,
                         int min_args, int max_args) {
    gv_val v = gv_native_new(vm, name, fn, NULL, min_args, max_args);
    gv_native *n = GV_AS(gv_native, v);
    n->data = n;
    n->env = env;
    return v;
}

void gv_define(gv_vm *vm, const char *ns, const char *name, gv_val value) {
    gv_ns *n = gv_ns_intern(vm, gv_sym(vm, ns));
    gv_var *v = gv_var_intern(vm, n, gv_sym(vm, name));
    v->root = value;
    v->h.flags |= GV_VAR_BOUND;
}

void gv_defn_native(gv_vm *vm, const char *ns, const char *name, gv_cfn fn,
                    int min_args, int max_args) {
    char full[256];
    snprintf(full, sizeof full, "%s/%s", ns, name);
    gv_define(vm, ns, name, gv_native_new(vm, full, fn, NULL, min_args, max_args));
}

gv_val gv_cap_new(gv_vm *vm, const char *type_name, void *data,
                  void (*free_fn)(void *data)) {
    gv_cap *c = gv_alloc(vm, GV_CAP, sizeof *c);
    c->type_name = type_name;
    c->data = data;
    c->free_fn = free_fn;
    return gv_mk(GV_CAP, c);
}

void *gv_cap_data(gv_val v, const char *type_name) {
    if (v.t != GV_CAP) return NULL;
    gv_cap *c = GV_AS(gv_cap, v);
    return strcmp(c->type_name, type_name) == 0 ? c->data : NULL;
}

void gv_host_error(gv_vm *vm, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gv_throw(vm, gv_exception_new(vm, "RuntimeException", gv_cstr(vm, msg),
                                  GV_NILV, GV_NILV));
}

/* ---- host value API -------------------------------------------------- */

gv_val gv_nil(void) { return GV_NILV; }
gv_val gv_long(int64_t i) { return gv_l(i); }
gv_val gv_double(double d) { return gv_d(d); }
gv_val gv_bool(bool b) { return gv_b(b); }
gv_val gv_string_new(gv_vm *vm, const char *s, size_t len) { return gv_str(vm, s, len); }
gv_val gv_keyword_intern(gv_vm *vm, const char *ns, const char *name) {
    return gv_mk(GV_KEYWORD, gv_kw_intern(vm, ns, ns ? strlen(ns) : 0, name, strlen(name)));
}
const char *gv_string_bytes(gv_val v, size_t *len) {
    if (v.t != GV_STRING) return NULL;
    if (len) *len = GV_AS(gv_string, v)->len;
    return GV_AS(gv_string, v)->data;
}

struct gv_ref { gv_ref_node n; };

/* Owner: the caller, released with gv_ref_free. */
gv_ref *gv_ref_new(gv_vm *vm, gv_val v) {
    gv_ref *r = malloc(sizeof *r);
    if (!r) return NULL;
    r->n.v = v;
    r->n.prev = NULL;
    r->n.next = vm->refs;
    if (vm->refs) vm->refs->prev = &r->n;
    vm->refs = &r->n;
    return r;
}

gv_val gv_ref_get(const gv_ref *r) { return r ? r->n.v : GV_NILV; }

void gv_ref_free(gv_vm *vm, gv_ref **rp) {
    if (!rp || !*rp) return;
    gv_ref_node *n = &(*rp)->n;
    if (n->prev) n->prev->next = n->next; else vm->refs = n->next;
    if (n->next) n->next->prev = n->prev;
    free(*rp);
    *rp = NULL;
}

/* ---- output ----------------------------------------------------------- */

static void stdout_write(gv_vm *vm, const char *bytes, size_t len, void *udata) {
    (void)vm; (void)udata;
    fwrite(bytes, 1, len, stdout);
}

void gv_vm_set_out(gv_vm *vm, gv_out_fn fn, void *udata) {
    vm->out_fn = fn ? fn : stdout_write;
    vm->out_udata = udata;
}

void gv_out_write(gv_vm *vm, const char *s, size_t n) {
    gv_outsink *o = vm->cur ? vm->cur->out : NULL;
    if (o) gv_buf_put(&o->buf, s, n);
    else vm->out_fn(vm, s, n, vm->out_udata);
}

void gv_out_push(gv_vm *vm, gv_outsink *s) {
    gv_buf_init(&s->buf);
    s->prev = vm->cur->out;
    vm->cur->out = s;
}

void gv_out_pop(gv_vm *vm, gv_outsink *s) { vm->cur->out = s->prev; }

/* Stress mode collects at every safe point: a slice of one step makes
 * every call and recur one. */
void gv_vm_set_gc_stress(gv_vm *vm, bool on) {
    vm->gc_stress = on;
    vm->slice_steps = on ? 1 : GV_SLICE_STEPS;
    if (vm->cur) vm->cur->budget_left = 1;
}

void gv_vm_set_args(gv_vm *vm, int argc, char **argv) {
    gv_val l = GV_NILV;
    if (argc > 0) {
        l = vm->empty_list;
        for (int i = argc - 1; i >= 0; i--) l = gv_list_cons(vm, gv_cstr(vm, argv[i]), l);
    }
    vm->v_command_line_args->root = l;
}

/* ---- creation --------------------------------------------------------- */

static void init_syms(gv_vm *vm) {
    gv_syms *y = &vm->sy;
#define S(f, n) y->f = gv_sym(vm, n)
#define K(f, n) y->f = gv_kw_intern(vm, NULL, 0, n, strlen(n))
    S(s_if, "if"); S(s_do, "do"); S(s_let, "let"); S(s_letx, "let*");
    S(s_loop, "loop"); S(s_loopx, "loop*"); S(s_recur, "recur");
    S(s_fn, "fn"); S(s_fnx, "fn*"); S(s_def, "def"); S(s_quote, "quote");
    S(s_var, "var"); S(s_throw, "throw"); S(s_try, "try");
    S(s_catch, "catch"); S(s_finally, "finally"); S(s_letfn, "letfn");
    S(s_letfnx, "letfn*"); S(s_amp, "&"); S(s_ns, "ns"); S(s_in_ns, "in-ns");
    S(s_set, "set!"); S(s_dot, "."); S(s_new, "new"); S(s_case, "case*");
    S(s_import, "import*"); S(s_deref, "clojure.core/deref");
    S(s_unquote, "clojure.core/unquote");
    S(s_unquote_splicing, "clojure.core/unquote-splicing");
    S(s_syntax_quote, "syntax-quote"); S(s_seq, "clojure.core/seq");
    S(s_concat, "clojure.core/concat"); S(s_list, "clojure.core/list");
    S(s_apply, "clojure.core/apply"); S(s_vector, "clojure.core/vector");
    S(s_hash_map, "clojure.core/hash-map"); S(s_hash_set, "clojure.core/hash-set");
    S(s_with_meta, "clojure.core/with-meta"); S(s_clojure_core, "clojure.core");
    S(s_user, "user"); S(s_fn_name, "fn"); S(s_defmacro, "defmacro");
    S(s_monitor_enter, "monitor-enter");
    K(k_line, "line"); K(k_column, "column"); K(k_offset, "offset");
    K(k_file, "file"); K(k_as, "as"); K(k_keys, "keys"); K(k_strs, "strs");
    K(k_syms, "syms"); K(k_or, "or"); K(k_refer, "refer");
    K(k_require, "require"); K(k_macro, "macro"); K(k_dynamic, "dynamic");
    K(k_private, "private"); K(k_doc, "doc"); K(k_arglists, "arglists");
    K(k_name, "name"); K(k_ns, "ns"); K(k_tag, "tag"); K(k_status, "status");
    K(k_val, "val"); K(k_all, "all"); K(k_only, "only");
    K(k_exclude, "exclude"); K(k_rename, "rename");
    K(k_refer_clojure, "refer-clojure"); K(k_ready, "ready");
    K(k_pending, "pending");
#undef S
#undef K
}

static gv_var *core_var(gv_vm *vm, const char *name, gv_val v, bool dynamic) {
    gv_var *var = gv_var_intern(vm, vm->core_ns, gv_sym(vm, name));
    var->root = v;
    var->h.flags |= GV_VAR_BOUND | (dynamic ? GV_VAR_DYNAMIC : 0);
    return var;
}

/* Evaluates the embedded prelude; false (with a report on stderr) if it
 * fails, which is a bug in grove, not a user error. */
static bool load_prelude(gv_vm *vm) {
    gv_val err;
    if (gv_eval(vm, gv_core_clj, gv_core_clj_len, "clojure/core.clj", 1, 1, &err) != GV_OK) {
        char *r = gv_exception_report(vm, err);
        fprintf(stderr, "grove: the core library failed to load:\n%s\n", r ? r : "?");
        free(r);
        return false;
    }
    return true;
}

gv_vm *gv_vm_new(void) {
    gv_vm *vm = calloc(1, sizeof *vm);
    if (!vm) return NULL;
    vm->gc_threshold = 4u << 20;
    vm->out_fn = stdout_write;
    vm->slice_steps = GV_SLICE_STEPS;
    vm->max_depth = 100000;
    vm->namespaces = GV_NILV;
    vm->empty_list = vm->empty_vec = vm->empty_map = GV_NILV;
    vm->empty_hashmap = vm->empty_set = GV_NILV;
    /* Building the VM runs on the host's stack without a process; nothing
     * collects until the scheduler runs, so plain allocation is safe. */
    init_syms(vm);
    gv_list *el = gv_alloc(vm, GV_LIST, sizeof *el);
    el->meta = el->first = el->rest = GV_NILV;
    vm->empty_list = gv_mk(GV_LIST, el);
    vm->empty_vec = gv_vec_empty(vm);
    vm->empty_map = gv_map_empty(vm);
    vm->empty_hashmap = gv_hashmap_empty(vm);
    vm->empty_set = gv_set_empty(vm);
    vm->namespaces = vm->empty_map;
    vm->core_ns = gv_ns_intern(vm, vm->sy.s_clojure_core);
    vm->v_ns = core_var(vm, "*ns*", gv_objval(vm->core_ns), true);
    vm->v_print_length = core_var(vm, "*print-length*", GV_NILV, true);
    vm->v_print_level = core_var(vm, "*print-level*", GV_NILV, true);
    vm->v_print_readably = core_var(vm, "*print-readably*", GV_TRUEV, true);
    vm->v_e = core_var(vm, "*e", GV_NILV, true);
    vm->v_1 = core_var(vm, "*1", GV_NILV, true);
    vm->v_2 = core_var(vm, "*2", GV_NILV, true);
    vm->v_3 = core_var(vm, "*3", GV_NILV, true);
    vm->v_command_line_args = core_var(vm, "*command-line-args*", GV_NILV, true);
    core_var(vm, "*print-meta*", GV_FALSEV, true);
    core_var(vm, "*print-namespace-maps*", GV_TRUEV, true);
    core_var(vm, "*assert*", GV_TRUEV, true);
    core_var(vm, "*file*", gv_cstr(vm, "NO_SOURCE_PATH"), true);
    gv_eval_init(vm);
    gv_sched_init(vm);
    gv_core_init_seq(vm);
    gv_core_init_coll(vm);
    gv_core_init_num(vm);
    gv_core_init_str(vm);
    gv_core_init_misc(vm);
    gn_lang_init(vm);
    if (!load_prelude(vm)) { gv_vm_destroy(&vm); return NULL; }
    vm->user_ns = gv_ns_intern(vm, vm->sy.s_user);
    gv_ns_refer_all(vm, vm->user_ns, vm->core_ns);
    vm->v_ns->root = gv_objval(vm->user_ns);
    return vm;
}

void gv_vm_destroy(gv_vm **vmp) {
    if (!vmp || !*vmp) return;
    gv_vm *vm = *vmp;
    gv_sched_shutdown(vm);
    while (vm->refs) {
        gv_ref *r = (gv_ref *)vm->refs;
        gv_ref_free(vm, &r);
    }
    gv_gc_free_all(vm);
    free(vm->symtab.slots);
    free(vm->kwtab.slots);
    free(vm);
    *vmp = NULL;
}
