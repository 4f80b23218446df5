"""Day overlays from the state: districts that changed hands that day, and the front line."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from geo.spatial import front_line
from layers.style import CHANGED_STYLE, FRONT_STYLE

CHANGED_LAYER_NAME = "Changed hands this day"
FRONT_LAYER_NAME = "Front line"


def changed_geojson(districts: gpd.GeoDataFrame, changed_ids: list[str]) -> str | None:
    """GeoJSON text of the districts whose state changed on the day (None when none did)."""
    sel = districts[districts["id"].astype(str).isin(changed_ids)]
    return sel[["id", "geometry"]].to_json(drop_id=True) if len(sel) else None


def front_geojson(state: pd.DataFrame, pairs: gpd.GeoDataFrame) -> str | None:
    """GeoJSON text of the day's front line with an ``approximate`` flag (None when there is none)."""
    front = front_line(state, pairs)
    if not len(front):
        return None
    front = front.assign(approximate=front["approximate"].astype(bool))
    return front[["approximate", "geometry"]].to_json(drop_id=True)


def changed_layer(geojson: str | None) -> folium.FeatureGroup:
    """Outlines (no fill, not interactive) of the districts whose state changed on the day."""
    group = folium.FeatureGroup(name=CHANGED_LAYER_NAME)
    if geojson:
        style = {**CHANGED_STYLE, "fill": False}
        folium.GeoJson(geojson, style_function=lambda _f: style, interactive=False,
                       class_name="changed").add_to(group)
    return group


def _front_style(feature: dict) -> dict:
    return {**FRONT_STYLE, "dashArray": "8 5" if feature["properties"]["approximate"] else None}


def front_layer(geojson: str | None) -> folium.FeatureGroup:
    """The front line between government- and opposition-held districts; dashed where approximate."""
    group = folium.FeatureGroup(name=FRONT_LAYER_NAME)
    if geojson:
        folium.GeoJson(geojson, style_function=_front_style, interactive=False,
                       class_name="front").add_to(group)
    return group
