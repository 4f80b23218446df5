"""Check and normalise a GeoJSON FeatureCollection as editors produce it.

Works on the raw text so that what shapely would hide (an unclosed ring, ``NaN``, duplicate
keys, a projected CRS) is seen. Returns a normalised collection plus every problem found;
never raises on bad input.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any, TypedDict

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.polygon import orient

from geo.constants import COORD_DECIMALS
from geo.problems import Problem, Severity

#: Geometry kinds a file may hold.
POLYGONAL = ("Polygon", "MultiPolygon")
LINEAR = ("LineString", "MultiLineString")
POINT = ("Point",)
#: CRS names that mean plain WGS84 lon/lat and may be dropped.
CRS84_NAMES = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "EPSG:4326",
    "urn:ogc:def:crs:EPSG::4326",
    "urn:ogc:def:crs:EPSG:4326",
    "CRS84",
}
#: Beyond this (metres) a number is no projected coordinate either (Web Mercator spans ±20,037,508 m).
PROJECTED_MAX = 2.1e7
#: A repair may change the area by at most this fraction.
REPAIR_AREA_TOLERANCE = 0.01
#: A vertex whose two edges meet at less than this angle (degrees) is a spike.
SPIKE_DEGREES = 1.0


class _Where(TypedDict):
    """Where a problem is, as Problem's keyword arguments."""

    where: str
    index: int | None
    id: str | None


class _DuplicateKeys(dict):
    """Marker dict that remembers keys given twice in one JSON object."""

    duplicates: list[str]


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict:
    out = _DuplicateKeys()
    out.duplicates = []
    for key, value in pairs:
        if key in out:
            out.duplicates.append(key)
        out[key] = value
    return out


class _BadNumber(ValueError):
    """A JSON number that cannot be stored as a finite double."""


def _reject_constant(name: str) -> float:
    raise _BadNumber(f"{name} is not valid JSON: NaN and Infinity are not allowed")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber(f"the number {text[:20]}{'…' if len(text) > 20 else ''} is too large to store")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _BadNumber(f"a number with {len(text.lstrip('-'))} digits is too large to store")
    return int(text)


#: JSON nested deeper than this is refused (a MultiPolygon needs 8 levels, property values a few more).
MAX_JSON_DEPTH = 64
#: Integers with more digits than this are refused (a double holds about 15 significant digits).
MAX_INT_DIGITS = 30
#: Marks a parse that failed (JSON ``null`` parses to None, which is a value, not a failure).
UNREADABLE = object()
_JSON_NAMES = {type(None): "null", list: "array", str: "string", int: "number", float: "number", bool: "boolean"}


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type (object, array, string, number, boolean, null)."""
    return "object" if isinstance(value, dict) else _JSON_NAMES.get(type(value), type(value).__name__)


def parse_json(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse JSON text; problems carry line and column. A BOM is removed with a warning.

    Returns :data:`UNREADABLE` (never raises) when the text is not usable JSON: a syntax error,
    NaN or a number too large to store, nesting deeper than :data:`MAX_JSON_DEPTH`, a lone
    surrogate escape in a string, or a key given twice in one object.
    """
    problems: list[Problem] = []
    if text.startswith("\ufeff"):
        text = text[1:]
        problems.append(
            Problem(
                "warning",
                file,
                "UTF-8 byte-order mark at the start was removed.",
                "Save the file as UTF-8 without BOM.",
            )
        )
    if not text.strip():
        problems.append(Problem("error", file, "The file is empty.", "Restore it from the .bak copy or from git."))
        return UNREADABLE, problems
    depth = _bracket_depth(text)
    if depth > MAX_JSON_DEPTH:
        problems.append(
            Problem(
                "error",
                file,
                f"JSON nested {depth} levels deep (at most {MAX_JSON_DEPTH} are accepted).",
                "The file is damaged or not GeoJSON: restore it from the .bak copy or from git.",
            )
        )
        return UNREADABLE, problems
    try:
        data = json.loads(
            text,
            object_pairs_hook=_pairs_hook,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except json.JSONDecodeError as exc:
        problems.append(
            Problem(
                "error",
                file,
                f"JSON syntax error at line {exc.lineno}, column {exc.colno}: {exc.msg}.",
                "Look for a missing bracket or quote, a trailing comma or a cut-off file there.",
            )
        )
        return UNREADABLE, problems
    except _BadNumber as exc:
        problems.append(
            Problem(
                "error",
                file,
                f"{exc}.",
                "Coordinates are lon/lat degrees such as 37.15; replace the number or remove the vertex.",
            )
        )
        return UNREADABLE, problems
    before = len(problems)
    _walk(data, file, problems)
    return (UNREADABLE if len(problems) > before else data), problems


#: What changes the nesting count: brackets, and the quotes and backslashes that say whether a
#: bracket is inside a string.
_DEPTH_TOKEN = re.compile(r'[\\"\[\]{}]')


def _bracket_depth(text: str) -> int:
    """Deepest nesting of [ and { outside strings, counted in one pass before parsing (so parsing
    cannot recurse away), in time linear in the text."""
    depth = deepest = 0
    in_string, escaped_at = False, -1
    for m in _DEPTH_TOKEN.finditer(text):
        pos, c = m.start(), m.group()
        if pos == escaped_at:
            continue
        if c == "\\":
            escaped_at = pos + 1
        elif c == '"':
            in_string = not in_string
        elif in_string:
            continue
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _surrogate(text: str) -> str | None:
    return next((f"\\u{ord(c):04x}" for c in text if 0xD800 <= ord(c) <= 0xDFFF), None)


def _walk(data: Any, file: str, problems: list[Problem]) -> None:
    """Report keys given twice in one object and strings holding lone surrogates, naming the feature."""
    feats = data.get("features") if isinstance(data, dict) and data.get("type") == "FeatureCollection" else None
    feats = feats if isinstance(feats, list) else None
    stack: list[tuple[Any, int | None, str | None]] = [(data, None, None)]
    while stack:
        node, idx, fid = stack.pop()
        where = _Where(where="feature" if idx is not None else "file", index=idx, id=fid)
        if isinstance(node, _DuplicateKeys) and node.duplicates:
            for key in sorted(set(node.duplicates)):
                problems.append(
                    Problem(
                        "error",
                        file,
                        f"Key '{key}' appears more than once in one object; JSON readers silently keep only the last.",
                        "Keep one and delete the other.",
                        **where,
                        field=key,
                    )
                )
        texts = [node] if isinstance(node, str) else list(node) if isinstance(node, dict) else []
        for text in texts:
            if (bad := _surrogate(text)) is not None:
                problems.append(
                    Problem(
                        "error",
                        file,
                        f"text {text[:40]!r} holds the escape {bad}, half of a "
                        "character pair (a lone surrogate), which no page or file can store.",
                        f"Delete {bad} or write the whole character.",
                        **where,
                    )
                )
        if isinstance(node, dict):
            for value in node.values():
                if feats is not None and value is feats:
                    for i, feat in enumerate(feats):
                        props = feat.get("properties") if isinstance(feat, dict) else None
                        fid_i = props.get("id") if isinstance(props, dict) else None
                        shown = None if fid_i is None or isinstance(fid_i, (dict, list)) else str(fid_i)
                        stack.append((feat, i, None if shown is None or _surrogate(shown) else shown))
                else:
                    stack.append((value, idx, fid))
        elif isinstance(node, list):
            stack.extend((value, idx, fid) for value in node)


def _positions(coords: Any) -> Iterable[list]:
    if isinstance(coords, list) and coords and isinstance(coords[0], (int, float)):
        yield coords
    elif isinstance(coords, list):
        for c in coords:
            yield from _positions(c)


def _coords_ok(coords: Any, depth: int) -> bool:
    """True when ``coords`` is a list nested ``depth`` deep ending in numeric positions."""
    if depth == 0:
        return (
            isinstance(coords, list)
            and 2 <= len(coords) <= 4
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in coords)
        )
    return isinstance(coords, list) and all(_coords_ok(c, depth - 1) for c in coords)


DEPTH = {"Point": 0, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}


def _strip(coords: Any, ndigits: int) -> Any:
    """Drop Z/M and round."""
    if coords and isinstance(coords[0], (int, float)):
        return [round(float(coords[0]), ndigits), round(float(coords[1]), ndigits)]
    return [_strip(c, ndigits) for c in coords]


def _dedupe_ring(ring: list) -> list:
    out = [ring[0]]
    for p in ring[1:]:
        if p != out[-1]:
            out.append(p)
    return out


def _rings(gtype: str, coords: Any) -> list[list]:
    if gtype == "Polygon":
        return list(coords)
    if gtype == "MultiPolygon":
        return [r for poly in coords for r in poly]
    return []


def _spikes(ring: list) -> int:
    n = 0
    pts = ring[:-1]
    for i in range(len(pts)):
        a, b, c = pts[i - 1], pts[i], pts[(i + 1) % len(pts)]
        v1 = (a[0] - b[0], a[1] - b[1])
        v2 = (c[0] - b[0], c[1] - b[1])
        n1, n2 = math.hypot(*v1), math.hypot(*v2)
        if n1 == 0 or n2 == 0:
            continue
        cos = max(-1.0, min(1.0, (v1[0] * v2[0] + v1[1] * v2[1]) / (n1 * n2)))
        if math.degrees(math.acos(cos)) < SPIKE_DEGREES:
            n += 1
    return n


def _crs_problem(data: dict, file: str) -> Problem | None:
    crs = data.get("crs")
    if crs is None:
        return None
    name = ""
    if isinstance(crs, dict):
        props = crs.get("properties") or {}
        name = str(props.get("name", "")) if isinstance(props, dict) else ""
    if name in CRS84_NAMES:
        return Problem(
            "warning",
            file,
            f"'crs' member ({name}) dropped: RFC 7946 GeoJSON is always WGS84 lon/lat.",
            "Nothing to do; export without a crs member next time.",
            field="crs",
        )
    return Problem(
        "error",
        file,
        f"'crs' member names {name or crs!r}; only WGS84 lon/lat is accepted.",
        "Re-export the layer as EPSG:4326 (in QGIS: Export > Save Features As, CRS EPSG:4326).",
        field="crs",
    )


class _FeatureChecker:
    """Checks one feature's geometry; collects problems for it."""

    def __init__(
        self,
        file: str,
        index: int,
        fid: str | None,
        kinds: tuple[str, ...],
        bbox: tuple[float, float, float, float] | None,
        problems: list[Problem],
    ):
        self.file, self.index, self.fid, self.kinds, self.bbox = file, index, fid, kinds, bbox
        self.problems = problems

    def add(self, severity: Severity, message: str, hint: str = "", field: str = "geometry") -> None:
        self.problems.append(Problem(severity, self.file, message, hint, "feature", self.index, self.fid, field))

    def check(self, geom: Any) -> dict | None:
        """Return a normalised geometry dict, or None after reporting an error."""
        want = " or ".join(self.kinds)
        if geom is None:
            self.add(
                "error",
                f"geometry is null; a {want} is needed.",
                "Draw the shape again and re-export, or delete the feature.",
            )
            return None
        if not isinstance(geom, dict) or "type" not in geom:
            self.add("error", "geometry is not a GeoJSON geometry object.", f"Give a {want}.")
            return None
        gtype = geom.get("type")
        if gtype not in self.kinds:
            self.add(
                "error",
                f"geometry is a {gtype}; a {want} is needed here.",
                "Redraw it as an area (polygon)." if self.kinds == POLYGONAL else f"Use a {want}.",
            )
            return None
        coords = geom.get("coordinates")
        if not _coords_ok(coords, DEPTH[gtype]):
            self.add(
                "error",
                f"{gtype} coordinates are malformed (expected numeric [lon, lat] positions "
                f"nested {DEPTH[gtype]} level(s) deep).",
                "Re-export the feature from your editor.",
            )
            return None
        if not list(_positions(coords)):
            self.add("error", f"{gtype} has no coordinates (empty geometry).", "Draw the shape again.")
            return None
        if not self._check_range(coords):
            return None
        coords = self._normalise_positions(coords)
        if gtype in POLYGONAL:
            coords = self._check_rings(gtype, coords)
            if coords is None:
                return None
        elif gtype in LINEAR:
            lines = [coords] if gtype == "LineString" else coords
            if any(len(_dedupe_ring(line)) < 2 for line in lines):
                self.add("error", "a line has fewer than 2 distinct points.", "Draw the line again.")
                return None
        return self._check_validity({"type": gtype, "coordinates": coords})

    def _check_range(self, coords: Any) -> bool:
        xs = [p[0] for p in _positions(coords)]
        ys = [p[1] for p in _positions(coords)]
        minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
        if max(abs(minx), abs(maxx), abs(miny), abs(maxy)) > PROJECTED_MAX:
            self.add(
                "error",
                f"coordinates are far outside any map (x {minx:.6g}..{maxx:.6g}, y {miny:.6g}.."
                f"{maxy:.6g}); lon/lat degrees lie within ±180 and ±90.",
                "Look for a mistyped or damaged number; re-export the feature from your editor.",
                "coordinates",
            )
            return False
        if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
            self.add(
                "error",
                f"coordinates look like projected metres (x {minx:.0f}..{maxx:.0f}, "
                f"y {miny:.0f}..{maxy:.0f}), not lon/lat degrees.",
                "Re-export in EPSG:4326 (WGS84 lon/lat); QGIS and some tools default to EPSG:3857 or UTM.",
                "coordinates",
            )
            return False
        if self.bbox is None:
            return True
        bx0, by0, bx1, by1 = self.bbox
        if bx0 <= miny and maxy <= bx1 and by0 <= minx and maxx <= by1:
            self.add(
                "error",
                f"coordinates look swapped: [{minx:.4f}, {miny:.4f}] is [lat, lon]; GeoJSON wants [lon, lat].",
                "Swap the two numbers in every position.",
                "coordinates",
            )
            return False
        if not (bx0 <= minx and maxx <= bx1 and by0 <= miny and maxy <= by1):
            self.add(
                "error",
                f"coordinates lie outside the map's area (lon {minx:.4f}..{maxx:.4f}, "
                f"lat {miny:.4f}..{maxy:.4f}; expected lon {bx0:g}..{bx1:g}, lat {by0:g}..{by1:g}).",
                "Check the feature was drawn over the place and exported as WGS84, or widen 'area' in map.toml.",
                "coordinates",
            )
            return False
        return True

    def _normalise_positions(self, coords: Any) -> Any:
        dims = {len(p) for p in _positions(coords)}
        if dims - {2}:
            self.add(
                "warning", "3D coordinates: the Z (or M) value was dropped.", "Export 2D coordinates.", "coordinates"
            )
        too_precise = any(
            len(repr(float(v)).split(".")[-1]) > COORD_DECIMALS for p in _positions(coords) for v in p[:2]
        )
        if too_precise:
            self.add(
                "warning",
                f"coordinates have more than {COORD_DECIMALS} decimals (sub-metre noise); rounded to {COORD_DECIMALS}.",
                "",
                "coordinates",
            )
        return _strip(coords, COORD_DECIMALS)

    def _check_rings(self, gtype: str, coords: Any) -> Any | None:
        polys = [coords] if gtype == "Polygon" else coords
        out, repeated = [], False
        for pi, rings in enumerate(polys):
            if not rings:
                self.add("error", f"polygon {pi} has no rings.", "Draw the shape again.")
                return None
            new_rings = []
            for ri, ring in enumerate(rings):
                label = "outer ring" if ri == 0 else f"hole {ri}"
                if not ring:
                    self.add(
                        "error",
                        f"{label} of polygon {pi} is empty (no points).",
                        "Delete the empty [] from the coordinates, or draw the shape again.",
                    )
                    return None
                if ring[0] != ring[-1]:
                    self.add(
                        "error",
                        f"{label} of polygon {pi} is not closed (first point {ring[0]} differs from last {ring[-1]}).",
                        "Repeat the first point at the end of the ring.",
                    )
                    return None
                deduped = _dedupe_ring(ring)
                repeated |= len(deduped) != len(ring)
                if len(deduped) < 4:
                    self.add(
                        "error",
                        f"{label} of polygon {pi} has {len(deduped)} points; "
                        "a ring needs at least 4 (3 corners and the closing point).",
                        "Draw the shape again.",
                    )
                    return None
                spikes = _spikes(deduped)
                if spikes:
                    self.add(
                        "warning",
                        f"{label} of polygon {pi} has {spikes} spike(s) (edges folding back at < {SPIKE_DEGREES}°).",
                        "Remove the stray vertex in your editor.",
                    )
                new_rings.append(deduped)
            out.append(new_rings)
        if repeated:
            self.add("warning", "repeated consecutive vertices were removed.", "", "coordinates")
        return out[0] if gtype == "Polygon" else out

    def _check_validity(self, geom: dict) -> dict | None:
        g = shape(geom)
        if g.is_empty:
            self.add("error", "geometry is empty.", "Draw the shape again.")
            return None
        if g.geom_type in POLYGONAL:
            cw = any(not poly.exterior.is_ccw for poly in getattr(g, "geoms", [g]))
            if not g.is_valid:
                g = self._repair(g)
                if g is None:
                    return None
            else:
                if cw:
                    self.add(
                        "warning", "outer ring is clockwise; rewound counter-clockwise (RFC 7946).", "Nothing to do."
                    )
                holes = [
                    f"hole {ri} of polygon {pi}"
                    for pi, poly in enumerate(getattr(g, "geoms", [g]))
                    for ri, hole in enumerate(poly.interiors, start=1)
                    if hole.is_ccw
                ]
                if holes:
                    self.add(
                        "warning",
                        f"{', '.join(holes)} wound counter-clockwise; rewound clockwise "
                        "(RFC 7946: holes run clockwise).",
                        "Nothing to do.",
                    )
            g = (
                orient(g, sign=1.0)
                if g.geom_type == "Polygon"
                else shapely.MultiPolygon([orient(p, sign=1.0) for p in g.geoms])
            )
        elif not g.is_valid:
            self.add("error", f"invalid geometry: {shapely.is_valid_reason(g)}.", "Redraw it.")
            return None
        return json.loads(json.dumps(mapping(g)))

    def _repair(self, g):
        reason = shapely.is_valid_reason(g)
        fixed = shapely.make_valid(g)
        if fixed.geom_type == "GeometryCollection":
            polys = [p for p in fixed.geoms if p.geom_type in POLYGONAL]
            fixed = shapely.union_all(polys) if polys else fixed
        area = g.buffer(0).area if g.area == 0 else abs(g.area)
        ok = (
            fixed.geom_type in POLYGONAL
            and fixed.area > 0
            and area > 0
            and abs(fixed.area - area) / area <= REPAIR_AREA_TOLERANCE
        )
        if not ok:
            self.add(
                "error",
                f"invalid geometry: {reason}. An automatic repair would change its "
                "shape or area, so it was not applied.",
                "Fix the outline in geojson.io or QGIS (Vector > Geometry Tools > Check Validity).",
            )
            return None
        fixed = shapely.set_precision(fixed, 10**-COORD_DECIMALS)
        if fixed.geom_type not in POLYGONAL or fixed.is_empty or not fixed.is_valid:
            self.add(
                "error", f"invalid geometry: {reason}; the repair did not survive rounding.", "Fix the outline by hand."
            )
            return None
        self.add(
            "warning",
            f"invalid geometry repaired ({reason}); area changed by {abs(fixed.area - area) / area:.2%}.",
            "Check the shape on the map.",
        )
        return fixed


def check_collection(
    text: str,
    file: str,
    *,
    kinds: tuple[str, ...] = POLYGONAL,
    bbox: tuple[float, float, float, float] | None = None,
    allow_empty: bool = False,
) -> tuple[list[dict] | None, list[Problem]]:
    """Check GeoJSON text; return normalised features (or None if unusable) and problems.

    ``allow_empty``: a collection with no features is valid (an optional layer a place has nothing
    in yet); otherwise it is an error.

    Each returned feature is ``{"type": "Feature", "properties": dict, "geometry": dict|None}``
    with the geometry normalised (2D, rounded, closed, counter-clockwise, valid). A feature
    whose geometry failed keeps ``geometry: None`` so property checks can still run.
    """
    data, problems = parse_json(text, file)
    if data is UNREADABLE:
        return None, problems
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        kind = data.get("type") if isinstance(data, dict) and isinstance(data.get("type"), str) else None
        if kind in ("Feature", *DEPTH, "MultiPoint", "GeometryCollection"):
            what, hint = f"a {kind}", 'Wrap it: {"type": "FeatureCollection", "features": [ ... ]}.'
        elif data is None:
            what, hint = "null (no data at all)", "Restore the file from its .bak copy or from git."
        else:
            what = f"a {kind}" if kind else f"a JSON {json_type(data)}"
            hint = "Give a GeoJSON FeatureCollection, or restore the file from its .bak copy or from git."
        problems.append(Problem("error", file, f"top level is {what}, not a FeatureCollection.", hint, field="type"))
        return None, problems
    crs = _crs_problem(data, file)
    if crs:
        problems.append(crs)
        if crs.severity == "error":
            return None, problems
    feats = data.get("features")
    if not isinstance(feats, list):
        problems.append(
            Problem(
                "error", file, "'features' is missing or not a list.", 'Give "features": [ ... ].', field="features"
            )
        )
        return None, problems
    if not feats and not allow_empty:
        problems.append(
            Problem(
                "error",
                file,
                "the FeatureCollection has no features.",
                "Restore the file from its .bak copy or from git.",
                field="features",
            )
        )
        return None, problems
    out: list[dict[str, Any]] = []
    for i, feat in enumerate(feats):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            problems.append(
                Problem(
                    "error",
                    file,
                    "item is not a GeoJSON Feature.",
                    'Each item of \'features\' needs "type": "Feature".',
                    "feature",
                    i,
                    None,
                    "type",
                )
            )
            out.append({"type": "Feature", "properties": None, "geometry": None})
            continue
        props = feat.get("properties")
        fid = props.get("id") if isinstance(props, dict) else None
        fid = None if fid is None else str(fid)
        checker = _FeatureChecker(file, i, fid, kinds, bbox, problems)
        geom = checker.check(feat.get("geometry"))
        out.append({"type": "Feature", "properties": props, "geometry": geom})
    return out, problems
