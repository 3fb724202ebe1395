/* gc.c — allocation and a precise mark-and-sweep collector.
 *
 * Every object is malloc'd by gv_alloc and linked on vm->objects.  The
 * collector is precise: its roots are the VM's own fields, the intern
 * tables, gv_ref handles and, for every unfinished process, its value
 * stack and fields.  It never scans a C stack.  Allocation never collects;
 * collection happens at safe points only (see the GC CONTRACT in gv.h),
 * which is what lets natives hold fresh values in C locals.
 *
 * Marking uses an explicit gray stack, so deep structures never recurse
 * in C.  Sweeping frees unmarked objects, calling a type's finalizer for
 * the few types that own C memory (regexes, code, processes, caps). */
#include "vm.h"

#define GC_MIN_THRESHOLD (4u << 20)

/* Small objects (up to 256 bytes) come from per-VM free lists by 16-byte
 * size class, carved from 64 KiB slabs: most objects are small and short
 * lived, and malloc/free dominated the profile.  Under AddressSanitizer
 * every object is a plain calloc, so use-after-free stays detectable. */
#if defined(__SANITIZE_ADDRESS__)
#define GV_PLAIN_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GV_PLAIN_MALLOC 1
#endif
#endif
#define SMALL_MAX 256
#define SLAB_SIZE (64u << 10)

static void *small_alloc(gv_vm *vm, size_t size) {
#ifdef GV_PLAIN_MALLOC
    (void)vm;
    return calloc(1, size);
#else
    if (size > SMALL_MAX) return calloc(1, size);
    size_t cls = (size + 15) >> 4;
    void *p = vm->freelist[cls];
    if (p) {
        vm->freelist[cls] = *(void **)p;
    } else {
        size_t bytes = cls << 4;
        if (vm->slab_cur + bytes > vm->slab_end) {
            char *slab = malloc(SLAB_SIZE);
            if (!slab) return NULL;
            *(void **)slab = vm->slabs; /* first 16 bytes link the slabs */
            vm->slabs = slab;
            vm->slab_cur = slab + 16;
            vm->slab_end = slab + SLAB_SIZE;
        }
        p = vm->slab_cur;
        vm->slab_cur += bytes;
    }
    memset(p, 0, cls << 4);
    return p;
#endif
}

static void small_free(gv_vm *vm, gv_obj *o) {
#ifdef GV_PLAIN_MALLOC
    (void)vm;
    free(o);
#else
    if (o->size > SMALL_MAX) { free(o); return; }
    size_t cls = ((size_t)o->size + 15) >> 4;
    *(void **)o = vm->freelist[cls];
    vm->freelist[cls] = o;
#endif
}

void *gv_alloc(gv_vm *vm, gv_type type, size_t size) {
    gv_obj *o = small_alloc(vm, size);
    if (!o) gv_throwf(vm, "OutOfMemoryError", "Java heap space");
    o->type = (uint8_t)type;
    o->size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
    o->next = vm->objects;
    vm->objects = o;
    vm->bytes_since_gc += size + 16;
    return o;
}

void gv_gc_inhibit(gv_vm *vm) { if (vm->cur) vm->cur->inhibit++; }
void gv_gc_allow(gv_vm *vm) { if (vm->cur) vm->cur->inhibit--; }

void gv_gc_mark_obj(gv_vm *vm, gv_obj *o) {
    if (!o || o->mark) return;
    o->mark = 1;
    if (vm->ngray == vm->capgray) {
        size_t cap = vm->capgray ? vm->capgray * 2 : 1024;
        gv_obj **g = realloc(vm->gray, cap * sizeof *g);
        if (!g) { fputs("grove: out of memory while collecting\n", stderr); abort(); }
        vm->gray = g;
        vm->capgray = cap;
    }
    vm->gray[vm->ngray++] = o;
}

void gv_gc_mark(gv_vm *vm, gv_val v) {
    if (GV_IS_OBJ(v)) gv_gc_mark_obj(vm, v.as.o);
}

#define M(v) gv_gc_mark(vm, (v))
#define MO(p) gv_gc_mark_obj(vm, (gv_obj *)(p))

static void trace(gv_vm *vm, gv_obj *o) {
    switch ((gv_type)o->type) {
    case GV_STRING: break;
    case GV_SYMBOL: { gv_symbol *s = (gv_symbol *)o; MO(s->base); M(s->meta); MO(s->ns); MO(s->name); break; }
    case GV_KEYWORD: MO(((gv_keyword *)o)->sym); break;
    case GV_LIST: { gv_list *l = (gv_list *)o; M(l->meta); M(l->first); M(l->rest); break; }
    case GV_CONS: { gv_conscell *c = (gv_conscell *)o; M(c->meta); M(c->first); M(c->rest); break; }
    case GV_LAZYSEQ: { gv_lazyseq *l = (gv_lazyseq *)o; M(l->meta); M(l->fn); M(l->seq); break; }
    case GV_ARRAYSEQ: { gv_arrayseq *a = (gv_arrayseq *)o; M(a->meta); M(a->src); break; }
    case GV_RANGE: M(((gv_range *)o)->meta); break;
    case GV_VECTOR: { gv_vector *v = (gv_vector *)o; M(v->meta); MO(v->root); MO(v->tail); break; }
    case GV_VNODE: { gv_vnode *n = (gv_vnode *)o; for (uint32_t i = 0; i < n->n; i++) M(n->a[i]); break; }
    case GV_ARRAYMAP: { gv_arraymap *m = (gv_arraymap *)o; M(m->meta); for (uint32_t i = 0; i < 2 * m->count; i++) M(m->kv[i]); break; }
    case GV_HASHMAP: { gv_hashmap *m = (gv_hashmap *)o; M(m->meta); M(m->nil_val); MO(m->root); break; }
    case GV_HNODE: { gv_hnode *n = (gv_hnode *)o; for (uint32_t i = 0; i < n->n; i++) M(n->a[i]); break; }
    case GV_SET: { gv_set *s = (gv_set *)o; M(s->meta); M(s->map); break; }
    case GV_FN: { gv_fn *f = (gv_fn *)o; M(f->meta); M(f->name); MO(f->ns); MO(f->code); for (uint32_t i = 0; i < f->ncap; i++) M(f->cap[i]); break; }
    case GV_NATIVE: { gv_native *n = (gv_native *)o; M(n->meta); MO(n->name); M(n->env); break; }
    case GV_ATOM: { gv_atom *a = (gv_atom *)o; M(a->meta); M(a->val); M(a->validator); M(a->watches); break; }
    case GV_VOLATILE: M(((gv_volatile *)o)->val); break;
    case GV_REDUCED: M(((gv_reduced *)o)->val); break;
    case GV_DELAY: { gv_delay *d = (gv_delay *)o; M(d->fn); M(d->val); M(d->exc); break; }
    case GV_VAR: { gv_var *v = (gv_var *)o; MO(v->ns); MO(v->sym); M(v->root); M(v->meta); break; }
    case GV_NS: { gv_ns *n = (gv_ns *)o; MO(n->name); M(n->mappings); M(n->aliases); break; }
    case GV_EXCEPTION: { gv_exception *e = (gv_exception *)o; MO(e->cls); M(e->msg); M(e->data); M(e->cause); M(e->trace); break; }
    case GV_REGEX: MO(((gv_regex *)o)->source); break;
    case GV_PROCESS: gv_proc_trace(vm, o); break;
    case GV_CODE: gv_code_trace(vm, o); break;
    case GV_CAP: break;
    default: break;
    }
}

static void finalize(gv_vm *vm, gv_obj *o) {
    switch ((gv_type)o->type) {
    case GV_REGEX: gv_regex_free((gv_regex *)o); break;
    case GV_CODE: gv_code_free(vm, o); break;
    case GV_PROCESS: gv_proc_free(vm, o); break;
    case GV_CAP: { gv_cap *c = (gv_cap *)o; if (c->free_fn) c->free_fn(c->data); break; }
    default: break;
    }
    small_free(vm, o);
}

static void mark_itab(gv_vm *vm, gv_itab *t) {
    for (size_t i = 0; i < t->cap; i++) if (t->slots[i]) MO(t->slots[i]);
}

void gv_gc_collect(gv_vm *vm) {
    /* roots */
    mark_itab(vm, &vm->symtab);
    mark_itab(vm, &vm->kwtab);
    M(vm->namespaces);
    MO(vm->core_ns); MO(vm->user_ns);
    M(vm->empty_list); M(vm->empty_vec); M(vm->empty_map);
    M(vm->empty_hashmap); M(vm->empty_set);
    for (gv_ref_node *r = vm->refs; r; r = r->next) M(r->v);
    for (gv_proc *p = vm->all; p; p = p->anext) MO(p);
    if (vm->cur) MO(vm->cur);
    /* propagate */
    while (vm->ngray) trace(vm, vm->gray[--vm->ngray]);
    /* sweep */
    size_t live = 0;
    gv_obj **pp = &vm->objects;
    while (*pp) {
        gv_obj *o = *pp;
        if (o->mark) { o->mark = 0; live += o->size + 16; pp = &o->next; }
        else { *pp = o->next; finalize(vm, o); }
    }
    vm->live_bytes = live;
    size_t th = vm->live_bytes * 2;
    vm->gc_threshold = th > GC_MIN_THRESHOLD ? th : GC_MIN_THRESHOLD;
    vm->bytes_since_gc = 0;
    vm->gc_count++;
}

/* Collects if due and no process is inside an inhibited region. */
void gv_gc_maybe(gv_vm *vm) {
    if (!vm->gc_stress && vm->bytes_since_gc < vm->gc_threshold) return;
    for (gv_proc *p = vm->all; p; p = p->anext) if (p->inhibit) return;
    if (vm->cur && vm->cur->inhibit) return;
    gv_gc_collect(vm);
}

void gv_gc_free_all(gv_vm *vm) {
    gv_obj *o = vm->objects;
    while (o) {
        gv_obj *n = o->next;
        finalize(vm, o);
        o = n;
    }
    vm->objects = NULL;
    while (vm->slabs) {
        void *next = *(void **)vm->slabs;
        free(vm->slabs);
        vm->slabs = next;
    }
    free(vm->gray);
    vm->gray = NULL;
    vm->ngray = vm->capgray = 0;
}

gv_val *gv_push(gv_vm *vm, gv_val v) {
    gv_proc *p = vm->cur;
    if (p->sp >= p->stack_end) gv_throwf(vm, "StackOverflowError", "value stack exhausted");
    *p->sp = v;
    return p->sp++;
}
