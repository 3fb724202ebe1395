/* broker.c — gb_broker: grove's broker (docs/PROTOCOL.md).
 *
 * One ROUTER socket and one loop: zpoller wakes it, then it drains every
 * waiting message without blocking (up to BATCH before looking at the
 * clock again).  Messages are received into two zmq_msg_t reused across
 * the whole run and decoded once with gw_decode.  The hot path — value,
 * fault and out frames from nodes — never re-encodes: the received frame
 * is handed to each editor with zmq_msg_copy (libzmq shares the bytes by
 * reference count) and a value's bytes are copied into its history ring.
 *
 * State: the peer registry (routing id -> gb_peer, plus a dense array of
 * all peers and one of editors for the fan-outs), the spaces (name ->
 * gb_space), the value history and the pending evals (broker request id ->
 * gb_eval).  Heartbeats: every interval one sweep over the peers drops the
 * silent ones and pings the rest, O(peers).
 *
 * Sends never block: ROUTER_MANDATORY makes a send to a vanished peer or a
 * full pipe fail at once (EHOSTUNREACH / EAGAIN) and the frame is dropped.
 */
#include "broker.h"
#include "wire.h"

#include <czmq.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 4096            /* messages drained before the clock is read again */
#define WARN_PER_SEC 50       /* warning lines per second, the rest counted */
#define HISTORY_MAX_BYTES ((size_t)256 * 1024 * 1024)
#define PEER_SNDHWM 10000     /* frames queued per peer before drops */

typedef struct gb_peer {
    char *rid;          /* routing id, owned (also the registry's key) */
    size_t rid_len;
    bool node, editor;  /* role "node", "editor" or "both" */
    char *id, *session, *context; /* owned */
    char *caps;         /* the caps array as JSON text, owned */
    double seen_mono;   /* last message, monotonic ms */
    double seen_wall;   /* ... and wall-clock ms */
    double dead_ms;     /* silence after which it is dropped */
    uint64_t hello_no;  /* when it said hello last: newest wins for eval */
    size_t all_ix;      /* index in b->all */
    size_t ed_ix;       /* index in b->editors, when an editor */
} gb_peer;

typedef struct gb_eval {
    char *breq;          /* the broker's request id, owned (map key too) */
    char *req;           /* the editor's, owned */
    char *editor;        /* the editor's routing id, owned */
    size_t editor_len;
    gb_peer *target;     /* the node it went to (cleared when it leaves) */
    char *node, *session; /* owned */
} gb_eval;

struct gb_broker {
    gb_options o;
    zsock_t *router;
    void *raw;
    char endpoint[256];
    char epoch[17];
    double hb;

    gb_map peers;        /* routing id -> gb_peer */
    gb_peer **all;       /* every peer */
    size_t nall, capall;
    gb_peer **editors;   /* the editors among them */
    size_t ned, caped;
    uint64_t hellos;

    gb_map spaces;       /* name -> gb_space */
    gb_history *history;
    gb_map evals;        /* broker request id -> gb_eval */
    uint64_t next_eval;

    double now_mono;     /* the clock, read once per batch */
    double now_wall;
    /* warning rate limit */
    double warn_window;
    int warn_count;
    long warn_dropped;
};

/* ---- the decode arena ----
 * cJSON allocates each item and string of a parsed message on its own:
 * about 40 malloc/free pairs for a value message, a third of the broker's
 * time.  So while a frame is decoded, cJSON's hooks take memory from one
 * block by bumping a pointer; freeing it does nothing, and the block is
 * reused once that message is deleted (handle() ends).  Everything made
 * after decoding (replies, copies of form records kept in a space) comes
 * from malloc.  cJSON's hooks are process-wide, hence the one piece of
 * file-scope state here: the broker is a single-threaded program. */
#define ARENA_SIZE (256 * 1024)

static struct {
    char *base;
    size_t used;
    bool on;
} arena;

static void *arena_malloc(size_t n) {
    if (arena.on && arena.base) {
        size_t a = (n + 15) & ~(size_t)15;
        if (a >= n && a <= ARENA_SIZE - arena.used) {
            void *p = arena.base + arena.used;
            arena.used += a;
            return p;
        }
    }
    return malloc(n);
}

static void arena_free(void *p) {
    if (arena.base && (char *)p >= arena.base && (char *)p < arena.base + ARENA_SIZE) return;
    free(p);
}

static void arena_init(void) {
    if (!arena.base) arena.base = malloc(ARENA_SIZE);
    cJSON_Hooks hooks = {arena_malloc, arena_free};
    cJSON_InitHooks(&hooks);
}

static cJSON *decode(const void *data, size_t len, size_t max, char *err, size_t errlen) {
    arena.on = true;
    cJSON *msg = gw_decode(data, len, max, err, errlen);
    arena.on = false;
    if (!msg) arena.used = 0;
    return msg;
}

/* Deletes a message made by decode() and frees the arena for the next. */
static void release(cJSON *msg) {
    cJSON_Delete(msg);
    arena.used = 0;
}

/* ---- logging ---- */

static void logline(gb_broker *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logline(gb_broker *b, const char *fmt, ...) {
    if (b->o.quiet) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("grove-broker: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* One warning line, at most WARN_PER_SEC a second (then counted). */
static void warn(gb_broker *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(gb_broker *b, const char *fmt, ...) {
    double now = gw_mono_ms();
    if (now - b->warn_window >= 1000) {
        if (b->warn_dropped)
            fprintf(stderr, "grove-broker: warning: %ld more warnings not shown\n", b->warn_dropped);
        b->warn_window = now;
        b->warn_count = 0;
        b->warn_dropped = 0;
    }
    if (++b->warn_count > WARN_PER_SEC) {
        b->warn_dropped++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    fputs("grove-broker: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* A printable name for a routing id: the session when it is text, else hex. */
static const char *rid_name(const char *rid, size_t len, char *buf, size_t cap) {
    bool text = len > 0;
    for (size_t i = 0; i < len; i++)
        if (rid[i] < 0x21 || rid[i] > 0x7e) text = false;
    if (text) {
        snprintf(buf, cap, "%.*s", (int)(len < 64 ? len : 64), rid);
    } else {
        size_t o = 0;
        buf[o++] = '#';
        for (size_t i = 0; i < len && o + 3 < cap; i++) o += (size_t)snprintf(buf + o, cap - o, "%02x", (unsigned char)rid[i]);
        buf[o] = '\0';
    }
    return buf;
}

static const char *peer_name(const gb_peer *p, char *buf, size_t cap) {
    snprintf(buf, cap, "%s %s %s", !p->editor ? "node" : p->node ? "both" : "editor", p->id, p->session);
    return buf;
}

/* Ends S (cut short by snprintf) before an incomplete UTF-8 character:
 * a message holding a cut peer string must stay valid for gw_decode. */
static void utf8_trim(char *s) {
    size_t end = strlen(s), i = end;
    while (i > 0 && end - i < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) i--;
    if (i == 0) return;
    unsigned c = (unsigned char)s[i - 1];
    size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (i - 1 + want > end) s[i - 1] = '\0';
}

/* ---- sending ---- */

/* Sends LEN bytes to the peer RID; false when dropped. */
static bool send_to(gb_broker *b, const char *rid, size_t rid_len, const void *data, size_t len) {
    if (zmq_send(b->raw, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) return false;
    return zmq_send(b->raw, data, len, ZMQ_DONTWAIT) >= 0;
}

/* Sends a copy of the frame MSG (its bytes are shared, not copied). */
static bool send_copy(gb_broker *b, const char *rid, size_t rid_len, zmq_msg_t *msg) {
    if (zmq_send(b->raw, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) return false;
    zmq_msg_t copy;
    zmq_msg_init(&copy);
    zmq_msg_copy(&copy, msg);
    if (zmq_msg_send(&copy, b->raw, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&copy);
        return false;
    }
    return true;
}

static bool send_json(gb_broker *b, const char *rid, size_t rid_len, const cJSON *msg) {
    size_t len;
    char *text = gw_encode(msg, &len);
    if (!text) return false;
    bool ok = send_to(b, rid, rid_len, text, len);
    free(text);
    return ok;
}

static void send_error(gb_broker *b, const char *rid, size_t rid_len, const char *code,
                       const char *message, const char *ref) {
    cJSON *m = gw_msg("error");
    if (!m) return;
    cJSON_AddStringToObject(m, "code", code);
    cJSON_AddStringToObject(m, "message", message);
    if (ref) cJSON_AddStringToObject(m, "ref", ref);
    send_json(b, rid, rid_len, m);
    cJSON_Delete(m);
}

/* Sends the received frame MSG to every editor, sharing its bytes. */
static void to_editors_frame(gb_broker *b, zmq_msg_t *msg) {
    for (size_t i = 0; i < b->ned; i++)
        send_copy(b, b->editors[i]->rid, b->editors[i]->rid_len, msg);
}

/* Sends the frame TEXT to every editor. */
static void to_editors(gb_broker *b, const char *text, size_t len) {
    if (b->ned == 0) return;
    zmq_msg_t m;
    if (zmq_msg_init_size(&m, len) != 0) return;
    memcpy(zmq_msg_data(&m), text, len);
    for (size_t i = 0; i < b->ned; i++) send_copy(b, b->editors[i]->rid, b->editors[i]->rid_len, &m);
    zmq_msg_close(&m);
}

static void to_editors_json(gb_broker *b, const cJSON *msg) {
    size_t len;
    char *text = gw_encode(msg, &len);
    if (!text) return;
    to_editors(b, text, len);
    free(text);
}

/* Sends the frame TEXT to every node. */
static void to_nodes(gb_broker *b, const char *text, size_t len) {
    zmq_msg_t m;
    if (zmq_msg_init_size(&m, len) != 0) return;
    memcpy(zmq_msg_data(&m), text, len);
    for (size_t i = 0; i < b->nall; i++)
        if (b->all[i]->node) send_copy(b, b->all[i]->rid, b->all[i]->rid_len, &m);
    zmq_msg_close(&m);
}

static void node_event(gb_broker *b, const char *type, const gb_peer *p) {
    if (!p->node || b->ned == 0) return;
    cJSON *m = gw_msg(type);
    if (!m) return;
    cJSON_AddStringToObject(m, "id", p->id);
    cJSON_AddStringToObject(m, "session", p->session);
    to_editors_json(b, m);
    cJSON_Delete(m);
}

/* ---- evals ---- */

static void eval_free(gb_eval *e) {
    free(e->breq);
    free(e->req);
    free(e->editor);
    free(e->node);
    free(e->session);
    free(e);
}

/* Answers the editor of E with a result of status "error". */
static void eval_fail(gb_broker *b, const char *editor, size_t editor_len, const char *req,
                      const char *node, const char *session, const char *message) {
    cJSON *m = gw_msg("result");
    if (!m) return;
    cJSON_AddStringToObject(m, "req", req);
    cJSON_AddStringToObject(m, "status", "error");
    cJSON_AddStringToObject(m, "message", message);
    cJSON_AddStringToObject(m, "node", node);
    cJSON_AddStringToObject(m, "session", session ? session : "");
    send_json(b, editor, editor_len, m);
    cJSON_Delete(m);
}

/* ---- the registry ---- */

static bool array_add(gb_peer ***arr, size_t *n, size_t *cap, gb_peer *p, size_t *ix) {
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        gb_peer **na = realloc(*arr, nc * sizeof *na);
        if (!na) return false;
        *arr = na;
        *cap = nc;
    }
    *ix = *n;
    (*arr)[(*n)++] = p;
    return true;
}

static void editors_remove(gb_broker *b, gb_peer *p) {
    size_t i = p->ed_ix;
    if (i >= b->ned || b->editors[i] != p) return;
    b->editors[i] = b->editors[--b->ned];
    b->editors[i]->ed_ix = i;
}

static void peer_free_fields(gb_peer *p) {
    free(p->id);
    free(p->session);
    free(p->context);
    free(p->caps);
    p->id = p->session = p->context = p->caps = NULL;
}

/* Forgets P: node-left to the editors, its pending evals answered. */
static void peer_drop(gb_broker *b, gb_peer *p, const char *why) {
    char name[200];
    logline(b, "leave %s (%s)", peer_name(p, name, sizeof name), why);
    gb_map_del(&b->peers, p->rid, p->rid_len);
    size_t i = p->all_ix;
    b->all[i] = b->all[--b->nall];
    b->all[i]->all_ix = i;
    if (p->editor) editors_remove(b, p);
    node_event(b, "node-left", p);
    if (b->evals.count) {
        char msg[160];
        snprintf(msg, sizeof msg, "node %s left", p->id);
        utf8_trim(msg);
        for (size_t k = 0; k < b->evals.cap; k++) {
            gb_eval *e = b->evals.slots[k].hash ? b->evals.slots[k].val : NULL;
            if (!e || e->target != p) continue;
            e->target = NULL;
            eval_fail(b, e->editor, e->editor_len, e->req, e->node, e->session, msg);
        }
        /* remove the answered ones (deleting shifts slots: collect first) */
        size_t n = 0;
        gb_eval **done = malloc(b->evals.count * sizeof *done);
        for (size_t k = 0; done && k < b->evals.cap; k++) {
            gb_eval *e = b->evals.slots[k].hash ? b->evals.slots[k].val : NULL;
            if (e && !e->target) done[n++] = e;
        }
        for (size_t k = 0; k < n; k++) {
            gb_map_del(&b->evals, done[k]->breq, strlen(done[k]->breq));
            eval_free(done[k]);
        }
        free(done);
    }
    peer_free_fields(p);
    free(p->rid);
    free(p);
}

static char *dup_or(const char *s, const char *dflt) { return strdup(s ? s : dflt); }

static void send_snapshots(gb_broker *b, const gb_peer *p) {
    for (size_t k = 0; k < b->spaces.cap; k++) {
        gb_space *s = b->spaces.slots[k].hash ? b->spaces.slots[k].val : NULL;
        if (!s) continue;
        size_t len;
        const char *text = gb_space_snapshot(s, b->epoch, &len);
        if (text) send_to(b, p->rid, p->rid_len, text, len);
    }
}

static void on_hello(gb_broker *b, gb_peer *p, const char *rid, size_t rid_len, cJSON *msg) {
    const char *role = gw_str(msg, "role"), *id = gw_str(msg, "id");
    const char *session = gw_str(msg, "session");
    bool node = strcmp(role, "editor") != 0, editor = strcmp(role, "node") != 0;
    bool fresh = !p;
    char name[200];
    if (p) {
        /* the same connection says hello again: a new identity replaces the old */
        bool same = p->node == node && p->editor == editor && strcmp(p->id, id) == 0 && strcmp(p->session, session) == 0;
        if (!same) {
            logline(b, "leave %s (replaced by a new hello)", peer_name(p, name, sizeof name));
            node_event(b, "node-left", p);
            fresh = true;
        }
        if (p->editor && !editor) editors_remove(b, p);
        if (!p->editor && editor && !array_add(&b->editors, &b->ned, &b->caped, p, &p->ed_ix)) editor = false;
        peer_free_fields(p);
    } else {
        p = calloc(1, sizeof *p);
        if (p) p->rid = malloc(rid_len + 1);
        if (!p || !p->rid || !gb_map_put(&b->peers, rid, rid_len, p)) {
            if (p) free(p->rid);
            free(p);
            warn(b, "out of memory registering a peer");
            return;
        }
        memcpy(p->rid, rid, rid_len);
        p->rid[rid_len] = '\0';
        p->rid_len = rid_len;
        if (!array_add(&b->all, &b->nall, &b->capall, p, &p->all_ix) ||
            (editor && !array_add(&b->editors, &b->ned, &b->caped, p, &p->ed_ix))) {
            gb_map_del(&b->peers, rid, rid_len);
            if (p->all_ix < b->nall && b->all[p->all_ix] == p) b->all[p->all_ix] = b->all[--b->nall];
            free(p->rid);
            free(p);
            warn(b, "out of memory registering a peer");
            return;
        }
    }
    p->node = node;
    p->editor = editor;
    p->id = strdup(id);
    p->session = strdup(session);
    p->context = dup_or(gw_str(msg, "context"), "{}");
    const cJSON *caps = cJSON_GetObjectItemCaseSensitive(msg, "caps");
    p->caps = caps ? cJSON_PrintUnformatted(caps) : strdup("[]");
    p->hello_no = ++b->hellos;
    double phb = gw_num(msg, "heartbeat", b->hb);
    if (!(phb > 0) || phb > 3600e3) phb = b->hb;
    p->dead_ms = GW_DEAD_BEATS * fmax(b->hb, phb);
    p->seen_mono = b->now_mono;
    p->seen_wall = b->now_wall;
    if (!p->id || !p->session || !p->context || !p->caps) { /* out of memory */
        peer_drop(b, p, "out of memory");
        return;
    }

    cJSON *w = gw_msg("welcome");
    if (w) {
        cJSON_AddStringToObject(w, "epoch", b->epoch);
        cJSON_AddNumberToObject(w, "heartbeat", b->hb);
        send_json(b, rid, rid_len, w);
        cJSON_Delete(w);
    }
    if (node) send_snapshots(b, p);
    if (fresh) {
        logline(b, "join %s caps %s", peer_name(p, name, sizeof name), p->caps);
        node_event(b, "node-joined", p);
    }
}

/* ---- the program ---- */

typedef struct change_ctx {
    gb_broker *b;
} change_ctx;

static void on_change(void *ctx, gb_space *s, const cJSON *form, const char *removed) {
    gb_broker *b = ((change_ctx *)ctx)->b;
    cJSON *m = gw_msg("delta");
    if (!m) return;
    cJSON_AddStringToObject(m, "space", s->name);
    cJSON_AddStringToObject(m, "epoch", b->epoch);
    cJSON_AddNumberToObject(m, "seq", (double)s->seq);
    if (form) cJSON_AddItemReferenceToObject(m, "form", (cJSON *)form);
    else cJSON_AddStringToObject(m, "remove", removed);
    size_t len;
    char *text = gw_encode(m, &len);
    cJSON_Delete(m); /* the reference leaves the record alone */
    if (text) to_nodes(b, text, len);
    free(text);
}

static gb_space *space_get(gb_broker *b, const char *name, bool make) {
    gb_space *s = gb_map_get(&b->spaces, name, strlen(name));
    if (s || !make) return s;
    s = gb_space_new(name);
    if (s && !gb_map_put(&b->spaces, name, strlen(name), s)) gb_space_destroy(&s);
    return s;
}

static void on_push(gb_broker *b, const gb_peer *p, cJSON *msg) {
    const char *name = gw_str(msg, "space");
    gb_space *s = space_get(b, name, true);
    if (!s) {
        send_error(b, p->rid, p->rid_len, "bad-field", "out of memory", "push");
        return;
    }
    change_ctx ctx = {b};
    gb_space_apply(s, msg, on_change, &ctx);
}

static void on_snapshot_req(gb_broker *b, const gb_peer *p, cJSON *msg) {
    const char *name = gw_str(msg, "space");
    gb_space *s = space_get(b, name, false);
    size_t len;
    if (s) {
        const char *text = gb_space_snapshot(s, b->epoch, &len);
        if (text) send_to(b, p->rid, p->rid_len, text, len);
    } else {
        char *text = gb_space_unknown_snapshot(name, b->epoch, &len);
        if (text) send_to(b, p->rid, p->rid_len, text, len);
        free(text);
    }
}

/* ---- nodes, history, eval ---- */

static int peer_order(const void *x, const void *y) {
    const gb_peer *a = *(gb_peer *const *)x, *b = *(gb_peer *const *)y;
    if (a->node != b->node) return a->node ? -1 : 1;
    int c = strcmp(a->id, b->id);
    return c ? c : strcmp(a->session, b->session);
}

static void on_nodes(gb_broker *b, const gb_peer *p) {
    gb_peer **sorted = malloc((b->nall + 1) * sizeof *sorted);
    cJSON *m = gw_msg("node-list");
    cJSON *arr = m ? cJSON_AddArrayToObject(m, "nodes") : NULL;
    if (!sorted || !arr) {
        free(sorted);
        cJSON_Delete(m);
        return;
    }
    memcpy(sorted, b->all, b->nall * sizeof *sorted);
    qsort(sorted, b->nall, sizeof *sorted, peer_order);
    for (size_t i = 0; i < b->nall; i++) {
        const gb_peer *q = sorted[i];
        cJSON *e = cJSON_CreateObject();
        if (!e) break;
        cJSON_AddItemToArray(arr, e);
        cJSON_AddStringToObject(e, "id", q->id);
        cJSON_AddStringToObject(e, "session", q->session);
        cJSON_AddStringToObject(e, "role", !q->editor ? "node" : q->node ? "both" : "editor");
        cJSON *caps = cJSON_Parse(q->caps);
        cJSON_AddItemToObject(e, "caps", caps ? caps : cJSON_CreateArray());
        cJSON_AddStringToObject(e, "context", q->context);
        cJSON_AddNumberToObject(e, "seen", floor(q->seen_wall));
    }
    send_json(b, p->rid, p->rid_len, m);
    cJSON_Delete(m);
    free(sorted);
}

static void on_history(gb_broker *b, const gb_peer *p, cJSON *msg) {
    size_t len;
    char *text = gb_history_list(b->history, gw_str(msg, "space"), gw_str(msg, "query"),
                                 gw_str(msg, "session"), b->o.max_msg, &len);
    if (text) send_to(b, p->rid, p->rid_len, text, len);
    free(text);
}

static void on_eval(gb_broker *b, const gb_peer *p, cJSON *msg) {
    const char *req = gw_str(msg, "req"), *node = gw_str(msg, "node");
    const char *session = gw_str(msg, "session");
    gb_peer *target = NULL;
    for (size_t i = 0; i < b->nall; i++) {
        gb_peer *q = b->all[i];
        if (!q->node || strcmp(q->id, node) != 0) continue;
        if (session && strcmp(q->session, session) != 0) continue;
        if (!target || q->hello_no > target->hello_no) target = q;
    }
    if (!target) {
        char why[200];
        if (session) snprintf(why, sizeof why, "no node %s with session %s", node, session);
        else snprintf(why, sizeof why, "no node %s", node);
        utf8_trim(why);
        eval_fail(b, p->rid, p->rid_len, req, node, session, why);
        return;
    }
    gb_eval *e = calloc(1, sizeof *e);
    char breq[32];
    snprintf(breq, sizeof breq, "b%llu", (unsigned long long)++b->next_eval);
    if (e) {
        e->breq = strdup(breq);
        e->req = strdup(req);
        e->editor = malloc(p->rid_len + 1);
        e->node = strdup(target->id);
        e->session = strdup(target->session);
        e->target = target;
    }
    if (!e || !e->breq || !e->req || !e->editor || !e->node || !e->session ||
        !gb_map_put(&b->evals, breq, strlen(breq), e)) {
        if (e) eval_free(e);
        eval_fail(b, p->rid, p->rid_len, req, node, session, "the broker is out of memory");
        return;
    }
    memcpy(e->editor, p->rid, p->rid_len);
    e->editor[p->rid_len] = '\0';
    e->editor_len = p->rid_len;
    /* the node sees the broker's request id, so two editors' ids never clash */
    cJSON_ReplaceItemInObjectCaseSensitive(msg, "req", cJSON_CreateString(breq));
    if (!send_json(b, target->rid, target->rid_len, msg)) {
        gb_map_del(&b->evals, breq, strlen(breq));
        eval_fail(b, p->rid, p->rid_len, req, e->node, e->session,
                  "the node could not be reached");
        eval_free(e);
    }
}

static void on_result(gb_broker *b, const gb_peer *p, cJSON *msg) {
    const char *breq = gw_str(msg, "req");
    gb_eval *e = gb_map_get(&b->evals, breq, strlen(breq));
    if (!e) {
        char name[200];
        warn(b, "a result for an unknown request %.40s from %s", breq,
             peer_name(p, name, sizeof name));
        return;
    }
    gb_map_del(&b->evals, breq, strlen(breq));
    cJSON_ReplaceItemInObjectCaseSensitive(msg, "req", cJSON_CreateString(e->req));
    send_json(b, e->editor, e->editor_len, msg);
    eval_free(e);
}

/* ---- dispatch ---- */

/* The error code at the start of a gw_decode reason, copied into CODE. */
static const char *reason_code(const char *err, char *code, size_t cap, const char **rest) {
    const char *colon = strchr(err, ':');
    size_t n = colon ? (size_t)(colon - err) : 0;
    if (!colon || n == 0 || n >= cap) {
        snprintf(code, cap, "bad-json");
        *rest = err;
        return code;
    }
    memcpy(code, err, n);
    code[n] = '\0';
    *rest = colon[1] == ' ' ? colon + 2 : colon + 1;
    return code;
}

static void bad_frame(gb_broker *b, gb_peer *p, const char *rid, size_t rid_len, const char *err) {
    char code[32], who[200], ref[48];
    const char *rest;
    reason_code(err, code, sizeof code, &rest);
    const char *refp = NULL;
    if (strcmp(code, "bad-field") == 0) { /* "bad-field: TYPE: ..." names the type */
        const char *colon = strchr(rest, ':');
        size_t n = colon ? (size_t)(colon - rest) : 0;
        if (n > 0 && n < sizeof ref) {
            memcpy(ref, rest, n);
            ref[n] = '\0';
            refp = ref;
        }
    }
    warn(b, "bad frame from %s: %s",
         p ? peer_name(p, who, sizeof who) : rid_name(rid, rid_len, who, sizeof who), err);
    send_error(b, rid, rid_len, code, rest, refp);
}

static void handle(gb_broker *b, const char *rid, size_t rid_len, zmq_msg_t *body) {
    gb_peer *p = gb_map_get(&b->peers, rid, rid_len);
    if (p) {
        p->seen_mono = b->now_mono;
        p->seen_wall = b->now_wall;
    }
    const char *data = zmq_msg_data(body);
    size_t len = zmq_msg_size(body);
    gw_scanned sc;
    if (p && gw_scan(data, len, b->o.max_msg, &sc)) { /* the fast path: nothing decoded */
        if (sc.type[0] == 'p') return; /* ping */
        to_editors_frame(b, body);     /* value, fault, out */
        if (sc.type[0] == 'v')
            gb_history_add(b->history, sc.space, sc.space_len, sc.query, sc.query_len,
                           sc.session, sc.session_len, data, len);
        return;
    }
    char err[256];
    cJSON *msg = decode(data, len, b->o.max_msg, err, sizeof err);
    if (!msg) {
        bad_frame(b, p, rid, rid_len, err);
        return;
    }
    const char *type = gw_str(msg, "type");
    if (!p && strcmp(type, "hello") != 0) {
        char who[200];
        if (strcmp(type, "error") == 0) /* logged, never answered (PROTOCOL.md) */
            warn(b, "error from %s: %s: %s", rid_name(rid, rid_len, who, sizeof who),
                 gw_str(msg, "code"), gw_str(msg, "message"));
        else
            send_error(b, rid, rid_len, "unknown-peer", "say hello first", type);
        release(msg);
        return;
    }
    switch (type[0]) { /* the hot types first, by their first letter */
    case 'v': { /* value (escapes in its key fields kept it off the fast path) */
        const char *space = gw_str(msg, "space"), *query = gw_str(msg, "query");
        const char *session = gw_str(msg, "session");
        to_editors_frame(b, body);
        gb_history_add(b->history, space, strlen(space), query, strlen(query), session,
                       strlen(session), data, len);
        break;
    }
    case 'p':
        if (strcmp(type, "ping") == 0) break;
        if (strcmp(type, "push") == 0) {
            on_push(b, p, msg);
            break;
        }
        goto not_for_broker;
    case 'o': /* out */
    case 'f': /* fault */
        to_editors_frame(b, body);
        break;
    case 'h':
        if (strcmp(type, "hello") == 0) on_hello(b, p, rid, rid_len, msg);
        else if (strcmp(type, "history") == 0) on_history(b, p, msg);
        else goto not_for_broker;
        break;
    case 's':
        if (strcmp(type, "snapshot-req") == 0) on_snapshot_req(b, p, msg);
        else goto not_for_broker;
        break;
    case 'n':
        if (strcmp(type, "nodes") == 0) on_nodes(b, p);
        else goto not_for_broker;
        break;
    case 'e':
        if (strcmp(type, "eval") == 0) on_eval(b, p, msg);
        else if (strcmp(type, "error") == 0) {
            char who[200];
            warn(b, "error from %s: %s: %s", peer_name(p, who, sizeof who), gw_str(msg, "code"),
                 gw_str(msg, "message"));
        } else goto not_for_broker;
        break;
    case 'r':
        if (strcmp(type, "result") == 0) on_result(b, p, msg);
        else goto not_for_broker;
        break;
    default:
    not_for_broker: {
        char who[200], why[120];
        snprintf(why, sizeof why, "a %s message is not sent to the broker", type);
        warn(b, "bad frame from %s: bad-type: %s", peer_name(p, who, sizeof who), why);
        send_error(b, rid, rid_len, "bad-type", why, type);
    }
    }
    release(msg);
}

/* Drains up to BATCH messages; false when none was waiting. */
static bool drain(gb_broker *b, zmq_msg_t *id, zmq_msg_t *body) {
    b->now_mono = gw_mono_ms();
    b->now_wall = gw_now_ms();
    int k;
    for (k = 0; k < BATCH && !zsys_interrupted; k++) {
        if (zmq_msg_recv(id, b->raw, ZMQ_DONTWAIT) < 0) break;
        if (!zmq_msg_more(id)) continue; /* a ROUTER always gives the id first */
        if (zmq_msg_recv(body, b->raw, ZMQ_DONTWAIT) < 0) continue;
        const char *rid = zmq_msg_data(id);
        size_t rid_len = zmq_msg_size(id);
        if (zmq_msg_more(body)) {
            int frames = 1;
            while (zmq_msg_more(body) && zmq_msg_recv(body, b->raw, ZMQ_DONTWAIT) >= 0) frames++;
            char err[96];
            snprintf(err, sizeof err, "bad-json: a message of %d frames, not one", frames);
            bad_frame(b, gb_map_get(&b->peers, rid, rid_len), rid, rid_len, err);
            continue;
        }
        handle(b, rid, rid_len, body);
        if ((k & 255) == 255) {
            b->now_mono = gw_mono_ms();
            b->now_wall = gw_now_ms();
        }
    }
    return k > 0;
}

/* Drops the silent peers and pings the others. */
static void heartbeat(gb_broker *b) {
    static const char ping[] = "{\"v\":1,\"type\":\"ping\"}";
    double now = gw_mono_ms();
    b->now_mono = now;
    b->now_wall = gw_now_ms();
    for (size_t i = 0; i < b->nall;) {
        gb_peer *p = b->all[i];
        if (now - p->seen_mono >= p->dead_ms) {
            char why[64];
            snprintf(why, sizeof why, "silent for %.0f ms", now - p->seen_mono);
            peer_drop(b, p, why); /* moves the last peer into slot I */
            continue;
        }
        send_to(b, p->rid, p->rid_len, ping, sizeof ping - 1);
        i++;
    }
}

void gb_broker_run(gb_broker *b) {
    zpoller_t *poller = zpoller_new(b->router, NULL);
    if (!poller) return;
    zmq_msg_t id, body;
    zmq_msg_init(&id);
    zmq_msg_init(&body);
    double next_beat = gw_mono_ms() + b->hb;
    while (!zsys_interrupted) {
        double now = gw_mono_ms();
        if (now >= next_beat) {
            heartbeat(b);
            next_beat += b->hb;
            if (next_beat <= now) next_beat = now + b->hb;
        }
        /* a full batch means more may be waiting: look again at once */
        if (drain(b, &id, &body)) continue;
        int wait = (int)ceil(next_beat - gw_mono_ms());
        zpoller_wait(poller, wait > 0 ? wait : 0);
        if (zpoller_terminated(poller)) break;
    }
    zmq_msg_close(&id);
    zmq_msg_close(&body);
    zpoller_destroy(&poller);
}

/* Owner of the result: the caller (gb_broker_destroy). */
gb_broker *gb_broker_new(const gb_options *o, char *err, size_t errlen) {
    gb_broker *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    b->o = *o;
    arena_init();
    b->hb = o->heartbeat_ms > 0 ? o->heartbeat_ms : GW_HEARTBEAT_MS;
    gw_session_id(b->epoch);
    b->history = gb_history_new(o->history, HISTORY_MAX_BYTES);
    b->router = zsock_new(ZMQ_ROUTER);
    if (!b->history || !b->router) {
        snprintf(err, errlen, "cannot make the ROUTER socket");
        gb_broker_destroy(&b);
        return NULL;
    }
    b->raw = zsock_resolve(b->router);
    zsock_set_router_handover(b->router, 1);
    zsock_set_router_mandatory(b->router, 1);
    zsock_set_linger(b->router, 0);
    zsock_set_sndhwm(b->router, PEER_SNDHWM);
    /* frames far over the limit are cut off by libzmq (it drops that
     * connection) before they are even allocated; the rest get too-big */
    int64_t hard = (int64_t)o->max_msg * 4;
    if (hard < 64 * 1024 * 1024) hard = 64 * 1024 * 1024;
    zmq_setsockopt(b->raw, ZMQ_MAXMSGSIZE, &hard, sizeof hard);
    if (zsock_bind(b->router, "%s", o->bind) < 0) {
        snprintf(err, errlen, "cannot bind %s: %s", o->bind, zmq_strerror(zmq_errno()));
        gb_broker_destroy(&b);
        return NULL;
    }
    size_t n = sizeof b->endpoint;
    if (zmq_getsockopt(b->raw, ZMQ_LAST_ENDPOINT, b->endpoint, &n) != 0)
        snprintf(b->endpoint, sizeof b->endpoint, "%s", o->bind);
    return b;
}

void gb_broker_destroy(gb_broker **bp) {
    if (!bp || !*bp) return;
    gb_broker *b = *bp;
    zsock_destroy(&b->router);
    for (size_t i = 0; i < b->nall; i++) {
        peer_free_fields(b->all[i]);
        free(b->all[i]->rid);
        free(b->all[i]);
    }
    free(b->all);
    free(b->editors);
    gb_map_free(&b->peers);
    for (size_t k = 0; k < b->spaces.cap; k++) {
        gb_space *s = b->spaces.slots[k].hash ? b->spaces.slots[k].val : NULL;
        gb_space_destroy(&s);
    }
    gb_map_free(&b->spaces);
    for (size_t k = 0; k < b->evals.cap; k++)
        if (b->evals.slots[k].hash) eval_free(b->evals.slots[k].val);
    gb_map_free(&b->evals);
    gb_history_destroy(&b->history);
    free(b);
    *bp = NULL;
    cJSON_InitHooks(NULL);
    free(arena.base);
    arena.base = NULL;
}

const char *gb_broker_endpoint(const gb_broker *b) { return b->endpoint; }
