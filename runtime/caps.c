/* caps.c — the standard capabilities a node offers: log, clock, timer,
 * fs=DIR and http=PORT (docs/CAPABILITIES.md has their shapes).
 *
 * grove's core library has no file, network or clock functions: code
 * reaches the world only through values like these, handed to it by the
 * host.  Each capability is built by one static constructor taking the VM
 * and the spec's argument and returning the value, a map of native
 * functions; gn_node_cap_std parses the spec, builds the value and offers
 * it with gn_node_cap.
 *
 * Ownership: host state the GC can own lives in GV_CAP objects kept in
 * the natives' closure environments (the fs root's descriptor is closed
 * when the last function holding it is collected).  The http listener is
 * the exception: its socket and connections must be polled, so the
 * node's poller owns them (gn_caps_http_destroy, called while the VM
 * lives); grove values reach the listener through GV_CAPs that count
 * references to its struct, so a handler process or a kept :handle
 * function outliving the poller finds it closed, never freed.
 */
#include "caps.h"
#include "gv.h"
#include "node.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ---- shared helpers ------------------------------------------------------ */

static double mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static gv_val core_fn(gv_vm *vm, const char *name) {
    gv_ns *ns = gv_ns_find(vm, gv_sym(vm, "clojure.core"));
    gv_var *v = ns ? gv_ns_resolve(vm, ns, gv_sym(vm, name)) : NULL;
    return v && (v->h.flags & GV_VAR_BOUND) ? v->root : GV_NILV;
}

/* A capability map from N keyword names and values.  Allocates only. */
static gv_val cap_map(gv_vm *vm, int n, const char *const *keys, const gv_val *vals) {
    gv_val kv[16];
    for (int i = 0; i < n && i < 8; i++) {
        kv[2 * i] = gv_kw(vm, keys[i]);
        kv[2 * i + 1] = vals[i];
    }
    return gv_map_from(vm, n < 8 ? n : 8, kv);
}

/* Throws an ex-info whose message is FMT... and whose data is
 * {:cap CAP, :op OP} plus :path PATH when PATH is not nil. */
__attribute__((format(printf, 5, 6)))
static _Noreturn void cap_fail(gv_vm *vm, const char *cap, const char *op, gv_val path,
                               const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gv_val kv[6] = {gv_kw(vm, "cap"), gv_kw(vm, cap), gv_kw(vm, "op"), gv_kw(vm, op),
                    gv_kw(vm, "path"), path};
    gv_val data = gv_map_from(vm, path.t == GV_NIL ? 2 : 3, kv);
    gv_throw(vm, gv_exception_new(vm, "clojure.lang.ExceptionInfo", gv_cstr(vm, msg), data,
                                  GV_NILV));
}

/* A number of milliseconds >= 0 (or > 0 when POSITIVE) from V. */
static double arg_ms(gv_vm *vm, const char *cap, const char *op, gv_val v, bool positive) {
    double ms = v.t == GV_LONG ? (double)v.as.i : v.t == GV_DOUBLE ? v.as.d : -1;
    if (ms != ms || ms < 0 || (positive && ms <= 0))
        cap_fail(vm, cap, op, GV_NILV, "%s: %s expects a %s number of milliseconds", cap, op,
                 positive ? "positive" : "non-negative");
    return ms;
}

static void arg_fn(gv_vm *vm, const char *cap, const char *op, gv_val f) {
    if (!gv_is_ifn(f))
        cap_fail(vm, cap, op, GV_NILV, "%s: %s expects a function, got %s", cap, op,
                 gv_type_name(f));
}

/* ---- log ------------------------------------------------------------------ */

/* (log & args): one line "[HH:MM:SS.mmm] args" where the args print as
 * `print` prints them, written where println writes.  The closure env
 * is core's print-str. */
static gv_val n_log(gv_vm *vm, int argc, gv_val *argv, void *data) {
    gv_val s = gv_call(vm, gv_closure_env(data), argc, argv);
    size_t n = 0;
    const char *text = gv_string_bytes(s, &n);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    gv_buf b;
    gv_buf_init(&b);
    gv_buf_printf(&b, "[%02d:%02d:%02d.%03ld] ", tm.tm_hour, tm.tm_min, tm.tm_sec,
                  ts.tv_nsec / 1000000);
    if (text) gv_buf_put(&b, text, n);
    gv_buf_putc(&b, '\n');
    gv_out_write(vm, b.p, b.len); /* only writes: cannot throw */
    gv_buf_free(&b);
    return GV_NILV;
}

static gv_val build_log(gv_vm *vm) {
    return gv_native_closure(vm, "log", n_log, core_fn(vm, "print-str"), 0, -1);
}

/* ---- clock ---------------------------------------------------------------- */

static gv_val n_clock_now(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm; (void)argc; (void)argv; (void)data;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return gv_l((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static gv_val n_clock_monotonic(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm; (void)argc; (void)argv; (void)data;
    return gv_d(mono_ms());
}

static gv_val build_clock(gv_vm *vm) {
    static const char *const keys[] = {"now", "monotonic", "sleep"};
    gv_val vals[3] = {gv_native_new(vm, "clock/now", n_clock_now, NULL, 0, 0),
                      gv_native_new(vm, "clock/monotonic", n_clock_monotonic, NULL, 0, 0),
                      core_fn(vm, "sleep")};
    return cap_map(vm, 3, keys, vals);
}

/* ---- timer ---------------------------------------------------------------- */

/* The timers' process bodies.  Their env is [ms f sleep]: the period as
 * a double, the function and core's sleep (which yields the process). */
static gv_val n_timer_every_run(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)argv;
    gv_val env = gv_closure_env(data); /* reachable from the process's fn */
    double ms = gv_vec_nth(env, 0).as.d;
    gv_val f = gv_vec_nth(env, 1), sleep = gv_vec_nth(env, 2);
    double next = mono_ms() + ms;
    for (;;) {
        double wait = next - mono_ms();
        gv_call1(vm, sleep, gv_d(wait > 0 ? wait : 0));
        gv_call0(vm, f); /* a throw ends the timer: the process fails */
        next += ms;
        double now = mono_ms();
        if (next < now) next = now; /* fell behind: no burst of missed ticks */
    }
    return GV_NILV; /* not reached */
}

static gv_val n_timer_after_run(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)argv;
    gv_val env = gv_closure_env(data);
    gv_call1(vm, gv_vec_nth(env, 2), gv_vec_nth(env, 0));
    return gv_call0(vm, gv_vec_nth(env, 1));
}

static gv_val timer_start(gv_vm *vm, gv_val *argv, void *data, bool every) {
    const char *op = every ? "every" : "after";
    double ms = arg_ms(vm, "timer", op, argv[0], every);
    arg_fn(vm, "timer", op, argv[1]);
    gv_val env[3] = {gv_d(ms), argv[1], gv_closure_env(data)};
    gv_val body = gv_native_closure(vm, every ? "timer/every-run" : "timer/after-run",
                                    every ? n_timer_every_run : n_timer_after_run,
                                    gv_vec_from(vm, 3, env), 0, 0);
    return gv_spawn(vm, body);
}

static gv_val n_timer_every(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc;
    return timer_start(vm, argv, data, true);
}

static gv_val n_timer_after(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc;
    return timer_start(vm, argv, data, false);
}

static gv_val build_timer(gv_vm *vm) {
    static const char *const keys[] = {"every", "after"};
    gv_val sleep = core_fn(vm, "sleep");
    gv_val vals[2] = {gv_native_closure(vm, "timer/every", n_timer_every, sleep, 2, 2),
                      gv_native_closure(vm, "timer/after", n_timer_after, sleep, 2, 2)};
    return cap_map(vm, 2, keys, vals);
}

/* ---- fs ------------------------------------------------------------------- */

/* Every path is relative to the root and must stay inside it: paths are
 * normalized lexically (a ".." that climbs above the root is refused),
 * then opened with openat2(RESOLVE_BENEATH) relative to the root's
 * descriptor, so the kernel refuses symbolic links that lead out, with
 * no race.  Without openat2 the walk follows no symbolic link at all. */

#define FS_MAX_READ ((off_t)64 << 20)

typedef struct fs_root {
    int fd;     /* O_PATH descriptor of the root directory */
} fs_root;

static const char *const FS_ROOT_TYPE = "grove.cap.FsRoot";

static void fs_root_free(void *d) {
    fs_root *r = d;
    if (r->fd >= 0) close(r->fd);
    free(r);
}

/* Normalizes PATH (N bytes) into OUT: no empty, "." or ".." components;
 * "." for the root itself.  Returns 0, or 1 when PATH climbs out, 2 when
 * it does not fit OUTLEN bytes. */
static int fs_normalize(const char *path, size_t n, char *out, size_t outlen) {
    size_t len = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && path[j] != '/') j++;
        size_t clen = j - i;
        if (clen == 0 || (clen == 1 && path[i] == '.')) {
            /* skip */
        } else if (clen == 2 && path[i] == '.' && path[i + 1] == '.') {
            if (len == 0) return 1;
            while (len > 0 && out[len - 1] != '/') len--;
            if (len > 0) len--; /* the separator */
        } else {
            if (len + clen + 2 > outlen || clen > NAME_MAX) return 2;
            if (len > 0) out[len++] = '/';
            memcpy(out + len, path + i, clen);
            len += clen;
        }
        i = j + 1;
    }
    if (len == 0) out[len++] = '.';
    out[len] = '\0';
    return 0;
}

int gn_caps_fs_open_walk(int dirfd, const char *rel, int flags, mode_t mode) {
    int cur = dirfd;
    const char *p = rel;
    for (;;) {
        const char *slash = strchr(p, '/');
        if (!slash) break;
        char comp[NAME_MAX + 1];
        size_t clen = (size_t)(slash - p);
        if (clen == 0 || clen > NAME_MAX) {
            if (cur != dirfd) close(cur);
            errno = clen ? ENAMETOOLONG : EINVAL;
            return -1;
        }
        memcpy(comp, p, clen);
        comp[clen] = '\0';
        int next = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        if (cur != dirfd) close(cur);
        if (next < 0) {
            errno = e;
            return -1;
        }
        cur = next;
        p = slash + 1;
    }
    int fd = openat(cur, p, flags | O_NOFOLLOW | O_CLOEXEC, mode);
    int e = errno;
    if (cur != dirfd) close(cur);
    errno = e;
    return fd;
}

/* Opens normalized REL under the root.  -1 with errno (EXDEV: it would
 * leave the root). */
static int fs_open_rel(const fs_root *r, const char *rel, int flags, mode_t mode) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    for (int tries = 0; tries < 8; tries++) {
        long fd = syscall(SYS_openat2, r->fd, rel, &how, sizeof how);
        if (fd >= 0) return (int)fd;
        if (errno == ENOSYS) return gn_caps_fs_open_walk(r->fd, rel, flags, mode);
        if (errno != EAGAIN && errno != EINTR) return -1; /* EAGAIN: a rename raced */
    }
    return -1;
}

/* Checks and normalizes the path argument V of OP into REL (PATH_MAX
 * bytes), throwing for anything that is not a path inside the root. */
static void fs_path(gv_vm *vm, const char *op, gv_val v, char *rel) {
    size_t n;
    const char *s = gv_string_bytes(v, &n);
    if (!s) cap_fail(vm, "fs", op, v, "fs: %s expects a path string, got %s", op, gv_type_name(v));
    if (n == 0) cap_fail(vm, "fs", op, v, "fs: empty path");
    if (memchr(s, '\0', n)) cap_fail(vm, "fs", op, v, "fs: path contains a NUL character");
    int bad = s[0] == '/' ? 1 : fs_normalize(s, n, rel, PATH_MAX);
    if (bad == 1) cap_fail(vm, "fs", op, v, "fs: path escapes the root: %s", s);
    if (bad == 2) cap_fail(vm, "fs", op, v, "fs: path too long: %.100s...", s);
}

static _Noreturn void fs_errno(gv_vm *vm, const char *op, gv_val path, int e) {
    const char *s = gv_string_bytes(path, NULL);
    if (e == EXDEV) cap_fail(vm, "fs", op, path, "fs: path escapes the root: %s", s);
    if (e == ELOOP)
        cap_fail(vm, "fs", op, path, "fs: cannot %s %s: a symbolic link is not followed here", op,
                 s);
    cap_fail(vm, "fs", op, path, "fs: cannot %s %s: %s", op, s, strerror(e));
}

static fs_root *fs_root_of(void *data) {
    return gv_cap_data(gv_closure_env(data), FS_ROOT_TYPE);
}

static gv_val n_fs_read(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc;
    char rel[PATH_MAX];
    fs_path(vm, "read", argv[0], rel);
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is then
     * refused below); a regular file ignores it */
    int fd = fs_open_rel(fs_root_of(data), rel, O_RDONLY | O_NONBLOCK, 0);
    if (fd < 0) fs_errno(vm, "read", argv[0], errno);
    struct stat st;
    int e = fstat(fd, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR
            : !S_ISREG(st.st_mode) ? EINVAL : st.st_size > FS_MAX_READ ? EFBIG : 0;
    if (e) {
        close(fd);
        fs_errno(vm, "read", argv[0], e);
    }
    /* Allocated before reading, so no throw can leak FD past this point
     * but the allocation's own (out of memory), handled here. */
    volatile int vfd = fd;
    gv_handler h;
    gv_string *s = NULL;
    if (gv_try(vm, &h) == 0) {
        s = gv_alloc(vm, GV_STRING, sizeof(gv_string) + (size_t)st.st_size + 1);
        gv_try_end(vm, &h);
    } else {
        close(vfd);
        gv_throw(vm, h.exc);
    }
    size_t got = 0, want = (size_t)st.st_size;
    while (got < want) {
        ssize_t k = read(fd, s->data + got, want - got);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            e = errno;
            close(fd);
            fs_errno(vm, "read", argv[0], e);
        }
        if (k == 0) break; /* the file shrank meanwhile */
        got += (size_t)k;
    }
    close(fd);
    s->len = (uint32_t)got;
    s->data[got] = '\0';
    return gv_mk(GV_STRING, s);
}

static gv_val fs_put(gv_vm *vm, gv_val *argv, void *data, const char *op, int flags) {
    char rel[PATH_MAX];
    fs_path(vm, op, argv[0], rel);
    size_t n;
    const char *text = gv_string_bytes(argv[1], &n);
    if (!text)
        cap_fail(vm, "fs", op, argv[0], "fs: %s expects a string to write, got %s", op,
                 gv_type_name(argv[1]));
    /* O_NONBLOCK: opening a FIFO must not wait for a reader */
    int fd = fs_open_rel(fs_root_of(data), rel, O_WRONLY | O_CREAT | O_NONBLOCK | flags, 0644);
    if (fd < 0) fs_errno(vm, op, argv[0], errno == ENXIO ? EINVAL : errno);
    struct stat st; /* regular files only, as for read */
    int e = fstat(fd, &st) < 0 ? errno : !S_ISREG(st.st_mode) ? EINVAL : 0;
    if (e) {
        close(fd);
        fs_errno(vm, op, argv[0], e);
    }
    size_t done = 0;
    while (done < n) {
        ssize_t k = write(fd, text + done, n - done);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            e = errno;
            close(fd);
            fs_errno(vm, op, argv[0], e);
        }
        done += (size_t)k;
    }
    if (close(fd) < 0) fs_errno(vm, op, argv[0], errno);
    return GV_NILV;
}

static gv_val n_fs_write(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc;
    return fs_put(vm, argv, data, "write", O_TRUNC);
}

static gv_val n_fs_append(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc;
    return fs_put(vm, argv, data, "append", O_APPEND);
}

static gv_val n_fs_exists(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc;
    char rel[PATH_MAX];
    fs_path(vm, "exists?", argv[0], rel);
    int fd = fs_open_rel(fs_root_of(data), rel, O_PATH, 0);
    if (fd >= 0) {
        close(fd);
        return GV_TRUEV;
    }
    if (errno == ENOENT || errno == ENOTDIR) return GV_FALSEV;
    fs_errno(vm, "exists?", argv[0], errno);
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Frees the N names of a directory listing and the array. */
static void names_free(char **names, size_t n) {
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

static gv_val n_fs_list(gv_vm *vm, int argc, gv_val *argv, void *data) {
    char rel[PATH_MAX] = ".";
    gv_val path = argc > 0 ? argv[0] : gv_cstr(vm, ".");
    if (argc > 0) fs_path(vm, "list", path, rel);
    int fd = fs_open_rel(fs_root_of(data), rel, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) fs_errno(vm, "list", path, errno);
    DIR *d = fdopendir(fd);
    if (!d) {
        int e = errno;
        close(fd);
        fs_errno(vm, "list", path, e);
    }
    /* Owner of NAMES: this function, until freed below (no throw between). */
    char **names = NULL;
    size_t n = 0, cap = 0;
    bool oom = false;
    struct dirent *de;
    while (!oom && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **nn = realloc(names, nc * sizeof *nn);
            if (!nn) { oom = true; break; }
            names = nn;
            cap = nc;
        }
        if (!(names[n] = strdup(de->d_name))) oom = true;
        else n++;
    }
    closedir(d);
    if (oom) {
        names_free(names, n);
        gv_throwf(vm, "OutOfMemoryError", "fs: out of memory listing a directory");
    }
    if (n) qsort(names, n, sizeof *names, cmp_names);
    /* Allocation only from here: no safe point, so the strings need no
     * rooting; a failed allocation is caught to free NAMES. */
    char **volatile vnames = names;
    volatile size_t vn = n;
    gv_handler h;
    gv_val result = GV_NILV;
    if (gv_try(vm, &h) == 0) {
        gv_val vec = gv_vec_empty(vm);
        for (size_t i = 0; i < n; i++) vec = gv_vec_conj(vm, vec, gv_cstr(vm, names[i]));
        result = vec;
        gv_try_end(vm, &h);
    } else {
        names_free(vnames, vn);
        gv_throw(vm, h.exc);
    }
    names_free(names, n);
    return result;
}

/* fs=DIR: false with a reason when DIR is not an openable directory. */
static bool build_fs(gv_vm *vm, const char *dir, gv_val *out, char *err, size_t errlen) {
    if (!dir || !*dir) {
        snprintf(err, errlen, "fs needs a directory: fs=DIR");
        return false;
    }
    int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "fs=%s: cannot open the directory: %s", dir, strerror(errno));
        return false;
    }
    fs_root *r = malloc(sizeof *r);
    if (!r) {
        close(fd);
        snprintf(err, errlen, "fs=%s: out of memory", dir);
        return false;
    }
    r->fd = fd;
    gv_val root = gv_cap_new(vm, FS_ROOT_TYPE, r, fs_root_free); /* the GC owns R now */
    static const char *const keys[] = {"read", "write", "append", "list", "exists?"};
    gv_val vals[5] = {gv_native_closure(vm, "fs/read", n_fs_read, root, 1, 1),
                      gv_native_closure(vm, "fs/write", n_fs_write, root, 2, 2),
                      gv_native_closure(vm, "fs/append", n_fs_append, root, 2, 2),
                      gv_native_closure(vm, "fs/list", n_fs_list, root, 0, 1),
                      gv_native_closure(vm, "fs/exists?", n_fs_exists, root, 1, 1)};
    *out = cap_map(vm, 5, keys, vals);
    return true;
}

/* ---- http ----------------------------------------------------------------- */

/* A minimal HTTP/1.1 server on 127.0.0.1: one request per connection
 * (Content-Length bodies, Connection: close).  The poller accepts and
 * reads without blocking; a complete request becomes a map and a green
 * thread calls the handler with it; the response is written without
 * blocking, by the handler's process if the socket takes it all at once,
 * else by the poller.  Connections are found by id, never by pointer,
 * from grove code: a connection may be gone (timed out) when its
 * handler answers.  The handler is kept by a gv_ref plus a "holder"
 * process spawned in the caller's process group (see n_http_holder), so
 * that it lives as long as the live form that installed it. */

#define HTTP_MAX_REQUEST (64 * 1024)
#define HTTP_MAX_CONNS 64
#define HTTP_MAX_HEADERS 100

typedef enum conn_state { C_READING, C_WAITING, C_WRITING } conn_state;

typedef struct http_conn {
    struct http_conn *next;
    int fd;
    uint64_t id;
    conn_state state;
    char *in;           /* request bytes read so far (malloc'd) */
    size_t inlen, incap;
    char *out;          /* response bytes (malloc'd), written from outoff */
    size_t outlen, outoff;
    bool continued;     /* "100 Continue" sent */
    double deadline;    /* monotonic ms: read or handler deadline */
    gv_ref *proc;       /* the handler's process while C_WAITING */
} http_conn;

struct gn_caps_http {
    gv_vm *vm;
    int fd;
    int port;
    gv_ref *handler;    /* NULL: none installed (503) */
    gv_ref *holder;     /* the process that keeps HANDLER installed */
    int64_t handler_gen; /* bumped by every (handle f) */
    http_conn *conns;
    int nconns;
    uint64_t next_id;
    double read_ms, handler_ms;
    int refs;           /* the poller's, plus one per GV_CAP pointing here */
    bool closed;        /* gn_caps_http_destroy ran: only the shell is left */
};

static const char *const HTTP_TYPE = "grove.cap.HttpServer";

/* Drops one reference to H; the last one frees the shell. */
static void http_unref(void *data) {
    gn_caps_http *h = data;
    if (--h->refs == 0) free(h);
}

/* A GV_CAP holding a reference to H, so that grove values (the :handle
 * function, handler processes) never point at a freed server. */
static gv_val http_cap(gv_vm *vm, gn_caps_http *h) {
    gv_val v = gv_cap_new(vm, HTTP_TYPE, h, http_unref);
    h->refs++;
    return v;
}

static const char *http_reason(int status) {
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Status";
    }
}

/* Drops the installed handler and stops its holder. */
static void http_uninstall(gn_caps_http *h) {
    gv_vm *vm = h->vm;
    if (h->handler) gv_ref_free(vm, &h->handler);
    if (h->holder) {
        gv_process_kill(vm, gv_ref_get(h->holder));
        gv_ref_free(vm, &h->holder);
    }
}

static void conn_close(gn_caps_http *h, http_conn *c) {
    for (http_conn **pp = &h->conns; *pp; pp = &(*pp)->next)
        if (*pp == c) { *pp = c->next; break; }
    h->nconns--;
    close(c->fd);
    free(c->in);
    free(c->out);
    if (c->proc) gv_ref_free(h->vm, &c->proc);
    free(c);
}

static http_conn *conn_find(gn_caps_http *h, uint64_t id) {
    for (http_conn *c = h->conns; c; c = c->next)
        if (c->id == id) return c;
    return NULL;
}

/* Writes what the socket takes now.  Returns true when C was closed
 * (all written, or the peer is gone). */
static bool conn_flush(gn_caps_http *h, http_conn *c) {
    while (c->outoff < c->outlen) {
        ssize_t k = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
        if (k <= 0) break; /* peer gone */
        c->outoff += (size_t)k;
    }
    if (c->outoff == c->outlen) {
        /* Sent: drop what the client may still be sending (a refused
         * body), so that closing does not reset the connection under
         * the response. */
        shutdown(c->fd, SHUT_WR);
        char junk[4096];
        for (int i = 0; i < 64 && recv(c->fd, junk, sizeof junk, 0) > 0; i++) {}
    }
    conn_close(h, c);
    return true;
}

/* Hands C the response bytes B (taken) and starts writing them.
 * Returns true when C was closed. */
static bool conn_respond(gn_caps_http *h, http_conn *c, gv_buf *b) {
    free(c->out);
    c->outlen = b->len;
    c->outoff = 0;
    c->out = gv_buf_take(b);
    c->state = C_WRITING;
    if (c->proc) gv_ref_free(h->vm, &c->proc);
    return conn_flush(h, c);
}

/* A response the server makes itself: STATUS with a plain text body. */
static bool conn_simple(gn_caps_http *h, http_conn *c, int status, const char *body) {
    gv_buf b;
    gv_buf_init(&b);
    gv_buf_printf(&b,
                  "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                  "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                  status, http_reason(status), strlen(body), body);
    return conn_respond(h, c, &b);
}

/* ---- request parsing ---- */

typedef struct span {
    const char *p;
    size_t n;
} span;

typedef struct http_req {
    span method, target, proto;
    size_t head_len;        /* bytes through the blank line */
    size_t content_length;
    bool expect_continue;
    int nh;
    span hname[HTTP_MAX_HEADERS], hval[HTTP_MAX_HEADERS];
} http_req;

static bool span_ieq(span s, const char *lit) {
    size_t n = strlen(lit);
    return s.n == n && strncasecmp(s.p, lit, n) == 0;
}

static bool is_tchar(unsigned char ch) {
    return isalnum(ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* Parses the head of the request in BUF (LEN bytes).  Returns 0 when
 * the head is complete and valid, 1 when more bytes are needed, or the
 * HTTP status to refuse it with. */
static int parse_head(const char *buf, size_t len, http_req *r) {
    const char *end = NULL;
    size_t eol_len = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (buf[i] != '\n') continue;
        if (buf[i + 1] == '\n') { end = buf + i; eol_len = 2; break; }
        if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n') { end = buf + i; eol_len = 3; break; }
    }
    if (!end) return len >= HTTP_MAX_REQUEST ? 431 : 1;
    memset(r, 0, sizeof *r);
    r->head_len = (size_t)(end - buf) + eol_len;
    const char *p = buf;
    bool first = true;
    bool have_length = false;
    while (p <= end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p) + 1);
        const char *le = nl;
        if (le > p && le[-1] == '\r') le--;
        if (first) {
            /* METHOD SP TARGET SP HTTP/1.x */
            const char *sp1 = memchr(p, ' ', (size_t)(le - p));
            const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(le - sp1 - 1)) : NULL;
            if (!sp1 || !sp2 || sp1 == p || sp2 == sp1 + 1) return 400;
            r->method = (span){p, (size_t)(sp1 - p)};
            r->target = (span){sp1 + 1, (size_t)(sp2 - sp1 - 1)};
            r->proto = (span){sp2 + 1, (size_t)(le - sp2 - 1)};
            if (r->method.n > 31) return 501;
            for (size_t i = 0; i < r->method.n; i++)
                if (!is_tchar((unsigned char)r->method.p[i])) return 400;
            if (r->proto.n != 8 || strncmp(r->proto.p, "HTTP/1.", 7) != 0) return 505;
            if (r->target.p[0] != '/') return 400;
            for (size_t i = 0; i < r->target.n; i++)
                if ((unsigned char)r->target.p[i] <= ' ' || r->target.p[i] == 0x7f) return 400;
            first = false;
        } else {
            if (p == le) break; /* cannot happen: END is the blank line */
            if (*p == ' ' || *p == '\t') return 400; /* obsolete line folding */
            const char *colon = memchr(p, ':', (size_t)(le - p));
            if (!colon || colon == p) return 400;
            if (colon - p > 255) return 431;
            for (const char *q = p; q < colon; q++)
                if (!is_tchar((unsigned char)*q)) return 400;
            const char *v = colon + 1, *ve = le;
            while (v < ve && (*v == ' ' || *v == '\t')) v++;
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
            for (const char *q = v; q < ve; q++)
                if (*q == '\0' || *q == '\r') return 400;
            if (r->nh == HTTP_MAX_HEADERS) return 431;
            span name = {p, (size_t)(colon - p)}, val = {v, (size_t)(ve - v)};
            r->hname[r->nh] = name;
            r->hval[r->nh] = val;
            r->nh++;
            if (span_ieq(name, "content-length")) {
                if (val.n == 0 || val.n > 9) return val.n > 9 ? 413 : 400;
                size_t cl = 0;
                for (size_t i = 0; i < val.n; i++) {
                    if (!isdigit((unsigned char)val.p[i])) return 400;
                    cl = cl * 10 + (size_t)(val.p[i] - '0');
                }
                if (have_length && cl != r->content_length) return 400;
                have_length = true;
                r->content_length = cl;
            } else if (span_ieq(name, "transfer-encoding")) {
                return 501;
            } else if (span_ieq(name, "expect") && span_ieq(val, "100-continue")) {
                r->expect_continue = true;
            }
        }
        if (nl >= end) break;
        p = nl + 1;
    }
    if (r->head_len + r->content_length > HTTP_MAX_REQUEST) return 413;
    return 0;
}

static gv_val span_str(gv_vm *vm, span s) { return gv_str(vm, s.p, s.n); }

/* The request map of R over the bytes of BUF.  Allocates only. */
static gv_val request_map(gv_vm *vm, const http_req *r, const char *buf) {
    char m[32];
    size_t mn = r->method.n < sizeof m - 1 ? r->method.n : sizeof m - 1;
    for (size_t i = 0; i < mn; i++) m[i] = (char)tolower((unsigned char)r->method.p[i]);
    m[mn] = '\0';
    const char *q = memchr(r->target.p, '?', r->target.n);
    span uri = {r->target.p, q ? (size_t)(q - r->target.p) : r->target.n};
    gv_val headers = gv_map_empty(vm);
    for (int i = 0; i < r->nh; i++) {
        char name[256];
        size_t nn = r->hname[i].n < sizeof name - 1 ? r->hname[i].n : sizeof name - 1;
        for (size_t j = 0; j < nn; j++) name[j] = (char)tolower((unsigned char)r->hname[i].p[j]);
        gv_val k = gv_str(vm, name, nn);
        gv_val v = span_str(vm, r->hval[i]);
        gv_val old = gv_map_get(vm, headers, k, GV_NILV);
        if (old.t == GV_STRING) { /* repeated header: one value, comma-joined */
            gv_buf b;
            gv_buf_init(&b);
            gv_buf_put(&b, GV_AS(gv_string, old)->data, GV_AS(gv_string, old)->len);
            gv_buf_puts(&b, ", ");
            gv_buf_put(&b, r->hval[i].p, r->hval[i].n);
            v = gv_str(vm, b.p, b.len);
            gv_buf_free(&b);
        }
        headers = gv_map_assoc(vm, headers, k, v);
    }
    gv_val kv[14] = {
        gv_kw(vm, "method"), gv_kw(vm, m),
        gv_kw(vm, "uri"), span_str(vm, uri),
        gv_kw(vm, "query"), q ? gv_str(vm, q + 1, (size_t)(r->target.p + r->target.n - q - 1)) : GV_NILV,
        gv_kw(vm, "headers"), headers,
        gv_kw(vm, "body"), gv_str(vm, buf + r->head_len, r->content_length),
        gv_kw(vm, "protocol"), span_str(vm, r->proto),
        gv_kw(vm, "remote-addr"), gv_cstr(vm, "127.0.0.1"),
    };
    return gv_map_from(vm, 7, kv);
}

/* ---- the handler's process ---- */

typedef struct hdr_ctx {
    gv_buf *b;
    bool has_type;
    const char *bad;    /* why a header was refused, or NULL */
} hdr_ctx;

/* Appends one response header; refuses what could split the response. */
static bool put_header(gv_vm *vm, gv_val k, gv_val v, void *ctx) {
    (void)vm;
    hdr_ctx *hc = ctx;
    const char *name = k.t == GV_STRING ? GV_AS(gv_string, k)->data
                     : k.t == GV_KEYWORD ? GV_AS(gv_keyword, k)->sym->name->data : NULL;
    if (!name || !*name) { hc->bad = "a header name must be a string or keyword"; return false; }
    for (const char *q = name; *q; q++)
        if (!is_tchar((unsigned char)*q)) { hc->bad = "a header name has a character HTTP refuses"; return false; }
    if (strcasecmp(name, "content-length") == 0 || strcasecmp(name, "connection") == 0 ||
        strcasecmp(name, "transfer-encoding") == 0)
        return true; /* the server sets these */
    if (strcasecmp(name, "content-type") == 0) hc->has_type = true;
    gv_buf_puts(hc->b, name);
    gv_buf_puts(hc->b, ": ");
    if (v.t == GV_STRING) {
        const char *s = GV_AS(gv_string, v)->data;
        if (strpbrk(s, "\r\n") || strlen(s) != GV_AS(gv_string, v)->len) {
            hc->bad = "a header value contains a line break";
            return false;
        }
        gv_buf_puts(hc->b, s);
    } else if (v.t == GV_LONG) {
        gv_buf_printf(hc->b, "%lld", (long long)v.as.i);
    } else if (v.t == GV_KEYWORD) {
        gv_buf_puts(hc->b, GV_AS(gv_keyword, v)->sym->name->data);
    } else {
        hc->bad = "a header value must be a string, number or keyword";
        return false;
    }
    gv_buf_puts(hc->b, "\r\n");
    return true;
}

/* Renders the handler's result R (rooted by the caller) into B.  Throws
 * (before B holds anything) when R is not a valid response. */
static void render_response(gv_vm *vm, gv_val r, bool head, gv_buf *b) {
    if (r.t == GV_NIL) {
        gv_buf_printf(b, "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\n"
                         "Content-Length: 10\r\nConnection: close\r\n\r\n%s",
                      head ? "" : "Not Found\n");
        return;
    }
    if (!gv_is_map(r))
        cap_fail(vm, "http", "handle", GV_NILV,
                 "http: the handler returned %s, not a response map", gv_type_name(r));
    gv_val st = gv_map_get(vm, r, gv_kw(vm, "status"), gv_l(200));
    if (st.t != GV_LONG || st.as.i < 100 || st.as.i > 599)
        cap_fail(vm, "http", "handle", GV_NILV, "http: :status must be a number from 100 to 599");
    gv_val headers = gv_map_get(vm, r, gv_kw(vm, "headers"), GV_NILV);
    if (headers.t != GV_NIL && !gv_is_map(headers))
        cap_fail(vm, "http", "handle", GV_NILV, "http: :headers must be a map");
    gv_val body = gv_map_get(vm, r, gv_kw(vm, "body"), GV_NILV);
    if (body.t != GV_STRING && body.t != GV_NIL) body = gv_str_of(vm, body); /* may run code */
    gv_push(vm, body);
    size_t blen = 0;
    const char *btext = body.t == GV_STRING ? gv_string_bytes(body, &blen) : "";
    int status = (int)st.as.i;
    if (status == 204 || status == 304 || status < 200) blen = 0;
    gv_buf_printf(b, "HTTP/1.1 %d %s\r\n", status, http_reason(status));
    hdr_ctx hc = {b, false, NULL};
    if (headers.t != GV_NIL) gv_map_each(vm, headers, put_header, &hc);
    if (hc.bad) {
        gv_buf_free(b);
        cap_fail(vm, "http", "handle", GV_NILV, "http: %s", hc.bad);
    }
    if (!hc.has_type) gv_buf_puts(b, "Content-Type: text/plain; charset=utf-8\r\n");
    gv_buf_printf(b, "Content-Length: %zu\r\nConnection: close\r\n\r\n", blen);
    if (!head) gv_buf_put(b, btext, blen);
}

/* The handler process's body.  Env: [server handler request conn-id]. */
static gv_val n_http_run(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)argv;
    gv_val env = gv_closure_env(data);
    gn_caps_http *h = gv_cap_data(gv_vec_nth(env, 0), HTTP_TYPE);
    if (h->closed) return GV_NILV;
    gv_val handler = gv_vec_nth(env, 1), req = gv_vec_nth(env, 2);
    uint64_t id = (uint64_t)gv_vec_nth(env, 3).as.i;
    bool head = gv_identical(gv_map_get(vm, req, gv_kw(vm, "method"), GV_NILV), gv_kw(vm, "head"));
    gv_buf out;
    gv_buf_init(&out);
    gv_buf *volatile bp = &out;
    gv_handler hd;
    if (gv_try(vm, &hd) == 0) {
        gv_val *r = gv_push(vm, gv_call1(vm, handler, req));
        render_response(vm, *r, head, bp);
        gv_try_end(vm, &hd);
    } else {
        gv_buf_free(bp);
        gv_val exc = hd.exc;
        gv_push(vm, exc);
        gv_exception *e = exc.t == GV_EXCEPTION ? GV_AS(gv_exception, exc) : NULL;
        const char *msg = e && e->msg.t == GV_STRING ? GV_AS(gv_string, e->msg)->data
                        : e ? e->cls->name->data : "error";
        gv_val uri = gv_map_get(vm, req, gv_kw(vm, "uri"), GV_NILV);
        gv_buf line;
        gv_buf_init(&line);
        gv_buf_printf(&line, "http: %s %s -> 500: %s\n",
                      GV_AS(gv_keyword, gv_map_get(vm, req, gv_kw(vm, "method"), GV_NILV))->sym->name->data,
                      uri.t == GV_STRING ? GV_AS(gv_string, uri)->data : "?", msg);
        gv_out_write(vm, line.p, line.len);
        gv_buf_free(&line);
        gv_buf_init(bp);
        size_t mlen = strlen(msg);
        gv_buf_printf(bp, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain; "
                          "charset=utf-8\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                      head ? 0 : mlen + 1);
        if (!head) { gv_buf_puts(bp, msg); gv_buf_putc(bp, '\n'); }
        http_conn *c = conn_find(h, id);
        if (c && c->state == C_WAITING) conn_respond(h, c, bp);
        else gv_buf_free(bp);
        if (e && e->uncatchable) gv_throw(vm, exc); /* killed: stay killed */
        return GV_NILV;
    }
    http_conn *c = conn_find(h, id);
    if (c && c->state == C_WAITING) conn_respond(h, c, &out);
    else gv_buf_free(&out);
    return GV_NILV;
}

/* ---- the poller ---- */

/* Reads what has arrived on C and, once its request is complete, answers
 * or starts the handler.  Returns true when C was closed. */
static bool conn_read(gn_caps_http *h, http_conn *c, double now) {
    bool eof = false;
    while (c->inlen <= HTTP_MAX_REQUEST) {
        if (c->inlen == c->incap) {
            size_t nc = c->incap ? c->incap * 2 : 4096;
            if (nc > HTTP_MAX_REQUEST + 1) nc = HTTP_MAX_REQUEST + 1;
            char *p = realloc(c->in, nc);
            if (!p) return conn_simple(h, c, 500, "Out of memory\n");
            c->in = p;
            c->incap = nc;
        }
        ssize_t k = recv(c->fd, c->in + c->inlen, c->incap - c->inlen, 0);
        if (k > 0) { c->inlen += (size_t)k; continue; }
        if (k == 0) { eof = true; break; }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        conn_close(h, c);
        return true;
    }
    http_req r;
    int st = parse_head(c->in, c->inlen, &r);
    if (st > 1) {
        char body[64];
        snprintf(body, sizeof body, "%s\n", http_reason(st));
        return conn_simple(h, c, st, body);
    }
    bool complete = st == 0 && c->inlen >= r.head_len + r.content_length;
    if (!complete) {
        if (eof) { conn_close(h, c); return true; }
        if (now >= c->deadline) return conn_simple(h, c, 408, "Request Timeout\n");
        if (st == 0 && r.expect_continue && !c->continued) {
            static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
            c->continued = true;
            if (send(c->fd, cont, sizeof cont - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof cont - 1)) {
                conn_close(h, c);
                return true;
            }
        }
        return false;
    }
    if (!h->handler) return conn_simple(h, c, 503, "No handler installed\n");
    gv_vm *vm = h->vm;
    /* Allocation only until gv_spawn roots the closure: nothing collects. */
    gv_val env[4];
    env[0] = http_cap(vm, h);
    env[1] = gv_ref_get(h->handler);
    env[2] = request_map(vm, &r, c->in);
    env[3] = gv_l((int64_t)c->id);
    gv_val body = gv_native_closure(vm, "http/handler", n_http_run, gv_vec_from(vm, 4, env), 0, 0);
    c->proc = gv_ref_new(vm, gv_spawn(vm, body));
    c->state = C_WAITING;
    c->deadline = now + h->handler_ms;
    free(c->in);
    c->in = NULL;
    c->inlen = c->incap = 0;
    return false;
}

double gn_caps_http_poll(gn_caps_http *h) {
    double now = mono_ms();
    while (h->nconns < HTTP_MAX_CONNS) {
        int fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            break; /* EAGAIN, or out of descriptors: try again next time */
        }
        http_conn *c = calloc(1, sizeof *c);
        if (!c) { close(fd); break; }
        c->fd = fd;
        c->id = ++h->next_id;
        c->state = C_READING;
        c->deadline = now + h->read_ms;
        c->next = h->conns;
        h->conns = c;
        h->nconns++;
    }
    bool busy = false;
    for (http_conn *c = h->conns, *next; c; c = next) {
        next = c->next;
        switch (c->state) {
        case C_READING:
            if (!conn_read(h, c, now) && c->state != C_WAITING) busy = true;
            break;
        case C_WAITING:
            if (now >= c->deadline) {
                gv_process_kill(h->vm, gv_ref_get(c->proc));
                conn_simple(h, c, 504, "The handler did not answer in time\n");
            }
            break;
        case C_WRITING:
            if (!conn_flush(h, c)) busy = true;
            break;
        }
    }
    /* No descriptor readiness reaches us: poll often while a transfer is
     * under way, and every few milliseconds for new connections. */
    return busy ? 1 : 5;
}

int gn_caps_http_port(const gn_caps_http *h) { return h->port; }

void gn_caps_http_set_timeouts(gn_caps_http *h, double read_ms, double handler_ms) {
    h->read_ms = read_ms;
    h->handler_ms = handler_ms;
}

void gn_caps_http_destroy(gn_caps_http **hp) {
    if (!hp || !*hp) return;
    gn_caps_http *h = *hp;
    *hp = NULL;
    while (h->conns) conn_close(h, h->conns);
    http_uninstall(h);
    if (h->fd >= 0) close(h->fd);
    h->fd = -1;
    h->closed = true;
    http_unref(h);
}

/* The holder's body: sleeps until killed, then uninstalls the handler it
 * holds unless a later (handle f) replaced it.  It runs in the process
 * group of whoever called (handle f), so when a node stops the live form
 * that installed the handler (the form changed or was removed), the
 * handler goes with it, as the form's other processes do.
 * Env: [server gen sleep]. */
static gv_val n_http_holder(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)argv;
    gv_val env = gv_closure_env(data);
    gn_caps_http *h = gv_cap_data(gv_vec_nth(env, 0), HTTP_TYPE);
    int64_t gen = gv_vec_nth(env, 1).as.i;
    gv_handler hd;
    if (gv_try(vm, &hd) == 0) {
        while (!h->closed && h->handler_gen == gen) gv_call1(vm, gv_vec_nth(env, 2), gv_d(1e9));
        gv_try_end(vm, &hd);
        return GV_NILV;
    }
    if (!h->closed && h->handler_gen == gen) {
        if (h->handler) gv_ref_free(vm, &h->handler);
        if (h->holder) gv_ref_free(vm, &h->holder); /* this process: no kill needed */
    }
    gv_throw(vm, hd.exc);
}

/* (handle f): installs F as the handler; (handle nil) removes it.  The
 * env is [server sleep]. */
static gv_val n_http_handle(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc;
    gv_val env = gv_closure_env(data);
    gn_caps_http *h = gv_cap_data(gv_vec_nth(env, 0), HTTP_TYPE);
    if (h->closed) cap_fail(vm, "http", "handle", GV_NILV, "http: the server is closed");
    if (argv[0].t != GV_NIL) arg_fn(vm, "http", "handle", argv[0]);
    h->handler_gen++;
    http_uninstall(h);
    if (argv[0].t == GV_NIL) return GV_NILV;
    gv_val henv[3] = {http_cap(vm, h), gv_l(h->handler_gen), gv_vec_nth(env, 1)};
    gv_val body = gv_native_closure(vm, "http/holder", n_http_holder, gv_vec_from(vm, 3, henv), 0, 0);
    gv_val holder = gv_spawn(vm, body);
    h->holder = gv_ref_new(vm, holder);
    h->handler = gv_ref_new(vm, argv[0]);
    return GV_NILV;
}

/* http=PORT: listens on 127.0.0.1:PORT (0: a port the kernel picks). */
static bool build_http(gv_vm *vm, const char *arg, gv_val *out, gn_caps_http **hp, char *err,
                       size_t errlen) {
    if (!arg || !*arg) {
        snprintf(err, errlen, "http needs a port: http=PORT");
        return false;
    }
    long port = 0;
    for (const char *q = arg; *q; q++) {
        if (!isdigit((unsigned char)*q) || port > 65535) { port = -1; break; }
        port = port * 10 + (*q - '0');
    }
    if (port < 0 || port > 65535) {
        snprintf(err, errlen, "http=%s: the port must be a number from 0 to 65535", arg);
        return false;
    }
    if (!hp) {
        snprintf(err, errlen, "http=%s: nobody to poll the listener", arg);
        return false;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "http=%s: cannot make a socket: %s", arg, strerror(errno));
        return false;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t salen = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 64) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &salen) < 0) {
        snprintf(err, errlen, "http=%s: cannot listen on 127.0.0.1:%ld: %s", arg, port,
                 strerror(errno));
        close(fd);
        return false;
    }
    gn_caps_http *h = calloc(1, sizeof *h);
    if (!h) {
        close(fd);
        snprintf(err, errlen, "http=%s: out of memory", arg);
        return false;
    }
    h->vm = vm;
    h->fd = fd;
    h->port = ntohs(sa.sin_port);
    h->refs = 1; /* the caller's (the poller's) */
    h->read_ms = 10000;
    h->handler_ms = 30000;
    static const char *const keys[] = {"handle", "port"};
    gv_val henv[2] = {http_cap(vm, h), core_fn(vm, "sleep")};
    gv_val vals[2] = {gv_native_closure(vm, "http/handle", n_http_handle, gv_vec_from(vm, 2, henv), 1, 1),
                      gv_l(h->port)};
    *out = cap_map(vm, 2, keys, vals);
    *hp = h;
    return true;
}

/* ---- specs ------------------------------------------------------------------ */

static const char KNOWN[] = "log, clock, timer, fs=DIR, http=PORT";

bool gn_caps_build(gv_vm *vm, const char *spec, char *name, size_t namelen, gv_val *out,
                   gn_caps_http **http, char *err, size_t errlen) {
    if (http) *http = NULL;
    const char *eq = strchr(spec, '=');
    size_t n = eq ? (size_t)(eq - spec) : strlen(spec);
    const char *arg = eq ? eq + 1 : NULL;
#define IS(lit) (n == sizeof(lit) - 1 && strncmp(spec, lit, n) == 0)
    bool ok = true;
    if (IS("log") || IS("clock") || IS("timer")) {
        if (arg) {
            snprintf(err, errlen, "%.*s takes no argument: %s", (int)n, spec, spec);
            return false;
        }
        *out = IS("log") ? build_log(vm) : IS("clock") ? build_clock(vm) : build_timer(vm);
    } else if (IS("fs")) {
        ok = build_fs(vm, arg, out, err, errlen);
    } else if (IS("http")) {
        ok = build_http(vm, arg, out, http, err, errlen);
    } else {
        snprintf(err, errlen, "unknown capability: %.*s; known: %s", (int)n, spec, KNOWN);
        return false;
    }
#undef IS
    if (ok) snprintf(name, namelen, "%.*s", (int)n, spec);
    return ok;
}

static double http_poll(gn_node *n, void *data) {
    (void)n;
    return gn_caps_http_poll(data);
}

static void http_free(void *data) {
    gn_caps_http *h = data;
    gn_caps_http_destroy(&h);
}

bool gn_node_cap_std(gn_node *n, const char *spec, char *err, size_t errlen) {
    char name[32];
    gv_val v;
    gn_caps_http *h = NULL;
    if (!gn_caps_build(gn_node_vm(n), spec, name, sizeof name, &v, &h, err, errlen))
        return false;
    gn_node_cap(n, name, v);
    if (h) {
        gn_node_add_poller(n, http_poll, h, http_free);
        fprintf(stderr, "grove: http capability listening on http://127.0.0.1:%d/\n",
                gn_caps_http_port(h));
    }
    return true;
}
