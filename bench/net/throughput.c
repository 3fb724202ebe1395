/* throughput.c — how many value messages per second reach an editor
 * through the grove broker, and through a raw czmq ROUTER that forwards
 * the very same frames.
 *
 *   net_throughput grove ENDPOINT [--senders S] [--msgs M]
 *   net_throughput raw [--senders S] [--msgs M]
 *
 * S sender processes (default 2) each say hello as a node ("sim0"...) and
 * send M (default 200,000) `value` messages as fast as their DEALER takes
 * them (blocking sends: ZeroMQ's high-water marks give back-pressure); one
 * editor counts the value frames it receives.  Against the raw ROUTER
 * (forked here) the frames are the same bytes; the router forwards every
 * frame from anyone but the editor to the editor and parses nothing.
 * Both editors read with plain zmq_recv and only look for "type":"value",
 * so the difference is the broker's work.
 *
 * Output, one line: "MODE msgs N got G seconds T rate R" (R = G / T, T
 * from the first value received to the last).  Exits 1 when nothing came.
 */
#include <czmq.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void session_of(char out[17], const char *role, int i) {
    snprintf(out, 17, "%s%08x%04x", role[0] == 'e' ? "ed" : "nd", (unsigned)getpid(), i & 0xffff);
}

/* The raw ROUTER: the first frame "editor" names the editor; every other
 * frame goes to it.  Writes its port to FD. */
static void run_raw_router(int fd) {
    zsock_t *r = zsock_new(ZMQ_ROUTER);
    zsock_set_router_mandatory(r, 1);
    zsock_set_sndhwm(r, 1000);
    int port = zsock_bind(r, "tcp://127.0.0.1:*");
    if (write(fd, &port, sizeof port) != sizeof port) _exit(1);
    close(fd);
    void *raw = zsock_resolve(r);
    char editor[256];
    size_t elen = 0;
    for (;;) {
        zmq_msg_t id, body;
        zmq_msg_init(&id);
        zmq_msg_init(&body);
        if (zmq_msg_recv(&id, raw, 0) < 0) break;
        if (zmq_msg_recv(&body, raw, 0) < 0) break;
        if (zmq_msg_size(&body) == 6 && memcmp(zmq_msg_data(&body), "editor", 6) == 0) {
            elen = zmq_msg_size(&id) < sizeof editor ? zmq_msg_size(&id) : sizeof editor;
            memcpy(editor, zmq_msg_data(&id), elen);
            zmq_send(raw, editor, elen, ZMQ_SNDMORE);
            zmq_send(raw, "ready", 5, 0);
        } else if (elen) {
            zmq_send(raw, editor, elen, ZMQ_SNDMORE);
            zmq_msg_send(&body, raw, 0);
        }
        zmq_msg_close(&id);
        zmq_msg_close(&body);
    }
    zsock_destroy(&r);
}

/* Waits for a frame containing NEEDLE on S for up to MS; true if seen. */
static bool await(zsock_t *s, const char *needle, int ms) {
    double end = mono_ms() + ms;
    void *raw = zsock_resolve(s);
    while (mono_ms() < end) {
        zmq_pollitem_t it = {raw, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 50) <= 0) continue;
        char buf[4096];
        int n = zmq_recv(raw, buf, sizeof buf - 1, 0);
        if (n < 0) continue;
        if (n > (int)sizeof buf - 1) n = sizeof buf - 1;
        buf[n] = 0;
        if (strstr(buf, needle)) return true;
    }
    return false;
}

/* A sender: hello as node sim<I> (grove), then M value frames. */
static void run_sender(const char *ep, bool grove, int i, int m, int go_fd) {
    char go;
    if (read(go_fd, &go, 1) != 1) _exit(1);
    char sid[17], node[16];
    session_of(sid, "node", i);
    snprintf(node, sizeof node, "sim%d", i);
    zsock_t *d = zsock_new(ZMQ_DEALER);
    zsock_set_identity(d, sid);
    zsock_set_sndhwm(d, 1000);
    zsock_connect(d, "%s", ep);
    if (grove) {
        zstr_sendf(d, "{\"v\":1,\"type\":\"hello\",\"role\":\"node\",\"id\":\"%s\",\"session\":\"%s\","
                      "\"caps\":[],\"context\":\"{:node :%s, :session \\\"%s\\\"}\"}",
                   node, sid, node, sid);
        if (!await(d, "\"welcome\"", 5000)) { fprintf(stderr, "sender %d: no welcome\n", i); _exit(1); }
    }
    char msg[1024];
    void *raw = zsock_resolve(d);
    for (int k = 0; k < m; k++) {
        int n = snprintf(msg, sizeof msg,
                         "{\"v\":1,\"type\":\"value\",\"space\":\"user\",\"form\":\"h:91aa03c45be07d12\","
                         "\"query\":\"q%d\",\"line\":3,\"col\":2,\"node\":\"%s\",\"session\":\"%s\","
                         "\"context\":\"{:node :%s, :session \\\"%s\\\"}\",\"time\":1795000000000,"
                         "\"value\":\"[%d {:a 1, :b \\\"two\\\"}]\",\"count\":1}",
                         k % 8, node, sid, node, sid, k);
        if (zmq_send(raw, msg, (size_t)n, 0) < 0) break;
    }
    zclock_sleep(200);  /* let the queue drain before the socket goes */
    zsock_destroy(&d);
    _exit(0);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: net_throughput grove ENDPOINT | raw  [--senders S] [--msgs M]\n", stderr);
        return 2;
    }
    bool grove = strcmp(argv[1], "grove") == 0;
    const char *ep = NULL;
    int senders = 2, m = 200000;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--senders") == 0 && i + 1 < argc) senders = atoi(argv[++i]);
        else if (strcmp(argv[i], "--msgs") == 0 && i + 1 < argc) m = atoi(argv[++i]);
        else if (!ep) ep = argv[i];
    }
    if (grove && !ep) { fputs("net_throughput: grove needs ENDPOINT\n", stderr); return 2; }
    zsys_handler_set(NULL);
    char epbuf[64];
    pid_t router = 0;
    if (!grove) {  /* fork the router before this process makes any socket */
        int fds[2];
        if (pipe(fds) != 0) return 1;
        router = fork();
        if (router == 0) { close(fds[0]); run_raw_router(fds[1]); _exit(0); }
        close(fds[1]);
        int port = 0;
        if (read(fds[0], &port, sizeof port) != sizeof port) return 1;
        close(fds[0]);
        snprintf(epbuf, sizeof epbuf, "tcp://127.0.0.1:%d", port);
        ep = epbuf;
    }
    pid_t *kids = calloc((size_t)senders, sizeof *kids);
    int *go = calloc((size_t)senders, sizeof *go);
    for (int i = 0; i < senders; i++) {
        int fds[2];
        if (pipe(fds) != 0) return 1;
        kids[i] = fork();
        if (kids[i] == 0) { close(fds[1]); run_sender(ep, grove, i, m, fds[0]); }
        close(fds[0]);
        go[i] = fds[1];
    }

    char sid[17];
    session_of(sid, "editor", 0);
    zsock_t *e = zsock_new(ZMQ_DEALER);
    zsock_set_identity(e, sid);
    zsock_set_rcvhwm(e, 1000);
    zsock_connect(e, "%s", ep);
    void *raw = zsock_resolve(e);
    bool ok;
    if (grove) {
        zstr_sendf(e, "{\"v\":1,\"type\":\"hello\",\"role\":\"editor\",\"id\":\"bench\",\"session\":\"%s\"}", sid);
        ok = await(e, "\"welcome\"", 5000);
    } else {
        ok = false;
        for (int i = 0; i < 50 && !ok; i++) {
            zstr_send(e, "editor");
            ok = await(e, "ready", 100);
        }
    }
    if (!ok) { fprintf(stderr, "net_throughput: the editor got no answer from %s\n", ep); return 1; }
    for (int i = 0; i < senders; i++) {
        if (write(go[i], "g", 1) != 1) return 1;
        close(go[i]);
    }

    long total = (long)senders * m, got = 0;
    double first = 0, last = 0, last_ping = mono_ms();
    char buf[2048];
    static const char ping[] = "{\"v\":1,\"type\":\"ping\"}";
    for (;;) {
        int n = zmq_recv(raw, buf, sizeof buf, ZMQ_DONTWAIT);
        if (n < 0) {
            zmq_pollitem_t it = {raw, 0, ZMQ_POLLIN, 0};
            double now = mono_ms();
            if (got > 0 && now - last > 2000) break;   /* nothing more comes */
            if (got == 0 && now - last_ping > 15000) break;
            if (grove && now - last_ping > 300) { zmq_send(raw, ping, sizeof ping - 1, 0); last_ping = now; }
            zmq_poll(&it, 1, 100);
            continue;
        }
        int len = n < (int)sizeof buf ? n : (int)sizeof buf;
        if (!memmem(buf, (size_t)len, "\"type\":\"value\"", 14)) continue;
        double now = mono_ms();
        if (got == 0) first = now;
        last = now;
        if (++got >= total) break;
        if (grove && (got & 1023) == 0 && now - last_ping > 300) {
            zmq_send(raw, ping, sizeof ping - 1, 0);
            last_ping = now;
        }
    }
    for (int i = 0; i < senders; i++) waitpid(kids[i], NULL, 0);
    zsock_destroy(&e);
    if (router) { kill(router, SIGKILL); waitpid(router, NULL, 0); }
    double secs = (last - first) / 1000.0;
    printf("%s msgs %ld got %ld seconds %.3f rate %.0f\n", grove ? "grove" : "raw", total, got, secs,
           secs > 0 ? got / secs : 0);
    return got > 0 ? 0 : 1;
}
