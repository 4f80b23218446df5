"""Which data folder, and a digest of its files' content: cheap, so a page can use them first."""

from __future__ import annotations

import argparse
import hashlib
import os
from pathlib import Path

from geo import constants as C

DATA_FILES = (C.DISTRICTS_FILE, C.EVENTS_FILE, C.SOURCES_FILE, C.ROUTES_FILE, C.CHECKPOINTS_FILE,
              C.EVACUATION_FILE)


def data_dir_from_argv(argv: list[str], default: Path) -> Path:
    """``--data DIR`` from a command line (``streamlit run app.py -- --data DIR``), else $ALEPPO_DATA,
    else ``default``."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data", default=None)
    args, _ = parser.parse_known_args(argv)
    return Path(args.data or os.environ.get("ALEPPO_DATA") or default).resolve()


def data_digest(data_dir: Path) -> str:
    """Hash of the content of every data file: the cache key for loaded data."""
    h = hashlib.sha256()
    for name in DATA_FILES:
        path = Path(data_dir) / name
        h.update(name.encode())
        h.update(path.read_bytes() if path.exists() else b"\0missing")
    return h.hexdigest()
