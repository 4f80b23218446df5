"""The strings the app's inline map component runs: base map once, day layers swapped."""

from __future__ import annotations

import datetime as dt

import folium
import pytest

from geo.load import load_dataset
from geo.spatial import adjacency
from geo.timeline import build_timeline
from layers import live_map
from layers.content import source_index
from layers.live_map import MAP_ELEMENT, day_script, map_parts
from layers.page import base_map, day_data, day_layers

LEAFLET = "/app/static/leaflet-1.9.3"


@pytest.fixture
def tiny(tiny_dir):
    ds = load_dataset(tiny_dir)
    tl = build_timeline(ds.districts["id"], ds.events)
    return ds, tl, source_index(ds.sources), adjacency(ds.districts)


def make_base(ds, tl) -> folium.Map:
    ids = [str(i) for i in tl.district_ids]
    return base_map(ds.districts, ids, tiles=None, data_url="/app/static/cache/d.json", leaflet_url=LEAFLET)


def test_base_map_is_given_its_element_and_loads_only_the_packaged_leaflet(tiny):
    ds, tl, _, _ = tiny
    parts = map_parts(make_base(ds, tl))
    assert parts.script.count(MAP_ELEMENT) == 1 and '"map_div"' not in parts.script
    assert "#map_div" in parts.header  # the map's size rule, renamed like the script
    assert parts.js_links == (f"{LEAFLET}/leaflet.js",) and parts.css_links == (f"{LEAFLET}/leaflet.css",)
    assert "window.aleppo" in parts.script and "/app/static/cache/d.json" in parts.script
    assert "<script src" not in parts.header  # scripts are loaded by the component, in order


def test_day_script_adds_every_group_and_a_control_without_touching_the_base(tiny):
    ds, tl, idx, pairs = tiny
    m = make_base(ds, tl)
    children = list(m._children)
    day = dt.date(2016, 12, 1)
    groups = day_layers(ds, day_data(ds, tl, pairs, day), idx)
    js = day_script(groups, folium.LayerControl(collapsed=True))
    for i in range(len(groups)):
        assert f"window.feature_group.push(feature_group_feature_group_{i});" in js
    assert "window.layer_control = layer_control_layer_control;" in js
    assert 'window.aleppo.show("2016-12-01", [' in js
    assert "Front line" in js and "Checkpoints" in js
    assert list(m._children) == children  # rendered on a scratch map: the cached base is untouched


def test_day_scripts_differ_by_day_and_are_stable(tiny):
    ds, tl, idx, pairs = tiny

    def script(day):
        return day_script(day_layers(ds, day_data(ds, tl, pairs, day), idx), folium.LayerControl())

    a, b = script(dt.date(2016, 11, 20)), script(dt.date(2016, 12, 1))
    assert a != b and script(dt.date(2016, 11, 20)) == a  # same day, same script: nothing to swap


def test_a_changed_folium_script_shape_is_a_clear_error(tiny, monkeypatch):
    ds, tl, _, _ = tiny
    monkeypatch.setattr(live_map, "_get_map_string", lambda m: "var map_div = L.map(elsewhere);")
    with pytest.raises(RuntimeError, match="pinned folium/streamlit-folium"):
        map_parts(make_base(ds, tl))


def test_component_module_has_a_default_export():
    js = live_map.component_js()
    assert "export default function" in js and "feature_group" in js
