"""The map legend (a Leaflet control) and the boundary credit in the attribution line."""

from __future__ import annotations

from branca.element import MacroElement
from jinja2 import Template

from layers.style import (
    BOUNDARY_CREDIT,
    CHANGED_STYLE,
    FRONT_STYLE,
    LABELS,
    PALETTE,
    ROUTE_STATUS_STYLE,
    escape_text,
    json_for_script,
)

_SWATCH = ('<i style="display:inline-block;width:14px;height:12px;margin-right:5px;'
           'vertical-align:middle;{css}"></i>')


def _row(css: str, text: str) -> str:
    return f"<div>{_SWATCH.format(css=css)}{escape_text(text)}</div>"


def legend_html() -> str:
    """Legend rows: each controller, contested (two-tone), disputed, changed, front, routes, checkpoints."""
    rows = [_row(f"background:{PALETTE[k]}", LABELS[k]) for k in ("government", "opposition", "sdf")]
    stripes = (f"background:repeating-linear-gradient(45deg,{PALETTE['government']} 0 4px,"
               f"{PALETTE['opposition']} 4px 8px)")
    rows.append(_row(stripes, "Contested: stripes of both sides, width = share (tooltip gives it)"))
    rows.append(_row("border:2px dotted #000;background:" + PALETTE["contested"],
                     "Disputed: sources disagree (dotted outline)"))
    rows.append(_row(f"background:{PALETTE['unknown']}", LABELS["unknown"]))
    rows.append(_row(f"border:{CHANGED_STYLE['weight']}px dashed {CHANGED_STYLE['color']}",
                     "Changed hands this day"))
    rows.append(_row(f"border-top:{FRONT_STYLE['weight']}px solid {FRONT_STYLE['color']};height:0",
                     "Front line (dashed where approximate)"))
    for status, st in ROUTE_STATUS_STYLE.items():
        line = "dashed" if st["dashArray"] else "solid"
        rows.append(_row(f"border-top:{st['weight']}px {line} {st['color']};height:0", f"Route: {status}"))
    rows.append(_row("border:2px solid #000;border-radius:50%;background:#fff;width:10px;height:10px",
                     "Checkpoint (while active)"))
    return ('<details class="aleppo-legend" open><summary><b>Legend</b></summary>'
            + "".join(rows) + "</details>")


class Legend(MacroElement):
    """Legend control (bottom right) plus the boundary credit added to the attribution."""

    _template = Template("""
        {% macro header(this, kwargs) %}<style>
        .aleppo-legend{background:rgba(255,255,255,.92);padding:4px 6px;font:11px/1.35 sans-serif;
          border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:230px;}
        .aleppo-legend summary{cursor:pointer;}
        </style>{% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }};
          var ctl = L.control({position: 'bottomright'});
          ctl.onAdd = function () {
            var div = L.DomUtil.create('div', 'aleppo-legend-box');
            div.innerHTML = {{ this.html_json }};
            return div;
          };
          ctl.addTo(map);
          map.attributionControl.addAttribution({{ this.credit_json }});
        })();
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "Legend"
        self.html_json = json_for_script(legend_html())
        self.credit_json = json_for_script(escape_text(BOUNDARY_CREDIT))
