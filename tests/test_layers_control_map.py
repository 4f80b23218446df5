"""The map plugin and its payload: what Python decides, and how the one runtime draws it.

The browser tests compare the app's map with a snapshot's through Leaflet's public API (the
layers' ``options``), check the legend against what is drawn, and read the claims panel.
"""

from __future__ import annotations

import datetime as dt
import html as html_module
import json
import re
from pathlib import Path

import pytest
from conftest import DATA
from test_app_browser import VIEW, open_map, serve

from geo.load import load_dataset
from geo.timeline import timeline_for
from geo.vocabulary import GENERIC_STATES, state_words
from layers import style as S
from layers.control_map import ASSETS, control_map, page_html, render_page
from layers.encode import unpack
from layers.payload import Texts, build_payload
from layers.words import UI, words
from snapshot import render_html

REPO = Path(__file__).resolve().parents[1]
READY = f"() => !!(window.ControlMap && {VIEW} && {VIEW}.ready)"


@pytest.fixture(scope="module")
def bundled():
    ds = load_dataset(DATA)
    return ds, timeline_for(ds)


@pytest.fixture(scope="module")
def payload(bundled):
    return build_payload(*bundled)


def test_plugin_renders_through_the_figure_and_mounts_once(payload):
    m = control_map(payload, title="T")
    templated = m.get_root().render()
    assert html_module.escape(payload["words"]["slider"]) not in templated  # the templates hold marks only
    html = page_html(m.get_root(), [m], [m.control])
    assert html.count("window.ControlMap.mount(") == 1
    assert "window.ControlMap.mount(map_1," in html  # the folium map object, by its name
    assert '<script type="application/json" id="cm-page-payload">' in html
    assert "\ue000" not in html and "\ue001" not in html  # every mark filled
    assert "cdn.jsdelivr" not in html and "code.jquery" not in html  # nothing linked from a network


def _joined(text: list[str], told) -> str:
    return told if isinstance(told, str) else "".join(text[p] if isinstance(p, int) else p for p in told)


def test_per_day_texts_are_stored_as_shared_pieces_and_join_back_exactly(bundled):
    from geo import describe as D

    ds, tl = bundled
    cite = {"title": "T", "url": "https://example.org/?a=1", "accessed": dt.date(2026, 1, 2)}
    p = build_payload(ds, tl, cite=cite)
    for i, day in enumerate(tl.days):
        assert _joined(p["text"], p["captions"][i]) == D.caption(ds, tl, day)
        assert _joined(p["text"], p["summaries"][i]) == D.alt_summary(ds, tl, day)
        assert _joined(p["text"], p["citations"][i]) == D.citation("T", day, cite["url"], ds.digest, cite["accessed"])
    plain = sum(len(json.dumps(D.caption(ds, tl, d))) + len(json.dumps(D.alt_summary(ds, tl, d))) for d in tl.days)
    stored = len(json.dumps(p["captions"] + p["summaries"]))
    assert stored < 0.4 * plain  # the shared phrases are stored once, in the text table


def test_a_run_of_pieces_the_days_share_is_one_reference():
    table = Texts()
    told = [f"Day {i}: the army held 3 districts; the rebels held 7; 2 are disputed." for i in range(10)]
    pieces = table.pieces(told)
    assert [_joined(table.items, t) for t in pieces] == told
    # the clause after the day's number is cut at numbers and clause ends, then joined again
    assert (
        all(len(p) == 3 for p in pieces)
        and ": the army held 3 districts; the rebels held 7; 2 are disputed." in table.items
    )


@pytest.mark.parametrize(
    "texts",
    [
        ["", "1", "1.5 km², 1.5 km²", "On 3 May; on 3 May.", "<b>x</b> 12, 12"],
        ["known", "the known text, known", "no digits here at all", "۱۲ ٣ 12،5؛ نص"],
    ],
)
def test_pieces_of_any_text_join_back_to_it(texts):
    table = Texts()
    table("known")
    pieces = table.pieces(texts)
    assert [_joined(table.items, t) for t in pieces] == texts
    assert table.items[0] == "known" and all(isinstance(t, (str, list)) for t in pieces)


def test_runtime_holds_no_table_or_sentence_of_its_own():
    js = (ASSETS / "control_map.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", js, flags=re.S)
    assert not re.search(r"\._[a-zA-Z]", code), "no private Leaflet fields"
    assert re.findall(r"window\.(\w+)\s*=", code) == ["ControlMap"], "one global entry point"
    literals = " ".join(re.findall(r'"([^"\\]*)"', code))
    for word in [*UI["en"].values(), *GENERIC_STATES, "government", "opposition", "#BB5566", "#004488", "in use"]:
        assert len(word) < 3 or word not in literals, word  # ("N", the north arrow's letter, is too short to tell)
    assert not re.search(r"#[0-9a-fA-F]{6}", code), "colours come from the payload"


def test_payload_carries_words_styles_and_a_legend_of_what_is_drawn(payload, bundled):
    settings = bundled[0].settings
    assert payload["words"] == words("en", settings) and payload["codes"] == list(state_words(settings.side_ids))
    assert payload["codes"][:3] == ["government", "opposition", "sdf"]
    assert payload["words"]["state_government"] == "Government and allies"
    used = {s[6] for s in payload["states"]} | {payload["unknownStyle"]}
    fills = [r for r in payload["legend"] if r["swatch"]["kind"] == "fill"]
    assert {r["swatch"]["style"] for r in fills} <= set(range(len(payload["styles"])))
    present = {payload["codes"][s[0]] for s in payload["states"]}
    labels = " ".join(r["label"] for r in payload["legend"])
    for word in present:
        assert payload["words"][f"state_{word}"] in labels, word
    for s in payload["states"]:
        style = {**payload["districtStyle"], **payload["styles"][s[6]]}
        if payload["codes"][s[0]] in ("government", "opposition", "sdf"):
            assert style["fillColor"] == settings.colours[payload["codes"][s[0]]]
            want = S.INFERRED_FILL_OPACITY if s[5] else S.DISTRICT_STYLE["fillOpacity"]
            assert style["fillOpacity"] == want
    assert used <= set(range(len(payload["styles"])))


def test_split_stripes_follow_the_share(payload, bundled):
    colours, codes = bundled[0].settings.colours, payload["codes"]
    for s in payload["states"]:
        if payload["codes"][s[0]] == "split" and s[1] is not None and s[2] >= 0 and s[3] >= 0:
            pattern = payload["patterns"][payload["styles"][s[6]]["fillPattern"]]
            share = round(pattern["bands"][0][1] / pattern["size"], 2)
            assert abs(share - s[1]) <= S.STRIPE_STEP / 2 + 1e-9 or share in (0.05, 0.95)
            assert pattern["bands"][0][2] == colours[codes[s[2]]]
            assert pattern["background"] == colours[codes[s[3]]]


def test_changed_hands_is_its_own_outline(payload, bundled):
    _, tl = bundled
    assert S.CHANGED_STYLE["color"] not in (S.FRONT_STYLE["color"], S.DISTRICT_STYLE["color"])
    day = tl.day_index("2016-11-27")
    changed = unpack(payload["changed"][day])
    cols = ["holder", "share"]
    before, after = tl.control_on(tl.days[day - 1])[cols], tl.control_on(tl.days[day])[cols]
    moved = [j for j in range(len(before)) if str(before.iloc[j].tolist()) != str(after.iloc[j].tolist())]
    assert changed and set(changed) <= set(moved)  # each outlined district changed hands that day


def test_the_first_view_is_where_states_change_with_a_margin_inside_the_districts(tiny_dir, payload, bundled):
    from layers.payload import FOCUS_MARGIN

    for ds, tl, p in ((load_dataset(tiny_dir), None, None), (*bundled, payload)):
        tl = tl or timeline_for(ds)
        p = p or build_payload(ds, tl)
        ids = [str(i) for i in tl.district_ids]
        moving = {ids[j] for j in range(len(ids)) if len({int(v) for v in tl.grid[:, j]}) > 1}
        assert moving
        x0, y0, x1, y1 = ds.districts[ds.districts["id"].isin(moving)].total_bounds
        ax0, ay0, ax1, ay1 = ds.districts.total_bounds
        s, w, n, e = p["focus"]
        dx, dy = (x1 - x0) * FOCUS_MARGIN, (y1 - y0) * FOCUS_MARGIN
        for got, want in (
            (w, max(x0 - dx, ax0)),
            (s, max(y0 - dy, ay0)),
            (e, min(x1 + dx, ax1)),
            (n, min(y1 + dy, ay1)),
        ):
            assert got == pytest.approx(want, abs=1e-5)
        assert ax0 - 1e-5 <= w < x0 or x0 == ax0  # a margin wherever the districts' extent leaves room
        assert ax1 + 1e-5 >= e > x1 or x1 == ax1


def test_a_district_with_no_row_yet_is_drawn_unknown_and_in_the_legend(tiny_dir, payload):
    """The tiny record has no row for T6: it is drawn with the unknown style every day, so the
    legend has that row; the bundled record gives every district a start row, so it has none."""
    ds = load_dataset(tiny_dir)
    tl = timeline_for(ds)
    p = build_payload(ds, tl)
    t6 = [d[0] for d in p["districts"]].index("T6")
    assert unpack(p["first"])[t6] == -1 and not any(t6 in unpack(c)[::2] for c in p["changes"])
    fills = [r for r in p["legend"] if r["swatch"]["kind"] == "fill"]
    unknown = [r for r in fills if r["swatch"]["style"] == p["unknownStyle"]]
    assert len(unknown) == 1 and p["words"]["state_unknown"] in unknown[0]["label"]
    assert payload["unknownStyle"] not in {
        r["swatch"]["style"] for r in payload["legend"] if r["swatch"]["kind"] == "fill"
    }


# ------------------------------------------------------------------ in the browser


@pytest.fixture(scope="module")
def bundled_app():
    yield from serve(REPO / "data")


ALL_STYLES = f"""() => {{
    const v = {VIEW}, out = [];
    for (let i = 0; i < v.days.length; i++) {{
        v.setDay(i, true);
        out.push(v.payload.districts.map(d => v.styleOf(d[0])));
    }}
    return out;
}}"""


@pytest.mark.browser
def test_app_and_snapshot_draw_the_same_styles_and_legend(bundled, bundled_app, offline_page, tmp_path):
    ds, tl = bundled
    snap = tmp_path / "snap.html"
    snap.write_text(render_html(ds, tl, "2016-12-13"), encoding="utf-8")
    page = offline_page
    page.goto(snap.as_uri())
    page.wait_for_function(READY)
    snapshot_styles = page.evaluate(ALL_STYLES)
    snapshot_legend = page.evaluate(f"() => {VIEW}.legendStyles()")
    frame = open_map(page, bundled_app + "/?date=2016-12-13")
    app_styles = frame.evaluate(ALL_STYLES)
    assert app_styles == snapshot_styles
    assert frame.evaluate(f"() => {VIEW}.legendStyles()") == snapshot_legend
    seen = {s["state"] or "unknown" for day in app_styles for s in day}
    assert {"government", "opposition", "sdf", "split", "disputed"} <= seen
    # every state drawn has a legend row whose swatch is drawn with the same fill; a paler fill is
    # the legend's "inferred" row (which names no side: it is a side's colour at its opacity)
    fill_rows = [r for r in snapshot_legend if r["kind"] == "fill"]
    inferred = [r["fillOpacity"] for r in fill_rows if r["label"].startswith("Inferred")]
    legend_fills = {(r["fillColor"], r["fillOpacity"]) for r in fill_rows}
    legend_fills |= {(r["fillColor"], o) for r in fill_rows for o in inferred}
    for day in app_styles:
        for s in day:
            if (s["state"] or "unknown") in ("government", "opposition", "sdf", "disputed", "unknown"):
                assert (s["fillColor"], s["fillOpacity"]) in legend_fills, s
            if s["changed"]:
                assert s["color"] == S.CHANGED_STYLE["color"]
    swatches = frame.eval_on_selector_all(".cm-legend svg rect", "rs => rs.map(r => r.getAttribute('fill'))")
    assert swatches == [r["fillColor"] for r in snapshot_legend if r["kind"] == "fill"]


ROUTE_TIPS = """() => [...document.querySelectorAll('.leaflet-cm-routes-pane path.leaflet-interactive')].map(p => {
    p.dispatchEvent(new MouseEvent('mouseover', {bubbles: true, clientX: 300, clientY: 300}));
    const t = [...document.querySelectorAll('.leaflet-tooltip')].map(x => x.innerText).join(' | ');
    p.dispatchEvent(new MouseEvent('mouseout', {bubbles: true, clientX: 300, clientY: 300}));
    return t;
})"""


@pytest.mark.browser
def test_corridor_is_in_use_on_16_december_in_app_and_snapshot(bundled, bundled_app, offline_page, tmp_path):
    ds, tl = bundled
    snap = tmp_path / "snap.html"
    snap.write_text(render_html(ds, tl, "2016-12-16"), encoding="utf-8")
    offline_page.goto(snap.as_uri())
    offline_page.wait_for_function(READY)
    tips = offline_page.evaluate(ROUTE_TIPS)
    assert any("Route in use" in t for t in tips), tips
    frame = open_map(offline_page, bundled_app + "/?date=2016-12-16")
    tips = frame.evaluate(ROUTE_TIPS)
    assert any("Route in use" in t for t in tips), tips


def _longest_claims(payload) -> tuple[int, int, str]:
    """The length, day and district of the longest claim list in the record."""
    best = (-1, 0, "")
    grid = unpack(payload["first"])
    for day in range(len(payload["days"])):
        if day:
            ch = unpack(payload["changes"][day - 1])
            for k in range(0, len(ch), 2):
                grid[ch[k]] = ch[k + 1]
        for j, sid in enumerate(grid):
            if sid >= 0 and len(unpack(payload["states"][sid][7])) > best[0]:
                best = (len(unpack(payload["states"][sid][7])), day, payload["districts"][j][0])
    return best


PANEL_BOXES = """() => {
    const panel = document.querySelector('.cm-panel'), items = [...panel.querySelectorAll('.cm-claims li')];
    items[items.length - 1].scrollIntoView({block: 'end'});
    const box = panel.getBoundingClientRect(), last = items[items.length - 1].getBoundingClientRect();
    const hits = [...document.querySelectorAll('.leaflet-control, .cm-legend, .cm-controls')]
        .map(e => e.getBoundingClientRect())
        .filter(r => r.width && r.left < box.right && r.right > box.left && r.top < box.bottom && r.bottom > box.top);
    return {n: items.length, box: box.toJSON(), last: last.toJSON(), overlaps: hits.length,
            vw: innerWidth, vh: innerHeight};
}"""


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
@pytest.mark.browser
def test_longest_claim_list_is_readable(bundled, payload, browser, tmp_path, size):
    count, day, district = _longest_claims(payload)
    assert count >= 3
    ds, tl = bundled
    snap = tmp_path / "snap.html"
    snap.write_text(render_html(ds, tl, payload["days"][day]), encoding="utf-8")
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = ctx.new_page()
    try:
        page.goto(snap.as_uri())
        page.wait_for_function(READY)
        page.evaluate(f"() => {VIEW}.openPanel({json.dumps(district)})")
        got = page.evaluate(PANEL_BOXES)
        assert got["n"] == count
        assert got["overlaps"] == 0, "nothing lies over the claims"
        box, last = got["box"], got["last"]
        assert 0 <= box["left"] and box["right"] <= got["vw"]
        # the last claim can be brought into view, inside the panel and the window
        assert box["top"] - 1 <= last["top"] and last["bottom"] <= box["bottom"] + 1
        assert last["bottom"] <= got["vh"] + 1 and last["top"] >= 0
    finally:
        ctx.close()


@pytest.mark.browser
def test_render_page_alone_is_a_working_map(payload, offline_page, tmp_path):
    page_file = tmp_path / "p.html"
    page_file.write_text(render_page(payload, title="x"), encoding="utf-8")
    offline_page.goto(page_file.as_uri())
    offline_page.wait_for_function(READY)
    assert offline_page.evaluate(f"() => {VIEW}.days.length") == len(payload["days"])
    assert offline_page.errors == []


@pytest.mark.browser
def test_the_page_marks_each_step_of_its_start_for_the_benchmark(payload, offline_page, tmp_path):
    """`python -m bench.app_slider` prints where the first map's time goes from the page's own
    timing marks: each is set once, in the order the map starts, before the map is ready."""
    from bench.app_slider import STEPS

    page_file = tmp_path / "p.html"
    page_file.write_text(render_page(payload, title="x"), encoding="utf-8")
    offline_page.goto(page_file.as_uri())
    offline_page.wait_for_function(f"() => {VIEW}.readyAt")
    marks = offline_page.evaluate(
        "() => performance.getEntriesByType('mark').filter(m => m.name.startsWith('cm-'))"
        ".map(m => [m.name, m.startTime])"
    )
    assert [name for name, _ in marks] == list(STEPS)
    ready = offline_page.evaluate(f"() => {VIEW}.readyAt - performance.timeOrigin")
    assert [t for _, t in marks] == sorted(t for _, t in marks) and marks[-1][1] <= ready


@pytest.mark.browser
def test_a_map_with_no_size_at_first_is_drawn_and_fitted_when_it_gets_one(payload, offline_page, tmp_path):
    """A page whose map has no size while it mounts (a frame or panel not shown yet) keeps working
    (days set, every day stepped), and draws its districts, fitted, once the map is shown."""
    hide = '<style id="hide">.cm-mapslot { display: none; }</style>'
    page_file = tmp_path / "p.html"
    page_file.write_text(render_page(payload, title="x").replace("</head>", hide + "</head>", 1), encoding="utf-8")
    offline_page.goto(page_file.as_uri())
    offline_page.wait_for_function(READY)
    hidden = offline_page.evaluate(
        f"""() => {{ const v = {VIEW};
        for (let i = 0; i < v.days.length; i++) v.setDay(i);  // days with districts that changed hands
        return [v.map.getContainer().clientWidth, document.querySelectorAll('.leaflet-overlay-pane path').length,
                v.labelBoxes().length]; }}"""
    )
    assert hidden == [0, 0, 0]
    offline_page.evaluate("document.getElementById('hide').remove()")
    n = len(payload["districts"])
    offline_page.wait_for_function(
        f"() => document.querySelectorAll('.leaflet-overlay-pane path').length >= {n} && {VIEW}.labelBoxes().length > 0"
    )
    s, w, north, e = payload["focus"]
    shown = offline_page.evaluate(
        f"""() => {{ const v = {VIEW}, b = v.map.getBounds(), c = v.map.getContainer().getBoundingClientRect();
        const paths = [...document.querySelectorAll('.leaflet-overlay-pane path')].map(p => p.getBoundingClientRect());
        return {{fits: b.contains([[{s}, {w}], [{north}, {e}]]), zoom: v.map.getZoom(),
                 inside: paths.filter(r => r.width > 0 && r.right > c.left && r.left < c.right
                                          && r.bottom > c.top && r.top < c.bottom).length}}; }}"""
    )
    assert shown["fits"] and shown["zoom"] > 8, shown  # the focus is in view, at a city's zoom
    assert shown["inside"] >= n // 2, shown  # the districts are drawn where the map is
    assert offline_page.errors == []


def test_the_map_keeps_its_size_and_view_while_scrubbing(payload, offline_page, tmp_path):
    """A long caption on one day must not shrink the map (and refit it) on that day."""
    captions = [len(_joined(payload["text"], c)) for c in payload["captions"]]
    assert max(captions) > 4 * min(captions)  # the bundled record has short and long days
    page_file = tmp_path / "p.html"
    page_file.write_text(render_page(payload, title="x"), encoding="utf-8")
    offline_page.set_viewport_size({"width": 1000, "height": 700})
    offline_page.goto(page_file.as_uri())
    offline_page.wait_for_function(READY)
    seen = offline_page.evaluate(
        f"""async () => {{ const v = {VIEW}, out = [];
        for (let i = 0; i < v.days.length; i++) {{
          v.setDay(i);
          await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
          const c = v.map.getContainer(), z = v.map.getZoom(), m = v.map.getCenter();
          out.push([c.clientWidth, c.clientHeight, z, m.lat.toFixed(6), m.lng.toFixed(6)]);
        }}
        return out; }}"""
    )
    assert len({tuple(s) for s in seen}) == 1, sorted({tuple(s) for s in seen})
    longest = captions.index(max(captions))
    offline_page.evaluate(f"{VIEW}.setDay({longest})")
    box = offline_page.locator(".cm-caption")
    assert box.evaluate("e => e.scrollHeight > e.clientHeight")  # the rest scrolls into view
    assert box.get_attribute("tabindex") == "0"  # and the keyboard can scroll it
    offline_page.evaluate(f"{VIEW}.print()")
    assert box.evaluate("e => e.scrollHeight <= e.clientHeight")  # a picture shows it whole
    assert offline_page.errors == []


def _viewports(page: str) -> list[str]:
    from html.parser import HTMLParser

    found: list[str] = []

    class Metas(HTMLParser):
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "meta" and a.get("name") == "viewport":
                found.append(a.get("content") or "")

    Metas().feed(page)
    return found


def test_a_reader_may_zoom_the_page(bundled, payload):
    """One viewport per page, the map's and the two days' alike, and it does not forbid zooming
    (folium's own says maximum-scale=1, user-scalable=no)."""
    from snapshot import render_compare_html

    ds, tl = bundled
    pages = [render_page(payload, title="x"), render_compare_html(ds, tl, tl.days[3], tl.days[9])]
    for page in pages:
        (content,) = _viewports(page)
        fields = dict(part.strip().split("=", 1) for part in content.split(","))
        assert fields["width"] == "device-width"
        assert "user-scalable" not in fields and "maximum-scale" not in fields


def test_the_same_record_gives_the_same_page(bundled, payload):
    """Pages are reproducible: built twice from the same record, the same bytes (so a rebuilt map
    page keeps its content-hashed name, and two snapshots of one record compare equal)."""
    from snapshot import render_compare_html

    ds, tl = bundled
    assert render_page(payload, title="x") == render_page(payload, title="x")
    twice = [render_compare_html(ds, tl, tl.days[3], tl.days[9]) for _ in range(2)]
    assert twice[0] == twice[1]
    assert "ControlMap.mount(map_1," in twice[0] and "ControlMap.mount(map_2," in twice[0]


def test_leaflet_css_leaves_out_only_the_features_the_page_never_draws():
    """The page's copy of Leaflet's CSS drops every selector of the unused features (layer
    switcher, popups, HTML and image markers, VML) and keeps every other selector, with its rule."""
    import rcssmin
    from xstatic.pkg import leaflet

    from layers.control_map import UNUSED_LEAFLET, leaflet_assets, used_css

    rules = re.compile(r"([^{}]+)\{([^{}]*)\}")
    family = re.compile(r"\.(?:" + "|".join(map(re.escape, UNUSED_LEAFLET)) + r")(?:-[\w-]+)?(?![\w-])")
    full = rcssmin.cssmin((Path(leaflet.BASE_DIR) / "leaflet.css").read_text(encoding="utf-8"))
    kept = {(s, body) for sel, body in rules.findall(used_css(full, UNUSED_LEAFLET)) for s in sel.split(",")}
    wanted = {(s, body) for sel, body in rules.findall(full) for s in sel.split(",") if not family.search(s)}
    assert kept == wanted
    assert any(".leaflet-popup" in s for s, _ in rules.findall(full)), "the check would pass vacuously"
    _js, css = leaflet_assets()
    assert not family.search(css) and ".leaflet-tooltip{" in css and "@media print{.leaflet-control{" in css
    assert "leaflet-popup-pane" not in used_css(".leaflet-popup-pane{z-index:700}.a{b:c}", ("leaflet-popup",))
    assert used_css(".leaflet-popupx,.b{c:d}", ("leaflet-popup",)) == ".leaflet-popupx,.b{c:d}"


def test_a_place_precision_of_one_word_is_said_once(payload, bundled):
    """The panel says "approximate" once: an approximate place's precision of one word is the flag
    ``ap`` (shown as "Alignment/Location approximate"); a longer one, or an exact place's word, is
    kept as written."""
    ds, _tl = bundled
    for table, frame in (("routes", ds.routes), ("checkpoints", ds.checkpoints)):
        written = [str(v or "") for v in frame["location_precision"]]
        assert len(payload[table]) == len(written)
        for row, text in zip(payload[table], written, strict=True):
            assert row["pd"] == (text if len(text.split()) > 1 else "")
    assert any(r["pd"] for r in payload["checkpoints"]) and all(not r["pd"] for r in payload["routes"])
    # an exact place's one word is kept: no other line of the panel says it
    from layers.payload import _precision_note

    assert _precision_note({"location_precision": "surveyed"}) == "surveyed"
    assert _precision_note({"location_precision": "approximate"}) == ""
    assert _precision_note({"location_precision": "approximate, from a video"}) == "approximate, from a video"
