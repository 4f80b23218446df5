"""Tooltip and popup HTML for districts, routes and checkpoints: every data text escaped."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from layers.style import LABELS, LABELS_AR, escape_text, json_for_script, safe_url

SourceIndex = Mapping[str, Mapping[str, str]]


def source_index(sources: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Map each source key to its title, publisher, date and url."""
    cols = ("title", "publisher", "date", "url")
    return {str(r["key"]): {c: str(r.get(c) or "") for c in cols} for r in sources.to_dict("records")}


def source_html(key: str, index: SourceIndex) -> str:
    """One source as escaped HTML: title (publisher, date) with an http(s) link when there is one."""
    src = index.get(key, {})
    title = escape_text(src.get("title") or key)
    meta = ", ".join(escape_text(src[c]) for c in ("publisher", "date") if src.get(c))
    text = f"{title} ({meta})" if meta else title
    url = safe_url(src.get("url"))
    if url is None:
        return text
    return f'<a href="{url}" target="_blank" rel="noopener noreferrer">{text}</a>'


def sources_html(keys: Iterable[str], index: SourceIndex) -> str:
    """Several sources (``;``-separated keys allowed) joined by semicolons."""
    flat = [k.strip() for key in keys for k in str(key).split(";") if k.strip()]
    return "; ".join(source_html(k, index) for k in dict.fromkeys(flat))


def names_html(name: str, name_ar: str | None) -> str:
    """English name in bold and the Arabic name right-to-left."""
    ar = f' <span dir="rtl" lang="ar">{escape_text(name_ar)}</span>' if name_ar else ""
    return f"<b>{escape_text(name)}</b>{ar}"


def _pct(share: float | None) -> str:
    return "" if share is None or (isinstance(share, float) and math.isnan(share)) else f"{share:.0%}"


def label(controller: str | None) -> str:
    """Neutral English label with the Arabic one, escaped."""
    key = str(controller or "unknown")
    en, ar = LABELS.get(key, key), LABELS_AR.get(key, "")
    return escape_text(en) + (f' / <span dir="rtl" lang="ar">{escape_text(ar)}</span>' if ar else "")


def claim_html(claim: Mapping, index: SourceIndex) -> str:
    """One claim (events.csv row) as a list item: controller, share, date, source, note."""
    share = claim.get("share")
    part = f" ({_pct(share)})" if _pct(share) else ""
    day = pd.Timestamp(claim["date"]).date().isoformat()
    note = f" — {escape_text(claim['note'])}" if claim.get("note") else ""
    prec = claim.get("precision")
    prec_txt = f", {escape_text(prec)} date" if prec and prec != "day" else ""
    return (f"<li>{escape_text(LABELS.get(claim['controller'], claim['controller']))}{part}, "
            f"{day}{prec_txt}: {source_html(str(claim['source']), index)}{claimant_html(claim)}{note}</li>")


def claimant_html(claim: Mapping) -> str:
    """" (claim by X)" when the source reports another party's claim; empty otherwise."""
    who = claim.get("claimant")
    return f" (claim by {escape_text(who)})" if who and not (isinstance(who, float) and math.isnan(who)) else ""


def state_line(row: Mapping) -> str:
    """What the state means, in words: controller, or the split and its share, or the dispute."""
    ctrl = row.get("controller") or "unknown"
    if ctrl != "contested":
        return f"<b>{label(ctrl)}</b>"
    holder, rest, share = row.get("holder"), row.get("rest"), row.get("share")
    if row.get("disputed"):
        return "<b>Disputed: sources disagree</b> (each claim below)"
    if holder and rest and holder != "contested":
        return (f"<b>{escape_text(LABELS['contested'])}</b>: {escape_text(LABELS.get(holder, holder))} "
                f"holds {_pct(share) or 'part'}, {escape_text(LABELS.get(rest, rest))} the rest")
    return f"<b>{label('contested')}</b>"


def district_html(names: str, row: Mapping, index: SourceIndex) -> str:
    """Full district card: names, state, since when, every claim with its source."""
    parts = [names, state_line(row)]
    if row.get("since") is not None and pd.notna(row.get("since")):
        parts.append(f"since {pd.Timestamp(row['since']).date().isoformat()}")
    claims = row.get("claims") or ()
    if claims:
        items = "".join(claim_html(c, index) for c in claims)
        parts.append(f'<ul class="claims">{items}</ul>')
    elif (row.get("controller") or "unknown") == "unknown":
        parts.append("No record for this district yet.")
    return '<div class="district-card">' + "<br>".join(parts[:-1]) + "<br>" + parts[-1] + "</div>"


def feature_html(title: str, lines: Iterable[tuple[str, str]], sources: str) -> str:
    """Card for a route or checkpoint: escaped title, label/value lines, sources (already HTML)."""
    rows = "".join(f"<br>{escape_text(k)}: {escape_text(v)}" for k, v in lines if v not in (None, ""))
    return f'<div class="feature-card"><b>{escape_text(title)}</b>{rows}<br>Source: {sources}</div>'


class HtmlPopup(MacroElement):
    """A popup bound from a JSON string (folium's own Popup needs jQuery, which is not loaded)."""

    _template = Template("""{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.html_json }}, {maxWidth: 380});
    {% endmacro %}""")

    def __init__(self, html: str):
        super().__init__()
        self._name = "HtmlPopup"
        self.html_json = json_for_script(html)
