"""Data downloads: a day's states (CSV, GeoJSON), state intervals (CSV, GeoParquet), ACLED-shaped changes.

Every function takes the loaded :class:`~geo.load.Dataset` and its :class:`~geo.timeline.Timeline`
and returns text, bytes or a frame; nothing here reads files. Each row keeps the source keys of
the claims behind it, and rival claims stay side by side. Every CSV is written by :func:`csv_text`,
which neutralises a text cell a spreadsheet would run as a formula. The Frictionless data package is in
:mod:`geo.datapackage`, the ACLED-shaped table in :mod:`geo.acled`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable

import geopandas as gpd
import pandas as pd
from shapely.geometry import mapping

from geo.escape import csv_cell
from geo.load import Dataset
from geo.states import DAY_COLUMNS, INTERVAL_COLUMNS, claim_keys, claim_text, day_states, state_intervals
from geo.timeline import Timeline

#: Separator of several values in one CSV cell (source keys, event ids, claims).
LIST_SEP = "; "
COORD_DECIMALS = 6


def csv_text(frame: pd.DataFrame, *, text_columns: Iterable[str] | None = None) -> str:
    """``frame`` as CSV text (no index) that a spreadsheet opens without running anything: each text
    cell passes through :func:`geo.escape.csv_cell` (a leading ``'`` before ``= + - @``, a tab or CR);
    numbers, negative ones too, stay numbers. Lines end in CR LF (RFC 4180), so that a cell holding a
    line break of either kind is quoted: a bare CR left unquoted would start a new row in a
    spreadsheet, whose first cell would not have been neutralised.

    ``text_columns``: the columns holding text (default: every column of object or string type;
    a non-text value in such a column, a number or a blank, is left as it is).
    """
    out = frame.copy()
    if text_columns is None:
        text_columns = [c for c in out.columns if out[c].dtype == object or isinstance(out[c].dtype, pd.StringDtype)]
    for col in text_columns:
        out[col] = out[col].map(csv_cell)
    return out.to_csv(index=False, lineterminator="\r\n")


def _iso(value) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 6)


def _claim_record(claim: dict) -> dict:
    return {
        "event_id": claim["event_id"],
        "date": _iso(claim["date"]),
        "controller": claim["controller"],
        "share": _num(claim["share"]),
        "source": claim["source"],
        "cites": [k for k in claim_keys(claim) if k != claim["source"]],
        "claimant": claim.get("claimant") or None,
        "claim_kind": claim.get("claim_kind") or None,
        "precision": claim.get("precision") or None,
        "place": claim.get("place") or None,
        "note": claim.get("note") or None,
    }


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists joined with :data:`LIST_SEP`, claims as lines of text, dates as ISO text."""
    out = frame.copy()
    for col in ("sources", "event_ids"):
        if col in out:
            out[col] = [LIST_SEP.join(v) for v in out[col]]
    if "claims" in out:
        out["claims"] = [LIST_SEP.join(claim_text(c) for c in cl) for cl in out["claims"]]
    for col in ("since", "valid_from", "valid_to"):
        if col in out:
            out[col] = [_iso(v) for v in out[col]]
    return out


def day_frame(ds: Dataset, tl: Timeline, day) -> pd.DataFrame:
    """The day's states flattened for a spreadsheet: :data:`~geo.states.DAY_COLUMNS` plus ``date``."""
    table = _flat(day_states(ds, tl, day))
    table.insert(0, "date", pd.Timestamp(day).date().isoformat())
    return table


def day_csv(ds: Dataset, tl: Timeline, day) -> str:
    """The day's states as CSV text (UTF-8, one row per district, claims with their source keys)."""
    return csv_text(day_frame(ds, tl, day))


def day_geojson(ds: Dataset, tl: Timeline, day) -> dict:
    """The day's states as an RFC 7946 FeatureCollection (WGS84), one feature per district.

    Properties are :data:`~geo.states.DAY_COLUMNS` with ``sources`` a list and ``claims`` a list of
    objects. The collection also carries ``date`` and ``data_version`` (the dataset digest).
    """
    table = day_states(ds, tl, day)
    geoms = ds.districts.set_index("id").geometry.reindex(table["id"])
    features = []
    for row, geom in zip(table.to_dict("records"), geoms, strict=True):
        props = {k: row[k] for k in DAY_COLUMNS}
        props |= {
            "share": _num(row["share"]),
            "since": _iso(row["since"]),
            "sources": list(row["sources"]),
            "claims": [_claim_record(c) for c in row["claims"]],
            "disputed": bool(row["disputed"]),
            "holder": row["holder"] if isinstance(row["holder"], str) else None,
            "rest": row["rest"] if isinstance(row["rest"], str) else None,
        }
        features.append({"type": "Feature", "id": row["id"], "properties": props, "geometry": _rounded(mapping(geom))})
    return {
        "type": "FeatureCollection",
        "date": pd.Timestamp(day).date().isoformat(),
        "data_version": ds.digest,
        "features": features,
    }


def _rounded(geom: dict) -> dict:
    def walk(c):
        return (
            [round(c[0], COORD_DECIMALS), round(c[1], COORD_DECIMALS)]
            if isinstance(c[0], float)
            else [walk(x) for x in c]
        )

    return {"type": geom["type"], "coordinates": walk(geom["coordinates"])}


def day_geojson_text(ds: Dataset, tl: Timeline, day) -> str:
    """:func:`day_geojson` as UTF-8 JSON text."""
    return json.dumps(day_geojson(ds, tl, day), ensure_ascii=False, allow_nan=False)


def intervals_frame(ds: Dataset, tl: Timeline) -> gpd.GeoDataFrame:
    """Each district's states as intervals with the district's geometry (WGS84).

    Columns: :data:`~geo.states.INTERVAL_COLUMNS` (``valid_from`` inclusive, ``valid_to`` exclusive
    and NaT while the state lasts to the end of the record; ``sources`` and ``event_ids`` lists of
    text) and ``geometry``.
    """
    table = state_intervals(ds, tl)[list(INTERVAL_COLUMNS)].copy()
    for col in ("sources", "event_ids"):
        table[col] = [list(v) for v in table[col]]
    for col in ("valid_from", "valid_to"):
        table[col] = pd.to_datetime(table[col]).dt.date
    geoms = ds.districts.set_index("id").geometry.reindex(table["district"])
    return gpd.GeoDataFrame(table, geometry=geoms.to_numpy(), crs="EPSG:4326")


def intervals_csv(ds: Dataset, tl: Timeline) -> str:
    """The state intervals as CSV text (no geometry; join on ``district`` to districts.geojson)."""
    return csv_text(_flat(state_intervals(ds, tl)))


def intervals_parquet(ds: Dataset, tl: Timeline) -> bytes:
    """The state intervals as GeoParquet bytes (geometry WKB, GeoParquet metadata by geopandas)."""
    buf = io.BytesIO()
    intervals_frame(ds, tl).to_parquet(buf, index=False)
    return buf.getvalue()
