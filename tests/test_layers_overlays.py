"""Routes by status with direction, checkpoints while active, changed outlines, front line, legend."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import folium
import pytest
from shapely.geometry import LineString

from bench.synthetic import write_synthetic
from geo.load import load_dataset
from geo.spatial import adjacency
from geo.timeline import build_timeline
from layers.checkpoints import checkpoints_layer
from layers.content import source_index
from layers.legend import legend_html
from layers.page import changed_ids, day_data, day_layers
from layers.routes import arrowhead, routes_layer


@pytest.fixture(scope="module")
def syn(tmp_path_factory):
    ds = load_dataset(write_synthetic(Path(tmp_path_factory.mktemp("syn")), 16))
    return ds, build_timeline(ds.districts["id"], ds.events), source_index(ds.sources)


def render(group: folium.FeatureGroup) -> str:
    m = folium.Map(tiles=None)
    group.add_to(m)
    return m.get_root().render()


@pytest.mark.parametrize(("day", "status"), [(dt.date(2016, 11, 20), "proposed"),
                                             (dt.date(2016, 12, 16), "in-use")])
def test_route_styled_by_status_of_the_day(syn, day, status):
    ds, _, idx = syn
    html = render(routes_layer(ds.routes, day, idx))
    assert f"route-{status}" in html and "Ramouse road" in html


def test_route_not_drawn_before_it_was_proposed(syn):
    ds, _, idx = syn
    assert "Ramouse" not in render(routes_layer(ds.routes, dt.date(2016, 10, 1), idx))


def test_arrowhead_points_along_the_line():
    tip, left, right = arrowhead(LineString([(0, 0), (1, 0)]), 1.0)
    assert tip == (0, 1) and left[1] < 1 and right[1] < 1 and left[0] == -right[0]


def test_checkpoints_only_while_active(syn):
    ds, _, idx = syn
    assert render(checkpoints_layer(ds.checkpoints, dt.date(2016, 12, 16), idx)).count("L.circleMarker") == 2
    assert "L.circleMarker" not in render(checkpoints_layer(ds.checkpoints, dt.date(2016, 12, 1), idx))


def test_changed_ids_and_day_layers(syn):
    ds, tl, idx = syn
    day = next(d for d in tl.days[1:] if changed_ids(tl, tl.day_index(d)))
    changed = changed_ids(tl, tl.day_index(day))
    groups = day_layers(ds, day_data(ds, tl, adjacency(ds.districts), day.date()), idx)
    assert [g.layer_name for g in groups] == ["Changed hands this day", "Front line", "Routes", "Checkpoints"]
    html = render(groups[0])
    assert all(c in html for c in changed) and "window.aleppo.show" in html
    assert json.dumps(day.date().isoformat()) in html
    assert changed_ids(tl, 0) == []


def test_legend_names_every_state_and_overlay():
    html = legend_html()
    for text in ("Government and allies", "Opposition", "SDF/YPG", "Contested", "Disputed", "Unknown",
                 "Changed hands", "Front line", "Route: proposed", "Route: in use", "Checkpoint"):
        assert text in html
