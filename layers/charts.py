"""Charts and tables beside the map (Altair): areas held as ranges, evacuation figures by source."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from geo.areas import area_series, buckets
from geo.settings import Settings
from geo.timeline import Timeline
from geo.vocabulary import label
from layers.style import DISPUTED_HATCH, palette


def colours(settings: Settings) -> dict[str, str]:
    """Colour of each row of the areas: the sides' (settings), disputed ground in its hatching's colour."""
    return {**palette(settings), "disputed": DISPUTED_HATCH["line"]}


def areas_over_time(timeline: Timeline, areas_km2: pd.Series, *, yardstick: str | None = None) -> pd.DataFrame:
    """Area held by each side on every day (``geo.areas.area_series``), with a ``day`` column."""
    return area_series(timeline, areas_km2, yardstick=yardstick).rename(columns={"date": "day"})


def _range(low: float, high: float, digits: int = 1, unit: str = "") -> str:
    if pd.isna(low) or pd.isna(high):
        return "–"
    if round(low, digits) == round(high, digits):
        return f"{high:.{digits}f}{unit}"
    return f"{low:.{digits}f} … {high:.{digits}f}{unit}"


def areas_on(table: pd.DataFrame, day: dt.date, settings: Settings) -> pd.DataFrame:
    """One day's areas for the app's table: each side's area as a range (sourced only … with inferred),
    how much of it is disputed, and the share of the yardstick side's first-day area held or gained."""
    sides = settings.side_ids
    rows = table[table["day"] == pd.Timestamp(day)].set_index("controller").reindex(list(buckets(sides)))
    rows = rows[rows.index.isin(sides) | rows["km2"].gt(0.0005)]
    first = pd.Timestamp(table["day"].min())
    yard = settings.side(settings.yardstick or sides[0])
    return pd.DataFrame(
        {
            "Side": [label(c, "en", settings) for c in rows.index],
            "km² (sourced … with inferred)": [_range(r.km2_sourced, r.km2) for r in rows.itertuples()],
            "of it disputed, km²": [
                f"{r.km2_in_dispute:.1f}" if r.km2_in_dispute > 0.0005 else "" for r in rows.itertuples()
            ],
            f"% of {yard.phrase('en') if yard else 'the first side'}'s {first:%d %b} area (held or gained)": [
                _range(r.of_opposition_at_start_sourced, r.of_opposition_at_start, 0, " %") if c in sides else ""
                for c, r in zip(rows.index, rows.itertuples(), strict=True)
            ],
        }
    )


def _colour_scale(settings: Settings) -> alt.Scale:
    rows = (*settings.side_ids, "disputed")
    by_row = colours(settings)
    return alt.Scale(domain=[label(c, "en", settings) for c in rows], range=[by_row[c] for c in rows])


#: The fields of the areas chart's data (the day, the side, and its km² as a range and disputed).
CHART_FIELDS = ("day", "side", "km2_sourced", "km2", "km2_in_dispute")


def areas_chart(table: pd.DataFrame, settings: Settings) -> alt.LayerChart:
    """Each side's km² per day as a band (sourced only … with inferred) and a line (with inferred);
    sides, labels and colours from the settings. The chosen day's rule is added by ``day_rule``."""
    sides = settings.side_ids
    data = table[table["controller"].isin((*sides, "disputed"))].assign(
        side=lambda f: f["controller"].map(lambda c: label(c, "en", settings))
    )
    data = data[data["controller"].isin(sides) | data["km2"].gt(0)]
    # only the fields the chart encodes, to 0.0001 km² (100 m²): every rerun of the app sends this data
    data = data[list(CHART_FIELDS)].round({f: 4 for f in CHART_FIELDS[2:]})
    x = alt.X("day:T", title=None, axis=alt.Axis(format="%d %b"))
    colour = alt.Color("side:N", scale=_colour_scale(settings), title=None, legend=alt.Legend(orient="bottom"))
    band = (
        alt.Chart(data)
        .mark_area(opacity=0.25)
        .encode(x=x, y=alt.Y("km2_sourced:Q", title="km² held"), y2="km2:Q", color=colour)
    )
    lines = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=12))
        .encode(
            x=x,
            y="km2:Q",
            color=colour,
            tooltip=[
                alt.Tooltip("day:T", format="%d %b %Y"),
                "side:N",
                alt.Tooltip("km2_sourced:Q", title="km², sourced only", format=".1f"),
                alt.Tooltip("km2:Q", title="km², with inferred", format=".1f"),
                alt.Tooltip("km2_in_dispute:Q", title="of it disputed", format=".1f"),
            ],
        )
    )
    return (band + lines).properties(height=220)


#: The name of the areas chart's one-row dataset that holds the chosen day.
DAY_DATASET = "chosen_day"


def day_rule(spec: dict, day: dt.date) -> dict:
    """The areas chart's Vega-Lite ``spec`` (``areas_chart(...).to_dict()``) with a dashed rule on
    ``day``. The day is a one-row named dataset, so the chart's spec (its layers, encodings and
    scales) is the same on every day: the app sends the new row and the browser swaps it in,
    without building the chart again. The base spec is built and validated once per data set."""
    rule = {
        "data": {"name": DAY_DATASET},
        "mark": {"type": "rule", "color": "#000", "strokeDash": [4, 3]},
        "encoding": {"x": {"field": "day", "type": "temporal"}},
    }
    datasets = {**spec.get("datasets", {}), DAY_DATASET: [{"day": day.isoformat()}]}
    return {**spec, "layer": [*spec["layer"], rule], "datasets": datasets}


def evacuation_chart(evac: pd.DataFrame, sources: pd.DataFrame, measure: str) -> alt.Chart:
    """One measure's figures by source over time (sources disagree; each keeps its own line)."""
    titles = dict(zip(sources["key"], sources["title"], strict=False))
    data = evac[evac["measure"] == measure].assign(source_title=lambda f: f["source"].map(titles).fillna(f["source"]))
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%d %b")),
            y=alt.Y("value:Q", title=measure),
            color=alt.Color("source_title:N", title="Source", legend=alt.Legend(orient="bottom", columns=1)),
            tooltip=[alt.Tooltip("date:T", format="%d %b %Y"), "source_title:N", "value:Q", "basis:N"],
        )
        .properties(height=220)
    )
