/* cmd_view.c — `crisim view TIMELINE`: replay a run in a window, or render PNG frames headless.
 * Without SDL2 at build time the command exists but says the viewer was not built (exit 1).
 * Exit: 0 success, 1 runtime failure, 2 bad input or usage. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "commands.h"
#include "crisim.h"

#if defined(CRISIM_HAVE_VIEWER)
#include <SDL.h>

#include "bench.h"
#include "draw.h"
#include "kernel/kernel_api.h"
#include "mc_util.h"
#include "view.h"
#endif

static void help(FILE *f) {
    fprintf(f,
            "usage: crisim view TIMELINE [OPTIONS]\n\n"
            "Replays a run for the debrief: map of the assets and countries, the latest events,\n"
            "and a timeline to seek. TIMELINE is out/<name>/timeline.csv written by 'crisim run';\n"
            "the scenario comes from manifest.csv beside it (or --scenario).\n\n"
            "options:\n"
            "  --scenario DIR   the scenario folder (default: scenario_dir of manifest.csv)\n"
            "  --png FILE       render one frame to FILE (headless, no window) at --at\n"
            "  --at T           instant: a duration from T0 (2h, T+1d6h, 90m) or an ISO time\n"
            "                   (2006-11-04T22:10Z); default: the start (window) / the end (--png)\n"
            "  --frames DIR     render frames DIR/frame-000001.png ... every --every (headless)\n"
            "  --every D        interval between frames (default 1h)\n"
            "  --size WxH       frame or window size in pixels (default 1280x720)\n"
            "  --follow         the run is still writing: re-read appended rows every second\n"
            "  --map FILE       country outlines (iso,part,lon,lat; default: built-in Europe)\n"
            "  --font FILE      a TrueType font (default: DejaVuSans)\n"
            "  -h, --help       this help\n\n"
            "keys in the window: Space play/pause, +/- speed, Left/Right previous/next event,\n"
            "PgUp/PgDn previous/next inject, D/Shift+D next/previous decision, I/Shift+I next/\n"
            "previous IPCR change, G go to a typed time, Home/End, F fullscreen, S screenshot,\n"
            "? help, Q quit. Click on the map: the history of what is under the pointer.\n"
            "See docs/viewer.md.\n");
}

#if !defined(CRISIM_HAVE_VIEWER)

int cmd_view(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            help(stdout);
            return 0;
        }
    fprintf(stderr, "crisim view: this crisim was built without the viewer (SDL2, SDL2_image and "
                    "SDL2_ttf were not found when it was configured); install libsdl2-dev, "
                    "libsdl2-image-dev and libsdl2-ttf-dev and rebuild\n");
    return 1;
}

int cmd_bench_view(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "crisim bench view: this crisim was built without the viewer (SDL2 not found)\n");
    return 1;
}

#else

static void bench_help(FILE *f) {
    fprintf(f, "usage: crisim bench view [--rows N] [--assets A] [--seeks S] [--dir DIR] [--keep] "
               "[--no-frame]\n"
               "       crisim bench view --play [--scenarios DIR] [--frames N] [--size WxH]\n\n"
               "Writes a generated scenario and timeline (default 1,000,000 rows over 10,000 assets)\n"
               "to DIR (default /tmp/crisim-bench-view-PID, removed afterwards unless --keep), then\n"
               "times what the viewer does: read the timeline, open the view (timeline + scenario +\n"
               "map), seek to S random instants (default 200), step through events, draw one frame.\n"
               "Prints key=value lines. Targets (docs/viewer.md): open < 2 s, seek < 50 ms.\n\n"
               "--play runs every scenario folder under DIR (default: scenarios; or DIR itself when\n"
               "it holds scenario.csv) and plays its whole run in N frames (default 600) with the\n"
               "software renderer at WxH (default 1280x720), one line per scenario. Target\n"
               "(docs/performance.md): 60 frames per second, 16.7 ms per frame.\n");
}

static int parse_size(const char *s, int *w, int *h);

static int has_scenario(const char *dir) {
    char p[4400];
    struct stat sb;
    snprintf(p, sizeof p, "%s/scenario.csv", dir);
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int play_one(const char *dir, size_t frames, int w, int h) {
    char tmp[200], err[600] = "";
    snprintf(tmp, sizeof tmp, "/tmp/crisim-bench-play-%ld", (long)getpid());
    cxv_bench_play_result r;
    if (cxv_bench_play(dir, tmp, w, h, frames, &r, err, sizeof err) != CX_OK) {
        fprintf(stderr, "crisim bench view: %s\n", err);
        return 1;
    }
    const char *name = strrchr(dir, '/');
    printf("engine=crisim bench=view_play scenario=%s size=%dx%d assets=%zu links=%zu rows=%zu frames=%zu "
           "first_frame_ms=%.1f ms_per_frame_mean=%.2f ms_per_frame_p95=%.2f ms_per_frame_max=%.2f "
           "fps=%.0f\n", name && name[1] ? name + 1 : dir, w, h, r.assets, r.links, r.rows, r.frames,
           r.first_ms, r.mean_ms, r.p95_ms, r.max_ms, r.mean_ms > 0 ? 1000.0 / r.mean_ms : 0.0);
    fflush(stdout);
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every scenario folder under root (sorted), or root itself. */
static int bench_play(const char *root, size_t frames, int w, int h) {
    if (has_scenario(root)) return play_one(root, frames, w, h);
    DIR *dp = opendir(root);
    if (!dp) {
        fprintf(stderr, "crisim bench view: cannot open %s: %s\n", root, strerror(errno));
        return 1;
    }
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL && n < 256) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", root, de->d_name);
        if (de->d_name[0] != '.' && has_scenario(p) && (names[n] = strdup(p)) != NULL) n++;
    }
    closedir(dp);
    qsort(names, n, sizeof *names, cmp_str);
    int rc = n ? 0 : 1;
    if (!n) fprintf(stderr, "crisim bench view: no scenario folder under %s\n", root);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0) rc = play_one(names[i], frames, w, h);
        free(names[i]);
    }
    return rc;
}

static int parse_count(const char *s, size_t lo, size_t hi, size_t *out) {
    uint64_t v;
    if (mc_parse_u64(s, &v) != 0 || v < lo || v > hi) return -1;
    *out = (size_t)v;
    return 0;
}

int cmd_bench_view(int argc, char **argv) {
    cxv_bench_opts o = cxv_bench_opts_default();
    int play = 0, play_w = 1280, play_h = 720;
    size_t play_frames = 600;
    const char *play_root = "scenarios";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            bench_help(stdout);
            return 0;
        } else if (!strcmp(a, "--keep")) {
            o.keep = 1;
        } else if (!strcmp(a, "--no-frame")) {
            o.frame = 0;
        } else if (!strcmp(a, "--play")) {
            play = 1;
        } else if (!strcmp(a, "--rows") || !strcmp(a, "--assets") || !strcmp(a, "--seeks") ||
                   !strcmp(a, "--dir") || !strcmp(a, "--scenarios") || !strcmp(a, "--frames") ||
                   !strcmp(a, "--size")) {
            if (i + 1 >= argc) return cli_usage_error("bench view", "%s needs a value", a);
            const char *val = argv[++i];
            int bad = 0;
            if (!strcmp(a, "--scenarios")) play_root = val;
            else if (!strcmp(a, "--frames")) bad = parse_count(val, 2, 1000000, &play_frames);
            else if (!strcmp(a, "--size")) bad = parse_size(val, &play_w, &play_h);
            else if (!strcmp(a, "--rows")) bad = parse_count(val, 1, 100000000, &o.rows);
            else if (!strcmp(a, "--assets")) bad = parse_count(val, 27, 10000000, &o.assets);
            else if (!strcmp(a, "--seeks")) bad = parse_count(val, 1, 1000000, &o.seeks);
            else o.dir = val;
            if (bad) return cli_usage_error("bench view", "%s: '%s' is out of range", a, val);
        } else {
            return cli_usage_error("bench view", "unknown argument '%s'", a);
        }
    }
    if (play) return bench_play(play_root, play_frames, play_w, play_h);
    cxv_bench_result r;
    char err[600] = "";
    cx_status st = cxv_bench_run(&o, &r, err, sizeof err);
    if (st != CX_OK) {
        fprintf(stderr, "crisim bench view: %s\n", err);
        return 1;
    }
    printf("bench=view rows=%zu entities=%zu file_mb=%.1f mem_mb=%.1f snapshot_every=%zu\n", r.rows,
           r.entities, (double)r.file_bytes / 1048576.0, (double)r.mem_bytes / 1048576.0, r.snapshot_every);
    printf("bench=view generate_s=%.2f timeline_open_s=%.3f view_open_s=%.3f\n", r.gen_s, r.tl_open_s,
           r.view_open_s);
    printf("bench=view seeks=%zu seek_mean_ms=%.3f seek_max_ms=%.3f step_mean_ms=%.3f\n", o.seeks,
           r.seek_mean_ms, r.seek_max_ms, r.step_mean_ms);
    if (o.frame) printf("bench=view profile_ms=%.1f frame_ms=%.1f (1280x720, software)\n", r.profile_ms, r.frame_ms);
    return 0;
}

static int parse_size(const char *s, int *w, int *h) {
    char x;
    int n = 0;
    if (sscanf(s, "%d%c%d%n", w, &x, h, &n) != 3 || s[n] != '\0' || (x != 'x' && x != 'X')) return -1;
    return *w >= 320 && *h >= 240 && *w <= 16384 && *h <= 16384 ? 0 : -1;
}

static int print_diags_status(cx_diags *d, cx_status st) {
    cli_print_diags(d);
    return st == CX_EINPUT ? 2 : 1;
}

static int do_frames(cxv_view *v, const char *font, int w, int h, const char *dir, int64_t every) {
    char err[600], path[4200];
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "crisim view: cannot create '%s': %s\n", dir, strerror(errno));
        return 1;
    }
    int64_t b = cxv_view_t_begin(v), e = cxv_view_t_end(v);
    unsigned long n = 0;
    for (int64_t t = b; t <= e; t += every) {
        snprintf(path, sizeof path, "%s/frame-%06lu.png", dir, ++n);
        cx_status st = cxv_render_png(v, font, w, h, t, path, err, sizeof err);
        if (st != CX_OK) {
            fprintf(stderr, "crisim view: %s\n", err);
            return 1;
        }
    }
    printf("crisim view: wrote %lu frames to %s (every %" PRId64 " s from T%+" PRId64 " s)\n", n, dir,
           every, b);
    return 0;
}

int cmd_view(int argc, char **argv) {
    static const struct option longopts[] = {
        {"scenario", required_argument, NULL, 's'}, {"png", required_argument, NULL, 'p'},
        {"at", required_argument, NULL, 'a'},       {"frames", required_argument, NULL, 'F'},
        {"every", required_argument, NULL, 'e'},    {"size", required_argument, NULL, 'z'},
        {"follow", no_argument, NULL, 'f'},         {"map", required_argument, NULL, 'm'},
        {"font", required_argument, NULL, 'T'},     {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *scenario = NULL, *png = NULL, *at = NULL, *frames = NULL, *every_s = "1h";
    const char *map = NULL, *font = NULL;
    int w = 1280, h = 720, follow = 0, c;
    optind = 0; /* glibc: full re-initialisation, in case getopt ran before */
    opterr = 0; /* messages below name the option, in the crisim format */
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': scenario = optarg; break;
        case 'p': png = optarg; break;
        case 'a': at = optarg; break;
        case 'F': frames = optarg; break;
        case 'e': every_s = optarg; break;
        case 'z':
            if (parse_size(optarg, &w, &h))
                return cli_usage_error("view", "--size '%s': expected WxH, e.g. 1920x1080 "
                                               "(320x240 to 16384x16384)", optarg);
            break;
        case 'f': follow = 1; break;
        case 'm': map = optarg; break;
        case 'T': font = optarg; break;
        case 'h': help(stdout); return 0;
        case ':': return cli_usage_error("view", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("view", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) return cli_usage_error("view", "expected one TIMELINE file");
    if (png && frames) return cli_usage_error("view", "--png and --frames: choose one");
    if (follow && (png || frames)) return cli_usage_error("view", "--follow is for the window only");
    const char *timeline = argv[optind];

    cx_diags *d = NULL;
    if (cx_diags_create(&d) != CX_OK) return 1;
    cxv_view_opts o = {timeline, scenario, map, follow};
    cxv_view *v = NULL;
    cx_status st = cxv_view_open(&o, &v, d);
    if (st != CX_OK) {
        int rc = print_diags_status(d, st);
        if (!cx_diags_count(d)) fprintf(stderr, "crisim view: %s: %s\n", timeline, cx_status_str(st));
        cx_diags_destroy(d);
        return rc;
    }
    cx_diags_destroy(d);
    for (size_t i = 0; i < cxv_view_warnings(v); i++)
        fprintf(stderr, "crisim view: warning: %s\n", cxv_view_warning(v, i));

    int64_t T = png ? cxv_view_t_end(v) : cxv_view_t_begin(v);
    if (at && cxv_view_parse_time(v, at, &T) != 0) {
        cxv_view_close(v);
        return cli_usage_error("view", "--at '%s': expected a duration from T0 (2h, T+1d6h) or an "
                                       "ISO time (2006-11-04T22:10Z)", at);
    }
    int rc = 0;
    char err[600];
    if (png) {
        st = cxv_render_png(v, font, w, h, T, png, err, sizeof err);
        if (st != CX_OK) {
            fprintf(stderr, "crisim view: %s\n", err);
            rc = 1;
        }
    } else if (frames) {
        int64_t every;
        cxi_parse_err pe;
        if (cxi_duration_parse(every_s, &every, &pe) != 0 || every <= 0) {
            cxv_view_close(v);
            return cli_usage_error("view", "--every '%s': expected a positive duration (1h, 30m)", every_s);
        }
        if ((cxv_view_t_end(v) - cxv_view_t_begin(v)) / every > 100000) {
            cxv_view_close(v);
            return cli_usage_error("view", "--every '%s' gives more than 100000 frames", every_s);
        }
        rc = do_frames(v, font, w, h, frames, every);
    } else {
        cxv_window_opts wo = {font, w, h, T, follow, NULL, 0};
        st = cxv_window_run(v, &wo, err, sizeof err);
        if (st != CX_OK) {
            fprintf(stderr, "crisim view: %s\n", err);
            rc = 1;
        }
    }
    cxv_view_close(v);
    return rc;
}

#endif
