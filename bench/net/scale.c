/* scale.c — many simulated nodes on one broker: memory per connected node
 * and the CPU the broker spends on their heartbeats.
 *
 *   net_scale ENDPOINT --pid BROKER_PID [--nodes N] [--seconds S]
 *             [--heartbeat MS] [--idle S]
 *   net_scale --raw [...]     the same against a raw czmq ROUTER (forked
 *             here) that answers hello with welcome and any other frame
 *             with a ping: the floor of memory and CPU per connection
 *
 * One process holds N (default 1000) raw DEALERs, each a node: it says
 * hello (role node, id "simI", its own session, context, the heartbeat
 * MS, default 1000) and then pings every MS milliseconds (staggered), and
 * drains what the broker sends.  Reads /proc/PID/status (VmRSS) before the
 * nodes connect and once all are welcomed (and an editor's "nodes" request
 * lists them all), and /proc/PID/stat (utime+stime) over IDLE seconds
 * before (default 2) and S seconds with the nodes connected (default 10).
 *
 * Output lines:
 *   scale nodes N welcomed W listed L
 *   rss_kib before B after A per_node_kib P
 *   cpu idle_pct I loaded_pct C seconds S heartbeat_ms H
 * Exits 1 when not every node was welcomed.
 */
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long rss_kib(int pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

/* utime + stime of PID in clock ticks, -1 if unknown. */
static long cpu_ticks(int pid) {
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');  /* the command name may hold spaces */
    if (!p) return -1;
    long ut = 0, st = 0;
    /* after ")": state(3) ppid pgrp session tty tpgid flags minflt cminflt
     * majflt cmajflt utime(14) stime(15) */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &ut, &st) != 2)
        return -1;
    return ut + st;
}

typedef struct sim {
    zsock_t *s;
    void *raw;
    char sid[17];
    bool welcomed;
    double next_ping;
} sim;

/* Reads everything pending on every socket; counts welcomes. */
static int drain(sim *v, int n, zmq_pollitem_t *items, int timeout) {
    int welcomed = 0;
    if (zmq_poll(items, n, timeout) <= 0) return 0;
    char buf[4096];
    for (int i = 0; i < n; i++) {
        if (!(items[i].revents & ZMQ_POLLIN)) continue;
        int r;
        while ((r = zmq_recv(v[i].raw, buf, sizeof buf - 1, ZMQ_DONTWAIT)) >= 0) {
            if (r > (int)sizeof buf - 1) r = sizeof buf - 1;
            buf[r] = 0;
            if (!v[i].welcomed && strstr(buf, "\"type\":\"welcome\"")) {
                v[i].welcomed = true;
                welcomed++;
            }
        }
    }
    return welcomed;
}

static void hello(sim *v, int i, int hb) {
    zstr_sendf(v->s,
               "{\"v\":1,\"type\":\"hello\",\"role\":\"node\",\"id\":\"sim%d\",\"session\":\"%s\","
               "\"caps\":[\"log\"],\"context\":\"{:node :sim%d, :session \\\"%s\\\", :rack %d}\","
               "\"heartbeat\":%d}",
               i, v->sid, i, v->sid, i % 40, hb);
}

/* Asks the broker for its node list; returns how many entries it has. */
static int count_listed(const char *ep) {
    zsock_t *e = zsock_new(ZMQ_DEALER);
    char sid[17];
    snprintf(sid, sizeof sid, "ed%08x%06x", (unsigned)getpid(), 1u);
    zsock_set_identity(e, sid);
    zsock_connect(e, "%s", ep);
    zstr_sendf(e, "{\"v\":1,\"type\":\"hello\",\"role\":\"editor\",\"id\":\"scale\",\"session\":\"%s\"}", sid);
    int count = -1;
    double end = mono_ms() + 10000;
    bool asked = false;
    while (mono_ms() < end && count < 0) {
        zmq_pollitem_t it = {zsock_resolve(e), 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 100) <= 0) continue;
        zmsg_t *m = zmsg_recv(e);
        if (!m) break;
        zframe_t *f = zmsg_first(m);
        char *t = f ? zframe_strdup(f) : NULL;
        zmsg_destroy(&m);
        if (!t) continue;
        if (!asked && strstr(t, "\"type\":\"welcome\"")) {
            zstr_send(e, "{\"v\":1,\"type\":\"nodes\"}");
            asked = true;
        } else if (strstr(t, "\"type\":\"node-list\"")) {
            /* one "role":"node" per node entry (editors are listed too) */
            count = 0;
            for (char *p = t; (p = strstr(p, "\"role\":\"node\"")); p += 13) count++;
        }
        free(t);
    }
    zsock_destroy(&e);
    return count;
}

/* The raw floor: a ROUTER that answers a hello with a welcome and any
 * other frame with a ping, so it carries the same traffic as the broker
 * without its registry.  Writes its port to FD. */
static void run_raw_router(int fd) {
    zsys_set_max_sockets(64);
    zsock_t *r = zsock_new(ZMQ_ROUTER);
    zsock_set_router_mandatory(r, 1);
    int port = zsock_bind(r, "tcp://127.0.0.1:*");
    if (write(fd, &port, sizeof port) != sizeof port) _exit(1);
    close(fd);
    void *raw = zsock_resolve(r);
    static const char welcome[] = "{\"v\":1,\"type\":\"welcome\",\"epoch\":\"raw\",\"heartbeat\":1000}";
    static const char ping[] = "{\"v\":1,\"type\":\"ping\"}";
    char id[256], body[4096];
    for (;;) {
        int il = zmq_recv(raw, id, sizeof id, 0);
        if (il < 0) break;
        int bl = zmq_recv(raw, body, sizeof body - 1, 0);
        if (bl < 0) break;
        if (il > (int)sizeof id) il = sizeof id;
        if (bl > (int)sizeof body - 1) bl = sizeof body - 1;
        body[bl] = 0;
        bool hello = strstr(body, "\"hello\"") != NULL;
        zmq_send(raw, id, (size_t)il, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        if (hello) zmq_send(raw, welcome, sizeof welcome - 1, ZMQ_DONTWAIT);
        else zmq_send(raw, ping, sizeof ping - 1, ZMQ_DONTWAIT);
    }
    _exit(0);
}

int main(int argc, char **argv) {
    const char *ep = NULL;
    int pid = 0, n = 1000, secs = 10, hb = 1000, idle = 2;
    bool raw = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--pid") == 0 && i + 1 < argc) pid = atoi(argv[++i]);
        else if (strcmp(argv[i], "--nodes") == 0 && i + 1 < argc) n = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) secs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--heartbeat") == 0 && i + 1 < argc) hb = atoi(argv[++i]);
        else if (strcmp(argv[i], "--idle") == 0 && i + 1 < argc) idle = atoi(argv[++i]);
        else if (strcmp(argv[i], "--raw") == 0) raw = true;
        else if (!ep) ep = argv[i];
    }
    if ((!raw && (!ep || pid <= 0)) || n < 1) {
        fputs("usage: net_scale (ENDPOINT --pid BROKER_PID | --raw) [--nodes N] [--seconds S] [--heartbeat MS]\n",
              stderr);
        return 2;
    }
    zsys_handler_set(NULL); /* children too: SIGTERM ends them */
    char epbuf[64];
    pid_t router = 0;
    if (raw) { /* before this process makes any socket */
        int fds[2];
        if (pipe(fds) != 0) return 1;
        router = fork();
        if (router == 0) { close(fds[0]); run_raw_router(fds[1]); }
        close(fds[1]);
        int port = 0;
        if (read(fds[0], &port, sizeof port) != sizeof port) return 1;
        close(fds[0]);
        snprintf(epbuf, sizeof epbuf, "tcp://127.0.0.1:%d", port);
        ep = epbuf;
        pid = (int)router;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n * 2 + 64) {
        rl.rlim_cur = rl.rlim_max < (rlim_t)n * 2 + 64 ? rl.rlim_max : (rlim_t)n * 2 + 64;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    zsys_set_max_sockets((size_t)n + 64);
    zsys_set_linger(0);
    long hz = sysconf(_SC_CLK_TCK);

    /* the broker idle */
    long c0 = cpu_ticks(pid);
    double t0 = mono_ms();
    usleep((useconds_t)idle * 1000000u);
    long c1 = cpu_ticks(pid);
    double idle_pct = (double)(c1 - c0) / hz / ((mono_ms() - t0) / 1000) * 100;
    long rss0 = rss_kib(pid);
    if (c0 < 0 || rss0 < 0) { fprintf(stderr, "net_scale: cannot read /proc/%d\n", pid); return 1; }

    sim *v = calloc((size_t)n, sizeof *v);
    zmq_pollitem_t *items = calloc((size_t)n, sizeof *items);
    double now = mono_ms();
    int welcomed = 0;
    for (int i = 0; i < n; i++) {
        snprintf(v[i].sid, sizeof v[i].sid, "%08x%08x", (unsigned)getpid(), (unsigned)i);
        v[i].s = zsock_new(ZMQ_DEALER);
        if (!v[i].s) { fprintf(stderr, "net_scale: socket %d: %s\n", i, zmq_strerror(zmq_errno())); return 1; }
        zsock_set_identity(v[i].s, v[i].sid);
        zsock_connect(v[i].s, "%s", ep);
        v[i].raw = zsock_resolve(v[i].s);
        items[i] = (zmq_pollitem_t){v[i].raw, 0, ZMQ_POLLIN, 0};
        hello(&v[i], i, hb);
        v[i].next_ping = now + hb + (double)hb * i / n;
        if (i % 50 == 49) welcomed += drain(v, i + 1, items, 0);
    }
    /* until every node is welcomed (hellos repeated each interval) */
    double end = mono_ms() + 30000, next_hello = mono_ms() + hb;
    while (welcomed < n && mono_ms() < end) {
        welcomed += drain(v, n, items, 50);
        if (mono_ms() >= next_hello) {
            for (int i = 0; i < n; i++)
                if (!v[i].welcomed) hello(&v[i], i, hb);
            next_hello = mono_ms() + hb;
        }
    }
    int listed = raw ? welcomed : count_listed(ep);
    /* let the broker settle its buffers, then measure memory */
    double settle = mono_ms() + 500;
    while (mono_ms() < settle) drain(v, n, items, 50);
    long rss1 = rss_kib(pid);

    /* heartbeats for SECS seconds */
    long h0 = cpu_ticks(pid);
    t0 = mono_ms();
    end = t0 + secs * 1000.0;
    static const char ping[] = "{\"v\":1,\"type\":\"ping\"}";
    while ((now = mono_ms()) < end) {
        double next = end;
        for (int i = 0; i < n; i++) {
            if (v[i].next_ping <= now) {
                zmq_send(v[i].raw, ping, sizeof ping - 1, ZMQ_DONTWAIT);
                v[i].next_ping += hb;
            }
            if (v[i].next_ping < next) next = v[i].next_ping;
        }
        int wait = (int)(next - mono_ms());
        drain(v, n, items, wait < 0 ? 0 : wait > 50 ? 50 : wait);
    }
    long h1 = cpu_ticks(pid);
    double loaded_pct = (double)(h1 - h0) / hz / ((mono_ms() - t0) / 1000) * 100;
    int listed_after = raw ? welcomed : count_listed(ep);

    printf("scale nodes %d welcomed %d listed %d listed_after %d\n", n, welcomed, listed, listed_after);
    printf("rss_kib before %ld after %ld per_node_kib %.2f\n", rss0, rss1, (double)(rss1 - rss0) / n);
    printf("cpu idle_pct %.2f loaded_pct %.2f seconds %d heartbeat_ms %d\n", idle_pct, loaded_pct, secs, hb);
    for (int i = 0; i < n; i++) zsock_destroy(&v[i].s);
    free(v);
    free(items);
    if (router) { kill(router, SIGKILL); waitpid(router, NULL, 0); }
    return welcomed == n ? 0 : 1;
}
