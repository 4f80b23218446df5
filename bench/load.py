"""Load benchmark: many readers scrubbing the real app at once, on loopback.

Usage: ``.venv/bin/python -m bench.load [--sessions 50] [--browsers 4] [--seconds 60] [--data DIR]``.

A reader scrubs in bursts: a few steps with the keys (each repainted in the browser, no message to
the server), then a pause to read, when the map reports the day and the server reruns the panels
under it. Readers are of two kinds, all running at once:

- ``--sessions`` light readers speak Streamlit's own websocket protocol, as the app's page does
  (the messages a real page sends, taken from ``streamlit.proto``): open a session on
  ``?date=``, wait for the whole page, then send the map's reported day after each burst and
  time the rerun until the areas heading for that day arrives. They cost the load machine almost
  nothing, so 50 of them cannot starve the server; their bursts count as steps too (the map
  repaints those in the browser with no server work, as the browser readers show).
- ``--browsers`` real readers are Playwright contexts in one headless Chromium, offline but for
  loopback (``OFFLINE_ARGS``), timing key press to repaint inside the map's page under that load.

The server runs on one core and this process with the browsers on the other (CPU affinity, on a
machine with two or more cores). Prints errors (an error message from the app, a timeout, a
request that tried to leave loopback), the panels' latency per report, the browsers' repaint
latency, the server's CPU seconds per 100 steps, and its resident memory before, at peak
during, and after the run. The run stops by itself after ``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import re
import statistics
import threading
import time
from pathlib import Path

from bench.app_slider import LOCAL, OFFLINE_ARGS, READY, TIMER, VIEW, free_port, is_map_frame, start_server
from snapshot import CHROMIUM, CHROMIUM_ARGS

REPO = Path(__file__).resolve().parents[1]
STEP_TIMEOUT_MS = 20_000
LOAD_TIMEOUT_S = 300
REPORT_TIMEOUT_S = 30
START = dt.date(2016, 11, 15)
#: A burst: this many steps (a held key repeats about 20 times a second), then a pause to read
#: (seconds, uniform; ``--read``): long enough to read a claim, a tooltip or the day's events.
BURST_STEPS = (1, 8)
STEP_S = 0.05
READ_S = (2.0, 8.0)
#: The last section of the app's page (newsroom.show_about).
LAST_SECTION = b"About this map"


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc), to tell server from browser load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class MemorySampler(threading.Thread):
    """Samples a process's RSS every ``period`` seconds until stopped."""

    def __init__(self, pid: int, period: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.period, self.samples = pid, period, []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.samples.append(rss_mb(self.pid))
            self._stop_event.wait(self.period)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


class Run:
    """Shared state of a run: results, and the start signal once every reader has its page."""

    def __init__(self, readers: int, seconds: float, pid: int, read: tuple[float, float] = READ_S):
        self.read = read
        self.repaints: list[float] = []  # browser readers: key press to repaint, ms
        self.panels: list[float] = []  # every reader: report to the areas heading for that day, ms
        self.steps = self.reports = 0
        self.load_ms: list[float] = []
        self.errors: list[str] = []
        self.waiting, self.seconds = readers, seconds
        self.go = asyncio.Event()
        self.deadline = 0.0
        self.pid, self.cpu_at_go = pid, 0.0

    def ready(self) -> None:
        self.waiting -= 1
        if self.waiting == 0:
            self.cpu_at_go = cpu_seconds(self.pid)
            self.deadline = time.time() + self.seconds
            self.go.set()


def heading(day: dt.date) -> bytes:
    """The areas heading the app shows for ``day`` (app.show_panel)."""
    return f"Area held, {day:%d %b %Y}".encode()


class LightReader:
    """One reader as the server sees it: a Streamlit session over the websocket, no browser."""

    def __init__(self, port: int, run: Run, name: str, seed: int):
        self.port, self.run, self.name, self.rng = port, run, name, random.Random(seed)
        self.ws = None
        self.page_hash = ""
        self.map_id = self.fragment_id = ""

    def _rerun(self, day: dt.date | None):
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = f"date={(day or START).isoformat()}"
        rerun.page_script_hash = self.page_hash
        rerun.context_info.timezone = "UTC"
        rerun.context_info.locale = "en-US"
        rerun.context_info.url = f"http://127.0.0.1:{self.port}/"
        if day is not None:
            rerun.fragment_id = self.fragment_id  # what the app's page sends for a widget in a fragment
            state = rerun.widget_states.widgets.add()
            state.id = self.map_id
            state.json_value = json.dumps({"day": day.isoformat()})
        return msg.SerializeToString()

    async def _until(self, want: bytes) -> float:
        """Read messages until a delta holding ``want`` arrives; the time it took, in ms."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        t0 = time.perf_counter()
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), timeout=REPORT_TIMEOUT_S)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = self.page_hash or msg.new_session.page_script_hash
            elif kind == "delta":
                if msg.delta.new_element.WhichOneof("type") == "exception":
                    raise RuntimeError("the app showed an error: " + msg.delta.new_element.exception.message)
                if not self.map_id and (found := re.search(rb"\$\$ID-[0-9a-f]{32}-map", raw)):
                    self.map_id = found.group().decode()
                    self.fragment_id = msg.delta.fragment_id  # a reported day reruns the map's fragment
                if want in raw:
                    return (time.perf_counter() - t0) * 1000

    async def __call__(self) -> None:
        import websockets

        run, loaded = self.run, False
        try:
            t0 = time.time()
            async with websockets.connect(
                f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"], max_size=None
            ) as ws:
                self.ws = ws
                await ws.send(self._rerun(None))
                await self._until(heading(START))
                await self._until(LAST_SECTION)  # the whole page, the newsroom's sections too
                if not self.map_id:
                    raise RuntimeError("no map in the page")
                run.load_ms.append((time.time() - t0) * 1000)
                loaded = True
                run.ready()
                await asyncio.wait_for(run.go.wait(), timeout=LOAD_TIMEOUT_S)
                day, last = START, START + dt.timedelta(days=30)
                while time.time() < run.deadline:
                    burst = self.rng.randint(*BURST_STEPS)
                    await asyncio.sleep(burst * STEP_S)  # repainted in the browser: nothing reaches the server
                    day = min(max(day + dt.timedelta(days=self.rng.choice((-1, 1)) * burst), START), last)
                    run.steps += burst
                    await ws.send(self._rerun(day))
                    run.panels.append(await self._until(heading(day)))
                    run.reports += 1
                    await asyncio.sleep(self.rng.uniform(*run.read))
        except Exception as exc:  # noqa: BLE001 - every failure is a counted error, not a crash
            run.errors.append(f"{self.name}: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}")
            if not loaded:
                run.ready()


async def map_frame(page, timeout_s: float):
    """The frame holding the app's drawn map."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for frame in [f for f in page.frames if is_map_frame(f)]:
            try:
                if await frame.evaluate(READY):
                    return frame
            except Exception:  # noqa: BLE001 - a frame still loading
                pass
        await asyncio.sleep(0.1)
    raise TimeoutError("no map")


async def browser_reader(browser, url: str, run: Run, name: str, seed: int) -> None:
    """One reader in Chromium: open the app, wait for the others, then scrub in bursts until the deadline."""
    rng, errors = random.Random(seed), run.errors
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    page.on("request", lambda r: None if r.url.startswith(LOCAL) else errors.append(f"{name}: left loopback: {r.url}"))
    page.on("pageerror", lambda e: errors.append(f"{name}: page error: {e}"))
    loaded = False
    try:
        t0 = time.time()
        await page.goto(url, timeout=240_000, wait_until="commit")
        frame = await map_frame(page, 240)
        run.load_ms.append((time.time() - t0) * 1000)
        loaded = True
        run.ready()
        await asyncio.wait_for(run.go.wait(), timeout=LOAD_TIMEOUT_S)
        await frame.evaluate(TIMER)
        await frame.locator(".cm-slider").focus()
        steps = 0
        while time.time() < run.deadline:
            key = rng.choice(("ArrowRight", "ArrowLeft"))
            for _ in range(rng.randint(*BURST_STEPS)):
                await page.keyboard.press(key)
                steps += 1
                try:
                    await frame.wait_for_function(f"() => window.__steps.length >= {steps}", timeout=STEP_TIMEOUT_MS)
                except Exception:  # noqa: BLE001 - a timeout is a measured failure, not a crash
                    errors.append(f"{name}: no repaint within {STEP_TIMEOUT_MS} ms after step {steps}")
                    raise
                await asyncio.sleep(STEP_S)
            run.reports += 1  # the pause: the map reports the day and the server reruns the panels
            await asyncio.sleep(rng.uniform(*run.read))
        run.repaints.extend(await frame.evaluate("() => window.__steps"))
        run.steps += steps
        day = await frame.evaluate(f"() => {VIEW}.isoDay()")
        await page.wait_for_function(f"() => location.search.includes('date={day}')", timeout=30_000)
    except Exception as exc:  # noqa: BLE001
        errors.append(f"{name}: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}")
        if not loaded:
            run.ready()
    finally:
        await ctx.close()


async def run_all(
    port: int, sessions: int, browsers: int, seconds: float, pid: int, read: tuple[float, float] = READ_S
) -> Run:
    from playwright.async_api import async_playwright

    run = Run(sessions + browsers, seconds, pid, read)
    url = f"http://127.0.0.1:{port}/?date={START.isoformat()}"
    readers = [LightReader(port, run, f"light{i}", i)() for i in range(sessions)]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + OFFLINE_ARGS)
        readers += [browser_reader(browser, url, run, f"browser{i}", 1000 + i) for i in range(browsers)]
        await asyncio.gather(*readers)
        await browser.close()
    return run


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) >= 2 else float("nan")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=50, help="light readers (Streamlit's protocol, no browser)")
    ap.add_argument("--browsers", type=int, default=4, help="readers in Chromium, timing the repaint")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--data", type=Path, default=REPO / "data")
    ap.add_argument("--read", type=float, nargs=2, default=READ_S, metavar=("MIN", "MAX"), help="pause to read, s")
    args = ap.parse_args(argv)
    port = free_port()
    cores = sorted(os.sched_getaffinity(0))
    pin = ["taskset", "-c", str(cores[0])] if len(cores) > 1 else []
    server = start_server(args.data, port, prefix=pin)
    if pin:  # this process, the Playwright driver and every browser it starts: the other cores
        os.sched_setaffinity(0, cores[1:])
    try:
        cold = rss_mb(server.pid)
        asyncio.run(run_all(port, 0, 1, 0.0, server.pid))  # one reader first: imports, data and caches are loaded once
        time.sleep(2.0)
        before = rss_mb(server.pid)
        cpu0 = cpu_seconds(server.pid)
        sampler = MemorySampler(server.pid)
        sampler.start()
        t0 = time.time()
        result = asyncio.run(run_all(port, args.sessions, args.browsers, args.seconds, server.pid, tuple(args.read)))
        elapsed = time.time() - t0
        sampler.stop()
        server_cpu = cpu_seconds(server.pid) - cpu0
        scrub_cpu = cpu_seconds(server.pid) - result.cpu_at_go
        time.sleep(5.0)  # let Streamlit drop the closed sessions
        after = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    readers = args.sessions + args.browsers
    print(
        f"readers: {args.sessions} light (Streamlit's protocol) + {args.browsers} in Chromium, "
        f"{elapsed:.0f} s, data {args.data}; bursts of {BURST_STEPS[0]}-{BURST_STEPS[1]} steps, "
        f"then {args.read[0]:g}-{args.read[1]:g} s reading"
    )
    if result.load_ms:
        print(
            f"whole page under load: median {statistics.median(result.load_ms):.0f} ms, "
            f"max {max(result.load_ms):.0f} ms ({len(result.load_ms)} of {readers} readers loaded)"
        )
    print(
        f"scrubbing phase: {args.seconds:.0f} s; steps: {result.steps}, reports (pauses): {result.reports}; "
        f"errors: {len(result.errors)}"
    )
    for e in result.errors[:10]:
        print(f"  {e}")
    if result.panels:
        print(
            f"panels, a report to its day's areas heading: p50 {percentile(result.panels, 50):.0f} ms, "
            f"p95 {percentile(result.panels, 95):.0f} ms, max {max(result.panels):.0f} ms"
        )
    if result.repaints:
        print(
            f"repaint in Chromium, key press to next frame: p50 {percentile(result.repaints, 50):.1f} ms, "
            f"p95 {percentile(result.repaints, 95):.1f} ms, max {max(result.repaints):.1f} ms "
            f"({len(result.repaints)} steps)"
        )
    print(
        f"server CPU: {server_cpu:.1f} s over {elapsed:.0f} s wall; while scrubbing {scrub_cpu:.1f} s, "
        f"{scrub_cpu / max(result.steps, 1) * 100:.2f} s per 100 steps, "
        f"{scrub_cpu / max(result.reports, 1) * 1000:.0f} ms per report (the map repaints in the browser; "
        "the server reruns only for the panels when a reader pauses)"
        + (f"; server pinned to core {cores[0]}, readers to the others" if pin else "")
    )
    print(
        f"server RSS: cold {cold:.0f} MB, after one warm-up reader {before:.0f} MB, "
        f"peak during {max(sampler.samples):.0f} MB, after the sessions closed {after:.0f} MB"
    )


if __name__ == "__main__":
    main()
