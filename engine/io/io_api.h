/* io_api.h — internal interfaces of engine/io: located CSV reading, diagnostics, the timeline
 * writer, result files and atomic output folders.
 * Invariant: every message about input names path:line:col; outputs appear only when complete. */
#ifndef CX_IO_API_H
#define CX_IO_API_H

#include <stdio.h>

#include "crisim.h"
#include "kernel/kernel_api.h"

/* ---- diagnostics --------------------------------------------------------------------------- */
/* Appends "path:line:col: msg" (printf-style msg). line/col 0 are omitted ("path: msg"). */
void cxi_diag_add(cx_diags *d, const char *path, unsigned line, unsigned col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* The more serious of two statuses (OK < EINPUT < ELIMIT < EIO < anything else, e.g. ENOMEM):
 * readers keep the worst one seen, so one call reports the problem that matters most. */
cx_status cxi_status_worse(cx_status a, cx_status b);

/* Messages kept + dropped so far (to tell whether a step added errors). */
size_t cxi_diags_total(const cx_diags *d);
/* 1 when no further message would be kept (callers skip costly "did you mean" searches). */
int cxi_diags_full(const cx_diags *d);

/* ASCII case-insensitive equality (whole strings / first n bytes); locale-independent. */
int cxi_ieq(const char *a, const char *b);
int cxi_ieqn(const char *a, const char *b, size_t n);
/* Copies s into buf (size n) for quoting inside a one-line message: control characters escaped
 * (\n, \x01), text longer than n-1 cut at a character boundary and ended with "...". Returns buf. */
const char *cxi_diag_quote(char *buf, size_t n, const char *s);

/* Edit distance (bytes, case-insensitive), stopping early once it exceeds `cap`. */
size_t cxi_edit_distance(const char *a, const char *b, size_t cap);
/* The candidate closest to s (distance <= max(1, strlen(s)/3)), or NULL: for "did you mean". */
const char *cxi_suggest(const char *s, const char *const *candidates, size_t n);

/* ---- CSV tables ---------------------------------------------------------------------------- */
/* A whole table read into memory: header + rows of cells, with the line and column where each
 * cell starts. Delimiter ',' or ';' is detected from the header line; BOM stripped; CRLF/LF;
 * RFC 4180 quoting (embedded delimiters, doubled quotes, newlines). Blank lines are skipped. */
typedef struct {
    const char *text;  /* cell text, NUL-terminated, spaces of unquoted cells trimmed */
    unsigned line, col; /* 1-based position of the cell's first character in the file */
} cxi_cell;

typedef struct {
    char delim;              /* ',' or ';' */
    int decimal_comma;       /* 1 for ';' files: numbers may use ',' as decimal separator */
    unsigned ncols;          /* header width */
    cxi_cell *header;        /* ncols */
    unsigned nrows;
    cxi_cell **rows;         /* nrows arrays of ncols cells (short rows are an error, never here) */
    unsigned *row_line;      /* 1-based line where each row starts */
    cxi_arena arena;         /* owns everything above */
} cxi_table;

/* Reads `path`. On failure returns CX_EINPUT / CX_EIO / CX_ELIMIT with located messages in diags
 * (missing file, empty file, unterminated quote, wrong field count, field/file/row limits). Rows with
 * a wrong field count are reported (all of them, in one pass) and the call fails. */
cx_status cxi_table_read(const char *path, const cx_load_opts *opts, cxi_table *out, cx_diags *diags);
/* Whatever the status, call cxi_table_free(out) afterwards. On CX_EINPUT *out still holds the
 * header and every well-formed row (so callers can keep validating in one pass; after a quoting
 * error, the rows before it); out->ncols == 0 when not even the header could be read. A row whose
 * cells are all empty counts as blank. Invalid UTF-8, NUL bytes and a UTF-16 BOM are errors. */
/* As cxi_table_read, and chains the file's raw bytes into *fnv with cxi_fnv1a (fnv may be NULL). */
cx_status cxi_table_read_hashed(const char *path, const cx_load_opts *opts, cxi_table *out,
                                cx_diags *diags, uint64_t *fnv);
void cxi_table_free(cxi_table *t);
/* Column index by header name (case-insensitive, trimmed), -1 when absent. */
int cxi_table_col(const cxi_table *t, const char *name);

/* ---- output folders: write under a temporary name, rename when complete -------------------- */
/* Creates "<final>.tmp-<pid>" (removing a stale one). */
cx_status cxi_outdir_begin(const char *final_dir, char *tmp_dir, size_t n, char *err, size_t errn);
/* Renames tmp_dir to final_dir (replacing an existing final_dir's files). */
cx_status cxi_outdir_commit(const char *tmp_dir, const char *final_dir, char *err, size_t errn);
/* Removes tmp_dir and its files (on failure). */
void cxi_outdir_abort(const char *tmp_dir);
/* 1 when the existing folder dir is empty or holds manifest.csv (a previous crisim output), so it
 * may be replaced; 0 otherwise or when it cannot be read. */
int cxi_outdir_replaceable(const char *dir);
/* Details (added by the run helper): begin creates missing parent folders of final_dir, and returns
 * CX_EINVAL ("refusing to replace ...") when final_dir exists and is not a crisim output folder
 * (a directory that is empty or holds manifest.csv), so a typo in --out cannot wipe a user's folder.
 * commit replaces an existing final_dir by renaming it to "<final>.old-<pid>", renaming tmp_dir in,
 * then removing the old one; if the second rename fails the old folder is put back. Other failures:
 * CX_EIO with the system's reason in err. Trailing slashes of final_dir are ignored.
 * begin also removes sibling folders named exactly "<final>.tmp-<pid>" whose pid is no running
 * process (kill(pid, 0) fails with ESRCH): what a run killed with SIGKILL left behind. */

/* ---- timeline writer (an observer) --------------------------------------------------------- */
typedef struct cxi_timeline cxi_timeline;
/* Opens a CSV timeline at path; start_unix gives the "time" column. Writes the header row. */
cx_status cxi_timeline_open(const char *path, int64_t start_unix, cxi_timeline **out);
/* Observer that appends one row per record (buffered; flushed at least every `flush_every` rows
 * and at close, so a viewer can follow a live run). */
cx_observer cxi_timeline_observer(cxi_timeline *tl);
cx_status cxi_timeline_close(cxi_timeline *tl); /* flushes, closes; NULL is a no-op */
/* Added: default 1000 rows; also flushed when 0.5 s of wall time passed since the last flush
 * (checked at each row; flush timing never changes the bytes written). rows 0 is taken as 1. */
void cxi_timeline_set_flush(cxi_timeline *tl, unsigned rows);
/* Writes buffered rows now (e.g. at the end of an exercise turn). CX_EIO on a write error. */
cx_status cxi_timeline_flush(cxi_timeline *tl);
uint64_t cxi_timeline_rows(const cxi_timeline *tl); /* data rows written so far (header excluded) */
/* Formats one record as a CSV row (with "\n") into f, exactly as the timeline writer does. */
void cxi_timeline_put(FILE *f, int64_t start_unix, const cx_record *rec);

/* ---- result files ---------------------------------------------------------------------------- */
/* metrics.csv: metric,sector,region,unit,value */
cx_status cxi_metrics_write(const char *path, const cx_metric *m, size_t n);
/* A CSV field, quoted when it contains a delimiter, quote or newline. */
void cxi_csv_put(FILE *f, const char *s);
/* Added: also quoted when it starts or ends with a space or tab (our reader trims unquoted cells)
 * or contains ';' (so a reader that detects ';' as the delimiter still splits correctly). */
/* A number as results files print it: "%.10g", with -0 as 0 and non-finite as nan / inf / -inf. */
void cxi_csv_put_number(FILE *f, double v);
/* manifest.csv: a "key,value" header, then one row per pair in the given order. */
typedef struct {
    const char *key;
    const char *value;
} cxi_kv;
cx_status cxi_manifest_write(const char *path, const cxi_kv *kv, size_t n);

#endif
