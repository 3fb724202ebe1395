/* node.h — the node runtime (gn_): a grove VM that follows a program.
 *
 * Transport-free: the node is fed decoded wire messages (snapshot, delta,
 * eval, welcome) with gn_node_handle() and emits its own (value, error,
 * out, result, snapshot-req) through the SEND callback; whoever owns the
 * node (the `grove node` loop, the Emacs module) moves them over a
 * gw_client.  The node reconciles its state with the program: live forms
 * are evaluated in program order and re-evaluated when their text or a
 * definition they use changes; process maps become supervised processes;
 * `?` values are coalesced per query.  See docs/PROTOCOL.md and
 * docs/NODES.md.
 */
#ifndef GROVE_NODE_H
#define GROVE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "grove.h"

/* Called with each message the node wants sent.  MSG is borrowed: valid
 * only during the call (copy or encode it). */
typedef void (*gn_send_fn)(void *udata, const cJSON *msg);

typedef struct gn_config {
    const char *id;          /* node id without the colon, e.g. "alpha" */
    const char *session;     /* this connection's session id */
    const char *context_edn; /* extra context map as EDN text, or NULL */
    gn_send_fn send;
    void *udata;
} gn_config;

/* Makes a node with its own VM.  Returns NULL with a reason in ERR when
 * CONTEXT_EDN is not a map.  Owner: the caller (gn_node_destroy). */
gn_node *gn_node_new(const gn_config *cfg, char *err, size_t errlen);
void gn_node_destroy(gn_node **np);

/* Offers one of the standard capabilities by its command-line spec:
 * "log", "clock", "timer", "fs=DIR", "http=PORT".  Returns false with a
 * reason in ERR for an unknown name or a bad argument (caps.c). */
bool gn_node_cap_std(gn_node *n, const char *spec, char *err, size_t errlen);

/* The hello message for this node (role "node", id, session, caps,
 * context).  Owner: the caller. */
cJSON *gn_node_hello(gn_node *n);

/* Handles one incoming message: "welcome", "snapshot", "delta", "eval".
 * Other types are ignored.  Never runs user code to completion here: it
 * plans; gn_node_step runs. */
void gn_node_handle(gn_node *n, const cJSON *msg);

/* Runs deployments, processes, supervisors and due value reports for at
 * most MAX_MS milliseconds.  Returns the milliseconds until it wants to
 * run again (0: at once; capped at 1000). */
double gn_node_step(gn_node *n, double max_ms);

/* A host hook run at every gn_node_step (capabilities that watch a file
 * descriptor, e.g. the http capability, poll it here without blocking).
 * POLL returns the milliseconds until it wants to run again (-1: no
 * wish).  FREE_FN (may be NULL) frees DATA when the node is destroyed. */
typedef double (*gn_poll_fn)(gn_node *n, void *data);
void gn_node_add_poller(gn_node *n, gn_poll_fn poll, void *data,
                        void (*free_fn)(void *data));

#endif
