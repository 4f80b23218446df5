"""Districts layer: group table from the timeline, payload, and the per-day restyle in a real page."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.load import load_dataset
from geo.spatial import adjacency
from geo.timeline import build_timeline
from layers.content import names_html, source_index
from layers.districts import DayStyle, district_payload, group_table


@pytest.fixture
def tiny(tiny_dir):
    ds = load_dataset(tiny_dir)
    return ds, build_timeline(ds.districts["id"], ds.events), source_index(ds.sources)


def group_of(tl, district: str, day: str) -> int:
    return int(tl.codes(day)[list(tl.district_ids).index(district)])


def test_group_table_holds_split_and_disputed_states(tiny):
    ds, tl, idx = tiny
    names = {r["id"]: names_html(r["name"], r["name_ar"]) for r in ds.districts.to_dict("records")}
    table = group_table(tl, names, idx)
    split = table[group_of(tl, "T2", "2016-11-22")]
    assert (split["k"], split["h"], split["r"], round(split["s"], 2), split["d"]) == (
        "contested", "government", "opposition", 0.33, False)
    disputed = table[group_of(tl, "T3", "2016-12-01")]
    assert disputed["k"] == "contested" and disputed["d"] is True
    assert "Beta report" in disputed["t"] and "Alpha report" in disputed["t"]
    assert group_of(tl, "T6", "2016-12-01") == -1


def test_payload_has_every_district_once(tiny):
    ds, tl, idx = tiny
    payload = district_payload(ds.districts, tl, idx)
    assert sorted(f["properties"]["id"] for f in payload["geojson"]["features"]) == list(tl.district_ids)
    assert len(payload["unknown"]) == len(payload["labels"]) == 6
    assert "No record" in payload["unknown"][5]


def test_day_style_sends_only_the_codes(tiny):
    _, tl, _ = tiny
    js = DayStyle("2016-12-01", tl.codes("2016-12-01")).js
    assert js.startswith('window.aleppo.show("2016-12-01", [') and len(js) < 200


def test_rendered_map_restyles_in_chromium(tiny, tmp_path, offline_page):
    """The whole folium page (inline data, packaged Leaflet) draws and colours the districts."""
    import xstatic.pkg.leaflet as xl

    from layers.page import full_map

    ds, tl, idx = tiny
    m = full_map(ds, tl, adjacency(ds.districts), dt.date(2016, 12, 1), idx,
                 payload=district_payload(ds.districts, tl, idx), leaflet_url=f"file://{xl.BASE_DIR}")
    path = tmp_path / "map.html"
    m.save(str(path))
    offline_page.goto(path.as_uri())
    offline_page.wait_for_function("() => window.aleppo && window.aleppo.paints > 0")
    fills = offline_page.eval_on_selector_all(".leaflet-districts-pane path",
                                              "ps => ps.map(p => p.getAttribute('fill'))")
    assert fills[0] == "#BB5566" and fills[3] == "#DDAA33" and fills[5] == "#BBBBBB"
    assert fills[2].startswith("url(#hatch-government-opposition")
    assert offline_page.errors == [] and offline_page.blocked == []
