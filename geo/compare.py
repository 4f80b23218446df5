"""Two days compared: the districts whose state differs, and the claims that made each change."""

from __future__ import annotations

import pandas as pd

from geo.load import Dataset
from geo.states import day_states
from geo.timeline import Timeline

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


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    a, b = a.astype(object), b.astype(object)
    return (a == b) | (a.isna() & b.isna())


def changed_districts(ds: Dataset, tl: Timeline, d1, d2) -> pd.DataFrame:
    """The districts whose state (word, share, holder or rest) on ``d2`` differs from ``d1``.

    Columns: id, name, name_ar, from_state, from_share, from_holder, to_state, to_share, to_holder,
    to_rest; one row per district, in district order.
    """
    # only a district whose deciding group differs can differ in state
    maybe = tl.codes(d1) != tl.codes(d2)
    a, b = day_states(ds, tl, d1, copy=False)[maybe], day_states(ds, tl, d2, copy=False)[maybe]
    same = pd.concat([_same(a[k], b[k]) for k in STATE_KEYS], axis=1).all(axis=1)
    a, b = a[~same], b[~same]
    return pd.DataFrame(
        {
            "id": a["id"].to_numpy(),
            "name": a["name"].to_numpy(),
            "name_ar": a["name_ar"].to_numpy(),
            "from_state": a["state"].to_numpy(),
            "from_share": a["share"].to_numpy(),
            "from_holder": a["holder"].to_numpy(),
            "to_state": b["state"].to_numpy(),
            "to_share": b["share"].to_numpy(),
            "to_holder": b["holder"].to_numpy(),
            "to_rest": b["rest"].to_numpy(),
        }
    )


def compare(ds: Dataset, tl: Timeline, d1, d2) -> pd.DataFrame:
    """What changed between ``d1`` and ``d2`` (``d1`` before ``d2``), one row per claim behind a change.

    For every district whose state differs (:func:`changed_districts`), every claim about it dated in
    (d1, d2], oldest first, with its source key: columns :data:`COMPARE_COLUMNS` (``date`` a
    Timestamp; ``controller``/``share`` are the claim's, ``cites`` the further sources relaying it, the
    ``from_``/``to_`` columns the states).
    Rival claims are separate rows; nothing is merged. Empty when nothing changed.
    """
    t1, t2 = pd.Timestamp(d1).normalize(), pd.Timestamp(d2).normalize()
    if t2 < t1:
        raise ValueError(f"the first day ({t1.date()}) must not be after the second ({t2.date()}).")
    changed = changed_districts(ds, tl, t1, t2)
    ev = tl.events
    claims = ev[(ev["date"] > t1) & (ev["date"] <= t2) & ev["district"].isin(changed["id"])]
    claims = claims.assign(cites=claims["cites"] if "cites" in claims else "")
    claims = claims[["district", *COMPARE_COLUMNS[10:]]]
    out = changed.merge(claims, left_on="id", right_on="district", how="left").drop(columns="district")
    out = out.sort_values(["date", "id", "event_id"], kind="stable").reset_index(drop=True)
    return out[list(COMPARE_COLUMNS)]


def compare_csv(ds: Dataset, tl: Timeline, d1, d2) -> str:
    """:func:`compare` as CSV text (dates ISO, shares as fractions, blank when whole or unknown)."""
    table = compare(ds, tl, d1, d2)
    table["date"] = [v.date().isoformat() if pd.notna(v) else "" for v in table["date"]]
    return table.to_csv(index=False, lineterminator="\n")
