"""HTML for the side panel: the day's events with their sources. Every data text escaped."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from layers.content import SourceIndex, claimant_html, source_html
from layers.style import LABELS, escape_text


def day_events(events: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The events dated on ``day``, in file order."""
    return events[events["date"] == pd.Timestamp(day)].sort_values("line", kind="stable")


def events_html(events: pd.DataFrame, names: dict[str, str], index: SourceIndex) -> str:
    """A list of the day's events: district, controller and share, note, source with link."""
    if events.empty:
        return '<div class="day-events">No event recorded on this day.</div>'
    items = []
    for row in events.to_dict("records"):
        share = f" ({row['share']:.0%})" if pd.notna(row.get("share")) else ""
        note = f" — {escape_text(row['note'])}" if row.get("note") else ""
        name = escape_text(names.get(str(row["district"]), row["district"]))
        ctrl = escape_text(LABELS.get(row["controller"], row["controller"]))
        items.append(f"<li><b>{name}</b>: {ctrl}{share}{note}. "
                     f"<small>{source_html(str(row['source']), index)}{claimant_html(row)}</small></li>")
    return '<div class="day-events"><ul>' + "".join(items) + "</ul></div>"
