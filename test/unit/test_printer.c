/* test_printer.c — unit tests of printer.c: pr, print and str.
 *
 * Every expected string below was printed by real Clojure 1.11.1 on
 * OpenJDK 17 (the oracle), e.g.
 *   clojure -M -e '(doseq [d [0.1 (/ 1 3.0) ...]] (println (pr-str d)))'
 * The doubles table covers Java's non-shortest outputs (integers of
 * 2^53..2^63, 1e23, 7e22), E-form's second digit (4.9E-324), subnormals
 * and the wrap-around cases of FloatingDecimal's long arithmetic (found
 * by comparing ~1.3 million values with the JVM).
 *
 * Values are built with the gv.h constructors and printed with
 * gv_print_str / gv_pr / gv_str_append; a few checks go through gv_eval
 * for fns, vars and the *print-length* / *print-level* bindings.  The
 * whole suite runs twice, the second time with the GC in stress mode
 * (a collection at every safe point, under ASan), so that printing lazy
 * seqs whose thunks allocate shows any value the printer forgot to root.
 * Identity hashes (0x...) are matched by the pattern "%h", a stack trace
 * by "%s".
 *
 * Prints "test_printer: N passed, M failed"; exit status 1 on failure.
 */
#include "vm.h"

#include <ctype.h>
#include <float.h>
#include <math.h>

static int npass, nfail;
static bool stress_pass;

static void fail(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(int line, const char *fmt, ...) {
    nfail++;
    if (nfail > 60) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "test_printer.c:%d:%s FAIL: ", line, stress_pass ? " (gc stress)" : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void check(bool ok, const char *what, int line) {
    if (ok) npass++;
    else fail(line, "%s", what);
}
#define CHECK(c) check((c), #c, __LINE__)

/* GOT matches WANT, where "%h" in WANT stands for one or more hex digits
 * and "%s" for any text. */
static bool matches(const char *got, const char *want) {
    while (*want) {
        if (want[0] == '%' && want[1] == 's') {
            for (const char *g = got;; g++) {
                if (matches(g, want + 2)) return true;
                if (!*g) return false;
            }
        }
        if (want[0] == '%' && want[1] == 'h') {
            if (!isxdigit((unsigned char)*got)) return false;
            while (isxdigit((unsigned char)*got)) got++;
            want += 2;
        } else if (*got++ != *want++) {
            return false;
        }
    }
    return *got == 0;
}

static void expect_str(const char *got, const char *want, int line) {
    if (got && matches(got, want)) npass++;
    else fail(line, "got %s%s%s, want \"%s\"", got ? "\"" : "", got ? got : "NULL",
              got ? "\"" : "", want);
}

/* Prints V with the given options through the public entry point. */
static void expect_pr_opts(gv_vm *vm, gv_val v, bool readably, int64_t len, int64_t lev,
                           const char *want, int line) {
    gv_print_opts o = {readably, len, lev};
    gv_val err = GV_NILV;
    char *s = gv_print_str(vm, v, &o, &err);
    if (!s && err.t == GV_EXCEPTION) {
        char *r = gv_exception_report(vm, err);
        fail(line, "printing threw: %s", r ? r : "?");
        free(r);
    } else {
        expect_str(s, want, line);
    }
    free(s);
}
#define PR(v, want) expect_pr_opts(vm, (v), true, -1, -1, (want), __LINE__)
#define PRINT(v, want) expect_pr_opts(vm, (v), false, -1, -1, (want), __LINE__)
#define PR_LL(v, len, lev, want) expect_pr_opts(vm, (v), true, (len), (lev), (want), __LINE__)

/* gv_str_append of V (runs in the test's process). */
static void expect_strf(gv_vm *vm, gv_val v, const char *want, int line) {
    gv_buf b;
    gv_buf_init(&b);
    gv_str_append(vm, &b, v);
    char *s = gv_buf_take(&b);
    expect_str(s, want, line);
    free(s);
}
#define STR(v, want) expect_strf(vm, (v), (want), __LINE__)

/* Evaluates SRC and prints the result with pr. */
static void expect_eval(gv_vm *vm, const char *src, const char *want, int line) {
    gv_val out;
    if (gv_eval(vm, src, strlen(src), "test_printer", 1, 1, &out) != GV_OK) {
        char *r = gv_exception_report(vm, out);
        fail(line, "%s threw: %s", src, r ? r : "?");
        free(r);
        return;
    }
    gv_val *slot = gv_push(vm, out);
    gv_print_opts o = {true, -1, -1};
    gv_val err;
    char *s = gv_print_str(vm, *slot, &o, &err);
    expect_str(s, want, line);
    free(s);
}
#define EVAL(src, want) expect_eval(vm, (src), (want), __LINE__)

/* ---- values --------------------------------------------------------------- */

static gv_val *root(gv_vm *vm, gv_val v) { return gv_push(vm, v); }

static gv_val longs(gv_vm *vm, bool vec, int n, ...) {
    gv_val a[16];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) a[i] = gv_l(va_arg(ap, long long));
    va_end(ap);
    return vec ? gv_vec_from(vm, n, a) : gv_list_from(vm, n, a);
}

/* A lazy seq thunk returning its closed-over value. */
static gv_val thunk_ret(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)argv;
    gv_safepoint(vm);
    return gv_closure_env(data);
}

static gv_val lazy_of(gv_vm *vm, gv_val v) {
    return gv_lazyseq_new(vm, gv_native_closure(vm, "test/ret", thunk_ret, v, 0, 0));
}

/* (iterate inc N) as nested lazy seqs; every step allocates. */
static gv_val thunk_iter(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)argv;
    gv_safepoint(vm);
    int64_t n = gv_closure_env(data).as.i;
    gv_val next = gv_lazyseq_new(vm, gv_native_closure(vm, "test/iter", thunk_iter, gv_l(n + 1), 0, 0));
    /* make garbage so that stress collections have something to free */
    gv_vec_from(vm, 1, &next);
    return gv_cons(vm, gv_l(n), next);
}

/* ("s0" "s1" ...): fresh strings, each reachable only through the seq. */
static gv_val thunk_strs(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)argv;
    gv_safepoint(vm); /* as a thunk running Clojure code would: collects when stressed */
    int64_t n = gv_closure_env(data).as.i;
    gv_val next = gv_lazyseq_new(vm, gv_native_closure(vm, "test/strs", thunk_strs, gv_l(n + 1), 0, 0));
    char buf[32];
    snprintf(buf, sizeof buf, "s%lld", (long long)n);
    return gv_cons(vm, gv_cstr(vm, buf), next);
}

static gv_val thunk_throw(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)argv; (void)data;
    gv_throwf(vm, "IllegalStateException", "boom in lazy seq");
}

/* ---- doubles ---------------------------------------------------------------- */

static const struct {
    int isbits;   /* the value is given by its bits */
    double d;
    uint64_t bits;
    const char *want;
} doubles[] = {
    {0, 0.1, 0, "0.1"},
    {0, 1/3.0, 0, "0.3333333333333333"},
    {0, 2.0/3, 0, "0.6666666666666666"},
    {0, 100.0, 0, "100.0"},
    {0, 1e7, 0, "1.0E7"},
    {0, 9999999.0, 0, "9999999.0"},
    {0, 1.0E-4, 0, "1.0E-4"},
    {0, 0.001, 0, "0.001"},
    {0, 0.00123, 0, "0.00123"},
    {0, 123456789.123, 0, "1.23456789123E8"},
    {0, 2e-300, 0, "2.0E-300"},
    {0, -0.0, 0, "-0.0"},
    {0, 0.0, 0, "0.0"},
    {0, 1e21, 0, "1.0E21"},
    {0, 1e22, 0, "1.0E22"},
    {0, 1e23, 0, "9.999999999999999E22"},
    {0, 5e-324, 0, "4.9E-324"},
    {0, DBL_MAX, 0, "1.7976931348623157E308"},
    {0, DBL_MIN, 0, "2.2250738585072014E-308"},
    {0, 1e16, 0, "1.0E16"},
    {0, 9007199254740993.0, 0, "9.007199254740992E15"},
    {0, 9007199254740992.0, 0, "9.007199254740992E15"},
    {0, 1.0, 0, "1.0"},
    {0, -1.5, 0, "-1.5"},
    {0, 3.141592653589793, 0, "3.141592653589793"},
    {0, 2.718281828459045, 0, "2.718281828459045"},
    {0, 1234567.0, 0, "1234567.0"},
    {0, 12345678.0, 0, "1.2345678E7"},
    {0, 0.3, 0, "0.3"},
    {0, 0.1+0.2, 0, "0.30000000000000004"},
    {0, 1e-5, 0, "1.0E-5"},
    {0, 1.234e-5, 0, "1.234E-5"},
    {0, 123e300, 0, "1.23E302"},
    {0, 4.35, 0, "4.35"},
    {0, 2.5, 0, "2.5"},
    {0, 1e100, 0, "1.0E100"},
    {0, 1.7976931348623157e308, 0, "1.7976931348623157E308"},
    {0, 4503599627370497.0, 0, "4.503599627370497E15"},
    {0, 1152921504606846976.0, 0, "1.15292150460684698E18"},
    {0, 9.223372036854775807e18, 0, "9.223372036854776E18"},
    {0, 1.8446744073709552E19, 0, "1.8446744073709552E19"},
    {0, -1782466964123969536.0, 0, "-1.78246696412396954E18"},
    {0, 6.368014574100813E17, 0, "6.3680145741008128E17"},
    {0, 2.82879384806159E17, 0, "2.82879384806159008E17"},
    {0, 0.5, 0, "0.5"},
    {0, 0.25, 0, "0.25"},
    {0, 0.125, 0, "0.125"},
    {0, 0x1p-20, 0, "9.5367431640625E-7"},
    {0, 0x1p-1022, 0, "2.2250738585072014E-308"},
    {0, 0x1p-1074, 0, "4.9E-324"},
    {0, 0x1p63, 0, "9.223372036854776E18"},
    {0, 0x1p64, 0, "1.8446744073709552E19"},
    {0, 0x1p100, 0, "1.2676506002282294E30"},
    {0, 0x1p-100, 0, "7.888609052210118E-31"},
    {0, 1e-3, 0, "0.001"},
    {0, 9.999999999999999e-4, 0, "9.999999999999998E-4"},
    {0, 0.009, 0, "0.009"},
    {0, 1e-7, 0, "1.0E-7"},
    {0, 123456.789, 0, "123456.789"},
    {0, -9.87654321e-10, 0, "-9.87654321E-10"},
    {0, 1.0e15, 0, "1.0E15"},
    {0, 1.5e300, 0, "1.5E300"},
    {0, 2.2250738585072014e-308, 0, "2.2250738585072014E-308"},
    {0, 2.225073858507201e-308, 0, "2.225073858507201E-308"},
    {0, 1e-310, 0, "1.0E-310"},
    {0, 33.0, 0, "33.0"},
    {0, 1e6, 0, "1000000.0"},
    {0, 0.01, 0, "0.01"},
    {0, 1234.5, 0, "1234.5"},
    {0, 1.0e-320, 0, "1.0E-320"},
    {0, 7.0e22, 0, "7.0000000000000004E22"},
    {1, 0, 0x453925340f207bc5ull, "3.0398833370930934E25"},
    {1, 0, 0xc53e596ac6b47a67ull, "-3.6690034878489784E25"},
    {1, 0, 0x4534dd8f46fa6893ull, "2.5224802383924622E25"},
    {1, 0, 0xc3b8bc98428c7a68ull, "-1.78246696412396954E18"},
    {1, 0, 0x43de04770c2321a0ull, "8.6519384602295992E18"},
    {1, 0, 0x43a1acbf1a6ac204ull, "6.3680145741008128E17"},
    {1, 0, 0xb233f60e0b477ull, "1.548885848769743E-308"},
    {1, 0, 0x1648b47aeb9ull, "7.56585E-312"},
    {1, 0, 0x3e72ff59a2786eeeull, "7.077105889551186E-8"},
    {1, 0, 0xba419d350dfe8af7ull, "-4.446421636188976E-28"},
    {1, 0, 0x43af382f47f6b800ull, "1.1248E18"},
    {1, 0, 0x471bf3bbfd9a06caull, "3.6283883716608E34"},
    {1, 0, 0x47252d02c7e14af6ull, "5.49755813888E34"},
    {1, 0, 0x0000000000000001ull, "4.9E-324"},
    {1, 0, 0x000fffffffffffffull, "2.225073858507201E-308"},
    {1, 0, 0x7fefffffffffffffull, "1.7976931348623157E308"},
    {1, 0, 0x3ff0000000000001ull, "1.0000000000000002"},
    {1, 0, 0x3fefffffffffffffull, "0.9999999999999999"},
    {1, 0, 0x4340000000000001ull, "9.007199254740994E15"},
    {1, 0, 0x43e0000000000001ull, "9.223372036854778E18"},
};

static void test_doubles(gv_vm *vm) {
    for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
        double d = doubles[i].d;
        if (doubles[i].isbits) memcpy(&d, &doubles[i].bits, sizeof d);
        int line = __LINE__;
        expect_pr_opts(vm, gv_d(d), true, -1, -1, doubles[i].want, line);
        expect_pr_opts(vm, gv_d(d), false, -1, -1, doubles[i].want, line);
        expect_strf(vm, gv_d(d), doubles[i].want, line);
    }
    /* ##Inf: pr and print write the reader form, str Java's */
    PR(gv_d(INFINITY), "##Inf");
    PRINT(gv_d(INFINITY), "##Inf");
    PR(gv_d(-INFINITY), "##-Inf");
    PR(gv_d(NAN), "##NaN");
    PRINT(gv_d(NAN), "##NaN");
    STR(gv_d(INFINITY), "Infinity");
    STR(gv_d(-INFINITY), "-Infinity");
    STR(gv_d(NAN), "NaN");
    gv_val inf[2] = {gv_d(INFINITY), gv_d(1.0)};
    STR(gv_vec_from(vm, 2, inf), "[##Inf 1.0]");
}

/* ---- scalars ----------------------------------------------------------------- */

static void test_scalars(gv_vm *vm) {
    PR(GV_NILV, "nil");
    PR(GV_TRUEV, "true");
    PR(GV_FALSEV, "false");
    PR(gv_l(0), "0");
    PR(gv_l(-42), "-42");
    PR(gv_l(INT64_MIN), "-9223372036854775808");
    PR(gv_l(INT64_MAX), "9223372036854775807");

    /* strings: pr escapes exactly \" \\ \n \t \r \f \b */
    const char raw[] = "a\"b\\c\nd\te\rf\fg\bh\001i\177j\xc3\xa9";
    gv_val s = gv_str(vm, raw, sizeof raw - 1);
    PR(s, "\"a\\\"b\\\\c\\nd\\te\\rf\\fg\\bh\001i\177j\xc3\xa9\"");
    PRINT(s, raw);
    STR(s, raw);
    PR(gv_cstr(vm, ""), "\"\"");
    PRINT(gv_cstr(vm, ""), "");

    /* chars */
    PR(gv_ch('a'), "\\a");
    PR(gv_ch('\n'), "\\newline");
    PR(gv_ch(' '), "\\space");
    PR(gv_ch('\t'), "\\tab");
    PR(gv_ch('\b'), "\\backspace");
    PR(gv_ch('\f'), "\\formfeed");
    PR(gv_ch('\r'), "\\return");
    PR(gv_ch('"'), "\\\"");
    PR(gv_ch('\\'), "\\\\");
    PR(gv_ch(1), "\\\001");
    PR(gv_ch(0xe9), "\\\xc3\xa9");
    PR(gv_ch(0x1F600), "\\\xf0\x9f\x98\x80");
    PRINT(gv_ch('\n'), "\n");
    PRINT(gv_ch('a'), "a");
    STR(gv_ch(0xe9), "\xc3\xa9");

    /* symbols and keywords */
    PR(gv_symv(vm, "a"), "a");
    PR(gv_symv(vm, "clojure.core/map"), "clojure.core/map");
    PR(gv_mk(GV_SYMBOL, gv_sym_intern(vm, "ns", 2, "nm", 2)), "ns/nm");
    PR(gv_mk(GV_SYMBOL, gv_sym_intern(vm, NULL, 0, "a b", 3)), "a b");
    PR(gv_kw(vm, "k"), ":k");
    PR(gv_kw(vm, "ns/nm"), ":ns/nm");
    PRINT(gv_kw(vm, "ns/nm"), ":ns/nm");
    gv_val *m = root(vm, gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "m"), gv_l(1)}));
    PR(gv_with_meta(vm, gv_symv(vm, "sym"), *m), "sym");
    PR(gv_with_meta(vm, longs(vm, true, 1, 1LL), *m), "[1]");

    /* str of scalars */
    STR(GV_NILV, "");
    STR(GV_TRUEV, "true");
    STR(gv_l(12), "12");
    STR(gv_d(1.0), "1.0");
    STR(gv_d(-0.0), "-0.0");
    STR(gv_kw(vm, "a/b"), ":a/b");
    STR(gv_symv(vm, "a/b"), "a/b");
}

/* ---- collections ------------------------------------------------------------- */

static void test_collections(gv_vm *vm) {
    PR(longs(vm, false, 3, 1LL, 2LL, 3LL), "(1 2 3)");
    PR(gv_list_empty(vm), "()");
    PR(longs(vm, true, 2, 1LL, 2LL), "[1 2]");
    PR(gv_vec_empty(vm), "[]");
    PR(gv_map_empty(vm), "{}");
    PR(gv_set_empty(vm), "#{}");

    gv_val *kv = root(vm, gv_vec_empty(vm));
    const char *keys = "abcdefghi";
    for (int i = 0; i < 9; i++) {
        char k[2] = {keys[i], 0};
        *kv = gv_vec_conj(vm, *kv, gv_kw(vm, k));
        *kv = gv_vec_conj(vm, *kv, gv_l(i + 1));
    }
    gv_val pairs[18];
    for (int i = 0; i < 18; i++) pairs[i] = gv_vec_nth(*kv, i);
    PR(gv_map_from(vm, 2, pairs), "{:a 1, :b 2}");
    /* a HAMT, in Clojure's hash order */
    gv_val *hm = root(vm, gv_map_from(vm, 9, pairs));
    PR(*hm, "{:e 5, :g 7, :c 3, :h 8, :b 2, :d 4, :f 6, :i 9, :a 1}");
    PR_LL(*hm, 3, -1, "{:e 5, :g 7, :c 3, ...}");

    gv_val *set = root(vm, gv_set_empty(vm));
    for (int i = 1; i <= 3; i++) *set = gv_set_conj(vm, *set, gv_l(i));
    PR(*set, "#{1 3 2}");
    gv_val *sset = root(vm, gv_set_empty(vm));
    *sset = gv_set_conj(vm, *sset, gv_cstr(vm, "a"));
    *sset = gv_set_conj(vm, *sset, gv_cstr(vm, "b"));
    *sset = gv_set_conj(vm, *sset, gv_cstr(vm, "c"));
    PR(*sset, "#{\"a\" \"b\" \"c\"}");
    PRINT(*sset, "#{a b c}");

    /* nested, mixed; print leaves strings and chars raw all the way down */
    gv_val in[3] = {gv_ch('b'), gv_cstr(vm, "c"), gv_d(INFINITY)};
    gv_val *inner = root(vm, gv_vec_from(vm, 3, in));
    gv_val out[4] = {gv_cstr(vm, "tab\there"), gv_ch('a'), *inner, GV_NILV};
    gv_val *outer = root(vm, gv_list_from(vm, 4, out));
    PR(*outer, "(\"tab\\there\" \\a [\\b \"c\" ##Inf] nil)");
    PRINT(*outer, "(tab\there a [b c ##Inf] nil)");
    gv_val nilkey[4] = {GV_NILV, gv_l(1), *inner, gv_map_empty(vm)};
    PR(gv_map_from(vm, 2, nilkey), "{nil 1, [\\b \"c\" ##Inf] {}}");

    /* namespace maps, as clojure.main prints them */
    gv_val ns1[4] = {gv_kw(vm, "a/b"), gv_l(1), gv_kw(vm, "a/c"), longs(vm, true, 1, 1LL)};
    PR(gv_map_from(vm, 2, ns1), "#:a{:b 1, :c [1]}");
    gv_val ns2[4] = {gv_kw(vm, "a/b"), gv_l(1), gv_symv(vm, "a/c"), gv_l(2)};
    PR(gv_map_from(vm, 2, ns2), "#:a{:b 1, c 2}");
    gv_val ns3[4] = {gv_kw(vm, "a/b"), gv_l(1), gv_kw(vm, "c/d"), gv_l(2)};
    PR(gv_map_from(vm, 2, ns3), "{:a/b 1, :c/d 2}");
    gv_val ns4[4] = {gv_kw(vm, "a/b"), gv_l(1), gv_kw(vm, "c"), gv_l(2)};
    PR(gv_map_from(vm, 2, ns4), "{:a/b 1, :c 2}");
    gv_val *nsin = root(vm, gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "a/c"), gv_l(1)}));
    PR(gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "a/b"), *nsin}), "#:a{:b #:a{:c 1}}");
    PRINT(gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "a/b"), gv_cstr(vm, "x")}), "#:a{:b x}");
    PR_LL(gv_map_from(vm, 2, ns1), 1, -1, "#:a{:b 1, ...}");
    PR_LL(gv_map_from(vm, 2, ns1), -1, 0, "#");

    /* seqs of every kind print as lists */
    gv_val *v123 = root(vm, longs(vm, true, 3, 1LL, 2LL, 3LL));
    PR(gv_seq(vm, *v123), "(1 2 3)");
    PR(gv_arrayseq_new(vm, *v123, 1, 3), "(2 3)");
    PR(gv_seq(vm, gv_cstr(vm, "ab")), "(\\a \\b)");
    PR(gv_cons(vm, gv_l(0), gv_seq(vm, *v123)), "(0 1 2 3)");
    PR(gv_cons(vm, gv_l(1), GV_NILV), "(1)");
    PR(gv_range_new(vm, 0, 4, 1, false), "(0 1 2 3)");
    PR(gv_range_new(vm, 10, 0, -3, false), "(10 7 4 1)");
    PR(lazy_of(vm, *v123), "(1 2 3)");
    PR(lazy_of(vm, GV_NILV), "()");
    PR(lazy_of(vm, lazy_of(vm, gv_vec_empty(vm))), "()");
    gv_val ls[2] = {lazy_of(vm, gv_vec_empty(vm)), lazy_of(vm, *v123)};
    PR(gv_vec_from(vm, 2, ls), "[() (1 2 3)]");
    gv_val *mseq = root(vm, gv_map_seq(vm, gv_map_from(vm, 2, pairs)));
    PR(*mseq, "([:a 1] [:b 2])");
    PR(gv_map_entry(vm, gv_kw(vm, "a"), gv_l(1)), "[:a 1]");
}

/* ---- *print-length* and *print-level* ----------------------------------- */

static void test_limits(gv_vm *vm) {
    gv_val *r10 = root(vm, gv_range_new(vm, 0, 10, 1, false));
    PR_LL(*r10, 3, -1, "(0 1 2 ...)");
    PR_LL(*r10, 0, -1, "(...)");
    PR_LL(gv_range_new(vm, 0, 3, 1, false), 3, -1, "(0 1 2)");
    PR_LL(longs(vm, true, 3, 1LL, 2LL, 3LL), 3, -1, "[1 2 3]");
    PR_LL(longs(vm, true, 4, 1LL, 2LL, 3LL, 4LL), 3, -1, "[1 2 3 ...]");
    PR_LL(gv_vec_empty(vm), 0, -1, "[]");
    PR_LL(gv_list_empty(vm), 0, -1, "()");
    PR_LL(gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "a"), gv_l(1)}), 0, -1, "{...}");
    PR_LL(gv_cstr(vm, "abcdef"), 3, -1, "\"abcdef\"");
    gv_val *set = root(vm, gv_set_empty(vm));
    for (int i = 1; i <= 5; i++) *set = gv_set_conj(vm, *set, gv_l(i));
    PR_LL(*set, 3, -1, "#{1 4 3 ...}");
    expect_pr_opts(vm, longs(vm, true, 2, 1LL, 2LL), false, 1, -1, "[1 ...]", __LINE__);

    /* [1 [2 [3]]] */
    gv_val *v3 = root(vm, longs(vm, true, 1, 3LL));
    gv_val two[2] = {gv_l(2), *v3};
    gv_val *v2 = root(vm, gv_vec_from(vm, 2, two));
    gv_val one[2] = {gv_l(1), *v2};
    gv_val *v1 = root(vm, gv_vec_from(vm, 2, one));
    PR_LL(*v1, -1, 1, "[1 #]");
    PR_LL(*v1, -1, 2, "[1 [2 #]]");
    PR_LL(*v1, -1, 3, "[1 [2 [3]]]");
    PR_LL(*v1, -1, 0, "#");
    PR_LL(gv_l(5), -1, 0, "5");
    PR_LL(gv_cstr(vm, "s"), -1, 0, "\"s\"");
    PR_LL(gv_vec_empty(vm), -1, 1, "[]");
    /* {:a {:b {:c 1}}, :d [1 [2]]} at level 2 */
    gv_val *c1 = root(vm, gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "c"), gv_l(1)}));
    gv_val *b1 = root(vm, gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "b"), *c1}));
    gv_val *d1 = root(vm, gv_vec_from(vm, 2, (gv_val[]){gv_l(1), longs(vm, true, 1, 2LL)}));
    gv_val *m = root(vm, gv_map_from(vm, 2, (gv_val[]){gv_kw(vm, "a"), *b1, gv_kw(vm, "d"), *d1}));
    PR_LL(*m, -1, 2, "{:a {:b #}, :d [1 #]}");
    /* {:a [1 2 3], :b {:c [4]}, :e 5} with both */
    gv_val *c4 = root(vm, gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "c"), longs(vm, true, 1, 4LL)}));
    gv_val *m2 = root(vm, gv_map_from(vm, 3, (gv_val[]){gv_kw(vm, "a"), longs(vm, true, 3, 1LL, 2LL, 3LL),
                                                       gv_kw(vm, "b"), *c4, gv_kw(vm, "e"), gv_l(5)}));
    PR_LL(*m2, 2, 2, "{:a [1 2 ...], :b {:c #}, ...}");
    /* [1 [2 3 4 [5]] 6 7] with length 2, level 2 */
    gv_val *in = root(vm, gv_vec_from(vm, 4, (gv_val[]){gv_l(2), gv_l(3), gv_l(4), longs(vm, true, 1, 5LL)}));
    PR_LL(gv_vec_from(vm, 4, (gv_val[]){gv_l(1), *in, gv_l(6), gv_l(7)}), 2, 2, "[1 [2 3 ...] ...]");

    /* an infinite lazy seq, realized only as far as printed */
    gv_val *inf = root(vm, gv_lazyseq_new(vm, gv_native_closure(vm, "test/iter", thunk_iter, gv_l(0), 0, 0)));
    PR_LL(*inf, 5, -1, "(0 1 2 3 4 ...)");
    PR_LL(*inf, 200, -1,
          "(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 "
          "32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 "
          "61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 "
          "90 91 92 93 94 95 96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 "
          "114 115 116 117 118 119 120 121 122 123 124 125 126 127 128 129 130 131 132 133 134 135 "
          "136 137 138 139 140 141 142 143 144 145 146 147 148 149 150 151 152 153 154 155 156 157 "
          "158 159 160 161 162 163 164 165 166 167 168 169 170 171 172 173 174 175 176 177 178 179 "
          "180 181 182 183 184 185 186 187 188 189 190 191 192 193 194 195 196 197 198 199 ...)");
    gv_val *strs = root(vm, gv_lazyseq_new(vm, gv_native_closure(vm, "test/strs", thunk_strs, gv_l(0), 0, 0)));
    PR_LL(*strs, 3, -1, "(\"s0\" \"s1\" \"s2\" ...)");
    /* a map entry after a value whose realization collects */
    gv_val *sm = root(vm, gv_map_from(vm, 2, (gv_val[]){gv_kw(vm, "a"),
        gv_lazyseq_new(vm, gv_native_closure(vm, "test/strs", thunk_strs, gv_l(0), 0, 0)),
        gv_kw(vm, "b"), longs(vm, true, 2, 1LL, 2LL)}));
    PR_LL(*sm, 3, -1, "{:a (\"s0\" \"s1\" \"s2\" ...), :b [1 2]}");
    /* lazy seqs inside maps and vectors, realized while printing */
    gv_val *lm = root(vm, gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "s"), *inf}));
    PR_LL(gv_vec_from(vm, 2, (gv_val[]){*lm, *inf}), 2, -1, "[{:s (0 1 ...)} (0 1 ...)]");

    /* the bindings, through the core library's pr-str */
    EVAL("(binding [*print-length* 3] (pr-str (range 10)))", "\"(0 1 2 ...)\"");
    EVAL("(binding [*print-level* 1] (pr-str [1 [2 [3]]] {:a {:b 1}}))", "\"[1 #] {:a #}\"");
    EVAL("(binding [*print-level* -1] (pr-str [1]))", "\"#\"");
    EVAL("(binding [*print-length* -1] (pr-str [1 2]))", "\"[1 2]\"");
    EVAL("(binding [*print-length* 2] (str (range 10)))", "\"(0 1 ...)\"");
    gv_print_opts o = gv_print_opts_current(vm, true);
    CHECK(o.readably && o.length == -1 && o.level == -1);
}

/* ---- objects ----------------------------------------------------------------- */

static void test_objects(gv_vm *vm) {
    gv_val *re = root(vm, gv_regex_new(vm, "a\\d+\\\"b", 7));
    PR(*re, "#\"a\\d+\\\"b\"");
    PRINT(*re, "#\"a\\d+\\\"b\"");
    STR(*re, "a\\d+\\\"b");

    EVAL("#'clojure.core/map", "#'clojure.core/map");
    EVAL("(atom 1)", "#object[clojure.lang.Atom 0x%h {:status :ready, :val 1}]");
    EVAL("(atom [1 \"a\"])", "#object[clojure.lang.Atom 0x%h {:status :ready, :val [1 \"a\"]}]");
    EVAL("(volatile! 2)", "#object[clojure.lang.Volatile 0x%h {:status :ready, :val 2}]");
    EVAL("(delay 3)", "#object[clojure.lang.Delay 0x%h {:status :pending, :val nil}]");
    EVAL("(let [d (delay 3)] @d d)", "#object[clojure.lang.Delay 0x%h {:status :ready, :val 3}]");
    EVAL("(binding [*print-level* 1] (pr-str (atom [1 [2]])))",
         "\"#object[clojure.lang.Atom 0x%h {:status :ready, :val #}]\"");
    EVAL("(binding [*print-length* 0] (pr-str (atom 1)))", "\"#object[clojure.lang.Atom 0x%h {...}]\"");
    EVAL("*ns*", "#object[clojure.lang.Namespace 0x%h \"user\"]");
    EVAL("(print-str *ns*)", "\"#object[clojure.lang.Namespace 0x%h user]\"");
    EVAL("(str *ns*)", "\"user\"");
    EVAL("(defn my-fn? [] 1) my-fn?", "#object[user$my_fn_QMARK_ 0x%h \"user$my_fn_QMARK_@%h\"]");
    EVAL("(defn a->b [] 1) a->b", "#object[user$a__GT_b 0x%h \"user$a__GT_b@%h\"]");
    EVAL("(defn <=>* [] 1) <=>*", "#object[user$_LT__EQ__GT__STAR_ 0x%h \"user$_LT__EQ__GT__STAR_@%h\"]");
    EVAL("(def h (fn [] 1)) h", "#object[user$h 0x%h \"user$h@%h\"]");
    EVAL("(fn [] 1)", "#object[user$fn__%h 0x%h \"user$fn__%h@%h\"]");
    EVAL("map", "#object[clojure.core$map 0x%h \"clojure.core$map@%h\"]");
    EVAL("+", "#object[clojure.core$_PLUS_ 0x%h \"clojure.core$_PLUS_@%h\"]");
    EVAL("(print-str map)", "\"#object[clojure.core$map 0x%h clojure.core$map@%h]\"");
    EVAL("(str map)", "\"clojure.core$map@%h\"");
    EVAL("(str (atom 1))", "\"clojure.lang.Atom@%h\"");

    gv_val *cap = root(vm, gv_cap_new(vm, "test.Cap", NULL, NULL));
    PR(*cap, "#object[test.Cap 0x%h]");
    STR(*cap, "test.Cap@%h");

    /* the process running these tests */
    gv_val *p = root(vm, gv_objval(vm->cur));
    PR(*p, "#object[grove.Process 0x%h {:id %h, :status :running}]");
    STR(*p, "grove.Process@%h");
}

/* ---- exceptions ----------------------------------------------------------------- */

static void test_exceptions(gv_vm *vm) {
    gv_val *data = root(vm, gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "a"), gv_l(1)}));
    gv_val *e = root(vm, gv_exception_new(vm, "clojure.lang.ExceptionInfo", gv_cstr(vm, "boom"), *data, GV_NILV));
    PR(*e, "#error {\n :cause \"boom\"\n :data {:a 1}\n :via\n [{:type clojure.lang.ExceptionInfo\n"
           "   :message \"boom\"\n   :data {:a 1}}]\n :trace\n []}");
    PRINT(*e, "#error {\n :cause boom\n :data {:a 1}\n :via\n [{:type clojure.lang.ExceptionInfo\n"
              "   :message boom\n   :data {:a 1}}]\n :trace\n []}");
    STR(*e, "clojure.lang.ExceptionInfo: boom {:a 1}");

    gv_val *ae = root(vm, gv_exception_new(vm, "ArithmeticException", gv_cstr(vm, "Divide by zero"),
                                           GV_NILV, GV_NILV));
    gv_val *outer = root(vm, gv_exception_new(vm, "clojure.lang.ExceptionInfo", gv_cstr(vm, "outer"),
                                              gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "b"), gv_l(2)}), *ae));
    PR(*outer, "#error {\n :cause \"Divide by zero\"\n :via\n [{:type clojure.lang.ExceptionInfo\n"
               "   :message \"outer\"\n   :data {:b 2}}\n  {:type java.lang.ArithmeticException\n"
               "   :message \"Divide by zero\"}]\n :trace\n []}");
    STR(*ae, "java.lang.ArithmeticException: Divide by zero");
    gv_val *re = root(vm, gv_exception_new(vm, "RuntimeException", GV_NILV, GV_NILV, GV_NILV));
    PR(*re, "#error {\n :cause nil\n :via\n [{:type java.lang.RuntimeException\n   :message nil}]\n"
            " :trace\n []}");
    STR(*re, "java.lang.RuntimeException");

    /* a thrown one carries a trace */
    EVAL("(try (throw (ex-info \"x\" {})) (catch Exception e e))",
         "#error {\n :cause \"x\"\n :data {}\n :via\n [{:type clojure.lang.ExceptionInfo\n"
         "   :message \"x\"\n   :data {}\n   :at [%s]}]\n :trace\n [%s]}");
}

/* ---- str ------------------------------------------------------------------------ */

static void test_str(gv_vm *vm) {
    gv_val mix[3] = {gv_l(1), gv_cstr(vm, "a"), gv_ch('b')};
    gv_val *v = root(vm, gv_vec_from(vm, 3, mix));
    STR(*v, "[1 \"a\" \\b]");
    STR(gv_list_from(vm, 3, mix), "(1 \"a\" \\b)");
    STR(gv_list_empty(vm), "()");
    STR(gv_range_new(vm, 0, 3, 1, false), "(0 1 2)");
    STR(gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "a"), gv_cstr(vm, "b")}), "{:a \"b\"}");
    STR(gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "a/b"), gv_l(1)}), "#:a{:b 1}");
    STR(gv_set_conj(vm, gv_set_empty(vm), gv_cstr(vm, "x")), "#{\"x\"}");
    EVAL("(binding [*print-readably* false] (str [\"a\"]))", "\"[a]\"");

    /* a LazySeq has no toString: class@hashCode, Java's List hash */
    STR(lazy_of(vm, longs(vm, true, 1, 1LL)), "clojure.lang.LazySeq@20");
    STR(lazy_of(vm, gv_vec_empty(vm)), "clojure.lang.LazySeq@1");
    gv_val *l1 = root(vm, lazy_of(vm, longs(vm, true, 1, 1LL)));
    STR(lazy_of(vm, gv_vec_from(vm, 1, l1)), "clojure.lang.LazySeq@3f");
    gv_val *ks = root(vm, gv_set_conj(vm, gv_set_empty(vm), gv_l(3)));
    gv_val *km = root(vm, gv_map_from(vm, 1, (gv_val[]){gv_kw(vm, "a"), gv_l(1)}));
    gv_val *k2 = root(vm, longs(vm, true, 1, 2LL));
    const char emoji[] = "h\xc3\xa9llo\xf0\x9f\x98\x80";
    gv_val el[15] = {gv_l(1), gv_cstr(vm, "a"), gv_kw(vm, "k"), gv_d(1.5), GV_NILV, GV_TRUEV,
                     gv_ch('c'), *k2, *km, *ks, gv_l(-5), gv_symv(vm, "a/b"),
                     gv_str(vm, emoji, sizeof emoji - 1), gv_d(-0.0), gv_d(NAN)};
    gv_val *elv = root(vm, gv_vec_from(vm, 15, el));
    STR(lazy_of(vm, *elv), "clojure.lang.LazySeq@113d996d");
    /* inside a collection it prints */
    STR(gv_vec_from(vm, 1, l1), "[(1)]");
}

/* ---- failures ----------------------------------------------------------------- */

static void test_failures(gv_vm *vm) {
    /* realizing a lazy seq throws: NULL and the exception */
    gv_val *bad = root(vm, gv_lazyseq_new(vm, gv_native_closure(vm, "test/throw", thunk_throw, GV_NILV, 0, 0)));
    gv_val *v = root(vm, gv_vec_from(vm, 2, (gv_val[]){gv_l(1), *bad}));
    gv_print_opts o = {true, -1, -1};
    gv_val err = GV_NILV;
    char *s = gv_print_str(vm, *v, &o, &err);
    CHECK(s == NULL);
    CHECK(err.t == GV_EXCEPTION &&
          strcmp(GV_AS(gv_exception, err)->cls->name->data, "IllegalStateException") == 0);
    free(s);

    /* gv_pr under a handler: the buffer is the caller's */
    gv_buf b;
    gv_buf_init(&b);
    gv_handler h;
    volatile bool threw = false;
    if (gv_try(vm, &h) == 0) {
        gv_pr(vm, &b, *v, &o);
        gv_try_end(vm, &h);
    } else {
        threw = true;
    }
    CHECK(threw);
    CHECK(b.len >= 3 && memcmp(b.p, "[1 ", 3) == 0);
    gv_buf_free(&b);

    /* deep nesting: fine to some thousands, then StackOverflowError */
    gv_val *deep = root(vm, gv_vec_empty(vm));
    for (int i = 1; i < 5000; i++) *deep = gv_vec_from(vm, 1, deep);
    s = gv_print_str(vm, *deep, &o, &err);
    bool ok = s && strlen(s) == 10000 && s[0] == '[' && s[4999] == '[' && s[5000] == ']';
    CHECK(ok);
    free(s);
    for (int i = 5000; i < 20000; i++) *deep = gv_vec_from(vm, 1, deep);
    err = GV_NILV;
    s = gv_print_str(vm, *deep, &o, &err);
    CHECK(s == NULL);
    CHECK(err.t == GV_EXCEPTION &&
          strcmp(GV_AS(gv_exception, err)->cls->name->data, "StackOverflowError") == 0);
    free(s);
    /* ...but print-level stops before */
    expect_pr_opts(vm, *deep, true, -1, 3, "[[[#]]]", __LINE__);
}

/* ---- type names --------------------------------------------------------------- */

static void test_type_names(gv_vm *vm) {
#define TN(v, want) expect_str(gv_type_name(v), (want), __LINE__)
    TN(GV_NILV, "nil");
    TN(gv_l(1), "java.lang.Long");
    TN(gv_d(1), "java.lang.Double");
    TN(GV_TRUEV, "java.lang.Boolean");
    TN(gv_ch('a'), "java.lang.Character");
    TN(gv_cstr(vm, "s"), "java.lang.String");
    TN(gv_symv(vm, "s"), "clojure.lang.Symbol");
    TN(gv_kw(vm, "k"), "clojure.lang.Keyword");
    TN(gv_list_empty(vm), "clojure.lang.PersistentList$EmptyList");
    TN(longs(vm, false, 1, 1LL), "clojure.lang.PersistentList");
    gv_val *v = root(vm, longs(vm, true, 2, 1LL, 2LL));
    TN(*v, "clojure.lang.PersistentVector");
    TN(gv_seq(vm, *v), "clojure.lang.PersistentVector$ChunkedSeq");
    TN(gv_seq(vm, gv_cstr(vm, "ab")), "clojure.lang.StringSeq");
    TN(gv_cons(vm, gv_l(0), gv_seq(vm, *v)), "clojure.lang.Cons");
    TN(lazy_of(vm, GV_NILV), "clojure.lang.LazySeq");
    TN(gv_range_new(vm, 0, 3, 1, false), "clojure.lang.LongRange");
    TN(gv_range_new(vm, 0, 0, 1, true), "clojure.lang.Iterate");
    TN(gv_map_empty(vm), "clojure.lang.PersistentArrayMap");
    TN(gv_hashmap_empty(vm), "clojure.lang.PersistentHashMap");
    TN(gv_set_empty(vm), "clojure.lang.PersistentHashSet");
    TN(gv_regex_new(vm, "x", 1), "java.util.regex.Pattern");
    TN(gv_exception_new(vm, "ArithmeticException", GV_NILV, GV_NILV, GV_NILV), "java.lang.ArithmeticException");
    TN(gv_exception_new(vm, "clojure.lang.ExceptionInfo", GV_NILV, GV_NILV, GV_NILV), "clojure.lang.ExceptionInfo");
    TN(gv_cap_new(vm, "test.Cap", NULL, NULL), "test.Cap");
    TN(gv_mk(GV_NS, vm->user_ns), "clojure.lang.Namespace");
#undef TN
}

static gv_val run_all(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)argv; (void)data;
    test_doubles(vm);
    test_scalars(vm);
    test_collections(vm);
    test_limits(vm);
    test_objects(vm);
    test_exceptions(vm);
    test_str(vm);
    test_failures(vm);
    test_type_names(vm);
    return GV_NILV;
}

static void run_in_process(gv_vm *vm) {
    gv_val f = gv_native_new(vm, "test-printer", run_all, NULL, 0, 0);
    gv_val out;
    if (gv_pcall(vm, f, 0, NULL, &out) != GV_OK) {
        char *r = gv_exception_report(vm, out);
        fail(__LINE__, "uncaught exception:\n%s", r ? r : "?");
        free(r);
    }
}

int main(void) {
    gv_vm *vm = gv_vm_new();
    if (!vm) {
        fprintf(stderr, "test_printer: cannot create a VM\n");
        return 1;
    }
    run_in_process(vm);
    stress_pass = true;
    gv_vm_set_gc_stress(vm, true);
    uint64_t before = vm->gc_count;
    run_in_process(vm);
    gv_vm_set_gc_stress(vm, false);
    CHECK(vm->gc_count > before + 100);
    gv_vm_destroy(&vm);
    printf("test_printer: %d passed, %d failed\n", npass, nfail);
    return nfail ? 1 : 0;
}
