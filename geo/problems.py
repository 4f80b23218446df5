"""Structured validation problems and the one error that carries them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or repaired) in a data file.

    ``where`` is ``"feature"`` (0-based index into ``features``), ``"line"`` (1-based line
    of a CSV file, header = line 1) or ``"file"``.
    """

    severity: Severity
    file: str
    message: str
    hint: str = ""
    where: str = "file"
    index: int | None = None
    id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        loc = self.file
        if self.index is not None:
            loc += f": {self.where} {self.index}"
        if self.id not in (None, ""):
            loc += f" (id {self.id})"
        if self.field:
            loc += f", field '{self.field}'"
        text = f"{loc}: {self.severity}: {self.message}"
        if self.hint:
            text += f" Fix: {self.hint}"
        return text

    def as_dict(self) -> dict:
        return asdict(self)


class DataError(Exception):
    """Raised once with every problem found when data cannot be used."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"{len(errors)} error(s) in the data"
        super().__init__(head + ("\n" + "\n".join(str(p) for p in errors) if errors else ""))


def has_errors(problems: list[Problem]) -> bool:
    """True when any problem is an error (not only warnings)."""
    return any(p.severity == "error" for p in problems)
