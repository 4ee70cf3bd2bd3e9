/* timeline.c — the timeline writer: an observer that streams one CSV row per record.
 * Invariant: the bytes written depend only on the records and T0 (never on wall time); rows are
 * flushed every N rows or 0.5 s so a viewer can follow a live run. Format: docs/timeline-format.md. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "io/io_api.h"

#define DEFAULT_FLUSH_ROWS 1000u
#define FLUSH_NS INT64_C(500000000)
#define STDIO_BUF (64u * 1024u)

struct cxi_timeline {
    FILE *f;
    int64_t start_unix;
    unsigned flush_every;
    unsigned since_flush;  /* rows written since the last flush */
    int64_t last_flush_ns; /* monotonic clock at the last flush */
    uint64_t rows;
    int failed;          /* a write or flush failed: every later call reports CX_EIO */
    char buf[STDIO_BUF]; /* stdio buffer: rows reach the file in big writes */
};

static const char header[] =
    "t,time,kind,entity,region,sector,state,value,cause,cross_border,depth,text\n";

static int64_t mono_ns(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
    return (int64_t)ts.tv_sec * INT64_C(1000000000) + ts.tv_nsec;
}

static const char *nz(const char *s) { return s ? s : ""; }

void cxi_timeline_put(FILE *f, int64_t start_unix, const cx_record *rec) {
    char when[40];
    double v = rec->value;
    cxi_datetime_format(start_unix + rec->t, when, sizeof when);
    fprintf(f, "%" PRId64 ",%s,%s,", (int64_t)rec->t, when, cx_rec_kind_name(rec->kind));
    cxi_csv_put(f, nz(rec->entity));
    fputc(',', f);
    cxi_csv_put(f, nz(rec->region));
    fputc(',', f);
    cxi_csv_put(f, nz(rec->sector));
    fputc(',', f);
    cxi_csv_put(f, nz(rec->state));
    /* "-0.0000" and "nan" would make equal states print differently; the model never emits them,
     * but a reader must never see them either. */
    if (v != v) v = 0.0;
    if (v == 0.0) v = 0.0;
    fprintf(f, ",%.4f,", v);
    cxi_csv_put(f, nz(rec->cause));
    fprintf(f, ",%d,%d,", rec->cross_border ? 1 : 0, rec->depth);
    cxi_csv_put(f, nz(rec->text));
    fputc('\n', f);
}

cx_status cxi_timeline_open(const char *path, int64_t start_unix, cxi_timeline **out) {
    if (!path || !out) return CX_EINVAL;
    *out = NULL;
    cxi_timeline *tl = calloc(1, sizeof *tl);
    if (!tl) return CX_ENOMEM;
    tl->f = fopen(path, "wb");
    if (!tl->f) {
        free(tl);
        return CX_EIO;
    }
    setvbuf(tl->f, tl->buf, _IOFBF, sizeof tl->buf);
    tl->start_unix = start_unix;
    tl->flush_every = DEFAULT_FLUSH_ROWS;
    fputs(header, tl->f);
    /* The header alone is flushed at once: a follower can tell an empty run from a missing file. */
    if (fflush(tl->f) != 0 || ferror(tl->f)) tl->failed = 1;
    tl->last_flush_ns = mono_ns();
    *out = tl;
    return CX_OK;
}

void cxi_timeline_set_flush(cxi_timeline *tl, unsigned rows) {
    if (tl) tl->flush_every = rows ? rows : 1;
}

uint64_t cxi_timeline_rows(const cxi_timeline *tl) { return tl ? tl->rows : 0; }

cx_status cxi_timeline_flush(cxi_timeline *tl) {
    if (!tl) return CX_EINVAL;
    if (fflush(tl->f) != 0 || ferror(tl->f)) tl->failed = 1;
    tl->since_flush = 0;
    tl->last_flush_ns = mono_ns();
    return tl->failed ? CX_EIO : CX_OK;
}

static int on_record(void *ud, const cx_record *rec) {
    cxi_timeline *tl = ud;
    if (tl->failed) return 1;
    cxi_timeline_put(tl->f, tl->start_unix, rec);
    tl->rows++;
    if (++tl->since_flush >= tl->flush_every || mono_ns() - tl->last_flush_ns >= FLUSH_NS)
        cxi_timeline_flush(tl);
    else if (ferror(tl->f))
        tl->failed = 1;
    /* A full disk must stop the run: a truncated timeline would be committed as if complete. */
    return tl->failed;
}

cx_observer cxi_timeline_observer(cxi_timeline *tl) {
    cx_observer o = {tl, on_record};
    return o;
}

cx_status cxi_timeline_close(cxi_timeline *tl) {
    if (!tl) return CX_OK;
    if (fflush(tl->f) != 0 || ferror(tl->f)) tl->failed = 1;
    if (fclose(tl->f) != 0) tl->failed = 1;
    cx_status st = tl->failed ? CX_EIO : CX_OK;
    free(tl);
    return st;
}
