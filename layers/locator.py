"""The locator inset: the mapped place within its country and neighbours (Natural Earth).

The country outlines come from a vendored copy of the npm ``world-atlas`` TopoJSON
(``assets/world-atlas``); this module decodes it, keeps the countries near the place, simplifies
them and encodes them like every other geometry of the payload.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from layers.encode import encode_polygonal

ATLAS = Path(__file__).with_name("assets") / "world-atlas" / "countries-50m.json"
CREDIT = "Natural Earth"
#: Half the width and height of the inset's frame, in degrees around the place's centre.
HALF_SPAN = (5.5, 4.0)
#: Simplification of the outlines in degrees (about 2 km): plenty for a 160-pixel inset.
TOLERANCE = 0.02


def _arcs(topo: dict) -> list[np.ndarray]:
    """Every arc as absolute lon/lat coordinates (TopoJSON's quantised delta encoding undone)."""
    scale, shift = topo["transform"]["scale"], topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        q = np.cumsum(np.asarray(arc, dtype=float), axis=0)
        out.append(q * scale + shift)
    return out


def _ring(indices: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    parts: list[np.ndarray] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(arc if not parts else arc[1:])
    return np.vstack(parts)


@functools.cache
def countries() -> tuple[tuple[str, Any], ...]:
    """(name, shapely geometry) of every country in the vendored atlas."""
    topo = json.loads(ATLAS.read_text(encoding="utf-8"))
    arcs = _arcs(topo)
    out = []
    for geom in topo["objects"]["countries"]["geometries"]:
        polys = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]] if geom["type"] == "Polygon" else []
        shapes = [shapely.Polygon(_ring(p[0], arcs), [_ring(h, arcs) for h in p[1:]]) for p in polys]
        if shapes:
            out.append((geom.get("properties", {}).get("name", ""), shapely.make_valid(shapely.MultiPolygon(shapes))))
    return tuple(out)


def locator(bounds: tuple[float, float, float, float]) -> dict[str, Any]:
    """The inset for a place with ``bounds`` (min lon, min lat, max lon, max lat): the frame, the
    countries inside it (encoded polygons, the one holding the place first) and the place's box."""
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    frame = (cx - HALF_SPAN[0], cy - HALF_SPAN[1], cx + HALF_SPAN[0], cy + HALF_SPAN[1])
    box = shapely.box(*frame)
    centre = shapely.Point(cx, cy)
    shapes = []
    for _name, geom in countries():
        if geom.intersects(box):
            part = shapely.simplify(shapely.intersection(geom, box), TOLERANCE, preserve_topology=True)
            if not part.is_empty:
                shapes.append((not geom.contains(centre), encode_polygonal(part)))
    shapes.sort(key=lambda s: s[0])
    return {
        "frame": [round(v, 3) for v in frame],
        "place": [round(v, 4) for v in bounds],
        "home": int(bool(shapes) and not shapes[0][0]),
        "shapes": [s[1] for s in shapes],
        "credit": CREDIT,
    }
