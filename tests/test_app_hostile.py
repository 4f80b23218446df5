"""The real app against clients that want more than reading: uploads. Each client speaks
Streamlit's own protocol as anyone may (bench.hostile, bench.load.Session), with no browser; one
server per module on a free loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.app_slider import free_port, start_server
from bench.hostile import put_upload
from bench.load import Session, rss_mb
from bench.synthetic import write_synthetic


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

    statuses, before, after = asyncio.run(go())
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

        assert asyncio.run(go()) == ["204", "204", "413"]
