"""A synthetic data folder for benchmarks and browser tests: an n-district grid over Aleppo.

The government takes the opposition's districts one after another from 15 Nov to 22 Dec, with
a district split by a share, one disputed by two sources, routes that are proposed then used,
checkpoints active during the evacuation and evacuation figures from two sources.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

X0, Y0 = 37.10, 36.15
START = dt.date(2016, 11, 15)
DAYS = 38


def _square(x: float, y: float, size: float) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [[[round(a, 6), round(b, 6)] for a, b in ring]]}


def districts(n: int, size: float = 0.01) -> dict:
    """``n`` square districts in a grid, ids S001..."""
    cols = math.ceil(math.sqrt(n))
    feats = [
        {
            "type": "Feature",
            "properties": {
                "id": f"S{i + 1:03d}",
                "name": f"District {i + 1}",
                "name_ar": f"حي {i + 1}",
                "aliases": [],
                "geometry_source": "synthetic square",
            },
            "geometry": _square(X0 + (i % cols) * size, Y0 + (i // cols) * size, size),
        }
        for i in range(n)
    ]
    return {"type": "FeatureCollection", "features": feats}


def events(n: int, days: int = DAYS) -> str:
    """CSV: west half government, east half opposition; the east falls district by district
    over ``days`` days."""
    rows = ["event_id,date,district,controller,share,source,precision,note"]
    east = list(range(n // 2, n))
    for i in range(n):
        side = "opposition" if i in east else "government"
        rows.append(f"E{i:04d},{START},S{i + 1:03d},{side},,alpha,day,start")
    k = len(rows)
    for j, i in enumerate(east):
        day = START + dt.timedelta(days=1 + j * (days - 2) // max(len(east), 1))
        if j == 2:
            rows.append(f"E{k:04d},{day},S{i + 1:03d},government,0.4,alpha,day,partly taken")
        elif j == 3:
            rows.append(f"E{k:04d},{day},S{i + 1:03d},government,,alpha,day,claimed")
            k += 1
            rows.append(f"E{k:04d},{day},S{i + 1:03d},opposition,,beta,day,denied")
        else:
            rows.append(f"E{k:04d},{day},S{i + 1:03d},government,,alpha,day,taken")
        k += 1
    return "\n".join(rows) + "\n"


SOURCES = """key,title,publisher,date,url,stance
alpha,Alpha report,Alpha,2016-12-01,https://example.org/a,one side
beta,Beta report,Beta,2016-12-02,,other side
"""

EVACUATION = """figure_id,date,source,measure,value,basis
F1,2016-12-16,alpha,people evacuated,8000,count
F2,2016-12-18,alpha,people evacuated,20000,count
F3,2016-12-22,alpha,people evacuated,34000,count
F4,2016-12-18,beta,people evacuated,15000,estimate
F5,2016-12-22,beta,people evacuated,35000,estimate
"""


def routes() -> dict:
    """One road proposed from October, in use 15-22 Dec, heading south-west out of the grid."""
    line = [[round(X0 + dx, 6), round(Y0 + dy, 6)] for dx, dy in ((0.08, 0.05), (0.03, 0.02), (-0.02, -0.03))]
    status = [
        {"from": "2016-10-20", "to": "2016-12-14", "status": "proposed"},
        {"from": "2016-12-15", "to": "2016-12-22", "status": "in use"},
    ]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "R1", "name": "Ramouse road", "source": "alpha", "status": status},
                "geometry": {"type": "LineString", "coordinates": line},
            }
        ],
    }


def checkpoints() -> dict:
    """Two checkpoints on the road, active during the evacuation."""
    pts = [[round(X0 + dx, 6), round(Y0 + dy, 6)] for dx, dy in ((0.03, 0.02), (-0.01, -0.02))]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "id": f"C{i + 1}",
                    "name": f"Checkpoint {i + 1}",
                    "source": "alpha",
                    "operator": "ICRC/SARC",
                    "active_from": "2016-12-15",
                    "active_to": "2016-12-22",
                    "location_precision": "approximate",
                },
                "geometry": {"type": "Point", "coordinates": p},
            }
            for i, p in enumerate(pts)
        ],
    }


def settings(days: int = DAYS) -> str:
    """map.toml: the span of the changes and the bundled data's three sides and colours."""
    last = START + dt.timedelta(days=days - 1)
    sides = (
        ("government", "Government and allies", "#BB5566"),
        ("opposition", "Opposition", "#004488"),
        ("sdf", "SDF/YPG", "#DDAA33"),
    )
    head = (
        f'title = {{ en = "Synthetic districts: who held each district" }}\nplace = {{ en = "Synthetic" }}\n'
        f'first = {START.isoformat()}\nlast = {last.isoformat()}\nyardstick = "opposition"\n'
        'front = ["government", "opposition"]\n'
    )
    return head + "".join(
        f'\n[[sides]]\nid = "{i}"\nlabel = {{ en = "{label}" }}\ncolour = "{c}"\n' for i, label, c in sides
    )


def write_synthetic(folder: Path, n: int = 100, days: int = DAYS) -> Path:
    """Write the synthetic data set (``n`` districts, changes over ``days`` days) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "map.toml").write_text(settings(days), "utf-8")
    (folder / "districts.geojson").write_text(json.dumps(districts(n), ensure_ascii=False), "utf-8")
    (folder / "events.csv").write_text(events(n, days), "utf-8")
    (folder / "sources.csv").write_text(SOURCES, "utf-8")
    (folder / "evacuation.csv").write_text(EVACUATION, "utf-8")
    (folder / "routes.geojson").write_text(json.dumps(routes()), "utf-8")
    (folder / "checkpoints.geojson").write_text(json.dumps(checkpoints()), "utf-8")
    return folder
