"""The settings checked against the data they describe: the span against the events' days, the
CRS's areas against an equal-area projection of the districts.

:mod:`geo.settings` reads ``map.toml`` alone (cheap, for a page title before the data loads);
these checks need the districts or the events, and :func:`geo.load.check_dataset` runs them.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.problems import Problem
from geo.settings import (
    AREA_ERROR_MAX,
    MAX_SPAN_DAYS,
    SPAN_SLACK_DAYS,
    SPAN_SLACK_SHARE,
    Settings,
    span_words,
)


def span_problems(
    written: Settings, resolved: Settings, events: pd.DataFrame, *, files: tuple[str, str]
) -> list[Problem]:
    """Problems of the span ``resolved`` from ``written`` (the file's settings) and the events.

    An error when the span is longer than :data:`MAX_SPAN_DAYS` without ``long_span`` and an end of it
    comes from the events (a span the file gives whole is checked by :func:`read_settings`); a
    warning when a day the file gives lies far (:data:`SPAN_SLACK_DAYS`, and :data:`SPAN_SLACK_SHARE`
    of the span) outside the events' days. ``files``: the shown names of map.toml and events.csv.
    """
    first, last = resolved.first, resolved.last
    if first is None or last is None or not len(events):
        return []
    map_file, events_file = files
    span = (last - first).days
    at = events["date"].agg(["idxmin", "idxmax"])
    earliest, latest = (events.loc[i, "date"].date() for i in at)
    lines = {d: int(events.loc[i, "line"]) for d, i in zip((earliest, latest), at, strict=True)}
    if span > MAX_SPAN_DAYS and not resolved.long_span and not (written.first and written.last):
        end = last if written.last is None else first
        message, hint = span_words(first, last, f"{first} to {last} (from the events' dates)")
        return [Problem("error", events_file, message, hint, "line", lines.get(end), None, "date")]
    slack = max(SPAN_SLACK_DAYS, round(span * SPAN_SLACK_SHARE))
    out = []
    if written.last and (last - latest).days > slack:
        out.append(
            Problem(
                "warning",
                map_file,
                f"the span runs {(last - latest).days:,} days past the last event ({latest}, line "
                f"{lines[latest]} of events.csv): the map would show those days unchanged.",
                f"Check the year of 'last', or end the span nearer the record's end (e.g. last = {latest}).",
                field="last",
            )
        )
    if written.first and (earliest - first).days > slack:
        out.append(
            Problem(
                "warning",
                map_file,
                f"the span starts {(earliest - first).days:,} days before the first event ({earliest}, line "
                f"{lines[earliest]} of events.csv): the map would open on days with no district known.",
                f"Check the year of 'first', or start the span nearer the record's start (e.g. first = {earliest}).",
                field="first",
            )
        )
    return out


def crs_area_problems(crs: str | None, districts: gpd.GeoDataFrame, file: str) -> list[Problem]:
    """A warning when the districts' total area in ``crs`` differs from their area in an equal-area
    projection centred on them by more than :data:`AREA_ERROR_MAX` (a Web Mercator inflates it by half
    at 36° N): one area sum in each."""
    if crs is None or districts.empty:
        return []
    x0, y0, x1, y1 = districts.to_crs("EPSG:4326").total_bounds
    laea = f"+proj=laea +lat_0={(y0 + y1) / 2:.6f} +lon_0={(x0 + x1) / 2:.6f} +datum=WGS84 +units=m +no_defs"
    true, given = (float(districts.to_crs(c).area.sum()) for c in (laea, crs))
    if not true > 0 or abs(given / true - 1) <= AREA_ERROR_MAX:
        return []
    error = given / true - 1
    utm = districts.estimate_utm_crs().to_string()
    return [
        Problem(
            "warning",
            file,
            f"'crs' {crs} is not equal-area here: the districts cover {given / 1e6:,.2f} km² in it against "
            f"{true / 1e6:,.2f} km² in an equal-area projection centred on them ({(given - true) / 1e6:+,.2f} km², "
            f"{error:+.1%}), so every area and share of area is off by as much.",
            f'Use an equal-area CRS or the districts\' UTM zone (crs = "{utm}"), or leave crs out to use that zone.',
            field="crs",
        )
    ]
