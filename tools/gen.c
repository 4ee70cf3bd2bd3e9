/* gen.c — writes synthetic scenarios: regions on a grid over Europe, each a grid of localities of
 * consecutive assets; links mostly within a locality or to the next ones, a few across borders.
 * Invariant: splitmix64 streams seeded from the options drive every choice in a fixed order, and
 * numbers are printed with fixed precision, so the bytes depend only on the options. */
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

static uint64_t mix(uint64_t z) {
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

/* ---- sectors: shares (percent, near the mix of the shipped scenarios) and repair times ---- */

static const struct {
    const char *name;
    unsigned share;
    const char *repair;
} sectors[] = {
    {"power", 30, "lognormal(median=6h, sigma=0.6)"},
    {"telecom", 13, "exp(4h)"},
    {"water", 11, "uniform(2h, 12h)"},
    {"health", 10, "exp(3h)"},
    {"rail", 7, "exp(6h)"},
    {"transport", 7, "triangular(1h, 4h, 12h)"},
    {"gas", 4, "lognormal(median=12h, sigma=0.5)"},
    {"election_it", 3, "exp(1h)"},
    {"government", 3, "exp(8h)"},
    {"media", 3, "exp(2h)"},
    {"finance", 3, "exp(2h)"},
    {"food", 3, "uniform(6h, 48h)"},
    {"oil", 2, "exp(24h)"},
    {"space", 1, "lognormal(median=2d, sigma=0.5)"},
};
#define NSECTORS (sizeof sectors / sizeof sectors[0])
#define SECTOR_POWER 0u
#define SECTOR_TELECOM 1u

/* Sector of asset a: the share interval holding frac((a + 1) x golden ratio), a low-discrepancy
 * sequence in 64-bit fixed point, so every run of consecutive assets (a locality) has close to
 * the target mix, the small sectors included, with no state and no rounding across machines. */
static size_t sector_of(uint64_t a) {
    uint64_t x = (a + 1) * UINT64_C(0x9E3779B97F4A7C15);
    unsigned pct = (unsigned)(((x >> 32) * 100) >> 32), cum = 0;
    for (size_t s = 0; s < NSECTORS; s++) {
        cum += sectors[s].share;
        if (pct < cum) return s;
    }
    return NSECTORS - 1;
}

static const char *const link_delays[] = {"0s", "5m", "exp(10m)", "exp(30m)", "exp(1h)", "exp(2h)"};
static const char *const link_recoveries[] = {"0s", "exp(15m)", "exp(1h)", "\"uniform(10m, 2h)\""};

/* ---- options ------------------------------------------------------------------------------- */

gen_opts gen_opts_default(void) {
    gen_opts o;
    memset(&o, 0, sizeof o);
    o.links = UINT64_MAX;
    o.injects = UINT64_MAX;
    o.seed = 1;
    o.cross_border = 0.1;
    o.locality = 50;
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
    if (!(o->cross_border >= 0 && o->cross_border <= 1)) {
        snprintf(err, errn, "--cross-border %g: expected a share from 0 to 1", o->cross_border);
        return 2;
    }
    if (o->locality < 1 || o->locality > GEN_MAX_LOCALITY) {
        snprintf(err, errn, "--locality %" PRIu64 ": expected 1 to %" PRIu64, o->locality,
                 GEN_MAX_LOCALITY);
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

/* ---- the layout: regions on a grid over Europe, localities on a grid inside each region ---- */

/* Assets are numbered region by region (file order). A region's block is cut into nloc localities
 * of about `locality` consecutive assets (a town and its surroundings), laid on an lrows x lcols
 * grid over the region and numbered row by row in a serpentine, so that localities next to each
 * other in the file are next to each other on the map. */
typedef struct {
    double lat, lon, pop;
    uint64_t first, count;     /* assets first .. first+count-1 */
    uint64_t nloc;             /* localities, 1 .. count */
    uint32_t lrows, lcols;     /* their grid */
    uint32_t row, col;         /* the region's cell on the grid over Europe */
    uint32_t nb[8], nnb;       /* neighbouring regions on that grid */
} region;

typedef struct {
    gen_opts o;
    gen_rng rng;
    region *reg;
    uint64_t *perm;       /* shuffle: row of assets.csv -> asset; NULL otherwise */
    uint64_t asset_seed;  /* per-asset streams (position, population): rows in any order */
    unsigned digits_a, digits_r, digits_i;
    double cell_lat, cell_lon;
} gen_ctx;

static unsigned digits(uint64_t n) {
    unsigned d = 1;
    while (n >= 10) n /= 10, d++;
    return d;
}

static uint64_t loc_first(const region *r, uint64_t k) { return r->first + r->count * k / r->nloc; }

static uint64_t loc_of(const region *r, uint64_t a) {
    uint64_t k = (a - r->first) * r->nloc / r->count;
    while (k + 1 < r->nloc && loc_first(r, k + 1) <= a) k++;
    while (k > 0 && loc_first(r, k) > a) k--;
    return k;
}

static void loc_cell(const region *r, uint64_t k, uint32_t *row, uint32_t *col) {
    uint32_t c = (uint32_t)(k % r->lcols);
    *row = (uint32_t)(k / r->lcols);
    *col = *row % 2 ? r->lcols - 1 - c : c;
}

/* The locality at (row, col) of r's grid, clamped into it. Only the last row can be partial, and
 * the one above it is full (lcols <= nloc), so stepping up one row always lands on a locality. */
static uint64_t loc_at(const region *r, long row, long col) {
    if (row >= (long)r->lrows) row = (long)r->lrows - 1;
    if (row < 0) row = 0;
    if (col >= (long)r->lcols) col = (long)r->lcols - 1;
    if (col < 0) col = 0;
    for (;; row--) {
        long c = row % 2 ? (long)r->lcols - 1 - col : col;
        uint64_t k = (uint64_t)row * r->lcols + (uint64_t)c;
        if (k < r->nloc || row == 0) return k < r->nloc ? k : r->nloc - 1;
    }
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
        r->row = i / cols;
        r->col = i % cols;
        r->lat = 62.0 - (r->row + 0.5) * g->cell_lat;
        r->lat += (rng_unit(&g->rng) - 0.5) * 0.4 * g->cell_lat;
        r->lon = -8.0 + (r->col + 0.5) * g->cell_lon;
        r->lon += (rng_unit(&g->rng) - 0.5) * 0.4 * g->cell_lon;
        r->pop = 1000.0 * floor(500.0 + rng_unit(&g->rng) * 20000.0);
        total += r->pop;
        r->nnb = 0;
        for (int dr = -1; dr <= 1; dr++)
            for (int dc = -1; dc <= 1; dc++) {
                long nr = (long)r->row + dr, nc = (long)r->col + dc;
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
        region *r = &g->reg[i];
        r->first = first;
        first += r->count;
        r->nloc = (r->count + g->o.locality - 1) / g->o.locality;
        r->lcols = (uint32_t)ceil(sqrt((double)r->nloc));
        while ((uint64_t)r->lcols * r->lcols < r->nloc) r->lcols++; /* sqrt rounding */
        r->lrows = (uint32_t)((r->nloc + r->lcols - 1) / r->lcols);
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

/* Row i of assets.csv holds asset perm[i] (i without shuffle); its position is in its locality's
 * cell of the region, drawn from the asset's own stream. */
static void write_assets(FILE *f, const gen_ctx *g) {
    fprintf(f, "id,sector,region,lat,lon,population,repair\n");
    for (uint64_t i = 0; i < g->o.assets; i++) {
        uint64_t a = g->perm ? g->perm[i] : i;
        uint32_t ri = region_of(g, a), row, col;
        const region *r = &g->reg[ri];
        loc_cell(r, loc_of(r, a), &row, &col);
        gen_rng ar = {mix(g->asset_seed ^ a)};
        double lat = r->lat + (0.5 - (row + rng_unit(&ar)) / r->lrows) * 0.8 * g->cell_lat;
        double lon = r->lon + ((col + rng_unit(&ar)) / r->lcols - 0.5) * 0.8 * g->cell_lon;
        double pop = floor(r->pop / (double)r->count * (0.2 + 1.6 * rng_unit(&ar)));
        size_t s = sector_of(a);
        put_asset_id(f, g, a);
        fprintf(f, ",%s,", sectors[s].name);
        put_region_code(f, g, ri);
        const char *rep = sectors[s].repair;
        fprintf(f, ",%.4f,%.4f,%.0f,%s%s%s\n", lat, lon, pop, strchr(rep, ',') ? "\"" : "", rep,
                strchr(rep, ',') ? "\"" : "");
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

/* A supplier in locality k of r: a power asset with probability 0.4, a telecom asset with 0.2 (most
 * services need both), else any asset; the first one of the wanted sector from a random start. */
static uint64_t pick_supplier(gen_ctx *g, const region *r, uint64_t k) {
    uint64_t lo = loc_first(r, k), n = loc_first(r, k + 1) - lo;
    double u = rng_unit(&g->rng);
    uint64_t j = rng_below(&g->rng, n);
    size_t want = u < 0.40 ? SECTOR_POWER : u < 0.60 ? SECTOR_TELECOM : NSECTORS;
    for (uint64_t i = 0; want < NSECTORS && i < n; i++)
        if (sector_of(lo + (j + i) % n) == want) return lo + (j + i) % n;
    return lo + j;
}

/* Where the supplier of dependent d lies: another region with probability cross_border (80 % a
 * neighbour on the grid, in its locality nearest to d's, 20 % any locality of any region); else
 * d's own locality (0.6), one in the 3 x 3 block around it (0.3) or in the 7 x 7 block (0.1),
 * clamped to the region's grid. */
static uint64_t draw_supplier(gen_ctx *g, uint64_t d) {
    uint32_t rd = region_of(g, d), row, col;
    const region *r = &g->reg[rd];
    uint64_t k = loc_of(r, d);
    loc_cell(r, k, &row, &col);
    double u = rng_unit(&g->rng), v = rng_unit(&g->rng);
    if (u < g->o.cross_border && g->o.regions > 1) {
        if (v < 0.8 && r->nnb) {
            const region *s = &g->reg[r->nb[rng_below(&g->rng, r->nnb)]];
            /* d's place in its region's unit square, seen from the neighbour's: off its edge,
             * so clamping picks the neighbour's border locality nearest to d */
            double fy = (row + 0.5) / r->lrows - ((double)s->row - (double)r->row);
            double fx = (col + 0.5) / r->lcols - ((double)s->col - (double)r->col);
            uint64_t k2 = loc_at(s, (long)floor(fy * s->lrows), (long)floor(fx * s->lcols));
            return pick_supplier(g, s, k2);
        }
        uint32_t rs = (uint32_t)rng_below(&g->rng, g->o.regions - 1);
        const region *s = &g->reg[rs >= rd ? rs + 1 : rs];
        return pick_supplier(g, s, rng_below(&g->rng, s->nloc));
    }
    if (v >= 0.6) {
        long span = v < 0.9 ? 1 : 3;
        long dr = (long)rng_below(&g->rng, (uint64_t)(2 * span + 1)) - span;
        long dc = (long)rng_below(&g->rng, (uint64_t)(2 * span + 1)) - span;
        k = loc_at(r, (long)row + dr, (long)col + dc);
    }
    return pick_supplier(g, r, k);
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
            s = draw_supplier(g, d);
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
        /* Strengths 0.1 to 0.7: with up to 1, the clustered local network percolated (0.1 % of
         * the assets damaged reached 13 % of them at 100,000 assets), so a cascade's reach, and
         * the work per asset, grew with the size of the network. */
        fprintf(f, ",0.%u,%.1f,%s,%s\n", 3u + (unsigned)rng_below(&g->rng, 6),
                0.1 + 0.1 * (double)rng_below(&g->rng, 7),
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
        fprintf(f, "I%0*" PRIu64 ",%" PRIu64 ",T+%" PRIu64 "m,damage,", (int)g->digits_i, i + 1,
                1 + minute * 4 / (half + 1), minute);
        put_asset_id(f, g, a);
        fprintf(f, ",%u.%02u,damage to %s asset ", in[i].magnitude / 20, in[i].magnitude % 20 * 5,
                sectors[sector_of(a)].name);
        put_asset_id(f, g, a);
        fputs(" in region ", f);
        put_region_code(f, g, region_of(g, a));
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
    g.asset_seed = mix(g.o.seed ^ UINT64_C(0xBB67AE8584CAA73B));
    if (g.o.shuffle) {
        /* Fisher-Yates from its own stream: the network is the same as without --shuffle. */
        gen_rng pr = {mix(g.o.seed ^ UINT64_C(0x3C6EF372FE94F82B))};
        g.perm = malloc((size_t)g.o.assets * sizeof *g.perm);
        if (!g.perm) {
            free(g.reg);
            snprintf(err, errn, "out of memory");
            return 1;
        }
        for (uint64_t i = 0; i < g.o.assets; i++) g.perm[i] = i;
        for (uint64_t i = g.o.assets - 1; i > 0; i--) {
            uint64_t j = rng_below(&pr, i + 1), t = g.perm[i];
            g.perm[i] = g.perm[j];
            g.perm[j] = t;
        }
    }
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
    free(g.perm);
    free(g.reg);
    return rc;
}
