"""Ids, numbers and dates: each read one way, or refused with the reason."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.fields import CaseFold, id_problem, lookalike_of, parse_day, parse_number


@pytest.mark.parametrize("text,value", [("0.5", 0.5), (".5", 0.5), ("1500", 1500.0), ("-3", -3.0), ("0.333", 0.333)])
def test_plain_numbers_are_read(text, value):
    assert parse_number(text) == (value, None)


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("2,5", "ambiguous: a comma"),
        ("10,000", "ambiguous: a comma"),
        ("1.500", "Write 1500 if it means 1500, or 1.5 if it is a decimal."),
        ("12.000.000", "Write 12000000 if it means 12000000."),
        ("nan", "not a number"),
        ("inf", "not a number"),
        ("1e400", "not a number"),
        ("1e3", "not a number"),
        ("", "not a number"),
        ("½", "not a number"),
        ("٣", "not a number"),
    ],
)
def test_other_numbers_are_refused_with_the_reason(text, fragment):
    value, why = parse_number(text)
    assert value is None and fragment in why


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("2016-02-30", "2016-02-30 is not a day: February 2016 has 29 days."),
        ("2015-02-29", "February 2015 has 28 days"),
        ("2016-13-01", "there is no month 13"),
        ("16/12/2016", "not a date in YYYY-MM-DD form"),
        ("2016-12-1", "not a date in YYYY-MM-DD form"),
        ("２０１６-12-01", "not a date in YYYY-MM-DD form"),
    ],
)
def test_impossible_and_malformed_dates(text, fragment):
    day, why = parse_day(text)
    assert day is None and fragment in why


def test_existing_day():
    assert parse_day("2016-02-29") == (dt.date(2016, 2, 29), None)


@pytest.mark.parametrize(
    "value,fragment",
    [
        ("", "is empty"),
        ("E 1", "whitespace"),
        ("E1\n", "whitespace"),
        ("\tE1", "whitespace"),
        ("E\x001", "U+0000"),
        ("E\u200b1", "U+200B ZERO WIDTH SPACE is invisible"),
        ("E\u202e1", "U+202E RIGHT-TO-LEFT OVERRIDE is invisible"),
        ("\u04151", "'Е' (U+0415 CYRILLIC CAPITAL LETTER IE) looks like 'E'"),
        ("N0\u03bf19", "'ο' (U+03BF GREEK SMALL LETTER OMICRON) looks like 'o'"),
        ("E\u03011", "U+0301 COMBINING ACUTE ACCENT is a mark on the letter before it"),
        ("\uff2501", "'Ｅ' (U+FF25 FULLWIDTH LATIN CAPITAL LETTER E) looks like 'E'"),
        ("caf\u00e9", "'é' (U+00E9 LATIN SMALL LETTER E WITH ACUTE) looks like 'e'"),
        ("حي", "'ح' (U+062D ARABIC LETTER HAH); 'ي' (U+064A ARABIC LETTER YEH)"),
        ('ab"c', "contains '\"', which an id may not hold"),
        ("a/b;c", "contains '/', ';', which an id may not hold"),
        ("-E1", "starts with '-'"),
        (".hidden", "starts with '.'"),
    ],
)
def test_bad_ids(value, fragment):
    assert fragment in id_problem(value)


@pytest.mark.parametrize(
    "value,ids,real",
    [
        ("w\u0456kipedia", ["wikipedia", "alpha"], "wikipedia"),  # a Cyrillic і
        ("N01\u200b19", ["N0119"], "N0119"),  # a zero-width space inside
        ("\u04151", ["E1", "E2"], "E1"),  # a Cyrillic Е
        ("E1", ["E1"], None),  # the id itself
        ("N01I9", ["N0119"], None),  # a Latin I for a 1 is a typo, not a look-alike character
        ("wikipedia2", ["wikipedia"], None),
    ],
)
def test_a_reference_differing_only_by_look_alikes_is_matched(value, ids, real):
    assert lookalike_of(value, ids) == real


def test_good_ids_and_case_only_differences():
    assert id_problem("N0119") is None and id_problem("alaff-p5") is None and id_problem("v1.2_b") is None
    seen = CaseFold()
    assert seen.clash("E1", 2) is None and seen.clash("E2", 3) is None
    assert seen.clash("E1", 4) is None, "the same id again is a duplicate, not a case clash"
    assert seen.clash("e1", 5) == ("E1", 2)
