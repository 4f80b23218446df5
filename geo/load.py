"""Load a data folder into one validated, typed :class:`Dataset`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import pandas as pd

from geo import constants as C
from geo.districts import alias_index, read_districts
from geo.files import data_digest, data_dir_from_argv, editing_enabled  # noqa: F401 - the loader's public names
from geo.overlays import read_overlay
from geo.problems import DataError, Problem, has_errors
from geo.settings import Settings, event_window, read_settings, resolve
from geo.settings_checks import crs_area_problems, span_problems
from geo.tables import read_evacuation, read_events, read_sources

T = TypeVar("T")


@dataclass(frozen=True)
class Dataset:
    """Everything in a data folder, validated. Optional layers are None when absent."""

    districts: gpd.GeoDataFrame
    events: pd.DataFrame
    sources: pd.DataFrame
    routes: gpd.GeoDataFrame | None = None
    checkpoints: gpd.GeoDataFrame | None = None
    evacuation: pd.DataFrame | None = None
    problems: tuple[Problem, ...] = field(default=())
    digest: str = ""
    landmarks: gpd.GeoDataFrame | None = None
    #: The map's settings (map.toml), completed from the data: span, sides, CRS and area always set.
    settings: Settings = field(default_factory=Settings)


def _read_text(path: Path, shown: str, problems: list[Problem]) -> str | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(
            Problem("error", shown, "file not found.", "Restore it from git, or point --data at the right folder.")
        )
        return None
    except OSError as exc:
        problems.append(Problem("error", shown, f"cannot read: {exc.strerror or exc}.", "Check permissions."))
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        cut = exc.end == len(raw) and exc.reason == "unexpected end of data"  # a character cut in two
        problems.append(
            Problem(
                "error",
                shown,
                f"not UTF-8 text (byte {exc.start})" + (": the file may be cut short." if cut else "."),
                "Save the file as UTF-8, or restore it from its .bak copy or from git.",
            )
        )
        return None


def guarded(file: str, problems: list[Problem], read: Callable[[], T]) -> T | None:
    """Run one reader; any exception it raises becomes an error naming ``file``, never a traceback.

    The readers report every bad input they know as a named problem; this is the net for one they
    do not know yet.
    """
    try:
        return read()
    except Exception as exc:  # noqa: BLE001 - the one boundary between a file's content and a traceback
        detail = " ".join(str(exc).split())[:200]
        problems.append(
            Problem(
                "error",
                file,
                f"could not be checked: the checks failed on this content ({type(exc).__name__}: {detail}).",
                "Restore the file from its .bak copy or from git, or undo the last edit; "
                "please report the input so that it gets a clear message.",
            )
        )
        return None


class _Folder:
    """Reads a data folder's files, collecting problems under each file's shown name."""

    def __init__(self, data_dir: Path, problems: list[Problem]):
        self.data_dir, self.problems = data_dir, problems
        self.folder = data_dir.resolve().name or "."

    def name(self, file: str) -> str:
        return f"{self.folder}/{file}"

    def text(self, file: str, *, optional: bool = False) -> str | None:
        if optional and not (self.data_dir / file).exists():
            return None
        return _read_text(self.data_dir / file, self.name(file), self.problems)

    def read(
        self, file: str, reader: Callable[[str, str], tuple[T, list[Problem]]], *, optional: bool = False
    ) -> T | None:
        """``reader(text, shown name)`` behind the boundary; None when the file is absent or unusable."""
        text = self.text(file, optional=optional)
        if text is None:
            return None
        out = guarded(self.name(file), self.problems, lambda: reader(text, self.name(file)))
        if out is None:
            return None
        value, found = out
        self.problems.extend(found)
        if value is None and not has_errors(found):  # a reader gave up without saying why: never silently
            self.problems.append(
                Problem(
                    "error",
                    self.name(file),
                    "the file could not be used, and no reason was found.",
                    "Restore it from its .bak copy or from git; please report the input.",
                )
            )
        return value


def check_dataset(data_dir: Path | str) -> tuple[Dataset | None, list[Problem]]:
    """Read and check every file; return the dataset (None if any error) and all problems.

    Problems name a file by the data folder's name and the file's (``data/events.csv``), never by
    its full path on this machine, since the app shows them to readers. Never raises.
    """
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    if not data_dir.is_dir():
        return None, [
            Problem(
                "error",
                data_dir.name or str(data_dir),
                "data folder not found.",
                "Pass the folder holding districts.geojson, e.g. --data data.",
            )
        ]
    f = _Folder(data_dir, problems)
    written = settings = f.read(C.MAP_FILE, read_settings, optional=True) or Settings()
    districts = f.read(C.DISTRICTS_FILE, lambda t, n: read_districts(t, n, bbox=settings.area, crs=settings.crs))
    if districts is not None and settings.crs:
        problems += (
            guarded(
                f.name(C.MAP_FILE), problems, lambda: crs_area_problems(settings.crs, districts, f.name(C.MAP_FILE))
            )
            or []
        )
    sources = f.read(C.SOURCES_FILE, read_sources)
    keys = set(sources["key"]) if sources is not None else set()
    events = None
    if districts is not None:
        events = f.read(
            C.EVENTS_FILE,
            lambda t, n: read_events(
                t,
                n,
                district_ids=set(districts["id"]),
                source_keys=keys,
                names=alias_index(districts),
                sides=settings.side_ids if settings.declared_sides else None,
                window=event_window(settings),
            ),
        )
    if events is not None and districts is not None:
        file = f.name(C.EVENTS_FILE)
        settings = guarded(f.name(C.MAP_FILE), problems, lambda: resolve(settings, districts, events)) or settings
        names = (f.name(C.MAP_FILE), file)
        problems += guarded(file, problems, lambda: span_problems(written, settings, events, files=names)) or []
        if not settings.sides and len(events):
            problems.append(
                Problem(
                    "error",
                    file,
                    "no row names a side: every controller is 'contested' (or another word that is not a "
                    "side), so no district can be shown as held by anyone.",
                    "Give each district's holder as a side id (e.g. government, opposition), and declare the "
                    "sides in map.toml's [[sides]] to name and colour them.",
                    field="controller",
                )
            )
        first = settings.first
        if first is not None:
            problems += (
                guarded(file, problems, lambda: start_state_problems(districts, events, file, start=first)) or []
            )
    area = settings.area

    def overlay(kind: str) -> Callable[[str, str], tuple[gpd.GeoDataFrame | None, list[Problem]]]:
        return lambda t, n: read_overlay(t, n, kind=kind, source_keys=keys, bbox=area)

    routes = f.read(C.ROUTES_FILE, overlay("route"), optional=True)
    checkpoints = f.read(C.CHECKPOINTS_FILE, overlay("checkpoint"), optional=True)
    evacuation = f.read(C.EVACUATION_FILE, lambda t, n: read_evacuation(t, n, source_keys=keys), optional=True)
    landmarks = f.read(C.LANDMARKS_FILE, overlay("landmark"), optional=True)
    if has_errors(problems) or districts is None or events is None or sources is None:
        return None, problems
    return Dataset(
        districts,
        events,
        sources,
        routes,
        checkpoints,
        evacuation,
        tuple(problems),
        data_digest(data_dir),
        landmarks,
        settings,
    ), problems


def start_state_problems(
    districts: gpd.GeoDataFrame, events: pd.DataFrame, file: str, *, start: dt.date
) -> list[Problem]:
    """A warning for each district with no row on or before the first day (it shows as unknown)."""
    first = pd.Timestamp(start)
    have = set(events.loc[events["date"] <= first, "district"])
    return [
        Problem(
            "warning",
            file,
            f"district {row.id} ({row.name}) has no row dated on or before {first.date()}; "
            "it shows as unknown until its first row.",
            "Add a start-state row for it.",
            "file",
            None,
            row.id,
            "district",
        )
        for row in districts.itertuples()
        if row.id not in have
    ]


def load_dataset(data_dir: Path | str) -> Dataset:
    """Load a data folder; raise :class:`DataError` carrying every problem if any is an error."""
    ds, problems = check_dataset(data_dir)
    if ds is None:
        raise DataError(problems)
    return ds
