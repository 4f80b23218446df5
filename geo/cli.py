"""Command line: ``python -m geo control|areas|changes|history|export|import``."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from geo.areas import areas_on
from geo.escape import csv_cell
from geo.fields import parse_day
from geo.importer import run_import
from geo.load import Dataset, check_dataset
from geo.names import match_district
from geo.spatial import changes_between, district_areas_km2
from geo.timeline import Timeline, timeline_for
from geo.vocabulary import state_of, states

RECORD_FIELDS = ("id", "name", "name_ar", "aliases", "state", "share", "holder", "rest", "basis", "since", "sources")


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
    d, why = parse_day(text)
    if d is None:
        raise UsageError(f"{flag} {why}")
    try:
        tl.day_index(d)
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None
    return pd.Timestamp(d)


def district_records(ds: Dataset, state: pd.DataFrame) -> list[dict]:
    """One record per district: names joined to the day's state (and its word, geo.vocabulary)."""
    meta = ds.districts.set_index("id")
    out = []
    for did, row in state.assign(state=states(state)).iterrows():
        m = meta.loc[did]
        rec = {"id": did, "name": m["name"], "name_ar": m["name_ar"], "aliases": list(m["aliases"])}
        rec |= {k: _clean(row[k]) for k in RECORD_FIELDS[4:]}
        out.append(rec)
    return out


def _emit(records: list[dict], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=1, allow_nan=False)
    flat = [
        {k: "; ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v) for k, v in r.items()}
        for r in records
    ]
    if fmt == "csv":
        buf = io.StringIO()
        if flat:
            w = csv.DictWriter(buf, fieldnames=list(flat[0]))
            w.writeheader()
            w.writerows({k: csv_cell(v) for k, v in r.items()} for r in flat)  # (opened in a spreadsheet)
        return buf.getvalue().rstrip("\n")
    return pd.DataFrame(flat).to_string(index=False) if flat else "(none)"


def cmd_control(ds, tl, args) -> str:
    day = _day(tl, args.date, "--date")
    state = tl.control_on(day)
    return _emit(district_records(ds, state), args.format)


def _range(low: float, high: float, unit: str = "") -> str:
    """``"14.4 … 23.6"``: sourced only … with inferred (one figure when they agree)."""
    if pd.isna(low) or pd.isna(high):
        return ""
    return f"{low:.1f}{unit}" if round(low, 1) == round(high, 1) else f"{low:.1f} … {high:.1f}{unit}"


def _areas_text(ds: Dataset, day: pd.Timestamp, table: pd.DataFrame, band: pd.DataFrame) -> str:
    s = ds.settings
    yard = s.yardstick or s.side_ids[0]  # a record that names no side is refused when it loads
    yard_side = s.side(yard)
    assert yard_side is not None, "the yardstick is one of the sides (checked when map.toml is read)"
    of_start = f"% of {yard_side.phrase('en')}'s start area"
    takers = [side for side in s.side_ids if side != yard]
    shown = table[table["controller"].isin(s.side_ids) | table["km2"].gt(0.0005)]
    rows = [
        {
            "side": r.controller,
            "held km2 (sourced only … with inferred)": _range(r.km2_sourced, r.km2),
            "in dispute km2": f"{r.km2_in_dispute:.1f}" if r.km2_in_dispute else "",
            "gained since start km2": _range(r.gained_km2_sourced, r.gained_km2) if r.controller in takers else "",
            of_start: _range(r.of_opposition_at_start_sourced, r.of_opposition_at_start, " %"),
        }
        for r in shown.itertuples()
    ]
    lines = [
        f"Area on {day.date()}: sourced only = the districts the sources name; with inferred = every "
        f"district (the editors' inferred polygons too). % = held ({yard}) or gained ({', '.join(takers)}).",
        pd.DataFrame(rows).to_string(index=False),
    ]
    if len(band):
        lines.append("Disputed ground (sources disagree; counted above for the side the narrative gives):")
        lines += [f"  {r.km2:.2f} km2 {', '.join(r.districts)}: {r.claims}" for r in band.itertuples()]
    return "\n".join(lines)


def cmd_areas(ds, tl, args) -> str:
    day = _day(tl, args.date, "--date")
    table, band = areas_on(
        tl, district_areas_km2(ds.districts, crs=ds.settings.crs), day, yardstick=ds.settings.yardstick
    )
    if args.format == "table":
        return _areas_text(ds, day, table, band)
    # the rows are named by the state words: the sides, disputed ground, unknown
    rows = [
        {k: _clean(round(v, 3) if isinstance(v, float) else v) for k, v in r.items()}
        for r in table.rename(columns={"controller": "state"}).to_dict("records")
    ]
    if args.format == "csv":
        return _emit(rows, "csv")
    disputed = [
        {"km2": round(r["km2"], 3), "districts": list(r["districts"]), "sides": list(r["sides"]), "claims": r["claims"]}
        for r in band.to_dict("records")
    ]
    return json.dumps(
        {"date": day.date().isoformat(), "areas": rows, "disputed": disputed},
        ensure_ascii=False,
        indent=1,
        allow_nan=False,
    )


def cmd_changes(ds, tl, args) -> str:
    d1, d2 = _day(tl, args.date_from, "--from"), _day(tl, args.date_to, "--to")
    if d1 > d2:
        raise UsageError(
            f"--from {d1.date()} is later than --to {d2.date()}; give the earlier day first "
            f"(--from {d2.date()} --to {d1.date()})."
        )
    table = changes_between(tl.control_on(d1), tl.control_on(d2))
    names = ds.districts.set_index("id")["name"]
    table.insert(1, "name", names.reindex(table["id"]).to_numpy())
    return _emit([{k: _clean(v) for k, v in r.items()} for r in table.to_dict("records")], args.format)


def _history(ds, tl, did: str) -> tuple[dict, list[dict]]:
    meta = ds.districts.set_index("id").loc[did]
    groups = tl.groups[tl.groups["district"] == did]
    records = []
    for _, g in groups.iterrows():
        for claim in tl.events.iloc[g["start"] : g["end"]].to_dict("records"):
            records.append(
                {
                    "date": g["date"].date().isoformat(),
                    "state": state_of(g["controller"], g["disputed"]),
                    "state_share": _clean(g["share"]),
                    "basis": g["basis"],
                    "claim": claim["controller"],
                    "claim_share": _clean(claim["share"]),
                    "source": claim["source"],
                    "cites": claim.get("cites", ""),
                    "claimant": claim.get("claimant", ""),
                    "claim_kind": claim.get("claim_kind", ""),
                    "precision": claim["precision"],
                    "event_id": claim["event_id"],
                    "note": claim["note"],
                }
            )
    return {"id": did, "name": meta["name"], "name_ar": meta["name_ar"]}, records


def cmd_history(ds, tl, args) -> str:
    found = match_district(ds.districts, args.district)
    if not found.ids:
        hint = found.did_you_mean() or f"see `python -m geo control --date {tl.days[0].date()}` for the list"
        raise UsageError(f"no district has the id, name or alias {args.district!r}; {hint}")
    histories = [(did, *_history(ds, tl, did)) for did in found.ids]
    if args.format == "json":
        out = [head | {"history": records} for _, head, records in histories]
        return json.dumps(out[0] if len(out) == 1 else out, ensure_ascii=False, indent=1)
    if args.format == "csv":
        csvs = [_emit([{"id": did} | r for r in records], "csv") for did, _, records in histories]
        return "\n".join([csvs[0], *("\n".join(o.splitlines()[1:]) for o in csvs[1:])])
    texts = [
        f"{did} {head['name']} ({head['name_ar']})\n" + _emit(records, "table") for did, head, records in histories
    ]
    note = [] if found.how == "exact" else [f"{args.district!r} read as {found.label!r} ({', '.join(found.ids)})"]
    return "\n\n".join([*note, *texts])


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m geo",
        description="Who held each district, when, "
        "and on whose word (the place and its sides: the data folder's map.toml).",
    )
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


#: Exit status when the reader of our output went away (as for a process ended by SIGPIPE).
CLOSED_PIPE_EXIT = 128 + signal.SIGPIPE


def quiet_on_closed_pipe(run: Callable[[], int]) -> int:
    """Run a command; when stdout's reader has gone (``... | head``), stop quietly instead of a traceback."""
    try:
        code = run()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at /dev/null so that flush cannot fail too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return CLOSED_PIPE_EXIT


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return quiet_on_closed_pipe(lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    if args.command == "import":
        code, lines = run_import(args.file, args.data, write=args.yes)
        print("\n".join(line for line in lines if line))
        return code
    ds, problems = check_dataset(args.data)
    if ds is None:
        for p in problems:
            if p.severity == "error":
                print(p, file=sys.stderr)
        print(f"{args.data}: the data has errors; run `python -m geo.validate {args.data}`.", file=sys.stderr)
        return 1
    tl = timeline_for(ds)
    try:
        print(args.func(ds, tl, args))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
