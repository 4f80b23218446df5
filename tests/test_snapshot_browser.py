"""The snapshot page and pictures in real headless Chromium, with every network request blocked."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import DATA, tiny_features, write_data
from PIL import Image, ImageStat

import snapshot
from geo.load import load_dataset
from geo.timeline import timeline_for
from snapshot import render_html

pytestmark = pytest.mark.browser
EVIL = '<img src=x onerror="window.pwned=1">'
FILLS = "() => [...document.querySelectorAll('.leaflet-overlay-pane path')].map(p => p.getAttribute('fill'))"
M = "ControlMap.instances[0]"
READY = "window.ControlMap && ControlMap.instances[0] && ControlMap.instances[0].ready"
REFS = """() => [...document.querySelectorAll('[src],[href],[srcset]')]
    .map(e => [e.tagName, e.getAttribute('src') || e.getAttribute('href') || e.getAttribute('srcset'),
               !!e.closest('.cm-sources')])"""


def _write(tmp_path: Path, folder: Path, day: str, name: str = "a.html", **kw) -> Path:
    ds = load_dataset(folder)
    tl = timeline_for(ds)
    out = tmp_path / name
    out.write_text(render_html(ds, tl, day, **kw), encoding="utf-8")
    return out


def _open(page, path: Path):
    page.goto(path.as_uri())
    page.wait_for_function(READY)
    return page


def _no_trouble(page) -> None:
    assert page.errors == [] and page.blocked == []
    assert page.evaluate("performance.getEntriesByType('resource').length") == 0


def test_page_draws_every_district_and_the_slider_restyles_them(offline_page, tiny_dir, tmp_path):
    page = _open(offline_page, _write(tmp_path, tiny_dir, "2016-11-22"))
    assert page.inner_text(".cm-date") == "22 November 2016"
    fills = page.evaluate(FILLS)
    assert len(fills) == 6
    # government, opposition, sdf, unknown grey and a two-tone split (stripes pattern)
    assert len(set(fills)) >= 3 and any(f.startswith("url(#cm-pat-") for f in fills)
    page.focus(".cm-slider")
    page.keyboard.press("Home")
    assert page.inner_text(".cm-date") == "15 November 2016"
    first = page.evaluate(FILLS)
    assert first != fills and len(first) == 6
    page.keyboard.press("End")
    assert page.inner_text(".cm-date") == "22 December 2016"
    assert page.evaluate(FILLS) not in (first, fills)
    assert page.evaluate(f"{M}.day()") == 37
    _no_trouble(page)


def test_a_date_in_the_link_opens_that_day(offline_page, tiny_dir, tmp_path):
    path = _write(tmp_path, tiny_dir, "2016-11-22")
    offline_page.goto(path.as_uri() + "#2016-12-01")
    offline_page.wait_for_function(READY)
    assert offline_page.inner_text(".cm-date") == "1 December 2016"
    assert offline_page.input_value(".cm-slider") == "16"
    _no_trouble(offline_page)


def test_play_button_scrubs_through_the_offensive(offline_page, tiny_dir, tmp_path):
    page = _open(offline_page, _write(tmp_path, tiny_dir, "2016-12-20"))
    page.click(".cm-play")
    page.wait_for_function(f"{M}.day() === 37", timeout=8000)
    page.wait_for_function("document.querySelector('.cm-play').getAttribute('aria-label') === 'Play'")
    page.click(".cm-play")  # at the end, play starts again from the first day
    page.wait_for_function(f"{M}.day() < 3", timeout=3000)
    _no_trouble(page)


def test_rendered_page_names_nothing_outside_itself(offline_page, tiny_dir, tmp_path):
    page = _open(offline_page, _write(tmp_path, tiny_dir, "2016-12-01"))
    refs = [r for r in page.evaluate(REFS) if not r[1].startswith("#")]  # zoom buttons: href="#"
    assert refs == [["A", "https://example.org/a", True]]  # only the source link
    _no_trouble(page)


def test_tooltip_shows_data_text_literally(offline_page, tmp_path):
    feats = tiny_features()
    feats[1]["properties"]["name"] = EVIL
    folder = write_data(tmp_path / "d", features=feats)
    page = _open(offline_page, _write(tmp_path, folder, "2016-11-22"))
    paths = page.locator(".leaflet-overlay-pane path")
    paths.nth(1).hover()
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for()
    text = tip.inner_text()
    assert EVIL in text and "about 33%" in text
    paths.nth(1).click()
    claims = page.inner_text(".cm-panel")
    assert EVIL in claims and "Alpha report" in claims and "33% of the district" in claims
    assert page.locator(".leaflet-tooltip img, .cm-panel img").count() == 0
    assert page.evaluate("window.pwned") is None
    _no_trouble(page)


def test_fits_a_phone_iframe(offline_page, tmp_path):
    page_file = _write(tmp_path, DATA, "2016-12-13")
    host = tmp_path / "article.html"
    host.write_text(
        f'<!DOCTYPE html><body style="margin:0"><iframe src="{page_file.name}" width="360" '
        'height="600" style="border:0"></iframe></body>',
        encoding="utf-8",
    )
    offline_page.set_viewport_size({"width": 360, "height": 700})
    offline_page.goto(host.as_uri())
    frame = offline_page.frames[1]
    frame.wait_for_function(READY)
    size = frame.evaluate("""() => ({scroll: document.documentElement.scrollWidth,
        map: document.querySelector('.cm-mapslot').getBoundingClientRect().toJSON(),
        slider: document.querySelector('.cm-slider').getBoundingClientRect().width,
        legend: document.querySelector('.cm-legend').getBoundingClientRect().top})""")
    assert size["scroll"] <= 360
    assert size["map"]["width"] > 300 and size["map"]["height"] > 180
    assert size["slider"] > 200 and size["legend"] <= 600
    n_districts = len(load_dataset(DATA).districts)
    assert len(frame.evaluate(FILLS)) == n_districts
    _no_trouble(offline_page)


def test_arabic_page_runs_right_to_left(offline_page, tiny_dir, tmp_path):
    page = _open(offline_page, _write(tmp_path, tiny_dir, "2016-11-22", lang="ar"))
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.inner_text(".cm-date") == "22 تشرين الثاني 2016"
    assert "المعارضة" in page.inner_text(".cm-legend")
    _no_trouble(page)


#: Each shown word's element and the font families its style asks for, unless they are the body's.
OTHER_FACES = """() => {
    const body = getComputedStyle(document.body).fontFamily, out = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const el = n.parentElement, box = el.getBoundingClientRect();
        if (!n.textContent.trim() || !box.width || el.closest('script, style')) continue;
        const face = getComputedStyle(el).fontFamily;
        if (face !== body) out.push([el.tagName, el.className.baseVal ?? el.className, n.textContent.trim(), face]);
    }
    for (const el of document.querySelectorAll('select, input')) {
        const face = getComputedStyle(el).fontFamily;
        if (face !== body) out.push([el.tagName, el.className, el.value, face]);
    }
    return out;
}"""


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_word_on_the_page_is_set_in_the_pages_typeface(offline_page, tiny_dir, tmp_path, lang):
    # Buttons and menus take the browser's own face unless told otherwise (an Arabic "Play" in
    # another face than the words beside it), and Leaflet's zoom buttons ask for Lucida Console.
    page = _open(offline_page, _write(tmp_path, tiny_dir, "2016-11-22", lang=lang))
    assert page.locator(".cm-play").is_visible() and page.locator(".leaflet-control-zoom-in").is_visible()
    assert page.evaluate(OTHER_FACES) == []


def test_png_has_the_size_asked_for_and_is_not_blank(tmp_path):
    ds = load_dataset(DATA)
    html = render_html(ds, timeline_for(ds), "2016-12-13")
    out = tmp_path / "a.png"
    snapshot.render_png(html, out, width=640, height=420, scale=2)
    with Image.open(out) as img:
        assert img.size == (1280, 840)
        rgb = img.convert("RGB")
        assert len(rgb.getcolors(1 << 20)) > 50
        assert min(ImageStat.Stat(rgb).stddev) > 20
        gov = (0xBB, 0x55, 0x66)  # the government fill, blended with the map's background
        small = rgb.resize((320, 210))
        assert any(sum(abs(a - b) for a, b in zip(px, gov, strict=True)) < 60 for px in small.getdata())


def test_all_days_and_gif_have_one_frame_per_day(tiny_dir, tmp_path):
    gif, pngs = tmp_path / "a.gif", tmp_path / "days"
    code = snapshot.main(
        [
            "--data",
            str(tiny_dir),
            "--date",
            "2016-11-20",
            "--gif",
            str(gif),
            "--all-days",
            str(pngs),
            "--width",
            "240",
            "--height",
            "200",
            "--scale",
            "1",
            "--static",
        ]
    )
    assert code == 0
    files = sorted(pngs.iterdir())
    assert len(files) == 38 and files[0].name == "2016-11-15.png" and files[-1].name == "2016-12-22.png"
    with Image.open(files[0]) as img:
        assert img.size == (240, 200)
    with Image.open(gif) as img:
        assert img.n_frames == 38 and img.size == (240, 200)
        img.seek(0)
        first = img.convert("RGB").tobytes()
        img.seek(37)
        assert img.convert("RGB").tobytes() != first


def test_cli_html_and_png_for_the_article(tiny_dir, tmp_path):
    html, png = tmp_path / "a.html", tmp_path / "a.png"
    assert (
        snapshot.main(
            [
                "--data",
                str(tiny_dir),
                "--date",
                "2016-12-13",
                "--html",
                str(html),
                "--png",
                str(png),
                "--width",
                "500",
                "--height",
                "400",
                "--lang",
                "ar",
            ]
        )
        == 0
    )
    assert 'dir="rtl"' in html.read_text(encoding="utf-8")
    with Image.open(io.BytesIO(png.read_bytes())) as img:
        assert img.size == (1000, 800)


def test_print_mode_keeps_title_date_legend_and_credit_in_the_picture(offline_page, tmp_path):
    page = _open(offline_page, _write(tmp_path, DATA, "2016-12-13"))
    page.evaluate(f"{M}.print(true)")
    boxes = page.evaluate("""() => Object.fromEntries([['title', '.cm-head h1'], ['date', '.cm-date'],
        ['legend', '.cm-legend'], ['credit', '.cm-credit'], ['map', '.cm-mapslot'], ['controls', '.cm-controls']]
        .map(([k, sel]) => [k, document.querySelector(sel).getBoundingClientRect().toJSON()]))""")
    for name in ("title", "date", "legend", "credit", "map"):
        box = boxes[name]
        assert box["height"] > 0 and box["top"] >= 0 and box["bottom"] <= 900, name
    assert boxes["controls"]["height"] == 0  # no slider in a printed picture
    assert "OCHA" in page.inner_text(".cm-credit") and "Sources:" in page.inner_text(".cm-credit")
    _no_trouble(page)


def test_street_tiles_are_optional(offline_page, tiny_dir, tmp_path):
    page = _open(offline_page, _write(tmp_path, tiny_dir, "2016-11-22", basemap="streets"))
    assert len(page.evaluate(FILLS)) == 6
    page.wait_for_function(f"{M}.status.tiles")  # every tile failed; the map is drawn anyway
    assert page.blocked and all(u.startswith("https://tile.openstreetmap.org/") for u in page.blocked)
    assert all("Failed to load resource" in e for e in page.errors)
    assert "OpenStreetMap contributors" in page.inner_text(".cm-credit")


def test_print_picture_has_labels_that_never_overlap_a_scale_a_north_arrow_and_an_inset(offline_page, tmp_path):
    page = _open(offline_page, _write(tmp_path, DATA, "2016-12-13"))
    page.evaluate(f"{M}.print(true)")
    boxes = page.evaluate(f"{M}.labelBoxes()")
    texts = {b["text"] for b in boxes}
    assert len(boxes) >= 20 and "Aleppo Citadel" in texts  # landmarks first, then districts by area
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert (
                a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
            ), (a["text"], b["text"])
    page.evaluate(f"{M}.map.setZoom({M}.map.getZoom() + 2, {{animate: false}})")
    zoomed = page.evaluate(f"{M}.labelBoxes()")
    assert zoomed and {b["text"] for b in zoomed} != texts  # placed anew at each zoom
    # a label that does not fit is out of the page (not laid out, not composited), and comes back
    laid_out = page.evaluate("[...document.querySelectorAll('.cm-label')].filter(e => e.offsetParent).length")
    assert laid_out == len(zoomed) < page.locator(".cm-label").count()
    page.evaluate(f"{M}.map.setZoom({M}.map.getZoom() - 2, {{animate: false}})")
    assert {b["text"] for b in page.evaluate(f"{M}.labelBoxes()")} == texts
    assert page.locator(".leaflet-control-scale-line").first.is_visible()
    assert page.get_by_role("img", name="North is up").is_visible()
    inset = page.locator(".cm-locator svg")
    assert inset.is_visible() and page.locator(".cm-locator path").count() >= 5
    assert page.locator(".cm-locator .cm-loc-place").count() == 1 and "Natural Earth" in page.inner_text(".cm-locator")
    _no_trouble(page)


def test_caption_text_alternative_and_state_table_follow_the_day(offline_page, tiny_dir, tmp_path):
    page = _open(offline_page, _write(tmp_path, tiny_dir, "2016-11-20", byline="Map: The Desk"))
    assert page.inner_text(".cm-byline") == "Map: The Desk"
    # known by hand: on 20 Nov the government takes a third of Middle (T2), on Alpha's word
    caption = page.inner_text(".cm-caption")
    assert caption.startswith("On 20 November 2016") and "Middle" in caption and "Alpha" in caption
    desc_id = page.evaluate("document.querySelector('.leaflet-container').getAttribute('aria-describedby')")
    page.wait_for_function(f"document.getElementById('{desc_id}').textContent.includes('20 November 2016')")
    desc = page.evaluate(f"document.getElementById('{desc_id}').textContent")
    assert "government and allies held 1 district whole" in desc and caption in desc
    rows = page.evaluate("[...document.querySelectorAll('.cm-states tbody tr')].map(r => r.innerText)")
    assert len(rows) == 6 and any(r.startswith("Middle") and "33%" in r for r in rows)
    page.focus(".cm-slider")
    page.keyboard.press("End")
    assert "22 December 2016" in page.inner_text(".cm-caption")
    page.wait_for_function(f"document.getElementById('{desc_id}').textContent.includes('22 December 2016')")
    # the table rewrites only the rows whose state changed: it must read as one built for that day
    stepped = page.evaluate("[...document.querySelectorAll('.cm-states tbody tr')].map(r => r.innerText)")
    assert stepped != rows
    fresh = page.context.new_page()
    _open(fresh, _write(tmp_path, tiny_dir, "2016-12-22", name="b.html", byline="Map: The Desk"))
    fresh.wait_for_function("document.querySelectorAll('.cm-states tbody tr').length === 6")
    assert fresh.evaluate("[...document.querySelectorAll('.cm-states tbody tr')].map(r => r.innerText)") == stepped
    fresh.close()
    assert "Data as of" in page.inner_text(".cm-credit") and "Accessed" in page.inner_text(".cm-cite")
    assert page.locator(".cm-about h3").count() >= 5
    _no_trouble(page)


def test_png_has_its_text_beside_it(tiny_dir, tmp_path):
    png = tmp_path / "a.png"
    assert (
        snapshot.main(
            [
                "--data",
                str(tiny_dir),
                "--date",
                "2016-11-20",
                "--png",
                str(png),
                "--width",
                "400",
                "--height",
                "300",
                "--scale",
                "1",
                "--link",
                "https://example.org/map",
            ]
        )
        == 0
    )
    text = (tmp_path / "a.txt").read_text(encoding="utf-8")
    assert "20 November 2016" in text and "Middle" in text and "https://example.org/map?date=2016-11-20" in text


def test_compare_two_days_side_by_side_with_the_changes_and_their_sources(offline_page, tiny_dir, tmp_path):
    html, csv_file = tmp_path / "c.html", tmp_path / "c.csv"
    assert (
        snapshot.main(
            [
                "--data",
                str(tiny_dir),
                "--compare",
                "2016-11-15",
                "2016-11-29",
                "--html",
                str(html),
                "--csv",
                str(csv_file),
            ]
        )
        == 0
    )
    page = offline_page
    page.goto(html.as_uri())
    page.wait_for_function(
        "window.ControlMap && ControlMap.instances.length === 2 && ControlMap.instances.every(v => v.ready)"
    )
    assert page.evaluate("ControlMap.instances.map(v => v.isoDay())") == ["2016-11-15", "2016-11-29"]
    # known by hand: Middle (T2) went to the government, North Middle (T5) to the SDF
    changed = page.evaluate(
        "ControlMap.instances[1].payload.districts.map(d => d[0])"
        ".filter(id => ControlMap.instances[1].styleOf(id).changed)"
    )
    assert sorted(changed) == ["T2", "T5"]
    rows = page.evaluate("[...document.querySelectorAll('.cm-changes tbody tr')].map(r => r.innerText)")
    assert any("Middle" in r and "Alpha report" in r for r in rows)
    assert any("North Middle" in r and "Beta report" in r for r in rows)
    assert "Changed hands since 15 November 2016" in page.inner_text("#cm-b .cm-legend")
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,name,name_ar,from_state") and {ln.split(",")[0] for ln in lines[1:]} == {"T2", "T5"}
    _no_trouble(page)


def test_compare_refuses_days_in_the_wrong_order(tiny_dir, tmp_path, capsys):
    assert (
        snapshot.main(
            ["--data", str(tiny_dir), "--compare", "2016-11-29", "2016-11-15", "--html", str(tmp_path / "c.html")]
        )
        == 2
    )
    assert "must come before the second" in capsys.readouterr().err and not (tmp_path / "c.html").exists()


DRAWN = f"""() => {{
    const map = {M}.map, polys = [], lines = [];
    const ints = ring => ring.map(p => [Math.round(p.lng * 1e5), Math.round(p.lat * 1e5)]);
    map.eachLayer(l => {{
        if (l instanceof L.Polygon) polys.push(l.getLatLngs().map(poly => poly.map(ints)));
        else if (l instanceof L.Polyline && l.getLatLngs().length) lines.push(l.getLatLngs());
    }});
    return {{polys, lines: lines.length}};
}}"""


@pytest.fixture(scope="module")
def bundled():
    ds = load_dataset(DATA)
    return ds, timeline_for(ds)


def _bundled_page(page, bundled, tmp_path: Path, day: str):
    """The bundled snapshot of ``day`` opened in ``page``; the page and its HTML."""
    html = render_html(*bundled, day)
    (tmp_path / "a.html").write_text(html, encoding="utf-8")
    return _open(page, tmp_path / "a.html"), html


def test_the_runtime_draws_the_outlines_python_encoded(offline_page, bundled, tmp_path):
    """The browser's reading of the packed topology is Python's, point for point, on the bundled data."""
    from test_snapshot import _arcs, _ring, _state_data

    page, html = _bundled_page(offline_page, bundled, tmp_path, "2016-12-13")
    drawn = page.evaluate(DRAWN)
    data = _state_data(html)
    arcs = _arcs(data["arcs"])
    want = [[[_ring(arcs, r)[:-1].tolist() for r in poly] for poly in g] for g in data["geom"]]
    assert len(drawn["polys"]) == len(want) == len(data["districts"])
    assert sorted(map(str, drawn["polys"])) == sorted(map(str, want))
    assert drawn["lines"] >= 2  # the front and the routes are drawn from the same arcs
    _no_trouble(page)


ROUTES_BY_DAY = f"""() => {{
    const v = {M}, P = v.payload, out = [];
    const drawn = () => {{
        const c = [];
        v.map.eachLayer(l => {{
            const r = l.options.renderer;
            if (l instanceof L.Polyline && l.options.interactive !== false && r && r.options.pane === "cm-routes")
                c.push(l.options.color);
        }});
        return c.sort().join(",");
    }};
    const want = i => P.routes.filter(r => r.st[i] !== "-").map(r => P.routeStyles[r.st[i]].color).sort().join(",");
    for (const order of [[...P.days.keys()], [...P.days.keys()].reverse()])
        for (const i of order) {{ v.setDay(i, true); out.push([i, drawn(), want(i)]); }}
    return out;
}}"""


def test_routes_show_each_days_status_whichever_way_the_reader_steps(offline_page, bundled, tmp_path):
    page, _ = _bundled_page(offline_page, bundled, tmp_path, "2016-11-15")
    rows = page.evaluate(ROUTES_BY_DAY)
    assert [r for r in rows if r[1] != r[2]] == []
    assert len({r[2] for r in rows}) >= 3  # the routes change status during the record (hidden, proposed, in use)


#: Each district's drawn state on each day of ``order`` (days the map goes to in turn).
STATES_IN_ORDER = f"""order => order.map(i => {{
    {M}.setDay(i, true);
    return [{M}.isoDay(), {M}.payload.districts.map(d => [d[0], {M}.styleOf(d[0]).state || "unknown"])];
}})"""


def test_every_day_draws_pythons_states_whichever_day_the_page_opens_on_or_jumps_to(offline_page, bundled, tmp_path):
    """The runtime decodes a day's states when the day is first shown (with the days before it):
    a page opened on the last day, and one going through the record in a shuffled order, draw
    every district as Python's timeline decides it on that day."""
    import random

    from geo.vocabulary import states

    ds, tl = bundled
    days = [d.date().isoformat() for d in tl.days]
    want = {day: states(tl.control_on(day)).to_dict() for day in days}
    page, _ = _bundled_page(offline_page, bundled, tmp_path, days[0])
    shuffled = list(range(len(days)))
    random.Random(7).shuffle(shuffled)
    for opened, order in ((len(days) - 1, []), (0, shuffled)):
        page.goto("about:blank")  # (a new document: the same address with another day is not reloaded)
        page.goto((tmp_path / "a.html").as_uri() + "#" + days[opened])
        page.wait_for_function(READY)
        got = page.evaluate(STATES_IN_ORDER, [opened, *order])
        assert [day for day, _ in got] == [days[i] for i in [opened, *order]]
        wrong = [(day, d, s, want[day].get(d)) for day, row in got for d, s in row if s != want[day].get(d, "unknown")]
        assert wrong == []
    assert len({str(sorted(w.items())) for w in want.values()}) >= 10  # the states change through the record


FRONT_BY_DAY = f"""() => {{
    const v = {M}, out = [];
    const ints = ring => ring.map(p => [Math.round(p.lng * 1e5), Math.round(p.lat * 1e5)]);
    const drawn = () => {{
        const parts = [[], []];
        v.map.eachLayer(l => {{
            const r = l.options.renderer;
            if (l instanceof L.Polyline && r && r.options.pane === "cm-front")
                parts[l.options.dashArray ? 1 : 0].push(...l.getLatLngs().map(ints));
        }});
        return parts;
    }};
    for (const order of [[...v.days.keys()], [...v.days.keys()].reverse()])
        for (const i of order) {{ v.setDay(i, true); out.push([i, drawn()]); }}
    return out;
}}"""


def test_the_front_of_each_day_is_drawn_whichever_way_the_reader_steps(offline_page, bundled, tmp_path):
    """Each day's front, exact and approximate, is the arcs Python chose for it, also when the
    reader steps back (the runtime redraws the front only on a day it moves)."""
    from test_snapshot import _arcs, _state_data

    from layers.encode import unpack

    page, html = _bundled_page(offline_page, bundled, tmp_path, "2016-11-15")
    data = _state_data(html)
    arcs, pairs, front = _arcs(data["arcs"]), [unpack(p) for p in data["pairs"]], unpack(data["front"])
    assert data["frontStyle"].get("dashArray") is None and data["frontApproxStyle"].get("dashArray")

    def want(i: int) -> list[list]:
        return [[arcs[a].tolist() for p in unpack(part) for a in pairs[p]] for part in data["fronts"][front[i]]]

    rows = page.evaluate(FRONT_BY_DAY)
    assert len(rows) == 2 * len(data["days"])
    assert [i for i, got in rows if [sorted(map(str, g)) for g in got] != [sorted(map(str, w)) for w in want(i)]] == []
    assert len({str(want(i)) for i in range(len(data["days"]))}) >= 5  # the front moves during the record


#: Hover ``points`` (fractions of the map's width and height) in turn; for each, the tooltip the
#: reader sees (one fading out after the pointer left its shape is not), the map's box and the pointer.
HOVER_TIPS = """async points => {
    const box = document.querySelector('.cm-mapslot .leaflet-container').getBoundingClientRect();
    const frame = () => new Promise(ok => requestAnimationFrame(() => ok()));
    return {map: box.toJSON(), tips: await (async () => {
        const out = [];
        for (const [fx, fy] of points) {
            const x = box.left + fx * box.width, y = box.top + fy * box.height;
            const target = document.elementFromPoint(x, y);
            for (const type of ['mouseover', 'mousemove'])
                target.dispatchEvent(new MouseEvent(type, {bubbles: true, clientX: x, clientY: y, view: window}));
            await frame();
            const tip = [...document.querySelectorAll('.leaflet-tooltip')].find(t => t.style.opacity !== '0');
            if (tip) out.push({x, y, text: tip.innerText.split('\\n')[0], box: tip.getBoundingClientRect().toJSON()});
            target.dispatchEvent(new MouseEvent('mouseout', {bubbles: true, clientX: x, clientY: y, view: window,
                relatedTarget: document.querySelector('.cm-mapslot')}));
        }
        return out;
    })()};
}"""


@pytest.mark.parametrize("size", [(390, 844), (760, 600), (1440, 900)])
def test_every_tooltip_stays_whole_inside_the_map_and_off_the_pointer(offline_page, bundled, tmp_path, size):
    """Near the map's edge, on a phone or in a narrow embed, Leaflet cut a quarter of the tooltips
    at the edge; each is now moved in, and above or below the pointer when beside it has no room."""
    offline_page.set_viewport_size({"width": size[0], "height": size[1]})
    page, _ = _bundled_page(offline_page, bundled, tmp_path, "2016-12-16")
    points = [[i / 16, j / 10] for i in range(1, 16) for j in range(1, 10)]
    seen = page.evaluate(HOVER_TIPS, points)
    box, tips = seen["map"], seen["tips"]
    assert len(tips) >= 30, tips  # districts, routes and checkpoints under the pointer
    cut = [
        t
        for t in tips
        if t["box"]["left"] < box["left"] - 0.5
        or t["box"]["right"] > box["right"] + 0.5
        or t["box"]["top"] < box["top"] - 0.5
        or t["box"]["bottom"] > box["bottom"] + 0.5
    ]
    assert cut == [], f"tooltips cut by the map's edge ({box}): {cut}"
    covering = [
        t
        for t in tips
        if t["box"]["left"] < t["x"] < t["box"]["right"] and t["box"]["top"] < t["y"] < t["box"]["bottom"]
    ]
    assert covering == [], f"tooltips under the pointer: {covering}"
    _no_trouble(page)


ROUTE_TIP_BY_DAY = f"""([name, days]) => {{
    const v = {M}, out = [];
    let line = null;
    v.map.eachLayer(l => {{
        const t = l.getTooltip && l.getTooltip();
        if (t && l instanceof L.Polyline && !(l instanceof L.Polygon) && l.getLatLngs().length) {{
            l.openTooltip(l.getCenter());
            if (t.getElement().innerText.startsWith(name)) line = l; else l.closeTooltip();
        }}
    }});
    for (const d of days) {{
        v.setDay(d);
        out.push(line.isTooltipOpen() ? line.getTooltip().getElement().innerText.split('\\n')[1] : null);
    }}
    return out;
}}"""


def test_an_open_route_tooltip_follows_the_day(offline_page, bundled, tmp_path):
    """A reader who steps the days with the corridor's tooltip open reads that day's status (it kept
    the status of the day it opened on)."""
    page, html = _bundled_page(offline_page, bundled, tmp_path, "2016-12-16")
    payload = page.evaluate("JSON.parse(document.getElementById('cm-page-payload').textContent)")
    route = next(r for r in payload["routes"] if len(set(r["st"]) - {"-"}) >= 2)
    days = [i for i, code in enumerate(route["st"]) if code != "-"]
    said = page.evaluate(ROUTE_TIP_BY_DAY, [route["n"], days])
    words = payload["words"]
    assert said == [words[payload["routeWords"][route["st"][i]]] for i in days]
    assert len(set(said)) >= 2
    _no_trouble(page)


#: Hover, then click, the route or checkpoint drawn last (on top); what its tooltip and then the
#: panel say, and the links the panel gives.
FEATURE_TIP_AND_PANEL = """selector => {
    const target = [...document.querySelectorAll(selector)].pop();
    target.dispatchEvent(new MouseEvent('mouseover', {bubbles: true, clientX: 300, clientY: 300}));
    const tip = document.querySelector('.leaflet-tooltip').innerText;
    target.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: 300, clientY: 300}));
    const panel = document.querySelector('.cm-panel');
    return {tip, panel: panel.innerText, links: [...panel.querySelectorAll('a')].map(a => a.href)};
}"""


@pytest.mark.parametrize("kind", ["routes", "checkpoints"])
def test_a_route_or_checkpoint_has_a_short_tooltip_and_opens_its_notes_and_sources_in_the_panel(
    offline_page, bundled, tmp_path, kind
):
    """A route's note ran to 1,000 characters inside its tooltip, taller than a phone's map; the
    tooltip now says what it is that day and a click opens the rest in the panel, which closes on a
    day the map does not draw it."""
    page, _ = _bundled_page(offline_page, bundled, tmp_path, "2016-12-16")
    payload = page.evaluate("JSON.parse(document.getElementById('cm-page-payload').textContent)")
    pane = "cm-routes" if kind == "routes" else "cm-points"
    seen = page.evaluate(FEATURE_TIP_AND_PANEL, f".leaflet-{pane}-pane path.leaflet-interactive")
    name = seen["panel"].split("\n")[0].split(" · ")[0]
    it = next(x for x in payload[kind] if x["n"] == name)
    assert it["note"] and it["s"]
    assert seen["tip"].startswith(name) and it["note"] not in seen["tip"] and len(seen["tip"]) < 200
    assert it["note"] in seen["panel"] and (it.get("op") or "") in seen["panel"]
    for i in it["s"]:
        src = payload["sources"][i]
        assert src["t"] in seen["panel"]
        assert not src.get("url") or src["url"] in seen["links"]
    if kind == "routes":
        assert payload["words"][payload["routeWords"][it["st"][31]]] in seen["tip"]
    shown = [code not in ("-", "0") for code in (it["st"] if kind == "routes" else it["on"])]
    first = shown.index(True)  # the first day it is drawn; the day before, it is not
    assert first > 0
    page.evaluate(f"{M}.setDay({first})")
    assert page.inner_text(".cm-panel").startswith(name)
    page.evaluate(f"{M}.setDay({first - 1})")
    assert page.inner_text(".cm-panel") == payload["words"]["panel_hint"]
    _no_trouble(page)


#: The gesture note over the map: its text while it shows, else null.
NOTE = """() => { const n = document.querySelector('.cm-gesture');
    return n.classList.contains('cm-on') ? n.textContent : null; }"""


def test_in_an_article_the_wheel_scrolls_the_page_and_ctrl_with_it_zooms_the_map(offline_page, tiny_dir, tmp_path):
    """A snapshot in a frame does not take the article's scroll: the wheel over the map scrolls
    the page (a note says how to zoom), Ctrl with the wheel zooms the map. A page of its own keeps
    the wheel zoom."""
    from layers.words import UI

    page_file = _write(tmp_path, tiny_dir, "2016-11-22")
    host = tmp_path / "article.html"
    host.write_text(
        '<!DOCTYPE html><body style="margin:0"><p style="height:200px">Before</p>'
        f'<iframe src="{page_file.name}" width="900" height="600" style="border:0"></iframe>'
        '<p style="height:1600px">After</p></body>',
        encoding="utf-8",
    )
    page = offline_page
    page.set_viewport_size({"width": 1000, "height": 800})
    page.goto(host.as_uri())
    frame = page.frames[1]
    frame.wait_for_function(READY)
    zoom = frame.evaluate(f"{M}.map.getZoom()")

    def over_map():
        box = frame.locator(".leaflet-container").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    over_map()
    page.mouse.wheel(0, 120)
    # the page scrolls: the snapshot's own (its sources are under the map), else the article
    scrolled = lambda: page.evaluate("scrollY") + frame.evaluate("scrollY")  # noqa: E731
    for _ in range(50):
        if scrolled() > 0:
            break
        page.wait_for_timeout(20)
    page.wait_for_timeout(500)  # (Leaflet's wheel zoom would have waited 40 ms, then animated 250 ms)
    assert scrolled() > 0
    assert frame.evaluate(f"{M}.map.getZoom()") == zoom
    assert frame.evaluate(NOTE) == UI["en"]["wheel_hint"]
    before = scrolled()
    over_map()
    page.keyboard.down("Control")
    page.mouse.wheel(0, -120)
    page.keyboard.up("Control")
    frame.wait_for_function(f"{M}.map.getZoom() > {zoom}")
    assert scrolled() == before
    assert frame.evaluate(NOTE) is None
    # the same page opened on its own: the wheel zooms the map
    page.goto(page_file.as_uri())
    page.wait_for_function(READY)
    box = page.locator(".leaflet-container").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -120)
    page.wait_for_function(f"{M}.map.getZoom() > {zoom}")
    assert page.evaluate(NOTE) is None
    _no_trouble(page)


def test_on_a_touch_screen_one_finger_scrolls_the_page_and_two_move_the_map(browser, bundled, tmp_path):
    """On a phone the map does not trap the page: a swipe over it scrolls the page (a note says to
    use two fingers), a pinch zooms the map; a mouse on the same device drags it."""
    from layers.words import UI

    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page, _html = _bundled_page(ctx.new_page(), bundled, tmp_path, "2016-12-13")
        assert page.evaluate("matchMedia('(pointer: coarse)').matches")
        view = page.evaluate(f"() => [{M}.map.getCenter(), {M}.map.getZoom()]")
        box = page.locator(".leaflet-container").bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.7
        cdp = ctx.new_cdp_session(page)
        # one finger up the map, as a reader scrolls on (touch events: the browser scrolls natively)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        for k in range(1, 11):
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y - 25 * k}]})
            page.wait_for_timeout(16)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        page.wait_for_function("window.scrollY > 100", timeout=5000)
        assert page.evaluate(f"() => [{M}.map.getCenter(), {M}.map.getZoom()]") == view
        assert page.evaluate(NOTE) == UI["en"]["touch_hint"]
        settled = "() => new Promise(r => { const y = scrollY; setTimeout(() => r(scrollY === y), 150); })"
        page.wait_for_function(settled)  # (the swipe's fling has ended)
        page.evaluate("scrollTo(0, 0)")  # (the pinch's fingers stay inside the window)
        box = page.locator(".leaflet-container").bounding_box()
        cdp.send(
            "Input.synthesizePinchGesture",
            {
                "x": box["x"] + box["width"] / 2,
                "y": box["y"] + box["height"] / 2,
                "scaleFactor": 2.5,
                "gestureSourceType": "touch",
            },
        )
        page.wait_for_function(f"{M}.map.getZoom() > {view[1]}")
        assert page.evaluate("visualViewport.scale") == 1  # the map zoomed, not the page
        # a mouse on the same device (a tablet's trackpad) drags the map (once the zoom has ended:
        # Leaflet takes no drag while it animates one)
        page.wait_for_function("!document.querySelector('.leaflet-zoom-anim')")
        centre, top = page.evaluate(f"{M}.map.getCenter()"), page.evaluate("scrollY")
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 + 80, box["y"] + box["height"] / 2 + 40, steps=8)
        page.mouse.up()
        assert page.evaluate(f"{M}.map.getCenter()") != centre
        assert page.evaluate("scrollY") == top
    finally:
        ctx.close()
