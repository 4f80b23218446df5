"""CSV tables: events, sources and evacuation figures, read into typed frames with problems."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pandas as pd

from geo.constants import (
    CLAIM_KINDS,
    CONTESTED,
    DEFAULT_CLAIM_KIND,
    EDITOR_SOURCE,
    EVENT_COLUMNS,
    EVENT_DATE_MAX,
    EVENT_DATE_MIN,
    EVENT_OPTIONAL_COLUMNS,
    PRECISIONS,
    SOURCE_COLUMNS,
)
from geo.fields import ID_HINT, CaseFold, id_problem, lookalike_of, non_ascii, parse_day, parse_number, unknown_ref
from geo.names import normalize_name
from geo.problems import Problem, has_errors

EVACUATION_COLUMNS = ("figure_id", "date", "source", "measure", "value", "basis")
#: Columns of evacuation.csv that may be left out of the header.
EVACUATION_OPTIONAL_COLUMNS = ("reported_by", "value_high", "note")
#: What an evacuation figure is: a running total, one day's figure, a total over a stated period, an estimate, or
#: a one-off count.
EVACUATION_BASES = ("cumulative", "daily", "period", "estimate", "count")
#: Largest figure accepted (more than a besieged district's population; a bigger count is a typo).
EVACUATION_MAX = 5_000_000
SOURCE_HINT = "Add it to sources.csv or use an existing key."
#: Shares of one source for one district and day may exceed 1 by this much (rounding).
SHARE_SLACK = 0.02


def _add_line(problems: list[Problem], file: str, line: int, message: str, hint: str, field: str | None = None) -> None:
    problems.append(Problem("error", file, message, hint, where="line", index=line, field=field))


#: A carriage return not followed by a line feed. One that ends the text is a CR LF cut in two, which
#: the check for a missing last line break names instead.
_BARE_CR = re.compile(r"\r(?![\n]|\Z)")


def _bare_cr(text: str, file: str, problems: list[Problem]) -> bool:
    """True (after reporting it) when a carriage return ends a line without a line feed."""
    m = _BARE_CR.search(text)
    if m is None:
        return False
    _add_line(
        problems,
        file,
        text.count("\n", 0, m.start()) + 1,
        "a bare carriage return (CR) ends this line; the file mixes line endings.",
        "Save the file with Unix (LF) or Windows (CR LF) line endings.",
    )
    return True


@dataclass(frozen=True)
class _Quoting:
    """Why a line could not be split into cells, and at which column (1-based, in characters)."""

    kind: str  # "open": a quote never closed; "after": text after a closing quote; "stray": a quote in a bare cell
    column: int


def split_line(line: str) -> list[str] | _Quoting:
    """One physical line split into cells, strictly: a quoted cell is closed on its line and followed
    by a comma or the line's end (a quote inside it written twice); a cell not quoted holds no quote."""
    if '"' not in line:
        return line.split(",")
    cells: list[str] = []
    i, n = 0, len(line)
    while True:
        if line.startswith('"', i):
            opened, i, parts = i, i + 1, []
            while True:
                j = line.find('"', i)
                if j < 0:
                    return _Quoting("open", opened + 1)
                parts.append(line[i:j])
                if not line.startswith('"', j + 1):
                    i = j + 1
                    break
                parts.append('"')
                i = j + 2
            if i < n and line[i] != ",":
                return _Quoting("after", i + 1)
            cells.append("".join(parts))
        else:
            end = line.find(",", i)
            end = n if end < 0 else end
            quote = line.find('"', i, end)
            if quote >= 0:
                return _Quoting("stray", quote + 1)
            cells.append(line[i:end])
            i = end
        if i >= n:
            return cells
        i += 1


def _cells(line: str, number: int, file: str, problems: list[Problem], *, last: bool) -> list[str] | None:
    """One physical line split into cells; None after reporting a quoting error. ``last``: the line
    ends the file without a line break (a quote still open there means the file was cut)."""
    out = split_line(line)
    if not isinstance(out, _Quoting):
        return out
    col = out.column
    if out.kind == "open" and last:
        message = f"the file ends inside a quoted field on line {number}: it may be cut short."
        hint = (
            "Restore the rest of the file from its .bak copy or from git; if the line is whole, close "
            f"the quote opened at column {col} and end the file with a line break."
        )
    elif out.kind == "open":
        message = (
            f"a quote opens a cell at column {col} and is not closed on this line (a cell cannot hold a line break)."
        )
        hint = 'Close the quote, or delete the stray ". A cell holding a comma is written "like, this".'
    elif out.kind == "after":
        message = f"a quoted cell has text after its closing quote, at column {col}."
        hint = 'Write a quote inside a quoted cell twice: "a ""quoted"" word".'
    else:
        message = f'a stray quote (") at column {col}, inside a cell that is not quoted.'
        hint = 'Quote the whole cell and write the quote twice ("a ""b"" c"), or delete the stray ".'
    _add_line(problems, file, number, message, hint)
    return None


def _line_cells(lines: list[str], number: int, file: str, problems: list[Problem], open_end: bool) -> list[str] | None:
    """Line ``number`` (1-based) split into cells; None after reporting a problem. ``open_end``: the
    text does not end with a line break, so its last line may be a row cut short and is not read."""
    last = open_end and number == len(lines)
    cells = _cells(lines[number - 1], number, file, problems, last=last)
    if cells is None or not last:
        return cells
    _add_line(
        problems,
        file,
        number,
        f"line {number}, the last, does not end with a line break: the file may be cut short here.",
        f"If line {number} is whole, end the file with a line break (Enter after it, then save); "
        "otherwise restore the rest from the .bak copy or from git.",
    )
    return None


def _header(cells: list[str], file: str, required: Iterable[str], problems: list[Problem]) -> bool:
    ok = True
    seen: dict[str, int] = {}
    for i, name in enumerate(cells, start=1):
        if not name.strip():
            _add_line(
                problems,
                file,
                1,
                f"header cell {i} is blank.",
                "Name every column, or delete the empty column (check for a trailing comma).",
            )
            ok = False
        elif name in seen:
            _add_line(
                problems,
                file,
                1,
                f"column {name!r} appears twice in the header (cells {seen[name]} "
                f"and {i}); one would silently replace the other.",
                "Delete or rename one of them.",
                field=name,
            )
            ok = False
        else:
            seen[name] = i
    missing = [c for c in required if c not in seen]
    if missing:
        _add_line(
            problems,
            file,
            1,
            f"missing column(s): {', '.join(missing)}.",
            f"The header must include: {', '.join(required)}.",
            field=missing[0],
        )
        ok = False
    return ok


def csv_records(
    text: str, file: str, problems: list[Problem], required: Iterable[str] = ()
) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    """The header and the (line number, cells) of each row, read strictly; None if the file is unusable.

    One row per line, each ending with a line break (a last line without one may be a file cut short):
    a cell holding a line break, a quote never closed, a stray quote in a cell not quoted, a bare
    CR, a row with more or fewer cells than the header, a blank or repeated header cell are each an
    error naming the line (and the column, for a quote). Rows with a problem are left out; blank
    lines are skipped. A byte-order mark at the start is allowed.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if _bare_cr(text, file, problems):
        return None
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in text.split("\n")]
    open_end = not text.endswith("\n") and bool(lines[-1].strip())
    header = _line_cells(lines, 1, file, problems, open_end) if lines[0].strip() else None
    if header is None:
        if lines[0].strip() == "":
            _add_line(
                problems,
                file,
                1,
                "the first line is empty; it must be the header.",
                f"Put the column names on line 1: {', '.join(required) or 'the columns'}.",
            )
        return None
    if not _header(header, file, required, problems):
        return None
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = _line_cells(lines, number, file, problems, open_end)
        if cells is None:
            continue
        if len(cells) != len(header):
            more = len(cells) > len(header)
            _add_line(
                problems,
                file,
                number,
                f"row has {len(cells)} cells; the header has {len(header)}.",
                'Quote cells that contain commas ("a, b") or delete the extra comma.'
                if more
                else "Add the missing cells; an empty cell still needs its comma.",
            )
            continue
        rows.append((number, cells))
    return header, rows


def _rows(
    text: str, file: str, required: Iterable[str], problems: list[Problem]
) -> Iterator[tuple[int, dict[str, str], dict[str, str]]]:
    """Yield (line number, row with cells trimmed, row as written) for each well-formed row."""
    table = csv_records(text, file, problems, required)
    if table is None:
        return
    header, rows = table
    for number, cells in rows:
        raw = dict(zip(header, cells, strict=True))
        yield number, {k: v.strip() for k, v in raw.items()}, raw


def read_table(text: str, file: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """A CSV file as a frame of strings, exactly as written (for editing); None if its structure is broken."""
    problems: list[Problem] = []
    table = csv_records(text, file, problems)
    if table is None or has_errors(problems):
        return None, problems
    header, rows = table
    return pd.DataFrame([cells for _, cells in rows], columns=header, dtype=str), problems


def parse_date(text: str) -> dt.date | None:
    """ISO ``YYYY-MM-DD`` to a date, or None."""
    return parse_day(text)[0]


def _date(
    value: str,
    add: Callable,
    field: str = "date",
    *,
    blank_ok: bool = False,
    window: tuple[dt.date, dt.date] = (EVENT_DATE_MIN, EVENT_DATE_MAX),
) -> dt.date | None:
    if not value and blank_ok:
        return None
    d, why = parse_day(value)
    if d is None:
        add("error", f"{field} {why}", "Write an existing day as YYYY-MM-DD, e.g. 2016-12-13.", field)
    elif not window[0] <= d <= window[1]:
        add(
            "error",
            f"{field} {value} is outside {window[0]}..{window[1]}.",
            "Check the year (map.toml's first and last days set the range).",
            field,
        )
        return None
    return d


def _id_ok(raw: str, field: str, add: Callable, seen: CaseFold, line: int) -> bool:
    """Report an id that is empty, holds whitespace or control characters, or differs only in case."""
    why = id_problem(raw, field)
    if why:
        add("error", why, ID_HINT, field)
        return False
    earlier = seen.clash(raw, line)
    if earlier:
        add(
            "error",
            f"{field} {raw!r} differs from {earlier[0]!r} (line {earlier[1]}) only in letter case.",
            "Ids that differ only in case are easily confused: give it a distinct id, or the same one.",
            field,
        )
        return False
    return True


def _adder(problems: list[Problem], file: str, line: int, rid: str | None):
    shown = rid if rid and id_problem(rid) is None else (repr(rid) if rid else None)

    def add(sev, msg, hint="", field=None):
        problems.append(Problem(sev, file, msg, hint, "line", line, shown, field))

    return add


def read_sources(text: str, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read sources.csv: one row per source key."""
    problems: list[Problem] = []
    rows, seen, cases = [], set(), CaseFold()
    for line, row, raw in _rows(text, file, ("key", "title"), problems):
        add = _adder(problems, file, line, raw["key"])
        if not _id_ok(raw["key"], "key", add, cases, line):
            continue
        if row["key"] in seen:
            add("error", f"duplicate key {row['key']!r}.", "Keep one row per source.", "key")
            continue
        url = row.get("url", "")
        if url and not url.lower().startswith(("http://", "https://")):
            add(
                "error",
                f"url {url!r} is not an http(s) address; it would become a link.",
                "Give an http:// or https:// address, or leave it blank.",
                "url",
            )
            continue
        # a source may be published long after the events (a book, a data set), never in the future
        if row.get("date") and _date(row["date"], add, window=(EVENT_DATE_MIN, dt.date.today())) is None:
            continue
        seen.add(row["key"])
        rows.append({c: row.get(c, "") for c in SOURCE_COLUMNS} | {"line": line})
    return pd.DataFrame(rows, columns=[*SOURCE_COLUMNS, "line"]), problems


def _share(value: str, add: Callable) -> float | None:
    """Parsed share; NaN for blank; None on error."""
    if not value:
        return math.nan
    percent = value.endswith("%")
    number, why = parse_number(value[:-1] if percent else value)
    if number is None:
        add("error", f"share {why}", "Write a fraction such as 0.5, or leave it blank for the whole district.", "share")
        return None
    share = number / 100 if percent else number
    if not 0 < share <= 1:
        add(
            "error",
            f"share {value} is outside 0–1 (exclusive of 0).",
            "Write the part held as a fraction, e.g. 0.33 for a third.",
            "share",
        )
        return None
    return share


def _ref_ok(value: str, ids: Iterable[str], what: str, field: str, hint: str, add: Callable) -> bool:
    """Report a reference to an id that does not exist, naming the look-alike characters when it
    differs from a real id only by them."""
    if value in ids:
        return True
    real = lookalike_of(value, ids)
    add("error", unknown_ref(what, value, ids), f"Write {real!r} in plain ASCII." if real else hint, field)
    return False


def _controller_ok(value: str, sides: tuple[str, ...] | None, add: Callable) -> bool:
    if sides is not None:
        allowed = (*sides, CONTESTED)
        hint = f"Use one of: {', '.join(allowed)}, or add the side to map.toml."
        return _ref_ok(value, allowed, "controller", "controller", hint, add)
    if id_problem(value) or value in ("split", "disputed", "unknown"):
        add(
            "error",
            f"controller {value!r} is not a side's id.",
            "Write the side's short id, or contested.",
            "controller",
        )
        return False
    return True


def _district_ok(value: str, district_ids: set[str], names: dict[str, list[str]], add: Callable) -> bool:
    if value in district_ids:
        return True
    guess = names.get(value.casefold()) or _spelling_guess(names, value)
    hint = (
        f"Use the district id {' or '.join(guess)}."
        if guess
        else "Use an id from districts.geojson, or add the district there first."
    )
    return _ref_ok(value, district_ids, "district", "district", hint, add)


def _words_ok(row: dict[str, str], add: Callable) -> str | None:
    """The row's claim kind (blank: district), None after reporting an unknown precision or kind."""
    ok = True
    if row["precision"] and row["precision"] not in PRECISIONS:
        add(
            "error",
            f"unknown precision {row['precision']!r}.",
            f"Use one of: {', '.join(PRECISIONS)}, or leave it blank.",
            "precision",
        )
        ok = False
    kind = row.get("claim_kind") or DEFAULT_CLAIM_KIND
    if kind not in CLAIM_KINDS:
        add(
            "error",
            f"unknown claim_kind {kind!r}.",
            f"Use one of: {', '.join(CLAIM_KINDS)} (blank means district).",
            "claim_kind",
        )
        ok = False
    return kind if ok else None


def read_events(
    text: str,
    file: str,
    *,
    district_ids: set[str],
    source_keys: set[str],
    names: dict[str, list[str]] | None = None,
    sides: tuple[str, ...] | None = None,
    window: tuple[dt.date, dt.date] = (EVENT_DATE_MIN, EVENT_DATE_MAX),
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read events.csv into a typed frame (``date`` datetime64, ``share`` float, NaN = whole).

    ``sides``: the side ids of map.toml (with ``contested``, the only controllers allowed); None when
    the settings declare none, and then any plain id is a side. ``window``: the days an event may carry
    (:func:`geo.settings.event_window` of the settings' span).
    """
    problems: list[Problem] = []
    rows: list[dict] = []
    seen: dict[str, int] = {}
    cases = CaseFold()
    for line, row, raw in _rows(text, file, EVENT_COLUMNS, problems):
        eid = raw["event_id"]
        add = _adder(problems, file, line, eid)
        ok = True
        if not _id_ok(eid, "event_id", add, cases, line):
            ok = False
        elif eid in seen:
            add("error", f"duplicate event_id {eid!r} (also line {seen[eid]}).", "Give it a new id.", "event_id")
            ok = False
        else:
            seen[eid] = line
        date = _date(row["date"], add, window=window)
        ok = _district_ok(row["district"], district_ids, names or {}, add) and ok
        ok = _controller_ok(row["controller"], sides, add) and ok
        share = _share(row["share"], add)
        ok = _ref_ok(row["source"], source_keys, "source", "source", SOURCE_HINT, add) and ok
        kind = _words_ok(row, add)
        cites = _cites(row, source_keys, add)
        _check_basis(row, cites or (), add)
        if ok and kind and cites is not None and date is not None and share is not None:
            rows.append(
                {c: "" for c in EVENT_OPTIONAL_COLUMNS}
                | row
                | {"date": date, "share": share, "claim_kind": kind, "cites": ";".join(cites), "line": line}
            )
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
        alike = [
            f"{k!r} differs from {real!r} only by look-alike characters ({non_ascii(k)})"
            for k in unknown
            if (real := lookalike_of(k, source_keys))
        ]
        add(
            "error",
            f"cites unknown source(s) {', '.join(map(repr, unknown))}" + (f": {'; '.join(alike)}." if alike else "."),
            "List keys from sources.csv separated by ';' (in plain ASCII), or leave it blank.",
            "cites",
        )
        return None
    if row["source"] in keys:
        add(
            "warning",
            f"cites repeats the row's own source {row['source']!r}.",
            "List only the other sources that relay the same statement.",
            "cites",
        )
        keys = tuple(k for k in keys if k != row["source"])
    return keys


def _check_basis(row: dict, cites: tuple[str, ...], add: Callable) -> None:
    """An inference cites the editors' key, never a document; the editors' key marks inferences only."""
    inferred = row["precision"] == "inferred"
    documents = [k for k in (row["source"], *cites) if k != EDITOR_SOURCE]
    if inferred and documents:
        add(
            "warning",
            f"precision is 'inferred' but the row cites {', '.join(map(repr, documents))}, a document.",
            f"An inference cites the editors' own source key {EDITOR_SOURCE!r} (add it to "
            "sources.csv) and its note names the later report or the geography it rests on; if a document "
            "states the claim, set precision to day or approximate.",
            "source" if row["source"] in documents else "cites",
        )
    elif row["source"] == EDITOR_SOURCE and not inferred:
        add(
            "warning",
            f"the row cites {EDITOR_SOURCE!r} (the editors' inference) with precision {row['precision']!r}.",
            "Set precision to inferred, or cite the document that states it.",
            "precision",
        )


def _check_share_sums(frame: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    if frame.empty:
        return
    total = frame.assign(s=frame["share"].fillna(1.0)).groupby(["district", "date", "claim_by"])["s"]
    over = total.sum()[lambda s: s > 1 + SHARE_SLACK]
    for (district, date, claim_by), value in over.items():
        first = frame[(frame["district"] == district) & (frame["date"] == date) & (frame["claim_by"] == claim_by)].iloc[
            -1
        ]
        problems.append(
            Problem(
                "error",
                file,
                f"source {claim_by!r} gives district {district} shares adding up to {value:.2f} on {date.date()}.",
                "One claim's shares for a district and day must add up to 1 at most; when the "
                "source reports another party's claim, name that party in 'claimant'.",
                "line",
                int(first["line"]),
                first["event_id"],
                "share",
            )
        )


def _figure(row: dict[str, str], field: str, add: Callable, *, blank_ok: bool = False) -> float | None:
    """A non-negative count in range; NaN when blank and allowed; None after reporting an error."""
    text = row.get(field, "")
    if not text and blank_ok:
        return math.nan
    value, why = parse_number(text)
    if value is None:
        add(
            "error", f"{field} {why}" if text else f"{field} is empty.", "Write the figure as digits, e.g. 1500.", field
        )
        return None
    if not 0 <= value <= EVACUATION_MAX:
        add(
            "error",
            f"{field} {text} is outside 0..{EVACUATION_MAX:,}.",
            "Check the figure; a count of people or vehicles cannot be negative.",
            field,
        )
        return None
    return value


def read_evacuation(text: str, file: str, *, source_keys: set[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """Read evacuation.csv: dated figures by source."""
    problems: list[Problem] = []
    rows, seen, cases = [], set(), CaseFold()
    for line, row, raw in _rows(text, file, EVACUATION_COLUMNS, problems):
        add = _adder(problems, file, line, raw["figure_id"])
        ok = _id_ok(raw["figure_id"], "figure_id", add, cases, line)
        if ok and row["figure_id"] in seen:
            add("error", f"duplicate figure_id {row['figure_id']!r}.", "Give it a new id.", "figure_id")
            ok = False
        seen.add(row["figure_id"])
        date = _date(row["date"], add)
        value = _figure(row, "value", add)
        high = _figure(row, "value_high", add, blank_ok=True)
        if value is not None and high is not None and high < value:
            add(
                "error",
                "value_high is below value.",
                "Put the low end of a range in value, the high end in value_high.",
                "value_high",
            )
            ok = False
        ok = _ref_ok(row["source"], source_keys, "source", "source", "Add it to sources.csv.", add) and ok
        if row["basis"] not in EVACUATION_BASES:
            add("error", f"unknown basis {row['basis']!r}.", f"Use one of: {', '.join(EVACUATION_BASES)}.", "basis")
            ok = False
        if not row["measure"]:
            add("error", "measure is empty.", "Name what is counted, e.g. people_evacuated.", "measure")
            ok = False
        if ok and date is not None and value is not None and high is not None:
            rows.append(
                row
                | {
                    "date": pd.Timestamp(date),
                    "value": value,
                    "value_high": None if math.isnan(high) else high,
                    "line": line,
                }
            )
    if rows:
        return pd.DataFrame(rows), problems
    # a header-only file (a new place has no figures yet) still has its columns and their types
    frame = pd.DataFrame(columns=[*EVACUATION_COLUMNS, *EVACUATION_OPTIONAL_COLUMNS, "line"])
    return frame.astype({"date": "datetime64[ns]", "value": float, "value_high": object, "line": int}), problems
