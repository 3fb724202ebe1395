/* history.c — gb_history: the last DEPTH value frames per (space, query,
 * session).
 *
 * A value is kept as the frame's bytes, copied into a ring slot that is
 * reused (no allocation once the ring is warm) and sent back verbatim in a
 * history-list, so no value is ever decoded or encoded again.  Rings are
 * found by the key "SPACE\0QUERY\0SESSION"; the rings of one (space,
 * query) are also chained together for a history request without a
 * session.  All rings sit on one list ordered by their last update; when
 * the frames held pass MAX_BYTES the least recently updated rings go
 * first, so sessions that left long ago make room for live ones.
 */
#include "broker.h"

#include <stdlib.h>
#include <string.h>

typedef struct hslot {
    char *data;     /* owned */
    uint32_t len;   /* bytes used */
    uint32_t size;  /* bytes allocated */
    uint64_t seq;   /* arrival number, for newest-first merges */
} hslot;

typedef struct hqlist hqlist;

typedef struct hring {
    struct hring *lru_prev, *lru_next; /* prev: more recently updated */
    struct hring *q_prev, *q_next;     /* the rings of the same (space, query) */
    hqlist *q;
    char *key;     /* owned copy of the ring's key */
    size_t klen;
    uint32_t head; /* the slot written next */
    uint32_t n;    /* slots filled */
    hslot *slots;  /* DEPTH of them */
} hring;

struct hqlist {
    hring *first;
    char *key; /* owned: "SPACE\0QUERY" */
    size_t klen;
};

struct gb_history {
    size_t depth, max_bytes, bytes;
    uint64_t seq;
    gb_map rings;   /* key -> hring */
    gb_map queries; /* "SPACE\0QUERY" -> hqlist */
    hring *lru_first, *lru_last;
    size_t nrings;
};

/* Owner of the result: the caller (gb_history_destroy). */
gb_history *gb_history_new(size_t depth, size_t max_bytes) {
    gb_history *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->depth = depth;
    h->max_bytes = max_bytes;
    return h;
}

static void ring_free(hring *r) {
    for (uint32_t i = 0; i < r->n; i++) free(r->slots[i].data);
    free(r->slots);
    free(r->key);
    free(r);
}

void gb_history_destroy(gb_history **hp) {
    if (!hp || !*hp) return;
    gb_history *h = *hp;
    for (hring *r = h->lru_first, *next; r; r = next) {
        next = r->lru_next;
        ring_free(r);
    }
    for (size_t i = 0; i < h->queries.cap; i++) {
        hqlist *q = h->queries.slots[i].hash ? h->queries.slots[i].val : NULL;
        if (q) {
            free(q->key);
            free(q);
        }
    }
    gb_map_free(&h->rings);
    gb_map_free(&h->queries);
    free(h);
    *hp = NULL;
}

/* Writes "A\0B" or "A\0B\0C" (C when CL is not (size_t)-1) into BUF (of
 * CAP bytes), or a malloc'd buffer when it does not fit; returns it and
 * its length in *LEN.  The caller frees the result when it is not BUF.
 * NULL when out of memory. */
static char *make_key(char *buf, size_t cap, const char *a, size_t la, const char *b, size_t lb,
                      const char *c, size_t lc, size_t *len) {
    bool three = lc != (size_t)-1;
    size_t n = la + 1 + lb + (three ? 1 + lc : 0);
    char *k = n <= cap ? buf : malloc(n);
    if (!k) return NULL;
    memcpy(k, a, la);
    k[la] = '\0';
    memcpy(k + la + 1, b, lb);
    if (three) {
        k[la + 1 + lb] = '\0';
        memcpy(k + la + 2 + lb, c, lc);
    }
    *len = n;
    return k;
}

#define NO_C NULL, (size_t)-1

static void lru_unlink(gb_history *h, hring *r) {
    if (r->lru_prev) r->lru_prev->lru_next = r->lru_next;
    else h->lru_first = r->lru_next;
    if (r->lru_next) r->lru_next->lru_prev = r->lru_prev;
    else h->lru_last = r->lru_prev;
    r->lru_prev = r->lru_next = NULL;
}

static void lru_push_front(gb_history *h, hring *r) {
    r->lru_prev = NULL;
    r->lru_next = h->lru_first;
    if (h->lru_first) h->lru_first->lru_prev = r;
    h->lru_first = r;
    if (!h->lru_last) h->lru_last = r;
}

static void evict(gb_history *h, hring *r) {
    lru_unlink(h, r);
    hqlist *q = r->q;
    if (r->q_prev) r->q_prev->q_next = r->q_next;
    else q->first = r->q_next;
    if (r->q_next) r->q_next->q_prev = r->q_prev;
    if (!q->first) {
        gb_map_del(&h->queries, q->key, q->klen);
        free(q->key);
        free(q);
    }
    gb_map_del(&h->rings, r->key, r->klen);
    for (uint32_t i = 0; i < r->n; i++) h->bytes -= r->slots[i].size;
    h->nrings--;
    ring_free(r);
}

/* A new ring for KEY in the list of (SPACE, QUERY).  NULL when out of memory. */
static hring *ring_new(gb_history *h, const char *key, size_t klen, const char *space,
                       size_t space_len, const char *query, size_t query_len) {
    hring *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->slots = calloc(h->depth, sizeof *r->slots);
    r->key = malloc(klen);
    char qbuf[256];
    size_t qlen;
    char *qkey = make_key(qbuf, sizeof qbuf, space, space_len, query, query_len, NO_C, &qlen);
    hqlist *q = qkey ? gb_map_get(&h->queries, qkey, qlen) : NULL;
    bool fresh = false;
    if (!q && qkey) {
        q = calloc(1, sizeof *q);
        if (q) q->key = malloc(qlen);
        if (q && q->key && gb_map_put(&h->queries, qkey, qlen, q)) {
            memcpy(q->key, qkey, qlen);
            q->klen = qlen;
            fresh = true;
        } else if (q) {
            free(q->key);
            free(q);
            q = NULL;
        }
    }
    if (qkey != qbuf) free(qkey);
    if (!r->slots || !r->key || !q || !gb_map_put(&h->rings, key, klen, r)) {
        if (fresh) {
            gb_map_del(&h->queries, q->key, q->klen);
            free(q->key);
            free(q);
        }
        free(r->slots);
        free(r->key);
        free(r);
        return NULL;
    }
    memcpy(r->key, key, klen);
    r->klen = klen;
    r->q = q;
    r->q_next = q->first;
    if (q->first) q->first->q_prev = r;
    q->first = r;
    lru_push_front(h, r);
    h->nrings++;
    return r;
}

void gb_history_add(gb_history *h, const char *space, size_t space_len, const char *query,
                    size_t query_len, const char *session, size_t session_len,
                    const void *frame, size_t len) {
    if (h->depth == 0) return;
    /* trailing blanks and NUL padding would break the list's JSON */
    const char *f = frame;
    while (len > 0 && (f[len - 1] == '\0' || f[len - 1] == ' ' || f[len - 1] == '\n' ||
                       f[len - 1] == '\r' || f[len - 1] == '\t'))
        len--;
    if (len == 0 || len > UINT32_MAX / 2) return;

    char kbuf[512];
    size_t klen;
    char *key = make_key(kbuf, sizeof kbuf, space, space_len, query, query_len, session,
                         session_len, &klen);
    if (!key) return;
    hring *r = gb_map_get(&h->rings, key, klen);
    if (!r) r = ring_new(h, key, klen, space, space_len, query, query_len);
    if (key != kbuf) free(key);
    if (!r) return;

    hslot *s = &r->slots[r->head];
    if (s->size < len || s->size > 2 * len + 256) {
        uint32_t size = (uint32_t)((len + 63) & ~(size_t)63);
        char *d = realloc(s->data, size);
        if (!d) return;
        h->bytes += size;
        h->bytes -= s->size;
        s->data = d;
        s->size = size;
    }
    memcpy(s->data, frame, len);
    s->len = (uint32_t)len;
    s->seq = ++h->seq;
    r->head = (uint32_t)((r->head + 1) % h->depth);
    if (r->n < h->depth) r->n++;
    if (h->lru_first != r) {
        lru_unlink(h, r);
        lru_push_front(h, r);
    }
    while (h->bytes > h->max_bytes && h->lru_last && h->lru_last != r) evict(h, h->lru_last);
}

typedef struct hpick {
    const hslot *s;
} hpick;

static int newest_first(const void *a, const void *b) {
    uint64_t x = ((const hpick *)a)->s->seq, y = ((const hpick *)b)->s->seq;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Owner of the result: the caller (free). */
char *gb_history_list(gb_history *h, const char *space, const char *query, const char *session,
                      size_t max_len, size_t *len) {
    static const char head[] = "{\"v\":1,\"type\":\"history-list\",\"values\":[";
    static const char tail[] = "]}";
    hpick *picks = NULL;
    size_t n = 0;
    char kbuf[512];
    size_t klen;
    char *key = session ? make_key(kbuf, sizeof kbuf, space, strlen(space), query, strlen(query),
                                   session, strlen(session), &klen)
                        : make_key(kbuf, sizeof kbuf, space, strlen(space), query, strlen(query),
                                   NO_C, &klen);
    if (!key) return NULL;
    if (session) {
        hring *r = gb_map_get(&h->rings, key, klen);
        if (r) {
            picks = malloc(r->n * sizeof *picks + 1);
            for (uint32_t i = 0; picks && i < r->n; i++)
                picks[n++].s = &r->slots[(r->head + h->depth - 1 - i) % h->depth];
        }
    } else {
        hqlist *q = gb_map_get(&h->queries, key, klen);
        size_t total = 0;
        for (hring *r = q ? q->first : NULL; r; r = r->q_next) total += r->n;
        if (total) picks = malloc(total * sizeof *picks);
        for (hring *r = q ? q->first : NULL; picks && r; r = r->q_next)
            for (uint32_t i = 0; i < r->n; i++) picks[n++].s = &r->slots[i];
        if (picks) qsort(picks, n, sizeof *picks, newest_first);
    }
    if (key != kbuf) free(key);
    if (n > h->depth) n = h->depth;

    size_t cap = sizeof head + sizeof tail;
    for (size_t i = 0; i < n; i++) cap += picks[i].s->len + 1;
    char *out = malloc(cap);
    if (!out) {
        free(picks);
        return NULL;
    }
    size_t o = sizeof head - 1;
    memcpy(out, head, o);
    for (size_t i = 0; i < n; i++) {
        const hslot *s = picks[i].s;
        if (o + (i ? 1 : 0) + s->len + sizeof tail - 1 > max_len) break; /* keep under the limit */
        if (i) out[o++] = ',';
        memcpy(out + o, s->data, s->len);
        o += s->len;
    }
    memcpy(out + o, tail, sizeof tail);
    o += sizeof tail - 1;
    free(picks);
    *len = o;
    return out;
}

size_t gb_history_bytes(const gb_history *h) { return h->bytes; }
size_t gb_history_rings(const gb_history *h) { return h->nrings; }
