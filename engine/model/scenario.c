/* scenario.c — sector names, default parameters and id lookups of the in-memory scenario.
 * Invariant: lookups use the loader's hash indexes when present and fall back to a linear scan,
 * so hand-built scenarios (tests) work without them. */
#include <ctype.h>
#include <string.h>

#include "model/scenario.h"

static const char *const sector_names[CX_SECTOR_COUNT] = {
#define CX_SECTOR_NAME(e, s) s,
    CX_SECTOR_LIST(CX_SECTOR_NAME)
#undef CX_SECTOR_NAME
};

const char *cxi_sector_name(int sector) {
    return sector >= 0 && sector < CX_SECTOR_COUNT ? sector_names[sector] : "";
}

int cxi_sector_parse(const char *s) {
    if (!s) return -1;
    for (int i = 0; i < CX_SECTOR_COUNT; i++) {
        const char *a = s, *b = sector_names[i];
        while (*a && tolower((unsigned char)*a) == *b) a++, b++;
        if (!*a && !*b) return i;
    }
    return -1;
}

void cxi_params_default(cx_params *p) {
    memset(p, 0, sizeof *p);
    p->name = "";
    p->title = "";
    p->start_unix = 0;
    p->horizon = 0;
    p->seed = 1;
    p->turn = 6 * 3600;
    p->mode = CX_MODEL_ASSETS;
    p->degraded_below = 0.999;
    p->failed_below = 0.2;
    p->service_restored = 0.95;
    p->iim_step = 3600;
    for (int i = 0; i < CX_SECTOR_COUNT; i++) p->iim_resilience[i] = 0.1;
    cxi_response_params_default(p);
    cxi_hybrid_params_default(&p->hybrid);
}

/* FNV-1a spreads the last bytes of similar ids ("A1001", "A1002") over few bits; the murmur3
 * finalizer mixes them into all bits so open addressing does not cluster. */
uint32_t cxi_scenario_slot_hash(const char *s) {
    uint64_t h = cxi_fnv1a(CXI_FNV_OFFSET, s, strlen(s));
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return (uint32_t)h;
}

static const char *region_id(const cx_scenario *sc, uint32_t i) { return sc->regions[i].code; }
static const char *asset_id(const cx_scenario *sc, uint32_t i) { return sc->assets[i].id; }

static int32_t lookup(const cx_scenario *sc, const uint32_t *slots, uint32_t nslots, uint32_t n,
                      const char *(*id)(const cx_scenario *, uint32_t), const char *key) {
    if (!key) return -1;
    if (slots && nslots) {
        uint32_t mask = nslots - 1, h = cxi_scenario_slot_hash(key) & mask;
        for (uint32_t probes = 0; probes < nslots; probes++, h = (h + 1) & mask) {
            uint32_t v = slots[h];
            if (v == 0) return -1;
            if (v - 1 < n && !strcmp(id(sc, v - 1), key)) return (int32_t)(v - 1);
        }
        return -1;
    }
    for (uint32_t i = 0; i < n; i++)
        if (id(sc, i) && !strcmp(id(sc, i), key)) return (int32_t)i;
    return -1;
}

int32_t cxi_scenario_region_index(const cx_scenario *sc, const char *code) {
    if (!sc) return -1;
    return lookup(sc, sc->region_slots, sc->region_nslots, sc->nregions, region_id, code);
}

int32_t cxi_scenario_asset_index(const cx_scenario *sc, const char *id) {
    if (!sc) return -1;
    return lookup(sc, sc->asset_slots, sc->asset_nslots, sc->nassets, asset_id, id);
}
