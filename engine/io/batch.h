/* batch.h — the threaded Monte Carlo runner and the replicates.csv / summary.csv formats.
 * Invariant: results reach the sink in replicate order, from the calling thread only, so the files
 * written are byte-identical whatever the thread count; replicate i depends only on (seed, i)
 * (and on fork_at / fork_replicate for what-if continuations). */
#ifndef CX_BATCH_H
#define CX_BATCH_H

#include <stdint.h>
#include <stdio.h>

#include "crisim.h"
#include "io/stats.h"

#define CXI_BATCH_MAX_THREADS 256u

/* ---- columns --------------------------------------------------------------------------------- */

/* Metric columns of replicates.csv, in the engine's metric order. A column is named after the
 * metric: name, name[sector.region], name[sector] or name[region] when sector/region are set. */
typedef struct {
    size_t n;
    char **names; /* n malloc'd strings, owned */
} cxi_batch_cols;

/* The columns of `sc`: creates a simulation (seed, replicate 0) and reads its metric set, which
 * depends only on the scenario. CX_ENOMEM, or the simulation's status with a message in err. */
cx_status cxi_batch_columns(const cx_scenario *sc, uint64_t seed, cxi_batch_cols *out, char *err,
                            size_t errn);
void cxi_batch_cols_free(cxi_batch_cols *c); /* frees the names; NULL or empty is a no-op */
/* Index of a column by exact name, -1 when absent. */
long cxi_batch_cols_find(const cxi_batch_cols *c, const char *name);
/* The column name of one metric into buf (truncated to n - 1 bytes). */
void cxi_batch_column_name(const cx_metric *m, char *buf, size_t n);
/* The unit of each column (cx_metric.unit, "" for a column the scenario does not have), as a
 * malloc'd array of cols->n malloc'd strings; free with cxi_batch_units_free. Creates a simulation
 * like cxi_batch_columns. CX_ENOMEM, or the simulation's status with a message in err. */
cx_status cxi_batch_units(const cx_scenario *sc, uint64_t seed, const cxi_batch_cols *cols,
                          char ***units, char *err, size_t errn);
void cxi_batch_units_free(char **units, size_t n); /* NULL is a no-op */

/* ---- shards ---------------------------------------------------------------------------------- */

/* Shard k of K (1-based) holds replicates i < n with i % K == k - 1, in increasing order; its
 * position p is replicate (k - 1) + p * K. Number of positions of the shard: */
uint64_t cxi_batch_shard_size(uint64_t n, uint32_t k, uint32_t count);

/* ---- the runner ------------------------------------------------------------------------------ */

/* Receives one replicate's metric values (ncols), in replicate order. Non-zero stops the batch
 * (CX_EIO). Called on the thread that called cxi_batch_run. */
typedef int (*cxi_batch_sink)(void *ud, uint64_t replicate, const double *values, size_t ncols);
/* Called on the calling thread after deliveries and at least every poll_ms while waiting:
 * done = positions delivered so far (including the `first` skipped ones), total = shard size. */
typedef void (*cxi_batch_progress)(void *ud, uint64_t done, uint64_t total);
/* Polled with progress; non-zero asks the runner to stop: no new replicates are started, the
 * running ones finish and every result in order up to the first gap is delivered. */
typedef int (*cxi_batch_poll)(void *ud);
/* Like the sink, plus the row already formatted as a replicates.csv line (with its "\n"), exactly
 * as cxi_batch_write_row writes it: the worker that computed the row formatted it, so formatting
 * runs on every thread instead of the delivering one. line is valid during the call only. */
typedef int (*cxi_batch_line_sink)(void *ud, uint64_t replicate, const double *values, size_t ncols,
                                   const char *line, size_t len);
/* Computes one replicate into values[ncols] (used by tests in place of the simulation). Called on
 * worker threads, concurrently: it must be thread-safe. Returns CX_OK or a status + message. */
typedef cx_status (*cxi_batch_compute)(void *ud, uint64_t replicate, double *values, size_t ncols,
                                       char *err, size_t errn);

typedef struct {
    const cx_scenario *sc;      /* shared read-only by every worker; unused when compute is set */
    const cxi_batch_cols *cols; /* expected metric columns (checked for every replicate) */
    uint64_t seed;              /* master seed: cx_sim_config.seed */
    uint64_t n;                 /* the batch is replicates 0 .. n-1 */
    uint32_t shard_k, shard_count; /* 1-based shard; 1/1 = the whole batch */
    uint64_t first;             /* first position of the shard to run (resume); earlier ones done */
    unsigned threads;           /* 1 .. CXI_BATCH_MAX_THREADS worker threads */
    unsigned poll_ms;           /* progress / poll period while waiting (0: 100 ms) */
    cxi_batch_compute compute;  /* NULL: create, run and measure a cx_sim of sc */
    void *compute_ud;
    cxi_batch_sink sink;        /* required, unless line_sink is set */
    cxi_batch_line_sink line_sink; /* optional; when set it is called instead of sink */
    cxi_batch_progress progress; /* optional */
    cxi_batch_poll poll;        /* optional */
    void *ud;                   /* for sink, progress and poll */
    /* Continuations (what-if): when fork_at >= 0, replicate i is replicate fork_replicate run to
     * fork_at, then forked with cxi_sim_reseed(sim, i) and run to the horizon, so every replicate
     * shares the exact state at fork_at and differs only after it. < 0: ordinary replicates. */
    cx_time fork_at;
    uint64_t fork_replicate;
} cxi_batch_config;
/* shard 1/1, 1 thread, fork_at -1, nothing else set */
cxi_batch_config cxi_batch_config_default(void);

typedef struct {
    uint64_t done;             /* positions delivered (including `first`) */
    int stopped;               /* 1 when poll asked to stop before the end */
    uint64_t failed_replicate; /* UINT64_MAX when no replicate failed */
    char errmsg[512];          /* "" on success */
} cxi_batch_outcome;

/* Runs positions first .. shard_size-1 on `threads` worker threads (which block every signal, so
 * signals reach the calling thread). Memory is bounded by a window of 16 * threads + 16 results.
 * Returns CX_OK when every position was delivered or poll stopped the batch (out->stopped);
 * CX_ERUNTIME when a replicate failed (results before it are delivered; errmsg names it); CX_EIO
 * when the sink failed; CX_EINVAL for a bad config; CX_ENOMEM. */
cx_status cxi_batch_run(const cxi_batch_config *cfg, cxi_batch_outcome *out);

/* ---- replicates.csv: replicate,seed,<metric columns> ----------------------------------------- */

/* The shortest of %.15g / %.16g / %.17g that reads back as exactly v ("nan", "inf", "-inf" for
 * non-finite values), so files round-trip and summaries computed from them are exact. buf >= 32. */
void cxi_batch_fmt(double v, char *buf, size_t n);
/* The header row / one data row. CX_EIO when the stream is in error (ferror) afterwards. */
cx_status cxi_batch_write_header(FILE *f, const cxi_batch_cols *c);
cx_status cxi_batch_write_row(FILE *f, uint64_t replicate, uint64_t seed, const double *values,
                              size_t n);
/* The same row into buf (NUL-terminated); returns its length. buf must hold CXI_BATCH_ROW_MAX(n). */
#define CXI_BATCH_ROW_MAX(n) (48u + 32u * (size_t)(n))
size_t cxi_batch_format_row(char *buf, uint64_t replicate, uint64_t seed, const double *values,
                            size_t n);

/* Reads the header of a replicates.csv: checks "replicate,seed" and returns the metric columns.
 * CX_EIO (cannot open) / CX_EINPUT (bad header) with "path:line:col: ..." in err. */
cx_status cxi_batch_header_read(const char *path, cxi_batch_cols *out, char *err, size_t errn);

/* Parses one data row (without its newline) of ncols metrics; values may be NULL. Returns 0, or -1
 * with *col the 1-based column of the bad field and msg describing it. Modifies nothing. */
int cxi_batch_row_parse(const char *line, size_t ncols, uint64_t *replicate, uint64_t *seed,
                        double *values, unsigned *col, char *msg, size_t msgn);

/* Reads whole columns of a replicates.csv: for each of the nwhich metric column indices, a malloc'd
 * array of *nrows values (free each, then the array); replicates (optional) gets the replicate
 * column. Every row is validated. CX_EIO / CX_EINPUT / CX_ENOMEM with a message in err. */
cx_status cxi_batch_columns_load(const char *path, const size_t *which, size_t nwhich,
                                 double ***out, uint64_t **replicates, uint64_t *nrows, char *err,
                                 size_t errn);

/* What a partial replicates.csv holds, for --resume. */
typedef struct {
    int header;          /* 1 when a complete header row matching the columns is present */
    uint64_t rows;       /* complete rows: positions 0 .. rows-1 of the shard, in order */
    uint64_t keep_bytes; /* length of the file up to the end of the last complete row (or header) */
    int torn;            /* 1 when an incomplete last line follows (cut it off: truncate) */
} cxi_batch_scan;
/* Checks a partial replicates.csv of shard k/K of (seed, n): same columns, rows for positions
 * 0, 1, ... with the right replicate and seed. Only the last line may be incomplete (no newline).
 * A missing file is CX_OK with header = 0. CX_EINPUT / CX_EIO with a located message. */
cx_status cxi_batch_scan_partial(const char *path, const cxi_batch_cols *cols, uint64_t seed,
                                 uint64_t n, uint32_t k, uint32_t count, cxi_batch_scan *out,
                                 char *err, size_t errn);

/* ---- summary.csv: metric,n,mean,sd,ci95_low,ci95_high,p5,p50,p95,min,max ------------------- */

/* Summarises every metric column of a replicates.csv by re-reading it: as many columns per pass as
 * fit in mem_budget bytes (at least one), so memory is O(rows) doubles per pass, never rows x
 * metrics. *sums (malloc'd, cols->n entries) and *cols are the caller's to free. */
cx_status cxi_batch_summarize(const char *path, size_t mem_budget, cxi_batch_cols *cols,
                              cxi_stats_summary **sums, uint64_t *nrows, char *err, size_t errn);
/* Receives each column right after its summary, in column order: sorted[0..s->n) are its finite
 * values in increasing order, rows - s->n the non-finite ones left out. Non-zero stops (CX_EIO). */
typedef int (*cxi_batch_column_cb)(void *ud, size_t col, const double *sorted,
                                   const cxi_stats_summary *s, uint64_t rows);
/* cxi_batch_summarize, calling cb (if not NULL) for every column: plots are drawn from the same
 * pass, without reading the file again. */
cx_status cxi_batch_summarize_each(const char *path, size_t mem_budget, cxi_batch_cols *cols,
                                   cxi_stats_summary **sums, uint64_t *nrows,
                                   cxi_batch_column_cb cb, void *ud, char *err, size_t errn);
/* Writes summary.csv (undefined values are empty cells). Returns CX_OK or CX_EIO. */
cx_status cxi_batch_summary_write(const char *path, const cxi_batch_cols *cols,
                                  const cxi_stats_summary *sums);

#endif
