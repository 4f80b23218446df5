"""Geometry for the map payload, stored once: quantised, delta-encoded rings and lines.

Lists of integers travel packed (``pack``): a short string of URL-safe characters, about half
the bytes of the same numbers written out in JSON.

Coordinates are integers in units of 1e-5 degree (about 1.1 m), delta-encoded per ring; the
map runtime decodes them. District outlines are simplified as a coverage (each shared edge once),
so rounding and simplification never open a gap between neighbours, and stored as a topology
(``encode_topology``, the idea of TopoJSON): a boundary two districts share is one arc, which both
rings and the front line between them refer to.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.errors import GEOSException

#: Stored coordinate precision: 5 decimals of a degree (at most about 1.1 m).
COORD_SCALE = 100_000
#: Coverage simplification tolerance in degrees (about 2 m): removes redundant vertices only.
SIMPLIFY_TOLERANCE = 2e-5


#: The 64 digits of a packed integer list (``pack``): URL-safe base64's, none of which JSON or
#: HTML escapes. The payload carries them, so the runtime holds no copy.
PACK_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def pack(values) -> str:
    """Integers as a string: each zigzag-coded (0, -1, 1, -2, ... -> 0, 1, 2, 3, ...), then
    written five bits a digit, lowest first; every digit but a number's last has 32 added."""
    out = []
    for v in values:
        z = int(v) * 2 if v >= 0 else -int(v) * 2 - 1
        while z >= 32:
            out.append(PACK_DIGITS[32 | (z & 31)])
            z >>= 5
        out.append(PACK_DIGITS[z])
    return "".join(out)


_DIGIT_VALUE = {c: i for i, c in enumerate(PACK_DIGITS)}


def unpack(text: str) -> list[int]:
    """The integers ``pack`` wrote."""
    out, z, shift = [], 0, 0
    for c in text:
        d = _DIGIT_VALUE[c]
        z |= (d & 31) << shift
        if d & 32:
            shift += 5
            continue
        out.append(z // 2 if z % 2 == 0 else -(z + 1) // 2)
        z, shift = 0, 0
    return out


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


def _quantised(coords: np.ndarray) -> np.ndarray:
    """Coordinates as integers of 1e-5 degree, repeated points dropped."""
    q = np.round(np.asarray(coords)[:, :2] * COORD_SCALE).astype(np.int64)
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = (np.diff(q, axis=0) != 0).any(axis=1)
    return q[keep]


def _line(coords: np.ndarray) -> list[int]:
    """Flat delta-encoded integer line: x0, y0, dx1, dy1, ... with repeated points dropped."""
    q = _quantised(coords)
    return np.vstack([q[:1], np.diff(q, axis=0)]).ravel().tolist()


def encode_points(coords) -> list[int]:
    """Points delta-encoded like a line (x0, y0, dx1, dy1, ...), each kept, repeats included: the
    n-th point stays the n-th (place labels, in their order of importance)."""
    q = np.round(np.asarray(coords, dtype=float).reshape(-1, 2) * COORD_SCALE).astype(np.int64)
    return np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel().tolist()


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


def line_parts(geom, tolerance: float = 0.0) -> list[np.ndarray]:
    """Line parts of any geometry, merged where they touch (and simplified by ``tolerance``), as
    coordinate arrays."""
    if geom is None or geom.is_empty:
        return []
    parts = shapely.get_parts(shapely.get_parts(geom))
    lines = [p for p in parts if p.geom_type in ("LineString", "LinearRing")]
    if not lines:
        return []
    merged = shapely.line_merge(shapely.multilinestrings(lines))
    if tolerance > 0:
        merged = shapely.simplify(merged, tolerance)
    return [np.asarray(p.coords) for p in shapely.get_parts(merged) if len(p.coords) >= 2]


def encode_lines(geom, tolerance: float = 0.0) -> list[list[int]]:
    """Line parts of any geometry, merged where they touch, as encoded lines."""
    return [_line(coords) for coords in line_parts(geom, tolerance)]


Point = tuple[int, int]


def arc_index(ref: int) -> int:
    """The arc an arc reference names, whichever way it is walked."""
    return ref if ref >= 0 else ~ref


@dataclass
class Topology:
    """Shapes as rings of shared arcs (``encode_topology``).

    ``encoded_arcs()``: each arc a flat delta-encoded line whose first point is relative to the
    first point of the arc before it (the first arc's to 0, 0); an arc includes both its ends.
    ``shapes``: per input shape, polygons -> rings -> arc references; reference ``i`` is arc i,
    ``~i`` (that is ``-i - 1``) arc i walked backwards; a ring is its arcs joined end to start.
    ``shared``: for two shapes (by input index, lower first) the arcs of their common boundary.
    """

    shapes: list[list[list[list[int]]]] = field(default_factory=list)
    shared: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    _points: list[tuple[Point, ...]] = field(default_factory=list, repr=False)
    _index: dict[tuple[Point, ...], int] = field(default_factory=dict, repr=False)

    def add_arc(self, points: tuple[Point, ...]) -> int:
        """The reference of the arc through ``points`` (stored once, either way round)."""
        if points in self._index:
            return self._index[points]
        if points[::-1] in self._index:
            return ~self._index[points[::-1]]
        self._index[points] = len(self._points)
        self._points.append(points)
        return len(self._points) - 1

    def share(self, shape: int, owners: frozenset[int], ref: int) -> None:
        """Note that arc ``ref`` of ``shape`` is its boundary with the one other shape in ``owners``."""
        others = owners - {shape}
        if len(others) == 1:
            (other,) = others
            arcs = self.shared.setdefault((min(shape, other), max(shape, other)), [])
            if arc_index(ref) not in arcs:
                arcs.append(arc_index(ref))

    def add_line(self, coords: np.ndarray) -> int | None:
        """A line that is no shape's boundary (stored as an arc of its own), by its reference; None
        when it is shorter than the stored precision."""
        points = tuple(map(tuple, _quantised(coords).tolist()))
        return self.add_arc(points) if len(points) >= 2 else None

    def encoded_arcs(self) -> list[list[int]]:
        """Every arc, encoded (see the class)."""
        out, prev = [], (0, 0)
        for pts in self._points:
            q = np.asarray(pts, dtype=np.int64)
            first = q[0] - np.asarray(prev)
            out.append(np.concatenate([first, np.diff(q, axis=0).ravel()]).tolist())
            prev = pts[0]
        return out


def _rings(geom) -> list[list[list[Point]]]:
    """Polygons -> rings -> quantised points without the closing point (degenerate rings dropped)."""
    out = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        rings = []
        for ring in [poly.exterior, *poly.interiors]:
            q = _quantised(np.asarray(ring.coords))
            if len(q) > 1 and (q[0] == q[-1]).all():
                q = q[:-1]
            if len(q) >= 3:
                rings.append([(int(x), int(y)) for x, y in q.tolist()])
        if rings:
            out.append(rings)
    return out


def encode_topology(geoms) -> Topology:
    """Polygonal shapes as a topology: each ring is cut where the neighbour across its edge
    changes, and each piece is stored once as an arc, which the neighbour's ring walks backwards.

    Exact: every ring is rebuilt point for point from its arcs (a piece found only once is
    simply an arc of its own).
    """
    shapes = [_rings(g) for g in geoms]
    owners: dict[tuple[Point, Point], set[int]] = defaultdict(set)
    for k, polys in enumerate(shapes):
        for ring in (r for p in polys for r in p):
            for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
                owners[(a, b) if a < b else (b, a)].add(k)
    topo = Topology()
    for k, polys in enumerate(shapes):
        out_polys = []
        for poly in polys:
            out_rings = []
            for ring in poly:
                n = len(ring)
                edge = [
                    frozenset(owners[(a, b) if a < b else (b, a)])
                    for a, b in zip(ring, ring[1:] + ring[:1], strict=True)
                ]
                cuts = [i for i in range(n) if edge[i] != edge[i - 1]]
                if not cuts:  # one neighbour all round (or none): one closed arc from its lowest point
                    lo = ring.index(min(ring))
                    cuts, ring = [0], ring[lo:] + ring[:lo]
                    edge = edge[lo:] + edge[:lo]
                refs = []
                for c, start in enumerate(cuts):
                    stop = cuts[(c + 1) % len(cuts)]
                    length = (stop - start) % n or n
                    refs.append(topo.add_arc(tuple(ring[(start + t) % n] for t in range(length + 1))))
                    topo.share(k, edge[start], refs[-1])
                out_rings.append(refs)
            out_polys.append(out_rings)
        topo.shapes.append(out_polys)
    return topo
