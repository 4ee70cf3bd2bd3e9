/* gen.c — writes synthetic scenarios: regions on a grid over Europe, assets in contiguous blocks
 * per region, links mostly within a region or to a neighbour, damage injects on random assets.
 * Invariant: one splitmix64 stream seeded from the options drives every choice in a fixed order,
 * and numbers are printed with fixed precision, so the bytes depend only on the options. */
#include "gen.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mc_util.h"

#define HORIZON_DAYS 7
#define PATH_BUF 4200

/* ---- random numbers: splitmix64 (tiny, fast, and fixed here so files never change) ------------ */

typedef struct {
    uint64_t s;
} gen_rng;

static uint64_t rng_next(gen_rng *r) {
    uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static double rng_unit(gen_rng *r) { return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }

/* Uniform in [0, n) by multiply-shift: a bias below n / 2^64, irrelevant here, and no loop. */
static uint64_t rng_below(gen_rng *r, uint64_t n) {
    if (n <= 1) return 0;
#if defined(__SIZEOF_INT128__)
    return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
#else
    return rng_next(r) % n;
#endif
}

/* ---- sectors: shares (percent) and repair-time distributions --------------------------------- */

static const struct {
    const char *name;
    unsigned share;
    const char *repair;
} sectors[] = {
    {"power", 22, "lognormal(median=6h, sigma=0.6)"},
    {"telecom", 14, "exp(4h)"},
    {"water", 10, "uniform(2h, 12h)"},
    {"gas", 7, "lognormal(median=12h, sigma=0.5)"},
    {"oil", 2, "exp(24h)"},
    {"transport", 8, "triangular(1h, 4h, 12h)"},
    {"rail", 6, "exp(6h)"},
    {"health", 9, "exp(3h)"},
    {"finance", 5, "exp(2h)"},
    {"government", 5, "exp(8h)"},
    {"election_it", 2, "exp(1h)"},
    {"media", 3, "exp(2h)"},
    {"food", 5, "uniform(6h, 48h)"},
    {"space", 2, "lognormal(median=2d, sigma=0.5)"},
};
#define NSECTORS (sizeof sectors / sizeof sectors[0])

static const char *const link_delays[] = {"0s", "5m", "exp(10m)", "exp(30m)", "exp(1h)", "exp(2h)"};
static const char *const link_recoveries[] = {"0s", "exp(15m)", "exp(1h)", "\"uniform(10m, 2h)\""};

/* ---- options ------------------------------------------------------------------------------- */

gen_opts gen_opts_default(void) {
    gen_opts o;
    memset(&o, 0, sizeof o);
    o.links = UINT64_MAX;
    o.injects = UINT64_MAX;
    o.seed = 1;
    return o;
}

static int valid_name(const char *s) {
    if (!s[0]) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return 0;
    return 1;
}

int gen_resolve(const gen_opts *o, gen_opts *out, char *err, size_t errn) {
    *out = *o;
    if (o->assets < 1 || o->assets > GEN_MAX_ASSETS) {
        snprintf(err, errn, "--assets %" PRIu64 ": expected 1 to %" PRIu64, o->assets,
                 GEN_MAX_ASSETS);
        return 2;
    }
    uint64_t n = o->assets, pairs = n * (n - 1);
    if (o->links == UINT64_MAX) out->links = 3 * n < pairs ? 3 * n : pairs;
    if (out->links > pairs || out->links > GEN_MAX_LINKS) {
        snprintf(err, errn, "--links %" PRIu64 ": at most %" PRIu64 " (every ordered pair of %" PRIu64
                 " assets, and at most %" PRIu64 ")", out->links, pairs, n, GEN_MAX_LINKS);
        return 2;
    }
    if (o->regions == 0) {
        double r = floor(sqrt((double)n) / 6.0 + 0.5);
        out->regions = r < 2 ? 2u : r > 60 ? 60u : (uint32_t)r;
        if (out->regions > n) out->regions = (uint32_t)n;
    }
    if (out->regions > GEN_MAX_REGIONS || out->regions > n) {
        snprintf(err, errn, "--regions %" PRIu32 ": expected 1 to %u, and at most one per asset",
                 out->regions, GEN_MAX_REGIONS);
        return 2;
    }
    if (o->injects == UINT64_MAX) out->injects = n / 100 > 3 ? n / 100 : 3;
    if (out->injects > GEN_MAX_INJECTS) {
        snprintf(err, errn, "--injects %" PRIu64 ": at most %" PRIu64, out->injects,
                 GEN_MAX_INJECTS);
        return 2;
    }
    if (o->name && !valid_name(o->name)) {
        snprintf(err, errn, "--name '%s': expected letters, digits, '_' or '-'", o->name);
        return 2;
    }
    return 0;
}

/* ---- files: written to a hidden temporary name, renamed when complete ------------------------- */

typedef struct {
    FILE *f;
    char tmp[PATH_BUF], path[PATH_BUF];
} out_file;

static int out_open(out_file *o, const char *dir, const char *name, char *err, size_t errn) {
    snprintf(o->path, sizeof o->path, "%s/%s", dir, name);
    snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp-%ld", dir, name, (long)getpid());
    o->f = fopen(o->tmp, "wb");
    if (!o->f) {
        snprintf(err, errn, "cannot create '%s': %s", o->tmp, strerror(errno));
        return 1;
    }
    setvbuf(o->f, NULL, _IOFBF, 1 << 16);
    return 0;
}

static int out_commit(out_file *o, char *err, size_t errn) {
    int bad = ferror(o->f);
    if (fclose(o->f) != 0) bad = 1;
    o->f = NULL;
    if (bad || rename(o->tmp, o->path) != 0) {
        snprintf(err, errn, "cannot write '%s': %s", o->path, strerror(errno ? errno : EIO));
        unlink(o->tmp);
        return 1;
    }
    return 0;
}

static void out_abort(out_file *o) {
    if (o->f) {
        fclose(o->f);
        o->f = NULL;
        unlink(o->tmp);
    }
}

/* ---- the layout: regions on a grid, assets in per-region blocks ------------------------------ */

typedef struct {
    double lat, lon, pop;
    uint64_t first, count;     /* assets first .. first+count-1 */
    uint32_t nb[8], nnb;       /* neighbouring regions on the grid */
} region;

typedef struct {
    gen_opts o;
    gen_rng rng;
    region *reg;
    unsigned digits_a, digits_r, digits_i;
    double cell_lat, cell_lon;
} gen_ctx;

static unsigned digits(uint64_t n) {
    unsigned d = 1;
    while (n >= 10) n /= 10, d++;
    return d;
}

/* First asset of sector s within a region block of count assets: sector s holds local indices
 * ceil(cum_s * count / 100) .. ceil(cum_{s+1} * count / 100) - 1. */
static uint64_t sector_begin(size_t s, uint64_t count) {
    unsigned cum = 0;
    for (size_t i = 0; i < s; i++) cum += sectors[i].share;
    return (cum * count + 99) / 100;
}

static size_t sector_of(uint64_t local, uint64_t count) {
    size_t s = 0;
    while (s + 1 < NSECTORS && local >= sector_begin(s + 1, count)) s++;
    return s;
}

static void layout(gen_ctx *g) {
    uint32_t R = g->o.regions;
    uint32_t cols = (uint32_t)ceil(sqrt(1.5 * R));
    if (cols < 1) cols = 1;
    uint32_t rows = (R + cols - 1) / cols;
    g->cell_lat = 26.0 / rows;
    g->cell_lon = 36.0 / cols;
    double total = 0;
    for (uint32_t i = 0; i < R; i++) {
        region *r = &g->reg[i];
        uint32_t row = i / cols, col = i % cols;
        r->lat = 62.0 - (row + 0.5) * g->cell_lat + (rng_unit(&g->rng) - 0.5) * 0.4 * g->cell_lat;
        r->lon = -8.0 + (col + 0.5) * g->cell_lon + (rng_unit(&g->rng) - 0.5) * 0.4 * g->cell_lon;
        r->pop = 1000.0 * floor(500.0 + rng_unit(&g->rng) * 20000.0);
        total += r->pop;
        r->nnb = 0;
        for (int dr = -1; dr <= 1; dr++)
            for (int dc = -1; dc <= 1; dc++) {
                long nr = (long)row + dr, nc = (long)col + dc;
                if ((dr || dc) && nr >= 0 && nc >= 0 && nc < (long)cols &&
                    (uint64_t)nr * cols + (uint64_t)nc < R)
                    r->nb[r->nnb++] = (uint32_t)((uint64_t)nr * cols + (uint64_t)nc);
            }
    }
    /* One asset per region, the rest in proportion to population (largest remainder, ties to the
     * lower index), so the blocks are deterministic and no region is empty. */
    uint64_t rest = g->o.assets - R, given = 0;
    for (uint32_t i = 0; i < R; i++) {
        double share = (double)rest * g->reg[i].pop / total;
        g->reg[i].count = 1 + (uint64_t)floor(share);
        given += g->reg[i].count - 1;
    }
    while (given < rest) {
        uint32_t best = 0;
        double bestf = -1;
        for (uint32_t i = 0; i < R; i++) {
            double share = (double)rest * g->reg[i].pop / total;
            double frac = share - floor(share) - (double)(g->reg[i].count - 1 - (uint64_t)floor(share));
            if (frac > bestf) bestf = frac, best = i;
        }
        g->reg[best].count++;
        given++;
    }
    uint64_t first = 0;
    for (uint32_t i = 0; i < R; i++) {
        g->reg[i].first = first;
        first += g->reg[i].count;
    }
}

static void put_asset_id(FILE *f, const gen_ctx *g, uint64_t a) {
    fprintf(f, "A%0*" PRIu64, (int)g->digits_a, a);
}

static void put_region_code(FILE *f, const gen_ctx *g, uint32_t r) {
    fprintf(f, "R%0*" PRIu32, (int)g->digits_r, r + 1);
}

static uint32_t region_of(const gen_ctx *g, uint64_t a) {
    uint32_t lo = 0, hi = g->o.regions - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if (g->reg[mid].first <= a) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

/* ---- tables -------------------------------------------------------------------------------- */

static void write_scenario(FILE *f, const gen_ctx *g, const char *name) {
    fprintf(f, "key,value\n");
    fprintf(f, "name,%s\n", name);
    fprintf(f, "title,\"Generated scenario: %" PRIu64 " assets, %" PRIu64 " links, %" PRIu32
               " regions (crisim gen, seed %" PRIu64 ")\"\n",
            g->o.assets, g->o.links, g->o.regions, g->o.seed);
    fprintf(f, "start,2024-01-01T00:00Z\n");
    fprintf(f, "horizon,%dd\n", HORIZON_DAYS);
    fprintf(f, "seed,%" PRIu64 "\n", g->o.seed);
    fprintf(f, "model,assets\n");
}

static void write_regions(FILE *f, const gen_ctx *g) {
    static const char *const kinds[] = {"member", "member", "member", "member", "member",
                                        "member", "participating", "third"};
    fprintf(f, "code,name,kind,lat,lon,population\n");
    for (uint32_t i = 0; i < g->o.regions; i++) {
        const region *r = &g->reg[i];
        put_region_code(f, g, i);
        fprintf(f, ",Region %" PRIu32 ",%s,%.4f,%.4f,%.0f\n", i + 1, kinds[i % 8], r->lat, r->lon,
                r->pop);
    }
}

static void write_assets(FILE *f, gen_ctx *g) {
    fprintf(f, "id,sector,region,lat,lon,population,repair\n");
    for (uint32_t i = 0; i < g->o.regions; i++) {
        const region *r = &g->reg[i];
        double per = r->pop / (double)r->count;
        for (uint64_t j = 0; j < r->count; j++) {
            size_t s = sector_of(j, r->count);
            double lat = r->lat + (rng_unit(&g->rng) - 0.5) * 0.8 * g->cell_lat;
            double lon = r->lon + (rng_unit(&g->rng) - 0.5) * 0.8 * g->cell_lon;
            double pop = floor(per * (0.2 + 1.6 * rng_unit(&g->rng)));
            put_asset_id(f, g, r->first + j);
            fprintf(f, ",%s,", sectors[s].name);
            put_region_code(f, g, i);
            const char *rep = sectors[s].repair;
            fprintf(f, ",%.4f,%.4f,%.0f,%s%s%s\n", lat, lon, pop, strchr(rep, ',') ? "\"" : "", rep,
                    strchr(rep, ',') ? "\"" : "");
        }
    }
}

/* Open-addressing set of (supplier, dependent) pairs, to never write a duplicate link. */
typedef struct {
    uint64_t *slot; /* key + 1; 0 = empty */
    uint64_t mask;
} pair_set;

static int pair_set_init(pair_set *s, uint64_t n) {
    uint64_t cap = 16;
    while (cap < 2 * n) cap <<= 1;
    s->slot = calloc(cap, sizeof *s->slot);
    s->mask = cap - 1;
    return s->slot ? 0 : -1;
}

static uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* 1 when inserted, 0 when already present. */
static int pair_set_add(pair_set *s, uint64_t key) {
    for (uint64_t i = mix(key) & s->mask;; i = (i + 1) & s->mask) {
        if (s->slot[i] == key + 1) return 0;
        if (s->slot[i] == 0) {
            s->slot[i] = key + 1;
            return 1;
        }
    }
}

/* A supplier for a dependent in region r: power or telecom assets of the region are preferred, as
 * most services need both. */
static uint64_t pick_supplier(gen_ctx *g, uint32_t r) {
    const region *R = &g->reg[r];
    double u = rng_unit(&g->rng);
    uint64_t lo = 0, hi = R->count;
    if (u < 0.40) lo = 0, hi = sector_begin(1, R->count);
    else if (u < 0.60) lo = sector_begin(1, R->count), hi = sector_begin(2, R->count);
    if (hi <= lo) lo = 0, hi = R->count;
    return R->first + lo + rng_below(&g->rng, hi - lo);
}

static int write_links(FILE *f, gen_ctx *g, uint64_t *cross) {
    pair_set set;
    if (pair_set_init(&set, g->o.links) != 0) return -1;
    uint64_t N = g->o.assets;
    *cross = 0;
    fprintf(f, "supplier,dependent,threshold,strength,delay,recovery\n");
    for (uint64_t l = 0; l < g->o.links; l++) {
        uint64_t s = 0, d = 0;
        int found = 0;
        for (int attempt = 0; attempt < 64 && !found; attempt++) {
            d = rng_below(&g->rng, N);
            uint32_t rd = region_of(g, d), rs = rd;
            double u = rng_unit(&g->rng);
            if (u >= 0.75 && u < 0.93 && g->reg[rd].nnb)
                rs = g->reg[rd].nb[rng_below(&g->rng, g->reg[rd].nnb)];
            else if (u >= 0.93)
                rs = (uint32_t)rng_below(&g->rng, g->o.regions);
            s = pick_supplier(g, rs);
            found = s != d && pair_set_add(&set, s * N + d);
        }
        /* A dense request (links close to assets^2): take the next free pair in a fixed order. */
        for (uint64_t k = (s * N + d + 1) % (N * N); !found; k = (k + 1) % (N * N)) {
            s = k / N, d = k % N;
            found = s != d && pair_set_add(&set, k);
        }
        if (region_of(g, s) != region_of(g, d)) (*cross)++;
        put_asset_id(f, g, s);
        fputc(',', f);
        put_asset_id(f, g, d);
        fprintf(f, ",0.%u,%.1f,%s,%s\n", 3u + (unsigned)rng_below(&g->rng, 6),
                0.2 + 0.1 * (double)rng_below(&g->rng, 9),
                link_delays[rng_below(&g->rng, sizeof link_delays / sizeof link_delays[0])],
                link_recoveries[rng_below(&g->rng, sizeof link_recoveries / sizeof link_recoveries[0])]);
    }
    free(set.slot);
    return 0;
}

typedef struct {
    uint64_t minute, asset;
    unsigned magnitude; /* in 5 % steps: 10 .. 20 */
} inject;

static int by_minute(const void *a, const void *b) {
    const inject *x = a, *y = b;
    return (x->minute > y->minute) - (x->minute < y->minute);
}

static int write_injects(FILE *f, gen_ctx *g) {
    uint64_t K = g->o.injects;
    inject *in = malloc((K ? K : 1) * sizeof *in);
    if (!in) return -1;
    uint64_t half = (uint64_t)HORIZON_DAYS * 24 * 60 / 2;
    for (uint64_t i = 0; i < K; i++) {
        in[i].minute = rng_below(&g->rng, half + 1);
        in[i].asset = rng_below(&g->rng, g->o.assets);
        in[i].magnitude = 10u + (unsigned)rng_below(&g->rng, 11);
    }
    /* qsort is not stable: equal minutes keep generation order through the index tie-break below. */
    for (uint64_t i = 0; i < K; i++) in[i].minute = in[i].minute * (K + 1) + i;
    qsort(in, (size_t)K, sizeof *in, by_minute);
    fprintf(f, "id,move,time,kind,target,magnitude,message\n");
    for (uint64_t i = 0; i < K; i++) {
        uint64_t minute = in[i].minute / (K + 1);
        uint64_t a = in[i].asset;
        uint32_t r = region_of(g, a);
        size_t s = sector_of(a - g->reg[r].first, g->reg[r].count);
        fprintf(f, "I%0*" PRIu64 ",%" PRIu64 ",T+%" PRIu64 "m,damage,", (int)g->digits_i, i + 1,
                1 + minute * 4 / (half + 1), minute);
        put_asset_id(f, g, a);
        fprintf(f, ",%u.%02u,damage to %s asset ", in[i].magnitude / 20, in[i].magnitude % 20 * 5,
                sectors[s].name);
        put_asset_id(f, g, a);
        fputs(" in region ", f);
        put_region_code(f, g, r);
        fputc('\n', f);
    }
    free(in);
    return 0;
}

int gen_write(const gen_opts *opts, const char *dir, gen_counts *counts, char *err, size_t errn) {
    gen_ctx g;
    memset(&g, 0, sizeof g);
    int rc = gen_resolve(opts, &g.o, err, errn);
    if (rc) return rc;
    char path[PATH_BUF], name[64];
    snprintf(path, sizeof path, "%s/scenario.csv", dir);
    if (!g.o.force && mc_exists(path)) {
        snprintf(err, errn, "'%s' already holds a scenario; use --force to replace its tables", dir);
        return 2;
    }
    if (mc_mkdirs(dir) != 0) {
        snprintf(err, errn, "cannot create '%s': %s", dir, strerror(errno));
        return 1;
    }
    /* A replaced scenario must not keep an input-output table naming other sectors or regions. */
    snprintf(path, sizeof path, "%s/iim.csv", dir);
    if (g.o.force) unlink(path);
    if (g.o.name) snprintf(name, sizeof name, "%s", g.o.name);
    else snprintf(name, sizeof name, "gen-%" PRIu64, g.o.assets);

    g.rng.s = mix(g.o.seed ^ UINT64_C(0x6A09E667F3BCC909));
    g.digits_a = digits(g.o.assets - 1);
    g.digits_r = digits(g.o.regions);
    g.digits_i = digits(g.o.injects);
    g.reg = calloc(g.o.regions, sizeof *g.reg);
    if (!g.reg) {
        snprintf(err, errn, "out of memory");
        return 1;
    }
    layout(&g);
    uint64_t cross = 0;
    out_file files[5];
    static const char *const names[] = {"scenario.csv", "regions.csv", "assets.csv", "links.csv",
                                        "injects.csv"};
    memset(files, 0, sizeof files);
    rc = 0;
    for (int i = 0; i < 5 && rc == 0; i++) rc = out_open(&files[i], dir, names[i], err, errn);
    if (rc == 0) {
        write_scenario(files[0].f, &g, name);
        write_regions(files[1].f, &g);
        write_assets(files[2].f, &g);
        if (write_links(files[3].f, &g, &cross) != 0 || write_injects(files[4].f, &g) != 0) {
            snprintf(err, errn, "out of memory");
            rc = 1;
        }
    }
    /* scenario.csv last: a folder with a scenario.csv has every table. */
    for (int i = 4; i >= 0 && rc == 0; i--) rc = out_commit(&files[i], err, errn);
    for (int i = 0; i < 5; i++) out_abort(&files[i]);
    if (rc == 0 && counts) {
        counts->assets = g.o.assets;
        counts->links = g.o.links;
        counts->cross_border = cross;
        counts->regions = g.o.regions;
        counts->injects = g.o.injects;
    }
    free(g.reg);
    return rc;
}
