"""Areas as a range (sourced only … with inferred) and the disputed band, on hand-made data."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import TINY_SOURCES, write_data

from geo.areas import area_ranges, areas_on, disputed_band, named_districts, side_shares
from geo.load import load_dataset
from geo.spatial import district_areas_km2
from geo.timeline import timeline_for

SOURCES = TINY_SOURCES + "editor,Editors' inference,us,,,inference from geography and the sources' later reports\n"
HEADER = "event_id,date,district,controller,share,source,cites,precision,place,claimant,claim_kind,note\n"
# T1 government, never named (editor). T2 opposition (editor start), alpha: the army takes half on 20 Nov.
# T3 opposition (editor start); on 1 Dec alpha's own report: still opposition; beta quotes an envoy saying the
# army holds the whole city (city-wide, announced). T4 sdf (editor). T5 opposition (editor), never named.
# T6 opposition (editor); on 28 Nov beta: the SDF took it.
EVENTS = (
    HEADER
    + """E1,2016-11-15,T1,government,,editor,,inferred,,,,geography
E2,2016-11-15,T2,opposition,,editor,,inferred,,,,later report
E3,2016-11-15,T3,opposition,,editor,,inferred,,,,later report
E4,2016-11-15,T4,sdf,,editor,,inferred,,,,geography
E5,2016-11-15,T5,opposition,,editor,,inferred,,,,geography
E6,2016-11-15,T6,opposition,,editor,,inferred,,,,geography
E7,2016-11-20,T2,government,0.5,alpha,,day,,,,half
E8,2016-12-01,T3,opposition,,alpha,,day,,,,still held
E9,2016-12-01,T3,government,,beta,alpha,approximate,,An Envoy,citywide-announced,whole city
E10,2016-11-28,T6,sdf,,beta,,day,,,,taken
"""
)


@pytest.fixture
def tiny_areas(tmp_path):
    ds = load_dataset(write_data(tmp_path / "d", events=EVENTS, sources=SOURCES))
    return ds, timeline_for(ds), district_areas_km2(ds.districts)


def test_named_districts_are_those_a_document_reports_on_by_name(tiny_areas):
    ds, _, _ = tiny_areas
    # T3's city-wide claim names no district, but alpha's own report does; editor rows never count
    assert list(named_districts(ds.events)) == ["T2", "T3", "T6"]


def test_side_shares_apportion_a_split_and_send_a_disputed_district_to_the_band(tiny_areas):
    _, tl, _ = tiny_areas
    shares = side_shares(tl.control_on("2016-12-01"), tl.sides)
    assert shares.loc["T2", ["government", "opposition"]].tolist() == [0.5, 0.5]
    assert shares.loc["T3", "disputed"] == 1.0 and shares.loc["T3", "opposition"] == 0.0
    assert (shares.sum(axis=1) == 1.0).all()


def test_a_city_wide_claim_does_not_empty_the_pocket(tiny_areas):
    _, tl, a = tiny_areas
    table, band = areas_on(tl, a, "2016-12-01", yardstick="opposition")
    row = table.set_index("controller")
    opposition = a["T2"] * 0.5 + a["T3"] + a["T5"]
    assert row.loc["opposition", "km2"] == pytest.approx(opposition)
    assert row.loc["opposition", "km2_in_dispute"] == pytest.approx(a["T3"])
    assert row.loc["disputed", "km2"] == 0.0
    assert band["districts"].tolist() == [("T3",)] and band.loc[0, "km2"] == pytest.approx(a["T3"])
    assert band.loc[0, "claims"] == ("government per beta+alpha (An Envoy) [citywide-announced]; opposition per alpha")


def test_range_sourced_only_leaves_out_ground_only_the_editors_place(tiny_areas):
    _, tl, a = tiny_areas
    row = areas_on(tl, a, "2016-12-01", yardstick="opposition")[0].set_index("controller")
    start_all = a["T2"] + a["T3"] + a["T5"] + a["T6"]
    start_named = a["T2"] + a["T3"] + a["T6"]
    assert row.loc["opposition", "km2_sourced"] == pytest.approx(a["T2"] * 0.5 + a["T3"])
    assert row.loc["government", "gained_km2"] == pytest.approx(a["T2"] * 0.5)
    assert row.loc["sdf", "gained_km2"] == pytest.approx(a["T6"])  # the SDF's gains apart from the army's
    assert row.loc["government", "of_opposition_at_start"] == pytest.approx(a["T2"] * 0.5 / start_all * 100)
    assert row.loc["government", "of_opposition_at_start_sourced"] == pytest.approx(a["T2"] * 0.5 / start_named * 100)
    assert row.loc["opposition", "of_opposition_at_start_sourced"] == pytest.approx(
        (a["T2"] * 0.5 + a["T3"]) / start_named * 100
    )
    assert pd.isna(row.loc["unknown", "of_opposition_at_start"])
    # the part held in states that rest on the editors' inference that day: T1 and T5 (start rows only)
    assert row.loc["government", "km2_inferred_state"] == pytest.approx(a["T1"])
    assert row.loc["opposition", "km2_inferred_state"] == pytest.approx(a["T5"])


def test_sources_disagreeing_in_their_own_voice_stay_undecided_in_the_figures(tiny_areas, tmp_path):
    events = EVENTS + (
        "E11,2016-12-02,T3,opposition,,alpha,,day,,,,held\nE12,2016-12-02,T3,government,,beta,,day,,,,taken\n"
    )
    ds = load_dataset(write_data(tmp_path / "e", events=events, sources=SOURCES))
    tl = timeline_for(ds)
    a = district_areas_km2(ds.districts)
    table, band = areas_on(tl, a, "2016-12-02", yardstick="opposition")
    assert table.set_index("controller").loc["disputed", "km2"] == pytest.approx(a["T3"])
    assert band.loc[0, "claims"] == "government per beta; opposition per alpha"


def test_area_ranges_without_a_dispute_column_and_empty_band(tiny_areas):
    ds, tl, a = tiny_areas
    state = tl.weighed_on("2016-11-16")
    table = area_ranges(state, state, a, named=named_districts(ds.events), sides=tl.sides)
    assert table["km2_in_dispute"].eq(0).all() and table["km2"].sum() == pytest.approx(a.sum())
    assert disputed_band(tl.control_on("2016-11-16"), a).empty


def test_area_series_is_areas_on_for_every_day(tiny_areas):
    from geo.areas import area_series

    _, tl, a = tiny_areas
    series = area_series(tl, a, yardstick="opposition")
    assert len(series) == len(tl.days) * 5
    for day in tl.days:
        one = areas_on(tl, a, day, yardstick="opposition")[0]
        pd.testing.assert_frame_equal(series[series["date"] == day].drop(columns="date").reset_index(drop=True), one)
    # gains are a side's: the disputed and unknown buckets have none
    assert series.loc[series["controller"].isin(["disputed", "unknown"]), "gained_km2"].isna().all()


def test_the_areas_chart_is_the_same_on_every_day_and_marks_the_day_from_the_page(tiny_areas):
    import altair as alt

    from layers.charts import DAY_INPUT, DAY_PARAM, areas_chart, areas_over_time, compact_datasets

    ds, tl, km2 = tiny_areas
    base = areas_chart(areas_over_time(tl, km2), ds.settings).to_dict()
    # the day is not in the chart: a parameter bound to the page element the map's reporter writes
    (param,) = base["params"]
    assert param == {"name": DAY_PARAM, "value": "", "bind": {"element": f"#{DAY_INPUT}"}}
    rule = base["layer"][-1]
    assert rule["mark"]["type"] == "rule" and rule["encoding"]["x"]["field"] == "day"
    (calc,) = rule["transform"]
    first = tl.days[0]
    assert DAY_PARAM in calc["calculate"]
    assert f"datetime({first.year}, {first.month - 1}, {first.day})" in calc["calculate"]  # unseen, on the first day
    assert DAY_PARAM in rule["encoding"]["opacity"]["condition"]["test"]
    alt.LayerChart.from_dict(base)  # a valid Vega-Lite spec (altair validates against the schema)
    # the data the app sends carries only the fields the chart encodes
    (rows,) = [v for v in base["datasets"].values() if len(v) > 1]
    used = {base["layer"][0]["encoding"][k]["field"] for k in ("x", "y", "y2", "color")}
    used |= {t["field"] for t in base["layer"][1]["encoding"]["tooltip"]}
    assert rows and all(set(r) == used for r in rows)
    # as compact tables (texts as categories, numbers as 32-bit floats) holding the same rows
    (table,) = [v for v in compact_datasets(base)["datasets"].values() if len(v) > 1]
    assert table["side"].dtype == "category" and table["km2"].dtype == "float32"
    for row, got in zip(rows, table.astype({"side": str, "day": str}).to_dict("records"), strict=True):
        assert got.keys() == row.keys()
        for k, want in row.items():
            assert got[k] == (want if isinstance(want, str) else pytest.approx(want, abs=1e-3)), k
    with pytest.raises(Exception):  # noqa: B017 - the validation above can fail
        alt.LayerChart.from_dict({**base, "layer": [*base["layer"], {"mark": {"type": "no-such-mark"}}]})
