/* emacs.c — wrappers around emacs_env (emacs.h).
 *
 * The interned symbols are module-wide global references, made once at
 * init and never freed (the module is never unloaded).
 */
#include "emacs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static emacs_value syms[GM_SYM_COUNT];

static const char *const sym_names[GM_SYM_COUNT] = {
    "nil", "t", "list", "grove-error", "string", "integer", "float", "user-ptr",
    "symbol-value", "quit-flag", "processp", "process-type", "pipe", "process-live-p",
    "prin1-to-string", "defalias", "provide", "define-error",
};

emacs_value gm_sym_get(gm_sym s) { return syms[s]; }

bool gm_ok(emacs_env *env) { return env->non_local_exit_check(env) == emacs_funcall_exit_return; }

bool gm_emacs_init(emacs_env *env) {
    for (int i = 0; i < GM_SYM_COUNT; i++) {
        emacs_value v = env->intern(env, sym_names[i]);
        if (!gm_ok(env)) return false;
        syms[i] = env->make_global_ref(env, v);
        if (!gm_ok(env)) return false;
    }
    const char *msg = "Grove error";
    emacs_value args[2] = {syms[GM_SYM_GROVE_ERROR], env->make_string(env, msg, strlen(msg))};
    if (!gm_ok(env)) return false;
    env->funcall(env, syms[GM_SYM_DEFINE_ERROR], 2, args);
    return gm_ok(env);
}

/* Length of the valid UTF-8 sequence at P (N bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n) {
    unsigned char c = p[0];
    size_t k = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (k == 0 || k > n) return 0;
    for (size_t i = 1; i < k; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    if (k == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))) return 0;
    if (k == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))) return 0;
    return k;
}

emacs_value gm_string(emacs_env *env, const char *s, size_t len) {
    /* make_string wants valid UTF-8: text from the network may not be */
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, k;
    while (i < len && (k = utf8_len(p + i, len - i)) > 0) i += k;
    char *fixed = NULL;
    if (i < len) {
        fixed = malloc(len * 3 + 1);
        if (!fixed) return gm_error(env, "out of memory");
        size_t o = 0;
        for (i = 0; i < len;) {
            k = utf8_len(p + i, len - i);
            if (k) {
                memcpy(fixed + o, s + i, k);
                o += k;
                i += k;
            } else {
                memcpy(fixed + o, "\xEF\xBF\xBD", 3); /* U+FFFD */
                o += 3;
                i++;
            }
        }
        s = fixed;
        len = o;
    }
    emacs_value v = env->make_string(env, s, (ptrdiff_t)len);
    free(fixed);
    return gm_ok(env) ? v : NULL;
}

emacs_value gm_call(emacs_env *env, gm_sym fn, ptrdiff_t n, emacs_value *args) {
    emacs_value v = env->funcall(env, syms[fn], n, args);
    return gm_ok(env) ? v : NULL;
}

emacs_value gm_list(emacs_env *env, emacs_value *v, size_t n) {
    return gm_call(env, GM_SYM_LIST, (ptrdiff_t)n, v);
}

static void signal_msg(emacs_env *env, const char *msg) {
    emacs_value s = env->make_string(env, msg, (ptrdiff_t)strlen(msg));
    if (!gm_ok(env)) return;
    emacs_value data = env->funcall(env, syms[GM_SYM_LIST], 1, &s);
    if (!gm_ok(env)) return;
    env->non_local_exit_signal(env, syms[GM_SYM_GROVE_ERROR], data);
}

emacs_value gm_error(emacs_env *env, const char *fmt, ...) {
    if (!gm_ok(env)) return NULL;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    signal_msg(env, msg);
    return NULL;
}

void gm_error_from_pending(emacs_env *env, const char *what) {
    emacs_value sym, data;
    if (env->non_local_exit_get(env, &sym, &data) == emacs_funcall_exit_return) return;
    env->non_local_exit_clear(env);
    char buf[300];
    emacs_value pair[2] = {sym, data};
    emacs_value both = env->funcall(env, syms[GM_SYM_LIST], 2, pair);
    if (!gm_ok(env)) return;
    gm_repr(env, both, buf, sizeof buf);
    gm_error(env, "%s: %s", what, buf);
}

bool gm_is_nil(emacs_env *env, emacs_value v) { return !env->is_not_nil(env, v); }

bool gm_type_is(emacs_env *env, emacs_value v, gm_sym type) {
    return env->eq(env, env->type_of(env, v), syms[type]);
}

const char *gm_repr(emacs_env *env, emacs_value v, char *buf, size_t n) {
    snprintf(buf, n, "?");
    if (!gm_ok(env)) return buf; /* never clear an exit that was pending */
    emacs_value s = env->funcall(env, syms[GM_SYM_PRIN1_TO_STRING], 1, &v);
    if (!gm_ok(env)) {
        env->non_local_exit_clear(env);
        return buf;
    }
    ptrdiff_t size = 0;
    if (!env->copy_string_contents(env, s, NULL, &size) || !gm_ok(env)) {
        env->non_local_exit_clear(env);
        return buf;
    }
    char *tmp = malloc((size_t)size);
    if (tmp && env->copy_string_contents(env, s, tmp, &size)) {
        if ((size_t)size > n && n > 4) snprintf(buf, n, "%.*s...", (int)(n - 4), tmp);
        else snprintf(buf, n, "%s", tmp);
    }
    free(tmp);
    if (!gm_ok(env)) env->non_local_exit_clear(env);
    return buf;
}

static bool wrong_type(emacs_env *env, emacs_value v, const char *fn, const char *arg,
                       const char *kind) {
    char r[80];
    gm_repr(env, v, r, sizeof r);
    gm_error(env, "%s: %s must be %s, not %s", fn, arg, kind, r);
    return false;
}

/* Owner of the result: the caller (free). */
char *gm_arg_string(emacs_env *env, emacs_value v, const char *fn, const char *arg, size_t *len) {
    if (!gm_type_is(env, v, GM_SYM_STRING)) {
        wrong_type(env, v, fn, arg, "a string");
        return NULL;
    }
    ptrdiff_t size = 0;
    if (!env->copy_string_contents(env, v, NULL, &size) || !gm_ok(env)) return NULL;
    char *buf = malloc((size_t)size);
    if (!buf) {
        gm_error(env, "%s: out of memory", fn);
        return NULL;
    }
    if (!env->copy_string_contents(env, v, buf, &size) || !gm_ok(env)) {
        free(buf);
        return NULL;
    }
    if (len) *len = (size_t)size - 1;
    return buf;
}

bool gm_arg_int(emacs_env *env, emacs_value v, const char *fn, const char *arg, intmax_t *out) {
    if (!gm_type_is(env, v, GM_SYM_INTEGER)) return wrong_type(env, v, fn, arg, "an integer");
    *out = env->extract_integer(env, v);
    if (!gm_ok(env)) { /* a bignum */
        env->non_local_exit_clear(env);
        return wrong_type(env, v, fn, arg, "a fixnum");
    }
    return true;
}

bool gm_arg_number(emacs_env *env, emacs_value v, const char *fn, const char *arg, double *out) {
    if (gm_type_is(env, v, GM_SYM_FLOAT)) {
        *out = env->extract_float(env, v);
        return gm_ok(env);
    }
    intmax_t i;
    if (gm_type_is(env, v, GM_SYM_INTEGER)) {
        if (!gm_arg_int(env, v, fn, arg, &i)) return false;
        *out = (double)i;
        return true;
    }
    return wrong_type(env, v, fn, arg, "a number");
}

bool gm_defun(emacs_env *env, const char *name, ptrdiff_t min, ptrdiff_t max,
              emacs_value (*fn)(emacs_env *, ptrdiff_t, emacs_value *, void *),
              const char *doc) {
    emacs_value f = env->make_function(env, min, max, fn, doc, NULL);
    if (!gm_ok(env)) return false;
    emacs_value sym = env->intern(env, name);
    if (!gm_ok(env)) return false;
    emacs_value args[2] = {sym, f};
    env->funcall(env, syms[GM_SYM_DEFALIAS], 2, args);
    return gm_ok(env);
}

bool gm_provide(emacs_env *env, const char *feature) {
    emacs_value f = env->intern(env, feature);
    if (!gm_ok(env)) return false;
    env->funcall(env, syms[GM_SYM_PROVIDE], 1, &f);
    return gm_ok(env);
}

bool gm_quit_requested(emacs_env *env) {
    emacs_value q = syms[GM_SYM_QUIT_FLAG];
    emacs_value v = env->funcall(env, syms[GM_SYM_SYMBOL_VALUE], 1, &q);
    if (!gm_ok(env)) return true; /* funcall itself quit */
    return env->is_not_nil(env, v);
}
