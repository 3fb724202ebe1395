/* grove.h — the public C API of the grove runtime.
 *
 * This is all that the `grove` binary, the broker and the Emacs module
 * include.  Rules:
 *   - Every call takes the VM first.  There is no global mutable state:
 *     several VMs may live in one process and never see each other.
 *   - A VM is used by one thread at a time.  The one exception is
 *     gv_vm_interrupt(), which is async-signal-safe and thread-safe.
 *   - No call here longjmps into the caller, exits or aborts on user error.
 *     Failures come back as GV_ERR with the exception as the result value.
 *   - Values (gv_val) handed out are owned by the VM's garbage collector.
 *     A host that keeps one across calls must protect it with
 *     gv_ref_new()/gv_ref_free(); otherwise it is valid only until the
 *     next call that can evaluate code.
 *   - Strings returned as `char *` are malloc'd and owned by the caller.
 */
#ifndef GROVE_H
#define GROVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GROVE_VERSION "0.1.0"

typedef struct gv_vm gv_vm;
typedef struct gv_obj gv_obj;

/* The value word: a type tag and a payload.  Immediate kinds (nil,
 * booleans, longs, doubles, chars) live in the payload; every other kind
 * points at a GC object whose header repeats the tag.
 *
 *   +----------------+----------------------------------+
 *   | t (gv_type)    | as: i (long) | d (double)        |
 *   |                |     c (char) | b (bool) | o (obj) |
 *   +----------------+----------------------------------+
 */
typedef enum gv_type {
    GV_NIL = 0,
    GV_BOOL,
    GV_LONG,
    GV_DOUBLE,
    GV_CHAR,
    GV_OBJ_FIRST, /* every tag from here on is a heap object */
    GV_STRING = GV_OBJ_FIRST,
    GV_SYMBOL,
    GV_KEYWORD,
    GV_LIST,     /* PersistentList, including the empty list () */
    GV_CONS,     /* Cons: first + any seq as rest */
    GV_LAZYSEQ,  /* LazySeq: a thunk, realized once */
    GV_ARRAYSEQ, /* a seq over a vector, string or array of values */
    GV_RANGE,    /* (range start end step) over longs, end may be infinite */
    GV_VECTOR,
    GV_VNODE,    /* internal: vector trie node */
    GV_ARRAYMAP, /* map of up to 8 entries in insertion order */
    GV_HASHMAP,  /* HAMT map */
    GV_HNODE,    /* internal: HAMT node */
    GV_SET,      /* hash set (backed by a HAMT) */
    GV_FN,       /* closure */
    GV_NATIVE,   /* C function */
    GV_ATOM,
    GV_VOLATILE,
    GV_DELAY,
    GV_VAR,
    GV_NS,
    GV_EXCEPTION,
    GV_REGEX,
    GV_PROCESS,
    GV_CODE,     /* internal: analyzed code (AST arena + constants) */
    GV_CAP,      /* foreign object registered by a host (capability) */
    GV_REDUCED,  /* (reduced x) */
    GV_NTYPES
} gv_type;

typedef struct gv_val {
    gv_type t;
    union {
        int64_t i;
        double d;
        int32_t c;
        bool b;
        gv_obj *o;
    } as;
} gv_val;

enum { GV_OK = 0, GV_ERR = 1 };

/* ---- VM life cycle --------------------------------------------------- */

/* Creates a VM with the core library loaded.  Returns NULL only when
 * memory runs out.  Owner: the caller, who frees it with gv_vm_destroy. */
gv_vm *gv_vm_new(void);
/* Frees the VM and everything it owns; NULL-safe, clears *vmp. */
void gv_vm_destroy(gv_vm **vmp);

/* Where `print`, `println` and friends write when no `with-out-str` is
 * active.  Default: stdout. */
typedef void (*gv_out_fn)(gv_vm *vm, const char *bytes, size_t len, void *udata);
void gv_vm_set_out(gv_vm *vm, gv_out_fn fn, void *udata);

/* Test mode: collect garbage at every safe point (slow). */
void gv_vm_set_gc_stress(gv_vm *vm, bool on);

/* ---- Evaluation ------------------------------------------------------ */

/* Reads and evaluates every form of SRC (LEN bytes) in the current
 * namespace, as if it were the text of FILE starting at LINE:COL.  Runs
 * the scheduler until that evaluation finishes (other processes run too).
 * Returns GV_OK with the last form's value in *out, or GV_ERR with the
 * exception in *out.  OUT may be NULL. */
int gv_eval(gv_vm *vm, const char *src, size_t len, const char *file,
            int line, int col, gv_val *out);

/* Like gv_eval, calling EACH with every top-level form's value as soon
 * as it is evaluated (for `grove -e` and REPLs). */
typedef void (*gv_each_fn)(gv_vm *vm, gv_val value, void *udata);
int gv_eval_each(gv_vm *vm, const char *src, size_t len, const char *file,
                 int line, int col, gv_each_fn each, void *udata, gv_val *out);

/* 1 when SRC holds only complete forms, 0 when it ends inside a form
 * (a REPL should read another line), -1 when it cannot be read. */
int gv_source_complete(gv_vm *vm, const char *src, size_t len);

/* Name of the current namespace (*ns*), e.g. "user".  Owned by the VM,
 * valid until the next evaluation. */
const char *gv_current_ns_name(gv_vm *vm);

/* Sets *command-line-args* to the ARGC strings (nil when ARGC is 0). */
void gv_vm_set_args(gv_vm *vm, int argc, char **argv);

/* Calls F with ARGC arguments.  Same contract as gv_eval. */
int gv_pcall(gv_vm *vm, gv_val f, int argc, const gv_val *argv, gv_val *out);

/* ---- Printing -------------------------------------------------------- */

typedef struct gv_print_opts {
    bool readably;    /* pr (true) or print (false) */
    int64_t length;   /* *print-length*, -1 for none */
    int64_t level;    /* *print-level*, -1 for none */
} gv_print_opts;

/* Prints V.  Returns a malloc'd NUL-terminated string owned by the
 * caller, or NULL (with the exception in *err if ERR is not NULL) when
 * printing failed, e.g. realizing a lazy seq threw. */
char *gv_print_str(gv_vm *vm, gv_val v, const gv_print_opts *opts, gv_val *err);

/* Formats an exception for humans: "Execution error (Class) at ...",
 * message, and the grove stack trace.  malloc'd, owned by the caller. */
char *gv_exception_report(gv_vm *vm, gv_val exc);

/* ---- Host functions and capabilities -------------------------------- */

/* A native function.  ARGV holds ARGC rooted values.  To fail, call
 * gv_throwf() (declared in the internal header) or return
 * gv_host_error(vm, ...). DATA is what was registered. */
typedef gv_val (*gv_cfn)(gv_vm *vm, int argc, gv_val *argv, void *data);

/* Makes a native function value.  NAME is copied. */
gv_val gv_native_new(gv_vm *vm, const char *name, gv_cfn fn, void *data,
                     int min_args, int max_args /* -1: variadic */);
/* Defines NS/NAME (interning the namespace if needed) to VALUE. */
void gv_define(gv_vm *vm, const char *ns, const char *name, gv_val value);
/* A capability: an opaque host object with a type name; DATA is the
 * host's and FREE (may be NULL) is called when the value is collected. */
gv_val gv_cap_new(gv_vm *vm, const char *type_name, void *data,
                  void (*free_fn)(void *data));
void *gv_cap_data(gv_val v, const char *type_name); /* NULL if not that cap */

/* Raises an exception from a native: builds ex-info-like error with the
 * message and returns never (longjmp inside the VM, safe in natives). */
#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 2, 3)))
#endif
void gv_host_error(gv_vm *vm, const char *fmt, ...);

/* ---- Value constructors and accessors for hosts --------------------- */

gv_val gv_nil(void);
gv_val gv_long(int64_t i);
gv_val gv_double(double d);
gv_val gv_bool(bool b);
gv_val gv_string_new(gv_vm *vm, const char *s, size_t len);
gv_val gv_keyword_intern(gv_vm *vm, const char *ns, const char *name);
/* NUL-terminated bytes of a string value, or NULL if V is not a string. */
const char *gv_string_bytes(gv_val v, size_t *len);

/* GC protection for values a host keeps across calls. */
typedef struct gv_ref gv_ref;
gv_ref *gv_ref_new(gv_vm *vm, gv_val v);
gv_val gv_ref_get(const gv_ref *r);
void gv_ref_free(gv_vm *vm, gv_ref **r);

/* ---- Scheduler -------------------------------------------------------- */

/* Spawns F (a function of no arguments) as a green thread.  Returns the
 * process value. */
gv_val gv_spawn(gv_vm *vm, gv_val f);
/* Runs ready processes for at most MAX_MS milliseconds.  Returns the
 * number of live processes left (running, ready or sleeping). */
int gv_sched_step(gv_vm *vm, double max_ms);
/* Milliseconds until the next sleeping process wakes, 0 if one is ready,
 * -1 if there is none. */
double gv_sched_next_wake(gv_vm *vm);
/* Async-signal-safe: the running evaluation (the one gv_eval/gv_pcall is
 * waiting on, or whatever runs in gv_sched_step) stops at its next safe
 * point with an "Interrupted" error.  `finally` blocks run; `catch` does
 * not catch it. */
void gv_vm_interrupt(gv_vm *vm);
/* Stops process P (as if interrupted) the next time it runs. */
void gv_process_kill(gv_vm *vm, gv_val p);

/* ---- Nodes (node.c; the rest of the node API is in node.h) ---------- */

typedef struct gn_node gn_node;
/* The node's VM (owned by the node). */
gv_vm *gn_node_vm(gn_node *n);
/* Offers capability NAME to the node's code: live forms receive it in
 * their capability map under the keyword :NAME, e.g.
 * (node :alpha [{:keys [NAME]}] ...).  VALUE is usually a map of
 * functions made with gv_native_new, or a gv_cap_new object.  The node
 * keeps it alive.  A later call with the same NAME replaces it. */
void gn_node_cap(gn_node *n, const char *name, gv_val value);

#endif
