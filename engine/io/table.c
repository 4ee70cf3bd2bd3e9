/* table.c — reads one CSV table (libcsv, strict mode) into memory with the line of every cell.
 * Invariant: a cell's line is counted from the row terminators libcsv reports (CSV_REPALL_NL) plus
 * the line breaks inside quoted cells, so it is exact for LF, CRLF and lone-CR files alike. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <csv.h>

#include "io/io_api.h"

enum { CHUNK = 1 << 16 };

typedef struct {
    const char *path;
    const cx_load_opts *opts;
    cxi_table *t;
    cx_diags *diags;
    cx_status st;  /* worst status so far */
    unsigned line; /* line of the next byte libcsv will hand us */
    int last_cr;   /* the previous callback was a row end on '\r' */
    int stop;      /* row limit reached or out of memory: ignore further callbacks */
    int have_header;
    cxi_cell *cur; /* fields of the row being read (malloc) */
    size_t ncur, acur;
    int cur_nonempty; /* some field of the current row has text */
    cxi_cell **rows;  /* finished rows (malloc; moved into the arena at the end) */
    unsigned *row_line;
    size_t nrows, arows;
} reader;

static void fail(reader *r, cx_status s) {
    r->st = cxi_status_worse(r->st, s);
    if (s == CX_ENOMEM) r->stop = 1;
}

static const char *colname(const reader *r, size_t field) {
    if (!r->have_header || field >= r->t->ncols) return NULL;
    return r->t->header[field].text;
}

/* Offset of the first byte that is not valid UTF-8 (overlongs, surrogates and > U+10FFFF are
 * invalid), or n when all is well. */
static size_t utf8_bad(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            min = 0x10000;
        } else
            return i;
        unsigned v = c & (0x3Fu >> k);
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (s[i + j] & 0xC0) != 0x80) return i;
            v = (v << 6) | (s[i + j] & 0x3Fu);
        }
        if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return i;
        i += k + 1;
    }
    return n;
}

/* An error about the cell being read: "column 'x': " prefix once the header is known. */
static void cell_err(reader *r, unsigned line, unsigned col, cx_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
static void cell_err(reader *r, unsigned line, unsigned col, cx_status st, const char *fmt, ...) {
    char msg[512], q[100];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *cn = colname(r, col - 1);
    if (cn)
        cxi_diag_add(r->diags, r->path, line, col, "column '%s': %s",
                     cxi_diag_quote(q, sizeof q, cn), msg);
    else
        cxi_diag_add(r->diags, r->path, line, col, "%s", msg);
    fail(r, st);
}

static void on_field(void *data, size_t len, void *ud) {
    reader *r = ud;
    if (r->stop) return;
    r->last_cr = 0;
    const char *s = data ? data : "";
    unsigned line = r->line;
    unsigned col = (unsigned)r->ncur + 1;
    /* line breaks inside a quoted cell move the position of everything after it */
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n'))) r->line++;

    char *text = NULL;
    if (len > r->opts->max_field_bytes) {
        cell_err(r, line, col, CX_ELIMIT,
                 "cell is %zu bytes long (the limit is %zu bytes per cell)", len,
                 r->opts->max_field_bytes);
        text = cxi_arena_strdup(&r->t->arena, "");
    } else if (memchr(s, '\0', len)) {
        cell_err(r, line, col, CX_EINPUT,
                 "NUL byte in the cell (expected UTF-8 text; is the file UTF-16?)");
        text = cxi_arena_strdup(&r->t->arena, "");
    } else {
        size_t bad = utf8_bad((const unsigned char *)s, len);
        if (bad < len)
            cell_err(r, line, col, CX_EINPUT,
                     "invalid UTF-8 byte 0x%02X at byte %zu of the cell (expected UTF-8 text: "
                     "save the file as 'CSV UTF-8')",
                     (unsigned)(unsigned char)s[bad], bad + 1);
        text = cxi_arena_strndup(&r->t->arena, s, len);
        if (text) { /* CRLF inside quoted cells becomes LF */
            char *w = text;
            for (const char *p = text; *p; p++)
                if (!(p[0] == '\r' && p[1] == '\n')) *w++ = *p;
            *w = '\0';
        }
    }
    if (!text) {
        fail(r, CX_ENOMEM);
        return;
    }
    if (r->ncur == r->acur) {
        size_t na = r->acur ? r->acur * 2 : 16;
        cxi_cell *nc = realloc(r->cur, na * sizeof *nc);
        if (!nc) {
            fail(r, CX_ENOMEM);
            return;
        }
        r->cur = nc;
        r->acur = na;
    }
    r->cur[r->ncur].text = text;
    r->cur[r->ncur].line = line;
    r->cur[r->ncur].col = col;
    r->ncur++;
    if (text[0]) r->cur_nonempty = 1;
}

static cxi_cell *copy_row(reader *r) {
    cxi_cell *row = cxi_arena_alloc(&r->t->arena, r->ncur * sizeof *row);
    if (!row) {
        fail(r, CX_ENOMEM);
        return NULL;
    }
    memcpy(row, r->cur, r->ncur * sizeof *row);
    return row;
}

static void header_row(reader *r) {
    cxi_table *t = r->t;
    t->header = copy_row(r);
    if (!t->header) return;
    t->ncols = (unsigned)r->ncur;
    r->have_header = 1;
    for (unsigned i = 0; i < t->ncols; i++) {
        if (!t->header[i].text[0]) continue;
        for (unsigned j = 0; j < i; j++) {
            if (cxi_ieq(t->header[i].text, t->header[j].text)) {
                char q[100];
                cxi_diag_add(r->diags, r->path, t->header[i].line, i + 1,
                             "column '%s' appears twice (also column %u; expected each column "
                             "once)",
                             cxi_diag_quote(q, sizeof q, t->header[i].text), j + 1);
                fail(r, CX_EINPUT);
                break;
            }
        }
    }
}

static void data_row(reader *r) {
    unsigned line = r->cur[0].line;
    if (r->ncur != r->t->ncols) {
        /* located at the first surplus cell, or just after the last cell of a short row */
        int extra = r->ncur > r->t->ncols;
        const cxi_cell *at = extra ? &r->cur[r->t->ncols] : &r->cur[r->ncur - 1];
        unsigned col = extra ? r->t->ncols + 1 : (unsigned)r->ncur + 1;
        cxi_diag_add(r->diags, r->path, at->line, col,
                     "row has %zu field%s, the header has %u (expected %u field%s; %s)", r->ncur,
                     r->ncur == 1 ? "" : "s", r->t->ncols, r->t->ncols,
                     r->t->ncols == 1 ? "" : "s",
                     extra ? "quote cells that contain the delimiter"
                           : "a cell or its delimiter is missing");
        fail(r, CX_EINPUT);
        return;
    }
    if (r->nrows >= r->opts->max_rows) {
        cxi_diag_add(r->diags, r->path, line, 1, "more than %zu rows (the limit per table)",
                     r->opts->max_rows);
        fail(r, CX_ELIMIT);
        r->stop = 1;
        return;
    }
    if (r->nrows == r->arows) {
        size_t na = r->arows ? r->arows * 2 : 64;
        cxi_cell **nr = realloc(r->rows, na * sizeof *nr);
        if (!nr) {
            fail(r, CX_ENOMEM);
            return;
        }
        r->rows = nr;
        unsigned *nl = realloc(r->row_line, na * sizeof *nl);
        if (!nl) {
            fail(r, CX_ENOMEM);
            return;
        }
        r->row_line = nl;
        r->arows = na;
    }
    cxi_cell *row = copy_row(r);
    if (!row) return;
    r->rows[r->nrows] = row;
    r->row_line[r->nrows] = line;
    r->nrows++;
}

static void on_row(int c, void *ud) {
    reader *r = ud;
    if (r->stop) return;
    if (c >= 0) {
        if (!(c == '\n' && r->last_cr)) r->line++;
        r->last_cr = c == '\r';
    }
    /* rows whose cells are all empty (blank lines, ";;;" from spreadsheets) are skipped */
    if (r->ncur > 0 && r->cur_nonempty) {
        if (!r->have_header)
            header_row(r);
        else
            data_row(r);
    }
    r->ncur = 0;
    r->cur_nonempty = 0;
}

/* The header line decides the delimiter: the one of ',' and ';' that occurs more often outside
 * quotes (',' on a tie), so "name;lat;lon" and "a,b" both work without configuration. */
static char detect_delim(const char *s, size_t n) {
    size_t i = 0, commas = 0, semis = 0;
    int inq = 0;
    while (i < n && (s[i] == '\r' || s[i] == '\n' || s[i] == ' ' || s[i] == '\t')) i++;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '"')
            inq = !inq;
        else if (!inq && (c == '\n' || c == '\r'))
            break;
        else if (!inq && c == ',')
            commas++;
        else if (!inq && c == ';')
            semis++;
    }
    return semis > commas ? ';' : ',';
}

static unsigned line_at(const char *s, size_t off) {
    unsigned line = 1;
    for (size_t i = 0; i < off; i++)
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= off || s[i + 1] != '\n'))) line++;
    return line;
}

static void errno_msg(int e, char *buf, size_t n) {
    if (strerror_r(e, buf, n) != 0) snprintf(buf, n, "error %d", e);
}

/* Reads the whole file (bounded by the size limit, checked before reading). *buf is malloc'd. */
static cx_status slurp(const char *path, const cx_load_opts *opts, char **buf, size_t *len,
                       cx_diags *diags) {
    char why[128];
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        if (e == ENOENT) {
            cxi_diag_add(diags, path, 0, 0, "missing file");
            return CX_EINPUT;
        }
        errno_msg(e, why, sizeof why);
        cxi_diag_add(diags, path, 0, 0, "cannot open: %s", why);
        return CX_EIO;
    }
    struct stat sb;
    memset(&sb, 0, sizeof sb);
    if (fstat(fileno(f), &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            fclose(f);
            cxi_diag_add(diags, path, 0, 0, "is a directory (expected a CSV file)");
            return CX_EINPUT;
        }
        if (S_ISREG(sb.st_mode) && (unsigned long long)sb.st_size > opts->max_file_bytes) {
            fclose(f);
            cxi_diag_add(diags, path, 0, 0, "file is %lld bytes (the limit is %zu bytes per file)",
                         (long long)sb.st_size, opts->max_file_bytes);
            return CX_ELIMIT;
        }
    }
    size_t cap = S_ISREG(sb.st_mode) && sb.st_size > 0 ? (size_t)sb.st_size + 1 : CHUNK;
    char *b = malloc(cap);
    size_t n = 0;
    cx_status st = CX_OK;
    while (b) {
        if (n == cap) {
            size_t nc = cap * 2;
            char *nb = realloc(b, nc);
            if (!nb) break;
            b = nb;
            cap = nc;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (n > opts->max_file_bytes) {
            cxi_diag_add(diags, path, 0, 0, "file is more than %zu bytes (the limit per file)",
                         opts->max_file_bytes);
            st = CX_ELIMIT;
            break;
        }
        if (got == 0) {
            if (ferror(f)) {
                errno_msg(errno, why, sizeof why);
                cxi_diag_add(diags, path, 0, 0, "read error: %s", why);
                st = CX_EIO;
            }
            break;
        }
    }
    fclose(f);
    if (!b) return CX_ENOMEM;
    if (st != CX_OK) {
        free(b);
        return st;
    }
    *buf = b;
    *len = n;
    return CX_OK;
}

static cx_status finish(reader *r) {
    cxi_table *t = r->t;
    if (r->nrows > 0 && r->st != CX_ENOMEM) {
        t->rows = cxi_arena_alloc(&t->arena, r->nrows * sizeof *t->rows);
        t->row_line = cxi_arena_alloc(&t->arena, r->nrows * sizeof *t->row_line);
        if (!t->rows || !t->row_line) {
            t->rows = NULL;
            t->row_line = NULL;
            fail(r, CX_ENOMEM);
        } else {
            memcpy(t->rows, r->rows, r->nrows * sizeof *t->rows);
            memcpy(t->row_line, r->row_line, r->nrows * sizeof *t->row_line);
            t->nrows = (unsigned)r->nrows;
        }
    }
    free(r->cur);
    free(r->rows);
    free(r->row_line);
    return r->st;
}

cx_status cxi_table_read_hashed(const char *path, const cx_load_opts *opts, cxi_table *out,
                                cx_diags *diags, uint64_t *fnv) {
    if (!path || !out) return CX_EINVAL;
    memset(out, 0, sizeof *out);
    cxi_arena_init(&out->arena);
    out->delim = ',';
    cx_load_opts defaults = cx_load_opts_default();
    if (!opts) opts = &defaults;

    char *buf;
    size_t len;
    cx_status st = slurp(path, opts, &buf, &len, diags);
    if (st != CX_OK) return st;
    if (fnv) *fnv = cxi_fnv1a(*fnv, buf, len);

    size_t off = 0;
    if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) off = 3;
    if (len >= 2 && (!memcmp(buf, "\xFF\xFE", 2) || !memcmp(buf, "\xFE\xFF", 2))) {
        free(buf);
        cxi_diag_add(diags, path, 1, 1, "file is UTF-16 (expected UTF-8: save as 'CSV UTF-8')");
        return CX_EINPUT;
    }
    out->delim = detect_delim(buf + off, len - off);
    out->decimal_comma = out->delim == ';';

    reader r = {.path = path, .opts = opts, .t = out, .diags = diags, .st = CX_OK, .line = 1};
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) {
        free(buf);
        return CX_ENOMEM;
    }
    csv_set_delim(&p, (unsigned char)out->delim);
    int parse_error = 0;
    for (size_t pos = off; pos < len && !r.stop;) {
        size_t n = len - pos < CHUNK ? len - pos : CHUNK;
        size_t done = csv_parse(&p, buf + pos, n, on_field, on_row, &r);
        if (done < n) {
            int e = csv_error(&p);
            if (e == CSV_EPARSE) {
                size_t at = pos + done;
                char c = buf[at];
                char shown[8];
                if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7F)
                    snprintf(shown, sizeof shown, "0x%02X", (unsigned)(unsigned char)c);
                else
                    snprintf(shown, sizeof shown, "'%c'", c);
                if (p.quoted)
                    cxi_diag_add(diags, path, line_at(buf + off, at - off), (unsigned)r.ncur + 1,
                                 "%s after the closing quote of a quoted cell (expected '%c' or "
                                 "the end of the line; a quote inside a quoted cell is written "
                                 "\"\")",
                                 shown, out->delim);
                else
                    cxi_diag_add(diags, path, line_at(buf + off, at - off), (unsigned)r.ncur + 1,
                                 "quote inside an unquoted cell (expected the whole cell in "
                                 "quotes, with inner quotes doubled: \"say \"\"hi\"\"\")");
                fail(&r, CX_EINPUT);
            } else {
                fail(&r, CX_ENOMEM);
            }
            parse_error = 1;
            break;
        }
        pos += n;
    }
    if (!parse_error && !r.stop) {
        if (csv_fini(&p, on_field, on_row, &r) != 0) {
            parse_error = 1;
            cxi_diag_add(diags, path, r.line, (unsigned)r.ncur + 1,
                         "unterminated quoted cell (expected a closing '\"'; the cell runs to the "
                         "end of the file)");
            fail(&r, CX_EINPUT);
        }
    }
    csv_free(&p);
    free(buf);
    if (!r.have_header && r.st != CX_ENOMEM && !parse_error) {
        cxi_diag_add(diags, path, 1, 1, "empty file (expected a header row naming the columns)");
        fail(&r, CX_EINPUT);
    }
    return finish(&r);
}

cx_status cxi_table_read(const char *path, const cx_load_opts *opts, cxi_table *out,
                         cx_diags *diags) {
    return cxi_table_read_hashed(path, opts, out, diags, NULL);
}

void cxi_table_free(cxi_table *t) {
    if (!t) return;
    cxi_arena_free(&t->arena);
    memset(t, 0, sizeof *t);
}

/* Header text compared without surrounding spaces (quoted headers keep theirs in libcsv). */
int cxi_table_col(const cxi_table *t, const char *name) {
    if (!t || !name) return -1;
    size_t nl = strlen(name);
    for (unsigned i = 0; i < t->ncols; i++) {
        const char *h = t->header[i].text;
        while (*h == ' ' || *h == '\t') h++;
        size_t hl = strlen(h);
        while (hl > 0 && (h[hl - 1] == ' ' || h[hl - 1] == '\t')) hl--;
        if (hl == nl && cxi_ieqn(h, name, nl)) return (int)i;
    }
    return -1;
}
