"""Benchmark the real app in Chromium: time to first map on a warm server, and slider step times.

Usage: ``.venv/bin/python -m bench.app_slider [--data DIR] [--districts 100] [--steps 20]``.
Without ``--data`` it writes a synthetic set of ``--districts`` squares (bench/synthetic.py).

A step is timed from the key press on the focused date slider (a capturing ``keydown``
listener in the page) to the first animation frame after the map restyled for the new day
(``aleppo.paintedAt`` in the map's frame). Both are ``Date.now()`` on the same machine.
Prints median and max step times and the time to first map. All non-local requests are
blocked, as in the offline tests, and the basemap is off (tiles would only add noise).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from snapshot import CHROMIUM, CHROMIUM_ARGS

REPO = Path(__file__).resolve().parents[1]
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
MAP_FRAME = "streamlit_folium.st_folium"


def free_port() -> int:
    """An unused loopback TCP port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data: Path, port: int) -> subprocess.Popen:
    """Start ``streamlit run app.py`` on ``port`` and wait for its health check."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.enableStaticServing", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", "--", "--data", str(data)]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("streamlit did not start: " + (proc.stderr.read().decode() if proc.stderr else ""))


def map_frame(page):
    """The streamlit-folium iframe once the districts are drawn and painted."""
    page.wait_for_selector(f'iframe[title="{MAP_FRAME}"]', timeout=60000)
    frame = next(f for f in page.frames if MAP_FRAME in f.url)
    frame.wait_for_function("() => window.aleppo && window.aleppo.paints > 0", timeout=60000)
    return frame


def open_page(browser, url: str):
    """A page with every non-local request blocked."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else r.abort())
    return ctx.new_page()


def first_map_ms(browser, url: str, ctx=None) -> float:
    """Milliseconds from navigation to the first painted map (in ``ctx``: warm browser cache)."""
    page = ctx.new_page() if ctx else open_page(browser, url)
    t0 = time.time() * 1000
    page.goto(url)
    frame = map_frame(page)
    painted = frame.evaluate("() => window.aleppo.paintedAt")
    page.close() if ctx else page.context.close()
    return painted - t0


def step_times(browser, url: str, steps: int) -> list[float]:
    """Milliseconds from each ArrowRight on the slider to the repaint of the new day."""
    page = open_page(browser, url)
    page.goto(url)
    frame = map_frame(page)
    page.wait_for_timeout(1500)
    page.evaluate("() => document.addEventListener('keydown', () => { window.__t0 = Date.now(); }, true)")
    page.locator('[data-testid="stSlider"] input[type="range"]').first.focus()
    times = []
    for _ in range(steps):
        before = frame.evaluate("() => window.aleppo.paints")
        page.keyboard.press("ArrowRight")
        frame.wait_for_function(f"() => window.aleppo.paints > {before}", timeout=20000)
        painted = frame.evaluate("() => window.aleppo.paintedAt")
        times.append(painted - page.evaluate("() => window.__t0"))
        page.wait_for_timeout(400)  # let the rest of the page (charts) finish before the next key
    page.context.close()
    return times


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path)
    ap.add_argument("--districts", type=int, default=100)
    ap.add_argument("--steps", type=int, default=20)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from bench.synthetic import write_synthetic

    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or write_synthetic(Path(tmp) / "data", args.districts)
        port = free_port()
        server = start_server(data, port)
        url = f"http://127.0.0.1:{port}/?date=2016-11-15&basemap=none"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                first_map_ms(browser, url)  # warm the server: load, validate, cache
                cold = [first_map_ms(browser, url) for _ in range(3)]
                ctx = open_page(browser, url).context
                warm = [first_map_ms(browser, url, ctx) for _ in range(4)][1:]
                ctx.close()
                times = step_times(browser, url, args.steps)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"data: {data if args.data else f'synthetic, {args.districts} districts'}")
    print(f"first map, warm server, new browser profile: median {statistics.median(cold):.0f} ms, "
          f"max {max(cold):.0f} ms")
    print(f"first map, warm server, browser cache warm (returning reader): "
          f"median {statistics.median(warm):.0f} ms, max {max(warm):.0f} ms")
    print(f"slider step, key press to repaint ({len(times)} steps): "
          f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms")


if __name__ == "__main__":
    main()
