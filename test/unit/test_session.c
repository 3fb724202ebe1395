/* test_session.c — unit tests of the Emacs module's session (module/
 * session.c) without Emacs, under ASan: the lifetimes Emacs finalizers
 * can produce (documents and sessions closed or freed in any order), the
 * wake-up pipe (one byte when the inbound queue goes non-empty), a
 * request that cannot be sent answered locally, and, with a real broker
 * (build/grove-broker, when present), connection, a value from the editor
 * node for a pushed document, eval on the editor node and quit during
 * step.
 *
 * Prints "test_session: N passed, M failed"; exit status 1 on failure.
 */
#include "session.h"

#include "doc.h"
#include "wire.h"

#include <czmq.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int npass, nfail;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (cond) npass++;                                                      \
        else {                                                                  \
            nfail++;                                                            \
            fprintf(stderr, "test_session.c:%d: FAIL: ", __LINE__);             \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
        }                                                                       \
    } while (0)

static int free_port(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return 20000 + (int)((ts.tv_nsec / 1000 + getpid() * 7) % 12000); /* below the ephemeral range */
}

/* Waits up to MS for a byte on FD; consumes what is there. */
static bool wait_byte(int fd, int ms) {
    for (int t = 0; t < ms; t += 5) {
        char buf[64];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) return true;
        usleep(5000);
    }
    return false;
}

/* Drains S for up to MS until a message of TYPE (and containing NEEDLE,
 * if given) arrives; steps the node meanwhile.  Returns a copy or NULL. */
static char *wait_msg(gm_session *s, int chan_r, const char *type, const char *needle, int ms) {
    char want[64];
    snprintf(want, sizeof want, "\"type\":\"%s\"", type);
    for (int t = 0; t < ms; t += 5) {
        wait_byte(chan_r, 5);
        bool q;
        gm_session_step(s, 2, NULL, NULL, &q);
        size_t n;
        char **m = gm_session_drain(s, &n);
        char *found = NULL;
        for (size_t i = 0; i < n; i++)
            if (!found && strstr(m[i], want) && (!needle || strstr(m[i], needle))) found = strdup(m[i]);
        gm_strings_free(m, n);
        if (found) return found;
    }
    return NULL;
}

static void test_lifetimes(void) {
    char err[256];
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", free_port());

    CHECK(!gm_session_new("nonsense://", NULL, NULL, -1, err, sizeof err) && err[0], "bad endpoint: %s", err);
    CHECK(!gm_session_new(ep, NULL, "[1 2]", -1, err, sizeof err) && strstr(err, "map"), "bad context: %s", err);

    gm_session *s = gm_session_new(ep, "editor", "{:k 1}", fds[1], err, sizeof err);
    CHECK(s != NULL, "open: %s", err);
    if (!s) return;
    CHECK(!gm_session_ready(s), "not ready without a broker");
    size_t n;
    CHECK(gm_session_drain(s, &n) == NULL && n == 0, "nothing to drain");

    /* an eval that cannot go out comes back as an error result, with a
     * byte on the pipe */
    cJSON *ev = cJSON_Parse("{\"v\":1,\"type\":\"eval\",\"req\":\"r9\",\"node\":\"alpha\",\"code\":\"1\"}");
    gm_session_send(s, ev);
    CHECK(wait_byte(fds[0], 2000), "a wake-up byte");
    char **m = gm_session_drain(s, &n);
    CHECK(n == 1 && strstr(m[0], "\"req\":\"r9\"") && strstr(m[0], "\"status\":\"error\""),
          "local error result: %s", n ? m[0] : "(none)");
    gm_strings_free(m, n);

    /* documents: closed before, after and without their session */
    gm_doc *d1 = gm_doc_new(s, "user", "a.clj", err, sizeof err);
    gm_doc *d2 = gm_doc_new(s, "user", NULL, err, sizeof err);
    gm_doc *d3 = gm_doc_new(s, "other", NULL, err, sizeof err);
    CHECK(d1 && d2 && d3, "docs");
    CHECK(gm_doc_reset(d1, "(def a 1)", 9, err, sizeof err), "reset");
    CHECK(gm_doc_edit(d1, 9, 10, 0, "2", 1, err, sizeof err), "edit");
    CHECK(!gm_doc_edit(d1, 99, 99, 0, "", 0, err, sizeof err) && err[0], "bad edit: %s", err);
    gm_doc_close(d2);
    CHECK(gm_doc_closed(d2) && gm_doc_gd(d2) == NULL, "closed doc");
    gm_doc_close(d2); /* idempotent */
    gm_doc_free(&d3);  /* freed while attached: unlinked */
    CHECK(d3 == NULL, "free clears");

    gm_session_close(s);
    CHECK(gm_session_closed(s), "closed");
    CHECK(!gm_doc_attached(d1) && !gm_doc_closed(d1), "d1 detached but readable");
    CHECK(gd_doc_count(gm_doc_gd(d1)) == 1, "d1 still has its form");
    gm_session_close(s); /* idempotent */
    CHECK(gm_session_drain(s, &n) == NULL, "drain after close");
    bool q;
    gm_session_step(s, 1, NULL, NULL, &q);
    gm_session_send(s, cJSON_Parse("{\"type\":\"nodes\"}")); /* dropped */
    gm_session_free(&s);
    gm_doc_free(&d1); /* after its session */
    gm_doc_free(&d2);

    /* the other order: session freed first with documents open, then the
     * documents (as GC finalizers may do) */
    s = gm_session_new(ep, NULL, NULL, -1, err, sizeof err);
    d1 = gm_doc_new(s, "user", NULL, err, sizeof err);
    gm_session_free(&s);
    CHECK(!gm_doc_attached(d1), "detached by the session's free");
    gm_doc_free(&d1);
    close(fds[0]);
}

/* Says "quit" the second time it is asked. */
static bool say_quit(void *data) {
    int *asked = data;
    return ++*asked >= 2;
}

static void test_broker(const char *broker) {
    int port = free_port() + 1;
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    pid_t pid = fork();
    if (pid == 0) {
        int nul = open("/dev/null", O_WRONLY);
        dup2(nul, 1);
        dup2(nul, 2);
        execl(broker, broker, "--bind", ep, "--quiet", (char *)NULL);
        _exit(127);
    }
    int fds[2];
    if (pipe(fds) != 0) return;
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    char err[256];
    gm_session *s = gm_session_new(ep, "editor", NULL, fds[1], err, sizeof err);
    CHECK(s != NULL, "open: %s", err);
    char *m = s ? wait_msg(s, fds[0], "connection", "connected", 5000) : NULL;
    CHECK(m != NULL, "connected");
    free(m);
    CHECK(s && gm_session_ready(s), "ready");
    if (s) {
        gm_doc *d = gm_doc_new(s, "t", NULL, err, sizeof err);
        gm_doc_reset(d, "(def a 20)\n! (? :v (+ a 1))\n", 28, err, sizeof err);
        m = wait_msg(s, fds[0], "value", "\"value\":\"21\"", 5000);
        CHECK(m != NULL, "a value from the editor node");
        free(m);
        cJSON *ev = cJSON_Parse("{\"type\":\"eval\",\"req\":\"e1\",\"node\":\"editor\",\"code\":\"(* a 2)\",\"ns\":\"t\"}");
        gm_session_send(s, ev);
        m = wait_msg(s, fds[0], "result", "\"req\":\"e1\"", 5000);
        CHECK(m && strstr(m, "\"value\":\"40\""), "eval on the editor node: %s", m ? m : "(none)");
        free(m);
        /* a runaway form: step notices quit */
        gm_doc_edit(d, 29, 29 + 19, 0, "! (loop [] (recur))", 19, err, sizeof err);
        bool busy = false, q = false;
        for (int i = 0; i < 200 && !busy; i++) {
            wait_byte(fds[0], 5);
            size_t n;
            gm_strings_free(gm_session_drain(s, &n), n);
            busy = gm_session_step(s, 10, NULL, NULL, &q) == 0;
        }
        CHECK(busy, "the loop keeps the node busy");
        int asked = 0;
        gm_session_step(s, 2000, say_quit, &asked, &q);
        CHECK(q && asked == 2, "quit asked between slices and honoured (%d)", asked);
        double w = gm_session_step(s, 20, NULL, NULL, &q);
        CHECK(w > 0, "idle after the interrupt (%g)", w);
        gm_session_free(&s);
        gm_doc_free(&d);
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    close(fds[0]);
}

int main(int argc, char **argv) {
    (void)argc;
    zsys_handler_set(NULL);
    test_lifetimes();
    /* the broker next to this binary's build directory */
    char broker[512];
    snprintf(broker, sizeof broker, "%s", argv[0]);
    char *slash = strrchr(broker, '/');
    if (slash) *slash = 0;
    strncat(broker, "/../grove-broker", sizeof broker - strlen(broker) - 1);
    if (access(broker, X_OK) == 0) test_broker(broker);
    else printf("no %s: broker part skipped\n", broker);
    printf("test_session: %d passed, %d failed\n", npass, nfail);
    return nfail != 0;
}
