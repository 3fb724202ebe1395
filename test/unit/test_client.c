/* test_client.c — client.c against a ROUTER socket played by the test:
 * hello and welcome, pings, application messages both ways, a new hello
 * after "unknown-peer" and after the broker falls silent, bad frames from
 * the broker, a broker that starts after the client, bad endpoints.
 * Then clients against the real grove-broker (build/asan/grove-broker, or
 * $GROVE_BROKER): the program and its deltas, values and their history,
 * nodes, eval, bad frames answered while the broker keeps serving, a node
 * that falls silent, a broker restart, and a clean exit on SIGTERM. */
#include "client.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

#define HB 50 /* the client's heartbeat interval in these tests, ms */

/* What the test's ROUTER received, and what the client handed over. */
#define QMAX 512
typedef struct world {
    zsock_t *router;
    char rid[QMAX][64];
    cJSON *in[QMAX];   /* at the router, in order */
    int nin;
    cJSON *app[QMAX];  /* handed to the application by gw_client_recv */
    int napp;
} world;

static void world_clear(world *w) {
    for (int i = 0; i < w->nin; i++) cJSON_Delete(w->in[i]);
    for (int i = 0; i < w->napp; i++) cJSON_Delete(w->app[i]);
    w->nin = w->napp = 0;
}

static void router_take(world *w) {
    zmsg_t *m;
    while ((m = zmsg_recv_nowait(w->router))) {
        zframe_t *id = zmsg_pop(m), *body = zmsg_pop(m);
        if (id && body && w->nin < QMAX) {
            size_t n = zframe_size(id) < 63 ? zframe_size(id) : 63;
            memcpy(w->rid[w->nin], zframe_data(id), n);
            w->rid[w->nin][n] = '\0';
            char err[200];
            cJSON *j = gw_decode(zframe_data(body), zframe_size(body), GW_DEFAULT_MAX_MSG, err,
                                 sizeof err);
            if (!j) printf("router got a bad frame: %s\n", err);
            else w->in[w->nin++] = j;
        }
        zframe_destroy(&id);
        zframe_destroy(&body);
        zmsg_destroy(&m);
    }
}

/* Runs the client (and collects what the router gets) for MS ms. */
static void pump(world *w, gw_client *c, int ms) {
    zpoller_t *p = zpoller_new(gw_client_sock(c), NULL);
    if (w->router) zpoller_add(p, w->router);
    int64_t end = zclock_mono() + ms;
    for (;;) {
        int wait = gw_client_tick(c);
        int64_t left = end - zclock_mono();
        if (left <= 0) break;
        if (wait > left) wait = (int)left;
        zpoller_wait(p, wait);
        cJSON *m;
        while ((m = gw_client_recv(c))) {
            if (w->napp < QMAX) w->app[w->napp++] = m;
            else cJSON_Delete(m);
        }
        if (w->router) router_take(w);
    }
    zpoller_destroy(&p);
}

static int count_in(world *w, const char *type) {
    int n = 0;
    for (int i = 0; i < w->nin; i++)
        if (strcmp(gw_str(w->in[i], "type"), type) == 0) n++;
    return n;
}

static void router_send(world *w, const char *rid, const char *json) {
    zmsg_t *m = zmsg_new();
    zmsg_addstr(m, rid);
    zmsg_addmem(m, json, strlen(json));
    zmsg_send(&m, w->router);
}

static cJSON *make_hello(const char *session) {
    cJSON *h = gw_msg("hello");
    cJSON_AddStringToObject(h, "role", "node");
    cJSON_AddStringToObject(h, "id", "alpha");
    if (session) cJSON_AddStringToObject(h, "session", session);
    return h;
}

/* Pumps until the router has seen N messages of TYPE or MS pass. */
static bool wait_for(world *w, gw_client *c, const char *type, int n, int ms) {
    int64_t end = zclock_mono() + ms;
    while (count_in(w, type) < n && zclock_mono() < end) pump(w, c, 5);
    return count_in(w, type) >= n;
}

static const char *welcome = "{\"v\":1,\"type\":\"welcome\",\"epoch\":\"e1\",\"heartbeat\":50}";

static void test_session(void) {
    world w = {0};
    w.router = zsock_new(ZMQ_ROUTER);
    int port = zsock_bind(w.router, "tcp://127.0.0.1:*");
    CHECK(port > 0, "router bound");
    char ep[64], err[200];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);

    int64_t t0 = zclock_mono();
    gw_client *c = gw_client_new(ep, make_hello("00aa11bb22cc33dd"), HB, err, sizeof err);
    CHECK(c != NULL, "client made: %s", err);
    if (!c) return;
    CHECK(strcmp(gw_client_session(c), "00aa11bb22cc33dd") == 0, "session from the hello");
    CHECK(!gw_client_ready(c), "not ready before the welcome");

    /* hello arrives quickly, from a routing id equal to the session */
    CHECK(wait_for(&w, c, "hello", 1, 2000), "hello received");
    int64_t took = zclock_mono() - t0;
    CHECK(took < HB, "first hello within one interval (%lld ms)", (long long)took);
    CHECK(w.nin > 0 && strcmp(w.rid[0], "00aa11bb22cc33dd") == 0, "routing id is the session: %s",
          w.rid[0]);
    CHECK(w.nin > 0 && gw_num(w.in[0], "heartbeat", 0) == HB, "hello carries the interval");
    CHECK(w.nin > 0 && strcmp(gw_str(w.in[0], "id"), "alpha") == 0, "hello is the one given");

    /* without a welcome, hello is repeated every interval */
    pump(&w, c, HB * 3 + HB / 2);
    int hellos = count_in(&w, "hello");
    CHECK(hellos >= 3 && hellos <= 5, "hello repeated while connecting: %d", hellos);
    CHECK(count_in(&w, "ping") == 0, "no ping before the welcome");

    /* welcome: ready, handed over, then pings every interval */
    world_clear(&w);
    router_send(&w, "00aa11bb22cc33dd", welcome);
    pump(&w, c, 20);
    CHECK(gw_client_ready(c), "ready after the welcome");
    CHECK(w.napp == 1 && strcmp(gw_str(w.app[0], "type"), "welcome") == 0,
          "welcome handed over (%d)", w.napp);
    world_clear(&w);
    for (int i = 0; i < 4; i++) { /* stay alive: the broker pings too */
        router_send(&w, "00aa11bb22cc33dd", "{\"v\":1,\"type\":\"ping\"}");
        pump(&w, c, HB);
    }
    int pings = count_in(&w, "ping");
    CHECK(pings >= 3 && pings <= 5, "pings every interval: %d", pings);
    CHECK(count_in(&w, "hello") == 0, "no hello while ready");
    CHECK(w.napp == 0, "broker pings are not handed over (%d)", w.napp);
    CHECK(gw_client_ready(c), "still ready");

    /* application messages both ways; "v" is added when missing */
    world_clear(&w);
    router_send(&w, "00aa11bb22cc33dd",
                "{\"v\":1,\"type\":\"snapshot\",\"space\":\"user\",\"epoch\":\"e1\",\"seq\":0,"
                "\"known\":false,\"forms\":[]}");
    router_send(&w, "00aa11bb22cc33dd", "this is not json");
    router_send(&w, "00aa11bb22cc33dd", "{\"v\":1,\"type\":\"error\",\"code\":\"bad-json\",\"message\":\"m\"}");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", "snapshot-req");
    cJSON_AddStringToObject(o, "space", "user");
    CHECK(gw_client_send(c, o), "send queued");
    CHECK(cJSON_GetObjectItem(o, "v") == NULL, "the message sent is not changed");
    cJSON_Delete(o);
    pump(&w, c, 30);
    CHECK(w.napp == 2 && strcmp(gw_str(w.app[0], "type"), "snapshot") == 0 &&
              strcmp(gw_str(w.app[1], "code"), "bad-json") == 0,
          "snapshot and a plain error handed over, the bad frame dropped (%d)", w.napp);
    CHECK(count_in(&w, "snapshot-req") == 1, "snapshot-req arrived with v spliced in");

    /* unknown-peer: hello at once, not ready until the next welcome */
    world_clear(&w);
    router_send(&w, "00aa11bb22cc33dd",
                "{\"v\":1,\"type\":\"error\",\"code\":\"unknown-peer\",\"message\":\"who?\"}");
    t0 = zclock_mono();
    CHECK(wait_for(&w, c, "hello", 1, 1000), "hello after unknown-peer");
    took = zclock_mono() - t0;
    CHECK(took < HB / 2, "that hello came at once (%lld ms)", (long long)took);
    CHECK(!gw_client_ready(c), "not ready after unknown-peer");
    CHECK(w.napp == 0, "unknown-peer is not handed over");
    /* more unknown-peer answers while that hello awaits its welcome: no new hello */
    world_clear(&w);
    for (int i = 0; i < 5; i++)
        router_send(&w, "00aa11bb22cc33dd",
                    "{\"v\":1,\"type\":\"error\",\"code\":\"unknown-peer\",\"message\":\"who?\"}");
    pump(&w, c, HB / 3);
    CHECK(count_in(&w, "hello") == 0, "no hello storm from queued unknown-peer answers (%d)",
          count_in(&w, "hello"));
    router_send(&w, "00aa11bb22cc33dd", welcome);
    pump(&w, c, 10);
    CHECK(gw_client_ready(c), "ready again");

    /* silence: after GW_DEAD_BEATS intervals the client says hello again */
    world_clear(&w);
    t0 = zclock_mono();
    CHECK(wait_for(&w, c, "hello", 1, 20 * HB), "hello after the broker fell silent");
    took = zclock_mono() - t0;
    CHECK(took >= (GW_DEAD_BEATS - 1) * HB && took <= (GW_DEAD_BEATS + 2) * HB,
          "after about %d intervals (%lld ms)", GW_DEAD_BEATS, (long long)took);
    CHECK(!gw_client_ready(c), "not ready after silence");
    CHECK(count_in(&w, "ping") >= 1, "it pinged meanwhile");

    /* a broker interval longer than ours: the client waits for it */
    world_clear(&w);
    router_send(&w, "00aa11bb22cc33dd",
                "{\"v\":1,\"type\":\"welcome\",\"epoch\":\"e2\",\"heartbeat\":200}");
    pump(&w, c, 10);
    CHECK(gw_client_ready(c), "ready with a slow broker");
    pump(&w, c, 5 * HB);
    CHECK(gw_client_ready(c), "still ready after 5 of our intervals (broker's is 200 ms)");
    pump(&w, c, 500);
    CHECK(!gw_client_ready(c), "lost after 3 of the broker's intervals");

    /* a message of two frames from the broker is dropped */
    world_clear(&w);
    zmsg_t *m = zmsg_new();
    zmsg_addstr(m, "00aa11bb22cc33dd");
    zmsg_addstr(m, "{\"v\":1,\"type\":\"nodes\"}");
    zmsg_addstr(m, "{\"v\":1,\"type\":\"nodes\"}");
    zmsg_send(&m, w.router);
    router_send(&w, "00aa11bb22cc33dd", "{\"v\":1,\"type\":\"nodes\"}");
    pump(&w, c, 20);
    CHECK(w.napp == 1, "two-frame message dropped, next one handed over (%d)", w.napp);

    gw_client_destroy(&c);
    CHECK(c == NULL, "destroy clears the pointer");
    gw_client_destroy(&c);
    world_clear(&w);
    zsock_destroy(&w.router);
}

/* The broker starts after the client, and later restarts on the same
 * port: libzmq reconnects and the client is welcomed each time. */
static void test_late_broker(void) {
    world w = {0};
    /* A port below the ephemeral range, picked at random per process (czmq's
     * own "!" and "*" pick the same ports in parallel runs): a client
     * reconnecting to a free ephemeral port can connect to itself (TCP
     * self-connect), and libzmq 4.3 then stops retrying. */
    int port = -1;
    srand((unsigned)(zclock_usecs() ^ ((int64_t)getpid() << 20)));
    for (int tries = 0; tries < 100 && port < 0; tries++) {
        zsock_t *probe = zsock_new(ZMQ_ROUTER);
        port = zsock_bind(probe, "tcp://127.0.0.1:%d", 20000 + rand() % 12768);
        zsock_destroy(&probe);
    }
    char ep[64], err[200];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);

    gw_client *c = gw_client_new(ep, make_hello(NULL), HB, err, sizeof err);
    CHECK(c != NULL, "client made with no broker there: %s", err);
    if (!c) return;
    const char *sid = gw_client_session(c);
    CHECK(strlen(sid) == 16, "a session id was made: %s", sid);
    pump(&w, c, 150);
    CHECK(!gw_client_ready(c), "not ready without a broker");
    cJSON *o = gw_msg("nodes");
    CHECK(!gw_client_send(c, o), "send fails while disconnected");

    w.router = zsock_new(ZMQ_ROUTER);
    CHECK(zsock_bind(w.router, "%s", ep) == port, "router bound late");
    CHECK(wait_for(&w, c, "hello", 1, 3000), "hello reaches a late broker");
    CHECK(w.nin > 0 && strcmp(w.rid[0], sid) == 0, "with the generated session as routing id");
    CHECK(w.nin > 0 && gw_str(w.in[0], "session") && strcmp(gw_str(w.in[0], "session"), sid) == 0,
          "and in the hello");
    router_send(&w, sid, welcome);
    pump(&w, c, 20);
    CHECK(gw_client_ready(c), "ready with a late broker");
    CHECK(gw_client_send(c, o), "send works when connected");

    /* restart: a new router on the same port answers the old peer */
    zsock_destroy(&w.router);
    world_clear(&w);
    pump(&w, c, 30);
    w.router = zsock_new(ZMQ_ROUTER);
    CHECK(zsock_bind(w.router, "%s", ep) == port, "router rebound");
    int64_t end = zclock_mono() + 3000;
    while (count_in(&w, "ping") + count_in(&w, "hello") == 0 && zclock_mono() < end) pump(&w, c, 5);
    CHECK(w.nin > 0, "the client reached the restarted broker");
    router_send(&w, sid, "{\"v\":1,\"type\":\"error\",\"code\":\"unknown-peer\",\"message\":\"m\"}");
    CHECK(wait_for(&w, c, "hello", 1, 1000), "and said hello when told unknown-peer");
    cJSON_Delete(o);
    gw_client_destroy(&c);
    world_clear(&w);
    zsock_destroy(&w.router);
}

static void test_bad_args(void) {
    char err[200];
    gw_client *c = gw_client_new("nonsense", make_hello(NULL), 0, err, sizeof err);
    CHECK(c == NULL && strstr(err, "endpoint"), "bad endpoint refused: %s", err);
    c = gw_client_new("tcp://127.0.0.1:1", NULL, 0, err, sizeof err);
    CHECK(c == NULL && err[0], "no hello refused: %s", err);
    c = gw_client_new("tcp://127.0.0.1:1", gw_msg("ping"), 0, err, sizeof err);
    CHECK(c == NULL && strstr(err, "type"), "a hello of another type refused: %s", err);
    c = gw_client_new("", make_hello(NULL), 0, err, sizeof err);
    CHECK(c == NULL, "empty endpoint refused: %s", err);
    /* heartbeat 0 means the default */
    c = gw_client_new("tcp://127.0.0.1:1", make_hello("ab"), 0, err, sizeof err);
    CHECK(c != NULL, "default heartbeat: %s", err);
    int wait = c ? gw_client_tick(c) : 0;
    CHECK(wait >= 1 && wait <= GW_HEARTBEAT_MS, "tick asks for a sane wait: %d", wait);
    gw_client_destroy(&c);
}

/* ---- against the real broker ---- */

typedef struct broker_proc {
    pid_t pid;
    char endpoint[128];
} broker_proc;

/* Starts the broker binding BIND with a 100 ms heartbeat; its "listening
 * on" line gives the endpoint.  False when it did not start. */
static bool broker_start(broker_proc *b, const char *bind, const char *extra) {
    const char *bin = getenv("GROVE_BROKER");
    if (!bin) bin = access("build/asan/grove-broker", X_OK) == 0 ? "build/asan/grove-broker"
                                                                 : "build/grove-broker";
    int fd[2];
    if (pipe(fd) != 0) return false;
    b->pid = fork();
    if (b->pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execl(bin, bin, "--bind", bind, "--heartbeat", "100", "--history", "3", "--max-msg", "4096",
              extra, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char line[256];
    size_t n = 0;
    struct pollfd pf = {fd[0], POLLIN, 0};
    while (n < sizeof line - 1 && poll(&pf, 1, 5000) == 1) {
        ssize_t k = read(fd[0], line + n, 1);
        if (k <= 0 || line[n] == '\n') break;
        n++;
    }
    line[n] = '\0';
    close(fd[0]);
    bool ok = sscanf(line, "listening on %127s", b->endpoint) == 1;
    if (!ok) printf("broker %s did not start: \"%s\"\n", bin, line);
    return ok;
}

/* Stops the broker with SIGTERM; returns its exit status (-1: not normal). */
static int broker_stop(broker_proc *b) {
    if (b->pid <= 0) return -1;
    kill(b->pid, SIGTERM);
    int st = 0;
    for (int i = 0; i < 500; i++) { /* 5 s */
        if (waitpid(b->pid, &st, WNOHANG) == b->pid) {
            b->pid = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        }
        zclock_sleep(10);
    }
    kill(b->pid, SIGKILL);
    waitpid(b->pid, &st, 0);
    b->pid = 0;
    return -1;
}

/* A client and what it handed over. */
typedef struct peer {
    gw_client *c;
    cJSON *q[QMAX];
    int n;
} peer;

static void pump_all(peer **ps, int np, int ms) {
    zpoller_t *p = zpoller_new(NULL);
    for (int i = 0; i < np; i++) zpoller_add(p, gw_client_sock(ps[i]->c));
    int64_t end = zclock_mono() + ms;
    for (;;) {
        int wait = 1000;
        for (int i = 0; i < np; i++) {
            int w = gw_client_tick(ps[i]->c);
            if (w < wait) wait = w;
        }
        int64_t left = end - zclock_mono();
        if (left <= 0) break;
        zpoller_wait(p, wait < left ? wait : (int)left);
        for (int i = 0; i < np; i++) {
            cJSON *m;
            while ((m = gw_client_recv(ps[i]->c))) {
                if (ps[i]->n < QMAX) ps[i]->q[ps[i]->n++] = m;
                else cJSON_Delete(m);
            }
        }
    }
    zpoller_destroy(&p);
}

/* Takes the first message of TYPE that WHO got, pumping everyone for up
 * to MS ms.  Owner of the result: the caller. */
static cJSON *take(peer **ps, int np, peer *who, const char *type, int ms) {
    int64_t end = zclock_mono() + ms;
    for (;;) {
        for (int i = 0; i < who->n; i++) {
            if (strcmp(gw_str(who->q[i], "type"), type) != 0) continue;
            cJSON *m = who->q[i];
            memmove(who->q + i, who->q + i + 1, (size_t)(who->n - i - 1) * sizeof *who->q);
            who->n--;
            return m;
        }
        if (zclock_mono() >= end) return NULL;
        pump_all(ps, np, 5);
    }
}

static int count_type(peer *who, const char *type) {
    int n = 0;
    for (int i = 0; i < who->n; i++) n += strcmp(gw_str(who->q[i], "type"), type) == 0;
    return n;
}

static void peer_clear(peer *p) {
    for (int i = 0; i < p->n; i++) cJSON_Delete(p->q[i]);
    p->n = 0;
}

static cJSON *hello_as(const char *role, const char *id) {
    cJSON *h = gw_msg("hello");
    cJSON_AddStringToObject(h, "role", role);
    cJSON_AddStringToObject(h, "id", id);
    if (strcmp(role, "node") == 0) {
        cJSON *caps = cJSON_AddArrayToObject(h, "caps");
        cJSON_AddItemToArray(caps, cJSON_CreateString("log"));
        cJSON_AddStringToObject(h, "context", "{:region :eu}");
    }
    return h;
}

static cJSON *form_rec(const char *id, const char *text, bool live, int order) {
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "id", id);
    cJSON_AddStringToObject(f, "text", text);
    cJSON_AddBoolToObject(f, "live", live);
    cJSON_AddNumberToObject(f, "line", order + 1);
    cJSON_AddNumberToObject(f, "col", 1);
    cJSON_AddStringToObject(f, "hash", "0123456789abcdef");
    cJSON_AddNumberToObject(f, "order", order);
    return f;
}

static cJSON *push_msg(bool replace, int nforms, const char *second_text) {
    cJSON *p = gw_msg("push");
    cJSON_AddStringToObject(p, "space", "user");
    cJSON_AddStringToObject(p, "file", "demo.clj");
    cJSON_AddBoolToObject(p, "replace", replace);
    cJSON *fs = cJSON_AddArrayToObject(p, "forms");
    if (nforms > 0) cJSON_AddItemToArray(fs, form_rec("def:sq", "(defn sq [x] (* x x))", false, 0));
    if (nforms > 1) cJSON_AddItemToArray(fs, form_rec("h:1", second_text, true, 1));
    return p;
}

static const char *value_frame(char *buf, size_t cap, const char *session, int v) {
    snprintf(buf, cap,
             "{\"v\":1,\"type\":\"value\",\"space\":\"user\",\"form\":\"h:1\",\"query\":\"sq\","
             "\"line\":2,\"col\":1,\"node\":\"alpha\",\"session\":\"%s\",\"context\":\"{}\","
             "\"time\":%d,\"value\":\"%d\",\"count\":1}",
             session, v, v);
    return buf;
}

/* A raw DEALER for frames no client would send; its answers. */
static zsock_t *raw_dealer(const char *ep, const char *rid) {
    zsock_t *s = zsock_new(ZMQ_DEALER);
    zmq_setsockopt(zsock_resolve(s), ZMQ_ROUTING_ID, rid, strlen(rid));
    zsock_set_linger(s, 0);
    zsock_connect(s, "%s", ep);
    return s;
}

static cJSON *raw_answer(zsock_t *s, int ms) {
    zpoller_t *p = zpoller_new(s, NULL);
    cJSON *m = NULL;
    int64_t end = zclock_mono() + ms;
    while (!m && zclock_mono() < end) {
        if (!zpoller_wait(p, (int)(end - zclock_mono()))) break;
        zframe_t *f = zframe_recv(s);
        if (f) m = gw_decode(zframe_data(f), zframe_size(f), 1 << 20, NULL, 0);
        zframe_destroy(&f);
        if (m && strcmp(gw_str(m, "type"), "ping") == 0) {
            cJSON_Delete(m);
            m = NULL;
        }
    }
    zpoller_destroy(&p);
    return m;
}

static void expect_error(zsock_t *s, const char *code, const char *what) {
    cJSON *m = raw_answer(s, 2000);
    const char *type = m ? gw_str(m, "type") : "nothing";
    const char *got = m ? gw_str(m, "code") : NULL;
    CHECK(got && strcmp(type, "error") == 0 && strcmp(got, code) == 0, "%s: want error %s, got %s %s",
          what, code, type, got ? got : "");
    cJSON_Delete(m);
}

static void test_broker(void) {
    broker_proc b = {0};
    if (!broker_start(&b, "tcp://127.0.0.1:*", "--quiet")) {
        CHECK(false, "the broker starts");
        return;
    }
    char err[200];
    peer ed = {0}, nd = {0};
    /* the editor first: a node that joins before the editor is registered
     * is not announced to it */
    ed.c = gw_client_new(b.endpoint, hello_as("editor", "push"), 100, err, sizeof err);
    CHECK(ed.c, "editor client made: %s", err);
    if (!ed.c) goto out;
    peer *eds[] = {&ed};
    cJSON *w = take(eds, 1, &ed, "welcome", 3000);
    CHECK(w && gw_num(w, "heartbeat", 0) == 100 && strlen(gw_str(w, "epoch")) == 16,
          "editor welcomed with the broker's interval and epoch");
    char epoch[32] = "";
    if (w) snprintf(epoch, sizeof epoch, "%s", gw_str(w, "epoch"));
    cJSON_Delete(w);
    nd.c = gw_client_new(b.endpoint, hello_as("node", "alpha"), 100, err, sizeof err);
    CHECK(nd.c, "node client made: %s", err);
    if (!nd.c) goto out;
    peer *all[] = {&ed, &nd};
    w = take(all, 2, &nd, "welcome", 3000);
    CHECK(w != NULL, "node welcomed");
    cJSON_Delete(w);
    cJSON *j = take(all, 2, &ed, "node-joined", 2000);
    CHECK(j && strcmp(gw_str(j, "id"), "alpha") == 0 &&
              strcmp(gw_str(j, "session"), gw_client_session(nd.c)) == 0,
          "editor told the node joined");
    cJSON_Delete(j);
    const char *ns = gw_client_session(nd.c);

    /* the program: two forms -> two deltas in order; the same again -> none */
    cJSON *p = push_msg(true, 2, "(? :sq (sq 7))");
    CHECK(gw_client_send(ed.c, p), "push sent");
    cJSON *d1 = take(all, 2, &nd, "delta", 2000), *d2 = take(all, 2, &nd, "delta", 2000);
    CHECK(d1 && d2 && gw_num(d1, "seq", 0) == 1 && gw_num(d2, "seq", 0) == 2 &&
              strcmp(gw_str(d1, "epoch"), epoch) == 0,
          "two deltas, seq 1 and 2, with the epoch");
    CHECK(d1 && d2 && strcmp(gw_str(cJSON_GetObjectItem(d1, "form"), "id"), "def:sq") == 0 &&
              strcmp(gw_str(cJSON_GetObjectItem(d2, "form"), "text"), "(? :sq (sq 7))") == 0,
          "the deltas carry the records in program order");
    cJSON_Delete(d1);
    cJSON_Delete(d2);
    gw_client_send(ed.c, p);
    cJSON_Delete(p);
    pump_all(all, 2, 150);
    CHECK(count_type(&nd, "delta") == 0, "an identical push changes nothing");

    /* one form changed, one dropped (replace) */
    p = push_msg(true, 1, NULL);
    cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "forms"), 0), "text",
                              cJSON_CreateString("(defn sq [x] (* x x x))"));
    gw_client_send(ed.c, p);
    cJSON_Delete(p);
    d1 = take(all, 2, &nd, "delta", 2000);
    d2 = take(all, 2, &nd, "delta", 2000);
    CHECK(d1 && d2 && strcmp(gw_str(d1, "remove") ? gw_str(d1, "remove") : "", "h:1") == 0 &&
              gw_num(d1, "seq", 0) == 3 && gw_num(d2, "seq", 0) == 4 && cJSON_GetObjectItem(d2, "form"),
          "replace: the dropped form removed (seq 3), the changed one sent (seq 4)");
    cJSON_Delete(d1);
    cJSON_Delete(d2);

    /* snapshots */
    cJSON *r = gw_msg("snapshot-req");
    cJSON_AddStringToObject(r, "space", "user");
    gw_client_send(nd.c, r);
    cJSON_ReplaceItemInObject(r, "space", cJSON_CreateString("elsewhere"));
    gw_client_send(nd.c, r);
    cJSON_Delete(r);
    cJSON *s1 = take(all, 2, &nd, "snapshot", 2000), *s2 = take(all, 2, &nd, "snapshot", 2000);
    CHECK(s1 && gw_bool(s1, "known", false) && gw_num(s1, "seq", 0) == 4 &&
              cJSON_GetArraySize(cJSON_GetObjectItem(s1, "forms")) == 1 &&
              strcmp(gw_str(s1, "file"), "demo.clj") == 0,
          "snapshot of the space: known, seq 4, one form, the file");
    CHECK(s2 && !gw_bool(s2, "known", true) && gw_num(s2, "seq", -1) == 0 &&
              cJSON_GetArraySize(cJSON_GetObjectItem(s2, "forms")) == 0,
          "snapshot of an unknown space: known false");
    cJSON_Delete(s1);
    cJSON_Delete(s2);

    /* remove by id, and program order by "order" whatever the push order */
    p = gw_msg("push");
    cJSON_AddStringToObject(p, "space", "other");
    cJSON *fs = cJSON_AddArrayToObject(p, "forms");
    cJSON_AddItemToArray(fs, form_rec("def:late", "(def late 2)", false, 5));
    cJSON_AddItemToArray(fs, form_rec("def:early", "(def early 1)", false, 2));
    cJSON_AddItemToArray(fs, form_rec("def:gone", "(def gone 0)", false, 9));
    gw_client_send(ed.c, p);
    cJSON_Delete(p);
    p = gw_msg("push");
    cJSON_AddStringToObject(p, "space", "other");
    cJSON_AddArrayToObject(p, "forms");
    cJSON *rm = cJSON_AddArrayToObject(p, "remove");
    cJSON_AddItemToArray(rm, cJSON_CreateString("def:gone"));
    cJSON_AddItemToArray(rm, cJSON_CreateString("def:never-there"));
    gw_client_send(ed.c, p);
    cJSON_Delete(p);
    for (int i = 0; i < 3; i++) cJSON_Delete(take(all, 2, &nd, "delta", 2000));
    d1 = take(all, 2, &nd, "delta", 2000);
    CHECK(d1 && strcmp(gw_str(d1, "space"), "other") == 0 && gw_num(d1, "seq", 0) == 4 &&
              strcmp(gw_str(d1, "remove") ? gw_str(d1, "remove") : "", "def:gone") == 0,
          "remove: one delta for the form that was there (seq 4 of its space)");
    cJSON_Delete(d1);
    r = gw_msg("snapshot-req");
    cJSON_AddStringToObject(r, "space", "other");
    gw_client_send(nd.c, r);
    cJSON_Delete(r);
    s1 = take(all, 2, &nd, "snapshot", 2000);
    cJSON *sf = s1 ? cJSON_GetObjectItem(s1, "forms") : NULL;
    CHECK(sf && cJSON_GetArraySize(sf) == 2 &&
              strcmp(gw_str(cJSON_GetArrayItem(sf, 0), "id"), "def:early") == 0 &&
              strcmp(gw_str(cJSON_GetArrayItem(sf, 1), "id"), "def:late") == 0,
          "the snapshot lists the forms by order");
    cJSON_Delete(s1);
    pump_all(all, 2, 50);
    CHECK(count_type(&nd, "delta") == 0, "no other delta");

    /* values reach the editor byte for byte; history keeps the last 3 */
    char vbuf[512];
    zsock_t *nsock = gw_client_sock(nd.c);
    for (int i = 1; i <= 5; i++) {
        value_frame(vbuf, sizeof vbuf, ns, i);
        zmq_send(zsock_resolve(nsock), vbuf, strlen(vbuf), 0);
    }
    cJSON *first = take(all, 2, &ed, "value", 2000);
    value_frame(vbuf, sizeof vbuf, ns, 1);
    cJSON *want = gw_decode(vbuf, strlen(vbuf), 4096, NULL, 0);
    CHECK(first && cJSON_Compare(first, want, true), "the value reached the editor unchanged");
    cJSON_Delete(first);
    cJSON_Delete(want);
    for (int i = 0; i < 4; i++) cJSON_Delete(take(all, 2, &ed, "value", 2000));
    cJSON *h = gw_msg("history");
    cJSON_AddStringToObject(h, "space", "user");
    cJSON_AddStringToObject(h, "query", "sq");
    gw_client_send(ed.c, h);
    cJSON *hl = take(all, 2, &ed, "history-list", 2000);
    cJSON *vals = hl ? cJSON_GetObjectItem(hl, "values") : NULL;
    CHECK(vals && cJSON_GetArraySize(vals) == 3 &&
              strcmp(gw_str(cJSON_GetArrayItem(vals, 0), "value"), "5") == 0 &&
              strcmp(gw_str(cJSON_GetArrayItem(vals, 2), "value"), "3") == 0,
          "history: the last 3 values, newest first");
    cJSON_Delete(hl);
    cJSON_AddStringToObject(h, "session", "nobody");
    gw_client_send(ed.c, h);
    cJSON_Delete(h);
    hl = take(all, 2, &ed, "history-list", 2000);
    CHECK(hl && cJSON_GetArraySize(cJSON_GetObjectItem(hl, "values")) == 0,
          "history of another session: empty");
    cJSON_Delete(hl);

    /* nodes */
    cJSON *q = gw_msg("nodes");
    gw_client_send(ed.c, q);
    cJSON_Delete(q);
    cJSON *nl = take(all, 2, &ed, "node-list", 2000);
    cJSON *n0 = nl ? cJSON_GetArrayItem(cJSON_GetObjectItem(nl, "nodes"), 0) : NULL;
    CHECK(nl && cJSON_GetArraySize(cJSON_GetObjectItem(nl, "nodes")) == 2 && n0 &&
              strcmp(gw_str(n0, "id"), "alpha") == 0 && strcmp(gw_str(n0, "role"), "node") == 0 &&
              strcmp(gw_str(n0, "context"), "{:region :eu}") == 0 &&
              cJSON_GetArraySize(cJSON_GetObjectItem(n0, "caps")) == 1 &&
              gw_num(n0, "seen", 0) > 1.6e12,
          "node-list: both peers, the node first with its caps and context");
    cJSON_Delete(nl);

    /* eval: to the node and back; to nobody */
    cJSON *e = gw_msg("eval");
    cJSON_AddStringToObject(e, "req", "r1");
    cJSON_AddStringToObject(e, "node", "alpha");
    cJSON_AddStringToObject(e, "code", "(+ 1 2)");
    gw_client_send(ed.c, e);
    cJSON *fwd = take(all, 2, &nd, "eval", 2000);
    CHECK(fwd && strcmp(gw_str(fwd, "code"), "(+ 1 2)") == 0, "eval forwarded to the node");
    if (fwd) {
        cJSON *res = gw_msg("result");
        cJSON_AddStringToObject(res, "req", gw_str(fwd, "req"));
        cJSON_AddStringToObject(res, "status", "success");
        cJSON_AddStringToObject(res, "value", "3");
        cJSON_AddStringToObject(res, "node", "alpha");
        cJSON_AddStringToObject(res, "session", ns);
        gw_client_send(nd.c, res);
        cJSON_Delete(res);
    }
    cJSON_Delete(fwd);
    cJSON *res = take(all, 2, &ed, "result", 2000);
    CHECK(res && strcmp(gw_str(res, "req"), "r1") == 0 && strcmp(gw_str(res, "status"), "success") == 0 &&
              strcmp(gw_str(res, "value"), "3") == 0,
          "result back with the editor's req");
    cJSON_Delete(res);
    cJSON_ReplaceItemInObject(e, "node", cJSON_CreateString("beta"));
    cJSON_ReplaceItemInObject(e, "req", cJSON_CreateString("r2"));
    gw_client_send(ed.c, e);
    res = take(all, 2, &ed, "result", 2000);
    CHECK(res && strcmp(gw_str(res, "req"), "r2") == 0 && strcmp(gw_str(res, "status"), "error") == 0 &&
              strstr(gw_str(res, "message"), "beta"),
          "eval to a missing node: result error");
    cJSON_Delete(res);

    /* bad frames: each answered, and the broker keeps serving */
    zsock_t *x = raw_dealer(b.endpoint, "stranger-1");
    zclock_sleep(50);
    zstr_send(x, "{\"v\":1,\"type\":\"ping\"}");
    expect_error(x, "unknown-peer", "a stranger's ping");
    zstr_send(x, "garbage \x01\x02");
    expect_error(x, "bad-json", "garbage");
    zstr_send(x, "{\"v\":1,\"type\":");
    expect_error(x, "bad-json", "invalid JSON");
    zstr_send(x, "{\"v\":1,\"type\":\"teleport\"}");
    expect_error(x, "bad-type", "an unknown type");
    zstr_send(x, "{\"v\":7,\"type\":\"ping\"}");
    expect_error(x, "bad-version", "a wrong version");
    zstr_send(x, "{\"v\":1,\"type\":\"hello\",\"role\":\"node\"}");
    expect_error(x, "bad-field", "a hello without id");
    char *big = malloc(5000);
    memset(big, ' ', 5000);
    memcpy(big, "{\"v\":1,\"type\":\"ping\"}", 21);
    zmq_send(zsock_resolve(x), big, 5000, 0);
    free(big);
    expect_error(x, "too-big", "an oversized frame");
    zstr_sendm(x, "{\"v\":1,\"type\":\"ping\"}");
    zstr_send(x, "{\"v\":1,\"type\":\"ping\"}");
    expect_error(x, "bad-json", "two frames");
    zstr_send(x, "{\"v\":1,\"type\":\"hello\",\"role\":\"editor\",\"id\":\"x\",\"session\":\"stranger-1\"}");
    cJSON *xw = raw_answer(x, 2000);
    CHECK(xw && strcmp(gw_str(xw, "type"), "welcome") == 0, "the stranger can still say hello");
    cJSON_Delete(xw);
    zstr_send(x, "{\"v\":1,\"type\":\"welcome\",\"epoch\":\"e\",\"heartbeat\":1}");
    expect_error(x, "bad-type", "a broker's message sent to the broker");
    zsock_destroy(&x);
    value_frame(vbuf, sizeof vbuf, ns, 42);
    zmq_send(zsock_resolve(nsock), vbuf, strlen(vbuf), 0);
    cJSON *after = take(all, 2, &ed, "value", 2000);
    CHECK(after && strcmp(gw_str(after, "value"), "42") == 0, "still serving after bad frames");
    cJSON_Delete(after);
    CHECK(gw_client_ready(ed.c) && gw_client_ready(nd.c), "both clients still ready");

    /* a pending eval, then the node falls silent: node-left, result error */
    cJSON_ReplaceItemInObject(e, "node", cJSON_CreateString("alpha"));
    cJSON_ReplaceItemInObject(e, "req", cJSON_CreateString("r3"));
    gw_client_send(ed.c, e);
    cJSON_Delete(e);
    cJSON_Delete(take(all, 2, &nd, "eval", 2000));
    gw_client_destroy(&nd.c);
    peer_clear(&nd);
    int64_t t0 = zclock_mono();
    cJSON *left = take(eds, 1, &ed, "node-left", 3000);
    int64_t took = zclock_mono() - t0;
    CHECK(left && strcmp(gw_str(left, "id"), "alpha") == 0, "node-left after silence");
    CHECK(took >= 150 && took < 1500, "after about 3 intervals (%lld ms)", (long long)took);
    cJSON_Delete(left);
    res = take(eds, 1, &ed, "result", 2000);
    CHECK(res && strcmp(gw_str(res, "req"), "r3") == 0 && strcmp(gw_str(res, "status"), "error") == 0 &&
              strcmp(gw_str(res, "message"), "node alpha left") == 0,
          "the pending eval answered: node alpha left");
    cJSON_Delete(res);

    /* a broker restart on the same endpoint: the client is welcomed again */
    char ep[128];
    snprintf(ep, sizeof ep, "%s", b.endpoint);
    CHECK(broker_stop(&b) == 0, "the broker exits 0 on SIGTERM");
    pump_all(eds, 1, 50);
    CHECK(broker_start(&b, ep, "--quiet"), "the broker restarts on %s", ep);
    peer_clear(&ed);
    w = take(eds, 1, &ed, "welcome", 3000);
    CHECK(w != NULL, "the editor is welcomed by the new broker");
    CHECK(w && strcmp(gw_str(w, "epoch"), epoch) != 0, "with a new epoch");
    cJSON_Delete(w);
out:
    gw_client_destroy(&ed.c);
    gw_client_destroy(&nd.c);
    peer_clear(&ed);
    peer_clear(&nd);
    CHECK(broker_stop(&b) == 0, "the broker exits 0 on SIGTERM, no leaks");
}

int main(void) {
    zsys_handler_set(NULL); /* as the Emacs module does */
    test_session();
    test_late_broker();
    test_bad_args();
    test_broker();
    printf("test_client: %d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
