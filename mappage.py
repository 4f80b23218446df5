"""The app's map page on disk: built once per data content, basemap and code, found again by any
server (even a restarted one) before it loads the data.

``python -m mappage [--data DIR] [--basemap none|streets]`` builds the page ahead of the first
visit (``scripts/run-app.sh`` does it before starting the server), so no reader waits for it.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geo.load import Dataset
    from geo.timeline import Timeline

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
#: Map page files (static/cache, one per data content and basemap) older than this are removed.
PAGE_MAX_AGE_S = 7 * 24 * 3600


def write_static(name: str, text: str) -> str:
    """Write ``text`` under static/cache as ``name-<content hash>.html``; return the file's name."""
    folder = STATIC / "cache"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.html"
    if not path.exists():
        for stale in folder.glob(f"{name}-*.html"):
            if time.time() - stale.stat().st_mtime > PAGE_MAX_AGE_S:
                stale.unlink(missing_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    else:
        path.touch()  # in use again: not stale
    return path.name


@functools.cache
def code_version() -> str:
    """A digest of the code that draws the map: a page built by other code is never reused."""
    h = hashlib.sha256(Path(__file__).read_bytes())  # this file builds the page
    for folder in ("geo", "layers"):
        for path in sorted((HERE / folder).rglob("*")):
            if path.suffix in (".py", ".js", ".css") and "__pycache__" not in path.parts:
                h.update(path.read_bytes())
    return h.hexdigest()[:16]


def page_index(digest: str, basemap: str) -> Path:
    """Where the page built for this data content, basemap and code is recorded."""
    key = hashlib.sha256(f"{digest}|{basemap}|{code_version()}".encode()).hexdigest()[:16]
    return STATIC / "cache" / f"page-{key}.json"


def cached_page(digest: str, basemap: str) -> dict | None:
    """The map page already built for this data content, basemap and code, if any."""
    try:
        page = json.loads(page_index(digest, basemap).read_text(encoding="utf-8"))
        return page if (STATIC / "cache" / page["file"]).exists() else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def build_page(ds: Dataset, tl: Timeline, digest: str, basemap: str) -> dict:
    """Build the map page (the snapshot page with every day), write it and record it; return
    ``{file, first, last, label}``."""
    from layers.control_map import render_page
    from layers.payload import build_payload
    from layers.words import default_title

    first, last = tl.days[0].date(), tl.days[-1].date()
    payload = build_payload(ds, tl, tiles=basemap == "streets")
    html = render_page(payload, title=default_title("en", first, last, ds.settings), sources=False)
    page = {
        "file": write_static("map", html),
        "first": first.isoformat(),
        "last": last.isoformat(),
        "label": payload["words"]["map_label"],
    }
    index = page_index(digest, basemap)
    tmp = index.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(page), encoding="utf-8")
    tmp.replace(index)
    return page


def main(argv: list[str] | None = None) -> int:
    """Build the app's map page for a data folder (the app's own ``--data DIR`` or $MAP_DATA; other
    arguments of the app are ignored) unless it is already on disk."""
    from geo.files import data_digest, data_dir_from_argv
    from geo.load import check_dataset
    from geo.timeline import timeline_for
    from layers.style import BASEMAPS

    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(prog="python -m mappage", description=main.__doc__)
    ap.add_argument("--data", help="data folder (default: $MAP_DATA, else the bundled data)")
    ap.add_argument("--basemap", choices=BASEMAPS, default="none")
    args, _ = ap.parse_known_args(argv)
    folder = data_dir_from_argv(argv, HERE / "data")
    if not folder.is_dir():
        print(f"mappage: no data folder at {folder}; the app will say so.", file=sys.stderr)
        return 1
    digest = data_digest(folder)
    if cached_page(digest, args.basemap):
        print("mappage: the map page for this data and code is already built.")
        return 0
    ds, _problems = check_dataset(folder)
    if ds is None:
        print(f"mappage: {folder.name} has errors; the app lists them. Nothing built.", file=sys.stderr)
        return 1
    page = build_page(ds, timeline_for(ds), digest, args.basemap)
    print(f"mappage: built static/cache/{page['file']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
