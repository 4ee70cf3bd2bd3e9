/* fuzz_timeline.c — libFuzzer target for the viewer's timeline reader (render/tlread.c) and state
 * (render/view.c, no SDL): the input is one timeline, read from memory, then as a file in 3 parts.
 * Invariant checked: a load gives a valid prefix (maybe with a warning) or a located error and no
 * timeline; following gives the same rows; seeking equals replaying; no crash, leak or UB. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crisim.h"
#include "tlread.h"
#include "view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "fuzz.csv"

/* The viewer's built-in map is generated from scenarios/geo/europe.csv in the SDL build; here three
 * small outlines stand for it: enough to fit and project, cheap to parse at every input. */
const unsigned char cxv_builtin_map_csv[] = "iso,part,lon,lat\n"
                                            "DE,0,6,50\nDE,0,15,50\nDE,0,10,55\n"
                                            "NL,0,4,51\nNL,0,7,51\nNL,0,5,53\n"
                                            "BE,0,3,50\nBE,0,6,50\nBE,0,4,51\n";
const size_t cxv_builtin_map_csv_len = sizeof cxv_builtin_map_csv - 1;

/* The harness (not the reader) keeps one file for the whole process, on a RAM file system if any. */
static char path[4096];

static void remove_file(void) { unlink(path); }

static void make_path(void) {
    const char *t = getenv("CRISIM_FUZZ_TMPDIR");
    if (t == NULL || t[0] == '\0') t = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
    if ((size_t)snprintf(path, sizeof path, "%s/crisim-fuzz-timeline-%ld.csv", t, (long)getpid()) >=
        sizeof path)
        abort();
    atexit(remove_file);
}

static void write_part(const char *mode, const uint8_t *p, size_t n) {
    FILE *f = fopen(path, mode);
    if (f == NULL) abort();
    if (n && fwrite(p, 1, n, f) != n) abort();
    if (fclose(f) != 0) abort();
}

/* Messages quote cells: they must stay printable text, located at file:line. */
static void check_text(const char *s, const char *file) {
    if (strncmp(s, file, strlen(file)) != 0 || s[strlen(file)] != ':') abort();
    for (; *s; s++)
        if ((unsigned char)*s < 0x20) abort();
}

static void check_diags(const cx_diags *d, cx_status st, const cxv_timeline *tl) {
    if (st == CX_OK) return;
    if (tl != NULL) abort();
    if (st == CX_ENOMEM) return;
    if (st != CX_EINPUT || cx_diags_count(d) < 1) abort();
    for (size_t i = 0; i < cx_diags_count(d); i++) check_text(cx_diags_get(d, i), NAME);
}

static void check_rows(const cxv_timeline *tl) {
    if (cxv_timeline_warning(tl)[0]) check_text(cxv_timeline_warning(tl), cxv_timeline_path(tl));
    size_t n = cxv_timeline_rows(tl), ne = cxv_timeline_entities(tl);
    for (size_t i = 0; i < n; i++) {
        const cxv_row *r = cxv_timeline_row(tl, i);
        if (r->entity >= ne || (i && r->t < cxv_timeline_row(tl, i - 1)->t)) abort();
        if (!(r->value == r->value)) abort(); /* NaN never passes the number parser */
        (void)strlen(cxv_row_text(tl, r));
        (void)strlen(cxv_str(tl, r->state));
        const cxv_entity *e = cxv_timeline_entity(tl, r->entity);
        if (e->kind >= CXV_KIND_COUNT) abort();
        if (cxv_timeline_find(tl, (cxv_kind)e->kind, cxv_str(tl, e->name), cxv_str(tl, e->region)) !=
            (int64_t)r->entity)
            abort();
    }
    int known;
    (void)cxv_timeline_start(tl, &known);
    (void)cxv_timeline_bytes(tl);
}

/* The rows of b are the first rows of a, field by field (entities compared by their strings). */
static void check_prefix(const cxv_timeline *a, const cxv_timeline *b) {
    size_t nb = cxv_timeline_rows(b);
    if (nb > cxv_timeline_rows(a)) abort();
    for (size_t i = 0; i < nb; i++) {
        const cxv_row *ra = cxv_timeline_row(a, i), *rb = cxv_timeline_row(b, i);
        const cxv_entity *ea = cxv_timeline_entity(a, ra->entity), *eb = cxv_timeline_entity(b, rb->entity);
        if (ra->t != rb->t || ra->value != rb->value || ra->depth != rb->depth || ra->st != rb->st ||
            ra->cross_border != rb->cross_border || ea->kind != eb->kind ||
            strcmp(cxv_str(a, ea->name), cxv_str(b, eb->name)) ||
            strcmp(cxv_str(a, ea->region), cxv_str(b, eb->region)) ||
            strcmp(cxv_str(a, ra->state), cxv_str(b, rb->state)) ||
            strcmp(cxv_str(a, ra->cause), cxv_str(b, rb->cause)) ||
            strcmp(cxv_row_text(a, ra), cxv_row_text(b, rb)))
            abort();
    }
}

/* Seeks in both directions and by small steps, each compared with replaying from the start. */
static void check_seeks(const cxv_timeline *tl, uint64_t h) {
    int64_t lo = cxv_timeline_first_t(tl), hi = cxv_timeline_last_t(tl);
    int64_t span = hi - lo;
    int64_t at[12] = {INT64_MIN, lo - 1, lo, hi, hi + 1, INT64_MAX, lo + span / 2, lo + span / 3, 0, 0, 0, 0};
    for (int i = 8; i < 12; i++) {
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;
        at[i] = span > 0 ? lo + (int64_t)((h >> 11) % (uint64_t)span) : lo;
    }
    cxv_state seek, play;
    cxv_state_init(&seek);
    cxv_state_init(&play);
    for (int i = 0; i < 12; i++) {
        int64_t T = at[(i * 5) % 12];
        if (cxv_state_seek(&seek, tl, T) != CX_OK || cxv_state_play(&play, tl, T) != CX_OK) abort();
        if (seek.nent != play.nent || seek.applied != play.applied ||
            (seek.nent && memcmp(seek.last, play.last, seek.nent * sizeof *seek.last)))
            abort();
        for (uint32_t e = 0; e < seek.nent; e++) {
            const cxv_row *r = cxv_state_row(&seek, tl, e);
            if (r && (r->t > T || r->entity != e)) abort();
        }
        int64_t t;
        unsigned mask = (unsigned)(h >> (i * 3)) & ((1u << CXV_KIND_COUNT) - 1);
        if (cxv_timeline_next(tl, T, mask, &t) && t <= T) abort();
        if (cxv_timeline_prev(tl, T, mask, &t) && t >= T) abort();
    }
    cxv_state_free(&seek);
    cxv_state_free(&play);
}

/* What a frame needs, without drawing it: the view over the timeline at `path` and a small scenario
 * with assets, capacities and regions (tests/data/view-response), at a few instants; half of the
 * inputs as the window's --follow opens them. */
static void check_view(uint64_t h) {
    cx_diags *d = NULL;
    if (cx_diags_create(&d) != CX_OK) abort();
    cxv_view_opts o = {.timeline = path, .scenario_dir = CX_SOURCE_DIR "/tests/data/view-response",
                       .follow = (int)(h >> 63)};
    cxv_view *v = NULL;
    cx_status st = cxv_view_open(&o, &v, d);
    if (st != CX_OK && (v != NULL || cx_diags_count(d) == 0)) abort();
    if (v != NULL && o.follow) {
        size_t added;
        (void)cxv_view_follow(v, &added, d);
    }
    cx_diags_destroy(d);
    if (v == NULL) return;
    const cxv_timeline *tl = cxv_view_timeline(v);
    int64_t b = cxv_view_t_begin(v), e = cxv_view_t_end(v);
    if (b > e) abort();
    char buf[512];
    size_t n, counts[5];
    (void)cxv_view_profile(v, &n);
    (void)cxv_view_injects(v, &n);
    for (int i = 0; i < 6; i++) {
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;
        int64_t T = i == 0 ? b : i == 1 ? e : b + (int64_t)((h >> 11) % (uint64_t)(e - b + 1));
        if (cxv_view_seek(v, T) != CX_OK) abort();
        cxv_view_counts(v, counts);
        cxv_view_clock(v, T, buf, sizeof buf);
        const cx_scenario *sc = cxv_view_scenario(v);
        for (uint32_t r = 0; r < sc->nregions; r++) {
            double share = cxv_view_region_share(v, r);
            if (!(share >= 0.0 && share <= 1.0)) abort();
        }
        for (uint32_t a = 0; a < sc->nassets; a++) (void)cxv_view_asset(v, a);
    }
    for (size_t i = 0; i < cxv_timeline_rows(tl) && i < 200; i++) {
        cxv_view_sentence(v, cxv_timeline_row(tl, i), buf, sizeof buf);
        if (memchr(buf, '\0', sizeof buf) == NULL) abort();
    }
    cxv_view_close(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (path[0] == '\0') make_path();
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 1099511628211ULL;

    cx_diags *d = NULL;
    if (cx_diags_create(&d) != CX_OK) return 0;
    cxv_open_opts o = cxv_open_opts_default();
    o.snapshot_min = 1 + (size_t)(h % 5); /* many snapshots, so seeks use them */
    cxv_timeline *mem = NULL;
    cx_status sm = cxv_timeline_open_mem(NAME, data, size, &o, &mem, d);
    check_diags(d, sm, mem);
    cx_diags_destroy(d);
    if (mem) {
        check_rows(mem);
        check_seeks(mem, h);
    }

    /* The viewer's --follow: the file grows in three parts, cut at points chosen by the input. */
    size_t c1 = (size_t)(h % (size + 1));
    size_t c2 = c1 + (size_t)((h >> 20) % (size - c1 + 1));
    write_part("wb", data, c1);
    o.follow = 1;
    cxv_timeline *fl = NULL;
    d = NULL;
    if (cx_diags_create(&d) != CX_OK) abort();
    cx_status sf = cxv_timeline_open(path, &o, &fl, d);
    if (sf != CX_OK && (fl != NULL || (sf != CX_EINPUT && sf != CX_ENOMEM))) abort();
    for (size_t i = 0; i < cx_diags_count(d); i++) check_text(cx_diags_get(d, i), path);
    cx_diags_destroy(d);
    if (sf == CX_EINPUT && mem != NULL) abort(); /* the same first error, with no row before it */
    if (fl) {
        size_t added;
        const size_t cut[2][2] = {{c1, c2}, {c2, size}};
        for (int k = 0; k < 2; k++) {
            write_part("ab", data + cut[k][0], cut[k][1] - cut[k][0]);
            d = NULL;
            if (cx_diags_create(&d) != CX_OK) abort();
            cx_status s = cxv_timeline_follow(fl, &added, d);
            if (s == CX_EINPUT) {
                if (cx_diags_count(d) < 1) abort();
                for (size_t i = 0; i < cx_diags_count(d); i++) check_text(cx_diags_get(d, i), path);
            } else if (s != CX_OK && s != CX_ENOMEM) {
                abort();
            }
            cx_diags_destroy(d);
        }
        if (cxv_timeline_replaced(fl)) abort(); /* the same file, only appended to */
        check_rows(fl);
        check_seeks(fl, h >> 7);
        if (mem) {
            /* the same rows, except an unterminated last line, which only a whole-file read takes */
            check_prefix(mem, fl);
            size_t nm = cxv_timeline_rows(mem), nf = cxv_timeline_rows(fl);
            int ended = size && (data[size - 1] == '\n' || data[size - 1] == '\r');
            if (nm > nf + 1 || (nm != nf && ended)) abort();
        } else if (sm == CX_EINPUT && cxv_timeline_rows(fl) != 0) {
            abort();
        }
        cxv_timeline_close(fl);
    }
    if (mem) check_view(h);
    cxv_timeline_close(mem);
    return 0;
}
