"""The one payload the map runtime draws: Python decides every state, style, legend row and word.

Layout (``build_payload``; every index is 0-based, every text plain, never HTML)::

    lang, dir              page language ("en" | "ar") and its direction
    words                  {key: text}: every word the map shows (layers.words)
    days, dayLabels        ISO dates and their written labels, one per step of the slider
    start                  index of the day to open on
    pack                   the digits of a packed integer list (layers.encode.pack): a list marked
                           "packed" below is such a string
    districts              [[id, name, Arabic name]], in the timeline's order
    arcs, geom             the districts' boundaries as a topology (layers.encode.Topology): arcs
                           of delta-encoded ints (packed), each shared boundary once; per district,
                           polygons -> rings -> arc references (packed; ~i: arc i backwards)
    codes                  the state words: the settings' side ids, then split, disputed, unknown
                           (geo.vocabulary.state_words); a "code" indexes this list
    patterns               [{size, angle, background, bands: [[offset, width, colour], ...]}]
                           SVG fill patterns (split stripes, disputed hatching)
    districtStyle          the Leaflet path style every district starts from
    styles                 [Leaflet path style]: what a district's look changes of districtStyle;
                           "fillPattern": k means fill with patterns[k]
    unknownStyle           index into styles for a district with no record that day
    text                   strings used many times (dates, state lines, sides, notes), once each
    states                 [[code, share, holder, rest, since, basis, style, claims, line]]:
                           one per decided state used; holder/rest are codes (-1 none), share
                           the holder's part (null: whole), since (a date) and line (the state
                           in words) index text, basis 0 sourced / 1 inferred, style indexes
                           styles
                           claims: indices into the claims table (packed)
    claims                 [[side, date, source, note, share, precision, claimant]], each once:
                           side, date, note and precision (absent when dated to the day) index text,
                           source indexes sources; empty fields at the end are left out
    first, changes         state index of every district on the first day; then per later day
                           a flat [district, state, district, state, ...] list of changes (packed)
    changed                per day: districts whose state changed from the day before (packed)
    changedStyle           outline of a district that changed hands that day
    pairs, fronts, front   per neighbouring pair on a front, the arcs of their common boundary;
                           each distinct front as [exact, approximate] indices into pairs; per
                           day the index of its front (all packed); frontStyle /
                           frontApproxStyle draw them
    routes                 [{n, na, g (lines, packed), st (one status code per day, "-" hidden),
                           ap (alignment approximate), pd (how the place was drawn; empty
                           when it was the one word ap says), s (source indices), note}]
    routeStyles, routeWords  status code -> style / word key; routeBand: the approximate band
    checkpoints            [{n, na, x, y, on ("1"/"0" per day), op, ap, pd (as for routes), s,
                           from, to, note}]
    checkpointStyles       {"exact": style, "approx": style}
    sources                [{k, t (title), p (publisher), d (date), url (http(s) or null)}]
    legend                 [{label, swatch: {kind: fill|line|dot|band, style}}]: the rows,
                           built from the very styles the map draws (a fill's style is an
                           index into styles); swatchOutline outlines the fill swatches
    labels, labelAt        [[text, kind]] place labels, most important first (kind 1 a landmark,
                           0 a district), shown as many as fit without overlapping; labelAt their
                           points, delta-encoded like a line (packed)
    focus                  [south, west, north, east]: the first view, the districts whose state
                           changes during the record, with a margin (FOCUS_MARGIN)
    locator                {frame, place, home, shapes, credit}: the inset's lon/lat frame, the
                           place's box, whether shapes[0] is the country holding it, and the
                           countries as encoded polygons (rings packed)
    captions, summaries    per day: what changed and who disagrees; who held what (the text
                           alternative opens with it, then the caption, then rangeNote)
    asOf, citations        the "data as of" stamp; per day a citation line (when asked for)
                           A per-day text is a string, or its pieces: a list whose numbers
                           index text and whose strings are literal, joined in order
    credit, tiles          the credit line; street tiles {url, attribution} or null
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import math
import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.escape import safe_url
from geo.load import Dataset
from geo.overlays import ROUTE_STATUSES, active_on, route_status
from geo.settings import Settings
from geo.spatial import adjacency, front_by_day
from geo.timeline import GroupState, Timeline
from geo.vocabulary import state_of, state_words
from layers import style as S
from layers.encode import (
    PACK_DIGITS,
    SIMPLIFY_TOLERANCE,
    Topology,
    arc_index,
    encode_lines,
    encode_points,
    encode_topology,
    line_parts,
    pack,
    simplify_coverage,
)
from layers.locator import locator
from layers.words import day_label, words

#: How a claim's ``precision`` is worded (a claim dated to the day needs no word).
PRECISION_WORDS = {"approximate": "approximate", "inferred": "inferred_row"}
#: One character per route status per day ("-" = not shown that day, "r" = shown, no status).
ROUTE_CODES: dict[str | None, str] = {None: "-", **{s: s[0] for s in ROUTE_STATUSES}}
#: ``location_precision`` values that mean the drawn place is exact.
EXACT_PRECISIONS = {"exact", "precise", "surveyed", "day"}


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _num(value: Any, digits: int = 2) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else round(value, digits)


def basis_of(group: GroupState) -> int:
    """0 when a source states the group, 1 when the editors inferred it.

    The timeline's own ``basis`` when it has one; otherwise inferred means every deciding row
    is marked ``precision = inferred``.
    """
    basis = getattr(group, "basis", None)
    if basis is not None:
        return int(basis == "inferred")
    return int(bool(group.claims) and all(c.get("precision") == "inferred" for c in group.claims))


class StyleTable:
    """Distinct styles and fill patterns, each stored once and referred to by index; the sides, their
    colours and the state codes come from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sides = settings.side_ids
        self.palette = S.palette(settings)
        self.codes = state_words(self.sides)
        self.code = {s: i for i, s in enumerate(self.codes)}
        self.styles: list[dict] = []
        self.patterns: list[dict] = []
        self._seen: dict[str, int] = {}
        #: The sides drawn under a dispute's hatching (None: none given), for the legend.
        self.disputed_under: set[str | None] = set()

    def _add(self, table: list[dict], item: dict) -> int:
        key = ("s" if table is self.styles else "p") + json.dumps(item, sort_keys=True)
        if key not in self._seen:
            self._seen[key] = len(table)
            table.append(item)
        return self._seen[key]

    def code_of(self, value: Any) -> int:
        """The code of a state word or side (-1 for none)."""
        return self.code.get(value, -1) if isinstance(value, str) else -1

    def district(
        self,
        state: str,
        holder: str | None = None,
        rest: str | None = None,
        share: float | None = None,
        inferred: bool = False,
        narrative: str | None = None,
    ) -> int:
        """The style index of a district in ``state`` (split: holder's share of holder/rest;
        disputed: hatching over the ``narrative`` side's colour, when the sources' reports give one)."""
        st = dict(S.DISTRICT_STYLE)
        sides, palette = self.sides, self.palette
        if state in sides:
            st["fillColor"] = palette[state]
        elif state == "split" and holder in sides and rest in sides:
            part = min(0.95, max(0.05, round((0.5 if share is None else share) / S.STRIPE_STEP) * S.STRIPE_STEP))
            size = S.STRIPES["size"]
            st["fillPattern"] = self._add(
                self.patterns,
                {**S.STRIPES, "background": palette[rest], "bands": [[0, round(size * part, 2), palette[holder]]]},
            )
            st["fillColor"] = palette[holder]
        elif state in ("split", "disputed"):  # a split with a side unknown is drawn as disputed ground
            hatch = S.DISPUTED_HATCH
            self.disputed_under.add(narrative if narrative in sides else None)
            under = palette[narrative] if narrative in sides else hatch["background"]
            st["fillPattern"] = self._add(
                self.patterns,
                {
                    "size": hatch["size"],
                    "angle": hatch["angle"],
                    "background": under,
                    "bands": [[0, hatch["lineWidth"], hatch["line"]]],
                },
            )
            st["fillColor"] = under
        else:
            st["fillColor"] = palette["unknown"]
            st["fillOpacity"] = S.UNKNOWN_FILL_OPACITY
        if inferred and state != "unknown":
            st["fillOpacity"] = S.INFERRED_FILL_OPACITY
        return self._add(self.styles, {k: v for k, v in st.items() if v is not None and v != S.DISTRICT_STYLE.get(k)})


#: Where a generated text is cut into pieces: numbers, and after a clause's punctuation.
_PIECE_CUT = re.compile(r"(\d+(?:[.,]\d+)*|[;:.!?،؛]\s+)")


class Texts:
    """Strings used many times (written dates, state lines, side labels), each stored once."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        if text not in self._index:
            self._index[text] = len(self.items)
            self.items.append(text)
        return self._index[text]

    def pieces(self, texts: list[str]) -> list[str | list[int | str]]:
        """Generated texts (one per day) as pieces: a text shares with the others its phrases, dates
        and names, each stored once in this table; a piece is an index into it or a literal.

        A text is cut at numbers and clause ends, and at every string already in the table (the
        day labels, the sides); neighbouring pieces that recur together are joined (``_joined``);
        a piece found in two texts or more, or already in the table, is stored once, the rest
        stays literal. A text with nothing shared stays a plain string.
        """
        # short strings only (dates, sides, names): the long notes are never inside a day's text
        known = sorted((t for t in self.items if 3 < len(t) <= 80), key=len, reverse=True)
        cut = re.compile("|".join([*(re.escape(t) for t in known), _PIECE_CUT.pattern]))
        split = self._joined([_cut(t, cut) for t in texts])
        seen = collections.Counter(p for parts in split for p in set(parts))
        out: list[str | list[int | str]] = []
        for parts in split:
            row: list[int | str] = []
            for p in parts:
                if p in self._index or (seen[p] > 1 and len(p) > 3):
                    row.append(self(p))
                elif row and isinstance(row[-1], str):
                    row[-1] += p
                else:
                    row.append(p)
            out.append(row[0] if len(row) == 1 and isinstance(row[0], str) else row)
        return out

    def _joined(self, split: list[list[str]]) -> list[list[str]]:
        """``split`` with neighbouring pieces that recur together joined into one piece, as long as
        that saves bytes: a run of words most days share becomes one reference (a pair is
        joined when the references it saves outweigh the new entry, less the entries it frees)."""
        while True:
            count = collections.Counter(p for parts in split for p in parts)
            pairs = collections.Counter(pair for parts in split for pair in zip(parts, parts[1:], strict=False))
            gains = []
            for (a, b), n in pairs.items():
                if n < 2 or a == b:
                    continue
                freed = sum(_stored(x) for x in {a, b} if count[x] == n and x not in self._index)
                gain = n * _REF_BYTES - _stored(a + b) + freed
                if gain > 0:
                    gains.append((gain, a, b))
            if not gains:
                return split
            join, used = {}, set()
            for _, a, b in sorted(gains, key=lambda g: -g[0]):
                if a not in used and b not in used:  # pairs that share no piece: joined in one pass
                    join[a] = b
                    used |= {a, b}
            split = [_join_pairs(parts, join) for parts in split]


#: About the bytes of one reference to the text table in a day's pieces (digits and a comma).
_REF_BYTES = 4


def _stored(piece: str) -> int:
    """The bytes a piece costs as an entry of the text table."""
    return len(json.dumps(piece, ensure_ascii=False).encode()) + 1


def _join_pairs(parts: list[str], join: dict[str, str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(parts):
        if i + 1 < len(parts) and join.get(parts[i]) == parts[i + 1]:
            out.append(parts[i] + parts[i + 1])
            i += 2
        else:
            out.append(parts[i])
            i += 1
    return out


def _cut(text: str, cut: re.Pattern[str]) -> list[str]:
    """``text`` cut before and after every match of ``cut`` (the matches kept as pieces)."""
    parts, at = [], 0
    for m in cut.finditer(text):
        parts += [text[at : m.start()], m.group()]
        at = m.end()
    return [p for p in [*parts, text[at:]] if p]


def _claim(claim: dict, src: dict[str, int], w: dict[str, str], lang: str, texts: Texts) -> list:
    """``[side, date, source, note, share, precision, claimant]``, empty fields at the end dropped."""
    precision = PRECISION_WORDS.get(_text(claim.get("precision")))
    when = claim.get("date")
    side, note = _text(claim.get("controller")), _text(claim.get("note"))
    row = [
        texts(w.get(f"state_{side}", side)),
        texts(day_label(pd.Timestamp(when).date(), lang) if pd.notna(when) else ""),
        src.get(_text(claim.get("source")), -1),
        texts(note) if note else None,
        _num(claim.get("share")),
        texts(w[precision]) if precision else None,
        _text(claim.get("claimant")),
    ]
    while len(row) > 3 and row[-1] in (None, ""):
        row.pop()
    return row


def state_rows(groups: list[GroupState], src: dict[str, int], table: StyleTable, lang: str, texts: Texts) -> list[list]:
    """One payload state per decided group (see the module's layout)."""
    w = words(lang, table.settings)
    rows = []
    for g in groups:
        word = state_of(g.controller, g.disputed)
        inferred = basis_of(g)
        style = table.district(word, g.holder, g.rest, g.share, bool(inferred), narrative_of(g))
        share = g.share if word == "split" else None
        rows.append(
            [
                table.code[word],
                _num(share),
                table.code_of(g.holder),
                table.code_of(g.rest),
                texts(day_label(g.since, lang)),
                inferred,
                style,
                [_claim(c, src, w, lang, texts) for c in g.claims],
                texts(state_line(word, g, w, table.sides)),
            ]
        )
    return rows


def narrative_of(g: GroupState) -> str | None:
    """For a disputed state, the side the sources' own reports give the district (areas count it; the
    timeline gives only one of its sides)."""
    side = getattr(g, "narrative", None)
    return side if g.disputed and side else None


def state_line(word: str, g: GroupState, w: dict[str, str], sides: tuple[str, ...]) -> str:
    """The state in words: the side, or who holds how much of a split district, or the dispute."""
    if word == "split" and g.holder in sides and g.rest in sides and g.share is not None:
        return w["holds"].format(side=w[f"state_{g.holder}"], pct=round(g.share * 100), rest=w[f"state_{g.rest}"])
    if word == "disputed" and narrative_of(g):
        return w["disputed_under"].format(side=w[f"state_{narrative_of(g)}"])
    return w[f"state_{word}"]


def state_table(
    tl: Timeline,
    day_rows: np.ndarray,
    src: dict[str, int],
    table: StyleTable,
    lang: str,
    texts: Texts,
    since_row: int | None = None,
) -> dict[str, Any]:
    """States used on the chosen days, the first day in full, later days as changes, and the
    districts that changed hands on each day (compared with the record's day before, or with
    ``since_row`` when given)."""
    grid = tl.grid[day_rows]
    used = np.unique(grid[grid >= 0])
    remap = np.full(int(tl.grid.max()) + 2 if tl.grid.size else 1, -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    g = np.where(grid >= 0, remap[grid], -1)
    groups = tl.group_states()
    picked = [groups[int(i)] for i in used]
    states = state_rows(picked, src, table, lang, texts)
    changes = []
    for i in range(1, len(g)):
        moved = np.flatnonzero(g[i] != g[i - 1])
        changes.append(np.column_stack([moved, g[i, moved]]).ravel().tolist())
    changed: list[list[int]] = []
    for row in day_rows:
        base = row - 1 if since_row is None else since_row
        if base < 0 or base == row:
            changed.append([])
            continue
        before, after = tl.grid[base], tl.grid[row]
        changed.append([int(j) for j in np.flatnonzero(before != after) if _hands(groups, before[j], after[j])])
    return {"states": states, "first": g[0].tolist() if len(g) else [], "changes": changes, "changed": changed}


def _hands(groups: list[GroupState], a: int, b: int) -> bool:
    """True when going from group ``a`` to ``b`` changes who holds the district (or how much)."""
    if a < 0 or b < 0:
        return False
    ga, gb = groups[int(a)], groups[int(b)]
    wa, wb = state_of(ga.controller, ga.disputed), state_of(gb.controller, gb.disputed)
    if "disputed" in (wa, wb):
        return False  # a rival claim is not a change of hands; it has its own fill
    return (wa, ga.holder, _num(ga.share)) != (wb, gb.holder, _num(gb.share))


def front_table(
    tl: Timeline, districts: gpd.GeoDataFrame, days: pd.DatetimeIndex, settings: Settings, topo: Topology
) -> tuple[list[list[int]], list[list[list[int]]]]:
    """Per front pair the arcs of its shared boundary, and per day [exact, approximate] front pair
    indices (the front runs between the settings' ``front`` sides; boundaries measured in its
    CRS). A pair's arcs are the ones the districts' rings share (``topo``, whose shapes are in the
    timeline's order); neighbours that share no arc there (a gap within the tolerance) get their
    measured boundary as arcs of its own."""
    pairs = adjacency(districts, crs=settings.crs).reset_index(drop=True)
    on, approx = front_by_day(tl, pairs, [tl.day_index(d) for d in days], sides=settings.front_sides)
    per_day = [
        [np.flatnonzero(o & ~x).tolist(), np.flatnonzero(o & x).tolist()] for o, x in zip(on, approx, strict=True)
    ]
    used = sorted({i for d in per_day for part in d for i in part})
    remap = {old: new for new, old in enumerate(used)}
    at = {d: k for k, d in enumerate(tl.district_ids)}
    arcs = []
    for i in used:
        a, b = at[pairs["a"].iloc[i]], at[pairs["b"].iloc[i]]
        shared = topo.shared.get((min(a, b), max(a, b)))
        if not shared:
            refs = [topo.add_line(line) for line in line_parts(pairs.geometry.iloc[i], SIMPLIFY_TOLERANCE)]
            shared = [arc_index(r) for r in refs if r is not None]
        arcs.append(shared)
    return arcs, [[[remap[i] for i in part] for part in d] for d in per_day]


def _is_approximate(props: dict) -> bool:
    """True unless ``location_precision`` is blank or starts with a word meaning exact."""
    found = re.findall(r"[a-z]+", _text(props.get("location_precision")).lower())
    return bool(found) and found[0] not in EXACT_PRECISIONS


def _precision_note(props: dict) -> str:
    """``location_precision`` as written, unless it is the one word of an approximate place: that
    is what ``ap`` shows ("Location approximate"), and the panel says it once. An exact place's
    word ("surveyed") is kept: no other line says it."""
    text = _text(props.get("location_precision"))
    return "" if _is_approximate(props) and len(re.findall(r"\w+", text)) == 1 else text


def _src_list(value: Any, src: dict[str, int]) -> list[int]:
    return [src[k.strip()] for k in _text(value).split(";") if k.strip() in src]


def routes_table(routes: gpd.GeoDataFrame | None, days: list[dt.date], src: dict[str, int]) -> list[dict]:
    """Routes: geometry, per-day status string (see ROUTE_CODES), precision and sources."""
    if routes is None:
        return []
    masks = [active_on(routes, d).to_numpy(dtype=bool) for d in days]
    out = []
    for i, props in enumerate(routes.to_dict("records")):
        spans = props.get("status") or ()
        if spans:
            status = "".join(ROUTE_CODES[route_status(spans, d)] for d in days)
        else:
            status = "".join("r" if m[i] else "-" for m in masks)
        out.append(
            {
                "n": _text(props.get("name")),
                "na": _text(props.get("name_ar")),
                "g": encode_lines(props["geometry"]),
                "st": status,
                "ap": int(_is_approximate(props)),
                "pd": _precision_note(props),
                "s": _src_list(props.get("source"), src),
                "note": _text(props.get("note") or props.get("description")),
            }
        )
    return out


def checkpoints_table(
    points: gpd.GeoDataFrame | None, days: list[dt.date], src: dict[str, int], lang: str
) -> list[dict]:
    """Checkpoints: position, per-day active string ("1"/"0"), operator, precision, sources."""
    if points is None:
        return []
    masks = [active_on(points, d).to_numpy(dtype=bool) for d in days]
    out = []
    for i, props in enumerate(points.to_dict("records")):
        pt = props["geometry"]
        span = [props.get("active_from"), props.get("active_to")]
        out.append(
            {
                "n": _text(props.get("name")),
                "na": _text(props.get("name_ar")),
                "x": round(pt.x, 5),
                "y": round(pt.y, 5),
                "on": "".join("1" if m[i] else "0" for m in masks),
                "op": _text(props.get("operator")),
                "ap": int(_is_approximate(props)),
                "pd": _precision_note(props),
                "s": _src_list(props.get("source"), src),
                "from": day_label(span[0], lang) if isinstance(span[0], dt.date) else _text(span[0]),
                "to": day_label(span[1], lang) if isinstance(span[1], dt.date) else _text(span[1]),
                "note": _text(props.get("note") or props.get("description")),
            }
        )
    return out


def legend_rows(data: dict[str, Any], table: StyleTable, w: dict[str, str]) -> list[dict]:
    """The legend: one row per thing the map draws on these days, from the styles it draws with."""
    present = {data["codes"][s[0]] for s in data["states"]}
    rows = []

    def fill(style: int, text: str) -> None:
        rows.append({"label": text, "swatch": {"kind": "fill", "style": style}})

    codes = data["codes"]
    for side in table.sides:
        if side in present:
            fill(table.district(side), w[f"state_{side}"])
    if "split" in present:
        split = next((s for s in data["states"] if s[0] == table.code["split"] and s[2] >= 0 and s[3] >= 0), None)
        a, b = (codes[split[2]], codes[split[3]]) if split else (table.sides[:2] * 2)[:2]
        fill(table.district("split", a, b, 0.5), f"{w['state_split']} ({w['means_split']})")
    if "disputed" in present:
        for under in sorted(table.disputed_under, key=lambda u: (u is not None, u or "")):
            text = f"{w['state_disputed']} ({w['means_disputed']})"
            if under:
                text = w["disputed_under_legend"].format(side=w[f"state_{under}"])
            fill(table.district("disputed", narrative=under), text)
    # a district with no row yet on a day is drawn unknown too (no state: -1 in the day table)
    no_row = -1 in data["first"] or any(-1 in change[1::2] for change in data["changes"])
    if "unknown" in present or no_row:
        fill(table.district("unknown"), f"{w['state_unknown']} ({w['means_unknown']})")
    inferred = next((s for s in data["states"] if s[5] and codes[s[0]] in table.sides), None)
    if inferred:
        fill(table.district(codes[inferred[0]], inferred=True), w["inferred"])
    return rows + overlay_rows(data, w)


def overlay_rows(data: dict[str, Any], w: dict[str, str]) -> list[dict]:
    """Legend rows of the lines and points drawn over the districts on these days."""
    rows = []
    if any(data["changed"]):
        rows.append({"label": w["changed"], "swatch": {"kind": "line", "style": S.CHANGED_STYLE}})
    fronts = data["front"]
    if any(d[0] for d in fronts):
        rows.append({"label": w["front"], "swatch": {"kind": "line", "style": S.FRONT_STYLE}})
    if any(d[1] for d in fronts):
        rows.append({"label": w["front_approx"], "swatch": {"kind": "line", "style": S.FRONT_APPROX_STYLE}})
    codes = {c for r in data["routes"] for c in r["st"]} - {"-"}
    for code, style in data["routeStyles"].items():
        if code in codes:
            rows.append({"label": w[data["routeWords"][code]], "swatch": {"kind": "line", "style": style}})
    if any(r["ap"] for r in data["routes"]):
        rows.append({"label": w["route_approx"], "swatch": {"kind": "band", "style": data["routeBand"]}})
    cps = data["checkpoints"]
    if any(not c["ap"] for c in cps):
        rows.append({"label": w["checkpoint"], "swatch": {"kind": "dot", "style": S.CHECKPOINT_STYLE}})
    if any(c["ap"] for c in cps):
        rows.append({"label": w["checkpoint_approx"], "swatch": {"kind": "dot", "style": S.CHECKPOINT_APPROX_STYLE}})
    return rows


def label_rows(
    districts: gpd.GeoDataFrame, geoms: np.ndarray, lang: str, landmarks: gpd.GeoDataFrame | None
) -> list[list]:
    """Place labels, most important first: landmarks, then districts by area.

    Each is ``[lon, lat, text, kind]`` (kind 1 = landmark, 0 = district); the map shows as many
    as fit at each zoom without overlapping, in this order.
    """
    name = "name_ar" if lang == "ar" else "name"
    rows = []
    if landmarks is not None:
        for r in landmarks.to_dict("records"):
            text = _text(r.get(name)) or _text(r.get("name"))
            if text and r["geometry"] is not None and not r["geometry"].is_empty:
                rows.append([round(r["geometry"].x, 5), round(r["geometry"].y, 5), text, 1])
    points = shapely.point_on_surface(geoms)
    order = np.argsort(-shapely.area(geoms), kind="stable")
    for j in order:
        text = _text(districts.iloc[int(j)].get(name)) or _text(districts.iloc[int(j)]["name"])
        rows.append([round(points[j].x, 5), round(points[j].y, 5), text, 0])
    return rows


#: The first view's margin around the districts whose state changes, as a share of their extent.
FOCUS_MARGIN = 0.1


def focus_bounds(tl: Timeline, districts: gpd.GeoDataFrame) -> list[float]:
    """Where the story happens: the extent of the districts whose state changes at some point of the
    record (all districts when none does), as [south, west, north, east] for the first view."""
    moving = tl.district_ids[(tl.grid != tl.grid[:1]).any(axis=0)] if len(tl.grid) else tl.district_ids[:0]
    chosen = districts[districts["id"].astype(str).isin(moving)] if len(moving) else districts
    minx, miny, maxx, maxy = chosen.total_bounds
    # a margin of FOCUS_MARGIN of its size on each side (within the districts' extent), so the
    # districts at its edge are not drawn against the frame
    ax0, ay0, ax1, ay1 = districts.total_bounds
    dx, dy = (maxx - minx) * FOCUS_MARGIN, (maxy - miny) * FOCUS_MARGIN
    minx, miny, maxx, maxy = max(minx - dx, ax0), max(miny - dy, ay0), min(maxx + dx, ax1), min(maxy + dy, ay1)
    return [round(float(v), 5) for v in (miny, minx, maxy, maxx)]


def _sources(ds: Dataset) -> list[dict]:
    return [
        {
            "k": _text(r.get("key")),
            "t": _text(r.get("title")),
            "p": _text(r.get("publisher")),
            "d": _text(r.get("date")),
            "url": safe_url(r.get("url")),
        }
        for r in ds.sources.to_dict("records")
    ]


def story(
    ds: Dataset, tl: Timeline, days: pd.DatetimeIndex, lang: str, texts: Texts, cite: dict | None = None
) -> dict[str, Any]:
    """The words of each day, generated from the record (``geo.describe``): the caption (what
    changed, who disagrees), the summary that opens the text alternative, the "data as of" stamp,
    and, given ``cite`` ({title, url, accessed}), a citation line per day. The per-day texts are
    stored as pieces of ``texts`` (``Texts.pieces``)."""
    from geo import describe as D
    from geo.describe_words import W as DW

    n = len(days)
    told = [D.caption(ds, tl, d, lang) for d in days] + [D.alt_summary(ds, tl, d, lang) for d in days]
    if cite:
        told += [D.citation(cite["title"], d, cite.get("url", ""), ds.digest, cite["accessed"], lang) for d in days]
    pieces = texts.pieces(told)
    out: dict[str, Any] = {
        "captions": pieces[:n],
        "summaries": pieces[n : 2 * n],
        "rangeNote": DW[lang]["alt_range_note"],
        "asOf": D.as_of(ds, tl, lang),
    }
    if cite:
        out["citations"] = pieces[2 * n :]
    return out


def build_payload(
    ds: Dataset,
    tl: Timeline,
    *,
    lang: str = "en",
    days: pd.DatetimeIndex | None = None,
    start: int = 0,
    tiles: bool = False,
    cite: dict | None = None,
    changed_since: Any = None,
) -> dict[str, Any]:
    """Everything the map draws for ``days`` (default: every day of the timeline), in ``lang``;
    ``cite`` ({title, url, accessed}) adds a citation line per day; ``changed_since`` (a day)
    outlines the districts that changed hands since then instead of since the day before."""
    days = tl.days if days is None else days
    w = words(lang, ds.settings)
    src = {str(k): i for i, k in enumerate(ds.sources["key"])}
    districts = ds.districts.reset_index(drop=True)
    order = tl.district_ids.get_indexer(districts["id"].astype(str))
    geoms = simplify_coverage(districts.geometry.to_numpy())
    by_tl = np.empty(len(order), dtype=object)
    by_tl[order] = np.arange(len(order))
    rows = [districts.iloc[int(j)] for j in by_tl]
    day_rows = np.array([tl.day_index(d) for d in days])
    plain = [d.date() for d in days]
    table, texts = StyleTable(ds.settings), Texts()
    topo = encode_topology(geoms[by_tl.astype(int)])
    lines, fronts = front_table(tl, districts, days, ds.settings, topo)
    data: dict[str, Any] = {
        "lang": lang,
        "dir": "rtl" if lang == "ar" else "ltr",
        "words": w,
        "days": [d.isoformat() for d in plain],
        "dayLabels": [day_label(d, lang) for d in plain],
        "start": int(start),
        "districts": [[str(r["id"]), _text(r["name"]), _text(r.get("name_ar"))] for r in rows],
        "geom": topo.shapes,
        "codes": list(table.codes),
        **state_table(
            tl, day_rows, src, table, lang, texts, None if changed_since is None else tl.day_index(changed_since)
        ),
        "districtStyle": {k: v for k, v in S.DISTRICT_STYLE.items() if v is not None},
        "changedStyle": S.CHANGED_STYLE,
        "pairs": lines,
        "front": fronts,
        "frontStyle": S.FRONT_STYLE,
        "frontApproxStyle": S.FRONT_APPROX_STYLE,
        "routes": routes_table(ds.routes, plain, src),
        "routeStyles": {s[0]: st for s, st in S.ROUTE_STATUS_STYLE.items()} | {"r": S.ROUTE_PLAIN_STYLE},
        "routeWords": {s[0]: s for s in S.ROUTE_STATUS_STYLE} | {"r": "route"},
        "routeBand": S.ROUTE_BAND_STYLE,
        "checkpoints": checkpoints_table(ds.checkpoints, plain, src, lang),
        "checkpointStyles": {"exact": S.CHECKPOINT_STYLE, "approx": S.CHECKPOINT_APPROX_STYLE},
        "sources": _sources(ds),
        "labels": label_rows(districts, geoms, lang, getattr(ds, "landmarks", None)),
        "locator": locator(tuple(districts.total_bounds)),
        "focus": focus_bounds(tl, districts),
        "swatchOutline": S.SWATCH_OUTLINE,
        "credit": " · ".join(part for part in (w["credit"], w["tiles"] if tiles else "") if part),
        "tiles": S.TILES if tiles else None,
    }
    data |= story(ds, tl, days, lang, texts, cite)
    if changed_since is not None:
        w = dict(w, changed=w["changed_since"].format(date=day_label(pd.Timestamp(changed_since).date(), lang)))
    data["legend"] = legend_rows(data, table, w)
    data["unknownStyle"] = table.district("unknown")
    data["styles"], data["patterns"], data["text"] = table.styles, table.patterns, texts.items
    data["arcs"] = topo.encoded_arcs()
    return packed(data)


def packed(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with its integer lists packed (``layers.encode.pack``; the module's layout marks
    them ``packed``), and the digits to read them with."""
    rings = lambda shapes: [[[pack(r) for r in poly] for poly in shape] for shape in shapes]  # noqa: E731
    out = dict(data, pack=PACK_DIGITS)
    out["arcs"] = [pack(a) for a in data["arcs"]]
    out["geom"] = rings(data["geom"])
    out["first"] = pack(data["first"])
    out["changes"] = [pack(c) for c in data["changes"]]
    out["changed"] = [pack(c) for c in data["changed"]]
    out["pairs"] = [pack(p) for p in data["pairs"]]
    day_fronts = [tuple(pack(part) for part in day) for day in data["front"]]
    fronts = {f: i for i, f in enumerate(dict.fromkeys(day_fronts))}
    out["fronts"] = [list(f) for f in fronts]
    out["front"] = pack(fronts[f] for f in day_fronts)
    key = lambda claim: json.dumps(claim, ensure_ascii=False)  # noqa: E731
    claims = {key(c): c for s in data["states"] for c in s[7]}
    at = {k: i for i, k in enumerate(claims)}
    out["claims"] = list(claims.values())
    out["states"] = [[*s[:7], pack(at[key(c)] for c in s[7]), *s[8:]] for s in data["states"]]
    out["labelAt"] = pack(encode_points([r[:2] for r in data["labels"]]))
    out["labels"] = [r[2:] for r in data["labels"]]
    out["routes"] = [dict(r, g=[pack(line) for line in r["g"]]) for r in data["routes"]]
    out["locator"] = dict(data["locator"], shapes=rings(data["locator"]["shapes"]))
    return out
