"""Load benchmark: many readers scrubbing the real app at once, on loopback.

Usage: ``.venv/bin/python -m bench.load [--sessions 50] [--browsers 4] [--seconds 60] [--data DIR] [--hostile]``.

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

With ``--hostile``, clients that want more than reading join the readers (``bench.hostile``): an
uploader, a flood of day reports from 10 sockets, and an asker for heavy work (comparisons,
snapshots, a PNG wherever one is offered). A new reader's first map is timed in a new browser
profile and as the server gives it, four ways in the same run: on the quiet server and under the
flood alone (in turns), then under the readers alone (the run's first third) and under the
readers with every hostile client. Errors then also count an upload the server took, a PNG
offered to a reader and a browser started on the server; memory is read warm, at peak, and one
minute after.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import io
import json
import os
import random
import re
import statistics
import sys
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


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and every process under it in MB (the server and its worker
    process, and a browser the worker runs), Linux /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    total = 0.0
    for child in parents:
        node = child
        while node > 1 and node != pid:
            node = parents.get(node, 0)
        if node == pid:
            try:
                total += rss_mb(child)
            except OSError:
                continue
    return total


def core_jiffies(cores: list[int]) -> tuple[int, int]:
    """Busy and total clock ticks of these cores so far, whoever used them (Linux /proc/stat)."""
    busy = total = 0
    for line in Path("/proc/stat").read_text().splitlines():
        name, *ticks = line.split()
        if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cores:
            values = [int(t) for t in ticks]
            total += sum(values[:8])
            busy += sum(values[:8]) - values[3] - values[4]  # not idle, not waiting for I/O
    return busy, total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc), to tell server from browser load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class MemorySampler(threading.Thread):
    """Samples a process's RSS every ``period`` seconds until stopped (with ``browsers``, also how
    many browsers it has started: ``bench.hostile.browsers_under``)."""

    def __init__(self, pid: int, period: float = 0.5, browsers: bool = False):
        super().__init__(daemon=True)
        self.pid, self.period, self.samples = pid, period, []
        self.browsers: list[int] = []
        self.tree: list[float] = []  # the server with its worker process and the browsers it runs
        self.count_browsers = browsers
        self._stop_event = threading.Event()

    def run(self) -> None:
        from bench.hostile import browsers_under

        while not self._stop_event.is_set():
            self.samples.append(rss_mb(self.pid))
            if self.count_browsers:
                self.browsers.append(browsers_under(self.pid))
                self.tree.append(tree_rss_mb(self.pid))
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


#: A widget's id in the page's messages, with the key the app gave it (``$$ID-<hash>-<key>``).
WIDGET_ID = re.compile(rb"\$\$ID-[0-9a-f]{32}-([A-Za-z_]+)")


class Session:
    """A Streamlit session over the websocket, speaking the app's page's protocol (the messages a
    real page sends, from ``streamlit.proto``): runs of the page, the map's reported day, other
    widgets' values, and anything else a client may send (``send``)."""

    def __init__(self, port: int, *, url: str | None = None):
        self.port, self.url = port, url or f"http://127.0.0.1:{port}/"
        self.ws = None
        self.page_hash = self.session_id = ""
        self.map_id = self.fragment_id = ""
        self.widgets: dict[str, str] = {}  # the app's key -> the widget's id
        self.found = b""
        self.watch: tuple[bytes, ...] = ()  # texts counted in ``seen`` whenever a message holds one
        self.seen: dict[bytes, int] = {}

    async def connect(self) -> None:
        import websockets

        self.ws = await websockets.connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"], max_size=None
        )

    async def open(self, day: dt.date = START) -> float:
        """Connect and run the page on ``?date=day`` until its last section; the time it took, in ms."""
        t0 = time.perf_counter()
        await self.connect()
        await self.send(self.rerun(None, query_day=day))
        await self.until(heading(day))
        await self.until(LAST_SECTION)  # the whole page, the newsroom's sections too
        if not self.map_id:
            raise RuntimeError("no map in the page")
        return (time.perf_counter() - t0) * 1000

    async def send(self, raw: bytes) -> None:
        await self.ws.send(raw)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    def rerun(self, day: dt.date | None, *, widgets: dict | None = None, query_day: dt.date = START) -> bytes:
        """A rerun as the page sends it: the whole page (``day`` None, no ``widgets``), or the map's
        fragment with the map's reported ``day`` and other ``widgets`` by the app's key."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = f"date={(day or query_day).isoformat()}"
        rerun.page_script_hash = self.page_hash
        rerun.context_info.timezone = "UTC"
        rerun.context_info.locale = "en-US"
        rerun.context_info.url = self.url
        if day is None and not widgets:
            return msg.SerializeToString()
        rerun.fragment_id = self.fragment_id  # what the app's page sends for a widget in a fragment
        values = ({"map": {"day": day.isoformat()}} if day else {}) | (widgets or {})
        for key, value in values.items():
            state = rerun.widget_states.widgets.add()
            state.id = self.map_id if key == "map" else self.widgets[key]
            if isinstance(value, bool):
                state.bool_value = value
            elif isinstance(value, str):
                state.string_value = value
            else:
                state.json_value = json.dumps(value)
        return msg.SerializeToString()

    def clear_cache(self) -> bytes:
        """The "clear cache" message Streamlit's menu sends (any client may send it)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.clear_cache = True
        return msg.SerializeToString()

    async def until(self, *wanted: bytes, timeout_s: float = REPORT_TIMEOUT_S) -> float:
        """Read messages until a delta holding one of ``wanted`` arrives; the time it took, in ms
        (``self.found`` is the one that came)."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        t0 = time.perf_counter()
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), timeout=timeout_s)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = self.page_hash or msg.new_session.page_script_hash
                self.session_id = self.session_id or msg.new_session.initialize.session_id
            elif kind == "delta":
                for text in self.watch:
                    self.seen[text] = self.seen.get(text, 0) + (text in raw)
                if msg.delta.new_element.WhichOneof("type") == "exception":
                    raise RuntimeError("the app showed an error: " + msg.delta.new_element.exception.message)
                for found in WIDGET_ID.finditer(raw):
                    key = found.group(1).decode()
                    self.widgets.setdefault(key, found.group().decode())
                    if key == "map" and not self.map_id:
                        self.map_id = found.group().decode()
                        self.fragment_id = msg.delta.fragment_id  # a reported day reruns the map's fragment
                if hit := next((w for w in wanted if w in raw), None):
                    self.found = hit
                    return (time.perf_counter() - t0) * 1000


class LightReader(Session):
    """One reader as the server sees it: a Streamlit session over the websocket, no browser."""

    def __init__(self, port: int, run: Run, name: str, seed: int):
        super().__init__(port)
        self.run, self.name, self.rng = run, name, random.Random(seed)

    async def __call__(self) -> None:
        run, loaded = self.run, False
        try:
            t0 = time.time()
            await self.open()
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
                await self.send(self.rerun(day))
                run.panels.append(await self.until(heading(day)))
                run.reports += 1
                await asyncio.sleep(self.rng.uniform(*run.read))
        except Exception as exc:  # noqa: BLE001 - every failure is a counted error, not a crash
            run.errors.append(f"{self.name}: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}")
            if not loaded:
                run.ready()
        finally:
            await self.close()


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
    port: int,
    sessions: int,
    browsers: int,
    seconds: float,
    pid: int,
    read: tuple[float, float] = READ_S,
    hostile=None,
) -> Run:
    """Run the readers (and the ``hostile`` clients: a ``bench.hostile.Hostile``) until the deadline."""
    from playwright.async_api import async_playwright

    run = Run(sessions + browsers, seconds, pid, read)
    url = f"http://127.0.0.1:{port}/?date={START.isoformat()}"
    readers = [LightReader(port, run, f"light{i}", i)() for i in range(sessions)]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + OFFLINE_ARGS)
        readers += [browser_reader(browser, url, run, f"browser{i}", 1000 + i) for i in range(browsers)]
        if hostile is not None:
            readers.append(hostile.during(browser, url, run))
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
    ap.add_argument("--hostile", action="store_true", help="add an uploader, a flood of reports, heavy requests")
    ap.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    args = ap.parse_args(argv)
    port = free_port()
    cores = sorted(os.sched_getaffinity(0))
    pin = ["taskset", "-c", str(cores[0])] if len(cores) > 1 else []
    server = start_server(args.data, port, prefix=pin)
    if pin:  # this process, the Playwright driver and every browser it starts: the other cores
        os.sched_setaffinity(0, cores[1:])
    hostile = None
    try:
        cold = rss_mb(server.pid)
        asyncio.run(run_all(port, 0, 1, 0.0, server.pid))  # one reader first: imports, data and caches are loaded once
        time.sleep(2.0)
        before = rss_mb(server.pid)
        sampler = MemorySampler(server.pid, browsers=args.hostile)
        sampler.start()
        warm = before
        if args.hostile:
            from bench.hostile import Hostile

            # warm: the server has served this many readers once (its caches full, its memory at
            # what they take), so what stays after the run is what the hostile clients left
            asyncio.run(run_all(port, args.sessions, 0, 10.0, server.pid, tuple(args.read)))
            time.sleep(2.0)
            warm = rss_mb(server.pid)
            hostile = Hostile(port)
            asyncio.run(hostile.quiet_and_flood())
        cpu0 = cpu_seconds(server.pid)
        t0 = time.time()
        clients0 = core_jiffies(cores[1:] or cores)
        result = asyncio.run(
            run_all(port, args.sessions, args.browsers, args.seconds, server.pid, tuple(args.read), hostile)
        )
        clients1 = core_jiffies(cores[1:] or cores)
        elapsed = time.time() - t0
        server_cpu = cpu_seconds(server.pid) - cpu0
        scrub_cpu = cpu_seconds(server.pid) - result.cpu_at_go
        time.sleep(60.0 if hostile else 5.0)  # let Streamlit drop the closed sessions
        sampler.stop()
        after, after_tree = rss_mb(server.pid), tree_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if hostile:
        result.errors += hostile.errors
        if max(sampler.browsers, default=0):
            result.errors.append(f"the server started browsers: {max(sampler.browsers)} at most")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rss = (cold, before, warm, max(sampler.samples), after)
        summary(args, result, elapsed, server_cpu, scrub_cpu, pin, cores, rss)
        if hostile:
            busy = (clients1[0] - clients0[0]) / max(clients1[1] - clients0[1], 1)
            print(f"the clients' core(s) were {busy:.0%} busy while the readers ran (the load machine's own limit)")
            print(
                "the server with its worker process (and any browser it ran): "
                f"peak {max(sampler.tree, default=0):.0f} MB, one minute after {after_tree:.0f} MB"
            )
            print_hostile(hostile, sampler)
    sys.stdout.write(buf.getvalue())
    if args.record:
        from bench.record import record

        command = "python -m bench.load " + " ".join(argv if argv is not None else sys.argv[1:])
        record("load-hostile" if hostile else "load", f"`{command.strip()}`:\n\n```\n{buf.getvalue()}```")


def summary(args, result, elapsed, server_cpu, scrub_cpu, pin, cores, rss) -> None:
    """The readers' figures, the server's CPU and memory."""
    cold, before, warm, peak, after = rss
    hostile = args.hostile
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
        + (f"after a 10 s warm-up round of the light readers {warm:.0f} MB (warm), " if hostile else "")
        + f"peak during {peak:.0f} MB, "
        f"{'one minute' if hostile else '5 s'} after the sessions closed {after:.0f} MB "
        f"({(after - warm) / warm:+.0%} against warm)"
    )


def print_hostile(hostile, sampler: MemorySampler) -> None:
    """The hostile clients' figures: what they met, and a new reader's first map under them."""
    tally = hostile.tally
    print(
        "hostile clients: "
        + ", ".join(f"{key} {n}" for key, n in sorted(tally.items()) if not key.startswith("flood "))
        + f"; browsers on the server: {max(sampler.browsers, default=0)} at most"
    )
    if tally["flood seconds"]:
        rate = tally["flood reports"] / tally["flood seconds"]
        print(
            f"the flood alone: {hostile.sockets} sockets, {rate:.0f} reports/s in its turns "
            f"({tally['flood seconds']:.0f} s in all)"
        )
    for name, timed in (
        ("in Chromium", hostile.first_maps),
        ("the map's frame to a new session", hostile.first_frames),
    ):
        quiet = statistics.median(timed["quiet"]) if timed["quiet"] else float("nan")
        for label, times in timed.items():
            if times:
                median = statistics.median(times)
                print(
                    f"a new reader's first map ({name}), {label}: median {median:.0f} ms, max {max(times):.0f} ms "
                    f"({len(times)} readers; {median / quiet:.2f}x quiet)"
                )


if __name__ == "__main__":
    main()
