/* util.c — growable byte buffers and UTF-8 helpers.
 *
 * gv_buf is plain malloc'd memory, not GC'd: a buffer held across a call
 * that can throw must be freed by a gv_try handler (see gv.h).  Out of
 * memory here aborts: there is no sane way to continue without a buffer,
 * and the VM's OOM error itself needs one. */
#include "gv.h"

void gv_buf_init(gv_buf *b) { b->p = NULL; b->len = b->cap = 0; }

static void buf_reserve(gv_buf *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) { fputs("grove: out of memory\n", stderr); abort(); }
    b->p = p;
    b->cap = cap;
}

void gv_buf_put(gv_buf *b, const char *s, size_t n) {
    buf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void gv_buf_puts(gv_buf *b, const char *s) { gv_buf_put(b, s, strlen(s)); }

void gv_buf_putc(gv_buf *b, char c) {
    buf_reserve(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = 0;
}

void gv_buf_printf(gv_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) { gv_buf_put(b, tmp, (size_t)n); return; }
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void gv_buf_free(gv_buf *b) { free(b->p); gv_buf_init(b); }

/* Owner: the caller frees the returned bytes. */
char *gv_buf_take(gv_buf *b) {
    if (!b->p) buf_reserve(b, 0), b->p[0] = 0;
    char *p = b->p;
    gv_buf_init(b);
    return p;
}

void gv_buf_put_utf8(gv_buf *b, int32_t c) {
    char t[4];
    size_t n;
    if (c < 0 || c > 0x10FFFF) c = 0xFFFD;
    if (c < 0x80) { t[0] = (char)c; n = 1; }
    else if (c < 0x800) { t[0] = (char)(0xC0 | (c >> 6)); t[1] = (char)(0x80 | (c & 0x3F)); n = 2; }
    else if (c < 0x10000) {
        t[0] = (char)(0xE0 | (c >> 12)); t[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        t[2] = (char)(0x80 | (c & 0x3F)); n = 3;
    } else {
        t[0] = (char)(0xF0 | (c >> 18)); t[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((c >> 6) & 0x3F)); t[3] = (char)(0x80 | (c & 0x3F)); n = 4;
    }
    gv_buf_put(b, t, n);
}

int32_t gv_utf8_decode(const char *s, size_t n, int *len) {
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0) { *len = 0; return -1; }
    unsigned c = u[0];
    int need;
    int32_t cp;
    if (c < 0x80) { *len = 1; return (int32_t)c; }
    else if ((c & 0xE0) == 0xC0) { need = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { need = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { need = 3; cp = c & 0x07; }
    else { *len = 1; return 0xFFFD; }
    if ((size_t)need >= n) { *len = 1; return 0xFFFD; }
    for (int i = 1; i <= need; i++) {
        if ((u[i] & 0xC0) != 0x80) { *len = 1; return 0xFFFD; }
        cp = (cp << 6) | (u[i] & 0x3F);
    }
    *len = need + 1;
    return cp;
}

/* The whole file PATH, NUL-terminated, with its length in *LEN (may be
 * NULL).  NULL when it cannot be read (errno tells why).  Owner: the
 * caller (free). */
char *gv_slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        if (n == cap) {
            char *b = realloc(buf, (cap *= 2) + 1);
            if (!b) { free(buf); buf = NULL; break; }
            buf = b;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0) break;
        n += r;
    }
    if (buf && ferror(f)) { free(buf); buf = NULL; }
    fclose(f);
    if (!buf) return NULL;
    buf[n] = 0;
    if (len) *len = n;
    return buf;
}
