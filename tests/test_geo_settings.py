"""map.toml: read into Settings, every bad field a clear problem, defaults when the file is absent."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import TINY_EVENTS, write_data

from geo.load import check_dataset
from geo.settings import DEFAULT_COLOURS, read_settings

GOOD = """
title = { en = "Testville: who held each block", ar = "تستفيل" }
place = { en = "Testville" }
first = 2020-03-01
last = "2020-03-20"
languages = ["en", "ar"]
credit = { en = "Blocks: drawn by hand" }
yardstick = "b"

[[sides]]
id = "a"
label = { en = "Side A", ar = "الطرف أ" }
colour = "#112233"

[[sides]]
id = "b"
label = "Side B"
"""


def test_a_good_file_gives_every_field():
    s, problems = read_settings(GOOD, "data/map.toml")
    assert problems == []
    assert s.side_ids == ("a", "b") and s.colours == {"a": "#112233", "b": DEFAULT_COLOURS[1]}
    assert s.side("a").label("ar") == "الطرف أ" and s.side("b").label("ar") == "Side B"  # English when none
    assert (s.first, s.last) == (dt.date(2020, 3, 1), dt.date(2020, 3, 20))
    assert s.text("title", "ar") == "تستفيل" and s.text("credit", "ar") == "Blocks: drawn by hand"
    assert s.languages == ("en", "ar") and s.yardstick == "b" and s.slug == "testville"
    assert s.crs is None and s.area is None  # derived from the districts by geo.settings.resolve


# One row per bad input: (case, text appended to GOOD or replacing it, field, fragment of the message).
BAD = [
    ("not TOML", "title = [", None, "not valid TOML"),
    ("unknown side key", GOOD.replace('colour = "#112233"', 'color = "#112233"'), "sides[1].color", "unknown key"),
    ("bad colour", GOOD.replace("#112233", "red"), "sides[1].colour", "not a #RRGGBB colour"),
    ("side called unknown", GOOD.replace('id = "a"', 'id = "unknown"'), "sides[1].id", "is a state word"),
    ("side twice", GOOD.replace('id = "b"', 'id = "a"'), "sides[2].id", "is used twice"),
    ("side id with a space", GOOD.replace('id = "a"', 'id = "side a"'), "sides[1].id", "not a plain id"),
    (
        "pattern not drawn",
        GOOD.replace('colour = "#112233"', 'colour = "#112233"\npattern = "dots"'),
        "sides[1].pattern",
        "not one the map draws",
    ),
    ("last before first", GOOD.replace('last = "2020-03-20"', "last = 2020-02-01"), "last", "before 'first'"),
    ("not a day", GOOD.replace("first = 2020-03-01", 'first = "1 March"'), "first", "is not a day"),
    ("unknown language", GOOD.replace('["en", "ar"]', '["en", "fr"]'), "languages", "no words for"),
    ("CRS in degrees", 'crs = "EPSG:4326"\n' + GOOD, "crs", "not a projected CRS in metres"),
    ("CRS unknown", 'crs = "EPSG:999999"\n' + GOOD, "crs", "not a projected CRS"),
    ("area upside down", "area = [45.0, 34.0, 44.0, 33.0]\n" + GOOD, "area", "not a lon/lat box"),
    ("area too short", "area = [44.0, 33.0]\n" + GOOD, "area", "not a lon/lat box"),
    ("yardstick not a side", GOOD.replace('yardstick = "b"', 'yardstick = "c"'), "yardstick", "not one of the sides"),
    ("front of one side", 'front = ["a"]\n' + GOOD, "front", "two or more of the sides"),
    (
        "title not text",
        GOOD.replace('title = { en = "Testville: who held each block", ar = "تستفيل" }', "title = 3"),
        "title",
        "must be text",
    ),
    ("acled iso as text", 'acled = { iso = "760" }\n' + GOOD, "acled.iso", "not usable"),
]


@pytest.mark.parametrize("case,text,field,fragment", BAD, ids=[b[0] for b in BAD])
def test_each_bad_field_is_a_clear_problem(case, text, field, fragment):
    _, problems = read_settings(text, "data/map.toml")
    errors = [p for p in problems if fragment in p.message]
    assert errors, [str(p) for p in problems]
    p = errors[0]
    assert p.file == "data/map.toml" and p.field == field and p.hint  # what to do
    assert "map.toml" in str(p) and (field is None or field in str(p))


def test_a_bad_settings_file_stops_the_dataset_with_its_problem_not_a_traceback(tmp_path):
    folder = write_data(tmp_path / "data", settings=GOOD.replace("#112233", "#12345"))
    ds, problems = check_dataset(folder)
    assert ds is None
    assert any(p.file == "data/map.toml" and p.field == "sides[1].colour" and p.severity == "error" for p in problems)


def test_events_must_name_a_declared_side(tmp_path):
    folder = write_data(tmp_path / "data", settings=GOOD)  # sides a and b; the tiny events name government...
    ds, problems = check_dataset(folder)
    bad = [p for p in problems if p.field == "controller"]
    assert ds is None and bad and "unknown controller 'government'" in bad[0].message
    assert "a, b, contested" in bad[0].hint and "map.toml" in bad[0].hint


def test_without_a_settings_file_the_sides_span_crs_and_area_come_from_the_data(tmp_path):
    ds, problems = check_dataset(write_data(tmp_path / "data", settings=None))
    assert ds is not None, [str(p) for p in problems]
    s = ds.settings
    assert s.side_ids == ("government", "opposition", "sdf")  # in order of first use in events.csv
    assert list(s.colours.values()) == list(DEFAULT_COLOURS[:3])
    assert (s.first, s.last) == (dt.date(2016, 11, 15), dt.date(2016, 12, 1))  # first and last event
    assert s.crs == "EPSG:32637"  # the tiny squares' UTM zone
    x0, y0, x1, y1 = s.area
    assert x0 < 37.13 and y0 < 36.19 and x1 > 37.16 and y1 > 36.21


def test_an_overlay_outside_the_default_area_is_refused(tmp_path):
    folder = write_data(tmp_path / "data", settings=None)
    far = (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "C1", '
        '"name": "Far", "source": "alpha", "active_from": "2016-11-20", "active_to": "2016-11-22"}, '
        '"geometry": {"type": "Point", "coordinates": [39.5, 36.2]}}]}'
    )
    (folder / "checkpoints.geojson").write_text(far, encoding="utf-8")
    ds, problems = check_dataset(folder)
    out = [p for p in problems if "outside the map's area" in p.message]
    assert ds is None and out and out[0].file == "data/checkpoints.geojson" and out[0].field == "coordinates"


def test_an_event_years_outside_the_span_is_refused(tmp_path):
    events = TINY_EVENTS + "E99,2026-11-30,T1,government,,alpha,day,a typo'd year\n"
    ds, problems = check_dataset(write_data(tmp_path / "data", events=events))
    assert ds is None and any(p.field == "date" and "outside" in p.message for p in problems)
