/* fuzz_cells.c — libFuzzer target for the parsers of one CSV cell: durations, scenario times, ISO
 * datetimes, numbers and distributions, on the input as a NUL-terminated string.
 * Invariant checked: every input is either rejected with a message or accepted as a value that can
 * be formatted (and, for a distribution, sampled to a value >= 0), with no crash, leak or UB. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "kernel/kernel_api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failed parse must say why, and where (1-based column). */
static void check_error(int rc, const cxi_parse_err *err) {
    if (rc == 0) return;
    if (rc != -1) abort();
    if (memchr(err->msg, '\0', sizeof err->msg) == NULL || err->msg[0] == '\0') abort();
    if (err->col < 1) abort();
}

static void fuzz_dist(const char *s, int duration, int decimal_comma, gsl_rng *r) {
    cxi_parse_err err;
    cxi_dist d;
    char buf[256];
    memset(&err, 0, sizeof err);
    int rc = cxi_dist_parse(s, duration, decimal_comma, &d, &err);
    check_error(rc, &err);
    if (rc != 0) return;
    cxi_dist_format(&d, buf, sizeof buf);
    if (memchr(buf, '\0', sizeof buf) == NULL) abort();
    (void)cxi_dist_mean(&d);
    gsl_rng_set(r, 42); /* a fixed stream: the same input always draws the same value */
    double x = cxi_dist_sample(&d, r);
    if (!(x >= 0.0)) abort(); /* also catches NaN */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (s == NULL) return 0;
    if (size > 0) memcpy(s, data, size);
    s[size] = '\0';

    cxi_parse_err err;
    char buf[64];
    int64_t v;
    cx_time t;
    double x;
    int rc;

    memset(&err, 0, sizeof err);
    rc = cxi_duration_parse(s, &v, &err);
    check_error(rc, &err);
    if (rc == 0) cxi_offset_format(v, buf, sizeof buf);

    memset(&err, 0, sizeof err);
    rc = cxi_datetime_parse(s, &v, &err);
    check_error(rc, &err);
    if (rc == 0) cxi_datetime_format(v, buf, sizeof buf);

    memset(&err, 0, sizeof err);
    rc = cxi_time_parse(s, INT64_C(1162676280) /* 2006-11-04T21:38Z */, &t, &err);
    check_error(rc, &err);
    if (rc == 0) cxi_offset_format(t, buf, sizeof buf);

    for (int comma = 0; comma <= 1; comma++) {
        memset(&err, 0, sizeof err);
        rc = cxi_number_parse(s, comma, &x, &err);
        check_error(rc, &err);
        if (rc == 0 && !isfinite(x)) abort();
    }

    /* GSL's default error handler stays installed on purpose: the engine must validate parameters
     * before calling GSL, so a GSL error here is a bug and should abort. */
    gsl_rng *r = gsl_rng_alloc(cxi_rng_type());
    if (r != NULL) {
        for (int duration = 0; duration <= 1; duration++)
            for (int comma = 0; comma <= 1; comma++) fuzz_dist(s, duration, comma, r);
        gsl_rng_free(r);
    }
    free(s);
    return 0;
}
