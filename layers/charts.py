"""Charts beside the map (Altair): areas held over the offensive, evacuation figures by source."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from geo.spatial import areas_by_controller
from geo.timeline import Timeline
from geo.vocabulary import label
from layers.style import DISPUTED_HATCH, PALETTE

SIDE_ORDER = ("government", "opposition", "sdf", "disputed", "unknown")
#: Colour of each row of the areas (disputed ground in its hatching's colour).
COLOURS = {**PALETTE, "disputed": DISPUTED_HATCH["background"]}


def areas_over_time(timeline: Timeline, areas_km2: pd.Series) -> pd.DataFrame:
    """Area held by each side on every day of the record: columns day, controller, km2, percent."""
    frames = [areas_by_controller(timeline.control_on(d), areas_km2).assign(day=d) for d in timeline.days]
    table = pd.concat(frames, ignore_index=True)
    # areas_by_controller's "contested" is the ground no side can be given: disputed between sources
    table["controller"] = table["controller"].replace({"contested": "disputed"})
    return table


def areas_on(table: pd.DataFrame, day: dt.date, opposition_start_km2: float) -> pd.DataFrame:
    """One day's areas with each as a share of the area the opposition held on the first day."""
    rows = table[table["day"] == pd.Timestamp(day)].set_index("controller").reindex(list(SIDE_ORDER))
    ref = opposition_start_km2 or float("nan")
    first = pd.Timestamp(table["day"].min())
    # the yardstick the sources use ("70 % of the formerly rebel-held part"): only meaningful for
    # the area still held or fought over, not for the other sides
    pct = (rows["km2"] / ref * 100).round(1).where(rows.index.isin(["opposition", "disputed"]))
    return pd.DataFrame({
        "Side": [label(c) for c in SIDE_ORDER],
        "km²": rows["km2"].round(2).to_numpy(),
        f"% of opp. {first:%d %b}": pct.to_numpy(),
    })


def _colour_scale() -> alt.Scale:
    return alt.Scale(domain=[label(c) for c in SIDE_ORDER], range=[COLOURS[c] for c in SIDE_ORDER])


def areas_chart(table: pd.DataFrame, day: dt.date) -> alt.LayerChart:
    """Lines of km² held by each side per day, with a rule on the chosen day."""
    data = table.assign(side=table["controller"].map(label))
    data = data[data["controller"].isin(("government", "opposition", "sdf", "disputed"))
                | (data["km2"] > 0)]
    lines = alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=alt.X("day:T", title=None, axis=alt.Axis(format="%d %b")),
        y=alt.Y("km2:Q", title="km² held"),
        color=alt.Color("side:N", scale=_colour_scale(), title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("day:T", format="%d %b %Y"), "side:N", alt.Tooltip("km2:Q", format=".2f")],
    )
    rule = alt.Chart(pd.DataFrame({"day": [pd.Timestamp(day)]})).mark_rule(color="#000", strokeDash=[4, 3]
                                                                          ).encode(x="day:T")
    return (lines + rule).properties(height=220)


def evacuation_chart(evac: pd.DataFrame, sources: pd.DataFrame, measure: str) -> alt.Chart:
    """One measure's figures by source over time (sources disagree; each keeps its own line)."""
    titles = dict(zip(sources["key"], sources["title"], strict=False))
    data = evac[evac["measure"] == measure].assign(
        source_title=lambda f: f["source"].map(titles).fillna(f["source"]))
    return alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%d %b")),
        y=alt.Y("value:Q", title=measure),
        color=alt.Color("source_title:N", title="Source", legend=alt.Legend(orient="bottom", columns=1)),
        tooltip=[alt.Tooltip("date:T", format="%d %b %Y"), "source_title:N", "value:Q", "basis:N"],
    ).properties(height=220)
