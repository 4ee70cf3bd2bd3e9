/* dist.c — the text forms of CSV cells: durations, ISO datetimes, numbers, distributions; sampling.
 * Invariant: parsers never read past the NUL, never depend on the locale's radix character, and
 * report the 1-based column of the offending token; every parsed distribution samples >= 0. */
#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "kernel/kernel_api.h"

/* 100 Julian years: beyond this a duration is surely a typo, and sums stay far from overflow */
#define MAX_DURATION INT64_C(3155760000)
/* distribution parameters beyond this would make samples lose all meaning (and risk inf) */
#define MAX_PARAM 1e15

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void set_err(cxi_parse_err *err, int col, const char *fmt, ...) {
    if (!err) return;
    err->col = col < 1 ? 1 : col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

/* A cell quoted in a message: at most 40 bytes, so the message always fits. */
static const char *clip(const char *s, size_t n, char *buf, size_t bufn) {
    if (n > 40) {
        snprintf(buf, bufn, "%.37s...", s);
    } else {
        snprintf(buf, bufn, "%.*s", (int)n, s);
    }
    return buf;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

static void trim(const char *s, size_t *b, size_t *e) {
    while (*b < *e && is_space(s[*b])) (*b)++;
    while (*e > *b && is_space(s[*e - 1])) (*e)--;
}

static int ieq(const char *a, size_t n, const char *lit) {
    size_t i = 0;
    for (; i < n && lit[i]; i++)
        if (tolower((unsigned char)a[i]) != lit[i]) return 0;
    return i == n && lit[i] == '\0';
}

/* ---- durations ------------------------------------------------------------------------------ */

/* char arrays, not pointers: the table then needs no relocation and lands in read-only data */
static const struct {
    char name[8];
    int64_t sec;
} units[] = {
    {"s", 1},       {"sec", 1},      {"secs", 1},       {"second", 1},   {"seconds", 1},
    {"m", 60},      {"min", 60},     {"mins", 60},      {"minute", 60},  {"minutes", 60},
    {"h", 3600},    {"hr", 3600},    {"hrs", 3600},     {"hour", 3600},  {"hours", 3600},
    {"d", 86400},   {"day", 86400},  {"days", 86400},   {"w", 604800},   {"week", 604800},
    {"weeks", 604800},
};

/* Parses s[b, e) as a duration; columns are reported as base + offset + 1. */
static int dur_span(const char *s, size_t b, size_t e, size_t base, int64_t *out,
                    cxi_parse_err *err) {
    char q[48];
    size_t tb = b, te = e;
    trim(s, &tb, &te);
    const char *cell = s + tb;
    size_t celln = te - tb;
    size_t i = tb;
    int neg = 0;
    if (i == te) {
        set_err(err, (int)(base + b + 1), "empty duration (expected e.g. 6h, 90m or 1d6h)");
        return -1;
    }
    if (s[i] == 'T' || s[i] == 't') {
        i++;
        while (i < te && is_space(s[i])) i++;
        if (i >= te || (s[i] != '+' && s[i] != '-')) {
            set_err(err, (int)(base + i + 1), "expected '+' or '-' after 'T' in '%s' (e.g. T+6h)",
                    clip(cell, celln, q, sizeof q));
            return -1;
        }
    }
    if (i < te && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        i++;
        while (i < te && is_space(s[i])) i++;
        if (i >= te) {
            set_err(err, (int)(base + i + 1), "expected a number after the sign in '%s'",
                    clip(cell, celln, q, sizeof q));
            return -1;
        }
    }
    double total = 0;
    int ncomp = 0;
    while (i < te) {
        size_t nb = i;
        double v = 0;
        int digits = 0;
        while (i < te && is_digit(s[i])) {
            if (v < 1e15) v = v * 10 + (s[i] - '0');
            else v = 1e16; /* saturate: reported as out of range below */
            i++;
            digits++;
        }
        if (i < te && s[i] == '.') {
            double scale = 0.1;
            i++;
            while (i < te && is_digit(s[i])) {
                v += (s[i] - '0') * scale;
                scale *= 0.1;
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            set_err(err, (int)(base + nb + 1), "expected a number at '%c' in '%s' (e.g. 6h, 90m or 1d6h)",
                    s[nb], clip(cell, celln, q, sizeof q));
            return -1;
        }
        while (i < te && is_space(s[i])) i++;
        size_t ub = i;
        while (i < te && is_alpha(s[i])) i++;
        int64_t mult = 1;
        if (ub == i) {
            if (ncomp > 0 || i < te) {
                char nq[48];
                set_err(err, (int)(base + nb + 1),
                        "missing unit after '%s' in '%s' (expected s, m, h, d or w)",
                        clip(s + nb, ub - nb, nq, sizeof nq), clip(cell, celln, q, sizeof q));
                return -1;
            }
        } else {
            size_t k = 0, nunits = sizeof units / sizeof units[0];
            while (k < nunits && !ieq(s + ub, i - ub, units[k].name)) k++;
            if (k == nunits) {
                char uq[48];
                set_err(err, (int)(base + ub + 1), "unknown unit '%s' in '%s' (expected s, m, h, d or w)",
                        clip(s + ub, i - ub, uq, sizeof uq), clip(cell, celln, q, sizeof q));
                return -1;
            }
            mult = units[k].sec;
        }
        total += v * (double)mult;
        if (total > (double)MAX_DURATION + 0.5) {
            set_err(err, (int)(base + nb + 1), "duration '%s' out of range (at most 100 years)",
                    clip(cell, celln, q, sizeof q));
            return -1;
        }
        ncomp++;
        while (i < te && is_space(s[i])) i++;
        if (i < te && !is_digit(s[i]) && s[i] != '.') {
            set_err(err, (int)(base + i + 1), "unexpected '%c' in '%s' (expected e.g. 6h, 90m or 1d6h)",
                    s[i], clip(cell, celln, q, sizeof q));
            return -1;
        }
    }
    int64_t r = (int64_t)llround(total);
    *out = neg ? -r : r;
    return 0;
}

int cxi_duration_parse(const char *s, int64_t *out, cxi_parse_err *err) {
    int64_t v = 0;
    if (!s || !out) {
        set_err(err, 1, "no text");
        return -1;
    }
    if (dur_span(s, 0, strlen(s), 0, &v, err) != 0) return -1;
    *out = v;
    return 0;
}

/* ---- datetimes ---------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm): no timegm, no TZ. */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m) {
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : dm[m - 1];
}

/* Reads exactly n digits at s[*i]; -1 when they are not there. */
static int fixed_digits(const char *s, size_t *i, int n) {
    int v = 0;
    for (int k = 0; k < n; k++) {
        if (!is_digit(s[*i])) return -1;
        v = v * 10 + (s[*i] - '0');
        (*i)++;
    }
    return v;
}

#define DT_EXPECT "expected YYYY-MM-DD[Thh:mm[:ss]][Z|+hh:mm]"

static int dt_span(const char *s, size_t b, size_t e, size_t base, int64_t *out, cxi_parse_err *err) {
    char q[48], buf[64];
    size_t tb = b, te = e;
    trim(s, &tb, &te);
    if (te - tb >= sizeof buf) {
        set_err(err, (int)(base + tb + 1), "datetime '%s' too long (" DT_EXPECT ")",
                clip(s + tb, te - tb, q, sizeof q));
        return -1;
    }
    memcpy(buf, s + tb, te - tb);
    buf[te - tb] = '\0';
    const char *cell = clip(buf, te - tb, q, sizeof q);
    size_t i = 0;
#define DT_FAIL(pos, ...)                                   \
    do {                                                    \
        set_err(err, (int)(base + tb + (pos) + 1), __VA_ARGS__); \
        return -1;                                          \
    } while (0)
    int y = fixed_digits(buf, &i, 4);
    if (y < 0 || buf[i] != '-') DT_FAIL(i, "invalid date in '%s' (" DT_EXPECT ")", cell);
    i++;
    size_t mpos = i;
    int mo = fixed_digits(buf, &i, 2);
    if (mo < 0 || buf[i] != '-') DT_FAIL(i, "invalid date in '%s' (" DT_EXPECT ")", cell);
    if (mo < 1 || mo > 12) DT_FAIL(mpos, "month %d out of range in '%s' (expected 01 to 12)", mo, cell);
    i++;
    size_t dpos = i;
    int d = fixed_digits(buf, &i, 2);
    if (d < 0) DT_FAIL(i, "invalid date in '%s' (" DT_EXPECT ")", cell);
    if (d < 1 || d > days_in_month(y, mo))
        DT_FAIL(dpos, "day %d out of range in '%s' (month %02d has %d days)", d, cell, mo,
                days_in_month(y, mo));
    int hh = 0, mi = 0, ss = 0, off = 0;
    if (buf[i] == 'T' || buf[i] == 't' || buf[i] == ' ') {
        i++;
        while (buf[i] == ' ') i++;
        size_t hpos = i;
        hh = fixed_digits(buf, &i, 2);
        if (hh < 0 || buf[i] != ':') DT_FAIL(i, "invalid time of day in '%s' (" DT_EXPECT ")", cell);
        if (hh > 23) DT_FAIL(hpos, "hour %d out of range in '%s' (expected 00 to 23)", hh, cell);
        i++;
        size_t mipos = i;
        mi = fixed_digits(buf, &i, 2);
        if (mi < 0) DT_FAIL(i, "invalid time of day in '%s' (" DT_EXPECT ")", cell);
        if (mi > 59) DT_FAIL(mipos, "minute %d out of range in '%s' (expected 00 to 59)", mi, cell);
        if (buf[i] == ':') {
            i++;
            size_t spos = i;
            ss = fixed_digits(buf, &i, 2);
            if (ss < 0) DT_FAIL(i, "invalid seconds in '%s' (" DT_EXPECT ")", cell);
            if (ss > 59) DT_FAIL(spos, "second %d out of range in '%s' (expected 00 to 59)", ss, cell);
            if (buf[i] == '.' || buf[i] == ',') {
                /* spreadsheets write ".000"; simulation time is whole seconds, so only zeros pass */
                size_t fpos = i++;
                if (!is_digit(buf[i])) DT_FAIL(i, "invalid fraction of a second in '%s'", cell);
                while (is_digit(buf[i]))
                    if (buf[i++] != '0')
                        DT_FAIL(fpos, "fractions of a second are not supported in '%s' (whole seconds)",
                                cell);
            }
        }
        while (buf[i] == ' ') i++;
        if (buf[i] == 'Z' || buf[i] == 'z') {
            i++;
        } else if (buf[i] == '+' || buf[i] == '-') {
            int sign = buf[i] == '-' ? -1 : 1;
            size_t opos = i++;
            int oh = fixed_digits(buf, &i, 2), om = 0;
            if (oh < 0) DT_FAIL(i, "invalid UTC offset in '%s' (expected Z, +hh:mm or -hh:mm)", cell);
            if (buf[i] == ':') i++;
            if (is_digit(buf[i])) {
                om = fixed_digits(buf, &i, 2);
                if (om < 0) DT_FAIL(i, "invalid UTC offset in '%s' (expected Z, +hh:mm or -hh:mm)", cell);
            }
            if (oh > 18 || om > 59) DT_FAIL(opos, "UTC offset out of range in '%s'", cell);
            off = sign * (oh * 3600 + om * 60);
        }
    }
    if (buf[i] != '\0') DT_FAIL(i, "unexpected '%c' in datetime '%s' (" DT_EXPECT ")", buf[i], cell);
#undef DT_FAIL
    *out = days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss - off;
    return 0;
}

int cxi_datetime_parse(const char *s, int64_t *unix_out, cxi_parse_err *err) {
    int64_t v = 0;
    if (!s || !unix_out) {
        set_err(err, 1, "no text");
        return -1;
    }
    if (dt_span(s, 0, strlen(s), 0, &v, err) != 0) return -1;
    *unix_out = v;
    return 0;
}

int cxi_time_parse(const char *s, int64_t t0_unix, cx_time *out, cxi_parse_err *err) {
    if (!s || !out) {
        set_err(err, 1, "no text");
        return -1;
    }
    size_t b = 0, e = strlen(s);
    trim(s, &b, &e);
    /* "YYYY-" starts a datetime; every other form is an offset from T0 */
    if (e - b >= 5 && is_digit(s[b]) && is_digit(s[b + 1]) && is_digit(s[b + 2]) &&
        is_digit(s[b + 3]) && s[b + 4] == '-') {
        int64_t u = 0;
        if (dt_span(s, 0, strlen(s), 0, &u, err) != 0) return -1;
        if ((t0_unix > 0 && u < INT64_MIN + t0_unix) || (t0_unix < 0 && u > INT64_MAX + t0_unix)) {
            set_err(err, 1, "datetime out of range");
            return -1;
        }
        *out = u - t0_unix;
        return 0;
    }
    int64_t d = 0;
    if (dur_span(s, 0, strlen(s), 0, &d, err) != 0) return -1;
    *out = d;
    return 0;
}

void cxi_datetime_format(int64_t unix_s, char *buf, size_t n) {
    if (!buf || n == 0) return;
    int64_t days = unix_s / 86400, rem = unix_s % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, n, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60));
}

void cxi_offset_format(cx_time t, char *buf, size_t n) {
    if (!buf || n == 0) return;
    if (t == CX_TIME_NEVER) {
        snprintf(buf, n, "never");
        return;
    }
    char sign = t < 0 ? '-' : '+';
    /* INT64_MIN has no positive counterpart: work in unsigned */
    uint64_t a = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    uint64_t days = a / 86400, rem = a % 86400;
    if (days > 0)
        snprintf(buf, n, "T%c%llud%02u:%02u:%02u", sign, (unsigned long long)days,
                 (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
    else
        snprintf(buf, n, "T%c%02u:%02u:%02u", sign, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60),
                 (unsigned)(rem % 60));
}

void cxi_duration_format(int64_t s, char *buf, size_t n) {
    static const struct {
        uint64_t len;
        char unit;
    } parts[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
    if (!buf || n == 0) return;
    buf[0] = '\0';
    if (s == 0) {
        snprintf(buf, n, "0s");
        return;
    }
    size_t used = s < 0 ? (size_t)snprintf(buf, n, "-") : 0;
    uint64_t a = s < 0 ? (uint64_t)0 - (uint64_t)s : (uint64_t)s;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0] && a > 0 && used < n; i++) {
        uint64_t q = a / parts[i].len;
        if (q == 0) continue;
        used += (size_t)snprintf(buf + used, n - used, "%llu%c", (unsigned long long)q, parts[i].unit);
        a -= q * parts[i].len;
    }
}

/* ---- numbers ------------------------------------------------------------------------------ */

static int num_span(const char *s, size_t b, size_t e, size_t base, int decimal_comma, double *out,
                    cxi_parse_err *err) {
    char q[48], buf[80];
    size_t tb = b, te = e;
    trim(s, &tb, &te);
    const char *cell = s + tb;
    size_t celln = te - tb;
    if (celln == 0) {
        set_err(err, (int)(base + b + 1), "empty number");
        return -1;
    }
    if (celln >= sizeof buf) {
        set_err(err, (int)(base + tb + 1), "number '%s' too long", clip(cell, celln, q, sizeof q));
        return -1;
    }
    /* The grammar is checked here, so strtod only ever sees [-+]d*.d*[e[-+]d+]: no hex, inf, nan. */
    const char radix = localeconv()->decimal_point[0];
    size_t i = tb, k = 0;
    int mant = 0;
    if (s[i] == '+' || s[i] == '-') buf[k++] = s[i++];
    while (i < te && is_digit(s[i])) buf[k++] = s[i++], mant++;
    if (i < te && (s[i] == '.' || (decimal_comma && s[i] == ','))) {
        buf[k++] = radix ? radix : '.';
        i++;
        while (i < te && is_digit(s[i])) buf[k++] = s[i++], mant++;
    }
    if (mant == 0) {
        set_err(err, (int)(base + tb + 1), "'%s' is not a number", clip(cell, celln, q, sizeof q));
        return -1;
    }
    if (i < te && (s[i] == 'e' || s[i] == 'E')) {
        size_t epos = i;
        buf[k++] = s[i++];
        if (i < te && (s[i] == '+' || s[i] == '-')) buf[k++] = s[i++];
        int ed = 0;
        while (i < te && is_digit(s[i])) buf[k++] = s[i++], ed++;
        if (ed == 0) {
            set_err(err, (int)(base + epos + 1), "incomplete exponent in '%s'",
                    clip(cell, celln, q, sizeof q));
            return -1;
        }
    }
    if (i < te) {
        set_err(err, (int)(base + i + 1), "unexpected '%c' in number '%s'", s[i],
                clip(cell, celln, q, sizeof q));
        return -1;
    }
    buf[k] = '\0';
    double v = strtod(buf, NULL);
    if (!isfinite(v)) {
        set_err(err, (int)(base + tb + 1), "number '%s' out of range", clip(cell, celln, q, sizeof q));
        return -1;
    }
    *out = v;
    return 0;
}

int cxi_number_parse(const char *s, int decimal_comma, double *out, cxi_parse_err *err) {
    double v = 0;
    if (!s || !out) {
        set_err(err, 1, "no text");
        return -1;
    }
    if (num_span(s, 0, strlen(s), 0, decimal_comma, &v, err) != 0) return -1;
    *out = v;
    return 0;
}

/* ---- distributions ------------------------------------------------------------------------ */

static const struct {
    char name[12];
    cxi_dist_kind kind;
    int np;
    char params[3][8];
    unsigned unitless; /* bit j: parameter j is a plain number even in a duration cell */
} kinds[] = {
    {"exp", CXI_DIST_EXP, 1, {"mean", "", ""}, 0},
    {"lognormal", CXI_DIST_LOGNORMAL, 2, {"median", "sigma", ""}, 2u},
    {"uniform", CXI_DIST_UNIFORM, 2, {"low", "high", ""}, 0},
    {"triangular", CXI_DIST_TRIANGULAR, 3, {"low", "mode", "high"}, 0},
    {"normal", CXI_DIST_NORMAL, 2, {"mean", "sd", ""}, 0},
    {"fixed", CXI_DIST_FIXED, 1, {"value", "", ""}, 0},
};
enum { NKINDS = sizeof kinds / sizeof kinds[0] };
#define DIST_EXPECT "expected exp, lognormal, uniform, triangular, normal or fixed"

static int kind_index(cxi_dist_kind k) {
    for (int i = 0; i < NKINDS; i++)
        if (kinds[i].kind == k) return i;
    return -1;
}

/* Range checks shared by the parser; returns the index of the offending parameter (or 0) and a
 * message, or -1 when d is sane. */
static int dist_check(const cxi_dist *d, const char **msg) {
    const double *p = d->p;
    for (int j = 0; j < 3; j++)
        if (!(fabs(p[j]) <= MAX_PARAM)) {
            *msg = "parameter out of range (at most 1e15)";
            return j;
        }
    switch (d->kind) {
    case CXI_DIST_FIXED:
        if (p[0] < 0) return *msg = "fixed(value) needs value >= 0", 0;
        break;
    case CXI_DIST_EXP:
        if (!(p[0] > 0)) return *msg = "exp(mean) needs mean > 0", 0;
        break;
    case CXI_DIST_LOGNORMAL:
        if (!(p[0] > 0)) return *msg = "lognormal(median, sigma) needs median > 0", 0;
        if (!(p[1] > 0 && p[1] <= 10)) return *msg = "lognormal(median, sigma) needs 0 < sigma <= 10", 1;
        break;
    case CXI_DIST_UNIFORM:
        if (p[0] < 0) return *msg = "uniform(low, high) needs low >= 0", 0;
        if (p[0] > p[1]) return *msg = "uniform(low, high) needs low <= high", 1;
        break;
    case CXI_DIST_TRIANGULAR:
        if (p[0] < 0) return *msg = "triangular(a, b, c) needs a >= 0", 0;
        if (p[0] > p[1] || p[1] > p[2]) return *msg = "triangular(a, b, c) needs a <= b <= c", 1;
        break;
    case CXI_DIST_NORMAL:
        if (p[0] < 0) return *msg = "normal(mean, sd) needs mean >= 0 (it is truncated at 0)", 0;
        if (p[1] < 0) return *msg = "normal(mean, sd) needs sd >= 0", 1;
        break;
    default:
        return *msg = "unknown distribution kind", 0;
    }
    return -1;
}

static int value_span(const char *s, size_t b, size_t e, int duration, int decimal_comma, double *v,
                      cxi_parse_err *err) {
    if (duration) {
        int64_t d = 0;
        if (dur_span(s, b, e, 0, &d, err) != 0) return -1;
        *v = (double)d;
        return 0;
    }
    return num_span(s, b, e, 0, decimal_comma, v, err);
}

int cxi_dist_parse(const char *s, int duration, int decimal_comma, cxi_dist *out, cxi_parse_err *err) {
    char q[48];
    if (!s || !out) {
        set_err(err, 1, "no text");
        return -1;
    }
    size_t b = 0, e = strlen(s);
    trim(s, &b, &e);
    const char *cell = clip(s + b, e - b, q, sizeof q);
    cxi_dist d = {CXI_DIST_FIXED, {0, 0, 0}, duration ? 1 : 0};
    if (b == e) {
        set_err(err, 1, "empty distribution (e.g. exp(6h), uniform(2h, 6h) or a constant)");
        return -1;
    }
    size_t nb = b, ne = b;
    while (ne < e && is_alpha(s[ne])) ne++;
    size_t i = ne;
    while (i < e && is_space(s[i])) i++;
    int is_call = ne > nb && i < e && s[i] == '(';
    /* "T+6h" is an offset, not a name */
    int is_offset = ne == nb + 1 && (s[nb] == 'T' || s[nb] == 't') && i < e && (s[i] == '+' || s[i] == '-');
    if (!is_call) {
        if (ne > nb && !is_offset) {
            int k = 0;
            while (k < NKINDS && !ieq(s + nb, ne - nb, kinds[k].name)) k++;
            if (ieq(s + nb, ne - nb, "exponential")) k = 0;
            char nq[48];
            if (k < NKINDS)
                set_err(err, (int)(i + 1), "expected '(' after '%s' in '%s'", kinds[k].name, cell);
            else
                set_err(err, (int)(nb + 1), "unknown distribution '%s' (" DIST_EXPECT ")",
                        clip(s + nb, ne - nb, nq, sizeof nq));
            return -1;
        }
        if (value_span(s, b, e, duration, decimal_comma, &d.p[0], err) != 0) return -1;
        const char *msg = NULL;
        if (dist_check(&d, &msg) >= 0) {
            if (d.p[0] < 0) msg = "a constant must be >= 0";
            set_err(err, (int)(b + 1), "%s, got '%s'", msg, cell);
            return -1;
        }
        *out = d;
        return 0;
    }
    int k = 0;
    while (k < NKINDS && !ieq(s + nb, ne - nb, kinds[k].name)) k++;
    if (ieq(s + nb, ne - nb, "exponential")) k = 0;
    if (k == NKINDS) {
        char nq[48];
        set_err(err, (int)(nb + 1), "unknown distribution '%s' (" DIST_EXPECT ")",
                clip(s + nb, ne - nb, nq, sizeof nq));
        return -1;
    }
    d.kind = kinds[k].kind;
    const char *kname = kinds[k].name;
    int given[3] = {0, 0, 0};
    size_t argcol[3] = {nb, nb, nb};
    int npos = 0, named_seen = 0, nargs = 0;
    size_t close = e;
    i++; /* past '(' */
    for (;;) {
        /* one argument: [name =] value, up to ',' ';' or ')' */
        size_t ab = i;
        size_t ae = ab;
        while (ae < e && s[ae] != ')' && s[ae] != ';') {
            if (s[ae] == ',') {
                /* with decimal commas a comma between digits belongs to the number */
                int dc = decimal_comma && !duration && ae > ab && is_digit(s[ae - 1]) && ae + 1 < e &&
                         is_digit(s[ae + 1]);
                if (!dc) break;
            }
            ae++;
        }
        if (ae >= e) {
            set_err(err, (int)(e + 1), "missing ')' in '%s'", cell);
            return -1;
        }
        size_t tb = ab, te = ae;
        trim(s, &tb, &te);
        if (tb == te) {
            if (s[ae] == ')' && nargs == 0) {
                set_err(err, (int)(ae + 1), "%s needs %d argument%s (%s%s%s%s%s)", kname, kinds[k].np,
                        kinds[k].np > 1 ? "s" : "", kinds[k].params[0], kinds[k].np > 1 ? ", " : "",
                        kinds[k].np > 1 ? kinds[k].params[1] : "", kinds[k].np > 2 ? ", " : "",
                        kinds[k].np > 2 ? kinds[k].params[2] : "");
            } else {
                set_err(err, (int)(tb + 1), "empty argument in '%s'", cell);
            }
            return -1;
        }
        nargs++;
        size_t vb = tb;
        int slot = -1;
        size_t idb = tb, ide = tb;
        while (ide < te && is_alpha(s[ide])) ide++;
        size_t eq = ide;
        while (eq < te && is_space(s[eq])) eq++;
        if (ide > idb && eq < te && s[eq] == '=') {
            for (int j = 0; j < kinds[k].np; j++)
                if (ieq(s + idb, ide - idb, kinds[k].params[j])) slot = j;
            if (slot < 0) {
                char nq[48];
                set_err(err, (int)(idb + 1), "unknown parameter '%s' of %s (expected %s%s%s%s%s)",
                        clip(s + idb, ide - idb, nq, sizeof nq), kname, kinds[k].params[0],
                        kinds[k].np > 1 ? ", " : "", kinds[k].np > 1 ? kinds[k].params[1] : "",
                        kinds[k].np > 2 ? ", " : "", kinds[k].np > 2 ? kinds[k].params[2] : "");
                return -1;
            }
            if (given[slot]) {
                set_err(err, (int)(idb + 1), "parameter '%s' given twice in '%s'", kinds[k].params[slot],
                        cell);
                return -1;
            }
            named_seen = 1;
            vb = eq + 1;
        } else {
            if (named_seen) {
                set_err(err, (int)(tb + 1), "positional argument after a named one in '%s'", cell);
                return -1;
            }
            if (npos >= kinds[k].np) {
                set_err(err, (int)(tb + 1), "too many arguments to %s in '%s' (expected %d)", kname, cell,
                        kinds[k].np);
                return -1;
            }
            slot = npos++;
        }
        int unitless = (kinds[k].unitless >> slot) & 1u;
        if (value_span(s, vb, te, duration && !unitless, decimal_comma, &d.p[slot], err) != 0) return -1;
        given[slot] = 1;
        argcol[slot] = vb;
        while (argcol[slot] < te && is_space(s[argcol[slot]])) argcol[slot]++;
        i = ae + 1;
        if (s[ae] == ')') {
            close = ae;
            break;
        }
    }
    while (i < e && is_space(s[i])) i++;
    if (i < e) {
        set_err(err, (int)(i + 1), "unexpected text after ')' in '%s'", cell);
        return -1;
    }
    for (int j = 0; j < kinds[k].np; j++)
        if (!given[j]) {
            set_err(err, (int)(close + 1), "%s is missing its '%s' argument in '%s'", kname,
                    kinds[k].params[j], cell);
            return -1;
        }
    const char *msg = NULL;
    int bad = dist_check(&d, &msg);
    if (bad >= 0) {
        set_err(err, (int)(argcol[bad] + 1), "%s in '%s'", msg, cell);
        return -1;
    }
    *out = d;
    return 0;
}

double cxi_dist_sample(const cxi_dist *d, gsl_rng *r) {
    const double *p = d->p;
    double x = 0;
    switch (d->kind) {
    case CXI_DIST_FIXED:
        x = p[0];
        break;
    case CXI_DIST_EXP:
        x = gsl_ran_exponential(r, p[0]);
        break;
    case CXI_DIST_LOGNORMAL:
        x = gsl_ran_lognormal(r, log(p[0]), p[1]);
        break;
    case CXI_DIST_UNIFORM:
        x = gsl_ran_flat(r, p[0], p[1]);
        break;
    case CXI_DIST_TRIANGULAR: {
        double a = p[0], m = p[1], c = p[2], u = gsl_rng_uniform(r);
        if (c <= a) {
            x = a;
        } else if (u < (m - a) / (c - a)) {
            x = a + sqrt(u * (c - a) * (m - a));
        } else {
            x = c - sqrt((1 - u) * (c - a) * (c - m));
        }
        break;
    }
    case CXI_DIST_NORMAL:
        /* mean >= 0 makes a rejection at most 1/2 likely, so 64 tries fail with p <= 2^-64 */
        x = -1;
        for (int k = 0; k < 64 && x < 0; k++) x = p[0] + gsl_ran_gaussian(r, p[1]);
        break;
    }
    return x >= 0 ? x : 0;
}

double cxi_dist_mean(const cxi_dist *d) {
    const double *p = d->p;
    switch (d->kind) {
    case CXI_DIST_FIXED:
    case CXI_DIST_EXP:
        return p[0];
    case CXI_DIST_LOGNORMAL:
        return p[0] * exp(p[1] * p[1] / 2);
    case CXI_DIST_UNIFORM:
        return (p[0] + p[1]) / 2;
    case CXI_DIST_TRIANGULAR:
        return (p[0] + p[1] + p[2]) / 3;
    case CXI_DIST_NORMAL: {
        if (p[1] <= 0) return p[0] > 0 ? p[0] : 0;
        /* mean of N(mu, sd) conditioned on x >= 0 */
        double alpha = -p[0] / p[1];
        return p[0] + p[1] * gsl_ran_ugaussian_pdf(alpha) / gsl_cdf_ugaussian_Q(alpha);
    }
    }
    return 0;
}

/* Shortest "%g" text that reads back to the same double. */
static void fmt_num(double v, char *buf, size_t n) {
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

void cxi_dist_format(const cxi_dist *d, char *buf, size_t n) {
    if (!buf || n == 0) return;
    int k = kind_index(d->kind);
    if (k < 0) {
        snprintf(buf, n, "?");
        return;
    }
    size_t used = (size_t)snprintf(buf, n, "%s(", kinds[k].name);
    for (int j = 0; j < kinds[k].np && used < n; j++) {
        char num[40];
        int secs = d->duration && !((kinds[k].unitless >> j) & 1u);
        /* durations are whole seconds and their parser takes no exponent */
        if (secs && d->p[j] == floor(d->p[j]) && fabs(d->p[j]) < 1e15)
            snprintf(num, sizeof num, "%.0f", d->p[j]);
        else
            fmt_num(d->p[j], num, sizeof num);
        used += (size_t)snprintf(buf + used, n - used, "%s%s=%s%s", j ? ", " : "", kinds[k].params[j], num,
                                 secs ? "s" : "");
    }
    if (used < n) snprintf(buf + used, n - used, ")");
}
