"""A day's states and each district's states over time, as plain tables for exports and words.

One core function per view: :func:`day_states` (every district on one day) and
:func:`state_intervals` (every decided state of every district, from its date to the next).
Both read the timeline only; the claims behind each state travel with it, source keys included.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.constants import EDITOR_SOURCE
from geo.load import Dataset
from geo.timeline import CLAIM_COLUMNS, Timeline
from geo.vocabulary import state_of, states

DAY_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "name_ar",
    "state",
    "share",
    "holder",
    "rest",
    "disputed",
    "since",
    "basis",
    "sources",
    "claims",
)
INTERVAL_COLUMNS: tuple[str, ...] = (
    "district",
    "name",
    "name_ar",
    "valid_from",
    "valid_to",
    "state",
    "share",
    "holder",
    "rest",
    "disputed",
    "basis",
    "sources",
    "event_ids",
)


def basis_of(claims) -> str | None:
    """``inferred`` when every deciding claim is the editors' inference, ``sourced`` otherwise.

    Used only when the timeline does not decide the basis itself; None for a district with no claim.
    """
    claims = tuple(claims)
    if not claims:
        return None
    return "inferred" if all(is_inference(c) for c in claims) else "sourced"


def _with_none(frame: pd.DataFrame, columns=("holder", "rest", "basis")) -> pd.DataFrame:
    """Text columns that may be empty as object columns holding None (not NaN) where empty."""
    for col in columns:
        values = frame[col].to_numpy(dtype=object, na_value=None)
        frame[col] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def day_states(ds: Dataset, tl: Timeline, day, *, copy: bool = True) -> pd.DataFrame:
    """Every district's state on ``day``, one row each, in district order.

    Columns (:data:`DAY_COLUMNS`): id, name, name_ar, state (a side, split,
    disputed, unknown), share (the holder's part, 1.0 for a whole district, NaN when unknown), holder,
    rest, disputed, since (Timestamp or NaT), basis (sourced, inferred, or None when unknown), sources
    (tuple of source keys), claims (tuple of dicts: event_id, date, controller, share, source,
    claimant, precision, place, note).
    """
    i = tl.day_index(day)
    kept = tl.kept(f"day_states {i}", ds, lambda: _day_states(ds, tl, i))  # once per day and data set
    # the caller's own copy, unless it only reads (``copy=False``): the kept one never changes
    return kept.copy() if copy else kept


def _day_states(ds: Dataset, tl: Timeline, i: int) -> pd.DataFrame:
    state = tl.control_on(tl.days[i])
    names = ds.districts.set_index("id").reindex(state.index)
    if "basis" in state.columns:
        basis = state["basis"].where(state["basis"].notna(), None).to_numpy(dtype=object)
    else:
        basis = np.array([basis_of(c) for c in state["claims"]], dtype=object)
    out = pd.DataFrame(
        {
            "id": state.index.to_numpy(dtype=object),
            "name": names["name"].to_numpy(dtype=object),
            "name_ar": names["name_ar"].to_numpy(dtype=object),
            "state": states(state).to_numpy(dtype=object),
            "share": state["share"].to_numpy(dtype=float),
            "holder": state["holder"].to_numpy(dtype=object),
            "rest": state["rest"].to_numpy(dtype=object),
            "disputed": state["disputed"].to_numpy(dtype=bool),
            "since": pd.to_datetime(state["since"]).to_numpy(),
            "basis": basis,
            "sources": list(state["sources"]),
            "claims": list(state["claims"]),
        }
    )
    return _with_none(out)


def group_basis(tl: Timeline) -> pd.Series:
    """Basis of every group of the timeline (by group id)."""
    if "basis" in tl.groups.columns:
        return tl.groups["basis"]
    inferred = (tl.events["precision"].eq("inferred") | tl.events["source"].eq(EDITOR_SOURCE)).to_numpy()
    starts, ends = tl.groups["start"].to_numpy(), tl.groups["end"].to_numpy()
    out = [("inferred" if inferred[a:b].all() else "sourced") for a, b in zip(starts, ends, strict=True)]
    return pd.Series(out, index=tl.groups.index, dtype=object)


def state_intervals(ds: Dataset, tl: Timeline) -> pd.DataFrame:
    """Every decided state of every district as a half-open interval [valid_from, valid_to).

    One row per group of the timeline (a district and a date with rows). ``valid_to`` is the date of
    the district's next group, NaT while the state still holds at the end of the record. Columns
    (:data:`INTERVAL_COLUMNS`) plus ``claims`` (tuple of dicts, as in :func:`day_states`).
    """
    g = tl.groups
    if g.empty:
        return pd.DataFrame(columns=[*INTERVAL_COLUMNS, "claims"])
    records = claim_records(tl)
    claims = [tuple(records[a:b]) for a, b in zip(g["start"], g["end"], strict=True)]
    names = ds.districts.set_index("id").reindex(g["district"])
    nxt = g["date"].shift(-1).where(g["district"].eq(g["district"].shift(-1)))
    out = pd.DataFrame(
        {
            "district": g["district"].to_numpy(dtype=object),
            "name": names["name"].to_numpy(dtype=object),
            "name_ar": names["name_ar"].to_numpy(dtype=object),
            "valid_from": pd.to_datetime(g["date"]).to_numpy(),
            "valid_to": pd.to_datetime(nxt).to_numpy(),
            "state": [state_of(c, d) for c, d in zip(g["controller"], g["disputed"], strict=True)],
            "share": g["share"].to_numpy(dtype=float),
            "holder": g["holder"].to_numpy(dtype=object),
            "rest": g["rest"].where(g["rest"].notna(), None).to_numpy(dtype=object),
            "disputed": g["disputed"].to_numpy(dtype=bool),
            "basis": group_basis(tl).to_numpy(dtype=object),
            "sources": [tuple(dict.fromkeys(k for c in cl for k in claim_keys(c))) for cl in claims],
            "event_ids": [tuple(c["event_id"] for c in cl) for cl in claims],
            "claims": claims,
        }
    )
    return _with_none(out)


def claim_records(tl: Timeline) -> list[dict]:
    """Every row of the timeline as a claim dict (in the timeline's row order, as ``start:end`` index it),
    with ``cites`` and ``claim_kind`` when the record has them."""
    cols = list(dict.fromkeys([*CLAIM_COLUMNS, *(c for c in ("cites", "claim_kind") if c in tl.events)]))
    return tl.events[cols].to_dict("records")


def claim_keys(claim: dict) -> tuple[str, ...]:
    """Every source key behind a claim: its source, then the sources listed in ``cites`` (``;``-separated)."""
    cites = claim.get("cites") or ""
    return tuple(dict.fromkeys([claim["source"], *(k.strip() for k in str(cites).split(";") if k.strip())]))


def is_inference(claim: dict) -> bool:
    """A claim the editors inferred: precision ``inferred`` or the editors' own source key."""
    return claim.get("precision") == "inferred" or claim["source"] == EDITOR_SOURCE


def claim_text(claim: dict) -> str:
    """One claim as a line of text: ``E6 alpha: government 33% (day)``; relaying sources after ``+``,
    the claimant in brackets."""
    by = "+".join(claim_keys(claim)) + (f" ({claim['claimant']})" if claim.get("claimant") else "")
    share = claim.get("share")
    part = "" if share is None or pd.isna(share) else f" {round(float(share) * 100)}%"
    return f"{claim['event_id']} {by}: {claim['controller']}{part} ({claim.get('precision') or 'unstated'})"
