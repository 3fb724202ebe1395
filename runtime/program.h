/* program.h — a source text as a grove program (gp_): its top-level
 * forms, which are live (`!`), their stable ids and canonical hashes.
 *
 * Used by editors (the command-line `grove push`) to turn a file into the
 * form records of a "push" message (docs/PROTOCOL.md).  The Emacs module
 * finds forms with tree-sitter instead but follows the same rules:
 *   - a top-level symbol `!` marks the next top-level form live; the `!`
 *     itself is not part of the form;
 *   - id: for a form whose head is def, defn, defn-, defmacro, defonce,
 *     defmulti or any other symbol starting with "def" followed by a
 *     symbol NAME: "def:NAME"; for an (ns NAME ...) form: "ns:NAME";
 *     otherwise "h:" + the 16-hex-digit canonical hash.  A repeated id
 *     gets "~2", "~3"... in file order;
 *   - canonical hash: 64-bit FNV-1a over the form's tokens joined by one
 *     space, with whitespace, commas, comments and `#_` forms (and the
 *     form each `#_` discards) left out, printed as 16 lowercase hex
 *     digits.  So rewriting `(? x)` into `(? x #_{:alpha 1})` changes
 *     neither the hash nor the id.  (The exact tokens are listed at the
 *     top of program.c; editors call gp_canon_hash rather than redo it.)
 *   - a top-level `#_ FORM` is not part of the program (commenting a
 *     form out removes it), as the reader skips it.
 */
#ifndef GROVE_PROGRAM_H
#define GROVE_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

typedef struct gp_form {
    char *id;          /* malloc'd */
    char *text;        /* malloc'd: the form's exact source text */
    bool live;
    int line, col;     /* 1-based start of the form (after any `!`) */
    size_t start, end; /* byte range in the source */
    char hash[17];     /* canonical hash, hex */
} gp_form;

typedef struct gp_program {
    gp_form *forms;    /* malloc'd array, in source order */
    size_t count;
} gp_program;

/* Splits SRC (LEN bytes) into top-level forms.  Does not evaluate
 * anything and needs no VM: it is a lexical scanner that knows strings,
 * chars, comments, regexes, reader macros and bracket nesting.  Returns
 * true and fills *P (owned by the caller: gp_program_free), or false with
 * "LINE:COL: reason" in ERR when the text is unbalanced.  A form that is
 * broken inside but balanced is still returned (the node reports its
 * reader error). */
bool gp_split(const char *src, size_t len, gp_program *p, char *err, size_t errlen);
void gp_program_free(gp_program *p);

/* Canonical hash of one form's text (as described above). */
uint64_t gp_canon_hash(const char *text, size_t len);

/* The id of one form's text by the rule above, without the "~2" of a
 * repeat (the caller numbers repeats in file order), and, when HASH is not
 * NULL, its canonical hash as 16 hex digits + NUL.  One pass for both (the
 * Emacs module's doc.c).  Owner: the caller (free); NULL when memory runs
 * out. */
char *gp_form_id(const char *text, size_t len, char hash[17]);

/* The form record of the wire: {"id","text","live","line","col","hash",
 * "order"}.  Owner: the caller. */
cJSON *gp_form_json(const gp_form *f, int order);

#endif
