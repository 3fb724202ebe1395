/* vm.h — the VM and process structures (internal).
 *
 * A gv_vm owns everything: the object list, the intern tables, the
 * namespaces and the scheduler's processes.  Nothing here is global, so
 * several VMs can live in one process.
 */
#ifndef GV_VM_H
#define GV_VM_H

#include "gv.h"
#include <signal.h>
#include <ucontext.h>

/* An evaluator frame, on the C stack of the process: one per function
 * call in progress, for stack traces and error positions.  `node` is the
 * form being evaluated (eval.c's AST node, which carries its position). */
typedef struct gv_frame {
    struct gv_frame *prev;
    gv_val fn;              /* fn or native running (also on the value stack) */
    const void *node;       /* current AST node, or NULL */
    const char *file;       /* source file of the code (owned by its GV_CODE) */
} gv_frame;
/* Position of an AST node (eval.c). */
void gv_node_pos(const void *node, int32_t *line, int32_t *col);

/* Open-addressing intern table of symbols or keywords (vm.c). */
typedef struct gv_itab {
    gv_obj **slots;
    size_t cap, n;
} gv_itab;

typedef enum gv_pstate {
    GV_P_READY,
    GV_P_RUNNING,
    GV_P_SLEEPING,
    GV_P_DONE,    /* finished with a value */
    GV_P_FAILED   /* finished with an exception */
} gv_pstate;

/* A green thread.  Its C stack and value stack are its own (mmap'd, so
 * untouched pages cost nothing); the evaluator's recursion runs on the C
 * stack, all live values sit on the value stack.  Owner: the GV_PROCESS
 * object; the stacks are unmapped when the process ends. */
struct gv_proc {
    gv_obj h;
    gv_val *stack, *sp, *stack_end; /* value stack [stack, sp) is rooted */
    gv_handler *handlers;
    void *frame;            /* innermost evaluator frame (stack traces) */
    int inhibit;            /* >0: no collection, no preemption */
    int depth;              /* evaluator call depth */
    int32_t budget_left;    /* steps until the next safe point */
    int32_t slices;         /* safe points passed since scheduled */
    gv_pstate state;
    gv_val fn;              /* what it runs */
    gv_val result;          /* value or exception once finished */
    gv_val bindings;        /* map var -> value (dynamic bindings) */
    gv_outsink *out;
    gv_val name;            /* optional, for printing */
    double wake_at;         /* monotonic ms, when sleeping */
    bool killed;
    bool is_eval;           /* runs a host's gv_eval/gv_pcall */
    uint64_t id;
    uint64_t group;         /* process group (0: none), inherited at spawn */
    char *cstack;           /* mmap'd C stack */
    size_t cstack_size;
    char *cstack_limit;     /* below this: StackOverflowError */
    ucontext_t ctx;
    void *asan_fake_stack;
    struct gv_proc *qnext;  /* run queue / sleep list link */
    struct gv_proc *anext, *aprev; /* vm->all: unfinished processes */
};

typedef struct gv_ref_node {
    struct gv_ref_node *prev, *next;
    gv_val v;
} gv_ref_node;

/* Symbols the analyzer and reader compare against, interned once. */
typedef struct gv_syms {
    gv_symbol *s_if, *s_do, *s_let, *s_letx, *s_loop, *s_loopx, *s_recur,
        *s_fn, *s_fnx, *s_def, *s_quote, *s_var, *s_throw, *s_try,
        *s_catch, *s_finally, *s_letfn, *s_letfnx, *s_amp, *s_ns,
        *s_in_ns, *s_set, *s_dot, *s_new, *s_case, *s_import,
        *s_deref, *s_unquote, *s_unquote_splicing, *s_syntax_quote,
        *s_seq, *s_concat, *s_list, *s_apply, *s_vector, *s_hash_map,
        *s_hash_set, *s_with_meta, *s_clojure_core, *s_user, *s_fn_name,
        *s_defmacro, *s_monitor_enter;
    gv_keyword *k_line, *k_column, *k_offset, *k_file, *k_as, *k_keys,
        *k_strs, *k_syms, *k_or, *k_refer, *k_require, *k_macro,
        *k_dynamic, *k_private, *k_doc, *k_arglists, *k_name, *k_ns,
        *k_tag, *k_status, *k_val, *k_all, *k_only, *k_exclude,
        *k_rename, *k_refer_clojure, *k_ready, *k_pending;
} gv_syms;

struct gv_vm {
    /* gc.c */
    gv_obj *objects;
    size_t bytes_since_gc, gc_threshold, live_bytes;
    bool gc_stress;
    bool gc_requested;
    gv_obj **gray;
    size_t ngray, capgray;
    gv_ref_node *refs;
    uint64_t gc_count;
    void *freelist[17];     /* small objects by 16-byte size class */
    char *slab_cur, *slab_end;
    void *slabs;            /* chunks the small objects are carved from */

    /* vm.c */
    gv_itab symtab, kwtab;
    gv_syms sy;
    gv_val namespaces;      /* map symbol -> ns */
    gv_ns *core_ns, *user_ns;
    gv_var *v_ns, *v_print_length, *v_print_level, *v_print_readably,
        *v_e, *v_1, *v_2, *v_3, *v_command_line_args;
    gv_val empty_list, empty_vec, empty_map, empty_hashmap, empty_set;
    gv_out_fn out_fn;
    void *out_udata;
    /* When set, called instead of printing to stderr when a process ends
     * by an uncaught exception (not a kill, not a host's evaluation):
     * node.c reports it to the editors.  Called on the host stack from
     * inside the scheduler: it may only record (e.g. take a gv_ref). */
    void (*proc_failed)(gv_vm *vm, uint64_t group, gv_val exc, void *udata);
    void *proc_failed_udata;
    uint64_t gensym_counter;

    /* sched.c */
    gv_proc *cur;           /* running process, or NULL */
    gv_proc *runq_head, *runq_tail;
    gv_proc *sleepers;      /* unordered list */
    gv_proc *all;           /* unfinished processes: GC roots */
    ucontext_t sched_ctx;   /* where a preempted process returns to */
    void *sched_asan_fake_stack;
    const void *sched_stack_bottom;
    size_t sched_stack_size;
    uint64_t next_pid;
    int32_t slice_steps;    /* steps per slice before preemption */
    volatile sig_atomic_t interrupt;
    gv_proc *eval_proc;     /* innermost process a host is waiting on */
    double deadline;        /* gv_sched_step's end (monotonic ms), 0: none */

    /* eval.c */
    int max_depth;          /* evaluator call depth limit */
    bool recur_pending;     /* a recur's values are in the loop's slots */
    uint64_t fn_counter;    /* for anonymous fn names */
};

/* Tracing and finalizing of types whose layout is private to a file. */
void gv_code_trace(gv_vm *vm, gv_obj *o);   /* eval.c */
void gv_code_free(gv_vm *vm, gv_obj *o);    /* eval.c */
void gv_proc_trace(gv_vm *vm, gv_obj *o);   /* sched.c */
void gv_proc_free(gv_vm *vm, gv_obj *o);    /* sched.c */
void gv_regex_free(gv_regex *r);            /* core_str.c */
/* Whether a collection may start now (no process holds an inhibit). */
void gv_gc_maybe(gv_vm *vm);                /* gc.c */
void gv_gc_free_all(gv_vm *vm);             /* gc.c, at VM destroy */
void gv_eval_init(gv_vm *vm);               /* eval.c */
/* Reads and evaluates every form of SRC in the running process (eval.c). */
gv_val gv_eval_source(gv_vm *vm, const char *src, size_t len, const char *file,
                      int line, int col, gv_each_fn each, void *udata);
void gv_sched_init(gv_vm *vm);              /* sched.c */
/* Process groups (sched.c): a process spawned by a running process joins
 * its group and inherits its dynamic bindings.  Kills every unfinished
 * process of GROUP (not 0) except the running one, as gv_process_kill
 * does; returns how many. */
int gv_sched_kill_group(gv_vm *vm, uint64_t group);
/* The node runtime's language additions (node_lang.c): natives the
 * prelude's ?, ?>, ?>>, ->, ->> macros use; registered before it loads. */
void gn_lang_init(gv_vm *vm);
void gv_sched_shutdown(gv_vm *vm);          /* sched.c: ends all processes */
/* Refers every public var of FROM in NS (ns.c). */
void gv_ns_refer_all(gv_vm *vm, gv_ns *ns, gv_ns *from);

/* Evaluator steps (calls, recurs) between two safe points. */
#define GV_SLICE_STEPS 1000

#endif
