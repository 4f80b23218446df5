"""Districts: property checks, topology checks, and the typed GeoDataFrame."""

from __future__ import annotations

import geopandas as gpd
import shapely
from shapely.geometry import shape

from geo.constants import DISTRICT_RECOMMENDED
from geo.fields import CaseFold, id_problem
from geo.geojson_check import POLYGONAL, check_collection, json_type
from geo.problems import Problem

#: Overlaps or gaps smaller than this (m²) are rounding noise and not reported.
TOPOLOGY_MIN_M2 = 50.0
#: Holes in the union of districts larger than this (m²) are areas, not gaps.
GAP_MAX_M2 = 200_000.0
BASE_COLUMNS = ("id", "name", "name_ar", "aliases", "geometry_source")


def _aliases(value, add) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        add(
            "warning",
            "aliases is a string; read as a ';'-separated list.",
            'Write it as a JSON list: ["Sheikh Saeed", "Shaykh Said"].',
        )
        return tuple(a.strip() for a in value.split(";") if a.strip())
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        add("error", "aliases must be a list of strings.", 'Write ["spelling 1", "spelling 2"].')
        return ()
    return tuple(a.strip() for a in value if a.strip())


def _record(i: int, feat: dict, file: str, problems: list[Problem]) -> dict | None:
    props = feat["properties"]
    if props is None or not isinstance(props, dict):
        problems.append(
            Problem(
                "error",
                file,
                "properties is null or not an object; 'id' and 'name' are required.",
                'Add "properties": {"id": ..., "name": ...}.',
                "feature",
                i,
                None,
                "properties",
            )
        )
        return None
    raw_id = props.get("id")
    fid = None if raw_id is None or isinstance(raw_id, (dict, list)) else str(raw_id)

    shown = fid if fid is None or id_problem(fid) is None else repr(fid)  # one line, even for a bad id

    def add(sev, msg, hint="", field="aliases"):
        problems.append(Problem(sev, file, msg, hint, "feature", i, shown, field))

    ok = True
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
        add(
            "error",
            "required property 'id' is missing or empty.",
            "Give a unique id: the OCHA p-code (e.g. N0129) or a new code such as X0001.",
            "id",
        )
        ok = False
    elif isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
        add(
            "error",
            f"'id' must be a string or an integer, not {json_type(raw_id)}.",
            'Write it as text, e.g. "X0001".',
            "id",
        )
        ok = False
    elif why := id_problem(str(raw_id)):
        add("error", why, "Write the id exactly, with no spaces or line breaks, e.g. N0129 or X0001.", "id")
        ok = False
    raw_name = props.get("name")
    name = raw_name.strip() if isinstance(raw_name, str) else ""
    if not name:
        add(
            "error",
            "required property 'name' (English) is missing or empty.",
            'Add "name": "..." with the English name.',
            "name",
        )
        ok = False
    for key in DISTRICT_RECOMMENDED:
        if key not in props:
            add("warning", f"property '{key}' is missing.", f"Add '{key}' when known.", key)
    aliases = _aliases(props.get("aliases"), add)
    if not ok or feat["geometry"] is None:
        return None
    extra = {k: v for k, v in props.items() if k not in BASE_COLUMNS}
    return {
        "id": fid,
        "name": name,
        "name_ar": str(props.get("name_ar") or "").strip(),
        "aliases": aliases,
        "geometry_source": str(props.get("geometry_source") or "").strip(),
        "extra": extra,
        "feature_index": i,
        "geometry": shape(feat["geometry"]),
    }


def _duplicates(records: list[dict], file: str, problems: list[Problem]) -> list[dict]:
    seen_id: dict[str, int] = {}
    seen_name: dict[str, int] = {}
    cases = CaseFold()
    keep = []
    for r in records:
        i, fid = r["feature_index"], r["id"]
        if fid in seen_id:
            problems.append(
                Problem(
                    "error",
                    file,
                    f"duplicate id {fid!r} (also feature {seen_id[fid]}).",
                    "Give each district its own id.",
                    "feature",
                    i,
                    fid,
                    "id",
                )
            )
            continue
        if earlier := cases.clash(fid, i):
            problems.append(
                Problem(
                    "error",
                    file,
                    f"id {fid!r} differs from {earlier[0]!r} (feature {earlier[1]}) only in letter case.",
                    "Ids that differ only in case are easily confused: "
                    "give it a distinct id, or the same one to replace that district.",
                    "feature",
                    i,
                    fid,
                    "id",
                )
            )
            continue
        seen_id[fid] = i
        key = r["name"].casefold()
        if key in seen_name:
            problems.append(
                Problem(
                    "warning",
                    file,
                    f"name {r['name']!r} is also used by feature {seen_name[key]}; readers cannot tell them apart.",
                    "Make the names distinct (e.g. add 'East').",
                    "feature",
                    i,
                    fid,
                    "name",
                )
            )
        seen_name.setdefault(key, i)
        keep.append(r)
    return keep


def topology_problems(gdf: gpd.GeoDataFrame, file: str, *, crs: str | None = None) -> list[Problem]:
    """Warnings for overlaps between districts and small gaps between them."""
    problems: list[Problem] = []
    if len(gdf) < 2:
        return problems
    metric = gdf.to_crs(crs or gdf.estimate_utm_crs())
    geoms = metric.geometry.values
    left, right = metric.sindex.query(geoms, predicate="intersects")
    for a, b in zip(left, right, strict=True):
        if a >= b:
            continue
        area = shapely.intersection(geoms[a], geoms[b]).area
        if area >= TOPOLOGY_MIN_M2:
            ra, rb = gdf.iloc[a], gdf.iloc[b]
            problems.append(
                Problem(
                    "warning",
                    file,
                    f"overlaps district {rb['id']} ({rb['name']}) by {area:,.0f} m².",
                    "Snap the shared edge so the two do not overlap (QGIS: Vector > Geometry Tools, "
                    "or enable snapping).",
                    "feature",
                    int(ra["feature_index"]),
                    ra["id"],
                    "geometry",
                )
            )
    union = shapely.union_all(geoms)
    holes = [shapely.Polygon(r) for p in getattr(union, "geoms", [union]) for r in p.interiors]
    for hole in holes:
        if TOPOLOGY_MIN_M2 <= hole.area <= GAP_MAX_M2:
            near = metric.iloc[metric.sindex.query(hole, predicate="intersects")]
            edge = shapely.length(shapely.intersection(near.boundary.values, hole.buffer(1.0)))
            ids = ", ".join(sorted(near.loc[edge > 10.0, "id"].astype(str)))
            problems.append(
                Problem(
                    "warning",
                    file,
                    f"gap of {hole.area:,.0f} m² between districts {ids}.",
                    "Snap the edges together.",
                    field="geometry",
                )
            )
    return problems


def read_districts(
    text: str, file: str, *, bbox: tuple[float, float, float, float] | None = None, crs: str | None = None
) -> tuple[gpd.GeoDataFrame | None, list[Problem]]:
    """Parse and check district GeoJSON text; return the typed frame (None on error) and problems.

    ``bbox``: the lon/lat box the districts must lie in (map.toml ``area``; None: anywhere on Earth);
    ``crs``: the metric CRS of the topology checks (None: the districts' UTM zone).
    """
    feats, problems = check_collection(text, file, kinds=POLYGONAL, bbox=bbox)
    if feats is None:
        return None, problems
    records = [r for i, f in enumerate(feats) if (r := _record(i, f, file, problems))]
    records = _duplicates(records, file, problems)
    if any(p.severity == "error" for p in problems) or not records:
        return None, problems
    gdf = gpd.GeoDataFrame(records, geometry="geometry", crs="EPSG:4326")
    problems.extend(topology_problems(gdf, file, crs=crs))
    return gdf.reset_index(drop=True), problems


def alias_index(districts: gpd.GeoDataFrame) -> dict[str, list[str]]:
    """Map every casefolded id, name, Arabic name and alias to the district ids it may mean."""
    out: dict[str, list[str]] = {}
    for row in districts.itertuples(index=False):
        for label in (row.id, row.name, row.name_ar, *row.aliases):
            if label:
                ids = out.setdefault(str(label).casefold(), [])
                if row.id not in ids:
                    ids.append(row.id)
    return out


def resolve_district(districts: gpd.GeoDataFrame, query: str) -> list[str]:
    """District ids matching an id, English or Arabic name, or alias (case-insensitive)."""
    return alias_index(districts).get(query.strip().casefold(), [])
