"""The map's settings: the place and its story, read from the data folder's ``map.toml``.

Everything that names a place lives in the data folder, never in the code: titles, the span of
days, the sides (id, label per language, colour, pattern), the credit and licence lines, the map's
languages, and optionally the metric CRS and the "outside the area" box. A folder without
``map.toml`` still works: the sides are taken from ``events.csv`` and coloured from a
colour-blind-safe palette, the span runs from the first to the last event, the CRS is the UTM zone
of the districts (``estimate_utm_crs``) and the box is the districts' extent plus a margin.
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
from geo.problems import Problem, Severity

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
KEYS = (
    "title",
    "subtitle",
    "place",
    "first",
    "last",
    "languages",
    "credit",
    "licence",
    "crs",
    "area",
    "yardstick",
    "front",
    "acled",
    "sides",
)
#: Keys of the ``acled`` table: the place as ACLED codes it, and the sides it codes as state forces.
ACLED_KEYS = ("country", "iso", "region", "admin1", "admin2", "admin3", "location", "id_prefix", "state_forces")
SIDE_KEYS = ("id", "label", "colour", "pattern", "in_text")
_ID = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


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

    def add(self, severity: Severity, message: str, hint: str, field_: str | None) -> None:
        self.problems.append(Problem(severity, self.file, message, hint, field=field_))

    def texts(self, data: dict, key: str, *, where: str = "") -> dict[str, str]:
        value = data.get(key)
        name = f"{where}{key}"
        if value is None:
            return {}
        if isinstance(value, str):
            return {"en": value}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self.add(
                "error",
                f"'{name}' must be text, or one text per language.",
                f'Write e.g. {name} = {{ en = "…", ar = "…" }}.',
                name,
            )
            return {}
        unknown = sorted(set(value) - set(KNOWN_LANGUAGES))
        if unknown:
            self.add(
                "warning",
                f"'{name}' has texts in {', '.join(unknown)}, which the map has no words for; they are ignored.",
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
        return value

    def languages(self, data: dict) -> tuple[str, ...]:
        value = data.get("languages", ["en"])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.add(
                "error",
                "'languages' must be a list of language codes.",
                'Write e.g. languages = ["en", "ar"].',
                "languages",
            )
            return ("en",)
        bad = [v for v in value if v not in KNOWN_LANGUAGES]
        if bad:
            self.add(
                "error",
                f"'languages' names {', '.join(map(repr, bad))}, which the map has no words for.",
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
            crs = CRS.from_user_input(value) if isinstance(value, str) else None
        except CRSError:
            crs = None
        if crs is None or not crs.is_projected or crs.axis_info[0].unit_name not in ("metre", "meter"):
            self.add(
                "error",
                f"'crs' {value!r} is not a projected CRS in metres.",
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
        ok = (
            isinstance(value, list)
            and len(value) == 4
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        )
        if ok:
            x0, y0, x1, y1 = (float(v) for v in value)
            ok = -180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90
        if not ok:
            self.add(
                "error",
                f"'area' {value!r} is not a lon/lat box.",
                "Write area = [min_lon, min_lat, max_lon, max_lat] in degrees (WGS84), or leave it out "
                "to use the districts' extent.",
                "area",
            )
            return None
        return (x0, y0, x1, y1)

    def sides(self, data: dict) -> tuple[Side, ...]:
        value = data.get("sides")
        if value is None:
            return ()
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            self.add(
                "error",
                "'sides' must be a list of tables, one per side.",
                "Write a [[sides]] table per side with id, label, colour.",
                "sides",
            )
            return ()
        out: list[Side] = []
        for n, item in enumerate(value, start=1):
            side = self.side(item, n, {s.id for s in out})
            if side:
                out.append(side)
        return tuple(out)

    def side_refs(self, data: dict, sides: tuple[Side, ...]) -> tuple[str | None, tuple[str, ...]]:
        """``yardstick`` (one side id) and ``front`` (a list of side ids), checked against ``sides``."""
        ids = [s.id for s in sides]
        yardstick, front = data.get("yardstick"), data.get("front", [])
        if yardstick is not None and (not isinstance(yardstick, str) or yardstick not in ids):
            self.add(
                "error",
                f"'yardstick' {yardstick!r} is not one of the sides.",
                f"Use one of: {', '.join(ids) or '(declare [[sides]] first)'}.",
                "yardstick",
            )
            yardstick = None
        if not isinstance(front, list) or any(f not in ids for f in front) or len(front) == 1:
            self.add(
                "error",
                f"'front' {front!r} must list two or more of the sides.",
                f"Use some of: {', '.join(ids) or '(declare [[sides]] first)'}, or leave it out for every side.",
                "front",
            )
            front = []
        return yardstick, tuple(front)

    def acled(self, data: dict, sides: tuple[Side, ...]) -> dict[str, Any]:
        value = data.get("acled", {})
        if not isinstance(value, dict):
            self.add("error", "'acled' must be a table.", 'Write e.g. acled = { country = "…", iso = 0 }.', "acled")
            return {}
        out: dict[str, Any] = {}
        for key, item in value.items():
            ok = key in ACLED_KEYS and (
                isinstance(item, int) and not isinstance(item, bool)
                if key == "iso"
                else isinstance(item, list) and all(i in {s.id for s in sides} for i in item)
                if key == "state_forces"
                else isinstance(item, str)
            )
            if not ok:
                self.add(
                    "error",
                    f"'acled.{key}' = {item!r} is not usable.",
                    f"Keys: {', '.join(ACLED_KEYS)}; iso is a number, state_forces a list of side ids, the rest text.",
                    f"acled.{key}",
                )
                continue
            out[key] = tuple(item) if key == "state_forces" else item
        return out

    def side(self, item: dict, n: int, seen: set[str]) -> Side | None:
        where = f"sides[{n}]."
        for key in sorted(set(item) - set(SIDE_KEYS)):
            self.add("warning", f"unknown key '{where}{key}' is ignored.", f"Use: {', '.join(SIDE_KEYS)}.", where + key)
        sid = item.get("id")
        if not isinstance(sid, str) or not _ID.match(sid) or sid in RESERVED_IDS or sid in seen:
            why = (
                "is used twice"
                if sid in seen
                else "is a state word"
                if sid in RESERVED_IDS
                else "is missing"
                if sid is None
                else "is not a plain id"
            )
            self.add(
                "error",
                f"side {n}: id {sid!r} {why}.",
                "Give each side its own short lower-case id (letters, digits, - or _), not one of "
                f"{', '.join(RESERVED_IDS)}.",
                where + "id",
            )
            return None
        colour = item.get("colour", DEFAULT_COLOURS[(n - 1) % len(DEFAULT_COLOURS)])
        if not isinstance(colour, str) or not _COLOUR.match(colour):
            self.add(
                "error",
                f"side {sid!r}: colour {colour!r} is not a #RRGGBB colour.",
                'Write e.g. colour = "#004488".',
                where + "colour",
            )
            return None
        pattern = item.get("pattern", "solid")
        if pattern not in PATTERNS:
            self.add(
                "error",
                f"side {sid!r}: pattern {pattern!r} is not one the map draws.",
                f"Use one of: {', '.join(PATTERNS)}.",
                where + "pattern",
            )
            return None
        labels = self.texts(item, "label", where=where) or {"en": sid}
        return Side(sid, labels, colour.upper(), pattern, self.texts(item, "in_text", where=where))


def read_settings(text: str, file: str) -> tuple[Settings, list[Problem]]:
    """Parse ``map.toml`` text; return the settings (defaults where a field is absent or bad) and problems."""
    r = _Reader(file)
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        r.add(
            "error",
            f"not valid TOML ({exc}).",
            "Fix the line named; a text needs quotes, a table [[sides]] its double brackets.",
            None,
        )
        return Settings(), r.problems
    for key in sorted(set(data) - set(KEYS)):
        r.add("warning", f"unknown key '{key}' is ignored.", f"Use: {', '.join(KEYS)}.", key)
    first, last = r.day(data, "first"), r.day(data, "last")
    if first and last and last < first:
        r.add("error", f"'last' ({last}) is before 'first' ({first}).", "Swap the two days.", "last")
        first = last = None
    sides = r.sides(data)
    yardstick, front = r.side_refs(data, sides)
    out = Settings(
        sides=sides,
        title=r.texts(data, "title"),
        subtitle=r.texts(data, "subtitle"),
        place=r.texts(data, "place"),
        first=first,
        last=last,
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
        text = (Path(data_dir) / MAP_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return Settings()
    return read_settings(text, MAP_FILE)[0]


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
