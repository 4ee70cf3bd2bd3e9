/* tlread.h — the viewer's timeline reader: loads a crisim timeline CSV and rebuilds the state of
 * every entity at any instant. Invariant: rows stay in file order (t non-decreasing) and a snapshot
 * of "last row per entity" is kept every K rows, so seeking costs O(K + entities), memory O(rows).
 * No SDL, no printing: errors come back as a status plus located messages in cx_diags. */
#ifndef CXV_TLREAD_H
#define CXV_TLREAD_H

#include <stddef.h>
#include <stdint.h>

#include "crisim.h"

typedef enum { CXV_KIND_RUN, CXV_KIND_INJECT, CXV_KIND_ASSET, CXV_KIND_SECTOR, CXV_KIND_INCIDENT,
               CXV_KIND_REQUEST, CXV_KIND_CAPACITY, CXV_KIND_IPCR, CXV_KIND_HYBRID, CXV_KIND_DECISION,
               CXV_KIND_COUNT } cxv_kind;
/* Asset states as named in the timeline; anything else (inject kinds, "start") is CXV_ST_OTHER. */
typedef enum { CXV_ST_WORKING, CXV_ST_DEGRADED, CXV_ST_FAILED, CXV_ST_REPAIRING, CXV_ST_OTHER } cxv_asset_state;

#define CXV_NONE UINT32_MAX

/* One timeline row, 32 bytes. Strings are ids into the reader's string table (cxv_str); id 0 is "". */
typedef struct {
    int64_t t;        /* seconds from T0 */
    uint32_t entity;  /* index into the entity table */
    uint32_t state;   /* string id of the state column */
    uint32_t cause;   /* string id of the cause column */
    uint32_t text;    /* offset into the text pool (cxv_row_text); 0 = "" */
    float value;      /* operability (assets) or inoperability (sectors) */
    uint16_t depth;   /* cascade depth, clipped to 65535 */
    uint8_t st;       /* cxv_asset_state parsed from state */
    uint8_t cross_border;
} cxv_row;

/* An entity is (kind, entity column, region column): sector rows name one sector in one region. */
typedef struct {
    uint8_t kind;    /* cxv_kind */
    uint32_t name;   /* string id */
    uint32_t region; /* string id */
    uint32_t sector; /* string id of the sector column of its first row */
} cxv_entity;

typedef struct cxv_timeline cxv_timeline;

typedef struct {
    int follow;          /* 1: keep an unterminated last line for cxv_timeline_follow, no warning */
    size_t snapshot_min; /* minimum rows between snapshots (default 1024; K = max(this, entities)) */
} cxv_open_opts;
cxv_open_opts cxv_open_opts_default(void);

/* Reads the timeline at `path`. Reading stops at the first corrupt row (or broken quoting): when
 * rows precede it, they are kept and the problem is a warning (cxv_timeline_warning:
 * "path:line:col: column 'x': what (expected ...); reading stopped there: the N rows before it are
 * shown"); when none does (a bad header, binary junk, a bad first row, an empty file) it is an
 * error: CX_EINPUT, the message in diags, *out = NULL. CX_EIO: cannot read. An unterminated last
 * line that does not parse (a run still writing, a truncated copy) is dropped with a warning.
 * opts may be NULL. */
cx_status cxv_timeline_open(const char *path, const cxv_open_opts *opts, cxv_timeline **out,
                            cx_diags *diags);
/* The same from bytes in memory; `name` stands for the path in messages. opts->follow is ignored
 * (cxv_timeline_follow then reads nothing). */
cx_status cxv_timeline_open_mem(const char *name, const void *data, size_t n,
                                const cxv_open_opts *opts, cxv_timeline **out, cx_diags *diags);
void cxv_timeline_close(cxv_timeline *tl); /* NULL is a no-op */
/* Reads rows appended since the last call (complete lines only). *added = rows added. A corrupt new
 * row stops the reading (CX_EINPUT, message in diags); rows before it stay. */
cx_status cxv_timeline_follow(cxv_timeline *tl, size_t *added, cx_diags *diags);
/* Following: 1 when the file at the path is no longer the one being read (replaced by a rename,
 * as `crisim exercise` does on 'back') or is shorter than what was read (truncated): the rows read
 * are stale and the file must be opened again. 0 otherwise, or when the path is missing now. */
int cxv_timeline_replaced(const cxv_timeline *tl);

/* "" or a message such as "path:812: last line is incomplete (4 of 12 fields); ignored". */
const char *cxv_timeline_warning(const cxv_timeline *tl);
const char *cxv_timeline_path(const cxv_timeline *tl);

size_t cxv_timeline_rows(const cxv_timeline *tl);
const cxv_row *cxv_timeline_row(const cxv_timeline *tl, size_t i);
size_t cxv_timeline_entities(const cxv_timeline *tl);
const cxv_entity *cxv_timeline_entity(const cxv_timeline *tl, uint32_t e);
const char *cxv_str(const cxv_timeline *tl, uint32_t id);
const char *cxv_row_text(const cxv_timeline *tl, const cxv_row *r);
/* Entity index of (kind, name, region); region NULL matches any region. -1 when absent. */
int64_t cxv_timeline_find(const cxv_timeline *tl, cxv_kind kind, const char *name, const char *region);

/* T0 as Unix seconds, derived from the first row's time column; *known = 0 when no row has one. */
int64_t cxv_timeline_start(const cxv_timeline *tl, int *known);
int64_t cxv_timeline_first_t(const cxv_timeline *tl); /* 0 when empty */
int64_t cxv_timeline_last_t(const cxv_timeline *tl);  /* 0 when empty */
/* Number of rows with t <= T (binary search). */
size_t cxv_timeline_upto(const cxv_timeline *tl, int64_t T);
/* Time of the first row with t > T (*out) / the last row with t < T; 0 when there is none.
 * kind_mask: bit (1 << cxv_kind) per kind to consider, 0 = every kind. */
int cxv_timeline_next(const cxv_timeline *tl, int64_t T, unsigned kind_mask, int64_t *out);
int cxv_timeline_prev(const cxv_timeline *tl, int64_t T, unsigned kind_mask, int64_t *out);
size_t cxv_timeline_snapshot_every(const cxv_timeline *tl); /* K */
size_t cxv_timeline_bytes(const cxv_timeline *tl);          /* memory held, approximately */

/* The state at one instant: for each entity the index of its last row with t <= T. */
typedef struct {
    uint32_t *last;   /* [nent]: row index or CXV_NONE (absent: working, operability 1) */
    size_t nent, cap;
    size_t applied;   /* rows applied: the first `applied` rows of the timeline */
    int64_t t;
} cxv_state;
void cxv_state_init(cxv_state *st);
void cxv_state_free(cxv_state *st);
/* Moves st to instant T: forward by applying rows when that is cheaper, else from a snapshot. */
cx_status cxv_state_seek(cxv_state *st, const cxv_timeline *tl, int64_t T);
/* Applies rows one by one from the start (the oracle for tests; O(rows)). */
cx_status cxv_state_play(cxv_state *st, const cxv_timeline *tl, int64_t T);
/* Last row of entity e at the state's instant, or NULL. */
const cxv_row *cxv_state_row(const cxv_state *st, const cxv_timeline *tl, uint32_t e);

const char *cxv_kind_name(cxv_kind k);

#endif
