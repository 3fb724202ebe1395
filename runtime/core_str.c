/* core_str.c — strings, names, format, regexes and clojure.string.
 *
 * Strings are UTF-8 and every index a user sees (subs, index-of, ...)
 * counts code points; Clojure counts UTF-16 units, which agrees on the
 * BMP.  Regexes are PCRE2 patterns compiled from Java syntax after a small
 * translation (\uXXXX, \p{Alpha}-style POSIX classes, Java-only inline
 * flags) with Java's line terminators; matches are enumerated exactly as
 * java.util.regex.Matcher.find does (after an empty match the next search
 * starts one character later), so re-seq, split and replace see the
 * matches Clojure sees.  `format` is a re-implementation of the subset of
 * java.util.Formatter that Clojure code uses, including Java's HALF_UP
 * rounding of the digits Double.toString gives a double.
 *
 * Text is built in malloc'd gv_bufs.  Whenever building can throw — str of
 * a lazy seq runs Clojure code, replace calls a user function, a malformed
 * template throws — the buffer lives inside with_buf(), whose gv_try
 * handler frees it and rethrows. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "vm.h"

#include <math.h>
#include <pcre2.h>
#include <stddef.h>

/* ---- UTF-8 helpers ------------------------------------------------------ */

static inline bool is_cont(char b) { return ((unsigned char)b & 0xC0) == 0x80; }

static int64_t cp_count(const char *s, size_t n) {
    int64_t c = 0;
    for (size_t i = 0; i < n; i++) c += !is_cont(s[i]);
    return c;
}

/* Byte offset of code point IDX (clamped to the end). */
static size_t cp_offset(const char *s, size_t n, int64_t idx) {
    size_t i = 0;
    while (idx > 0 && i < n) {
        i++;
        while (i < n && is_cont(s[i])) i++;
        idx--;
    }
    return i;
}

static size_t next_cp(const char *s, size_t n, size_t i) {
    i++;
    while (i < n && is_cont(s[i])) i++;
    return i;
}

/* Finds NEEDLE in HAY; returns its offset or -1.  (No memmem: it needs
 * _GNU_SOURCE.) */
static int64_t find_bytes(const char *hay, size_t hn, const char *needle, size_t nn) {
    if (nn == 0) return 0;
    if (nn > hn) return -1;
    const char *p = hay, *end = hay + hn - nn + 1;
    while (p < end) {
        const char *q = memchr(p, needle[0], (size_t)(end - p));
        if (!q) return -1;
        if (memcmp(q, needle, nn) == 0) return q - hay;
        p = q + 1;
    }
    return -1;
}

/* The UTF-8 bytes of code point C (as gv_buf_put_utf8 writes them). */
static size_t encode_char(int32_t c, char out[4]) {
    if (c < 0 || c > 0x10FFFF) c = 0xFFFD;
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Character.isWhitespace. */
static bool java_space(int32_t c) {
    if (c <= 0x20) return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
    return c == 0x1680 || (c >= 0x2000 && c <= 0x2006) || (c >= 0x2008 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x205F || c == 0x3000;
}

/* ---- case mapping --------------------------------------------------------- */

/* Upper-to-lower mappings: DELTA ranges map every code point by +delta;
 * ALT ranges (delta 0) alternate upper, lower, upper, ... from lo. */
static const struct case_range {
    int32_t lo, hi, delta;
} case_ranges[] = {
    {0x41, 0x5A, 32},      {0xC0, 0xD6, 32},       {0xD8, 0xDE, 32},
    {0x100, 0x12F, 0},     {0x132, 0x137, 0},      {0x139, 0x148, 0},
    {0x14A, 0x177, 0},     {0x178, 0x178, -121},   {0x179, 0x17E, 0},
    {0x1C4, 0x1C4, 2},     {0x1C7, 0x1C7, 2},      {0x1CA, 0x1CA, 2},
    {0x1CD, 0x1DC, 0},     {0x1DE, 0x1EF, 0},      {0x1F1, 0x1F1, 2},
    {0x1F4, 0x1F5, 0},     {0x1F8, 0x21F, 0},      {0x222, 0x233, 0},
    {0x386, 0x386, 38},    {0x388, 0x38A, 37},     {0x38C, 0x38C, 64},
    {0x38E, 0x38F, 63},    {0x391, 0x3A1, 32},     {0x3A3, 0x3AB, 32},
    {0x3D8, 0x3EF, 0},     {0x400, 0x40F, 80},     {0x410, 0x42F, 32},
    {0x460, 0x481, 0},     {0x48A, 0x4BF, 0},      {0x4C0, 0x4C0, 15},
    {0x4C1, 0x4CE, 0},     {0x4D0, 0x52F, 0},      {0x531, 0x556, 48},
    {0x10A0, 0x10C5, 7264}, {0x1E00, 0x1E95, 0},   {0x1EA0, 0x1EFF, 0},
    {0x2160, 0x216F, 16},  {0x24B6, 0x24CF, 26},   {0x2C00, 0x2C2F, 48},
    {0xFF21, 0xFF3A, 32},  {0x10400, 0x10427, 40},
};

static int32_t cp_lower(int32_t c) {
    if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    for (size_t i = 0; i < sizeof case_ranges / sizeof case_ranges[0]; i++) {
        const struct case_range *r = &case_ranges[i];
        if (c < r->lo || c > r->hi) continue;
        if (r->delta) return c + r->delta;
        return ((c - r->lo) & 1) == 0 ? c + 1 : c;
    }
    if (c == 0x1C5 || c == 0x1C8 || c == 0x1CB || c == 0x1F2) return c + 1; /* title case */
    if (c == 0x1E9E) return 0xDF;
    return c;
}

static int32_t cp_upper(int32_t c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 32 : c;
    switch (c) {
    case 0xB5: return 0x39C;
    case 0x131: return 'I';
    case 0x17F: return 'S';
    case 0x3C2: return 0x3A3;
    case 0x1C5: case 0x1C8: case 0x1CB: case 0x1F2: return c - 1;
    default: break;
    }
    for (size_t i = 0; i < sizeof case_ranges / sizeof case_ranges[0]; i++) {
        const struct case_range *r = &case_ranges[i];
        if (r->delta) {
            if (c >= r->lo + r->delta && c <= r->hi + r->delta) return c - r->delta;
        } else if (c > r->lo && c <= r->hi && ((c - r->lo) & 1) == 1) {
            return c - 1;
        }
    }
    return c;
}

/* Appends S[0..n) upper- or lower-cased as Java's toUpperCase/toLowerCase
 * do (full mappings for ß and İ; no final-sigma rule). */
static void put_cased(gv_buf *b, const char *s, size_t n, bool upper) {
    for (size_t i = 0; i < n;) {
        int len;
        int32_t c = gv_utf8_decode(s + i, n - i, &len);
        if (upper && c == 0xDF) gv_buf_put(b, "SS", 2);
        else if (!upper && c == 0x130) gv_buf_put(b, "i\xCC\x87", 3);
        else gv_buf_put_utf8(b, upper ? cp_upper(c) : cp_lower(c));
        i += (size_t)len;
    }
}

/* ---- argument helpers ----------------------------------------------------- */

/* A ^CharSequence argument used as one (length, charAt): strings only. */
static gv_string *cs_arg(gv_vm *vm, gv_val v) {
    if (v.t == GV_STRING) return GV_AS(gv_string, v);
    if (v.t == GV_NIL)
        gv_throwf(vm, "NullPointerException",
                  "Cannot invoke \"java.lang.CharSequence.length()\" because \"s\" is null");
    gv_throw_cast(vm, v, "java.lang.CharSequence");
}

/* An argument the JVM code calls .toString on: anything but nil.  A fresh
 * string is unrooted; callers that run Clojure code afterwards push it. */
static gv_string *tostr_arg(gv_vm *vm, gv_val v) {
    if (v.t == GV_STRING) return GV_AS(gv_string, v);
    if (v.t == GV_NIL)
        gv_throwf(vm, "NullPointerException",
                  "Cannot invoke \"Object.toString()\" because \"s\" is null");
    return GV_AS(gv_string, gv_str_of(vm, v));
}

/* A ^String argument: a string, NPE for nil, else ClassCastException. */
static gv_string *string_arg(gv_vm *vm, gv_val v) {
    if (v.t == GV_STRING) return GV_AS(gv_string, v);
    if (v.t == GV_NIL)
        gv_throwf(vm, "NullPointerException",
                  "Cannot invoke \"String.length()\" because \"str\" is null");
    gv_throw_cast(vm, v, "java.lang.String");
}

static gv_regex *re_arg(gv_vm *vm, gv_val v) {
    if (v.t == GV_REGEX) return GV_AS(gv_regex, v);
    if (v.t == GV_NIL)
        gv_throwf(vm, "NullPointerException",
                  "Cannot invoke \"java.util.regex.Pattern.matcher(java.lang.CharSequence)\" "
                  "because \"re\" is null");
    gv_throw_cast(vm, v, "java.util.regex.Pattern");
}

static gv_val str_val(gv_vm *vm, const char *p, size_t n) { return gv_str(vm, p, n); }

/* ---- building text safely ------------------------------------------------- */

typedef gv_val (*buf_body)(gv_vm *vm, gv_buf *b, void *ctx);

/* Runs BODY with an empty buffer and returns its result; the buffer is
 * freed whether BODY returns or throws (the exception is rethrown). */
static gv_val with_buf(gv_vm *vm, buf_body body, void *ctx) {
    gv_buf b;
    gv_buf_init(&b);
    gv_handler h;
    gv_val r = GV_NILV;
    if (gv_try(vm, &h) == 0) {
        r = body(vm, &b, ctx);
        gv_try_end(vm, &h);
    } else {
        gv_buf_free(&b);
        gv_throw(vm, h.exc);
    }
    gv_buf_free(&b);
    return r;
}

static gv_val buf_string(gv_vm *vm, gv_buf *b) { return gv_str(vm, b->p ? b->p : "", b->len); }

/* ---- str -------------------------------------------------------------------- */

typedef struct {
    int n;
    const gv_val *v;
} vals_ctx;

static gv_val str_body(gv_vm *vm, gv_buf *b, void *ctx) {
    vals_ctx *c = ctx;
    for (int i = 0; i < c->n; i++) gv_str_append(vm, b, c->v[i]);
    return buf_string(vm, b);
}

/* Concatenation when every value is a string or nil: one allocation. */
static gv_val concat_strings(gv_vm *vm, int n, const gv_val *v) {
    size_t total = 0;
    for (int i = 0; i < n; i++)
        if (v[i].t == GV_STRING) total += GV_AS(gv_string, v[i])->len;
    if (total > UINT32_MAX - 1) gv_throwf(vm, "OutOfMemoryError", "String too long");
    gv_string *r = gv_alloc(vm, GV_STRING, sizeof(gv_string) + total + 1);
    r->len = (uint32_t)total;
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        if (v[i].t != GV_STRING) continue;
        gv_string *s = GV_AS(gv_string, v[i]);
        memcpy(r->data + at, s->data, s->len);
        at += s->len;
    }
    r->data[total] = 0;
    return gv_mk(GV_STRING, r);
}

/* The str of N values (rooted by the caller). */
static gv_val str_values(gv_vm *vm, int n, const gv_val *v) {
    bool plain = true;
    for (int i = 0; i < n && plain; i++) plain = v[i].t == GV_STRING || v[i].t == GV_NIL;
    if (plain) return concat_strings(vm, n, v);
    vals_ctx c = {n, v};
    return with_buf(vm, str_body, &c);
}

gv_val gv_str_of(gv_vm *vm, gv_val v) {
    if (v.t == GV_STRING) return v;
    if (!GV_IS_OBJ(v) || v.t == GV_SYMBOL || v.t == GV_KEYWORD) return str_values(vm, 1, &v);
    /* printing a collection may realize lazy seqs: keep V rooted */
    return str_values(vm, 1, gv_push(vm, v));
}

static gv_val s_str(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if (argc == 1 && argv[0].t == GV_STRING) return argv[0];
    return str_values(vm, argc, argv);
}

/* ---- subs, name, keyword, symbol, predicates ------------------------------- */

static gv_val s_subs(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    gv_string *s = gv_arg_string(vm, argv[0]);
    int64_t begin = gv_arg_long(vm, argv[1]);
    int64_t n = cp_count(s->data, s->len);
    int64_t end = argc > 2 ? gv_arg_long(vm, argv[2]) : n;
    if (begin < 0 || end > n || begin > end)
        gv_throwf(vm, "StringIndexOutOfBoundsException", "begin %lld, end %lld, length %lld",
                  (long long)begin, (long long)end, (long long)n);
    size_t b = cp_offset(s->data, s->len, begin);
    size_t e = b + cp_offset(s->data + b, s->len - b, end - begin);
    return str_val(vm, s->data + b, e - b);
}

static gv_symbol *named_sym(gv_val v) {
    if (v.t == GV_KEYWORD) return GV_AS(gv_keyword, v)->sym;
    if (v.t == GV_SYMBOL) return GV_AS(gv_symbol, v)->base;
    return NULL;
}

static gv_val s_name(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    gv_val v = argv[0];
    if (v.t == GV_STRING) return v;
    gv_symbol *s = named_sym(v);
    if (s) return gv_objval(s->name);
    if (v.t == GV_NIL)
        gv_throwf(vm, "NullPointerException",
                  "Cannot invoke \"clojure.lang.Named.getName()\" because \"x\" is null");
    gv_throw_cast(vm, v, "clojure.lang.Named");
}

static gv_val s_namespace(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    gv_val v = argv[0];
    gv_symbol *s = named_sym(v);
    if (s) return s->ns ? gv_objval(s->ns) : GV_NILV;
    if (v.t == GV_NIL)
        gv_throwf(vm, "NullPointerException",
                  "Cannot invoke \"clojure.lang.Named.getNamespace()\" because \"x\" is null");
    gv_throw_cast(vm, v, "clojure.lang.Named");
}

/* Symbol.intern(String): split at the first '/', except "/" itself. */
static void split_qualified(const gv_string *s, const char **ns, size_t *nslen,
                            const char **name, size_t *namelen) {
    const char *slash = memchr(s->data, '/', s->len);
    if (!slash || s->len == 1) {
        *ns = NULL;
        *nslen = 0;
        *name = s->data;
        *namelen = s->len;
    } else {
        *ns = s->data;
        *nslen = (size_t)(slash - s->data);
        *name = slash + 1;
        *namelen = s->len - *nslen - 1;
    }
}

/* The ns argument of (keyword ns name) / (symbol ns name): nil or a string. */
static gv_string *ns_part(gv_vm *vm, gv_val v) {
    if (v.t == GV_NIL) return NULL;
    if (v.t == GV_STRING) return GV_AS(gv_string, v);
    gv_throw_cast(vm, v, "java.lang.String");
}

static gv_string *name_part(gv_vm *vm, gv_val v) {
    if (v.t == GV_STRING) return GV_AS(gv_string, v);
    if (v.t == GV_NIL)
        gv_throwf(vm, "NullPointerException",
                  "Cannot invoke \"String.hashCode()\" because \"this.name\" is null");
    gv_throw_cast(vm, v, "java.lang.String");
}

static gv_val s_keyword(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if (argc == 2) {
        gv_string *ns = ns_part(vm, argv[0]), *name = name_part(vm, argv[1]);
        return gv_mk(GV_KEYWORD, gv_kw_intern(vm, ns ? ns->data : NULL, ns ? ns->len : 0,
                                              name->data, name->len));
    }
    gv_val v = argv[0];
    if (v.t == GV_KEYWORD) return v;
    if (v.t == GV_SYMBOL) {
        gv_symbol *s = GV_AS(gv_symbol, v)->base;
        return gv_mk(GV_KEYWORD, gv_kw_intern(vm, s->ns ? s->ns->data : NULL,
                                              s->ns ? s->ns->len : 0, s->name->data,
                                              s->name->len));
    }
    if (v.t == GV_STRING) {
        const char *ns, *name;
        size_t nslen, namelen;
        split_qualified(GV_AS(gv_string, v), &ns, &nslen, &name, &namelen);
        return gv_mk(GV_KEYWORD, gv_kw_intern(vm, ns, nslen, name, namelen));
    }
    return GV_NILV;
}

static gv_val s_symbol(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    if (argc == 2) {
        gv_string *ns = ns_part(vm, argv[0]), *name = name_part(vm, argv[1]);
        return gv_mk(GV_SYMBOL, gv_sym_intern(vm, ns ? ns->data : NULL, ns ? ns->len : 0,
                                              name->data, name->len));
    }
    gv_val v = argv[0];
    switch (v.t) {
    case GV_SYMBOL: return v;
    case GV_STRING: {
        const char *ns, *name;
        size_t nslen, namelen;
        split_qualified(GV_AS(gv_string, v), &ns, &nslen, &name, &namelen);
        return gv_mk(GV_SYMBOL, gv_sym_intern(vm, ns, nslen, name, namelen));
    }
    case GV_VAR: {
        gv_var *var = GV_AS(gv_var, v);
        gv_string *ns = var->ns->name->name, *name = var->sym->name;
        return gv_mk(GV_SYMBOL, gv_sym_intern(vm, ns->data, ns->len, name->data, name->len));
    }
    case GV_KEYWORD: return gv_mk(GV_SYMBOL, GV_AS(gv_keyword, v)->sym);
    default: gv_throwf(vm, "IllegalArgumentException", "no conversion to symbol");
    }
}

#define TYPE_PRED(fname, cond)                                                \
    static gv_val fname(gv_vm *vm, int argc, gv_val *argv, void *data) {      \
        (void)vm, (void)argc, (void)data;                                     \
        gv_val v = argv[0];                                                   \
        return gv_b(cond);                                                    \
    }
TYPE_PRED(s_string_p, v.t == GV_STRING)
TYPE_PRED(s_char_p, v.t == GV_CHAR)
TYPE_PRED(s_keyword_p, v.t == GV_KEYWORD)
TYPE_PRED(s_symbol_p, v.t == GV_SYMBOL)
TYPE_PRED(s_ident_p, v.t == GV_KEYWORD || v.t == GV_SYMBOL)
TYPE_PRED(s_simple_keyword_p, v.t == GV_KEYWORD && !named_sym(v)->ns)
TYPE_PRED(s_qualified_keyword_p, v.t == GV_KEYWORD && named_sym(v)->ns)
TYPE_PRED(s_simple_symbol_p, v.t == GV_SYMBOL && !named_sym(v)->ns)
TYPE_PRED(s_qualified_symbol_p, v.t == GV_SYMBOL && named_sym(v)->ns)
TYPE_PRED(s_simple_ident_p, (v.t == GV_KEYWORD || v.t == GV_SYMBOL) && !named_sym(v)->ns)
TYPE_PRED(s_qualified_ident_p, (v.t == GV_KEYWORD || v.t == GV_SYMBOL) && named_sym(v)->ns)

/* ---- format ------------------------------------------------------------------ */

enum {
    FL_MINUS = 1, FL_HASH = 2, FL_PLUS = 4, FL_SPACE = 8, FL_ZERO = 16,
    FL_COMMA = 32, FL_PAREN = 64, FL_PREV = 128
};
static const char flag_chars[] = "-#+ 0,(<";

typedef struct fspec {
    int index;         /* explicit 1-based argument index, 0 if none */
    unsigned flags;
    int width, prec;   /* -1 when absent */
    char conv;         /* lower-cased conversion */
    bool upper;        /* B H S C X E G A */
} fspec;

static _Noreturn void fmt_throw(gv_vm *vm, const char *cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static _Noreturn void fmt_throw(gv_vm *vm, const char *cls, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gv_throwf(vm, cls, "%s", msg);
}

/* Formatter's Flags.toString; '^' stands for an upper-case conversion. */
static void flags_text(const fspec *f, bool with_upper, char out[12]) {
    int n = 0;
    if (f->flags & FL_MINUS) out[n++] = '-';
    if (with_upper && f->upper) out[n++] = '^';
    for (int i = 1; i < 8; i++)
        if (f->flags & (1u << i)) out[n++] = flag_chars[i];
    out[n] = 0;
}

/* FormatSpecifier.toString: the specifier rebuilt in canonical order, as
 * Java's messages show it. */
static void spec_text(const fspec *f, char out[80]) {
    char ft[12];
    flags_text(f, false, ft);
    int n = snprintf(out, 80, "%%%s", ft);
    if (f->index > 0) n += snprintf(out + n, (size_t)(80 - n), "%d$", f->index);
    if (f->width != -1) n += snprintf(out + n, (size_t)(80 - n), "%d", f->width);
    if (f->prec != -1) n += snprintf(out + n, (size_t)(80 - n), ".%d", f->prec);
    snprintf(out + n, (size_t)(80 - n), "%c", f->upper ? f->conv - 32 : f->conv);
}

/* Formatter's checkBadFlags: the first of the flags BAD (in Java's order
 * of checking) that the specifier has is reported. */
static void check_bad(gv_vm *vm, const fspec *f, const char *bad) {
    for (const char *c = bad; *c; c++) {
        unsigned bit = 1u << (strchr(flag_chars, *c) - flag_chars);
        if (f->flags & bit)
            fmt_throw(vm, "java.util.FormatFlagsConversionMismatchException",
                      "Conversion = %c, Flags = %c", f->conv, *c);
    }
}

static _Noreturn void missing_width(gv_vm *vm, const fspec *f) {
    char st[80];
    spec_text(f, st);
    fmt_throw(vm, "java.util.MissingFormatWidthException", "%s", st);
}

static _Noreturn void illegal_flags(gv_vm *vm, const fspec *f) {
    char ft[12];
    flags_text(f, true, ft);
    fmt_throw(vm, "java.util.IllegalFormatFlagsException", "Flags = '%s'", ft);
}

static void check_numeric(gv_vm *vm, const fspec *f) {
    if (f->width == -1 && (f->flags & (FL_MINUS | FL_ZERO))) missing_width(vm, f);
    if (((f->flags & FL_PLUS) && (f->flags & FL_SPACE)) ||
        ((f->flags & FL_MINUS) && (f->flags & FL_ZERO)))
        illegal_flags(vm, f);
}

static void check_precision(gv_vm *vm, const fspec *f) {
    if (f->prec != -1)
        fmt_throw(vm, "java.util.IllegalFormatPrecisionException", "%d", f->prec);
}

static int parse_int(const char **pp, const char *end) {
    long long v = 0;
    const char *p = *pp;
    while (p < end && *p >= '0' && *p <= '9') {
        v = v * 10 + (*p - '0');
        if (v > 100000000) v = 100000000; /* absurd widths are clamped */
        p++;
    }
    *pp = p;
    return (int)v;
}

/* Parses the specifier after the '%' at P and checks it the way
 * Formatter's parser does.  Returns the position after it. */
static const char *fmt_parse(gv_vm *vm, const char *pct, const char *end, fspec *f) {
    const char *p = pct + 1;
    f->index = 0;
    f->flags = 0;
    f->width = f->prec = -1;
    const char *q = p;
    while (q < end && *q >= '0' && *q <= '9') q++;
    if (q > p && q < end && *q == '$') {
        f->index = parse_int(&p, q);
        if (f->index == 0)
            fmt_throw(vm, "java.util.IllegalFormatArgumentIndexException",
                      "Illegal format argument index = 0");
        p = q + 1;
    }
    for (const char *fc; p < end && (fc = memchr(flag_chars, *p, 8)); p++) {
        unsigned bit = 1u << (fc - flag_chars);
        if (f->flags & bit)
            fmt_throw(vm, "java.util.DuplicateFormatFlagsException", "Flags = '%c'", *p);
        f->flags |= bit;
    }
    if (p < end && *p >= '1' && *p <= '9') f->width = parse_int(&p, end);
    bool bad = false;
    if (p < end && *p == '.') {
        p++;
        if (p < end && *p >= '0' && *p <= '9') f->prec = parse_int(&p, end);
        else bad = true;
    }
    if (bad || p >= end || !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '%')) {
        char c = pct + 1 < end ? pct[1] : '%';
        fmt_throw(vm, "java.util.UnknownFormatConversionException", "Conversion = '%c'", c);
    }
    char c = *p++;
    if (!strchr("bBhHsScCdoxXeEfgGaA%n", c)) {
        if (c == 't' || c == 'T')
            fmt_throw(vm, "java.util.UnknownFormatConversionException",
                      "Conversion = '%c' (dates are not supported)", c);
        fmt_throw(vm, "java.util.UnknownFormatConversionException", "Conversion = '%c'", c);
    }
    f->upper = c >= 'A' && c <= 'Z';
    f->conv = f->upper ? (char)(c + 32) : c;
    switch (f->conv) {
    case 'b': case 'h': case 's':
        if (f->conv != 's') check_bad(vm, f, "#");
        if (f->width == -1 && (f->flags & FL_MINUS)) missing_width(vm, f);
        check_bad(vm, f, "+ 0,(#"); /* '#' needs a Formattable, which grove lacks */
        break;
    case 'c':
        check_precision(vm, f);
        check_bad(vm, f, "#+ 0,(");
        if (f->width == -1 && (f->flags & FL_MINUS)) missing_width(vm, f);
        break;
    case 'd': case 'o': case 'x':
        check_numeric(vm, f);
        check_precision(vm, f);
        if (f->conv == 'd') check_bad(vm, f, "#");
        else check_bad(vm, f, ",( +"); /* the last three are checked for longs */
        break;
    case 'e': case 'f': case 'g': case 'a':
        check_numeric(vm, f);
        if (f->conv == 'e') check_bad(vm, f, ",");
        else if (f->conv == 'g') check_bad(vm, f, "#");
        else if (f->conv == 'a') check_bad(vm, f, "(,");
        break;
    case '%':
        check_precision(vm, f);
        if (f->flags & ~(unsigned)FL_MINUS) illegal_flags(vm, f);
        if (f->width == -1 && (f->flags & FL_MINUS)) missing_width(vm, f);
        break;
    case 'n':
        check_precision(vm, f);
        if (f->width != -1)
            fmt_throw(vm, "java.util.IllegalFormatWidthException", "%d", f->width);
        if (f->flags) illegal_flags(vm, f);
        break;
    default: break;
    }
    return p;
}

/* Appends TEXT padded to the width with spaces (left-justified on '-'),
 * upper-cased for the upper-case conversions. */
static void put_justified(gv_buf *b, const fspec *f, const char *text, size_t n) {
    gv_buf up;
    gv_buf_init(&up);
    if (f->upper) {
        put_cased(&up, text, n, true);
        text = up.p ? up.p : "";
        n = up.len;
    }
    int64_t pad = f->width > 0 ? f->width - cp_count(text, n) : 0;
    if (!(f->flags & FL_MINUS))
        for (int64_t i = 0; i < pad; i++) gv_buf_putc(b, ' ');
    gv_buf_put(b, text, n);
    if (f->flags & FL_MINUS)
        for (int64_t i = 0; i < pad; i++) gv_buf_putc(b, ' ');
    gv_buf_free(&up);
}

/* Appends digits D[0..n) with ',' between groups of three. */
static void put_grouped(gv_buf *b, const char *d, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) gv_buf_putc(b, ',');
        gv_buf_putc(b, d[i]);
    }
}

/* Emits a number whose magnitude text is BODY: the sign or parentheses,
 * zero padding after the sign on '0', then justification. */
static void put_number(gv_buf *b, const fspec *f, bool neg, const char *prefix,
                       const char *body, size_t n) {
    char head[8];
    size_t hn = 0;
    if (neg) head[hn++] = (f->flags & FL_PAREN) ? '(' : '-';
    else if (f->flags & FL_PLUS) head[hn++] = '+';
    else if (f->flags & FL_SPACE) head[hn++] = ' ';
    for (const char *p = prefix; *p; p++) head[hn++] = *p;
    const char *tail = neg && (f->flags & FL_PAREN) ? ")" : "";
    size_t tn = strlen(tail);
    gv_buf t;
    gv_buf_init(&t);
    gv_buf_put(&t, head, hn);
    if ((f->flags & FL_ZERO) && f->width > 0)
        for (int64_t z = f->width - (int64_t)(hn + n + tn); z > 0; z--) gv_buf_putc(&t, '0');
    gv_buf_put(&t, body, n);
    gv_buf_put(&t, tail, tn);
    put_justified(b, f, t.p, t.len);
    gv_buf_free(&t);
}

/* Java's hashCode for the kinds where grove can know it; other values
 * fall back to Clojure's hash. */
static uint32_t java_hash_code(gv_vm *vm, gv_val v) {
    switch (v.t) {
    case GV_BOOL: return v.as.b ? 1231 : 1237;
    case GV_LONG: return (uint32_t)((uint64_t)v.as.i ^ ((uint64_t)v.as.i >> 32));
    case GV_DOUBLE: {
        uint64_t bits = 0x7ff8000000000000ull; /* doubleToLongBits' NaN */
        if (!isnan(v.as.d)) memcpy(&bits, &v.as.d, 8);
        return (uint32_t)(bits ^ (bits >> 32));
    }
    case GV_CHAR: return (uint32_t)v.as.c;
    case GV_STRING: {
        gv_string *s = GV_AS(gv_string, v);
        uint32_t h = 0;
        for (size_t i = 0; i < s->len;) {
            int len;
            int32_t c = gv_utf8_decode(s->data + i, s->len - i, &len);
            if (c >= 0x10000) {
                h = 31 * h + (uint32_t)(0xD800 + ((c - 0x10000) >> 10));
                h = 31 * h + (uint32_t)(0xDC00 + ((c - 0x10000) & 0x3FF));
            } else {
                h = 31 * h + (uint32_t)c;
            }
            i += (size_t)len;
        }
        return h;
    }
    case GV_SYMBOL: case GV_KEYWORD: {
        gv_symbol *s = named_sym(v);
        uint32_t seed = java_hash_code(vm, gv_objval(s->name));
        uint32_t nsh = s->ns ? java_hash_code(vm, gv_objval(s->ns)) : 0;
        uint32_t h = seed ^ (nsh + 0x9e3779b9u + (seed << 6) + (seed >> 2));
        return v.t == GV_KEYWORD ? h + 0x9e3779b9u : h;
    }
    default: return gv_hash(vm, v);
    }
}

/* ---- doubles as Java's Formatter writes them ---- */

/* The decimal digits of X (finite, > 0) that Java's Formatter starts from:
 * those of Double.toString, which grove's printer reproduces (JDK 17's
 * FloatingDecimal, not always the shortest).  D gets them without
 * trailing zeros, *E the exponent with X = d1.d2d3... * 10^E.  Returns the
 * digit count. */
static int dec_digits(gv_vm *vm, double x, char d[32], int *e) {
    gv_buf b;
    gv_buf_init(&b);
    gv_str_append(vm, &b, gv_d(x)); /* "123.45" or "1.2345E-7"; cannot throw */
    char txt[48];
    snprintf(txt, sizeof txt, "%s", b.p ? b.p : "0");
    gv_buf_free(&b);
    char *ex = strchr(txt, 'E');
    int exp10 = ex ? atoi(ex + 1) : 0;
    if (ex) *ex = 0;
    char *dot = strchr(txt, '.');
    int intlen = dot ? (int)(dot - txt) : (int)strlen(txt);
    int n = 0, lead = 0;
    bool seen = false;
    for (const char *q = txt; *q && n < 31; q++) {
        if (*q < '0' || *q > '9') continue;
        if (!seen && *q == '0') {
            lead++;
            continue;
        }
        seen = true;
        d[n++] = *q;
    }
    if (n == 0) {
        d[0] = '0';
        *e = 0;
        return 1;
    }
    /* position of the first significant digit relative to the point */
    *e = exp10 + (lead < intlen ? intlen - lead - 1 : -(lead - intlen + 1));
    while (n > 1 && d[n - 1] == '0') n--;
    return n;
}

/* Keeps KEEP significant digits of D[0..n), rounding HALF_UP; a carry out
 * of the first digit gives "1" and bumps *E.  Returns the new count (0
 * means the value rounded to zero). */
static int round_half_up(char *d, int n, int keep, int *e) {
    if (keep >= n) return n;
    if (keep < 0) return 0;
    bool up = d[keep] >= '5';
    n = keep;
    if (!up) return n;
    int i = n - 1;
    while (i >= 0 && d[i] == '9') d[i--] = '0';
    if (i >= 0) {
        d[i]++;
        return n;
    }
    d[0] = '1';
    (*e)++;
    return 1;
}

/* %f body of the (already rounded) digits: integer part (grouped on ',')
 * and PREC decimals. */
static void put_fixed_digits(gv_buf *t, const fspec *f, const char *d, int n, int e, int prec) {
    gv_buf ip;
    gv_buf_init(&ip);
    if (n == 0 || e < 0) gv_buf_putc(&ip, '0');
    else
        for (int i = 0; i <= e; i++) gv_buf_putc(&ip, i < n ? d[i] : '0');
    if (f->flags & FL_COMMA) put_grouped(t, ip.p, ip.len);
    else gv_buf_put(t, ip.p, ip.len);
    gv_buf_free(&ip);
    if (prec > 0 || (f->flags & FL_HASH)) gv_buf_putc(t, '.');
    for (int k = 0; k < prec; k++) {
        int idx = e + 1 + k;
        gv_buf_putc(t, (n > 0 && idx >= 0 && idx < n) ? d[idx] : '0');
    }
}

static void put_sci_digits(gv_buf *t, const fspec *f, const char *d, int n, int e, int prec) {
    gv_buf_putc(t, n > 0 ? d[0] : '0');
    if (prec > 0 || (f->flags & FL_HASH)) gv_buf_putc(t, '.');
    for (int k = 1; k <= prec; k++) gv_buf_putc(t, k < n ? d[k] : '0');
    if (n == 0) e = 0;
    gv_buf_printf(t, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
}

/* Double.toHexString. */
static void put_hex_double(gv_buf *t, double x) {
    uint64_t bits;
    memcpy(&bits, &x, 8);
    int bexp = (int)((bits >> 52) & 0x7FF);
    uint64_t mant = bits & 0xFFFFFFFFFFFFFull;
    if (bexp == 0 && mant == 0) {
        gv_buf_puts(t, "0x0.0p0");
        return;
    }
    char hex[16];
    snprintf(hex, sizeof hex, "%013llx", (unsigned long long)mant);
    int hn = 13;
    while (hn > 1 && hex[hn - 1] == '0') hn--;
    gv_buf_printf(t, "0x%c.%.*sp%d", bexp ? '1' : '0', hn, hex, bexp ? bexp - 1023 : -1022);
}

static void fmt_double(gv_vm *vm, gv_buf *b, const fspec *f, double x) {
    if (isnan(x) || isinf(x)) {
        fspec g = *f;
        g.flags &= ~(unsigned)FL_ZERO;
        const char *txt = isnan(x) ? "NaN" : "Infinity";
        if (isnan(x)) put_justified(b, &g, txt, 3);
        else put_number(b, &g, x < 0, "", txt, 8);
        return;
    }
    bool neg = signbit(x);
    double ax = fabs(x);
    gv_buf t;
    gv_buf_init(&t);
    char d[32];
    int e = 0, n = 0;
    if (ax != 0) n = dec_digits(vm, ax, d, &e);
    switch (f->conv) {
    case 'f': {
        int prec = f->prec == -1 ? 6 : f->prec;
        n = round_half_up(d, n, e + 1 + prec, &e);
        put_fixed_digits(&t, f, d, n, e, prec);
        break;
    }
    case 'e': {
        int prec = f->prec == -1 ? 6 : f->prec;
        n = round_half_up(d, n, prec + 1, &e);
        put_sci_digits(&t, f, d, n, e, prec);
        break;
    }
    case 'g': {
        int prec = f->prec == -1 ? 6 : f->prec == 0 ? 1 : f->prec;
        if (n == 0) {
            put_fixed_digits(&t, f, d, 0, 0, prec - 1);
            break;
        }
        n = round_half_up(d, n, prec, &e);
        if (e >= -4 && e < prec) put_fixed_digits(&t, f, d, n, e, prec - e - 1);
        else put_sci_digits(&t, f, d, n, e, prec - 1);
        break;
    }
    default: /* 'a' */
        put_hex_double(&t, ax);
        break;
    }
    put_number(b, f, neg, "", t.p, t.len);
    gv_buf_free(&t);
}

static void fmt_integer(gv_buf *b, const fspec *f, int64_t v) {
    char digits[32];
    gv_buf t;
    gv_buf_init(&t);
    if (f->conv == 'd') {
        uint64_t mag = v < 0 ? 0ull - (uint64_t)v : (uint64_t)v;
        int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)mag);
        if (f->flags & FL_COMMA) put_grouped(&t, digits, (size_t)n);
        else gv_buf_put(&t, digits, (size_t)n);
        put_number(b, f, v < 0, "", t.p, t.len);
    } else {
        int n = snprintf(digits, sizeof digits, f->conv == 'o' ? "%llo" : "%llx",
                         (unsigned long long)v);
        gv_buf_put(&t, digits, (size_t)n);
        const char *prefix = !(f->flags & FL_HASH) ? "" : f->conv == 'o' ? "0" : "0x";
        put_number(b, f, false, prefix, t.p, t.len);
    }
    gv_buf_free(&t);
}

static _Noreturn void bad_conversion(gv_vm *vm, const fspec *f, gv_val arg) {
    fmt_throw(vm, "java.util.IllegalFormatConversionException", "%c != %s",
              f->upper ? f->conv - 32 : f->conv, gv_type_name(arg));
}

/* Formats one argument ARG for specifier F. */
static void fmt_arg(gv_vm *vm, gv_buf *b, const fspec *f, gv_val arg) {
    if (arg.t == GV_NIL && f->conv != 'b') {
        fspec g = *f;
        g.flags &= ~(unsigned)(FL_ZERO | FL_PLUS | FL_SPACE | FL_PAREN | FL_COMMA);
        size_t n = (f->prec >= 0 && f->prec < 4 && (f->conv == 's' || f->conv == 'h'))
                       ? (size_t)f->prec : 4;
        put_justified(b, &g, "null", n);
        return;
    }
    switch (f->conv) {
    case 'b': case 's': case 'h': {
        char tmp[16];
        const char *txt;
        size_t n;
        if (f->conv == 'b') {
            bool t = arg.t == GV_NIL ? false : arg.t == GV_BOOL ? arg.as.b : true;
            txt = t ? "true" : "false";
            n = strlen(txt);
        } else if (f->conv == 'h') {
            n = (size_t)snprintf(tmp, sizeof tmp, "%x", java_hash_code(vm, arg));
            txt = tmp;
        } else {
            gv_string *s = GV_AS(gv_string, gv_str_of(vm, arg));
            txt = s->data;
            n = s->len;
        }
        if (f->prec >= 0) n = cp_offset(txt, n, f->prec);
        put_justified(b, f, txt, n);
        break;
    }
    case 'c': {
        if (arg.t != GV_CHAR) bad_conversion(vm, f, arg);
        char enc[4];
        put_justified(b, f, enc, encode_char(arg.as.c, enc));
        break;
    }
    case 'd': case 'o': case 'x':
        if (arg.t != GV_LONG) bad_conversion(vm, f, arg);
        fmt_integer(b, f, arg.as.i);
        break;
    default: /* e f g a */
        if (arg.t != GV_DOUBLE) bad_conversion(vm, f, arg);
        fmt_double(vm, b, f, arg.as.d);
        break;
    }
}

typedef struct {
    gv_string *fmt;
    int nargs;
    const gv_val *args;
} fmt_ctx;

/* Formatter.format: parse (and so validate) every specifier first, then
 * format left to right. */
static gv_val format_body(gv_vm *vm, gv_buf *b, void *ctx) {
    fmt_ctx *c = ctx;
    const char *s = c->fmt->data, *end = s + c->fmt->len;
    fspec f;
    for (const char *p = s; (p = memchr(p, '%', (size_t)(end - p)));)
        p = fmt_parse(vm, p, end, &f);
    int ordinary = 0, last = -1;
    for (const char *p = s; p < end;) {
        const char *pct = memchr(p, '%', (size_t)(end - p));
        if (!pct) {
            gv_buf_put(b, p, (size_t)(end - p));
            break;
        }
        gv_buf_put(b, p, (size_t)(pct - p));
        p = fmt_parse(vm, pct, end, &f);
        if (f.conv == '%') {
            put_justified(b, &f, "%", 1);
            continue;
        }
        if (f.conv == 'n') {
            gv_buf_putc(b, '\n');
            continue;
        }
        int ix;
        if (f.flags & FL_PREV) ix = last;
        else if (f.index > 0) ix = f.index - 1;
        else ix = ordinary++;
        if (ix < 0 || ix >= c->nargs) {
            char st[80];
            spec_text(&f, st);
            fmt_throw(vm, "java.util.MissingFormatArgumentException", "Format specifier '%s'", st);
        }
        last = ix;
        fmt_arg(vm, b, &f, c->args[ix]);
    }
    return buf_string(vm, b);
}

static gv_val s_format(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    gv_string *fmt = string_arg(vm, argv[0]);
    fmt_ctx c = {fmt, argc - 1, argv + 1};
    return with_buf(vm, format_body, &c);
}

/* ---- regexes -------------------------------------------------------------- */

static const struct {
    const char *java, *posix;
} posix_classes[] = {
    {"Lower", "lower"}, {"Upper", "upper"}, {"ASCII", "ascii"}, {"Alpha", "alpha"},
    {"Digit", "digit"}, {"Alnum", "alnum"}, {"Punct", "punct"}, {"Graph", "graph"},
    {"Print", "print"}, {"Blank", "blank"}, {"Cntrl", "cntrl"}, {"XDigit", "xdigit"},
    {"Space", "space"},
};

static bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Rewrites the Java-only parts of a pattern for PCRE2.  "(*ANY)" makes
 * every Unicode line terminator a newline for '.', '$' and '^', as in
 * Java. */
#define RX_PREFIX "(*ANY)"

static void rx_translate(const char *s, size_t n, gv_buf *out) {
    gv_buf_puts(out, RX_PREFIX);
    bool in_class = false;
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == '\\' && i + 1 < n) {
            char d = s[i + 1];
            if (d == 'Q') { /* quoted run: copied as is up to \E */
                size_t j = i + 2;
                while (j + 1 < n && !(s[j] == '\\' && s[j + 1] == 'E')) j++;
                j = j + 1 < n ? j + 2 : n;
                gv_buf_put(out, s + i, j - i);
                i = j;
                continue;
            }
            if (d == '0') { /* Java: \0 and 1-3 octal digits (the third if the first <= 3) */
                size_t j = i + 2, max = (j < n && s[j] >= '0' && s[j] <= '3') ? 3 : 2;
                while (j < n && j - (i + 2) < max && s[j] >= '0' && s[j] <= '7') j++;
                if (j > i + 2) {
                    gv_buf_printf(out, "\\o{%.*s}", (int)(j - i - 2), s + i + 2);
                    i = j;
                    continue;
                }
            }
            if (d == 'u' && i + 6 <= n && is_hex(s[i + 2]) && is_hex(s[i + 3]) &&
                is_hex(s[i + 4]) && is_hex(s[i + 5])) {
                gv_buf_puts(out, "\\x{");
                gv_buf_put(out, s + i + 2, 4);
                gv_buf_putc(out, '}');
                i += 6;
                continue;
            }
            if ((d == 'p' || d == 'P') && i + 2 < n && s[i + 2] == '{') {
                const char *close = memchr(s + i + 3, '}', n - i - 3);
                if (close) {
                    const char *name = s + i + 3;
                    size_t nl = (size_t)(close - name);
                    size_t next = (size_t)(close - s) + 1;
                    bool done = false;
                    for (size_t k = 0; k < sizeof posix_classes / sizeof posix_classes[0]; k++) {
                        if (strlen(posix_classes[k].java) == nl &&
                            memcmp(posix_classes[k].java, name, nl) == 0) {
                            gv_buf_puts(out, in_class ? "[:" : "[[:");
                            if (d == 'P') gv_buf_putc(out, '^');
                            gv_buf_puts(out, posix_classes[k].posix);
                            gv_buf_puts(out, in_class ? ":]" : ":]]");
                            done = true;
                            break;
                        }
                    }
                    if (!done && nl > 2 && name[0] == 'I' && name[1] == 's') {
                        gv_buf_printf(out, "\\%c{%.*s}", d, (int)nl - 2, name + 2);
                        done = true;
                    } else if (!done && nl == 13 && memcmp(name, "javaLowerCase", 13) == 0) {
                        gv_buf_printf(out, "\\%c{Ll}", d);
                        done = true;
                    } else if (!done && nl == 13 && memcmp(name, "javaUpperCase", 13) == 0) {
                        gv_buf_printf(out, "\\%c{Lu}", d);
                        done = true;
                    }
                    if (done) {
                        i = next;
                        continue;
                    }
                }
            }
            gv_buf_put(out, s + i, 2);
            i += 2;
            continue;
        }
        if (c == '[' && !in_class) {
            in_class = true;
            gv_buf_putc(out, c);
            i++;
            if (i < n && s[i] == '^') gv_buf_putc(out, s[i++]);
            if (i < n && s[i] == ']') gv_buf_putc(out, s[i++]);
            continue;
        }
        if (c == ']' && in_class) in_class = false;
        if (c == '(' && !in_class && i + 2 < n && s[i + 1] == '?') {
            /* inline flags: drop Java's u, d and U, which PCRE2 lacks or
             * reads differently (its U is "ungreedy") */
            size_t j = i + 2;
            while (j < n && strchr("idmsuxU-", s[j])) j++;
            if (j > i + 2 && j < n && (s[j] == ')' || s[j] == ':')) {
                gv_buf init;
                gv_buf_init(&init);
                for (size_t k = i + 2; k < j; k++)
                    if (s[k] != 'u' && s[k] != 'd' && s[k] != 'U') gv_buf_putc(&init, s[k]);
                bool empty = init.len == 0 || (init.len == 1 && init.p[0] == '-');
                if (empty && s[j] == ')') {
                    /* nothing left to set */
                } else if (empty) {
                    gv_buf_puts(out, "(?:");
                } else {
                    gv_buf_puts(out, "(?");
                    gv_buf_put(out, init.p, init.len);
                    gv_buf_putc(out, s[j]);
                }
                gv_buf_free(&init);
                i = j + 1;
                continue;
            }
        }
        gv_buf_putc(out, c);
        i++;
    }
}

/* Java's wording for the most common syntax errors. */
static const char *rx_java_error(int code) {
    switch (code) {
    case PCRE2_ERROR_MISSING_CLOSING_PARENTHESIS: return "Unclosed group";
    case PCRE2_ERROR_MISSING_SQUARE_BRACKET: return "Unclosed character class";
    case PCRE2_ERROR_UNMATCHED_CLOSING_PARENTHESIS: return "Unmatched closing ')'";
    case PCRE2_ERROR_END_BACKSLASH: return "Unexpected internal error";
    default: return NULL;
    }
}

gv_val gv_regex_new(gv_vm *vm, const char *src, size_t len) {
    gv_string *source = gv_str_new(vm, src, len);
    gv_regex *r = gv_alloc(vm, GV_REGEX, sizeof *r);
    r->source = source;
    r->code = NULL;
    gv_buf t;
    gv_buf_init(&t);
    rx_translate(source->data, len, &t);
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)t.p, t.len, PCRE2_UTF, &err, &off, NULL);
    gv_buf_free(&t);
    if (!code) {
        char desc[256];
        const char *j = rx_java_error(err);
        size_t pos = off >= strlen(RX_PREFIX) ? off - strlen(RX_PREFIX) : 0;
        if (pos > len) pos = len;
        if (err == PCRE2_ERROR_MISSING_CLOSING_PARENTHESIS) pos = len;
        if (err == PCRE2_ERROR_MISSING_SQUARE_BRACKET && len > 0) pos = len - 1;
        if (j) snprintf(desc, sizeof desc, "%s", j);
        else if (err == PCRE2_ERROR_QUANTIFIER_INVALID && pos < len)
            snprintf(desc, sizeof desc, "Dangling meta character '%c'", source->data[pos]);
        else pcre2_get_error_message(err, (PCRE2_UCHAR *)desc, sizeof desc);
        gv_buf m;
        gv_buf_init(&m);
        gv_buf_printf(&m, "%s near index %zu\n", desc, pos);
        gv_buf_put(&m, source->data, len);
        if (pos < len) {
            gv_buf_putc(&m, '\n');
            for (size_t i = 0; i < pos; i++) gv_buf_putc(&m, ' ');
            gv_buf_putc(&m, '^');
        }
        gv_val msg = gv_str(vm, m.p, m.len); /* OOM here leaks m; acceptable */
        gv_buf_free(&m);
        gv_throw(vm, gv_exception_new(vm, "java.util.regex.PatternSyntaxException", msg,
                                      GV_NILV, GV_NILV));
    }
    r->code = code;
    return gv_mk(GV_REGEX, r);
}

void gv_regex_free(gv_regex *r) {
    if (r->code) pcre2_code_free(r->code);
    r->code = NULL;
}

/* ---- subjects ---- */

/* One UTF-8 sequence as PCRE2 accepts it (no overlongs, surrogates or
 * code points past U+10FFFF); -1 when invalid.  Sets *len (1 when
 * invalid). */
static int32_t utf8_strict(const unsigned char *u, size_t n, int *len) {
    *len = 1;
    unsigned c = u[0];
    if (c < 0x80) return (int32_t)c;
    int need;
    int32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) need = 1, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) need = 2, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) need = 3, cp = c & 0x07, min = 0x10000;
    else return -1;
    if ((size_t)need >= n) return -1;
    for (int i = 1; i <= need; i++) {
        if ((u[i] & 0xC0) != 0x80) return -1;
        cp = (cp << 6) | (u[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
    *len = need + 1;
    return cp;
}

/* The string regexes match against: S itself when it is valid UTF-8 (the
 * usual case), else a copy with every invalid byte replaced by U+FFFD —
 * what Java would have decoded.  Matching then skips PCRE2's own UTF
 * check, which would otherwise rescan the rest of the subject at every
 * search of re-seq, split and replace. */
static gv_val rx_subject(gv_vm *vm, gv_val s) {
    gv_string *str = GV_AS(gv_string, s);
    const unsigned char *u = (const unsigned char *)str->data;
    size_t n = str->len, out = 0;
    bool valid = true;
    for (size_t i = 0; i < n;) {
        if (u[i] < 0x80) {
            i++;
            out++;
            continue;
        }
        int len;
        if (utf8_strict(u + i, n - i, &len) < 0) {
            valid = false;
            out += 3;
        } else {
            out += (size_t)len;
        }
        i += (size_t)len;
    }
    if (valid) return s;
    if (out > UINT32_MAX - 1) gv_throwf(vm, "OutOfMemoryError", "String too long");
    gv_string *r = gv_alloc(vm, GV_STRING, sizeof(gv_string) + out + 1);
    r->len = (uint32_t)out;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        int len;
        if (utf8_strict(u + i, n - i, &len) < 0) {
            memcpy(r->data + o, "\xEF\xBF\xBD", 3);
            o += 3;
        } else {
            memcpy(r->data + o, u + i, (size_t)len);
            o += (size_t)len;
        }
        i += (size_t)len;
    }
    r->data[out] = 0;
    return gv_mk(GV_STRING, r);
}

/* Match enumeration in the manner of Matcher.find. */
#define RX_LOCAL_GROUPS 31

typedef struct rx_iter {
    gv_regex *re;
    const char *s;
    size_t len;
    size_t next;       /* where the next search starts; > len when done */
    uint32_t ng;       /* capture groups */
    PCRE2_SIZE *ov;    /* 2 * (ng + 1) offsets of the current match */
    PCRE2_SIZE local[2 * (RX_LOCAL_GROUPS + 1)];
} rx_iter;

_Static_assert(offsetof(gv_string, data) % _Alignof(PCRE2_SIZE) == 0,
               "gv_string data can hold PCRE2 offsets");

/* Sets IT up over S from byte START.  Patterns with many groups keep
 * their offsets in a scratch object pushed on the value stack.  IT must
 * not be copied (ov may point into it). */
static void rx_iter_init(gv_vm *vm, rx_iter *it, gv_regex *re, const char *s, size_t len,
                         size_t start) {
    it->re = re;
    it->s = s;
    it->len = len;
    it->next = start;
    uint32_t ng = 0;
    pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &ng);
    it->ng = ng;
    if (ng <= RX_LOCAL_GROUPS) {
        it->ov = it->local;
    } else {
        size_t bytes = 2 * ((size_t)ng + 1) * sizeof(PCRE2_SIZE);
        gv_string *scratch = gv_alloc(vm, GV_STRING, sizeof(gv_string) + bytes + 1);
        gv_push(vm, gv_mk(GV_STRING, scratch));
        it->ov = (PCRE2_SIZE *)(void *)scratch->data;
    }
}

/* One pcre2_match from byte START with OPTS; copies the offsets out and
 * frees the match data before anything can throw. */
static bool rx_exec(gv_vm *vm, rx_iter *it, size_t start, uint32_t opts) {
    pcre2_match_data *md = pcre2_match_data_create(it->ng + 1, NULL);
    if (!md) gv_throwf(vm, "OutOfMemoryError", "Java heap space");
    int rc = pcre2_match(it->re->code, (PCRE2_SPTR)it->s, it->len, start,
                         opts | PCRE2_NO_UTF_CHECK, md, NULL);
    if (rc >= 0) {
        PCRE2_SIZE *o = pcre2_get_ovector_pointer(md);
        memcpy(it->ov, o, 2 * ((size_t)it->ng + 1) * sizeof(PCRE2_SIZE));
    }
    pcre2_match_data_free(md);
    if (rc >= 0) return true;
    if (rc == PCRE2_ERROR_NOMATCH) return false;
    char msg[256];
    pcre2_get_error_message(rc, (PCRE2_UCHAR *)msg, sizeof msg);
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
        gv_throwf(vm, "StackOverflowError", "regex match: %s", msg);
    gv_throwf(vm, "IllegalArgumentException", "regex match: %s", msg);
}

/* Matcher.find: the next match, or false. */
static bool rx_next(gv_vm *vm, rx_iter *it) {
    if (it->next > it->len) return false;
    if (!rx_exec(vm, it, it->next, 0)) {
        it->next = it->len + 1;
        return false;
    }
    size_t st = it->ov[0], en = it->ov[1];
    if (en > st) it->next = en;
    else it->next = en < it->len ? next_cp(it->s, it->len, en) : it->len + 1;
    return true;
}

static gv_val rx_group(gv_vm *vm, rx_iter *it, uint32_t g) {
    PCRE2_SIZE a = it->ov[2 * g], b = it->ov[2 * g + 1];
    if (a == PCRE2_UNSET || b < a) return GV_NILV;
    return str_val(vm, it->s + a, b - a);
}

/* re-groups: the match, or [match g1 g2 ...] when the pattern has groups. */
static gv_val rx_groups(gv_vm *vm, rx_iter *it) {
    if (it->ng == 0) return rx_group(vm, it, 0);
    if (it->ng <= RX_LOCAL_GROUPS) {
        gv_val g[RX_LOCAL_GROUPS + 1];
        for (uint32_t i = 0; i <= it->ng; i++) g[i] = rx_group(vm, it, i);
        return gv_vec_from(vm, it->ng + 1, g);
    }
    gv_vecb vb;
    gv_vecb_init(vm, &vb);
    for (uint32_t i = 0; i <= it->ng; i++) gv_vecb_add(vm, &vb, rx_group(vm, it, i));
    return gv_vecb_done(vm, &vb);
}

static gv_val s_re_pattern(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    gv_val v = argv[0];
    if (v.t == GV_REGEX) return v;
    gv_string *s = gv_arg_string(vm, v);
    return gv_regex_new(vm, s->data, s->len);
}

static gv_val s_re_find(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    gv_regex *re = re_arg(vm, argv[0]);
    cs_arg(vm, argv[1]);
    gv_string *s = GV_AS(gv_string, rx_subject(vm, argv[1]));
    rx_iter it;
    rx_iter_init(vm, &it, re, s->data, s->len, 0);
    return rx_next(vm, &it) ? rx_groups(vm, &it) : GV_NILV;
}

static gv_val s_re_matches(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    gv_regex *re = re_arg(vm, argv[0]);
    cs_arg(vm, argv[1]);
    gv_string *s = GV_AS(gv_string, rx_subject(vm, argv[1]));
    rx_iter it;
    rx_iter_init(vm, &it, re, s->data, s->len, 0);
    if (!rx_exec(vm, &it, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED)) return GV_NILV;
    return rx_groups(vm, &it);
}

/* re-seq is lazy like Clojure's: each step is a native closure over
 * [regex string next-offset]. */
static gv_val reseq_from(gv_vm *vm, gv_val re, gv_val s, size_t start);

static gv_val reseq_step(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)argv;
    gv_val env = gv_closure_env(data);
    return reseq_from(vm, gv_vec_nth(env, 0), gv_vec_nth(env, 1),
                      (size_t)gv_vec_nth(env, 2).as.i);
}

static gv_val reseq_from(gv_vm *vm, gv_val re, gv_val s, size_t start) {
    gv_string *str = GV_AS(gv_string, s);
    rx_iter it;
    rx_iter_init(vm, &it, GV_AS(gv_regex, re), str->data, str->len, start);
    if (!rx_next(vm, &it)) return GV_NILV;
    gv_val g = rx_groups(vm, &it);
    gv_val env[3] = {re, s, gv_l((int64_t)it.next)};
    gv_val thunk = gv_native_closure(vm, "clojure.core/re-seq$step", reseq_step,
                                     gv_vec_from(vm, 3, env), 0, 0);
    return gv_cons(vm, g, gv_lazyseq_new(vm, thunk));
}

static gv_val s_re_seq(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    re_arg(vm, argv[0]);
    cs_arg(vm, argv[1]);
    return reseq_from(vm, argv[0], rx_subject(vm, argv[1]), 0);
}

/* ---- replacement templates (Matcher.appendReplacement) ---- */

static void put_template(gv_vm *vm, gv_buf *b, rx_iter *it, const char *r, size_t n) {
    for (size_t i = 0; i < n;) {
        char c = r[i];
        if (c == '\\') {
            if (++i == n)
                gv_throwf(vm, "IllegalArgumentException", "character to be escaped is missing");
            size_t e = next_cp(r, n, i);
            gv_buf_put(b, r + i, e - i);
            i = e;
        } else if (c == '$') {
            if (++i == n)
                gv_throwf(vm, "IllegalArgumentException",
                          "Illegal group reference: group index is missing");
            uint32_t g;
            if (r[i] == '{') {
                size_t st = ++i;
                while (i < n && ((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= 'A' && r[i] <= 'Z') ||
                                 (r[i] >= '0' && r[i] <= '9')))
                    i++;
                if (i == st)
                    gv_throwf(vm, "IllegalArgumentException",
                              "named capturing group has 0 length name");
                if (i == n || r[i] != '}')
                    gv_throwf(vm, "IllegalArgumentException",
                              "named capturing group is missing trailing '}'");
                char name[256];
                size_t nl = i - st < sizeof name - 1 ? i - st : sizeof name - 1;
                memcpy(name, r + st, nl);
                name[nl] = 0;
                if (name[0] >= '0' && name[0] <= '9')
                    gv_throwf(vm, "IllegalArgumentException",
                              "capturing group name {%s} starts with digit character", name);
                int num = pcre2_substring_number_from_name(it->re->code, (PCRE2_SPTR)name);
                if (num < 0)
                    gv_throwf(vm, "IllegalArgumentException", "No group with name {%s}", name);
                g = (uint32_t)num;
                i++;
            } else {
                if (r[i] < '0' || r[i] > '9')
                    gv_throwf(vm, "IllegalArgumentException", "Illegal group reference");
                g = (uint32_t)(r[i++] - '0');
                while (i < n && r[i] >= '0' && r[i] <= '9') {
                    uint64_t ng = (uint64_t)g * 10 + (uint64_t)(r[i] - '0');
                    if (ng > it->ng) break;
                    g = (uint32_t)ng;
                    i++;
                }
            }
            if (g > it->ng) gv_throwf(vm, "IndexOutOfBoundsException", "No group %u", g);
            PCRE2_SIZE a = it->ov[2 * g], e = it->ov[2 * g + 1];
            if (a != PCRE2_UNSET && e >= a) gv_buf_put(b, it->s + a, e - a);
        } else {
            gv_buf_putc(b, c);
            i++;
        }
    }
}

/* ---- clojure.string ---------------------------------------------------------- */

typedef struct {
    gv_val *s;        /* rooted slot with the subject string */
    gv_val match;
    gv_val rep;
    bool first_only;
} replace_ctx;

/* Replacing with a function: (f (re-groups m)) must give a string, which
 * is inserted literally. */
static void put_fn_result(gv_vm *vm, gv_buf *b, gv_val r) {
    if (r.t == GV_NIL)
        gv_throwf(vm, "NullPointerException",
                  "Cannot invoke \"String.indexOf(int)\" because \"s\" is null");
    if (r.t != GV_STRING) gv_throw_cast(vm, r, "java.lang.String");
    gv_buf_put(b, GV_AS(gv_string, r)->data, GV_AS(gv_string, r)->len);
}

static gv_val replace_regex_body(gv_vm *vm, gv_buf *b, void *ctx) {
    replace_ctx *c = ctx;
    gv_string *s = GV_AS(gv_string, *c->s);
    rx_iter it;
    rx_iter_init(vm, &it, GV_AS(gv_regex, c->match), s->data, s->len, 0);
    if (!rx_next(vm, &it)) return *c->s;
    bool fn = c->rep.t != GV_STRING;
    gv_val *arg = fn ? gv_push(vm, GV_NILV) : NULL;
    size_t last = 0;
    do {
        gv_buf_put(b, s->data + last, it.ov[0] - last);
        if (fn) {
            *arg = rx_groups(vm, &it);
            put_fn_result(vm, b, gv_call(vm, c->rep, 1, arg));
        } else {
            gv_string *r = GV_AS(gv_string, c->rep);
            put_template(vm, b, &it, r->data, r->len);
        }
        last = it.ov[1];
    } while (!c->first_only && rx_next(vm, &it));
    gv_buf_put(b, s->data + last, s->len - last);
    return buf_string(vm, b);
}

/* String.replace(CharSequence, CharSequence): literal, non-overlapping;
 * an empty target inserts the replacement around every character. */
static gv_val replace_literal_body(gv_vm *vm, gv_buf *b, void *ctx) {
    replace_ctx *c = ctx;
    gv_string *s = GV_AS(gv_string, *c->s);
    gv_string *m = GV_AS(gv_string, c->match), *r = GV_AS(gv_string, c->rep);
    if (m->len == 0) {
        for (size_t i = 0; i < s->len;) {
            size_t e = next_cp(s->data, s->len, i);
            gv_buf_put(b, r->data, r->len);
            gv_buf_put(b, s->data + i, e - i);
            i = e;
        }
        gv_buf_put(b, r->data, r->len);
        return buf_string(vm, b);
    }
    size_t at = 0;
    for (;;) {
        int64_t k = find_bytes(s->data + at, s->len - at, m->data, m->len);
        if (k < 0) break;
        gv_buf_put(b, s->data + at, (size_t)k);
        gv_buf_put(b, r->data, r->len);
        at += (size_t)k + m->len;
        if (c->first_only) break;
    }
    gv_buf_put(b, s->data + at, s->len - at);
    return buf_string(vm, b);
}

static gv_val replace_any(gv_vm *vm, gv_val *argv, bool first_only) {
    gv_val *s = gv_push(vm, gv_objval(tostr_arg(vm, argv[0])));
    gv_val match = argv[1], rep = argv[2];
    replace_ctx c = {s, match, rep, first_only};
    switch (match.t) {
    case GV_CHAR: {
        char mb[4], rb[4];
        size_t mn = encode_char(match.as.c, mb);
        gv_string *rs;
        if (first_only) {
            rs = GV_AS(gv_string, gv_str_of(vm, rep.t == GV_NIL ? gv_str(vm, "", 0) : rep));
        } else {
            if (rep.t != GV_CHAR) gv_throw_cast(vm, rep, "java.lang.Character");
            rs = GV_AS(gv_string, gv_str(vm, rb, encode_char(rep.as.c, rb)));
        }
        c.match = gv_str(vm, mb, mn);
        c.rep = gv_objval(rs);
        return with_buf(vm, replace_literal_body, &c);
    }
    case GV_STRING:
        c.rep = first_only ? gv_objval(tostr_arg(vm, rep)) : gv_objval(cs_arg(vm, rep));
        return with_buf(vm, replace_literal_body, &c);
    case GV_REGEX:
        *s = rx_subject(vm, *s);
        return with_buf(vm, replace_regex_body, &c);
    default:
        gv_throwf(vm, "IllegalArgumentException", "Invalid match arg: %s",
                  GV_AS(gv_string, gv_str_of(vm, match))->data);
    }
}

static gv_val s_replace(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return replace_any(vm, argv, false);
}

static gv_val s_replace_first(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return replace_any(vm, argv, true);
}

static gv_val s_re_quote_replacement(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    gv_string *s = tostr_arg(vm, argv[0]);
    if (!memchr(s->data, '\\', s->len) && !memchr(s->data, '$', s->len)) return gv_objval(s);
    gv_buf b;
    gv_buf_init(&b);
    for (size_t i = 0; i < s->len; i++) {
        if (s->data[i] == '\\' || s->data[i] == '$') gv_buf_putc(&b, '\\');
        gv_buf_putc(&b, s->data[i]);
    }
    gv_val r = gv_str(vm, b.p, b.len); /* only OOM can throw here; then b leaks */
    gv_buf_free(&b);
    return r;
}

/* ---- join ---- */

typedef struct {
    gv_val sep;       /* a string */
    gv_val *cur;      /* rooted slot: the seq still to walk */
} join_ctx;

static gv_val join_body(gv_vm *vm, gv_buf *b, void *ctx) {
    join_ctx *c = ctx;
    gv_string *sep = GV_AS(gv_string, c->sep);
    bool first = true;
    while (c->cur->t != GV_NIL) {
        if (!first) gv_buf_put(b, sep->data, sep->len);
        first = false;
        gv_str_append(vm, b, gv_first(vm, *c->cur));
        *c->cur = gv_next(vm, *c->cur);
    }
    return buf_string(vm, b);
}

static gv_val s_join(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    gv_val coll = argv[argc - 1];
    gv_val *cur = gv_push(vm, gv_seq(vm, coll));
    gv_val *sep = gv_push(vm, argc == 2 ? gv_str_of(vm, argv[0]) : gv_str(vm, "", 0));
    join_ctx c = {*sep, cur};
    return with_buf(vm, join_body, &c);
}

/* ---- split ---- */

typedef struct splitter {
    rx_iter *it;      /* NULL: split at \r?\n */
    const char *s;
    size_t len, next;
} splitter;

static bool split_find(gv_vm *vm, splitter *sp, size_t *st, size_t *en) {
    if (sp->it) {
        if (!rx_next(vm, sp->it)) return false;
        *st = sp->it->ov[0];
        *en = sp->it->ov[1];
        return true;
    }
    if (sp->next > sp->len) return false;
    const char *nl = memchr(sp->s + sp->next, '\n', sp->len - sp->next);
    if (!nl) {
        sp->next = sp->len + 1;
        return false;
    }
    size_t p = (size_t)(nl - sp->s);
    *st = (p > sp->next && sp->s[p - 1] == '\r') ? p - 1 : p;
    *en = p + 1;
    sp->next = p + 1;
    return true;
}

typedef struct {
    gv_vecb vb;
    int64_t count, pending; /* pieces so far; trailing empty ones held back */
} pieces;

static void add_piece(gv_vm *vm, pieces *ps, const char *p, size_t n) {
    ps->count++;
    if (n == 0) {
        ps->pending++;
        return;
    }
    for (; ps->pending > 0; ps->pending--) gv_vecb_add(vm, &ps->vb, gv_str(vm, "", 0));
    gv_vecb_add(vm, &ps->vb, gv_str(vm, p, n));
}

/* Pattern.split(input, limit), result as a vector. */
static gv_val split_run(gv_vm *vm, splitter *sp, gv_val whole, int64_t limit) {
    pieces ps = {.count = 0, .pending = 0};
    gv_vecb_init(vm, &ps.vb);
    const char *s = sp->s;
    size_t len = sp->len, index = 0, st, en;
    bool limited = limit > 0;
    while (split_find(vm, sp, &st, &en)) {
        if (!limited || ps.count < limit - 1) {
            if (index == 0 && st == 0 && en == 0) continue;
            add_piece(vm, &ps, s + index, st - index);
            index = en;
        } else {
            add_piece(vm, &ps, s + index, len - index);
            index = en;
            break;
        }
    }
    if (index == 0) return gv_vec_from(vm, 1, &whole);
    if (!limited || ps.count < limit) add_piece(vm, &ps, s + index, len - index);
    if (limit != 0)
        for (; ps.pending > 0; ps.pending--) gv_vecb_add(vm, &ps.vb, gv_str(vm, "", 0));
    return gv_vecb_done(vm, &ps.vb);
}

static gv_val s_split(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    cs_arg(vm, argv[0]);
    gv_regex *re = re_arg(vm, argv[1]);
    int64_t limit = argc > 2 ? gv_arg_long(vm, argv[2]) : 0;
    gv_string *s = GV_AS(gv_string, rx_subject(vm, argv[0]));
    rx_iter it;
    rx_iter_init(vm, &it, re, s->data, s->len, 0);
    splitter sp = {&it, s->data, s->len, 0};
    return split_run(vm, &sp, argv[0], limit);
}

static gv_val s_split_lines(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    gv_string *s = cs_arg(vm, argv[0]);
    splitter sp = {NULL, s->data, s->len, 0};
    return split_run(vm, &sp, argv[0], 0);
}

/* ---- case, trimming, searching ---- */

static gv_val cased(gv_vm *vm, gv_string *s, size_t from, bool upper, const char *prefix,
                    size_t pn) {
    gv_buf b;
    gv_buf_init(&b);
    gv_buf_put(&b, prefix, pn);
    put_cased(&b, s->data + from, s->len - from, upper);
    gv_val r = gv_str(vm, b.p ? b.p : "", b.len); /* only OOM can throw; then b leaks */
    gv_buf_free(&b);
    return r;
}

static gv_val s_upper_case(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return cased(vm, tostr_arg(vm, argv[0]), 0, true, "", 0);
}

static gv_val s_lower_case(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return cased(vm, tostr_arg(vm, argv[0]), 0, false, "", 0);
}

static gv_val s_capitalize(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    gv_string *s = tostr_arg(vm, argv[0]);
    if (s->len == 0) return gv_objval(s);
    size_t first = next_cp(s->data, s->len, 0);
    gv_buf up;
    gv_buf_init(&up);
    put_cased(&up, s->data, first, true);
    char head[16];
    size_t hn = up.len < sizeof head ? up.len : sizeof head;
    memcpy(head, up.p, hn);
    gv_buf_free(&up);
    return cased(vm, s, first, false, head, hn);
}

/* Trims Character.isWhitespace code points from the chosen ends. */
static gv_val trim_ends(gv_vm *vm, gv_val v, bool left, bool right) {
    gv_string *s = cs_arg(vm, v);
    size_t b = 0, e = s->len;
    if (left) {
        while (b < e) {
            int len;
            int32_t c = gv_utf8_decode(s->data + b, e - b, &len);
            if (!java_space(c)) break;
            b += (size_t)len;
        }
    }
    if (right) {
        while (e > b) {
            size_t p = e - 1;
            while (p > b && is_cont(s->data[p])) p--;
            int len;
            int32_t c = gv_utf8_decode(s->data + p, e - p, &len);
            if (!java_space(c)) break;
            e = p;
        }
    }
    if (b == 0 && e == s->len) return v;
    return str_val(vm, s->data + b, e - b);
}

static gv_val s_trim(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return trim_ends(vm, argv[0], true, true);
}

static gv_val s_triml(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return trim_ends(vm, argv[0], true, false);
}

static gv_val s_trimr(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    return trim_ends(vm, argv[0], false, true);
}

static gv_val s_trim_newline(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    gv_string *s = cs_arg(vm, argv[0]);
    size_t e = s->len;
    while (e > 0 && (s->data[e - 1] == '\n' || s->data[e - 1] == '\r')) e--;
    if (e == s->len) return argv[0];
    return str_val(vm, s->data, e);
}

static gv_val s_blank_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    if (argv[0].t == GV_NIL) return GV_TRUEV;
    gv_string *s = cs_arg(vm, argv[0]);
    for (size_t i = 0; i < s->len;) {
        int len;
        if (!java_space(gv_utf8_decode(s->data + i, s->len - i, &len))) return GV_FALSEV;
        i += (size_t)len;
    }
    return GV_TRUEV;
}

static gv_val s_reverse(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    gv_string *s = cs_arg(vm, argv[0]);
    gv_string *r = gv_alloc(vm, GV_STRING, sizeof(gv_string) + s->len + 1);
    r->len = s->len;
    size_t out = s->len;
    for (size_t i = 0; i < s->len;) {
        size_t e = next_cp(s->data, s->len, i);
        out -= e - i;
        memcpy(r->data + out, s->data + i, e - i);
        i = e;
    }
    r->data[s->len] = 0;
    return gv_mk(GV_STRING, r);
}

typedef struct {
    gv_val s, cmap;   /* both rooted (arguments) */
} escape_ctx;

static gv_val escape_body(gv_vm *vm, gv_buf *b, void *ctx) {
    escape_ctx *c = ctx;
    gv_string *s = GV_AS(gv_string, c->s);
    for (size_t i = 0; i < s->len;) {
        int len;
        int32_t ch = gv_utf8_decode(s->data + i, s->len - i, &len);
        gv_val ca = gv_ch(ch);
        gv_val r = gv_call(vm, c->cmap, 1, &ca);
        if (gv_truthy(r)) gv_str_append(vm, b, r);
        else gv_buf_put(b, s->data + i, (size_t)len);
        i += (size_t)len;
    }
    return buf_string(vm, b);
}

static gv_val s_escape(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    cs_arg(vm, argv[0]);
    escape_ctx c = {argv[0], argv[1]};
    return with_buf(vm, escape_body, &c);
}

/* The value searched for by index-of and friends: a char or a string. */
static const char *needle_arg(gv_vm *vm, gv_val v, char buf[4], size_t *n) {
    if (v.t == GV_CHAR) {
        *n = encode_char(v.as.c, buf);
        return buf;
    }
    gv_string *s = string_arg(vm, v);
    *n = s->len;
    return s->data;
}

static gv_val s_index_of(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    gv_string *s = tostr_arg(vm, argv[0]);
    char buf[4];
    size_t nn;
    const char *needle = needle_arg(vm, argv[1], buf, &nn);
    int64_t from = argc > 2 ? (int32_t)gv_arg_long(vm, argv[2]) : 0;
    if (from < 0) from = 0;
    int64_t n = cp_count(s->data, s->len);
    if (from >= n) return (argv[1].t == GV_STRING && nn == 0) ? gv_l(n) : GV_NILV;
    size_t off = cp_offset(s->data, s->len, from);
    int64_t k = find_bytes(s->data + off, s->len - off, needle, nn);
    if (k < 0) return GV_NILV;
    return gv_l(from + cp_count(s->data + off, (size_t)k));
}

static gv_val s_last_index_of(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)data;
    gv_string *s = tostr_arg(vm, argv[0]);
    char buf[4];
    size_t nn;
    const char *needle = needle_arg(vm, argv[1], buf, &nn);
    int64_t from = argc > 2 ? (int32_t)gv_arg_long(vm, argv[2]) : INT32_MAX;
    if (from < 0) return GV_NILV;
    int64_t best = -1, k = 0;
    for (size_t i = 0; k <= from; k++) {
        if (s->len - i >= nn && memcmp(s->data + i, needle, nn) == 0) best = k;
        if (i >= s->len) break;
        i = next_cp(s->data, s->len, i);
    }
    return best < 0 ? GV_NILV : gv_l(best);
}

static gv_val s_starts_with_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    gv_string *s = tostr_arg(vm, argv[0]);
    if (argv[1].t == GV_NIL)
        gv_throwf(vm, "NullPointerException",
                  "Cannot invoke \"String.length()\" because \"prefix\" is null");
    gv_string *p = string_arg(vm, argv[1]);
    return gv_b(p->len <= s->len && memcmp(s->data, p->data, p->len) == 0);
}

static gv_val s_ends_with_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    gv_string *s = tostr_arg(vm, argv[0]);
    if (argv[1].t == GV_NIL)
        gv_throwf(vm, "NullPointerException",
                  "Cannot invoke \"String.length()\" because \"suffix\" is null");
    gv_string *p = string_arg(vm, argv[1]);
    return gv_b(p->len <= s->len && memcmp(s->data + s->len - p->len, p->data, p->len) == 0);
}

static gv_val s_includes_p(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc, (void)data;
    gv_string *s = tostr_arg(vm, argv[0]);
    if (argv[1].t == GV_NIL)
        gv_throwf(vm, "NullPointerException",
                  "Cannot invoke \"java.lang.CharSequence.toString()\" because \"s\" is null");
    gv_string *p = cs_arg(vm, argv[1]);
    return gv_b(find_bytes(s->data, s->len, p->data, p->len) >= 0);
}

/* ---- registration ------------------------------------------------------------ */

static gv_val char_map(gv_vm *vm, int n, const int32_t *chars, const char *const *strs) {
    gv_val kv[16];
    for (int i = 0; i < n; i++) {
        kv[2 * i] = gv_ch(chars[i]);
        kv[2 * i + 1] = gv_cstr(vm, strs[i]);
    }
    return gv_map_from(vm, n, kv);
}

void gv_core_init_str(gv_vm *vm) {
    static const struct {
        const char *ns, *name;
        gv_cfn fn;
        int min, max;
    } defs[] = {
        {"clojure.core", "str", s_str, 0, -1},
        {"clojure.core", "subs", s_subs, 2, 3},
        {"clojure.core", "name", s_name, 1, 1},
        {"clojure.core", "namespace", s_namespace, 1, 1},
        {"clojure.core", "keyword", s_keyword, 1, 2},
        {"clojure.core", "symbol", s_symbol, 1, 2},
        {"clojure.core", "string?", s_string_p, 1, 1},
        {"clojure.core", "char?", s_char_p, 1, 1},
        {"clojure.core", "keyword?", s_keyword_p, 1, 1},
        {"clojure.core", "symbol?", s_symbol_p, 1, 1},
        {"clojure.core", "ident?", s_ident_p, 1, 1},
        {"clojure.core", "simple-ident?", s_simple_ident_p, 1, 1},
        {"clojure.core", "qualified-ident?", s_qualified_ident_p, 1, 1},
        {"clojure.core", "simple-keyword?", s_simple_keyword_p, 1, 1},
        {"clojure.core", "qualified-keyword?", s_qualified_keyword_p, 1, 1},
        {"clojure.core", "simple-symbol?", s_simple_symbol_p, 1, 1},
        {"clojure.core", "qualified-symbol?", s_qualified_symbol_p, 1, 1},
        {"clojure.core", "format", s_format, 1, -1},
        {"clojure.core", "re-pattern", s_re_pattern, 1, 1},
        {"clojure.core", "re-find", s_re_find, 2, 2},
        {"clojure.core", "re-matches", s_re_matches, 2, 2},
        {"clojure.core", "re-seq", s_re_seq, 2, 2},
        {"clojure.string", "join", s_join, 1, 2},
        {"clojure.string", "split", s_split, 2, 3},
        {"clojure.string", "split-lines", s_split_lines, 1, 1},
        {"clojure.string", "upper-case", s_upper_case, 1, 1},
        {"clojure.string", "lower-case", s_lower_case, 1, 1},
        {"clojure.string", "capitalize", s_capitalize, 1, 1},
        {"clojure.string", "trim", s_trim, 1, 1},
        {"clojure.string", "triml", s_triml, 1, 1},
        {"clojure.string", "trimr", s_trimr, 1, 1},
        {"clojure.string", "trim-newline", s_trim_newline, 1, 1},
        {"clojure.string", "blank?", s_blank_p, 1, 1},
        {"clojure.string", "replace", s_replace, 3, 3},
        {"clojure.string", "replace-first", s_replace_first, 3, 3},
        {"clojure.string", "re-quote-replacement", s_re_quote_replacement, 1, 1},
        {"clojure.string", "includes?", s_includes_p, 2, 2},
        {"clojure.string", "starts-with?", s_starts_with_p, 2, 2},
        {"clojure.string", "ends-with?", s_ends_with_p, 2, 2},
        {"clojure.string", "index-of", s_index_of, 2, 3},
        {"clojure.string", "last-index-of", s_last_index_of, 2, 3},
        {"clojure.string", "reverse", s_reverse, 1, 1},
        {"clojure.string", "escape", s_escape, 2, 2},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        gv_defn_native(vm, defs[i].ns, defs[i].name, defs[i].fn, defs[i].min, defs[i].max);

    static const int32_t esc_chars[] = {'\n', '\t', '\r', '"', '\\', '\f', '\b'};
    static const char *const esc_strs[] = {"\\n", "\\t", "\\r", "\\\"", "\\\\", "\\f", "\\b"};
    gv_define(vm, "clojure.core", "char-escape-string", char_map(vm, 7, esc_chars, esc_strs));
    static const int32_t name_chars[] = {'\n', '\t', ' ', '\b', '\f', '\r'};
    static const char *const name_strs[] = {"newline", "tab", "space", "backspace",
                                            "formfeed", "return"};
    gv_define(vm, "clojure.core", "char-name-string", char_map(vm, 6, name_chars, name_strs));
}
