"""The app's sections for publishing: share or download the view, compare two days, cite it, get
the data, and read how the map is made. Streamlit widgets only; the content comes from ``geo``
(``describe``, ``exports``, ``datapackage``, ``acled``, ``compare``) and ``snapshot``.

Every file made for a reader (a snapshot page, a comparison, a data file, a PNG) is a job of the
one worker (``limits.WORKER``: one job at a time, in a process of its own below the server's
priority, limits per session, cached under every input; ``heavywork`` makes them); PNGs, which
need a browser on the server, only where the operator allows them. The address in citations and
snippets is the operator's (``--public-url`` or ``MAP_PUBLIC_URL``), never the one the client's
page reports. A reader's title and byline are checked before they are used."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import streamlit as st

import guard
import limits
from geo.escape import markdown_text
from heavywork import Job

if TYPE_CHECKING:
    from geo.load import Dataset
    from geo.problems import Problem
    from geo.timeline import Timeline

#: Height of a snapshot or comparison shown inside the app.
PREVIEW_HEIGHT = 820
SHARE = "Share or download this view"
#: Said where a link to this map would be, when the operator set no public address.
NO_ADDRESS = (
    "No public address set, so there is no link to this map here: the operator gives it with "
    "`--public-url URL` or `MAP_PUBLIC_URL` (the address the page reports is never used)."
)
#: Said where the PNG buttons would be, when this server makes no PNG for readers.
NO_PNG = (
    "No PNG here: a PNG is drawn by a browser on the server, and this server runs none for "
    "readers. The HTML snapshot needs none (a screenshot of it is a picture). The operator "
    "allows PNGs with `--browser-work everyone` (or `editors`: on a server with editing on) or "
    "`MAP_BROWSER_WORK`; they are made one at a time."
)


@dataclass(frozen=True)
class View:
    """What the sections are made from: the data (its folder and content digest), the reader's
    day and basemap, and the operator's settings."""

    ds: Dataset
    tl: Timeline
    folder: str
    digest: str
    day: dt.date
    basemap: str
    settings: guard.Operator

    def job(self, kind: str, *args: Any) -> Job:
        """A job of ``kind`` made from this data, with ``args`` its other inputs."""
        return Job(kind, self.folder, self.digest, args)


def reader_key() -> str:
    """This session's key for the app's limits: a random token kept in its state."""
    key = st.session_state.get("_reader")
    if not isinstance(key, str):
        key = st.session_state["_reader"] = secrets.token_urlsafe(12)
    return key


def heavy(job: Job, doing: str) -> Any:
    """The job's result from the one worker (``limits.WORKER``; the job, every input of it, is its
    own cache key), or None with the reason shown."""
    if job in limits.WORKER.results:
        outcome = limits.WORKER.run(reader_key(), job, job)
    else:
        with st.spinner(doing):
            outcome = limits.WORKER.run(reader_key(), job, job)
    if outcome.refused:
        st.info(outcome.refused)
    return outcome.value


def reader_texts() -> tuple[str, str, list[Problem]]:
    """The reader's title and byline (``snap_title``, ``snap_byline``) and what is wrong with them."""
    title, bad_title = guard.client_text(
        st.session_state.get("snap_title", ""), form=SHARE, field="Title on the snapshot", max_chars=guard.TITLE_MAX
    )
    byline, bad_byline = guard.client_text(
        st.session_state.get("snap_byline", ""), form=SHARE, field="Byline or credit line", max_chars=guard.BYLINE_MAX
    )
    return title, byline, [p for p in (bad_title, bad_byline) if p]


def show_problems(problems: list[Problem]) -> None:
    """Each problem with the reader's text as one line (its text escaped: no Markdown forms)."""
    for problem in problems:
        st.warning(markdown_text(str(problem)))


def embed_link(public_url: str, day: dt.date) -> str:
    """The operator's address opening ``day`` in the embed view."""
    from geo.describe import link_for

    return link_for(public_url, day) + "&embed=true"


def alt_text(view: View) -> str:
    """The day's text alternative (``geo.describe``), written when a PNG is made."""
    from geo.describe import alt_text as write

    return limits.DERIVED.get(("alt_text", view.digest, view.day), lambda: write(view.ds, view.tl, view.day))


def show_share(view: View) -> None:
    """Snapshot downloads (HTML, and a PNG with its text where the operator allows it), with a
    title and byline; embed snippets."""
    from layers.style import iframe_snippet

    day, settings = view.day, view.settings
    with st.expander(SHARE):
        st.text_input(
            "Title on the snapshot", key="snap_title", placeholder="(a neutral title)", max_chars=guard.TITLE_MAX
        )
        st.text_input(
            "Byline or credit line", key="snap_byline", placeholder="Map: your name / desk", max_chars=guard.BYLINE_MAX
        )
        title, byline, problems = reader_texts()
        show_problems(problems)
        if settings.public_url:
            snippet = iframe_snippet(
                embed_link(settings.public_url, day), title=f"Who held each district, {day.isoformat()}", height=760
            )
            st.code(snippet, language="html")
        else:
            st.caption(NO_ADDRESS)
        if problems or not st.toggle("Prepare snapshot files for this day", key="snap"):
            return
        # the access date is an input too: a page cached yesterday says yesterday
        job = view.job("snapshot", day, view.basemap, title, byline, settings.public_url, dt.date.today())
        if (html := heavy(job, "Writing the snapshot…")) is None:
            return
        name = f"map-{day.isoformat()}"
        st.download_button("Download HTML", html, f"{name}.html", "text/html", on_click="ignore")
        st.caption("Self-hosted embed (no server behind it): upload the HTML next to your article and paste")
        st.code(
            f'<iframe src="{name}.html" title="{day.isoformat()}" width="100%" height="760" '
            'style="border:0" loading="lazy"></iframe>',
            language="html",
        )
        if not settings.browser_allowed:
            st.caption(NO_PNG)
        elif st.button("Make PNG") and (png := heavy(Job("png", "", "", (html,)), "Drawing the PNG…")) is not None:
            st.download_button("Download PNG", png, f"{name}.png", "image/png", on_click="ignore")
            st.download_button(
                "Download the PNG's text alternative", alt_text(view), f"{name}.txt", "text/plain", on_click="ignore"
            )


def compare_days(tl: Timeline, day: dt.date) -> tuple[dt.date, dt.date] | None:
    """The two days the reader chose (``cmp_from``, ``cmp_to``), or None with what to do instead."""
    days = [d.date() for d in tl.days]
    left, right = st.columns(2)
    default = days[max(0, days.index(day) - 7)] if day in days else days[0]
    d1 = left.date_input("From", value=default, min_value=days[0], max_value=days[-1], key="cmp_from")
    d2 = right.date_input("To", value=day, min_value=days[0], max_value=days[-1], key="cmp_to")
    # the widgets' values come from the client: each must be one day inside the record
    if not (isinstance(d1, dt.date) and isinstance(d2, dt.date) and days[0] <= min(d1, d2) <= max(d1, d2) <= days[-1]):
        st.info(f"Choose two days from {days[0]:%d %b %Y} to {days[-1]:%d %b %Y}.")
        return None
    if d1 >= d2:
        st.info("Choose a first day before the second.")
        return None
    return d1, d2


def show_compare(view: View) -> None:
    """Two days side by side with the changes between them and their sources; HTML, CSV, PNG."""
    with st.expander("Compare two days"):
        chosen = compare_days(view.tl, view.day)
        if chosen is None or not st.toggle("Show the comparison", key="cmp_show"):  # built when asked for
            return
        title, byline, problems = reader_texts()
        if problems:
            show_problems(problems)
            return
        if (built := heavy(view.job("compare", *chosen, title, byline), "Comparing the two days…")) is None:
            return
        html, csv_text, rows = built
        st.iframe(html, height=PREVIEW_HEIGHT)  # the whole comparison page, every text escaped
        st.dataframe(
            [dict(zip(("District", "From", "To", "Claim", "Source"), r, strict=True)) for r in rows], hide_index=True
        )
        name = f"compare-{chosen[0].isoformat()}-{chosen[1].isoformat()}"
        a, b, c = st.columns(3)
        a.download_button("Download the comparison (HTML)", html, f"{name}.html", "text/html", on_click="ignore")
        b.download_button("Download the changes (CSV)", csv_text, f"{name}.csv", "text/csv", on_click="ignore")
        if not view.settings.browser_allowed:
            c.caption(NO_PNG)
        elif c.button("Make PNG of the comparison") and (png := heavy(Job("png", "", "", (html,)), "Drawing…")):
            c.download_button("Download PNG", png, f"{name}.png", "image/png", on_click="ignore")


def show_cite(view: View) -> None:
    """A citation line ready to paste: title, the day, the operator's link with ?date=, data
    version, access date (with no public address set, the line says so instead of a link)."""
    from geo.describe import citation
    from layers.words import default_title

    ds, tl, url = view.ds, view.tl, view.settings.public_url
    with st.expander("Cite this view"):
        first, last = tl.days[0].date(), tl.days[-1].date()
        title = reader_texts()[0] or default_title("en", first, last, ds.settings)  # a bad title is said above
        line = citation(title, view.day, url, ds.digest, dt.date.today())
        st.code(line if url else f"{line} [no public address set]", language=None, wrap_lines=True)
        if not url:
            st.caption(NO_ADDRESS)


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


def show_data(view: View) -> None:
    """Get the data behind the view: each file made when asked for (the day is an input only of a
    day's file)."""
    with st.expander("Get the data"):
        choice = st.selectbox(
            "File", [d[1] for d in DOWNLOADS], key="data_choice", index=None, placeholder="Choose what to download"
        )
        for what, text, name, mime in DOWNLOADS:
            if choice != text:
                continue
            job = view.job("data", what, view.day if what.startswith("day_") else None)
            if (data := heavy(job, "Preparing the download…")) is not None:
                file_name = name.format(day=view.day.isoformat())
                st.download_button(f"Download: {text}", data, file_name, mime, on_click="ignore")


def about_sections(view: View) -> list[dict]:
    """How the map is made (``geo.describe.about``): once per data content, not on every step."""
    from geo.describe import about

    return limits.DERIVED.get(("about", view.digest), lambda: about(view.ds, tl=view.tl))


def show_about(view: View) -> None:
    """How the map is made, generated from the data, as plain text."""
    with st.expander("About this map"):
        for section in about_sections(view):
            st.markdown(f"**{markdown_text(section['heading'])}**")
            for paragraph in section["paragraphs"]:
                st.text(paragraph)


def show(view: View) -> None:
    """Every publishing section, under the panels. The day's caption is on the map itself (its
    footer), so a step costs no text generation here."""
    show_share(view)
    show_compare(view)
    show_cite(view)
    show_data(view)
    show_about(view)
