/* fuzz_reader.c — libFuzzer target for the reader (reader.c).
 *
 * Reads every form of the input with an on_form callback, checks the
 * invariants of what came back (positions inside the input and nested in
 * their parents, list counts), and prints each form; reader errors are
 * fine, crashes and sanitizer reports are not.  The VM is created lazily
 * and kept in a static pointer (the harness's only global state); it is
 * replaced every RECYCLE inputs so interned symbols of random inputs do
 * not pile up.
 *
 * Built by `make fuzz` with -fsanitize=fuzzer,address,undefined, and by
 * `make test` with test/fuzz/replay.c (ASan+UBSan, no libFuzzer) to rerun
 * the seed corpus test/fuzz/corpus/reader/.
 */
#include "vm.h"

#define RECYCLE 20000

typedef struct fuzz_input {
    const uint8_t *data;
    size_t size;
    int32_t last_depth;
    int64_t last_start;
} fuzz_input;

static void bad(const char *what) {
    fprintf(stderr, "fuzz_reader: invariant broken: %s\n", what);
    abort();
}

static void check_pos(const fuzz_input *in, const gv_pos *p) {
    if (p->start < 0 || p->end < p->start || (uint64_t)p->end > in->size) bad("offsets");
    if (p->line < 1 || p->col < 1) bad("line/col");
}

static void check_list(gv_val v) {
    int64_t n = 0;
    gv_val s = v;
    while (GV_AS(gv_list, s)->count) {
        if (GV_AS(gv_list, s)->count != GV_AS(gv_list, v)->count - n) bad("list count");
        s = GV_AS(gv_list, s)->rest;
        if (s.t != GV_LIST) bad("list rest");
        n++;
    }
}

static void on_form(void *ctx, gv_val form, const gv_pos *pos, int depth) {
    fuzz_input *in = ctx;
    check_pos(in, pos);
    if (depth < 0 || depth > in->last_depth + 1) bad("preorder depth");
    if (pos->start < in->last_start && depth > in->last_depth) bad("preorder start");
    in->last_depth = depth;
    in->last_start = pos->start;
    if (form.t == GV_LIST) check_list(form);
}

static gv_val read_everything(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc;
    (void)argv;
    fuzz_input *in = data;
    /* natives reach no safe point on their own: collect here, while
     * nothing of this input is live, so the heap stays bounded */
    gv_safepoint(vm);
    gv_reader r;
    gv_reader_init(&r, (const char *)in->data, in->size, "fuzz", 1, 1);
    r.on_form = on_form;
    r.ctx = in;
    for (int k = 0; k < 10000; k++) {
        gv_handler h;
        size_t before = r.i;
        if (gv_try(vm, &h) == 0) {
            gv_val v;
            gv_pos p;
            in->last_depth = -1;
            in->last_start = -1;
            bool got = gv_reader_read(vm, &r, &v, &p);
            if (got) {
                check_pos(in, &p);
                if (v.t == GV_LIST) check_list(v);
                gv_buf b;
                gv_buf_init(&b);
                gv_print_opts o = {true, -1, -1};
                gv_pr(vm, &b, v, &o);
                gv_buf_free(&b);
            }
            gv_try_end(vm, &h);
            if (!got) break;
        } else {
            gv_val e = h.exc;
            if (e.t != GV_EXCEPTION) bad("exception value");
            /* a reader error must name where it happened */
            gv_val m = GV_AS(gv_exception, e)->msg;
            if (m.t != GV_STRING) bad("message");
            if (r.i == before) break; /* no progress: stop */
        }
    }
    return GV_NILV;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The VM's heap outlives each input by design (objects wait for the next
 * collection), so libFuzzer's per-input leak check would fire on every
 * input and rescan the heap: switch it off by adding -detect_leaks=0 to
 * the flags (libFuzzer parses them after this hook).  The new argv is
 * kept for the life of the process. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    static char **args;
    static char flag[] = "-detect_leaks=0";
    args = malloc(((size_t)*argc + 2) * sizeof *args);
    if (!args) return 0;
    for (int i = 0; i < *argc; i++) args[i] = (*argv)[i];
    args[*argc] = flag;
    args[*argc + 1] = NULL;
    *argc += 1;
    *argv = args;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static gv_vm *vm;
    static long runs;
    if (vm && ++runs % RECYCLE == 0) gv_vm_destroy(&vm);
    if (!vm) {
        vm = gv_vm_new();
        if (!vm) bad("gv_vm_new failed");
    }
    fuzz_input in = {data, size, -1, -1};
    gv_val f = gv_native_new(vm, "fuzz-reader", read_everything, &in, 0, 0);
    gv_val out;
    gv_pcall(vm, f, 0, NULL, &out);
    return 0;
}
