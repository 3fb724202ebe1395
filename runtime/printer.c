/* printer.c — pr, print and str: the printed forms of values, byte for
 * byte as Clojure 1.11 on Java 17 writes them.
 *
 * One recursive walk (pr_val) serves pr (readably) and print; `str`
 * (gv_str_append) differs only for the value at the top.  Choices:
 *
 *   - Doubles reproduce Java 17's Double.toString exactly, which is not
 *     always the shortest round-trip form: integers below 2^63 print their
 *     own digits (the low ones rounded off above 2^57), E-form values keep
 *     two digits, and FloatingDecimal's 32- and 64-bit fast paths wrap
 *     around in a few cases.  java_digits() follows that algorithm's
 *     observable behaviour, checked against ~1.3 million values printed
 *     by the JVM (see test_printer.c for a sample).
 *   - Printing may realize lazy seqs, i.e. run Clojure code: every value
 *     still needed after a step is kept on the value stack (gv_push), and
 *     map and set entries are first copied into a rooted array object,
 *     because gv_map_each's callback must not run code.  The stack top is
 *     reset after each collection, so long walks use constant slots.
 *   - Nesting is recursion on the C stack, bounded: past PRINT_MAX_DEPTH
 *     levels, or near the process's C stack limit, printing throws
 *     StackOverflowError as Clojure does.
 *   - Maps whose keys all share one namespace print as #:ns{...}, as
 *     clojure.main's default *print-namespace-maps* true does.
 */
#include "vm.h"

#include <math.h>

#define PRINT_MAX_DEPTH 10000

/* ---- Java's Double.toString -------------------------------------------- */

/* A small unsigned bignum, enough for 10^340 * 2^1100. */
#define BN_LIMBS 48
typedef struct bn {
    uint32_t d[BN_LIMBS];
    int n;
} bn;

static void bn_set(bn *a, uint64_t v) {
    a->n = 0;
    while (v) {
        a->d[a->n++] = (uint32_t)v;
        v >>= 32;
    }
}

static void bn_trim(bn *a) {
    while (a->n && !a->d[a->n - 1]) a->n--;
}

static void bn_mul_small(bn *a, uint32_t m) {
    uint64_t c = 0;
    for (int i = 0; i < a->n; i++) {
        c += (uint64_t)a->d[i] * m;
        a->d[i] = (uint32_t)c;
        c >>= 32;
    }
    if (c) a->d[a->n++] = (uint32_t)c;
}

static void bn_mul_pow10(bn *a, int k) {
    static const uint32_t p10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                   100000000};
    for (; k >= 9; k -= 9) bn_mul_small(a, 1000000000u);
    if (k) bn_mul_small(a, p10[k]);
}

static void bn_shl(bn *a, int s) {
    if (!a->n || !s) return;
    int w = s / 32, r = s % 32;
    int n = a->n + w + 1;
    for (int i = n - 1; i >= 0; i--) {
        int j = i - w;
        uint64_t hi = (j >= 0 && j < a->n) ? a->d[j] : 0;
        uint64_t lo = (j >= 1 && j - 1 < a->n) ? a->d[j - 1] : 0;
        a->d[i] = r ? (uint32_t)((hi << r) | (lo >> (32 - r))) : (uint32_t)hi;
    }
    a->n = n;
    bn_trim(a);
}

static int bn_cmp(const bn *a, const bn *b) {
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; i--)
        if (a->d[i] != b->d[i]) return a->d[i] < b->d[i] ? -1 : 1;
    return 0;
}

/* a -= b; requires a >= b. */
static void bn_sub(bn *a, const bn *b) {
    int64_t borrow = 0;
    for (int i = 0; i < a->n; i++) {
        int64_t t = (int64_t)a->d[i] - (i < b->n ? b->d[i] : 0) - borrow;
        borrow = t < 0;
        a->d[i] = (uint32_t)(t + (borrow ? ((int64_t)1 << 32) : 0));
    }
    bn_trim(a);
}

/* r = a + b */
static void bn_add(bn *r, const bn *a, const bn *b) {
    uint64_t c = 0;
    int n = a->n > b->n ? a->n : b->n;
    for (int i = 0; i < n; i++) {
        c += (uint64_t)(i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0);
        r->d[i] = (uint32_t)c;
        c >>= 32;
    }
    r->n = n;
    if (c) r->d[r->n++] = (uint32_t)c;
}

/* Returns a / b and leaves a % b in a; the quotient is a digit. */
static int bn_digit(bn *a, const bn *b) {
    int q = 0;
    while (bn_cmp(a, b) >= 0) {
        bn_sub(a, b);
        q++;
    }
    return q;
}

static uint64_t pow5(int i) {
    uint64_t p = 1;
    while (i-- > 0) p *= 5;
    return p;
}

/* Bits in 5^i as FloatingDecimal counts them (3i past its table). */
static int n5bits(int i) {
    if (i == 0) return 0;
    if (i >= 27) return i * 3;
    return 64 - __builtin_clzll(pow5(i));
}

/* FloatingDecimal's estimate of floor(log10 v) from the mantissa and
 * binary exponent: exact or one too high. */
static int estimate_dec_exp(uint64_t fract, int binexp) {
    uint64_t bits = 0x3ff0000000000000ull | (fract & 0x000fffffffffffffull);
    double d2;
    memcpy(&d2, &bits, sizeof d2);
    double d = (d2 - 1.5) * 0.289529654 + 0.176091259 + (double)binexp * 0.301029995663981;
    return (int)floor(d);
}

/* The decimal digits Java prints for the positive finite double D: writes
 * them to DIG (at most 20) and returns their count; *DECEXP receives the
 * exponent with D = 0.DIG x 10^*DECEXP. */
static int java_digits(double d, char *dig, int *decexp) {
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    int bexp = (int)((bits >> 52) & 0x7ff);
    uint64_t fract = bits & 0x000fffffffffffffull;
    int binexp, nsig = 53;
    if (bexp == 0) { /* subnormal: normalized like the others */
        int shift = __builtin_clzll(fract) - 11;
        fract <<= shift;
        binexp = -1022 - shift;
        nsig = 53 - shift;
    } else {
        fract |= 1ull << 52;
        binexp = bexp - 1023;
    }
    int tz = __builtin_ctzll(fract);
    int nfract = 53 - tz; /* significant bits of the mantissa */

    /* Integers below 2^63: their own digits, the last one or two rounded
     * off (half up) above 2^57. */
    if (binexp >= 0 && binexp <= 62 && nfract - binexp - 1 <= 0) {
        uint64_t iv = binexp >= 52 ? fract << (binexp - 52) : fract >> (52 - binexp);
        int drop = binexp <= 57 ? 0 : binexp <= 60 ? 1 : 2;
        if (drop) {
            uint64_t pw = drop == 1 ? 10 : 100, rem = iv % pw;
            iv /= pw;
            if (rem >= pw / 2) iv++;
        }
        char tmp[24];
        int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)iv);
        *decexp = n + drop;
        while (n > 1 && tmp[n - 1] == '0') n--;
        memcpy(dig, tmp, (size_t)n);
        return n;
    }

    /* Steele & White's digit generation on B/S = v / 10^k with M half an
     * ulp (a quarter at a power of two), stopping as soon as the digits
     * so far (low) or those plus one (high) lie strictly inside v's
     * rounding interval.  Java sizes B, S, M into ints, longs or big
     * integers; the int and long versions wrap around in rare cases, which
     * shows in the digits, so they are reproduced with their wrap-around. */
    int k = estimate_dec_exp(fract, binexp);
    int ntiny = nfract - binexp - 1;
    if (ntiny < 0) ntiny = 0;
    int B5 = k < 0 ? -k : 0, B2 = B5 + ntiny + binexp;
    int S5 = k > 0 ? k : 0, S2 = S5 + ntiny;
    int M5 = B5, M2 = B2 - nsig;
    uint64_t fs = fract >> tz;
    B2 -= nfract - 1;
    int c2 = B2 < S2 ? B2 : S2;
    B2 -= c2;
    S2 -= c2;
    M2 -= c2;
    if (nfract == 1) M2 -= 1;
    if (M2 < 0) {
        B2 -= M2;
        S2 -= M2;
        M2 = 0;
    }
    int bbits = nfract + B2 + n5bits(B5);
    int tensbits = S2 + 1 + n5bits(S5 + 1);
    int nd = 0, q;
    bool low, high;
    int64_t lowdiff = 0;
    if (bbits < 64 && tensbits < 64) {
        bool is32 = bbits < 32 && tensbits < 32;
        int shmask = is32 ? 31 : 63;
#define WRAP(x) (is32 ? (int64_t)(int32_t)(uint32_t)(x) : (int64_t)(uint64_t)(x))
        int64_t b = WRAP((fs * pow5(B5)) << (B2 & shmask));
        int64_t s = WRAP(pow5(S5) << (S2 & shmask));
        int64_t m = WRAP(pow5(M5) << (M2 & shmask));
        int64_t tens = WRAP((uint64_t)s * 10);
        q = (int)(b / s);
        b = WRAP((uint64_t)(b % s) * 10);
        m = WRAP((uint64_t)m * 10);
        low = b < m;
        high = WRAP((uint64_t)b + (uint64_t)m) > tens;
        if (q == 0 && !high) k--;
        else dig[nd++] = (char)('0' + q);
        if (k < -3 || k >= 8) low = high = false; /* E-form: two digits */
        while (!low && !high && nd < 20) {
            q = (int)(b / s);
            b = WRAP((uint64_t)(b % s) * 10);
            m = WRAP((uint64_t)m * 10);
            if (m > 0) {
                low = b < m;
                high = WRAP((uint64_t)b + (uint64_t)m) > tens;
            } else {
                low = high = true;
            }
            dig[nd++] = (char)('0' + q);
        }
        lowdiff = WRAP(((uint64_t)b << 1) - (uint64_t)tens);
#undef WRAP
    } else {
        /* exact; R, S, M all scaled by 4 so M is whole */
        bn R, S, M, T;
        int e = binexp - 52;
        uint64_t rf = fract;
        if (bexp == 0) {
            rf = bits & 0x000fffffffffffffull;
            e = -1074;
        }
        bool pow2 = nfract == 1;
        bn_set(&R, rf);
        bn_set(&S, 1);
        bn_set(&M, 1);
        if (e >= 0) {
            bn_shl(&R, e + 2);
            bn_shl(&M, pow2 ? e : e + 1);
            bn_shl(&S, 2);
        } else {
            bn_shl(&R, 2);
            bn_shl(&S, -e + 2);
            bn_shl(&M, pow2 ? 0 : 1);
        }
        if (k >= 0) {
            bn_mul_pow10(&S, k);
        } else {
            bn_mul_pow10(&R, -k);
            bn_mul_pow10(&M, -k);
        }
        q = bn_digit(&R, &S);
        low = bn_cmp(&R, &M) < 0;
        bn_add(&T, &R, &M);
        high = bn_cmp(&T, &S) >= 0; /* Java's big path: B + M >= S */
        if (q == 0 && !high) k--;
        else dig[nd++] = (char)('0' + q);
        if (k < -3 || k >= 8) low = high = false;
        while (!low && !high && nd < 20) {
            bn_mul_small(&R, 10);
            bn_mul_small(&M, 10);
            q = bn_digit(&R, &S);
            low = bn_cmp(&R, &M) < 0;
            bn_add(&T, &R, &M);
            high = bn_cmp(&T, &S) >= 0;
            dig[nd++] = (char)('0' + q);
        }
        if (high && low) {
            bn_add(&T, &R, &R);
            lowdiff = bn_cmp(&T, &S);
        }
    }
    bool up = false;
    if (high) {
        if (low) up = lowdiff > 0 || (lowdiff == 0 && ((dig[nd - 1] - '0') & 1));
        else up = true;
    }
    if (up) {
        int i = nd - 1;
        while (i > 0 && dig[i] == '9') dig[i--] = '0';
        if (dig[i] == '9') {
            dig[0] = '1';
            k++;
        } else {
            dig[i]++;
        }
    }
    while (nd > 1 && dig[nd - 1] == '0') nd--;
    *decexp = k + 1;
    return nd;
}

/* Java's Double.toString of D into OUT (at least 32 bytes). */
static void java_double_string(double d, char *out) {
    if (isnan(d)) {
        strcpy(out, "NaN");
        return;
    }
    if (isinf(d)) {
        strcpy(out, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    char *o = out;
    if (signbit(d)) {
        *o++ = '-';
        d = -d;
    }
    if (d == 0) {
        strcpy(o, "0.0");
        return;
    }
    char dig[24];
    int de;
    int n = java_digits(d, dig, &de);
    if (de > 0 && de < 8) { /* 1.0E-3 <= d < 1.0E7: plain */
        for (int i = 0; i < de; i++) *o++ = i < n ? dig[i] : '0';
        *o++ = '.';
        if (n > de) {
            for (int i = de; i < n; i++) *o++ = dig[i];
        } else {
            *o++ = '0';
        }
    } else if (de <= 0 && de > -3) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -de; i++) *o++ = '0';
        for (int i = 0; i < n; i++) *o++ = dig[i];
    } else {
        *o++ = dig[0];
        *o++ = '.';
        if (n > 1) {
            for (int i = 1; i < n; i++) *o++ = dig[i];
        } else {
            *o++ = '0';
        }
        o += sprintf(o, "E%d", de - 1);
    }
    *o = 0;
}

/* ---- Class names ------------------------------------------------------- */

/* Exception classes grove names without their package. */
static const char *const java_lang_classes[] = {
    "java.lang.Throwable", "java.lang.Exception", "java.lang.Error",
    "java.lang.RuntimeException", "java.lang.IllegalArgumentException",
    "java.lang.NumberFormatException", "java.lang.IllegalStateException",
    "java.lang.ArithmeticException", "java.lang.ClassCastException",
    "java.lang.IndexOutOfBoundsException", "java.lang.StringIndexOutOfBoundsException",
    "java.lang.ArrayIndexOutOfBoundsException", "java.lang.NullPointerException",
    "java.lang.UnsupportedOperationException", "java.lang.InterruptedException",
    "java.lang.VirtualMachineError", "java.lang.StackOverflowError",
    "java.lang.OutOfMemoryError", "java.lang.AssertionError",
    "java.lang.ClassNotFoundException", "java.lang.SecurityException",
    "java.lang.NegativeArraySizeException", "java.lang.ArrayStoreException",
    "java.lang.CloneNotSupportedException", "java.lang.LinkageError",
    NULL};

static const char *exception_class(const gv_exception *e) {
    const char *n = e->cls->name->data;
    if (e->cls->ns || strchr(n, '.')) return n;
    for (int i = 0; java_lang_classes[i]; i++)
        if (strcmp(java_lang_classes[i] + 10, n) == 0) return java_lang_classes[i];
    return n;
}

/* Appends an exception's full class name (unknown bare names are taken to
 * be in java.lang, as Clojure's own are). */
static void put_exception_class(gv_buf *b, const gv_exception *e) {
    const char *n = exception_class(e);
    if (e->cls->ns) {
        gv_buf_puts(b, e->cls->ns->data);
        gv_buf_putc(b, '/');
    } else if (!strchr(n, '.')) {
        gv_buf_puts(b, "java.lang.");
    }
    gv_buf_puts(b, n);
}

const char *gv_type_name(gv_val v) {
    switch (v.t) {
    case GV_NIL: return "nil";
    case GV_BOOL: return "java.lang.Boolean";
    case GV_LONG: return "java.lang.Long";
    case GV_DOUBLE: return "java.lang.Double";
    case GV_CHAR: return "java.lang.Character";
    case GV_STRING: return "java.lang.String";
    case GV_SYMBOL: return "clojure.lang.Symbol";
    case GV_KEYWORD: return "clojure.lang.Keyword";
    case GV_LIST:
        return GV_AS(gv_list, v)->count ? "clojure.lang.PersistentList"
                                        : "clojure.lang.PersistentList$EmptyList";
    case GV_CONS: return "clojure.lang.Cons";
    case GV_LAZYSEQ: return "clojure.lang.LazySeq";
    case GV_ARRAYSEQ:
        switch (GV_AS(gv_arrayseq, v)->src.t) {
        case GV_VECTOR: return "clojure.lang.PersistentVector$ChunkedSeq";
        case GV_STRING: return "clojure.lang.StringSeq";
        default: return "clojure.lang.ArraySeq";
        }
    case GV_RANGE: {
        gv_range *r = GV_AS(gv_range, v);
        if (r->step == 0) return "clojure.lang.Repeat";
        return r->infinite ? "clojure.lang.Iterate" : "clojure.lang.LongRange";
    }
    case GV_VECTOR: return "clojure.lang.PersistentVector";
    case GV_VNODE: return "[Ljava.lang.Object;";
    case GV_ARRAYMAP: return "clojure.lang.PersistentArrayMap";
    case GV_HASHMAP: return "clojure.lang.PersistentHashMap";
    case GV_HNODE: return "clojure.lang.PersistentHashMap$BitmapIndexedNode";
    case GV_SET: return "clojure.lang.PersistentHashSet";
    /* A fn's class (user$f) is built while printing; here, where no
     * buffer is at hand, its superclass stands in. */
    case GV_FN: return "clojure.lang.AFunction";
    case GV_NATIVE: return "clojure.lang.AFunction";
    case GV_ATOM: return "clojure.lang.Atom";
    case GV_VOLATILE: return "clojure.lang.Volatile";
    case GV_REDUCED: return "clojure.lang.Reduced";
    case GV_DELAY: return "clojure.lang.Delay";
    case GV_VAR: return "clojure.lang.Var";
    case GV_NS: return "clojure.lang.Namespace";
    case GV_EXCEPTION: return exception_class(GV_AS(gv_exception, v));
    case GV_REGEX: return "java.util.regex.Pattern";
    case GV_PROCESS: return "grove.Process";
    case GV_CODE: return "grove.Code";
    case GV_CAP: return GV_AS(gv_cap, v)->type_name;
    default: return "java.lang.Object";
    }
}

/* Clojure's munge of a name into a class name: the characters below
 * become words, '.' becomes _DOT_ in a fn name (IN_NS false) and stays
 * in a namespace name. */
static void put_munged(gv_buf *b, const char *s, size_t n, bool in_ns) {
    static const char *const map[][2] = {
        {"-", "_"},         {":", "_COLON_"},       {"+", "_PLUS_"},
        {">", "_GT_"},      {"<", "_LT_"},          {"=", "_EQ_"},
        {"~", "_TILDE_"},   {"!", "_BANG_"},        {"@", "_CIRCA_"},
        {"#", "_SHARP_"},   {"'", "_SINGLEQUOTE_"}, {"\"", "_DOUBLEQUOTE_"},
        {"%", "_PERCENT_"}, {"^", "_CARET_"},       {"&", "_AMPERSAND_"},
        {"*", "_STAR_"},    {"|", "_BAR_"},         {"{", "_LBRACE_"},
        {"}", "_RBRACE_"},  {"[", "_LBRACK_"},      {"]", "_RBRACK_"},
        {"/", "_SLASH_"},   {"\\", "_BSLASH_"},     {"?", "_QMARK_"},
    };
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        if (s[i] == '.' && !in_ns) rep = "_DOT_";
        for (size_t j = 0; !rep && j < sizeof map / sizeof map[0]; j++)
            if (map[j][0][0] == s[i]) rep = map[j][1];
        if (rep) gv_buf_puts(b, rep);
        else gv_buf_putc(b, s[i]);
    }
}

/* Appends the class name Clojure would give function F: user$f,
 * clojure.core$map, user$fn__1234 for an anonymous fn. */
static void put_fn_class(gv_buf *b, gv_val f) {
    if (f.t == GV_FN) {
        gv_fn *fn = GV_AS(gv_fn, f);
        const char *ns = fn->ns ? fn->ns->name->name->data : "user";
        put_munged(b, ns, strlen(ns), true);
        gv_buf_putc(b, '$');
        if (fn->name.t == GV_SYMBOL) {
            gv_string *nm = GV_AS(gv_symbol, fn->name)->name;
            put_munged(b, nm->data, nm->len, false);
        } else {
            /* Clojure numbers anonymous fn classes with a global counter;
             * the template's address gives each fn form its own number. */
            gv_buf_printf(b, "fn__%u", (unsigned)(((uintptr_t)fn->tmpl >> 4) % 100000));
        }
        return;
    }
    gv_string *nm = GV_AS(gv_native, f)->name;
    const char *slash = nm->len > 1 ? strchr(nm->data + 1, '/') : NULL;
    if (slash) {
        put_munged(b, nm->data, (size_t)(slash - nm->data), true);
        gv_buf_putc(b, '$');
        put_munged(b, slash + 1, nm->len - (size_t)(slash + 1 - nm->data), false);
    } else {
        put_munged(b, nm->data, nm->len, false);
    }
}

/* Java's identity hash stands in as the object's address. */
static void put_identity(gv_buf *b, gv_val v) {
    gv_buf_printf(b, "%llx", (unsigned long long)(uintptr_t)GV_OBJ(v));
}

/* ---- The walk ------------------------------------------------------------ */

typedef struct pr_ctx {
    gv_vm *vm;
    gv_buf *b;
    bool readably;
    int64_t length; /* *print-length*, -1: none */
    int64_t level;  /* *print-level*, -1: none */
    int depth;      /* collections open around the value being printed */
} pr_ctx;

static void pr_val(pr_ctx *c, gv_val v);

static void check_depth(pr_ctx *c) {
    gv_proc *p = c->vm->cur;
    if (c->depth >= PRINT_MAX_DEPTH ||
        (p && p->cstack_limit && (char *)__builtin_frame_address(0) < p->cstack_limit))
        gv_throwf(c->vm, "StackOverflowError",
                  "Printing data nested more than %d levels deep", c->depth);
}

/* Enters a collection: false (after writing "#") when *print-level* says
 * it is too deep to show. */
static bool coll_enter(pr_ctx *c) {
    if (c->level >= 0 && c->depth >= c->level) {
        gv_buf_putc(c->b, '#');
        return false;
    }
    check_depth(c);
    c->depth++;
    return true;
}

static gv_val *stack_mark(gv_vm *vm) { return vm->cur->sp; }
static void stack_reset(gv_vm *vm, gv_val *mark) { vm->cur->sp = mark; }

/* A string as pr writes it: quoted, with Clojure's seven escapes (other
 * control characters go out as they are). */
void gv_buf_put_escaped(gv_buf *b, const char *data, size_t len) {
    gv_buf_putc(b, '"');
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        const char *esc;
        switch (data[i]) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\t': esc = "\\t"; break;
        case '\r': esc = "\\r"; break;
        case '\f': esc = "\\f"; break;
        case '\b': esc = "\\b"; break;
        default: continue;
        }
        gv_buf_put(b, data + start, i - start);
        gv_buf_puts(b, esc);
        start = i + 1;
    }
    gv_buf_put(b, data + start, len - start);
    gv_buf_putc(b, '"');
}

static void put_char_readably(gv_buf *b, int32_t ch) {
    const char *name = NULL;
    switch (ch) {
    case '\n': name = "newline"; break;
    case ' ': name = "space"; break;
    case '\t': name = "tab"; break;
    case '\b': name = "backspace"; break;
    case '\f': name = "formfeed"; break;
    case '\r': name = "return"; break;
    default: break;
    }
    gv_buf_putc(b, '\\');
    if (name) gv_buf_puts(b, name);
    else gv_buf_put_utf8(b, ch);
}

static void put_symbol(gv_buf *b, const gv_symbol *s) {
    if (s->base) s = s->base; /* a symbol with metadata prints as its base */
    if (s->ns) {
        gv_buf_put(b, s->ns->data, s->ns->len);
        gv_buf_putc(b, '/');
    }
    gv_buf_put(b, s->name->data, s->name->len);
}

static void put_double(gv_buf *b, double d) {
    char tmp[40];
    java_double_string(d, tmp);
    gv_buf_puts(b, tmp);
}

/* A C string printed with pr-on: quoted when printing readably. */
static void pr_text(pr_ctx *c, const char *s) {
    if (c->readably) gv_buf_put_escaped(c->b, s, strlen(s));
    else gv_buf_puts(c->b, s);
}

/* Any seq or seqable walked with first/next, Clojure's print-sequential:
 * the next step is taken before the element is printed, as Clojure's
 * destructuring does. */
static void pr_seq(pr_ctx *c, gv_val coll, const char *open, const char *sep, const char *close) {
    gv_vm *vm = c->vm;
    if (!coll_enter(c)) return;
    gv_buf_puts(c->b, open);
    gv_val *mark = stack_mark(vm);
    gv_val *cur = gv_push(vm, coll);
    gv_val *x = gv_push(vm, GV_NILV);
    *cur = gv_seq(vm, *cur);
    int64_t left = c->length;
    while (cur->t != GV_NIL) {
        *x = gv_first(vm, *cur);
        *cur = gv_next(vm, *cur);
        if (left == 0) {
            gv_buf_puts(c->b, "...");
            break;
        }
        pr_val(c, *x);
        if (left > 0) left--;
        if (cur->t != GV_NIL) gv_buf_puts(c->b, sep);
    }
    stack_reset(vm, mark);
    c->depth--;
    gv_buf_puts(c->b, close);
}

static void pr_vector(pr_ctx *c, gv_val v) {
    if (!coll_enter(c)) return;
    gv_buf_putc(c->b, '[');
    gv_val *mark = stack_mark(c->vm);
    gv_val *vec = gv_push(c->vm, v);
    int64_t n = gv_vec_count(v);
    for (int64_t i = 0; i < n; i++) {
        if (i) gv_buf_putc(c->b, ' ');
        if (c->length >= 0 && i >= c->length) {
            gv_buf_puts(c->b, "...");
            break;
        }
        pr_val(c, gv_vec_nth(*vec, i));
    }
    stack_reset(c->vm, mark);
    c->depth--;
    gv_buf_putc(c->b, ']');
}

/* Copies map entries / set elements into a rooted array object. */
typedef struct fill_ctx {
    gv_vnode *arr;
    uint32_t i;
} fill_ctx;

static bool fill_entry(gv_vm *vm, gv_val k, gv_val v, void *ctx) {
    (void)vm;
    fill_ctx *f = ctx;
    if (f->i + 2 > f->arr->n) return false;
    f->arr->a[f->i++] = k;
    f->arr->a[f->i++] = v;
    return true;
}

static bool fill_elem(gv_vm *vm, gv_val x, void *ctx) {
    (void)vm;
    fill_ctx *f = ctx;
    if (f->i + 1 > f->arr->n) return false;
    f->arr->a[f->i++] = x;
    return true;
}

static gv_vnode *array_new(gv_vm *vm, uint32_t n) {
    gv_vnode *a = gv_alloc(vm, GV_VNODE, sizeof(gv_vnode) + (size_t)n * sizeof(gv_val));
    a->n = n;
    for (uint32_t i = 0; i < n; i++) a->a[i] = GV_NILV;
    return a;
}

/* True when printing is to lift a common key namespace (#:ns{...}):
 * clojure.core/ *print-namespace-maps* if grove defines it, else true as
 * under clojure.main. */
static bool lift_namespaces(gv_vm *vm) {
    static const char name[] = "*print-namespace-maps*";
    gv_symbol *s = gv_sym_intern(vm, NULL, 0, name, sizeof name - 1);
    gv_var *var = vm->core_ns ? gv_ns_resolve(vm, vm->core_ns, s) : NULL;
    if (!var || !(var->h.flags & GV_VAR_BOUND)) return true;
    return gv_truthy(gv_var_get(vm, var));
}

static const gv_symbol *ident_sym(gv_val k) {
    if (k.t == GV_KEYWORD) return GV_AS(gv_keyword, k)->sym;
    if (k.t == GV_SYMBOL) {
        const gv_symbol *s = GV_AS(gv_symbol, k);
        return s->base ? s->base : s;
    }
    return NULL;
}

/* The namespace all N keys of KV share, or NULL. */
static const gv_string *common_key_ns(const gv_val *kv, uint32_t n) {
    const gv_string *ns = NULL;
    for (uint32_t i = 0; i < n; i++) {
        const gv_symbol *s = ident_sym(kv[2 * i]);
        if (!s || !s->ns) return NULL;
        if (ns && (ns->len != s->ns->len || memcmp(ns->data, s->ns->data, ns->len) != 0))
            return NULL;
        ns = s->ns;
    }
    return ns;
}

static void pr_map(pr_ctx *c, gv_val m) {
    gv_vm *vm = c->vm;
    if (!coll_enter(c)) return;
    gv_val *mark = stack_mark(vm);
    uint32_t n = (uint32_t)gv_map_count(m);
    fill_ctx f = {array_new(vm, 2 * n), 0};
    gv_val *arr = gv_push(vm, gv_mk(GV_VNODE, f.arr));
    gv_map_each(vm, m, fill_entry, &f);
    n = f.i / 2;
    const gv_string *ns = n ? common_key_ns(f.arr->a, n) : NULL;
    if (ns && lift_namespaces(vm)) {
        gv_buf_puts(c->b, "#:");
        gv_buf_put(c->b, ns->data, ns->len);
    } else {
        ns = NULL;
    }
    gv_buf_putc(c->b, '{');
    for (uint32_t i = 0; i < n; i++) {
        if (i) gv_buf_puts(c->b, ", ");
        if (c->length >= 0 && i >= c->length) {
            gv_buf_puts(c->b, "...");
            break;
        }
        gv_val k = GV_AS(gv_vnode, *arr)->a[2 * i];
        if (ns) { /* the key without its namespace */
            if (k.t == GV_KEYWORD) gv_buf_putc(c->b, ':');
            const gv_string *nm = ident_sym(k)->name;
            gv_buf_put(c->b, nm->data, nm->len);
        } else {
            pr_val(c, k);
        }
        gv_buf_putc(c->b, ' ');
        pr_val(c, GV_AS(gv_vnode, *arr)->a[2 * i + 1]);
    }
    stack_reset(vm, mark);
    c->depth--;
    gv_buf_putc(c->b, '}');
}

static void pr_set(pr_ctx *c, gv_val s) {
    gv_vm *vm = c->vm;
    if (!coll_enter(c)) return;
    gv_buf_puts(c->b, "#{");
    gv_val *mark = stack_mark(vm);
    uint32_t n = (uint32_t)gv_set_count(s);
    fill_ctx f = {array_new(vm, n), 0};
    gv_val *arr = gv_push(vm, gv_mk(GV_VNODE, f.arr));
    gv_set_each(vm, s, fill_elem, &f);
    n = f.i;
    for (uint32_t i = 0; i < n; i++) {
        if (i) gv_buf_putc(c->b, ' ');
        if (c->length >= 0 && i >= c->length) {
            gv_buf_puts(c->b, "...");
            break;
        }
        pr_val(c, GV_AS(gv_vnode, *arr)->a[i]);
    }
    stack_reset(vm, mark);
    c->depth--;
    gv_buf_putc(c->b, '}');
}

/* #object[CLASS 0xHASH REP] where REP is printed by pr_val (a tagged
 * object's map or its toString). */
static void object_open(pr_ctx *c, gv_val v, const char *cls) {
    gv_buf_puts(c->b, "#object[");
    if (cls) gv_buf_puts(c->b, cls);
    else put_fn_class(c->b, v);
    gv_buf_puts(c->b, " 0x");
    put_identity(c->b, v);
    gv_buf_putc(c->b, ' ');
}

/* #object[CLASS 0xHASH "CLASS@HASH"], Clojure's print of a plain object. */
static void pr_object(pr_ctx *c, gv_val v, const char *cls) {
    object_open(c, v, cls);
    gv_buf tmp;
    gv_buf_init(&tmp);
    if (cls) gv_buf_puts(&tmp, cls);
    else put_fn_class(&tmp, v);
    gv_buf_putc(&tmp, '@');
    put_identity(&tmp, v);
    /* pr_text cannot throw, so TMP cannot leak */
    pr_text(c, tmp.p);
    gv_buf_free(&tmp);
    gv_buf_putc(c->b, ']');
}

/* A deref-able's #object[CLASS 0xHASH {:status S, :val V}]. */
static void pr_tagged(pr_ctx *c, gv_val v, const char *cls, const char *status, gv_val val) {
    gv_vm *vm = c->vm;
    gv_val *mark = stack_mark(vm);
    gv_push(vm, v);
    gv_push(vm, val);
    gv_val kv[4] = {gv_kw(vm, "status"), gv_kw(vm, status), gv_kw(vm, "val"), val};
    gv_val *m = gv_push(vm, gv_map_from(vm, 2, kv));
    object_open(c, v, cls);
    pr_val(c, *m);
    gv_buf_putc(c->b, ']');
    stack_reset(vm, mark);
}

static void pr_process(pr_ctx *c, gv_val v) {
    gv_vm *vm = c->vm;
    gv_proc *p = GV_AS(gv_proc, v);
    const char *st;
    switch (p->state) {
    case GV_P_READY: st = "ready"; break;
    case GV_P_RUNNING: st = "running"; break;
    case GV_P_SLEEPING: st = "sleeping"; break;
    case GV_P_DONE: st = "done"; break;
    default: st = "failed"; break;
    }
    gv_val *mark = stack_mark(vm);
    gv_push(vm, v);
    gv_val kv[4] = {gv_kw(vm, "id"), gv_l((int64_t)p->id), gv_kw(vm, "status"), gv_kw(vm, st)};
    gv_val *m = gv_push(vm, gv_map_from(vm, 2, kv));
    object_open(c, v, "grove.Process");
    pr_val(c, *m);
    gv_buf_putc(c->b, ']');
    stack_reset(vm, mark);
}

/* A trace element [name file line col] in the shape of Clojure's
 * [class method file line]: the name as a symbol. */
static void pr_trace_elem(pr_ctx *c, gv_val fr) {
    if (fr.t != GV_VECTOR || gv_vec_count(fr) < 4) {
        pr_val(c, fr);
        return;
    }
    gv_val name = gv_vec_nth(fr, 0), file = gv_vec_nth(fr, 1);
    gv_buf_putc(c->b, '[');
    if (name.t == GV_STRING) gv_buf_puts(c->b, GV_AS(gv_string, name)->data);
    else pr_val(c, name);
    gv_buf_putc(c->b, ' ');
    pr_val(c, file);
    gv_buf_printf(c->b, " %lld %lld]", (long long)gv_vec_nth(fr, 2).as.i,
                  (long long)gv_vec_nth(fr, 3).as.i);
}

static bool has_trace(gv_val t) { return t.t == GV_VECTOR && gv_vec_count(t) > 0; }

/* Clojure 1.11's print-throwable over Throwable->map: the root cause's
 * message and data, the chain of causes (:via), the root's trace. */
static void pr_exception(pr_ctx *c, gv_val v) {
    gv_vm *vm = c->vm;
    gv_val *mark = stack_mark(vm);
    gv_push(vm, v);
    gv_val root = v;
    for (int guard = 0; guard < 1000; guard++) {
        gv_val cause = GV_AS(gv_exception, root)->cause;
        if (cause.t != GV_EXCEPTION) break;
        root = cause;
    }
    gv_exception *r = GV_AS(gv_exception, root);
    gv_buf_puts(c->b, "#error {\n :cause ");
    pr_val(c, r->msg);
    if (r->data.t != GV_NIL) {
        gv_buf_puts(c->b, "\n :data ");
        pr_val(c, r->data);
    }
    gv_buf_puts(c->b, "\n :via\n [");
    gv_val e = v;
    for (int i = 0; e.t == GV_EXCEPTION && i < 1000; i++) {
        gv_exception *x = GV_AS(gv_exception, e);
        if (i) gv_buf_puts(c->b, "\n  ");
        gv_buf_puts(c->b, "{:type ");
        put_exception_class(c->b, x);
        gv_buf_puts(c->b, "\n   :message ");
        pr_val(c, x->msg);
        if (x->data.t != GV_NIL) {
            gv_buf_puts(c->b, "\n   :data ");
            pr_val(c, x->data);
        }
        if (has_trace(x->trace)) {
            gv_buf_puts(c->b, "\n   :at ");
            pr_trace_elem(c, gv_vec_nth(x->trace, 0));
        }
        gv_buf_putc(c->b, '}');
        e = x->cause;
    }
    gv_buf_puts(c->b, "]\n :trace\n [");
    if (has_trace(r->trace)) {
        for (int64_t i = 0; i < gv_vec_count(r->trace); i++) {
            if (i) gv_buf_puts(c->b, "\n  ");
            pr_trace_elem(c, gv_vec_nth(r->trace, i));
        }
    }
    gv_buf_puts(c->b, "]}");
    stack_reset(vm, mark);
}

static void pr_val(pr_ctx *c, gv_val v) {
    gv_buf *b = c->b;
    switch (v.t) {
    case GV_NIL: gv_buf_puts(b, "nil"); return;
    case GV_BOOL: gv_buf_puts(b, v.as.b ? "true" : "false"); return;
    case GV_LONG: gv_buf_printf(b, "%lld", (long long)v.as.i); return;
    case GV_DOUBLE:
        if (isnan(v.as.d)) gv_buf_puts(b, "##NaN");
        else if (isinf(v.as.d)) gv_buf_puts(b, v.as.d > 0 ? "##Inf" : "##-Inf");
        else put_double(b, v.as.d);
        return;
    case GV_CHAR:
        if (c->readably) put_char_readably(b, v.as.c);
        else gv_buf_put_utf8(b, v.as.c);
        return;
    case GV_STRING:
        if (c->readably) gv_buf_put_escaped(b, GV_AS(gv_string, v)->data, GV_AS(gv_string, v)->len);
        else gv_buf_put(b, GV_AS(gv_string, v)->data, GV_AS(gv_string, v)->len);
        return;
    case GV_SYMBOL: put_symbol(b, GV_AS(gv_symbol, v)); return;
    case GV_KEYWORD:
        gv_buf_putc(b, ':');
        put_symbol(b, GV_AS(gv_keyword, v)->sym);
        return;
    case GV_LIST: case GV_CONS: case GV_LAZYSEQ: case GV_ARRAYSEQ: case GV_RANGE:
        pr_seq(c, v, "(", " ", ")");
        return;
    case GV_VECTOR: pr_vector(c, v); return;
    case GV_ARRAYMAP: case GV_HASHMAP: pr_map(c, v); return;
    case GV_SET: pr_set(c, v); return;
    case GV_FN: case GV_NATIVE: pr_object(c, v, NULL); return;
    case GV_ATOM:
        pr_tagged(c, v, "clojure.lang.Atom", "ready", GV_AS(gv_atom, v)->val);
        return;
    case GV_VOLATILE:
        pr_tagged(c, v, "clojure.lang.Volatile", "ready", GV_AS(gv_volatile, v)->val);
        return;
    case GV_DELAY: {
        gv_delay *d = GV_AS(gv_delay, v);
        if (d->fn.t != GV_NIL) pr_tagged(c, v, "clojure.lang.Delay", "pending", GV_NILV);
        else if (d->exc.t != GV_NIL) pr_tagged(c, v, "clojure.lang.Delay", "failed", d->exc);
        else pr_tagged(c, v, "clojure.lang.Delay", "ready", d->val);
        return;
    }
    case GV_VAR: {
        gv_var *var = GV_AS(gv_var, v);
        gv_buf_puts(b, "#'");
        if (var->ns) {
            put_symbol(b, var->ns->name);
            gv_buf_putc(b, '/');
        }
        put_symbol(b, var->sym);
        return;
    }
    case GV_NS:
        /* Clojure 1.11 has no print-method for namespaces (1.12's is
         * #namespace[user]) */
        object_open(c, v, "clojure.lang.Namespace");
        pr_text(c, GV_AS(gv_ns, v)->name->name->data);
        gv_buf_putc(b, ']');
        return;
    case GV_EXCEPTION: pr_exception(c, v); return;
    case GV_REGEX:
        gv_buf_puts(b, "#\"");
        gv_buf_put(b, GV_AS(gv_regex, v)->source->data, GV_AS(gv_regex, v)->source->len);
        gv_buf_putc(b, '"');
        return;
    case GV_PROCESS: pr_process(c, v); return;
    case GV_CAP:
        gv_buf_puts(b, "#object[");
        gv_buf_puts(b, GV_AS(gv_cap, v)->type_name);
        gv_buf_puts(b, " 0x");
        put_identity(b, v);
        gv_buf_putc(b, ']');
        return;
    default:
        if (GV_IS_OBJ(v)) pr_object(c, v, gv_type_name(v));
        else gv_buf_puts(b, "#object[unknown]");
        return;
    }
}

void gv_pr(gv_vm *vm, gv_buf *b, gv_val v, const gv_print_opts *o) {
    pr_ctx c = {vm, b, o ? o->readably : true, o ? o->length : -1, o ? o->level : -1, 0};
    pr_val(&c, v);
}

gv_print_opts gv_print_opts_current(gv_vm *vm, bool readably) {
    gv_print_opts o = {readably, -1, -1};
    gv_val len = gv_var_get(vm, vm->v_print_length);
    /* Clojure counts *print-length* down to zero: a negative or
     * fractional one never stops it */
    if (len.t == GV_LONG && len.as.i >= 0) o.length = len.as.i;
    else if (len.t == GV_DOUBLE && len.as.d >= 0 && len.as.d == floor(len.as.d) &&
             len.as.d < 9.2e18)
        o.length = (int64_t)len.as.d;
    /* ... and *print-level* down past zero: any negative one hides every
     * collection, as 0 does */
    gv_val lev = gv_var_get(vm, vm->v_print_level);
    if (lev.t == GV_LONG) o.level = lev.as.i < 0 ? 0 : lev.as.i;
    else if (lev.t == GV_DOUBLE && !isnan(lev.as.d))
        o.level = lev.as.d < 0 ? 0 : lev.as.d > 1e18 ? -1 : (int64_t)floor(lev.as.d);
    return o;
}

/* ---- str ------------------------------------------------------------------ */

/* Java's hashCode (not Clojure's hasheq), which Object.toString shows for
 * a LazySeq: List, Map and Set hashes over the elements' hashCodes. */
static uint32_t java_hash(gv_vm *vm, gv_val v, int depth);

static uint32_t java_string_hash(const char *s, size_t n) {
    uint32_t h = 0;
    size_t i = 0;
    while (i < n) {
        int len;
        int32_t cp = gv_utf8_decode(s + i, n - i, &len);
        i += (size_t)(len > 0 ? len : 1);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = 31 * h + (uint32_t)(0xD800 + (cp >> 10));
            h = 31 * h + (uint32_t)(0xDC00 + (cp & 0x3FF));
        } else {
            h = 31 * h + (uint32_t)cp;
        }
    }
    return h;
}

static uint32_t java_symbol_hash(const gv_symbol *s) {
    if (s->base) s = s->base;
    uint32_t seed = java_string_hash(s->name->data, s->name->len);
    uint32_t h = s->ns ? java_string_hash(s->ns->data, s->ns->len) : 0;
    return seed ^ (h + 0x9e3779b9u + (seed << 6) + (seed >> 2));
}

typedef struct jh_ctx {
    uint32_t h;
    int depth;
} jh_ctx;

static bool jh_entry(gv_vm *vm, gv_val k, gv_val v, void *ctx) {
    jh_ctx *j = ctx;
    j->h += java_hash(vm, k, j->depth) ^ java_hash(vm, v, j->depth);
    return true;
}

static bool jh_elem(gv_vm *vm, gv_val x, void *ctx) {
    jh_ctx *j = ctx;
    j->h += java_hash(vm, x, j->depth);
    return true;
}

/* Runs with collection inhibited (see gv_str_append), so locals need no
 * rooting even when a lazy seq is realized. */
static uint32_t java_hash(gv_vm *vm, gv_val v, int depth) {
    if (depth > PRINT_MAX_DEPTH ||
        (vm->cur && vm->cur->cstack_limit &&
         (char *)__builtin_frame_address(0) < vm->cur->cstack_limit))
        gv_throwf(vm, "StackOverflowError", "Hashing data nested more than %d levels deep",
                  depth);
    switch (v.t) {
    case GV_NIL: return 0;
    case GV_BOOL: return v.as.b ? 1231 : 1237;
    case GV_LONG: return (uint32_t)((uint64_t)v.as.i ^ ((uint64_t)v.as.i >> 32));
    case GV_DOUBLE: {
        uint64_t bits;
        double d = v.as.d;
        if (isnan(d)) bits = 0x7ff8000000000000ull;
        else memcpy(&bits, &d, sizeof bits);
        return (uint32_t)(bits ^ (bits >> 32));
    }
    case GV_CHAR: return (uint32_t)v.as.c;
    case GV_STRING: return java_string_hash(GV_AS(gv_string, v)->data, GV_AS(gv_string, v)->len);
    case GV_SYMBOL: return java_symbol_hash(GV_AS(gv_symbol, v));
    case GV_KEYWORD: return java_symbol_hash(GV_AS(gv_keyword, v)->sym) + 0x9e3779b9u;
    case GV_LIST: case GV_CONS: case GV_LAZYSEQ: case GV_ARRAYSEQ: case GV_RANGE:
    case GV_VECTOR: {
        uint32_t h = 1;
        for (gv_val s = gv_seq(vm, v); s.t != GV_NIL; s = gv_next(vm, s))
            h = 31 * h + java_hash(vm, gv_first(vm, s), depth + 1);
        return h;
    }
    case GV_ARRAYMAP: case GV_HASHMAP: {
        jh_ctx j = {0, depth + 1};
        gv_map_each(vm, v, jh_entry, &j);
        return j.h;
    }
    case GV_SET: {
        jh_ctx j = {0, depth + 1};
        gv_set_each(vm, v, jh_elem, &j);
        return j.h;
    }
    default: return (uint32_t)((uintptr_t)GV_OBJ(v) >> 4);
    }
}

void gv_str_append(gv_vm *vm, gv_buf *b, gv_val v) {
    switch (v.t) {
    case GV_NIL: return;
    case GV_CHAR: gv_buf_put_utf8(b, v.as.c); return;
    case GV_STRING: gv_buf_put(b, GV_AS(gv_string, v)->data, GV_AS(gv_string, v)->len); return;
    case GV_DOUBLE: put_double(b, v.as.d); return;
    case GV_BOOL: case GV_LONG: case GV_SYMBOL: case GV_KEYWORD: case GV_VAR: {
        gv_print_opts o = {false, -1, -1};
        gv_pr(vm, b, v, &o);
        return;
    }
    case GV_REGEX:
        gv_buf_put(b, GV_AS(gv_regex, v)->source->data, GV_AS(gv_regex, v)->source->len);
        return;
    case GV_NS: gv_buf_puts(b, GV_AS(gv_ns, v)->name->name->data); return;
    case GV_LAZYSEQ: {
        /* LazySeq has no toString of its own: Object's class@hashCode */
        gv_gc_inhibit(vm);
        uint32_t h = java_hash(vm, v, 0);
        gv_gc_allow(vm);
        gv_buf_printf(b, "clojure.lang.LazySeq@%x", h);
        return;
    }
    case GV_LIST: case GV_CONS: case GV_ARRAYSEQ: case GV_RANGE: case GV_VECTOR:
    case GV_ARRAYMAP: case GV_HASHMAP: case GV_SET: {
        /* toString is RT.printString: pr under the current bindings */
        gv_print_opts o = gv_print_opts_current(vm, gv_truthy(gv_var_get(vm, vm->v_print_readably)));
        gv_pr(vm, b, v, &o);
        return;
    }
    case GV_EXCEPTION: {
        gv_exception *e = GV_AS(gv_exception, v);
        put_exception_class(b, e);
        bool info = strcmp(exception_class(e), "clojure.lang.ExceptionInfo") == 0;
        if (info) {
            gv_buf_puts(b, ": ");
            if (e->msg.t == GV_NIL) gv_buf_puts(b, "null");
            else gv_str_append(vm, b, e->msg);
            gv_buf_putc(b, ' ');
            gv_str_append(vm, b, e->data);
        } else if (e->msg.t != GV_NIL) {
            gv_buf_puts(b, ": ");
            gv_str_append(vm, b, e->msg);
        }
        return;
    }
    case GV_FN: case GV_NATIVE: put_fn_class(b, v); break;
    case GV_CAP: gv_buf_puts(b, GV_AS(gv_cap, v)->type_name); break;
    default:
        if (!GV_IS_OBJ(v)) return;
        gv_buf_puts(b, gv_type_name(v));
        break;
    }
    gv_buf_putc(b, '@');
    put_identity(b, v);
}

/* ---- The public entry point ---------------------------------------------- */

typedef struct print_job {
    gv_buf buf;
    gv_print_opts opts;
} print_job;

static gv_val print_job_run(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc;
    print_job *j = data;
    gv_pr(vm, &j->buf, argv[0], &j->opts);
    return GV_NILV;
}

/* Owner: the caller frees the returned string.  Runs as a protected call
 * (in a process of its own when none is running), so a throw while
 * realizing a lazy seq comes back as NULL with the exception in *ERR. */
char *gv_print_str(gv_vm *vm, gv_val v, const gv_print_opts *opts, gv_val *err) {
    print_job j;
    gv_buf_init(&j.buf);
    j.opts = opts ? *opts : (gv_print_opts){true, -1, -1};
    gv_val f = gv_native_new(vm, "grove.printer/print-str", print_job_run, &j, 1, 1);
    gv_val out;
    if (gv_pcall(vm, f, 1, &v, &out) != GV_OK) {
        gv_buf_free(&j.buf);
        if (err) *err = out;
        return NULL;
    }
    return gv_buf_take(&j.buf);
}
