/* error.c — exceptions: the class hierarchy, the one throw path and the
 * handler chain, and the human-readable report.
 *
 * grove has no Java classes; an exception's class is a symbol such as
 * ArithmeticException or clojure.lang.ExceptionInfo, and `catch` matches
 * it against the small hierarchy below (java.lang. prefixes are
 * optional).  gv_throw longjmps to the innermost handler of the running
 * process, restoring the value stack top, frame chain, GC-inhibit depth
 * and output sink that were current when the handler was pushed. */
#include "vm.h"

static const char *const hierarchy[][2] = {
    {"Exception", "Throwable"},
    {"Error", "Throwable"},
    {"RuntimeException", "Exception"},
    {"IllegalArgumentException", "RuntimeException"},
    {"NumberFormatException", "IllegalArgumentException"},
    {"clojure.lang.ArityException", "IllegalArgumentException"},
    {"java.util.regex.PatternSyntaxException", "IllegalArgumentException"},
    {"java.util.IllegalFormatException", "IllegalArgumentException"},
    {"java.util.IllegalFormatConversionException", "java.util.IllegalFormatException"},
    {"java.util.MissingFormatArgumentException", "java.util.IllegalFormatException"},
    {"java.util.UnknownFormatConversionException", "java.util.IllegalFormatException"},
    {"java.util.MissingFormatWidthException", "java.util.IllegalFormatException"},
    {"java.util.IllegalFormatPrecisionException", "java.util.IllegalFormatException"},
    {"java.util.IllegalFormatWidthException", "java.util.IllegalFormatException"},
    {"java.util.FormatFlagsConversionMismatchException", "java.util.IllegalFormatException"},
    {"java.util.IllegalFormatFlagsException", "java.util.IllegalFormatException"},
    {"java.util.DuplicateFormatFlagsException", "java.util.IllegalFormatException"},
    {"java.util.IllegalFormatArgumentIndexException", "java.util.IllegalFormatException"},
    {"IllegalStateException", "RuntimeException"},
    {"ArithmeticException", "RuntimeException"},
    {"ClassCastException", "RuntimeException"},
    {"IndexOutOfBoundsException", "RuntimeException"},
    {"StringIndexOutOfBoundsException", "IndexOutOfBoundsException"},
    {"ArrayIndexOutOfBoundsException", "IndexOutOfBoundsException"},
    {"NullPointerException", "RuntimeException"},
    {"UnsupportedOperationException", "RuntimeException"},
    {"clojure.lang.ExceptionInfo", "RuntimeException"},
    {"clojure.lang.LispReader$ReaderException", "RuntimeException"},
    {"clojure.lang.Compiler$CompilerException", "RuntimeException"},
    {"java.io.IOException", "Exception"},
    {"java.io.FileNotFoundException", "java.io.IOException"},
    {"InterruptedException", "Exception"},
    {"VirtualMachineError", "Error"},
    {"StackOverflowError", "VirtualMachineError"},
    {"OutOfMemoryError", "VirtualMachineError"},
    {"AssertionError", "Error"},
};

static const char *strip_java_lang(const char *n) {
    return strncmp(n, "java.lang.", 10) == 0 ? n + 10 : n;
}

static const char *canonical(const char *n) {
    n = strip_java_lang(n);
    if (strcmp(n, "ExceptionInfo") == 0) return "clojure.lang.ExceptionInfo";
    if (strcmp(n, "ArityException") == 0) return "clojure.lang.ArityException";
    return n;
}

static const char *parent_of(const char *n) {
    for (size_t i = 0; i < sizeof hierarchy / sizeof hierarchy[0]; i++)
        if (strcmp(hierarchy[i][0], n) == 0) return hierarchy[i][1];
    /* classes grove does not list are taken as RuntimeExceptions */
    return strcmp(n, "Throwable") == 0 ? NULL : "RuntimeException";
}

static const char *sym_text(gv_symbol *s, char *buf, size_t n) {
    if (s->ns) snprintf(buf, n, "%s/%s", s->ns->data, s->name->data);
    else snprintf(buf, n, "%s", s->name->data);
    return buf;
}

bool gv_exception_isa(gv_vm *vm, gv_symbol *cls, gv_symbol *catch_cls) {
    (void)vm;
    char a[256], b[256];
    const char *c = canonical(sym_text(cls, a, sizeof a));
    const char *want = canonical(sym_text(catch_cls, b, sizeof b));
    if (strcmp(want, "Object") == 0) return true;
    for (int guard = 0; c && guard < 16; guard++) {
        if (strcmp(c, want) == 0) return true;
        c = parent_of(c);
    }
    return false;
}

gv_val gv_exception_new(gv_vm *vm, const char *cls, gv_val msg, gv_val data, gv_val cause) {
    gv_symbol *c = gv_sym_intern(vm, NULL, 0, canonical(cls), strlen(canonical(cls)));
    gv_exception *e = gv_alloc(vm, GV_EXCEPTION, sizeof *e);
    e->cls = c;
    e->msg = msg;
    e->data = data;
    e->cause = cause;
    e->trace = GV_NILV;
    return gv_mk(GV_EXCEPTION, e);
}

/* The trace: a vector of [name file line col native?], innermost first;
 * a native's position is that of the call that reached it. */
static gv_val capture_trace(gv_vm *vm) {
    gv_vecb b;
    gv_vecb_init(vm, &b);
    int n = 0;
    for (gv_frame *f = vm->cur ? vm->cur->frame : NULL; f && n < 64; f = f->prev, n++) {
        int32_t line = 0, col = 0;
        if (f->node) gv_node_pos(f->node, &line, &col);
        gv_val name;
        if (f->fn.t == GV_FN) {
            gv_fn *fn = GV_AS(gv_fn, f->fn);
            char buf[300];
            const char *nsn = fn->ns ? fn->ns->name->name->data : "user";
            const char *fnn = fn->name.t == GV_SYMBOL ? GV_AS(gv_symbol, fn->name)->name->data : "fn";
            snprintf(buf, sizeof buf, "%s/%s", nsn, fnn);
            name = gv_cstr(vm, buf);
        } else if (f->fn.t == GV_NATIVE) {
            name = gv_objval(GV_AS(gv_native, f->fn)->name);
        } else {
            name = gv_cstr(vm, "eval");
        }
        gv_val *ns = gv_push(vm, name);
        gv_val item[5] = {*ns, gv_cstr(vm, f->file ? f->file : "NO_SOURCE_PATH"), gv_l(line),
                          gv_l(col), gv_b(f->fn.t == GV_NATIVE)};
        gv_vecb_add(vm, &b, gv_vec_from(vm, 5, item));
    }
    return gv_vecb_done(vm, &b);
}

_Noreturn void gv_throw(gv_vm *vm, gv_val exc) {
    gv_proc *p = vm->cur;
    if (!p || !p->handlers) {
        /* No process runs: a bug in grove's own start-up, not user code. */
        char *r = gv_exception_report(vm, exc);
        fprintf(stderr, "grove: exception outside any evaluation:\n%s\n", r ? r : "?");
        free(r);
        abort();
    }
    if (exc.t != GV_EXCEPTION) {
        exc = gv_exception_new(vm, "ClassCastException",
                               gv_cstr(vm, "class cannot be cast to class java.lang.Throwable"),
                               GV_NILV, GV_NILV);
    }
    gv_exception *e = GV_AS(gv_exception, exc);
    if (e->trace.t == GV_NIL) {
        gv_val *slot = gv_push(vm, exc);
        gv_gc_inhibit(vm);
        gv_val t = capture_trace(vm);
        gv_gc_allow(vm);
        GV_AS(gv_exception, *slot)->trace = t;
        exc = *slot;
    }
    gv_handler *h = p->handlers;
    p->handlers = h->prev;
    p->sp = h->sp;
    p->frame = h->frame;
    p->inhibit = h->inhibit;
    p->depth = h->depth;
    p->out = h->out;
    h->exc = exc;
    longjmp(h->jb, 1);
}

void gv_throwf(gv_vm *vm, const char *cls, const char *fmt, ...) {
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gv_throw(vm, gv_exception_new(vm, cls, gv_cstr(vm, msg), GV_NILV, GV_NILV));
}

void gv_throw_arity(gv_vm *vm, int argc, const char *name) {
    gv_throwf(vm, "clojure.lang.ArityException", "Wrong number of args (%d) passed to: %s",
              argc, name);
}

void gv_try_push(gv_vm *vm, gv_handler *h) {
    gv_proc *p = vm->cur;
    h->prev = p->handlers;
    h->sp = p->sp;
    h->frame = p->frame;
    h->inhibit = p->inhibit;
    h->depth = p->depth;
    h->out = p->out;
    h->exc = GV_NILV;
    p->handlers = h;
}

void gv_try_end(gv_vm *vm, gv_handler *h) { vm->cur->handlers = h->prev; }

/* Owner: the caller frees the returned string. */
char *gv_exception_report(gv_vm *vm, gv_val exc) {
    gv_buf b;
    gv_buf_init(&b);
    if (exc.t != GV_EXCEPTION) {
        gv_buf_puts(&b, "Execution error: a non-exception was thrown");
        return gv_buf_take(&b);
    }
    gv_exception *e = GV_AS(gv_exception, exc);
    const char *cls = e->cls->name->data;
    const char *shortcls = strrchr(cls, '.') ? strrchr(cls, '.') + 1 : cls;
    const char *dollar = strrchr(shortcls, '$');
    if (dollar) shortcls = dollar + 1;
    gv_val loc_file = GV_NILV;
    int64_t line = 0, col = 0;
    const char *where = NULL;
    if (gv_is_map(e->data)) {
        loc_file = gv_map_get(vm, e->data, gv_kw(vm, "clojure.error/source"), GV_NILV);
        gv_val l = gv_map_get(vm, e->data, gv_kw(vm, "clojure.error/line"), GV_NILV);
        gv_val c = gv_map_get(vm, e->data, gv_kw(vm, "clojure.error/column"), GV_NILV);
        if (l.t == GV_LONG) line = l.as.i;
        if (c.t == GV_LONG) col = c.as.i;
    }
    bool reading = strcmp(cls, "clojure.lang.LispReader$ReaderException") == 0;
    bool syntax = reading || strcmp(cls, "clojure.lang.Compiler$CompilerException") == 0;
    if (syntax && loc_file.t == GV_STRING) {
        gv_buf_printf(&b, "Syntax error %s at (%s:%lld:%lld).\n",
                      reading ? "reading source" : "compiling",
                      GV_AS(gv_string, loc_file)->data, (long long)line, (long long)col);
    } else {
        gv_val top = e->trace.t == GV_VECTOR && gv_vec_count(e->trace)
                         ? gv_vec_nth(e->trace, 0) : GV_NILV;
        /* report the innermost frame that ran grove code, not a native */
        for (int64_t i = 0; e->trace.t == GV_VECTOR && i < gv_vec_count(e->trace); i++) {
            gv_val fr = gv_vec_nth(e->trace, i);
            if (!gv_truthy(gv_vec_nth(fr, 4))) { top = fr; break; }
        }
        if (top.t == GV_VECTOR) {
            where = GV_AS(gv_string, gv_vec_nth(top, 0))->data;
            gv_buf_printf(&b, "Execution error (%s) at %s (%s:%lld:%lld).\n", shortcls, where,
                          GV_AS(gv_string, gv_vec_nth(top, 1))->data,
                          (long long)gv_vec_nth(top, 2).as.i, (long long)gv_vec_nth(top, 3).as.i);
        } else {
            gv_buf_printf(&b, "Execution error (%s).\n", shortcls);
        }
    }
    if (e->msg.t == GV_STRING) {
        const char *m = GV_AS(gv_string, e->msg)->data;
        /* reader messages start with "FILE:L:C: ", already in the header */
        if (syntax && loc_file.t == GV_STRING) {
            char pre[1200];
            snprintf(pre, sizeof pre, "%s:%lld:%lld: ", GV_AS(gv_string, loc_file)->data,
                     (long long)line, (long long)col);
            if (strncmp(m, pre, strlen(pre)) == 0) m += strlen(pre);
        }
        gv_buf_puts(&b, m);
    } else gv_buf_puts(&b, "null");
    gv_buf_putc(&b, '\n');
    if (e->data.t != GV_NIL && !syntax) {
        gv_print_opts o = {true, 20, 5};
        gv_val err;
        gv_ref *keep = gv_ref_new(vm, exc); /* printing may collect E */
        char *d = gv_print_str(vm, e->data, &o, &err);
        gv_ref_free(vm, &keep);
        if (d) { gv_buf_printf(&b, "Data: %s\n", d); free(d); }
    }
    if (e->trace.t == GV_VECTOR && gv_vec_count(e->trace)) {
        gv_buf_puts(&b, "\ngrove stack trace:\n");
        for (int64_t i = 0; i < gv_vec_count(e->trace); i++) {
            gv_val fr = gv_vec_nth(e->trace, i);
            gv_buf_printf(&b, "  %s (%s:%lld:%lld)\n", GV_AS(gv_string, gv_vec_nth(fr, 0))->data,
                          GV_AS(gv_string, gv_vec_nth(fr, 1))->data,
                          (long long)gv_vec_nth(fr, 2).as.i, (long long)gv_vec_nth(fr, 3).as.i);
        }
    }
    if (e->cause.t == GV_EXCEPTION) {
        char *c = gv_exception_report(vm, e->cause);
        gv_buf_puts(&b, "Caused by: ");
        gv_buf_puts(&b, c);
        free(c);
    }
    return gv_buf_take(&b);
}
