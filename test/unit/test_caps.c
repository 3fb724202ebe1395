/* test_caps.c — the standard capabilities (caps.c): log, clock, timer,
 * fs=DIR, http=PORT, built on a bare VM with gn_caps_build and driven
 * with gv_eval; http through real loopback sockets from client threads
 * while the test steps the VM and polls the listener.  The fs and http
 * suites run twice, the second time in GC stress mode.  Then through a
 * real gn_node: gn_node_cap_std, live forms receiving the capabilities,
 * a timer stopping with its form.  Also checks that a VM or node offered
 * no capability has no way to write a file.
 *
 * Prints "test_caps: N passed, M failed"; exits non-zero on failure. */
#include "grove.h"
#include "caps.h"
#include "node.h"

#include <cjson/cJSON.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int pass, fail;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (cond) pass++;                                                  \
        else { fail++; printf("FAIL %s:%d: ", __FILE__, __LINE__);         \
               printf(__VA_ARGS__); putchar('\n'); }                       \
    } while (0)

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void nap(double ms) {
    struct timespec ts = {0, (long)(ms * 1e6)};
    nanosleep(&ts, NULL);
}

/* ---- evaluation helpers ---- */

static char *show(gv_vm *vm, const char *src, int *rc) {
    gv_val out;
    *rc = gv_eval(vm, src, strlen(src), "test_caps", 1, 1, &out);
    if (*rc != GV_OK) return gv_exception_report(vm, out);
    gv_print_opts o = {true, 50, 10};
    return gv_print_str(vm, out, &o, NULL);
}

static void expect(gv_vm *vm, const char *src, const char *want) {
    int rc;
    char *got = show(vm, src, &rc);
    if (rc == GV_OK && got && strcmp(got, want) == 0) pass++;
    else { fail++; printf("FAIL %s\n  want: %s\n  got:  %s\n", src, want, got ? got : "(null)"); }
    free(got);
}

static void expect_error(gv_vm *vm, const char *src, const char *needle) {
    int rc;
    char *got = show(vm, src, &rc);
    if (rc == GV_ERR && got && strstr(got, needle)) pass++;
    else { fail++; printf("FAIL (error) %s\n  want error containing: %s\n  got: %s\n", src, needle, got ? got : "(null)"); }
    free(got);
}

static double num(gv_vm *vm, const char *src) {
    int rc;
    char *s = show(vm, src, &rc);
    double v = (rc == GV_OK && s) ? atof(s) : -1;
    if (rc != GV_OK) printf("  (eval failed: %s: %s)\n", src, s ? s : "?");
    free(s);
    return v;
}

/* Builds capability SPEC and defines it as user/VAR. */
static bool defcap(gv_vm *vm, const char *spec, const char *var, gn_caps_http **http) {
    char name[32], err[256];
    gv_val v;
    if (!gn_caps_build(vm, spec, name, sizeof name, &v, http, err, sizeof err)) {
        printf("  cannot build %s: %s\n", spec, err);
        return false;
    }
    gv_define(vm, "user", var, v);
    return true;
}

/* Output capture */
typedef struct outcap {
    char buf[8192];
    size_t len;
} outcap;

static void capture(gv_vm *vm, const char *bytes, size_t len, void *udata) {
    (void)vm;
    outcap *o = udata;
    if (o->len + len >= sizeof o->buf) len = sizeof o->buf - 1 - o->len;
    memcpy(o->buf + o->len, bytes, len);
    o->len += len;
    o->buf[o->len] = '\0';
}

/* ---- log, clock, timer ---- */

static void test_spec_errors(gv_vm *vm) {
    char name[32], err[256];
    gv_val v;
    gn_caps_http *h = NULL;
    CHECK(!gn_caps_build(vm, "foo", name, sizeof name, &v, &h, err, sizeof err) &&
          strcmp(err, "unknown capability: foo; known: log, clock, timer, fs=DIR, http=PORT") == 0,
          "unknown capability: %s", err);
    CHECK(!gn_caps_build(vm, "log=1", name, sizeof name, &v, &h, err, sizeof err) &&
          strstr(err, "log takes no argument"), "log=1: %s", err);
    CHECK(!gn_caps_build(vm, "fs", name, sizeof name, &v, &h, err, sizeof err) &&
          strstr(err, "fs needs a directory"), "fs: %s", err);
    CHECK(!gn_caps_build(vm, "fs=/no/such/dir/grove", name, sizeof name, &v, &h, err, sizeof err) &&
          strstr(err, "cannot open the directory") && strstr(err, "No such file"), "fs=missing: %s", err);
    CHECK(!gn_caps_build(vm, "http=", name, sizeof name, &v, &h, err, sizeof err) &&
          strstr(err, "http needs a port"), "http=: %s", err);
    CHECK(!gn_caps_build(vm, "http=70000", name, sizeof name, &v, &h, err, sizeof err) &&
          strstr(err, "from 0 to 65535"), "http=70000: %s", err);
    CHECK(!gn_caps_build(vm, "http=8x", name, sizeof name, &v, &h, err, sizeof err) &&
          strstr(err, "from 0 to 65535"), "http=8x: %s", err);
    CHECK(h == NULL, "no listener left behind");
    CHECK(gn_caps_build(vm, "clock", name, sizeof name, &v, &h, err, sizeof err) &&
          strcmp(name, "clock") == 0 && h == NULL, "clock builds");
}

static void test_log(gv_vm *vm, outcap *oc) {
    if (!defcap(vm, "log", "log", NULL)) { fail++; return; }
    oc->len = 0;
    expect(vm, "(log \"hello\" 42 [1 \"x\"] :k nil)", "nil");
    int hh, mm, ss, ms;
    char rest[256] = "";
    int n = sscanf(oc->buf, "[%2d:%2d:%2d.%3d] %255[^\n]", &hh, &mm, &ss, &ms, rest);
    CHECK(n == 5 && strcmp(rest, "hello 42 [1 x] :k nil") == 0 && oc->buf[oc->len - 1] == '\n' &&
          strchr(oc->buf, '\n') == oc->buf + oc->len - 1,
          "log line: [%s]", oc->buf);
    /* it writes where println writes */
    oc->len = 0;
    expect(vm, "(let [s (with-out-str (log :in))] [(first s) (subs s 15)])", "[\\[ \":in\\n\"]");
    CHECK(oc->len == 0, "captured by with-out-str: [%s]", oc->buf);
    oc->len = 0;
    expect(vm, "(do (log) nil)", "nil");
    CHECK(oc->len == 16 && oc->buf[0] == '[' && oc->buf[15] == '\n', "empty log line: [%s]", oc->buf);
}

static void test_clock(gv_vm *vm) {
    if (!defcap(vm, "clock", "clock", NULL)) { fail++; return; }
    expect(vm, "(sort (keys clock))", "(:monotonic :now :sleep)");
    expect(vm, "(int? ((:now clock)))", "true");
    double wall = num(vm, "((:now clock))");
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double c = (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6;
    CHECK(wall > c - 2000 && wall <= c + 1, "now %f vs %f", wall, c);
    expect(vm, "(double? ((:monotonic clock)))", "true");
    double slept = num(vm, "(let [t0 ((:monotonic clock))] ((:sleep clock) 30) (- ((:monotonic clock)) t0))");
    CHECK(slept >= 29.5 && slept < 1000, "slept %f ms", slept);
    expect_error(vm, "((:sleep clock) -1)", "non-negative");
    expect_error(vm, "((:now clock) 1)", "Wrong number of args");
}

static void test_timer(gv_vm *vm) {
    if (!defcap(vm, "timer", "timer", NULL)) { fail++; return; }
    expect(vm, "(sort (keys timer))", "(:after :every)");
    /* every: about one call per 10 ms; kill stops it */
    double n = num(vm, "(def ticks (atom 0))"
                       "(def tp ((:every timer) 10 #(swap! ticks inc)))"
                       "(sleep 105) @ticks");
    CHECK(n >= 5 && n <= 11, "every 10 ms for 105 ms: %g ticks", n);
    expect(vm, "(process? tp)", "true");
    expect(vm, "(do (kill tp) (sleep 5) (alive? tp))", "false");
    double a = num(vm, "@ticks");
    double b = num(vm, "(do (sleep 40) @ticks)");
    CHECK(a == b, "killed timer stopped: %g then %g", a, b);
    /* after: once, after the delay; its process yields f's value */
    expect(vm, "(def fired (atom []))"
               "(def ap ((:after timer) 30 #(do (swap! fired conj :x) :done)))"
               "[@fired (join ap) @fired]",
           "[[] :done [:x]]");
    double d = num(vm, "(let [t0 ((:monotonic clock)) p ((:after timer) 30 #((:monotonic clock)))]"
                       "  (- (join p) t0))");
    CHECK(d >= 29.5 && d < 1000, ":after 30 fired after %g ms", d);
    /* a throwing f ends an :every timer; joining it rethrows */
    expect(vm, "(def calls (atom 0))"
               "(def bad ((:every timer) 5 #(do (swap! calls inc) (throw (ex-info \"tick failed\" {})))))"
               "(sleep 40) [@calls (alive? bad)]",
           "[1 false]");
    expect_error(vm, "(join bad)", "tick failed");
    expect_error(vm, "((:every timer) 0 inc)", "timer: every expects a positive number");
    expect_error(vm, "((:every timer) -5 inc)", "positive");
    expect_error(vm, "((:after timer) 5 42)", "timer: after expects a function");
    expect(vm, "(join ((:after timer) 0 (constantly 7)))", "7");
}

/* A timer started by a process belongs to it (process groups): no test
 * here; the node tests cover redeploy. */

/* ---- fs ---- */

static char root[64], outside[64];

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f) { fputs(text, f); fclose(f); }
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *b = calloc(1, 4096);
    size_t n = fread(b, 1, 4095, f);
    b[n] = '\0';
    fclose(f);
    return b;
}

static bool exists(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0;
}

static void fs_setup(void) {
    strcpy(root, "/tmp/grove-caps-root-XXXXXX");
    strcpy(outside, "/tmp/grove-caps-out-XXXXXX");
    if (!mkdtemp(root) || !mkdtemp(outside)) { perror("mkdtemp"); exit(1); }
    char p[256], q[256];
    snprintf(p, sizeof p, "%s/sub", root);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/secret.txt", outside);
    write_file(p, "secret");
    snprintf(p, sizeof p, "%s/out", root);
    if (symlink(outside, p) < 0) perror("symlink");
    snprintf(p, sizeof p, "%s/outfile", root);
    snprintf(q, sizeof q, "%s/secret.txt", outside);
    if (symlink(q, p) < 0) perror("symlink");
    snprintf(p, sizeof p, "%s/in", root);
    if (symlink("sub", p) < 0) perror("symlink");
    snprintf(p, sizeof p, "%s/abs", root);
    if (symlink("/etc", p) < 0) perror("symlink");
    snprintf(p, sizeof p, "%s/up", root);
    if (symlink("../", p) < 0) perror("symlink");
}

static void rm_rf(const char *dir) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("  (could not remove %s)\n", dir);
}

static void test_fs(gv_vm *vm) {
    char spec[128], p[256];
    snprintf(spec, sizeof spec, "fs=%s", root);
    if (!defcap(vm, spec, "fs", NULL)) { fail++; return; }
    expect(vm, "(sort (keys fs))", "(:append :exists? :list :read :write)");
    expect(vm, "((:write fs) \"a.txt\" \"hello\")", "nil");
    expect(vm, "((:read fs) \"a.txt\")", "\"hello\"");
    expect(vm, "((:append fs) \"a.txt\" \" world\")", "nil");
    expect(vm, "((:read fs) \"./a.txt\")", "\"hello world\"");
    snprintf(p, sizeof p, "%s/a.txt", root);
    char *t = read_file(p);
    CHECK(t && strcmp(t, "hello world") == 0, "file on disk: %s", t ? t : "(none)");
    free(t);
    expect(vm, "((:write fs) \"a.txt\" \"überschrieben\")", "nil");
    expect(vm, "((:read fs) \"a.txt\")", "\"überschrieben\"");
    expect(vm, "((:append fs) \"new.log\" \"1\")", "nil");
    expect(vm, "((:list fs))", "[\"a.txt\" \"abs\" \"in\" \"new.log\" \"out\" \"outfile\" \"sub\" \"up\"]");
    expect(vm, "((:list fs) \"sub\")", "[]");
    expect(vm, "((:write fs) \"sub/b.txt\" \"bee\")", "nil");
    expect(vm, "((:list fs) \"sub/\")", "[\"b.txt\"]");
    /* symbolic links and .. that stay inside are fine */
    expect(vm, "((:read fs) \"in/b.txt\")", "\"bee\"");
    expect(vm, "((:read fs) \"sub/../a.txt\")", "\"überschrieben\"");
    expect(vm, "((:read fs) \"sub//b.txt\")", "\"bee\"");
    expect(vm, "[((:exists? fs) \"a.txt\") ((:exists? fs) \"sub\") ((:exists? fs) \"nope\") ((:exists? fs) \"nope/x\")]",
           "[true true false false]");
    /* escapes */
    expect_error(vm, "((:read fs) \"../x\")", "fs: path escapes the root: ../x");
    expect_error(vm, "((:read fs) \"/etc/passwd\")", "fs: path escapes the root: /etc/passwd");
    expect_error(vm, "((:read fs) \"sub/../../x\")", "fs: path escapes the root: sub/../../x");
    expect_error(vm, "((:read fs) \"..\")", "escapes the root");
    expect_error(vm, "((:read fs) \"out/secret.txt\")", "fs: path escapes the root: out/secret.txt");
    expect_error(vm, "((:read fs) \"outfile\")", "fs: path escapes the root: outfile");
    expect_error(vm, "((:read fs) \"abs/passwd\")", "fs: path escapes the root: abs/passwd");
    expect_error(vm, "((:read fs) \"up/x\")", "escapes the root");
    expect_error(vm, "((:write fs) \"outfile\" \"pwned\")", "fs: path escapes the root: outfile");
    expect_error(vm, "((:append fs) \"outfile\" \"pwned\")", "escapes the root");
    expect_error(vm, "((:write fs) \"out/new.txt\" \"pwned\")", "escapes the root");
    expect_error(vm, "((:write fs) \"../pwned.txt\" \"pwned\")", "escapes the root");
    expect_error(vm, "((:list fs) \"out\")", "escapes the root");
    expect_error(vm, "((:list fs) \"..\")", "escapes the root");
    expect_error(vm, "((:exists? fs) \"out/secret.txt\")", "escapes the root");
    snprintf(p, sizeof p, "%s/secret.txt", outside);
    t = read_file(p);
    CHECK(t && strcmp(t, "secret") == 0, "outside file untouched: %s", t ? t : "(none)");
    free(t);
    snprintf(p, sizeof p, "%s/new.txt", outside);
    CHECK(!exists(p), "no file created outside through a link");
    CHECK(!exists("/tmp/pwned.txt"), "no file created above the root");
    expect(vm, "(try ((:read fs) \"../x\") (catch clojure.lang.ExceptionInfo e (ex-data e)))",
           "{:cap :fs, :op :read, :path \"../x\"}");
    /* other errors */
    expect_error(vm, "((:read fs) \"missing.txt\")", "fs: cannot read missing.txt: No such file or directory");
    expect_error(vm, "((:read fs) \"sub\")", "Is a directory");
    expect_error(vm, "((:read fs) \"\")", "fs: empty path");
    expect_error(vm, "((:read fs) :a.txt)", "fs: read expects a path string");
    expect_error(vm, "((:write fs) \"x.txt\" 42)", "fs: write expects a string to write, got java.lang.Long");
    expect_error(vm, "((:write fs) \"sub\" \"x\")", "Is a directory");
    expect_error(vm, "((:write fs) \"nodir/x.txt\" \"x\")", "No such file or directory");
    expect_error(vm, "((:list fs) \"a.txt\")", "Not a directory");
    expect(vm, "(count ((:read fs) \"a.txt\"))", "13");
    expect_error(vm, "((:read fs) (apply str (repeat 300 \"n\")))", "fs: path too long: nnn");

    /* a FIFO is refused at once: opening it once waited for a writer
     * (or reader) forever, freezing the node */
    snprintf(p, sizeof p, "%s/pipe", root);
    CHECK(mkfifo(p, 0644) == 0, "mkfifo %s", p);
    double t0 = now_ms();
    expect_error(vm, "((:read fs) \"pipe\")", "fs: cannot read pipe: Invalid argument");
    expect_error(vm, "((:write fs) \"pipe\" \"x\")", "fs: cannot write pipe: Invalid argument");
    expect_error(vm, "((:append fs) \"pipe\" \"x\")", "fs: cannot append pipe: Invalid argument");
    CHECK(now_ms() - t0 < 1000, "without waiting (%.0f ms)", now_ms() - t0);
    expect(vm, "((:exists? fs) \"pipe\")", "true");

    /* the fallback walk (no openat2) follows no link at all */
    int dfd = open(root, O_PATH | O_DIRECTORY);
    int fd = gn_caps_fs_open_walk(dfd, "sub/b.txt", O_RDONLY, 0);
    CHECK(fd >= 0, "walk opens sub/b.txt");
    if (fd >= 0) close(fd);
    errno = 0;
    fd = gn_caps_fs_open_walk(dfd, "in/b.txt", O_RDONLY, 0);
    CHECK(fd < 0, "walk refuses a directory link");
    if (fd >= 0) close(fd);
    fd = gn_caps_fs_open_walk(dfd, "outfile", O_RDONLY, 0);
    CHECK(fd < 0 && errno == ELOOP, "walk refuses a file link (errno %d)", errno);
    if (fd >= 0) close(fd);
    fd = gn_caps_fs_open_walk(dfd, "out/secret.txt", O_RDONLY, 0);
    CHECK(fd < 0, "walk refuses out/secret.txt");
    if (fd >= 0) close(fd);
    fd = gn_caps_fs_open_walk(dfd, "sub/w.txt", O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0, "walk creates sub/w.txt");
    if (fd >= 0) close(fd);
    close(dfd);
}

/* ---- http ---- */

typedef struct client_job {
    int port;
    const char *parts[3];   /* sent in turn, with PAUSE_MS between */
    double pause_ms;
    bool wait_continue;     /* read "100 Continue" before the second part */
    double read_delay_ms;   /* before reading the response */
    bool small_window;      /* a small receive buffer */
    char *resp;             /* malloc'd */
    size_t resplen;
    double elapsed;
    int done;
    pthread_t th;
} client_job;

static void *client_main(void *arg) {
    client_job *j = arg;
    double t0 = now_ms();
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)j->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (j->small_window) { /* so that the server's writes come out partial */
        int sz = 4096;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    }
    size_t cap = 1 << 16;
    j->resp = malloc(cap);
    j->resplen = 0;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
        for (int i = 0; i < 3 && j->parts[i]; i++) {
            if (i > 0 && j->wait_continue) {
                char b[64];
                ssize_t k = recv(fd, b, sizeof b - 1, 0);
                if (k <= 0 || strncmp(b, "HTTP/1.1 100", 12) != 0) break;
            } else if (i > 0) {
                nap(j->pause_ms);
            }
            size_t n = strlen(j->parts[i]), off = 0;
            while (off < n) {
                ssize_t k = send(fd, j->parts[i] + off, n - off, MSG_NOSIGNAL);
                if (k <= 0) break;
                off += (size_t)k;
            }
        }
        if (j->read_delay_ms > 0) nap(j->read_delay_ms);
        for (;;) {
            if (j->resplen + 4096 > cap) { cap *= 2; j->resp = realloc(j->resp, cap); }
            ssize_t k = recv(fd, j->resp + j->resplen, cap - j->resplen - 1, 0);
            if (k <= 0) break;
            j->resplen += (size_t)k;
        }
    }
    j->resp[j->resplen] = '\0';
    close(fd);
    j->elapsed = now_ms() - t0;
    __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void client_start(client_job *j) {
    j->done = 0;
    pthread_create(&j->th, NULL, client_main, j);
}

/* Steps the VM and polls H until every job is done (or 10 s pass). */
static void serve(gv_vm *vm, gn_caps_http *h, client_job **jobs, int n) {
    double end = now_ms() + 10000;
    for (;;) {
        bool all = true;
        for (int i = 0; i < n; i++) all = all && __atomic_load_n(&jobs[i]->done, __ATOMIC_ACQUIRE);
        if (all || now_ms() > end) break;
        gn_caps_http_poll(h);
        gv_sched_step(vm, 2);
        double w = gv_sched_next_wake(vm);
        if (w != 0) nap(0.2);
    }
    for (int i = 0; i < n; i++) pthread_join(jobs[i]->th, NULL);
}

static int status_of(const char *resp) {
    int st = 0;
    if (sscanf(resp, "HTTP/1.1 %d", &st) != 1) return -1;
    return st;
}

static const char *body_of(const char *resp) {
    const char *b = strstr(resp, "\r\n\r\n");
    return b ? b + 4 : resp + strlen(resp);
}

/* One request RAW; returns the response (malloc'd). */
static char *request(gv_vm *vm, gn_caps_http *h, const char *raw) {
    client_job j = {0};
    j.port = gn_caps_http_port(h);
    j.parts[0] = raw;
    client_job *js[1] = {&j};
    client_start(&j);
    serve(vm, h, js, 1);
    return j.resp;
}

static void expect_http(gv_vm *vm, gn_caps_http *h, const char *raw, int status, const char *body) {
    char *r = request(vm, h, raw);
    int st = status_of(r);
    bool ok = st == status && (!body || strcmp(body_of(r), body) == 0);
    CHECK(ok, "%.40s...\n  want %d %s\n  got: %s", raw, status, body ? body : "", r);
    free(r);
}

static void test_http(gv_vm *vm, outcap *oc) {
    gn_caps_http *h = NULL;
    if (!defcap(vm, "http=0", "http", &h) || !h) { fail++; return; }
    int port = gn_caps_http_port(h);
    CHECK(port > 0, "ephemeral port %d", port);
    char src[64];
    snprintf(src, sizeof src, "(= (:port http) %d)", port);
    expect(vm, src, "true");

    /* no handler yet */
    expect_http(vm, h, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 503, "No handler installed\n");
    expect_error(vm, "((:handle http) 42)", "http: handle expects a function");

    {   /* a 1 MB body, made without running code (fast in GC stress mode) */
        char *x = malloc(1 << 20);
        memset(x, 'x', 1 << 20);
        gv_define(vm, "user", "big", gv_string_new(vm, x, 1 << 20));
        free(x);
    }
    expect(vm,
           "(def spins (atom 0))"
           "((:handle http)"
           " (fn [req]"
           "   (case (:uri req)"
           "     \"/echo\" {:status 201 :headers {\"X-Test\" \"yes\" :x-num 7}"
           "              :body (str (name (:method req)) \"|\" (:uri req) \"|\" (:query req) \"|\""
           "                         (get-in req [:headers \"x-a\"]) \"|\" (:body req) \"|\""
           "                         (get-in req [:headers \"host\"]) \"|\" (:protocol req))}"
           "     \"/boom\" (/ 1 0)"
           "     \"/nf\" {:status 404 :body \"nope\"}"
           "     \"/nil\" nil"
           "     \"/slow\" (do (sleep 150) {:body \"slow\"})"
           "     \"/loop\" (loop [] (swap! spins inc) (recur))"
           "     \"/bad\" 42"
           "     \"/badstatus\" {:status 1000}"
           "     \"/split\" {:headers {\"X\" \"a\\r\\nInjected: 1\"}}"
           "     \"/data\" {:body {:a [1 2]}}"
           "     \"/big\" {:body big}"
           "     \"/type\" {:headers {\"content-type\" \"application/edn\"} :body \"{}\"}"
           "     {:body (:uri req)})))",
           "nil");
    char *r = request(vm, h,
                      "POST /echo?a=1&b=2 HTTP/1.1\r\nHost: test\r\nX-A: hi\r\nContent-Length: 5\r\n\r\nhello");
    CHECK(status_of(r) == 201 && strcmp(body_of(r), "post|/echo|a=1&b=2|hi|hello|test|HTTP/1.1") == 0 &&
          strstr(r, "\r\nX-Test: yes\r\n") && strstr(r, "\r\nx-num: 7\r\n") &&
          strstr(r, "\r\nContent-Length: 41\r\n") && strstr(r, "\r\nConnection: close\r\n") &&
          strstr(r, "HTTP/1.1 201 Created\r\n") == r,
          "echo: %s", r);
    free(r);
    r = request(vm, h, "HEAD /echo HTTP/1.1\r\n\r\n");
    CHECK(status_of(r) == 201 && strcmp(body_of(r), "") == 0 && strstr(r, "Content-Length: 23\r\n"),
          "HEAD: %s", r);
    free(r);
    /* repeated headers are joined; bare LF line ends are accepted */
    expect_http(vm, h, "GET /echo HTTP/1.0\nX-A: 1\nX-A: 2\n\n", 201, "get|/echo||1, 2|||HTTP/1.0");
    oc->len = 0;
    expect_http(vm, h, "GET /boom HTTP/1.1\r\n\r\n", 500, "Divide by zero\n");
    CHECK(strstr(oc->buf, "http: get /boom -> 500: Divide by zero\n") != NULL, "500 logged: [%s]", oc->buf);
    expect_http(vm, h, "GET /nf HTTP/1.1\r\n\r\n", 404, "nope");
    expect_http(vm, h, "GET /nil HTTP/1.1\r\n\r\n", 404, "Not Found\n");
    expect_http(vm, h, "GET /bad HTTP/1.1\r\n\r\n", 500,
                "http: the handler returned java.lang.Long, not a response map\n");
    expect_http(vm, h, "GET /badstatus HTTP/1.1\r\n\r\n", 500, "http: :status must be a number from 100 to 599\n");
    expect_http(vm, h, "GET /split HTTP/1.1\r\n\r\n", 500, "http: a header value contains a line break\n");
    expect_http(vm, h, "GET /data HTTP/1.1\r\n\r\n", 200, "{:a [1 2]}");
    r = request(vm, h, "GET /type HTTP/1.1\r\n\r\n");
    CHECK(strstr(r, "content-type: application/edn\r\n") && !strstr(r, "text/plain"), "content type: %s", r);
    free(r);
    expect_http(vm, h, "GET /other/path HTTP/1.1\r\n\r\n", 200, "/other/path");

    /* refused requests */
    expect_http(vm, h, "garbage\r\n\r\n", 400, "Bad Request\n");
    expect_http(vm, h, "GET noslash HTTP/1.1\r\n\r\n", 400, NULL);
    expect_http(vm, h, "GET / SPDY/3\r\n\r\n", 505, NULL);
    expect_http(vm, h, "GET / HTTP/1.1\r\nBad Header\r\n\r\n", 400, NULL);
    expect_http(vm, h, "POST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n", 413, "Content Too Large\n");
    expect_http(vm, h, "POST / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n", 400, NULL);
    expect_http(vm, h, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501, NULL);
    {   /* a body past the limit, sent whole: the client still reads the 413 */
        size_t n = 100000;
        char *big = malloc(n + 100);
        int hl = sprintf(big, "POST / HTTP/1.1\r\nContent-Length: %zu\r\n\r\n", n);
        memset(big + hl, 'b', n);
        big[hl + n] = '\0';
        expect_http(vm, h, big, 413, "Content Too Large\n");
        free(big);
    }
    {   /* a header name longer than 255 bytes */
        char raw[400];
        int k = sprintf(raw, "GET / HTTP/1.1\r\nX-");
        memset(raw + k, 'n', 260);
        strcpy(raw + k + 260, ": 1\r\n\r\n");
        expect_http(vm, h, raw, 431, NULL);
    }
    {   /* a head that never ends, past the limit */
        char *big = malloc(70000);
        strcpy(big, "GET / HTTP/1.1\r\nX: ");
        memset(big + strlen(big), 'a', 69000);
        big[69000 + 19] = '\0';
        expect_http(vm, h, big, 431, NULL);
        free(big);
    }

    /* a body in a second packet, after 100 Continue */
    {
        client_job j = {0};
        j.port = port;
        j.parts[0] = "PUT /echo HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n";
        j.parts[1] = "body";
        j.wait_continue = true;
        client_job *js[1] = {&j};
        client_start(&j);
        serve(vm, h, js, 1);
        CHECK(status_of(j.resp) == 201 && strcmp(body_of(j.resp), "put|/echo|||body||HTTP/1.1") == 0,
              "100-continue: %s", j.resp);
        free(j.resp);
    }

    /* two slow handlers run side by side: the loop never blocks */
    {
        client_job a = {0}, b = {0};
        a.port = b.port = port;
        a.parts[0] = b.parts[0] = "GET /slow HTTP/1.1\r\n\r\n";
        client_job *js[2] = {&a, &b};
        double t0 = now_ms();
        client_start(&a);
        client_start(&b);
        serve(vm, h, js, 2);
        double took = now_ms() - t0;
        CHECK(status_of(a.resp) == 200 && status_of(b.resp) == 200 &&
              strcmp(body_of(a.resp), "slow") == 0 && took < 290,
              "two slow requests in %.0f ms: %s / %s", took, a.resp, b.resp);
        free(a.resp);
        free(b.resp);
    }

    /* a large response goes out in pieces while the client is slow to read */
    {
        client_job j = {0};
        j.port = port;
        j.parts[0] = "GET /big HTTP/1.1\r\n\r\n";
        j.read_delay_ms = 100;
        j.small_window = true;
        client_job *js[1] = {&j};
        client_start(&j);
        serve(vm, h, js, 1);
        const char *bd = body_of(j.resp);
        size_t blen = j.resplen - (size_t)(bd - j.resp);
        CHECK(status_of(j.resp) == 200 && blen == (1u << 20) && bd[0] == 'x' && bd[blen - 1] == 'x',
              "big body: %zu bytes: %.300s", blen, j.resp);
        free(j.resp);
    }

    /* an idle connection does not make the poller wait */
    {
        gn_caps_http_set_timeouts(h, 300, 200);
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {0};
        sa.sin_family = AF_INET;
        sa.sin_port = htons((uint16_t)port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int c = connect(fd, (struct sockaddr *)&sa, sizeof sa);
        if (send(fd, "GET / HT", 8, 0) != 8) c = -1;
        double worst = 0;
        for (int i = 0; i < 20; i++) {
            double t0 = now_ms();
            gn_caps_http_poll(h);
            double d = now_ms() - t0;
            if (d > worst) worst = d;
        }
        CHECK(c == 0 && worst < 5, "poll with an idle connection took %.2f ms", worst);
        /* ...and it is timed out with 408 */
        nap(320);
        gn_caps_http_poll(h);
        char buf[512] = "";
        struct timeval tv = {2, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ssize_t k = recv(fd, buf, sizeof buf - 1, 0);
        if (k > 0) buf[k] = '\0';
        CHECK(status_of(buf) == 408, "idle request timed out: %s", buf);
        close(fd);
    }

    /* a handler that never answers is killed: 504 */
    expect_http(vm, h, "GET /loop HTTP/1.1\r\n\r\n", 504, "The handler did not answer in time\n");
    for (int i = 0; i < 20; i++) { gn_caps_http_poll(h); gv_sched_step(vm, 2); }
    double s1 = num(vm, "@spins");
    double s2 = num(vm, "(do (sleep 20) @spins)");
    CHECK(s1 > 0 && s1 == s2, "the looping handler was killed: %g then %g", s1, s2);
    gn_caps_http_set_timeouts(h, 10000, 30000);

    /* removing the handler: 503 again */
    expect(vm, "((:handle http) nil)", "nil");
    expect_http(vm, h, "GET / HTTP/1.1\r\n\r\n", 503, NULL);

    /* a second listener on the same port cannot be made */
    char spec[32], name[32], err[256];
    gv_val v;
    gn_caps_http *h2 = NULL;
    snprintf(spec, sizeof spec, "http=%d", port);
    CHECK(!gn_caps_build(vm, spec, name, sizeof name, &v, &h2, err, sizeof err) &&
          strstr(err, "cannot listen on 127.0.0.1:") && strstr(err, "in use"),
          "port in use: %s", err);

    gn_caps_http_destroy(&h);
    CHECK(h == NULL, "destroy clears the pointer");
    expect_error(vm, "((:handle http) identity)", "http: the server is closed");
}

/* ---- no ambient effects ---- */

static void test_no_ambient(gv_vm *vm) {
    char path[128], src[512];
    snprintf(path, sizeof path, "/tmp/grove-caps-ambient-%d", (int)getpid());
    unlink(path);
    const char *tries[] = {
        "(spit \"%s\" \"x\")",
        "(clojure.core/spit \"%s\" \"x\")",
        "(clojure.java.io/writer \"%s\")",
        "(.write (java.io.FileWriter. \"%s\") \"x\")",
        "(java.io.FileWriter. \"%s\")",
        "(new java.io.File \"%s\")",
        "(. System exit 0 \"%s\")",
        "(System/exit 0 \"%s\")",
        "(with-open [w (writer \"%s\")] w)",
        "(load-file \"%s\")",
        "(eval '(spit \"%s\" \"x\"))",
        "(require 'clojure.java.io) \"%s\"",
        "(require 'clojure.java.shell) \"%s\"",
    };
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        snprintf(src, sizeof src, tries[i], path);
        int rc;
        char *r = show(vm, src, &rc);
        CHECK(rc == GV_ERR, "%s should fail, got %s", src, r ? r : "?");
        free(r);
    }
    CHECK(!exists(path), "no file was written without fs");
    /* nothing in the core library or any loaded namespace names a file,
     * process, socket or clock function */
    expect(vm,
           "(let [bad #{\"slurp\" \"spit\" \"file\" \"reader\" \"writer\" \"load-file\" \"load\""
           "            \"sh\" \"exec\" \"shell\" \"socket\" \"open\" \"delete\" \"mkdir\""
           "            \"getenv\" \"time\" \"now\" \"current-time\" \"read-line\" \"input-stream\""
           "            \"output-stream\" \"copy\" \"make-parents\" \"resource\" \"exit\" \"System\"}]"
           "  (vec (for [ns (all-ns) [s v] (ns-publics ns) :when (bad (name s))] (str ns \"/\" s))))",
           "[]");
}

/* ---- main ---- */

/* ---- through a real node (node.c) ---- */

typedef struct sink {
    cJSON *msgs[512];
    int n;
} sink;

static void on_send(void *udata, const cJSON *msg) {
    sink *k = udata;
    if (k->n < 512) k->msgs[k->n++] = cJSON_Duplicate(msg, 1);
}

static void sink_clear(sink *k) {
    for (int i = 0; i < k->n; i++) cJSON_Delete(k->msgs[i]);
    k->n = 0;
}

static const char *jstr(const cJSON *m, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void node_run(gn_node *n, double ms) {
    double end = now_ms() + ms;
    while (now_ms() < end) {
        double w = gn_node_step(n, 5);
        if (w > 0) nap(w < 1 ? w : 1);
    }
}

/* Evaluates CODE on node N; returns "STATUS VALUE-OR-MESSAGE" (malloc'd). */
static char *node_eval(gn_node *n, sink *k, const char *code) {
    static int reqno;
    char req[16];
    snprintf(req, sizeof req, "r%d", ++reqno);
    cJSON *m = cJSON_CreateObject();
    cJSON_AddNumberToObject(m, "v", 1);
    cJSON_AddStringToObject(m, "type", "eval");
    cJSON_AddStringToObject(m, "req", req);
    cJSON_AddStringToObject(m, "node", "alpha");
    cJSON_AddStringToObject(m, "code", code);
    gn_node_handle(n, m);
    cJSON_Delete(m);
    double end = now_ms() + 5000;
    while (now_ms() < end) {
        gn_node_step(n, 5);
        for (int i = 0; i < k->n; i++) {
            const char *t = jstr(k->msgs[i], "type"), *r = jstr(k->msgs[i], "req");
            if (t && r && strcmp(t, "result") == 0 && strcmp(r, req) == 0) {
                const char *st = jstr(k->msgs[i], "status");
                const char *v = jstr(k->msgs[i], "value");
                if (!v) v = jstr(k->msgs[i], "message");
                char *out = malloc(strlen(st ? st : "?") + strlen(v ? v : "") + 2);
                sprintf(out, "%s %s", st ? st : "?", v ? v : "");
                return out;
            }
        }
        nap(0.2);
    }
    return strdup("timeout");
}

static void expect_node(gn_node *n, sink *k, const char *code, const char *want) {
    char *got = node_eval(n, k, code);
    CHECK(strcmp(got, want) == 0, "node eval %s\n  want: %s\n  got:  %s", code, want, got);
    free(got);
}

static void expect_node_prefix(gn_node *n, sink *k, const char *code, const char *want) {
    char *got = node_eval(n, k, code);
    CHECK(strncmp(got, want, strlen(want)) == 0, "node eval %s\n  want: %s...\n  got:  %s", code, want, got);
    free(got);
}

/* A snapshot of space "user" with the given live forms (id, text). */
static void node_program(gn_node *n, int seq, int nforms, const char *const *forms) {
    cJSON *m = cJSON_CreateObject();
    cJSON_AddNumberToObject(m, "v", 1);
    cJSON_AddStringToObject(m, "type", "snapshot");
    cJSON_AddStringToObject(m, "space", "user");
    cJSON_AddStringToObject(m, "epoch", "e1");
    cJSON_AddNumberToObject(m, "seq", seq);
    cJSON_AddBoolToObject(m, "known", 1);
    cJSON *arr = cJSON_AddArrayToObject(m, "forms");
    for (int i = 0; i < nforms; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "id", forms[2 * i]);
        cJSON_AddStringToObject(f, "text", forms[2 * i + 1]);
        cJSON_AddBoolToObject(f, "live", 1);
        cJSON_AddNumberToObject(f, "line", i + 1);
        cJSON_AddNumberToObject(f, "col", 1);
        cJSON_AddNumberToObject(f, "order", i);
        cJSON_AddItemToArray(arr, f);
    }
    gn_node_handle(n, m);
    cJSON_Delete(m);
}

/* HTTP request RAW to PORT while stepping node N; malloc'd response. */
static char *node_request(gn_node *n, int port, const char *raw) {
    client_job j = {0};
    j.port = port;
    j.parts[0] = raw;
    client_start(&j);
    double end = now_ms() + 10000;
    while (!__atomic_load_n(&j.done, __ATOMIC_ACQUIRE) && now_ms() < end) {
        double w = gn_node_step(n, 5);
        if (w > 0) nap(w < 1 ? w : 1);
    }
    pthread_join(j.th, NULL);
    return j.resp;
}

/* The example of docs/CAPABILITIES.md, "Offering your own, from C". */
static gv_val lamp_set(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm; (void)argc;
    int *lamp = data;
    *lamp = argv[0].t == GV_BOOL && argv[0].as.b;
    return gv_nil();
}

static void offer_lamp(gn_node *n, int *lamp) {
    gv_vm *vm = gn_node_vm(n);
    gv_val hash_map, lamp_map;
    gv_eval(vm, "hash-map", 8, "host", 1, 1, &hash_map);
    gv_val kv[2] = {gv_keyword_intern(vm, NULL, "set"),
                    gv_native_new(vm, "lamp/set", lamp_set, lamp, 1, 1)};
    if (gv_pcall(vm, hash_map, 2, kv, &lamp_map) == GV_OK)
        gn_node_cap(n, "lamp", lamp_map);
}

static void test_node(void) {
    sink k = {.n = 0};
    gn_config cfg = {.id = "alpha", .session = "0123456789abcdef", .context_edn = NULL,
                     .send = on_send, .udata = &k};
    char err[256] = "";
    gn_node *n = gn_node_new(&cfg, err, sizeof err);
    CHECK(n != NULL, "gn_node_new: %s", err);
    if (!n) return;
    CHECK(!gn_node_cap_std(n, "bogus", err, sizeof err) &&
          strcmp(err, "unknown capability: bogus; known: log, clock, timer, fs=DIR, http=PORT") == 0,
          "bogus cap: %s", err);
    CHECK(!gn_node_cap_std(n, "fs=/no/such/grove/dir", err, sizeof err) &&
          strstr(err, "fs=/no/such/grove/dir: cannot open the directory"), "fs missing: %s", err);
    CHECK(!gn_node_cap_std(n, "http=x", err, sizeof err), "http=x refused");
    char fsspec[128];
    snprintf(fsspec, sizeof fsspec, "fs=%s", root);
    const char *specs[] = {"log", "clock", "timer", fsspec, "http=0"};
    for (int i = 0; i < 5; i++)
        CHECK(gn_node_cap_std(n, specs[i], err, sizeof err), "cap %s: %s", specs[i], err);
    cJSON *hello = gn_node_hello(n);
    char *hs = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(hello, "caps"));
    CHECK(hs && strcmp(hs, "[\"log\",\"clock\",\"timer\",\"fs\",\"http\"]") == 0, "hello caps: %s", hs);
    free(hs);
    cJSON_Delete(hello);
    int lamp = 0;
    offer_lamp(n, &lamp);
    expect_node(n, &k, "(sort (keys *node-caps*))", "success (:clock :fs :http :lamp :log :timer)");
    char *ps = node_eval(n, &k, "(:port (:http *node-caps*))");
    int port = strncmp(ps, "success ", 8) == 0 ? atoi(ps + 8) : 0;
    CHECK(port > 0, "node http port: %s", ps);
    free(ps);

    /* log output reaches the editors as an out message */
    sink_clear(&k);
    expect_node(n, &k, "((:log *node-caps*) \"from\" :alpha)", "success nil");
    node_run(n, 30);
    bool seen = false;
    for (int i = 0; i < k.n; i++) {
        const char *t = jstr(k.msgs[i], "type"), *x = jstr(k.msgs[i], "text");
        if (t && x && strcmp(t, "out") == 0 && x[0] == '[' && strstr(x, "] from :alpha\n")) seen = true;
    }
    CHECK(seen, "log line sent as out");

    /* live forms: an http handler reading a file, a timer */
    expect_node(n, &k, "((:write (:fs *node-caps*)) \"page.txt\" \"hello from the node\")", "success nil");
    const char *prog0[] = {"h:0", "(node :alpha [{:keys [lamp]}] ((:set lamp) true))"};
    node_program(n, 1, 1, prog0);
    node_run(n, 60);
    CHECK(lamp == 1, "a host capability from C, used by a live form");
    const char *prog1[] = {
        "h:1", "(def ticks (atom 0))",
        "h:2", "(node :alpha [{:keys [http fs]}] ((:handle http) (fn [req] {:body ((:read fs) (subs (:uri req) 1))})))",
        "h:3", "(node :alpha [{:keys [timer]}] ((:every timer) 5 #(swap! ticks inc)))",
    };
    node_program(n, 2, 3, prog1);
    node_run(n, 60);
    char *r = node_request(n, port, "GET /page.txt HTTP/1.1\r\n\r\n");
    CHECK(status_of(r) == 200 && strcmp(body_of(r), "hello from the node") == 0, "node http: %s", r);
    free(r);
    r = node_request(n, port, "GET /../etc/passwd HTTP/1.1\r\n\r\n");
    CHECK(status_of(r) == 500 && strstr(body_of(r), "fs: path escapes the root"), "node http escape: %s", r);
    free(r);
    char *t1 = node_eval(n, &k, "@ticks");
    CHECK(strncmp(t1, "success ", 8) == 0 && atoi(t1 + 8) > 0, "timer ticks on the node: %s", t1);
    free(t1);
    /* the timer's form goes away: its process stops */
    node_program(n, 3, 2, prog1);
    node_run(n, 60);
    char *a = node_eval(n, &k, "@ticks");
    node_run(n, 50);
    char *b = node_eval(n, &k, "@ticks");
    CHECK(strcmp(a, b) == 0 && strncmp(a, "success ", 8) == 0, "timer stopped with its form: %s then %s", a, b);
    free(a);
    free(b);
    /* the handler's form changes: the new handler answers */
    const char *prog3[] = {
        "h:1", "(def ticks (atom 0))",
        "h:2", "(node :alpha [{:keys [http]}] ((:handle http) (fn [req] {:body \"v2\"})))",
    };
    node_program(n, 4, 2, prog3);
    node_run(n, 60);
    r = node_request(n, port, "GET /page.txt HTTP/1.1\r\n\r\n");
    CHECK(status_of(r) == 200 && strcmp(body_of(r), "v2") == 0, "redeployed handler: %s", r);
    free(r);
    /* ...and goes away: the handler goes with it */
    node_program(n, 5, 1, prog3);
    node_run(n, 60);
    r = node_request(n, port, "GET /page.txt HTTP/1.1\r\n\r\n");
    CHECK(status_of(r) == 503, "handler removed with its form: %s", r);
    free(r);
    /* one installed from an eval stays */
    expect_node(n, &k, "((:handle (:http *node-caps*)) (fn [_] {:status 202}))", "success nil");
    node_run(n, 30);
    r = node_request(n, port, "GET / HTTP/1.1\r\n\r\n");
    CHECK(status_of(r) == 202, "handler from eval: %s", r);
    free(r);
    sink_clear(&k);
    gn_node_destroy(&n);
    CHECK(n == NULL, "node destroyed");

    /* a node offered nothing cannot write a file */
    gn_node *bare = gn_node_new(&cfg, err, sizeof err);
    if (!bare) { fail++; return; }
    char path[128], code[512];
    snprintf(path, sizeof path, "%s/bare.txt", root);
    expect_node(bare, &k, "*node-caps*", "success {}");
    snprintf(code, sizeof code, "((:write (:fs *node-caps*)) \"%s\" \"x\")", path);
    expect_node_prefix(bare, &k, code, "exception ");
    snprintf(code, sizeof code, "(spit \"%s\" \"x\")", path);
    expect_node_prefix(bare, &k, code, "e");
    const char *prog2[] = {"h:9", "(node :alpha [{:keys [fs]}] ((:write fs) \"bare.txt\" \"x\"))"};
    node_program(bare, 1, 1, prog2);
    node_run(bare, 60);
    bool fault = false;
    for (int i = 0; i < k.n; i++) {
        const char *t = jstr(k.msgs[i], "type");
        if (t && strcmp(t, "fault") == 0) fault = true;
    }
    CHECK(fault, "writing without fs is a fault");
    CHECK(!exists(path), "no file written by a node without fs");
    sink_clear(&k);
    gn_node_destroy(&bare);
}

int main(void) {
    fs_setup();
    outcap oc = {.len = 0};
    gv_vm *vm = gv_vm_new();
    if (!vm) { puts("test_caps: 0 passed, 1 failed"); return 1; }
    gv_vm_set_out(vm, capture, &oc);
    test_spec_errors(vm);
    test_no_ambient(vm);
    test_log(vm, &oc);
    test_clock(vm);
    test_timer(vm);
    test_fs(vm);
    test_http(vm, &oc);
    gv_vm_destroy(&vm);
    test_node();

    /* again with a collection at every safe point */
    rm_rf(root);
    rm_rf(outside);
    fs_setup();
    gv_vm *sv = gv_vm_new();
    gv_vm_set_out(sv, capture, &oc);
    gv_vm_set_gc_stress(sv, true);
    test_fs(sv);
    test_http(sv, &oc);
    gv_vm_destroy(&sv);

    rm_rf(root);
    rm_rf(outside);
    printf("test_caps: %d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
