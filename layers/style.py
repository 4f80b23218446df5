"""Colours, labels and escaping shared by every map layer and the standalone page."""

from __future__ import annotations

import html
import json
from typing import Any

from geo.constants import CONTROLLER_LABELS

#: Paul Tol's high-contrast scheme (safe for the common colour-vision deficiencies), plus grey.
PALETTE: dict[str, str] = {
    "government": "#BB5566",
    "opposition": "#004488",
    "sdf": "#DDAA33",
    "contested": "#7F6A93",
    "unknown": "#BBBBBB",
}
LABELS = CONTROLLER_LABELS
LABELS_AR: dict[str, str] = {
    "government": "الحكومة وحلفاؤها",
    "opposition": "المعارضة",
    "sdf": "قوات سوريا الديمقراطية/وحدات حماية الشعب",
    "contested": "متنازع عليها",
    "unknown": "غير معروف",
}
ROUTE_STATUS_STYLE: dict[str, dict[str, Any]] = {
    "proposed": {"color": "#555555", "dashArray": "6 6", "weight": 3, "opacity": 0.9},
    "in use": {"color": "#117733", "dashArray": None, "weight": 5, "opacity": 0.95},
    "closed": {"color": "#999999", "dashArray": "2 6", "weight": 3, "opacity": 0.7},
}
FRONT_STYLE = {"color": "#000000", "weight": 3.5, "opacity": 0.9}
CHANGED_STYLE = {"color": "#111111", "weight": 3, "dashArray": "4 3"}
BOUNDARY_CREDIT = "Boundaries: OCHA / UN Cartographic Section (COD-AB, 2016-09-05)"

_JS_TEMPLATE_EXTRA = {"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"}


def escape_text(value: Any) -> str:
    """Escape data text for HTML *and* for a JavaScript template or string literal.

    Folium writes tooltip and popup HTML inside JavaScript backtick strings, where a backtick,
    ``${``, a backslash or ``</script>`` would run as code; HTML escaping alone is not enough.
    Every such character becomes an HTML entity, which the browser shows literally.
    """
    text = html.escape("" if value is None else str(value), quote=True)
    return "".join(_JS_TEMPLATE_EXTRA.get(ch, ch) for ch in text)


def safe_url(url: Any) -> str | None:
    """The URL escaped for an ``href`` when it is http(s); None otherwise (never a javascript: link)."""
    text = str(url or "").strip()
    if not text.lower().startswith(("http://", "https://")):
        return None
    return escape_text(text)


def json_for_script(data: Any) -> str:
    """JSON safe to place inside a ``<script>`` element (no ``</script>``, no U+2028)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch, rep in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, rep)
    return text

# --- added for the app's map layers -------------------------------------------------------------
#: Base look of a district polygon (fill colour set per state).
DISTRICT_STYLE: dict[str, Any] = {"color": "#ffffff", "weight": 0.8, "opacity": 1.0, "fillOpacity": 0.72,
                                  "dashArray": None}
#: Extra outline for a disputed district (sources disagree): dotted black.
DISPUTED_STYLE: dict[str, Any] = {"color": "#000000", "weight": 2.2, "dashArray": "1 4"}
#: Checkpoint marker look.
CHECKPOINT_STYLE: dict[str, Any] = {"radius": 6, "color": "#000000", "weight": 2, "fill": True,
                                    "fill_color": "#FFFFFF", "fill_opacity": 1.0}
#: Basemap choices offered to the reader: label -> tile URL and attribution (None = no basemap).
BASEMAPS: dict[str, dict[str, str] | None] = {
    "Light street map": {
        "tiles": "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        "attr": '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
                '&copy; <a href="https://carto.com/attributions">CARTO</a>'},
    "None": None,
}
