/* msel_harness.h — test helper for triggers and decisions: writes a scenario folder (the files of
 * tests/data/msel/base, with injects.csv / decisions.csv / capacities.csv replaced), loads and runs
 * it, and keeps the records. Invariant: every folder is made under /tmp and removed by mh_free. */
#ifndef CX_MSEL_HARNESS_H
#define CX_MSEL_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crisim.h"

typedef struct {
    cx_time t;
    cx_rec_kind kind;
    char entity[64], region[16], state[32], cause[64], text[160];
} mh_rec;

typedef struct {
    char dir[64];
    cx_scenario *sc;
    cx_diags *diags;
    mh_rec *r;
    size_t n, cap;
} mh_run;

static inline int mh_on_record(void *ud, const cx_record *rec) {
    mh_run *m = ud;
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 64;
        m->r = realloc(m->r, m->cap * sizeof *m->r);
        if (!m->r) abort();
    }
    mh_rec *x = &m->r[m->n++];
    x->t = rec->t;
    x->kind = rec->kind;
    snprintf(x->entity, sizeof x->entity, "%s", rec->entity);
    snprintf(x->region, sizeof x->region, "%s", rec->region);
    snprintf(x->state, sizeof x->state, "%s", rec->state);
    snprintf(x->cause, sizeof x->cause, "%s", rec->cause);
    snprintf(x->text, sizeof x->text, "%s", rec->text);
    return 0;
}

static inline void mh_write(const char *dir, const char *name, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) abort();
    fputs(text, f);
    fclose(f);
}

static inline void mh_copy(const char *dir, const char *name) {
    char path[512], buf[4096];
    snprintf(path, sizeof path, "%s/msel/base/%s", CX_TEST_DATA, name);
    FILE *f = fopen(path, "r");
    if (!f) abort();
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    mh_write(dir, name, buf);
}

/* Writes the folder; NULL keeps the base file, "" leaves the file out. Returns the load status. */
static inline cx_status mh_load(mh_run *m, const char *injects, const char *decisions,
                         const char *capacities) {
    memset(m, 0, sizeof *m);
    snprintf(m->dir, sizeof m->dir, "/tmp/cx_msel_XXXXXX");
    if (!mkdtemp(m->dir)) abort();
    mh_copy(m->dir, "scenario.csv");
    mh_copy(m->dir, "regions.csv");
    mh_copy(m->dir, "assets.csv");
    const char *names[3] = {"injects.csv", "decisions.csv", "capacities.csv"};
    const char *texts[3] = {injects, decisions, capacities};
    for (int i = 0; i < 3; i++) {
        if (!texts[i])
            mh_copy(m->dir, names[i]);
        else if (texts[i][0])
            mh_write(m->dir, names[i], texts[i]);
    }
    if (cx_diags_create(&m->diags) != CX_OK) abort();
    return cx_scenario_load(m->dir, NULL, &m->sc, m->diags);
}

static inline cx_status mh_run_it(mh_run *m) {
    cx_sim *sim = NULL;
    cx_sim_config cfg = cx_sim_config_default();
    cfg.seed = 1;
    cx_status st = cx_sim_create(m->sc, &cfg, &sim);
    if (st != CX_OK) return st;
    cx_observer o = {m, mh_on_record};
    cx_sim_subscribe(sim, &o);
    st = cx_sim_run(sim);
    cx_sim_destroy(sim);
    return st;
}

static inline void mh_free(mh_run *m) {
    const char *names[] = {"scenario.csv",  "regions.csv",   "assets.csv",
                           "injects.csv",   "decisions.csv", "capacities.csv"};
    char path[256];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", m->dir, names[i]);
        unlink(path);
    }
    rmdir(m->dir);
    cx_scenario_destroy(m->sc);
    cx_diags_destroy(m->diags);
    free(m->r);
}

/* First record of (kind, entity, state; NULL = any), or NULL. */
static inline const mh_rec *mh_find(const mh_run *m, cx_rec_kind k, const char *entity,
                             const char *state) {
    for (size_t i = 0; i < m->n; i++)
        if (m->r[i].kind == k && !strcmp(m->r[i].entity, entity) &&
            (!state || !strcmp(m->r[i].state, state)))
            return &m->r[i];
    return NULL;
}

static inline size_t mh_count(const mh_run *m, cx_rec_kind k, const char *entity, const char *state) {
    size_t c = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->r[i].kind == k && (!entity || !strcmp(m->r[i].entity, entity)) &&
            (!state || !strcmp(m->r[i].state, state)))
            c++;
    return c;
}

/* Time the inject fired, -1 when it did not. */
static inline cx_time mh_fired(const mh_run *m, const char *inject) {
    const mh_rec *r = mh_find(m, CX_REC_INJECT, inject, NULL);
    return r ? r->t : -1;
}

#endif
