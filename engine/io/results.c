/* results.c — result files of a run: metrics.csv, manifest.csv, and CSV field quoting.
 * Invariant: output bytes depend only on the values passed in (no clock, no locale-dependent
 * formatting beyond the C locale the engine never changes), so identical runs give identical files. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/io_api.h"

static int needs_quotes(const char *s) {
    size_t n = strlen(s);
    if (n == 0) return 0;
    if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t') return 1;
    return strpbrk(s, ",;\"\r\n") != NULL;
}

void cxi_csv_put(FILE *f, const char *s) {
    if (!s) return;
    if (!needs_quotes(s)) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"') fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

void cxi_csv_put_number(FILE *f, double v) {
    if (isnan(v))
        fputs("nan", f);
    else if (isinf(v))
        fputs(v > 0 ? "inf" : "-inf", f);
    else
        fprintf(f, "%.10g", v == 0.0 ? 0.0 : v);
}

/* Closes f and reports any write error that happened on it. */
static cx_status finish(FILE *f) {
    int bad = fflush(f) != 0 || ferror(f);
    if (fclose(f) != 0) bad = 1;
    return bad ? CX_EIO : CX_OK;
}

/* Creates path and writes its header row; NULL when it cannot be opened. */
static FILE *open_table(const char *path, const char *header) {
    FILE *f = fopen(path, "wb");
    if (f) fputs(header, f);
    return f;
}

/* Writes one cell (NULL is an empty cell) and the separator or newline after it. */
static void put_cell(FILE *f, const char *s, int after) {
    cxi_csv_put(f, s ? s : "");
    fputc(after, f);
}

cx_status cxi_metrics_write(const char *path, const cx_metric *m, size_t n) {
    if (!path || (n > 0 && !m)) return CX_EINVAL;
    FILE *f = open_table(path, "metric,sector,region,unit,value\n");
    if (!f) return CX_EIO;
    for (size_t i = 0; i < n; i++) {
        put_cell(f, m[i].name, ',');
        put_cell(f, m[i].sector, ',');
        put_cell(f, m[i].region, ',');
        put_cell(f, m[i].unit, ',');
        cxi_csv_put_number(f, m[i].value);
        fputc('\n', f);
    }
    return finish(f);
}

cx_status cxi_manifest_write(const char *path, const cxi_kv *kv, size_t n) {
    if (!path || (n > 0 && !kv)) return CX_EINVAL;
    FILE *f = open_table(path, "key,value\n");
    if (!f) return CX_EIO;
    for (size_t i = 0; i < n; i++) {
        put_cell(f, kv[i].key, ',');
        put_cell(f, kv[i].value, '\n');
    }
    return finish(f);
}
