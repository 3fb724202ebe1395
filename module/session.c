/* session.c — the module's broker connection and editor node (session.h).
 *
 * Threads: the caller's (Emacs's main thread) owns the node, the
 * documents and the inbound side; the background thread owns the
 * gw_client.  Only the two queues, the stop flag and the readiness flag
 * are shared, under MU.  The thread runs with every signal blocked, so
 * Emacs's handlers (SIGINT for C-g in a terminal, SIGCHLD, SIGIO...) keep
 * running on Emacs's own thread and a write to a closed pipe is EPIPE, not
 * a signal.
 *
 * At exit: czmq terminates its context from an atexit hook, which must not
 * find a socket still in use by our thread.  The first session registers
 * an atexit hook of its own after czmq has registered its hook (so ours
 * runs first) that closes every session still open.  That list of open
 * sessions is the module's one piece of global state; it is touched only
 * on the main thread.
 */
#include "session.h"

#include "client.h"
#include "doc.h"
#include "node.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GM_SLICE_MS 2.0          /* C-g is looked at between slices */
#define GM_QUIT_GRACE_MS 5.0     /* after an interrupt: let the node report */
#define GM_INBOX_MAX 100000      /* messages waiting for Emacs: beyond, drop */
#ifndef GM_HELLO_ROLE
#define GM_HELLO_ROLE "both"     /* editor and node (docs/PROTOCOL.md) */
#endif

typedef struct qnode {
    struct qnode *next;
    cJSON *msg;
} qnode;

typedef struct queue {
    qnode *head, *tail;
    size_t n;
} queue;

struct gm_doc {
    gd_doc *doc;         /* NULL once closed */
    gm_session *s;       /* NULL once detached */
    gm_doc *next, *prev; /* in S's list */
};

struct gm_session {
    bool closed;
    gn_node *node;
    gw_client *client;   /* the thread's once it runs */
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t mu;
    queue in, out;       /* under MU */
    bool stop;           /* under MU */
    bool ready;          /* under MU: the thread's view of the client */
    int wake_r, wake_w;  /* main -> thread */
    int chan;            /* thread -> Emacs (open_channel), or -1 */
    gm_doc *docs;
    gm_session *next_open;
};

static gm_session *open_sessions; /* main thread only */
static bool atexit_done;

/* ---- queues ------------------------------------------------------------------ */

/* Appends MSG (taken).  Returns whether the queue was empty before; false
 * also when the message could not be queued (it is freed). */
static bool q_push(queue *q, cJSON *msg, bool *was_empty) {
    *was_empty = q->n == 0;
    qnode *n = malloc(sizeof *n);
    if (!n) {
        cJSON_Delete(msg);
        return false;
    }
    n->next = NULL;
    n->msg = msg;
    if (q->tail) q->tail->next = n;
    else q->head = n;
    q->tail = n;
    q->n++;
    return true;
}

static qnode *q_take(queue *q) {
    qnode *h = q->head;
    q->head = q->tail = NULL;
    q->n = 0;
    return h;
}

static void q_free_list(qnode *h) {
    while (h) {
        qnode *nx = h->next;
        cJSON_Delete(h->msg);
        free(h);
        h = nx;
    }
}

static void poke(int fd) {
    if (fd < 0) return;
    char b = '\n';
    ssize_t r;
    do r = write(fd, &b, 1);
    while (r < 0 && errno == EINTR);
    /* EAGAIN: a wake-up is already pending; EPIPE: nobody listens */
}

static void drain_fd(int fd) {
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0) {}
}

/* ---- the background thread ----------------------------------------------- */

static cJSON *connection_msg(bool ready) {
    cJSON *m = gw_msg("connection");
    if (m) cJSON_AddStringToObject(m, "state", ready ? "connected" : "disconnected");
    return m;
}

/* Queues MSG (taken) for Emacs; wakes Emacs when the queue was empty. */
static void to_emacs(gm_session *s, cJSON *msg) {
    if (!msg) return;
    bool was_empty = false, ok;
    pthread_mutex_lock(&s->mu);
    if (s->in.n >= GM_INBOX_MAX) {
        cJSON_Delete(msg); /* Emacs is not draining: drop rather than grow */
        ok = false;
    } else {
        ok = q_push(&s->in, msg, &was_empty);
    }
    pthread_mutex_unlock(&s->mu);
    if (ok && was_empty) poke(s->chan);
}

static void note_ready(gm_session *s, bool *was) {
    bool now = gw_client_ready(s->client);
    if (now == *was) return;
    *was = now;
    pthread_mutex_lock(&s->mu);
    s->ready = now;
    pthread_mutex_unlock(&s->mu);
    to_emacs(s, connection_msg(now));
}

/* A request that could not go out: an eval gets its answer at once. */
static void unsent(gm_session *s, const cJSON *msg) {
    const char *type = gw_str(msg, "type");
    if (!type || strcmp(type, "eval") != 0) return;
    cJSON *r = gw_msg("result");
    if (!r) return;
    cJSON_AddStringToObject(r, "req", gw_str(msg, "req") ? gw_str(msg, "req") : "");
    cJSON_AddStringToObject(r, "status", "error");
    cJSON_AddStringToObject(r, "message", "not connected to the broker");
    cJSON_AddStringToObject(r, "node", gw_str(msg, "node") ? gw_str(msg, "node") : "");
    cJSON_AddStringToObject(r, "session", "");
    to_emacs(s, r);
}

static void send_out(gm_session *s) {
    pthread_mutex_lock(&s->mu);
    qnode *h = q_take(&s->out);
    pthread_mutex_unlock(&s->mu);
    for (qnode *n = h; n; n = n->next)
        if (!gw_client_send(s->client, n->msg)) unsent(s, n->msg);
    q_free_list(h);
}

static void *thread_main(void *arg) {
    gm_session *s = arg;
    bool was_ready = false;
    zmq_pollitem_t items[2] = {
        {zsock_resolve(gw_client_sock(s->client)), 0, ZMQ_POLLIN, 0},
        {NULL, s->wake_r, ZMQ_POLLIN, 0},
    };
    for (;;) {
        int wait = gw_client_tick(s->client);
        note_ready(s, &was_ready);
        send_out(s);
        pthread_mutex_lock(&s->mu);
        bool stop = s->stop;
        pthread_mutex_unlock(&s->mu);
        if (stop) break;
        if (zmq_poll(items, 2, wait) < 0 && zmq_errno() != EINTR) break;
        if (items[1].revents) drain_fd(s->wake_r);
        cJSON *m;
        while ((m = gw_client_recv(s->client))) {
            note_ready(s, &was_ready); /* "connected" before the welcome */
            to_emacs(s, m);
        }
        note_ready(s, &was_ready);
    }
    gw_client_destroy(&s->client);
    return NULL;
}

/* ---- the editor node's output ------------------------------------------------ */

static void queue_out(gm_session *s, cJSON *msg) {
    if (!msg) return;
    bool was_empty = false, ok;
    pthread_mutex_lock(&s->mu);
    ok = q_push(&s->out, msg, &was_empty);
    pthread_mutex_unlock(&s->mu);
    if (ok && was_empty) poke(s->wake_w);
}

static void node_send(void *udata, const cJSON *msg) {
    queue_out(udata, cJSON_Duplicate(msg, true));
}

/* ---- open and close ------------------------------------------------------------ */

static void close_all_at_exit(void) {
    while (open_sessions) gm_session_close(open_sessions);
}

static void unlink_open(gm_session *s) {
    for (gm_session **pp = &open_sessions; *pp; pp = &(*pp)->next_open)
        if (*pp == s) {
            *pp = s->next_open;
            break;
        }
}

static bool make_pipe(int fds[2]) {
    if (pipe(fds) != 0) return false;
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    return true;
}

/* Owner of the result: the caller (gm_session_free). */
gm_session *gm_session_new(const char *endpoint, const char *node_id, const char *context_edn,
                           int chan, char *err, size_t errlen) {
    gm_session *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        if (chan >= 0) close(chan);
        return NULL;
    }
    s->chan = chan;
    s->wake_r = s->wake_w = -1;
    pthread_mutex_init(&s->mu, NULL);
    s->closed = true; /* until everything is up: gm_session_free cleans */
    int fds[2];
    if (!make_pipe(fds)) {
        snprintf(err, errlen, "cannot make a pipe: %s", strerror(errno));
        gm_session_free(&s);
        return NULL;
    }
    s->wake_r = fds[0];
    s->wake_w = fds[1];

    char sid[17];
    gw_session_id(sid);
    gn_config cfg = {node_id && *node_id ? node_id : "editor", sid, context_edn, node_send, s};
    char nerr[256];
    s->node = gn_node_new(&cfg, nerr, sizeof nerr);
    if (!s->node) {
        snprintf(err, errlen, "cannot make the editor node: %s", nerr);
        gm_session_free(&s);
        return NULL;
    }
    static const char *const caps[] = {"log", "clock", "timer"};
    for (size_t i = 0; i < sizeof caps / sizeof *caps; i++)
        gn_node_cap_std(s->node, caps[i], nerr, sizeof nerr);
    cJSON *hello = gn_node_hello(s->node);
    if (hello) {
        cJSON_DeleteItemFromObjectCaseSensitive(hello, "role");
        cJSON_AddStringToObject(hello, "role", GM_HELLO_ROLE);
    }

    /* the first socket makes czmq's context (and its I/O threads): no
     * signals for them or for our thread */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    s->client = gw_client_new(endpoint, hello, 0, nerr, sizeof nerr);
    int rc = s->client ? pthread_create(&s->thread, NULL, thread_main, s) : 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!s->client) {
        snprintf(err, errlen, "cannot connect to %s: %s", endpoint ? endpoint : "(null)", nerr);
        gm_session_free(&s);
        return NULL;
    }
    if (!atexit_done) { /* after czmq's own hook: ours runs first */
        atexit(close_all_at_exit);
        atexit_done = true;
    }
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the session thread: %s", strerror(rc));
        gw_client_destroy(&s->client);
        gm_session_free(&s);
        return NULL;
    }
    s->thread_started = true;
    s->closed = false;
    s->next_open = open_sessions;
    open_sessions = s;
    return s;
}

bool gm_session_closed(const gm_session *s) { return s->closed; }

void gm_session_close(gm_session *s) {
    if (!s) return;
    unlink_open(s);
    /* the node first: what it says on the way out still goes */
    gn_node_destroy(&s->node);
    if (s->thread_started) {
        pthread_mutex_lock(&s->mu);
        s->stop = true;
        pthread_mutex_unlock(&s->mu);
        poke(s->wake_w);
        pthread_join(s->thread, NULL);
        s->thread_started = false;
    }
    gw_client_destroy(&s->client); /* when the thread never ran */
    int *fds[] = {&s->wake_r, &s->wake_w, &s->chan};
    for (size_t i = 0; i < 3; i++)
        if (*fds[i] >= 0) {
            close(*fds[i]);
            *fds[i] = -1;
        }
    q_free_list(q_take(&s->in));
    q_free_list(q_take(&s->out));
    while (s->docs) {
        gm_doc *d = s->docs;
        s->docs = d->next;
        d->s = NULL;
        d->next = d->prev = NULL;
    }
    s->closed = true;
}

void gm_session_free(gm_session **sp) {
    if (!sp || !*sp) return;
    gm_session *s = *sp;
    gm_session_close(s);
    pthread_mutex_destroy(&s->mu);
    free(s);
    *sp = NULL;
}

bool gm_session_ready(gm_session *s) {
    pthread_mutex_lock(&s->mu);
    bool r = s->ready;
    pthread_mutex_unlock(&s->mu);
    return r;
}

void gm_session_send(gm_session *s, cJSON *msg) {
    if (!s || s->closed) {
        cJSON_Delete(msg);
        return;
    }
    queue_out(s, msg);
}

/* ---- the main side -------------------------------------------------------------- */

static void push_docs(gm_session *s) {
    for (gm_doc *d = s->docs; d; d = d->next) {
        if (!d->doc) continue;
        cJSON *p = gd_doc_push_all(d->doc);
        if (p) queue_out(s, p);
    }
}

void gm_strings_free(char **v, size_t n) {
    for (size_t i = 0; v && i < n; i++) free(v[i]);
    free(v);
}

/* Owner of the result: the caller (gm_strings_free). */
char **gm_session_drain(gm_session *s, size_t *n) {
    *n = 0;
    if (s->closed) return NULL;
    pthread_mutex_lock(&s->mu);
    qnode *h = q_take(&s->in);
    pthread_mutex_unlock(&s->mu);
    size_t cnt = 0;
    for (qnode *q = h; q; q = q->next) cnt++;
    char **out = cnt ? calloc(cnt, sizeof *out) : NULL;
    for (qnode *q = h; q; q = q->next) {
        const char *type = gw_str(q->msg, "type");
        if (!type) continue;
        if (strcmp(type, "snapshot") == 0 || strcmp(type, "delta") == 0 ||
            strcmp(type, "eval") == 0) {
            gn_node_handle(s->node, q->msg);
            continue;
        }
        if (strcmp(type, "welcome") == 0) {
            gn_node_handle(s->node, q->msg);
            push_docs(s);
        }
        if (!out) continue; /* out of memory: the messages are lost */
        char *txt = gw_encode(q->msg, NULL);
        if (txt) out[(*n)++] = txt;
    }
    q_free_list(h);
    if (out && *n == 0) {
        free(out);
        out = NULL;
    }
    return out;
}

double gm_session_step(gm_session *s, double budget_ms, bool (*quit)(void *qdata), void *qdata,
                       bool *interrupted) {
    *interrupted = false;
    if (s->closed) return 1000;
    if (!(budget_ms >= 0)) budget_ms = 0;
    double end = gw_mono_ms() + budget_ms;
    double w;
    for (;;) {
        double left = end - gw_mono_ms();
        w = gn_node_step(s->node, left < GM_SLICE_MS ? (left > 0 ? left : 0) : GM_SLICE_MS);
        if (w <= 0 && quit && quit(qdata)) {
            gv_vm_interrupt(gn_node_vm(s->node));
            w = gn_node_step(s->node, GM_QUIT_GRACE_MS);
            *interrupted = true;
            break;
        }
        if (w > 0 || gw_mono_ms() >= end) break;
    }
    return w;
}

/* ---- documents ------------------------------------------------------------------------ */

/* Owner of the result: the caller (gm_doc_free). */
gm_doc *gm_doc_new(gm_session *s, const char *space, const char *file, char *err, size_t errlen) {
    gm_doc *d = calloc(1, sizeof *d);
    if (d) d->doc = gd_doc_new(space, file);
    if (!d || !d->doc) {
        free(d);
        snprintf(err, errlen, "cannot make a document (out of memory, or the grammar does not load)");
        return NULL;
    }
    d->s = s;
    d->next = s->docs;
    if (s->docs) s->docs->prev = d;
    s->docs = d;
    return d;
}

static void doc_unlink(gm_doc *d) {
    if (!d->s) return;
    if (d->prev) d->prev->next = d->next;
    else d->s->docs = d->next;
    if (d->next) d->next->prev = d->prev;
    d->next = d->prev = NULL;
    d->s = NULL;
}

void gm_doc_close(gm_doc *d) {
    if (!d) return;
    doc_unlink(d);
    gd_doc_destroy(&d->doc);
}

bool gm_doc_closed(const gm_doc *d) { return d->doc == NULL; }
bool gm_doc_attached(const gm_doc *d) { return d->s != NULL && !d->s->closed; }

void gm_doc_free(gm_doc **dp) {
    if (!dp || !*dp) return;
    gm_doc_close(*dp);
    free(*dp);
    *dp = NULL;
}

bool gm_doc_reset(gm_doc *d, const char *text, size_t len, char *err, size_t errlen) {
    cJSON *p = gd_doc_reset(d->doc, text, len);
    if (!p) {
        snprintf(err, errlen, "out of memory (or a text over 1 GiB) while parsing the buffer");
        return false;
    }
    gm_session_send(d->s, p);
    return true;
}

bool gm_doc_edit(gm_doc *d, long beg, long end, long old_len, const char *text, size_t len,
                 char *err, size_t errlen) {
    cJSON *p = NULL;
    if (!gd_doc_edit(d->doc, beg, end, old_len, text, len, &p, err, errlen)) return false;
    if (p) gm_session_send(d->s, p);
    return true;
}

struct gd_doc *gm_doc_gd(gm_doc *d) { return d->doc; }
