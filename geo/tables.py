"""CSV tables: events, sources and evacuation figures, read into typed frames with problems."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Iterable

import pandas as pd

from geo.constants import (
    CLAIM_KINDS,
    CONTROLLERS,
    DEFAULT_CLAIM_KIND,
    EDITOR_SOURCE,
    EVENT_COLUMNS,
    EVENT_DATE_MAX,
    EVENT_DATE_MIN,
    EVENT_OPTIONAL_COLUMNS,
    PRECISIONS,
    SOURCE_COLUMNS,
)
from geo.names import normalize_name
from geo.problems import Problem

EVACUATION_COLUMNS = ("figure_id", "date", "source", "measure", "value", "basis")
#: Shares of one source for one district and day may exceed 1 by this much (rounding).
SHARE_SLACK = 0.02


def _rows(text: str, file: str, required: Iterable[str], problems: list[Problem]):
    """Yield (line number, row dict) after checking the header; nothing if the header is bad."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        problems.append(Problem("error", file, f"missing column(s): {', '.join(missing)}.",
                                f"The header must include: {', '.join(required)}.", "line", 1,
                                field=missing[0]))
        return
    try:
        for row in reader:
            if None in row:
                problems.append(Problem("error", file, "row has more cells than the header.",
                                        "Quote cells that contain commas.", "line", reader.line_num,
                                        (row.get(header[0]) or "").strip() or None))
                continue
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items()}
    except csv.Error as exc:
        problems.append(Problem("error", file, f"CSV syntax error: {exc}.", "Check the quoting.",
                                "line", reader.line_num))


def parse_date(text: str) -> dt.date | None:
    """ISO ``YYYY-MM-DD`` to a date, or None."""
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _date(value: str, add: Callable, field: str = "date", *, blank_ok: bool = False) -> dt.date | None:
    if not value and blank_ok:
        return None
    d = parse_date(value)
    if d is None:
        add("error", f"{field} {value!r} is not a date in YYYY-MM-DD form.", "Write e.g. 2016-12-13.",
            field)
    elif not EVENT_DATE_MIN <= d <= EVENT_DATE_MAX:
        add("error", f"{field} {value} is outside {EVENT_DATE_MIN}..{EVENT_DATE_MAX}.",
            "Check the year.", field)
        return None
    return d


def _adder(problems: list[Problem], file: str, line: int, rid: str | None):
    def add(sev, msg, hint="", field=None):
        problems.append(Problem(sev, file, msg, hint, "line", line, rid or None, field))
    return add


def read_sources(text: str, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read sources.csv: one row per source key."""
    problems: list[Problem] = []
    rows, seen = [], set()
    for line, row in _rows(text, file, ("key", "title"), problems):
        add = _adder(problems, file, line, row["key"])
        if not row["key"]:
            add("error", "key is empty.", "Give the source a short unique key.", "key")
            continue
        if row["key"] in seen:
            add("error", f"duplicate key {row['key']!r}.", "Keep one row per source.", "key")
            continue
        url = row.get("url", "")
        if url and not url.lower().startswith(("http://", "https://")):
            add("error", f"url {url!r} is not an http(s) address; it would become a link.",
                "Give an http:// or https:// address, or leave it blank.", "url")
            continue
        seen.add(row["key"])
        rows.append({c: row.get(c, "") for c in SOURCE_COLUMNS} | {"line": line})
    return pd.DataFrame(rows, columns=[*SOURCE_COLUMNS, "line"]), problems


def _share(value: str, add: Callable) -> float | None:
    """Parsed share; NaN for blank; None on error."""
    if not value:
        return math.nan
    try:
        share = float(value.rstrip("%")) / (100 if value.endswith("%") else 1)
    except ValueError:
        add("error", f"share {value!r} is not a number.", "Write a fraction such as 0.5, or leave "
            "it blank for the whole district.", "share")
        return None
    if not 0 < share <= 1:
        add("error", f"share {value} is outside 0–1 (exclusive of 0).",
            "Write the part held as a fraction, e.g. 0.33 for a third.", "share")
        return None
    return share


def read_events(
    text: str, file: str, *, district_ids: set[str], source_keys: set[str],
    names: dict[str, list[str]] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read events.csv into a typed frame (``date`` datetime64, ``share`` float, NaN = whole)."""
    problems: list[Problem] = []
    rows, seen = [], {}
    for line, row in _rows(text, file, EVENT_COLUMNS, problems):
        eid = row["event_id"]
        add = _adder(problems, file, line, eid)
        ok = True
        if not eid:
            add("error", "event_id is empty.", "Give every row a unique id such as E0123.", "event_id")
            ok = False
        elif eid in seen:
            add("error", f"duplicate event_id {eid!r} (also line {seen[eid]}).", "Give it a new id.",
                "event_id")
            ok = False
        else:
            seen[eid] = line
        date = _date(row["date"], add)
        if row["district"] not in district_ids:
            guess = (names or {}).get(row["district"].casefold()) or _spelling_guess(names or {}, row["district"])
            hint = (f"Use the district id {' or '.join(guess)}." if guess else
                    "Use an id from districts.geojson, or add the district there first.")
            add("error", f"unknown district {row['district']!r}.", hint, "district")
            ok = False
        if row["controller"] not in CONTROLLERS:
            add("error", f"unknown controller {row['controller']!r}.",
                f"Use one of: {', '.join(CONTROLLERS)}.", "controller")
            ok = False
        share = _share(row["share"], add)
        if row["source"] not in source_keys:
            add("error", f"unknown source {row['source']!r}.", "Add it to sources.csv or use an "
                "existing key.", "source")
            ok = False
        if row["precision"] and row["precision"] not in PRECISIONS:
            add("warning", f"precision {row['precision']!r} is not one of {', '.join(PRECISIONS)}.",
                "", "precision")
        kind = row.get("claim_kind") or DEFAULT_CLAIM_KIND
        if kind not in CLAIM_KINDS:
            add("error", f"unknown claim_kind {kind!r}.", f"Use one of: {', '.join(CLAIM_KINDS)} "
                "(blank means district).", "claim_kind")
            ok = False
        cites = _cites(row, source_keys, add)
        ok = ok and cites is not None
        _check_basis(row, cites or (), add)
        if ok and date is not None and share is not None:
            rows.append({c: "" for c in EVENT_OPTIONAL_COLUMNS} | row
                        | {"date": date, "share": share, "claim_kind": kind, "cites": ";".join(cites or ()),
                           "line": line})
    frame = pd.DataFrame(rows, columns=[*EVENT_COLUMNS, *EVENT_OPTIONAL_COLUMNS, "line"] if not rows else None)
    # a claim is made by a source, or by the party a source quotes: shares and disputes count per claim
    claim_by = frame["source"].where(frame["claimant"].eq(""), frame["source"] + ": " + frame["claimant"])
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["share"] = frame["share"].astype(float)
    _check_share_sums(frame.assign(claim_by=claim_by), file, problems)
    return frame, problems


def _spelling_guess(names: dict[str, list[str]], text: str) -> list[str]:
    """District ids whose name or alias is ``text`` spelt another way (see ``geo.names``)."""
    key = normalize_name(text)
    return list(dict.fromkeys(i for label, ids in names.items() if key and normalize_name(label) == key for i in ids))


def _cites(row: dict, source_keys: set[str], add: Callable) -> tuple[str, ...] | None:
    """The further source keys relaying the row's statement; None when one is unknown."""
    keys = tuple(dict.fromkeys(k.strip() for k in (row.get("cites") or "").split(";") if k.strip()))
    unknown = [k for k in keys if k not in source_keys]
    if unknown:
        add("error", f"cites unknown source(s) {', '.join(map(repr, unknown))}.",
            "List keys from sources.csv separated by ';', or leave it blank.", "cites")
        return None
    if row["source"] in keys:
        add("warning", f"cites repeats the row's own source {row['source']!r}.",
            "List only the other sources that relay the same statement.", "cites")
        keys = tuple(k for k in keys if k != row["source"])
    return keys


def _check_basis(row: dict, cites: tuple[str, ...], add: Callable) -> None:
    """An inference cites the editors' key, never a document; the editors' key marks inferences only."""
    inferred = row["precision"] == "inferred"
    documents = [k for k in (row["source"], *cites) if k != EDITOR_SOURCE]
    if inferred and documents:
        add("warning", f"precision is 'inferred' but the row cites {', '.join(map(repr, documents))}, a "
            "document.", f"An inference cites the editors' own source key {EDITOR_SOURCE!r} (add it to "
            "sources.csv) and its note names the later report or the geography it rests on; if a document "
            "states the claim, set precision to day or approximate.", "source" if row["source"] in documents
            else "cites")
    elif row["source"] == EDITOR_SOURCE and not inferred:
        add("warning", f"the row cites {EDITOR_SOURCE!r} (the editors' inference) with precision "
            f"{row['precision']!r}.", "Set precision to inferred, or cite the document that states it.",
            "precision")


def _check_share_sums(frame: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    if frame.empty:
        return
    total = frame.assign(s=frame["share"].fillna(1.0)).groupby(["district", "date", "claim_by"])["s"]
    over = total.sum()[lambda s: s > 1 + SHARE_SLACK]
    for (district, date, claim_by), value in over.items():
        first = frame[(frame["district"] == district) & (frame["date"] == date)
                      & (frame["claim_by"] == claim_by)].iloc[-1]
        problems.append(Problem("error", file, f"source {claim_by!r} gives district {district} shares "
                                f"adding up to {value:.2f} on {date.date()}.",
                                "One claim's shares for a district and day must add up to 1 at most; when the "
                                "source reports another party's claim, name that party in 'claimant'.",
                                "line", int(first["line"]), first["event_id"], "share"))


def read_evacuation(text: str, file: str, *, source_keys: set[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """Read evacuation.csv: dated figures by source."""
    problems: list[Problem] = []
    rows, seen = [], set()
    for line, row in _rows(text, file, EVACUATION_COLUMNS, problems):
        add = _adder(problems, file, line, row["figure_id"])
        date = _date(row["date"], add)
        try:
            value = float(row["value"].replace(",", ""))
        except ValueError:
            add("error", f"value {row['value']!r} is not a number.", "Write digits only.", "value")
            continue
        high = row.get("value_high", "")
        try:
            high_value = float(high.replace(",", "")) if high else None
        except ValueError:
            add("error", f"value_high {high!r} is not a number.", "Write digits only, or leave it blank.",
                "value_high")
            continue
        if high_value is not None and high_value < value:
            add("error", "value_high is below value.", "Put the low end of a range in value, the high end in "
                "value_high.", "value_high")
            continue
        if row["figure_id"] in seen:
            add("error", f"duplicate figure_id {row['figure_id']!r}.", "Give it a new id.", "figure_id")
            continue
        seen.add(row["figure_id"])
        if row["source"] not in source_keys:
            add("error", f"unknown source {row['source']!r}.", "Add it to sources.csv.", "source")
            continue
        if date is not None:
            rows.append(row | {"date": pd.Timestamp(date), "value": value, "value_high": high_value, "line": line})
    return pd.DataFrame(rows), problems
