"""Areas held, districts that changed hands, and the front line, from a day's state."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.constants import CONTESTED, UNKNOWN
from geo.vocabulary import states

if TYPE_CHECKING:
    from geo.timeline import Timeline

#: Districts closer than this (metres) are neighbours even with a street-wide gap between them.
NEIGHBOUR_TOLERANCE_M = 15.0
#: Shared boundaries shorter than this (metres) are corner contacts, not a common edge.
MIN_SHARED_M = 4 * NEIGHBOUR_TOLERANCE_M


def metric_crs(districts: gpd.GeoDataFrame, crs: str | None = None) -> str:
    """``crs`` when given (the settings'), else the UTM zone the districts lie in."""
    return crs or districts.estimate_utm_crs().to_string()


def district_areas_km2(districts: gpd.GeoDataFrame, *, crs: str | None = None) -> pd.Series:
    """Area of each district in km², computed in the metric ``crs`` (the settings'; default the
    districts' UTM zone), indexed by id."""
    metric = districts.to_crs(metric_crs(districts, crs))
    return pd.Series(metric.area.to_numpy() / 1e6, index=districts["id"].to_numpy())


def areas_by_controller(state: pd.DataFrame, areas_km2: pd.Series, *, sides: tuple[str, ...]) -> pd.DataFrame:
    """Area held by each side on a day (km²), from one day's state as given.

    The figures readers see come from ``geo.areas`` (weighed states, sourced only … with inferred,
    disputed ground apart); this is the plain sum of a state, kept for callers that need exactly that.

    A district split by a share is apportioned: ``share`` of its area to the holder, the rest to
    the ``rest`` side. A disputed district (sources disagree), an explicit ``contested`` row with
    no sides, or a split whose rest is unknown counts under ``contested``.
    """
    area = areas_km2.reindex(state.index).to_numpy(dtype=float)
    ctrl = state["controller"].to_numpy(dtype=object)
    split = (ctrl == "contested") & ~state["disputed"].to_numpy(dtype=bool)
    holder = state["holder"].to_numpy(dtype=object)
    rest = state["rest"].to_numpy(dtype=object)
    share = np.nan_to_num(state["share"].to_numpy(dtype=float), nan=1.0)
    split &= pd.notna(rest) & (holder != "contested")
    parts = [
        pd.DataFrame({"controller": np.where(split, holder, ctrl), "km2": np.where(split, area * share, area)}),
        pd.DataFrame({"controller": rest[split], "km2": area[split] * (1 - share[split])}),
    ]
    out = pd.concat(parts).groupby("controller")["km2"].sum()
    order = [*sides, CONTESTED, UNKNOWN]
    out = out.reindex(order, fill_value=0.0)
    total = out.sum()
    return pd.DataFrame(
        {"controller": order, "km2": out.to_numpy(), "percent": out.to_numpy() / total * 100 if total else 0.0}
    )


def changes_between(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Districts whose state differs between two days' states (state word, holder or share).

    ``from`` and ``to`` are state words (:mod:`geo.vocabulary`): a side, split, disputed or unknown.
    """
    after = after.reindex(before.index)
    a = before[["holder", "share"]].astype(object).assign(state=states(before))
    b = after[["holder", "share"]].astype(object).assign(state=states(after))
    same = ((a == b) | (a.isna() & b.isna())).all(axis=1)
    changed = before.index[~same]
    return pd.DataFrame(
        {
            "id": changed,
            "from": a.loc[changed, "state"].to_numpy(),
            "from_share": before.loc[changed, "share"].to_numpy(),
            "to": b.loc[changed, "state"].to_numpy(),
            "to_share": after.loc[changed, "share"].to_numpy(),
            "holder": after.loc[changed, "holder"].to_numpy(),
            "since": after.loc[changed, "since"].to_numpy(),
            "sources": after.loc[changed, "sources"].to_numpy(),
        }
    )


def adjacency(districts: gpd.GeoDataFrame, *, crs: str | None = None) -> gpd.GeoDataFrame:
    """Every pair of neighbouring districts with their shared boundary (lon/lat lines), measured in
    the metric ``crs`` (default: the districts' UTM zone).

    Computed once per district set; ``front_line`` then only selects rows.
    """
    crs = metric_crs(districts, crs)
    metric = districts.to_crs(crs)
    geoms = metric.geometry.values
    left, right = metric.sindex.query(geoms, predicate="dwithin", distance=NEIGHBOUR_TOLERANCE_M)
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.intersection(shapely.boundary(geoms[left]), shapely.buffer(geoms[right], NEIGHBOUR_TOLERANCE_M))
    lines = shared
    ok = ~shapely.is_empty(lines) & (shapely.length(lines) > MIN_SHARED_M)
    ids = districts["id"].to_numpy()
    pairs = gpd.GeoDataFrame({"a": ids[left[ok]], "b": ids[right[ok]]}, geometry=lines[ok], crs=crs)
    return pairs.to_crs("EPSG:4326")


def leaning(state: pd.DataFrame) -> pd.Series:
    """The side each district mainly belongs to: its controller, or for a split the larger part."""
    ctrl = state["controller"]
    major = state["holder"].where(state["share"].fillna(1.0) >= 0.5, state["rest"])
    return ctrl.where(ctrl != "contested", major).fillna("contested")


def _opposed(la, lb, ca, cb, sides: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """For pairs of districts with leanings ``la``/``lb`` and controllers ``ca``/``cb`` (arrays of any
    shape): whether the pair leans to two different ``sides``, and whether either is a split or
    disputed district (the real line then runs somewhere inside it)."""
    opposed = np.isin(la, sides) & np.isin(lb, sides) & (la != lb)
    return opposed, (ca == CONTESTED) | (cb == CONTESTED)


def front_line(state: pd.DataFrame, pairs: gpd.GeoDataFrame, *, sides: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Boundaries between districts leaning to two different ``sides`` (the settings' ``front``) on a day.

    ``approximate`` is true where either side is a split or disputed district: the real line
    then runs somewhere inside it.
    """
    lean, ctrl = leaning(state), state["controller"]
    a, b = pairs["a"], pairs["b"]
    opposed, approx = _opposed(
        lean.reindex(a).to_numpy(),
        lean.reindex(b).to_numpy(),
        ctrl.reindex(a).to_numpy(),
        ctrl.reindex(b).to_numpy(),
        sides,
    )
    sel = pairs[opposed]
    return gpd.GeoDataFrame(
        {"a": sel["a"].to_numpy(), "b": sel["b"].to_numpy(), "approximate": approx[opposed]},
        geometry=sel.geometry.to_numpy(),
        crs=pairs.crs,
    )


def front_by_day(
    tl: Timeline, pairs: pd.DataFrame, rows: list[int], *, sides: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`front_line` on many days of a timeline at once (its grid ``rows``): for each day and
    each pair, whether the front runs there, and whether it is approximate (days x pairs arrays)."""
    g = tl.groups
    # a group's leaning and controller; the last entry is read for a district with no row yet (-1)
    lean = np.append(leaning(g).to_numpy(dtype=object), UNKNOWN)
    ctrl = np.append(g["controller"].to_numpy(dtype=object), UNKNOWN)
    ids = pd.Index(tl.district_ids)
    ia, ib = ids.get_indexer(pairs["a"]), ids.get_indexer(pairs["b"])
    if (ia < 0).any() or (ib < 0).any():  # a -1 would silently read the last district's column
        stray = sorted(set(pairs["a"][ia < 0]) | set(pairs["b"][ib < 0]))
        raise ValueError(f"neighbour pairs name districts the timeline does not have: {', '.join(map(str, stray))}")
    grid = tl.grid[rows]
    ga, gb = grid[:, ia], grid[:, ib]
    return _opposed(lean[ga], lean[gb], ctrl[ga], ctrl[gb], sides)
