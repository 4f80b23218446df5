"""District names as readers type them: spelling-tolerant lookup, group names, "did you mean".

Aleppo's districts are written many ways (Sukkari, al-Sukkari, As-Sukkari; Haydariyah, Haydariyeh;
Sheikh Saeed, Sheikh Sa'id; السكري). A query is matched in three steps:

1. exactly (case-insensitive) against every id, English name, Arabic name, alias and group name;
2. after :func:`normalize_name`, which drops what transliterations disagree on (articles al-/as-/ash-…,
   hyphens, apostrophes, doubled letters, y/i/iy/ee, e/a and o/u, a final -h; Arabic diacritics and
   letter variants);
3. by fuzzy similarity (rapidfuzz) of the normalised forms: accepted when one district is clearly
   the closest, otherwise offered as suggestions ("did you mean Hanano (N0129)?").

A *group* name ("Old City") means several districts: a district lists the groups it belongs to in the
``groups`` property of ``districts.geojson``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import geopandas as gpd
from rapidfuzz import fuzz, process

#: A fuzzy match at or above this score (0-100) resolves a name when no other district comes close.
ACCEPT_SCORE = 88.0
#: ... and when the next district scores at least this much lower.
ACCEPT_MARGIN = 4.0
#: Suggestions below this score are not offered.
SUGGEST_SCORE = 65.0
#: Arabic and Latin articles transliterations put before a name.
ARTICLES = frozenset({"al", "el", "as", "ash", "ad", "ar", "at", "az", "an", "es", "ech", "ul", "ال"})
#: Words readers add that are not part of the name.
GENERIC_WORDS = frozenset({"district", "quarter", "neighbourhood", "neighborhood", "area", "حي"})
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, dagger alif, tatweel
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"})
_LATIN_STEPS = (
    ("iy", "i"),
    ("ey", "i"),
    ("ee", "i"),
    ("ei", "i"),
    ("y", "i"),
    ("ou", "u"),
    ("oo", "u"),
    ("o", "u"),
    ("e", "a"),
    ("q", "k"),
    ("dh", "d"),
    ("th", "t"),
)


def normalize_name(text: str) -> str:
    """A spelling-free key for a place name: ``"Al-Sukkari"``, ``"sukari"`` and ``"As-Sukkari"`` agree."""
    text = unicodedata.normalize("NFKD", str(text)).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)
    text = re.sub(r"['\u2018\u2019\u02bc\u02bb\u02be\u02bf`´]", "", text)
    tokens = [t for t in re.split(r"[^\w]+", text) if t]
    tokens = [t[2:] if t.startswith("ال") and len(t) > 3 else t for t in tokens]
    kept = [t for t in tokens if t not in ARTICLES and t not in GENERIC_WORDS] or tokens
    key = "".join(kept)
    if key.isascii():
        for old, new in _LATIN_STEPS:
            key = key.replace(old, new)
        key = re.sub(r"(?<=[aiu])h$", "", key)
    return re.sub(r"(.)\1+", r"\1", key)


@dataclass(frozen=True)
class NameMatch:
    """What a typed name means.

    ``ids``: the districts it names (several for a group or a shared alias; empty on a miss).
    ``how``: ``exact``, ``spelling`` (after :func:`normalize_name`), ``fuzzy`` or ``none``.
    ``label``: the id, name, alias or group it matched (None on a miss).
    ``suggestions``: on a miss or a fuzzy match, the closest districts as (id, name, score).
    """

    query: str
    ids: tuple[str, ...]
    how: str
    label: str | None
    suggestions: tuple[tuple[str, str, float], ...] = ()

    def did_you_mean(self) -> str:
        """``"did you mean Hanano (N0129) or Hanano Housing (N0128)?"``, or "" without suggestions."""
        if not self.suggestions:
            return ""
        names = [f"{name} ({did})" for did, name, _ in self.suggestions]
        text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        return f"did you mean {text}?"


def name_index(districts: gpd.GeoDataFrame) -> dict[str, tuple[str, ...]]:
    """Every label (id, name, Arabic name, alias, group) mapped to the district ids it may mean."""
    out: dict[str, list[str]] = {}
    for row in districts.itertuples(index=False):
        groups = (row.extra or {}).get("groups", []) if hasattr(row, "extra") else []
        labels = (row.id, row.name, row.name_ar, *row.aliases, *(g for g in groups if isinstance(g, str)))
        for label in labels:
            if label:
                ids = out.setdefault(str(label).strip(), [])
                if row.id not in ids:
                    ids.append(row.id)
    return {label: tuple(ids) for label, ids in out.items()}


def match_district(districts: gpd.GeoDataFrame, query: str, *, limit: int = 3) -> NameMatch:
    """Resolve a typed district name, id, alias or group name; see the module docs for the steps."""
    index = name_index(districts)
    text = query.strip()
    folded = text.casefold()
    exact = [label for label in index if label.casefold() == folded]
    if exact:
        ids = tuple(dict.fromkeys(i for label in exact for i in index[label]))
        return NameMatch(query, ids, "exact", exact[0])
    key = normalize_name(text)
    by_key: dict[str, list[str]] = {}
    for label in index:
        by_key.setdefault(normalize_name(label), []).append(label)
    if key and key in by_key:
        labels = by_key[key]
        ids = tuple(dict.fromkeys(i for label in labels for i in index[label]))
        return NameMatch(query, ids, "spelling", labels[0])
    return _fuzzy(districts, index, by_key, query, key, limit)


def _fuzzy(districts, index, by_key, query: str, key: str, limit: int) -> NameMatch:
    if not key:
        return NameMatch(query, (), "none", None)
    names = districts.set_index("id")["name"]
    scored = process.extract(key, list(by_key), scorer=fuzz.WRatio, limit=None, score_cutoff=SUGGEST_SCORE)
    best: dict[str, tuple[float, str]] = {}  # district id -> (score, label)
    for norm, score, _ in scored:
        for label in by_key[norm]:
            ratio = min(score, fuzz.ratio(key, norm) + 10.0)  # a short query inside a long name is weaker
            for did in index[label]:
                if did not in best or ratio > best[did][0]:
                    best[did] = (ratio, label)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))
    suggestions = tuple((did, str(names.get(did, did)), round(score, 1)) for did, (score, _) in ranked[:limit])
    if ranked:
        top_id, (top_score, top_label) = ranked[0]
        runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
        group = index[top_label]
        if top_score >= ACCEPT_SCORE and (
            top_score - runner_up >= ACCEPT_MARGIN
            or len(group) > 1
            and all(did in group for did, _ in ranked[: len(group)])
        ):
            return NameMatch(query, group, "fuzzy", top_label, suggestions)
    return NameMatch(query, (), "none", None, suggestions)
