/* node.c — the node runtime: a grove VM that follows a program.
 *
 * The node keeps, per space, the form records the broker sent (snapshot
 * plus deltas, Clone pattern) and, per form id, its deployment state: the
 * effective hash last evaluated (or that failed), the process group of
 * what its evaluation spawned, and its supervised processes.
 *
 * Main design choice: nothing runs on the host's stack.  gn_node_handle
 * only updates records and asks for a replan; gn_node_step starts a
 * *deployment* — one green thread (deploy_main) that reads the changed
 * forms, plans (reconcile.c) and evaluates the needed forms one by one —
 * and runs the scheduler for a bounded slice.  A new program kills the
 * running deployment; the next step plans again from what is done.  So
 * a slow or endless form never freezes the node's loop.
 *
 * Lifetimes: C structures a process may be using (the plan, a supervised
 * process's record, an eval request) are freed only after that process
 * has finished; the host side never frees them while it may resume.
 * Messages produced inside processes go to an outbox that gn_node_step
 * and gn_node_handle hand to the SEND callback on the host's stack.
 *
 * See docs/NODES.md for the user's view and docs/PROTOCOL.md for the wire.
 */
#include "node.h"
#include "node_int.h"
#include "wire.h"

#include <limits.h>
#include <math.h>

#define GN_FLUSH_MS 16.0          /* at most one value per query per 16 ms */
#define GN_OUT_MAX (64 * 1024)    /* bytes of println output per flush */
#define GN_BACKOFF_MIN 100.0      /* supervised restarts: first delay (ms) */
#define GN_BACKOFF_MAX 5000.0
#define GN_BACKOFF_RESET 10000.0  /* ran this long without failing: reset */
#define GN_REQ_AGAIN_MS 1000.0    /* resend a snapshot-req after this */
#define GN_QUERY_IDLE_MS 60000.0  /* forget a query silent this long */
#define GN_ORPHAN_MS 100.0        /* a removed form's processes wait this
                                     long for a successor (see deploy_main) */
#define GN_STEP_CAP_MS 1000.0

/* ---- structures ------------------------------------------------------------ */

typedef struct gn_rec {       /* one form record, as the broker sent it */
    char *id, *text, *hash;
    bool live;
    int line, col;
    double order;
} gn_rec;

typedef struct gn_sup gn_sup;
struct gn_sup {               /* one supervised process of a process map */
    gn_sup *next;
    gn_node *n;
    char *key, *space, *form; /* key: the map key without the colon */
    int line, col;            /* of the form, for faults */
    gv_ref *fn;               /* called as (f caps) */
    gv_ref *proc;             /* the current incarnation (NULL before) */
    uint64_t group;           /* what the incarnation spawns */
    double started;           /* monotonic ms of the last start */
    double backoff;           /* next restart delay */
    double restart_at;        /* monotonic ms, 0: no restart pending */
    bool stopping;
};

typedef struct gn_dep gn_dep;
struct gn_dep {               /* deployment state of one form id */
    gn_dep *next;
    char *id;
    char *ana_hash;           /* the form hash ANA was read from */
    gn_ana ana;
    uint64_t done_eff;        /* effective hash last evaluated, 0: none */
    uint64_t failed_eff;      /* effective hash that last failed, 0: none */
    uint64_t group;           /* processes spawned by its evaluation */
    gn_sup *sups;
    unsigned seen;            /* plan generation that last saw the id */
    double order;             /* where it was last seen */
    int line, col;
    double orphaned_at;       /* removed, still running (monotonic ms), 0: no */
    double orphan_until;      /* stopped then unless a new form takes over */
};

typedef struct gn_space {
    struct gn_space *next;
    char *name, *file, *epoch;
    int64_t seq;
    bool have;                /* a snapshot of a known space was applied */
    bool by_snapshot;         /* the last change came whole, in a snapshot */
    double req_at;            /* when a snapshot-req was last sent */
    gn_rec *recs;             /* sorted by order */
    size_t nrecs, caprecs;
    gn_dep *deps;
} gn_space;

typedef struct gn_pent {      /* a plan's copy of one record */
    gn_space *sp;
    gn_dep *dep;
    char *id, *text, *hash, *file;
    bool live;
    int line, col;
    double order;
    const char *ns;           /* namespace it is evaluated in */
} gn_pent;

typedef struct gn_plan {
    gn_pent *e;
    size_t n;
    size_t *todo;             /* plan entries to evaluate, in order */
    uint64_t *todo_eff;
    size_t ntodo;
} gn_plan;

typedef struct gn_query gn_query;
struct gn_query {             /* the latest value of one ? site */
    gn_query *next;           /* all queries */
    gn_query *hnext;          /* hash chain */
    uint64_t hash;
    char *qid, *space, *form; /* qid NULL: known by position */
    int line, col, fline, fcol;
    int offset;               /* byte offset of the ? in its form's text */
    gv_ref *site;             /* the site vector last looked up (pinned) */
    gv_ref *val, *ctx;
    double time;              /* wall-clock ms of the latest report */
    double last_flush, last_report; /* monotonic ms */
    int64_t count;            /* reports since the last flush */
    bool dirty, printing;
};

typedef struct gn_eval gn_eval;
struct gn_eval {
    gn_eval *next;
    gn_node *n;
    char *req, *code, *ns, *file, *space;
    int line, col;
    gv_ref *proc;
};

typedef struct gn_poller {
    gn_poll_fn poll;
    void *data;
    void (*free_fn)(void *data);
    double wish;              /* its last answer */
} gn_poller;

struct gn_node {
    gv_vm *vm;
    char *id, *session, *context_edn;
    gn_send_fn send;
    void *udata;
    gv_var *v_context, *v_filters, *v_site, *v_caps, *v_file;
    gv_ref *caps;             /* map keyword -> capability */
    char **cap_names;
    size_t ncaps;
    gn_space *spaces;
    bool replan;
    gn_plan *plan;
    gv_ref *deploy;           /* the deployment process */
    unsigned plan_gen;
    uint64_t next_group;
    gn_sup *dying;            /* stopped, waiting for their process to end */
    gn_query *queries;
    gn_query **qtab;
    size_t qcap, nq;
    /* site vector -> query, for the hot path: an entry is valid when its
     * query's pinned site is that very object */
    struct { gv_obj *site; gn_query *q; } qcache[64];
    double wall_offset;       /* wall-clock ms minus monotonic ms */
    double deployed_at;       /* monotonic ms when the last form evaluation began */
    gv_ref *flusher;
    double pruned_at;
    gn_eval *evals;
    gv_buf out;
    size_t out_dropped;
    cJSON **outbox;
    size_t nout, capout;
    gn_poller *pollers;
    size_t npollers;
    struct gn_failure {       /* processes that died by an exception, to report */
        uint64_t group;
        gv_ref *exc;
    } *failed;
    size_t nfailed, capfailed;
};

/* ---- small helpers ------------------------------------------------------------ */

/* Allocation that cannot fail: out of memory aborts, as util.c's buffers
 * do (a node cannot go on without its bookkeeping).  Owner: the caller. */
static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) { fputs("grove: out of memory\n", stderr); abort(); }
    return p;
}

static void *xcalloc(size_t n, size_t sz) {
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (!p) { fputs("grove: out of memory\n", stderr); abort(); }
    return p;
}

static char *xstrdup(const char *s) {
    size_t n = strlen(s ? s : "");
    char *p = xmalloc(n + 1);
    memcpy(p, s ? s : "", n + 1);
    return p;
}

static void set_str(char **dst, const char *s) {
    char *c = xstrdup(s);
    free(*dst);
    *dst = c;
}

static bool str_eq(const char *a, const char *b) {
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* grove.h gives gv_ref no setter; a gv_ref is a gv_ref_node (vm.c) whose
 * value the collector reads, so the node updates it in place. */
static void ref_set(gv_ref *r, gv_val v) { ((gv_ref_node *)(void *)r)->v = v; }

static bool proc_alive(const gv_ref *r) {
    if (!r) return false;
    gv_val p = gv_ref_get(r);
    if (p.t != GV_PROCESS) return false;
    gv_pstate s = GV_AS(gv_proc, p)->state;
    return s != GV_P_DONE && s != GV_P_FAILED;
}

static bool uncatchable(gv_val e) {
    return e.t == GV_EXCEPTION && GV_AS(gv_exception, e)->uncatchable;
}

/* The host's gv_vm_interrupt (C-g in Emacs), as opposed to a kill. */
static bool interrupted(gv_val e) {
    if (!uncatchable(e)) return false;
    gv_val m = GV_AS(gv_exception, e)->msg;
    return m.t == GV_STRING && strcmp(GV_AS(gv_string, m)->data, "Interrupted") == 0;
}

static gv_var *core_var(gv_vm *vm, const char *name) {
    return gv_ns_resolve(vm, vm->core_ns, gv_sym(vm, name));
}

static void var_set_root(gv_var *v, gv_val x) {
    v->root = x;
    v->h.flags |= GV_VAR_BOUND;
}

/* The namespace named NAME, made (referring clojure.core) if new. */
static gv_ns *ns_for(gv_vm *vm, const char *name) {
    gv_symbol *s = gv_sym_intern(vm, NULL, 0, name, strlen(name));
    gv_ns *ns = gv_ns_find(vm, s);
    if (!ns) {
        ns = gv_ns_intern(vm, s);
        gv_ns_refer_all(vm, ns, vm->core_ns);
    }
    return ns;
}

/* ---- the outbox ----------------------------------------------------------------- */

/* Queues MSG (ownership moves to the node) for the SEND callback. */
static void post(gn_node *n, cJSON *msg) {
    if (!msg) return;
    if (n->nout == n->capout) {
        size_t cap = n->capout ? n->capout * 2 : 16;
        cJSON **nb = realloc(n->outbox, cap * sizeof *nb);
        if (!nb) { cJSON_Delete(msg); return; }
        n->outbox = nb;
        n->capout = cap;
    }
    n->outbox[n->nout++] = msg;
}

static void outbox_flush(gn_node *n) {
    /* SEND may not re-enter the node, but be safe if it handles a
     * message that posts: take the current batch first */
    while (n->nout) {
        cJSON **batch = n->outbox;
        size_t nb = n->nout;
        n->outbox = NULL;
        n->nout = n->capout = 0;
        for (size_t i = 0; i < nb; i++) {
            if (n->send) n->send(n->udata, batch[i]);
            cJSON_Delete(batch[i]);
        }
        free(batch);
    }
}

/* A new message of TYPE carrying this node's id and session. */
static cJSON *node_msg(gn_node *n, const char *type) {
    cJSON *m = gw_msg(type);
    if (!m) return NULL;
    cJSON_AddStringToObject(m, "node", n->id);
    cJSON_AddStringToObject(m, "session", n->session);
    return m;
}

/* Splits gv_exception_report's text into the message (header, message,
 * data) and the stack trace.  Both malloc'd, owned by the caller. */
static void split_report(const char *r, char **msg, char **trace) {
    const char *mark = "\ngrove stack trace:\n";
    const char *t = strstr(r, mark);
    size_t mlen = t ? (size_t)(t - r) : strlen(r);
    while (mlen && r[mlen - 1] == '\n') mlen--;
    *msg = xmalloc(mlen + 1);
    memcpy(*msg, r, mlen);
    (*msg)[mlen] = 0;
    /* the trace without the node's own frames (the deployment, eval and
     * process bodies that called the user's code) */
    gv_buf b;
    gv_buf_init(&b);
    for (const char *l = t ? t + strlen(mark) : ""; *l;) {
        const char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l) + 1 : strlen(l);
        if (strncmp(l, "  grove.node/", 13) != 0) gv_buf_put(&b, l, len);
        l += len;
    }
    gv_buf_putc(&b, 0);
    *trace = gv_buf_take(&b);
}

/* Posts a fault for EXC (rooted by the caller).  Runs in a process. */
static void post_fault(gn_node *n, const char *space, const char *form, int line, int col,
                       const char *process, gv_val exc) {
    char *r = gv_exception_report(n->vm, exc);
    char *msg, *trace;
    split_report(r ? r : "Execution error", &msg, &trace);
    free(r);
    cJSON *m = node_msg(n, "fault");
    if (m) {
        cJSON_AddStringToObject(m, "space", space ? space : "");
        cJSON_AddStringToObject(m, "form", form ? form : "");
        cJSON_AddNumberToObject(m, "line", line);
        cJSON_AddNumberToObject(m, "col", col);
        cJSON_AddNumberToObject(m, "offset", 0);
        cJSON_AddStringToObject(m, "message", msg);
        cJSON_AddStringToObject(m, "trace", trace);
        cJSON_AddNumberToObject(m, "time", gw_now_ms());
        if (process) cJSON_AddStringToObject(m, "process", process);
    }
    free(msg);
    free(trace);
    post(n, m);
}

/* ---- output ------------------------------------------------------------------------ */

static void out_cb(gv_vm *vm, const char *bytes, size_t len, void *udata) {
    (void)vm;
    gn_node *n = udata;
    size_t room = n->out.len < GN_OUT_MAX ? GN_OUT_MAX - n->out.len : 0;
    size_t take = len < room ? len : room;
    /* cut on a UTF-8 character boundary */
    if (take < len)
        while (take > 0 && ((unsigned char)bytes[take] & 0xc0) == 0x80) take--;
    if (take) gv_buf_put(&n->out, bytes, take);
    n->out_dropped += len - take;
}

static void flush_out(gn_node *n) {
    if (!n->out.len && !n->out_dropped) return;
    if (n->out_dropped)
        gv_buf_printf(&n->out, "\n[grove: %zu bytes of output dropped]\n", n->out_dropped);
    cJSON *m = node_msg(n, "out");
    if (m) {
        gv_buf_putc(&n->out, 0); /* NUL for cJSON, not counted below */
        n->out.len--;
        cJSON_AddStringToObject(m, "text", n->out.p);
        cJSON_AddNumberToObject(m, "time", gw_now_ms());
    }
    n->out.len = 0;
    n->out_dropped = 0;
    post(n, m);
}

/* ---- spaces and records ----------------------------------------------------------- */

static gn_space *space_find(gn_node *n, const char *name) {
    for (gn_space *s = n->spaces; s; s = s->next)
        if (strcmp(s->name, name) == 0) return s;
    return NULL;
}

/* The space NAME, made if new.  Owner: the node (spaces live as long as
 * it does: a running deployment may point at them). */
static gn_space *space_get(gn_node *n, const char *name) {
    gn_space *s = space_find(n, name);
    if (s) return s;
    s = xcalloc(1, sizeof *s);
    s->name = xstrdup(name);
    /* kept in name order, so deployments visit spaces in a fixed order */
    gn_space **pp = &n->spaces;
    while (*pp && strcmp((*pp)->name, name) < 0) pp = &(*pp)->next;
    s->next = *pp;
    *pp = s;
    return s;
}

static void rec_free(gn_rec *r) {
    free(r->id);
    free(r->text);
    free(r->hash);
}

/* A position field as an int in [1, 1e9] (DFLT when absent or not a
 * number): a peer's numbers are not trusted to fit. */
static int pos_field(const cJSON *o, const char *field, int dflt) {
    double d = gw_num(o, field, dflt);
    if (!(d >= 1)) return 1; /* also NaN */
    return d > 1e9 ? 1000000000 : (int)d;
}

/* Fills R from a form record object.  False when id or text is missing. */
static bool rec_parse(const cJSON *o, gn_rec *r) {
    const char *id = gw_str(o, "id"), *text = gw_str(o, "text");
    if (!id || !text) return false;
    const char *hash = gw_str(o, "hash");
    char hb[17];
    if (!hash) { /* no canonical hash: the text's own */
        snprintf(hb, sizeof hb, "%016llx",
                 (unsigned long long)gn_fnv(GN_FNV_INIT, text, strlen(text)));
        hash = hb;
    }
    r->id = xstrdup(id);
    r->text = xstrdup(text);
    r->hash = xstrdup(hash);
    r->live = gw_bool(o, "live", false);
    r->line = pos_field(o, "line", 1);
    r->col = pos_field(o, "col", 1);
    r->order = gw_num(o, "order", 0);
    if (r->order != r->order) r->order = 0; /* NaN sorts nowhere */
    return true;
}

static bool rec_equal(const gn_rec *a, const gn_rec *b) {
    return strcmp(a->id, b->id) == 0 && strcmp(a->text, b->text) == 0 &&
           strcmp(a->hash, b->hash) == 0 && a->live == b->live && a->line == b->line &&
           a->col == b->col && a->order == b->order;
}

static int rec_cmp(const void *x, const void *y) {
    const gn_rec *a = x, *b = y;
    if (a->order != b->order) return a->order < b->order ? -1 : 1;
    return strcmp(a->id, b->id);
}

static void recs_push(gn_space *s, gn_rec r) {
    if (s->nrecs == s->caprecs) {
        s->caprecs = s->caprecs ? s->caprecs * 2 : 16;
        gn_rec *nr = realloc(s->recs, s->caprecs * sizeof *nr);
        if (!nr) { fputs("grove: out of memory\n", stderr); abort(); }
        s->recs = nr;
    }
    s->recs[s->nrecs++] = r;
}

static gn_rec *rec_find(gn_space *s, const char *id) {
    for (size_t i = 0; i < s->nrecs; i++)
        if (strcmp(s->recs[i].id, id) == 0) return &s->recs[i];
    return NULL;
}

/* ---- deployment state ------------------------------------------------------------- */

/* The deployment state of form ID, made if new (an orphan of that id
 * comes back to life).  Owner: the space; freed only by a deployment
 * (deploy_main), orphans_expire when no deployment runs, or
 * gn_node_destroy. */
static gn_dep *dep_get(gn_space *s, const char *id) {
    for (gn_dep *d = s->deps; d; d = d->next)
        if (strcmp(d->id, id) == 0) {
            d->orphaned_at = 0;
            return d;
        }
    gn_dep *d = xcalloc(1, sizeof *d);
    d->id = xstrdup(id);
    d->next = s->deps;
    s->deps = d;
    return d;
}

static void sup_free(gn_node *n, gn_sup *s, bool vm_alive) {
    if (vm_alive) {
        gv_ref_free(n->vm, &s->fn);
        gv_ref_free(n->vm, &s->proc);
    }
    free(s->key);
    free(s->space);
    free(s->form);
    free(s);
}

/* Stops a supervised process: kills it and what it spawned; its record
 * waits on the dying list until the process has ended. */
static void sup_stop(gn_node *n, gn_sup *s) {
    s->stopping = true;
    s->restart_at = 0;
    gv_sched_kill_group(n->vm, s->group);
    if (s->proc) gv_process_kill(n->vm, gv_ref_get(s->proc));
    s->next = n->dying;
    n->dying = s;
}

/* Stops everything the deployed version of D started. */
static void dep_stop(gn_node *n, gn_dep *d) {
    gv_sched_kill_group(n->vm, d->group);
    d->group = 0;
    while (d->sups) {
        gn_sup *s = d->sups;
        d->sups = s->next;
        sup_stop(n, s);
    }
}

static void dep_free(gn_node *n, gn_dep *d, bool vm_alive) {
    while (d->sups) {
        gn_sup *s = d->sups;
        d->sups = s->next;
        sup_free(n, s, vm_alive);
    }
    gn_ana_clear(&d->ana);
    free(d->ana_hash);
    free(d->id);
    free(d);
}

/* ---- supervised processes ------------------------------------------------------ */

/* The body of one incarnation: (f caps).  A throw is reported as a fault
 * and a restart scheduled with backoff; a kill ends it quietly. */
static gv_val sup_main(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)argv;
    gn_sup *s = data;
    gn_node *n = s->n;
    gv_val *fn = gv_push(vm, gv_ref_get(s->fn));
    gv_val *caps = gv_push(vm, gv_ref_get(n->caps));
    gv_handler h;
    if (gv_try(vm, &h) == 0) {
        gv_call1(vm, *fn, *caps);
        gv_try_end(vm, &h);
        return GV_NILV;
    }
    gv_val *exc = gv_push(vm, h.exc);
    if (uncatchable(*exc) || s->stopping) gv_throw(vm, *exc);
    post_fault(n, s->space, s->form, s->line, s->col, s->key, *exc);
    double now = gw_mono_ms();
    if (now - s->started >= GN_BACKOFF_RESET) s->backoff = GN_BACKOFF_MIN;
    if (!s->stopping) s->restart_at = now + s->backoff;
    s->backoff = fmin(s->backoff * 2, GN_BACKOFF_MAX);
    return GV_NILV;
}

/* Starts an incarnation of S (in or outside a process). */
static void sup_spawn(gn_node *n, gn_sup *s) {
    gv_vm *vm = n->vm;
    gv_val f = gv_native_new(vm, "grove.node/process", sup_main, s, 0, 0);
    gv_val p = gv_spawn(vm, f);
    gv_proc *pp = GV_AS(gv_proc, p);
    pp->group = s->group;
    pp->bindings = GV_NILV;
    gv_val name[2] = {gv_cstr(vm, s->space), gv_kw(vm, s->key)};
    pp->name = gv_vec_from(vm, 2, name);
    if (s->proc) ref_set(s->proc, p);
    else s->proc = gv_ref_new(vm, p);
    s->started = gw_mono_ms();
    s->restart_at = 0;
}

typedef struct pmap_ctx {
    gn_node *n;
    gn_pent *pe;
    bool ok;
} pmap_ctx;

static bool pmap_check(gv_vm *vm, gv_val k, gv_val v, void *c) {
    (void)vm;
    pmap_ctx *p = c;
    if (k.t != GV_KEYWORD || !gv_is_fn(v)) p->ok = false;
    return p->ok;
}

/* Starts one entry of a process map.  The gn_sup is owned by the form's
 * gn_dep, then by the dying list once stopped (freed when its process
 * has ended). */
static bool pmap_start(gv_vm *vm, gv_val k, gv_val v, void *c) {
    pmap_ctx *p = c;
    gn_node *n = p->n;
    gn_sup *s = xcalloc(1, sizeof *s);
    s->n = n;
    gv_symbol *ks = GV_AS(gv_keyword, k)->sym;
    char key[512];
    if (ks->ns) snprintf(key, sizeof key, "%s/%s", ks->ns->data, ks->name->data);
    else snprintf(key, sizeof key, "%s", ks->name->data);
    s->key = xstrdup(key);
    s->space = xstrdup(p->pe->sp->name);
    s->form = xstrdup(p->pe->id);
    s->line = p->pe->line;
    s->col = p->pe->col;
    s->fn = gv_ref_new(vm, v);
    s->group = ++n->next_group;
    s->backoff = GN_BACKOFF_MIN;
    s->next = p->pe->dep->sups;
    p->pe->dep->sups = s;
    sup_spawn(n, s);
    return true;
}

/* A process map: a non-empty map from keywords to functions. */
static bool is_process_map(gn_node *n, gv_val v) {
    if (!gv_is_map(v) || gv_map_count(v) == 0) return false;
    pmap_ctx c = {n, NULL, true};
    gv_map_each(n->vm, v, pmap_check, &c);
    return c.ok;
}

/* ---- queries (? values) ------------------------------------------------------------ */

static const char *site_str(gv_val site, int i) {
    gv_val v = gv_vec_nth(site, i);
    return v.t == GV_STRING ? GV_AS(gv_string, v)->data : NULL;
}

/* A number of the site as an int; a site is data (?report* can be
 * called by hand), so it is clamped to +-1e9 for the arithmetic below. */
static int site_int(gv_val site, int i) {
    gv_val v = gv_vec_nth(site, i);
    if (v.t != GV_LONG) return 0;
    return v.as.i > 1000000000 ? 1000000000 : v.as.i < -1000000000 ? -1000000000 : (int)v.as.i;
}

static uint64_t site_hash(gv_val site) {
    uint64_t h = GN_FNV_INIT;
    for (int i = 0; i < 8; i++) {
        const char *s = (i == 0 || i == 3 || i == 4) ? site_str(site, i) : NULL;
        if (s) h = gn_fnv(h, s, strlen(s) + 1);
        else {
            int x = (i == 0 || i == 3 || i == 4) ? -1 : site_int(site, i);
            h = gn_fnv(h, &x, sizeof x);
        }
    }
    return h;
}

static bool site_is(const gn_query *q, gv_val site) {
    return q->line == site_int(site, 1) && q->col == site_int(site, 2) &&
           q->fline == site_int(site, 5) && q->fcol == site_int(site, 6) &&
           q->offset == site_int(site, 7) &&
           (q->qid == NULL) == (site_str(site, 0) == NULL) && str_eq(q->qid, site_str(site, 0)) &&
           (q->space == NULL) == (site_str(site, 3) == NULL) && str_eq(q->space, site_str(site, 3)) &&
           (q->form == NULL) == (site_str(site, 4) == NULL) && str_eq(q->form, site_str(site, 4));
}

static void qtab_insert(gn_node *n, gn_query *q) {
    size_t i = (size_t)q->hash & (n->qcap - 1);
    q->hnext = n->qtab[i];
    n->qtab[i] = q;
}

static void qtab_grow(gn_node *n) {
    size_t cap = n->qcap ? n->qcap * 2 : 64;
    /* without memory a table that exists stays (fuller); the first one must be */
    gn_query **t = n->qcap ? calloc(cap, sizeof *t) : xcalloc(cap, sizeof *t);
    if (!t) return;
    free(n->qtab);
    n->qtab = t;
    n->qcap = cap;
    for (gn_query *q = n->queries; q; q = q->next) qtab_insert(n, q);
}

static char *opt_dup(const char *s) { return s ? xstrdup(s) : NULL; }

static size_t qcache_slot(gv_obj *o) {
    return (size_t)(((uintptr_t)o >> 4) * 0x9e3779b97f4a7c15ULL >> 58) & 63;
}

/* Remembers that SITE is Q's, pinning it. */
static gn_query *query_cache(gn_node *n, gn_query *q, gv_val site) {
    ref_set(q->site, site);
    size_t i = qcache_slot(GV_OBJ(site));
    n->qcache[i].site = GV_OBJ(site);
    n->qcache[i].q = q;
    return q;
}

/* The query of SITE (a vector core.clj's query-site built), made if new.
 * Owner: the node; freed by queries_prune when no process can hold it. */
static gn_query *query_get(gn_node *n, gv_val site) {
    size_t ci = qcache_slot(GV_OBJ(site));
    gn_query *cq = n->qcache[ci].q;
    if (cq && n->qcache[ci].site == GV_OBJ(site) && GV_OBJ(gv_ref_get(cq->site)) == GV_OBJ(site))
        return cq;
    uint64_t h = site_hash(site);
    if (n->qcap)
        for (gn_query *q = n->qtab[(size_t)h & (n->qcap - 1)]; q; q = q->hnext)
            if (q->hash == h && site_is(q, site)) return query_cache(n, q, site);
    if (n->nq + 1 > n->qcap) qtab_grow(n);
    gn_query *q = xcalloc(1, sizeof *q);
    q->hash = h;
    q->qid = opt_dup(site_str(site, 0));
    q->line = site_int(site, 1);
    q->col = site_int(site, 2);
    q->space = opt_dup(site_str(site, 3));
    q->form = opt_dup(site_str(site, 4));
    q->fline = site_int(site, 5);
    q->fcol = site_int(site, 6);
    q->offset = site_int(site, 7);
    q->site = gv_ref_new(n->vm, GV_NILV);
    q->val = gv_ref_new(n->vm, GV_NILV);
    q->ctx = gv_ref_new(n->vm, GV_NILV);
    q->last_flush = -1e18;
    q->next = n->queries;
    n->queries = q;
    n->nq++;
    qtab_insert(n, q);
    return query_cache(n, q, site);
}

/* The ?'s position now: moved by as much as its form moved since it was
 * expanded (a form that only moved is not evaluated again). */
static void query_pos(gn_node *n, const gn_query *q, int *line, int *col) {
    *line = q->line;
    *col = q->col;
    if (!q->space || !q->form || q->fline <= 0 || q->line <= 0) return;
    gn_space *s = space_find(n, q->space);
    gn_rec *r = s ? rec_find(s, q->form) : NULL;
    if (!r) return;
    /* at most 3e9 in magnitude: computed wide, then clamped */
    long long c = (long long)q->col + r->col - q->fcol, l = (long long)q->line + r->line - q->fline;
    if (q->line == q->fline) *col = c > INT_MAX ? INT_MAX : c < INT_MIN ? INT_MIN : (int)c;
    *line = l > INT_MAX ? INT_MAX : l < INT_MIN ? INT_MIN : (int)l;
}

/* Prints Q's latest value and posts it.  Runs in a process; may yield
 * while printing (a lazy value), so it takes the count first. */
static void query_flush(gn_node *n, gn_query *q) {
    gv_vm *vm = n->vm;
    int64_t take = q->count;
    double time = q->time;
    gv_val *v = gv_push(vm, gv_ref_get(q->val));
    gv_val *c = gv_push(vm, gv_ref_get(q->ctx));
    q->printing = true;
    q->last_flush = gw_mono_ms();
    gv_print_opts o = {true, 100, 10};
    gv_val err = GV_NILV;
    char *vs = gv_print_str(vm, *v, &o, &err);
    if (!vs && uncatchable(err)) {
        /* killed or interrupted while printing: this process stops at its
         * next safe point; the value stays due, for the flusher */
        q->printing = false;
        return;
    }
    if (!vs) {
        gv_push(vm, err);
        gv_val m = err.t == GV_EXCEPTION ? GV_AS(gv_exception, err)->msg : GV_NILV;
        gv_buf b;
        gv_buf_init(&b);
        gv_buf_puts(&b, "#grove/unprintable ");
        gv_print_opts so = {true, -1, -1};
        char *ms = m.t == GV_STRING ? gv_print_str(vm, m, &so, NULL) : NULL;
        gv_buf_puts(&b, ms ? ms : "\"?\"");
        free(ms);
        vs = gv_buf_take(&b);
    }
    char *cs = gv_print_str(vm, *c, &o, NULL);
    q->printing = false;
    q->count -= take;
    q->dirty = q->count > 0;
    if (!q->dirty) { /* nothing newer: drop the value now */
        ref_set(q->val, GV_NILV);
        ref_set(q->ctx, GV_NILV);
    }
    int line, col;
    query_pos(n, q, &line, &col);
    char qid[64];
    if (!q->qid) snprintf(qid, sizeof qid, "%d:%d", line, col);
    cJSON *m = node_msg(n, "value");
    if (m) {
        cJSON_AddStringToObject(m, "space", q->space ? q->space : "");
        cJSON_AddStringToObject(m, "form", q->form ? q->form : "");
        cJSON_AddStringToObject(m, "query", q->qid ? q->qid : qid);
        cJSON_AddNumberToObject(m, "offset", q->offset);
        cJSON_AddNumberToObject(m, "line", line);
        cJSON_AddNumberToObject(m, "col", col);
        cJSON_AddStringToObject(m, "context", cs ? cs : "{}");
        cJSON_AddNumberToObject(m, "time", time);
        cJSON_AddStringToObject(m, "value", vs);
        cJSON_AddNumberToObject(m, "count", (double)take);
    }
    free(vs);
    free(cs);
    post(n, m);
}

/* (?report* site value) on a node: keeps the latest value per query and
 * flushes it at once when the query has been quiet for 16 ms or a form
 * was evaluated since its last flush (later ones are flushed by the
 * flusher process).  Returns VALUE. */
static gv_val n_report(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc;
    gn_node *n = data;
    if (argv[0].t != GV_VECTOR || gv_vec_count(argv[0]) < 8) return argv[1]; /* query-site's 8 */
    if (!gv_is_nil(gv_var_get(vm, n->v_filters)) && !gn_lang_reportable(vm)) return argv[1];
    gv_val ctx = gv_var_get(vm, n->v_context);
    gn_query *q = query_get(n, argv[0]);
    ref_set(q->val, argv[1]);
    ref_set(q->ctx, ctx);
    q->count++;
    double now = gw_mono_ms();
    q->time = now + n->wall_offset;
    q->last_report = now;
    q->dirty = true;
    /* the first report since a form was evaluated goes out at once, so an
     * edit's value never waits for the rate limit meant for loops */
    if (!q->printing && (now - q->last_flush >= GN_FLUSH_MS || q->last_flush < n->deployed_at))
        query_flush(n, q);
    return argv[1];
}

static bool query_due(const gn_query *q, double now) {
    return q->dirty && !q->printing && now - q->last_flush >= GN_FLUSH_MS;
}

/* The flusher process: flushes every due query. */
static gv_val flusher_main(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)vm; (void)argc; (void)argv;
    gn_node *n = data;
    for (gn_query *q = n->queries; q; q = q->next)
        if (query_due(q, gw_mono_ms())) query_flush(n, q);
    return GV_NILV;
}

/* Forgets queries silent for a minute.  Only when no process may hold
 * one (no flusher, none printing). */
static void queries_prune(gn_node *n, double now) {
    if (proc_alive(n->flusher) || now - n->pruned_at < 1000) return;
    n->pruned_at = now;
    bool any = false;
    for (gn_query **pp = &n->queries; *pp;) {
        gn_query *q = *pp;
        if (!q->dirty && !q->printing && now - q->last_report > GN_QUERY_IDLE_MS &&
            now - q->last_flush > GN_QUERY_IDLE_MS) {
            *pp = q->next;
            gv_ref_free(n->vm, &q->site);
            gv_ref_free(n->vm, &q->val);
            gv_ref_free(n->vm, &q->ctx);
            free(q->qid);
            free(q->space);
            free(q->form);
            free(q);
            n->nq--;
            any = true;
        } else {
            pp = &q->next;
        }
    }
    if (any) memset(n->qcache, 0, sizeof n->qcache);
    if (any && n->qcap) {
        memset(n->qtab, 0, n->qcap * sizeof *n->qtab);
        for (gn_query *q = n->queries; q; q = q->next) qtab_insert(n, q);
    }
}

/* ---- the deployment ----------------------------------------------------------------- */

static void plan_free(gn_plan *pl) {
    if (!pl) return;
    for (size_t i = 0; i < pl->n; i++) {
        free(pl->e[i].id);
        free(pl->e[i].text);
        free(pl->e[i].hash);
        free(pl->e[i].file);
    }
    free(pl->e);
    free(pl->todo);
    free(pl->todo_eff);
    free(pl);
}

/* A copy of every known space's records, in space then program order.
 * Owner: the node (n->plan), freed once its deployment has ended. */
static gn_plan *plan_new(gn_node *n) {
    gn_plan *pl = xcalloc(1, sizeof *pl);
    size_t total = 0;
    for (gn_space *s = n->spaces; s; s = s->next)
        if (s->have) total += s->nrecs;
    pl->e = xcalloc(total, sizeof *pl->e);
    pl->todo = xcalloc(total, sizeof *pl->todo);
    pl->todo_eff = xcalloc(total, sizeof *pl->todo_eff);
    for (gn_space *s = n->spaces; s; s = s->next) {
        if (!s->have) continue;
        for (size_t i = 0; i < s->nrecs; i++) {
            gn_pent *e = &pl->e[pl->n++];
            e->sp = s;
            e->id = xstrdup(s->recs[i].id);
            e->text = xstrdup(s->recs[i].text);
            e->hash = xstrdup(s->recs[i].hash);
            e->file = xstrdup(s->file ? s->file : s->name);
            e->live = s->recs[i].live;
            e->line = s->recs[i].line;
            e->col = s->recs[i].col;
            e->order = s->recs[i].order;
        }
    }
    return pl;
}

/* Plans the entries [A, B) of one space: stops what is no longer needed,
 * picks each entry's namespace, and appends what must be evaluated. */
static void plan_space(gn_node *n, gn_plan *pl, size_t a, size_t b) {
    size_t k = b - a;
    gn_graph_in *in = xcalloc(k, sizeof *in);
    uint64_t *eff = xcalloc(k, sizeof *eff);
    bool *needed = xcalloc(k, sizeof *needed);
    size_t *order = xcalloc(k, sizeof *order);
    size_t norder = 0;
    for (size_t i = 0; i < k; i++) {
        gn_pent *e = &pl->e[a + i];
        in[i] = (gn_graph_in){e->id, e->hash, e->live, &e->dep->ana};
    }
    if (!gn_graph_plan(in, k, eff, needed, order, &norder)) {
        /* out of memory: everything live, in program order */
        norder = 0;
        for (size_t i = 0; i < k; i++) {
            needed[i] = in[i].live;
            eff[i] = gn_fnv(GN_FNV_INIT, in[i].hash, strlen(in[i].hash)) | 1;
            if (needed[i]) order[norder++] = i;
        }
    }
    const char *ns = pl->e[a].sp->name;
    for (size_t i = 0; i < k; i++) {
        gn_pent *e = &pl->e[a + i];
        e->ns = ns;
        if (e->dep->ana.ns) ns = e->dep->ana.ns;
        if (!needed[i]) {
            dep_stop(n, e->dep);
            e->dep->done_eff = e->dep->failed_eff = 0;
        }
    }
    for (size_t j = 0; j < norder; j++) {
        size_t i = order[j];
        gn_dep *d = pl->e[a + i].dep;
        if (eff[i] == d->done_eff || eff[i] == d->failed_eff) continue;
        pl->todo[pl->ntodo] = a + i;
        pl->todo_eff[pl->ntodo++] = eff[i];
    }
    free(in);
    free(eff);
    free(needed);
    free(order);
}

/* Evaluates one planned form in the running (deployment) process, with
 * *ns*, *file* and *node-site* bound and a fresh process group, so what
 * it spawns belongs to it.  On success the previous version's processes
 * stop and, for a live form whose value is a process map, the new ones
 * start; on failure a fault is posted and the previous version stays. */
static void deploy_one(gn_node *n, gn_pent *pe, uint64_t eff) {
    gv_vm *vm = n->vm;
    gn_dep *d = pe->dep;
    gv_proc *self = vm->cur;
    gv_val *saved = gv_push(vm, self->bindings);
    gv_val *res = gv_push(vm, GV_NILV);
    gv_ns *ns = ns_for(vm, pe->ns);
    gv_val site[4] = {gv_cstr(vm, pe->sp->name), gv_cstr(vm, pe->id), gv_l(pe->line),
                      gv_l(pe->col)};
    gv_val kv[6] = {gv_objval(vm->v_ns), gv_objval(ns), gv_objval(n->v_site),
                    gv_vec_from(vm, 4, site), gv_objval(n->v_file), gv_cstr(vm, pe->file)};
    self->bindings = gv_map_from(vm, 3, kv);
    uint64_t g = ++n->next_group;
    self->group = g;
    n->deployed_at = gw_mono_ms();
    gv_handler h;
    if (gv_try(vm, &h) == 0) {
        *res = gv_eval_source(vm, pe->text, strlen(pe->text), pe->file, pe->line, pe->col,
                              NULL, NULL);
        gv_try_end(vm, &h);
    } else {
        self->group = 0;
        self->bindings = *saved;
        *res = h.exc;
        gv_sched_kill_group(vm, g);
        /* killed: the deployment stops (a new one follows); interrupted by
         * the host: this form failed, the others go on */
        if (uncatchable(*res) && !interrupted(*res)) gv_throw(vm, *res);
        post_fault(n, pe->sp->name, pe->id, pe->line, pe->col, NULL, *res);
        d->failed_eff = eff;
        return;
    }
    self->group = 0;
    self->bindings = *saved;
    dep_stop(n, d);
    d->group = g;
    d->done_eff = eff;
    d->failed_eff = 0;
    if (pe->live && is_process_map(n, *res)) {
        pmap_ctx c = {n, pe, true};
        gv_map_each(vm, *res, pmap_start, &c);
    }
}

/* Gives each orphan of space S to a form seen in this plan (GEN) that
 * has never run anything and stands where the orphan stood (same order,
 * else same line). */
static void adopt_orphans(gn_node *n, gn_space *s, unsigned gen) {
    (void)n;
    for (gn_dep **pp = &s->deps; *pp;) {
        gn_dep *o = *pp, *heir = NULL;
        if (o->orphaned_at > 0) {
            for (gn_dep *d = s->deps; d; d = d->next) {
                if (d->seen != gen || d->orphaned_at > 0 || d->group || d->sups) continue;
                if (d->order == o->order) { heir = d; break; }
                if (!heir && d->line == o->line) heir = d;
            }
        }
        if (!heir) { pp = &o->next; continue; }
        heir->group = o->group;
        heir->sups = o->sups;
        for (gn_sup *su = heir->sups; su; su = su->next) {
            set_str(&su->form, heir->id);
            su->line = heir->line;
            su->col = heir->col;
        }
        o->group = 0;
        o->sups = NULL;
        *pp = o->next;
        dep_free(n, o, true);
    }
}

/* Stops and frees the orphans of space S whose time is up. */
static void orphans_expire_in(gn_node *n, gn_space *s, double now) {
    for (gn_dep **pp = &s->deps; *pp;) {
        gn_dep *d = *pp;
        if (d->orphaned_at > 0 && now >= d->orphan_until) {
            *pp = d->next;
            dep_stop(n, d);
            dep_free(n, d, true);
        } else {
            pp = &d->next;
        }
    }
}

/* Stops the orphans nobody claimed in time.  Only between deployments
 * (a running one may be walking the lists). */
static void orphans_expire(gn_node *n, double now) {
    if (proc_alive(n->deploy)) return;
    for (gn_space *s = n->spaces; s; s = s->next) orphans_expire_in(n, s, now);
}

/* Points every plan entry at its form's deployment state (made if new)
 * and marks it seen in generation GEN.  One hash index per space, so a
 * large program costs O(N); nothing here can throw or yield. */
static void plan_link(gn_plan *pl, unsigned gen) {
    for (size_t a = 0; a < pl->n;) {
        gn_space *sp = pl->e[a].sp;
        size_t b = a, ndeps = 0;
        while (b < pl->n && pl->e[b].sp == sp) b++;
        for (gn_dep *d = sp->deps; d; d = d->next) ndeps++;
        size_t cap = 16;
        while (cap < 2 * (ndeps + (b - a))) cap *= 2;
        gn_dep **tab = calloc(cap, sizeof *tab);
        for (gn_dep *d = sp->deps; tab && d; d = d->next) {
            size_t h = (size_t)gn_fnv(GN_FNV_INIT, d->id, strlen(d->id)) & (cap - 1);
            while (tab[h]) h = (h + 1) & (cap - 1);
            tab[h] = d;
        }
        for (size_t i = a; i < b; i++) {
            gn_pent *e = &pl->e[i];
            gn_dep *d = NULL;
            size_t h = (size_t)gn_fnv(GN_FNV_INIT, e->id, strlen(e->id)) & (cap - 1);
            if (tab) {
                while (tab[h] && strcmp(tab[h]->id, e->id) != 0) h = (h + 1) & (cap - 1);
                d = tab[h];
            }
            if (d) d->orphaned_at = 0; /* an orphan's id is back */
            else {
                d = dep_get(sp, e->id); /* without an index (no memory): a scan */
                if (tab) tab[h] = d;
            }
            d->seen = gen;
            d->order = e->order;
            d->line = e->line;
            d->col = e->col;
            e->dep = d;
        }
        free(tab);
        a = b;
    }
}

/* The deployment process: analyses, plans, then evaluates. */
static gv_val deploy_main(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)argv;
    gn_node *n = data;
    gn_plan *pl = n->plan;
    unsigned gen = ++n->plan_gen;
    plan_link(pl, gen);
    for (size_t i = 0; i < pl->n; i++) {
        gn_pent *e = &pl->e[i];
        gn_dep *d = e->dep;
        if (!d->ana_hash || strcmp(d->ana_hash, e->hash) != 0) {
            free(d->ana_hash);
            d->ana_hash = NULL;
            gn_ana_read(vm, &d->ana, e->text, e->file, e->line, e->col);
            d->ana_hash = xstrdup(e->hash);
        }
    }
    /* Forms that are gone.  An editor gives a form without a name a new
     * id ("h:HASH") whenever its text changes, so an edit arrives as one
     * form removed and another added, possibly in two deltas.  A removed
     * form that still runs something becomes an orphan for a moment; a
     * new form that takes its place inherits what it runs, so a failing
     * new version keeps the last good one's processes, and a good one
     * replaces them as any redeploy does.  A snapshot brings removal
     * and addition together, so its orphans that nobody claims stop at
     * once; after a delta they wait GN_ORPHAN_MS (orphans_expire). */
    double now = gw_mono_ms();
    for (gn_space *s = n->spaces; s; s = s->next) {
        for (gn_dep **pp = &s->deps; *pp;) {
            gn_dep *d = *pp;
            if (d->seen != gen && !d->group && !d->sups) {
                *pp = d->next;
                dep_free(n, d, true);
                continue;
            }
            if (d->seen != gen && d->orphaned_at == 0) {
                d->orphaned_at = now;
                d->orphan_until = now + (s->by_snapshot ? 0 : GN_ORPHAN_MS);
            }
            pp = &d->next;
        }
        adopt_orphans(n, s, gen);
        orphans_expire_in(n, s, now);
    }
    for (size_t a = 0; a < pl->n;) {
        size_t b = a;
        while (b < pl->n && pl->e[b].sp == pl->e[a].sp) b++;
        plan_space(n, pl, a, b);
        a = b;
    }
    for (size_t k = 0; k < pl->ntodo; k++) deploy_one(n, &pl->e[pl->todo[k]], pl->todo_eff[k]);
    return GV_NILV;
}

static void mark_replan(gn_node *n) {
    n->replan = true;
    if (proc_alive(n->deploy)) gv_process_kill(n->vm, gv_ref_get(n->deploy));
}

/* Starts a deployment when one is wanted and none runs.  True if so. */
static bool deploy_start(gn_node *n) {
    if (!n->replan || proc_alive(n->deploy)) return false;
    n->replan = false;
    plan_free(n->plan);
    n->plan = plan_new(n);
    gv_val f = gv_native_new(n->vm, "grove.node/deploy", deploy_main, n, 0, 0);
    gv_val p = gv_spawn(n->vm, f);
    if (n->deploy) ref_set(n->deploy, p);
    else n->deploy = gv_ref_new(n->vm, p);
    return true;
}

/* ---- messages in ------------------------------------------------------------------- */

static void request_snapshot(gn_node *n, gn_space *s) {
    double now = gw_mono_ms();
    if (s->req_at > 0 && now - s->req_at < GN_REQ_AGAIN_MS) return;
    s->req_at = now;
    cJSON *m = gw_msg("snapshot-req");
    if (m) cJSON_AddStringToObject(m, "space", s->name);
    post(n, m);
}

static void on_snapshot(gn_node *n, const cJSON *msg) {
    const char *space = gw_str(msg, "space");
    if (!space) space = "user";
    /* a broker that never saw the space (e.g. just restarted): keep what
     * runs; the next delta's new epoch brings a real snapshot */
    if (!gw_bool(msg, "known", true)) return;
    gn_space *s = space_get(n, space);
    const char *epoch = gw_str(msg, "epoch");
    double seqd = gw_num(msg, "seq", 0);
    int64_t seq = seqd >= 0 && seqd < 9e15 ? (int64_t)seqd : 0;
    if (s->have && str_eq(s->epoch, epoch) && seq < s->seq) return; /* stale */
    gn_space fresh = {0};
    const cJSON *forms = cJSON_GetObjectItemCaseSensitive(msg, "forms");
    const cJSON *f;
    cJSON_ArrayForEach(f, forms) {
        gn_rec r;
        if (rec_parse(f, &r)) recs_push(&fresh, r);
    }
    if (fresh.nrecs > 1) qsort(fresh.recs, fresh.nrecs, sizeof *fresh.recs, rec_cmp);
    bool same = s->have && fresh.nrecs == s->nrecs;
    for (size_t i = 0; same && i < s->nrecs; i++) same = rec_equal(&fresh.recs[i], &s->recs[i]);
    const char *file = gw_str(msg, "file");
    if (file && !str_eq(file, s->file)) { set_str(&s->file, file); same = false; }
    for (size_t i = 0; i < s->nrecs; i++) rec_free(&s->recs[i]);
    free(s->recs);
    s->recs = fresh.recs;
    s->nrecs = fresh.nrecs;
    s->caprecs = fresh.caprecs;
    set_str(&s->epoch, epoch);
    s->seq = seq;
    s->have = true;
    s->req_at = 0;
    if (!same) {
        s->by_snapshot = true;
        mark_replan(n);
    }
}

static void on_delta(gn_node *n, const cJSON *msg) {
    const char *space = gw_str(msg, "space");
    if (!space) space = "user";
    gn_space *s = space_get(n, space);
    const char *epoch = gw_str(msg, "epoch");
    double seqd = gw_num(msg, "seq", -1);
    int64_t seq = seqd >= 0 && seqd < 9e15 ? (int64_t)seqd : -1;
    if (!s->have || !epoch || !str_eq(s->epoch, epoch) || seq > s->seq + 1) {
        request_snapshot(n, s);
        return;
    }
    if (seq <= s->seq) return; /* already applied */
    s->seq = seq;
    bool changed = false;
    const char *file = gw_str(msg, "file");
    if (file && !str_eq(file, s->file)) { set_str(&s->file, file); changed = true; }
    const cJSON *form = cJSON_GetObjectItemCaseSensitive(msg, "form");
    const char *rm = gw_str(msg, "remove");
    if (cJSON_IsObject(form)) {
        gn_rec r;
        if (rec_parse(form, &r)) {
            gn_rec *old = rec_find(s, r.id);
            if (old && rec_equal(old, &r)) {
                rec_free(&r);
            } else {
                if (old) { rec_free(old); *old = r; }
                else recs_push(s, r);
                qsort(s->recs, s->nrecs, sizeof *s->recs, rec_cmp);
                changed = true;
            }
        }
    } else if (rm) {
        gn_rec *old = rec_find(s, rm);
        if (old) {
            rec_free(old);
            size_t i = (size_t)(old - s->recs);
            memmove(old, old + 1, (s->nrecs - i - 1) * sizeof *old);
            s->nrecs--;
            changed = true;
        }
    }
    if (changed) {
        s->by_snapshot = false;
        mark_replan(n);
    }
}

/* ---- eval requests ----------------------------------------------------------------- */

/* Fills the result M (may be NULL) for the exception EXC (rooted by the
 * caller): status "error" when READ_OR_COMPILE and the code could not be
 * read or compiled ("Syntax error..."), else "exception", with the
 * message and the stack trace. */
static void result_exception(gv_vm *vm, cJSON *m, gv_val exc, bool read_or_compile) {
    char *r = gv_exception_report(vm, exc);
    char *msg, *trace;
    split_report(r ? r : "Execution error", &msg, &trace);
    bool syntax = read_or_compile && r && strncmp(r, "Syntax error", 12) == 0;
    if (m) {
        cJSON_AddStringToObject(m, "status", syntax ? "error" : "exception");
        cJSON_AddStringToObject(m, "message", msg);
        cJSON_AddStringToObject(m, "trace", trace);
    }
    free(r);
    free(msg);
    free(trace);
}

/* The body of an eval request's process: evaluates the code and posts
 * the result. */
static gv_val eval_main(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)argv;
    gn_eval *ev = data;
    gn_node *n = ev->n;
    gv_proc *self = vm->cur;
    gv_val *res = gv_push(vm, GV_NILV);
    gv_ns *ns = ns_for(vm, ev->ns);
    gv_val site[4] = {gv_cstr(vm, ev->space), gv_cstr(vm, "eval"), gv_l(ev->line),
                      gv_l(ev->col)};
    gv_val kv[6] = {gv_objval(vm->v_ns), gv_objval(ns), gv_objval(n->v_site),
                    gv_vec_from(vm, 4, site), gv_objval(n->v_file), gv_cstr(vm, ev->file)};
    self->bindings = gv_map_from(vm, 3, kv);
    cJSON *m = node_msg(n, "result");
    if (m) cJSON_AddStringToObject(m, "req", ev->req);
    gv_handler h;
    if (gv_try(vm, &h) == 0) {
        *res = gv_eval_source(vm, ev->code, strlen(ev->code), ev->file, ev->line, ev->col,
                              NULL, NULL);
        gv_try_end(vm, &h);
    } else {
        *res = h.exc;
        if (uncatchable(*res)) { cJSON_Delete(m); gv_throw(vm, *res); }
        result_exception(vm, m, *res, true);
        post(n, m);
        return GV_NILV;
    }
    gv_print_opts o = {true, 1000, 100};
    gv_val err = GV_NILV;
    char *s = gv_print_str(vm, *res, &o, &err);
    if (s) {
        if (m) {
            cJSON_AddStringToObject(m, "status", "success");
            cJSON_AddStringToObject(m, "value", s);
        }
    } else {
        gv_push(vm, err);
        result_exception(vm, m, err, false); /* printing the value threw */
    }
    free(s);
    post(n, m);
    return GV_NILV;
}

static void eval_free(gn_node *n, gn_eval *ev, bool vm_alive) {
    if (vm_alive) gv_ref_free(n->vm, &ev->proc);
    free(ev->req);
    free(ev->code);
    free(ev->ns);
    free(ev->file);
    free(ev->space);
    free(ev);
}

/* Starts an eval request's process.  The gn_eval is owned by the node
 * and freed (reap) once the process has ended. */
static void on_eval(gn_node *n, const cJSON *msg) {
    const char *req = gw_str(msg, "req"), *code = gw_str(msg, "code");
    if (!req) req = "";
    if (!code) {
        cJSON *m = node_msg(n, "result");
        if (m) {
            cJSON_AddStringToObject(m, "req", req);
            cJSON_AddStringToObject(m, "status", "error");
            cJSON_AddStringToObject(m, "message", "eval without code");
        }
        post(n, m);
        return;
    }
    gn_eval *ev = xcalloc(1, sizeof *ev);
    ev->n = n;
    ev->req = xstrdup(req);
    ev->code = xstrdup(code);
    ev->ns = xstrdup(gw_str(msg, "ns") ? gw_str(msg, "ns") : "user");
    ev->file = xstrdup(gw_str(msg, "file") ? gw_str(msg, "file") : "NO_SOURCE_PATH");
    ev->space = xstrdup(gw_str(msg, "space") ? gw_str(msg, "space") : "user");
    ev->line = pos_field(msg, "line", 1);
    ev->col = pos_field(msg, "col", 1);
    gv_val f = gv_native_new(n->vm, "grove.node/eval", eval_main, ev, 0, 0);
    gv_val p = gv_spawn(n->vm, f);
    GV_AS(gv_proc, p)->group = ++n->next_group;
    ev->proc = gv_ref_new(n->vm, p);
    ev->next = n->evals;
    n->evals = ev;
}

void gn_node_handle(gn_node *n, const cJSON *msg) {
    if (!n || !msg) return;
    const char *type = gw_str(msg, "type");
    if (!type) return;
    if (strcmp(type, "snapshot") == 0) on_snapshot(n, msg);
    else if (strcmp(type, "delta") == 0) on_delta(n, msg);
    else if (strcmp(type, "eval") == 0) on_eval(n, msg);
    else if (strcmp(type, "welcome") == 0) {
        /* a (re)connection: nothing is dropped; snapshots follow, and a
         * pending snapshot-req may be sent again at once */
        for (gn_space *s = n->spaces; s; s = s->next) s->req_at = 0;
    }
    outbox_flush(n);
}

/* ---- the step ------------------------------------------------------------------------ */

/* Frees what ended: stopped supervised processes, finished evals. */
static void reap(gn_node *n) {
    for (gn_sup **pp = &n->dying; *pp;) {
        gn_sup *s = *pp;
        if (!proc_alive(s->proc)) { *pp = s->next; sup_free(n, s, true); }
        else pp = &s->next;
    }
    for (gn_eval **pp = &n->evals; *pp;) {
        gn_eval *ev = *pp;
        if (!proc_alive(ev->proc)) { *pp = ev->next; eval_free(n, ev, true); }
        else pp = &ev->next;
    }
}

/* Restarts the supervised processes whose backoff has passed. */
static void restart_due(gn_node *n, double now) {
    for (gn_space *sp = n->spaces; sp; sp = sp->next)
        for (gn_dep *d = sp->deps; d; d = d->next)
            for (gn_sup *s = d->sups; s; s = s->next)
                if (s->restart_at > 0 && now >= s->restart_at && !proc_alive(s->proc)) {
                    gv_sched_kill_group(n->vm, s->group); /* what it left behind */
                    s->group = ++n->next_group;
                    sup_spawn(n, s);
                }
}

static void flush_start(gn_node *n, double now) {
    if (proc_alive(n->flusher)) return;
    bool due = false;
    for (gn_query *q = n->queries; q && !due; q = q->next) due = query_due(q, now);
    if (!due) return;
    gv_val f = gv_native_new(n->vm, "grove.node/flush", flusher_main, n, 0, 0);
    gv_val p = gv_spawn(n->vm, f);
    if (n->flusher) ref_set(n->flusher, p);
    else n->flusher = gv_ref_new(n->vm, p);
}

static double next_wake(gn_node *n) {
    double now = gw_mono_ms(), w = GN_STEP_CAP_MS;
    double s = gv_sched_next_wake(n->vm);
    if (s >= 0 && s < w) w = s;
    if (n->replan && !proc_alive(n->deploy)) w = 0;
    for (gn_query *q = n->queries; q; q = q->next)
        if (q->dirty && !q->printing) w = fmin(w, fmax(0, q->last_flush + GN_FLUSH_MS - now));
    for (gn_space *sp = n->spaces; sp; sp = sp->next)
        for (gn_dep *d = sp->deps; d; d = d->next) {
            if (d->orphaned_at > 0) w = fmin(w, fmax(0, d->orphan_until - now));
            for (gn_sup *su = d->sups; su; su = su->next)
                if (su->restart_at > 0) w = fmin(w, fmax(0, su->restart_at - now));
        }
    for (size_t i = 0; i < n->npollers; i++)
        if (n->pollers[i].wish >= 0) w = fmin(w, n->pollers[i].wish);
    if (n->nout || n->out.len) w = 0;
    return w < 0 ? 0 : w;
}

/* The scheduler's proc_failed hook: a plain process (spawn, a timer)
 * ended by an exception.  Only records it; report_failures posts it. */
static void on_proc_failed(gv_vm *vm, uint64_t group, gv_val exc, void *udata) {
    gn_node *n = udata;
    if (n->nfailed == n->capfailed) {
        n->capfailed = n->capfailed ? n->capfailed * 2 : 8;
        struct gn_failure *f = realloc(n->failed, n->capfailed * sizeof *f);
        if (!f) abort();
        n->failed = f;
    }
    n->failed[n->nfailed].group = group;
    n->failed[n->nfailed].exc = gv_ref_new(vm, exc);
    n->nfailed++;
}

/* Posts the recorded process failures: as a fault at the form whose
 * evaluation (or supervised process) started the process, else as
 * output, so the editors see every failure. */
static void report_failures(gn_node *n) {
    for (size_t i = 0; i < n->nfailed; i++) {
        uint64_t g = n->failed[i].group;
        gv_val exc = gv_ref_get(n->failed[i].exc);
        bool posted = false;
        for (gn_space *sp = n->spaces; sp && !posted && g; sp = sp->next)
            for (gn_dep *d = sp->deps; d && !posted; d = d->next) {
                const gn_sup *owner = NULL;
                for (gn_sup *su = d->sups; su && !owner; su = su->next)
                    if (su->group == g) owner = su;
                if (d->group != g && !owner) continue;
                post_fault(n, sp->name, d->id, d->line, d->col, owner ? owner->key : NULL, exc);
                posted = true;
            }
        if (!posted) {
            char *r = gv_exception_report(n->vm, exc);
            gv_buf_puts(&n->out, "Exception in a process:\n");
            gv_buf_puts(&n->out, r ? r : "?\n");
            free(r);
        }
        gv_ref_free(n->vm, &n->failed[i].exc);
    }
    n->nfailed = 0;
}

double gn_node_step(gn_node *n, double max_ms) {
    if (!n) return GN_STEP_CAP_MS;
    double end = gw_mono_ms() + (max_ms > 0 ? max_ms : 0);
    n->wall_offset = gw_now_ms() - gw_mono_ms(); /* follows clock changes */
    for (size_t i = 0; i < n->npollers; i++)
        n->pollers[i].wish = n->pollers[i].poll(n, n->pollers[i].data);
    /* a deployment that was killed dies in the first pass; the second
     * starts its successor at once */
    for (int pass = 0; pass < 3; pass++) {
        double now = gw_mono_ms();
        reap(n);
        orphans_expire(n, now);
        deploy_start(n);
        restart_due(n, now);
        flush_start(n, now);
        double left = end - gw_mono_ms();
        gv_sched_step(n->vm, left > 0 ? left : 0);
        if (!(n->replan && !proc_alive(n->deploy)) || gw_mono_ms() >= end) break;
    }
    report_failures(n);
    queries_prune(n, gw_mono_ms());
    flush_out(n);
    outbox_flush(n);
    return next_wake(n);
}

/* ---- creation and the host API -------------------------------------------------- */

typedef struct ctx_build {
    gn_node *n;
    const char *edn;
    gv_val ctx;               /* being built (no collection meanwhile) */
} ctx_build;

/* Adds an entry of the --context map, except :node and :session. */
static bool merge_extra(gv_vm *vm, gv_val k, gv_val v, void *data) {
    ctx_build *c = data;
    if (k.t == GV_KEYWORD && !GV_AS(gv_keyword, k)->sym->ns) {
        const char *nm = GV_AS(gv_keyword, k)->sym->name->data;
        if (strcmp(nm, "node") == 0 || strcmp(nm, "session") == 0) return true;
    }
    c->ctx = gv_map_assoc(vm, c->ctx, k, v);
    return true;
}

static gv_val read_context(gv_vm *vm, int argc, gv_val *argv, void *data) {
    (void)argc; (void)argv;
    ctx_build *c = data;
    gn_node *n = c->n;
    gv_val *m = gv_push(vm, GV_NILV);
    if (c->edn && *c->edn) {
        gv_reader r;
        gv_reader_init(&r, c->edn, strlen(c->edn), "--context", 1, 1);
        gv_val f = GV_NILV;
        if (!gv_reader_read(vm, &r, &f, NULL)) f = GV_NILV;
        if (!gv_is_nil(f) && !gv_is_map(f))
            gv_throwf(vm, "IllegalArgumentException", "the context must be a map, not: %s",
                      gv_type_name(f));
        *m = f;
    }
    gv_val base[4] = {gv_kw(vm, "node"), gv_kw(vm, n->id), gv_kw(vm, "session"),
                      gv_cstr(vm, n->session)};
    c->ctx = gv_map_from(vm, 2, base);
    if (gv_is_map(*m)) gv_map_each(vm, *m, merge_extra, c);
    return c->ctx;
}

gn_node *gn_node_new(const gn_config *cfg, char *err, size_t errlen) {
    if (err && errlen) err[0] = 0;
    gn_node *n = xcalloc(1, sizeof *n);
    n->vm = gv_vm_new();
    if (!n->vm) {
        if (err) snprintf(err, errlen, "could not create the VM");
        free(n);
        return NULL;
    }
    gv_vm *vm = n->vm;
    n->id = xstrdup(cfg && cfg->id && *cfg->id ? cfg->id : "node");
    if (cfg && cfg->session && *cfg->session) n->session = xstrdup(cfg->session);
    else {
        char s[17];
        gw_session_id(s);
        n->session = xstrdup(s);
    }
    n->send = cfg ? cfg->send : NULL;
    n->udata = cfg ? cfg->udata : NULL;
    gv_buf_init(&n->out);
    n->wall_offset = gw_now_ms() - gw_mono_ms();
    n->v_context = core_var(vm, "*node-context*");
    n->v_filters = core_var(vm, "*node-filters*");
    n->v_site = core_var(vm, "*node-site*");
    n->v_caps = core_var(vm, "*node-caps*");
    n->v_file = core_var(vm, "*file*");
    vm->proc_failed = on_proc_failed;
    vm->proc_failed_udata = n;
    gv_var *v_report = core_var(vm, "?report*");
    if (!n->v_context || !n->v_filters || !n->v_site || !n->v_caps || !n->v_file || !v_report) {
        if (err) snprintf(err, errlen, "the core library lacks the node additions");
        gn_node_destroy(&n);
        return NULL;
    }
    ctx_build cb = {n, cfg ? cfg->context_edn : NULL, GV_NILV};
    gv_val ctx;
    gv_val reader = gv_native_new(vm, "grove.node/read-context", read_context, &cb, 0, 0);
    if (gv_pcall(vm, reader, 0, NULL, &ctx) != GV_OK) {
        if (err) {
            char *r = gv_exception_report(vm, ctx);
            char *msg, *trace;
            split_report(r ? r : "bad context", &msg, &trace);
            snprintf(err, errlen, "--context: %s", msg);
            free(r);
            free(msg);
            free(trace);
        }
        gn_node_destroy(&n);
        return NULL;
    }
    var_set_root(n->v_context, ctx);
    gv_print_opts o = {true, -1, -1};
    n->context_edn = gv_print_str(vm, n->v_context->root, &o, NULL);
    if (!n->context_edn) n->context_edn = xstrdup("{}");
    n->caps = gv_ref_new(vm, gv_map_empty(vm));
    var_set_root(n->v_caps, gv_ref_get(n->caps));
    var_set_root(v_report, gv_native_new(vm, "clojure.core/?report*", n_report, n, 2, 2));
    gv_vm_set_out(vm, out_cb, n);
    return n;
}

void gn_node_destroy(gn_node **np) {
    if (!np || !*np) return;
    gn_node *n = *np;
    /* pollers may hold VM values: they go first, while the VM lives */
    for (size_t i = 0; i < n->npollers; i++)
        if (n->pollers[i].free_fn) n->pollers[i].free_fn(n->pollers[i].data);
    free(n->pollers);
    /* the VM frees every gv_ref and ends every process without running it */
    gv_vm_destroy(&n->vm);
    free(n->failed); /* their refs went with the VM */
    while (n->spaces) {
        gn_space *s = n->spaces;
        n->spaces = s->next;
        for (size_t i = 0; i < s->nrecs; i++) rec_free(&s->recs[i]);
        free(s->recs);
        while (s->deps) {
            gn_dep *d = s->deps;
            s->deps = d->next;
            dep_free(n, d, false);
        }
        free(s->name);
        free(s->file);
        free(s->epoch);
        free(s);
    }
    while (n->dying) {
        gn_sup *s = n->dying;
        n->dying = s->next;
        sup_free(n, s, false);
    }
    while (n->evals) {
        gn_eval *ev = n->evals;
        n->evals = ev->next;
        eval_free(n, ev, false);
    }
    while (n->queries) {
        gn_query *q = n->queries;
        n->queries = q->next;
        free(q->qid);
        free(q->space);
        free(q->form);
        free(q);
    }
    free(n->qtab);
    plan_free(n->plan);
    for (size_t i = 0; i < n->nout; i++) cJSON_Delete(n->outbox[i]);
    free(n->outbox);
    for (size_t i = 0; i < n->ncaps; i++) free(n->cap_names[i]);
    free(n->cap_names);
    gv_buf_free(&n->out);
    free(n->id);
    free(n->session);
    free(n->context_edn);
    free(n);
    *np = NULL;
}

gv_vm *gn_node_vm(gn_node *n) { return n ? n->vm : NULL; }

void gn_node_cap(gn_node *n, const char *name, gv_val value) {
    if (!n || !name || !*name) return;
    gv_vm *vm = n->vm;
    gv_val m = gv_map_assoc(vm, gv_ref_get(n->caps), gv_kw(vm, name), value);
    ref_set(n->caps, m);
    var_set_root(n->v_caps, m);
    for (size_t i = 0; i < n->ncaps; i++)
        if (strcmp(n->cap_names[i], name) == 0) return;
    char **nv = realloc(n->cap_names, (n->ncaps + 1) * sizeof *nv);
    if (!nv) return;
    n->cap_names = nv;
    n->cap_names[n->ncaps++] = xstrdup(name);
}

cJSON *gn_node_hello(gn_node *n) {
    cJSON *m = gw_msg("hello");
    if (!m) return NULL;
    cJSON_AddStringToObject(m, "role", "node");
    cJSON_AddStringToObject(m, "id", n->id);
    cJSON_AddStringToObject(m, "session", n->session);
    cJSON *caps = cJSON_AddArrayToObject(m, "caps");
    for (size_t i = 0; caps && i < n->ncaps; i++)
        cJSON_AddItemToArray(caps, cJSON_CreateString(n->cap_names[i]));
    cJSON_AddStringToObject(m, "context", n->context_edn);
    return m;
}

void gn_node_add_poller(gn_node *n, gn_poll_fn poll, void *data, void (*free_fn)(void *data)) {
    if (!n || !poll) return;
    gn_poller *np = realloc(n->pollers, (n->npollers + 1) * sizeof *np);
    if (!np) {
        if (free_fn) free_fn(data);
        return;
    }
    n->pollers = np;
    n->pollers[n->npollers++] = (gn_poller){poll, data, free_fn, -1};
}
