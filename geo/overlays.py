"""Routes and checkpoints: dated line and point layers with a source on every feature."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
from shapely.geometry import shape

from geo.geojson_check import LINEAR, POINT, check_collection
from geo.problems import Problem
from geo.tables import parse_date

ROUTE_STATUSES = ("proposed", "in use", "closed")


def _dates(props: dict, add) -> tuple[dt.date | None, dt.date | None, bool]:
    out, ok = [], True
    for key in ("active_from", "active_to"):
        value = props.get(key)
        d = parse_date(str(value)) if value not in (None, "") else None
        if value not in (None, "") and d is None:
            add("error", f"{key} {value!r} is not a date in YYYY-MM-DD form.", "Write e.g. 2016-12-15.",
                key)
            ok = False
        out.append(d)
    if out[0] and out[1] and out[1] < out[0]:
        add("error", "active_to is before active_from.", "Swap or fix the dates.", "active_to")
        ok = False
    return out[0], out[1], ok


def _statuses(props: dict, add) -> tuple[tuple, bool]:
    raw = props.get("status")
    if raw is None:
        return (), True
    if isinstance(raw, str):
        raw = [{"from": props.get("active_from"), "to": props.get("active_to"), "status": raw}]
    if not isinstance(raw, list):
        add("error", "status must be a list of {from, to, status}.", "", "status")
        return (), False
    spans = []
    for span in raw:
        if not isinstance(span, dict) or span.get("status") not in ROUTE_STATUSES:
            add("error", f"status entry {span!r} needs 'status' in {', '.join(ROUTE_STATUSES)}.", "",
                "status")
            return (), False
        start, end = parse_date(str(span.get("from") or "")), parse_date(str(span.get("to") or ""))
        if span.get("from") and start is None or span.get("to") and end is None:
            add("error", f"status entry {span!r} has a date not in YYYY-MM-DD form.", "", "status")
            return (), False
        spans.append((start, end, span["status"]))
    return tuple(spans), True


def read_overlay(text: str, file: str, *, kind: str, source_keys: set[str]
                 ) -> tuple[gpd.GeoDataFrame | None, list[Problem]]:
    """Read routes (``kind="route"``) or checkpoints (``kind="checkpoint"``) GeoJSON text."""
    feats, problems = check_collection(text, file, kinds=LINEAR if kind == "route" else POINT)
    if feats is None:
        return None, problems
    rows, seen = [], set()
    for i, feat in enumerate(feats):
        props = feat["properties"] if isinstance(feat["properties"], dict) else {}
        fid = str(props.get("id") or "")

        def add(sev, msg, hint="", field=None, i=i, fid=fid):
            problems.append(Problem(sev, file, msg, hint, "feature", i, fid or None, field))

        ok = feat["geometry"] is not None
        for key in ("id", "name", "source"):
            if not props.get(key):
                add("error", f"required property '{key}' is missing.", f"Add '{key}'.", key)
                ok = False
        if fid in seen:
            add("error", f"duplicate id {fid!r}.", "Give each feature its own id.", "id")
            ok = False
        seen.add(fid)
        for key in str(props.get("source") or "").split(";"):
            if key.strip() and key.strip() not in source_keys:
                add("error", f"unknown source {key.strip()!r}.", "Add it to sources.csv.", "source")
                ok = False
        start, end, dates_ok = _dates(props, add)
        spans, spans_ok = _statuses(props, add) if kind == "route" else ((), True)
        if ok and dates_ok and spans_ok:
            rows.append(props | {"active_from": start, "active_to": end, "status": spans,
                                 "feature_index": i, "geometry": shape(feat["geometry"])})
    if any(p.severity == "error" for p in problems):
        return None, problems
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
