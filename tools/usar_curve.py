#!/usr/bin/env python3
"""International USAR arrival curve of a crisim scenario over N replicates.

usage: python3 tools/usar_curve.py CRISIM SCENARIO_DIR N

Runs `CRISIM run SCENARIO_DIR --replicate i --out TMP/i --quiet` for i = 0..N-1 (the
scenario's seed) and reads each timeline.csv. International USAR units are the units
`<capacity id>#<k>` of capacities.csv rows with type usar_medium or usar_heavy and an owner
other than TR. At T+5h, T+18h, T+36h and T+60h (T = the scenario's start, the quake) it
counts the distinct units that have by then (cumulatively, t <= T+h):
  offered   - had a capacity row `offered`
  accepted  - had a row `mobilising`, `transit`, `operating` or `returning` (mobilising or later)
  on site   - had a row `operating`
and prints a Markdown table with the median and p5-p95 over the replicates (quantiles as in
crisim mc: linear interpolation at (n-1)p of the sorted values) next to the 2023 figures of
DOMAIN.md [14]. Python 3 standard library only.
"""
import csv
import os
import subprocess
import sys
import tempfile

HOURS = [5, 18, 36, 60]
USAR_TYPES = {"usar_medium", "usar_heavy"}
HOST = "TR"
ACCEPTED = {"mobilising", "transit", "operating", "returning"}

# 2023 Türkiye figures (DOMAIN.md calibration case, [14]) per hour: offered, accepted, on site
FIGURES_2023 = {
    5: ("10 teams from 8 states mobilised ~4–5 h", "—"),
    18: ("27 teams by that night", "—"),
    36: ("—", "11 teams on site ~T+1.5 d"),
    60: ("36 teams from 23 countries by ~T+60 h (8 Feb)", "—"),
}


def quantile(sorted_vals, p):
    n = len(sorted_vals)
    pos = (n - 1) * p
    lo = int(pos)
    hi = min(lo + 1, n - 1)
    frac = pos - lo
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * frac


def fmt(x):
    return str(int(x)) if float(x).is_integer() else "%.1f" % x


def international_usar(scenario_dir):
    ids = set()
    with open(os.path.join(scenario_dir, "capacities.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["type"].strip() in USAR_TYPES and row["owner"].strip() != HOST:
                ids.add(row["id"].strip())
    return ids


def first_times(timeline, cap_ids):
    """unit -> {'offered': t, 'accepted': t, 'onsite': t} (first time each was reached)."""
    first = {}
    with open(timeline, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] != "capacity":
                continue
            unit = row["entity"]
            if unit.rsplit("#", 1)[0] not in cap_ids:
                continue
            t = int(row["t"])
            st = row["state"]
            d = first.setdefault(unit, {})
            keys = []
            if st == "offered":
                keys.append("offered")
            if st in ACCEPTED:
                keys.append("accepted")
            if st == "operating":
                keys.append("onsite")
            for k in keys:
                if k not in d:
                    d[k] = t
    return first


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: python3 tools/usar_curve.py CRISIM SCENARIO_DIR N\n")
        return 2
    crisim, scen, n = argv[1], argv[2], int(argv[3])
    cap_ids = international_usar(scen)
    counts = {h: {"offered": [], "accepted": [], "onsite": []} for h in HOURS}
    with tempfile.TemporaryDirectory(prefix="usar_curve.") as tmp:
        for i in range(n):
            out = os.path.join(tmp, str(i))
            subprocess.run([crisim, "run", scen, "--replicate", str(i), "--out", out, "--quiet"],
                           check=True, stdout=subprocess.DEVNULL)
            first = first_times(os.path.join(out, "timeline.csv"), cap_ids)
            for h in HOURS:
                lim = h * 3600
                for k in ("offered", "accepted", "onsite"):
                    counts[h][k].append(sum(1 for d in first.values() if d.get(k, lim + 1) <= lim))

    def cell(vals):
        s = sorted(vals)
        return "%s (%s–%s)" % (fmt(quantile(s, 0.5)), fmt(quantile(s, 0.05)), fmt(quantile(s, 0.95)))

    print("International USAR units (%d rows of capacities.csv, usar_medium/usar_heavy, owner not %s), "
          "%d replicates, median (p5–p95):" % (len(cap_ids), HOST, n))
    print()
    print("| hours after the quake | offered | accepted (mobilising or later) | on site (operating) "
          "| 2023: offered / accepted | 2023: on site |")
    print("|---|---|---|---|---|---|")
    for h in HOURS:
        c = counts[h]
        f_acc, f_site = FIGURES_2023[h]
        print("| %d | %s | %s | %s | %s | %s |" % (h, cell(c["offered"]), cell(c["accepted"]),
                                                  cell(c["onsite"]), f_acc, f_site))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
