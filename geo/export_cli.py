"""``python -m geo export``: write a download of the record to a file or folder."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from geo.acled import acled_csv
from geo.compare import compare_csv
from geo.constants import LANGS
from geo.datapackage import write_datapackage
from geo.describe import about, text_file
from geo.exports import day_csv, day_geojson_text, intervals_csv, intervals_parquet
from geo.load import Dataset
from geo.tables import parse_date
from geo.timeline import Timeline

WHAT = ("day", "package", "acled", "intervals", "compare", "text", "about")
ATTRIBUTION_FILE = "ATTRIBUTION.md"


class ExportError(Exception):
    """A bad export request: the CLI prints it as one line and exits 2."""


def add_parser(sub, *, error: type[Exception]) -> argparse.ArgumentParser:
    """Register ``export`` on the CLI's subparsers; a bad request raises ``error`` (the CLI's usage error)."""
    p = sub.add_parser(
        "export",
        help="write the day's states, the data package, ACLED-shaped changes, state "
        "intervals, a two-day comparison or the map's texts to a file",
    )
    p.add_argument(
        "--what",
        choices=WHAT,
        required=True,
        help="day: the day's states (.csv or .geojson); package: Frictionless data package (folder, "
        "or .zip); acled: control changes as ACLED-shaped CSV; intervals: each district's states "
        "as intervals (.csv or .parquet); compare: changes between --date and --to (.csv); text: the day's "
        "description and state table (.txt); about: the 'About this map' text (.txt)",
    )
    p.add_argument("--date", help="the day (YYYY-MM-DD) for day; the first day for compare")
    p.add_argument("--to", dest="date_to", help="the second day for compare")
    p.add_argument("--lang", choices=LANGS, default="en", help="language of text and about (default: en)")
    p.add_argument("--out", required=True, type=Path, help="file or folder to write")
    p.add_argument("--data", default="data", help="data folder (default: data)")
    p.set_defaults(func=lambda ds, tl, args: run(ds, tl, args, error))
    return p


def _day(tl: Timeline, text: str | None, flag: str) -> pd.Timestamp:
    if not text:
        raise ExportError(f"{flag} is required for this export (YYYY-MM-DD, e.g. 2016-12-13).")
    d = parse_date(text)
    if d is None:
        raise ExportError(f"{flag} {text!r} is not a date in YYYY-MM-DD form (e.g. 2016-12-13).")
    try:
        tl.day_index(d)
    except ValueError as exc:
        raise ExportError(f"{flag}: {exc}") from None
    return pd.Timestamp(d)


def _suffix(out: Path, allowed: tuple[str, ...], what: str) -> str:
    suffix = out.suffix.lower()
    if suffix not in allowed:
        raise ExportError(f"--out for {what} must end in {' or '.join(allowed)}, not {out.name!r}.")
    return suffix


def export(
    ds: Dataset,
    tl: Timeline,
    *,
    what: str,
    out: Path,
    date: str | None = None,
    date_to: str | None = None,
    attribution: str | None = None,
    lang: str = "en",
) -> str:
    """Write one export to ``out``; return a one-line report of what was written."""
    out = Path(out)
    data: str | bytes
    if what == "package":
        path = write_datapackage(ds, out, attribution=attribution)
        return f"wrote the data package to {path}"
    if what == "day":
        day = _day(tl, date, "--date")
        kind = _suffix(out, (".csv", ".geojson", ".json"), what)
        data = day_csv(ds, tl, day) if kind == ".csv" else day_geojson_text(ds, tl, day)
    elif what == "acled":
        _suffix(out, (".csv",), what)
        data = acled_csv(ds, tl)
    elif what == "intervals":
        kind = _suffix(out, (".csv", ".parquet"), what)
        data = intervals_csv(ds, tl) if kind == ".csv" else intervals_parquet(ds, tl)
    elif what == "compare":
        d1, d2 = _day(tl, date, "--date"), _day(tl, date_to, "--to")
        if d2 < d1:
            raise ExportError(f"--to {d2.date()} is before --date {d1.date()}.")
        _suffix(out, (".csv",), what)
        data = compare_csv(ds, tl, d1, d2)
    elif what == "text":
        day = _day(tl, date, "--date")
        _suffix(out, (".txt",), what)
        data = text_file(ds, tl, day, lang)
    elif what == "about":
        _suffix(out, (".txt",), what)
        data = "\n\n".join("\n\n".join([s["heading"], *s["paragraphs"]]) for s in about(ds, lang, tl=tl)) + "\n"
    else:
        raise ExportError(f"--what must be one of {', '.join(WHAT)}.")
    out.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        out.write_bytes(data)
    else:
        out.write_text(data, encoding="utf-8")
    return f"wrote {what} to {out}"


def run(ds: Dataset, tl: Timeline, args, error: type[Exception]) -> str:
    """The CLI command: the data folder's ATTRIBUTION.md goes into a data package; a bad request raises ``error``."""
    credit = Path(args.data) / ATTRIBUTION_FILE
    attribution = credit.read_text(encoding="utf-8") if credit.is_file() else None
    try:
        return export(
            ds,
            tl,
            what=args.what,
            out=args.out,
            date=args.date,
            date_to=args.date_to,
            attribution=attribution,
            lang=args.lang,
        )
    except ExportError as exc:
        raise error(str(exc)) from None
