/* broker.h — the pieces of grove-broker (gb_), shared by its files.
 *
 *   map.c      gb_map: a hash map keyed by byte strings
 *   space.c    gb_space: one space's program (the Clone pattern's state)
 *   history.c  gb_history: the last N value frames per (space, query, session)
 *   broker.c   gb_broker: the ROUTER loop, peers, routing, heartbeats
 *   main.c     the command line
 *
 * The broker is a program, not a library: it is single-threaded and its
 * state lives in one gb_broker made by main().
 */
#ifndef GROVE_BROKER_H
#define GROVE_BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

/* ---- gb_map: open addressing, linear probing, backward-shift delete ---- */

typedef struct gb_map_slot {
    uint64_t hash; /* 0: empty */
    char *key;     /* owned copy, NUL-terminated after KLEN bytes */
    size_t klen;
    void *val;     /* not owned */
} gb_map_slot;

typedef struct gb_map {
    gb_map_slot *slots;
    size_t cap; /* a power of two, or 0 */
    size_t count;
} gb_map;

uint64_t gb_hash(const void *key, size_t klen);
void *gb_map_get(const gb_map *m, const void *key, size_t klen);
/* Inserts or replaces; the key is copied.  Returns false when out of memory. */
bool gb_map_put(gb_map *m, const void *key, size_t klen, void *val);
/* Removes KEY; returns its value or NULL. */
void *gb_map_del(gb_map *m, const void *key, size_t klen);
/* Frees the slots and keys (not the values). */
void gb_map_free(gb_map *m);

/* ---- gb_space: a program ---- */

typedef struct gb_form {
    char *id;    /* owned */
    double order;
    cJSON *rec;  /* the form record as pushed, owned */
} gb_form;

typedef struct gb_space {
    char *name;     /* owned */
    char *file;     /* owned, or NULL: the last file a push named */
    uint64_t seq;   /* the last change */
    gb_form **forms; /* sorted by (order, id) */
    size_t n, cap;
    gb_map by_id;   /* id -> gb_form */
    char *snap;     /* cached snapshot frame (without epoch change), or NULL */
    size_t snap_len;
} gb_space;

/* Called for each change a push makes, after SEQ was advanced: FORM is the
 * record added or changed, or NULL with REMOVED the id removed. */
typedef void (*gb_change_fn)(void *ctx, gb_space *s, const cJSON *form, const char *removed);

/* Owner: the caller (gb_space_destroy). NULL when out of memory. */
gb_space *gb_space_new(const char *name);
void gb_space_destroy(gb_space **sp);
/* Applies a validated push message; calls CHANGE once per change.  The
 * records are copied.  Returns the number of changes. */
size_t gb_space_apply(gb_space *s, const cJSON *push, gb_change_fn change, void *ctx);
/* A snapshot message (known: true) of S.  The frame is cached in S until
 * the next change; borrowed, valid until then.  NULL when out of memory. */
const char *gb_space_snapshot(gb_space *s, const char *epoch, size_t *len);
/* A snapshot of a space nobody pushed (known: false).  Owner: the caller. */
char *gb_space_unknown_snapshot(const char *name, const char *epoch, size_t *len);

/* ---- gb_history: value frames per (space, query, session) ---- */

typedef struct gb_history gb_history;

/* Owner: the caller (gb_history_destroy).  DEPTH values per key (0: keep
 * none); at most MAX_BYTES of frames in all (the rings updated least
 * recently go first). */
gb_history *gb_history_new(size_t depth, size_t max_bytes);
void gb_history_destroy(gb_history **hp);
/* Stores a copy of FRAME (a value message of LEN bytes) under the key made
 * of the three strings, given with their lengths. */
void gb_history_add(gb_history *h, const char *space, size_t space_len, const char *query,
                    size_t query_len, const char *session, size_t session_len,
                    const void *frame, size_t len);
/* A history-list message: the values of (SPACE, QUERY) from SESSION, or
 * from every session when SESSION is NULL, newest first, at most DEPTH of
 * them and at most MAX_LEN bytes in all.  Owner: the caller (free). */
char *gb_history_list(gb_history *h, const char *space, const char *query, const char *session,
                      size_t max_len, size_t *len);
/* Bytes of frames held, and rings. */
size_t gb_history_bytes(const gb_history *h);
size_t gb_history_rings(const gb_history *h);

/* ---- gb_broker ---- */

typedef struct gb_options {
    const char *bind;
    size_t max_msg;
    size_t history;
    int heartbeat_ms;
    bool quiet;
} gb_options;

typedef struct gb_broker gb_broker;

/* Binds the ROUTER.  Returns NULL with a reason in ERR.  Owner: the caller
 * (gb_broker_destroy). */
gb_broker *gb_broker_new(const gb_options *o, char *err, size_t errlen);
void gb_broker_destroy(gb_broker **bp);
/* The endpoint actually bound (a port of "*" resolved). */
const char *gb_broker_endpoint(const gb_broker *b);
/* Serves until SIGINT/SIGTERM (czmq's handler sets zsys_interrupted). */
void gb_broker_run(gb_broker *b);

#endif
