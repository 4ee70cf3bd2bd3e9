/* bench.c — generates a big scenario + timeline and times the viewer's open, seek and frame.
 * Invariant: the files are a pure function of the options (own LCG, fixed formats), so results
 * from two machines compare the same work. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <SDL.h>

#include "bench.h"
#include "draw.h"
#include "tlread.h"
#include "view.h"

cxv_bench_opts cxv_bench_opts_default(void) {
    cxv_bench_opts o = {1000000, 10000, 200, 1, NULL, 0, 1};
    return o;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t lcg(uint64_t *x) {
    *x = *x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return *x >> 17;
}

static const struct {
    const char *code;
    double lat, lon, pop;
} regions[] = {
    {"AT", 47.6, 14.1, 9.1e6},  {"BE", 50.6, 4.6, 11.7e6}, {"BG", 42.7, 25.3, 6.4e6},
    {"HR", 45.4, 16.0, 3.9e6},  {"CY", 35.1, 33.4, 0.9e6}, {"CZ", 49.8, 15.5, 10.9e6},
    {"DK", 56.0, 9.5, 5.9e6},   {"EE", 58.7, 25.5, 1.4e6}, {"FI", 62.0, 26.0, 5.6e6},
    {"FR", 46.6, 2.4, 68.2e6},  {"DE", 51.0, 10.2, 84.4e6}, {"EL", 39.3, 22.0, 10.4e6},
    {"HU", 47.1, 19.5, 9.6e6},  {"IE", 53.2, -8.0, 5.3e6}, {"IT", 42.8, 12.6, 59.0e6},
    {"LV", 56.9, 24.8, 1.9e6},  {"LT", 55.3, 23.9, 2.9e6}, {"LU", 49.8, 6.1, 0.7e6},
    {"MT", 35.9, 14.4, 0.5e6},  {"NL", 52.2, 5.5, 17.9e6}, {"PL", 52.1, 19.4, 36.8e6},
    {"PT", 39.6, -8.0, 10.5e6}, {"RO", 45.9, 24.9, 19.1e6}, {"SK", 48.7, 19.7, 5.4e6},
    {"SI", 46.1, 14.8, 2.1e6},  {"ES", 40.2, -3.6, 48.6e6}, {"SE", 62.0, 15.0, 10.5e6},
};
#define NREG (sizeof regions / sizeof regions[0])
static const char *const sectors[] = {"power", "gas", "telecom", "water", "rail", "health"};
static const char *const states[] = {"working", "degraded", "failed", "repairing"};

static int write_files(const cxv_bench_opts *o, const char *dir, char *err, size_t errn) {
    char path[4200];
    FILE *f;
#define OPEN(name)                                                             \
    snprintf(path, sizeof path, "%s/%s", dir, name);                           \
    if (!(f = fopen(path, "w"))) {                                             \
        snprintf(err, errn, "cannot write %s: %s", path, strerror(errno));     \
        return -1;                                                             \
    }
    OPEN("scenario.csv");
    fprintf(f, "key,value\nname,bench-view\ntitle,Viewer benchmark: %zu rows over %zu assets\n"
               "start,2024-01-01T00:00Z\nhorizon,35d\n", o->rows, o->assets);
    fclose(f);
    OPEN("regions.csv");
    fprintf(f, "code,lat,lon,population\n");
    for (size_t i = 0; i < NREG; i++)
        fprintf(f, "%s,%.2f,%.2f,%.0f\n", regions[i].code, regions[i].lat, regions[i].lon, regions[i].pop);
    fclose(f);
    uint64_t x = o->seed;
    OPEN("assets.csv");
    fprintf(f, "id,sector,region,lat,lon,population\n");
    for (size_t a = 0; a < o->assets; a++) {
        size_t r = a % NREG;
        double dlat = (double)(lcg(&x) % 2000) / 1000.0 - 1.0, dlon = (double)(lcg(&x) % 3000) / 1000.0 - 1.5;
        fprintf(f, "A%zu,%s,%s,%.3f,%.3f,%.0f\n", a, sectors[a % 6], regions[r].code, regions[r].lat + dlat,
                regions[r].lon + dlon, regions[r].pop / (double)(o->assets / NREG + 1) * 3);
    }
    fclose(f);
    OPEN("links.csv");
    fprintf(f, "supplier,dependent\n");
    for (size_t a = NREG; a < o->assets; a++) fprintf(f, "A%zu,A%zu\n", a - NREG, a);
    fclose(f);
    snprintf(path, sizeof path, "%s/run", dir);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errn, "cannot create %s", path);
        return -1;
    }
    OPEN("run/manifest.csv");
    fprintf(f, "key,value\nscenario,bench-view\nscenario_dir,..\n");
    fclose(f);
    OPEN("run/timeline.csv");
    fprintf(f, "t,time,kind,entity,region,sector,state,value,cause,cross_border,depth,text\n");
    int64_t t = 0;
    const int64_t t0 = 1704067200; /* 2024-01-01T00:00Z */
    for (size_t i = 0; i < o->rows; i++) {
        uint64_t r = lcg(&x);
        t += (int64_t)(r % 6);
        time_t u = (time_t)(t0 + t);
        struct tm tm;
        char when[32];
        gmtime_r(&u, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        if (r % 50 == 0) {
            fprintf(f, "%" PRId64 ",%s,inject,I%zu,%s,power,damage,1.0000,,0,0,\"Inject %zu: damage "
                       "reported, operators respond, \"\"press\"\" asks for figures\"\n",
                    t, when, i, regions[r % NREG].code, i);
        } else {
            size_t a = (size_t)((r >> 8) % o->assets), c = (size_t)((r >> 24) % o->assets);
            unsigned s = (unsigned)((r >> 4) % 4);
            double v = s == 0 ? 1.0 : s == 2 ? 0.0 : (double)(r % 1000) / 1000.0;
            fprintf(f, "%" PRId64 ",%s,asset,A%zu,%s,%s,%s,%.4f,A%zu,%d,%u,\n", t, when, a,
                    regions[a % NREG].code, sectors[a % 6], states[s], v, c, (a % NREG) != (c % NREG),
                    (unsigned)((r >> 12) % 6));
        }
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        snprintf(err, errn, "cannot write %s", path);
        return -1;
    }
    return 0;
#undef OPEN
}

static void remove_files(const char *dir) {
    static const char *const names[] = {"run/timeline.csv", "run/manifest.csv", "run", "scenario.csv",
                                        "regions.csv", "assets.csv", "links.csv"};
    char path[4200];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        remove(path);
    }
    rmdir(dir);
}

cx_status cxv_bench_run(const cxv_bench_opts *o, cxv_bench_result *r, char *err, size_t errn) {
    memset(r, 0, sizeof *r);
    char dir[4096], tlpath[4200];
    if (o->dir) snprintf(dir, sizeof dir, "%s", o->dir);
    else snprintf(dir, sizeof dir, "/tmp/crisim-bench-view-%ld", (long)getpid());
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errn, "cannot create %s: %s", dir, strerror(errno));
        return CX_EIO;
    }
    double t0 = now_s();
    if (write_files(o, dir, err, errn) != 0) {
        if (!o->keep) remove_files(dir);
        return CX_EIO;
    }
    r->gen_s = now_s() - t0;
    snprintf(tlpath, sizeof tlpath, "%s/run/timeline.csv", dir);
    struct stat sb;
    if (stat(tlpath, &sb) == 0) r->file_bytes = (size_t)sb.st_size;

    cx_diags *d = NULL;
    cx_status st = cx_diags_create(&d);
    cxv_timeline *tl = NULL;
    cxv_view *v = NULL;
    if (st == CX_OK) {
        t0 = now_s();
        st = cxv_timeline_open(tlpath, NULL, &tl, d);
        r->tl_open_s = now_s() - t0;
    }
    if (st == CX_OK) {
        r->rows = cxv_timeline_rows(tl);
        r->entities = cxv_timeline_entities(tl);
        r->mem_bytes = cxv_timeline_bytes(tl);
        r->snapshot_every = cxv_timeline_snapshot_every(tl);
        cxv_timeline_close(tl);
        cxv_view_opts vo = {tlpath, NULL, NULL, 0};
        t0 = now_s();
        st = cxv_view_open(&vo, &v, d);
        r->view_open_s = now_s() - t0;
    }
    if (st == CX_OK) {
        uint64_t x = o->seed ^ UINT64_C(0x5eed);
        int64_t last = cxv_timeline_last_t(cxv_view_timeline(v));
        double sum = 0;
        for (size_t i = 0; i < o->seeks && st == CX_OK; i++) {
            int64_t T = (int64_t)(lcg(&x) % (uint64_t)(last + 1));
            t0 = now_s();
            st = cxv_view_seek(v, T);
            double ms = (now_s() - t0) * 1e3;
            sum += ms;
            if (ms > r->seek_max_ms) r->seek_max_ms = ms;
        }
        r->seek_mean_ms = o->seeks ? sum / (double)o->seeks : 0;
        sum = 0;
        int64_t T = last / 2, next;
        st = cxv_view_seek(v, T);
        size_t steps = 0;
        for (; steps < 200 && st == CX_OK && cxv_timeline_next(cxv_view_timeline(v), T, 0, &next); steps++) {
            t0 = now_s();
            st = cxv_view_seek(v, next);
            sum += (now_s() - t0) * 1e3;
            T = next;
        }
        r->step_mean_ms = steps ? sum / (double)steps : 0;
    }
    if (st == CX_OK && o->frame) {
        cxv_ui ui;
        cxv_ui_init(&ui);
        SDL_Surface *s = NULL;
        int64_t T = cxv_timeline_last_t(cxv_view_timeline(v)) / 2;
        size_t np = 0;
        t0 = now_s();
        cxv_view_profile(v, &np); /* computed once per file, not per frame */
        r->profile_ms = (now_s() - t0) * 1e3;
        t0 = now_s();
        st = cxv_render_surface(v, NULL, 1280, 720, T, &ui, &s, err, errn);
        r->frame_ms = (now_s() - t0) * 1e3;
        if (s) SDL_FreeSurface(s);
        if (st != CX_OK) {
            cxv_view_close(v);
            cx_diags_destroy(d);
            if (!o->keep) remove_files(dir);
            return st;
        }
    }
    if (st != CX_OK) {
        if (cx_diags_count(d)) snprintf(err, errn, "%s", cx_diags_get(d, 0));
        else snprintf(err, errn, "%s", cx_status_str(st));
    }
    cxv_view_close(v);
    cx_diags_destroy(d);
    if (!o->keep) remove_files(dir);
    return st;
}
