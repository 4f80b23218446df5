"""Mutation fuzzing of the data readers, the importer, ``control`` and the pages on the bundled data.

Each input is one bundled file changed by Hypothesis: bytes flipped, inserted or cut, JSON and TOML
nodes replaced, deleted, swapped or nested deep, CSV cells, rows and headers edited, huge numbers,
invalid Unicode, and template syntax put into a text field. The readers must answer with problems,
never raise, and never drop a row or feature without saying so; the importer must not raise
whether the export or the current districts file is the broken one; a data set that still loads
must give every district a state on every day asked. An input carrying template syntax that still
loads is drawn as a snapshot page and exported as CSV: the text must come out as written, never
evaluated (``TEMPLATE``).

``python -m bench.fuzz --minutes 10`` prints the number of inputs tried and saves each crashing
input (with its traceback) under ``--out``. ``tests/test_geo_fuzz.py`` runs a few seconds of it.
"""

from __future__ import annotations

import argparse
import copy
import csv
import datetime as dt
import hashlib
import html
import io
import json
import re
import shutil
import tempfile
import time
import tomllib
import traceback
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from geo import constants as C
from geo.cli import _emit, district_records
from geo.districts import read_districts
from geo.files import DATA_FILES
from geo.importer import plan_import
from geo.load import Dataset, check_dataset
from geo.overlays import read_overlay
from geo.problems import Problem, has_errors
from geo.settings import read_settings
from geo.tables import read_evacuation, read_events, read_sources, read_table
from geo.timeline import build_timeline, timeline_for

DATA = Path(__file__).resolve().parents[1] / "data"
FILES = DATA_FILES
BUNDLED = {name: (DATA / name).read_bytes() for name in FILES}
OVERLAYS = {C.ROUTES_FILE: "route", C.CHECKPOINTS_FILE: "checkpoint", C.LANDMARKS_FILE: "landmark"}
#: Days on which a mutated data set that still loads is asked for every district's state.
#: A few days of the bundled data's span (data/map.toml).
DAYS = (dt.date(2016, 11, 15), dt.date(2016, 12, 1), dt.date(2016, 12, 22))

# Raw text that json.dumps cannot produce is put in as a marker string and swapped in afterwards.
RAW = {
    "@deep@": "[" * 1200 + "]" * 1200,
    "@deepobj@": '{"a":' * 400 + "1" + "}" * 400,
    "@huge@": "9" * 401,
    "@inf@": "1e400",
    "@nan@": "NaN",
    "@surrogate@": '"\\ud800"',
    "@emptyring@": "[]",
}
TOKENS = [
    b'"',
    b",",
    b"\r",
    b"\n",
    b"\r\n",
    b"\x00",
    b"\xff",
    b"\xed\xa0\x80",
    b"\\ud800",
    b"null",
    b"1e400",
    b"9" * 401,
    b"[" * 1100,
    b"{",
    b"}",
    b"]",
    b"NaN",
    b"-",
    b"2,5",
    b"1.500",
    b" ",
    b"\t",
    b"\xef\xbb\xbf",
    "\u200b".encode(),
    "\u202e".encode(),
]
CELLS = [
    '"',
    '""',
    'a "quoted',
    "2,5",
    "1.500",
    "nan",
    "inf",
    "1e400",
    "-500",
    "9" * 401,
    "weekly",
    "",
    " ",
    " E0001",
    "E0001 ",
    "e0001",
    "E0001",
    "n0119",
    "N0119",
    "2016-02-30",
    "2016-13-01",
    "16/12/2016",
    "2061-01-01",
    "x\ny",
    "x\ry",
    "\x00",
    "\u200b",
    "0",
    "1",
    "0.5",
    "33%",
    "150%",
    "government",
    "unknown",
    "day",
    "wikipedia",
    "WIKIPEDIA",
    "javascript:alert(1)",
    "https://example.org",
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(list(RAW)),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


def _get(doc, path):
    for key in path:
        doc = doc[key]
    return doc


def _paths(node, prefix=()) -> list[tuple]:
    """Every path (a tuple of keys and indexes) to a node below ``node``."""
    out, stack = [], [(node, prefix)]
    while stack:
        value, path = stack.pop()
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, child in items:
            out.append((*path, key))
            stack.append((child, (*path, key)))
    return out


DOCS = {name: json.loads(BUNDLED[name]) for name in FILES if name.endswith(".geojson")}
PATHS = {name: _paths(doc) for name, doc in DOCS.items()}
#: Paths to nodes that are not plain numbers: objects, lists, strings (most paths are coordinates).
SHAPES = {
    name: [p for p in paths if not isinstance(_get(DOCS[name], p), (int, float))] for name, paths in PATHS.items()
}


def _dump_json(doc) -> bytes:
    text = json.dumps(doc)
    for marker, raw in RAW.items():
        text = text.replace(json.dumps(marker), raw)
    return text.encode("utf-8")


@st.composite
def json_mutation(draw, name: str) -> bytes:
    doc = copy.deepcopy(DOCS[name])
    paths = PATHS[name] if draw(st.booleans()) else SHAPES[name]
    for _ in range(draw(st.integers(1, 3))):
        path = paths[draw(st.integers(0, len(paths) - 1))]
        op = draw(st.sampled_from(["replace", "delete", "swap", "duplicate"]))
        value = draw(json_values) if op == "replace" else None
        other = paths[draw(st.integers(0, len(paths) - 1))] if op == "swap" else None
        try:
            parent, key = _get(doc, path[:-1]), path[-1]
            if op == "replace":
                parent[key] = value
            elif op == "delete":
                del parent[key]
            elif op == "swap":
                oparent, okey = _get(doc, other[:-1]), other[-1]
                parent[key], oparent[okey] = oparent[okey], parent[key]
            elif isinstance(parent, list):
                parent.insert(key, copy.deepcopy(parent[key]))
        except (KeyError, IndexError, TypeError):
            pass  # an earlier change moved the path: this change is skipped
    try:
        return _dump_json(doc)
    except (RecursionError, ValueError):  # a swap put a node inside itself
        return BUNDLED[name]


@st.composite
def csv_mutation(draw, name: str) -> bytes:
    rows = list(csv.reader(io.StringIO(BUNDLED[name].decode("utf-8"))))
    cell = st.sampled_from(CELLS) | st.text(max_size=6)
    for _ in range(draw(st.integers(1, 3))):
        r = draw(st.integers(0, len(rows) - 1))
        op = draw(st.sampled_from(["cell", "cell", "header", "drop row", "copy row", "add cell", "drop cell"]))
        if op == "cell" and rows[r]:
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(cell)
        elif op == "header":
            header = rows[0]
            i = draw(st.integers(0, len(header) - 1))
            header[i] = draw(st.sampled_from(["", " ", header[i].upper(), *header]) | st.text(max_size=6))
        elif op == "drop row" and len(rows) > 1:
            del rows[r]
        elif op == "copy row":
            rows.insert(r, list(rows[r]))
        elif op == "add cell":
            rows[r].append(draw(cell))
        elif op == "drop cell" and rows[r]:
            rows[r].pop()
    buf = io.StringIO()
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.booleans()):
        csv.writer(buf, lineterminator=ending).writerows(rows)
    else:  # unquoted, as a hand edit might leave it
        buf.write(ending.join(",".join(row) for row in rows) + ending)
    return buf.getvalue().encode("utf-8")


@st.composite
def byte_mutation(draw, name: str) -> bytes:
    data = bytearray(BUNDLED[name])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "insert", "cut", "truncate"]))
        if op == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=4))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[at:]
    return bytes(data)


#: Template syntax of each kind: an expression whose value (77077) shows only if it ran, a statement,
#: a comment, a sandbox escape and a pasted Wikipedia citation (a parse error for a template engine).
TEMPLATE = (
    "{{ 7007*11 }} {% if 1 %}IF-RAN{% endif %} {# c #} {{cite web |url=x}} "
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}"
)
#: What an evaluated TEMPLATE leaves: the product, the shell's answer, IF-RAN without its statement.
EVALUATED = re.compile(r"77077|uid=\d+|(?<!%\})IF-RAN")
TOML_DOC = tomllib.loads(BUNDLED[C.MAP_FILE].decode("utf-8"))
TOML_PATHS = _paths(TOML_DOC)
toml_values = st.recursive(
    st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.dates()
    | st.sampled_from(["EPSG:3857", "EPSG:4326", "EPSG:32637", "#BB5566", "en", "ar", "government"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return "{ " + ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items()) + " }"


def dump_toml(doc: dict) -> str:
    """``doc`` as TOML: plain keys first, then each list of tables (``[[sides]]``) as tables."""
    lines, tables = [], []
    for key, value in doc.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            tables.append((key, value))
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, items in tables:
        for item in items:
            lines += ["", f"[[{_toml_key(key)}]]", *(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in item.items())]
    return "\n".join(lines) + "\n"


@st.composite
def toml_mutation(draw) -> bytes:
    doc = copy.deepcopy(TOML_DOC)
    for _ in range(draw(st.integers(1, 3))):
        path = TOML_PATHS[draw(st.integers(0, len(TOML_PATHS) - 1))]
        op = draw(st.sampled_from(["replace", "delete", "duplicate", "nest"]))
        try:
            parent, key = _get(doc, path[:-1]), path[-1]
            if op == "replace":
                parent[key] = draw(toml_values)
            elif op == "delete":
                del parent[key]
            elif op == "nest":
                parent[key] = [parent[key]]
            elif isinstance(parent, list):
                parent.insert(key, copy.deepcopy(parent[key]))
        except (KeyError, IndexError, TypeError):
            pass
    text = dump_toml(doc)
    if draw(st.booleans()):  # arrays nested deeper than any reader should recurse
        depth = draw(st.sampled_from([50, 1200, 3000]))
        text = text.replace("languages = ", "languages = " + "[" * depth + '"en"' + "]" * depth + " # ", 1)
    return text.encode("utf-8")


def _text_paths(doc) -> list[tuple]:
    return [p for p in _paths(doc) if isinstance(_get(doc, p), str)]


JSON_TEXT = {name: _text_paths(doc) for name, doc in DOCS.items()}
TOML_TEXT = _text_paths(TOML_DOC)


@st.composite
def templated_file(draw) -> tuple[str, bytes]:
    """One bundled file with template syntax put into (or in place of) one or more text values."""
    name = draw(st.sampled_from(FILES))
    put = st.sampled_from(["replace", "append", "prepend"])

    def hostile(value: str) -> str:
        how = draw(put)
        return TEMPLATE if how == "replace" else value + " " + TEMPLATE if how == "append" else TEMPLATE + value

    if name.endswith(".geojson") or name == C.MAP_FILE:
        doc = copy.deepcopy(DOCS[name] if name in DOCS else TOML_DOC)
        paths = JSON_TEXT[name] if name in DOCS else TOML_TEXT
        for _ in range(draw(st.integers(1, 4))):
            path = paths[draw(st.integers(0, len(paths) - 1))]
            parent = _get(doc, path[:-1])
            parent[path[-1]] = hostile(parent[path[-1]])
        return name, (dump_toml(doc).encode("utf-8") if name == C.MAP_FILE else _dump_json(doc))
    rows = list(csv.reader(io.StringIO(BUNDLED[name].decode("utf-8"))))
    for _ in range(draw(st.integers(1, 4))):
        r = draw(st.integers(1, len(rows) - 1))
        c = draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = hostile(rows[r][c])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return name, buf.getvalue().encode("utf-8")


@st.composite
def mutated_file(draw) -> tuple[str, bytes]:
    """One bundled file, mutated: (file name, new bytes)."""
    if draw(st.integers(0, 4)) == 0:
        return draw(templated_file())
    name = draw(st.sampled_from(FILES))
    if name == C.MAP_FILE:
        structured = toml_mutation()
    else:
        structured = json_mutation(name) if name.endswith(".geojson") else csv_mutation(name)
    return name, draw(st.one_of(byte_mutation(name), structured))


class Base:
    """The bundled data read once: what each mutated file is checked against."""

    def __init__(self) -> None:
        text = {name: BUNDLED[name].decode("utf-8") for name in FILES}
        self.text = text
        self.districts, _ = read_districts(text[C.DISTRICTS_FILE], C.DISTRICTS_FILE)
        self.sources, _ = read_sources(text[C.SOURCES_FILE], C.SOURCES_FILE)
        self.keys = set(self.sources["key"])
        self.one_feature = json.dumps({"type": "FeatureCollection", "features": DOCS[C.DISTRICTS_FILE]["features"][:1]})


def exercise(base: Base, name: str, data: bytes) -> None:
    """Read ``data`` as the bundled file ``name`` with every consumer; raise if anything raises.

    Every problem must also print as one line of UTF-8 text (a lone surrogate in a message once
    crashed the page that showed it).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # the loader names the byte; nothing below sees the file
    found: list[Problem] = []
    try:
        _consumers(base, name, text, found)
        if "{" in text:
            drawn_literally(name, text)
    finally:
        for problem in found:
            line = str(problem)
            line.encode("utf-8")
            assert problem.message and (problem.severity == "warning" or problem.hint), f"no remedy: {line}"


def _consumers(base: Base, name: str, text: str, found: list[Problem]) -> None:
    districts, sources, keys = base.districts, base.sources, base.keys
    if name == C.DISTRICTS_FILE:
        districts, problems = read_districts(text, name)
        found += problems
        nothing_dropped(name, text, districts, problems)
        found += plan_import(base.text[name], text, "export.geojson", name)[2]  # a broken export
        found += plan_import(text, base.one_feature, "export.geojson", name)[2]  # a broken current file
        if districts is None or has_errors(problems):
            return
    elif name in OVERLAYS:
        found += read_overlay(text, name, kind=OVERLAYS[name], source_keys=keys)[1]
        return
    elif name == C.MAP_FILE:
        found += read_settings(text, name)[1]
        return
    else:
        table, problems = read_table(text, name)  # what the edit page shows
        found += problems
        nothing_dropped(name, text, table, problems)
    if name == C.EVACUATION_FILE:
        found += read_evacuation(text, name, source_keys=keys)[1]
        return
    if name == C.SOURCES_FILE:
        sources, problems = read_sources(text, name)
        found += problems
        keys = set(sources["key"])
    events_text = text if name == C.EVENTS_FILE else base.text[C.EVENTS_FILE]
    events, problems = read_events(events_text, C.EVENTS_FILE, district_ids=set(districts["id"]), source_keys=keys)
    found += problems
    if not has_errors(problems):
        control(Dataset(districts, events, sources))


class SilentChange(AssertionError):
    """A reader changed the record (dropped a row or a feature) without a problem saying so."""


class Evaluated(AssertionError):
    """Template syntax from a data file came out evaluated."""


def kind_of(exc: BaseException) -> str:
    """What a failing input found: an evaluated template, a silent change, or a traceback."""
    if isinstance(exc, Evaluated):
        return "evaluated templates"
    if isinstance(exc, SilentChange):
        return "silent changes"
    return "tracebacks"


def nothing_dropped(name: str, text: str, table, problems: list[Problem]) -> None:
    """A file read with no problem at all keeps every row (every feature) it holds."""
    if problems or table is None:
        return
    if name.endswith(".geojson"):
        written = len(json.loads(text).get("features", []))
    else:
        written = sum(1 for _ in csv.reader(io.StringIO(text.lstrip("\ufeff")))) - 1
        written -= sum(1 for line in text.splitlines()[1:] if not line.strip())
    if len(table) != written:
        raise SilentChange(f"{name}: {written} rows or features written, {len(table)} read, no problem said")


def drawn_literally(name: str, text: str) -> None:
    """When ``text`` (the file ``name``, holding template syntax) still loads with the other bundled
    files, its snapshot page and CSV exports show no evaluated template."""
    from geo import exports
    from snapshot import render_html

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        shutil.copytree(DATA, folder)
        (folder / name).write_text(text, encoding="utf-8")
        ds, _ = check_dataset(folder)
        if ds is None:
            return
        tl = timeline_for(ds)
        day = tl.days[min(len(tl.days) - 1, 28)]
        outputs = [render_html(ds, tl, day, static=True, title=TEMPLATE, byline=TEMPLATE), exports.day_csv(ds, tl, day)]
    for output in outputs:
        shown = html.unescape(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), output))
        if EVALUATED.search(shown):
            raise Evaluated(f"{name}: a template was evaluated")


def control(ds: Dataset) -> None:
    """What ``python -m geo control`` does for a few days; every district gets a state."""
    tl = build_timeline(ds.districts["id"], ds.events, start=DAYS[0], end=DAYS[-1])
    for day in DAYS:
        records = district_records(ds, tl.control_on(day))
        assert len(records) == len(ds.districts), "a district lost its state"
        _emit(records, "json")


def save_crash(out: Path, name: str, data: bytes, exc: BaseException) -> Path:
    """Keep a crashing input and its traceback, named by its content hash."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{hashlib.sha256(data).hexdigest()[:12]}-{name}"
    path.write_bytes(data)
    path.with_name(path.name + ".traceback.txt").write_text(
        "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)), encoding="utf-8"
    )
    return path


def run(seconds: float, out: Path, *, batch: int = 50) -> tuple[dict[str, int], list[Path]]:
    """Fuzz for about ``seconds``; return the counts (inputs tried, those with template syntax, and
    what the failures found) and the failing inputs saved."""
    base, crashes = Base(), []
    counts = {"inputs": 0, "with template syntax": 0, "tracebacks": 0, "evaluated templates": 0, "silent changes": 0}

    @settings(
        max_examples=batch,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated_file())
    def one(case):
        if time.monotonic() > end:
            return  # the rest of this batch is skipped
        counts["inputs"] += 1
        name, data = case
        counts["with template syntax"] += b"{{ 7007*11 }}" in data
        try:
            exercise(base, name, data)
        except Exception as exc:  # noqa: BLE001 - a failure is what is searched for: keep it and go on
            counts[kind_of(exc)] += 1
            crashes.append(save_crash(out, name, data, exc))

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        one()
    return counts, crashes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=1.0)
    ap.add_argument("--out", type=Path, default=Path("bench/out/fuzz-crashes"), help="where failing inputs go")
    ap.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    args = ap.parse_args(argv)
    start = time.monotonic()
    counts, crashes = run(args.minutes * 60, args.out)
    took = time.monotonic() - start
    line = (
        f"{counts['inputs']} inputs in {took / 60:.1f} min ({counts['inputs'] / took:.1f}/s), "
        f"{counts['with template syntax']} with template syntax: {counts['tracebacks']} tracebacks, "
        f"{counts['evaluated templates']} evaluated templates, {counts['silent changes']} silent changes"
    )
    print(f"fuzz: {line}")
    for path in crashes:
        print(f"  saved {path}")
    if args.record:
        from bench.record import record

        record("fuzz", f"`python -m bench.fuzz --minutes {args.minutes:g} --record`: {line}.")
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
