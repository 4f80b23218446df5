"""Checks shared by every file: ids, numbers and dates, each read one way or refused with a reason."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

#: A plain decimal number: digits, optionally one '.' and more digits. No exponent, no separators.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)
#: '1.500' or '12.000.000': a '.' followed by groups of three digits, as thousands are written in
#: much of Europe. Refused as ambiguous rather than read as 1.5.
_DOTTED_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(\.\d{3})+", re.ASCII)
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


#: The shape of every id (district and feature ids, event_id, figure_id, source keys, side ids): ASCII
#: letters and digits, then letters, digits, '-', '_' or '.'. Plain ASCII, so no id can look like
#: another (a Cyrillic 'Е' beside a Latin 'E') or hide a character.
ID_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*", re.ASCII)
ID_HINT = "Use ASCII letters, digits, '-', '_' or '.' only (starting with a letter or digit), e.g. E0123; no spaces."
#: Letters of other scripts drawn like a Latin letter or digit (Cyrillic, Greek, and a few more);
#: accented and full-width letters are matched by their decomposition (see :func:`lookalike`).
LOOKALIKES = dict(
    zip(
        "АВЕЅІЈКМНОРСТХУаеіјорсхуѕԁԛԝһӏ"  # Cyrillic
        "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαορυνκχι"  # Greek
        "ıℓ",  # dotless i, script l
        "ABESIJKMHOPCTXYaeijopcxysdqwhlABEZHIKMNOPTYXaopuvkxiil",
        strict=True,
    )
)


def lookalike(ch: str) -> str:
    """The ASCII character ``ch`` is drawn like ("" for a mark drawn on the letter before it, or for
    an invisible one; the character itself when it is ASCII or looks like no ASCII character)."""
    if ch.isascii():
        return ch
    if ch in LOOKALIKES:
        return LOOKALIKES[ch]
    if unicodedata.combining(ch) or unicodedata.category(ch) == "Cf":
        return ""
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base if base.isascii() and base.isalnum() and len(base) == 1 else ch


def skeleton(value: str) -> str:
    """``value`` with each character replaced by the ASCII one it looks like: two ids with the same
    skeleton cannot be told apart by eye."""
    return "".join(lookalike(c) for c in value)


def char_name(ch: str) -> str:
    """``'Е' (U+0415 CYRILLIC CAPITAL LETTER IE) looks like 'E'``: a character named for a reader."""
    name = unicodedata.name(ch, "")
    code = f"U+{ord(ch):04X}" + (f" {name}" if name else "")
    shown = f"{ch!r} ({code})" if ch.isprintable() and not unicodedata.combining(ch) else code
    like = lookalike(ch)
    if like == ch:
        return shown
    if like:
        return f"{shown} looks like {like!r}"
    return f"{shown} is invisible" if unicodedata.category(ch) == "Cf" else f"{shown} is a mark on the letter before it"


def non_ascii(value: str) -> str:
    """The non-ASCII characters of ``value``, each named (at most four; "" when it is all ASCII)."""
    chars = list(dict.fromkeys(c for c in value if not c.isascii()))
    text = "; ".join(char_name(c) for c in chars[:4])
    return text + ("; …" if len(chars) > 4 else "")


def id_flaw(value: str) -> str | None:
    """What keeps ``value`` from being an id, as the end of a sentence about it ("contains whitespace
    …"), or None. See :func:`id_problem`."""
    if value == "":
        return "is empty"
    if any(c.isspace() for c in value):
        return "contains whitespace (a space, tab or line break)"
    bad = next((c for c in value if unicodedata.category(c) == "Cc"), None)
    if bad is not None:
        return f"contains the control character U+{ord(bad):04X}"
    if not value.isascii():
        return f"is not plain ASCII: {non_ascii(value)}"
    if not ID_SHAPE.fullmatch(value):
        if not value[0].isalnum():
            return f"starts with {value[0]!r}; an id starts with a letter or a digit"
        other = "".join(dict.fromkeys(c for c in value if not (c.isalnum() or c in "._-")))
        return f"contains {', '.join(map(repr, other))}, which an id may not hold"
    return None


def id_problem(value: str, what: str = "id") -> str | None:
    """Why ``value`` cannot be an id, or None: empty, whitespace, a control, invisible or non-ASCII
    character (each named, with the letter it looks like), or another character than :data:`ID_SHAPE`
    allows.

    Ids are taken exactly as written: nothing is trimmed, so a stray space or line break is refused
    rather than silently removed.
    """
    flaw = id_flaw(value)
    if flaw is None:
        return None
    if value == "":
        return f"{what} is empty."
    shown = repr(value) if len(value) <= 60 else repr(value[:60]) + "…"
    return f"{what} {shown} {flaw}."


def lookalike_of(value: str, ids: Iterable[str]) -> str | None:
    """The id of ``ids`` that ``value`` (not one of them) differs from only by look-alike or invisible
    characters, or None."""
    key = skeleton(value)
    if key == value:
        return None
    return next((i for i in ids if i != value and skeleton(i) == key), None)


def unknown_ref(what: str, value: str, ids: Iterable[str]) -> str:
    """The message for a reference ``value`` that names no id: ``unknown source 'wіkipedia'`` and,
    when it differs from a real id only by look-alike characters, which ones."""
    real = lookalike_of(value, ids)
    text = f"unknown {what} {value!r}"
    if real is None:
        return text + "."
    return f"{text}: it differs from {real!r} only by look-alike characters ({non_ascii(value)})."


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
