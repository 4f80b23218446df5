"""The real app against clients that want more than reading: uploads, a flood of day reports, the
"clear cache" message. Each client speaks Streamlit's own protocol as anyone may (bench.hostile,
bench.load.Session), with no browser; one server per module on a free loopback port."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.app_slider import free_port, start_server
from bench.hostile import put_upload
from bench.load import START, Session, heading, rss_mb
from bench.synthetic import write_synthetic

HEADING = re.compile(rb"Area held, \d\d \w\w\w \d{4}")


def run_async(coro):
    """``asyncio.run(coro)`` in a thread of its own: once a browser test has run, the session's
    Playwright browser keeps an event loop running in this thread, where asyncio.run refuses."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@contextlib.contextmanager
def serve(data: Path, *app_args: str) -> Iterator[tuple[int, subprocess.Popen]]:
    """Run the app on ``data`` on a free loopback port; its port and process; stop it."""
    port = free_port()
    proc = start_server(data, port, app_args=app_args)
    try:
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serve(write_synthetic(tmp_path_factory.mktemp("hostile") / "data", 16)) as running:
        yield running


async def opened(port: int) -> Session:
    session = Session(port)
    await session.open()
    return session


def test_an_upload_to_the_read_only_server_is_refused_and_takes_no_memory(server):
    port, proc = server

    async def go() -> tuple[list[str], float, float]:
        session = await opened(port)
        before = rss_mb(proc.pid)
        statuses = [
            await asyncio.to_thread(put_upload, port, session.session_id, 100),
            await asyncio.to_thread(put_upload, port, session.session_id, 100, chunked=True),
            await asyncio.to_thread(put_upload, port, session.session_id, 0.001),
        ]
        after = rss_mb(proc.pid)
        await session.close()
        return statuses, before, after

    statuses, before, after = run_async(go())
    assert statuses == ["413", "413", "413"]
    assert after - before < 20, f"the server grew from {before:.0f} to {after:.0f} MB"


def test_with_editing_on_uploads_are_taken_up_to_25_mb(tmp_path):
    with serve(write_synthetic(tmp_path / "data", 9), "--enable-editing") as (port, _):

        async def go(port: int = port) -> list[str]:
            session = await opened(port)
            statuses = [
                await asyncio.to_thread(put_upload, port, session.session_id, 0.001),
                await asyncio.to_thread(put_upload, port, session.session_id, 24),
                await asyncio.to_thread(put_upload, port, session.session_id, 30),
            ]
            await session.close()
            return statuses

        assert run_async(go()) == ["204", "204", "413"]


def test_the_last_valid_data_survives_a_clear_cache_message(tmp_path):
    data = write_synthetic(tmp_path / "data", 9)
    with serve(data) as (port, _):

        async def go(port: int = port) -> bytes:
            first = await opened(port)  # the data loaded once, valid
            events = data / "events.csv"
            events.write_text(events.read_text("utf-8") + "E9999,2016-11-20,S999,martians,,alpha,day,x\n", "utf-8")
            await first.send(first.clear_cache())  # as any client may: Streamlit empties its caches
            await first.send(first.rerun(None))
            await first.until(b"The data files have errors")
            later = Session(port)  # a new reader after the message
            await later.connect()
            await later.send(later.rerun(None))
            await later.until(b"showing the last valid data", b"there is no valid data to show")
            found = later.found
            if found == b"showing the last valid data":
                await later.until(heading(START))
            await first.close()
            await later.close()
            return found

        assert run_async(go()) == b"showing the last valid data"


def test_a_flood_of_day_reports_from_one_session_is_paced(server):
    """200 reports in 2 s from one session: the panels are rerun a few times, not for each report,
    the last report's day is shown, and another reader's report meanwhile is answered at once."""
    port, _ = server

    async def go() -> tuple[int, float, float]:
        flood, other = await opened(port), await opened(port)
        headings: list[bytes] = []

        async def read_headings() -> None:
            while True:
                raw = await flood.ws.recv()
                headings.extend(HEADING.findall(raw))

        reader = asyncio.create_task(read_headings())
        last = START
        t0 = time.perf_counter()
        for i in range(200):
            last = START + dt.timedelta(days=1 + i % 20)
            await flood.send(flood.rerun(last))
            await asyncio.sleep(0.01)
        await other.send(other.rerun(START + dt.timedelta(days=25)))
        other_ms = await other.until(heading(START + dt.timedelta(days=25)), timeout_s=20)
        deadline = time.perf_counter() + 15
        while heading(last) not in headings[-1:] and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
        elapsed = time.perf_counter() - t0
        reader.cancel()
        await flood.close()
        await other.close()
        assert headings and headings[-1] == heading(last), "the last report's day is shown"
        return len(headings), elapsed, other_ms

    runs, elapsed, other_ms = run_async(go())
    # the pace (limits.PACER): 5 at once, then 2 a second, and the runs that a newer report cut short
    assert runs <= 5 + 2 * elapsed + 2, f"{runs} panel runs for 200 reports in {elapsed:.1f} s"
    assert other_ms < 3000, f"another reader waited {other_ms:.0f} ms for its panels"


def test_a_report_after_a_clear_cache_message_starts_the_page_again(server):
    """The message also empties the sender's own session state; its next report (a fragment run)
    finds no day and runs the whole page again, on the reported day, with no error."""
    port, _ = server
    day = START + dt.timedelta(days=9)

    async def go() -> float:
        session = await opened(port)
        await session.send(session.clear_cache())
        await session.send(session.rerun(day))
        ms = await session.until(heading(day), timeout_s=30)  # an error from the app raises here
        await session.close()
        return ms

    assert run_async(go()) < 30_000
