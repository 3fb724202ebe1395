/* doc.c — one editor buffer as a grove program (doc.h).
 *
 * Text and positions: the text copy is one contiguous UTF-8 array (a
 * memmove per edit is ~10 µs for a 5,000-line buffer) with a line index
 * beside it: LB[i] / LC[i] are the byte / character offset where line i
 * starts.  An edit maps Emacs's character positions to bytes through it,
 * rewrites the index entries of the lines it touched and shifts the rest.
 *
 * Chunks: tree-sitter's incremental reparse costs time in proportion to
 * the number of siblings around the edit (a flat 2,000-form buffer took
 * ~3 ms per keystroke), so the text is cut into chunks of about 48
 * top-level forms, each parsed alone and edited with ts_tree_edit +
 * incremental reparse; a keystroke reparses one chunk.  A boundary always
 * sits at the start of a top-level node after a separator byte (white
 * space or a closing bracket), so a chunk parses as it would inside the
 * whole text.  Edits that span chunks, or leave no separator at a
 * boundary, merge chunks; a chunk that grows past 128 forms is split.  A
 * chunk ending inside an unclosed bracket or string ("open") breaks the
 * rest of the text, as for the reader, unless a later chunk holds an
 * unmatched closer: then the chunks up to it are merged and parsed as one.
 *
 * Forms: after a parse, the top-level items of all chunks (each chunk's
 * cached unless reparsed) become the program.  A form's text, id and hash
 * are carried over from the previous scan when its byte range maps
 * exactly onto an old form's range and the edit did not touch it nor was
 * it kept (then its bytes are the same; else they are compared); only new
 * or edited forms are copied and hashed
 * (gp_form_id, program.c).  Forms are held by pointer, so carrying one
 * over costs a pointer copy.
 *
 * Broken forms: a top-level node with an error, or an open chunk's
 * remainder, makes a broken zone.  Every form of the previous scan whose
 * (edit-mapped) range overlaps the zone is kept as it was — its last good
 * version stays in the program — and its range joins the zone; top-level
 * nodes that tree-sitter finds inside the zone are debris of the broken
 * form and are not taken as forms.
 *
 * Sent state: the records of the last push, by id (each form caches a
 * pointer to its record).  A push is made when an id appears or
 * disappears or a hash or live flag changes; it carries those records and
 * every record whose line, col or order moved.  A record's text changes
 * only with its hash (make_push): text-only changes (an annotation
 * rewritten, whitespace) are never sent, so the text a node holds is the
 * one it evaluated and its `?` offsets point into it; gd_doc_locate maps
 * such an offset onto the current text token by token when they differ:
 * the sent text's token starts are computed once per record text (from
 * the tree while the buffer still holds that text, else by parsing it),
 * the current form's are read from its chunk's tree, without a parse.
 */
#include "doc.h"

#include "program.h"
#include "wire.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_clojure_orchard(void);

/* Texts past this size are refused (tree-sitter counts in uint32_t). */
#define GD_MAX_TEXT ((size_t)1 << 30)

typedef struct srec {   /* one record as last sent */
    char *id, *text;    /* owned */
    size_t tlen;
    uint64_t idh;       /* str_hash(id) */
    char hash[17];
    bool live;
    int line, col;
    double order;
    unsigned mark;      /* make_push's generation */
    /* gd_doc_locate's cache: the token starts of TEXT (see leaves), owned;
     * made when first needed, dropped when the text is replaced */
    uint32_t *starts;
    size_t nstarts;
} srec;

typedef struct dform {
    char *base;         /* the id without ~N, owned */
    uint64_t bh;        /* str_hash(base) */
    char *id;           /* "base~N" for a repeat, owned; NULL: same as base */
    uint64_t idh;       /* str_hash of the id */
    char *text;         /* owned, NUL-terminated */
    size_t tlen;
    char hash[17];
    bool live;
    bool kept;          /* broken now: the record is its last good version */
    bool touched;       /* overlapped the last edit, or was kept: its
                           bytes may differ (scan-time only) */
    bool pdiff;         /* make_push: the record is to be sent */
    bool dup;           /* make_push: a second form with a sent id */
    int line, col;
    double order;       /* its place in the program (see assign_orders) */
    bool has_order;
    size_t start, end;  /* byte range in the current text (kept: mapped) */
    srec *sent;         /* the sent record of this id, when known */
    /* gd_doc_locate's cache: the token starts of TEXT (see leaves), owned */
    uint32_t *starts;
    size_t nstarts;
} dform;

typedef enum { IT_FORM, IT_BANG, IT_BROKEN } ikind;
typedef struct item {
    ikind k;
    size_t start, end;
} item;

typedef struct zone {
    size_t start, end;
} zone;

/* A run of top-level forms parsed alone.  Chunks cover the text without
 * gaps (see the top of the file). */
typedef struct chunk {
    size_t start, end;  /* bytes of the document */
    TSTree *tree;       /* the parse of [start, end); NULL: parse afresh */
    item *items;        /* its top-level items, offsets from START */
    size_t nitems, capitems;
    bool open;          /* ends inside an unclosed bracket or string: its
                           last item is broken to the end of the text */
    bool stray;         /* has an unmatched closing bracket at top level */
    bool prefix;        /* open because a prefix (#_ ' ^ @...) lacks its
                           form: the next chunk may hold it */
} chunk;

typedef struct dslot {  /* dedup's table of base ids */
    uint64_t h;
    const char *key;
    int count;
    unsigned gen;
} dslot;

struct gd_doc {
    char *space, *file;
    char *buf;          /* the text, NUL-terminated */
    size_t len, cap, nchars;
    size_t *lb, *lc;    /* line index */
    size_t nlines, caplines;
    TSParser *parser;
    chunk *chunks;      /* in order, at least one after a reset */
    size_t nchunks, capchunks;
    dform **forms;      /* the current program, in order */
    size_t nforms, capforms;
    dform **spare;      /* scan's other array */
    size_t capspare;
    srec **sent;        /* the sent records, in no order */
    size_t nsent, capsent;
    srec **sidx;        /* open addressing over SENT by idh; NULL empty */
    size_t scap;
    unsigned gen, dgen;
    /* scratch, reused between scans */
    item *items;
    size_t nitems, capitems;
    zone *zones;
    size_t nzones, capzones;
    dslot *dtab;
    size_t dcap;
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
    if (!f) return;
    free(f->base);
    free(f->id);
    free(f->text);
    free(f->starts);
    free(f);
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

/* The point of byte B in a chunk starting at byte BASE on line BASE_LINE. */
static TSPoint rel_point(const gd_doc *d, size_t base_line, size_t base, size_t b) {
    size_t l = line_of_byte(d, b);
    return (TSPoint){(uint32_t)(l - base_line), (uint32_t)(l == base_line ? b - base : b - d->lb[l])};
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
    if (!space) space = "user";
    if (!file) file = "";
    d->space = xstrndup(space, strlen(space));
    d->file = xstrndup(file, strlen(file));
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

static void srec_free(srec *s) {
    free(s->id);
    free(s->text);
    free(s->starts);
    free(s);
}

static void sent_clear(gd_doc *d) {
    for (size_t i = 0; i < d->nsent; i++) srec_free(d->sent[i]);
    free(d->sent);
    free(d->sidx);
    d->sent = NULL;
    d->sidx = NULL;
    d->nsent = d->capsent = d->scap = 0;
    for (size_t i = 0; i < d->nforms; i++) d->forms[i]->sent = NULL;
}

static void forms_clear(gd_doc *d) {
    for (size_t i = 0; i < d->nforms; i++) dform_free(d->forms[i]);
    d->nforms = 0;
}

static void chunk_free(chunk *c);

void gd_doc_destroy(gd_doc **dp) {
    if (!dp || !*dp) return;
    gd_doc *d = *dp;
    forms_clear(d);
    sent_clear(d);
    free(d->forms);
    free(d->spare);
    for (size_t i = 0; i < d->nchunks; i++) chunk_free(&d->chunks[i]);
    free(d->chunks);
    if (d->parser) ts_parser_delete(d->parser);
    free(d->space);
    free(d->file);
    free(d->buf);
    free(d->lb);
    free(d->lc);
    free(d->items);
    free(d->zones);
    free(d->dtab);
    free(d);
    *dp = NULL;
}

/* ---- the sent records ----------------------------------------------------------- */

static srec *sent_find(const gd_doc *d, const char *id, uint64_t h) {
    if (!d->scap) return NULL;
    for (size_t i = (size_t)h & (d->scap - 1); d->sidx[i]; i = (i + 1) & (d->scap - 1))
        if (d->sidx[i]->idh == h && strcmp(d->sidx[i]->id, id) == 0) return d->sidx[i];
    return NULL;
}

static bool sent_index(gd_doc *d) {
    size_t cap = 16;
    while (cap < d->nsent * 2) cap *= 2;
    srec **ix = calloc(cap, sizeof *ix);
    if (!ix) return false;
    for (size_t k = 0; k < d->nsent; k++) {
        size_t i = (size_t)d->sent[k]->idh & (cap - 1);
        while (ix[i]) i = (i + 1) & (cap - 1);
        ix[i] = d->sent[k];
    }
    free(d->sidx);
    d->sidx = ix;
    d->scap = cap;
    return true;
}

/* ---- items ------------------------------------------------------------------ */

/* ---- chunks ------------------------------------------------------------------ */

#define GD_CHUNK_TARGET 48  /* top-level items per chunk after a split */
#define GD_CHUNK_MAX 128    /* a clean chunk with more items is split */

static void chunk_free(chunk *c) {
    if (c->tree) ts_tree_delete(c->tree);
    free(c->items);
    memset(c, 0, sizeof *c);
}

static bool chunk_item(chunk *c, ikind k, size_t s, size_t e) {
    if (!grow((void **)&c->items, &c->capitems, c->nitems + 1, sizeof(item))) return false;
    c->items[c->nitems++] = (item){k, s, e};
    return true;
}

/* Whether P[0, N) holds closing brackets and nothing but whitespace. */
static bool closers_only(const char *p, size_t n) {
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch == ')' || ch == ']' || ch == '}') any = true;
        else if (!(ch == ' ' || ch == ',' || (ch >= '\t' && ch <= '\r'))) return false;
    }
    return any;
}

/* Fills C's items (offsets from C->start) and flags from its tree. */
static bool chunk_collect(gd_doc *d, chunk *c) {
    c->nitems = 0;
    c->open = c->stray = false;
    const char *buf = d->buf + c->start;
    size_t clen = c->end - c->start;
    TSTreeCursor cur = ts_tree_cursor_new(ts_tree_root_node(c->tree));
    bool ok = true;
    if (ts_tree_cursor_goto_first_child(&cur)) {
        do {
            TSNode ch = ts_tree_cursor_current_node(&cur);
            size_t s = ts_node_start_byte(ch), e = ts_node_end_byte(ch);
            if (ts_node_is_missing(ch)) {
                ok = chunk_item(c, IT_BROKEN, s, e);
            } else if (!ts_node_is_named(ch)) {
                /* only in an ERROR root: an unmatched closer is a local
                 * error; an opener or prefix swallows the rest */
                if (closers_only(buf + s, e - s)) {
                    c->stray = true;
                    ok = chunk_item(c, IT_BROKEN, s, e);
                } else {
                    c->open = true;
                    ok = chunk_item(c, IT_BROKEN, s, clen);
                    break;
                }
            } else {
                const char *type = ts_node_type(ch);
                if (ts_node_has_error(ch) || strcmp(type, "ERROR") == 0) {
                    if (closers_only(buf + s, e - s)) c->stray = true;
                    ok = chunk_item(c, IT_BROKEN, s, e);
                } else if (strcmp(type, "comment") == 0 || strcmp(type, "dis_expr") == 0) {
                    continue;
                } else if (strcmp(type, "sym_lit") == 0 && e - s == 1 && buf[s] == '!') {
                    ok = chunk_item(c, IT_BANG, s, e);
                } else {
                    ok = chunk_item(c, IT_FORM, s, e);
                }
            }
        } while (ok && ts_tree_cursor_goto_next_sibling(&cur));
    }
    ts_tree_cursor_delete(&cur);
    /* a broken last item (an unclosed bracket or string reaches the end of
     * the chunk) breaks the rest of the text, as for the reader */
    c->prefix = false;
    if (ok && !c->open && c->nitems) {
        item *last = &c->items[c->nitems - 1];
        if (last->k == IT_BROKEN && !closers_only(buf + last->start, last->end - last->start)) {
            TSNode n = ts_node_named_descendant_for_byte_range(ts_tree_root_node(c->tree),
                                                               (uint32_t)last->start,
                                                               (uint32_t)last->start);
            while (!ts_node_is_null(n) && ts_node_start_byte(n) == last->start &&
                   !ts_node_is_null(ts_node_parent(n)) &&
                   ts_node_start_byte(ts_node_parent(n)) == last->start &&
                   !ts_node_is_null(ts_node_parent(ts_node_parent(n))))
                n = ts_node_parent(n);
            c->prefix = !ts_node_is_null(n) && strcmp(ts_node_type(n), "ERROR") != 0;
            c->open = true;
            last->end = clen;
        }
    }
    return ok;
}

/* Parses chunk C (incrementally when its tree was edited) and collects. */
static bool chunk_parse(gd_doc *d, chunk *c) {
    TSTree *t = ts_parser_parse_string(d->parser, c->tree, d->buf + c->start,
                                       (uint32_t)(c->end - c->start));
    if (!t) return false;
    if (c->tree) ts_tree_delete(c->tree);
    c->tree = t;
    return chunk_collect(d, c);
}

/* Inserts N empty chunks at index AT. */
static bool chunks_insert(gd_doc *d, size_t at, size_t n) {
    if (!grow((void **)&d->chunks, &d->capchunks, d->nchunks + n, sizeof(chunk))) return false;
    memmove(d->chunks + at + n, d->chunks + at, (d->nchunks - at) * sizeof(chunk));
    memset(d->chunks + at, 0, n * sizeof(chunk));
    d->nchunks += n;
    return true;
}

static void chunks_remove(gd_doc *d, size_t at, size_t n) {
    if (!n) return;
    for (size_t i = at; i < at + n; i++) chunk_free(&d->chunks[i]);
    memmove(d->chunks + at, d->chunks + at + n, (d->nchunks - at - n) * sizeof(chunk));
    d->nchunks -= n;
}

/* Merges chunks [K, M] into K, to be parsed afresh. */
static void chunks_merge(gd_doc *d, size_t k, size_t m) {
    if (m <= k) return;
    size_t end = d->chunks[m].end;
    chunks_remove(d, k + 1, m - k);
    chunk *c = &d->chunks[k];
    if (c->tree) ts_tree_delete(c->tree);
    c->tree = NULL;
    c->end = end;
}

/* Bytes after which a new token cannot continue the one before: a
 * chunk boundary always follows one. */
static bool is_sep(char ch) {
    return ch == ' ' || ch == ',' || (ch >= '\t' && ch <= '\r') || ch == ')' || ch == ']' ||
           ch == '}';
}

/* Splits the parsed, clean chunk K into chunks of about GD_CHUNK_TARGET
 * items, each parsed alone.  A boundary goes before a form (or a `!`)
 * that does not follow a `!`. */
static bool chunk_split(gd_doc *d, size_t k) {
    chunk *c = &d->chunks[k];
    if (c->open || c->nitems <= GD_CHUNK_MAX) return true;
    size_t cuts[1024], ncuts = 0, since = 0;
    for (size_t i = 1; i < c->nitems && ncuts < sizeof cuts / sizeof *cuts; i++) {
        since++;
        const item *it = &c->items[i], *pv = &c->items[i - 1];
        if (since >= GD_CHUNK_TARGET && it->k != IT_BROKEN && pv->k != IT_BANG &&
            c->nitems - i >= GD_CHUNK_TARGET / 2 && it->start > 0 &&
            is_sep(d->buf[c->start + it->start - 1])) {
            cuts[ncuts++] = c->start + it->start;
            since = 0;
        }
    }
    if (!ncuts) return true;
    size_t end = c->end;
    if (!chunks_insert(d, k + 1, ncuts)) return false;
    c = &d->chunks[k];
    if (c->tree) ts_tree_delete(c->tree);
    c->tree = NULL;
    for (size_t i = 0; i <= ncuts; i++) {
        chunk *x = &d->chunks[k + i];
        if (i) x->start = cuts[i - 1];
        x->end = i < ncuts ? cuts[i] : end;
        if (!chunk_parse(d, x)) return false;
    }
    return true;
}

/* An open chunk breaks the rest of the text unless a later chunk has an
 * unmatched closer that may close it: then the chunks between are merged
 * and parsed as one, and this is checked again.  A chunk open on a prefix
 * that lacks its form (`#_` at its end) is merged with the next one. */
static bool chunks_settle(gd_doc *d) {
    for (size_t k = 0; k < d->nchunks; k++) {
        if (!d->chunks[k].open) continue;
        size_t j = k + 1;
        if (!d->chunks[k].prefix)
            while (j < d->nchunks && !d->chunks[j].stray) j++;
        if (j >= d->nchunks) return true;
        chunks_merge(d, k, j);
        if (!chunk_parse(d, &d->chunks[k])) return false;
        k--; /* look at the merged chunk again */
    }
    return true;
}

/* The chunk holding byte B (the last one for the end of the text). */
static size_t chunk_at(const gd_doc *d, size_t b) {
    size_t lo = 0, hi = d->nchunks;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->chunks[mid].start <= b) lo = mid;
        else hi = mid;
    }
    return lo;
}

/* The top-level items of every chunk, in document offsets.  The first
 * open chunk's broken item reaches the end of the text. */
static bool collect_items(gd_doc *d) {
    size_t total = 0;
    for (size_t k = 0; k < d->nchunks; k++) total += d->chunks[k].nitems;
    if (!grow((void **)&d->items, &d->capitems, total + 1, sizeof(item))) return false;
    item *out = d->items;
    bool opened = false;
    for (size_t k = 0; k < d->nchunks; k++) {
        const chunk *c = &d->chunks[k];
        for (size_t i = 0; i < c->nitems; i++) {
            item it = c->items[i];
            it.start += c->start;
            it.end += c->start;
            if (c->open && !opened && i == c->nitems - 1) {
                it.end = d->len;
                opened = true;
            }
            *out++ = it;
        }
    }
    d->nitems = total;
    return true;
}

/* ---- the program ---------------------------------------------------------------- */

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

/* A new form for the top-level node at [S, E): text, id and hash.
 * Owner: the caller (dform_free); NULL when memory runs out. */
static dform *form_make(gd_doc *d, size_t s, size_t e) {
    dform *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->start = s;
    f->end = e;
    f->tlen = e - s;
    f->text = xstrndup(d->buf + s, e - s);
    if (f->text) f->base = gp_form_id(f->text, f->tlen, f->hash);
    if (!f->base) {
        dform_free(f);
        return NULL;
    }
    f->bh = f->idh = str_hash(f->base);
    return f;
}

/* Gives repeated base ids their ~2, ~3... in program order.  A form whose
 * id changes forgets its sent record. */
static bool dedup(gd_doc *d) {
    size_t need = 16;
    while (need < d->nforms * 2) need *= 2;
    if (need > d->dcap) {
        dslot *t = calloc(need, sizeof *t);
        if (!t) return false;
        free(d->dtab);
        d->dtab = t;
        d->dcap = need;
        d->dgen = 0;
    }
    unsigned gen = ++d->dgen; /* slots of other generations are empty */
    size_t mask = d->dcap - 1;
    for (size_t k = 0; k < d->nforms; k++) {
        dform *f = d->forms[k];
        size_t i = (size_t)f->bh & mask;
        int n;
        for (;; i = (i + 1) & mask) {
            dslot *sl = &d->dtab[i];
            if (sl->gen != gen) {
                *sl = (dslot){f->bh, f->base, 1, gen};
                n = 1;
                break;
            }
            if (sl->h == f->bh && strcmp(sl->key, f->base) == 0) {
                n = ++sl->count;
                break;
            }
        }
        if (f->kept) continue; /* a kept record keeps its id */
        if (n == 1) {
            if (f->id) {
                free(f->id);
                f->id = NULL;
                f->idh = f->bh;
                f->sent = NULL;
            }
            continue;
        }
        char buf[32];
        snprintf(buf, sizeof buf, "~%d", n);
        size_t bl = strlen(f->base), sl = strlen(buf);
        if (f->id && strlen(f->id) == bl + sl && memcmp(f->id + bl, buf, sl) == 0) continue;
        char *id = malloc(bl + sl + 1);
        if (!id) return false;
        memcpy(id, f->base, bl);
        memcpy(id + bl, buf, sl + 1);
        free(f->id);
        f->id = id;
        f->idh = str_hash(id);
        f->sent = NULL;
    }
    return true;
}

/* Gives every form an order, strictly increasing along the program.  A
 * form keeps the order it had, so that adding or removing a form does not
 * renumber (and resend) every form after it: new forms get orders spread
 * between their neighbours' (wire orders are numbers, not necessarily
 * integers: docs/PROTOCOL.md).  When doubles run out of room between two
 * neighbours, everything is renumbered 0, 1, 2... */
static void assign_orders(gd_doc *d) {
    dform **f = d->forms;
    size_t n = d->nforms, i = 0;
    bool have_last = false;
    double last = 0;
    while (i < n) {
        if (f[i]->has_order && (!have_last || f[i]->order > last)) {
            last = f[i]->order;
            have_last = true;
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && !(f[j]->has_order && (!have_last || f[j]->order > last))) j++;
        double k = (double)(j - i);
        double hi = j < n ? f[j]->order : (have_last ? last : -1) + k + 1;
        double lo = have_last ? last : hi - k - 1;
        double step = (hi - lo) / (k + 1);
        double prev = lo;
        bool room = step > 0;
        for (size_t m = i; room && m < j; m++) {
            f[m]->order = lo + step * (double)(m - i + 1);
            f[m]->has_order = true;
            room = f[m]->order > prev && f[m]->order < hi && isfinite(f[m]->order);
            prev = f[m]->order;
        }
        if (!room) {
            for (size_t m = 0; m < n; m++) {
                f[m]->order = (double)m;
                f[m]->has_order = true;
            }
            return;
        }
        last = f[j - 1]->order;
        have_last = true;
        i = j;
    }
}

/* Rebuilds the program from the chunks' items.  The previous forms (their
 * ranges already mapped through the edit) are reused, kept or freed.
 * False when memory runs out (the program is then empty). */
static bool scan(gd_doc *d) {
    if (!collect_items(d)) return false;
    dform **prev = d->forms;
    size_t nprev = d->nforms;

    /* the broken zone and the forms it keeps */
    d->nzones = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < d->nitems; i++)
        if (d->items[i].k == IT_BROKEN) ok = add_zone(d, d->items[i].start, d->items[i].end);
    /* a form kept until now has the text of its last good version, not
     * necessarily the bytes of its (mapped) range: to be reused below it
     * must compare equal, as a touched one */
    for (size_t i = 0; i < nprev; i++) {
        prev[i]->touched |= prev[i]->kept;
        prev[i]->kept = false;
    }
    for (bool changed = d->nzones > 0; ok && changed;) {
        changed = false;
        for (size_t i = 0; ok && i < nprev; i++) {
            dform *p = prev[i];
            if (p->kept || !in_zones(d, p->start, p->end)) continue;
            p->kept = changed = true;
            ok = add_zone(d, p->start, p->end);
        }
    }
    if (ok) ok = grow((void **)&d->spare, &d->capspare, d->nitems + nprev + 1, sizeof(dform *));
    if (!ok) {
        forms_clear(d);
        return false;
    }
    dform **nf = d->spare;
    size_t n = 0, pi = 0, ki = 0;
    bool live = false;
    for (size_t i = 0; ok && i <= d->nitems; i++) {
        const item *it = i < d->nitems ? &d->items[i] : NULL;
        /* kept forms that come before this item */
        for (; ki < nprev && (!it || !prev[ki] || prev[ki]->start < it->start); ki++) {
            if (!prev[ki] || !prev[ki]->kept) continue;
            nf[n++] = prev[ki];
            prev[ki] = NULL;
        }
        if (!it) break;
        if (it->k == IT_BANG) { live = true; continue; }
        bool was_live = live;
        live = false;
        if (it->k == IT_BROKEN || in_zones(d, it->start, it->end)) continue;
        /* reuse an old form with the same bytes */
        while (pi < nprev && (!prev[pi] || prev[pi]->start < it->start)) pi++;
        dform *f = NULL;
        for (size_t j = pi; j < nprev; j++) {
            dform *q = prev[j];
            if (!q) continue;
            if (q->start != it->start) break;
            if (q->end != it->end || q->tlen != it->end - it->start) continue;
            if ((!q->touched && !q->kept) || memcmp(q->text, d->buf + it->start, q->tlen) == 0) {
                f = q;
                prev[j] = NULL;
                break;
            }
        }
        if (!f && !(f = form_make(d, it->start, it->end))) {
            ok = false;
            break;
        }
        f->kept = false;
        f->live = was_live;
        nf[n++] = f;
    }
    for (size_t i = 0; i < nprev; i++) dform_free(prev[i]);
    /* swap the arrays: the old one (all moved or freed) is the next spare */
    size_t oldcap = d->capforms;
    d->forms = nf;
    d->capforms = d->capspare;
    d->spare = prev;
    d->capspare = oldcap;
    d->nforms = n;
    if (!ok) {
        forms_clear(d);
        return false;
    }
    /* positions, walking the line index forward */
    size_t l = 0;
    for (size_t i = 0; i < n; i++) {
        dform *f = nf[i];
        f->touched = false;
        if (f->kept) continue;
        if (f->start < d->lb[l]) l = line_of_byte(d, f->start);
        while (l + 1 < d->nlines && d->lb[l + 1] <= f->start) l++;
        f->line = (int)l + 1;
        f->col = (int)count_chars(d->buf + d->lb[l], f->start - d->lb[l]) + 1;
    }
    assign_orders(d);
#ifdef GD_DEBUG
    for (size_t i = 0; i < n; i++) {
        if (nf[i]->kept) continue;
        if (nf[i]->end - nf[i]->start != nf[i]->tlen ||
            memcmp(nf[i]->text, d->buf + nf[i]->start, nf[i]->tlen)) {
            fprintf(stderr, "STALE form %zu\n", i);
            abort();
        }
    }
#endif
    return dedup(d);
}

/* ---- the push ------------------------------------------------------------------- */

/* The wire record of F (docs/PROTOCOL.md).  TEXT: the text to send
 * (see make_push).  Owner: the caller; NULL when memory runs out. */
static cJSON *record_json(const dform *f, const char *text) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    bool ok = cJSON_AddStringToObject(o, "id", fid(f)) && cJSON_AddStringToObject(o, "text", text) &&
              cJSON_AddBoolToObject(o, "live", f->live) &&
              cJSON_AddNumberToObject(o, "line", f->line) &&
              cJSON_AddNumberToObject(o, "col", f->col) &&
              cJSON_AddStringToObject(o, "hash", f->hash) &&
              cJSON_AddNumberToObject(o, "order", f->order);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Whether F changes the deployment relative to its sent record S. */
static bool deploy_differs(const dform *f, const srec *s) {
    return s->live != f->live || memcmp(s->hash, f->hash, 16) != 0;
}

/* Makes F's sent record anew from F.  False when memory runs out. */
static bool srec_fill(srec *s, const dform *f) {
    char *text = xstrndup(f->text, f->tlen);
    if (!text) return false;
    free(s->text);
    s->text = text;
    s->tlen = f->tlen;
    free(s->starts);
    s->starts = NULL;
    s->nstarts = 0;
    memcpy(s->hash, f->hash, sizeof s->hash);
    s->live = f->live;
    return true;
}

/* Compares the program with the sent records.  Returns the push to send
 * (everything when REPLACE) and records it as sent, or NULL when nothing
 * deployable changed (or memory ran out: *OOM is set then).  Without a
 * change it allocates nothing: each form knows its sent record.
 *
 * The text of a record changes only with its hash (or live flag): a form
 * whose hash is unchanged keeps the text last sent, even when the
 * buffer's text differs in whitespace, comments or `#_` annotations.  So
 * the text a node holds is the text it evaluated (it evaluates again only
 * when an effective hash changes), the offsets of its `?` reports are
 * offsets into that text, and gd_doc_locate maps them from it. */
static cJSON *make_push(gd_doc *d, bool replace, bool *oom) {
    *oom = false;
    unsigned gen = ++d->gen;
    size_t n = d->nforms, matched = 0;
    bool trigger = replace;
    for (size_t i = 0; i < n; i++) {
        dform *f = d->forms[i];
        srec *s = f->sent ? f->sent : sent_find(d, fid(f), f->idh);
        f->dup = false;
        if (s && s->mark == gen) { /* a second form with that id: left out */
            f->dup = true;
            f->sent = NULL;
            f->pdiff = false;
            continue;
        }
        f->sent = s;
        if (!s) {
            trigger = f->pdiff = true;
            continue;
        }
        s->mark = gen;
        matched++;
        if (deploy_differs(f, s)) trigger = f->pdiff = true;
        else f->pdiff = s->line != f->line || s->col != f->col || s->order != f->order;
    }
    if (matched < d->nsent) trigger = true; /* removals */
    if (!trigger) return NULL;

    cJSON *push = gw_msg("push");
    cJSON *forms = cJSON_CreateArray();
    bool ok = push && forms && cJSON_AddStringToObject(push, "space", d->space);
    if (ok && d->file[0]) ok = cJSON_AddStringToObject(push, "file", d->file) != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        const dform *f = d->forms[i];
        if (f->dup || (!replace && !f->pdiff)) continue;
        bool same = f->sent && !deploy_differs(f, f->sent);
        cJSON *r = record_json(f, same ? f->sent->text : f->text);
        ok = r && cJSON_AddItemToArray(forms, r);
    }
    if (ok) {
        cJSON_AddItemToObject(push, "forms", forms);
        forms = NULL;
    }
    if (ok && !replace && matched < d->nsent) {
        cJSON *rm = cJSON_AddArrayToObject(push, "remove");
        ok = rm != NULL;
        for (size_t k = 0; ok && k < d->nsent; k++) {
            if (d->sent[k]->mark == gen) continue;
            cJSON *s = cJSON_CreateString(d->sent[k]->id);
            ok = s && cJSON_AddItemToArray(rm, s);
        }
    }
    if (ok) ok = cJSON_AddBoolToObject(push, "replace", replace) != NULL;
    cJSON_Delete(forms);
    if (!ok) {
        cJSON_Delete(push);
        *oom = true;
        return NULL;
    }

    /* record what was sent: matched records change in place (their text
     * only with the hash), new ones are added, the others removed */
    bool reindex = false;
    for (size_t i = 0; ok && i < n; i++) {
        dform *f = d->forms[i];
        if (f->dup) continue;
        srec *s = f->sent;
        if (!s) {
            ok = grow((void **)&d->sent, &d->capsent, d->nsent + 1, sizeof(srec *)) &&
                 (s = calloc(1, sizeof *s)) != NULL;
            if (ok && (!(s->id = xstrndup(fid(f), strlen(fid(f)))) || !srec_fill(s, f))) {
                srec_free(s);
                ok = false;
            }
            if (!ok) break;
            s->idh = f->idh;
            s->mark = gen;
            d->sent[d->nsent++] = s;
            f->sent = s;
            reindex = true;
        } else if (deploy_differs(f, s) && !srec_fill(s, f)) {
            ok = false;
            break;
        }
        s->line = f->line;
        s->col = f->col;
        s->order = f->order;
    }
    size_t w = 0;
    for (size_t k = 0; ok && k < d->nsent; k++) {
        srec *s = d->sent[k];
        if (s->mark == gen) {
            d->sent[w++] = s;
        } else {
            srec_free(s);
            reindex = true;
        }
    }
    if (ok) d->nsent = w;
    if (!ok || (reindex && !sent_index(d))) {
        /* out of memory: forget what was sent; the next push sends all */
        sent_clear(d);
        cJSON_Delete(push);
        *oom = true;
        return NULL;
    }
    return push;
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
    chunks_remove(d, 0, d->nchunks);
    if (!index_build(d) || !chunks_insert(d, 0, 1)) return NULL;
    d->chunks[0].end = len;
    if (!chunk_parse(d, &d->chunks[0]) || !chunk_split(d, 0) || !chunks_settle(d) ||
        !collect_items(d) || !scan(d))
        return NULL;
    bool oom;
    return make_push(d, true, &oom);
}

/* Maps the previous program's ranges through the edit of bytes [B0, B1)
 * into N bytes, marking the forms it touched. */
static void map_forms(gd_doc *d, size_t b0, size_t b1, size_t n) {
    for (size_t i = 0; i < d->nforms; i++) {
        dform *f = d->forms[i];
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
    /* the chunk that takes the edit (merged with the ones it spans) */
    size_t ck = chunk_at(d, b0), cm = ck;
    while (cm + 1 < d->nchunks && d->chunks[cm].end < b1) cm++;
    chunks_merge(d, ck, cm);
    chunk *c = &d->chunks[ck];
    size_t cline = line_of_byte(d, c->start);
    TSInputEdit e;
    e.start_byte = (uint32_t)(b0 - c->start);
    e.old_end_byte = (uint32_t)(b1 - c->start);
    e.new_end_byte = (uint32_t)(b0 + len - c->start);
    e.start_point = rel_point(d, cline, c->start, b0);
    e.old_end_point = rel_point(d, cline, c->start, b1);
    bool at_end = b1 == c->end && ck + 1 < d->nchunks;
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
    e.new_end_point = rel_point(d, cline, c->start, b0 + len);

    /* the chunks: this one grows or shrinks, the later ones move */
    c->end = (size_t)((long)c->end + db);
    for (size_t i = ck + 1; i < d->nchunks; i++) {
        d->chunks[i].start = (size_t)((long)d->chunks[i].start + db);
        d->chunks[i].end = (size_t)((long)d->chunks[i].end + db);
    }
    /* an edit reaching the end of the chunk must leave a separator there,
     * or the next chunk's first token may continue its last one */
    if (at_end && (c->end == c->start || !is_sep(d->buf[c->end - 1]))) chunks_merge(d, ck, ck + 1);
    if (c->tree) ts_tree_edit(c->tree, &e);
    map_forms(d, b0, b1, len);
    bool ok = true;
    if (c->end == c->start && d->nchunks > 1) {
        chunks_remove(d, ck, 1);
    } else {
        ok = chunk_parse(d, c) && chunk_split(d, ck);
    }
    if (!ok || !chunks_settle(d) || !collect_items(d) || !scan(d)) {
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

/* The tokens that count for mapping an offset: the leaves of a form's
 * tree, skipping comments and `#_` forms (and whatever is inside them),
 * in order.  Appends the start offsets, less BASE, of those under ROOT to
 * *A (N entries, capacity *CAP).  False when memory runs out. */
static bool leaves(TSNode root, uint32_t base, uint32_t **a, size_t *n, size_t *cap) {
    TSTreeCursor c = ts_tree_cursor_new(root);
    bool ok = true;
    while (ok) {
        TSNode nd = ts_tree_cursor_current_node(&c);
        const char *type = ts_node_type(nd);
        if (strcmp(type, "comment") != 0 && strcmp(type, "dis_expr") != 0) {
            if (ts_tree_cursor_goto_first_child(&c)) continue;
            if (ts_node_end_byte(nd) > ts_node_start_byte(nd)) { /* a leaf */
                ok = grow((void **)a, cap, *n + 1, sizeof **a);
                if (ok) (*a)[(*n)++] = ts_node_start_byte(nd) - base;
            }
        }
        /* on to the next node in document order (the cursor does not
         * leave ROOT) */
        while (ok && !ts_tree_cursor_goto_next_sibling(&c))
            if (!ts_tree_cursor_goto_parent(&c)) goto done;
    }
done:
    ts_tree_cursor_delete(&c);
    return ok;
}

/* The token starts of TEXT, parsed alone.  Owner: the caller (free); NULL
 * when it cannot. */
static uint32_t *text_leaves(gd_doc *d, const char *text, size_t len, size_t *n) {
    *n = 0;
    TSTree *t = ts_parser_parse_string(d->parser, NULL, text, (uint32_t)len);
    if (!t) return NULL;
    uint32_t *a = NULL;
    size_t cap = 0;
    bool ok = grow((void **)&a, &cap, 64, sizeof *a) && leaves(ts_tree_root_node(t), 0, &a, n, &cap);
    ts_tree_delete(t);
    if (!ok) { free(a); *n = 0; return NULL; }
    return a;
}

/* The token starts of F's text, relative to its start.  A form that
 * parses is a top-level node of its chunk's tree, with the same subtree
 * as its text parsed alone: its leaves are read from there, without a
 * parse.  In a chunk with an error elsewhere (where error recovery might
 * have shaped the tree around it) the text is parsed alone.  Owner: the
 * caller (free); NULL when it cannot. */
static uint32_t *form_leaves(gd_doc *d, const dform *f, size_t *n) {
    *n = 0;
    const chunk *c = &d->chunks[chunk_at(d, f->start)];
    uint32_t *a = NULL;
    if (c->tree && f->start >= c->start && f->end <= c->end) {
        TSNode root = ts_tree_root_node(c->tree);
        uint32_t rs = (uint32_t)(f->start - c->start), re = (uint32_t)(f->end - c->start);
        TSNode nd = ts_node_has_error(root) ? (TSNode){0} : ts_node_first_child_for_byte(root, rs);
        if (!ts_node_is_null(nd) && ts_node_start_byte(nd) == rs && ts_node_end_byte(nd) == re) {
            size_t cap = 0;
            if (!grow((void **)&a, &cap, 64, sizeof *a) || !leaves(nd, rs, &a, n, &cap)) {
                free(a);
                *n = 0;
                return NULL;
            }
#ifdef GD_DEBUG
            size_t m;
            uint32_t *b = text_leaves(d, f->text, f->tlen, &m);
            if (b && (m != *n || memcmp(a, b, m * sizeof *a) != 0)) {
                fprintf(stderr, "form_leaves: the tree's tokens differ from the text's\n");
                abort();
            }
            free(b);
#endif
            return a;
        }
    }
    return text_leaves(d, f->text, f->tlen, n);
}

/* Carries OFFSET in the sent text S over to F's text, token by token.
 * False when it does not land on a token start or the token streams
 * differ.  The token starts are cached: F's (read from the tree) while F
 * lives, S's until its text is replaced (gd_doc_locate reads them from
 * the tree while the buffer still holds that text; else it is parsed
 * here, once). */
static bool map_offset(gd_doc *d, dform *f, srec *s, size_t *offset) {
    if (!f->starts && !(f->starts = form_leaves(d, f, &f->nstarts))) return false;
    if (!s->starts && !(s->starts = text_leaves(d, s->text, s->tlen, &s->nstarts))) return false;
    if (s->nstarts != f->nstarts) return false;
    size_t lo = 0, hi = s->nstarts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->starts[mid] < *offset) lo = mid + 1;
        else hi = mid;
    }
    if (lo == s->nstarts || s->starts[lo] != *offset) return false;
    *offset = f->starts[lo];
    return true;
}

bool gd_doc_locate(gd_doc *d, const char *id, size_t offset, long out[4]) {
    dform *f = NULL;
    uint64_t h = str_hash(id);
    for (size_t i = 0; i < d->nforms && !f; i++)
        if (d->forms[i]->idh == h && strcmp(fid(d->forms[i]), id) == 0) f = d->forms[i];
    if (!f || f->kept) return false;
    srec *s = f->sent ? f->sent : sent_find(d, id, h);
    if (s && (s->tlen != f->tlen || memcmp(s->text, f->text, f->tlen) != 0)) {
        if (!map_offset(d, f, s, &offset)) return false;
    } else if (s && !s->starts) {
        /* the text is the one sent: its tokens are the tree's, read now
         * for the offsets to map after the next rewrite (an annotation
         * written for this value) without parsing it (best effort) */
        s->starts = form_leaves(d, f, &s->nstarts);
    }
    if (offset >= f->tlen) return false;
    size_t pos = f->start + offset;
    const chunk *c = &d->chunks[chunk_at(d, pos)];
    if (!c->tree || pos >= c->end) return false;
    size_t rel = pos - c->start;
    TSNode n = ts_node_descendant_for_byte_range(ts_tree_root_node(c->tree), (uint32_t)rel,
                                                 (uint32_t)rel);
    TSNode list = {0};
    bool found = false;
    while (!ts_node_is_null(n) && ts_node_start_byte(n) == rel) {
        if (strcmp(ts_node_type(n), "list_lit") == 0) {
            list = n;
            found = true;
            break;
        }
        n = ts_node_parent(n);
    }
    if (!found || c->start + ts_node_end_byte(list) > f->end) return false;
    out[0] = (long)char_of_byte(d, c->start + ts_node_start_byte(list)) + 1;
    out[1] = (long)char_of_byte(d, c->start + ts_node_end_byte(list)) + 1;
    out[2] = out[3] = 0;
    /* the last element, if it is a #_ form */
    TSTreeCursor cur = ts_tree_cursor_new(list);
    TSNode last = {0};
    bool any = false;
    if (ts_tree_cursor_goto_first_child(&cur)) {
        do {
            TSNode ch = ts_tree_cursor_current_node(&cur);
            if (ts_node_is_named(ch) && strcmp(ts_node_type(ch), "comment") != 0) {
                last = ch;
                any = true;
            }
        } while (ts_tree_cursor_goto_next_sibling(&cur));
    }
    ts_tree_cursor_delete(&cur);
    if (any && strcmp(ts_node_type(last), "dis_expr") == 0) {
        out[2] = (long)char_of_byte(d, c->start + ts_node_start_byte(last)) + 1;
        out[3] = (long)char_of_byte(d, c->start + ts_node_end_byte(last)) + 1;
    }
    return true;
}

/* ---- inspection -------------------------------------------------------------------- */

size_t gd_doc_count(const gd_doc *d) { return d->nforms; }

bool gd_doc_form(const gd_doc *d, size_t i, gd_form_info *out) {
    if (i >= d->nforms) return false;
    const dform *f = d->forms[i];
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
