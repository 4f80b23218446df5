"""Benchmark the real app in Chromium: time to first map on a warm server, and slider step times.

Usage: ``.venv/bin/python -m bench.app_slider [--data DIR] [--districts 100] [--steps 20]``.
Without ``--data`` it writes a synthetic set of ``--districts`` squares (bench/synthetic.py).

A step is timed from the key press on the focused date slider (a capturing ``keydown``
listener in the page) to the first animation frame after the map restyled for the new day
(``aleppo.paintedAt``). Both are ``Date.now()`` on the same machine.
Prints median and max step times, the time to first map and to the controls, and, for scale,
the time a bare Streamlit page (``bench/bare_app.py``, one line of text) takes to show its text
in the same browser: no Streamlit app can show anything sooner.

The browser is offline the way a reader's laptop is: every host name but 127.0.0.1 fails to
resolve and every other address goes to a dead proxy (``OFFLINE_ARGS``), and any request that
leaves loopback is counted and reported. Requests are not intercepted through Playwright
(``page.route``): that sends each of Streamlit's ~90 script files through the Python driver and
added ~150-200 ms to the first map. The basemap is off (tiles would only add noise).
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
#: No network but loopback, without intercepting requests: names fail to resolve, addresses hit a dead proxy.
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--proxy-server=http://127.0.0.1:9"]


def free_port() -> int:
    """An unused loopback TCP port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data: Path | None, port: int, script: Path = REPO / "app.py") -> subprocess.Popen:
    """Start ``streamlit run script`` on ``port`` (with ``--data``) and wait for its health check."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.enableStaticServing", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    cmd += ["--", "--data", str(data)] if data else []
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
    """The frame holding the map (the page itself: the map is an inline component) once it is painted."""
    page.wait_for_function("() => window.aleppo && window.aleppo.paints > 0", timeout=60000)
    return page.main_frame


class Offline:
    """Counts requests that try to leave loopback (the browser is already offline: ``OFFLINE_ARGS``)."""

    def __init__(self):
        self.leaks: list[str] = []

    def watch(self, page):
        page.on("request", lambda r: None if r.url.startswith(LOCAL) else self.leaks.append(r.url))
        return page


OFFLINE = Offline()


def open_page(browser, url: str):
    """A page in a new browser context (new profile: empty cache), watched for non-local requests."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    return OFFLINE.watch(ctx.new_page())


def first_map_ms(browser, url: str, ctx=None) -> tuple[float, float]:
    """Milliseconds from navigation to the first painted map and to the date slider (in ``ctx``: warm cache)."""
    page = OFFLINE.watch(ctx.new_page()) if ctx else open_page(browser, url)
    t0 = time.time() * 1000
    page.goto(url)
    frame = map_frame(page)
    painted = frame.evaluate("() => window.aleppo.paintedAt")
    page.wait_for_selector('[data-testid="stSlider"] input[type="range"]', timeout=60000)
    controls = time.time() * 1000
    page.close() if ctx else page.context.close()
    return painted - t0, controls - t0


def bare_page_ms(browser, url: str) -> float:
    """Milliseconds from navigation to the text of the bare Streamlit page, new profile."""
    page = open_page(browser, url)
    t0 = time.time() * 1000
    page.goto(url)
    page.get_by_text("ready").wait_for(timeout=60000)
    shown = page.evaluate("() => Date.now()")
    page.context.close()
    return shown - t0


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
        port, bare_port = free_port(), free_port()
        server = start_server(data, port)
        bare = start_server(None, bare_port, REPO / "bench" / "bare_app.py")
        url = f"http://127.0.0.1:{port}/?date=2016-11-15&basemap=none"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + OFFLINE_ARGS)
                bare_page_ms(browser, f"http://127.0.0.1:{bare_port}/")  # warm the bare server
                floor = [bare_page_ms(browser, f"http://127.0.0.1:{bare_port}/") for _ in range(5)]
                first_map_ms(browser, url)  # warm the server: load, validate, cache
                cold = [first_map_ms(browser, url) for _ in range(5)]
                ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
                warm = [first_map_ms(browser, url, ctx) for _ in range(4)][1:]
                ctx.close()
                times = step_times(browser, url, args.steps)
                browser.close()
        finally:
            for proc in (server, bare):
                proc.terminate()
                proc.wait(timeout=20)

    def fig(values: list[float]) -> str:
        return f"median {statistics.median(values):.0f} ms, max {max(values):.0f} ms"

    print(f"data: {data if args.data else f'synthetic, {args.districts} districts'}")
    print(f"bare Streamlit page, text shown, new browser profile (the floor): {fig(floor)}")
    print(f"first map, warm server, new browser profile: {fig([c[0] for c in cold])}")
    print(f"date slider shown, warm server, new browser profile: {fig([c[1] for c in cold])}")
    print(f"first map, warm server, browser cache warm (returning reader): {fig([w[0] for w in warm])}")
    print(f"slider step, key press to repaint ({len(times)} steps): {fig(times)}")
    print(f"requests that tried to leave loopback: {len(OFFLINE.leaks)} {OFFLINE.leaks[:3]}")


if __name__ == "__main__":
    main()
