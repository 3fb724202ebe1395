/* node_int.h — what the node runtime's files (node.c, reconcile.c,
 * node_lang.c) share; internal to runtime/. */
#ifndef GROVE_NODE_INT_H
#define GROVE_NODE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vm.h"

/* ---- node_lang.c --------------------------------------------------------- */

/* True when every selector of the enclosing (context ...) forms matches
 * the current node context (a ? evaluated now may report).  Runs in a
 * process; may run Clojure code (node-match?). */
bool gn_lang_reportable(gv_vm *vm);

/* ---- reconcile.c: what a form defines and uses, and the plan ----------- */

/* The analysis of one form's text.  Strings are malloc'd and owned by
 * the struct (gn_ana_clear). */
typedef struct gn_ana {
    char **defs;      /* names a def-like form defines (def, defn, ...) */
    size_t ndefs;
    char **refs;      /* names of every symbol in the form, sorted, unique */
    size_t nrefs;
    char *ns;         /* an ns / in-ns form: the namespace it makes current */
    bool unreadable;  /* the reader failed: nothing is known */
} gn_ana;

/* Reads TEXT (as the text of FILE at LINE:COL) and fills *A, clearing it
 * first.  Must run inside a process.  Never throws: a reader error sets
 * A->unreadable.  Symbol names are the name part (foo/bar -> "bar"). */
void gn_ana_read(gv_vm *vm, gn_ana *a, const char *text, const char *file, int line, int col);
void gn_ana_clear(gn_ana *a);

/* One form of a space, in program order, for gn_graph_plan. */
typedef struct gn_graph_in {
    const char *id;
    const char *hash;   /* the editor's canonical hash of the form */
    bool live;
    const gn_ana *ana;
} gn_graph_in;

/* Plans one space of N forms (program order).  Form i depends on every
 * other form defining a name i mentions and on every ns form before it.
 * Fills EFF[i] (the effective hash: i's own hash and live flag plus the
 * hashes of every form in its transitive dependencies, cycles included),
 * NEEDED[i] (live, or a dependency of a needed form) and ORDER (the
 * needed forms, each after its dependencies, else in program order; its
 * length in *NORDER).  Arrays are the caller's, N long.  Returns false
 * only when memory runs out. */
bool gn_graph_plan(const gn_graph_in *in, size_t n, uint64_t *eff, bool *needed,
                   size_t *order, size_t *norder);

/* 64-bit FNV-1a of LEN bytes, continuing from H (start: GN_FNV_INIT). */
#define GN_FNV_INIT 0xcbf29ce484222325ULL
uint64_t gn_fnv(uint64_t h, const void *p, size_t len);

#endif
