/* client.c — one peer's connection to the broker (see client.h).
 *
 * Two states: CONNECTING (hello is sent now and then every heartbeat
 * interval until a welcome comes) and READY (a ping goes out whenever
 * nothing else was sent for an interval).  Any frame from the broker is a
 * sign of life; a broker silent for GW_DEAD_BEATS of the longer of the two
 * intervals (ours, and the broker's from its welcome), or an "unknown-peer"
 * error (the broker restarted or dropped us), sends the client back to
 * CONNECTING (an "unknown-peer" while a hello of the last interval awaits
 * its welcome changes nothing: it answers a message sent before that
 * hello).  With ZMQ_IMMEDIATE a send fails until the connection is up,
 * so a hello that could not be queued is retried after a short backoff
 * (1 ms doubling to 100 ms) rather than a whole interval: a fresh client
 * is welcomed within a few milliseconds of the broker being reachable.
 *
 * No signal handlers and no global state here: the Emacs module calls this
 * from its background thread (after zsys_handler_set(NULL)).
 */
#include "client.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Frames from the broker may be large (a snapshot of a long program, a
 * history list); the broker is the one peer we trust to be sane. */
#define CLIENT_MAX_MSG ((size_t)256 * 1024 * 1024)
#define HELLO_RETRY_MIN 1.0
#define HELLO_RETRY_MAX 100.0

struct gw_client {
    zsock_t *sock;
    void *raw;           /* the libzmq socket behind SOCK */
    cJSON *hello;        /* owned */
    char *hello_text;    /* HELLO encoded, owned */
    size_t hello_len;
    const char *session; /* inside HELLO */
    double hb;           /* our heartbeat interval, ms */
    double dead_ms;      /* silence that means the broker is gone */
    bool ready;
    double last_rx;      /* monotonic ms of the last frame received */
    double last_tx;      /* ... and of the last frame queued */
    double next_hello;   /* CONNECTING: when to send hello */
    double last_hello;   /* when a hello was last queued (-inf: never) */
    double retry;        /* CONNECTING: backoff after a failed hello */
};

static const char ping_text[] = "{\"v\":1,\"type\":\"ping\"}";

static void set_err(char *err, size_t errlen, const char *msg, const char *arg) {
    if (err && errlen) snprintf(err, errlen, "%s%s", msg, arg ? arg : "");
}

/* Queues LEN bytes of TEXT without blocking.  True when queued. */
static bool send_raw(gw_client *c, const void *text, size_t len, double now) {
    if (zmq_send(c->raw, text, len, ZMQ_DONTWAIT) < 0) return false;
    c->last_tx = now;
    return true;
}

static void send_hello(gw_client *c, double now) {
    if (send_raw(c, c->hello_text, c->hello_len, now)) {
        c->last_hello = now;
        c->next_hello = now + c->hb; /* wait that long for a welcome */
        c->retry = HELLO_RETRY_MIN;
    } else {
        c->next_hello = now + c->retry;
        c->retry = fmin(c->retry * 2, fmin(HELLO_RETRY_MAX, c->hb));
    }
}

static void lose_broker(gw_client *c, double now) {
    c->ready = false;
    c->retry = HELLO_RETRY_MIN;
    send_hello(c, now);
}

/* Owner of the result: the caller (gw_client_destroy).  HELLO is taken,
 * also on failure. */
gw_client *gw_client_new(const char *endpoint, cJSON *hello, int heartbeat_ms, char *err,
                         size_t errlen) {
    if (err && errlen) err[0] = '\0';
    if (!hello || !cJSON_IsObject(hello)) {
        set_err(err, errlen, "the hello is not a JSON object", NULL);
        cJSON_Delete(hello);
        return NULL;
    }
    if (!endpoint || !*endpoint) {
        set_err(err, errlen, "no broker endpoint", NULL);
        cJSON_Delete(hello);
        return NULL;
    }
    gw_client *c = calloc(1, sizeof *c);
    if (!c) {
        set_err(err, errlen, "out of memory", NULL);
        cJSON_Delete(hello);
        return NULL;
    }
    c->hello = hello;
    c->hb = heartbeat_ms > 0 ? heartbeat_ms : GW_HEARTBEAT_MS;
    c->dead_ms = GW_DEAD_BEATS * c->hb;
    c->retry = HELLO_RETRY_MIN;
    c->last_hello = -INFINITY;

    /* complete the hello: version, type, session and our interval */
    if (!cJSON_GetObjectItemCaseSensitive(hello, "v"))
        cJSON_AddNumberToObject(hello, "v", GW_VERSION);
    if (!cJSON_GetObjectItemCaseSensitive(hello, "type"))
        cJSON_AddStringToObject(hello, "type", "hello");
    const char *type = gw_str(hello, "type");
    if (!type || strcmp(type, "hello") != 0) {
        set_err(err, errlen, "the hello message has another type", NULL);
        goto fail;
    }
    if (!gw_str(hello, "session")) {
        char sid[17];
        gw_session_id(sid);
        cJSON_DeleteItemFromObjectCaseSensitive(hello, "session");
        cJSON_AddStringToObject(hello, "session", sid);
    }
    if (!cJSON_GetObjectItemCaseSensitive(hello, "heartbeat"))
        cJSON_AddNumberToObject(hello, "heartbeat", c->hb);
    c->session = gw_str(hello, "session");
    size_t slen = c->session ? strlen(c->session) : 0;
    if (slen == 0 || slen > 255) {
        set_err(err, errlen, "the session id must be 1 to 255 characters", NULL);
        goto fail;
    }
    c->hello_text = gw_encode(hello, &c->hello_len);
    if (!c->hello_text) {
        set_err(err, errlen, "out of memory", NULL);
        goto fail;
    }

    c->sock = zsock_new(ZMQ_DEALER);
    if (!c->sock) {
        set_err(err, errlen, "cannot make a ZeroMQ socket", NULL);
        goto fail;
    }
    c->raw = zsock_resolve(c->sock);
    if (zmq_setsockopt(c->raw, ZMQ_ROUTING_ID, c->session, slen) != 0) {
        set_err(err, errlen, "cannot set the routing id: ", zmq_strerror(zmq_errno()));
        goto fail;
    }
    zsock_set_immediate(c->sock, 1);
    zsock_set_linger(c->sock, 100);
    zsock_set_reconnect_ivl(c->sock, 100);
    zsock_set_reconnect_ivl_max(c->sock, 2000);
    if (zsock_connect(c->sock, "%s", endpoint) != 0) {
        set_err(err, errlen, "invalid broker endpoint: ", endpoint);
        goto fail;
    }
    double now = gw_mono_ms();
    c->last_rx = c->last_tx = now;
    send_hello(c, now);
    return c;
fail:
    gw_client_destroy(&c);
    return NULL;
}

void gw_client_destroy(gw_client **cp) {
    if (!cp || !*cp) return;
    gw_client *c = *cp;
    zsock_destroy(&c->sock);
    free(c->hello_text);
    cJSON_Delete(c->hello);
    free(c);
    *cp = NULL;
}

zsock_t *gw_client_sock(gw_client *c) { return c->sock; }

/* Owner of the result: the caller (cJSON_Delete). */
cJSON *gw_client_recv(gw_client *c) {
    for (;;) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, c->raw, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            return NULL;
        }
        double now = gw_mono_ms();
        c->last_rx = now;
        bool more = zmq_msg_more(&m);
        char err[160];
        cJSON *msg = NULL;
        if (more) {
            snprintf(err, sizeof err, "a message of more than one frame");
            while (more) { /* drop the rest of it */
                zmq_msg_close(&m);
                zmq_msg_init(&m);
                if (zmq_msg_recv(&m, c->raw, ZMQ_DONTWAIT) < 0) break;
                more = zmq_msg_more(&m);
            }
        } else {
            msg = gw_decode(zmq_msg_data(&m), zmq_msg_size(&m), CLIENT_MAX_MSG, err, sizeof err);
        }
        zmq_msg_close(&m);
        if (!msg) {
            fprintf(stderr, "grove: dropped a bad frame from the broker (%s)\n", err);
            continue;
        }
        const char *type = gw_str(msg, "type");
        if (strcmp(type, "ping") == 0) {
            cJSON_Delete(msg);
            continue;
        }
        if (strcmp(type, "welcome") == 0) {
            double bhb = gw_num(msg, "heartbeat", c->hb);
            if (!(bhb > 0) || bhb > 3600e3) bhb = c->hb;
            c->dead_ms = GW_DEAD_BEATS * fmax(c->hb, bhb);
            c->ready = true;
            return msg;
        }
        if (strcmp(type, "error") == 0) {
            const char *code = gw_str(msg, "code");
            if (strcmp(code, "unknown-peer") == 0) {
                cJSON_Delete(msg);
                /* answers to what was sent before our last hello arrive
                 * before its welcome: one hello per interval is enough */
                if (c->ready || now - c->last_hello >= c->hb) lose_broker(c, now);
                continue;
            }
        }
        return msg;
    }
}

bool gw_client_send(gw_client *c, const cJSON *msg) {
    size_t len;
    char *text = gw_encode(msg, &len);
    if (!text) return false;
    bool ok;
    if (!cJSON_GetObjectItemCaseSensitive(msg, "v") && len >= 2 && text[0] == '{') {
        /* splice the version in front of the other fields */
        static const char vfield[] = "\"v\":1";
        size_t vlen = sizeof vfield - 1;
        bool empty = text[1] == '}';
        char *t2 = malloc(len + vlen + 2);
        if (!t2) {
            free(text);
            return false;
        }
        t2[0] = '{';
        memcpy(t2 + 1, vfield, vlen);
        size_t n = 1 + vlen;
        if (!empty) t2[n++] = ',';
        memcpy(t2 + n, text + 1, len - 1);
        n += len - 1;
        ok = send_raw(c, t2, n, gw_mono_ms());
        free(t2);
    } else {
        ok = send_raw(c, text, len, gw_mono_ms());
    }
    free(text);
    return ok;
}

int gw_client_tick(gw_client *c) {
    double now = gw_mono_ms();
    if (c->ready && now - c->last_rx >= c->dead_ms) lose_broker(c, now);
    double wait;
    if (!c->ready) {
        if (now >= c->next_hello) send_hello(c, now);
        wait = c->next_hello - now;
    } else {
        if (now - c->last_tx >= c->hb) send_raw(c, ping_text, sizeof ping_text - 1, now);
        /* a failed ping is retried at the next call: no better time is known */
        double next_ping = c->last_tx + c->hb;
        if (next_ping <= now) next_ping = now + fmin(c->hb, HELLO_RETRY_MAX);
        wait = fmin(next_ping, c->last_rx + c->dead_ms) - now;
    }
    if (wait < 1) wait = 1;
    if (wait > c->hb) wait = c->hb;
    return (int)ceil(wait);
}

bool gw_client_ready(const gw_client *c) { return c->ready; }

const char *gw_client_session(const gw_client *c) { return c->session; }
