"""The app's folium map as the strings an inline Streamlit component runs (``assets/live_map.js``).

Why not ``st_folium``: streamlit-folium is an iframe component. Before the first district is drawn
the browser must create the frame, load its 225 KB React bundle, hand it the map over
``postMessage`` and load Leaflet inside it; on the development machine that was 250-350 ms of the
first map, on top of the ~0.9 s any Streamlit page needs to show anything. A Streamlit v2
component renders in the page itself (in a shadow root, so styles stay apart both ways), so the
map draws as soon as its element arrives.

The folium-to-Leaflet conversion is still streamlit-folium's: its helpers turn a ``folium.Map``
into header/html/script strings and feature groups into scripts that add themselves to
``map_div`` (streamlit-folium is pinned in requirements.txt for that reason, and
``tests/test_layers_live_map.py`` checks the strings). The base map is rendered once per data
content and basemap; a date change renders only the day's small feature groups and the layer
control, which the component swaps in place, so zoom, pan and hidden layers survive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import folium
from streamlit_folium import (
    _get_feature_group_string,
    _get_header,
    _get_html,
    _get_layer_control_string,
    _get_map_string,
)

#: The module the component runs (an ES module with ``export default function``).
COMPONENT_JS = Path(__file__).with_name("assets") / "live_map.js"
#: folium's map header sets ``.leaflet-container{font-size:1rem}`` (16 px), which Leaflet's
#: attribution and scale inherit; at that size the attribution ran over the scale bar. These rules
#: are more specific, so they win; a long attribution (street tiles + boundary credit) wraps.
COMPONENT_CSS = (".leaflet-container .leaflet-control-attribution,"
                 ".leaflet-container .leaflet-control-scale{font-size:11px;}"
                 ".leaflet-container .leaflet-control-attribution{max-width:calc(100% - 110px);}")


@dataclass(frozen=True)
class MapParts:
    """A rendered base map: style/meta header, map html, Leaflet script, and the files it loads."""

    header: str
    html: str
    script: str
    js_links: tuple[str, ...]
    css_links: tuple[str, ...]

    def as_data(self) -> dict:
        """The JSON the component receives."""
        return {"header": self.header, "html": self.html, "script": self.script,
                "js": list(self.js_links), "css": list(self.css_links)}


def _links(m: folium.Map, attr: str) -> tuple[str, ...]:
    """Every ``default_js``/``default_css`` URL of the map and its children, in order, once."""
    out: list[str] = []
    stack = [m]
    while stack:
        el = stack.pop(0)
        out.extend(url for _, url in getattr(el, attr, []) or [])
        stack[:0] = list(getattr(el, "_children", {}).values())
    return tuple(dict.fromkeys(out))


#: folium creates the map with ``L.map("map_div", ...)``: Leaflet looks the id up in ``document``,
#: but the component's div is in a shadow root, so the script is given the element itself.
MAP_BY_ID = re.compile(r'L\.map\(\s*"map_div"')
MAP_ELEMENT = "L.map(window.__aleppoMapDiv"


def map_parts(m: folium.Map) -> MapParts:
    """Render the base map once into what the component needs."""
    m.get_root().render()
    header, html = _get_header(m), _get_html(m)  # before the script: rendering it renames the map
    script, found = MAP_BY_ID.subn(MAP_ELEMENT, _get_map_string(m), count=1)
    if not found or "map_div" not in header:  # a folium or streamlit-folium upgrade changed the shapes
        raise RuntimeError("layers.live_map: the rendered folium map has no L.map(\"map_div\" ...) or no "
                           "#map_div style; check the pinned folium/streamlit-folium versions")
    return MapParts(header, html, script, _links(m, "default_js"), _links(m, "default_css"))


def day_script(groups: list[folium.FeatureGroup], control: folium.LayerControl | None) -> str:
    """The script that adds ``groups`` (and a layer control listing them) to ``map_div``.

    They are rendered against a throwaway map, so the cached base map never accumulates children.
    Each group ends up in ``window.feature_group`` and the control in ``window.layer_control``,
    which is how the component finds them to swap on the next date change.
    """
    scratch = folium.Map(tiles=None)
    script = "".join(_get_feature_group_string(g, map=scratch, idx=i) for i, g in enumerate(groups))
    if control is not None:
        script += _get_layer_control_string(control, scratch)
    return script


def component_js() -> str:
    """The component's JavaScript module."""
    return COMPONENT_JS.read_text(encoding="utf-8")
