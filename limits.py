"""What one reader's session may ask of the public app's server: a pace for its reruns, caches
no client can clear, and the one queue for heavy work. No Streamlit here: the app (``app.py``,
``newsroom.py``) calls these with the session's key.

- :class:`Pacer`: how often one session's reports (and other reruns) do their work;
- :class:`Memo`: bounded, thread-safe caches that no client message clears (any client's "clear
  cache" message empties every ``st.cache_data`` and ``st.cache_resource`` of the server);
- :class:`Worker`: heavy work (snapshot pages, comparisons, data files, PNGs) one job at a time,
  so at most one browser runs, with limits per session and every result cached under all of its
  inputs; the app's worker runs the jobs in one process of their own, below the server's priority
  (:class:`ProcessRunner`, ``heavywork``).

The app's own instances are at the end (``PACER``, ``BUNDLES``... ``WORKER``).
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import heavywork

LOG = logging.getLogger("map.limits")
V = TypeVar("V")


class Pacer:
    """How often each session's reruns may do their work: ``burst`` at once, then one every
    ``1 / per_second`` seconds (a generic cell-rate algorithm per key), the interval doubling
    each time in a row the session asks before its slot, so a flood soon waits ``max_wait_s``
    between runs while a reader who pauses never waits. Thread-safe; at most ``max_keys``
    sessions remembered, the longest idle forgotten first.

    :meth:`delay` takes the session's next slot and says how long to wait for it (at most
    ``max_wait_s``). The app sleeps that long in the session's own script thread: Streamlit runs
    a session's reruns one after another and folds the reports that come meanwhile into the next,
    so a flood costs the server one run per wait, not one per report."""

    def __init__(
        self,
        *,
        burst: int,
        per_second: float,
        max_wait_s: float = 3.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.interval = 1.0 / per_second
        self.tolerance = (burst - 1) * self.interval
        self.max_wait_s, self.max_keys, self.clock = max_wait_s, max_keys, clock
        self._due: OrderedDict[str, tuple[float, int]] = OrderedDict()  # next slot, times in a row early
        self._lock = threading.Lock()

    def delay(self, key: str) -> float:
        """Seconds the session ``key`` waits before its run (0 within its burst); its slot is taken."""
        with self._lock:
            now = self.clock()
            due, early = self._due.pop(key, (now, 0))
            due = min(max(due, now), now + self.tolerance + self.max_wait_s)
            wait = due - self.tolerance - now
            early = early + 1 if wait > 0 else 0
            # a flood's next slot stays one longest wait beyond this one (so it waits that long
            # again), and a session quiet for two longest waits and its burst's span has its burst
            latest = now + self.tolerance + 2 * self.max_wait_s
            self._due[key] = (min(due + self.interval * 2 ** min(early, 16), latest), early)
            while len(self._due) > self.max_keys:
                self._due.popitem(last=False)
            return max(0.0, wait)


# ---------------------------------------------------------------- caches no client clears

_MISSING: Any = object()


def weight(value: Any) -> int:
    """About how many bytes a heavy result holds: its texts and bytes, in tuples and lists too."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, tuple | list):
        return sum(weight(v) for v in value)
    return 0


class Memo(Generic[V]):
    """A bounded, thread-safe cache (least recently used first out): at most ``max_entries``, and
    with ``max_bytes``, values of at most that ``weight`` together. Each value is made once even
    when sessions ask for it together: the others wait for it."""

    def __init__(self, max_entries: int, max_bytes: int | None = None):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._data: OrderedDict[Hashable, V] = OrderedDict()
        self._weights: dict[Hashable, int] = {}
        self._making: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._data

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def peek(self, key: Hashable, default: Any = None) -> Any:
        """The value for ``key`` if there is one (counts as a use), else ``default``."""
        with self._lock:
            if key not in self._data:
                return default
            self._data.move_to_end(key)
            return self._data[key]

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            if self.max_bytes is not None:
                self._weights[key] = weight(value)
            while len(self._data) > 1 and (
                len(self._data) > self.max_entries
                or (self.max_bytes is not None and sum(self._weights.values()) > self.max_bytes)
            ):
                oldest, _ = self._data.popitem(last=False)
                self._weights.pop(oldest, None)

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value for ``key``, made by ``make()`` (once, on one thread) when there is none."""
        if (found := self.peek(key, _MISSING)) is not _MISSING:
            return found
        with self._lock:
            gate = self._making.setdefault(key, threading.Lock())
        with gate:
            if (found := self.peek(key, _MISSING)) is not _MISSING:
                return found
            try:
                value = make()
                self.put(key, value)
            finally:
                with self._lock:
                    self._making.pop(key, None)
            return value


# ---------------------------------------------------------------- the one queue for heavy work


@dataclass(frozen=True)
class Outcome:
    """A heavy job's answer: its ``value``, or one line saying why there is none (``refused``)."""

    value: Any = None
    refused: str = ""


def call(make: Callable[[], Any]) -> Any:
    """Run a job on the worker's own thread."""
    return make()


class ProcessRunner:
    """Runs each job in one worker process, started when first needed (and again if it died),
    with ``initializer`` run in it first. A job is a picklable callable (``heavywork.Job``)."""

    def __init__(self, initializer: Callable[[], None] | None = None):
        self.initializer = initializer
        self._pool: ProcessPoolExecutor | None = None

    def __call__(self, make: Callable[[], Any]) -> Any:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")  # nothing of the server's threads comes along
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=self.initializer)
        try:
            return self._pool.submit(make).result()
        except BrokenProcessPool:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
            raise


class Worker:
    """Heavy work one job at a time, in the order asked (so one browser at most runs on the server),
    done by ``runner`` (on the worker's thread, or in a process: :class:`ProcessRunner`).

    A session has one job waiting or running at a time and at most ``per_minute`` jobs started in
    a minute; at most ``queue_max`` jobs wait in all. A result is kept in ``results`` under its key,
    which names every input of the job, and a job already asked for is not asked again: whoever
    asks for the same key waits for the same job. Jobs that the cache answers are not counted. A
    job's exception with a ``reader_message`` says that to the reader; any other, one line."""

    def __init__(
        self,
        *,
        results: Memo,
        runner: Callable[[Callable[[], Any]], Any] = call,
        per_minute: int = 10,
        queue_max: int = 8,
        wait_s: float = 90.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.results, self.runner = results, runner
        self.per_minute, self.queue_max, self.wait_s = per_minute, queue_max, wait_s
        self.clock = clock
        self._lock = threading.Lock()
        self._pending: dict[Hashable, Future] = {}
        self._busy: dict[str, Hashable] = {}  # session -> its job's key
        self._started: dict[str, deque[float]] = {}
        self._jobs: deque[tuple[Hashable, Callable[[], Any], Future, str]] = deque()
        self._wake = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None

    def run(self, session: str, key: Hashable, make: Callable[[], Any]) -> Outcome:
        """``make()``'s value for ``key`` (from the cache, or made on the worker's thread), or why not."""
        if (found := self.results.peek(key, _MISSING)) is not _MISSING:
            return Outcome(value=found)
        with self._lock:
            future = self._pending.get(key)
            if future is None:
                if refused := self._refusal(session):
                    return Outcome(refused=refused)
                future = self._enqueue(session, key, make)
        try:
            return Outcome(value=future.result(timeout=self.wait_s))
        except FutureTimeout:
            return Outcome(refused="It is still being made; ask again in a minute.")
        except Exception as exc:  # noqa: BLE001 - the reader gets one line; the server's log has the traceback
            return Outcome(
                refused=getattr(exc, "reader_message", "") or "It could not be made; the server's log says why."
            )

    def _refusal(self, session: str) -> str:
        """Why ``session`` may not start a job now, or ``""`` (holding the lock)."""
        if session in self._busy:
            return "One file at a time: the one you asked for is still being made."
        now = self.clock()
        starts = self._started.get(session, deque())
        while starts and starts[0] <= now - 60:
            starts.popleft()
        if len(starts) >= self.per_minute:
            wait = int(starts[0] + 60 - now) + 1
            return f"You asked for {len(starts)} files in the last minute; the next can be made in {wait} s."
        if len(self._pending) >= self.queue_max:
            return "The server is busy making files for other readers; try again in a minute."
        return ""

    def _enqueue(self, session: str, key: Hashable, make: Callable[[], Any]) -> Future:
        """Queue the job (holding the lock)."""
        if len(self._started) > 10_000:  # forget the sessions that started nothing for a minute
            cutoff = self.clock() - 60
            self._started = {s: q for s, q in self._started.items() if q and q[-1] > cutoff}
        future: Future = Future()
        self._pending[key], self._busy[session] = future, key
        self._started.setdefault(session, deque()).append(self.clock())
        self._jobs.append((key, make, future, session))
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="map-heavy-work", daemon=True)
            self._thread.start()
        self._wake.notify()
        return future

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._jobs:
                    self._wake.wait()
                key, make, future, session = self._jobs.popleft()
            try:
                value = self.runner(make)
            except Exception as exc:  # noqa: BLE001 - kept for the log and the waiting session
                if not getattr(exc, "reader_message", ""):
                    LOG.exception("heavy job %r failed", key)
                future.set_exception(exc)
            else:
                self.results.put(key, value)
                future.set_result(value)
            finally:
                with self._lock:
                    self._pending.pop(key, None)
                    if self._busy.get(session) == key:
                        del self._busy[session]


# ---------------------------------------------------------------- the app's shared state

#: Day reports (and other reruns) per session: a reader stepping by hand and pausing is never
#: held back; a flood waits in its own session, soon 3 s a run (a run with the panels costs the
#: server 40-60 ms of CPU: ``python -m bench.load``'s "ms per report").
PACER = Pacer(burst=5, per_second=2.0, max_wait_s=3.0)
#: Loaded data per (folder, content digest), the last valid data per folder, map pages built per
#: (content, basemap), and what the panels derive per day: no client message clears these.
BUNDLES: Memo = Memo(8)
LAST_GOOD: Memo = Memo(16)
PAGES: Memo = Memo(16)
DERIVED: Memo = Memo(1024)
#: What is registered with Streamlit once per server (the map's component).
PARTS: Memo = Memo(4)
#: Heavy results (snapshot pages, comparisons, data files, PNGs), each under every input, made in
#: the worker process below the server's priority; 8 MB of them at most (about 25 snapshot pages
#: of the bundled data, or 12 comparisons), so what readers ask for leaves the server's memory
#: much as it was.
WORKER = Worker(results=Memo(64, max_bytes=8_000_000), runner=ProcessRunner(initializer=heavywork.lower_priority))
