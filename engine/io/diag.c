/* diag.c — diagnostics: a capped list of located messages about input, and "did you mean".
 * Invariant: at most `cap` messages are kept, every further one is only counted; a message that
 * cannot be stored for lack of memory is counted as dropped, so errors are never lost silently. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/io_api.h"

#define DIAGS_DEFAULT_CAP 50

struct cx_diags {
    char **msgs;
    size_t n, alloc;
    size_t cap;
    size_t dropped;
};

cx_status cx_diags_create(cx_diags **out) {
    if (!out) return CX_EINVAL;
    *out = calloc(1, sizeof **out);
    if (!*out) return CX_ENOMEM;
    (*out)->cap = DIAGS_DEFAULT_CAP;
    return CX_OK;
}

void cx_diags_destroy(cx_diags *d) {
    if (!d) return;
    for (size_t i = 0; i < d->n; i++) free(d->msgs[i]);
    free(d->msgs);
    free(d);
}

size_t cx_diags_count(const cx_diags *d) { return d ? d->n : 0; }
size_t cx_diags_dropped(const cx_diags *d) { return d ? d->dropped : 0; }

const char *cx_diags_get(const cx_diags *d, size_t i) { return d && i < d->n ? d->msgs[i] : NULL; }

void cx_diags_set_cap(cx_diags *d, size_t cap) {
    if (!d) return;
    while (d->n > cap) {
        free(d->msgs[--d->n]);
        d->dropped++;
    }
    d->cap = cap;
}

static int status_rank(cx_status s) {
    switch (s) {
    case CX_OK: return 0;
    case CX_EINPUT: return 1;
    case CX_ELIMIT: return 2;
    case CX_EIO: return 3;
    default: return 4;
    }
}

cx_status cxi_status_worse(cx_status a, cx_status b) {
    return status_rank(b) > status_rank(a) ? b : a;
}

size_t cxi_diags_total(const cx_diags *d) { return d ? d->n + d->dropped : 0; }
int cxi_diags_full(const cx_diags *d) { return !d || d->n >= d->cap; }

static void diag_vadd(cx_diags *d, const char *path, unsigned line, unsigned col, const char *fmt,
                      va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 0)))
#endif
    ;
static void diag_vadd(cx_diags *d, const char *path, unsigned line, unsigned col, const char *fmt,
                      va_list ap) {
    char loc[64];
    if (line && col)
        snprintf(loc, sizeof loc, ":%u:%u: ", line, col);
    else if (line)
        snprintf(loc, sizeof loc, ":%u: ", line);
    else
        snprintf(loc, sizeof loc, ": ");
    if (!path) path = "";
    if (d->n >= d->cap) {
        d->dropped++;
        return;
    }
    va_list ap2;
    va_copy(ap2, ap);
    int body = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (body < 0) body = 0;
    size_t head = strlen(path) + strlen(loc);
    char *msg = malloc(head + (size_t)body + 1);
    if (!msg) {
        d->dropped++;
        return;
    }
    if (d->n == d->alloc) {
        size_t na = d->alloc ? d->alloc * 2 : 16;
        char **nm = realloc(d->msgs, na * sizeof *nm);
        if (!nm) {
            free(msg);
            d->dropped++;
            return;
        }
        d->msgs = nm;
        d->alloc = na;
    }
    memcpy(msg, path, strlen(path));
    memcpy(msg + strlen(path), loc, strlen(loc));
    vsnprintf(msg + head, (size_t)body + 1, fmt, ap);
    d->msgs[d->n++] = msg;
}

void cxi_diag_add(cx_diags *d, const char *path, unsigned line, unsigned col, const char *fmt,
                  ...) {
    if (!d || !fmt) return;
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, path, line, col, fmt, ap);
    va_end(ap);
}

/* Two-row Levenshtein; rows longer than the stack buffer go to the heap. */
size_t cxi_edit_distance(const char *a, const char *b, size_t cap) {
    size_t la = strlen(a), lb = strlen(b);
    size_t diff = la > lb ? la - lb : lb - la;
    if (diff > cap) return cap + 1;
    size_t stack[2][129];
    size_t *prev = stack[0], *cur = stack[1], *heap = NULL;
    if (lb + 1 > 129) {
        heap = malloc(2 * (lb + 1) * sizeof *heap);
        if (!heap) return cap + 1;
        prev = heap;
        cur = heap + lb + 1;
    }
    for (size_t j = 0; j <= lb; j++) prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t rowmin;
        cur[0] = i;
        rowmin = cur[0];
        int ca = tolower((unsigned char)a[i - 1]);
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (ca != tolower((unsigned char)b[j - 1]));
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            size_t v = sub < del ? sub : del;
            cur[j] = v < ins ? v : ins;
            if (cur[j] < rowmin) rowmin = cur[j];
        }
        if (rowmin > cap) {
            free(heap);
            return cap + 1;
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    size_t r = prev[lb];
    free(heap);
    return r > cap ? cap + 1 : r;
}

const char *cxi_suggest(const char *s, const char *const *candidates, size_t n) {
    if (!s || !candidates) return NULL;
    size_t limit = strlen(s) / 3;
    if (limit < 1) limit = 1;
    const char *best = NULL;
    size_t bestd = limit + 1;
    for (size_t i = 0; i < n; i++) {
        if (!candidates[i]) continue;
        size_t dist = cxi_edit_distance(s, candidates[i], bestd - 1 < limit ? bestd - 1 : limit);
        if (dist < bestd) {
            best = candidates[i];
            bestd = dist;
            if (dist == 0) break;
        }
    }
    return best;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

int cxi_ieqn(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return 0;
        if (!a[i]) return 1;
    }
    return 1;
}

int cxi_ieq(const char *a, const char *b) {
    for (;; a++, b++) {
        if (lower((unsigned char)*a) != lower((unsigned char)*b)) return 0;
        if (!*a) return 1;
    }
}

/* Messages are one line each: control characters are escaped, long text is cut at a UTF-8
 * character boundary and marked with "...". */
const char *cxi_diag_quote(char *buf, size_t n, const char *s) {
    if (!buf || n == 0) return "";
    size_t w = 0;
    if (!s) s = "";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        size_t el;
        if (c == '\n') {
            memcpy(esc, "\\n", 2);
            el = 2;
        } else if (c == '\r') {
            memcpy(esc, "\\r", 2);
            el = 2;
        } else if (c == '\t') {
            memcpy(esc, "\\t", 2);
            el = 2;
        } else if (c < 0x20 || c == 0x7F) {
            snprintf(esc, sizeof esc, "\\x%02X", c);
            el = 4;
        } else {
            esc[0] = (char)c;
            el = 1;
        }
        if (w + el + 4 > n) {
            /* drop a trailing multi-byte character only when it is incomplete */
            size_t lead = w;
            while (lead > 0 && ((unsigned char)buf[lead - 1] & 0xC0) == 0x80) lead--;
            if (lead > 0 && ((unsigned char)buf[lead - 1] & 0xC0) == 0xC0) {
                unsigned char b = (unsigned char)buf[lead - 1];
                size_t need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                if (w - (lead - 1) < need) w = lead - 1;
            }
            if (w + 4 <= n) {
                memcpy(buf + w, "...", 3);
                w += 3;
            }
            break;
        }
        memcpy(buf + w, esc, el);
        w += el;
    }
    buf[w < n ? w : n - 1] = '\0';
    return buf;
}
