/* mc_util.h — helpers shared by `crisim mc`, `crisim mc-merge` and `crisim compare`: batch
 * manifests, argument parsing, folders, clocks and number formatting for the terminal.
 * Invariant: a batch is identified by (crisim_version, scenario_hash, seed, n, shard count). */
#ifndef CX_MC_UTIL_H
#define CX_MC_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "crisim.h"

/* What manifest.csv of a `crisim mc` output (or work-in-progress) folder says. */
typedef struct {
    char version[64];
    char scenario[256];
    char scenario_dir[1024];
    char hash[64];
    uint64_t seed, n;
    uint32_t shard_k, shard_count;
    char command[8192];
    const char *const *sets; /* the --set overrides, written as `set` rows */
    size_t nsets;
    /* `set` rows read back (NUL-separated, nset_read of them): written when sets is empty, so a
     * merged manifest keeps its shards' overrides */
    char set_read[4096];
    size_t nset_read;
} mc_manifest;

/* Most --set options one command takes. */
#define MC_MAX_SETS 64

/* Reads dir/manifest.csv. Returns 0, or -1 with a message in err (missing file, missing or bad
 * keys: every key above is required). */
int mc_manifest_read(const char *dir, mc_manifest *m, char *err, size_t errn);
/* Writes dir/manifest.csv atomically (via manifest.csv.tmp + rename). files: space-separated list.
 * merged_shards > 0 adds a merged_shards row. Returns CX_OK or CX_EIO. */
cx_status mc_manifest_write(const char *dir, const mc_manifest *m, const char *files,
                            uint32_t merged_shards);
/* Empty when a and b describe the same batch; otherwise a message naming the first difference. */
void mc_manifest_diff(const mc_manifest *a, const mc_manifest *b, char *msg, size_t n);

/* Unsigned decimal integer, no sign, no spaces. 0 / -1. */
int mc_parse_u64(const char *s, uint64_t *out);
/* "k/K" with 1 <= k <= K <= 1,000,000. 0 / -1. */
int mc_parse_shard(const char *s, uint32_t *k, uint32_t *count);

/* mkdir -p. 0 / -1 (errno set). */
int mc_mkdirs(const char *path);
/* 1 when path exists (any type). */
int mc_exists(const char *path);
/* 1 when path is a folder that `crisim mc` may replace: absent, empty, or holding manifest.csv. */
int mc_replaceable(const char *path);

/* Monotonic clock in seconds. */
double mc_now(void);
/* Peak resident memory of this process so far, in MiB (getrusage ru_maxrss). */
double mc_peak_rss_mb(void);
/* "1:02:03" / "2:03" / "4 s" for a number of seconds (ETA, elapsed). */
void mc_fmt_secs(double s, char *buf, size_t n);
/* A value for humans: 4 significant digits, plain notation where reasonable. */
void mc_fmt_value(double v, char *buf, size_t n);

#endif
