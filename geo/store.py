"""Safe writes: validate first, write a temporary file beside the target, fsync, keep a backup,
rename over the old file, and refuse the save if the file changed since it was read."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from geo.problems import DataError, Problem, has_errors

BACKUP_SUFFIX = ".bak"


class ConflictError(Exception):
    """The file on disk is not the version the edit was based on."""


def digest(data: bytes) -> str:
    """Content hash used to detect that a file changed on disk."""
    return hashlib.sha256(data).hexdigest()


def read_versioned(path: Path | str) -> tuple[bytes, str]:
    """The file's bytes and their digest (pass the digest back to :func:`atomic_write`)."""
    data = Path(path).read_bytes()
    return data, digest(data)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock = path.with_name(f".{path.name}.lock")
    with open(lock, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_temp(folder: Path, name: str, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def atomic_write(
    path: Path | str,
    data: bytes,
    *,
    expected_digest: str | None,
    validate: Callable[[bytes], list[Problem]] | None = None,
) -> Path | None:
    """Replace ``path`` with ``data`` safely; return the backup's path (None for a new file).

    ``expected_digest`` is the digest of the version the edit started from (None: the file must
    not exist yet). ``validate`` returns problems for the new content; any error refuses the write
    with :class:`DataError` and leaves the file untouched. A concurrent change raises
    :class:`ConflictError`.
    """
    path = Path(path)
    if validate is not None:
        problems = validate(data)
        if has_errors(problems):
            raise DataError(problems)
    with _locked(path):
        current = digest(path.read_bytes()) if path.exists() else None
        if current != expected_digest:
            raise ConflictError(f"{path} changed on disk since it was read; reload it and redo the edit "
                                "(nothing was written).")
        tmp = _write_temp(path.parent, path.name, data)
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        backup = None
        try:
            if path.exists():
                backup = path.with_name(path.name + BACKUP_SUFFIX)
                bak_tmp = _write_temp(path.parent, backup.name, path.read_bytes())
                os.replace(bak_tmp, backup)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_dir(path.parent)
    return backup
