"""Generated text, checked against the tiny hand-made data whose answers are known by hand.

Tiny record (conftest.py): T1 West government; T2 Middle opposition, a third taken by the government
on 20 Nov (alpha), all on 25 Nov; T3 East disputed from 1 Dec (alpha: government, beta: opposition);
T4 North West SDF/YPG; T5 North Middle opposition (inferred), taken by SDF/YPG on 28 Nov (beta);
T6 North East no record. Sources: alpha (publisher Alpha), beta (Beta).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import TINY_EVENTS, TINY_SOURCES, add_column, write_data

from geo.describe import about, alt_text, as_of, caption, citation, compare_caption, state_table, text_file
from geo.describe_words import counted, join_names
from geo.load import load_dataset
from geo.spatial import district_areas_km2
from geo.timeline import timeline_for
from geo.vocabulary import label


@pytest.fixture
def tiny(tiny_dir):
    ds = load_dataset(tiny_dir)
    return ds, timeline_for(ds)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2016-11-15", "15 November 2016 is the first day of the record; no change is dated on it."),
        ("2016-11-20", "On 20 November 2016, the government and allies held about 33% of Middle (according to Alpha)."),
        ("2016-11-25", "On 25 November 2016, the government and allies took all of Middle (according to Alpha)."),
        ("2016-11-28", "On 28 November 2016, SDF/YPG took North Middle (according to Beta)."),
        ("2016-11-29", "No district changed hands on 29 November 2016 in the record."),
        (
            "2016-12-01",
            "1 December 2016. Sources disagree about East: Alpha puts it with the government and allies; "
            "Beta puts it with the opposition.",
        ),
        (
            "2016-12-02",
            "No district changed hands on 2 December 2016 in the record. Sources disagree about East (since "
            "1 December 2016): Alpha puts it with the government and allies; Beta puts it with the "
            "opposition.",
        ),
    ],
)
def test_caption_english(tiny, day, expected):
    ds, tl = tiny
    assert caption(ds, tl, day) == expected


def test_caption_arabic(tiny):
    ds, tl = tiny
    assert caption(ds, tl, "2016-11-28", "ar") == (
        "في 28 تشرين الثاني 2016، سيطرت قوات سوريا الديمقراطية/وحدات حماية الشعب على حي 5 (بحسب Beta)."
    )
    assert caption(ds, tl, "2016-12-01", "ar") == (
        "1 كانون الأول 2016. تختلف المصادر بشأن حي 3: بحسب Alpha هي في يد الحكومة وحلفاؤها؛ "
        "بحسب Beta هي في يد المعارضة."
    )


def test_caption_groups_districts_and_names_inferences_and_claimants(tiny_dir):
    events = add_column(TINY_EVENTS, "claimant") + (
        "E11,2016-12-05,T1,opposition,,beta,inferred,,\n"
        "E12,2016-12-05,T4,opposition,,beta,inferred,,\n"
        "E13,2016-12-05,T2,opposition,0.5,alpha,day,,a spokesman\n"
    )
    ds = load_dataset(write_data(tiny_dir.parent / "more", events=events))
    tl = timeline_for(ds)
    assert caption(ds, tl, "2016-12-05") == (
        "On 5 December 2016, the opposition took West and North West (inferred by the editors from Beta); "
        "the opposition held about 50% of Middle (according to Alpha quoting a spokesman). Sources disagree "
        "about East (since 1 December 2016): Alpha puts it with the government and allies; Beta puts it with "
        "the opposition."
    )


def test_alt_text_counts_areas_as_ranges_and_changes(tiny_dir):
    # T6 placed only by the editors: in the high figure, not in the low one
    sources = TINY_SOURCES + "editor,Editors' inference,the editors,,,inference\n"
    events = TINY_EVENTS + "E11,2016-11-15,T6,opposition,,editor,inferred,placed by geography\n"
    ds = load_dataset(write_data(tiny_dir.parent / "placed", events=events, sources=sources))
    tl = timeline_for(ds)
    km2 = district_areas_km2(ds.districts)
    government = km2["T1"] + 0.33 * km2["T2"]
    opposition_named = km2["T3"] + 0.67 * km2["T2"] + km2["T5"]
    opposition_all = opposition_named + km2["T6"]
    assert (f"{government:.1f}", f"{opposition_named:.1f}", f"{opposition_all:.1f}") == ("1.3", "2.7", "3.7")
    assert alt_text(ds, tl, "2016-11-20") == (
        "Map of the districts of Aleppo on 20 November 2016, coloured by who held each one. "
        "The government and allies held 1 district whole (about 1.3 km²); "
        "the opposition held 3 districts whole (between 2.7 and 3.7 km²); "
        f"SDF/YPG held 1 district whole (about {km2['T4']:.1f} km²); 1 district split between two sides. "
        "Changed that day: The government and allies held about 33% of Middle (according to Alpha). "
        "Areas are ranges: the low figure counts only the ground the sources name, the high figure adds the "
        "districts only the editors place; split districts are shared out by their share."
    )


def test_alt_text_on_a_disputed_day(tiny):
    ds, tl = tiny
    text = alt_text(ds, tl, "2016-12-01")
    area = district_areas_km2(ds.districts)["T3"]
    # two sources' own reports disagree: no side can be given the ground, so none counts it
    assert f"sources disagree about 1 district (about {area:.1f} km²); no record for 1 district." in text
    assert "Nothing changed hands that day. Sources disagree about East: Alpha puts it" in text
    ar = alt_text(ds, tl, "2016-12-01", "ar")
    assert "عدد الأحياء التي تختلف المصادر بشأنها: 1" in ar and "بحسب Beta هي في يد المعارضة" in ar


def test_alt_text_when_the_strongest_claims_give_disputed_ground_to_a_side(tiny_dir):
    events = add_column(TINY_EVENTS, "claimant", {"E9": "a spokesman"})  # beta only quotes a party
    ds = load_dataset(write_data(tiny_dir.parent / "quoted", events=events))
    tl = timeline_for(ds)
    area = district_areas_km2(ds.districts)["T3"]
    assert (
        f"sources disagree about 1 district (about {area:.1f} km²), all counted above with the side the strongest "
        "claims name" in alt_text(ds, tl, "2016-12-01")
    )


def test_citation(tiny):
    ds, _ = tiny
    line = citation(
        "Aleppo, 2016: who held each district",
        "2016-12-13",
        "https://example.org/map?lang=en&date=2016-11-15",
        ds.digest,
        dt.date(2026, 12, 2),
    )
    assert line == (
        "Aleppo, 2016: who held each district. Map for 13 December 2016. "
        f"https://example.org/map?lang=en&date=2016-12-13. Data version {ds.digest[:12]}. "
        "Accessed 2 December 2026."
    )
    ar = citation("حلب 2016", "2016-12-13", "https://example.org/map", "abc", dt.date(2026, 12, 2), "ar")
    assert ar == (
        "حلب 2016. خريطة يوم 13 كانون الأول 2016. https://example.org/map?date=2016-12-13. "
        "نسخة البيانات abc. تاريخ الاطلاع 2 كانون الأول 2026."
    )
    assert "http" not in citation("T", "2016-12-13", "", "abc", dt.date(2026, 12, 2))


def test_about_is_plain_text_sections_from_the_data(tiny):
    ds, tl = tiny
    sections = {s["id"]: s for s in about(ds, tl=tl)}
    assert list(sections) == ["state", "inferred", "shares", "disputes", "areas", "sources", "version"]
    assert all(isinstance(p, str) and "<" not in p for s in sections.values() for p in s["paragraphs"])
    assert sections["state"]["paragraphs"][1] == (
        "The record runs from 15 November 2016 to 22 December 2016: 10 claims about 6 districts from 2 sources."
    )
    assert "make up 1 of the 10 claims" in sections["inferred"]["paragraphs"][0]
    assert sections["inferred"]["paragraphs"][1].endswith(
        ": 1. Inferred during the offensive, most often a "
        "source's report about a wider area applied to a "
        "district it does not name: 0."
    )
    assert sections["disputes"]["paragraphs"][1] == (
        "Sources disagree about 1 district on 22 days of the record, from 1 December 2016 to 22 December 2016."
    )
    assert sections["sources"]["paragraphs"][1:] == [
        "Alpha report. Alpha, 2016-12-01. Stance: one side. Claims citing it: 8. Key: alpha. https://example.org/a",
        "Beta report. Beta, 2016-12-02. Stance: other side. Claims citing it: 2. Key: beta.",
    ]
    assert sections["version"]["paragraphs"] == [
        f"Data version {ds.digest}: a digest of the content of every data file, so any edit changes it.",
        "The latest change of control in the record is dated 1 December 2016.",
    ]


def test_about_quotes_the_words_shares_were_read_from(tiny_dir):
    events = TINY_EVENTS.replace(
        "E6,2016-11-20,T2,government,0.33,alpha,day,a third",
        'E6,2016-11-20,T2,government,0.33,alpha,day,"share estimated from ""a third"""',
    )
    ds = load_dataset(write_data(tiny_dir.parent / "words", events=events))
    shares = {s["id"]: s for s in about(ds)}["shares"]["paragraphs"]
    assert shares[1] == 'The words most often behind a share are "a third".'
    assert {s["id"]: s for s in about(ds, "ar")}["shares"]["paragraphs"][1] == (
        'أكثر الكلمات التي بُنيت عليها حصة: "a third".'
    )


def test_about_arabic_counts_agree_with_their_numbers(tiny):
    ds, _ = tiny
    sections = {s["id"]: s for s in about(ds, "ar")}
    assert sections["state"]["paragraphs"][1] == (
        "يمتد السجل من 15 تشرين الثاني 2016 إلى 22 كانون الأول 2016: 10 روايات عن 6 أحياء من مصدرين."
    )
    assert [counted(n, "district", "ar") for n in (1, 2, 3, 10, 11, 112)] == [
        "حي واحد",
        "حيّين",
        "3 أحياء",
        "10 أحياء",
        "11 حياً",
        "112 حياً",
    ]


def test_name_lists_are_cut_short_and_joined_per_language():
    names = [f"D{i}" for i in range(1, 10)]
    assert join_names(names, "en", limit=6) == "D1, D2, D3, D4, D5 and 4 other districts"
    assert join_names(names, "ar", limit=6) == "D1، D2، D3، D4، D5 و4 أحياء أخرى"
    assert join_names(names * 3, "ar", limit=6) == "D1، D2، D3، D4، D5 و22 حياً آخر"
    assert join_names(["أ", "ب", "ج"], "ar") == "أ، ب وج"


def test_unknown_language_is_refused(tiny):
    ds, tl = tiny
    with pytest.raises(ValueError, match="not one of en, ar"):
        caption(ds, tl, "2016-11-20", "fr")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("E11,2016-12-05,T3,government,,alpha,day,taken", "the government and allies took East (according to Alpha)."),
        ("E11,2016-12-05,T3,opposition,,beta,day,held", "the opposition held East (according to Beta)."),
    ],
)
def test_after_a_dispute_a_district_is_taken_only_from_the_side_that_held_it_before(tiny_dir, row, expected):
    ds = load_dataset(write_data(tiny_dir.parent / "after", events=TINY_EVENTS + row + "\n"))
    tl = timeline_for(ds)
    assert caption(ds, tl, "2016-12-05") == "On 5 December 2016, " + expected


def test_caption_names_relaying_sources_and_the_editors_inference(tiny_dir):
    sources = TINY_SOURCES + "editor,Editors' inference,the editors,,,inference\n"
    events = add_column(TINY_EVENTS, "cites", {"E7": "beta"}) + "E11,2016-12-05,T1,opposition,,editor,inferred,guess,\n"
    ds = load_dataset(write_data(tiny_dir.parent / "relayed", events=events, sources=sources))
    tl = timeline_for(ds)
    assert caption(ds, tl, "2016-11-25") == (
        "On 25 November 2016, the government and allies took all of Middle (according to Alpha and Beta)."
    )
    assert caption(ds, tl, "2016-12-05").startswith(
        "On 5 December 2016, the opposition took West (inferred by the editors). Sources disagree"
    )


def test_state_table_for_screen_readers(tiny):
    ds, tl = tiny
    header, rows = state_table(ds, tl, "2016-11-21")
    assert header == ["District", "State", "Since", "Basis", "Sources"]
    by_name = {r[0]: r for r in rows}
    assert by_name["Middle"] == [
        "Middle",
        "Split between two sides: the government and allies about 33%, the opposition the rest",
        "20 November 2016",
        "stated by a source",
        "Alpha",
    ]
    assert by_name["North Middle"][1:4] == ["Opposition", "15 November 2016", "inferred by the editors"]
    assert by_name["North East"][1:] == [label("unknown"), "", "", ""]
    header, rows = state_table(ds, tl, "2016-12-01", "ar")
    assert header[0] == "الحي" and rows[2][0] == "حي 3" and rows[2][1] == label("disputed", "ar")
    assert rows[2][4] == "Alpha وBeta"


def test_text_file_beside_a_png(tiny):
    ds, tl = tiny
    cite = citation("T", "2016-11-21", "", ds.digest, dt.date(2026, 12, 2))
    lines = text_file(ds, tl, "2016-11-21", cite=cite).split("\n")
    assert lines[0] == alt_text(ds, tl, "2016-11-21") and lines[1] == ""
    assert lines[2] == "District | State | Since | Basis | Sources" and len(lines) == 2 + 1 + 6 + 2 + 1
    assert lines[3] == "West | Government and allies | 15 November 2016 | stated by a source | Alpha"
    assert lines[-2] == cite and lines[-1] == ""


def test_compare_caption(tiny):
    ds, tl = tiny
    assert compare_caption(ds, tl, "2016-11-15", "2016-11-29") == (
        "Between 15 November 2016 and 29 November 2016, the government and allies took Middle (according to "
        "Alpha); SDF/YPG took North Middle (according to Beta)."
    )
    assert compare_caption(ds, tl, "2016-12-02", "2016-12-20") == (
        "No district changed hands between 2 December 2016 and 20 December 2016 in the record. Sources disagree "
        "about East (since 1 December 2016): Alpha puts it with the government and allies; Beta puts it with the "
        "opposition."
    )
    assert compare_caption(ds, tl, "2016-11-15", "2016-11-29", "ar").startswith(
        "بين 15 تشرين الثاني 2016 و29 تشرين الثاني 2016، سيطرت الحكومة وحلفاؤها على حي 2 (بحسب Alpha)؛ "
    )


def test_as_of_stamp(tiny):
    ds, tl = tiny
    assert as_of(ds, tl) == f"Data as of 1 December 2016 · version {ds.digest[:12]}"
    assert as_of(ds, tl, "ar") == f"البيانات حتى 1 كانون الأول 2016 · النسخة {ds.digest[:12]}"


def test_a_record_with_no_change_yet_says_so_in_its_stamp_title_and_credit(tmp_path):
    """One day, no change of control, no map.toml: the stamp says there is no change yet (not
    "as of" a date), the default title names the one day once, and an empty credit adds no stray
    full stop to the page."""
    from layers.payload import build_payload
    from layers.words import words
    from snapshot import render_html

    head, *rows = TINY_EVENTS.strip().splitlines()
    folder = write_data(tmp_path / "d", events="\n".join([head, *(r for r in rows if "2016-11-15" in r)]) + "\n")
    (folder / "map.toml").unlink()
    ds = load_dataset(folder)
    tl = timeline_for(ds)
    assert as_of(ds, tl) == f"No change of control in the record yet · version {ds.digest[:12]}"
    assert as_of(ds, tl, "ar") == f"لا تغير في السيطرة في السجل بعد · النسخة {ds.digest[:12]}"
    assert words("en", ds.settings)["title"] == "15 November 2016: who held each district"
    assert build_payload(ds, tl)["credit"] == ""
    page = render_html(ds, tl, tl.days[0])
    assert re.search(r'<p class="cm-credit">\s*Sources:', page)
