/* cmd_exercise.c — `crisim exercise DIR`: a live, turn-based tabletop exercise on a scenario.
 * Invariant: every command line is appended to <out>/journal.txt and fsync'ed BEFORE it acts, with
 * the simulation time it was entered at; the state is a function of (scenario, seed, journal), so
 * `--resume` replays the journal into exactly the same state, timeline and handouts. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "commands.h"
#include "crisim.h"
#include "exercise_input.h"
#include "io/batch.h"
#include "io/io_api.h"
#include "io/stats.h"
#include "io/sitrep.h"
#include "kernel/kernel_api.h"
#include "mc_util.h"
#include "model/response.h"
#include "model/scenario.h"
#include "model/sim_int.h"
#include "model/hybrid.h"
#include "model/trigger.h"

#if defined(CRISIM_HAVE_VIEWER)
#include "draw.h"
#include "view.h"
#endif

#define CMD "exercise"
#define PATH_BUF 4096
#define JOURNAL_MAGIC "# crisim exercise journal v1"

/* timeline.csv, append-only while time goes forward (a viewer follows it during play): text holds
 * every byte the file must hold, written how many of them are in it. A rebuild regenerates the rows
 * from T0 into a fresh text; the rows before the current time come out the same, so only the rows
 * after them are appended. Going back to a branch replaces the file (a new inode, by rename). */
typedef struct {
    FILE *f;        /* the file, opened for appending; NULL until the first rows are settled */
    FILE *ms;       /* memstream behind text */
    char *text;     /* valid after fflush(ms) */
    size_t len;
    size_t written; /* bytes of text in the file */
    char *prev;     /* during a rebuild: the text before it (malloc'd by the old memstream) */
    size_t prev_len;
    int have_prev;
} ex_tl;

/* A kept state of the exercise: the state is a function of (decisions, time, move). */
typedef struct {
    char name[64];
    cx_time done;
    int move;
    char **rows;
    size_t nrows;
} ex_snap;

typedef struct {
    const char *dir;
    char out[PATH_BUF];
    uint64_t seed;
    char hash[17];
    cx_scenario *sc;
    cx_sim *sim;
    ex_tl tl;
    FILE *jf;       /* journal, appended and fsync'ed */
    FILE *o;        /* command output: stdout, or /dev/null while replaying */
    FILE *err;      /* error messages: stderr, or /dev/null while replaying */
    int rebuilding; /* records are being regenerated: nothing printed */
    int replaying; /* --resume is replaying the journal: commands that change nothing are skipped */
    char **drows;  /* decisions taken so far, as CSV rows */
    size_t ndrows, capdrows;
    uint8_t *fired;    /* per inject */
    cx_time *fired_at; /* per inject: when it fired (valid when fired) */
    ex_snap snaps[32];
    size_t nsnaps;
    uint32_t *just; /* injects for players fired during the current command */
    size_t njust;
    int cond_hit;   /* a contingency inject for players fired: the command pauses at its instant */
    const char *watch_id; /* decision whose records are printed after a rebuild */
    cx_time done;         /* every event up to this time is processed; -1 before play starts */
    int move, ended;
    char cmdline[4096];
} ex;

static int write_report(ex *e);
static int fail(ex *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- small helpers ----------------------------------------------------------------------- */

static void say(ex *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(ex *e, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(e->o, fmt, ap);
    va_end(ap);
}

/* A command error: printed, nothing changed; returns -1. */
static int fail(ex *e, const char *fmt, ...) {
    va_list ap;
    fprintf(e->err, "error: ");
    va_start(ap, fmt);
    vfprintf(e->err, fmt, ap);
    va_end(ap);
    fprintf(e->err, "\n");
    fflush(e->err);
    return -1;
}

static cx_time now_of(const ex *e) { return e->done < 0 ? 0 : e->done; }

static void stamp(const ex *e, cx_time t, char *buf, size_t n) {
    char off[32], clk[40];
    cxi_sitrep_offset(t, off, sizeof off);
    cxi_sitrep_clock(cx_scenario_start(e->sc) + t, clk, sizeof clk);
    snprintf(buf, n, "%s %s", off, clk);
}

static int32_t inject_index(const cx_scenario *sc, const char *id) {
    for (uint32_t i = 0; i < sc->ninjects; i++)
        if (!strcmp(sc->injects[i].id, id)) return (int32_t)i;
    return -1;
}

static int for_players(const cx_inject *j) { return j->message && j->message[0]; }

static cx_time inject_time(const cx_inject *j) { return j->t < 0 ? 0 : j->t; }

/* Next instant after `after` where play pauses: an inject for players, or the first inject of a
 * later move. *boundary = 1 when it starts a new move. CX_TIME_NEVER when none. */
static cx_time next_stop(const ex *e, cx_time after, int *boundary, int32_t *which) {
    const cx_scenario *sc = e->sc;
    cx_time best = CX_TIME_NEVER;
    *boundary = 0;
    *which = -1;
    for (uint32_t i = 0; i < sc->ninjects; i++) {
        const cx_inject *j = &sc->injects[i];
        cx_time t = inject_time(j);
        if (j->cond || t <= after || t > best) continue;
        int b = j->move > e->move;
        if (!b && !for_players(j)) continue;
        if (t < best) {
            best = t;
            *boundary = b;
            *which = (int32_t)i;
        } else if (b) {
            *boundary = 1;
        }
    }
    return best;
}

/* ---- files ---------------------------------------------------------------------------------- */

static int write_atomic(const char *path, const char *data, size_t len) {
    char tmp[PATH_BUF + 16];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) return -1;
    int ok = fwrite(data, 1, len, f) == len;
    ok = fflush(f) == 0 && ok;
    ok = fsync(fileno(f)) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static const char decisions_header[] = "id,time,kind,region,target,sector,value,needs,text,by\n";

/* The decisions file content: header + rows (+ extra when not NULL). malloc'd. */
static char *decisions_text(const ex *e, const char *extra, size_t *len) {
    size_t n = sizeof decisions_header;
    for (size_t i = 0; i < e->ndrows; i++) n += strlen(e->drows[i]);
    if (extra) n += strlen(extra);
    char *s = malloc(n);
    if (!s) return NULL;
    size_t o = 0;
    memcpy(s, decisions_header, sizeof decisions_header - 1);
    o = sizeof decisions_header - 1;
    for (size_t i = 0; i < e->ndrows; i++) {
        size_t l = strlen(e->drows[i]);
        memcpy(s + o, e->drows[i], l);
        o += l;
    }
    if (extra) {
        size_t l = strlen(extra);
        memcpy(s + o, extra, l);
        o += l;
    }
    s[o] = '\0';
    *len = o;
    return s;
}

static int write_manifest(const ex *e) {
    char path[PATH_BUF + 32], tmp[PATH_BUF + 40], seed_s[32], start_s[40], cwd[PATH_BUF];
    snprintf(path, sizeof path, "%s/manifest.csv", e->out);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    snprintf(seed_s, sizeof seed_s, "%" PRIu64, e->seed);
    cxi_datetime_format(cx_scenario_start(e->sc), start_s, sizeof start_s);
    if (!getcwd(cwd, sizeof cwd)) cwd[0] = '\0';
    char hor_s[32];
    snprintf(hor_s, sizeof hor_s, "%" PRId64, (int64_t)cx_scenario_horizon(e->sc));
    const cxi_kv kv[] = {
        {"crisim_version", cx_version()},
        {"scenario", cx_scenario_name(e->sc)},
        {"scenario_dir", cx_scenario_dir(e->sc)},
        {"cwd", cwd},
        {"scenario_hash", cx_scenario_hash(e->sc)},
        {"seed", seed_s},
        {"replicate", "0"},
        {"horizon_s", hor_s},
        {"start", start_s},
        {"command", e->cmdline},
        {"mode", "exercise"},
        {"timeline", "timeline.csv"},
        {"journal", "journal.txt"},
        {"decisions", "decisions.csv"},
    };
    if (cxi_manifest_write(tmp, kv, sizeof kv / sizeof kv[0]) != CX_OK) return -1;
    return rename(tmp, path);
}

/* ---- the timeline file -------------------------------------------------------------------- */

/* Rows pending in memory beyond this are written at once, so a long advance streams. */
#define TL_PUSH_BYTES (64u * 1024u)

static void tl_path(const ex *e, char *buf, size_t n) {
    snprintf(buf, n, "%s/timeline.csv", e->out);
}

/* Writes the rows not yet in the file. -1 on a write error. */
static int tl_push(ex *e) {
    ex_tl *T = &e->tl;
    if (!T->ms || fflush(T->ms) != 0) return -1;
    if (!T->f || T->len == T->written) return 0;
    size_t n = T->len - T->written;
    if (fwrite(T->text + T->written, 1, n, T->f) != n || fflush(T->f) != 0) return -1;
    T->written = T->len;
    return 0;
}

/* A fresh text for a rebuild from T0 (the header); the old one is kept to compare with. */
static int tl_begin(ex *e) {
    ex_tl *T = &e->tl;
    free(T->prev);
    T->prev = NULL;
    T->have_prev = 0;
    if (T->ms) {
        if (tl_push(e) != 0) return -1;
        fclose(T->ms); /* text and len are final, and ours */
        T->ms = NULL;
        T->prev = T->text;
        T->prev_len = T->len;
        T->have_prev = T->f != NULL;
        T->text = NULL;
        T->len = 0;
    }
    T->ms = open_memstream(&T->text, &T->len);
    if (!T->ms) return -1;
    fputs("t,time,kind,entity,region,sector,state,value,cause,cross_border,depth,text\n", T->ms);
    T->written = 0;
    return fflush(T->ms) == 0 ? 0 : -1;
}

static int tl_record(void *ud, const cx_record *r) {
    ex *e = ud;
    cxi_timeline_put(e->tl.ms, cx_scenario_start(e->sc), r);
    if (ferror(e->tl.ms)) return 1;
    if (e->tl.f && !e->rebuilding && (size_t)ftello(e->tl.ms) - e->tl.written >= TL_PUSH_BYTES)
        return tl_push(e) != 0;
    return 0;
}

/* After a rebuild: when the old file is a prefix of the regenerated rows, only the rest is
 * appended; otherwise (going back in time, or the first time) the file is replaced atomically.
 * `rewind`: the caller went back on purpose; a replacement otherwise is reported. */
static int tl_settle(ex *e, int rewind) {
    ex_tl *T = &e->tl;
    char path[PATH_BUF + 32];
    tl_path(e, path, sizeof path);
    if (fflush(T->ms) != 0) return -1;
    int prefix = T->have_prev && T->len >= T->prev_len && !memcmp(T->text, T->prev, T->prev_len);
    if (prefix) {
        T->written = T->prev_len;
    } else {
        if (T->have_prev && !rewind) {
            size_t k = 0, line = 1;
            while (k < T->prev_len && k < T->len && T->text[k] == T->prev[k])
                line += T->text[k++] == '\n';
            fprintf(e->err,
                    "warning: the rebuilt timeline differs from the one written at line %zu: "
                    "timeline.csv is rewritten (a viewer following it reloads it)\n",
                    line);
        }
        if (write_atomic(path, T->text, T->len) != 0) return -1;
        if (T->f) fclose(T->f);
        T->f = NULL;
        T->written = T->len;
    }
    free(T->prev);
    T->prev = NULL;
    T->have_prev = 0;
    if (!T->f && !(T->f = fopen(path, "ab"))) return -1;
    return tl_push(e);
}

static void tl_close(ex *e) {
    ex_tl *T = &e->tl;
    if (T->f) fclose(T->f);
    if (T->ms) fclose(T->ms);
    free(T->text);
    free(T->prev);
    memset(T, 0, sizeof *T);
}

/* ---- the simulation and its observer ------------------------------------------------------ */

static int on_record(void *ud, const cx_record *r) {
    ex *e = ud;
    if (r->kind == CX_REC_INJECT) {
        int32_t i = inject_index(e->sc, r->entity);
        if (i >= 0) {
            e->fired[i] = 1;
            e->fired_at[i] = r->t;
            if (!e->rebuilding && for_players(&e->sc->injects[i])) {
                e->just[e->njust++ % (e->sc->ninjects + 1)] = (uint32_t)i;
                if (e->sc->injects[i].cond) e->cond_hit = 1;
            }
        }
    } else if (r->kind == CX_REC_DECISION && e->watch_id && !strcmp(r->entity, e->watch_id)) {
        say(e, "  decision %s (%s): %s\n", r->entity, r->state, r->text[0] ? r->text : "recorded");
    } else if (!e->rebuilding && r->kind == CX_REC_IPCR && r->state[0]) {
        say(e, "  IPCR: %s%s%s\n", r->state, r->text[0] ? " - " : "", r->text);
    }
    return 0;
}

/* (Re)creates the simulation from the scenario; its rows regenerate the timeline from the start
 * (tl_settle then writes what the file lacks). */
static int sim_start(ex *e) {
    cx_sim_destroy(e->sim);
    e->sim = NULL;
    if (tl_begin(e) != 0) {
        fprintf(stderr, "crisim exercise: cannot write the timeline: out of memory\n");
        return -1;
    }
    cx_sim_config cfg = cx_sim_config_default();
    cfg.seed = e->seed;
    cx_status st = cx_sim_create(e->sc, &cfg, &e->sim);
    cx_observer me = {e, on_record}, writer = {e, tl_record};
    if (st == CX_OK) st = cx_sim_subscribe(e->sim, &writer);
    if (st == CX_OK) st = cx_sim_subscribe(e->sim, &me);
    if (st != CX_OK) {
        fprintf(stderr, "crisim exercise: cannot create the simulation: %s\n", cx_status_str(st));
        return -1;
    }
    memset(e->fired, 0, e->sc->ninjects + 1);
    return 0;
}

static int sim_run_to(ex *e, cx_time t) {
    cx_status st = cx_sim_run_until(e->sim, t);
    if (st == CX_OK) {
        e->done = t;
        if (t >= cx_scenario_horizon(e->sc) && !e->ended) {
            st = cx_sim_run(e->sim);
            e->ended = 1;
        }
    }
    if (st != CX_OK) {
        fprintf(stderr, "crisim exercise: the simulation failed: %s\n", cx_sim_errmsg(e->sim));
        return -1;
    }
    return 0;
}

/* As sim_run_to, but when a contingency inject for players fires before t, the run finishes that
 * instant and stops there (*paused = 1, e->done = that instant): play pauses when it fires. Event
 * by event only when the scenario has such injects; the events processed are the same either way. */
static int sim_run_pausing(ex *e, cx_time t, int *paused) {
    *paused = 0;
    int any = 0;
    for (uint32_t i = 0; i < e->sc->ninjects && !any; i++)
        any = e->sc->injects[i].cond && for_players(&e->sc->injects[i]);
    cx_time from = cx_sim_now(e->sim);
    if (!any || t <= from) return sim_run_to(e, t);
    e->cond_hit = 0;
    /* starts the run (its start record) and processes the current instant */
    cx_status st = cx_sim_run_until(e->sim, from);
    for (int stepped = 1; st == CX_OK && stepped && !e->cond_hit;)
        st = cxi_kernel_step(e->sim->k, t, &stepped);
    if (st != CX_OK) {
        fprintf(stderr, "crisim exercise: the simulation failed: %s\n",
                cx_sim_errmsg(e->sim)[0] ? cx_sim_errmsg(e->sim) : cx_status_str(st));
        return -1;
    }
    if (!e->cond_hit) return sim_run_to(e, t);
    *paused = 1;
    return sim_run_to(e, cx_sim_now(e->sim));
}

/* ---- handouts ------------------------------------------------------------------------------ */

/* label_t names the file (the boundary time for an end-of-move handout written just before it). */
static int handout(ex *e, const char *heading, int print, cx_time label_t) {
    char path[PATH_BUF + 64], off[32];
    cx_time t = label_t;
    uint64_t a = (uint64_t)t;
    snprintf(off, sizeof off, "T+%03" PRIu64 "h%02" PRIu64, a / 3600, a / 60 % 60);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return fail(e, "out of memory");
    cx_status st = cxi_sitrep_write(e->sim, m, e->move, heading);
    fclose(m);
    if (st != CX_OK) {
        free(buf);
        return fail(e, "cannot build the situation report: %s", cx_status_str(st));
    }
    if (print) say(e, "%s", buf);
    snprintf(path, sizeof path, "%s/handouts/sitrep-%d-%s.md", e->out, e->move, off);
    int rc = write_atomic(path, buf, len);
    free(buf);
    if (rc != 0) return fail(e, "cannot write '%s': %s", path, strerror(errno));
    say(e, "handout: %s\n", path);
    return 0;
}

/* ---- advancing time ------------------------------------------------------------------------ */

static void print_inject(ex *e, uint32_t i) {
    const cx_inject *j = &e->sc->injects[i];
    char when[80];
    stamp(e, e->fired[i] ? e->fired_at[i] : inject_time(j), when, sizeof when);
    say(e, "\n=== INJECT %s  (move %d, %s%s)  %s\n", j->id, j->move, cxi_inject_kind_name(j->kind),
        j->cond ? ", contingency" : "", when);
    if (j->cond) say(e, "    trigger:  %s\n", j->trigger);
    if (j->channel && j->channel[0]) say(e, "    channel:  %s\n", j->channel);
    if ((j->from && j->from[0]) || (j->to && j->to[0]))
        say(e, "    from:     %s -> %s\n", j->from && j->from[0] ? j->from : "?",
            j->to && j->to[0] ? j->to : "?");
    say(e, "    message:  %s\n", j->message);
    if (j->expected_action && j->expected_action[0])
        say(e, "    expected: %s\n", j->expected_action);
    if (j->objective && j->objective[0]) say(e, "    objective: %s\n", j->objective);
}

static void flush_injects(ex *e) {
    size_t n = e->njust < e->sc->ninjects + 1 ? e->njust : e->sc->ninjects + 1;
    for (size_t k = 0; k < n; k++) {
        uint32_t i = e->just[k];
        print_inject(e, i);
        if (e->sc->injects[i].move > e->move) e->move = e->sc->injects[i].move;
    }
    e->njust = 0;
    /* injects without a message also open their move */
    for (uint32_t i = 0; i < e->sc->ninjects; i++)
        if (e->fired[i] && e->sc->injects[i].move > e->move) e->move = e->sc->injects[i].move;
}

/* Runs to `target` (clipped to the horizon) or to the next pause, whichever first. */
static int advance_to(ex *e, cx_time target, const char *what) {
    cx_time horizon = cx_scenario_horizon(e->sc);
    if (e->ended)
        return fail(e, "the exercise has reached the scenario horizon; time cannot advance "
                       "('back' returns to a kept branch; report, sitrep, status and quit remain)");
    if (target > horizon) target = horizon;
    if (target <= e->done)
        return fail(e,
                    "%s is not after the current time (to go back: 'branch' before, then 'back')",
                    what);
    int boundary;
    int32_t which;
    cx_time stop = next_stop(e, e->done, &boundary, &which);
    cx_time t = stop <= target ? stop : target;
    int paused = 0;
    if (stop <= target && boundary) {
        /* the move ends just before its successor's first inject: hand out its situation */
        if (t - 1 >= cx_sim_now(e->sim) && t - 1 > e->done &&
            sim_run_pausing(e, t - 1, &paused) != 0)
            return -2;
        if (!paused) {
            char head[64];
            snprintf(head, sizeof head, "Situation report: end of move %d", e->move);
            say(e, "\n--- end of move %d ---\n", e->move);
            if (handout(e, head, 0, t) != 0) return -2;
        }
    }
    if (!paused && sim_run_pausing(e, t, &paused) != 0) return -2;
    flush_injects(e);
    char w[80];
    stamp(e, e->done, w, sizeof w);
    if (paused && e->done < target && strcmp(what, "next") != 0)
        say(e,
            "\npaused at %s for the contingency inject above (before the %s target); 'next', "
            "'advance' or 'goto' to continue\n",
            w, what);
    else if (t < target && stop == t && strcmp(what, "next") != 0)
        say(e,
            "\npaused at %s for inject %s (before the %s target); 'next', 'advance' or "
            "'goto' to continue\n",
            w, which >= 0 ? e->sc->injects[which].id : "", what);
    else
        say(e, "\nnow %s\n", w);
    if (e->ended) {
        say(e, "end of the scenario (horizon reached)\n");
        char head[64];
        snprintf(head, sizeof head, "Situation report: end of move %d (end of scenario)", e->move);
        if (handout(e, head, 0, e->done) != 0) return -2;
        write_report(e);
    }
    return 0;
}

/* "T+30:00", "T+1:30:15", or anything cxi_time_parse reads (ISO datetime, T+6h, 2d). */
static int parse_time(const ex *e, const char *s, cx_time *out, char *msg, size_t n) {
    unsigned long long h, m, sec = 0;
    char sign, tail;
    int k = sscanf(s, "T%c%llu:%llu:%llu%c", &sign, &h, &m, &sec, &tail);
    if ((k == 3 || k == 4) && (sign == '+' || sign == '-') && m < 60 && sec < 60 &&
        h < 100000000ULL) {
        int64_t v = (int64_t)(h * 3600 + m * 60 + sec);
        *out = sign == '-' ? -v : v;
        return 0;
    }
    cxi_parse_err err;
    if (cxi_time_parse(s, cx_scenario_start(e->sc), out, &err) != 0) {
        snprintf(msg, n, "%s (expected an ISO time such as 2024-06-06T08:00Z, or T+30:00, T+6h)",
                 err.msg);
        return -1;
    }
    return 0;
}

/* ---- decisions ------------------------------------------------------------------------------ */

/* Splits args into words; "double quotes" group words. Returns the count (at most max). */
static int split_words(char *s, char **w, int max) {
    int n = 0;
    while (*s && n < max) {
        while (*s == ' ') s++;
        if (!*s) break;
        char *dst = s;
        w[n++] = s;
        int q = 0;
        while (*s && (q || *s != ' ')) {
            if (*s == '"') {
                q = !q;
                s++;
                continue;
            }
            *dst++ = *s++;
        }
        if (*s) s++;
        *dst = '\0';
    }
    return n;
}

static void csv_field(char *buf, size_t n, size_t *o, const char *s, int last) {
    int quote = strpbrk(s, ",\";\n") != NULL || s[0] == ' ';
    if (*o + 1 < n && quote) buf[(*o)++] = '"';
    for (; *s && *o + 3 < n; s++) {
        if (*s == '"') buf[(*o)++] = '"';
        buf[(*o)++] = *s;
    }
    if (*o + 1 < n && quote) buf[(*o)++] = '"';
    if (*o + 1 < n) buf[(*o)++] = last ? '\n' : ',';
    buf[*o] = '\0';
}

static int looks_like_code(const char *w) {
    size_t n = strlen(w);
    if (n < 2 || n > 3) return 0;
    for (size_t i = 0; i < n; i++)
        if (w[i] < 'A' || w[i] > 'Z') return 0;
    return 1;
}

static const char *const decision_keys[] = {"region", "target", "sector", "value",
                                            "needs",  "text",   "by",     NULL};

/* Strips "path:line:col: " from a loader message. */
static const char *strip_location(const char *msg, const char *path) {
    size_t l = strlen(path);
    if (strncmp(msg, path, l) != 0) return msg;
    const char *p = msg + l;
    while (*p == ':' || (*p >= '0' && *p <= '9')) p++;
    while (*p == ' ') p++;
    return p;
}

/* Loads the scenario with the decisions so far (none when !with_rows) plus `row` when not NULL,
 * through <out>/decisions-candidate.csv, which is left in place on success (the caller renames or
 * removes it). what: prefix of the error messages. Errors change nothing. */
static int load_decisions(ex *e, int with_rows, const char *row, const char *what,
                          cx_scenario **out) {
    char cand[PATH_BUF + 40];
    snprintf(cand, sizeof cand, "%s/decisions-candidate.csv", e->out);
    size_t len;
    size_t keep = e->ndrows;
    if (!with_rows) e->ndrows = 0;
    char *text = decisions_text(e, row, &len);
    e->ndrows = keep;
    if (!text) return fail(e, "out of memory");
    int rc = write_atomic(cand, text, len);
    free(text);
    if (rc != 0) return fail(e, "cannot write '%s': %s", cand, strerror(errno));
    cx_diags *d = NULL;
    cx_scenario *sc = NULL;
    if (cx_diags_create(&d) != CX_OK) return fail(e, "out of memory");
    cx_load_opts lo;
    (void)cli_load_opts(&lo); /* checked by main() */
    lo.decisions = cand;
    cx_status st = cx_scenario_load(e->dir, &lo, &sc, d);
    if (st != CX_OK) {
        size_t n = cx_diags_count(d);
        for (size_t i = 0; i < n; i++)
            fail(e, "%s: %s", what, strip_location(cx_diags_get(d, i), cand));
        if (!n) fail(e, "cannot reload the scenario: %s", cx_status_str(st));
        cx_diags_destroy(d);
        unlink(cand);
        return -1;
    }
    cx_diags_destroy(d);
    if (strcmp(cx_scenario_hash(sc), e->hash) != 0) {
        char now_hash[17];
        snprintf(now_hash, sizeof now_hash, "%s", cx_scenario_hash(sc));
        cx_scenario_destroy(sc);
        unlink(cand);
        return fail(e,
                    "the scenario files in '%s' changed since the exercise began (hash %s, "
                    "was %s): decision not applied",
                    e->dir, now_hash, e->hash);
    }
    *out = sc;
    return 0;
}

/* Reloads the scenario with the decisions (+ candidate row); on success replaces the simulation
 * with one rebuilt from T0 to the current time. Errors change nothing. rewind: the current time
 * went back (a branch), so timeline.csv is replaced rather than appended to. */
static int apply_decisions(ex *e, const char *row, const char *id, int rewind) {
    char path[PATH_BUF + 32], cand[PATH_BUF + 40];
    snprintf(path, sizeof path, "%s/decisions.csv", e->out);
    snprintf(cand, sizeof cand, "%s/decisions-candidate.csv", e->out);
    cx_scenario *sc = NULL;
    int rc;
    if (load_decisions(e, 1, row, "decide", &sc) != 0) return -1;
    if (rename(cand, path) != 0) {
        cx_scenario_destroy(sc);
        unlink(cand);
        return fail(e, "cannot write '%s': %s", path, strerror(errno));
    }
    if (row) {
        if (e->ndrows == e->capdrows) {
            size_t cap = e->capdrows ? 2 * e->capdrows : 16;
            char **p = realloc(e->drows, cap * sizeof *p);
            if (!p) return fail(e, "out of memory");
            e->drows = p;
            e->capdrows = cap;
        }
        e->drows[e->ndrows++] = strdup(row);
    }
    /* the old simulation goes; the new one is rebuilt silently up to now */
    cx_sim_destroy(e->sim);
    e->sim = NULL;
    cx_scenario_destroy(e->sc);
    e->sc = sc;
    e->rebuilding = 1;
    e->watch_id = id;
    cx_time upto = e->done;
    int ended = e->ended;
    e->ended = 0;
    rc = sim_start(e);
    if (rc == 0 && upto >= 0) rc = sim_run_to(e, upto);
    if (ended && !e->ended && rc == 0) rc = sim_run_to(e, cx_scenario_horizon(e->sc));
    e->rebuilding = 0;
    if (rc == 0 && tl_settle(e, rewind) != 0) {
        fprintf(stderr, "crisim exercise: cannot write '%s/timeline.csv': %s\n", e->out,
                strerror(errno));
        rc = -1;
    }
    e->watch_id = NULL;
    return rc == 0 ? 0 : -2;
}

/* "; did you mean 'x'?" for the closest of the n names name_of(0..n-1) to word, or "". */
static void did_you_mean(const char *word, const char *(*name_of)(int), int n, char *hint, size_t hn) {
    const char *names[64];
    if (n > 64) n = 64;
    for (int i = 0; i < n; i++) names[i] = name_of(i);
    const char *s = cxi_suggest(word, names, (size_t)n);
    if (s) snprintf(hint, hn, "; did you mean '%s'?", s);
    else if (hn) hint[0] = '\0';
}

/* Builds the decisions.csv row of a `decide` command (id X<n+1>, at the current time) into row;
 * returns the decision kind, or -1 after an error message. */
static int decision_row(ex *e, char *args, const char *forced_kind, char *row, size_t rown,
                        char *id, size_t idn) {
    char *w[64];
    int n = split_words(args, w, 64);
    const char *kind = forced_kind;
    int first = 0;
    if (!kind) {
        if (n == 0)
            return fail(e, "decide: missing the decision kind (e.g. 'decide ipcr_escalate "
                           "by=Presidency'; 'help decide' lists them)");
        kind = w[0];
        first = 1;
    }
    int k = cxi_decision_kind_parse(kind);
    if (k < 0) {
        char hint[96];
        did_you_mean(kind, cxi_decision_kind_name, CXI_DK_COUNT, hint, sizeof hint);
        return fail(e,
                    "decide: unknown decision kind '%s' (expected one of ipcr_escalate, "
                    "ipcr_deescalate, ipcr_set, art222, ucpm_request, accept_offer, "
                    "decline_offer, preposition, repair_priority, deploy_hybrid_team, "
                    "public_communication, notify, note%s)",
                    kind, hint);
    }
    const char *val[7] = {"", "", "", "", "", "", "facilitator"};
    char free_text[1024] = "";
    for (int i = first; i < n; i++) {
        char *eq = strchr(w[i], '=');
        int key = -1;
        if (eq) {
            *eq = '\0';
            for (int j = 0; decision_keys[j]; j++)
                if (!strcasecmp(w[i], decision_keys[j])) key = j;
            if (key < 0) {
                *eq = '=';
                eq = NULL;
            }
        }
        if (key >= 0) {
            val[key] = eq + 1;
            continue;
        }
        /* the first bare word after the kind is the region when it looks like a code (the loader
         * then names an unknown one); notes keep every word as text */
        if (k != CXI_DK_NOTE && i == first && !val[0][0] &&
            (cxi_scenario_region_index(e->sc, w[i]) >= 0 || looks_like_code(w[i]))) {
            val[0] = w[i];
            continue;
        }
        size_t l = strlen(free_text);
        snprintf(free_text + l, sizeof free_text - l, "%s%s", l ? " " : "", w[i]);
    }
    if (!val[5][0]) val[5] = free_text;
    if (k == CXI_DK_NOTE && !val[5][0]) return fail(e, "note: missing the text (note TEXT)");
    if (k == CXI_DK_NOTIFY) {
        const char *clk = val[3][0] ? val[3] : val[1];
        if (cxi_clock_parse(clk) < 0) {
            char hint[96];
            did_you_mean(clk, cxi_clock_name, CX_CLOCK_COUNT, hint, sizeof hint);
            return fail(e,
                        "decide notify: %s notification clock '%s' (expected value= one of "
                        "nis2_early_warning, nis2_notification, nis2_final_report, "
                        "cer_first_notice%s)",
                        clk[0] ? "unknown" : "missing the", clk, hint);
        }
    }
    char t[40];
    snprintf(id, idn, "X%zu", e->ndrows + 1);
    snprintf(t, sizeof t, "%" PRId64 "s", (int64_t)now_of(e));
    size_t o = 0;
    row[0] = '\0';
    csv_field(row, rown, &o, id, 0);
    csv_field(row, rown, &o, t, 0);
    csv_field(row, rown, &o, cxi_decision_kind_name(k), 0);
    for (int j = 0; j < 7; j++) csv_field(row, rown, &o, val[j], j == 6);
    return k;
}

static int cmd_decide(ex *e, char *args, const char *forced_kind) {
    char id[32], row[4096];
    int k = decision_row(e, args, forced_kind, row, sizeof row, id, sizeof id);
    if (k < 0) return -1;
    int rc = apply_decisions(e, row, id, 0);
    if (rc == 0) {
        char when[80];
        stamp(e, now_of(e), when, sizeof when);
        say(e, "%s %s recorded at %s%s\n", k == CXI_DK_NOTE ? "note" : "decision", id, when,
            e->done < 0 ? " (takes effect when play starts)" : "");
    }
    return rc;
}

/* ---- what-if: Monte Carlo continuations ---------------------------------------------------- */

typedef struct {
    double *v; /* n x ncols, row = replicate - 1 */
    size_t ncols;
} wi_sink;

static int wi_take(void *ud, uint64_t replicate, const double *values, size_t ncols) {
    wi_sink *s = ud;
    if (replicate == 0 || ncols != s->ncols) return 1;
    memcpy(s->v + (replicate - 1) * ncols, values, ncols * sizeof *values);
    return 0;
}

/* Runs continuations 1..n of sc to the horizon on 2 threads: each is the live run (replicate 0)
 * up to now, forked onto its own random streams; *out: n x cols->n values (malloc'd). */
static int wi_run(ex *e, const cx_scenario *sc, const cxi_batch_cols *cols, uint64_t n,
                  double **out) {
    wi_sink s = {calloc(n * cols->n + 1, sizeof(double)), cols->n};
    if (!s.v) return fail(e, "out of memory");
    cxi_batch_config cfg = cxi_batch_config_default();
    cfg.sc = sc;
    cfg.cols = cols;
    cfg.seed = e->seed;
    cfg.n = n + 1;
    cfg.first = 1; /* replicate 0 is the live run */
    cfg.threads = 2;
    cfg.fork_at = now_of(e);
    cfg.fork_replicate = 0;
    cfg.sink = wi_take;
    cfg.ud = &s;
    cxi_batch_outcome oc;
    cx_status st = cxi_batch_run(&cfg, &oc);
    if (st != CX_OK) {
        free(s.v);
        return fail(e, "what-if: the continuations failed: %s%s%s", cx_status_str(st),
                    oc.errmsg[0] ? ": " : "", oc.errmsg);
    }
    *out = s.v;
    return 0;
}

static void wi_summary(const double *v, uint64_t n, size_t ncols, size_t c, double *tmp,
                       cxi_stats_summary *s) {
    for (uint64_t i = 0; i < n; i++) tmp[i] = v[i * ncols + c];
    cxi_stats_summarize(tmp, (size_t)n, s);
}

static void wi_cell(char *buf, size_t n, const cxi_stats_summary *s) {
    if (s->n == 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.4g [%.4g, %.4g]", s->p50, s->p5, s->p95);
}

static int cmd_whatif(ex *e, char *args) {
    if (e->replaying) return 0; /* changes nothing: not recomputed when a journal is replayed */
    char *rest = args + strcspn(args, " ");
    if (*rest) *rest++ = '\0';
    rest += strspn(rest, " ");
    uint64_t n;
    if (!args[0])
        return fail(e, "what-if: missing the number of continuations (e.g. 'what-if 20')");
    if (mc_parse_u64(args, &n) != 0 || n < 1 || n > 10000)
        return fail(e, "what-if '%s': expected a number of continuations in 1..10000", args);
    char id[32], row[4096];
    cx_scenario *with = NULL;
    int kind = -1;
    if (rest[0]) {
        if (strncasecmp(rest, "decide", 6) != 0 || (rest[6] && rest[6] != ' '))
            return fail(e, "what-if: expected 'decide KIND ...' after the count, not '%s'", rest);
        char *dargs = rest + 6 + strspn(rest + 6, " ");
        kind = decision_row(e, dargs, NULL, row, sizeof row, id, sizeof id);
        if (kind < 0) return -1;
        if (load_decisions(e, 1, row, "what-if decide", &with) != 0) return -1;
        char cand[PATH_BUF + 40];
        snprintf(cand, sizeof cand, "%s/decisions-candidate.csv", e->out);
        unlink(cand);
    }
    cxi_batch_cols cols = {0, NULL};
    char err[512];
    if (cxi_batch_columns(e->sc, e->seed, &cols, err, sizeof err) != CX_OK) {
        cx_scenario_destroy(with);
        return fail(e, "what-if: %s", err);
    }
    double *a = NULL, *b = NULL, *tmp = calloc(n, sizeof *tmp);
    int rc = tmp ? wi_run(e, e->sc, &cols, n, &a) : fail(e, "out of memory");
    if (rc == 0 && with) rc = wi_run(e, with, &cols, n, &b);
    if (rc == 0) {
        char w[80], hz[32];
        stamp(e, now_of(e), w, sizeof w);
        cxi_sitrep_offset(cx_scenario_horizon(e->sc), hz, sizeof hz);
        say(e,
            "what-if: %" PRIu64 " continuations from %s to the horizon %s (seed %" PRIu64
            ", continuations 1..%" PRIu64 ", the decisions so far%s)\n",
            n, w, hz, e->seed, n, with ? " + the proposed one" : "");
        say(e, "  median [p5, p95]; each continuation starts from the live state now and draws "
               "its own chance events after it\n");
        if (with)
            say(e, "  %-34s %-32s %-32s %s\n", "metric", "without", "with the decision",
                "diff of medians");
        else
            say(e, "  %-34s %s\n", "metric", "outcome");
        for (size_t c = 0; c < cols.n; c++) {
            if (strchr(cols.names[c], '[')) continue; /* key metrics: the totals */
            cxi_stats_summary sa, sb;
            char ca[80], cb[80];
            wi_summary(a, n, cols.n, c, tmp, &sa);
            wi_cell(ca, sizeof ca, &sa);
            if (!with) {
                say(e, "  %-34s %s\n", cols.names[c], ca);
                continue;
            }
            wi_summary(b, n, cols.n, c, tmp, &sb);
            wi_cell(cb, sizeof cb, &sb);
            say(e, "  %-34s %-32s %-32s %+.4g\n", cols.names[c], ca, cb, sb.p50 - sa.p50);
        }
        say(e, "the live exercise is unchanged\n");
    }
    free(a);
    free(b);
    free(tmp);
    cxi_batch_cols_free(&cols);
    cx_scenario_destroy(with);
    return rc;
}

/* ---- branches ---------------------------------------------------------------------------------- */

static void snap_free(ex_snap *s) {
    for (size_t i = 0; i < s->nrows; i++) free(s->rows[i]);
    free(s->rows);
    s->rows = NULL;
    s->nrows = 0;
}

static int cmd_branch(ex *e, const char *name) {
    char def[32];
    if (!name[0]) {
        snprintf(def, sizeof def, "b%zu", e->nsnaps + 1);
        name = def;
    }
    if (strlen(name) >= sizeof e->snaps[0].name || strchr(name, ' '))
        return fail(e, "branch '%s': expected a name of at most 63 characters without spaces",
                    name);
    ex_snap *s = NULL;
    for (size_t i = 0; i < e->nsnaps; i++)
        if (!strcmp(e->snaps[i].name, name)) s = &e->snaps[i];
    if (!s) {
        if (e->nsnaps == sizeof e->snaps / sizeof e->snaps[0])
            return fail(e, "branch: at most %zu branches", sizeof e->snaps / sizeof e->snaps[0]);
        s = &e->snaps[e->nsnaps++];
        memset(s, 0, sizeof *s);
        snprintf(s->name, sizeof s->name, "%s", name);
    }
    snap_free(s);
    s->rows = calloc(e->ndrows + 1, sizeof *s->rows);
    if (!s->rows) return fail(e, "out of memory");
    for (size_t i = 0; i < e->ndrows; i++) {
        s->rows[i] = strdup(e->drows[i]);
        if (!s->rows[i]) return fail(e, "out of memory");
        s->nrows++;
    }
    s->done = e->done;
    s->move = e->move;
    char w[80];
    stamp(e, now_of(e), w, sizeof w);
    say(e, "branch %s kept at %s, move %d, %zu decisions and notes ('back %s' returns here)\n",
        s->name, w, s->move, s->nrows, s->name);
    return 0;
}

static int cmd_back(ex *e, const char *name) {
    if (!e->nsnaps) return fail(e, "back: no branch kept yet ('branch [NAME]' keeps one)");
    const ex_snap *s = name[0] ? NULL : &e->snaps[e->nsnaps - 1];
    for (size_t i = 0; i < e->nsnaps && !s; i++)
        if (!strcmp(e->snaps[i].name, name)) s = &e->snaps[i];
    if (!s) return fail(e, "back: unknown branch '%s' ('branches' lists them)", name);
    char **rows = calloc(s->nrows + 1, sizeof *rows);
    if (!rows) return fail(e, "out of memory");
    for (size_t i = 0; i < s->nrows; i++)
        if (!(rows[i] = strdup(s->rows[i]))) {
            for (size_t k = 0; k < i; k++) free(rows[k]);
            free(rows);
            return fail(e, "out of memory");
        }
    for (size_t i = 0; i < e->ndrows; i++) free(e->drows[i]);
    free(e->drows);
    e->drows = rows;
    e->ndrows = s->nrows;
    e->capdrows = s->nrows + 1;
    e->done = s->done;
    e->move = s->move;
    e->ended = 0;
    int rc = apply_decisions(e, NULL, NULL, 1);
    if (rc != 0) return -2;
    char w[80];
    stamp(e, now_of(e), w, sizeof w);
    say(e,
        "back to branch %s: now %s, move %d, %zu decisions and notes (timeline and "
        "decisions.csv rewritten)\n",
        s->name, w, e->move, e->ndrows);
    return 0;
}

static void cmd_branches(ex *e) {
    if (!e->nsnaps) say(e, "no branch kept ('branch [NAME]' keeps one)\n");
    for (size_t i = 0; i < e->nsnaps; i++) {
        char w[80];
        stamp(e, e->snaps[i].done < 0 ? 0 : e->snaps[i].done, w, sizeof w);
        say(e, "  %-16s %s  move %d  %zu decisions and notes\n", e->snaps[i].name, w,
            e->snaps[i].move, e->snaps[i].nrows);
    }
}

/* ---- after-action report ------------------------------------------------------------------- */

/* Words of expected_action texts that a decision kind answers (lower case, matched as substrings). */
static const char *const kind_words[CXI_DK_COUNT][6] = {
    [CXI_DK_IPCR_ESCALATE] = {"escalat", NULL},
    [CXI_DK_IPCR_DEESCALATE] = {"de-escalat", "deescalat", NULL},
    [CXI_DK_IPCR_SET] = {"ipcr", "activation", NULL},
    [CXI_DK_ART222] = {"222", "solidarity clause", NULL},
    [CXI_DK_UCPM_REQUEST] = {"ucpm", "request assistance", "assistance", NULL},
    [CXI_DK_ACCEPT_OFFER] = {"accept", NULL},
    [CXI_DK_DECLINE_OFFER] = {"decline", NULL},
    [CXI_DK_PREPOSITION] = {"preposition", "pre-position", NULL},
    [CXI_DK_REPAIR_PRIORITY] = {"repair", "priorit", "fallback", NULL},
    [CXI_DK_DEPLOY_HYBRID_TEAM] = {"hybrid rapid response", "hrrt", "hybrid team", NULL},
    [CXI_DK_PUBLIC_COMMUNICATION] = {"public communication", "public statement", "communicat",
                                     "debunk", "pre-bunk", NULL},
    [CXI_DK_NOTIFY] = {"nis2", "notif", "early warning", "reporting", NULL},
    [CXI_DK_NOTE] = {NULL},
};

static int kind_answers(int kind, const char *expected) {
    if (kind < 0 || kind >= CXI_DK_COUNT) return 0;
    char low[1024];
    size_t i = 0;
    for (; expected[i] && i + 1 < sizeof low; i++)
        low[i] = (char)(expected[i] >= 'A' && expected[i] <= 'Z' ? expected[i] + 32 : expected[i]);
    low[i] = '\0';
    for (int w = 0; kind_words[kind][w]; w++)
        if (strstr(low, kind_words[kind][w])) return 1;
    return 0;
}

/* A Markdown table cell: '|' and newlines would break the row. */
static void md_cell(FILE *f, const char *s) {
    for (; s && *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else
            fputc(*s == '\n' ? ' ' : *s, f);
    }
}

/* Metrics totals (no sector or region) of sim, copied into vals (n entries). */
static int totals_of(cx_sim *sim, double *vals, size_t cap, size_t *n) {
    const cx_metric *m = NULL;
    size_t k = 0;
    if (cx_sim_metrics(sim, &m, n) != CX_OK) return -1;
    for (size_t i = 0; i < *n && i < cap; i++) vals[k++] = m[i].value;
    *n = k;
    return 0;
}

/* The frame of each move that started: the instant before the next move opens (now for the
 * current one). Returns the number of frames written, or -1 (note in msg). */
static int report_frames(ex *e, FILE *f, char *msg, size_t msgn) {
#if defined(CRISIM_HAVE_VIEWER)
    char tl[PATH_BUF + 32], dir[PATH_BUF + 32];
    snprintf(tl, sizeof tl, "%s/timeline.csv", e->out);
    snprintf(dir, sizeof dir, "%s/report", e->out);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(msg, msgn, "cannot create the report folder: %s", strerror(errno));
        return -1;
    }
    cx_diags *d = NULL;
    cxv_view *v = NULL;
    if (cx_diags_create(&d) != CX_OK) return -1;
    cxv_view_opts vo = {tl, e->dir, NULL, 0};
    cx_status st = cxv_view_open(&vo, &v, d);
    cx_diags_destroy(d);
    if (st != CX_OK) {
        snprintf(msg, msgn, "the viewer cannot open the timeline: %s", cx_status_str(st));
        return -1;
    }
    int first = e->sc->ninjects ? e->sc->injects[0].move : 0, made = 0;
    for (int m = first; m <= e->move; m++) {
        cx_time t = now_of(e);
        for (uint32_t i = 0; i < e->sc->ninjects; i++) {
            const cx_inject *j = &e->sc->injects[i];
            if (!j->cond && j->move > m && inject_time(j) - 1 < t && inject_time(j) > 0)
                t = inject_time(j) - 1;
        }
        char png[PATH_BUF + 64], err[256];
        snprintf(png, sizeof png, "%s/move-%d.png", dir, m);
        if (cxv_render_png(v, NULL, 960, 540, t, png, err, sizeof err) != CX_OK) {
            snprintf(msg, msgn, "frame of move %d: %s", m, err);
            cxv_view_close(v);
            return made ? made : -1;
        }
        char off[32];
        cxi_sitrep_offset(t, off, sizeof off);
        fprintf(f, "### Move %d (%s)\n\n![move %d](report/move-%d.png)\n\n", m, off, m, m);
        made++;
    }
    cxv_view_close(v);
    return made;
#else
    (void)e;
    (void)f;
    snprintf(msg, msgn, "crisim was built without the viewer (SDL2): no frames");
    return -1;
#endif
}

static int write_report(ex *e) {
    char path[PATH_BUF + 32], w[80];
    snprintf(path, sizeof path, "%s/report.md", e->out);
    if (tl_push(e) != 0) return fail(e, "report: cannot write the timeline");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return fail(e, "out of memory");
    const cx_scenario *sc = e->sc;
    stamp(e, now_of(e), w, sizeof w);
    fprintf(f,
            "# After-action report: %s\n\n**%s**  \nSeed %" PRIu64
            "; played up to **%s**, move %d%s.\n\n",
            cx_scenario_name(sc), cx_scenario_title(sc), e->seed, w, e->move,
            e->ended ? " (end of the scenario)" : "");

    /* timeline: fired injects and decisions, in time order */
    fprintf(f, "## Timeline of injects and decisions\n\n| time | move | what | id | details "
               "|\n|---|---:|---|---|---|\n");
    uint32_t ii = 0, di = 0;
    for (;;) {
        while (ii < sc->ninjects && !e->fired[ii]) ii++;
        cx_time ti = ii < sc->ninjects ? e->fired_at[ii] : CX_TIME_NEVER;
        cx_time td = di < sc->ndecisions ? sc->decisions[di].t : CX_TIME_NEVER;
        if (ti == CX_TIME_NEVER && td == CX_TIME_NEVER) break;
        char off[32];
        if (ti <= td) {
            const cx_inject *j = &sc->injects[ii++];
            cxi_sitrep_offset(ti, off, sizeof off);
            fprintf(f, "| %s | %d | inject (%s) | %s | ", off, j->move,
                    cxi_inject_kind_name(j->kind), j->id);
            md_cell(f, j->message && j->message[0] ? j->message : "");
            fprintf(f, " |\n");
        } else {
            const cxi_decision *d = &sc->decisions[di++];
            cxi_sitrep_offset(td, off, sizeof off);
            fprintf(f, "| %s | | decision %s | %s | ", off, cxi_decision_kind_name(d->kind), d->id);
            md_cell(f, d->region >= 0 ? sc->regions[d->region].code : "");
            fprintf(f, "%s", d->region >= 0 ? " " : "");
            md_cell(f, d->value);
            fprintf(f, "%s", d->value[0] ? " " : "");
            md_cell(f, d->text);
            fprintf(f, " (by ");
            md_cell(f, d->by);
            fprintf(f, ") |\n");
        }
    }

    /* expected actions */
    fprintf(f, "\n## Expected actions of the MSEL\n\nRule: an expected action is observed when a "
               "decision taken at or after its inject has a kind whose keywords appear in the "
               "expected_action text (e.g. notify: nis2, notif, early warning; "
               "public_communication: communicat, public statement, debunk). Delay = decision "
               "time - inject time.\n\n| inject | fired | expected action | observed | decision | "
               "delay |\n|---|---|---|---|---|---|\n");
    for (uint32_t i = 0; i < sc->ninjects; i++) {
        const cx_inject *j = &sc->injects[i];
        if (!j->expected_action || !j->expected_action[0]) continue;
        char off[32] = "not fired", delay[40] = "";
        const cxi_decision *hit = NULL;
        if (e->fired[i]) {
            cxi_sitrep_offset(e->fired_at[i], off, sizeof off);
            for (uint32_t k = 0; k < sc->ndecisions && !hit; k++)
                if (sc->decisions[k].t >= e->fired_at[i] &&
                    kind_answers(sc->decisions[k].kind, j->expected_action))
                    hit = &sc->decisions[k];
            if (hit) cxi_duration_format(hit->t - e->fired_at[i], delay, sizeof delay);
        }
        fprintf(f, "| %s | %s | ", j->id, off);
        md_cell(f, j->expected_action);
        fprintf(f, " | %s | %s%s%s | %s |\n", hit ? "yes" : "not observed", hit ? hit->id : "",
                hit ? " " : "", hit ? cxi_decision_kind_name(hit->kind) : "", delay);
    }

    /* deadlines */
    fprintf(f, "\n## Notification deadlines\n\n");
    const cxi_hyb *H = e->sim->hyb;
    if (!H || !H->nclocks)
        fprintf(f, "No notification clock was started.\n");
    else {
        uint32_t met = 0, missed = 0;
        fprintf(f, "| clock | started | deadline | state |\n|---|---|---|---|\n");
        for (uint32_t c = 0; c < H->nclocks; c++) {
            const cxi_clock *K = &H->clocks[c];
            char a[32], b[32];
            cxi_sitrep_offset(K->start, a, sizeof a);
            cxi_sitrep_offset(K->due, b, sizeof b);
            const char *stt = K->state == CXI_CLOCK_MET                            ? "met"
                              : K->state == CXI_CLOCK_MISSED || K->due < now_of(e) ? "**missed**"
                                                                                   : "running";
            met += K->state == CXI_CLOCK_MET;
            missed += stt[0] == '*';
            fprintf(f, "| %s | %s | %s | %s |\n", K->name, a, b, stt);
        }
        fprintf(f, "\n%" PRIu32 " met, %" PRIu32 " missed of %" PRIu32 ".\n", met, missed,
                H->nclocks);
    }

    /* metrics against the baseline */
    fprintf(f,
            "\n## Key metrics against the no-decision baseline\n\nSame seed, same time (%s), the "
            "scenario without the players' decisions.\n\n",
            w);
    cx_scenario *base = NULL;
    cx_sim *bs = NULL;
    int ok = load_decisions(e, 0, NULL, "report", &base) == 0;
    if (ok) {
        char cand[PATH_BUF + 40];
        snprintf(cand, sizeof cand, "%s/decisions-candidate.csv", e->out);
        unlink(cand);
        cx_sim_config cfg = cx_sim_config_default();
        cfg.seed = e->seed;
        ok = cx_sim_create(base, &cfg, &bs) == CX_OK &&
             (e->ended      ? cx_sim_run(bs)
              : e->done > 0 ? cx_sim_run_until(bs, e->done)
                            : CX_OK) == CX_OK;
    }
    const cx_metric *lm = NULL;
    size_t nl = 0, nb = 0;
    double *bv = NULL;
    if (ok && cx_sim_metrics(bs, &lm, &nb) == CX_OK && (bv = calloc(nb + 1, sizeof *bv))) {
        ok = totals_of(bs, bv, nb, &nb) == 0;
    } else
        ok = 0;
    if (ok && cx_sim_metrics(e->sim, &lm, &nl) == CX_OK && nl == nb) {
        fprintf(f,
                "| metric | unit | played | baseline | difference |\n|---|---|---:|---:|---:|\n");
        for (size_t i = 0; i < nl; i++) {
            if (lm[i].sector[0] || lm[i].region[0]) continue;
            fprintf(f, "| %s | %s | %.4g | %.4g | %+.4g |\n", lm[i].name, lm[i].unit, lm[i].value,
                    bv[i], lm[i].value - bv[i]);
        }
    } else
        fprintf(f, "The baseline could not be computed.\n");
    free(bv);
    cx_sim_destroy(bs);
    cx_scenario_destroy(base);

    fprintf(f, "\n## Map per move\n\n");
    char msg[300] = "";
    if (report_frames(e, f, msg, sizeof msg) < 0) fprintf(f, "No frames: %s.\n", msg);
    fclose(f);
    int rc = write_atomic(path, buf, len);
    free(buf);
    if (rc != 0) return fail(e, "cannot write '%s': %s", path, strerror(errno));
    say(e, "report: %s\n", path);
    return 0;
}

/* ---- the other commands -------------------------------------------------------------------- */

static void cmd_injects(ex *e) {
    const cx_scenario *sc = e->sc;
    for (uint32_t i = 0; i < sc->ninjects; i++) {
        const cx_inject *j = &sc->injects[i];
        char off[32], msg[72];
        cxi_sitrep_offset(e->fired[i] ? e->fired_at[i] : inject_time(j), off, sizeof off);
        cxi_diag_quote(msg, sizeof msg, j->message && j->message[0] ? j->message : "");
        say(e, "  %-7s %-10s move %-2d %-14s %-16s %s%s%s\n", e->fired[i] ? "fired" : "pending",
            j->cond && !e->fired[i] ? "(trigger)" : off, j->move, j->id,
            cxi_inject_kind_name(j->kind), msg,
            j->cond ? "  if " : "", j->cond ? j->trigger : "");
    }
}

static void cmd_status(ex *e) {
    const cx_scenario *sc = e->sc;
    char w[80], hz[32];
    stamp(e, now_of(e), w, sizeof w);
    cxi_sitrep_offset(cx_scenario_horizon(sc), hz, sizeof hz);
    int maxmove = 0;
    uint32_t fired = 0, out = 0;
    for (uint32_t i = 0; i < sc->ninjects; i++) {
        if (sc->injects[i].move > maxmove) maxmove = sc->injects[i].move;
        fired += e->fired[i];
    }
    for (uint32_t a = 0; a < sc->nassets; a++) out += e->sim->as[a].q > 0;
    say(e, "exercise %s (seed %" PRIu64 "): %s%s, move %d of %d, horizon %s\n",
        cx_scenario_name(sc), e->seed, w, e->done < 0 ? " (not started)" : "", e->move, maxmove,
        hz);
    int b;
    int32_t which;
    cx_time s = next_stop(e, e->done, &b, &which);
    if (s != CX_TIME_NEVER && which >= 0) {
        stamp(e, s, w, sizeof w);
        say(e, "  next stop: %s (inject %s%s)\n", w, sc->injects[which].id, b ? ", new move" : "");
    } else {
        say(e, "  next stop: none before the horizon\n");
    }
    say(e,
        "  injects fired %" PRIu32 " of %" PRIu32 "; decisions and notes %zu; assets out %" PRIu32
        "\n",
        fired, sc->ninjects, e->ndrows, out);
    if (e->sim->resp) say(e, "  IPCR mode %s\n", cxi_ipcr_mode_name(e->sim->resp->mode));
    say(e, "  output: %s\n", e->out);
}

typedef struct {
    const char *name, *args, *help;
} help_entry;

static const help_entry helps[] = {
    {"next", "", "advance to the next inject for players (contingency ones when they fire) or the\n"
                 "           next move, whichever first"},
    {"advance", "DURATION", "advance by a duration (30m, 6h, 1d6h); pauses at injects for players"},
    {"turn", "", "advance by the scenario's turn length (scenario.csv 'turn')"},
    {"goto", "TIME", "advance to a time: ISO (2024-06-06T08:00Z) or offset (T+30:00, T+30h)"},
    {"injects", "", "list the injects: fired or pending, time, move, kind, message"},
    {"sitrep", "", "print the situation report and write it to <out>/handouts/"},
    {"decide", "KIND [REGION] [key=value ...] [TEXT]",
     "record a player decision now; keys: region target sector value needs text by.\n"
     "           kinds: ipcr_escalate ipcr_deescalate ipcr_set (value=MODE) art222 ucpm_request\n"
     "           (needs=\"usar=10;medical=4\") accept_offer/decline_offer (target=UNIT|CAPACITY|"
     "REQUEST)\n"
     "           preposition (target=CAPACITY) repair_priority (target=ASSET value=0.5)\n"
     "           deploy_hybrid_team public_communication notify (value=nis2_early_warning) note"},
    {"note", "TEXT", "record a facilitator note in the timeline (a 'note' decision)"},
    {"status", "", "time, move, next stop, counts, output folder"},
    {"what-if", "N [decide KIND ...]",
     "N Monte Carlo continuations from the current state to the horizon: median and\n"
     "           p5-p95 of the key metrics; with 'decide ...': without / with the decision side "
     "by\n"
     "           side and the difference of medians. The live exercise is not changed"},
    {"branch", "[NAME]",
     "keep the current state (time, decisions, move) under NAME (default b<n>)"},
    {"back", "[NAME]", "return to a kept branch (default: the last one); rewrites the timeline"},
    {"branches", "", "list the kept branches"},
    {"report", "", "write the after-action report <out>/report.md (also at quit and the horizon)"},
    {"help", "[CMD]", "this list, or one command"},
    {"quit", "", "save and leave (resume later with --resume <out>/journal.txt)"},
};

static int cmd_help(ex *e, const char *arg) {
    size_t n = sizeof helps / sizeof helps[0];
    for (size_t i = 0; i < n; i++) {
        if (arg[0] && strcasecmp(arg, helps[i].name) != 0) continue;
        say(e, "  %-8s %-10s %s\n", helps[i].name, helps[i].args, helps[i].help);
        if (arg[0]) return 0;
    }
    if (arg[0]) return fail(e, "help: unknown command '%s' (type 'help' for the list)", arg);
    return 0;
}

/* Executes one command line; 1 = quit, 0 = done, -1 = command error (nothing changed), -2 = the
 * exercise cannot continue. */
static int execute(ex *e, char *line) {
    char *p = line + strspn(line, " ");
    if (!*p || *p == '#') return 0;
    char *args = p + strcspn(p, " ");
    if (*args) *args++ = '\0';
    args += strspn(args, " ");
    size_t l = strlen(args);
    while (l && args[l - 1] == ' ') args[--l] = '\0';
    const char *c = p;
    int rc = 0;
    if (!strcasecmp(c, "quit") || !strcasecmp(c, "exit")) return 1;
    if (!strcasecmp(c, "help") || !strcmp(c, "?")) return cmd_help(e, args);
    if (!strcasecmp(c, "status")) {
        cmd_status(e);
        return 0;
    }
    if (!strcasecmp(c, "injects")) {
        cmd_injects(e);
        return 0;
    }
    if (!strcasecmp(c, "sitrep")) return handout(e, NULL, 1, now_of(e));
    if (!strcasecmp(c, "note")) return cmd_decide(e, args, "note");
    if (!strcasecmp(c, "what-if") || !strcasecmp(c, "whatif")) return cmd_whatif(e, args);
    if (!strcasecmp(c, "branch")) return cmd_branch(e, args);
    if (!strcasecmp(c, "back")) return cmd_back(e, args);
    if (!strcasecmp(c, "branches")) {
        cmd_branches(e);
        return 0;
    }
    if (!strcasecmp(c, "report")) return write_report(e);
    if (!strcasecmp(c, "decide")) return cmd_decide(e, args, NULL);
    if (!strcasecmp(c, "next")) {
        if (*args) return fail(e, "next: takes no argument (did you mean 'advance %s'?)", args);
        return advance_to(e, cx_scenario_horizon(e->sc), "next");
    }
    if (!strcasecmp(c, "turn")) {
        if (*args) return fail(e, "turn: takes no argument (did you mean 'advance %s'?)", args);
        return advance_to(e, now_of(e) + e->sc->params.turn, "turn");
    }
    if (!strcasecmp(c, "advance")) {
        int64_t d;
        cxi_parse_err err;
        if (!*args) return fail(e, "advance: missing the duration (e.g. 'advance 6h')");
        if (cxi_duration_parse(args, &d, &err) != 0)
            return fail(e, "advance '%s': %s", args, err.msg);
        if (d <= 0) return fail(e, "advance '%s': expected a duration > 0 (e.g. 30m, 6h)", args);
        return advance_to(e, now_of(e) + d, "advance");
    }
    if (!strcasecmp(c, "goto")) {
        cx_time t;
        char msg[300];
        if (!*args) return fail(e, "goto: missing the time (e.g. 'goto T+30:00')");
        if (parse_time(e, args, &t, msg, sizeof msg) != 0)
            return fail(e, "goto '%s': %s", args, msg);
        if (t > cx_scenario_horizon(e->sc)) {
            char hz[32];
            cxi_sitrep_offset(cx_scenario_horizon(e->sc), hz, sizeof hz);
            return fail(e, "goto '%s': after the scenario horizon %s", args, hz);
        }
        return advance_to(e, t, "goto time");
    }
    const char *names[sizeof helps / sizeof helps[0]];
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++) names[i] = helps[i].name;
    const char *s = cxi_suggest(c, names, sizeof helps / sizeof helps[0]);
    if (s) return fail(e, "unknown command '%s' (did you mean '%s'? 'help' lists them)", c, s);
    rc = fail(e, "unknown command '%s' ('help' lists the commands)", c);
    return rc;
}

/* ---- journal ------------------------------------------------------------------------------- */

static int journal_append(ex *e, const char *line) {
    if (fprintf(e->jf, "%" PRId64 "\t%s\n", (int64_t)e->done, line) < 0 || fflush(e->jf) != 0 ||
        fsync(fileno(e->jf)) != 0) {
        fprintf(stderr, "crisim exercise: cannot write the journal: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

typedef struct {
    uint64_t seed;
    int have_seed;
    char hash[17];
    char **lines;
    int64_t *times;
    size_t n;
} journal;

static void journal_free(journal *j) {
    for (size_t i = 0; i < j->n; i++) free(j->lines[i]);
    free(j->lines);
    free(j->times);
}

/* Reads a journal; a last line without '\n' was never acknowledged (killed while writing) and is
 * dropped, and cut from the file when `cut`. */
static int journal_read(const char *path, journal *j, int cut) {
    memset(j, 0, sizeof *j);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "crisim exercise: cannot open '%s': %s\n", path, strerror(errno));
        return 2;
    }
    char *buf = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    long good = 0;
    int rc = 0;
    while ((len = getline(&buf, &cap, f)) > 0) {
        lineno++;
        if (buf[len - 1] != '\n') break;
        buf[len - 1] = '\0';
        good = ftell(f);
        if (lineno == 1) {
            if (strcmp(buf, JOURNAL_MAGIC) != 0) {
                fprintf(stderr, "%s:1:1: not a crisim exercise journal (expected '%s')\n", path,
                        JOURNAL_MAGIC);
                rc = 2;
                break;
            }
            continue;
        }
        if (buf[0] == '#') {
            char v[64] = {0};
            if (sscanf(buf, "# seed %63s", v) == 1 && mc_parse_u64(v, &j->seed) == 0)
                j->have_seed = 1;
            else if (sscanf(buf, "# scenario_hash %16s", v) == 1)
                memcpy(j->hash, v, sizeof j->hash - 1); /* %16s: at most 16 chars + NUL */
            continue;
        }
        char *tab = strchr(buf, '\t');
        char *end = NULL;
        long long t = tab ? strtoll(buf, &end, 10) : 0;
        if (!tab || end != tab) {
            fprintf(stderr, "%s:%zu:1: expected 'TIME<TAB>COMMAND'\n", path, lineno);
            rc = 2;
            break;
        }
        char **nl = realloc(j->lines, (j->n + 1) * sizeof *nl);
        if (nl) j->lines = nl;
        int64_t *nt = realloc(j->times, (j->n + 1) * sizeof *nt);
        if (nt) j->times = nt;
        char *copy = strdup(tab + 1);
        if (!nl || !nt || !copy) {
            free(copy);
            rc = 1;
            break;
        }
        j->lines[j->n] = copy;
        j->times[j->n++] = t;
    }
    free(buf);
    fclose(f);
    if (rc == 0 && lineno == 0) {
        fprintf(stderr, "%s: empty file (not a crisim exercise journal)\n", path);
        rc = 2;
    }
    if (rc == 0 && cut && truncate(path, good) != 0) {
        fprintf(stderr, "crisim exercise: cannot repair '%s': %s\n", path, strerror(errno));
        rc = 1;
    }
    return rc;
}

/* ---- output folder ------------------------------------------------------------------------- */

static int mkdirs(const char *path) {
    char buf[PATH_BUF];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* A fresh output folder: created, or existing and empty. */
static int prepare_out(const char *out) {
    struct stat st;
    char p[PATH_BUF + 32];
    snprintf(p, sizeof p, "%s/journal.txt", out);
    if (stat(p, &st) == 0) {
        fprintf(stderr,
                "crisim exercise: '%s' already holds an exercise journal: resume it with "
                "'--resume %s', or choose another --out\n",
                out, p);
        return 2;
    }
    if (stat(out, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            fprintf(stderr, "crisim exercise: '%s' exists and is not a folder\n", out);
            return 2;
        }
        /* a non-empty folder that is not a crisim output is refused: a typo in --out must not mix
         * an exercise into someone's files (rmdir is the emptiness test: it fails when not empty) */
        snprintf(p, sizeof p, "%s/manifest.csv", out);
        if (stat(p, &st) != 0 && rmdir(out) != 0) {
            fprintf(stderr,
                    "crisim exercise: refusing to use '%s': the folder is not empty and holds no "
                    "crisim output (choose another --out)\n",
                    out);
            return 2;
        }
    }
    if (mkdirs(out) != 0) {
        fprintf(stderr, "crisim exercise: cannot create '%s': %s\n", out, strerror(errno));
        return 1;
    }
    snprintf(p, sizeof p, "%s/handouts", out);
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "crisim exercise: cannot create '%s': %s\n", p, strerror(errno));
        return 1;
    }
    return 0;
}

/* ---- the command ----------------------------------------------------------------------------- */

static void usage(FILE *f) {
    fprintf(
        f,
        "usage: crisim exercise DIR [--out DIR] [--seed S] [--resume JOURNAL] [--script FILE]\n"
        "\n"
        "Runs a live, turn-based tabletop exercise on the scenario in folder DIR. Commands\n"
        "(type 'help' at the prompt): next, advance DURATION, turn, goto TIME, injects, sitrep,\n"
        "decide KIND ..., note TEXT, status, what-if N [decide ...], branch [NAME],\n"
        "back [NAME], branches, report, help [CMD], quit.\n"
        "\n"
        "The output folder (default out/exercise-<scenario>) receives\n"
        "  journal.txt    every command, fsync'ed before it acts (for --resume)\n"
        "  timeline.csv   streamed during play (crisim view --follow can project it)\n"
        "  decisions.csv  the decisions and notes taken so far (replayable with crisim run)\n"
        "  handouts/      situation reports (Markdown) at the end of each move and on 'sitrep'\n"
        "  manifest.csv   version, scenario hash, seed, command line\n"
        "  report.md      after-action report (on 'report', at quit and at the horizon)\n"
        "\n"
        "options:\n"
        "  -o, --out DIR        output folder (created; an existing exercise is never "
        "overwritten)\n"
        "  -s, --seed S         master seed (default: the scenario's)\n"
        "  -r, --resume J       replay journal J silently, then continue (output: J's folder\n"
        "                       unless --out is given)\n"
        "  -f, --script FILE    read the commands from FILE instead of the terminal\n"
        "  -h, --help           this help\n"
        "\n"
        "Line editing, history and Tab completion when stdin is a terminal (libedit builds).\n"
        "Exit status: 0 after quit or end of input, 1 runtime failure, 2 bad input or usage.\n"
        "Guide: docs/facilitator-guide.md\n");
}

static void ex_free(ex *e) {
    cx_sim_destroy(e->sim);
    tl_close(e);
    cx_scenario_destroy(e->sc);
    if (e->jf) fclose(e->jf);
    for (size_t i = 0; i < e->ndrows; i++) free(e->drows[i]);
    free(e->drows);
    free(e->fired);
    free(e->fired_at);
    free(e->just);
    for (size_t i = 0; i < e->nsnaps; i++) snap_free(&e->snaps[i]);
}

/* Completion words: command names, decision kinds and the scenario's ids. */
static const char **completion_words(const cx_scenario *sc) {
    size_t n = sizeof helps / sizeof helps[0] + CXI_DK_COUNT + sc->nregions + sc->nassets +
               sc->ninjects + sc->ncapacities + 1;
    const char **w = calloc(n, sizeof *w);
    if (!w) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++) w[k++] = helps[i].name;
    for (int i = 0; i < CXI_DK_COUNT; i++) w[k++] = cxi_decision_kind_name(i);
    for (uint32_t i = 0; i < sc->nregions; i++) w[k++] = sc->regions[i].code;
    for (uint32_t i = 0; i < sc->nassets; i++) w[k++] = sc->assets[i].id;
    for (uint32_t i = 0; i < sc->ninjects; i++) w[k++] = sc->injects[i].id;
    for (uint32_t i = 0; i < sc->ncapacities; i++) w[k++] = sc->capacities[i].id;
    return w;
}

static void prompt_of(const ex *e, char *buf, size_t n) {
    char w[80];
    stamp(e, now_of(e), w, sizeof w);
    snprintf(buf, n, "[%s move %d] > ", w, e->move);
}

static int play(ex *e, const char *dir, const char *resume, FILE *script) {
    int rc = 0;
    journal j;
    memset(&j, 0, sizeof j);
    char jpath[PATH_BUF + 32];
    snprintf(jpath, sizeof jpath, "%s/journal.txt", e->out);
    int same_journal = 0;
    if (resume) {
        char a[PATH_BUF], b[PATH_BUF];
        same_journal = realpath(resume, a) && realpath(jpath, b) && !strcmp(a, b);
        if ((rc = journal_read(resume, &j, same_journal)) != 0) return rc;
        if (j.hash[0] && strcmp(j.hash, e->hash) != 0) {
            fprintf(stderr,
                    "crisim exercise: '%s' was played on scenario hash %s, but '%s' now has %s "
                    "(the scenario files changed): cannot resume\n",
                    resume, j.hash, dir, e->hash);
            journal_free(&j);
            return 2;
        }
    }
    if (!same_journal && (rc = prepare_out(e->out)) != 0) {
        journal_free(&j);
        return rc;
    }
    char hp[PATH_BUF + 32];
    snprintf(hp, sizeof hp, "%s/handouts", e->out);
    if (mkdir(hp, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "crisim exercise: cannot create '%s': %s\n", hp, strerror(errno));
        journal_free(&j);
        return 1;
    }
    e->jf = fopen(jpath, "ab");
    if (!e->jf) {
        fprintf(stderr, "crisim exercise: cannot create '%s': %s\n", jpath, strerror(errno));
        journal_free(&j);
        return 1;
    }
    if (!same_journal) {
        fprintf(e->jf, "%s\n# scenario_dir %s\n# scenario_hash %s\n# seed %" PRIu64 "\n",
                JOURNAL_MAGIC, dir, e->hash, e->seed);
        for (size_t i = 0; i < j.n; i++)
            fprintf(e->jf, "%" PRId64 "\t%s\n", j.times[i], j.lines[i]);
        if (fflush(e->jf) != 0 || fsync(fileno(e->jf)) != 0) {
            fprintf(stderr, "crisim exercise: cannot write '%s': %s\n", jpath, strerror(errno));
            journal_free(&j);
            return 1;
        }
    }
    /* decisions start empty: DIR/decisions.csv is not part of a live exercise */
    if (apply_decisions(e, NULL, NULL, 1) != 0 || write_manifest(e) != 0) {
        fprintf(stderr, "crisim exercise: cannot set up '%s'\n", e->out);
        journal_free(&j);
        return 1;
    }
    FILE *devnull = fopen("/dev/null", "w");
    if (!devnull) {
        journal_free(&j);
        return 1;
    }
    if (resume) {
        e->o = devnull;
        e->err = devnull;
        e->replaying = 1;
        for (size_t i = 0; i < j.n; i++) {
            if (j.times[i] != e->done)
                fprintf(stderr,
                        "crisim exercise: warning: journal command %zu ('%s') was entered at "
                        "%" PRId64 " s but the replay is at %" PRId64
                        " s (was the journal edited?)\n",
                        i + 1, j.lines[i], j.times[i], (int64_t)e->done);
            int r = execute(e, j.lines[i]);
            if (r == -2) {
                rc = 1;
                break;
            }
        }
        e->o = stdout;
        e->err = stderr;
        e->replaying = 0;
        if (rc == 0 && tl_push(e) != 0) rc = 1;
        if (rc == 0) printf("resumed: %zu commands replayed from %s\n", j.n, resume);
    }
    journal_free(&j);
    if (rc != 0) {
        fclose(devnull);
        return rc;
    }

    const char **words = completion_words(e->sc);
    exi_input *in = exi_open(script, words);
    if (!in) {
        free(words);
        fclose(devnull);
        return 1;
    }
    if (!resume)
        printf("crisim exercise: %s\n%s\nType 'help' for the commands, 'next' to begin.\n",
               cx_scenario_name(e->sc), cx_scenario_title(e->sc));
    printf("output: %s\n", e->out);
    for (;;) {
        char prompt[160], *line = NULL;
        prompt_of(e, prompt, sizeof prompt);
        if (exi_read(in, prompt, &line) != 0) break;
        const char *p = line + strspn(line, " ");
        if (!*p) {
            free(line);
            continue;
        }
        int quit = !strncasecmp(p, "quit", 4) || !strncasecmp(p, "exit", 4);
        if (!quit && journal_append(e, p) != 0) {
            free(line);
            rc = 1;
            break;
        }
        int r = execute(e, line);
        free(line);
        fflush(stdout);
        if (tl_push(e) != 0) {
            fprintf(stderr, "crisim exercise: cannot write the timeline\n");
            rc = 1;
            break;
        }
        if (r == 1) break;
        if (r == -2) {
            rc = 1;
            break;
        }
    }
    exi_close(in);
    free(words);
    fclose(devnull);
    if (rc == 0) {
        if (write_report(e) == -2 || write_manifest(e) != 0 || tl_push(e) != 0)
            rc = 1;
        printf("exercise saved in %s (resume: crisim exercise %s --resume %s)\n", e->out, dir,
               jpath);
    }
    return rc;
}

int cmd_exercise(int argc, char **argv) {
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},    {"seed", required_argument, NULL, 's'},
        {"resume", required_argument, NULL, 'r'}, {"script", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    const char *out = NULL, *resume = NULL, *script = NULL;
    uint64_t seed = 0;
    int have_seed = 0;
    gsl_set_error_handler_off();
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:s:r:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (!optarg[0]) return cli_usage_error(CMD, "--out: expected a folder name");
            out = optarg;
            break;
        case 's':
            if (mc_parse_u64(optarg, &seed) != 0)
                return cli_usage_error(CMD, "--seed '%s': expected an unsigned 64-bit integer",
                                       optarg);
            have_seed = 1;
            break;
        case 'r': resume = optarg; break;
        case 'f': script = optarg; break;
        case 'h': usage(stdout); return 0;
        case ':': return cli_usage_error(CMD, "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error(CMD, "missing the scenario folder (crisim exercise DIR)");
    if (optind + 1 < argc)
        return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind + 1]);
    ex e;
    memset(&e, 0, sizeof e);
    e.dir = argv[optind];
    e.o = stdout;
    e.err = stderr;
    e.done = -1;
    FILE *sf = NULL;
    if (script && !(sf = fopen(script, "rb"))) {
        fprintf(stderr, "crisim exercise: cannot open '%s': %s\n", script, strerror(errno));
        return 2;
    }

    /* first load: validation with every error, exactly as crisim validate */
    cx_diags *d = NULL;
    if (cx_diags_create(&d) != CX_OK) return 1;
    cx_load_opts lo;
    (void)cli_load_opts(&lo); /* checked by main() */
    cx_status st = cx_scenario_load(e.dir, &lo, &e.sc, d);
    if (st != CX_OK) {
        cli_print_diags(d);
        if (cx_diags_count(d) == 0)
            fprintf(stderr, "crisim exercise: %s: %s\n", e.dir, cx_status_str(st));
        cx_diags_destroy(d);
        if (sf) fclose(sf);
        return st == CX_EINPUT || st == CX_ELIMIT ? 2 : 1;
    }
    cx_diags_destroy(d);
    snprintf(e.hash, sizeof e.hash, "%s", cx_scenario_hash(e.sc));
    if (resume) {
        journal j;
        int r = journal_read(resume, &j, 0);
        if (r == 0 && j.have_seed) {
            if (have_seed && seed != j.seed) {
                fprintf(stderr,
                        "crisim exercise: --seed %" PRIu64 " differs from the journal's "
                        "seed %" PRIu64 "\n",
                        seed, j.seed);
                r = 2;
            }
            seed = j.seed;
            have_seed = 1;
        }
        journal_free(&j);
        if (r != 0) {
            cx_scenario_destroy(e.sc);
            if (sf) fclose(sf);
            return r;
        }
    }
    e.seed = have_seed ? seed : cx_scenario_seed(e.sc);
    if (out)
        snprintf(e.out, sizeof e.out, "%s", out);
    else if (resume) {
        const char *slash = strrchr(resume, '/');
        if (slash)
            snprintf(e.out, sizeof e.out, "%.*s", (int)(slash - resume), resume);
        else
            snprintf(e.out, sizeof e.out, ".");
    } else
        snprintf(e.out, sizeof e.out, "out/exercise-%s", cx_scenario_name(e.sc));
    size_t l = strlen(e.out);
    while (l > 1 && e.out[l - 1] == '/') e.out[--l] = '\0';
    cli_command_line(cli_argc, cli_argv, e.cmdline, sizeof e.cmdline);
    e.fired = calloc(e.sc->ninjects + 1, 1);
    e.just = calloc(e.sc->ninjects + 1, sizeof *e.just);
    e.fired_at = calloc(e.sc->ninjects + 1, sizeof *e.fired_at);
    if (!e.fired || !e.just || !e.fired_at) {
        ex_free(&e);
        if (sf) fclose(sf);
        return 1;
    }
    /* the first move is the move of the earliest scheduled inject */
    for (uint32_t i = 0; i < e.sc->ninjects; i++)
        if (!e.sc->injects[i].cond) {
            e.move = e.sc->injects[i].move;
            break;
        }
    int rc = play(&e, e.dir, resume, sf);
    ex_free(&e);
    if (sf) fclose(sf);
    return rc;
}
