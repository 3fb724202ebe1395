/* reader.c — Clojure text to grove values, with exact source positions.
 *
 * A hand-written recursive-descent reader that follows Clojure 1.11's
 * LispReader rule for rule (token syntax, number patterns, reader macros,
 * syntax-quote expansion, error wording).  Design choices:
 *
 *   - One reading context (struct rd) per gv_reader_read call.  Elements of
 *     collections being read are gathered on a private value stack (a
 *     GV_VNODE array held in a gv_push slot), so every value under
 *     construction is rooted even though reading never reaches a safe
 *     point.  The value-stack top is restored when the call returns.
 *   - Positions: line and column are 1-based, the column counts code
 *     points (a tab is one column; CR, LF and CRLF end a line), offsets are
 *     bytes [start, end).  Every non-empty list read carries its position
 *     in its first cell.
 *   - on_form is reported in preorder with the final value of each form.
 *     A record is reserved when a form starts and filled when it ends;
 *     the records are delivered after the whole top-level form is read.
 *     Forms that leave no value (#_, unselected #? branches, metadata
 *     maps) leave no record.
 *   - Nesting is bounded (READER_MAX_DEPTH, and the process's C stack
 *     limit when there is one), so no input can overflow the C stack; the
 *     size of syntax-quote expansions is bounded too.
 *   - Scratch bytes (tokens, string bodies) live in one malloc'd gv_buf
 *     freed by a gv_try handler around the read.
 *
 * Errors throw clojure.lang.LispReader$ReaderException (duplicate keys:
 * IllegalArgumentException) with "FILE:LINE:COL: " before Clojure's
 * message and ex-data {:clojure.error/source :clojure.error/line
 * :clojure.error/column}.
 */
#include "vm.h"

#include <ctype.h>
#include <locale.h>
#include <math.h>

#define READER_MAX_DEPTH 1000
#define SQ_BUDGET 50000         /* syntax-quote expansion steps per read */
#define STACK_MARGIN (96 * 1024) /* C stack kept free below the reader */
#define MAX_FN_ARGS 20
#define REC_W 6                  /* form, line, col, start, end, depth */

static const char READER_EXC[] = "clojure.lang.LispReader$ReaderException";

typedef struct rd {
    gv_vm *vm;
    gv_reader *r;
    gv_val *stk;          /* rooted slot: GV_VNODE used as a value stack */
    uint32_t top;
    gv_val *rec;          /* rooted slot: GV_VNODE of on_form records, or NULL */
    uint32_t nrec;        /* records in use */
    int nest;             /* current recursion depth */
    int depth;            /* form depth reported to on_form */
    int suppress;         /* >0 while reading a #? branch that cannot win */
    bool in_fn;           /* inside #( ) */
    gv_val fn_args[MAX_FN_ARGS + 2]; /* [n + 1] holds %n, [0] holds %& */
    long sq_budget;
    const char *stack_floor; /* NULL: no C stack limit known */
    gv_buf sb;            /* token / string scratch */
    gv_buf nb;            /* name scratch (gensyms) */
} rd;

/* ---- errors ------------------------------------------------------------ */

static gv_pos here(const rd *c) {
    gv_pos p = {c->r->line, c->r->col, (int64_t)c->r->i, -1};
    return p;
}

/* Bytes of S (N long) to print in a message: at most MAX, cut at a code
 * point boundary. */
static int clip(const char *s, size_t n, size_t max) {
    if (n <= max) return (int)n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
    return (int)k;
}

static _Noreturn void vthrow(rd *c, const gv_pos *at, const char *cls, const char *fmt,
                             va_list ap) {
    gv_vm *vm = c->vm;
    gv_pos p = at ? *at : here(c);
    const char *file = c->r->file ? c->r->file : "NO_SOURCE_PATH";
    char msg[1024];
    int k = snprintf(msg, sizeof msg, "%s:%d:%d: ", file, p.line, p.col);
    if (k < 0 || (size_t)k >= sizeof msg) k = 0;
    vsnprintf(msg + k, sizeof msg - (size_t)k, fmt, ap);
    gv_val kv[6] = {
        gv_kw(vm, "clojure.error/source"), gv_cstr(vm, file),
        gv_kw(vm, "clojure.error/line"), gv_l(p.line),
        gv_kw(vm, "clojure.error/column"), gv_l(p.col),
    };
    gv_val data = gv_map_from(vm, 3, kv);
    gv_throw(vm, gv_exception_new(vm, cls, gv_cstr(vm, msg), data, GV_NILV));
}

static _Noreturn __attribute__((format(printf, 3, 4))) void
rerr(rd *c, const gv_pos *at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vthrow(c, at, READER_EXC, fmt, ap);
}

static _Noreturn __attribute__((format(printf, 4, 5))) void
rerr_cls(rd *c, const gv_pos *at, const char *cls, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vthrow(c, at, cls, fmt, ap);
}

/* A stray closing delimiter: consumed (so a REPL can go on reading),
 * then reported at its position. */
static _Noreturn void unmatched(rd *c, int32_t ch) {
    gv_pos at = here(c);
    c->r->i++;
    c->r->col++;
    rerr(c, &at, "Unmatched delimiter: %c", (char)ch);
}

/* Java's String.valueOf(v) of a read form, clipped, into OUT. */
static void show(rd *c, gv_val v, char *out, size_t n) {
    if (v.t == GV_NIL) { snprintf(out, n, "null"); return; }
    gv_buf b;
    gv_buf_init(&b);
    gv_str_append(c->vm, &b, v);
    snprintf(out, n, "%.*s", clip(b.p ? b.p : "", b.len, n > 8 ? n - 8 : 0), b.p ? b.p : "");
    gv_buf_free(&b);
}

/* ---- characters ---------------------------------------------------------- */

/* Decodes one code point strictly: overlong forms, surrogates and values
 * past U+10FFFF count as one invalid byte (U+FFFD). */
static int32_t utf8_dec(const char *s, size_t n, int *len) {
    int32_t cp = gv_utf8_decode(s, n, len);
    if ((*len == 2 && cp < 0x80) ||
        (*len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (*len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
        *len = 1;
        return 0xFFFD;
    }
    return cp;
}

static int32_t peek_cp(const gv_reader *r, int *len) {
    if (r->i >= r->len) { *len = 0; return -1; }
    unsigned char b = (unsigned char)r->src[r->i];
    if (b < 0x80) { *len = 1; return b; }
    return utf8_dec(r->src + r->i, r->len - r->i, len);
}

static int32_t peek(const rd *c) {
    int len;
    return peek_cp(c->r, &len);
}

/* The byte K positions ahead, or -1. */
static int peek_byte(const rd *c, size_t k) {
    const gv_reader *r = c->r;
    return r->i + k < r->len ? (unsigned char)r->src[r->i + k] : -1;
}

static void adv_cp(gv_reader *r, int32_t cp, int len) {
    r->i += (size_t)len;
    if (cp == '\n') { r->line++; r->col = 1; }
    else if (cp == '\r') {
        if (!(r->i < r->len && r->src[r->i] == '\n')) { r->line++; r->col = 1; }
    } else r->col++;
}

/* Consumes and returns the next code point (-1 at the end). */
static int32_t next(rd *c) {
    int len;
    int32_t cp = peek_cp(c->r, &len);
    if (cp >= 0) adv_cp(c->r, cp, len);
    return cp;
}

/* Java's Character.isWhitespace, plus the comma. */
bool gv_char_is_ws(int32_t c) {
    if (c < 0x80) return c == ' ' || c == ',' || (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F);
    return c == 0x1680 || (c >= 0x2000 && c <= 0x2006) || (c >= 0x2008 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x205F || c == 0x3000;
}

bool gv_char_is_macro(int32_t c) {
    switch (c) {
    case '"': case ';': case '\'': case '@': case '^': case '`': case '~': case '(':
    case ')': case '[': case ']': case '{': case '}': case '\\': case '%': case '#':
        return true;
    default: return false;
    }
}

bool gv_char_is_terminating(int32_t c) {
    return c != '#' && c != '\'' && c != '%' && gv_char_is_macro(c);
}

static bool is_digit(int32_t c) { return c >= '0' && c <= '9'; }

/* Character.digit for ASCII digits and letters. */
static int digit_val(int32_t c, int base) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'z') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'Z') d = c - 'A' + 10;
    else return -1;
    return d < base ? d : -1;
}

/* Appends code point CP read from the source (LEN bytes at P) to B,
 * replacing an invalid byte by U+FFFD. */
static void put_src_cp(gv_buf *b, const char *p, int len, int32_t cp) {
    if (len == 1 && cp == 0xFFFD) gv_buf_put_utf8(b, 0xFFFD);
    else gv_buf_put(b, p, (size_t)len);
}

static void sb_reset(gv_buf *b) {
    b->len = 0;
    if (b->p) b->p[0] = 0;
}

static const char *sb_str(gv_buf *b) { return b->p ? b->p : ""; }

/* Skips whitespace, ; comments and #! comments.  Returns the next code
 * point, or -1 at the end. */
static int32_t skip_ws(rd *c) {
    gv_reader *r = c->r;
    for (;;) {
        int len;
        int32_t cp = peek_cp(r, &len);
        if (cp < 0) return -1;
        if (gv_char_is_ws(cp)) { adv_cp(r, cp, len); continue; }
        if (cp == ';' || (cp == '#' && peek_byte(c, 1) == '!')) {
            while ((cp = peek_cp(r, &len)) >= 0 && cp != '\n' && cp != '\r') adv_cp(r, cp, len);
            continue;
        }
        return cp;
    }
}

/* ---- the private value stack and the on_form records --------------------- */

static gv_val *stk_base(rd *c) { return GV_AS(gv_vnode, *c->stk)->a; }

static gv_vnode *vnode_grow(gv_vm *vm, gv_vnode *old, uint32_t used, uint32_t want) {
    uint32_t cap = old ? old->n : 0;
    if (cap >= want) return old;
    uint32_t ncap = cap ? cap : 64;
    while (ncap < want) {
        if (ncap > UINT32_MAX / 4) gv_throwf(vm, "OutOfMemoryError", "Java heap space");
        ncap *= 2;
    }
    gv_vnode *n = gv_alloc(vm, GV_VNODE, sizeof(gv_vnode) + (size_t)ncap * sizeof(gv_val));
    n->n = ncap;
    if (old) memcpy(n->a, old->a, (size_t)used * sizeof(gv_val));
    return n;
}

static void spush(rd *c, gv_val v) {
    gv_vnode *s = GV_AS(gv_vnode, *c->stk);
    if (c->top >= s->n) {
        s = vnode_grow(c->vm, s, c->top, c->top + 1);
        *c->stk = gv_mk(GV_VNODE, s);
    }
    s->a[c->top++] = v;
}

static gv_val spop(rd *c) {
    gv_val *a = stk_base(c);
    gv_val v = a[--c->top];
    a[c->top] = GV_NILV;
    return v;
}

static void struncate(rd *c, uint32_t to) {
    gv_val *a = stk_base(c);
    while (c->top > to) a[--c->top] = GV_NILV;
}

static gv_val *rec_at(rd *c, uint32_t i) { return GV_AS(gv_vnode, *c->rec)->a + (size_t)i * REC_W; }

/* Reserves the record of a form starting at P; returns its index. */
static uint32_t rec_open(rd *c, const gv_pos *p) {
    if (!c->rec) return 0;
    gv_vnode *s = GV_AS(gv_vnode, *c->rec);
    uint32_t need = (c->nrec + 1) * REC_W;
    if (need > s->n) {
        s = vnode_grow(c->vm, s, c->nrec * REC_W, need);
        *c->rec = gv_mk(GV_VNODE, s);
    }
    gv_val *e = rec_at(c, c->nrec);
    e[0] = GV_NILV;
    e[1] = gv_l(p->line);
    e[2] = gv_l(p->col);
    e[3] = gv_l(p->start);
    e[4] = gv_l(p->start);
    e[5] = gv_l(c->depth);
    return c->nrec++;
}

static void rec_close(rd *c, uint32_t i, gv_val v) {
    if (!c->rec) return;
    gv_val *e = rec_at(c, i);
    e[0] = v;
    e[4] = gv_l((int64_t)c->r->i);
}

static void rec_drop(rd *c, uint32_t from) {
    if (!c->rec) return;
    while (c->nrec > from) {
        gv_val *e = rec_at(c, --c->nrec);
        for (int k = 0; k < REC_W; k++) e[k] = GV_NILV;
    }
}

/* Moves records [from, to) down to index DEST (<= from), adding DD to
 * their depths, and drops everything after them. */
static void rec_move(rd *c, uint32_t from, uint32_t to, uint32_t dest, int dd) {
    if (!c->rec) return;
    for (uint32_t i = from; i < to; i++) {
        gv_val *s = rec_at(c, i), *d = rec_at(c, dest + (i - from));
        s[5].as.i += dd;
        if (d != s) memmove(d, s, REC_W * sizeof(gv_val));
    }
    rec_drop(c, dest + (to - from));
}

/* ---- nesting ------------------------------------------------------------- */

static void nest_enter(rd *c, const gv_pos *at) {
    if (++c->nest > READER_MAX_DEPTH)
        rerr(c, at, "Forms nested too deeply (more than %d levels)", READER_MAX_DEPTH);
    if (c->stack_floor && (const char *)__builtin_frame_address(0) < c->stack_floor)
        rerr(c, at, "Forms nested too deeply for the stack");
}

static void nest_leave(rd *c) { c->nest--; }

/* ---- small builders -------------------------------------------------------- */

static gv_val sym_val(gv_symbol *s) { return gv_mk(GV_SYMBOL, s); }

static void set_pos(gv_val v, const gv_pos *p) {
    if (v.t != GV_LIST || GV_AS(gv_list, v)->count == 0) return;
    gv_list *l = GV_AS(gv_list, v);
    l->line = p->line;
    l->col = p->col;
    l->offset = p->start;
}

static gv_val list2(rd *c, gv_val a, gv_val b, const gv_pos *p) {
    gv_val v[2] = {a, b};
    gv_val l = gv_list_from(c->vm, 2, v);
    if (p) set_pos(l, p);
    return l;
}

static gv_val list3(rd *c, gv_val a, gv_val b, gv_val d, const gv_pos *p) {
    gv_val v[3] = {a, b, d};
    gv_val l = gv_list_from(c->vm, 3, v);
    if (p) set_pos(l, p);
    return l;
}

static bool sym_is(gv_val v, gv_symbol *s) {
    return v.t == GV_SYMBOL && gv_sym_eq(GV_AS(gv_symbol, v), s);
}

static bool sym_named(gv_val v, const char *name) {
    if (v.t != GV_SYMBOL) return false;
    gv_symbol *s = GV_AS(gv_symbol, v);
    return !s->ns && strcmp(s->name->data, name) == 0;
}

static bool kw_named(gv_val v, const char *name) {
    if (v.t != GV_KEYWORD) return false;
    gv_symbol *s = GV_AS(gv_keyword, v)->sym;
    return !s->ns && strcmp(s->name->data, name) == 0;
}

/* ---- forward declarations ------------------------------------------------ */

static uint32_t read_elem(rd *c);
static gv_val read_one(rd *c);

/* ---- tokens, symbols, numbers ------------------------------------------ */

/* Reads a token into c->sb: the first code point always, then up to
 * whitespace or a terminating macro (any macro when NUMBER). */
static void read_token(rd *c, bool number) {
    gv_reader *r = c->r;
    sb_reset(&c->sb);
    int len;
    int32_t cp = peek_cp(r, &len);
    if (cp < 0) return;
    put_src_cp(&c->sb, r->src + r->i, len, cp);
    adv_cp(r, cp, len);
    for (;;) {
        cp = peek_cp(r, &len);
        if (cp < 0 || gv_char_is_ws(cp) || (number ? gv_char_is_macro(cp) : gv_char_is_terminating(cp))) break;
        put_src_cp(&c->sb, r->src + r->i, len, cp);
        adv_cp(r, cp, len);
    }
}

/* Clojure's symbolPat without the leading colon:
 * ([\D&&[^/]].*\/)?(\/|[\D&&[^/]][^/]*).  On a match sets *g1 to the
 * length of the first group (0 when absent). */
static bool sym_match(const char *t, size_t n, size_t *g1) {
    if (n == 0) return false;
    if (n == 1 && t[0] == '/') { *g1 = 0; return true; }
    const char *p = NULL;
    for (size_t i = n; i-- > 0;)
        if (t[i] == '/') { p = t + i; break; }
    if (!p) {
        if (is_digit((unsigned char)t[0])) return false;
        *g1 = 0;
        return true;
    }
    if (is_digit((unsigned char)t[0]) || t[0] == '/') return false;
    size_t k = (size_t)(p - t);
    if (k == n - 1) {
        if (n >= 3 && t[n - 2] == '/') { *g1 = n - 1; return true; }
        return false;
    }
    if (is_digit((unsigned char)t[k + 1])) return false;
    *g1 = k + 1;
    return true;
}

/* Symbol.intern(String) split: at the first '/', unless the text is "/". */
static gv_symbol *intern_split(rd *c, const char *s, size_t n) {
    const char *slash = memchr(s, '/', n);
    if (!slash || (n == 1)) return gv_sym_intern(c->vm, NULL, 0, s, n);
    size_t k = (size_t)(slash - s);
    return gv_sym_intern(c->vm, s, k, slash + 1, n - k - 1);
}

static gv_string *alias_target(rd *c, gv_ns *ns, const char *a, size_t n) {
    gv_symbol *as = gv_sym_intern(c->vm, NULL, 0, a, n);
    if (!gv_is_map(ns->aliases)) return NULL;
    gv_val t = gv_map_get(c->vm, ns->aliases, sym_val(as), GV_NILV);
    if (t.t == GV_SYMBOL) return GV_AS(gv_symbol, t)->name;
    if (t.t == GV_NS) return GV_AS(gv_ns, t)->name->name;
    return NULL;
}

/* Clojure's matchSymbol: a symbol or keyword, or nil-typed GV_NIL with
 * *ok false when the token is invalid. */
static gv_val match_symbol(rd *c, const char *s, size_t n, bool *ok) {
    gv_vm *vm = c->vm;
    size_t g1;
    const char *t;
    *ok = false;
    if (n > 1 && s[0] == ':' && sym_match(s + 1, n - 1, &g1)) t = s + 1;
    else if (sym_match(s, n, &g1)) t = s;
    else return GV_NILV;
    size_t tn = n - (size_t)(t - s);
    if (g1 >= 2 && t[g1 - 2] == ':') return GV_NILV;     /* ns ends with ":/" */
    if (t[tn - 1] == ':') return GV_NILV;                /* name ends with ':' */
    for (size_t i = 1; i + 1 < n; i++)
        if (s[i] == ':' && s[i + 1] == ':') return GV_NILV; /* "::" past the start */
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        const char *ks = s + 2;
        size_t kn = n - 2;
        const char *slash = memchr(ks, '/', kn);
        gv_ns *cur = gv_current_ns(vm);
        if (slash && kn > 1) {
            if (c->suppress) { *ok = true; return GV_NILV; }
            size_t an = (size_t)(slash - ks);
            gv_string *target = alias_target(c, cur, ks, an);
            if (!target) return GV_NILV;
            *ok = true;
            return gv_objval(gv_kw_intern(vm, target->data, target->len, slash + 1, kn - an - 1));
        }
        gv_string *nsn = cur->name->name;
        *ok = true;
        return gv_objval(gv_kw_intern(vm, nsn->data, nsn->len, ks, kn));
    }
    *ok = true;
    if (s[0] == ':') {
        gv_symbol *sym = intern_split(c, s + 1, n - 1);
        const char *ns = sym->ns ? sym->ns->data : NULL;
        size_t nsl = sym->ns ? sym->ns->len : 0;
        return gv_objval(gv_kw_intern(vm, ns, nsl, sym->name->data, sym->name->len));
    }
    return sym_val(intern_split(c, s, n));
}

static gv_val interpret_token(rd *c, const gv_pos *start) {
    const char *s = sb_str(&c->sb);
    size_t n = c->sb.len;
    if (n == 3 && memcmp(s, "nil", 3) == 0) return GV_NILV;
    if (n == 4 && memcmp(s, "true", 4) == 0) return GV_TRUEV;
    if (n == 5 && memcmp(s, "false", 5) == 0) return GV_FALSEV;
    bool ok;
    gv_val v = match_symbol(c, s, n, &ok);
    if (!ok) rerr(c, start, "Invalid token: %.*s", clip(s, n, 200), s);
    return v;
}

/* Accumulates digits [p, e) in RADIX into *out with magnitude at most
 * LIMIT.  Returns 0 on success, 1 on a bad digit, 2 on overflow. */
static int digits_to_u64(const char *p, const char *e, int radix, uint64_t limit, uint64_t *out) {
    uint64_t m = 0;
    bool over = false;
    for (; p < e; p++) {
        int d = digit_val((unsigned char)*p, radix);
        if (d < 0) return 1;
        if (!over && m > (limit - (uint64_t)d) / (uint64_t)radix) over = true;
        if (!over) m = m * (uint64_t)radix + (uint64_t)d;
    }
    *out = m;
    return over ? 2 : 0;
}

static gv_val parse_double(rd *c, const char *s, size_t n) {
    char tmp[64];
    char *buf = n < sizeof tmp ? tmp : malloc(n + 1);
    if (!buf) gv_throwf(c->vm, "OutOfMemoryError", "Java heap space");
    memcpy(buf, s, n);
    buf[n] = 0;
    const char *dp = localeconv()->decimal_point;
    if (dp && dp[0] && dp[0] != '.' && !dp[1])
        for (size_t i = 0; i < n; i++) if (buf[i] == '.') buf[i] = dp[0];
    double d = strtod(buf, NULL);
    if (buf != tmp) free(buf);
    return gv_d(d);
}

/* Clojure's matchNumber over the token in c->sb. */
static gv_val parse_number(rd *c, const gv_pos *start) {
    const char *s = sb_str(&c->sb);
    size_t n = c->sb.len;
    const char *p = s, *end = s + n;
    bool neg = false;
    int clipn = clip(s, n, 200);
    if (p < end && (*p == '-' || *p == '+')) { neg = *p == '-'; p++; }
    uint64_t limit = neg ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;

    /* intPat */
    if (p < end) {
        const char *dg = NULL, *de = NULL;
        int radix = 10;
        bool invalid = false;
        const char *q;
#define NEND(x) ((x) == end || ((x) + 1 == end && *(x) == 'N'))
        if (*p == '0' && NEND(p + 1)) {
            return gv_l(0);
        }
        if (*p >= '1' && *p <= '9') {
            for (q = p + 1; q < end && is_digit((unsigned char)*q); q++) {}
            if (NEND(q)) { dg = p; de = q; radix = 10; }
        }
        if (!dg && *p == '0' && p + 1 < end && (p[1] == 'x' || p[1] == 'X')) {
            for (q = p + 2; q < end && isxdigit((unsigned char)*q); q++) {}
            if (q > p + 2 && NEND(q)) { dg = p + 2; de = q; radix = 16; }
        }
        if (!dg && *p == '0') {
            for (q = p + 1; q < end && *q >= '0' && *q <= '7'; q++) {}
            if (q > p + 1 && NEND(q)) { dg = p + 1; de = q; radix = 8; }
        }
        if (!dg && *p >= '1' && *p <= '9') {
            q = p + 1;
            int rv = *p - '0';
            if (q < end && is_digit((unsigned char)*q)) { rv = rv * 10 + (*q - '0'); q++; }
            if (q < end && (*q == 'r' || *q == 'R')) {
                const char *r0 = q + 1, *r1 = r0;
                while (r1 < end && isalnum((unsigned char)*r1)) r1++;
                if (r1 > r0 && r1 == end) {
                    if (rv < 2 || rv > 36) rerr(c, start, "Radix out of range: %.*s", clipn, s);
                    dg = r0; de = r1; radix = rv;
                }
            }
        }
        if (!dg && *p == '0') {
            for (q = p + 1; q < end && is_digit((unsigned char)*q); q++) {}
            if (q > p + 1 && NEND(q)) invalid = true;
        }
#undef NEND
        if (invalid) rerr(c, start, "Invalid number: %.*s", clipn, s);
        if (dg) {
            uint64_t m;
            int rc = digits_to_u64(dg, de, radix, limit, &m);
            if (rc == 1) rerr(c, start, "Invalid number: %.*s", clipn, s);
            if (rc == 2)
                rerr(c, start, "Integer literal out of range (grove has no BigInt): %.*s", clipn, s);
            int64_t v = neg ? (int64_t)(0 - m) : (int64_t)m;
            return gv_l(v);
        }
    }

    /* floatPat: [-+]?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?(M)? */
    {
        const char *q = p;
        bool okf = false;
        while (q < end && is_digit((unsigned char)*q)) q++;
        if (q > p) {
            okf = true;
            if (q < end && *q == '.') { q++; while (q < end && is_digit((unsigned char)*q)) q++; }
            if (q < end && (*q == 'e' || *q == 'E')) {
                const char *e0 = q + 1;
                if (e0 < end && (*e0 == '+' || *e0 == '-')) e0++;
                const char *e1 = e0;
                while (e1 < end && is_digit((unsigned char)*e1)) e1++;
                if (e1 > e0) q = e1;
                else okf = false;
            }
            if (okf) {
                size_t body = (size_t)(q - s);
                if (q == end) return parse_double(c, s, body);
                if (q + 1 == end && *q == 'M') return parse_double(c, s, body);
            }
        }
    }

    /* ratioPat: ([-+]?[0-9]+)/([0-9]+) */
    {
        const char *q = p;
        while (q < end && is_digit((unsigned char)*q)) q++;
        if (q > p && q < end && *q == '/') {
            const char *d0 = q + 1, *d1 = d0;
            while (d1 < end && is_digit((unsigned char)*d1)) d1++;
            if (d1 > d0 && d1 == end) {
                uint64_t num, den;
                int r1 = digits_to_u64(p, q, 10, limit, &num);
                int r2 = digits_to_u64(d0, d1, 10, UINT64_MAX, &den);
                if (r2 == 0 && den == 0) rerr(c, start, "Divide by zero: %.*s", clipn, s);
                if (r1 == 0 && r2 == 0 && num % den == 0) {
                    uint64_t m = num / den;
                    return gv_l(neg ? (int64_t)(0 - m) : (int64_t)m);
                }
                rerr(c, start, "Ratio literals are not supported: %.*s", clipn, s);
            }
        }
    }
    rerr(c, start, "Invalid number: %.*s", clipn, s);
}

/* ---- strings, characters, regexes ---------------------------------------- */

/* Reads up to LENGTH digits in BASE, the first being INITCH (already
 * consumed), as Clojure's readUnicodeChar(reader, ...). */
static int32_t read_unicode_stream(rd *c, int32_t initch, int base, int length, bool exact) {
    int uc = digit_val(initch, base);
    if (uc < 0) {
        if (initch > 0 && initch < 0x80) rerr(c, NULL, "Invalid digit: %c", (char)initch);
        rerr(c, NULL, "Invalid digit: U+%04X", (unsigned)initch);
    }
    int i = 1;
    for (; i < length; i++) {
        int32_t ch = peek(c);
        if (ch < 0 || gv_char_is_ws(ch) || gv_char_is_macro(ch)) break;
        int d = digit_val(ch, base);
        if (d < 0) {
            if (ch < 0x80) rerr(c, NULL, "Invalid digit: %c", (char)ch);
            rerr(c, NULL, "Invalid digit: U+%04X", (unsigned)ch);
        }
        next(c);
        uc = uc * base + d;
    }
    if (i != length && exact) rerr(c, NULL, "Invalid character length: %d, should be: %d", i, length);
    return uc;
}

static bool is_high_sur(int32_t u) { return u >= 0xD800 && u <= 0xDBFF; }
static bool is_low_sur(int32_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

/* After "\u" in a string: the escape's UTF-16 unit. */
static int32_t string_u_escape(rd *c) {
    int32_t ch = next(c);
    if (ch < 0) rerr(c, NULL, "EOF while reading string");
    if (digit_val(ch, 16) < 0) {
        if (ch < 0x80) rerr(c, NULL, "Invalid unicode escape: \\u%c", (char)ch);
        rerr(c, NULL, "Invalid unicode escape: \\u (U+%04X)", (unsigned)ch);
    }
    return read_unicode_stream(c, ch, 16, 4, true);
}

static gv_val read_string(rd *c, const gv_pos *start) {
    gv_reader *r = c->r;
    next(c); /* the opening quote */
    sb_reset(&c->sb);
    for (;;) {
        int len;
        int32_t ch = peek_cp(r, &len);
        if (ch < 0) rerr(c, start, "EOF while reading string");
        if (ch == '"') { adv_cp(r, ch, len); break; }
        if (ch != '\\') {
            put_src_cp(&c->sb, r->src + r->i, len, ch);
            adv_cp(r, ch, len);
            continue;
        }
        adv_cp(r, ch, len);
        ch = next(c);
        int32_t out;
        switch (ch) {
        case -1: rerr(c, start, "EOF while reading string");
        case 't': out = '\t'; break;
        case 'r': out = '\r'; break;
        case 'n': out = '\n'; break;
        case '\\': out = '\\'; break;
        case '"': out = '"'; break;
        case 'b': out = '\b'; break;
        case 'f': out = '\f'; break;
        case 'u': {
            out = string_u_escape(c);
            if (is_high_sur(out)) {
                /* a surrogate pair written as two escapes is one code point */
                if (peek_byte(c, 0) == '\\' && peek_byte(c, 1) == 'u') {
                    size_t save_i = r->i;
                    int32_t sl = r->line, sc = r->col;
                    next(c);
                    next(c);
                    bool hex4 = true;
                    for (size_t k = 0; k < 4; k++)
                        if (digit_val(peek_byte(c, k), 16) < 0) hex4 = false;
                    int32_t lo = -1;
                    if (hex4) lo = string_u_escape(c);
                    if (lo >= 0 && is_low_sur(lo)) {
                        out = 0x10000 + ((out - 0xD800) << 10) + (lo - 0xDC00);
                    } else {
                        r->i = save_i; r->line = sl; r->col = sc;
                        out = 0xFFFD;
                    }
                } else out = 0xFFFD;
            } else if (is_low_sur(out)) out = 0xFFFD;
            break;
        }
        default:
            if (is_digit(ch)) {
                out = read_unicode_stream(c, ch, 8, 3, false);
                if (out > 0377) rerr(c, NULL, "Octal escape sequence must be in range [0, 377].");
            } else if (ch < 0x80) {
                rerr(c, NULL, "Unsupported escape character: \\%c", (char)ch);
            } else {
                rerr(c, NULL, "Unsupported escape character: \\U+%04X", (unsigned)ch);
            }
        }
        gv_buf_put_utf8(&c->sb, out);
    }
    return gv_str(c->vm, sb_str(&c->sb), c->sb.len);
}

static gv_val read_char(rd *c, const gv_pos *start) {
    next(c); /* the backslash */
    if (peek(c) < 0) rerr(c, NULL, "EOF while reading character");
    read_token(c, false);
    const char *t = sb_str(&c->sb);
    size_t n = c->sb.len;
    int l0;
    int32_t first = utf8_dec(t, n, &l0);
    if ((size_t)l0 == n) return gv_ch(first);
    if (n == 7 && memcmp(t, "newline", 7) == 0) return gv_ch('\n');
    if (n == 5 && memcmp(t, "space", 5) == 0) return gv_ch(' ');
    if (n == 3 && memcmp(t, "tab", 3) == 0) return gv_ch('\t');
    if (n == 9 && memcmp(t, "backspace", 9) == 0) return gv_ch('\b');
    if (n == 8 && memcmp(t, "formfeed", 8) == 0) return gv_ch('\f');
    if (n == 6 && memcmp(t, "return", 6) == 0) return gv_ch('\r');
    int clipn = clip(t, n, 200);
    /* the token's length in code points */
    size_t cps = 0;
    for (size_t i = 0; i < n; cps++) { int l; utf8_dec(t + i, n - i, &l); i += (size_t)l; }
    if (t[0] == 'u') {
        if (cps != 5) rerr(c, start, "Invalid unicode character: \\%.*s", clipn, t);
        int uc = 0;
        for (size_t i = 1; i < n;) {
            int l;
            int d = digit_val(utf8_dec(t + i, n - i, &l), 16);
            if (d < 0) rerr(c, start, "Invalid digit: %.*s", l, t + i);
            uc = uc * 16 + d;
            i += (size_t)l;
        }
        if (uc >= 0xD800 && uc <= 0xDFFF) rerr(c, start, "Invalid character constant: \\u%x", uc);
        return gv_ch(uc);
    }
    if (t[0] == 'o') {
        size_t len = cps - 1;
        if (len > 3) rerr(c, start, "Invalid octal escape sequence length: %zu", len);
        int uc = 0;
        for (size_t i = 1; i < n; i++) {
            int d = digit_val((unsigned char)t[i], 8);
            if (d < 0) {
                int l;
                utf8_dec(t + i, n - i, &l);
                rerr(c, start, "Invalid digit: %.*s", l, t + i);
            }
            uc = uc * 8 + d;
        }
        if (uc > 0377) rerr(c, start, "Octal escape sequence must be in range [0, 377].");
        return gv_ch(uc);
    }
    rerr(c, start, "Unsupported character: \\%.*s", clipn, t);
}

/* Runs gv_regex_new, turning its error into a reader error at START. */
static gv_val make_regex(rd *c, const char *src, size_t len, const gv_pos *start) {
    gv_vm *vm = c->vm;
    gv_handler h;
    if (gv_try(vm, &h) == 0) {
        gv_val v = gv_regex_new(vm, src, len);
        gv_try_end(vm, &h);
        return v;
    }
    gv_val exc = h.exc;
    if (exc.t == GV_EXCEPTION && GV_AS(gv_exception, exc)->uncatchable) gv_throw(vm, exc);
    gv_val m = exc.t == GV_EXCEPTION ? GV_AS(gv_exception, exc)->msg : GV_NILV;
    const char *ms = m.t == GV_STRING ? GV_AS(gv_string, m)->data : "invalid regex";
    size_t ml = m.t == GV_STRING ? GV_AS(gv_string, m)->len : strlen(ms);
    rerr(c, start, "%.*s", clip(ms, ml, 600), ms);
}

static gv_val read_regex(rd *c, const gv_pos *start) {
    gv_reader *r = c->r;
    next(c); /* " */
    size_t s0 = r->i;
    for (;;) {
        int32_t ch = next(c);
        if (ch < 0) rerr(c, start, "EOF while reading regex");
        if (ch == '"') break;
        if (ch == '\\' && next(c) < 0) rerr(c, start, "EOF while reading regex");
    }
    size_t s1 = r->i - 1;
    if (c->suppress) return GV_NILV;
    return make_regex(c, r->src + s0, s1 - s0, start);
}

/* ---- collections ----------------------------------------------------------- */

/* Reads elements up to CLOSE onto the stack; returns how many. */
static uint32_t read_delimited(rd *c, int32_t close, const gv_pos *start) {
    uint32_t base = c->top;
    c->depth++;
    for (;;) {
        int32_t ch = skip_ws(c);
        if (ch < 0) rerr(c, NULL, "EOF while reading, starting at line %d", start->line);
        if (ch == close) { next(c); break; }
        if (ch == ')' || ch == ']' || ch == '}') unmatched(c, ch);
        read_elem(c);
    }
    c->depth--;
    return c->top - base;
}

static gv_val read_list(rd *c, const gv_pos *start) {
    next(c);
    uint32_t base = c->top;
    uint32_t n = read_delimited(c, ')', start);
    gv_val v = n ? gv_list_from(c->vm, n, stk_base(c) + base) : gv_list_empty(c->vm);
    set_pos(v, start);
    struncate(c, base);
    return v;
}

static gv_val read_vector(rd *c, const gv_pos *start) {
    next(c);
    uint32_t base = c->top;
    uint32_t n = read_delimited(c, ']', start);
    gv_val v = gv_vec_from(c->vm, n, stk_base(c) + base);
    struncate(c, base);
    return v;
}

static _Noreturn void dup_key(rd *c, gv_val k, const gv_pos *at) {
    char buf[300];
    show(c, k, buf, sizeof buf);
    rerr_cls(c, at, "IllegalArgumentException", "Duplicate key: %s", buf);
}

/* A map from the N (even) values on the stack at BASE, checking for
 * duplicate keys as Clojure's createWithCheck does. */
static gv_val map_checked(rd *c, uint32_t base, uint32_t n, const gv_pos *at) {
    gv_vm *vm = c->vm;
    gv_val m = gv_map_from(vm, n / 2, stk_base(c) + base);
    if ((uint64_t)gv_map_count(m) == n / 2) return m;
    if (n / 2 <= 8) {
        gv_val *kv = stk_base(c) + base;
        for (uint32_t i = 0; i < n; i += 2)
            for (uint32_t j = i + 2; j < n; j += 2)
                if (gv_equiv(vm, kv[i], kv[j])) dup_key(c, kv[i], at);
    }
    gv_val seen = gv_hashmap_empty(vm);
    for (uint32_t i = 0; i < n; i += 2) {
        gv_val k = stk_base(c)[base + i];
        if (gv_map_contains(vm, seen, k)) dup_key(c, k, at);
        seen = gv_map_assoc(vm, seen, k, GV_TRUEV);
    }
    return m;
}

static gv_val read_map(rd *c, const gv_pos *start) {
    next(c);
    uint32_t base = c->top;
    uint32_t n = read_delimited(c, '}', start);
    if (n & 1) rerr(c, start, "Map literal must contain an even number of forms");
    gv_val m = map_checked(c, base, n, start);
    struncate(c, base);
    return m;
}

static gv_val read_set(rd *c, const gv_pos *start) {
    next(c); /* { */
    uint32_t base = c->top;
    uint32_t n = read_delimited(c, '}', start);
    gv_val s = gv_set_empty(c->vm);
    for (uint32_t i = 0; i < n; i++) {
        gv_val x = stk_base(c)[base + i];
        if (gv_set_contains(c->vm, s, x)) dup_key(c, x, start);
        s = gv_set_conj(c->vm, s, x);
    }
    struncate(c, base);
    return s;
}

/* #:ns{...} and #::{...} / #::alias{...} (the "#:" already consumed). */
static gv_val read_ns_map(rd *c, const gv_pos *start) {
    gv_vm *vm = c->vm;
    bool aut = false;
    if (peek(c) == ':') { next(c); aut = true; }
    gv_val sym = GV_NILV;
    bool have_sym = false;
    int32_t ch = peek(c);
    if (ch >= 0 && gv_char_is_ws(ch)) {
        if (!aut) rerr(c, start, "Namespaced map must specify a namespace");
        while ((ch = peek(c)) >= 0 && gv_char_is_ws(ch)) next(c);
    } else if (ch != '{') {
        uint32_t r0 = c->nrec;
        c->depth++;
        sym = read_one(c);
        c->depth--;
        rec_drop(c, r0);
        have_sym = true;
        while ((ch = peek(c)) >= 0 && gv_char_is_ws(ch)) next(c);
    }
    if (ch != '{') rerr(c, NULL, "Namespaced map must specify a map");
    const char *ns;
    size_t nsl;
    char buf[300];
    if (aut) {
        gv_ns *cur = gv_current_ns(vm);
        if (!have_sym) {
            ns = cur->name->name->data;
            nsl = cur->name->name->len;
        } else if (sym.t != GV_SYMBOL || GV_AS(gv_symbol, sym)->ns) {
            show(c, sym, buf, sizeof buf);
            rerr(c, start, "Namespaced map must specify a valid namespace: %s", buf);
        } else {
            gv_symbol *s = GV_AS(gv_symbol, sym);
            gv_string *t = alias_target(c, cur, s->name->data, s->name->len);
            if (!t && gv_ns_find(vm, s)) t = s->name;
            if (!t) {
                if (!c->suppress) {
                    show(c, sym, buf, sizeof buf);
                    rerr(c, start, "Unknown auto-resolved namespace alias: %s", buf);
                }
                t = s->name;
            }
            ns = t->data;
            nsl = t->len;
        }
    } else if (sym.t != GV_SYMBOL || GV_AS(gv_symbol, sym)->ns) {
        show(c, sym, buf, sizeof buf);
        rerr(c, start, "Namespaced map must specify a valid namespace: %s", buf);
    } else {
        ns = GV_AS(gv_symbol, sym)->name->data;
        nsl = GV_AS(gv_symbol, sym)->name->len;
    }
    gv_pos mp = here(c);
    next(c); /* { */
    uint32_t base = c->top;
    uint32_t n = read_delimited(c, '}', &mp);
    if (n & 1) rerr(c, start, "Namespaced map literal must contain an even number of forms");
    for (uint32_t i = 0; i < n; i += 2) {
        gv_val k = stk_base(c)[base + i];
        gv_symbol *s = k.t == GV_KEYWORD ? GV_AS(gv_keyword, k)->sym
                     : k.t == GV_SYMBOL ? GV_AS(gv_symbol, k) : NULL;
        if (!s) continue;
        gv_string *nm = s->name;
        gv_val nk = k;
        if (!s->ns) {
            nk = k.t == GV_KEYWORD ? gv_objval(gv_kw_intern(vm, ns, nsl, nm->data, nm->len))
                                   : sym_val(gv_sym_intern(vm, ns, nsl, nm->data, nm->len));
        } else if (s->ns->len == 1 && s->ns->data[0] == '_') {
            nk = k.t == GV_KEYWORD ? gv_objval(gv_kw_intern(vm, NULL, 0, nm->data, nm->len))
                                   : sym_val(gv_sym_intern(vm, NULL, 0, nm->data, nm->len));
        }
        stk_base(c)[base + i] = nk;
    }
    gv_val m = map_checked(c, base, n, start);
    struncate(c, base);
    return m;
}

/* ---- syntax-quote ------------------------------------------------------- */

static bool is_special_sym(gv_symbol *s) {
    static const char *const specials[] = {
        "def", "loop*", "recur", "if", "case*", "let*", "letfn*", "do", "fn*",
        "quote", "var", "import*", ".", "set!", "deftype*", "reify*", "try",
        "throw", "monitor-enter", "monitor-exit", "catch", "finally", "new",
        "&", NULL};
    if (s->ns) return strcmp(s->ns->data, "clojure.core") == 0 && strcmp(s->name->data, "import*") == 0;
    for (int i = 0; specials[i]; i++)
        if (strcmp(s->name->data, specials[i]) == 0) return true;
    return false;
}

static bool is_unquote_form(gv_val f, gv_symbol *which) {
    return f.t == GV_LIST && GV_AS(gv_list, f)->count > 0 && sym_is(GV_AS(gv_list, f)->first, which);
}

static gv_val second(gv_val f) {
    gv_val rest = GV_AS(gv_list, f)->rest;
    return rest.t == GV_LIST && GV_AS(gv_list, rest)->count ? GV_AS(gv_list, rest)->first : GV_NILV;
}

/* The auto-gensym for SYM (ns-less, name ending in '#') in the current
 * syntax-quote's environment, held on the stack at GENV. */
static gv_val auto_gensym(rd *c, gv_symbol *s, uint32_t genv) {
    gv_vm *vm = c->vm;
    gv_val key = sym_val(s->base);
    gv_val env = stk_base(c)[genv];
    gv_val g = gv_map_get(vm, env, key, GV_NILV);
    if (g.t == GV_SYMBOL) return g;
    sb_reset(&c->nb);
    gv_buf_put(&c->nb, s->name->data, s->name->len - 1);
    gv_buf_printf(&c->nb, "__%llu__auto__", (unsigned long long)vm->gensym_counter++);
    g = sym_val(gv_sym_intern(vm, NULL, 0, sb_str(&c->nb), c->nb.len));
    stk_base(c)[genv] = gv_map_assoc(vm, env, key, g);
    return g;
}

static gv_val sq_symbol(rd *c, gv_val form, uint32_t genv) {
    gv_symbol *s = GV_AS(gv_symbol, form);
    const char *nm = s->name->data;
    size_t nl = s->name->len;
    if (!s->ns && nl > 0 && nm[nl - 1] == '#') return auto_gensym(c, s, genv);
    if (!s->ns && nl > 0 && nm[nl - 1] == '.') return sym_val(s->base); /* Ctor. */
    if (!s->ns && nm[0] == '.') return form;                            /* .method */
    if (memchr(nm, '.', nl) && nm[0] != '.') return form;               /* class-like */
    return sym_val(gv_ns_qualify(c->vm, s->base));
}

static gv_val syntax_quote(rd *c, gv_val form, uint32_t genv, const gv_pos *at);

/* (concat (list a) b ...) items for the elements [base, base+n) on the
 * stack; returns the concat form. */
static gv_val sq_concat(rd *c, uint32_t base, uint32_t n, uint32_t genv, const gv_pos *at) {
    gv_vm *vm = c->vm;
    uint32_t out = c->top;
    spush(c, sym_val(vm->sy.s_concat));
    for (uint32_t i = 0; i < n; i++) {
        gv_val item = stk_base(c)[base + i];
        gv_val x;
        if (is_unquote_form(item, vm->sy.s_unquote)) x = list2(c, sym_val(vm->sy.s_list), second(item), at);
        else if (is_unquote_form(item, vm->sy.s_unquote_splicing)) x = second(item);
        else x = list2(c, sym_val(vm->sy.s_list), syntax_quote(c, item, genv, at), at);
        spush(c, x);
    }
    gv_val l = gv_list_from(vm, c->top - out, stk_base(c) + out);
    set_pos(l, at);
    struncate(c, out);
    return l;
}

static bool push_entry(gv_vm *vm, gv_val k, gv_val v, void *ctx) {
    (void)vm;
    rd *c = ctx;
    spush(c, k);
    spush(c, v);
    return true;
}

static bool push_elem(gv_vm *vm, gv_val x, void *ctx) {
    (void)vm;
    spush((rd *)ctx, x);
    return true;
}

/* Clojure's SyntaxQuoteReader.syntaxQuote. */
static gv_val syntax_quote(rd *c, gv_val form, uint32_t genv, const gv_pos *at) {
    gv_vm *vm = c->vm;
    gv_syms *y = &vm->sy;
    gv_pos here_pos = *at;
    if (form.t == GV_LIST && GV_AS(gv_list, form)->line > 0) {
        gv_list *l = GV_AS(gv_list, form);
        here_pos.line = l->line;
        here_pos.col = l->col;
        here_pos.start = l->offset;
    }
    const gv_pos *p = &here_pos;
    if (--c->sq_budget < 0) rerr(c, at, "Syntax-quote expansion too large");
    nest_enter(c, at);
    gv_val ret;
    uint32_t base = c->top;
    switch (form.t) {
    case GV_SYMBOL:
        if (is_special_sym(GV_AS(gv_symbol, form))) ret = list2(c, sym_val(y->s_quote), form, p);
        else ret = list2(c, sym_val(y->s_quote), sq_symbol(c, form, genv), p);
        break;
    case GV_LIST:
        if (is_unquote_form(form, y->s_unquote)) { nest_leave(c); return second(form); }
        if (is_unquote_form(form, y->s_unquote_splicing)) rerr(c, at, "splice not in list");
        for (gv_val s = form; GV_AS(gv_list, s)->count; s = GV_AS(gv_list, s)->rest)
            spush(c, GV_AS(gv_list, s)->first);
        if (c->top == base) {
            gv_val one = sym_val(y->s_list);
            ret = gv_list_from(vm, 1, &one);
            set_pos(ret, p);
        } else {
            ret = list2(c, sym_val(y->s_seq), sq_concat(c, base, c->top - base, genv, p), p);
        }
        break;
    case GV_VECTOR:
    case GV_ARRAYMAP:
    case GV_HASHMAP:
    case GV_SET: {
        gv_symbol *ctor;
        if (form.t == GV_VECTOR) {
            ctor = y->s_vector;
            for (int64_t i = 0; i < gv_vec_count(form); i++) spush(c, gv_vec_nth(form, i));
        } else if (form.t == GV_SET) {
            ctor = y->s_hash_set;
            gv_set_each(vm, form, push_elem, c);
        } else {
            ctor = y->s_hash_map;
            gv_map_each(vm, form, push_entry, c);
        }
        gv_val cc = sq_concat(c, base, c->top - base, genv, p);
        ret = list3(c, sym_val(y->s_apply), sym_val(ctor), list2(c, sym_val(y->s_seq), cc, p), p);
        break;
    }
    case GV_KEYWORD:
    case GV_LONG:
    case GV_DOUBLE:
    case GV_CHAR:
    case GV_STRING:
        ret = form;
        break;
    default:
        ret = list2(c, sym_val(y->s_quote), form, p);
        break;
    }
    struncate(c, base);
    switch (form.t) {
    case GV_SYMBOL: case GV_LIST: case GV_CONS: case GV_VECTOR: case GV_ARRAYMAP:
    case GV_HASHMAP: case GV_SET: {
        gv_val meta = gv_meta(form);
        if (gv_is_map(meta)) {
            gv_val trimmed = gv_map_dissoc(vm, gv_map_dissoc(vm, meta, gv_objval(y->k_line)),
                                           gv_objval(y->k_column));
            if (gv_map_count(trimmed) > 0)
                ret = list3(c, sym_val(y->s_with_meta), ret, syntax_quote(c, meta, genv, p), p);
        }
        break;
    }
    default: break;
    }
    nest_leave(c);
    return ret;
}

/* ---- dispatch forms ---------------------------------------------------- */

static gv_val fn_arg_sym(rd *c, int n) {
    gv_vm *vm = c->vm;
    sb_reset(&c->nb);
    if (n == -1) gv_buf_puts(&c->nb, "rest");
    else gv_buf_printf(&c->nb, "p%d", n);
    gv_buf_printf(&c->nb, "__%llu#", (unsigned long long)vm->gensym_counter++);
    return sym_val(gv_sym_intern(vm, NULL, 0, sb_str(&c->nb), c->nb.len));
}

static gv_val register_arg(rd *c, int n, const gv_pos *at) {
    if (n < -1) rerr(c, at, "arg literal must be %%, %%& or %%integer");
    if (n > MAX_FN_ARGS) rerr(c, at, "Can't specify more than %d params", MAX_FN_ARGS);
    gv_val *slot = &c->fn_args[n + 1];
    if (slot->t != GV_SYMBOL) *slot = fn_arg_sym(c, n);
    return *slot;
}

/* % inside #( ): the arg symbol (the % already consumed). */
static gv_val read_arg(rd *c, const gv_pos *start) {
    int32_t ch = peek(c);
    if (ch < 0 || gv_char_is_ws(ch) || gv_char_is_terminating(ch)) return register_arg(c, 1, start);
    uint32_t r0 = c->nrec;
    c->depth++;
    gv_val n = read_one(c);
    c->depth--;
    rec_drop(c, r0);
    if (sym_is(n, c->vm->sy.s_amp)) return register_arg(c, -1, start);
    if (n.t == GV_LONG) return register_arg(c, (int32_t)(uint32_t)(uint64_t)n.as.i, start);
    if (n.t == GV_DOUBLE) {
        double d = n.as.d;
        int k = isnan(d) ? 0 : d >= 2147483647.0 ? INT32_MAX : d <= -2147483648.0 ? INT32_MIN : (int)d;
        return register_arg(c, k, start);
    }
    rerr(c, start, "arg literal must be %%, %%& or %%integer");
}

/* #( ... ): the '#' consumed, at the '('. */
static gv_val read_fn(rd *c, const gv_pos *start) {
    gv_vm *vm = c->vm;
    if (c->in_fn) rerr(c, start, "Nested #()s are not allowed");
    c->in_fn = true;
    for (int i = 0; i < MAX_FN_ARGS + 2; i++) c->fn_args[i] = GV_NILV;
    c->depth++;
    read_elem(c); /* the body list */
    c->depth--;
    c->in_fn = false;
    uint32_t base = c->top - 1; /* the body sits on the stack */
    int high = 0;
    for (int i = MAX_FN_ARGS; i >= 1; i--)
        if (c->fn_args[i + 1].t == GV_SYMBOL) { high = i; break; }
    uint32_t pbase = c->top;
    for (int i = 1; i <= high; i++)
        spush(c, c->fn_args[i + 1].t == GV_SYMBOL ? c->fn_args[i + 1] : fn_arg_sym(c, i));
    if (c->fn_args[0].t == GV_SYMBOL) {
        spush(c, sym_val(vm->sy.s_amp));
        spush(c, c->fn_args[0]);
    }
    gv_val params = gv_vec_from(vm, c->top - pbase, stk_base(c) + pbase);
    gv_val body = stk_base(c)[base];
    gv_val f = list3(c, sym_val(vm->sy.s_fnx), params, body, start);
    struncate(c, base);
    for (int i = 0; i < MAX_FN_ARGS + 2; i++) c->fn_args[i] = GV_NILV;
    return f;
}

static gv_val read_symbolic(rd *c, const gv_pos *start) {
    uint32_t r0 = c->nrec;
    c->depth++;
    gv_val o = read_one(c);
    c->depth--;
    rec_drop(c, r0);
    char buf[300];
    if (o.t != GV_SYMBOL) {
        show(c, o, buf, sizeof buf);
        rerr(c, start, "Invalid token: ##%s", buf);
    }
    if (sym_named(o, "Inf")) return gv_d(INFINITY);
    if (sym_named(o, "-Inf")) return gv_d(-INFINITY);
    if (sym_named(o, "NaN")) return gv_d(NAN);
    show(c, o, buf, sizeof buf);
    rerr(c, start, "Unknown symbolic value: ##%s", buf);
}

/* #tag form (the '#' consumed). */
static gv_val read_tagged(rd *c, const gv_pos *start) {
    uint32_t r0 = c->nrec;
    c->depth++;
    gv_val tag = read_one(c);
    if (tag.t != GV_SYMBOL) rerr(c, start, "Reader tag must be a symbol");
    read_one(c);
    c->depth--;
    rec_drop(c, r0);
    if (c->suppress) return GV_NILV;
    char buf[300];
    show(c, tag, buf, sizeof buf);
    rerr(c, start, "No reader function for tag %s", buf);
}

/* ---- transparent forms: #_ ^ #? ------------------------------------------- */

/* A value's metadata map from the form after ^ (Clojure's MetaReader). */
static gv_val meta_map(rd *c, gv_val m, const gv_pos *at) {
    gv_vm *vm = c->vm;
    if (m.t == GV_SYMBOL || m.t == GV_STRING) {
        gv_val kv[2] = {gv_objval(vm->sy.k_tag), m};
        return gv_map_from(vm, 1, kv);
    }
    if (m.t == GV_KEYWORD) {
        gv_val kv[2] = {m, GV_TRUEV};
        return gv_map_from(vm, 1, kv);
    }
    if (gv_is_map(m)) return m;
    rerr_cls(c, at, READER_EXC, "Metadata must be Symbol,Keyword,String or Map");
}

static bool push_assoc(gv_vm *vm, gv_val k, gv_val v, void *ctx) {
    gv_val *acc = ctx;
    *acc = gv_map_assoc(vm, *acc, k, v);
    return true;
}

/* ^meta form or #^meta form: pushes the form with the metadata merged. */
static uint32_t read_meta(rd *c, const gv_pos *start, int skip) {
    gv_vm *vm = c->vm;
    for (int i = 0; i < skip; i++) next(c);
    uint32_t r0 = c->nrec;
    c->depth++;
    gv_val m = read_one(c);
    c->depth--;
    rec_drop(c, r0);
    uint32_t slot = c->top;
    spush(c, meta_map(c, m, start));
    gv_val o = read_one(c); /* its record, if any, is at r0 */
    switch (o.t) {
    case GV_SYMBOL: case GV_LIST: case GV_CONS: case GV_VECTOR: case GV_ARRAYMAP:
    case GV_HASHMAP: case GV_SET: case GV_LAZYSEQ: case GV_ARRAYSEQ: case GV_RANGE:
        break;
    default:
        rerr(c, start, "Metadata can only be applied to IMetas");
    }
    gv_val om = gv_meta(o);
    if (!gv_is_map(om)) om = gv_map_empty(vm);
    gv_map_each(vm, stk_base(c)[slot], push_assoc, &om);
    gv_val v = gv_with_meta(vm, o, om);
    if (v.t == GV_LIST && o.t == GV_LIST && GV_AS(gv_list, o)->count) {
        /* Clojure records where the ^ started as the list's position */
        set_pos(v, start);
    }
    struncate(c, slot);
    if (c->rec && c->nrec > r0) {
        gv_val *e = rec_at(c, r0);
        e[0] = v;
        e[1] = gv_l(start->line);
        e[2] = gv_l(start->col);
        e[3] = gv_l(start->start);
        e[4] = gv_l((int64_t)c->r->i);
    }
    spush(c, v);
    return 1;
}

/* Priority of a reader-conditional feature: grove, then clj, then default. */
static int feature_rank(gv_val k) {
    if (kw_named(k, "grove")) return 3;
    if (kw_named(k, "clj")) return 2;
    if (kw_named(k, "default")) return 1;
    return 0;
}

/* #?( ... ) and #?@( ... ) (the "#?" consumed). */
static uint32_t read_cond(rd *c, const gv_pos *start) {
    gv_vm *vm = c->vm;
    bool splicing = false;
    int32_t ch = peek(c);
    if (ch < 0) rerr(c, NULL, "EOF while reading character");
    if (ch == '@') { splicing = true; next(c); }
    while ((ch = peek(c)) >= 0 && gv_char_is_ws(ch)) next(c);
    if (ch < 0) rerr(c, NULL, "EOF while reading character");
    if (ch != '(') rerr(c, NULL, "read-cond body must be a list");
    gv_pos lp = here(c);
    next(c);
    uint32_t r0 = c->nrec;
    uint32_t base = c->top;
    int best = 0;
    uint32_t best_from = 0, best_to = 0;
    bool have = false;
    gv_val chosen = GV_NILV;
    uint32_t slot = c->top;
    spush(c, GV_NILV); /* keeps the chosen value rooted */
    c->depth++;
    for (;;) {
        /* the feature */
        ch = skip_ws(c);
        if (ch < 0) rerr(c, NULL, "EOF while reading, starting at line %d", lp.line);
        if (ch == ')') { next(c); break; }
        if (ch == ']' || ch == '}') unmatched(c, ch);
        gv_pos fp = here(c);
        uint32_t fr = c->nrec;
        uint32_t n = read_elem(c);
        rec_drop(c, fr);
        if (n == 0) continue;
        if (n != 1) rerr(c, &fp, "Reader conditional splicing not allowed here");
        gv_val feat = spop(c);
        if (kw_named(feat, "else") || kw_named(feat, "none")) {
            char buf[300];
            show(c, feat, buf, sizeof buf);
            rerr(c, &fp, "Feature name %s is reserved.", buf);
        }
        if (feat.t != GV_KEYWORD) {
            char buf[300];
            show(c, feat, buf, sizeof buf);
            rerr(c, &fp, "Feature should be a keyword: %s", buf);
        }
        int rank = feature_rank(feat);
        /* its form */
        bool wins = rank > best;
        for (;;) {
            ch = skip_ws(c);
            if (ch < 0) rerr(c, NULL, "EOF while reading, starting at line %d", lp.line);
            if (ch == ')') rerr(c, NULL, "read-cond requires an even number of forms.");
            if (ch == ']' || ch == '}') unmatched(c, ch);
            uint32_t vr = c->nrec;
            if (!wins) c->suppress++;
            gv_pos vp = here(c);
            n = read_elem(c);
            if (!wins) c->suppress--;
            if (n == 0) continue;
            if (n != 1) rerr(c, &vp, "Reader conditional splicing not allowed here");
            gv_val v = spop(c);
            if (wins) {
                best = rank;
                have = true;
                chosen = v;
                stk_base(c)[slot] = v;
                best_from = vr;
                best_to = c->nrec;
            }
            break;
        }
    }
    c->depth--;
    struncate(c, base);
    if (!have) { rec_drop(c, r0); return 0; }
    if (!splicing) {
        rec_move(c, best_from, best_to, r0, -1);
        spush(c, chosen);
        return 1;
    }
    if (chosen.t != GV_LIST && chosen.t != GV_VECTOR)
        rerr(c, start, "Spliced form list in read-conditional must implement java.util.List");
    if (c->nest == 1)
        rerr(c, start, "Reader conditional splicing not allowed at the top level.");
    /* drop the collection's own record, keep its elements one level up */
    if (best_to > best_from) rec_move(c, best_from + 1, best_to, r0, -2);
    uint32_t k = 0;
    if (chosen.t == GV_VECTOR) {
        for (int64_t i = 0; i < gv_vec_count(chosen); i++, k++) spush(c, gv_vec_nth(chosen, i));
    } else {
        for (gv_val s = chosen; GV_AS(gv_list, s)->count; s = GV_AS(gv_list, s)->rest, k++)
            spush(c, GV_AS(gv_list, s)->first);
    }
    (void)vm;
    return k;
}

/* ---- one element ----------------------------------------------------------- */

/* A # dispatch form other than #_ #^ #? (the '#' not yet consumed). */
static gv_val read_dispatch(rd *c, const gv_pos *start) {
    gv_syms *y = &c->vm->sy;
    next(c);
    int32_t d = peek(c);
    switch (d) {
    case -1: rerr(c, NULL, "EOF while reading character");
    case '\'': {
        next(c);
        c->depth++;
        gv_val x = read_one(c);
        c->depth--;
        return list2(c, sym_val(y->s_var), x, start);
    }
    case '"': return read_regex(c, start);
    case '(': return read_fn(c, start);
    case '{': return read_set(c, start);
    case '#': next(c); return read_symbolic(c, start);
    case ':': next(c); return read_ns_map(c, start);
    case '=': rerr(c, start, "EvalReader (#=) is not supported");
    case '<': rerr(c, start, "Unreadable form");
    default:
        if (d < 0x80 ? isalpha(d) : d != 0xFFFD) return read_tagged(c, start);
        if (d < 0x80) rerr(c, start, "No dispatch macro for: %c", (char)d);
        rerr(c, start, "No dispatch macro for: U+%04X", (unsigned)d);
    }
}

/* Reads a form that yields exactly one value (not #_ ^ #?); returns it. */
static gv_val read_value(rd *c, int32_t ch, const gv_pos *start) {
    gv_vm *vm = c->vm;
    gv_syms *y = &vm->sy;
    switch (ch) {
    case '(': return read_list(c, start);
    case '[': return read_vector(c, start);
    case '{': return read_map(c, start);
    case '"': return read_string(c, start);
    case '\\': return read_char(c, start);
    case '\'': case '@': case '`': case '~': {
        next(c);
        gv_symbol *head = ch == '\'' ? y->s_quote : y->s_deref;
        if (ch == '~') {
            if (peek(c) < 0) rerr(c, NULL, "EOF while reading character");
            if (peek(c) == '@') { next(c); head = y->s_unquote_splicing; }
            else head = y->s_unquote;
        }
        c->depth++;
        gv_val x = read_one(c);
        c->depth--;
        if (ch == '`') {
            uint32_t genv = c->top;
            spush(c, gv_map_empty(vm));
            gv_val v = syntax_quote(c, x, genv, start);
            struncate(c, genv);
            return v;
        }
        return list2(c, sym_val(head), x, start);
    }
    case '%':
        if (c->in_fn) { next(c); return read_arg(c, start); }
        read_token(c, false);
        return interpret_token(c, start);
    case '#': return read_dispatch(c, start);
    default:
        if (is_digit(ch) || ((ch == '+' || ch == '-') && is_digit(peek_byte(c, 1)))) {
            read_token(c, true);
            return parse_number(c, start);
        }
        read_token(c, false);
        return interpret_token(c, start);
    }
}

/* Reads one element at the current position, which is not whitespace,
 * not the end and not a closing delimiter.  Pushes the values it yields
 * (0 for #_ and unmatched #?, several for #?@) and returns how many. */
static uint32_t read_elem(rd *c) {
    gv_pos start = here(c);
    int32_t ch = peek(c);
    int b1 = peek_byte(c, 1);
    uint32_t n;
    nest_enter(c, &start);
    if (ch == '^' || (ch == '#' && b1 == '^')) {
        n = read_meta(c, &start, ch == '^' ? 1 : 2);
    } else if (ch == '#' && b1 == '_') {
        next(c);
        next(c);
        uint32_t r0 = c->nrec, t0 = c->top;
        read_one(c);
        rec_drop(c, r0);
        struncate(c, t0);
        n = 0;
    } else if (ch == '#' && b1 == '?') {
        next(c);
        next(c);
        n = read_cond(c, &start);
    } else if (ch == ')' || ch == ']' || ch == '}') {
        unmatched(c, ch);
    } else {
        uint32_t rec = rec_open(c, &start);
        gv_val v = read_value(c, ch, &start);
        spush(c, v);
        rec_close(c, rec, v);
        n = 1;
    }
    nest_leave(c);
    return n;
}

/* Reads exactly one form (skipping #_ and unmatched #?); its record, if
 * any, is the first one added. */
static gv_val read_one(rd *c) {
    for (;;) {
        int32_t ch = skip_ws(c);
        if (ch < 0) rerr(c, NULL, "EOF while reading");
        if (ch == ')' || ch == ']' || ch == '}') unmatched(c, ch);
        gv_pos p = here(c);
        uint32_t n = read_elem(c);
        if (n == 1) return spop(c);
        if (n > 1) rerr(c, &p, "Reader conditional splicing not allowed here");
    }
}

/* ---- entry points ---------------------------------------------------------- */

void gv_reader_init(gv_reader *r, const char *src, size_t len, const char *file, int line,
                    int col) {
    memset(r, 0, sizeof *r);
    r->src = src;
    r->len = src ? len : 0;
    r->i = 0;
    r->line = line > 0 ? line : 1;
    r->col = col > 0 ? col : 1;
    r->file = file;
    /* a UTF-8 byte order mark is not part of the text */
    if (r->len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0) r->i = 3;
}

typedef struct top_result {
    bool got;
    gv_val v;
    gv_pos pos;
} top_result;

static void read_top(rd *c, top_result *out) {
    out->got = false;
    for (;;) {
        int32_t ch = skip_ws(c);
        if (ch < 0) return;
        if (ch == ')' || ch == ']' || ch == '}') unmatched(c, ch);
        gv_pos p = here(c);
        uint32_t n = read_elem(c);
        if (n == 0) continue;
        if (n > 1) rerr(c, &p, "Reader conditional splicing not allowed at the top level.");
        out->got = true;
        out->v = spop(c);
        out->pos = p;
        out->pos.end = (int64_t)c->r->i;
        return;
    }
}

bool gv_reader_read(gv_vm *vm, gv_reader *r, gv_val *out, gv_pos *pos) {
    gv_proc *p = vm->cur;
    gv_val *sp0 = p->sp;
    rd ctx;
    memset(&ctx, 0, sizeof ctx);
    rd *c = &ctx;
    c->vm = vm;
    c->r = r;
    c->depth = r->depth;
    c->sq_budget = SQ_BUDGET;
    if (p->cstack_limit) c->stack_floor = p->cstack_limit + STACK_MARGIN;
    gv_buf_init(&c->sb);
    gv_buf_init(&c->nb);
    c->stk = gv_push(vm, gv_mk(GV_VNODE, vnode_grow(vm, NULL, 0, 64)));
    if (r->on_form) c->rec = gv_push(vm, gv_mk(GV_VNODE, vnode_grow(vm, NULL, 0, 16 * REC_W)));
    top_result res;
    gv_handler h;
    if (gv_try(vm, &h) == 0) {
        read_top(c, &res);
        gv_try_end(vm, &h);
    } else {
        rd *volatile vc = c;
        gv_buf_free(&vc->sb);
        gv_buf_free(&vc->nb);
        gv_throw(vm, h.exc);
    }
    gv_buf_free(&c->sb);
    gv_buf_free(&c->nb);
    if (!res.got) {
        p->sp = sp0;
        return false;
    }
    gv_val *result = gv_push(vm, res.v);
    if (c->rec) {
        for (uint32_t i = 0; i < c->nrec; i++) {
            gv_val *e = rec_at(c, i);
            gv_pos fp = {(int32_t)e[1].as.i, (int32_t)e[2].as.i, e[3].as.i, e[4].as.i};
            r->on_form(r->ctx, e[0], &fp, (int)e[5].as.i);
        }
    }
    *out = *result;
    if (pos) *pos = res.pos;
    p->sp = sp0;
    return true;
}
