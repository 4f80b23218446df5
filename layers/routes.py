"""Evacuation routes (Castello, Ramouse) styled by their status on the day, with direction arrows."""

from __future__ import annotations

import datetime as dt
import math

import folium
import geopandas as gpd
from shapely.geometry import LineString, MultiLineString

from geo.overlays import route_status
from layers.content import HtmlPopup, SourceIndex, feature_html, sources_html
from layers.style import ROUTE_STATUS_STYLE

ROUTES_LAYER_NAME = "Routes"
#: Arrowhead length and half-width in degrees (about 180 m by 110 m at Aleppo's latitude).
ARROW_LEN, ARROW_HALF = 0.0018, 0.0010


def _lines(geom) -> list[LineString]:
    return list(geom.geoms) if isinstance(geom, MultiLineString) else [geom]


def arrowhead(line: LineString, at: float) -> list[tuple[float, float]]:
    """Triangle (lat, lon) pointing along ``line`` at fraction ``at`` of its length (end = 1)."""
    tip = line.interpolate(at, normalized=True)
    back = line.interpolate(max(at - 0.02, 0.0), normalized=True)
    dx, dy = tip.x - back.x, tip.y - back.y
    norm = math.hypot(dx, dy) or 1.0
    ux, uy = dx / norm, dy / norm
    bx, by = tip.x - ux * ARROW_LEN, tip.y - uy * ARROW_LEN
    left = (by + ux * ARROW_HALF, bx - uy * ARROW_HALF)
    right = (by - ux * ARROW_HALF, bx + uy * ARROW_HALF)
    return [(tip.y, tip.x), left, right]


def _route_card(row, status: str, index: SourceIndex) -> str:
    direction = str(row.get("direction") or "")
    lines = [("Status on this day", status), ("From", row.get("from")), ("To", row.get("to")),
             ("Direction", f"{direction} (arrows)" if direction else "along the arrows"),
             ("Location", row.get("location_precision")), ("Note", row.get("note"))]
    return feature_html(str(row.get("name")), lines, sources_html([row.get("source", "")], index))


def routes_layer(routes: gpd.GeoDataFrame | None, day: dt.date, index: SourceIndex) -> folium.FeatureGroup:
    """Routes with a status on ``day`` (none drawn before they were proposed)."""
    group = folium.FeatureGroup(name=ROUTES_LAYER_NAME)
    if routes is None:
        return group
    for row in routes.to_dict("records"):
        status = route_status(row["status"], day)
        if status is None:
            continue
        style = ROUTE_STATUS_STYLE[status]
        card = _route_card(row, status, index)
        for line in _lines(row["geometry"]):
            folium.PolyLine([(y, x) for x, y in line.coords], tooltip=card, color=style["color"],
                            weight=style["weight"], opacity=style["opacity"],
                            dash_array=style["dashArray"],
                            class_name=f"route route-{status.replace(' ', '-')}"
                            ).add_child(HtmlPopup(card)).add_to(group)
            for at in (0.5, 1.0):
                folium.Polygon(arrowhead(line, at), color=style["color"], weight=1, fill=True,
                               fill_color=style["color"], fill_opacity=style["opacity"],
                               interactive=False).add_to(group)
    return group
