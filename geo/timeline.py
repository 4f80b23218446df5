"""The control timeline: the state of every district on every day, computed once, vectorised.

Semantics (DESIGN.md, refined here):

- The rows of a district dated on its latest date <= D decide its state on D (a *group*).
- One controller, every row for the whole district -> that controller, share 1.
- Otherwise -> ``contested``. The *holder* is the side the claims put into the district
  (the first claimed controller that differs from the district's previous dominant
  controller, smallest share first); ``share`` is the part it holds; the *rest* is the
  other claimed controller or, when no row names one, the previous dominant controller.
- ``disputed`` is true when two sources (or two claimants quoted by a source) make different
  claims for that district and day. A disputed day does not settle who holds the district: the
  previous dominant controller is carried on for the next partial claim.
- A district with no row on or before D is ``unknown``.

Claims weighed as the sources weigh them (``claim_kind``, ``claimant``). Every group is also decided
a second time from its *weighed* rows only: the rows of the group's best rank, where a row ranks

  0. a district-level report in a document's own voice,
  1. a city-wide statement in a document's own voice (names no district; applied to each it covers),
  2. the editors' inference (precision ``inferred`` or the editors' source key),
  3. a district-level claim by a party the source quotes (``claimant``),
  4. a city-wide claim by a quoted party,
  5. an announced or imminent claim (``*-announced``), whoever makes it.

The map state (``control_on``) keeps every claim and shows a day disputed when they differ; the weighed
state (``weighed_on``) is what areas count, so a single city-wide or announced claim makes the pocket
disputed on the map without emptying it in the figures (``geo.areas`` lists it as a disputed band).

``basis`` of a group is ``inferred`` when every weighed row is an inference (precision ``inferred`` or
the editors' source key), else ``sourced``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo.constants import CONTESTED, DEFAULT_CLAIM_KIND, EDITOR_SOURCE, UNKNOWN

STATE_COLUMNS = ("controller", "share", "holder", "rest", "disputed", "since", "basis")
CLAIM_COLUMNS = (
    "event_id",
    "date",
    "controller",
    "share",
    "source",
    "cites",
    "claimant",
    "claim_kind",
    "precision",
    "place",
    "note",
)
#: Columns of a decided state that the weighed decision repeats under a ``w_`` prefix in ``groups``.
WEIGHED_COLUMNS = ("controller", "share", "holder", "rest", "disputed")


def claim_rank(events: pd.DataFrame) -> pd.Series:
    """Rank of each row as evidence (0 = strongest), from ``claim_kind``, ``claimant`` and the basis."""
    kind = events["claim_kind"]
    citywide = kind.isin(("citywide", "citywide-announced")).to_numpy()
    quoted = events["claimant"].ne("").to_numpy()
    rank = np.where(quoted, 3 + citywide, citywide.astype(int))
    rank = np.where(~quoted & is_inference(events).to_numpy(), 2, rank)
    rank = np.where(kind.isin(("district-announced", "citywide-announced")).to_numpy(), 5, rank)
    return pd.Series(rank, index=events.index)


def is_inference(events: pd.DataFrame) -> pd.Series:
    """Rows that rest on the editors' inference: precision ``inferred`` or the editors' source key."""
    return events["precision"].eq("inferred") | events["source"].eq(EDITOR_SOURCE)


def as_day(day) -> pd.Timestamp:
    """The calendar day of ``day`` (a date, a string, a timestamp; one with a time zone is the day
    its own clock shows)."""
    ts = pd.Timestamp(day)
    return (ts.tz_localize(None) if ts.tzinfo is not None else ts).normalize()


def decide_groups(ev: pd.DataFrame) -> pd.DataFrame:
    """Decide the state of each (district, date) group of ``ev``.

    ``ev`` must be sorted by district, date and carry an integer column ``g`` numbering the
    groups 0..n-1 in that order. Returns one row per group, indexed by ``g``.
    """
    ev = ev.assign(s1=ev["share"].fillna(1.0).round(6))
    by_g = ev.groupby("g", sort=True)
    groups = by_g.agg(
        district=("district", "first"),
        date=("date", "first"),
        n_ctrl=("controller", "nunique"),
        min_s=("s1", "min"),
        first_ctrl=("controller", "first"),
        start=("row", "min"),
        end=("row", "max"),
    )
    groups["end"] += 1
    # disputed: sources whose claim sets differ (order-free hash of (controller, share))
    h = pd.util.hash_pandas_object(ev[["controller", "s1"]], index=False).to_numpy()
    sig = pd.DataFrame({"g": ev["g"].to_numpy(), "by": ev["claim_by"].to_numpy(), "h": h})
    sig = sig.groupby(["g", "by"], sort=False)["h"].agg(["sum", "count"]).reset_index()
    groups["disputed"] = sig.groupby("g")[["sum", "count"]].nunique().max(axis=1).gt(1)
    # dominant controller: the largest claimed part, unless the unclaimed remainder (which stays
    # with the previous dominant controller) is at least as large; then it is inherited.
    per_ctrl = ev.groupby(["g", "controller"], sort=False)["s1"].max().reset_index()
    top = per_ctrl.sort_values(["g", "s1", "controller"], ascending=[True, False, True])
    top = top.drop_duplicates("g").set_index("g")
    claimed = ev.groupby(["g", "claim_by"], sort=False)["s1"].sum().groupby("g").max()
    own = top["controller"].where((top["s1"] > 1.0 - claimed.clip(upper=1.0)) & ~groups["disputed"])
    groups["dominant"] = own.groupby(groups["district"]).ffill()
    # previous dominant controller in the same district
    prev = groups["dominant"].shift(1)
    same = groups["district"].eq(groups["district"].shift(1))
    groups["prev"] = prev.where(same)
    # holder: first claim whose controller differs from prev (smallest share first)
    ev = ev.merge(groups[["prev"]], left_on="g", right_index=True, how="left")
    cand = ev[ev["controller"].ne(ev["prev"])].sort_values(["g", "s1", "controller"])
    first = cand.drop_duplicates("g").set_index("g")
    groups["holder"] = first["controller"].reindex(groups.index).fillna(groups["first_ctrl"])
    groups["holder_share"] = first["s1"].reindex(groups.index)
    own = ev.merge(groups[["holder"]], left_on="g", right_index=True)
    hs = own[own["controller"].eq(own["holder"])].groupby("g")["s1"].min()
    groups["holder_share"] = groups["holder_share"].fillna(hs)
    # rest: another claimed controller, else the previous dominant one
    others = own[own["controller"].ne(own["holder"])].sort_values(
        ["g", "s1", "controller"], ascending=[True, False, True]
    )
    groups["rest"] = others.drop_duplicates("g").set_index("g")["controller"].reindex(groups.index)
    groups["rest"] = groups["rest"].fillna(groups["prev"])
    groups.loc[groups["rest"].eq(groups["holder"]), "rest"] = None
    whole = groups["n_ctrl"].eq(1) & groups["min_s"].ge(1.0) & groups["first_ctrl"].ne("contested")
    groups["controller"] = np.where(whole & ~groups["disputed"], groups["first_ctrl"], "contested")
    groups["share"] = np.where(groups["controller"].ne("contested"), 1.0, groups["holder_share"])
    groups.loc[groups["controller"].ne("contested"), "rest"] = None
    return groups


def decide_weighed(ev: pd.DataFrame) -> pd.DataFrame:
    """:func:`decide_groups` of ``ev``, plus the weighed decision and the basis of each group.

    Adds, indexed by ``g``: ``w_controller, w_share, w_holder, w_rest, w_disputed`` decided from the
    rows of the group's best :func:`claim_rank`, and ``basis`` (``inferred`` when every one of those
    rows is an inference, else ``sourced``). The districts where some row is set aside are decided a
    second time in the same pass (as copies under another key); elsewhere the weighed decision is
    the plain one.
    """
    rank = claim_rank(ev)
    best = rank.eq(rank.groupby(ev["g"]).transform("min")).to_numpy()
    redo = ev["district"].isin(ev.loc[~best, "district"].unique()).to_numpy()
    n = int(ev["g"].max()) + 1 if len(ev) else 0
    copies = ev[best & redo].assign(district=lambda f: "\0" + f["district"], g=lambda f: f["g"] + n)
    both = decide_groups(pd.concat([ev, copies], ignore_index=True) if len(copies) else ev)
    groups = both.loc[both.index < n].copy()
    weighed = groups[list(WEIGHED_COLUMNS)].copy()
    again = both.loc[both.index >= n, list(WEIGHED_COLUMNS)]
    for col in WEIGHED_COLUMNS:
        weighed.loc[again.index - n, col] = again[col].to_numpy()
    groups = groups.join(weighed.add_prefix("w_"))
    all_inferred = pd.Series(is_inference(ev).to_numpy() | ~best).groupby(ev["g"].to_numpy()).all()
    groups["basis"] = np.where(all_inferred.reindex(groups.index).to_numpy(), "inferred", "sourced")
    return groups


@dataclass(frozen=True)
class GroupState:
    """One decided state of one district, from ``since`` until the district's next group.

    The record the map's payload (``layers.payload``) and the exports read, so a state means the
    same in both.
    """

    district: str
    controller: str
    share: float | None
    holder: str | None
    rest: str | None
    disputed: bool
    since: dt.date
    claims: tuple[dict, ...]
    #: ``sourced`` or ``inferred``: what the weighed rows deciding this state rest on.
    basis: str = "sourced"
    #: The side the weighed rows give the whole district (what areas count), when they give one:
    #: for a disputed state, the account the map shows under the dispute's hatching.
    narrative: str | None = None


def _keys(text: str) -> tuple[str, ...]:
    """Source keys of a ``;``-separated ``cites`` cell."""
    return tuple(k for k in str(text or "").split(";") if k)


def _opt(value):
    """None for NaN/None/NA, else the value."""
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


@dataclass
class Timeline:
    """State of every district on every day (``grid[day, district]`` = group id, -1 = unknown)."""

    days: pd.DatetimeIndex
    district_ids: pd.Index
    grid: np.ndarray
    groups: pd.DataFrame
    events: pd.DataFrame
    #: The sides, in the settings' order (a controller that is neither a side nor unknown is split).
    sides: tuple[str, ...] = ()
    _cache: dict = field(default_factory=dict, repr=False)

    def day_index(self, day) -> int:
        """Row of ``day`` in the grid; ValueError naming the valid range when outside it."""
        ts = as_day(day)
        i = (ts - self.days[0]).days if len(self.days) else -1  # the days run one a day: a subtraction
        if not (0 <= i < len(self.days) and self.days[i] == ts):
            i = self.days.get_indexer([ts])[0]
        if i < 0:
            raise ValueError(
                f"date {ts.date()} is outside the record ({self.days[0].date()} to {self.days[-1].date()})."
            )
        return int(i)

    def kept(self, name: str, owner: object, make: Callable[[], Any]) -> Any:
        """``make()``, computed once for this timeline and ``owner`` (e.g. the data set it was built
        from) and kept; a different owner computes it anew. Callers must not change what it returns."""
        kept = self._cache.get(("kept", name))
        if kept is None or kept[0] is not owner:
            kept = self._cache[("kept", name)] = (owner, make())
        return kept[1]

    def codes(self, day) -> np.ndarray:
        """Group id of every district on ``day`` (-1 = unknown): the fast path."""
        return self.grid[self.day_index(day)]

    def control_on(self, day) -> pd.DataFrame:
        """State of every district on ``day``, indexed by district id.

        Columns: controller, share, holder, rest, disputed, since, basis (``sourced`` | ``inferred``,
        None when unknown), sources (tuple of keys, citations included), claims (tuple of dicts, one
        per deciding row: every column of ``CLAIM_COLUMNS``).
        """
        i = self.day_index(day)
        if i not in self._cache:
            self._cache[i] = self._state(self.grid[i])
        return self._cache[i]

    def weighed_on(self, day) -> pd.DataFrame:
        """State of every district on ``day`` decided from the weighed rows only (see module docs).

        Same index and columns as :meth:`control_on`; ``disputed`` is true only where rows of the same
        best rank differ (e.g. two sources' own reports). This is the state areas count.
        """
        i = self.day_index(day)
        key = ("weighed", i)
        if key not in self._cache:
            self._cache[key] = self._state(self.grid[i], prefix="w_")
        return self._cache[key]

    def _columns(self, prefix: str = "") -> dict[str, np.ndarray]:
        key = "columns" + prefix
        if key not in self._cache:
            g = self.groups
            self._cache[key] = {
                "controller": g[prefix + "controller"].to_numpy(dtype=object),
                "share": g[prefix + "share"].to_numpy(dtype=float),
                "holder": g[prefix + "holder"].to_numpy(dtype=object),
                "rest": g[prefix + "rest"].to_numpy(dtype=object),
                "disputed": g[prefix + "disputed"].to_numpy(dtype=bool),
                "since": g["date"].to_numpy(dtype="datetime64[ns]"),
                "basis": g["basis"].to_numpy(dtype=object),
                "start": g["start"].to_numpy(),
                "end": g["end"].to_numpy(),
            }
        return self._cache[key]

    def _state(self, gids: np.ndarray, prefix: str = "") -> pd.DataFrame:
        known = gids >= 0
        idx = gids[known]
        cols = self._columns(prefix)
        n = len(gids)
        data: dict[str, np.ndarray] = {
            "controller": np.full(n, UNKNOWN, dtype=object),
            "share": np.full(n, np.nan),
            "holder": np.full(n, None, dtype=object),
            "rest": np.full(n, None, dtype=object),
            "disputed": np.zeros(n, dtype=bool),
            "since": np.full(n, np.datetime64("NaT"), "datetime64[ns]"),
            "basis": np.full(n, None, dtype=object),
        }
        for key, arr in data.items():
            arr[known] = cols[key][idx]
        records = self._records()
        starts, ends = cols["start"], cols["end"]
        claims: list[tuple[dict, ...]] = [()] * n
        for pos, gid in zip(np.flatnonzero(known), idx, strict=True):
            claims[pos] = tuple(records[starts[gid] : ends[gid]])
        out = pd.DataFrame(
            {
                k: pd.Series(v, index=self.district_ids, dtype=object if v.dtype == object else None)
                for k, v in data.items()
            }
        )
        out["sources"] = [
            tuple(
                dict.fromkeys(
                    k for c in cl for k in ((c["source"], *_keys(c["cites"])) if c["cites"] else (c["source"],))
                )
            )
            for cl in claims
        ]
        out["claims"] = claims
        return out

    def group_states(self) -> list[GroupState]:
        """Every group as a :class:`GroupState`; the list index is the group id used in ``grid``."""
        if "states" not in self._cache:
            records = self._records()
            cols = [
                "district",
                "controller",
                "share",
                "holder",
                "rest",
                "disputed",
                "date",
                "start",
                "end",
                "basis",
                "w_controller",
                "w_disputed",
            ]
            self._cache["states"] = [
                GroupState(
                    str(d),
                    str(c),
                    None if _opt(sh) is None else float(sh),
                    _opt(h),
                    _opt(r),
                    bool(disp),
                    pd.Timestamp(day).date(),
                    tuple(records[int(a) : int(b)]),
                    str(basis),
                    _opt(wc) if _opt(wc) in self.sides and not wd else None,
                )
                for d, c, sh, h, r, disp, day, a, b, basis, wc, wd in self.groups[cols].itertuples(
                    index=False, name=None
                )
            ]
        return self._cache["states"]

    def _records(self) -> list[dict]:
        if "records" not in self._cache:
            self._cache["records"] = self.events[list(CLAIM_COLUMNS)].to_dict("records")
        return self._cache["records"]


def build_timeline(
    district_ids,
    events: pd.DataFrame,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    sides: tuple[str, ...] | None = None,
) -> Timeline:
    """Compute the timeline for ``district_ids`` from ``events`` (typed frame from geo.load).

    Days run from ``start`` (the settings' ``first``; default the first event) to ``end`` (the
    settings' ``last``, or the last event if later). Rows dated before ``start`` give the start
    state. ``sides``: the settings' side ids (default: every controller the events name).
    """
    ids = pd.Index([str(i) for i in district_ids])
    ev = events[events["district"].isin(ids)].copy()
    for col in ("place", "claimant", "claim_kind", "cites"):
        ev[col] = ev[col].fillna("").astype(str) if col in ev else ""
    ev["claim_kind"] = ev["claim_kind"].where(ev["claim_kind"].ne(""), DEFAULT_CLAIM_KIND)
    ev["claim_by"] = ev["source"].where(ev["claimant"].eq(""), ev["source"] + ": " + ev["claimant"])
    last = ev["date"].max() if len(ev) else pd.NaT
    first = ev["date"].min() if len(ev) else pd.NaT
    start_ts = as_day(start) if start else (first if pd.notna(first) else pd.Timestamp.today().normalize())
    end_ts = as_day(end) if end else max(start_ts, last if pd.notna(last) else start_ts)
    if sides is None:
        sides = tuple(c for c in dict.fromkeys(ev["controller"]) if c not in (CONTESTED, UNKNOWN))
    days = pd.date_range(start_ts, end_ts, freq="D")
    ev = ev.sort_values(["district", "date", "source", "controller", "share", "event_id"], kind="stable").reset_index(
        drop=True
    )
    ev["row"] = np.arange(len(ev))
    new_group = ev["district"].ne(ev["district"].shift()) | ev["date"].ne(ev["date"].shift())
    ev["g"] = np.cumsum(new_group.to_numpy()) - 1
    grid = np.full((len(days), len(ids)), -1, dtype=np.int64)
    if len(ev):
        groups = decide_weighed(ev)
        pos = days.searchsorted(pd.DatetimeIndex(groups["date"]), side="left")
        col = ids.get_indexer(groups["district"])
        keep = pos < len(days)
        np.maximum.at(grid, (pos[keep], col[keep]), groups.index.to_numpy()[keep])
        grid = np.maximum.accumulate(grid, axis=0)
    else:
        groups = pd.DataFrame(
            columns=[
                "district",
                "date",
                "controller",
                "share",
                "holder",
                "rest",
                "disputed",
                "start",
                "end",
                "basis",
                *("w_" + c for c in WEIGHED_COLUMNS),
            ]
        )
    return Timeline(days, ids, grid, groups, ev, tuple(sides))


def timeline_for(ds) -> Timeline:
    """The timeline of a :class:`geo.load.Dataset` over its settings' span (to the last event if later),
    with its sides: the one way the CLI, the app and the snapshot build it."""
    s = ds.settings
    last = ds.events["date"].max() if len(ds.events) else pd.NaT
    end = max(as_day(s.last), last) if s.last and pd.notna(last) else s.last
    return build_timeline(ds.districts["id"], ds.events, start=s.first, end=end, sides=s.side_ids)
