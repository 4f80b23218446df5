"""Benches write their figures into docs/benchmarks.md themselves, so no figure is typed by hand.

Each bench owns one section of that file, between ``<!-- bench:NAME -->`` and
``<!-- /bench:NAME -->``; ``record(NAME, text)`` replaces what is between the two marks (and adds
the section at the end when the file has none yet), with the day and the machine it ran on.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def machine() -> str:
    """What the figures were measured on: processor count, Python, the day."""
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {dt.date.today().isoformat()}"


def record(name: str, text: str, *, doc: Path = DOC) -> Path:
    """Put ``text`` (Markdown) into the section ``name`` of the benchmarks page; return the page."""
    body = f"<!-- bench:{name} -->\n_Measured by the bench on {machine()}._\n\n{text.strip()}\n<!-- /bench:{name} -->"
    old = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    mark = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S)
    new = mark.sub(lambda _: body, old) if mark.search(old) else old.rstrip("\n") + "\n\n" + body + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    tmp = doc.with_suffix(".tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(doc)
    return doc
