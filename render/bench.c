/* bench.c — generates a big scenario + timeline and times the viewer's open, seek and frame.
 * Also plays shipped scenarios frame by frame. Invariant: the files are a pure function of the
 * options (own LCG, fixed formats), so results from two machines compare the same work. */
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
#include "io/io_api.h"
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

/* Runs the scenario in dir (replicate 0, its own seed) into the timeline at path. */
static cx_status run_scenario(const char *dir, const char *path, size_t *assets, size_t *links,
                              char *err, size_t errn) {
    cx_diags *d = NULL;
    cx_scenario *sc = NULL;
    cxi_timeline *tw = NULL;
    cx_sim *sim = NULL;
    cx_status st = cx_diags_create(&d);
    if (st == CX_OK && (st = cx_scenario_load(dir, NULL, &sc, d)) != CX_OK)
        snprintf(err, errn, "%s", cx_diags_count(d) ? cx_diags_get(d, 0) : cx_status_str(st));
    if (st == CX_OK) {
        cx_scenario_counts n = cx_scenario_count(sc);
        *assets = n.assets;
        *links = n.links;
        cx_sim_config cfg = cx_sim_config_default();
        cfg.seed = cx_scenario_seed(sc);
        if ((st = cxi_timeline_open(path, cx_scenario_start(sc), &tw)) != CX_OK)
            snprintf(err, errn, "cannot create %s: %s", path, cx_status_str(st));
        else if ((st = cx_sim_create(sc, &cfg, &sim)) != CX_OK)
            snprintf(err, errn, "%s: cannot create the simulation", dir);
    }
    if (st == CX_OK) {
        cx_observer w = cxi_timeline_observer(tw);
        if ((st = cx_sim_subscribe(sim, &w)) == CX_OK) st = cx_sim_run(sim);
        if (st != CX_OK) snprintf(err, errn, "%s: %s", dir, cx_sim_errmsg(sim));
    }
    cx_status cs = cxi_timeline_close(tw);
    if (st == CX_OK && cs != CX_OK) {
        snprintf(err, errn, "cannot write %s", path);
        st = cs;
    }
    cx_sim_destroy(sim);
    cx_scenario_destroy(sc);
    cx_diags_destroy(d);
    return st;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Draws the frames: frame 0 alone (cache building), then the others into ms[]. */
static cx_status play_frames(cxv_view *v, SDL_Renderer *rd, cxv_gfx *g, int w, int h, size_t frames,
                             double *ms, cxv_bench_play_result *r) {
    cxv_ui ui;
    cxv_ui_init(&ui);
    ui.playing = 1;
    int64_t b = cxv_view_t_begin(v), e = cxv_view_t_end(v);
    ui.speed = (double)(e - b) / 60.0; /* what the window's default speed aims at */
    cxv_layout L;
    cxv_layout_make(&L, w, h);
    cx_status st = CX_OK;
    for (size_t i = 0; i < frames && st == CX_OK; i++) {
        int64_t T = b + (int64_t)((double)(e - b) * (double)i / (double)(frames - 1));
        double t0 = now_s();
        st = cxv_view_seek(v, T);
        if (st == CX_OK) st = cxv_draw_frame(g, v, &L, &ui);
        SDL_RenderPresent(rd);
        double dt = (now_s() - t0) * 1e3;
        if (i == 0) r->first_ms = dt;
        else ms[i - 1] = dt;
    }
    return st;
}

cx_status cxv_bench_play(const char *scenario_dir, const char *tmp_dir, int w, int h, size_t frames,
                         cxv_bench_play_result *r, char *err, size_t errn) {
    memset(r, 0, sizeof *r);
    r->w = w;
    r->h = h;
    r->frames = frames;
    if (frames < 2) {
        snprintf(err, errn, "at least 2 frames");
        return CX_EINVAL;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/timeline.csv", tmp_dir);
    if (mkdir(tmp_dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errn, "cannot create %s: %s", tmp_dir, strerror(errno));
        return CX_EIO;
    }
    cx_status st = run_scenario(scenario_dir, path, &r->assets, &r->links, err, errn);
    cx_diags *d = NULL;
    cxv_view *v = NULL;
    if (st == CX_OK) st = cx_diags_create(&d);
    if (st == CX_OK) {
        cxv_view_opts vo = {path, scenario_dir, NULL, 0};
        if ((st = cxv_view_open(&vo, &v, d)) != CX_OK)
            snprintf(err, errn, "%s", cx_diags_count(d) ? cx_diags_get(d, 0) : cx_status_str(st));
    }
    SDL_Surface *surf = NULL;
    SDL_Renderer *rd = NULL;
    cxv_gfx *g = NULL;
    double *ms = NULL;
    if (st == CX_OK) {
        r->rows = cxv_timeline_rows(cxv_view_timeline(v));
        surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
        rd = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
        ms = calloc(frames, sizeof *ms);
        if (!rd || !ms) {
            snprintf(err, errn, "cannot create a %dx%d software renderer: %s", w, h, SDL_GetError());
            st = CX_ERUNTIME;
        }
    }
    if (st == CX_OK) st = cxv_gfx_open(rd, NULL, &g, err, errn);
    if (st == CX_OK && (st = play_frames(v, rd, g, w, h, frames, ms, r)) != CX_OK)
        snprintf(err, errn, "%s: drawing failed: %s", scenario_dir, cx_status_str(st));
    if (st == CX_OK) {
        size_t n = frames - 1;
        double sum = 0;
        for (size_t i = 0; i < n; i++) sum += ms[i];
        qsort(ms, n, sizeof *ms, cmp_double);
        r->mean_ms = sum / (double)n;
        r->p95_ms = ms[(size_t)(0.95 * (double)(n - 1) + 0.5)];
        r->max_ms = ms[n - 1];
    }
    free(ms);
    cxv_gfx_close(g);
    if (rd) SDL_DestroyRenderer(rd);
    if (surf) SDL_FreeSurface(surf);
    cxv_view_close(v);
    cx_diags_destroy(d);
    remove(path);
    rmdir(tmp_dir);
    return st;
}
