"""map.toml: read into Settings, every bad field a clear problem, defaults when the file is absent."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from conftest import DATA, TINY_EVENTS, TINY_MAP, write_data

from geo.load import check_dataset, load_dataset
from geo.problems import Problem, has_errors
from geo.settings import DEFAULT_COLOURS, SCHEMA, Settings, load_settings, read_settings, read_settings_bytes

GOOD = """
title = { en = "Testville: who held each block", ar = "تستفيل" }
place = { en = "Testville" }
first = 2020-03-01
last = "2020-03-20"
languages = ["en", "ar"]
credit = { en = "Blocks: drawn by hand" }
yardstick = "b"

[[sides]]
id = "a"
label = { en = "Side A", ar = "الطرف أ" }
colour = "#112233"

[[sides]]
id = "b"
label = "Side B"
colour = "#445566"
"""


def test_a_good_file_gives_every_field():
    s, problems = read_settings(GOOD, "data/map.toml")
    assert problems == []
    assert s.side_ids == ("a", "b") and s.colours == {"a": "#112233", "b": "#445566"}
    assert s.side("a").label("ar") == "الطرف أ" and s.side("b").label("ar") == "Side B"  # English when none
    assert (s.first, s.last) == (dt.date(2020, 3, 1), dt.date(2020, 3, 20))
    assert s.text("title", "ar") == "تستفيل" and s.text("credit", "ar") == "Blocks: drawn by hand"
    assert s.languages == ("en", "ar") and s.yardstick == "b" and s.slug == "testville"
    assert s.crs is None and s.area is None  # derived from the districts by geo.settings.resolve


# One row per bad input: (case, text appended to GOOD or replacing it, field, fragment of the message).
BAD = [
    ("not TOML", "title = [", None, "not valid TOML"),
    (
        "side colour spelt color",
        GOOD.replace('colour = "#112233"', 'color = "#112233"'),
        "sides[1].colour",
        "side 'a' has no colour",
    ),
    ("bad colour", GOOD.replace("#112233", "red"), "sides[1].colour", "not a #RRGGBB colour"),
    ("side called unknown", GOOD.replace('id = "a"', 'id = "unknown"'), "sides[1].id", "is a state word"),
    ("side twice", GOOD.replace('id = "b"', 'id = "a"'), "sides[2].id", "is used twice"),
    ("side id with a space", GOOD.replace('id = "a"', 'id = "side a"'), "sides[1].id", "contains whitespace"),
    ("side id in capitals", GOOD.replace('id = "a"', 'id = "Side"'), "sides[1].id", "not a plain id"),
    (
        "side id with a Cyrillic letter",
        GOOD.replace('id = "a"', 'id = "\u0430"'),
        "sides[1].id",
        "'а' (U+0430 CYRILLIC SMALL LETTER A) looks like 'a'",
    ),
    ("side without a label", GOOD.replace('label = "Side B"\n', ""), "sides[2].label", "side 'b' has no label"),
    ("side without a colour", GOOD.replace('colour = "#445566"\n', ""), "sides[2].colour", "side 'b' has no colour"),
    (
        "pattern not drawn",
        GOOD.replace('colour = "#112233"', 'colour = "#112233"\npattern = "dots"'),
        "sides[1].pattern",
        "not one the map draws",
    ),
    ("last before first", GOOD.replace('last = "2020-03-20"', "last = 2020-02-01"), "last", "before 'first'"),
    ("not a day", GOOD.replace("first = 2020-03-01", 'first = "1 March"'), "first", "is not a day"),
    ("a day out of range", GOOD.replace('last = "2020-03-20"', "last = 9999-12-31"), "last", "outside 1900-01-01"),
    ("a first day out of range", GOOD.replace("first = 2020-03-01", "first = 0001-01-01"), "first", "outside"),
    (
        "a span of ten years (a mistyped year)",
        GOOD.replace('last = "2020-03-20"', "last = 2030-03-20"),
        "last",
        "is 3,671 days (10.1 years), longer than the 732 days",
    ),
    (
        "long_span false does not confirm it",
        "long_span = false\n" + GOOD.replace('last = "2020-03-20"', "last = 2030-03-20"),
        "last",
        "longer than the 732 days",
    ),
    ("unknown language", GOOD.replace('["en", "ar"]', '["en", "fr"]'), "languages", "no words for"),
    ("no language", GOOD.replace('["en", "ar"]', "[]"), "languages", "'languages' is empty"),
    ("CRS in degrees", 'crs = "EPSG:4326"\n' + GOOD, "crs", "not a projected CRS in metres"),
    ("CRS unknown", 'crs = "EPSG:999999"\n' + GOOD, "crs", "not a projected CRS"),
    ("area upside down", "area = [45.0, 34.0, 44.0, 33.0]\n" + GOOD, "area", "not a lon/lat box"),
    ("yardstick not a side", GOOD.replace('yardstick = "b"', 'yardstick = "c"'), "yardstick", "not one of the sides"),
    (
        "yardstick a look-alike of a side",
        GOOD.replace('yardstick = "b"', 'yardstick = "\u0432"'),
        "yardstick",
        "not one of the sides",
    ),
    (
        "front naming a side by a look-alike",
        'front = ["a", "\u0430"]\n' + GOOD,
        "front",
        "'а' differs from 'a' only by look-alike characters ('а' (U+0430 CYRILLIC SMALL LETTER A) looks like 'a')",
    ),
    ("front of one side", 'front = ["a"]\n' + GOOD, "front", "two or more of the sides"),
    ("acled state forces not a side", 'acled = { state_forces = ["c"] }\n' + GOOD, "acled.state_forces", "not one of"),
    ("empty file", "", None, "holds no settings"),
    ("only comments", '# title = "x"\n\n', None, "holds no settings"),
    ("last line without a line break", GOOD.rstrip("\n"), None, "does not end with a line break"),
    ("nested 2,000 deep", "title = " + "[" * 2000 + "]" * 2000 + "\n", None, "nested too deeply"),
    ("tables nested 2,000 deep", "acled = " + "{ a = " * 2000 + "1" + " }" * 2000 + "\n", None, "nested too"),
]


@pytest.mark.parametrize("case,text,field,fragment", BAD, ids=[b[0] for b in BAD])
def test_each_bad_field_is_a_clear_problem(case, text, field, fragment):
    _, problems = read_settings(text, "data/map.toml")
    errors = [p for p in problems if fragment in p.message and p.severity == "error"]
    assert errors, [str(p) for p in problems]
    p = errors[0]
    assert p.file == "data/map.toml" and p.field == field and p.hint  # what to do
    assert "map.toml" in str(p) and (field is None or field in str(p))


# The schema, key by key: (key, a value of its kind, a value of another kind, what the error says it
# must be). The valid value is read without a problem, the invalid one refused naming the key.
SCHEMA_PAIRS = [
    ("title", 'title = "Testville"', 'title = ["Testville"]', "'title' must be text, or one text per language"),
    ("title", 'title = { en = "T", ar = "ت" }', "title = { en = 3 }", "it is a table"),
    ("subtitle", 'subtitle = "S"', "subtitle = 2020-01-01", "it is a date"),
    ("place", 'place = { en = "Testville" }', "place = true", "it is true or false"),
    ("first", "first = 2020-03-01", "first = 12:00:00", "'first' must be a day; it is a time of day"),
    ("last", 'last = "2020-03-20"', "last = 20200320", "'last' must be a day; it is a whole number"),
    ("long_span", "long_span = true", 'long_span = "yes"', "'long_span' must be true or false"),
    ("languages", 'languages = ["en", "ar"]', "languages = { en = 1 }", "'languages' must be a list of texts"),
    ("languages", 'languages = "en"', "languages = [1, 2]", "'languages' must be a list of texts"),
    ("credit", 'credit = { en = "C" }', 'credit = [{ en = "C" }]', "it is a list"),
    ("licence", 'licence = "CC BY 4.0"', "licence = 4.0", "it is a number"),
    ("crs", 'crs = "EPSG:32637"', "crs = 32637", "'crs' must be a text in quotes"),
    ("area", "area = [37.0, 36.0, 37.5, 36.5]", "area = [37, 36, 37.5]", "'area' must be a lon/lat box"),
    ("area", "area = [37, 36, 38, 37]", 'area = ["37", "36", "38", "37"]', "'area' must be a lon/lat box"),
    ("yardstick", 'yardstick = "a"', 'yardstick = ["a"]', "'yardstick' must be a text in quotes"),
    ("front", 'front = ["a", "b"]', 'front = "a, b"', "'front' must be a list of texts"),
    ("front", 'front = ["a", "b"]', 'front = [["a"], ["b"]]', "'front' must be a list of texts"),
    ("acled", 'acled = { country = "Testland" }', 'acled = ["Testland"]', "'acled' must be a table"),
    ("acled.iso", "acled = { iso = 760 }", 'acled = { iso = "760" }', "'acled.iso' must be a whole number"),
    ("acled.state_forces", 'acled = { state_forces = ["a"] }', 'acled = { state_forces = "a" }', "a list of texts"),
    ("acled.location", 'acled = { location = "T" }', "acled = { location = { en = 1 } }", "a text in quotes"),
    ("sides", "", "sides = 3", "'sides' must be a list of tables"),
    ("sides", "", '[sides]\nid = "c"', "'sides' must be a list of tables"),
    ("sides[3].id", '[[sides]]\nid = "c"\nlabel = "C"\ncolour = "#000000"', "[[sides]]\nid = 3", "a text in quotes"),
    (
        "sides[3].label",
        '[[sides]]\nid = "c"\nlabel = "C"\ncolour = "#000000"',
        '[[sides]]\nid = "c"\nlabel = ["C"]\ncolour = "#000000"',
        "must be text",
    ),
    (
        "sides[3].colour",
        '[[sides]]\nid = "c"\nlabel = "C"\ncolour = "#000000"',
        '[[sides]]\nid = "c"\nlabel = "C"\ncolour = [0, 0, 0]',
        "a text in quotes",
    ),
    (
        "sides[3].pattern",
        '[[sides]]\nid = "c"\nlabel = "C"\ncolour = "#000000"\npattern = "solid"',
        '[[sides]]\nid = "c"\nlabel = "C"\ncolour = "#000000"\npattern = {}',
        "a text in quotes",
    ),
]
#: GOOD without its own values for the keys the pairs set, so that each pair's line is the only one.
BASE = GOOD.replace('yardstick = "b"\n', "").replace('languages = ["en", "ar"]\n', "")


def _with(line: str) -> str:
    """BASE with ``line`` put where it belongs: a top-level key before the sides, a side after them;
    ``sides`` itself replaces BASE's sides."""
    if line.startswith(("sides =", "[sides]")):
        top = BASE.split("[[sides]]")[0]
        return top + line + "\n" if line.startswith("[") else line + "\n" + top
    if line.startswith("[[") or not line:
        return BASE + "\n" + line + "\n"
    body = "\n".join(ln for ln in BASE.splitlines() if not ln.startswith(line.split(" = ")[0] + " = "))
    return line + "\n" + body + "\n"


@pytest.mark.parametrize("key,valid,invalid,fragment", SCHEMA_PAIRS, ids=[f"{p[0]}: {p[2]}" for p in SCHEMA_PAIRS])
def test_the_schema_reads_each_kind_and_refuses_another(key, valid, invalid, fragment):
    _, problems = read_settings(_with(valid), "data/map.toml")
    assert problems == [], [str(p) for p in problems]
    _, problems = read_settings(_with(invalid), "data/map.toml")
    errors = [p for p in problems if p.severity == "error" and p.field == key]
    assert errors and fragment in errors[0].message, [str(p) for p in problems]
    assert errors[0].hint.startswith("Write e.g."), errors[0].hint


#: A value of every TOML kind, and some deep or odd ones, as TOML text.
ODD_VALUES = [
    '"text"',
    "3",
    "-0.5",
    "true",
    "2016-11-15",
    "2016-11-15T10:00:00Z",
    "[]",
    '["a", "b"]',
    "{}",
    "{ en = 1 }",
    '{ en = "x", fr = "y" }',
    "{ a = " * 100 + "1" + " }" * 100,
    '"' + "x" * 5000 + '"',
    '"\\u0000"',
]
#: Values no key of map.toml takes: each is an error naming the key wherever it is put.
WRONG_EVERYWHERE = ["10:00:00", "[1, [2, [3]]]", "[{ a = 1 }]", "[" * 400 + "]" * 400, "[true, 2016-11-15]"]


def _replaced(path: str, value: str) -> str:
    """The bundled map.toml with the value of ``path`` (a top-level key, or ``sides[n].key``) replaced."""
    lines = TINY_MAP.splitlines()
    side, key = (int(path[6]), path.split(".")[1]) if path.startswith("sides[") else (0, path)
    seen = 0
    for i, line in enumerate(lines):
        seen += line.startswith("[[sides]]")
        if seen == side and line.startswith(key + " = "):
            lines[i] = f"{key} = {value}"
            return "\n".join(lines) + "\n"
    raise AssertionError(f"{path} is not in the bundled map.toml")


BUNDLED_PATHS = [
    *(k for k in SCHEMA if k not in ("sides", "long_span")),
    *(f"sides[{n}].{k}" for n in (1, 2) for k in ("id", "label", "colour")),
]


@pytest.mark.parametrize("path", BUNDLED_PATHS)
def test_any_value_in_any_place_is_a_problem_never_a_traceback(path):
    for value in ODD_VALUES + WRONG_EVERYWHERE:
        _, problems = read_settings(_replaced(path, value), "data/map.toml")
        assert all(isinstance(p, Problem) and p.file == "data/map.toml" and p.hint for p in problems)
    for value in WRONG_EVERYWHERE:
        _, problems = read_settings(_replaced(path, value), "data/map.toml")
        assert any(p.severity == "error" and p.field == path for p in problems), (value, [str(p) for p in problems])


def test_an_unknown_key_is_a_warning_naming_it():
    _, problems = read_settings(GOOD.replace('colour = "#445566"', 'colour = "#445566"\nshade = 2'), "data/map.toml")
    (p,) = problems
    assert p.severity == "warning" and p.field == "sides[2].shade" and "unknown key" in p.message and "colour" in p.hint


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe t\x00i\x00",  # UTF-16
        b'title = "caf\xe9"\n',  # Latin-1
        'title = "حلب"\n'.encode()[:-3],  # a character cut in two
        b"\x00" * 10,
        b"[[[[[[[[[[" * 300,
        b"\xef\xbb\xbf",  # a byte-order mark and nothing else
    ],
)
def test_any_bytes_give_problems_and_the_page_title_still_loads(tmp_path, raw):
    settings, problems = read_settings_bytes(raw, "data/map.toml")
    assert has_errors(problems) and all(p.file == "data/map.toml" and p.hint for p in problems)
    (tmp_path / "map.toml").write_bytes(raw)
    assert load_settings(tmp_path) == Settings()  # the app's page title before the data is checked


def test_a_character_cut_in_two_says_the_file_may_be_cut_short():
    _, problems = read_settings_bytes('title = "حلب"\n'.encode()[:-3], "data/map.toml")
    assert "may be cut short" in problems[0].message


def test_a_byte_order_mark_is_accepted(tmp_path):
    plain, problems = read_settings(TINY_MAP, "data/map.toml")
    with_bom, bom_problems = read_settings_bytes(b"\xef\xbb\xbf" + TINY_MAP.encode(), "data/map.toml")
    assert problems == bom_problems == [] and with_bom == plain
    (tmp_path / "map.toml").write_bytes(b"\xef\xbb\xbf" + TINY_MAP.encode())
    assert load_settings(tmp_path) == plain


@pytest.mark.parametrize("text", ['title = "Testville"\n', '# a title only\ntitle = { en = "Testville" }\n'])
def test_a_minimal_file_stays_valid(tmp_path, text):
    settings, problems = read_settings(text, "data/map.toml")
    assert problems == [] and settings.text("title") == "Testville" and not settings.declared_sides
    ds, problems = check_dataset(write_data(tmp_path / "data", settings=text))
    assert ds is not None and not has_errors(problems), [str(p) for p in problems]


def test_a_long_span_confirmed_is_read():
    text = "long_span = true\n" + GOOD.replace('last = "2020-03-20"', "last = 2030-03-20")
    settings, problems = read_settings(text, "data/map.toml")
    assert problems == [] and settings.long_span and settings.last == dt.date(2030, 3, 20)


def test_a_span_the_events_make_too_long_is_refused_at_the_mistyped_event(tmp_path):
    events = TINY_EVENTS + "E99,2026-11-30,T1,government,,alpha,day,a typo'd year\n"
    ds, problems = check_dataset(write_data(tmp_path / "data", events=events, settings=None))
    p = next(p for p in problems if "longer than the 732 days" in p.message)
    assert ds is None and p.file == "data/events.csv" and p.index == 12 and p.field == "date" and "long_span" in p.hint


def test_a_span_far_past_the_last_event_or_before_the_first_is_warned(tmp_path):
    text = TINY_MAP.replace("first = 2016-11-15", "first = 2016-01-15").replace(
        "last = 2016-12-22", "last = 2017-10-22"
    )
    ds, problems = check_dataset(write_data(tmp_path / "data", settings=text))
    warned = {p.field: p.message for p in problems if p.severity == "warning" and p.file == "data/map.toml"}
    assert ds is not None and set(warned) == {"first", "last"}, [str(p) for p in problems]
    assert "runs 325 days past the last event (2016-12-01, line 9 of events.csv)" in warned["last"]
    assert "starts 305 days before the first event (2016-11-15, line 2 of events.csv)" in warned["first"]


def test_the_bundled_span_is_not_warned_about(tmp_path):
    ds, problems = check_dataset(write_data(tmp_path / "data"))  # the tiny events end on 1 Dec, three weeks early
    assert ds is not None and not [p for p in problems if p.field in ("first", "last")]


@pytest.mark.parametrize(
    "crs,fragment",
    [
        ("EPSG:3857", "(+3.23 km², +53.9%)"),  # Web Mercator at 36.2° N: 1 / cos² 36.2° = 1.54
        ("EPSG:32637", None),  # UTM 37N, 1.9° from its central meridian: -0.01%
        ("EPSG:6933", None),  # equal-area by construction
        ("EPSG:32631", "+"),  # UTM 31N, 34° from its central meridian
    ],
)
def test_a_crs_that_is_not_equal_area_is_warned_with_its_error(tmp_path, crs, fragment):
    text = TINY_MAP.replace('crs = "EPSG:32637"', f'crs = "{crs}"')
    ds, problems = check_dataset(write_data(tmp_path / "data", settings=text))
    warned = [p for p in problems if p.field == "crs"]
    assert ds is not None, [str(p) for p in problems]
    if fragment is None:
        assert warned == []
    else:
        (p,) = warned
        assert p.severity == "warning" and p.file == "data/map.toml" and fragment in p.message
        assert "km²" in p.message and "EPSG:32637" in p.hint


def test_every_cut_of_the_bundled_settings_is_an_error_or_the_whole(tmp_path):
    """A map.toml cut at any line, or any seventh byte, is refused, or reads exactly as the whole file."""
    raw = (DATA / "map.toml").read_bytes()
    whole = load_dataset(DATA).settings
    folder = shutil.copytree(DATA, tmp_path / "data")
    ends = [i + 1 for i, b in enumerate(raw) if b == ord("\n")]
    cuts = sorted({0, *ends, *range(0, len(raw), 7)})
    loaded = []
    for at in cuts:
        if has_errors(read_settings_bytes(raw[:at], "data/map.toml")[1]):
            continue
        (folder / "map.toml").write_bytes(raw[:at])
        ds, problems = check_dataset(folder)
        assert ds is None or ds.settings == whole, (at, raw[:at][-80:])
        loaded.append(at)
    assert len(cuts) > 400 and loaded[-1] == len(raw), loaded  # the whole file, and no more than a few cuts, load


def test_a_bad_settings_file_stops_the_dataset_with_its_problem_not_a_traceback(tmp_path):
    folder = write_data(tmp_path / "data", settings=GOOD.replace("#112233", "#12345"))
    ds, problems = check_dataset(folder)
    assert ds is None
    assert any(p.file == "data/map.toml" and p.field == "sides[1].colour" and p.severity == "error" for p in problems)


def test_events_must_name_a_declared_side(tmp_path):
    folder = write_data(tmp_path / "data", settings=GOOD)  # sides a and b; the tiny events name government...
    ds, problems = check_dataset(folder)
    bad = [p for p in problems if p.field == "controller"]
    assert ds is None and bad and "unknown controller 'government'" in bad[0].message
    assert "a, b, contested" in bad[0].hint and "map.toml" in bad[0].hint


def test_without_a_settings_file_the_sides_span_crs_and_area_come_from_the_data(tmp_path):
    ds, problems = check_dataset(write_data(tmp_path / "data", settings=None))
    assert ds is not None, [str(p) for p in problems]
    s = ds.settings
    assert s.side_ids == ("government", "opposition", "sdf")  # in order of first use in events.csv
    assert list(s.colours.values()) == list(DEFAULT_COLOURS[:3])
    assert (s.first, s.last) == (dt.date(2016, 11, 15), dt.date(2016, 12, 1))  # first and last event
    assert s.crs == "EPSG:32637"  # the tiny squares' UTM zone
    x0, y0, x1, y1 = s.area
    assert x0 < 37.13 and y0 < 36.19 and x1 > 37.16 and y1 > 36.21


def test_an_overlay_outside_the_default_area_is_refused(tmp_path):
    folder = write_data(tmp_path / "data", settings=None)
    far = (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "C1", '
        '"name": "Far", "source": "alpha", "active_from": "2016-11-20", "active_to": "2016-11-22"}, '
        '"geometry": {"type": "Point", "coordinates": [39.5, 36.2]}}]}'
    )
    (folder / "checkpoints.geojson").write_text(far, encoding="utf-8")
    ds, problems = check_dataset(folder)
    out = [p for p in problems if "outside the map's area" in p.message]
    assert ds is None and out and out[0].file == "data/checkpoints.geojson" and out[0].field == "coordinates"


def test_an_event_years_outside_the_span_is_refused(tmp_path):
    events = TINY_EVENTS + "E99,2026-11-30,T1,government,,alpha,day,a typo'd year\n"
    ds, problems = check_dataset(write_data(tmp_path / "data", events=events))
    assert ds is None and any(p.field == "date" and "outside" in p.message for p in problems)
