/* core_num.c — the numeric part of clojure.core as natives.
 *
 * grove has two kinds of number, 64-bit longs and doubles.  Every
 * operation follows Clojure 1.11's boxed (clojure.lang.Numbers Object)
 * path, which is what `apply` and higher-order uses reach: longs stay
 * longs and throw ArithmeticException "long overflow", a double on either
 * side makes the result a double, and anything else is a ClassCastException
 * (NullPointerException for nil) naming the offending value's class.  The
 * evaluator inlines the long/long fast paths of + - < ... itself and calls
 * the gv_num_* functions below for everything else, so both paths agree.
 *
 * Known deviations, all for want of ratios and bigints:
 *   - (/ 1 2) is 0.5 (Clojure: the ratio 1/2).
 *   - +' -' *' inc' dec' promote to a double on overflow (Clojure: a
 *     BigInt).
 *   - (char n) accepts any code point up to 0x10FFFF (Clojure: 0xFFFF).
 * rand and rand-int draw from a xorshift generator whose state lives in a
 * volatile shared by the two natives as their closure environment, so
 * every VM has its own stream and no C state is global. */
#include "vm.h"

#include <errno.h>
#include <math.h>
#include <time.h>

/* ---- errors ------------------------------------------------------------ */

static const char *java_module(const char *cls) {
    return strncmp(cls, "java.", 5) == 0 ? "module java.base of loader 'bootstrap'"
                                         : "unnamed module of loader 'app'";
}

/* Throws the JVM's ClassCastException for casting V to class TO (e.g.
 * "java.lang.Number"), or a NullPointerException when V is nil. */
_Noreturn void gv_throw_cast(gv_vm *vm, gv_val v, const char *to) {
    if (v.t == GV_NIL)
        gv_throwf(vm, "NullPointerException",
                  "Cannot invoke \"Object.getClass()\" because \"x\" is null");
    const char *from = gv_type_name(v);
    const char *mf = java_module(from), *mt = java_module(to);
    if (strcmp(mf, mt) == 0)
        gv_throwf(vm, "ClassCastException",
                  "class %s cannot be cast to class %s (%s and %s are in %s)",
                  from, to, from, to, mf);
    gv_throwf(vm, "ClassCastException",
              "class %s cannot be cast to class %s (%s is in %s; %s is in %s)",
              from, to, from, mf, to, mt);
}

static _Noreturn void not_number(gv_vm *vm, gv_val v) {
    gv_throw_cast(vm, v, "java.lang.Number");
}

/* Conversions whose JVM code calls Number.doubleValue() report nil so. */
static _Noreturn void not_number_dv(gv_vm *vm, gv_val v) {
    if (v.t == GV_NIL)
        gv_throwf(vm, "NullPointerException",
                  "Cannot invoke \"java.lang.Number.doubleValue()\" because \"x\" is null");
    not_number(vm, v);
}

static _Noreturn void overflow(gv_vm *vm) {
    gv_throwf(vm, "ArithmeticException", "long overflow");
}

static _Noreturn void div_zero(gv_vm *vm) {
    gv_throwf(vm, "ArithmeticException", "Divide by zero");
}

static inline bool is_num(gv_val v) { return v.t == GV_LONG || v.t == GV_DOUBLE; }

static inline void check_num(gv_vm *vm, gv_val v) {
    if (!is_num(v)) not_number(vm, v);
}

/* Numbers.ops(x).combine(ops(y)) asks both for their class first (so a
 * nil on either side is the NullPointerException), then casts x, then y. */
static inline void check_nums(gv_vm *vm, gv_val a, gv_val b) {
    if (is_num(a) && is_num(b)) return;
    if (a.t == GV_NIL) not_number(vm, a);
    if (b.t == GV_NIL) not_number(vm, b);
    check_num(vm, a);
    check_num(vm, b);
}

static inline double dbl(gv_val v) { return v.t == GV_LONG ? (double)v.as.i : v.as.d; }

static inline bool is_zero(gv_val v) {
    return v.t == GV_LONG ? v.as.i == 0 : v.as.d == 0.0;
}

static inline bool is_nan(gv_val v) { return v.t == GV_DOUBLE && isnan(v.as.d); }

/* The text of V as `str` makes it, for error messages.  The string is a
 * fresh GC object; callers use it before allocating again. */
static const char *str_text(gv_vm *vm, gv_val v) {
    return GV_AS(gv_string, gv_str_of(vm, v))->data;
}

/* ---- argument helpers (declared in gv.h) ------------------------------- */

/* RT.longCast of a double: truncation, out of range throws. */
static int64_t long_of_double(gv_vm *vm, gv_val orig, double d) {
    if (isnan(d)) return 0;
    if (d < -9223372036854775808.0 || d > 9223372036854775807.0)
        gv_throwf(vm, "IllegalArgumentException", "Value out of range for long: %s",
                  str_text(vm, orig));
    if (d >= 9223372036854775807.0) return INT64_MAX; /* 2^63 saturates as in Java */
    return (int64_t)d;
}

int64_t gv_arg_long(gv_vm *vm, gv_val v) {
    if (v.t == GV_LONG) return v.as.i;
    if (v.t == GV_DOUBLE) return long_of_double(vm, v, v.as.d);
    not_number(vm, v);
}

gv_string *gv_arg_string(gv_vm *vm, gv_val v) {
    if (v.t == GV_STRING) return GV_AS(gv_string, v);
    if (v.t == GV_NIL)
        gv_throwf(vm, "NullPointerException",
                  "Cannot invoke \"String.length()\" because \"s\" is null");
    gv_throw_cast(vm, v, "java.lang.String");
}

/* ---- binary arithmetic ------------------------------------------------- */

gv_val gv_num_add(gv_vm *vm, gv_val a, gv_val b) {
    if (a.t == GV_LONG && b.t == GV_LONG) {
        int64_t r;
        if (__builtin_add_overflow(a.as.i, b.as.i, &r)) overflow(vm);
        return gv_l(r);
    }
    check_nums(vm, a, b);
    return gv_d(dbl(a) + dbl(b));
}

/* Numbers.minus(Object, Object) is x + (-y) with y negated in y's own
 * kind, so a long Long.MIN_VALUE subtrahend always overflows. */
gv_val gv_num_sub(gv_vm *vm, gv_val a, gv_val b) {
    if (a.t == GV_LONG && b.t == GV_LONG) {
        int64_t r;
        if (b.as.i == INT64_MIN || __builtin_sub_overflow(a.as.i, b.as.i, &r)) overflow(vm);
        return gv_l(r);
    }
    check_nums(vm, a, b);
    if (b.t == GV_LONG && b.as.i == INT64_MIN) overflow(vm);
    return gv_d(dbl(a) - dbl(b));
}

gv_val gv_num_mul(gv_vm *vm, gv_val a, gv_val b) {
    if (a.t == GV_LONG && b.t == GV_LONG) {
        int64_t r;
        if (__builtin_mul_overflow(a.as.i, b.as.i, &r)) overflow(vm);
        return gv_l(r);
    }
    check_nums(vm, a, b);
    return gv_d(dbl(a) * dbl(b));
}

/* Numbers.divide(Object, Object): a NaN operand wins, then a zero divisor
 * of either kind throws, then long/long is exact when it divides. */
gv_val gv_num_div(gv_vm *vm, gv_val a, gv_val b) {
    if (is_nan(a)) return a;
    if (is_nan(b)) return b;
    check_num(vm, b);
    if (is_zero(b)) div_zero(vm);
    check_num(vm, a);
    if (a.t == GV_LONG && b.t == GV_LONG) {
        int64_t x = a.as.i, y = b.as.i;
        /* Long.MIN_VALUE / -1 wraps, as Clojure's gcd-based divide does */
        if (y == -1) return gv_l((int64_t)(0ull - (uint64_t)x));
        if (x % y == 0) return gv_l(x / y);
        /* Known deviation: Clojure returns the ratio x/y here. */
        return gv_d((double)x / (double)y);
    }
    return gv_d(dbl(a) / dbl(b));
}

/* Promoting variants: on long overflow the result is a double. */
static gv_val add_p(gv_vm *vm, gv_val a, gv_val b) {
    if (a.t == GV_LONG && b.t == GV_LONG) {
        int64_t r;
        if (__builtin_add_overflow(a.as.i, b.as.i, &r)) return gv_d((double)a.as.i + (double)b.as.i);
        return gv_l(r);
    }
    return gv_num_add(vm, a, b);
}

static gv_val sub_p(gv_vm *vm, gv_val a, gv_val b) {
    if (a.t == GV_LONG && b.t == GV_LONG) {
        int64_t r;
        if (__builtin_sub_overflow(a.as.i, b.as.i, &r)) return gv_d((double)a.as.i - (double)b.as.i);
        return gv_l(r);
    }
    if (is_num(a) && is_num(b)) return gv_d(dbl(a) - dbl(b)); /* -MIN promotes */
    return gv_num_sub(vm, a, b);
}

static gv_val mul_p(gv_vm *vm, gv_val a, gv_val b) {
    if (a.t == GV_LONG && b.t == GV_LONG) {
        int64_t r;
        if (__builtin_mul_overflow(a.as.i, b.as.i, &r)) return gv_d((double)a.as.i * (double)b.as.i);
        return gv_l(r);
    }
    return gv_num_mul(vm, a, b);
}

/* Unchecked variants wrap around. */
static gv_val add_u(gv_vm *vm, gv_val a, gv_val b) {
    if (a.t == GV_LONG && b.t == GV_LONG) return gv_l((int64_t)((uint64_t)a.as.i + (uint64_t)b.as.i));
    return gv_num_add(vm, a, b);
}

/* x + (-y) with y negated unchecked, so -MIN stays MIN even when x is a
 * double (as Clojure's unchecked_minus does). */
static gv_val sub_u(gv_vm *vm, gv_val a, gv_val b) {
    if (a.t == GV_LONG && b.t == GV_LONG) return gv_l((int64_t)((uint64_t)a.as.i - (uint64_t)b.as.i));
    if (is_num(a) && b.t == GV_LONG)
        return gv_d(dbl(a) + (double)(int64_t)(0ull - (uint64_t)b.as.i));
    if (is_num(a) && is_num(b)) return gv_d(dbl(a) - dbl(b));
    return gv_num_sub(vm, a, b);
}

static gv_val mul_u(gv_vm *vm, gv_val a, gv_val b) {
    if (a.t == GV_LONG && b.t == GV_LONG) return gv_l((int64_t)((uint64_t)a.as.i * (uint64_t)b.as.i));
    return gv_num_mul(vm, a, b);
}

/* The JVM's quotient/remainder on doubles go through BigDecimal when the
 * quotient is outside the long range, which rejects infinities and NaN. */
static double big_trunc(gv_vm *vm, double q) {
    if (isnan(q) || isinf(q))
        gv_throwf(vm, "NumberFormatException", "Infinite or NaN");
    return trunc(q);
}

static bool in_long_range(double q) {
    return q <= 9223372036854775807.0 && q >= -9223372036854775808.0;
}

/* Java's (long) of an in-range double (2^63 saturates). */
static int64_t long_trunc(double q) {
    return q >= 9223372036854775807.0 ? INT64_MAX : (int64_t)q;
}

static gv_val num_quot(gv_vm *vm, gv_val a, gv_val b) {
    check_num(vm, b);
    if (is_zero(b)) div_zero(vm);
    check_num(vm, a);
    if (a.t == GV_LONG && b.t == GV_LONG) {
        if (b.as.i == -1) return gv_l((int64_t)(0ull - (uint64_t)a.as.i));
        return gv_l(a.as.i / b.as.i);
    }
    double q = dbl(a) / dbl(b);
    /* (double)(long)q: a zero quotient is +0.0, as in Java */
    if (in_long_range(q)) return gv_d((double)long_trunc(q));
    return gv_d(big_trunc(vm, q));
}

static gv_val num_rem(gv_vm *vm, gv_val a, gv_val b) {
    check_num(vm, b);
    if (is_zero(b)) div_zero(vm);
    check_num(vm, a);
    if (a.t == GV_LONG && b.t == GV_LONG) {
        if (b.as.i == -1) return gv_l(0);
        return gv_l(a.as.i % b.as.i);
    }
    double n = dbl(a), d = dbl(b);
    double q = n / d;
    if (in_long_range(q)) return gv_d(n - (double)long_trunc(q) * d);
    return gv_d(n - big_trunc(vm, q) * d);
}

static bool is_pos(gv_val v) { return v.t == GV_LONG ? v.as.i > 0 : v.as.d > 0; }

/* core.clj's mod: (let [m (rem n d)] (if (or (zero? m) (= (pos? n) (pos? d))) m (+ m d))) */
static gv_val num_mod(gv_vm *vm, gv_val a, gv_val b) {
    gv_val m = num_rem(vm, a, b);
    if (is_zero(m) || is_pos(a) == is_pos(b)) return m;
    return gv_num_add(vm, m, b);
}

/* ---- comparison --------------------------------------------------------- */

enum { CMP_LT, CMP_LTE, CMP_GT, CMP_GTE };

static inline bool num_cmp(gv_vm *vm, int op, gv_val a, gv_val b) {
    if (a.t == GV_LONG && b.t == GV_LONG) {
        switch (op) {
        case CMP_LT: return a.as.i < b.as.i;
        case CMP_LTE: return a.as.i <= b.as.i;
        case CMP_GT: return a.as.i > b.as.i;
        default: return a.as.i >= b.as.i;
        }
    }
    if (op == CMP_GT && !(is_num(a) && is_num(b)) && a.t != GV_NIL && b.t != GV_NIL)
        check_nums(vm, b, a); /* gt(x, y) is lt(y, x): y is cast first */
    check_nums(vm, a, b);
    double x = dbl(a), y = dbl(b);
    switch (op) {
    case CMP_LT: return x < y;
    case CMP_LTE: return x <= y;
    case CMP_GT: return x > y;
    default: return x >= y;
    }
}

bool gv_num_lt(gv_vm *vm, gv_val a, gv_val b) { return num_cmp(vm, CMP_LT, a, b); }
bool gv_num_lte(gv_vm *vm, gv_val a, gv_val b) { return num_cmp(vm, CMP_LTE, a, b); }
bool gv_num_gt(gv_vm *vm, gv_val a, gv_val b) { return num_cmp(vm, CMP_GT, a, b); }
bool gv_num_gte(gv_vm *vm, gv_val a, gv_val b) { return num_cmp(vm, CMP_GTE, a, b); }

/* Clojure's == on two numbers: long/long exactly, else as doubles. */
bool gv_num_equiv(gv_vm *vm, gv_val a, gv_val b) {
    if (a.t == GV_LONG && b.t == GV_LONG) return a.as.i == b.as.i;
    check_nums(vm, a, b);
    return dbl(a) == dbl(b);
}

/* ---- natives: arithmetic ------------------------------------------------ */

typedef gv_val (*binop)(gv_vm *vm, gv_val a, gv_val b);

static gv_val fold(gv_vm *vm, int argc, gv_val *argv, binop op) {
    gv_val acc = op(vm, argv[0], argv[1]);
    for (int i = 2; i < argc; i++) acc = op(vm, acc, argv[i]);
    return acc;
}

/* (+ x) and (* x) are (cast Number x): nil passes, Class.cast's wording. */
static gv_val cast_number(gv_vm *vm, gv_val x) {
    if (x.t == GV_NIL || is_num(x)) return x;
    gv_throwf(vm, "ClassCastException", "Cannot cast %s to java.lang.Number", gv_type_name(x));
}

static gv_val n_add(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if (argc == 0) return gv_l(0);
    if (argc == 1) return cast_number(vm, argv[0]);
    return fold(vm, argc, argv, gv_num_add);
}

static gv_val n_add_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if (argc == 0) return gv_l(0);
    if (argc == 1) return cast_number(vm, argv[0]);
    return fold(vm, argc, argv, add_p);
}

static gv_val n_mul(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if (argc == 0) return gv_l(1);
    if (argc == 1) return cast_number(vm, argv[0]);
    return fold(vm, argc, argv, gv_num_mul);
}

static gv_val n_mul_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if (argc == 0) return gv_l(1);
    if (argc == 1) return cast_number(vm, argv[0]);
    return fold(vm, argc, argv, mul_p);
}

/* Negation is ops(x).negate(x): -0.0 for 0.0, unlike 0 - x. */
static gv_val negate(gv_vm *vm, gv_val x, binop sub) {
    if (x.t == GV_DOUBLE) return gv_d(-x.as.d);
    return sub(vm, gv_l(0), x);
}

static gv_val n_sub(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if (argc == 1) return negate(vm, argv[0], gv_num_sub);
    return fold(vm, argc, argv, gv_num_sub);
}

static gv_val n_sub_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if (argc == 1) return negate(vm, argv[0], sub_p);
    return fold(vm, argc, argv, sub_p);
}

static gv_val n_div(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if (argc == 1) return gv_num_div(vm, gv_l(1), argv[0]);
    return fold(vm, argc, argv, gv_num_div);
}

static gv_val n_unchecked_add(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return add_u(vm, argv[0], argv[1]);
}

static gv_val n_unchecked_sub(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return sub_u(vm, argv[0], argv[1]);
}

static gv_val n_unchecked_mul(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return mul_u(vm, argv[0], argv[1]);
}

static gv_val n_unchecked_inc(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return add_u(vm, argv[0], gv_l(1));
}

static gv_val n_unchecked_dec(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return sub_u(vm, argv[0], gv_l(1));
}

static gv_val n_unchecked_negate(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return negate(vm, argv[0], sub_u);
}

static gv_val n_inc(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return gv_num_add(vm, argv[0], gv_l(1));
}

static gv_val n_inc_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return add_p(vm, argv[0], gv_l(1));
}

static gv_val n_dec(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return gv_num_sub(vm, argv[0], gv_l(1));
}

static gv_val n_dec_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return sub_p(vm, argv[0], gv_l(1));
}

static gv_val n_quot(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return num_quot(vm, argv[0], argv[1]);
}

static gv_val n_rem(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return num_rem(vm, argv[0], argv[1]);
}

static gv_val n_mod(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return num_mod(vm, argv[0], argv[1]);
}

/* Numbers.max(Object, Object): a NaN wins, else x only when x > y. */
static gv_val max2(gv_vm *vm, gv_val a, gv_val b) {
    if (is_nan(a)) return a;
    if (is_nan(b)) return b;
    return num_cmp(vm, CMP_GT, a, b) ? a : b;
}

static gv_val min2(gv_vm *vm, gv_val a, gv_val b) {
    if (is_nan(a)) return a;
    if (is_nan(b)) return b;
    return num_cmp(vm, CMP_LT, a, b) ? a : b;
}

static gv_val n_max(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if (argc == 1) return argv[0];
    return fold(vm, argc, argv, max2);
}

static gv_val n_min(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if (argc == 1) return argv[0];
    return fold(vm, argc, argv, min2);
}

static gv_val n_abs(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    gv_val x = argv[0];
    if (x.t == GV_LONG) return gv_l(x.as.i < 0 ? (int64_t)(0ull - (uint64_t)x.as.i) : x.as.i);
    if (x.t == GV_DOUBLE) return gv_d(fabs(x.as.d));
    not_number(vm, x);
}

/* ---- natives: equality and comparison ----------------------------------- */

static gv_val n_eq(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    for (int i = 0; i + 1 < argc; i++)
        if (!gv_equiv(vm, argv[i], argv[i + 1])) return GV_FALSEV;
    return GV_TRUEV;
}

static gv_val n_not_eq(gv_vm *vm, int argc, gv_val *argv, void *data) {
    return gv_b(!gv_truthy(n_eq(vm, argc, argv, data)));
}

/* (== x) is true whatever x is; longer calls stop at the first false. */
static gv_val n_num_eq(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    for (int i = 0; i + 1 < argc; i++)
        if (!gv_num_equiv(vm, argv[i], argv[i + 1])) return GV_FALSEV;
    return GV_TRUEV;
}

static gv_val cmp_chain(gv_vm *vm, int argc, gv_val *argv, int op) {
    for (int i = 0; i + 1 < argc; i++)
        if (!num_cmp(vm, op, argv[i], argv[i + 1])) return GV_FALSEV;
    return GV_TRUEV;
}

static gv_val n_lt(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return cmp_chain(vm, argc, argv, CMP_LT);
}

static gv_val n_lte(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return cmp_chain(vm, argc, argv, CMP_LTE);
}

static gv_val n_gt(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return cmp_chain(vm, argc, argv, CMP_GT);
}

static gv_val n_gte(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return cmp_chain(vm, argc, argv, CMP_GTE);
}

static gv_val n_compare(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return gv_l(gv_compare(vm, argv[0], argv[1]));
}

static gv_val n_hash(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return gv_l((int32_t)gv_hash(vm, argv[0]));
}

/* ---- natives: predicates ------------------------------------------------ */

static gv_val n_zero_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    check_num(vm, argv[0]);
    return gv_b(is_zero(argv[0]));
}

static gv_val n_pos_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    check_num(vm, argv[0]);
    return gv_b(is_pos(argv[0]));
}

static gv_val n_neg_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    gv_val x = argv[0];
    check_num(vm, x);
    return gv_b(x.t == GV_LONG ? x.as.i < 0 : x.as.d < 0);
}

static bool even(gv_vm *vm, gv_val n) {
    if (n.t != GV_LONG)
        gv_throwf(vm, "IllegalArgumentException", "Argument must be an integer: %s",
                  str_text(vm, n));
    return (n.as.i & 1) == 0;
}

static gv_val n_even_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return gv_b(even(vm, argv[0]));
}

static gv_val n_odd_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return gv_b(!even(vm, argv[0]));
}

static gv_val n_number_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm, (void)argc, (void)data;
    return gv_b(is_num(argv[0]));
}

/* integer?, int?, rational? (longs are the only integers) */
static gv_val n_integer_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm, (void)argc, (void)data;
    return gv_b(argv[0].t == GV_LONG);
}

static gv_val n_pos_int_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm, (void)argc, (void)data;
    return gv_b(argv[0].t == GV_LONG && argv[0].as.i > 0);
}

static gv_val n_neg_int_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm, (void)argc, (void)data;
    return gv_b(argv[0].t == GV_LONG && argv[0].as.i < 0);
}

static gv_val n_nat_int_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm, (void)argc, (void)data;
    return gv_b(argv[0].t == GV_LONG && argv[0].as.i >= 0);
}

static gv_val n_double_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm, (void)argc, (void)data;
    return gv_b(argv[0].t == GV_DOUBLE);
}

/* ratio? and decimal?: grove has neither kind. */
static gv_val n_false(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm, (void)argc, (void)argv, (void)data;
    return GV_FALSEV;
}

static double double_arg(gv_vm *vm, gv_val v) {
    if (!is_num(v)) not_number_dv(vm, v);
    return dbl(v);
}

static gv_val n_nan_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return gv_b(isnan(double_arg(vm, argv[0])));
}

static gv_val n_infinite_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return gv_b(isinf(double_arg(vm, argv[0])));
}

/* ---- natives: conversions ----------------------------------------------- */

static gv_val n_num(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    if (argv[0].t == GV_NIL || is_num(argv[0])) return argv[0];
    not_number(vm, argv[0]);
}

/* RT.longCast(Object): chars give their code, doubles truncate. */
static int64_t long_cast(gv_vm *vm, gv_val v) {
    switch (v.t) {
    case GV_LONG: return v.as.i;
    case GV_DOUBLE: return long_of_double(vm, v, v.as.d);
    case GV_CHAR: return v.as.c;
    default: not_number_dv(vm, v);
    }
}

static gv_val n_long(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return gv_l(long_cast(vm, argv[0]));
}

/* RT.intCast: numbers and chars; anything else is cast to Character. */
static gv_val n_int(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    if (!is_num(argv[0]) && argv[0].t != GV_CHAR) gv_throw_cast(vm, argv[0], "java.lang.Character");
    int64_t n = long_cast(vm, argv[0]);
    if (n < INT32_MIN || n > INT32_MAX) gv_throwf(vm, "ArithmeticException", "integer overflow");
    return gv_l(n);
}

static gv_val ranged_cast(gv_vm *vm, gv_val v, int64_t lo, int64_t hi, const char *what) {
    int64_t n = long_cast(vm, v);
    if (n < lo || n > hi)
        gv_throwf(vm, "IllegalArgumentException", "Value out of range for %s: %s", what,
                  str_text(vm, v));
    return gv_l(n);
}

static gv_val n_short(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return ranged_cast(vm, argv[0], INT16_MIN, INT16_MAX, "short");
}

static gv_val n_byte(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return ranged_cast(vm, argv[0], INT8_MIN, INT8_MAX, "byte");
}

static gv_val n_double(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return gv_d(double_arg(vm, argv[0]));
}

/* float: a double again (grove has no floats), range-checked as
 * RT.floatCast does. */
static gv_val n_float(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    double d = double_arg(vm, argv[0]);
    if (d < -3.4028234663852886e38 || d > 3.4028234663852886e38)
        gv_throwf(vm, "IllegalArgumentException", "Value out of range for float: %s",
                  str_text(vm, argv[0]));
    return gv_d(d);
}

/* RT.charCast: a char, or a number truncated to a code point. */
static gv_val n_char(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    gv_val v = argv[0];
    if (v.t == GV_CHAR) return v;
    int64_t n;
    if (v.t == GV_LONG) n = v.as.i;
    else if (v.t == GV_DOUBLE) {
        double d = v.as.d;
        n = isnan(d) ? 0 : d <= -9223372036854775808.0 ? INT64_MIN
            : d >= 9223372036854775807.0 ? INT64_MAX : (int64_t)d;
    } else not_number(vm, v);
    if (n < 0 || n > 0x10FFFF)
        gv_throwf(vm, "IllegalArgumentException", "Value out of range for char: %s",
                  str_text(vm, v));
    return gv_ch((int32_t)n);
}

/* ---- natives: bit operations -------------------------------------------- */

static int64_t bit_arg(gv_vm *vm, gv_val v) {
    if (v.t == GV_LONG) return v.as.i;
    if (v.t == GV_NIL) not_number(vm, v);
    gv_throwf(vm, "IllegalArgumentException", "bit operation not supported for: class %s",
              gv_type_name(v));
}

enum { B_AND, B_OR, B_XOR, B_AND_NOT };

static gv_val bit_fold(gv_vm *vm, int argc, gv_val *argv, int op) {
    int64_t acc = bit_arg(vm, argv[0]);
    for (int i = 1; i < argc; i++) {
        int64_t y = bit_arg(vm, argv[i]);
        switch (op) {
        case B_AND: acc &= y; break;
        case B_OR: acc |= y; break;
        case B_XOR: acc ^= y; break;
        default: acc &= ~y; break;
        }
    }
    return gv_l(acc);
}

static gv_val n_bit_and(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return bit_fold(vm, argc, argv, B_AND);
}

static gv_val n_bit_or(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return bit_fold(vm, argc, argv, B_OR);
}

static gv_val n_bit_xor(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return bit_fold(vm, argc, argv, B_XOR);
}

static gv_val n_bit_and_not(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    return bit_fold(vm, argc, argv, B_AND_NOT);
}

static gv_val n_bit_not(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return gv_l(~bit_arg(vm, argv[0]));
}

/* Shifts and bit indexes use the low 6 bits of N, as the JVM does. */
enum { S_LEFT, S_RIGHT, S_URIGHT, S_TEST, S_SET, S_CLEAR, S_FLIP };

static gv_val shift_op(gv_vm *vm, gv_val *argv, int op) {
    uint64_t x = (uint64_t)bit_arg(vm, argv[0]);
    unsigned n = (unsigned)(bit_arg(vm, argv[1]) & 63);
    uint64_t bit = 1ull << n;
    switch (op) {
    case S_LEFT: return gv_l((int64_t)(x << n));
    case S_RIGHT: {
        int64_t s = (int64_t)x;
        /* arithmetic shift without relying on implementation-defined >> */
        return gv_l(s < 0 ? ~(int64_t)(~(uint64_t)s >> n) : (int64_t)(x >> n));
    }
    case S_URIGHT: return gv_l((int64_t)(x >> n));
    case S_TEST: return gv_b((x & bit) != 0);
    case S_SET: return gv_l((int64_t)(x | bit));
    case S_CLEAR: return gv_l((int64_t)(x & ~bit));
    default: return gv_l((int64_t)(x ^ bit));
    }
}

#define SHIFT_NATIVE(fname, op)                                              \
    static gv_val fname(gv_vm *vm, int argc, gv_val *argv, void *data) {     \
        (void)argc, (void)data;                                              \
        return shift_op(vm, argv, op);                                       \
    }
SHIFT_NATIVE(n_shl, S_LEFT)
SHIFT_NATIVE(n_shr, S_RIGHT)
SHIFT_NATIVE(n_ushr, S_URIGHT)
SHIFT_NATIVE(n_bit_test, S_TEST)
SHIFT_NATIVE(n_bit_set, S_SET)
SHIFT_NATIVE(n_bit_clear, S_CLEAR)
SHIFT_NATIVE(n_bit_flip, S_FLIP)

/* ---- natives: random numbers -------------------------------------------- */

/* xorshift64*: the state is a long in the volatile that is the closure
 * environment of rand and rand-int. */
static double next_double(void *data) {
    gv_volatile *st = GV_AS(gv_volatile, gv_closure_env(data));
    uint64_t x = (uint64_t)st->val.as.i;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    st->val = gv_l((int64_t)x);
    return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) * 0x1.0p-53;
}

static gv_val n_rand(gv_vm *vm, int argc, gv_val *argv, void *data) {
    gv_val r = gv_d(next_double(data));
    if (argc == 0) return r;
    return gv_num_mul(vm, argv[0], r);
}

static gv_val n_rand_int(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc;
    gv_val r = gv_num_mul(vm, argv[0], gv_d(next_double(data)));
    return n_int(vm, 1, &r, NULL);
}

/* ---- natives: parsing --------------------------------------------------- */

static _Noreturn void parsing_err(gv_vm *vm, gv_val v) {
    gv_throwf(vm, "IllegalArgumentException", "Expected string, got %s",
              v.t == GV_NIL ? "nil" : gv_type_name(v));
}

/* Long.valueOf: an optional sign and at least one decimal digit, nothing
 * else; nil when malformed or out of range. */
static gv_val n_parse_long(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    if (argv[0].t != GV_STRING) parsing_err(vm, argv[0]);
    gv_string *s = GV_AS(gv_string, argv[0]);
    const char *p = s->data, *end = p + s->len;
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-')) neg = *p++ == '-';
    if (p == end) return GV_NILV;
    uint64_t acc = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9') return GV_NILV;
        unsigned d = (unsigned)(*p - '0');
        if (acc > (limit - d) / 10) return GV_NILV;
        acc = acc * 10 + d;
    }
    return gv_l(neg ? (int64_t)(0ull - acc) : (int64_t)acc);
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_xdigit(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Double.valueOf's grammar: surrounding chars <= ' ' ignored, a sign,
 * then NaN, Infinity, a decimal with optional exponent, or a hex
 * significand with a binary exponent; an optional f/F/d/D suffix.
 * Returns false when P..END is not such a number. */
static bool parse_java_double(const char *p, const char *end, double *out) {
    while (p < end && (unsigned char)*p <= ' ') p++;
    while (end > p && (unsigned char)end[-1] <= ' ') end--;
    if (p == end) return false;
    const char *start = p;
    bool neg = false;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    size_t rest = (size_t)(end - p);
    if (rest == 3 && memcmp(p, "NaN", 3) == 0) { *out = NAN; return true; }
    if (rest == 8 && memcmp(p, "Infinity", 8) == 0) { *out = neg ? -INFINITY : INFINITY; return true; }
    const char *q = p;
    if (end - q > 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
        q += 2;
        int nd = 0;
        while (q < end && is_xdigit(*q)) q++, nd++;
        if (q < end && *q == '.') { q++; while (q < end && is_xdigit(*q)) q++, nd++; }
        if (nd == 0 || q == end || (*q != 'p' && *q != 'P')) return false;
        q++;
        if (q < end && (*q == '+' || *q == '-')) q++;
        if (q == end || !is_digit(*q)) return false;
        while (q < end && is_digit(*q)) q++;
    } else {
        int nd = 0;
        while (q < end && is_digit(*q)) q++, nd++;
        if (q < end && *q == '.') { q++; while (q < end && is_digit(*q)) q++, nd++; }
        if (nd == 0) return false;
        if (q < end && (*q == 'e' || *q == 'E')) {
            q++;
            if (q < end && (*q == '+' || *q == '-')) q++;
            if (q == end || !is_digit(*q)) return false;
            while (q < end && is_digit(*q)) q++;
        }
    }
    const char *numend = q;
    if (q < end && (*q == 'f' || *q == 'F' || *q == 'd' || *q == 'D')) q++;
    if (q != end) return false;
    /* strtod needs a NUL-terminated copy of just the number */
    size_t n = (size_t)(numend - start);
    char small[128];
    char *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf) return false;
    memcpy(buf, start, n);
    buf[n] = 0;
    *out = strtod(buf, NULL);
    if (buf != small) free(buf);
    return true;
}

static gv_val n_parse_double(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    if (argv[0].t != GV_STRING) parsing_err(vm, argv[0]);
    gv_string *s = GV_AS(gv_string, argv[0]);
    double d;
    if (!parse_java_double(s->data, s->data + s->len, &d)) return GV_NILV;
    return gv_d(d);
}

static gv_val n_parse_boolean(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    if (argv[0].t != GV_STRING) parsing_err(vm, argv[0]);
    gv_string *s = GV_AS(gv_string, argv[0]);
    if (s->len == 4 && memcmp(s->data, "true", 4) == 0) return GV_TRUEV;
    if (s->len == 5 && memcmp(s->data, "false", 5) == 0) return GV_FALSEV;
    return GV_NILV;
}

/* ---- registration ------------------------------------------------------- */

static uint64_t rand_seed(gv_vm *vm) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t z = (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec ^
                 (uint64_t)(uintptr_t)vm;
    /* splitmix64 finaliser: spreads the bits, never yields 0 for xorshift */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return z ? z : 0x9E3779B97F4A7C15ull;
}

void gv_core_init_num(gv_vm *vm) {
    static const struct {
        const char *name;
        gv_cfn fn;
        int min, max;
    } defs[] = {
        {"+", n_add, 0, -1},
        {"+'", n_add_p, 0, -1},
        {"-", n_sub, 1, -1},
        {"-'", n_sub_p, 1, -1},
        {"*", n_mul, 0, -1},
        {"*'", n_mul_p, 0, -1},
        {"/", n_div, 1, -1},
        {"inc", n_inc, 1, 1},
        {"inc'", n_inc_p, 1, 1},
        {"dec", n_dec, 1, 1},
        {"dec'", n_dec_p, 1, 1},
        {"unchecked-add", n_unchecked_add, 2, 2},
        {"unchecked-subtract", n_unchecked_sub, 2, 2},
        {"unchecked-multiply", n_unchecked_mul, 2, 2},
        {"unchecked-inc", n_unchecked_inc, 1, 1},
        {"unchecked-dec", n_unchecked_dec, 1, 1},
        {"unchecked-negate", n_unchecked_negate, 1, 1},
        {"quot", n_quot, 2, 2},
        {"rem", n_rem, 2, 2},
        {"mod", n_mod, 2, 2},
        {"max", n_max, 1, -1},
        {"min", n_min, 1, -1},
        {"abs", n_abs, 1, 1},
        {"=", n_eq, 1, -1},
        {"not=", n_not_eq, 1, -1},
        {"==", n_num_eq, 1, -1},
        {"<", n_lt, 1, -1},
        {"<=", n_lte, 1, -1},
        {">", n_gt, 1, -1},
        {">=", n_gte, 1, -1},
        {"compare", n_compare, 2, 2},
        {"hash", n_hash, 1, 1},
        {"zero?", n_zero_p, 1, 1},
        {"pos?", n_pos_p, 1, 1},
        {"neg?", n_neg_p, 1, 1},
        {"even?", n_even_p, 1, 1},
        {"odd?", n_odd_p, 1, 1},
        {"number?", n_number_p, 1, 1},
        {"integer?", n_integer_p, 1, 1},
        {"int?", n_integer_p, 1, 1},
        {"rational?", n_integer_p, 1, 1},
        {"pos-int?", n_pos_int_p, 1, 1},
        {"neg-int?", n_neg_int_p, 1, 1},
        {"nat-int?", n_nat_int_p, 1, 1},
        {"float?", n_double_p, 1, 1},
        {"double?", n_double_p, 1, 1},
        {"ratio?", n_false, 1, 1},
        {"decimal?", n_false, 1, 1},
        {"NaN?", n_nan_p, 1, 1},
        {"infinite?", n_infinite_p, 1, 1},
        {"num", n_num, 1, 1},
        {"long", n_long, 1, 1},
        {"int", n_int, 1, 1},
        {"short", n_short, 1, 1},
        {"byte", n_byte, 1, 1},
        {"double", n_double, 1, 1},
        {"float", n_float, 1, 1},
        {"char", n_char, 1, 1},
        {"bit-and", n_bit_and, 2, -1},
        {"bit-or", n_bit_or, 2, -1},
        {"bit-xor", n_bit_xor, 2, -1},
        {"bit-and-not", n_bit_and_not, 2, -1},
        {"bit-not", n_bit_not, 1, 1},
        {"bit-shift-left", n_shl, 2, 2},
        {"bit-shift-right", n_shr, 2, 2},
        {"unsigned-bit-shift-right", n_ushr, 2, 2},
        {"bit-test", n_bit_test, 2, 2},
        {"bit-set", n_bit_set, 2, 2},
        {"bit-clear", n_bit_clear, 2, 2},
        {"bit-flip", n_bit_flip, 2, 2},
        {"parse-long", n_parse_long, 1, 1},
        {"parse-double", n_parse_double, 1, 1},
        {"parse-boolean", n_parse_boolean, 1, 1},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        gv_defn_native(vm, "clojure.core", defs[i].name, defs[i].fn, defs[i].min, defs[i].max);

    gv_volatile *st = gv_alloc(vm, GV_VOLATILE, sizeof *st);
    st->val = gv_l((int64_t)rand_seed(vm));
    gv_val env = gv_mk(GV_VOLATILE, st);
    gv_define(vm, "clojure.core", "rand",
              gv_native_closure(vm, "clojure.core/rand", n_rand, env, 0, 1));
    gv_define(vm, "clojure.core", "rand-int",
              gv_native_closure(vm, "clojure.core/rand-int", n_rand_int, env, 1, 1));
}
