"""Downloads of the record: the day's states, state intervals, the data package, ACLED-shaped changes.

Answers are those of the tiny hand-made data in conftest.py (T2 taken by thirds, T3 disputed on
1 Dec, T5 taken by SDF/YPG on 28 Nov, T6 never recorded).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile

import duckdb
import frictionless
import geopandas as gpd
import pandas as pd
import pytest
import shapely
from conftest import DATA, REPO, TINY_EVENTS, TINY_MAP, TINY_SOURCES, add_column, tiny_features, write_data

from geo.acled import GOVERNMENT_REGAINS, NON_STATE_OVERTAKES, NON_VIOLENT, acled_csv, actors, sub_event_type
from geo.compare import compare_csv
from geo.datapackage import package_zip, write_datapackage
from geo.exports import (
    csv_text,
    day_csv,
    day_geojson,
    day_geojson_text,
    intervals_csv,
    intervals_frame,
    intervals_parquet,
)
from geo.load import check_dataset, load_dataset
from geo.states import day_states, state_intervals
from geo.timeline import timeline_for
from layers.payload import build_payload


@pytest.fixture
def tiny(tiny_dir):
    ds = load_dataset(tiny_dir)
    return ds, timeline_for(ds)


@pytest.fixture(scope="module")
def real():
    ds = load_dataset(DATA)
    return ds, timeline_for(ds)


def test_day_states_carry_state_word_basis_and_claims(tiny):
    ds, tl = tiny
    t = day_states(ds, tl, "2016-11-21").set_index("id")
    assert list(t["state"]) == ["government", "split", "opposition", "sdf", "opposition", "unknown"]
    assert (t.at["T2", "share"], t.at["T2", "holder"], t.at["T2", "rest"]) == (0.33, "government", "opposition")
    assert t.at["T2", "since"] == pd.Timestamp("2016-11-20") and pd.isna(t.at["T6", "since"])
    assert (t.at["T2", "basis"], t.at["T5", "basis"], t.at["T6", "basis"]) == ("sourced", "inferred", None)
    t = day_states(ds, tl, "2016-12-01").set_index("id")
    assert t.at["T3", "state"] == "disputed" and t.at["T3", "sources"] == ("alpha", "beta")
    assert [(c["event_id"], c["source"], c["controller"]) for c in t.at["T3", "claims"]] == [
        ("E8", "alpha", "government"),
        ("E9", "beta", "opposition"),
    ]


def test_basis_from_the_timeline_wins_when_it_has_one(tiny, monkeypatch):
    ds, tl = tiny
    state = tl.control_on("2016-11-21").copy()
    state["basis"] = ["inferred", "inferred", "sourced", "sourced", "sourced", None]
    monkeypatch.setattr(tl, "control_on", lambda day: state)
    t = day_states(ds, tl, "2016-11-21").set_index("id")
    assert (t.at["T2", "basis"], t.at["T5", "basis"]) == ("inferred", "sourced")


def test_day_csv_reads_back_with_pandas(tiny):
    ds, tl = tiny
    table = pd.read_csv(io.StringIO(day_csv(ds, tl, "2016-12-01")), keep_default_na=False).set_index("id")
    assert len(table) == 6 and set(table["date"]) == {"2016-12-01"}
    assert table.at["T3", "state"] == "disputed" and table.at["T3", "sources"] == "alpha; beta"
    assert table.at["T3", "claims"] == "E8 alpha: government (day); E9 beta: opposition (day)"
    assert table.at["T2", "state"] == "government" and table.at["T2", "since"] == "2016-11-25"
    assert table.at["T6", "state"] == "unknown" and table.at["T6", "basis"] == ""
    assert table.at["T1", "name_ar"] == "حي 1"


def test_day_geojson_is_a_feature_collection_with_claims(tiny):
    ds, tl = tiny
    fc = day_geojson(ds, tl, "2016-11-21")
    assert fc["type"] == "FeatureCollection" and fc["date"] == "2016-11-21" and fc["data_version"] == ds.digest
    props = {f["id"]: f["properties"] for f in fc["features"]}
    assert props["T2"]["state"] == "split" and props["T2"]["share"] == 0.33 and props["T2"]["since"] == "2016-11-20"
    (claim,) = props["T2"]["claims"]
    assert claim.pop("claim_kind") in (None, "district")  # blank means a district-level report
    assert [claim] == [
        {
            "event_id": "E6",
            "date": "2016-11-20",
            "controller": "government",
            "share": 0.33,
            "source": "alpha",
            "cites": [],
            "claimant": None,
            "precision": "day",
            "place": None,
            "note": "a third",
        }
    ]
    assert props["T6"]["state"] == "unknown" and props["T6"]["since"] is None and props["T6"]["claims"] == []
    frame = gpd.read_file(io.BytesIO(day_geojson_text(ds, tl, "2016-11-21").encode()))
    assert len(frame) == 6 and frame.crs.to_epsg() == 4326
    assert frame.geometry.iloc[0].equals_exact(ds.districts.geometry.iloc[0], 1e-9)


def test_intervals_are_half_open_and_read_back(tiny, tmp_path):
    ds, tl = tiny
    iv = state_intervals(ds, tl)
    t2 = iv[iv["district"] == "T2"]
    assert list(t2["state"]) == ["opposition", "split", "government"]
    assert [str(d.date()) for d in t2["valid_from"]] == ["2016-11-15", "2016-11-20", "2016-11-25"]
    assert [None if pd.isna(d) else str(d.date()) for d in t2["valid_to"]] == ["2016-11-20", "2016-11-25", None]
    assert "T6" not in set(iv["district"])
    csv = pd.read_csv(io.StringIO(intervals_csv(ds, tl)), keep_default_na=False)
    assert len(csv) == len(iv) and csv.loc[csv["district"] == "T3", "sources"].tolist() == ["alpha", "alpha; beta"]


def test_intervals_geoparquet_reads_with_geopandas_and_duckdb(tiny, tmp_path):
    ds, tl = tiny
    path = tmp_path / "intervals.parquet"
    path.write_bytes(intervals_parquet(ds, tl))
    frame = gpd.read_parquet(path)
    assert frame.crs.to_epsg() == 4326 and len(frame) == len(intervals_frame(ds, tl))
    assert frame.loc[frame["district"] == "T5", "state"].tolist() == ["opposition", "sdf"]
    assert list(frame.loc[frame["district"] == "T3", "event_ids"].iloc[1]) == ["E8", "E9"]
    con = duckdb.connect()
    rows = con.execute(
        "SELECT district, state, share, basis, sources, ST_AsText(geometry) FROM read_parquet(?) "
        "WHERE valid_from <= DATE '2016-11-22' AND (valid_to IS NULL OR DATE '2016-11-22' < valid_to) "
        "ORDER BY district",
        [str(path)],
    ).fetchall()
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        ("T1", "government", 1.0, "sourced", ["alpha"]),
        ("T2", "split", 0.33, "sourced", ["alpha"]),
        ("T3", "opposition", 1.0, "sourced", ["alpha"]),
        ("T4", "sdf", 1.0, "sourced", ["alpha"]),
        ("T5", "opposition", 1.0, "inferred", ["alpha"]),
    ]
    assert shapely.from_wkt(rows[0][5]).equals_exact(ds.districts.geometry.iloc[0], 1e-9)


def test_acled_rows_are_the_claims_that_move_a_district(tiny):
    ds, tl = tiny
    table = pd.read_csv(io.StringIO(acled_csv(ds, tl)), keep_default_na=False)
    assert list(table["event_id_cnty"]) == ["ALEPPO2016-E6", "ALEPPO2016-E7", "ALEPPO2016-E10", "ALEPPO2016-E8"]
    assert list(table["event_date"]) == ["2016-11-20", "2016-11-25", "2016-11-28", "2016-12-01"]
    assert list(table["sub_event_type"]) == [
        GOVERNMENT_REGAINS,
        GOVERNMENT_REGAINS,
        NON_STATE_OVERTAKES,
        GOVERNMENT_REGAINS,
    ]
    assert list(table["actor1"]) == [
        "Government and allies",
        "Government and allies",
        "SDF/YPG",
        "Government and allies",
    ]
    assert set(table["actor2"]) == {"Opposition"} and list(table["source"]) == ["alpha", "alpha", "beta", "alpha"]
    assert set(table["time_precision"]) == {1} and set(table["geo_precision"]) == {1}
    assert list(table["location"]) == ["Aleppo - Middle", "Aleppo - Middle", "Aleppo - North Middle", "Aleppo - East"]
    x0, y0 = 37.14, 36.19  # T2's square: 37.14-37.15 E, 36.19-36.20 N
    assert (x0 < table.loc[0, "longitude"] < x0 + 0.01) and (y0 < table.loc[0, "latitude"] < y0 + 0.01)
    assert "about 33% of Middle" in table.loc[0, "notes"] and "[alpha]" in table.loc[0, "notes"]
    assert "beta puts it with the opposition" in table.loc[3, "notes"]
    assert table["fatalities"].eq("").all()


def test_acled_precision_codes_follow_our_precision(tiny_dir):
    events = TINY_EVENTS.replace(
        "E6,2016-11-20,T2,government,0.33,alpha,day", "E6,2016-11-20,T2,government,0.33,alpha,approximate"
    ).replace("E10,2016-11-28,T5,sdf,,beta,day", "E10,2016-11-28,T5,sdf,,beta,inferred")
    ds = load_dataset(write_data(tiny_dir.parent / "prec", events=events))
    table = pd.read_csv(io.StringIO(acled_csv(ds, timeline_for(ds)))).set_index("event_id_cnty")
    codes = {k: (table.at[k, "time_precision"], table.at[k, "geo_precision"]) for k in table.index}
    assert codes == {
        "ALEPPO2016-E6": (2, 2),
        "ALEPPO2016-E7": (1, 1),
        "ALEPPO2016-E10": (2, 3),
        "ALEPPO2016-E8": (1, 1),
    }


@pytest.mark.parametrize(
    ("gains", "note", "expected"),
    [
        ("government", "army took the district", GOVERNMENT_REGAINS),
        ("opposition", "rebel counter-attack", NON_STATE_OVERTAKES),
        ("sdf", "Kurdish forces advanced", NON_STATE_OVERTAKES),
        ("government", "army announced full control once the last fighters had left", NON_VIOLENT),
        ("government", "SOHR said the last evacuees had gone", NON_VIOLENT),
    ],
)
def test_acled_sub_event_types(gains, note, expected):
    settings = load_dataset(DATA).settings  # map.toml codes the government as ACLED's state forces
    assert sub_event_type(actors(settings)[gains][1], note) == expected


def test_acled_on_the_real_record_loads_and_keeps_rival_claims(real):
    ds, tl = real
    table = pd.read_csv(io.StringIO(acled_csv(ds, tl)))
    keys = {k for text in table["source"] for k in text.split("; ")}
    assert table["event_id_cnty"].is_unique and keys <= set(ds.sources["key"])
    assert set(table["sub_event_type"]) == {GOVERNMENT_REGAINS, NON_STATE_OVERTAKES, NON_VIOLENT}
    churkin = table[table["notes"].str.contains("reporting Vitaly Churkin") & table["event_date"].eq("2016-12-13")]
    assert {k for text in churkin["source"] for k in text.split("; ")} == {"zerohedge", "wikipedia"}
    assert churkin["notes"].str.contains("with the opposition").all()


def test_data_package_validates_with_frictionless(tiny, tmp_path):
    ds, _ = tiny
    path = write_datapackage(ds, tmp_path / "pkg", attribution="Boundaries: test squares.")
    report = frictionless.validate(str(path))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    meta = json.loads(path.read_text(encoding="utf-8"))
    assert [r["name"] for r in meta["resources"]] == ["districts", "sources", "events", "event_cites"]
    assert meta["data_version"] == ds.digest and (tmp_path / "pkg" / "ATTRIBUTION.md").exists()
    events = pd.read_csv(tmp_path / "pkg" / "events.csv", keep_default_na=False)
    assert list(events["event_id"])[:2] == ["E1", "E2"] and events.loc[5, "share"] == "0.33"


def test_data_package_with_a_broken_foreign_key_fails(tiny, tmp_path):
    ds, _ = tiny
    path = write_datapackage(ds, tmp_path / "pkg")
    events = tmp_path / "pkg" / "events.csv"
    events.write_text(
        events.read_text(encoding="utf-8").replace(",T3,government,", ",T9,government,"), encoding="utf-8"
    )
    report = frictionless.validate(str(path))
    assert not report.valid
    errors = report.flatten(["type", "note"])
    assert errors and all(kind == "foreign-key" for kind, _ in errors) and "T9" in errors[0][1]


def test_data_package_of_the_real_record_with_every_layer(real, tmp_path):
    ds, _ = real
    zipped = write_datapackage(ds, tmp_path / "aleppo.zip")
    with zipfile.ZipFile(zipped) as zf:
        assert zf.namelist()[0] == "datapackage.json"
        zf.extractall(tmp_path / "unzipped")
    report = frictionless.validate(str(tmp_path / "unzipped" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    links = pd.read_csv(tmp_path / "unzipped" / "route_sources.csv")
    assert sorted(links.loc[links["route"] == "R3", "source"]) == ["alaff-p8", "wikipedia"]
    districts = pd.read_csv(tmp_path / "unzipped" / "districts.csv", keep_default_na=False)
    assert len(districts) == len(ds.districts) and districts["wkt"].str.startswith(("POLYGON", "MULTIPOLYGON")).all()


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "geo", "export", *args], capture_output=True, text=True, cwd=REPO, timeout=120
    )


def test_cli_exports(tiny_dir, tmp_path):
    res = run_cli("--what", "acled", "--out", str(tmp_path / "a.csv"), "--data", str(tiny_dir))
    assert res.returncode == 0, res.stderr
    assert len(pd.read_csv(tmp_path / "a.csv")) == 4
    res = run_cli(
        "--what", "day", "--date", "2016-12-01", "--out", str(tmp_path / "d.geojson"), "--data", str(tiny_dir)
    )
    assert res.returncode == 0 and json.loads((tmp_path / "d.geojson").read_text())["date"] == "2016-12-01"
    res = run_cli("--what", "package", "--out", str(tmp_path / "pkg.zip"), "--data", str(tiny_dir))
    assert res.returncode == 0 and frictionless.validate(str(tmp_path / "pkg.zip")).valid
    res = run_cli(
        "--what",
        "compare",
        "--date",
        "2016-11-15",
        "--to",
        "2016-11-29",
        "--out",
        str(tmp_path / "c.csv"),
        "--data",
        str(tiny_dir),
    )
    assert res.returncode == 0 and list(pd.read_csv(tmp_path / "c.csv")["event_id"]) == ["E6", "E7", "E10"]


def test_cli_writes_the_texts(tiny_dir, tmp_path):
    res = run_cli(
        "--what",
        "text",
        "--date",
        "2016-12-01",
        "--lang",
        "ar",
        "--out",
        str(tmp_path / "d.txt"),
        "--data",
        str(tiny_dir),
    )
    assert res.returncode == 0, res.stderr
    text = (tmp_path / "d.txt").read_text(encoding="utf-8")
    assert text.startswith("خريطة أحياء حلب في 1 كانون الأول 2016") and "الحي | الحالة" in text
    res = run_cli("--what", "about", "--out", str(tmp_path / "about.txt"), "--data", str(tiny_dir))
    assert res.returncode == 0 and "Key: beta." in (tmp_path / "about.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--what", "day", "--out", "x.csv"), "--date is required"),
        (("--what", "day", "--date", "2016-11-14", "--out", "x.csv"), "outside the record"),
        (("--what", "intervals", "--out", "x.txt"), "must end in .csv or .parquet"),
        (("--what", "compare", "--date", "2016-12-01", "--to", "2016-11-20", "--out", "x.csv"), "is before"),
    ],
)
def test_cli_export_errors_exit_2(tiny_dir, tmp_path, args, fragment):
    res = run_cli(*args[:-1], str(tmp_path / args[-1]), "--data", str(tiny_dir))
    assert res.returncode == 2 and fragment in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / args[-1]).exists()


RELAYED_SOURCES = TINY_SOURCES + "editor,Editors' inference,the editors,,,inference from the sources' later reports\n"
RELAYED_EVENTS = add_column(TINY_EVENTS, "cites", {"E7": "beta"}).replace(
    "E5,2016-11-15,T5,opposition,,alpha,inferred,start", "E5,2016-11-15,T5,opposition,,editor,inferred,start"
)


@pytest.fixture
def relayed(tiny_dir):
    ds = load_dataset(write_data(tiny_dir.parent / "relayed", events=RELAYED_EVENTS, sources=RELAYED_SOURCES))
    return ds, timeline_for(ds)


def test_relaying_sources_and_the_editors_key_reach_every_export(relayed, tmp_path):
    ds, tl = relayed
    table = pd.read_csv(io.StringIO(acled_csv(ds, tl)), keep_default_na=False).set_index("event_id_cnty")
    assert table.at["ALEPPO2016-E7", "source"] == "alpha; beta"
    assert "according to Alpha and Beta [alpha; beta]" in table.at["ALEPPO2016-E7", "notes"]
    iv = state_intervals(ds, tl)
    assert iv.loc[iv["district"] == "T2", "sources"].tolist()[-1] == ("alpha", "beta")
    assert iv.loc[iv["district"] == "T5", "basis"].tolist() == ["inferred", "sourced"]
    path = write_datapackage(ds, tmp_path / "pkg")
    assert frictionless.validate(str(path)).valid
    links = pd.read_csv(tmp_path / "pkg" / "event_cites.csv")
    assert links.values.tolist() == [["E7", "beta"]]
    links_file = tmp_path / "pkg" / "event_cites.csv"
    links_file.write_text("event_id,source\nE7,gamma\n", encoding="utf-8")
    errors = frictionless.validate(str(path)).flatten(["type", "note"])
    assert [kind for kind, _ in errors] == ["foreign-key"] and "gamma" in errors[0][1]


def test_intervals_agree_with_the_day_states_on_every_day(real):
    ds, tl = real
    iv = state_intervals(ds, tl)
    for day in tl.days:
        held = iv[(iv["valid_from"] <= day) & (iv["valid_to"].isna() | (day < iv["valid_to"]))]
        assert held["district"].is_unique
        states = day_states(ds, tl, day).set_index("id")
        got = held.set_index("district")[["state", "share", "basis"]]
        want = states.loc[states["state"].ne("unknown"), ["state", "share", "basis"]]
        pd.testing.assert_frame_equal(got.sort_index(), want.sort_index(), check_names=False)


#: Text cells a spreadsheet would run as formulas (OWASP's CSV injection list).
FORMULAS = ['=HYPERLINK("http://x")', "+1", "-1+1", "@SUM(A1)"]
#: The tiny squares moved west of Greenwich (lon -0.50 .. -0.47), so that coordinates are negative.
WEST = -37.63


def _west(geom: dict) -> dict:
    return {"type": "Polygon", "coordinates": [[[round(x + WEST, 6), y] for x, y in geom["coordinates"][0]]]}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The tiny data west of Greenwich with a formula in every kind of text an export writes."""
    feats = tiny_features()
    for f, formula in zip(feats, FORMULAS * 2, strict=False):
        f["properties"].update(name=formula, name_ar=formula)
        f["geometry"] = _west(f["geometry"])
    events = TINY_EVENTS.replace(",day,claim\n", f',day,"{FORMULAS[0].replace(chr(34), 2 * chr(34))}"\n')
    events = events.replace(",day,counter-claim\n", f",day,{FORMULAS[3]}\n")
    events = add_column(events, "claimant", {"E8": FORMULAS[1], "E9": FORMULAS[2]})
    events = add_column(events, "place", {"E8": FORMULAS[3]})
    sources = TINY_SOURCES.replace("Alpha report,Alpha", f'"{FORMULAS[0].replace(chr(34), 2 * chr(34))}",-1+1')
    settings = (
        TINY_MAP.replace('crs = "EPSG:32637"\n', "")
        .replace("area = [36.90, 36.00, 37.45, 36.45]\n", "")
        .replace('label = { en = "Government and allies", ar = "الحكومة وحلفاؤها" }', 'label = "@SUM(A1)"')
        .replace('admin1 = "Aleppo"', 'admin1 = "+1"')
        .replace('location = "Aleppo", ', "")
        .replace('place = { en = "Aleppo", ar = "حلب" }\n', "")
    )
    folder = write_data(tmp_path_factory.mktemp("hostile") / "data", features=feats, events=events, sources=sources)
    (folder / "map.toml").write_text(settings, encoding="utf-8")
    checkpoint = {
        "type": "Feature",
        "properties": {"id": "C1", "name": "-1+1", "source": "alpha", "note": "@SUM(A1)"},
        "geometry": {"type": "Point", "coordinates": [-0.5, 36.2]},
    }
    (folder / "checkpoints.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [checkpoint]}))
    ds = load_dataset(folder)
    return ds, timeline_for(ds)


def _cells(text: str) -> list[dict[str, str]]:
    """CSV text as rows of text cells, exactly as a spreadsheet reads them (no type guessing)."""
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _neutralised(rows: list[dict[str, str]], column: str) -> set[str]:
    return {r[column] for r in rows if r[column][:1] in "=+-@'"}


def test_csv_text_neutralises_text_cells_and_keeps_numbers():
    frame = pd.DataFrame(
        {
            "text": [*FORMULAS, "\tx", "\rx", "a\r=1+1", None],
            "number": [-0.5, -1.0, 0.0, 1.5, -2.0, 3.0, 4.0, float("nan")],
            "count": [-3, -2, -1, 0, 1, 2, 3, 4],
            "mixed": [-0.5, "=x", None, "-1", 1, "a", "b", "c"],
        }
    )
    rows = _cells(csv_text(frame))
    # a line break inside a cell is quoted: a bare CR would start a row whose first cell could run
    assert [r["text"] for r in rows] == [*("'" + f for f in FORMULAS), "'\tx", "'\rx", "a\r=1+1", ""]
    assert [r["number"] for r in rows][:2] == ["-0.5", "-1.0"] and rows[0]["count"] == "-3"
    assert [r["mixed"] for r in rows][:4] == ["-0.5", "'=x", "", "'-1"]  # a number stays one; text is text


def test_the_day_csv_neutralises_formulas(hostile):
    ds, tl = hostile
    rows = _cells(day_csv(ds, tl, "2016-12-01"))
    assert _neutralised(rows, "name") == {"'" + f for f in FORMULAS}
    assert _neutralised(rows, "name_ar") == {"'" + f for f in FORMULAS}


def test_the_intervals_csv_neutralises_formulas(hostile):
    ds, tl = hostile
    rows = _cells(intervals_csv(ds, tl))
    assert _neutralised(rows, "name") == {"'" + f for f in FORMULAS}


def test_the_acled_csv_neutralises_formulas_and_keeps_negative_coordinates(hostile):
    ds, tl = hostile
    rows = _cells(acled_csv(ds, tl))
    assert rows and {r["admin1"] for r in rows} == {"'+1"}
    assert "'@SUM(A1)" in {r["actor1"] for r in rows} | {r["actor2"] for r in rows}
    assert _neutralised(rows, "location") <= {"'" + f for f in FORMULAS} and _neutralised(rows, "location")
    assert all(-0.5 <= float(r["longitude"]) < -0.47 and r["longitude"].startswith("-0.4") for r in rows)


def test_the_comparison_csv_neutralises_formulas(hostile):
    ds, tl = hostile
    rows = _cells(compare_csv(ds, tl, "2016-11-30", "2016-12-01"))
    t3 = [r for r in rows if r["id"] == "T3"]
    assert {r["name"] for r in t3} == {"'" + FORMULAS[2]}
    assert {r["note"] for r in t3} == {"'" + FORMULAS[0], "'" + FORMULAS[3]}
    assert {r["claimant"] for r in t3} == {"'+1", "'-1+1"} and {r["place"] for r in t3} == {"'@SUM(A1)", ""}


def test_the_data_package_neutralises_formulas_keeps_numbers_and_says_so(hostile, tmp_path):
    ds, _ = hostile
    path = write_datapackage(ds, tmp_path / "pkg")
    report = frictionless.validate(str(path))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    read = {name: _cells((tmp_path / "pkg" / f"{name}.csv").read_text("utf-8")) for name in ("districts", "events")}
    assert _neutralised(read["districts"], "name") == {"'" + f for f in FORMULAS}
    assert _neutralised(read["events"], "note") == {"'" + FORMULAS[0], "'" + FORMULAS[3]}
    sources = _cells((tmp_path / "pkg" / "sources.csv").read_text("utf-8"))
    assert sources[0]["title"] == "'" + FORMULAS[0] and sources[0]["publisher"] == "'-1+1"
    (checkpoint,) = _cells((tmp_path / "pkg" / "checkpoints.csv").read_text("utf-8"))
    assert (checkpoint["longitude"], checkpoint["name"], checkpoint["note"]) == ("-0.5", "'-1+1", "'@SUM(A1)")
    meta = json.loads(path.read_text(encoding="utf-8"))
    assert "carry one added leading apostrophe (')" in meta["description"]


def test_header_only_and_empty_optional_files_work_in_the_loader_and_every_export(tmp_path):
    folder = write_data(tmp_path / "data")
    (folder / "evacuation.csv").write_text("figure_id,date,source,reported_by,measure,value,value_high,basis,note\n")
    for layer in ("routes", "checkpoints", "landmarks"):
        (folder / f"{layer}.geojson").write_text('{"type": "FeatureCollection", "features": []}\n')
    ds, problems = check_dataset(folder)
    assert ds is not None, [str(p) for p in problems]
    assert len(ds.evacuation) == 0 and len(ds.routes) == len(ds.checkpoints) == len(ds.landmarks) == 0
    tl = timeline_for(ds)
    assert len(_cells(day_csv(ds, tl, "2016-12-01"))) == 6 and json.loads(day_geojson_text(ds, tl, "2016-12-01"))
    assert _cells(intervals_csv(ds, tl)) and intervals_parquet(ds, tl) and _cells(acled_csv(ds, tl))
    assert _cells(compare_csv(ds, tl, "2016-11-15", "2016-12-01"))
    with zipfile.ZipFile(io.BytesIO(package_zip(ds))) as zf:
        zf.extractall(tmp_path / "pkg")
    report = frictionless.validate(str(tmp_path / "pkg" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    assert (tmp_path / "pkg" / "evacuation.csv").read_text().startswith("figure_id,date,source,reported_by")
    assert build_payload(ds, tl)
