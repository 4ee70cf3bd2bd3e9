/* tlread.c — timeline CSV reader (libcsv) with interned strings and periodic state snapshots.
 * Invariant: snapshot s holds, for each entity known after s*K rows, its last row among those rows;
 * only complete lines are parsed (a file being written is re-read from the same byte); reading
 * stops at the first corrupt row, so the rows kept are always a valid prefix of the file. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <csv.h>

#include "io/io_api.h"
#include "kernel/kernel_api.h"
#include "tlread.h"

enum { C_T, C_TIME, C_KIND, C_ENTITY, C_REGION, C_SECTOR, C_STATE, C_VALUE, C_CAUSE, C_XB, C_DEPTH,
       C_TEXT, NCOL };
static const char *const col_names[NCOL] = {"t", "time", "kind", "entity", "region", "sector",
                                            "state", "value", "cause", "cross_border", "depth", "text"};
static const int col_required[NCOL] = {1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0};
static const char *const kind_names[CXV_KIND_COUNT] = {"run", "inject", "asset", "sector", "incident",
                                                       "request", "capacity", "ipcr", "hybrid",
                                                       "decision"};
static const char *const state_names[4] = {"working", "degraded", "failed", "repairing"};

#define MAXF 64               /* fields kept per row; further (extra) columns are ignored */
#define CHUNK (256u * 1024u)  /* read size */
#define DEFAULT_SNAPSHOT_MIN 1024u

struct cxv_timeline {
    char *path;
    char warning[1200];
    cxv_open_opts opts;
    cxv_row *rows;
    size_t nrows, rcap;
    cxv_entity *ents;
    size_t nent, ecap;
    uint32_t *ehash; /* open addressing, entity index or CXV_NONE; size ehcap (power of 2) */
    size_t ehcap;
    char *spool; /* interned strings, NUL-terminated; id i starts at soff[i]; id 0 = "" */
    size_t slen, scap;
    uint32_t *soff;
    size_t nstr, socap;
    uint32_t *shash;
    size_t shcap;
    char *tpool; /* texts, NUL-terminated; offset 0 = "" */
    size_t tlen, tcap;
    size_t K;            /* rows between snapshots (0 until the first build) */
    uint32_t *snap;      /* all snapshots, concatenated */
    size_t snap_len, snap_cap;
    size_t *snap_off;    /* start of snapshot s in snap */
    uint32_t *snap_nent; /* entities stored in snapshot s */
    size_t nsnap, snap_ncap;
    uint32_t *cur;       /* running state at row cur_applied, for building snapshots */
    size_t cur_cap, cur_applied, cur_nent;
    int64_t start;
    int start_known;
    /* parsing */
    struct csv_parser parser;
    int parser_live;
    int delim_known;
    char delim;
    int header_done;
    int col[NCOL];    /* field index of each logical column, -1 when absent */
    unsigned nhdr;
    char *rb;         /* fields of the current record, NUL-separated */
    size_t rblen, rbcap;
    size_t foff[MAXF];
    unsigned fcol[MAXF]; /* 1-based column (byte) where each field starts */
    unsigned nf, nextcol;
    unsigned line, row_line;
    unsigned pline;   /* physical line at the start of the bytes being fed (for quoting errors) */
    int bom_checked;
    int in_tail;      /* parsing the unterminated last line */
    int stop_on_error; /* following: errors go straight to diags */
    int stopped;
    int row_bad;    /* the current row had an error */
    int oom;
    size_t errors;
    unsigned err_line, err_col; /* the first error while opening, kept until we know whether */
    char err_msg[600];          /* rows before it make it a warning or nothing is usable */
    int64_t last_t;
    long long consumed; /* bytes of the file fed to the parser */
    FILE *f;            /* kept open while following */
    cx_diags *diags;
};

cxv_open_opts cxv_open_opts_default(void) {
    cxv_open_opts o = {0, DEFAULT_SNAPSHOT_MIN};
    return o;
}

const char *cxv_kind_name(cxv_kind k) { return (unsigned)k < CXV_KIND_COUNT ? kind_names[k] : "?"; }

/* ---- growable arrays ------------------------------------------------------------------------ */

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 16;
    while (nc < need) {
        if (nc > SIZE_MAX / 2 / elem) return -1;
        nc *= 2;
    }
    void *np = realloc(*p, nc * elem);
    if (!np) return -1;
    *p = np;
    *cap = nc;
    return 0;
}

/* ---- interned strings ----------------------------------------------------------------------- */

static uint64_t hash_bytes(const char *s, size_t n) { return cxi_fnv1a(CXI_FNV_OFFSET, s, n); }

static int shash_rebuild(cxv_timeline *tl, size_t cap) {
    uint32_t *h = malloc(cap * sizeof *h);
    if (!h) return -1;
    for (size_t i = 0; i < cap; i++) h[i] = CXV_NONE;
    for (size_t id = 0; id < tl->nstr; id++) {
        const char *s = tl->spool + tl->soff[id];
        size_t j = (size_t)hash_bytes(s, strlen(s)) & (cap - 1);
        while (h[j] != CXV_NONE) j = (j + 1) & (cap - 1);
        h[j] = (uint32_t)id;
    }
    free(tl->shash);
    tl->shash = h;
    tl->shcap = cap;
    return 0;
}

static uint32_t intern(cxv_timeline *tl, const char *s, size_t n) {
    if ((tl->nstr + 1) * 2 > tl->shcap && shash_rebuild(tl, tl->shcap ? tl->shcap * 2 : 1024)) return CXV_NONE;
    size_t j = (size_t)hash_bytes(s, n) & (tl->shcap - 1);
    while (tl->shash[j] != CXV_NONE) {
        const char *c = tl->spool + tl->soff[tl->shash[j]];
        if (!strncmp(c, s, n) && c[n] == '\0') return tl->shash[j]; /* s holds no NUL */
        j = (j + 1) & (tl->shcap - 1);
    }
    if (tl->nstr >= UINT32_MAX - 1 || tl->slen + n + 1 > UINT32_MAX) return CXV_NONE;
    if (grow((void **)&tl->spool, &tl->scap, tl->slen + n + 1, 1) ||
        grow((void **)&tl->soff, &tl->socap, tl->nstr + 1, sizeof *tl->soff))
        return CXV_NONE;
    memcpy(tl->spool + tl->slen, s, n);
    tl->spool[tl->slen + n] = '\0';
    tl->soff[tl->nstr] = (uint32_t)tl->slen;
    tl->slen += n + 1;
    tl->shash[j] = (uint32_t)tl->nstr;
    return (uint32_t)tl->nstr++;
}

const char *cxv_str(const cxv_timeline *tl, uint32_t id) {
    return id < tl->nstr ? tl->spool + tl->soff[id] : "";
}

/* ---- entities -------------------------------------------------------------------------------- */

static size_t ent_hash(unsigned kind, uint32_t name, uint32_t region) {
    uint64_t h = ((uint64_t)name * UINT64_C(0x9E3779B97F4A7C15)) ^ ((uint64_t)region << 7) ^ kind;
    h ^= h >> 29;
    h *= UINT64_C(0xBF58476D1CE4E5B9);
    h ^= h >> 32;
    return (size_t)h;
}

static int ehash_rebuild(cxv_timeline *tl, size_t cap) {
    uint32_t *h = malloc(cap * sizeof *h);
    if (!h) return -1;
    for (size_t i = 0; i < cap; i++) h[i] = CXV_NONE;
    for (size_t e = 0; e < tl->nent; e++) {
        const cxv_entity *en = &tl->ents[e];
        size_t j = ent_hash(en->kind, en->name, en->region) & (cap - 1);
        while (h[j] != CXV_NONE) j = (j + 1) & (cap - 1);
        h[j] = (uint32_t)e;
    }
    free(tl->ehash);
    tl->ehash = h;
    tl->ehcap = cap;
    return 0;
}

static uint32_t entity_get(cxv_timeline *tl, unsigned kind, uint32_t name, uint32_t region,
                           uint32_t sector) {
    if ((tl->nent + 1) * 2 > tl->ehcap && ehash_rebuild(tl, tl->ehcap ? tl->ehcap * 2 : 1024)) return CXV_NONE;
    size_t j = ent_hash(kind, name, region) & (tl->ehcap - 1);
    while (tl->ehash[j] != CXV_NONE) {
        const cxv_entity *en = &tl->ents[tl->ehash[j]];
        if (en->kind == kind && en->name == name && en->region == region) return tl->ehash[j];
        j = (j + 1) & (tl->ehcap - 1);
    }
    if (tl->nent >= UINT32_MAX - 1 || grow((void **)&tl->ents, &tl->ecap, tl->nent + 1, sizeof *tl->ents))
        return CXV_NONE;
    cxv_entity *en = &tl->ents[tl->nent];
    en->kind = (uint8_t)kind;
    en->name = name;
    en->region = region;
    en->sector = sector;
    tl->ehash[j] = (uint32_t)tl->nent;
    return (uint32_t)tl->nent++;
}

static uint32_t lookup_str(const cxv_timeline *tl, const char *s) {
    if (!tl->shcap) return CXV_NONE;
    size_t n = strlen(s);
    size_t j = (size_t)hash_bytes(s, n) & (tl->shcap - 1);
    while (tl->shash[j] != CXV_NONE) {
        if (!strcmp(tl->spool + tl->soff[tl->shash[j]], s)) return tl->shash[j];
        j = (j + 1) & (tl->shcap - 1);
    }
    return CXV_NONE;
}

int64_t cxv_timeline_find(const cxv_timeline *tl, cxv_kind kind, const char *name, const char *region) {
    uint32_t nid = lookup_str(tl, name ? name : "");
    if (nid == CXV_NONE) return -1;
    if (region) {
        uint32_t rid = lookup_str(tl, region);
        if (rid == CXV_NONE || !tl->ehcap) return -1;
        size_t j = ent_hash((unsigned)kind, nid, rid) & (tl->ehcap - 1);
        while (tl->ehash[j] != CXV_NONE) {
            const cxv_entity *en = &tl->ents[tl->ehash[j]];
            if (en->kind == (uint8_t)kind && en->name == nid && en->region == rid) return tl->ehash[j];
            j = (j + 1) & (tl->ehcap - 1);
        }
        return -1;
    }
    for (size_t e = 0; e < tl->nent; e++)
        if (tl->ents[e].kind == (uint8_t)kind && tl->ents[e].name == nid) return (int64_t)e;
    return -1;
}

/* ---- row parsing ----------------------------------------------------------------------------- */

static const char *field(const cxv_timeline *tl, int c) {
    int i = tl->col[c];
    if (i < 0 || (unsigned)i >= tl->nf || i >= MAXF) return "";
    return tl->rb + tl->foff[i];
}

static unsigned field_col(const cxv_timeline *tl, int c) {
    int i = tl->col[c];
    if (i < 0 || (unsigned)i >= tl->nf || i >= MAXF) return tl->nextcol;
    return tl->fcol[i];
}

/* A cell as quoted in a message: at most 40 bytes (cut on a UTF-8 boundary, then "..."), control
 * bytes as '?', so binary junk cannot garble the terminal or make a message huge. */
static const char *shown(const char *s, char buf[48]) {
    size_t n = 0;
    for (; s[n] && n < 40; n++) buf[n] = (unsigned char)s[n] < 0x20 || s[n] == 0x7f ? '?' : s[n];
    if (s[n]) {
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
        memcpy(buf + n, "...", 4);
    } else {
        buf[n] = '\0';
    }
    return buf;
}

/* Every error goes through here. Following: the message goes to diags. Opening: the first one is
 * kept; cxv_timeline_open turns it into a warning when rows precede it, else into the error.
 * Either way reading stops, so the rows kept are a valid prefix. */
static void fail(cxv_timeline *tl, unsigned line, unsigned col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static void fail(cxv_timeline *tl, unsigned line, unsigned col, const char *fmt, ...) {
    char msg[sizeof tl->err_msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (tl->stop_on_error) {
        cxi_diag_add(tl->diags, tl->path, line, col, "%s", msg);
    } else if (!tl->errors) {
        tl->err_line = line;
        tl->err_col = col;
        memcpy(tl->err_msg, msg, sizeof msg);
    }
    tl->errors++;
    tl->stopped = 1;
}

static void row_error(cxv_timeline *tl, int c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void row_error(cxv_timeline *tl, int c, const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (tl->in_tail) {
        if (!tl->warning[0])
            snprintf(tl->warning, sizeof tl->warning,
                     "%s:%u: last line is incomplete (column '%s': %s); ignored", tl->path,
                     tl->row_line, col_names[c], msg);
    } else {
        fail(tl, tl->row_line, field_col(tl, c), "column '%s': %s", col_names[c], msg);
    }
    tl->row_bad = 1;
}

static int parse_int(const char *s, long long lo, long long hi, long long *out) {
    char *end;
    if (!*s) return -1;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* The engine's parser: strict (no hex, inf, nan) and independent of the locale's radix. */
static int parse_real(const char *s, char delim, double *out) {
    return cxi_number_parse(s, delim == ';', out, NULL);
}

static void header_row(cxv_timeline *tl) {
    for (int c = 0; c < NCOL; c++) tl->col[c] = -1;
    tl->nhdr = tl->nf;
    for (unsigned i = 0; i < tl->nf && i < MAXF; i++) {
        const char *h = tl->rb + tl->foff[i];
        for (int c = 0; c < NCOL; c++)
            if (!strcasecmp(h, col_names[c]) && tl->col[c] < 0) tl->col[c] = (int)i;
    }
    tl->header_done = 1;
    char missing[128] = "";
    int first = -1;
    for (int c = 0; c < NCOL; c++)
        if (col_required[c] && tl->col[c] < 0) {
            if (first < 0) first = c;
            else {
                size_t l = strlen(missing);
                snprintf(missing + l, sizeof missing - l, ", '%s'", col_names[c]);
            }
        }
    if (first >= 0) /* nothing after a wrong header can be read */
        fail(tl, tl->row_line, 1,
             "column '%s': missing from the header%s%s (expected a crisim timeline: "
             "t,time,kind,entity,region,sector,state,value,cause,cross_border,depth,text)",
             col_names[first], missing[0] ? ", and so are" : "", missing[0] ? missing + 1 : "");
}

static void data_row(cxv_timeline *tl) {
    tl->row_bad = 0;
    if (tl->nf != tl->nhdr) {
        int c = C_T;
        if (tl->nf < tl->nhdr) {
            /* name the first column that is missing */
            for (int k = 0; k < NCOL; k++)
                if (tl->col[k] >= (int)tl->nf && (c == C_T || tl->col[k] < tl->col[c])) c = k;
        }
        if (tl->in_tail && !tl->warning[0]) {
            snprintf(tl->warning, sizeof tl->warning,
                     "%s:%u: last line is incomplete (%u of %u fields); ignored", tl->path,
                     tl->row_line, tl->nf, tl->nhdr);
            return;
        }
        row_error(tl, c, "row has %u fields, the header has %u", tl->nf, tl->nhdr);
        return;
    }
    long long t = 0, xb = 0, depth = 0;
    double value = 0;
    int kind = -1;
    char sb[48];
    if (parse_int(field(tl, C_T), INT64_MIN / 4, INT64_MAX / 4, &t))
        row_error(tl, C_T, "'%s' is not an integer (expected seconds from T0)", shown(field(tl, C_T), sb));
    else if (tl->nrows > 0 && t < tl->last_t)
        row_error(tl, C_T, "%lld is earlier than the previous row's %" PRId64
                  " (expected rows in time order)", t, tl->last_t);
    const char *k = field(tl, C_KIND);
    for (int i = 0; i < CXV_KIND_COUNT; i++)
        if (!strcmp(k, kind_names[i])) kind = i;
    if (kind < 0)
        row_error(tl, C_KIND, "unknown kind '%s' (expected run, inject, asset, sector, incident, request, "
                  "capacity, ipcr, hybrid or decision)", shown(k, sb));
    if (parse_real(field(tl, C_VALUE), tl->delim, &value))
        row_error(tl, C_VALUE, "'%s' is not a number (expected operability in [0,1])",
                  shown(field(tl, C_VALUE), sb));
    const char *s = field(tl, C_XB);
    if (*s && (parse_int(s, 0, 1, &xb)))
        row_error(tl, C_XB, "'%s' is not 0 or 1", shown(s, sb));
    s = field(tl, C_DEPTH);
    if (*s && parse_int(s, 0, INT32_MAX, &depth))
        row_error(tl, C_DEPTH, "'%s' is not a cascade depth (expected an integer >= 0)", shown(s, sb));
    if (tl->row_bad) return;

    if (!tl->start_known && *field(tl, C_TIME)) {
        int64_t u;
        cxi_parse_err pe;
        if (cxi_datetime_parse(field(tl, C_TIME), &u, &pe) == 0) {
            tl->start = u - (int64_t)t;
            tl->start_known = 1;
        }
    }
    const char *name = field(tl, C_ENTITY), *region = field(tl, C_REGION);
    const char *sector = field(tl, C_SECTOR), *state = field(tl, C_STATE);
    const char *cause = field(tl, C_CAUSE), *text = field(tl, C_TEXT);
    uint32_t nid = intern(tl, name, strlen(name)), rid = intern(tl, region, strlen(region));
    uint32_t sid = intern(tl, sector, strlen(sector)), stid = intern(tl, state, strlen(state));
    uint32_t cid = intern(tl, cause, strlen(cause));
    if (nid == CXV_NONE || rid == CXV_NONE || sid == CXV_NONE || stid == CXV_NONE || cid == CXV_NONE) {
        tl->oom = 1;
        return;
    }
    uint32_t e = entity_get(tl, (unsigned)kind, nid, rid, sid);
    if (e == CXV_NONE || tl->nrows >= UINT32_MAX - 1 ||
        grow((void **)&tl->rows, &tl->rcap, tl->nrows + 1, sizeof *tl->rows)) {
        tl->oom = 1;
        return;
    }
    uint32_t toff = 0;
    size_t tn = strlen(text);
    if (tn) {
        if (tl->tlen + tn + 1 > UINT32_MAX || grow((void **)&tl->tpool, &tl->tcap, tl->tlen + tn + 1, 1)) {
            tl->oom = 1;
            return;
        }
        toff = (uint32_t)tl->tlen;
        memcpy(tl->tpool + tl->tlen, text, tn + 1);
        tl->tlen += tn + 1;
    }
    cxv_row *r = &tl->rows[tl->nrows++];
    r->t = (int64_t)t;
    r->entity = e;
    r->state = stid;
    r->cause = cid;
    r->text = toff;
    r->value = (float)value;
    r->depth = (uint16_t)(depth > 65535 ? 65535 : depth);
    r->cross_border = (uint8_t)xb;
    r->st = CXV_ST_OTHER;
    for (int i = 0; i < 4; i++)
        if (!strcmp(state, state_names[i])) r->st = (uint8_t)i;
    tl->last_t = (int64_t)t;
}

/* libcsv callbacks: cb_field per field, cb_end per record end and (CSV_REPALL_NL) per newline. */
static void cb_field(void *s, size_t len, void *ud) {
    cxv_timeline *tl = ud;
    const char *p = s ? s : "";
    if (tl->stopped) return;
    if (tl->nf == 0) {
        tl->row_line = tl->line;
        tl->rblen = 0;
        tl->nextcol = 1;
    }
    if (tl->nf < MAXF) {
        if (grow((void **)&tl->rb, &tl->rbcap, tl->rblen + len + 1, 1)) {
            tl->oom = 1;
            tl->stopped = 1;
            return;
        }
        tl->foff[tl->nf] = tl->rblen;
        tl->fcol[tl->nf] = tl->nextcol;
        memcpy(tl->rb + tl->rblen, p, len);
        tl->rb[tl->rblen + len] = '\0';
        tl->rblen += len + 1;
    }
    /* The writer quotes fields holding a delimiter, quote or newline: recompute the width so the
     * next field's column is exact for files it wrote. */
    unsigned width = (unsigned)len, quotes = 0, quoted = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '\n') tl->line++;
        if (p[i] == '"') quotes++;
        if (p[i] == '"' || p[i] == '\n' || p[i] == '\r' || p[i] == tl->delim)
            quoted = 1;
    }
    if (quoted) width += 2 + quotes;
    tl->nextcol += width + 1;
    tl->nf++;
}

static void cb_end(int c, void *ud) {
    cxv_timeline *tl = ud;
    if (tl->nf > 0 && !tl->stopped) {
        if (!tl->header_done) header_row(tl);
        else data_row(tl);
        if (tl->oom) tl->stopped = 1;
    }
    tl->nf = 0;
    if (c == '\n') tl->line++;
}

/* ---- snapshots ------------------------------------------------------------------------------ */

static int take_snapshots(cxv_timeline *tl) {
    size_t kmin = tl->opts.snapshot_min ? tl->opts.snapshot_min : DEFAULT_SNAPSHOT_MIN;
    if (tl->K && tl->nent > 2 * tl->K) {
        /* a followed file brought many new entities: with the old K snapshots would cost more
         * than 4 bytes per row, so rebuild them all with K = entities (amortised O(rows)) */
        tl->K = 0;
        tl->nsnap = tl->snap_len = 0;
        tl->cur_applied = tl->cur_nent = 0;
    }
    if (!tl->K) tl->K = tl->nent > kmin ? tl->nent : kmin;
    if (grow((void **)&tl->cur, &tl->cur_cap, tl->nent ? tl->nent : 1, sizeof *tl->cur)) return -1;
    for (size_t i = tl->cur_nent; i < tl->nent; i++) tl->cur[i] = CXV_NONE; /* new: absent */
    tl->cur_nent = tl->nent;
    while (tl->cur_applied < tl->nrows) {
        if (tl->cur_applied % tl->K == 0 && tl->cur_applied / tl->K == tl->nsnap) {
            size_t n = tl->nent;
            if (grow((void **)&tl->snap, &tl->snap_cap, tl->snap_len + n, sizeof *tl->snap) ||
                grow((void **)&tl->snap_off, &tl->snap_ncap, tl->nsnap + 1, sizeof *tl->snap_off))
                return -1;
            size_t ncap2 = tl->snap_ncap;
            uint32_t *nn = realloc(tl->snap_nent, ncap2 * sizeof *nn);
            if (!nn) return -1;
            tl->snap_nent = nn;
            memcpy(tl->snap + tl->snap_len, tl->cur, n * sizeof *tl->cur);
            tl->snap_off[tl->nsnap] = tl->snap_len;
            tl->snap_nent[tl->nsnap] = (uint32_t)n;
            tl->snap_len += n;
            tl->nsnap++;
        }
        tl->cur[tl->rows[tl->cur_applied].entity] = (uint32_t)tl->cur_applied;
        tl->cur_applied++;
    }
    return 0;
}

/* ---- reading --------------------------------------------------------------------------------- */

static void detect_delim(cxv_timeline *tl, const char *p, size_t n) {
    size_t commas = 0, semis = 0;
    for (size_t i = 0; i < n && p[i] != '\n'; i++) {
        if (p[i] == ',') commas++;
        if (p[i] == ';') semis++;
    }
    tl->delim = semis > commas ? ';' : ',';
    csv_set_delim(&tl->parser, (unsigned char)tl->delim);
    tl->delim_known = 1;
}

static unsigned count_nl(const char *p, size_t n) {
    unsigned k = 0;
    for (const char *e = p + n; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++) k++;
    return k;
}

/* p starts at the beginning of a physical line (tl->pline): every caller feeds whole lines. */
static int feed(cxv_timeline *tl, const char *p, size_t n) {
    if (!tl->delim_known) detect_delim(tl, p, n);
    size_t done = csv_parse(&tl->parser, p, n, cb_field, cb_end, tl);
    tl->consumed += (long long)done;
    if (done < n && !tl->stopped) {
        if (csv_error(&tl->parser) == CSV_ENOMEM) {
            tl->oom = 1;
            tl->stopped = 1;
        } else {
            size_t ls = done;
            while (ls > 0 && p[ls - 1] != '\n') ls--;
            size_t col = done - ls + 1;
            fail(tl, tl->pline + count_nl(p, ls), col > UINT32_MAX ? 0 : (unsigned)col,
                 "malformed quoting (a quote inside an unquoted field, or text after a "
                 "closing quote; expected RFC 4180 CSV)");
        }
        return -1;
    }
    tl->pline += count_nl(p, n);
    return 0;
}

/* A line ends at LF or at CR (libcsv ends a record at both): splitting at either keeps a CR-only
 * file read the same whole and in parts (following). */
static int has_eol(const char *p, size_t n) { return memchr(p, '\n', n) || memchr(p, '\r', n); }

/* Bytes after the last line end read so far: not parsed yet (a line still being written). */
typedef struct {
    char *b;
    size_t n, cap;
} pending;

static int append(pending *pd, const char *p, size_t n) {
    if (grow((void **)&pd->b, &pd->cap, pd->n + n + 1, 1)) return -1;
    if (n) memcpy(pd->b + pd->n, p, n);
    pd->n += n;
    return 0;
}

/* Takes the next n bytes (file offset tl->consumed + pd->n): strips a BOM at the start of the file,
 * parses every complete line, keeps the rest in pd. Lines are never split between two csv_parse
 * calls, so a message's line and column come from the bytes at hand. -1 on OOM. */
static int take(cxv_timeline *tl, pending *pd, const char *p, size_t n) {
    int in_pd = 0;
    if (pd->n) { /* a line spans chunks: join them; pd holds no line end, so look in p only */
        size_t old = pd->n;
        if (append(pd, p, n)) return -1;
        if (!has_eol(pd->b + old, n) && (tl->bom_checked || pd->n < 3)) return 0;
        p = pd->b;
        n = pd->n;
        in_pd = 1;
    }
    if (!tl->bom_checked && tl->consumed == 0) {
        if (n < 3) return in_pd ? 0 : append(pd, p, n);
        tl->bom_checked = 1;
        if (!memcmp(p, "\xEF\xBB\xBF", 3)) {
            p += 3;
            n -= 3;
            tl->consumed += 3;
        }
    }
    size_t last = n;
    while (last > 0 && p[last - 1] != '\n' && p[last - 1] != '\r') last--;
    if (last) feed(tl, p, last);
    if (in_pd) {
        memmove(pd->b, p + last, n - last);
        pd->n = n - last;
        return 0;
    }
    return append(pd, p + last, n - last);
}

/* Following keeps the file open, so a run that renames its output folder when it ends
 * (out.tmp-PID -> out) is still read to its last row. */
static void release(cxv_timeline *tl, FILE *f) {
    if (f != tl->f) fclose(f);
}

/* Reads from byte `consumed` to EOF, parses complete lines, leaves the rest in pd (empty on entry). */
static cx_status read_more(cxv_timeline *tl, pending *pd) {
    FILE *f = tl->f ? tl->f : fopen(tl->path, "rb");
    if (!f) {
        cxi_diag_add(tl->diags, tl->path, 0, 0, "cannot open the timeline (%s)",
                     errno == ENOENT ? "no such file" : "permission denied or not a file");
        return CX_EIO;
    }
    if (tl->opts.follow) tl->f = f;
    clearerr(f);
    if (fseeko(f, (off_t)tl->consumed, SEEK_SET) != 0) {
        release(tl, f);
        return CX_EIO;
    }
    char *buf = malloc(CHUNK);
    cx_status st = CX_OK;
    if (!buf) {
        release(tl, f);
        return CX_ENOMEM;
    }
    while (!tl->stopped) {
        size_t n = fread(buf, 1, CHUNK, f);
        if (n == 0) {
            if (ferror(f)) st = CX_EIO;
            break;
        }
        if (take(tl, pd, buf, n)) {
            st = CX_ENOMEM;
            break;
        }
    }
    release(tl, f);
    free(buf);
    if (st == CX_OK && tl->oom) st = CX_ENOMEM;
    return st;
}

/* The unterminated last line, parsed leniently: a problem there is a warning (a truncated copy). */
static void tail_done(cxv_timeline *tl, const pending *pd) {
    tl->in_tail = 1;
    if (pd->n) feed(tl, pd->b, pd->n);
    unsigned line = tl->line;
    if (!tl->stopped && csv_fini(&tl->parser, cb_field, cb_end, tl) != 0 && !tl->warning[0] && !tl->oom)
        snprintf(tl->warning, sizeof tl->warning,
                 "%s:%u: last line ends inside a quoted field (truncated file?); ignored", tl->path,
                 tl->row_line ? tl->row_line : line);
    csv_free(&tl->parser);
    tl->parser_live = 0;
    tl->in_tail = 0;
}

static cx_status create(const char *path, const cxv_open_opts *opts, cxv_timeline **out) {
    cxv_timeline *tl = calloc(1, sizeof *tl);
    if (!tl) return CX_ENOMEM;
    tl->opts = opts ? *opts : cxv_open_opts_default();
    tl->path = strdup(path);
    tl->tpool = malloc(64);
    if (!tl->path || !tl->tpool || csv_init(&tl->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL)) {
        free(tl->path);
        free(tl->tpool);
        free(tl);
        return CX_ENOMEM;
    }
    tl->parser_live = 1;
    tl->tpool[0] = '\0';
    tl->tlen = 1;
    tl->tcap = 64;
    tl->line = tl->pline = 1;
    if (intern(tl, "", 0) != 0) {
        cxv_timeline_close(tl);
        return CX_ENOMEM;
    }
    *out = tl;
    return CX_OK;
}

/* After the bytes were read: the first error becomes a warning when rows precede it (they are a
 * valid prefix: the state they give is what the run had then), the error when none does. */
static cx_status finish_open(cxv_timeline *tl, cx_status st, pending *pd, cxv_timeline **out,
                             cx_diags *diags) {
    if (st == CX_OK && !tl->opts.follow && !tl->stopped) tail_done(tl, pd);
    free(pd->b);
    if (st == CX_OK && tl->oom) st = CX_ENOMEM;
    if (st == CX_OK && tl->errors && tl->nrows == 0) {
        cxi_diag_add(diags, tl->path, tl->err_line, tl->err_col, "%s", tl->err_msg);
        st = CX_EINPUT;
    } else if (st == CX_OK && tl->errors) {
        char loc[32] = "";
        if (tl->err_col) snprintf(loc, sizeof loc, ":%u", tl->err_col);
        snprintf(tl->warning, sizeof tl->warning,
                 "%s:%u%s: %s; reading stopped there: the %zu row%s before it %s shown", tl->path,
                 tl->err_line, loc, tl->err_msg, tl->nrows, tl->nrows == 1 ? "" : "s",
                 tl->nrows == 1 ? "is" : "are");
    } else if (st == CX_OK && !tl->header_done && !tl->opts.follow) {
        /* following, an empty file is a run that has not written its header yet */
        cxi_diag_add(diags, tl->path, 1, 1, "column 't': empty file (expected the header "
                                            "t,time,kind,entity,region,sector,state,value,cause,"
                                            "cross_border,depth,text)");
        st = CX_EINPUT;
    }
    if (st == CX_OK && take_snapshots(tl)) st = CX_ENOMEM;
    tl->diags = NULL;
    if (st != CX_OK) {
        cxv_timeline_close(tl);
        return st;
    }
    tl->errors = 0;
    *out = tl;
    return CX_OK;
}

cx_status cxv_timeline_open(const char *path, const cxv_open_opts *opts, cxv_timeline **out,
                            cx_diags *diags) {
    if (!path || !out) return CX_EINVAL;
    *out = NULL;
    cxv_timeline *tl = NULL;
    cx_status st = create(path, opts, &tl);
    if (st != CX_OK) return st;
    tl->diags = diags;
    pending pd = {NULL, 0, 0};
    return finish_open(tl, read_more(tl, &pd), &pd, out, diags);
}

cx_status cxv_timeline_open_mem(const char *name, const void *data, size_t n,
                                const cxv_open_opts *opts, cxv_timeline **out, cx_diags *diags) {
    if (!name || !out || (!data && n)) return CX_EINVAL;
    *out = NULL;
    cxv_open_opts o = opts ? *opts : cxv_open_opts_default();
    o.follow = 0; /* there is no file to follow */
    cxv_timeline *tl = NULL;
    cx_status st = create(name, &o, &tl);
    if (st != CX_OK) return st;
    tl->diags = diags;
    pending pd = {NULL, 0, 0};
    if (n && take(tl, &pd, data, n)) st = CX_ENOMEM;
    return finish_open(tl, st, &pd, out, diags);
}

cx_status cxv_timeline_follow(cxv_timeline *tl, size_t *added, cx_diags *diags) {
    if (!tl) return CX_EINVAL;
    if (added) *added = 0;
    if (!tl->parser_live || tl->stopped) return CX_OK;
    size_t before = tl->nrows;
    tl->diags = diags;
    tl->stop_on_error = 1;
    pending pd = {NULL, 0, 0};
    cx_status st = read_more(tl, &pd);
    free(pd.b);
    if (st == CX_OK && tl->errors) st = CX_EINPUT;
    if (take_snapshots(tl) && st == CX_OK) st = CX_ENOMEM;
    tl->diags = NULL;
    if (added) *added = tl->nrows - before;
    return st;
}

int cxv_timeline_replaced(const cxv_timeline *tl) {
    struct stat open_st, path_st;
    if (!tl || !tl->f || fstat(fileno(tl->f), &open_st) != 0 || stat(tl->path, &path_st) != 0)
        return 0;
    return open_st.st_ino != path_st.st_ino || open_st.st_dev != path_st.st_dev ||
           (long long)path_st.st_size < tl->consumed;
}

void cxv_timeline_close(cxv_timeline *tl) {
    if (!tl) return;
    if (tl->parser_live) csv_free(&tl->parser);
    if (tl->f) fclose(tl->f);
    free(tl->path);
    free(tl->rows);
    free(tl->ents);
    free(tl->ehash);
    free(tl->spool);
    free(tl->soff);
    free(tl->shash);
    free(tl->tpool);
    free(tl->snap);
    free(tl->snap_off);
    free(tl->snap_nent);
    free(tl->cur);
    free(tl->rb);
    free(tl);
}

/* ---- queries --------------------------------------------------------------------------------- */

const char *cxv_timeline_warning(const cxv_timeline *tl) { return tl->warning; }
const char *cxv_timeline_path(const cxv_timeline *tl) { return tl->path; }
size_t cxv_timeline_rows(const cxv_timeline *tl) { return tl->nrows; }
const cxv_row *cxv_timeline_row(const cxv_timeline *tl, size_t i) {
    return i < tl->nrows ? &tl->rows[i] : NULL;
}
size_t cxv_timeline_entities(const cxv_timeline *tl) { return tl->nent; }
const cxv_entity *cxv_timeline_entity(const cxv_timeline *tl, uint32_t e) {
    return e < tl->nent ? &tl->ents[e] : NULL;
}
const char *cxv_row_text(const cxv_timeline *tl, const cxv_row *r) {
    return r->text < tl->tlen ? tl->tpool + r->text : "";
}
int64_t cxv_timeline_start(const cxv_timeline *tl, int *known) {
    if (known) *known = tl->start_known;
    return tl->start;
}
int64_t cxv_timeline_first_t(const cxv_timeline *tl) { return tl->nrows ? tl->rows[0].t : 0; }
int64_t cxv_timeline_last_t(const cxv_timeline *tl) { return tl->nrows ? tl->rows[tl->nrows - 1].t : 0; }
size_t cxv_timeline_snapshot_every(const cxv_timeline *tl) { return tl->K; }

size_t cxv_timeline_bytes(const cxv_timeline *tl) {
    return sizeof *tl + tl->rcap * sizeof *tl->rows + tl->ecap * sizeof *tl->ents +
           tl->ehcap * 4 + tl->scap + tl->socap * 4 + tl->shcap * 4 + tl->tcap + tl->snap_cap * 4 +
           tl->snap_ncap * (sizeof(size_t) + 4) + tl->cur_cap * 4 + tl->rbcap;
}

size_t cxv_timeline_upto(const cxv_timeline *tl, int64_t T) {
    size_t lo = 0, hi = tl->nrows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tl->rows[mid].t <= T) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

int cxv_timeline_next(const cxv_timeline *tl, int64_t T, unsigned kind_mask, int64_t *out) {
    for (size_t i = cxv_timeline_upto(tl, T); i < tl->nrows; i++) {
        unsigned k = tl->ents[tl->rows[i].entity].kind;
        if (!kind_mask || (kind_mask & (1u << k))) {
            *out = tl->rows[i].t;
            return 1;
        }
    }
    return 0;
}

int cxv_timeline_prev(const cxv_timeline *tl, int64_t T, unsigned kind_mask, int64_t *out) {
    if (T == INT64_MIN) return 0;
    for (size_t i = cxv_timeline_upto(tl, T - 1); i > 0; i--) {
        unsigned k = tl->ents[tl->rows[i - 1].entity].kind;
        if (!kind_mask || (kind_mask & (1u << k))) {
            *out = tl->rows[i - 1].t;
            return 1;
        }
    }
    return 0;
}

/* ---- state ----------------------------------------------------------------------------------- */

void cxv_state_init(cxv_state *st) { memset(st, 0, sizeof *st); }
void cxv_state_free(cxv_state *st) {
    free(st->last);
    memset(st, 0, sizeof *st);
}

static int state_fit(cxv_state *st, size_t nent) {
    if (grow((void **)&st->last, &st->cap, nent ? nent : 1, sizeof *st->last)) return -1;
    for (size_t i = st->nent; i < nent; i++) st->last[i] = CXV_NONE;
    st->nent = nent;
    return 0;
}

static void apply(cxv_state *st, const cxv_timeline *tl, size_t upto) {
    for (size_t i = st->applied; i < upto; i++) st->last[tl->rows[i].entity] = (uint32_t)i;
    st->applied = upto;
}

cx_status cxv_state_seek(cxv_state *st, const cxv_timeline *tl, int64_t T) {
    if (!st || !tl) return CX_EINVAL;
    if (state_fit(st, tl->nent)) return CX_ENOMEM;
    size_t idx = cxv_timeline_upto(tl, T);
    size_t K = tl->K ? tl->K : 1;
    if (!(st->applied <= idx && idx - st->applied <= K) || st->applied > tl->nrows) {
        size_t s = idx / K;
        if (s >= tl->nsnap) s = tl->nsnap ? tl->nsnap - 1 : 0;
        size_t n = tl->nsnap ? tl->snap_nent[s] : 0;
        if (n) memcpy(st->last, tl->snap + tl->snap_off[s], n * sizeof *st->last);
        for (size_t i = n; i < st->nent; i++) st->last[i] = CXV_NONE;
        st->applied = tl->nsnap ? s * K : 0;
    }
    apply(st, tl, idx);
    st->t = T;
    return CX_OK;
}

cx_status cxv_state_play(cxv_state *st, const cxv_timeline *tl, int64_t T) {
    if (!st || !tl) return CX_EINVAL;
    if (state_fit(st, tl->nent)) return CX_ENOMEM;
    for (size_t i = 0; i < st->nent; i++) st->last[i] = CXV_NONE;
    for (size_t i = 0; i < tl->nrows && tl->rows[i].t <= T; i++) st->last[tl->rows[i].entity] = (uint32_t)i;
    st->applied = cxv_timeline_upto(tl, T);
    st->t = T;
    return CX_OK;
}

const cxv_row *cxv_state_row(const cxv_state *st, const cxv_timeline *tl, uint32_t e) {
    if (e >= st->nent || st->last[e] == CXV_NONE || st->last[e] >= tl->nrows) return NULL;
    return &tl->rows[st->last[e]];
}
