#!/usr/bin/python3
# gen_map.py — regenerates scenarios/geo/europe.csv (country outlines for the viewer) from the
# Natural Earth 1:110m data that Debian ships in python3-geopandas (public domain).
# Invariant: output is deterministic (sorted by ISO code, fixed rounding), so a rerun is a no-op diff.
"""Usage: /usr/bin/python3 tools/gen_map.py [OUT.csv]   (needs: apt-get install python3-geopandas)

Writes rows `iso,part,lon,lat`:
  part >= 1  vertex of outer ring number `part` of country `iso` (ISO 3166-1 alpha-2), in order;
             rings are closed implicitly (the last vertex is not repeated);
  part == 0  a marker point for a small state (capital from Natural Earth populated places), drawn
             as a dot when the state's outline is absent at this scale or smaller than a few pixels.
Holes are dropped (none matter at 1:110m in Europe). Polygons are clipped to the box below and
simplified with Douglas-Peucker (shapely's simplify, topology preserved per country).
"""
import sys
import warnings

warnings.filterwarnings("ignore")

import geopandas as gpd  # noqa: E402
from shapely.geometry import MultiPolygon, Polygon, box  # noqa: E402

BOX = (-35.0, 25.0, 60.0, 75.0)  # lon_min, lat_min, lon_max, lat_max
TOLERANCE = 0.03  # degrees, Douglas-Peucker
MIN_RING_AREA = 0.01  # square degrees: islets below this are dropped
DIGITS = 3

# Natural Earth ISO_A3 (as shipped by geopandas) -> ISO 3166-1 alpha-2. N. Cyprus is drawn as
# part of CY (the EU's view); Kosovo has the user-assigned code XK.
A3_TO_A2 = {
    "ALB": "AL", "ARM": "AM", "AUT": "AT", "AZE": "AZ", "BEL": "BE", "BGR": "BG", "BIH": "BA",
    "BLR": "BY", "CHE": "CH", "CYN": "CY", "CYP": "CY", "CZE": "CZ", "DEU": "DE", "DNK": "DK",
    "DZA": "DZ", "EGY": "EG", "ESH": "EH", "ESP": "ES", "EST": "EE", "FIN": "FI", "FRA": "FR",
    "GBR": "GB", "GEO": "GE", "GRC": "GR", "GRL": "GL", "HRV": "HR", "HUN": "HU", "IRL": "IE",
    "IRN": "IR", "IRQ": "IQ", "ISL": "IS", "ISR": "IL", "ITA": "IT", "JOR": "JO", "KAZ": "KZ",
    "KWT": "KW", "LBN": "LB", "LBY": "LY", "LTU": "LT", "LUX": "LU", "LVA": "LV", "MAR": "MA",
    "MDA": "MD", "MKD": "MK", "MNE": "ME", "MRT": "MR", "NLD": "NL", "NOR": "NO", "POL": "PL",
    "PRT": "PT", "PSE": "PS", "ROU": "RO", "RUS": "RU", "SAU": "SA", "SRB": "RS", "SVK": "SK",
    "SVN": "SI", "SWE": "SE", "SYR": "SY", "TUN": "TN", "TUR": "TR", "UKR": "UA", "-99": "XK",
    "TKM": "TM", "UZB": "UZ", "QAT": "QA", "BHR": "BH", "ARE": "AE", "OMN": "OM", "MLI": "ML",
    "NER": "NE", "TCD": "TD", "SDN": "SD",
}

# Small states and their Natural Earth populated place (the capital) used as the marker.
SMALL_STATES = {
    "AD": "Andorra", "CY": "Nicosia", "LI": "Vaduz", "LU": "Luxembourg", "MC": "Monaco",
    "MT": "Valletta", "SM": "San Marino", "VA": "Vatican City",
}


def rings(geom):
    if isinstance(geom, Polygon):
        yield geom.exterior
    elif isinstance(geom, MultiPolygon):
        for g in geom.geoms:
            yield g.exterior
    elif hasattr(geom, "geoms"):
        for g in geom.geoms:
            yield from rings(g)


def main(out_path):
    world = gpd.read_file(gpd.datasets.get_path("naturalearth_lowres"))
    cities = gpd.read_file(gpd.datasets.get_path("naturalearth_cities"))
    clip = box(*BOX)
    shapes = {}
    for a3, geom in zip(world.iso_a3, world.geometry):
        if not geom.intersects(clip):
            continue
        if a3 not in A3_TO_A2:
            sys.exit(f"gen_map.py: no alpha-2 code for '{a3}': add it to A3_TO_A2")
        a2 = A3_TO_A2[a3]
        g = geom.intersection(clip).simplify(TOLERANCE, preserve_topology=True)
        shapes.setdefault(a2, []).append(g)
    rows = []
    for a2 in sorted(shapes):
        part = 0
        for g in shapes[a2]:
            for ring in rings(g):
                if Polygon(ring).area < MIN_RING_AREA and a2 not in SMALL_STATES:
                    continue
                coords = list(ring.coords)
                if len(coords) > 1 and coords[0] == coords[-1]:
                    coords = coords[:-1]
                if len(coords) < 3:
                    continue
                part += 1
                for lon, lat in coords:
                    rows.append((a2, part, lon, lat))
    for a2, city in sorted(SMALL_STATES.items()):
        hit = cities[cities.name == city]
        if len(hit) != 1:
            sys.exit(f"gen_map.py: populated place '{city}' not found once in naturalearth_cities")
        p = hit.geometry.iloc[0]
        rows.append((a2, 0, p.x, p.y))
    rows.sort(key=lambda r: (r[0], r[1]))  # stable: keeps vertex order within a ring
    with open(out_path, "w", newline="\n") as f:
        f.write("iso,part,lon,lat\n")
        for a2, part, lon, lat in rows:
            f.write(f"{a2},{part},{lon:.{DIGITS}f},{lat:.{DIGITS}f}\n")
    print(f"{out_path}: {len(rows)} rows, {len(shapes)} countries")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "scenarios/geo/europe.csv")
