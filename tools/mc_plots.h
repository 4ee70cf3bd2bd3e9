/* mc_plots.h — the plots/ folder of a Monte Carlo output: one SVG per metric column (histogram +
 * ECDF, engine/io/plot.h) and an index.html that shows them all.
 * Invariant: file names and bytes depend only on the columns, the values and the labels. */
#ifndef CX_MC_PLOTS_H
#define CX_MC_PLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "io/batch.h"

typedef struct {
    char dir[4100];              /* <out>/plots */
    const cxi_batch_cols *cols;  /* the columns being summarised (filled by the summary pass) */
    char **units;                /* one per column, or NULL when unknown (borrowed) */
    size_t nunits;
    char subtitle[600];
    char **files;                /* file name (without .svg) chosen for each column written */
    size_t nfiles;
    char err[4600];              /* what failed, when a call returned non-zero */
} mc_plots;

/* Creates <outdir>/plots. units (nunits strings, may be NULL) label the x axes. 0, or -1 (err). */
int mc_plots_begin(mc_plots *p, const char *outdir, char **units, size_t nunits,
                   const char *subtitle);
/* A cxi_batch_column_cb: writes plots/<name>.svg for the column; ud is the mc_plots, whose cols
 * must point at the cxi_batch_cols the summary fills. 0, or -1 (err). */
int mc_plots_column(void *ud, size_t col, const double *sorted, const cxi_stats_summary *s,
                    uint64_t rows);
/* Writes plots/index.html and frees; 0, or -1 (err). mc_plots_free alone on failure paths. */
int mc_plots_end(mc_plots *p);
void mc_plots_free(mc_plots *p);

/* "<scenario> · <n> replicates · seed <s>" (and " · shard k/K" for a shard): the charts' subtitle. */
void mc_plot_subtitle(const char *scenario, uint64_t n, uint64_t seed, uint32_t shard_k,
                      uint32_t shard_count, char *buf, size_t len);

/* The file name used for a column: letters, digits, '_', '-' and '.' kept, "name[a.b]" becomes
 * "name.a.b", anything else '_'. (A clash with an earlier column appends "-<column number>".) */
void mc_plots_file_name(const char *column, char *buf, size_t n);

#endif
