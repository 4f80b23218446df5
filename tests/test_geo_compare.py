"""Two days compared, on the tiny hand-made data (answers in conftest.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from geo.compare import COMPARE_COLUMNS, changed_districts, compare, compare_csv
from geo.describe import caption, change_phrases, compare_caption
from geo.load import load_dataset
from geo.timeline import timeline_for


@pytest.fixture
def tiny(tiny_dir):
    ds = load_dataset(tiny_dir)
    return ds, timeline_for(ds)


def test_changes_with_the_claims_behind_each(tiny):
    ds, tl = tiny
    table = compare(ds, tl, "2016-11-15", "2016-11-29")
    assert tuple(table.columns) == COMPARE_COLUMNS
    assert list(table["id"]) == ["T2", "T2", "T5"] and list(table["event_id"]) == ["E6", "E7", "E10"]
    t2 = table.iloc[1]
    assert (t2["from_state"], t2["to_state"], t2["to_share"]) == ("opposition", "government", 1.0)
    assert list(table["source"]) == ["alpha", "alpha", "beta"]
    assert (table.iloc[2]["from_state"], table.iloc[2]["to_state"]) == ("opposition", "sdf")


def test_a_district_taken_by_stages_counts_once_as_changed(tiny):
    ds, tl = tiny
    changed = changed_districts(ds, tl, "2016-11-19", "2016-11-21")
    assert list(changed["id"]) == ["T2"]
    assert (changed.loc[0, "to_state"], changed.loc[0, "to_share"], changed.loc[0, "to_holder"]) == (
        "split",
        0.33,
        "government",
    )


def test_rival_claims_stay_side_by_side(tiny):
    ds, tl = tiny
    table = compare(ds, tl, "2016-11-30", "2016-12-01")
    assert list(table["event_id"]) == ["E8", "E9"] and set(table["to_state"]) == {"disputed"}
    assert list(zip(table["source"], table["controller"], strict=True)) == [
        ("alpha", "government"),
        ("beta", "opposition"),
    ]


def test_no_change_and_bad_order(tiny):
    ds, tl = tiny
    assert compare(ds, tl, "2016-12-02", "2016-12-20").empty
    assert compare(ds, tl, "2016-11-21", "2016-11-21").empty
    with pytest.raises(ValueError, match="must not be after"):
        compare(ds, tl, "2016-12-01", "2016-11-20")


@pytest.mark.parametrize(
    ("d1", "d2"),
    [
        ("2016-11-20T10:00+02:00", "2016-11-25T10:00+02:00"),  # before midnight in UTC
        ("2016-11-20T23:30-05:00", "2016-11-25T23:30-05:00"),  # the next day in UTC
        ("2016-11-20T09:00", "2016-11-25T18:00"),
    ],
)
def test_a_day_is_the_day_its_clock_shows(tiny, d1, d2):
    """Days given with a time or a time zone compare the days their clocks show: the same changed
    districts and the same claims as the plain dates, in the table and in the sentences."""
    ds, tl = tiny
    plain = compare(ds, tl, d1[:10], d2[:10])
    assert not plain.empty
    pd.testing.assert_frame_equal(compare(ds, tl, d1, d2), plain)
    assert compare_csv(ds, tl, d1, d2) == compare_csv(ds, tl, d1[:10], d2[:10])
    assert compare_caption(ds, tl, d1, d2) == compare_caption(ds, tl, d1[:10], d2[:10])
    assert caption(ds, tl, d2) == caption(ds, tl, d2[:10])
    assert change_phrases(ds, tl, d2, since=d1) == change_phrases(ds, tl, d2[:10], since=d1[:10])


def test_compare_csv_reads_back(tiny):
    ds, tl = tiny
    table = pd.read_csv(io.StringIO(compare_csv(ds, tl, "2016-11-15", "2016-11-29")), keep_default_na=False)
    assert list(table["date"]) == ["2016-11-20", "2016-11-25", "2016-11-28"]
    assert list(table["share"]) == ["0.33", "", ""] and list(table["name"]) == ["Middle", "Middle", "North Middle"]


@pytest.mark.parametrize("span", [(3, 4), (5, 9), (0, -1), (12, 13), (20, 30)])
def test_every_claim_behind_a_change_once_in_order(span):
    """On the bundled record: each changed district with every claim on it dated between the two
    days (the events file read directly), each claim once, ordered by date, district and event."""
    ds = load_dataset(Path(__file__).resolve().parents[1] / "data")
    tl = timeline_for(ds)
    d1, d2 = tl.days[span[0]], tl.days[span[1]]
    table = compare(ds, tl, d1, d2)
    changed = set(changed_districts(ds, tl, d1, d2)["id"])
    ev = tl.events
    behind = ev[(ev["date"] > d1) & (ev["date"] <= d2) & ev["district"].isin(changed)]
    assert changed and set(table["id"]) == changed
    assert sorted(table["event_id"].dropna()) == sorted(behind["event_id"])
    keys = list(zip(table["date"], table["id"], table["event_id"], strict=True))
    assert keys == sorted(keys)
    for _, row in table.iterrows():  # each claim row carries its own event's fields
        event = ev[ev["event_id"].eq(row["event_id"])].iloc[0]
        assert (row["id"], row["controller"], row["source"]) == (
            event["district"],
            event["controller"],
            event["source"],
        )
