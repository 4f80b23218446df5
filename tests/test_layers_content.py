"""Tooltip/popup HTML: names, state, share, claims with sources; every data text escaped."""

from __future__ import annotations

import pandas as pd

from layers.content import claim_html, district_html, names_html, source_html, source_index

EVIL = "<script>alert(1)</script>`${x}`\\"


def index(url: str = "https://example.org/a") -> dict:
    sources = pd.DataFrame([{"key": "a", "title": EVIL, "publisher": "P", "date": "2016-12-01", "url": url,
                             "stance": ""}])
    return source_index(sources)


def test_source_link_is_escaped_and_only_http():
    html = source_html("a", index())
    assert '<a href="https://example.org/a"' in html and "<script>" not in html
    assert "`" not in html and "${" not in html and "\\" not in html
    assert "<a " not in source_html("a", index("javascript:alert(1)"))


def test_names_carry_arabic_right_to_left():
    assert names_html("Bustan al-Qasr", "بستان القصر") == (
        '<b>Bustan al-Qasr</b> <span dir="rtl" lang="ar">بستان القصر</span>')


def test_split_district_card_gives_holder_share_rest_and_claim():
    claim = {"date": pd.Timestamp("2016-11-20"), "controller": "government", "share": 0.33,
             "source": "a", "precision": "day", "note": EVIL}
    row = {"controller": "contested", "holder": "government", "rest": "opposition", "share": 0.33,
           "disputed": False, "since": pd.Timestamp("2016-11-20"), "claims": (claim,)}
    html = district_html(names_html("Middle", "حي"), row, index())
    assert "Government and allies holds 33%, Opposition the rest" in html
    assert "since 2016-11-20" in html
    assert html.count("<li>") == 1 and "<script>" not in html and "`" not in html


def test_disputed_card_lists_every_claim():
    claims = tuple({"date": pd.Timestamp("2016-12-01"), "controller": c, "share": None, "source": "a",
                    "precision": "day", "note": ""} for c in ("government", "opposition"))
    row = {"controller": "contested", "holder": "government", "rest": "opposition", "share": 1.0,
           "disputed": True, "since": pd.Timestamp("2016-12-01"), "claims": claims}
    html = district_html("<b>East</b>", row, index())
    assert "Disputed: sources disagree" in html and html.count("<li>") == 2


def test_claim_marks_approximate_dates():
    claim = {"date": "2016-12-05", "controller": "sdf", "share": None, "source": "zz",
             "precision": "approximate", "note": ""}
    assert "approximate date" in claim_html(claim, {})


def test_a_quoted_party_is_named_beside_the_source():
    claim = {"controller": "government", "share": float("nan"), "date": "2016-12-16", "source": "a",
             "precision": "approximate", "note": "", "claimant": "Russian MoD " + EVIL}
    html = claim_html(claim, index())
    assert "(claim by Russian MoD &lt;script&gt;" in html and "<script>" not in html
    assert "claim by" not in claim_html(claim | {"claimant": ""}, index())
