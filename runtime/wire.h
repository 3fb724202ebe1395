/* wire.h — grove's wire protocol (docs/PROTOCOL.md is the description).
 *
 * Every peer (editor or node) holds one DEALER socket to the broker's
 * ROUTER.  A message is one frame holding one JSON object with a protocol
 * version "v" and a "type".  Values travel as EDN text printed by grove's
 * printer.  This file: encoding, decoding and validation (gw_), shared by
 * the broker, nodes and editors.  No global state.
 */
#ifndef GROVE_WIRE_H
#define GROVE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#define GW_VERSION 1
#define GW_DEFAULT_ENDPOINT "tcp://127.0.0.1:7887"
#define GW_DEFAULT_MAX_MSG (1024 * 1024)   /* bytes per frame */
#define GW_HEARTBEAT_MS 1000               /* default interval */
#define GW_DEAD_BEATS 3                    /* silent intervals before drop */

/* Parses and validates one frame of LEN bytes: size (<= MAX_LEN), JSON,
 * an object, "v" == GW_VERSION, a known "type", and the required fields of
 * that type with their JSON kinds (see the table in wire.c).  Returns the
 * message, owned by the caller (cJSON_Delete), or NULL with a one-line
 * reason in ERR (always NUL-terminated, truncated to ERRLEN).  The reason
 * starts with the PROTOCOL.md error code and a colon ("too-big: ...",
 * "bad-json: ...", "bad-version: ...", "bad-type: ...", "bad-field: TYPE:
 * ..."), so a broker can answer with that code. */
cJSON *gw_decode(const void *data, size_t len, size_t max_len,
                 char *err, size_t errlen);

/* A new message {"v":1,"type":TYPE}.  Owner: the caller. */
cJSON *gw_msg(const char *type);

/* Compact JSON text of MSG, malloc'd, owned by the caller; *LEN (if not
 * NULL) gets its length.  NULL only when memory runs out. */
char *gw_encode(const cJSON *msg, size_t *len);

/* Field accessors: NULL / DFLT when absent or of another kind. */
const char *gw_str(const cJSON *msg, const char *field);
double gw_num(const cJSON *msg, const char *field, double dflt);
bool gw_bool(const cJSON *msg, const char *field, bool dflt);

/* Wall-clock milliseconds since the Unix epoch, and a monotonic clock in
 * milliseconds (for timeouts and heartbeats). */
double gw_now_ms(void);
double gw_mono_ms(void);

/* Writes a random session id (16 lowercase hex digits + NUL) to OUT. */
void gw_session_id(char out[17]);

/* The broker's fast path for the frequent types (value, fault, out,
 * ping): checks a frame without building anything.  True only when
 * gw_decode would accept the frame and its type is one of those; then
 * OUT->type is that type (a static string) and, for a value, the space,
 * query and session fields are given as spans of the frame (their JSON
 * text holds no escapes, so the span is the string).  False when it
 * cannot tell cheaply (another type, an error, escapes in those fields or
 * in a key, unusual numbers...): decode the frame with gw_decode then. */
typedef struct gw_scanned {
    const char *type;
    const char *space, *query, *session;
    size_t space_len, query_len, session_len;
} gw_scanned;
bool gw_scan(const void *data, size_t len, size_t max_len, gw_scanned *out);

#endif
