"""The words for a district's state: one vocabulary for the CLI, the map, the app and the README.

A day's state of a district is exactly one of :func:`state_words` (its sides, then the generic states):

- a side's id (the sides come from the data folder's ``map.toml``): that side holds the whole district;
- ``split``: two sides each hold part of it (the map draws stripes sized by the share);
- ``disputed``: the sources disagree about it that day (every claim is listed, nothing merged);
- ``unknown``: no row on or before that day.

``events.csv`` keeps its ``controller`` column (the side a claim puts into a district); the
timeline's internal ``contested`` marks a group that is not one side's alone, and
:func:`state_of` turns it into ``split`` or ``disputed``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.constants import CONTESTED
from geo.settings import Settings

#: The states that are not a side, after the sides in every list of states.
GENERIC_STATES: tuple[str, ...] = ("split", "disputed", "unknown")

#: What each generic state is called, per language (neutral wording in both); a side's label comes
#: from the settings.
STATE_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "split": "Split between two sides",
        "disputed": "Disputed between sources",
        "unknown": "Unknown: no record",
    },
    "ar": {
        "split": "مقسوم بين طرفين",
        "disputed": "متنازع عليه بين المصادر",
        "unknown": "غير معروف: لا سجل",
    },
}
#: One line each: what the state means (the map legend's and the README's explanation).
STATE_MEANINGS: dict[str, dict[str, str]] = {
    "en": {
        "split": "stripes sized by each side's share",
        "disputed": "hatched; click for every claim",
        "unknown": "no row on or before that day",
    },
    "ar": {
        "split": "عرض الخطوط بحسب حصة كل طرف",
        "disputed": "مظلل؛ انقر لقراءة كل رواية",
        "unknown": "لا سجل في ذلك اليوم أو قبله",
    },
}


def state_words(sides: tuple[str, ...]) -> tuple[str, ...]:
    """Every state word of a map: its sides, then split, disputed, unknown."""
    return (*sides, *GENERIC_STATES)


def state_of(controller: str | None, disputed: bool) -> str:
    """The state word for one decided group (``controller`` as the timeline decides it: a side,
    ``contested`` or ``unknown``)."""
    if controller is None or controller == "unknown":
        return "unknown"
    if disputed:
        return "disputed"
    return "split" if controller == CONTESTED else controller


def states(frame: pd.DataFrame) -> pd.Series:
    """The state word of every row of a day's state (``Timeline.control_on``), vectorised."""
    ctrl = frame["controller"].to_numpy(dtype=object)
    disputed = frame["disputed"].to_numpy(dtype=bool)
    out = np.where(ctrl == CONTESTED, "split", ctrl).astype(object)
    out[disputed] = "disputed"
    out[(ctrl == "unknown") | pd.isna(ctrl)] = "unknown"
    return pd.Series(out, index=frame.index, name="state")


def label(state: str, lang: str = "en", settings: Settings | None = None) -> str:
    """The label of a state word in ``lang`` (English when the language has none); a side's from the
    settings."""
    side = settings.side(state) if settings is not None else None
    if side is not None:
        return side.label(lang)
    return STATE_LABELS.get(lang, STATE_LABELS["en"]).get(state, state)
