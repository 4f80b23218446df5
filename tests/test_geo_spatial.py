"""Areas, changes and the front line on the tiny grid, checked against hand answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyproj import Geod
from shapely.geometry import LineString

from geo.load import load_dataset
from geo.spatial import adjacency, areas_by_controller, changes_between, district_areas_km2, front_by_day, front_line
from geo.timeline import timeline_for

#: The sides the front line runs between (data/map.toml's front).
FRONT = ("government", "opposition")


@pytest.fixture
def tiny(tiny_dir):
    ds = load_dataset(tiny_dir)
    return ds, timeline_for(ds)


def geodesic_km2(geom) -> float:
    return abs(Geod(ellps="WGS84").geometry_area_perimeter(geom)[0]) / 1e6


def test_district_areas_match_geodesic_areas(tiny):
    ds, _ = tiny
    areas = district_areas_km2(ds.districts)
    for _, row in ds.districts.iterrows():
        assert areas[row["id"]] == pytest.approx(geodesic_km2(row["geometry"]), rel=0.005)
    assert areas["T1"] == pytest.approx(0.998, abs=0.01)  # 0.01° x 0.01° at 36.2° N


def test_split_district_area_is_apportioned(tiny):
    ds, tl = tiny
    a = district_areas_km2(ds.districts)
    table = areas_by_controller(tl.control_on("2016-11-21"), a, sides=tl.sides).set_index("controller")["km2"]
    assert table["government"] == pytest.approx(a["T1"] + 0.33 * a["T2"])
    assert table["opposition"] == pytest.approx(0.67 * a["T2"] + a["T3"] + a["T5"])
    assert table["sdf"] == pytest.approx(a["T4"])
    assert table["unknown"] == pytest.approx(a["T6"])
    assert table.sum() == pytest.approx(a.sum())


def test_disputed_district_counts_as_contested(tiny):
    ds, tl = tiny
    a = district_areas_km2(ds.districts)
    table = areas_by_controller(tl.control_on("2016-12-01"), a, sides=tl.sides).set_index("controller")["km2"]
    assert table["contested"] == pytest.approx(a["T3"])


def test_changes_between_two_days(tiny):
    _, tl = tiny
    ch = changes_between(tl.control_on("2016-11-15"), tl.control_on("2016-11-25"))
    assert list(ch["id"]) == ["T2"]
    assert (ch.iloc[0]["from"], ch.iloc[0]["to"]) == ("opposition", "government")
    ch = changes_between(tl.control_on("2016-11-15"), tl.control_on("2016-12-22"))
    assert set(ch["id"]) == {"T2", "T3", "T5"}


def test_adjacency_finds_edge_neighbours_not_corner_ones(tiny):
    ds, _ = tiny
    pairs = {tuple(sorted(p)) for p in adjacency(ds.districts)[["a", "b"]].itertuples(index=False)}
    assert pairs == {("T1", "T2"), ("T2", "T3"), ("T4", "T5"), ("T5", "T6"), ("T1", "T4"), ("T2", "T5"), ("T3", "T6")}


def test_front_line_is_the_shared_boundary_of_opposing_sides(tiny):
    ds, tl = tiny
    pairs = adjacency(ds.districts)
    front = front_line(tl.control_on("2016-11-15"), pairs, sides=FRONT)
    assert [tuple(sorted(p)) for p in front[["a", "b"]].itertuples(index=False)] == [("T1", "T2")]
    edge = LineString([(37.14, 36.19), (37.14, 36.20)])
    assert front.geometry.iloc[0].hausdorff_distance(edge) < 2e-4
    front = front_line(tl.control_on("2016-11-25"), pairs, sides=FRONT)
    assert {tuple(sorted(p)) for p in front[["a", "b"]].itertuples(index=False)} == {("T2", "T3"), ("T2", "T5")}
    assert not front["approximate"].any()


def test_front_line_through_a_split_district_is_approximate(tiny):
    ds, tl = tiny
    front = front_line(tl.control_on("2016-11-21"), adjacency(ds.districts), sides=FRONT)
    # T2 is a third government: it leans opposition, so the line stays at T1|T2, marked approximate
    assert [tuple(sorted(p)) for p in front[["a", "b"]].itertuples(index=False)] == [("T1", "T2")]
    assert front["approximate"].all()


@pytest.mark.parametrize("record", ["tiny", "bundled"])
def test_the_front_of_every_day_at_once_is_each_day_s_front(record, tiny_dir):
    """front_by_day (every day in one pass, for the map's page) draws on each day exactly the
    pairs front_line finds from that day's state, with the same approximate marks."""
    folder = tiny_dir if record == "tiny" else Path(__file__).resolve().parents[1] / "data"
    ds = load_dataset(folder)
    tl = timeline_for(ds)
    pairs = adjacency(ds.districts).reset_index(drop=True)
    on, approx = front_by_day(tl, pairs, list(range(len(tl.days))), sides=FRONT)
    seen_front = seen_approx = False
    for i, day in enumerate(tl.days):
        front = front_line(tl.control_on(day), pairs, sides=FRONT)
        want = {(a, b): x for a, b, x in front[["a", "b", "approximate"]].itertuples(index=False)}
        got = {(pairs["a"][j], pairs["b"][j]): bool(approx[i, j]) for j in range(len(pairs)) if on[i, j]}
        assert got == want, day
        seen_front, seen_approx = seen_front or bool(want), seen_approx or any(want.values())
    assert seen_front and seen_approx  # the records have fronts, exact and approximate


def test_the_front_of_every_day_refuses_pairs_of_unknown_districts(tiny):
    """A pair naming a district the timeline lacks is an error naming it, not another district's
    column read in its place."""
    ds, tl = tiny
    pairs = adjacency(ds.districts).reset_index(drop=True)
    pairs.loc[0, "b"] = "NOPE"
    with pytest.raises(ValueError, match="NOPE"):
        front_by_day(tl, pairs, [0], sides=FRONT)
