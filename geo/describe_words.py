"""The phrases :mod:`geo.describe` builds its text from, in English and Arabic (neutral wording in both)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.constants import LANGS, MONTHS

W: dict[str, dict[str, str]] = {
    "en": {
        "and": " and ",
        "sep": ", ",
        "clause_sep": "; ",
        "on_day": "On {date}, ",
        "first_day": "{date} is the first day of the record; no change is dated on it.",
        "no_change": "No district changed hands on {date} in the record.",
        "between": "Between {start} and {end}, ",
        "none_between": "No district changed hands between {start} and {end} in the record.",
        "took": "{side} took {names}",
        "took_all": "{side} took all of {names}",
        "held": "{side} held {names}",
        "part": "{side} held about {pct}% of {names}",
        "according": " (according to {who})",
        "inferred_from": " (inferred by the editors from {who})",
        "inferred": " (inferred by the editors)",
        "editors": "the editors' inference",
        "split_detail": ": {holder} about {pct}%, {rest} the rest",
        "rest_unknown": "unknown",
        "basis_sourced": "stated by a source",
        "basis_inferred": "inferred by the editors",
        "table_header": "District|State|Since|Basis|Sources",
        "reporting": "{src} quoting {claimant}",
        "disagree": "Sources disagree about {names}: {claims}.",
        "disagree_since": "Sources disagree about {names} (since {date}): {claims}.",
        "day_only": "{date}.",
        "puts": "{who} {verb} {pieces}",
        "put_one": "puts",
        "put_many": "put",
        "piece": "{share}with {side}",
        "share_of": "about {pct}% of {obj} ",
        "whole_share": "{obj} ",
        "obj_one": "it",
        "obj_many": "them",
        "alt_head": "Map of the districts of {place} on {date}, coloured by who held each one.",
        "alt_side": "{side} held {count} whole ({area})",
        "alt_side_none": "{side} held no district whole ({area})",
        "alt_split": "{count} split between two sides",
        "alt_disputed": "sources disagree about {count} ({area})",
        "alt_disputed_counted": ", of which {a} km² is counted above with the side the strongest claims name",
        "alt_disputed_all_counted": ", all counted above with the side the strongest claims name",
        "alt_unknown": "no record for {count}",
        "km2": "about {a} km²",
        "km2_range": "between {lo} and {hi} km²",
        "alt_range_note": "Areas are ranges: the low figure counts only the ground the sources name, the high "
        "figure adds the districts only the editors place; split districts are shared out by their share.",
        "changed": "Changed that day: {text}",
        "unchanged": "Nothing changed hands that day.",
        "cite": "{title}. Map for {date}.{link} Data version {version}. Accessed {accessed}.",
        "as_of": "Data as of {date} · version {version}",
        "as_of_none": "No change of control in the record yet · version {version}",
    },
    "ar": {
        "and": " و",
        "sep": "، ",
        "clause_sep": "؛ ",
        "on_day": "في {date}، ",
        "first_day": "{date} هو اليوم الأول في السجل؛ لا تغيير مؤرخاً فيه.",
        "no_change": "لم تتغير السيطرة على أي حي في {date} بحسب السجل.",
        "between": "بين {start} و{end}، ",
        "none_between": "لم تتغير السيطرة على أي حي بين {start} و{end} بحسب السجل.",
        "took": "سيطرت {side} على {names}",
        "took_all": "أكملت {side} سيطرتها على {names}",
        "held": "كانت {side} تسيطر على {names}",
        "part": "كانت {side} تسيطر على نحو {pct}% من {names}",
        "according": " (بحسب {who})",
        "inferred_from": " (استنتاج المحررين من {who})",
        "inferred": " (استنتاج المحررين)",
        "editors": "استنتاج المحررين",
        "split_detail": ": {holder} نحو {pct}%، والباقي {rest}",
        "rest_unknown": "غير معروف",
        "basis_sourced": "يذكره مصدر",
        "basis_inferred": "استنتاج المحررين",
        "table_header": "الحي|الحالة|منذ|الأساس|المصادر",
        "reporting": "{src} نقلاً عن {claimant}",
        "disagree": "تختلف المصادر بشأن {names}: {claims}.",
        "disagree_since": "تختلف المصادر بشأن {names} (منذ {date}): {claims}.",
        "day_only": "{date}.",
        "puts": "بحسب {who} {pieces}",
        "put_one": "",
        "put_many": "",
        "piece": "{share}في يد {side}",
        "share_of": "نحو {pct}% منها ",
        "whole_share": "هي ",
        "obj_one": "",
        "obj_many": "",
        "alt_head": "خريطة أحياء {place} في {date}، ملونة بحسب الجهة المسيطرة على كل حي.",
        "alt_side": "عدد الأحياء التي سيطرت عليها {side} بالكامل: {n} ({area})",
        "alt_side_none": "عدد الأحياء التي سيطرت عليها {side} بالكامل: 0 ({area})",
        "alt_split": "عدد الأحياء المقسومة بين طرفين: {n}",
        "alt_disputed": "عدد الأحياء التي تختلف المصادر بشأنها: {n} ({area})",
        "alt_disputed_counted": "، منها {a} كم² محسوبة أعلاه للطرف الذي تسميه أقوى الروايات",
        "alt_disputed_all_counted": "، كلها محسوبة أعلاه للطرف الذي تسميه أقوى الروايات",
        "alt_unknown": "عدد الأحياء بلا سجل: {n}",
        "km2": "نحو {a} كم²",
        "km2_range": "بين {lo} و{hi} كم²",
        "alt_range_note": "المساحات نطاقات: الرقم الأدنى يحسب الأرض التي تسميها المصادر فقط، والأعلى يضيف "
        "الأحياء التي يضعها المحررون وحدهم؛ وتوزَّع مساحة الحي المقسوم بحسب الحصة.",
        "changed": "ما تغير في ذلك اليوم: {text}",
        "unchanged": "لم تتغير السيطرة على أي حي في ذلك اليوم.",
        "cite": "{title}. خريطة يوم {date}.{link} نسخة البيانات {version}. تاريخ الاطلاع {accessed}.",
        "as_of": "البيانات حتى {date} · النسخة {version}",
        "as_of_none": "لا تغير في السيطرة في السجل بعد · النسخة {version}",
    },
}


def check_lang(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGS`; ValueError naming them otherwise."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGS)}.")
    return lang


def long_date(day, lang: str) -> str:
    """``13 December 2016`` / ``13 كانون الأول 2016``."""
    d = pd.Timestamp(day).date() if not isinstance(day, dt.date) else day
    return f"{d.day} {MONTHS[lang][d.month - 1]} {d.year}"


def join_names(names: list[str], lang: str, *, limit: int | None = None) -> str:
    """``A, B and C`` (``أ، ب وج``); past ``limit`` names, the rest are counted."""
    names = [n for n in names if n]
    w = W[lang]
    if limit is not None and len(names) > limit:
        names = [*names[: limit - 1], counted(len(names) - limit + 1, "other_district", lang)]
    if len(names) <= 1:
        return "".join(names)
    return w["sep"].join(names[:-1]) + w["and"] + names[-1]


#: Counted nouns: English (one, many); Arabic (one, two, 3-10, 11 and more), as the number requires (the
#: dual in its oblique form: the templates put counts after a preposition).
NOUNS: dict[str, dict[str, tuple[str, ...]]] = {
    "district": {"en": ("district", "districts"), "ar": ("حي واحد", "حيّين", "أحياء", "حياً")},
    "day": {"en": ("day", "days"), "ar": ("يوم واحد", "يومين", "أيام", "يوماً")},
    "claim": {"en": ("claim", "claims"), "ar": ("رواية واحدة", "روايتين", "روايات", "رواية")},
    "source": {"en": ("source", "sources"), "ar": ("مصدر واحد", "مصدرين", "مصادر", "مصدراً")},
    "other_district": {
        "en": ("other district", "other districts"),
        "ar": ("حي آخر", "حيّين آخرين", "أحياء أخرى", "حياً آخر"),
    },
}


def counted(n: int, noun: str, lang: str) -> str:
    """``n`` and the noun in the form the number takes: ``3 districts``, ``3 أحياء``, ``12 حياً``."""
    forms = NOUNS[noun][lang]
    if lang == "en":
        return f"{n} {forms[0] if n == 1 else forms[1]}"
    if n in (1, 2):
        return forms[n - 1]
    return f"{n} {forms[2] if 3 <= n % 100 <= 10 else forms[3]}"


def capitalised(text: str) -> str:
    """The first letter upper-cased (a no-op for Arabic)."""
    return text[:1].upper() + text[1:]
