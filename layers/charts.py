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
    sides, labels and colours from the settings, and a rule on the map's day (``with_day_rule``)."""
    sides = settings.side_ids
    data = table[table["controller"].isin((*sides, "disputed"))].assign(
        side=lambda f: f["controller"].map(lambda c: label(c, "en", settings))
    )
    data = data[data["controller"].isin(sides) | data["km2"].gt(0)]
    # only the fields the chart encodes, to 0.0001 km² (100 m²): every rerun of the app sends this data
    data = data[list(CHART_FIELDS)].round({f: 4 for f in CHART_FIELDS[2:]})
    # The days' range is fixed, so the day's rule (``with_day_rule``) never changes the scale: a new
    # day moves the rule alone, without encoding every mark of the chart again.
    days = pd.to_datetime(data["day"]) if len(data) else pd.Series([pd.Timestamp("2000-01-01")])
    ends = [alt.DateTime(year=d.year, month=d.month, date=d.day) for d in (days.min(), days.max())]
    x = alt.X("day:T", title=None, axis=alt.Axis(format="%d %b"), scale=alt.Scale(domain=ends))
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
    return with_day_rule((band + lines).properties(height=220), days.min())


#: The id of the page element that holds the map's day for the areas chart (a hidden input the
#: app puts beside the chart; the map's reporter writes the day into it).
DAY_INPUT = "areas-day"
#: The areas chart's parameter bound to that element: the day its dashed rule marks.
DAY_PARAM = "map_day"


def with_day_rule(chart: alt.LayerChart, first: pd.Timestamp) -> alt.LayerChart:
    """``chart`` with a dashed rule on the map's day, read in the browser from the page element
    ``DAY_INPUT`` (a Vega parameter bound to it: the element's value, then each ``input`` event
    on it). The chart is then the same on every day, so a new day sends it again as a reference
    (Streamlit's message cache) and the browser keeps it as it is, moving only the rule: with the
    day in the chart's data, a report re-sent the data (1,000 districts x 400 days: 123 kB) and
    the browser recomputed the whole chart, 130 ms each time. Until the element holds a day the
    rule stands, unseen, on the chart's ``first`` day. A day (YYYY-MM-DD) is read as local midnight, like the
    chart's days."""
    day = alt.param(name=DAY_PARAM, value="", bind=alt.BindDirect(element=f"#{DAY_INPUT}"))
    given = f"length({DAY_PARAM}) === 10"
    y, m, d = (f"toNumber(slice({DAY_PARAM}, {a}, {b}))" for a, b in ((0, 4), (5, 7), (8, 10)))
    unseen = f"datetime({first.year}, {first.month - 1}, {first.day})"
    rule = (
        alt.Chart(alt.Data(values=[{"mark": "day"}]))  # one row to draw the rule from
        .transform_calculate(day=f"{given} ? datetime({y}, {m} - 1, {d}) : {unseen}")
        .mark_rule(color="#000", strokeDash=[4, 3])
        .encode(x="day:T", opacity=alt.condition(given, alt.value(1), alt.value(0)))
    )
    return alt.LayerChart(layer=[*chart.layer, rule], data=chart.data, height=chart.height).add_params(day)


def compact_datasets(spec: dict) -> dict:
    """``spec`` with each of its datasets as a compact table: every repeated text (the day, the
    side) a category, every number a 32-bit float. Streamlit sends a chart's datasets as Arrow on
    every rerun; this is about a third of the bytes of the rows as JSON-like values (1,000
    districts x 400 days: 121 kB, 37 kB compact), and Vega-Lite reads the same values (the days
    stay the ISO text altair wrote)."""

    def compact(rows: list[dict]) -> pd.DataFrame:
        frame = pd.DataFrame.from_records(rows)
        numbers = [c for c in frame if pd.api.types.is_float_dtype(frame[c])]
        texts = [c for c in frame if pd.api.types.is_string_dtype(frame[c])]
        return frame.astype({**{c: "category" for c in texts}, **{c: "float32" for c in numbers}})

    return {**spec, "datasets": {name: compact(rows) for name, rows in spec.get("datasets", {}).items()}}


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
