/* test_program.c — unit tests of the form splitter (program.c).
 *
 * Splitting (forms, `!` markers, texts, byte ranges, line/column after
 * UTF-8, tabs, CRLF and lone CR), ids (def:/ns:/h:, metadata before the
 * name, repeats ~2 ~3), the canonical hash (an independent FNV-1a of the
 * expected token text; whitespace, commas, comments and #_ do not change
 * it), brackets hidden in strings, chars, regexes and comments, errors for
 * unbalanced text, gp_form_json, deep nesting, random and mutated inputs
 * (nothing may crash; what splits re-splits the same), and a cross-check
 * against the real reader: on every conformance case file the splitter
 * finds exactly the top-level forms gv_reader_read finds, at the same
 * positions.
 *
 * Prints "test_program: N passed, M failed"; exit status 1 on failure.
 */
#include "program.h"
#include "vm.h"

#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>

static int npass, nfail;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (cond) npass++;                                                      \
        else {                                                                  \
            nfail++;                                                            \
            if (nfail <= 60) {                                                  \
                fprintf(stderr, "test_program.c:%d: FAIL: ", __LINE__);         \
                fprintf(stderr, __VA_ARGS__);                                   \
                fputc('\n', stderr);                                            \
            }                                                                   \
        }                                                                       \
    } while (0)

#define STREQ(a, b) (strcmp((a) ? (a) : "(null)", (b)) == 0)

/* An FNV-1a 64 written from the definition, not from program.c. */
static uint64_t fnv(const char *s) {
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t ch(const char *s) { return gp_canon_hash(s, strlen(s)); }

static bool split(const char *src, gp_program *p, char *err, size_t n) {
    return gp_split(src, strlen(src), p, err, n);
}

/* ---- splitting ----------------------------------------------------------- */

static void test_basic(void) {
    const char *src =
        "(ns demo.core)\n"
        "\n"
        "(defn square [x] (* x x))\n"
        "! (? :sq (square 7))\n"
        "!(println \"hi\")\n"
        "!\n"
        "  (def y 2)\n"
        ":kw 42 sym\n";
    gp_program p;
    char err[200];
    bool ok = split(src, &p, err, sizeof err);
    CHECK(ok, "split failed: %s", err);
    if (!ok) return;
    CHECK(p.count == 8, "count %zu", p.count);
    if (p.count != 8) { gp_program_free(&p); return; }
    CHECK(STREQ(p.forms[0].id, "ns:demo.core"), "id0 %s", p.forms[0].id);
    CHECK(!p.forms[0].live, "live0");
    CHECK(STREQ(p.forms[1].id, "def:square"), "id1 %s", p.forms[1].id);
    CHECK(p.forms[1].line == 3 && p.forms[1].col == 1, "pos1 %d:%d", p.forms[1].line, p.forms[1].col);
    CHECK(STREQ(p.forms[2].text, "(? :sq (square 7))"), "text2 %s", p.forms[2].text);
    CHECK(p.forms[2].live, "live2");
    CHECK(p.forms[2].line == 4 && p.forms[2].col == 3, "pos2 %d:%d", p.forms[2].line, p.forms[2].col);
    char want[20];
    snprintf(want, sizeof want, "h:%016" PRIx64, fnv("( ? :sq ( square 7 ) )"));
    CHECK(STREQ(p.forms[2].id, want), "id2 %s want %s", p.forms[2].id, want);
    CHECK(STREQ(p.forms[2].hash, want + 2), "hash2 %s", p.forms[2].hash);
    CHECK(p.forms[3].live && p.forms[3].col == 2, "!( live, col %d", p.forms[3].col);
    CHECK(STREQ(p.forms[3].text, "(println \"hi\")"), "text3 %s", p.forms[3].text);
    CHECK(p.forms[4].live && STREQ(p.forms[4].id, "def:y"), "! on its own line");
    CHECK(p.forms[4].line == 7 && p.forms[4].col == 3, "pos4 %d:%d", p.forms[4].line, p.forms[4].col);
    CHECK(!p.forms[5].live && STREQ(p.forms[5].text, ":kw"), "atom form %s", p.forms[5].text);
    CHECK(STREQ(p.forms[6].text, "42") && STREQ(p.forms[7].text, "sym"), "atoms");
    /* byte ranges */
    for (size_t i = 0; i < p.count; i++) {
        const gp_form *f = &p.forms[i];
        CHECK(f->end > f->start && f->end - f->start == strlen(f->text) &&
                  memcmp(src + f->start, f->text, strlen(f->text)) == 0,
              "range of form %zu", i);
    }
    /* the hash field equals gp_canon_hash of the text */
    for (size_t i = 0; i < p.count; i++) {
        char h[17];
        snprintf(h, sizeof h, "%016" PRIx64, ch(p.forms[i].text));
        CHECK(STREQ(p.forms[i].hash, h), "hash field of %zu", i);
    }
    gp_program_free(&p);
    CHECK(p.forms == NULL && p.count == 0, "free clears");
}

/* Splits SRC and checks the texts of its forms ("|"-separated) and which
 * are live ('L' or '-' per form). */
static void expect_forms(int line, const char *src, const char *texts, const char *live) {
    gp_program p;
    char err[200];
    if (!split(src, &p, err, sizeof err)) {
        nfail++;
        fprintf(stderr, "test_program.c:%d: FAIL: split of [%s]: %s\n", line, src, err);
        return;
    }
    char got[1000] = "", gl[100] = "";
    for (size_t i = 0; i < p.count; i++) {
        if (i) strncat(got, "|", sizeof got - strlen(got) - 1);
        strncat(got, p.forms[i].text, sizeof got - strlen(got) - 1);
        if (i < sizeof gl - 1) gl[i] = p.forms[i].live ? 'L' : '-';
    }
    bool ok = strcmp(got, texts) == 0 && strcmp(gl, live) == 0;
    if (ok) npass++;
    else {
        nfail++;
        fprintf(stderr, "test_program.c:%d: FAIL: [%s]\n  want %s %s\n  got  %s %s\n", line, src,
                texts, live, got, gl);
    }
    gp_program_free(&p);
}
#define FORMS(src, texts, live) expect_forms(__LINE__, src, texts, live)

static void test_lexical(void) {
    FORMS("(a \")\") (b)", "(a \")\")|(b)", "--");
    FORMS("(a \\) \\( \\;) (b)", "(a \\) \\( \\;)|(b)", "--");
    FORMS("(a ; )\n) (b)", "(a ; )\n)|(b)", "--");
    FORMS("(re-find #\"\\)\\\"(\" s) x", "(re-find #\"\\)\\\"(\" s)|x", "--");
    FORMS("\"a\\\"b\" c", "\"a\\\"b\"|c", "--");
    FORMS("#!/usr/bin/env grove\n(a)", "(a)", "-");
    FORMS("\xEF\xBB\xBF(ns x)", "(ns x)", "-");
    FORMS("'(a b) `(c ~d ~@e) @f #'g", "'(a b)|`(c ~d ~@e)|@f|#'g", "----");
    FORMS("^:private (def x 1) ^{:a 1} [y]", "^:private (def x 1)|^{:a 1} [y]", "--");
    FORMS("#^:m (f) #inst \"2020\" #:a{:b 1} #::{:c 2} ##Inf #?(:clj 1)",
          "#^:m (f)|#inst \"2020\"|#:a{:b 1}|#::{:c 2}|##Inf|#?(:clj 1)", "------");
    FORMS("#{1 2} #(inc %) #\"x\"", "#{1 2}|#(inc %)|#\"x\"", "---");
    FORMS("' (a)", "' (a)", "-");
    FORMS("^ :m ^ :n x y", "^ :m ^ :n x|y", "--");
    /* a top-level #_ drops the next form, which is then not in the program */
    FORMS("#_(a) (b) #_ #_ c d e", "(b)|e", "--");
    FORMS("! #_(a) (b)", "(b)", "L");
    FORMS("#_ ! (a)", "(a)", "-");
    FORMS("'#_ a b", "'#_ a b", "-");
    /* ! is a marker only as a whole symbol */
    FORMS("!'x (a)", "!'x|(a)", "--");
    FORMS("!! (a)", "!!|(a)", "--");
    FORMS("! ! (a) !", "(a)", "L");
    FORMS("!;c\n(a)", "(a)", "L");
    FORMS("", "", "");
    FORMS("  ; only a comment\n ,,, ", "", "");
    /* numbers end at any macro, symbols only at terminating ones */
    FORMS("1'a a'b", "1|'a|a'b", "---");
    FORMS("a#b 1#b c", "a#b|1|#b c", "---");
    /* broken inside but balanced: still returned */
    FORMS("(foo 1.2.3) {:a} (#<x>) \\xyz", "(foo 1.2.3)|{:a}|(#<x>)|\\xyz", "----");
    FORMS("# (a)", "#|(a)", "--");
}

static void expect_err(int line, const char *src, const char *want) {
    gp_program p = {(gp_form *)1, 99};
    char err[200] = "unset";
    bool ok = split(src, &p, err, sizeof err);
    bool good = !ok && strcmp(err, want) == 0 && p.forms == NULL && p.count == 0;
    if (good) npass++;
    else {
        nfail++;
        fprintf(stderr, "test_program.c:%d: FAIL: [%s]\n  want error %s\n  got %s %s\n", line, src,
                want, ok ? "ok" : "error", err);
    }
    if (ok) gp_program_free(&p);
}
#define ERR(src, want) expect_err(__LINE__, src, want)

static void test_errors(void) {
    ERR("(a", "1:1: EOF while reading, starting at line 1");
    ERR("(a)\n  (b [c\n", "2:6: EOF while reading, starting at line 2");
    ERR("(a))", "1:4: Unmatched delimiter: )");
    ERR(")", "1:1: Unmatched delimiter: )");
    ERR("(a]", "1:3: Unmatched delimiter: ]");
    ERR("{(a})", "1:4: Unmatched delimiter: }");
    ERR("(a \"bc)", "1:4: EOF while reading string");
    ERR("x #\"ab", "1:3: EOF while reading regex");
    ERR("(a \\", "1:4: EOF while reading character");
    ERR("(a) 'b '", "1:8: EOF while reading");
    ERR("^:m", "1:1: EOF while reading");
    ERR("#_ (a", "1:4: EOF while reading, starting at line 1");
    ERR("#_ )", "1:4: Unmatched delimiter: )");
    ERR("(a)\r\n(b\r\n", "2:1: EOF while reading, starting at line 2");
    /* ERR may be NULL or short */
    gp_program p;
    CHECK(!gp_split("(", 1, &p, NULL, 0), "NULL err");
    char small[5];
    CHECK(!gp_split("(", 1, &p, small, sizeof small) && strlen(small) == 4, "short err");
}

static void test_positions(void) {
    /* columns count code points; tabs are one column; CRLF is one line
     * end, a lone CR is one too */
    gp_program p;
    char err[200];
    const char *src = "\"\xC3\xA9\xE2\x82\xAC\" (a)\n\t(b)\r\n(c)\r(d) \xF0\x9F\x98\x80 (e)";
    bool ok = split(src, &p, err, sizeof err);
    CHECK(ok && p.count == 7, "utf8 split");
    if (ok && p.count == 7) {
        CHECK(p.forms[1].line == 1 && p.forms[1].col == 6, "after utf8 %d:%d", p.forms[1].line, p.forms[1].col);
        CHECK(p.forms[2].line == 2 && p.forms[2].col == 2, "tab %d:%d", p.forms[2].line, p.forms[2].col);
        CHECK(p.forms[3].line == 3 && p.forms[3].col == 1, "crlf %d:%d", p.forms[3].line, p.forms[3].col);
        CHECK(p.forms[4].line == 4 && p.forms[4].col == 1, "cr %d:%d", p.forms[4].line, p.forms[4].col);
        CHECK(p.forms[6].line == 4 && p.forms[6].col == 7, "emoji %d:%d", p.forms[6].line, p.forms[6].col);
        CHECK(STREQ(p.forms[5].text, "\xF0\x9F\x98\x80"), "emoji symbol");
    }
    if (ok) gp_program_free(&p);
    /* unicode whitespace separates forms */
    ok = split("a\xE2\x80\x80" "b", &p, err, sizeof err);
    CHECK(ok && p.count == 2, "U+2000 is whitespace");
    if (ok) gp_program_free(&p);
}

/* ---- ids ---------------------------------------------------------------- */

static void expect_id(int line, const char *src, const char *want) {
    gp_program p;
    char err[200];
    if (!split(src, &p, err, sizeof err) || p.count != 1) {
        nfail++;
        fprintf(stderr, "test_program.c:%d: FAIL: split of [%s]\n", line, src);
        if (p.count) gp_program_free(&p);
        return;
    }
    char buf[64];
    if (strcmp(want, "h") == 0) {
        snprintf(buf, sizeof buf, "h:%s", p.forms[0].hash);
        want = buf;
    }
    if (strcmp(p.forms[0].id, want) == 0) npass++;
    else {
        nfail++;
        fprintf(stderr, "test_program.c:%d: FAIL: id of [%s]: want %s got %s\n", line, src, want,
                p.forms[0].id);
    }
    gp_program_free(&p);
}
#define ID(src, want) expect_id(__LINE__, src, want)

static void test_ids(void) {
    ID("(def x 1)", "def:x");
    ID("(defn f [x] x)", "def:f");
    ID("(defn- g [] 1)", "def:g");
    ID("(defmacro m [] 1)", "def:m");
    ID("(defonce state (atom {}))", "def:state");
    ID("(defmulti area :shape)", "def:area");
    ID("(defrecord Point [x y])", "def:Point");
    ID("(defprotocol-ish P)", "def:P");
    ID("( defn\n  ,, h [] 1)", "def:h");
    ID("(def ^:private x 1)", "def:x");
    ID("(defn ^{:doc \"a (b\" :k [1 2]} ^String f [] 1)", "def:f");
    ID("(def #_ignored x 1)", "def:x");
    ID("(def a/b 1)", "def:a/b");
    ID("(ns demo.core (:require [clojure.string :as s]))", "ns:demo.core");
    ID("(ns ^{:doc \"d\"} a.b)", "ns:a.b");
    ID("(def)", "h");
    ID("(def :k 1)", "h");
    ID("(def \"s\" 1)", "h");
    ID("(def 1 1)", "h");
    ID("(def [x] 1)", "h");
    ID("(nsx a)", "h");
    ID("(xdef a)", "h");
    ID("[def a]", "h");
    ID("#(def a)", "h");
    ID("(? :sq (square 7))", "h");
    ID("'(def a 1)", "h");

    gp_program p;
    char err[200];
    const char *src = "(def x 1) (? a) (def x 2) (defn x []) ( ?  a ) (? b)";
    bool ok = split(src, &p, err, sizeof err);
    CHECK(ok && p.count == 6, "repeat split");
    if (ok && p.count == 6) {
        CHECK(STREQ(p.forms[0].id, "def:x"), "rep0 %s", p.forms[0].id);
        CHECK(STREQ(p.forms[2].id, "def:x~2"), "rep2 %s", p.forms[2].id);
        CHECK(STREQ(p.forms[3].id, "def:x~3"), "rep3 %s", p.forms[3].id);
        char w[40];
        snprintf(w, sizeof w, "h:%016" PRIx64 "~2", fnv("( ? a )"));
        CHECK(STREQ(p.forms[4].id, w), "rep4 %s want %s", p.forms[4].id, w);
        CHECK(p.forms[1].id[0] == 'h' && strchr(p.forms[1].id, '~') == NULL, "rep1 %s", p.forms[1].id);
        CHECK(strchr(p.forms[5].id, '~') == NULL, "rep5 %s", p.forms[5].id);
    }
    if (ok) gp_program_free(&p);

    /* many repeats: the renaming stays correct past the table's growth */
    char *big = malloc(32 * 3000 + 1);
    size_t n = 0;
    for (int i = 0; i < 3000; i++) n += (size_t)sprintf(big + n, "(def v%d 1)(def v 1)", i % 1000);
    ok = gp_split(big, n, &p, err, sizeof err);
    CHECK(ok && p.count == 6000, "big split");
    if (ok && p.count == 6000) {
        CHECK(STREQ(p.forms[1].id, "def:v"), "big v");
        CHECK(STREQ(p.forms[5999].id, "def:v~3000"), "big last %s", p.forms[5999].id);
        CHECK(STREQ(p.forms[2000].id, "def:v0~2"), "big v0~2 %s", p.forms[2000].id);
        CHECK(STREQ(p.forms[4000].id, "def:v0~3"), "big v0~3 %s", p.forms[4000].id);
    }
    if (ok) gp_program_free(&p);
    free(big);
}

/* ---- canonical hash ------------------------------------------------------ */

static void expect_canon(int line, const char *src, const char *tokens) {
    uint64_t got = ch(src), want = fnv(tokens);
    if (got == want) npass++;
    else {
        nfail++;
        fprintf(stderr, "test_program.c:%d: FAIL: canon of [%s] is not [%s]\n", line, src, tokens);
    }
}
#define CANON(src, tokens) expect_canon(__LINE__, src, tokens)

static void test_hash(void) {
    /* FNV-1a 64 test vectors */
    CHECK(ch("") == 0xcbf29ce484222325ULL, "empty");
    CHECK(ch("a") == 0xaf63dc4c8601ec8cULL, "a");
    CHECK(ch("foobar") == 0x85944171f73967e8ULL, "foobar");
    CANON("(? x)", "( ? x )");
    CANON("(? x #_{:alpha 1})", "( ? x )");
    CANON("(? x #_{:alpha 1, :beta [1 2]} )", "( ? x )");
    CANON("(?\n  x ; the value\n  ,,)", "( ? x )");
    CANON("(a #_ #_ b c d)", "( a d )");
    CANON("(a #_(b (c)) d)", "( a d )");
    CANON("(a #_^:m x d)", "( a d )");
    CANON("(a #_'x d)", "( a d )");
    CANON("(a #_)", "( a )");
    CANON("(a #_", "( a");
    CANON("(f \"a  b\" \\space \\( #\"x y\")", "( f \"a  b\" \\space \\( #\"x y\" )");
    CANON("#{1 2} #(inc %) ^:m [x] #'v @a `(b ~c ~@d)",
          "#{ 1 2 } #( inc % ) ^ :m [ x ] #' v @ a ` ( b ~ c ~@ d )");
    CANON("## Inf #?@(:clj [1]) #:a{:b 1} #inst \"x\"",
          "## Inf #?@ ( :clj [ 1 ] ) #:a { :b 1 } #inst \"x\"");
    CANON("{:a 1, :b 2}", "{ :a 1 :b 2 }");
    CANON("a,b", "a b");
    CHECK(ch("(? x)") != ch("(? y)"), "different forms differ");
    CHECK(ch("\"a b\"") != ch("\"a  b\""), "strings are exact");
    CHECK(ch("(a b)") != ch("(ab)"), "token boundaries count");
    CHECK(ch("[a]") != ch("(a)"), "brackets count");
}

static void test_json(void) {
    gp_program p;
    char err[200];
    bool ok = split("(def a 1)\n! (? :v (inc a))", &p, err, sizeof err);
    CHECK(ok && p.count == 2, "json split");
    if (!ok) return;
    cJSON *j = gp_form_json(&p.forms[1], 7);
    char *s = cJSON_PrintUnformatted(j);
    char want[300];
    snprintf(want, sizeof want,
             "{\"id\":\"h:%s\",\"text\":\"(? :v (inc a))\",\"live\":true,\"line\":2,\"col\":3,"
             "\"hash\":\"%s\",\"order\":7}",
             p.forms[1].hash, p.forms[1].hash);
    CHECK(STREQ(s, want), "json %s", s);
    free(s);
    cJSON_Delete(j);
    j = gp_form_json(&p.forms[0], 0);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(j, "live")), "json live false");
    CHECK(STREQ(cJSON_GetStringValue(cJSON_GetObjectItem(j, "id")), "def:a"), "json id");
    cJSON_Delete(j);
    gp_program_free(&p);
}

static void test_deep(void) {
    size_t depth = 200000;
    char *s = malloc(2 * depth + 8);
    memset(s, '(', depth);
    memset(s + depth, ')', depth);
    memcpy(s + 2 * depth, " (x)", 5);
    gp_program p;
    char err[200];
    bool ok = gp_split(s, strlen(s), &p, err, sizeof err);
    CHECK(ok && p.count == 2 && p.forms[0].end == 2 * depth, "deep split");
    if (ok) gp_program_free(&p);
    uint64_t h1 = gp_canon_hash(s, 2 * depth);
    s[2 * depth - 1] = ' ';
    ok = gp_split(s, strlen(s), &p, err, sizeof err);
    CHECK(!ok && strcmp(err, "1:1: EOF while reading, starting at line 1") == 0, "deep unbalanced %s", err);
    CHECK(gp_canon_hash(s, 2 * depth) != h1, "deep hash");
    /* #_ #_ #_ ... chains */
    for (size_t i = 0; i < depth; i++) memcpy(s + 2 * i, "#_", 2);
    memcpy(s + 2 * depth, " (x)", 5);
    ok = gp_split(s, strlen(s), &p, err, sizeof err);
    CHECK(!ok, "discard chain without enough forms");
    CHECK(gp_canon_hash(s, strlen(s)) == fnv(""), "discard chain hash");
    free(s);
}

/* ---- random and mutated inputs -------------------------------------------- */

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Checks the invariants of a split: increasing, non-overlapping ranges;
 * each form's text re-splits into exactly itself with the same hash. */
static void check_split(const char *src, size_t len) {
    gp_program p;
    char err[200];
    if (!gp_split(src, len, &p, err, sizeof err)) {
        CHECK(isdigit((unsigned char)err[0]) && strstr(err, ": "), "error format %s", err);
        return;
    }
    size_t last = 0;
    bool good = true;
    for (size_t i = 0; i < p.count; i++) {
        gp_form *f = &p.forms[i];
        if (f->start < last || f->end <= f->start || f->end > len) good = false;
        last = f->end;
        gp_program q;
        size_t fl = f->end - f->start; /* the text may hold NUL bytes */
        if (fl >= 3 && memcmp(f->text, "\xEF\xBB\xBF", 3) == 0) continue; /* BOM: start only */
        if (!gp_split(f->text, fl, &q, err, sizeof err)) { good = false; continue; }
        if (q.count != 1 || q.forms[0].end != fl || memcmp(q.forms[0].text, f->text, fl) != 0 ||
            strcmp(q.forms[0].hash, f->hash) != 0)
            good = false;
        gp_program_free(&q);
    }
    CHECK(good, "split invariants of [%.*s]", (int)(len > 80 ? 80 : len), src);
    gp_program_free(&p);
}

static void test_random(void) {
    static const char *pieces[] = {"(", ")", "[", "]", "{", "}", "#{", "#(", "\"", "\\", "\\(",
                                   ";", "\n", " ", "#_", "#", "'", "^", "!", "a", "1", ":k",
                                   "#\"", "~@", "@", "#?", "#:", "##", ",", "\r", "\xC3", "\xA9", "%"};
    char buf[256];
    for (int n = 0; n < 20000; n++) {
        size_t len = 0;
        size_t parts = rnd() % 40;
        for (size_t k = 0; k < parts; k++) {
            const char *pc = pieces[rnd() % (sizeof pieces / sizeof *pieces)];
            size_t l = strlen(pc);
            if (len + l >= sizeof buf) break;
            memcpy(buf + len, pc, l);
            len += l;
        }
        check_split(buf, len);
        (void)gp_canon_hash(buf, len);
    }
    /* random bytes */
    for (int n = 0; n < 5000; n++) {
        size_t len = rnd() % 64;
        for (size_t k = 0; k < len; k++) buf[k] = (char)rnd();
        check_split(buf, len);
    }
}

/* ---- cross-check with the reader ----------------------------------------- */

typedef struct xcheck {
    const char *src;
    size_t len;
    gv_pos pos[4096];
    int n;
} xcheck;

static gv_val read_all(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc;
    (void)argv;
    xcheck *x = data;
    gv_safepoint(vm);
    gv_reader r;
    gv_reader_init(&r, x->src, x->len, "x", 1, 1);
    gv_val v;
    gv_pos p;
    x->n = 0;
    while (x->n < 4096 && gv_reader_read(vm, &r, &v, &p)) x->pos[x->n++] = p;
    return GV_NILV;
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) { free(s); s = NULL; }
    fclose(f);
    if (s) { s[n] = 0; *len = (size_t)n; }
    return s;
}

static void test_reader_crosscheck(gv_vm *vm) {
    const char *dir = "test/conformance/cases";
    DIR *d = opendir(dir);
    CHECK(d != NULL, "cannot open %s (run from the repository root)", dir);
    if (!d) return;
    static xcheck x;
    int files = 0, agree = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t nl = strlen(e->d_name);
        if (nl < 5 || strcmp(e->d_name + nl - 4, ".clj") != 0) continue;
        char path[600];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len;
        char *src = slurp(path, &len);
        if (!src) continue;
        x.src = src;
        x.len = len;
        gv_val f = gv_native_new(vm, "read-all", read_all, &x, 0, 0), out;
        bool read_ok = gv_pcall(vm, f, 0, NULL, &out) == GV_OK && x.n < 4096;
        gp_program p;
        char err[200];
        bool split_ok = gp_split(src, len, &p, err, sizeof err);
        bool any_live = false;
        for (size_t i = 0; split_ok && i < p.count; i++) any_live |= p.forms[i].live;
        if (read_ok && !any_live && !strstr(src, "#?")) {
            /* the reader read it all: the splitter must agree */
            files++;
            bool same = split_ok && p.count == (size_t)x.n;
            for (int i = 0; same && i < x.n; i++) {
                gp_form *fm = &p.forms[i];
                same = fm->start == (size_t)x.pos[i].start && fm->end == (size_t)x.pos[i].end &&
                       fm->line == x.pos[i].line && fm->col == x.pos[i].col;
            }
            if (same) agree++;
            else CHECK(false, "%s: splitter and reader disagree (%s)", path, split_ok ? "forms" : err);
        }
        if (split_ok) gp_program_free(&p);
        free(src);
    }
    closedir(d);
    CHECK(files > 100 && agree == files, "reader cross-check: %d of %d files agree", agree, files);
}

int main(void) {
    test_basic();
    test_lexical();
    test_errors();
    test_positions();
    test_ids();
    test_hash();
    test_json();
    test_deep();
    test_random();
    gv_vm *vm = gv_vm_new();
    CHECK(vm != NULL, "vm");
    if (vm) {
        test_reader_crosscheck(vm);
        gv_vm_destroy(&vm);
    }
    printf("test_program: %d passed, %d failed\n", npass, nfail);
    return nfail ? 1 : 0;
}
