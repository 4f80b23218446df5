"""Shared fixtures: tiny hand-made data whose answers are known by hand, and a real browser."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from snapshot import CHROMIUM, CHROMIUM_ARGS  # one list of launch flags for tests, benches and snapshots

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"

# A 3 x 2 grid of 0.01° squares over Aleppo. T1 T2 T3 on the south row, T4 T5 T6 north.
#   T4 T5 T6
#   T1 T2 T3
X0, Y0, STEP = 37.13, 36.19, 0.01


def square(col: int, row: int) -> dict:
    x, y = X0 + col * STEP, Y0 + row * STEP
    ring = [
        [round(x, 6), round(y, 6)],
        [round(x + STEP, 6), round(y, 6)],
        [round(x + STEP, 6), round(y + STEP, 6)],
        [round(x, 6), round(y + STEP, 6)],
        [round(x, 6), round(y, 6)],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def tiny_features() -> list[dict]:
    names = ["West", "Middle", "East", "North West", "North Middle", "North East"]
    return [
        {
            "type": "Feature",
            "properties": {
                "id": f"T{i + 1}",
                "name": names[i],
                "name_ar": f"حي {i + 1}",
                "aliases": [f"Alias {i + 1}"],
                "geometry_source": "hand-made test square",
            },
            "geometry": square(i % 3, i // 3),
        }
        for i in range(6)
    ]


TINY_SOURCES = """key,title,publisher,date,url,stance
alpha,Alpha report,Alpha,2016-12-01,https://example.org/a,one side
beta,Beta report,Beta,2016-12-02,,other side
"""

# Known answers:
#  T1 government all along. T2 opposition, government takes 1/3 on 20 Nov, all on 25 Nov.
#  T3 opposition; on 1 Dec alpha says government, beta says opposition (disputed).
#  T4 sdf. T5 opposition until sdf takes it on 28 Nov. T6 has no row (unknown).
TINY_EVENTS = """event_id,date,district,controller,share,source,precision,note
E1,2016-11-15,T1,government,,alpha,day,start
E2,2016-11-15,T2,opposition,,alpha,day,start
E3,2016-11-15,T3,opposition,,alpha,day,start
E4,2016-11-15,T4,sdf,,alpha,day,start
E5,2016-11-15,T5,opposition,,alpha,inferred,start
E6,2016-11-20,T2,government,0.33,alpha,day,a third
E7,2016-11-25,T2,government,,alpha,day,all
E8,2016-12-01,T3,government,,alpha,day,claim
E9,2016-12-01,T3,opposition,,beta,day,counter-claim
E10,2016-11-28,T5,sdf,,beta,day,taken
"""


#: The tiny data's settings: the bundled ones (its sides, colours, span and area box).
TINY_MAP = (DATA / "map.toml").read_text(encoding="utf-8")


def add_column(events: str, name: str, values: dict[str, str] | None = None) -> str:
    """``events`` (CSV text) with one more column, filled from ``values`` by event_id (blank else)."""
    lines = events.strip().splitlines()
    values = values or {}
    rows = [f"{ln},{values.get(ln.split(',', 1)[0], '')}" for ln in lines[1:]]
    return "\n".join([f"{lines[0]},{name}", *rows]) + "\n"


def write_data(
    folder: Path,
    *,
    features=None,
    events: str = TINY_EVENTS,
    sources: str = TINY_SOURCES,
    districts_text: str | None = None,
    settings: str | None = TINY_MAP,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if settings is not None:
        (folder / "map.toml").write_text(settings, encoding="utf-8")
    if districts_text is None:
        districts_text = json.dumps(
            {"type": "FeatureCollection", "features": tiny_features() if features is None else features},
            ensure_ascii=False,
        )
    (folder / "districts.geojson").write_text(districts_text, encoding="utf-8")
    (folder / "events.csv").write_text(events, encoding="utf-8")
    (folder / "sources.csv").write_text(sources, encoding="utf-8")
    return folder


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """A data folder with the tiny districts, events and sources."""
    return write_data(tmp_path / "data")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. A missing browser fails; it never skips."""
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), f"{CHROMIUM} missing: run scripts/test.sh, which installs it"
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def offline_page(browser):
    """A page whose every request outside 127.0.0.1/localhost/file: is blocked; records errors."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(
            (
                "file:",
                "data:",
                "blob:",
                "http://127.0.0.1",
                "http://localhost",
                "ws://127.0.0.1",
                "ws://localhost",
                "about:",
            )
        ):
            return r.continue_()
        blocked.append(url)
        return r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.blocked = blocked  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    yield page
    ctx.close()


def frame_with(page, selector: str, timeout_ms: int = 10_000):
    """The first frame of ``page`` holding ``selector`` (iframes appear after the page); fails on timeout."""
    for _ in range(timeout_ms // 100):
        frame = next((f for f in page.frames if f.query_selector(selector)), None)
        if frame:
            return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no frame shows {selector!r} after {timeout_ms} ms")
