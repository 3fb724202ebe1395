/* client.h — one peer's connection to the broker (gw_client).
 *
 * One DEALER socket for the client's whole life; its routing id is the
 * session id, ZMQ_IMMEDIATE is set (nothing queues while disconnected),
 * and libzmq reconnects by itself with backoff (100 ms doubling to 2 s).
 * The client says hello until the broker answers "welcome", then sends a
 * heartbeat every interval; when the broker is silent for GW_DEAD_BEATS
 * intervals, or answers "unknown-peer", it says hello again.  Heartbeats
 * and welcomes are handled here; everything else goes to the application.
 * Single-threaded: the owner polls gw_client_sock() and calls
 * gw_client_recv() when it is readable and gw_client_tick() when the time
 * it asked for has passed.  Used by `grove node`, the command-line editor
 * and (from its background thread) the Emacs module.
 */
#ifndef GROVE_CLIENT_H
#define GROVE_CLIENT_H

#include <stdbool.h>
#include <czmq.h>
#include "wire.h"

typedef struct gw_client gw_client;

/* Connects to ENDPOINT.  HELLO is the hello message to (re)send (type
 * "hello" with role, id, session, caps, context); the client takes
 * ownership of it.  HEARTBEAT_MS <= 0 means GW_HEARTBEAT_MS.  Returns NULL
 * (with a reason in ERR) when the endpoint is invalid.  Owner: the caller,
 * freed with gw_client_destroy. */
gw_client *gw_client_new(const char *endpoint, cJSON *hello, int heartbeat_ms,
                         char *err, size_t errlen);
void gw_client_destroy(gw_client **cp);

/* The socket to poll for input.  Stable for the client's life. */
zsock_t *gw_client_sock(gw_client *c);

/* Reads one frame (non-blocking).  Heartbeats are consumed; "welcome"
 * marks the client ready and is also returned (so an editor can resend
 * its program and a node can reset its sequence numbers); an
 * "error" with code "unknown-peer" triggers a new hello and returns NULL.
 * Returns an application message owned by the caller, or NULL when there
 * was nothing (more) to hand over.  A frame that fails validation is
 * logged to stderr and dropped. */
cJSON *gw_client_recv(gw_client *c);

/* Sends MSG (not taken; "v" is set if missing).  Returns false when it
 * could not be queued (not connected). */
bool gw_client_send(gw_client *c, const cJSON *msg);

/* Heartbeat and hello bookkeeping.  Returns the milliseconds until it
 * wants to be called again. */
int gw_client_tick(gw_client *c);

/* True between a welcome and the next loss of the broker. */
bool gw_client_ready(const gw_client *c);
/* This connection's session id. */
const char *gw_client_session(const gw_client *c);

#endif
