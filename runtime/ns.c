/* ns.c — namespaces and vars.
 *
 * A namespace maps unqualified symbols to vars (its own and those it
 * refers) and alias symbols to namespace names, both as persistent maps so
 * the GC and printing need nothing special.  Vars hold a root value;
 * dynamic vars can be rebound per process (gv_proc.bindings). */
#include "vm.h"

gv_ns *gv_ns_find(gv_vm *vm, gv_symbol *name) {
    gv_val v = gv_map_get(vm, vm->namespaces, gv_mk(GV_SYMBOL, name->base), GV_NILV);
    return v.t == GV_NS ? GV_AS(gv_ns, v) : NULL;
}

gv_ns *gv_ns_intern(gv_vm *vm, gv_symbol *name) {
    gv_ns *ns = gv_ns_find(vm, name);
    if (ns) return ns;
    ns = gv_alloc(vm, GV_NS, sizeof *ns);
    ns->name = name->base;
    ns->mappings = vm->empty_hashmap;
    ns->aliases = vm->empty_map;
    vm->namespaces = gv_map_assoc(vm, vm->namespaces, gv_mk(GV_SYMBOL, name->base), gv_objval(ns));
    return ns;
}

gv_var *gv_var_intern(gv_vm *vm, gv_ns *ns, gv_symbol *name) {
    gv_val key = gv_mk(GV_SYMBOL, name->base);
    gv_val cur = gv_map_get(vm, ns->mappings, key, GV_NILV);
    if (cur.t == GV_VAR && GV_AS(gv_var, cur)->ns == ns) return GV_AS(gv_var, cur);
    gv_var *v = gv_alloc(vm, GV_VAR, sizeof *v);
    v->ns = ns;
    v->sym = name->base;
    v->root = GV_NILV;
    v->meta = GV_NILV;
    ns->mappings = gv_map_assoc(vm, ns->mappings, key, gv_objval(v));
    return v;
}

gv_var *gv_ns_resolve(gv_vm *vm, gv_ns *ns, gv_symbol *sym) {
    if (sym->ns) {
        gv_symbol *nsname = gv_sym_intern(vm, NULL, 0, sym->ns->data, sym->ns->len);
        gv_val alias = gv_map_get(vm, ns->aliases, gv_mk(GV_SYMBOL, nsname), GV_NILV);
        gv_ns *target = alias.t == GV_SYMBOL ? gv_ns_find(vm, GV_AS(gv_symbol, alias))
                                             : gv_ns_find(vm, nsname);
        if (!target) return NULL;
        gv_symbol *bare = gv_sym_intern(vm, NULL, 0, sym->name->data, sym->name->len);
        gv_val v = gv_map_get(vm, target->mappings, gv_mk(GV_SYMBOL, bare), GV_NILV);
        if (v.t != GV_VAR) return NULL;
        return GV_AS(gv_var, v)->ns == target ? GV_AS(gv_var, v) : NULL;
    }
    gv_val v = gv_map_get(vm, ns->mappings, gv_mk(GV_SYMBOL, sym->base), GV_NILV);
    return v.t == GV_VAR ? GV_AS(gv_var, v) : NULL;
}

gv_val gv_var_get(gv_vm *vm, gv_var *v) {
    if ((v->h.flags & GV_VAR_DYNAMIC) && vm->cur && vm->cur->bindings.t != GV_NIL) {
        gv_val b = vm->cur->bindings;
        if (gv_map_count(b)) {
            gv_val notfound = gv_mk(GV_VAR, v); /* a var never binds itself */
            gv_val r = gv_map_get(vm, b, gv_mk(GV_VAR, v), notfound);
            if (!gv_identical(r, notfound)) return r;
        }
    }
    if (!(v->h.flags & GV_VAR_BOUND))
        gv_throwf(vm, "IllegalStateException", "Attempting to call unbound fn: #'%s/%s",
                  v->ns->name->name->data, v->sym->name->data);
    return v->root;
}

gv_ns *gv_current_ns(gv_vm *vm) {
    gv_val n = gv_var_get(vm, vm->v_ns);
    return n.t == GV_NS ? GV_AS(gv_ns, n) : vm->user_ns ? vm->user_ns : vm->core_ns;
}

static bool is_special(gv_vm *vm, gv_symbol *s) {
    static const char *const specials[] = {
        "def", "loop*", "recur", "if", "case*", "let*", "letfn*", "do", "fn*",
        "quote", "var", "import*", ".", "set!", "deftype*", "reify*", "try",
        "throw", "monitor-enter", "monitor-exit", "catch", "finally", "new",
        "&", NULL};
    (void)vm;
    if (s->ns) return false;
    for (int i = 0; specials[i]; i++)
        if (strcmp(s->name->data, specials[i]) == 0) return true;
    return false;
}

gv_symbol *gv_ns_qualify(gv_vm *vm, gv_symbol *sym) {
    if (is_special(vm, sym)) return sym->base;
    gv_ns *cur = gv_current_ns(vm);
    if (sym->ns) {
        /* an alias resolves to its namespace; anything else stays as is */
        gv_symbol *nsname = gv_sym_intern(vm, NULL, 0, sym->ns->data, sym->ns->len);
        gv_val alias = gv_map_get(vm, cur->aliases, gv_mk(GV_SYMBOL, nsname), GV_NILV);
        if (alias.t == GV_SYMBOL) {
            gv_string *a = GV_AS(gv_symbol, alias)->name;
            return gv_sym_intern(vm, a->data, a->len, sym->name->data, sym->name->len);
        }
        return sym->base;
    }
    const char *name = sym->name->data;
    size_t len = sym->name->len;
    if (len > 1 && name[len - 1] == '.') return sym->base; /* constructor form */
    gv_var *v = gv_ns_resolve(vm, cur, sym);
    gv_ns *home = v ? v->ns : cur;
    gv_string *hn = home->name->name;
    return gv_sym_intern(vm, hn->data, hn->len, name, len);
}

typedef struct { gv_vm *vm; gv_ns *ns; gv_ns *from; } refer_ctx;

static bool refer_one(gv_vm *vm, gv_val k, gv_val v, void *c) {
    refer_ctx *r = c;
    if (v.t == GV_VAR && GV_AS(gv_var, v)->ns == r->from &&
        !(GV_AS(gv_var, v)->h.flags & GV_VAR_PRIVATE)) {
        gv_val cur = gv_map_get(vm, r->ns->mappings, k, GV_NILV);
        if (!(cur.t == GV_VAR && GV_AS(gv_var, cur)->ns == r->ns))
            r->ns->mappings = gv_map_assoc(vm, r->ns->mappings, k, v);
    }
    return true;
}

void gv_ns_refer_all(gv_vm *vm, gv_ns *ns, gv_ns *from) {
    refer_ctx c = {vm, ns, from};
    gv_map_each(vm, from->mappings, refer_one, &c);
}
