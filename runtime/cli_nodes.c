/* cli_nodes.c — `grove nodes` and `grove eval`: one question to the
 * broker, one answer, exit.
 *
 * Both say hello as an editor, wait for the welcome, send their request
 * and wait for the answer, all within one deadline: no broker (or no
 * answer) in time is exit status 1 with a message on stderr.
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NODES_TIMEOUT_MS 3000.0

static const char nodes_usage[] = "Usage: grove nodes [--broker ENDPOINT]\n";
static const char eval_usage[] =
    "Usage: grove eval --node ID [--session S] [--broker ENDPOINT] [--timeout SECONDS] EXPR\n";

/* A client for editor ID; NULL (reported on stderr) on failure. */
static gw_client *editor_client(const char *cmd, const char *endpoint, const char *id) {
    cJSON *hello = gw_msg("hello");
    cJSON_AddStringToObject(hello, "role", "editor");
    cJSON_AddStringToObject(hello, "id", id);
    char err[256];
    gw_client *c = gw_client_new(endpoint, hello, 0, err, sizeof err);
    if (!c) fprintf(stderr, "grove %s: %s\n", cmd, err);
    return c;
}

/* Runs C until the deadline: sends REQ after the first welcome and again
 * after a welcome from another broker run (another epoch: that broker
 * never saw the request), and returns the first message of type WANT for
 * which MATCH (may be NULL) is true.  A welcome from the same run (a
 * re-hello after a silence) does not resend: the broker still holds the
 * request and answers to our routing id, so an eval never runs twice.
 * NULL at the deadline or on a signal. */
static cJSON *ask(gw_client *c, const cJSON *req, const char *want, double deadline,
                  bool (*match)(const cJSON *m, void *ctx), void *ctx) {
    char sent_epoch[64] = "";
    bool sent = false;
    while (!cli_stopped()) {
        double now = gw_mono_ms();
        if (now >= deadline) return NULL;
        double wait = gw_client_tick(c);
        if (deadline - now < wait) wait = deadline - now;
        if (!cli_wait(c, (int)ceil(wait))) continue;
        cJSON *m;
        while ((m = gw_client_recv(c))) {
            const char *type = gw_str(m, "type");
            if (strcmp(type, "welcome") == 0) {
                const char *epoch = gw_str(m, "epoch");
                if (!sent || !epoch || strcmp(epoch, sent_epoch) != 0) {
                    sent = gw_client_send(c, req);
                    snprintf(sent_epoch, sizeof sent_epoch, "%s", epoch ? epoch : "");
                }
            } else if (strcmp(type, want) == 0 && (!match || match(m, ctx))) {
                return m;
            } else if (strcmp(type, "error") == 0) {
                const char *code = gw_str(m, "code"), *msg = gw_str(m, "message");
                fprintf(stderr, "grove: the broker says %s: %s\n", code ? code : "?", msg ? msg : "");
            }
            cJSON_Delete(m);
        }
    }
    return NULL;
}

/* ---- grove nodes ------------------------------------------------------- */

typedef struct row {
    char *cols[5];
    const char *id, *session; /* for sorting */
} row;

static int row_cmp(const void *a, const void *b) {
    const row *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : strcmp(x->session, y->session);
}

/* Owner of the result: the caller. */
static char *dup_or(const char *s, const char *dflt) { return strdup(s ? s : dflt); }

static void put_cell(const char *s, size_t width, bool last) {
    if (!s) s = "";
    if (last) printf("%s\n", s);
    else printf("%-*s  ", (int)width, s);
}

static void print_table(const cJSON *nodes) {
    static const char *heads[5] = {"ID", "SESSION", "CONTEXT", "CAPS", "LAST SEEN"};
    int n = cJSON_GetArraySize(nodes), k = 0;
    row *rows = calloc((size_t)n + 1, sizeof *rows);
    if (!rows) return;
    double now = gw_now_ms();
    const cJSON *e;
    cJSON_ArrayForEach(e, nodes) {
        const char *role = gw_str(e, "role"); /* "both" runs code too: a node */
        if (role && strcmp(role, "editor") == 0) continue;
        row *r = &rows[k++];
        r->id = gw_str(e, "id") ? gw_str(e, "id") : "";
        r->session = gw_str(e, "session") ? gw_str(e, "session") : "";
        r->cols[0] = dup_or(r->id, "");
        r->cols[1] = dup_or(r->session, "");
        r->cols[2] = dup_or(gw_str(e, "context"), "{}");
        size_t cl = 1;
        const cJSON *cap;
        const cJSON *caps = cJSON_GetObjectItemCaseSensitive(e, "caps");
        cJSON_ArrayForEach(cap, caps) if (cJSON_IsString(cap)) cl += strlen(cap->valuestring) + 1;
        r->cols[3] = calloc(cl + 1, 1);
        if (r->cols[3]) {
            cJSON_ArrayForEach(cap, caps) {
                if (!cJSON_IsString(cap)) continue;
                if (*r->cols[3]) strcat(r->cols[3], ",");
                strcat(r->cols[3], cap->valuestring);
            }
            if (!*r->cols[3]) strcpy(r->cols[3], "-");
        }
        double seen = gw_num(e, "seen", NAN);
        char buf[48];
        if (isnan(seen)) snprintf(buf, sizeof buf, "?");
        else snprintf(buf, sizeof buf, "%.1fs ago", fmax(0, now - seen) / 1000);
        r->cols[4] = strdup(buf);
    }
    qsort(rows, (size_t)k, sizeof *rows, row_cmp);
    size_t w[5];
    for (int c = 0; c < 5; c++) {
        w[c] = strlen(heads[c]);
        for (int i = 0; i < k; i++)
            if (rows[i].cols[c] && strlen(rows[i].cols[c]) > w[c]) w[c] = strlen(rows[i].cols[c]);
    }
    for (int c = 0; c < 5; c++) put_cell(heads[c], w[c], c == 4);
    for (int i = 0; i < k; i++)
        for (int c = 0; c < 5; c++) put_cell(rows[i].cols[c], w[c], c == 4);
    if (k == 0) printf("(no nodes connected)\n");
    for (int i = 0; i < k; i++)
        for (int c = 0; c < 5; c++) free(rows[i].cols[c]);
    free(rows);
}

int cli_nodes(int argc, char **argv) {
    const char *broker = NULL;
    bool bad = false;
    for (int i = 0; i < argc && !bad; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(nodes_usage, stdout);
            return 0;
        }
        const char *v;
        if ((v = cli_opt("nodes", argc, argv, &i, "--broker", &bad))) broker = v;
        else if (!bad) {
            fprintf(stderr, "grove nodes: unknown argument '%s'\n%s", argv[i], nodes_usage);
            bad = true;
        }
    }
    if (bad) return 2;
    cli_signals_init();
    const char *endpoint = cli_endpoint(broker);
    gw_client *c = editor_client("nodes", endpoint, "nodes");
    if (!c) return 2;
    cJSON *req = gw_msg("nodes");
    cJSON *ans = ask(c, req, "node-list", gw_mono_ms() + NODES_TIMEOUT_MS, NULL, NULL);
    cJSON_Delete(req);
    int rc = 0;
    if (ans) {
        print_table(cJSON_GetObjectItemCaseSensitive(ans, "nodes"));
        cJSON_Delete(ans);
    } else {
        if (!cli_stopped())
            fprintf(stderr, "grove nodes: no answer from a broker at %s within %.0f s\n", endpoint,
                    NODES_TIMEOUT_MS / 1000);
        rc = 1;
    }
    gw_client_destroy(&c);
    return rc;
}

/* ---- grove eval ------------------------------------------------------------ */

static bool same_req(const cJSON *m, void *ctx) {
    const char *req = gw_str(m, "req");
    return req && strcmp(req, ctx) == 0;
}

int cli_eval(int argc, char **argv) {
    const char *node = NULL, *session = NULL, *broker = NULL, *timeout_s = NULL, *expr = NULL;
    bool bad = false;
    for (int i = 0; i < argc && !bad; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(eval_usage, stdout);
            return 0;
        }
        const char *v;
        if ((v = cli_opt("eval", argc, argv, &i, "--node", &bad))) node = v;
        else if ((v = cli_opt("eval", argc, argv, &i, "--session", &bad))) session = v;
        else if ((v = cli_opt("eval", argc, argv, &i, "--broker", &bad))) broker = v;
        else if ((v = cli_opt("eval", argc, argv, &i, "--timeout", &bad))) timeout_s = v;
        else if (bad) break;
        else if (strcmp(argv[i], "--") == 0 && i + 1 < argc && !expr) expr = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1] == '-') {
            fprintf(stderr, "grove eval: unknown option '%s'\n%s", argv[i], eval_usage);
            bad = true;
        } else if (expr) {
            fprintf(stderr, "grove eval: one EXPR only (quote it)\n%s", eval_usage);
            bad = true;
        } else expr = argv[i];
    }
    if (!bad && (!node || !*node)) {
        fprintf(stderr, "grove eval: --node is required\n%s", eval_usage);
        bad = true;
    }
    if (!bad && !expr) {
        fprintf(stderr, "grove eval: missing EXPR\n%s", eval_usage);
        bad = true;
    }
    double timeout_ms = 10000;
    if (!bad && timeout_s) {
        char *end;
        double v = strtod(timeout_s, &end);
        if (*end || !(v > 0) || v > 1e9) {
            fprintf(stderr, "grove eval: --timeout wants seconds, not '%s'\n", timeout_s);
            bad = true;
        }
        timeout_ms = v * 1000;
    }
    if (bad) return 2;
    if (node[0] == ':') node++;

    cli_signals_init();
    double deadline = gw_mono_ms() + timeout_ms;
    const char *endpoint = cli_endpoint(broker);
    gw_client *c = editor_client("eval", endpoint, "eval");
    if (!c) return 2;
    char req_id[17];
    gw_session_id(req_id);
    cJSON *req = gw_msg("eval");
    cJSON_AddStringToObject(req, "req", req_id);
    cJSON_AddStringToObject(req, "node", node);
    if (session) cJSON_AddStringToObject(req, "session", session);
    cJSON_AddStringToObject(req, "code", expr);
    cJSON_AddStringToObject(req, "file", "NO_SOURCE_PATH");
    cJSON_AddNumberToObject(req, "line", 1);
    cJSON_AddNumberToObject(req, "col", 1);
    cJSON *ans = ask(c, req, "result", deadline, same_req, req_id);
    cJSON_Delete(req);
    int rc = 1;
    if (ans) {
        const char *status = gw_str(ans, "status");
        if (status && strcmp(status, "success") == 0) {
            const char *v = gw_str(ans, "value");
            printf("%s\n", v ? v : "nil");
            fflush(stdout);
            rc = 0;
        } else {
            const char *msg = gw_str(ans, "message"), *trace = gw_str(ans, "trace");
            fputs(msg && *msg ? msg : "evaluation failed", stderr);
            if (!(msg && *msg && msg[strlen(msg) - 1] == '\n')) fputc('\n', stderr);
            if (trace && *trace) {
                fputs(trace, stderr);
                if (trace[strlen(trace) - 1] != '\n') fputc('\n', stderr);
            }
        }
        cJSON_Delete(ans);
    } else if (!cli_stopped()) {
        fprintf(stderr, "grove eval: no answer from node %s at %s within %g s\n", node, endpoint,
                timeout_ms / 1000);
    }
    gw_client_destroy(&c);
    return rc;
}
