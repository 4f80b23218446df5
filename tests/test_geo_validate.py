"""Validation: one row per bad input, with the message an editor sees; the CLI contract."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from conftest import DATA, REPO, TINY_EVENTS, TINY_SOURCES, add_column, tiny_features, write_data

from geo.districts import alias_index
from geo.files import DATA_FILES
from geo.load import check_dataset, load_dataset
from geo.problems import has_errors
from geo.settings import event_window
from geo.tables import read_evacuation, read_events, read_sources


def fc(features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features})


def with_feature(i: int, change) -> str:
    feats = tiny_features()
    change(feats[i])
    return fc(feats)


def set_geom(geom):
    return lambda f: f.__setitem__("geometry", geom)


def set_prop(key, value):
    return lambda f: f["properties"].__setitem__(key, value)


def del_prop(key):
    return lambda f: f["properties"].pop(key)


def ring(i=1):
    return copy.deepcopy(tiny_features()[i]["geometry"]["coordinates"][0])


GOOD = fc(tiny_features())

# (case, districts text, severity, message fragment, field, feature index)
DISTRICT_CASES = [
    ("truncated JSON", GOOD[:-40], "error", "JSON syntax error at line 1, column", None, None),
    ("trailing comma", GOOD[:-2] + ",]}", "error", "JSON syntax error", None, None),
    ("NaN", GOOD.replace("37.13,", "NaN,", 1), "error", "NaN", None, None),
    ("not a FeatureCollection", json.dumps({"type": "Topology"}), "error", "not a FeatureCollection", "type", None),
    ("bare Feature", json.dumps(tiny_features()[0]), "error", "top level is a Feature", "type", None),
    ("bare Geometry", json.dumps(tiny_features()[0]["geometry"]), "error", "top level is a Polygon", "type", None),
    ("empty collection", fc([]), "error", "has no features", "features", None),
    (
        "duplicate key",
        GOOD.replace('"name": "Middle"', '"name": "Middle", "name": "Again"'),
        "error",
        "appears more than once",
        "name",
        1,
    ),
    (
        "properties null",
        with_feature(2, lambda f: f.__setitem__("properties", None)),
        "error",
        "properties is null",
        "properties",
        2,
    ),
    ("missing id in first feature", with_feature(0, del_prop("id")), "error", "'id' is missing", "id", 0),
    (
        "id not string or number",
        with_feature(1, set_prop("id", ["T2"])),
        "error",
        "must be a string or an integer",
        "id",
        1,
    ),
    ("duplicate id", with_feature(1, set_prop("id", "T1")), "error", "duplicate id 'T1'", "id", 1),
    (
        "id with a Cyrillic letter",
        with_feature(1, set_prop("id", "\u04222")),
        "error",
        "id 'Т2' is not plain ASCII: 'Т' (U+0422 CYRILLIC CAPITAL LETTER TE) looks like 'T'",
        "id",
        1,
    ),
    ("missing name", with_feature(3, del_prop("name")), "error", "'name' (English) is missing", "name", 3),
    ("geometry null", with_feature(1, set_geom(None)), "error", "geometry is null", "geometry", 1),
    (
        "point not polygon",
        with_feature(1, set_geom({"type": "Point", "coordinates": [37.14, 36.2]})),
        "error",
        "geometry is a Point",
        "geometry",
        1,
    ),
    (
        "line not polygon",
        with_feature(1, set_geom({"type": "LineString", "coordinates": [[37.14, 36.2], [37.15, 36.2]]})),
        "error",
        "geometry is a LineString",
        "geometry",
        1,
    ),
    (
        "empty polygon",
        with_feature(1, set_geom({"type": "Polygon", "coordinates": []})),
        "error",
        "no coordinates",
        "geometry",
        1,
    ),
    (
        "swapped lon/lat",
        with_feature(1, set_geom({"type": "Polygon", "coordinates": [[[y, x] for x, y in ring()]]})),
        "error",
        "look swapped",
        "coordinates",
        1,
    ),
    (
        "projected metres (EPSG:3857)",
        with_feature(
            1, set_geom({"type": "Polygon", "coordinates": [[[x * 111319.49, y * 131000] for x, y in ring()]]})
        ),
        "error",
        "projected metres",
        "coordinates",
        1,
    ),
    (
        "outside Aleppo",
        with_feature(1, set_geom({"type": "Polygon", "coordinates": [[[x + 1.5, y] for x, y in ring()]]})),
        "error",
        "outside the map's area",
        "coordinates",
        1,
    ),
    (
        "unclosed ring",
        with_feature(1, set_geom({"type": "Polygon", "coordinates": [ring()[:-1]]})),
        "error",
        "is not closed",
        "geometry",
        1,
    ),
    (
        "too few points",
        with_feature(1, set_geom({"type": "Polygon", "coordinates": [[ring()[0], ring()[1], ring()[0]]]})),
        "error",
        "a ring needs at least 4",
        "geometry",
        1,
    ),
    (
        "bow-tie self-intersection",
        with_feature(
            1,
            set_geom(
                {
                    "type": "Polygon",
                    "coordinates": [[[37.14, 36.19], [37.15, 36.2], [37.15, 36.19], [37.14, 36.2], [37.14, 36.19]]],
                }
            ),
        ),
        "error",
        "Self-intersection",
        "geometry",
        1,
    ),
    (
        "hole outside shell",
        with_feature(
            1,
            set_geom(
                {
                    "type": "Polygon",
                    "coordinates": [
                        ring(),
                        [[37.20, 36.30], [37.21, 36.30], [37.21, 36.31], [37.20, 36.31], [37.20, 36.30]],
                    ],
                }
            ),
        ),
        "error",
        "Hole lies outside shell",
        "geometry",
        1,
    ),
    (
        "other crs",
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
                "features": tiny_features(),
            }
        ),
        "error",
        "only WGS84",
        "crs",
        None,
    ),
    (
        "aliases not a list",
        with_feature(1, set_prop("aliases", {"a": 1})),
        "error",
        "aliases must be a list",
        "aliases",
        1,
    ),
    ("null file", "null", "error", "top level is null", "type", None),
    (
        "FeatureCollection without features",
        json.dumps({"type": "FeatureCollection"}),
        "error",
        "'features' is missing or not a list",
        "features",
        None,
    ),
    ("array file", "[]", "error", "top level is a JSON array", "type", None),
    (
        "empty hole",
        with_feature(1, set_geom({"type": "Polygon", "coordinates": [ring(), []]})),
        "error",
        "hole 1 of polygon 0 is empty",
        "geometry",
        1,
    ),
    (
        "MultiPolygon part with an empty ring",
        with_feature(1, set_geom({"type": "MultiPolygon", "coordinates": [[ring()], [[]]]})),
        "error",
        "outer ring of polygon 1 is empty",
        "geometry",
        1,
    ),
    (
        "401-digit coordinate",
        GOOD.replace("37.13,", "9" * 401 + ",", 1),
        "error",
        "401 digits is too large",
        None,
        None,
    ),
    ("1e400 coordinate", GOOD.replace("37.13,", "1e400,", 1), "error", "too large to store", None, None),
    (
        "1e300 coordinate is not called projected metres",
        with_feature(
            1,
            set_geom(
                {
                    "type": "Polygon",
                    "coordinates": [[[x * 1e300 if i == 1 else x, y] for i, (x, y) in enumerate(ring())]],
                }
            ),
        ),
        "error",
        "far outside any map",
        "coordinates",
        1,
    ),
    (
        "deep nesting",
        with_feature(1, set_prop("note", "@")).replace('"@"', "[" * 1000 + "]" * 1000),
        "error",
        "nested 1004 levels deep",
        None,
        None,
    ),
    ("lone surrogate in a name", with_feature(1, set_prop("name", "Mid\ud800dle")), "error", "lone surrogate", None, 1),
    ("id with a line break", with_feature(1, set_prop("id", "T2\n")), "error", "contains whitespace", "id", 1),
    ("id with a NUL", with_feature(1, set_prop("id", "T\u00002")), "error", "control character U+0000", "id", 1),
    ("id differing only in case", with_feature(1, set_prop("id", "t1")), "error", "only in letter case", "id", 1),
]

WARNING_CASES = [
    ("BOM", "\ufeff" + GOOD, "byte-order mark", None, None),
    (
        "CRS84 crs member",
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
                "features": tiny_features(),
            }
        ),
        "dropped",
        "crs",
        None,
    ),
    (
        "clockwise outer ring",
        with_feature(1, set_geom({"type": "Polygon", "coordinates": [ring()[::-1]]})),
        "clockwise",
        "geometry",
        1,
    ),
    (
        "3D coordinates",
        with_feature(1, set_geom({"type": "Polygon", "coordinates": [[[x, y, 400.0] for x, y in ring()]]})),
        "Z (or M) value was dropped",
        "coordinates",
        1,
    ),
    (
        "15 decimals",
        with_feature(
            1,
            set_geom(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[x + 1.23456789012345e-9, y] for x, y in ring()[:-1]]
                        + [[ring()[0][0] + 1.23456789012345e-9, ring()[0][1]]]
                    ],
                }
            ),
        ),
        "more than 6 decimals",
        "coordinates",
        1,
    ),
    (
        "repeated vertices",
        with_feature(1, set_geom({"type": "Polygon", "coordinates": [[ring()[0], ring()[1], ring()[1], *ring()[2:]]]})),
        "repeated consecutive vertices",
        "coordinates",
        1,
    ),
    (
        "spike",
        with_feature(
            1,
            set_geom(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [ring()[0], ring()[1], [37.17, 36.195], [37.175, 36.1951], [37.17, 36.195], *ring()[2:]]
                    ],
                }
            ),
        ),
        "spike",
        "geometry",
        1,
    ),
    (
        "overlap",
        with_feature(
            1, set_geom({"type": "Polygon", "coordinates": [[[x - 0.002 if x == 37.14 else x, y] for x, y in ring()]]})
        ),
        "overlaps district T2 (Middle)",
        "geometry",
        0,
    ),
    (
        "gap between districts",
        with_feature(
            1, set_geom({"type": "Polygon", "coordinates": [[[x, 36.1995 if y == 36.2 else y] for x, y in ring()]]})
        ),
        "between districts T1, T2, T3, T5.",
        "geometry",
        None,
    ),
    ("duplicate name", with_feature(1, set_prop("name", "West")), "also used by feature 0", "name", 1),
    ("aliases as a string", with_feature(1, set_prop("aliases", "Mid; Centre")), "';'-separated", "aliases", 1),
    ("missing name_ar", with_feature(1, del_prop("name_ar")), "'name_ar' is missing", "name_ar", 1),
    (
        "hole wound counter-clockwise",
        with_feature(
            1,
            set_geom(
                {
                    "type": "Polygon",
                    "coordinates": [
                        ring(),
                        [[37.142, 36.192], [37.145, 36.192], [37.145, 36.195], [37.142, 36.195], [37.142, 36.192]],
                    ],
                }
            ),
        ),
        "hole 1 of polygon 0 wound counter-clockwise; rewound clockwise",
        "geometry",
        1,
    ),
]


def _find(problems, severity, fragment):
    hits = [p for p in problems if p.severity == severity and fragment in p.message]
    assert hits, f"no {severity} containing {fragment!r} in:\n" + "\n".join(map(str, problems))
    return hits[0]


@pytest.mark.parametrize("case,text,severity,fragment,field,index", DISTRICT_CASES, ids=[c[0] for c in DISTRICT_CASES])
def test_bad_districts_are_refused_with_a_clear_message(tmp_path, case, text, severity, fragment, field, index):
    ds, problems = check_dataset(write_data(tmp_path, districts_text=text))
    assert ds is None
    p = _find(problems, severity, fragment)
    assert p.file.endswith("districts.geojson") and p.field == field and p.index == index
    assert p.hint, "every error says what to do"


@pytest.mark.parametrize("case,text,fragment,field,index", WARNING_CASES, ids=[c[0] for c in WARNING_CASES])
def test_repairable_districts_load_with_a_warning(tmp_path, case, text, fragment, field, index):
    ds, problems = check_dataset(write_data(tmp_path, districts_text=text))
    assert ds is not None, "\n".join(map(str, problems))
    p = _find(problems, "warning", fragment)
    assert p.field == field and p.index == index


def test_repairs_are_applied():
    from geo.districts import read_districts

    text = with_feature(1, set_geom({"type": "Polygon", "coordinates": [[[x, y, 5.0] for x, y in ring()[::-1]]]}))
    gdf, _ = read_districts(text, "d.geojson")
    geom = gdf.set_index("id").loc["T2", "geometry"]
    assert geom.exterior.is_ccw and not geom.has_z


def test_self_intersection_repaired_when_area_is_kept():
    from geo.districts import read_districts

    # the ring touches itself at one point: make_valid keeps the same area, so it is repaired
    r = [[37.14, 36.19], [37.15, 36.19], [37.15, 36.2], [37.145, 36.19], [37.14, 36.2], [37.14, 36.19]]
    gdf, problems = read_districts(with_feature(1, set_geom({"type": "Polygon", "coordinates": [r]})), "d")
    assert gdf is not None and gdf.set_index("id").loc["T2", "geometry"].is_valid
    p = _find(problems, "warning", "invalid geometry repaired (Ring Self-intersection")
    assert (p.index, p.id, p.field) == (1, "T2", "geometry")


def test_extra_properties_are_kept(tmp_path):
    text = with_feature(1, lambda f: f["properties"].update({"fill": "#ff0000", "fid": 7}))
    ds, problems = check_dataset(write_data(tmp_path, districts_text=text))
    assert ds is not None
    assert ds.districts.set_index("id").loc["T2", "extra"] == {"fill": "#ff0000", "fid": 7}


def ev_with(line: str) -> str:
    return TINY_EVENTS + line + "\n"


EVENT_CASES = [
    ("impossible date", ev_with("E99,2016-11-31,T1,government,,alpha,day,x"), "2016-11-31 is not a day", "date"),
    ("malformed date", ev_with("E99,30/11/2016,T1,government,,alpha,day,x"), "not a date in YYYY-MM-DD", "date"),
    ("date out of range", ev_with("E99,2061-11-30,T1,government,,alpha,day,x"), "outside", "date"),
    ("unknown district", ev_with("E99,2016-11-30,T9,government,,alpha,day,x"), "unknown district 'T9'", "district"),
    (
        "district given by name",
        ev_with("E99,2016-11-30,Middle,government,,alpha,day,x"),
        "unknown district 'Middle'",
        "district",
    ),
    (
        "unknown controller",
        ev_with("E99,2016-11-30,T1,regime,,alpha,day,x"),
        "unknown controller 'regime'",
        "controller",
    ),
    ("share above 1", ev_with("E99,2016-11-30,T1,government,1.5,alpha,day,x"), "outside 0–1", "share"),
    ("share negative", ev_with("E99,2016-11-30,T1,government,-0.2,alpha,day,x"), "outside 0–1", "share"),
    ("share not a number", ev_with("E99,2016-11-30,T1,government,most,alpha,day,x"), "not a number", "share"),
    ("unknown source", ev_with("E99,2016-11-30,T1,government,,gamma,day,x"), "unknown source 'gamma'", "source"),
    ("duplicate event_id", ev_with("E1,2016-11-30,T1,government,,alpha,day,x"), "duplicate event_id 'E1'", "event_id"),
    (
        "shares over 1 from one source",
        ev_with("E98,2016-11-30,T1,government,0.7,alpha,day,x\nE99,2016-11-30,T1,opposition,0.6,alpha,day,x"),
        "adding up to 1.30",
        "share",
    ),
    ("missing column", TINY_EVENTS.replace(",share", "", 1), "missing column(s): share", "share"),
]


@pytest.mark.parametrize("case,events,fragment,field", EVENT_CASES, ids=[c[0] for c in EVENT_CASES])
def test_bad_events_are_refused(tmp_path, case, events, fragment, field):
    ds, problems = check_dataset(write_data(tmp_path, events=events))
    assert ds is None
    p = _find(problems, "error", fragment)
    assert p.file.endswith("events.csv") and p.field == field and p.where == "line"
    if case not in ("missing column", "shares over 1 from one source"):
        assert p.index == events.rstrip("\n").count("\n") + 1  # the appended row's line


def test_event_suggests_the_id_for_a_name(tmp_path):
    _, problems = check_dataset(write_data(tmp_path, events=ev_with("E99,2016-11-30,Alias 2,government,,alpha,day,x")))
    assert "Use the district id T2" in _find(problems, "error", "unknown district").hint


def test_source_url_must_be_http(tmp_path):
    sources = TINY_SOURCES + "gamma,G,G,,javascript:alert(1),x\n"
    _, problems = check_dataset(write_data(tmp_path, sources=sources))
    assert _find(problems, "error", "not an http(s) address").field == "url"


def run(*args, cwd=REPO):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_validate_cli_ok_and_error_exit_codes(tmp_path, tiny_dir):
    ok = run("-m", "geo.validate", str(tiny_dir))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 error(s)" in ok.stderr
    bad = write_data(tmp_path / "bad", districts_text=with_feature(1, set_prop("id", "T1")))
    res = run("-m", "geo.validate", str(bad))
    assert res.returncode == 1
    line = [ln for ln in res.stdout.splitlines() if "duplicate id" in ln][0]
    assert "districts.geojson: feature 1 (id T1), field 'id': error:" in line
    assert "Traceback" not in res.stdout + res.stderr


def test_validate_cli_missing_folder():
    res = run("-m", "geo.validate", "/nonexistent/folder")
    assert res.returncode == 1 and "data folder not found" in res.stdout


KIND_HEADER = "event_id,date,district,controller,share,source,cites,precision,place,claimant,claim_kind,note\n"
KIND_SOURCES = TINY_SOURCES + "editor,Editors' inference,us,,,inference from geography and the sources' later reports\n"


@pytest.mark.parametrize(
    "row,severity,fragment,field",
    [
        ("E1,2016-11-15,T1,government,,alpha,,day,,,rumour,x", "error", "unknown claim_kind 'rumour'", "claim_kind"),
        ("E1,2016-11-15,T1,government,,alpha,gamma,day,,,,x", "error", "cites unknown source(s) 'gamma'", "cites"),
        ("E1,2016-11-15,T1,government,,alpha,alpha,day,,,,x", "warning", "repeats the row's own source", "cites"),
        ("E1,2016-11-15,T1,government,,alpha,,inferred,,,,x", "warning", "cites 'alpha', a document", "source"),
        ("E1,2016-11-15,T1,government,,editor,beta,inferred,,,,x", "warning", "cites 'beta', a document", "cites"),
        (
            "E1,2016-11-15,T1,government,,editor,,day,,,,x",
            "warning",
            "the editors' inference) with precision 'day'",
            "precision",
        ),
    ],
    ids=[
        "unknown kind",
        "unknown citation",
        "cites itself",
        "inference cites a document",
        "inference cites a document in cites",
        "editor row not inferred",
    ],
)
def test_claim_kind_citations_and_basis_are_checked(tmp_path, row, severity, fragment, field):
    ds, problems = check_dataset(write_data(tmp_path, events=KIND_HEADER + row + "\n", sources=KIND_SOURCES))
    p = _find(problems, severity, fragment)
    assert (p.field, p.index, p.id) == (field, 2, "E1") and p.hint
    assert (ds is None) == (severity == "error")


def test_one_statement_with_several_citations_loads(tmp_path):
    rows = "E1,2016-11-15,T1,government,,alpha,beta,approximate,,An Envoy,citywide-announced,x\n"
    ds, problems = check_dataset(write_data(tmp_path, events=KIND_HEADER + rows, sources=KIND_SOURCES))
    assert ds is not None and not [p for p in problems if p.where == "line"]
    row = ds.events.iloc[0]
    assert (row["cites"], row["claim_kind"]) == ("beta", "citywide-announced")


def test_event_suggests_the_id_for_a_name_spelt_another_way(tmp_path):
    _, problems = check_dataset(
        write_data(tmp_path, events=ev_with("E99,2016-11-30,al-Alias-2,government,,alpha,day,x"))
    )
    assert "Use the district id T2" in _find(problems, "error", "unknown district").hint


TINY_EVACUATION = """figure_id,date,source,measure,value,value_high,basis,note
F1,2016-12-16,alpha,people_evacuated,8000,,cumulative,x
F2,2016-12-18,beta,people_evacuated,1500,3000,estimate,x
"""
TINY_ROUTES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {
                "id": "R1",
                "name": "Road",
                "source": "alpha",
                "status": [
                    {"from": "2016-11-20", "to": "2016-12-14", "status": "proposed"},
                    {"from": "2016-12-15", "to": "2016-12-22", "status": "in use"},
                ],
            },
            "geometry": {"type": "LineString", "coordinates": [[37.14, 36.195], [37.16, 36.205]]},
        }
    ],
}
TINY_CHECKPOINTS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {
                "id": "C1",
                "name": "Checkpoint",
                "source": "alpha",
                "active_from": "2016-12-15",
                "active_to": "2016-12-22",
            },
            "geometry": {"type": "Point", "coordinates": [37.15, 36.2]},
        }
    ],
}


def routes_with(change) -> str:
    doc = copy.deepcopy(TINY_ROUTES)
    change(doc["features"][0]["properties"])
    return json.dumps(doc)


def lines(text: str, n: int, new: str) -> str:
    """``text`` with line ``n`` (1-based) replaced by ``new``."""
    rows = text.split("\n")
    rows[n - 1] = new
    return "\n".join(rows)


def evac_with(line: str) -> str:
    return TINY_EVACUATION + line + "\n"


# (case, file, text, message fragment, field, line or feature index): every other input class.
FILE_CASES = [
    (
        "stray quote swallowing rows",
        "events.csv",
        lines(TINY_EVENTS, 6, 'E5,2016-11-15,T5,opposition,,alpha,inferred,"start'),
        "a quote opens a cell at column 45 and is not closed on this line",
        None,
        6,
    ),
    (
        "events cut inside a quoted note",
        "events.csv",
        TINY_EVENTS + 'E99,2016-11-30,T1,government,,alpha,day,"a note, cut',
        "the file ends inside a quoted field on line 12: it may be cut short",
        None,
        12,
    ),
    (
        "events cut inside a row",
        "events.csv",
        TINY_EVENTS + "E99,2016-11-30,T1,gov",
        "line 12, the last, does not end with a line break: the file may be cut short here",
        None,
        12,
    ),
    (
        "events cut between CR and LF",
        "events.csv",
        TINY_EVENTS.replace("\n", "\r\n")[:-1],
        "line 11, the last, does not end with a line break",
        None,
        11,
    ),
    (
        "stray quote inside a cell not quoted",
        "events.csv",
        ev_with('E99,2016-11-30,T1,government,,alpha,day,ab"c'),
        'a stray quote (") at column 43, inside a cell that is not quoted',
        None,
        12,
    ),
    (
        "quote after spaces before a cell",
        "events.csv",
        ev_with('E99,2016-11-30,T1,government,,alpha,day, "note"'),
        'a stray quote (") at column 42',
        None,
        12,
    ),
    (
        "event_id with a Cyrillic letter",
        "events.csv",
        ev_with("\u041599,2016-11-30,T1,government,,alpha,day,x"),
        "event_id 'Е99' is not plain ASCII: 'Е' (U+0415 CYRILLIC CAPITAL LETTER IE) looks like 'E'",
        "event_id",
        12,
    ),
    (
        "event_id with a zero-width space",
        "events.csv",
        ev_with("E9\u200b9,2016-11-30,T1,government,,alpha,day,x"),
        "U+200B ZERO WIDTH SPACE is invisible",
        "event_id",
        12,
    ),
    (
        "event_id with a quote",
        "events.csv",
        ev_with('"E""99",2016-11-30,T1,government,,alpha,day,x'),
        "event_id 'E\"99' contains '\"', which an id may not hold",
        "event_id",
        12,
    ),
    (
        "district by a look-alike",
        "events.csv",
        ev_with("E99,2016-11-30,\u04221,government,,alpha,day,x"),
        "unknown district 'Т1': it differs from 'T1' only by look-alike characters "
        "('Т' (U+0422 CYRILLIC CAPITAL LETTER TE) looks like 'T')",
        "district",
        12,
    ),
    (
        "district with a combining mark",
        "events.csv",
        ev_with("E99,2016-11-30,T\u03011,government,,alpha,day,x"),
        "U+0301 COMBINING ACUTE ACCENT is a mark on the letter before it",
        "district",
        12,
    ),
    (
        "controller by a look-alike",
        "events.csv",
        ev_with("E99,2016-11-30,T1,g\u043evernment,,alpha,day,x"),
        "unknown controller 'gоvernment': it differs from 'government' only by look-alike characters",
        "controller",
        12,
    ),
    (
        "source by a look-alike",
        "events.csv",
        ev_with("E99,2016-11-30,T1,government,,\u0430lpha,day,x"),
        "unknown source 'аlpha': it differs from 'alpha' only by look-alike characters "
        "('а' (U+0430 CYRILLIC SMALL LETTER A) looks like 'a')",
        "source",
        12,
    ),
    (
        "cites by a look-alike",
        "events.csv",
        add_column(ev_with("E99,2016-11-30,T1,government,,alpha,day,x"), "cites", {"E99": "b\u0435ta"}),
        "cites unknown source(s) 'bеta': 'bеta' differs from 'beta' only by look-alike characters",
        "cites",
        12,
    ),
    (
        "source key with a Greek letter",
        "sources.csv",
        TINY_SOURCES + "\u0393amma,G,G,,,x\n",
        "key 'Γamma' is not plain ASCII: 'Γ' (U+0393 GREEK CAPITAL LETTER GAMMA)",
        "key",
        4,
    ),
    (
        "sources cut inside a quoted title",
        "sources.csv",
        TINY_SOURCES + 'gamma,"The G',
        "the file ends inside a quoted field on line 4: it may be cut short",
        None,
        4,
    ),
    (
        "evacuation figure_id with a Greek letter",
        "evacuation.csv",
        evac_with("F\u039f9,2016-12-18,alpha,people_evacuated,5,,daily,x"),
        "'Ο' (U+039F GREEK CAPITAL LETTER OMICRON) looks like 'O'",
        "figure_id",
        4,
    ),
    (
        "evacuation source by a look-alike",
        "evacuation.csv",
        evac_with("F9,2016-12-18,bet\u0430,people_evacuated,5,,daily,x"),
        "unknown source 'betа': it differs from 'beta' only by look-alike characters",
        "source",
        4,
    ),
    (
        "evacuation cut inside a row",
        "evacuation.csv",
        TINY_EVACUATION + "F9,2016-12-18,alpha,people_evacuated,50",
        "line 4, the last, does not end with a line break",
        None,
        4,
    ),
    (
        "route id with a Cyrillic letter",
        "routes.geojson",
        routes_with(lambda p: p.update({"id": "\u04201"})),
        "'Р' (U+0420 CYRILLIC CAPITAL LETTER ER) looks like 'P'",
        "id",
        0,
    ),
    (
        "route source by a look-alike",
        "routes.geojson",
        routes_with(lambda p: p.update({"source": "beta;\u0430lpha"})),
        "unknown source 'аlpha': it differs from 'alpha' only by look-alike characters",
        "source",
        0,
    ),
    (
        "checkpoint id with a slash",
        "checkpoints.geojson",
        json.dumps(TINY_CHECKPOINTS).replace('"C1"', '"C/1"'),
        "id 'C/1' contains '/', which an id may not hold",
        "id",
        0,
    ),
    (
        "cell holding a line break",
        "events.csv",
        ev_with('E99,2016-11-30,T1,government,,alpha,day,"two\nlines"'),
        "a quote opens a cell",
        None,
        12,
    ),
    (
        "text after a closing quote",
        "events.csv",
        ev_with('E99,2016-11-30,T1,government,,alpha,day,"a"b'),
        "text after its closing quote",
        None,
        12,
    ),
    (
        "row with an extra cell",
        "events.csv",
        ev_with("E99,2016-11-30,T1,government,,alpha,day,x,y"),
        "row has 9 cells; the header has 8",
        None,
        12,
    ),
    (
        "row with a cell missing",
        "events.csv",
        ev_with("E99,2016-11-30,T1,government,,alpha,day"),
        "row has 7 cells; the header has 8",
        None,
        12,
    ),
    (
        "duplicated header",
        "events.csv",
        lines(TINY_EVENTS, 1, "event_id,date,district,controller,share,source,precision,note,controller"),
        "appears twice",
        "controller",
        1,
    ),
    (
        "blank header cell",
        "events.csv",
        lines(TINY_EVENTS, 1, "event_id,date,district,controller,share,source,precision,note,"),
        "header cell 9 is blank",
        None,
        1,
    ),
    (
        "bare CR in the header",
        "events.csv",
        TINY_EVENTS.replace("event_id,date", "event_id\r,date", 1),
        "bare carriage return",
        None,
        1,
    ),
    (
        "unknown precision",
        "events.csv",
        ev_with("E99,2016-11-30,T1,government,,alpha,dai,x"),
        "unknown precision 'dai'",
        "precision",
        12,
    ),
    (
        "empty event_id",
        "events.csv",
        ev_with(",2016-11-30,T1,government,,alpha,day,x"),
        "event_id is empty",
        "event_id",
        12,
    ),
    (
        "event_id with a space",
        "events.csv",
        ev_with(" E99,2016-11-30,T1,government,,alpha,day,x"),
        "contains whitespace",
        "event_id",
        12,
    ),
    (
        "event_id with a NUL",
        "events.csv",
        ev_with("E\x0099,2016-11-30,T1,government,,alpha,day,x"),
        "control character U+0000",
        "event_id",
        12,
    ),
    (
        "event_id differing only in case",
        "events.csv",
        ev_with("e1,2016-11-30,T1,government,,alpha,day,x"),
        "'e1' differs from 'E1' (line 2) only in letter case",
        "event_id",
        12,
    ),
    (
        "share with a decimal comma",
        "events.csv",
        ev_with('E99,2016-11-30,T1,government,"0,5",alpha,day,x'),
        "ambiguous",
        "share",
        12,
    ),
    ("share nan", "events.csv", ev_with("E99,2016-11-30,T1,government,nan,alpha,day,x"), "not a number", "share", 12),
    (
        "source date not a day",
        "sources.csv",
        TINY_SOURCES + "gamma,G,G,2016-02-30,,x\n",
        "2016-02-30 is not a day: February 2016 has 29 days",
        "date",
        4,
    ),
    (
        "source key differing only in case",
        "sources.csv",
        TINY_SOURCES + "Alpha,A,A,,,x\n",
        "only in letter case",
        "key",
        4,
    ),
    (
        "evacuation value 2,5",
        "evacuation.csv",
        evac_with('F9,2016-12-18,alpha,people_evacuated,"2,5",,daily,x'),
        "'2,5' is ambiguous",
        "value",
        4,
    ),
    (
        "evacuation value 1.500",
        "evacuation.csv",
        evac_with("F9,2016-12-18,alpha,people_evacuated,1.500,,daily,x"),
        "'1.500' is ambiguous",
        "value",
        4,
    ),
    (
        "evacuation value 1e400",
        "evacuation.csv",
        evac_with("F9,2016-12-18,alpha,people_evacuated,1e400,,daily,x"),
        "not a number written in plain digits",
        "value",
        4,
    ),
    (
        "evacuation value nan",
        "evacuation.csv",
        evac_with("F9,2016-12-18,alpha,people_evacuated,nan,,daily,x"),
        "not a number",
        "value",
        4,
    ),
    (
        "evacuation value negative",
        "evacuation.csv",
        evac_with("F9,2016-12-18,alpha,people_evacuated,-500,,daily,x"),
        "outside 0..",
        "value",
        4,
    ),
    (
        "evacuation basis unknown",
        "evacuation.csv",
        evac_with("F9,2016-12-18,alpha,people_evacuated,5,,weekly,x"),
        "unknown basis 'weekly'",
        "basis",
        4,
    ),
    (
        "evacuation figure_id empty",
        "evacuation.csv",
        evac_with(",2016-12-18,alpha,people_evacuated,5,,daily,x"),
        "figure_id is empty",
        "figure_id",
        4,
    ),
    ("routes file null", "routes.geojson", "null", "top level is null", "type", None),
    ("checkpoints file null", "checkpoints.geojson", "null", "top level is null", "type", None),
    (
        "route status span reversed",
        "routes.geojson",
        routes_with(lambda p: p["status"][1].update({"from": "2016-12-22", "to": "2016-12-15"})),
        "status span 2 ends (2016-12-15) before it starts",
        "status",
        0,
    ),
    (
        "route status spans out of order",
        "routes.geojson",
        routes_with(lambda p: p["status"].reverse()),
        "not in date order",
        "status",
        0,
    ),
    (
        "route date not a day",
        "routes.geojson",
        routes_with(lambda p: p.update({"active_from": "2016-02-30"})),
        "2016-02-30 is not a day",
        "active_from",
        0,
    ),
    (
        "route id with a space",
        "routes.geojson",
        routes_with(lambda p: p.update({"id": "R 1"})),
        "contains whitespace",
        "id",
        0,
    ),
    (
        "checkpoint name not text",
        "checkpoints.geojson",
        json.dumps(TINY_CHECKPOINTS).replace('"Checkpoint"', "[1]"),
        "'name' must be text",
        "name",
        0,
    ),
]


def write_all(folder, **texts):
    """The tiny data set with routes, checkpoints and evacuation figures; ``texts`` replace files by name."""
    write_data(folder)
    files = {
        "routes.geojson": json.dumps(TINY_ROUTES),
        "checkpoints.geojson": json.dumps(TINY_CHECKPOINTS),
        "evacuation.csv": TINY_EVACUATION,
    }
    files.update({name.replace("_", "."): text for name, text in texts.items()})
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8", newline="")
    return folder


def test_tiny_data_with_every_layer_is_valid(tmp_path):
    ds, problems = check_dataset(write_all(tmp_path))
    assert ds is not None and len(ds.routes) == 1 and len(ds.checkpoints) == 1 and len(ds.evacuation) == 2, problems


@pytest.mark.parametrize("case,file,text,fragment,field,index", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_bad_files_are_refused_with_a_clear_message(tmp_path, case, file, text, fragment, field, index):
    ds, problems = check_dataset(write_all(tmp_path, **{file.replace(".", "_"): text}))
    assert ds is None
    p = _find(problems, "error", fragment)
    assert p.file == f"{tmp_path.name}/{file}" and p.field == field and p.index == index, p
    assert p.hint, "every error says what to do"
    assert not any("could not be checked" in q.message for q in problems), "a reader raised"


def test_a_reader_that_raises_becomes_a_named_problem(tmp_path, monkeypatch):
    import geo.load

    def broken(text, file, **_):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(geo.load, "read_evacuation", broken)
    ds, problems = check_dataset(write_all(tmp_path))
    assert ds is None
    p = _find(problems, "error", "could not be checked")
    assert p.file == f"{tmp_path.name}/evacuation.csv" and "RecursionError" in p.message and p.hint


def test_problems_never_name_the_server_path(tmp_path):
    _, problems = check_dataset(write_all(tmp_path, events_csv=ev_with("E99,2016-11-30,T9,government,,alpha,day,x")))
    assert problems and not any(str(tmp_path.parent) in str(p) for p in problems)


def test_validate_cli_never_shows_a_traceback_on_crash_inputs(tmp_path):
    folder = write_all(
        tmp_path / "data",
        districts_geojson="[" * 5000 + "]" * 5000,
        events_csv=TINY_EVENTS.replace("event_id,date", "event_id\r,date", 1),
    )
    res = run("-m", "geo.validate", str(folder))
    assert res.returncode == 1 and "Traceback" not in res.stdout + res.stderr
    assert "nested 5000 levels deep" in res.stdout


@pytest.mark.parametrize("case,text,severity,fragment,field,index", DISTRICT_CASES, ids=[c[0] for c in DISTRICT_CASES])
def test_bad_exports_are_refused_by_the_import(case, text, severity, fragment, field, index):
    """The same table through ``geo import`` and the edit page's upload: nothing merged, the same message."""
    from geo.importer import plan_import

    area = load_dataset(DATA).settings.area  # the bundled map.toml's box, as `geo import` reads it
    merged, changes, problems = plan_import(GOOD, text, "export.geojson", "districts.geojson", bbox=area)
    assert merged is None and changes == []
    p = _find(problems, severity, fragment)
    assert p.file == "export.geojson" and p.field == field and p.index == index


@pytest.mark.parametrize("case,text,severity,fragment,field,index", DISTRICT_CASES, ids=[c[0] for c in DISTRICT_CASES])
def test_import_into_a_broken_current_file_never_raises(case, text, severity, fragment, field, index):
    from geo.importer import plan_import

    merged, _, problems = plan_import(text, fc(tiny_features()[:1]), "export.geojson", "districts.geojson")
    assert merged is None or "features" in json.loads(merged)
    assert merged is not None or any(p.severity == "error" for p in problems)
    assert all(p.hint for p in problems if p.severity == "error"), "every error says what to do"


def test_every_data_file_may_start_with_a_byte_order_mark(tmp_path):
    """Excel and Notepad save UTF-8 with a byte-order mark: each file reads as it does without one."""
    plain = load_dataset(DATA)
    folder = shutil.copytree(DATA, tmp_path / "data")
    for name in DATA_FILES:
        (folder / name).write_bytes(b"\xef\xbb\xbf" + (DATA / name).read_bytes())
    ds, problems = check_dataset(folder)
    assert ds is not None and not has_errors(problems), [str(p) for p in problems]
    assert ds.settings == plain.settings
    for table in ("events", "sources", "evacuation"):
        pd.testing.assert_frame_equal(getattr(ds, table), getattr(plain, table))
    for layer in ("districts", "routes", "checkpoints", "landmarks"):
        assert getattr(ds, layer).drop(columns="geometry").equals(getattr(plain, layer).drop(columns="geometry"))


def _records(frame: pd.DataFrame) -> list[dict]:
    """A frame's rows as plain values (blanks as None), whatever dtypes pandas inferred for it."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _cuts(text: str) -> list[int]:
    """Where the file is cut: inside every row (in its middle, and just inside each quoted cell), and
    at the end of every fifth line and of the last two."""
    ends = [i + 1 for i, c in enumerate(text) if c == "\n"]
    starts = [0, *ends[:-1]]
    middles = [(a + b) // 2 for a, b in zip(starts, ends, strict=True)]
    quoted = [i + 3 for i, c in enumerate(text) if c == '"' and text[i - 1] == ","]
    return sorted({*ends[::5], *ends[-2:], *middles, *quoted} - {0})


@pytest.mark.parametrize("name", ["events.csv", "sources.csv", "evacuation.csv"])
def test_every_cut_of_a_bundled_csv_is_an_error_or_the_rows_before_it(name):
    ds = load_dataset(DATA)
    keys = set(ds.sources["key"])
    read = {
        "events.csv": lambda t: read_events(
            t,
            name,
            district_ids=set(ds.districts["id"]),
            source_keys=keys,
            names=alias_index(ds.districts),
            sides=ds.settings.side_ids,
            window=event_window(ds.settings),
        ),
        "sources.csv": lambda t: read_sources(t, name),
        "evacuation.csv": lambda t: read_evacuation(t, name, source_keys=keys),
    }[name]
    text = (DATA / name).read_text(encoding="utf-8")
    whole = read(text)[0]
    cuts = _cuts(text)
    inside = 0
    for at in cuts:
        frame, problems = read(text[:at])
        if text[at - 1] != "\n":  # inside a row
            inside += 1
            assert has_errors(problems), (at, text[:at][-60:])
            continue
        line = text.count("\n", 0, at) + 1  # the first line left out
        assert not has_errors(problems), [str(p) for p in problems]
        assert _records(frame) == _records(whole[whole["line"] < line]), at
    assert inside >= text.count("\n") - 1  # every row cut at least once
