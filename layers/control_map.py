"""The control map as a folium plugin: one runtime for the app and every snapshot.

``ControlMap`` is a ``MacroElement`` (folium's plugin model): its template writes the page's
parts (title, map slot, date control, legend, claims panel, credit) and the payload as JSON, and
its script hands the folium map and that payload to ``window.ControlMap.mount`` in
``assets/control_map.js``. Leaflet comes from the packaged xstatic-leaflet copy and is inlined
with the runtime, so the page needs no network and no server. Everything is rendered through
folium's and branca's public API (the figure's header, html and script).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import folium
import rcssmin
import rjsmin
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geo.escape import html_attr, html_text, script_json

ASSETS = Path(__file__).with_name("assets")
# Leaflet's CSS points at marker and layer-switcher images the page never uses; drop them so the
# file names nothing outside itself.
_CSS_IMAGE = re.compile(r"url\((?!#)[^)]*\)")
# ... and its script names its source map, a file the page does not carry (a browser's developer
# tools would ask for it).
_SOURCE_MAP = re.compile(r"\n//# sourceMappingURL=\S*\s*$")
#: Leaflet features the page never draws: the layer switcher, popups (the map has tooltips and a
#: claims panel), marker icons of HTML or image (checkpoints are vector circles) and old Internet
#: Explorer's VML. Their CSS selectors are left out (3.3 kB of the snapshot).
UNUSED_LEAFLET = (
    "leaflet-control-layers",
    "leaflet-popup",
    "leaflet-div-icon",
    "leaflet-default-icon-path",
    "leaflet-oldie",
    "leaflet-vml",
    "lvml",
)
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
# folium's map page forbids zooming the page (maximum-scale=1, user-scalable=no), which keeps a
# reader on a phone from enlarging the caption, claims and legend (WCAG 1.4.4); the map itself
# takes pinches on it either way (Leaflet's touch handling).
_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1" />'


@functools.cache
def leaflet_assets() -> tuple[str, str]:
    """Leaflet's minified JS (without its source map's name) and its CSS (image references and the
    features in ``UNUSED_LEAFLET`` removed), from xstatic-leaflet."""
    from xstatic.pkg import leaflet

    base = Path(leaflet.BASE_DIR)
    css = _CSS_IMAGE.sub("none", (base / "leaflet.css").read_text(encoding="utf-8"))
    js = _SOURCE_MAP.sub("", (base / "leaflet.js").read_text(encoding="utf-8"))
    return js, used_css(rcssmin.cssmin(css), UNUSED_LEAFLET)


def used_css(css: str, unused: tuple[str, ...]) -> str:
    """Minified ``css`` without the selectors that name one of the ``unused`` classes or a class of
    its family (``leaflet-popup`` takes ``leaflet-popup-pane``), and without a rule left with no
    selector (an at-rule around the rules stays)."""
    names = re.compile(r"\.(?:" + "|".join(map(re.escape, unused)) + r")(?:-[\w-]+)?(?![\w-])")

    def keep(rule: re.Match) -> str:
        selectors = [s for s in rule[1].split(",") if not names.search(s)]
        return ",".join(selectors) + "{" + rule[2] + "}" if selectors else ""

    return _CSS_RULE.sub(keep, css)


@functools.cache
def shipped_asset(name: str) -> str:
    """An asset as shipped in a page: comments and needless white space dropped (rjsmin, rcssmin:
    no name is changed, so the page's script reads as the file's)."""
    text = (ASSETS / name).read_text(encoding="utf-8")
    return rcssmin.cssmin(text) if name.endswith(".css") else rjsmin.jsmin(text)


class OfflineMap(folium.Map):
    """A folium map that links nothing from the network: the plugin inlines Leaflet itself."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []
    #: The plugin drawn on it (set by :func:`control_map`); the page's text is inserted from it.
    control: ControlMap


#: Marks of the text put into a page after templating: characters of Unicode's private use area,
#: which no template of this page, folium's or branca's writes.
_MARK = re.compile("\ue000([0-9a-z_]+\\.[0-9]+)\ue001")


class Inserting(MacroElement):
    """A folium plugin element whose templates never see text from users or data.

    branca compiles every element's rendered output as a Jinja template again (``Element(html)``),
    so a ``{{`` in a title, a note or a source's name would be run on the server. Here a template
    writes only a mark (:meth:`text`, :meth:`attr`, :meth:`json`, :meth:`raw`); the text, escaped
    for where it lands (``geo.escape``), replaces the mark in the finished page (:func:`page_html`).
    Large assets (Leaflet, the runtime) are inserted the same way, so no template compiles them.
    """

    def __init__(self) -> None:
        super().__init__()
        self.inserts: dict[str, str] = {}

    def raw(self, text: str) -> str:
        """A mark for ``text`` inserted as it is (an asset of the package, or text escaped already)."""
        key = f"{self.get_name()}.{len(self.inserts)}"
        self.inserts[key] = text
        return f"\ue000{key}\ue001"

    def text(self, value: Any) -> str:
        """A mark for ``value`` as HTML element content."""
        return self.raw(html_text(value))

    def attr(self, value: Any) -> str:
        """A mark for ``value`` inside a quoted attribute."""
        return self.raw(html_attr(value))

    def json(self, value: Any) -> str:
        """A mark for ``value`` as JSON inside a script."""
        return self.raw(script_json(value))

    def inline(self, tag: str, text: str) -> Element:
        """An element holding ``text`` as a ``<script>`` or ``<style>`` body (which must not close
        its element early), inserted after templating."""
        safe = text.replace("</script", "<\\/script") if tag == "script" else text.replace("</style", "<\\/style")
        return Element(f"<{tag}>{self.raw(safe)}</{tag}>")


class ControlMap(Inserting):
    """Draws a payload (``layers.payload.build_payload``) on its parent folium map.

    ``title`` is shown above the map; ``static`` pins the page to its one day (no control);
    ``hash`` keeps the day in the address's ``#YYYY-MM-DD``; ``sources`` lists the sources
    under the map; ``root`` is the id of the page element (two maps in one page need two).
    """

    _template = Template("""
{% macro html(this, kwargs) %}
{% set p = this.payload %}{% set w = p.words %}
<div id="{{ this.attr(this.root) }}" class="cm-page" dir="{{ this.attr(p.dir) }}">
<header class="cm-head"><h1>{{ this.text(this.title) }}</h1><p class="cm-date" aria-live="polite"></p>
{% if this.byline %}<p class="cm-byline">{{ this.text(this.byline) }}</p>{% endif %}</header>
<div class="cm-mapslot"></div>
<div class="cm-controls" role="group" aria-label="{{ this.attr(w.slider) }}"></div>
<aside class="cm-side"><section class="cm-panel" aria-live="polite" tabindex="-1"></section>
<div class="cm-legend"></div><figure class="cm-locator"></figure></aside>
<footer class="cm-foot"><p class="cm-caption"{% if not this.static %} tabindex="0"{% endif %}></p>
<p class="cm-credit">{% if p.credit %}{{ this.text(p.credit) }}.{% endif %}
{% if this.sources %}{{ this.text(w.sources) }}: {{ this.text(this.short_sources) }}.{% endif %}
<span class="cm-asof">{{ this.text(p.asOf) }}</span></p><p class="cm-cite"></p><p class="cm-keys"></p></footer>
<div class="cm-sr" id="{{ this.attr(this.root ~ "-desc") }}"></div>
<div class="cm-sr"><table class="cm-states"><caption>{{ this.text(w.table_caption) }}</caption><thead><tr>
{% for h in w.table_head.split("|") %}<th scope="col">{{ this.text(h) }}</th>{% endfor %}</tr></thead>
<tbody></tbody></table></div>
</div>
{% if this.sources %}<section class="cm-sources" dir="{{ this.attr(p.dir) }}">
<h2>{{ this.text(w.sources) }}</h2><ol>
{% for s in p.sources %}<li>
{%- if s.url %}<a href="{{ this.attr(s.url) }}" rel="noopener noreferrer" target="_blank">
{{- this.text(s.t or s.k) }}</a>
{%- else %}{{ this.text(s.t or s.k) }}{% endif %}
{%- if s.p or s.d %} — {{ this.text([s.p, s.d]|select|join(", ")) }}{% endif %}</li>
{% endfor %}</ol></section>{% endif %}
{% if this.about %}<section class="cm-about" dir="{{ this.attr(p.dir) }}"><h2>{{ this.text(w.about) }}</h2>
{% for sec in this.about %}<h3>{{ this.text(sec.heading) }}</h3>
{% for para in sec.paragraphs %}<p>{{ this.text(para) }}</p>
{% endfor %}{% endfor %}</section>{% endif %}
<script type="application/json" id="{{ this.attr(this.root ~ "-payload") }}">{{ this.json(p) }}</script>
{% endmacro %}
{% macro script(this, kwargs) %}
document.documentElement.lang = {{ this.json(this.payload.lang) }};
document.documentElement.dir = {{ this.json(this.payload.dir) }};
{% if this.static %}document.body.classList.add("cm-static");{% endif %}
window.ControlMap.mount({{ this._parent.get_name() }},
    JSON.parse(document.getElementById({{ this.json(this.root ~ "-payload") }}).textContent),
    {{ this.json(this.options) }});
{% endmacro %}
""")

    def __init__(
        self,
        payload: dict[str, Any],
        *,
        title: str,
        static: bool = False,
        hash: bool = True,
        sources: bool = True,
        root: str = "cm-page",
        byline: str = "",
        about: list[dict] | None = None,
    ) -> None:
        super().__init__()
        self._name = "ControlMap"
        self.payload = payload
        self.title = title
        self.static = static
        self.sources = sources
        pubs = list(dict.fromkeys(s["p"] or s["t"] for s in payload["sources"] if s["p"] or s["t"]))
        self.short_sources = ", ".join(pubs[:8]) + (f" (+{len(pubs) - 8})" if len(pubs) > 8 else "")
        self.root, self.byline, self.about = root, byline, about or []
        self.options = {"hash": hash, "static": static, "root": root}

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # (branca's MacroElement returns None)
        """Inline Leaflet and the runtime in the figure's header, then render the plugin."""
        figure = self.get_root()
        assert isinstance(figure, Figure), "the plugin renders inside a folium map's figure"
        js, css = leaflet_assets()
        figure.header.add_child(self.inline("style", css), name="leaflet_css")
        figure.header.add_child(self.inline("script", js), name="leaflet_js")
        figure.header.add_child(self.inline("style", shipped_asset("control_map.css")), name="control_map_css")
        figure.header.add_child(self.inline("script", shipped_asset("control_map.js")), name="control_map_js")
        super().render(**kwargs)


def control_map(payload: dict[str, Any], *, title: str, **options: Any) -> OfflineMap:
    """A folium map carrying the plugin (``options`` as for :class:`ControlMap`); :func:`page_html`
    of its figure is the whole page."""
    # No first view (folium drops a zoom of None, and Leaflet sets no view without one): the
    # runtime sets it once the page has its final layout, so the map is not laid out, sized and
    # projected twice on the way to its first paint.
    m = OfflineMap(
        location=[0, 0],
        zoom_start=None,  # type: ignore[arg-type]  # (folium leaves out an option that is None)
        tiles=None,
        control_scale=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
        attribution_control=bool(payload.get("tiles")),
    )
    figure = m.get_root()
    assert isinstance(figure, Figure)
    plugin = ControlMap(payload, title=title, **options)
    figure.title = plugin.text(title)
    plugin.add_to(m)
    m.control = plugin
    return m


def page_html(figure: Figure, maps: list[folium.Map], parts: list[Inserting]) -> str:
    """The figure rendered as a page, with the text of ``parts`` (every :class:`Inserting` element
    of the figure) put in after templating: with one viewport, which lets the reader zoom (each
    folium map writes its own), and the same bytes for the same payload (folium names each map
    after a random id; here they are ``map_1``, ``map_2``, ... in order), without the indentation
    and blank lines of folium's templates (0.7 kB: no line of the page's scripts depends on them,
    and the page has no preformatted text)."""
    text = "\n".join(line.strip(" \t\r") for line in figure.render().split("\n") if line.strip(" \t\r"))
    for k, m in enumerate(maps, 1):
        text = text.replace(m.get_name(), f"map_{k}")
    first = _VIEWPORT.search(text)
    if first is not None:
        text = text[: first.start()] + VIEWPORT + _VIEWPORT.sub("", text[first.end() :])
    inserts = {key: value for part in parts for key, value in part.inserts.items()}
    return _MARK.sub(lambda mark: inserts[mark[1]], text)


def render_page(payload: dict[str, Any], *, title: str, **options: Any) -> str:
    """The self-contained HTML page of the map (no network, no server needed)."""
    m = control_map(payload, title=title, **options)
    figure = m.get_root()
    assert isinstance(figure, Figure)
    return page_html(figure, [m], [m.control])


class ChangeList(Inserting):
    """The list under a two-day comparison: each change, with every claim behind it and its source."""

    _template = Template("""
{% macro html(this, kwargs) %}
<section class="cm-changes" dir="{{ this.attr(this.dir) }}"><h2>{{ this.text(this.heading) }}</h2>
<p>{{ this.text(this.caption) }}</p>
{% if this.rows %}<table><thead><tr>
{%- for h in this.head %}<th scope="col">{{ this.text(h) }}</th>{% endfor %}</tr></thead><tbody>
{%- for r in this.rows %}<tr>{% for cell in r %}<td>{{ this.text(cell) }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table>{% else %}<p>{{ this.text(this.empty) }}</p>{% endif %}</section>
{% endmacro %}
{% macro script(this, kwargs) %}document.body.classList.add("cm-compare");{% endmacro %}
""")

    def __init__(
        self, *, heading: str, caption: str, head: list[str], rows: list[list[str]], empty: str, dir: str = "ltr"
    ) -> None:
        super().__init__()
        self._name = "ChangeList"
        self.heading, self.caption, self.head, self.rows = heading, caption, head, rows
        self.empty, self.dir = empty, dir


def render_compare(
    before: dict[str, Any],
    after: dict[str, Any],
    changes: ChangeList,
    *,
    title: str,
    byline: str = "",
    about: list[dict] | None = None,
) -> str:
    """Two days side by side (``before`` and ``after`` payloads of one day each, the second
    outlining what changed since the first) and the list of changes, as one self-contained page."""
    first = control_map(before, title=title, static=True, hash=False, sources=False, root="cm-a", byline=byline)
    second = control_map(
        after, title=after["words"]["compared_with"], static=True, hash=False, root="cm-b", about=about
    )
    figure = first.get_root()
    figure.add_child(second)
    figure.add_child(changes)
    assert isinstance(figure, Figure)
    return page_html(figure, [first, second], [first.control, second.control, changes])
