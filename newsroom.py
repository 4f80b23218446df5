"""The app's sections for publishing: share or download the view, compare two days, cite it, get
the data, and read how the map is made. Streamlit widgets only; the content comes from ``geo``
(``describe``, ``exports``, ``datapackage``, ``acled``, ``compare``) and ``snapshot``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from geo.load import Dataset
    from geo.timeline import Timeline

#: Height of a snapshot or comparison shown inside the app.
PREVIEW_HEIGHT = 820


def _base_url() -> str:
    return str(getattr(st.context, "url", "") or "").split("?")[0]


@st.cache_data(max_entries=16, show_spinner="Writing the snapshot…")
def snapshot_html(digest: str, day: dt.date, basemap: str, title: str, byline: str, _ds: Dataset, _tl: Timeline) -> str:
    """The snapshot page for ``day`` (the same map, every day inlined)."""
    from snapshot import render_html

    return render_html(_ds, _tl, day, basemap=basemap, title=title or None, byline=byline, link=_base_url())


@st.cache_data(max_entries=8, show_spinner="Rendering the PNG in Chromium…")
def snapshot_png(html: str) -> bytes:
    """The PNG of a snapshot page."""
    from snapshot import render_png_bytes

    return render_png_bytes(html, width=1200, height=800, scale=2)


@st.cache_data(max_entries=16, show_spinner="Comparing the two days…")
def compare_outputs(
    digest: str, d1: dt.date, d2: dt.date, title: str, byline: str, _ds: Dataset, _tl: Timeline
) -> tuple[str, str, list[list[str]]]:
    """The comparison page, its CSV and its rows (``snapshot.render_compare_html``, ``geo.compare``)."""
    from geo.compare import compare_csv
    from snapshot import change_rows, render_compare_html

    html = render_compare_html(_ds, _tl, d1, d2, title=title or None, byline=byline)
    return html, compare_csv(_ds, _tl, d1, d2), change_rows(_ds, _tl, d1, d2, "en")


@st.cache_data(max_entries=16, show_spinner=False)
def alt_text(digest: str, day: dt.date, _ds: Dataset, _tl: Timeline) -> str:
    """The day's text alternative (``geo.describe``), written when a PNG is made."""
    from geo.describe import alt_text as write

    return write(_ds, _tl, day)


def show_share(ds: Dataset, tl: Timeline, digest: str, day: dt.date, basemap: str) -> None:
    """Snapshot downloads (HTML, PNG and its text) with an editable title and byline; embed snippets."""
    from layers.style import iframe_snippet

    with st.expander("Share or download this view"):
        title = st.text_input("Title on the snapshot", key="snap_title", placeholder="(a neutral title)")
        byline = st.text_input("Byline or credit line", key="snap_byline", placeholder="Map: your name / desk")
        st.code(
            iframe_snippet(
                f"{_base_url()}?date={day.isoformat()}&embed=true",
                title=f"Who held each district, {day.isoformat()}",
                height=760,
            ),
            language="html",
        )
        if not st.toggle("Prepare snapshot files for this day", key="snap"):
            return
        html = snapshot_html(digest, day, basemap, title, byline, ds, tl)
        name = f"map-{day.isoformat()}"
        st.download_button("Download HTML", html, f"{name}.html", "text/html")
        st.caption("Self-hosted embed (no server behind it): upload the HTML next to your article and paste")
        st.code(
            f'<iframe src="{name}.html" title="{day.isoformat()}" width="100%" height="760" '
            'style="border:0" loading="lazy"></iframe>',
            language="html",
        )
        if st.button("Make PNG"):
            st.download_button("Download PNG", snapshot_png(html), f"{name}.png", "image/png")
            st.download_button(
                "Download the PNG's text alternative", alt_text(digest, day, ds, tl), f"{name}.txt", "text/plain"
            )


def show_compare(ds: Dataset, tl: Timeline, digest: str, day: dt.date) -> None:
    """Two days side by side with the changes between them and their sources; HTML, CSV, PNG."""
    days = [d.date() for d in tl.days]
    with st.expander("Compare two days"):
        left, right = st.columns(2)
        default = days[max(0, days.index(day) - 7)] if day in days else days[0]
        d1 = left.date_input("From", value=default, min_value=days[0], max_value=days[-1], key="cmp_from")
        d2 = right.date_input("To", value=day, min_value=days[0], max_value=days[-1], key="cmp_to")
        if d1 >= d2:
            st.info("Choose a first day before the second.")
            return
        if not st.toggle("Show the comparison", key="cmp_show"):  # built when asked for, not on every visit
            return
        title, byline = st.session_state.get("snap_title", ""), st.session_state.get("snap_byline", "")
        html, csv_text, rows = compare_outputs(digest, d1, d2, title, byline, ds, tl)
        st.iframe(html, height=PREVIEW_HEIGHT)  # the whole comparison page, every text escaped
        st.dataframe(
            [dict(zip(("District", "From", "To", "Claim", "Source"), r, strict=True)) for r in rows], hide_index=True
        )
        name = f"compare-{d1.isoformat()}-{d2.isoformat()}"
        a, b, c = st.columns(3)
        a.download_button("Download the comparison (HTML)", html, f"{name}.html", "text/html")
        b.download_button("Download the changes (CSV)", csv_text, f"{name}.csv", "text/csv")
        if c.button("Make PNG of the comparison"):
            c.download_button("Download PNG", snapshot_png(html), f"{name}.png", "image/png")


def show_cite(ds: Dataset, tl: Timeline, day: dt.date) -> None:
    """A citation line ready to paste: title, the day, the link with ?date=, data version, access date."""
    from geo.describe import citation
    from layers.words import default_title

    with st.expander("Cite this view"):
        first, last = tl.days[0].date(), tl.days[-1].date()
        title = st.session_state.get("snap_title") or default_title("en", first, last, ds.settings)
        st.code(citation(title, day, _base_url(), ds.digest, dt.date.today()), language=None, wrap_lines=True)


@st.cache_data(max_entries=8, show_spinner="Preparing the download…")
def data_file(digest: str, what: str, day: dt.date | None, _ds: Dataset, _tl: Timeline) -> bytes:
    """One download of the record, built on request (``geo.exports``, ``geo.datapackage``, ``geo.acled``)."""
    from geo import acled, datapackage, exports

    makers = {
        "day_csv": lambda: exports.day_csv(_ds, _tl, day).encode(),
        "day_geojson": lambda: exports.day_geojson_text(_ds, _tl, day).encode(),
        "package": lambda: datapackage.package_zip(_ds),
        "acled": lambda: acled.acled_csv(_ds, _tl).encode(),
        "intervals_csv": lambda: exports.intervals_csv(_ds, _tl).encode(),
        "intervals_parquet": lambda: exports.intervals_parquet(_ds, _tl),
    }
    return makers[what]()


DOWNLOADS = (
    ("day_csv", "The day's states (CSV)", "states-{day}.csv", "text/csv"),
    (
        "day_geojson",
        "The day's states with claims and sources (GeoJSON)",
        "states-{day}.geojson",
        "application/geo+json",
    ),
    ("package", "The whole record (Frictionless data package, zip)", "record-datapackage.zip", "application/zip"),
    ("acled", "Control changes, ACLED-shaped (CSV)", "control-changes-acled.csv", "text/csv"),
    ("intervals_csv", "Each district's states as intervals (CSV)", "state-intervals.csv", "text/csv"),
    (
        "intervals_parquet",
        "Each district's states as intervals (GeoParquet)",
        "state-intervals.parquet",
        "application/octet-stream",
    ),
)


def show_data(ds: Dataset, tl: Timeline, digest: str, day: dt.date) -> None:
    """Get the data behind the view: each file built when asked for."""
    with st.expander("Get the data"):
        choice = st.selectbox(
            "File", [d[1] for d in DOWNLOADS], key="data_choice", index=None, placeholder="Choose what to download"
        )
        for what, text, name, mime in DOWNLOADS:
            if choice == text:
                st.download_button(
                    f"Download: {text}", data_file(digest, what, day, ds, tl), name.format(day=day.isoformat()), mime
                )


@st.cache_data(max_entries=8, show_spinner=False)
def about_sections(digest: str, _ds: Dataset, _tl: Timeline) -> list[dict]:
    """How the map is made (``geo.describe.about``): once per data content, not on every step."""
    from geo.describe import about

    return about(_ds, tl=_tl)


def show_about(ds: Dataset, tl: Timeline, digest: str) -> None:
    """How the map is made, generated from the data, as plain text."""
    with st.expander("About this map"):
        for section in about_sections(digest, ds, tl):
            st.markdown(f"**{_plain(section['heading'])}**")
            for paragraph in section["paragraphs"]:
                st.text(paragraph)


def _plain(text: str) -> str:
    """Text for Markdown with every Markdown and HTML character escaped."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>~" else ch for ch in str(text))


def show(ds: Dataset, tl: Timeline, digest: str, day: dt.date, basemap: str) -> None:
    """Every publishing section, under the panels. The day's caption is on the map itself (its
    footer), so a step costs no text generation here."""
    show_share(ds, tl, digest, day, basemap)
    show_compare(ds, tl, digest, day)
    show_cite(ds, tl, day)
    show_data(ds, tl, digest, day)
    show_about(ds, tl, digest)
