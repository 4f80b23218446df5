"""The real app in Chromium with the network cut: the map page mounted once, ?date=, keys, panels.

One Streamlit server per module on a free loopback port, on a small synthetic data set.
"""

from __future__ import annotations

import json
import time
import warnings
from math import nan
from pathlib import Path

import pytest

from bench.app_slider import free_port, is_map_frame, start_server
from bench.synthetic import write_synthetic
from layers.charts import DAY_INPUT

REPO = Path(__file__).resolve().parents[1]
N = 16
pytestmark = pytest.mark.browser
VIEW = "ControlMap.instances[0]"
READY = f"() => !!(window.ControlMap && {VIEW} && {VIEW}.ready)"
URL_DAY = "() => new URLSearchParams(location.search).get('date')"


def serve(data: Path, *app_args: str, options: tuple[str, ...] = ()):
    """Run the app on ``data`` (with ``app_args`` after ``--`` and Streamlit ``options``) on a free
    loopback port; yield its URL; stop it."""
    port = free_port()
    proc = start_server(data, port, app_args=app_args, options=options)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


#: The address the operator gives for citations (the address the page is opened at is never used).
PUBLIC_URL = "https://maps.example.org/control-map/"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from serve(write_synthetic(tmp_path_factory.mktemp("syn") / "data", N), "--public-url", PUBLIC_URL)


def map_frame(page, timeout_s: float = 60):
    """The frame holding the app's drawn map (the app shows the snapshot page built for its data in
    one frame; a comparison of two days on the same page is another frame)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        frames = [f for f in page.frames if is_map_frame(f)]
        for frame in frames:
            try:
                if frame.evaluate(READY):
                    return frame
            except Exception:  # noqa: BLE001 - a frame still loading
                pass
        page.wait_for_timeout(100)
    raise AssertionError("no drawn map in the page")


def open_map(page, url: str):
    """Open the app and wait for the drawn map and for the component that follows it (it comes
    with the rest of the page: until then the page-wide keys and the day's reports wait); return
    the map's frame. Exactly one map on the page."""
    page.goto(url)
    frame = map_frame(page)
    page.locator('[data-follows="map"]').wait_for(state="attached", timeout=60000)
    assert sum(1 for f in page.frames if is_map_frame(f)) == 1
    return frame


def fills(frame) -> list[str]:
    return frame.eval_on_selector_all(".leaflet-overlay-pane path", "ps => ps.map(p => p.getAttribute('fill'))")


def test_offline_draws_every_district_with_no_errors(server, offline_page):
    frame = open_map(offline_page, server + "/?date=2016-12-16")
    assert len(fills(frame)) == N
    assert frame.evaluate("() => L.version") == "1.9.3"
    assert frame.locator(".leaflet-cm-routes-pane path").count() >= 1
    assert frame.locator(".leaflet-cm-points-pane path").count() == 2
    offline_page.wait_for_timeout(500)
    assert offline_page.errors == [] and offline_page.blocked == []


def test_street_map_only_tiles_fail(server, offline_page):
    frame = open_map(offline_page, server + "/?date=2016-11-20&basemap=streets")
    assert len(fills(frame)) == N
    frame.wait_for_function(f"() => {VIEW}.status.tiles")
    assert offline_page.blocked and all("tile.openstreetmap.org" in u for u in offline_page.blocked)


def test_date_link_opens_that_day_and_a_bad_one_says_so(server, offline_page):
    frame = open_map(offline_page, server + "/?date=2016-12-10")
    assert frame.inner_text(".cm-date") == "10 December 2016"
    assert frame.evaluate(f"() => {VIEW}.isoDay()") == "2016-12-10"
    frame = open_map(offline_page, server + "/?date=2016-02-30")
    offline_page.get_by_text("is not a date in YYYY-MM-DD form").wait_for(timeout=20000)
    assert frame.inner_text(".cm-date") == "15 November 2016"
    frame = open_map(offline_page, server + "/?date=2017-05-01")
    offline_page.get_by_text("is outside the record").wait_for(timeout=20000)


def test_markdown_in_the_date_link_shows_as_text(server, offline_page):
    page = offline_page
    open_map(page, server + "/?date=[x](javascript:alert(1))%20**b**%20<i>i</i>")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="is not a date")
    alert.wait_for(timeout=20000)
    assert "?date=[x](javascript:alert(1)) **b** <i>i</i> is not a date" in alert.inner_text()
    assert alert.locator("a, strong, i, em").count() == 0, "no link or markup formed from the link's text"


def test_keys_repaint_in_the_browser_and_the_panels_follow(server, offline_page):
    page = offline_page
    frame = open_map(page, server + "/?date=2016-11-15")
    page.get_by_text("Area held, 15 Nov 2016").wait_for(timeout=30000)
    frame.evaluate(f"() => {VIEW}.map.setView([36.165, 37.115], 15, {{animate: false}})")
    before = fills(frame)
    slider = frame.locator(".cm-slider")
    assert slider.get_attribute("role") == "slider"
    slider.focus()
    for _ in range(14):
        page.keyboard.press("ArrowRight")
    # every step is drawn at once, with no server round trip
    assert frame.evaluate(f"() => {VIEW}.isoDay()") == "2016-11-29"
    assert slider.get_attribute("aria-valuetext") == "29 November 2016"
    assert fills(frame) != before
    page.keyboard.press("PageDown")
    assert frame.evaluate(f"() => {VIEW}.isoDay()") == "2016-12-06"
    page.keyboard.press("End")
    page.keyboard.press("PageUp")
    assert frame.evaluate(f"() => {VIEW}.isoDay()") == "2016-12-15"
    page.wait_for_function(f"() => ({URL_DAY})() === '2016-12-15'", timeout=20000)
    page.get_by_text("Area held, 15 Dec 2016").wait_for(timeout=20000)
    # the areas chart marks the map's day from the page element the chart is bound to
    page.wait_for_function(f"() => document.getElementById('{DAY_INPUT}').value === '2016-12-15'", timeout=20000)
    assert frame.evaluate(f"() => {VIEW}.map.getZoom()") == 15  # the view survives the steps
    assert map_frame(page) == frame  # mounted once: no new map for a new day
    assert page.errors == []


def test_page_wide_keys_step_the_day(server, offline_page):
    page = offline_page
    frame = open_map(page, server + "/?date=2016-12-10")
    page.get_by_text("Area held").first.wait_for(timeout=30000)
    page.locator("h3").first.click()  # focus on the page, outside the map
    page.keyboard.press(".")
    assert frame.evaluate(f"() => {VIEW}.isoDay()") == "2016-12-11"
    page.wait_for_function(f"() => ({URL_DAY})() === '2016-12-11'", timeout=20000)
    page.keyboard.press(",")
    page.keyboard.press(",")
    assert frame.evaluate(f"() => {VIEW}.isoDay()") == "2016-12-09"
    page.wait_for_function(f"() => ({URL_DAY})() === '2016-12-09'", timeout=20000)
    page.keyboard.press("k")
    frame.wait_for_function(f"() => {VIEW}.isoDay() > '2016-12-09'", timeout=5000)
    page.keyboard.press("k")
    assert frame.locator(".cm-play").get_attribute("aria-pressed") == "false"
    assert page.errors == []


def test_basemap_change_keeps_the_day_and_the_view(server, offline_page):
    page = offline_page
    frame = open_map(page, server + "/?date=2016-12-16")
    page.get_by_text("Area held").first.wait_for(timeout=30000)
    frame.evaluate(f"() => {VIEW}.map.setView([36.165, 37.115], 15, {{animate: false}})")
    old_page = frame.url.split("#")[0]
    page.get_by_text("Street map (needs the network)").click()
    deadline = time.time() + 30  # the frame loads the page built with the street map
    drawn = f"() => {VIEW}.status !== undefined"
    while (new := map_frame(page)).url.split("#")[0] == old_page or not new.evaluate(drawn):
        assert time.time() < deadline
        page.wait_for_timeout(200)
    try:
        new.wait_for_function(f"() => {VIEW}.isoDay() === '2016-12-16' && {VIEW}.map.getZoom() === 15", timeout=30000)
    except Exception as exc:  # noqa: BLE001 - say what the new map shows instead
        shown = new.evaluate(f"() => [{VIEW}.isoDay(), {VIEW}.map.getZoom()]")
        raise AssertionError(f"the new map shows {shown}, not 16 Dec at zoom 15; frames: {page.frames}") from exc
    assert "basemap=streets" in page.url


def test_legend_tooltip_claims_and_charts(server, offline_page):
    page = offline_page
    frame = open_map(page, server + "/?date=2016-12-16")
    assert "Disputed between sources" in frame.inner_text(".cm-legend")
    paths = frame.locator(".leaflet-overlay-pane path")
    paths.nth(N - 1).hover()
    tip = frame.locator(".leaflet-tooltip")
    tip.wait_for()
    assert "District" in tip.inner_text()
    paths.nth(N - 1).click()
    assert "Alpha report" in frame.inner_text(".cm-panel") or "Beta" in frame.inner_text(".cm-panel")
    page.locator('[data-testid="stVegaLiteChart"]').nth(1).wait_for(timeout=30000)
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 2


def test_phone_puts_the_date_control_right_under_the_map(server, browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = ctx.new_page()
    try:
        frame = open_map(page, server + "/?date=2016-12-16")
        boxes = frame.evaluate("""() => Object.fromEntries(['.cm-mapslot', '.cm-controls', '.cm-legend']
            .map(s => [s, document.querySelector(s).getBoundingClientRect().toJSON()]))""")
        gap = boxes[".cm-controls"]["top"] - boxes[".cm-mapslot"]["bottom"]
        assert 0 <= gap < 20 and boxes[".cm-legend"]["top"] >= boxes[".cm-controls"]["bottom"]
        assert frame.evaluate("() => document.documentElement.scrollWidth") <= 390
    finally:
        ctx.close()


def test_bundled_data_offline(offline_page):
    """The README's first command serves data/: every district drawn with the network cut."""
    expected = len(json.loads((REPO / "data" / "districts.geojson").read_text("utf-8"))["features"])
    for url in serve(REPO / "data"):
        frame = open_map(offline_page, url + "/?date=2016-12-16")
        assert len(fills(frame)) == expected
        assert frame.evaluate(f"() => {VIEW}.isoDay()") == "2016-12-16"
        offline_page.wait_for_timeout(300)
        assert offline_page.errors == [] and offline_page.blocked == []


def test_edit_page_is_not_served_unless_editing_is_on(server, offline_page):
    """A clean start has no edit page: no link to it, and its address shows the map instead."""
    open_map(offline_page, server + "/?basemap=none")
    assert offline_page.get_by_role("link", name="Edit the data").count() == 0
    open_map(offline_page, server + "/edit?basemap=none")
    offline_page.wait_for_timeout(500)
    body = offline_page.inner_text("body")
    assert "Edit the data" not in body and "Add or change districts" not in body and "password" not in body


COMPARISON_READY = (
    "() => !!(window.ControlMap && ControlMap.instances.length === 2 && ControlMap.instances.every(v => v.ready))"
)
FRAMES = "() => [...document.querySelectorAll('iframe')].map(f => [f.title, f.src.slice(0, 60), f.srcdoc.length])"
#: Whether the session's script is running, as Streamlit's page says it for tests (its status widget
#: shows only for a run that lasts, so its absence does not say a run has ended).
SCRIPT_STATE = "() => document.querySelector('[data-test-script-state]')?.getAttribute('data-test-script-state')"
IDLE = f"() => ({SCRIPT_STATE})() === 'notRunning'"


def comparison_frame(page, switch, timeout_s: float = 60):
    """The frame of the comparison page (Streamlit's frame of a page given as text) once both its
    maps are drawn. Streamlit may draw the frame again while it runs, so the frame is looked up
    afresh until it is ready; a failure says what the page showed instead."""
    deadline = time.time() + timeout_s
    box = page.locator("iframe[srcdoc]")
    while time.time() < deadline:
        try:
            frame = box.first.element_handle(timeout=1000).content_frame()
            if frame is not None and frame.evaluate(COMPARISON_READY):
                return frame
        except Exception:  # noqa: BLE001 - not there yet, or drawn again while it was read
            pass
        page.wait_for_timeout(200)
    shown = page.inner_text("body")[-1500:]
    raise AssertionError(
        f"no comparison page with two drawn maps; the switch is {'on' if switch.is_checked() else 'off'}; "
        f"the script is {page.evaluate(SCRIPT_STATE)}; "
        f"frames (title, address, page length): {page.evaluate(FRAMES)}; the page ends with: {shown}"
    )


@pytest.mark.filterwarnings("always:the switch did not take click")
def test_compare_two_days_and_cite_the_view(server, offline_page):
    page = offline_page
    open_map(page, server + "/?date=2016-12-16")
    page.get_by_text("Cite this view").click()
    cite = page.locator("code").filter(has_text="Data version").first
    cite.wait_for(timeout=30000)
    assert f"{PUBLIC_URL}?date=2016-12-16" in cite.inner_text() and "16 December 2016" in cite.inner_text()
    assert "127.0.0.1" not in cite.inner_text(), "the address the page reports is never the citation's"
    page.get_by_text("Compare two days").click()
    # the page's first run has finished (its last section is drawn): a click that lands while the
    # whole page still runs can be lost when Streamlit lets the fragment's rerun preempt that run
    page.get_by_text("About this map").wait_for(timeout=30000)
    page.wait_for_function(IDLE, timeout=30000)
    switch = page.get_by_role("switch", name="Show the comparison")
    # The switch reads on at once, unless the click was lost: fresh clones' test runs lost it in
    # about one of three (the script idle before and after), which runs of this test alone or of its
    # file never did. In one such run the label was 45-70 px off its place when the click came and
    # the click landed on the section around it (something above it moved and came back). One lost
    # click is said as a warning, with where the label was, and tried again; two fail the test.
    label = page.get_by_text("Show the comparison")
    for attempt in range(2):
        before = label.bounding_box() or {}
        label.click()
        after = label.bounding_box() or {}
        for _ in range(50):
            if switch.is_checked():
                break
            page.wait_for_timeout(200)
        if switch.is_checked():
            break
        warnings.warn(
            f"the switch did not take click {attempt + 1}; the script is {page.evaluate(SCRIPT_STATE)}; the "
            f"label's top was at {before.get('y', nan):.0f} px before the click, {after.get('y', nan):.0f} px just "
            f"after it and is at {(label.bounding_box() or {}).get('y', nan):.0f} px now",
            stacklevel=1,
        )
    assert switch.is_checked(), f"the switch took neither click; the script is {page.evaluate(SCRIPT_STATE)}"
    frame = comparison_frame(page, switch)
    assert frame.evaluate("() => ControlMap.instances.map(v => v.isoDay())") == ["2016-12-09", "2016-12-16"]
    assert frame.locator(".cm-changes tbody tr").count() >= 1
    assert [e for e in page.errors if "Failed to load resource" not in e] == []


def test_the_snapshot_cites_the_operators_address_and_offers_no_png(server, offline_page):
    page = offline_page
    open_map(page, server + "/?date=2016-12-16")
    page.get_by_text("Share or download this view").click()
    page.get_by_text("About this map").wait_for(timeout=30000)
    page.wait_for_function(IDLE, timeout=30000)
    page.get_by_text("Prepare snapshot files for this day").click()
    button = page.get_by_role("button", name="Download HTML")
    button.wait_for(timeout=60000)
    with page.expect_download() as download:
        button.click()
    html = Path(download.value.path()).read_text(encoding="utf-8")
    assert PUBLIC_URL in html and "127.0.0.1" not in html
    assert page.get_by_role("button", name="Make PNG").count() == 0
    assert page.get_by_text("No PNG here: a PNG is drawn by a browser on the server").count() >= 1
