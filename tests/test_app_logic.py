"""Page logic with Streamlit's AppTest: data loading, ?date=, stepping, play, broken files, and
what a reader's session may not do (a link from the client, text read as Markdown, PNGs)."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import newsroom
from geo.escape import markdown_text
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
    ("raw", "notice", "quoted"),
    [
        ("2030-01-01", "is outside the record", "2030-01-01"),
        ("yesterday", "is not a date in YYYY-MM-DD form", "yesterday"),
        ("2016-02-30", "is not a date in YYYY-MM-DD form", "2016-02-30"),
        # Markdown in the link stays text: no link, no image, no markup (the warning reads Markdown)
        ("[x](javascript:alert(1))", "is not a date", "[x](javascript:alert(1))"),
        ("![i](https://example.org/p.png)", "is not a date", "![i](https://example.org/p.png)"),
        ("<b>bold</b>", "is not a date", "<b>bold</b>"),
        # a long or controlling link is quoted short, each control character shown as U+FFFD
        ("2016-12-01" + "x" * 5000, "is not a date", "2016-12-01" + "x" * 29 + "…"),
        ("2016\n-12-01\x1b", "is not a date", "2016\ufffd-12-01\ufffd"),
    ],
)
def test_a_bad_date_in_the_link_says_so(tiny_dir, monkeypatch, raw, notice, quoted):
    monkeypatch.setenv("MAP_DATA", str(tiny_dir))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["date"] = raw
    at.run()
    assert day_of(at) == dt.date(2016, 11, 15)
    said = [w.value for w in at.warning if notice in w.value]
    assert said and f"?date={markdown_text(quoted)} " in said[0], said
    assert "](" not in said[0] and "<b>" not in said[0], "no Markdown link or HTML forms from the link's text"
    assert at.query_params["date"] == "2016-11-15"


def test_areas_table_counts_the_split_district(app):
    app.query_params["date"] = "2016-11-20"
    app.run()
    # st.table reads Markdown: every text in the table is escaped (markdown_text), so read it back
    table = app.table[0].value.rename(index=unescape, columns=unescape).map(unescape)
    km2 = table.filter(like="km² (sourced").iloc[:, 0].map(lambda text: float(text.split("…")[-1]))  # with inferred
    square = km2[label("unknown")]  # a generic state: its label needs no settings  # T6 has no record: one whole square
    assert square > 0
    assert km2["Government and allies"] == pytest.approx(1.33 * square, rel=0.05)  # T1 + 1/3 of T2 (one decimal)
    assert km2["Opposition"] == pytest.approx(2.67 * square, rel=0.05)  # T3, T5, 2/3 of T2
    share = table.filter(like="% of the opposition").iloc[:, 0]
    assert share["Opposition"] == "89 %" and share["Government and allies"] == "11 %"  # 2.67 and 0.33 of 3
    assert "No district is disputed" in next(h.value for h in app.get("html") if "disputed-band" in h.value)


def unescape(text):
    """Text escaped by ``markdown_text`` as it reads (each backslash escape undone)."""
    return re.sub(r"\\(.)", r"\1", text)


def test_data_text_in_the_areas_table_is_not_markdown(app, tiny_dir):
    hostile = "[Gov](javascript:alert(1)) **bold**"
    settings = (tiny_dir / "map.toml").read_text(encoding="utf-8")
    (tiny_dir / "map.toml").write_text(settings.replace('en = "Government and allies"', f'en = "{hostile}"'), "utf-8")
    app.run()
    assert not app.exception and not app.error
    index = list(app.table[0].value.index)
    assert markdown_text(hostile) in index
    assert not any("](" in str(i) or "**" in str(i) for i in index)


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


# ---------------------------------------------------------------- what a reader's session may not do


def cite_line(at: AppTest) -> str:
    return next(c.value for c in at.code if "Data version" in c.value)


def test_the_link_the_client_reports_never_reaches_the_citation(app, monkeypatch):
    monkeypatch.delenv("MAP_PUBLIC_URL", raising=False)
    app.context["url"] = "https://evil.example/phish"
    app.query_params["date"] = "2016-11-20"
    app.run()
    shown = [c.value for c in app.code] + [c.value for c in app.caption] + [m.value for m in app.markdown]
    assert not any("evil.example" in text for text in shown)
    assert cite_line(app).endswith("[no public address set]")
    assert any(text == newsroom.NO_ADDRESS for text in shown), "the embed snippet's place says why it is not there"
    assert not any("<iframe" in c.value and "embed=true" in c.value for c in app.code)


def test_the_operators_address_is_in_the_citation_and_the_snippet(app, monkeypatch):
    monkeypatch.setenv("MAP_PUBLIC_URL", "https://maps.example.org/control-map/")
    app.context["url"] = "https://evil.example/phish"
    app.query_params["date"] = "2016-11-20"
    app.run()
    assert "https://maps.example.org/control-map/?date=2016-11-20." in cite_line(app)
    snippet = next(c.value for c in app.code if "<iframe" in c.value and "embed=true" in c.value)
    assert 'src="https://maps.example.org/control-map/?date=2016-11-20&amp;embed=true"' in snippet
    assert not any("evil.example" in c.value for c in app.code)


def test_a_bad_public_address_is_not_used(app, monkeypatch, caplog):
    monkeypatch.setenv("MAP_PUBLIC_URL", "javascript:alert(1)")
    app.run()
    assert cite_line(app).endswith("[no public address set]") and "javascript" not in cite_line(app)
    assert any("MAP_PUBLIC_URL" in r.getMessage() and "public address" in r.getMessage() for r in caplog.records)


def open_snapshot(at: AppTest) -> None:
    at.query_params["date"] = "2016-11-20"
    at.run()
    at.toggle(key="snap").set_value(True).run()
    assert not at.exception


def button_labels(at: AppTest) -> list[str]:
    return [str(b.proto.label) for b in at.button] + [str(b.proto.label) for b in at.get("download_button")]


def test_no_png_for_readers_by_default(app, monkeypatch):
    monkeypatch.delenv("MAP_BROWSER_WORK", raising=False)
    open_snapshot(app)
    app.toggle(key="cmp_show").set_value(True).run()
    labels = button_labels(app)
    assert "Download HTML" in labels and "Download the comparison (HTML)" in labels
    assert not any("PNG" in label for label in labels)
    assert sum(c.value == newsroom.NO_PNG for c in app.caption) == 2, "both places say why and what allows it"


@pytest.mark.parametrize(
    ("work", "editing", "png"),
    [("everyone", "", True), ("editors", "", False), ("editors", "1", True), ("none", "1", False)],
)
def test_the_operator_allows_pngs(app, monkeypatch, work, editing, png):
    monkeypatch.setenv("MAP_BROWSER_WORK", work)
    monkeypatch.setenv("MAP_EDITING", editing)
    open_snapshot(app)
    assert ("Make PNG" in button_labels(app)) is png
    assert any(c.value == newsroom.NO_PNG for c in app.caption) is not png


# (Streamlit cuts a box's text to its max_chars itself; guard.client_text's own length check is
# tested in test_guard.py.)
@pytest.mark.parametrize(
    ("field", "text", "said"),
    [
        ("snap_title", "Two\nlines", "control character (U+000A) at character 4"),
        ("snap_byline", "Desk \u202eevil", "control character (U+202E) at character 6"),
        ("snap_title", "Bell\x07", "control character (U+0007) at character 5"),
    ],
)
def test_a_bad_title_or_byline_is_refused_with_a_reason(app, field, text, said):
    open_snapshot(app)
    app.text_input(key=field).set_value(text).run()  # as a client sends it, not as the box lets one type
    warnings = [w.value for w in app.warning]
    assert any(markdown_text(said) in w for w in warnings), warnings
    assert "Download HTML" not in button_labels(app), "no snapshot is made with it"
    assert text not in "".join(c.value for c in app.code)


def test_a_good_title_reaches_the_snapshot_and_the_citation(app):
    open_snapshot(app)
    app.text_input(key="snap_title").input("Who held what, ‏شرق\u200c").run()
    assert "Download HTML" in button_labels(app) and not app.warning
    assert cite_line(app).startswith("Who held what, ‏شرق\u200c")


@pytest.mark.browser
def test_an_allowed_png_is_made_by_the_worker_with_its_text(app, monkeypatch):
    monkeypatch.setenv("MAP_BROWSER_WORK", "everyone")
    open_snapshot(app)
    next(b for b in app.button if str(b.proto.label) == "Make PNG").click().run()
    assert not app.exception and not app.info, [i.value for i in app.info]
    labels = button_labels(app)
    assert "Download PNG" in labels and "Download the PNG's text alternative" in labels
