"""Day overlays from the state: districts that changed hands that day, and the front line."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from geo.spatial import front_line
from layers.style import CHANGED_STYLE, FRONT_STYLE

CHANGED_LAYER_NAME = "Changed hands this day"
FRONT_LAYER_NAME = "Front line"


def changed_layer(districts: gpd.GeoDataFrame, changed_ids: list[str]) -> folium.FeatureGroup:
    """Outlines (no fill, not interactive) of the districts whose state changed on the day."""
    group = folium.FeatureGroup(name=CHANGED_LAYER_NAME)
    sel = districts[districts["id"].astype(str).isin(changed_ids)]
    if len(sel):
        style = {**CHANGED_STYLE, "fill": False}
        folium.GeoJson(sel[["id", "geometry"]].to_json(drop_id=True), style_function=lambda _f: style,
                       interactive=False, class_name="changed").add_to(group)
    return group


def front_layer(state: pd.DataFrame, pairs: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """The front line between government- and opposition-held districts; dashed where approximate."""
    group = folium.FeatureGroup(name=FRONT_LAYER_NAME)
    front = front_line(state, pairs)
    if len(front):
        front = front.assign(approximate=front["approximate"].astype(bool))

        def style(feature: dict) -> dict:
            approx = feature["properties"]["approximate"]
            return {**FRONT_STYLE, "dashArray": "8 5" if approx else None}

        folium.GeoJson(front[["approximate", "geometry"]].to_json(drop_id=True), style_function=style,
                       interactive=False, class_name="front").add_to(group)
    return group
