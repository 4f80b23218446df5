"""The standalone scrubbable page: one HTML file that needs no server and no network.

Leaflet's JS and CSS are inlined from the packaged copy (xstatic-leaflet); the districts are
stored once and each day is a compact state table (``layers.standalone_data``); the page's
own slider and play button restyle the map in the browser. Page script and style live in
``layers/assets/`` and are read at render time.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

import pandas as pd

from geo.load import Dataset
from geo.timeline import Timeline
from layers.standalone_data import STATE_CODES, page_data
from layers.standalone_text import LANGS, MONTHS, UI, day_label, default_title, labels
from layers.style import (
    FRONT_STYLE,
    PALETTE,
    ROUTE_STATUS_STYLE,
    escape_text,
    json_for_script,
    safe_url,
)

ASSETS = Path(__file__).with_name("assets")
BASEMAPS = ("none", "streets")
#: Optional street tiles; the page draws every district without them.
TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
#: Neutral style of a route whose file gives no status.
ROUTE_PLAIN_STYLE = {"color": "#555555", "dashArray": None, "weight": 3, "opacity": 0.9}
_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
# Leaflet's CSS points at marker and layer-switcher images the page never uses; drop them so the
# file names nothing outside itself.
_CSS_IMAGE = re.compile(r"url\((?!#)[^)]*\)")


@functools.cache
def leaflet_assets() -> tuple[str, str]:
    """Leaflet's minified JS and its CSS (image references removed), from xstatic-leaflet."""
    from xstatic.pkg import leaflet

    base = Path(leaflet.BASE_DIR)
    css = _CSS_IMAGE.sub("none", (base / "leaflet.css").read_text(encoding="utf-8"))
    return (base / "leaflet.js").read_text(encoding="utf-8"), css


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def _swatch(cls: str, style: str = "") -> str:
    return f'<span class="sw {cls}"' + (f' style="{style}"' if style else "") + "></span>"


def _legend(data: dict[str, Any], lang: str) -> str:
    ui, names = UI[lang], labels(lang)
    items = [(_swatch("fill", f"background:{PALETTE[c]}"), names[c]) for c in STATE_CODES]
    stripes = f"--a:{PALETTE['government']};--b:{PALETTE['opposition']}"
    items += [(_swatch("fill split", stripes), ui["split"]), (_swatch("fill disputed"), ui["disputed"]),
              (_swatch("line front"), ui["front"]), (_swatch("line front approx"), ui["front_approx"])]
    statuses = {c for r in data["routes"] for c in r["st"]} - {"-"}
    for status, style in ROUTE_STATUS_STYLE.items():
        if status[0] in statuses:
            dash = "dashed" if style.get("dashArray") else "solid"
            items.append((_swatch("line", f"border-top:{min(style['weight'], 5)}px {dash} {style['color']}"),
                          ui[status]))
    if "r" in statuses:
        items.append((_swatch("line", "border-top:3px solid #555555"), ui["route"]))
    if any(r["ap"] for r in data["routes"]):
        items.append((_swatch("band"), ui["route_approx"]))
    if data["checkpoints"]:
        items.append((_swatch("dot"), ui["checkpoint"]))
    if any(c["ap"] for c in data["checkpoints"]):
        items.append((_swatch("dot approx"), ui["checkpoint_approx"]))
    return "".join(f"<li>{sw}<span>{escape_text(text)}</span></li>" for sw, text in items)


def _sources(ds: Dataset) -> str:
    rows = []
    for src in ds.sources.to_dict("records"):
        title = escape_text(src.get("title") or src.get("key"))
        url = safe_url(src.get("url"))
        head = f'<a href="{url}" rel="noopener noreferrer" target="_blank">{title}</a>' if url else title
        bits = [escape_text(src.get(k)) for k in ("publisher", "date") if src.get(k)]
        stance = f' <span class="stance">[{escape_text(src["stance"])}]</span>' if src.get("stance") else ""
        rows.append(f"<li>{head}" + (f" — {', '.join(bits)}" if bits else "") + f"{stance}</li>")
    return "".join(rows)


def _short_sources(ds: Dataset, lang: str) -> str:
    pubs = list(dict.fromkeys(str(p or t) for p, t in zip(ds.sources["publisher"], ds.sources["title"],
                                                           strict=True) if (p or t)))
    shown = ", ".join(pubs[:8]) + (f" (+{len(pubs) - 8})" if len(pubs) > 8 else "")
    return f"{UI[lang]['sources']}: {shown}."


def _config(ds: Dataset, days: pd.DatetimeIndex, start: int, lang: str, basemap: str,
            static: bool) -> dict[str, Any]:
    routes = {s[0]: style for s, style in ROUTE_STATUS_STYLE.items()} | {"r": ROUTE_PLAIN_STYLE}
    return {
        "lang": lang, "static": static, "start": start,
        "dayLabels": [day_label(d.date(), lang) for d in days],
        "palette": [PALETTE[c] for c in STATE_CODES], "labels": [labels(lang)[c] for c in STATE_CODES],
        "ui": UI[lang], "months": MONTHS[lang], "front": FRONT_STYLE, "routeStyles": routes,
        "tiles": TILE_URL if basemap == "streets" else None, "tileCredit": UI[lang]["tiles"],
    }


def _frame_style(width: int | None, height: int | None) -> str:
    parts = []
    if width:
        parts.append(f"width:{int(width)}px")
    if height:
        parts.append(f"height:{int(height)}px")
    return ";".join(parts)


def render_html(
    ds: Dataset, timeline: Timeline, day: dt.date | str | pd.Timestamp, *, title: str | None = None,
    lang: str = "en", basemap: str = "none", static: bool = False, width: int | None = None,
    height: int | None = None,
) -> str:
    """The self-contained, scrubbable page opening on ``day`` (``static``: that day only, no slider).

    ``width``/``height`` (px) fix the map frame's size; by default it fills the window, down to
    a 360-pixel phone iframe.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}.")
    if basemap not in BASEMAPS:
        raise ValueError(f"basemap must be one of {', '.join(BASEMAPS)}, not {basemap!r}.")
    start = timeline.day_index(day)
    days = timeline.days[start:start + 1] if static else timeline.days
    data = page_data(ds, timeline, days)
    first, last = timeline.days[0].date(), timeline.days[-1].date()
    title = title if title else default_title(lang, first, last)
    js, css = leaflet_assets()
    credit = UI[lang]["credit"] + (f" · {UI[lang]['tiles']}" if basemap == "streets" else "") + "."
    values = {
        "LANG": lang, "DIR": "rtl" if lang == "ar" else "ltr", "TITLE": escape_text(title),
        "DATE": escape_text(day_label(timeline.days[start].date(), lang)),
        "BODY_CLASS": "static" if static else "scrub", "FRAME_STYLE": _frame_style(width, height),
        "MAP_LABEL": escape_text(UI[lang]["map_label"]), "SLIDER_LABEL": escape_text(UI[lang]["slider"]),
        "PLAY": escape_text(UI[lang]["play"]), "LAST": str(len(days) - 1),
        "START": "0" if static else str(start), "LEGEND": _legend(data, lang),
        "LEGEND_LABEL": escape_text(UI[lang]["legend"]),
        "CREDIT": escape_text(credit), "SOURCES_SHORT": escape_text(_short_sources(ds, lang)),
        "SOURCES_NOTE": escape_text(UI[lang]["sources_note"]),
        "SOURCES_HEADING": escape_text(UI[lang]["sources"]), "SOURCES": _sources(ds),
        "DATA": json_for_script(data),
        "CONFIG": json_for_script(_config(ds, days, 0 if static else start, lang, basemap, static)),
        "LEAFLET_CSS": css, "PAGE_CSS": _asset("standalone.css"),
        "LEAFLET_JS": js, "PAGE_JS": _asset("standalone.js"),
    }
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], _asset("standalone.html"))


def iframe_snippet(src: str, *, title: str, height: int = 600) -> str:
    """An ``<iframe>`` to paste into an article; fits a desktop column and a 360-pixel phone."""
    return (f'<iframe src="{escape_text(src)}" title="{escape_text(title)}" width="100%" '
            f'height="{int(height)}" style="border:0;max-width:100%;" loading="lazy"></iframe>')
