/* cli_push.c — `grove push`: the command-line editor.
 *
 * An editor peer (hello role "editor", id "push").  After every welcome
 * (the first one, and again after the broker restarted) it sends the
 * whole program with replace:true, so the broker converges whatever it
 * had.  With --watch it polls the file every 100 ms (mtime, size, inode:
 * editors often replace a file by renaming) and sends only the form
 * records that changed or were added, and the ids that went away.  A text
 * that does not split is reported as an :error line and nothing is sent:
 * the last good program stays deployed.  Every value, fault, output and
 * node-joined/left from the broker is printed as one EDN map per line on
 * stdout, flushed at once (other programs read it line by line).
 */
#include "cli.h"
#include "gv.h"
#include "program.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WATCH_MS 100

static const char push_usage[] =
    "Usage: grove push FILE [--broker ENDPOINT] [--space NAME] [--watch] [--for SECONDS]\n"
    "                       [--heartbeat MS]\n";

typedef struct pusher {
    const char *path;
    const char *file;   /* its last path component: the "file" of the push */
    const char *space;
    gw_client *client;
    gp_program sent;    /* the last good program (what the broker should have) */
    bool have;          /* SENT holds a program */
    bool need_full;     /* send the whole program when the client is ready */
    char *last_text;    /* the last text read, to skip rewrites that change nothing */
    struct stat st;     /* of the last read */
    bool st_ok;
} pusher;

/* ---- events ------------------------------------------------------------- */

static bool is_pos_query(const char *q) {
    /* "LINE:COL": a query without a keyword */
    const char *p = q;
    if (!*p) return false;
    while (*p >= '0' && *p <= '9') p++;
    if (p == q || *p != ':') return false;
    const char *c = ++p;
    while (*p >= '0' && *p <= '9') p++;
    return p != c && *p == 0;
}

static void print_num(FILE *f, const cJSON *m, const char *field) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, field);
    if (cJSON_IsNumber(v)) fprintf(f, "%.0f", v->valuedouble);
    else fputs("nil", f);
}

/* Starts an event line: {:type :TYPE, :node :ID, :session "S" (the id
 * from field ID_FIELD of M). */
static void print_head(FILE *f, const char *type, const cJSON *m, const char *id_field) {
    fprintf(f, "{:type :%s, :node ", type);
    cli_edn_kw(f, gw_str(m, id_field));
    fputs(", :session ", f);
    cli_edn_str(f, gw_str(m, "session"));
}

static void print_pos(FILE *f, const cJSON *m) {
    fputs(", :line ", f);
    print_num(f, m, "line");
    fputs(", :col ", f);
    print_num(f, m, "col");
}

/* Prints one event line for M, if it is an event; returns whether it was. */
static bool print_event(const cJSON *m) {
    const char *type = gw_str(m, "type");
    FILE *f = stdout;
    if (strcmp(type, "value") == 0) {
        print_head(f, "value", m, "node");
        fputs(", :query ", f);
        const char *q = gw_str(m, "query");
        if (q && !is_pos_query(q)) cli_edn_kw(f, q);
        else cli_edn_str(f, q);
        print_pos(f, m);
        fputs(", :context ", f);
        cli_edn_raw(f, gw_str(m, "context"));
        fputs(", :value ", f);
        cli_edn_raw(f, gw_str(m, "value"));
        fputs(", :count ", f);
        print_num(f, m, "count");
        fputs(", :time ", f);
        print_num(f, m, "time");
        fputs(", :form ", f);
        cli_edn_str(f, gw_str(m, "form"));
        fputs("}\n", f);
    } else if (strcmp(type, "fault") == 0) {
        print_head(f, "error", m, "node");
        print_pos(f, m);
        fputs(", :message ", f);
        cli_edn_str(f, gw_str(m, "message"));
        fputs(", :trace ", f);
        cli_edn_str(f, gw_str(m, "trace"));
        const char *proc = gw_str(m, "process");
        if (proc) { /* the process map's key, without its colon */
            fputs(", :process ", f);
            cli_edn_kw(f, proc);
        }
        fputs(", :form ", f);
        cli_edn_str(f, gw_str(m, "form"));
        fputs("}\n", f);
    } else if (strcmp(type, "out") == 0) {
        print_head(f, "out", m, "node");
        fputs(", :text ", f);
        cli_edn_str(f, gw_str(m, "text"));
        fputs("}\n", f);
    } else if (strcmp(type, "node-joined") == 0 || strcmp(type, "node-left") == 0) {
        print_head(f, type, m, "id");
        fputs("}\n", f);
    } else {
        return false;
    }
    fflush(f);
    return true;
}

/* The :error line for a file that does not split; ERR is "L:C: reason". */
static void print_split_error(const pusher *p, const char *err) {
    int line = 0, col = 0, k = 0;
    const char *msg = err;
    if (sscanf(err, "%d:%d: %n", &line, &col, &k) == 2 && k > 0) msg = err + k;
    printf("{:type :error, :file ");
    cli_edn_str(stdout, p->file);
    printf(", :line %d, :col %d, :message ", line, col);
    cli_edn_str(stdout, msg);
    printf("}\n");
    fflush(stdout);
}

/* ---- sending ----------------------------------------------------------- */

static cJSON *push_msg(const pusher *p, bool replace) {
    cJSON *m = gw_msg("push");
    if (!m) return NULL;
    cJSON_AddStringToObject(m, "space", p->space);
    cJSON_AddStringToObject(m, "file", p->file);
    if (replace) cJSON_AddBoolToObject(m, "replace", true);
    cJSON_AddArrayToObject(m, "forms");
    return m;
}

static bool send_full(pusher *p) {
    cJSON *m = push_msg(p, true);
    if (!m) return false;
    cJSON *forms = cJSON_GetObjectItemCaseSensitive(m, "forms");
    for (size_t i = 0; i < p->sent.count; i++)
        cJSON_AddItemToArray(forms, gp_form_json(&p->sent.forms[i], (int)i));
    bool ok = gw_client_send(p->client, m);
    cJSON_Delete(m);
    return ok;
}

static bool same_record(const gp_form *a, int ai, const gp_form *b, int bi) {
    return ai == bi && a->live == b->live && a->line == b->line && a->col == b->col &&
           strcmp(a->hash, b->hash) == 0 && strcmp(a->text, b->text) == 0;
}

/* Index of the form with ID in P, trying HINT and its neighbours first
 * (after one insertion or deletion the rest is one place off); -1 when
 * absent. */
static long find_id(const gp_program *p, const char *id, size_t hint) {
    for (size_t k = hint ? hint - 1 : 0; k <= hint + 1 && k < p->count; k++)
        if (strcmp(p->forms[k].id, id) == 0) return (long)k;
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->forms[i].id, id) == 0) return (long)i;
    return -1;
}

/* Makes NP the program: sends what differs from the last one (or the
 * whole of it when none was sent).  Takes NP. */
static void adopt(pusher *p, gp_program *np) {
    if (!p->have || p->need_full) {
        gp_program_free(&p->sent);
        p->sent = *np;
        p->have = true;
        p->need_full = true; /* sent by the loop as soon as the client is ready */
        return;
    }
    cJSON *m = push_msg(p, false);
    cJSON *forms = cJSON_GetObjectItemCaseSensitive(m, "forms");
    cJSON *remove = cJSON_CreateArray();
    size_t changes = 0;
    for (size_t i = 0; i < np->count; i++) {
        long j = find_id(&p->sent, np->forms[i].id, i);
        if (j >= 0 && same_record(&p->sent.forms[j], (int)j, &np->forms[i], (int)i)) continue;
        cJSON_AddItemToArray(forms, gp_form_json(&np->forms[i], (int)i));
        changes++;
    }
    for (size_t j = 0; j < p->sent.count; j++) {
        if (find_id(np, p->sent.forms[j].id, j) >= 0) continue;
        cJSON_AddItemToArray(remove, cJSON_CreateString(p->sent.forms[j].id));
        changes++;
    }
    cJSON_AddItemToObject(m, "remove", remove);
    gp_program_free(&p->sent);
    p->sent = *np;
    if (changes && !(gw_client_ready(p->client) && gw_client_send(p->client, m)))
        p->need_full = true; /* not connected: the next welcome sends it all */
    cJSON_Delete(m);
}

/* Reads and splits the file.  Returns false when it could not be read
 * (reported on stderr). */
static bool load(pusher *p) {
    size_t len;
    struct stat st;
    bool st_ok = stat(p->path, &st) == 0;
    char *text = gv_slurp(p->path, &len);
    if (!text) {
        fprintf(stderr, "grove push: cannot read %s\n", p->path);
        return false;
    }
    p->st = st;
    p->st_ok = st_ok;
    if (p->last_text && strlen(p->last_text) == len && memcmp(p->last_text, text, len) == 0) {
        free(text);
        return true; /* touched, not changed */
    }
    free(p->last_text);
    p->last_text = text;
    gp_program np;
    char err[256];
    if (!gp_split(text, len, &np, err, sizeof err)) {
        print_split_error(p, err);
        return true;
    }
    adopt(p, &np);
    return true;
}

static bool changed_on_disk(const pusher *p) {
    struct stat st;
    if (stat(p->path, &st) != 0) return false; /* being replaced: look again later */
    if (!p->st_ok) return true;
    return st.st_mtim.tv_sec != p->st.st_mtim.tv_sec || st.st_mtim.tv_nsec != p->st.st_mtim.tv_nsec ||
           st.st_size != p->st.st_size || st.st_ino != p->st.st_ino;
}

int cli_push(int argc, char **argv) {
    const char *path = NULL, *broker = NULL, *space = "user", *for_s = NULL, *hb = NULL;
    bool watch = false, bad = false;
    for (int i = 0; i < argc && !bad; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(push_usage, stdout);
            return 0;
        }
        const char *v;
        if ((v = cli_opt("push", argc, argv, &i, "--broker", &bad))) broker = v;
        else if ((v = cli_opt("push", argc, argv, &i, "--space", &bad))) space = v;
        else if ((v = cli_opt("push", argc, argv, &i, "--for", &bad))) for_s = v;
        else if ((v = cli_opt("push", argc, argv, &i, "--heartbeat", &bad))) hb = v;
        else if (bad) break;
        else if (strcmp(argv[i], "--watch") == 0) watch = true;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "grove push: unknown option '%s'\n%s", argv[i], push_usage);
            bad = true;
        } else if (path) {
            fprintf(stderr, "grove push: one FILE only\n%s", push_usage);
            bad = true;
        } else path = argv[i];
    }
    if (!bad && !path) {
        fprintf(stderr, "grove push: missing FILE\n%s", push_usage);
        bad = true;
    }
    if (!bad && !*space) {
        fprintf(stderr, "grove push: --space wants a name\n");
        bad = true;
    }
    double for_ms = -1;
    if (!bad && for_s) {
        char *end;
        double v = strtod(for_s, &end);
        if (*end || !(v >= 0) || v > 1e9) {
            fprintf(stderr, "grove push: --for wants seconds, not '%s'\n", for_s);
            bad = true;
        }
        for_ms = v * 1000;
    }
    int heartbeat = 0;
    if (!bad && hb && (heartbeat = cli_ms(hb)) <= 0) {
        fprintf(stderr, "grove push: --heartbeat wants milliseconds, not '%s'\n", hb);
        bad = true;
    }
    if (bad) return 2;

    cli_signals_init();
    pusher p;
    memset(&p, 0, sizeof p);
    p.path = path;
    const char *slash = strrchr(path, '/');
    p.file = slash ? slash + 1 : path;
    p.space = space;
    char session[17];
    gw_session_id(session);
    cJSON *hello = gw_msg("hello");
    cJSON_AddStringToObject(hello, "role", "editor");
    cJSON_AddStringToObject(hello, "id", "push");
    cJSON_AddStringToObject(hello, "session", session);
    char err[256];
    const char *endpoint = cli_endpoint(broker);
    p.client = gw_client_new(endpoint, hello, heartbeat, err, sizeof err);
    if (!p.client) {
        fprintf(stderr, "grove push: %s\n", err);
        return 2;
    }
    int rc = 0;
    if (!load(&p)) rc = 1;
    else if (!p.have && !watch) rc = 1; /* the error line is printed: nothing to push */
    double start = gw_mono_ms(), next_watch = start + WATCH_MS;
    while (rc == 0 && !cli_stopped()) {
        double now = gw_mono_ms();
        if (for_ms >= 0 && now - start >= for_ms) break;
        if (watch && now >= next_watch) {
            next_watch = now + WATCH_MS;
            if (changed_on_disk(&p)) load(&p);
        }
        if (p.have && p.need_full && gw_client_ready(p.client) && send_full(&p)) p.need_full = false;
        double wait = gw_client_tick(p.client);
        if (watch && next_watch - now < wait) wait = next_watch - now;
        if (for_ms >= 0 && start + for_ms - now < wait) wait = start + for_ms - now;
        if (!cli_wait(p.client, wait > 0 ? (int)ceil(wait) : 0)) continue;
        cJSON *m;
        while ((m = gw_client_recv(p.client))) {
            const char *type = gw_str(m, "type");
            if (strcmp(type, "welcome") == 0) {
                if (p.have) p.need_full = true; /* also after a broker restart */
            } else if (strcmp(type, "error") == 0) {
                const char *code = gw_str(m, "code"), *msg = gw_str(m, "message");
                fprintf(stderr, "grove push: the broker says %s: %s\n", code ? code : "?",
                        msg ? msg : "");
            } else {
                print_event(m);
            }
            cJSON_Delete(m);
        }
    }
    gw_client_destroy(&p.client);
    gp_program_free(&p.sent);
    free(p.last_text);
    return rc;
}
