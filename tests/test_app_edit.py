"""The editing page: upload a drawn district, preview, apply, see it on the map; events saved safely."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO, frame_with
from streamlit.testing.v1 import AppTest
from test_app_browser import fills, open_map, serve

from bench.synthetic import write_synthetic

EDIT_PAGE = str(REPO / "pages" / "edit.py")

# As geojson.io saves it: a clockwise ring, styling properties, no aliases.
DRAWN = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
    "id": "X0900", "name": "Drawn Quarter", "name_ar": "حي مرسوم", "geometry_source": "drawn in geojson.io",
    "stroke": "#555555", "fill": "#ff0000"}, "geometry": {"type": "Polygon", "coordinates": [[
        [37.30, 36.30], [37.30, 36.31], [37.31, 36.31], [37.31, 36.30], [37.30, 36.30]]]}}]}


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return write_synthetic(tmp_path_factory.mktemp("edit") / "data", 9)


@pytest.fixture(scope="module")
def server(data):
    yield from serve(data)


def open_edit(page, url: str) -> None:
    """Reach the page through the app's navigation, as a reader does. (Opening /edit directly makes
    Streamlit's front end probe /edit/_stcore/... first, which logs two 404s.)"""
    page.goto(url + "/?basemap=none")
    page.get_by_role("link", name="edit").click()
    page.get_by_text("Add or change districts").wait_for(timeout=60000)


@pytest.mark.browser
def test_bad_export_is_refused_and_nothing_written(server, data, offline_page, tmp_path):
    before = (data / "districts.geojson").read_bytes()
    bad = json.loads(json.dumps(DRAWN))
    ring = bad["features"][0]["geometry"]["coordinates"][0]
    bad["features"][0]["geometry"]["coordinates"][0] = [[x * 111319.49, y * 131000] for x, y in ring]
    path = tmp_path / "qgis-3857.geojson"
    path.write_text(json.dumps(bad), encoding="utf-8")
    open_edit(offline_page, server)
    offline_page.locator('input[type="file"]').set_input_files(str(path))
    offline_page.get_by_text("Nothing can be applied").wait_for(timeout=30000)
    assert "projected metres" in offline_page.inner_text("body")
    assert offline_page.get_by_role("button", name="Apply these changes").count() == 0
    assert (data / "districts.geojson").read_bytes() == before


@pytest.mark.browser
def test_drawn_district_is_previewed_applied_and_drawn_on_the_map(server, data, offline_page, tmp_path):
    path = tmp_path / "map.geojson"
    path.write_text(json.dumps(DRAWN), encoding="utf-8")
    page = offline_page
    n_before = len(fills(open_map(page, server + "/?date=2016-11-20&basemap=none")))
    open_edit(page, server)
    page.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_text("add X0900 (Drawn Quarter)").wait_for(timeout=30000)
    page.get_by_text("rewound counter-clockwise", exact=False).wait_for(timeout=30000)  # the rewind is reported
    preview = frame_with(page, ".leaflet-interactive")
    assert preview.locator(".leaflet-interactive").count() >= n_before + 1
    page.get_by_role("button", name="Apply these changes").click()
    page.get_by_text("Saved districts.geojson").wait_for(timeout=30000)
    saved = json.loads((data / "districts.geojson").read_text(encoding="utf-8"))
    added = saved["features"][-1]
    assert added["properties"]["id"] == "X0900" and added["properties"]["fill"] == "#ff0000"
    assert (data / "districts.geojson.bak").exists()
    frame = open_map(page, server + "/?date=2016-11-20&basemap=none")
    assert len(fills(frame)) == n_before + 1
    assert page.errors == [] and page.blocked == []


@pytest.fixture
def edit_app(tmp_path, monkeypatch):
    folder = shutil.copytree(write_synthetic(tmp_path / "src", 5), tmp_path / "data")
    monkeypatch.setenv("ALEPPO_DATA", str(folder))
    at = AppTest.from_file(EDIT_PAGE, default_timeout=60).run()
    assert not at.exception
    return at, folder


def test_events_save_writes_a_backup(edit_app):
    at, folder = edit_app
    original = (folder / "events.csv").read_bytes()
    next(b for b in at.button if b.label == "Validate and save events").click().run()
    assert any("Saved events.csv" in s.value for s in at.success), [e.value for e in at.error]
    assert (folder / "events.csv.bak").read_bytes() == original


def test_events_save_is_refused_when_the_file_changed_on_disk(edit_app):
    at, folder = edit_app
    (folder / "events.csv").write_text((folder / "events.csv").read_text() + "\n", encoding="utf-8")
    changed = (folder / "events.csv").read_bytes()
    next(b for b in at.button if b.label == "Validate and save events").click().run()
    assert any("changed on disk" in e.value for e in at.error)
    assert (folder / "events.csv").read_bytes() == changed and not (folder / "events.csv.bak").exists()


def test_broken_file_lists_problems(edit_app):
    at, folder = edit_app
    (folder / "districts.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    at.run()
    assert not at.exception
    assert any("error(s)" in e.value for e in at.error)
