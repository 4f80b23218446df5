"""The real app in Chromium with the network cut: districts drawn, ?date=, slider, legend, charts.

One Streamlit server per module on a free loopback port, on a small synthetic data set.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.synthetic import write_synthetic

REPO = Path(__file__).resolve().parents[1]
N = 16
pytestmark = pytest.mark.browser


def serve(data: Path, *app_args: str, options: tuple[str, ...] = ()):
    """Run the app on ``data`` (with ``app_args`` after ``--`` and Streamlit ``options``) on a free
    loopback port; yield its URL; stop it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.enableStaticServing",
           "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *options,
           "--", "--data", str(data), *app_args]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).status == 200:
                break
        except OSError:
            assert time.time() < deadline, "streamlit did not start"
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from serve(write_synthetic(tmp_path_factory.mktemp("syn") / "data", N))


def open_map(page, url: str):
    """Open the app and wait for the painted map; return the page (the map is an inline component)."""
    page.goto(url)
    page.wait_for_function("() => window.aleppo && window.aleppo.paints > 0", timeout=60000)
    assert page.locator("#map_div").count() == 1, "exactly one map on the page"
    return page


def fills(frame) -> list[str]:
    return frame.eval_on_selector_all(".leaflet-districts-pane path", "ps => ps.map(p => p.getAttribute('fill'))")


def test_offline_draws_every_district_with_no_errors(server, offline_page):
    frame = open_map(offline_page, server + "/?date=2016-12-16&basemap=none")
    assert len(fills(frame)) == N
    assert frame.evaluate("() => typeof L !== 'undefined' && L.version") == "1.9.3"
    assert frame.locator("path.route-in-use").count() == 1
    assert frame.locator("path.checkpoint").count() == 2
    offline_page.wait_for_timeout(500)
    assert offline_page.errors == []
    assert offline_page.blocked == []


def test_with_street_map_only_tiles_fail(server, offline_page):
    frame = open_map(offline_page, server + "/?date=2016-11-20")
    assert len(fills(frame)) == N
    assert offline_page.blocked and all("basemaps.cartocdn.com" in u for u in offline_page.blocked)


def test_basemap_change_keeps_the_view_and_one_map(server, offline_page):
    page = open_map(offline_page, server + "/?date=2016-12-16&basemap=none")
    page.get_by_text("Area held").wait_for(timeout=30000)  # controls are drawn
    page.evaluate("() => window.aleppo.map.setView([36.165, 37.115], 15, {animate: false})")
    page.get_by_text("Light street map").click()
    page.wait_for_function("() => window.aleppo.map.getPane('tilePane').children.length > 0", timeout=30000)
    page.wait_for_function("() => window.aleppo.paints > 0 && window.aleppo.day === '2016-12-16'")
    assert page.locator("#map_div").count() == 1
    assert page.evaluate("() => window.aleppo.map.getZoom()") == 15
    assert len(fills(page)) == N
    assert "basemap" not in page.url  # the default basemap is not spelled out in the link
    assert [e for e in page.errors if "Failed to load resource" not in e] == []


def test_date_link_opens_that_day(server, offline_page):
    frame = open_map(offline_page, server + "/?date=2016-12-10&basemap=none")
    assert frame.evaluate("() => window.aleppo.day") == "2016-12-10"
    assert "Saturday 10 December 2016" in offline_page.inner_text("h3")


def test_slider_recolours_keeps_zoom_and_hidden_layers(server, offline_page):
    frame = open_map(offline_page, server + "/?date=2016-11-15&basemap=none")
    frame.evaluate("() => window.aleppo.map.setView([36.165, 37.115], 15, {animate: false})")
    assert frame.locator("path.front").count() > 0
    frame.locator(".leaflet-control-layers-overlays label").filter(has_text="Front line").locator(
        "input").evaluate("box => box.click()")  # the control is collapsed: click the box itself
    assert frame.locator("path.front").count() == 0
    before, paints = fills(frame), frame.evaluate("() => window.aleppo.paints")
    slider = offline_page.locator('[data-testid="stSlider"] input[type="range"]').first
    slider.focus()
    for _ in range(14):  # a held key repeats every 30-50 ms
        offline_page.keyboard.press("ArrowRight")
        offline_page.wait_for_timeout(60)
    url_day = "() => new URLSearchParams(location.search).get('date')"
    deadline = time.time() + 60
    while (day := offline_page.evaluate(url_day)) != "2016-11-29":
        assert time.time() < deadline and day < "2016-11-29", f"slider stuck at {day}"
        offline_page.wait_for_timeout(500)
        if offline_page.evaluate(url_day) == day:  # no progress: a rerun dropped a key press (loaded machine)
            slider.focus()
            offline_page.keyboard.press("ArrowRight")
    frame.wait_for_function("() => window.aleppo.day === '2016-11-29'")
    assert fills(frame) != before
    assert frame.evaluate("() => window.aleppo.map.getZoom()") == 15
    assert frame.evaluate("() => window.aleppo.paints") > paints
    frame.wait_for_timeout(100)
    assert frame.locator("path.front").count() == 0, "a layer the reader hid stays hidden"
    assert frame.locator("path.changed").count() == 1  # the synthetic set's disputed district
    assert offline_page.errors == []


def test_legend_tooltip_and_charts_appear(server, offline_page):
    frame = open_map(offline_page, server + "/?date=2016-12-16&basemap=none")
    assert "Disputed" in frame.inner_text(".aleppo-legend")
    frame.locator(".leaflet-districts-pane path").nth(N - 1).hover()
    tip = frame.locator(".leaflet-tooltip")
    tip.wait_for()
    assert "District" in tip.inner_text() and "Alpha report" in tip.inner_text()
    offline_page.locator('[data-testid="stVegaLiteChart"]').nth(1).wait_for(timeout=30000)
    assert offline_page.locator('[data-testid="stVegaLiteChart"]').count() == 2
    assert "Area held" in offline_page.inner_text("body")


def test_bundled_data_offline(offline_page):
    """The README's first command serves data/: every district drawn with the network cut."""
    import json

    expected = len(json.loads((REPO / "data" / "districts.geojson").read_text("utf-8"))["features"])
    for url in serve(REPO / "data"):
        frame = open_map(offline_page, url + "/?date=2016-12-16&basemap=none")
        assert len(fills(frame)) == expected
        assert frame.evaluate("() => window.aleppo.day") == "2016-12-16"
        offline_page.wait_for_timeout(300)
        assert offline_page.errors == [] and offline_page.blocked == []


def test_page_wide_keys_step_the_day(server, offline_page):
    frame = open_map(offline_page, server + "/?date=2016-12-10&basemap=none")
    # a new session shows the map first, then the controls (and their keys), then the figures
    offline_page.get_by_text("Area held").wait_for(timeout=30000)
    offline_page.locator("h3").first.click()  # focus on the page, not on a widget
    offline_page.keyboard.press(".")
    offline_page.wait_for_function("() => location.search.includes('date=2016-12-11')")
    frame.wait_for_function("() => window.aleppo.day === '2016-12-11'")
    offline_page.keyboard.press(",")
    offline_page.wait_for_function("() => location.search.includes('date=2016-12-10')")
    assert offline_page.errors == []


def test_edit_page_is_not_served_unless_editing_is_on(server, offline_page):
    """A clean start has no edit page: no link to it, and its address shows the map instead."""
    open_map(offline_page, server + "/?basemap=none")
    assert offline_page.get_by_role("link", name="Edit the data").count() == 0
    open_map(offline_page, server + "/edit?basemap=none")
    offline_page.wait_for_timeout(500)
    body = offline_page.inner_text("body")
    assert "Edit the data" not in body and "Add or change districts" not in body and "password" not in body
