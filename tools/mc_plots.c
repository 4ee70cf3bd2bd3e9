/* mc_plots.c — writes plots/<metric>.svg for each column of a batch and plots/index.html.
 * Invariant: called from the summary pass in column order, so names and bytes are deterministic. */
#include "mc_plots.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/plot.h"
#include "mc_util.h"

int mc_plots_begin(mc_plots *p, const char *outdir, char **units, size_t nunits,
                   const char *subtitle) {
    memset(p, 0, sizeof *p);
    snprintf(p->dir, sizeof p->dir, "%s/plots", outdir);
    p->units = units;
    p->nunits = nunits;
    snprintf(p->subtitle, sizeof p->subtitle, "%s", subtitle ? subtitle : "");
    if (mc_mkdirs(p->dir) != 0) {
        snprintf(p->err, sizeof p->err, "cannot create '%s': %s", p->dir, strerror(errno));
        return -1;
    }
    return 0;
}

void mc_plot_subtitle(const char *scenario, uint64_t n, uint64_t seed, uint32_t shard_k,
                      uint32_t shard_count, char *buf, size_t len) {
    snprintf(buf, len, "%s \xc2\xb7 %" PRIu64 " replicates \xc2\xb7 seed %" PRIu64, scenario, n, seed);
    if (shard_count > 1) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, " \xc2\xb7 shard %" PRIu32 "/%" PRIu32 " (its %" PRIu64
                 " replicates)", shard_k, shard_count, cxi_batch_shard_size(n, shard_k, shard_count));
    }
}

void mc_plots_file_name(const char *column, char *buf, size_t n) {
    size_t o = 0;
    for (const char *c = column; *c && o + 1 < n; c++) {
        char ch = *c;
        if (ch == ']') continue;
        if (ch == '[') ch = '.';
        else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                   ch == '_' || ch == '-' || ch == '.'))
            ch = '_';
        buf[o++] = ch;
    }
    if (o == 0 && n > 1) buf[o++] = '_';
    buf[o] = '\0';
    if (buf[0] == '.') buf[0] = '_'; /* never a hidden file */
}

int mc_plots_column(void *ud, size_t col, const double *sorted, const cxi_stats_summary *s,
                    uint64_t rows) {
    mc_plots *p = ud;
    const char *name = p->cols && col < p->cols->n ? p->cols->names[col] : "";
    char base[300], path[4410];
    mc_plots_file_name(name, base, 200);
    for (size_t i = 0; i < p->nfiles; i++) {
        if (!strcmp(p->files[i], base)) {
            size_t len = strlen(base);
            snprintf(base + len, sizeof base - len, "-%zu", col + 1);
            break;
        }
    }
    char **nf = realloc(p->files, (p->nfiles + 1) * sizeof *nf);
    if (!nf) {
        snprintf(p->err, sizeof p->err, "out of memory");
        return -1;
    }
    p->files = nf;
    if (!(p->files[p->nfiles] = strdup(base))) {
        snprintf(p->err, sizeof p->err, "out of memory");
        return -1;
    }
    p->nfiles++;
    snprintf(path, sizeof path, "%s/%s.svg", p->dir, base);
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(p->err, sizeof p->err, "cannot create '%s': %s", path, strerror(errno));
        return -1;
    }
    cxi_plot_labels lab = {name, p->units && col < p->nunits ? p->units[col] : "", p->subtitle};
    cx_status st = cxi_plot_svg(f, sorted, s->n, rows - s->n, s, &lab);
    if (fclose(f) != 0 || st != CX_OK) {
        snprintf(p->err, sizeof p->err, "cannot write '%s'", path);
        return -1;
    }
    return 0;
}

static void put_html(FILE *f, const char *s) {
    for (; *s; s++) {
        if (*s == '&') fputs("&amp;", f);
        else if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '"') fputs("&quot;", f);
        else fputc(*s, f);
    }
}

int mc_plots_end(mc_plots *p) {
    char path[4300];
    snprintf(path, sizeof path, "%s/index.html", p->dir);
    FILE *f = fopen(path, "wb");
    int rc = 0;
    if (!f) {
        snprintf(p->err, sizeof p->err, "cannot create '%s': %s", path, strerror(errno));
        rc = -1;
    } else {
        fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", f);
        put_html(f, p->subtitle);
        fputs("</title>\n<style>body{font-family:sans-serif;margin:1em}img{max-width:100%}"
              "figure{display:inline-block;margin:0.5em}</style></head><body>\n<h1>", f);
        put_html(f, p->subtitle);
        fputs("</h1>\n<p>One chart per column of replicates.csv; the numbers are those of "
              "summary.csv.</p>\n", f);
        for (size_t i = 0; i < p->nfiles; i++) {
            fputs("<figure><img src=\"", f);
            put_html(f, p->files[i]);
            fputs(".svg\" alt=\"", f);
            put_html(f, p->cols && i < p->cols->n ? p->cols->names[i] : p->files[i]);
            fputs("\" width=\"720\" height=\"520\"></figure>\n", f);
        }
        fputs("</body></html>\n", f);
        if (ferror(f)) rc = -1;
        if (fclose(f) != 0) rc = -1;
        if (rc) snprintf(p->err, sizeof p->err, "cannot write '%s'", path);
    }
    mc_plots_free(p);
    return rc;
}

void mc_plots_free(mc_plots *p) {
    for (size_t i = 0; i < p->nfiles; i++) free(p->files[i]);
    free(p->files);
    p->files = NULL;
    p->nfiles = 0;
}
