"""The map's settings: the place and its story, read from the data folder's ``map.toml``.

Everything that names a place lives in the data folder, never in the code: titles, the span of
days, the sides (id, label per language, colour, pattern), the credit and licence lines, the map's
languages, and optionally the metric CRS and the "outside the area" box. A folder without
``map.toml`` still works: the sides are taken from ``events.csv`` and coloured from a
colour-blind-safe palette, the span runs from the first to the last event, the CRS is the UTM zone
of the districts (``estimate_utm_crs``) and the box is the districts' extent plus a margin.

The file is checked against :data:`SCHEMA` (each key's kind: a text or a text per language, a day,
a list, a table...), then for meaning; every problem is a :class:`~geo.problems.Problem` naming the
field and what to write, never an exception, whatever the bytes. Besides the keys' own rules:

- ``first`` .. ``last`` spans at most :data:`MAX_SPAN_DAYS` days (two years) unless the file says
  ``long_span = true``: a mistyped year (2026 for 2016) would otherwise make a map of ten years.
  A span running far past the last event, or starting far before the first, is warned about.
- ``crs`` must be projected in metres; when its areas for the districts differ from an equal-area
  projection's by more than :data:`AREA_ERROR_MAX`, a warning gives the error in km² and %.
- A declared side gives its ``id``, ``label`` and ``colour``; ``yardstick``, ``front`` and
  ``acled.state_forces`` name declared sides. A file is written references first (``yardstick``,
  ``front``), declarations last (``[[sides]]``), so that a file cut short anywhere leaves a
  reference without its side, an error rather than a map with fewer sides.
- A file cut short is refused: one holding no setting at all (delete the file to use the
  defaults), or whose last line has no line break. A byte-order mark at the start is allowed.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.constants import EVENT_DATE_MAX, EVENT_DATE_MIN, MAP_FILE
from geo.fields import id_flaw, lookalike_of, non_ascii
from geo.problems import Problem, Severity
from geo.schema import Kind, check, shown

if TYPE_CHECKING:  # kept light: the app reads the settings for its page title before the data loads
    import geopandas as gpd
    import pandas as pd

#: Languages the map has words for.
KNOWN_LANGUAGES: tuple[str, ...] = ("en", "ar")
#: Ways a side's fill is drawn.
PATTERNS: tuple[str, ...] = ("solid",)
#: Words a side may not be called: the generic states and the events' ``contested``.
RESERVED_IDS: tuple[str, ...] = ("split", "disputed", "unknown", "contested")
#: Colours given, in order, to sides the settings do not colour (Paul Tol's high-contrast, then vibrant).
DEFAULT_COLOURS: tuple[str, ...] = (
    "#004488",
    "#DDAA33",
    "#BB5566",
    "#EE7733",
    "#0077BB",
    "#33BBEE",
    "#EE3377",
    "#CC3311",
    "#009988",
)
#: How many years before the span an event (a start state) may be dated.
EVENT_YEARS_BEFORE = 5
#: Margin (degrees) added around the districts' extent for the default "outside the area" box.
AREA_MARGIN_DEG = 0.1
#: Keys of the ``acled`` table: the place as ACLED codes it, and the sides it codes as state forces.
ACLED_KEYS = ("country", "iso", "region", "admin1", "admin2", "admin3", "location", "id_prefix", "state_forces")
SIDE_KEYS = ("id", "label", "colour", "pattern", "in_text")
_ID = re.compile(r"[a-z][a-z0-9_-]{0,39}")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
#: Longest span (days from ``first`` to ``last``) a map covers unless ``long_span = true`` confirms it:
#: two years, ample for a city's battle, while a mistyped year (2026 for 2016) is refused.
MAX_SPAN_DAYS = 2 * 366
#: A span that runs more than this many days (and more than :data:`SPAN_SLACK_SHARE` of its length)
#: past the last event, or starts so long before the first, is warned about.
SPAN_SLACK_DAYS = 60
SPAN_SLACK_SHARE = 0.25
#: A CRS whose area for the districts differs from an equal-area projection's by more than this
#: share is warned about (Web Mercator at 36° N: +54 %; UTM within its zone: under 0.1 %).
AREA_ERROR_MAX = 0.005


def _pick(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")


@dataclass(frozen=True)
class Side:
    """One side of the conflict as the map shows it."""

    id: str
    labels: dict[str, str]
    colour: str
    pattern: str = "solid"
    #: How the side reads inside a sentence ("the opposition"), per language; the label when absent.
    in_text: dict[str, str] = field(default_factory=dict)

    def label(self, lang: str = "en") -> str:
        """The side's label in ``lang`` (English, then the id, when the language has none)."""
        return _pick(self.labels, lang) or self.id

    def phrase(self, lang: str = "en") -> str:
        """The side as it reads inside a sentence in ``lang`` (its label there when no phrase is given)."""
        return self.in_text.get(lang) or self.labels.get(lang) or _pick(self.in_text, lang) or self.label(lang)


@dataclass(frozen=True)
class Settings:
    """A data folder's map settings; every text is per language (``{"en": ..., "ar": ...}``).

    ``first``, ``last``, ``crs`` and ``area`` are None until :func:`resolve` fills them from the data.
    """

    sides: tuple[Side, ...] = ()
    title: dict[str, str] = field(default_factory=dict)
    subtitle: dict[str, str] = field(default_factory=dict)
    place: dict[str, str] = field(default_factory=dict)
    first: dt.date | None = None
    last: dt.date | None = None
    #: True when the file confirms a span longer than :data:`MAX_SPAN_DAYS`.
    long_span: bool = False
    languages: tuple[str, ...] = ("en",)
    credit: dict[str, str] = field(default_factory=dict)
    licence: dict[str, str] = field(default_factory=dict)
    crs: str | None = None
    area: tuple[float, float, float, float] | None = None
    #: The side whose first-day area the area percentages measure (None: the first side).
    yardstick: str | None = None
    #: The sides between which the front line is drawn (empty: every side).
    front: tuple[str, ...] = ()
    #: How the ACLED-shaped export codes the place and the sides (keys of :data:`ACLED_KEYS`).
    acled: dict[str, Any] = field(default_factory=dict)
    #: True when the sides were declared in the file (events must use them), not taken from events.
    declared_sides: bool = False

    @property
    def side_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sides)

    @property
    def colours(self) -> dict[str, str]:
        """Side id -> fill colour."""
        return {s.id: s.colour for s in self.sides}

    @property
    def front_sides(self) -> tuple[str, ...]:
        """The sides the front line runs between."""
        return self.front or self.side_ids

    @property
    def slug(self) -> str:
        """The place as a file-name stem (``springfield``); ``map`` when no place is named."""
        return re.sub(r"[^a-z0-9]+", "-", self.text("place").lower()).strip("-") or "map"

    def side(self, side_id: str) -> Side | None:
        return next((s for s in self.sides if s.id == side_id), None)

    def side_label(self, side_id: str, lang: str = "en") -> str:
        s = self.side(side_id)
        return s.label(lang) if s else side_id

    def text(self, name: str, lang: str = "en") -> str:
        """One of the per-language texts (title, subtitle, place, credit, licence) in ``lang``."""
        return _pick(getattr(self, name), lang)


class _Reader:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        #: Fields whose value had the wrong kind (already reported; left out of the settings).
        self.bad: set[str] = set()

    def add(self, severity: Severity, message: str, hint: str, field_: str | None) -> None:
        self.problems.append(Problem(severity, self.file, message, hint, field=field_))

    def texts(self, data: dict, key: str, *, where: str = "") -> dict[str, str]:
        value = data.get(key)
        name = f"{where}{key}"
        if value is None:
            return {}
        if isinstance(value, str):
            value = {"en": value}
        unknown = sorted(set(value) - set(KNOWN_LANGUAGES))
        if unknown:
            self.add(
                "warning",
                f"'{name}' has texts in {', '.join(map(shown, unknown))}, which the map has no words for; "
                "they are ignored.",
                f"Use the languages {', '.join(KNOWN_LANGUAGES)}.",
                name,
            )
        return {k: v.strip() for k, v in value.items() if k in KNOWN_LANGUAGES and v.strip()}

    def day(self, data: dict, key: str) -> dt.date | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                value = None
        if not isinstance(value, dt.date):
            self.add("error", f"'{key}' is not a day.", f"Write it as YYYY-MM-DD, e.g. {key} = 2020-03-01.", key)
            return None
        if not EVENT_DATE_MIN <= value <= EVENT_DATE_MAX:
            self.add(
                "error",
                f"'{key}' ({value}) is outside {EVENT_DATE_MIN}..{EVENT_DATE_MAX}.",
                "Check the year.",
                key,
            )
            return None
        return value

    def span(self, data: dict) -> tuple[dt.date | None, dt.date | None]:
        """``first`` and ``last``: in order, and no longer than :data:`MAX_SPAN_DAYS` unless ``long_span``."""
        first, last = self.day(data, "first"), self.day(data, "last")
        if first and last and last < first:
            self.add("error", f"'last' ({last}) is before 'first' ({first}).", "Swap the two days.", "last")
            return None, None
        if first and last and (last - first).days > MAX_SPAN_DAYS and not data.get("long_span"):
            self.add("error", *span_words(first, last, f"'first' ({first}) to 'last' ({last})"), "last")
            return None, None
        return first, last

    def languages(self, data: dict) -> tuple[str, ...]:
        value = data.get("languages", ["en"])
        if isinstance(value, str):
            value = [value]
        if not value:
            self.add("error", "'languages' is empty.", 'Write e.g. languages = ["en", "ar"].', "languages")
            return ("en",)
        bad = [v for v in value if v not in KNOWN_LANGUAGES]
        if bad:
            self.add(
                "error",
                f"'languages' names {', '.join(map(shown, bad))}, which the map has no words for.",
                f"Use some of: {', '.join(KNOWN_LANGUAGES)}.",
                "languages",
            )
        return tuple(dict.fromkeys(v for v in value if v in KNOWN_LANGUAGES)) or ("en",)

    def crs(self, data: dict) -> str | None:
        value = data.get("crs")
        if value is None:
            return None
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        try:
            crs = CRS.from_user_input(value)
        except CRSError:
            crs = None
        if crs is None or not crs.is_projected or crs.axis_info[0].unit_name not in ("metre", "meter"):
            self.add(
                "error",
                f"'crs' {shown(value)} is not a projected CRS in metres.",
                'Give an EPSG code such as "EPSG:32636" (a UTM zone), or leave it out to use the '
                "districts' own UTM zone.",
                "crs",
            )
            return None
        return value

    def area(self, data: dict) -> tuple[float, float, float, float] | None:
        value = data.get("area")
        if value is None:
            return None
        x0, y0, x1, y1 = (float(v) for v in value)
        if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
            self.add(
                "error",
                f"'area' {shown(value)} is not a lon/lat box.",
                "Write area = [min_lon, min_lat, max_lon, max_lat] in degrees (WGS84), or leave it out "
                "to use the districts' extent.",
                "area",
            )
            return None
        return (x0, y0, x1, y1)

    def sides(self, data: dict) -> tuple[Side, ...]:
        out: list[Side] = []
        for n, item in enumerate(data.get("sides", ()), start=1):
            side = self.side(item, n, {s.id for s in out})
            if side:
                out.append(side)
        return tuple(out)

    def refs(self, name: str, values: list[str], sides: tuple[Side, ...]) -> bool:
        """True when every one of ``values`` is a declared side's id (else one problem naming the others)."""
        ids = [s.id for s in sides]
        unknown = [v for v in values if v not in ids]
        if not unknown:
            return True
        alike = [
            f"{v!r} differs from {real!r} only by look-alike characters ({non_ascii(v)})"
            for v in unknown
            if (real := lookalike_of(v, ids))
        ]
        self.add(
            "error",
            f"'{name}' names {', '.join(map(shown, unknown))}, which is not one of the sides"
            + (f": {'; '.join(alike)}." if alike else "."),
            f"Use {'one' if name == 'yardstick' else 'some'} of: {', '.join(ids) or '(declare [[sides]] first)'}.",
            name,
        )
        return False

    def side_refs(self, data: dict, sides: tuple[Side, ...]) -> tuple[str | None, tuple[str, ...]]:
        """``yardstick`` (one side id) and ``front`` (a list of side ids), checked against ``sides``."""
        yardstick, front = data.get("yardstick"), data.get("front", [])
        if yardstick is not None and not self.refs("yardstick", [yardstick], sides):
            yardstick = None
        if not self.refs("front", front, sides):
            front = []
        elif len(set(front)) == 1:
            self.add(
                "error",
                f"'front' {shown(front)} must list two or more of the sides.",
                "Name the sides the front line runs between, or leave it out for every side.",
                "front",
            )
            front = []
        return yardstick, tuple(front)

    def acled(self, data: dict, sides: tuple[Side, ...]) -> dict[str, Any]:
        out = dict(data.get("acled", {}))
        if "state_forces" in out:
            ok = self.refs("acled.state_forces", out["state_forces"], sides)
            out["state_forces"] = tuple(out["state_forces"]) if ok else ()
        return out

    def side_id(self, item: dict, n: int, seen: set[str]) -> str | None:
        sid = item.get("id")
        if sid is None:
            why: str | None = "is missing"
        elif sid in seen:
            why = "is used twice"
        elif sid in RESERVED_IDS:
            why = "is a state word"
        else:
            why = id_flaw(sid) or (
                None if _ID.fullmatch(sid) else "is not a plain id (lower case, at most 40 characters)"
            )
        if why is None:
            return sid
        self.add(
            "error",
            f"side {n}: id {shown(sid)} {why}.",
            "Give each side its own short lower-case ASCII id (letters, digits, - or _), not one of "
            f"{', '.join(RESERVED_IDS)}.",
            f"sides[{n}].id",
        )
        return None

    def side(self, item: dict, n: int, seen: set[str]) -> Side | None:
        where = f"sides[{n}]."
        if any(b.startswith(where) for b in self.bad):
            return None  # a field of the wrong kind, reported by check()
        sid = self.side_id(item, n, seen)
        if sid is None:
            return None
        for key, example in (("label", 'label = { en = "…", ar = "…" }'), ("colour", 'colour = "#004488"')):
            if key not in item:
                self.add(
                    "error",
                    f"side {sid!r} has no {key}: a declared side gives its label and colour "
                    "(a side cut short loses them).",
                    f"Write e.g. {example} in its [[sides]] table.",
                    where + key,
                )
                return None
        colour = item["colour"]
        if not _COLOUR.fullmatch(colour):
            self.add(
                "error",
                f"side {sid!r}: colour {shown(colour)} is not a #RRGGBB colour.",
                'Write e.g. colour = "#004488".',
                where + "colour",
            )
            return None
        pattern = item.get("pattern", "solid")
        if pattern not in PATTERNS:
            self.add(
                "error",
                f"side {sid!r}: pattern {shown(pattern)} is not one the map draws.",
                f"Use one of: {', '.join(PATTERNS)}.",
                where + "pattern",
            )
            return None
        labels = self.texts(item, "label", where=where) or {"en": sid}
        return Side(sid, labels, colour.upper(), pattern, self.texts(item, "in_text", where=where))


#: Every key of ``map.toml`` and its kind (see :mod:`geo.schema`); the module docstring says what
#: each means.
SCHEMA: dict[str, Kind] = {
    "title": "text",
    "subtitle": "text",
    "place": "text",
    "first": "day",
    "last": "day",
    "long_span": "flag",
    "languages": "words",
    "credit": "text",
    "licence": "text",
    "crs": "string",
    "area": "box",
    "yardstick": "string",
    "front": "strings",
    "acled": {
        key: "integer" if key == "iso" else "strings" if key == "state_forces" else "string" for key in ACLED_KEYS
    },
    "sides": [{key: "text" if key in ("label", "in_text") else "string" for key in SIDE_KEYS}],
}


def span_words(first: dt.date, last: dt.date, what: str) -> tuple[str, str]:
    """The message and hint for a span longer than :data:`MAX_SPAN_DAYS` days."""
    days = (last - first).days
    return (
        f"the span from {what} is {days:,} days ({days / 365.25:.1f} years), longer than the "
        f"{MAX_SPAN_DAYS} days (two years) a map covers unless told: is a year mistyped?",
        "Check the years. A record that really spans longer (a country over years) says so with "
        "long_span = true in map.toml; every day of the span is drawn, so a long span makes every "
        "snapshot slower.",
    )


def _parse(text: str, r: _Reader) -> dict[str, Any] | None:
    """The TOML document, or None after reporting why it cannot be read."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        why, hint = (
            f"not valid TOML ({exc})",
            "Fix the line named; a text needs quotes, a table [[sides]] its double brackets.",
        )
    except RecursionError:
        why = "nested too deeply to read"
        hint = "No setting nests more than two levels: the file is damaged; restore it from its .bak copy or from git."
    r.add("error", f"{why}.", hint, None)
    return None


def _cut_short(text: str, r: _Reader) -> None:
    """Report a last line without a line break: the file may have been cut there."""
    lines = text.split("\n")
    if lines[-1].strip():
        n = len(lines)
        r.add(
            "error",
            f"line {n}, the last, does not end with a line break: the file may be cut short here.",
            f"If line {n} is whole, end the file with a line break (Enter after it, then save); "
            "otherwise restore the rest from the .bak copy or from git.",
            None,
        )


def read_settings(text: str, file: str) -> tuple[Settings, list[Problem]]:
    """Parse ``map.toml`` text; return the settings (defaults where a field is absent or bad) and problems.

    Never raises: every problem (not TOML, a key of the wrong kind, a value out of range, a file cut
    short) is a :class:`~geo.problems.Problem` naming the field and what to write.
    """
    r = _Reader(file)
    text = text.removeprefix("\ufeff")  # a byte-order mark, as some editors save UTF-8
    _cut_short(text, r)
    raw = _parse(text, r)
    if raw is None:
        return Settings(), r.problems
    if not raw:
        r.add(
            "error",
            "the file holds no settings (it is empty, or only comments): it may be cut short.",
            "Restore it from its .bak copy or from git; to use the defaults, delete map.toml or give at least a title.",
            None,
        )
    data = check(raw, SCHEMA, r.add, r.bad)
    first, last = r.span(data)
    sides = r.sides(data)
    yardstick, front = r.side_refs(data, sides)
    out = Settings(
        sides=sides,
        title=r.texts(data, "title"),
        subtitle=r.texts(data, "subtitle"),
        place=r.texts(data, "place"),
        first=first,
        last=last,
        long_span=bool(data.get("long_span", False)),
        languages=r.languages(data),
        credit=r.texts(data, "credit"),
        licence=r.texts(data, "licence"),
        crs=r.crs(data),
        area=r.area(data),
        yardstick=yardstick,
        front=front,
        acled=r.acled(data, sides),
        declared_sides=bool(sides),
    )
    return out, r.problems


def read_settings_bytes(raw: bytes, file: str) -> tuple[Settings, list[Problem]]:
    """:func:`read_settings` of a file's bytes: bytes that are not UTF-8 are a problem too."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        cut = exc.end == len(raw) and exc.reason == "unexpected end of data"
        return Settings(), [
            Problem(
                "error",
                file,
                f"not UTF-8 text (byte {exc.start})" + (": the file may be cut short." if cut else "."),
                "Save the file as UTF-8, or restore it from its .bak copy or from git.",
            )
        ]
    return read_settings(text, file)


def event_window(settings: Settings) -> tuple[dt.date, dt.date]:
    """The days an event may carry: from :data:`EVENT_YEARS_BEFORE` years before the span to one year
    after it (a mistyped year falls outside); any day of 1900-2100 when the settings give no span."""
    lo = settings.first - dt.timedelta(days=365 * EVENT_YEARS_BEFORE) if settings.first else EVENT_DATE_MIN
    hi = settings.last + dt.timedelta(days=366) if settings.last else EVENT_DATE_MAX
    return lo, hi


def load_settings(data_dir: Path | str) -> Settings:
    """The settings of a data folder as written (not completed from the data), defaults when the file is
    absent or unreadable: cheap, for a page title before the data loads. Problems are reported by
    :func:`geo.load.check_dataset`."""
    try:
        raw = (Path(data_dir) / MAP_FILE).read_bytes()
    except OSError:
        return Settings()
    return read_settings_bytes(raw, MAP_FILE)[0]


def sides_from_events(controllers: Iterable[str]) -> tuple[Side, ...]:
    """Default sides: every controller the events name, in order of first use, with default colours."""
    ids = [c for c in dict.fromkeys(controllers) if c not in RESERVED_IDS]
    return tuple(Side(c, {"en": c}, DEFAULT_COLOURS[i % len(DEFAULT_COLOURS)]) for i, c in enumerate(ids))


def default_area(districts: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """The districts' lon/lat extent widened by half its size and :data:`AREA_MARGIN_DEG` on each side."""
    x0, y0, x1, y1 = (float(v) for v in districts.to_crs("EPSG:4326").total_bounds)
    mx, my = (x1 - x0) / 2 + AREA_MARGIN_DEG, (y1 - y0) / 2 + AREA_MARGIN_DEG
    return (max(x0 - mx, -180.0), max(y0 - my, -90.0), min(x1 + mx, 180.0), min(y1 + my, 90.0))


def resolve(settings: Settings, districts: gpd.GeoDataFrame, events: pd.DataFrame) -> Settings:
    """Fill what the file left out from the data: sides, span, metric CRS and area box."""
    sides = settings.sides or sides_from_events(events["controller"])
    dates = events["date"]
    first = settings.first or (dates.min().date() if len(dates) else dt.date.today())
    last = settings.last or max(first, dates.max().date() if len(dates) else first)
    crs = settings.crs or districts.estimate_utm_crs().to_string()
    area = settings.area or default_area(districts)
    return replace(settings, sides=sides, first=first, last=last, crs=crs, area=area)
