"""A declarative schema for a parsed TOML document: each key's kind, checked before any meaning.

A schema is a table of keys, each with a :data:`Kind`: the name of a shape in :data:`SHAPES` (a
text, a text per language, a day, a list of texts...), a table of keys (a TOML table), or a list
holding one table (an array of tables, ``[[sides]]``). :func:`check` keeps the values of their
kind and reports every other one, and every unknown key, through one ``add`` callback, so that the
code reading the meaning never meets a value of the wrong type.
"""

from __future__ import annotations

import datetime as dt
import reprlib
from collections.abc import Callable
from typing import Any

from geo.problems import Severity

#: A key's kind: a name of :data:`SHAPES`, a table of keys, or a list of one table (an array of tables).
Kind = str | dict[str, "Kind"] | list[dict[str, "Kind"]]
#: Reports one problem: (severity, message, hint, field).
Add = Callable[[Severity, str, str, str], None]

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict = 2, 60, 60, 6, 4


def shown(value: Any) -> str:
    """A value as a short repr for a message, however long or deeply nested it is."""
    return _REPR.repr(value)


#: TOML's words for the types a parsed document holds (bool before int: True is an int to Python).
TOML_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "true or false"),
    (int, "a whole number"),
    (float, "a number"),
    (str, "a text"),
    (dt.datetime, "a date and time"),
    (dt.date, "a date"),
    (dt.time, "a time of day"),
    (list, "a list"),
    (dict, "a table"),
)


def toml_type(value: Any) -> str:
    """The TOML name of a parsed value's type ("a list", "a whole number"...)."""
    return next((name for kind, name in TOML_TYPES if isinstance(value, kind)), type(value).__name__)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _texts(value: Any) -> bool:
    return isinstance(value, str) or isinstance(value, dict) and all(isinstance(t, str) for t in value.values())


#: Each shape: (the test a value passes, the words for it, an example with ``{key}``).
SHAPES: dict[str, tuple[Callable[[Any], bool], str, str]] = {
    "text": (_texts, "text, or one text per language", '{key} = {{ en = "…", ar = "…" }}'),
    "string": (lambda v: isinstance(v, str), "a text in quotes", '{key} = "…"'),
    "strings": (_strings, "a list of texts", '{key} = ["…", "…"]'),
    "words": (lambda v: isinstance(v, str) or _strings(v), "a list of texts", '{key} = ["en", "ar"]'),
    "day": (lambda v: isinstance(v, dt.date | str), "a day", "{key} = 2020-03-01"),
    "flag": (lambda v: isinstance(v, bool), "true or false", "{key} = true"),
    "integer": (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number", "{key} = 760"),
    "box": (
        lambda v: isinstance(v, list) and len(v) == 4 and all(map(_number, v)),
        "a lon/lat box of four numbers",
        "{key} = [min_lon, min_lat, max_lon, max_lat]",
    ),
}


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _words(kind: Kind, key: str, where: str) -> tuple[str, str]:
    """What a value of ``kind`` is, and an example for ``key`` written inside ``where``."""
    inside = f" (in {where.rstrip('.')})" if where else ""
    if isinstance(kind, str):
        return SHAPES[kind][1], SHAPES[kind][2].format(key=key) + inside
    if isinstance(kind, dict):
        return "a table", f"{key} = {{ … }}{inside}"
    return "a list of tables, one per item", f"a [[{key}]] table per item{inside}"


def check(data: dict, schema: dict[str, Kind], add: Add, bad: set[str], where: str = "") -> dict:
    """``data`` with only the keys ``schema`` knows, each of its kind.

    An unknown key is a warning (it is ignored); a value of another kind an error naming the key
    (``sides[2].colour``), what it must be and an example. The names of the keys refused are
    added to ``bad``, so that a reader does not report them again as missing.
    """
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = where + key
        kind = schema.get(key)
        if kind is None:
            add("warning", f"unknown key '{name}' is ignored.", f"Use: {', '.join(schema)}.", name)
        elif isinstance(kind, dict) and isinstance(value, dict):
            out[key] = check(value, kind, add, bad, name + ".")
        elif isinstance(kind, list) and _is_tables(value):
            out[key] = [check(item, kind[0], add, bad, f"{name}[{n}].") for n, item in enumerate(value, start=1)]
        elif isinstance(kind, str) and SHAPES[kind][0](value):
            out[key] = value
        else:
            words, example = _words(kind, key, where)
            bad.add(name)
            add(
                "error",
                f"'{name}' must be {words}; it is {toml_type(value)} ({shown(value)}).",
                f"Write e.g. {example}.",
                name,
            )
    return out
