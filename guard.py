"""What the public app takes from outside: the operator's settings, and what a client sends.

The public app is for reading. Nothing here imports Streamlit, so each check is tested alone; the
app (``app.py``, ``newsroom.py``) calls them. What one session may ask of the server (its pace,
the heavy work, the caches) is in ``limits``.

- :func:`operator_settings`: the address citations give and who may have files made that need a
  browser, from the app's command line or the environment (never from the client);
- :func:`client_text`, :func:`reported_day`, :func:`parse_day`: a reader's text, the day the map
  reports and the link's day, checked for length, control characters and shape before they
  reach a page, a file or a cache key.

``python -m guard streamlit-options [APP OPTIONS]`` prints the Streamlit options the app's own
options call for (``scripts/run-app.sh`` passes them): uploads only when editing is on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import re
import sys
import unicodedata
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from geo.escape import safe_url
from geo.files import editing_enabled
from geo.problems import Problem

LOG = logging.getLogger("map.guard")

# ---------------------------------------------------------------- the operator's settings

#: Environment variables beside the app's options ``--public-url`` and ``--browser-work``.
PUBLIC_URL_ENV = "MAP_PUBLIC_URL"
BROWSER_WORK_ENV = "MAP_BROWSER_WORK"
#: Who may have files made that need a browser on the server (PNGs): nobody (the default), the
#: readers of a server with editing on (the editors' own server), or every reader.
BROWSER_WORK = ("none", "editors", "everyone")
#: Uploads, in MB, on a server with editing on (the edit page's GeoJSON and CSV files); a server
#: without editing takes none (.streamlit/config.toml: server.maxUploadSize = 0).
EDITING_UPLOAD_MB = 25
URL_MAX = 300


@dataclass(frozen=True)
class Operator:
    """What the operator set: the public address (``""`` when none), browser work, editing."""

    public_url: str = ""
    browser_work: str = "none"
    editing: bool = False

    @property
    def browser_allowed(self) -> bool:
        """Whether this server makes PNGs (one browser at a time, through the worker)."""
        return self.browser_work == "everyone" or (self.browser_work == "editors" and self.editing)


def _app_options(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--public-url")
    parser.add_argument("--browser-work")
    return parser.parse_known_args(list(argv))[0]


def operator_settings(argv: Sequence[str], environ: Mapping[str, str] = os.environ) -> tuple[Operator, list[Problem]]:
    """The operator's settings from the app's options (``streamlit run app.py -- --public-url URL
    --browser-work none|editors|everyone``), else the environment (``MAP_PUBLIC_URL``,
    ``MAP_BROWSER_WORK``); a bad value is left unset, with a problem saying what to give."""
    args, problems = _app_options(argv), []
    url, where, field = args.public_url, "command line", "--public-url"
    if url is None:
        url, where, field = environ.get(PUBLIC_URL_ENV, ""), "environment", PUBLIC_URL_ENV
    url = url.strip()
    if url and (why := public_url_problem(url)):
        problems.append(
            Problem(
                severity="error",
                file=where,
                field=field,
                message=f"the public address {why}; citations and snippets say no public address is set.",
                hint="give the address readers open the app at, such as https://maps.example.org/control-map/",
            )
        )
        url = ""
    work, where, field = args.browser_work, "command line", "--browser-work"
    if work is None:
        work, where, field = environ.get(BROWSER_WORK_ENV, "none"), "environment", BROWSER_WORK_ENV
    work = work.strip().lower() or "none"
    if work not in BROWSER_WORK:
        problems.append(
            Problem(
                severity="error",
                file=where,
                field=field,
                message=f"{work[:40]!r} is not a choice; no browser runs for readers.",
                hint=f"give one of {', '.join(BROWSER_WORK)}.",
            )
        )
        work = "none"
    return Operator(public_url=url, browser_work=work, editing=editing_enabled(list(argv), environ)), problems


def public_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the address citations give, or None when it can."""
    if len(url) > URL_MAX:
        return f"is {len(url)} characters long (at most {URL_MAX})"
    if safe_url(url) is None:
        return "is not an http(s) address free of spaces, quotes, angle brackets and braces"
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return "names no host"
    if "@" in parts.netloc:
        return "carries a user name or password"
    if "#" in url:
        return "has a #fragment (the link's ?date= would land inside it)"
    return None


def streamlit_options(argv: Sequence[str], environ: Mapping[str, str] = os.environ) -> list[str]:
    """Streamlit options the app's own options call for: uploads up to ``EDITING_UPLOAD_MB`` when
    editing is on; none otherwise (the config file refuses every upload)."""
    return ["--server.maxUploadSize", str(EDITING_UPLOAD_MB)] if editing_enabled(list(argv), environ) else []


def upload_problems(editing: bool, upload_mb: int) -> list[Problem]:
    """What is wrong with Streamlit's upload limit (``server.maxUploadSize``, in MB) for this server."""
    if not editing and upload_mb > 0:
        message = f"uploads of up to {upload_mb} MB are taken though editing is off."
        hint = "leave it at 0 (.streamlit/config.toml); scripts/run-app.sh sets it when editing is on."
    elif editing and upload_mb == 0:
        message = "editing is on but every upload is refused, so the edit page cannot take files."
        hint = f"start with scripts/run-app.sh --enable-editing, or pass --server.maxUploadSize {EDITING_UPLOAD_MB}."
    elif editing and upload_mb > EDITING_UPLOAD_MB:
        message = f"uploads of up to {upload_mb} MB are taken."
        hint = f"the edit page's files need {EDITING_UPLOAD_MB} MB at most: pass --server.maxUploadSize "
        hint += f"{EDITING_UPLOAD_MB}."
    else:
        return []
    return [
        Problem(severity="warning", file="Streamlit options", field="server.maxUploadSize", message=message, hint=hint)
    ]


_SAID: set[str] = set()


def log_once(problems: Sequence[Problem]) -> None:
    """Say each of the operator's problems once per server, in its log."""
    for problem in problems:
        if str(problem) not in _SAID:
            _SAID.add(str(problem))
            LOG.warning("%s", problem)


# ---------------------------------------------------------------- what a client sends

TITLE_MAX = 120
BYLINE_MAX = 160
#: Characters no line of a reader's text may hold, beside controls, separators and surrogates:
#: the bidirectional embeddings, overrides and isolates (they can make a byline read as another,
#: in the snapshot and in any page it is pasted into). Marks that join or order letters
#: (ZWJ, ZWNJ, LRM, RLM, ALM) are kept: Arabic and Persian text needs them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def client_text(value: object, *, form: str, field: str, max_chars: int) -> tuple[str, Problem | None]:
    """A reader's line of text (a title, a byline) when it is safe to use, else ``""`` and the
    problem: more than ``max_chars`` characters, or a control character. Never changed silently."""
    text = "" if value is None else str(value)

    def problem(message: str, hint: str) -> tuple[str, Problem]:
        return "", Problem(severity="error", file=form, field=field, message=message, hint=hint)

    if len(text) > max_chars:
        return problem(f"is {len(text)} characters long; at most {max_chars}.", "shorten it.")
    for at, ch in enumerate(text, start=1):
        if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in BIDI_CONTROLS:
            return problem(
                f"holds a control character (U+{ord(ch):04X}) at character {at}.",
                "type it again as one line of plain text.",
            )
    return text, None


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(value: object, first: dt.date, last: dt.date) -> dt.date | None:
    """``value`` as a day of the record (``YYYY-MM-DD`` between ``first`` and ``last``), else None."""
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if first <= day <= last else None


def reported_day(state: object, first: dt.date, last: dt.date) -> dt.date | None:
    """The day the map's component reports (its state ``{"day": "YYYY-MM-DD"}``), when it is a day
    of the record; None for anything else (the session keeps its day)."""
    return parse_day(state.get("day"), first, last) if isinstance(state, Mapping) else None


def shown(value: object, limit: int = 40) -> str:
    """A client's text as a message may quote it: at most ``limit`` characters, each control
    character as U+FFFD (escape the result for the place it lands)."""
    text = str(value)
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return "".join("\ufffd" if unicodedata.category(ch)[0] in "CZ" and ch != " " else ch for ch in text)


def main(argv: list[str] | None = None) -> int:
    """``python -m guard streamlit-options [APP OPTIONS]``: the Streamlit options, one a line."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] != ["streamlit-options"]:
        print("usage: python -m guard streamlit-options [APP OPTIONS]", file=sys.stderr)
        return 2
    for option in streamlit_options(argv[1:]):
        print(option)
    return 0


if __name__ == "__main__":
    sys.exit(main())
