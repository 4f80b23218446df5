"""Load a data folder into one validated, typed :class:`Dataset`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import constants as C
from geo.districts import alias_index, read_districts
from geo.files import data_digest, data_dir_from_argv  # noqa: F401 - the loader's public names
from geo.overlays import read_overlay
from geo.problems import DataError, Problem, has_errors
from geo.tables import read_evacuation, read_events, read_sources


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


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem("error", str(path), "file not found.",
                                "Restore it from git, or point --data at the right folder."))
        return None
    except OSError as exc:
        problems.append(Problem("error", str(path), f"cannot read: {exc.strerror}.", "Check permissions."))
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem("error", str(path), f"not UTF-8 text (byte {exc.start}).",
                                "Save the file as UTF-8."))
        return None


def check_dataset(data_dir: Path | str) -> tuple[Dataset | None, list[Problem]]:
    """Read and check every file; return the dataset (None if any error) and all problems."""
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    if not data_dir.is_dir():
        return None, [Problem("error", str(data_dir), "data folder not found.",
                              "Pass the folder holding districts.geojson, e.g. --data data.")]

    def text(name: str, optional: bool = False) -> str | None:
        path = data_dir / name
        if optional and not path.exists():
            return None
        return _read_text(path, problems)

    path = lambda name: str(data_dir / name)  # noqa: E731
    districts = sources = events = None
    if (t := text(C.DISTRICTS_FILE)) is not None:
        districts, found = read_districts(t, path(C.DISTRICTS_FILE))
        problems += found
    if (t := text(C.SOURCES_FILE)) is not None:
        sources, found = read_sources(t, path(C.SOURCES_FILE))
        problems += found
    keys = set(sources["key"]) if sources is not None else set()
    if (t := text(C.EVENTS_FILE)) is not None and districts is not None:
        events, found = read_events(t, path(C.EVENTS_FILE), district_ids=set(districts["id"]),
                                    source_keys=keys, names=alias_index(districts))
        problems += found
    if events is not None and districts is not None:
        problems += start_state_problems(districts, events, path(C.EVENTS_FILE))
    optional = {}
    for name, reader in ((C.ROUTES_FILE, "route"), (C.CHECKPOINTS_FILE, "checkpoint")):
        if (t := text(name, optional=True)) is not None:
            optional[name], found = read_overlay(t, path(name), kind=reader, source_keys=keys)
            problems += found
    if (t := text(C.EVACUATION_FILE, optional=True)) is not None:
        optional[C.EVACUATION_FILE], found = read_evacuation(t, path(C.EVACUATION_FILE), source_keys=keys)
        problems += found
    if has_errors(problems) or districts is None or events is None or sources is None:
        return None, problems
    ds = Dataset(districts, events, sources, optional.get(C.ROUTES_FILE),
                 optional.get(C.CHECKPOINTS_FILE), optional.get(C.EVACUATION_FILE),
                 tuple(problems), data_digest(data_dir))
    return ds, problems


def start_state_problems(districts: gpd.GeoDataFrame, events: pd.DataFrame, file: str) -> list[Problem]:
    """A warning for each district with no row on or before the first day (it shows as unknown)."""
    start = pd.Timestamp(C.OFFENSIVE_START)
    have = set(events.loc[events["date"] <= start, "district"])
    return [Problem("warning", file, f"district {row.id} ({row.name}) has no row dated on or before {start.date()}; "
                    "it shows as unknown until its first row.", "Add a start-state row for it.", "file", None,
                    row.id, "district")
            for row in districts.itertuples() if row.id not in have]


def load_dataset(data_dir: Path | str) -> Dataset:
    """Load a data folder; raise :class:`DataError` carrying every problem if any is an error."""
    ds, problems = check_dataset(data_dir)
    if ds is None:
        raise DataError(problems)
    return ds
