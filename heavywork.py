"""The app's heavy work, done in the worker process (``limits.Worker``), never in a reader's session:
snapshot pages, comparisons, data files and PNGs.

A job is data, not a closure: ``Job(kind, folder, digest, args)``, so it crosses to the worker
process. The worker runs at a lower priority than the server (``lower_priority``), so heavy work
takes only the CPU that readers leave, and holds none of the server's Python lock; it loads the data
itself, once per content (``digest``), and refuses a job for data whose files have changed since.
No Streamlit here.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geo.load import Dataset
    from geo.timeline import Timeline

#: The PNG's size: CSS pixels and scale.
PNG_SIZE = {"width": 1200, "height": 800, "scale": 2}
#: How much lower than the server the worker process runs (``os.nice``).
NICENESS = 10


class StaleData(Exception):
    """The data's files are no longer the content the job was asked for."""

    reader_message = (
        "The data files have changed since this page was drawn, or have errors: reload the page, or ask "
        "again once they are valid."
    )


@dataclass(frozen=True)
class Job:
    """One piece of heavy work: its ``kind`` (a key of ``MAKERS``), the data folder and content
    digest it is made from (``""`` for a job that needs no data) and its other inputs."""

    kind: str
    folder: str
    digest: str
    args: tuple

    def __call__(self) -> Any:
        return run(self)


def snapshot(ds: Dataset, tl: Timeline, day: dt.date, basemap: str, title: str, byline: str, link: str, accessed):
    """The snapshot page for ``day`` (``snapshot.render_html``): the same map, every day inlined."""
    from snapshot import render_html

    return render_html(ds, tl, day, basemap=basemap, title=title or None, byline=byline, link=link, accessed=accessed)


def comparison(ds: Dataset, tl: Timeline, d1: dt.date, d2: dt.date, title: str, byline: str):
    """The comparison page, its CSV and its rows (``snapshot.render_compare_html``, ``geo.compare``)."""
    from geo.compare import compare_csv
    from snapshot import change_rows, render_compare_html

    html = render_compare_html(ds, tl, d1, d2, title=title or None, byline=byline)
    return html, compare_csv(ds, tl, d1, d2), change_rows(ds, tl, d1, d2, "en")


def data_file(ds: Dataset, tl: Timeline, what: str, day: dt.date | None) -> bytes:
    """One download of the record (``geo.exports``, ``geo.datapackage``, ``geo.acled``)."""
    from geo import acled, datapackage, exports

    makers: dict[str, Callable[[], bytes]] = {
        "day_csv": lambda: exports.day_csv(ds, tl, day).encode(),
        "day_geojson": lambda: exports.day_geojson_text(ds, tl, day).encode(),
        "package": lambda: datapackage.package_zip(ds),
        "acled": lambda: acled.acled_csv(ds, tl).encode(),
        "intervals_csv": lambda: exports.intervals_csv(ds, tl).encode(),
        "intervals_parquet": lambda: exports.intervals_parquet(ds, tl),
    }
    return makers[what]()


def png(html: str) -> bytes:
    """The PNG of a page (``snapshot.render_png_bytes``: a browser, started for it and closed)."""
    from snapshot import render_png_bytes

    return render_png_bytes(html, **PNG_SIZE)


#: Each kind of job, and whether it needs the data.
MAKERS: dict[str, tuple[Callable[..., Any], bool]] = {
    "snapshot": (snapshot, True),
    "compare": (comparison, True),
    "data": (data_file, True),
    "png": (png, False),
}
_LOADED: dict[tuple[str, str], tuple[Dataset, Timeline]] = {}


def loaded(folder: str, digest: str) -> tuple[Dataset, Timeline]:
    """The data in ``folder`` when its content is ``digest`` (loaded once per content)."""
    from geo.files import data_digest
    from geo.load import check_dataset
    from geo.timeline import timeline_for

    if (folder, digest) not in _LOADED:
        if data_digest(Path(folder)) != digest:
            raise StaleData(folder)
        ds, _ = check_dataset(folder)
        if ds is None or ds.digest != digest:
            raise StaleData(folder)
        _LOADED.clear()  # one content at a time: the worker's memory stays that of one data set
        _LOADED[(folder, digest)] = (ds, timeline_for(ds))
    return _LOADED[(folder, digest)]


def run(job: Job) -> Any:
    """Do ``job`` (in the worker process)."""
    make, needs_data = MAKERS[job.kind]
    return make(*loaded(job.folder, job.digest), *job.args) if needs_data else make(*job.args)


def lower_priority() -> None:
    """Run the worker process below the server, so heavy work waits for readers."""
    os.nice(NICENESS)
