/* test_doc.c — unit tests of the editor document (doc.c).
 *
 * A fresh parse gives the forms program.c's splitter gives (ids, hashes,
 * texts, live flags, line/col); random edits (inserts, deletes and
 * replacements with 2-, 3- and 4-byte characters, brackets, `!`, `#_`,
 * comments, newlines) leave the same text and, whenever the text is a
 * valid program, the same forms as a fresh document on that text; a push
 * after an edit carries only the records that changed (and moved), none
 * for whitespace, comments or `#_` annotations; a broken form keeps its
 * last version (and debris of it is not taken as forms); gd_doc_locate
 * finds `?` lists and their annotations, also through rewrites that are
 * not sent, many times over; bad edits are refused.  Prints the cost of
 * one-character edits in a 5,000-line buffer and of locating a `?` form
 * after its annotation was rewritten (not asserted).
 *
 * Prints "test_doc: N passed, M failed"; exit status 1 on failure.
 */
#include "doc.h"
#include "program.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int npass, nfail;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (cond) npass++;                                                      \
        else {                                                                  \
            nfail++;                                                            \
            if (nfail <= 60) {                                                  \
                fprintf(stderr, "test_doc.c:%d: FAIL: ", __LINE__);             \
                fprintf(stderr, __VA_ARGS__);                                   \
                fputc('\n', stderr);                                            \
            }                                                                   \
        }                                                                       \
    } while (0)

/* CPU time of this thread: the machine may be busy with other builds. */
static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- helpers ------------------------------------------------------------------ */

static size_t nchars(const char *s, size_t n) {
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static size_t byte_at(const char *s, size_t n, size_t ch) {
    size_t b = 0;
    while (ch > 0 && b < n) {
        b++;
        while (b < n && ((unsigned char)s[b] & 0xC0) == 0x80) b++;
        ch--;
    }
    return b;
}

/* A growable reference copy of the text, edited like the document. */
typedef struct ref {
    char *s;
    size_t n;
} ref;

static void ref_set(ref *r, const char *t) {
    free(r->s);
    r->n = strlen(t);
    r->s = malloc(r->n + 1);
    memcpy(r->s, t, r->n + 1);
}

/* Replaces OLD chars at 0-based char C by T. */
static void ref_edit(ref *r, size_t c, size_t old, const char *t) {
    size_t b0 = byte_at(r->s, r->n, c), b1 = byte_at(r->s, r->n, c + old);
    size_t tl = strlen(t);
    char *ns = malloc(r->n - (b1 - b0) + tl + 1);
    memcpy(ns, r->s, b0);
    memcpy(ns + b0, t, tl);
    memcpy(ns + b0 + tl, r->s + b1, r->n - b1 + 1);
    free(r->s);
    r->s = ns;
    r->n = r->n - (b1 - b0) + tl;
}

/* Applies the edit to doc and reference; returns the push (or NULL). */
static cJSON *edit(gd_doc *d, ref *r, size_t c, size_t old, const char *t, bool *ok) {
    cJSON *push = NULL;
    char err[200];
    long tl = (long)nchars(t, strlen(t));
    *ok = gd_doc_edit(d, (long)c + 1, (long)c + 1 + tl, (long)old, t, strlen(t), &push, err,
                      sizeof err);
    if (!*ok) fprintf(stderr, "edit failed: %s\n", err);
    ref_edit(r, c, old, t);
    return push;
}

/* Char position (0-based) of the first occurrence of NEEDLE. */
static size_t cpos(const ref *r, const char *needle) {
    const char *p = strstr(r->s, needle);
    if (!p) { fprintf(stderr, "no '%s' in text\n", needle); abort(); }
    return nchars(r->s, (size_t)(p - r->s));
}

static int push_count(const cJSON *push) {
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(push, "forms");
    return cJSON_GetArraySize(f);
}

static int remove_count(const cJSON *push) {
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(push, "remove");
    return f ? cJSON_GetArraySize(f) : 0;
}

static const cJSON *push_form(const cJSON *push, int i) {
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(push, "forms"), i);
}

static bool push_has(const cJSON *push, const char *id) {
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(push, "forms");
    for (int i = 0; i < cJSON_GetArraySize(f); i++)
        if (strcmp(gw_str(cJSON_GetArrayItem(f, i), "id"), id) == 0) return true;
    return false;
}

static bool form_kept(const gd_doc *d, const char *id, bool *kept) {
    gd_form_info fi;
    for (size_t i = 0; gd_doc_form(d, i, &fi); i++)
        if (strcmp(fi.id, id) == 0) { *kept = fi.kept; return true; }
    return false;
}

static void compare_docs(gd_doc *a, gd_doc *b, const char *text, int step);
static long loc_tried, loc_found; /* compare_docs's locates */

/* ---- a fresh parse agrees with program.c ----------------------------------- */

/* Checks that D's program (and the replace push P) equal gp_split of TEXT. */
static void check_against_split(gd_doc *d, const cJSON *p, const char *text, const char *what) {
    gp_program prog;
    char err[120];
    size_t len = strlen(text);
    if (!gp_split(text, len, &prog, err, sizeof err)) {
        CHECK(0, "%s: the splitter refuses the text: %s", what, err);
        return;
    }
    CHECK(gd_doc_count(d) == prog.count, "%s: %zu forms, the splitter finds %zu", what,
          gd_doc_count(d), prog.count);
    if (p) CHECK(push_count(p) == (int)prog.count, "%s: push has %d records", what, push_count(p));
    for (size_t i = 0; i < prog.count && i < gd_doc_count(d); i++) {
        gd_form_info fi;
        gd_doc_form(d, i, &fi);
        const gp_form *g = &prog.forms[i];
        CHECK(strcmp(fi.id, g->id) == 0, "%s: form %zu id %s, want %s", what, i, fi.id, g->id);
        CHECK(fi.live == g->live, "%s: form %zu live", what, i);
        CHECK(fi.line == g->line && fi.col == g->col, "%s: form %zu at %d:%d, want %d:%d", what,
              i, fi.line, fi.col, g->line, g->col);
        CHECK(fi.start == (long)nchars(text, g->start) + 1 && fi.end == (long)nchars(text, g->end) + 1,
              "%s: form %zu chars [%ld,%ld)", what, i, fi.start, fi.end);
        if (p) {
            const cJSON *r = push_form(p, (int)i);
            CHECK(r && strcmp(gw_str(r, "hash"), g->hash) == 0 && strcmp(gw_str(r, "text"), g->text) == 0 &&
                      strcmp(gw_str(r, "id"), g->id) == 0 && (int)gw_num(r, "order", -1) == (int)i &&
                      gw_bool(r, "live", !g->live) == g->live,
                  "%s: push record %zu differs from the splitter's", what, i);
        }
    }
    gp_program_free(&prog);
}

static void test_fresh(void) {
    static const char *texts[] = {
        "",
        "(def a 1)",
        "(ns demo.core)\n\n(defn square [x] (* x x))\n\n! (? :sq (square 7))\n",
        "!(foo) ! ! (bar)\n#_ (gone) (baz) ; c\n#_ ! (q) (r)",
        "^:private (defn f [] 1) ^{:doc \"x\"} (def g 2) 'sym @ref #'v :kw 42 \"s\"",
        "(? x) (? x) (? x #_{:alpha 1})\n(def a 1)\n(def a 2)",
        "(defn ünïcödé [λ] (str λ \"😀\"))\n\t(? :é (ünïcödé 1))",
        "#{1 2} [1 2] {:a 1} #(inc %) #?(:clj 1) #inst \"2020\" #\"re\"",
        "(a ; comment (\n b) ; trailing\n(c \\( \\) \"(\")",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        gd_doc *d = gd_doc_new("user", "t.clj");
        cJSON *p = gd_doc_reset(d, texts[i], strlen(texts[i]));
        CHECK(p != NULL, "fresh %zu: no push", i);
        if (p) {
            CHECK(gw_bool(p, "replace", false), "fresh %zu: replace", i);
            CHECK(strcmp(gw_str(p, "space"), "user") == 0 && strcmp(gw_str(p, "file"), "t.clj") == 0,
                  "fresh %zu: space/file", i);
        }
        char what[32];
        snprintf(what, sizeof what, "fresh %zu", i);
        check_against_split(d, p, texts[i], what);
        /* the push decodes as a valid wire message */
        if (p) {
            size_t n;
            char *txt = gw_encode(p, &n);
            char err[160];
            cJSON *back = gw_decode(txt, n, GW_DEFAULT_MAX_MSG, err, sizeof err);
            CHECK(back != NULL, "fresh %zu: push does not validate: %s", i, err);
            cJSON_Delete(back);
            free(txt);
        }
        cJSON_Delete(p);
        gd_doc_destroy(&d);
        CHECK(d == NULL, "destroy clears the pointer");
    }
}

/* ---- only what changed is pushed ------------------------------------------------ */

static void test_push_diff(void) {
    ref r = {0};
    ref_set(&r, "(def a 1)\n\n(defn f [x] (+ x a))\n\n! (? :q (f 2))\n");
    gd_doc *d = gd_doc_new("sp", NULL);
    cJSON *p = gd_doc_reset(d, r.s, r.n);
    CHECK(p && push_count(p) == 3 && !cJSON_GetObjectItemCaseSensitive(p, "file"), "initial push");
    cJSON_Delete(p);
    bool ok;

    /* a hash change: one record */
    p = edit(d, &r, cpos(&r, "1)"), 1, "5", &ok);
    CHECK(ok && p && push_count(p) == 1 && remove_count(p) == 0, "value change pushes one record");
    CHECK(p && !gw_bool(p, "replace", true), "edit push has replace false");
    CHECK(p && strcmp(gw_str(push_form(p, 0), "id"), "def:a") == 0 &&
              strcmp(gw_str(push_form(p, 0), "text"), "(def a 5)") == 0,
          "the changed record");
    cJSON_Delete(p);

    /* whitespace, comments, annotations: nothing */
    p = edit(d, &r, cpos(&r, "(+ x"), 0, "  ", &ok);
    CHECK(ok && !p, "whitespace inside a form pushes nothing");
    cJSON_Delete(p);
    p = edit(d, &r, cpos(&r, "(+ x"), 0, "; note\n", &ok);
    CHECK(ok && !p, "a comment pushes nothing");
    cJSON_Delete(p);
    p = edit(d, &r, cpos(&r, "(f 2)") + 5, 0, " #_{:alpha 3, :beta \"é\"}", &ok);
    CHECK(ok && !p, "an annotation pushes nothing");
    cJSON_Delete(p);
    p = edit(d, &r, cpos(&r, ":alpha 3"), 8, ":alpha 4", &ok);
    CHECK(ok && !p, "rewriting the annotation pushes nothing");
    cJSON_Delete(p);
    p = edit(d, &r, 0, 0, "\n\n", &ok);
    CHECK(ok && !p, "moving every form pushes nothing by itself");
    cJSON_Delete(p);

    /* the next real change carries the moved and rewritten records too */
    p = edit(d, &r, cpos(&r, "2) #_"), 1, "3", &ok);
    CHECK(ok && p && push_count(p) == 3, "a change after moves carries the moved records (%d)",
          p ? push_count(p) : -1);
    if (p) {
        const cJSON *fr = push_form(p, 1);
        CHECK(strcmp(gw_str(fr, "text"), "(defn f [x] (+ x a))") == 0 && (int)gw_num(fr, "line", 0) == 5,
              "a moved record keeps the text last sent while its hash is the same: %s",
              gw_str(fr, "text"));
        const cJSON *q = push_form(p, 2);
        CHECK(strcmp(gw_str(q, "text"), "(? :q (f 3) #_{:alpha 4, :beta \"é\"})") == 0 &&
                  (int)gw_num(q, "line", 0) == 8 && (int)gw_num(q, "col", 0) == 3 &&
                  gw_bool(q, "live", false),
              "the ? record: %s at %g:%g", gw_str(q, "text"), gw_num(q, "line", 0),
              gw_num(q, "col", 0));
    }
    cJSON_Delete(p);

    /* live flag */
    p = edit(d, &r, cpos(&r, "(defn"), 0, "!", &ok);
    CHECK(ok && p && push_count(p) == 1 && gw_bool(push_form(p, 0), "live", false),
          "a ! marks the form live");
    cJSON_Delete(p);

    /* a new form, then its removal */
    p = edit(d, &r, nchars(r.s, r.n), 0, "\n(def b 2)", &ok);
    CHECK(ok && p && push_count(p) == 1 && push_has(p, "def:b"), "a new form");
    cJSON_Delete(p);
    size_t b = cpos(&r, "(def b 2)");
    p = edit(d, &r, b, 9, "", &ok);
    CHECK(ok && p && push_count(p) == 0 && remove_count(p) == 1 &&
              strcmp(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(p, "remove"), 0)->valuestring,
                     "def:b") == 0,
          "a deleted form is removed");
    cJSON_Delete(p);

    /* commenting a form out removes it */
    p = edit(d, &r, cpos(&r, "(def a"), 0, "#_", &ok);
    CHECK(ok && p && remove_count(p) == 1 && push_count(p) == 0, "#_ before a form removes it (%d %d)",
          p ? push_count(p) : -1, p ? remove_count(p) : -1);
    cJSON_Delete(p);

    /* push_all: everything, replace */
    p = gd_doc_push_all(d);
    CHECK(p && gw_bool(p, "replace", false) && push_count(p) == 2, "push_all");
    cJSON_Delete(p);
    free(r.s);
    gd_doc_destroy(&d);
}

/* Orders stay strictly increasing when forms keep coming at one place
 * (the gap halves each time until everything is renumbered). */
static void test_orders(void) {
    ref r = {0};
    ref_set(&r, "(a)\n(b)\n");
    gd_doc *d = gd_doc_new("user", NULL);
    cJSON_Delete(gd_doc_reset(d, r.s, r.n));
    bool ok, increasing = true, fractional = false;
    for (int i = 0; i < 120; i++) {
        char form[32];
        snprintf(form, sizeof form, "(x%d)\n", i);
        cJSON *p = edit(d, &r, 4, 0, form, &ok); /* right after (a) */
        if (p && i == 0)
            for (int k = 0; k < push_count(p); k++)
                if (strcmp(gw_str(push_form(p, k), "text"), "(x0)") == 0)
                    fractional = gw_num(push_form(p, k), "order", 0) == 0.5;
        cJSON_Delete(p);
        p = gd_doc_push_all(d);
        double last = -1e300;
        for (int k = 0; p && k < push_count(p); k++) {
            double o = gw_num(push_form(p, k), "order", 0);
            if (!(o > last)) increasing = false;
            last = o;
        }
        cJSON_Delete(p);
    }
    CHECK(increasing, "orders strictly increasing after 120 insertions at one place");
    CHECK(fractional, "a form inserted between orders 0 and 1 gets 0.5");
    free(r.s);
    gd_doc_destroy(&d);
}

/* ---- broken forms ----------------------------------------------------------------- */

static void test_broken(void) {
    ref r = {0};
    ref_set(&r, "(def a 1)\n(defn f [x]\n  (+ x 1))\n! (? (f 2))\n(def z 3)\n");
    gd_doc *d = gd_doc_new("user", NULL);
    cJSON *p = gd_doc_reset(d, r.s, r.n);
    cJSON_Delete(p);
    bool ok, kept = false;

    /* an unclosed form: no push, the old version is kept */
    p = edit(d, &r, cpos(&r, "1))"), 3, "1)", &ok);
    CHECK(ok && !p, "an unbalanced form pushes nothing");
    cJSON_Delete(p);
    CHECK(form_kept(d, "def:f", &kept) && kept, "def:f is kept while broken");
    CHECK(form_kept(d, "def:z", &kept) && kept, "forms after an unclosed bracket are kept");
    CHECK(form_kept(d, "def:a", &kept) && !kept, "forms before it are not");
    /* a change before it is still pushed, and nothing is removed */
    p = edit(d, &r, cpos(&r, "1)\n(defn"), 1, "7", &ok);
    CHECK(ok && p && push_count(p) == 1 && remove_count(p) == 0 && push_has(p, "def:a"),
          "editing another form while one is broken");
    cJSON_Delete(p);
    /* fixing it back: same hash, no push */
    p = edit(d, &r, cpos(&r, "1)\n! (?"), 2, "1))", &ok);
    CHECK(ok && !p, "fixing the form back to its old text pushes nothing");
    cJSON_Delete(p);
    CHECK(form_kept(d, "def:f", &kept) && !kept, "def:f is live again");

    /* deleting the opening bracket: the debris is not taken as forms */
    size_t fpos = cpos(&r, "(defn");
    p = edit(d, &r, fpos, 1, "", &ok);
    CHECK(ok && !p, "deleting an opening bracket pushes nothing (got %d forms)",
          p ? push_count(p) : -1);
    cJSON_Delete(p);
    CHECK(form_kept(d, "def:f", &kept) && kept, "def:f kept after losing its (");
    p = edit(d, &r, fpos, 0, "(", &ok);
    CHECK(ok && !p, "restoring it pushes nothing");
    cJSON_Delete(p);

    /* an opening bracket typed between forms */
    size_t zpos = cpos(&r, "(def z");
    p = edit(d, &r, zpos, 0, "(", &ok);
    CHECK(ok && !p, "a lone ( between forms pushes nothing");
    cJSON_Delete(p);
    p = edit(d, &r, zpos + 1, 0, ")", &ok);
    /* def:z moved (its column) but keeps its order */
    CHECK(ok && p && push_count(p) == 2 && remove_count(p) == 0 && push_has(p, "def:z"),
          "() completes a new form (%d)", p ? push_count(p) : -1);
    if (p && push_count(p) == 2) {
        double o = gw_num(push_form(p, 0), "order", -1), oz = gw_num(push_form(p, 1), "order", -1);
        CHECK(o > 2 && o < 3 && oz == 3 && gw_num(push_form(p, 1), "col", 0) == 3,
              "the new form's order lies between its neighbours' (%g, %g)", o, oz);
    }
    cJSON_Delete(p);
    p = edit(d, &r, zpos, 2, "", &ok);
    CHECK(ok && p && remove_count(p) == 1 && push_count(p) == 1 && push_has(p, "def:z"),
          "deleting () removes it and moves def:z back (%d)", p ? push_count(p) : -1);
    cJSON_Delete(p);

    /* a broken form changed while broken, then fixed differently: pushed */
    p = edit(d, &r, cpos(&r, "(+ x 1)"), 7, "(* x 2", &ok);
    CHECK(ok && !p, "a broken edit inside f");
    cJSON_Delete(p);
    p = edit(d, &r, cpos(&r, "(* x 2") + 6, 0, ")", &ok);
    CHECK(ok && p && push_count(p) == 1 && push_has(p, "def:f"), "the fixed new version is pushed");
    cJSON_Delete(p);
    /* a stray closer is a local error */
    p = edit(d, &r, nchars(r.s, r.n), 0, ")) (def y 1)", &ok);
    CHECK(ok && p && push_count(p) == 1 && push_has(p, "def:y"), "forms after a stray ) still count");
    cJSON_Delete(p);
    free(r.s);
    gd_doc_destroy(&d);

    /* a form kept behind an unclosed bracket is edited (same length) while
     * kept; once the bracket goes, the new text counts, not the kept one */
    r.s = NULL;
    ref_set(&r, "(def a 1)\n[260]\n(def b 2)\n");
    d = gd_doc_new("user", NULL);
    cJSON_Delete(gd_doc_reset(d, r.s, r.n));
    p = edit(d, &r, 0, 0, "(", &ok);
    CHECK(ok && !p, "an unclosed bracket first: everything kept");
    cJSON_Delete(p);
    p = edit(d, &r, cpos(&r, "60]"), 1, "!", &ok);
    CHECK(ok && !p, "a kept form edited");
    cJSON_Delete(p);
    p = edit(d, &r, 0, 1, "", &ok);
    bool found = false;
    for (int i = 0; p && i < push_count(p); i++)
        found |= strcmp(gw_str(push_form(p, i), "text"), "[2!0]") == 0;
    CHECK(ok && found, "the kept form's new text is pushed when the bracket goes");
    cJSON_Delete(p);
    gd_doc *fresh = gd_doc_new("user", NULL);
    cJSON_Delete(gd_doc_reset(fresh, r.s, r.n));
    compare_docs(d, fresh, r.s, -2);
    gd_doc_destroy(&fresh);
    free(r.s);
    gd_doc_destroy(&d);
}

/* ---- random edits agree with fresh parses ------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static unsigned rnd(unsigned n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void compare_docs(gd_doc *a, gd_doc *b, const char *text, int step) {
    size_t na = gd_doc_count(a), nb = gd_doc_count(b);
    CHECK(na == nb, "step %d: %zu forms, fresh parse %zu\n%s", step, na, nb, text);
    for (size_t i = 0; i < na && i < nb; i++) {
        gd_form_info x, y;
        gd_doc_form(a, i, &x);
        gd_doc_form(b, i, &y);
        CHECK(strcmp(x.id, y.id) == 0 && x.live == y.live && x.start == y.start && x.end == y.end &&
                  x.line == y.line && x.col == y.col && !x.kept,
              "step %d: form %zu: %s %d [%ld,%ld) %d:%d vs %s %d [%ld,%ld) %d:%d\n%s", step, i, x.id,
              x.live, x.start, x.end, x.line, x.col, y.id, y.live, y.start, y.end, y.line, y.col, text);
    }
    /* offset 0 of a list form (its first token, also when the text now
     * differs from the one sent in spaces, comments or `#_` forms) locates
     * the whole form.  (Not always: where the reader and the grammar cut
     * tokens differently, e.g. `#_42*`, the same hash may hide a different
     * token stream, and then nothing is found; counted in main.) */
    size_t tl = strlen(text);
    gd_form_info x;
    for (size_t i = 0; gd_doc_form(a, i, &x); i++) {
        if (x.kept || text[byte_at(text, tl, (size_t)x.start - 1)] != '(') continue;
        long out[4];
        bool ok = gd_doc_locate(a, x.id, 0, out);
        loc_tried++;
        loc_found += ok;
        CHECK(!ok || (out[0] == x.start && out[1] == x.end),
              "step %d: locate %s at 0: [%ld,%ld), form [%ld,%ld)\n%s", step, x.id, out[0], out[1], x.start,
              x.end, text);
    }
}

static void test_random_edits(void) {
    static const char *pieces[] = {
        " ", "\n", "(", ")", "[", "]", "{", "}", "x", "42", "é", "λ", "😀", "€", "!", "#_", "; c\n",
        "(def v 1)", "(? :q (+ 1 2))", "\"s\"", "(defn g [a] (* a a))\n", ":k", "#{", "^:m ", "'",
    };
    const char *small = "(ns t)\n(def a 1)\n(defn f [x] (+ x a))\n! (? :q (f 2))\n";
    /* a long text: several chunks (a chunk holds about 48 top-level
     * forms), with forms that are single symbols so that edits at chunk
     * boundaries can join tokens across them */
    char *big = malloc(20000);
    size_t bn = 0;
    for (int i = 0; i < 330; i++)
        bn += (size_t)snprintf(big + bn, 20000 - bn, i % 3 == 0 ? "x%d " : i % 3 == 1 ? "(f %d)\n" : "! [%d]", i);
    int valid = 0, steps = 0, valid_big = 0;
    for (int round = 0; round < 8; round++) {
        const char *start = round < 5 ? small : big;
        ref r = {0};
        ref_set(&r, start);
        gd_doc *d = gd_doc_new("user", NULL);
        cJSON_Delete(gd_doc_reset(d, r.s, r.n));
        for (int step = 0; step < (start == big ? 250 : 400); step++, steps++) {
            size_t n = nchars(r.s, r.n);
            size_t c = rnd((unsigned)n + 1);
            size_t old = 0;
            const char *t = "";
            switch (rnd(3)) {
            case 0: t = pieces[rnd(sizeof pieces / sizeof *pieces)]; break;
            case 1: old = c < n ? 1 + rnd((unsigned)(n - c < 4 ? n - c : 4)) : 0; break;
            default:
                old = c < n ? rnd(2) : 0;
                t = pieces[rnd(sizeof pieces / sizeof *pieces)];
            }
            /* remember the replaced text, to undo the edit now and then */
            size_t ub0 = byte_at(r.s, r.n, c), ub1 = byte_at(r.s, r.n, c + old);
            char *undo = malloc(ub1 - ub0 + 1);
            memcpy(undo, r.s + ub0, ub1 - ub0);
            undo[ub1 - ub0] = 0;
            bool ok;
            cJSON *p = edit(d, &r, c, old, t, &ok);
            CHECK(ok, "random edit refused");
            gp_program tmp;
            char terr[100];
            bool valid_now = gp_split(r.s, r.n, &tmp, terr, sizeof terr);
            if (valid_now) gp_program_free(&tmp);
            if (rnd(valid_now ? 6 : 3) < 2) { /* undo it (an edit too) */
                cJSON_Delete(p);
                p = edit(d, &r, c, nchars(t, strlen(t)), undo, &ok);
                CHECK(ok, "undo refused");
            }
            free(undo);
            /* every push is a valid wire message */
            if (p) {
                size_t len;
                char *txt = gw_encode(p, &len);
                char err[160];
                cJSON *back = gw_decode(txt, len, GW_DEFAULT_MAX_MSG, err, sizeof err);
                if (!back) CHECK(0, "push does not validate: %s", err);
                cJSON_Delete(back);
                free(txt);
                cJSON_Delete(p);
            }
            size_t dl;
            const char *dt = gd_doc_text(d, &dl);
            if (dl != r.n || memcmp(dt, r.s, dl) != 0 || gd_doc_chars(d) != nchars(r.s, r.n)) {
                CHECK(0, "round %d step %d: the text copy differs", round, step);
                break;
            }
            /* when the text is a valid program, a fresh parse agrees */
            gp_program prog;
            char err[100];
            if (gp_split(r.s, r.n, &prog, err, sizeof err)) {
                gd_doc *f = gd_doc_new("user", NULL);
                cJSON_Delete(gd_doc_reset(f, r.s, r.n));
                bool fresh_clean = gd_doc_count(f) == prog.count;
                gd_form_info fi;
                for (size_t i = 0; fresh_clean && gd_doc_form(f, i, &fi); i++)
                    if (fi.kept) fresh_clean = false;
                if (fresh_clean) {
                    /* tree-sitter and the splitter agree: compare */
                    bool anykept = false;
                    for (size_t i = 0; gd_doc_form(d, i, &fi); i++) anykept |= fi.kept;
                    if (!anykept) {
                        valid++;
                        if (start == big) valid_big++;
                        compare_docs(d, f, r.s, step);
                    }
                }
                gd_doc_destroy(&f);
                gp_program_free(&prog);
            }
            /* now and then, restart from a valid text */
            if (rnd(25) == 0) {
                ref_set(&r, start);
                cJSON_Delete(gd_doc_reset(d, r.s, r.n));
            }
        }
        free(r.s);
        gd_doc_destroy(&d);
    }
    free(big);
    CHECK(valid > steps / 4 && valid_big > 100, "enough valid states compared (%d of %d, %d long)",
          valid, steps, valid_big);
    printf("random edits: %d steps, %d valid states compared with a fresh parse (%d of a long text)\n",
           steps, valid, valid_big);
}

/* Deleting each separator of a long text (so also those at chunk
 * boundaries, where tokens may join) and putting it back agrees with
 * fresh parses. */
static void test_boundaries(void) {
    char *big = malloc(20000);
    size_t bn = 0;
    for (int i = 0; i < 200; i++)
        bn += (size_t)snprintf(big + bn, 20000 - bn, i % 3 == 0 ? "x%d " : i % 3 == 1 ? "y%d\n" : "z%d ", i);
    ref r = {0};
    ref_set(&r, big);
    gd_doc *d = gd_doc_new("user", NULL);
    cJSON_Delete(gd_doc_reset(d, r.s, r.n));
    int compared = 0;
    for (size_t c = 0; c < nchars(r.s, r.n); c++) {
        char ch = r.s[byte_at(r.s, r.n, c)];
        if (ch != ' ' && ch != '\n') continue;
        char put[2] = {ch, 0};
        bool ok;
        for (int phase = 0; phase < 2; phase++) {
            cJSON_Delete(phase ? edit(d, &r, c, 0, put, &ok) : edit(d, &r, c, 1, "", &ok));
            gd_doc *f = gd_doc_new("user", NULL);
            cJSON_Delete(gd_doc_reset(f, r.s, r.n));
            compare_docs(d, f, r.s, (int)c);
            compared++;
            gd_doc_destroy(&f);
        }
    }
    /* a #_ before each separator discards the form after it, also when
     * that form starts the next chunk */
    for (size_t c = 0; c < nchars(r.s, r.n); c++) {
        char ch = r.s[byte_at(r.s, r.n, c)];
        if (ch != ' ' && ch != '\n') continue;
        bool ok;
        cJSON_Delete(edit(d, &r, c, 0, " #_", &ok));
        gd_doc *f = gd_doc_new("user", NULL);
        cJSON_Delete(gd_doc_reset(f, r.s, r.n));
        compare_docs(d, f, r.s, (int)c);
        gd_doc_destroy(&f);
        cJSON_Delete(edit(d, &r, c, 3, "", &ok));
        c += 3;
    }
    /* an opening bracket early and its closer chunks later */
    bool ok;
    size_t open_at = cpos(&r, "y10\n"), close_at = cpos(&r, "z170 ") + 4;
    cJSON *p = edit(d, &r, open_at, 0, "(", &ok);
    CHECK(ok && !p, "an unclosed bracket pushes nothing");
    cJSON_Delete(p);
    p = edit(d, &r, close_at + 1, 0, ")", &ok);
    CHECK(ok && p && remove_count(p) > 100, "its closer far away makes one form of the rest (%d removed)",
          p ? remove_count(p) : -1);
    cJSON_Delete(p);
    gd_doc *f = gd_doc_new("user", NULL);
    cJSON_Delete(gd_doc_reset(f, r.s, r.n));
    compare_docs(d, f, r.s, -1);
    gd_doc_destroy(&f);
    CHECK(compared > 200, "boundary edits compared: %d", compared);
    free(r.s);
    free(big);
    gd_doc_destroy(&d);
}

/* ---- locate ------------------------------------------------------------------------- */

static void test_locate(void) {
    ref r = {0};
    ref_set(&r, "(def é 1)\n! (do (? :x (+ é 2)) (? :y é))\n");
    gd_doc *d = gd_doc_new("user", NULL);
    cJSON *p = gd_doc_reset(d, r.s, r.n);
    const char *id = gw_str(push_form(p, 1), "id");
    char fid[40];
    snprintf(fid, sizeof fid, "%s", id);
    const char *ftext = gw_str(push_form(p, 1), "text");
    size_t offx = (size_t)(strstr(ftext, "(? :x") - ftext), offy = (size_t)(strstr(ftext, "(? :y") - ftext);
    cJSON_Delete(p);
    long out[4];
    bool ok = gd_doc_locate(d, fid, offx, out);
    size_t sx = cpos(&r, "(? :x");
    CHECK(ok && out[0] == (long)sx + 1 && out[1] == (long)sx + 1 + 14 && out[2] == 0 && out[3] == 0,
          "locate :x -> %ld %ld %ld %ld", out[0], out[1], out[2], out[3]);
    ok = gd_doc_locate(d, fid, offy, out);
    size_t sy = cpos(&r, "(? :y");
    CHECK(ok && out[0] == (long)sy + 1 && out[1] == (long)sy + 1 + 8, "locate :y");
    CHECK(!gd_doc_locate(d, fid, offx + 1, out), "an offset inside a token finds nothing");
    CHECK(!gd_doc_locate(d, "h:nope", 0, out), "an unknown id finds nothing");
    CHECK(!gd_doc_locate(d, fid, 100000, out), "an offset past the form finds nothing");
    CHECK(!gd_doc_locate(d, "def:é", 5, out), "a non-list finds nothing");

    /* rewrite :x with an annotation (not sent): :y moves, its old offset still finds it */
    bool eok;
    p = edit(d, &r, sx + 14 - 1, 0, " #_{:alpha 3, :béta 3}", &eok);
    CHECK(eok && !p, "annotation not pushed");
    cJSON_Delete(p);
    ok = gd_doc_locate(d, fid, offx, out);
    size_t ann = cpos(&r, "#_{:alpha");
    CHECK(ok && out[0] == (long)sx + 1 && out[1] == (long)sx + 1 + 14 + 22 && out[2] == (long)ann + 1 &&
              out[3] == (long)ann + 1 + 21,
          "locate :x with annotation -> %ld %ld %ld %ld", out[0], out[1], out[2], out[3]);
    sy = cpos(&r, "(? :y");
    ok = gd_doc_locate(d, fid, offy, out);
    CHECK(ok && out[0] == (long)sy + 1 && out[1] == (long)sy + 1 + 8,
          "the old offset of :y maps to its new place (%ld, want %zu)", out[0], sy + 1);
    /* again (cached) */
    ok = gd_doc_locate(d, fid, offy, out);
    CHECK(ok && out[0] == (long)sy + 1, "mapped again from the cache");
    /* a comment inside the list is not the last element */
    p = edit(d, &r, cpos(&r, "#_{:alpha") + 21, 0, " ; hi\n", &eok);
    cJSON_Delete(p);
    ok = gd_doc_locate(d, fid, offx, out);
    ann = cpos(&r, "#_{:alpha");
    CHECK(ok && out[2] == (long)ann + 1, "annotation found before a trailing comment");
    /* while the form is broken, nothing is located */
    p = edit(d, &r, cpos(&r, "(? :y"), 1, "", &eok);
    cJSON_Delete(p);
    CHECK(!gd_doc_locate(d, fid, offx, out), "a broken form locates nothing");
    free(r.s);
    gd_doc_destroy(&d);
}

/* Rewrites of the `?` forms' annotations (never sent), many times over,
 * with comments and newlines added in between, in a text of several
 * chunks: the offsets of the text last sent keep finding their lists.
 * Then a real change sends new text, whose offsets are the ones to use;
 * and a stray closer in the same chunk (a tree with an error) changes
 * nothing. */
typedef struct qform {
    const char *head;   /* the list up to its annotation */
    int form;           /* 0: F1, 1: F2 */
    size_t off;         /* offset in the sent text */
    char ann[40];       /* current annotation, "" for none */
} qform;

static bool check_q(gd_doc *d, const ref *r, const char *id, const qform *q, const char *what) {
    const char *p = strstr(r->s, q->head);
    if (!p) { CHECK(0, "%s: no %s", what, q->head); return false; }
    size_t b = (size_t)(p - r->s), hl = strlen(q->head), al = strlen(q->ann);
    long start = (long)nchars(r->s, b) + 1;
    long end = (long)nchars(r->s, b + hl + (al ? 1 + al : 0) + 1) + 1;
    long as = al ? (long)nchars(r->s, b + hl + 1) + 1 : 0, ae = al ? (long)nchars(r->s, b + hl + 1 + al) + 1 : 0;
    long out[4] = {-1, -1, -1, -1};
    bool ok = gd_doc_locate(d, id, q->off, out);
    bool good = ok && out[0] == start && out[1] == end && out[2] == as && out[3] == ae;
    CHECK(good, "%s: locate %s -> %d %ld %ld %ld %ld, want %ld %ld %ld %ld", what, q->head, ok, out[0], out[1],
          out[2], out[3], start, end, as, ae);
    return good;
}

/* Sets Q's annotation to ANN (inserting or replacing it); asserts that
 * nothing is pushed. */
static void set_ann(gd_doc *d, ref *r, qform *q, const char *ann) {
    const char *p = strstr(r->s, q->head);
    size_t b = (size_t)(p - r->s) + strlen(q->head);
    size_t old = q->ann[0] ? 1 + nchars(q->ann, strlen(q->ann)) : 0;
    char put[48];
    snprintf(put, sizeof put, " %s", ann);
    bool ok;
    cJSON *push = edit(d, r, nchars(r->s, b), old, put, &ok);
    CHECK(ok && !push, "rewriting %s's annotation pushes nothing", q->head);
    cJSON_Delete(push);
    snprintf(q->ann, sizeof q->ann, "%s", ann);
}

static void test_locate_rewrites(void) {
    char *text = malloc(20000);
    size_t n = 0;
    for (int i = 0; i < 120; i++) n += (size_t)snprintf(text + n, 20000 - n, "(def a%d %d)\n", i, i);
    n += (size_t)snprintf(text + n, 20000 - n,
                          "! (do (? :a 1) (? :b (+ 1 2)) (? :c \"é\"))\n(defn g [x] (? :d (* x 2)))\n");
    for (int i = 0; i < 60; i++) n += (size_t)snprintf(text + n, 20000 - n, "(def b%d %d)\n", i, i);
    ref r = {0};
    ref_set(&r, text);
    free(text);
    gd_doc *d = gd_doc_new("user", NULL);
    cJSON *p = gd_doc_reset(d, r.s, r.n);
    qform qs[4] = {{"(? :a 1", 0, 0, ""}, {"(? :b (+ 1 2)", 0, 0, ""}, {"(? :c \"é\"", 0, 0, ""},
                   {"(? :d (* x 2)", 1, 0, ""}};
    char ids[2][64] = {"", ""};
    for (int i = 0; i < push_count(p); i++) {
        const char *t = gw_str(push_form(p, i), "text");
        int k = strstr(t, "(? :a") ? 0 : strstr(t, "(? :d") ? 1 : -1;
        if (k < 0) continue;
        snprintf(ids[k], sizeof ids[k], "%s", gw_str(push_form(p, i), "id"));
        for (int j = 0; j < 4; j++)
            if (qs[j].form == k) qs[j].off = (size_t)(strstr(t, qs[j].head) - t);
    }
    cJSON_Delete(p);
    CHECK(ids[0][0] && ids[1][0], "both forms pushed");
    /* F1 is located once before its first rewrite, F2 only after */
    check_q(d, &r, ids[0], &qs[0], "before rewrites");
    int good = 0, tries = 0;
    for (int round = 0; round < 12; round++) {
        for (int j = 0; j < 4; j++) {
            qform *q = &qs[(j + round) % 4];
            char ann[40];
            snprintf(ann, sizeof ann, round % 3 ? "#_{:n1 %d, :n2 \"é%d\"}" : "#_{:n1 %d}", round * 997 * (j + 1),
                     round);
            set_ann(d, &r, q, ann);
            for (int k = 0; k < 4; k++) {
                char what[40];
                snprintf(what, sizeof what, "round %d rewrite %d", round, j);
                good += check_q(d, &r, ids[qs[k].form], &qs[k], what);
                tries++;
            }
        }
        bool ok;
        if (round == 4) { /* a comment inside F1 */
            p = edit(d, &r, cpos(&r, "(do ") + 4, 0, "; note\n    ", &ok);
            CHECK(ok && !p, "a comment pushes nothing");
            cJSON_Delete(p);
        }
        if (round == 7) { /* a newline and a #_ form inside F2 */
            p = edit(d, &r, cpos(&r, "(? :d"), 0, "#_(old) \n  ", &ok);
            CHECK(ok && !p, "a newline and a #_ form push nothing");
            cJSON_Delete(p);
        }
    }
    CHECK(good == tries && tries == 12 * 4 * 4, "all %d locates through rewrites (%d good)", tries, good);

    /* a real change: the new text is sent, its offsets count */
    bool ok;
    p = edit(d, &r, cpos(&r, "(+ 1 2)") + 5, 1, "3", &ok);
    qs[1].head = "(? :b (+ 1 3)";
    /* (the forms after F1 moved a line down with the comment: they come too) */
    const char *t = NULL;
    for (int i = 0; p && i < push_count(p) && !t; i++) {
        t = gw_str(push_form(p, i), "text");
        if (!strstr(t, "(? :a")) t = NULL;
        /* its id may change with its hash */
        else snprintf(ids[0], sizeof ids[0], "%s", gw_str(push_form(p, i), "id"));
    }
    CHECK(ok && t && strstr(t, "(+ 1 3)") && strstr(t, "; note"), "a real change pushes F1's new text");
    if (t) {
        for (int j = 0; j < 3; j++) qs[j].off = (size_t)(strstr(t, qs[j].head) - t);
    }
    cJSON_Delete(p);
    for (int j = 0; j < 4; j++) check_q(d, &r, ids[qs[j].form], &qs[j], "after the change");
    for (int round = 0; round < 3; round++)
        for (int j = 0; j < 4; j++) {
            set_ann(d, &r, &qs[j], round % 2 ? "#_{:n1 :long-value-here}" : "#_{:n1 1}");
            for (int k = 0; k < 4; k++) check_q(d, &r, ids[qs[k].form], &qs[k], "rewrites after the change");
        }

    /* a stray closer in the chunk: the tree has an error around F2 */
    p = edit(d, &r, cpos(&r, "(def b0 ") , 0, ") ", &ok);
    CHECK(ok, "a stray closer");
    cJSON_Delete(p);
    for (int j = 0; j < 4; j++) {
        set_ann(d, &r, &qs[j], j % 2 ? "#_{:n1 22}" : "#_{:n1 \"stray\"}");
        for (int k = 0; k < 4; k++) check_q(d, &r, ids[qs[k].form], &qs[k], "with a stray closer");
    }
    free(r.s);
    gd_doc_destroy(&d);
}

/* ---- bad edits ------------------------------------------------------------------------ */

static void test_bad_edits(void) {
    gd_doc *d = gd_doc_new("user", NULL);
    cJSON_Delete(gd_doc_reset(d, "(a) é", strlen("(a) é")));
    cJSON *p = (cJSON *)1;
    char err[200];
    CHECK(!gd_doc_edit(d, 0, 0, 0, "", 0, &p, err, sizeof err) && p == NULL && err[0], "BEG 0");
    CHECK(!gd_doc_edit(d, 7, 7, 0, "", 0, &p, err, sizeof err), "BEG past the end");
    CHECK(gd_doc_edit(d, 6, 6, 0, "", 0, &p, err, sizeof err), "BEG at the end");
    CHECK(!gd_doc_edit(d, 5, 5, 2, "", 0, &p, err, sizeof err), "OLD-LEN past the end");
    CHECK(!gd_doc_edit(d, 1, 1, -1, "", 0, &p, err, sizeof err), "negative OLD-LEN");
    CHECK(!gd_doc_edit(d, 1, 3, 0, "é", strlen("é"), &p, err, sizeof err), "END - BEG mismatch");
    CHECK(gd_doc_edit(d, 5, 6, 1, "ü", strlen("ü"), &p, err, sizeof err), "replace the last char");
    size_t n;
    const char *t = gd_doc_text(d, &n);
    CHECK(n == strlen("(a) ü") && memcmp(t, "(a) ü", n) == 0, "text after the good edit");
    cJSON_Delete(p);
    gd_doc_destroy(&d);
    gd_doc_destroy(&d); /* NULL-safe */
}

/* ---- cost in a 5,000-line buffer ------------------------------------------------ */

static void test_timing(void) {
    size_t cap = 1 << 20, n = 0;
    char *text = malloc(cap);
    for (int i = 0; n < cap - 400 && i < 1000; i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "(defn f%d [x]\n  (let [y (* x %d)]\n    (+ x y)))\n\n! (? :q%d (f%d %d))\n",
                              i, i, i, i, i);
    gd_doc *d = gd_doc_new("user", NULL);
    double t0 = now_ms();
    cJSON *p = gd_doc_reset(d, text, n);
    double t_full = now_ms() - t0;
    cJSON_Delete(p);
    size_t lines = 0;
    for (size_t i = 0; i < n; i++) lines += text[i] == '\n';
    CHECK(gd_doc_count(d) == 2000, "2000 forms in the big buffer (%zu)", gd_doc_count(d));
    /* type and delete a digit in the middle: inside a form (a push) and
     * between forms (none) */
    long mid = (long)nchars(text, n) / 2;
    const char *midp = strstr(text + n / 2, "(* x ");
    long in_form = (long)nchars(text, (size_t)(midp - text)) + 5;
    int reps = 500;
    double worst = 0;
    t0 = now_ms();
    for (int i = 0; i < reps; i++) {
        char err[100];
        double a = now_ms();
        long at = i % 2 ? mid : in_form;
        gd_doc_edit(d, at, at + 1, 0, "7", 1, &p, err, sizeof err);
        cJSON_Delete(p);
        gd_doc_edit(d, at, at, 1, "", 0, &p, err, sizeof err);
        cJSON_Delete(p);
        double b = (now_ms() - a) / 2;
        if (b > worst) worst = b;
    }
    double per = (now_ms() - t0) / (reps * 2);
    /* a `?` form in the middle gets a new annotation (not sent) for every
     * value, and each value is located: the sent offset is mapped onto
     * the rewritten text */
    size_t qn;
    const char *qt = gd_doc_text(d, &qn);
    long qc = (long)nchars(qt, (size_t)(strstr(qt, "(? :q500 ") - qt)) + 1;
    char qid[64] = "";
    gd_form_info fi;
    for (size_t i = 0; gd_doc_form(d, i, &fi); i++)
        if (fi.start == qc) snprintf(qid, sizeof qid, "%s", fi.id);
    long qlen = (long)strlen("(? :q500 (f500 500))"), annlen = 0;
    int located = 0, lreps = 300;
    double t_loc = 0;
    for (int i = 0; i < lreps; i++) {
        char ann[40], err[100];
        snprintf(ann, sizeof ann, " #_{:n1 %d}", i * 7919);
        long at = qc + qlen - 1;
        gd_doc_edit(d, at, at + (long)strlen(ann), annlen, ann, strlen(ann), &p, err, sizeof err);
        cJSON_Delete(p);
        annlen = (long)strlen(ann);
        long out[4];
        double a = now_ms();
        located += gd_doc_locate(d, qid, 0, out) && out[0] == qc && out[3] == qc + qlen - 1 + annlen;
        t_loc += now_ms() - a;
    }
    CHECK(located == lreps, "the rewritten `?` form located every time (%d of %d)", located, lreps);
    printf("timing (this build, CPU time): %zu lines, %zu forms: full parse %.2f ms; one-char edit %.3f ms "
           "average, %.3f ms worst; locate after a rewrite %.4f ms\n",
           lines, gd_doc_count(d), t_full, per, worst, t_loc / lreps);
    gd_doc_destroy(&d);
    free(text);
}

int main(void) {
    test_fresh();
    test_push_diff();
    test_orders();
    test_broken();
    test_locate();
    test_locate_rewrites();
    test_bad_edits();
    test_random_edits();
    test_boundaries();
    CHECK(loc_tried > 1000 && loc_found >= loc_tried - loc_tried / 100,
          "list forms located at offset 0 in compared states: %ld of %ld", loc_found, loc_tried);
    test_timing();
    printf("test_doc: %d passed, %d failed\n", npass, nfail);
    return nfail != 0;
}
