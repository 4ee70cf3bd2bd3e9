/* mc_util.c — manifests, argument parsing, folders and formatting for the Monte Carlo commands.
 * Invariant: manifests are replaced atomically (tmp + rename), so a killed run never leaves a torn
 * manifest behind for --resume or mc-merge to misread. */
#include "mc_util.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "io/io_api.h"
#include "kernel/kernel_api.h"

int mc_parse_u64(const char *s, uint64_t *out) {
    return cxi_u64_parse(s, UINT64_MAX, out) == 0 ? 0 : -1;
}

int mc_parse_shard(const char *s, uint32_t *k, uint32_t *count) {
    char a[32], b[32];
    const char *slash = s ? strchr(s, '/') : NULL;
    if (!slash || (size_t)(slash - s) >= sizeof a || strlen(slash + 1) >= sizeof b) return -1;
    memcpy(a, s, (size_t)(slash - s));
    a[slash - s] = '\0';
    strcpy(b, slash + 1);
    uint64_t x, y;
    if (mc_parse_u64(a, &x) != 0 || mc_parse_u64(b, &y) != 0) return -1;
    if (x < 1 || y < 1 || x > y || y > 1000000u) return -1;
    *k = (uint32_t)x;
    *count = (uint32_t)y;
    return 0;
}

static void copy(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", src); }

int mc_manifest_read(const char *dir, mc_manifest *m, char *err, size_t errn) {
    char path[4200];
    memset(m, 0, sizeof *m);
    snprintf(path, sizeof path, "%s/manifest.csv", dir);
    cx_diags *d = NULL;
    if (cx_diags_create(&d) != CX_OK) {
        snprintf(err, errn, "out of memory");
        return -1;
    }
    cxi_table t;
    memset(&t, 0, sizeof t);
    cx_status st = cxi_table_read(path, NULL, &t, d);
    if (st != CX_OK) {
        snprintf(err, errn, "%s", cx_diags_count(d) ? cx_diags_get(d, 0) : cx_status_str(st));
        cxi_table_free(&t);
        cx_diags_destroy(d);
        return -1;
    }
    cx_diags_destroy(d);
    int ck = cxi_table_col(&t, "key"), cv = cxi_table_col(&t, "value");
    if (ck < 0 || cv < 0) {
        snprintf(err, errn, "%s:1:1: expected the columns 'key,value'", path);
        cxi_table_free(&t);
        return -1;
    }
    unsigned seen = 0;
    int rc = 0;
    for (unsigned r = 0; r < t.nrows && rc == 0; r++) {
        const char *k = t.rows[r][ck].text, *v = t.rows[r][cv].text;
        unsigned line = t.row_line[r];
        if (!strcmp(k, "crisim_version")) copy(m->version, sizeof m->version, v), seen |= 1u;
        else if (!strcmp(k, "scenario")) copy(m->scenario, sizeof m->scenario, v), seen |= 2u;
        else if (!strcmp(k, "scenario_dir")) copy(m->scenario_dir, sizeof m->scenario_dir, v);
        else if (!strcmp(k, "scenario_hash")) copy(m->hash, sizeof m->hash, v), seen |= 4u;
        else if (!strcmp(k, "command")) copy(m->command, sizeof m->command, v), seen |= 8u;
        else if (!strcmp(k, "set")) {
            size_t used = 0, l = strlen(v);
            for (size_t i = 0; i < m->nset_read; i++) used += strlen(m->set_read + used) + 1;
            if (m->nset_read < MC_MAX_SETS && used + l + 1 < sizeof m->set_read) {
                memcpy(m->set_read + used, v, l + 1);
                m->nset_read++;
            }
        }
        else if (!strcmp(k, "seed")) {
            if (mc_parse_u64(v, &m->seed) != 0) {
                snprintf(err, errn, "%s:%u: bad seed '%s'", path, line, v);
                rc = -1;
            }
            seen |= 16u;
        } else if (!strcmp(k, "n")) {
            if (mc_parse_u64(v, &m->n) != 0 || m->n == 0) {
                snprintf(err, errn, "%s:%u: bad n '%s'", path, line, v);
                rc = -1;
            }
            seen |= 32u;
        } else if (!strcmp(k, "shard")) {
            if (mc_parse_shard(v, &m->shard_k, &m->shard_count) != 0) {
                snprintf(err, errn, "%s:%u: bad shard '%s' (expected k/K)", path, line, v);
                rc = -1;
            }
            seen |= 64u;
        }
    }
    if (rc == 0 && seen != 127u) {
        static const char *const names[] = {"crisim_version", "scenario", "scenario_hash",
                                            "command", "seed", "n", "shard"};
        for (unsigned i = 0; i < 7; i++) {
            if (!(seen & (1u << i))) {
                snprintf(err, errn, "%s: key '%s' is missing (not a crisim mc manifest?)", path,
                         names[i]);
                break;
            }
        }
        rc = -1;
    }
    cxi_table_free(&t);
    return rc;
}

cx_status mc_manifest_write(const char *dir, const mc_manifest *m, const char *files,
                            uint32_t merged_shards) {
    char path[4200], tmp[4220], seed[32], n[32], shard[32], merged[32];
    snprintf(seed, sizeof seed, "%" PRIu64, m->seed);
    snprintf(n, sizeof n, "%" PRIu64, m->n);
    snprintf(shard, sizeof shard, "%" PRIu32 "/%" PRIu32, m->shard_k, m->shard_count);
    snprintf(merged, sizeof merged, "%" PRIu32, merged_shards);
    cxi_kv kv[10 + MC_MAX_SETS] = {
        {"crisim_version", m->version}, {"scenario", m->scenario},
        {"scenario_dir", m->scenario_dir}, {"scenario_hash", m->hash},
        {"seed", seed}, {"n", n}, {"shard", shard}, {"command", m->command},
        {"files", files},
    };
    size_t nkv = 9;
    if (merged_shards) kv[nkv++] = (cxi_kv){"merged_shards", merged};
    for (size_t i = 0; i < m->nsets && i < MC_MAX_SETS; i++) kv[nkv++] = (cxi_kv){"set", m->sets[i]};
    for (size_t i = 0, at = 0; m->nsets == 0 && i < m->nset_read && i < MC_MAX_SETS; i++) {
        kv[nkv++] = (cxi_kv){"set", m->set_read + at};
        at += strlen(m->set_read + at) + 1;
    }
    snprintf(path, sizeof path, "%s/manifest.csv", dir);
    snprintf(tmp, sizeof tmp, "%s/manifest.csv.tmp", dir);
    cx_status st = cxi_manifest_write(tmp, kv, nkv);
    if (st != CX_OK) return st;
    if (rename(tmp, path) != 0) return CX_EIO;
    return CX_OK;
}

void mc_manifest_diff(const mc_manifest *a, const mc_manifest *b, char *msg, size_t n) {
    msg[0] = '\0';
    if (strcmp(a->hash, b->hash))
        snprintf(msg, n, "scenario_hash %s vs %s (the scenario's files changed)", a->hash, b->hash);
    else if (a->seed != b->seed)
        snprintf(msg, n, "seed %" PRIu64 " vs %" PRIu64, a->seed, b->seed);
    else if (a->n != b->n)
        snprintf(msg, n, "n %" PRIu64 " vs %" PRIu64, a->n, b->n);
    else if (a->shard_k != b->shard_k || a->shard_count != b->shard_count)
        snprintf(msg, n, "shard %" PRIu32 "/%" PRIu32 " vs %" PRIu32 "/%" PRIu32, a->shard_k,
                 a->shard_count, b->shard_k, b->shard_count);
    else if (strcmp(a->version, b->version))
        snprintf(msg, n, "crisim_version %s vs %s (results may differ between versions)",
                 a->version, b->version);
}

int mc_mkdirs(const char *path) {
    char buf[4200];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, len + 1);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char c = *p;
        *p = '\0';
        struct stat st;
        if (mkdir(buf, 0777) != 0 && !(errno == EEXIST && stat(buf, &st) == 0 && S_ISDIR(st.st_mode)))
            return -1;
        *p = c;
        if (c == '\0') break;
    }
    return 0;
}

int mc_exists(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0;
}

int mc_replaceable(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) return errno == ENOENT;
    if (!S_ISDIR(st.st_mode)) return 0;
    return cxi_outdir_replaceable(path);
}

double mc_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double mc_peak_rss_mb(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return NAN;
    return (double)ru.ru_maxrss / 1024.0; /* Linux: KiB */
}

void mc_fmt_secs(double s, char *buf, size_t n) {
    if (!isfinite(s) || s < 0) {
        snprintf(buf, n, "?");
        return;
    }
    if (s < 60) {
        snprintf(buf, n, "%.0f s", s);
        return;
    }
    unsigned long t = (unsigned long)(s + 0.5);
    if (t >= 3600) snprintf(buf, n, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else snprintf(buf, n, "%lu:%02lu", t / 60, t % 60);
}

void mc_fmt_value(double v, char *buf, size_t n) {
    if (isnan(v)) snprintf(buf, n, "-");
    else if (v != 0.0 && (fabs(v) >= 1e7 || fabs(v) < 1e-3)) snprintf(buf, n, "%.3e", v);
    else if (fabs(v) >= 1000.0) snprintf(buf, n, "%.0f", v);
    else snprintf(buf, n, "%.4g", v);
}
