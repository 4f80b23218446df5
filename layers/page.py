"""Compose the map: a base built once per data set and basemap, and the layers of one day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import folium
import geopandas as gpd

from geo.spatial import changes_between
from geo.timeline import Timeline
from layers.changes import changed_geojson, changed_layer, front_geojson, front_layer
from layers.checkpoints import checkpoints_layer
from layers.content import SourceIndex
from layers.districts import DayStyle, DistrictsLayer
from layers.legend import Legend
from layers.routes import routes_layer

LEAFLET_VERSION = "1.9.3"
#: Where the app serves the packaged Leaflet (Streamlit static serving).
LOCAL_LEAFLET_URL = f"/app/static/leaflet-{LEAFLET_VERSION}"
NO_BASEMAP_CSS = "<style>.leaflet-container{background:#f4f4f0;}</style>"


def use_leaflet_from(m: folium.Map, base_url: str) -> folium.Map:
    """Load Leaflet's JS/CSS from ``base_url`` instead of a CDN, and nothing else from the network."""
    m.default_js = [("leaflet", f"{base_url}/leaflet.js")]
    m.default_css = [("leaflet_css", f"{base_url}/leaflet.css")]
    return m


def base_map(districts: gpd.GeoDataFrame, ids: list[str], *, tiles: dict[str, str] | None,
             payload: dict | None = None, data_url: str | None = None,
             leaflet_url: str | None = LOCAL_LEAFLET_URL) -> folium.Map:
    """The part of the map that never changes with the date: tiles, districts, legend, credit."""
    west, south, east, north = districts.total_bounds
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False, zoom_snap=0.25)
    if tiles is not None:
        folium.TileLayer(tiles["tiles"], attr=tiles["attr"], name="Street map", control=False,
                         subdomains="abcd", max_zoom=19).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    if leaflet_url:
        use_leaflet_from(m, leaflet_url)
    if tiles is None:
        m.get_root().header.add_child(folium.Element(NO_BASEMAP_CSS), name="no_basemap_css")
    DistrictsLayer(ids, payload=payload, url=data_url).add_to(m)
    Legend().add_to(m)
    return m


@dataclass(frozen=True)
class DayData:
    """What the map needs for one day, computed once per data content and day."""

    day: dt.date
    codes: tuple[int, ...]
    changed: tuple[str, ...]
    changed_geojson: str | None
    front_geojson: str | None


def day_data(ds, timeline: Timeline, pairs: gpd.GeoDataFrame, day: dt.date) -> DayData:
    """State codes, changed districts and front line for ``day``."""
    changed = changed_ids(timeline, timeline.day_index(day))
    return DayData(day, tuple(int(c) for c in timeline.codes(day)), tuple(changed),
                   changed_geojson(ds.districts, changed), front_geojson(timeline.control_on(day), pairs))


def day_layers(ds, data: DayData, index: SourceIndex) -> list[folium.FeatureGroup]:
    """The feature groups for a day: district restyle, changes, front line, routes, checkpoints."""
    groups = [changed_layer(data.changed_geojson), front_layer(data.front_geojson),
              routes_layer(ds.routes, data.day, index), checkpoints_layer(ds.checkpoints, data.day, index)]
    DayStyle(data.day.isoformat(), data.codes).add_to(groups[0])
    return groups


def changed_ids(timeline: Timeline, i: int) -> list[str]:
    """Ids of the districts whose controller, holder or share differs from the day before."""
    if i == 0:
        return []
    before, after = timeline.control_on(timeline.days[i - 1]), timeline.control_on(timeline.days[i])
    return [str(d) for d in changes_between(before, after)["id"]]


def full_map(ds, timeline: Timeline, pairs: gpd.GeoDataFrame, day: dt.date, index: SourceIndex, *,
             payload: dict, tiles: dict[str, str] | None = None, leaflet_url: str | None = None) -> folium.Map:
    """Base and day layers in one folium map (for tests and for rendering to one HTML file)."""
    ids = [str(i) for i in timeline.district_ids]
    m = base_map(ds.districts, ids, tiles=tiles, payload=payload, leaflet_url=leaflet_url)
    for group in day_layers(ds, day_data(ds, timeline, pairs, day), index):
        group.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m

