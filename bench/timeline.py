"""Benchmark: build the timeline and look up a day, for the bundled data and a synthetic set.

    .venv/bin/python -m bench.timeline [--districts 5000] [--events 200000]

Targets (issue 2): full timeline for 5,000 districts x 200,000 events under 1 s; a lookup under 1 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from geo.load import check_dataset
from geo.timeline import build_timeline

REPO = Path(__file__).resolve().parents[1]
#: Controllers of the synthetic events: three sides and a contested row.
CONTROLLERS = ("government", "opposition", "sdf", "contested")


def synthetic(n_districts: int, n_events: int, seed: int = 1) -> tuple[list[str], pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"S{i:05d}" for i in range(n_districts)]
    share = np.where(rng.random(n_events) < 0.2, rng.choice([0.25, 0.33, 0.5, 0.75], n_events), np.nan)
    events = pd.DataFrame(
        {
            "event_id": [f"E{i}" for i in range(n_events)],
            "date": pd.Timestamp("2016-11-01") + pd.to_timedelta(rng.integers(0, 52, n_events), unit="D"),
            "district": rng.choice(ids, n_events),
            "controller": rng.choice(CONTROLLERS, n_events, p=[0.45, 0.4, 0.1, 0.05]),
            "share": share,
            "source": rng.choice(["a", "b", "c"], n_events),
            "precision": "day",
            "note": "",
        }
    )
    events["date"] = events["date"].astype("datetime64[ns]")
    return ids, events


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def report(label: str, ids, events, repeat: int) -> None:
    build_s, tl = timed(lambda: build_timeline(ids, events), repeat)
    day = tl.days[len(tl.days) // 2]
    codes_s, _ = timed(lambda: tl.codes(day), 200)
    first_s, _ = timed(lambda: tl._state(tl.codes(day)), 3)
    tl.control_on(day)
    warm_s, _ = timed(lambda: tl.control_on(day), 200)
    print(f"{label}: {len(ids):,} districts x {len(events):,} events, {len(tl.days)} days")
    print(f"  build timeline (median of {repeat}): {build_s * 1000:8.1f} ms")
    print(f"  lookup codes(day):                 {codes_s * 1e6:8.1f} µs")
    print(f"  control_on(day) first time:        {first_s * 1000:8.1f} ms (claims and sources materialised)")
    print(f"  control_on(day) after:             {warm_s * 1e6:8.1f} µs (memoised per day)")


def naive_seconds(ids, events, sample: int = 200) -> float:
    """Time of a per-district loop (the approach the vectorised build replaces), extrapolated."""
    days = pd.date_range("2016-11-15", "2016-12-22")
    t = time.perf_counter()
    for did in ids[:sample]:
        ev = events[events["district"] == did].sort_values("date")
        for day in days:
            ev[ev["date"] <= day].tail(1)
    return (time.perf_counter() - t) * len(ids) / sample


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--districts", type=int, default=5000)
    ap.add_argument("--events", type=int, default=200_000)
    args = ap.parse_args(argv)
    ds, _ = check_dataset(REPO / "data")
    if ds is not None:
        report("bundled data", list(ds.districts["id"]), ds.events, 7)
    else:
        print("bundled data: does not validate (run python -m geo.validate)")
    ids, events = synthetic(args.districts, args.events)
    report("synthetic", ids, events, 3)
    print(f"  per-district loop, extrapolated:   {naive_seconds(ids, events):8.1f} s")


if __name__ == "__main__":
    main()
