"""Streamlit front door: who controlled each Aleppo district, day by day, 15 Nov - 22 Dec 2016.

Run ``streamlit run app.py -- --data DIR`` (default ``data/``). Widgets, URL state and cached
calls only; the data logic is in ``geo`` and the map in ``layers``.

Speed: the folium base map (districts, tooltips, legend) is rendered once per data content and
basemap, and its bulky part is served as a static JSON file; a date change sends only the day's
small feature groups (state codes, changed outlines, front line, routes, checkpoints). The map is
an inline Streamlit component (``layers/live_map.py``, no iframe) mounted under a fixed ``key``,
so Leaflet restyles in place and keeps the view.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_shortcuts import add_shortcuts

from geo.load import Dataset, check_dataset, data_digest, data_dir_from_argv, editing_enabled
from geo.problems import Problem
from geo.spatial import adjacency, district_areas_km2
from geo.timeline import Timeline, build_timeline
from layers import charts, panel
from layers.content import SourceIndex, source_index
from layers.districts import district_payload
from layers.live_map import COMPONENT_CSS, MapParts, component_js, day_script, map_parts
from layers.page import DayData, base_map, day_data, day_layers
from layers.style import BASEMAPS

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
DEFAULT_DATA = HERE / "data"
SPEEDS = {"0.5 day/s": 2.0, "1 day/s": 1.0, "2 days/s": 0.5, "4 days/s": 0.25}
MAP_HEIGHT = 640
#: District payload files (static/cache, one per data content) older than this are removed.
PAYLOAD_MAX_AGE_S = 7 * 24 * 3600
DEFAULT_BASEMAP = next(iter(BASEMAPS))
#: A new session is drawn in stages so the first map is not held up by widgets it doesn't need:
#: run 1 sends only the map, run 2 adds the controls, run 3 the figures. These are the pauses
#: after runs 1 and 2, which let the browser paint before the next run's elements arrive.
STAGE_DELAYS_S = (0.3, 0.2)
#: On a date change the charts follow the map by this much, so the browser repaints the map first.
PANEL_YIELD_S = 0.05


def pages() -> list:
    """The app's pages: the map, plus the edit page only when the operator turned editing on
    (``-- --enable-editing`` or ``ALEPPO_EDITING=1``). Otherwise no route to the edit page exists."""
    listed = [st.Page(main, title="Map", default=True)]
    if editing_enabled(sys.argv[1:]):
        listed.append(st.Page(HERE / "pages" / "edit.py", title="Edit the data", url_path="edit"))
    return listed


def static_url(path: str) -> str:
    """URL of a file under ./static as served by Streamlit (respects server.baseUrlPath)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return ("/" + base if base else "") + "/app/static/" + path


@st.cache_resource
def leaflet_static() -> str:
    """Copy Leaflet from the installed xstatic-leaflet package into ./static (idempotent)."""
    import xstatic.pkg.leaflet as xl

    target = STATIC / f"leaflet-{xl.VERSION}"
    if not (target / "leaflet.js").exists():
        tmp = STATIC / f".leaflet-{xl.VERSION}-{os.getpid()}"
        shutil.copytree(xl.BASE_DIR, tmp, dirs_exist_ok=True)
        try:
            tmp.rename(target)
        except OSError:  # another process won the race
            shutil.rmtree(tmp, ignore_errors=True)
    return static_url(f"leaflet-{xl.VERSION}")


@dataclass(frozen=True)
class Bundle:
    """A validated data set with everything derived from it once."""

    ds: Dataset
    timeline: Timeline
    index: SourceIndex
    pairs: gpd.GeoDataFrame
    areas_km2: pd.Series
    names: dict[str, str]
    payload_url: str


def _write_payload(payload: dict) -> str:
    """Write the district payload under static/cache, named by its content hash; return its URL."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    folder = STATIC / "cache"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"districts-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
    if not path.exists():
        for stale in folder.glob("districts-*.json"):
            if time.time() - stale.stat().st_mtime > PAYLOAD_MAX_AGE_S:
                stale.unlink(missing_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    else:
        path.touch()  # in use again: not stale
    return static_url(f"cache/{path.name}")


@st.cache_resource(max_entries=8, show_spinner="Loading data…")
def load_bundle(data_dir: str, digest: str) -> tuple[Bundle | None, list[Problem]]:
    """Load, validate and precompute once per data content (``digest`` is the cache key)."""
    ds, problems = check_dataset(data_dir)
    if ds is None:
        return None, problems
    timeline = build_timeline(ds.districts["id"], ds.events)
    index = source_index(ds.sources)
    payload = district_payload(ds.districts, timeline, index)
    names = dict(zip(ds.districts["id"].astype(str), ds.districts["name"], strict=True))
    bundle = Bundle(ds, timeline, index, adjacency(ds.districts), district_areas_km2(ds.districts),
                    names, _write_payload(payload))
    return bundle, problems


@st.cache_resource
def last_good() -> dict[str, Bundle]:
    """The last valid bundle per data folder, shared by sessions: shown while a file is broken."""
    return {}


@st.cache_resource(max_entries=8, show_spinner=False)
def all_day_data(digest: str, _bundle: Bundle) -> dict[dt.date, DayData]:
    """The map's data for every day (codes, changed districts, front line), once per data content."""
    b = _bundle
    return {d.date(): day_data(b.ds, b.timeline, b.pairs, d.date()) for d in b.timeline.days}


@st.cache_data(max_entries=8)
def area_table(digest: str, _bundle: Bundle) -> pd.DataFrame:
    """Areas held by each side on every day (cached per data content)."""
    return charts.areas_over_time(_bundle.timeline, _bundle.areas_km2)


def current_bundle(data_dir: Path) -> tuple[Bundle | None, str, list[Problem]]:
    """The bundle to show, its digest and the problems; the last valid bundle when files now fail."""
    digest = data_digest(data_dir) if data_dir.is_dir() else "missing"
    bundle, problems = load_bundle(str(data_dir), digest)
    store = last_good()
    if bundle is not None:
        store[str(data_dir)] = bundle
        return bundle, digest, problems
    old = store.get(str(data_dir))
    return old, (old.ds.digest if old else digest), problems


# ---------------------------------------------------------------- date state (slider, URL, play)

def day_from_query(days: list[dt.date]) -> dt.date | None:
    """The ``?date=YYYY-MM-DD`` day clamped to the record, or None when absent or malformed."""
    raw = st.query_params.get("date")
    try:
        day = dt.date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None
    return None if day is None else min(max(day, days[0]), days[-1])


def init_state(days: list[dt.date]) -> None:
    """Take day and basemap from the URL on a new session; keep the day inside the record."""
    current = st.session_state.get("day")
    wanted = current or day_from_query(days) or days[0]
    clamped = min(max(wanted, days[0]), days[-1])
    if clamped != current:  # writing a widget's state on every run would undo key presses in flight
        st.session_state["day"] = clamped
    if "basemap" not in st.session_state:
        asked = str(st.query_params.get("basemap", "")).casefold()
        st.session_state["basemap"] = next((b for b in BASEMAPS if b.casefold() == asked), DEFAULT_BASEMAP)


def step(delta: int, days: list[dt.date]) -> None:
    """Move the chosen day by ``delta`` days within the record (button callback)."""
    i = days.index(st.session_state["day"]) + delta
    st.session_state["day"] = days[min(max(i, 0), len(days) - 1)]


def toggle_play(days: list[dt.date]) -> None:
    """Start or stop the animation; starting at the last day rewinds to the first."""
    playing = not st.session_state.get("playing", False)
    if playing and st.session_state["day"] == days[-1]:
        st.session_state["day"] = days[0]
    st.session_state["playing"] = playing


def advance_if_playing(days: list[dt.date]) -> None:
    """On a play tick, move one day forward; stop at the end."""
    if st.session_state.pop("_tick", False) and st.session_state.get("playing"):
        step(1, days)
        if st.session_state["day"] == days[-1]:
            st.session_state["playing"] = False


def sync_url(day: dt.date, basemap: str) -> None:
    """Make the address bar follow the slider (and basemap), so the link opens this view."""
    if st.query_params.get("date") != day.isoformat():
        st.query_params["date"] = day.isoformat()
    if basemap != DEFAULT_BASEMAP:
        st.query_params["basemap"] = basemap.casefold()
    elif "basemap" in st.query_params:
        del st.query_params["basemap"]


def controls(days: list[dt.date]) -> tuple[dt.date, str]:
    """Sidebar: date slider, previous/next, play and speed, basemap. Returns (day, basemap)."""
    with st.sidebar:
        st.slider("Day", min_value=days[0], max_value=days[-1], step=dt.timedelta(days=1),
                  key="day", format="ddd D MMM YYYY",
                  help="Drag, or focus the slider and use the arrow keys (Home/End for the ends).")
        prev, nxt, play = st.columns(3)
        prev.button("◀ Prev", on_click=step, args=(-1, days), width="stretch", key="prev",
                    disabled=st.session_state["day"] == days[0])
        nxt.button("Next ▶", on_click=step, args=(1, days), width="stretch", key="next",
                   disabled=st.session_state["day"] == days[-1])
        playing = st.session_state.get("playing", False)
        play.button("⏸ Pause" if playing else "⏵ Play", on_click=toggle_play, args=(days,),
                    width="stretch", key="play")
        st.select_slider("Play speed", options=list(SPEEDS), value="1 day/s", key="speed")
        basemap = st.radio("Basemap", list(BASEMAPS), key="basemap", horizontal=True)
        st.caption("Keys anywhere on the page: **,** previous day, **.** next day, **k** play/pause "
                   "(arrow keys move the slider when it has focus).")
        add_shortcuts(prev=",", next=".", play="k")  # not the arrows: they already move a focused slider
    return st.session_state["day"], basemap


# ---------------------------------------------------------------- page sections

def show_problems(problems: list[Problem], showing_old: bool) -> None:
    """List validation problems; say so when the last valid data stays on screen."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        head = ("The data files have errors; showing the last valid data." if showing_old
                else "The data files have errors and there is no valid data to show.")
        st.error(head)
        st.code("\n".join(str(p) for p in errors[:50]), language=None, wrap_lines=True)
    warnings = [p for p in problems if p.severity != "error"]
    if warnings:
        with st.expander(f"{len(warnings)} data warning(s)"):
            st.text("\n".join(str(p) for p in warnings))


@st.cache_resource
def live_map():
    """The map component, registered once per server (registering again on each run would warn)."""
    return st.components.v2.component("aleppo_map", js=component_js(), css=COMPONENT_CSS, isolate_styles=True)


@st.cache_resource(max_entries=16, show_spinner=False)
def base_parts(digest: str, basemap: str, leaflet_url: str, _bundle: Bundle) -> MapParts:
    """The folium base map rendered once per data content and basemap."""
    ids = [str(i) for i in _bundle.timeline.district_ids]
    return map_parts(base_map(_bundle.ds.districts, ids, tiles=BASEMAPS[basemap], data_url=_bundle.payload_url,
                              leaflet_url=leaflet_url))


@st.cache_resource(max_entries=512, show_spinner=False)
def day_js(digest: str, day: dt.date, _bundle: Bundle) -> str:
    """The day's feature groups and layer control as one script, once per data content and day."""
    groups = day_layers(_bundle.ds, all_day_data(digest, _bundle)[day], _bundle.index)
    return day_script(groups, folium.LayerControl(collapsed=True, position="topright"))


def show_map(bundle: Bundle, digest: str, day: dt.date, basemap: str, leaflet_url: str) -> None:
    """The map: the base rendered once per data content and basemap, the day's layers swapped in place."""
    data = {"base": base_parts(digest, basemap, leaflet_url, bundle).as_data(),
            "day": day_js(digest, day, bundle), "height": MAP_HEIGHT, "prefetch": [bundle.payload_url]}
    live_map()(data=data, key="map", height=MAP_HEIGHT)  # one key: a new basemap keeps the view


@st.cache_data(max_entries=128, show_spinner=False)
def areas_spec(digest: str, day: dt.date, _bundle: Bundle) -> dict:
    """Vega-Lite spec of the areas chart for ``day``: built once per data content and day (altair's
    schema validation costs tens of ms, which every slider step would otherwise pay)."""
    return charts.areas_chart(area_table(digest, _bundle), day).to_dict()


@st.cache_data(max_entries=32, show_spinner=False)
def evacuation_spec(digest: str, measure: str, _bundle: Bundle) -> dict:
    """Vega-Lite spec of the evacuation chart for one measure (it does not depend on the day)."""
    return charts.evacuation_chart(_bundle.ds.evacuation, _bundle.ds.sources, measure).to_dict()


def show_panel(bundle: Bundle, digest: str, day: dt.date) -> None:
    """Beside the map: areas that day, areas over time, evacuation figures, the day's events."""
    table = area_table(digest, bundle)
    start = table[(table["day"] == table["day"].min()) & (table["controller"] == "opposition")]
    st.subheader("Area held")
    areas = charts.areas_on(table, day, float(start["km2"].sum())).set_index("Side")
    st.table(areas.style.format({areas.columns[0]: "{:.2f}", areas.columns[1]: "{:.0f} %"}, na_rep="–"))
    st.vega_lite_chart(spec=areas_spec(digest, day, bundle), width="stretch")
    st.subheader(f"Events on {day:%d %b %Y}")
    events = panel.day_events(bundle.ds.events, day)
    st.html(panel.events_html(events, bundle.names, bundle.index))  # plain HTML (no Markdown), sanitised
    evac = bundle.ds.evacuation
    if evac is not None and len(evac):
        st.subheader("Evacuation figures by source")
        measures = list(dict.fromkeys(evac["measure"]))
        measure = st.selectbox("Figure", measures, key="measure") if len(measures) > 1 else measures[0]
        st.vega_lite_chart(spec=evacuation_spec(digest, measure, bundle), width="stretch")


@st.cache_data(max_entries=16, show_spinner="Writing the snapshot…")
def snapshot_html(digest: str, day: dt.date, basemap: str, _bundle: Bundle) -> str:
    """The standalone page for ``day`` (snapshot engineer's ``layers.standalone.render_html``)."""
    from layers.standalone import render_html

    return render_html(_bundle.ds, _bundle.timeline, day, basemap="none" if basemap == "None" else "streets")


@st.cache_data(max_entries=8, show_spinner="Rendering the PNG in Chromium…")
def snapshot_png(html: str) -> bytes:
    """The PNG of a snapshot page (snapshot engineer's ``snapshot.render_png_bytes``)."""
    from snapshot import render_png_bytes

    return render_png_bytes(html, width=1200, height=800, scale=2)


def embed_snippet(day: dt.date) -> str:
    """The ``<iframe>`` to paste into an article, opening this app on ``day``."""
    base = str(getattr(st.context, "url", "") or "").split("?")[0]
    src = f"{base}?date={day.isoformat()}&embed=true"
    try:
        from layers.standalone import iframe_snippet
    except ImportError:
        return f'<iframe src="{src}" width="100%" height="720"></iframe>'
    return iframe_snippet(src, title=f"Aleppo 2016: who held each district, {day.isoformat()}", height=720)


def show_downloads(bundle: Bundle, digest: str, day: dt.date, basemap: str) -> None:
    """Issue 5 item 4 -- HTML/PNG snapshot downloads and the iframe snippet.

    Built only on request (a snapshot takes a few hundred ms; a PNG starts a browser), so a date
    change never pays for them.
    """
    with st.expander("Share or download this view"):
        st.code(embed_snippet(day), language="html")
        if not st.toggle("Prepare snapshot files for this day", key="snap"):
            return
        try:
            html = snapshot_html(digest, day, basemap, bundle)
        except ImportError:
            st.caption("Snapshot downloads need layers/standalone.py.")
            return
        name = f"aleppo-{day.isoformat()}.html"
        st.download_button("Download HTML", html, name, "text/html")
        st.caption("Self-hosted embed (no server behind it): upload the HTML next to your article and paste")
        st.code(f'<iframe src="{name}" title="Aleppo 2016, {day.isoformat()}" width="100%" height="560" '
                'style="border:0" loading="lazy"></iframe>', language="html")
        if st.button("Make PNG"):
            st.download_button("Download PNG", snapshot_png(html), f"aleppo-{day.isoformat()}.png",
                               "image/png")


def main() -> None:
    """Compose the page. The map is sent first: the sidebar widgets read the same session state."""
    st.set_page_config(page_title="Aleppo 2016: who held each district", layout="wide")
    data_dir = data_dir_from_argv(sys.argv[1:], DEFAULT_DATA)
    leaflet_url = leaflet_static()
    bundle, digest, problems = current_bundle(data_dir)
    show_problems(problems, showing_old=bundle is not None)
    if bundle is None:
        st.stop()
    days = [d.date() for d in bundle.timeline.days]
    init_state(days)
    advance_if_playing(days)
    day, basemap = st.session_state["day"], st.session_state["basemap"]
    st.markdown(f"### Aleppo, {day:%A %d %B %Y}: who held each district")
    left, right = st.columns([3, 2], gap="medium")
    with left:
        show_map(bundle, digest, day, basemap, leaflet_url)
    sync_url(day, basemap)
    stage = st.session_state.get("_stage", 0)  # a new session: map first, then the controls, then the figures
    if stage == 0:  # holds the sidebar's place, so the map is not narrowed after its first paint
        st.sidebar.caption("Loading the controls…")
    else:
        controls(days)
    if stage < len(STAGE_DELAYS_S):
        right.caption("Loading the figures…")
        st.session_state["_stage"] = stage + 1
        time.sleep(STAGE_DELAYS_S[stage])
        st.rerun()
    with right:
        time.sleep(PANEL_YIELD_S)
        show_panel(bundle, digest, day)
    show_downloads(bundle, digest, day, basemap)
    if st.session_state.get("playing"):
        time.sleep(SPEEDS[st.session_state.get("speed", "1 day/s")])
        st.session_state["_tick"] = True
        st.rerun()

st.navigation(pages()).run()
