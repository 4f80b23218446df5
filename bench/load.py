"""Load benchmark: N concurrent browser sessions scrubbing the real app on loopback.

Usage: ``.venv/bin/python -m bench.load [--sessions 50] [--seconds 60] [--data DIR]``.

Each session is its own Playwright browser context (own cookies, own Streamlit session) in one
headless Chromium, offline but for loopback (``OFFLINE_ARGS``). Each opens the app, waits for the
map, then presses ArrowRight/ArrowLeft on the map's date slider until the time is up, timing key
press to repaint inside the map's page; the scrubbing phase starts when every session has its
map, and lasts ``--seconds``. The server runs on one core and the browsers on the other (CPU
affinity, on a machine with two or more cores), so the browsers cannot starve the server.
Prints the time to first map under load, errors (a request that tried to leave loopback is one),
step latency p50/p95, the server's CPU seconds per 100 steps, and its resident memory before, at
peak during, and after the run. The run stops by itself after ``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import threading
import time
from pathlib import Path

from bench.app_slider import LOCAL, MAP_FRAME, OFFLINE_ARGS, READY, TIMER, VIEW, free_port, start_server
from snapshot import CHROMIUM, CHROMIUM_ARGS

REPO = Path(__file__).resolve().parents[1]
STEP_TIMEOUT_MS = 20_000
#: Opening all sessions may take this long at most before the run is abandoned.
LOAD_TIMEOUT_S = 240


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
    """Shared state of a run: results, and the start signal once every session has its map."""

    def __init__(self, sessions: int, seconds: float, pid: int):
        self.latencies: list[float] = []
        self.steps = 0
        self.load_ms: list[float] = []
        self.errors: list[str] = []
        self.waiting, self.seconds = sessions, seconds
        self.go = asyncio.Event()
        self.deadline = 0.0
        self.pid, self.cpu_at_go = pid, 0.0

    def ready(self) -> None:
        self.waiting -= 1
        if self.waiting == 0:
            self.cpu_at_go = cpu_seconds(self.pid)
            self.deadline = time.time() + self.seconds
            self.go.set()


async def map_frame(page, timeout_s: float):
    """The frame holding the drawn map."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for frame in [f for f in page.frames if f.name == MAP_FRAME]:
            try:
                if await frame.evaluate(READY):
                    return frame
            except Exception:  # noqa: BLE001 - a frame still loading
                pass
        await asyncio.sleep(0.1)
    raise TimeoutError("no map")


async def session(browser, url: str, run: Run, name: str) -> None:
    """One reader: open the app, wait for the others, then scrub the map's slider until the deadline."""
    latencies, errors = run.latencies, run.errors
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
        key, steps = "ArrowRight", 0
        while time.time() < run.deadline:
            await page.keyboard.press(key)
            try:
                await frame.wait_for_function(f"() => window.__steps.length > {steps}", timeout=STEP_TIMEOUT_MS)
            except Exception:  # noqa: BLE001 - a timeout is a measured failure, not a crash
                errors.append(f"{name}: no repaint within {STEP_TIMEOUT_MS} ms after step {steps}")
                break
            steps += 1
            if steps % 30 == 0:
                key = "ArrowLeft" if key == "ArrowRight" else "ArrowRight"
            await page.wait_for_timeout(200)
        latencies.extend(await frame.evaluate("() => window.__steps"))
        run.steps += steps
        day = await frame.evaluate(f"() => {VIEW}.isoDay()")
        await page.wait_for_function(f"() => location.search.includes('date={day}')", timeout=30_000)
    except Exception as exc:  # noqa: BLE001
        errors.append(f"{name}: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}")
        if not loaded:
            run.ready()
    finally:
        await ctx.close()


async def run_all(url: str, sessions: int, seconds: float, pid: int) -> Run:
    from playwright.async_api import async_playwright

    run = Run(sessions, seconds, pid)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + OFFLINE_ARGS)
        await asyncio.gather(*(session(browser, url, run, f"s{i}") for i in range(sessions)))
        await browser.close()
    return run


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) >= 2 else float("nan")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--data", type=Path, default=REPO / "data")
    args = ap.parse_args(argv)
    port = free_port()
    cores = sorted(os.sched_getaffinity(0))
    pin = ["taskset", "-c", str(cores[0])] if len(cores) > 1 else []
    server = start_server(args.data, port, prefix=pin)
    if pin:  # this process, the Playwright driver and every browser it starts: the other cores
        os.sched_setaffinity(0, cores[1:])
    url = f"http://127.0.0.1:{port}/?date=2016-11-15"
    try:
        cold = rss_mb(server.pid)
        asyncio.run(run_all(url, 1, 0.0, server.pid))  # one reader first: imports, data and caches are loaded once
        time.sleep(2.0)
        before = rss_mb(server.pid)
        cpu0 = cpu_seconds(server.pid)
        sampler = MemorySampler(server.pid)
        sampler.start()
        t0 = time.time()
        result = asyncio.run(run_all(url, args.sessions, args.seconds, server.pid))
        latencies, errors = result.latencies, result.errors
        elapsed = time.time() - t0
        sampler.stop()
        server_cpu = cpu_seconds(server.pid) - cpu0
        scrub_cpu = cpu_seconds(server.pid) - result.cpu_at_go
        time.sleep(5.0)  # let Streamlit drop the closed sessions
        after = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"sessions: {args.sessions} concurrent browser contexts, {elapsed:.0f} s, data {args.data}")
    if result.load_ms:
        print(
            f"first map under load: median {statistics.median(result.load_ms):.0f} ms, "
            f"max {max(result.load_ms):.0f} ms ({len(result.load_ms)} of {args.sessions} sessions loaded)"
        )
    print(f"scrubbing phase: {args.seconds:.0f} s; steps: {len(latencies)}, errors: {len(errors)}")
    for e in errors[:10]:
        print(f"  {e}")
    if latencies:
        print(
            f"step latency, key press to repaint: p50 {percentile(latencies, 50):.0f} ms, "
            f"p95 {percentile(latencies, 95):.0f} ms, max {max(latencies):.0f} ms"
        )
    print(
        f"server CPU: {server_cpu:.1f} s over {elapsed:.0f} s wall; while scrubbing {scrub_cpu:.1f} s, "
        f"{scrub_cpu / max(result.steps, 1) * 100:.2f} s per 100 steps ({result.steps} steps: the map repaints "
        "in the browser; the server only reruns for the panels when a reader pauses)"
        + (f"; server pinned to core {cores[0]}, browsers to the others" if pin else "")
    )
    print(
        f"server RSS: cold {cold:.0f} MB, after one warm-up reader {before:.0f} MB, "
        f"peak during {max(sampler.samples):.0f} MB, "
        f"after the sessions closed {after:.0f} MB"
    )


if __name__ == "__main__":
    main()
