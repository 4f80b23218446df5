"""Two days compared: the districts whose state differs, and the claims that made each change."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.exports import csv_text
from geo.load import Dataset
from geo.states import day_states
from geo.timeline import Timeline, as_day

COMPARE_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "name_ar",
    "from_state",
    "from_share",
    "from_holder",
    "to_state",
    "to_share",
    "to_holder",
    "to_rest",
    "event_id",
    "date",
    "controller",
    "share",
    "source",
    "cites",
    "claimant",
    "precision",
    "place",
    "note",
)
#: The parts of a state that make two days differ.
STATE_KEYS = ("state", "share", "holder", "rest")


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a == b) | (pd.isna(a) & pd.isna(b))


def changed_districts(ds: Dataset, tl: Timeline, d1, d2) -> pd.DataFrame:
    """The districts whose state (word, share, holder or rest) on ``d2`` differs from ``d1``.

    Columns: id, name, name_ar, from_state, from_share, from_holder, to_state, to_share, to_holder,
    to_rest; one row per district, in district order.
    """
    # only a district whose deciding group differs can differ in state; the day tables are kept
    # per day, and a comparison reads their columns at those rows only
    maybe = np.flatnonzero(tl.codes(d1) != tl.codes(d2))
    a, b = day_states(ds, tl, d1, copy=False), day_states(ds, tl, d2, copy=False)
    same = np.ones(len(maybe), dtype=bool)
    for k in STATE_KEYS:
        same &= _same(a[k].to_numpy()[maybe], b[k].to_numpy()[maybe])
    rows = maybe[~same]
    columns = {"id": (a, "id"), "name": (a, "name"), "name_ar": (a, "name_ar")}
    columns |= {f"from_{k}": (a, k) for k in ("state", "share", "holder")}
    columns |= {f"to_{k}": (b, k) for k in ("state", "share", "holder", "rest")}
    return pd.DataFrame({name: table[k].to_numpy()[rows] for name, (table, k) in columns.items()})


def compare(ds: Dataset, tl: Timeline, d1, d2) -> pd.DataFrame:
    """What changed between ``d1`` and ``d2`` (``d1`` before ``d2``), one row per claim behind a change.

    For every district whose state differs (:func:`changed_districts`), every claim about it dated in
    (d1, d2], oldest first, with its source key: columns :data:`COMPARE_COLUMNS` (``date`` a
    Timestamp; ``controller``/``share`` are the claim's, ``cites`` the further sources relaying it, the
    ``from_``/``to_`` columns the states).
    Rival claims are separate rows; nothing is merged. Empty when nothing changed.
    """
    t1, t2 = as_day(d1), as_day(d2)
    if t2 < t1:
        raise ValueError(f"the first day ({t1.date()}) must not be after the second ({t2.date()}).")
    changed = changed_districts(ds, tl, t1, t2)
    claims, dates, districts = tl.kept("compare claims", ds, lambda: _claim_columns(tl))
    # each claim's row in ``changed`` (-1: its district did not change); the claims in (d1, d2]
    at = pd.Index(changed["id"]).get_indexer(districts)
    picked = np.flatnonzero((dates > t1.to_datetime64()) & (dates <= t2.to_datetime64()) & (at >= 0))
    # a left join: each changed district with each of its claims, or once with none
    bare = np.setdiff1d(np.arange(len(changed)), at[picked])
    left = changed.take(np.concatenate([at[picked], bare])).reset_index(drop=True)
    right = pd.concat([claims.take(picked), claims.iloc[:0].reindex(range(len(bare)))], ignore_index=True)
    out = pd.concat([left, right], axis=1)
    out = out.sort_values(["date", "id", "event_id"], kind="stable").reset_index(drop=True)
    return out[list(COMPARE_COLUMNS)]


def _claim_columns(tl: Timeline) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The claims' columns a comparison shows, their dates and their districts (kept per timeline)."""
    ev = tl.events
    claims = ev.assign(cites=ev["cites"] if "cites" in ev else "")[list(COMPARE_COLUMNS[10:])]
    return claims.reset_index(drop=True), ev["date"].to_numpy(), ev["district"].to_numpy(dtype=object)


def compare_csv(ds: Dataset, tl: Timeline, d1, d2) -> str:
    """:func:`compare` as CSV text (dates ISO, shares as fractions, blank when whole or unknown)."""
    table = compare(ds, tl, d1, d2)
    table["date"] = [v.date().isoformat() if pd.notna(v) else "" for v in table["date"]]
    return csv_text(table)
