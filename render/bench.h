/* bench.h — the viewer benchmark: generates a large timeline + scenario, then measures opening it
 * and seeking to random instants through the same calls the viewer makes. Prints nothing.
 * Invariant: the generated files depend only on (rows, assets, seed). */
#ifndef CXV_BENCH_H
#define CXV_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "crisim.h"

typedef struct {
    size_t rows;       /* timeline rows (default 1,000,000) */
    size_t assets;     /* scenario assets (default 10,000) */
    size_t seeks;      /* random seeks measured (default 200) */
    uint64_t seed;
    const char *dir;   /* where to write the files (created; removed afterwards unless keep) */
    int keep;
    int frame;         /* also time one headless 1280x720 frame */
} cxv_bench_opts;
cxv_bench_opts cxv_bench_opts_default(void);

typedef struct {
    size_t rows, entities, file_bytes, mem_bytes, snapshot_every;
    double gen_s;                    /* writing the files (not a viewer cost) */
    double tl_open_s;                /* reading the timeline alone */
    double view_open_s;              /* the viewer's open: timeline + scenario + map + first seek */
    double seek_mean_ms, seek_max_ms; /* random instants, figures included (cxv_view_seek) */
    double step_mean_ms;             /* next-event steps forward */
    double profile_ms;               /* the strip's people-without-service curve (once per file) */
    double frame_ms;                 /* one headless frame, 0 when not asked */
} cxv_bench_result;

cx_status cxv_bench_run(const cxv_bench_opts *o, cxv_bench_result *r, char *err, size_t errn);

/* Playing a shipped scenario: runs it (replicate 0, its own seed) into a timeline under tmp_dir,
 * opens the view, and draws `frames` frames through one software renderer on a w x h surface,
 * the instant advancing by (end - begin) / frames each frame (seek + draw + present timed per
 * frame, as the window does while playing). Needs no video subsystem. */
typedef struct {
    size_t assets, links, rows, frames;
    int w, h;
    double first_ms;              /* the first frame: caches are built there */
    double mean_ms, p95_ms, max_ms; /* the other frames */
} cxv_bench_play_result;
cx_status cxv_bench_play(const char *scenario_dir, const char *tmp_dir, int w, int h, size_t frames,
                         cxv_bench_play_result *r, char *err, size_t errn);

#endif
