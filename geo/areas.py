"""Area held by each side on a day, as a range (sourced only … with inferred), and disputed ground.

The sources give a side's progress as a share of what another side held on the first day ("60 % of
the formerly rebel-held part"; that side is the settings' ``yardstick``) or as the size of the last
pocket ("about 3.5 km²"). The record answers both from
the *weighed* state of each district (:meth:`geo.timeline.Timeline.weighed_on`), in two views:

- **with inferred**: every district, including the polygons only the editors place (start states
  inferred from geography, districts no source names);
- **sourced only**: the ground the sources name, i.e. districts with at least one district-level row
  that cites a document (:func:`named_districts`); the polygons only the editors place are left out
  of both the area and the yardstick (the yardstick side's start area).

A district the map shows *disputed* (sources disagree) is counted for the side its weighed rows give
(the narrative), never dropped to a silent zero; its whole area is also listed in the disputed band
(:func:`disputed_band`) with who claims what.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.constants import EDITOR_SOURCE, UNKNOWN
from geo.timeline import Timeline, claim_rank, is_inference

#: Rows of an area table after the sides: ground the weighed rows cannot give to a side, no row.
OTHER_BUCKETS: tuple[str, ...] = ("disputed", UNKNOWN)
AREA_COLUMNS: tuple[str, ...] = (
    "controller",
    "km2",
    "km2_sourced",
    "km2_in_dispute",
    "km2_inferred_state",
    "percent",
    "gained_km2",
    "gained_km2_sourced",
    "of_opposition_at_start",
    "of_opposition_at_start_sourced",
)


def named_districts(events: pd.DataFrame) -> pd.Index:
    """Districts a document reports on by name: at least one district-level row that is not an inference.

    City-wide statements ("the army holds the whole city") name no district, so they do not count.
    """
    rank = claim_rank(events.assign(claimant=""))  # rank 0 = district-level, achieved
    named = events[rank.eq(0) & ~is_inference(events) & events["source"].ne(EDITOR_SOURCE)]
    return pd.Index(sorted(set(named["district"])))


def buckets(sides: tuple[str, ...]) -> tuple[str, ...]:
    """Rows of an area table: the sides, then :data:`OTHER_BUCKETS`."""
    return (*sides, *OTHER_BUCKETS)


def side_shares(state: pd.DataFrame, sides: tuple[str, ...]) -> pd.DataFrame:
    """Part of each district held by each bucket (:func:`buckets` of ``sides``; rows sum to 1).

    ``state`` has the columns of ``Timeline.control_on``/``weighed_on``. A whole district goes to its
    side; a split one is apportioned (``share`` to the holder, the rest to ``rest``, or to ``unknown``
    when no side is known for it); a disputed one, or a row with no side, goes to ``disputed``.
    """
    out = pd.DataFrame(0.0, index=state.index, columns=list(buckets(sides)))
    ctrl = state["controller"].astype(object)
    disputed = state["disputed"].astype(bool)
    share = state["share"].astype(float).fillna(1.0)
    whole = ctrl.isin(sides) & ~disputed
    unknown = ctrl.eq(UNKNOWN)
    for side in sides:
        out.loc[whole & ctrl.eq(side), side] = 1.0
    out.loc[unknown, UNKNOWN] = 1.0
    split = ~whole & ~unknown & ~disputed & state["holder"].isin(sides)
    for side in sides:
        out[side] += np.where(split & state["holder"].eq(side), share, 0.0)
        out[side] += np.where(split & state["rest"].eq(side), 1.0 - share, 0.0)
    out.loc[split & ~state["rest"].isin(sides), UNKNOWN] += 1.0 - share
    out.loc[~whole & ~unknown & ~split, "disputed"] = 1.0
    return out


def area_ranges(
    weighed: pd.DataFrame,
    start: pd.DataFrame,
    areas_km2: pd.Series,
    *,
    named: pd.Index,
    sides: tuple[str, ...],
    yardstick: str | None = None,
    disputed: pd.Series | None = None,
) -> pd.DataFrame:
    """Area of each bucket on a day, with inferred and sourced only, and gains since the start.

    Parameters
    ----------
    weighed
        The day's weighed state (``Timeline.weighed_on(day)``).
    start
        The weighed state on the first day (the yardstick: what the ``yardstick`` side held).
    areas_km2
        Area of each district (``geo.spatial.district_areas_km2``).
    named
        Districts the sources name (:func:`named_districts`): the sourced-only ground.
    sides
        The sides, in the settings' order.
    yardstick
        The side whose first-day area the percentages measure (default: the first side).
    disputed
        Boolean per district: the map shows it disputed that day (``control_on(day)["disputed"]``).

    Returns
    -------
    pandas.DataFrame
        One row per bucket (each side, disputed, unknown) with columns

        - ``km2``: area held, with inferred ground;
        - ``km2_sourced``: area held on the ground the sources name;
        - ``km2_in_dispute``: the part of ``km2`` in districts the map shows disputed (that ground is
          also in :func:`disputed_band`);
        - ``km2_inferred_state``: the part of ``km2`` in states whose basis is ``inferred`` that day
          (the map's lighter states);
        - ``percent``: share of the mapped area (with inferred);
        - ``gained_km2`` / ``gained_km2_sourced``: area the bucket holds beyond its start share,
          district by district (each side's gains apart);
        - ``of_opposition_at_start`` / ``..._sourced``: per cent of the yardstick side's start area
          (on all ground / on named ground): held, for the yardstick side and disputed; gained, for
          the other sides. NaN for unknown.
    """
    area = areas_km2.reindex(weighed.index).astype(float).fillna(0.0).to_numpy()
    now = side_shares(weighed, sides).to_numpy()[None]
    then = side_shares(start.reindex(weighed.index), sides).to_numpy()
    in_dispute = (
        np.zeros(len(weighed), dtype=bool)
        if disputed is None
        else (disputed.reindex(weighed.index).fillna(False).to_numpy(dtype=bool))
    )
    inferred = weighed["basis"].eq("inferred").to_numpy() if "basis" in weighed else np.zeros(len(weighed), bool)
    return _tables(
        now, then, area, weighed.index.isin(named), in_dispute[None], inferred[None], sides=sides, yardstick=yardstick
    )


def _tables(
    now: np.ndarray,
    then: np.ndarray,
    area: np.ndarray,
    on_named: np.ndarray,
    in_dispute: np.ndarray,
    inferred: np.ndarray,
    *,
    sides: tuple[str, ...],
    yardstick: str | None,
) -> pd.DataFrame:
    """The area table of each day: ``now`` (days, districts, buckets) shares, ``then`` the start's."""
    held = now * area[None, :, None]
    gained = np.clip(now - then[None], 0.0, None) * area[None, :, None]
    rows = buckets(sides)
    yi = rows.index(yardstick) if yardstick in sides else 0
    yard = (then[:, yi] * area).sum()
    yard_named = (then[on_named, yi] * area[on_named]).sum()
    km2, km2_sourced = held.sum(axis=1), held[:, on_named].sum(axis=1)
    cols = {
        "controller": np.tile(np.array(rows, dtype=object), len(now)),
        "km2": km2.ravel(),
        "km2_sourced": km2_sourced.ravel(),
        "km2_in_dispute": (held * in_dispute[..., None]).sum(axis=1).ravel(),
        "km2_inferred_state": (held * inferred[..., None]).sum(axis=1).ravel(),
        "gained_km2": gained.sum(axis=1).ravel(),
        "gained_km2_sourced": gained[:, on_named].sum(axis=1).ravel(),
    }
    out = pd.DataFrame(cols)
    total = np.repeat(km2.sum(axis=1), len(rows))
    out["percent"] = np.divide(out["km2"].to_numpy() * 100, total, out=np.zeros(len(out)), where=total > 0)
    taker = out["controller"].isin([s for s in sides if s != rows[yi]])
    side = out["controller"].isin(sides)
    out[["gained_km2", "gained_km2_sourced"]] = out[["gained_km2", "gained_km2_sourced"]].where(side)
    for col, base, km2_col, gain in (
        ("of_opposition_at_start", yard, "km2", "gained_km2"),
        ("of_opposition_at_start_sourced", yard_named, "km2_sourced", "gained_km2_sourced"),
    ):
        value = out[gain].where(taker, out[km2_col]) / base * 100 if base else pd.Series(np.nan, index=out.index)
        out[col] = value.where(out["controller"].ne(UNKNOWN))
    return out[list(AREA_COLUMNS)]


def _claim_text(claim: dict) -> str:
    who = "+".join([claim["source"], *[k for k in str(claim.get("cites") or "").split(";") if k]])
    if claim.get("claimant"):
        who += f" ({claim['claimant']})"
    share = claim.get("share")
    part = "" if share is None or pd.isna(share) or share >= 1 else f" {share:.2f}"
    kind = claim.get("claim_kind") or "district"
    tag = "" if kind == "district" else f" [{kind}]"
    return f"{claim['controller']}{part} per {who}{tag}"


def disputed_band(state: pd.DataFrame, areas_km2: pd.Series) -> pd.DataFrame:
    """Ground the map shows disputed on a day, grouped by the claims made about it.

    ``state`` is ``Timeline.control_on(day)``. Returns one row per distinct set of claims with columns
    ``claims`` (text: "red per one-source; blue per another+a-third (…)"), ``km2``
    (whole districts), ``districts`` (tuple of ids) and ``sides`` (tuple of the controllers claimed).
    Empty (same columns) when nothing is disputed.
    """
    rows = state[state["disputed"].astype(bool)]
    groups: dict[str, dict] = {}
    for did, claims in rows["claims"].items():
        text = "; ".join(sorted(dict.fromkeys(_claim_text(c) for c in claims)))
        entry = groups.setdefault(text, {"claims": text, "km2": 0.0, "districts": (), "sides": ()})
        entry["km2"] += float(areas_km2.get(did, 0.0))
        entry["districts"] += (did,)
        entry["sides"] = tuple(dict.fromkeys([*entry["sides"], *(c["controller"] for c in claims)]))
    out = pd.DataFrame(list(groups.values()), columns=["claims", "km2", "districts", "sides"])
    return out.sort_values("km2", ascending=False, kind="stable").reset_index(drop=True)


def areas_on(
    tl: Timeline, areas_km2: pd.Series, day, *, yardstick: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The area table (:func:`area_ranges`) and the disputed band (:func:`disputed_band`) on ``day``;
    the sides are the timeline's, ``yardstick`` the settings' (default: the first side)."""
    state = tl.control_on(day)
    table = area_ranges(
        tl.weighed_on(day),
        tl.weighed_on(tl.days[0]),
        areas_km2,
        named=named_districts(tl.events),
        sides=tl.sides,
        yardstick=yardstick,
        disputed=state["disputed"],
    )
    return table, disputed_band(state, areas_km2)


def area_series(tl: Timeline, areas_km2: pd.Series, *, yardstick: str | None = None) -> pd.DataFrame:
    """:func:`area_ranges` for every day of the timeline, long form with a ``date`` column (for charts).

    Vectorised: each decided group's shares are computed once and looked up through the day grid.
    """
    groups = tl.groups
    weighed = pd.DataFrame(
        {c: groups["w_" + c].to_numpy() for c in ("controller", "share", "holder", "rest", "disputed")}
    )
    unknown = pd.DataFrame(
        {"controller": [UNKNOWN], "share": [np.nan], "holder": [None], "rest": [None], "disputed": [False]}
    )
    shares = side_shares(pd.concat([weighed, unknown], ignore_index=True), tl.sides).to_numpy()  # row -1: unknown
    disputed = np.append(groups["disputed"].to_numpy(dtype=bool), False)
    inferred = np.append(groups["basis"].eq("inferred").to_numpy(), False)
    now = shares[tl.grid]
    area = areas_km2.reindex(tl.district_ids).astype(float).fillna(0.0).to_numpy()
    out = _tables(
        now,
        now[0],
        area,
        tl.district_ids.isin(named_districts(tl.events)),
        disputed[tl.grid],
        inferred[tl.grid],
        sides=tl.sides,
        yardstick=yardstick,
    )
    out.insert(0, "date", np.repeat(tl.days.to_numpy(), len(buckets(tl.sides))))
    return out
