/* test_wire.c — wire.c: every message type of docs/PROTOCOL.md decodes,
 * each kind of bad frame is refused with its error code, encode/decode
 * round trips, session ids and clocks. */
#include "wire.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int pass, fail;

#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        if (cond) pass++;                                                                      \
        else {                                                                                 \
            fail++;                                                                            \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                        \
            printf(__VA_ARGS__);                                                               \
            printf("\n");                                                                      \
        }                                                                                      \
    } while (0)

#define FORM "{\"id\":\"def:f\",\"text\":\"(defn f [] 1)\",\"live\":false,\"line\":1,\"col\":1," \
             "\"hash\":\"0123456789abcdef\",\"order\":0}"

/* One valid example of every message type. */
static const char *valid[] = {
    "{\"v\":1,\"type\":\"hello\",\"role\":\"node\",\"id\":\"alpha\",\"session\":\"3f9c0d1e2a4b5c6d\","
    "\"caps\":[\"log\",\"timer\"],\"context\":\"{:node :alpha}\",\"heartbeat\":1000}",
    "{\"v\":1,\"type\":\"hello\",\"role\":\"editor\",\"id\":\"push\",\"session\":\"aa\"}",
    "{\"v\":1,\"type\":\"welcome\",\"epoch\":\"0011223344556677\",\"heartbeat\":1000}",
    "{\"v\":1,\"type\":\"ping\"}",
    "{\"v\":1,\"type\":\"error\",\"code\":\"bad-json\",\"message\":\"no\",\"ref\":\"push\"}",
    "{\"v\":1,\"type\":\"error\",\"code\":\"unknown-peer\",\"message\":\"say hello\"}",
    "{\"v\":1,\"type\":\"push\",\"space\":\"user\",\"replace\":true,\"file\":\"a.clj\",\"forms\":[" FORM
    "],\"remove\":[\"def:g\"]}",
    "{\"v\":1,\"type\":\"push\",\"space\":\"user\",\"forms\":[]}",
    "{\"v\":1,\"type\":\"snapshot\",\"space\":\"user\",\"epoch\":\"e\",\"seq\":3,\"known\":true,"
    "\"forms\":[" FORM "]}",
    "{\"v\":1,\"type\":\"snapshot\",\"space\":\"user\",\"epoch\":\"e\",\"seq\":0,\"known\":false,"
    "\"forms\":[]}",
    "{\"v\":1,\"type\":\"delta\",\"space\":\"user\",\"epoch\":\"e\",\"seq\":4,\"form\":" FORM "}",
    "{\"v\":1,\"type\":\"delta\",\"space\":\"user\",\"epoch\":\"e\",\"seq\":5,\"remove\":\"def:f\"}",
    "{\"v\":1,\"type\":\"snapshot-req\",\"space\":\"user\"}",
    "{\"v\":1,\"type\":\"value\",\"space\":\"user\",\"form\":\"h:91\",\"query\":\"sq\",\"line\":3,"
    "\"col\":2,\"node\":\"alpha\",\"session\":\"s\",\"context\":\"{}\",\"time\":1795000000000.0,"
    "\"value\":\"49\",\"count\":1}",
    "{\"v\":1,\"type\":\"fault\",\"space\":\"user\",\"form\":\"h:91\",\"line\":3,\"col\":2,"
    "\"node\":\"alpha\",\"session\":\"s\",\"message\":\"boom\",\"trace\":\"f\\ng\",\"time\":1,"
    "\"process\":\":p\"}",
    "{\"v\":1,\"type\":\"out\",\"node\":\"alpha\",\"session\":\"s\",\"text\":\"hi\\n\",\"time\":1}",
    "{\"v\":1,\"type\":\"nodes\"}",
    "{\"v\":1,\"type\":\"node-list\",\"nodes\":[{\"id\":\"alpha\",\"session\":\"s\",\"role\":\"node\","
    "\"caps\":[\"log\"],\"context\":\"{}\",\"seen\":17}]}",
    "{\"v\":1,\"type\":\"node-joined\",\"id\":\"alpha\",\"session\":\"s\"}",
    "{\"v\":1,\"type\":\"node-left\",\"id\":\"alpha\",\"session\":\"s\"}",
    "{\"v\":1,\"type\":\"history\",\"space\":\"user\",\"query\":\"sq\"}",
    "{\"v\":1,\"type\":\"history\",\"space\":\"user\",\"query\":\"sq\",\"session\":\"s\"}",
    "{\"v\":1,\"type\":\"history-list\",\"values\":[]}",
    "{\"v\":1,\"type\":\"eval\",\"req\":\"1\",\"node\":\"alpha\",\"code\":\"(+ 1 2)\",\"ns\":\"user\","
    "\"file\":\"a.clj\",\"line\":1,\"col\":1,\"session\":\"s\"}",
    "{\"v\":1,\"type\":\"result\",\"req\":\"1\",\"status\":\"success\",\"value\":\"3\","
    "\"node\":\"alpha\",\"session\":\"s\"}",
    "{\"v\":1,\"type\":\"result\",\"req\":\"1\",\"status\":\"exception\",\"message\":\"m\","
    "\"trace\":\"t\",\"node\":\"alpha\",\"session\":\"s\"}",
    /* whitespace around, unknown extra fields, v as 1.0 */
    "  {\"v\":1.0,\"type\":\"ping\",\"extra\":[1,2,{\"x\":null}]}\n",
    "{\"v\":1,\"type\":\"out\",\"node\":\"\xce\xb1\",\"session\":\"s\",\"text\":\"\xe2\x82\xac\xf0\x9f\x98\x80\",\"time\":1}",
};

/* Bad frames and the error code each must get. */
static const struct {
    const char *frame;
    const char *code;
    const char *needle; /* a part of the reason */
} invalid[] = {
    {"", "bad-json", "empty"},
    {"garbage", "bad-json", "not valid JSON"},
    {"{\"v\":1,\"type\":\"ping\"", "bad-json", "not valid JSON"},
    {"{\"v\":1,\"type\":\"ping\"} x", "bad-json", "after"},
    {"{\"v\":1,\"type\":\"ping\"}{}", "bad-json", "after"},
    {"[1,2]", "bad-json", "not a JSON object"},
    {"\"ping\"", "bad-json", "not a JSON object"},
    {"null", "bad-json", "not a JSON object"},
    {"{\"v\":1,\"type\":\"out\",\"node\":\"\xff\",\"session\":\"s\",\"text\":\"\",\"time\":1}",
     "bad-json", "UTF-8"},
    {"{\"v\":1,\"type\":\"ping\",\"x\":\"\xc0\xaf\"}", "bad-json", "UTF-8"},       /* overlong */
    {"{\"v\":1,\"type\":\"ping\",\"x\":\"\xed\xa0\x80\"}", "bad-json", "UTF-8"},   /* surrogate */
    {"{\"v\":1,\"type\":\"ping\",\"x\":\"\xe2\x82\"}", "bad-json", "UTF-8"},       /* cut short */
    {"{\"type\":\"ping\"}", "bad-version", "missing"},
    {"{\"v\":2,\"type\":\"ping\"}", "bad-version", "2"},
    {"{\"v\":\"1\",\"type\":\"ping\"}", "bad-version", "string"},
    {"{\"v\":1}", "bad-type", "missing"},
    {"{\"v\":1,\"type\":7}", "bad-type", "number"},
    {"{\"v\":1,\"type\":\"teleport\"}", "bad-type", "teleport"},
    {"{\"v\":1,\"type\":\"hello\",\"id\":\"a\",\"session\":\"s\"}", "bad-field", "role"},
    {"{\"v\":1,\"type\":\"hello\",\"role\":\"node\",\"id\":\"a\",\"session\":7}", "bad-field",
     "session"},
    {"{\"v\":1,\"type\":\"hello\",\"role\":\"king\",\"id\":\"a\",\"session\":\"s\"}", "bad-field",
     "king"},
    {"{\"v\":1,\"type\":\"hello\",\"role\":\"node\",\"id\":\"\",\"session\":\"s\"}", "bad-field",
     "empty"},
    {"{\"v\":1,\"type\":\"hello\",\"role\":\"node\",\"id\":\"a\",\"session\":\"s\",\"caps\":[1]}",
     "bad-field", "caps[0]"},
    {"{\"v\":1,\"type\":\"hello\",\"role\":\"node\",\"id\":\"a\",\"session\":\"s\",\"caps\":\"log\"}",
     "bad-field", "caps"},
    {"{\"v\":1,\"type\":\"push\",\"space\":\"user\"}", "bad-field", "forms"},
    {"{\"v\":1,\"type\":\"push\",\"space\":\"user\",\"forms\":[1]}", "bad-field", "forms[0]"},
    {"{\"v\":1,\"type\":\"push\",\"space\":\"user\",\"forms\":[{\"id\":\"x\"}]}", "bad-field",
     "forms[0].text"},
    {"{\"v\":1,\"type\":\"push\",\"space\":\"user\",\"forms\":[" FORM ",{\"id\":\"x\",\"text\":\"\","
     "\"live\":\"yes\",\"line\":1,\"col\":1,\"hash\":\"h\",\"order\":1}]}", "bad-field",
     "forms[1].live"},
    {"{\"v\":1,\"type\":\"push\",\"space\":\"user\",\"forms\":[],\"replace\":1}", "bad-field",
     "replace"},
    {"{\"v\":1,\"type\":\"push\",\"space\":\"user\",\"forms\":[],\"remove\":[null]}", "bad-field",
     "remove[0]"},
    {"{\"v\":1,\"type\":\"push\",\"space\":\"\",\"forms\":[]}", "bad-field", "space"},
    {"{\"v\":1,\"type\":\"delta\",\"space\":\"user\",\"epoch\":\"e\",\"seq\":1}", "bad-field",
     "exactly one"},
    {"{\"v\":1,\"type\":\"delta\",\"space\":\"user\",\"epoch\":\"e\",\"seq\":1,\"remove\":\"a\","
     "\"form\":" FORM "}", "bad-field", "exactly one"},
    {"{\"v\":1,\"type\":\"delta\",\"space\":\"user\",\"epoch\":\"e\",\"seq\":1,\"form\":{}}",
     "bad-field", "form.id"},
    {"{\"v\":1,\"type\":\"value\",\"space\":\"user\"}", "bad-field", "form"},
    {"{\"v\":1,\"type\":\"value\",\"space\":\"user\",\"form\":\"h\",\"query\":\"q\",\"line\":3,"
     "\"col\":2,\"node\":\"a\",\"session\":\"s\",\"context\":\"{}\",\"time\":\"now\",\"value\":\"1\","
     "\"count\":1}", "bad-field", "time"},
    {"{\"v\":1,\"type\":\"result\",\"req\":\"1\",\"status\":\"fine\",\"node\":\"a\",\"session\":\"s\"}",
     "bad-field", "fine"},
    {"{\"v\":1,\"type\":\"eval\",\"req\":\"1\",\"node\":\"a\"}", "bad-field", "code"},
    {"{\"v\":1,\"type\":\"node-list\",\"nodes\":[{\"id\":\"a\"}]}", "bad-field", "nodes[0]"},
    {"{\"v\":1,\"type\":\"history\",\"space\":\"user\",\"query\":null}", "bad-field", "null"},
    {"{\"v\":1,\"type\":\"error\",\"code\":\"x\"}", "bad-field", "message"},
};

static bool has_code(const char *err, const char *code) {
    size_t n = strlen(code);
    return strncmp(err, code, n) == 0 && err[n] == ':';
}

static void test_valid(void) {
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        char err[200] = "x";
        cJSON *m = gw_decode(valid[i], strlen(valid[i]), GW_DEFAULT_MAX_MSG, err, sizeof err);
        CHECK(m != NULL, "valid #%zu refused: %s\n  %s", i, err, valid[i]);
        CHECK(err[0] == '\0', "valid #%zu left a reason: %s", i, err);
        cJSON_Delete(m);
    }
}

static void test_invalid(void) {
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        char err[200] = "";
        const char *f = invalid[i].frame;
        cJSON *m = gw_decode(f, strlen(f), GW_DEFAULT_MAX_MSG, err, sizeof err);
        CHECK(m == NULL, "invalid #%zu accepted: %s", i, f);
        CHECK(has_code(err, invalid[i].code) && strstr(err, invalid[i].needle),
              "invalid #%zu: want %s with \"%s\", got \"%s\"", i, invalid[i].code,
              invalid[i].needle, err);
        CHECK(strchr(err, '\n') == NULL, "invalid #%zu: reason has a newline", i);
        cJSON_Delete(m);
    }
}

static void test_limits(void) {
    const char *ping = "{\"v\":1,\"type\":\"ping\"}";
    size_t n = strlen(ping);
    char err[200];
    cJSON *m = gw_decode(ping, n, n, err, sizeof err);
    CHECK(m != NULL, "a frame exactly at the limit is accepted: %s", err);
    cJSON_Delete(m);
    m = gw_decode(ping, n, n - 1, err, sizeof err);
    CHECK(m == NULL && has_code(err, "too-big"), "one byte over the limit: %s", err);
    cJSON_Delete(m);

    /* a big frame over the default limit, and the same frame allowed */
    size_t big = GW_DEFAULT_MAX_MSG + 100;
    char *buf = malloc(big + 1);
    int k = snprintf(buf, big, "{\"v\":1,\"type\":\"out\",\"node\":\"a\",\"session\":\"s\",\"time\":1,\"text\":\"");
    memset(buf + k, 'x', big - (size_t)k - 2);
    memcpy(buf + big - 2, "\"}", 2);
    buf[big] = '\0';
    m = gw_decode(buf, big, GW_DEFAULT_MAX_MSG, err, sizeof err);
    CHECK(m == NULL && has_code(err, "too-big"), "big frame: %s", err);
    cJSON_Delete(m);
    m = gw_decode(buf, big, big, err, sizeof err);
    CHECK(m && strlen(gw_str(m, "text")) == big - (size_t)k - 2, "big frame within a raised limit: %s", err);
    cJSON_Delete(m);
    free(buf);

    /* not NUL-terminated: the decoder reads only LEN bytes */
    char raw[64];
    memset(raw, '!', sizeof raw);
    memcpy(raw, ping, n);
    m = gw_decode(raw, n, 1000, err, sizeof err);
    CHECK(m != NULL, "frame without a NUL after it: %s", err);
    cJSON_Delete(m);
    /* a NUL inside the frame after the object counts as padding */
    char padded[40] = "{\"v\":1,\"type\":\"ping\"}";
    m = gw_decode(padded, n + 3, 1000, err, sizeof err);
    CHECK(m != NULL, "NUL padding: %s", err);
    cJSON_Delete(m);

    /* deep nesting is refused, not a crash */
    size_t depth = 5000;
    char *deep = malloc(depth * 2 + 64);
    size_t p = (size_t)sprintf(deep, "{\"v\":1,\"type\":\"ping\",\"x\":");
    for (size_t i = 0; i < depth; i++) deep[p++] = '[';
    for (size_t i = 0; i < depth; i++) deep[p++] = ']';
    deep[p++] = '}';
    m = gw_decode(deep, p, GW_DEFAULT_MAX_MSG, err, sizeof err);
    CHECK(m == NULL && has_code(err, "bad-json"), "deep nesting: %s", err);
    cJSON_Delete(m);
    free(deep);

    /* a tiny ERRLEN truncates, NULL err is allowed */
    char tiny[8];
    m = gw_decode("nope", 4, 100, tiny, sizeof tiny);
    CHECK(m == NULL && strlen(tiny) == sizeof tiny - 1, "truncated reason \"%s\"", tiny);
    m = gw_decode("nope", 4, 100, NULL, 0);
    CHECK(m == NULL, "NULL err");
}

static void test_round_trip(void) {
    cJSON *m = gw_msg("value");
    CHECK(m && gw_num(m, "v", 0) == GW_VERSION && strcmp(gw_str(m, "type"), "value") == 0,
          "gw_msg fills v and type");
    cJSON_AddStringToObject(m, "space", "user");
    cJSON_AddStringToObject(m, "form", "h:1");
    cJSON_AddStringToObject(m, "query", "q \"quoted\" \\ \xce\xbb");
    cJSON_AddNumberToObject(m, "line", 3);
    cJSON_AddNumberToObject(m, "col", 2);
    cJSON_AddStringToObject(m, "node", "alpha");
    cJSON_AddStringToObject(m, "session", "0123456789abcdef");
    cJSON_AddStringToObject(m, "context", "{:node :alpha}");
    cJSON_AddNumberToObject(m, "time", 1795000000123.0);
    cJSON_AddStringToObject(m, "value", "[1 2\n3]");
    cJSON_AddNumberToObject(m, "count", 7);
    size_t len = 0;
    char *text = gw_encode(m, &len);
    CHECK(text && len == strlen(text), "gw_encode length");
    CHECK(text && !strchr(text, '\n') && !strstr(text, ": "), "compact encoding: %s", text);
    char err[200];
    cJSON *back = gw_decode(text, len, GW_DEFAULT_MAX_MSG, err, sizeof err);
    CHECK(back != NULL, "round trip decodes: %s", err);
    CHECK(back && cJSON_Compare(m, back, true), "round trip is equal");
    CHECK(back && gw_num(back, "time", 0) == 1795000000123.0, "time survives");
    CHECK(back && strcmp(gw_str(back, "query"), "q \"quoted\" \\ \xce\xbb") == 0, "escapes survive");
    CHECK(back && gw_str(back, "line") == NULL, "gw_str of a number is NULL");
    CHECK(back && gw_num(back, "value", -5) == -5, "gw_num of a string is the default");
    CHECK(back && gw_num(back, "missing", 9) == 9, "gw_num of a missing field");
    CHECK(back && gw_bool(back, "line", true) == true, "gw_bool default");
    cJSON_Delete(back);
    free(text);
    cJSON_Delete(m);

    cJSON *b = gw_msg("snapshot");
    cJSON_AddBoolToObject(b, "known", false);
    CHECK(gw_bool(b, "known", true) == false, "gw_bool false");
    cJSON_Delete(b);

    /* every message built with gw_msg from the valid list re-encodes and decodes */
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        cJSON *v = gw_decode(valid[i], strlen(valid[i]), GW_DEFAULT_MAX_MSG, NULL, 0);
        char *t = v ? gw_encode(v, &len) : NULL;
        cJSON *w = t ? gw_decode(t, len, GW_DEFAULT_MAX_MSG, err, sizeof err) : NULL;
        CHECK(w && cJSON_Compare(v, w, true), "valid #%zu re-encodes", i);
        cJSON_Delete(v);
        cJSON_Delete(w);
        free(t);
    }
}

static void test_session_and_clocks(void) {
    char a[17], b[17];
    gw_session_id(a);
    gw_session_id(b);
    bool hex = strlen(a) == 16;
    for (int i = 0; i < 16; i++) hex = hex && strchr("0123456789abcdef", a[i]) != NULL;
    CHECK(hex, "session id is 16 lowercase hex digits: %s", a);
    CHECK(strcmp(a, b) != 0, "two session ids differ: %s %s", a, b);
    double w = gw_now_ms();
    CHECK(w > 1.6e12 && w < 1e13, "wall clock in ms since the epoch: %f", w);
    double m1 = gw_mono_ms(), m2 = gw_mono_ms();
    CHECK(m2 >= m1, "monotonic clock");
}

static bool span_is(const char *p, size_t n, const char *want) {
    return strlen(want) == n && memcmp(p, want, n) == 0;
}

/* gw_scan, the broker's fast path, agrees with gw_decode. */
static void test_scan(void) {
    static const char *const hot[] = {"value", "fault", "out", "ping"};
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        cJSON *m = gw_decode(valid[i], strlen(valid[i]), GW_DEFAULT_MAX_MSG, NULL, 0);
        const char *type = m ? gw_str(m, "type") : "";
        bool is_hot = false;
        for (size_t k = 0; k < 4; k++) is_hot = is_hot || strcmp(type, hot[k]) == 0;
        gw_scanned sc;
        bool fast = gw_scan(valid[i], strlen(valid[i]), GW_DEFAULT_MAX_MSG, &sc);
        bool v10 = strstr(valid[i], "\"v\":1.0") != NULL; /* left to gw_decode */
        CHECK(fast == (is_hot && !v10), "gw_scan of valid #%zu (%s): %d", i, type, fast);
        if (fast) CHECK(strcmp(sc.type, type) == 0, "gw_scan type of valid #%zu", i);
        if (fast && strcmp(type, "value") == 0)
            CHECK(span_is(sc.space, sc.space_len, gw_str(m, "space")) &&
                      span_is(sc.query, sc.query_len, gw_str(m, "query")) &&
                      span_is(sc.session, sc.session_len, gw_str(m, "session")),
                  "gw_scan spans of valid #%zu", i);
        cJSON_Delete(m);
    }
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        gw_scanned sc;
        const char *f = invalid[i].frame;
        CHECK(!gw_scan(f, strlen(f), GW_DEFAULT_MAX_MSG, &sc), "gw_scan refuses invalid #%zu", i);
    }
#define VAL(SPACE, TIME) "{\"v\":1,\"type\":\"value\",\"space\":" SPACE ",\"form\":\"h\"," \
    "\"query\":\"q\",\"line\":1,\"col\":1,\"node\":\"a\",\"session\":\"s\",\"context\":\"{}\"," \
    "\"time\":" TIME ",\"value\":\"\\\"x\\\"\",\"count\":1}"
    static const struct {
        const char *frame;
        bool decodes, scans;
    } cases[] = {
        {VAL("\"user\"", "1"), true, true},
        {VAL("\"user\"", "-1.5e-3"), true, true},
        {VAL("\"us\\u0065r\"", "1"), true, false},   /* an escape in space */
        {VAL("\"user\",\"space\":7", "1"), true, true}, /* the first one counts */
        {VAL("7,\"space\":\"user\"", "1"), false, false},
        {VAL("\"user\"", "1e999"), false, false},      /* not finite */
        {VAL("\"user\"", "1e99"), true, true},
        {VAL("\"user\"", "1e100"), true, false},       /* three exponent digits */
        {VAL("\"user\"", "01"), true, false},          /* cJSON takes it, strict JSON not */
        {VAL("\"\"", "1"), false, false},              /* empty space */
        {"{\"v\":1,\"type\":\"out\",\"node\":\"a\",\"session\":\"s\",\"text\":\"a\tb\",\"time\":1}",
         true, false}, /* a raw tab in a string */
        {"{\"v\":1,\"type\":\"out\",\"node\":\"a\",\"session\":\"s\",\"text\":\"\\ud83d\\ude00\",\"time\":1}",
         true, false}, /* a surrogate pair */
        {"{\"v\":1,\"type\":\"out\",\"node\":\"a\",\"session\":\"s\",\"text\":\"\\ude00\",\"time\":1}",
         false, false}, /* a lone low surrogate */
        {"{\"v\":1,\"type\":\"ping\",\"t\\u0079pe\":\"x\"}", true, false}, /* an escaped key */
        {"{\"v\":1,\"type\":\"ping\",\"x\":[1,[2,{\"y\":null}],true,false]}", true, true},
        {"{\"v\":1,\"type\":\"ping\",\"x\":[1,]}", false, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *f = cases[i].frame;
        char err[200];
        cJSON *m = gw_decode(f, strlen(f), GW_DEFAULT_MAX_MSG, err, sizeof err);
        gw_scanned sc;
        bool fast = gw_scan(f, strlen(f), GW_DEFAULT_MAX_MSG, &sc);
        CHECK((m != NULL) == cases[i].decodes, "case #%zu decodes: %s (%s)", i, m ? "yes" : "no", err);
        CHECK(fast == cases[i].scans, "case #%zu scans: %d\n  %s", i, fast, f);
        if (fast && m && strcmp(sc.type, "value") == 0)
            CHECK(span_is(sc.space, sc.space_len, gw_str(m, "space")), "case #%zu space", i);
        cJSON_Delete(m);
    }
    char err[200];
    cJSON *m = gw_decode(VAL("\"user\"", "1e999"), strlen(VAL("\"user\"", "1e999")),
                         GW_DEFAULT_MAX_MSG, err, sizeof err);
    CHECK(!m && strstr(err, "out of range"), "infinity refused: %s", err);
    cJSON_Delete(m);
    /* reasons stay one line of UTF-8 when a peer's string is in them */
    const char *nl = "{\"v\":1,\"type\":\"d\nx\xce\xbb\xce\xbb\xce\xbb\xce\xbb\xce\xbb\xce\xbb\xce\xbb\xce\xbb\xce\xbb\xce\xbb"
                     "\xce\xbb\xce\xbb\xce\xbb\xce\xbb\xce\xbb\xce\xbb\xce\xbb\xce\xbb\xce\xbb\xce\xbb\xce\xbb\xce\xbb\xce\xbb\"}";
    m = gw_decode(nl, strlen(nl), GW_DEFAULT_MAX_MSG, err, sizeof err);
    CHECK(!m && !strchr(err, '\n') && strstr(err, "d?x"), "control characters masked: %s", err);
    size_t n = strlen(err);
    CHECK(n > 3 && (unsigned char)err[n - 3] == 0xce && (unsigned char)err[n - 2] == 0xbb &&
              err[n - 1] == '"',
          "cut at a character boundary: %s", err);
    char small[30];
    gw_decode(nl, strlen(nl), GW_DEFAULT_MAX_MSG, small, sizeof small);
    n = strlen(small);
    CHECK(n < sizeof small && ((unsigned char)small[n - 1] == 0xbb || small[n - 1] < 0x80),
          "a cut reason does not end inside a character: %s", small);
}

int main(void) {
    test_valid();
    test_invalid();
    test_limits();
    test_round_trip();
    test_scan();
    test_session_and_clocks();
    printf("test_wire: %d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
