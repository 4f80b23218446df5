"""Page logic with Streamlit's AppTest: data loading, ?date=, stepping, play, broken files."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.vocabulary import label

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import TINY_EVENTS, TINY_SOURCES  # noqa: E402


@pytest.fixture
def app(tiny_dir, monkeypatch):
    monkeypatch.setenv("MAP_DATA", str(tiny_dir))
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=60)


def day_of(at: AppTest) -> dt.date:
    return at.session_state["day"]


def test_opens_on_first_day_and_follows_url(app):
    app.run()
    assert not app.exception
    assert day_of(app) == dt.date(2016, 11, 15)
    assert app.query_params["date"] == "2016-11-15"
    assert "Area held, 15 Nov 2016" in [h.value for h in app.subheader]
    assert not app.warning


def test_date_query_opens_that_day(app):
    app.query_params["date"] = "2016-12-01"
    app.run()
    assert day_of(app) == dt.date(2016, 12, 1)
    assert "Events on 01 Dec 2016" in [h.value for h in app.subheader]
    events = next(h.value for h in app.get("html") if "day-events" in h.value)
    assert "Alpha report" in events and "Beta report" in events


@pytest.mark.parametrize(
    ("raw", "notice"),
    [
        ("2030-01-01", "is outside the record"),
        ("yesterday", "is not a date in YYYY-MM-DD form"),
        ("2016-02-30", "is not a date in YYYY-MM-DD form"),
    ],
)
def test_a_bad_date_in_the_link_says_so(tiny_dir, monkeypatch, raw, notice):
    monkeypatch.setenv("MAP_DATA", str(tiny_dir))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["date"] = raw
    at.run()
    assert day_of(at) == dt.date(2016, 11, 15)
    assert any(notice in w.value and raw in w.value for w in at.warning)
    assert at.query_params["date"] == "2016-11-15"


def test_areas_table_counts_the_split_district(app):
    app.query_params["date"] = "2016-11-20"
    app.run()
    table = app.table[0].value
    km2 = table.filter(like="km² (sourced").iloc[:, 0].map(lambda text: float(text.split("…")[-1]))  # with inferred
    square = km2[label("unknown")]  # a generic state: its label needs no settings  # T6 has no record: one whole square
    assert square > 0
    assert km2["Government and allies"] == pytest.approx(1.33 * square, rel=0.05)  # T1 + 1/3 of T2 (one decimal)
    assert km2["Opposition"] == pytest.approx(2.67 * square, rel=0.05)  # T3, T5, 2/3 of T2
    share = table.filter(like="% of the opposition").iloc[:, 0]
    assert share["Opposition"] == "89 %" and share["Government and allies"] == "11 %"  # 2.67 and 0.33 of 3
    assert "No district is disputed" in next(h.value for h in app.get("html") if "disputed-band" in h.value)


def rerun_with_event(app: AppTest, tiny_dir: Path, day: str, row: str) -> None:
    """Open ``day``, then append ``row`` to events.csv on disk and run the page again."""
    app.query_params["date"] = day
    app.run()
    (tiny_dir / "events.csv").write_text(TINY_EVENTS + row + "\n", encoding="utf-8")
    app.run()


def test_broken_file_keeps_last_valid_data_and_lists_problems(app, tiny_dir):
    rerun_with_event(app, tiny_dir, "2016-12-01", "E11,2016-12-02,T9,martians,,alpha,day,bad")
    assert "last valid data" in app.error[0].value
    listed = app.code[0].value
    assert "T9" in listed and "martians" in listed, "every problem is listed"
    assert day_of(app) == dt.date(2016, 12, 1)
    assert any("Events on 01 Dec 2016" == h.value for h in app.subheader)


def test_edited_file_shows_on_reload(app, tiny_dir):
    rerun_with_event(app, tiny_dir, "2016-12-05", "E11,2016-12-05,T6,government,,alpha,day,new")
    events = next(h.value for h in app.get("html") if "day-events" in h.value)
    assert "North East" in events and not app.error


def test_basemap_choice_follows_the_url(app):
    app.query_params["basemap"] = "streets"
    app.run()
    assert app.radio(key="basemap").value == "streets"
    assert app.query_params["basemap"] == "streets"
    app.radio(key="basemap").set_value("none").run()
    assert "basemap" not in app.query_params


# Inputs that once ended in a traceback in the app; each now lists its problem over the last valid data.
CRASH_INPUTS = [
    ("districts.geojson", "null", "top level is null"),
    (
        "districts.geojson",
        '{"type": "FeatureCollection", "features": [' + "[" * 3000 + "]" * 3000 + "]}",
        "levels deep",
    ),
    (
        "districts.geojson",
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": '
        '"T1", "name": "\\ud800"}, "geometry": {"type": "Polygon", "coordinates": [[[37.13, 36.19], [37.14, 36.19], '
        "[37.14, 36.2], [37.13, 36.19]], []]}}]}",
        "lone surrogate",
    ),
    (
        "districts.geojson",
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": '
        '"T1", "name": "W"}, "geometry": {"type": "Point", "coordinates": [' + "9" * 401 + ", 36.2]}}]}",
        "401 digits",
    ),
    ("events.csv", TINY_EVENTS.replace("event_id,date", "event_id\r,date", 1), "bare carriage return"),
    ("events.csv", TINY_EVENTS + "E11,2016-12-02,T1,government,,alpha,day,x,extra\n", "row has 9 cells"),
    ("events.csv", TINY_EVENTS.replace("inferred,start", 'inferred,"start'), "a quote opens a cell"),
    ("sources.csv", TINY_SOURCES + "Alpha,A,A,2016-02-30,,x\n", "only in letter case"),
]


@pytest.mark.parametrize("file,text,fragment", CRASH_INPUTS, ids=[f"{f}: {x}" for f, _, x in CRASH_INPUTS])
def test_crash_inputs_keep_the_last_valid_data(app, tiny_dir, file, text, fragment):
    app.query_params["date"] = "2016-12-01"
    app.run()
    (tiny_dir / file).write_text(text, encoding="utf-8", newline="")
    app.run()
    assert not app.exception
    assert "last valid data" in app.error[0].value
    assert fragment in app.code[0].value
    assert str(tiny_dir.parent) not in app.code[0].value, "readers never see the server's folders"
    assert any("Events on 01 Dec 2016" == h.value for h in app.subheader)


def test_cite_this_view_and_about_come_from_the_record(app):
    app.query_params["date"] = "2016-11-20"
    app.run()
    assert not app.exception
    cite = next(c.value for c in app.code if "Data version" in c.value)
    assert "Map for 20 November 2016" in cite and "Accessed" in cite  # (no address in a test run: no link)
    assert any("How a day's state is decided" in m.value for m in app.markdown)


@pytest.mark.parametrize(
    "choice",
    [
        "The day's states (CSV)",
        "The whole record (Frictionless data package, zip)",
        "Control changes, ACLED-shaped (CSV)",
        "Each district's states as intervals (GeoParquet)",
    ],
)
def test_get_the_data_offers_each_file(app, choice):
    app.query_params["date"] = "2016-11-20"
    app.run()
    app.selectbox(key="data_choice").set_value(choice).run()
    assert not app.exception
    buttons = [b for b in app.get("download_button") if choice in str(b.proto.label)]
    assert len(buttons) == 1
