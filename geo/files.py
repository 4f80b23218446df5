"""Which data folder, whether editing is on, and a digest of the files' content: cheap, so a page
can use them first."""

from __future__ import annotations

import argparse
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from geo import constants as C

DATA_FILES = (
    C.MAP_FILE,
    C.DISTRICTS_FILE,
    C.EVENTS_FILE,
    C.SOURCES_FILE,
    C.ROUTES_FILE,
    C.CHECKPOINTS_FILE,
    C.EVACUATION_FILE,
    C.LANDMARKS_FILE,
)
#: Environment variable that turns editing on, like ``--enable-editing``.
EDITING_ENV = "MAP_EDITING"


def data_dir_from_argv(argv: list[str], default: Path) -> Path:
    """``--data DIR`` from a command line (``streamlit run app.py -- --data DIR``), else $MAP_DATA,
    else ``default``."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data", default=None)
    args, _ = parser.parse_known_args(argv)
    return Path(args.data or os.environ.get("MAP_DATA") or default).resolve()


def editing_enabled(argv: list[str], environ: Mapping[str, str] = os.environ) -> bool:
    """True when the operator turned editing on: ``--enable-editing`` on the app's command line
    (``streamlit run app.py -- --enable-editing``) or ``MAP_EDITING=1`` in the environment."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--enable-editing", action="store_true")
    args, _ = parser.parse_known_args(argv)
    return args.enable_editing or environ.get(EDITING_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def data_digest(data_dir: Path) -> str:
    """Hash of the content of every data file: the cache key for loaded data. Never raises."""
    h = hashlib.sha256()
    for name in DATA_FILES:
        h.update(name.encode())
        try:
            h.update((Path(data_dir) / name).read_bytes())
        except FileNotFoundError:
            h.update(b"\0missing")
        except OSError as exc:  # unreadable now (or a folder): check_dataset names the problem
            h.update(f"\0unreadable {exc.errno}".encode())
    return h.hexdigest()
