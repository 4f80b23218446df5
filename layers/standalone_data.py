"""The standalone page's data: geometry stored once plus a compact table of states per day.

Coordinates are integers in units of 1e-5 degree (about 1.1 m), delta-encoded per ring; the
page decodes them. District outlines are simplified as a coverage (each shared edge once), so
rounding and simplification never open a gap between neighbours.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.errors import GEOSException

from geo.constants import CONTROLLERS, UNKNOWN
from geo.load import Dataset
from geo.overlays import ROUTE_STATUSES, active_on, route_status
from geo.spatial import adjacency, front_line
from geo.timeline import Timeline

#: Stored coordinate precision: 5 decimals of a degree (about 1.1 m in Aleppo).
COORD_SCALE = 100_000
#: Coverage simplification tolerance in degrees (about 2 m): removes redundant vertices only.
SIMPLIFY_TOLERANCE = 2e-5
#: State codes used in the page; index = code.
STATE_CODES: tuple[str, ...] = (*CONTROLLERS, UNKNOWN)
#: One character per route status per day ("-" = not shown that day).
ROUTE_CODES: dict[str | None, str] = {None: "-", **{s: s[0] for s in ROUTE_STATUSES}}
#: ``location_precision`` values that mean the drawn place is exact.
EXACT_PRECISIONS = {"exact", "precise", "surveyed", "day"}


def simplify_coverage(geoms: np.ndarray, tolerance: float = SIMPLIFY_TOLERANCE) -> np.ndarray:
    """Simplify polygons as a coverage (shared edges once); the input if that is not possible."""
    if tolerance <= 0 or len(geoms) == 0:
        return geoms
    try:
        out = shapely.coverage_simplify(geoms, tolerance)
    except GEOSException:
        return geoms
    if shapely.is_empty(out).any() or not shapely.is_valid(out).all():
        return geoms
    return out


def _line(coords: np.ndarray) -> list[int]:
    """Flat delta-encoded integer line: x0, y0, dx1, dy1, ... with repeated points dropped."""
    q = np.round(np.asarray(coords)[:, :2] * COORD_SCALE).astype(np.int64)
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = (np.diff(q, axis=0) != 0).any(axis=1)
    q = q[keep]
    return np.vstack([q[:1], np.diff(q, axis=0)]).ravel().tolist()


def _ring(coords: np.ndarray) -> list[int]:
    """An encoded ring without its closing point (the page closes polygons itself)."""
    return _line(np.asarray(coords)[:-1])


def encode_polygonal(geom) -> list[list[list[int]]]:
    """Polygon/MultiPolygon -> list of polygons, each a list of encoded rings."""
    out = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        rings = [poly.exterior, *poly.interiors]
        out.append([_ring(np.asarray(r.coords)) for r in rings if len(r.coords) >= 4])
    return out


def encode_lines(geom, tolerance: float = 0.0) -> list[list[int]]:
    """Line parts of any geometry, merged where they touch, as encoded lines."""
    if geom is None or geom.is_empty:
        return []
    parts = shapely.get_parts(shapely.get_parts(geom))
    lines = [p for p in parts if p.geom_type in ("LineString", "LinearRing")]
    if not lines:
        return []
    merged = shapely.line_merge(shapely.multilinestrings(lines))
    if tolerance > 0:
        merged = shapely.simplify(merged, tolerance)
    return [_line(np.asarray(p.coords)) for p in shapely.get_parts(merged) if len(p.coords) >= 2]


def _num(value: Any, digits: int = 2) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else round(value, digits)


def _code(value: Any) -> int:
    return STATE_CODES.index(value) if value in STATE_CODES else -1


def _source_index(ds: Dataset) -> dict[str, int]:
    return {str(k): i for i, k in enumerate(ds.sources["key"])}


def _claim(claim: dict, src: dict[str, int]) -> list:
    """``[code, share, source index, precision, note, claimant]``: claimant = the party the source quotes."""
    precision = claim["precision"]
    return [_code(claim["controller"]), _num(claim["share"]), src.get(str(claim["source"]), -1),
            "" if pd.isna(precision) or precision == "day" else str(precision),
            _text(claim["note"]), _text(claim["claimant"])]


def state_table(tl: Timeline, day_rows: np.ndarray, src: dict[str, int]) -> dict[str, Any]:
    """The compact day table: the first day in full, later days as (district, state) changes.

    States are the timeline's decided groups that occur on the chosen days, each
    ``[code, share, holder, rest, disputed, since, claims]``.
    """
    grid = tl.grid[day_rows]
    used = np.unique(grid[grid >= 0])
    remap = np.full(int(grid.max()) + 2 if grid.size else 1, -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    g = np.where(grid >= 0, remap[grid], -1)
    groups = tl.group_states()
    states = [[_code(g.controller), _num(g.share), _code(g.holder), _code(g.rest), int(g.disputed),
               g.since.isoformat(), [_claim(c, src) for c in g.claims]]
              for g in (groups[int(i)] for i in used)]
    changes = []
    for i in range(1, len(g)):
        changed = np.flatnonzero(g[i] != g[i - 1])
        changes.append(np.column_stack([changed, g[i, changed]]).ravel().tolist())
    return {"states": states, "first": g[0].tolist() if len(g) else [], "changes": changes}


def front_table(tl: Timeline, districts: gpd.GeoDataFrame, days: pd.DatetimeIndex
                ) -> tuple[list[list[list[int]]], list[list[list[int]]]]:
    """Shared boundary lines (stored once) and, per day, [exact, approximate] front pair indices."""
    pairs = adjacency(districts).reset_index(drop=True)
    index = {(a, b): i for i, (a, b) in enumerate(zip(pairs["a"], pairs["b"], strict=True))}
    per_day = []
    for day in days:
        fl = front_line(tl.control_on(day), pairs)
        idx = [index[(a, b)] for a, b in zip(fl["a"], fl["b"], strict=True)]
        approx = fl["approximate"].to_numpy(dtype=bool)
        per_day.append([[i for i, x in zip(idx, approx, strict=True) if not x],
                        [i for i, x in zip(idx, approx, strict=True) if x]])
    used = sorted({i for d in per_day for part in d for i in part})
    remap = {old: new for new, old in enumerate(used)}
    lines = [encode_lines(pairs.geometry.iloc[i], SIMPLIFY_TOLERANCE / 2) for i in used]
    per_day = [[[remap[i] for i in part] for part in d] for d in per_day]
    return lines, per_day


def _is_approximate(props: dict) -> bool:
    """True unless ``location_precision`` is blank or starts with a word meaning exact."""
    words = re.findall(r"[a-z]+", _text(props.get("location_precision")).lower())
    return bool(words) and words[0] not in EXACT_PRECISIONS


def _src_list(value: Any, src: dict[str, int]) -> list[int]:
    return [src[k.strip()] for k in str(value or "").split(";") if k.strip() in src]


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def routes_table(routes: gpd.GeoDataFrame | None, days: list[dt.date], src: dict[str, int]) -> list[dict]:
    """Routes: geometry, per-day status string (see ROUTE_CODES), precision and sources."""
    if routes is None:
        return []
    masks = [active_on(routes, d).to_numpy(dtype=bool) for d in days]
    out = []
    for i, props in enumerate(routes.to_dict("records")):
        spans = props.get("status") or ()
        if spans:
            status = "".join(ROUTE_CODES[route_status(spans, d)] for d in days)
        else:  # no dated status: drawn plainly while active
            status = "".join("r" if m[i] else "-" for m in masks)
        out.append({"n": _text(props.get("name")), "na": _text(props.get("name_ar")),
                    "g": encode_lines(props["geometry"]), "st": status,
                    "ap": int(_is_approximate(props)), "pd": _text(props.get("location_precision")),
                    "s": _src_list(props.get("source"), src),
                    "note": _text(props.get("note") or props.get("description"))})
    return out


def checkpoints_table(points: gpd.GeoDataFrame | None, days: list[dt.date], src: dict[str, int]
                      ) -> list[dict]:
    """Checkpoints: position, per-day active string ("1"/"0"), operator, precision, sources."""
    if points is None:
        return []
    masks = [active_on(points, d).to_numpy(dtype=bool) for d in days]
    out = []
    for i, props in enumerate(points.to_dict("records")):
        pt = props["geometry"]
        out.append({"n": _text(props.get("name")), "na": _text(props.get("name_ar")),
                    "x": round(pt.x, 5), "y": round(pt.y, 5),
                    "on": "".join("1" if m[i] else "0" for m in masks),
                    "op": _text(props.get("operator")), "ap": int(_is_approximate(props)),
                    "pd": _text(props.get("location_precision")),
                    "s": _src_list(props.get("source"), src),
                    "from": _text(props.get("active_from")), "to": _text(props.get("active_to")),
                    "note": _text(props.get("note") or props.get("description"))})
    return out


def page_data(ds: Dataset, tl: Timeline, days: pd.DatetimeIndex) -> dict[str, Any]:
    """Everything the page draws for ``days``: geometry once, per-day states and overlays."""
    src = _source_index(ds)
    districts = ds.districts.reset_index(drop=True)
    order = tl.district_ids.get_indexer(districts["id"].astype(str))
    geoms = simplify_coverage(districts.geometry.to_numpy())
    # The page indexes districts in the timeline's order.
    by_tl = np.empty(len(order), dtype=object)
    by_tl[order] = np.arange(len(order))
    rows = [districts.iloc[int(j)] for j in by_tl]
    day_rows = np.array([tl.day_index(d) for d in days])
    lines, fronts = front_table(tl, districts, days)
    plain_days = [d.date() for d in days]
    return {
        "districts": [{"id": str(r["id"]), "n": _text(r["name"]), "na": _text(r.get("name_ar"))}
                      for r in rows],
        "geom": [encode_polygonal(geoms[int(j)]) for j in by_tl],
        "days": [d.isoformat() for d in plain_days],
        **state_table(tl, day_rows, src),
        "pairs": lines, "front": fronts,
        "routes": routes_table(ds.routes, plain_days, src),
        "checkpoints": checkpoints_table(ds.checkpoints, plain_days, src),
        "sources": [{"t": _text(r["title"]), "p": _text(r["publisher"])}
                    for r in ds.sources.to_dict("records")],
    }
