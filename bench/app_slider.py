"""Benchmark the real app in Chromium: first map, and what a date step costs.

Usage: ``.venv/bin/python -m bench.app_slider [--data DIR | --districts 1000 --days 400] [--steps 40] [--rounds 7]``.
Without ``--data`` it writes a synthetic set (bench/synthetic.py).

Prints, each beside the figure it is judged against from the same run:

- the first map on a warm server in a new browser profile, and the floor: a bare Streamlit page
  (``bench/bare_app.py``, one line of text) showing its text in the same browser; and where the
  first map's time goes: when each page's session sent its first message, and how long after it
  Streamlit drew the floor's text and the app's map frame; when the app's frame asked for the map's
  page, how long that page took to paint once asked for, and the steps inside it (its response,
  then the runtime's own timing marks: Leaflet run, the map made, the page's parts built, the
  first layout and view, the districts drawn, the labels placed);
- the time to build the map page before the server starts (``python -m mappage``, as
  ``scripts/run-app.sh`` does; nothing to do when it is on disk already), then the first map on a
  cold first visit, right after the server starts;
- a step, key press on the map's date slider to the next animation frame after the map
  restyled (median, p95), timed inside the map's page with ``performance.now()``;
- messages the page sent to the server while the steps were taken (the map repaints with none;
  the day is reported once a burst of steps pauses), and when the panels under the map (the
  areas heading) caught up with a single step.

The browser is offline the way a reader's laptop is: host names fail to resolve and every other
address goes to a dead proxy (``OFFLINE_ARGS``); any request that leaves loopback is counted.
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
VIEW = "ControlMap.instances[0]"
#: The app's map frame shows the page built for its data (``mappage``: static/cache/map-*.html);
#: a comparison of two days on the page is a frame of its own (an inline document).
MAP_PAGE = "/app/static/cache/map-"


def is_map_frame(frame) -> bool:
    """Whether ``frame`` is the app's map frame."""
    return MAP_PAGE in frame.url


READY = f"() => !!(window.ControlMap && {VIEW} && {VIEW}.readyAt)"


def free_port() -> int:
    """An unused loopback TCP port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    data: Path | None,
    port: int,
    script: Path = REPO / "app.py",
    prefix: list[str] | None = None,
    *,
    app_args: tuple[str, ...] = (),
    options: tuple[str, ...] = (),
) -> subprocess.Popen:
    """Start ``streamlit run script`` on ``port`` (with Streamlit ``options``, then ``--data`` and
    ``app_args`` for the app) and wait for its health check. As ``scripts/run-app.sh``, a server
    with editing on takes the edit page's uploads (``guard.streamlit_options``)."""
    from guard import streamlit_options

    cmd = [
        *(prefix or []),
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.enableStaticServing",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    cmd += [*streamlit_options(app_args), *options, "--", *(["--data", str(data)] if data else []), *app_args]
    # stderr to a file, not a pipe: a server that logs a lot never blocks on it (the server keeps
    # its own handle when ours closes)
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).status == 200:
                    return proc
            except OSError:
                time.sleep(0.05)
        proc.kill()
        log.seek(0)
        raise RuntimeError("streamlit did not start: " + log.read().decode(errors="replace")[-2000:])


def map_frame(page, timeout_s: float = 120):
    """The frame holding the drawn map (the app shows the map's page in one frame)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for frame in [f for f in page.frames if is_map_frame(f)]:
            try:
                if frame.evaluate(READY):
                    return frame
            except Exception:  # noqa: BLE001 - a frame still loading
                pass
        page.wait_for_timeout(20)
    raise RuntimeError("no map")


class Offline:
    """Counts requests that try to leave loopback (the browser is already offline: ``OFFLINE_ARGS``)."""

    def __init__(self):
        self.leaks: list[str] = []

    def watch(self, page):
        page.on("request", lambda r: None if r.url.startswith(LOCAL) else self.leaks.append(r.url))
        return page


OFFLINE = Offline()


#: Where a page's start goes before its map or text (``session_clock``), on the page's own clock
#: (ms after its navigation): when the session's first message came from the server, and when
#: Streamlit put the element this page waits for in it. The bare page and the app go through the
#: same steps up to that message; after it come the script's run and the drawing of its element
#: (Streamlit's text element is in its first bundle; it fetches its frame element's code when a
#: page first shows a frame). The element each page waits for: the bare page's text, the app's
#: map frame.
DRAWN = {
    "text": "[...document.body.querySelectorAll('p')].some(p => p.textContent.trim() === 'ready')",
    "frame": f"!!document.querySelector('iframe[src*=\"{MAP_PAGE}\"]')",
}


def session_clock(drawn: str) -> str:
    """A script run before the page's own that times its session's start up to the ``drawn``
    element (a key of ``DRAWN``): ``window.__session`` and ``window.__drawn``."""
    return f"""(() => {{
    const Socket = window.WebSocket;
    window.__session = null;
    window.__drawn = null;
    window.WebSocket = new Proxy(Socket, {{construct(target, args) {{
        const ws = Reflect.construct(target, args);
        ws.addEventListener('message', () => {{ window.__session ??= performance.now(); }});
        return ws;
    }}}});
    const seen = new MutationObserver(() => {{
        if (document.body && {DRAWN[drawn]}) {{ window.__drawn = performance.now(); seen.disconnect(); }}
    }});
    seen.observe(document, {{subtree: true, childList: true}});
}})();"""


def open_page(browser, ctx=None, drawn: str = "frame"):
    """A page in a new browser context (new profile: empty cache), watched for non-local requests
    and timing the session's start up to the ``drawn`` element (``session_clock``)."""
    ctx = ctx or browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.add_init_script(session_clock(drawn))
    return OFFLINE.watch(page)


def session_parts(page, drawn: str, parts: dict[str, list[float]]) -> None:
    """Add when the session's first message came (ms after navigation) and how long after it
    Streamlit put the ``drawn`` element ("text" or "frame") in the page."""
    session, shown = page.evaluate("() => [window.__session, window.__drawn]")
    if session is not None and shown is not None:
        parts.setdefault("session", []).append(session)
        parts.setdefault(drawn, []).append(shown - session)


#: Where a first map's time goes, on the page's clock (ms after its navigation): the frame's
#: page asked for, and its first paint with the map; then, in the map's page (ms after it was
#: asked for), its response and the runtime's own timing marks (layers/assets/control_map.js).
PARTS: dict[str, list[float]] = {"asked": [], "painted": []}
#: The same for the bare page: when its session's first message came and its text was drawn.
FLOOR_PARTS: dict[str, list[float]] = {}
#: The runtime's timing marks, in the order it sets them, with what each says has happened.
STEPS = {
    "cm-leaflet": "Leaflet run",
    "cm-mount": "map made, payload read",
    "cm-built": "parts built",
    "cm-fitted": "first layout and view",
    "cm-drawn": "districts drawn",
    "cm-labelled": "labels placed",
}
#: The map page's response end and marks, ms after the page was asked for.
MARKS = f"""() => {{
    const n = performance.getEntriesByType('navigation')[0], out = {{response: n.responseEnd - n.requestStart}};
    for (const name of {list(STEPS)!r}) {{
        const m = performance.getEntriesByName(name)[0];
        if (m) out[name] = m.startTime - n.requestStart;
    }}
    return out;
}}"""


def first_map_ms(browser, url: str, ctx=None, parts: dict[str, list[float]] | None = None) -> float:
    """Milliseconds from navigation to the first frame after the map was drawn (with ``parts``,
    when the map's page was asked for and how long it took to paint are added to it)."""
    page = open_page(browser, ctx)
    t0 = time.time() * 1000
    page.goto(url)
    frame = map_frame(page)
    ready = frame.evaluate(f"() => {VIEW}.readyAt")
    if parts is not None:
        origin = page.evaluate("() => performance.timeOrigin")
        asked = frame.evaluate(
            "() => performance.timeOrigin + performance.getEntriesByType('navigation')[0].requestStart"
        )
        parts["asked"].append(asked - origin)
        parts["painted"].append(ready - asked)
        for name, ms in frame.evaluate(MARKS).items():
            parts.setdefault(name, []).append(ms)
        session_parts(page, "frame", parts)
    page.close() if ctx else page.context.close()
    return ready - t0


def bare_page_ms(browser, url: str, parts: dict[str, list[float]] | None = None) -> float:
    """Milliseconds from navigation to the text of the bare Streamlit page, new profile (with
    ``parts``, when its session's first message came and its text was drawn after it)."""
    page = open_page(browser, drawn="text")
    t0 = time.time() * 1000
    page.goto(url)
    page.get_by_text("ready").wait_for(timeout=60000)
    shown = page.evaluate("() => Date.now()")
    if parts is not None:
        session_parts(page, "text", parts)
    page.context.close()
    return shown - t0


TIMER = f"""() => {{
    window.__steps = []; window.__t0 = 0;
    document.addEventListener('keydown', () => {{ window.__t0 = performance.now(); }}, true);
    {VIEW}.onChange(kind => {{
        if (kind === 'day') requestAnimationFrame(() => window.__steps.push(performance.now() - window.__t0));
    }});
}}"""


#: When each heading first showed, on the app's page clock (a mutation observer and the next
#: frame, so the wait does not poll the page's text while it renders).
SEEN = """() => {
    window.__seen = {};
    new MutationObserver(() => requestAnimationFrame(() => {
        for (const h of document.querySelectorAll('h3')) {
            const t = h.textContent.trim();
            if (!(t in window.__seen)) window.__seen[t] = performance.timeOrigin + performance.now();
        }
    })).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def steps(browser, url: str, n: int) -> dict:
    """Step times, messages sent to the server per step, and when the panels catch up."""
    page = open_page(browser)
    sent: list[float] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda _: sent.append(time.time())))
    page.goto(url)
    frame = map_frame(page)
    page.get_by_text("Area held").first.wait_for(timeout=120000)
    page.wait_for_timeout(1500)
    frame.evaluate(TIMER)
    frame.locator(".cm-slider").focus()
    before = len(sent)
    for i in range(n):
        page.keyboard.press("ArrowRight" if (i // 15) % 2 == 0 else "ArrowLeft")
        page.wait_for_timeout(30)
    times = frame.evaluate("() => window.__steps")
    burst_msgs = len(sent) - before
    page.wait_for_timeout(1500)
    page.evaluate(SEEN)
    catch = []
    for _ in range(5):
        day = frame.evaluate(f"() => {VIEW}.day()")
        page.keyboard.press("ArrowRight" if day < 20 else "ArrowLeft")
        t0 = frame.evaluate("() => performance.timeOrigin + window.__t0")
        label = frame.evaluate(f"() => {VIEW}.isoDay()")
        want = "Area held, " + time.strftime("%d %b %Y", time.strptime(label, "%Y-%m-%d"))
        page.wait_for_function(f"() => window.__seen[{want!r}]", timeout=30000, polling=100)
        catch.append(page.evaluate(f"() => window.__seen[{want!r}]") - t0)
        page.wait_for_timeout(800)
    page.context.close()
    return {"times": times, "burst_msgs": burst_msgs, "catch": catch}


def fig(values: list[float]) -> str:
    p95 = statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]
    return f"median {statistics.median(values):.1f} ms, p95 {p95:.1f} ms, max {max(values):.1f} ms"


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path)
    ap.add_argument("--districts", type=int, default=1000)
    ap.add_argument("--days", type=int, default=400)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=7, help="first maps and floors measured, in turns")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from bench.synthetic import write_synthetic

    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or write_synthetic(Path(tmp) / "data", args.districts, args.days)
        url_of = lambda port: f"http://127.0.0.1:{port}/?date=2016-11-15"  # noqa: E731
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + OFFLINE_ARGS)
            # as scripts/run-app.sh does: the map page is built before the server starts
            t0 = time.perf_counter()
            built = subprocess.run(
                [sys.executable, "-m", "mappage", "--data", str(data)], cwd=REPO, capture_output=True, text=True
            )
            build_s = time.perf_counter() - t0
            cold = []
            for _ in range(3):
                port = free_port()
                server = start_server(data, port)
                try:
                    cold.append(first_map_ms(browser, url_of(port)))
                finally:
                    server.terminate()
                    server.wait(timeout=20)
            # The floor and the first map are measured in turns, both servers up, so a busy
            # spell of the machine weighs on both alike.
            bare_port, port = free_port(), free_port()
            bare, server = start_server(None, bare_port, REPO / "bench" / "bare_app.py"), start_server(data, port)
            floor, warm = [], []
            try:
                bare_page_ms(browser, f"http://127.0.0.1:{bare_port}/")  # warm the bare server
                first_map_ms(browser, url_of(port))  # warm the server: load, validate, cache
                for _ in range(args.rounds):
                    floor.append(bare_page_ms(browser, f"http://127.0.0.1:{bare_port}/", parts=FLOOR_PARTS))
                    warm.append(first_map_ms(browser, url_of(port), parts=PARTS))
                bare.terminate()
                result = steps(browser, url_of(port), args.steps)
            finally:
                for proc in (bare, server):
                    proc.terminate()
                    proc.wait(timeout=20)
            browser.close()

    name = data if args.data else f"synthetic, {args.districts} districts x {args.days} days"
    print(f"data: {name}")
    print(f"bare Streamlit page, text shown, new browser profile (the floor): {fig(floor)}")
    paired = statistics.median(w - f for w, f in zip(warm, floor, strict=True))
    print(
        f"first map, warm server, new browser profile: {fig(warm)} "
        f"(floor + {statistics.median(warm) - statistics.median(floor):.0f} ms; "
        f"each round's own difference: median {paired:.0f} ms)"
    )
    print(
        f"  of which: the map's page asked for {statistics.median(PARTS['asked']):.0f} ms after navigation "
        f"(the floor shows its text at {statistics.median(floor):.0f} ms), then painted with the map "
        f"{statistics.median(PARTS['painted']):.0f} ms after it was asked for (median)"
    )
    if FLOOR_PARTS.get("text") and PARTS.get("frame"):
        print(
            f"  the session's first message came {statistics.median(FLOOR_PARTS['session']):.0f} ms after navigation "
            f"to the floor and {statistics.median(PARTS['session']):.0f} ms to the app; Streamlit drew the floor's "
            f"text {statistics.median(FLOOR_PARTS['text']):.0f} ms after it, and the map's frame "
            f"{statistics.median(PARTS['frame']):.0f} ms after it (median)"
        )
    else:  # Streamlit changed how it talks to the page or draws these elements: say so
        print("  the session's first message and the elements drawn after it: not seen, not measured")
    steps_seen = [("response", "response"), *STEPS.items()]
    inside = [f"{label} {statistics.median(PARTS[k]):.0f}" for k, label in steps_seen if PARTS.get(k)]
    print(
        f"  in the map's page, ms after it was asked for (median): {', '.join(inside)}, painted "
        f"{statistics.median(PARTS['painted']):.0f}"
    )
    print(f"map page built ahead (python -m mappage, as scripts/run-app.sh does): {build_s:.1f} s")
    print(f"  {(built.stdout or built.stderr).strip()}")
    print(f"first map, cold first visit right after the server starts: {fig(cold)}")
    print(f"step, key press to repaint ({len(result['times'])} steps): {fig(result['times'])}")
    print(
        f"messages to the server during those {args.steps} steps: {result['burst_msgs']} "
        "(the map repaints with none; the day is reported when a burst pauses)"
    )
    print(f"panels caught up with a single step after: {fig(result['catch'])}")
    print(f"requests that tried to leave loopback: {len(OFFLINE.leaks)} {OFFLINE.leaks[:3]}")


if __name__ == "__main__":
    main()
