"""The whole record as a Frictionless Data Package: ``datapackage.json`` plus one CSV per table.

Resources: districts (geometry as WKT, WGS84), events, sources, evacuation figures, routes and
checkpoints (geometry as WKT) and two link tables, route_sources and checkpoint_sources, because a
route or checkpoint may cite several sources and a foreign key points at one. Table Schema types,
primary keys and foreign keys (events.district -> districts.id, every ``source`` -> sources.key)
let a validator such as ``frictionless validate datapackage.json`` check the package whole.
Text cells that a spreadsheet would run as a formula are neutralised (see :data:`NEUTRALISED`).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import shapely

from geo.constants import CONTESTED
from geo.exports import csv_text
from geo.load import Dataset
from geo.settings import Settings

PROFILE = "tabular-data-package"
COORD_DECIMALS = 6
#: The package is the record's archival copy, but it is also a download that readers open in a
#: spreadsheet by double-clicking it: a note beginning "=HYPERLINK(" would run there. Its text
#: cells are neutralised like every other CSV export (numbers and dates are not), and the
#: descriptor says so, so that an archive can take the one added character off again.
NEUTRALISED = (
    "Text cells that begin with =, +, -, @, a tab or a carriage return carry one added leading "
    "apostrophe (') so that a spreadsheet shows them as text instead of running them as formulas; "
    "remove that first character to get the text as recorded. Numbers and dates are written as they are."
)


def _field(name: str, type_: str = "string", description: str = "", **constraints) -> dict:
    out: dict[str, Any] = {"name": name, "type": type_}
    if description:
        out["description"] = description
    if type_ == "date":
        out["format"] = "%Y-%m-%d"
    if constraints:
        out["constraints"] = constraints
    return out


def _fk(field: str, resource: str, target: str) -> dict:
    return {"fields": field, "reference": {"resource": resource, "fields": target}}


SOURCE_FK = _fk("source", "sources", "key")

SCHEMAS: dict[str, dict] = {
    "districts": {
        "fields": [
            _field("id", description="stable id (OCHA p-code where one exists)", required=True, unique=True),
            _field("name", description="English name", required=True),
            _field("name_ar", description="Arabic name"),
            _field("aliases", description="other spellings, separated by '; '"),
            _field("geometry_source"),
            _field("wkt", description="district polygon as WKT, WGS84 (EPSG:4326) longitude latitude", required=True),
        ],
        "primaryKey": ["id"],
    },
    "sources": {
        "fields": [
            _field("key", description="the key every claim cites", required=True, unique=True),
            _field("title", required=True),
            _field("publisher"),
            _field("date", "date"),
            _field("url", description="http(s) address"),
            _field("stance", description="the source's stance, in our words"),
        ],
        "primaryKey": ["key"],
    },
    "events": {
        "fields": [
            _field("event_id", required=True, unique=True),
            _field("date", "date", required=True),
            _field("district", required=True),
            _field(
                "controller",
                description="the side the claim puts into the district",
                required=True,
                enum=[CONTESTED],  # the settings' sides go first (schemas())
            ),
            _field("share", "number", "part of the district held; blank = the whole district", minimum=0, maximum=1),
            _field("source", required=True),
            _field(
                "precision",
                description="day: dated and placed by the source; approximate: date or "
                "placement loose; inferred: the editors' inference",
                enum=["day", "approximate", "inferred"],
            ),
            _field("place", description="the place as the source spells it"),
            _field("claimant", description="the party whose claim the source reports, if not its own"),
            _field(
                "cites", description="further sources relaying the same statement, separated by ';' (see event_cites)"
            ),
            _field(
                "claim_kind",
                description="what the claim is: a report about the district, or a city-wide "
                "statement; '-announced' when under way rather than done (blank = district)",
            ),
            _field("note"),
        ],
        "primaryKey": ["event_id"],
        "foreignKeys": [_fk("district", "districts", "id"), SOURCE_FK],
    },
    "evacuation": {
        "fields": [
            _field("figure_id", required=True, unique=True),
            _field("date", "date", required=True),
            _field("source", required=True),
            _field("reported_by"),
            _field("measure", required=True),
            _field("value", "number", required=True),
            _field("value_high", "number", "high end of a range; blank when a single figure"),
            _field("basis", description="daily, cumulative or estimate"),
            _field("note"),
        ],
        "primaryKey": ["figure_id"],
        "foreignKeys": [SOURCE_FK],
    },
    "routes": {
        "fields": [
            _field("id", required=True, unique=True),
            _field("name", required=True),
            _field("active_from", "date"),
            _field("active_to", "date"),
            _field("status", description="dated status spans as JSON: [{from, to, status}]"),
            _field("direction"),
            _field("source", description="source keys as written, separated by ';' (see route_sources)"),
            _field("location_precision"),
            _field("note"),
            _field("wkt", description="line as WKT, WGS84 (EPSG:4326)", required=True),
        ],
        "primaryKey": ["id"],
    },
    "checkpoints": {
        "fields": [
            _field("id", required=True, unique=True),
            _field("name", required=True),
            _field("kind"),
            _field("active_from", "date"),
            _field("active_to", "date"),
            _field("operator"),
            _field("source", description="source keys as written, separated by ';' (see checkpoint_sources)"),
            _field("location_precision"),
            _field("note"),
            _field("longitude", "number", required=True),
            _field("latitude", "number", required=True),
        ],
        "primaryKey": ["id"],
    },
}
#: Link tables: one row per (row, source key) where a column lists several keys separated by ';'.
LINKS: tuple[tuple[str, str, str, str], ...] = (
    ("event_cites", "events", "event_id", "cites"),
    ("route_sources", "routes", "route", "source"),
    ("checkpoint_sources", "checkpoints", "checkpoint", "source"),
)
SCHEMAS["event_cites"] = {
    "fields": [_field("event_id", required=True), _field("source", required=True)],
    "primaryKey": ["event_id", "source"],
    "foreignKeys": [_fk("event_id", "events", "event_id"), SOURCE_FK],
}
for _layer, _table in (("routes", "route"), ("checkpoints", "checkpoint")):
    SCHEMAS[f"{_table}_sources"] = {
        "fields": [_field(_table, required=True), _field("source", required=True)],
        "primaryKey": [_table, "source"],
        "foreignKeys": [_fk(_table, _layer, "id"), SOURCE_FK],
    }


def _text(value) -> str:
    if value is None or (not isinstance(value, str | list | tuple | dict) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _wkt(geoms) -> list[str]:
    return list(shapely.to_wkt(geoms.to_numpy(), rounding_precision=COORD_DECIMALS, trim=True))


def _spans(spans) -> str:
    return json.dumps([{"from": _text(a) or None, "to": _text(b) or None, "status": s} for a, b, s in spans])


def package_tables(ds: Dataset) -> dict[str, pd.DataFrame]:
    """Every table of the package as text columns, in :data:`SCHEMAS` field order (absent layers skipped)."""
    d = ds.districts
    tables = {
        "districts": pd.DataFrame(
            {
                "id": d["id"],
                "name": d["name"],
                "name_ar": d["name_ar"],
                "aliases": ["; ".join(a) for a in d["aliases"]],
                "geometry_source": d["geometry_source"],
                "wkt": _wkt(d.geometry),
            }
        ),
        "sources": ds.sources,
        "events": ds.events,
    }
    if ds.evacuation is not None:
        tables["evacuation"] = ds.evacuation
    if ds.routes is not None:
        tables["routes"] = ds.routes.assign(
            status=[_spans(s) for s in ds.routes["status"]], wkt=_wkt(ds.routes.geometry)
        )
    if ds.checkpoints is not None:
        pts = ds.checkpoints.geometry
        tables["checkpoints"] = ds.checkpoints.assign(
            longitude=pts.x.round(COORD_DECIMALS), latitude=pts.y.round(COORD_DECIMALS)
        )
    for link, table, key, column in LINKS:
        if table in tables:
            frame = tables[table]
            ids = frame["event_id" if table == "events" else "id"]
            keys = frame[column] if column in frame else [""] * len(frame)
            pairs = [
                (i, k.strip()) for i, text in zip(ids, keys, strict=True) for k in str(text).split(";") if k.strip()
            ]
            tables[link] = pd.DataFrame(pairs, columns=[key if table != "events" else "event_id", "source"])
            tables[link] = tables[link].drop_duplicates()
    out = {}
    for name, frame in tables.items():
        cols = [f["name"] for f in SCHEMAS[name]["fields"]]
        out[name] = pd.DataFrame({c: [_text(v) for v in frame[c]] if c in frame else [""] * len(frame) for c in cols})
    return out


def _text_fields(schema: dict) -> list[str]:
    """The fields of a table's schema that hold text (neutralised in the CSV; see :data:`NEUTRALISED`)."""
    return [f["name"] for f in schema["fields"] if f["type"] == "string"]


def schemas(settings: Settings) -> dict[str, dict]:
    """:data:`SCHEMAS` with the settings' sides in the events' ``controller`` enum."""
    out = copy.deepcopy(SCHEMAS)
    for f in out["events"]["fields"]:
        if f["name"] == "controller":
            f["constraints"]["enum"] = [*settings.side_ids, CONTESTED]
    return out


def package_name(settings: Settings) -> str:
    """A data package name from the place and the first year, e.g. ``springfield-2020-control``."""
    year = f"-{settings.first.year}" if settings.first else ""
    return f"{settings.slug}{year}-control"


def descriptor(ds: Dataset, tables: dict[str, pd.DataFrame], *, attribution: bool = False) -> dict:
    """The ``datapackage.json`` descriptor for ``tables`` (from :func:`package_tables`)."""
    s = ds.settings
    schema = schemas(s)
    sources = [{"title": r["title"], **({"path": r["url"]} if r["url"] else {})} for r in ds.sources.to_dict("records")]
    description = (
        "One row per claim in events.csv, each with its source key; rival claims are kept side by "
        "side. A district's state on a day is decided from its latest rows dated on or before it."
    )
    description += " " + NEUTRALISED
    if attribution:
        description += " Credits and licences of the geometry are in ATTRIBUTION.md."
    return {
        "profile": PROFILE,
        "name": package_name(s),
        "title": s.text("title") or "Who held each district, and on whose word",
        "description": description,
        "version": ds.digest[:12],
        "data_version": ds.digest,
        "sources": sources,
        "resources": [
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema[name],
            }
            for name in tables
        ],
    }


def package_files(ds: Dataset, *, attribution: str | None = None) -> dict[str, bytes]:
    """Every file of the package by name: ``datapackage.json``, the CSVs, and ATTRIBUTION.md if given."""
    tables = package_tables(ds)
    schema = schemas(ds.settings)
    files = {
        f"{name}.csv": csv_text(frame, text_columns=_text_fields(schema[name])).encode("utf-8")
        for name, frame in tables.items()
    }
    meta = descriptor(ds, tables, attribution=attribution is not None)
    files["datapackage.json"] = json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8")
    if attribution is not None:
        files["ATTRIBUTION.md"] = attribution.encode("utf-8")
    return files


def _stamp(ds: Dataset) -> tuple[int, int, int, int, int, int]:
    """A fixed time for the zip entries (the span's last day), so the same data gives the same bytes."""
    last = ds.settings.last or dt.date(1980, 1, 1)
    return (max(last.year, 1980), last.month, last.day, 0, 0, 0)


def write_datapackage(ds: Dataset, out: Path | str, *, attribution: str | None = None) -> Path:
    """Write the package to the folder ``out``, or as one zip file when ``out`` ends in ``.zip``.

    Returns the path of ``datapackage.json`` (folder) or of the zip. Existing files of the same
    names are replaced; nothing else in the folder is touched.
    """
    out = Path(out)
    files = package_files(ds, attribution=attribution)
    if out.suffix.lower() == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(datapackage_zip(files, stamp=_stamp(ds)))
        return out
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
    return out / "datapackage.json"


def package_zip(ds: Dataset, *, attribution: str | None = None) -> bytes:
    """The whole package as zip bytes (a download button's data)."""
    return datapackage_zip(package_files(ds, attribution=attribution), stamp=_stamp(ds))


def datapackage_zip(
    files: dict[str, bytes], *, stamp: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)
) -> bytes:
    """The package files (from :func:`package_files`) as zip bytes, ``datapackage.json`` at the top."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files, key=lambda n: (n != "datapackage.json", n)):
            zf.writestr(
                zipfile.ZipInfo(name, date_time=stamp),
                files[name],
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return buf.getvalue()
