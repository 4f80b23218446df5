"""District polygons coloured by controller: a static payload built once and a per-day restyle."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
from branca.element import MacroElement
from jinja2 import Template

from geo.timeline import Timeline
from layers.content import SourceIndex, district_html, names_html
from layers.districts_js import DISTRICTS_JS, SHOW_JS
from layers.style import DISPUTED_STYLE, DISTRICT_STYLE, PALETTE, escape_text, json_for_script

LABELS_LAYER_NAME = "District names"


def _names(districts: gpd.GeoDataFrame) -> dict[str, str]:
    return {str(r["id"]): names_html(r["name"], r.get("name_ar"))
            for r in districts[["id", "name", "name_ar"]].to_dict("records")}


def group_table(timeline: Timeline, names: dict[str, str], index: SourceIndex) -> list[dict[str, Any]]:
    """One entry per state group of the timeline: controller, holder, rest, share, disputed, card."""
    out = []
    for g in timeline.group_states():
        state = {"controller": g.controller, "share": g.share, "holder": g.holder, "rest": g.rest,
                 "disputed": g.disputed, "since": g.since, "claims": g.claims}
        out.append({"k": g.controller, "h": g.holder, "r": g.rest, "s": g.share, "d": g.disputed,
                    "t": district_html(names[g.district], state, index)})
    return out


def district_payload(districts: gpd.GeoDataFrame, timeline: Timeline, index: SourceIndex) -> dict:
    """Everything the browser needs once: geometry, group table, unknown cards and label points."""
    names = _names(districts)
    ids = [str(i) for i in timeline.district_ids]
    geo = districts[["id", "geometry"]].copy()
    geo["id"] = geo["id"].astype(str)
    points = districts.geometry.representative_point()
    unknown = {"controller": "unknown", "claims": ()}
    return {
        "geojson": json.loads(geo.to_json(drop_id=True)),
        "groups": group_table(timeline, names, index),
        "unknown": [district_html(names[i], unknown, index) for i in ids],
        "labels": [[escape_text(n), round(p.y, 6), round(p.x, 6)]
                   for n, p in zip(districts["name"], points, strict=True)],
    }


class DistrictsLayer(MacroElement):
    """Draws the districts (inline ``payload`` or fetched from ``url``) and defines ``aleppo.show``."""

    _template = Template("""
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
        {% macro script(this, kwargs) %}{{ this.script() }}{% endmacro %}
    """)

    def __init__(self, ids: list[str], *, payload: dict | None = None, url: str | None = None):
        super().__init__()
        self._name = "DistrictsLayer"
        self.cfg = {"ids": ids, "palette": PALETTE, "base": DISTRICT_STYLE, "disputed": DISPUTED_STYLE,
                    "data": payload, "url": url, "labelsName": LABELS_LAYER_NAME, "fit": False}
        self.css = (".district-label{font:11px/1.1 sans-serif;color:#111;white-space:nowrap;"
                    "text-shadow:0 0 2px #fff,0 0 2px #fff;transform:translate(-50%,-50%);}"
                    ".district-card ul.claims{margin:2px 0 0 0;padding-left:16px;}"
                    ".leaflet-tooltip.district-tip{white-space:normal;width:320px;}"
                    ".feature-card{white-space:normal;width:300px;}")

    def script(self) -> str:
        """The layer's JavaScript with the map name and config filled in."""
        return (DISTRICTS_JS.replace("__MAP__", self._parent.get_name())
                .replace("__CFG__", json_for_script(self.cfg)))


class DayStyle(MacroElement):
    """Restyles the districts for one day: the only district data sent on a date change."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.js }}{% endmacro %}")

    def __init__(self, day: str, codes: Sequence[int]):
        super().__init__()
        self._name = "DayStyle"
        self.js = (SHOW_JS.replace("__DAY__", json_for_script(day))
                   .replace("__CODES__", json_for_script([int(c) for c in codes])))
