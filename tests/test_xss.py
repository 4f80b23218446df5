"""No injected script: hostile text in every data field stays text in the app and in a snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TINY_EVENTS, tiny_features, write_data
from test_app_browser import open_map, serve

from geo.load import check_dataset, load_dataset
from geo.timeline import timeline_for
from snapshot import render_html

# Each payload would run (set window.__xss) if it reached the page as HTML or as JavaScript source.
PAYLOADS = [
    '<img src=x onerror="window.__xss=1">',
    "${window.__xss=2}",
    "`;window.__xss=3;`",
    "</script><script>window.__xss=4</script>",
    "back\\slash \\u0027 '\"",
    "[link](javascript:window.__xss=7)",
]
HOSTILE = " | ".join(PAYLOADS)


def csv_cell(text: str) -> str:
    """``text`` as one quoted CSV cell (a quote inside is doubled)."""
    return '"' + text.replace('"', '""') + '"'


def hostile_dir(tmp: Path) -> Path:
    feats = tiny_features()
    for f in feats:
        p = f["properties"]
        p.update(
            {
                "name": f"{p['name']} {HOSTILE}",
                "name_ar": f"{p['name_ar']} {HOSTILE}",
                "aliases": [HOSTILE],
                "geometry_source": HOSTILE,
            }
        )
    events = "event_id,date,district,controller,share,source,precision,place,claimant,note\n"
    for line in TINY_EVENTS.splitlines()[1:]:
        cells = line.split(",")
        events += ",".join([*cells[:-1], csv_cell(HOSTILE), csv_cell(HOSTILE), csv_cell(HOSTILE)]) + "\n"
    sources = (
        "key,title,publisher,date,url,stance\n"
        f"alpha,{csv_cell(HOSTILE)},{csv_cell(HOSTILE)},2016-12-01,"
        f'"https://example.org/""><img src=x onerror=window.__xss=5>",{csv_cell(HOSTILE)}\n'
        f"beta,{csv_cell(HOSTILE)},{csv_cell(HOSTILE)},,,{csv_cell(HOSTILE)}\n"
    )
    folder = write_data(tmp, features=feats, events=events, sources=sources)
    line = [[37.135, 36.195], [37.155, 36.205]]
    routes = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "id": "R1",
                    "name": HOSTILE,
                    "note": HOSTILE,
                    "source": "alpha",
                    "location_precision": HOSTILE,
                    "direction": HOSTILE,
                    "active_from": "2016-11-15",
                    "active_to": "2016-12-22",
                    "status": [{"from": "2016-11-15", "to": None, "status": "in use"}],
                },
                "geometry": {"type": "LineString", "coordinates": line},
            }
        ],
    }
    cps = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "id": "C1",
                    "name": HOSTILE,
                    "kind": HOSTILE,
                    "operator": HOSTILE,
                    "note": HOSTILE,
                    "source": "alpha",
                    "location_precision": HOSTILE,
                    "active_from": "2016-11-15",
                    "active_to": "2016-12-22",
                },
                "geometry": {"type": "Point", "coordinates": [37.145, 36.2]},
            }
        ],
    }
    (folder / "routes.geojson").write_text(json.dumps(routes), encoding="utf-8")
    (folder / "checkpoints.geojson").write_text(json.dumps(cps), encoding="utf-8")
    return folder


def test_javascript_urls_are_refused_by_validation(tmp_path):
    sources = "key,title,publisher,date,url,stance\nalpha,A,A,,javascript:window.__xss=6,x\nbeta,B,B,,,y\n"
    ds, problems = check_dataset(write_data(tmp_path, sources=sources))
    assert ds is None and any(p.field == "url" and "http(s)" in p.message for p in problems)


def hover_and_click_everything(page) -> int:
    """Fire hover and click on every interactive map element; return how many there were."""
    return page.evaluate("""() => {
        const els = [...document.querySelectorAll('.leaflet-interactive')];
        for (const el of els) {
            for (const type of ['mouseover', 'mousemove', 'click', 'mouseout']) {
                el.dispatchEvent(new MouseEvent(type, {bubbles: true, clientX: 300, clientY: 300}));
            }
        }
        return els.length;
    }""")


def assert_nothing_ran(page, *, min_elements: int) -> None:
    for frame in page.frames:
        assert frame.evaluate("() => window.__xss === undefined"), f"payload ran in {frame.url}"
    assert not [e for e in page.errors if "__xss" in e], page.errors


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = hostile_dir(tmp_path_factory.mktemp("hostile"))
    ds = load_dataset(folder)
    return folder, ds, timeline_for(ds)


def test_hostile_data_loads(hostile):
    _, ds, _ = hostile
    assert len(ds.districts) == 6 and ds.routes is not None and ds.checkpoints is not None


@pytest.mark.browser
def test_snapshot_shows_hostile_text_literally_and_runs_nothing(hostile, offline_page, tmp_path):
    _, ds, tl = hostile
    html = render_html(ds, tl, tl.days[6])
    assert "<img src=x" not in html and "<script>window.__xss" not in html
    out = tmp_path / "snap.html"
    out.write_text(html, encoding="utf-8")
    page = offline_page
    page.goto(out.as_uri())
    page.wait_for_selector(".leaflet-interactive")
    n = hover_and_click_everything(page)
    assert n >= 6
    page.keyboard.press("End")
    hover_and_click_everything(page)
    text = page.evaluate("() => document.body.innerText")
    assert "${window.__xss=2}" in text and "</script><script>window.__xss=4</script>" in text
    assert_nothing_ran(page, min_elements=6)
    hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    assert all(h.startswith(("http://", "https://", "#")) for h in hrefs), hrefs


@pytest.fixture(scope="module")
def hostile_app(hostile):
    yield from serve(hostile[0])


@pytest.mark.browser
def test_app_shows_hostile_text_literally_and_runs_nothing(hostile_app, offline_page):
    page = offline_page
    # 20 Nov has an event, so the side panel lists it too
    map_frame = open_map(page, hostile_app + "/?date=2016-11-20")  # waits until the districts are drawn
    n = hover_and_click_everything(map_frame)
    assert n >= 6
    page.wait_for_timeout(500)
    page.get_by_text("Events on 20 Nov 2016").wait_for(timeout=30000)
    page.locator(".day-events li").first.wait_for(timeout=30000)
    texts = " ".join(f.evaluate("() => document.body.innerText") for f in page.frames)
    assert "${window.__xss=2}" in texts and "[link](javascript:window.__xss=7)" in page.inner_text(".day-events")
    for f in page.frames:
        assert (
            f.locator("a[href]").evaluate_all(
                "as => as.filter(a => !/^(https?:|#|\\/)/.test(a.getAttribute('href'))).length"
            )
            == 0
        )
    assert_nothing_ran(page, min_elements=6)
