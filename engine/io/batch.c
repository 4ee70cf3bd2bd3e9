/* batch.c — threaded Monte Carlo runner (workers + in-order delivery) and replicates.csv I/O.
 * Invariant: positions are handed out in increasing order and delivered strictly in that order
 * from a bounded window, so output never depends on the thread count or on timing. */
#include "io/batch.h"

#include <errno.h>
#include <sys/types.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/io_api.h"
#include "model/sim_int.h"

/* Longest numeric cell accepted when reading replicates.csv ("%.17g" needs at most 24 bytes). */
#define FIELD_MAX 64

/* ---- columns --------------------------------------------------------------------------------- */

void cxi_batch_column_name(const cx_metric *m, char *buf, size_t n) {
    const char *sec = m->sector ? m->sector : "";
    const char *reg = m->region ? m->region : "";
    const char *name = m->name ? m->name : "";
    if (sec[0] && reg[0]) snprintf(buf, n, "%s[%s.%s]", name, sec, reg);
    else if (sec[0] || reg[0]) snprintf(buf, n, "%s[%s]", name, sec[0] ? sec : reg);
    else snprintf(buf, n, "%s", name);
}

void cxi_batch_cols_free(cxi_batch_cols *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) free(c->names[i]);
    free(c->names);
    c->names = NULL;
    c->n = 0;
}

long cxi_batch_cols_find(const cxi_batch_cols *c, const char *name) {
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->names[i], name)) return (long)i;
    return -1;
}

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Creates replicate 0 of sc with seed and lists its metrics; on success the caller destroys *sim. */
static cx_status metrics_of(const cx_scenario *sc, uint64_t seed, cx_sim **sim, const cx_metric **m,
                            size_t *nm, char *err, size_t errn) {
    cx_sim_config cfg = cx_sim_config_default();
    cfg.seed = seed;
    cfg.replicate = 0;
    *sim = NULL;
    cx_status st = cx_sim_create(sc, &cfg, sim);
    if (st != CX_OK) {
        snprintf(err, errn, "cannot create a simulation: %s", cx_status_str(st));
        return st;
    }
    st = cx_sim_metrics(*sim, m, nm);
    if (st != CX_OK) {
        snprintf(err, errn, "cannot list the metrics: %s", cx_sim_errmsg(*sim));
        cx_sim_destroy(*sim);
        *sim = NULL;
        return st;
    }
    return CX_OK;
}

cx_status cxi_batch_columns(const cx_scenario *sc, uint64_t seed, cxi_batch_cols *out, char *err,
                            size_t errn) {
    out->n = 0;
    out->names = NULL;
    cx_sim *sim = NULL;
    const cx_metric *m = NULL;
    size_t nm = 0;
    cx_status st = metrics_of(sc, seed, &sim, &m, &nm, err, errn);
    if (st != CX_OK) return st;
    out->names = calloc(nm ? nm : 1, sizeof *out->names);
    if (!out->names) {
        cx_sim_destroy(sim);
        snprintf(err, errn, "out of memory");
        return CX_ENOMEM;
    }
    char buf[512];
    for (size_t i = 0; i < nm; i++) {
        cxi_batch_column_name(&m[i], buf, sizeof buf);
        out->names[i] = dup_str(buf);
        if (!out->names[i]) {
            out->n = i;
            cxi_batch_cols_free(out);
            cx_sim_destroy(sim);
            snprintf(err, errn, "out of memory");
            return CX_ENOMEM;
        }
    }
    out->n = nm;
    cx_sim_destroy(sim);
    return CX_OK;
}

void cxi_batch_units_free(char **units, size_t n) {
    if (!units) return;
    for (size_t i = 0; i < n; i++) free(units[i]);
    free(units);
}

cx_status cxi_batch_units(const cx_scenario *sc, uint64_t seed, const cxi_batch_cols *cols,
                          char ***units, char *err, size_t errn) {
    *units = NULL;
    cx_sim *sim = NULL;
    const cx_metric *m = NULL;
    size_t nm = 0;
    cx_status st = metrics_of(sc, seed, &sim, &m, &nm, err, errn);
    if (st != CX_OK) return st;
    char **u = calloc(cols->n ? cols->n : 1, sizeof *u);
    char name[512];
    for (size_t i = 0; u && i < cols->n; i++) {
        const char *unit = "";
        /* metrics usually come in column order: try the same index first */
        if (i < nm) {
            cxi_batch_column_name(&m[i], name, sizeof name);
            if (!strcmp(name, cols->names[i])) unit = m[i].unit ? m[i].unit : "";
        }
        for (size_t j = 0; !unit[0] && j < nm; j++) {
            cxi_batch_column_name(&m[j], name, sizeof name);
            if (!strcmp(name, cols->names[i])) unit = m[j].unit ? m[j].unit : "";
        }
        u[i] = dup_str(unit);
        if (!u[i]) {
            cxi_batch_units_free(u, i);
            u = NULL;
        }
    }
    cx_sim_destroy(sim);
    if (!u) {
        snprintf(err, errn, "out of memory");
        return CX_ENOMEM;
    }
    *units = u;
    return CX_OK;
}

uint64_t cxi_batch_shard_size(uint64_t n, uint32_t k, uint32_t count) {
    if (count == 0 || k == 0 || k > count || n < k) return 0;
    return (n - k) / count + 1;
}

static uint64_t shard_replicate(uint64_t pos, uint32_t k, uint32_t count) {
    return (uint64_t)(k - 1) + pos * count;
}

/* ---- the runner ------------------------------------------------------------------------------ */

cxi_batch_config cxi_batch_config_default(void) {
    cxi_batch_config c;
    memset(&c, 0, sizeof c);
    c.shard_k = 1;
    c.shard_count = 1;
    c.threads = 1;
    c.fork_at = -1;
    return c;
}

enum { SLOT_FREE, SLOT_READY, SLOT_FAILED };

typedef struct {
    int state;
    cx_status status;  /* SLOT_FAILED */
    double *values;    /* ncols, into runner.values */
    char *line;        /* with line_sink: the formatted row, into runner.lines */
    size_t len;
    char err[256];
} slot;

typedef struct {
    const cxi_batch_config *cfg;
    size_t ncols;
    uint64_t total;    /* positions of the shard */
    size_t window;     /* slots: position p lives in slots[p % window] until delivered */
    slot *slots;
    double *values;
    char *lines;       /* with line_sink: window rows of CXI_BATCH_ROW_MAX(ncols) bytes */
    size_t line_max;
    pthread_mutex_t mu; /* guards everything below and the slots' state */
    pthread_cond_t ready; /* the head slot filled, a worker exited or failed */
    pthread_cond_t space; /* a slot was freed, or stop */
    uint64_t next;      /* next position to hand out */
    uint64_t delivered; /* next position to deliver */
    int stop;
    unsigned alive;     /* worker threads not yet exited */
    unsigned waiting;   /* workers waiting for space */
} runner;

static int metric_matches(const cx_metric *m, const char *col) {
    char buf[512];
    cxi_batch_column_name(m, buf, sizeof buf);
    return !strcmp(buf, col);
}

/* The default computation: one simulation of the scenario. *simp is the worker's simulation,
 * reset for each replicate (a reset costs what the last replicate touched; a creation costs
 * O(assets + links)); it is destroyed and NULL after a failure. */
static cx_status simulate(const cxi_batch_config *cfg, cx_sim **simp, uint64_t rep,
                          double *values, size_t ncols, char *err, size_t errn) {
    cx_sim_config sc = cx_sim_config_default();
    sc.seed = cfg->seed;
    sc.replicate = cfg->fork_at >= 0 ? cfg->fork_replicate : rep;
    cx_sim *sim = *simp;
    cx_status st = sim ? cx_sim_reset(sim, &sc) : cx_sim_create(cfg->sc, &sc, &sim);
    *simp = sim;
    if (st != CX_OK) {
        cx_sim_destroy(sim);
        *simp = NULL;
        snprintf(err, errn, "replicate %" PRIu64 ": cannot create the simulation: %s", rep,
                 cx_status_str(st));
        return st;
    }
    if (cfg->fork_at >= 0) {
        st = cx_sim_run_until(sim, cfg->fork_at);
        if (st == CX_OK) st = cxi_sim_reseed(sim, rep);
    }
    if (st == CX_OK) st = cx_sim_run(sim);
    if (st != CX_OK) {
        snprintf(err, errn, "replicate %" PRIu64 ": %s", rep,
                 cx_sim_errmsg(sim)[0] ? cx_sim_errmsg(sim) : cx_status_str(st));
        cx_sim_destroy(sim);
        *simp = NULL;
        return st;
    }
    const cx_metric *m = NULL;
    size_t nm = 0;
    st = cx_sim_metrics(sim, &m, &nm);
    if (st == CX_OK && nm != ncols) {
        snprintf(err, errn, "replicate %" PRIu64 ": %zu metrics instead of %zu", rep, nm, ncols);
        st = CX_ERUNTIME;
    } else if (st != CX_OK) {
        snprintf(err, errn, "replicate %" PRIu64 ": %s", rep, cx_sim_errmsg(sim));
    }
    for (size_t i = 0; st == CX_OK && i < nm; i++) {
        if (cfg->cols && !metric_matches(&m[i], cfg->cols->names[i])) {
            snprintf(err, errn, "replicate %" PRIu64 ": metric %zu is not '%s'", rep, i + 1,
                     cfg->cols->names[i]);
            st = CX_ERUNTIME;
            break;
        }
        values[i] = m[i].value;
    }
    if (st != CX_OK) {
        cx_sim_destroy(sim);
        *simp = NULL;
    }
    return st;
}

static void *worker(void *arg) {
    runner *r = arg;
    const cxi_batch_config *cfg = r->cfg;
    char err[256];
    cx_sim *sim = NULL; /* this worker's simulation, reset for each replicate */
    pthread_mutex_lock(&r->mu);
    while (!r->stop && r->next < r->total) {
        if (r->next >= r->delivered + r->window) {
            r->waiting++;
            pthread_cond_wait(&r->space, &r->mu);
            r->waiting--;
            continue;
        }
        uint64_t pos = r->next++;
        slot *s = &r->slots[pos % r->window];
        pthread_mutex_unlock(&r->mu);

        uint64_t rep = shard_replicate(pos, cfg->shard_k, cfg->shard_count);
        err[0] = '\0';
        cx_status st = cfg->compute
                           ? cfg->compute(cfg->compute_ud, rep, s->values, r->ncols, err, sizeof err)
                           : simulate(cfg, &sim, rep, s->values, r->ncols, err, sizeof err);

        if (st == CX_OK && cfg->line_sink)
            s->len = cxi_batch_format_row(s->line, rep, cfg->seed, s->values, r->ncols);

        pthread_mutex_lock(&r->mu);
        if (st != CX_OK) {
            s->state = SLOT_FAILED;
            s->status = st;
            if (err[0]) snprintf(s->err, sizeof s->err, "%s", err);
            else snprintf(s->err, sizeof s->err, "replicate %" PRIu64 ": %s", rep, cx_status_str(st));
            r->stop = 1;
            pthread_cond_broadcast(&r->space);
            pthread_cond_signal(&r->ready);
        } else {
            s->state = SLOT_READY;
            if (pos == r->delivered) pthread_cond_signal(&r->ready);
        }
    }
    r->alive--;
    pthread_cond_signal(&r->ready);
    pthread_mutex_unlock(&r->mu);
    cx_sim_destroy(sim);
    return NULL;
}

static void deadline_after(struct timespec *ts, unsigned ms) {
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ms / 1000u);
    ts->tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static cx_status runner_init(runner *r, const cxi_batch_config *cfg, uint64_t total) {
    memset(r, 0, sizeof *r);
    r->cfg = cfg;
    r->ncols = cfg->cols ? cfg->cols->n : 0;
    r->total = total;
    r->window = 16u * cfg->threads + 16u;
    r->next = r->delivered = cfg->first;
    r->slots = calloc(r->window, sizeof *r->slots);
    r->values = calloc(r->window * (r->ncols ? r->ncols : 1), sizeof *r->values);
    if (cfg->line_sink) {
        r->line_max = CXI_BATCH_ROW_MAX(r->ncols);
        r->lines = malloc(r->window * r->line_max);
    }
    if (!r->slots || !r->values || (cfg->line_sink && !r->lines)) {
        free(r->slots);
        free(r->values);
        free(r->lines);
        return CX_ENOMEM;
    }
    for (size_t i = 0; i < r->window; i++) {
        r->slots[i].values = r->values + i * r->ncols;
        if (r->lines) r->slots[i].line = r->lines + i * r->line_max;
    }
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0) goto fail;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int bad = pthread_mutex_init(&r->mu, NULL) != 0;
    bad = bad || pthread_cond_init(&r->ready, &ca) != 0;
    bad = bad || pthread_cond_init(&r->space, NULL) != 0;
    pthread_condattr_destroy(&ca);
    if (bad) goto fail; /* glibc's init functions cannot fail with default attributes */
    return CX_OK;
fail:
    free(r->slots);
    free(r->values);
    free(r->lines);
    return CX_ERUNTIME;
}

static void runner_free(runner *r) {
    pthread_cond_destroy(&r->space);
    pthread_cond_destroy(&r->ready);
    pthread_mutex_destroy(&r->mu);
    free(r->slots);
    free(r->values);
    free(r->lines);
}

/* Asynchronous signals the workers block so that handlers run on the calling thread. Synchronous
 * ones (SIGSEGV ...) stay unblocked so crashes and sanitizers behave as usual. */
static void block_async_signals(sigset_t *old) {
    sigset_t set;
    sigemptyset(&set);
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2,
                        SIGCHLD, SIGWINCH, SIGTSTP, SIGCONT};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaddset(&set, sigs[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

cx_status cxi_batch_run(const cxi_batch_config *cfg, cxi_batch_outcome *out) {
    memset(out, 0, sizeof *out);
    out->failed_replicate = UINT64_MAX;
    if (!cfg || (!cfg->sink && !cfg->line_sink) || cfg->threads == 0 || cfg->threads > CXI_BATCH_MAX_THREADS ||
        cfg->shard_count == 0 || cfg->shard_k == 0 || cfg->shard_k > cfg->shard_count ||
        (!cfg->compute && (!cfg->sc || !cfg->cols))) {
        snprintf(out->errmsg, sizeof out->errmsg, "invalid batch configuration");
        return CX_EINVAL;
    }
    uint64_t total = cxi_batch_shard_size(cfg->n, cfg->shard_k, cfg->shard_count);
    if (cfg->first > total) {
        snprintf(out->errmsg, sizeof out->errmsg,
                 "first position %" PRIu64 " is past the shard's %" PRIu64 " replicates",
                 cfg->first, total);
        return CX_EINVAL;
    }
    out->done = cfg->first;
    if (cfg->first == total) return CX_OK;

    runner r;
    cx_status st = runner_init(&r, cfg, total);
    if (st != CX_OK) {
        snprintf(out->errmsg, sizeof out->errmsg, "cannot set up the worker threads: %s",
                 cx_status_str(st));
        return st;
    }
    unsigned threads = cfg->threads;
    if ((uint64_t)threads > total - cfg->first) threads = (unsigned)(total - cfg->first);
    pthread_t *tids = calloc(threads, sizeof *tids);
    if (!tids) {
        runner_free(&r);
        snprintf(out->errmsg, sizeof out->errmsg, "out of memory");
        return CX_ENOMEM;
    }
    sigset_t old;
    block_async_signals(&old);
    unsigned started = 0;
    for (; started < threads; started++) {
        pthread_mutex_lock(&r.mu);
        r.alive++;
        pthread_mutex_unlock(&r.mu);
        int rc = pthread_create(&tids[started], NULL, worker, &r);
        if (rc != 0) {
            pthread_mutex_lock(&r.mu);
            r.alive--;
            pthread_mutex_unlock(&r.mu);
            break;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (started == 0) {
        free(tids);
        runner_free(&r);
        snprintf(out->errmsg, sizeof out->errmsg, "cannot start a worker thread");
        return CX_ERUNTIME;
    }

    unsigned poll_ms = cfg->poll_ms ? cfg->poll_ms : 100u;
    int poll_stopped = 0;
    pthread_mutex_lock(&r.mu);
    for (;;) {
        while (r.delivered < total) {
            slot *s = &r.slots[r.delivered % r.window];
            if (s->state == SLOT_READY) {
                uint64_t rep = shard_replicate(r.delivered, cfg->shard_k, cfg->shard_count);
                pthread_mutex_unlock(&r.mu);
                int rc = cfg->line_sink
                             ? cfg->line_sink(cfg->ud, rep, s->values, r.ncols, s->line, s->len)
                             : cfg->sink(cfg->ud, rep, s->values, r.ncols);
                pthread_mutex_lock(&r.mu);
                s->state = SLOT_FREE;
                r.delivered++;
                if (r.waiting) pthread_cond_broadcast(&r.space);
                if (rc != 0 && st == CX_OK) {
                    st = CX_EIO;
                    snprintf(out->errmsg, sizeof out->errmsg,
                             "cannot record replicate %" PRIu64, rep);
                    r.stop = 1;
                    pthread_cond_broadcast(&r.space);
                    break;
                }
            } else if (s->state == SLOT_FAILED) {
                if (st == CX_OK) {
                    st = CX_ERUNTIME;
                    out->failed_replicate =
                        shard_replicate(r.delivered, cfg->shard_k, cfg->shard_count);
                    snprintf(out->errmsg, sizeof out->errmsg, "%s", s->err);
                }
                r.stop = 1;
                pthread_cond_broadcast(&r.space);
                break;
            } else {
                break;
            }
        }
        if (r.delivered == total || st != CX_OK) break;
        if (r.stop && r.alive == 0) break; /* nothing more can arrive */
        struct timespec ts;
        deadline_after(&ts, poll_ms);
        pthread_cond_timedwait(&r.ready, &r.mu, &ts);
        uint64_t done = r.delivered;
        pthread_mutex_unlock(&r.mu);
        if (cfg->progress) cfg->progress(cfg->ud, done, total);
        int want_stop = cfg->poll && cfg->poll(cfg->ud);
        pthread_mutex_lock(&r.mu);
        if (want_stop && !r.stop) {
            r.stop = 1;
            poll_stopped = 1;
            pthread_cond_broadcast(&r.space);
        }
    }
    if (!r.stop) r.stop = 1;
    pthread_cond_broadcast(&r.space);
    out->done = r.delivered;
    pthread_mutex_unlock(&r.mu);
    for (unsigned i = 0; i < started; i++) pthread_join(tids[i], NULL);
    free(tids);
    out->stopped = st == CX_OK && poll_stopped && out->done < total;
    if (cfg->progress && st == CX_OK) cfg->progress(cfg->ud, out->done, total);
    runner_free(&r);
    return st;
}

/* ---- replicates.csv -------------------------------------------------------------------------- */

void cxi_batch_fmt(double v, char *buf, size_t n) {
    if (!buf || n == 0) return;
    if (isnan(v)) {
        snprintf(buf, n, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, n, v > 0 ? "inf" : "-inf");
        return;
    }
    /* Whole numbers below 1e15 (counts, zeros: most cells) print exactly as "%.15g" prints them,
     * all digits and no exponent, without the cost of printf's float path and a strtod check. */
    if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v && n >= 24) {
        int64_t k = (int64_t)v;
        char tmp[24];
        size_t len = 0, out = 0;
        uint64_t u = k < 0 ? (uint64_t)0 - (uint64_t)k : (uint64_t)k;
        do {
            tmp[len++] = (char)('0' + u % 10u);
            u /= 10u;
        } while (u);
        if (k < 0 || (k == 0 && signbit(v))) buf[out++] = '-';
        while (len) buf[out++] = tmp[--len];
        buf[out] = '\0';
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (prec == 17 || strtod(buf, NULL) == v) return;
    }
}

/* Appends the decimal digits of u at p; returns the end. */
static char *put_u64(char *p, uint64_t u) {
    char tmp[24];
    size_t len = 0;
    do {
        tmp[len++] = (char)('0' + u % 10u);
        u /= 10u;
    } while (u);
    while (len) *p++ = tmp[--len];
    return p;
}

size_t cxi_batch_format_row(char *buf, uint64_t replicate, uint64_t seed, const double *values,
                            size_t n) {
    char *p = put_u64(buf, replicate);
    *p++ = ',';
    p = put_u64(p, seed);
    for (size_t i = 0; i < n; i++) {
        *p++ = ',';
        cxi_batch_fmt(values[i], p, 32);
        p += strlen(p);
    }
    *p++ = '\n';
    *p = '\0';
    return (size_t)(p - buf);
}

cx_status cxi_batch_write_header(FILE *f, const cxi_batch_cols *c) {
    fputs("replicate,seed", f);
    for (size_t i = 0; i < c->n; i++) {
        fputc(',', f);
        cxi_csv_put(f, c->names[i]);
    }
    fputc('\n', f);
    return ferror(f) ? CX_EIO : CX_OK;
}

cx_status cxi_batch_write_row(FILE *f, uint64_t replicate, uint64_t seed, const double *values,
                              size_t n) {
    char buf[40];
    fprintf(f, "%" PRIu64 ",%" PRIu64, replicate, seed);
    for (size_t i = 0; i < n; i++) {
        cxi_batch_fmt(values[i], buf, sizeof buf);
        fputc(',', f);
        fputs(buf, f);
    }
    fputc('\n', f);
    return ferror(f) ? CX_EIO : CX_OK;
}

/* Removes the line terminator ("\n" or "\r\n"); returns 1 when there was a "\n". */
static int chomp(char *line, ssize_t *len) {
    int nl = 0;
    if (*len > 0 && line[*len - 1] == '\n') {
        line[--*len] = '\0';
        nl = 1;
    }
    if (*len > 0 && line[*len - 1] == '\r') line[--*len] = '\0';
    return nl;
}

/* Splits a header line into malloc'd, unquoted fields (RFC 4180 quotes within one line).
 * Returns 0, or -1 with *col at the problem (CX_ENOMEM is reported as col 0). */
static int split_header(const char *line, cxi_batch_cols *out, unsigned *col) {
    out->n = 0;
    out->names = NULL;
    size_t cap = 0, len = strlen(line);
    char *field = malloc(len + 1);
    if (!field) {
        *col = 0;
        return -1;
    }
    const char *p = line;
    for (;;) {
        size_t fl = 0;
        const char *start = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0') {
                    *col = (unsigned)(start - line) + 1;
                    goto fail;
                }
                if (*p == '"' && p[1] == '"') {
                    field[fl++] = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    field[fl++] = *p++;
                }
            }
            if (*p != ',' && *p != '\0') {
                *col = (unsigned)(p - line) + 1;
                goto fail;
            }
        } else {
            while (*p != ',' && *p != '\0') field[fl++] = *p++;
        }
        field[fl] = '\0';
        if (out->n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **nn = realloc(out->names, nc * sizeof *nn);
            if (!nn) {
                *col = 0;
                goto fail;
            }
            out->names = nn;
            cap = nc;
        }
        out->names[out->n] = dup_str(field);
        if (!out->names[out->n]) {
            *col = 0;
            goto fail;
        }
        out->n++;
        if (*p == '\0') break;
        p++; /* the comma */
    }
    free(field);
    return 0;
fail:
    free(field);
    cxi_batch_cols_free(out);
    return -1;
}

/* Checks a split header: "replicate,seed,..." and turns it into the metric columns. */
static cx_status header_to_cols(const char *path, cxi_batch_cols *h, cxi_batch_cols *out, char *err,
                                size_t errn) {
    if (h->n < 2 || strcmp(h->names[0], "replicate") || strcmp(h->names[1], "seed")) {
        snprintf(err, errn, "%s:1:1: header must start with 'replicate,seed' (a crisim mc "
                 "replicates.csv)", path);
        cxi_batch_cols_free(h);
        return CX_EINPUT;
    }
    free(h->names[0]);
    free(h->names[1]);
    memmove(h->names, h->names + 2, (h->n - 2) * sizeof *h->names);
    h->n -= 2;
    for (size_t i = 0; i < h->n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(h->names[i], h->names[j])) {
                snprintf(err, errn, "%s:1: column '%s' appears twice", path, h->names[i]);
                cxi_batch_cols_free(h);
                return CX_EINPUT;
            }
        }
    }
    *out = *h;
    return CX_OK;
}

static void errno_msg(char *buf, size_t n, int e) {
    /* XSI strerror_r returns int and fills buf. */
    if (strerror_r(e, buf, n) != 0) snprintf(buf, n, "error %d", e);
}

/* Opens path and reads its header into *cols. On success *f is positioned at the first data row. */
static cx_status open_with_header(const char *path, FILE **f, cxi_batch_cols *cols, char *err,
                                  size_t errn) {
    cols->n = 0;
    cols->names = NULL;
    *f = fopen(path, "rb");
    if (!*f) {
        char e[128];
        errno_msg(e, sizeof e, errno);
        snprintf(err, errn, "%s: cannot open: %s", path, e);
        return CX_EIO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len = getline(&line, &cap, *f);
    if (len <= 0) {
        free(line);
        fclose(*f);
        *f = NULL;
        snprintf(err, errn, "%s:1:1: empty file (expected a 'replicate,seed,...' header)", path);
        return CX_EINPUT;
    }
    chomp(line, &len);
    const char *l = line;
    if ((unsigned char)l[0] == 0xEF && (unsigned char)l[1] == 0xBB && (unsigned char)l[2] == 0xBF)
        l += 3;
    cxi_batch_cols h;
    unsigned col = 0;
    if (split_header(l, &h, &col) != 0) {
        free(line);
        fclose(*f);
        *f = NULL;
        if (col == 0) {
            snprintf(err, errn, "out of memory");
            return CX_ENOMEM;
        }
        snprintf(err, errn, "%s:1:%u: unterminated or misplaced quote in the header", path, col);
        return CX_EINPUT;
    }
    free(line);
    cx_status st = header_to_cols(path, &h, cols, err, errn);
    if (st != CX_OK) {
        fclose(*f);
        *f = NULL;
    }
    return st;
}

cx_status cxi_batch_header_read(const char *path, cxi_batch_cols *out, char *err, size_t errn) {
    FILE *f = NULL;
    cx_status st = open_with_header(path, &f, out, err, errn);
    if (f) fclose(f);
    return st;
}

int cxi_batch_row_parse(const char *line, size_t ncols, uint64_t *replicate, uint64_t *seed,
                        double *values, unsigned *col, char *msg, size_t msgn) {
    const char *p = line;
    char field[FIELD_MAX + 1];
    size_t nfields = ncols + 2;
    for (size_t i = 0; i < nfields; i++) {
        const char *start = p;
        while (*p != ',' && *p != '\0') p++;
        size_t fl = (size_t)(p - start);
        *col = (unsigned)(start - line) + 1;
        if (fl > FIELD_MAX) {
            snprintf(msg, msgn, "field %zu is too long (expected a number)", i + 1);
            return -1;
        }
        memcpy(field, start, fl);
        field[fl] = '\0';
        if (i < 2) {
            uint64_t v;
            if (cxi_u64_parse(field, UINT64_MAX, &v) != 0) {
                snprintf(msg, msgn, "column '%s': '%s' is not an unsigned integer",
                         i == 0 ? "replicate" : "seed", field);
                return -1;
            }
            if (i == 0) *replicate = v;
            else *seed = v;
        } else {
            char *end = NULL;
            double v = fl ? strtod(field, &end) : 0.0;
            if (fl == 0 || *end != '\0') {
                snprintf(msg, msgn, "field %zu: '%s' is not a number", i + 1, field);
                return -1;
            }
            if (values) values[i - 2] = v;
        }
        if (i + 1 < nfields) {
            if (*p != ',') {
                snprintf(msg, msgn, "%zu fields instead of %zu", i + 1, nfields);
                return -1;
            }
            p++;
        }
    }
    if (*p != '\0') {
        size_t extra = 0;
        for (const char *q = p; *q; q++) extra += *q == ',';
        *col = (unsigned)(p - line) + 1;
        snprintf(msg, msgn, "%zu fields instead of %zu", nfields + extra, nfields);
        return -1;
    }
    return 0;
}

cx_status cxi_batch_columns_load(const char *path, const size_t *which, size_t nwhich,
                                 double ***out, uint64_t **replicates, uint64_t *nrows, char *err,
                                 size_t errn) {
    *out = NULL;
    if (replicates) *replicates = NULL;
    *nrows = 0;
    FILE *f = NULL;
    cxi_batch_cols cols;
    cx_status st = open_with_header(path, &f, &cols, err, errn);
    if (st != CX_OK) return st;
    size_t ncols = cols.n;
    cxi_batch_cols_free(&cols);
    for (size_t j = 0; j < nwhich; j++) {
        if (which[j] >= ncols) {
            fclose(f);
            snprintf(err, errn, "%s: column %zu requested but the file has %zu metrics", path,
                     which[j] + 1, ncols);
            return CX_EINVAL;
        }
    }
    double **cols_out = calloc(nwhich ? nwhich : 1, sizeof *cols_out);
    double *row = malloc((ncols ? ncols : 1) * sizeof *row);
    uint64_t *reps = NULL;
    char *line = NULL;
    size_t linecap = 0, cap = 0;
    uint64_t n = 0;
    unsigned lineno = 1;
    if (!cols_out || !row) goto oom;
    ssize_t len;
    while ((len = getline(&line, &linecap, f)) > 0) {
        lineno++;
        chomp(line, &len);
        if (len == 0) continue;
        uint64_t rep = 0, seed = 0;
        unsigned col = 0;
        char msg[200];
        if (cxi_batch_row_parse(line, ncols, &rep, &seed, row, &col, msg, sizeof msg) != 0) {
            snprintf(err, errn, "%s:%u:%u: %s", path, lineno, col, msg);
            st = CX_EINPUT;
            goto done;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 1024;
            for (size_t j = 0; j < nwhich; j++) {
                double *d = realloc(cols_out[j], nc * sizeof *d);
                if (!d) goto oom;
                cols_out[j] = d;
            }
            if (replicates) {
                uint64_t *r = realloc(reps, nc * sizeof *r);
                if (!r) goto oom;
                reps = r;
            }
            cap = nc;
        }
        for (size_t j = 0; j < nwhich; j++) cols_out[j][n] = row[which[j]];
        if (replicates) reps[n] = rep;
        n++;
    }
    if (ferror(f)) {
        snprintf(err, errn, "%s: read error", path);
        st = CX_EIO;
        goto done;
    }
    *out = cols_out;
    cols_out = NULL;
    if (replicates) {
        *replicates = reps;
        reps = NULL;
    }
    *nrows = n;
    st = CX_OK;
    goto done;
oom:
    snprintf(err, errn, "out of memory reading %s", path);
    st = CX_ENOMEM;
done:
    if (cols_out) {
        for (size_t j = 0; j < nwhich; j++) free(cols_out[j]);
        free(cols_out);
    }
    free(reps);
    free(row);
    free(line);
    fclose(f);
    return st;
}

cx_status cxi_batch_scan_partial(const char *path, const cxi_batch_cols *cols, uint64_t seed,
                                 uint64_t n, uint32_t k, uint32_t count, cxi_batch_scan *out,
                                 char *err, size_t errn) {
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT) return CX_OK;
        char e[128];
        errno_msg(e, sizeof e, errno);
        snprintf(err, errn, "%s: cannot open: %s", path, e);
        return CX_EIO;
    }
    uint64_t total = cxi_batch_shard_size(n, k, count);
    char *line = NULL;
    size_t cap = 0;
    double *row = malloc((cols->n ? cols->n : 1) * sizeof *row);
    cx_status st = CX_OK;
    unsigned lineno = 0;
    ssize_t len;
    if (!row) {
        snprintf(err, errn, "out of memory");
        st = CX_ENOMEM;
        goto done;
    }
    while ((len = getline(&line, &cap, f)) > 0) {
        lineno++;
        size_t raw = (size_t)len;
        if (!chomp(line, &len)) {
            out->torn = 1; /* an incomplete last line: recomputed on resume */
            break;
        }
        if (!out->header) {
            cxi_batch_cols h;
            unsigned col = 0;
            if (split_header(line, &h, &col) != 0) {
                snprintf(err, errn, "%s:1:%u: bad header", path, col);
                st = col ? CX_EINPUT : CX_ENOMEM;
                goto done;
            }
            int same = h.n == cols->n + 2 && !strcmp(h.names[0], "replicate") &&
                       !strcmp(h.names[1], "seed");
            for (size_t i = 0; same && i < cols->n; i++) same = !strcmp(h.names[i + 2], cols->names[i]);
            cxi_batch_cols_free(&h);
            if (!same) {
                snprintf(err, errn, "%s:1:1: the columns differ from this scenario's metrics "
                         "(was the scenario or crisim changed?)", path);
                st = CX_EINPUT;
                goto done;
            }
            out->header = 1;
            out->keep_bytes += raw;
            continue;
        }
        uint64_t rep = 0, rseed = 0;
        unsigned col = 0;
        char msg[200];
        if (cxi_batch_row_parse(line, cols->n, &rep, &rseed, row, &col, msg, sizeof msg) != 0) {
            snprintf(err, errn, "%s:%u:%u: %s", path, lineno, col, msg);
            st = CX_EINPUT;
            goto done;
        }
        if (out->rows >= total) {
            snprintf(err, errn, "%s:%u:1: more rows than the %" PRIu64 " replicates of the batch",
                     path, lineno, total);
            st = CX_EINPUT;
            goto done;
        }
        uint64_t want = shard_replicate(out->rows, k, count);
        if (rep != want || rseed != seed) {
            snprintf(err, errn, "%s:%u:1: replicate %" PRIu64 " seed %" PRIu64
                     " where replicate %" PRIu64 " seed %" PRIu64 " was expected",
                     path, lineno, rep, rseed, want, seed);
            st = CX_EINPUT;
            goto done;
        }
        out->rows++;
        out->keep_bytes += raw;
    }
    if (ferror(f)) {
        snprintf(err, errn, "%s: read error", path);
        st = CX_EIO;
    }
done:
    free(row);
    free(line);
    fclose(f);
    return st;
}

/* ---- summary.csv ----------------------------------------------------------------------------- */

/* Data rows of a file (lines after the first, not counting blank ones is not needed: an upper
 * bound is enough to size the passes). */
static uint64_t count_lines(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    char buf[65536];
    uint64_t n = 0;
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + got - p))) != NULL; p++) n++;
    fclose(f);
    return n;
}

cx_status cxi_batch_summarize(const char *path, size_t mem_budget, cxi_batch_cols *cols,
                              cxi_stats_summary **sums, uint64_t *nrows, char *err, size_t errn) {
    return cxi_batch_summarize_each(path, mem_budget, cols, sums, nrows, NULL, NULL, err, errn);
}

cx_status cxi_batch_summarize_each(const char *path, size_t mem_budget, cxi_batch_cols *cols,
                                   cxi_stats_summary **sums, uint64_t *nrows,
                                   cxi_batch_column_cb cb, void *ud, char *err, size_t errn) {
    *sums = NULL;
    *nrows = 0;
    cx_status st = cxi_batch_header_read(path, cols, err, errn);
    if (st != CX_OK) return st;
    uint64_t lines = count_lines(path);
    size_t per_pass = cols->n ? cols->n : 1;
    uint64_t row_bytes = (lines ? lines : 1) * sizeof(double);
    if ((uint64_t)mem_budget / row_bytes < per_pass) {
        per_pass = (size_t)((uint64_t)mem_budget / row_bytes);
        if (per_pass == 0) per_pass = 1;
    }
    cxi_stats_summary *s = calloc(cols->n ? cols->n : 1, sizeof *s);
    size_t *which = malloc(per_pass * sizeof *which);
    if (!s || !which) {
        free(s);
        free(which);
        cxi_batch_cols_free(cols);
        snprintf(err, errn, "out of memory");
        return CX_ENOMEM;
    }
    uint64_t n = 0;
    for (size_t c0 = 0; c0 < cols->n; c0 += per_pass) {
        size_t cnt = cols->n - c0 < per_pass ? cols->n - c0 : per_pass;
        for (size_t j = 0; j < cnt; j++) which[j] = c0 + j;
        double **data = NULL;
        st = cxi_batch_columns_load(path, which, cnt, &data, NULL, &n, err, errn);
        if (st != CX_OK) break;
        for (size_t j = 0; j < cnt; j++) {
            cxi_stats_summarize(data[j], (size_t)n, &s[c0 + j]);
            if (st == CX_OK && cb && cb(ud, c0 + j, data[j], &s[c0 + j], n) != 0) {
                snprintf(err, errn, "cannot record column '%s'", cols->names[c0 + j]);
                st = CX_EIO;
            }
            free(data[j]);
        }
        free(data);
        if (st != CX_OK) break;
    }
    if (st == CX_OK && cols->n == 0) {
        double **data = NULL;
        st = cxi_batch_columns_load(path, which, 0, &data, NULL, &n, err, errn);
        free(data);
    }
    free(which);
    if (st != CX_OK) {
        free(s);
        cxi_batch_cols_free(cols);
        return st;
    }
    *sums = s;
    *nrows = n;
    return CX_OK;
}

static void put_num(FILE *f, double v) {
    char buf[40];
    fputc(',', f);
    if (isnan(v)) return; /* undefined: empty cell */
    cxi_batch_fmt(v, buf, sizeof buf);
    fputs(buf, f);
}

cx_status cxi_batch_summary_write(const char *path, const cxi_batch_cols *cols,
                                  const cxi_stats_summary *sums) {
    FILE *f = fopen(path, "wb");
    if (!f) return CX_EIO;
    fputs("metric,n,mean,sd,ci95_low,ci95_high,p5,p50,p95,min,max\n", f);
    for (size_t i = 0; i < cols->n; i++) {
        const cxi_stats_summary *s = &sums[i];
        cxi_csv_put(f, cols->names[i]);
        fprintf(f, ",%zu", s->n);
        put_num(f, s->mean);
        put_num(f, s->sd);
        put_num(f, s->ci95_low);
        put_num(f, s->ci95_high);
        put_num(f, s->p5);
        put_num(f, s->p50);
        put_num(f, s->p95);
        put_num(f, s->min);
        put_num(f, s->max);
        fputc('\n', f);
    }
    int bad = ferror(f);
    if (fclose(f) != 0) bad = 1;
    return bad ? CX_EIO : CX_OK;
}
