/* program.c — a source text as a grove program (gp_): the top-level forms
 * of a file, their `!` markers, ids and canonical hashes (program.h).
 *
 * Design: one lexer, no VM.  It cuts the text into the same tokens the
 * reader (reader.c) sees, with the reader's rules for where a token ends
 * (whitespace, commas, terminating macros; numbers end at any macro),
 * strings and regexes with backslash escapes, characters (`\(` is a
 * character, not a bracket), `;` and `#!` comments, and the reader's
 * line/column counting (columns in code points; CR, LF and CRLF end a
 * line).  Everything else is built on a token stream:
 *
 *   OPEN     ( [ { #{ #(
 *   CLOSE    ) ] }
 *   ATOM     a symbol, keyword, number, string, character or regex;
 *            also a dispatch the reader refuses (#<, #1: the node reports)
 *   PREFIX   ' ` ~ ~@ @ #' #= ## #? #?@ #:NS #TAG — one form follows,
 *            and prefix + form count as one form
 *   META     ^ #^ — two forms follow (the metadata and its target)
 *   DISCARD  #_ — one form follows and is dropped
 *
 * A form ends when its brackets balance and every prefix has its forms.
 * At the top level a `!` symbol marks the next form live and `#_ FORM` is
 * skipped, as the reader skips it; a `#?(...)` is kept as a form even when
 * no branch applies (the node then evaluates nothing).
 * The canonical text of a form is its tokens' exact source bytes joined by
 * one space, with DISCARD tokens and the forms they drop left out (so also
 * whitespace, commas and comments); the hash is FNV-1a 64 of that text.
 * Long inputs are handled in time linear in their size and without
 * recursion (the unit test nests 200,000 brackets).
 */
#include "program.h"

#include "gv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the lexer ------------------------------------------------------------ */

typedef enum { T_EOF, T_ERR, T_OPEN, T_CLOSE, T_ATOM, T_PREFIX, T_META, T_DISCARD } tkind;

typedef struct lexer {
    const char *s;
    size_t n, i;
    int line, col;
} lexer;

typedef struct token {
    tkind k;
    size_t start, end;
    int line, col;
    char close;        /* T_OPEN: the matching closer */
    const char *err;   /* T_ERR: the reason */
} token;

/* Strict UTF-8 as the reader decodes it: overlong forms, surrogates and
 * values past U+10FFFF count as one invalid byte. */
static int32_t lx_peek(const lexer *l, int *len) {
    if (l->i >= l->n) { *len = 0; return -1; }
    unsigned char b = (unsigned char)l->s[l->i];
    if (b < 0x80) { *len = 1; return b; }
    int32_t cp = gv_utf8_decode(l->s + l->i, l->n - l->i, len);
    if ((*len == 2 && cp < 0x80) || (*len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (*len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
        *len = 1;
        return 0xFFFD;
    }
    return cp;
}

static int lx_byte(const lexer *l, size_t k) {
    return l->i + k < l->n ? (unsigned char)l->s[l->i + k] : -1;
}

/* Consumes one code point (nothing at the end), counting lines as the
 * reader does. */
static int32_t lx_adv(lexer *l) {
    int len;
    int32_t cp = lx_peek(l, &len);
    if (cp < 0) return -1;
    l->i += (size_t)len;
    if (cp == '\n') { l->line++; l->col = 1; }
    else if (cp == '\r') {
        if (!(l->i < l->n && l->s[l->i] == '\n')) { l->line++; l->col = 1; }
    } else l->col++;
    return cp;
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

/* Consumes code points up to whitespace or a terminating macro (any
 * macro when NUMBER). */
static void lx_token_rest(lexer *l, bool number) {
    for (;;) {
        int len;
        int32_t cp = lx_peek(l, &len);
        if (cp < 0 || gv_char_is_ws(cp) || (number ? gv_char_is_macro(cp) : gv_char_is_terminating(cp))) return;
        lx_adv(l);
    }
}

static void lx_skip_ws(lexer *l) {
    for (;;) {
        int len;
        int32_t cp = lx_peek(l, &len);
        if (cp < 0) return;
        if (gv_char_is_ws(cp)) { lx_adv(l); continue; }
        if (cp == ';' || (cp == '#' && lx_byte(l, 1) == '!')) {
            while ((cp = lx_peek(l, &len)) >= 0 && cp != '\n' && cp != '\r') lx_adv(l);
            continue;
        }
        return;
    }
}

/* Consumes the body of a string or regex after its opening quote. */
static bool lx_quoted(lexer *l) {
    for (;;) {
        int32_t cp = lx_adv(l);
        if (cp < 0) return false;
        if (cp == '"') return true;
        if (cp == '\\' && lx_adv(l) < 0) return false;
    }
}

/* The next token.  Always consumes at least one byte unless at the end. */
static token lx_next(lexer *l) {
    lx_skip_ws(l);
    token t = {T_EOF, l->i, l->i, l->line, l->col, 0, NULL};
    int len;
    int32_t c = lx_peek(l, &len);
    if (c < 0) return t;
    int d = lx_byte(l, 1);
    switch (c) {
    case '(': t.k = T_OPEN; t.close = ')'; lx_adv(l); break;
    case '[': t.k = T_OPEN; t.close = ']'; lx_adv(l); break;
    case '{': t.k = T_OPEN; t.close = '}'; lx_adv(l); break;
    case ')': case ']': case '}': t.k = T_CLOSE; lx_adv(l); break;
    case '"':
        lx_adv(l);
        t.k = lx_quoted(l) ? T_ATOM : T_ERR;
        t.err = "EOF while reading string";
        break;
    case '\\':
        lx_adv(l);
        if (lx_adv(l) < 0) { t.k = T_ERR; t.err = "EOF while reading character"; break; }
        lx_token_rest(l, false);
        t.k = T_ATOM;
        break;
    case '\'': case '`': case '@':
        lx_adv(l);
        t.k = T_PREFIX;
        break;
    case '~':
        lx_adv(l);
        if (d == '@') lx_adv(l);
        t.k = T_PREFIX;
        break;
    case '^': lx_adv(l); t.k = T_META; break;
    case '#':
        lx_adv(l);
        switch (d) {
        case '{': lx_adv(l); t.k = T_OPEN; t.close = '}'; break;
        case '(': lx_adv(l); t.k = T_OPEN; t.close = ')'; break;
        case '_': lx_adv(l); t.k = T_DISCARD; break;
        case '^': lx_adv(l); t.k = T_META; break;
        case '\'': case '=': case '#': lx_adv(l); t.k = T_PREFIX; break;
        case '"':
            lx_adv(l);
            t.k = lx_quoted(l) ? T_ATOM : T_ERR;
            t.err = "EOF while reading regex";
            break;
        case '?':
            lx_adv(l);
            if (lx_byte(l, 0) == '@') lx_adv(l);
            t.k = T_PREFIX;
            break;
        case ':':
            lx_adv(l);
            if (lx_byte(l, 0) == ':') lx_adv(l);
            lx_token_rest(l, false);
            t.k = T_PREFIX;
            break;
        default: {
            int32_t e = lx_peek(l, &len);
            bool tag = e >= 0 && (e < 0x80 ? ((e | 0x20) >= 'a' && (e | 0x20) <= 'z') : e != 0xFFFD);
            lx_token_rest(l, false);
            t.k = tag ? T_PREFIX : T_ATOM;
        }
        }
        break;
    default:
        lx_adv(l);
        lx_token_rest(l, is_digit(c) || ((c == '+' || c == '-') && is_digit(d)));
        t.k = T_ATOM;
    }
    t.end = l->i;
    return t;
}

/* ---- forms ------------------------------------------------------------------ */

/* An explicit stack of open brackets (no recursion on nesting). */
typedef struct bstack {
    token *a;
    size_t n, cap;
} bstack;

static bool bs_push(bstack *b, token t) {
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 32;
        token *na = realloc(b->a, nc * sizeof *na);
        if (!na) return false;
        b->a = na;
        b->cap = nc;
    }
    b->a[b->n++] = t;
    return true;
}

typedef struct ferr {
    int line, col;
    char msg[96];
} ferr;

static void set_err(ferr *e, int line, int col, const char *msg) {
    if (!e) return;
    e->line = line;
    e->col = col;
    snprintf(e->msg, sizeof e->msg, "%s", msg);
}

typedef enum { F_OK, F_EOF, F_ERR, F_STOP } fres;

/* Scans exactly one form from L (discards and prefixes included).
 * F_OK: *FIRST is its first token and L is just past it.  F_EOF: the end
 * came before any token.  F_STOP: a closing bracket came before the form
 * was complete at its own level (L is left before it).  F_ERR: the text
 * is unbalanced, E (may be NULL) says where and why. */
static fres scan_form(lexer *l, token *first, ferr *e, bstack *bs) {
    size_t need = 1;
    bool started = false;
    bs->n = 0;
    for (;;) {
        lexer save = *l;
        token t = lx_next(l);
        if (t.k == T_EOF) {
            if (bs->n) {
                token *o = &bs->a[bs->n - 1];
                char m[64];
                snprintf(m, sizeof m, "EOF while reading, starting at line %d", o->line);
                set_err(e, o->line, o->col, m);
                return F_ERR;
            }
            if (!started) return F_EOF;
            set_err(e, first->line, first->col, "EOF while reading");
            return F_ERR;
        }
        if (t.k == T_ERR) { set_err(e, t.line, t.col, t.err); return F_ERR; }
        if (t.k == T_CLOSE && bs->n == 0) {
            *l = save;
            return F_STOP;
        }
        if (!started) { *first = t; started = true; }
        switch (t.k) {
        case T_OPEN:
            if (!bs_push(bs, t)) { set_err(e, t.line, t.col, "out of memory"); return F_ERR; }
            continue;
        case T_CLOSE: {
            char c = l->s[t.start];
            if (bs->a[bs->n - 1].close != c) {
                char m[40];
                snprintf(m, sizeof m, "Unmatched delimiter: %c", c);
                set_err(e, t.line, t.col, m);
                return F_ERR;
            }
            bs->n--;
            if (bs->n == 0) need--;
            break;
        }
        case T_ATOM:
            if (bs->n == 0) need--;
            break;
        case T_META: case T_DISCARD:
            if (bs->n == 0) need++;
            break;
        default: break;
        }
        if (need == 0) return F_OK;
    }
}

/* ---- canonical tokens, hash and id ------------------------------------ */

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

typedef struct canon {
    const char *s;
    uint64_t h;
    bool any;
    /* the first tokens, kept for the id: ( head [^meta...] name */
    token tk[256];
    size_t ntk;
} canon;

static void canon_bytes(canon *c, const char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        c->h ^= (unsigned char)p[i];
        c->h *= FNV_PRIME;
    }
}

static void canon_token(canon *c, const token *t) {
    if (c->any) canon_bytes(c, " ", 1);
    c->any = true;
    canon_bytes(c, c->s + t->start, t->end - t->start);
    if (c->ntk < sizeof c->tk / sizeof c->tk[0]) c->tk[c->ntk++] = *t;
}

/* Feeds the tokens of S[0..N) to C, leaving out every #_ and the form it
 * drops.  A #_ followed by a closing bracket drops nothing. */
static void canon_run(canon *c, const char *s, size_t n) {
    lexer l = {s, n, 0, 1, 1};
    bstack bs = {NULL, 0, 0};
    c->s = s;
    c->h = FNV_OFFSET;
    c->any = false;
    c->ntk = 0;
    for (;;) {
        token t = lx_next(&l);
        if (t.k == T_EOF) break;
        if (t.k == T_DISCARD) {
            /* an unbalanced dropped form drops what it consumed (to the
             * end, or past a wrong closing bracket): linear time */
            token first;
            scan_form(&l, &first, NULL, &bs);
            continue;
        }
        canon_token(c, &t);
    }
    free(bs.a);
}

uint64_t gp_canon_hash(const char *text, size_t len) {
    canon c;
    canon_run(&c, text, len);
    return c.h;
}

/* A token that reads as a symbol (not a keyword, number, string...). */
static bool tok_is_symbol(const char *s, const token *t) {
    if (t->k != T_ATOM) return false;
    unsigned char c0 = (unsigned char)s[t->start];
    int c1 = t->end - t->start > 1 ? (unsigned char)s[t->start + 1] : -1;
    if (c0 == ':' || c0 == '"' || c0 == '\\' || c0 == '#' || is_digit(c0)) return false;
    if ((c0 == '+' || c0 == '-') && is_digit(c1)) return false;
    return true;
}

static bool tok_is(const char *s, const token *t, const char *w) {
    size_t n = strlen(w);
    return t->end - t->start == n && memcmp(s + t->start, w, n) == 0;
}

/* Index past the form starting at token K of C's kept tokens (^ prefixes
 * and brackets followed), or C->ntk when it runs past them. */
static size_t canon_skip(const canon *c, size_t k) {
    size_t need = 1, depth = 0;
    for (; k < c->ntk; k++) {
        const token *t = &c->tk[k];
        if (t->k == T_OPEN) depth++;
        else if (t->k == T_CLOSE) {
            if (depth == 0) return c->ntk;
            if (--depth == 0) need--;
        } else if (t->k == T_ATOM) {
            if (depth == 0) need--;
        } else if (t->k == T_META) {
            if (depth == 0) need++;
        }
        if (need == 0) return k + 1;
    }
    return c->ntk;
}

/* The base id of a form ("def:NAME", "ns:NAME" or "h:HASH"), malloc'd. */
static char *form_id(const canon *c, const char *hex) {
    const char *s = c->s;
    if (c->ntk >= 3 && c->tk[0].k == T_OPEN && s[c->tk[0].start] == '(' &&
        tok_is_symbol(s, &c->tk[1])) {
        const token *head = &c->tk[1];
        bool def = head->end - head->start >= 3 && memcmp(s + head->start, "def", 3) == 0;
        bool ns = tok_is(s, head, "ns");
        if (def || ns) {
            size_t k = 2;
            while (k < c->ntk && c->tk[k].k == T_META) k = canon_skip(c, k + 1);
            if (k < c->ntk && tok_is_symbol(s, &c->tk[k])) {
                const token *nm = &c->tk[k];
                size_t n = nm->end - nm->start;
                char *id = malloc(n + 5);
                if (!id) return NULL;
                memcpy(id, def ? "def:" : "ns:", def ? 4 : 3);
                memcpy(id + (def ? 4 : 3), s + nm->start, n);
                id[(def ? 4 : 3) + n] = 0;
                return id;
            }
        }
    }
    char *id = malloc(19);
    if (id) snprintf(id, 19, "h:%s", hex);
    return id;
}

/* ---- repeated ids ------------------------------------------------------------ */

/* Open-addressing counts of base ids, so that N forms cost O(N). */
typedef struct idset {
    char **keys;
    int *counts;
    size_t cap;
} idset;

static uint64_t str_hash(const char *p) {
    uint64_t h = FNV_OFFSET;
    for (; *p; p++) { h ^= (unsigned char)*p; h *= FNV_PRIME; }
    return h;
}

/* Returns how many times ID was seen before plus one (0: out of memory).
 * ID is borrowed: it must outlive the set. */
static int idset_bump(idset *s, char *id) {
    size_t i = (size_t)str_hash(id) & (s->cap - 1);
    while (s->keys[i]) {
        if (strcmp(s->keys[i], id) == 0) return ++s->counts[i];
        i = (i + 1) & (s->cap - 1);
    }
    s->keys[i] = id;
    s->counts[i] = 1;
    return 1;
}

/* ---- the program --------------------------------------------------------------- */

void gp_program_free(gp_program *p) {
    if (!p) return;
    for (size_t i = 0; i < p->count; i++) {
        free(p->forms[i].id);
        free(p->forms[i].text);
    }
    free(p->forms);
    p->forms = NULL;
    p->count = 0;
}

static bool prog_add(gp_program *p, size_t *cap, const char *src, const token *first, size_t end,
                     bool live) {
    if (p->count == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        gp_form *nf = realloc(p->forms, nc * sizeof *nf);
        if (!nf) return false;
        p->forms = nf;
        *cap = nc;
    }
    gp_form *f = &p->forms[p->count];
    memset(f, 0, sizeof *f);
    size_t n = end - first->start;
    f->text = malloc(n + 1);
    if (!f->text) return false;
    memcpy(f->text, src + first->start, n);
    f->text[n] = 0;
    f->live = live;
    f->line = first->line;
    f->col = first->col;
    f->start = first->start;
    f->end = end;
    canon c;
    canon_run(&c, f->text, n);
    snprintf(f->hash, sizeof f->hash, "%016llx", (unsigned long long)c.h);
    f->id = form_id(&c, f->hash);
    if (!f->id) { free(f->text); return false; }
    p->count++;
    return true;
}

/* Renames the second and later uses of an id to ID~2, ID~3... */
static bool prog_dedup(gp_program *p) {
    size_t cap = 16;
    while (cap < p->count * 2) cap *= 2;
    idset s = {calloc(cap, sizeof(char *)), calloc(cap, sizeof(int)), cap};
    bool ok = s.keys && s.counts;
    char **renamed = ok ? calloc(p->count ? p->count : 1, sizeof(char *)) : NULL;
    ok = ok && renamed;
    for (size_t i = 0; ok && i < p->count; i++) {
        int k = idset_bump(&s, p->forms[i].id);
        if (k > 1) {
            size_t n = strlen(p->forms[i].id) + 16;
            renamed[i] = malloc(n);
            if (!renamed[i]) { ok = false; break; }
            snprintf(renamed[i], n, "%s~%d", p->forms[i].id, k);
        }
    }
    /* the set borrows the old ids: swap only once it is done */
    for (size_t i = 0; renamed && i < p->count; i++) {
        if (!renamed[i]) continue;
        if (ok) { free(p->forms[i].id); p->forms[i].id = renamed[i]; }
        else free(renamed[i]);
    }
    free(renamed);
    free(s.keys);
    free(s.counts);
    return ok;
}

bool gp_split(const char *src, size_t len, gp_program *p, char *err, size_t errlen) {
    p->forms = NULL;
    p->count = 0;
    if (err && errlen) err[0] = 0;
    size_t cap = 0;
    lexer l = {src, len, 0, 1, 1};
    /* a UTF-8 byte order mark is not part of the text (as in the reader) */
    if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0) l.i = 3;
    bstack bs = {NULL, 0, 0};
    ferr e = {0, 0, ""};
    bool live = false, ok = true;
    for (;;) {
        lexer save = l;
        token t = lx_next(&l);
        if (t.k == T_EOF) break;
        if (t.k == T_ATOM && tok_is(src, &t, "!")) { live = true; continue; }
        if (t.k == T_CLOSE) {
            char m[40];
            snprintf(m, sizeof m, "Unmatched delimiter: %c", src[t.start]);
            set_err(&e, t.line, t.col, m);
            ok = false;
            break;
        }
        if (t.k == T_DISCARD) {
            /* a top-level #_ drops the next form: it is not part of the
             * program (commenting a form out removes it) */
            token first;
            fres r = scan_form(&l, &first, &e, &bs);
            if (r == F_ERR) { ok = false; break; }
            continue; /* F_EOF: nothing to drop; F_STOP: reported next turn */
        }
        l = save;
        token first;
        fres r = scan_form(&l, &first, &e, &bs);
        if (r == F_ERR) { ok = false; break; }
        if (r != F_OK) continue; /* cannot happen: t was neither EOF nor CLOSE */
        if (!prog_add(p, &cap, src, &first, l.i, live)) {
            set_err(&e, t.line, t.col, "out of memory");
            ok = false;
            break;
        }
        live = false;
    }
    free(bs.a);
    if (ok && !prog_dedup(p)) {
        set_err(&e, 1, 1, "out of memory");
        ok = false;
    }
    if (!ok) {
        if (err && errlen) snprintf(err, errlen, "%d:%d: %s", e.line, e.col, e.msg);
        gp_program_free(p);
        return false;
    }
    return true;
}

/* Owner of the result: the caller (free). */
char *gp_form_id(const char *text, size_t len, char hash[17]) {
    canon c;
    char hex[17];
    canon_run(&c, text, len);
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)c.h);
    if (hash) memcpy(hash, hex, sizeof hex);
    return form_id(&c, hex);
}

cJSON *gp_form_json(const gp_form *f, int order) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    bool ok = cJSON_AddStringToObject(o, "id", f->id) &&
              cJSON_AddStringToObject(o, "text", f->text) &&
              cJSON_AddBoolToObject(o, "live", f->live) &&
              cJSON_AddNumberToObject(o, "line", f->line) &&
              cJSON_AddNumberToObject(o, "col", f->col) &&
              cJSON_AddStringToObject(o, "hash", f->hash) &&
              cJSON_AddNumberToObject(o, "order", order);
    if (!ok) { cJSON_Delete(o); return NULL; }
    return o;
}
