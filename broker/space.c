/* space.c — gb_space: one space's program, kept by the broker.
 *
 * The forms are held sorted by (order, id) with an id index; each form
 * keeps the record exactly as it was pushed (unknown fields included), so
 * a node's snapshot holds what the editor sent.  Every change advances the
 * sequence number by one and is reported to a callback, which sends the
 * delta; a push whose record equals the stored one is no change.  Removals
 * are applied (and reported) before additions, so a node applying deltas
 * one by one never holds an old and a new version side by side.  The
 * encoded snapshot is cached until the next change: after a broker restart
 * every node asks for it at once.
 */
#include "broker.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>

/* Owner of the result: the caller (gb_space_destroy). */
gb_space *gb_space_new(const char *name) {
    gb_space *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->name = strdup(name);
    if (!s->name) {
        free(s);
        return NULL;
    }
    return s;
}

static void form_free(gb_form *f) {
    if (!f) return;
    free(f->id);
    cJSON_Delete(f->rec);
    free(f);
}

void gb_space_destroy(gb_space **sp) {
    if (!sp || !*sp) return;
    gb_space *s = *sp;
    for (size_t i = 0; i < s->n; i++) form_free(s->forms[i]);
    free(s->forms);
    gb_map_free(&s->by_id);
    free(s->name);
    free(s->file);
    free(s->snap);
    free(s);
    *sp = NULL;
}

static int form_cmp(double order, const char *id, const gb_form *f) {
    if (order < f->order) return -1;
    if (order > f->order) return 1;
    return strcmp(id, f->id);
}

/* The index where a form with ORDER and ID belongs. */
static size_t form_pos(const gb_space *s, double order, const char *id) {
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (form_cmp(order, id, s->forms[mid]) > 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static size_t form_index(const gb_space *s, const gb_form *f) {
    size_t i = form_pos(s, f->order, f->id);
    return i < s->n && s->forms[i] == f ? i : s->n;
}

static bool form_insert(gb_space *s, gb_form *f) {
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        gb_form **nf = realloc(s->forms, ncap * sizeof *nf);
        if (!nf) return false;
        s->forms = nf;
        s->cap = ncap;
    }
    size_t i = form_pos(s, f->order, f->id);
    memmove(s->forms + i + 1, s->forms + i, (s->n - i) * sizeof *s->forms);
    s->forms[i] = f;
    s->n++;
    return true;
}

static void form_unlink(gb_space *s, gb_form *f) {
    size_t i = form_index(s, f);
    if (i == s->n) return;
    memmove(s->forms + i, s->forms + i + 1, (s->n - i - 1) * sizeof *s->forms);
    s->n--;
}

static void changed(gb_space *s) {
    s->seq++;
    free(s->snap);
    s->snap = NULL;
}

/* Removes the form with ID, reporting it; false when there is none. */
static bool remove_id(gb_space *s, const char *id, gb_change_fn change, void *ctx) {
    gb_form *f = gb_map_del(&s->by_id, id, strlen(id));
    if (!f) return false;
    form_unlink(s, f);
    changed(s);
    change(ctx, s, NULL, f->id);
    form_free(f);
    return true;
}

size_t gb_space_apply(gb_space *s, const cJSON *push, gb_change_fn change, void *ctx) {
    size_t changes = 0;
    const char *file = gw_str(push, "file");
    if (file && (!s->file || strcmp(file, s->file) != 0)) {
        char *nf = strdup(file);
        if (nf) {
            free(s->file);
            s->file = nf;
            free(s->snap); /* the snapshot names the file */
            s->snap = NULL;
        }
    }
    const cJSON *forms = cJSON_GetObjectItemCaseSensitive(push, "forms");

    if (gw_bool(push, "replace", false)) {
        gb_map keep = {0};
        bool ok = true;
        for (const cJSON *r = forms->child; r && ok; r = r->next) {
            const char *id = gw_str(r, "id");
            ok = gb_map_put(&keep, id, strlen(id), (void *)r);
        }
        if (ok) {
            /* collect first: removing changes the array */
            size_t n = 0;
            gb_form **gone = malloc((s->n + 1) * sizeof *gone);
            for (size_t i = 0; gone && i < s->n; i++)
                if (!gb_map_get(&keep, s->forms[i]->id, strlen(s->forms[i]->id)))
                    gone[n++] = s->forms[i];
            for (size_t i = 0; gone && i < n; i++) {
                char *id = strdup(gone[i]->id);
                if (id && remove_id(s, id, change, ctx)) changes++;
                free(id);
            }
            free(gone);
        }
        gb_map_free(&keep);
    }

    const cJSON *remove = cJSON_GetObjectItemCaseSensitive(push, "remove");
    for (const cJSON *r = remove ? remove->child : NULL; r; r = r->next)
        if (remove_id(s, r->valuestring, change, ctx)) changes++;

    for (const cJSON *r = forms->child; r; r = r->next) {
        const char *id = gw_str(r, "id");
        gb_form *f = gb_map_get(&s->by_id, id, strlen(id));
        if (f && cJSON_Compare(f->rec, r, true)) continue;
        cJSON *rec = cJSON_Duplicate(r, true); /* PUSH may live in the decode arena */
        if (!rec) continue;
        double order = gw_num(rec, "order", 0);
        if (f) {
            form_unlink(s, f);
            cJSON_Delete(f->rec);
            f->rec = rec;
            f->order = order;
            if (!form_insert(s, f)) { /* out of memory: forget the form */
                gb_map_del(&s->by_id, f->id, strlen(f->id));
                form_free(f);
                continue;
            }
        } else {
            f = calloc(1, sizeof *f);
            char *fid = f ? strdup(id) : NULL;
            if (!fid) {
                free(f);
                cJSON_Delete(rec);
                continue;
            }
            f->id = fid;
            f->rec = rec;
            f->order = order;
            if (!gb_map_put(&s->by_id, f->id, strlen(f->id), f) || !form_insert(s, f)) {
                gb_map_del(&s->by_id, f->id, strlen(f->id));
                form_free(f);
                continue;
            }
        }
        changed(s);
        change(ctx, s, f->rec, NULL);
        changes++;
    }
    return changes;
}

/* Owner of the result: the caller (free). */
static char *snapshot_text(const char *name, const char *file, const char *epoch, double seq,
                           bool known, gb_form *const *forms, size_t n, size_t *len) {
    cJSON *m = gw_msg("snapshot");
    if (!m) return NULL;
    cJSON_AddStringToObject(m, "space", name);
    if (file) cJSON_AddStringToObject(m, "file", file);
    cJSON_AddStringToObject(m, "epoch", epoch);
    cJSON_AddNumberToObject(m, "seq", seq);
    cJSON_AddBoolToObject(m, "known", known);
    cJSON *arr = cJSON_AddArrayToObject(m, "forms");
    for (size_t i = 0; arr && i < n; i++) cJSON_AddItemReferenceToArray(arr, forms[i]->rec);
    char *text = arr ? gw_encode(m, len) : NULL;
    cJSON_Delete(m); /* the references leave the records alone */
    return text;
}

const char *gb_space_snapshot(gb_space *s, const char *epoch, size_t *len) {
    if (!s->snap)
        s->snap = snapshot_text(s->name, s->file, epoch, (double)s->seq, true, s->forms, s->n,
                                &s->snap_len);
    *len = s->snap_len;
    return s->snap;
}

char *gb_space_unknown_snapshot(const char *name, const char *epoch, size_t *len) {
    return snapshot_text(name, NULL, epoch, 0, false, NULL, 0, len);
}
