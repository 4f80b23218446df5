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
from geo.escape import markdown_text

EDIT_PAGE = str(REPO / "pages" / "edit.py")

# As geojson.io saves it: a clockwise ring, styling properties, no aliases.
DRAWN = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {
                "id": "X0900",
                "name": "Drawn Quarter",
                "name_ar": "حي مرسوم",
                "geometry_source": "drawn in geojson.io",
                "stroke": "#555555",
                "fill": "#ff0000",
            },
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[37.13, 36.15], [37.13, 36.16], [37.14, 36.16], [37.14, 36.15], [37.13, 36.15]]],
            },
        }
    ],
}


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return write_synthetic(tmp_path_factory.mktemp("edit") / "data", 9)


PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def server(data, tmp_path_factory):
    secrets = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets.write_text(f'edit_password = "{PASSWORD}"\n', encoding="utf-8")
    yield from serve(data, "--enable-editing", options=("--secrets.files", str(secrets)))


def open_edit(page, url: str) -> None:
    """Reach the page through the app's navigation, as an editor does, and give the password. (Opening
    /edit directly makes Streamlit's front end probe /edit/_stcore/... first, which logs two 404s.)"""
    page.goto(url + "/?basemap=none")
    page.get_by_role("link", name="Edit the data").click()
    page.get_by_label("Editors' password").fill(PASSWORD)
    page.get_by_label("Editors' password").press("Enter")
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
    offline_page.get_by_text("look like projected metres", exact=False).wait_for(timeout=30000)
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
    page.get_by_text("add X0900 (Drawn Quarter)").wait_for(timeout=60000)
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


def admit(at: AppTest, password: str = PASSWORD) -> AppTest:
    at.secrets["edit_password"] = PASSWORD
    at.run()
    at.text_input(key="editor_password").input(password).run()
    return at


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    folder = shutil.copytree(write_synthetic(tmp_path / "src", 5), tmp_path / "data")
    monkeypatch.setenv("MAP_DATA", str(folder))
    monkeypatch.setenv("MAP_EDITING", "1")
    return folder


@pytest.fixture
def edit_app(folder):
    at = admit(AppTest.from_file(EDIT_PAGE, default_timeout=60))
    assert not at.exception
    assert any(s.value == "Add or change districts" for s in at.subheader)
    return at, folder


def test_events_save_writes_a_backup(edit_app):
    at, folder = edit_app
    original = (folder / "events.csv").read_bytes()
    next(b for b in at.button if b.label == "Validate and save events").click().run()
    assert any(markdown_text("Saved events.csv") in s.value for s in at.success), [e.value for e in at.error]
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


def save_events(at: AppTest) -> AppTest:
    return next(b for b in at.button if b.label == "Validate and save events").click().run()


def test_editing_is_off_unless_the_operator_turns_it_on(folder, monkeypatch):
    monkeypatch.delenv("MAP_EDITING")
    at = AppTest.from_file(EDIT_PAGE, default_timeout=60)
    at.secrets["edit_password"] = PASSWORD
    at.run()
    assert [e.value for e in at.error] == ["Editing is turned off on this server."]
    assert not at.text_input and not at.button and not at.get("data_editor")


def test_no_password_configured_means_no_editing(folder):
    at = AppTest.from_file(EDIT_PAGE, default_timeout=60).run()
    assert any("no password is set" in e.value for e in at.error)
    assert not at.text_input and not at.button


def test_wrong_password_is_refused_and_shows_nothing(folder):
    at = admit(AppTest.from_file(EDIT_PAGE, default_timeout=60), password="guess")
    assert [e.value for e in at.error] == ["Wrong password."]
    assert not at.button and not at.get("data_editor")
    assert str(folder) not in "".join(str(e) for e in at.main)


def test_page_never_shows_the_server_path(edit_app):
    at, folder = edit_app
    (folder / "events.csv").write_text("event_id\n", encoding="utf-8")  # a broken file: its problems are listed
    at.run()
    shown = "\n".join(str(getattr(e, "value", "")) for e in at.main)
    assert "events.csv" in shown and str(folder.parent) not in shown


@pytest.mark.parametrize(
    "case,text,fragment",
    [
        ("extra cell", "E9999,2016-11-20,S001,government,,alpha,day,x,extra\n", "row has 9 cells; the header has 8"),
        ("unclosed quote", 'E9999,2016-11-20,S001,government,,alpha,day,"x\n', "a quote opens a cell"),
        ("bare CR", "E9999,2016-11-20,S001,government,,alpha,day,x\rE9998\n", "bare carriage return"),
    ],
)
def test_broken_events_file_lists_problems_not_a_traceback(edit_app, case, text, fragment):
    at, folder = edit_app
    with (folder / "events.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.write(text)
    at.run()
    assert not at.exception
    assert any(fragment in c.value for c in at.code), [c.value for c in at.code]
    assert not any(b.label == "Validate and save events" for b in at.button)


def test_refused_save_says_why_in_one_line_and_leaves_no_temp_file(edit_app, monkeypatch):
    at, folder = edit_app
    before = (folder / "events.csv").read_bytes()
    (folder / "events.csv.bak").mkdir()  # the backup cannot be written over a folder
    save_events(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "\n" not in errors[0], errors
    # the exception's text is shown as written, never read as Markdown
    why = "events.csv was not saved: its backup events.csv.bak could not be written"
    assert errors[0].startswith("Not saved: " + markdown_text(why))
    assert (folder / "events.csv").read_bytes() == before
    assert not list(folder.glob(".*.tmp"))


def test_an_uploaded_file_name_is_shown_as_written_never_as_markdown(edit_app):
    at, _ = edit_app
    name = "[click me](https://example.org) **now** `x`.geojson"
    at.file_uploader(key="upload").set_value((name, b"\xff\xfe not utf-8", "application/geo+json")).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        markdown_text(name) + ": not UTF-8 text. Save the export as UTF-8 and upload it again."
    ]
