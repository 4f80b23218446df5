"""Text generated from the record, in English and Arabic: caption, alt text, a state table for screen
readers, citation, "About this map" (:mod:`geo.about`).

Every sentence is built from the timeline and the sources table in our own words; a claim is always
attributed to its source (with the sources relaying it and the party it quotes); an inference is
said to be the editors'. The functions return plain text (or text sections and rows); the page must
insert it as text, never as HTML.
"""

from __future__ import annotations

import urllib.parse

import pandas as pd

from geo.about import about, latest_change
from geo.areas import area_series, disputed_band
from geo.compare import compare
from geo.describe_words import W, capitalised, check_lang, counted, join_names, long_date
from geo.load import Dataset
from geo.spatial import district_areas_km2
from geo.states import EDITOR_SOURCE, claim_keys, day_states, is_inference
from geo.timeline import Timeline, as_day
from geo.vocabulary import label

#: Names listed in one phrase before the rest are counted.
MAX_NAMES = 6
#: Characters of the dataset digest shown as the data version in a citation.
VERSION_CHARS = 12

__all__ = [
    "about",
    "alt_text",
    "as_of",
    "area_ranges",
    "caption",
    "change_phrases",
    "citation",
    "compare_caption",
    "dispute_sentences",
    "link_for",
    "source_names",
    "state_table",
    "text_file",
]


def source_names(ds: Dataset, lang: str = "en") -> dict[str, str]:
    """Display name of each source key: its publisher, else its title, else the key; the editors' own
    key reads as the editors' inference."""
    out = {}
    for r in ds.sources.to_dict("records"):
        out[r["key"]] = r.get("publisher") or r.get("title") or r["key"]
    out[EDITOR_SOURCE] = W[lang]["editors"]
    return out


def _source_names(ds: Dataset, tl: Timeline, lang: str) -> dict[str, str]:
    """:func:`source_names`, made once per timeline, data set and language (read only)."""
    return tl.kept(f"source names {lang}", ds, lambda: source_names(ds, lang))


def _who_list(claims: list[dict], names: dict[str, str], lang: str, *, documents_only: bool = False) -> list[str]:
    """The sources of ``claims`` (each with the party it quotes, and the sources relaying it), each once."""
    seen = []
    for c in claims:
        keys = [k for k in claim_keys(c) if not (documents_only and k == EDITOR_SOURCE)]
        for key in keys:
            src = names.get(key, key)
            text = W[lang]["reporting"].format(src=src, claimant=c["claimant"]) if c.get("claimant") else src
            if text not in seen:
                seen.append(text)
    return seen


def _who(claims: list[dict], names: dict[str, str], lang: str, *, documents_only: bool = False) -> str:
    return join_names(_who_list(claims, names, lang, documents_only=documents_only), lang)


def _attribution(claims: list[dict], names: dict[str, str], lang: str) -> str:
    """`` (according to …)``; for the editors' inferences `` (inferred by the editors from …)``."""
    if claims and all(is_inference(c) for c in claims):
        documents = _who(claims, names, lang, documents_only=True)
        return W[lang]["inferred_from"].format(who=documents) if documents else W[lang]["inferred"]
    return W[lang]["according"].format(who=_who(claims, names, lang))


def _name_col(lang: str) -> str:
    return "name_ar" if lang == "ar" else "name"


def _in_text(ds: Dataset, side: str, lang: str) -> str:
    """A side as it reads inside a sentence in ``lang`` (the settings' phrase or label)."""
    found = ds.settings.side(side)
    return found.phrase(lang) if found else side


def _verb(row: dict, sides: tuple[str, ...]) -> str:
    """Which phrase tells a district's change: taken, completed, held (after a dispute) or a part held.

    ``prev`` is the side the district belonged to before the day's rows, as the timeline carries it
    through disputes (a disputed day settles nothing).
    """
    if row["to_state"] == "split":
        return "part"
    if row["from_state"] == "split" and row["to_state"] in (row["from_holder"], row.get("from_rest")):
        return "took_all"
    if row["from_state"] in sides:
        return "took"
    # after a dispute or no record: taken only if the side the timeline carries through differs
    return "took" if row.get("prev") in sides and row["prev"] != row["to_state"] else "held"


def change_phrases(ds: Dataset, tl: Timeline, day, lang: str = "en", *, since=None) -> list[str]:
    """One phrase per kind of change, districts with the same change and sources grouped.

    The changes dated ``day`` or, with ``since``, those between ``since`` and ``day`` (the states of the
    two days compared, every claim dated in between attributed). Districts that became disputed are
    left to :func:`dispute_sentences`.
    """
    day = as_day(day)
    i = tl.day_index(day)
    before_day = tl.days[i - 1] if since is None and i > 0 else since
    if before_day is None:
        return []
    table = compare(ds, tl, before_day, day)
    if table.empty:
        return []
    names = _source_names(ds, tl, lang)
    records = table.to_dict("records")
    before, after = day_states(ds, tl, before_day, copy=False), day_states(ds, tl, day, copy=False)
    at = pd.Index(before["id"]).get_indexer(table["id"])  # both days' tables are in district order
    rest_before, since = before["rest"].to_numpy()[at], list(after["since"].iloc[at])
    g = tl.groups
    prev = tl.kept(
        "prev_of_group", ds, lambda: dict(zip(zip(g["district"], g["date"], strict=True), g["prev"], strict=True))
    )
    rows_of: dict[str, list[int]] = {}
    for k, did in enumerate(table["id"]):
        rows_of.setdefault(did, []).append(k)
    groups: dict[tuple, list[str]] = {}
    for did, ks in rows_of.items():
        row = records[ks[0]] | {"from_rest": rest_before[ks[0]], "prev": prev.get((did, since[ks[0]]))}
        if row["to_state"] not in (*ds.settings.side_ids, "split"):
            continue
        side = row["to_holder"] if row["to_state"] == "split" else row["to_state"]
        pct = round(float(row["to_share"]) * 100) if row["to_state"] == "split" else None
        key = (_verb(row, ds.settings.side_ids), side, pct, _attribution([records[k] for k in ks], names, lang))
        groups.setdefault(key, []).append(row[_name_col(lang)])
    w = W[lang]
    return [
        w[verb].format(side=_in_text(ds, side, lang), pct=pct, names=join_names(districts, lang, limit=MAX_NAMES))
        + attribution
        for (verb, side, pct, attribution), districts in groups.items()
    ]


def _claim_sets(claims) -> list[tuple[tuple, list[dict]]]:
    """Claims grouped by who makes them, then makers with the same set of (side, percent) together."""
    by_maker: dict[tuple, list[dict]] = {}
    for c in claims:
        by_maker.setdefault((c["source"], c.get("claimant") or ""), []).append(c)
    sets: dict[tuple, list[dict]] = {}
    for made in by_maker.values():
        parts = tuple((c["controller"], None if pd.isna(c["share"]) else round(float(c["share"]) * 100)) for c in made)
        sets.setdefault(parts, []).append(made[0])
    return list(sets.items())


def _puts(ds: Dataset, parts: tuple, makers: list[dict], n_districts: int, lang: str, names: dict[str, str]) -> str:
    w = W[lang]
    obj = w["obj_one" if n_districts == 1 else "obj_many"]
    pieces = [
        w["piece"].format(
            share=w["whole_share"].format(obj=obj) if pct is None else w["share_of"].format(pct=pct, obj=obj),
            side=_in_text(ds, controller, lang),
        )
        for controller, pct in parts
    ]
    who = _who_list(makers, names, lang)
    return w["puts"].format(
        who=join_names(who, lang),
        verb=w["put_many" if len(who) > 1 else "put_one"],
        pieces=w["and"].join(pieces),
    )


def dispute_sentences(ds: Dataset, tl: Timeline, day, lang: str = "en") -> list[str]:
    """One sentence per pattern of disagreement on ``day``: which sources put the district(s) with whom."""
    table = day_states(ds, tl, day, copy=False)
    names = _source_names(ds, tl, lang)
    w = W[lang]
    groups: dict[tuple, list[tuple[str, tuple[dict, ...]]]] = {}
    for row in table[table["state"].eq("disputed")].to_dict("records"):
        sets = tuple(
            (parts, tuple(_who([m], names, lang) for m in makers)) for parts, makers in _claim_sets(row["claims"])
        )
        since = pd.Timestamp(row["since"]).normalize()
        key = (sets, None if since == as_day(day) else since)
        groups.setdefault(key, []).append((row[_name_col(lang)], row["claims"]))
    out = []
    for (_, since), districts in groups.items():
        n = len(districts)
        claims = w["clause_sep"].join(
            _puts(ds, parts, makers, n, lang, names) for parts, makers in _claim_sets(districts[0][1])
        )
        template = "disagree" if since is None else "disagree_since"
        out.append(
            w[template].format(
                names=join_names([d for d, _ in districts], lang, limit=MAX_NAMES),
                claims=claims,
                date=None if since is None else long_date(since, lang),
            )
        )
    return out


def _new_disputes(ds: Dataset, tl: Timeline, day: pd.Timestamp) -> bool:
    table = day_states(ds, tl, day, copy=False)
    return bool((table["state"].eq("disputed") & table["since"].eq(day)).any())


def caption(ds: Dataset, tl: Timeline, day, lang: str = "en") -> str:
    """What changed on ``day`` (which districts, to whom, on whose word) and where sources disagree.

    A few sentences of plain text, e.g. "On 28 November 2016, the government and allies took A and B
    (according to Wikipedia (English)). Sources disagree about C: ..."
    """
    check_lang(lang)
    day = as_day(day)
    w = W[lang]
    date = long_date(day, lang)
    phrases = change_phrases(ds, tl, day, lang)
    disputes = dispute_sentences(ds, tl, day, lang)
    if tl.day_index(day) == 0:
        head = w["first_day"].format(date=date)
    elif phrases:
        head = w["on_day"].format(date=date) + w["clause_sep"].join(phrases) + "."
    elif _new_disputes(ds, tl, day):
        head = w["day_only"].format(date=date)
    else:
        head = w["no_change"].format(date=date)
    return " ".join([head, *disputes])


def compare_caption(ds: Dataset, tl: Timeline, d1, d2, lang: str = "en") -> str:
    """What changed between ``d1`` and ``d2`` (which districts, to whom, on whose word; the two days'
    states compared) and where sources disagree on ``d2``. Plain text for a two-day comparison."""
    check_lang(lang)
    d1, d2 = as_day(d1), as_day(d2)
    tl.day_index(d1)
    w = W[lang]
    dates = {"start": long_date(d1, lang), "end": long_date(d2, lang)}
    phrases = change_phrases(ds, tl, d2, lang, since=d1)
    if phrases:
        head = w["between"].format(**dates) + w["clause_sep"].join(phrases) + "."
    else:
        head = w["none_between"].format(**dates)
    return " ".join([head, *dispute_sentences(ds, tl, d2, lang)])


def _km2(lo: float, hi: float, lang: str) -> str:
    lo, hi = round(lo, 1), round(hi, 1)
    w = W[lang]
    return w["km2"].format(a=f"{hi:.1f}") if lo == hi else w["km2_range"].format(lo=f"{lo:.1f}", hi=f"{hi:.1f}")


def area_ranges(ds: Dataset, tl: Timeline, day) -> pd.DataFrame:
    """Area on ``day`` as a range (km², from :func:`geo.areas.areas_on`), indexed by the sides, unknown,
    disputed, disputed_counted.

    ``low`` counts only the ground the sources name, ``high`` adds the ground only the editors place.
    ``disputed`` is the ground the map shows disputed (whole districts); ``disputed_counted`` is the
    part of it that the sides' figures already count, given to the side its strongest claims name.
    """
    km2 = tl.kept("district_km2", ds, lambda: district_areas_km2(ds.districts, crs=ds.settings.crs))
    every_day = tl.kept(
        "area_series", ds, lambda: area_series(tl, km2, yardstick=ds.settings.yardstick).set_index("date")
    )
    day = as_day(day)
    table = every_day.loc[[day]].reset_index(drop=True)  # areas_on for that day (geo.areas checks they agree)
    band = disputed_band(tl.control_on(day), km2)
    out = table.set_index("controller")[["km2_sourced", "km2"]].set_axis(["low", "high"], axis=1)
    in_dispute = float(band["km2"].sum()) if len(band) else 0.0
    in_sides = max(in_dispute - float(out.loc["disputed", "high"]), 0.0)
    out = out.drop(index="disputed")
    out.loc["disputed"] = [in_dispute, in_dispute]
    out.loc["disputed_counted"] = [in_sides, in_sides]
    return out


def alt_text(ds: Dataset, tl: Timeline, day, lang: str = "en") -> str:
    """A text alternative for the map on ``day``: who held what and how much area, what changed, what
    is disputed. Plain text of a few sentences (for alt text, ARIA and a .txt beside a PNG)."""
    return " ".join([alt_summary(ds, tl, day, lang), *_day_story(ds, tl, day, lang), W[lang]["alt_range_note"]])


def _day_story(ds: Dataset, tl: Timeline, day, lang: str) -> list[str]:
    """What changed on ``day`` and where the sources disagree, as sentences."""
    w = W[lang]
    phrases = change_phrases(ds, tl, day, lang)
    changed = w["changed"].format(text=capitalised(w["clause_sep"].join(phrases))) + "." if phrases else w["unchanged"]
    return [changed, *dispute_sentences(ds, tl, day, lang)]


def alt_summary(ds: Dataset, tl: Timeline, day, lang: str = "en") -> str:
    """The first part of :func:`alt_text`: the day, and who held how many districts and how much area."""
    check_lang(lang)
    day = as_day(day)
    w = W[lang]
    table = day_states(ds, tl, day, copy=False)
    counts = table["state"].value_counts()
    ranges = area_ranges(ds, tl, day)

    def count(n: int) -> str:
        return counted(n, "district", lang)

    parts = []
    for side in ds.settings.side_ids:
        n = int(counts.get(side, 0))
        lo, hi = ranges.loc[side, "low"], ranges.loc[side, "high"]
        if n or hi > 0:
            template = "alt_side" if n else "alt_side_none"
            parts.append(
                w[template].format(side=_in_text(ds, side, lang), n=n, count=count(n), area=_km2(lo, hi, lang))
            )
    if n := int(counts.get("split", 0)):
        parts.append(w["alt_split"].format(n=n, count=count(n)))
    if n := int(counts.get("disputed", 0)):
        lo, hi = ranges.loc["disputed", "low"], ranges.loc["disputed", "high"]
        text = w["alt_disputed"].format(n=n, count=count(n), area=_km2(lo, hi, lang))
        in_sides = ranges.loc["disputed_counted", "high"]
        if round(in_sides, 1) == round(hi, 1):
            text += w["alt_disputed_all_counted"]
        elif round(in_sides, 1) > 0:
            text += w["alt_disputed_counted"].format(a=f"{in_sides:.1f}")
        parts.append(text)
    if n := int(counts.get("unknown", 0)):
        parts.append(w["alt_unknown"].format(n=n, count=count(n)))
    holdings = capitalised(w["clause_sep"].join(parts)) + "."
    return " ".join([w["alt_head"].format(date=long_date(day, lang), place=ds.settings.text("place", lang)), holdings])


def state_table(ds: Dataset, tl: Timeline, day, lang: str = "en") -> tuple[list[str], list[list[str]]]:
    """The day's states as a text table for screen readers: (header, rows), one row per district.

    Columns: district (in ``lang``), state (its label; for a split district, who holds what part),
    since, basis, sources (display names). Plain text, for the page to insert as text.
    """
    check_lang(lang)
    w = W[lang]
    names = _source_names(ds, tl, lang)
    rows = []
    for r in day_states(ds, tl, day, copy=False).to_dict("records"):
        state = label(r["state"], lang, ds.settings)
        if r["state"] == "split" and r["holder"] in ds.settings.side_ids:
            known = r["rest"] in ds.settings.side_ids
            rest = _in_text(ds, r["rest"], lang) if known else w["rest_unknown"]
            state += w["split_detail"].format(
                holder=_in_text(ds, r["holder"], lang), pct=round(float(r["share"]) * 100), rest=rest
            )
        since = "" if pd.isna(r["since"]) else long_date(r["since"], lang)
        basis = w[f"basis_{r['basis']}"] if r["basis"] else ""
        rows.append(
            [
                r[_name_col(lang)] or r["name"],
                state,
                since,
                basis,
                join_names([names.get(k, k) for k in r["sources"]], lang),
            ]
        )
    return list(w["table_header"].split("|")), rows


def text_file(ds: Dataset, tl: Timeline, day, lang: str = "en", *, cite: str = "") -> str:
    """The text beside a PNG of ``day``: the alt text, the state table one district a line, and ``cite``
    (a :func:`citation` line) when given. Plain UTF-8 text ending in a newline."""
    header, rows = state_table(ds, tl, day, lang)
    lines = [alt_text(ds, tl, day, lang), "", " | ".join(header)]
    lines += [" | ".join(r) for r in rows]
    if cite:
        lines += ["", cite]
    return "\n".join(lines) + "\n"


def as_of(ds: Dataset, tl: Timeline, lang: str = "en") -> str:
    """The "data as of" stamp: the date of the record's latest change of control and the data version."""
    check_lang(lang)
    latest = latest_change(ds, tl)
    version = ds.digest[:VERSION_CHARS]
    if latest is None:
        return W[lang]["as_of_none"].format(version=version)
    return W[lang]["as_of"].format(date=long_date(latest, lang), version=version)


def link_for(url: str, day) -> str:
    """``url`` with its ``date`` query parameter set to ``day`` (other parameters kept)."""
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if k != "date"]
    query.append(("date", pd.Timestamp(day).date().isoformat()))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def citation(title: str, day, url: str, data_version: str, accessed, lang: str = "en") -> str:
    """A citation line ready to paste: title, date shown, link with ``?date=``, data version, access date.

    ``data_version`` is the dataset digest (its first :data:`VERSION_CHARS` characters are shown);
    ``url`` may be empty (no link then); ``accessed`` is a date.
    """
    check_lang(lang)
    link = f" {link_for(url, day)}." if url else ""
    return W[lang]["cite"].format(
        title=title.strip().rstrip("."),
        date=long_date(day, lang),
        link=link,
        version=data_version[:VERSION_CHARS],
        accessed=long_date(accessed, lang),
    )
