"""Editing page: add or change districts from a GeoJSON export, and fix or add events.

Every save is validated first and written safely (``geo.store.atomic_write``): a temporary file
beside the target, fsync, a ``.bak`` of the previous version, and a refusal when the file changed
on disk since this page read it. The map page picks the change up on its next run.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import folium
import pandas as pd
import streamlit as st

from geo.constants import DISTRICTS_FILE, EVENTS_FILE
from geo.districts import alias_index, read_districts
from geo.importer import plan_import
from geo.load import check_dataset, data_dir_from_argv
from geo.problems import DataError, Problem, has_errors
from geo.store import ConflictError, atomic_write, read_versioned
from geo.tables import read_events
from layers.control_map import leaflet_assets
from layers.style import escape_text

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "data"
PREVIEW_HEIGHT = 420


def show_problems(problems: list[Problem]) -> None:
    """Every problem as one plain-text line: file, feature or line, id, field, message, what to do."""
    if problems:
        (st.error if has_errors(problems) else st.warning)(
            f"{sum(p.severity == 'error' for p in problems)} error(s), "
            f"{sum(p.severity == 'warning' for p in problems)} warning(s)")
        st.code("\n".join(str(p) for p in problems), language=None, wrap_lines=True)


def preview_html(current: str, merged: str, changed_ids: set[str]) -> str:
    """A self-contained Leaflet preview: current districts in grey, new or changed ones in orange."""
    js, css = leaflet_assets()
    old, _ = read_districts(current, "current")
    new, _ = read_districts(merged, "merged")
    m = folium.Map(tiles=None, zoom_snap=0.25)
    m.default_js, m.default_css = [], []
    m.get_root().header.add_child(folium.Element(f"<style>{css}</style><script>{js}</script>"))
    if old is not None:
        folium.GeoJson(old[["id", "geometry"]].to_json(), style_function=lambda _: {
            "color": "#777", "weight": 1, "fillColor": "#ddd", "fillOpacity": 0.4}).add_to(m)
    if new is not None:
        sel = new[new["id"].isin(changed_ids)].copy()
        sel["label"] = [escape_text(f"{i} {n}") for i, n in zip(sel["id"], sel["name"], strict=True)]
        if len(sel):
            folium.GeoJson(sel[["label", "geometry"]].to_json(), style_function=lambda _: {
                "color": "#EE7733", "weight": 3, "fillColor": "#EE7733", "fillOpacity": 0.5},
                tooltip=folium.GeoJsonTooltip(["label"], labels=False)).add_to(m)
            west, south, east, north = sel.total_bounds
            m.fit_bounds([[south, west], [north, east]])
        else:
            west, south, east, north = new.total_bounds
            m.fit_bounds([[south, west], [north, east]])
    return m.get_root().render()


def save(path: Path, data: bytes, version: str, validate) -> bool:
    """Validated, atomic save; report the outcome on the page."""
    try:
        backup = atomic_write(path, data, expected_digest=version, validate=validate)
    except ConflictError as exc:
        st.error(f"Not saved: {exc}")
        return False
    except DataError as exc:
        st.error("Not saved: the new content does not validate.")
        show_problems(exc.problems)
        return False
    st.success(f"Saved {path.name}; the previous version is kept as {backup.name if backup else '(none)'}. "
               "The map page shows it on its next run.")
    return True


def districts_section(data_dir: Path) -> None:
    st.subheader("Add or change districts")
    st.caption("Upload a GeoJSON exported from geojson.io or QGIS (EPSG:4326). New ids are added, existing ids "
               "replaced; nothing is written until you apply.")
    upload = st.file_uploader("GeoJSON file", type=["geojson", "json"], key="upload")
    if upload is None:
        return
    target = data_dir / DISTRICTS_FILE
    current, version = read_versioned(target)
    if st.session_state.get("upload_name") != (upload.name, upload.size):
        st.session_state["upload_name"] = (upload.name, upload.size)
        st.session_state["districts_version"] = version  # the version this edit is based on
    try:
        new_text = upload.getvalue().decode("utf-8")
    except UnicodeDecodeError:
        st.error(f"{upload.name}: not UTF-8 text. Save the export as UTF-8 and upload it again.")
        return
    merged, changes, problems = plan_import(current.decode("utf-8"), new_text, upload.name, str(target))
    show_problems(problems)
    if merged is None:
        st.error("Nothing can be applied until the errors above are fixed.")
        return
    st.markdown("**What will change**")
    st.text("\n".join(changes) or "Nothing: every district in the file is already identical.")
    ids = {line.split()[1] for line in changes}
    st.iframe(preview_html(current.decode("utf-8"), merged, ids), height=PREVIEW_HEIGHT)  # a whole page, escaped
    if changes and st.button("Apply these changes", type="primary"):
        save(target, merged.encode("utf-8"), st.session_state["districts_version"],
             lambda b: read_districts(b.decode("utf-8"), str(target))[1])


def events_section(data_dir: Path, ds) -> None:
    st.subheader("Events")
    st.caption("One row per claim. `district` is a district id, `source` a key of sources.csv; add one row per "
               "source when sources disagree. Write notes in your own words.")
    target = data_dir / EVENTS_FILE
    raw, version = read_versioned(target)
    if "events_version" not in st.session_state:
        st.session_state["events_version"] = version
    table = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
    edited = st.data_editor(table, num_rows="dynamic", hide_index=True, key="events_editor", width="stretch")
    if ds is None:
        st.warning("The data folder does not validate as a whole; fix the files listed above before saving events.")
        return
    left, right = st.columns(2)
    if left.button("Validate and save events", type="primary"):
        text = edited.to_csv(index=False, lineterminator="\n")

        def validate(data: bytes) -> list[Problem]:
            return read_events(data.decode("utf-8"), str(target), district_ids=set(ds.districts["id"]),
                               source_keys=set(ds.sources["key"]), names=alias_index(ds.districts))[1]

        if save(target, text.encode("utf-8"), st.session_state["events_version"], validate):
            st.session_state["events_version"] = read_versioned(target)[1]
    if right.button("Discard my edits and reload from disk"):
        st.session_state.pop("events_version", None)
        st.session_state.pop("events_editor", None)
        st.rerun()


def main() -> None:
    st.set_page_config(page_title="Edit the data", layout="wide")
    data_dir = data_dir_from_argv(sys.argv[1:], DEFAULT_DATA)
    st.title("Edit the data")
    st.caption(f"Data folder: {data_dir}")
    ds, problems = check_dataset(data_dir)  # once per run; the events section validates against it
    show_problems(problems)
    districts_section(data_dir)
    events_section(data_dir, ds)


main()
