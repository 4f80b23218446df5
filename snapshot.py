"""Article snapshots: a self-contained scrubbable HTML page and a PNG rendered from it.

    python snapshot.py --date 2016-12-13 --html a.html --png a.png
    python snapshot.py --all-days pngs/ --gif offensive.gif --lang ar

The PNG is drawn by headless Chromium (Playwright driving Debian's /usr/bin/chromium). Without
it the command stops with an error that says how to install it; it never falls back silently.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from geo.constants import LANGS
from geo.load import Dataset, check_dataset
from geo.timeline import Timeline, timeline_for
from layers.control_map import render_page
from layers.payload import build_payload
from layers.style import BASEMAPS, TILES
from layers.words import default_title

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "Install Debian's Chromium and the fonts it needs with "
    "`sudo apt-get install chromium fonts-noto-core fonts-dejavu-core` "
    "(scripts/test.sh does this), and Playwright with `pip install -r requirements.txt`."
)
#: How long to wait for optional street tiles before taking the picture anyway (ms).
TILE_WAIT_MS = 8000
DEFAULT_SIZE = (1200, 800)
GIF_FRAME_MS, GIF_LAST_MS = 700, 2500
#: The page's map, as the runtime registers it.
MAP = "window.ControlMap && window.ControlMap.instances[0]"


def render_html(
    ds: Dataset,
    timeline: Timeline,
    day: dt.date | str | pd.Timestamp,
    *,
    title: str | None = None,
    lang: str = "en",
    basemap: str = "none",
    static: bool = False,
    byline: str = "",
    link: str = "",
    accessed: dt.date | None = None,
) -> str:
    """The self-contained page of the map opening on ``day`` (``static``: that day only, no control).

    The same folium plugin and payload as the app's map; Leaflet and the data are inlined, so
    the file scrubs offline with no server. ``byline`` goes under the title; the citation line of
    each day names ``link`` (e.g. the app's address) and the ``accessed`` date (default: today).
    """
    from geo.describe import about

    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}.")
    if basemap not in BASEMAPS:
        raise ValueError(f"basemap must be one of {', '.join(BASEMAPS)}, not {basemap!r}.")
    start = timeline.day_index(day)
    days = timeline.days[start : start + 1] if static else timeline.days
    first, last = timeline.days[0].date(), timeline.days[-1].date()
    title = title or default_title(lang, first, last, ds.settings)
    cite = {"title": title, "url": link, "accessed": accessed or dt.date.today()}
    payload = build_payload(
        ds, timeline, lang=lang, days=days, start=0 if static else start, tiles=basemap == "streets", cite=cite
    )
    return render_page(
        payload, title=title, static=static, hash=not static, byline=byline, about=about(ds, lang, tl=timeline)
    )


def change_rows(ds: Dataset, timeline: Timeline, d1, d2, lang: str) -> list[list[str]]:
    """The rows of a comparison's list: district, state before and after, each claim and its source."""
    from geo.compare import compare
    from geo.vocabulary import label
    from layers.words import day_label

    titles = dict(zip(ds.sources["key"], ds.sources["title"], strict=True))
    name = "name_ar" if lang == "ar" else "name"

    def said(word) -> str:
        return label(str(word), lang, ds.settings)

    def state(word, share, holder) -> str:
        text = said(word)
        return f"{text} ({said(holder)} {share:.0%})" if word == "split" and pd.notna(share) else text

    rows = []
    for r in compare(ds, timeline, d1, d2).to_dict("records"):
        claim = ""
        if pd.notna(r["date"]):
            part = f" {r['share']:.0%}" if pd.notna(r["share"]) else ""
            who = f" ({r['claimant']})" if r.get("claimant") else ""
            note = f": {r['note']}" if r.get("note") else ""
            claim = f"{day_label(r['date'].date(), lang)} — {said(r['controller'])}{part}{who}{note}"
        sources = [titles.get(k, k) for k in [r.get("source"), *str(r.get("cites") or "").split(";")] if k]
        rows.append(
            [
                r[name] or r["name"],
                state(r["from_state"], r["from_share"], r["from_holder"]),
                state(r["to_state"], r["to_share"], r["to_holder"]),
                claim,
                "; ".join(sources),
            ]
        )
    return rows


def render_compare_html(
    ds: Dataset, timeline: Timeline, d1, d2, *, title: str | None = None, lang: str = "en", byline: str = ""
) -> str:
    """Two days side by side, the districts that changed between them outlined, and the list of
    changes with the claims and sources behind each (one self-contained page)."""
    from geo.describe import about, compare_caption
    from layers.control_map import ChangeList, render_compare
    from layers.words import day_label, words

    i1, i2 = timeline.day_index(d1), timeline.day_index(d2)
    if i1 >= i2:
        raise ValueError(
            f"--compare: the first day ({timeline.days[i1].date()}) must come before the second "
            f"({timeline.days[i2].date()})."
        )
    w = words(lang, ds.settings)
    labels = {"d1": day_label(timeline.days[i1].date(), lang), "d2": day_label(timeline.days[i2].date(), lang)}
    title = title or w["compare_title"].format(**labels)
    before = build_payload(ds, timeline, lang=lang, days=timeline.days[i1 : i1 + 1])
    after = build_payload(ds, timeline, lang=lang, days=timeline.days[i2 : i2 + 1], changed_since=timeline.days[i1])
    changes = ChangeList(
        heading=w["changes"],
        caption=compare_caption(ds, timeline, d1, d2, lang),
        head=w["change_head"].split("|"),
        rows=change_rows(ds, timeline, d1, d2, lang),
        empty=w["no_changes"],
        dir="rtl" if lang == "ar" else "ltr",
    )
    return render_compare(before, after, changes, title=title, byline=byline, about=about(ds, lang, tl=timeline))


class SnapshotError(RuntimeError):
    """A snapshot could not be made; the message says why and what to do."""


class PngRenderer:
    """A warm headless Chromium that renders snapshot pages to PNG (use as a context manager).

    Keep one open to render many pictures: launching the browser is most of a cold render.
    Playwright's sync API must stay on the thread that opened it.
    """

    def __init__(self, executable: str | None = None) -> None:
        self.executable = executable or CHROMIUM
        self._pw = self._browser = None

    def __enter__(self) -> PngRenderer:
        if not os.path.exists(self.executable):
            raise SnapshotError(f"Chromium was not found at {self.executable}. {INSTALL_HINT}")
        try:
            from playwright.sync_api import Error, sync_playwright
        except ImportError as exc:
            raise SnapshotError(f"Playwright is not installed ({exc}). {INSTALL_HINT}") from exc
        self._pw = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.launch(executable_path=self.executable, args=CHROMIUM_ARGS)
        except Error as exc:
            self._pw.stop()
            raise SnapshotError(
                f"Chromium at {self.executable} did not start: {str(exc).splitlines()[0]}. {INSTALL_HINT}"
            ) from exc
        return self

    def __exit__(self, *exc_info) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._pw is not None:
            self._pw.stop()
        self._browser = self._pw = None

    def open(self, html: str, *, width: int, height: int, scale: float):
        """A page showing ``html`` in print mode, ready for screenshots (close its context after)."""
        if self._browser is None:
            raise SnapshotError("PngRenderer is not open; use it in a `with` block.")
        tiles = TILES["url"] in html
        ctx = self._browser.new_context(
            viewport={"width": int(width), "height": int(height)}, device_scale_factor=float(scale), offline=not tiles
        )
        page = ctx.new_page()
        page.set_content(html, wait_until="load")
        page.wait_for_function(f"{MAP} && {MAP}.ready", timeout=15000)
        page.evaluate(f"{MAP}.print(true)")
        if tiles:
            try:
                page.wait_for_function(f"{MAP}.status.tiles", timeout=TILE_WAIT_MS)
            except Exception:  # noqa: BLE001 - tiles are optional; the districts are drawn regardless
                pass
        page.evaluate("document.fonts.ready")
        _settle(page)
        return page

    def render(
        self, html: str, out_path: Path | str | None = None, *, width: int, height: int, scale: float = 1.0
    ) -> bytes:
        """Render ``html`` to PNG bytes (also written to ``out_path`` when given)."""
        page = self.open(html, width=width, height=height, scale=scale)
        try:
            png = page.screenshot(type="png")
        finally:
            page.context.close()
        if out_path is not None:
            Path(out_path).write_bytes(png)
        return png

    def frames(self, html: str, *, width: int, height: int, scale: float = 1.0) -> Iterator[tuple[str, bytes]]:
        """(ISO day, PNG bytes) for every day of the page's slider, from one loaded page."""
        page = self.open(html, width=width, height=height, scale=scale)
        try:
            for i, day in enumerate(page.evaluate(f"{MAP}.days")):
                page.evaluate(f"{MAP}.setDay({i})")
                _settle(page)
                yield day, page.screenshot(type="png")
        finally:
            page.context.close()


def _settle(page) -> None:
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def off_event_loop(job: Callable[[], object]):
    """Run ``job`` here, or in a worker thread when this thread runs an asyncio loop.

    Playwright's sync API refuses to start inside a running loop (Jupyter, another
    Playwright session); a fresh thread has none.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return job()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(job).result()


def render_png_bytes(html: str, *, width: int, height: int, scale: float) -> bytes:
    """The PNG as bytes (for a download button), from a cold browser."""

    def job() -> bytes:
        with PngRenderer() as renderer:
            return renderer.render(html, width=width, height=height, scale=scale)

    return off_event_loop(job)


def render_png(html: str, out_path: Path | str, *, width: int, height: int, scale: float) -> None:
    """Render ``html`` to a PNG of ``width`` x ``height`` CSS pixels at ``scale`` (cold browser)."""
    Path(out_path).write_bytes(render_png_bytes(html, width=width, height=height, scale=scale))


def write_gif(
    pngs: Sequence[bytes],
    out_path: Path | str,
    *,
    size: tuple[int, int] | None = None,
    frame_ms: int = GIF_FRAME_MS,
    last_ms: int = GIF_LAST_MS,
) -> None:
    """An animated GIF with one frame per PNG (the last held longer; ``size`` scales), with Pillow."""
    from PIL import Image

    if not pngs:
        raise SnapshotError("no frames to write.")
    frames = []
    for png in pngs:
        img = Image.open(io.BytesIO(png)).convert("RGB")
        if size and img.size != tuple(size):
            img = img.resize(size, Image.Resampling.LANCZOS)
        frames.append(img.quantize(colors=128, dither=Image.Dither.NONE))
    durations = [frame_ms] * (len(frames) - 1) + [last_ms]
    frames[0].save(
        out_path, save_all=True, append_images=frames[1:], duration=durations, loop=0, disposal=1, optimize=False
    )


def _day(text: str | None, tl: Timeline) -> dt.date:
    if text is None:
        return tl.days[-1].date()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise SnapshotError(f"--date {text!r} is not a date in YYYY-MM-DD form, e.g. 2016-12-13.") from None
    tl.day_index(day)  # ValueError naming the range when outside it
    return day


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python snapshot.py",
        description="Write article snapshots of "
        "the control map of a data folder: a self-contained HTML page and PNG pictures.",
    )
    ap.add_argument("--date", help="day to show, YYYY-MM-DD (default: the last day of the record)")
    ap.add_argument("--html", type=Path, help="write the scrubbable page here")
    ap.add_argument("--png", type=Path, help="write a picture of the day here")
    ap.add_argument("--data", default="data", help="data folder (default: data)")
    ap.add_argument("--width", type=int, default=DEFAULT_SIZE[0], help="picture width in CSS px (1200)")
    ap.add_argument("--height", type=int, default=DEFAULT_SIZE[1], help="picture height in CSS px (800)")
    ap.add_argument(
        "--scale",
        type=float,
        help="device pixel ratio (default 2 for --png and --all-days; the GIF is then width x height)",
    )
    ap.add_argument("--title", help="title shown on the map (default: a neutral title)")
    ap.add_argument("--byline", default="", help="byline or credit line under the title, e.g. 'Map: A. Editor / Desk'")
    ap.add_argument("--link", default="", help="address the citation line gives (e.g. the app's URL)")
    ap.add_argument("--lang", choices=LANGS, default="en", help="labels and legend language")
    ap.add_argument(
        "--basemap",
        choices=BASEMAPS,
        default="none",
        help="street tiles behind the districts (optional; needs the network)",
    )
    ap.add_argument("--static", action="store_true", help="pin the page to --date, without a slider")
    ap.add_argument("--all-days", type=Path, metavar="DIR", help="write one PNG per day into DIR")
    ap.add_argument(
        "--compare",
        nargs=2,
        metavar=("D1", "D2"),
        help="two days side by side with the changes between them (--html, --png, --csv)",
    )
    ap.add_argument("--csv", type=Path, help="with --compare: write the list of changes and their claims here")
    ap.add_argument("--gif", type=Path, metavar="OUT", help="write the offensive as an animated GIF")
    return ap


def write_text_beside(png: Path, ds: Dataset, tl: Timeline, day: dt.date, args: argparse.Namespace) -> Path:
    """The PNG's text alternative (``a.png`` -> ``a.txt``): the day described, the states, the citation."""
    from geo.describe import citation, text_file
    from layers.words import default_title

    title = args.title or default_title(args.lang, tl.days[0].date(), tl.days[-1].date(), ds.settings)
    cite = citation(title, day, args.link, ds.digest, dt.date.today(), args.lang)
    out = Path(png).with_suffix(".txt")
    out.write_text(text_file(ds, tl, day, args.lang, cite=cite), encoding="utf-8")
    return out


def _check_args(ap: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if not (args.html or args.png or args.all_days or args.gif or args.csv):
        ap.error("say what to write: --html, --png, --all-days, --gif (or, with --compare, --csv).")
    if args.csv and not args.compare:
        ap.error("--csv goes with --compare D1 D2.")
    if args.compare and (args.all_days or args.gif):
        ap.error("--compare writes --html, --png and --csv, not --all-days or --gif.")
    if not (100 <= args.width <= 8000 and 100 <= args.height <= 8000):
        ap.error("--width and --height must be between 100 and 8000 pixels.")
    if args.scale is not None and not 0.5 <= args.scale <= 4:
        ap.error("--scale must be between 0.5 and 4.")


def _load(data: str) -> tuple[Dataset, Timeline] | None:
    ds, problems = check_dataset(data)
    if ds is None:
        for p in problems:
            if p.severity == "error":
                print(p, file=sys.stderr)
        print(f"{data}: the data has errors; run `python -m geo.validate {data}`.", file=sys.stderr)
        return None
    return ds, timeline_for(ds)


def run_compare(args: argparse.Namespace, ds: Dataset, tl: Timeline) -> list[Path]:
    """The two-day comparison: HTML, PNG and the CSV of the changes, as asked."""
    from geo.compare import compare_csv

    d1, d2 = (_day(text, tl) for text in args.compare)
    html = render_compare_html(ds, tl, d1, d2, title=args.title, lang=args.lang, byline=args.byline)
    written = []
    if args.html:
        args.html.write_text(html, encoding="utf-8")
        written.append(args.html)
    if args.csv:
        args.csv.write_text(compare_csv(ds, tl, d1, d2), encoding="utf-8")
        written.append(args.csv)
    if args.png:
        with PngRenderer() as renderer:
            renderer.render(html, args.png, scale=args.scale or 2, width=args.width, height=args.height)
        written.append(args.png)
    return written


def run(args: argparse.Namespace, ds: Dataset, tl: Timeline) -> list[Path]:
    """Write every output asked for; return their paths."""
    if args.compare:
        return run_compare(args, ds, tl)
    day = _day(args.date, tl)
    opts = {"title": args.title, "lang": args.lang, "basemap": args.basemap, "byline": args.byline, "link": args.link}
    html = render_html(ds, tl, day, static=args.static, **opts)
    written = []
    if args.html:
        args.html.write_text(html, encoding="utf-8")
        written.append(args.html)
    if not (args.png or args.all_days or args.gif):
        return written
    size = {"width": args.width, "height": args.height}
    with PngRenderer() as renderer:
        if args.png:
            renderer.render(html, args.png, scale=args.scale or 2, **size)
            written.append(args.png)
            written.append(write_text_beside(args.png, ds, tl, day, args))
        if args.all_days or args.gif:
            scrub = html if not args.static else render_html(ds, tl, day, **opts)
            pngs = []
            if args.all_days:
                args.all_days.mkdir(parents=True, exist_ok=True)
            for iso, png in renderer.frames(scrub, scale=args.scale or (2 if args.all_days else 1), **size):
                if args.all_days:
                    (args.all_days / f"{iso}.png").write_bytes(png)
                pngs.append(png)
            if args.all_days:
                written.append(args.all_days)
            if args.gif:
                write_gif(pngs, args.gif, size=(args.width, args.height) if not args.scale else None)
                written.append(args.gif)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = parser()
    args = ap.parse_args(argv)
    _check_args(ap, args)
    loaded = _load(args.data)
    if loaded is None:
        return 1
    try:
        written = off_event_loop(lambda: run(args, *loaded))
    except (SnapshotError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3 if isinstance(exc, SnapshotError) and "Chromium" in str(exc) else 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
