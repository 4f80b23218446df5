"""limits: a session's pace, caches no client clears, and the one queue for heavy work."""

from __future__ import annotations

import functools
import os
import threading
import time

import pytest

import heavywork
from limits import Memo, Pacer, ProcessRunner, Worker


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------- pace


def test_a_burst_runs_at_once_then_each_early_run_waits_twice_as_long():
    clock = Clock()
    pacer = Pacer(burst=3, per_second=2.0, max_wait_s=3.0, clock=clock)
    assert [pacer.delay("a") for _ in range(7)] == pytest.approx([0, 0, 0, 0.5, 1.5, 3.0, 3.0])
    assert pacer.delay("b") == 0.0, "another session has its own pace"


def test_a_reader_who_pauses_never_waits():
    clock = Clock()
    pacer = Pacer(burst=5, per_second=2.0, clock=clock)
    for _ in range(100):  # a report every 0.6 s: slower than the pace
        assert pacer.delay("reader") == 0.0
        clock.now += 0.6


@pytest.mark.parametrize(
    ("pause", "third", "fourth"), [(0.0, 0.5, 1.5), (0.25, 0.25, 1.25), (0.5, 0.0, 0.5), (2.0, 0.0, 0.0)]
)
def test_after_a_burst_the_wait_follows_the_pace(pause, third, fourth):
    clock = Clock()
    pacer = Pacer(burst=2, per_second=2.0, clock=clock)
    assert [pacer.delay("a"), pacer.delay("a")] == [0.0, 0.0]
    clock.now += pause
    assert [pacer.delay("a"), pacer.delay("a")] == pytest.approx([third, fourth])


def test_a_flood_soon_runs_once_per_longest_wait_and_a_pause_forgives_it():
    clock = Clock()
    pacer = Pacer(burst=5, per_second=2.0, max_wait_s=3.0, clock=clock)
    runs, end = 0, clock.now + 60
    while clock.now < end:  # the session's thread: wait, run (20 ms), and a report is always waiting
        wait = pacer.delay("flood")
        assert wait <= 3.0
        clock.now += wait + 0.02
        runs += 1
    assert runs <= 5 + 60 / 3 + 4, f"{runs} runs in a minute"
    clock.now += 2 * 3.0 + 2.0  # quiet for two longest waits and the burst's span
    assert [pacer.delay("flood") for _ in range(5)] == [0.0] * 5


def test_the_pacer_remembers_a_bounded_number_of_sessions():
    clock = Clock()
    pacer = Pacer(burst=1, per_second=1.0, max_keys=100, clock=clock)
    for i in range(1000):
        pacer.delay(f"s{i}")
    assert len(pacer._due) == 100


# ---------------------------------------------------------------- caches


def test_a_memo_keeps_the_most_recently_used_entries():
    memo: Memo[int] = Memo(3)
    for key in "abc":
        memo.put(key, ord(key))
    assert memo.peek("a") == ord("a")  # used: now the newest
    memo.put("d", 4)
    assert "b" not in memo and "a" in memo and len(memo) == 3
    assert memo.get("d", lambda: pytest.fail("made again")) == 4


@pytest.mark.parametrize(
    ("values", "kept"),
    [
        ({"a": "x" * 40, "b": b"y" * 40, "c": ("z" * 10, ["w" * 10])}, "abc"),
        ({"a": "x" * 60, "b": "y" * 60}, "b"),
        ({"a": "x" * 30, "b": ("y" * 30, "z" * 30), "c": "q" * 30}, "bc"),
        ({"a": "x" * 500}, "a"),  # one value over the budget is kept: the newest always is
    ],
)
def test_a_memo_keeps_values_within_its_bytes(values, kept):
    memo: Memo = Memo(10, max_bytes=100)
    for key, value in values.items():
        memo.put(key, value)
    assert "".join(k for k in values if k in memo) == kept


def test_a_memo_makes_a_value_once_when_sessions_ask_together():
    memo: Memo[int] = Memo(4)
    made, release = [], threading.Event()

    def make() -> int:
        made.append(1)
        release.wait(5)
        return 42

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(memo.get("k", make))) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    release.set()
    for t in threads:
        t.join(5)
    assert results == [42] * 8 and made == [1]


def test_a_failed_make_is_not_kept():
    memo: Memo[int] = Memo(4)
    with pytest.raises(ValueError):
        memo.get("k", lambda: (_ for _ in ()).throw(ValueError("bad")))
    assert memo.get("k", lambda: 7) == 7


# ---------------------------------------------------------------- the one queue for heavy work


def worker(**kw) -> Worker:
    return Worker(results=Memo(kw.pop("entries", 16)), **kw)


def test_heavy_jobs_run_one_at_a_time_whoever_asks():
    w = worker(per_minute=100, queue_max=100)
    running, most, lock = [0], [0], threading.Lock()

    def job(i: int):
        def make() -> int:
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.02)
            with lock:
                running[0] -= 1
            return i

        return make

    outcomes: list = [None] * 12
    threads = [
        threading.Thread(target=lambda i=i: outcomes.__setitem__(i, w.run(f"s{i}", ("job", i), job(i))))
        for i in range(12)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert [o.value for o in outcomes] == list(range(12)) and most[0] == 1


def test_a_result_is_cached_under_its_key_and_a_hit_is_not_counted():
    w = worker(per_minute=2)
    calls = []
    make = lambda: calls.append(1) or "page"  # noqa: E731
    assert [w.run("s", ("snapshot", "2016-11-20", "title"), make).value for _ in range(5)] == ["page"] * 5
    assert calls == [1]
    assert w.run("s", ("snapshot", "2016-11-20", "other title"), make).value == "page"
    assert calls == [1, 1], "another input is another job"


def test_a_session_has_one_job_at_a_time():
    w = worker()
    started, release = threading.Event(), threading.Event()
    first = threading.Thread(target=lambda: w.run("s", "slow", lambda: started.set() or release.wait(5)))
    first.start()
    assert started.wait(5)
    second = w.run("s", "other", lambda: pytest.fail("ran"))
    assert second.value is None and second.refused.startswith("One file at a time")
    release.set()
    first.join(5)
    assert w.run("s", "other", lambda: "now").value == "now"


@pytest.mark.parametrize(("per_minute", "asked", "refused"), [(3, 3, 0), (3, 5, 2), (1, 4, 3)])
def test_a_session_may_start_a_few_jobs_a_minute(per_minute, asked, refused):
    clock = Clock()
    w = worker(per_minute=per_minute, clock=clock)
    outcomes = [w.run("s", ("job", i), lambda i=i: i) for i in range(asked)]
    said = [o.refused for o in outcomes if o.refused]
    assert len(said) == refused
    assert all(s.startswith(f"You asked for {per_minute} files in the last minute") for s in said)
    clock.now += 61
    assert w.run("s", ("job", "later"), lambda: "ok").value == "ok"


def test_a_full_queue_refuses_new_jobs():
    w = worker(queue_max=2)
    release = threading.Event()
    threads = [threading.Thread(target=lambda i=i: w.run(f"s{i}", i, lambda: release.wait(5))) for i in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    full = w.run("late", "x", lambda: pytest.fail("ran"))
    assert full.refused.startswith("The server is busy")
    release.set()
    for t in threads:
        t.join(5)


def test_the_same_job_asked_by_two_sessions_is_made_once():
    w = worker()
    calls, release = [], threading.Event()

    def make() -> str:
        calls.append(1)
        release.wait(5)
        return "png"

    outcomes: list = []
    threads = [threading.Thread(target=lambda s=s: outcomes.append(w.run(s, "k", make))) for s in "ab"]
    for t in threads:
        t.start()
    time.sleep(0.2)
    release.set()
    for t in threads:
        t.join(5)
    assert [o.value for o in outcomes] == ["png", "png"] and calls == [1]


def test_a_failed_job_says_one_line_and_the_session_may_ask_again(caplog):
    w = worker()
    failed = w.run("s", "k", lambda: 1 / 0)
    assert failed.value is None and failed.refused == "It could not be made; the server's log says why."
    assert any("ZeroDivisionError" in (r.exc_text or "") for r in caplog.records)
    assert w.run("s", "k", lambda: 2).value == 2


def test_a_long_job_answers_later_from_the_cache():
    w = worker(wait_s=0.1)
    release = threading.Event()
    late = w.run("s", "k", lambda: release.wait(5) and "done")
    assert late.refused.startswith("It is still being made")
    release.set()
    deadline = time.time() + 5
    while "k" not in w.results and time.time() < deadline:
        time.sleep(0.02)
    assert w.run("s", "k", lambda: pytest.fail("made again")).value == "done"


# ---------------------------------------------------------------- the worker process


def crash() -> None:
    os._exit(3)


def test_jobs_run_in_one_process_of_their_own_below_the_server():
    w = Worker(results=Memo(4), runner=ProcessRunner(initializer=heavywork.lower_priority))
    pids = {w.run("s", ("pid", i), os.getpid).value for i in range(3)}
    niceness = w.run("s", "nice", functools.partial(os.getpriority, os.PRIO_PROCESS, 0)).value
    assert len(pids) == 1 and os.getpid() not in pids
    assert niceness == os.getpriority(os.PRIO_PROCESS, 0) + heavywork.NICENESS


def test_a_dead_worker_process_is_one_line_and_the_next_job_gets_a_new_one():
    w = Worker(results=Memo(4), runner=ProcessRunner())
    first = w.run("s", "pid", os.getpid).value
    dead = w.run("s", "crash", crash)
    assert dead.value is None and dead.refused == "It could not be made; the server's log says why."
    again = w.run("s", "pid again", os.getpid).value
    assert again not in (None, first, os.getpid())
