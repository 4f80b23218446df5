"""Editing page: add or change districts from a GeoJSON export, and fix or add events.

Off unless the operator turns editing on (``-- --enable-editing`` or ``MAP_EDITING=1``); then
it asks for the password kept in Streamlit's secrets as ``edit_password``. Every save is validated
first and written safely (``geo.store.atomic_write``): a temporary file beside the target, fsync,
a ``.bak`` of the previous version, and a refusal when the file changed on disk since this page
read it. The map page picks the change up on its next run. The page names files, never the
server's folders.
"""

from __future__ import annotations

import hmac
import sys
import time
from pathlib import Path

import folium
import streamlit as st

from geo.constants import DISTRICTS_FILE, EVENTS_FILE
from geo.districts import alias_index, read_districts
from geo.escape import html_text
from geo.escape import markdown_text as md
from geo.importer import import_box, plan_import
from geo.load import check_dataset, data_dir_from_argv, editing_enabled
from geo.problems import DataError, Problem, has_errors
from geo.settings import event_window
from geo.store import SaveError, atomic_write, read_versioned
from geo.tables import read_events, read_table
from layers.control_map import leaflet_assets

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "data"
PREVIEW_HEIGHT = 420
#: Key in Streamlit's secrets (``.streamlit/secrets.toml``) holding the editors' password.
PASSWORD_SECRET = "edit_password"
#: Pause after a wrong password, so that guessing is slow.
WRONG_PASSWORD_PAUSE_S = 1.0


def show_problems(problems: list[Problem]) -> None:
    """Every problem as one plain-text line: file, feature or line, id, field, message, what to do."""
    if problems:
        (st.error if has_errors(problems) else st.warning)(
            f"{sum(p.severity == 'error' for p in problems)} error(s), "
            f"{sum(p.severity == 'warning' for p in problems)} warning(s)"
        )
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
        folium.GeoJson(
            old[["id", "geometry"]].to_json(),
            style_function=lambda _: {"color": "#777", "weight": 1, "fillColor": "#ddd", "fillOpacity": 0.4},
        ).add_to(m)
    if new is not None:
        sel = new[new["id"].isin(changed_ids)].copy()
        sel["label"] = [html_text(f"{i} {n}") for i, n in zip(sel["id"], sel["name"], strict=True)]
        if len(sel):
            folium.GeoJson(
                sel[["label", "geometry"]].to_json(),
                style_function=lambda _: {"color": "#EE7733", "weight": 3, "fillColor": "#EE7733", "fillOpacity": 0.5},
                tooltip=folium.GeoJsonTooltip(["label"], labels=False),
            ).add_to(m)
            west, south, east, north = sel.total_bounds
            m.fit_bounds([[south, west], [north, east]])
        else:
            west, south, east, north = new.total_bounds
            m.fit_bounds([[south, west], [north, east]])
    return m.get_root().render()


def save(path: Path, data: bytes, version: str, validate) -> bool:
    """Validated, atomic save; report the outcome on the page (a refusal in one line)."""
    try:
        backup = atomic_write(path, data, expected_digest=version, validate=validate)
    except SaveError as exc:
        st.error(f"Not saved: {md(exc)}")
        return False
    except DataError as exc:
        st.error("Not saved: the new content does not validate.")
        show_problems(exc.problems)
        return False
    st.success(
        f"Saved {md(path.name)}; the previous version is kept as {md(backup.name) if backup else '(none)'}. "
        "The map page shows it on its next run."
    )
    return True


def read_current(path: Path) -> tuple[str, str] | None:
    """A data file's text and version digest; None after saying on the page why it cannot be read."""
    try:
        raw, version = read_versioned(path)
        return raw.decode("utf-8"), version
    except OSError as exc:
        why = f"cannot be read ({md(exc.strerror or exc)})"
    except UnicodeDecodeError as exc:
        why = f"is not UTF-8 text (byte {exc.start})"
    st.error(f"{md(path.name)} {why}; restore it from {md(path.name + '.bak')} or git.")
    return None


def districts_section(data_dir: Path) -> None:
    st.subheader("Add or change districts")
    st.caption(
        "Upload a GeoJSON exported from geojson.io or QGIS (EPSG:4326). New ids are added, existing ids "
        "replaced; nothing is written until you apply."
    )
    upload = st.file_uploader("GeoJSON file", type=["geojson", "json"], key="upload")
    if upload is None:
        return
    target = data_dir / DISTRICTS_FILE
    if (read := read_current(target)) is None:
        return
    current, version = read
    if st.session_state.get("upload_name") != (upload.name, upload.size):
        st.session_state["upload_name"] = (upload.name, upload.size)
        st.session_state["districts_version"] = version  # the version this edit is based on
    try:
        new_text = upload.getvalue().decode("utf-8")
    except UnicodeDecodeError:
        st.error(f"{md(upload.name)}: not UTF-8 text. Save the export as UTF-8 and upload it again.")
        return
    bbox = import_box(data_dir, current)
    merged, changes, problems = plan_import(current, new_text, upload.name, target.name, bbox=bbox)
    show_problems(problems)
    if merged is None:
        st.error("Nothing can be applied until the errors above are fixed.")
        return
    st.markdown("**What will change**")
    st.text("\n".join(changes) or "Nothing: every district in the file is already identical.")
    ids = {line.split()[1] for line in changes}
    st.iframe(preview_html(current, merged, ids), height=PREVIEW_HEIGHT)  # a whole page, escaped
    if changes and st.button("Apply these changes", type="primary"):
        save(
            target,
            merged.encode("utf-8"),
            st.session_state["districts_version"],
            lambda b: read_districts(b.decode("utf-8"), target.name, bbox=bbox)[1],
        )


def events_section(data_dir: Path, ds) -> None:
    st.subheader("Events")
    st.caption(
        "One row per claim. `district` is a district id, `source` a key of sources.csv; add one row per "
        "source when sources disagree. Write notes in your own words."
    )
    target = data_dir / EVENTS_FILE
    if (read := read_current(target)) is None:
        return
    text, version = read
    if "events_version" not in st.session_state:
        st.session_state["events_version"] = version
    table, problems = read_table(text, target.name)
    if table is None:
        st.error(
            f"{md(target.name)} cannot be shown as a table until these are fixed in a text editor (or the file "
            f"is restored from {md(target.name + '.bak')}):"
        )
        show_problems(problems)
        return
    edited = st.data_editor(table, num_rows="dynamic", hide_index=True, key="events_editor", width="stretch")
    if ds is None:
        st.warning("The data folder does not validate as a whole; fix the files listed above before saving events.")
        return
    left, right = st.columns(2)
    if left.button("Validate and save events", type="primary"):
        text = edited.to_csv(index=False, lineterminator="\n")

        def validate(data: bytes) -> list[Problem]:
            return read_events(
                data.decode("utf-8"),
                target.name,
                district_ids=set(ds.districts["id"]),
                source_keys=set(ds.sources["key"]),
                names=alias_index(ds.districts),
                sides=ds.settings.side_ids if ds.settings.declared_sides else None,
                window=event_window(ds.settings),
            )[1]

        if save(target, text.encode("utf-8"), st.session_state["events_version"], validate):
            st.session_state["events_version"] = read_versioned(target)[1]
    if right.button("Discard my edits and reload from disk"):
        st.session_state.pop("events_version", None)
        st.session_state.pop("events_editor", None)
        st.rerun()


def admitted() -> bool:
    """True once this session gave the editors' password (from secrets, compared in constant time)."""
    if st.session_state.get("editor_admitted"):
        return True
    try:
        expected = st.secrets[PASSWORD_SECRET]
    except (KeyError, FileNotFoundError):
        expected = None
    if not isinstance(expected, str) or not expected:
        st.error(
            f"Editing is on, but no password is set: the operator adds `{PASSWORD_SECRET}` to the app's "
            "secrets (see the README, 'Publishing the app'). Nothing can be edited until then."
        )
        return False
    given = st.text_input("Editors' password", type="password", key="editor_password")
    if not given:
        st.info("Editing the data needs the editors' password.")
        return False
    if hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        st.session_state["editor_admitted"] = True
        return True
    time.sleep(WRONG_PASSWORD_PAUSE_S)
    st.error("Wrong password.")
    return False


def main() -> None:
    st.set_page_config(page_title="Edit the data", layout="wide")
    st.title("Edit the data")
    if not editing_enabled(sys.argv[1:]):  # the app does not list this page then; refuse a direct run too
        st.error("Editing is turned off on this server.")
        st.stop()
    if not admitted():
        st.stop()
    data_dir = data_dir_from_argv(sys.argv[1:], DEFAULT_DATA)
    ds, problems = check_dataset(data_dir)  # once per run; the events section validates against it
    show_problems(problems)
    districts_section(data_dir)
    events_section(data_dir, ds)


main()
