/* cli_node.c — `grove node`: a headless node (node.h) on a broker
 * connection (client.h).
 *
 * One thread, one loop: run the node for a bounded slice, do the client's
 * heartbeat bookkeeping, then wait on the socket for as long as both are
 * idle (the smaller of the two wishes), hand every message received to
 * the node.  The node's outgoing messages go straight to the client from
 * its send callback; while the broker is away they are dropped (values
 * are reported again as the node keeps running).  SIGINT/SIGTERM end the
 * loop and the process exits 0.
 */
#include "cli.h"
#include "node.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STEP_MS 20.0 /* most time user code runs before messages are read */

static const char node_usage[] =
    "Usage: grove node --id ID [--broker ENDPOINT] [--context EDN] [--cap NAME[=ARG]]...\n"
    "                  [--heartbeat MS]\n";

typedef struct node_ctx {
    gw_client *client; /* NULL until connected */
} node_ctx;

static void node_send(void *udata, const cJSON *msg) {
    node_ctx *x = udata;
    if (x->client) gw_client_send(x->client, msg);
}

int cli_node(int argc, char **argv) {
    const char *id = NULL, *broker = NULL, *context = NULL, *hb = NULL;
    const char **caps = calloc((size_t)argc + 1, sizeof *caps);
    int ncaps = 0;
    bool bad = caps == NULL;
    for (int i = 0; i < argc && !bad; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(node_usage, stdout);
            free(caps);
            return 0;
        }
        const char *v;
        if ((v = cli_opt("node", argc, argv, &i, "--id", &bad))) id = v;
        else if ((v = cli_opt("node", argc, argv, &i, "--broker", &bad))) broker = v;
        else if ((v = cli_opt("node", argc, argv, &i, "--context", &bad))) context = v;
        else if ((v = cli_opt("node", argc, argv, &i, "--cap", &bad))) caps[ncaps++] = v;
        else if ((v = cli_opt("node", argc, argv, &i, "--heartbeat", &bad))) hb = v;
        else if (!bad) {
            fprintf(stderr, "grove node: unknown argument '%s'\n%s", argv[i], node_usage);
            bad = true;
        }
    }
    if (!bad && (!id || !*id || strcmp(id, ":") == 0)) {
        fprintf(stderr, "grove node: --id is required\n%s", node_usage);
        bad = true;
    }
    if (!bad && !cli_kw_name_ok(id[0] == ':' ? id + 1 : id)) {
        fprintf(stderr, "grove node: --id '%s' is not a keyword name (no spaces or brackets)\n",
                id);
        bad = true;
    }
    int heartbeat = 0;
    if (!bad && hb && (heartbeat = cli_ms(hb)) <= 0) {
        fprintf(stderr, "grove node: --heartbeat wants milliseconds, not '%s'\n", hb);
        bad = true;
    }
    if (bad) { free(caps); return 2; }
    if (id[0] == ':') id++; /* ":alpha" and "alpha" name the same node */

    cli_signals_init();
    const char *endpoint = cli_endpoint(broker);
    char session[17];
    gw_session_id(session);
    node_ctx x = {NULL};
    gn_config cfg = {id, session, context, node_send, &x};
    char err[256];
    gn_node *n = gn_node_new(&cfg, err, sizeof err);
    if (!n) {
        fprintf(stderr, "grove node: %s\n", err);
        free(caps);
        return 2;
    }
    for (int i = 0; i < ncaps; i++) {
        if (!gn_node_cap_std(n, caps[i], err, sizeof err)) {
            fprintf(stderr, "grove node: --cap %s: %s\n", caps[i], err);
            gn_node_destroy(&n);
            free(caps);
            return 2;
        }
    }
    free(caps);
    gw_client *c = gw_client_new(endpoint, gn_node_hello(n), heartbeat, err, sizeof err);
    if (!c) {
        fprintf(stderr, "grove node: %s\n", err);
        gn_node_destroy(&n);
        return 2;
    }
    x.client = c;
    fprintf(stderr, "grove node %s (session %s) connecting to %s\n", id, session, endpoint);
    int welcomes = 0;
    while (!cli_stopped()) {
        double ws = gn_node_step(n, STEP_MS);
        int wc = gw_client_tick(c);
        double wait = ws < wc ? ws : wc;
        if (cli_stopped()) break;
        if (cli_wait(c, wait > 0 ? (int)ceil(wait) : 0) || wait <= 0) {
            cJSON *msg;
            while ((msg = gw_client_recv(c))) {
                const char *type = gw_str(msg, "type");
                if (type && strcmp(type, "welcome") == 0)
                    fprintf(stderr, "grove node %s (session %s) %s to %s\n", id, session,
                            welcomes++ ? "reconnected" : "connected", endpoint);
                gn_node_handle(n, msg);
                cJSON_Delete(msg);
            }
        }
    }
    fprintf(stderr, "grove node %s (session %s) stopped\n", id, session);
    x.client = NULL;
    gw_client_destroy(&c);
    gn_node_destroy(&n);
    return 0;
}
