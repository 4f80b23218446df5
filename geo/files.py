"""Which data folder, whether editing is on, and a digest of the files' content: cheap, so a page
can use them first."""

from __future__ import annotations

import argparse
import hashlib
import os
import time
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


#: The last digest of each data folder with the files' stat it was computed from: a rerun whose
#: files have the same inode, size and change times (ctime moves on any write, even one that
#: resets the modification time) reads nothing. A file changed in the last
#: seconds is read every time (a coarse clock could give a same-size edit the same time stamp).
_DIGESTS: dict[str, tuple[tuple, str]] = {}
RACY_NS = 3_000_000_000


def _stat_key(data_dir: Path) -> tuple[tuple, int]:
    """What the data files look like on disk (inode, size, change time, mode; or the error), and
    the newest change time among them, in ns."""
    key: list[tuple[str, int | None] | tuple[str, int, int, int, int]] = []
    newest = 0
    for name in DATA_FILES:
        try:
            st = (Path(data_dir) / name).stat()
        except OSError as exc:
            key.append((name, exc.errno))
            continue
        changed = max(st.st_mtime_ns, st.st_ctime_ns)
        key.append((name, st.st_ino, st.st_size, changed, st.st_mode))
        newest = max(newest, changed)
    return tuple(key), newest


def data_digest(data_dir: Path) -> str:
    """Hash of the content of every data file: the cache key for loaded data. Never raises.
    The files are read again only when one of them changed on disk (its stat differs)."""
    stat, newest = _stat_key(data_dir)
    cached = _DIGESTS.get(str(data_dir))
    if cached and cached[0] == stat:
        return cached[1]
    h = hashlib.sha256()
    for name in DATA_FILES:
        h.update(name.encode())
        try:
            h.update((Path(data_dir) / name).read_bytes())
        except FileNotFoundError:
            h.update(b"\0missing")
        except OSError as exc:  # unreadable now (or a folder): check_dataset names the problem
            h.update(f"\0unreadable {exc.errno}".encode())
    digest = h.hexdigest()
    settled = newest < time.time_ns() - RACY_NS
    if settled and stat == _stat_key(data_dir)[0]:  # not changed while it was read
        _DIGESTS[str(data_dir)] = (stat, digest)
    return digest
