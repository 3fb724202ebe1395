/* module.c — build/grove-module.so: grove's Emacs dynamic module.
 *
 * Thin glue: each function checks and converts its arguments, makes one
 * call into session.c / doc.c and converts the result.  Every bad
 * argument (wrong type, a closed session or document, an edit that does
 * not fit the text) signals `grove-error'; nothing reachable from Lisp
 * asserts or aborts.  Sessions and documents are user-ptrs whose
 * finalizers free C memory only (gm_session_free joins the session's
 * thread, which never calls Emacs); explicit close is preferred, and a
 * closed user-ptr stays valid and refuses further use.
 *
 * Only plugin_is_GPL_compatible and emacs_module_init are visible: the
 * module is compiled with -fvisibility=hidden and linked with a version
 * script, so nothing of the embedded runtime can interpose on Emacs.
 */
#include "emacs.h"
#include "session.h"

#include "doc.h"
#include "grove.h"
#include "wire.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GM_EXPORT __attribute__((visibility("default")))

GM_EXPORT int plugin_is_GPL_compatible;

/* ---- user-ptrs ------------------------------------------------------------------ */

static void session_fin(void *p) {
    gm_session *s = p;
    gm_session_free(&s);
}

static void doc_fin(void *p) {
    gm_doc *d = p;
    gm_doc_free(&d);
}

/* The session in V, or NULL with grove-error signalled.  OPEN: refuse a
 * closed one. */
static gm_session *arg_session(emacs_env *env, emacs_value v, const char *fn, bool open) {
    if (!gm_type_is(env, v, GM_SYM_USER_PTR) || env->get_user_finalizer(env, v) != session_fin) {
        char r[80];
        gm_error(env, "%s: not a grove session: %s", fn, gm_repr(env, v, r, sizeof r));
        return NULL;
    }
    gm_session *s = env->get_user_ptr(env, v);
    if (!gm_ok(env)) return NULL;
    if (open && gm_session_closed(s)) {
        gm_error(env, "%s: the session is closed", fn);
        return NULL;
    }
    return s;
}

static gm_doc *arg_doc(emacs_env *env, emacs_value v, const char *fn, bool open) {
    if (!gm_type_is(env, v, GM_SYM_USER_PTR) || env->get_user_finalizer(env, v) != doc_fin) {
        char r[80];
        gm_error(env, "%s: not a grove document: %s", fn, gm_repr(env, v, r, sizeof r));
        return NULL;
    }
    gm_doc *d = env->get_user_ptr(env, v);
    if (!gm_ok(env)) return NULL;
    if (open && gm_doc_closed(d)) {
        gm_error(env, "%s: the document is closed", fn);
        return NULL;
    }
    return d;
}

/* An optional string: nil gives NULL without error (*OK stays true). */
static char *arg_opt_string(emacs_env *env, emacs_value v, const char *fn, const char *arg,
                            bool *ok) {
    *ok = true;
    if (gm_is_nil(env, v)) return NULL;
    char *s = gm_arg_string(env, v, fn, arg, NULL);
    *ok = s != NULL;
    return s;
}

/* ---- the functions ---------------------------------------------------------------- */

static emacs_value Fversion(emacs_env *env, ptrdiff_t n, emacs_value *a, void *data) {
    (void)n; (void)a; (void)data;
    return gm_string(env, GROVE_VERSION, strlen(GROVE_VERSION));
}

static emacs_value Fopen(emacs_env *env, ptrdiff_t n, emacs_value *a, void *data) {
    (void)n; (void)data;
    const char *fn = "grove-module--open";
    bool ok1 = false, ok2 = false;
    char *endpoint = gm_arg_string(env, a[0], fn, "ENDPOINT", NULL);
    char *node_id = endpoint ? arg_opt_string(env, a[1], fn, "NODE-ID", &ok1) : NULL;
    char *ctx = endpoint && ok1 ? arg_opt_string(env, a[2], fn, "CONTEXT-EDN", &ok2) : NULL;
    emacs_value result = NULL;
    if (!endpoint || !ok1 || !ok2) goto out;
    const char *id = node_id ? node_id : "editor";
    if (*id == ':') id++; /* ids travel without the colon */
    if (!*id) {
        gm_error(env, "%s: NODE-ID is empty", fn);
        goto out;
    }
    /* the pipe process: a live pipe made by make-pipe-process */
    emacs_value p = a[3];
    emacs_value isproc = gm_call(env, GM_SYM_PROCESSP, 1, &p);
    if (!isproc) goto out;
    emacs_value type = env->is_not_nil(env, isproc) ? gm_call(env, GM_SYM_PROCESS_TYPE, 1, &p) : NULL;
    if (!gm_ok(env)) goto out;
    emacs_value live = type && env->eq(env, type, gm_sym_get(GM_SYM_PIPE))
                           ? gm_call(env, GM_SYM_PROCESS_LIVE_P, 1, &p)
                           : NULL;
    if (!gm_ok(env)) goto out;
    if (!live || gm_is_nil(env, live)) {
        char r[80];
        gm_error(env, "%s: PIPE-PROCESS must be a live pipe process (make-pipe-process), not %s", fn,
                 gm_repr(env, p, r, sizeof r));
        goto out;
    }
    int chan = env->open_channel(env, p);
    if (!gm_ok(env)) {
        gm_error_from_pending(env, "grove-module--open: open_channel refused the pipe process");
        goto out;
    }
    char err[512];
    gm_session *s = gm_session_new(endpoint, id, ctx, chan, err, sizeof err);
    if (!s) {
        gm_error(env, "%s: %s", fn, err);
        goto out;
    }
    result = env->make_user_ptr(env, session_fin, s);
    if (!gm_ok(env)) {
        gm_session_free(&s);
        result = NULL;
    }
out:
    free(endpoint);
    free(node_id);
    free(ctx);
    return result;
}

static emacs_value Fclose(emacs_env *env, ptrdiff_t n, emacs_value *a, void *data) {
    (void)n; (void)data;
    gm_session *s = arg_session(env, a[0], "grove-module--close", false);
    if (!s) return NULL;
    gm_session_close(s);
    return gm_sym_get(GM_SYM_NIL);
}

static emacs_value Fdrain(emacs_env *env, ptrdiff_t n, emacs_value *a, void *data) {
    (void)n; (void)data;
    gm_session *s = arg_session(env, a[0], "grove-module--drain", true);
    if (!s) return NULL;
    size_t cnt = 0;
    char **msgs = gm_session_drain(s, &cnt);
    if (!cnt) return gm_sym_get(GM_SYM_NIL);
    emacs_value *v = malloc(cnt * sizeof *v);
    emacs_value result = NULL;
    if (!v) {
        gm_error(env, "grove-module--drain: out of memory");
        goto out;
    }
    for (size_t i = 0; i < cnt; i++) {
        v[i] = gm_string(env, msgs[i], strlen(msgs[i]));
        if (!v[i]) goto out;
    }
    result = gm_list(env, v, cnt);
out:
    free(v);
    gm_strings_free(msgs, cnt);
    return result;
}

static bool step_quit(void *env) { return gm_quit_requested(env); }

static emacs_value Fstep(emacs_env *env, ptrdiff_t n, emacs_value *a, void *data) {
    (void)n; (void)data;
    const char *fn = "grove-module--step";
    gm_session *s = arg_session(env, a[0], fn, true);
    double budget;
    if (!s || !gm_arg_number(env, a[1], fn, "BUDGET-MS", &budget)) return NULL;
    if (!(budget >= 0 && budget <= 60000))
        return gm_error(env, "%s: BUDGET-MS must be from 0 to 60000, not %g", fn, budget);
    bool interrupted;
    double w = gm_session_step(s, budget, step_quit, env, &interrupted);
    /* after a quit, Emacs may have an exit pending: it then wins */
    if (!gm_ok(env)) return NULL;
    emacs_value r = env->make_float(env, w);
    return gm_ok(env) ? r : NULL;
}

static emacs_value Fsend(emacs_env *env, ptrdiff_t n, emacs_value *a, void *data) {
    (void)n; (void)data;
    const char *fn = "grove-module--send";
    gm_session *s = arg_session(env, a[0], fn, true);
    size_t len;
    char *text = s ? gm_arg_string(env, a[1], fn, "JSON-STRING", &len) : NULL;
    if (!text) return NULL;
    cJSON *msg = cJSON_ParseWithLength(text, len);
    free(text);
    if (!msg || !cJSON_IsObject(msg)) {
        cJSON_Delete(msg);
        return gm_error(env, "%s: JSON-STRING is not a JSON object", fn);
    }
    if (!cJSON_GetObjectItemCaseSensitive(msg, "v")) cJSON_AddNumberToObject(msg, "v", GW_VERSION);
    size_t elen;
    char *enc = gw_encode(msg, &elen);
    cJSON_Delete(msg);
    if (!enc) return gm_error(env, "%s: out of memory", fn);
    char err[256];
    cJSON *valid = gw_decode(enc, elen, GW_DEFAULT_MAX_MSG, err, sizeof err);
    free(enc);
    if (!valid) return gm_error(env, "%s: not a valid message: %s", fn, err);
    gm_session_send(s, valid);
    return gm_sym_get(GM_SYM_T);
}

static emacs_value Fdoc_new(emacs_env *env, ptrdiff_t n, emacs_value *a, void *data) {
    (void)n; (void)data;
    const char *fn = "grove-module--doc-new";
    gm_session *s = arg_session(env, a[0], fn, true);
    if (!s) return NULL;
    char *space = gm_arg_string(env, a[1], fn, "SPACE", NULL);
    bool ok = false;
    char *file = space ? arg_opt_string(env, a[2], fn, "FILE", &ok) : NULL;
    emacs_value result = NULL;
    if (space && ok) {
        char err[256];
        gm_doc *d = NULL;
        if (!*space) gm_error(env, "%s: SPACE is empty", fn);
        else if (!(d = gm_doc_new(s, space, file, err, sizeof err))) gm_error(env, "%s: %s", fn, err);
        if (d) {
            result = env->make_user_ptr(env, doc_fin, d);
            if (!gm_ok(env)) {
                gm_doc_free(&d);
                result = NULL;
            }
        }
    }
    free(space);
    free(file);
    return result;
}

/* A document that can take edits: open, and its session open. */
static gm_doc *arg_live_doc(emacs_env *env, emacs_value v, const char *fn) {
    gm_doc *d = arg_doc(env, v, fn, true);
    if (d && !gm_doc_attached(d)) {
        gm_error(env, "%s: the document's session is closed", fn);
        return NULL;
    }
    return d;
}

static emacs_value Fdoc_reset(emacs_env *env, ptrdiff_t n, emacs_value *a, void *data) {
    (void)n; (void)data;
    const char *fn = "grove-module--doc-reset";
    gm_doc *d = arg_live_doc(env, a[0], fn);
    size_t len;
    char *text = d ? gm_arg_string(env, a[1], fn, "TEXT", &len) : NULL;
    if (!text) return NULL;
    char err[256];
    bool ok = gm_doc_reset(d, text, len, err, sizeof err);
    free(text);
    if (!ok) return gm_error(env, "%s: %s", fn, err);
    return gm_sym_get(GM_SYM_NIL);
}

static emacs_value Fdoc_edit(emacs_env *env, ptrdiff_t n, emacs_value *a, void *data) {
    (void)n; (void)data;
    const char *fn = "grove-module--doc-edit";
    gm_doc *d = arg_live_doc(env, a[0], fn);
    intmax_t beg, end, old;
    if (!d || !gm_arg_int(env, a[1], fn, "BEG", &beg) || !gm_arg_int(env, a[2], fn, "END", &end) ||
        !gm_arg_int(env, a[3], fn, "OLD-LEN", &old))
        return NULL;
    size_t len;
    char *text = gm_arg_string(env, a[4], fn, "TEXT", &len);
    if (!text) return NULL;
    char err[256];
    bool ok = gm_doc_edit(d, (long)beg, (long)end, (long)old, text, len, err, sizeof err);
    free(text);
    if (!ok) return gm_error(env, "%s: %s", fn, err);
    return gm_sym_get(GM_SYM_NIL);
}

static emacs_value Fdoc_locate(emacs_env *env, ptrdiff_t n, emacs_value *a, void *data) {
    (void)n; (void)data;
    const char *fn = "grove-module--doc-locate";
    gm_doc *d = arg_doc(env, a[0], fn, true);
    intmax_t off;
    char *id = d ? gm_arg_string(env, a[1], fn, "FORM-ID", NULL) : NULL;
    if (!id) return NULL;
    if (!gm_arg_int(env, a[2], fn, "OFFSET", &off)) {
        free(id);
        return NULL;
    }
    long out[4];
    bool found = off >= 0 && gd_doc_locate(gm_doc_gd(d), id, (size_t)off, out);
    free(id);
    if (!found) return gm_sym_get(GM_SYM_NIL);
    emacs_value v[4];
    for (int i = 0; i < 4; i++) {
        v[i] = i >= 2 && out[2] == 0 ? gm_sym_get(GM_SYM_NIL) : env->make_integer(env, out[i]);
        if (!gm_ok(env)) return NULL;
    }
    return gm_list(env, v, 4);
}

static emacs_value Fdoc_forms(emacs_env *env, ptrdiff_t n, emacs_value *a, void *data) {
    (void)n; (void)data;
    gm_doc *d = arg_doc(env, a[0], "grove-module--doc-forms", true);
    if (!d) return NULL;
    gd_doc *g = gm_doc_gd(d);
    size_t cnt = gd_doc_count(g);
    if (!cnt) return gm_sym_get(GM_SYM_NIL);
    emacs_value *items = malloc(cnt * sizeof *items);
    if (!items) return gm_error(env, "grove-module--doc-forms: out of memory");
    emacs_value result = NULL;
    for (size_t i = 0; i < cnt; i++) {
        gd_form_info fi;
        gd_doc_form(g, i, &fi);
        emacs_value v[4];
        v[0] = gm_string(env, fi.id, strlen(fi.id));
        if (!v[0]) goto out;
        v[1] = gm_sym_get(fi.live ? GM_SYM_T : GM_SYM_NIL);
        v[2] = env->make_integer(env, fi.start);
        v[3] = env->make_integer(env, fi.end);
        if (!gm_ok(env) || !(items[i] = gm_list(env, v, 4))) goto out;
    }
    result = gm_list(env, items, cnt);
out:
    free(items);
    return result;
}

static emacs_value Fdoc_close(emacs_env *env, ptrdiff_t n, emacs_value *a, void *data) {
    (void)n; (void)data;
    gm_doc *d = arg_doc(env, a[0], "grove-module--doc-close", false);
    if (!d) return NULL;
    gm_doc_close(d);
    return gm_sym_get(GM_SYM_NIL);
}

/* ---- init ---------------------------------------------------------------------------- */

typedef struct fdef {
    const char *name;
    ptrdiff_t min, max;
    emacs_value (*fn)(emacs_env *, ptrdiff_t, emacs_value *, void *);
    const char *doc;
} fdef;

static const fdef fdefs[] = {
    {"grove-module--version", 0, 0, Fversion, "Return the version of grove's module.\n\n(fn)"},
    {"grove-module--open", 4, 4, Fopen,
     "Open a grove session to the broker at ENDPOINT.\n"
     "The session hosts an editor node NODE-ID (nil: \"editor\") whose context\n"
     "map is CONTEXT-EDN (EDN text or nil).  PIPE-PROCESS is a live pipe\n"
     "process (`make-pipe-process'): a byte arrives there whenever messages\n"
     "wait for `grove-module--drain'.  Return the session (a user-ptr).\n\n"
     "(fn ENDPOINT NODE-ID CONTEXT-EDN PIPE-PROCESS)"},
    {"grove-module--close", 1, 1, Fclose,
     "Close SESSION: stop its thread and editor node.  Return nil.\n\n(fn SESSION)"},
    {"grove-module--drain", 1, 1, Fdrain,
     "Return the messages waiting in SESSION, oldest first, as JSON strings.\n"
     "Messages for the editor node are handled and not returned.\n\n(fn SESSION)"},
    {"grove-module--step", 2, 2, Fstep,
     "Run SESSION's editor node for at most BUDGET-MS milliseconds.\n"
     "A non-nil `quit-flag' interrupts the running evaluation.  Return the\n"
     "milliseconds (a float) until the node wants to run again.\n\n(fn SESSION BUDGET-MS)"},
    {"grove-module--send", 2, 2, Fsend,
     "Send the message JSON-STRING (a JSON object) to SESSION's broker.  Return t.\n\n"
     "(fn SESSION JSON-STRING)"},
    {"grove-module--doc-new", 3, 3, Fdoc_new,
     "Return a new document of SESSION for program SPACE, from FILE (or nil).\n\n"
     "(fn SESSION SPACE FILE)"},
    {"grove-module--doc-reset", 2, 2, Fdoc_reset,
     "Set DOC's text to TEXT and push its whole program.  Return nil.\n\n(fn DOC TEXT)"},
    {"grove-module--doc-edit", 5, 5, Fdoc_edit,
     "Apply an edit to DOC: after-change arguments BEG END OLD-LEN, and TEXT\n"
     "between BEG and END.  Push the forms that changed.  Return nil.\n\n"
     "(fn DOC BEG END OLD-LEN TEXT)"},
    {"grove-module--doc-locate", 3, 3, Fdoc_locate,
     "Find the list at byte OFFSET of form FORM-ID in DOC.\n"
     "Return (START END ANN-START ANN-END), buffer positions of the list and\n"
     "of its trailing #_ annotation (nil and nil when none), or nil.\n\n"
     "(fn DOC FORM-ID OFFSET)"},
    {"grove-module--doc-forms", 1, 1, Fdoc_forms,
     "Return DOC's top-level forms as a list of (ID LIVE START END).\n\n(fn DOC)"},
    {"grove-module--doc-close", 1, 1, Fdoc_close,
     "Close DOC and free its memory.  Return nil.\n\n(fn DOC)"},
};

GM_EXPORT int emacs_module_init(struct emacs_runtime *rt) {
    if ((size_t)rt->size < sizeof *rt) return 1;
    emacs_env *env = rt->get_environment(rt);
    if ((size_t)env->size < sizeof(struct emacs_env_28)) return 2; /* needs open_channel */
    /* before any other czmq call: keep Emacs's own signal handling */
    zsys_handler_set(NULL);
    if (!gm_emacs_init(env)) return 3;
    for (size_t i = 0; i < sizeof fdefs / sizeof *fdefs; i++)
        if (!gm_defun(env, fdefs[i].name, fdefs[i].min, fdefs[i].max, fdefs[i].fn, fdefs[i].doc))
            return 3;
    if (!gm_provide(env, "grove-module")) return 3;
    return 0;
}
