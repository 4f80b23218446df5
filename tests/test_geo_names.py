"""District names as readers type them: the issue's spellings on the real data, and the rules on tiny data."""

from __future__ import annotations

import json

import pytest
from conftest import DATA, tiny_features, write_data

from geo.load import load_dataset
from geo.names import match_district, normalize_name


@pytest.fixture(scope="module")
def districts():
    return load_dataset(DATA).districts


OLD_CITY = {
    "N0155",
    "N0164",
    "N0166",
    "N0171",
    "N0175",
    "N0178",
    "N0180",
    "N0185",
    "N0186",
    "N0188",
    "N0189",
    "N0190",
    "N0192",
    "N0198",
    "N0199",
    "N0200",
    "N0201",
}


@pytest.mark.parametrize(
    "typed,ids",
    [
        ("Hananno", {"N0129"}),
        ("sukari", {"N0219"}),
        ("al-Sukkari", {"N0219"}),
        ("Haydariya", {"N0122"}),
        ("Amiriyah", {"N0222"}),
        ("Zabdiyeh", {"N0208"}),
        ("Ansari", {"N0195"}),
        ("Old City", OLD_CITY),
        ("Sheikh Sa'id", {"N0225"}),
        ("Salaheddin", {"N0214"}),
        ("Bab al-Nairab", {"N0191", "N0205"}),
        ("HANANO", {"N0129"}),
        ("jebel badro", {"N0146"}),
        ("bostan al-kasr", {"N0204"}),
        ("Kadi Askar", {"N0174"}),
        ("Sheikh Maksoud", {"N0123"}),
        ("الشيخ سعيد", {"N0225"}),
        ("شيخ سعيد", {"N0225"}),
        ("Old Aleppo", OLD_CITY),
        ("N0129", {"N0129"}),
        ("n0129", {"N0129"}),
    ],
)
def test_spellings_readers_type_find_their_district(districts, typed, ids):
    found = match_district(districts, typed)
    assert set(found.ids) == ids, (found, found.did_you_mean())


def test_a_miss_suggests_the_closest_districts(districts):
    found = match_district(districts, "Hanan")
    assert found.ids == () or found.ids == ("N0129",)
    assert "Hanano (N0129)" in (found.did_you_mean() or "Hanano (N0129)")
    miss = match_district(districts, "Hnaon district")
    assert miss.ids == () and miss.did_you_mean().startswith("did you mean Hanano (N0129)")


@pytest.mark.parametrize(
    "a,b",
    [
        ("As-Sukkari", "sukari"),
        ("Haydariyeh", "Haydariya"),
        ("Sheikh Saeed", "Sheikh Sa'id"),
        ("Zebdiyeh", "Zabdiyeh"),
        ("Ash-Sheikh Maqsoud", "sheikh maksoud"),
        ("Bab Al-Nayrab", "bab al nairab"),
        ("السكري", "سكري"),
        ("Qâdî ʿAskar", "Kadi Askar"),
    ],
)
def test_normalised_spellings_agree(a, b):
    assert normalize_name(a) == normalize_name(b)


@pytest.mark.parametrize("a,b", [("Hanano", "Hallak"), ("Sheikh Saeed", "Sheikh Fares"), ("Salheen", "Salah ad-Din")])
def test_different_places_stay_different(a, b):
    assert normalize_name(a) != normalize_name(b)


def test_group_names_come_from_the_data(tmp_path):
    feats = tiny_features()
    for f in feats[:2]:
        f["properties"]["groups"] = ["South Side"]
    folder = write_data(tmp_path / "g", districts_text=json.dumps({"type": "FeatureCollection", "features": feats}))
    districts = load_dataset(folder).districts
    assert match_district(districts, "south-side").ids == ("T1", "T2")
    assert match_district(districts, "South Side").how == "exact"
    assert match_district(districts, "  ").ids == ()
