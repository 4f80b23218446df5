"""Routes and checkpoints: dated line and point layers with a source on every feature."""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import shape

from geo.constants import EVENT_DATE_MAX, EVENT_DATE_MIN
from geo.fields import ID_HINT, CaseFold, id_problem, lookalike_of, parse_day, unknown_ref
from geo.geojson_check import LINEAR, POINT, check_collection, json_type
from geo.problems import Problem

ROUTE_STATUSES = ("proposed", "in use", "closed")
#: Columns every feature of a layer has (its own properties beside them are kept).
BASE_COLUMNS = ("id", "name", "source", "active_from", "active_to", "status", "feature_index")


def _day(value, key: str, add) -> tuple[dt.date | None, bool]:
    """A date property: (date or None when blank, ok)."""
    if value in (None, ""):
        return None, True
    d, why = parse_day(value) if isinstance(value, str) else (None, f"{value!r} is not a date in YYYY-MM-DD form.")
    if d is None:
        add("error", f"{key} {why}", "Write an existing day as YYYY-MM-DD, e.g. 2016-12-15.", key)
        return None, False
    if not EVENT_DATE_MIN <= d <= EVENT_DATE_MAX:
        add("error", f"{key} {value} is outside {EVENT_DATE_MIN}..{EVENT_DATE_MAX}.", "Check the year.", key)
        return None, False
    return d, True


def _dates(props: dict, add) -> tuple[dt.date | None, dt.date | None, bool]:
    start, ok_start = _day(props.get("active_from"), "active_from", add)
    end, ok_end = _day(props.get("active_to"), "active_to", add)
    if start and end and end < start:
        add("error", f"active_to {end} is before active_from {start}.", "Swap or fix the dates.", "active_to")
        return start, end, False
    return start, end, ok_start and ok_end


def _statuses(props: dict, add) -> tuple[tuple, bool]:
    raw = props.get("status")
    if raw is None:
        return (), True
    if isinstance(raw, str):
        raw = [{"from": props.get("active_from"), "to": props.get("active_to"), "status": raw}]
    if not isinstance(raw, list):
        add(
            "error",
            "status must be a list of {from, to, status}.",
            'Write e.g. [{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD", "status": "in use"}].',
            "status",
        )
        return (), False
    spans = []
    for n, span in enumerate(raw, start=1):
        value = span.get("status") if isinstance(span, dict) else None
        if not isinstance(value, str) or value not in ROUTE_STATUSES:
            add(
                "error",
                f"status span {n} needs 'status' set to one of: {', '.join(ROUTE_STATUSES)}.",
                'Write e.g. {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD", "status": "in use"}.',
                "status",
            )
            return (), False
        start, ok_start = _day(span.get("from"), f"status span {n} 'from'", add)
        end, ok_end = _day(span.get("to"), f"status span {n} 'to'", add)
        if not (ok_start and ok_end):
            return (), False
        if start and end and end < start:
            add(
                "error",
                f"status span {n} ends ({end}) before it starts ({start}); the route would vanish.",
                "Swap or fix the two dates.",
                "status",
            )
            return (), False
        spans.append((start, end, value))
    starts = [s for s, _, _ in spans]
    if any(a and b and b < a for a, b in zip(starts, starts[1:], strict=False)):
        add(
            "error",
            "status spans are not in date order; the later span would silently win.",
            "List the spans oldest first.",
            "status",
        )
        return (), False
    return tuple(spans), True


def _id_ok(raw_id: str, i: int, seen: set[str], cases: CaseFold, add) -> bool:
    if why := id_problem(raw_id):
        add("error", why, ID_HINT, "id")
        return False
    if raw_id in seen:
        add("error", f"duplicate id {raw_id!r}.", "Give each feature its own id.", "id")
        return False
    seen.add(raw_id)
    if earlier := cases.clash(raw_id, i):
        add(
            "error",
            f"id {raw_id!r} differs from {earlier[0]!r} (feature {earlier[1]}) only in letter case.",
            "Give it a distinct id.",
            "id",
        )
        return False
    return True


def read_overlay(
    text: str, file: str, *, kind: str, source_keys: set[str], bbox: tuple[float, float, float, float] | None = None
) -> tuple[gpd.GeoDataFrame | None, list[Problem]]:
    """Read routes (``kind="route"``), checkpoints (``"checkpoint"``) or landmarks (``"landmark"``:
    labelled points) GeoJSON text; ``bbox`` is the lon/lat box they must lie in (the settings' ``area``)."""
    feats, problems = check_collection(
        text, file, kinds=LINEAR if kind == "route" else POINT, bbox=bbox, allow_empty=True
    )
    if feats is None:
        return None, problems
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    cases = CaseFold()
    for i, feat in enumerate(feats):
        props = feat["properties"] if isinstance(feat["properties"], dict) else {}
        raw_id = props.get("id")
        fid = raw_id if isinstance(raw_id, str) and id_problem(raw_id) is None else None

        def add(sev, msg, hint="", field=None, i=i, fid=fid):
            problems.append(Problem(sev, file, msg, hint, "feature", i, fid, field))

        ok = feat["geometry"] is not None
        for key in ("id", "name", "source"):
            value = props.get(key)
            if value in (None, ""):
                add("error", f"required property '{key}' is missing.", f"Add '{key}'.", key)
                ok = False
            elif not isinstance(value, str):
                add(
                    "error", f"'{key}' must be text, not {json_type(value)}.", f'Write it as text: "{key}": "...".', key
                )
                ok = False
        if isinstance(raw_id, str) and raw_id:
            ok = _id_ok(raw_id, i, seen, cases, add) and ok
        for key in str(props.get("source") or "").split(";"):
            if key.strip() and key.strip() not in source_keys:
                real = lookalike_of(key.strip(), source_keys)
                hint = f"Write {real!r} in plain ASCII." if real else "Add it to sources.csv."
                add("error", unknown_ref("source", key.strip(), source_keys), hint, "source")
                ok = False
        start, end, dates_ok = _dates(props, add)
        spans, spans_ok = _statuses(props, add) if kind == "route" else ((), True)
        if ok and dates_ok and spans_ok:
            rows.append(
                props
                | {
                    "active_from": start,
                    "active_to": end,
                    "status": spans,
                    "feature_index": i,
                    "geometry": shape(feat["geometry"]),
                }
            )
    if any(p.severity == "error" for p in problems):
        return None, problems
    if not rows:  # an empty layer keeps the columns every feature has
        empty = pd.DataFrame(columns=[*BASE_COLUMNS, "geometry"])
        return gpd.GeoDataFrame(empty, geometry="geometry", crs="EPSG:4326"), problems
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326"), problems


def active_on(layer: gpd.GeoDataFrame, day: dt.date) -> pd.Series:
    """Boolean mask of features active on ``day`` (open ends count as active)."""
    start = layer["active_from"].map(lambda d: d is None or d <= day)
    end = layer["active_to"].map(lambda d: d is None or day <= d)
    return start & end


def route_status(spans: tuple, day: dt.date) -> str | None:
    """Status of a route on ``day`` from its dated spans (None when not yet proposed)."""
    status = None
    for start, end, value in spans:
        if (start is None or start <= day) and (end is None or day <= end):
            status = value
    return status
