"""HTML for the app's panel beside the map: the day's events with their sources. Every data text escaped."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import pandas as pd

from geo.escape import html_attr, html_text, safe_url
from geo.settings import Settings
from geo.vocabulary import label

SourceIndex = Mapping[str, Mapping[str, str]]


def source_index(sources: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Map each source key to its title, publisher, date and url."""
    cols = ("title", "publisher", "date", "url")
    return {str(r["key"]): {c: str(r.get(c) or "") for c in cols} for r in sources.to_dict("records")}


def source_html(key: str, index: SourceIndex) -> str:
    """One source as escaped HTML: title (publisher, date) with an http(s) link when there is one."""
    src = index.get(key, {})
    title = html_text(src.get("title") or key)
    meta = ", ".join(html_text(src[c]) for c in ("publisher", "date") if src.get(c))
    text = f"{title} ({meta})" if meta else title
    url = safe_url(src.get("url"))
    if url is None:
        return text
    return f'<a href="{html_attr(url)}" target="_blank" rel="noopener noreferrer">{text}</a>'


def claimant_html(claim: Mapping) -> str:
    """ " (claim by X)" when the source reports another party's claim; empty otherwise."""
    who = claim.get("claimant")
    return f" (claim by {html_text(who)})" if who and not (isinstance(who, float) and math.isnan(who)) else ""


def day_events(events: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The events dated on ``day``, in file order."""
    return events[events["date"] == pd.Timestamp(day)].sort_values("line", kind="stable")


def events_html(
    events: pd.DataFrame, names: dict[str, str], index: SourceIndex, settings: Settings | None = None
) -> str:
    """A list of the day's events: district, the side claimed and its share, note, source with link."""
    if events.empty:
        return '<div class="day-events">No event recorded on this day.</div>'
    items = []
    for row in events.to_dict("records"):
        share = f" ({row['share']:.0%})" if pd.notna(row.get("share")) else ""
        note = f" — {html_text(row['note'])}" if row.get("note") else ""
        name = html_text(names.get(str(row["district"]), row["district"]))
        side = html_text(label(row["controller"], "en", settings))
        items.append(
            f"<li><b>{name}</b>: {side}{share}{note}. "
            f"<small>{source_html(str(row['source']), index)}{claimant_html(row)}</small></li>"
        )
    return '<div class="day-events"><ul>' + "".join(items) + "</ul></div>"


def disputed_html(band: pd.DataFrame, names: dict[str, str]) -> str:
    """The disputed ground of a day: area, districts and who claims what, as an escaped list."""
    if band.empty:
        return '<div class="disputed-band">No district is disputed between sources on this day.</div>'
    items = []
    for row in band.to_dict("records"):
        where = ", ".join(html_text(names.get(d, d)) for d in row["districts"])
        items.append(f"<li><b>{row['km2']:.2f} km²</b> ({where}): {html_text(row['claims'])}</li>")
    return '<div class="disputed-band"><ul>' + "".join(items) + "</ul></div>"
