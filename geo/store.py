"""Safe writes: validate first, write a temporary file beside the target, fsync, keep a backup,
rename over the old file, and refuse the save if the file changed since it was read."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from geo.problems import DataError, Problem, has_errors

BACKUP_SUFFIX = ".bak"
TEMP_SUFFIX = ".tmp"


class SaveError(Exception):
    """A save was refused. The message is one line: what was not saved, why, and what to do."""


class ConflictError(SaveError):
    """The file on disk is not the version the edit was based on."""


def _why(exc: OSError, name: str, *, backup: bool = False) -> str:
    """One line for an OS error during a save (file names only, never the server's paths)."""
    code = exc.errno
    if backup:
        return (
            f"{name} was not saved: its backup {name}{BACKUP_SUFFIX} could not be written "
            f"({exc.strerror or exc}); nothing was changed. Make {name}{BACKUP_SUFFIX} a writable file "
            "(or remove it) and save again."
        )
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"{name} was not saved: the data folder is read-only for the app ({exc.strerror}); nothing "
            "was changed. Ask the operator to make the folder writable, or edit a copy."
        )
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"{name} was not saved: the disk is full; nothing was changed. Free some space and save again."
    return f"{name} was not saved: {exc.strerror or exc}; nothing was changed. Try again, or ask the operator."


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


def _write_temp(folder: Path, name: str, data: bytes, temps: list[Path]) -> Path:
    """Write ``data`` to a new hidden temporary file in ``folder``, recorded in ``temps``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=TEMP_SUFFIX, dir=folder)
    temps.append(Path(tmp))
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(tmp)


def _remove_stale_temps(path: Path) -> None:
    """Temporary files of this target left by a save that was killed (the lock is held: none is in use)."""
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            stale.unlink()


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
    :class:`ConflictError`; a folder that is read-only, a full disk or a backup that cannot be
    written raise :class:`SaveError`. Every refusal leaves the file as it was and no temporary
    file behind; temporary files left by a killed save are removed by the next one.
    """
    path = Path(path)
    if validate is not None:
        problems = validate(data)
        if has_errors(problems):
            raise DataError(problems)
    try:
        with _locked(path):
            _remove_stale_temps(path)
            return _replace(path, data, expected_digest)
    except OSError as exc:
        raise SaveError(_why(exc, path.name)) from None


def _replace(path: Path, data: bytes, expected_digest: str | None) -> Path | None:
    current = digest(path.read_bytes()) if path.exists() else None
    if current != expected_digest:
        raise ConflictError(
            f"{path.name} changed on disk since it was read; reload it and redo the edit (nothing was written)."
        )
    temps: list[Path] = []
    try:
        tmp = _write_temp(path.parent, path.name, data, temps)
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        backup = None
        if path.exists():
            backup = path.with_name(path.name + BACKUP_SUFFIX)
            try:
                os.replace(_write_temp(path.parent, backup.name, path.read_bytes(), temps), backup)
            except OSError as exc:
                raise SaveError(_why(exc, path.name, backup=True)) from None
        os.replace(tmp, path)
        _fsync_dir(path.parent)
        return backup
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
