/* mc_mpi.c — a Monte Carlo batch over MPI ranks: workers stream formatted rows to rank 0, which
 * writes them in position order (see mc_mpi.h).
 * Invariant: rank 0 pulls rows in position order and grants each worker at most CREDITS unacknowledged
 * chunks, so memory stays bounded whatever the speed of the ranks, and no cycle of waits exists. */
#include "mc_mpi.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(CRISIM_HAVE_MPI)
#include <mpi.h>
#endif

enum { TAG_DATA = 1, TAG_END = 2, TAG_STOP = 3, TAG_ACK = 4 };
enum { END_DONE = 0, END_STOPPED = 1, END_FAILED = 2 };

#define CHUNK_ROWS 16u            /* rows per message ... */
#define CHUNK_BYTES (32u << 10)   /* ... or this many bytes, whichever comes first */
#define CHUNK_MS 50.0             /* a partial chunk is sent after this long */
#define CREDITS 8u                /* chunks a worker may have in flight */

typedef struct {
    int32_t status;
    int32_t pad;
    uint64_t done;             /* positions of its part delivered */
    uint64_t failed_replicate; /* UINT64_MAX: none */
    char msg[512];
} end_msg;

/* ---- the MPI primitives (stubs without MPI) -------------------------------------------------- */

/* The CLI is one process: this flag is the only state, set once by mc_mpi_begin. */
static int mpi_started;

#if defined(CRISIM_HAVE_MPI)

int mc_mpi_compiled(void) { return 1; }

const char *mc_mpi_library(void) {
    static char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    if (!version[0] && MPI_Get_library_version(version, &len) == MPI_SUCCESS) {
        char *nl = strchr(version, '\n');
        if (nl) *nl = '\0';
        char *comma = strchr(version, ',');
        if (comma) *comma = '\0';
    }
    return version;
}

static void p_send(int to, int tag, const void *buf, size_t n) {
    MPI_Send(buf, (int)n, MPI_BYTE, to, tag, MPI_COMM_WORLD);
}

/* Blocks until a message from `from` is there: its tag and size. */
static void p_probe(int from, int *tag, size_t *n) {
    MPI_Status s;
    int count = 0;
    MPI_Probe(from, MPI_ANY_TAG, MPI_COMM_WORLD, &s);
    MPI_Get_count(&s, MPI_BYTE, &count);
    *tag = s.MPI_TAG;
    *n = (size_t)count;
}

/* 1 when a message from `from` is waiting (its tag and size), without blocking. */
static int p_iprobe(int from, int *tag, size_t *n) {
    MPI_Status s;
    int flag = 0, count = 0;
    MPI_Iprobe(from, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &s);
    if (!flag) return 0;
    MPI_Get_count(&s, MPI_BYTE, &count);
    *tag = s.MPI_TAG;
    *n = (size_t)count;
    return 1;
}

static void p_recv(int from, int tag, void *buf, size_t n) {
    MPI_Recv(buf, (int)n, MPI_BYTE, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

int mc_mpi_begin(int force, int *rank, int *size, char *err, size_t errn) {
    (void)err, (void)errn;
    *rank = 0;
    *size = 1;
    if (!force && mc_mpi_launch_rank() < 0) return 0;
    int provided = 0;
    /* Only the calling thread talks to MPI; the worker threads never do. */
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        snprintf(err, errn, "MPI_Init_thread failed");
        return -1;
    }
    mpi_started = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return 0;
}

void mc_mpi_end(void) {
    if (mpi_started) MPI_Finalize();
    mpi_started = 0;
}

int mc_mpi_local_size(void) {
    if (!mpi_started) return 1;
    MPI_Comm node;
    int n = 1;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) ==
        MPI_SUCCESS) {
        MPI_Comm_size(node, &n);
        MPI_Comm_free(&node);
    }
    return n;
}

int mc_mpi_all_ok(int ok) {
    if (!mpi_started) return ok;
    int in = ok ? 1 : 0, out = 0;
    MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    return out;
}

void mc_mpi_bcast(void *buf, size_t n) {
    if (mpi_started) MPI_Bcast(buf, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD);
}

#else /* no MPI: the batch never has more than one rank */

int mc_mpi_compiled(void) { return 0; }
const char *mc_mpi_library(void) { return ""; }

static void p_send(int to, int tag, const void *buf, size_t n) { (void)to, (void)tag, (void)buf, (void)n; }
static void p_probe(int from, int *tag, size_t *n) {
    (void)from;
    *tag = TAG_STOP;
    *n = 0;
}
static int p_iprobe(int from, int *tag, size_t *n) {
    (void)from, (void)tag, (void)n;
    return 0;
}
static void p_recv(int from, int tag, void *buf, size_t n) { (void)from, (void)tag, (void)buf, (void)n; }

int mc_mpi_begin(int force, int *rank, int *size, char *err, size_t errn) {
    *rank = 0;
    *size = 1;
    if (force) {
        snprintf(err, errn, "this crisim was built without MPI (install an MPI library, e.g. "
                 "Debian's libopenmpi-dev, and rebuild)");
        return -1;
    }
    (void)mpi_started;
    return 0;
}

void mc_mpi_end(void) {}
int mc_mpi_local_size(void) { return 1; }
int mc_mpi_all_ok(int ok) { return ok; }
void mc_mpi_bcast(void *buf, size_t n) { (void)buf, (void)n; }

#endif

int mc_mpi_launch_rank(void) {
    static const char *const vars[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && v[0] >= '0' && v[0] <= '9') return atoi(v);
    }
    return -1;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* The sub-shard of rank r: positions p of shard k/K with p % size == r form shard
 * (k - 1) + r K + 1 of K size, and the first `first` positions of the batch hold this many of it. */
static int sub_shard(const cxi_batch_config *cfg, int r, int size, cxi_batch_config *sub,
                     char *err, size_t errn) {
    uint64_t count = (uint64_t)cfg->shard_count * (uint64_t)size;
    if (count > UINT32_MAX) {
        snprintf(err, errn, "%" PRIu32 " shards x %d ranks is too many (at most 4294967295)",
                 cfg->shard_count, size);
        return -1;
    }
    *sub = *cfg;
    sub->shard_k = (cfg->shard_k - 1) + (uint32_t)r * cfg->shard_count + 1;
    sub->shard_count = (uint32_t)count;
    sub->first = cfg->first > (uint64_t)r ? (cfg->first - (uint64_t)r + (uint64_t)size - 1) / (uint64_t)size : 0;
    return 0;
}

/* ---- rank >= 1 ------------------------------------------------------------------------------- */

typedef struct {
    const cxi_batch_config *user;
    char *buf;
    size_t len, cap;
    unsigned rows;
    double last_send;
    uint64_t sent, acked; /* chunks */
    int stop_seen;        /* the one TAG_STOP message of rank 0 arrived */
    int stopped;          /* stop computing (rank 0 asked, or the user's poll) */
    int oom;
} worker_ctx;

/* Takes one message from rank 0: an ACK (a chunk was taken) or the STOP. */
static void worker_take(worker_ctx *w, int tag, size_t n) {
    char tmp[16];
    char *buf = n <= sizeof tmp ? tmp : malloc(n);
    if (buf) p_recv(0, tag, buf, n);
    if (buf != tmp) free(buf);
    if (tag == TAG_ACK) w->acked++;
    if (tag == TAG_STOP) w->stop_seen = w->stopped = 1;
}

static void worker_flush(worker_ctx *w) {
    if (w->len == 0) return;
    /* out of credits: wait for rank 0 to take a chunk (or to say stop) */
    while (!w->stop_seen && w->sent - w->acked >= CREDITS) {
        int tag;
        size_t n;
        p_probe(0, &tag, &n);
        worker_take(w, tag, n);
    }
    /* rows computed before a signal still go (rank 0 writes up to the first missing one); after
     * rank 0's STOP nobody wants them */
    if (!w->stop_seen) {
        p_send(0, TAG_DATA, w->buf, w->len);
        w->sent++;
    }
    w->len = 0;
    w->rows = 0;
    w->last_send = now_ms();
}

static int worker_sink(void *ud, uint64_t rep, const double *values, size_t ncols, const char *line,
                       size_t len) {
    worker_ctx *w = ud;
    (void)rep, (void)values, (void)ncols;
    if (w->stop_seen) return 0;
    if (w->len + len > w->cap) {
        size_t cap = w->cap ? w->cap : CHUNK_BYTES;
        while (cap < w->len + len) cap *= 2;
        char *b = realloc(w->buf, cap);
        if (!b) {
            w->oom = 1;
            return -1;
        }
        w->buf = b;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, line, len);
    w->len += len;
    w->rows++;
    if (w->rows >= CHUNK_ROWS || w->len >= CHUNK_BYTES) worker_flush(w);
    return 0;
}

static void worker_progress(void *ud, uint64_t done, uint64_t total) {
    worker_ctx *w = ud;
    (void)done, (void)total;
    if (w->len && now_ms() - w->last_send >= CHUNK_MS) worker_flush(w);
}

static int worker_poll(void *ud) {
    worker_ctx *w = ud;
    int tag;
    size_t n;
    while (p_iprobe(0, &tag, &n)) worker_take(w, tag, n);
    if (!w->stopped && w->user->poll && w->user->poll(w->user->ud)) w->stopped = 1;
    return w->stopped;
}

cx_status mc_mpi_run_worker(const cxi_batch_config *cfg, int rank, int size,
                            cxi_batch_outcome *out) {
    worker_ctx w;
    memset(&w, 0, sizeof w);
    w.user = cfg;
    w.last_send = now_ms();
    cxi_batch_config sub;
    cx_status st;
    memset(out, 0, sizeof *out);
    out->failed_replicate = UINT64_MAX;
    if (sub_shard(cfg, rank, size, &sub, out->errmsg, sizeof out->errmsg) != 0) {
        st = CX_EINVAL;
    } else {
        sub.sink = NULL;
        sub.line_sink = worker_sink;
        sub.progress = worker_progress;
        sub.poll = worker_poll;
        sub.ud = &w;
        st = cxi_batch_run(&sub, out);
        if (w.oom) snprintf(out->errmsg, sizeof out->errmsg, "rank %d: out of memory", rank);
    }
    worker_flush(&w); /* the rows before a failure or a signal count too */
    end_msg e;
    memset(&e, 0, sizeof e);
    e.status = st != CX_OK ? END_FAILED : out->stopped || w.stopped ? END_STOPPED : END_DONE;
    e.done = out->done;
    e.failed_replicate = out->failed_replicate;
    if (st != CX_OK)
        snprintf(e.msg, sizeof e.msg, "%s", out->errmsg[0] ? out->errmsg : cx_status_str(st));
    p_send(0, TAG_END, &e, sizeof e);
    /* Rank 0 acknowledges every chunk and sends exactly one TAG_STOP: take them all, so no message
     * is left unreceived at MPI_Finalize. */
    while (!w.stop_seen || w.acked < w.sent) {
        int tag;
        size_t n;
        p_probe(0, &tag, &n);
        worker_take(&w, tag, n);
    }
    free(w.buf);
    return st;
}

/* ---- rank 0 ---------------------------------------------------------------------------------- */

typedef struct {
    char *buf;
    size_t len, pos, cap;
    int ended;
    end_msg end;
    int stop_sent;
} inbox;

typedef struct {
    const cxi_batch_config *user;
    int size;
    uint64_t total, next; /* positions of the batch; the next one to write */
    inbox *in;            /* [size]; in[0] unused */
    int gap;              /* a row that will never come: stop */
    int oom;
    int sink_failed;
} root_ctx;

static uint64_t rep_of(const cxi_batch_config *cfg, uint64_t pos) {
    return (uint64_t)(cfg->shard_k - 1) + pos * cfg->shard_count;
}

/* Receives one message of rank r: a chunk (acknowledged), its end, or anything else (dropped). */
static void receive_one(root_ctx *c, int r, int keep) {
    int tag;
    size_t n;
    inbox *b = &c->in[r];
    p_probe(r, &tag, &n);
    if (tag == TAG_DATA) {
        if (!keep) b->len = b->pos = 0;
        if (b->pos) {
            memmove(b->buf, b->buf + b->pos, b->len - b->pos);
            b->len -= b->pos;
            b->pos = 0;
        }
        if (b->len + n > b->cap) {
            size_t cap = b->cap ? b->cap : CHUNK_BYTES;
            while (cap < b->len + n) cap *= 2;
            char *nb = realloc(b->buf, cap);
            if (!nb) {
                /* cannot keep it: take it anyway (the sender must not block) and stop */
                char *tmp = malloc(n ? n : 1);
                if (tmp) p_recv(r, tag, tmp, n);
                free(tmp);
                c->oom = c->gap = 1;
                p_send(r, TAG_ACK, "", 1);
                return;
            }
            b->buf = nb;
            b->cap = cap;
        }
        p_recv(r, TAG_DATA, b->buf + b->len, n);
        b->len += n;
        p_send(r, TAG_ACK, "", 1);
    } else if (tag == TAG_END && n == sizeof b->end) {
        p_recv(r, TAG_END, &b->end, sizeof b->end);
        b->end.msg[sizeof b->end.msg - 1] = '\0';
        b->ended = 1;
    } else {
        char *tmp = malloc(n ? n : 1);
        if (tmp) p_recv(r, tag, tmp, n);
        free(tmp);
    }
}

/* The next row of rank r: 1 with *line, *len; 0 when it will never come (the rank ended). */
static int fetch(root_ctx *c, int r, const char **line, size_t *len) {
    inbox *b = &c->in[r];
    for (;;) {
        char *nl = b->len > b->pos ? memchr(b->buf + b->pos, '\n', b->len - b->pos) : NULL;
        if (nl) {
            *line = b->buf + b->pos;
            *len = (size_t)(nl + 1 - *line);
            b->pos += *len;
            return 1;
        }
        if (b->ended || c->oom) return 0;
        receive_one(c, r, 1);
    }
}

/* Writes the rows of other ranks up to position `upto` (excluded). 0, or -1 at a gap / failure. */
static int write_others(root_ctx *c, uint64_t upto) {
    const cxi_batch_config *u = c->user;
    size_t ncols = u->cols ? u->cols->n : 0;
    while (c->next < upto && !c->gap) {
        int r = (int)(c->next % (uint64_t)c->size);
        const char *line;
        size_t len;
        if (r == 0 || !fetch(c, r, &line, &len)) {
            c->gap = 1;
            break;
        }
        if (u->line_sink(u->ud, rep_of(u, c->next), NULL, ncols, line, len) != 0) {
            c->gap = c->sink_failed = 1;
            break;
        }
        c->next++;
    }
    return c->gap ? -1 : 0;
}

static int root_sink(void *ud, uint64_t rep, const double *values, size_t ncols, const char *line,
                     size_t len) {
    root_ctx *c = ud;
    const cxi_batch_config *u = c->user;
    uint64_t pos = (rep - (uint64_t)(u->shard_k - 1)) / u->shard_count;
    if (c->gap || write_others(c, pos) != 0) return c->sink_failed ? -1 : 0;
    if (u->line_sink(u->ud, rep, values, ncols, line, len) != 0) {
        c->gap = c->sink_failed = 1;
        return -1;
    }
    c->next = pos + 1;
    return 0;
}

static void root_progress(void *ud, uint64_t done, uint64_t total) {
    root_ctx *c = ud;
    (void)done, (void)total;
    if (c->user->progress) c->user->progress(c->user->ud, c->next, c->total);
}

static int root_poll(void *ud) {
    root_ctx *c = ud;
    return c->gap || (c->user->poll && c->user->poll(c->user->ud));
}

cx_status mc_mpi_run_root(const cxi_batch_config *cfg, int size, cxi_batch_outcome *out) {
    memset(out, 0, sizeof *out);
    out->failed_replicate = UINT64_MAX;
    if (!cfg->line_sink || size < 2) {
        snprintf(out->errmsg, sizeof out->errmsg, "invalid MPI batch configuration");
        return CX_EINVAL;
    }
    root_ctx c;
    memset(&c, 0, sizeof c);
    c.user = cfg;
    c.size = size;
    c.total = cxi_batch_shard_size(cfg->n, cfg->shard_k, cfg->shard_count);
    c.next = cfg->first;
    c.in = calloc((size_t)size, sizeof *c.in);
    cxi_batch_config sub;
    cxi_batch_outcome mine;
    memset(&mine, 0, sizeof mine);
    cx_status st = CX_OK;
    if (!c.in) {
        snprintf(mine.errmsg, sizeof mine.errmsg, "out of memory");
        st = CX_ENOMEM;
    } else if (sub_shard(cfg, 0, size, &sub, mine.errmsg, sizeof mine.errmsg) != 0) {
        st = CX_EINVAL;
    } else {
        sub.sink = NULL;
        sub.line_sink = root_sink;
        sub.progress = root_progress;
        sub.poll = root_poll;
        sub.ud = &c;
        st = cxi_batch_run(&sub, &mine);
        /* rows of the other ranks after rank 0's last one */
        if (st == CX_OK && !c.gap) write_others(&c, c.total);
    }
    int complete = st == CX_OK && c.next == c.total && !c.sink_failed;

    /* Why the first missing row is missing: a failed replicate (or setup) on its rank, a rank that
     * stopped, or rank 0 itself. */
    int owner = c.in ? (int)(c.next % (uint64_t)size) : 0;
    cx_status wst = CX_OK;
    char wmsg[512] = "";
    uint64_t wfailed = UINT64_MAX;
    for (int r = 1; c.in && r < size; r++) {
        /* everyone still running stops, then every rank's messages are taken up to its end */
        if (!complete && !c.in[r].stop_sent) {
            p_send(r, TAG_STOP, "", 1);
            c.in[r].stop_sent = 1;
        }
    }
    for (int r = 1; c.in && r < size; r++) {
        while (!c.in[r].ended) receive_one(&c, r, 0);
        if (!c.in[r].stop_sent) {
            p_send(r, TAG_STOP, "", 1);
            c.in[r].stop_sent = 1;
        }
        if (!complete && r == owner && c.in[r].end.status == END_FAILED) {
            wst = CX_ERUNTIME;
            wfailed = c.in[r].end.failed_replicate;
            snprintf(wmsg, sizeof wmsg, "%s", c.in[r].end.msg);
        }
    }
    out->done = c.next;
    if (c.sink_failed && st == CX_OK) {
        st = CX_EIO;
        snprintf(out->errmsg, sizeof out->errmsg, "cannot record replicate %" PRIu64,
                 rep_of(cfg, c.next));
    } else if (c.oom && st == CX_OK) {
        st = CX_ENOMEM;
        snprintf(out->errmsg, sizeof out->errmsg, "out of memory receiving rows");
    } else if (st != CX_OK && (owner == 0 || wst == CX_OK)) {
        out->failed_replicate = mine.failed_replicate;
        snprintf(out->errmsg, sizeof out->errmsg, "%s", mine.errmsg);
    } else if (wst != CX_OK) {
        st = wst;
        out->failed_replicate = wfailed;
        snprintf(out->errmsg, sizeof out->errmsg, "rank %d: %.480s", owner, wmsg);
    }
    out->stopped = st == CX_OK && !complete;
    if (cfg->progress && st == CX_OK) cfg->progress(cfg->ud, c.next, c.total);
    for (int r = 0; c.in && r < size; r++) free(c.in[r].buf);
    free(c.in);
    return st;
}
