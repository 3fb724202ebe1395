/* wire.c — grove's wire messages: validation, encoding, clocks, session ids.
 *
 * Every message type of docs/PROTOCOL.md has one row in the table below
 * naming its fields, their JSON kinds and whether they are required;
 * gw_decode checks a frame against it, so a consumer may read any required
 * field without checking it again.  Form records (in push, snapshot and
 * delta), capability lists and node-list entries are checked one level
 * down.  Fields the table does not name are allowed and left alone (a
 * newer peer may add some).  Frames must be UTF-8 and numbers finite (so
 * that whatever is accepted encodes back to the same JSON).  gw_scan, at
 * the bottom, is the broker's allocation-free fast path over the same
 * table.  No global state: cJSON is used only through its reentrant calls
 * (cJSON_GetErrorPtr is not).
 */
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* JSON kinds of a field (0: any kind). */
enum { K_ANY = 0, K_STR, K_NUM, K_BOOL, K_OBJ, K_ARR };

/* Flags of a field. */
enum {
    F_REQ = 1,      /* required */
    F_NONEMPTY = 2, /* a string that must not be empty */
};

typedef struct wire_field wire_field;
struct wire_field {
    const char *name;
    unsigned char kind;
    unsigned char flags;
    unsigned char each;            /* arrays: the kind of every element */
    const wire_field *sub;         /* objects, or arrays of objects: their fields */
    const char *const *oneof;      /* strings: the allowed values (NULL-ended) */
};

#define REQ(n, k) {n, k, F_REQ, 0, NULL, NULL}
#define REQ_NE(n) {n, K_STR, F_REQ | F_NONEMPTY, 0, NULL, NULL}
#define OPT(n, k) {n, k, 0, 0, NULL, NULL}
#define END {NULL, 0, 0, 0, NULL, NULL}

static const char *const roles[] = {"node", "editor", "both", NULL};
static const char *const statuses[] = {"success", "exception", "error", NULL};

/* A form record (PROTOCOL.md, "The program"). */
static const wire_field form_fields[] = {
    REQ_NE("id"), REQ("text", K_STR), REQ("live", K_BOOL), REQ("line", K_NUM),
    REQ("col", K_NUM), REQ("hash", K_STR), REQ("order", K_NUM), END};

/* One entry of a node-list. */
static const wire_field node_entry_fields[] = {
    REQ("id", K_STR), REQ("session", K_STR), REQ("role", K_STR),
    {"caps", K_ARR, F_REQ, K_STR, NULL, NULL}, REQ("context", K_STR),
    REQ("seen", K_NUM), END};

static const wire_field hello_fields[] = {
    {"role", K_STR, F_REQ, 0, NULL, roles}, REQ_NE("id"), REQ_NE("session"),
    {"caps", K_ARR, 0, K_STR, NULL, NULL}, OPT("context", K_STR),
    OPT("heartbeat", K_NUM), END};
static const wire_field welcome_fields[] = {
    REQ("epoch", K_STR), REQ("heartbeat", K_NUM), END};
static const wire_field no_fields[] = {END};
static const wire_field error_fields[] = {
    REQ("code", K_STR), REQ("message", K_STR), OPT("ref", K_STR), END};
static const wire_field push_fields[] = {
    REQ_NE("space"), OPT("file", K_STR),
    {"forms", K_ARR, F_REQ, K_OBJ, form_fields, NULL},
    {"remove", K_ARR, 0, K_STR, NULL, NULL}, OPT("replace", K_BOOL), END};
static const wire_field snapshot_fields[] = {
    REQ_NE("space"), OPT("file", K_STR), REQ("epoch", K_STR), REQ("seq", K_NUM),
    REQ("known", K_BOOL), {"forms", K_ARR, F_REQ, K_OBJ, form_fields, NULL}, END};
static const wire_field delta_fields[] = {
    REQ_NE("space"), REQ("epoch", K_STR), REQ("seq", K_NUM),
    {"form", K_OBJ, 0, 0, form_fields, NULL}, OPT("remove", K_STR), END};
static const wire_field snapshot_req_fields[] = {REQ_NE("space"), END};
static const wire_field value_fields[] = {
    REQ_NE("space"), REQ("form", K_STR), REQ("query", K_STR), REQ("line", K_NUM),
    REQ("col", K_NUM), REQ("node", K_STR), REQ("session", K_STR),
    REQ("context", K_STR), REQ("time", K_NUM), REQ("value", K_STR),
    REQ("count", K_NUM), END};
static const wire_field fault_fields[] = {
    REQ_NE("space"), REQ("form", K_STR), REQ("line", K_NUM), REQ("col", K_NUM),
    REQ("node", K_STR), REQ("session", K_STR), REQ("message", K_STR),
    REQ("trace", K_STR), REQ("time", K_NUM), OPT("process", K_STR), END};
static const wire_field out_fields[] = {
    REQ("node", K_STR), REQ("session", K_STR), REQ("text", K_STR),
    REQ("time", K_NUM), END};
static const wire_field node_list_fields[] = {
    {"nodes", K_ARR, F_REQ, K_OBJ, node_entry_fields, NULL}, END};
static const wire_field node_event_fields[] = {
    REQ("id", K_STR), REQ("session", K_STR), END};
static const wire_field history_fields[] = {
    REQ_NE("space"), REQ("query", K_STR), OPT("session", K_STR), END};
static const wire_field history_list_fields[] = {
    {"values", K_ARR, F_REQ, K_OBJ, NULL, NULL}, END};
static const wire_field eval_fields[] = {
    REQ_NE("req"), REQ_NE("node"), OPT("session", K_STR), REQ("code", K_STR),
    OPT("ns", K_STR), OPT("file", K_STR), OPT("line", K_NUM), OPT("col", K_NUM),
    END};
static const wire_field result_fields[] = {
    REQ_NE("req"), {"status", K_STR, F_REQ, 0, NULL, statuses},
    OPT("value", K_STR), OPT("message", K_STR), OPT("trace", K_STR),
    REQ("node", K_STR), REQ("session", K_STR), END};

/* Every message type; the most frequent first (the lookup is linear). */
static const struct {
    const char *type;
    const wire_field *fields;
} wire_types[] = {
    {"value", value_fields},
    {"ping", no_fields},
    {"out", out_fields},
    {"fault", fault_fields},
    {"delta", delta_fields},
    {"hello", hello_fields},
    {"welcome", welcome_fields},
    {"error", error_fields},
    {"push", push_fields},
    {"snapshot", snapshot_fields},
    {"snapshot-req", snapshot_req_fields},
    {"nodes", no_fields},
    {"node-list", node_list_fields},
    {"node-joined", node_event_fields},
    {"node-left", node_event_fields},
    {"history", history_fields},
    {"history-list", history_list_fields},
    {"eval", eval_fields},
    {"result", result_fields},
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= errlen) { /* cut short: do not end inside a character */
        size_t end = errlen - 1, i = end;
        while (i > 0 && end - i < 3 && ((unsigned char)err[i - 1] & 0xC0) == 0x80) i--;
        if (i > 0) {
            unsigned c = (unsigned char)err[i - 1];
            size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            if (i - 1 + want > end) err[i - 1] = '\0';
        }
    }
}

/* S made fit for a one-line reason: at most 40 bytes (cut at a character
 * boundary, so the reason stays UTF-8), control characters as '?'. */
static const char *printable(const char *s, char *buf, size_t cap) {
    size_t n = strlen(s), max = cap - 1 < 40 ? cap - 1 : 40;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--; /* s[n]: first byte left out */
    }
    for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    buf[n] = '\0';
    return buf;
}

static const char *kind_name(int k) {
    switch (k) {
    case K_STR: return "a string";
    case K_NUM: return "a number";
    case K_BOOL: return "a bool";
    case K_OBJ: return "an object";
    case K_ARR: return "an array";
    default: return "anything";
    }
}

static int kind_of(const cJSON *j) {
    if (cJSON_IsString(j)) return K_STR;
    if (cJSON_IsNumber(j)) return K_NUM;
    if (cJSON_IsBool(j)) return K_BOOL;
    if (cJSON_IsObject(j)) return K_OBJ;
    if (cJSON_IsArray(j)) return K_ARR;
    return K_ANY; /* null, or a raw item */
}

static const char *json_kind_name(const cJSON *j) {
    if (cJSON_IsNull(j)) return "null";
    return kind_name(kind_of(j));
}

/* The first member NAME of OBJ, as cJSON_GetObjectItemCaseSensitive finds
 * it, but comparing the first byte before calling strcmp: most keys of a
 * message differ there, and this lookup is on the broker's hot path. */
static const cJSON *get(const cJSON *obj, const char *name) {
    for (const cJSON *e = obj ? obj->child : NULL; e; e = e->next)
        if (e->string && e->string[0] == name[0] && strcmp(e->string, name) == 0) return e;
    return NULL;
}

/* True when J holds a number that is not finite (JSON like 1e999 parses
 * to infinity, which cJSON would print back as null).  cJSON caps nesting
 * at CJSON_NESTING_LIMIT, which bounds the recursion. */
static bool has_nonfinite(const cJSON *j) {
    for (; j; j = j->next) {
        if (cJSON_IsNumber(j) && !isfinite(j->valuedouble)) return true;
        if (j->child && has_nonfinite(j->child)) return true;
    }
    return false;
}

/* Checks OBJ against FIELDS; PATH names OBJ in messages ("" at the top).
 * Returns false with "bad-field: TYPE: reason" in ERR. */
static bool check_fields(const cJSON *obj, const wire_field *fields, const char *type,
                         const char *path, char *err, size_t errlen) {
    for (const wire_field *f = fields; f->name; f++) {
        const cJSON *v = get(obj, f->name);
        if (!v) {
            if (f->flags & F_REQ) {
                set_err(err, errlen, "bad-field: %s: missing field %s%s (%s)", type, path,
                        f->name, kind_name(f->kind));
                return false;
            }
            continue;
        }
        if (f->kind != K_ANY && kind_of(v) != f->kind) {
            set_err(err, errlen, "bad-field: %s: field %s%s must be %s, not %s", type, path,
                    f->name, kind_name(f->kind), json_kind_name(v));
            return false;
        }
        if ((f->flags & F_NONEMPTY) && v->valuestring[0] == '\0') {
            set_err(err, errlen, "bad-field: %s: field %s%s must not be empty", type, path,
                    f->name);
            return false;
        }
        if (f->oneof) {
            const char *const *o = f->oneof;
            while (*o && strcmp(*o, v->valuestring) != 0) o++;
            if (!*o) {
                char pb[48];
                set_err(err, errlen, "bad-field: %s: field %s%s has an unknown value \"%s\"",
                        type, path, f->name, printable(v->valuestring, pb, sizeof pb));
                return false;
            }
        }
        if (f->kind == K_OBJ && f->sub) {
            char sub[96];
            snprintf(sub, sizeof sub, "%s%s.", path, f->name);
            if (!check_fields(v, f->sub, type, sub, err, errlen)) return false;
        }
        if (f->kind == K_ARR && f->each != K_ANY) {
            int i = 0;
            for (const cJSON *e = v->child; e; e = e->next, i++) {
                if (kind_of(e) != f->each) {
                    set_err(err, errlen, "bad-field: %s: %s%s[%d] must be %s, not %s", type, path,
                            f->name, i, kind_name(f->each), json_kind_name(e));
                    return false;
                }
                if (f->sub) {
                    char sub[96];
                    snprintf(sub, sizeof sub, "%s%s[%d].", path, f->name, i);
                    if (!check_fields(e, f->sub, type, sub, err, errlen)) return false;
                }
            }
        }
    }
    return true;
}

/* Returns the offset of the first byte of P[0..N) that is not valid UTF-8
 * (overlong forms, surrogates and code points past U+10FFFF are invalid),
 * or N when all of it is. */
static size_t utf8_bad_at(const unsigned char *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        /* ASCII runs, 8 bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ull) break;
            i += 8;
        }
        if (i >= n) break;
        unsigned c = p[i];
        if (c < 0x80) { i++; continue; }
        size_t len;
        unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c == 0xE0) { len = 3; lo = 0xA0; }
        else if (c >= 0xE1 && c <= 0xEC) len = 3;
        else if (c == 0xED) { len = 3; hi = 0x9F; }
        else if (c >= 0xEE && c <= 0xEF) len = 3;
        else if (c == 0xF0) { len = 4; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) len = 4;
        else if (c == 0xF4) { len = 4; hi = 0x8F; }
        else return i;
        if (i + len > n) return i;
        if (p[i + 1] < lo || p[i + 1] > hi) return i;
        for (size_t k = 2; k < len; k++)
            if ((p[i + k] & 0xC0) != 0x80) return i;
        i += len;
    }
    return n;
}

/* Owner of the result: the caller (cJSON_Delete). */
cJSON *gw_decode(const void *data, size_t len, size_t max_len, char *err, size_t errlen) {
    if (err && errlen) err[0] = '\0';
    if (len > max_len) {
        set_err(err, errlen, "too-big: a frame of %zu bytes is over the limit of %zu", len,
                max_len);
        return NULL;
    }
    if (len == 0 || !data) {
        set_err(err, errlen, "bad-json: an empty frame");
        return NULL;
    }
    size_t bad = utf8_bad_at(data, len);
    if (bad < len) {
        set_err(err, errlen, "bad-json: invalid UTF-8 at byte %zu", bad);
        return NULL;
    }
    const char *text = data, *end = NULL;
    cJSON *msg = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!msg) {
        size_t at = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        set_err(err, errlen, "bad-json: not valid JSON (at byte %zu)", at);
        return NULL;
    }
    /* cJSON stops after the value: only whitespace (or NUL padding) may follow */
    for (const char *p = end; p && p < text + len; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '\0') {
            set_err(err, errlen, "bad-json: text after the JSON value (at byte %zu)",
                    (size_t)(p - text));
            cJSON_Delete(msg);
            return NULL;
        }
    }
    if (!cJSON_IsObject(msg)) {
        set_err(err, errlen, "bad-json: the frame is %s, not a JSON object",
                json_kind_name(msg));
        cJSON_Delete(msg);
        return NULL;
    }
    const cJSON *v = get(msg, "v");
    if (!cJSON_IsNumber(v) || v->valuedouble != GW_VERSION) {
        if (cJSON_IsNumber(v))
            set_err(err, errlen, "bad-version: version %g is not %d", v->valuedouble,
                    GW_VERSION);
        else
            set_err(err, errlen, "bad-version: \"v\" (the protocol version %d) is %s",
                    GW_VERSION, v ? json_kind_name(v) : "missing");
        cJSON_Delete(msg);
        return NULL;
    }
    const cJSON *t = get(msg, "type");
    if (!cJSON_IsString(t)) {
        set_err(err, errlen, "bad-type: \"type\" is %s, not a string",
                t ? json_kind_name(t) : "missing");
        cJSON_Delete(msg);
        return NULL;
    }
    const wire_field *fields = NULL;
    for (size_t i = 0; i < sizeof wire_types / sizeof wire_types[0]; i++) {
        if (strcmp(wire_types[i].type, t->valuestring) == 0) {
            fields = wire_types[i].fields;
            break;
        }
    }
    if (!fields) {
        char pb[48];
        set_err(err, errlen, "bad-type: unknown type \"%s\"", printable(t->valuestring, pb, sizeof pb));
        cJSON_Delete(msg);
        return NULL;
    }
    if (!check_fields(msg, fields, t->valuestring, "", err, errlen)) {
        cJSON_Delete(msg);
        return NULL;
    }
    if (has_nonfinite(msg->child)) {
        set_err(err, errlen, "bad-field: %s: a number is out of range", t->valuestring);
        cJSON_Delete(msg);
        return NULL;
    }
    if (fields == delta_fields) {
        bool has_form = cJSON_GetObjectItemCaseSensitive(msg, "form") != NULL;
        bool has_remove = cJSON_GetObjectItemCaseSensitive(msg, "remove") != NULL;
        if (has_form == has_remove) {
            set_err(err, errlen, "bad-field: delta: needs exactly one of \"form\" and \"remove\"");
            cJSON_Delete(msg);
            return NULL;
        }
    }
    return msg;
}

/* Owner of the result: the caller (cJSON_Delete).  NULL when out of memory. */
cJSON *gw_msg(const char *type) {
    cJSON *m = cJSON_CreateObject();
    if (!m) return NULL;
    if (!cJSON_AddNumberToObject(m, "v", GW_VERSION) ||
        !cJSON_AddStringToObject(m, "type", type)) {
        cJSON_Delete(m);
        return NULL;
    }
    return m;
}

/* Owner of the result: the caller (free). */
char *gw_encode(const cJSON *msg, size_t *len) {
    char *s = cJSON_PrintUnformatted(msg);
    if (len) *len = s ? strlen(s) : 0;
    return s;
}

const char *gw_str(const cJSON *msg, const char *field) {
    const cJSON *v = cJSON_IsObject(msg) ? get(msg, field) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

double gw_num(const cJSON *msg, const char *field, double dflt) {
    const cJSON *v = cJSON_IsObject(msg) ? get(msg, field) : NULL;
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

bool gw_bool(const cJSON *msg, const char *field, bool dflt) {
    const cJSON *v = cJSON_IsObject(msg) ? get(msg, field) : NULL;
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

double gw_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

double gw_mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Fills BUF with N random bytes: getrandom, else /dev/urandom, else a mix
 * of clocks, the pid and a stack address (never fails). */
static void random_bytes(unsigned char *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t k = getrandom(buf + got, n - got, 0);
        if (k < 0) {
            if (errno == EINTR) continue;
            break;
        }
        got += (size_t)k;
    }
    if (got == n) return;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        while (got < n) {
            ssize_t k = read(fd, buf + got, n - got);
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) break;
            got += (size_t)k;
        }
        close(fd);
        if (got == n) return;
    }
    struct timespec a, b;
    clock_gettime(CLOCK_REALTIME, &a);
    clock_gettime(CLOCK_MONOTONIC, &b);
    uint64_t x = (uint64_t)a.tv_nsec ^ ((uint64_t)a.tv_sec << 30) ^ (uint64_t)b.tv_nsec * 31 ^
                 ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)&a;
    for (size_t i = got; i < n; i++) {
        x ^= x >> 33; x *= 0xff51afd7ed558ccdull; x ^= x >> 29; /* a mixing step */
        buf[i] = (unsigned char)(x >> 24);
    }
}

void gw_session_id(char out[17]) {
    static const char hex[] = "0123456789abcdef";
    unsigned char r[8];
    random_bytes(r, sizeof r);
    for (int i = 0; i < 8; i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 15];
    }
    out[16] = '\0';
}

/* ---- gw_scan: the broker's fast path ----
 *
 * A strict JSON scanner that builds nothing.  It accepts only a subset of
 * what cJSON accepts (RFC 8259 JSON without raw control characters,
 * surrogate escapes, numbers longer than 32 characters, nesting deeper
 * than 64 or a byte-order mark) and whenever it is not certain it says
 * "cannot tell", so gw_decode stays the one judge of every frame: a frame
 * is either accepted by both or handed to gw_decode.  test/fuzz/fuzz_wire.c
 * checks that agreement. */

#define SCAN_MAX_MEMBERS 32
#define GW_LITTLE_ENDIAN (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
#define SCAN_MAX_DEPTH 64

typedef struct scan_member {
    const char *key;
    size_t klen;
    int kind;          /* K_STR ... K_ARR, or K_ANY for null */
    const char *val;   /* strings: the text between the quotes; numbers: the text */
    size_t vlen;
    bool esc;          /* a string with a backslash in it */
} scan_member;

typedef struct scanner {
    const unsigned char *p, *end;
} scanner;

static inline void scan_ws(scanner *s) {
    /* compact JSON has no blanks: one comparison settles the usual case */
    while (s->p < s->end && *s->p <= ' ' &&
           (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
}

static int hexval(unsigned c) {
    if (c >= '0' && c <= '9') return (int)(c - '0');
    if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
    return -1;
}

/* At a quote: moves past the string; its inner text in *TEXT, *LEN. */
static inline __attribute__((always_inline)) bool scan_string(scanner *s, const char **text, size_t *len, bool *esc) {
    const unsigned char *p = s->p + 1, *end = s->end;
    *esc = false;
    for (;;) {
        /* eight bytes at a time while none is a quote, a backslash or a
         * control character (bytes >= 0x80 of UTF-8 pass); then the byte
         * loop below has nothing left to skip, except near the end */
        while (GW_LITTLE_ENDIAN && end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
            uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
            uint64_t hit = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w);
            hit &= highs;
            if (hit) { /* the lowest flagged byte is exact (little-endian) */
                p += __builtin_ctzll(hit) / 8;
                break;
            }
            p += 8;
        }
        while (p < end && *p != '"' && *p != '\\' && *p >= 0x20) p++;
        if (p >= end || *p < 0x20) return false;
        if (*p == '"') break;
        *esc = true; /* a backslash */
        if (p + 1 >= end) return false;
        unsigned c = p[1];
        if (c == 'u') {
            if (p + 6 > end) return false;
            int code = 0;
            for (int i = 2; i < 6; i++) {
                int h = hexval(p[i]);
                if (h < 0) return false;
                code = code * 16 + h;
            }
            if (code >= 0xD800 && code <= 0xDFFF) return false; /* surrogates: gw_decode decides */
            p += 6;
        } else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' ||
                   c == 'r' || c == 't') {
            p += 2;
        } else {
            return false;
        }
    }
    *text = (const char *)s->p + 1;
    *len = (size_t)(p - s->p - 1);
    s->p = p + 1;
    return true;
}

static bool scan_number(scanner *s) {
    const unsigned char *p = s->p, *end = s->end, *start = s->p;
    if (p < end && *p == '-') p++;
    if (p >= end) return false;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (p < end && *p >= '0' && *p <= '9') p++;
    else return false;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || *p < '0' || *p > '9') return false;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        const unsigned char *digits = p;
        if (p >= end || *p < '0' || *p > '9') return false;
        while (p < end && *p >= '0' && *p <= '9') p++;
        if (p - digits > 2) return false; /* could overflow: gw_decode judges */
    }
    /* with at most 32 characters and a two-digit exponent a number is
     * finite, as gw_decode wants */
    if (p - start > 32) return false;
    s->p = p;
    return true;
}

static bool scan_lit(scanner *s, const char *lit, size_t n) {
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0) return false;
    s->p += n;
    return true;
}

static bool scan_value(scanner *s, int depth, scan_member *m);

/* At a '{' or '[': moves past the container. */
static bool scan_container(scanner *s, int depth) {
    if (depth > SCAN_MAX_DEPTH) return false;
    bool obj = *s->p == '{';
    unsigned char close = obj ? '}' : ']';
    s->p++;
    scan_ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        return true;
    }
    for (;;) {
        scan_member m;
        if (obj) {
            if (s->p >= s->end || *s->p != '"') return false;
            const char *k;
            size_t kl;
            bool esc;
            if (!scan_string(s, &k, &kl, &esc)) return false;
            scan_ws(s);
            if (s->p >= s->end || *s->p != ':') return false;
            s->p++;
            scan_ws(s);
        }
        if (!scan_value(s, depth + 1, &m)) return false;
        scan_ws(s);
        if (s->p >= s->end) return false;
        if (*s->p == close) {
            s->p++;
            return true;
        }
        if (*s->p != ',') return false;
        s->p++;
        scan_ws(s);
    }
}

static bool scan_value(scanner *s, int depth, scan_member *m) {
    if (s->p >= s->end) return false;
    const unsigned char *start = s->p;
    m->val = (const char *)start;
    m->esc = false;
    switch (*s->p) {
    case '"':
        m->kind = K_STR;
        return scan_string(s, &m->val, &m->vlen, &m->esc);
    case '{':
    case '[':
        m->kind = *s->p == '{' ? K_OBJ : K_ARR;
        if (!scan_container(s, depth)) return false;
        break;
    case 't':
        m->kind = K_BOOL;
        if (!scan_lit(s, "true", 4)) return false;
        break;
    case 'f':
        m->kind = K_BOOL;
        if (!scan_lit(s, "false", 5)) return false;
        break;
    case 'n':
        m->kind = K_ANY;
        if (!scan_lit(s, "null", 4)) return false;
        break;
    default:
        m->kind = K_NUM;
        if (!scan_number(s)) return false;
    }
    m->vlen = (size_t)(s->p - start);
    return true;
}

/* Keys hold no raw control characters (the scanner refuses them), so no
 * key byte is NUL and a shorter NAME mismatches at its end. */
static inline bool key_is(const scan_member *m, const char *name) {
    size_t i = 0;
    for (; i < m->klen; i++)
        if (name[i] != m->key[i]) return false;
    return name[i] == '\0';
}

static const scan_member *scan_first(const scan_member *ms, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (key_is(&ms[i], name)) return &ms[i];
    return NULL;
}

bool gw_scan(const void *data, size_t len, size_t max_len, gw_scanned *out) {
    if (!data || len == 0 || len > max_len) return false;
    if (utf8_bad_at(data, len) < len) return false;
    scanner s = {data, (const unsigned char *)data + len};
    scan_ws(&s);
    if (s.p >= s.end || *s.p != '{') return false;
    s.p++;
    scan_member ms[SCAN_MAX_MEMBERS];
    int n = 0;
    scan_ws(&s);
    if (s.p < s.end && *s.p == '}') {
        s.p++;
    } else {
        for (;;) {
            if (n == SCAN_MAX_MEMBERS || s.p >= s.end || *s.p != '"') return false;
            scan_member *m = &ms[n++];
            bool kesc;
            if (!scan_string(&s, &m->key, &m->klen, &kesc) || kesc) return false;
            scan_ws(&s);
            if (s.p >= s.end || *s.p != ':') return false;
            s.p++;
            scan_ws(&s);
            if (!scan_value(&s, 1, m)) return false;
            scan_ws(&s);
            if (s.p >= s.end) return false;
            if (*s.p == '}') {
                s.p++;
                break;
            }
            if (*s.p != ',') return false;
            s.p++;
            scan_ws(&s);
        }
    }
    /* as gw_decode: only blanks and NUL padding after the object */
    for (; s.p < s.end; s.p++)
        if (*s.p != ' ' && *s.p != '\t' && *s.p != '\n' && *s.p != '\r' && *s.p != '\0') return false;

    const scan_member *v = scan_first(ms, n, "v");
    if (!v || v->kind != K_NUM || v->vlen != 1 || v->val[0] != '0' + GW_VERSION) return false;
    const scan_member *t = scan_first(ms, n, "type");
    if (!t || t->kind != K_STR || t->esc) return false;
    static const char *const hot[] = {"value", "fault", "out", "ping"};
    static const wire_field *const hot_fields[] = {value_fields, fault_fields, out_fields,
                                                   no_fields};
    const char *type = NULL;
    const wire_field *fields = NULL;
    for (size_t i = 0; i < sizeof hot / sizeof hot[0]; i++) {
        if (strncmp(t->val, hot[i], t->vlen) == 0 && hot[i][t->vlen] == '\0') {
            type = hot[i];
            fields = hot_fields[i];
            break;
        }
    }
    if (!type) return false;

    /* one pass over the members: each names at most one field of the
     * table (tried first where the last one matched), first one wins */
    enum { MAXF = 16 };
    const scan_member *found[MAXF] = {0};
    int nf = 0;
    while (fields[nf].name) nf++;
    if (nf > MAXF) return false;
    int fcur = 0;
    for (int i = 0; i < n; i++) {
        if (&ms[i] == v || &ms[i] == t) continue; /* not in any table */
        int fi = -1;
        if (fcur < nf && key_is(&ms[i], fields[fcur].name)) fi = fcur;
        else
            for (int k = 0; k < nf; k++)
                if (key_is(&ms[i], fields[k].name)) {
                    fi = k;
                    break;
                }
        if (fi < 0) continue;
        if (!found[fi]) found[fi] = &ms[i];
        fcur = fi + 1;
    }
    for (int k = 0; k < nf; k++) {
        const wire_field *f = &fields[k];
        const scan_member *m = found[k];
        if (!m) {
            if (f->flags & F_REQ) return false;
            continue;
        }
        if (f->oneof || f->sub || f->each) return false; /* not on the fast path */
        if (f->kind != K_ANY && m->kind != f->kind) return false;
        if ((f->flags & F_NONEMPTY) && (m->esc || m->vlen == 0)) return false;
    }
    memset(out, 0, sizeof *out);
    out->type = type;
    if (fields == value_fields) {
        /* the table's rows 0, 2 and 6: space, query, session */
        const scan_member *sp = found[0], *q = found[2], *se = found[6];
        if (!key_is(sp, "space") || !key_is(q, "query") || !key_is(se, "session")) return false;
        if (sp->esc || q->esc || se->esc) return false;
        out->space = sp->val;
        out->space_len = sp->vlen;
        out->query = q->val;
        out->query_len = q->vlen;
        out->session = se->val;
        out->session_len = se->vlen;
    }
    return true;
}
