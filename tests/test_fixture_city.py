"""A second place, from its data folder alone: Gridtown, an invented 4 x 3 grid in UTM zone 38N with
three invented sides. The validator, every CLI command, the payload, the snapshot (HTML and PNG) and
the app run on it with no code change, and show its sides, colours, labels, span and credit."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from PIL import Image
from test_app_browser import fills, open_map, serve

from geo.load import load_dataset
from geo.timeline import timeline_for
from layers.payload import build_payload
from layers.style import DISTRICT_STYLE
from snapshot import render_html

CITY = REPO / "tests" / "fixtures" / "gridtown"
SIDES = {"blue": ("Blue League", "#0077BB"), "red": ("Red Union", "#CC3311"), "green": ("Green Front", "#009988")}
TITLE = "Gridtown, 1–20 March 2020: who held each square (synthetic test data)"
CREDIT = "Squares: drawn by hand for the tests (a 4 × 3 grid)"
#: Words of the bundled place that must not leak into another one.
ALEPPO_WORDS = ("Aleppo", "حلب", "Government and allies", "Opposition", "SDF", "#BB5566", "#004488", "OCHA")
DAY = "2020-03-12"


def run(*args: str, module: str | None = "geo") -> subprocess.CompletedProcess:
    cmd = [sys.executable, *(("-m", module) if module else ()), *args]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def city():
    ds = load_dataset(CITY)
    return ds, timeline_for(ds)


def test_the_settings_come_from_its_folder(city):
    ds, tl = city
    s = ds.settings
    assert {x.id: (x.label("en"), x.colour) for x in s.sides} == SIDES
    assert s.crs == "EPSG:32638"  # estimated from the squares: not the bundled place's zone
    assert (tl.days[0].date().isoformat(), tl.days[-1].date().isoformat()) == ("2020-03-01", "2020-03-20")
    assert tl.sides == ("blue", "red", "green")
    x0, y0, x1, y1 = s.area
    assert x0 < 44.40 < 44.44 < x1 and y0 < 33.30 < 33.33 < y1  # the squares' extent plus a margin


def test_validate_passes():
    out = run(str(CITY), module="geo.validate")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 error(s), 0 warning(s); 12 districts" in out.stdout + out.stderr


def test_every_cli_command_runs_on_it(tmp_path):
    control = run("control", "--data", str(CITY), "--date", DAY, "--format", "json")
    assert control.returncode == 0, control.stderr
    states = {r["id"]: r["state"] for r in json.loads(control.stdout)}
    assert states["G06"] == "disputed" and states["G07"] == "green" and states["G03"] == "blue"
    areas = run("areas", "--data", str(CITY), "--date", DAY)
    assert areas.returncode == 0, areas.stderr
    assert "% of the Red Union's start area" in areas.stdout and "held (red) or gained (blue, green)" in areas.stdout
    changes = run("changes", "--data", str(CITY), "--from", "2020-03-01", "--to", "2020-03-20", "--format", "csv")
    assert changes.returncode == 0 and "G10,Juniper Square,red,1.0,blue" in changes.stdout
    history = run("history", "--data", str(CITY), "Fir")
    assert history.returncode == 0 and "the red union says it still holds Fir Square" in history.stdout
    for what, extra, name in (
        ("day", ["--date", DAY], "day.geojson"),
        ("package", [], "pkg.zip"),
        ("acled", [], "acled.csv"),
        ("intervals", [], "i.csv"),
        ("compare", ["--date", "2020-03-01", "--to", DAY], "c.csv"),
        ("text", ["--date", DAY], "t.txt"),
        ("about", [], "about.txt"),
    ):
        out = run("export", "--data", str(CITY), "--what", what, *extra, "--out", str(tmp_path / name))
        assert out.returncode == 0, (what, out.stderr)
    acled = (tmp_path / "acled.csv").read_text(encoding="utf-8")
    assert "Gridtown - Cedar Square" in acled and "The Blue League took" in acled and "Aleppo" not in acled
    text = (tmp_path / "t.txt").read_text(encoding="utf-8")
    assert "districts of Gridtown on 12 March 2020" in text and "Green Front took Ginkgo Square" in text
    assert "EPSG:32638" in (tmp_path / "about.txt").read_text(encoding="utf-8")


def test_the_payload_carries_its_sides_colours_labels_span_and_credit(city):
    ds, tl = city
    p = build_payload(ds, tl)
    assert p["codes"] == ["blue", "red", "green", "split", "disputed", "unknown"]
    assert {k: p["words"][f"state_{k}"] for k in SIDES} == {k: v[0] for k, v in SIDES.items()}
    assert p["credit"] == CREDIT and p["words"]["map_label"] == "Map of Gridtown districts by who held them"
    assert (p["days"][0], p["days"][-1]) == ("2020-03-01", "2020-03-20")
    for s in p["states"]:
        side = p["codes"][s[0]]
        if side in SIDES:
            assert p["styles"][s[6]]["fillColor"] == SIDES[side][1]
    legend = {
        r["label"]: p["styles"][r["swatch"]["style"]]["fillColor"] for r in p["legend"] if r["swatch"]["kind"] == "fill"
    }
    for label, colour in SIDES.values():
        assert legend[label] == colour
    text = json.dumps(p, ensure_ascii=False)
    assert not [w for w in ALEPPO_WORDS if w in text]


def test_the_snapshot_html_shows_the_place_and_nothing_of_the_bundled_one(city):
    ds, tl = city
    html = render_html(ds, tl, DAY)
    assert f"<h1>{TITLE}</h1>" in html and CREDIT in html and "Blue League" in html
    assert not [w for w in ALEPPO_WORDS if w in html]


def test_the_snapshot_command_writes_its_html(tmp_path):
    out = run("snapshot.py", "--data", str(CITY), "--date", DAY, "--html", str(tmp_path / "g.html"), module=None)
    assert out.returncode == 0, out.stderr
    html = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert TITLE in html and "Green Front" in html


# ------------------------------------------------------------------ in the browser


@pytest.fixture(scope="module")
def snapshot_files(tmp_path_factory):
    out = tmp_path_factory.mktemp("gridtown")
    done = run(
        "snapshot.py",
        "--data",
        str(CITY),
        "--date",
        DAY,
        "--html",
        str(out / "g.html"),
        "--png",
        str(out / "g.png"),
        module=None,
    )
    assert done.returncode == 0, done.stderr
    return out / "g.html", out / "g.png"


@pytest.mark.browser
def test_its_snapshot_legend_shows_the_three_sides_in_their_colours(offline_page, snapshot_files):
    page = offline_page
    page.goto(snapshot_files[0].as_uri())
    page.wait_for_function("window.ControlMap && ControlMap.instances[0] && ControlMap.instances[0].ready")
    rows = page.eval_on_selector_all(
        ".cm-legend li",
        "lis => lis.map(li => [li.innerText.trim(), li.querySelector('rect') && "
        "li.querySelector('rect').getAttribute('fill')])",
    )
    shown = dict(rows)
    for label, colour in SIDES.values():
        assert shown.get(label) == colour, rows
    assert page.inner_text(".cm-date") == "12 March 2020" and CREDIT in page.inner_text(".cm-credit")
    drawn = page.eval_on_selector_all(".leaflet-overlay-pane path", "ps => ps.map(p => p.getAttribute('fill'))")
    assert len(drawn) == 12 and {c for _, c in SIDES.values()} <= set(drawn)
    assert page.errors == [] and page.blocked == []


@pytest.mark.browser
def test_its_png_renders_in_its_colours(snapshot_files):
    img = Image.open(io.BytesIO(Path(snapshot_files[1]).read_bytes())).convert("RGB")
    assert img.width >= 1200
    common = [c for n, c in sorted(img.getcolors(maxcolors=1 << 22), reverse=True) if n > 10_000]
    alpha = DISTRICT_STYLE["fillOpacity"]
    for _, hexa in SIDES.values():
        side = [int(hexa[i : i + 2], 16) for i in (1, 3, 5)]
        # a large area of the side's colour laid at the districts' opacity over a grey background
        under = [[(c - alpha * s) / (1 - alpha) for c, s in zip(rgb, side, strict=True)] for rgb in common]
        assert any(max(u) - min(u) < 6 and 0 <= min(u) <= 256 for u in under), (hexa, common[:8])


@pytest.mark.browser
def test_the_app_runs_on_it(offline_page):
    for url in serve(CITY):
        frame = open_map(offline_page, url + f"/?date={DAY}")
        assert len(fills(frame)) == 12
        assert "Red Union" in frame.inner_text(".cm-legend") and CREDIT in frame.inner_text(".cm-credit")
        assert offline_page.title().startswith("Gridtown 2020")
        offline_page.wait_for_timeout(300)
        assert offline_page.errors == [] and offline_page.blocked == []
