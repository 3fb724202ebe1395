/* doc.h — one editor buffer as a grove program (gd_): the Emacs module's
 * model of a buffer.
 *
 * A document keeps a UTF-8 copy of the buffer's text, a tree-sitter tree
 * (grammar tree-sitter-clojure-orchard) updated incrementally on every
 * edit, and the buffer's top-level forms with their `!` markers, ids and
 * canonical hashes by exactly the rules of program.h (gp_form_id does the
 * id and the hash).  It remembers what it last handed out in a "push"
 * message (docs/PROTOCOL.md) and, after an edit, produces the push that
 * brings the broker up to date: only when something deployable changed (a
 * form added or removed, or a form whose hash or live flag changed); the
 * push then carries those records and the ones that moved (new
 * line/col/order).  Whitespace, comments and `#_` parts do not change a
 * hash, so an editor rewriting `(? x)` into `(? x #_{:alpha 1})` sends
 * nothing; and a record's text is sent anew only with a new hash, so the
 * text a node holds is the text it evaluated (the reference of the
 * offsets in its value messages).
 *
 * A top-level form that does not parse (tree-sitter marks an error in or
 * around it) is skipped and its last good version stays in the program;
 * so are top-level forms tree-sitter finds inside the region of such a
 * broken form (they are debris of it, e.g. after deleting its opening
 * bracket).  An unclosed bracket breaks everything after it, as for the
 * reader.
 *
 * Positions: the editor speaks in 1-based character positions (Emacs);
 * the document converts them with a line index (byte and character offset
 * of every line start), so an edit costs O(log lines + line length) to
 * locate plus O(lines) to shift the index.  Lines end at LF only (Emacs
 * buffers hold LF); columns count code points, 1-based, as program.c does.
 *
 * No Emacs types here; single-threaded (one document, one thread).
 * Linked with tree-sitter and the grammar's parser.c (not in libgrove.a).
 */
#ifndef GROVE_DOC_H
#define GROVE_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

typedef struct gd_doc gd_doc;

/* One form of the current program, as gd_doc_form reports it. */
typedef struct gd_form_info {
    const char *id;     /* borrowed: valid until the next edit or reset */
    bool live;
    bool kept;          /* broken now: its last good version stands */
    long start, end;    /* 1-based character positions [start, end) */
    int line, col;      /* of the record (a kept form: its last good one) */
} gd_form_info;

/* A new empty document for SPACE (the program's name) and FILE (the
 * buffer's file name for error positions; may be NULL or "").  NULL when
 * memory runs out or the grammar cannot be loaded.  Owner: the caller
 * (gd_doc_destroy). */
gd_doc *gd_doc_new(const char *space, const char *file);
void gd_doc_destroy(gd_doc **dp);

/* Replaces the whole text (LEN bytes of UTF-8) and parses it afresh.
 * Forget what was sent: returns the push of the whole program
 * (replace:true), owned by the caller, or NULL when memory runs out. */
cJSON *gd_doc_reset(gd_doc *d, const char *text, size_t len);

/* Applies an Emacs after-change edit: the OLD_LEN characters at 1-based
 * character position BEG were replaced by TEXT (LEN bytes, the buffer's
 * text from BEG to END).  Reparses incrementally and rescans.  On success
 * returns true and sets *PUSH to the push to send (replace:false, owned by
 * the caller) or to NULL when nothing deployable changed.  Returns false
 * with a reason in ERR when the edit does not fit the text (the copy is
 * out of sync: reset it; the document is unchanged then) or memory runs
 * out (reset it). */
bool gd_doc_edit(gd_doc *d, long beg, long end, long old_len, const char *text, size_t len,
                 cJSON **push, char *err, size_t errlen);

/* The whole current program as a push with replace:true (after a
 * reconnection), recorded as sent.  Owner: the caller; NULL when memory
 * runs out. */
cJSON *gd_doc_push_all(gd_doc *d);

/* Finds the list that starts OFFSET bytes into the text of form ID as the
 * nodes know it (the text last sent; when the buffer's text of the form
 * differs only in whitespace, comments or `#_` parts, the offset is
 * carried over token by token).  On success fills OUT with 1-based
 * character positions: OUT[0], OUT[1] the list [start, end); OUT[2],
 * OUT[3] its last element when that is a `#_` form (e.g. an annotation
 * `#_{:alpha 3}`), else 0 and 0.  False when there is no such form or
 * list (the form is broken now, or the offset is stale). */
bool gd_doc_locate(gd_doc *d, const char *id, size_t offset, long out[4]);

/* The current program, in order (for tests and debugging). */
size_t gd_doc_count(const gd_doc *d);
bool gd_doc_form(const gd_doc *d, size_t i, gd_form_info *out);

/* The document's text copy (LEN bytes, NUL-terminated) and its length in
 * characters. */
const char *gd_doc_text(const gd_doc *d, size_t *len);
size_t gd_doc_chars(const gd_doc *d);

#endif
