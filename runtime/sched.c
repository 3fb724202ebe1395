/* sched.c — green threads (processes) and the scheduler.
 *
 * Every evaluation runs in a process: a GV_PROCESS object with its own
 * C stack and value stack (mmap'd with MAP_NORESERVE, so only the pages a
 * process touches cost memory).  Because the interpreter's whole state is
 * on those stacks, a process can be switched out at any safe point and
 * resumed later (ucontext), which is how runaway loops are preempted and
 * how `sleep` yields.  Hosts never run grove code on their own stack: a
 * module inside Emacs stays safe from deep recursion in user code.
 *
 * Safe points (gv_safepoint) come every GV_SLICE_STEPS evaluator steps.
 * There the running process may be interrupted (gv_vm_interrupt, kill),
 * the heap collected, and the process switched out when its slice is used
 * up and another is ready, or when a host's time budget
 * (gv_sched_step) is spent. */
#include "vm.h"

#include <errno.h>
#include <sys/mman.h>
#include <time.h>

#if defined(__SANITIZE_ADDRESS__)
#define GV_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GV_ASAN 1
#endif
#endif
#ifdef GV_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#define CSTACK_SIZE ((size_t)16 << 20)   /* virtual; committed on touch */
#define CSTACK_MARGIN ((size_t)256 << 10) /* kept free for natives */
#define VSTACK_SLOTS ((size_t)1 << 20)

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- process objects ---------------------------------------------------- */

void gv_proc_trace(gv_vm *vm, gv_obj *o) {
    gv_proc *p = (gv_proc *)o;
    gv_gc_mark(vm, p->fn);
    gv_gc_mark(vm, p->result);
    gv_gc_mark(vm, p->bindings);
    gv_gc_mark(vm, p->name);
    if (p->stack)
        for (gv_val *v = p->stack; v < p->sp; v++) gv_gc_mark(vm, *v);
}

static void release_stacks(gv_proc *p) {
#ifdef GV_ASAN
    /* a process's frames never all return (it ends by switching away),
     * so their redzones stay poisoned in the shadow; a later stack mapped
     * at the same address would inherit them */
    if (p->cstack) ASAN_UNPOISON_MEMORY_REGION(p->cstack, p->cstack_size);
#endif
    if (p->cstack) munmap(p->cstack, p->cstack_size);
    if (p->stack) munmap(p->stack, VSTACK_SLOTS * sizeof(gv_val));
    p->cstack = NULL;
    p->stack = p->sp = p->stack_end = NULL;
}

void gv_proc_free(gv_vm *vm, gv_obj *o) {
    (void)vm;
    release_stacks((gv_proc *)o);
}

static void all_add(gv_vm *vm, gv_proc *p) {
    p->aprev = NULL;
    p->anext = vm->all;
    if (vm->all) vm->all->aprev = p;
    vm->all = p;
}

static void all_remove(gv_vm *vm, gv_proc *p) {
    if (p->aprev) p->aprev->anext = p->anext; else if (vm->all == p) vm->all = p->anext;
    if (p->anext) p->anext->aprev = p->aprev;
    p->anext = p->aprev = NULL;
}

static void runq_push(gv_vm *vm, gv_proc *p) {
    p->state = GV_P_READY;
    p->qnext = NULL;
    if (vm->runq_tail) vm->runq_tail->qnext = p; else vm->runq_head = p;
    vm->runq_tail = p;
}

static gv_proc *runq_pop(gv_vm *vm) {
    gv_proc *p = vm->runq_head;
    if (!p) return NULL;
    vm->runq_head = p->qnext;
    if (!vm->runq_head) vm->runq_tail = NULL;
    p->qnext = NULL;
    return p;
}

static void sleeper_remove(gv_vm *vm, gv_proc *p) {
    for (gv_proc **pp = &vm->sleepers; *pp; pp = &(*pp)->qnext)
        if (*pp == p) { *pp = p->qnext; p->qnext = NULL; return; }
}

/* The C body a process runs: either calls p->fn or a host callback. */
typedef gv_val (*proc_body)(gv_vm *vm, void *ctx);

typedef struct start {
    proc_body body;
    void *ctx;
} start;

static void switch_to_sched(gv_vm *vm, gv_proc *p, bool dying) {
#ifdef GV_ASAN
    __sanitizer_start_switch_fiber(dying ? NULL : &p->asan_fake_stack, vm->sched_stack_bottom,
                                   vm->sched_stack_size);
#else
    (void)dying;
#endif
    swapcontext(&p->ctx, &vm->sched_ctx);
#ifdef GV_ASAN
    __sanitizer_finish_switch_fiber(p->asan_fake_stack, &vm->sched_stack_bottom,
                                    &vm->sched_stack_size);
#endif
}

static void check_stop(gv_vm *vm, gv_proc *p);

static void proc_entry(unsigned lo_vm, unsigned hi_vm, unsigned lo_s, unsigned hi_s) {
    gv_vm *vm = (gv_vm *)(((uintptr_t)hi_vm << 32) | (uintptr_t)lo_vm);
    start *st = (start *)(((uintptr_t)hi_s << 32) | (uintptr_t)lo_s);
#ifdef GV_ASAN
    __sanitizer_finish_switch_fiber(NULL, &vm->sched_stack_bottom, &vm->sched_stack_size);
#endif
    gv_proc *p = vm->cur;
    gv_handler h;
    if (gv_try(vm, &h) == 0) {
        if (p->killed) check_stop(vm, p); /* killed before it first ran */
        gv_val r = st ? st->body(vm, st->ctx) : gv_call(vm, p->fn, 0, NULL);
        gv_try_end(vm, &h);
        p->result = r;
        p->state = GV_P_DONE;
    } else {
        p->result = h.exc;
        p->state = GV_P_FAILED;
    }
    p->sp = p->stack;
    switch_to_sched(vm, p, true);
    /* never resumed */
    abort();
}

/* Makes a process that will run BODY(CTX) (or FN when BODY is NULL).
 * Owner: the GC; the process is rooted while it has not finished.  ST
 * must stay valid until the process first runs. */
static gv_proc *proc_new(gv_vm *vm, gv_val fn, start *st) {
    gv_val *fnslot = vm->cur ? gv_push(vm, fn) : NULL;
    gv_proc *p = gv_alloc(vm, GV_PROCESS, sizeof *p);
    if (fnslot) fn = *fnslot;
    p->fn = fn;
    p->result = GV_NILV;
    /* a child joins its parent's group and sees its dynamic bindings,
     * as Clojure's future conveys them */
    p->bindings = vm->cur ? vm->cur->bindings : GV_NILV;
    p->group = vm->cur ? vm->cur->group : 0;
    p->name = GV_NILV;
    p->id = ++vm->next_pid;
    size_t vbytes = VSTACK_SLOTS * sizeof(gv_val);
    void *vs = mmap(NULL, vbytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    void *cs = mmap(NULL, CSTACK_SIZE, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (vs == MAP_FAILED || cs == MAP_FAILED) {
        if (vs != MAP_FAILED) munmap(vs, vbytes);
        if (cs != MAP_FAILED) munmap(cs, CSTACK_SIZE);
        p->state = GV_P_FAILED;
        gv_throwf(vm, "OutOfMemoryError", "unable to create a new process: %s", strerror(errno));
    }
    mprotect(cs, 4096, PROT_NONE); /* guard page */
    p->stack = p->sp = vs;
    p->stack_end = p->stack + VSTACK_SLOTS;
    p->cstack = cs;
    p->cstack_size = CSTACK_SIZE;
    p->cstack_limit = (char *)cs + CSTACK_MARGIN;
    p->budget_left = vm->slice_steps;
    getcontext(&p->ctx);
    p->ctx.uc_stack.ss_sp = cs;
    p->ctx.uc_stack.ss_size = CSTACK_SIZE;
    p->ctx.uc_link = NULL;
    uintptr_t uv = (uintptr_t)vm, us = (uintptr_t)st;
    makecontext(&p->ctx, (void (*)(void))proc_entry, 4, (unsigned)(uv & 0xffffffffu),
                (unsigned)(uv >> 32), (unsigned)(us & 0xffffffffu), (unsigned)(us >> 32));
    all_add(vm, p);
    return p;
}

static void report_failure(gv_vm *vm, gv_proc *p) {
    if (p->is_eval) return; /* the host gets it */
    gv_exception *e = p->result.t == GV_EXCEPTION ? GV_AS(gv_exception, p->result) : NULL;
    if (e && e->uncatchable) return; /* killed on purpose */
    if (vm->proc_failed) {
        vm->proc_failed(vm, p->group, p->result, vm->proc_failed_udata);
        return;
    }
    char *r = gv_exception_report(vm, p->result);
    fprintf(stderr, "Exception in process %llu:\n%s", (unsigned long long)p->id, r ? r : "?\n");
    free(r);
}

/* Runs P until it yields, sleeps or finishes.  Called on the host stack. */
static void run_one(gv_vm *vm, gv_proc *p) {
    p->state = GV_P_RUNNING;
    p->slices = 0;
    p->budget_left = vm->slice_steps;
    gv_proc *prev = vm->cur;
    vm->cur = p;
#ifdef GV_ASAN
    void *fake = NULL;
    __sanitizer_start_switch_fiber(&fake, p->cstack, p->cstack_size);
#endif
    swapcontext(&vm->sched_ctx, &p->ctx);
#ifdef GV_ASAN
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
    vm->cur = prev;
    if (p->state == GV_P_DONE || p->state == GV_P_FAILED) {
        all_remove(vm, p);
        release_stacks(p);
        if (p->state == GV_P_FAILED) report_failure(vm, p);
    }
}

static void wake_sleepers(gv_vm *vm, double now) {
    gv_proc **pp = &vm->sleepers;
    while (*pp) {
        gv_proc *p = *pp;
        if (p->wake_at <= now || p->killed) {
            *pp = p->qnext;
            runq_push(vm, p);
        } else {
            pp = &p->qnext;
        }
    }
}

/* ---- safe points and yielding ------------------------------------------ */

static _Noreturn void throw_interrupt(gv_vm *vm, const char *msg) {
    gv_val e = gv_exception_new(vm, "InterruptedException", gv_cstr(vm, msg), GV_NILV, GV_NILV);
    GV_AS(gv_exception, e)->uncatchable = true;
    gv_throw(vm, e);
}

static void check_stop(gv_vm *vm, gv_proc *p) {
    if (p->killed) { p->killed = false; throw_interrupt(vm, "Process killed"); }
    if (vm->interrupt && (vm->eval_proc == NULL || vm->eval_proc == p)) {
        vm->interrupt = 0;
        throw_interrupt(vm, "Interrupted");
    }
}

/* Switches the running process out; it resumes when the scheduler next
 * picks it.  State must be set (READY and queued, or SLEEPING). */
static void yield_to_sched(gv_vm *vm) {
    gv_proc *p = vm->cur;
    switch_to_sched(vm, p, false);
    vm->cur = p;
    check_stop(vm, p);
}

void gv_safepoint(gv_vm *vm) {
    gv_proc *p = vm->cur;
    p->budget_left = vm->slice_steps;
    check_stop(vm, p); /* even when inhibited, so C-g stops (= (range) (range)) */
    if (p->inhibit) return;
    gv_gc_maybe(vm);
    p->slices++;
    bool others = vm->runq_head != NULL || vm->sleepers != NULL;
    bool host_wants = vm->deadline > 0 && now_ms() >= vm->deadline;
    if ((others && p->slices >= 10) || host_wants) {
        if (!host_wants && !vm->runq_head) {
            double t = now_ms();
            wake_sleepers(vm, t);
            if (!vm->runq_head) { p->slices = 0; return; }
        }
        runq_push(vm, p);
        yield_to_sched(vm);
    }
}

/* Puts the running process to sleep for MS milliseconds. */
static void proc_sleep(gv_vm *vm, double ms) {
    gv_proc *p = vm->cur;
    if (p->inhibit) {
        struct timespec ts = {(time_t)(ms / 1000), (long)((ms - (double)(time_t)(ms / 1000) * 1000) * 1e6)};
        nanosleep(&ts, NULL);
        return;
    }
    p->wake_at = now_ms() + ms;
    p->state = GV_P_SLEEPING;
    p->qnext = vm->sleepers;
    vm->sleepers = p;
    yield_to_sched(vm);
}

/* ---- scheduler loops ------------------------------------------------- */

static int live_count(gv_vm *vm) {
    int n = 0;
    for (gv_proc *p = vm->all; p; p = p->anext) n++;
    return n;
}

double gv_sched_next_wake(gv_vm *vm) {
    if (vm->runq_head) return 0;
    if (!vm->sleepers) return -1;
    double t = now_ms(), best = -1;
    for (gv_proc *p = vm->sleepers; p; p = p->qnext) {
        double d = p->wake_at - t;
        if (d < 0) d = 0;
        if (best < 0 || d < best) best = d;
    }
    return best;
}

int gv_sched_step(gv_vm *vm, double max_ms) {
    if (vm->cur) return live_count(vm); /* re-entered from grove code: no-op */
    double end = now_ms() + max_ms;
    double saved = vm->deadline;
    vm->deadline = end;
    for (;;) {
        double t = now_ms();
        wake_sleepers(vm, t);
        gv_proc *p = runq_pop(vm);
        if (!p) break;
        run_one(vm, p);
        if (now_ms() >= end) break;
    }
    vm->deadline = saved;
    return live_count(vm);
}

static void idle_wait(gv_vm *vm) {
    double w = gv_sched_next_wake(vm);
    if (w == 0) return;
    if (w < 0 || w > 10) w = 10; /* poll the interrupt flag */
    struct timespec ts = {0, (long)(w * 1e6)};
    nanosleep(&ts, NULL);
}

/* Runs a process for BODY(CTX) to completion, running the others
 * alongside.  Returns GV_OK/GV_ERR with the value or exception in *out. */
static int run_sync(gv_vm *vm, proc_body body, void *ctx, gv_val *out) {
    if (vm->cur) {
        /* nested: run in the current process, under a handler */
        gv_handler h;
        if (gv_try(vm, &h) == 0) {
            gv_val r = body(vm, ctx);
            gv_try_end(vm, &h);
            if (out) *out = r;
            return GV_OK;
        }
        /* a kill or interrupt is not the callee's error: the caller gets
         * control back (to free what it holds), and the process stops at
         * its next safe point */
        gv_exception *e = h.exc.t == GV_EXCEPTION ? GV_AS(gv_exception, h.exc) : NULL;
        if (e && e->uncatchable) {
            if (e->msg.t == GV_STRING && strcmp(GV_AS(gv_string, e->msg)->data, "Interrupted") == 0)
                vm->interrupt = 1;
            else
                vm->cur->killed = true;
        }
        if (out) *out = h.exc;
        return GV_ERR;
    }
    /* No process runs and the host's values from earlier calls are no
     * longer promised (grove.h): a safe moment to collect, so hosts that
     * only make short calls still reclaim memory. */
    gv_gc_maybe(vm);
    start st = {body, ctx};
    gv_proc *p = proc_new(vm, GV_NILV, &st);
    p->is_eval = true;
    gv_ref *keep = gv_ref_new(vm, gv_objval(p));
    gv_proc *saved_eval = vm->eval_proc;
    vm->eval_proc = p;
    runq_push(vm, p);
    while (p->state != GV_P_DONE && p->state != GV_P_FAILED) {
        wake_sleepers(vm, now_ms());
        if (vm->interrupt && p->state == GV_P_SLEEPING) {
            sleeper_remove(vm, p);
            runq_push(vm, p);
        }
        gv_proc *q = runq_pop(vm);
        if (!q) { idle_wait(vm); continue; }
        run_one(vm, q);
    }
    vm->eval_proc = saved_eval;
    if (out) *out = p->result;
    int rc = p->state == GV_P_DONE ? GV_OK : GV_ERR;
    gv_ref_free(vm, &keep);
    return rc;
}

/* ---- public entry points ----------------------------------------------- */

typedef struct eval_ctx {
    const char *src;
    size_t len;
    const char *file;
    int line, col;
    gv_each_fn each;
    void *udata;
} eval_ctx;

static gv_val eval_body(gv_vm *vm, void *c) {
    eval_ctx *e = c;
    return gv_eval_source(vm, e->src, e->len, e->file, e->line, e->col, e->each, e->udata);
}

int gv_eval_each(gv_vm *vm, const char *src, size_t len, const char *file, int line, int col,
                 gv_each_fn each, void *udata, gv_val *out) {
    eval_ctx e = {src, len, file ? file : "NO_SOURCE_PATH", line > 0 ? line : 1,
                  col > 0 ? col : 1, each, udata};
    return run_sync(vm, eval_body, &e, out);
}

int gv_eval(gv_vm *vm, const char *src, size_t len, const char *file, int line, int col,
            gv_val *out) {
    return gv_eval_each(vm, src, len, file, line, col, NULL, NULL, out);
}

static gv_val read_all_body(gv_vm *vm, void *c) {
    eval_ctx *e = c;
    gv_reader r;
    gv_reader_init(&r, e->src, e->len, "NO_SOURCE_PATH", 1, 1);
    gv_val f;
    while (gv_reader_read(vm, &r, &f, NULL)) {}
    return GV_NILV;
}

int gv_source_complete(gv_vm *vm, const char *src, size_t len) {
    eval_ctx e = {src, len, NULL, 1, 1, NULL, NULL};
    gv_val err;
    if (run_sync(vm, read_all_body, &e, &err) == GV_OK) return 1;
    if (err.t == GV_EXCEPTION && GV_AS(gv_exception, err)->msg.t == GV_STRING &&
        strstr(GV_AS(gv_string, GV_AS(gv_exception, err)->msg)->data, "EOF while reading"))
        return 0;
    return -1;
}

const char *gv_current_ns_name(gv_vm *vm) {
    gv_val n = vm->v_ns->root;
    return n.t == GV_NS ? GV_AS(gv_ns, n)->name->name->data : "user";
}

typedef struct call_ctx {
    gv_ref *f;
    int argc;
    gv_ref **argv;
} call_ctx;

static gv_val call_body(gv_vm *vm, void *c) {
    call_ctx *cc = c;
    gv_val *args = vm->cur->sp;
    for (int i = 0; i < cc->argc; i++) gv_push(vm, gv_ref_get(cc->argv[i]));
    return gv_call(vm, gv_ref_get(cc->f), cc->argc, args);
}

int gv_pcall(gv_vm *vm, gv_val f, int argc, const gv_val *argv, gv_val *out) {
    call_ctx cc = {gv_ref_new(vm, f), argc, calloc((size_t)(argc ? argc : 1), sizeof(gv_ref *))};
    if (!cc.argv) return GV_ERR;
    for (int i = 0; i < argc; i++) cc.argv[i] = gv_ref_new(vm, argv[i]);
    int rc = run_sync(vm, call_body, &cc, out);
    for (int i = 0; i < argc; i++) gv_ref_free(vm, &cc.argv[i]);
    gv_ref_free(vm, &cc.f);
    free(cc.argv);
    return rc;
}

gv_val gv_spawn(gv_vm *vm, gv_val f) {
    gv_proc *p = proc_new(vm, f, NULL);
    runq_push(vm, p);
    return gv_objval(p);
}

void gv_vm_interrupt(gv_vm *vm) { vm->interrupt = 1; }

void gv_process_kill(gv_vm *vm, gv_val pv) {
    if (pv.t != GV_PROCESS) return;
    gv_proc *p = GV_AS(gv_proc, pv);
    if (p->state == GV_P_DONE || p->state == GV_P_FAILED) return;
    p->killed = true;
    if (p->state == GV_P_SLEEPING) {
        sleeper_remove(vm, p);
        runq_push(vm, p);
    }
    if (p == vm->cur) check_stop(vm, p);
}

int gv_sched_kill_group(gv_vm *vm, uint64_t group) {
    int n = 0;
    if (group == 0) return 0;
    for (gv_proc *p = vm->all; p; p = p->anext)
        if (p->group == group && p != vm->cur && !p->killed) {
            gv_process_kill(vm, gv_objval(p));
            n++;
        }
    return n;
}

/* Waits for process PV and returns its value (rethrowing its exception). */
gv_val gv_process_join(gv_vm *vm, gv_val pv) {
    gv_val *slot = gv_push(vm, pv);
    gv_proc *p = GV_AS(gv_proc, *slot);
    if (p == vm->cur) gv_throwf(vm, "IllegalStateException", "A process cannot wait for itself");
    while (GV_AS(gv_proc, *slot)->state != GV_P_DONE && GV_AS(gv_proc, *slot)->state != GV_P_FAILED)
        proc_sleep(vm, 1);
    p = GV_AS(gv_proc, *slot);
    if (p->state == GV_P_FAILED) gv_throw(vm, p->result);
    return p->result;
}

void gv_sched_shutdown(gv_vm *vm) {
    /* Processes that never finished just lose their stacks; nothing of
     * theirs runs again. */
    while (vm->all) {
        gv_proc *p = vm->all;
        all_remove(vm, p);
        release_stacks(p);
        p->state = GV_P_FAILED;
    }
    vm->runq_head = vm->runq_tail = NULL;
    vm->sleepers = NULL;
}

/* ---- natives ------------------------------------------------------------ */

static gv_val n_spawn(gv_vm *vm, int argc, gv_val *argv, void *d) {
    (void)argc; (void)d;
    if (!gv_is_ifn(argv[0]))
        gv_throwf(vm, "ClassCastException", "class %s cannot be cast to class clojure.lang.IFn",
                  gv_type_name(argv[0]));
    return gv_spawn(vm, argv[0]);
}

static gv_val n_sleep(gv_vm *vm, int argc, gv_val *argv, void *d) {
    (void)argc; (void)d;
    double ms = argv[0].t == GV_LONG ? (double)argv[0].as.i
              : argv[0].t == GV_DOUBLE ? argv[0].as.d : -1;
    if (ms < 0) gv_throwf(vm, "IllegalArgumentException", "sleep expects a non-negative number of milliseconds");
    proc_sleep(vm, ms);
    return GV_NILV;
}

static gv_val n_yield(gv_vm *vm, int argc, gv_val *argv, void *d) {
    (void)argc; (void)argv; (void)d;
    if (!vm->cur->inhibit) { runq_push(vm, vm->cur); yield_to_sched(vm); }
    return GV_NILV;
}

static gv_proc *arg_proc(gv_vm *vm, gv_val v) {
    if (v.t != GV_PROCESS)
        gv_throwf(vm, "ClassCastException", "class %s cannot be cast to class grove.Process",
                  gv_type_name(v));
    return GV_AS(gv_proc, v);
}

static gv_val n_kill(gv_vm *vm, int argc, gv_val *argv, void *d) {
    (void)argc; (void)d;
    arg_proc(vm, argv[0]);
    gv_process_kill(vm, argv[0]);
    return GV_NILV;
}

static gv_val n_alive(gv_vm *vm, int argc, gv_val *argv, void *d) {
    (void)argc; (void)d;
    gv_proc *p = arg_proc(vm, argv[0]);
    return gv_b(p->state != GV_P_DONE && p->state != GV_P_FAILED);
}

static gv_val n_process_p(gv_vm *vm, int argc, gv_val *argv, void *d) {
    (void)vm; (void)argc; (void)d;
    return gv_b(argv[0].t == GV_PROCESS);
}

static gv_val n_self(gv_vm *vm, int argc, gv_val *argv, void *d) {
    (void)argc; (void)argv; (void)d;
    return gv_objval(vm->cur);
}

static gv_val n_join(gv_vm *vm, int argc, gv_val *argv, void *d) {
    (void)argc; (void)d;
    arg_proc(vm, argv[0]);
    return gv_process_join(vm, argv[0]);
}

void gv_sched_init(gv_vm *vm) {
    gv_defn_native(vm, "clojure.core", "spawn", n_spawn, 1, 1);
    gv_defn_native(vm, "clojure.core", "sleep", n_sleep, 1, 1);
    gv_defn_native(vm, "clojure.core", "yield", n_yield, 0, 0);
    gv_defn_native(vm, "clojure.core", "kill", n_kill, 1, 1);
    gv_defn_native(vm, "clojure.core", "alive?", n_alive, 1, 1);
    gv_defn_native(vm, "clojure.core", "process?", n_process_p, 1, 1);
    gv_defn_native(vm, "clojure.core", "self", n_self, 0, 0);
    gv_defn_native(vm, "clojure.core", "join", n_join, 1, 1);
}
