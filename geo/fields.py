"""Checks shared by every file: ids, numbers and dates, each read one way or refused with a reason."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

#: A plain decimal number: digits, optionally one '.' and more digits. No exponent, no separators.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)
#: '1.500' or '12.000.000': a '.' followed by groups of three digits, as thousands are written in
#: much of Europe. Refused as ambiguous rather than read as 1.5.
_DOTTED_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(\.\d{3})+", re.ASCII)
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


def id_problem(value: str, what: str = "id") -> str | None:
    """Why ``value`` cannot be an id (empty, whitespace, control or invisible characters), or None.

    Ids are taken exactly as written: nothing is trimmed, so a stray space or line break is refused
    rather than silently removed.
    """
    if value == "":
        return f"{what} is empty."
    if any(c.isspace() for c in value):
        return f"{what} {value!r} contains whitespace (a space, tab or line break)."
    bad = next((c for c in value if unicodedata.category(c).startswith("C")), None)
    if bad is not None:
        return f"{what} {value!r} contains the invisible or control character U+{ord(bad):04X}."
    return None


ID_HINT = "Use letters, digits, '-' or '_' only, e.g. E0123; no spaces."


class CaseFold:
    """Remembers ids seen so far; tells when a new one differs from an earlier one only in case."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str, object]] = {}

    def clash(self, value: str, where: object) -> tuple[str, object] | None:
        """(earlier id, where it was) when ``value`` equals an earlier id except for case; else None."""
        key = value.casefold()
        earlier = self._seen.get(key)
        if earlier is not None and earlier[0] != value:
            return earlier
        self._seen.setdefault(key, (value, where))
        return None


def parse_number(text: str) -> tuple[float | None, str | None]:
    """``text`` as a finite float, or (None, why not). Only plain decimals with a '.' are read.

    ``2,5`` (2.5 or 25?) and ``1.500`` (1.5 or 1500?) are refused as ambiguous; so are exponents,
    ``nan`` and ``inf``.
    """
    if "," in text:
        return None, (
            f"{text!r} is ambiguous: a comma may separate thousands or decimals. "
            "Write digits with '.' for decimals and no thousands separator, e.g. 2.5 or 2500."
        )
    if _DOTTED_THOUSANDS.fullmatch(text):
        whole, decimal = text.replace(".", ""), text.rstrip("0").rstrip(".")
        choice = f"Write {whole} if it means {whole}" + (
            f", or {decimal} if it is a decimal." if text.count(".") == 1 else "."
        )
        return None, f"{text!r} is ambiguous: a '.' before three digits may separate thousands. {choice}"
    if not _PLAIN_NUMBER.fullmatch(text):
        return None, f"{text!r} is not a number written in plain digits. Write e.g. 1500 or 0.5 ('.' for decimals)."
    return float(text), None


def parse_day(text: str) -> tuple[dt.date | None, str | None]:
    """``YYYY-MM-DD`` as a date, or (None, why not): the form is wrong, or the day does not exist."""
    m = _ISO_DAY.fullmatch(text)
    if not m:
        return None, f"{text!r} is not a date in YYYY-MM-DD form (e.g. 2016-12-13)."
    year, month, day = (int(g) for g in m.groups())
    if not 1 <= month <= 12:
        return None, f"{text} is not a date: there is no month {month}."
    if year < 1:
        return None, f"{text} is not a date: there is no year 0."
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return None, f"{text} is not a day: {calendar.month_name[month]} {year} has {days} days."
    return dt.date(year, month, day), None
