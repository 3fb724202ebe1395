/* probe.c — a raw DEALER that sends hand-made frames to a grove broker and
 * prints what comes back, for the integration tests of message validation.
 *
 *   probe ENDPOINT [--hello] [--wait MS] SPEC...
 *
 * --hello    first say hello as an editor (id "probe") and wait for the
 *            welcome (so the broker knows whom to answer)
 * --wait MS  how long to collect replies after each SPEC (default 300)
 * SPEC is one message:
 *   text:TEXT     TEXT as one frame
 *   hex:HEX       the bytes HEX as one frame (e.g. hex:00ff10)
 *   empty         one empty frame
 *   frames:A|B|C  a multi-frame message, one frame per |-separated part
 *   big:N         a valid ping padded to exactly N bytes
 *                 ({"v":1,"type":"ping","pad":"xxx..."})
 * Output: "> SPEC" before each message (SPEC cut at 60 characters), then
 * "< REPLY" for every frame that comes back except the broker's pings
 * (cut at 300 characters).  "welcome" is printed when --hello got one.
 * Exits 0, or 1 when --hello was not answered within 3 s. */
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_reply(zmsg_t *m) {
    for (zframe_t *f = zmsg_first(m); f; f = zmsg_next(m)) {
        size_t n = zframe_size(f);
        const char *d = (const char *)zframe_data(f);
        if (n < 200 && memmem(d, n, "\"type\":\"ping\"", 12)) continue;
        printf("< %.*s\n", (int)(n > 300 ? 300 : n), d);
    }
    fflush(stdout);
}

/* Collects replies for MS milliseconds. */
static void drain(zsock_t *s, int ms) {
    int64_t end = zclock_mono() + ms;
    for (;;) {
        int64_t left = end - zclock_mono();
        if (left <= 0) break;
        zpoller_t *p = zpoller_new(s, NULL);
        void *r = zpoller_wait(p, (int)left);
        zpoller_destroy(&p);
        if (!r) continue;
        zmsg_t *m = zmsg_recv(s);
        if (!m) break;
        print_reply(m);
        zmsg_destroy(&m);
    }
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Builds the message of SPEC; NULL when SPEC is not understood. */
static zmsg_t *build(const char *spec) {
    zmsg_t *m = zmsg_new();
    if (strncmp(spec, "text:", 5) == 0) {
        zmsg_addstr(m, spec + 5);
    } else if (strncmp(spec, "hex:", 4) == 0) {
        const char *h = spec + 4;
        size_t n = strlen(h) / 2;
        unsigned char *b = malloc(n + 1);
        for (size_t i = 0; i < n; i++)
            b[i] = (unsigned char)(hexval(h[2 * i]) * 16 + hexval(h[2 * i + 1]));
        zmsg_addmem(m, b, n);
        free(b);
    } else if (strcmp(spec, "empty") == 0) {
        zmsg_addmem(m, "", 0);
    } else if (strncmp(spec, "frames:", 7) == 0) {
        char *copy = strdup(spec + 7), *save = NULL;
        for (char *t = strtok_r(copy, "|", &save); t; t = strtok_r(NULL, "|", &save))
            zmsg_addstr(m, t);
        free(copy);
    } else if (strncmp(spec, "big:", 4) == 0) {
        size_t n = strtoul(spec + 4, NULL, 10);
        const char *head = "{\"v\":1,\"type\":\"ping\",\"pad\":\"";
        size_t h = strlen(head);
        if (n < h + 2) n = h + 2;
        char *b = malloc(n);
        memcpy(b, head, h);
        memset(b + h, 'x', n - h - 2);
        memcpy(b + n - 2, "\"}", 2);
        zmsg_addmem(m, b, n);
        free(b);
    } else {
        zmsg_destroy(&m);
    }
    return m;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: probe ENDPOINT [--hello] [--wait MS] SPEC...\n", stderr);
        return 2;
    }
    zsys_handler_set(NULL);
    const char *ep = argv[1];
    bool hello = false;
    int wait_ms = 300, i = 2;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--hello") == 0) hello = true;
        else if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc) wait_ms = atoi(argv[++i]);
        else break;
    }
    char session[17];
    snprintf(session, sizeof session, "%08x%08x", (unsigned)randof(0x7fffffff),
             (unsigned)getpid());
    zsock_t *s = zsock_new(ZMQ_DEALER);
    zsock_set_identity(s, session);
    zsock_set_linger(s, 100);
    if (zsock_connect(s, "%s", ep) != 0) {
        fprintf(stderr, "probe: cannot connect to %s\n", ep);
        return 2;
    }
    int rc = 0;
    if (hello) {
        zstr_sendf(s, "{\"v\":1,\"type\":\"hello\",\"role\":\"editor\",\"id\":\"probe\",\"session\":\"%s\"}",
                   session);
        bool got = false;
        int64_t end = zclock_mono() + 3000;
        while (!got && zclock_mono() < end) {
            zpoller_t *p = zpoller_new(s, NULL);
            void *r = zpoller_wait(p, 100);
            zpoller_destroy(&p);
            if (!r) continue;
            char *t = zstr_recv(s);
            if (t && strstr(t, "\"type\":\"welcome\"")) got = true;
            zstr_free(&t);
        }
        puts(got ? "welcome" : "no welcome");
        if (!got) rc = 1;
    }
    for (; i < argc; i++) {
        zmsg_t *m = build(argv[i]);
        if (!m) { fprintf(stderr, "probe: bad spec %.60s\n", argv[i]); return 2; }
        printf("> %.60s\n", argv[i]);
        fflush(stdout);
        zmsg_send(&m, s);
        drain(s, wait_ms);
    }
    zsock_destroy(&s);
    return rc;
}
