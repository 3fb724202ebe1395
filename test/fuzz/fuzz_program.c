/* fuzz_program.c — libFuzzer target for the form splitter (program.c).
 *
 * Splits the input and checks what came back: forms in order, inside the
 * input and not overlapping, each text the exact bytes of its range,
 * positions >= 1, ids unique and of the form def:/ns:/h:, each hash
 * equal to gp_canon_hash of the text, each text re-splitting into exactly
 * itself, and the form record's JSON carrying the same fields.  An error
 * must read "LINE:COL: reason".  gp_canon_hash also runs on the whole
 * input.  Crashes, hangs and sanitizer reports are what it looks for.
 *
 * Built by `make fuzz` with -fsanitize=fuzzer,address,undefined, and by
 * `make test` with test/fuzz/replay.c (ASan+UBSan, no libFuzzer) to rerun
 * the seed corpus test/fuzz/corpus/program/.  No global state.
 */
#include "program.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void bad(const char *what) {
    fprintf(stderr, "fuzz_program: invariant broken: %s\n", what);
    abort();
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_form(const char *src, size_t size, const gp_form *f, int order) {
    if (f->end <= f->start || f->end > size) bad("range");
    size_t n = f->end - f->start;
    if (memcmp(f->text, src + f->start, n) != 0 || f->text[n] != 0) bad("text");
    if (f->line < 1 || f->col < 1) bad("line/col");
    char h[17];
    snprintf(h, sizeof h, "%016" PRIx64, gp_canon_hash(f->text, n));
    if (strcmp(h, f->hash) != 0) bad("hash");
    if (strncmp(f->id, "def:", 4) != 0 && strncmp(f->id, "ns:", 3) != 0 &&
        (strncmp(f->id, "h:", 2) != 0 || strncmp(f->id + 2, f->hash, 16) != 0))
        bad("id shape");
    cJSON *j = gp_form_json(f, order);
    if (!j) bad("json");
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(j, "id"));
    const char *hs = cJSON_GetStringValue(cJSON_GetObjectItem(j, "hash"));
    if (!id || strcmp(id, f->id) || !hs || strcmp(hs, f->hash) ||
        cJSON_GetNumberValue(cJSON_GetObjectItem(j, "order")) != order ||
        cJSON_GetNumberValue(cJSON_GetObjectItem(j, "line")) != f->line ||
        cJSON_IsTrue(cJSON_GetObjectItem(j, "live")) != f->live)
        bad("json fields");
    cJSON_Delete(j);
    /* a byte order mark is skipped at the start of a text only: a form
     * that starts with one (a symbol made of it) does not re-split */
    if (n >= 3 && memcmp(f->text, "\xEF\xBB\xBF", 3) == 0) return;
    gp_program q;
    char err[128];
    if (!gp_split(f->text, n, &q, err, sizeof err)) bad("form does not re-split");
    if (q.count != 1 || q.forms[0].start != 0 || q.forms[0].end != n ||
        strcmp(q.forms[0].hash, f->hash) != 0 || q.forms[0].live)
        bad("form re-splits differently");
    gp_program_free(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *src = (const char *)data;
    (void)gp_canon_hash(src, size);
    gp_program p;
    char err[128];
    if (!gp_split(src, size, &p, err, sizeof err)) {
        if (p.forms || p.count) bad("error with forms");
        char *colon = strchr(err, ':');
        if (!isdigit((unsigned char)err[0]) || !colon || !isdigit((unsigned char)colon[1]) ||
            !strstr(err, ": "))
            bad("error format");
        return 0;
    }
    size_t last = 0;
    for (size_t i = 0; i < p.count; i++) {
        if (p.forms[i].start < last) bad("order");
        last = p.forms[i].end;
        check_form(src, size, &p.forms[i], (int)i);
    }
    if (p.count > 1) {
        char **ids = malloc(p.count * sizeof *ids);
        if (!ids) bad("malloc");
        for (size_t i = 0; i < p.count; i++) ids[i] = p.forms[i].id;
        qsort(ids, p.count, sizeof *ids, cmp_str);
        for (size_t i = 1; i < p.count; i++)
            if (strcmp(ids[i - 1], ids[i]) == 0) bad("repeated id");
        free(ids);
    }
    gp_program_free(&p);
    return 0;
}
