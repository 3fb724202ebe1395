/* main.c — the `grove` command line: run a file, evaluate an expression,
 * or start a REPL (thin glue over grove.h).  The networked commands node,
 * push, nodes and eval live in `grove-net` beside this binary (cli_*.c),
 * which `grove` runs in its own place: linking czmq, libzmq and their
 * dependencies here would cost every `grove run` ~4 MiB of RSS and ~2 ms
 * of start-up. */
#include "grove.h"
#include "gv.h"
#include "wire.h"        /* GW_DEFAULT_ENDPOINT, for the help text */

#include <errno.h>
#include <limits.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

static const char usage[] =
    "Usage: grove COMMAND [ARGS...]\n"
    "\n"
    "Commands:\n"
    "  run FILE [ARGS...]   Evaluate FILE; ARGS are in *command-line-args*.\n"
    "                       Prints only what the program prints; an uncaught\n"
    "                       exception is reported on stderr and exits 1.\n"
    "  -e, --eval EXPR      Evaluate EXPR and print the value of each form\n"
    "                       (nil values are not printed, as with clojure -e).\n"
    "  repl                 Start an interactive REPL (line editing, history in\n"
    "                       ~/.grove_history, *1 *2 *3 *e, Ctrl-C interrupts).\n"
    "  node --id ID [--context EDN] [--cap NAME[=ARG]]... [--heartbeat MS]\n"
    "                       Run a node: follow the broker's program and run its\n"
    "                       live (!) forms placed here.  Capabilities: log, clock,\n"
    "                       timer, fs=DIR, http=PORT.  Runs until SIGINT/SIGTERM.\n"
    "  push FILE [--space NAME] [--watch] [--for SECONDS] [--heartbeat MS]\n"
    "                       Send FILE as the program (space \"user\" by default),\n"
    "                       then print every value, error and output that comes\n"
    "                       back as one EDN map per line.  --watch resends the\n"
    "                       forms that change on disk; --for exits after SECONDS.\n"
    "  nodes                List the connected nodes.\n"
    "  eval --node ID [--session S] [--timeout SECONDS] EXPR\n"
    "                       Evaluate EXPR on one node and print its value; an\n"
    "                       error or exception goes to stderr and exits 1.\n"
    "  -h, --help           Show this help.\n"
    "  -v, --version        Show the version.\n"
    "\n"
    "node, push, nodes and eval take --broker ENDPOINT; without it they use\n"
    "$GROVE_BROKER, else " GW_DEFAULT_ENDPOINT ".\n";

static void report(gv_vm *vm, gv_val exc) {
    char *r = gv_exception_report(vm, exc);
    fputs(r ? r : "error\n", stderr);
    free(r);
}

static int cmd_run(gv_vm *vm, int argc, char **argv) {
    if (argc < 1) { fputs("grove run: missing FILE\n", stderr); return 2; }
    size_t len;
    char *src = gv_slurp(argv[0], &len);
    if (!src) {
        fprintf(stderr, "grove: cannot read %s\n", argv[0]);
        return 1;
    }
    gv_vm_set_args(vm, argc - 1, argv + 1);
    gv_val out;
    int rc = gv_eval(vm, src, len, argv[0], 1, 1, &out);
    free(src);
    fflush(stdout);
    if (rc != GV_OK) { report(vm, out); return 1; }
    return 0;
}

static void print_value(gv_vm *vm, gv_val v, void *udata) {
    (void)udata;
    if (v.t == GV_NIL) return;
    gv_print_opts o = {true, -1, -1};
    gv_val err;
    char *s = gv_print_str(vm, v, &o, &err);
    if (!s) { report(vm, err); return; }
    puts(s);
    free(s);
}

static int cmd_eval(gv_vm *vm, const char *expr) {
    gv_val out;
    int rc = gv_eval_each(vm, expr, strlen(expr), "NO_SOURCE_PATH", 1, 1, print_value, NULL, &out);
    fflush(stdout);
    if (rc != GV_OK) { report(vm, out); return 1; }
    return 0;
}

/* ---- REPL -------------------------------------------------------------- */

static gv_vm *repl_vm; /* the one VM the SIGINT handler interrupts */

static void on_sigint(int sig) {
    (void)sig;
    if (repl_vm) gv_vm_interrupt(repl_vm);
}

typedef struct repl_state {
    gv_ref *h1, *h2, *h3;
} repl_state;

static void repl_value(gv_vm *vm, gv_val v, void *udata) {
    repl_state *st = udata;
    gv_print_opts o = {true, -1, -1};
    gv_val err;
    char *s = gv_print_str(vm, v, &o, &err);
    if (s) { puts(s); free(s); } else report(vm, err);
    fflush(stdout);
    gv_val v2 = gv_ref_get(st->h1), v3 = gv_ref_get(st->h2);
    gv_ref_free(vm, &st->h3);
    st->h3 = st->h2;
    st->h2 = st->h1;
    st->h1 = gv_ref_new(vm, v);
    gv_define(vm, "clojure.core", "*1", v);
    gv_define(vm, "clojure.core", "*2", v2);
    gv_define(vm, "clojure.core", "*3", v3);
}

/* One line of input without its newline (malloc'd), or NULL at the end.
 * Readline only for a terminal: piped input is not echoed. */
static char *read_line(bool tty, const char *prompt) {
    if (tty) return readline(prompt);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) { free(line); return NULL; }
    if (n > 0 && line[n - 1] == '\n') line[n - 1] = 0;
    return line;
}

static int cmd_repl(gv_vm *vm) {
    char histfile[4096] = "";
    const char *home = getenv("HOME");
    if (home) snprintf(histfile, sizeof histfile, "%s/.grove_history", home);
    using_history();
    if (*histfile) read_history(histfile);
    bool tty = isatty(0);
    if (tty) printf("grove %s — Ctrl-D to quit, Ctrl-C interrupts an evaluation\n", GROVE_VERSION);
    repl_vm = vm;
    repl_state st = {NULL, NULL, NULL};
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    char *pending = NULL;
    size_t plen = 0;
    for (;;) {
        char prompt[300];
        if (pending) snprintf(prompt, sizeof prompt, "%*s", (int)strlen(gv_current_ns_name(vm)) + 3, "");
        else snprintf(prompt, sizeof prompt, "%s=> ", gv_current_ns_name(vm));
        char *line = read_line(tty, prompt);
        if (!line) break;
        size_t ll = strlen(line);
        char *np = realloc(pending, plen + ll + 2);
        if (!np) { free(line); break; }
        pending = np;
        memcpy(pending + plen, line, ll);
        plen += ll;
        pending[plen++] = '\n';
        pending[plen] = 0;
        free(line);
        int c = gv_source_complete(vm, pending, plen);
        if (c == 0) continue;
        char *entry = strdup(pending);
        if (entry) {
            size_t el = strlen(entry);
            if (el) entry[el - 1] = 0;
            if (*entry && tty) add_history(entry);
            free(entry);
        }
        sigaction(SIGINT, &sa, &old);
        gv_val out;
        int rc = gv_eval_each(vm, pending, plen, "REPL", 1, 1, repl_value, &st, &out);
        sigaction(SIGINT, &old, NULL);
        if (rc != GV_OK) {
            report(vm, out);
            gv_define(vm, "clojure.core", "*e", out);
        }
        free(pending);
        pending = NULL;
        plen = 0;
    }
    free(pending);
    if (tty) putchar('\n');
    if (*histfile && tty) write_history(histfile);
    gv_ref_free(vm, &st.h1);
    gv_ref_free(vm, &st.h2);
    gv_ref_free(vm, &st.h3);
    repl_vm = NULL;
    return 0;
}

/* Runs grove-net (the directory of this executable) with the same
 * arguments.  Returns only on failure. */
static int exec_net(char **argv) {
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 16);
    if (n <= 0) { perror("grove: cannot find its own executable"); return 2; }
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    strcpy(slash ? slash + 1 : path, "grove-net");
    execv(path, argv);
    fprintf(stderr, "grove: cannot run %s (%s); `make` builds it\n", path, strerror(errno));
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("grove %s\n", GROVE_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "node") == 0 || strcmp(argv[1], "push") == 0 ||
        strcmp(argv[1], "nodes") == 0 || strcmp(argv[1], "eval") == 0)
        return exec_net(argv);
    bool is_run = strcmp(argv[1], "run") == 0;
    bool is_eval = strcmp(argv[1], "-e") == 0 || strcmp(argv[1], "--eval") == 0;
    bool is_repl = strcmp(argv[1], "repl") == 0;
    if (!is_run && !is_eval && !is_repl) {
        fprintf(stderr, "grove: unknown command '%s'\n\n%s", argv[1], usage);
        return 2;
    }
    if (is_eval && argc < 3) { fputs("grove -e: missing EXPR\n", stderr); return 2; }
    gv_vm *vm = gv_vm_new();
    if (!vm) { fputs("grove: could not create the VM\n", stderr); return 1; }
    if (getenv("GROVE_GC_STRESS")) gv_vm_set_gc_stress(vm, true);
    int rc;
    if (is_run) rc = cmd_run(vm, argc - 2, argv + 2);
    else if (is_eval) rc = cmd_eval(vm, argv[2]);
    else rc = cmd_repl(vm);
    gv_vm_destroy(&vm);
    return rc;
}
