/* caps.h — the standard capabilities' constructors (gn_caps_), internal
 * to runtime/ and its tests.
 *
 * gn_node_cap_std (node.h) parses a command-line spec with these, then
 * offers the value with gn_node_cap and, for http, polls the listener
 * with gn_node_add_poller.  Tests build the same values on a bare VM.
 * The shapes of the values are documented in docs/CAPABILITIES.md.
 */
#ifndef GROVE_CAPS_H
#define GROVE_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "grove.h"

/* An http=PORT listener: a non-blocking socket on 127.0.0.1, its
 * connections and the installed handler. */
typedef struct gn_caps_http gn_caps_http;

/* Builds the value of the standard capability SPEC ("log", "clock",
 * "timer", "fs=DIR", "http=PORT") in VM.  On success returns true, with
 * the capability's name ("fs" for "fs=DIR") in NAME (NAMELEN bytes), the
 * value in *OUT and, for http, the listener in *HTTP (NULL for the
 * others; HTTP may be NULL only when SPEC is not an http spec).
 * *OUT is owned by the VM's GC and unrooted: it stays valid only until
 * the VM next evaluates code, so hand it to gn_node_cap or protect it
 * with gv_ref_new at once.  *HTTP is owned by the caller, who polls it
 * and frees it with gn_caps_http_destroy while VM is still alive.
 * Returns false with a reason in ERR for an unknown name or a bad
 * argument (a missing directory, a port that cannot be bound). */
bool gn_caps_build(gv_vm *vm, const char *spec, char *name, size_t namelen,
                   gv_val *out, gn_caps_http **http, char *err, size_t errlen);

/* Accepts connections, reads requests, starts handler processes and
 * writes responses, never blocking.  Returns the milliseconds until it
 * wants to run again.  Must not be called from inside a process. */
double gn_caps_http_poll(gn_caps_http *h);
/* The port actually listened on (the ephemeral one for http=0). */
int gn_caps_http_port(const gn_caps_http *h);
/* Time limits in milliseconds (defaults 10000 and 30000): a request
 * not read in full by READ_MS gets 408; a handler that has not answered
 * after HANDLER_MS is killed and the client gets 504. */
void gn_caps_http_set_timeouts(gn_caps_http *h, double read_ms, double handler_ms);
/* Closes the socket and every connection and drops the handler; NULL-safe,
 * clears *HP.  The VM must still be alive. */
void gn_caps_http_destroy(gn_caps_http **hp);

/* The fs capability's fallback path walk, used when the kernel has no
 * openat2(2): opens REL (already normalized: no "..", "." or empty
 * components) under DIRFD without following any symbolic link.  Returns
 * a descriptor or -1 with errno set.  Exposed for tests. */
int gn_caps_fs_open_walk(int dirfd, const char *rel, int flags, mode_t mode);

#endif
