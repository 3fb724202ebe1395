/* fuzz_wire.c — libFuzzer target for the wire decoder (wire.c).
 *
 * For every input: gw_decode either refuses it with a one-line reason that
 * starts with a PROTOCOL.md error code, or accepts it and then encoding is
 * stable (decode, encode, decode, encode gives the same text twice); and
 * the broker's fast path gw_scan never accepts what gw_decode refuses, nor
 * reads another type or other space/query/session strings than gw_decode.
 * Every reason is valid UTF-8, also when cut to a small buffer.  The input
 * is tried with the default size limit and a small one.
 *
 * Built by `make fuzz-wire` with -fsanitize=fuzzer,address,undefined, and
 * by `make test` with test/fuzz/replay.c (ASan+UBSan, no libFuzzer) to
 * rerun the seed corpus test/fuzz/corpus/wire/.  No global state.
 */
#include "wire.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bad(const char *what, const uint8_t *data, size_t size) {
    fprintf(stderr, "fuzz_wire: invariant broken: %s\ninput (%zu bytes): %.*s\n", what, size,
            (int)(size < 400 ? size : 400), (const char *)data);
    abort();
}

static bool known_code(const char *err) {
    static const char *const codes[] = {"too-big: ", "bad-json: ", "bad-version: ",
                                        "bad-type: ", "bad-field: "};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (strncmp(err, codes[i], strlen(codes[i])) == 0) return true;
    return false;
}

/* A reason goes into an error message's JSON string: it must be UTF-8,
 * also when cut short. */
static bool utf8_ok(const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
        if (!n) return false;
        for (int i = 1; i < n; i++)
            if ((p[i] & 0xC0) != 0x80) return false;
        p += n;
    }
    return true;
}

static bool span_is(const char *p, size_t n, const char *s) {
    return s && strlen(s) == n && memcmp(p, s, n) == 0;
}

static void check(const uint8_t *data, size_t size, size_t max) {
    char err[200];
    memset(err, 'x', sizeof err);
    cJSON *m = gw_decode(data, size, max, err, sizeof err);
    gw_scanned sc;
    bool fast = gw_scan(data, size, max, &sc);
    if (!m) {
        if (!memchr(err, '\0', sizeof err)) bad("reason not terminated", data, size);
        if (!known_code(err)) bad("reason without an error code", data, size);
        if (strchr(err, '\n')) bad("reason of more than one line", data, size);
        if (!utf8_ok(err)) bad("reason is not UTF-8", data, size);
        if (fast) bad("gw_scan accepts what gw_decode refuses", data, size);
        for (size_t cut = 8; cut < 48; cut += 7) {
            char small[48];
            gw_decode(data, size, max, small, cut);
            if (strlen(small) >= cut || !utf8_ok(small)) bad("cut reason", data, size);
        }
        return;
    }
    if (err[0] != '\0') bad("a reason left on success", data, size);
    const char *type = gw_str(m, "type");
    if (!type) bad("accepted without a type", data, size);
    if (fast) {
        if (strcmp(sc.type, type) != 0) bad("gw_scan reads another type", data, size);
        if (strcmp(type, "value") == 0 &&
            (!span_is(sc.space, sc.space_len, gw_str(m, "space")) ||
             !span_is(sc.query, sc.query_len, gw_str(m, "query")) ||
             !span_is(sc.session, sc.session_len, gw_str(m, "session"))))
            bad("gw_scan reads other key fields", data, size);
    }
    size_t n1, n2;
    char *t1 = gw_encode(m, &n1);
    cJSON *m2 = t1 ? gw_decode(t1, n1, (size_t)-1, err, sizeof err) : NULL;
    if (!m2) bad("an accepted message does not decode after encoding", data, size);
    char *t2 = gw_encode(m2, &n2);
    if (!t2 || n1 != n2 || memcmp(t1, t2, n1) != 0) bad("encoding is not stable", data, size);
    free(t1);
    free(t2);
    cJSON_Delete(m2);
    cJSON_Delete(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check(data, size, GW_DEFAULT_MAX_MSG);
    check(data, size, 64); /* most inputs: too-big */
    return 0;
}
