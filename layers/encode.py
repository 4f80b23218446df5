"""Geometry for the map payload, stored once: quantised, delta-encoded rings and lines.

Coordinates are integers in units of 1e-5 degree (about 1.1 m), delta-encoded per ring; the
map runtime decodes them. District outlines are simplified as a coverage (each shared edge once),
so rounding and simplification never open a gap between neighbours.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.errors import GEOSException

#: Stored coordinate precision: 5 decimals of a degree (at most about 1.1 m).
COORD_SCALE = 100_000
#: Coverage simplification tolerance in degrees (about 2 m): removes redundant vertices only.
SIMPLIFY_TOLERANCE = 2e-5


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
