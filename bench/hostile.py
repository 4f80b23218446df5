"""Hostile clients of the app, for ``python -m bench.load --hostile`` and the app's tests.

Each speaks to the server as anyone on the internet can (no browser): Streamlit's own websocket
protocol (``bench.load.Session``) and its upload endpoint.

- an uploader: PUTs of ``UPLOAD_MB`` MB to ``/_stcore/upload_file/<session>/<file>`` from its own
  session, with a Content-Length and without one (chunked), one every ``UPLOAD_EVERY_S``;
- a flood of day reports: ``FLOOD_SOCKETS`` sessions, each sending the map's reported day
  ``FLOOD_RATE`` times a second (51,000 reports in 30 s, as the issue measured), reading what
  comes back;
- an asker for heavy work: comparisons and snapshot pages with a new title each time (so no
  cache answers), and a PNG wherever the page offers one.

``first_map_ms`` times a new reader's first map in a browser, and ``browsers_under`` counts the
browsers the server has started.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import http.client
import time
from collections import Counter
from pathlib import Path

from bench.app_slider import MAP_PAGE, READY, VIEW, is_map_frame
from bench.load import START, Session

UPLOAD_MB = 190
#: Between two uploads, s (each is 190 MB through loopback: sent back to back they would take the
#: load machine's core from the readers it times).
UPLOAD_EVERY_S = 1.0
FLOOD_SOCKETS = 10
FLOOD_RATE = 170
HEAVY_EVERY_S = 1.0
#: What the page answers a request for heavy work with.
HEAVY_ANSWERS = {
    b"Download the comparison (HTML)": "made",
    b"One file at a time": "refused: one at a time",
    b"You asked for": "refused: per minute",
    b"The server is busy": "refused: queue full",
    b"It is still being made": "still being made",
}
#: A token the client makes up for Streamlit's XSRF check: it sends the same as cookie and header.
XSRF = "deadbeef" * 4


def put_upload(port: int, session_id: str, mb: float, *, chunked: bool = False, timeout_s: float = 120) -> str:
    """PUT a file of ``mb`` MB to Streamlit's upload endpoint for ``session_id``, announced with its
    Content-Length or sent chunked with none; the HTTP status, or how the connection ended."""
    head = (
        b'--XX\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
    )
    tail, size, chunk = b"\r\n--XX--\r\n", int(mb * 1024 * 1024), b"\0" * (1 << 20)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    conn.putrequest("PUT", f"/_stcore/upload_file/{session_id}/file-{time.time_ns()}")
    conn.putheader("Content-Type", "multipart/form-data; boundary=XX")
    conn.putheader("X-Xsrftoken", XSRF)
    conn.putheader("Cookie", f"_streamlit_xsrf={XSRF}")
    if chunked:
        conn.putheader("Transfer-Encoding", "chunked")
    else:
        conn.putheader("Content-Length", str(len(head) + size + len(tail)))
    conn.endheaders()

    def part(data: bytes) -> bytes:
        return b"%x\r\n%s\r\n" % (len(data), data) if chunked else data

    try:
        try:
            conn.send(part(head))
            for start in range(0, size, len(chunk)):
                conn.send(part(chunk[: min(len(chunk), size - start)]))
            conn.send(part(tail) + (b"0\r\n\r\n" if chunked else b""))
        except OSError:
            pass  # the server stopped reading: its answer may still be there
        try:
            return str(conn.getresponse().status)
        except (OSError, http.client.HTTPException) as exc:
            return f"closed ({type(exc).__name__})"
    finally:
        conn.close()


async def uploader(port: int, stop: asyncio.Event, tally: Counter) -> None:
    """PUT ``UPLOAD_MB`` MB files from one session until ``stop``, counting the answers."""
    session = Session(port)
    try:
        await session.open()
        reader = asyncio.create_task(drain(session))  # a page reads its socket (and answers pings)
        for i in range(1_000_000):
            if stop.is_set():
                break
            status = await asyncio.to_thread(put_upload, port, session.session_id, UPLOAD_MB, chunked=i % 2 == 1)
            tally[f"upload {status}"] += 1
            await asyncio.sleep(UPLOAD_EVERY_S)
        reader.cancel()
    finally:
        await session.close()


async def drain(session: Session) -> None:
    """Read (and drop) what the server sends, as a page would."""
    try:
        while True:
            await session.ws.recv()
    except Exception:  # noqa: BLE001 - the socket closed
        return


async def flooder(
    port: int, stop: asyncio.Event, tally: Counter, rate: float = FLOOD_RATE, on: asyncio.Event | None = None
) -> None:
    """One session sending the map's reported day ``rate`` times a second until ``stop`` (while
    ``on`` is set, when given)."""
    session = Session(port)
    try:
        await session.open()
        reader = asyncio.create_task(drain(session))
        # made once: the flood's cost on the load machine is its sending, not protobuf
        reports = [session.rerun(START + dt.timedelta(days=i)) for i in range(30)]
        t0, sent, due = time.perf_counter(), 0, 0
        while not stop.is_set():
            if on is not None and not on.is_set():
                t0, due = time.perf_counter(), 0
                await asyncio.sleep(0.05)
                continue
            while due < int((time.perf_counter() - t0) * rate):
                await session.send(reports[sent % 30])
                sent, due = sent + 1, due + 1
                tally["reports sent"] += 1
            await asyncio.sleep(0.01)
        reader.cancel()
    finally:
        await session.close()


async def heavy_asker(port: int, stop: asyncio.Event, tally: Counter) -> None:
    """Ask for a comparison and a snapshot page with a new title every ``HEAVY_EVERY_S`` until
    ``stop``, and a PNG wherever the page offers one; count the answers."""
    session = Session(port)
    session.watch = (b"Make PNG",)
    try:
        await session.open(START + dt.timedelta(days=16))  # a day with days before it to compare with
        for i in range(1_000_000):
            if stop.is_set():
                break
            widgets = {"snap": True, "cmp_show": True, "snap_title": f"Hostile title {i}"}
            await session.send(session.rerun(None, widgets=widgets))
            try:
                await session.until(*HEAVY_ANSWERS, timeout_s=60)
                tally[f"heavy {HEAVY_ANSWERS[session.found]}"] += 1
            except TimeoutError:
                tally["heavy no answer in 60 s"] += 1
            tally["PNG offered"] += session.seen.pop(b"Make PNG", 0)
            await asyncio.sleep(HEAVY_EVERY_S)
    finally:
        await session.close()


def browsers_under(pid: int) -> int:
    """How many Chromium processes descend from process ``pid`` (Linux /proc)."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
            parents[int(entry.name)], names[int(entry.name)] = int(rest[1]), name
    count = 0
    for child, name in names.items():
        node = child
        while node > 1 and node != pid:
            node = parents.get(node, 0)
        count += node == pid and "chrom" in name.lower()
    return count


async def first_frame_ms(port: int, day: dt.date, timeout_s: float = 120) -> float:
    """A new session's first map as the server gives it: ms from connecting to the message that
    puts the map's frame in the page (no browser: what the server alone takes)."""
    session = Session(port)
    t0 = time.perf_counter()
    try:
        await session.connect()
        await session.send(session.rerun(None, query_day=day))
        await session.until(MAP_PAGE.encode(), timeout_s=timeout_s)
        return (time.perf_counter() - t0) * 1000
    finally:
        await session.close()


async def first_map_ms(browser, url: str, timeout_s: float = 120) -> float:
    """A new reader's first map: ms from asking for the page to the map drawn (new profile)."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = await ctx.new_page()
        t0 = time.time() * 1000
        await page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            for frame in [f for f in page.frames if is_map_frame(f)]:
                try:
                    if await frame.evaluate(READY):
                        return await frame.evaluate(f"() => {VIEW}.readyAt") - t0
                except Exception:  # noqa: BLE001 - a frame still loading
                    pass
            await asyncio.sleep(0.02)
        raise TimeoutError(f"no map within {timeout_s:.0f} s")
    finally:
        await ctx.close()


#: The loads a new reader's first map is timed under.
LOADS = ("quiet", "the flood alone", "the readers alone", "the readers and every hostile client")


class Hostile:
    """The hostile clients of one ``bench.load`` run, and what they met: ``tally`` (answers
    counted), ``first_maps`` and ``first_frames`` (ms, by the load they were timed under: in a
    browser, and as the server gives it, ``first_frame_ms``) and ``errors``."""

    def __init__(self, port: int, *, rate: float = FLOOD_RATE, sockets: int = FLOOD_SOCKETS):
        self.port, self.rate, self.sockets = port, rate, sockets
        self.tally: Counter = Counter()
        self.first_maps: dict[str, list[float]] = {load: [] for load in LOADS}
        self.first_frames: dict[str, list[float]] = {load: [] for load in LOADS}
        self.errors: list[str] = []
        self.day = START + dt.timedelta(days=16)
        self.url = f"http://127.0.0.1:{port}/?date={self.day.isoformat()}"

    async def guarded(self, name: str, client) -> None:
        """Run one client; its failure is a counted error, not a crash."""
        try:
            await client
        except Exception as exc:  # noqa: BLE001
            self.errors.append(f"{name}: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}")

    async def time_first_maps(self, browser, label: str, count: int, gap_s: float) -> None:
        """A new reader's first map ``count`` times: in the browser, then as the server gives it."""
        for _ in range(count):
            try:
                self.first_maps[label].append(await first_map_ms(browser, self.url))
                self.first_frames[label].append(await first_frame_ms(self.port, self.day))
            except Exception as exc:  # noqa: BLE001
                self.errors.append(f"first map ({label}): {type(exc).__name__}: {exc}")
            await asyncio.sleep(gap_s)

    def flood(self, stop: asyncio.Event, on: asyncio.Event | None = None) -> list:
        return [
            self.guarded(f"flood{i}", flooder(self.port, stop, self.tally, self.rate, on)) for i in range(self.sockets)
        ]

    async def quiet_and_flood(self, rounds: int = 4, settle_s: float = 4.0) -> None:
        """A new reader's first map in turns: on the quiet server, then under the flood of day
        reports alone (the same flooding sessions, paused between turns, so both are timed on the
        same server in the same minutes)."""
        from playwright.async_api import async_playwright

        from bench.app_slider import OFFLINE_ARGS
        from snapshot import CHROMIUM, CHROMIUM_ARGS

        stop, on = asyncio.Event(), asyncio.Event()
        flood = asyncio.gather(*self.flood(stop, on))
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + OFFLINE_ARGS)
            await first_map_ms(browser, self.url)  # the browser's own first page, not timed
            for _ in range(rounds):
                await asyncio.sleep(settle_s)  # the last turn's reruns are over
                await self.time_first_maps(browser, "quiet", 1, 0.0)
                on.set()
                sent, t0 = self.tally["reports sent"], time.perf_counter()
                await asyncio.sleep(settle_s)  # every socket sending, the paced sessions waiting
                await self.time_first_maps(browser, "the flood alone", 1, 0.0)
                on.clear()
                self.tally["flood seconds"] += time.perf_counter() - t0
                self.tally["flood reports"] += self.tally["reports sent"] - sent
            await browser.close()
        stop.set()
        await flood

    async def during(self, browser, url: str, run) -> None:
        """Beside ``bench.load``'s readers, once they all have their page: a new reader's first map
        every few seconds, under the readers alone for the first third of the run, then with the
        uploader, the flood and the asker for heavy work until the run's deadline."""
        await run.go.wait()
        third = (run.deadline - time.time()) / 3
        while time.time() < run.deadline - 2 * third:
            await self.time_first_maps(browser, "the readers alone", 1, 4.0)
        stop = asyncio.Event()
        clients = asyncio.gather(
            self.guarded("uploader", uploader(self.port, stop, self.tally)),
            self.guarded("heavy", heavy_asker(self.port, stop, self.tally)),
            *self.flood(stop),
        )
        await asyncio.sleep(5.0)
        while time.time() < run.deadline - 8:
            await self.time_first_maps(browser, "the readers and every hostile client", 1, 4.0)
        await asyncio.sleep(max(0.0, run.deadline - time.time()))
        stop.set()
        await clients
        accepted = sum(n for k, n in self.tally.items() if k.startswith("upload 2"))
        if accepted:
            self.errors.append(f"the server took {accepted} upload(s) of {UPLOAD_MB} MB")
        if self.tally["PNG offered"]:
            self.errors.append(f"a PNG was offered to a reader {self.tally['PNG offered']} time(s)")
