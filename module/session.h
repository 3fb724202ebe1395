/* session.h — a connection of the Emacs module to a broker (gm_), with
 * no Emacs types: module.c converts arguments and calls these.
 *
 * A session is an in-process editor node (gn_node, used on the caller's
 * thread only: Emacs's main thread) plus a background thread that owns
 * the broker connection (gw_client, one DEALER).  They meet in two
 * mutex-protected queues of decoded messages:
 *   - inbound (thread -> main): everything the broker sends, plus a
 *     synthetic {"type":"connection","state":"connected"|"disconnected"}
 *     when the connection's readiness changes.  When the queue goes from
 *     empty to non-empty the thread writes one byte to CHAN (the pipe
 *     Emacs gave with open_channel), which runs the pipe process's filter;
 *   - outbound (main -> thread): pushes of documents, requests from elisp
 *     and what the editor node sends.  When it goes non-empty the main
 *     side writes one byte to a private pipe the thread polls with the
 *     socket.
 * The thread never calls Emacs; the main side never touches the socket.
 *
 * Documents (gm_doc) belong to a session's list while both are open; the
 * session re-pushes them all (replace:true) whenever the broker welcomes
 * it.  Either may be closed or freed first: closing a session detaches its
 * documents (they then refuse edits), freeing a document unlinks it.
 */
#ifndef GROVE_MODULE_SESSION_H
#define GROVE_MODULE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

typedef struct gm_session gm_session;
typedef struct gm_doc gm_doc;

/* Opens a session to ENDPOINT with an editor node NODE_ID (NULL or "":
 * "editor") and optional CONTEXT_EDN; CHAN is the wake-up fd for Emacs
 * (taken: closed by the session, also on failure; -1: none).  Returns
 * NULL with a reason in ERR.  Owner: the caller (gm_session_free). */
gm_session *gm_session_new(const char *endpoint, const char *node_id, const char *context_edn,
                           int chan, char *err, size_t errlen);

/* Stops the thread, destroys the node and the connection, closes the fds
 * and detaches the documents.  Idempotent.  The struct stays (so a
 * user-ptr to it can report "closed") until gm_session_free. */
void gm_session_close(gm_session *s);
bool gm_session_closed(const gm_session *s);
/* Closes if needed and frees; NULL-safe; clears the pointer.  Frees only
 * C memory and joins the thread: safe in an Emacs finalizer. */
void gm_session_free(gm_session **sp);

/* Takes every inbound message.  Those aimed at the editor node (snapshot,
 * delta, eval, and welcome) go to gn_node_handle; on a welcome every open
 * document is pushed again in full.  Returns the rest (welcome included)
 * as JSON texts in arrival order: a malloc'd array of *N malloc'd
 * strings (owner: the caller, gm_strings_free), NULL when there is none. */
char **gm_session_drain(gm_session *s, size_t *n);
void gm_strings_free(char **v, size_t n);

/* Runs the editor node for at most BUDGET_MS, in slices of a few
 * milliseconds.  After each slice in which the node still had work,
 * QUIT(QDATA) is asked; when it says true, the running evaluation is
 * interrupted (gv_vm_interrupt), the node runs briefly so it can report
 * the fault, *INTERRUPTED is set and the step ends.  Returns the
 * milliseconds until the node wants to run again (0: at once). */
double gm_session_step(gm_session *s, double budget_ms, bool (*quit)(void *qdata), void *qdata,
                       bool *interrupted);

/* Queues MSG (taken) for the broker.  An "eval" that cannot be sent
 * (not connected) is answered by a local "result" with status "error". */
void gm_session_send(gm_session *s, cJSON *msg);

/* True when the broker connection is ready (welcomed), as last seen by
 * the thread. */
bool gm_session_ready(gm_session *s);

/* ---- documents ------------------------------------------------------------ */

/* A new document of S for SPACE and FILE (may be NULL).  NULL with a
 * reason in ERR.  Owner: the caller (gm_doc_free). */
gm_doc *gm_doc_new(gm_session *s, const char *space, const char *file, char *err, size_t errlen);
/* Closes (frees the document's memory, unlinks it).  Idempotent. */
void gm_doc_close(gm_doc *d);
bool gm_doc_closed(const gm_doc *d);
/* Whether its session is still open. */
bool gm_doc_attached(const gm_doc *d);
void gm_doc_free(gm_doc **dp);

/* Replaces the text and pushes the whole program.  False with ERR when
 * memory runs out. */
bool gm_doc_reset(gm_doc *d, const char *text, size_t len, char *err, size_t errlen);
/* Applies an after-change edit (doc.h gd_doc_edit) and pushes what
 * changed.  False with ERR when the edit does not fit the text. */
bool gm_doc_edit(gm_doc *d, long beg, long end, long old_len, const char *text, size_t len,
                 char *err, size_t errlen);

/* The underlying document (for locate and forms); NULL when closed. */
struct gd_doc *gm_doc_gd(gm_doc *d);

#endif
