/* util.c — small pure helpers of the kernel: version, status names, FNV-1a hashing, distances.
 * Invariant: every function here is a pure function of its arguments (no state, no allocation). */
#include <math.h>

#include "kernel/kernel_api.h"

const char *cx_version(void) { return CRISIM_VERSION_STRING; }

const char *cx_status_str(cx_status st) {
    switch (st) {
#define CX_STATUS_CASE(name, value, msg) \
    case name:                           \
        return msg;
        CX_STATUS_LIST(CX_STATUS_CASE)
#undef CX_STATUS_CASE
    }
    return "unknown status";
}

uint64_t cxi_fnv1a(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

double cxi_geo_km(double lat1, double lon1, double lat2, double lon2) {
    const double rad = 3.14159265358979323846 / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double s1 = sin(dlat / 2), s2 = sin(dlon / 2);
    double a = s1 * s1 + cos(lat1 * rad) * cos(lat2 * rad) * s2 * s2;
    /* rounding can push a just outside [0, 1] for antipodal or identical points */
    if (a < 0) a = 0;
    if (a > 1) a = 1;
    return 2.0 * 6371.0 * asin(sqrt(a));
}

int cxi_u64_parse(const char *s, uint64_t max, uint64_t *out) {
    uint64_t v = 0;
    if (!s || !*s) return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > max / 10 || v * 10 > max - d) return -2;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}
