/* latency.c — edit-to-value latency on loopback, and its physical floor.
 *
 *   net_latency floor [--n N] [--size BYTES]
 *       The floor: a raw czmq round trip DEALER -> ROUTER -> DEALER and
 *       back (2 hops each way) through a minimal forwarding ROUTER, with
 *       BYTES-byte messages (default 100).  The forwarder and the echoing
 *       DEALER are separate processes, as the broker and a node are.
 *   net_latency grove ENDPOINT --nodes K [--edits N] [--space S]
 *       An editor (gw_client) that changes one live `?` form N times
 *       (default 200) and times each edit from sending the push to having
 *       the new value from all K nodes.  The push carries what `grove
 *       push --watch` sends for such an edit: the new form record (from
 *       gp_split/gp_form_json) and the removal of the old one.
 *
 * Output, one line: "floor n N p50 MS p99 MS mean MS" or
 * "grove nodes K n N p50 MS p99 MS mean MS max MS lost L" (lost: edits
 * whose values did not all arrive within 2 s; they are left out of the
 * percentiles).  Exits 1 when nothing could be measured.
 */
#include <czmq.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "program.h"
#include "wire.h"

static double mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Percentile P (0..100) of the N sorted values in V (nearest rank). */
static double pct(const double *v, int n, double p) {
    if (n == 0) return 0;
    int k = (int)(p / 100.0 * n + 0.999999) - 1;
    if (k < 0) k = 0;
    if (k >= n) k = n - 1;
    return v[k];
}

static void report(const char *head, double *v, int n, int lost) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double sum = 0;
    for (int i = 0; i < n; i++) sum += v[i];
    printf("%s n %d p50 %.3f p99 %.3f mean %.3f max %.3f lost %d\n", head, n, pct(v, n, 50),
           pct(v, n, 99), n ? sum / n : 0, n ? v[n - 1] : 0, lost);
}

/* ---- the floor ---------------------------------------------------------------- */

/* The forwarder: every message is [sender][destination][payload...]; it
 * goes out as [destination][sender][payload...].  Writes its port to FD. */
static void run_forwarder(int fd) {
    zsock_t *r = zsock_new(ZMQ_ROUTER);
    zsock_set_router_mandatory(r, 1);
    int port = zsock_bind(r, "tcp://127.0.0.1:*");
    if (write(fd, &port, sizeof port) != sizeof port) _exit(1);
    close(fd);
    for (;;) {
        zmsg_t *m = zmsg_recv(r);
        if (!m) break;
        zframe_t *from = zmsg_pop(m);
        zframe_t *to = zmsg_pop(m);
        if (!from || !to) { zframe_destroy(&from); zframe_destroy(&to); zmsg_destroy(&m); continue; }
        zmsg_prepend(m, &from);
        zmsg_prepend(m, &to);
        zmsg_send(&m, r);  /* dropped (EHOSTUNREACH) while the peer is unknown */
        zmsg_destroy(&m);
    }
    zsock_destroy(&r);
}

/* The echo: [sender][payload] comes in, goes back to the sender. */
static void run_echo(int port) {
    zsock_t *d = zsock_new(ZMQ_DEALER);
    zsock_set_identity(d, "echo");
    zsock_connect(d, "tcp://127.0.0.1:%d", port);
    for (;;) {
        zmsg_t *m = zmsg_recv(d);
        if (!m) break;
        zmsg_send(&m, d);
    }
    zsock_destroy(&d);
}

static int floor_bench(int n, int size) {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    pid_t fwd = fork();
    if (fwd == 0) { close(fds[0]); run_forwarder(fds[1]); _exit(0); }
    close(fds[1]);
    int port = 0;
    if (read(fds[0], &port, sizeof port) != sizeof port || port <= 0) {
        fprintf(stderr, "net_latency: the forwarder did not start\n");
        return 1;
    }
    close(fds[0]);
    pid_t echo = fork();
    if (echo == 0) { run_echo(port); _exit(0); }

    zsock_t *c = zsock_new(ZMQ_DEALER);
    zsock_set_identity(c, "client");
    zsock_connect(c, "tcp://127.0.0.1:%d", port);
    zsock_set_rcvtimeo(c, 100);
    char *payload = malloc((size_t)size);
    memset(payload, 'x', (size_t)size);
    /* until the echo is connected, messages to it are dropped */
    bool up = false;
    for (int i = 0; i < 200 && !up; i++) {
        zstr_sendm(c, "echo");
        zmq_send(zsock_resolve(c), payload, (size_t)size, 0);
        zmsg_t *m = zmsg_recv(c);
        if (m) up = true;
        zmsg_destroy(&m);
    }
    zsock_set_rcvtimeo(c, 2000);
    double *v = malloc(sizeof(double) * (size_t)n);
    int got = 0, lost = 0;
    for (int i = -200; up && i < n; i++) { /* 200 warm-up rounds */
        double t0 = mono_ms();
        zstr_sendm(c, "echo");
        zmq_send(zsock_resolve(c), payload, (size_t)size, 0);
        zmsg_t *m = zmsg_recv(c);
        double t1 = mono_ms();
        if (!m) { lost++; continue; }
        zmsg_destroy(&m);
        if (i >= 0) v[got++] = t1 - t0;
    }
    zsock_destroy(&c);
    kill(echo, SIGKILL);
    kill(fwd, SIGKILL);
    waitpid(echo, NULL, 0);
    waitpid(fwd, NULL, 0);
    if (got == 0) { fprintf(stderr, "net_latency: the floor measured nothing\n"); return 1; }
    char head[64];
    snprintf(head, sizeof head, "floor size %d", size);
    report(head, v, got, lost);
    free(v);
    free(payload);
    return 0;
}

/* ---- grove: an editor that edits one live form ---------------------------------- */

typedef struct waiter {
    char want[32];       /* the value text we wait for */
    char (*seen)[32];    /* sessions that reported it */
    int nseen, k;
} waiter;

/* Handles one message; true when it completed the wait. */
static bool on_msg(waiter *w, const cJSON *m) {
    const char *type = gw_str(m, "type");
    if (!type) return false;
    if (strcmp(type, "fault") == 0 || strcmp(type, "error") == 0) {
        const char *msg = gw_str(m, "message");
        fprintf(stderr, "net_latency: %s: %s\n", type, msg ? msg : "?");
        return false;
    }
    if (strcmp(type, "value") != 0) return false;
    const char *q = gw_str(m, "query"), *val = gw_str(m, "value"), *s = gw_str(m, "session");
    if (!q || !val || !s || strcmp(q, "lat") != 0 || strcmp(val, w->want) != 0) return false;
    for (int i = 0; i < w->nseen; i++)
        if (strncmp(w->seen[i], s, 31) == 0) return false;
    snprintf(w->seen[w->nseen++], 32, "%s", s);
    return w->nseen >= w->k;
}

/* Waits up to TIMEOUT_MS for W to complete; true when it did. */
static bool wait_values(gw_client *c, waiter *w, double timeout_ms) {
    double end = mono_ms() + timeout_ms;
    zsock_t *s = gw_client_sock(c);
    zmq_pollitem_t it = {zsock_resolve(s), 0, ZMQ_POLLIN, 0};
    for (;;) {
        cJSON *m;
        while ((m = gw_client_recv(c))) {
            bool done = on_msg(w, m);
            cJSON_Delete(m);
            if (done) return true;
        }
        double now = mono_ms();
        if (now >= end) return false;
        int t = gw_client_tick(c);
        double left = end - now;
        if (t > left) t = (int)left + 1;
        zmq_poll(&it, 1, t);
    }
}

/* The push of edit I: the new record, and the old id removed.
 * Owner: the caller.  *ID gets the new form's id (malloc'd). */
static cJSON *edit_push(int i, const char *space, const char *old_id, char **id) {
    char src[64];
    snprintf(src, sizeof src, "!(? :lat %d)\n", i);
    gp_program p;
    char err[128];
    if (!gp_split(src, strlen(src), &p, err, sizeof err) || p.count != 1) {
        fprintf(stderr, "net_latency: gp_split: %s\n", err);
        exit(1);
    }
    cJSON *msg = gw_msg("push");
    cJSON_AddStringToObject(msg, "space", space);
    cJSON_AddStringToObject(msg, "file", "bench.clj");
    cJSON *forms = cJSON_AddArrayToObject(msg, "forms");
    cJSON_AddItemToArray(forms, gp_form_json(&p.forms[0], 0));
    if (old_id) {
        cJSON *rm = cJSON_AddArrayToObject(msg, "remove");
        cJSON_AddItemToArray(rm, cJSON_CreateString(old_id));
    } else {
        cJSON_AddBoolToObject(msg, "replace", true);
    }
    *id = strdup(p.forms[0].id);
    gp_program_free(&p);
    return msg;
}

static int grove_bench(const char *ep, int k, int n, const char *space) {
    char sid[17], err[256];
    gw_session_id(sid);
    cJSON *hello = gw_msg("hello");
    cJSON_AddStringToObject(hello, "role", "editor");
    cJSON_AddStringToObject(hello, "id", "bench");
    cJSON_AddStringToObject(hello, "session", sid);
    gw_client *c = gw_client_new(ep, hello, 0, err, sizeof err);
    if (!c) { fprintf(stderr, "net_latency: %s\n", err); return 1; }
    waiter w = {.k = k, .seen = calloc((size_t)k, 32)};
    /* until welcomed */
    double end = mono_ms() + 5000;
    zmq_pollitem_t it = {zsock_resolve(gw_client_sock(c)), 0, ZMQ_POLLIN, 0};
    while (!gw_client_ready(c) && mono_ms() < end) {
        cJSON *m;
        while ((m = gw_client_recv(c))) cJSON_Delete(m);
        zmq_poll(&it, 1, gw_client_tick(c));
    }
    if (!gw_client_ready(c)) { fprintf(stderr, "net_latency: no welcome from %s\n", ep); return 1; }

    double *v = malloc(sizeof(double) * (size_t)n);
    int got = 0, lost = 0;
    char *old = NULL;
    /* edit 0 waits long: the nodes may still be starting */
    for (int i = -20; i < n; i++) {
        char *id;
        int val = i + 1000000;
        cJSON *push = edit_push(val, space, old, &id);
        free(old);
        old = id;
        snprintf(w.want, sizeof w.want, "%d", val);
        w.nseen = 0;
        double t0 = mono_ms();
        bool sent = gw_client_send(c, push);
        cJSON_Delete(push);
        bool ok = sent && wait_values(c, &w, i == -20 ? 20000 : 2000);
        double t1 = mono_ms();
        if (i == -20 && !ok) {
            fprintf(stderr, "net_latency: the first edit got %d of %d values\n", w.nseen, k);
            return 1;
        }
        if (i < 0) continue;  /* warm-up */
        if (ok) v[got++] = t1 - t0; else lost++;
    }
    /* leave the program empty for the next run */
    cJSON *clear = gw_msg("push");
    cJSON_AddStringToObject(clear, "space", space);
    cJSON_AddArrayToObject(clear, "forms");
    cJSON_AddBoolToObject(clear, "replace", true);
    gw_client_send(c, clear);
    cJSON_Delete(clear);
    zclock_sleep(50);
    free(old);
    gw_client_destroy(&c);
    if (got == 0) { fprintf(stderr, "net_latency: every edit was lost\n"); return 1; }
    char head[64];
    snprintf(head, sizeof head, "grove nodes %d", k);
    report(head, v, got, lost);
    free(v);
    free(w.seen);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: net_latency floor [--n N] [--size B] | grove ENDPOINT --nodes K [--edits N]\n", stderr);
        return 2;
    }
    zsys_handler_set(NULL);
    int n = 2000, size = 100, k = 1, edits = 200;
    const char *ep = NULL, *space = "user";
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--n") == 0 && i + 1 < argc) n = atoi(argv[++i]);
        else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) size = atoi(argv[++i]);
        else if (strcmp(argv[i], "--nodes") == 0 && i + 1 < argc) k = atoi(argv[++i]);
        else if (strcmp(argv[i], "--edits") == 0 && i + 1 < argc) edits = atoi(argv[++i]);
        else if (strcmp(argv[i], "--space") == 0 && i + 1 < argc) space = argv[++i];
        else if (!ep) ep = argv[i];
    }
    if (strcmp(argv[1], "floor") == 0) return floor_bench(n, size);
    if (strcmp(argv[1], "grove") == 0 && ep) return grove_bench(ep, k, edits, space);
    fputs("net_latency: bad arguments\n", stderr);
    return 2;
}
