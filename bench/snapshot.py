"""Benchmark the snapshot page (the map plugin's page) against folium's TimestampedGeoJson, same data.

    python bench/snapshot.py                  # the bundled data/
    python bench/snapshot.py --synthetic 500  # an n-district grid (bench/synthetic.py)

Prints HTML size (raw, gzipped), time to first paint and to a drawn map, slider step time in
Chromium, and PNG time cold and with a warm browser. TimestampedGeoJson loads its scripts from
CDNs; here they are served from local copies (Debian's jQuery, and npm packages unpacked into
$BENCH_JS_CACHE, fetched once with `npm pack`), so its timings need npm or a filled cache.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import folium  # noqa: E402
import shapely  # noqa: E402
from folium.plugins import TimestampedGeoJson  # noqa: E402

import snapshot  # noqa: E402
from geo.escape import script_json  # noqa: E402
from geo.load import load_dataset  # noqa: E402
from geo.timeline import timeline_for  # noqa: E402
from geo.vocabulary import states  # noqa: E402
from layers.encode import simplify_coverage, unpack  # noqa: E402
from layers.payload import build_payload  # noqa: E402
from layers.style import DISPUTED_HATCH, palette  # noqa: E402
from snapshot import render_html  # noqa: E402

HATCHED = {"split": DISPUTED_HATCH["background"], "disputed": DISPUTED_HATCH["background"]}

CACHE = Path(os.environ.get("BENCH_JS_CACHE", Path(tempfile.gettempdir()) / "aleppo-bench-js"))
NPM = {
    "leaflet-timedimension@1.1.1": "package/dist/leaflet.timedimension.min.js",
    "iso8601-js-period@0.2.1": "package/iso8601.js",
    "moment@2.18.1": "package/min/moment.min.js",
}
SIZE = {"width": 1200, "height": 800}
STEP_JS = """() => { const v = ControlMap.instances[0], n = v.days.length, t = [];
  for (let k = 0; k < 3; k++) for (let i = 0; i < n; i++) {
    const t0 = performance.now(); v.setDay((i + 1) % n); document.body.offsetHeight;
    document.querySelector('.leaflet-overlay-pane svg').getBBox(); t.push(performance.now() - t0); }
  return t; }"""
TGJ_STEP_JS = """async () => { const m = window[Object.keys(window).find(k => k.startsWith('map_'))];
  const td = m.timeDimension, n = td.getAvailableTimes().length, t = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise(r => { td.once('timeload', r); td.setCurrentTimeIndex((i + 1) % n); });
    document.body.offsetHeight; t.push(performance.now() - t0); }
  return t; }"""
READY = "() => window.ControlMap && ControlMap.instances[0] && ControlMap.instances[0].ready"
TGJ_READY = "() => document.querySelectorAll('.leaflet-overlay-pane path').length > 0"


def tgj_html(ds, tl) -> str:
    """folium's TimestampedGeoJson for the same days: one polygon copy per district per day."""
    geoms = simplify_coverage(ds.districts.geometry.to_numpy())
    geo = {
        i: json.loads(shapely.to_geojson(shapely.set_precision(g, 1e-5)))
        for i, g in zip(ds.districts["id"], geoms, strict=True)
    }
    feats = []
    colours = {**palette(ds.settings), **HATCHED}
    for day in tl.days:
        stamp = day.date().isoformat()
        for did, ctrl in states(tl.control_on(day)).items():
            feats.append(
                {
                    "type": "Feature",
                    "geometry": geo[did],
                    "properties": {
                        "times": [stamp],
                        "tooltip": did,
                        "style": {"color": "#ffffff", "weight": 1, "fillColor": colours[ctrl], "fillOpacity": 0.75},
                    },
                }
            )
    bounds = ds.districts.total_bounds
    m = folium.Map(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2], zoom_start=12, tiles=None)
    TimestampedGeoJson(
        {"type": "FeatureCollection", "features": feats},
        period="P1D",
        add_last_point=False,
        auto_play=False,
        loop=False,
    ).add_to(m)
    return m.get_root().render()


def tgj_scripts() -> dict[str, Path] | None:
    """Local files for the scripts TimestampedGeoJson pulls from CDNs, or None when unavailable."""
    from xstatic.pkg import leaflet

    CACHE.mkdir(parents=True, exist_ok=True)
    files = {}
    for spec, member in NPM.items():
        name = spec.split("@")[0]
        target = CACHE / name / Path(member).name
        if not target.exists():
            tgz = next(CACHE.glob(f"{name}-*.tgz"), None)
            if tgz is None:
                try:
                    subprocess.run(
                        ["npm", "pack", "--silent", spec], cwd=CACHE, check=True, capture_output=True, timeout=120
                    )
                except (OSError, subprocess.SubprocessError):
                    return None
                tgz = next(CACHE.glob(f"{name}-*.tgz"))
            with tarfile.open(tgz) as tar:
                target.parent.mkdir(exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())
        files[name] = target
    jquery = Path("/usr/share/javascript/jquery/jquery.min.js")
    files["leaflet.js"] = Path(leaflet.BASE_DIR) / "leaflet.js"
    files["leaflet.css"] = Path(leaflet.BASE_DIR) / "leaflet.css"
    files["jquery"] = jquery if jquery.exists() else None
    return files if files["jquery"] else None


#: URL fragment of a CDN script -> key in tgj_scripts() (None: served empty, not needed to draw).
CDN_RULES = (
    ("jqueryui", None),
    ("leaflet-timedimension", "leaflet-timedimension"),
    ("iso8601", "iso8601-js-period"),
    ("moment", "moment"),
    ("jquery", "jquery"),
    ("leaflet@1.9.3/dist/leaflet.js", "leaflet.js"),
    ("leaflet@1.9.3/dist/leaflet.css", "leaflet.css"),
)


def _local(url: str, files: dict[str, Path]) -> Path | None:
    for needle, key in CDN_RULES:
        if needle in url:
            path = files.get(key) if key else None
            return path if path and (path.suffix == ".css") == url.endswith(".css") else None
    return None


def _route_for(files: dict[str, Path] | None):
    """Serve CDN scripts from local copies; anything else from the network gets an empty body."""

    def route(r) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:", "about:")):
            return r.continue_()
        path = _local(url, files or {})
        if path is not None:
            return r.fulfill(path=str(path))
        return r.fulfill(status=200, body="", content_type="text/css" if ".css" in url else "text/javascript")

    return route


def measure_page(browser, path: Path, *, ready: str, step_js: str, files=None) -> dict:
    """First paint, time to a drawn map and slider step times for one page in a warm browser."""
    ctx = browser.new_context(viewport=SIZE)
    ctx.route("**/*", _route_for(files))
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    t0 = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function(ready, timeout=60000)
    drawn = time.perf_counter() - t0
    page.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0", timeout=10000)
    fcp = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime")
    steps = page.evaluate(step_js)
    ctx.close()
    return {
        "fcp_ms": fcp,
        "drawn_s": drawn,
        "step_med_ms": statistics.median(steps),
        "step_max_ms": max(steps),
        "errors": errors,
    }


def png_times(html_path: Path, *, ready: str, files=None, repeat: int = 3) -> tuple[float, float]:
    """Median seconds for a PNG from a cold browser (launch included) and from a warm one."""
    from playwright.sync_api import sync_playwright

    def shoot(browser) -> None:
        ctx = browser.new_context(viewport=SIZE, device_scale_factor=2)
        ctx.route("**/*", _route_for(files))
        page = ctx.new_page()
        page.goto(html_path.as_uri(), wait_until="load")
        page.wait_for_function(ready, timeout=60000)
        page.screenshot(type="png")
        ctx.close()

    cold, warm = [], []
    with sync_playwright() as pw:
        for _ in range(repeat):
            t0 = time.perf_counter()
            b = pw.chromium.launch(executable_path=snapshot.CHROMIUM, args=snapshot.CHROMIUM_ARGS)
            shoot(b)
            cold.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            shoot(b)
            warm.append(time.perf_counter() - t0)
            b.close()
    return statistics.median(cold), statistics.median(warm)


def snapshot_png_times(html: str, repeat: int = 3) -> tuple[float, float]:
    """The same through snapshot.py's own code paths (print mode, fonts and frames settled)."""
    cold = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        snapshot.render_png_bytes(html, scale=2, **SIZE)
        cold.append(time.perf_counter() - t0)
    with snapshot.PngRenderer() as renderer:
        renderer.render(html, scale=2, **SIZE)
        warm = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            renderer.render(html, scale=2, **SIZE)
            warm.append(time.perf_counter() - t0)
    return statistics.median(cold), statistics.median(warm)


def sizes(text: str) -> str:
    raw = text.encode()
    return f"{len(raw) / 1e6:6.3f} MB raw, {len(gzip.compress(raw, 6)) / 1e6:6.3f} MB gzipped"


def parts_of(html: str) -> list[tuple[str, int]]:
    """Where a snapshot page's bytes go: Leaflet, the runtime, the map's data and the newsroom's parts."""
    from layers.control_map import leaflet_assets, shipped_asset

    js, css = leaflet_assets()
    m = re.search(r'<script type="application/json" id="cm-page-payload">(.*?)</script>', html, re.S)
    payload = json.loads(m.group(1)) if m else {}
    weigh = lambda keys: sum(len(script_json(payload[k]).encode()) for k in keys if k in payload)  # noqa: E731
    news = ("captions", "summaries", "citations", "labels", "labelAt", "locator")
    total = len(html.encode())
    fixed = len(js) + len(css) + len(shipped_asset("control_map.js")) + len(shipped_asset("control_map.css"))
    data = len(m.group(1).encode()) if m else 0
    return [
        ("Leaflet and the runtime (JS, CSS)", fixed),
        ("the map's data", data - weigh(news)),
        ("per-day captions, summaries and citations, labels, inset", weigh(news)),
        ("the page's HTML (About, sources)", total - fixed - data),
    ]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(REPO / "data"))
    ap.add_argument("--synthetic", type=int, metavar="N", help="use an N-district synthetic grid instead")
    ap.add_argument("--no-tgj", action="store_true", help="skip TimestampedGeoJson")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-snapshot-"))
    folder = Path(args.data)
    if args.synthetic:
        sys.path.insert(0, str(REPO / "bench"))
        from synthetic import write_synthetic

        folder = write_synthetic(tmp / "data", args.synthetic)
    ds = load_dataset(folder)
    tl = timeline_for(ds)
    day = tl.days[min(28, len(tl.days) - 1)]
    t0 = time.perf_counter()
    html = render_html(ds, tl, day)
    build_s = time.perf_counter() - t0
    print(f"data: {folder} — {len(ds.districts)} districts × {len(tl.days)} days, {len(ds.events)} events")
    n0 = shapely.get_num_coordinates(ds.districts.geometry.to_numpy()).sum()
    n1 = shapely.get_num_coordinates(simplify_coverage(ds.districts.geometry.to_numpy())).sum()
    data = build_payload(ds, tl)
    geom = len(script_json({k: data[k] for k in ("arcs", "geom", "pairs")}).encode())
    arcs = sum(len(unpack(a)) // 2 for a in data["arcs"])
    day_keys = ("states", "claims", "first", "changes", "changed", "fronts", "front")
    table = len(script_json({k: data[k] for k in day_keys if k in data}).encode())
    print(
        f"coverage simplification: {n0} -> {n1} vertices ({100 * (1 - n1 / n0):.0f}% fewer); "
        f"stored as {len(data['arcs'])} arcs of {arcs} points, each shared boundary once; "
        f"geometry JSON {geom / 1e3:.0f} kB, day table (states, claims, changes, fronts) {table / 1e3:.0f} kB"
    )
    page = tmp / "standalone.html"
    page.write_text(html, encoding="utf-8")
    print(f"\nsnapshot page     : {sizes(html)} ({len(html.encode()):,} bytes); built in {build_s:.2f} s")
    print("  of which: " + ", ".join(f"{name} {n / 1e3:.1f} kB" for name, n in parts_of(html)))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=snapshot.CHROMIUM, args=snapshot.CHROMIUM_ARGS)
        m = measure_page(browser, page, ready=READY, step_js=STEP_JS)
        files = None if args.no_tgj else tgj_scripts()
        if not args.no_tgj:
            t0 = time.perf_counter()
            tgj = tgj_html(ds, tl)
            tgj_build = time.perf_counter() - t0
            tgj_page = tmp / "tgj.html"
            tgj_page.write_text(tgj, encoding="utf-8")
            t = measure_page(browser, tgj_page, ready=TGJ_READY, step_js=TGJ_STEP_JS, files=files) if files else None
        browser.close()
    print(
        f"  first paint {m['fcp_ms']:.0f} ms, map drawn {m['drawn_s'] * 1000:.0f} ms after navigation; "
        f"slider step median {m['step_med_ms']:.2f} ms, max {m['step_max_ms']:.2f} ms"
    )
    cold, warm = snapshot_png_times(html)
    print(f"  PNG 1200×800 @2x via snapshot.py: cold {cold:.2f} s, warm browser {warm:.2f} s")
    if args.no_tgj:
        return
    print(f"\nTimestampedGeoJson: {sizes(tgj)}; built in {tgj_build:.2f} s (scripts from CDNs, not counted)")
    if t is None:
        print("  timings skipped: its CDN scripts are not available locally (npm pack failed).")
        return
    print(
        f"  first paint {t['fcp_ms']:.0f} ms, map drawn {t['drawn_s'] * 1000:.0f} ms after navigation; "
        f"slider step median {t['step_med_ms']:.2f} ms, max {t['step_max_ms']:.2f} ms"
        + (f"; page errors: {t['errors'][:2]}" if t["errors"] else "")
    )
    cold, warm = png_times(tgj_page, ready=TGJ_READY, files=files)
    print(f"  PNG 1200×800 @2x (plain screenshot): cold {cold:.2f} s, warm browser {warm:.2f} s")
    print(
        "\ntargets: snapshot page no larger than before the one-map runtime (281,476 bytes raw on the "
        "bundled data), slider step <= 1 ms, cold PNG < 1.5 s"
    )


if __name__ == "__main__":
    main()
