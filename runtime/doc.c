/* doc.c — one editor buffer as a grove program (doc.h).
 *
 * Design: the text copy is one contiguous UTF-8 array (a memmove per edit
 * is ~10 µs for a 5,000-line buffer, far below the reparse) with a line
 * index beside it: LB[i] / LC[i] are the byte / character offset where
 * line i starts.  An edit maps Emacs's character positions to bytes
 * through it, rewrites the index entries of the lines it touched and
 * shifts the rest, and gives tree-sitter the byte offsets and row/column
 * points it needs for ts_tree_edit; the reparse then reuses the old tree.
 *
 * After every parse the top-level children of the root are rescanned
 * (a cursor walk, cheap next to the reparse) into forms.  A form's text,
 * id and hash are carried over from the previous scan when the form's
 * byte range maps exactly onto an old form's range and the edit did not
 * touch it (then its bytes are the same); only new or edited forms are
 * copied and hashed (gp_form_id, program.c).
 *
 * Broken forms: a top-level node with an error, an ERROR node, or an
 * unmatched opening bracket (tree-sitter's ERROR root: everything after
 * it is broken) makes a broken zone.  Every form of the previous scan
 * whose (edit-mapped) range overlaps the zone is kept as it was — its
 * last good version stays in the program — and its range joins the zone;
 * top-level nodes that tree-sitter finds inside the zone are debris of
 * the broken form and are not taken as forms.
 *
 * Sent state: the records of the last push, by id.  A push is made when
 * an id appears or disappears or a hash or live flag changes; it carries
 * every record that differs from the sent one in any field, so text-only
 * changes (an annotation rewritten, whitespace) ride along with the next
 * real change and never cause a push of their own.  gd_doc_locate maps a
 * node's offset (into the sent text) onto the current text token by token
 * when the two differ.
 */
#include "doc.h"

#include "program.h"
#include "wire.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_clojure_orchard(void);

/* Texts past this size are refused (tree-sitter counts in uint32_t). */
#define GD_MAX_TEXT ((size_t)1 << 30)

typedef struct dform {
    char *base;         /* the id without ~N, owned */
    char *id;           /* "base~N" for a repeat, owned; NULL: same as base */
    char *text;         /* owned, NUL-terminated */
    size_t tlen;
    char hash[17];
    bool live;
    bool kept;          /* broken now: the record is its last good version */
    bool touched;       /* overlapped the last edit (scan-time only) */
    int line, col;
    size_t start, end;  /* byte range in the current text (kept: mapped) */
    /* gd_doc_locate's cache: leaf starts of TEXT and of the sent text */
    uint32_t *map_cur, *map_sent;
    size_t ncur, nsent;
    unsigned map_serial; /* the sent record MAP_SENT was made from */
} dform;

typedef struct srec {   /* one record as last sent */
    char *id, *text;    /* owned */
    size_t tlen;
    char hash[17];
    bool live;
    int line, col;
    size_t order;
    unsigned serial;    /* changes whenever the record is replaced */
    unsigned mark;
} srec;

typedef enum { IT_FORM, IT_BANG, IT_BROKEN } ikind;
typedef struct item {
    ikind k;
    size_t start, end;
} item;

typedef struct zone {
    size_t start, end;
} zone;

struct gd_doc {
    char *space, *file;
    char *buf;          /* the text, NUL-terminated */
    size_t len, cap, nchars;
    size_t *lb, *lc;    /* line index */
    size_t nlines, caplines;
    TSParser *parser;
    TSTree *tree;
    dform *forms;       /* the current program, in order */
    size_t nforms;
    srec *sent;
    size_t nsent;
    uint32_t *sidx;     /* open addressing over SENT: index + 1, 0 empty */
    size_t scap;
    unsigned serial, gen;
    /* scratch, reused between scans */
    item *items;
    size_t nitems, capitems;
    zone *zones;
    size_t nzones, capzones;
};

/* ---- small helpers ------------------------------------------------------- */

static char *xstrndup(const char *s, size_t n) {
    char *p = malloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static bool grow(void **a, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return true;
    size_t nc = *cap ? *cap : 16;
    while (nc < need) nc *= 2;
    void *na = realloc(*a, nc * elem);
    if (!na) return false;
    *a = na;
    *cap = nc;
    return true;
}

static size_t count_chars(const char *p, size_t n) {
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)p[i] & 0xC0) != 0x80;
    return c;
}

static uint64_t str_hash(const char *p) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *p; p++) { h ^= (unsigned char)*p; h *= 0x100000001b3ULL; }
    return h;
}

static const char *fid(const dform *f) { return f->id ? f->id : f->base; }

static void dform_free(dform *f) {
    free(f->base);
    free(f->id);
    free(f->text);
    free(f->map_cur);
    free(f->map_sent);
    memset(f, 0, sizeof *f);
}

/* ---- the line index --------------------------------------------------------- */

/* The last line starting at or before byte B. */
static size_t line_of_byte(const gd_doc *d, size_t b) {
    size_t lo = 0, hi = d->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->lb[mid] <= b) lo = mid;
        else hi = mid;
    }
    return lo;
}

static size_t line_of_char(const gd_doc *d, size_t c) {
    size_t lo = 0, hi = d->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->lc[mid] <= c) lo = mid;
        else hi = mid;
    }
    return lo;
}

/* Byte offset of 0-based character C (C <= nchars). */
static size_t byte_of_char(const gd_doc *d, size_t c) {
    size_t l = line_of_char(d, c);
    size_t b = d->lb[l];
    for (size_t k = c - d->lc[l]; k > 0 && b < d->len; k--) {
        b++;
        while (b < d->len && ((unsigned char)d->buf[b] & 0xC0) == 0x80) b++;
    }
    return b;
}

/* 0-based character offset of byte B. */
static size_t char_of_byte(const gd_doc *d, size_t b) {
    size_t l = line_of_byte(d, b);
    return d->lc[l] + count_chars(d->buf + d->lb[l], b - d->lb[l]);
}

static TSPoint point_of(const gd_doc *d, size_t b) {
    size_t l = line_of_byte(d, b);
    return (TSPoint){(uint32_t)l, (uint32_t)(b - d->lb[l])};
}

/* Makes room for NEED line entries in both arrays. */
static bool index_reserve(gd_doc *d, size_t need) {
    if (need <= d->caplines) return true;
    size_t nc = d->caplines ? d->caplines : 16;
    while (nc < need) nc *= 2;
    size_t *a = realloc(d->lb, nc * sizeof *a);
    if (!a) return false;
    d->lb = a;
    size_t *b = realloc(d->lc, nc * sizeof *b);
    if (!b) return false;
    d->lc = b;
    d->caplines = nc;
    return true;
}

static bool index_build(gd_doc *d) {
    size_t lines = 1;
    for (size_t i = 0; i < d->len; i++) lines += d->buf[i] == '\n';
    if (!index_reserve(d, lines)) return false;
    d->lb[0] = d->lc[0] = 0;
    d->nlines = 1;
    size_t chars = 0;
    for (size_t i = 0; i < d->len; i++) {
        unsigned char ch = (unsigned char)d->buf[i];
        chars += (ch & 0xC0) != 0x80;
        if (ch == '\n') {
            d->lb[d->nlines] = i + 1;
            d->lc[d->nlines] = chars;
            d->nlines++;
        }
    }
    d->nchars = chars;
    return true;
}

/* ---- creation ---------------------------------------------------------------- */

/* Owner of the result: the caller (gd_doc_destroy). */
gd_doc *gd_doc_new(const char *space, const char *file) {
    gd_doc *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->space = xstrndup(space ? space : "user", strlen(space ? space : "user"));
    d->file = xstrndup(file ? file : "", strlen(file ? file : ""));
    d->buf = malloc(1);
    d->parser = ts_parser_new();
    if (!d->space || !d->file || !d->buf || !d->parser ||
        !ts_parser_set_language(d->parser, tree_sitter_clojure_orchard())) {
        gd_doc_destroy(&d);
        return NULL;
    }
    d->buf[0] = 0;
    d->cap = 1;
    if (!index_build(d)) {
        gd_doc_destroy(&d);
        return NULL;
    }
    return d;
}

static void sent_clear(gd_doc *d) {
    for (size_t i = 0; i < d->nsent; i++) {
        free(d->sent[i].id);
        free(d->sent[i].text);
    }
    free(d->sent);
    free(d->sidx);
    d->sent = NULL;
    d->sidx = NULL;
    d->nsent = d->scap = 0;
}

static void forms_clear(gd_doc *d) {
    for (size_t i = 0; i < d->nforms; i++) dform_free(&d->forms[i]);
    free(d->forms);
    d->forms = NULL;
    d->nforms = 0;
}

void gd_doc_destroy(gd_doc **dp) {
    if (!dp || !*dp) return;
    gd_doc *d = *dp;
    forms_clear(d);
    sent_clear(d);
    if (d->tree) ts_tree_delete(d->tree);
    if (d->parser) ts_parser_delete(d->parser);
    free(d->space);
    free(d->file);
    free(d->buf);
    free(d->lb);
    free(d->lc);
    free(d->items);
    free(d->zones);
    free(d);
    *dp = NULL;
}

/* ---- the sent records ----------------------------------------------------------- */

static srec *sent_find(const gd_doc *d, const char *id) {
    if (!d->scap) return NULL;
    size_t i = (size_t)str_hash(id) & (d->scap - 1);
    while (d->sidx[i]) {
        srec *s = &d->sent[d->sidx[i] - 1];
        if (strcmp(s->id, id) == 0) return s;
        i = (i + 1) & (d->scap - 1);
    }
    return NULL;
}

static bool sent_index(gd_doc *d) {
    size_t cap = 16;
    while (cap < d->nsent * 2) cap *= 2;
    uint32_t *ix = calloc(cap, sizeof *ix);
    if (!ix) return false;
    for (size_t k = 0; k < d->nsent; k++) {
        size_t i = (size_t)str_hash(d->sent[k].id) & (cap - 1);
        while (ix[i]) i = (i + 1) & (cap - 1);
        ix[i] = (uint32_t)(k + 1);
    }
    free(d->sidx);
    d->sidx = ix;
    d->scap = cap;
    return true;
}

/* ---- scanning -------------------------------------------------------------------- */

static bool add_item(gd_doc *d, ikind k, size_t s, size_t e) {
    if (!grow((void **)&d->items, &d->capitems, d->nitems + 1, sizeof(item))) return false;
    d->items[d->nitems++] = (item){k, s, e};
    return true;
}

/* The top-level children of the tree as items. */
static bool collect_items(gd_doc *d) {
    d->nitems = 0;
    TSNode root = ts_tree_root_node(d->tree);
    TSTreeCursor c = ts_tree_cursor_new(root);
    bool ok = true;
    if (ts_tree_cursor_goto_first_child(&c)) {
        do {
            TSNode ch = ts_tree_cursor_current_node(&c);
            size_t s = ts_node_start_byte(ch), e = ts_node_end_byte(ch);
            if (ts_node_is_missing(ch)) {
                ok = add_item(d, IT_BROKEN, s, e);
            } else if (!ts_node_is_named(ch)) {
                /* only in an ERROR root: an unmatched closer is a local
                 * error; an opener or prefix swallows the rest */
                char last = e > s ? d->buf[e - 1] : 0;
                if (last == ')' || last == ']' || last == '}') {
                    ok = add_item(d, IT_BROKEN, s, e);
                } else {
                    ok = add_item(d, IT_BROKEN, s, d->len);
                    break;
                }
            } else {
                const char *type = ts_node_type(ch);
                if (ts_node_has_error(ch) || strcmp(type, "ERROR") == 0)
                    ok = add_item(d, IT_BROKEN, s, e);
                else if (strcmp(type, "comment") == 0 || strcmp(type, "dis_expr") == 0)
                    continue;
                else if (strcmp(type, "sym_lit") == 0 && e - s == 1 && d->buf[s] == '!')
                    ok = add_item(d, IT_BANG, s, e);
                else
                    ok = add_item(d, IT_FORM, s, e);
            }
        } while (ok && ts_tree_cursor_goto_next_sibling(&c));
    }
    ts_tree_cursor_delete(&c);
    return ok;
}

static bool overlaps(size_t s, size_t e, const zone *z) {
    if (z->start == z->end) return s < z->start && z->start < e;
    return s < z->end && z->start < e;
}

static bool in_zones(const gd_doc *d, size_t s, size_t e) {
    for (size_t i = 0; i < d->nzones; i++)
        if (overlaps(s, e, &d->zones[i])) return true;
    return false;
}

static bool add_zone(gd_doc *d, size_t s, size_t e) {
    for (size_t i = 0; i < d->nzones; i++) /* already covered */
        if (d->zones[i].start <= s && e <= d->zones[i].end && d->zones[i].start < d->zones[i].end)
            return true;
    if (!grow((void **)&d->zones, &d->capzones, d->nzones + 1, sizeof(zone))) return false;
    d->zones[d->nzones++] = (zone){s, e};
    return true;
}

/* Fills the new form NF for the top-level node at [S, E): text, id and
 * hash. */
static bool form_make(gd_doc *d, dform *nf, size_t s, size_t e) {
    memset(nf, 0, sizeof *nf);
    nf->start = s;
    nf->end = e;
    nf->tlen = e - s;
    nf->text = xstrndup(d->buf + s, e - s);
    if (!nf->text) return false;
    nf->base = gp_form_id(nf->text, nf->tlen, nf->hash);
    return nf->base != NULL;
}

/* Gives repeated base ids their ~2, ~3... in program order. */
static bool dedup(gd_doc *d) {
    size_t cap = 16;
    while (cap < d->nforms * 2) cap *= 2;
    const char **keys = calloc(cap, sizeof *keys);
    int *counts = calloc(cap, sizeof *counts);
    bool ok = keys && counts;
    for (size_t k = 0; ok && k < d->nforms; k++) {
        dform *f = &d->forms[k];
        size_t i = (size_t)str_hash(f->base) & (cap - 1);
        int n = 0;
        while (keys[i]) {
            if (strcmp(keys[i], f->base) == 0) { n = ++counts[i]; break; }
            i = (i + 1) & (cap - 1);
        }
        if (!keys[i]) { keys[i] = f->base; counts[i] = n = 1; }
        if (f->kept) continue; /* a kept record keeps its id */
        free(f->id);
        f->id = NULL;
        if (n > 1) {
            size_t len = strlen(f->base) + 16;
            f->id = malloc(len);
            if (!f->id) { ok = false; break; }
            snprintf(f->id, len, "%s~%d", f->base, n);
        }
    }
    free(keys);
    free(counts);
    return ok;
}

/* Rebuilds the program from the tree.  The previous forms (their ranges
 * already mapped through the edit) are reused, kept or freed.  False when
 * memory runs out (the program is then empty). */
static bool scan(gd_doc *d) {
    if (!collect_items(d)) return false;
    dform *prev = d->forms;
    size_t nprev = d->nforms;
    d->forms = NULL;
    d->nforms = 0;

    /* the broken zone and the forms it keeps */
    d->nzones = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < d->nitems; i++)
        if (d->items[i].k == IT_BROKEN) ok = add_zone(d, d->items[i].start, d->items[i].end);
    for (size_t i = 0; i < nprev; i++) prev[i].kept = false;
    for (bool changed = d->nzones > 0; ok && changed;) {
        changed = false;
        for (size_t i = 0; ok && i < nprev; i++) {
            dform *p = &prev[i];
            if (p->kept || !in_zones(d, p->start, p->end)) continue;
            p->kept = changed = true;
            ok = add_zone(d, p->start, p->end);
        }
    }

    size_t cap = d->nitems + nprev + 1;
    dform *nf = ok ? calloc(cap, sizeof *nf) : NULL;
    ok = nf != NULL;
    size_t n = 0, pi = 0, ki = 0;
    bool live = false;
    for (size_t i = 0; ok && i <= d->nitems; i++) {
        const item *it = i < d->nitems ? &d->items[i] : NULL;
        /* kept forms that come before this item */
        size_t before = it ? it->start : SIZE_MAX;
        for (; ki < nprev && (prev[ki].start < before || !it); ki++) {
            if (!prev[ki].kept) continue;
            nf[n] = prev[ki];
            memset(&prev[ki], 0, sizeof prev[ki]);
            nf[n++].kept = true;
        }
        if (!it) break;
        if (it->k == IT_BANG) { live = true; continue; }
        bool was_live = live;
        live = false;
        if (it->k == IT_BROKEN || in_zones(d, it->start, it->end)) continue;
        /* reuse an old form with the same bytes */
        while (pi < nprev && prev[pi].start < it->start) pi++;
        dform *p = NULL;
        for (size_t j = pi; j < nprev && prev[j].start == it->start; j++) {
            dform *q = &prev[j];
            if (!q->text || q->end != it->end || q->tlen != it->end - it->start) continue;
            if ((!q->touched && !q->kept) || memcmp(q->text, d->buf + it->start, q->tlen) == 0) {
                p = q;
                break;
            }
        }
        dform *f = &nf[n];
        if (p) {
            *f = *p;
            memset(p, 0, sizeof *p);
            f->start = it->start;
            f->end = it->end;
        } else if (!form_make(d, f, it->start, it->end)) {
            dform_free(f);
            ok = false;
            break;
        }
        f->kept = false;
        f->live = was_live;
        size_t l = line_of_byte(d, f->start);
        f->line = (int)l + 1;
        f->col = (int)count_chars(d->buf + d->lb[l], f->start - d->lb[l]) + 1;
        n++;
    }
    for (size_t i = 0; i < nprev; i++) dform_free(&prev[i]);
    free(prev);
    if (!ok) {
        for (size_t i = 0; nf && i < n; i++) dform_free(&nf[i]);
        free(nf);
        return false;
    }
    for (size_t i = 0; i < n; i++) nf[i].touched = false;
    d->forms = nf;
    d->nforms = n;
#ifdef GD_DEBUG
    for (size_t i = 0; i < n; i++) {
        if (nf[i].kept) continue;
        if (nf[i].end - nf[i].start != nf[i].tlen || memcmp(nf[i].text, d->buf + nf[i].start, nf[i].tlen)) {
            fprintf(stderr, "STALE form %zu [%zu,%zu) text '%s' buf '%.*s'\n", i, nf[i].start, nf[i].end, nf[i].text,
                    (int)(nf[i].end - nf[i].start), d->buf + nf[i].start);
            abort();
        }
    }
#endif
    return dedup(d);
}

/* ---- the push ------------------------------------------------------------------- */

static cJSON *record_json(const dform *f, size_t order) {
    gp_form g;
    memset(&g, 0, sizeof g);
    g.id = (char *)fid(f);
    g.text = f->text;
    g.live = f->live;
    g.line = f->line;
    g.col = f->col;
    memcpy(g.hash, f->hash, sizeof g.hash);
    return gp_form_json(&g, (int)order);
}

static bool rec_differs(const dform *f, size_t order, const srec *s) {
    return s->tlen != f->tlen || memcmp(s->text, f->text, f->tlen) != 0 || s->line != f->line ||
           s->col != f->col || s->order != order || s->live != f->live ||
           strcmp(s->hash, f->hash) != 0;
}

/* Compares the program with the sent records.  Returns the push to send
 * (everything when REPLACE) and records it as sent, or NULL when nothing
 * deployable changed (or memory ran out: *OOM is set then). */
static cJSON *make_push(gd_doc *d, bool replace, bool *oom) {
    *oom = false;
    unsigned gen = ++d->gen;
    size_t n = d->nforms;
    srec **match = calloc(n ? n : 1, sizeof *match);
    bool *diff = calloc(n ? n : 1, sizeof *diff);
    if (!match || !diff) {
        free(match);
        free(diff);
        *oom = true;
        return NULL;
    }
    bool trigger = replace;
    for (size_t i = 0; i < n; i++) {
        const dform *f = &d->forms[i];
        srec *s = sent_find(d, fid(f));
        if (!s || s->mark == gen) { /* new (or a second form with that id) */
            trigger = true;
            diff[i] = true;
            continue;
        }
        s->mark = gen;
        match[i] = s;
        if (s->live != f->live || strcmp(s->hash, f->hash) != 0) trigger = true;
        diff[i] = rec_differs(f, i, s);
    }
    size_t nremoved = 0;
    for (size_t k = 0; k < d->nsent; k++)
        if (d->sent[k].mark != gen) nremoved++;
    if (nremoved) trigger = true;
    if (!trigger) {
        free(match);
        free(diff);
        return NULL;
    }

    cJSON *push = gw_msg("push");
    cJSON *forms = cJSON_CreateArray();
    bool ok = push && forms && cJSON_AddStringToObject(push, "space", d->space);
    if (ok && d->file[0]) ok = cJSON_AddStringToObject(push, "file", d->file) != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        if (!replace && !diff[i]) continue;
        cJSON *r = record_json(&d->forms[i], i);
        ok = r && cJSON_AddItemToArray(forms, r);
    }
    if (ok) {
        cJSON_AddItemToObject(push, "forms", forms);
        forms = NULL;
    }
    if (ok && !replace && nremoved) {
        cJSON *rm = cJSON_AddArrayToObject(push, "remove");
        ok = rm != NULL;
        for (size_t k = 0; ok && k < d->nsent; k++) {
            if (d->sent[k].mark == gen) continue;
            cJSON *s = cJSON_CreateString(d->sent[k].id);
            ok = s && cJSON_AddItemToArray(rm, s);
        }
    }
    if (ok) ok = cJSON_AddBoolToObject(push, "replace", replace) != NULL;

    /* the new sent records: unchanged ones move, the others are renewed */
    srec *ns = ok ? calloc(n ? n : 1, sizeof *ns) : NULL;
    ok = ok && ns;
    for (size_t i = 0; ok && i < n; i++) {
        const dform *f = &d->forms[i];
        if (match[i] && !diff[i]) {
            ns[i] = *match[i];
            match[i]->id = match[i]->text = NULL;
            continue;
        }
        srec *r = &ns[i];
        r->id = xstrndup(fid(f), strlen(fid(f)));
        r->text = xstrndup(f->text, f->tlen);
        if (!r->id || !r->text) { ok = false; break; }
        r->tlen = f->tlen;
        memcpy(r->hash, f->hash, sizeof r->hash);
        r->live = f->live;
        r->line = f->line;
        r->col = f->col;
        r->order = i;
        r->serial = ++d->serial;
    }
    free(match);
    free(diff);
    cJSON_Delete(forms);
    if (!ok) {
        for (size_t i = 0; ns && i < n; i++) { free(ns[i].id); free(ns[i].text); }
        free(ns);
        cJSON_Delete(push);
        *oom = true;
        return NULL;
    }
    sent_clear(d);
    d->sent = ns;
    d->nsent = n;
    if (!sent_index(d)) {
        sent_clear(d); /* everything counts as new at the next push */
    }
    return push;
}

/* ---- parsing ---------------------------------------------------------------------- */

static bool reparse(gd_doc *d) {
    TSTree *t = ts_parser_parse_string(d->parser, d->tree, d->buf, (uint32_t)d->len);
    if (!t) return false;
    if (d->tree) ts_tree_delete(d->tree);
    d->tree = t;
    return true;
}

/* Owner of the result: the caller. */
cJSON *gd_doc_reset(gd_doc *d, const char *text, size_t len) {
    if (len >= GD_MAX_TEXT) return NULL;
    char *nb = malloc(len + 1);
    if (!nb) return NULL;
    memcpy(nb, text, len);
    nb[len] = 0;
    free(d->buf);
    d->buf = nb;
    d->len = len;
    d->cap = len + 1;
    forms_clear(d);
    sent_clear(d);
    if (d->tree) { ts_tree_delete(d->tree); d->tree = NULL; }
    if (!index_build(d) || !reparse(d) || !scan(d)) return NULL;
    bool oom;
    return make_push(d, true, &oom);
}

/* Maps the previous program's ranges through the edit of bytes [B0, B1)
 * into N bytes, marking the forms it touched. */
static void map_forms(gd_doc *d, size_t b0, size_t b1, size_t n) {
    for (size_t i = 0; i < d->nforms; i++) {
        dform *f = &d->forms[i];
        if (f->end <= b0) continue;
        if (f->start >= b1) {
            f->start = f->start - b1 + b0 + n;
            f->end = f->end - b1 + b0 + n;
            continue;
        }
        f->touched = true;
        if (f->start > b0) f->start = b0;
        f->end = f->end > b1 ? f->end - b1 + b0 + n : b0 + n;
    }
}

bool gd_doc_edit(gd_doc *d, long beg, long end, long old_len, const char *text, size_t len,
                 cJSON **push, char *err, size_t errlen) {
    *push = NULL;
    if (err && errlen) err[0] = 0;
    size_t nnew = count_chars(text, len);
    if (beg < 1 || old_len < 0 || (size_t)(beg - 1) > d->nchars ||
        (size_t)old_len > d->nchars - (size_t)(beg - 1)) {
        snprintf(err, errlen,
                 "the edit at %ld replacing %ld characters does not fit the text of %zu characters",
                 beg, old_len, d->nchars);
        return false;
    }
    if (end < beg || (size_t)(end - beg) != nnew) {
        snprintf(err, errlen, "the inserted text has %zu characters, not END - BEG = %ld", nnew,
                 end - beg);
        return false;
    }
    if (d->len + len >= GD_MAX_TEXT) {
        snprintf(err, errlen, "the text is too long");
        return false;
    }
    size_t c0 = (size_t)(beg - 1);
    size_t b0 = byte_of_char(d, c0), b1 = byte_of_char(d, c0 + (size_t)old_len);
    size_t newlen = d->len - (b1 - b0) + len;

    /* the index entries that change: lines starting in (b0, b1] go, the
     * inserted text's newlines come */
    size_t l0 = line_of_byte(d, b0), l1 = line_of_byte(d, b1);
    size_t nl = 0;
    for (size_t i = 0; i < len; i++) nl += text[i] == '\n';
    size_t nlines = d->nlines - (l1 - l0) + nl;
    if (!grow((void **)&d->buf, &d->cap, newlen + 1, 1) || !index_reserve(d, nlines)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    TSInputEdit e;
    e.start_byte = (uint32_t)b0;
    e.old_end_byte = (uint32_t)b1;
    e.new_end_byte = (uint32_t)(b0 + len);
    e.start_point = (TSPoint){(uint32_t)l0, (uint32_t)(b0 - d->lb[l0])};
    e.old_end_point = (TSPoint){(uint32_t)l1, (uint32_t)(b1 - d->lb[l1])};
    size_t cb0 = d->lc[l0] + count_chars(d->buf + d->lb[l0], b0 - d->lb[l0]);

    /* the text */
    memmove(d->buf + b0 + len, d->buf + b1, d->len - b1 + 1);
    memcpy(d->buf + b0, text, len);
    d->len = newlen;
    long dc = (long)nnew - old_len;
    d->nchars = (size_t)((long)d->nchars + dc);

    /* the index: shift the tail, then write the new line starts */
    long db = (long)len - (long)(b1 - b0);
    size_t tail = d->nlines - (l1 + 1);
    memmove(d->lb + l0 + 1 + nl, d->lb + l1 + 1, tail * sizeof(size_t));
    memmove(d->lc + l0 + 1 + nl, d->lc + l1 + 1, tail * sizeof(size_t));
    for (size_t i = l0 + 1 + nl; i < nlines; i++) {
        d->lb[i] = (size_t)((long)d->lb[i] + db);
        d->lc[i] = (size_t)((long)d->lc[i] + dc);
    }
    size_t k = l0 + 1, chars = cb0;
    for (size_t i = 0; i < len; i++) {
        chars += ((unsigned char)text[i] & 0xC0) != 0x80;
        if (text[i] == '\n') {
            d->lb[k] = b0 + i + 1;
            d->lc[k] = chars;
            k++;
        }
    }
    d->nlines = nlines;
    e.new_end_point = point_of(d, b0 + len);

    if (d->tree) ts_tree_edit(d->tree, &e);
    map_forms(d, b0, b1, len);
    if (!reparse(d) || !scan(d)) {
        snprintf(err, errlen, "out of memory while parsing");
        return false;
    }
    bool oom;
    *push = make_push(d, false, &oom);
    if (oom) {
        snprintf(err, errlen, "out of memory while making the push");
        return false;
    }
    return true;
}

/* Owner of the result: the caller. */
cJSON *gd_doc_push_all(gd_doc *d) {
    bool oom;
    return make_push(d, true, &oom);
}

/* ---- locating a `?` form ----------------------------------------------------------- */

/* Start offsets of the leaves of TEXT's parse, skipping comments and `#_`
 * forms, in order.  Owner: the caller (free); NULL when it cannot. */
static uint32_t *leaf_starts(gd_doc *d, const char *text, size_t len, size_t *n) {
    *n = 0;
    TSTree *t = ts_parser_parse_string(d->parser, NULL, text, (uint32_t)len);
    if (!t) return NULL;
    size_t cap = 64;
    uint32_t *a = malloc(cap * sizeof *a);
    TSTreeCursor c = ts_tree_cursor_new(ts_tree_root_node(t));
    bool ok = a != NULL;
    while (ok) {
        TSNode nd = ts_tree_cursor_current_node(&c);
        const char *type = ts_node_type(nd);
        if (strcmp(type, "comment") != 0 && strcmp(type, "dis_expr") != 0) {
            if (ts_tree_cursor_goto_first_child(&c)) continue;
            if (ts_node_end_byte(nd) > ts_node_start_byte(nd)) { /* a leaf */
                if (*n == cap) {
                    uint32_t *na = realloc(a, cap * 2 * sizeof *na);
                    if (!na) { ok = false; break; }
                    a = na;
                    cap *= 2;
                }
                a[(*n)++] = ts_node_start_byte(nd);
            }
        }
        /* on to the next node in document order */
        while (!ts_tree_cursor_goto_next_sibling(&c))
            if (!ts_tree_cursor_goto_parent(&c)) goto done;
    }
done:
    ts_tree_cursor_delete(&c);
    ts_tree_delete(t);
    if (!ok) { free(a); *n = 0; return NULL; }
    return a;
}

/* Carries OFFSET in the sent text S over to F's text.  False when it
 * does not land on a token start or the token streams differ. */
static bool map_offset(gd_doc *d, dform *f, const srec *s, size_t *offset) {
    if (!f->map_cur) {
        f->map_cur = leaf_starts(d, f->text, f->tlen, &f->ncur);
        if (!f->map_cur) return false;
    }
    if (!f->map_sent || f->map_serial != s->serial) {
        free(f->map_sent);
        f->map_sent = leaf_starts(d, s->text, s->tlen, &f->nsent);
        f->map_serial = s->serial;
        if (!f->map_sent) return false;
    }
    if (f->nsent != f->ncur) return false;
    size_t lo = 0, hi = f->nsent;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->map_sent[mid] < *offset) lo = mid + 1;
        else hi = mid;
    }
    if (lo == f->nsent || f->map_sent[lo] != *offset) return false;
    *offset = f->map_cur[lo];
    return true;
}

bool gd_doc_locate(gd_doc *d, const char *id, size_t offset, long out[4]) {
    dform *f = NULL;
    for (size_t i = 0; i < d->nforms && !f; i++)
        if (strcmp(fid(&d->forms[i]), id) == 0) f = &d->forms[i];
    if (!f || f->kept || !d->tree) return false;
    const srec *s = sent_find(d, id);
    if (s && (s->tlen != f->tlen || memcmp(s->text, f->text, f->tlen) != 0) &&
        !map_offset(d, f, s, &offset))
        return false;
    if (offset >= f->tlen) return false;
    size_t pos = f->start + offset;
    TSNode n = ts_node_descendant_for_byte_range(ts_tree_root_node(d->tree), (uint32_t)pos,
                                                 (uint32_t)pos);
    TSNode list = {0};
    bool found = false;
    while (!ts_node_is_null(n) && ts_node_start_byte(n) == pos) {
        if (strcmp(ts_node_type(n), "list_lit") == 0) {
            list = n;
            found = true;
            break;
        }
        n = ts_node_parent(n);
    }
    if (!found || ts_node_end_byte(list) > f->end) return false;
    out[0] = (long)char_of_byte(d, ts_node_start_byte(list)) + 1;
    out[1] = (long)char_of_byte(d, ts_node_end_byte(list)) + 1;
    out[2] = out[3] = 0;
    /* the last element, if it is a #_ form */
    TSTreeCursor c = ts_tree_cursor_new(list);
    TSNode last = {0};
    bool any = false;
    if (ts_tree_cursor_goto_first_child(&c)) {
        do {
            TSNode ch = ts_tree_cursor_current_node(&c);
            if (ts_node_is_named(ch) && strcmp(ts_node_type(ch), "comment") != 0) {
                last = ch;
                any = true;
            }
        } while (ts_tree_cursor_goto_next_sibling(&c));
    }
    ts_tree_cursor_delete(&c);
    if (any && strcmp(ts_node_type(last), "dis_expr") == 0) {
        out[2] = (long)char_of_byte(d, ts_node_start_byte(last)) + 1;
        out[3] = (long)char_of_byte(d, ts_node_end_byte(last)) + 1;
    }
    return true;
}

/* ---- inspection -------------------------------------------------------------------- */

size_t gd_doc_count(const gd_doc *d) { return d->nforms; }

bool gd_doc_form(const gd_doc *d, size_t i, gd_form_info *out) {
    if (i >= d->nforms) return false;
    const dform *f = &d->forms[i];
    out->id = fid(f);
    out->live = f->live;
    out->kept = f->kept;
    size_t s = f->start <= d->len ? f->start : d->len, e = f->end <= d->len ? f->end : d->len;
    out->start = (long)char_of_byte(d, s) + 1;
    out->end = (long)char_of_byte(d, e) + 1;
    out->line = f->line;
    out->col = f->col;
    return true;
}

const char *gd_doc_text(const gd_doc *d, size_t *len) {
    if (len) *len = d->len;
    return d->buf;
}

size_t gd_doc_chars(const gd_doc *d) { return d->nchars; }
