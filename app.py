"""Streamlit front door: who controlled each district, day by day (the place: the data folder's map.toml).

Run ``streamlit run app.py -- --data DIR`` (default ``data/``); the operator's other options
(``--public-url URL``, ``--browser-work none|editors|everyone``, ``--enable-editing``) are in
``guard``. Widgets, URL state and cached calls only; the data logic is in ``geo`` and the map in
``layers``.

The public app is for reading (``guard``): it takes no uploads unless editing is on, a session's
reruns are paced, heavy work waits in one queue, what clients send is checked before it is used,
and the caches are the app's own, which no client message clears (Streamlit's are cleared by any
client's "clear cache" message).

The map is the snapshot page itself (the folium plugin ``layers.control_map``), rendered once per
data content and basemap into a static, content-hashed file and shown in a plain frame; a small
v2 component (``layers/assets/app_map.js``) attaches to it. A date step repaints in the browser;
the map reports the day back, and only then do ``?date=``, the areas, the charts and the day's
events follow.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

import guard
import limits
import mappage
import newsroom
from geo.escape import markdown_text
from geo.files import data_digest, data_dir_from_argv, editing_enabled
from geo.settings import load_settings

if TYPE_CHECKING:  # the heavy modules are imported after the map is on its way
    import pandas as pd

    from geo.load import Dataset
    from geo.problems import Problem
    from geo.timeline import Timeline
    from layers.panel import SourceIndex

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / "data"
#: Height of the map frame on a wide screen (on a phone it grows to its content).
MAP_HEIGHT = 720
BASEMAPS = {"none": "No street map", "streets": "Street map (needs the network)"}
#: A new session sends the map alone first, then the figures after this pause, so the map's
#: first paint is not held up by the code the browser fetches and runs for the charts, tables and
#: the map's reporter (same-origin frames share the page's main thread). In turns with the same
#: browser, a longer pause gave an earlier map: 0.3 s floor + 255-295 ms, 0.6 s + 128-255 ms,
#: 1.0 s + 140 ms (in turns with a bare page, as `python -m bench.app_slider` measures); the
#: panels sit below the map.
FIRST_PAINT_S = 1.0
APP_MAP_JS = HERE / "layers" / "assets" / "app_map.js"


def pages() -> list:
    """The app's pages: the map, plus the edit page only when the operator turned editing on
    (``-- --enable-editing`` or ``MAP_EDITING=1``). Otherwise no route to the edit page exists."""
    listed = [st.Page(main, title="Map", default=True)]
    if editing_enabled(sys.argv[1:]):
        listed.append(st.Page(HERE / "pages" / "edit.py", title="Edit the data", url_path="edit"))
    return listed


def static_url(path: str) -> str:
    """URL of a file under ./static as served by Streamlit (respects server.baseUrlPath)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return ("/" + base if base else "") + "/app/static/" + path


@dataclass(frozen=True)
class Bundle:
    """A validated data set with everything derived from it once."""

    ds: Dataset
    timeline: Timeline
    index: SourceIndex
    areas_km2: pd.Series
    names: dict[str, str]
    folder: str


def load_bundle(data_dir: str, digest: str) -> tuple[Bundle | None, list[Problem]]:
    """The data, validated and precomputed once per data content (``digest`` is the cache key)."""
    key = (data_dir, digest)
    if key in limits.BUNDLES:
        return limits.BUNDLES.get(key, lambda: make_bundle(data_dir))
    with st.spinner("Loading data…"):
        return limits.BUNDLES.get(key, lambda: make_bundle(data_dir))


def make_bundle(data_dir: str) -> tuple[Bundle | None, list[Problem]]:
    """Load, validate and precompute the data in ``data_dir``."""
    from geo.load import check_dataset
    from geo.spatial import district_areas_km2
    from geo.timeline import timeline_for
    from layers.panel import source_index

    ds, problems = check_dataset(data_dir)
    if ds is None:
        return None, problems
    timeline = timeline_for(ds)
    names = dict(zip(ds.districts["id"].astype(str), ds.districts["name"], strict=True))
    areas = district_areas_km2(ds.districts, crs=ds.settings.crs)
    return Bundle(ds, timeline, source_index(ds.sources), areas, names, data_dir), problems


def build_page(digest: str, basemap: str, bundle: Bundle) -> dict:
    """Build the map page (the snapshot page with every day) once per data content and basemap
    (``mappage.build_page``: on disk, found again by a restarted server)."""
    return limits.PAGES.get((digest, basemap), lambda: mappage.build_page(bundle.ds, bundle.timeline, digest, basemap))


def area_table(digest: str, bundle: Bundle) -> pd.DataFrame:
    """Areas held by each side on every day (cached per data content)."""
    from layers import charts

    return limits.DERIVED.get(
        ("area_table", digest),
        lambda: charts.areas_over_time(bundle.timeline, bundle.areas_km2, yardstick=bundle.ds.settings.yardstick),
    )


def current_bundle(data_dir: Path) -> tuple[Bundle | None, str, list[Problem]]:
    """The bundle to show, its digest and the problems; the last valid bundle when files now fail."""
    digest = data_digest(data_dir) if data_dir.is_dir() else "missing"
    bundle, problems = load_bundle(str(data_dir), digest)
    if bundle is not None:
        limits.LAST_GOOD.put(str(data_dir), bundle)
        return bundle, digest, problems
    old = limits.LAST_GOOD.peek(str(data_dir))
    return old, (old.ds.digest if old else digest), problems


# ---------------------------------------------------------------- the day (map, URL)


def day_from_query(days: tuple[dt.date, dt.date]) -> tuple[dt.date | None, str | None]:
    """The ``?date=`` day, or None with a notice saying why it was not used (the link's text in
    it quoted as text, never read as Markdown)."""
    raw = st.query_params.get("date")
    if not raw:
        return None, None
    day = guard.parse_day(raw, dt.date.min, dt.date.max)
    if day is None:
        return None, (
            f"?date={markdown_text(guard.shown(raw))} is not a date in YYYY-MM-DD form; showing {days[0]:%d %B %Y}."
        )
    if not days[0] <= day <= days[-1]:
        return None, (
            f"?date={markdown_text(raw)} is outside the record ({days[0]:%d %b %Y} to {days[-1]:%d %b %Y}); "
            f"showing {days[0]:%d %B %Y}."
        )
    return day, None


def on_map_day() -> None:
    """The map reported a new day: it becomes the session's day (the panels follow). Anything but
    a day of the record is ignored (the component's state comes from the client)."""
    days = st.session_state.get("_days")
    day = guard.reported_day(st.session_state.get("map"), *days) if days else None
    if day is not None:
        st.session_state["day"] = day


def init_state(days: tuple[dt.date, dt.date]) -> None:
    """Take the day from the URL on a new session; keep it inside the record (first, last day)."""
    if "day" not in st.session_state:
        day, notice = day_from_query(days)
        st.session_state["day"] = day or days[0]
        st.session_state["date_notice"] = notice
    st.session_state["_days"] = days
    st.session_state["day"] = min(max(st.session_state["day"], days[0]), days[-1])


def sync_url(day: dt.date, basemap: str) -> None:
    """Make the address bar follow the map's day (and basemap), so the link opens this view."""
    if st.query_params.get("date") != day.isoformat():
        st.query_params["date"] = day.isoformat()
    if basemap != "none":
        st.query_params["basemap"] = basemap
    elif "basemap" in st.query_params:
        del st.query_params["basemap"]


def map_component():
    """The map's reporter, registered once per server (registering again on each run would warn)."""
    return limits.PARTS.get(
        "map_component", lambda: st.components.v2.component("control_map", js=APP_MAP_JS.read_text(encoding="utf-8"))
    )


def show_map(page: dict, day: dt.date, report: bool = True) -> None:
    """Show the map: the page built for this data in a plain frame (``st.iframe``, drawn from the
    session's first message with no component code to fetch first), and, with ``report``, the
    small v2 component that attaches to it and reports the reader's day.

    The frame opens on the day the session had when this page (data content and basemap) first
    showed, so its address stays the same while the reader scrubs (a new address would load the
    page again); from then on the map keeps its own day, zoom and open panel."""
    url = static_url(f"cache/{page['file']}")
    shown = st.session_state.get("_map_src")
    if not shown or shown[0] != url:
        shown = st.session_state["_map_src"] = (url, day.isoformat())
    st.iframe(f"{url}#{shown[1]}", height=MAP_HEIGHT, alt=page.get("label") or None)
    if report:
        from layers.charts import DAY_INPUT

        data = {"url": url, "day": day.isoformat(), "height": MAP_HEIGHT, "dayInput": DAY_INPUT}
        reporter = map_component()
        reporter(data=data, key="map", default={"day": day.isoformat()}, on_day_change=on_map_day, height="content")


# ---------------------------------------------------------------- page sections


def show_problems(problems: list[Problem], showing_old: bool) -> None:
    """List validation problems; say so when the last valid data stays on screen."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        head = (
            "The data files have errors; showing the last valid data."
            if showing_old
            else "The data files have errors and there is no valid data to show."
        )
        st.error(head)
        st.code("\n".join(str(p) for p in errors[:50]), language=None, wrap_lines=True)
    warnings = [p for p in problems if p.severity != "error"]
    if warnings:
        with st.expander(f"{len(warnings)} data warning(s)"):
            st.text("\n".join(str(p) for p in warnings))


def disputed_day(digest: str, day: dt.date, bundle: Bundle) -> str:
    """The day's disputed ground with who claims what (``geo.areas.disputed_band``), as escaped
    HTML (``layers.panel``), once per data content and day."""
    from geo.areas import disputed_band
    from layers import panel

    def make() -> str:
        return panel.disputed_html(disputed_band(bundle.timeline.control_on(day), bundle.areas_km2), bundle.names)

    return limits.DERIVED.get(("disputed", digest, day), make)


def areas_base_spec(digest: str, bundle: Bundle) -> dict:
    """Vega-Lite spec of the areas chart, built and validated once per data content (altair's
    schema validation costs a few hundred ms on large data, which no step should pay)."""
    from layers import charts

    def make() -> dict:
        return charts.compact_datasets(charts.areas_chart(area_table(digest, bundle), bundle.ds.settings).to_dict())

    return limits.DERIVED.get(("areas_spec", digest), make)


def evacuation_spec(digest: str, measure: str, bundle: Bundle) -> dict:
    """Vega-Lite spec of the evacuation chart for one measure (it does not depend on the day)."""
    from layers import charts

    def make() -> dict:
        return charts.evacuation_chart(bundle.ds.evacuation, bundle.ds.sources, measure).to_dict()

    return limits.DERIVED.get(("evacuation_spec", digest, measure), make)


def areas_day(digest: str, day: dt.date, bundle: Bundle) -> pd.DataFrame:
    """The day's areas table (``layers.charts.areas_on``), once per data content and day, every
    text in it escaped for ``st.table`` (which reads its cells, index and headers as Markdown)."""
    from layers import charts

    def make() -> pd.DataFrame:
        table = charts.areas_on(area_table(digest, bundle), day, bundle.ds.settings).set_index("Side")
        table = table.rename(index=markdown_text, columns=markdown_text)
        table.index.name = markdown_text(table.index.name)
        return table.map(lambda cell: markdown_text(cell) if isinstance(cell, str) else cell)

    return limits.DERIVED.get(("areas_day", digest, day), make)


def events_day(digest: str, day: dt.date, bundle: Bundle) -> str:
    """The day's events as escaped HTML (``layers.panel``), once per data content and day."""
    from layers import panel

    def make() -> str:
        events = panel.day_events(bundle.ds.events, day)
        return panel.events_html(events, bundle.names, bundle.index, bundle.ds.settings)

    return limits.DERIVED.get(("events_day", digest, day), make)


def show_panel(bundle: Bundle, digest: str, day: dt.date) -> None:
    """Under the map: areas that day and over time, the day's events, evacuation figures."""
    from layers import charts

    left, middle, right = st.columns([4, 4, 3], gap="medium")
    with left:
        st.subheader(f"Area held, {day:%d %b %Y}")
        st.table(areas_day(digest, day, bundle))
        st.caption(
            "Sourced only: the districts the sources name; with inferred: every district, the "
            "editors' placements too. A disputed district counts for the side the sources' own "
            "reports give it; who claims what:"
        )
        st.html(disputed_day(digest, day, bundle))
        # the chart is the same on every day; the map's reporter writes its day into this element
        st.html(f'<input id="{charts.DAY_INPUT}" type="hidden">')
        st.vega_lite_chart(spec=areas_base_spec(digest, bundle), width="stretch")
    with middle:
        st.subheader(f"Events on {day:%d %b %Y}")
        st.html(events_day(digest, day, bundle))  # plain HTML (no Markdown), every text escaped
    evac = bundle.ds.evacuation
    if evac is not None and len(evac):
        with right:
            st.subheader("Evacuation figures by source")
            measures = list(dict.fromkeys(evac["measure"]))
            measure = st.selectbox("Figure", measures, key="measure") if len(measures) > 1 else measures[0]
            st.vega_lite_chart(spec=evacuation_spec(digest, measure, bundle), width="stretch")


def pace() -> None:
    """Wait for this session's next slot (``limits.PACER``): a reader who steps and pauses never
    waits; a flood of reports waits in its own session, folded into one rerun."""
    time.sleep(limits.PACER.delay(newsroom.reader_key()))


def operator() -> guard.Operator:
    """The operator's settings for this run (their problems go to the server's log, once)."""
    settings, problems = guard.operator_settings(sys.argv[1:])
    upload_mb = st.get_option("server.maxUploadSize")
    guard.log_once(problems + guard.upload_problems(settings.editing, upload_mb))
    return settings


def main() -> None:
    """Compose the page: the map first (from the page built for this data, even before the data is
    loaded on a restarted server), then the figures. A day the map reports reruns only the day's
    part of the page (``day_view``, a fragment), not the whole script."""
    pace()
    st.session_state["_paced"] = True  # the fragment in this run is not paced again
    data_dir = data_dir_from_argv(sys.argv[1:], DEFAULT_DATA)
    from layers.words import short_title

    st.set_page_config(page_title=short_title(load_settings(data_dir)), layout="wide")
    digest = data_digest(data_dir) if data_dir.is_dir() else "missing"
    asked = str(st.query_params.get("basemap", "")).casefold()
    basemap = st.session_state.setdefault("basemap", asked if asked in BASEMAPS else "none")
    if basemap not in BASEMAPS:  # the radio's state comes from the client
        basemap = st.session_state["basemap"] = "none"
    page, bundle = mappage.cached_page(digest, basemap), None
    # The same places in every run, so the map keeps its place (and its frame) between runs.
    problems_box, slot = st.container(), st.container()
    if page is None:
        bundle, digest, problems = current_bundle(data_dir)
        with problems_box:
            show_problems(problems, showing_old=bundle is not None)
        if bundle is None:
            st.stop()
        page = build_page(digest, basemap, bundle)
    days = (dt.date.fromisoformat(page["first"]), dt.date.fromisoformat(page["last"]))
    init_state(days)
    if st.session_state.get("date_notice"):
        problems_box.warning(st.session_state["date_notice"])  # the link's text in it is escaped
    settings = operator()
    if not st.session_state.get("_painted"):
        with slot:
            day_view(page, None, digest, basemap, settings)  # the map alone, first
        st.session_state["_painted"] = True
        time.sleep(FIRST_PAINT_S)
        st.rerun()
    st.sidebar.radio("Street map", list(BASEMAPS), format_func=BASEMAPS.get, key="basemap")
    if bundle is None:
        bundle, digest, problems = current_bundle(data_dir)
        with problems_box:
            show_problems(problems, showing_old=bundle is not None)
        if bundle is None:
            st.stop()
    with slot:
        day_view(page, bundle, digest, basemap, settings)


@st.fragment
def day_view(page: dict, bundle: Bundle | None, digest: str, basemap: str, settings: guard.Operator) -> None:
    """The map and everything that depends on the day: the panels and the newsroom's sections
    (without a ``bundle``, the map alone). When the map reports a day, Streamlit reruns this
    function alone, at the session's pace."""
    if not st.session_state.pop("_paced", False):
        pace()
    day = st.session_state.get("day")
    if day is None:  # the session's state was cleared (a "clear cache" message): start it again
        st.rerun(scope="app")
    show_map(page, day, report=bundle is not None)
    sync_url(day, basemap)
    if bundle is None:
        return
    show_panel(bundle, digest, day)
    newsroom.show(newsroom.View(bundle.ds, bundle.timeline, bundle.folder, digest, day, basemap, settings))


st.navigation(pages()).run()
