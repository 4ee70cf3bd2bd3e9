/* sitrep.c — builds the situation report (IPCR, affected regions, outages, incidents, UCPM, clocks,
 * trust, key metrics) from the run state of every model, as Markdown.
 * Invariant: read-only on the models (only the metrics of the current instant are settled); every
 * list is in index order, so the same state always gives the same bytes. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/io_api.h"
#include "io/sitrep.h"
#include "model/hybrid.h"
#include "model/response.h"
#include "model/sim_int.h"

void cxi_sitrep_offset(cx_time t, char *buf, size_t n) {
    uint64_t a = t < 0 ? (uint64_t)(-(t + 1)) + 1 : (uint64_t)t;
    uint64_t h = a / 3600, m = a / 60 % 60, s = a % 60;
    if (s)
        snprintf(buf, n, "T%c%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, t < 0 ? '-' : '+', h, m, s);
    else
        snprintf(buf, n, "T%c%02" PRIu64 ":%02" PRIu64, t < 0 ? '-' : '+', h, m);
}

void cxi_sitrep_clock(int64_t unix_s, char *buf, size_t n) {
    char iso[40];
    cxi_datetime_format(unix_s, iso, sizeof iso); /* 2024-06-06T07:30:00Z */
    if (strlen(iso) < 20) {
        snprintf(buf, n, "%s", iso);
        return;
    }
    if (iso[17] == '0' && iso[18] == '0')
        snprintf(buf, n, "%.10s %.5sZ", iso, iso + 11);
    else
        snprintf(buf, n, "%.10s %.8sZ", iso, iso + 11);
}

/* "12 345 678": grouped digits are easier to read aloud. */
static void people(double v, char *buf, size_t n) {
    char raw[48];
    if (!isfinite(v)) v = 0;
    snprintf(raw, sizeof raw, "%.0f", v < 0 ? 0 : v);
    size_t len = strlen(raw), o = 0;
    for (size_t i = 0; i < len && o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0) buf[o++] = ' ';
        buf[o++] = raw[i];
    }
    buf[o] = '\0';
}

static void when(const cx_sim *sim, cx_time t, char *buf, size_t n) {
    char off[32], clk[40];
    cxi_sitrep_offset(t, off, sizeof off);
    cxi_sitrep_clock(sim->sc->params.start_unix + t, clk, sizeof clk);
    snprintf(buf, n, "%s (%s)", off, clk);
}

static const char *unit_state(int s) {
    static const char *const names[] = {"available", "offered",   "mobilising",
                                        "in transit", "operating", "returning"};
    return s >= 0 && s <= CXI_UNIT_RETURNING ? names[s] : "";
}

static const char *req_state(int s) {
    static const char *const names[] = {"requested", "relayed by the ERCC", "covered", "lapsed",
                                        "closed"};
    return s >= 0 && s <= CXI_REQ_CLOSED ? names[s] : "";
}

static void needs_text(const double *a, char *buf, size_t n) {
    size_t o = 0;
    buf[0] = '\0';
    for (int k = 0; k < CX_NEED_COUNT && o + 1 < n; k++) {
        if (!(a[k] > 0)) continue;
        int w = snprintf(buf + o, n - o, "%s%s %.3g", o ? ", " : "", cxi_need_name(k), a[k]);
        if (w < 0) break;
        o += (size_t)w;
    }
    if (!buf[0]) snprintf(buf, n, "none left");
}

static uint32_t region_assets_out(const cx_sim *sim, uint32_t r) {
    uint32_t k = 0;
    for (uint32_t a = 0; a < sim->sc->nassets; a++)
        if (sim->sc->assets[a].region == r && sim->as[a].q > 0) k++;
    return k;
}

static void sec_ipcr(cx_sim *sim, FILE *f) {
    const cxi_resp *R = sim->resp;
    fprintf(f, "## IPCR\n\n");
    if (!R) {
        fprintf(f, "No response model in this scenario (IPCR is not simulated).\n\n");
        return;
    }
    fprintf(f, "- Mode: **%s**%s\n", cxi_ipcr_mode_name(R->mode),
            R->art222 ? " (solidarity clause invoked)" : "");
    fprintf(f, "- Member states affected: %" PRIu32 " (with disrupted infrastructure: %" PRIu32 ")\n",
            R->n_affected, R->n_disrupted);
    fprintf(f, "- ISAA reports: %" PRIu32 "; roundtables: %" PRIu32 "\n\n", R->isaa_n,
            R->roundtable_n);
}

static void sec_regions(cx_sim *sim, FILE *f) {
    const cx_scenario *sc = sim->sc;
    fprintf(f, "## Affected regions\n\n");
    int any = 0;
    for (uint32_t r = 0; r < sc->nregions; r++) {
        uint32_t out = region_assets_out(sim, r);
        uint32_t inc = sim->resp ? sim->resp->inc_open_r[r] : 0;
        double trust = 1.0;
        int fimi = 0;
        if (sim->hyb && sim->hyb->trust[r].used) {
            trust = cxi_hybrid_trust(sim, r);
            fimi = sim->hyb->trust[r].ncamp > 0;
        }
        if (!out && !inc && !(trust < 0.999) && !fimi) continue;
        any = 1;
        const char *name = sc->regions[r].name && sc->regions[r].name[0] ? sc->regions[r].name
                                                                         : sc->regions[r].code;
        fprintf(f, "- **%s** (%s):", sc->regions[r].code, name);
        const char *sep = " ";
        if (out) {
            fprintf(f, "%s%" PRIu32 " asset%s out", sep, out, out == 1 ? "" : "s");
            sep = "; ";
        }
        if (inc) {
            fprintf(f, "%s%" PRIu32 " open incident%s", sep, inc, inc == 1 ? "" : "s");
            sep = "; ";
        }
        if (fimi) {
            fprintf(f, "%sdisinformation campaign under way", sep);
            sep = "; ";
        }
        if (trust < 0.999) fprintf(f, "%spublic trust %.2f", sep, trust);
        fprintf(f, "\n");
    }
    fprintf(f, "%s\n", any ? "" : "None.\n");
}

static void sec_outages(cx_sim *sim, FILE *f) {
    const cx_scenario *sc = sim->sc;
    const cx_params *p = &sc->params;
    fprintf(f, "## Infrastructure outages\n\n");
    uint32_t failed[CX_SECTOR_COUNT] = {0}, degraded[CX_SECTOR_COUNT] = {0};
    double pop[CX_SECTOR_COUNT] = {0}, total = 0;
    int any = 0;
    for (uint32_t a = 0; a < sc->nassets; a++) {
        int32_t q = sim->as[a].q;
        if (q <= 0) continue;
        int s = sc->assets[a].sector;
        double op = 1.0 - (double)q / CXI_Q_FULL;
        if (op <= p->failed_below)
            failed[s]++;
        else
            degraded[s]++;
        double v = sc->assets[a].population * (double)q / CXI_Q_FULL;
        pop[s] += v;
        total += v;
        any = 1;
    }
    if (!any) {
        fprintf(f, "No infrastructure outage.\n\n");
        return;
    }
    char num[48];
    fprintf(f, "| sector | failed | degraded | population without service |\n");
    fprintf(f, "|---|---:|---:|---:|\n");
    for (int s = 0; s < CX_SECTOR_COUNT; s++) {
        if (!failed[s] && !degraded[s]) continue;
        people(pop[s], num, sizeof num);
        fprintf(f, "| %s | %" PRIu32 " | %" PRIu32 " | %s |\n", cxi_sector_name(s), failed[s],
                degraded[s], num);
    }
    people(total, num, sizeof num);
    fprintf(f, "\nPopulation without service: **%s**.\n\n", num);
    fprintf(f, "Assets out:\n\n");
    for (uint32_t a = 0; a < sc->nassets; a++) {
        const cxi_asset_state *s = &sim->as[a];
        if (s->q <= 0) continue;
        char due[128] = "";
        if (s->repair_pending && s->repair_due <= sim->horizon) {
            char w[96];
            when(sim, s->repair_due, w, sizeof w);
            snprintf(due, sizeof due, ", repair due %s", w);
        }
        fprintf(f, "- %s (%s, %s): %s, operability %.2f%s\n", sc->assets[a].id,
                cxi_sector_name(sc->assets[a].sector), sc->regions[sc->assets[a].region].code,
                cxi_state_name(s->state), 1.0 - (double)s->q / CXI_Q_FULL, due);
    }
    fprintf(f, "\n");
}

static void sec_incidents(cx_sim *sim, FILE *f) {
    const cxi_resp *R = sim->resp;
    if (!R) return;
    const cx_scenario *sc = sim->sc;
    fprintf(f, "## Incidents and needs\n\n");
    int any = 0;
    for (uint32_t i = 0; i < R->ninc; i++) {
        const cxi_incident *I = &R->inc[i];
        if (I->state == CXI_INC_CLOSED) continue;
        char w[96], u[64], needs[400];
        /* amounts as of the incident's last update: advancing them here would change the run */
        when(sim, I->t_open, w, sizeof w);
        cxi_sitrep_offset(I->t_upd, u, sizeof u);
        needs_text(I->a, needs, sizeof needs);
        fprintf(f, "- %s in %s, %s since %s: remaining needs %s (as of %s)\n", I->id,
                sc->regions[I->region].code, I->state == CXI_INC_OPEN ? "open" : "contained", w,
                needs, u);
        any = 1;
    }
    fprintf(f, "%s\n", any ? "" : "No open incident.\n");
}

static void sec_ucpm(cx_sim *sim, FILE *f) {
    const cxi_resp *R = sim->resp;
    if (!R) return;
    const cx_scenario *sc = sim->sc;
    fprintf(f, "## UCPM requests, offers and deployments\n\n");
    int any = 0;
    for (uint32_t q = 0; q < R->nreq; q++) {
        const cxi_request *Q = &R->req[q];
        char w[96];
        when(sim, Q->t_req, w, sizeof w);
        fprintf(f, "- Request %s by %s at %s: %s\n", Q->id, sc->regions[Q->region].code, w,
                req_state(Q->state));
        any = 1;
    }
    for (uint32_t u = 0; u < R->nunits; u++) {
        const cxi_unit *U = &R->units[u];
        if (U->state == CXI_UNIT_AVAILABLE) continue;
        const cx_capacity *C = &sc->capacities[U->cap];
        const char *dest = U->inc >= 0 && (uint32_t)U->inc < R->ninc
                               ? sc->regions[R->inc[U->inc].region].code
                               : "";
        fprintf(f, "- Unit %s (%s, %s, %s): %s%s%s", U->name, C->type ? C->type : "",
                sc->regions[C->owner].code, cxi_pool_name(C->pool), unit_state(U->state),
                dest[0] ? " for " : "", dest);
        char w[96];
        if (U->state == CXI_UNIT_OPERATING) {
            when(sim, U->op_start, w, sizeof w);
            fprintf(f, ", on site since %s", w);
        } else if (U->state == CXI_UNIT_MOBILISING || U->state == CXI_UNIT_TRANSIT) {
            cx_time at = U->state == CXI_UNIT_MOBILISING ? U->t_depart : U->t_arrive;
            const char *what = U->state == CXI_UNIT_MOBILISING ? "departs" : "expected on site";
            if (at == CX_TIME_NEVER) {
                fprintf(f, ", %s after the end of the scenario", what);
            } else {
                when(sim, at, w, sizeof w);
                fprintf(f, ", %s %s", what, w);
            }
        }
        fprintf(f, "\n");
        any = 1;
    }
    fprintf(f, "%s\n", any ? "" : "No request, offer or deployment.\n");
}

static void sec_clocks(cx_sim *sim, FILE *f) {
    const cxi_hyb *H = sim->hyb;
    if (!H) return;
    cx_time now = cxi_kernel_now(sim->k);
    fprintf(f, "## Notification deadlines\n\n");
    if (!H->nclocks) {
        fprintf(f, "No notification clock running.\n\n");
        return;
    }
    for (uint32_t c = 0; c < H->nclocks; c++) {
        const cxi_clock *K = &H->clocks[c];
        char w[96], left[40];
        when(sim, K->due, w, sizeof w);
        if (K->state == CXI_CLOCK_MET)
            fprintf(f, "- %s: met (deadline %s)\n", K->name, w);
        else if (K->state == CXI_CLOCK_MISSED || K->due < now)
            fprintf(f, "- %s: **MISSED** (deadline %s)\n", K->name, w);
        else {
            cxi_duration_format(K->due - now, left, sizeof left);
            fprintf(f, "- %s: **due in %s** (deadline %s)\n", K->name, left, w);
        }
    }
    fprintf(f, "\n");
}

static void sec_trust(cx_sim *sim, FILE *f) {
    const cxi_hyb *H = sim->hyb;
    if (!H) return;
    const cx_scenario *sc = sim->sc;
    int any = 0;
    for (uint32_t r = 0; r < sc->nregions && !any; r++) any = H->trust[r].used;
    if (!any) return;
    fprintf(f, "## Public trust\n\n| region | trust now | lowest | campaigns | countermeasures |\n");
    fprintf(f, "|---|---:|---:|---:|---|\n");
    for (uint32_t r = 0; r < sc->nregions; r++) {
        const cxi_trust *T = &H->trust[r];
        if (!T->used) continue;
        double v = cxi_hybrid_trust(sim, r);
        char cm[64] = "";
        snprintf(cm, sizeof cm, "%s%s%s", T->hrrt ? "HRRT " : "", T->pubcom ? "public-comms " : "",
                 T->platform ? "platform-notice" : "");
        size_t l = strlen(cm);
        while (l && cm[l - 1] == ' ') cm[--l] = '\0';
        fprintf(f, "| %s | %.2f | %.2f | %" PRIu32 " | %s |\n", sc->regions[r].code, v,
                T->low < v ? T->low : v, T->ncamp, l ? cm : "none");
    }
    fprintf(f, "\n");
}

static cx_status sec_metrics(cx_sim *sim, FILE *f) {
    const cx_metric *m = NULL;
    size_t n = 0;
    cx_status st = cx_sim_metrics(sim, &m, &n);
    if (st != CX_OK) return st;
    fprintf(f, "## Key metrics (so far)\n\n");
    for (size_t i = 0; i < n; i++) {
        if (m[i].sector[0] || m[i].region[0]) continue;
        double v = isfinite(m[i].value) ? m[i].value : 0.0;
        /* whole numbers above 1000 in full: "18000", not "1.8e+04", when read aloud */
        fprintf(f, fabs(v) >= 1000 ? "- %s: %.0f %s\n" : "- %s: %.4g %s\n", m[i].name, v,
                m[i].unit);
    }
    fprintf(f, "\n");
    return CX_OK;
}

cx_status cxi_sitrep_write(cx_sim *sim, FILE *f, int move, const char *heading) {
    if (!sim || !f) return CX_EINVAL;
    const cx_scenario *sc = sim->sc;
    const char *title = sc->params.title && sc->params.title[0] ? sc->params.title
                        : sc->params.name                       ? sc->params.name
                                                                : "";
    char w[96];
    when(sim, cxi_kernel_now(sim->k), w, sizeof w);
    fprintf(f, "# %s\n\n**%s**  \n", heading ? heading : "Situation report", title);
    fprintf(f, "Time: **%s**", w);
    if (move >= 0) fprintf(f, ", move %d", move);
    fprintf(f, "\n\n");
    sec_ipcr(sim, f);
    sec_regions(sim, f);
    sec_outages(sim, f);
    sec_incidents(sim, f);
    sec_ucpm(sim, f);
    sec_clocks(sim, f);
    sec_trust(sim, f);
    cx_status st = sec_metrics(sim, f);
    if (st != CX_OK) return st;
    return ferror(f) ? CX_EIO : CX_OK;
}
