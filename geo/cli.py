"""Command line: ``python -m geo control|areas|changes|history|export|import``."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from pathlib import Path

import pandas as pd

from geo.districts import resolve_district
from geo.importer import run_import
from geo.load import Dataset, check_dataset
from geo.spatial import areas_by_controller, changes_between, district_areas_km2
from geo.tables import parse_date
from geo.timeline import Timeline, build_timeline

RECORD_FIELDS = ("id", "name", "name_ar", "aliases", "controller", "share", "holder", "rest",
                 "disputed", "since", "sources")


class UsageError(Exception):
    """A bad argument: printed as one line, exit 2."""


def _clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if value is pd.NaT:
        return None
    if isinstance(value, tuple):
        return list(value)
    return value


def _day(tl: Timeline, text: str, flag: str) -> pd.Timestamp:
    d = parse_date(text)
    if d is None:
        raise UsageError(f"{flag} {text!r} is not a date in YYYY-MM-DD form (e.g. 2016-12-13).")
    try:
        tl.day_index(d)
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None
    return pd.Timestamp(d)


def district_records(ds: Dataset, state: pd.DataFrame) -> list[dict]:
    """One record per district: names joined to the day's state."""
    meta = ds.districts.set_index("id")
    out = []
    for did, row in state.iterrows():
        m = meta.loc[did]
        rec = {"id": did, "name": m["name"], "name_ar": m["name_ar"], "aliases": list(m["aliases"])}
        rec |= {k: _clean(row[k]) for k in RECORD_FIELDS[4:]}
        out.append(rec)
    return out


def _emit(records: list[dict], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=1, allow_nan=False)
    flat = [{k: "; ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v)
             for k, v in r.items()} for r in records]
    if fmt == "csv":
        buf = io.StringIO()
        if flat:
            w = csv.DictWriter(buf, fieldnames=list(flat[0]))
            w.writeheader()
            w.writerows(flat)
        return buf.getvalue().rstrip("\n")
    return pd.DataFrame(flat).to_string(index=False) if flat else "(none)"


def cmd_control(ds, tl, args) -> str:
    day = _day(tl, args.date, "--date")
    return _emit(district_records(ds, tl.control_on(day)), args.format)


def cmd_areas(ds, tl, args) -> str:
    day = _day(tl, args.date, "--date")
    areas = district_areas_km2(ds.districts)
    table = areas_by_controller(tl.control_on(day), areas)
    start = areas_by_controller(tl.control_on(tl.days[0]), areas).set_index("controller")["km2"]
    if start["opposition"] > 0:  # the yardstick the sources use: share of what the opposition held at the start
        pct = (table["km2"] / start["opposition"] * 100).round(1)
        table["of_opposition_at_start"] = pct.where(table["controller"].isin(["opposition", "contested"]))
    table["km2"] = table["km2"].round(3)
    table["percent"] = table["percent"].round(2)
    return _emit([{k: _clean(v) for k, v in r.items()} for r in table.to_dict("records")], args.format)


def cmd_changes(ds, tl, args) -> str:
    d1, d2 = _day(tl, args.date_from, "--from"), _day(tl, args.date_to, "--to")
    table = changes_between(tl.control_on(d1), tl.control_on(d2))
    names = ds.districts.set_index("id")["name"]
    table.insert(1, "name", names.reindex(table["id"]).to_numpy())
    return _emit([{k: _clean(v) for k, v in r.items()} for r in table.to_dict("records")], args.format)


def cmd_history(ds, tl, args) -> str:
    ids = resolve_district(ds.districts, args.district)
    if not ids:
        raise UsageError(f"no district has the id, name or alias {args.district!r}; "
                         "see `python -m geo control --date 2016-11-15` for the list.")
    if len(ids) > 1:
        raise UsageError(f"{args.district!r} may mean {', '.join(ids)}; give the id.")
    did = ids[0]
    meta = ds.districts.set_index("id").loc[did]
    groups = tl.groups[tl.groups["district"] == did]
    records = []
    for _, g in groups.iterrows():
        for claim in tl.events.iloc[g["start"]:g["end"]].to_dict("records"):
            records.append({"date": g["date"].date().isoformat(), "state": g["controller"],
                            "state_share": _clean(g["share"]), "disputed": bool(g["disputed"]),
                            "claim": claim["controller"], "claim_share": _clean(claim["share"]),
                            "source": claim["source"], "claimant": claim.get("claimant", ""),
                            "precision": claim["precision"],
                            "event_id": claim["event_id"], "note": claim["note"]})
    head = f"{did} {meta['name']} ({meta['name_ar']})"
    if args.format == "json":
        return json.dumps({"id": did, "name": meta["name"], "name_ar": meta["name_ar"],
                           "history": records}, ensure_ascii=False, indent=1)
    return (head + "\n" if args.format == "table" else "") + _emit(records, args.format)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m geo", description="Who held each Aleppo district, when, "
                                 "and on whose word.")
    sub = ap.add_subparsers(dest="command", required=True)

    def add(name, func, help_):
        p = sub.add_parser(name, help=help_)
        p.add_argument("--data", default="data", help="data folder (default: data)")
        p.add_argument("--format", choices=("table", "json", "csv"), default="table")
        p.set_defaults(func=func)
        return p

    add("control", cmd_control, "state of every district on a day").add_argument("--date", required=True)
    add("areas", cmd_areas, "area held by each side on a day (km²)").add_argument("--date", required=True)
    p = add("changes", cmd_changes, "districts whose state differs between two days")
    p.add_argument("--from", dest="date_from", required=True)
    p.add_argument("--to", dest="date_to", required=True)
    add("history", cmd_history, "a district's dated states and claims").add_argument("district")
    from geo import export_cli

    export_cli.add_parser(sub, error=UsageError)
    p = sub.add_parser("import", help="merge new or changed districts from a geojson.io or QGIS export")
    p.add_argument("file", type=Path)
    p.add_argument("--data", default="data", type=Path)
    p.add_argument("--yes", action="store_true", help="write the changes (default: show them only)")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "import":
        code, lines = run_import(args.file, args.data, write=args.yes)
        print("\n".join(line for line in lines if line))
        return code
    ds, problems = check_dataset(args.data)
    if ds is None:
        for p in problems:
            if p.severity == "error":
                print(p, file=sys.stderr)
        print(f"{args.data}: the data has errors; run `python -m geo.validate {args.data}`.",
              file=sys.stderr)
        return 1
    tl = build_timeline(ds.districts["id"], ds.events)
    try:
        print(args.func(ds, tl, args))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
