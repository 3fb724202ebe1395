/* test_reader.c — unit tests of the reader (reader.c).
 *
 * Every reader macro, number and token form, string and character
 * escapes, exact positions (nested forms through on_form, lists' own
 * position, after multi-byte UTF-8, CRLF, lone CR and tabs), syntax-quote
 * expansions and errors (message, class, position prefix, no crash).
 * Expected texts were produced by real Clojure 1.11, e.g.
 *   clojure -M -e "(prn (quote \`(a b# ~c ~@d)))"
 * with gensym numbers normalized (G1, G2, ... in order of appearance).
 *
 * Values are printed by a small printer of this file (Clojure's pr
 * format), so the tests do not depend on printer.c.  Everything runs
 * inside gv_pcall so that gv_push and gv_try have a process.  A last
 * pass reads random and mutated inputs (nothing may crash) and reads with
 * the GC collecting inside on_form callbacks (rooting).
 *
 * Prints "test_reader: N passed, M failed"; exit status 1 on failure.
 */
#include "vm.h"

#include <inttypes.h>
#include <math.h>

static int npass, nfail;

static void result(bool ok, int line, const char *src, const char *want, const char *got) {
    if (ok) {
        npass++;
        return;
    }
    nfail++;
    if (nfail <= 60)
        fprintf(stderr, "test_reader.c:%d: FAIL\n  src:  %s\n  want: %s\n  got:  %s\n", line, src,
                want, got ? got : "(null)");
}

/* ---- a printer in Clojure's pr format ---------------------------------- */

static void tpr(gv_vm *vm, gv_buf *b, gv_val v, bool meta);

typedef struct pctx {
    gv_buf *b;
    bool first;
    bool meta;
} pctx;

static bool pr_entry(gv_vm *vm, gv_val k, gv_val v, void *ctx) {
    pctx *p = ctx;
    if (!p->first) gv_buf_puts(p->b, ", ");
    p->first = false;
    tpr(vm, p->b, k, p->meta);
    gv_buf_putc(p->b, ' ');
    tpr(vm, p->b, v, p->meta);
    return true;
}

static bool pr_elem(gv_vm *vm, gv_val x, void *ctx) {
    pctx *p = ctx;
    if (!p->first) gv_buf_putc(p->b, ' ');
    p->first = false;
    tpr(vm, p->b, x, p->meta);
    return true;
}

/* Java's Double.toString, as Clojure prints doubles. */
static void pr_double(gv_buf *b, double d) {
    if (isnan(d)) { gv_buf_puts(b, "##NaN"); return; }
    if (isinf(d)) { gv_buf_puts(b, d > 0 ? "##Inf" : "##-Inf"); return; }
    char t[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*e", prec - 1, d);
        if (strtod(t, NULL) == d) break;
    }
    /* t is d.ddde[+-]XX: mantissa digits and exponent */
    char digits[32];
    int nd = 0;
    const char *p = t;
    bool neg = *p == '-';
    if (neg) p++;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9') digits[nd++] = *p;
    int exp = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    if (neg) gv_buf_putc(b, '-');
    double a = fabs(d);
    if (a == 0) {
        gv_buf_puts(b, "0.0");
    } else if (a >= 1e-3 && a < 1e7) {
        if (exp >= 0) {
            for (int i = 0; i <= exp; i++) gv_buf_putc(b, i < nd ? digits[i] : '0');
            gv_buf_putc(b, '.');
            if (nd > exp + 1) gv_buf_put(b, digits + exp + 1, (size_t)(nd - exp - 1));
            else gv_buf_putc(b, '0');
        } else {
            gv_buf_puts(b, "0.");
            for (int i = 0; i < -exp - 1; i++) gv_buf_putc(b, '0');
            gv_buf_put(b, digits, (size_t)nd);
        }
    } else {
        gv_buf_putc(b, digits[0]);
        gv_buf_putc(b, '.');
        if (nd > 1) gv_buf_put(b, digits + 1, (size_t)(nd - 1));
        else gv_buf_putc(b, '0');
        gv_buf_printf(b, "E%d", exp);
    }
}

static void pr_char(gv_buf *b, int32_t c) {
    gv_buf_putc(b, '\\');
    switch (c) {
    case '\n': gv_buf_puts(b, "newline"); break;
    case ' ': gv_buf_puts(b, "space"); break;
    case '\t': gv_buf_puts(b, "tab"); break;
    case '\b': gv_buf_puts(b, "backspace"); break;
    case '\f': gv_buf_puts(b, "formfeed"); break;
    case '\r': gv_buf_puts(b, "return"); break;
    default: gv_buf_put_utf8(b, c);
    }
}

static void pr_string(gv_buf *b, const gv_string *s) {
    gv_buf_putc(b, '"');
    for (uint32_t i = 0; i < s->len; i++) {
        char c = s->data[i];
        switch (c) {
        case '"': gv_buf_puts(b, "\\\""); break;
        case '\\': gv_buf_puts(b, "\\\\"); break;
        case '\n': gv_buf_puts(b, "\\n"); break;
        case '\t': gv_buf_puts(b, "\\t"); break;
        case '\r': gv_buf_puts(b, "\\r"); break;
        case '\f': gv_buf_puts(b, "\\f"); break;
        case '\b': gv_buf_puts(b, "\\b"); break;
        case 0: gv_buf_puts(b, "\\u0000"); break;
        default: gv_buf_putc(b, c);
        }
    }
    gv_buf_putc(b, '"');
}

static void pr_sym(gv_buf *b, const gv_symbol *s) {
    if (s->ns) {
        gv_buf_put(b, s->ns->data, s->ns->len);
        gv_buf_putc(b, '/');
    }
    gv_buf_put(b, s->name->data, s->name->len);
}

/* Prints V; with META, metadata as ^{...} before the value. */
static void tpr(gv_vm *vm, gv_buf *b, gv_val v, bool meta) {
    if (meta) {
        gv_val m = gv_meta(v);
        if (gv_is_map(m) && gv_map_count(m)) {
            gv_buf_putc(b, '^');
            tpr(vm, b, m, true);
            gv_buf_putc(b, ' ');
        }
    }
    pctx p = {b, true, meta};
    switch (v.t) {
    case GV_NIL: gv_buf_puts(b, "nil"); break;
    case GV_BOOL: gv_buf_puts(b, v.as.b ? "true" : "false"); break;
    case GV_LONG: gv_buf_printf(b, "%" PRId64, v.as.i); break;
    case GV_DOUBLE: pr_double(b, v.as.d); break;
    case GV_CHAR: pr_char(b, v.as.c); break;
    case GV_STRING: pr_string(b, GV_AS(gv_string, v)); break;
    case GV_SYMBOL: pr_sym(b, GV_AS(gv_symbol, v)); break;
    case GV_KEYWORD:
        gv_buf_putc(b, ':');
        pr_sym(b, GV_AS(gv_keyword, v)->sym);
        break;
    case GV_LIST:
        gv_buf_putc(b, '(');
        for (gv_val s = v; GV_AS(gv_list, s)->count; s = GV_AS(gv_list, s)->rest)
            pr_elem(vm, GV_AS(gv_list, s)->first, &p);
        gv_buf_putc(b, ')');
        break;
    case GV_VECTOR:
        gv_buf_putc(b, '[');
        for (int64_t i = 0; i < gv_vec_count(v); i++) pr_elem(vm, gv_vec_nth(v, i), &p);
        gv_buf_putc(b, ']');
        break;
    case GV_ARRAYMAP:
    case GV_HASHMAP:
        gv_buf_putc(b, '{');
        gv_map_each(vm, v, pr_entry, &p);
        gv_buf_putc(b, '}');
        break;
    case GV_SET:
        gv_buf_puts(b, "#{");
        gv_set_each(vm, v, pr_elem, &p);
        gv_buf_putc(b, '}');
        break;
    case GV_REGEX:
        gv_buf_puts(b, "#\"");
        gv_buf_put(b, GV_AS(gv_regex, v)->source->data, GV_AS(gv_regex, v)->source->len);
        gv_buf_putc(b, '"');
        break;
    default: gv_buf_printf(b, "#<type %d>", (int)v.t); break;
    }
}

/* Replaces the digits of every "__<digits>" by G1, G2, ... in order of
 * first appearance (gensym numbers differ between runs and from Clojure). */
static char *normalize(const char *s) {
    gv_buf out;
    gv_buf_init(&out);
    char seen[64][24];
    int nseen = 0;
    while (*s) {
        if (s[0] == '_' && s[1] == '_' && s[2] >= '0' && s[2] <= '9') {
            const char *d = s + 2, *e = d;
            while (*e >= '0' && *e <= '9') e++;
            char num[24];
            snprintf(num, sizeof num, "%.*s", (int)(e - d) > 20 ? 20 : (int)(e - d), d);
            int k = 0;
            while (k < nseen && strcmp(seen[k], num) != 0) k++;
            if (k == nseen && nseen < 64) strcpy(seen[nseen++], num);
            gv_buf_printf(&out, "__G%d", k + 1);
            s = e;
            continue;
        }
        gv_buf_putc(&out, *s++);
    }
    return gv_buf_take(&out);
}

/* ---- reading helpers -------------------------------------------------- */

typedef struct rres {
    bool ok;
    char *text;     /* forms printed, space-separated; or the error message */
    char *cls;      /* error class */
    char *forms;    /* on_form records, one per line */
    gv_pos pos;     /* position of the last form read */
    int nforms;
} rres;

typedef struct rec_ctx {
    gv_vm *vm;
    gv_buf *b;
    bool collect;   /* run a full collection inside the callback */
} rec_ctx;

static void on_form(void *ctx, gv_val form, const gv_pos *pos, int depth) {
    rec_ctx *rc = ctx;
    if (rc->collect) gv_gc_collect(rc->vm);
    gv_buf_printf(rc->b, "%d %d:%d %" PRId64 "-%" PRId64 " ", depth, pos->line, pos->col,
                  pos->start, pos->end);
    tpr(rc->vm, rc->b, form, false);
    gv_buf_putc(rc->b, '\n');
}

/* Reads every form of SRC (as FILE from LINE:COL). */
static rres read_all(gv_vm *vm, const char *src, size_t len, const char *file, int line, int col,
                     bool meta, bool collect) {
    rres res = {0};
    gv_buf out, forms;
    gv_buf_init(&out);
    gv_buf_init(&forms);
    gv_reader r;
    gv_reader_init(&r, src, len, file, line, col);
    rec_ctx rc = {vm, &forms, collect};
    r.on_form = on_form;
    r.ctx = &rc;
    gv_handler h;
    volatile int n = 0;
    if (gv_try(vm, &h) == 0) {
        gv_val v;
        gv_pos p;
        while (gv_reader_read(vm, &r, &v, &p)) {
            if (n++) gv_buf_putc(&out, ' ');
            tpr(vm, &out, v, meta);
            res.pos = p;
        }
        gv_try_end(vm, &h);
        res.ok = true;
        res.text = normalize(out.p ? out.p : "");
    } else {
        gv_exception *e = GV_AS(gv_exception, h.exc);
        res.ok = false;
        res.text = strdup(e->msg.t == GV_STRING ? GV_AS(gv_string, e->msg)->data : "");
        res.cls = strdup(e->cls->name->data);
    }
    res.nforms = n;
    res.forms = normalize(forms.p ? forms.p : "");
    gv_buf_free(&out);
    gv_buf_free(&forms);
    return res;
}

static void rres_free(rres *r) {
    free(r->text);
    free(r->cls);
    free(r->forms);
}

static gv_vm *tvm;

#define RD(src, want) rd_ok(__LINE__, src, want, false)
#define RDM(src, want) rd_ok(__LINE__, src, want, true)
static void rd_ok(int line, const char *src, const char *want, bool meta) {
    rres r = read_all(tvm, src, strlen(src), NULL, 1, 1, meta, false);
    bool ok = r.ok && strcmp(r.text, want) == 0;
    char *got = r.ok ? strdup(r.text) : NULL;
    if (!r.ok) {
        size_t n = strlen(r.text) + strlen(r.cls) + 16;
        got = malloc(n);
        snprintf(got, n, "ERROR %s: %s", r.cls, r.text);
    }
    result(ok, line, src, want, got);
    free(got);
    rres_free(&r);
}

/* Expects a reader error of class CLS whose message contains WANT. */
#define ERRC(src, cls, want) rd_err(__LINE__, src, strlen(src), cls, want)
#define ERR(src, want) rd_err(__LINE__, src, strlen(src), "clojure.lang.LispReader$ReaderException", want)
static void rd_err(int line, const char *src, size_t len, const char *cls, const char *want) {
    rres r = read_all(tvm, src, len, NULL, 1, 1, false, false);
    bool ok = !r.ok && strstr(r.text, want) && strcmp(r.cls, cls) == 0;
    char got[600];
    snprintf(got, sizeof got, "%s %s: %.500s", r.ok ? "OK" : "ERROR", r.cls ? r.cls : "", r.text);
    result(ok, line, len < 200 ? src : "(long input)", want, got);
    rres_free(&r);
}

/* Expects the on_form records of reading SRC to be WANT. */
#define FORMS(src, want) rd_forms(__LINE__, src, want, 1, 1)
static void rd_forms(int line, const char *src, const char *want, int l0, int c0) {
    rres r = read_all(tvm, src, strlen(src), NULL, l0, c0, false, false);
    bool ok = r.ok && strcmp(r.forms, want) == 0;
    result(ok, line, src, want, r.ok ? r.forms : r.text);
    rres_free(&r);
}

#define CHECK(cond) result((cond), __LINE__, #cond, "true", "false")

/* Reads the first form of SRC; NULL-typed nil on error. */
static gv_val read1(gv_vm *vm, const char *src, gv_pos *pos) {
    gv_reader r;
    gv_reader_init(&r, src, strlen(src), "t.clj", 1, 1);
    gv_handler h;
    gv_val v = GV_NILV;
    if (gv_try(vm, &h) == 0) {
        if (!gv_reader_read(vm, &r, &v, pos)) v = GV_NILV;
        gv_try_end(vm, &h);
    }
    return v;
}

/* The exception thrown by reading SRC, or nil if none. */
static gv_val read_exc(gv_vm *vm, const char *src, const char *file) {
    gv_reader r;
    gv_reader_init(&r, src, strlen(src), file, 1, 1);
    gv_handler h;
    if (gv_try(vm, &h) == 0) {
        gv_val f;
        while (gv_reader_read(vm, &r, &f, NULL)) {}
        gv_try_end(vm, &h);
        return GV_NILV;
    }
    return h.exc;
}

/* ---- the tests ---------------------------------------------------------------- */

static void test_numbers(void) {
    RD("1 -2 +3 0 -0 +0 0N", "1 -2 3 0 0 0 0");
    RD("0xFF 0XfF -0x10 0x7fffffffffffffff", "255 255 -16 9223372036854775807");
    RD("017 -017 00 2r1010 36rZZ 8r17 16rff -2r11 10R99", "15 -15 0 10 1295 15 255 -3 99");
    RD("123N 0xFFN 017N", "123 255 15");
    RD("9223372036854775807 -9223372036854775808", "9223372036854775807 -9223372036854775808");
    RD("1.5 1e3 1.5e-3 -2.0 1. 1E+2 +1.5 08.5 08e1 0.0 -0.0", "1.5 1000.0 0.0015 -2.0 1.0 100.0 1.5 8.5 80.0 0.0 -0.0");
    RD("1.5M 1M -3.25M", "1.5 1.0 -3.25");
    RD("##Inf ##-Inf ##NaN", "##Inf ##-Inf ##NaN");
    RD("4/2 -6/3 0/5", "2 -2 0");
    RD("1e400", "##Inf");
    RD("[1 2]3", "[1 2] 3");
    RD("(1)2", "(1) 2");
    RD("1'a", "1 (quote a)");
    ERR("1/2", "Ratio literals are not supported: 1/2");
    ERR("1/0", "Divide by zero");
    ERR("1.2.3", "Invalid number: 1.2.3");
    ERR("08", "Invalid number: 08");
    ERR("09N", "Invalid number: 09N");
    ERR("0x", "Invalid number: 0x");
    ERR("1e", "Invalid number: 1e");
    ERR("1a", "Invalid number: 1a");
    ERR("-1x", "Invalid number: -1x");
    ERR("2r102", "Invalid number: 2r102");
    ERR("2r1N", "Invalid number: 2r1N");
    ERR("1r0", "Radix out of range");
    ERR("37r1", "Radix out of range");
    ERR("99999999999999999999", "Integer literal out of range");
    ERR("9223372036854775808", "Integer literal out of range");
    ERR("-9223372036854775809", "Integer literal out of range");
    ERR("0x10000000000000000", "Integer literal out of range");
    ERR("100000000000000000000N", "Integer literal out of range");
    ERR("1/2/3", "Invalid number: 1/2/3");
}

static void test_symbols(void) {
    RD("a ns/name / clojure.core// a/b/c a//b", "a ns/name / clojure.core// a/b/c a//b");
    RD("nil true false nil? true1", "nil true false nil? true1");
    RD(":a :ns/a :1 :1/a :/ :a:b a:b", ":a :ns/a :1 :1/a :/ :a:b a:b");
    RD("a#b a'b a%b -a + - -.5 .x x. ->> <=", "a#b a'b a%b -a + - -.5 .x x. ->> <=");
    RD("% %1 %& %foo", "% %1 %& %foo");
    RD("é日本 :ü", "é日本 :ü");
    RD("::a ::b/c.d", ":user/a :clojure.string/c.d");
    ERR("::", "Invalid token: ::");
    ERR(":", "Invalid token: :");
    ERR("a:", "Invalid token: a:");
    ERR("a/", "Invalid token: a/");
    ERR("/a", "Invalid token: /a");
    ERR("a::b", "Invalid token: a::b");
    ERR(":::a", "Invalid token: :::a");
    ERR("a/1", "Invalid token: a/1");
    ERR("a:/b", "Invalid token: a:/b");
    ERR("::nope/b", "Invalid token: ::nope/b");
    ERR("::clojure.core/foo", "Invalid token: ::clojure.core/foo");
    /* namespace and name parts */
    gv_val v = read1(tvm, "a/b/c", NULL);
    CHECK(v.t == GV_SYMBOL && strcmp(GV_AS(gv_symbol, v)->ns->data, "a") == 0 &&
          strcmp(GV_AS(gv_symbol, v)->name->data, "b/c") == 0);
    v = read1(tvm, "clojure.core//", NULL);
    CHECK(v.t == GV_SYMBOL && strcmp(GV_AS(gv_symbol, v)->ns->data, "clojure.core") == 0 &&
          strcmp(GV_AS(gv_symbol, v)->name->data, "/") == 0);
    v = read1(tvm, "/", NULL);
    CHECK(v.t == GV_SYMBOL && !GV_AS(gv_symbol, v)->ns);
    v = read1(tvm, "foo", NULL);
    CHECK(v.t == GV_SYMBOL && GV_AS(gv_symbol, v) == gv_sym(tvm, "foo"));
    v = read1(tvm, ":ns/k", NULL);
    CHECK(v.t == GV_KEYWORD && GV_AS(gv_keyword, v) == GV_AS(gv_keyword, gv_kw(tvm, "ns/k")));
}

static void test_strings_chars(void) {
    RD("\"abc\" \"\"", "\"abc\" \"\"");
    RD("\"a\\nb\\tc\\rd\\be\\ff\\\"g\\\\h\"", "\"a\\nb\\tc\\rd\\be\\ff\\\"g\\\\h\"");
    RD("\"\\u00e9\\u0041\\101\\7\\0 x\"", "\"éAA\a\\u0000 x\"");
    RD("\"\\uD83D\\uDE00\"", "\"😀\"");
    RD("\"\\uD83D\"", "\"\xEF\xBF\xBD\"");
    RD("\"\\uDE00x\"", "\"\xEF\xBF\xBDx\"");
    RD("\"日本 ü\"", "\"日本 ü\"");
    RD("\"multi\nline\"", "\"multi\\nline\"");
    RD("\"bad \xff byte\"", "\"bad \xEF\xBF\xBD byte\"");
    RD("\\a \\newline \\space \\tab \\backspace \\formfeed \\return", "\\a \\newline \\space \\tab \\backspace \\formfeed \\return");
    RD("\\u0041 \\o101 \\o7 \\é \\( \\\\ \\u \\o \\\" \\; \\日", "\\A \\A \\\a \\é \\( \\\\ \\u \\o \\\" \\; \\日");
    RD("\\😀", "\\😀");
    RD("[\\a\\b]", "[\\a \\b]");
    RD("\\ ", "\\space");
    ERR("\"abc", "EOF while reading string");
    ERR("\"abc\\", "EOF while reading string");
    ERR("\"\\q\"", "Unsupported escape character: \\q");
    ERR("\"\\u12\"", "Invalid character length: 2, should be: 4");
    ERR("\"\\uzzzz\"", "Invalid unicode escape: \\uz");
    ERR("\"\\8\"", "Invalid digit: 8");
    ERR("\"\\1a\"", "Invalid digit: a");
    ERR("\"\\400\"", "Octal escape sequence must be in range [0, 377].");
    ERR("\\", "EOF while reading character");
    ERR("\\foo", "Unsupported character: \\foo");
    ERR("\\(abc", "Unsupported character: \\(abc");
    ERR("\\o400", "Octal escape sequence must be in range [0, 377].");
    ERR("\\o1234", "Invalid octal escape sequence length: 4");
    ERR("\\o8", "Invalid digit: 8");
    ERR("\\u12", "Invalid unicode character: \\u12");
    ERR("\\uD800", "Invalid character constant: \\ud800");
    ERR("\\uzzzz", "Invalid digit: z");
    RD("#\"a\\\"b\\d+\"", "#\"a\\\"b\\d+\"");
    RD("#\"\"", "#\"\"");
    ERR("#\"abc", "EOF while reading regex");
    ERR("#\"(a\"", "Unclosed group");
}

static void test_collections(void) {
    RD("(1 (2 [3 {:a 4}]) ())", "(1 (2 [3 {:a 4}]) ())");
    RD("[] {} #{} ()", "[] {} #{} ()");
    RD("{:a 1, :b 2,,, :c 3}", "{:a 1, :b 2, :c 3}");
    RD("#{:a} #{[1 2]}", "#{:a} #{[1 2]}");
    RD("{1 1 2 2 3 3 4 4 5 5 6 6 7 7 8 8}", "{1 1, 2 2, 3 3, 4 4, 5 5, 6 6, 7 7, 8 8}");
    RD("{1 :a 1.0 :b}", "{1 :a, 1.0 :b}");
    RD("1 ; comment\n 2,3 #!shebang\n 4 ;; end", "1 2 3 4");
    RD("(a;c\nb)", "(a b)");
    RD("\xEF\xBB\xBF(bom)", "(bom)");
    RD("  ; nothing\n #_ x ", "");
    RD("a\xe2\x80\x83" "b", "a b"); /* U+2003 EM SPACE separates */
    RD("a\xc2\xa0" "b", "a\xc2\xa0" "b"); /* U+00A0 does not (as in Java) */
    ERRC("{:a 1 :a 2}", "IllegalArgumentException", "Duplicate key: :a");
    ERRC("{\"a\" 1 \"a\" 2}", "IllegalArgumentException", "Duplicate key: a");
    ERRC("{nil 1 nil 2}", "IllegalArgumentException", "Duplicate key: null");
    ERRC("{1 1 2 2 3 3 4 4 5 5 6 6 7 7 8 8 9 9 1 2}", "IllegalArgumentException", "Duplicate key: 1");
    ERRC("#{1 1}", "IllegalArgumentException", "Duplicate key: 1");
    ERRC("#{[1] [1]}", "IllegalArgumentException", "Duplicate key: [1]");
    ERR("{:a}", "Map literal must contain an even number of forms");
    ERR("(a b", "EOF while reading, starting at line 1");
    ERR("\n\n  (a", "EOF while reading, starting at line 3");
    ERR("[1 2", "EOF while reading, starting at line 1");
    ERR("{1 2", "EOF while reading, starting at line 1");
    ERR("#{1", "EOF while reading, starting at line 1");
    ERR(")", "Unmatched delimiter: )");
    ERR("(]", "Unmatched delimiter: ]");
    ERR("[}", "Unmatched delimiter: }");
    ERR("(a))", "Unmatched delimiter: )");
}

static void test_macros(void) {
    RD("'x '(a b) @x #'x ~x ~@x", "(quote x) (quote (a b)) (clojure.core/deref x) (var x) "
                                    "(clojure.core/unquote x) (clojure.core/unquote-splicing x)");
    RD("''x", "(quote (quote x))");
    RD("#_ 1 2 #_ #_ 3 4 5 (a #_b c) [#_ #_ x y] #_#_ 6 7", "2 5 (a c) []");
    RD("(a #_ #?(:clj b) c)", "(a c)");
    ERR("#_", "EOF while reading");
    ERR("(a #_)", "Unmatched delimiter: )");
    ERR("'", "EOF while reading");
    ERR("@", "EOF while reading");
    ERR("~", "EOF while reading character");
    ERR("#'", "EOF while reading");
    ERR("(')", "Unmatched delimiter: )");
    /* metadata */
    RDM("^:a x", "^{:a true} x");
    RDM("^String x", "^{:tag String} x");
    RDM("^\"s\" x", "^{:tag \"s\"} x");
    RDM("^{:k 1} [1]", "^{:k 1} [1]");
    RDM("^:a ^:b x", "^{:b true, :a true} x");
    RDM("#^:a x", "^{:a true} x");
    RDM("^{:a 1} ^{:a 2 :b 3} x", "^{:a 1, :b 3} x");
    RDM("^:m (a b) ^:m {} ^:m #{} ^:m ()", "^{:m true} (a b) ^{:m true} {} ^{:m true} #{} ^{:m true} ()");
    RDM("[^:a b]", "[^{:a true} b]");
    RDM("^:a #_x y", "^{:a true} y");
    ERR("^1 x", "Metadata must be Symbol,Keyword,String or Map");
    ERR("^:a 1", "Metadata can only be applied to IMetas");
    ERR("^:a \"s\"", "Metadata can only be applied to IMetas");
    ERR("^:a", "EOF while reading");
    /* a symbol with metadata is still the same symbol */
    gv_val v = read1(tvm, "^:a foo", NULL);
    CHECK(v.t == GV_SYMBOL && gv_sym_eq(GV_AS(gv_symbol, v), gv_sym(tvm, "foo")));
    /* #() */
    RD("#(+ % %2)", "(fn* [p1__G1# p2__G2#] (+ p1__G1# p2__G2#))");
    RD("#(+ % %1)", "(fn* [p1__G1#] (+ p1__G1# p1__G1#))");
    RD("#(list % %3 %&)", "(fn* [p1__G1# p2__G2# p3__G3# & rest__G4#] (list p1__G1# p3__G3# rest__G4#))");
    RD("#(vector %1 %&)", "(fn* [p1__G1# & rest__G2#] (vector p1__G1# rest__G2#))");
    RD("#()", "(fn* [] ())");
    RD("#(%)", "(fn* [p1__G1#] (p1__G1#))");
    RD("#(%&)", "(fn* [& rest__G1#] (rest__G1#))");
    RD("#(%2)", "(fn* [p1__G1# p2__G2#] (p2__G2#))");
    RD("#(do #_%3 %1)", "(fn* [p1__G1# p2__G2# p3__G3#] (do p1__G1#))");
    RD("#(f [%] {:a %})", "(fn* [p1__G1#] (f [p1__G1#] {:a p1__G1#}))");
    RD("[#(a) #(b %)]", "[(fn* [] (a)) (fn* [p1__G1#] (b p1__G1#))]");
    ERR("#(#(%))", "Nested #()s are not allowed");
    ERR("#(%a)", "arg literal must be %, %& or %integer");
    ERR("#(%'x)", "arg literal must be %, %& or %integer");
    ERR("#(%21)", "Can't specify more than 20 params");
    ERR("#(a", "EOF while reading, starting at line 1");
    /* dispatch errors */
    ERR("#foo 1", "No reader function for tag foo");
    ERR("#inst \"2020\"", "No reader function for tag inst");
    ERR("#%", "No dispatch macro for: %");
    ERR("# x", "No dispatch macro for:  ");
    ERR("#", "EOF while reading character");
    ERR("#<foo>", "Unreadable form");
    ERR("#=(+ 1 2)", "EvalReader");
    ERR("#1 x", "No dispatch macro for: 1");
    ERR("#nil x", "Reader tag must be a symbol");
    ERR("##foo", "Unknown symbolic value: ##foo");
    ERR("##1", "Invalid token: ##1");
    ERR("##", "EOF while reading");
}

static void test_cond_nsmap(void) {
    RD("#?(:clj 1 :cljs 2)", "1");
    RD("#?(:cljs 2 :clj 1)", "1");
    RD("#?(:cljs 1)", "");
    RD("[#?(:cljs 1) 2]", "[2]");
    RD("(a #?@(:clj [b c]) d)", "(a b c d)");
    RD("(a #?@(:clj (b c)) d)", "(a b c d)");
    RD("[#?@(:cljs [x]) y]", "[y]");
    RD("#?(:grove g :clj c)", "g");
    RD("#?(:clj c :grove g)", "g");
    RD("#?(:default d)", "d");
    RD("#?(:clj c :default d)", "c");
    RD("#?(:cljs 1 :default d)", "d");
    RD("#? (:clj 1)", "1");
    RD("#?(:cljs #js {} :clj 1)", "1");
    RD("#?(:cljs ::foo/bar :clj 2)", "2");
    RD("#?(:clj #_x 1)", "1");
    RD("{#?(:clj :a) 1}", "{:a 1}");
    ERR("#?(:clj)", "read-cond requires an even number of forms.");
    ERR("#?[:clj 1]", "read-cond body must be a list");
    ERR("#?(1 2)", "Feature should be a keyword: 1");
    ERR("#?(:else 2)", "Feature name :else is reserved.");
    ERR("#?@(:clj [1 2])", "Reader conditional splicing not allowed at the top level.");
    ERR("(#?@(:clj 1))", "Spliced form list in read-conditional must implement java.util.List");
    ERR("#?(:clj 1", "EOF while reading");
    ERR("#?", "EOF while reading character");
    RD("#:foo{:a 1 :_/b 2 :c/d 3 e 4 _/f 5 \"s\" 6}", "{:foo/a 1, :b 2, :c/d 3, foo/e 4, f 5, \"s\" 6}");
    RD("#::{:a 1}", "{:user/a 1}");
    RD("#:: {:a 1}", "{:user/a 1}");
    RD("#::s{:a 1}", "{:clojure.string/a 1}");
    RD("#::clojure.core{:a 1}", "{:clojure.core/a 1}");
    RD("#:foo {:a 1}", "{:foo/a 1}");
    ERR("#: foo{}", "Namespaced map must specify a namespace");
    ERR("#:foo[]", "Namespaced map must specify a map");
    ERR("#:{:a 1}", "Namespaced map must specify a valid namespace: null");
    ERR("#:a/b{:x 1}", "Namespaced map must specify a valid namespace: a/b");
    ERR("#::nope{:a 1}", "Unknown auto-resolved namespace alias: nope");
    ERR("#:foo{:a}", "Namespaced map literal must contain an even number of forms");
    ERRC("#:foo{:a 1 :foo/a 2}", "IllegalArgumentException", "Duplicate key: :foo/a");
}

static void test_syntax_quote(void) {
    RD("`(a b# ~c ~@d)",
       "(clojure.core/seq (clojure.core/concat (clojure.core/list (quote user/a)) "
       "(clojure.core/list (quote b__G1__auto__)) (clojure.core/list c) d))");
    RD("`[a ~b]", "(clojure.core/apply clojure.core/vector (clojure.core/seq (clojure.core/concat "
                  "(clojure.core/list (quote user/a)) (clojure.core/list b))))");
    RD("`{:a ~b}", "(clojure.core/apply clojure.core/hash-map (clojure.core/seq (clojure.core/concat "
                   "(clojure.core/list :a) (clojure.core/list b))))");
    RD("`#{a}", "(clojure.core/apply clojure.core/hash-set (clojure.core/seq (clojure.core/concat "
                "(clojure.core/list (quote user/a)))))");
    RD("`()", "(clojure.core/list)");
    RD("`nil `true `false", "(quote nil) (quote true) (quote false)");
    RD("`\"s\" `\\a `:k `1.5 `7 `::k", "\"s\" \\a :k 1.5 7 :user/k");
    RD("`foo. `.bar `a.b `clojure.core/map `s/join `&", "(quote foo.) (quote .bar) (quote a.b) "
       "(quote clojure.core/map) (quote clojure.string/join) (quote &)");
    RD("`+", "(quote clojure.core/+)");
    RD("`(def if do let* fn* quote var recur loop* throw try catch finally new set! . letfn* case*)",
       "(clojure.core/seq (clojure.core/concat (clojure.core/list (quote def)) (clojure.core/list (quote if)) "
       "(clojure.core/list (quote do)) (clojure.core/list (quote let*)) (clojure.core/list (quote fn*)) "
       "(clojure.core/list (quote quote)) (clojure.core/list (quote var)) (clojure.core/list (quote recur)) "
       "(clojure.core/list (quote loop*)) (clojure.core/list (quote throw)) (clojure.core/list (quote try)) "
       "(clojure.core/list (quote catch)) (clojure.core/list (quote finally)) (clojure.core/list (quote new)) "
       "(clojure.core/list (quote set!)) (clojure.core/list (quote .)) (clojure.core/list (quote letfn*)) "
       "(clojure.core/list (quote case*))))");
    /* let, loop, fn, letfn are clojure.core macros, as in Clojure */
    RD("`(let [x# 1] x#)",
       "(clojure.core/seq (clojure.core/concat (clojure.core/list (quote clojure.core/let)) (clojure.core/list "
       "(clojure.core/apply clojure.core/vector (clojure.core/seq (clojure.core/concat (clojure.core/list "
       "(quote x__G1__auto__)) (clojure.core/list 1))))) (clojure.core/list (quote x__G1__auto__))))");
    RD("[`a# `a#]", "[(quote a__G1__auto__) (quote a__G2__auto__)]");
    RD("`^:foo x",
       "(clojure.core/with-meta (quote user/x) (clojure.core/apply clojure.core/hash-map "
       "(clojure.core/seq (clojure.core/concat (clojure.core/list :foo) (clojure.core/list (quote true))))))");
    RD("`^:foo (a)",
       "(clojure.core/with-meta (clojure.core/seq (clojure.core/concat (clojure.core/list (quote user/a)))) "
       "(clojure.core/apply clojure.core/hash-map (clojure.core/seq (clojure.core/concat "
       "(clojure.core/list :foo) (clojure.core/list (quote true))))))");
    RD("`#(+ %)",
       "(clojure.core/seq (clojure.core/concat (clojure.core/list (quote fn*)) (clojure.core/list "
       "(clojure.core/apply clojure.core/vector (clojure.core/seq (clojure.core/concat (clojure.core/list "
       "(quote p1__G1__G2__auto__)))))) (clojure.core/list (clojure.core/seq (clojure.core/concat "
       "(clojure.core/list (quote clojure.core/+)) (clojure.core/list (quote p1__G1__G2__auto__)))))))");
    RD("`(a ~@b . c)",
       "(clojure.core/seq (clojure.core/concat (clojure.core/list (quote user/a)) b "
       "(clojure.core/list (quote .)) (clojure.core/list (quote user/c))))");
    RD("`(a `(b ~c))",
       "(clojure.core/seq (clojure.core/concat (clojure.core/list (quote user/a)) (clojure.core/list "
       "(clojure.core/seq (clojure.core/concat (clojure.core/list (quote clojure.core/seq)) (clojure.core/list "
       "(clojure.core/seq (clojure.core/concat (clojure.core/list (quote clojure.core/concat)) (clojure.core/list "
       "(clojure.core/seq (clojure.core/concat (clojure.core/list (quote clojure.core/list)) (clojure.core/list "
       "(clojure.core/seq (clojure.core/concat (clojure.core/list (quote quote)) (clojure.core/list "
       "(quote user/b)))))))) (clojure.core/list (clojure.core/seq (clojure.core/concat (clojure.core/list "
       "(quote clojure.core/list)) (clojure.core/list (quote user/c)))))))))))))");
    RD("`[~@xs]", "(clojure.core/apply clojure.core/vector (clojure.core/seq (clojure.core/concat xs)))");
    RD("`~x", "x");
    RD("`(~'a)", "(clojure.core/seq (clojure.core/concat (clojure.core/list (quote a))))");
    RD("`#\"r\"", "(quote #\"r\")");
    ERR("`~@a", "splice not in list");
    ERR("`", "EOF while reading");
    {
        gv_buf b;
        gv_buf_init(&b);
        gv_buf_puts(&b, "````[");
        for (int i = 0; i < 2000; i++) gv_buf_puts(&b, "a ");
        gv_buf_puts(&b, "]");
        rd_err(__LINE__, b.p, b.len, "clojure.lang.LispReader$ReaderException",
               "Syntax-quote expansion too large");
        gv_buf_free(&b);
    }
    ERR("`````````x", "Forms nested too deeply");
    ERR("````````````````````````````````````````x", "NO_SOURCE_PATH:1:");
}

static void test_positions(void) {
    FORMS("(a [b c])", "0 1:1 0-9 (a [b c])\n1 1:2 1-2 a\n1 1:4 3-8 [b c]\n2 1:5 4-5 b\n2 1:7 6-7 c\n");
    FORMS("(é \"ü\" x)", "0 1:1 0-11 (é \"ü\" x)\n1 1:2 1-3 é\n1 1:4 4-8 \"ü\"\n1 1:8 9-10 x\n");
    FORMS("(a\r\n b)", "0 1:1 0-7 (a b)\n1 1:2 1-2 a\n1 2:2 5-6 b\n");
    FORMS("a\rb", "0 1:1 0-1 a\n0 2:1 2-3 b\n");
    FORMS("\t(a)", "0 1:2 1-4 (a)\n1 1:3 2-3 a\n");
    FORMS("\"a\nb\" c", "0 1:1 0-5 \"a\\nb\"\n0 2:4 6-7 c\n");
    FORMS("'x", "0 1:1 0-2 (quote x)\n1 1:2 1-2 x\n");
    FORMS("^:a (b)", "0 1:1 0-7 (b)\n1 1:6 5-6 b\n");
    FORMS("[#_ (x) y]", "0 1:1 0-10 [y]\n1 1:9 8-9 y\n");
    FORMS("[#?(:cljs 1 :clj 2) 3]", "0 1:1 0-22 [2 3]\n1 1:18 17-18 2\n1 1:21 20-21 3\n");
    FORMS("[#?@(:clj [a b]) c]", "0 1:1 0-19 [a b c]\n1 1:12 11-12 a\n1 1:14 13-14 b\n1 1:18 17-18 c\n");
    FORMS("#?(:clj (x))", "0 1:9 8-11 (x)\n1 1:10 9-10 x\n");
    FORMS("#(f %)", "0 1:1 0-6 (fn* [p1__G1#] (f p1__G1#))\n1 1:2 1-6 (f p1__G1#)\n"
                    "2 1:3 2-3 f\n2 1:5 4-5 p1__G1#\n");
    FORMS("`(a)", "0 1:1 0-4 (clojure.core/seq (clojure.core/concat (clojure.core/list (quote user/a))))\n"
                  "1 1:2 1-4 (a)\n2 1:3 2-3 a\n");
    FORMS("{:a ^:m [1]}", "0 1:1 0-12 {:a [1]}\n1 1:2 1-3 :a\n1 1:5 4-11 [1]\n2 1:10 9-10 1\n");
    FORMS("x ;c\n\n  y", "0 1:1 0-1 x\n0 3:3 8-9 y\n");
    FORMS("a\xe2\x80\x83\xf0\x9f\x98\x80" "b c", "0 1:1 0-1 a\n0 1:3 4-9 \xf0\x9f\x98\x80" "b\n0 1:6 10-11 c\n");
    rd_forms(__LINE__, "(a\nb)", "0 10:5 0-5 (a b)\n1 10:6 1-2 a\n1 11:1 3-4 b\n", 10, 5);

    /* lists carry their own position */
    gv_pos p;
    gv_val v = read1(tvm, "\n  (x (y))", &p);
    CHECK(v.t == GV_LIST && GV_AS(gv_list, v)->line == 2 && GV_AS(gv_list, v)->col == 3 &&
          GV_AS(gv_list, v)->offset == 3);
    CHECK(p.line == 2 && p.col == 3 && p.start == 3 && p.end == 10);
    gv_val inner = GV_AS(gv_list, GV_AS(gv_list, v)->rest)->first;
    CHECK(inner.t == GV_LIST && GV_AS(gv_list, inner)->line == 2 && GV_AS(gv_list, inner)->col == 6 &&
          GV_AS(gv_list, inner)->offset == 6);
    v = read1(tvm, " 'x", NULL);
    CHECK(v.t == GV_LIST && GV_AS(gv_list, v)->line == 1 && GV_AS(gv_list, v)->col == 2);
    v = read1(tvm, "ab ^:m (c)", NULL);
    CHECK(v.t == GV_SYMBOL);
    v = read1(tvm, "^:m\n(c)", NULL);
    CHECK(v.t == GV_LIST && GV_AS(gv_list, v)->line == 1 && GV_AS(gv_list, v)->col == 1);
    v = read1(tvm, "()", NULL);
    CHECK(gv_identical(v, tvm->empty_list) && GV_AS(gv_list, v)->line == 0);

    /* successive reads advance; end of input gives false */
    gv_reader r;
    const char *src = "a (b)\n ; tail";
    gv_reader_init(&r, src, strlen(src), "t.clj", 1, 1);
    gv_val f;
    CHECK(gv_reader_read(tvm, &r, &f, &p) && p.start == 0 && p.end == 1);
    CHECK(gv_reader_read(tvm, &r, &f, &p) && p.start == 2 && p.end == 5 && p.col == 3);
    CHECK(!gv_reader_read(tvm, &r, &f, &p));
    CHECK(!gv_reader_read(tvm, &r, &f, &p));
}

static void test_error_positions(void) {
    rres r = read_all(tvm, "(a\n  )]", 7, NULL, 1, 1, false, false);
    CHECK(!r.ok && strcmp(r.text, "NO_SOURCE_PATH:2:4: Unmatched delimiter: ]") == 0);
    rres_free(&r);
    r = read_all(tvm, "x\n  (a b", 8, "src/f.clj", 10, 1, false, false);
    CHECK(!r.ok && strcmp(r.text, "src/f.clj:11:7: EOF while reading, starting at line 11") == 0);
    rres_free(&r);
    r = read_all(tvm, "ok é 1.2.3", 11, "f.clj", 1, 1, false, false);
    CHECK(!r.ok && strcmp(r.text, "f.clj:1:6: Invalid number: 1.2.3") == 0);
    rres_free(&r);
    r = read_all(tvm, "  \"abc", 6, "f.clj", 1, 1, false, false);
    CHECK(!r.ok && strcmp(r.text, "f.clj:1:3: EOF while reading string") == 0);
    rres_free(&r);
    /* ex-data carries the position too */
    gv_val exc = read_exc(tvm, " )", "g.clj");
    CHECK(exc.t == GV_EXCEPTION);
    if (exc.t == GV_EXCEPTION) {
        gv_exception *e = GV_AS(gv_exception, exc);
        gv_val line = gv_map_get(tvm, e->data, gv_kw(tvm, "clojure.error/line"), GV_NILV);
        gv_val col = gv_map_get(tvm, e->data, gv_kw(tvm, "clojure.error/column"), GV_NILV);
        gv_val src = gv_map_get(tvm, e->data, gv_kw(tvm, "clojure.error/source"), GV_NILV);
        CHECK(line.t == GV_LONG && line.as.i == 1 && col.t == GV_LONG && col.as.i == 2);
        CHECK(src.t == GV_STRING && strcmp(GV_AS(gv_string, src)->data, "g.clj") == 0);
    }
}

/* Bounded nesting: deep inputs give a reader error, never a crash. */
static void test_depth(void) {
    const char *opens[] = {"(", "[", "{", "#{", "'", "@", "`", "~", "^:a ", "#_", "#?(:clj ", "#(", "#'"};
    for (size_t k = 0; k < sizeof opens / sizeof opens[0]; k++) {
        gv_buf b;
        gv_buf_init(&b);
        for (int i = 0; i < 10000; i++) gv_buf_puts(&b, opens[k]);
        gv_buf_puts(&b, "x");
        rd_err(__LINE__, b.p, b.len, "clojure.lang.LispReader$ReaderException",
               k == 11 ? "Nested #()s are not allowed" : "nested too deeply");
        gv_buf_free(&b);
    }
    /* 500 levels are fine */
    gv_buf b;
    gv_buf_init(&b);
    for (int i = 0; i < 500; i++) gv_buf_putc(&b, '(');
    for (int i = 0; i < 500; i++) gv_buf_putc(&b, ')');
    rres r = read_all(tvm, b.p, b.len, NULL, 1, 1, false, false);
    CHECK(r.ok && r.nforms == 1);
    rres_free(&r);
    gv_buf_free(&b);
}

/* ---- robustness: random and mutated inputs ------------------------------- */

static uint64_t rnd(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_random(void) {
    static const char *const seeds[] = {
        "(defn f [x] (+ x 1))", "`(a ~b ~@c d#)", "#(+ % %2 %&)", "{:a [1 2 #{3}] \"s\" \\c}",
        "#?(:clj 1 :cljs 2) #?@(:clj [a])", "^:m ^{:k 1} (x) #_ y #:n{:a 1}", "\"\\u00e9\\n\" #\"\\d+\"",
        "0x1F 1e3 2r101 1.5M 7N ##Inf", "::a/b ::c 'q @d #'v"};
    static const char alphabet[] = "()[]{}#^'`~@%&:;\\\"\n ,01xNe.+-/_?!=<>aé\xff";
    uint64_t s = 0x9E3779B97F4A7C15u;
    int survived = 0;
    for (int iter = 0; iter < 4000; iter++) {
        char buf[160];
        size_t n;
        if (iter % 2) {
            const char *seed = seeds[rnd(&s) % (sizeof seeds / sizeof seeds[0])];
            n = strlen(seed);
            memcpy(buf, seed, n);
            for (int m = (int)(rnd(&s) % 4) + 1; m > 0; m--) {
                size_t at = rnd(&s) % n;
                buf[at] = alphabet[rnd(&s) % (sizeof alphabet - 1)];
            }
        } else {
            n = rnd(&s) % 40;
            for (size_t i = 0; i < n; i++) buf[i] = alphabet[rnd(&s) % (sizeof alphabet - 1)];
        }
        rres r = read_all(tvm, buf, n, "rand", 1, 1, iter % 3 == 0, iter % 50 == 0);
        if (r.ok || (r.cls && r.text)) survived++;
        rres_free(&r);
    }
    CHECK(survived == 4000);
}

/* on_form callbacks that collect garbage: every value must be rooted. */
/* pr (printer.c) of what was read gives the canonical text back. */
#define RT(src) rd_roundtrip(__LINE__, src)
static void rd_roundtrip(int line, const char *src) {
    gv_val v = read1(tvm, src, NULL);
    gv_buf b;
    gv_buf_init(&b);
    gv_print_opts o = {true, -1, -1};
    gv_pr(tvm, &b, v, &o);
    result(b.p && strcmp(b.p, src) == 0, line, src, src, b.p);
    gv_buf_free(&b);
}

static void test_roundtrip(void) {
    RT("(a b (c))");
    RT("[1 -2 2.5 \"s\\n\" \\c \\newline :k :n/k nil true false]");
    RT("{:a 1, :b [2 3]}");
    RT("#{:a}");
    RT("(quote x)");
    RT("#\"a\\d+\\\"\"");
    RT("[##Inf ##-Inf ##NaN 1.0E100 1.0E-5 0.001]");
    RT("clojure.core//");
    RT("\"日本\"");
    RT("\\é");
}

static void test_gc_rooting(void) {
    const char *src = "(defn f [x] `(a ~x ~@[1 2] b#)) #(list % [%2 {:k #{%&}}]) ^:m [\"s\" \\c 1.5]";
    rres r1 = read_all(tvm, src, strlen(src), NULL, 1, 1, true, false);
    rres r2 = read_all(tvm, src, strlen(src), NULL, 1, 1, true, true);
    CHECK(r1.ok && r2.ok && strcmp(r1.text, r2.text) == 0 && strcmp(r1.forms, r2.forms) == 0);
    rres_free(&r1);
    rres_free(&r2);
}

static gv_val run_all(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc;
    (void)argv;
    (void)data;
    tvm = vm;
    /* an alias s -> clojure.string in the current namespace, for ::s/x */
    gv_ns *cur = gv_current_ns(vm);
    cur->aliases = gv_map_assoc(vm, cur->aliases, gv_symv(vm, "s"), gv_symv(vm, "clojure.string"));
    cur->aliases = gv_map_assoc(vm, cur->aliases, gv_symv(vm, "b"), gv_symv(vm, "clojure.string"));
    test_numbers();
    test_symbols();
    test_strings_chars();
    test_collections();
    test_macros();
    test_cond_nsmap();
    test_syntax_quote();
    test_positions();
    test_error_positions();
    test_depth();
    test_random();
    test_roundtrip();
    test_gc_rooting();
    return GV_NILV;
}

int main(void) {
    gv_vm *vm = gv_vm_new();
    if (!vm) {
        printf("test_reader: 0 passed, 1 failed\n");
        return 1;
    }
    gv_val f = gv_native_new(vm, "test-reader", run_all, NULL, 0, 0);
    gv_val out;
    if (gv_pcall(vm, f, 0, NULL, &out) != GV_OK) {
        char *rep = gv_exception_report(vm, out);
        fprintf(stderr, "test_reader: uncaught: %s\n", rep ? rep : "?");
        free(rep);
        nfail++;
    }
    gv_vm_destroy(&vm);
    printf("test_reader: %d passed, %d failed\n", npass, nfail);
    return nfail ? 1 : 0;
}
