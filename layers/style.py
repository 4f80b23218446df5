"""Colours and styles of the map (the payload carries them to the browser)."""

from __future__ import annotations

from typing import Any

from geo.escape import html_attr
from geo.settings import Settings

#: Colours that are not a side's: grey for no record. The sides' colours come from the settings
#: (map.toml), see :func:`palette`.
PALETTE: dict[str, str] = {
    "unknown": "#BBBBBB",
}
#: Look of a district polygon; the fill is set per state.
DISTRICT_STYLE: dict[str, Any] = {
    "color": "#ffffff",
    "weight": 1.0,
    "opacity": 1.0,
    "fillOpacity": 0.8,
    "dashArray": None,
}
#: Fill opacity of a state the editors inferred (no source states it): paler than a sourced one.
INFERRED_FILL_OPACITY = 0.4
UNKNOWN_FILL_OPACITY = 0.5
#: Split districts: stripes of the two sides, the holder's stripe width following its share
#: (rounded to STRIPE_STEP so a handful of patterns serve every share).
STRIPES: dict[str, Any] = {"size": 10, "angle": 45}
STRIPE_STEP = 0.05
#: Disputed districts (sources disagree): their own hatching, at the other angle to the stripes.
#: Under the hatching, the colour of the side the sources' own reports give the district (what the
#: areas count), or the plain background when they give none.
DISPUTED_HATCH: dict[str, Any] = {"background": "#C9B3DB", "line": "#6F3C8F", "lineWidth": 2.5, "size": 8, "angle": -45}
#: Outline of a district whose state changed that day: an orange halo, unlike the black front line.
CHANGED_STYLE: dict[str, Any] = {"color": "#EE7733", "weight": 4.0, "opacity": 1.0, "dashArray": None}
FRONT_STYLE: dict[str, Any] = {"color": "#000000", "weight": 3.5, "opacity": 0.9, "dashArray": None}
FRONT_APPROX_STYLE: dict[str, Any] = {**FRONT_STYLE, "dashArray": "6 5", "opacity": 0.75}
ROUTE_STATUS_STYLE: dict[str, dict[str, Any]] = {
    "proposed": {"color": "#555555", "dashArray": "6 6", "weight": 3, "opacity": 0.9},
    "in use": {"color": "#117733", "dashArray": None, "weight": 5, "opacity": 0.95},
    "closed": {"color": "#999999", "dashArray": "2 6", "weight": 3, "opacity": 0.7},
}
#: A route whose file gives no dated status, drawn plainly while active.
ROUTE_PLAIN_STYLE: dict[str, Any] = {"color": "#555555", "dashArray": None, "weight": 3, "opacity": 0.9}
#: The wide pale band under a route whose alignment is approximate.
ROUTE_BAND_STYLE: dict[str, Any] = {"color": "#555555", "weight": 13, "opacity": 0.3, "lineCap": "round"}
#: Outline of a fill swatch in the legend (so a pale fill still reads as a box).
SWATCH_OUTLINE: dict[str, Any] = {"color": "#555555", "weight": 0.6}
CHECKPOINT_STYLE: dict[str, Any] = {
    "radius": 5,
    "color": "#222222",
    "weight": 2,
    "fillColor": "#ffffff",
    "fillOpacity": 1.0,
    "dashArray": None,
}
CHECKPOINT_APPROX_STYLE: dict[str, Any] = {**CHECKPOINT_STYLE, "radius": 8, "fillOpacity": 0.45, "dashArray": "3 3"}
#: Optional street tiles (the map is legible without them: every district is drawn).
TILES: dict[str, str] = {
    "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "attribution": "© OpenStreetMap contributors",
}
#: The basemaps a map page can have: none, or the street tiles above.
BASEMAPS = ("none", "streets")


def palette(settings: Settings) -> dict[str, str]:
    """Fill colour of each side (from the settings) and of :data:`PALETTE`'s generic states."""
    return {**settings.colours, **PALETTE}


def iframe_snippet(src: str, *, title: str, height: int = 600) -> str:
    """An ``<iframe>`` to paste into an article; fits a desktop column and a 360-pixel phone."""
    return (
        f'<iframe src="{html_attr(src)}" title="{html_attr(title)}" width="100%" '
        f'height="{int(height)}" style="border:0;max-width:100%;" loading="lazy"></iframe>'
    )
