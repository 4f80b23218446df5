"""Two days compared, on the tiny hand-made data (answers in conftest.py)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from geo.compare import COMPARE_COLUMNS, changed_districts, compare, compare_csv
from geo.load import load_dataset
from geo.timeline import build_timeline


@pytest.fixture
def tiny(tiny_dir):
    ds = load_dataset(tiny_dir)
    return ds, build_timeline(ds.districts["id"], ds.events)


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


def test_compare_csv_reads_back(tiny):
    ds, tl = tiny
    table = pd.read_csv(io.StringIO(compare_csv(ds, tl, "2016-11-15", "2016-11-29")), keep_default_na=False)
    assert list(table["date"]) == ["2016-11-20", "2016-11-25", "2016-11-28"]
    assert list(table["share"]) == ["0.33", "", ""] and list(table["name"]) == ["Middle", "Middle", "North Middle"]
