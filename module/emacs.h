/* emacs.h — the module's few wrappers around emacs_env (gm_).
 *
 * Every call into Emacs that can signal goes through here and is followed
 * by a non-local-exit check; a wrapper that fails returns false / NULL
 * with the exit left pending, and the module function returns at once.
 * Argument errors signal `grove-error' with data (MESSAGE), the message
 * naming the function and the argument.  Symbols are interned once, at
 * module init, as global references (gm_emacs_init).
 */
#ifndef GROVE_MODULE_EMACS_H
#define GROVE_MODULE_EMACS_H

#include <emacs-module.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    GM_SYM_NIL, GM_SYM_T, GM_SYM_LIST, GM_SYM_GROVE_ERROR, GM_SYM_STRING, GM_SYM_INTEGER,
    GM_SYM_FLOAT, GM_SYM_USER_PTR, GM_SYM_SYMBOL_VALUE, GM_SYM_QUIT_FLAG, GM_SYM_PROCESSP,
    GM_SYM_PROCESS_TYPE, GM_SYM_PIPE, GM_SYM_PROCESS_LIVE_P, GM_SYM_PRIN1_TO_STRING,
    GM_SYM_DEFALIAS, GM_SYM_PROVIDE, GM_SYM_DEFINE_ERROR, GM_SYM_COUNT
} gm_sym;

/* Interns the symbols above and defines the `grove-error' condition.
 * False when Emacs signalled. */
bool gm_emacs_init(emacs_env *env);
emacs_value gm_sym_get(gm_sym s);

/* True when no non-local exit is pending. */
bool gm_ok(emacs_env *env);
/* Signals grove-error with the formatted message (unless an exit is
 * already pending).  Always returns NULL, for `return gm_error(...)'. */
emacs_value gm_error(emacs_env *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Re-signals a pending non-local exit as grove-error, prefixed with
 * WHAT (e.g. the pipe process was refused by open_channel). */
void gm_error_from_pending(emacs_env *env, const char *what);

bool gm_is_nil(emacs_env *env, emacs_value v);
bool gm_type_is(emacs_env *env, emacs_value v, gm_sym type);
/* The printed representation of V (prin1), truncated, into BUF. */
const char *gm_repr(emacs_env *env, emacs_value v, char *buf, size_t n);

/* Argument extraction: on a wrong type, signal grove-error
 * "FN: ARG must be KIND, not REPR" and return false / NULL. */
char *gm_arg_string(emacs_env *env, emacs_value v, const char *fn, const char *arg, size_t *len);
bool gm_arg_int(emacs_env *env, emacs_value v, const char *fn, const char *arg, intmax_t *out);
bool gm_arg_number(emacs_env *env, emacs_value v, const char *fn, const char *arg, double *out);

emacs_value gm_string(emacs_env *env, const char *s, size_t len);
emacs_value gm_list(emacs_env *env, emacs_value *v, size_t n);
emacs_value gm_call(emacs_env *env, gm_sym fn, ptrdiff_t n, emacs_value *args);

/* (defalias 'NAME (make-function ...)) with ARITY MIN..MAX. */
bool gm_defun(emacs_env *env, const char *name, ptrdiff_t min, ptrdiff_t max,
              emacs_value (*fn)(emacs_env *, ptrdiff_t, emacs_value *, void *),
              const char *doc);
bool gm_provide(emacs_env *env, const char *feature);

/* Whether the user asked to quit: quit-flag is non-nil (read even under
 * inhibit-quit, as in timers and process filters), or reading it
 * signalled (a quit is then pending). */
bool gm_quit_requested(emacs_env *env);

#endif
