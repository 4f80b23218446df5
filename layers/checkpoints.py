"""Checkpoints and crossing points as markers, shown only on the days they were active."""

from __future__ import annotations

import datetime as dt

import folium
import geopandas as gpd

from geo.overlays import active_on
from layers.content import HtmlPopup, SourceIndex, feature_html, sources_html
from layers.style import CHECKPOINT_STYLE

CHECKPOINTS_LAYER_NAME = "Checkpoints"


def _card(row: dict, index: SourceIndex) -> str:
    span = f"{row.get('active_from') or '…'} to {row.get('active_to') or '…'}"
    lines = [("Kind", row.get("kind")), ("Operator", row.get("operator")), ("Active", span),
             ("Location", row.get("location_precision")), ("Note", row.get("note"))]
    return feature_html(str(row.get("name")), lines, sources_html([row.get("source", "")], index))


def checkpoints_layer(points: gpd.GeoDataFrame | None, day: dt.date,
                      index: SourceIndex) -> folium.FeatureGroup:
    """Circle markers for the checkpoints active on ``day``."""
    group = folium.FeatureGroup(name=CHECKPOINTS_LAYER_NAME)
    if points is None or points.empty:
        return group
    for row in points[active_on(points, day).to_numpy()].to_dict("records"):
        card = _card(row, index)
        folium.CircleMarker((row["geometry"].y, row["geometry"].x), tooltip=card, class_name="checkpoint",
                            **CHECKPOINT_STYLE).add_child(HtmlPopup(card)).add_to(group)
    return group
